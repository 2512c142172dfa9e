// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end, re-read, bpf_skb_store_bytes
 * Rewrites the TTL with bpf_skb_store_bytes, then reads the IP header
 * through the pointer it had before. */
#include "common.h"

SEC("tc")
int bad_store(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u8 ttl = 64;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, sizeof(struct ethhdr) + 8, &ttl, 1, 0);
	return ip->protocol == IPPROTO_UDP ? TC_ACT_OK : TC_ACT_SHOT; /* VERIFIER: stale-packet-pointer */
}

char LICENSE[] SEC("license") = "GPL";
