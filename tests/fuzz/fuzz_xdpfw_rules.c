/* tests/fuzz/fuzz_xdpfw_rules.c — fuzzes xdpfw's rule-file parser and what
 * consumes its output: every accepted rule must format and re-parse to the
 * same rule, the set must compile to prefix and port entries (no kernel:
 * entries are checked, and the prefix entries are built into the datapath's
 * tables in memory — the IPv4 trie, the IPv6 hash table — where every one
 * must be found), and the reference
 * evaluator must take any packet. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../apps/xdpfw/bigmem.c"
#include "../../apps/xdpfw/bgjob.c"
#include "../../apps/xdpfw/rules.c"
#include "../../apps/xdpfw/compile.c"
#include "../../apps/xdpfw/table.c"

static size_t entries;
static struct xdpfw_tabvec tv[2];
/* the IPv4 entries of the second thread's share of the walk (emit.side),
 * merged into tv[0] after, as apply.c does */
static struct xdpfw_tabvec tv_side;
static int side_ctx;

/* The prefix entries of one family as the datapath would probe them: build
 * the table, then every entry must sit within XDPFW_MAX_PROBE of its home. */
static void check_table(int family, struct xdpfw_tabvec *v)
{
	struct xdpfw_table_plan plan;
	size_t ssz = xdpfw_slot_size(family);
	uint32_t size;
	uint8_t *region;

	if (xdpfw_table_plan(family, v, 1u << 16, &plan))
		return;	/* too many for this cap: refused, fine */
	size = plan.size;
	region = calloc(size, ssz);
	if (!region)
		abort();
	xdpfw_table_write(family, v, &plan, 0, region);
	xdpfw_table_plan_free(&plan);
	if (xdpfw_table_used(family, region, size) != v->n)
		abort();
	for (size_t k = 0; k < v->n; k++) {
		uint32_t h = hash_of(family, &v->e[k]) >> (64 - __builtin_ctz(size)), j;

		for (j = 0; j < XDPFW_MAX_PROBE; j++) {
			const uint8_t *s = region + (size_t)((h + j) & (size - 1)) * ssz;
			uint32_t tag;

			memcpy(&tag, s, 4);
			if (tag == v->e[k].tag && !memcmp(s + 4, v->e[k].addr, family == 4 ? 4 : 16))
				break;
		}
		if (j == XDPFW_MAX_PROBE)
			abort();
	}
	free(region);
}

/* The verdict of class C for protocol index P and destination port PORT
 * as the datapath's pick() finds it; -1 where a port table decides. */
static int64_t class_pick(const struct xdpfw_cls *c, int p, uint32_t port)
{
	uint32_t v = c->v[p];

	if (v & XDPFW_V_INLINE) {
		int j = p == XDPFW_P_TCP ? 0 : 1;

		v = port >= c->lo[j] && port <= c->hi[j] ? c->rv[j] : v & ~XDPFW_V_INLINE;
	}
	return v & XDPFW_V_TABLE ? -1 : v;
}

/* Whether entries A and B (copies of entries of V) have the same class. */
static bool same_cls(const struct xdpfw_tabvec *v, const struct xdpfw_tabent *a, const struct xdpfw_tabent *b)
{
	struct xdpfw_cls x, y;

	return !memcmp(xdpfw_tabent_cls(v, a, &x), xdpfw_tabent_cls(v, b, &y), sizeof(x));
}

/* A leaf with its verdict (XDPFW_TRIE_DIRECT) stands for class C only if C
 * decides every protocol and port alike, with that verdict. */
static void check_direct(uint32_t leaf, const struct xdpfw_cls *c)
{
	static const uint32_t ports[] = { 0, 1, 22, 443, 1023, 1024, 8080, 65534, 65535 };

	if (!(leaf & XDPFW_TRIE_DIRECT))
		return;
	for (int p = 0; p < XDPFW_NPROTO; p++)
		for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
			if (c->class || class_pick(c, p, ports[i]) != xdpfw_trie_verdict(leaf))
				abort();
}

/* The IPv4 trie in memory: for each entry's address and a neighbour of
 * it, the walk must find the longest entry of the same trie containing it
 * (by brute force), and a leaf with its verdict must decide as its class. */
