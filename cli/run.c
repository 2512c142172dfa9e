/* cli/run.c — `bpfkit run` (load, attach, stream output until Ctrl-C, detach)
 * and `bpfkit trace` (stream bpf_printk output). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void run_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit run OBJ [--iface IF] [--mode MODE] [--prog NAME] [--force] [--timeout SEC]\n"
		"                      [--multi [--priority N]]\n"
		"\n"
		"Loads the BPF object OBJ and attaches its programs: its XDP program to IF\n"
		"(an object with several needs --prog NAME: one per interface), every\n"
		"tracepoint program to the tracepoint its section names; other program\n"
		"types are loaded but not attached. Everything is checked before anything\n"
		"is attached. Then it streams bpf_printk output and bpfkit log records\n"
		"until Ctrl-C (SIGINT) or SIGTERM, and detaches. Programs are attached\n"
		"through bpf_link: if bpfkit dies, they are detached.\n"
		"\n"
		"  -i, --iface IF     interface (name or index) for XDP programs\n"
		"  -m, --mode MODE    auto (default: native, else skb), native, skb, hw\n"
		"  -P, --prog NAME    attach only this program\n"
		"  -f, --force        replace an XDP program already on IF for the run, in one\n"
		"      --replace      step; it is put back when the run ends or fails (if it\n"
		"                     was attached through netlink, e.g. by ip link, ours is\n"
		"                     too, and a SIGKILLed bpfkit leaves ours attached)\n"
		"  -t, --timeout SEC  stop by itself after SEC seconds\n"
		"      --multi        put the XDP program into libxdp's multi-program dispatcher\n"
		"                     on IF, beside other programs (xdp-loader status lists it);\n"
		"                     a SIGKILLed run leaves it there (libxdp pins it)\n"
		"      --priority N   with --multi: run order, lower first (libxdp's default 50)\n"
		"\n"
		"Example: bpfkit run build/bpf/xdp-hello.bpf.o --iface veth0\n");
}

int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ATTACH_LONGOPTS,
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cli_attach at = { .ao = { .sz = sizeof(at.ao) }, .prio = -1 };
	struct bpfkit_attach_opts *ao = &at.ao;
	struct bpfkit_object *obj;
	long timeout = -1;
	int c, r, sig;

	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" CLI_ATTACH_SHORTOPTS "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = cli_parse_ulong(optarg, 86400);
			if (timeout <= 0)
				return usage_error("run", "--timeout wants seconds (1..86400), not '%s'", optarg);
			break;
		case 'h': run_help(stdout); return EXIT_OK;
		case ':': return usage_error("run", "option '%s' needs a value", argv[optind - 1]);
		default:
			if ((r = cli_attach_opt("run", c, optarg, argv[optind - 1], &at)))
				return r;
		}
	}
	if (optind != argc - 1)
		return usage_error("run", optind >= argc ? "missing the object file" : "one object file only");
	if ((c = cli_multi_check("run", &at)))
		return c;
	if (at.multi)
		return cli_multi_run(argv[optind], ao->iface, ao->mode, ao->prog_name, at.prio, timeout);

	obj = cli_open_and_load(argv[optind]);
	if (!obj)
		return EXIT_FAIL;
	struct bpfkit_run_opts ro = {
		.sz = sizeof(ro), .attach = ao,
		.timeout_ms = timeout > 0 ? (int)timeout * 1000 : 0,
		.no_timeout = timeout < 0,
	};
	sig = bpfkit_object__run(obj, &ro);
	bpfkit_object__close(obj);
	return sig < 0 ? EXIT_FAIL : EXIT_OK;
}

static void trace_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit trace [--timeout SEC] [--enable]\n"
		"\n"
		"Streams bpf_printk output from the kernel's trace_pipe (mounting tracefs at\n"
		"/sys/kernel/tracing if needed) until Ctrl-C. Needs root. With tracing off\n"
		"(tracing_on is 0) the kernel drops that output: bpfkit says so.\n"
		"\n"
		"  -t, --timeout SEC  stop by itself after SEC seconds\n"
		"  -e, --enable       turn tracing on first (tracing_on = 1; it stays on)\n");
}

int do_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "enable", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_loop *loop;
	long timeout = -1;
	bool enable = false;
	int c, sig;

	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:eh", opts, NULL)) != -1) {
		switch (c) {
		case 'e': enable = true; break;
		case 't':
			timeout = cli_parse_ulong(optarg, 86400);
			if (timeout <= 0)
				return usage_error("trace", "--timeout wants seconds (1..86400), not '%s'", optarg);
			break;
		case 'h': trace_help(stdout); return EXIT_OK;
		case ':': return usage_error("trace", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("trace", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("trace", "unexpected argument '%s'", argv[optind]);
	if (enable && bpfkit_tracefs__tracing_on() == 0) {
		if (bpfkit_tracefs__set_tracing_on(true))
			return EXIT_FAIL;
		if (verbosity >= 0)
			fprintf(stderr, "bpfkit: tracing turned on (tracing_on = 1)\n");
	}
	loop = bpfkit_loop__new();
	if (!loop)
		return EXIT_FAIL;
	if (bpfkit_loop__add_trace_pipe(loop, stdout) < 0) {
		bpfkit_loop__free(loop);
		return EXIT_FAIL;
	}
	sig = bpfkit_loop__run(loop, timeout >= 0 ? (int)timeout * 1000 : -1);
	bpfkit_loop__free(loop);
	return sig < 0 ? EXIT_FAIL : EXIT_OK;
}
