// SPDX-License-Identifier: GPL-2.0
/* Exits without a return value in R0 (hand-written assembly). */
#include "common.h"

SEC("xdp")
int bad_r0(struct xdp_md *ctx)
{
	/* exit early, before anything set r0 */
	asm volatile("r2 = *(u32 *)(r1 + 12); if r2 != 7 goto +1; exit" ::: "r2"); /* VERIFIER: r0-not-set */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
