// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: (void *)(long)
 * Reads skb->data as if it were a 64-bit pointer field. */
#include "common.h"

SEC("tc")
int bad_data64(struct __sk_buff *skb)
{
	void *data = *(void **)&skb->data; /* VERIFIER: ctx-access */
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	return eth->h_proto == bpf_htons(ETH_P_ARP) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
