// SPDX-License-Identifier: GPL-2.0
/* Two functions whose stacks together exceed 512 bytes. */
#include "common.h"

static __attribute__((noinline)) int inner(volatile char *p)
{
	volatile char buf[300];

	buf[p[0] & 0xff] = 1;
	return buf[7];
}

SEC("xdp")
int bad_stack(struct xdp_md *ctx)
{
	volatile char buf[300];

	buf[0] = ctx->ingress_ifindex;
	return inner(buf) ? XDP_PASS : XDP_DROP; /* VERIFIER: stack-size */
}

char LICENSE[] SEC("license") = "GPL";
