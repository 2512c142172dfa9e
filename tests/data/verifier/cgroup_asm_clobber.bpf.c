// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: r1-r5, call
 * Inline assembly that reads the packet length into r3, calls a helper,
 * and uses r3 afterwards. */
#include "common.h"

SEC("cgroup_skb/egress")
int bad_cg_clobber(struct __sk_buff *skb)
{
	long t;

	asm volatile("r3 = *(u32 *)(r1 + 0); call %[now]; %[t] = r3" /* VERIFIER: uninit-register */
		     : [t] "=r"(t) : [now] "i"(BPF_FUNC_ktime_get_ns) : "r0", "r1", "r2", "r3", "r4", "r5");
	return t > 0;
}

char LICENSE[] SEC("license") = "GPL";
