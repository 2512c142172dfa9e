// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bound, loop
 * Waits in a loop until user space sets a flag in a map. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_wait(struct sys_enter_ctx *ctx)
{
	__u32 key = 2;
	__u64 *ready = bpf_map_lookup_elem(&counters, &key);

	if (!ready)
		return 0;
	while (*(volatile __u64 *)ready == 0) /* VERIFIER: loop */
		;
	return ctx->id == 257;
}

char LICENSE[] SEC("license") = "GPL";
