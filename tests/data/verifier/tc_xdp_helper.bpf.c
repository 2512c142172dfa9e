// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: program type
 * Calls the XDP-only bpf_xdp_adjust_head from a tc program. */
#include "common.h"

SEC("tc")
int bad_tc_helper(struct __sk_buff *skb)
{
	return bpf_xdp_adjust_head((struct xdp_md *)skb, 4) ? TC_ACT_SHOT : TC_ACT_OK; /* VERIFIER: helper-not-allowed */
}

char LICENSE[] SEC("license") = "GPL";
