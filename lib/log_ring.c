/* lib/log_ring.c — the reading side of the bk_* record transport: one ring
 * shared by every program and CPU of an object, the ".data.bklog" map
 * (layout: bpf/include/bpfkit/log_common.h). Writers never wait and never
 * fail: each claims its slots with an atomic add on the head and publishes
 * its record by writing the slot's seq last; a full ring overwrites the
 * oldest records. This file mmaps the ring and walks it in claim order.
 *
 * The reader knows the next expected head value `pos` (records << 32 |
 * slots); the slot at pos says, by its seq:
 *   - pos + 1: the record is there; copy it, then check that no claim has
 *     reached pos + slots since (the copy could be torn) — else it is lost;
 *   - anything else while the head is within a ring of pos: the slot is
 *     claimed but not yet committed (a writer between its add and its seq
 *     store). Wait for it a little (LOG_RING_STALL_MS), then count it lost
 *     and go on at the next committed record;
 *   - the head more than a ring ahead: we were lapped; go on at the oldest
 *     record still in the ring.
 * Going on at a later record reads that record's seq, which is the exact
 * head value at its claim, so the records skipped are counted exactly (the
 * high half of the difference) even though records differ in size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "internal.h"
#include "log_ring.h"

#define SLOTS(d) ((uint32_t)(d))	/* slots in a head difference */
#define RECS(d) ((d) >> 32)		/* records in a head difference */

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t ring_bytes(uint32_t nslots)
{
	return BK_LOG_RING_HDR + ((size_t)nslots + BK_LOG_TAIL_SLOTS) * BK_LOG_SLOT;
}

int log_ring__check_info(const struct bpf_map_info *info, uint32_t *nslots)
{
	size_t n;

	if (info->type != BPF_MAP_TYPE_ARRAY || !(info->map_flags & BPF_F_MMAPABLE) ||
	    info->key_size != 4 || info->max_entries != 1 ||
	    info->value_size < ring_bytes(128) || (info->value_size - BK_LOG_RING_HDR) % BK_LOG_SLOT)
		return -EINVAL;
	n = (info->value_size - BK_LOG_RING_HDR) / BK_LOG_SLOT - BK_LOG_TAIL_SLOTS;
	if (n & (n - 1) || n > (1u << 24))
		return -EINVAL;
	if (nslots)
		*nslots = (uint32_t)n;
	return 0;
}

static uint64_t *head_of(struct log_ring *lr)
{
	return (uint64_t *)lr->mem;
}

