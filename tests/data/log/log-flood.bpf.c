// SPDX-License-Identifier: GPL-2.0
/* A one-page ring buffer that a BPF_PROG_TEST_RUN repeat overflows: every
 * loss must be counted. Also the bench's bk_info with two u32 arguments next
 * to the same record written by hand, and bpf_printk of the same. */
#define BK_LOG_RINGBUF_SIZE 4096
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int flood(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	bk_info(ctx, "a=%u b=%u", a, b);
	return XDP_PASS;
}

struct raw_rec {
	__u32 id, a, b;
};

SEC("xdp")
int raw(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	struct raw_rec *r = bpf_ringbuf_reserve(&bpfkit_log, sizeof(*r), 0);

	if (r) {
		r->id = 12345;
		r->a = a;
		r->b = b;
		bpf_ringbuf_submit(r, 0);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
