// SPDX-License-Identifier: GPL-2.0
/* One call per level; the test loads it at several levels and compares the
 * records and the verifier's (xlated) program length. log-nolog is the same
 * program without the calls. */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int levels(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bk_error(ctx, "error %u", len);
	bk_warn(ctx, "warn %u", len);
	bk_info(ctx, "info %u", len);
	bk_debug(ctx, "debug %u", len);
	bk_trace(ctx, "trace %u", len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
