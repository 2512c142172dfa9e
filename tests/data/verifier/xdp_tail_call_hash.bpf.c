// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: BPF_MAP_TYPE_PROG_ARRAY, jump
 * Jumps to the next stage through a hash map instead of a program array. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

SEC("xdp")
int bad_tail(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump, 1); /* VERIFIER: tail-call-map */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
