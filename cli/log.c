/* cli/log.c — `bpfkit log --pin DIR` / `log id N`: stream the log records
 * of an object another process loaded (`bpfkit load --pin DIR`, ip link,
 * bpftool), and `bpfkit log sites
 * OBJ`: list an object's log calls (its call-site table). */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/proginfo.h>
#include "cli.h"

static void log_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit log --pin DIR [--level LEVEL] [--timeout SEC]\n"
		"       bpfkit log (id N | name NAME | tag HEX | pinned PATH) [--level LEVEL] [--timeout SEC]\n"
		"       bpfkit log sites OBJ [--check] [-j]\n"
		"\n"
		"Streams the records that the programs of a loaded object write with\n"
		"bk_info() & co. (bpf/include/bpfkit/log.h), one line each on stdout:\n"
		"  HH:MM:SS.uuuuuu LEVEL function: message\n"
		"until Ctrl-C. DIR is what `bpfkit load --pin DIR` made; the object's\n"
		"shared log ring and call-site table are DIR/maps/_data_bklog and\n"
		"DIR/maps/_rodata_bklog. A program loaded by anything else (ip link,\n"
		"tc, bpftool) is named as in `bpfkit prog show`: its object's log ring\n"
		"and call-site table are found among its maps (.data.bklog,\n"
		".rodata.bklog). Records lost to a full ring are reported.\n"
		"\n"
		"`sites` lists the log calls compiled into OBJ: id, level, where, format;\n"
		"with --check it exits 1 if a call's format does not fit its arguments\n"
		"(for a build step: the compiler checks all but formats with %%%%).\n"
		"\n"
		"  -p, --pin DIR      the pin directory\n"
		"  -l, --level LEVEL  show only up to LEVEL: error, warn, info, debug, trace\n"
		"                     (default: BPFKIT_LOG, else all that arrives; the kernel\n"
		"                     side's level was fixed when the object was loaded)\n"
		"  -t, --timeout SEC  stop by itself after SEC seconds\n"
		"  -c, --check        (sites) exit 1 if any call can't be formatted\n"
		"  -j, --json         (sites) JSON output\n"
		"\n"
		"Example: bpfkit load build/bpf/xdp-hello.bpf.o --iface veth0 --pin /sys/fs/bpf/hello\n"
		"         bpfkit log --pin /sys/fs/bpf/hello\n");
}

static int n_bad_sites;	/* of the object being listed */

static int site_json(const struct bpfkit_log_site *s, void *ctx)
{
	struct bpfkit_json *jw = ctx;

	n_bad_sites += s->error != NULL;
	bpfkit_json__begin_object(jw);
	bpfkit_json__kv_uint(jw, "id", s->id);
	bpfkit_json__kv_str(jw, "level", s->level == BPFKIT_LOG_ERROR ? "error" :
			    s->level == BPFKIT_LOG_WARN ? "warn" : s->level == BPFKIT_LOG_INFO ? "info" :
			    s->level == BPFKIT_LOG_DEBUG ? "debug" : "trace");
	bpfkit_json__kv_str(jw, "func", s->func);
	bpfkit_json__kv_str(jw, "file", s->file);
	bpfkit_json__kv_uint(jw, "line", s->line);
	bpfkit_json__kv_str(jw, "format", s->fmt);
	bpfkit_json__kv_uint(jw, "nargs", s->nargs);
	bpfkit_json__kv_uint(jw, "record_size", s->rec_size);
	bpfkit_json__key(jw, "error");
	if (s->error)
		bpfkit_json__string(jw, s->error);
	else
		bpfkit_json__null(jw);
	bpfkit_json__end_object(jw);
	return 0;
}

static int site_text(const struct bpfkit_log_site *s, void *ctx)
{
	static const char *const names[] = { "off", "error", "warn", "info", "debug", "trace" };

	(void)ctx;
	n_bad_sites += s->error != NULL;
	printf("%5u %-5s %s:%u %s%s\"%s\"", s->id, names[s->level <= 5 ? s->level : 0], s->file, s->line,
	       s->func, s->func[0] ? " " : "", s->fmt);
	if (s->error)
		printf("  ERROR: %s", s->error);
	putchar('\n');
	return 0;
}

