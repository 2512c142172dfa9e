/* apps/xdpfw/apply.c — xdpfw_state_apply(): a rule set into the inactive
 * generation, the switch, and the old generation's removal (state.c says
 * how the two generations and their dirty marks make that atomic and
 * crash-safe; state.c holds the pinned maps this writes).
 *
 * The steps (state_apply): whatever a killed apply left in the inactive
 * generation goes; every rule gets its slot (a rule already active keeps
 * its own, and its counters); the set is compiled (compile.c) into prefix
 * and port-table entries in memory and planned into the tables, so a set
 * that does not fit is refused before any write; the definitions, then the
 * tables are written; one cfg update switches; after a grace period the old
 * generation is cleared. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpfkit/bpfkit.h>
#include "bgjob.h"
#include "bigmem.h"
#include "grace.h"
#include "state.h"
#include "state_int.h"
#include "table.h"

int xdpfw_apply_crash_point;

/* ---- rule definitions -------------------------------------------------- */

/* An apply's working copy of the definitions: xdpfw_read_defs()' (HW,
 * ROOM), or where no slot was ever handed out (HW 0: the first apply) and
 * the map is mapped, the map itself (first_defs_run() writes the set's
 * slots [0, N); no free-slot scan reads it).
 * Nothing reads a slot at or past the high-water mark (0 until this apply
 * records its own): not the datapath, not a reader, and every apply writes
 * the slots it hands out there before it raises the mark over them
 * (state_apply, step 4), so what a refused or killed apply leaves there is
 * never taken for a rule. Not zeroed whole: on this VM a process's first
 * touch of map pages costs ~2.3 ms per MB, 260 ms for the 112 MB of a
 * 1M-rule map. A first apply of 1M rules touches 54 MB less fresh memory
 * than with a private copy. Freed by free_defs(). */
static int apply_defs(struct xdpfw_state *st, uint32_t hw, uint32_t room, struct xdpfw_rule_def **out)
{
	if (hw || !st->defs || (size_t)room * sizeof(**out) > st->defs_bytes)
		return xdpfw_read_defs(st, hw, room, out);
	/* written by first_defs_run(), beside the compiler: slots [0, room)
	 * take the set's rules over whatever a killed apply left there */
	*out = st->defs;
	return 0;
}

/* A first set's definitions (no slot handed out yet: rule I takes slot I),
 * written into the map itself, as a job (bgjob.h) beside the compiler,
 * which reads the rules, not these. */
struct first_defs {
	struct xdpfw_rule_def *defs;
	const struct xdpfw_ruleset *rs;
	int g;
};

static void first_defs_run(void *arg)
{
	const struct first_defs *f = arg;

	/* every slot of the room (the set's size) is written: no zeroing */
	for (size_t i = 0; i < f->rs->n; i++) {
		struct xdpfw_rule_def *d = &f->defs[i];

		*d = f->rs->r[i].d;
		d->gens = 1u << f->g;
		d->order[0] = d->order[1] = 0;
		d->order[f->g] = (uint32_t)i;
	}
}

static void free_defs(struct xdpfw_state *st, struct xdpfw_rule_def *defs)
{
	if (defs != st->defs)
		xdpfw_big_free(defs);
}

/* Stores DEFS[k] for the N slots k in KEYS (DEFS: apply_defs()' copy of
 * the whole map; nothing to do where it gave the map itself). */
static int write_defs(struct xdpfw_state *st, const uint32_t *keys, const struct xdpfw_rule_def *defs,
		      uint32_t n)
{
	struct xdpfw_rule_def *vals;
	__u32 count = n;
	int rc = 0;

	if (!n)
		return 0;
	if (defs == st->defs)
		return 0;	/* apply_defs() gave the map itself */
	if (st->defs) {
		for (uint32_t i = 0; i < n; i++)
			st->defs[keys[i]] = defs[keys[i]];	/* keys < max_slots: our slots */
		return 0;
	}
	vals = xdpfw_big_alloc(n * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		vals[i] = defs[keys[i]];
	if (bpf_map_update_batch(st->fd[XM_RULES], keys, vals, &count, NULL))
		for (uint32_t i = 0; i < n && !rc; i++)
			if (bpf_map_update_elem(st->fd[XM_RULES], &keys[i], &vals[i], BPF_ANY))
				rc = -errno;
	xdpfw_big_free(vals);
	return rc;
}

/* The counters of slots KEYS on every CPU: no generation uses these slots
 * (they are fresh), so no packet counts into them meanwhile. */
static int zero_counters(struct xdpfw_state *st, const uint32_t *keys, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (keys[i] >= st->cnt_slots)
			return -EINVAL;
		for (uint32_t c = 0; c < st->cnt_cpus; c++)
			memset(&st->cnt[(size_t)c * st->cnt_slots + keys[i]], 0, sizeof(*st->cnt));
	}
	return 0;
}

/* ---- writing and removing a generation --------------------------------- */

/* Prefix-table and port-table entries are collected (ectx.tv, ectx.pt) and
 * then written through mmap (table.c): no syscall per entry. */
struct ectx {
	struct xdpfw_state *st;
	uint64_t n;
	struct xdpfw_tabvec tv[3];		/* prefix entries: IPv4, IPv6 (hash
						 * table), IPv6 sources of /32 and
						 * shorter (trie; write_tables) */
	uint32_t tbase6, cbase6;		/* where the IPv6 trie and classes
						 * start in the generation's halves */
	struct xdpfw_pent *pt;			/* port tables, back to back */
	size_t npt, cappt;
	bool reported;				/* an error was already printed */
	size_t nent;				/* prefix entries of both threads
						 * (atomic: they compile at once) */
	bool stop;				/* one thread's emit failed: the
						 * other's fail too (atomic) */
	bool two;				/* big enough for two threads
						 * (xdpfw_bgjob_worth) */
	pthread_mutex_t lock;			/* two threads may compile at once:
						 * the error report is shared (port
						 * tables are under the compiler's
						 * lock; the rest is per thread,
						 * struct elane, or per family) */
	uint8_t used[4][XDPFW_PLENS_MAX];	/* prefix lengths seen, per plens index */
	struct xdpfw_cls root6;			/* the IPv6 source /0 entry, for plens
						 * (IPv4's is a trie prefix) */
	bool has_root6;
	struct xdpfw_tabvec side_tv;		/* the IPv4 entries the compiler's
						 * second thread made (merged after) */
	uint8_t side_used[2][XDPFW_PLENS_MAX];	/* and their lengths */
};

