/* apps/xdpfw/bigmem.c — the large arrays of an apply (bigmem.h).
 *
 * Applying N rules allocates arrays of N entries (sort keys, prefix
 * forests, table entries, the slot map) and frees them again, several
 * hundred MB at 1M rules, each byte touched a few times. From malloc they
 * come as fresh 4 KiB pages, a page fault each, and on the VM the
 * benchmarks run on a fault costs ~15 µs: touching 100 MB of new memory
 * took 350-430 ms, and faults were a fifth of every apply's time.
 *
 * So an array of BIG_MIN or more is a mapping of its own, aligned to and
 * advised for transparent huge pages (one fault per 2 MiB where THP is
 * "madvise" or "always": the same 100 MB in 38 ms; elsewhere 4 KiB pages
 * as before). During an apply (xdpfw_big_hold() .. xdpfw_big_release())
 * a freed mapping is kept for the next array: the second family and the
 * table stages reuse the pages the first stages faulted in. An array
 * takes what it needs of a kept range (the rest stays kept; freed, the
 * two join again), and one no kept range holds takes kept ranges' pages
 * (moved into it with mremap) before fresh ones: on this VM a fresh page
 * costs ~2.8 ms/MB the first time it is written, so what counts is how
 * much memory an apply touches that it has not touched before (the first
 * apply of 1M blocklist rules faults in 152 MB of huge pages, 234 before
 * ranges split, joined and gave their pages; docs/xdpfw.md).
 * A growing mapping's pages are moved to a larger one (mremap), not
 * copied: a kept one where one is big enough, so the vector grows into
 * pages already faulted in. Smaller arrays go to malloc.
 * Either kind carries a header with its size, so free and realloc know
 * which it is. Under ASan the unused tail of a mapping, and a kept mapping
 * as a whole, are poisoned: overruns and uses after free are still caught. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(a, n)		((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n)	((void)(a), (void)(n))
#endif
#include "bigmem.h"

#define BIG_MIN		(1ul << 20)	/* smaller arrays: malloc */
#define HUGE_PAGE	(2ul << 20)
#define KEEP_MAX	16		/* freed mappings kept for reuse */

struct big_hdr {
	size_t maplen;			/* 0: malloc'd */
	size_t size;			/* bytes asked for */
};

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static struct big_kept {
	struct big_hdr *h;
	size_t len;
} big_kept[KEEP_MAX];
static int big_nkept;
static bool big_holding;
static bool big_move_fails;	/* mremap refused a move: copy from then on */

/* A fresh mapping of LEN bytes at a HUGE_PAGE boundary (so THP can back
 * all of it), advised for huge pages; NULL if there is no memory. */
static struct big_hdr *big_map_aligned(size_t len)
{
	size_t total = len + HUGE_PAGE;
	uint8_t *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end;

	if (m == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	end = start + len;
	if (start > (uintptr_t)m)
		munmap(m, start - (uintptr_t)m);
	if ((uintptr_t)m + total > end)
		munmap((void *)end, (uintptr_t)m + total - end);
	/* best effort: without THP the pages stay 4 KiB, as malloc's */
	madvise((void *)start, len, MADV_HUGEPAGE);
	return (struct big_hdr *)start;
}

/* LEN bytes from the front of kept range I (big_lock held): the rest, if
 * any, stays kept (both are whole huge pages). */
static struct big_hdr *kept_take_front(int i, size_t len)
{
	struct big_hdr *h = big_kept[i].h;

	if (big_kept[i].len > len) {
		big_kept[i].h = (struct big_hdr *)((uint8_t *)h + len);
		big_kept[i].len -= len;
	} else {
		big_kept[i] = big_kept[--big_nkept];
	}
	return h;
}

/* LEN bytes of the smallest kept range that has them, taken out of the
 * list (what is left of that range stays kept), or NULL. */
static struct big_hdr *big_take_kept(size_t len)
{
	struct big_hdr *h = NULL;
	int best = -1;

