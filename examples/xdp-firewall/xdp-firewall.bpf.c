// SPDX-License-Identifier: GPL-2.0
/* xdp-firewall — the firewall tutorial's first step: look up each IPv4
 * source in BLOCKLIST and drop it if present. With an empty BLOCKLIST it
 * permits all traffic, logging each decision. */
#include <bpfkit/parse.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);	/* IPv4 source address */
	__type(value, __u32);	/* unused; presence means "block" */
} BLOCKLIST SEC(".maps");

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	int action = XDP_PASS;
	struct iphdr *ip;
	__be16 proto;
	__be32 saddr;

	if (!bk_parse_eth(&c, &proto) || proto != bpf_htons(ETH_P_IP))
		goto out;
	ip = bk_parse_ipv4(&c);
	if (!ip)
		goto out;
	saddr = ip->saddr;
	if (bpf_map_lookup_elem(&BLOCKLIST, &saddr))
		action = XDP_DROP;
	bpf_printk("SRC IP: %pI4, ACTION: %s", &saddr, action == XDP_DROP ? "DROP" : "PASS");
out:
	return action;
}

char LICENSE[] SEC("license") = "GPL";
