// SPDX-License-Identifier: GPL-2.0
/* bench/log.sh's programs: the same two u32 values logged with bk_info, written
 * by hand into the same ring buffer (the anchor), and printed with
 * bpf_printk; "empty" measures BPF_PROG_TEST_RUN's own cost per run. The ring
 * buffer is large so a timed run never hits the full-buffer path. */
#define BK_LOG_RINGBUF_SIZE (32 << 20)
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bkinfo(struct xdp_md *ctx)
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
		r->id = 0;	/* the bkinfo call's id: the logger formats these too */
		r->a = a;
		r->b = b;
		bpf_ringbuf_submit(r, 0);
	}
	return XDP_PASS;
}

SEC("xdp")
int printk(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	bpf_printk("bpfkit-bench a=%u b=%u", a, b);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
