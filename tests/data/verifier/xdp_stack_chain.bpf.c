// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: parse_opts, copy_opts, PERCPU_ARRAY
 * Three functions, each with a buffer well under 512 bytes, whose stacks
 * add up to more than 512 along the call chain. */
#include "common.h"

static __attribute__((noinline)) int copy_opts(struct xdp_md *ctx, volatile char *hdr)
{
	volatile char opts[200];

	opts[0] = hdr[0];
	opts[ctx->rx_queue_index & 0x7f] = 1;
	return opts[3];
}

static __attribute__((noinline)) int parse_opts(struct xdp_md *ctx)
{
	volatile char hdr[200];

	hdr[0] = ctx->ingress_ifindex;
	hdr[ctx->rx_queue_index & 0x7f] = 2;
	return copy_opts(ctx, hdr) + hdr[5]; /* VERIFIER: stack-size */
}

SEC("xdp")
int bad_chain(struct xdp_md *ctx)
{
	volatile char scratch[160];

	scratch[0] = ctx->ingress_ifindex;
	scratch[ctx->rx_queue_index & 0x7f] = 3;
	return parse_opts(ctx) + scratch[9] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
