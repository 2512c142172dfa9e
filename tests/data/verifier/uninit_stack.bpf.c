// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * Reads a stack slot nothing wrote. Privileged loaders (CAP_PERFMON) are
 * allowed to (they read garbage); the test loads it without. */
#include "common.h"

SEC("socket")
int bad_uninit(struct __sk_buff *skb)
{
	__u64 r;

	/* C would not let us name the uninitialised slot: say it in asm */
	asm volatile("%0 = *(u64 *)(r10 - 64)" : "=r"(r)); /* VERIFIER: uninit-stack */
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
