/* apps/xdpfw/fleet.c — xdpfw's fleet commands on the operator's side:
 * `publish` (check a rule set as `check` does, then put it in etcd, with a
 * compare-and-swap on its revision), `publish --show`, and `fleet status`
 * (what every agent reports). Also the etcd options all fleet commands
 * share. The agent itself is sync.c. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"
#include "fleet.h"

int home_netns_fd = -1;

/* ---- shared options ---------------------------------------------------- */

/* etcdctl's durations: "500ms", "2s", "1m"; a bare number is seconds. */
static long parse_duration_ms(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0 && v <= 86400))	/* NaN too */
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v * 1000;
	if (!strcmp(end, "ms"))
		return v >= 1 ? (long)v : -1;
	if (!strcmp(end, "m"))
		return v * 60000;
	return -1;
}

int fleet_opt(struct fleet_opts *o, const char *cmd, int c, char **argv)
{
	const char *arg = optarg;
	char err[256];
	long ms;

	switch (c) {
	case ':': return xusage(cmd, "option '%s' needs a value", argv[optind - 1]);
	case FO_ETCD:
		if (etcd_cfg_endpoints(&o->ec, arg, err, sizeof(err)))
			return xusage(cmd, "%s", err);
		return 0;
	case FO_KEY: o->key = arg; return 0;
	case FO_CACERT: o->ec.cacert = arg; return 0;
	case FO_CERT: o->ec.cert = arg; return 0;
	case FO_KEYFILE: o->ec.key_file = arg; return 0;
	case FO_USER:
		/* etcd.c keeps the name in 256 bytes and the token in 1024: a
		 * longer one would be cut and sent, and refused as a wrong one */
		if (strcspn(arg, ":") > 255)
			return xusage(cmd, "--user name is longer than 255 bytes");
		o->ec.user = arg;
		return 0;
	case FO_PASSWORD: o->ec.password = arg; return 0;
	case FO_TOKEN:
		if (strlen(arg) >= sizeof(((struct etcd *)0)->token))
			return xusage(cmd, "--token is longer than %zu bytes",
				      sizeof(((struct etcd *)0)->token) - 1);
		o->ec.token = arg;
		return 0;
	case FO_DIAL:
	case FO_CMDTO:
		ms = parse_duration_ms(arg);
		if (ms <= 0)
			return xusage(cmd, "%s wants a duration like 500ms, 3s or 1m, not '%s'",
				      c == FO_DIAL ? "--dial-timeout" : "--command-timeout", arg);
		*(c == FO_DIAL ? &o->ec.dial_ms : &o->ec.cmd_ms) = ms;
		return 0;
	}
	return xusage(cmd, "unknown option '%s'", argv[optind - 1]);
}

static void env_default(const char **v, const char *name)
{
	const char *e = getenv(name);

	if (!*v && e && *e)
		*v = e;
}

/* A key is printable ASCII without spaces: it is typed in shells, printed in
 * one-line errors, and KEY/hosts/ must not collide with the set's key. */
static const char *key_problem(const char *k)
{
	size_t n = strlen(k);

	if (!n)
		return "is empty";
	if (n > FLEET_KEY_MAX)
		return "is longer than 512 bytes";
	for (const char *p = k; *p; p++)
		if (*p <= ' ' || *p >= 127)
			return "holds a space, control or non-ASCII character";
	if (k[n - 1] == '/')
		return "ends in '/'";
	if (strstr(k, FLEET_HOSTS))
		return "contains '" FLEET_HOSTS "' (where agents report)";
	return NULL;
}

int fleet_opts_finish(struct fleet_opts *o, const char *cmd)
{
	const char *why, *env = getenv("ETCDCTL_ENDPOINTS");
	char err[256];

	if (!o->ec.nep && env && *env && etcd_cfg_endpoints(&o->ec, env, err, sizeof(err)))
		return xusage(cmd, "ETCDCTL_ENDPOINTS: %s", err);
	env_default(&o->ec.cacert, "ETCDCTL_CACERT");
	env_default(&o->ec.cert, "ETCDCTL_CERT");
	env_default(&o->ec.key_file, "ETCDCTL_KEY");
	env_default(&o->ec.user, "ETCDCTL_USER");
	if (o->ec.user && strcspn(o->ec.user, ":") > 255)
		return xusage(cmd, "ETCDCTL_USER: the name is longer than 255 bytes");
	env_default(&o->ec.password, "ETCDCTL_PASSWORD");
	if (!o->ec.nep)
		return xusage(cmd, "missing --etcd URL");
	if (!o->key)
		return xusage(cmd, "missing --key KEY");
	why = key_problem(o->key);
	if (why)
		return xusage(cmd, "--key '%.80s' %s", o->key, why);
	if (!!o->ec.cert != !!o->ec.key_file)
		return xusage(cmd, "--cert and --key-file go together");
	return 0;
}

