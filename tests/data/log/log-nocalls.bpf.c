// SPDX-License-Identifier: GPL-2.0
/* Includes log.h but never logs: loads, and a logger opens with no sites. */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int nocalls(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