/* An emit callback's context, one per compiler thread: E, where the
 * thread's IPv4 entries go (E's own, or for the second thread's share of
 * the IPv4 walk, E's side vector; IPv6 entries come from one thread), and
 * its entries not yet counted in E (entry_room). */
struct elane {
	struct ectx *e;
	struct xdpfw_tabvec *tv4;
	uint8_t (*used4)[XDPFW_PLENS_MAX];	/* source, destination lengths */
	size_t nent;
};

static void ectx_free(struct ectx *e)
{
	xdpfw_tabvec_free(&e->side_tv);
	for (int i = 0; i < 3; i++)
		xdpfw_tabvec_free(&e->tv[i]);
	xdpfw_big_free(e->pt);
	e->pt = NULL;
	e->cappt = 0;
}

/* The one-line refusal of a set that does not fit a table: "xdpfw: WHAT;
 * nothing applied (what to do)"; E records that it was said. */
__attribute__((format(printf, 2, 3))) static void table_full(struct ectx *e, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&e->lock);
	if (e->reported) {	/* the other thread's refusal said it */
		pthread_mutex_unlock(&e->lock);
		return;
	}
	fputs("xdpfw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* a scratch firewall's caller (xdpfw check) says what it means */
	fputs(e->st->scratch ? "\n" :
			       "; nothing applied (xdpfw unload --all --purge, then load with a larger --max-rules)\n",
	      stderr);
	e->reported = true;
	pthread_mutex_unlock(&e->lock);
}

/* An emit's result RC: an error stops the other thread's compile too (its
 * next emit fails with -ECANCELED), so a refused set is not compiled on. */
static int emit_done(struct ectx *e, int rc)
{
	if (rc)
		__atomic_store_n(&e->stop, true, __ATOMIC_RELAXED);
	return rc;
}

static bool stopped(struct ectx *e)
{
	return __atomic_load_n(&e->stop, __ATOMIC_RELAXED);
}

/* Called with the compiler's port-table lock held (rules.h:
 * xdpfw_compile_two), so E's port tables have one writer at a time. */
static int emit_ptable(void *ctx, const uint32_t *starts, const uint32_t *vs, size_t n, uint32_t *id)
{
	struct ectx *e = ((struct elane *)ctx)->e;

	if (stopped(e))
		return -ECANCELED;
	if (e->npt + n + 1 > e->st->ptab_cap) {
		/* refused now, not after compiling the rest: the tables only grow */
		table_full(e, "the port tables are full: %zu entries so far, more than the %u a generation holds",
			   e->npt + n + 1, e->st->ptab_cap);
		return emit_done(e, -E2BIG);
	}
	if (e->npt + n + 1 > e->cappt) {
		size_t cap = e->cappt ? e->cappt : 4096;
		struct xdpfw_pent *np;

		while (cap < e->npt + n + 1)
			cap *= 2;
		np = xdpfw_big_realloc(e->pt, cap * sizeof(*np));
		if (!np)
			return emit_done(e, -ENOMEM);
		e->pt = np;
		e->cappt = cap;
	}
	if (e->npt > XDPFW_V_SLOT_MASK)
		return emit_done(e, -E2BIG);
	*id = e->npt;
	e->pt[e->npt++] = (struct xdpfw_pent){ .start = n };
	for (size_t k = 0; k < n; k++)
		e->pt[e->npt++] = (struct xdpfw_pent){ .start = starts[k], .v = vs[k] };
	return 0;
}

/* Whether the entries L has made fit: a bound on the entries in memory,
 * so a set whose destination rules (copied below every source prefix with
 * destination rules) would make millions of entries is refused as it is
 * compiled. The bound is the class pool's size: most entries take a class
 * there. Not all: an IPv4 leaf that is its verdict takes none
 * (xdpfw_trie4_compact), so a set of many such entries beside others can
 * be refused here though its tables would fit (--max-rules gives room).
 * Counted in E by batches (ENTRY_BATCH, and the rest once the compile is
 * done): the threads would otherwise pass E's count to and fro at every
 * entry. */
#define ENTRY_BATCH 256

static int entries_fit(struct elane *l)
{
	struct ectx *e = l->e;
	size_t n = l->nent;

	l->nent = 0;
	if (__atomic_add_fetch(&e->nent, n, __ATOMIC_RELAXED) <= e->st->tab_cap[0])
		return 0;
	table_full(e, "the class pool is full: the set compiles to more than the %u prefix entries a generation "
		   "holds (each source prefix with destination rules gets its own copy of those)", e->st->tab_cap[0]);
	return -E2BIG;
}

static int entry_room(struct elane *l)
{
	return ++l->nent < ENTRY_BATCH ? 0 : entries_fit(l);
}

