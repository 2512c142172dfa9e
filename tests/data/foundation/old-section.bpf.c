// SPDX-License-Identifier: GPL-2.0
/* An old-style section name (the xdp-tutorial's SEC("xdp_vlan01")): libbpf
 * 1.0 gives it no program type; bpfkit must say so and suggest SEC("xdp"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_vlan01")
int xdp_vlan_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
