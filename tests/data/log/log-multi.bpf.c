// SPDX-License-Identifier: GPL-2.0
/* Several programs of one object log into its one ring buffer; a helper
 * logs too (its records name the helper). The instance global tells two
 * loads of this object apart. */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

const volatile __u32 instance = 0;

static __always_inline void helper(struct xdp_md *ctx, __u32 n)
{
	bk_debug(ctx, "helper %u of instance %u", n, instance);
}

SEC("xdp")
int prog_a(struct xdp_md *ctx)
{
	bk_info(ctx, "prog_a of instance %u", instance);
	helper(ctx, 1);
	return XDP_PASS;
}

SEC("xdp")
int prog_b(struct xdp_md *ctx)
{
	bk_warn(ctx, "prog_b of instance %u", instance);
	helper(ctx, 2);
	return XDP_PASS;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int prog_tp(void *ctx)
{
	bk_info(ctx, "tracepoint of instance %u", instance);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