static int emit_src(void *ctx, int family, unsigned gen, int plen, const uint8_t *addr,
		    const struct xdpfw_cls *v)
{
	static const struct xdpfw_cls none;
	struct elane *l = ctx;
	struct ectx *e = l->e;

	(void)gen;
	if (stopped(e))
		return -ECANCELED;
	if (plen == 0 && family == 4 && !memcmp(v, &none, sizeof(none)))
		return 0;	/* the forest's root without rules: a miss says as much */
	if (plen == 0 && family == 6) {
		/* every packet reaches the root: it lives in the plens value
		 * (IPv4's is painted over the whole trie like any prefix, so a
		 * miss there needs no plens read) */
		e->root6 = *v;
		e->has_root6 = true;
		return 0;
	}
	(family == 6 ? e->used[2] : l->used4[0])[plen] = 1;
	return emit_done(e, entry_room(l) ?: xdpfw_tabvec_push(family == 6 ? &e->tv[1] : l->tv4, plen + 1, addr, v));
}

static int emit_dst(void *ctx, int family, uint32_t class, int plen, const uint8_t *addr,
		    const struct xdpfw_cls *v)
{
	struct elane *l = ctx;
	struct ectx *e = l->e;

	if (stopped(e))
		return -ECANCELED;
	(family == 6 ? e->used[3] : l->used4[1])[plen] = 1;
	return emit_done(e, entry_room(l) ?:
			 xdpfw_tabvec_push(family == 6 ? &e->tv[1] : l->tv4, class << 8 | (plen + 1), addr, v));
}

/* A set whose IPv4 source prefixes alone need more trie entries than a
 * generation's half holds beside the IPv6 root is refused before it is
 * compiled (the tables' plan would refuse it after). */
static int emit_src4(void *ctx, const uint32_t *addr, const uint8_t *plen, size_t n)
{
	struct ectx *e = ((struct elane *)ctx)->e;
	uint64_t need = xdpfw_trie4_src_entries(addr, plen, n, e->st->root_bits);
	/* the half also holds the root of the IPv6 sources' trie, always */
	uint32_t room = e->st->trie4_cap - (1u << e->st->root_bits);
	size_t nreal = 0;

	if (!need)
		return emit_done(e, -ENOMEM);
	if (need <= room)
		return 0;
	for (size_t k = 0; k < n; k++)
		nreal += plen[k] > 0;	/* counted as source prefixes: the /0 needs no chunk */
	n = nreal;
	table_full(e, "the IPv4 prefix trie is full: %zu source prefixes need %llu trie entries, more than the "
		   "%u there are", n, (unsigned long long)need, room);
	return emit_done(e, -E2BIG);
}

/* Once the compile is done: the entries of both threads (LANE, SIDE) all
 * counted, and the IPv4 entries the second thread made in E's own. */
static int merge_side(struct ectx *e, struct elane *lane, struct elane *side)
{
	int rc = entries_fit(lane) ?: entries_fit(side) ?: xdpfw_tabvec_append(&e->tv[0], &e->side_tv);

	for (int j = 0; j < 2; j++)
		for (int k = 0; k < XDPFW_PLENS_MAX; k++)
			e->used[j][k] |= e->side_used[j][k];
	xdpfw_tabvec_free(&e->side_tv);
	return rc;
}

/* The prefix lengths generation G uses (IPv4 longest first, for status;
 * IPv6 ascending, for the datapath's binary search), with their masks,
 * the IPv6 hash table's size (SIZE slots per family) and where each
 * family's regions start in G's trie and class halves. */
static int write_plens(struct xdpfw_state *st, const struct ectx *e, unsigned g,
		       const uint32_t size[2])
{
	for (__u32 j = 0; j < 4; j++) {
		struct xdpfw_plens pl = { 0 };
		__u32 idx = g * 4 + j, f = j / 2;

		pl.cbase = f ? e->cbase6 : 0;	/* in the generation's half */
		pl.tbase = f ? e->tbase6 : 0;	/* in the generation's half */
		pl.shift = 64 - __builtin_ctz(size[f]);
		pl.mask = size[f] - 1;

		if (j == 2 && e->has_root6) {	/* the IPv6 source stage */
			pl.has_root = 1;
			pl.root = e->root6;
		}
		/* IPv6: ascending, for the binary search on lengths */
		for (int k = 0; k < XDPFW_PLENS_MAX; k++) {
			int l = f ? k : XDPFW_PLENS_MAX - 1 - k;
			struct xdpfw_plen *en;

			if (!e->used[j][l])
				continue;
			en = &pl.e[pl.n++];
			en->plen = l;
			for (int w = 0; w < 4; w++) {
				int bits = l - 32 * w;

				en->mask[w] = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 :
					      htonl(0xffffffffu << (32 - bits));
			}
		}
		st->plens[idx] = pl;	/* the inactive generation's: no packet reads it */
	}
	return 0;
}

/* Stores CFG as the state's cfg: 0 or -errno. */
static int put_cfg(struct xdpfw_state *st, const struct xdpfw_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(st->fd[XM_CFG], &zero, cfg, BPF_ANY) ? -errno : 0;
}

/* Zeroes BYTES at P where they are not zero already, a page at a time: a
 * trie half is mostly its roots (2 x 4 MiB in big tables), mostly zero for
 * small sets, and on this VM a process's first write to a page of a map
 * costs ~14 us where a read costs ~1.6 (docs/xdpfw.md, "Limits"). */
static void zero_nonzero(void *p, size_t bytes)
{
	static const uint8_t zero[4096];
	uint8_t *b = p, *end = b + bytes;

	while (b < end) {
		/* to the next page boundary */
		size_t n = sizeof(zero) - ((uintptr_t)b & (sizeof(zero) - 1));

		n = n < (size_t)(end - b) ? n : (size_t)(end - b);
		if (memcmp(b, zero, n))
			memset(b, 0, n);
		b += n;
	}
}

/* Zeroes what generation G may have written in the prefix tables (after an
 * RCU grace period: a packet that read the old generation number just
 * before a switch may still be probing G's half) and records that in cfg. */
