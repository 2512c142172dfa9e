/* cli/common.c — helpers several nouns use: open+load with messages, option
 * value parsing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

struct bpfkit_object *cli_open_and_load(const char *path)
{
	struct bpfkit_object *obj = bpfkit_object__open_file(path, NULL);

	if (!obj)
		return NULL;
	if (bpfkit_object__load(obj)) {
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
