// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: bpf_ringbuf_submit, bpf_ringbuf_discard
 * Reserves an event and forgets it on the path that filters it out. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event { long id; unsigned long flags; };

SEC("tracepoint/syscalls/sys_enter_openat")
int bad_tp_ringbuf(struct sys_enter_ctx *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->id = ctx->id;
	e->flags = ctx->args[2];
	if (e->flags == 0) return 0; /* VERIFIER: unreleased-reference */
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
