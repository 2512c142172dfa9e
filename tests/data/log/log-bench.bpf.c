// SPDX-License-Identifier: GPL-2.0
/* bench/log.sh's programs: the same two u32 values logged with bk_info,
 * written by hand into a BPF_MAP_TYPE_RINGBUF (the anchor), written by hand
 * into bk_info's own shared ring ("slot"), and printed with bpf_printk;
 * "empty" measures BPF_PROG_TEST_RUN's own cost per run. The rings are large
 * so a timed run's records fit (the ring buffer never fails to reserve). */
#ifndef BK_BENCH_DEFAULT_RING	/* log-sustain.bpf.c: the default size */
#define BK_LOG_RING_SLOTS (1 << 16)	/* 2 MiB, the most an array value may be is 4 */
#endif
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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} bench_rb SEC(".maps");

SEC("xdp")
int raw(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	struct raw_rec *r = bpf_ringbuf_reserve(&bench_rb, sizeof(*r), 0);

	if (r) {
		r->id = 0;
		r->a = a;
		r->b = b;
		bpf_ringbuf_submit(r, 0);
	}
	return XDP_PASS;
}

/* The same record written by hand into bk_info's shared ring: claim one
 * slot (and count one record), write the id of the bkinfo call (0) with the
 * length in slots above it and the arguments, then the seq (log_common.h). */
static __always_inline void slot_one(__u32 a, __u32 b)
{
	__u64 h = __sync_fetch_and_add(&bpfkit_log_ring.head, (1ull << 32) | 1);
	unsigned char *s = &bpfkit_log_ring.slots[(h & (BK_LOG_RING_SLOTS - 1)) * BK_LOG_SLOT];
	struct raw_rec *r = (void *)(s + 8);

	r->id = 0 | 1 << BK_LOG_ID_BITS;
	r->a = a;
	r->b = b;
	__asm__ __volatile__("" ::: "memory");
	*(volatile __u64 *)s = h + 1;
}

SEC("xdp")
int slot(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	slot_one(a, b);
	return XDP_PASS;
}

SEC("xdp")
int printk(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	bpf_printk("bpfkit-bench a=%u b=%u", a, b);
	return XDP_PASS;
}

/* The same, 8 calls per run: BPF_PROG_TEST_RUN reports whole ns per run,
 * so per-call times come from these (resolution 1/8 ns). Each program
 * writes its 8 records from 8 call sites / copies of the code. */
#define X8(s) s s s s s s s s
SEC("xdp")
int bkinfo8(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	/* written out: X8() would expand __COUNTER__ once for all 8 */
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	bk_info(ctx, "a=%u b=%u", a, b);
	return XDP_PASS;
}

static __always_inline void raw_one(__u32 a, __u32 b)
{
	struct raw_rec *r = bpf_ringbuf_reserve(&bench_rb, sizeof(*r), 0);

	if (r) {
		r->id = 0;
		r->a = a;
		r->b = b;
		bpf_ringbuf_submit(r, 0);
	}
}

SEC("xdp")
int raw8(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	X8(raw_one(a, b);)
	return XDP_PASS;
}

SEC("xdp")
int slot8(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	X8(slot_one(a, b);)
	return XDP_PASS;
}

SEC("xdp")
int printk8(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;

	X8(bpf_printk("bpfkit-bench a=%u b=%u", a, b);)
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
