// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-OK: loads; bpfkit must not invent an error.
 * A cgroup_skb filter returning 0 or 1 only, with its packet read checked. */
#include "common.h"

SEC("cgroup_skb/egress")
int ok_cg(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > data_end)
		return 1;
	return ip->protocol != IPPROTO_ICMP;
}

char LICENSE[] SEC("license") = "GPL";
