// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_spin_unlock, lock
 * Returns early from inside a bpf_spin_lock'ed region. */
#include "common.h"

struct stats {
	struct bpf_spin_lock lock;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

SEC("xdp")
int bad_lock_exit(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct stats *s = bpf_map_lookup_elem(&stats, &key);

	if (!s)
		return XDP_PASS;
	bpf_spin_lock(&s->lock);
	s->packets++;
	if (s->packets > 1000) return XDP_DROP; /* VERIFIER: spin-lock */
	bpf_spin_unlock(&s->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
