// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: unsigned, off
 * Skips a header whose length comes from a map, as an int: checked against
 * a maximum but never against 0, so it may be negative. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, int);
} skip SEC(".maps");

SEC("xdp")
int bad_signed(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	int *off = bpf_map_lookup_elem(&skip, &key);
	unsigned char *p;

	if (!off || *off > 64)
		return XDP_PASS;
	p = data + *off; /* VERIFIER: unbounded-offset */
	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	return *p == 0x45 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
