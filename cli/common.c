/* cli/common.c — helpers several nouns use: open+load with messages, option
 * value parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* -j: a refused program's explanation as one JSON object on stdout (the
 * text on stderr stays): what scripts and editors read. */
static void json_refusal(struct bpfkit_object *obj)
{
	const char *log = bpfkit_object__verifier_log(obj);
	struct bpfkit_verifier_explanation *ex;
	struct bpfkit_json *jw;
	size_t size = 0;
	const void *bytes = bpfkit_object__elf_bytes(obj, &size);

	if (!log)
		return;
	ex = malloc(sizeof(*ex));
	if (!ex)
		return;
	bpfkit_verifier__explain_log(log, bytes, size, bpfkit_object__failed_prog(obj), ex);
	jw = bpfkit_json__new(stdout, pretty_output);
	bpfkit_json__begin_object(jw);
	bpfkit_json__kv_str(jw, "object", bpfkit_object__name(obj));
	bpfkit_json__kv_str(jw, "prog", bpfkit_object__failed_prog(obj) ?: "");
	bpfkit_json__kv_str(jw, "error", ex->sum.error);
	bpfkit_json__key(jw, "class");
	if (ex->cls)
		bpfkit_json__string(jw, ex->cls->id);
	else
		bpfkit_json__null(jw);
	bpfkit_json__kv_str(jw, "title", ex->cls ? ex->cls->title : "");
	bpfkit_json__kv_int(jw, "insn", ex->sum.insn_idx);
	bpfkit_json__kv_str(jw, "insn_text", ex->sum.insn);
	bpfkit_json__kv_str(jw, "file", ex->sum.file);
	bpfkit_json__kv_int(jw, "line", ex->sum.line);
	bpfkit_json__kv_str(jw, "source", ex->sum.source);
	bpfkit_json__kv_str(jw, "hint", ex->detail[0] ? ex->detail : ex->cls ? ex->cls->hint : "");
	bpfkit_json__kv_str(jw, "fix", ex->fix);
	bpfkit_json__end_object(jw);
	bpfkit_json__free(jw);
	free(ex);
}

int cli_load(struct bpfkit_object *obj)
{
	int err = bpfkit_object__load(obj);

	if (err && json_output)
		json_refusal(obj);
	return err;
}

struct bpfkit_object *cli_open_and_load(const char *path)
{
	struct bpfkit_object *obj = bpfkit_object__open_file(path, NULL);

	if (!obj)
		return NULL;
	if (cli_load(obj)) {
		bpfkit_object__close(obj);
		return NULL;
	}
	return obj;
}

int cli_parse_mode(const char *cmd, const char *s, enum bpfkit_xdp_mode *mode)
{
	if (bpfkit_xdp_mode__parse(s, mode))
		return usage_error(cmd, "unknown --mode '%s' (use auto, native, skb or hw)", s);
	return 0;
}

int cli_attach_opt(const char *cmd, int c, const char *arg, const char *opt, struct cli_attach *a)
{
	switch (c) {
	case 'i': a->ao.iface = arg; return 0;
	case 'm': return cli_parse_mode(cmd, arg, &a->ao.mode);
	case 'P': a->ao.prog_name = arg; return 0;
	case 'f': a->ao.force = true; return 0;
	case 'X': a->multi = true; return 0;
	case 'R':
		a->prio = cli_parse_ulong(arg, 1000);
		return a->prio < 0 ? usage_error(cmd, "--priority wants 0..1000, not '%s'", arg) : 0;
	default: return usage_error(cmd, "unknown option '%s'", opt);
	}
}

long cli_parse_ulong(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	return (long)v;
}

int cli_negative_id(const char *noun, int argc, char **argv)
{
	for (int k = 1; k + 1 < argc; k++)
		if (!strcmp(argv[k], "id") && argv[k + 1][0] == '-' && isdigit((unsigned char)argv[k + 1][1])) {
			cli_err("%s id '%s': not an id (a number from 1 to 4294967295)", noun, argv[k + 1]);
			return EXIT_FAIL;	/* as for "id abc" */
		}
	return 0;
}
