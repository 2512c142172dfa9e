// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: pointer
 * Rounds a packet pointer down to a 4-byte boundary with a mask. */
#include "common.h"

SEC("tc")
int bad_align_ptr(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 *w = (__u32 *)((long)(data + 15) & ~3L); /* VERIFIER: pointer-arithmetic */

	if ((void *)(w + 1) > data_end)
		return TC_ACT_OK;
	return *w ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
