// SPDX-License-Identifier: GPL-2.0
/* A loop whose exit the verifier can never reach. */
#include "common.h"

SEC("xdp")
int bad_loop(struct xdp_md *ctx)
{
	__u32 n = ctx->ingress_ifindex;

	while (n != 0xffffffff) /* VERIFIER: loop */
		n = n | 0;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
