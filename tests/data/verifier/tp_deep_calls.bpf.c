// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: 8, __always_inline
 * Nine layers of helper functions, each calling the next. */
#include "common.h"

#define NOINLINE static __attribute__((noinline))

NOINLINE long scale(long x) { volatile long v = x; return v * 3; }
NOINLINE long clamp(long x) { volatile long v = x; return scale(v & 0xffff); }
NOINLINE long mix(long x) { volatile long v = x; return clamp(v ^ 0x5a5a); } /* VERIFIER: call-depth */
NOINLINE long fold(long x) { volatile long v = x; return mix(v + (v >> 7)); }
NOINLINE long spread(long x) { volatile long v = x; return fold(v << 1); }
NOINLINE long hash2(long x) { volatile long v = x; return spread(v * 31); }
NOINLINE long hash1(long x) { volatile long v = x; return hash2(v + 17); }
NOINLINE long bucket(long x) { volatile long v = x; return hash1(v) & 63; }
NOINLINE long classify(long x) { volatile long v = x; return bucket(v); }

SEC("tracepoint/syscalls/sys_enter_getpid")
int bad_deep(struct sys_enter_ctx *ctx)
{
	return classify(ctx->id) == 7;
}

char LICENSE[] SEC("license") = "GPL";
