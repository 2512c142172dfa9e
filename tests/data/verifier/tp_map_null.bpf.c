// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: NULL, if (!
 * Counts openat calls per syscall id without checking the lookup. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, long);
	__type(value, __u64);
} calls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_null(struct sys_enter_ctx *ctx)
{
	long id = ctx->id;
	__u64 *n = bpf_map_lookup_elem(&calls, &id);

	__sync_fetch_and_add(n, 1); /* VERIFIER: map-value-null */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
