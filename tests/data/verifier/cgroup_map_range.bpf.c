// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bound
 * Counts packets per protocol in a 16-slot map value, indexed by the
 * socket's protocol without a bound. */
#include "common.h"

struct per_proto { __u64 n[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct per_proto);
} protos SEC(".maps");

SEC("cgroup_skb/egress")
int bad_cg_range(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct per_proto *p = bpf_map_lookup_elem(&protos, &key);

	if (!p)
		return 1;
	p->n[skb->protocol]++; /* VERIFIER: out-of-range */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
