// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: pointer, &
 * Passes the map key by value instead of by address. */
#include "common.h"

SEC("tc")
int bad_key_value(struct __sk_buff *skb)
{
	__u32 key = skb->mark & 3;
	__u64 *n = bpf_map_lookup_elem(&counters, (void *)(long)key); /* VERIFIER: helper-arg */

	if (n)
		*n += 1;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
