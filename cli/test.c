/* cli/test.c — `bpfkit test OBJ --prog NAME (--packet SPEC ... | --pcap IN)
 * [--expect V ...] [--cases FILE] [--out OUT.pcap] [--repeat N] [-j]`: runs a
 * program on packets with BPF_PROG_TEST_RUN (nothing attached) and shows, per
 * packet, the verdict, how the packet changed and the time per run; with
 * expectations it is a test (exit 1 on any mismatch, naming the packet). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpfkit/logger.h>
#include <bpfkit/packet.h>
#include <bpfkit/testrun.h>
#include "cli.h"

#define MAX_PACKETS 100000

static void test_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit test OBJ [--prog NAME] (--packet SPEC ... | --pcap IN | --cases FILE)\n"
		"                   [--expect VERDICT ...] [--out OUT.pcap] [--repeat N] [-j]\n"
		"\n"
		"Loads OBJ and runs one of its programs on each packet with BPF_PROG_TEST_RUN,\n"
		"without attaching anything. Prints per packet the verdict, how the program\n"
		"changed the packet, the log records it wrote (bpfkit/log.h), and with\n"
		"--repeat the kernel-measured time per run.\n"
		"\n"
		"  -P, --prog NAME       the program (optional if OBJ has one)\n"
		"  -k, --packet SPEC     a packet in the spec language (repeatable), e.g.\n"
		"                        'eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234/len 100'\n"
		"                        'ipv6 fd00::1>fd00::2/tcp 40000>80/flags S'\n"
		"                        'vlan 100/ipv4 10.0.0.1>10.0.0.2/icmp echo'\n"
		"                        'arp who-has 10.0.0.2 tell 10.0.0.1'  (docs/test.md)\n"
		"  -r, --pcap IN         packets from a pcap file (Ethernet)\n"
		"  -c, --cases FILE      lines 'VERDICT SPEC' (# comments): packets and expectations\n"
		"  -e, --expect V        expected verdict: once for all packets, or once per packet\n"
		"                        (PASS, XDP_DROP, TC_ACT_SHOT, ACCEPT, a number, ...)\n"
		"  -o, --out OUT.pcap    write the packets as the program left them\n"
		"  -n, --repeat N        run each packet N times; report ns per run\n"
		"  -j, --json            JSON output\n"
		"\n"
		"Exit status: 0 all verdicts as expected, 1 a mismatch or failure, 2 usage.\n");
}

struct pkt {
	unsigned char *data;
	size_t len;
	char *spec;		/* as given, or NULL (pcap) */
	char *expect;		/* or NULL */
};

struct pkts {
	struct pkt *v;
	int n, cap;
};

