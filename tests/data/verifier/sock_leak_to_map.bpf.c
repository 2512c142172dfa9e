// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: address, map, CAP_PERFMON
 * Stores the address of a map value in the map (to "remember where it was"),
 * which leaks a kernel address to user space. */
#include "common.h"

SEC("socket")
int bad_leak(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (!v)
		return 0;
	*v = (__u64)v; /* VERIFIER: pointer-leak */
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
