/* lib/log_ring.c — the reading side of the bk_* record transport: the
 * "bpfkit_log" map is a BPF_F_MMAPABLE array with one element per CPU, each
 * that CPU's own ring (layout: bpf/include/bpfkit/log_common.h). Writers
 * never wait and never fail: they overwrite the oldest records. This file
 * mmaps the array and walks each CPU's records in order, seqlock style:
 * read the head, copy the records up to it, read the head again; records a
 * writer may have reached meanwhile are discarded and counted as lost.
 *
 * The head is (records << 32 | bytes) ever written on that CPU, so the
 * difference of two heads says exactly how many records lie between them:
 * losses are counted exactly even though records differ in size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "internal.h"
#include "log_ring.h"

#define HEAD_BYTES(h) ((uint32_t)(h))
#define HEAD_RECS(h) ((uint32_t)((h) >> 32))

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

int log_ring__check_info(const struct bpf_map_info *info, size_t *ring)
{
	size_t r;

	if (info->type != BPF_MAP_TYPE_ARRAY || !(info->map_flags & BPF_F_MMAPABLE) ||
	    info->key_size != 4 || !info->max_entries || info->max_entries > 4096 ||
	    info->value_size < BK_LOG_CPU_HDR + BK_LOG_REC_MAX + 4096)
		return -EINVAL;
	r = info->value_size - BK_LOG_CPU_HDR - BK_LOG_REC_MAX;
	if (r & (r - 1) || r > (1u << 30))
		return -EINVAL;
	if (ring)
		*ring = r;
	return 0;
}

int log_ring__open(struct log_ring *lr, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t pg = page_size();
	int err;

	memset(lr, 0, sizeof(*lr));
	lr->mem = MAP_FAILED;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	err = log_ring__check_info(&info, &lr->ring);
	if (err)
		return err;
	lr->ncpu = info.max_entries;
	lr->elem = (info.value_size + 7) & ~(size_t)7;	/* the kernel's array stride */
	lr->mem_sz = (lr->elem * lr->ncpu + pg - 1) / pg * pg;
	lr->mem = mmap(NULL, lr->mem_sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (lr->mem == MAP_FAILED)
		return -errno;
	lr->pos = calloc(lr->ncpu, sizeof(*lr->pos));
	lr->buf = malloc(lr->ring + BK_LOG_REC_MAX);
	if (!lr->pos || !lr->buf)
		return -ENOMEM;
	/* Start where the last reader of this map stopped (a pinned object's
	 * earlier `bpfkit log`), as a BPF ring buffer's consumer position
	 * would; what is older than the ring was not ours to report. */
	for (unsigned c = 0; c < lr->ncpu; c++) {
		uint64_t *hp = (uint64_t *)((char *)lr->mem + c * lr->elem);
		uint64_t head = __atomic_load_n(&hp[0], __ATOMIC_ACQUIRE);
		uint64_t tail = __atomic_load_n(&hp[1], __ATOMIC_RELAXED);

		lr->pos[c] = head;
		if (tail <= head && HEAD_BYTES(head - tail) <= lr->ring - BK_LOG_REC_MAX &&
		    HEAD_RECS(head - tail) <= HEAD_BYTES(head - tail) / 8)
			lr->pos[c] = tail;
	}
	return 0;
}

void log_ring__close(struct log_ring *lr)
{
	if (lr->mem && lr->mem != MAP_FAILED)
		munmap(lr->mem, lr->mem_sz);
	free(lr->pos);
	free(lr->buf);
	free(lr->recs);
	memset(lr, 0, sizeof(*lr));
}

/* One CPU: copy what lies between our position and its head, check that no
 * writer reached it meanwhile, then hand the records out. */
static int drain_cpu(struct log_ring *lr, unsigned c, log_ring_fn_t fn, void *ctx,
		     struct log_ring_stats *st)
{
	const unsigned char *base = (const unsigned char *)lr->mem + c * lr->elem;
	uint64_t *hp = (uint64_t *)base;
	const unsigned char *ring = base + BK_LOG_CPU_HDR;
	uint64_t pos = lr->pos[c], h1, h2, p;
	size_t used = 0, n = 0, mask = lr->ring - 1;
	uint32_t recs;
	int ret = 0;

	h1 = __atomic_load_n(&hp[0], __ATOMIC_ACQUIRE);
	if (h1 == pos)
		return 0;
	recs = HEAD_RECS(h1 - pos);
	if (HEAD_BYTES(h1 - pos) > lr->ring - BK_LOG_REC_MAX || recs > HEAD_BYTES(h1 - pos) / 8) {
		/* writers lapped us (or the head is not one we understand):
		 * everything up to the head is gone, and we know how much */
		st->lost += recs > HEAD_BYTES(h1 - pos) / 8 ? 0 : recs;
		lr->pos[c] = h1;
		goto out;
	}
	for (p = pos; p != h1; ) {
		uint32_t hdr, len;
		const unsigned char *r = ring + (HEAD_BYTES(p) & mask);

		memcpy(&hdr, r, 4);
		len = (hdr >> BK_LOG_ID_BITS) * 8;
		if (!len || len > BK_LOG_REC_MAX || len > HEAD_BYTES(h1 - p) ||
		    HEAD_RECS(h1 - p) == 0) {
			/* a header that does not add up: the rest of this
			 * batch cannot be walked */
			st->bad_headers++;
			break;
		}
		if (n == lr->nrecs_max) {
			size_t m = n ? n * 2 : 256;
			void *nr = realloc(lr->recs, m * sizeof(*lr->recs));

			if (!nr)
				break;	/* the rest is counted bad below */
			lr->recs = nr;
			lr->nrecs_max = m;
		}
		memcpy(lr->buf + used, r, len);
		p += (1ull << 32) + len;
		lr->recs[n].off = used;
		lr->recs[n].len = len;
		lr->recs[n].end = p;
		n++;
		used += len;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	h2 = __atomic_load_n(&hp[0], __ATOMIC_ACQUIRE);
	if (HEAD_BYTES(h2 - pos) > lr->ring - BK_LOG_REC_MAX) {
		/* a writer may have overwritten the oldest records while we
		 * copied: without trusting their headers the walk can't be
		 * trusted either; count the whole batch lost */
		st->lost += recs;
		lr->pos[c] = h1;
		goto out;
	}
	lr->pos[c] = p == h1 ? h1 : pos;
	for (size_t i = 0; i < n && !ret; i++) {
		unsigned char *rec = lr->buf + lr->recs[i].off;
		uint32_t hdr;

		memcpy(&hdr, rec, 4);
		hdr &= BK_LOG_ID_MASK;	/* the formatter wants the bare id */
		memcpy(rec, &hdr, 4);
		st->records++;
		ret = fn(ctx, rec, lr->recs[i].len);
		lr->pos[c] = lr->recs[i].end;	/* a stop leaves the rest for later */
	}
	if (p != h1 && !ret) {	/* bad header: what we could not walk */
		st->bad_records += HEAD_RECS(h1 - p);
		lr->pos[c] = h1;
	}
out:
	/* where the next reader of a pinned map starts */
	__atomic_store_n(&hp[1], lr->pos[c], __ATOMIC_RELAXED);
	return ret;
}

int log_ring__drain(struct log_ring *lr, log_ring_fn_t fn, void *ctx, struct log_ring_stats *st)
{
	uint64_t before = st->records;
	int ret = 0;

	for (unsigned c = 0; c < lr->ncpu && !ret; c++)
		ret = drain_cpu(lr, c, fn, ctx, st);
	if (ret < 0)
		return ret;
	return (int)(st->records - before);
}
