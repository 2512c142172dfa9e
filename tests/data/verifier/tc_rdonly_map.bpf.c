// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: BPF_F_RDONLY_PROG
 * Writes into a map declared read-only for programs. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, __u64);
} config SEC(".maps");

SEC("tc")
int bad_rdonly(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&config, &key);

	if (v)
		*v = skb->len; /* VERIFIER: read-only-map */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
