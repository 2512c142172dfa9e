// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_probe_read_user
 * Reads the first byte of openat's file name straight through the user pointer. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_deref(struct sys_enter_ctx *ctx)
{
	const char *name = (const char *)ctx->args[1];

	if (name[0] == '/') /* VERIFIER: scalar-deref */
		return 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
