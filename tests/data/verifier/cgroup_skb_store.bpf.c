// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: program type
 * Rewrites a byte with bpf_skb_store_bytes, which cgroup_skb may not call. */
#include "common.h"

SEC("cgroup_skb/egress")
int bad_cg_store(struct __sk_buff *skb)
{
	__u8 tos = 0;

	bpf_skb_store_bytes(skb, 1, &tos, 1, 0); /* VERIFIER: helper-not-allowed */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
