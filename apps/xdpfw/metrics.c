/* apps/xdpfw/metrics.c — `xdpfw metrics`: a Prometheus exporter for the
 * firewall. It serves the pinned state (rules and their counters, per-action
 * totals, drops by reason, policy, applies, table fill, log losses) and the
 * kernel's run statistics of the firewall's programs over HTTP, in the
 * Prometheus text format or, when the scraper's Accept header asks for it,
 * OpenMetrics.
 *
 * HTTP is libmicrohttpd's (one internal thread; scrapes are serialised, so a
 * slow scraper cannot multiply the work). Every scrape opens the pinned maps
 * afresh and only reads them: it takes no lock, so it never waits on an
 * apply and an apply never waits on it; the datapath does not notice it. A
 * consistent view without a lock: the active generation and its switch time
 * are read before and after the rules and counters; if they differ an apply
 * switched meanwhile, and the scrape is read again (the slots of the active
 * generation are not reused or zeroed while it stays active, see apply.c). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "cli.h"
#include "httpdeadline.h"

#define DEFAULT_LISTEN		"127.0.0.1:9435"
#define DEFAULT_MAX_SERIES	500
#define MAX_PROGS		64

struct msnap {
	bool loaded;
	struct xdpfw_cfg cfg;
	struct xdpfw_ruleset rs;
	uint32_t *slots;
	struct xdpfw_counter *cnt;
	struct xdpfw_counter tot[XDPFW_NTOTALS];
	struct xdpfw_table_fill tabs[XDPFW_NTABLES];
	uint32_t max_rules;		/* one set's (--max-rules), not the 2N slots */
	struct xdpfw_applog applog;
	bool have_applog;
};

#define MAX_PROG_DIRS		16

struct exporter {
	unsigned max_series;
	const char *prog_dirs[MAX_PROG_DIRS];	/* --prog-dir: `bpfkit load --pin` dirs */
	int nprog_dirs;
	bool stats_fd_held;		/* --bpf-stats: we enabled run-time statistics */
};

static void msnap_free(struct msnap *s)
{
	free(s->slots);
	free(s->cnt);
	xdpfw_ruleset_free(&s->rs);
	memset(s, 0, sizeof(*s));
}

/* Test hook (XDPFW_TEST_SCRAPE_GATE=FILE): the first read of a scrape says
 * so on stderr after reading the rules and waits until FILE exists (at most
 * 60 s), so a test can switch generations under it - in that order, not by
 * a delay a loaded machine may outrun. */
static const char *scrape_gate;

static void scrape_gate_wait(void)
{
	fprintf(stderr, "test: rules read; waiting for %s\n", scrape_gate);
	test_gate_wait(scrape_gate);
}

/* One read of ST; -EAGAIN if an apply switched generations meanwhile. */
static int snap_once(struct xdpfw_state *st, struct msnap *s, int attempt)
{
	struct xdpfw_cfg after;
	int rc;

	rc = xdpfw_state_cfg(st, &s->cfg);
	if (!rc)
		rc = xdpfw_state_read(st, &s->rs, &s->slots);
	if (!rc && !attempt && scrape_gate)
		scrape_gate_wait();
	if (!rc && !(s->cnt = calloc(s->rs.n + 1, sizeof(*s->cnt))))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < s->rs.n; i++)
		rc = xdpfw_state_counter(st, s->slots[i], &s->cnt[i]);
	if (!rc)
		rc = xdpfw_state_totals(st, s->tot);
	if (!rc)
		rc = xdpfw_state_table_fill(st, &s->cfg, s->tabs);
	if (!rc)
		rc = xdpfw_state_cfg(st, &after);
	if (!rc && !xdpfw_cfg_same_gen(&s->cfg, &after))
		rc = -EAGAIN;
	return rc;
}

static int take_snapshot(struct msnap *s)
{
	struct xdpfw_state st;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = xdpfw_state_open_ro(&st, pin_dir);
	if (rc == -ENOENT)
		return 0;	/* not loaded: served as xdpfw_loaded 0 */
	if (rc)
		return rc;
	s->max_rules = xdpfw_state_max_rules(&st);
	for (int i = 0; i < XDPFW_SNAP_TRIES; i++) {
		rc = snap_once(&st, s, i);
		if (rc != -EAGAIN)
			break;
		msnap_free(s);
		s->max_rules = xdpfw_state_max_rules(&st);
	}
	xdpfw_state_close(&st);
	if (rc) {
		msnap_free(s);
		return rc;
	}
	s->loaded = true;
	/* no map yet: no apply recorded, 0 is the truth; another failure
	 * leaves the series out (a 0 would read as a counter reset) */
	rc = xdpfw_applog_read(pin_dir, &s->applog);
	s->have_applog = !rc || rc == -ENOENT;
	return 0;
}

