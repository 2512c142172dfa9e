// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: BPF_MAP_TYPE_PROG_ARRAY
 * Keeps the next stage's program fd in a plain array and tail-calls it. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} stages SEC(".maps");

SEC("tc")
int bad_stage(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &stages, skb->mark & 3); /* VERIFIER: tail-call-map */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
