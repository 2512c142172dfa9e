// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_skb_load_bytes
 * A socket filter reading skb->data directly, as XDP and tc may. */
#include "common.h"

SEC("socket")
int bad_sock_data(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end; /* VERIFIER: ctx-access */

	if (data + 14 > data_end)
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