/* ---- exposition --------------------------------------------------------- */

struct out {
	FILE *f;
	bool om;			/* OpenMetrics, else the text format 0.0.4 */
};

/* Label values: backslash, double quote and newline escaped (both formats);
 * HELP text: backslash and newline (text), and double quote (OpenMetrics). */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

/* A family: NAME without _total; counters' samples get _total. The text
 * format names the family as its samples are named, OpenMetrics without the
 * suffix. */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
	bool ctr = !strcmp(type, "counter");
	const char *sfx = ctr && !o->om ? "_total" : "";

	fprintf(o->f, "# HELP %s%s ", name, sfx);
	put_escaped(o->f, help, o->om);
	fprintf(o->f, "\n# TYPE %s%s %s\n", name, sfx, type);
}

/* One sample: LABELS are key, value pairs ending with NULL. */
static void sample(struct out *o, const char *name, bool counter, const char *value, ...)
{
	va_list ap;
	const char *k;
	int n = 0;

	fprintf(o->f, "%s%s", name, counter ? "_total" : "");
	va_start(ap, value);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		fprintf(o->f, "%s%s=\"", n++ ? "," : "{", k);
		put_escaped(o->f, v, true);
		fputc('"', o->f);
	}
	va_end(ap);
	fprintf(o->f, "%s %s\n", n ? "}" : "", value);
}

static const char *u64s(char *buf, uint64_t v)
{
	sprintf(buf, "%llu", (unsigned long long)v);
	return buf;
}

static const char *secs(char *buf, uint64_t ns)
{
	sprintf(buf, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
		(unsigned long long)(ns % 1000000000ull));
	return buf;
}

/* Program ids the firewall runs: its pinned program, what its pinned links
 * run, and the programs libxdp's dispatcher runs for load --multi
 * (pinned as multi_IFACE). */
static int fw_prog_ids(uint32_t *ids, int max)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	char path[PATH_MAX];
	int n = 0;

	while (d && (de = readdir(d)) && n < max) {
		bool link = !strncmp(de->d_name, "link_", 5);
		uint32_t id = 0;
		int fd;

		if (!link && strcmp(de->d_name, "prog") && strncmp(de->d_name, "multi_", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (link) {
			struct bpf_link_info li = { 0 };
			__u32 len = sizeof(li);

			if (!bpf_obj_get_info_by_fd(fd, &li, &len))
				id = li.prog_id;
		} else {
			struct bpf_prog_info pi = { 0 };
			__u32 len = sizeof(pi);

			if (!bpf_obj_get_info_by_fd(fd, &pi, &len))
				id = pi.id;
		}
		close(fd);
		for (int i = 0; id && i < n; i++)
			if (ids[i] == id)
				id = 0;
		if (id)
			ids[n++] = id;
	}
	if (d)
		closedir(d);
	return n;
}

static bool bpf_stats_sysctl(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v == 1;
}

static void write_progs(struct out *o, const struct exporter *ex)
{
	uint32_t ids[MAX_PROGS];
	int n = fw_prog_ids(ids, MAX_PROGS);
	char b[64], idb[32];

	family(o, "xdpfw_bpf_stats_enabled", "gauge",
	       "1 if the kernel keeps BPF run-time statistics (kernel.bpf_stats_enabled, or --bpf-stats); "
	       "the run counters below stay 0 otherwise");
	sample(o, "xdpfw_bpf_stats_enabled", false, ex->stats_fd_held || bpf_stats_sysctl() ? "1" : "0",
	       NULL);
	family(o, "xdpfw_prog_runs", "counter", "Runs of the firewall's BPF programs (kernel run_cnt)");
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			family(o, "xdpfw_prog_run_seconds", "counter",
			       "Time the firewall's BPF programs ran (kernel run_time_ns)");
		for (int i = 0; i < n; i++) {
			struct bpf_prog_info pi = { 0 };
			__u32 len = sizeof(pi);
			int fd = bpf_prog_get_fd_by_id(ids[i]);

			if (fd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
				u64s(idb, pi.id);
				sample(o, pass ? "xdpfw_prog_run_seconds" : "xdpfw_prog_runs", true,
				       pass ? secs(b, pi.run_time_ns) : u64s(b, pi.run_cnt),
				       "prog_id", idb, "name", pi.name, NULL);
			}
			close(fd);
		}
	}
}

