// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: unsigned, off
 * Jumps over the IP options with a signed header length from skb->cb[]. */
#include "common.h"

SEC("tc")
int bad_cb_off(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	int off = (int)skb->cb[0];
	__u8 *p;

	if (off > 60)
		return TC_ACT_OK;
	p = data + off; /* VERIFIER: unbounded-offset */
	if ((void *)(p + 1) > data_end)
		return TC_ACT_OK;
	return *p ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