static int do_sites(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_json *jw = NULL;
	struct bpfkit_object *obj;
	bool check = false;
	int c, n;

	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":cjh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': check = true; break;
		case 'j': json_output = true; break;
		case 'h': log_help(stdout); return EXIT_OK;
		default: return usage_error("log sites", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("log sites", optind >= argc ? "missing the object file" : "one object file only");
	obj = bpfkit_object__open_file(argv[optind], NULL);
	if (!obj)
		return EXIT_FAIL;
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	}
	n = bpfkit_log__foreach_site(obj, jw ? site_json : site_text, jw);
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	}
	bpfkit_object__close(obj);
	if (n == -ENOENT) {
		if (!json_output)
			fprintf(stderr, "object '%s': no log calls (it does not use bpfkit/log.h)\n", argv[optind]);
		return EXIT_OK;
	}
	if (n < 0) {
		cli_err("object '%s': reading its log calls failed: %s", argv[optind], strerror(-n));
		return EXIT_FAIL;
	}
	if (check && n_bad_sites) {
		cli_err("object '%s': %d log call%s can't be formatted", argv[optind], n_bad_sites,
			n_bad_sites == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int do_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin", required_argument, NULL, 'p' },
		{ "level", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_logger_opts lo = { .sz = sizeof(lo), .out = stdout };
	struct bpfkit_logger *lg;
	struct bpfkit_loop *loop;
	const char *dir = NULL, *sel_kind = NULL, *sel_value = NULL;
	char what[PATH_MAX + 64];
	long timeout = -1;
	int c, ret;

	if (argc > 1 && !strcmp(argv[1], "sites"))
		return do_sites(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "help")) {
		log_help(stdout);
		return EXIT_OK;
	}
	/* log id N | name NAME | tag HEX | pinned PATH: a program, whoever
	 * loaded it */
	if (argc > 1 && (!strcmp(argv[1], "id") || !strcmp(argv[1], "name") || !strcmp(argv[1], "tag") ||
			 !strcmp(argv[1], "pinned"))) {
		if (argc < 3)
			return usage_error("log", "'%s' needs a value", argv[1]);
		sel_kind = argv[1];
		sel_value = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:l:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': dir = optarg; break;
		case 'l':
			lo.level = bpfkit_log_level__parse(optarg);
			if (lo.level <= 0)
				return usage_error("log", "--level wants error, warn, info, debug or trace, not '%s'", optarg);
			break;
		case 't':
			timeout = cli_parse_ulong(optarg, 86400);
			if (timeout <= 0)
				return usage_error("log", "--timeout wants seconds (1..86400), not '%s'", optarg);
			break;
		case 'h': log_help(stdout); return EXIT_OK;
		case ':': return usage_error("log", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("log", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("log", "unexpected argument '%s'", argv[optind]);
	if (json_output)
		return usage_error("log", "-j/--json is for `log sites`; the records stream as text");
	if (!dir == !sel_kind)
		return usage_error("log", "say which program: --pin DIR, or id N | name NAME | tag HEX | pinned PATH");
	if (dir) {
		snprintf(what, sizeof(what), "%s", dir);
		lg = bpfkit_logger__open_pinned(dir, &lo);
	} else {
		int fd = bpfkit_prog__open_spec(sel_kind, sel_value);

		if (fd < 0)
			return EXIT_FAIL;
		snprintf(what, sizeof(what), "prog %s %s", sel_kind, sel_value);
		lg = bpfkit_logger__open_prog(fd, &lo);
		close(fd);	/* the logger holds the maps, not the program */
	}
	if (!lg)
		return EXIT_FAIL;
	loop = bpfkit_loop__new();
	if (!loop || bpfkit_logger__add_to_loop(lg, loop)) {
		cli_err("%s: cannot wait for log records: %s", what, strerror(errno));
		bpfkit_loop__free(loop);
		bpfkit_logger__free(lg);
		return EXIT_FAIL;
	}
	if (verbosity >= 0)
		fprintf(stderr, "streaming log records of '%s' (%d call site%s; Ctrl-C to stop)\n", what,
			bpfkit_logger__sites(lg), bpfkit_logger__sites(lg) == 1 ? "" : "s");
	ret = bpfkit_loop__run(loop, timeout >= 0 ? (int)timeout * 1000 : -1);
	bpfkit_logger__drain(lg);
	bpfkit_loop__free(loop);
	bpfkit_logger__free(lg);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}