static int add_pkt(struct pkts *ps, const unsigned char *data, size_t len, const char *spec,
		   const char *expect)
{
	struct pkt *p;

	if (ps->n == MAX_PACKETS) {
		cli_err("more than %d packets", MAX_PACKETS);
		return -E2BIG;
	}
	if (ps->n == ps->cap) {
		int cap = ps->cap ? ps->cap * 2 : 16;
		struct pkt *v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	p = &ps->v[ps->n];
	memset(p, 0, sizeof(*p));
	p->data = malloc(len ? len : 1);
	p->spec = spec ? strdup(spec) : NULL;
	p->expect = expect ? strdup(expect) : NULL;
	if (!p->data || (spec && !p->spec) || (expect && !p->expect)) {
		free(p->data);
		free(p->spec);
		free(p->expect);
		return -ENOMEM;
	}
	memcpy(p->data, data, len);
	p->len = len;
	ps->n++;
	return 0;
}

static void free_pkts(struct pkts *ps)
{
	for (int i = 0; i < ps->n; i++) {
		free(ps->v[i].data);
		free(ps->v[i].spec);
		free(ps->v[i].expect);
	}
	free(ps->v);
}

static int add_spec(struct pkts *ps, const char *spec, const char *expect, const char *where)
{
	static unsigned char buf[BPFKIT_PACKET_MAX];
	char err[256];
	size_t len;
	int r = bpfkit_packet__from_spec(spec, buf, sizeof(buf), &len, err, sizeof(err));

	if (r) {
		cli_err("%s'%s': %s", where, spec, err);
		return r;
	}
	return add_pkt(ps, buf, len, spec, expect);
}

static int read_cases(struct pkts *ps, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, where[300];
	size_t cap = 0;
	int lineno = 0, err = 0;

	if (!f) {
		cli_err("cases '%s': %s", path, strerror(errno));
		return -errno;
	}
	while (!err && getline(&line, &cap, f) > 0) {
		char *s = line, *verdict;

		lineno++;
		s[strcspn(s, "\r\n")] = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		verdict = s;
		s += strcspn(s, " \t");
		if (!*s) {
			cli_err("cases %s:%d: want 'VERDICT SPEC'", path, lineno);
			err = -EINVAL;
			break;
		}
		*s++ = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		snprintf(where, sizeof(where), "cases %s:%d: packet ", path, lineno);
		err = add_spec(ps, s, verdict, where);
	}
	if (!err && ferror(f)) {	/* a directory, an I/O error: not "no packets" */
		err = -(errno ?: EIO);
		cli_err("cases '%s': %s", path, strerror(-err));
	}
	free(line);
	fclose(f);
	if (!err && !ps->n) {
		cli_err("cases '%s': no packets in it", path);
		err = -EINVAL;
	}
	return err;
}

static int pcap_one(const void *data, size_t len, void *ctx)
{
	struct pkts *ps = ctx;

	if (len < 14 || len > BPFKIT_PACKET_MAX) {
		cli_err("pcap: packet %d has %zu bytes (14..%d can be test-run)", ps->n + 1, len,
			BPFKIT_PACKET_MAX);
		return -EINVAL;
	}
	return add_pkt(ps, data, len, NULL, NULL);
}

static int read_pcap(struct pkts *ps, const char *path)
{
	char err[300];
	int r = bpfkit_packet__read_pcap(path, pcap_one, ps, err, sizeof(err));

	if (r && err[0])
		cli_err("pcap '%s': %s", path, err);
	if (!r && !ps->n) {
		cli_err("pcap '%s': no packets in it", path);
		r = -EINVAL;
	}
	return r;
}

/* "bytes 12-13, 26-33" */
static void diff_ranges(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen,
			char *out, size_t sz)
{
	size_t n = alen < blen ? alen : blen, used = 0;
	int shown = 0;

	out[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t j;

		if (a[i] == b[i]) {
			i++;
			continue;
		}
		for (j = i; j < n && a[j] != b[j]; j++)
			;
		if (shown == 6) {
			used += snprintf(out + used, used < sz ? sz - used : 0, ", ...");
			break;
		}
		if (used < sz)
			used += snprintf(out + used, sz - used, "%s%zu%s", shown ? ", " : "bytes ", i,
					 j - i > 1 ? "" : "");
		if (j - i > 1 && used < sz)
			used += snprintf(out + used, sz - used, "-%zu", j - 1);
		shown++;
		i = j;
	}
}

struct ctx {
	struct bpfkit_json *jw;
	struct bpfkit_logger *lg;	/* NULL if the program does not log */
	char **logs;			/* this packet's records */
	int n_logs;
	int prog_type;
	unsigned repeat;
	struct bpfkit_pcap_writer *dump;
};

static int on_record(const struct bpfkit_log_record *rec, void *vctx)
{
	struct ctx *c = vctx;
	static const char *const lv[] = { "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };
	char **v;
	char *line;

	if (c->n_logs >= 64)
		return 0;
	if (asprintf(&line, "%s %s: %s", rec->bad ? "BAD" : lv[rec->level <= 5 ? rec->level : 0],
		     rec->func, rec->msg) < 0)
		return 0;
	v = realloc(c->logs, (c->n_logs + 1) * sizeof(*v));
	if (!v) {
		free(line);
		return 0;
	}
	c->logs = v;
	c->logs[c->n_logs++] = line;
	return 0;
}

static void clear_logs(struct ctx *c)
{
	for (int i = 0; i < c->n_logs; i++)
		free(c->logs[i]);
	free(c->logs);
	c->logs = NULL;
	c->n_logs = 0;
}

/* 0 as expected (or nothing expected), 1 mismatch, <0 error */
static int run_one(struct ctx *c, int fd, int idx, const struct pkt *p, const char *expect)
{
	static unsigned char out[BPFKIT_PACKET_MAX + 512];
	struct bpfkit_testrun_opts o = { .sz = sizeof(o), .data_out = out, .data_out_sz = sizeof(out) };
	struct bpfkit_testrun_result r = {};
	char desc[512], after[512], verdict[64], ranges[160];
	int err, changed, mismatch = 0;

	bpfkit_packet__describe(p->data, p->len, desc, sizeof(desc));
	err = bpfkit_testrun__run(fd, p->data, p->len, &o, &r);
	if (err) {
		cli_err("packet %d (%s): test run failed: %s", idx, p->spec ?: desc, strerror(-err));
		return err;
	}
	if (c->lg)
		bpfkit_logger__drain(c->lg);	/* this packet's records, before the timed runs */
	if (c->repeat > 1) {
		/* Timed separately: the kernel re-runs the program on the same
		 * buffer, so run 2 would see what run 1 left (an echo turned
		 * into a reply) and the verdict above would not be packet's. */
		struct bpfkit_testrun_opts t = { .sz = sizeof(t), .repeat = c->repeat };
		struct bpfkit_testrun_result tr = {};

		err = bpfkit_testrun__run(fd, p->data, p->len, &t, &tr);
		if (err) {
			cli_err("packet %d (%s): timed run failed: %s", idx, p->spec ?: desc, strerror(-err));
			return err;
		}
		r.duration_ns = tr.duration_ns;
		if (c->lg) {
			struct ctx quiet = *c;

			/* the timed runs log too: read and drop their records */
			c->n_logs = 0;
			c->logs = NULL;
			bpfkit_logger__drain(c->lg);
			clear_logs(c);
			c->logs = quiet.logs;
			c->n_logs = quiet.n_logs;
		}
	}
	bpfkit_testrun__verdict_str(c->prog_type, r.retval, verdict, sizeof(verdict));
	if (expect)
		mismatch = !bpfkit_testrun__verdict_matches(c->prog_type, expect, r.retval);
	if ((c->prog_type == BPF_PROG_TYPE_SOCKET_FILTER || c->prog_type == BPF_PROG_TYPE_CGROUP_SKB) &&
	    r.data_out_len >= 14)
		memcpy(out, p->data, 14);	/* the kernel hands these back without their MAC header */
	changed = r.data_out_len != p->len || memcmp(out, p->data, p->len);
	diff_ranges(p->data, p->len, out, r.data_out_len, ranges, sizeof(ranges));
	bpfkit_packet__describe(out, r.data_out_len, after, sizeof(after));
	if (c->dump)
		bpfkit_pcap_writer__write(c->dump, out, r.data_out_len);
	if (c->jw) {
		struct bpfkit_json *jw = c->jw;

		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_int(jw, "packet", idx);
		if (p->spec)
			bpfkit_json__kv_str(jw, "spec", p->spec);
		bpfkit_json__kv_str(jw, "describe", desc);
		bpfkit_json__kv_uint(jw, "len", p->len);
		bpfkit_json__kv_uint(jw, "retval", r.retval);
		bpfkit_json__kv_str(jw, "verdict", verdict);
		if (expect) {
			bpfkit_json__kv_str(jw, "expect", expect);
			bpfkit_json__kv_bool(jw, "ok", !mismatch);
		}
		bpfkit_json__kv_bool(jw, "changed", changed);
		if (changed) {
			bpfkit_json__kv_uint(jw, "out_len", r.data_out_len);
			bpfkit_json__kv_str(jw, "out_describe", after);
			bpfkit_json__kv_str(jw, "diff", ranges);
		}
		if (c->repeat > 1) {
			bpfkit_json__kv_uint(jw, "repeat", c->repeat);
			bpfkit_json__kv_uint(jw, "ns_per_run", r.duration_ns);
		}
		if (c->lg) {
			bpfkit_json__key(jw, "log");
			bpfkit_json__begin_array(jw);
			for (int i = 0; i < c->n_logs; i++)
				bpfkit_json__string(jw, c->logs[i]);
			bpfkit_json__end_array(jw);
		}
		bpfkit_json__end_object(jw);
		clear_logs(c);
		return mismatch;
	}
	printf("packet %d: %s\n", idx, p->spec ?: desc);
	printf("  verdict  %s", verdict);
	if (expect)
		printf("  (expected %s: %s)", expect, mismatch ? "MISMATCH" : "ok");
	putchar('\n');
	if (!changed) {
		printf("  packet   unchanged\n");
	} else {
		printf("  packet   changed:");
		if (r.data_out_len != p->len)
			printf(" length %zu -> %zu%s", p->len, r.data_out_len, ranges[0] ? ";" : "");
		if (ranges[0])
			printf(" %s", ranges);
		printf("\n  now      %s\n", after);
	}
	for (int i = 0; i < c->n_logs; i++)
		printf("  log      %s\n", c->logs[i]);
	if (c->repeat > 1)
		printf("  time     %u ns/run (%u runs, kernel-measured)\n", r.duration_ns, c->repeat);
	clear_logs(c);
	return mismatch;
}

static struct bpf_program *pick_prog(struct bpfkit_object *obj, const char *name, const char *path)
{
	struct bpf_object *bo = bpfkit_object__bpf_object(obj);
	struct bpf_program *p, *only = NULL;
	int n = 0;

	bpf_object__for_each_program(p, bo) {
		only = p;
		n++;
	}
	if (name) {
		p = bpf_object__find_program_by_name(bo, name);
		if (p)
			return p;
		cli_err("object '%s': no program named '%s'; it has:", path, name);
	} else if (n == 1) {
		return only;
	} else {
		cli_err("object '%s' has %d programs; name one with --prog:", path, n);
	}
	bpf_object__for_each_program(p, bo)
		fprintf(stderr, "  %s (%s)\n", bpf_program__name(p), bpf_program__section_name(p));
	return NULL;
}

int do_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prog", required_argument, NULL, 'P' },
		{ "packet", required_argument, NULL, 'k' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "cases", required_argument, NULL, 'c' },
		{ "expect", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *prog = NULL, *pcap_in = NULL, *cases = NULL, *out_path = NULL;
	char **specs = NULL, **expects = NULL;
	int n_specs = 0, n_expects = 0, c, ret = EXIT_FAIL;
	struct ctx cx = { .repeat = 1 };
	struct bpfkit_object *obj = NULL;
	struct pkts ps = {};
	struct bpf_program *p;
	long v;

	specs = calloc(argc, sizeof(*specs));
	expects = calloc(argc, sizeof(*expects));
	if (!specs || !expects) {
		free(specs);
		free(expects);
		return EXIT_FAIL;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":P:k:r:c:e:o:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'P': prog = optarg; break;
		case 'k': specs[n_specs++] = optarg; break;
		case 'r': pcap_in = optarg; break;
		case 'c': cases = optarg; break;
		case 'e': expects[n_expects++] = optarg; break;
		case 'o': out_path = optarg; break;
		case 'n':
			v = cli_parse_ulong(optarg, 100000000);
			if (v < 1) {
				ret = usage_error("test", "--repeat wants a number 1..100000000, not '%s'", optarg);
				goto out;
			}
			cx.repeat = v;
			break;
		case 'j': json_output = true; break;
		case 'h': test_help(stdout); ret = EXIT_OK; goto out;
		case ':': ret = usage_error("test", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: ret = usage_error("test", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error("test", "which object? (bpfkit test OBJ --packet SPEC)");
		goto out;
	}
	if (optind + 1 < argc) {
		ret = usage_error("test", "unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	if (!!n_specs + !!pcap_in + !!cases != 1) {
		ret = usage_error("test", "give packets with exactly one of --packet, --pcap or --cases");
		goto out;
	}
	if (cases && n_expects) {
		ret = usage_error("test", "--cases carries its own expectations; drop --expect");
		goto out;
	}
	/* packets first: a bad spec is found before anything touches the kernel */
	for (int i = 0; i < n_specs; i++)
		if (add_spec(&ps, specs[i], NULL, "packet ")) {
			ret = EXIT_USAGE;
			goto out;
		}
	if ((pcap_in && read_pcap(&ps, pcap_in)) || (cases && read_cases(&ps, cases)))
		goto out;
	if (n_expects > 1 && n_expects != ps.n) {
		ret = usage_error("test", "%d --expect for %d packets: give one for all, or one per packet",
				  n_expects, ps.n);
		goto out;
	}

	/* `test` attaches nothing and must leave nothing behind: maps declared
	 * LIBBPF_PIN_BY_NAME are not pinned on bpffs (nor reused) */
	obj = bpfkit_object__open_file(argv[optind], NULL);
	if (!obj || bpfkit_object__no_auto_pin(obj))
		goto out;
	p = pick_prog(obj, prog, argv[optind]);
	if (!p)
		goto out;
	cx.prog_type = bpf_program__type(p);
	/* loaded first: what the verifier says of any program is worth seeing */
	if (cli_load(obj))
		goto out;
	if (!bpfkit_testrun__takes_packets(cx.prog_type)) {
		cli_err("prog '%s': a %s program cannot be run on packets; BPF_PROG_TEST_RUN takes packets for "
			"xdp, tc (sched_cls/sched_act), socket_filter, cgroup_skb, lwt and flow_dissector programs",
			bpf_program__name(p), libbpf_bpf_prog_type_str(cx.prog_type) ?: "?");
		goto out;
	}
	{
		struct bpfkit_logger_opts lo = { .sz = sizeof(lo), .fn = on_record, .ctx = &cx };

		cx.lg = bpfkit_logger__new(obj, &lo);	/* NULL: the object does not log */
	}
	for (int i = 0; i < n_expects; i++) {
		unsigned int dummy;

		if (bpfkit_testrun__parse_verdict(cx.prog_type, expects[i], &dummy)) {
			ret = usage_error("test", "'%s' is not a verdict of a %s program", expects[i],
					  libbpf_bpf_prog_type_str(cx.prog_type) ?: "?");
			goto out;
		}
	}
	for (int i = 0; i < ps.n; i++) {
		unsigned int dummy;

		if (ps.v[i].expect && bpfkit_testrun__parse_verdict(cx.prog_type, ps.v[i].expect, &dummy)) {
			cli_err("cases '%s': '%s' is not a verdict of a %s program", cases, ps.v[i].expect,
				libbpf_bpf_prog_type_str(cx.prog_type) ?: "?");
			goto out;
		}
	}
	if (out_path) {
		char err[300] = "";

		cx.dump = bpfkit_pcap_writer__open(out_path, err, sizeof(err));
		if (!cx.dump) {
			cli_err("out '%s': %s", out_path, err[0] ? err : strerror(errno));
			goto out;
		}
	}
	if (json_output) {
		cx.jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(cx.jw);
	}

	int mismatches = 0, first_bad = 0, errors = 0;
	for (int i = 0; i < ps.n; i++) {
		const char *exp = ps.v[i].expect ?: n_expects == 1 ? expects[0] : n_expects ? expects[i] : NULL;
		int r = run_one(&cx, bpf_program__fd(p), i + 1, &ps.v[i], exp);

		if (r < 0) {
			errors++;
			break;
		}
		if (r > 0 && !mismatches++)
			first_bad = i + 1;
	}
	if (cx.jw) {
		bpfkit_json__end_array(cx.jw);
		bpfkit_json__free(cx.jw);
	}
	if (cx.dump && bpfkit_pcap_writer__close(cx.dump)) {
		cli_err("out '%s': write failed", out_path);
		errors++;
	}
	cx.dump = NULL;
	if (errors)
		goto out;
	if (mismatches) {
		struct pkt *b = &ps.v[first_bad - 1];
		char desc[512];

		bpfkit_packet__describe(b->data, b->len, desc, sizeof(desc));
		cli_err("%d of %d packets did not give the expected verdict; first: packet %d (%s)",
			mismatches, ps.n, first_bad, b->spec ?: desc);
		goto out;
	}
	if (!json_output && (n_expects || cases))
		printf("%d packet%s, all as expected\n", ps.n, ps.n == 1 ? "" : "s");
	ret = EXIT_OK;
out:
	bpfkit_logger__free(cx.lg);
	clear_logs(&cx);
	bpfkit_pcap_writer__close(cx.dump);
	bpfkit_object__close(obj);
	free_pkts(&ps);
	free(specs);
	free(expects);
	return ret;
}
