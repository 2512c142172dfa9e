// SPDX-License-Identifier: GPL-2.0
/* A map declared LIBBPF_PIN_BY_NAME (as the xdp-tutorial's are), for
 * `test` (must pin nothing) and `run`/`load` (must say where they pinned). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bk_pin_by_name_t12 SEC(".maps");

SEC("xdp")
int xdp_pin_by_name1(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&bk_pin_by_name_t12, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
