/* must not compile: two conversions, one argument */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { bk_info(ctx, "%u and %u", 1); return 2; }