static int clear_tables(struct xdpfw_state *st, int g)
{
	struct xdpfw_cfg cfg;
	int rc = xdpfw_state_cfg(st, &cfg);

	if (rc || (!cfg.tab_dirty[g][0] && !cfg.tab_dirty[g][1] && !cfg.trie_dirty[g] && !cfg.port_dirty[g]))
		return rc;
	xdpfw_grace_period();
	for (int f = 0; f < 2; f++) {
		uint32_t n = cfg.tab_dirty[g][f] < st->tab_cap[f] ? cfg.tab_dirty[g][f] : st->tab_cap[f];

		zero_nonzero(xdpfw_table_half(st, g, f), (size_t)n * xdpfw_table_elem(f ? XM_TAB6 : XM_CLASS));
		cfg.tab_dirty[g][f] = 0;
	}
	/* what write_tables() writes next must be zero (xdpfw_trie4_write) */
	zero_nonzero(st->trie4 + (size_t)g * st->trie4_cap,
		     (size_t)(cfg.trie_dirty[g] < st->trie4_cap ? cfg.trie_dirty[g] : st->trie4_cap) * 4);
	cfg.trie_dirty[g] = 0;
	zero_nonzero(st->ptab + (size_t)g * st->ptab_cap,
		     (size_t)(cfg.port_dirty[g] < st->ptab_cap ? cfg.port_dirty[g] : st->ptab_cap) * sizeof(*st->ptab));
	cfg.port_dirty[g] = 0;
	return put_cfg(st, &cfg);
}

/* IPv6 sources of /32 and shorter go to a trie over their first 32 bits,
 * so the length search covers only the longer ones and runs only under a
 * /32 that holds some. A /32 with longer prefixes costs a leaf there (64
 * entries when alone in its /16): where that does not fit in CAP trie
 * entries (hundreds of thousands of scattered long IPv6 prefixes), the cut
 * moves up to /24, /20 (one 16-entry chunk per /16; with the big root, a
 * root entry) or /16 (a root entry each, no chunk), the longest that fits. Plans the trie (TP6) and leaves
 * E's used lengths for the search. */
static int plan_v6top(struct xdpfw_state *st, struct ectx *e, uint32_t cap, struct xdpfw_trie4_plan *tp6)
{
#ifndef XDPFW_V6_CUTS
#define XDPFW_V6_CUTS 32, 24, 20, 16	/* longest first; -D to measure others */
#endif
	static const int cuts[] = { XDPFW_V6_CUTS };
	int rc = 0;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && !rc; i++) {
		rc = xdpfw_v6top_split(&e->tv[1], &e->tv[2], cuts[i]);
		if (!rc)
			rc = xdpfw_trie4_plan(&e->tv[2], st->root_bits, cap, st->tab_cap[0], tp6);
		if (rc != -E2BIG || i + 1 == sizeof(cuts) / sizeof(cuts[0]))
			break;
		rc = xdpfw_v6top_join(&e->tv[1], &e->tv[2]);
	}
	/* the search covers the lengths above the cut */
	memset(e->used[2], 0, sizeof(e->used[2]));
	for (size_t k = 0; k < e->tv[1].n; k++)
		if (!(e->tv[1].e[k].tag >> 8))
			e->used[2][(e->tv[1].e[k].tag & 0xff) - 1] = 1;
	xdpfw_v6top_hints(&e->tv[2], e->used[2]);
	return rc;
}

/* xdpfw_trie4_write() as a job (bgjob.h). */
struct trie_job {
	const struct xdpfw_tabvec *v;
	const struct xdpfw_trie4_plan *plan;
	uint32_t *trie;
	struct xdpfw_cls *leaves;
	bool ok;
};

static void trie_job_run(void *arg)
{
	struct trie_job *j = arg;

	j->ok = xdpfw_trie4_write(j->v, j->plan, j->trie, j->leaves);
}

/* Where E's prefix entries go in a generation's halves: the plans of the
 * IPv4 trie, of the IPv6 sources' trie and of the IPv6 hash table, and the
 * classes they need in the pool. */
struct table_plans {
	struct xdpfw_trie4_plan tp, tp6;
	struct xdpfw_table_plan plan;
	size_t nclass;
};

static void table_plans_free(struct table_plans *p)
{
	xdpfw_trie4_plan_free(&p->tp);
	xdpfw_trie4_plan_free(&p->tp6);
	xdpfw_table_plan_free(&p->plan);
}

/* plan_v6top() as a job (bgjob.h), with the trie entries IPv4's root
 * leaves at least: IPv4's own plan runs beside it. */
struct v6top_job {
	struct xdpfw_state *st;
	struct ectx *e;
	struct xdpfw_trie4_plan *tp6;
	int rc;
};

static void v6top_job_run(void *arg)
{
	struct v6top_job *j = arg;

	j->rc = plan_v6top(j->st, j->e, j->st->trie4_cap - (1u << j->st->root_bits), j->tp6);
}

/* Plans E's entries into P (table_plans_free() after, whatever it
 * returns): a set that does not fit a table is refused here (-E2BIG, the
 * table named on stderr), before anything of it is written, definitions
 * and slot marks included. The IPv4 trie and the IPv6 sources' trie are
 * planned at once; the second takes what the first leaves of the trie
 * half, so where it took more than that it is planned again. */
