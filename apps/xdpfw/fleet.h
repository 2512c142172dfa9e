/* apps/xdpfw/fleet.h — what the fleet commands (fleet.c: publish, fleet
 * status; sync.c: the agent) share: the etcd connection options, spelled as
 * etcdctl spells them, and the layout of the keys. */
#ifndef XDPFW_FLEET_H
#define XDPFW_FLEET_H

#include <getopt.h>
#include <stdbool.h>
#include "etcd.h"

/* Keys: KEY holds the rule set (the rules-file text, as published);
 * KEY/hosts/NAME holds each agent's status (JSON), under the agent's lease. */
#define FLEET_HOSTS "/hosts/"
#define FLEET_KEY_MAX 512	/* bytes of a --key */
#define FLEET_NAME_MAX 253	/* bytes of a sync --name (a DNS name) */

enum {
	FO_ETCD = 0x1000, FO_KEY, FO_CACERT, FO_CERT, FO_KEYFILE, FO_USER, FO_PASSWORD, FO_TOKEN,
	FO_DIAL, FO_CMDTO,
};

#define FLEET_LONGOPTS							\
	{ "etcd", required_argument, NULL, FO_ETCD },			\
	{ "endpoints", required_argument, NULL, FO_ETCD },		\
	{ "key", required_argument, NULL, FO_KEY },			\
	{ "cacert", required_argument, NULL, FO_CACERT },		\
	{ "cert", required_argument, NULL, FO_CERT },			\
	{ "key-file", required_argument, NULL, FO_KEYFILE },		\
	{ "user", required_argument, NULL, FO_USER },			\
	{ "password", required_argument, NULL, FO_PASSWORD },		\
	{ "token", required_argument, NULL, FO_TOKEN },			\
	{ "dial-timeout", required_argument, NULL, FO_DIAL },		\
	{ "command-timeout", required_argument, NULL, FO_CMDTO }

#define FLEET_OPTS_HELP \
"etcd connection (etcdctl's names; ETCDCTL_ENDPOINTS, _CACERT, _CERT, _KEY,\n" \
"_USER, _PASSWORD are read as in etcdctl):\n" \
"      --etcd, --endpoints URL[,URL...]  client URLs (http:// or https://);\n" \
"                         an endpoint that cannot be reached is skipped\n" \
"      --key KEY          the etcd key of the rule set (agents report under\n" \
"                         KEY/hosts/NAME)\n" \
"      --cacert FILE      CA bundle for https endpoints\n" \
"      --cert FILE        TLS client certificate\n" \
"      --key-file FILE    its private key (etcdctl's --key; --key is the key name here)\n" \
"      --user NAME[:PW]   etcd authentication, the password after ':' or in\n" \
"      --password PW      this option or ETCDCTL_PASSWORD (not seen by ps)\n" \
"      --token TOKEN      a ready etcd auth token (sent as Authorization)\n" \
"      --dial-timeout D   connect timeout (default 2s; 500ms, 3s, 1m)\n" \
"      --command-timeout D  whole-request timeout (default 5s)\n"

struct fleet_opts {
	struct etcd_cfg ec;
	const char *key;
};

/* Handles what getopt_long returned that the command itself does not: one
 * of FLEET_LONGOPTS (its value in optarg), a missing value (':') or an
 * unknown option. 0 done, or EXIT_USAGE (message printed). */
int fleet_opt(struct fleet_opts *o, const char *cmd, int c, char **argv);
/* After option parsing: environment defaults, checks that an endpoint and a
 * key were given. 0 or EXIT_USAGE. */
int fleet_opts_finish(struct fleet_opts *o, const char *cmd);
void fleet_opts_free(struct fleet_opts *o);
/* Back to the network namespace xdpfw started in (etcd is reached from
 * there even under --netns, which names where the interfaces are). */
int fleet_home_netns(void);
/* Reads a whole file ('-': stdin), NUL-terminated, at most
 * xdpfw_rules_max_bytes (-EFBIG beyond; -EISDIR). 0 or -errno, ERR set. */
int fleet_read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz);

int cmd_publish(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_sync(int argc, char **argv);

#endif
