// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* xdp-pass — the smallest XDP program: let every packet through.
 * Its disassembly is two instructions: r0 = 2; exit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
