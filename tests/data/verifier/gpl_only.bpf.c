// SPDX-License-Identifier: MIT
/* Calls bpf_trace_printk (GPL-only) from a program that is not GPL. */
#include "common.h"

SEC("xdp")
int bad_license(struct xdp_md *ctx)
{
	bpf_printk("hello"); /* VERIFIER: gpl-only */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
