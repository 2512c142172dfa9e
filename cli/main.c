/* cli/main.c — `bpfkit [OPTIONS] NOUN [VERB] ...`: global options and the noun
 * table. Each noun lives in its own file (run.c, pin.c, net.c, ...). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

bool json_output;
bool pretty_output;
int verbosity;

static const struct {
	const char *name;
	int (**fn)(int, char **);
	const char *summary;
} nouns_def[] = {
	{ "run", NULL, "load OBJ, attach its programs, stream their output until Ctrl-C" },
	{ "load", NULL, "load OBJ, attach and pin it under bpffs so it outlives bpfkit" },
	{ "unload", NULL, "remove what `load` pinned, or detach the XDP program of an interface" },
	{ "net", NULL, "XDP and tc programs attached to interfaces" },
	{ "trace", NULL, "stream bpf_printk output (trace_pipe)" },
	{ "log", NULL, "stream bpfkit log records of a pinned program" },
	{ "obj", NULL, "look inside a BPF object file: sections, disassembly" },
	{ "prog", NULL, "programs loaded in the kernel" },
	{ "map", NULL, "maps in the kernel" },
	{ "test", NULL, "run a program on packets with BPF_PROG_TEST_RUN" },
	{ "new", NULL, "generate a new BPF project from a template" },
	{ "feature", NULL, "what this kernel supports" },
};

static cmd_fn noun_fn(const char *name)
{
	if (!strcmp(name, "run")) return do_run;
	if (!strcmp(name, "load")) return do_load;
	if (!strcmp(name, "unload")) return do_unload;
	if (!strcmp(name, "net")) return do_net;
	if (!strcmp(name, "trace")) return do_trace;
	if (!strcmp(name, "log")) return do_log;
	if (!strcmp(name, "obj")) return do_obj;
	if (!strcmp(name, "prog")) return do_prog;
	if (!strcmp(name, "map")) return do_map;
	if (!strcmp(name, "test")) return do_test;
	if (!strcmp(name, "new")) return do_new;
	if (!strcmp(name, "feature")) return do_feature;
	return NULL;
}

static void help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"The C toolkit for writing, loading, observing and inspecting eBPF programs.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(nouns_def) / sizeof(nouns_def[0]); i++)
		if (noun_fn(nouns_def[i].name))
			fprintf(out, "  %-9s %s\n", nouns_def[i].name, nouns_def[i].summary);
	fprintf(out,
		"  version   print the version\n"
		"\n"
		"Options:\n"
		"  -v, --verbose  more detail (libbpf messages, whole verifier logs)\n"
		"  -q, --quiet    only errors\n"
		"  -j, --json     JSON output for listings\n"
		"  -p, --pretty   pretty-printed JSON (implies -j)\n"
		"  -n, --netns NAME  work in network namespace NAME (made by `ip netns add`);\n"
		"                 unlike `ip netns exec`, pins under /sys/fs/bpf stay visible\n"
		"  -h, --help     this help; `bpfkit COMMAND --help` for a command's\n"
		"\n"
		"Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("bpfkit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfkit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'bpfkit %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int dispatch(const char *noun, const struct cmd *cmds, int argc, char **argv,
	     void (*help_fn)(FILE *out))
{
	if (argc < 1) {		/* no command: a usage error, as for bpfkit alone */
		fprintf(stderr, "bpfkit %s: which command?\n", noun);
		help_fn(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		help_fn(stdout);
		return EXIT_OK;
	}
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return c->fn(argc, argv);
	fprintf(stderr, "bpfkit %s: unknown command '%s'\n", noun, argv[0]);
	help_fn(stderr);
	return EXIT_USAGE;
}

static int print_cb(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	if ((int)level > verbosity + 1 || (verbosity < 0 && level != BPFKIT_WARN))
		return 0;
	if (level == BPFKIT_WARN)
		fputs("bpfkit: ", stderr);
	return vfprintf(stderr, fmt, args);
}

static int run_command(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "netns", required_argument, NULL, 'n' },
		{ 0 }
	};
	const char *netns = NULL;
	cmd_fn fn;
	int c;

	/* '+': stop at the first non-option, the command; ':' and opterr 0:
	 * errors are ours, one line each */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vqjphVn:", opts, NULL)) != -1) {
		switch (c) {
		case 'v': verbosity = 1; break;
		case 'q': verbosity = -1; break;
		case 'j': json_output = true; break;
		case 'p': json_output = pretty_output = true; break;
		case 'h': help(stdout); return EXIT_OK;
		case 'V': printf("bpfkit %s\n", BPFKIT_VERSION); return EXIT_OK;
		case 'n': netns = optarg; break;
		case ':':
			fprintf(stderr, "bpfkit: %s needs a value (bpfkit --help)\n",
				optopt == 'n' ? "--netns" : argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "bpfkit: unknown option '%s' (bpfkit --help lists them)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	bpfkit_set_print(print_cb);
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help") && optind + 1 < argc) {
		/* bpfkit help COMMAND: that command's --help */
		char *hargv[] = { argv[optind + 1], "--help", NULL };

		if (!strcmp(argv[optind + 1], "version")) {
			printf("Usage: bpfkit version\n\nPrints bpfkit's version.\n");
			return EXIT_OK;
		}
		fn = noun_fn(argv[optind + 1]);
		if (!fn) {
			fprintf(stderr, "bpfkit help: unknown command '%s' (bpfkit --help lists them)\n", argv[optind + 1]);
			return EXIT_USAGE;
		}
		optind = 0;	/* the command parses its own options from the start */
		return fn(2, hargv);
	}
	if (!strcmp(argv[optind], "help")) {
		help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "version")) {
		if (optind + 1 < argc && (!strcmp(argv[optind + 1], "--help") || !strcmp(argv[optind + 1], "-h"))) {
			printf("Usage: bpfkit version\n\nPrints bpfkit's version.\n");
			return EXIT_OK;
		}
		if (optind + 1 < argc) {
			fprintf(stderr, "bpfkit version: takes no arguments, not '%s'\n", argv[optind + 1]);
			return EXIT_USAGE;
		}
		printf("bpfkit %s\n", BPFKIT_VERSION);
		return EXIT_OK;
	}
	fn = noun_fn(argv[optind]);
	if (!fn) {
		fprintf(stderr, "bpfkit: unknown command '%s'\n\n", argv[optind]);
		help(stderr);
		return EXIT_USAGE;
	}
	/* -j where no JSON exists is refused, not ignored: a script asking
	 * for JSON must not get text it then fails to parse. */
	if (json_output && (fn == do_run || fn == do_load || fn == do_unload || fn == do_trace)) {
		fprintf(stderr, "bpfkit %s: -j/--json is for listings; %s prints %s, never JSON\n",
			argv[optind], argv[optind], fn == do_run || fn == do_trace ?
			"the programs' output as text" : "text messages");
		return EXIT_USAGE;
	}
	if (netns && bpfkit_netns__enter(netns))
		return EXIT_FAIL;
	return fn(argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
	int ret = run_command(argc, argv);

	/* a listing cut short by a full disk or closed pipe is a failure */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			cli_err("write to stdout failed: %s", strerror(errno));
		return ret ?: EXIT_FAIL;
	}
	return ret;
}
