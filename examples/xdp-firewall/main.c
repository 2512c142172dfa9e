/* examples/xdp-firewall/main.c — the firewall tutorial's loader: permits all
 * traffic, or drops the IPv4 sources given with --block ADDR. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>

BPFKIT_EMBED(xdp_firewall, BPF_OBJ_PATH);

#define MAX_BLOCK 64

struct blocklist {
	int n;
	struct in_addr addr[MAX_BLOCK];
};

static int option(const char *arg, const char *value, void *ctx)
{
	struct blocklist *bl = ctx;

	if (strcmp(arg, "-b") && strcmp(arg, "--block"))
		return 0;
	if (!value || inet_pton(AF_INET, value, &bl->addr[bl->n]) != 1) {
		fprintf(stderr, "xdp-firewall: --block wants an IPv4 address, not '%s'\n", value ?: "");
		return -EINVAL;
	}
	if (++bl->n == MAX_BLOCK) {
		fprintf(stderr, "xdp-firewall: at most %d --block addresses\n", MAX_BLOCK);
		return -E2BIG;
	}
	return 2;
}

static int prepare(struct bpfkit_object *obj, void *ctx)
{
	struct blocklist *bl = ctx;
	struct bpf_map *map = bpf_object__find_map_by_name(bpfkit_object__bpf_object(obj), "BLOCKLIST");
	__u32 one = 1;

	for (int i = 0; i < bl->n; i++) {
		if (bpf_map__update_elem(map, &bl->addr[i], sizeof(bl->addr[i]), &one, sizeof(one), BPF_ANY)) {
			fprintf(stderr, "xdp-firewall: adding %s to BLOCKLIST failed: %s\n",
				inet_ntoa(bl->addr[i]), strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct blocklist bl = { 0 };
	struct bpfkit_loader l = {
		.sz = sizeof(l),
		.name = "xdp-firewall",
		.summary = "Permits all IPv4 traffic on IFACE except the sources given with --block.",
		.obj = xdp_firewall_start,
		.obj_size = xdp_firewall_end - xdp_firewall_start,
		.extra_help = "  -b, --block ADDR   drop packets from this IPv4 source (repeatable)\n",
		.option = option,
		.prepare = prepare,
		.ctx = &bl,
	};

	return bpfkit_loader__main(&l, argc, argv);
}
