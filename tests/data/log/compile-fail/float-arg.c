/* must not compile: a floating-point argument */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { double d = ctx->data; bk_info(ctx, "%d", d); return 2; }