/* Run statistics of the programs `bpfkit load --pin DIR` pinned
 * (DIR/progs/NAME), for each --prog-dir. */
static void write_bpfkit_progs(struct out *o, const struct exporter *ex)
{
	char path[PATH_MAX], b[64], idb[32];

	if (!ex->nprog_dirs)
		return;
	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass ? "bpfkit_prog_run_seconds" : "bpfkit_prog_runs";

		family(o, name, "counter", pass ? "Time the programs pinned by bpfkit load --pin DIR ran "
						  "(kernel run_time_ns; --prog-dir)"
					       : "Runs of the programs pinned by bpfkit load --pin DIR "
						  "(kernel run_cnt; --prog-dir)");
		for (int d = 0; d < ex->nprog_dirs; d++) {
			DIR *dir;
			struct dirent *de;

			snprintf(path, sizeof(path), "%s/progs", ex->prog_dirs[d]);
			dir = opendir(path);
			for (int n = 0; dir && n < MAX_PROGS && (de = readdir(dir)); ) {
				struct bpf_prog_info pi = { 0 };
				__u32 len = sizeof(pi);
				int fd;

				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/progs/%s", ex->prog_dirs[d], de->d_name);
				fd = bpf_obj_get(path);
				if (fd < 0)
					continue;
				if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
					sample(o, name, true, pass ? secs(b, pi.run_time_ns) : u64s(b, pi.run_cnt),
					       "pin", ex->prog_dirs[d], "prog", de->d_name,
					       "prog_id", u64s(idb, pi.id), NULL);
					n++;
				}
				close(fd);
			}
			if (dir)
				closedir(dir);
		}
	}
}

/* Interfaces the firewall is attached to: pinned links that hold one, and
 * `load --multi` programs (pinned while libxdp's dispatcher runs them). */
static int count_links(void)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	char path[PATH_MAX];
	int n = 0;

	while (d && (de = readdir(d))) {
		/* a link detached behind xdpfw's back stays pinned (ifindex 0) */
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		n += (!strncmp(de->d_name, "link_", 5) && link_attached(path) && !link_runs_other(path)) ||
		     !strncmp(de->d_name, "multi_", 6);
	}
	if (d)
		closedir(d);
	return n;
}

static void write_rules(struct out *o, const struct msnap *s, unsigned max_series)
{
	struct xdpfw_counter folded = { 0 };
	char txt[200], idb[32], b[32];
	size_t shown = s->rs.n < max_series ? s->rs.n : max_series;

	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass ? "xdpfw_rule_bytes" : "xdpfw_rule_packets";

		family(o, name, "counter", pass ? "Bytes matched by each rule (the first --max-rule-series rules)"
						: "Packets matched by each rule (the first --max-rule-series rules)");
		for (size_t i = 0; i < shown; i++) {
			xdpfw_rule_format(&s->rs.r[i].d, txt, sizeof(txt));
			sample(o, name, true, u64s(b, pass ? s->cnt[i].bytes : s->cnt[i].packets),
			       "id", u64s(idb, s->slots[i]),
			       "action", s->rs.r[i].d.action == XDPFW_DENY ? "deny" : "allow",
			       "rule", txt, NULL);
		}
	}
	for (size_t i = shown; i < s->rs.n; i++) {
		folded.packets += s->cnt[i].packets;
		folded.bytes += s->cnt[i].bytes;
	}
	family(o, "xdpfw_rule_series_folded", "gauge",
	       "Rules beyond --max-rule-series: no series of their own, counted in xdpfw_folded_rule_*");
	sample(o, "xdpfw_rule_series_folded", false, u64s(b, s->rs.n - shown), NULL);
	/* gauges: the folded rules are whichever sit past the cap now, so
	 * their sum drops when one is removed or moves up (a counter would
	 * read that as a reset, and a rule moving in as a spike) */
	family(o, "xdpfw_folded_rule_packets", "gauge",
	       "Packets the rules now beyond --max-rule-series have matched, together (it drops when one "
	       "is removed or moves into the shown ones: for rates use xdpfw_packets_total)");
	sample(o, "xdpfw_folded_rule_packets", false, u64s(b, folded.packets), NULL);
	family(o, "xdpfw_folded_rule_bytes", "gauge", "Bytes the rules now beyond --max-rule-series have matched, together");
	sample(o, "xdpfw_folded_rule_bytes", false, u64s(b, folded.bytes), NULL);
}

