/* lib/loader.c — main() for small loaders with an embedded object: standard
 * options, load, a prepare hook, run until a signal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/loader.h>
#include "internal.h"

static enum bpfkit_print_level loader_level = BPFKIT_INFO;

static int loader_print(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	if (level > loader_level)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void usage(const struct bpfkit_loader *l, FILE *out)
{
	fprintf(out,
		"Usage: %s [-i IFACE] [-m MODE] [-f] [-t SEC] [-v|-q]\n"
		"%s%s"
		"\n"
		"  -i, --iface IF     interface for XDP programs (required: no default, so a\n"
		"                     program never lands on your real NIC by accident)\n"
		"  -m, --mode MODE    auto (default: native, else skb), native, skb, hw\n"
		"  -f, --force        replace an XDP program already on IF (put back at exit)\n"
		"  -t, --timeout SEC  stop by itself after SEC seconds (default: Ctrl-C)\n"
		"  -v, --verbose      more detail;  -q, --quiet  only errors\n"
		"%s",
		l->name, l->summary ?: "", l->summary ? "\n" : "", l->extra_help ?: "");
}

static int usage_err(const struct bpfkit_loader *l, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s '%s'\nTry '%s --help'.\n", l->name, what, arg, l->name);
	return 2;
}

static int is(const char *arg, const char *s, const char *l)
{
	return !strcmp(arg, s) || !strcmp(arg, l);
}

int bpfkit_loader__main(const struct bpfkit_loader *l, int argc, char **argv)
{
	struct bpfkit_attach_opts ao = { .sz = sizeof(ao) };	/* no default interface */
	struct bpfkit_run_opts ro = { .sz = sizeof(ro), .attach = &ao, .no_timeout = true };
	struct bpfkit_open_opts oo = { .sz = sizeof(oo), .name = l->name };
	struct bpfkit_object *obj;
	int ret;

	if (!OPTS_VALID(l, bpfkit_loader))
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (is(a, "-h", "--help")) {
			usage(l, stdout);
			return 0;
		} else if (is(a, "-v", "--verbose")) {
			loader_level = BPFKIT_DEBUG;
		} else if (is(a, "-q", "--quiet")) {
			loader_level = BPFKIT_WARN;
		} else if (is(a, "-f", "--force") || !strcmp(a, "--replace")) {
			ao.force = true;
		} else if (is(a, "-i", "--iface") || is(a, "-m", "--mode") || is(a, "-t", "--timeout")) {
			if (!v)
				return usage_err(l, "option needs a value:", a);
			i++;
			if (a[1] == 'i' || a[2] == 'i') {
				ao.iface = v;
			} else if (a[1] == 'm' || a[2] == 'm') {
				if (bpfkit_xdp_mode__parse(v, &ao.mode))
					return usage_err(l, "unknown mode (auto, native, skb, hw):", v);
			} else {
				char *end;
				long s = strtol(v, &end, 10);

				if (*end || s <= 0 || s > 86400)
					return usage_err(l, "--timeout wants seconds (1..86400), not", v);
				ro.timeout_ms = (int)s * 1000;
				ro.no_timeout = false;
			}
		} else {
			int used = l->option ? l->option(a, v, l->ctx) : 0;

			if (used < 0)
				return used == -EINVAL ? 2 : 1;
			if (used == 0)
				return usage_err(l, "unknown option", a);
			i += used - 1;
		}
	}
	bpfkit_set_print(loader_print);

	obj = bpfkit_object__open_mem(l->obj, l->obj_size, &oo);
	if (!obj)
		return 1;
	ret = bpfkit_object__load(obj);
	if (!ret && l->prepare)
		ret = l->prepare(obj, l->ctx);
	if (!ret)
		ret = bpfkit_object__run(obj, &ro);
	bpfkit_object__close(obj);
	return ret < 0 ? 1 : 0;
}
