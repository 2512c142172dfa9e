// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-OK: loads; bpfkit must not invent an error.
 * Two functions with 200-byte buffers each: 400 bytes, under the limit. */
#include "common.h"

static __attribute__((noinline)) int fill(struct xdp_md *ctx)
{
	volatile char b[200];

	b[0] = ctx->ingress_ifindex;
	b[ctx->rx_queue_index & 0x7f] = 1;
	return b[3];
}

SEC("xdp")
int ok_calls(struct xdp_md *ctx)
{
	volatile char a[200];

	a[0] = ctx->ingress_ifindex;
	a[ctx->rx_queue_index & 0x7f] = 1;
	return fill(ctx) + a[5] ? XDP_PASS : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
