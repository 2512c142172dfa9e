// SPDX-License-Identifier: GPL-2.0
/* xdp-hello — a message for every packet that reaches the interface, through
 * bpfkit logging (bpf/include/bpfkit/log.h): `bpfkit run` and the loader
 * print it on stdout as "TIME INFO  xdp_hello: received a packet from A.B.C.D". */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int xdp_hello(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	struct iphdr *ip;
	__be16 proto;

	if (!bk_parse_eth(&c, &proto))
		goto out;
	if (proto != bpf_htons(ETH_P_IP)) {
		bk_info(ctx, "received a packet (ethertype 0x%04x)", bpf_ntohs(proto));
		goto out;
	}
	ip = bk_parse_ipv4(&c);
	if (!ip)
		goto out;
	bk_info(ctx, "received a packet from %pI4", ip->saddr);
out:
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
