/* cli/net.c — `bpfkit net [show] [--iface IF]`: XDP and tc programs attached
 * to the interfaces of this network namespace, like `bpftool net`. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpfkit/tc.h>
#include "cli.h"


static void net_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit net [show] [--iface IF] [-j]\n"
		"\n"
		"Lists the XDP programs (mode, id, name, link id) and the tc programs (cls_bpf\n"
		"filters on the clsact qdisc, tcx links) attached to\n"
		"the interfaces of the current network namespace.\n"
		"\n"
		"  -i, --iface IF   only this interface\n"
		"  -j, --json       JSON output\n");
}

struct entry {
	const char *kind;	/* "xdp", "clsact" or "tcx" */
	const char *mode;	/* XDP: native/skb/hw; tc: ingress/egress */
	__u32 id, link_id;
	char name[64];
};

static void show(struct bpfkit_json *jw, const char *ifn, int ifindex, const struct entry *e)
{
	if (jw) {
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_str(jw, "devname", ifn);
		bpfkit_json__kv_uint(jw, "ifindex", ifindex);
		bpfkit_json__kv_str(jw, "kind", e->kind);
		bpfkit_json__kv_str(jw, "mode", e->mode);
		bpfkit_json__kv_uint(jw, "id", e->id);
		bpfkit_json__kv_str(jw, "name", e->name);
		if (e->link_id)
			bpfkit_json__kv_uint(jw, "link_id", e->link_id);
		bpfkit_json__end_object(jw);
		return;
	}
	printf("%s(%d) %s %-6s id %u name %s", ifn, ifindex, e->kind, e->mode, e->id, e->name);
	if (e->link_id)
		printf(" link %u", e->link_id);
	putchar('\n');
}

struct tc_ctx {
	struct bpfkit_json *jw;
	const char *ifn;
	int ifindex;
};

static void show_tc(const struct bpfkit_tc_prog *p, void *ctx)
{
	struct tc_ctx *c = ctx;
	struct entry e = { p->kind, p->dir, p->prog_id, 0, "" };

	snprintf(e.name, sizeof(e.name), "%s", p->name);
	show(c->jw, c->ifn, c->ifindex, &e);
}

static int list_iface(struct bpfkit_json *jw, const char *ifn, int ifindex)
{
	struct bpfkit_xdp_info xi;
	struct tc_ctx tc = { jw, ifn, ifindex };
	int n = 0, t;

	if (!bpfkit_xdp__query(ifindex, &xi) && xi.prog_id) {
		struct entry e = { "xdp", bpfkit_xdp_mode__str(xi.mode), xi.prog_id, xi.link_id, "" };

		snprintf(e.name, sizeof(e.name), "%s", xi.prog_name);
		show(jw, ifn, ifindex, &e);
		n++;
	}
	t = bpfkit_tc__query(ifindex, show_tc, &tc);
	return n + (t > 0 ? t : 0);
}

int do_net(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_json *jw = NULL;
	struct if_nameindex *ifs;
	const char *only = NULL;
	int c, n = 0;

	if (argc > 1 && !strcmp(argv[1], "show")) {
		argv++;
		argc--;
	} else if (argc > 1 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "help")) {
			net_help(stdout);
			return EXIT_OK;
		}
		return usage_error("net", "unknown command '%s'", argv[1]);
	}
	optind = 0;	/* 0: glibc re-initialises getopt (permutation state) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': only = optarg; break;
		case 'j': json_output = true; break;
		case 'h': net_help(stdout); return EXIT_OK;
		case ':': return usage_error("net", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("net", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("net", "unexpected argument '%s'", argv[optind]);
	if (only && bpfkit_ifindex(only) < 0) {
		cli_err("iface '%s': no such interface", only);
		return EXIT_FAIL;
	}
	ifs = if_nameindex();
	if (!ifs) {
		cli_err("cannot list interfaces: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	}
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		if (only && bpfkit_ifindex(only) != (int)i->if_index)
			continue;
		n += list_iface(jw, i->if_name, i->if_index);
	}
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	} else if (!n && verbosity >= 0) {
		fprintf(stderr, "bpfkit: no XDP or tc programs attached%s%s\n",
			only ? " to " : "", only ?: "");
	}
	if_freenameindex(ifs);
	return EXIT_OK;
}
