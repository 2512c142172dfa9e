// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-OK: loads; bpfkit must not invent an error.
 * bpf_xdp_adjust_head done right: data and data_end re-read and re-checked. */
#include "common.h"

SEC("xdp")
int ok_adjust(struct xdp_md *ctx)
{
	void *data, *data_end;
	struct ethhdr *eth;

	if (bpf_xdp_adjust_head(ctx, 0))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