static void start(struct log_ring *lr)
{
	uint64_t head = __atomic_load_n(&head_of(lr)[0], __ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(&head_of(lr)[1], __ATOMIC_RELAXED);

	/* Start where the last reader of this ring stopped (a pinned
	 * object's earlier `bpfkit log`), as a BPF ring buffer's consumer
	 * position would; what is older than the ring was not ours to report. */
	lr->pos = head;
	if (tail <= head && SLOTS(head - tail) <= lr->nslots &&
	    RECS(head - tail) <= SLOTS(head - tail))
		lr->pos = tail;
}

int log_ring__open_mem(struct log_ring *lr, void *mem, uint32_t nslots)
{
	memset(lr, 0, sizeof(*lr));
	if (!nslots || nslots & (nslots - 1))
		return -EINVAL;
	lr->mem = mem;
	lr->nslots = nslots;
	start(lr);
	return 0;
}

int log_ring__open(struct log_ring *lr, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t pg = page_size();
	uint32_t n;
	void *mem;
	int err;

	memset(lr, 0, sizeof(*lr));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	err = log_ring__check_info(&info, &n);
	if (err)
		return err;
	mem = mmap(NULL, (info.value_size + pg - 1) / pg * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		return -errno;
	log_ring__open_mem(lr, mem, n);
	lr->mem_sz = (info.value_size + pg - 1) / pg * pg;
	return 0;
}

void log_ring__close(struct log_ring *lr)
{
	if (lr->mem && lr->mem_sz)
		munmap(lr->mem, lr->mem_sz);
	memset(lr, 0, sizeof(*lr));
}

static const unsigned char *slot_at(struct log_ring *lr, uint64_t idx)
{
	return (const unsigned char *)lr->mem + BK_LOG_RING_HDR +
	       (size_t)(SLOTS(idx) & (lr->nslots - 1)) * BK_LOG_SLOT;
}

static uint64_t seq_at(struct log_ring *lr, uint64_t idx)
{
	return __atomic_load_n((const uint64_t *)slot_at(lr, idx), __ATOMIC_ACQUIRE);
}

/* Go on at the first committed record whose claim lies in slots
 * [from, head) after pos (FROM slots after pos); what lies between is
 * counted in *skipped. None: go on at head. */
static void resync(struct log_ring *lr, uint32_t from, uint64_t head, uint64_t *skipped)
{
	uint64_t span = head - lr->pos;

	if (SLOTS(span) > lr->nslots && from < SLOTS(span) - lr->nslots)
		from = SLOTS(span) - lr->nslots;	/* older slots are overwritten */
	for (uint32_t s = from; s < SLOTS(span); s++) {
		uint64_t d = seq_at(lr, lr->pos + s) - 1 - lr->pos;

		/* the seq of a record claimed s slots after pos, before head */
		if (d && SLOTS(d) == s && d < span) {
			*skipped += RECS(d);
			lr->pos += d;
			return;
		}
	}
	*skipped += RECS(span);
	lr->pos = head;
}

int log_ring__drain(struct log_ring *lr, log_ring_fn_t fn, void *ctx, struct log_ring_stats *st)
{
	uint64_t before = st->records;
	int ret = 0;

	while (!ret) {
		uint64_t head = __atomic_load_n(&head_of(lr)[0], __ATOMIC_ACQUIRE);
		uint64_t span = head - lr->pos, h2;
		const unsigned char *s;
		uint32_t hdr, k;

		if (!span)
			break;
		if (!RECS(span) || RECS(span) > SLOTS(span)) {
			/* not a head any writer makes: nothing to walk */
			st->lost += RECS(span);
			lr->pos = head;
			continue;
		}
		if (SLOTS(span) > lr->nslots) {
			/* lapped: go on at the oldest slot that can still
			 * hold a record */
			resync(lr, 0, head, &st->lost);
			continue;
		}
		if (seq_at(lr, lr->pos) != lr->pos + 1) {
			/* claimed, not committed yet */
			uint64_t t = now_ns();

			if (lr->stall_pos != lr->pos || !lr->stall_ns) {
				lr->stall_pos = lr->pos;
				lr->stall_ns = t;
				lr->stall_drains = 0;
			}
			if (!lr->flush && (t - lr->stall_ns < LOG_RING_STALL_MS * 1000000ull ||
					   lr->stall_drains < LOG_RING_STALL_DRAINS)) {
				lr->stall_drains++;
				break;
			}
			lr->stall_ns = 0;
			resync(lr, 1, head, &st->lost);
			continue;
		}
		s = slot_at(lr, lr->pos);
		memcpy(&hdr, s + 8, 4);
		k = hdr >> BK_LOG_ID_BITS;
		if (!k || k > BK_LOG_TAIL_SLOTS || k > SLOTS(span)) {
			/* a header that does not add up: its length cannot be
			 * trusted; go on at the next record that does */
			st->bad_headers++;
			resync(lr, 1, head, &st->bad_records);
			continue;
		}
		memcpy(lr->buf, s, (size_t)k * BK_LOG_SLOT);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		h2 = __atomic_load_n(&head_of(lr)[0], __ATOMIC_ACQUIRE);
		if (SLOTS(h2 - lr->pos) > lr->nslots || seq_at(lr, lr->pos) != lr->pos + 1) {
			/* a writer may have reached it while we copied */
			resync(lr, 1, h2, &st->lost);
			continue;
		}
		lr->pos += (1ull << 32) | k;
		hdr &= BK_LOG_ID_MASK;	/* the formatter wants the bare id */
		memcpy(lr->buf + 8, &hdr, 4);
		st->records++;
		ret = fn(ctx, lr->buf + 8, (size_t)k * BK_LOG_SLOT - 8);
	}
	/* where the next reader of a pinned ring starts */
	__atomic_store_n(&head_of(lr)[1], lr->pos, __ATOMIC_RELAXED);
	if (ret < 0)
		return ret;
	return (int)(st->records - before);
}