static int plan_tables(struct xdpfw_state *st, struct ectx *e, struct table_plans *p)
{
	struct xdpfw_tabvec *v4 = &e->tv[0], *v6 = &e->tv[1], *top = &e->tv[2];
	struct v6top_job j = { st, e, &p->tp6, 0 };
	struct xdpfw_bgjob job;
	size_t nreal6;
	int rc;

	memset(p, 0, sizeof(*p));
	xdpfw_bgjob_start(&job, v6top_job_run, &j, e->two);
	rc = xdpfw_trie4_plan(v4, st->root_bits, st->trie4_cap, st->tab_cap[0], &p->tp);
	if (!rc)
		rc = xdpfw_trie4_compact(v4, &p->tp);
	xdpfw_bgjob_wait(&job);
	if (!rc && !j.rc && p->tp.entries + p->tp6.entries > st->trie4_cap) {
		/* as if planned after IPv4: from the split before */
		xdpfw_trie4_plan_free(&p->tp6);
		j.rc = xdpfw_v6top_join(v6, top) ?: plan_v6top(st, e, st->trie4_cap - p->tp.entries, &p->tp6);
	}
	rc = rc ?: j.rc;
	nreal6 = v6->n;
	p->nclass = p->tp.npool + top->n + nreal6;
	/* the search leaves' records (XDPFW_TRIE_ONE) after the classes */
	if (!rc && p->nclass < st->tab_cap[0])
		p->nclass += xdpfw_v6top_ones(top, (uint32_t)(top->n + nreal6), st->tab_cap[0] - (uint32_t)p->nclass);
	if (!rc && p->nclass > st->tab_cap[0]) {
		rc = -E2BIG;
		table_full(e, "the class pool is full: %zu prefixes do not fit in %u classes", p->nclass,
			   st->tab_cap[0]);
	}
	if (!rc)
		rc = xdpfw_bspl_markers(v6, (const uint8_t (*)[XDPFW_PLENS_MAX])(e->used + 2));
	if (rc == -E2BIG && !e->reported)
		table_full(e, "the prefix trie is full: %zu IPv4 and %zu IPv6 prefixes do not fit in %u trie entries",
			   v4->n, top->n, st->trie4_cap);
	if (!rc) {
		rc = xdpfw_table_plan(6, v6, st->tab_cap[1], &p->plan);
		if (rc == -E2BIG)
			table_full(e, "the IPv6 prefix table is full: %zu entries do not fit in %u slots", v6->n,
				   st->tab_cap[1]);
	}
	return rc;
}

/* Writes E's prefix entries as P planned them into generation G's half of
 * the tables: the class pool (IPv4 prefixes' classes, then the IPv6 trie's,
 * then the IPv6 hash table's), the trie half (the IPv4 trie, then the trie
 * of IPv6 sources' first 32 bits) and the IPv6 hash table (its slots refer
 * into the pool). First cfg records how far G's halves will be dirty, then
 * the entries. SIZE gets the table sizes. */
static int write_tables(struct xdpfw_state *st, struct ectx *e, int g, struct table_plans *p, uint32_t size[2])
{
	struct xdpfw_tabvec *v4 = &e->tv[0], *v6 = &e->tv[1], *top = &e->tv[2];
	struct xdpfw_trie4_plan *tp = &p->tp, *tp6 = &p->tp6;
	struct xdpfw_cfg cfg;
	size_t nclass = p->nclass;
	int rc = 0;

	rc = xdpfw_state_cfg(st, &cfg);
	if (!rc) {
		if (cfg.port_dirty[g] < e->npt)
			cfg.port_dirty[g] = e->npt;
		if (cfg.tab_dirty[g][0] < nclass)
			cfg.tab_dirty[g][0] = nclass;
		if (cfg.trie_dirty[g] < tp->entries + tp6->entries)
			cfg.trie_dirty[g] = tp->entries + tp6->entries;
		if (cfg.tab_dirty[g][1] < p->plan.size)
			cfg.tab_dirty[g][1] = p->plan.size;
		cfg.root_bits = st->root_bits;
		rc = put_cfg(st, &cfg);
	}
	if (!rc) {
		struct xdpfw_cls *pool = (struct xdpfw_cls *)xdpfw_table_half(st, g, 0);
		uint32_t *trie = st->trie4 + (size_t)g * st->trie4_cap;
		struct trie_job tj = { v4, tp, trie, pool, false };
		struct xdpfw_bgjob job;

		/* the IPv4 trie and its classes beside the IPv6 tables: the
		 * plans put them in different places */
		xdpfw_bgjob_start(&job, trie_job_run, &tj, e->two);
		e->tbase6 = tp->entries;
		e->cbase6 = tp->npool;
		if (!xdpfw_trie4_write(top, tp6, trie + tp->entries, pool + tp->npool))
			rc = -EIO;
		xdpfw_class_write(v6, pool + tp->npool + top->n);
		xdpfw_v6top_write_ones(top, v6, (uint32_t)top->n, pool + tp->npool);
		xdpfw_table_write(6, v6, &p->plan, (uint32_t)top->n, xdpfw_table_half(st, g, 1));
		size[0] = st->tab_cap[0];
		size[1] = p->plan.size;
		if (e->npt)
			memcpy(st->ptab + (size_t)g * st->ptab_cap, e->pt, e->npt * sizeof(*e->pt));
		xdpfw_bgjob_wait(&job);
		/* false only from a bug in the planner; the apply is undone */
		if (!tj.ok)
			rc = -EIO;
		/* what the set fills: classes, the trie past its two roots (a
		 * blocklist's leaves are mostly verdicts, no class), IPv6
		 * slots, port-table entries */
		e->n += nclass + (tp->entries + tp6->entries - xdpfw_state_root_entries(st)) + v6->n + e->npt;
	}
	return rc;
}

/* Whether fragment verdict V (xdpfw_frags: a first fragment's, which its
 * later fragments follow) names a rule generation ACTIVE lacks (DEFS below
 * HW). One without a rule is never stale: the datapath applies the
 * policy of the moment to it, and a denied first fragment's datagram is
 * lost anyway. */
static bool frag_stale(uint32_t v, const struct xdpfw_rule_def *defs, uint32_t hw, int active)
{
	uint32_t slot = v & XDPFW_V_SLOT_MASK;

	return slot && (slot > hw || !(defs[slot - 1].gens & (1u << active)));
}

