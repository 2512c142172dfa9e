/* apps/xdpfw/show.c — xdpfw's read-only commands: status, rule list, top
 * (live counters and rates) and log (denied packets of 'log' rules, read
 * from the datapath's ring buffer). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "cli.h"

static const char *const total_names[XDPFW_NTOTALS] = {
	[XDPFW_T_ALLOW] = "allowed_by_rule", [XDPFW_T_DENY] = "denied_by_rule",
	[XDPFW_T_DEF_ALLOW] = "allowed_by_policy", [XDPFW_T_DEF_DENY] = "denied_by_policy",
	[XDPFW_T_MALFORMED] = "malformed_dropped", [XDPFW_T_FRAG_DROP] = "fragments_dropped",
	[XDPFW_T_LOCKOUT_PASS] = "arp_nd_passed", [XDPFW_T_LOGGED] = "logged",
	[XDPFW_T_LOG_SUPPRESSED] = "log_suppressed",
};

struct iface {
	char name[IF_NAMESIZE + 8];
	unsigned ifindex;
	const char *mode;
	unsigned prog_id;
};

/* An interface of `load --multi` (DIR/multi_IFACE: the program libxdp's
 * dispatcher runs there). */
static int multi_iface(const char *pin, struct iface *out)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	struct bpfkit_xdp_info xi;
	char path[PATH_MAX];
	int fd, ifindex;

	pin_ifname(out->name, sizeof(out->name), pin + 6);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, pin);
	fd = bpf_obj_get(path);
	out->prog_id = fd >= 0 && !bpf_obj_get_info_by_fd(fd, &pi, &len) ? pi.id : 0;
	if (fd >= 0)
		close(fd);
	ifindex = bpfkit_ifindex(out->name);
	out->ifindex = ifindex > 0 ? ifindex : 0;
	out->mode = "multi (other netns? use --netns)";
	if (ifindex > 0 && !bpfkit_xdp__query(ifindex, &xi))
		out->mode = xi.mode == BPFKIT_XDP_SKB ? "multi-skb" : xi.mode == BPFKIT_XDP_NATIVE ?
			    "multi-native" : "multi-detached";
	return 1;
}

