// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: return
 * Returns the socket type from a cgroup/sock_create program. */
#include "common.h"

SEC("cgroup/sock_create")
int bad_sock_create(struct bpf_sock *sk)
{
	return sk->type; /* VERIFIER: return-range */
}

char LICENSE[] SEC("license") = "GPL";
