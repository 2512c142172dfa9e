/* tests/fuzz/fuzz_log_ring.c — the shared ring walker (lib/log_ring.c) on
 * arbitrary ring contents and heads: what a buggy or hostile writer (any
 * program that can write the mmapable ring) could leave there.
 *
 * Input: bytes 0..7 the reader's position, 8..15 the head, the rest the
 * ring's slots (128 of them and the overflow), zero-filled. Every record
 * handed out must lie inside the copy buffer and be a whole number of slots
 * (less the seq); records handed out, lost and skipped must add up to what
 * the heads say was claimed; a second drain finds nothing new. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "log_ring.h"

#define NSLOTS 128
#define SIZE (BK_LOG_RING_HDR + (NSLOTS + BK_LOG_TAIL_SLOTS) * BK_LOG_SLOT)

static _Alignas(64) unsigned char mem[SIZE];

static int on_rec(void *ctx, void *rec, size_t len)
{
	struct log_ring *lr = ctx;
	volatile unsigned char sink = 0;

	if (len < BK_LOG_SLOT - 8 || len > BK_LOG_REC_MAX || (len + 8) % BK_LOG_SLOT ||
	    (unsigned char *)rec != lr->buf + 8)
		abort();
	for (size_t i = 0; i < len; i++)
		sink ^= ((unsigned char *)rec)[i];
	(void)sink;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_ring lr;
	struct log_ring_stats st = { 0 };
	uint64_t pos = 0, head = 0, pos0;

	if (size < 16)
		return 0;
	memcpy(&pos, data, 8);
	memcpy(&head, data + 8, 8);
	memset(mem, 0, sizeof(mem));
	memcpy(mem + BK_LOG_RING_HDR, data + 16,
	       size - 16 < SIZE - BK_LOG_RING_HDR ? size - 16 : SIZE - BK_LOG_RING_HDR);
	memcpy(mem, &head, 8);
	memcpy(mem + 8, &pos, 8);	/* the "last reader" position */
	if (log_ring__open_mem(&lr, mem, NSLOTS))
		abort();
	pos0 = lr.pos;
	lr.flush = 1;			/* do not wait for uncommitted slots */
	log_ring__drain(&lr, on_rec, &lr, &st);
	if (lr.pos != head || st.records + st.lost + st.bad_records != (head - pos0) >> 32)
		abort();
	/* a second drain finds nothing new */
	if (log_ring__drain(&lr, on_rec, &lr, &st) != 0)
		abort();
	log_ring__close(&lr);
	return 0;
}
