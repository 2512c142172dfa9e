// SPDX-License-Identifier: GPL-2.0
/* Reads the IP header without checking it is inside the packet. */
#include "common.h"

SEC("xdp")
int bad_bounds(struct xdp_md *ctx)
{
	struct iphdr *ip = (void *)(long)ctx->data + sizeof(struct ethhdr);

	return ip->protocol == 17 ? XDP_DROP : XDP_PASS; /* VERIFIER: packet-bounds */
}

char LICENSE[] SEC("license") = "GPL";
