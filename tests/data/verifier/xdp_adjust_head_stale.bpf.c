// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end, re-read, bpf_xdp_adjust_head
 * Strips a 4-byte tag with bpf_xdp_adjust_head, then keeps using the
 * Ethernet header pointer it had before the call. */
#include "common.h"

SEC("xdp")
int bad_adjust(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_DROP;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP; /* VERIFIER: stale-packet-pointer */
}

char LICENSE[] SEC("license") = "GPL";
