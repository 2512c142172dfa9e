// SPDX-License-Identifier: GPL-2.0
/* An XDP program beside a tracepoint no kernel has: `run` must say the
 * tracepoint is missing, point at --prog, and leave the interface alone. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass_too(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tracepoint/bpfkit_nonexistent/no_such_event")
int tp_missing(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
