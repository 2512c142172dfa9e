// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: read-only, const
 * Counts packets in a 'const volatile' setting (which lives in .rodata). */
#include "common.h"

const volatile __u64 seen = 0;

SEC("xdp")
int bad_rodata(struct xdp_md *ctx)
{
	*(volatile __u64 *)&seen += 1; /* VERIFIER: read-only-map */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
