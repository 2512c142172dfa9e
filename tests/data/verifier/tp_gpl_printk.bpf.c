// SPDX-License-Identifier: MIT
/* VERIFIER-HINT: LICENSE, GPL
 * Prints with bpf_printk from a program licensed MIT only. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getpid")
int bad_tp_license(struct sys_enter_ctx *ctx)
{
	bpf_printk("getpid %ld", ctx->id); /* VERIFIER: gpl-only */
	return 0;
}

char LICENSE[] SEC("license") = "MIT";
