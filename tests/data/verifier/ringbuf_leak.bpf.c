// SPDX-License-Identifier: GPL-2.0
/* Reserves ring-buffer space and returns without submitting it. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int bad_ringbuf(struct xdp_md *ctx)
{
	__u32 *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return XDP_PASS;
	*e = ctx->ingress_ifindex;
	return XDP_PASS;
} /* VERIFIER: unreleased-reference */

char LICENSE[] SEC("license") = "GPL";
