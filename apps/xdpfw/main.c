/* apps/xdpfw/main.c — the xdpfw command: dispatch, and the commands that
 * change the firewall (load, unload, apply, rule add/del, policy) plus
 * save. check is in check.c, listing commands in show.c. Built only on
 * libbpfkit's public API (and libbpf underneath it). */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include <bpfkit/netns.h>
#include "cli.h"
#include "fleet.h"

BPFKIT_EMBED(xdpfw_obj, XDPFW_OBJ_PATH);

const char *pin_dir = XDPFW_PIN_DIR;
bool json_out;
volatile sig_atomic_t xdpfw_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	xdpfw_stop = 1;
}

/* No SA_RESTART: a blocking wait returns early, so the loop sees the flag. */
void xdpfw_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

double xdpfw_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int xusage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpfw %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see xdpfw %s --help)\n", cmd);
	return EXIT_USAGE;
}

void xerr(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpfw: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libbpfkit's and libbpf's messages: their warnings say whose they are, as
 * xerr's do (the info lines are the library's account of what it did) */
static enum bpfkit_print_level print_max = BPFKIT_INFO;

static int lib_print(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	if (level > print_max)
		return 0;
	if (level == BPFKIT_WARN)
		fputs("xdpfw: ", stderr);
	return vfprintf(stderr, fmt, args);
}

static int said(int open_rc)
{
	if (open_rc)
		xdpfw_state_open_error(pin_dir, open_rc);
	return open_rc;
}

int open_state(struct xdpfw_state *st)
{
	return said(xdpfw_state_open(st, pin_dir));
}

int open_state_ro(struct xdpfw_state *st)
{
	return said(xdpfw_state_open_ro(st, pin_dir));
}

static const char main_help[] =
"Usage: xdpfw [--pin-dir DIR] [--netns NAME] [-j] [-v] COMMAND [ARGS]\n"
"\n"
"An XDP firewall: allows or denies IPv4/IPv6 packets by source/destination\n"
"prefix (CIDR), protocol and port ranges, with per-rule counters and atomic\n"
"rule-set swaps. State is pinned under DIR (default " XDPFW_PIN_DIR "), so the\n"
"firewall keeps working, with its rules, policy and counters, after xdpfw exits.\n"
"\n"
"Commands:\n"
"  load IFACE [--mode M] [--policy allow|deny] [--rules FILE] [--multi]   attach the firewall\n"
"  unload IFACE | --all [--purge]     detach (rules are kept unless --purge)\n"
"  apply FILE                         replace the whole rule set atomically\n"
"  rule add|del|list [RULE|ID] [-j]  add, delete or list single rules\n"
"  policy allow|deny                  set the default policy\n"
"  save                               print the rule set in the file format\n"
"  check FILE [--compile]             parse and check a rules file (--compile: and\n"
"                                     whether it fits the tables), apply nothing\n"
"  status [-j]                        interfaces, policy, rules with counters, totals\n"
"  top [-d SEC] [-n COUNT] [-j]       live counters and rates\n"
"  log [-t SEC]                       stream denied packets of 'log' rules\n"
"  metrics [--listen ADDR:PORT]       serve Prometheus metrics (default 127.0.0.1:9435)\n"
"  restore IFACE [--file FILE]        load the saved rules (/etc/xdpfw/IFACE.rules) at boot\n"
"  publish FILE --etcd URL --key KEY  put a checked rule set in etcd for a fleet\n"
"  sync --etcd URL --key KEY [IFACE...]  the agent: follow that set, report\n"
"  fleet status --etcd URL --key KEY  which hosts enforce which revision\n"
"\n"
"Rules (one per line in a file; '#' starts a comment):\n"
"  policy allow|deny\n"
"  allow|deny [src PREFIX] [dst PREFIX] [proto tcp|udp|icmp|icmpv6|any]\n"
"             [sport N|N-M] [dport N|N-M] [log]\n"
"  PREFIX is an IPv4/IPv6 address with an optional /LEN, or 'any'. Ports need\n"
"  proto tcp or udp ('any' with ports means tcp or udp, even with 0-65535;\n"
"  'sport any', 'dport any' are no condition). 'log' (deny rules) logs\n"
"  denied packets, rate-limited.\n"
"\n"
"Which rule wins: of the rules that match a packet, the one with (1) the\n"
"longest source prefix, then (2) the longest destination prefix, then (3) a\n"
"named protocol over 'any', then (4) the narrowest dport range, then (5) the\n"
"narrowest sport range, then (6) the earliest in the rule set. No rule: the\n"
"default policy. Duplicate or contradictory rules (same match) are refused.\n"
"The datapath evaluates this without looping over rules: IPv4 addresses walk a\n"
"trie (at most 5 reads for a source, 4 in maps for 262144 rules or more; 8 for\n"
"a destination); IPv6 sources walk the same kind of trie over their first 32\n"
"bits, and prefixes longer than that take a binary search on the lengths in\n"
"use (at most 8 probes), as IPv6 destinations do; then at most two binary\n"
"searches of port ranges, whatever the number of rules.\n"
"\n"
"Always: ARP and IPv6 neighbour discovery pass (a deny policy cannot cut the\n"
"host off its LAN); truncated headers are dropped; later fragments get their\n"
"first fragment's verdict (dropped if it was not seen). load/apply/rule/policy\n"
"refuse a rule set that denies the SSH session in $SSH_CONNECTION unless --force.\n"
"\n"
"Options (before the command):\n"
"  --pin-dir DIR      state directory on bpffs (default " XDPFW_PIN_DIR ",\n"
"                     or $XDPFW_PIN_DIR)\n"
"  --netns NAME       work inside network namespace NAME (like ip -n NAME)\n"
"  -j, --json         JSON output, as COMMAND -j (status, rule list, top, check,\n"
"                     fleet status, publish --show)\n"
"  -v, --verbose      libbpf's and the verifier's messages too\n"
"  -h, --help         this help; xdpfw COMMAND --help explains one command\n"
"\n"
"Rules files are read line by line, at most 16 MiB (restore: 256 MiB, a saved\n"
"set of millions of rules; --max-size changes it);\n"
"binary input is refused at its first byte.\n"
"\n"
"Exit status: 0 ok, 1 failure, 2 usage error.\n";

