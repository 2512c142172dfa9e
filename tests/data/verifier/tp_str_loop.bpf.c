// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bound, loop
 * Measures a copied string with a while loop that has no bound. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_loop(struct sys_enter_ctx *ctx)
{
	char name[32] = {};
	__u32 n = 0;

	bpf_probe_read_user_str(name, sizeof(name), (void *)ctx->args[1]);
	while (name[n & 31]) /* VERIFIER: too-complex */
		n++;
	return n;
}

char LICENSE[] SEC("license") = "GPL";
