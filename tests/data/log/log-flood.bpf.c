// SPDX-License-Identifier: GPL-2.0
/* A one-page ring per CPU that a BPF_PROG_TEST_RUN repeat overflows: every
 * loss must be counted. "raw" writes a record by hand with an id no call
 * has (the logger must say so); "badhdr" one whose header claims a length
 * of 0 (the logger must say so and go on). */
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
	__u32 cpu = bpf_get_smp_processor_id();
	struct bk__log_cpu *c = bpf_map_lookup_elem(&bpfkit_log, &cpu);

	if (c) {
		__u64 h = c->head;
		struct raw_rec *r = (void *)(c->ring + (h & (BK_LOG_RINGBUF_SIZE - 1)));

		r->id = 12345 | 2 << BK_LOG_ID_BITS;
		r->a = a;
		r->b = b;
		__asm__ __volatile__("" ::: "memory");
		c->head = h + (1ull << 32) + 16;
	}
	return XDP_PASS;
}

SEC("xdp")
int badhdr(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct bk__log_cpu *c = bpf_map_lookup_elem(&bpfkit_log, &cpu);

	if (c) {
		__u64 h = c->head;
		struct raw_rec *r = (void *)(c->ring + (h & (BK_LOG_RINGBUF_SIZE - 1)));

		r->id = 0;	/* length 0: no reader can step over it */
		r->a = 1;
		r->b = 2;
		__asm__ __volatile__("" ::: "memory");
		c->head = h + (1ull << 32) + 16;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
