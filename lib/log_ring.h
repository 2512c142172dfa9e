/* lib/log_ring.h — private: reading the per-CPU rings of bk_* records
 * (lib/log_ring.c), used by lib/logger.c. */
#ifndef BPFKIT_LOG_RING_H
#define BPFKIT_LOG_RING_H

#include <stddef.h>
#include <stdint.h>
#include "../bpf/include/bpfkit/log_common.h"

struct bpf_map_info;

struct log_ring {
	void *mem;		/* the whole array, mmapped */
	size_t mem_sz;
	size_t elem;		/* one CPU's element (stride) */
	size_t ring;		/* ring bytes per CPU (a power of two) */
	unsigned ncpu;
	uint64_t *pos;		/* per CPU: head value we have read up to */
	unsigned char *buf;	/* one batch's copies */
	struct { size_t off, len; uint64_t end; } *recs;
	size_t nrecs_max;
};

struct log_ring_stats {
	uint64_t records;	/* handed to the callback */
	uint64_t lost;		/* overwritten before we read them */
	uint64_t bad_records;	/* behind a header that did not add up */
	uint64_t bad_headers;
};

/* A record (first word: the bare call-site id) of LEN bytes; non-zero stops. */
typedef int (*log_ring_fn_t)(void *ctx, void *rec, size_t len);

/* Is INFO a log ring array? 0 and the per-CPU ring size, or -EINVAL. */
int log_ring__check_info(const struct bpf_map_info *info, size_t *ring);
int log_ring__open(struct log_ring *lr, int map_fd);
/* Records handed out, or the callback's negative return. */
int log_ring__drain(struct log_ring *lr, log_ring_fn_t fn, void *ctx, struct log_ring_stats *st);
void log_ring__close(struct log_ring *lr);

#endif
