// SPDX-License-Identifier: GPL-2.0
/* Drops every packet: the "firewall already protecting the interface" of
 * 16-safety.sh, whose traffic proves it still acts after a failed command. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
