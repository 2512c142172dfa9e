// SPDX-License-Identifier: GPL-2.0
/* bench/tx-cycle.bpf.c — bench/xdpfw.sh's live sender: run with
 * BPF_PROG_TEST_RUN + BPF_F_TEST_XDP_LIVE_FRAMES on an IPv4 UDP frame, it
 * writes the next source address from `srcs` (filled by xdpfw-bench-sets,
 * 65536 distinct addresses) into each frame and transmits it (XDP_TX), so
 * the receiver sees traffic cycling through many sources, as on a real link
 * (a receiver's caches then miss as they would there). */
#include <bpfkit/parse.h>

#define NSRC 65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSRC);
	__type(key, __u32);
	__type(value, __u32);
} srcs SEC(".maps");

__u32 seq;

SEC("xdp")
int tx_cycle(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	struct iphdr *ip;
	__be16 proto;
	__u32 k = seq++ % NSRC, *a;

	if (!bk_parse_eth(&c, &proto) || proto != bpf_htons(ETH_P_IP))
		return XDP_ABORTED;
	ip = bk_parse_ipv4(&c);
	a = bpf_map_lookup_elem(&srcs, &k);
	if (!ip || !a)
		return XDP_ABORTED;
	ip->saddr = *a;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