/* Appends K to the N keys at *V (capacity *CAP); -ENOMEM. */
static int push_key(struct xdpfw_frag_key **v, size_t *n, size_t *cap, const struct xdpfw_frag_key *k)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct xdpfw_frag_key *m = realloc(*v, c * sizeof(**v));

		if (!m)
			return -ENOMEM;
		*v = m;
		*cap = c;
	}
	(*v)[(*n)++] = *k;
	return 0;
}

/* Deletes the stale fragment verdicts (frag_stale()): their later fragments
 * are then dropped as if their first fragment had not been seen, instead of
 * passing by a rule the set no longer has, or counting into its slot once
 * a new rule holds it. Called after a grace period, so no packet still
 * classifying by the old generation adds one. The map is read in batches
 * (a full one, 16384 entries, key by key took ~80 ms, batched ~4 ms:
 * fragments anyone can send must not slow every apply); key by key where
 * the kernel has no batch calls. Stale keys are gathered first: a hash
 * map's walk restarts when its current key goes. */
static int drop_stale_frags(struct xdpfw_state *st, const struct xdpfw_rule_def *defs, uint32_t hw, int active)
{
	enum { BATCH = 1024 };
	struct xdpfw_frag_key *keys = malloc(BATCH * sizeof(*keys)), *stale = NULL, k;
	__u32 *vals = malloc(BATCH * sizeof(*vals)), v, count;
	__u64 in = 0, out = 0;
	size_t n = 0, cap = 0;
	int rc = keys && vals ? 0 : -ENOMEM, fd = st->fd[XM_FRAGS];
	bool batched = true, first = true;

	while (!rc && batched) {
		int r;

		count = BATCH;
		r = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL) ? -errno : 0;
		if (r && r != -ENOENT) {
			/* no batch calls, or a walk that failed part-way: key by
			 * key below (a key gathered twice is deleted once, the
			 * one-by-one fallback below takes the rest) */
			batched = false;
			break;
		}
		for (__u32 i = 0; !rc && i < count; i++)
			if (frag_stale(vals[i], defs, hw, active))
				rc = push_key(&stale, &n, &cap, &keys[i]);
		if (r)
			break;	/* -ENOENT: the end */
		in = out;
		first = false;
	}
	for (void *prev = NULL; !rc && !batched && !bpf_map_get_next_key(fd, prev, &k); prev = &k)
		if (!bpf_map_lookup_elem(fd, &k, &v) && frag_stale(v, defs, hw, active))
			rc = push_key(&stale, &n, &cap, &k);
	/* one call; if it fails (a key the LRU evicted meanwhile stops it, or
	 * the kernel has no batch calls and says nothing of how far it got)
	 * one by one, those already gone included */
	count = (__u32)n;
	if (!rc && n && bpf_map_delete_batch(fd, stale, &count, NULL))
		for (size_t i = 0; i < n; i++)
			bpf_map_delete_elem(fd, &stale[i]);	/* gone already: fine */
	free(stale);
	free(keys);
	free(vals);
	return rc;
}

/* Removes generation G's map entries (every table half cleared after a grace
 * period), G's membership from every definition in DEFS, and the fragment
 * verdicts the other generation does not have. */
static int clean_gen(struct xdpfw_state *st, struct xdpfw_rule_def *defs, uint32_t hw, int g)
{
	uint32_t *slots, n = 0;
	int rc = clear_tables(st, g);

	if (rc)
		return rc;
	for (uint32_t s = 0; s < hw; s++)
		n += (defs[s].gens >> g) & 1;
	if (!n)
		return drop_stale_frags(st, defs, hw, !g);
	slots = xdpfw_big_alloc(n * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	n = 0;
	for (uint32_t s = 0; s < hw; s++)
		if (defs[s].gens & (1u << g)) {
			defs[s].gens &= ~(1u << g);
			slots[n++] = s;
		}
	rc = write_defs(st, slots, defs, n);
	xdpfw_big_free(slots);
	return rc ?: drop_stale_frags(st, defs, hw, !g);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The active generation's rules by match (open addressing over their
 * slots), so a rule the new set keeps finds its slot in one probe or a few:
 * what keeps its counters across an apply. */
struct slotmap {
	const struct xdpfw_rule_def *defs;
	uint64_t *at;			/* hash's top 32 bits << 32 | slot + 1; 0 = empty */
	uint32_t mask;
};

static uint64_t (*slotmap_hash)(const struct xdpfw_rule_def *) = xdpfw_rule_match_hash;	/* tests */

/* SLOTS[0..n) index DEFS; a second slot of the same match (not in a valid
 * state) is left out, as the sorted search it replaces found only one. */
static int slotmap_build(struct slotmap *m, const struct xdpfw_rule_def *defs, const uint32_t *slots,
			 uint32_t n)
{
	uint64_t size = 16, *hs = xdpfw_big_alloc(((size_t)n + 1) * sizeof(*hs));

	while (size < 2 * (uint64_t)n)
		size *= 2;
	m->defs = defs;
	m->mask = size - 1;
	m->at = xdpfw_big_calloc(size, sizeof(*m->at));
	if (!m->at || !hs) {
		xdpfw_big_free(hs);
		return -ENOMEM;
	}
	/* hashes first (definitions in order), then the scattered inserts,
	 * each entry asked for ahead of time */
	for (uint32_t k = 0; k < n; k++)
		hs[k] = slotmap_hash(&defs[slots[k]]);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t h = hs[k], tag = h >> 32 << 32;
		uint32_t i = h & m->mask;

		if (k + 16 < n)
			__builtin_prefetch(&m->at[hs[k + 16] & m->mask], 1);

		for (; m->at[i]; i = (i + 1) & m->mask)
			if ((m->at[i] & ~0xffffffffull) == tag &&
			    !xdpfw_rule_match_cmp(&defs[(uint32_t)m->at[i] - 1], &defs[slots[k]]))
				break;
		if (!m->at[i])
			m->at[i] = tag | (slots[k] + 1);
	}
	xdpfw_big_free(hs);
	return 0;
}

