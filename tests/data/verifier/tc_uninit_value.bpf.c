// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: = {}, initialise
 * Stores a struct in a map with one field never set. */
#include "common.h"

struct seen { __u64 bytes, when; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct seen);
} last SEC(".maps");

SEC("tc")
int bad_value(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	struct seen s;

	s.bytes = skb->len;
	bpf_map_update_elem(&last, &key, &s, BPF_ANY); /* VERIFIER: uninit-stack */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
