/* apps/xdpfw/check.c — xdpfw check: whether a rules file parses, and with
 * --compile whether it fits a firewall's tables, found by applying it to a
 * scratch copy of the datapath (the apply's own code, so check and apply
 * cannot disagree), loaded but neither pinned nor attached. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpfkit/json.h>
#include "cli.h"

struct compiled {
	uint32_t max_rules;
	const char *sized;		/* why that size */
	struct xdpfw_apply_stats as;
	struct xdpfw_table_fill tabs[XDPFW_NTABLES];
	uint64_t table_bytes;
	unsigned gen;			/* the generation the set went to */
};

/* C's size: the loaded firewall's --max-rules, else a new load's. */
static void size_like_loaded(struct compiled *c)
{
	struct xdpfw_state st;
	int rc = xdpfw_state_open_ro(&st, pin_dir);

	if (!rc) {
		c->max_rules = xdpfw_state_max_rules(&st);
		c->sized = "the loaded firewall's";
		xdpfw_state_close(&st);
		return;
	}
	c->max_rules = XDPFW_DEFAULT_MAX_RULES;
	c->sized = rc == -ENOENT ? "a new load's default" :
				   "a new load's default: the state under --pin-dir could not be read";
}

/* Applies RS to a scratch firewall sized for C->max_rules: 0 and C filled
 * if it fits, 1 if not, -errno if the scratch cannot load; WHY says which. */
static int compile_set(const char *path, const struct xdpfw_ruleset *rs, struct compiled *c, char *why,
		       size_t whysz)
{
	struct xdpfw_state st;
	struct xdpfw_cfg cfg = { 0 };
	int rc;

	if (rs->n > c->max_rules) {
		snprintf(why, whysz, "%s: %zu rules do not fit --max-rules %u (%s): a larger --max-rules, or "
			 "fewer rules", path, rs->n, c->max_rules, c->sized);
		return 1;
	}
	rc = xdpfw_state_scratch(&st, xdpfw_obj_start, xdpfw_obj_end - xdpfw_obj_start, c->max_rules);
	if (rc) {
		snprintf(why, whysz, "--compile loads the datapath into the kernel, which failed: %s%s",
			 strerror(-rc), rc == -EPERM || rc == -EACCES ? " (it needs root, or CAP_BPF and CAP_NET_ADMIN)" : "");
		return rc;
	}
	rc = xdpfw_state_apply(&st, rs, rs->policy, &c->as);
	if (!rc)
		rc = xdpfw_state_cfg(&st, &cfg);
	if (!rc)
		rc = xdpfw_state_table_fill(&st, &cfg, c->tabs);
	c->gen = cfg.gen & 1;
	c->table_bytes = xdpfw_state_table_bytes(&st);
	xdpfw_state_close(&st);
	if (rc == -ENOSPC || rc == -E2BIG) {
		snprintf(why, whysz, "%s does not fit a firewall loaded with --max-rules %u (%s): a larger "
			 "--max-rules, or fewer or simpler rules", path, c->max_rules, c->sized);
		return 1;
	}
	if (rc)
		snprintf(why, whysz, "compiling %s failed: %s", path, strerror(-rc));
	return rc;
}

/* A bad or unfit set: WHY on stderr, and as JSON on stdout when asked (a
 * script that asked for JSON gets the verdict in it too). */
static int refused(const char *path, const char *why, bool json)
{
	xerr("%s", why);
	if (json) {
		struct bpfkit_json *jw = bpfkit_json__new(stdout, false);

		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_str(jw, "file", path);
		bpfkit_json__kv_bool(jw, "ok", false);
		bpfkit_json__kv_str(jw, "error", why);
		bpfkit_json__end_object(jw);
		bpfkit_json__free(jw);
	}
	return EXIT_FAIL;
}

static void print_text(const char *path, const struct xdpfw_ruleset *rs, const struct compiled *c)
{
	printf("%s: %zu rules ok%s%s\n", path, rs->n, rs->policy >= 0 ? ", policy " : "",
	       rs->policy >= 0 ? xdpfw_policy_str(rs->policy) : "");
	if (!c)
		return;
	printf("fits --max-rules %u (%s): %llu entries;\n", c->max_rules, c->sized,
	       (unsigned long long)c->as.entries);
	print_table_fill(c->tabs, c->gen, c->table_bytes, "\n");
}

