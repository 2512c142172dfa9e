// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: r1-r5, call
 * Hand-written assembly that keeps using r2 across a helper call, which
 * clobbers r1-r5. */
#include "common.h"

SEC("socket")
int bad_sock_reg(struct __sk_buff *skb)
{
	long r;

	asm volatile("r2 = 7; call %[ktime]; %[out] = r2" /* VERIFIER: uninit-register */
		     : [out] "=r"(r) : [ktime] "i"(BPF_FUNC_ktime_get_ns) : "r0", "r1", "r2", "r3", "r4", "r5");
	return r;
}

char LICENSE[] SEC("license") = "GPL";