static void write_totals(struct out *o, const struct msnap *s)
{
	static const struct { int k; const char *action, *cause; } acts[] = {
		{ XDPFW_T_ALLOW, "pass", "rule" }, { XDPFW_T_DEF_ALLOW, "pass", "policy" },
		{ XDPFW_T_LOCKOUT_PASS, "pass", "arp_nd" },
		{ XDPFW_T_DENY, "drop", "rule" }, { XDPFW_T_DEF_DENY, "drop", "policy" },
		{ XDPFW_T_MALFORMED, "drop", "truncated" },
		{ XDPFW_T_FRAG_DROP, "drop", "fragment_without_first" },
	};
	struct xdpfw_counter sum[2] = { 0 };	/* pass, drop */
	char b[32];

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		int d = acts[i].action[0] == 'd';

		sum[d].packets += s->tot[acts[i].k].packets;
		sum[d].bytes += s->tot[acts[i].k].bytes;
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass ? "xdpfw_bytes" : "xdpfw_packets";

		family(o, name, "counter", pass ? "Bytes the firewall saw, by action (pass or drop)"
						: "Packets the firewall saw, by action (pass or drop)");
		for (int d = 0; d < 2; d++)
			sample(o, name, true, u64s(b, pass ? sum[d].bytes : sum[d].packets),
			       "action", d ? "drop" : "pass", NULL);
	}
	for (int pass = 0; pass < 4; pass++) {
		static const char *const names[] = { "xdpfw_dropped_packets", "xdpfw_dropped_bytes",
						     "xdpfw_passed_packets", "xdpfw_passed_bytes" };
		static const char *const helps[] = {
			("Dropped packets by reason: rule (a deny rule), policy (no rule, deny policy), "
			 "truncated (truncated or malformed IP header), fragment_without_first (a later "
			 "fragment whose first fragment was not seen or was denied)"),
			"Dropped bytes by reason (see xdpfw_dropped_packets_total)",
			("Passed packets by reason: rule (an allow rule), policy (no rule, allow policy), "
			 "arp_nd (ARP and IPv6 neighbour discovery always pass)"),
			"Passed bytes by reason (see xdpfw_passed_packets_total)",
		};
		bool drop = pass < 2, bytes = pass & 1;

		family(o, names[pass], "counter", helps[pass]);
		for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
			if ((acts[i].action[0] == 'd') == drop)
				sample(o, names[pass], true,
				       u64s(b, bytes ? s->tot[acts[i].k].bytes : s->tot[acts[i].k].packets),
				       "reason", acts[i].cause, NULL);
	}
	family(o, "xdpfw_log_records", "counter", "Denials of 'log' rules written to the log ring");
	sample(o, "xdpfw_log_records", true, u64s(b, s->tot[XDPFW_T_LOGGED].packets), NULL);
	family(o, "xdpfw_log_records_lost", "counter",
	       "Denials of 'log' rules not logged, by reason (rate_limit: over --log-rate; records "
	       "overwritten in the ring before a reader took them are reported by xdpfw log)");
	sample(o, "xdpfw_log_records_lost", true, u64s(b, s->tot[XDPFW_T_LOG_SUPPRESSED].packets),
	       "reason", "rate_limit", NULL);
}

