// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: recursion, loop
 * Walks nested headers recursively. */
#include "common.h"

static __attribute__((noinline)) int skip_vlans(struct xdp_md *ctx, int depth)
{
	volatile int d = depth;

	if (d > 100)
		return d;
	return skip_vlans(ctx, d + 1) + 1; /* VERIFIER: call-depth */
}

SEC("xdp")
int bad_recurse(struct xdp_md *ctx)
{
	return skip_vlans(ctx, 0) > 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