void fleet_opts_free(struct fleet_opts *o)
{
	etcd_cfg_free(&o->ec);
}

int fleet_home_netns(void)
{
	if (home_netns_fd >= 0 && setns(home_netns_fd, CLONE_NEWNET)) {
		xerr("returning to the first network namespace failed: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int fleet_read_file(const char *path, char **buf, size_t *len, char *err, size_t errsz)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 0, n, max = xdpfw_rules_max_bytes;
	struct stat sb;
	char *b = NULL;
	int rc = 0;

	*len = 0;
	if (!f) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	/* the bounds `check` has: fopen() opens a directory, and stdin or
	 * /dev/zero may never end */
	if (!fstat(fileno(f), &sb) && S_ISDIR(sb.st_mode)) {
		snprintf(err, errsz, "%s: is a directory, not a rules file", path);
		rc = -EISDIR;
	}
	errno = 0;
	while (!rc) {
		if (cap - *len < 65536) {
			char *nb = realloc(b, cap + (1 << 20));

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			b = nb;
			cap += 1 << 20;
		}
		n = fread(b + *len, 1, cap - *len - 1, f);
		*len += n;
		if (*len > max) {
			snprintf(err, errsz, "%s: more than %zu MiB of rules, the limit; stopped reading",
				 path, max >> 20);
			rc = -EFBIG;
		}
		if (!n)
			break;
	}
	if (!rc && ferror(f))
		rc = errno ? -errno : -EIO;
	if (f != stdin)
		fclose(f);
	if (rc) {
		if (rc != -EISDIR && rc != -EFBIG)
			snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		free(b);
		return rc;
	}
	b[*len] = 0;
	*buf = b;
	return 0;
}

/* ---- publish ----------------------------------------------------------- */

static int show(struct etcd *e, const char *key, bool json)
{
	struct xdpfw_ruleset rs;
	struct etcd_kv kv;
	char err[512] = "";
	int rc = etcd_get(e, key, &kv, NULL);

	if (rc == -ENOENT) {
		xerr("no rule set at '%s' (xdpfw publish FILE puts one there)", key);
		return EXIT_FAIL;
	}
	if (rc) {
		xerr("%s", e->err);
		return EXIT_FAIL;
	}
	/* said whether the stored set would apply: etcdctl can put anything */
	if (xdpfw_rules_parse_text(kv.value, kv.vlen, key, &rs, err, sizeof(err)))
		rs.n = 0;
	if (json) {
		json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:b,s:I,s:s%}", "key", key,
				      "revision", (json_int_t)kv.mod_rev, "version", (json_int_t)kv.version,
				      "create_revision", (json_int_t)kv.create_rev, "valid", !err[0],
				      "rules", (json_int_t)rs.n, "value", kv.value, kv.vlen);

		if (!j) {
			/* not UTF-8 (forced in with etcdctl): say so instead of the text */
			j = json_pack("{s:s,s:I,s:I,s:I,s:b,s:I,s:s}", "key", key,
				      "revision", (json_int_t)kv.mod_rev, "version", (json_int_t)kv.version,
				      "create_revision", (json_int_t)kv.create_rev, "valid", !err[0],
				      "rules", (json_int_t)rs.n, "value_error",
				      "not UTF-8 text (xdpfw publish --show without -j prints it)");
			etcd_printable(err, sizeof(err), err, true);
		}
		if (j && err[0])
			json_object_set_new(j, "error", json_string(err));
		if (j)
			json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		if (err[0])
			printf("# %s: revision %lld, INVALID: %s\n", key, (long long)kv.mod_rev, err);
		else
			printf("# %s: revision %lld, %zu rules\n", key, (long long)kv.mod_rev, rs.n);
		fwrite(kv.value, 1, kv.vlen, stdout);
		if (kv.vlen && kv.value[kv.vlen - 1] != '\n')
			putchar('\n');
	}
	xdpfw_ruleset_free(&rs);
	etcd_kv_free(&kv);
	return EXIT_OK;
}

int cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = {
		FLEET_LONGOPTS,
		{ "if-revision", required_argument, NULL, 'r' },
		{ "max-rules", required_argument, NULL, 'M' },
		{ "show", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct fleet_opts fo = { 0 };
	struct xdpfw_ruleset rs;
	struct etcd e;
	bool showit = false, json = json_out;	/* xdpfw -j publish --show */
	long long if_rev = -1;
	uint32_t max_rules = 0;
	int64_t rev = 0, cur = 0;
	char err[512], *text = NULL, *end;
	size_t len;
	int c, rc, ret = EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			errno = 0;
			if_rev = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || if_rev < 0) {
				ret = xusage("publish", "--if-revision wants a revision (0: the key must not exist), not '%s'",
					     optarg);
				goto out;
			}
			break;
		case 'M':
			if (parse_max_rules("publish", optarg, &max_rules)) {
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 's': showit = true; break;
		case 'j': json = true; break;
		case 'h':
			printf("Usage: xdpfw publish FILE --etcd URL --key KEY [--if-revision N] [--max-rules N]\n"
			       "       xdpfw publish --show [-j] --etcd URL --key KEY\n"
			       "\n"
			       "Checks the rules file FILE ('-': stdin) exactly as `xdpfw check` does and,\n"
			       "only if it is valid, stores its text under KEY in etcd, where every\n"
			       "`xdpfw sync` agent following KEY picks it up. Prints the new revision.\n"
			       "With --if-revision N it is stored only if KEY is still at revision N\n"
			       "(0: only if KEY does not exist yet), in one etcd transaction, so two\n"
			       "operators cannot overwrite each other unknowingly.\n"
			       "With --max-rules N it is first applied to a scratch firewall sized like\n"
			       "hosts synced with `xdpfw sync --max-rules N` (as `xdpfw check --max-rules N`\n"
			       "does; needs root), and a set that would not fit them is not published.\n"
			       "--show prints the stored set, its revision and whether it is valid\n"
			       "(as a rules file, or with -j as JSON).\n"
			       "\n%s", FLEET_OPTS_HELP);
			ret = EXIT_OK;
			goto out;
		default:
			rc = fleet_opt(&fo, "publish", c, argv);
			if (rc) {
				ret = rc;
				goto out;
			}
		}
	}
	if (showit ? optind != argc : optind != argc - 1) {
		ret = xusage("publish", showit ? "--show takes no file" :
			     optind >= argc ? "missing the rules file" : "one rules file only");
		goto out;
	}
	if (json && !showit) {
		ret = xusage("publish", "-j is for --show (publishing prints one line)");
		goto out;
	}
	if (showit && (if_rev >= 0 || max_rules)) {
		ret = xusage("publish", "--show takes neither --if-revision nor --max-rules");
		goto out;
	}
	rc = fleet_opts_finish(&fo, "publish");
	if (rc) {
		ret = rc;
		goto out;
	}
	if (!showit) {
		/* exactly what `check` does, on the very bytes that will be stored */
		if (fleet_read_file(argv[optind], &text, &len, err, sizeof(err)) ||
		    xdpfw_rules_parse_text(text, len, argv[optind], &rs, err, sizeof(err))) {
			xerr("%s; nothing published", err);
			goto out;
		}
		/* before etcd: the fleet never sees a set its hosts cannot hold */
		if (max_rules && xdpfw_check_fits(argv[optind], &rs, max_rules, "as the hosts' sync --max-rules")) {
			xerr("nothing published");
			goto out_rules;
		}
	}
	if (fleet_home_netns() || etcd_open(&e, &fo.ec))
		goto out_rules;
	if (showit) {
		ret = show(&e, fo.key, json);
		goto out_etcd;
	}
	if (if_rev >= 0)
		rc = etcd_cas(&e, fo.key, text, len, if_rev, &rev, &cur);
	else
		rc = etcd_put(&e, fo.key, text, len, 0, &rev);
	if (rc == -ESTALE) {
		if (!cur)
			xerr("'%s' does not exist, not at revision %lld; nothing published", fo.key, if_rev);
		else if (!if_rev)
			xerr("'%s' already exists (revision %lld); nothing published", fo.key, (long long)cur);
		else
			xerr("'%s' is at revision %lld, not %lld: someone published since "
			     "(xdpfw publish --show); nothing published", fo.key, (long long)cur, if_rev);
		goto out_etcd;
	}
	if (rc) {
		/* etcd: "request is too large"; its gRPC server, above ~2 MiB:
		 * "received message larger than max" */
		xerr("%s; nothing published%s", e.err,
		     strstr(e.err, "too large") || strstr(e.err, "larger than max") ?
		     " (etcd's --max-request-bytes, 1.5 MiB by default, limits the set's size)" : "");
		goto out_etcd;
	}
	printf("published %s to %s: revision %lld, %zu rules%s%s\n", argv[optind], fo.key,
	       (long long)rev, rs.n, rs.policy >= 0 ? ", policy " : "",
	       rs.policy >= 0 ? xdpfw_policy_str(rs.policy) : "");
	ret = EXIT_OK;
