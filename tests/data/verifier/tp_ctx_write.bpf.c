// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: read-only
 * Tries to change a syscall argument by writing the tracepoint context. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_write(struct sys_enter_ctx *ctx)
{
	ctx->args[2] = 0; /* VERIFIER: ctx-access */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