static void write_state(struct out *o, const struct msnap *s)
{
	unsigned g = s->cfg.gen & 1;
	char b[64];

	family(o, "xdpfw_policy", "gauge", "The default policy for packets no rule matches (1: in force)");
	sample(o, "xdpfw_policy", false, s->cfg.policy[g] == XDPFW_DENY ? "0" : "1", "policy", "allow", NULL);
	sample(o, "xdpfw_policy", false, s->cfg.policy[g] == XDPFW_DENY ? "1" : "0", "policy", "deny", NULL);
	family(o, "xdpfw_rules", "gauge", "Rules in the active rule set");
	sample(o, "xdpfw_rules", false, u64s(b, s->rs.n), NULL);
	family(o, "xdpfw_rule_capacity", "gauge", "Rules the pinned maps hold (load --max-rules)");
	sample(o, "xdpfw_rule_capacity", false, u64s(b, s->max_rules), NULL);
	family(o, "xdpfw_generation", "gauge",
	       "The active generation (table half, 0 or 1); it flips at every successful apply");
	sample(o, "xdpfw_generation", false, u64s(b, g), NULL);
	family(o, "xdpfw_last_apply_timestamp_seconds", "gauge",
	       "When the active rule set was switched in (Unix time)");
	sample(o, "xdpfw_last_apply_timestamp_seconds", false, secs(b, s->cfg.applied_ns[g]), NULL);
	if (!s->have_applog)
		return;
	family(o, "xdpfw_applies", "counter", "Successful rule-set applies (load, apply, rule, policy)");
	sample(o, "xdpfw_applies", true, u64s(b, s->applog.applied), NULL);
	family(o, "xdpfw_apply_failures", "counter", "Rule-set applies that failed (nothing changed)");
	sample(o, "xdpfw_apply_failures", true, u64s(b, s->applog.failed), NULL);
	family(o, "xdpfw_last_failed_apply_timestamp_seconds", "gauge",
	       "When an apply last failed (Unix time; 0: never)");
	sample(o, "xdpfw_last_failed_apply_timestamp_seconds", false, secs(b, s->applog.last_fail_ns), NULL);
}

static void write_tables(struct out *o, const struct msnap *s)
{
	unsigned g = s->cfg.gen & 1;
	char b[32];

	/* every table a set can fill (the apply names the full one), counted
	 * so that entries / slots reaches 1 where an apply is refused
	 * (xdpfw_table_fill's cap) */

	family(o, "xdpfw_table_entries", "gauge",
	       "Entries the active generation uses, by table (classes: the prefixes' class pool; trie: "
	       "IPv4 and IPv6 /32-and-shorter sources, below the fixed roots; ipv6: the longer IPv6 "
	       "prefixes' hash table; ports)");
	for (int i = 0; i < XDPFW_NTABLES; i++)
		sample(o, "xdpfw_table_entries", false, u64s(b, s->tabs[i].used[g]), "table", s->tabs[i].name, NULL);
	family(o, "xdpfw_table_slots", "gauge",
	       "Entries one generation may use, by table (load --max-rules): an apply needing more is refused");
	for (int i = 0; i < XDPFW_NTABLES; i++)
		sample(o, "xdpfw_table_slots", false, u64s(b, s->tabs[i].cap), "table", s->tabs[i].name, NULL);
}

/* The whole exposition into a malloc'd buffer. */
static char *render(const struct exporter *ex, bool om, size_t *len, int *err)
{
	struct msnap s;
	struct out o = { .om = om };
	char *buf = NULL, b[32];

	*err = take_snapshot(&s);
	if (*err)
		return NULL;
	o.f = open_memstream(&buf, len);
	if (!o.f) {
		*err = -ENOMEM;
		msnap_free(&s);
		return NULL;
	}
	family(&o, "xdpfw_loaded", "gauge", "1 if the firewall's state is pinned (xdpfw load was run)");
	sample(&o, "xdpfw_loaded", false, s.loaded ? "1" : "0", NULL);
	family(&o, "xdpfw_interfaces", "gauge", "Interfaces the firewall is attached to");
	sample(&o, "xdpfw_interfaces", false, u64s(b, count_links()), NULL);
	if (s.loaded) {
		write_state(&o, &s);
		write_tables(&o, &s);
		write_rules(&o, &s, ex->max_series);
		write_totals(&o, &s);
	}
	write_progs(&o, ex);
	write_bpfkit_progs(&o, ex);
	if (om)
		fputs("# EOF\n", o.f);
	msnap_free(&s);
	if (fclose(o.f)) {
		free(buf);
		*err = -ENOMEM;
		return NULL;
	}
	return buf;
}

/* ---- HTTP ---------------------------------------------------------------- */

