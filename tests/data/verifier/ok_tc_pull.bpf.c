// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-OK: loads; bpfkit must not invent an error.
 * bpf_skb_pull_data first, then the pointers. */
#include "common.h"

SEC("tc")
int ok_pull(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct ethhdr *eth;

	bpf_skb_pull_data(skb, sizeof(*eth));
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	return eth->h_proto == bpf_htons(ETH_P_ARP) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
