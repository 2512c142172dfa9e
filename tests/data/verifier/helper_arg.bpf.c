// SPDX-License-Identifier: GPL-2.0
/* Passes the context where a helper wants a pointer to memory. */
#include "common.h"

SEC("xdp")
int bad_arg(struct xdp_md *ctx)
{
	__u32 key = 0;

	bpf_map_update_elem(&counters, &key, ctx, 0); /* VERIFIER: helper-arg */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
