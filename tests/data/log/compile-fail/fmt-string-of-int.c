/* must not compile: %s of an integer */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { bk_info(ctx, "dev %s", ctx->ingress_ifindex); return 2; }