static void check_trie4(struct xdpfw_tabvec *v, unsigned root_bits)
{
	struct xdpfw_trie4_plan plan;
	uint32_t *trie;
	void *leaves;

	if (v->n > 3000 || xdpfw_trie4_plan(v, root_bits, 1u << 24, 1u << 16, &plan))
		return;	/* too big for a brute-force check, or refused: fine */
	/* classes only for leaves that are not verdicts, as apply.c does */
	if (xdpfw_trie4_compact(v, &plan))
		abort();
	trie = calloc(plan.entries, 4);
	leaves = calloc(plan.npool + 1, sizeof(struct xdpfw_cls));
	if (!trie || !leaves)
		abort();
	if (!xdpfw_trie4_write(v, &plan, trie, leaves))
		abort();	/* not the records and chunks planned */
	for (size_t k = 0; k < 2 * v->n; k++) {
		const struct xdpfw_tabent *e = &v->e[k / 2];
		uint32_t tree = ent_tree(e), a = ent_addr(e) ^ (k & 1 && ent_plen(e) < 32 ? 0x80000000u >> ent_plen(e) : 0);
		uint32_t want = 0;
		int best = -1;

		for (size_t j = 0; j < v->n; j++) {
			const struct xdpfw_tabent *f = &v->e[j];
			int pl = ent_plen(f);

			if (ent_tree(f) == tree && pl > best && !((a ^ ent_addr(f)) & (pl ? ~0u << (32 - pl) : 0))) {
				best = pl;
				want = j + 1;
			}
		}
		uint32_t leaf = tree ? xdpfw_trie4_lookup(trie, xdpfw_trie4_class(&plan, tree), a) :
				       xdpfw_trie4_lookup_src(trie, root_bits, a);

		if (leaf != (want ? leaf_at(v, want - 1, plan.pool_at) : 0))
			abort();
		if (want) {
			struct xdpfw_cls buf, c = *xdpfw_tabent_cls(v, &v->e[want - 1], &buf);

			check_direct(leaf, &c);
			/* a slot leaf: the pool holds the class there, a source
			 * class's destination stage as its trie's root */
			if (!tree)
				c.class = xdpfw_trie4_class(&plan, c.class);
			if (!(leaf & XDPFW_TRIE_DIRECT) &&
			    (leaf > plan.npool || memcmp((struct xdpfw_cls *)leaves + leaf - 1, &c, sizeof(c))))
				abort();
		}
	}
	xdpfw_trie4_plan_free(&plan);
	free(trie);
	free(leaves);
}

/* IPv6: add the binary search's markers, then search as the datapath does
 * (ascending lengths, middle probe, hit -> longer half recording the entry's
 * class, miss -> shorter half) for each prefix's address and a neighbour:
 * the class found must be that of the longest prefix containing it (brute
 * force over the prefixes as compiled). */
static const struct xdpfw_tabent *find6(const struct xdpfw_tabvec *v, uint32_t tag, const uint32_t *a)
{
	for (size_t k = 0; k < v->n; k++)
		if (v->e[k].tag == tag && !memcmp(v->e[k].addr, a, 16))
			return &v->e[k];
	return NULL;
}

/* The I-th address probed for prefix P: its own address (I even), or its
 * neighbour just outside it (I odd). */
static void probe_addr6(const struct xdpfw_tabent *p, size_t i, uint32_t a[4])
{
	int pl = (p->tag & 0xff) - 1;

	memcpy(a, p->addr, 16);
	if (i & 1 && pl < 128)
		((uint8_t *)a)[pl / 8] ^= 0x80 >> (pl % 8);
}

/* By brute force: the longest of REAL[0..N) in trie TREE containing A. */
static const struct xdpfw_tabent *longest_of6(const struct xdpfw_tabent *real, size_t n, uint32_t tree,
					      const uint32_t *a)
{
	const struct xdpfw_tabent *want = NULL;
	uint32_t c[4];
	int best = -1;

	for (size_t j = 0; j < n; j++) {
		int l = (real[j].tag & 0xff) - 1;

		cut6(c, a, l);
		if ((real[j].tag >> 8) == tree && l > best && !memcmp(c, real[j].addr, 16)) {
			best = l;
			want = &real[j];
		}
	}
	return want;
}

