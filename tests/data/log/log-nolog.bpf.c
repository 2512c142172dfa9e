// SPDX-License-Identifier: GPL-2.0
/* log-levels.bpf.c without its log calls, and without log.h: an object
 * that does not log must load and run with no log map (aya #392/#415). */
#include <bpfkit/parse.h>

SEC("xdp")
int levels(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	(void)len;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
