// SPDX-License-Identifier: GPL-2.0
/* Deliberately broken: reads the packet without a bounds check, so the
 * verifier rejects it. The tests expect the error, the insn and this line. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_bad(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;

	return *(unsigned int *)data == 42 ? XDP_DROP : XDP_PASS; /* BAD_LINE */
}

char LICENSE[] SEC("license") = "GPL";