/* --max-size BYTES[K|M|G]: how much of a rules file is read (the bound
 * keeps `xdpfw apply /dev/zero` from eating the machine). */
int parse_max_size(const char *cmd, const char *arg)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && (*end == 'K' || *end == 'k'))
		shift = 10, end++;
	else if (end != arg && *end == 'M')
		shift = 20, end++;
	else if (end != arg && *end == 'G')
		shift = 30, end++;
	if (end == arg || *end || errno || !v || arg[0] == '-')
		return xusage(cmd, "--max-size wants a size in bytes (suffix K, M or G), not '%s'", arg);
	/* compared before the shift, which could wrap */
	if (v > (1ull << (40 - shift)))
		return xusage(cmd, "--max-size is at most 1 TiB (1024G), not '%s'", arg);
	v <<= shift;
	xdpfw_rules_max_bytes = v;
	return 0;
}

int parse_max_rules(const char *cmd, const char *arg, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*end || errno || !v || strchr(arg, '-'))	/* strtoul takes "-5" */
		return xusage(cmd, "--max-rules wants a positive number, not '%s'", arg);
	if (v > xdpfw_state_rules_limit())
		return xusage(cmd, "--max-rules is at most %u, not '%s' (a bigger set's tables would pass the "
			      "512 MiB a BPF program can index in one map)", xdpfw_state_rules_limit(), arg);
	*out = v;
	return 0;
}

/* ---- lockout protection ------------------------------------------------ */

bool denies_ssh(const struct xdpfw_ruleset *rs, int policy, char *why, size_t sz)
{
	const char *env = getenv("SSH_CONNECTION");
	char cip[64], sip[64];
	unsigned cport, sport;
	struct xdpfw_pkt p = { .ipproto = 6 };
	long w;

	if (!env || !*env)
		return false;
	if (sscanf(env, "%63s %u %63s %u", cip, &cport, sip, &sport) != 4 || cport > 65535 || sport > 65535)
		goto unreadable;
	/* a link-local peer comes with its zone (fe80::1%eth0) */
	cip[strcspn(cip, "%")] = 0;
	sip[strcspn(sip, "%")] = 0;
	if (inet_pton(AF_INET, cip, p.saddr) == 1 && inet_pton(AF_INET, sip, p.daddr) == 1) {
		p.family = 4;
	} else if (inet_pton(AF_INET6, cip, p.saddr) == 1 && inet_pton(AF_INET6, sip, p.daddr) == 1) {
		p.family = 6;
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)p.saddr) &&
		    IN6_IS_ADDR_V4MAPPED((struct in6_addr *)p.daddr)) {
			/* sshd on a dual-stack socket names an IPv4 peer so
			 * (::ffff:a.b.c.d); on the wire the session is IPv4 */
			memmove(p.saddr, p.saddr + 12, 4);
			memmove(p.daddr, p.daddr + 12, 4);
			memset(p.saddr + 4, 0, 12);
			memset(p.daddr + 4, 0, 12);
			p.family = 4;
		}
	} else {
		goto unreadable;
	}
	p.sport = cport;
	p.dport = sport;
	w = xdpfw_rules_eval(rs, &p);
	if (w >= 0 && rs->r[w].d.action == XDPFW_DENY) {
		char txt[160];

		xdpfw_rule_format(&rs->r[w].d, txt, sizeof(txt));
		snprintf(why, sz, "rule '%s' denies your SSH session from %s port %u", txt, cip, cport);
		return true;
	}
	if (w < 0 && policy == XDPFW_DENY) {
		snprintf(why, sz, "the deny policy drops your SSH session from %s port %u (no rule allows it)",
			 cip, cport);
		return true;
	}
	return false;
unreadable:
	fprintf(stderr, "xdpfw: warning: $SSH_CONNECTION ('%.80s') is not 'ADDR PORT ADDR PORT': the check that "
		"a rule set does not cut off your SSH session is skipped\n", env);
	return false;
}

static int checked_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
			 bool force, bool quiet)
{
	struct xdpfw_apply_stats as;
	struct xdpfw_cfg cfg;
	char why[320];
	int rc, eff = policy;

	if (eff < 0) {
		rc = xdpfw_state_cfg(st, &cfg);
		if (rc)
			return rc;
		eff = cfg.policy[cfg.gen & 1];
	}
	if (!force && denies_ssh(rs, eff, why, sizeof(why))) {
		xerr("refusing: %s; fix the rules or use --force", why);
		return -EPERM;
	}
	rc = xdpfw_state_apply(st, rs, policy, &as);
	if (rc) {
		if (rc != -ENOSPC && rc != -E2BIG)
			xerr("applying the rule set failed: %s; the previous rule set stays active",
			     strerror(-rc));
		return rc;
	}
	if (!quiet)
		printf("applied %zu rules, policy %s (%llu entries; written in %.1f ms, switched in %.3f ms)\n",
		       rs->n, xdpfw_policy_str(eff), (unsigned long long)as.entries, as.write_ms,
		       as.switch_ms);
	warn_replaced();
	return 0;
}

/* ---- load / unload ----------------------------------------------------- */

