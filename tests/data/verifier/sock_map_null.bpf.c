// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: NULL, if (!
 * Adds the packet length to a hash-map counter it never checked. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} bytes SEC(".maps");

SEC("socket")
int bad_sock_null(struct __sk_buff *skb)
{
	__u32 proto = skb->protocol;
	__u64 *b = bpf_map_lookup_elem(&bytes, &proto);

	*b += skb->len; /* VERIFIER: map-value-null */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
