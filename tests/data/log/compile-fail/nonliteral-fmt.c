/* must not compile: a format that is not a string literal */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { const char *f = "%d"; bk_info(ctx, f, 1); return 2; }
