// SPDX-License-Identifier: GPL-2.0
/* Uses a number read from the context as a pointer. */
#include "common.h"

SEC("xdp")
int bad_scalar(struct xdp_md *ctx)
{
	long addr = ctx->ingress_ifindex;

	return *(int *)addr; /* VERIFIER: scalar-deref */
}

char LICENSE[] SEC("license") = "GPL";
