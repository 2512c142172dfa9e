/* cli/feature.c — `bpfkit feature [probe] [--group G] [-j]`: what this kernel
 * supports (program and map types, attach points, BTF, kprobes, fentry,
 * mounts, privileges), each "no" with the reason and what to do instead. */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static void feature_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit feature [probe] [--group G] [--missing] [-j]\n"
		"\n"
		"Probes what this kernel supports and prints one line per feature: yes, no\n"
		"(with the reason and the usual way around it) or ? (could not tell).\n"
		"Attach probes run in a throw-away network namespace on a private veth pair.\n"
		"\n"
		"  -g, --group G    only one group: system, kernel, attach, prog_type, map_type\n"
		"  -m, --missing    only what is not supported\n"
		"  -j, --json       JSON output: [{\"group\",\"name\",\"supported\",\"detail\"}]\n");
}

struct walk {
	const char *group;
	bool missing;
	const char *last_group;
	struct bpfkit_json *jw;
	int n;
	int not_probed;		/* "?" for want of privileges, not of the kernel */
};

static int show(const struct bpfkit_feature *f, void *ctx)
{
	struct walk *w = ctx;

	if (w->group && strcmp(w->group, f->group))
		return 0;
	if (w->missing && f->supported == 1)
		return 0;
	if (f->supported < 0 && strstr(f->detail, "probing needs privileges"))
		w->not_probed++;
	w->n++;
	if (w->jw) {
		bpfkit_json__begin_object(w->jw);
		bpfkit_json__kv_str(w->jw, "group", f->group);
		bpfkit_json__kv_str(w->jw, "name", f->name);
		bpfkit_json__key(w->jw, "supported");
		if (f->supported < 0)
			bpfkit_json__null(w->jw);
		else
			bpfkit_json__bool(w->jw, f->supported);
		bpfkit_json__kv_str(w->jw, "detail", f->detail);
		bpfkit_json__end_object(w->jw);
		return 0;
	}
	if (!w->last_group || strcmp(w->last_group, f->group)) {
		printf("%s%s:\n", w->last_group ? "\n" : "", f->group);
		w->last_group = f->group;
	}
	printf("  %-24s %-3s %s\n", f->name, f->supported > 0 ? "yes" : f->supported == 0 ? "no" : "?",
	       f->detail);
	return 0;
}

int do_feature(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "missing", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const groups[] = { "system", "kernel", "attach", "prog_type", "map_type" };
	struct walk w = {};
	int c, err;

	if (argc > 1 && !strcmp(argv[1], "probe")) {
		argv++;
		argc--;
	} else if (argc > 1 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "help")) {
			feature_help(stdout);
			return EXIT_OK;
		}
		return usage_error("feature", "unknown command '%s'", argv[1]);
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:mjh", opts, NULL)) != -1) {
		switch (c) {
		case 'g': w.group = optarg; break;
		case 'm': w.missing = true; break;
		case 'j': json_output = true; break;
		case 'h': feature_help(stdout); return EXIT_OK;
		case ':': return usage_error("feature", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("feature", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("feature", "unexpected argument '%s'", argv[optind]);
	if (w.group) {
		size_t i;

		for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			if (!strcmp(groups[i], w.group))
				break;
		if (i == sizeof(groups) / sizeof(groups[0]))
			return usage_error("feature", "unknown group '%s' (system, kernel, attach, prog_type, map_type)",
					   w.group);
	}
	if (json_output) {
		w.jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(w.jw);
	}
	err = bpfkit_feature__probe_all(show, &w);
	if (w.jw) {
		bpfkit_json__end_array(w.jw);
		bpfkit_json__free(w.jw);
	}
	if (err) {
		cli_err("feature probe failed: %s", strerror(-err));
		return EXIT_FAIL;
	}
	/* said once more at the end, where a reader of a long list looks */
	if (w.not_probed)
		cli_err("%d features were not probed: probing needs privileges (root, or CAP_BPF + "
			"CAP_NET_ADMIN + CAP_PERFMON), which this process lacks; their '?' says nothing "
			"about the kernel: run 'sudo bpfkit feature'", w.not_probed);
	return EXIT_OK;
}
