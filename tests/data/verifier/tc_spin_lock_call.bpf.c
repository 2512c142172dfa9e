// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_spin_unlock, bpf_map_lookup_elem
 * Looks up a second map while holding a bpf_spin_lock. */
#include "common.h"

struct stats {
	struct bpf_spin_lock lock;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

SEC("tc")
int bad_lock_call(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct stats *s = bpf_map_lookup_elem(&stats, &key);
	__u64 *c;

	if (!s)
		return TC_ACT_OK;
	bpf_spin_lock(&s->lock);
	c = bpf_map_lookup_elem(&counters, &key); /* VERIFIER: spin-lock */
	if (c)
		s->bytes += *c;
	bpf_spin_unlock(&s->lock);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
