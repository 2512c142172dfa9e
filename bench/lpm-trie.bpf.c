// SPDX-License-Identifier: GPL-2.0
/* bench/lpm-trie.bpf.c — the first thing anyone would write for a blocklist:
 * one kernel LPM trie per family, looked up by source address only (no
 * ports, no destination, no fragments). bench/xdpfw.sh's anchor for what a
 * naive XDP blocklist costs; xdpfw-bench-sets fills the tries from a rule
 * file's source prefixes. */
#include <bpfkit/parse.h>

struct key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct key4);
	__type(value, __u32);
} lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct key6);
	__type(value, __u32);
} lpm6 SEC(".maps");

SEC("xdp")
int lpm_src(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	__be16 proto;

	if (!bk_parse_eth(&c, &proto))
		return XDP_DROP;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = bk_parse_ipv4(&c);
		struct key4 k = { .prefixlen = 32 };

		if (!ip)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip->saddr, 4);
		return bpf_map_lookup_elem(&lpm4, &k) ? XDP_DROP : XDP_PASS;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = bk_parse_ipv6(&c);
		struct key6 k = { .prefixlen = 128 };

		if (!ip6)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		return bpf_map_lookup_elem(&lpm6, &k) ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
