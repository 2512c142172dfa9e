// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bound, sizeof
 * Copies a user buffer whose length is the syscall's, without bounding it. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_write")
int bad_tp_len(struct sys_enter_ctx *ctx)
{
	char buf[64];
	long n = ctx->args[2];

	bpf_probe_read_user(buf, n, (void *)ctx->args[1]); /* VERIFIER: out-of-range */
	return buf[0];
}

char LICENSE[] SEC("license") = "GPL";
