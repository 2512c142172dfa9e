// SPDX-License-Identifier: GPL-2.0
/* An 8-byte store to the stack at an address that is not 8-byte aligned. */
#include "common.h"

SEC("xdp")
int bad_align(struct xdp_md *ctx)
{
	__u64 v = ctx->ingress_ifindex;

	/* clang would split a C store it knows is unaligned: say it in asm */
	asm volatile("*(u64 *)(r10 - 15) = %0" :: "r"(v)); /* VERIFIER: misaligned */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
