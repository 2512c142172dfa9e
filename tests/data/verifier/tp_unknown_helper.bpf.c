// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: kernel, bpfkit feature
 * Declares a helper by number, copying it from newer kernel headers. */
#include "common.h"

static long (*bpf_new_helper)(void *ctx) = (void *)777;

SEC("tracepoint/syscalls/sys_enter_getpid")
int bad_tp_helper(struct sys_enter_ctx *ctx)
{
	return bpf_new_helper(ctx) > 0; /* VERIFIER: unknown-func */
}

char LICENSE[] SEC("license") = "GPL";
