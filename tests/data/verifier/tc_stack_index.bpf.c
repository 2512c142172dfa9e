// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-UNPRIV: load without CAP_PERFMON/CAP_SYS_ADMIN.
 * VERIFIER-HINT: stack, map
 * Picks a byte from a partly filled local buffer by a packet-dependent index. */
#include "common.h"

SEC("tc")
int bad_stack_index(struct __sk_buff *skb)
{
	char tag[16];

	tag[0] = skb->protocol;
	tag[1] = skb->mark;
	return tag[skb->len & 15] ? TC_ACT_OK : TC_ACT_SHOT; /* VERIFIER: stack-var-offset */
}

char LICENSE[] SEC("license") = "GPL";
