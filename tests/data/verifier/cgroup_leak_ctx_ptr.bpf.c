// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: address, map
 * Saves the socket pointer of the packet in a map to match it later. */
#include "common.h"

SEC("cgroup_skb/ingress")
int bad_leak_sk(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	struct bpf_sock *sk = skb->sk;

	if (!v || !sk)
		return 1;
	*v = (__u64)sk; /* VERIFIER: pointer-leak */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
