/* apps/xdpfw/table.h — the open-addressing prefix tables the datapath probes
 * (xdpfw_tab4, xdpfw_tab6; layout and hash in xdpfw_common.h), built in user
 * space straight into the maps' mmapped memory. */
#ifndef XDPFW_TABLE_H
#define XDPFW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpfw_common.h"

#define XDPFW_S_CLS		1
#define XDPFW_S_SEARCH		2	/* IPv6 top trie: a /32 with longer prefixes
					 * inside (XDPFW_TRIE_SEARCH) */
#define XDPFW_S_LEN_SHIFT	8	/* search leaf: bits 8-15 the one length of
					 * the longer prefixes under it (0xff:
					 * several; table.c: note_longer) */
#define XDPFW_S_HINT_SHIFT	16	/* bits 16-19: its XDPFW_TRIE_HINT_SHIFT
					 * value (xdpfw_v6top_hints) */
#define XDPFW_S_ONE		8	/* search leaf with a record (XDPFW_TRIE_ONE) */
#define XDPFW_S_V6		4	/* IPv6 top trie: cls.class is an IPv6 class
					 * id (its destinations are in xdpfw_tab6),
					 * not an IPv4 destination trie */

struct xdpfw_tabent {
	uint32_t tag;
	uint32_t flags;			/* XDPFW_S_CLS: a prefix, or a marker that
					 * carries a prefix's class */
	uint32_t ref;			/* IPv6: the index + 1 (in this vector) of the
					 * prefix whose class the entry carries (a
					 * prefix: its own); 0: none */
	uint32_t addr[4];		/* network byte order; IPv4 in addr[0] */
	uint32_t cls;			/* its class: an XDPFW_TRIE_DIRECT verdict
					 * where the class is only that (most
					 * blocklist prefixes), else its index in the
					 * vector's cls array (xdpfw_tabent_cls) */
	uint32_t one;			/* search leaf: the index + 1 of its only
					 * longer prefix (UINT32_MAX: several) */
	uint32_t rec;			/* with XDPFW_S_ONE: its record's reference */
};

/* Entries are 40 bytes, not 76: a class that is one verdict for every
 * packet is kept in the entry itself, the others once each in CLS. */
struct xdpfw_tabvec {
	struct xdpfw_tabent *e;
	size_t n, cap;
	struct xdpfw_cls *cls;
	size_t ncls, capcls;
};

int xdpfw_tabvec_push(struct xdpfw_tabvec *v, uint32_t tag, const uint8_t *addr,
		      const struct xdpfw_cls *cls);
/* Appends FROM's entries and classes to TO (their references moved with
 * them): 0, -ENOMEM or -E2BIG (TO's class codes full); TO unchanged on
 * error. */
int xdpfw_tabvec_append(struct xdpfw_tabvec *to, const struct xdpfw_tabvec *from);
void xdpfw_tabvec_free(struct xdpfw_tabvec *v);
/* The class of entry E (of V, or a copy of one): a pointer into V's cls
 * array, or BUF filled with it. */
const struct xdpfw_cls *xdpfw_tabent_cls(const struct xdpfw_tabvec *v, const struct xdpfw_tabent *e,
					 struct xdpfw_cls *buf);

/* Binary search on prefix lengths (IPv6; Waldvogel et al. 1997): adds to
 * V the markers the datapath's search needs. LENS[0] (source stage) and
 * LENS[1] (destination stage) flag the lengths in use; the datapath
 * searches them in ascending order (xdpfw_plens.e), probing the middle
 * length of [lo, hi): a hit (prefix or marker) moves to the longer half and
 * records the entry's class if it has one (XDPFW_S_CLS), a miss to the
 * shorter half. So every prefix gets a marker (its address cut to that
 * length) at each length shorter than its own the search passes through,
 * carrying the class of the longest prefix no longer than the marker that
 * contains it: the search never backtracks. At most ceil(log2(lengths + 1))
 * probes. -ENOMEM. */
