// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: static
 * Parses the header in a global (non-static) function that takes the
 * packet pointers, which the verifier checks on its own, without them. */
#include "common.h"

__attribute__((noinline)) int parse_eth(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	return eth->h_proto;
}

SEC("xdp")
int bad_global(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return parse_eth(data, data_end) == bpf_htons(ETH_P_ARP) ? XDP_DROP : XDP_PASS; /* VERIFIER: global-func-arg */
}

char LICENSE[] SEC("license") = "GPL";
