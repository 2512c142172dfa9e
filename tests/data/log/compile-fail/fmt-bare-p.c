/* must not compile: a bare %p (kernel addresses are not logged) */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { bk_info(ctx, "ctx at %p", ctx); return 2; }