/* bpffs refuses '.' in names (it reserves them); interface names cannot
 * hold ':', so "eth0.100" is pinned as link_eth0:100. */
void link_path(char *buf, size_t sz, const char *ifname)
{
	char *p;

	snprintf(buf, sz, "%s/link_%s", pin_dir, ifname);
	for (p = buf + strlen(pin_dir) + 6; *p; p++)
		if (*p == '.')
			*p = ':';
}

const char *test_gate(const char *env)
{
	const char *path = getenv(env);

	return path && *path ? path : NULL;
}

void test_gate_wait(const char *path)
{
	for (int t = 0; t < 1200 && !xdpfw_stop && access(path, F_OK); t++)
		usleep(50000);
}

void pin_ifname(char *out, size_t sz, const char *pinned_as)
{
	snprintf(out, sz, "%s", pinned_as);
	for (char *p = out; *p; p++)
		if (*p == ':')
			*p = '.';
}

static int count_links(void)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "link_", 5) || !strncmp(de->d_name, "multi_", 6);
	closedir(d);
	return n;
}

/* The firewall's pins go; anything else in the directory stays, and is
 * named, so a --pin-dir shared with other tools loses nothing. */
static void purge_state(void)
{
	int left = xdpfw_state_purge(pin_dir);

	if (left > 0)
		fprintf(stderr, "xdpfw: '%s' is kept: %d entr%s in it %s not xdpfw's\n", pin_dir, left,
			left == 1 ? "y" : "ies", left == 1 ? "is" : "are");
	else if (left < 0)
		xerr("removing '%s' failed: %s", pin_dir, strerror(-left));
}

/* What the last unload does: the program's pin goes, the rules stay. */
static void unpin_prog(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/prog", pin_dir);
	unlink(path);
}

/* Is the pinned link at PATH still attached to an interface? A link whose
 * interface detached it (or went away) reports ifindex 0. */
bool link_attached(const char *path)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool on;

	if (fd < 0)
		return errno != ENOENT;	/* cannot tell: do not touch it */
	on = bpf_obj_get_info_by_fd(fd, &info, &len) || info.xdp.ifindex;
	close(fd);
	return on;
}

uint32_t fw_prog_id(void)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/prog", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

uint32_t link_runs_other(const char *path)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	uint32_t ours = fw_prog_id();
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.xdp.ifindex)
		info.prog_id = 0;
	close(fd);
	return ours && info.prog_id != ours ? info.prog_id : 0;
}

/* After a rule change: where the rules are not enforced, say so. */
void warn_replaced(void)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		uint32_t other;

		if (strncmp(de->d_name, "link_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		other = link_runs_other(path);
		if (other) {
			char ifn[64];

			pin_ifname(ifn, sizeof(ifn), de->d_name + 5);
			fprintf(stderr, "xdpfw: warning: on '%s' another program (id %u) runs in xdpfw's link, put "
				"there by another loader: these rules are not enforced there (xdpfw status)\n",
				ifn, other);
		}
	}
	if (d)
		closedir(d);
}

bool iface_attached(const char *ifname)
{
	char path[PATH_MAX];

	if (xdpfw_multi_attached(ifname))
		return true;
	link_path(path, sizeof(path), ifname);
	return link_attached(path);
}

/* The state must be pinned on bpffs: say so here, as bpfkit load --pin
 * does, rather than let the first pin fail with "Invalid argument". */
