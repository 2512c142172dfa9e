// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end
 * Checks the start of the IP header against data_end instead of its end. */
#include "common.h"

SEC("xdp")
int bad_off_by_one(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)ip > data_end)
		return XDP_PASS;
	return ip->ttl < 2 ? XDP_DROP : XDP_PASS; /* VERIFIER: packet-bounds */
}

char LICENSE[] SEC("license") = "GPL";
