// SPDX-License-Identifier: GPL-2.0
/* bench/log.sh's programs: the same two u32 values logged with bk_info,
 * written by hand into a BPF_MAP_TYPE_RINGBUF (the anchor), written by hand
 * into bk_info's own per-CPU ring, and printed with bpf_printk; "empty"
 * measures BPF_PROG_TEST_RUN's own cost per run. The rings are large so a
 * timed run never overwrites (the per-CPU ring) or fails to reserve (the ring
 * buffer). */
#define BK_LOG_RINGBUF_SIZE (16 << 20)
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

/* The same record written by hand into bk_info's per-CPU ring: the id of
 * the bkinfo call (0) with the length in 8-byte units above it, then the
 * head advanced by one record and 16 bytes (log_common.h). */
SEC("xdp")
int slot(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	__u32 cpu = bpf_get_smp_processor_id();
	struct bk__log_cpu *c = bpf_map_lookup_elem(&bpfkit_log, &cpu);

	if (c) {
		__u64 h = c->head;
		struct raw_rec *r = (void *)(c->ring + (h & (BK_LOG_RINGBUF_SIZE - 1)));

		r->id = 0 | 2 << BK_LOG_ID_BITS;
		r->a = a;
		r->b = b;
		__asm__ __volatile__("" ::: "memory");
		c->head = h + (1ull << 32) + 16;
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
