// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end
 * Reads the IP protocol of egress packets without a bounds check. */
#include "common.h"

SEC("cgroup_skb/egress")
int bad_cg_bounds(struct __sk_buff *skb)
{
	struct iphdr *ip = (void *)(long)skb->data;

	return ip->protocol != IPPROTO_ICMP; /* VERIFIER: packet-bounds */
}

char LICENSE[] SEC("license") = "GPL";
