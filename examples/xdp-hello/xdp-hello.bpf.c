// SPDX-License-Identifier: GPL-2.0
/* xdp-hello — a message for every packet that reaches the interface. */
#include <bpfkit/parse.h>

SEC("xdp")
int xdp_hello(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	struct iphdr *ip;
	__be16 proto;
	__be32 saddr;

	if (!bk_parse_eth(&c, &proto))
		goto out;
	if (proto != bpf_htons(ETH_P_IP)) {
		bpf_printk("received a packet (ethertype 0x%04x)", bpf_ntohs(proto));
		goto out;
	}
	ip = bk_parse_ipv4(&c);
	if (!ip)
		goto out;
	saddr = ip->saddr;
	bpf_printk("received a packet from %pI4", &saddr);
out:
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
