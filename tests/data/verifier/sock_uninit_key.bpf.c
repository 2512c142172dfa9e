// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: = {}, key
 * Looks a flow up with a key struct whose padding nothing wrote. */
#include "common.h"

struct flow {
	__u8 proto;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow);
	__type(value, __u64);
} flows SEC(".maps");

SEC("socket")
int bad_key(struct __sk_buff *skb)
{
	struct flow f;
	__u64 *n;

	f.proto = skb->protocol;
	f.len = skb->len;
	n = bpf_map_lookup_elem(&flows, &f); /* VERIFIER: uninit-stack */
	return n ? *n : 0;
}

char LICENSE[] SEC("license") = "GPL";
