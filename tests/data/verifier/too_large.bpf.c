// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-SLOW: the verifier walks a million instructions before giving up.
 * A bounded loop with so many iterations the verifier gives up. */
#include "common.h"

SEC("xdp")
int bad_large(struct xdp_md *ctx)
{
	__u32 x = ctx->ingress_ifindex;

	for (int i = 0; i < 10000000; i++) /* VERIFIER: too-complex */
		x = x * 31 + i;
	return x & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
