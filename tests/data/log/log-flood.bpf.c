// SPDX-License-Identifier: GPL-2.0
/* A 128-slot shared ring that a BPF_PROG_TEST_RUN repeat overflows: every
 * loss must be counted. "raw" writes a record by hand with an id no call
 * has (the logger must say so); "badhdr" one whose header claims a length
 * of 0 (the logger must say so and go on). */
#define BK_LOG_RING_SLOTS 128
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

/* claim one slot and write its record by hand: header HDR */
static __always_inline void put(__u32 hdr, __u32 a, __u32 b, int commit)
{
	__u64 h = __sync_fetch_and_add(&bpfkit_log_ring.head, (1ull << 32) | 1);
	unsigned char *s = &bpfkit_log_ring.slots[(h & (BK_LOG_RING_SLOTS - 1)) * BK_LOG_SLOT];
	struct raw_rec *r = (void *)(s + 8);

	r->id = hdr;
	r->a = a;
	r->b = b;
	__asm__ __volatile__("" ::: "memory");
	if (commit)
		*(volatile __u64 *)s = h + 1;
}

SEC("xdp")
int raw(struct xdp_md *ctx)
{
	put(12345 | 1 << BK_LOG_ID_BITS, ctx->ingress_ifindex, ctx->rx_queue_index, 1);
	return XDP_PASS;
}

SEC("xdp")
int badhdr(struct xdp_md *ctx)
{
	put(0, 1, 2, 1);	/* length 0: no reader can step over it */
	return XDP_PASS;
}

/* a claimed slot never committed (a writer that died, as far as the reader
 * can tell): the reader must wait, then count it lost and go on */
SEC("xdp")
int nocommit(struct xdp_md *ctx)
{
	put(0 | 1 << BK_LOG_ID_BITS, 1, 2, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