static const char index_page[] =
	"xdpfw metrics exporter: the metrics are at /metrics\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
			     size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size,
			      void **req_cls)
{
	const struct exporter *ex = cls;
	const char *accept;
	char *body, msg[160];
	size_t len;
	bool om;
	int err;

	(void)version;
	(void)upload_data;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     (char *)"only GET and HEAD\n", 18, MHD_RESPMEM_PERSISTENT);
	if (*upload_data_size)
		return MHD_NO;
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", (char *)index_page,
			     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
			     (char *)"not found: the metrics are at /metrics\n", 39, MHD_RESPMEM_PERSISTENT);
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept && strstr(accept, "application/openmetrics-text");
	body = render(ex, om, &len, &err);
	if (!body) {
		len = snprintf(msg, sizeof(msg), "reading the firewall state under %s failed: %s\n",
			       pin_dir, err == -EAGAIN ? "rule sets kept changing during the scrape" :
			       strerror(-err));
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", msg,
			     len < sizeof(msg) ? len : sizeof(msg) - 1, MHD_RESPMEM_MUST_COPY);
	}
	return reply(c, MHD_HTTP_OK, om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
					: "text/plain; version=0.0.4; charset=utf-8",
		     body, len, MHD_RESPMEM_MUST_FREE);
}

/* ADDR:PORT, [IPV6]:PORT; numeric only (no name lookups at boot). Port 0
 * picks a free one (printed when serving). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	size_t hl;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = rb - h;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = colon - s;
	}
	if (!hl || hl >= sizeof(host) || !colon[1])
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || errno || port > 65535 || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	if (*s != '[' && inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*sl = sizeof(struct sockaddr_in);
		return 0;
	}
	if (*s == '[' && inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*sl = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -EINVAL;
}

/* The listening socket is ours (not libmicrohttpd's) so that a bad address
 * or a port in use gives one clear line and exit 1. */