out_etcd:
	etcd_close(&e);
out_rules:
	if (!showit)
		xdpfw_ruleset_free(&rs);
out:
	free(text);
	fleet_opts_free(&fo);
	return ret;
}

/* ---- fleet status ------------------------------------------------------ */

struct host {
	const char *name, *error, *time, *policy;
	int64_t rev, failed_rev, rules, time_ms;
	const char *state;
	json_t *j;
};

static int fleet_status(int argc, char **argv)
{
	static const struct option opts[] = {
		FLEET_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "expect", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct fleet_opts fo = { 0 };
	struct etcd_kv set = { 0 }, *kvs = NULL;
	struct host *h = NULL;
	struct etcd e;
	bool json = json_out, checkit = false;	/* json_out: xdpfw -j fleet status */
	size_t n = 0, nrep = 0, nok = 0, nbehind = 0, nfail = 0, nmiss = 0, nexp = 0;
	char *expect = NULL, *tok, *save = NULL;
	char prefix[600];
	int c, rc, ret = EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'c': checkit = true; break;
		case 'x':
			free(expect);
			expect = strdup(optarg);
			break;
		case 'h':
			printf("Usage: xdpfw fleet status --etcd URL --key KEY [-j] [--check] [--expect HOST,...]\n"
			       "\n"
			       "Lists the hosts whose `xdpfw sync` agent follows KEY (their status lives\n"
			       "under KEY/hosts/NAME while the agent runs, and disappears a lease TTL after\n"
			       "it stopped), with the revision each enforces, and flags the ones 'behind'\n"
			       "(enforcing an older revision than KEY's) or 'failing' (the current\n"
			       "revision did not parse or apply there; they keep their last good set).\n"
			       "  --expect HOST[,HOST...]  these hosts should report: the ones that do not\n"
			       "            are listed as 'missing' (agent not running, or cut off from etcd\n"
			       "            longer than its lease)\n"
			       "  --check   exit 1 unless at least one host reports and every host is ok\n"
			       "            (and none is missing)\n"
			       "\n%s", FLEET_OPTS_HELP);
			ret = EXIT_OK;
			goto out;
		default:
			rc = fleet_opt(&fo, "fleet status", c, argv);
			if (rc) {
				ret = rc;
				goto out;
			}
		}
	}
	if (optind != argc) {
		ret = xusage("fleet status", "takes no arguments");
		goto out;
	}
	rc = fleet_opts_finish(&fo, "fleet status");
	if (rc) {
		ret = rc;
		goto out;
	}
	if (fleet_home_netns() || etcd_open(&e, &fo.ec))
		goto out;
	rc = etcd_get(&e, fo.key, &set, NULL);
	if (rc && rc != -ENOENT) {
		xerr("%s", e.err);
		goto out_etcd;
	}
	snprintf(prefix, sizeof(prefix), "%s" FLEET_HOSTS, fo.key);
	if (etcd_list(&e, prefix, &kvs, &n, NULL)) {
		xerr("%s", e.err);
		goto out_etcd;
	}
	for (const char *p = expect; p && *p; p++)
		nexp += *p == ',';
	h = calloc(n + nexp + 2, sizeof(*h));
	if (!h)
		goto out_etcd;
	nrep = n;
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_loadb(kvs[i].value, kvs[i].vlen, 0, NULL);

		h[i].j = j;
		h[i].name = kvs[i].key + strlen(prefix);
		h[i].rev = json_integer_value(json_object_get(j, "revision"));
		h[i].failed_rev = json_integer_value(json_object_get(j, "failed_revision"));
		h[i].rules = json_integer_value(json_object_get(j, "rules"));
		h[i].time_ms = json_integer_value(json_object_get(j, "time_ms"));
		h[i].error = json_string_value(json_object_get(j, "error"));
		h[i].time = json_string_value(json_object_get(j, "time"));
		h[i].policy = json_string_value(json_object_get(j, "policy"));
		if (!j) {
			h[i].state = "failing";
			h[i].error = "its status is not JSON";
		} else if (h[i].error && *h[i].error) {
			h[i].state = "failing";
		} else if (h[i].rev < set.mod_rev) {
			h[i].state = "behind";
		} else {
			h[i].state = "ok";
		}
		nok += h[i].state[0] == 'o';
		nbehind += h[i].state[0] == 'b';
		nfail += h[i].state[0] == 'f';
	}
	for (tok = expect ? strtok_r(expect, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < n && strcmp(h[i].name, tok); i++)
			;
		if (i < n)
			continue;
		h[n].name = tok;
		h[n].state = "missing";
		h[n].error = "no report: agent not running, or cut off from etcd longer than its lease";
		n++;
		nmiss++;
	}
	if (json) {
		json_t *arr = json_array();
		json_t *top = json_pack("{s:s,s:I,s:o,s:I,s:I,s:I,s:I}", "key", fo.key,
					"revision", (json_int_t)set.mod_rev, "hosts", arr,
					"ok", (json_int_t)nok, "behind", (json_int_t)nbehind,
					"failing", (json_int_t)nfail, "missing", (json_int_t)nmiss);

		for (size_t i = 0; arr && i < n; i++) {
			json_t *nm = json_string(h[i].name);
			char nb[256];

			if (!nm) {
				/* not UTF-8 (only etcdctl puts such a key): listed all the
				 * same, the odd bytes as '?' */
				nm = json_string(etcd_printable(nb, sizeof(nb), h[i].name, true));
			}
			json_array_append_new(arr, json_pack("{s:o,s:s,s:I,s:I,s:s?,s:s?,s:I,s:s,s:I}",
				"host", nm, "state", h[i].state, "revision", (json_int_t)h[i].rev,
				"rules", (json_int_t)h[i].rules, "policy", h[i].policy,
				"time", h[i].time, "time_ms", (json_int_t)h[i].time_ms, "error", h[i].error ? h[i].error : "",
				"failed_revision", (json_int_t)h[i].failed_rev));
		}
		if (top)
			json_dumpf(top, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(top);
	} else {
		printf("%s: revision %lld; %zu hosts: %zu ok, %zu behind, %zu failing", fo.key,
		       (long long)set.mod_rev, nrep, nok, nbehind, nfail);
		if (expect)
			printf(", %zu missing", nmiss);
		putchar('\n');
		if (n)
			printf("%-24s %-8s %9s %7s  %-20s %s\n", "HOST", "STATE", "REVISION", "RULES",
			       "SINCE", "ERROR");
		/* reports come from etcd, where anyone with write access (etcdctl)
		 * can put newlines and terminal escapes: one line per host */
		for (size_t i = 0; i < n; i++) {
			char nb[256], tb[64], eb[1024];

			printf("%-24s %-8s %9lld %7lld  %-20s %s\n", etcd_printable(nb, sizeof(nb), h[i].name, false),
			       h[i].state, (long long)h[i].rev, (long long)h[i].rules,
			       h[i].time ? etcd_printable(tb, sizeof(tb), h[i].time, false) : "-",
			       h[i].error ? etcd_printable(eb, sizeof(eb), h[i].error, false) : "");
		}
	}
	ret = checkit && (!n || nok != n) ? EXIT_FAIL : EXIT_OK;
out_etcd:
	for (size_t i = 0; h && i < nrep; i++)
		json_decref(h[i].j);
	free(h);
	etcd_kvs_free(kvs, nrep);
	etcd_kv_free(&set);
	etcd_close(&e);
out:
	free(expect);
	fleet_opts_free(&fo);
	return ret;
}

int cmd_fleet(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		printf("Usage: xdpfw fleet status --etcd URL --key KEY [-j] [--check] [--expect HOST,...]\n"
		       "\n"
		       "The hosts following a rule set in etcd (see xdpfw publish, xdpfw sync).\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "status"))
		return fleet_status(argc - 1, argv + 1);
	return xusage("fleet", "unknown verb '%s' (status)", argv[1]);
}