int xdpfw_bspl_markers(struct xdpfw_tabvec *v, const uint8_t lens[2][XDPFW_PLENS_MAX]);
/* The search's path: the length indexes [lo, hi) of N lengths probes on the
 * way to index T, in order; returns how many (*PATH gets them). */
int xdpfw_bspl_path(uint32_t n, uint32_t t, uint32_t path[8]);

/* Bytes per slot of FAMILY's table (the array map's value size). */
size_t xdpfw_slot_size(int family);

/* Where each entry of a table goes: SIZE slots, AT[slot] = entry index + 1
 * (0: empty). */
struct xdpfw_table_plan {
	uint32_t size;
	uint32_t *at;
};

/* Plans the table for V: the smallest power of two with at least four times
 * as many slots as entries (twice when CAP is short; at least 16) at which
 * every entry lands fewer than XDPFW_MAX_PROBE slots from its hash position.
 * -E2BIG if none up to CAP slots does, -ENOMEM. Touches no map memory. */
int xdpfw_table_plan(int family, const struct xdpfw_tabvec *v, uint32_t cap,
		     struct xdpfw_table_plan *plan);
void xdpfw_table_plan_free(struct xdpfw_table_plan *plan);

/* Zeroes the first PLAN->size slots of REGION and puts V's entries where
 * PLAN says. IPv6 slots refer to their classes in the class pool, where V's
 * entry k's class is at index CLASS_BASE + k (xdpfw_class_write). */
void xdpfw_table_write(int family, const struct xdpfw_tabvec *v, const struct xdpfw_table_plan *plan,
		       uint32_t class_base, void *region);
/* Writes the classes of V's prefixes (not its markers, which share them)
 * to POOL[0..]: entry k's at POOL[k]. Returns how many. */
uint32_t xdpfw_class_write(const struct xdpfw_tabvec *v, struct xdpfw_cls *pool);

/* The IPv4 trie (xdpfw_common.h) for V's entries (tags as the hash tables
 * use them: plen + 1 for the source stage, class << 8 | (plen + 1) for a
 * destination trie): entry k's class value goes to leaf slot k, and the
 * trie, prefixes expanded to its strides, into trie entries [0, entries). */
struct xdpfw_trie4_plan {
	uint32_t entries;		/* trie entries used */
	unsigned root_bits;		/* the source root's width (xdpfw_opts.root_bits) */
	uint32_t *order;		/* entry indexes by (trie, length, address) */
	uint32_t *class_ptr;		/* class id -> its destination trie's root entry */
	uint32_t nclass;
	uint8_t *rec_at;		/* entry index -> the boundary (16..28) whose
					 * entry holds it as a record (XDPFW_TRIE_REC);
					 * 0: painted in chunks */
	uint32_t rec_base;		/* where records start, then chunks (chunk_base) */
	uint32_t chunk_base;
	uint32_t nrec;
	uint32_t *pool_at;		/* xdpfw_trie4_compact(): entry index -> its
					 * class's index in the pool; NULL: the
					 * entry index itself */
	uint32_t npool;			/* leaf slots written: V's entries, or
					 * (compact) those without a direct verdict */
};

/* Plans V's trie, its source root ROOT_BITS wide: -E2BIG if it needs more
 * than TRIE_CAP entries or V more than LEAF_CAP leaf slots, -EINVAL for a
 * class without destination entries, -ENOMEM. Touches no map memory. */
int xdpfw_trie4_plan(const struct xdpfw_tabvec *v, unsigned root_bits, uint32_t trie_cap, uint32_t leaf_cap,
		     struct xdpfw_trie4_plan *plan);
/* The trie entries the source trie alone takes for the N IPv4 source
 * prefixes ADDR[k]/PLEN[k] (host byte order, distinct, sorted by address
 * then length) under a ROOT_BITS root: what xdpfw_trie4_plan() counts for
 * them, a lower bound of a
 * whole set's (destination tries come on top), so a set it puts over the
 * trie's room is refused before being compiled. 0: no memory. */
