/* must not compile: a struct passed by value */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
struct pair { int a, b; };
SEC("xdp") int p(struct xdp_md *ctx) { struct pair x = { 1, 2 }; bk_info(ctx, "%d", x); return 2; }