static void check_bspl6(struct xdpfw_tabvec *v)
{
	uint8_t lens[2][XDPFW_PLENS_MAX] = { { 0 } };
	uint32_t len[2][XDPFW_PLENS_MAX], nl[2] = { 0 };
	size_t nreal = v->n;
	struct xdpfw_tabent *real;

	if (!nreal || nreal > 400)
		return;	/* nothing, or too many for a quadratic check */
	for (size_t k = 0; k < nreal; k++)
		lens[(v->e[k].tag >> 8) != 0][(v->e[k].tag & 0xff) - 1] = 1;
	for (int st = 0; st < 2; st++)
		for (int l = 0; l < XDPFW_PLENS_MAX; l++)
			if (lens[st][l])
				len[st][nl[st]++] = l;
	real = malloc((nreal + 1) * sizeof(*real));
	if (!real)
		abort();
	memcpy(real, v->e, nreal * sizeof(*real));
	if (xdpfw_bspl_markers(v, lens))
		abort();
	for (size_t k = 0; k < 2 * nreal; k++) {
		const struct xdpfw_tabent *p = &real[k / 2], *want, *got = NULL;
		uint32_t tree = p->tag >> 8, a[4], c[4], lo = 0, hi;
		int st = tree != 0;

		probe_addr6(p, k, a);
		want = longest_of6(real, nreal, tree, a);
		hi = nl[st];
		for (int i = 0; i < 8 && lo < hi; i++) {
			uint32_t mid = (lo + hi) / 2;
			const struct xdpfw_tabent *e;

			cut6(c, a, len[st][mid]);
			e = find6(v, (tree << 8) | (len[st][mid] + 1), c);
			if (e) {
				if (e->flags & XDPFW_S_CLS)
					got = e;
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		if ((want == NULL) != (got == NULL) || (want && !same_cls(v, want, got)))
			abort();
	}
	free(real);
}

/* IPv6 sources as the datapath classifies them (XDPFW_TRIE_SEARCH in
 * xdpfw_common.h): the first 32 bits through a trie of the prefixes of
 * /CUT and shorter, the length search over the longer ones only where the
 * leaf says so (one length only where its hint names it), markers referring
 * to their prefix's class. For each source prefix's address and a
 * neighbour, the class found (through the pool, as the datapath reads it)
 * must be that of the longest prefix containing it. */
static void check_split6(const struct xdpfw_tabvec *src, int cut, unsigned root_bits)
{
	struct xdpfw_tabvec v = { 0 }, top = { 0 };
	uint8_t lens[2][XDPFW_PLENS_MAX] = { { 0 } };
	uint32_t len[XDPFW_PLENS_MAX], nl = 0, *trie = NULL;
	struct xdpfw_trie4_plan plan = { 0 };
	struct xdpfw_tabent *real = NULL;
	struct xdpfw_cls *pool = NULL;
	size_t nsrc, nreal;
	uint32_t ones;

	for (size_t k = 0; k < src->n && src->n <= 400; k++)
		if (!(src->e[k].tag >> 8) && push_entry(&v, src, k))
			abort();
	nsrc = v.n;
	if (!nsrc)
		goto out;
	real = malloc(nsrc * sizeof(*real));
	if (!real)
		abort();
	memcpy(real, v.e, nsrc * sizeof(*real));
	/* a cut above /32 comes after /32 did not fit (apply.c: plan_v6top):
	 * split, join back, split again */
	if (cut != 32 && (xdpfw_v6top_split(&v, &top, 32) || xdpfw_v6top_join(&v, &top)))
		abort();
	if (xdpfw_v6top_split(&v, &top, cut))
		abort();
	for (size_t k = 0; k < v.n; k++)
		lens[0][(v.e[k].tag & 0xff) - 1] = 1;
	for (int l = 0; l < XDPFW_PLENS_MAX; l++)
		if (lens[0][l]) {
			if (l <= cut)
				abort();	/* a prefix the trie holds left in the search */
			len[nl++] = l;
		}
	xdpfw_v6top_hints(&top, lens[0]);
	/* records for search leaves with one longer prefix (XDPFW_TRIE_ONE),
	 * after the classes as apply.c puts them (not at /20: its leaves keep
	 * the hinted probe, as where the pool has no room) */
	nreal = v.n;
	ones = cut == 20 ? 0 : xdpfw_v6top_ones(&top, (uint32_t)(top.n + nreal), UINT32_MAX);
	if (xdpfw_bspl_markers(&v, lens) || xdpfw_trie4_plan(&top, root_bits, 1u << 24, 1u << 16, &plan))
		abort();
	trie = calloc(plan.entries, 4);
	pool = calloc(top.n + nreal + ones + 1, sizeof(*pool));
	if (!trie || !pool)
		abort();
	if (!xdpfw_trie4_write(&top, &plan, trie, pool))
		abort();
	if (xdpfw_class_write(&v, pool + top.n) != nreal)
		abort();
	xdpfw_v6top_write_ones(&top, &v, (uint32_t)top.n, pool);
	for (size_t k = 0; k < 2 * nsrc; k++) {
		const struct xdpfw_tabent *want;
		const struct xdpfw_cls *got = NULL;
		struct xdpfw_cls buf, gbuf;
		uint32_t a[4], c[4], leaf, lo = 0, hi = nl;

		probe_addr6(&real[k / 2], k, a);
		want = longest_of6(real, nsrc, 0, a);
		leaf = xdpfw_trie4_lookup_src(trie, root_bits, ntohl(a[0]));
		if (leaf & XDPFW_TRIE_ONE) {
			/* the record decides: the prefix's slot value inside it,
			 * the leaf's own reference elsewhere */
			const struct xdpfw_one6 *o = (const void *)&pool[(leaf & XDPFW_V_SLOT_MASK) - 1];
			bool in = true;

			if ((leaf & XDPFW_V_SLOT_MASK) <= top.n + nreal)
				abort();	/* records come after the classes */
			for (int w = 0; w < 4; w++)
				in = in && (a[w] & o->mask[w]) == o->addr[w];
			leaf = in ? o->in : o->out;
			if (leaf & XDPFW_TRIE_DIRECT) {
				if (!want || leaf != xdpfw_trie_direct(xdpfw_tabent_cls(&v, want, &buf)->v[0]))
					abort();
				check_direct(leaf, xdpfw_tabent_cls(&v, want, &buf));
				continue;
			}
			if (leaf)
				got = &pool[leaf - 1];
		} else if (leaf & XDPFW_TRIE_SEARCH) {
			uint32_t hint = leaf >> XDPFW_TRIE_HINT_SHIFT & XDPFW_TRIE_HINT_MASK;

			if (hint) {
				/* the one length under this /CUT: it must be one in use */
				if (hint > nl)
					abort();
				lo = hint - 1;
				hi = hint;
			}
			for (int i = 0; i < 8 && lo < hi; i++) {
				uint32_t mid = (lo + hi) / 2;
				const struct xdpfw_tabent *e;

				cut6(c, a, len[mid]);
				e = find6(&v, len[mid] + 1, c);
				if (e && e->ref) {
					/* the slot's class index: the prefix's own entry */
					if (e->ref > v.n || !same_cls(&v, &v.e[e->ref - 1], e))
						abort();
					got = xdpfw_tabent_cls(&v, &v.e[e->ref - 1], &gbuf);
				}
				if (e)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (!got && (leaf & XDPFW_V_SLOT_MASK))
				got = &pool[(leaf & XDPFW_V_SLOT_MASK) - 1];
		} else if (leaf & XDPFW_TRIE_DIRECT) {
			if (!want || xdpfw_tabent_cls(&v, want, &buf)->class || leaf != xdpfw_trie_direct(xdpfw_tabent_cls(&v, want, &buf)->v[0]))
				abort();
			check_direct(leaf, xdpfw_tabent_cls(&v, want, &buf));
			continue;
		} else if (leaf) {
			got = &pool[leaf - 1];
		}
		if ((want == NULL) != (got == NULL) || (want && memcmp(xdpfw_tabent_cls(&v, want, &buf), got, sizeof(*got))))
			abort();
	}
out:
	xdpfw_trie4_plan_free(&plan);
	free(trie);
	free(pool);
	free(real);
	xdpfw_tabvec_free(&v);
	xdpfw_tabvec_free(&top);
}

static int e_src(void *ctx, int family, unsigned gen, int plen, const uint8_t *addr,
		 const struct xdpfw_cls *v)
{
	(void)ctx;
	(void)addr;
	if (gen > 1 || plen < 0 || plen > (family == 4 ? 32 : 128) || v->class > XDPFW_MAX_CLASS)
		abort();
	__atomic_add_fetch(&entries, 1, __ATOMIC_RELAXED);	/* both families at once (xdpfw_compile_two) */
	static const struct xdpfw_cls none;

	/* as apply.c's emit_src: an IPv4 /0 with rules is a trie prefix, an
	 * IPv6 one lives in plens */
	if (!plen && (family == 6 || !memcmp(v, &none, sizeof(none))))
		return 0;
	return xdpfw_tabvec_push(family == 4 && ctx == &side_ctx ? &tv_side : &tv[family == 6], plen + 1, addr, v);
}

static int e_dst(void *ctx, int family, uint32_t class, int plen, const uint8_t *addr,
		 const struct xdpfw_cls *v)
{
	(void)ctx;
	(void)addr;
	if (!class || class > XDPFW_MAX_CLASS || plen < 0 || plen > (family == 4 ? 32 : 128) || v->class)
		abort();
	__atomic_add_fetch(&entries, 1, __ATOMIC_RELAXED);	/* both families at once (xdpfw_compile_two) */
	return xdpfw_tabvec_push(family == 4 && ctx == &side_ctx ? &tv_side : &tv[family == 6], class << 8 | (plen + 1),
				 addr, v);
}

/* A port table: sorted intervals from 0 covering every port, neighbours
 * with different verdicts, at least one with a rule. */
static uint32_t next_id;

static int e_ptable(void *ctx, const uint32_t *starts, const uint32_t *vs, size_t n, uint32_t *id)
{
	bool any = false;

	(void)ctx;
	if (!n || starts[0] != 0 || n > 65536)
		abort();
	for (size_t k = 0; k < n; k++) {
		if (starts[k] > 65535 || (k && (starts[k] <= starts[k - 1] || vs[k] == vs[k - 1])))
			abort();
		any = any || vs[k];
	}
	if (!any)
		abort();
	__atomic_add_fetch(&entries, n + 1, __ATOMIC_RELAXED);
	*id = next_id;
	next_id += n + 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpfw_ruleset rs;
	struct xdpfw_emit em_side = { e_src, e_dst, e_ptable, &side_ctx, NULL, NULL };
	struct xdpfw_emit em = { e_src, e_dst, e_ptable, NULL, NULL, NULL };
	char err[512], txt[256];
	uint32_t *slots;
	unsigned rb;

	if (size > 16384)
		return 0;
	if (xdpfw_rules_parse_text((const char *)data, size, "fuzz", &rs, err, sizeof(err))) {
		/* errors name the place: "fuzz:LINE:COL: " */
		if (strncmp(err, "fuzz:", 5) || rs.n || rs.r)
			abort();
		return 0;
	}
	for (size_t i = 0; i < rs.n; i++) {
		struct xdpfw_rule_def d;

		xdpfw_rule_format(&rs.r[i].d, txt, sizeof(txt));
		if (xdpfw_rule_parse(txt, &d, NULL, err, sizeof(err)) ||
		    !xdpfw_rule_same_match(&d, &rs.r[i].d) || d.action != rs.r[i].d.action ||
		    d.flags != rs.r[i].d.flags) {
			fprintf(stderr, "round trip failed: '%s': %s\n", txt, err);
			abort();
		}
	}
	slots = malloc((rs.n + 1) * sizeof(*slots));
	for (size_t i = 0; i < rs.n; i++)
		slots[i] = i;
	entries = 0;
	/* both families in one context, or each in its own as an apply
	 * compiles them (on two threads), maybe with the IPv4 walk shared
	 * (its first chunk left to the second thread) */
	em.side = size & 8 ? &em_side : NULL;
	xdpfw_compile_test_share = size & 16;
	if (size & 2 ? xdpfw_compile_two(&rs, slots, size & 1, &em, NULL, NULL, NULL) :
		       xdpfw_compile(&rs, slots, size & 1, &em, NULL))
		abort();
	if (xdpfw_tabvec_append(&tv[0], &tv_side))
		abort();
	xdpfw_tabvec_free(&tv_side);
	/* the source roots as small and big tables have them */
	rb = size & 4 ? XDPFW_TRIE_BIG_ROOT_BITS : XDPFW_TRIE_ROOT_BITS;
	check_trie4(&tv[0], rb);
	check_split6(&tv[1], 32, rb);
	check_split6(&tv[1], 24, rb);
	check_split6(&tv[1], 20, rb);
	check_split6(&tv[1], 16, rb);
	check_bspl6(&tv[1]);
	check_table(6, &tv[1]);
	xdpfw_tabvec_free(&tv[0]);
	xdpfw_tabvec_free(&tv[1]);
	/* the evaluator must not trip on any packet shape */
	struct xdpfw_pkt p = { .family = 4, .ipproto = 6, .sport = 1, .dport = 22 };

	inet_pton(AF_INET, "10.1.2.3", p.saddr);
	xdpfw_rules_eval(&rs, &p);
	p.family = 6;
	p.ipproto = 17;
	xdpfw_rules_eval(&rs, &p);
	free(slots);
	xdpfw_ruleset_free(&rs);
	return 0;
}
