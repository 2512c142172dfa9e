// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_ringbuf_submit
 * Sends packet lengths to user space but returns before submitting big ones. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} lens SEC(".maps");

SEC("socket")
int bad_sock_ringbuf(struct __sk_buff *skb)
{
	__u32 *e = bpf_ringbuf_reserve(&lens, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = skb->len;
	if (*e > 1500) return 0; /* VERIFIER: unreleased-reference */
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
