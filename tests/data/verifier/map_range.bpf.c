// SPDX-License-Identifier: GPL-2.0
/* Indexes into a map value with an index it never bounds. */
#include "common.h"

struct big { __u32 slot[8]; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} table SEC(".maps");

SEC("xdp")
int bad_range(struct xdp_md *ctx)
{
	__u32 key = 0, i = ctx->rx_queue_index;
	struct big *b = bpf_map_lookup_elem(&table, &key);

	if (!b)
		return XDP_PASS;
	return b->slot[i]; /* VERIFIER: out-of-range */
}

char LICENSE[] SEC("license") = "GPL";