uint64_t xdpfw_trie4_src_entries(const uint32_t *addr, const uint8_t *plen, size_t n, unsigned root_bits);
/* Gives the pool room only to the entries whose leaf is not their verdict
 * (XDPFW_TRIE_DIRECT): no packet reads the others' classes, so a blocklist's
 * pool is a fraction of its entries. For IPv4 only: the IPv6 sources' trie
 * refers to its entries' classes by entry index (search leaves). -ENOMEM. */
int xdpfw_trie4_compact(const struct xdpfw_tabvec *v, struct xdpfw_trie4_plan *plan);
/* A source class value's destination-trie root (0 if CLASS is 0). */
uint32_t xdpfw_trie4_class(const struct xdpfw_trie4_plan *plan, uint32_t class);
/* Writes the planned trie into TRIE, which must be zero over its
 * PLAN->entries (not zeroed here: a big root is mostly zero, and on a VM
 * the first write to a page of a map costs ~14 us), and the leaves'
 * classes into LEAVES (the class pool: entry k's at LEAVES[k], or where
 * PLAN->pool_at says; all PLAN->npool written). False if it did not use
 * exactly the records and chunks planned (a bug: tests check it). */
bool xdpfw_trie4_write(const struct xdpfw_tabvec *v, const struct xdpfw_trie4_plan *plan,
		       uint32_t *trie, struct xdpfw_cls *leaves);
void xdpfw_trie4_plan_free(struct xdpfw_trie4_plan *plan);
/* What the datapath's walk finds for ADDR (host byte order) from a class's
 * destination root E: a leaf (0: none; a slot index + 1 or an
 * XDPFW_TRIE_DIRECT verdict, as leaf_at() made it). */
uint32_t xdpfw_trie4_lookup(const uint32_t *trie, uint32_t e, uint32_t addr);
/* The same from the source root (ROOT_BITS wide) at the start of TRIE. */
uint32_t xdpfw_trie4_lookup_src(const uint32_t *trie, unsigned root_bits, uint32_t addr);
/* IPv6 sources: moves the source prefixes of /CUT and shorter (CUT 1..32)
 * from V (the hash-table entries, before markers) to TOP (keyed by their
 * first 32 bits in addr[0], for the trie builder; flagged XDPFW_S_V6) and
 * adds to TOP, for every /CUT holding longer source prefixes, a /CUT entry
 * flagged XDPFW_S_SEARCH whose ref is the TOP index + 1 of the longest
 * prefix containing it (0: none). V's remaining entries get their refs
 * renumbered. -ENOMEM. */
int xdpfw_v6top_split(struct xdpfw_tabvec *v, struct xdpfw_tabvec *top, int cut);
/* Once the search's lengths are known (LENS flags those in use): each search
 * leaf of TOP whose longer prefixes all have one length gets that length's
 * index + 1 among them (XDPFW_TRIE_HINT_SHIFT), if it fits. */
void xdpfw_v6top_hints(struct xdpfw_tabvec *top, const uint8_t *lens);
/* Search leaves of TOP with one longer prefix get a record
 * (XDPFW_TRIE_ONE), the first at class reference BASE + 1 (relative to the
 * IPv6 region of the pool), if ROOM classes hold them all. Returns how many
 * (0 where they do not fit). */
uint32_t xdpfw_v6top_ones(struct xdpfw_tabvec *top, uint32_t base, uint32_t room);
/* Writes those records into POOL (the IPv6 region): the slot values of V's
 * prefixes with class references from CLASS_BASE (xdpfw_table_write's). */
void xdpfw_v6top_write_ones(const struct xdpfw_tabvec *top, const struct xdpfw_tabvec *v, uint32_t class_base,
			    struct xdpfw_cls *pool);
/* Undoes it: TOP's prefixes go back to V (TOP is emptied). -ENOMEM. */
int xdpfw_v6top_join(struct xdpfw_tabvec *v, struct xdpfw_tabvec *top);

/* Non-empty slots among the first N of REGION. */
size_t xdpfw_table_used(int family, const void *region, uint32_t n);

#endif
