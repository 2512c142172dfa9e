/* apps/xdpfw/table.c — builds the datapath's prefix tables (table.h): linear
 * probing in a power-of-two array, every entry within XDPFW_MAX_PROBE slots
 * of its hash position, so the datapath's probe loop is short and bounded.
 * Entries are written into the inactive generation's half of the mmapped
 * map, so building never disturbs packets in flight. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "bigmem.h"
#include "radix.h"
#include "table.h"

/* The array P (N elements of SIZE bytes, *CAP allocated) with room for one
 * more: P, or P doubled (from 256) where full; NULL (P kept) if there is
 * no memory. */
static void *room_for_one(void *p, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 256;

	if (n < *cap)
		return p;
	p = xdpfw_big_realloc(p, c * size);
	if (p)
		*cap = c;
	return p;
}

/* Room in P (CAP elements of SIZE) for N: P, or P grown by doublings. */
static void *room_for(void *p, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap : 256;

	if (n <= *cap)
		return p;
	while (c < n)
		c *= 2;
	p = xdpfw_big_realloc(p, c * size);
	if (p)
		*cap = c;
	return p;
}

/* The class a direct verdict code (XDPFW_TRIE_DIRECT) stands for. */
static struct xdpfw_cls cls_of_direct(uint32_t code)
{
	struct xdpfw_cls c = { 0 };

	for (int p = 0; p < XDPFW_NPROTO; p++)
		c.v[p] = xdpfw_trie_verdict(code);
	return c;
}

static uint32_t direct_of(const struct xdpfw_cls *c);

