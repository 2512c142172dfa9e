/* apps/xdpfw/radix.h — the stable sort the rule-set builder uses for its
 * large sorts (prefix forests in compile.c, the IPv4 trie plan in table.c):
 * (64-bit key, index) pairs sorted by key, least significant byte first,
 * skipping the bytes every key has alike. Applying a million rules sorts
 * several million keys; a comparison sort through a callback spent more
 * time there than the rest of the compile. Stable, so sorting by a less
 * significant key first and then a more significant one (or keeping the
 * input order for equal keys) composes. */
#ifndef XDPFW_RADIX_H
#define XDPFW_RADIX_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bigmem.h"

struct xdpfw_kv {
	uint64_t key;
	uint64_t idx;
};

/* Sorts A[0..n) by key (stable). TMP: room for N pairs, or NULL to have one
 * allocated. -ENOMEM if that fails, else 0. */
static inline int xdpfw_radix_sort(struct xdpfw_kv *a, struct xdpfw_kv *tmp, size_t n)
{
	size_t (*cnt)[256];
	struct xdpfw_kv *src = a, *dst, *own = NULL;
	uint64_t all_or = 0, all_and = ~0ull;

	if (n < 2)
		return 0;
	if (!tmp && !(tmp = own = xdpfw_big_alloc(n * sizeof(*tmp))))
		return -ENOMEM;
	cnt = calloc(8, sizeof(*cnt));
	if (!cnt) {
		xdpfw_big_free(own);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = a[i].key;

		all_or |= k;
		all_and &= k;
		for (int d = 0; d < 8; d++)
			cnt[d][(k >> (8 * d)) & 0xff]++;
	}
	dst = tmp;
	for (int d = 0; d < 8; d++) {
		size_t sum = 0;

		if (!(((all_or ^ all_and) >> (8 * d)) & 0xff))
			continue;	/* every key has this byte alike */
		for (int b = 0; b < 256; b++) {
			size_t c = cnt[d][b];

			cnt[d][b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[d][(src[i].key >> (8 * d)) & 0xff]++] = src[i];
		struct xdpfw_kv *t = src;

		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(cnt);
	xdpfw_big_free(own);
	return 0;
}

#endif
