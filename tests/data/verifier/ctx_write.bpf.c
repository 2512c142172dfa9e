// SPDX-License-Identifier: GPL-2.0
/* Writes a read-only field of the XDP context. */
#include "common.h"

SEC("xdp")
int bad_ctx(struct xdp_md *ctx)
{
	ctx->ingress_ifindex = 1; /* VERIFIER: ctx-access */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