/* The interfaces the firewall is attached to (pinned links). */
static int list_ifaces(struct iface *out, int max)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	char path[PATH_MAX];
	int n = 0;

	while (d && (de = readdir(d)) && n < max) {
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		struct bpfkit_xdp_info xi;
		int fd;

		if (!strncmp(de->d_name, "multi_", 6)) {
			n += multi_iface(de->d_name, &out[n]);	/* load --multi */
			continue;
		}
		if (strncmp(de->d_name, "link_", 5))
			continue;
		pin_ifname(out[n].name, sizeof(out[n].name), de->d_name + 5);
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		fd = bpf_obj_get(path);
		out[n].ifindex = 0;
		out[n].mode = "?";
		out[n].prog_id = 0;
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			uint32_t ours = fw_prog_id();

			out[n].ifindex = info.xdp.ifindex;
			out[n].prog_id = info.prog_id;
			/* the link's ifindex is its namespace's: another namespace's
			 * interface with that index runs something else */
			if (info.xdp.ifindex && !bpfkit_xdp__query(info.xdp.ifindex, &xi))
				out[n].mode = xi.prog_id == info.prog_id ? bpfkit_xdp_mode__str(xi.mode)
									 : "other-netns (use --netns)";
			if (!info.xdp.ifindex)
				out[n].mode = "detached";
			/* another loader swapped its program into our link */
			else if (ours && info.prog_id != ours)
				out[n].mode = "replaced";
		}
		if (fd >= 0)
			close(fd);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int parse_common(const char *cmd, int argc, char **argv, bool *json, const char *help)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*json = json_out;	/* xdpfw -j COMMAND */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 'h': fputs(help, stdout); return EXIT_OK;
		default: return xusage(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return xusage(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

struct snapshot {
	struct xdpfw_ruleset rs;
	uint32_t *slots;
	struct xdpfw_counter *cnt;
	struct xdpfw_counter tot[XDPFW_NTOTALS];
	struct xdpfw_cfg cfg;
	struct xdpfw_table_fill tabs[XDPFW_NTABLES];
	uint64_t table_bytes;		/* all tables, both generations */
	uint64_t def_bytes;		/* rule definitions, both generations */
	uint64_t cnt_bytes;		/* per-rule counters, per CPU id */
	uint32_t cnt_cpus;		/* CPU ids counted for */
	uint32_t max_rules;		/* rules one set may hold (--max-rules) */
	unsigned root_bits;		/* the source tries' root width */
};

static void snap_free(struct snapshot *s)
{
	free(s->slots);
	free(s->cnt);
	xdpfw_ruleset_free(&s->rs);
	memset(s, 0, sizeof(*s));
}

/* One read of ST into S (TABLES: with the tables' fill and sizes);
 * -EAGAIN if an apply switched generations meanwhile. */
static int snap_try(struct xdpfw_state *st, struct snapshot *s, bool tables)
{
	struct xdpfw_cfg after;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = xdpfw_state_cfg(st, &s->cfg);
	if (!rc)
		rc = xdpfw_state_read(st, &s->rs, &s->slots);
	if (!rc)
		rc = xdpfw_state_totals(st, s->tot);
	if (!rc) {
		s->cnt = calloc(s->rs.n + 1, sizeof(*s->cnt));
		if (!s->cnt)
			rc = -ENOMEM;
	}
	for (size_t i = 0; !rc && i < s->rs.n; i++)
		rc = xdpfw_state_counter(st, s->slots[i], &s->cnt[i]);
	if (!rc && tables) {
		rc = xdpfw_state_table_fill(st, &s->cfg, s->tabs);
		s->table_bytes = xdpfw_state_table_bytes(st);
		s->def_bytes = xdpfw_state_def_bytes(st);
		s->cnt_bytes = xdpfw_state_counter_bytes(st, &s->cnt_cpus);
	}
	if (!rc)
		rc = xdpfw_state_cfg(st, &after);
	if (!rc && !xdpfw_cfg_same_gen(&s->cfg, &after))
		rc = -EAGAIN;
	s->max_rules = xdpfw_state_max_rules(st);
	s->root_bits = st->root_bits;
	if (rc)
		snap_free(s);
	return rc;
}

/* A snapshot of one generation: rules, policy, counters and tables read
 * between two reads of cfg that agree (retried while applies switch). */
static int snap(struct xdpfw_state *st, struct snapshot *s, bool tables)
{
	int rc = -EAGAIN;

	for (int i = 0; i < XDPFW_SNAP_TRIES && rc == -EAGAIN; i++)
		rc = snap_try(st, s, tables);
	if (rc)
		xerr("reading the firewall state failed: %s", rc == -EAGAIN ? "rule sets kept changing under the read" :
			strerror(-rc));
	return rc;
}

void print_table_fill(const struct xdpfw_table_fill *t, unsigned gen, uint64_t bytes, const char *wrap)
{
	printf("classes %llu of %llu, trie %llu of %llu entries, IPv6 %llu of %llu entries,%sports %llu of %llu; "
	       "%.1f MB of tables (both generations)\n",
	       (unsigned long long)t[0].used[gen], (unsigned long long)t[0].cap, (unsigned long long)t[1].used[gen],
	       (unsigned long long)t[1].cap, (unsigned long long)t[2].used[gen], (unsigned long long)t[2].cap, wrap,
	       (unsigned long long)t[3].used[gen], (unsigned long long)t[3].cap, bytes / 1e6);
}

/* One snapshot of the pinned state, for the one-shot listings; TABLES:
 * with prefix-table usage (a scan of the tables). */
static int snapshot_once(struct snapshot *s, bool tables)
{
	struct xdpfw_state st;
	int rc;

	if (open_state_ro(&st))
		return -1;
	rc = snap(&st, s, tables);
	xdpfw_state_close(&st);
	return rc;
}

static void json_rules(struct bpfkit_json *jw, struct snapshot *s)
{
	char txt[200];

	bpfkit_json__begin_array(jw);
	for (size_t i = 0; i < s->rs.n; i++) {
		xdpfw_rule_format(&s->rs.r[i].d, txt, sizeof(txt));
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "id", s->slots[i]);
		bpfkit_json__kv_str(jw, "rule", txt);
		bpfkit_json__kv_str(jw, "action", s->rs.r[i].d.action == XDPFW_DENY ? "deny" : "allow");
		bpfkit_json__kv_uint(jw, "packets", s->cnt[i].packets);
		bpfkit_json__kv_uint(jw, "bytes", s->cnt[i].bytes);
		bpfkit_json__end_object(jw);
	}
	bpfkit_json__end_array(jw);
}

/* The ID column's width: 6, or the widest id's digits (ids reach 8 digits
 * in sets of millions), so the columns stay aligned. */
static int id_width(const struct snapshot *s)
{
	uint32_t top = 0;
	int w = 1;

	for (size_t i = 0; i < s->rs.n; i++)
		top = s->slots[i] > top ? s->slots[i] : top;
	for (; top >= 10; top /= 10)
		w++;
	return w > 6 ? w : 6;
}

static void text_rules(struct snapshot *s)
{
	int w = id_width(s);
	char txt[200];

	printf("%*s  %-60s %12s %14s\n", w, "ID", "RULE", "PACKETS", "BYTES");
	for (size_t i = 0; i < s->rs.n; i++) {
		xdpfw_rule_format(&s->rs.r[i].d, txt, sizeof(txt));
		printf("%*u  %-60s %12llu %14llu\n", w, s->slots[i], txt,
		       (unsigned long long)s->cnt[i].packets, (unsigned long long)s->cnt[i].bytes);
	}
}

int cmd_rule_list(int argc, char **argv)
{
	struct snapshot s;
	bool json = false;
	int rc = parse_common("rule list", argc, argv, &json,
			      "Usage: xdpfw rule list [-j]\n\nThe active rules in order, with their ids and "
			      "hit counters (packets, bytes).\n");

	if (rc >= 0)
		return rc;
	if (snapshot_once(&s, false))
		return EXIT_FAIL;
	if (json) {
		struct bpfkit_json *jw = bpfkit_json__new(stdout, false);

		json_rules(jw, &s);
		bpfkit_json__free(jw);
	} else {
		text_rules(&s);
	}
	snap_free(&s);
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	struct snapshot s;
	struct iface ifs[64];
	bool json = false;
	int n, rc = parse_common("status", argc, argv, &json,
				 "Usage: xdpfw status [-j]\n\nInterfaces, default policy, rules (how many, and how "
				 "many one set may\nhold: --max-rules) with hit counters, per-action totals, and "
				 "how full the\nprefix tables are (entries of the active and the inactive "
				 "generation), and the\nmemory they, the rule definitions and the per-rule "
				 "counters (per CPU) take.\n\n  -j, --json         one JSON object (also: xdpfw -j status)\n");

	if (rc >= 0)
		return rc;
	if (snapshot_once(&s, true))
		return EXIT_FAIL;
	n = list_ifaces(ifs, 64);
	if (json) {
		struct bpfkit_json *jw = bpfkit_json__new(stdout, false);

		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_str(jw, "pin_dir", pin_dir);
		bpfkit_json__key(jw, "interfaces");
		bpfkit_json__begin_array(jw);
		for (int i = 0; i < n; i++) {
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_str(jw, "name", ifs[i].name);
			bpfkit_json__kv_uint(jw, "ifindex", ifs[i].ifindex);
			bpfkit_json__kv_str(jw, "mode", ifs[i].mode);
			bpfkit_json__kv_uint(jw, "prog_id", ifs[i].prog_id);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_array(jw);
		bpfkit_json__kv_str(jw, "policy", xdpfw_policy_str(s.rs.policy));
		bpfkit_json__kv_uint(jw, "generation", s.cfg.gen);
		bpfkit_json__kv_uint(jw, "rule_count", s.rs.n);
		bpfkit_json__kv_uint(jw, "max_rules", s.max_rules);
		bpfkit_json__key(jw, "tables");
		bpfkit_json__begin_object(jw);
		for (int i = 0; i < XDPFW_NTABLES; i++) {
			const struct xdpfw_table_fill *t = &s.tabs[i];

			bpfkit_json__key(jw, t->name);
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_uint(jw, "slots_per_generation", t->slots);
			bpfkit_json__kv_uint(jw, "capacity_per_generation", t->cap);
			bpfkit_json__kv_uint(jw, "active_entries", t->used[s.cfg.gen & 1]);
			bpfkit_json__kv_uint(jw, "inactive_entries", t->used[!(s.cfg.gen & 1)]);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_object(jw);
		bpfkit_json__kv_uint(jw, "table_bytes", s.table_bytes);
		bpfkit_json__kv_uint(jw, "trie_root_bits", s.root_bits);
		bpfkit_json__kv_uint(jw, "rule_def_bytes", s.def_bytes);
		bpfkit_json__kv_uint(jw, "counter_bytes_per_cpu", s.cnt_bytes);
		bpfkit_json__kv_uint(jw, "counter_cpus", s.cnt_cpus);
		bpfkit_json__key(jw, "rules");
		json_rules(jw, &s);
		bpfkit_json__key(jw, "totals");
		bpfkit_json__begin_object(jw);
		for (int k = 0; k < XDPFW_NTOTALS; k++) {
			bpfkit_json__key(jw, total_names[k]);
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_uint(jw, "packets", s.tot[k].packets);
			bpfkit_json__kv_uint(jw, "bytes", s.tot[k].bytes);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_object(jw);
		bpfkit_json__end_object(jw);
		bpfkit_json__free(jw);
	} else {
		printf("state:      %s\n", pin_dir);
		printf("interfaces:");
		for (int i = 0; i < n; i++)
			printf(" %s(%s)", ifs[i].name, ifs[i].mode);
		printf("%s\n", n ? "" : " none (not attached; rules and counters are kept)");
		printf("policy:     %s\n", xdpfw_policy_str(s.rs.policy));
		printf("generation: %u\n", s.cfg.gen);
		printf("rules:      %zu of %u (--max-rules: one whole set; apply keeps room to write\n"
		       "            the next set beside the active one)\n", s.rs.n, s.max_rules);
		printf("tables:     ");
		print_table_fill(s.tabs, s.cfg.gen & 1, s.table_bytes, "\n            ");
		/* the counters grow with the CPUs: per CPU, so the line reads
		 * the same for one set on any machine */
		printf("memory:     rule definitions %.1f %s, per-rule counters %.1f %s per CPU\n\n",
		       s.def_bytes / (s.def_bytes < 1000000 ? 1e3 : 1e6), s.def_bytes < 1000000 ? "KB" : "MB",
		       s.cnt_bytes / (s.cnt_bytes < 1000000 ? 1e3 : 1e6), s.cnt_bytes < 1000000 ? "KB" : "MB");
		text_rules(&s);
		printf("\n%-20s %12s %14s\n", "TOTAL", "PACKETS", "BYTES");
		for (int k = 0; k < XDPFW_NTOTALS; k++)
			printf("%-20s %12llu %14llu\n", total_names[k],
			       (unsigned long long)s.tot[k].packets, (unsigned long long)s.tot[k].bytes);
	}
	snap_free(&s);
	return EXIT_OK;
}

/* The id of the map behind FD (0: unreadable). */
static uint32_t map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The id of the map pinned at DIR/NAME, 0 if none: top and log follow the
 * firewall across a reload (a new load pins new log maps; a purge and load,
 * new rules and counters too) by watching it change. */
static uint32_t pinned_map_id(const char *dir, const char *name)
{
	char path[PATH_MAX];
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	id = map_id(fd);
	if (fd >= 0)
		close(fd);
	return id;
}

/* Packets each rule of CUR matched since PREV: a rule keeps its slot across
 * applies, and a fresh slot starts from zero. Through a table by slot, not
 * a search of PREV per rule: top refreshes sets of a million. NULL if out
 * of memory. */
static uint64_t *rule_deltas(const struct snapshot *prev, const struct snapshot *cur)
{
	uint64_t *d = calloc(cur->rs.n + 1, sizeof(*d));
	size_t *before;		/* by slot: PREV's rule index + 1, 0 none */
	uint32_t top = 0;

	for (size_t j = 0; j < prev->rs.n; j++)
		top = prev->slots[j] >= top ? prev->slots[j] + 1 : top;
	before = calloc(top + 1, sizeof(*before));
	if (!d || !before) {
		free(d);
		free(before);
		return NULL;
	}
	for (size_t j = 0; j < prev->rs.n; j++)
		before[prev->slots[j]] = j + 1;
	for (size_t i = 0; i < cur->rs.n; i++) {
		size_t j = cur->slots[i] < top ? before[cur->slots[i]] : 0;
		const struct xdpfw_rule_def *was = j ? &prev->rs.r[j - 1].d : NULL, *now = &cur->rs.r[i].d;
		/* a slot freed and taken by another rule since PREV (rule del,
		 * then add) counts that rule from zero */
		uint64_t b = was && xdpfw_rule_same_match(was, now) && was->action == now->action &&
					     was->flags == now->flags ? prev->cnt[j - 1].packets : 0;

		d[i] = cur->cnt[i].packets >= b ? cur->cnt[i].packets - b : 0;
	}
	free(before);
	return d;
}

struct busy {
	uint64_t delta;
	size_t i;
};

static int by_busy(const void *x, const void *y)
{
	const struct busy *a = x, *b = y;

	if (a->delta != b->delta)
		return a->delta > b->delta ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;	/* ties: set order */
}

/* One line of JSON per refresh, for scripts: what the screen shows, with
 * every rule (DELTA: rule_deltas()). */
static void top_json(const struct snapshot *prev, const struct snapshot *cur, const uint64_t *delta, double dt)
{
	struct bpfkit_json *jw = bpfkit_json__new(stdout, false);
	struct timespec now;
	char txt[200];

	clock_gettime(CLOCK_REALTIME, &now);
	bpfkit_json__begin_object(jw);
	bpfkit_json__kv_uint(jw, "time_ns", (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec);
	bpfkit_json__kv_str(jw, "policy", xdpfw_policy_str(cur->rs.policy));
	bpfkit_json__kv_uint(jw, "rule_count", cur->rs.n);
	bpfkit_json__key(jw, "totals");
	bpfkit_json__begin_object(jw);
	for (int k = 0; k < XDPFW_NTOTALS; k++) {
		bpfkit_json__key(jw, total_names[k]);
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "packets", cur->tot[k].packets);
		bpfkit_json__kv_uint(jw, "bytes", cur->tot[k].bytes);
		bpfkit_json__kv_uint(jw, "packets_per_s",
				     (uint64_t)((cur->tot[k].packets - prev->tot[k].packets) / dt + 0.5));
		bpfkit_json__kv_uint(jw, "bits_per_s",
				     (uint64_t)((cur->tot[k].bytes - prev->tot[k].bytes) * 8 / dt + 0.5));
		bpfkit_json__end_object(jw);
	}
	bpfkit_json__end_object(jw);
	bpfkit_json__key(jw, "rules");
	bpfkit_json__begin_array(jw);
	for (size_t i = 0; i < cur->rs.n; i++) {
		xdpfw_rule_format(&cur->rs.r[i].d, txt, sizeof(txt));
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "id", cur->slots[i]);
		bpfkit_json__kv_str(jw, "rule", txt);
		bpfkit_json__kv_uint(jw, "packets", cur->cnt[i].packets);
		bpfkit_json__kv_uint(jw, "bytes", cur->cnt[i].bytes);
		bpfkit_json__kv_uint(jw, "packets_per_s", (uint64_t)(delta[i] / dt + 0.5));
		bpfkit_json__end_object(jw);
	}
	bpfkit_json__end_array(jw);
	bpfkit_json__end_object(jw);
	bpfkit_json__free(jw);	/* ends the line */
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct snapshot prev = { 0 }, cur;
	struct xdpfw_state st;
	double delay = 1, t_prev = 0;
	uint32_t cfg_id;
	long count = -1;
	int ret = EXIT_OK;
	bool have_prev = false;
	bool tty = isatty(STDOUT_FILENO), json = json_out;
	char *end;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay >= 0.1 && delay <= 3600))
				return xusage("top", "--delay wants seconds (0.1-3600), not '%s'", optarg);
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 1)
				return xusage("top", "--count wants a positive number, not '%s'", optarg);
			break;
		case 'j': json = true; break;
		case 'h':
			printf("Usage: xdpfw top [-d SEC] [-n COUNT] [-j]\n\n"
			       "Refreshes per-action totals and the 40 busiest rules every SEC seconds\n"
			       "(default 1) with packet and byte rates, until Ctrl-C or COUNT refreshes.\n"
			       "Follows the firewall when it is loaded anew (rates start again) and\n"
			       "waits while it is unloaded with --purge.\n\n"
			       "  -d, --delay SEC    seconds between refreshes (0.1-3600)\n"
			       "  -n, --count N      stop after N refreshes\n"
			       "  -j, --json         one JSON object per refresh, one per line (totals and\n"
			       "                     every rule, with rates), no screen clearing\n");
			return EXIT_OK;
		case ':': return xusage("top", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("top", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return xusage("top", "unexpected argument '%s'", argv[optind]);
	if (open_state_ro(&st))
		return EXIT_FAIL;
	cfg_id = map_id(st.fd[XM_CFG]);
	if (!cfg_id) {
		xdpfw_state_close(&st);
		xerr("not loaded: no firewall state under '%s'", pin_dir);
		return EXIT_FAIL;
	}
	xdpfw_catch_stop();
	for (long iter = 0; !xdpfw_stop && (count < 0 || iter <= count); iter++) {
		double t = xdpfw_now_s(), dt = t - t_prev;
		uint32_t now_id = pinned_map_id(pin_dir, "xdpfw_cfg");
		char txt[200];
		int idw;

		uint64_t *delta = NULL;
		struct busy *busy = NULL;

		if (now_id != cfg_id) {
			/* purged (and maybe loaded again: other maps, counters
			 * from zero): followed like tail -F follows a file */
			bool was = cfg_id != 0;

			snap_free(&prev);
			have_prev = false;
			if (was)
				xdpfw_state_close(&st);
			cfg_id = 0;
			if (now_id && !xdpfw_state_open_ro(&st, pin_dir)) {
				/* the maps opened, which may be newer still */
				cfg_id = map_id(st.fd[XM_CFG]);
				if (!cfg_id)
					xdpfw_state_close(&st);
			}
			if (cfg_id) {
				fprintf(stderr, "xdpfw top: the firewall under %s was loaded anew; rates start "
					"again\n", pin_dir);
			} else if (was) {	/* (or still being loaded: tried again) */
				fprintf(stderr, "xdpfw top: the firewall under %s is gone (unloaded with "
					"--purge, or being loaded again); waiting for it\n", pin_dir);
			}
		}
		if (!cfg_id) {
			usleep((useconds_t)(delay * 1e6));
			continue;
		}
		if (snap(&st, &cur, false)) {
			ret = EXIT_FAIL;
			break;
		}
		if (have_prev && (!(delta = rule_deltas(&prev, &cur)) ||
				  !(busy = calloc(cur.rs.n + 1, sizeof(*busy))))) {
			xerr("out of memory");
			free(delta);
			snap_free(&cur);
			ret = EXIT_FAIL;
			break;
		}
		if (have_prev && json) {
			top_json(&prev, &cur, delta, dt);
		} else if (have_prev) {
			if (tty)
				printf("\033[H\033[2J");
			printf("xdpfw top — %s, policy %s, %zu rules, every %.1fs\n\n", pin_dir,
			       xdpfw_policy_str(cur.rs.policy), cur.rs.n, delay);
			printf("%-20s %12s %12s %14s\n", "TOTAL", "PACKETS", "PKT/S", "BIT/S");
			for (int k = 0; k < XDPFW_NTOTALS; k++)
				printf("%-20s %12llu %12.0f %14.0f\n", total_names[k],
				       (unsigned long long)cur.tot[k].packets,
				       (cur.tot[k].packets - prev.tot[k].packets) / dt,
				       (cur.tot[k].bytes - prev.tot[k].bytes) * 8 / dt);
			idw = id_width(&cur);
			printf("\n%*s  %-52s %12s %12s\n", idw, "ID", "RULE", "PACKETS", "PKT/S");
			/* the busiest this interval first */
			for (size_t i = 0; i < cur.rs.n; i++)
				busy[i] = (struct busy){ delta[i], i };
			qsort(busy, cur.rs.n, sizeof(*busy), by_busy);
			for (size_t k = 0; k < cur.rs.n && k < 40; k++) {
				size_t i = busy[k].i;

				xdpfw_rule_format(&cur.rs.r[i].d, txt, sizeof(txt));
				printf("%*u  %-52.52s %12llu %12.0f\n", idw, cur.slots[i], txt,
				       (unsigned long long)cur.cnt[i].packets, delta[i] / dt);
			}
			fflush(stdout);
		}
		free(delta);
		free(busy);
		snap_free(&prev);
		prev = cur;
		have_prev = true;
		t_prev = t;
		if (count >= 0 && iter == count)
			break;
		usleep((useconds_t)(delay * 1e6));
	}
	snap_free(&prev);
	if (cfg_id)
		xdpfw_state_close(&st);
	return ret;
}

/* The datapath logs the IP protocol number (cheapest there); people read
 * names: "proto 17" becomes "udp". */
static int print_denial(const struct bpfkit_log_record *rec, void *ctx)
{
	static const struct { const char *num, *name; } pn[] = {
		{ "proto 6 ", "proto tcp " }, { "proto 17 ", "proto udp " },
		{ "proto 1 ", "proto icmp " }, { "proto 58 ", "proto icmpv6 " },
	};
	static const char *const lv[] = { "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };
	const char *msg = rec->msg, *hit = NULL;
	size_t k = 0;
	time_t sec = rec->time_ns / 1000000000ull;
	char tm[16];
	struct tm t;

	(void)ctx;
	for (; !rec->bad && k < sizeof(pn) / sizeof(pn[0]); k++)
		if ((hit = strstr(msg, pn[k].num)))
			break;
	localtime_r(&sec, &t);
	strftime(tm, sizeof(tm), "%H:%M:%S", &t);
	printf("%s.%06llu %-5s %s: ", tm, (unsigned long long)(rec->time_ns % 1000000000ull / 1000),
	       rec->level <= BPFKIT_LOG_TRACE ? lv[rec->level] : "?", rec->func);
	if (hit)
		printf("%.*s%s%s\n", (int)(hit - msg), msg, pn[k].name, hit + strlen(pn[k].num));
	else
		printf("%s\n", msg);
	return 0;
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_logger_opts lo = { .sz = sizeof(lo), .fn = print_denial };
	struct bpfkit_logger *lg;
	double timeout = -1, t0, t_look;
	uint32_t log_id;
	char *end;
	int c, ret = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 86400))
				return xusage("log", "--timeout wants seconds, not '%s'", optarg);
			break;
		case 'h':
			printf("Usage: xdpfw log [-t SEC]\n\n"
			       "Prints one line per denied packet of a rule with the 'log' flag, read\n"
			       "from the bpfkit log pipeline (rate-limited in the datapath: xdpfw load\n"
			       "--log-rate), until Ctrl-C or SEC seconds. `xdpfw rule list` maps the\n"
			       "rule ids to rules. Follows the firewall when it is loaded anew.\n\n"
			       "  -t, --timeout SEC  stop after SEC seconds\n");
			return EXIT_OK;
		case ':': return xusage("log", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("log", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return xusage("log", "unexpected argument '%s'", argv[optind]);
	if (access(pin_dir, F_OK)) {
		xerr("not loaded: no firewall state under '%s' (xdpfw load IFACE first)", pin_dir);
		return EXIT_FAIL;
	}
	log_id = pinned_map_id(pin_dir, "maps/_data_bklog");
	lg = bpfkit_logger__open_pinned(pin_dir, &lo);
	if (!lg) {
		xerr("cannot read the log under '%s/maps': %s", pin_dir, strerror(errno));
		return EXIT_FAIL;
	}
	xdpfw_catch_stop();
	t0 = t_look = xdpfw_now_s();
	while (!xdpfw_stop && (timeout < 0 || xdpfw_now_s() - t0 < timeout)) {
		int rc = bpfkit_logger__poll(lg, 100);
		uint32_t now_id;

		if (rc < 0 && rc != -EINTR) {
			xerr("reading the log under '%s/maps' failed: %s", pin_dir, strerror(-rc));
			ret = EXIT_FAIL;
			break;
		}
		fflush(stdout);
		if (xdpfw_now_s() - t_look < 1)
			continue;
		/* each load of the datapath pins a log of its own: follow it */
		t_look = xdpfw_now_s();
		now_id = pinned_map_id(pin_dir, "maps/_data_bklog");
		if (now_id && now_id != log_id) {
			struct bpfkit_logger *next = bpfkit_logger__open_pinned(pin_dir, &lo);

			if (next) {
				bpfkit_logger__free(lg);
				lg = next;
				log_id = now_id;
				fprintf(stderr, "xdpfw log: the firewall under %s was loaded anew; reading its log\n",
					pin_dir);
			}
		}
	}
	bpfkit_logger__free(lg);
	return ret;
}