/* The slot of the rule matching as D does (H: its slotmap_hash()), -1 if none (the table is at most
 * half full: a probe sequence always ends at an empty entry). */
static long slotmap_find(const struct slotmap *m, const struct xdpfw_rule_def *d, uint64_t h)
{
	uint64_t tag = h >> 32 << 32;

	/* the hash's top half is kept beside the slot: a rule of another
	 * match is passed over without reading its definition */
	for (uint32_t i = h & m->mask; m->at[i]; i = (i + 1) & m->mask)
		if ((m->at[i] & ~0xffffffffull) == tag && !xdpfw_rule_match_cmp(&m->defs[(uint32_t)m->at[i] - 1], d))
			return (uint32_t)m->at[i] - 1;
	return -1;
}

/* Slots for RS's rules when a set is in force (generation G; slots below
 * HW handed out, LIMIT the most there is room for): a rule already active
 * keeps its slot (and counters), found by its match; the others take free
 * slots, whose definitions go into DEFS for the new generation. FRESH gets
 * the free slots below HW (their counters are an old rule's: zeroed
 * later), *NEW_HW the new high-water mark. -ENOMEM, -ENOSPC. */
static int assign_slots(struct xdpfw_state *st, struct xdpfw_rule_def *defs, const struct xdpfw_ruleset *rs,
			int g, uint32_t hw, uint32_t limit, uint32_t *slots, uint32_t *fresh, uint32_t *nfresh,
			uint32_t *new_hw)
{
	uint32_t *active = xdpfw_big_alloc((hw + 1) * sizeof(*active));
	uint64_t *hs = xdpfw_big_alloc((rs->n + 1) * sizeof(*hs));
	uint32_t nact = 0, next_free = 0;
	struct slotmap sm = { 0 };
	int ng = g ^ 1, rc = 0;

	if (!active || !hs) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t s = 0; s < hw; s++)
		if (defs[s].gens & (1u << g))
			active[nact++] = s;
	rc = slotmap_build(&sm, defs, active, nact);
	if (rc)
		goto out;
	for (size_t i = 0; i < rs->n; i++)
		hs[i] = slotmap_hash(&rs->r[i].d);
	for (size_t i = 0; i < rs->n; i++) {
		const struct xdpfw_rule_def *d = &rs->r[i].d;
		long found;

		if (i + 16 < rs->n)
			__builtin_prefetch(&sm.at[hs[i + 16] & sm.mask]);
		found = slotmap_find(&sm, d, hs[i]);

		if (found >= 0 && defs[found].action == d->action && defs[found].flags == d->flags &&
		    !(defs[found].gens & (1u << ng))) {
			slots[i] = found;
			defs[found].gens |= 1u << ng;
		} else {
			struct xdpfw_rule_def nd = *d;

			/* free: in no generation (slots past hw are zero) */
			while (next_free < limit && defs[next_free].gens)
				next_free++;
			if (next_free >= limit) {
				/* cannot happen while a set is at most max_slots / 2 */
				fprintf(stderr, "xdpfw: rule map full (%u slots for old and new set); nothing "
					"applied\n", st->max_slots);
				rc = -ENOSPC;
				goto out;
			}
			slots[i] = next_free++;
			/* a slot at or past the high-water mark was never handed
			 * out (slots_hw only grows, and is recorded before any
			 * table names a slot): its counters are still zero */
			if (slots[i] < hw)
				fresh[(*nfresh)++] = slots[i];
			nd.gens = 1u << ng;
			nd.order[0] = nd.order[1] = 0;
			defs[slots[i]] = nd;
		}
		defs[slots[i]].order[ng] = i;
		if (slots[i] + 1 > *new_hw)
			*new_hw = slots[i] + 1;
	}
out:
	xdpfw_big_free(sm.at);
	xdpfw_big_free(active);
	xdpfw_big_free(hs);
	return rc;
}

static int state_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
		       struct xdpfw_apply_stats *stats)
{
	struct xdpfw_apply_stats dummy;
	struct xdpfw_rule_def *defs = NULL;
	uint32_t *slots = NULL, *fresh = NULL;
	uint32_t hw, limit, nfresh = 0, new_hw;
	struct ectx e = { .st = st, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct elane lane = { &e, &e.tv[0], &e.used[0] }, side_lane = { &e, &e.side_tv, e.side_used };
	struct xdpfw_emit em_side = { emit_src, emit_dst, emit_ptable, &side_lane, NULL, NULL };
	struct xdpfw_emit em = { emit_src, emit_dst, emit_ptable, &lane, emit_src4, &em_side };
	struct first_defs fd;
	struct table_plans plans = { 0 };
	bool first = false;
	struct timespec t0;
	struct xdpfw_cfg cfg;
	uint32_t size[2];
	bool written = false;
	int rc, g, ng;

	stats = stats ? stats : &dummy;
	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rs->n > xdpfw_state_max_rules(st)) {
		fprintf(stderr, "xdpfw: %zu rules do not fit: this firewall holds %u rules per set (its "
			"--max-rules); nothing applied (xdpfw unload --all --purge, then load with a larger "
			"--max-rules)\n", rs->n, xdpfw_state_max_rules(st));
		return -ENOSPC;
	}
	rc = xdpfw_state_lock(st);
	if (rc)
		return rc;
	rc = xdpfw_state_cfg(st, &cfg);
	if (rc)
		return rc;
	g = cfg.gen & 1;
	ng = g ^ 1;
	hw = cfg.slots_hw > st->max_slots ? st->max_slots : cfg.slots_hw;
	/* room for every slot we may hand out */
	new_hw = hw;
	limit = st->max_slots < hw + rs->n ? st->max_slots : hw + (uint32_t)rs->n;
	rc = apply_defs(st, hw, limit, &defs);
	if (rc)
		return rc;