static int check_pin_dir(void)
{
	char parent[PATH_MAX], *slash;
	const char *where = pin_dir;
	int r;

	if (access(pin_dir, F_OK)) {
		snprintf(parent, sizeof(parent), "%s", pin_dir);
		while ((slash = strrchr(parent, '/')) && slash != parent && !slash[1])
			*slash = 0;
		slash = strrchr(parent, '/');
		if (!slash)
			snprintf(parent, sizeof(parent), ".");
		else
			slash[slash == parent] = 0;
		where = parent;
	}
	r = bpfkit_bpffs__is_bpffs(where);
	if (r < 0) {
		xerr("state directory '%s': '%s': %s", pin_dir, where, strerror(-r));
		return -1;
	}
	if (!r) {
		xerr("state directory '%s': '%s' is not on a bpf filesystem (use a directory under "
		     "/sys/fs/bpf, or mount bpffs there)", pin_dir, where);
		return -1;
	}
	return xdpfw_state_dir_nested(pin_dir) ? -1 : 0;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "policy", required_argument, NULL, 'p' },
		{ "rules", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "replace", no_argument, NULL, 'R' },
		{ "max-rules", required_argument, NULL, 'M' },
		{ "log-rate", required_argument, NULL, 'L' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "multi", no_argument, NULL, 'X' },
		{ "priority", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct xdpfw_create_opts co = { 0 };
	long prio = -1;
	bool multi = false;
	/* --replace, not --force, is named: in xdpfw --force also skips the SSH check */
	struct bpfkit_xdp_attach_opts ao = { .sz = sizeof(ao), .prog_name = "xdpfw", .force_opt = "--replace" };
	struct xdpfw_ruleset rs;
	struct xdpfw_state st;
	const char *rules = NULL, *ifname;
	char err[512], path[PATH_MAX];
	int c, rc, policy = -1, ifindex, link_fd;
	bool force = false, created, kept = false, have_prev = false, applied = false;
	struct xdpfw_ruleset prev = { 0 };
	unsigned long v;
	char *end;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:p:r:fRM:L:XP:h", opts, NULL)) != -1) {
		switch (c) {
		case 'X': multi = true; break;
		case 'P':
			errno = 0;
			prio = strtol(optarg, &end, 10);
			if (*end || errno || !*optarg || prio < 0 || prio > 1000)
				return xusage("load", "--priority wants 0..1000, not '%s'", optarg);
			break;
		case 'm':
			if (bpfkit_xdp_mode__parse(optarg, &ao.mode))
				return xusage("load", "--mode is auto, native or skb, not '%s'", optarg);
			break;
		case 'p':
			policy = xdpfw_policy_parse(optarg);
			if (policy < 0)
				return xusage("load", "--policy is allow or deny, not '%s'", optarg);
			break;
		case 'r': rules = optarg; break;
		/* --force is bpfkit's word for replacing an attached program too */
		case 'f': force = ao.force = true; break;
		case 'R': ao.force = true; break;
		case 'S':
			if (parse_max_size("load", optarg))
				return EXIT_USAGE;
			break;
		case 'M':
			if (parse_max_rules("load", optarg, &co.max_rules))
				return EXIT_USAGE;
			break;
		case 'L':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*end || errno || !v || strchr(optarg, '-'))	/* strtoul takes "-5" */
				return xusage("load", "--log-rate wants a positive number, not '%s'", optarg);
			if (v > 1000000)
				return xusage("load", "--log-rate is at most 1000000, not '%s'", optarg);
			co.log_rate = v;
			break;
		case 'h':
			printf("Usage: xdpfw load IFACE [--mode auto|native|skb] [--policy allow|deny]\n"
			       "                  [--rules FILE] [--force] [--replace] [--max-rules N] [--log-rate N]\n"
			       "                  [--max-size N] [--multi [--priority N]]\n"
			       "\n"
			       "Attaches the firewall to IFACE (loading it and pinning its state under\n"
			       "%s the first time). The rules and policy already pinned are kept;\n"
			       "--rules FILE and --policy replace them (atomically) before attaching.\n"
			       "\n"
			       "  -m, --mode M       auto (native, else skb), native, skb\n"
			       "  -p, --policy P     default for packets no rule matches\n"
			       "  -r, --rules FILE   rule set to apply (see xdpfw --help for the format)\n"
			       "  -f, --force        replace another XDP program already on IFACE, and\n"
			       "                     apply rules even if they would deny your SSH session\n"
			       "      --replace      replace another XDP program already on IFACE (only)\n"
			       "      --max-rules N  rules one set may hold, fixed at first load (default\n"
			       "                     65536, at most about 3.3 million); room for a second\n"
			       "                     set of N is kept so that apply can swap any set for\n"
			       "                     any other. Kernel memory: about 1.1 KB per rule\n"
			       "                     (65536 rules: 73 MB, 2 CPUs); from 262144, wider\n"
			       "                     trie roots: faster on dense sets, 16 MB more\n"
			       "      --log-rate N   logged denials per second per CPU (default 100)\n"
			       "      --multi        attach through libxdp's multi-program dispatcher, beside\n"
			       "                     other XDP programs (xdp-loader status lists them); the\n"
			       "                     next program runs only on packets the firewall passes\n"
			       "      --priority N   with --multi: run order, lower first (default 10, before\n"
			       "                     libxdp's default 50: the firewall filters for the others)\n"
			       MAX_SIZE_HELP
			       "\n"
			       "When IFACE lost the firewall behind xdpfw's back (bpfkit unload --iface,\n"
			       "or the interface was deleted and created again), load attaches it again.\n",
			       pin_dir);
			return EXIT_OK;
		case ':': return xusage("load", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("load", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return xusage("load", optind >= argc ? "missing the interface" : "one interface only");
	if (!multi && prio >= 0)
		return xusage("load", "--priority needs --multi");
	if (multi && ao.force)
		return xusage("load", "--replace and --multi: the dispatcher shares the interface, it replaces nothing");
	ifname = argv[optind];
	ifindex = bpfkit_ifindex(ifname);
	if (ifindex < 0) {
		xerr("interface '%s' not found", ifname);
		return EXIT_FAIL;
	}
	if (multi && xdpfw_multi_check(ifname, ao.mode))
		return EXIT_FAIL;
	xdpfw_ruleset_init(&rs);
	if (rules && xdpfw_rules_parse_file(rules, &rs, err, sizeof(err))) {
		xerr("%s; nothing loaded", err);
		return EXIT_FAIL;
	}
	/* a pin whose program is no longer attached (detached behind our back:
	 * bpfkit unload --iface, xdp-loader unload, the interface made again)
	 * is all that is left of it: load replaces it and attaches again */
	multi_path(path, sizeof(path), ifname);
	for (int kind = 0; kind < 2; kind++) {
		uint32_t other;

		if (kind)
			link_path(path, sizeof(path), ifname);
		if (access(path, F_OK))
			continue;
		other = kind ? link_runs_other(path) : 0;
		if (other) {
			xerr("on '%s' another program (id %u) runs in xdpfw's link, put there by another loader: "
			     "the firewall does not filter there; xdpfw unload %s, then xdpfw load %s --replace",
			     ifname, other, ifname, ifname);
			goto fail_rules;
		}
		if (kind ? link_attached(path) : xdpfw_multi_attached(ifname)) {
			xerr("already loaded on '%s' (xdpfw unload %s first, or xdpfw apply to change rules)",
			     ifname, ifname);
			goto fail_rules;
		}
		unlink(path);
	}
	/* what the attach will check (another program there, its mode),
	 * checked before the apply: a load refused here has not swapped the
	 * rules other interfaces filter with, nor reset their counters */
	if (!multi && bpfkit_xdp__check(ifindex, &ao))
		goto fail_rules;
	if (!strncmp(pin_dir, "/sys/fs/bpf", 11) && bpfkit_bpffs__ensure())
		goto fail_rules;
	if (check_pin_dir())
		goto fail_rules;
	rc = xdpfw_state_create(&st, pin_dir, xdpfw_obj_start, xdpfw_obj_end - xdpfw_obj_start,
				&co, &created);
	if (rc)
		goto fail_rules;
	kept = created && st.maps_reused;
	if (co.max_rules > xdpfw_state_max_rules(&st) && (!created || kept))
		fprintf(stderr, "xdpfw: note: --max-rules %u is not applied: the pinned state (from an earlier "
			"load) holds %u rules per set; to resize it, xdpfw unload --all --purge, then load with "
			"--max-rules\n", co.max_rules, xdpfw_state_max_rules(&st));
	if (co.log_rate && !created && !multi)	/* --multi loads a copy, with this rate */
		fprintf(stderr, "xdpfw: note: --log-rate %u is not applied: the firewall's program, already "
			"loaded for another interface, keeps its rate; to change it, unload every interface, then "
			"load with --log-rate\n", co.log_rate);
	if ((rules || policy >= 0) && (!created || kept)) {
		/* the set in force: other interfaces filter with it (or it was
		 * kept for this one), so a load that fails after its apply puts
		 * it back rather than leave them the new one */
		uint32_t *slots = NULL;

		have_prev = !xdpfw_state_read(&st, &prev, &slots);
		free(slots);
	}
	if (rules || policy >= 0 || kept) {
		struct xdpfw_ruleset cur;
		uint32_t *slots = NULL;

		if (!rules) {
			/* only the policy changes, or a datapath loaded now over the
			 * pinned tables of an earlier load (maybe an earlier
			 * version's): the pinned rules are written again for it —
			 * the tables derive from them, their layout is the
			 * datapath's. Already in force, so no lockout check. */
			rc = xdpfw_state_read(&st, &cur, &slots);
			free(slots);
			if (rc) {
				xerr("reading the pinned rules failed: %s", strerror(-rc));
				goto fail_state;
			}
			rc = checked_apply(&st, &cur, policy >= 0 ? policy : cur.policy, force || policy < 0, true);
			xdpfw_ruleset_free(&cur);
		} else {
			rc = checked_apply(&st, &rs, policy >= 0 ? policy : rs.policy, force, true);
		}
		if (rc)
			goto fail_state;
		applied = true;
	}
	if (multi) {
		if (xdpfw_multi_attach(&st, ifname, ifindex, ao.mode, prio >= 0 ? (unsigned)prio : 10, &co,
				       xdpfw_obj_start, xdpfw_obj_end - xdpfw_obj_start, &ao.attached_mode))
			goto fail_state;
		goto loaded;
	}
	/* A program already there (--replace/--force) is swapped for ours in one
	 * step and put back if pinning our link fails: the interface is never
	 * left without a program. */
	struct bpfkit_xdp_attachment att;

	if (bpfkit_xdp__replace(st.prog_fd, ifindex, &ao, &att))
		goto fail_state;
	if (att.hold == BPFKIT_XDP_NETLINK) {
		/* xdpfw holds its attachment as a pinned bpf_link and a netlink
		 * attachment (ip link set ... xdp) has none: put the old program
		 * back and replace it in two steps, detach then attach */
		int old_fd = fcntl(att.old_prog_fd, F_DUPFD_CLOEXEC, 3);
		enum bpfkit_xdp_mode old_mode = att.mode;

		fprintf(stderr, "xdpfw: the program on '%s' is attached through netlink, not a bpf_link: "
			"replacing it in two steps (a moment without a program)\n", ifname);
		if (old_fd < 0 || bpfkit_xdp__undo(&att)) {
			if (old_fd >= 0)
				close(old_fd);
			goto fail_state;
		}
		link_fd = bpfkit_xdp__attach(st.prog_fd, ifindex, &ao);
		if (link_fd >= 0 && bpf_obj_pin(link_fd, path))
			xerr("pinning the link at '%s' failed: %s", path, strerror(errno));
		else if (link_fd >= 0) {
			close(link_fd);
			close(old_fd);
			goto loaded;
		}
		if (link_fd >= 0)
			close(link_fd);	/* detaches ours */
		/* put the program that was there back as it was */
		if (!bpf_xdp_attach(ifindex, old_fd, old_mode == BPFKIT_XDP_SKB ? XDP_FLAGS_SKB_MODE :
				    XDP_FLAGS_DRV_MODE, NULL))
			fprintf(stderr, "xdpfw: the program that was on '%s' is attached again\n", ifname);
		close(old_fd);
		goto fail_state;
	}
	if (bpf_obj_pin(att.link_fd, path)) {
		xerr("pinning the link at '%s' failed: %s%s", path, strerror(errno),
		     att.old_prog_fd >= 0 ? "; the program that was there is put back" : "");
		bpfkit_xdp__undo(&att);
		goto fail_state;
	}
	bpfkit_xdp__keep(&att);
loaded:
	{
		struct xdpfw_cfg cfg;

		xdpfw_state_cfg(&st, &cfg);
		printf("xdpfw: loaded on %s (%s mode%s), policy %s, %u rules, state in %s\n", ifname,
		       bpfkit_xdp_mode__str(ao.attached_mode), multi ? ", libxdp dispatcher" : "", xdpfw_policy_str(cfg.policy[cfg.gen & 1]),
		       cfg.nrules[cfg.gen & 1], pin_dir);
	}
	xdpfw_state_close(&st);
	xdpfw_ruleset_free(&rs);
	xdpfw_ruleset_free(&prev);
	return EXIT_OK;

fail_state:
	if (applied && have_prev) {
		if (xdpfw_state_apply(&st, &prev, prev.policy, NULL))
			xerr("putting back the rule set in force before failed too; xdpfw save shows the one in "
			     "force");
		else
			fprintf(stderr, "xdpfw: the rule set in force before this load (%zu rules) is back\n",
				prev.n);
	}
	xdpfw_ruleset_free(&prev);
	/* still under the state's lock: another load that attached meanwhile
	 * would otherwise lose its state to this purge */
	if (created && !count_links()) {
		if (kept)
			unpin_prog();	/* as the last unload left it: the rules stay */
		else
			purge_state();	/* leave nothing of a first load that failed */
	}
	xdpfw_state_close(&st);
fail_rules:
	xdpfw_ruleset_free(&rs);
	return EXIT_FAIL;
}

static int unload_locked(bool all, bool purge, const char *ifname);

static int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "purge", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool all = false, purge = false;
	int c, rc, lock_fd;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":aPh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'P': purge = true; break;
		case 'h':
			printf("Usage: xdpfw unload IFACE | --all [--purge]\n"
			       "\n"
			       "Detaches the firewall from IFACE (or every interface). The rules,\n"
			       "policy and counters stay pinned, so a later load restores them; with\n"
			       "--purge (once no interface is left) they are removed too.\n");
			return EXIT_OK;
		case ':': return xusage("unload", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("unload", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (all == (optind < argc) || argc - optind > 1)
		return xusage("unload", "give one interface or --all");
	if (access(pin_dir, F_OK)) {
		xerr("not loaded: no firewall state under '%s'", pin_dir);
		return EXIT_FAIL;
	}
	/* under the state's lock, as loads and applies: a load attaching
	 * meanwhile must not lose the program this unload unpins */
	lock_fd = xdpfw_dir_lock(pin_dir);
	if (lock_fd == -ENOENT) {
		xerr("not loaded: no firewall state under '%s'", pin_dir);
		return EXIT_FAIL;
	} else if (lock_fd < 0) {
		xerr("cannot lock '%s': %s", pin_dir, strerror(-lock_fd));
		return EXIT_FAIL;
	}
	rc = unload_locked(all, purge, all ? NULL : argv[optind]);
	close(lock_fd);
	return rc;
}

static int unload_locked(bool all, bool purge, const char *ifname)
{
	char path[PATH_MAX];
	int left;

	if (all) {
		DIR *d = opendir(pin_dir);
		struct dirent *de;
		int failed = 0;

		while (d && (de = readdir(d))) {
			if (!strncmp(de->d_name, "multi_", 6)) {
				char ifn[64];

				pin_ifname(ifn, sizeof(ifn), de->d_name + 6);
				failed += xdpfw_multi_detach(ifn) != 0;
				continue;
			}
			if (strncmp(de->d_name, "link_", 5))
				continue;
			snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
			if (unlink(path)) {
				xerr("cannot detach: removing '%s' failed: %s", path, strerror(errno));
				failed++;
			}
		}
		if (d)
			closedir(d);
		if (failed) {
			/* the others are detached; the program, rules and (--purge)
			 * state stay for the interfaces still attached */
			xerr("unload --all: %d attachment%s could not be detached; the firewall's state is "
			     "kept%s", failed, failed == 1 ? "" : "s", purge ? ", nothing purged" : "");
			return EXIT_FAIL;
		}
	} else if (multi_path(path, sizeof(path), ifname), !access(path, F_OK)) {
		if (xdpfw_multi_detach(ifname))
			return EXIT_FAIL;
	} else {
		link_path(path, sizeof(path), ifname);
		if (unlink(path)) {
			xerr("not loaded on '%s' (%s)", ifname, strerror(errno));
			return EXIT_FAIL;
		}
	}
	left = count_links();
	if (left) {
		if (purge)
			fprintf(stderr, "xdpfw: note: --purge waits for the last interface: the firewall is still "
				"on %d, so its rules and state are kept (xdpfw unload --all --purge)\n", left);
		return EXIT_OK;
	}
	unpin_prog();
	if (purge)
		purge_state();
	return EXIT_OK;
}

/* ---- rule sets --------------------------------------------------------- */

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct xdpfw_ruleset rs;
	struct xdpfw_state st;
	bool force = false, quiet = false;
	char err[512];
	int c, rc, policy = -1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:fqh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			policy = xdpfw_policy_parse(optarg);
			if (policy < 0)
				return xusage("apply", "--policy is allow or deny, not '%s'", optarg);
			break;
		case 'f': force = true; break;
		case 'q': quiet = true; break;
		case 'S':
			if (parse_max_size("apply", optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			printf("Usage: xdpfw apply FILE [--policy allow|deny] [--force] [--quiet] [--max-size N]\n"
			       "\n"
			       "Replaces the whole rule set with FILE ('-': stdin) atomically: every\n"
			       "packet sees the old set or the new one, never a mix. A 'policy' line in\n"
			       "FILE (or --policy) sets the default policy, else it is kept. Counters of\n"
			       "rules that stay are kept. On any error nothing changes. At most 16 MiB\n"
			       "of FILE is read (--max-size raises it); binary input is refused.\n"
			       "\n"
			       "  -p, --policy P     default for packets no rule matches\n"
			       "  -f, --force        apply even if it would deny your SSH session\n"
			       "  -q, --quiet        print nothing on success\n"
			       MAX_SIZE_HELP);
			return EXIT_OK;
		case ':': return xusage("apply", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("apply", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return xusage("apply", optind >= argc ? "missing the rules file" : "one rules file only");
	if (xdpfw_rules_parse_file(argv[optind], &rs, err, sizeof(err))) {
		xerr("%s; nothing applied", err);
		return EXIT_FAIL;
	}
	if (policy < 0)
		policy = rs.policy;
	rc = open_state(&st);
	if (!rc) {
		rc = checked_apply(&st, &rs, policy, force, quiet);
		xdpfw_state_close(&st);
	}
	xdpfw_ruleset_free(&rs);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int cmd_save(int argc, char **argv)
{
	struct xdpfw_ruleset rs;
	struct xdpfw_state st;
	uint32_t *slots = NULL;
	char txt[200];
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: xdpfw save\n\nPrints the active policy and rule set in the rules-file format\n"
		       "(xdpfw apply reads it back).\n");
		return EXIT_OK;
	}
	if (argc != 1)
		return xusage("save", "takes no arguments");
	if (open_state_ro(&st))
		return EXIT_FAIL;
	rc = xdpfw_state_read(&st, &rs, &slots);
	xdpfw_state_close(&st);
	if (rc) {
		xerr("reading the rules failed: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	printf("policy %s\n", xdpfw_policy_str(rs.policy));
	for (size_t i = 0; i < rs.n; i++) {
		xdpfw_rule_format(&rs.r[i].d, txt, sizeof(txt));
		printf("%s\n", txt);
	}
	free(slots);
	xdpfw_ruleset_free(&rs);
	return fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
}

/* Reads the active set, lets EDIT change it, applies it. */
static int edit_rules(int (*edit)(struct xdpfw_ruleset *rs, uint32_t *slots, void *ctx), void *ctx,
		      int policy, bool force)
{
	struct xdpfw_ruleset rs;
	struct xdpfw_state st;
	uint32_t *slots = NULL;
	char err[512];
	size_t n0;
	int rc;

	if (open_state(&st))
		return EXIT_FAIL;
	rc = xdpfw_state_lock(&st);
	if (!rc)
		rc = xdpfw_state_read(&st, &rs, &slots);
	if (rc) {
		xerr("reading the rules failed: %s", strerror(-rc));
		xdpfw_state_close(&st);
		return EXIT_FAIL;
	}
	n0 = rs.n;
	rc = edit(&rs, slots, ctx);
	/* rules keep their places unless one was deleted: name them by id */
	if (!rc && xdpfw_ruleset_check_ids(&rs, NULL, rs.n >= n0 ? slots : NULL, n0, err, sizeof(err))) {
		xerr("%s", err);
		rc = -EINVAL;
	}
	if (!rc)
		rc = checked_apply(&st, &rs, policy, force, true);
	free(slots);
	xdpfw_ruleset_free(&rs);
	xdpfw_state_close(&st);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int add_edit(struct xdpfw_ruleset *rs, uint32_t *slots, void *ctx)
{
	struct xdpfw_rule r = { .d = *(struct xdpfw_rule_def *)ctx };

	(void)slots;
	r.d.order[0] = rs->n;
	return xdpfw_ruleset_add(rs, &r);
}

struct del_ctx {
	bool by_id;
	uint32_t id;
	struct xdpfw_rule_def d;
};

static int del_edit(struct xdpfw_ruleset *rs, uint32_t *slots, void *ctx)
{
	struct del_ctx *dc = ctx;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (dc->by_id ? slots[i] == dc->id
			      : (xdpfw_rule_same_match(&rs->r[i].d, &dc->d) &&
				 rs->r[i].d.action == dc->d.action))
			break;
	if (i == rs->n) {
		if (dc->by_id)
			xerr("no rule with id %u (xdpfw rule list shows the ids)", dc->id);
		else
			xerr("no such rule (xdpfw rule list shows the rules)");
		return -ENOENT;
	}
	memmove(&rs->r[i], &rs->r[i + 1], (rs->n - i - 1) * sizeof(rs->r[0]));
	rs->n--;
	for (size_t k = 0; k < rs->n; k++)
		rs->r[k].d.order[0] = k;
	return 0;
}

/* Joins ARGV into one line for the rule parser. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		strcat(s, argv[i]);
		if (i + 1 < argc)
			strcat(s, " ");
	}
	return s;
}

static int cmd_rule(int argc, char **argv)
{
	bool force = false;
	char err[256], *line;
	int col, rc, first = 2;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		printf("Usage: xdpfw rule add [--force] RULE...\n"
		       "       xdpfw rule del [--force] ID|RULE...\n"
		       "       xdpfw rule list [-j]\n"
		       "\n"
		       "add appends RULE (e.g. 'deny src 10.0.0.0/8 proto tcp dport 22') to the rule\n"
		       "set, del removes the rule with that id (see list) or that text; both\n"
		       "apply the changed set atomically. list shows ids, rules and hit counters.\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_rule_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del"))
		return xusage("rule", "unknown verb '%s' (add, del, list)", argv[1]);
	if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
		printf("Usage: xdpfw rule %s [--force] %s\n", argv[1],
		       argv[1][0] == 'a' ? "RULE..." : "ID|RULE...");
		return EXIT_OK;
	}
	if (argc > 2 && (!strcmp(argv[2], "-f") || !strcmp(argv[2], "--force"))) {
		force = true;
		first = 3;
	}
	if (argc <= first)
		return xusage("rule", "%s wants a rule", argv[1]);
	if (!strcmp(argv[1], "del") && argc == first + 1 && argv[first][0] >= '0' && argv[first][0] <= '9') {
		struct del_ctx dc = { .by_id = true };
		char *end;

		errno = 0;
		unsigned long id = strtoul(argv[first], &end, 10);
		if (*end || errno || id > UINT32_MAX)
			return xusage("rule", "'%.40s%s' is not a rule id", argv[first],
				      strlen(argv[first]) > 40 ? "..." : "");
		dc.id = id;
		return edit_rules(del_edit, &dc, -1, force);
	}
	line = join_args(argc - first, argv + first);
	if (!line)
		return EXIT_FAIL;
	struct del_ctx dc = { 0 };

	rc = xdpfw_rule_parse(line, &dc.d, &col, err, sizeof(err));
	if (rc) {
		/* a line of any length, echoed no longer than a rules file's */
		xerr("rule '%.200s%s': column %d: %s", line, strlen(line) > 200 ? "..." : "", col, err);
		free(line);
		return EXIT_FAIL;
	}
	free(line);
	if (!strcmp(argv[1], "add"))
		return edit_rules(add_edit, &dc.d, -1, force);
	return edit_rules(del_edit, &dc, -1, force);
}

static int keep_edit(struct xdpfw_ruleset *rs, uint32_t *slots, void *ctx)
{
	(void)rs;
	(void)slots;
	(void)ctx;
	return 0;
}

static int cmd_policy(int argc, char **argv)
{
	bool force = argc == 3 && (!strcmp(argv[2], "-f") || !strcmp(argv[2], "--force"));
	int p;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: xdpfw policy allow|deny [--force]\n\nSets the default policy for packets no "
		       "rule matches (atomically, with the rules).\n");
		return EXIT_OK;
	}
	if (argc != 2 && !force)
		return xusage("policy", "wants allow or deny");
	p = xdpfw_policy_parse(argv[1]);
	if (p < 0)
		return xusage("policy", "is allow or deny, not '%s'", argv[1]);
	return edit_rules(keep_edit, NULL, p, force);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "load", cmd_load }, { "unload", cmd_unload }, { "apply", cmd_apply },
	{ "rule", cmd_rule }, { "policy", cmd_policy }, { "save", cmd_save },
	{ "check", cmd_check }, { "status", cmd_status }, { "top", cmd_top },
	{ "log", cmd_log }, { "metrics", cmd_metrics }, { "restore", cmd_restore },
	{ "publish", cmd_publish }, { "sync", cmd_sync }, { "fleet", cmd_fleet },
};

/* Is ARG option NAME, as "NAME" or "NAME=..."? */
static bool is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (!arg[n] || arg[n] == '=');
}

/* The value of option NAME at ARGV[*I] ("NAME VALUE" or "NAME=VALUE"); moves
 * *I past it. NULL if ARGV[*I] is not NAME, or NAME has no value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (!is_opt(argv[*i], name))
		return NULL;
	if (argv[*i][n] == '=' && argv[*i][n + 1])
		return argv[(*i)++] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	*i += 2;
	return argv[*i - 1];
}

int main(int argc, char **argv)
{
	const char *env = getenv("XDPFW_PIN_DIR"), *value;
	int i = 1;

	if (env && *env)
		pin_dir = env;
	bpfkit_set_print(lib_print);
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(main_help, stdout);
			return EXIT_OK;
		} else if ((value = opt_value(argc, argv, &i, "--pin-dir"))) {
			pin_dir = value;
		} else if ((value = opt_value(argc, argv, &i, "--netns"))) {
			int rc;

			/* fleet commands reach etcd from where we started */
			if (home_netns_fd < 0)
				home_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
			rc = bpfkit_netns__enter(value);
			if (rc)
				return EXIT_FAIL;	/* it said why, in one line */
		} else if (is_opt(argv[i], "--pin-dir") || is_opt(argv[i], "--netns")) {
			bool ns = is_opt(argv[i], "--netns");

			fprintf(stderr, "xdpfw: %s needs a value (see xdpfw --help)\n", ns ? "--netns NAME" : "--pin-dir DIR");
			return EXIT_USAGE;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json_out = true;
			i++;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			print_max = BPFKIT_DEBUG;
			i++;
		} else {
			fprintf(stderr, "xdpfw: unknown option '%s' (see xdpfw --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	/* every pin path is DIR/NAME in a PATH_MAX buffer, and the state keeps
	 * DIR in a fixed field: a longer DIR would be cut, not used */
	if (strlen(pin_dir) >= sizeof(((struct xdpfw_state *)0)->dir)) {
		fprintf(stderr, "xdpfw: --pin-dir '%.60s...' is longer than %zu bytes (see xdpfw --help)\n",
			pin_dir, sizeof(((struct xdpfw_state *)0)->dir) - 1);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		fputs(main_help, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		fputs(main_help, stdout);
		return EXIT_OK;
	}
	/* -j before the command means the command's -j; commands that print
	 * no listing have no JSON form, and say so rather than ignore it
	 * (publish takes it with --show only, and says so itself) */
	if (json_out && strcmp(argv[i], "status") && strcmp(argv[i], "top") && strcmp(argv[i], "check") &&
	    strcmp(argv[i], "publish") && (strcmp(argv[i], "fleet") || i + 1 >= argc || strcmp(argv[i + 1], "status")) &&
	    (strcmp(argv[i], "rule") || i + 1 >= argc || strcmp(argv[i + 1], "list"))) {
		bool two = i + 1 < argc && (!strcmp(argv[i], "rule") || !strcmp(argv[i], "fleet"));

		fprintf(stderr, "xdpfw: -j is for status, rule list, top, check, fleet status and publish --show; "
			"'%s%s%s' has no JSON output (see xdpfw --help)\n", argv[i], two ? " " : "", two ? argv[i + 1] : "");
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[i], cmds[k].name)) {
			int rc = cmds[k].fn(argc - i, argv + i);

			errno = 0;
			if (fflush(stdout) || ferror(stdout)) {
				/* output cut short (a full disk, a closed pipe) is a failure to say */
				xerr("writing the output failed: %s", strerror(errno ? errno : EIO));
				return EXIT_FAIL;
			}
			return rc;
		}
	fprintf(stderr, "xdpfw: unknown command '%s' (see xdpfw --help)\n", argv[i]);
	return EXIT_USAGE;
}
