// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: (void *)(long)ctx->data
 * Reads ctx->data as if it were a 64-bit pointer field. */
#include "common.h"

SEC("xdp")
int bad_data64(struct xdp_md *ctx)
{
	void *data = *(void **)&ctx->data; /* VERIFIER: ctx-access */
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 14 > data_end)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