	/* 1. whatever a killed apply left in the inactive generation goes */
	rc = clean_gen(st, defs, hw, ng);
	if (rc)
		goto out;

	/* 2. slots (in memory): a rule already active keeps its slot (and
	 * counters), found by its match */
	slots = xdpfw_big_alloc((rs->n + 1) * sizeof(*slots));
	fresh = xdpfw_big_alloc((rs->n + 1) * sizeof(*fresh));
	if (!slots || !fresh) {
		rc = -ENOMEM;
		goto out;
	}
	if (defs == st->defs) {
		/* the first set: rule i takes slot i, its definition is
		 * written beside the compiler */
		fd = (struct first_defs){ defs, rs, ng };
		for (size_t i = 0; i < rs->n; i++)
			slots[i] = (uint32_t)i;
		new_hw = (uint32_t)rs->n;
		first = true;
	} else {
		rc = assign_slots(st, defs, rs, g, hw, limit, slots, fresh, &nfresh, &new_hw);
		if (rc)
			goto out;
	}

	/* 3. the new generation's entries, in memory, and where they go in
	 * the tables: a set refused here (a table it does not fit, no memory)
	 * has cost no write (but a first set's definitions: they go into the
	 * map beside the compiler, past the high-water mark, where nothing
	 * reads them) */
	/* IPv6 (after a first set's definitions) on a second thread, IPv4
	 * here: their entries go to different vectors (emit_src, emit_dst) */
	e.two = xdpfw_bgjob_worth(rs->n);
	if (e.two) {
		rc = xdpfw_compile_two(rs, slots, ng, &em, &stats->c, first ? first_defs_run : NULL, &fd);
	} else {
		if (first)
			first_defs_run(&fd);
		rc = xdpfw_compile(rs, slots, ng, &em, &stats->c);
	}
	if (!rc)
		rc = merge_side(&e, &lane, &side_lane);
	if (!rc)
		rc = plan_tables(st, &e, &plans);
	if (rc)
		goto failed;

	/* 4. the generation is recorded (defs) before any of its entries exist,
	 * so a killed apply can always be cleaned up by recomputing them; the
	 * definitions are written before the high-water mark rises over them,
	 * so a reader never takes what a refused or killed apply left past the
	 * mark for a rule */
	written = true;
	rc = write_defs(st, slots, defs, rs->n);
	if (rc)
		goto undo;
	if (new_hw > cfg.slots_hw) {
		/* re-read: clean_gen() recorded cleared tables in cfg */
		rc = xdpfw_state_cfg(st, &cfg);
		if (!rc) {
			cfg.slots_hw = new_hw;
			rc = put_cfg(st, &cfg);
		}
		if (rc)
			goto undo;
	}
	if (xdpfw_apply_crash_point == 2) {
		rc = -EINTR;
		goto out;	/* as if killed once the mark has risen */
	}
	rc = zero_counters(st, fresh, nfresh);
	if (rc)
		goto undo;
	rc = write_tables(st, &e, ng, &plans, size);
	table_plans_free(&plans);	/* their pages go to what follows */
	if (!rc)
		rc = write_plens(st, &e, ng, size);
failed:
	ectx_free(&e);
	stats->entries = e.n;
	stats->write_ms = ms_since(&t0);
	if (rc) {
		if ((rc == -ENOSPC || rc == -E2BIG) && !e.reported)
			table_full(&e, "a rule-set map is full");
		goto undo;
	}
	if (xdpfw_apply_crash_point == 1) {
		rc = -EINTR;
		goto out;	/* as if killed: leave the half-done generation */
	}

	/* 5. the switch: one update, read once per packet */
	struct timespec t1, now;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_REALTIME, &now);
	rc = xdpfw_state_cfg(st, &cfg);	/* with write_tables()' tab_dirty */
	if (rc)
		goto undo;
	cfg.policy[ng] = policy >= 0 ? (uint32_t)policy : cfg.policy[g];
	cfg.nrules[ng] = rs->n;
	cfg.applied_ns[ng] = now.tv_sec * 1000000000ull + now.tv_nsec;
	cfg.slots_hw = new_hw;
	/* the new generation's policy first, under the old generation number:
	 * an update copies the whole value, and a packet could otherwise read
	 * the new number before the new policy; then the number alone changes */
	cfg.gen = g;
	rc = put_cfg(st, &cfg);
	if (rc)
		goto undo;
	cfg.gen = ng;
	rc = put_cfg(st, &cfg);
	if (rc)
		goto undo;
	stats->switch_ms = ms_since(&t1);

	/* 6. the old generation goes */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = clean_gen(st, defs, new_hw, g);
	stats->cleanup_ms = ms_since(&t1);
	if (rc)
		fprintf(stderr, "xdpfw: the new rule set is active, but removing the old one failed: %s "
			"(the next apply retries)\n", strerror(-rc));
	rc = 0;
	goto out;

undo:
	/* nothing switched: remove what was written of the new generation (a
	 * set refused before step 4 wrote nothing) */
	if (written)
		clean_gen(st, defs, new_hw > hw ? new_hw : hw, ng);
out:
	ectx_free(&e);
	table_plans_free(&plans);
	free_defs(st, defs);
	xdpfw_big_free(slots);
	xdpfw_big_free(fresh);
	return rc;
}

int xdpfw_state_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
		      struct xdpfw_apply_stats *stats)
{
	int rc;

	xdpfw_big_hold();	/* the apply's scratch: reused within it, gone after */
	rc = state_apply(st, rs, policy, stats);
	xdpfw_big_release();
	if (rc != -EINTR || !xdpfw_apply_crash_point)	/* a simulated kill records nothing */
		xdpfw_applog_record(st, rc);
	return rc;
}

