// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: udp, data_end
 * Finds the UDP header after IP options (ihl * 4) and reads its port
 * without checking it against data_end. */
#include "common.h"

SEC("xdp")
int bad_ihl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS; /* VERIFIER: packet-bounds */
}

char LICENSE[] SEC("license") = "GPL";
