/* tests/fuzz/fuzz_log_ring.c — the per-CPU ring walker (lib/log_ring.c) on
 * arbitrary ring contents and heads: what a buggy or hostile writer (any
 * program that can write the mmapable array) could leave there.
 *
 * Input: bytes 0..7 the reader's position, 8..15 the CPU's head, the rest
 * the ring element (header, 4 KiB ring, overflow) of one CPU, zero-filled.
 * Every record handed out must lie inside the copy buffer, be 8..BK_LOG_REC_MAX
 * bytes, and no more records may come out than the heads say were written. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "log_ring.h"

#define RING 4096
#define ELEM (BK_LOG_CPU_HDR + RING + BK_LOG_REC_MAX)

static _Alignas(8) unsigned char mem[ELEM];

static int on_rec(void *ctx, void *rec, size_t len)
{
	struct log_ring *lr = ctx;
	volatile unsigned char sink = 0;

	if (len < 8 || len > BK_LOG_REC_MAX || (unsigned char *)rec < lr->buf ||
	    (unsigned char *)rec + len > lr->buf + RING + BK_LOG_REC_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		sink ^= ((unsigned char *)rec)[i];
	(void)sink;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_ring lr = { 0 };
	struct log_ring_stats st = { 0 };
	uint64_t pos = 0, head = 0;

	if (size < 16)
		return 0;
	memcpy(&pos, data, 8);
	memcpy(&head, data + 8, 8);
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + 16, size - 16 < ELEM ? size - 16 : ELEM);
	memcpy(mem, &head, 8);
	lr.mem = mem;
	lr.elem = ELEM;
	lr.ring = RING;
	lr.ncpu = 1;
	lr.pos = &pos;
	lr.buf = malloc(RING + BK_LOG_REC_MAX);
	if (!lr.buf)
		return 0;
	log_ring__drain(&lr, on_rec, &lr, &st);
	{
		uint64_t pos0;

		memcpy(&pos0, data, 8);
		if (st.records + st.bad_records > (uint32_t)((head - pos0) >> 32))
			abort();
	}
	/* a second drain finds nothing new */
	if (log_ring__drain(&lr, on_rec, &lr, &st) != 0)
		abort();
	free(lr.buf);
	free(lr.recs);
	return 0;
}
