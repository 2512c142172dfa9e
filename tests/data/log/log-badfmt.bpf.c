// SPDX-License-Identifier: GPL-2.0
/* Formats that do not fit their arguments. log.h's compile-time check would
 * refuse them (tests/integration/30-log.sh checks that); it is turned off here
 * to test the logger's own check, which covers what the compiler can't ("%%"
 * formats, objects built elsewhere): it names each call's file:line at open
 * and prints an error line per record instead of garbage. The last call is
 * fine. */
#define BK_LOG_NO_FORMAT_CHECK
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int badfmt(struct xdp_md *ctx)
{
	__u32 v = 7;

	bk_info(ctx, "string from an int: %s", v);
	bk_info(ctx, "ipv6 from an int: %pI6", v);
	bk_info(ctx, "too few arguments: %u %u", v);
	bk_info(ctx, "too many arguments: %u", v, v);
	bk_info(ctx, "a pointer: %p", &ctx->data);
	bk_info(ctx, "fine: %u", v);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
