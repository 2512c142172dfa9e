// SPDX-License-Identifier: GPL-2.0
/* Calls helper number 9999, which no kernel has. */
#include "common.h"

static long (*bpf_from_the_future)(void) = (void *)9999;

SEC("xdp")
int bad_func(struct xdp_md *ctx)
{
	return bpf_from_the_future() ? XDP_PASS : XDP_DROP; /* VERIFIER: unknown-func */
}

char LICENSE[] SEC("license") = "GPL";