/* CLS as an entry keeps it: its direct code where that says all of it. */
static int cls_code(struct xdpfw_tabvec *v, const struct xdpfw_cls *cls, uint32_t *code)
{
	uint32_t d = direct_of(cls);
	struct xdpfw_cls *nc;

	if (d) {
		struct xdpfw_cls back = cls_of_direct(d);

		if (!memcmp(&back, cls, sizeof(back))) {
			*code = d;
			return 0;
		}
	}
	if (v->ncls >= XDPFW_TRIE_DIRECT)
		return -E2BIG;
	nc = room_for_one(v->cls, v->ncls, &v->capcls, sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	v->cls = nc;
	v->cls[v->ncls] = *cls;
	*code = (uint32_t)v->ncls++;
	return 0;
}

const struct xdpfw_cls *xdpfw_tabent_cls(const struct xdpfw_tabvec *v, const struct xdpfw_tabent *e,
					 struct xdpfw_cls *buf)
{
	uint32_t code = e->cls;

	if (!(code & XDPFW_TRIE_DIRECT))
		return &v->cls[code];
	*buf = cls_of_direct(code);
	return buf;
}

/* Appends an entry whose class is CODE (cls_code()). */
static int push_code(struct xdpfw_tabvec *v, uint32_t tag, const uint8_t *addr, uint32_t code)
{
	struct xdpfw_tabent *e;

	e = room_for_one(v->e, v->n, &v->cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	v->e = e;
	e = &v->e[v->n++];
	e->tag = tag;
	e->flags = XDPFW_S_CLS;
	e->ref = v->n;
	memcpy(e->addr, addr, 16);
	e->cls = code;
	e->one = 0;
	e->rec = 0;
	return 0;
}

int xdpfw_tabvec_push(struct xdpfw_tabvec *v, uint32_t tag, const uint8_t *addr,
		      const struct xdpfw_cls *cls)
{
	uint32_t code;

	return cls_code(v, cls, &code) ?: push_code(v, tag, addr, code);
}

/* Entry K of FROM appended to TO, its class with it. */
static int push_entry(struct xdpfw_tabvec *to, const struct xdpfw_tabvec *from, size_t k)
{
	struct xdpfw_cls buf;

	return xdpfw_tabvec_push(to, from->e[k].tag, (const uint8_t *)from->e[k].addr,
				 xdpfw_tabent_cls(from, &from->e[k], &buf));
}

int xdpfw_tabvec_append(struct xdpfw_tabvec *to, const struct xdpfw_tabvec *from)
{
	size_t base = to->n, cbase = to->ncls;
	struct xdpfw_tabent *e;
	struct xdpfw_cls *c;

	if (!from->n)
		return 0;
	if (cbase + from->ncls >= XDPFW_TRIE_DIRECT)
		return -E2BIG;
	e = room_for(to->e, base + from->n, &to->cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	to->e = e;
	if (from->ncls) {
		c = room_for(to->cls, cbase + from->ncls, &to->capcls, sizeof(*c));
		if (!c)
			return -ENOMEM;
		to->cls = c;
		memcpy(c + cbase, from->cls, from->ncls * sizeof(*c));
	}
	for (size_t k = 0; k < from->n; k++) {
		e[base + k] = from->e[k];
		/* references into FROM: to where its entries and classes are now */
		if (!(e[base + k].cls & XDPFW_TRIE_DIRECT))
			e[base + k].cls += (uint32_t)cbase;
		if (e[base + k].ref)
			e[base + k].ref += (uint32_t)base;
		if (e[base + k].one && e[base + k].one != UINT32_MAX)
			e[base + k].one += (uint32_t)base;
	}
	to->n += from->n;
	to->ncls += from->ncls;
	return 0;
}

void xdpfw_tabvec_free(struct xdpfw_tabvec *v)
{
	xdpfw_big_free(v->e);
	xdpfw_big_free(v->cls);
	memset(v, 0, sizeof(*v));
}

size_t xdpfw_slot_size(int family)
{
	return family == 4 ? sizeof(struct xdpfw_slot4) : sizeof(struct xdpfw_slot6);
}

static uint64_t hash_of(int family, const struct xdpfw_tabent *e)
{
	return family == 4 ? xdpfw_hash4(e->tag, e->addr[0]) : xdpfw_hash6(e->tag, e->addr);
}

static uint32_t slot_tag(int family, const void *region, uint32_t i)
{
	const uint8_t *s = (const uint8_t *)region + (size_t)i * xdpfw_slot_size(family);
	uint32_t tag;

	memcpy(&tag, s, 4);
	return tag;
}

/* Class C's verdict as a leaf (XDPFW_TRIE_DIRECT) where C decides every
 * packet alike (one final verdict for every protocol, no destination
 * stage: most blocklist prefixes), else 0. */
static uint32_t direct_of(const struct xdpfw_cls *c)
{
	if (c->class)
		return 0;
	for (int p = 0; p < XDPFW_NPROTO; p++)
		if (c->v[p] != c->v[0] || (c->v[p] & (XDPFW_V_TABLE | XDPFW_V_INLINE)))
			return 0;
	return xdpfw_trie_direct(c->v[0]);
}

/* Entry E's direct verdict (direct_of() of its class), else 0. */
static uint32_t ent_direct(const struct xdpfw_tabent *e)
{
	return e->cls & XDPFW_TRIE_DIRECT ? e->cls : 0;
}

/* What an IPv6 slot for entry E of V holds: the class of the prefix it
 * carries (pool index + 1 past CLASS_BASE), or that class's verdict itself,
 * as a trie leaf does, sparing the datapath the class read; 0: none. */
static uint32_t slot6_ref(const struct xdpfw_tabvec *v, const struct xdpfw_tabent *e, uint32_t class_base)
{
	return e->ref ? (ent_direct(&v->e[e->ref - 1]) ?: class_base + e->ref) : 0;
}

/* Entry K of V into slot I. */
static void slot_put(int family, void *region, uint32_t i, const struct xdpfw_tabvec *v, uint32_t k,
		     uint32_t class_base)
{
	uint8_t *s = (uint8_t *)region + (size_t)i * xdpfw_slot_size(family);
	const struct xdpfw_tabent *e = &v->e[k];

	if (family == 4) {
		struct xdpfw_cls buf;
		struct xdpfw_slot4 sl = { .tag = e->tag, .addr = e->addr[0], .cls = *xdpfw_tabent_cls(v, e, &buf) };

		memcpy(s, &sl, sizeof(sl));
	} else {
		struct xdpfw_slot6 sl = { .tag = e->tag, .cls = slot6_ref(v, e, class_base) };

		memcpy(sl.addr, e->addr, 16);
		memcpy(s, &sl, sizeof(sl));
	}
}

static uint32_t home_of(int family, const struct xdpfw_tabent *e, uint32_t size)
{
	return hash_of(family, e) >> (64 - __builtin_ctz(size));
}

/* Robin Hood placement of V in SIZE slots: AT[slot] = entry index + 1 (0:
 * empty), HOME[slot] its hash position. An entry that has come further from
 * its home than the resident takes the slot, and the resident moves on, so
 * distances stay even. False when one ends XDPFW_MAX_PROBE or more away. */
static bool place(int family, const struct xdpfw_tabvec *v, uint32_t *at, uint32_t *home,
		  uint32_t size)
{
	uint32_t m = size - 1;

	memset(at, 0, (size_t)size * sizeof(*at));
	for (size_t k = 0; k < v->n; k++) {
		uint32_t ent = k + 1, h = home_of(family, &v->e[k], size), s = h;

		for (;;) {
			uint32_t t;

			if ((s - h) & m & ~(uint32_t)(XDPFW_MAX_PROBE - 1))
				return false;
			if (!at[s]) {
				at[s] = ent;
				home[s] = h;
				break;
			}
			if (((s - home[s]) & m) < ((s - h) & m)) {
				t = at[s], at[s] = ent, ent = t;
				t = home[s], home[s] = h, h = t;
			}
			s = (s + 1) & m;
		}
	}
	return true;
}

int xdpfw_table_plan(int family, const struct xdpfw_tabvec *v, uint32_t cap,
		     struct xdpfw_table_plan *plan)
{
	uint64_t n = 16;
	uint32_t *at, *home;
	int rc = -E2BIG;

	memset(plan, 0, sizeof(*plan));
	/* a quarter full where the room allows (most lookups then end at the
	 * home slot), at most half full */
	while (n < 4 * (uint64_t)v->n)
		n *= 2;
	if (n > cap && n / 2 >= 2 * (uint64_t)v->n)
		n /= 2;
	if (n > cap)
		return -E2BIG;
	at = xdpfw_big_alloc((size_t)cap * sizeof(*at));
	home = xdpfw_big_alloc((size_t)cap * sizeof(*home));
	for (; at && home && n <= cap; n *= 2)
		if (place(family, v, at, home, (uint32_t)n)) {
			plan->size = (uint32_t)n;
			plan->at = at;
			at = NULL;
			rc = 0;
			break;
		}
	if (rc && (!at || !home))
		rc = -ENOMEM;
	xdpfw_big_free(at);
	xdpfw_big_free(home);
	return rc;
}

void xdpfw_table_plan_free(struct xdpfw_table_plan *plan)
{
	xdpfw_big_free(plan->at);
	memset(plan, 0, sizeof(*plan));
}

void xdpfw_table_write(int family, const struct xdpfw_tabvec *v, const struct xdpfw_table_plan *plan,
		       uint32_t class_base, void *region)
{
	memset(region, 0, (size_t)plan->size * xdpfw_slot_size(family));
	for (uint32_t s = 0; s < plan->size; s++)
		if (plan->at[s])
			slot_put(family, region, s, v, plan->at[s] - 1, class_base);
}

uint32_t xdpfw_class_write(const struct xdpfw_tabvec *v, struct xdpfw_cls *pool)
{
	uint32_t n = 0;

	/* prefixes come first; markers (appended by xdpfw_bspl_markers) after */
	while (n < v->n && v->e[n].ref == n + 1) {
		pool[n] = *xdpfw_tabent_cls(v, &v->e[n], &pool[n]);
		n++;
	}
	return n;
}

size_t xdpfw_table_used(int family, const void *region, uint32_t n)
{
	size_t used = 0;

	for (uint32_t i = 0; i < n; i++)
		used += slot_tag(family, region, i) != 0;
	return used;
}

/* ---- the IPv4 trie ------------------------------------------------------ *
 * Fixed strides (prefix lengths a chunk boundary sits at): the source trie
 * 16-4-4-4-4 (a 2^16 root, then 16-entry chunks: at most five reads; a /32
 * alone in its /16 costs 64 entries, a /24 32), or in big tables 20-4-4-4
 * (xdpfw_common.h: XDPFW_TRIE_BIG_ROOT_BITS), destination tries 4-bit
 * strides (a 16-entry root per class: there is one per source class with
 * destination rules). docs/xdpfw.md says why these strides and not
 * others. The datapath's walk is built for them (xdpfw.bpf.c: walk_src,
 * the root then 4-bit levels; XDPFW_TRIE4_DEPTH for a destination); each
 * pointer below the root carries its stride code, which
 * xdpfw_trie4_lookup() follows. */
static const uint8_t src_strides16[] = { 16, 4, 4, 4, 4, 0 };
static const uint8_t src_strides20[] = { 20, 4, 4, 4, 0 };
static const uint8_t dst_strides[] = { 4, 4, 4, 4, 4, 4, 4, 4, 0 };

static const uint8_t *src_strides(unsigned root_bits)
{
	return root_bits == XDPFW_TRIE_BIG_ROOT_BITS ? src_strides20 : src_strides16;
}

static uint32_t stride_code(unsigned bits)
{
	return bits == 16 ? 2 : bits == 8 ? 1 : 0;
}

static uint32_t ent_tree(const struct xdpfw_tabent *e) { return e->tag >> 8; }
static uint32_t ent_plen(const struct xdpfw_tabent *e) { return (e->tag & 0xff) - 1; }
static uint32_t ent_addr(const struct xdpfw_tabent *e) { return __builtin_bswap32(e->addr[0]); }

/* The leaf for entry K: its direct verdict where its class allows
 * (XDPFW_TRIE_DIRECT), else its class's pool slot + 1 (POOL_AT: where
 * xdpfw_trie4_compact() put it; NULL: K). */
static uint32_t leaf_at(const struct xdpfw_tabvec *v, uint32_t k, const uint32_t *pool_at)
{
	if (v->e[k].flags & XDPFW_S_ONE)
		return XDPFW_TRIE_SEARCH | XDPFW_TRIE_ONE | v->e[k].rec;
	if (v->e[k].flags & XDPFW_S_SEARCH)
		return XDPFW_TRIE_SEARCH | (v->e[k].flags >> XDPFW_S_HINT_SHIFT & XDPFW_TRIE_HINT_MASK) << XDPFW_TRIE_HINT_SHIFT |
		       v->e[k].ref;
	return ent_direct(&v->e[k]) ?: (pool_at ? pool_at[k] : k) + 1;
}


/* O gets V's entry indexes sorted by (trie, address, length), or with
 * BY_PLEN (KV as the first order left it) by (trie, length, address): one
 * 64-bit key each (trie ids < 2^24, lengths <= 32), radix-sorted; KV keeps
 * the sorted keys. */
static int order_entries(const struct xdpfw_tabvec *v, uint32_t *o, bool by_plen, struct xdpfw_kv *kv,
			 struct xdpfw_kv *tmp)
{
	for (size_t k = 0; k < v->n; k++) {
		uint64_t key = kv[k].key;

		if (by_plen) {
			/* from the first order's keys (KV as it left it): the
			 * entries are not read again */
			kv[k].key = key >> 38 << 38 | (key & 63) << 32 | (uint32_t)(key >> 6);
			continue;
		}
		const struct xdpfw_tabent *e = &v->e[k];

		kv[k].idx = k;
		kv[k].key = (uint64_t)ent_tree(e) << 38 | (uint64_t)ent_addr(e) << 6 | ent_plen(e);
	}
	if (xdpfw_radix_sort(kv, tmp, v->n))
		return -ENOMEM;
	for (size_t k = 0; k < v->n; k++)
		o[k] = kv[k].idx;
	return 0;
}

static const uint8_t *strides_of(uint32_t tree, unsigned root_bits)
{
	return tree ? dst_strides : src_strides(root_bits);
}

/* The source trie's chunks and records (XDPFW_TRIE_REC) for strides ST. At
 * each chunk boundary b (16, 20, 24, 28; big: 20, 24, 28), the entries
 * longer than b under one b-bit
 * prefix: two or more need a chunk below b; exactly one is a record in
 * b's entry, unless a shallower boundary made it one already, and needs no
 * chunk below. REC_AT[idx] gets that boundary (0: painted in chunks). KV:
 * keys as order_entries() sorts them without BY_PLEN (a b-bit prefix's
 * entries are a run; tree 0 first). Returns the chunk entries; *NREC the
 * records. */
static uint64_t src_layout(const uint8_t *st, const struct xdpfw_kv *kv, size_t n, uint8_t *rec_at,
			   uint32_t *nrec)
{
	uint64_t total = 0;
	unsigned b = 0;

	*nrec = 0;
	for (int l = 0; st[l + 1]; l++) {
		b += st[l];
		for (size_t k = 0; k < n && !(kv[k].key >> 38);) {
			uint64_t g = kv[k].key >> (38 - b);
			size_t j = k, only = k;
			uint32_t longer = 0;

			for (; j < n && kv[j].key >> (38 - b) == g; j++)
				if ((kv[j].key & 63) > b) {
					longer++;
					only = j;
				}
			if (longer > 1) {
				total += 1u << st[l + 1];
			} else if (longer == 1 && !rec_at[kv[only].idx]) {
				rec_at[kv[only].idx] = b;
				(*nrec)++;
			}
			k = j;
		}
	}
	return total;
}

/* The trie entries records take: whole 16-entry blocks, so chunks after
 * them stay aligned to a cache line. */
static uint64_t rec_entries(uint32_t nrec)
{
	return ((uint64_t)nrec * XDPFW_TRIE_REC_SIZE + XDPFW_TRIE_BLK - 1) / XDPFW_TRIE_BLK * XDPFW_TRIE_BLK;
}

/* Trie entries the chunks below the destination tries' roots take: the
 * distinct (trie, top b bits) among the entries longer than each chunk
 * boundary b, one chunk each. KV: as for src_layout() (only the keys are
 * read, not the entries). */
static uint64_t dst_chunks(const struct xdpfw_kv *kv, size_t n)
{
	const uint8_t *st = dst_strides;
	uint64_t total = 0;
	unsigned b = 0;

	for (int l = 0; st[l + 1]; l++) {
		uint64_t prev = UINT64_MAX;

		b += st[l];
		for (size_t k = 0; k < n; k++) {
			uint64_t key = kv[k].key, t = key >> 38;
			uint32_t a = (uint32_t)(key >> 6), plen = key & 63;

			if (!t || plen <= b)
				continue;
			key = t << 32 | (a >> (32 - b));
			if (key != prev)
				total += 1u << st[l + 1];
			prev = key;
		}
	}
	return total;
}

uint64_t xdpfw_trie4_src_entries(const uint32_t *addr, const uint8_t *plen, size_t n, unsigned root_bits)
{
	const uint8_t *st = src_strides(root_bits);
	struct xdpfw_kv *kv = xdpfw_big_alloc((n + 1) * sizeof(*kv));
	uint8_t *rec_at = xdpfw_big_calloc(n + 1, 1);
	uint64_t total = 0;
	uint32_t nrec;

	if (kv && rec_at) {
		for (size_t k = 0; k < n; k++) {
			kv[k].key = (uint64_t)addr[k] << 6 | plen[k];
			kv[k].idx = k;
		}
		total = (1u << st[0]) + src_layout(st, kv, n, rec_at, &nrec);
		total += rec_entries(nrec);
	}
	xdpfw_big_free(kv);
	xdpfw_big_free(rec_at);
	return total;
}

int xdpfw_trie4_plan(const struct xdpfw_tabvec *v, unsigned root_bits, uint32_t trie_cap, uint32_t leaf_cap,
		     struct xdpfw_trie4_plan *plan)
{
	const uint8_t *st = src_strides(root_bits);
	uint32_t *o;
	uint64_t total = 1u << st[0], chunks;
	uint32_t maxc = 0, nrec;
	struct xdpfw_kv *kv, *tmp;

	memset(plan, 0, sizeof(*plan));
	if (v->n > leaf_cap)
		return -E2BIG;
	o = xdpfw_big_alloc((v->n + 1) * sizeof(*o));
	kv = xdpfw_big_alloc((v->n + 1) * sizeof(*kv));
	tmp = xdpfw_big_alloc((v->n + 1) * sizeof(*tmp));
	if (!o || !kv || !tmp || order_entries(v, o, false, kv, tmp)) {
		xdpfw_big_free(o);
		xdpfw_big_free(kv);
		xdpfw_big_free(tmp);
		return -ENOMEM;
	}
	for (size_t k = 0; k < v->n; k++)
		if (ent_tree(&v->e[k]) > maxc)
			maxc = ent_tree(&v->e[k]);
	plan->class_ptr = xdpfw_big_calloc(maxc + 1, sizeof(*plan->class_ptr));
	plan->rec_at = xdpfw_big_calloc(v->n + 1, 1);
	if (!plan->class_ptr || !plan->rec_at) {
		xdpfw_trie4_plan_free(plan);
		xdpfw_big_free(o);
		xdpfw_big_free(kv);
		xdpfw_big_free(tmp);
		return -ENOMEM;
	}
	plan->nclass = maxc + 1;
	plan->root_bits = st[0];
	plan->npool = (uint32_t)v->n;
	/* chunks below boundary b: the distinct (trie, top b bits) among the
	 * entries longer than b; with entries in address order those are runs */
	for (size_t k = 0; k < v->n; k++) {
		uint32_t t = kv[k].key >> 38;

		if (t && !plan->class_ptr[t]) {
			plan->class_ptr[t] = XDPFW_TRIE_PTR | stride_code(dst_strides[0]) << XDPFW_TRIE_SHIFT |
					     (uint32_t)total;
			total += 1u << dst_strides[0];
		}
	}
	/* then the records, then the chunks */
	chunks = src_layout(st, kv, v->n, plan->rec_at, &nrec) + dst_chunks(kv, v->n);
	plan->rec_base = (uint32_t)total;
	plan->nrec = nrec;
	total += rec_entries(nrec);
	plan->chunk_base = (uint32_t)total;
	total += chunks;
	plan->order = o;
	plan->entries = total > trie_cap ? 0 : (uint32_t)total;
	for (size_t k = 0; k < v->n; k++) {
		uint32_t c = ent_direct(&v->e[k]) ? 0 : v->cls[v->e[k].cls].class;

		if (!ent_tree(&v->e[k]) && c && !(v->e[k].flags & XDPFW_S_V6) &&
		    (c >= plan->nclass || !plan->class_ptr[c])) {
			xdpfw_trie4_plan_free(plan);
			xdpfw_big_free(kv);
			xdpfw_big_free(tmp);
			return -EINVAL;
		}
	}
	/* refused before the second sort: a set that does not fit costs less
	 * than one that does */
	if (total > trie_cap) {
		xdpfw_trie4_plan_free(plan);
		xdpfw_big_free(kv);
		xdpfw_big_free(tmp);
		return -E2BIG;
	}
	order_entries(v, o, true, kv, tmp);	/* TMP given: cannot fail */
	xdpfw_big_free(kv);
	xdpfw_big_free(tmp);
	return 0;
}

int xdpfw_trie4_compact(const struct xdpfw_tabvec *v, struct xdpfw_trie4_plan *plan)
{
	uint32_t n = 0;

	xdpfw_big_free(plan->pool_at);
	plan->pool_at = xdpfw_big_alloc((v->n + 1) * sizeof(*plan->pool_at));
	if (!plan->pool_at)
		return -ENOMEM;
	for (size_t k = 0; k < v->n; k++)
		plan->pool_at[k] = ent_direct(&v->e[k]) ? UINT32_MAX : n++;
	plan->npool = n;
	return 0;
}

uint32_t xdpfw_trie4_class(const struct xdpfw_trie4_plan *plan, uint32_t class)
{
	return class && class < plan->nclass ? plan->class_ptr[class] : 0;
}

bool xdpfw_trie4_write(const struct xdpfw_tabvec *v, const struct xdpfw_trie4_plan *plan,
		       uint32_t *trie, struct xdpfw_cls *leaves)
{
	uint32_t next = plan->chunk_base, rec = plan->rec_base;

	/* destination roots sit right after the source root, then the records
	 * and the chunks (planned); TRIE is zero (table.h): an entry no
	 * prefix paints stays 0, no prefix */
	for (size_t k = 0; k < v->n; k++) {
		const struct xdpfw_tabent *e = &v->e[plan->order[k]];
		uint32_t tree = ent_tree(e), plen = ent_plen(e), a = ent_addr(e);
		/* the source root is at offset 0 */
		uint32_t p = tree ? plan->class_ptr[tree] : 0, leaf = leaf_at(v, plan->order[k], plan->pool_at);
		unsigned rec_b = plan->rec_at[plan->order[k]];
		const uint8_t *st = strides_of(tree, plan->root_bits);
		unsigned pos = 0;

		for (int l = 0; st[l]; l++) {
			unsigned bits = st[l];
			uint32_t off = p & XDPFW_TRIE_OFF;
			uint32_t x = (uint32_t)(((uint64_t)a << pos & 0xffffffffu) >> (32 - bits)), i = off + x;

			if (plen <= pos + bits) {
				/* the prefix ends in this chunk: paint its range */
				uint32_t n = 1u << (pos + bits - plen);

				i = off + (x & ~(n - 1));
				for (uint32_t j = 0; j < n; j++)
					trie[i + j] = leaf;
				break;
			}
			if (rec_b == pos + bits) {
				/* the one prefix longer than this entry's under it;
				 * shorter ones painted it before (by length) */
				uint32_t mask = ~0u << (32 - plen);

				trie[rec] = a & mask;
				trie[rec + 1] = mask;
				trie[rec + 2] = leaf;
				trie[rec + 3] = trie[i];
				trie[i] = XDPFW_TRIE_REC | rec;
				rec += XDPFW_TRIE_REC_SIZE;
				break;
			}
			if (!(trie[i] & XDPFW_TRIE_PTR)) {
				uint32_t c = next, sz = 1u << st[l + 1];

				for (uint32_t j = 0; j < sz; j++)
					trie[c + j] = trie[i];
				next += sz;
				trie[i] = XDPFW_TRIE_PTR | stride_code(st[l + 1]) << XDPFW_TRIE_SHIFT | c;
			}
			p = trie[i];
			pos += bits;
		}
	}
	for (size_t k = 0; k < v->n; k++) {
		struct xdpfw_cls *l;

		if (plan->pool_at && ent_direct(&v->e[k]))
			continue;	/* its leaf is its verdict: no class slot */
		l = &leaves[plan->pool_at ? plan->pool_at[k] : k];
		*l = *xdpfw_tabent_cls(v, &v->e[k], l);
		if (!ent_tree(&v->e[k]) && !(v->e[k].flags & XDPFW_S_V6))
			l->class = xdpfw_trie4_class(plan, l->class);
	}
	return rec == plan->rec_base + plan->nrec * XDPFW_TRIE_REC_SIZE && next == plan->entries;
}

void xdpfw_trie4_plan_free(struct xdpfw_trie4_plan *plan)
{
	xdpfw_big_free(plan->order);
	xdpfw_big_free(plan->class_ptr);
	xdpfw_big_free(plan->rec_at);
	xdpfw_big_free(plan->pool_at);
	memset(plan, 0, sizeof(*plan));
}

/* The walk from entry E, POS address bits consumed. */
static uint32_t walk_from(const uint32_t *trie, uint32_t e, uint32_t addr, unsigned pos)
{
	for (int i = 0; i < XDPFW_TRIE4_DEPTH && (e & XDPFW_TRIE_PTR); i++) {
		unsigned bits = 4u << ((e >> XDPFW_TRIE_SHIFT) & 3);
		const uint32_t *r = &trie[e & XDPFW_TRIE_OFF];

		if ((e & XDPFW_TRIE_REC) == XDPFW_TRIE_REC) {
			e = (addr & r[1]) == r[0] ? r[2] : r[3];
			break;
		}
		e = trie[(e & XDPFW_TRIE_OFF) + (uint32_t)(((uint64_t)addr << pos & 0xffffffffu) >> (32 - bits))];
		pos += bits;
	}
	return e & XDPFW_TRIE_PTR ? 0 : e;
}

uint32_t xdpfw_trie4_lookup(const uint32_t *trie, uint32_t e, uint32_t addr)
{
	return walk_from(trie, e, addr, 0);
}

uint32_t xdpfw_trie4_lookup_src(const uint32_t *trie, unsigned root_bits, uint32_t addr)
{
	root_bits = src_strides(root_bits)[0];
	return walk_from(trie, trie[addr >> (32 - root_bits)], addr, root_bits);
}

/* ---- IPv6 sources: the first 32 bits in a trie ---------------------------- */

static uint32_t v6_plen(const struct xdpfw_tabent *e) { return (e->tag & 0xff) - 1; }

/* Open addressing over (plen, first 32 bits) -> TOP index + 1. */
struct top_index {
	uint32_t *at;
	uint32_t mask;
};

static uint32_t *top_slot(struct top_index *ix, const struct xdpfw_tabvec *top, uint32_t tag, uint32_t a)
{
	for (uint32_t i = xdpfw_hash4(tag, a) >> 32 & ix->mask;; i = (i + 1) & ix->mask) {
		const struct xdpfw_tabent *e;

		if (!ix->at[i])
			return &ix->at[i];
		e = &top->e[ix->at[i] - 1];
		if (e->tag == tag && e->addr[0] == a)
			return &ix->at[i];
	}
}

/* Search leaf T has the longer prefix K (index + 1) of length PLEN under
 * it: T keeps the one length seen, or 0xff once there are several, and the
 * one prefix, or UINT32_MAX once there are several. */
static void note_longer(struct xdpfw_tabent *t, uint32_t plen, uint32_t k)
{
	uint32_t seen = t->flags >> XDPFW_S_LEN_SHIFT & 0xff;

	t->one = t->one ? UINT32_MAX : k;
	if (seen != plen)
		seen = seen ? 0xff : plen;
	t->flags = (t->flags & ~(0xffu << XDPFW_S_LEN_SHIFT)) | seen << XDPFW_S_LEN_SHIFT;
}

int xdpfw_v6top_split(struct xdpfw_tabvec *v, struct xdpfw_tabvec *top, int cut)
{
	bool lens[33] = { false };
	struct top_index ix = { 0 };
	size_t keep = 0, cap = 16;
	int rc = 0;

	for (size_t k = 0; k < v->n && !rc; k++) {
		struct xdpfw_tabent *e = &v->e[k];

		if (e->tag >> 8 || v6_plen(e) > (uint32_t)cut) {
			v->e[keep] = *e;
			v->e[keep].ref = keep + 1;
			keep++;
			continue;
		}
		lens[v6_plen(e)] = true;
		rc = push_entry(top, v, k);
		if (!rc)
			top->e[top->n - 1].flags |= XDPFW_S_V6;
	}
	v->n = keep;
	while (!rc && cap < 4 * (uint64_t)(top->n + v->n))
		cap *= 2;
	ix.at = rc ? NULL : xdpfw_big_calloc(cap, sizeof(*ix.at));
	if (!ix.at)
		return rc ? rc : -ENOMEM;
	ix.mask = cap - 1;
	for (size_t k = 0; k < top->n; k++)
		*top_slot(&ix, top, top->e[k].tag, top->e[k].addr[0]) = k + 1;
	/* every /CUT with longer source prefixes: a search leaf */
	for (size_t k = 0; k < v->n && !rc; k++) {
		const struct xdpfw_tabent *e = &v->e[k];
		uint32_t host = ntohl(e->addr[0]) & (0xffffffffu << (32 - cut)), a = htonl(host);
		uint32_t *scut, ref = 0, key[4] = { a };
		struct xdpfw_cls none = { 0 };

		if (e->tag >> 8)
			continue;	/* a destination entry */
		scut = top_slot(&ix, top, cut + 1, a);
		if (*scut) {
			top->e[*scut - 1].flags |= XDPFW_S_SEARCH;
			note_longer(&top->e[*scut - 1], v6_plen(e), k + 1);
			continue;	/* a /CUT prefix (its own ref) or search leaf already */
		}
		for (int l = cut - 1; l > 0 && !ref; l--) {
			uint32_t *f;

			if (!lens[l])
				continue;
			f = top_slot(&ix, top, l + 1, htonl(host & (0xffffffffu << (32 - l))));
			ref = *f;
		}
		rc = xdpfw_tabvec_push(top, cut + 1, (const uint8_t *)key, &none);
		if (rc)
			break;
		top->e[top->n - 1].flags = XDPFW_S_SEARCH | XDPFW_S_V6;
		top->e[top->n - 1].ref = ref;
		note_longer(&top->e[top->n - 1], v6_plen(e), k + 1);
		*top_slot(&ix, top, cut + 1, a) = top->n;	/* the table has room: cap >= 4n */
	}
	xdpfw_big_free(ix.at);
	return rc;
}

void xdpfw_v6top_hints(struct xdpfw_tabvec *top, const uint8_t *lens)
{
	uint32_t index[XDPFW_PLENS_MAX], n = 0;

	for (int l = 0; l < XDPFW_PLENS_MAX; l++) {
		index[l] = n;
		n += lens[l] != 0;
	}
	for (size_t k = 0; k < top->n; k++) {
		struct xdpfw_tabent *t = &top->e[k];
		uint32_t plen = t->flags >> XDPFW_S_LEN_SHIFT & 0xff;

		t->flags &= ~(XDPFW_TRIE_HINT_MASK << XDPFW_S_HINT_SHIFT);
		if (!(t->flags & XDPFW_S_SEARCH) || !plen || plen >= XDPFW_PLENS_MAX || !lens[plen] ||
		    index[plen] + 1 > XDPFW_TRIE_HINT_MASK)
			continue;
		t->flags |= (index[plen] + 1) << XDPFW_S_HINT_SHIFT;
	}
}

_Static_assert(sizeof(struct xdpfw_one6) <= sizeof(struct xdpfw_cls), "a record takes a class's place");

static bool has_one(const struct xdpfw_tabent *t)
{
	return (t->flags & XDPFW_S_SEARCH) && t->one && t->one != UINT32_MAX;
}

uint32_t xdpfw_v6top_ones(struct xdpfw_tabvec *top, uint32_t base, uint32_t room)
{
	uint32_t n = 0;

	for (size_t k = 0; k < top->n; k++)
		n += has_one(&top->e[k]);
	if (n > room)
		return 0;
	n = 0;
	for (size_t k = 0; k < top->n; k++)
		if (has_one(&top->e[k])) {
			top->e[k].flags |= XDPFW_S_ONE;
			top->e[k].rec = base + ++n;
		}
	return n;
}

void xdpfw_v6top_write_ones(const struct xdpfw_tabvec *top, const struct xdpfw_tabvec *v, uint32_t class_base,
			    struct xdpfw_cls *pool)
{
	for (size_t k = 0; k < top->n; k++) {
		const struct xdpfw_tabent *t = &top->e[k], *p;
		struct xdpfw_one6 o = { .out = t->ref };
		uint32_t plen;

		if (!(t->flags & XDPFW_S_ONE))
			continue;
		p = &v->e[t->one - 1];
		plen = v6_plen(p);
		for (int w = 0; w < 4; w++) {
			uint32_t bits = plen > 32u * w ? plen - 32u * w : 0;

			o.mask[w] = htonl(bits >= 32 ? ~0u : bits ? ~0u << (32 - bits) : 0);
			o.addr[w] = p->addr[w] & o.mask[w];
		}
		o.in = slot6_ref(v, p, class_base);
		memcpy(&pool[t->rec - 1], &o, sizeof(o));
	}
}

int xdpfw_v6top_join(struct xdpfw_tabvec *v, struct xdpfw_tabvec *top)
{
	int rc = 0;

	for (size_t k = 0; k < top->n && !rc; k++)
		if (!(top->e[k].flags & XDPFW_S_SEARCH) || top->e[k].ref == k + 1)	/* a prefix */
			rc = push_entry(v, top, k);
	top->n = 0;
	top->ncls = 0;	/* its classes went with its entries */
	return rc;
}

/* ---- binary search on prefix lengths (IPv6) ------------------------------ */

int xdpfw_bspl_path(uint32_t n, uint32_t t, uint32_t path[8])
{
	uint32_t lo = 0, hi = n;
	int k = 0;

	while (lo < hi && k < 8) {
		uint32_t mid = (lo + hi) / 2;

		path[k++] = mid;
		if (mid == t)
			break;
		if (mid < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return k;
}

struct pset {
	uint32_t *at;			/* entry index + 1, 0 = empty */
	uint32_t mask;
};

static void cut6(uint32_t *a, const uint32_t *src, int plen)
{
	for (int w = 0; w < 4; w++) {
		int bits = plen - 32 * w;

		a[w] = src[w] & (bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 :
				 __builtin_bswap32(0xffffffffu << (32 - bits)));
	}
}

static uint32_t *pset_find(struct pset *s, const struct xdpfw_tabvec *v, uint32_t tag, const uint32_t *a)
{
	for (uint32_t i = xdpfw_hash6(tag, a) >> 32 & s->mask;; i = (i + 1) & s->mask) {
		const struct xdpfw_tabent *e;

		if (!s->at[i])
			return &s->at[i];
		e = &v->e[s->at[i] - 1];
		if (e->tag == tag && !memcmp(e->addr, a, 16))
			return &s->at[i];
	}
}

int xdpfw_bspl_markers(struct xdpfw_tabvec *v, const uint8_t lens[2][XDPFW_PLENS_MAX])
{
	uint32_t len[2][XDPFW_PLENS_MAX], nl[2] = { 0 }, idx[2][XDPFW_PLENS_MAX];
	size_t nreal = v->n, cap = 16;
	struct pset s;
	int rc = 0;

	for (int st = 0; st < 2; st++)
		for (uint32_t l = 0; l < XDPFW_PLENS_MAX; l++)
			if (lens[st][l]) {
				idx[st][l] = nl[st];
				len[st][nl[st]++] = l;
			}
	/* each prefix adds at most 7 markers (8 probes at most) */
	while (cap < 16 * (uint64_t)nreal)
		cap *= 2;
	s.at = xdpfw_big_calloc(cap, sizeof(*s.at));
	if (!s.at)
		return -ENOMEM;
	s.mask = cap - 1;
	for (size_t k = 0; k < nreal; k++)
		*pset_find(&s, v, v->e[k].tag, v->e[k].addr) = k + 1;
	for (size_t k = 0; k < nreal && !rc; k++) {
		uint32_t tag = v->e[k].tag, tree = tag >> 8, plen = (tag & 0xff) - 1, path[8];
		int st = tree != 0, np = xdpfw_bspl_path(nl[st], idx[st][plen], path);

		for (int p = 0; p < np && !rc; p++) {
			uint32_t m = path[p], a[4], b[4], mt = (tree << 8) | (len[st][m] + 1), *slot;
			const struct xdpfw_tabent *bmp = NULL;

			if (m >= idx[st][plen])
				continue;	/* longer: the search must miss there */
			cut6(a, v->e[k].addr, len[st][m]);
			slot = pset_find(&s, v, mt, a);
			if (*slot)
				continue;	/* a prefix there, or a marker already */
			/* the longest prefix at or above this length containing it */
			for (int j = m; j >= 0 && !bmp; j--) {
				uint32_t *f;

				cut6(b, a, len[st][j]);
				f = pset_find(&s, v, (tree << 8) | (len[st][j] + 1), b);
				if (*f && v->e[*f - 1].flags)
					bmp = &v->e[*f - 1];
			}
			if ((v->n + 1) * 2 > cap) {
				rc = -ENOMEM;	/* cannot happen: 8 per prefix at most */
				break;
			}
			uint32_t ref = bmp ? bmp->ref : 0, code = bmp ? bmp->cls : 0;

			/* a marker shares its prefix's class (push may move v->e) */
			rc = bmp ? push_code(v, mt, (const uint8_t *)a, code) :
				   xdpfw_tabvec_push(v, mt, (const uint8_t *)a, &(struct xdpfw_cls){ 0 });
			if (!rc) {
				v->e[v->n - 1].flags = bmp ? XDPFW_S_CLS : 0;
				v->e[v->n - 1].ref = ref;
				*slot = v->n;
			}
		}
	}
	xdpfw_big_free(s.at);
	return rc;
}
