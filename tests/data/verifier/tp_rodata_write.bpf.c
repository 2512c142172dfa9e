// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: read-only, const
 * Updates a 'const volatile' filter setting from the program. */
#include "common.h"

const volatile long target_id = 257;

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_rodata(struct sys_enter_ctx *ctx)
{
	if (ctx->id != target_id)
		*(volatile long *)&target_id = ctx->id; /* VERIFIER: read-only-map */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
