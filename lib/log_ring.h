/* lib/log_ring.h — private: reading the shared ring of bk_* records
 * (lib/log_ring.c), used by lib/logger.c. */
#ifndef BPFKIT_LOG_RING_H
#define BPFKIT_LOG_RING_H

#include <stddef.h>
#include <stdint.h>
#include "../bpf/include/bpfkit/log_common.h"

struct bpf_map_info;

struct log_ring {
	void *mem;		/* the ring, mmapped (header, slots, overflow) */
	size_t mem_sz;
	uint32_t nslots;	/* a power of two */
	uint64_t pos;		/* next expected head value (records << 32 | slots) */
	uint64_t stall_pos;	/* pos when a claimed slot was first seen uncommitted */
	uint64_t stall_ns;	/* ... at this CLOCK_MONOTONIC time, 0: no stall */
	unsigned stall_drains;	/* drains since */
	int flush;		/* final drain: do not wait for uncommitted slots */
	unsigned char buf[BK_LOG_REC_MAX];
};

struct log_ring_stats {
	uint64_t records;	/* handed to the callback */
	uint64_t lost;		/* overwritten before we read them, or never committed */
	uint64_t bad_records;	/* skipped at a header that did not add up */
	uint64_t bad_headers;
};

/* A record (first word: the bare call-site id) of LEN bytes; non-zero stops. */
typedef int (*log_ring_fn_t)(void *ctx, void *rec, size_t len);

/* How long a claimed but uncommitted slot is waited for (and in at least
 * this many drains) before its record counts as lost. */
#define LOG_RING_STALL_MS	20
#define LOG_RING_STALL_DRAINS	3

/* Is INFO a log ring? 0 and its number of slots, or -EINVAL. */
int log_ring__check_info(const struct bpf_map_info *info, uint32_t *nslots);
int log_ring__open(struct log_ring *lr, int map_fd);
/* Walk MEM (a ring of NSLOTS slots laid out as the map is) without a map:
 * the fuzzer's entry. MEM must stay valid until close (not unmapped). */
int log_ring__open_mem(struct log_ring *lr, void *mem, uint32_t nslots);
/* Records handed out, or the callback's negative return. */
int log_ring__drain(struct log_ring *lr, log_ring_fn_t fn, void *ctx, struct log_ring_stats *st);
void log_ring__close(struct log_ring *lr);

#endif
