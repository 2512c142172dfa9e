// SPDX-License-Identifier: GPL-2.0
/* Passes every packet, under a name no other test uses, so 16-safety.sh can
 * tell its replacement program apart (and count it for leaks). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_safe_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
