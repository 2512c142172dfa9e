/* apps/xdpfw/cli.h — what xdpfw's command files (main.c, show.c) share. */
#ifndef XDPFW_CLI_H
#define XDPFW_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <bpfkit/xdp.h>
#include "state.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

extern const char *pin_dir;		/* --pin-dir / XDPFW_PIN_DIR */
extern bool json_out;			/* xdpfw -j COMMAND: as COMMAND -j */
extern int home_netns_fd;		/* the netns before --netns, or -1 (fleet.c) */
/* main.c: the long-running commands (top, log, sync) stop when SIGINT or
 * SIGTERM sets xdpfw_stop, once xdpfw_catch_stop() installed the handler */
extern volatile sig_atomic_t xdpfw_stop;
void xdpfw_catch_stop(void);
double xdpfw_now_s(void);		/* CLOCK_MONOTONIC, in seconds */

int xusage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the pinned state with a message when xdpfw is not loaded;
 * open_state_ro() for a command that only reads it (xdpfw_state_open_ro). */
int open_state(struct xdpfw_state *st);
int open_state_ro(struct xdpfw_state *st);

int cmd_status(int argc, char **argv);
int cmd_rule_list(int argc, char **argv);
int cmd_top(int argc, char **argv);
/* "classes N of M, trie ..., ports ...; X MB of tables" of generation GEN,
 * for status and check (WRAP: what goes before "ports") */
struct xdpfw_table_fill;
void print_table_fill(const struct xdpfw_table_fill *t, unsigned gen, uint64_t bytes, const char *wrap);
int cmd_log(int argc, char **argv);
int cmd_metrics(int argc, char **argv);	/* metrics.c */
int cmd_restore(int argc, char **argv);	/* restore.c */
/* main.c: load, apply, and where IFACE's link is pinned */
int cmd_load(int argc, char **argv);
int cmd_check(int argc, char **argv);	/* check.c */
/* main.c: would RS with POLICY deny the SSH session we run in
 * ($SSH_CONNECTION)? WHY says which rule, or the policy. */
bool denies_ssh(const struct xdpfw_ruleset *rs, int policy, char *why, size_t sz);
/* check.c: whether RS (read from PATH) fits a firewall loaded with
 * --max-rules MAX_RULES (SIZED: why that size, for messages), by applying
 * it to a scratch one: 0 yes, 1 no (said), -errno (said) no scratch. */
int xdpfw_check_fits(const char *path, const struct xdpfw_ruleset *rs, uint32_t max_rules, const char *sized);
/* main.c: the datapath object xdpfw loads, built in */
extern const unsigned char xdpfw_obj_start[], xdpfw_obj_end[];
/* --max-size and --max-rules of COMMAND: a usage error (EXIT_USAGE, said)
 * for a bad value */
int parse_max_size(const char *cmd, const char *arg);
int parse_max_rules(const char *cmd, const char *arg, uint32_t *out);
#define MAX_SIZE_HELP "      --max-size N   read at most N bytes of rules (K, M, G suffixes; default 16M)\n"
int cmd_apply(int argc, char **argv);
void link_path(char *buf, size_t sz, const char *ifname);
/* The interface a pin names, from the part after "link_" or "multi_"
 * (':' back to '.', as link_path() wrote it) */
void pin_ifname(char *out, size_t sz, const char *pinned_as);
/* Test hooks: the file named by environment variable ENV, if set and not
 * empty (else NULL); and the wait until file PATH exists (at most 60 s,
 * or until SIGTERM) */
const char *test_gate(const char *env);
void test_gate_wait(const char *path);
/* whether the link pinned at PATH is still attached (true when it cannot tell) */
bool link_attached(const char *path);
/* The firewall's program (DIR/prog), 0 if none is pinned; and the program a
 * pinned link at PATH runs when that is not the firewall's (another loader
 * replaced it inside xdpfw's link: bpfkit load --force, a second firewall's
 * --replace), else 0 - the firewall does not filter there. */
uint32_t fw_prog_id(void);
uint32_t link_runs_other(const char *path);
/* warns, for each interface where another program runs in xdpfw's link,
 * that the rules just applied are not enforced there */
void warn_replaced(void);
/* whether IFACE has the firewall: by our link, or in libxdp's dispatcher
 * (load --multi), either still attached (true when it cannot tell); a pin
 * alone outlives a detach behind our back or an interface made again */
bool iface_attached(const char *ifname);
/* multi.c: attach through libxdp's dispatcher (load --multi), detach */
void multi_path(char *buf, size_t sz, const char *ifname);
int xdpfw_multi_check(const char *ifname, enum bpfkit_xdp_mode mode);
int xdpfw_multi_attach(struct xdpfw_state *st, const char *ifname, int ifindex,
		       enum bpfkit_xdp_mode mode, unsigned prio, const struct xdpfw_create_opts *co,
		       const void *objb, size_t obj_sz, enum bpfkit_xdp_mode *attached);
int xdpfw_multi_detach(const char *ifname);
/* whether IFACE's multi_ pin names a program still in its dispatcher (true
 * when it cannot tell): the pin outlives an interface made again or an
 * `xdp-loader unload` */
bool xdpfw_multi_attached(const char *ifname);

#endif
