// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bound, off
 * Adds a 64-bit number from a map to the packet pointer with no bound at all. */
#include "common.h"

SEC("xdp")
int bad_unbounded(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	__u64 *off = bpf_map_lookup_elem(&counters, &key);
	unsigned char *p;

	if (!off)
		return XDP_PASS;
	p = data + *off; /* VERIFIER: unbounded-offset */
	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	return *p ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
