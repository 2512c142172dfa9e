/* must not compile: %pM of 16 bytes, after conversions with flags and width */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
SEC("xdp") int p(struct xdp_md *ctx) { struct in6_addr a = {}; bk_info(ctx, "%08x %-5u %pM", 1, 2, &a); return 2; }
