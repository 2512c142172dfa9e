// SPDX-License-Identifier: GPL-2.0
/* Uses a map value without checking the lookup found one. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} by_key SEC(".maps");

SEC("xdp")
int bad_null(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&by_key, &key);

	*v += 1; /* VERIFIER: map-value-null */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
