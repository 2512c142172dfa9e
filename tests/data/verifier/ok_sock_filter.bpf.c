// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-OK: loads; bpfkit must not invent an error.
 * VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * A socket filter that reads the packet with bpf_skb_load_bytes and keys
 * its map with a zeroed struct. */
#include "common.h"

struct flow { __u8 proto; __u32 len; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow);
	__type(value, __u64);
} flows SEC(".maps");

SEC("socket")
int ok_sock(struct __sk_buff *skb)
{
	struct flow f = {};
	__u8 ttl = 0;
	__u64 *n;

	if (bpf_skb_load_bytes(skb, 22, &ttl, 1))
		return 0;
	f.proto = ttl;
	f.len = skb->len;
	n = bpf_map_lookup_elem(&flows, &f);
	return n ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
