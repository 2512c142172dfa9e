// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: return, 0, 1
 * Returns 2 from a cgroup_skb program, as if it were an XDP verdict. */
#include "common.h"

SEC("cgroup_skb/ingress")
int bad_cg_ret(struct __sk_buff *skb)
{
	if (skb->len > 1400) /* VERIFIER: return-range */
		return 2;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
