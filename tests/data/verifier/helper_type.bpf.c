// SPDX-License-Identifier: GPL-2.0
/* Calls a socket-buffer helper (bpf_skb_load_bytes) from an XDP program. */
#include "common.h"

SEC("xdp")
int bad_helper(struct xdp_md *ctx)
{
	char b[4];

	return bpf_skb_load_bytes(ctx, 0, b, 4) ? XDP_PASS : XDP_DROP; /* VERIFIER: helper-not-allowed */
}

char LICENSE[] SEC("license") = "GPL";
