// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end
 * Reads the TCP destination port, checking only the IP header fits. */
#include "common.h"

SEC("tc")
int bad_tcp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	return tcp->dest == bpf_htons(22) ? TC_ACT_SHOT : TC_ACT_OK; /* VERIFIER: packet-bounds */
}

char LICENSE[] SEC("license") = "GPL";
