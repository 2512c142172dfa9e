// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: compare, CAP_PERFMON
 * Checks whether two lookups returned the same slot by comparing the
 * pointers, which unprivileged loaders may not do. */
#include "common.h"

SEC("socket")
int bad_ptr_cmp(struct __sk_buff *skb)
{
	__u32 k0 = 0, k1 = 1;
	__u64 *slot = bpf_map_lookup_elem(&counters, &k0);
	__u64 *total;

	if (!slot)
		return 0;
	*slot += 1;
	total = bpf_map_lookup_elem(&counters, &k1);
	if (total && total != slot) /* VERIFIER: pointer-leak */
		*total += skb->len;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
