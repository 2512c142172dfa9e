// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: stack, map
 * Counts bytes per protocol in an array on the stack, indexed by a value
 * from the packet. */
#include "common.h"

SEC("socket")
int bad_var_stack(struct __sk_buff *skb)
{
	__u64 hist[8] = {};
	__u32 i = skb->len & 7;

	hist[i] += 1; /* VERIFIER: stack-var-offset */
	return hist[0] + hist[1];
}

char LICENSE[] SEC("license") = "GPL";
