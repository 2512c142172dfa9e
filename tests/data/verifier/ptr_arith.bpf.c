// SPDX-License-Identifier: GPL-2.0
/* Arithmetic on the end-of-packet pointer, which the verifier forbids. */
#include "common.h"

SEC("xdp")
int bad_arith(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	volatile long off = 4;

	end -= off; /* VERIFIER: pointer-arithmetic */
	if (data + 1 > end)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
