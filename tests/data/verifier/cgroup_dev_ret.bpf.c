// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: return, 0, 1
 * Returns the access mask from a device-cgroup program. */
#include "common.h"

SEC("cgroup/dev")
int bad_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	if (ctx->major == 1)
		return ctx->access_type & 0xf; /* VERIFIER: return-range */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