	pthread_mutex_lock(&big_lock);
	for (int i = 0; i < big_nkept; i++)
		if (big_kept[i].len >= len && (best < 0 || big_kept[i].len < big_kept[best].len))
			best = i;
	if (best >= 0)
		h = kept_take_front(best, len);
	pthread_mutex_unlock(&big_lock);
	if (h)
		ASAN_UNPOISON_MEMORY_REGION(h, len);
	return h;
}

static void big_unmap(struct big_hdr *h, size_t len)
{
	ASAN_UNPOISON_MEMORY_REGION(h, len);
	munmap(h, len);
}

/* H (LEN bytes) kept for reuse during an apply, joined with kept ranges
 * it touches (a range split by big_take_kept comes back whole), else (or
 * if the list is full) unmapped. */
static void big_keep(struct big_hdr *h, size_t len)
{
	uint8_t *a = (uint8_t *)h, *b = a + len;

	pthread_mutex_lock(&big_lock);
	for (int i = 0; big_holding && i < big_nkept; i++) {
		uint8_t *ka = (uint8_t *)big_kept[i].h, *kb = ka + big_kept[i].len;

		if (kb == a || ka == b) {
			a = ka < a ? ka : a;
			b = kb > b ? kb : b;
			big_kept[i] = big_kept[--big_nkept];
			i = -1;		/* the joined range may touch another */
		}
	}
	if (big_holding && big_nkept < KEEP_MAX) {
		ASAN_POISON_MEMORY_REGION(h, len);
		big_kept[big_nkept].h = (struct big_hdr *)a;
		big_kept[big_nkept++].len = (size_t)(b - a);
		h = NULL;
	} else if (big_holding) {
		h = (struct big_hdr *)a;	/* joined with kept ranges: all of it goes */
		len = (size_t)(b - a);
	}
	pthread_mutex_unlock(&big_lock);
	if (h)
		big_unmap(h, len);
}

/* How much of [P, P + LEN) is mapped from P on, in pages (P page-aligned);
 * a page mincore cannot answer for counts as not mapped (the callers then
 * take the safe way). */
static size_t big_mapped_prefix(const void *p, size_t len)
{
	unsigned char vec[256];		/* mincore's answer: unread */
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off = 0;

	while (off < len) {
		size_t n = len - off < sizeof(vec) * page ? len - off : sizeof(vec) * page, end = off + n;

		if (!mincore((uint8_t *)p + off, n, vec)) {
			off = end;
			continue;
		}
		for (; off < end; off += page)	/* a hole in this chunk: its first page */
			if (mincore((uint8_t *)p + off, page, vec))
				return off;
	}
	return len;
}

static bool big_whole(const void *p, size_t len)
{
	return big_mapped_prefix(p, len) == len;
}

/* Fresh pages at [M, M + LEN), a range a failed move left unmapped; never
 * over a mapping (another thread may have mapped into the gap meanwhile).
 * False if that cannot be done. */
static bool big_refill(uint8_t *m, size_t len)
{
	void *r = mmap(m, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (r == MAP_FAILED)
		return false;
	if (r != m) {		/* a kernel without MAP_FIXED_NOREPLACE placed it elsewhere */
		munmap(r, len);
		return false;
	}
	madvise(m, len, MADV_HUGEPAGE);
	return true;
}

/* Fills [M + OFF, M + LEN) of a new mapping with kept ranges' pages, the
 * largest that fits first, moved there (mremap), not copied: pages an
 * apply already faulted in instead of fresh ones. Returns where the moved
 * pages end (past it the mapping is fresh, zero), or SIZE_MAX if M is
 * gone (unmapped here: no memory to mend it). A move can fail: kernels
 * before 6.17 move only within one VMA (a joined range, or one that took
 * pages, is several) and unmap the target before they check; a move
 * across VMAs failing part-way (ENOMEM) has moved the range's first VMAs.
 * Either way what moved counts as taken, the rest of the range stays kept
 * if it is whole, the target's gap gets fresh pages, and moves stop for
 * the rest of the process. */
static size_t big_absorb(uint8_t *m, size_t off, size_t len)
{
	while (!__atomic_load_n(&big_move_fails, __ATOMIC_RELAXED)) {
		struct big_hdr *k = NULL;
		size_t klen = 0, moved;
		int best = -1;

		pthread_mutex_lock(&big_lock);
		for (int i = 0; i < big_nkept; i++)
			if (big_kept[i].len <= len - off && (best < 0 || big_kept[i].len > big_kept[best].len))
				best = i;
		if (best >= 0) {
			klen = big_kept[best].len;
			k = kept_take_front(best, klen);
		}
		pthread_mutex_unlock(&big_lock);
		if (!k)
			break;
		ASAN_UNPOISON_MEMORY_REGION(k, klen);
		if (mremap(k, klen, klen, MREMAP_MAYMOVE | MREMAP_FIXED, m + off) != MAP_FAILED) {
			off += klen;
			continue;
		}
		__atomic_store_n(&big_move_fails, true, __ATOMIC_RELAXED);
		/* whole huge pages moved, or none: the kept range's VMAs begin at
		 * huge-page boundaries */
		moved = big_mapped_prefix(m + off, klen) & ~(HUGE_PAGE - 1);
		if (moved == klen)
			return off + moved;
		if (big_whole((uint8_t *)k + moved, klen - moved))
			big_keep((struct big_hdr *)((uint8_t *)k + moved), klen - moved);
		else
			munmap((uint8_t *)k + moved, klen - moved);	/* holes there are harmless */
		if (!big_refill(m + off + moved, klen - moved)) {
			munmap(m, off + moved);
			munmap(m + off + klen, len - off - klen);
			return SIZE_MAX;
		}
		return off + moved;
	}
	return off;
}

/* The usable N bytes after H's header unpoisoned, the rest of its mapping
 * poisoned. */
static void *big_ready(struct big_hdr *h, size_t n)
{
	h->size = n;
	if (h->maplen) {
		ASAN_UNPOISON_MEMORY_REGION(h + 1, n);
		ASAN_POISON_MEMORY_REGION((uint8_t *)(h + 1) + n, h->maplen - sizeof(*h) - n);
	}
	return h + 1;
}

static void *big_alloc(size_t n, bool zero)
{
	struct big_hdr *h;
	size_t len, warm;

	if (n > SIZE_MAX - 2 * HUGE_PAGE) {
		errno = ENOMEM;
		return NULL;
	}
	if (n + sizeof(*h) < BIG_MIN) {
		h = zero ? calloc(1, n + sizeof(*h)) : malloc(n + sizeof(*h));
		if (!h)
			return NULL;
		h->maplen = 0;
		return big_ready(h, n);
	}
	len = (n + sizeof(*h) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	h = big_take_kept(len);
	if (h) {
		warm = len;
	} else {
		h = big_map_aligned(len);
		if (!h) {
			errno = ENOMEM;
			return NULL;
		}
		warm = big_absorb((uint8_t *)h, 0, len);	/* past WARM: fresh, zero */
		if (warm == SIZE_MAX) {
			errno = ENOMEM;
			return NULL;
		}
	}
	if (zero && warm > sizeof(*h))
		memset(h + 1, 0, n < warm - sizeof(*h) ? n : warm - sizeof(*h));
	h->maplen = len;
	return big_ready(h, n);
}

void *xdpfw_big_alloc(size_t n)
{
	return big_alloc(n, false);
}

void *xdpfw_big_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return big_alloc(count * size, true);
}

void xdpfw_big_free(void *p)
{
	struct big_hdr *h;

	if (!p)
		return;
	h = (struct big_hdr *)p - 1;
	if (h->maplen)
		big_keep(h, h->maplen);
	else
		free(h);
}

/* The kept range that starts at P, if it has at least LEN bytes: LEN of
 * them taken out of the list (the rest stays kept). */
static bool big_take_kept_at(const uint8_t *p, size_t len)
{
	bool got = false;

	pthread_mutex_lock(&big_lock);
	for (int i = 0; i < big_nkept && !got; i++)
		if ((uint8_t *)big_kept[i].h == p && big_kept[i].len >= len) {
			kept_take_front(i, len);
			got = true;
		}
	pthread_mutex_unlock(&big_lock);
	if (got)
		ASAN_UNPOISON_MEMORY_REGION(p, len);
	return got;
}

/* A mapping H grown to hold N bytes, without copying: into the kept range
 * right after it where that has room (arrays are taken from the front of
 * kept ranges, so one often follows), else its pages moved (mremap) to the
 * start of a kept range big enough (whose pages past them the vector then
 * grows into: already faulted in) or of a new mapping, filled after them
 * with kept ranges' pages first (big_absorb), so growing a vector touches
 * only its new tail; NULL if that cannot be done (the caller copies
 * instead). A mapping moved once is two VMAs, which kernels before 6.17 do
 * not move: after a refusal (H whole: the kernel checked before moving
 * anything), copy. A growing array whose move fails part-way (across
 * VMAs, out of memory) is split between two places: that stops the
 * process, as running out of memory would (an apply stopped part-way is
 * undone by the next one; a reader is simply gone). */
static void *big_move(struct big_hdr *h, size_t n)
{
	size_t len = (n + sizeof(*h) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), old = h->maplen, size = h->size;
	struct big_hdr *nh;

	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		return NULL;
	if (big_take_kept_at((uint8_t *)h + old, len - old)) {
		h->maplen = len;
		return big_ready(h, n);
	}
	if (__atomic_load_n(&big_move_fails, __ATOMIC_RELAXED))
		return NULL;
	nh = big_take_kept(len);
	if (!nh) {
		nh = big_map_aligned(len);
		if (nh && big_absorb((uint8_t *)nh, old, len) == SIZE_MAX)
			return NULL;	/* NH is gone */
		if (!nh)
			return NULL;
	}
	ASAN_UNPOISON_MEMORY_REGION(h, old);	/* the old range is gone after the move */
	if (mremap(h, old, old, MREMAP_MAYMOVE | MREMAP_FIXED, nh) == MAP_FAILED) {
		int err = errno;

		__atomic_store_n(&big_move_fails, true, __ATOMIC_RELAXED);
		if (big_mapped_prefix(nh, old) || !big_whole(h, old)) {
			fprintf(stderr, "xdpfw: out of memory moving a %zu-byte array (mremap: %s): part of it "
				"moved; stopping (an apply stopped here is finished or undone by the next one)\n",
				size, strerror(err));
			abort();
		}
		/* NH's start is a gap now (the kernel unmapped it first): ours
		 * to unmap only if we can map it again */
		if (big_refill((uint8_t *)nh, old))
			munmap(nh, old);
		munmap((uint8_t *)nh + old, len - old);
		big_ready(h, size);
		return NULL;
	}
	nh->maplen = len;
	return big_ready(nh, n);
}

void *xdpfw_big_realloc(void *p, size_t n)
{
	struct big_hdr *h;
	void *q;

	if (!p)
		return big_alloc(n, false);
	h = (struct big_hdr *)p - 1;
	if (!h->maplen && n + sizeof(*h) < BIG_MIN && n <= SIZE_MAX - sizeof(*h)) {
		h = realloc(h, n + sizeof(*h));
		return h ? big_ready(h, n) : NULL;
	}
	if (h->maplen && n <= h->maplen - sizeof(*h))
		return big_ready(h, n);	/* fits the mapping it has */
	if (h->maplen && (q = big_move(h, n)))
		return q;
	q = big_alloc(n, false);
	if (!q)
		return NULL;
	memcpy(q, p, h->size < n ? h->size : n);
	xdpfw_big_free(p);
	return q;
}

void xdpfw_big_hold(void)
{
	pthread_mutex_lock(&big_lock);
	big_holding = true;
	pthread_mutex_unlock(&big_lock);
}

void xdpfw_big_release(void)
{
	pthread_mutex_lock(&big_lock);
	big_holding = false;
	while (big_nkept > 0) {
		big_nkept--;
		big_unmap(big_kept[big_nkept].h, big_kept[big_nkept].len);
	}
	pthread_mutex_unlock(&big_lock);
}
