// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: __builtin_memcpy
 * Stores a 32-bit value into a byte buffer on the stack at an odd offset. */
#include "common.h"

SEC("xdp")
int bad_odd_store(struct xdp_md *ctx)
{
	char rec[16] __attribute__((aligned(8)));
	__u32 key = 0;

	__builtin_memset(rec, 0, sizeof(rec));
	asm volatile("*(u32 *)(%[p] + 1) = %[v]" :: [p] "r"(rec), [v] "r"(ctx->ingress_ifindex) : "memory"); /* VERIFIER: misaligned */
	return bpf_map_update_elem(&counters, &key, rec, BPF_ANY) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
