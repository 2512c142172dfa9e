/* apps/xdpfw/sync.c — `xdpfw sync`, the per-host fleet agent: it follows one
 * rule set in etcd (read, then watch), applies each revision with the
 * firewall's atomic swap, and reports what it enforces under
 * KEY/hosts/NAME, on a lease so that a dead agent's report expires.
 *
 * Fail-static by design: nothing here ever removes rules. When etcd cannot
 * be reached, the datapath keeps the last applied set (it never waits on
 * this process) and the agent retries with backoff; a revision that does not
 * parse or apply is reported and the previous set stays; a lost or
 * compacted watch is recovered by reading the key again, so missed
 * revisions collapse into the latest one. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <bpfkit/bpfkit.h>
#include "cli.h"
#include "fleet.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000

struct agent {
	struct fleet_opts fo;
	struct etcd e;
	const char *name, *mode;
	char status_key[FLEET_KEY_MAX + sizeof(FLEET_HOSTS) + FLEET_NAME_MAX];	/* KEY/hosts/NAME */
	char **ifaces;
	int nif;
	int target_ns;			/* the --netns namespace (-1: none) */
	bool may_attach;		/* a set is in place: attaching enforces it */
	long ttl;
	int64_t lease;
	double next_keepalive;
	int64_t applied_rev, failed_rev;
	uint64_t applied_ns;		/* the datapath's stamp of our last apply */
	double next_look;		/* look_at_host() */
	double next_attach_retry;	/* while attaching fails: every 10 s */
	bool attach_failing;		/* the error is attach_pending()'s */
	bool drifted;			/* rules changed locally since our apply */
	bool have_digest;
	uint64_t applied_digest;	/* set_digest() of our last apply */
	bool drift_noted;		/* the error ends with report_drift()'s text */
	uint32_t failed_cap;		/* failed_rev did not fit a firewall of this
					 * --max-rules (0: it failed otherwise) */
	int down_rc;			/* last reason etcd could not be reached */
	double down_logged;
	size_t rules;
	const char *policy;
	char error[700];
	char since[96];
	int64_t since_ms;
	bool dirty;			/* the status changed since it was written */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	struct timespec t;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	printf("%02d:%02d:%02d.%03ld sync: ", tm.tm_hour, tm.tm_min, tm.tm_sec, t.tv_nsec / 1000000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void mark(struct agent *a)
{
	struct timespec t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	snprintf(a->since, sizeof(a->since), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.tv_nsec / 1000000);
	a->since_ms = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
	a->dirty = true;
}

static void set_error(struct agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
	/* the text may quote a forced value's bytes: keep the report valid
	 * JSON (UTF-8) whatever they are */
	etcd_printable(a->error, sizeof(a->error), a->error, true);
	fprintf(stderr, "xdpfw sync: %s\n", a->error);
	a->attach_failing = false;
	a->drift_noted = false;
	mark(a);
}

/* What stays in force, for messages. */
static const char *kept(const struct agent *a)
{
	static char buf[64];

	if (!a->applied_rev)
		return "the rules in place (none from etcd yet)";
	snprintf(buf, sizeof(buf), "revision %lld", (long long)a->applied_rev);
	return buf;
}

/* ---- the local firewall ------------------------------------------------ */

/* A digest of the rule set in force in ST (its rules in any order, and its
 * policy): what tells a local change from our rules written again (a
 * `load` that loads the datapath anew writes the kept rules again, which
 * stamps them anew; so does a failed load putting them back). */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int set_digest(struct xdpfw_state *st, uint64_t *out)
{
	struct xdpfw_ruleset rs;
	uint32_t *slots = NULL;
	uint64_t h;
	int rc = xdpfw_state_read(st, &rs, &slots);

	if (rc)
		return rc;
	h = mix64((uint64_t)rs.policy + 1);
	for (size_t i = 0; i < rs.n; i++) {
		const struct xdpfw_rule_def *d = &rs.r[i].d;

		h += mix64(xdpfw_rule_match_hash(d) ^ (uint64_t)d->action << 56 ^ (uint64_t)d->flags << 48);
	}
	free(slots);
	xdpfw_ruleset_free(&rs);
	*out = h;
	return 0;
}

/* Has someone changed the rules on this host (xdpfw apply, rule, policy)
 * since our apply? A new stamp with the same set (our rules written again)
 * is adopted; another set is a local change, noted for good until the next
 * apply: reported, not undone (it may be an emergency; the next revision,
 * or a re-read after reconnecting, replaces it). Without a digest (unreadable at
 * apply) only our own loads' stamps are adopted (OWN_LOAD). */
static void note_drift(struct agent *a, struct xdpfw_state *st, const struct xdpfw_cfg *cfg, bool own_load)
{
	uint64_t now = cfg->applied_ns[cfg->gen & 1], d;

	if (!a->applied_rev || now == a->applied_ns || a->drifted)
		return;		/* (drifted: noted already, no set read every 2 s) */
	if (a->have_digest ? !set_digest(st, &d) && d == a->applied_digest : own_load)
		a->applied_ns = now;
	else
		a->drifted = true;
}

/* After our own `load`: its stamp, or a local change made before it. */
static void after_own_load(struct agent *a)
{
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;

	if (!a->applied_rev || xdpfw_state_open_ro(&st, pin_dir))
		return;
	if (!xdpfw_state_cfg(&st, &cfg))
		note_drift(a, &st, &cfg, true);
	xdpfw_state_close(&st);
}

/* A local change, in the report: beside a failure already reported (a
 * revision that did not fit, an interface not attached), not hidden by it. */
static void report_drift(struct agent *a)
{
	char prev[sizeof(a->error) + 8];
	bool failing = a->attach_failing;

	if (!a->drifted || a->drift_noted)
		return;
	snprintf(prev, sizeof(prev), "%s%s", a->error, a->error[0] ? "; and " : "");
	set_error(a, "%sthe rules on this host were changed locally after revision %lld was applied (xdpfw "
		  "apply, rule or policy); the next revision replaces them", prev, (long long)a->applied_rev);
	a->attach_failing = failing;	/* still attach_pending()'s to clear */
	a->drift_noted = true;
}

/* Attaches to every named interface not attached yet, with `load` itself,
 * inside the namespace the interfaces live in. A failure is the reported
 * error until every interface is attached again. */
static void attach_pending(struct agent *a)
{
	bool failed = false;

	for (int i = 0; i < a->nif; i++) {
		char *argv[] = { "load", a->ifaces[i], "--mode", (char *)a->mode, NULL };
		int rc;

		if (iface_attached(a->ifaces[i]))
			continue;
		if (a->target_ns >= 0 && setns(a->target_ns, CLONE_NEWNET)) {
			set_error(a, "entering the interfaces' network namespace failed: %s", strerror(errno));
			return;
		}
		rc = cmd_load(4, argv);
		if (fleet_home_netns())
			xdpfw_stop = 1;
		if (rc) {
			failed = true;
			if (!a->attach_failing) {	/* once, not at every retry */
				set_error(a, "attaching to '%s' failed (see the agent's log); it is not "
					  "filtered, %s is in place elsewhere", a->ifaces[i], kept(a));
				a->attach_failing = true;
			}
		} else {
			say("attached to '%s'", a->ifaces[i]);
		}
		/* the load wrote the kept rules again (and, failing, put them
		 * back), whatever came of the attach */
		after_own_load(a);
	}
	if (!failed && a->attach_failing) {
		a->attach_failing = false;
		a->drift_noted = false;
		a->error[0] = 0;
		mark(a);
		report_drift(a);	/* a local change stays reported, alone */
	}
}

/* An interface loses the firewall behind the agent's back when it is
 * deleted and created again (a VLAN, a bond, a replugged NIC) or its link
 * is detached: looked at every 2 s (every 10 s while attaching fails),
 * attached again, and reported as failing until it is. */
static void check_attached(struct agent *a)
{
	if (!a->may_attach || xdpfw_now_s() < a->next_attach_retry)
		return;
	attach_pending(a);
	if (a->attach_failing)
		a->next_attach_retry = xdpfw_now_s() + 10;
}

/* The state unloaded with --purge under the agent: the operator's doing
 * (maybe to load it again larger), so not made again behind their back. */
static void report_purged(struct agent *a)
{
	if (a->may_attach && !a->attach_failing) {
		set_error(a, "the firewall under %s was unloaded with --purge: nothing is filtered; load it "
			  "again (xdpfw load IFACE), and this agent applies its set", pin_dir);
		a->attach_failing = true;
	}
}
/* Applies the rule-set text of revision REV; on any failure the active set
 * stays and the failure is what the agent reports. */
static void apply_text(struct agent *a, const char *text, size_t len, int64_t rev)
{
	struct xdpfw_apply_stats as;
	struct xdpfw_ruleset rs;
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;
	char name[700], err[600];
	int rc;

	if (rev == a->applied_rev && !a->error[0])
		return;		/* already in force (a re-read after reconnecting) */
	if (rev == a->failed_rev)
		return;		/* already reported */
	snprintf(name, sizeof(name), "%s@%lld", a->fo.key, (long long)rev);
	if (xdpfw_rules_parse_text(text, len, name, &rs, err, sizeof(err))) {
		a->failed_rev = rev;
		a->failed_cap = 0;
		set_error(a, "revision %lld refused: %s; keeping %s", (long long)rev, err,
			  kept(a));
		return;
	}
	/* the state is opened per apply: apply holds the pin directory's lock
	 * until close, and other xdpfw commands on this host need it too */
	rc = xdpfw_state_open(&st, pin_dir);
	if (rc) {
		a->failed_rev = rev;
		a->failed_cap = 0;
		set_error(a, "revision %lld not applied: the firewall state under %s cannot be opened (%s); keeping %s",
			  (long long)rev, pin_dir, strerror(-rc), kept(a));
		xdpfw_ruleset_free(&rs);
		return;
	}
	rc = xdpfw_state_apply(&st, &rs, rs.policy, &as);
	if (!rc)
		rc = xdpfw_state_cfg(&st, &cfg);
	if (!rc)
		a->have_digest = !set_digest(&st, &a->applied_digest);
	a->failed_cap = rc == -ENOSPC || rc == -E2BIG ? xdpfw_state_max_rules(&st) : 0;
	xdpfw_state_close(&st);
	if (rc) {
		a->failed_rev = rev;
		set_error(a, "revision %lld not applied: %s; keeping %s", (long long)rev,
			  rc == -ENOSPC ? "more rules than the firewall holds (load with --max-rules)"
					: strerror(-rc), kept(a));
		xdpfw_ruleset_free(&rs);
		return;
	}
	a->applied_rev = rev;
	a->applied_ns = cfg.applied_ns[cfg.gen & 1];
	warn_replaced();	/* in the agent's log: where these rules do not act */
	a->failed_rev = 0;
	a->rules = rs.n;
	a->policy = xdpfw_policy_str(cfg.policy[cfg.gen & 1]);
	a->error[0] = 0;
	/* every failure cleared with the text: attach_pending() below says
	 * again what still fails (it reports only on a change to failing) */
	a->attach_failing = false;
	a->drifted = false;
	a->drift_noted = false;
	a->may_attach = true;
	mark(a);
	say("applied revision %lld: %zu rules, policy %s (written in %.1f ms, switched in %.3f ms)",
	    (long long)rev, rs.n, a->policy, as.write_ms, as.switch_ms);
	xdpfw_ruleset_free(&rs);
	attach_pending(a);
}

/* A revision that did not fit is tried again once the firewall holds
 * another number of rules CAP (the operator loaded it again with another
 * --max-rules, as the failure said). */
static bool resized(struct agent *a, uint32_t cap)
{
	if (!a->failed_rev || !a->failed_cap || cap == a->failed_cap)
		return false;
	say("the firewall now holds %u rules per set (was %u): trying revision %lld again", cap, a->failed_cap,
	    (long long)a->failed_rev);
	a->failed_rev = 0;
	a->failed_cap = 0;
	return true;
}

/* Every 2 s, one look at the local firewall (one open: it maps every
 * table): drift, a revision to try again, a purged state, interfaces that
 * lost the firewall. True: read KEY again now (apply_text retries). */
static bool look_at_host(struct agent *a)
{
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;
	uint32_t cap = 0;
	int rc;

	if (xdpfw_now_s() < a->next_look)
		return false;
	a->next_look = xdpfw_now_s() + 2;
	rc = xdpfw_state_open_ro(&st, pin_dir);
	if (!rc) {
		if (!xdpfw_state_cfg(&st, &cfg))
			note_drift(a, &st, &cfg, false);
		cap = xdpfw_state_max_rules(&st);
	}
	xdpfw_state_close(&st);
	report_drift(a);
	if (rc == -ENOENT) {
		report_purged(a);
		return false;
	}
	if (!rc && resized(a, cap))
		return true;
	check_attached(a);
	return false;
}
/* ---- etcd side --------------------------------------------------------- */

static int put_status(struct agent *a)
{
	json_t *ifs = json_array(), *j;
	char *s;
	int rc;

	for (int i = 0; ifs && i < a->nif; i++)
		json_array_append_new(ifs, json_string(a->ifaces[i]));
	j = json_pack("{s:s,s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:o}", "host", a->name,
		      "revision", (json_int_t)a->applied_rev, "rules", (json_int_t)a->rules,
		      "policy", a->policy ? a->policy : "", "error", a->error,
		      "failed_revision", (json_int_t)a->failed_rev, "time", a->since,
		      "time_ms", (json_int_t)a->since_ms, "ifaces", ifs);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return -ENOMEM;
	rc = etcd_put(&a->e, a->status_key, s, strlen(s), a->lease, NULL);
	free(s);
	if (!rc)
		a->dirty = false;
	return rc;
}

/* A lease of our own, renewed every third of its TTL; a new one when etcd
 * forgot it (expired while we were cut off). */
static int keep_lease(struct agent *a, bool force)
{
	int rc;

	if (a->lease && !force && xdpfw_now_s() < a->next_keepalive)
		return 0;
	rc = a->lease ? etcd_lease_keepalive(&a->e, a->lease, NULL) : -ENOENT;
	if (rc == -ENOENT) {
		rc = etcd_lease_grant(&a->e, a->ttl, &a->lease);
		if (!rc)
			a->dirty = true;	/* the status went with the old lease */
	}
	if (!rc)
		a->next_keepalive = xdpfw_now_s() + a->ttl / 3.0;
	return rc;
}

static int on_event(void *ctx, const struct etcd_event *ev)
{
	struct agent *a = ctx;

	if (ev->deleted) {
		a->failed_rev = ev->kv.mod_rev;
		a->failed_cap = 0;
		set_error(a, "'%s' was deleted; keeping %s", a->fo.key, kept(a));
		return 0;
	}
	apply_text(a, ev->kv.value, ev->kv.vlen, ev->kv.mod_rev);
	return 0;
}

static void nap(long ms)
{
	for (long t = 0; t < ms && !xdpfw_stop; t += 50)
		usleep(50000);
}

/* Reads the set, registers, then follows the watch until something breaks.
 * Returns how long to wait before the next round. */
static long round_once(struct agent *a, long backoff, char *last, size_t lastsz)
{
	const char *gate;
	struct etcd_watch w;
	struct etcd_kv kv;
	int64_t rev = 0;
	int rc;

	rc = etcd_get(&a->e, a->fo.key, &kv, &rev);
	if (rc == -ENOENT) {
		if (!a->error[0] || !strstr(a->error, "no rule set"))
			set_error(a, "no rule set at '%s' (xdpfw publish puts one); keeping %s",
				  a->fo.key, kept(a));
	} else if (!rc) {
		apply_text(a, kv.value, kv.vlen, kv.mod_rev);
		etcd_kv_free(&kv);
	}
	if (!rc || rc == -ENOENT)
		rc = keep_lease(a, true);
	if (!rc)
		rc = put_status(a);
	/* test hook: holds the agent between its read and its watch until the
	 * file named exists, so that a test can compact past the read first
	 * and etcd cancels the watch */
	gate = rc ? NULL : test_gate("XDPFW_SYNC_TEST_WATCH_GATE");
	if (gate) {
		say("test: waiting for %s before watching", gate);
		test_gate_wait(gate);
	}
	if (!rc)
		rc = etcd_watch_start(&a->e, &w, a->fo.key, rev + 1);
	if (rc)
		goto down;
	if (last[0])
		say("etcd %s reached again; following '%s' from revision %lld",
		    a->e.cfg.ep[a->e.cur], a->fo.key, (long long)rev + 1);
	else
		say("following '%s' on %s from revision %lld as '%s'", a->fo.key,
		    a->e.cfg.ep[a->e.cur], (long long)rev + 1, a->name);
	last[0] = 0;
	a->down_rc = 0;
	while (!xdpfw_stop) {
		rc = etcd_watch_poll(&a->e, &w, 500, on_event, a);
		if (rc)
			break;
		if (look_at_host(a)) {
			rc = 1;		/* read KEY again now */
			break;
		}
		rc = keep_lease(a, false);
		if (!rc && a->dirty)
			rc = put_status(a);
		if (rc)
			break;
	}
	etcd_watch_stop(&w);
	if (xdpfw_stop || rc == 1)
		return 0;
	if (rc == -ESTALE) {
		say("%s; reading '%s' again", a->e.err, a->fo.key);
		return 0;
	}
	say("lost etcd (%s); enforcing %s meanwhile", a->e.err, kept(a));
	snprintf(last, lastsz, "%s", a->e.err);
	return BACKOFF_MIN_MS;
down:
	/* once per kind of failure (and once a minute), not every retry and
	 * not once per endpoint tried */
	if (rc != a->down_rc || xdpfw_now_s() - a->down_logged > 60) {
		a->down_rc = rc;
		a->down_logged = xdpfw_now_s();
		fprintf(stderr, "xdpfw sync: %s; enforcing %s, retrying with backoff\n",
			a->e.err, kept(a));
		snprintf(last, lastsz, "%s", a->e.err);
	}
	backoff = backoff ? backoff * 2 : BACKOFF_MIN_MS;
	if (backoff > BACKOFF_MAX_MS)
		backoff = BACKOFF_MAX_MS;
	return backoff;
}

static const char sync_help[] =
"Usage: xdpfw sync --etcd URL --key KEY [--name NAME] [--ttl SEC] [--mode M]\n"
"                  [--max-rules N] [IFACE...]\n"
"\n"
"The fleet agent: applies the rule set stored under KEY in etcd (see xdpfw\n"
"publish) with the firewall's atomic swap, then watches KEY and applies every\n"
"new revision, until SIGINT/SIGTERM. IFACEs are attached (like xdpfw load) once\n"
"a set is in place; without IFACEs the firewall must be loaded already.\n"
"It reports under KEY/hosts/NAME, on a lease of --ttl seconds: the revision it\n"
"enforces, rule count, policy, the last error, when (xdpfw fleet status).\n"
"\n"
"Fail-static: stopping the agent or losing etcd never changes the rules; the\n"
"last applied set stays in force and the agent reconnects with backoff (up to\n"
"5 s), then reads KEY again. A revision that does not parse or apply is\n"
"reported and the previous set stays. Unlike `apply`, the agent does not\n"
"check $SSH_CONNECTION: whoever publishes decides for the whole fleet.\n"
"With xdpfw --netns NS, IFACEs are in NS, and etcd is reached from the\n"
"namespace xdpfw was started in.\n"
"\n"
"      --name NAME        this host's name in reports (default: the hostname)\n"
"      --ttl SEC          lease of the report (default 10; 2..3600)\n"
"  -m, --mode M           attach mode for IFACEs: auto, native, skb\n"
"      --max-rules N      rule capacity when this agent loads the firewall\n"
"                         (default 65536; fixed at first load, as with load)\n"
"\n%s";

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) > FLEET_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
		    !strchr("-_.", *s))
			return false;
	return true;
}

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		FLEET_LONGOPTS,
		{ "name", required_argument, NULL, 'n' },
		{ "ttl", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-rules", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct agent a = { .ttl = 10, .mode = "auto", .target_ns = -1 };
	struct xdpfw_create_opts co = { 0 };
	struct xdpfw_state st;
	char host[256], last[512] = "", *end;
	enum bpfkit_xdp_mode m;
	long backoff = 0;
	bool created;
	int c, rc, ret = EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:t:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': a.name = optarg; break;
		case 't':
			errno = 0;
			a.ttl = strtol(optarg, &end, 10);
			if (errno || *end || a.ttl < 2 || a.ttl > 3600) {
				ret = xusage("sync", "--ttl wants seconds from 2 to 3600, not '%s'", optarg);
				goto out;
			}
			break;
		case 'M':
			if (parse_max_rules("sync", optarg, &co.max_rules)) {
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'm':
			if (bpfkit_xdp_mode__parse(optarg, &m)) {
				ret = xusage("sync", "--mode is auto, native or skb, not '%s'", optarg);
				goto out;
			}
			a.mode = optarg;
			break;
		case 'h':
			printf(sync_help, FLEET_OPTS_HELP);
			ret = EXIT_OK;
			goto out;
		default:
			rc = fleet_opt(&a.fo, "sync", c, argv);
			if (rc) {
				ret = rc;
				goto out;
			}
		}
	}
	rc = fleet_opts_finish(&a.fo, "sync");
	if (rc) {
		ret = rc;
		goto out;
	}
	if (!a.name) {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "unknown");
		host[sizeof(host) - 1] = 0;
		a.name = host;
	}
	if (!name_ok(a.name)) {
		ret = xusage("sync", "host name '%.80s' is not a DNS-like name (letters, digits, '-', '_', '.'); use --name",
			     a.name);
		goto out;
	}
	a.ifaces = argv + optind;
	a.nif = argc - optind;
	for (int i = 0; i < a.nif; i++)
		if (bpfkit_ifindex(a.ifaces[i]) < 0) {
			xerr("interface '%s' not found", a.ifaces[i]);
			goto out;
		}
	snprintf(a.status_key, sizeof(a.status_key), "%s" FLEET_HOSTS "%s", a.fo.key, a.name);

	/* namespaces and the etcd client first: a failure there then leaves no
	 * state behind that this run created */
	if (home_netns_fd >= 0) {
		a.target_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (a.target_ns < 0 || fleet_home_netns()) {
			xerr("cannot keep both network namespaces open: %s", strerror(errno));
			goto out;
		}
	}
	if (etcd_open(&a.e, &a.fo.ec)) {
		xerr("out of memory");
		goto out;
	}
	/* the firewall: loaded already, or loaded by us (attached only once a
	 * set is in place, so a new host never filters with an empty set) */
	rc = xdpfw_state_open(&st, pin_dir);
	if (rc == -ENOENT && a.nif) {
		if ((!strncmp(pin_dir, "/sys/fs/bpf", 11) && bpfkit_bpffs__ensure()) || xdpfw_state_dir_nested(pin_dir))
			goto out;
		rc = xdpfw_state_create(&st, pin_dir, xdpfw_obj_start, xdpfw_obj_end - xdpfw_obj_start,
					&co, &created);
	} else if (!rc) {
		a.may_attach = true;	/* a set pinned before us: keep enforcing it */
	}
	if (rc) {
		if (rc == -ENOENT)
			xerr("not loaded: no firewall state under '%s' (name the interfaces: xdpfw sync ... IFACE)",
			     pin_dir);
		else
			xdpfw_state_open_error(pin_dir, rc);
		goto out;
	}
	xdpfw_state_close(&st);

	xdpfw_catch_stop();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (a.may_attach)
		attach_pending(&a);
	while (!xdpfw_stop) {
		nap(backoff);
		if (xdpfw_stop)
			break;
		backoff = round_once(&a, backoff, last, sizeof(last));
	}
	/* the report goes with the lease; the rules stay */
	if (a.lease) {
		a.e.cfg.cmd_ms = 1000;
		etcd_lease_revoke(&a.e, a.lease);
	}
	say("stopped; the firewall keeps enforcing %s", kept(&a));
	ret = EXIT_OK;
out:
	etcd_close(&a.e);
	if (a.target_ns >= 0)
		close(a.target_ns);
	fleet_opts_free(&a.fo);
	return ret;
}
