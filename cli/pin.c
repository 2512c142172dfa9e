/* cli/pin.c — `bpfkit load` (load, attach, pin, exit: the program outlives
 * us) and `bpfkit unload` (remove the pins, or detach an interface's XDP). */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <string.h>
#include "cli.h"

static void load_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit load OBJ --iface IF --pin DIR [--mode MODE] [--prog NAME] [--force]\n"
		"                       [--multi [--priority N]]\n"
		"\n"
		"Loads OBJ, attaches its XDP program to IF (and its tracepoint programs), and\n"
		"pins programs, maps and links under DIR on bpffs (DIR/progs, DIR/maps,\n"
		"DIR/links), so they keep running after bpfkit exits. bpffs is mounted at\n"
		"/sys/fs/bpf if needed. Remove with: bpfkit unload --pin DIR\n"
		"\n"
		"  -i, --iface IF     interface (name or index) for XDP programs\n"
		"  -d, --pin DIR      where to pin (must not exist; e.g. /sys/fs/bpf/hello)\n"
		"  -m, --mode MODE    auto (default), native, skb, hw\n"
		"  -P, --prog NAME    only this program\n"
		"  -f, --force        replace an XDP program already on IF, in one step (the\n"
		"      --replace      interface is never without a program); if attaching or\n"
		"                     pinning fails, the program that was there is put back\n"
		"      --multi        put the XDP program into libxdp's multi-program dispatcher\n"
		"                     on IF, beside other programs (xdp-loader status lists it)\n"
		"      --priority N   with --multi: run order, lower first (libxdp's default 50)\n");
}

int do_load(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_ATTACH_LONGOPTS,
		{ "pin", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cli_attach at = { .ao = { .sz = sizeof(at.ao) }, .prio = -1 };
	struct bpfkit_attach_opts *ao = &at.ao;
	struct bpfkit_object *obj;
	const char *pin = NULL;
	int c, r, ret = EXIT_FAIL;

	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" CLI_ATTACH_SHORTOPTS "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': pin = optarg; break;
		case 'h': load_help(stdout); return EXIT_OK;
		case ':': return usage_error("load", "option '%s' needs a value", argv[optind - 1]);
		default:
			if ((r = cli_attach_opt("load", c, optarg, argv[optind - 1], &at)))
				return r;
		}
	}
	if (optind != argc - 1)
		return usage_error("load", optind >= argc ? "missing the object file" : "one object file only");
	if (!pin)
		return usage_error("load", "missing --pin DIR (where the program is kept after bpfkit exits)");
	if ((c = cli_multi_check("load", &at)))
		return c;

	/* Check the pin path before touching the kernel: nothing half-done.
	 * Should pinning still fail after the attach, detaching below puts
	 * back the program a --force replaced. */
	if (bpfkit_pin__check(pin))
		return EXIT_FAIL;
	if (at.multi)
		return cli_multi_load(argv[optind], ao->iface, pin, ao->mode, ao->prog_name, at.prio);
	obj = cli_open_and_load(argv[optind]);
	if (!obj)
		return EXIT_FAIL;
	if (bpfkit_object__attach(obj, ao))
		goto out;
	if (bpfkit_object__pin(obj, pin)) {
		bpfkit_object__detach(obj);
		goto out;
	}
	if (verbosity >= 0)
		fprintf(stderr, "bpfkit: pinned under %s; remove with: bpfkit unload --pin %s\n", pin, pin);
	ret = EXIT_OK;
out:
	bpfkit_object__close(obj);	/* the pins keep it alive */
	return ret;
}

static void unload_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit unload (--pin DIR | --iface IF)\n"
		"\n"
		"  -d, --pin DIR    remove what `bpfkit load --pin DIR` pinned and detach its\n"
		"                   XDP program; its other programs end once nothing else\n"
		"                   holds them\n"
		"  -i, --iface IF   detach the XDP program attached to IF (any loader's)\n");
}

int do_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "pin", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *pin = NULL, *iface = NULL;
	int c, err;

	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'd': pin = optarg; break;
		case 'h': unload_help(stdout); return EXIT_OK;
		case ':': return usage_error("unload", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unload", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("unload", "unexpected argument '%s'", argv[optind]);
	if (!pin == !iface)
		return usage_error("unload", "say either --pin DIR or --iface IF");
	if (pin)	/* a --multi program leaves its dispatcher first */
		return bpfkit_pin__check_removable(pin) || cli_multi_unpin(pin) || bpfkit_pin__remove(pin) ?
			       EXIT_FAIL : EXIT_OK;

	int ifindex = bpfkit_ifindex(iface);
	if (ifindex < 0) {
		cli_err("iface '%s': no such interface", iface);
		return EXIT_FAIL;
	}
	err = bpfkit_xdp__detach(ifindex);
	if (err == -ENOENT) {
		cli_err("iface '%s': no XDP program is attached", iface);
		return EXIT_FAIL;
	}
	return err ? EXIT_FAIL : EXIT_OK;
}