static void print_json(const char *path, const struct xdpfw_ruleset *rs, const struct compiled *c)
{
	struct bpfkit_json *jw = bpfkit_json__new(stdout, false);

	bpfkit_json__begin_object(jw);
	bpfkit_json__kv_str(jw, "file", path);
	bpfkit_json__kv_bool(jw, "ok", true);
	bpfkit_json__kv_uint(jw, "rule_count", rs->n);
	if (rs->policy >= 0)
		bpfkit_json__kv_str(jw, "policy", xdpfw_policy_str(rs->policy));
	else {
		bpfkit_json__key(jw, "policy");
		bpfkit_json__null(jw);
	}
	if (c) {
		bpfkit_json__key(jw, "compiled");
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "max_rules", c->max_rules);
		bpfkit_json__kv_str(jw, "sized_as", c->sized);
		bpfkit_json__kv_uint(jw, "entries", c->as.entries);
		bpfkit_json__key(jw, "tables");
		bpfkit_json__begin_object(jw);
		for (int i = 0; i < XDPFW_NTABLES; i++) {
			bpfkit_json__key(jw, c->tabs[i].name);
			bpfkit_json__begin_object(jw);
			/* status -j's names, but one generation: no active/inactive */
			bpfkit_json__kv_uint(jw, "entries", c->tabs[i].used[c->gen]);
			bpfkit_json__kv_uint(jw, "slots_per_generation", c->tabs[i].slots);
			bpfkit_json__kv_uint(jw, "capacity_per_generation", c->tabs[i].cap);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_object(jw);
		bpfkit_json__kv_uint(jw, "table_bytes", c->table_bytes);
		bpfkit_json__end_object(jw);
	}
	bpfkit_json__end_object(jw);
	bpfkit_json__free(jw);
}

/* The policy RS would run under: its own, else the loaded firewall's. */
static int effective_policy(const struct xdpfw_ruleset *rs)
{
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;
	int policy = XDPFW_ALLOW;	/* a new load's */

	if (rs->policy >= 0)
		return rs->policy;
	if (!xdpfw_state_open_ro(&st, pin_dir)) {
		if (!xdpfw_state_cfg(&st, &cfg))
			policy = cfg.policy[cfg.gen & 1];
		xdpfw_state_close(&st);
	}
	return policy;
}

int xdpfw_check_fits(const char *path, const struct xdpfw_ruleset *rs, uint32_t max_rules, const char *sized)
{
	struct compiled c = { .max_rules = max_rules, .sized = sized };
	char why[512];
	int rc = compile_set(path, rs, &c, why, sizeof(why));

	if (rc)
		xerr("%s", why);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-size", required_argument, NULL, 'S' },
		{ "compile", no_argument, NULL, 'c' },
		{ "max-rules", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct compiled comp = { 0 };
	struct xdpfw_ruleset rs;
	bool compile = false, json = json_out;
	const char *path;
	char err[512];
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (parse_max_size("check", optarg))
				return EXIT_USAGE;
			break;
		case 'M':
			if (parse_max_rules("check", optarg, &comp.max_rules))
				return EXIT_USAGE;
			compile = true;
			comp.sized = "as asked";
			break;
		case 'c': compile = true; break;
		case 'j': json = true; break;
		case 'h':
			printf("Usage: xdpfw check FILE [--compile] [--max-rules N] [--json] [--max-size N]\n\n"
			       "Parses and checks a rules file ('-': stdin); applies nothing. Reads at\n"
			       "most 16 MiB (--max-size raises it) and refuses binary input.\n\n"
			       "      --compile      also compile the set into a scratch firewall: the datapath\n"
			       "                     loaded into the kernel with its tables, neither pinned nor\n"
			       "                     attached, gone when check exits. Says whether the set fits\n"
			       "                     (xdpfw apply would take it) and what it fills. Sized like\n"
			       "                     the firewall loaded under --pin-dir, else like a new load\n"
			       "                     (--max-rules %u). Needs root (CAP_BPF, CAP_NET_ADMIN).\n"
			       "      --max-rules N  size the scratch firewall for N rules (implies --compile)\n"
			       "  -j, --json         print the result as JSON\n"
			       MAX_SIZE_HELP "\n"
			       "Exit status: 0 ok, 1 the file is bad, does not fit, or could not be\n"
			       "compiled (the scratch firewall failed to load), 2 usage.\n",
			       XDPFW_DEFAULT_MAX_RULES);
			return EXIT_OK;
		case ':': return xusage("check", "option '%s' needs a value", argv[optind - 1]);
		default: return xusage("check", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return xusage("check", "wants one rules file");
	path = argv[optind];
	if (xdpfw_rules_parse_file(path, &rs, err, sizeof(err)))
		return refused(path, err, json);
	if (compile && !comp.max_rules)
		size_like_loaded(&comp);
	/* apply's other refusal, here a warning: it depends on where you run it */
	if (denies_ssh(&rs, effective_policy(&rs), err, sizeof(err)))
		fprintf(stderr, "xdpfw: warning: %s: apply would refuse it from this session: %s (apply --force "
			"overrides)\n", path, err);
	rc = compile ? compile_set(path, &rs, &comp, err, sizeof(err)) : 0;
	if (!rc)
		(json ? print_json : print_text)(path, &rs, compile ? &comp : NULL);
	xdpfw_ruleset_free(&rs);
	return rc ? refused(path, err, json) : EXIT_OK;
}
