// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: asm, exit
 * Returns early from inline assembly with 'exit', leaving the C code
 * after it unreachable. */
#include "common.h"

SEC("xdp")
int bad_asm_exit(struct xdp_md *ctx)
{
	asm volatile("r0 = 2; exit");
	return XDP_DROP; /* VERIFIER: unreachable */
}

char LICENSE[] SEC("license") = "GPL";
