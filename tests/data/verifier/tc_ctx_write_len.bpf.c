// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: read-only, skb
 * Tries to trim a packet by writing skb->len. */
#include "common.h"

SEC("tc")
int bad_len(struct __sk_buff *skb)
{
	if (skb->len > 1000)
		skb->len = 1000; /* VERIFIER: ctx-access */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
