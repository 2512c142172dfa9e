// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: return, 0, 1
 * Refuses connections to port 25 by returning -EPERM. */
#include "common.h"

SEC("cgroup/connect4")
int bad_connect(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(25)) /* VERIFIER: return-range */
		return -1;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