static int open_listener(const char *spec, char *bound, size_t bsz)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;
	char a[INET6_ADDRSTRLEN];

	if (parse_listen(spec, &ss, &sl)) {
		xerr("metrics: --listen '%s' is not ADDR:PORT (e.g. 127.0.0.1:9435 or [::1]:9435; numeric "
		     "address, port 0-65535)", spec);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64)) {
		int e = errno;

		xerr("metrics: cannot listen on %s: %s", spec, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		snprintf(bound, bsz, "%s:%u", a, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(bound, bsz, "[%s]:%u", a, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	}
	return fd;
}

int cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-rule-series", required_argument, NULL, 'm' },
		{ "bpf-stats", no_argument, NULL, 's' },
		{ "prog-dir", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'o' },
		{ "openmetrics", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct exporter ex = { .max_series = DEFAULT_MAX_SERIES };
	const char *listen_on = DEFAULT_LISTEN;
	struct MHD_Daemon *d;
	bool once = false, om = false, want_stats = false;
	char bound[INET6_ADDRSTRLEN + 16];
	int c, fd, sig, stats_fd = -1;
	unsigned long v;
	sigset_t set;
	char *end;

	/* test hook: a shorter deadline (and restarting cycle, in proportion),
	 * so a test need not wait 20 s */
	if (getenv("XDPFW_TEST_HTTP_DEADLINE_S")) {
		double t = strtod(getenv("XDPFW_TEST_HTTP_DEADLINE_S"), NULL);

		if (t >= 1 && t <= HTTP_DEADLINE_DEFAULT_S)
			http_deadline_set(t, t / 2);
	}
	scrape_gate = test_gate("XDPFW_TEST_SCRAPE_GATE");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:m:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_on = optarg; break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*end || errno || optarg[0] == '-' || v > 1000000)
				return xusage("metrics", "--max-rule-series wants 0..1000000, not '%s'", optarg);
			ex.max_series = v;
			break;
		case 's': want_stats = true; break;
		case 'd':
			if (ex.nprog_dirs == MAX_PROG_DIRS)
				return xusage("metrics", "at most %d --prog-dir", MAX_PROG_DIRS);
			ex.prog_dirs[ex.nprog_dirs++] = optarg;
			break;
		case 'o': once = true; break;
		case 'O': om = true; break;
		case 'h':
			printf("Usage: xdpfw metrics [--listen ADDR:PORT] [--max-rule-series N] [--bpf-stats] [--prog-dir DIR]\n"
			       "       xdpfw metrics --once [--openmetrics]\n"
			       "\n"
			       "Serves the firewall's metrics for Prometheus at http://ADDR:PORT/metrics, in\n"
			       "the Prometheus text format, or OpenMetrics when the scraper's Accept header\n"
			       "asks for it: per-rule packets and bytes, per-action totals, drops by reason,\n"
			       "policy, rule count, generation, applies and failed applies, last apply time,\n"
			       "prefix-table fill, log records lost, and the run count and run time of the\n"
			       "firewall's BPF programs (kernel statistics: kernel.bpf_stats_enabled=1 or\n"
			       "--bpf-stats). Scrapes only read the pinned maps: they never block the\n"
			       "datapath or an apply, and show one generation's rules and counters, never\n"
			       "a mix. Runs until SIGINT/SIGTERM.\n"
			       "\n"
			       "  -l, --listen ADDR:PORT   numeric address and port (default " DEFAULT_LISTEN
			       ";\n"
			       "                           [::1]:9435 for IPv6; port 0 picks a free one)\n"
			       "  -m, --max-rule-series N  per-rule series for the first N rules only (default %d);\n"
			       "                           the rest are summed in xdpfw_folded_rule_packets, _bytes and\n"
			       "                           counted in xdpfw_rule_series_folded\n"
			       "      --bpf-stats          enable the kernel's BPF run-time statistics while\n"
			       "                           serving (they cost a little per program run)\n"
			       "  -d, --prog-dir DIR       also the run count and time of the programs\n"
			       "                           `bpfkit load --pin DIR` pinned (repeatable, up to 16)\n"
			       "      --once               print one scrape on stdout and exit\n"
			       "      --openmetrics        with --once: OpenMetrics instead of the text format\n",
			       DEFAULT_MAX_SERIES);
			return EXIT_OK;
		case ':': return xusage("metrics", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("metrics", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return xusage("metrics", "unexpected argument '%s'", argv[optind]);
	if (om && !once)
		return xusage("metrics", "--openmetrics is for --once; the server answers each scraper in the "
			      "format its Accept header asks for");
	/* a --prog-dir is what `bpfkit load --pin DIR` made: DIR/progs; one that
	 * is not would export nothing, silently */
	for (int d = 0; d < ex.nprog_dirs; d++) {
		char progs[PATH_MAX];
		struct stat sb;

		snprintf(progs, sizeof(progs), "%s/progs", ex.prog_dirs[d]);
		if (stat(progs, &sb) || !S_ISDIR(sb.st_mode)) {
			xerr("metrics: --prog-dir '%s': no programs pinned there (no %s; "
			     "bpfkit load OBJ --pin DIR makes it)", ex.prog_dirs[d], progs);
			return EXIT_FAIL;
		}
	}
	if (want_stats) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			xerr("metrics: enabling BPF run-time statistics failed: %s", strerror(errno));
			return EXIT_FAIL;
		}
		ex.stats_fd_held = true;
	}
	if (once) {
		size_t len;
		int err;
		char *body = render(&ex, om, &len, &err);

		if (stats_fd >= 0)
			close(stats_fd);
		if (!body) {
			if (err == -EAGAIN)
				xerr("metrics: the rule set under '%s' kept changing while it was read; try again", pin_dir);
			else
				xerr("metrics: reading the firewall state under '%s' failed: %s", pin_dir, strerror(-err));
			return EXIT_FAIL;
		}
		fwrite(body, 1, len, stdout);
		free(body);
		return EXIT_OK;
	}
	fd = open_listener(listen_on, bound, sizeof(bound));
	if (fd < 0) {
		if (stats_fd >= 0)
			close(stats_fd);
		return EXIT_FAIL;
	}
	/* the daemon's thread inherits the mask: only this thread takes them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* 10 s idle (libmicrohttpd's timeout), and 20 s for a whole request
	 * however slowly its bytes come (httpdeadline.c) */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, handle, &ex,
			     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 32u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_NOTIFY_CONNECTION, http_deadline_notify,
			     NULL, MHD_OPTION_NOTIFY_COMPLETED, http_deadline_completed, NULL, MHD_OPTION_END);
	if (!d) {
		xerr("metrics: starting the HTTP server on %s failed", bound);
		close(fd);
		if (stats_fd >= 0)
			close(stats_fd);
		return EXIT_FAIL;
	}
	printf("xdpfw metrics: serving http://%s/metrics (state %s)\n", bound, pin_dir);
	fflush(stdout);
	for (;;) {
		struct timespec one = { .tv_sec = 1 };

		sig = sigtimedwait(&set, NULL, &one);
		if (sig > 0 || (sig < 0 && errno != EAGAIN && errno != EINTR))
			break;
		http_deadline_sweep();
	}
	MHD_stop_daemon(d);
	close(fd);
	if (stats_fd >= 0)
		close(stats_fd);
	return EXIT_OK;
}
