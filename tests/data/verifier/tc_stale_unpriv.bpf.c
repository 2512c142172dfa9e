// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: data_end, re-read, bpf_skb_pull_data
 * Pulls the headers into the linear area after taking the data pointer;
 * without CAP_PERFMON the old pointer is not even a number any more. */
#include "common.h"

SEC("tc")
int bad_pull(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	bpf_skb_pull_data(skb, 64);
	return eth->h_proto == bpf_htons(ETH_P_ARP) ? TC_ACT_SHOT : TC_ACT_OK; /* VERIFIER: stale-packet-pointer */
}

char LICENSE[] SEC("license") = "GPL";
