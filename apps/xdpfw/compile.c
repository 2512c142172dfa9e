/* apps/xdpfw/compile.c — turns a rule set into map entries that give,
 * for every packet, the same winner as xdpfw_rules_eval() (rules.c) with a
 * fixed number of lookups.
 *
 * Why it works: prefixes either nest or are disjoint. For a packet, the
 * longest rule source prefix P containing its source address is what the
 * src stage finds; the rules that can match the packet's source are exactly
 * those whose source prefix contains P (P's own and its ancestors'), so the
 * entry for P carries the decision over that candidate set. The same argument
 * is repeated for the destination inside P's candidates, then the decision
 * over (protocol, dport, sport) is precomputed as a piecewise-constant
 * function: one verdict per protocol index, or a port table (sorted dport
 * intervals; an interval whose rules differ by sport points to a second
 * table of sport intervals).
 *
 * What it costs: the source forest is walked once in address order with the
 * path from the root on a stack, and a node without destination rules
 * decides over its own rules and what of its parent's candidates can still
 * win (decide_node()), so a million nested rules cost what their own rules
 * cost, not their depth times that. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bgjob.h"
#include "bigmem.h"
#include "radix.h"
#include "rules.h"

#define MAX_DEPTH	(128 + 2)	/* nested prefixes have distinct lengths */

/* 32 bytes: a 1M-rule set has about as many nodes, all in memory at once */
struct node {
	uint8_t addr[16];
	int32_t parent;		/* index in the node array, -1 for the root */
	uint32_t first, count;	/* rules of this exact prefix: ids[first..first+count) */
	uint8_t plen;
};
_Static_assert(sizeof(struct node) == 32, "struct node: 32 bytes");

/* Buffers reused from call to call (no malloc per decision): bounds and
 * verdicts per interval, and a subset of the rules. */
struct scratch {
	uint32_t *b, *vs;
	const struct xdpfw_rule_def **sub;
	size_t cap;			/* rules they have room for */
};

static int scratch_fit(struct scratch *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 16;
	uint32_t *b, *vs;
	const struct xdpfw_rule_def **sub;

	if (n <= s->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	b = xdpfw_big_realloc(s->b, (2 * cap + 1) * sizeof(*b));
	if (b)
		s->b = b;
	vs = xdpfw_big_realloc(s->vs, (2 * cap + 1) * sizeof(*vs));
	if (vs)
		s->vs = vs;
	sub = xdpfw_big_realloc(s->sub, (cap + 1) * sizeof(*sub));
	if (sub)
		s->sub = sub;
	if (!b || !vs || !sub)
		return -ENOMEM;
	s->cap = cap;
	return 0;
}

static void scratch_free(struct scratch *s)
{
	xdpfw_big_free(s->b);
	xdpfw_big_free(s->vs);
	xdpfw_big_free(s->sub);
}

struct cctx {
	const struct xdpfw_ruleset *rs;
	const uint32_t *slots;
	unsigned gen;
	const struct xdpfw_emit *emit;
	struct xdpfw_compile_stats *st;
	uint32_t *next_class;	/* the family's last class id (atomic: IPv4's
				 * walk may be shared, struct walk4) */
	struct walk4 *w;	/* IPv4's walk shared with a second thread, or NULL */
	/* scratch */
	const struct xdpfw_rule_def **cand;
	size_t ncand, capcand;
	struct scratch dsub, port, sport;	/* decide(), port_decide(), sport_decide() */
	uint32_t fallback;	/* the verdict where none of the rules decided over
				 * applies: 0 (none: the policy), or XDPFW_V_TABLE |
				 * XDPFW_V_PARENT | the parent prefix's dport table */
	struct ptmemo *pm;
};

/* Port tables already emitted, by content (many classes share them, and
 * the two families a rule without a prefix is in): shared by the contexts
 * of one compile, which may run at once (xdpfw_compile_two). */
struct ptmemo {
	pthread_mutex_t lock;
	struct memo *memo;
	size_t nmemo, capmemo;
	uint32_t *mhash;	/* open addressing: memo index + 1, 0 = empty */
	size_t nbuckets;	/* power of two, >= 2 * nmemo */
};

struct memo {
	uint64_t hash;
	uint32_t *data;		/* n starts, then n verdicts */
	size_t n;
	uint32_t table;
};

/* A rule as the deciders see it: its definition and its verdict (its slot
 * folded in). compile_family() copies a family's rules in the order its
 * walk visits them, so the walk reads them in sequence instead of jumping
 * about a million-rule set (and its slot array) for each. */
struct crule {
	struct xdpfw_rule_def d;
	uint32_t v;
};

static uint32_t verdict_of(const struct xdpfw_rule_def *d)
{
	/* D is the first member of a struct crule */
	return d ? ((const struct crule *)(const void *)d)->v : 0;
}

static bool has_sport(const struct xdpfw_rule_def *d)
{
	return d->sport_lo || d->sport_hi != 65535;
}

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted unique interval starts from the [lo, hi] ranges (plus 0). */
static size_t bounds(uint32_t *b, size_t n)
{
	size_t k = 0;

	if (n > 24) {
		qsort(b, n, sizeof(*b), u32cmp);
	} else {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = b[i];
			size_t j = i;

			for (; j > 0 && b[j - 1] > x; j--)
				b[j] = b[j - 1];
			b[j] = x;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (b[i] < 65536 && (k == 0 || b[k - 1] != b[i]))
			b[k++] = b[i];
	return k;
}

static const struct xdpfw_rule_def *best_of(const struct xdpfw_rule_def **s, size_t n)
{
	const struct xdpfw_rule_def *b = NULL;

	for (size_t i = 0; i < n; i++)
		if (!b || xdpfw_rule_prec(s[i], b) > 0)
			b = s[i];
	return b;
}

/* The table for intervals starting at B[0..n) with verdicts VS: merges
 * neighbours with equal verdicts, reuses an identical table emitted earlier
 * in this compile, else emits a new one. */
static int memo_table(struct cctx *c, const uint32_t *b, const uint32_t *vs, size_t m, uint64_t h,
		      uint32_t *table);

static int table_for(struct cctx *c, uint32_t *b, uint32_t *vs, size_t n, uint32_t *table)
{
	uint64_t h = 1469598103934665603ull;
	size_t m = 0;
	int rc;

	for (size_t k = 0; k < n; k++)
		if (!m || vs[m - 1] != vs[k]) {
			b[m] = b[k];
			vs[m++] = vs[k];
		}
	for (size_t k = 0; k < m; k++)
		h = (h ^ b[k] ^ ((uint64_t)vs[k] << 32)) * 1099511628211ull;
	pthread_mutex_lock(&c->pm->lock);
	rc = memo_table(c, b, vs, m, h, table);
	pthread_mutex_unlock(&c->pm->lock);
	return rc;
}

/* table_for() with C's port-table memo locked: B, VS merged, H their hash. */
static int memo_table(struct cctx *c, const uint32_t *b, const uint32_t *vs, size_t m, uint64_t h,
		      uint32_t *table)
{
	struct ptmemo *pm = c->pm;
	int rc;

	for (size_t i = pm->nbuckets ? h & (pm->nbuckets - 1) : 0; pm->nbuckets && pm->mhash[i];
	     i = (i + 1) & (pm->nbuckets - 1)) {
		struct memo *e = &pm->memo[pm->mhash[i] - 1];

		if (e->hash == h && e->n == m && !memcmp(e->data, b, m * 4) &&
		    !memcmp(e->data + m, vs, m * 4)) {
			*table = e->table;
			return 0;
		}
	}
	/* every interval, "no rule" (0) too: the datapath searches them */
	rc = c->emit->ptable(c->emit->ctx, b, vs, m, table);
	if (rc)
		return rc;
	c->st->tables++;
	c->st->port += m;
	if (pm->nmemo == pm->capmemo) {
		size_t cap = pm->capmemo ? pm->capmemo * 2 : 16;
		struct memo *nm = xdpfw_big_realloc(pm->memo, cap * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		pm->memo = nm;
		pm->capmemo = cap;
	}
	struct memo *e = &pm->memo[pm->nmemo];

	e->data = malloc(2 * m * 4 + 4);
	if (!e->data)
		return -ENOMEM;
	memcpy(e->data, b, m * 4);
	memcpy(e->data + m, vs, m * 4);
	e->hash = h;
	e->n = m;
	e->table = *table;
	pm->nmemo++;
	if (2 * pm->nmemo > pm->nbuckets) {
		size_t nb = pm->nbuckets ? pm->nbuckets * 2 : 64;
		uint32_t *nh = xdpfw_big_calloc(nb, sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		xdpfw_big_free(pm->mhash);
		pm->mhash = nh;
		pm->nbuckets = nb;
		for (size_t j = 0; j < pm->nmemo; j++) {
			size_t i = pm->memo[j].hash & (nb - 1);

			while (nh[i])
				i = (i + 1) & (nb - 1);
			nh[i] = j + 1;
		}
	} else {
		size_t i = h & (pm->nbuckets - 1);

		while (pm->mhash[i])
			i = (i + 1) & (pm->nbuckets - 1);
		pm->mhash[i] = pm->nmemo;
	}
	return 0;
}

/* The interval bounds of S's sport (or dport) ranges, sorted and unique,
 * with room for a verdict per interval and a subset of S: what both
 * deciders below start from. Returns the number of bounds or -ENOMEM. */
static long interval_setup(struct scratch *sc, const struct xdpfw_rule_def **s, size_t n, bool sport,
			   uint32_t **b, uint32_t **vs, const struct xdpfw_rule_def ***sub)
{
	size_t nb = 0;

	if (scratch_fit(sc, n))
		return -ENOMEM;
	*b = sc->b;
	*vs = sc->vs;
	*sub = sc->sub;
	(*b)[nb++] = 0;
	for (size_t i = 0; i < n; i++) {
		(*b)[nb++] = sport ? s[i]->sport_lo : s[i]->dport_lo;
		(*b)[nb++] = (sport ? s[i]->sport_hi : s[i]->dport_hi) + 1u;
	}
	return (long)bounds(*b, nb);
}

/* Verdict for the rules S (all covering one dport interval), by sport. */
static int sport_decide(struct cctx *c, const struct xdpfw_rule_def **s, size_t n, uint32_t *out)
{
	const struct xdpfw_rule_def **sub;
	uint32_t *b, *vs, table = 0;
	long nbl = interval_setup(&c->sport, s, n, true, &b, &vs, &sub);
	size_t nb = nbl < 0 ? 0 : (size_t)nbl, i;
	int rc = 0;
	bool same = true;

	if (nbl < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nb; k++) {
		size_t m = 0;

		for (i = 0; i < n; i++)
			if (s[i]->sport_lo <= b[k] && s[i]->sport_hi >= b[k])
				sub[m++] = s[i];
		vs[k] = m ? verdict_of(best_of(sub, m)) : c->fallback;
		same = same && vs[k] == vs[0];
	}
	if (same) {
		*out = vs[0];
		goto out;
	}
	rc = table_for(c, b, vs, nb, &table);
	*out = XDPFW_V_TABLE | table;
out:
	return rc;
}

/* V decides without a table of this class's own: a final verdict (or
 * none), or the parent's table. */
static bool final_or_parent(uint32_t v)
{
	return !(v & XDPFW_V_INLINE) && (!(v & XDPFW_V_TABLE) || (v & XDPFW_V_PARENT));
}

/* Decision over S (TCP or UDP rules, some with ports): a dport table. */
static int port_decide(struct cctx *c, const struct xdpfw_rule_def **s, size_t n,
		       struct xdpfw_cls *cls, int p)
{
	uint32_t *out = &cls->v[p];
	const struct xdpfw_rule_def **sub;
	uint32_t *b, *vs, table = 0;
	long nbl = interval_setup(&c->port, s, n, false, &b, &vs, &sub);
	size_t nb = nbl < 0 ? 0 : (size_t)nbl, i;
	int rc = 0;
	bool same = true;

	if (nbl < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nb && !rc; k++) {
		size_t m = 0;
		bool sp = false;

		for (i = 0; i < n; i++)
			if (s[i]->dport_lo <= b[k] && s[i]->dport_hi >= b[k]) {
				sub[m++] = s[i];
				sp = sp || has_sport(s[i]);
			}
		if (sp)
			rc = sport_decide(c, sub, m, &vs[k]);
		else
			vs[k] = m ? verdict_of(best_of(sub, m)) : c->fallback;
		same = same && vs[k] == vs[0];
	}
	if (rc)
		goto out;
	/* one verdict for every dport: no table, unless it is a sport table
	 * (the datapath always looks up dport first) */
	if (same && !(vs[0] & XDPFW_V_TABLE)) {
		*out = vs[0];
		goto out;
	}
	/* one dport range with its own (final) verdict, one verdict elsewhere:
	 * inline in the class value, no port lookup (the common CIDR + port
	 * rule); either may send the packet to the parent's table instead */
	size_t m = 0;

	for (size_t k = 0; k < nb; k++)
		if (!m || vs[m - 1] != vs[k]) {
			b[m] = b[k];
			vs[m++] = vs[k];
		}
	if ((m == 2 || (m == 3 && vs[0] == vs[2])) && final_or_parent(vs[0]) && final_or_parent(vs[1])) {
		int j = p == XDPFW_P_TCP ? 0 : 1;

		/* the second interval is "in"; the first (and third) "elsewhere" */
		cls->lo[j] = b[1];
		cls->hi[j] = m == 3 ? b[2] - 1 : 65535;
		cls->rv[j] = vs[1];
		*out = XDPFW_V_INLINE | vs[0];
		goto out;
	}
	rc = table_for(c, b, vs, m, &table);
	*out = XDPFW_V_TABLE | table;
out:
	return rc;
}

/* Can rule D match packets of protocol index P? */
static bool applies(const struct xdpfw_rule_def *d, int p)
{
	if (d->proto != XDPFW_PROTO_ANY && d->proto != p)
		return false;
	return p == XDPFW_P_TCP || p == XDPFW_P_UDP || !xdpfw_rule_has_ports(d);
}

/* The verdict for protocol index P (cls->v[p], and its inline range) over
 * the candidate rules S. */
static int decide_proto(struct cctx *c, const struct xdpfw_rule_def **s, size_t n, struct xdpfw_cls *cls,
			int p)
{
	const struct xdpfw_rule_def *plain = NULL, *ported = NULL, **sub;
	size_t m = 0;

	if (scratch_fit(&c->dsub, n))
		return -ENOMEM;
	sub = c->dsub.sub;
	for (size_t i = 0; i < n; i++) {
		const struct xdpfw_rule_def *d = s[i];

		if (!applies(d, p))
			continue;
		if (xdpfw_rule_has_ports(d)) {
			if (!ported || xdpfw_rule_prec(d, ported) > 0)
				ported = d;
		} else if (!plain || xdpfw_rule_prec(d, plain) > 0) {
			plain = d;
		}
		sub[m++] = d;
	}
	/* a port-less rule that outranks every ported one decides alone */
	if (!ported || (plain && xdpfw_rule_prec(plain, ported) > 0)) {
		cls->v[p] = verdict_of(plain);
		return 0;
	}
	return port_decide(c, sub, m, cls, p);
}

/* One verdict per protocol index for the candidate rules S. */
static int decide(struct cctx *c, const struct xdpfw_rule_def **s, size_t n, struct xdpfw_cls *cls)
{
	int rc = 0;

	for (int p = 0; p < XDPFW_NPROTO && !rc; p++)
		rc = decide_proto(c, s, n, cls, p);
	return rc;
}

static int cand_push(struct cctx *c, const struct xdpfw_rule_def *d)
{
	if (c->ncand == c->capcand) {
		size_t cap = c->capcand ? c->capcand * 2 : 64;
		const struct xdpfw_rule_def **n = xdpfw_big_realloc(c->cand, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->cand = n;
		c->capcand = cap;
	}
	c->cand[c->ncand++] = d;
	return 0;
}

/* ---- prefix forests ---------------------------------------------------- */

struct pref {
	uint8_t addr[16];
	int plen;
	size_t rule;		/* index into the caller's rule list */
};

static uint64_t be64_at(const uint8_t *a)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = x << 8 | a[i];
	return x;
}

/* The first sort keys of P's order by (address, length), ties in P's
 * order: IPv4 the whole prefix in one key, whose IDX is the rule (so
 * build_forest() never goes back to P); IPv6 the length, IDX indexing P. */
static void sort_keys(const struct pref *p, size_t n, int alen, struct xdpfw_kv *kv)
{
	for (size_t i = 0; i < n; i++) {
		kv[i].idx = alen == 4 ? p[i].rule : i;
		kv[i].key = alen == 4 ? (be64_at(p[i].addr) >> 32) << 8 | (uint64_t)p[i].plen : (uint64_t)p[i].plen;
	}
}

/* Sorts KV (sort_keys()): IPv4 one pass, IPv6 three stable ones (length,
 * low half, high half, reading P). */
static int sort_prefs(const struct pref *p, size_t n, int alen, struct xdpfw_kv *kv, struct xdpfw_kv *tmp)
{
	int rc = xdpfw_radix_sort(kv, tmp, n);

	for (int half = 1; alen != 4 && half >= 0 && !rc; half--) {
		for (size_t i = 0; i < n; i++)
			kv[i].key = be64_at(p[kv[i].idx].addr + 8 * half);
		rc = xdpfw_radix_sort(kv, tmp, n);
	}
	return rc;
}

static bool contains(const uint8_t *net, int plen, const uint8_t *a, int aplen)
{
	int full = plen / 8, rest = plen % 8;

	if (aplen < plen || memcmp(net, a, full))
		return false;
	return !rest || !((net[full] ^ a[full]) & (0xff00 >> rest));
}

/* Orders *PP (N prefixes with the rule each came from; entries with rule
 * == (size_t)-1 are the root) and builds the nesting forest: one node per
 * distinct prefix, RULES gets the rule ids grouped by node. IPv4's sort
 * keys hold whole prefixes, so there *PP is freed (and NULL) once they
 * exist: the arrays after it reuse its pages. */
static int build_forest(struct pref **pp, size_t n, int alen, struct node **nodes_out,
			size_t *nn_out, size_t *rules)
{
	struct xdpfw_kv *kv = xdpfw_big_alloc((n + 1) * sizeof(*kv)), *tmp = NULL;
	struct node *nodes = NULL;
	const struct pref *p = *pp;
	uint32_t stack[MAX_DEPTH];	/* the open nodes: lengths grow up it */
	size_t nn = 0, nr = 0;
	int sp = 0, rc = -ENOMEM;

	if (!kv)
		return -ENOMEM;
	sort_keys(p, n, alen, kv);
	if (alen == 4) {
		xdpfw_big_free(*pp);
		*pp = NULL;
		p = NULL;
	}
	tmp = xdpfw_big_alloc((n + 1) * sizeof(*tmp));
	if (!tmp || sort_prefs(p, n, alen, kv, tmp))
		goto out;
	xdpfw_big_free(tmp);
	tmp = NULL;
	nodes = xdpfw_big_alloc((n + 1) * sizeof(*nodes));
	if (!nodes)
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct pref q4 = { .plen = kv[k].key & 0xff, .rule = kv[k].idx };
		const struct pref *q = alen == 4 ? &q4 : &p[kv[k].idx];
		struct node *cur;

		if (alen == 4)
			for (int b = 0; b < 4; b++)
				q4.addr[b] = kv[k].key >> (32 - 8 * b);

		if (!nn || nodes[nn - 1].plen != q->plen || memcmp(nodes[nn - 1].addr, q->addr, alen)) {
			cur = &nodes[nn++];
			memcpy(cur->addr, q->addr, 16);
			cur->plen = (uint8_t)q->plen;
			cur->first = (uint32_t)nr;
			cur->count = 0;
			while (sp > 0 && !contains(nodes[stack[sp - 1]].addr, nodes[stack[sp - 1]].plen,
						   cur->addr, cur->plen))
				sp--;
			if (sp >= MAX_DEPTH) {
				rc = -EINVAL;	/* cannot happen: lengths grow up the stack */
				goto out;
			}
			cur->parent = sp > 0 ? (int32_t)stack[sp - 1] : -1;
			stack[sp++] = (uint32_t)(nn - 1);
		}
		cur = &nodes[nn - 1];
		if (q->rule != (size_t)-1) {
			rules[nr++] = q->rule;
			cur->count++;
		}
	}
	rc = 0;
out:
	xdpfw_big_free(kv);
	xdpfw_big_free(tmp);
	if (rc) {
		xdpfw_big_free(nodes);
		nodes = NULL;
	}
	*nodes_out = nodes;
	*nn_out = nn;
	return rc;
}

/* The destination stage for one source class: CAND are its candidates. */
static int compile_dst(struct cctx *c, int family, uint32_t class,
		       const struct xdpfw_rule_def **cand, size_t n)
{
	int alen = family == 4 ? 4 : 16;
	struct pref *p = xdpfw_big_alloc((n + 1) * sizeof(*p));
	size_t *rules = xdpfw_big_alloc((n + 1) * sizeof(*rules)), nn = 0;
	const struct xdpfw_rule_def **sub = xdpfw_big_alloc((n + 1) * sizeof(*sub));
	struct node *nodes = NULL;
	int rc;

	if (!p || !rules || !sub) {
		rc = -ENOMEM;
		goto out;
	}
	memset(&p[0], 0, sizeof(p[0]));
	p[0].rule = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		memcpy(p[i + 1].addr, cand[i]->dst, 16);
		p[i + 1].plen = (cand[i]->flags & XDPFW_RF_DST) ? cand[i]->dst_plen : 0;
		if (!(cand[i]->flags & XDPFW_RF_DST))
			memset(p[i + 1].addr, 0, 16);
		p[i + 1].rule = i;
	}
	rc = build_forest(&p, n + 1, alen, &nodes, &nn, rules);
	for (size_t k = 0; k < nn && !rc; k++) {
		struct xdpfw_cls v = { 0 };
		size_t m = 0;

		/* candidates whose destination contains this node's prefix: walk up */
		for (long a = k; a >= 0; a = nodes[a].parent)
			for (size_t j = 0; j < nodes[a].count; j++)
				sub[m++] = cand[rules[nodes[a].first + j]];
		rc = decide(c, sub, m, &v);
		if (rc)
			break;
		rc = c->emit->dst(c->emit->ctx, family, class, nodes[k].plen, nodes[k].addr, &v);
		c->st->dst++;
	}
out:
	xdpfw_big_free(p);
	xdpfw_big_free(rules);
	xdpfw_big_free(sub);
	xdpfw_big_free(nodes);
	return rc;
}

/* A source node on the path from the root while compile_family() walks
 * the forest (nodes come in preorder, so a node's parent is the deepest
 * level whose node it is). For a node without destination rules the
 * decision for protocol index p depends only on EFF[p]: its own rules that
 * can match p, then, unless one of those covers every port of p (a
 * port-less rule: its longer source prefix outranks every ancestor's rule
 * everywhere), its parent's EFF[p]. A rule left out of EFF can never win
 * here or below. So a node decides over its own rules and what still
 * competes with them, not over every rule of every ancestor, and a protocol
 * none of its rules names keeps its parent's verdict as it is. */
struct level {
	long node;
	bool dst;				/* a candidate has a destination prefix */
	struct xdpfw_cls v;			/* the node's decision */
	uint8_t chain[XDPFW_NPROTO];		/* parent tables v[p] may lead through */
	const struct xdpfw_rule_def **eff[XDPFW_NPROTO];
	size_t neff[XDPFW_NPROTO];
	const struct xdpfw_rule_def **buf[XDPFW_NPROTO];	/* owned: EFF when new */
	size_t cap[XDPFW_NPROTO];
};

/* Node K's decision when no candidate has a destination prefix: L is its
 * level, UP its parent's (NULL at a root). */
static int decide_node(struct cctx *c, struct level *l, const struct level *up,
		       const struct xdpfw_rule_def *const *own, size_t nown)
{
	for (int p = 0; p < XDPFW_NPROTO; p++) {
		size_t m = 0, nup = up ? up->neff[p] : 0;
		bool covers = false;
		int rc;

		for (size_t i = 0; i < nown; i++)
			if (applies(own[i], p)) {
				m++;
				covers = covers || !xdpfw_rule_has_ports(own[i]);
			}
		if (!m) {
			/* no rule of this node can match p: the parent's decision */
			int j = p == XDPFW_P_TCP ? 0 : 1;

			l->v.v[p] = up ? up->v.v[p] : 0;
			if (up && (p == XDPFW_P_TCP || p == XDPFW_P_UDP)) {
				l->v.lo[j] = up->v.lo[j];
				l->v.hi[j] = up->v.hi[j];
				l->v.rv[j] = up->v.rv[j];
			}
			l->eff[p] = up ? up->eff[p] : NULL;
			l->neff[p] = nup;
			l->chain[p] = up ? up->chain[p] : 0;
			continue;
		}
		if (covers)
			nup = 0;
		if (m + nup > l->cap[p]) {
			size_t cap = l->cap[p] ? l->cap[p] : 8;
			const struct xdpfw_rule_def **nb;

			while (cap < m + nup)
				cap *= 2;
			nb = xdpfw_big_realloc(l->buf[p], cap * sizeof(*nb));
			if (!nb)
				return -ENOMEM;
			l->buf[p] = nb;
			l->cap[p] = cap;
		}
		m = 0;
		for (size_t i = 0; i < nown; i++)
			if (applies(own[i], p))
				l->buf[p][m++] = own[i];
		if (nup)
			memcpy(l->buf[p] + m, up->eff[p], nup * sizeof(*up->eff[p]));
		l->eff[p] = l->buf[p];
		l->neff[p] = m + nup;
		l->chain[p] = 0;
		if (nup && (up->v.v[p] & (XDPFW_V_TABLE | XDPFW_V_INLINE)) == XDPFW_V_TABLE &&
		    up->chain[p] < XDPFW_PORT_CHAIN) {
			/* the parent decides by a table: this table holds only
			 * this node's own rules (they outrank the parent's
			 * wherever they apply) and refers to the parent's
			 * elsewhere, instead of repeating its intervals */
			c->fallback = XDPFW_V_TABLE | XDPFW_V_PARENT | (up->v.v[p] & XDPFW_V_SLOT_MASK);
			rc = decide_proto(c, l->eff[p], m, &l->v, p);
			c->fallback = 0;
			l->chain[p] = up->chain[p] + 1;
		} else {
			rc = decide_proto(c, l->eff[p], l->neff[p], &l->v, p);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The IPv4 source prefixes, as the forest has them (sorted), to the emit
 * callback that may refuse them. */
static int check_src4(struct cctx *c, const struct node *nodes, size_t nn)
{
	uint32_t *addr = xdpfw_big_alloc((nn + 1) * sizeof(*addr));
	uint8_t *plen = xdpfw_big_alloc(nn + 1);
	int rc = -ENOMEM;

	if (addr && plen) {
		for (size_t k = 0; k < nn; k++) {
			addr[k] = (uint32_t)nodes[k].addr[0] << 24 | nodes[k].addr[1] << 16 | nodes[k].addr[2] << 8 |
				  nodes[k].addr[3];
			plen[k] = nodes[k].plen;
		}
		rc = c->emit->src4(c->emit->ctx, addr, plen, nn);
	}
	xdpfw_big_free(addr);
	xdpfw_big_free(plen);
	return rc;
}

/* A family's source forest, ready to walk: its nodes in preorder (node 0
 * the root, /0) and their rules (CR) in walk order. */
struct forest {
	struct node *nodes;
	size_t nn;
	struct crule *cr;
};

static void forest_free(struct forest *f)
{
	xdpfw_big_free(f->nodes);
	xdpfw_big_free(f->cr);
	memset(f, 0, sizeof(*f));
}

static int forest_of(struct cctx *c, int family, struct forest *f)
{
	const struct xdpfw_ruleset *rs = c->rs;
	int alen = family == 4 ? 4 : 16;
	struct pref *p = xdpfw_big_alloc((rs->n + 1) * sizeof(*p));
	size_t *rules = xdpfw_big_alloc((rs->n + 1) * sizeof(*rules)), np = 1;
	int rc;

	memset(f, 0, sizeof(*f));
	if (!p || !rules) {
		rc = -ENOMEM;
		goto out;
	}
	memset(&p[0], 0, sizeof(p[0]));
	p[0].rule = (size_t)-1;
	for (size_t i = 0; i < rs->n; i++) {
		const struct xdpfw_rule_def *d = &rs->r[i].d;

		if (d->family && d->family != family)
			continue;
		memset(&p[np], 0, sizeof(p[np]));
		if (d->flags & XDPFW_RF_SRC) {
			memcpy(p[np].addr, d->src, 16);
			p[np].plen = d->src_plen;
		}
		p[np].rule = i;
		np++;
	}
	rc = build_forest(&p, np, alen, &f->nodes, &f->nn, rules);
	/* the nodes have the prefixes: P's pages go to the arrays after it */
	xdpfw_big_free(p);
	p = NULL;
	if (!rc && family == 4 && c->emit->src4)
		rc = check_src4(c, f->nodes, f->nn);
	/* every entry but the root's is a rule: np - 1 of them, in walk order */
	f->cr = rc ? NULL : xdpfw_big_alloc(np * sizeof(*f->cr));
	if (!rc && !f->cr)
		rc = -ENOMEM;
	for (size_t j = 0; !rc && j + 1 < np; j++) {
		if (j + 17 < np) {
			__builtin_prefetch(&rs->r[rules[j + 16]]);
			__builtin_prefetch(&c->slots[rules[j + 16]]);
		}
		f->cr[j].d = rs->r[rules[j]].d;
		f->cr[j].v = xdpfw_verdict(&f->cr[j].d, c->slots[rules[j]]);
	}
out:
	xdpfw_big_free(p);
	xdpfw_big_free(rules);
	if (rc)
		forest_free(f);
	return rc;
}

/* Walks F's nodes [FROM, TO) with the path from the root on the stack LV
 * (*DEPTH levels deep: the levels of FROM's ancestors, at least): decides
 * each node and emits its entry. */
static int walk_nodes(struct cctx *c, int family, const struct forest *f, struct level *lv, size_t *depth,
		      size_t from, size_t to)
{
	const struct node *nodes = f->nodes;
	int rc = 0;

	for (size_t k = from; k < to && !rc; k++) {
		struct level *l, *up;
		bool dst;

		/* back up to the parent's level; this node's goes above it */
		while (*depth > 0 && lv[*depth - 1].node != nodes[k].parent)
			(*depth)--;
		if (*depth >= MAX_DEPTH)
			return -EINVAL;	/* cannot happen: lengths grow along a path */
		up = *depth ? &lv[*depth - 1] : NULL;
		l = &lv[(*depth)++];
		l->node = k;
		memset(&l->v, 0, sizeof(l->v));
		dst = up && up->dst;
		c->ncand = 0;
		for (size_t j = 0; j < nodes[k].count && !rc; j++) {
			const struct xdpfw_rule_def *d = &f->cr[nodes[k].first + j].d;

			rc = cand_push(c, d);
			dst = dst || ((d->flags & XDPFW_RF_DST) && d->dst_plen);
		}
		l->dst = dst;
		if (rc)
			break;
		if (dst) {
			/* every rule of every ancestor: the destination stage
			 * decides over them all */
			for (long a = nodes[k].parent; a >= 0 && !rc; a = nodes[a].parent)
				for (size_t j = 0; j < nodes[a].count && !rc; j++)
					rc = cand_push(c, &f->cr[nodes[a].first + j].d);
			if (rc)
				break;
			l->v.class = __atomic_add_fetch(c->next_class, 1, __ATOMIC_RELAXED);
			if (l->v.class > XDPFW_MAX_CLASS) {
				rc = -E2BIG;
				break;
			}
			c->st->classes++;
			rc = compile_dst(c, family, l->v.class, c->cand, c->ncand);
		} else {
			rc = decide_node(c, l, up, c->cand, c->ncand);
		}
		if (rc)
			break;
		rc = c->emit->src(c->emit->ctx, family, c->gen, nodes[k].plen, nodes[k].addr, &l->v);
		c->st->src++;
	}
	return rc;
}

static void levels_free(struct level *lv)
{
	for (int d = 0; lv && d < MAX_DEPTH; d++)
		for (int q = 0; q < XDPFW_NPROTO; q++)
			xdpfw_big_free(lv[d].buf[q]);
	free(lv);
}

/* ---- the IPv4 walk on two threads -------------------------------------- */

/* The IPv4 forest's walk shared with xdpfw_compile_two()'s second thread
 * once its IPv6 rules are compiled (they are fewer: it would idle).
 * Below the root the forest is cut into chunks of whole subtrees of the
 * root, so a chunk's walk needs only the root's level from the other
 * thread's stack: each thread takes the next chunk until none is left.
 * The second thread's entries go to EMIT->side (the caller merges them);
 * IPv4 class ids come from one counter, so they stay distinct. */
enum { WALK_PENDING, WALK_READY, WALK_DONE };

struct walk4 {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;			/* WALK_* */
	bool helper_busy;		/* the second thread is walking chunks */
	bool helper_gone;		/* it will take no chunk (test hook) */
	const struct forest *f;
	const struct level *root;	/* the root's level, read-only */
	size_t *chunk, nchunk;		/* chunk i: nodes chunk[i] .. chunk[i + 1] */
	size_t next;			/* the next chunk to take (atomic) */
	bool failed;			/* a chunk failed: take no more (atomic) */
	int helper_rc;
	uint32_t next_class;		/* IPv4 class ids (atomic) */
};

/* Test hook: the first thread waits for the second to take a chunk, so a
 * small set's walk is shared too. */
bool xdpfw_compile_test_share = false;

#define WALK_CHUNKS 64

/* Cuts F below its root into at most WALK_CHUNKS chunks of whole
 * subtrees, about equal in nodes. */
static int walk_chunks(struct walk4 *w, const struct forest *f)
{
	size_t want = (f->nn + WALK_CHUNKS - 1) / WALK_CHUNKS, n = 0;

	w->chunk = xdpfw_big_alloc((WALK_CHUNKS + 1) * sizeof(*w->chunk));
	if (!w->chunk)
		return -ENOMEM;
	for (size_t k = 1; k < f->nn && n < WALK_CHUNKS; k++)
		if (f->nodes[k].parent == 0 && (!n || k - w->chunk[n - 1] >= want))
			w->chunk[n++] = k;
	w->nchunk = n;
	w->chunk[n] = f->nn;
	return 0;
}

/* Takes and walks chunks until none is left or one failed. */
static int walk_share(struct cctx *c, struct walk4 *w, struct level *lv, size_t *depth)
{
	int rc = 0;

	while (!rc && !__atomic_load_n(&w->failed, __ATOMIC_RELAXED)) {
		size_t i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);

		if (xdpfw_compile_test_share && i == 0) {
			pthread_mutex_lock(&w->lock);	/* the first thread waits for it */
			pthread_cond_broadcast(&w->cond);
			pthread_mutex_unlock(&w->lock);
		}
		if (i >= w->nchunk)
			break;
		rc = walk_nodes(c, 4, w->f, lv, depth, w->chunk[i], w->chunk[i + 1]);
	}
	if (rc)
		__atomic_store_n(&w->failed, true, __ATOMIC_RELAXED);
	return rc;
}

/* The first thread's IPv4 walk: the root, then chunks beside the second
 * thread; returns once that thread has left the forest. */
static int walk4_main(struct cctx *c, struct walk4 *w, const struct forest *f, struct level *lv)
{
	size_t depth = 0;
	int rc = walk_nodes(c, 4, f, lv, &depth, 0, f->nn ? 1 : 0);

	if (!rc)
		rc = walk_chunks(w, f);
	pthread_mutex_lock(&w->lock);
	w->f = f;
	w->root = lv;
	w->state = rc ? WALK_DONE : WALK_READY;
	pthread_cond_broadcast(&w->cond);
	while (!rc && xdpfw_compile_test_share && !w->helper_gone && !__atomic_load_n(&w->next, __ATOMIC_RELAXED))
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (!rc)
		rc = walk_share(c, w, lv, &depth);
	pthread_mutex_lock(&w->lock);
	w->state = WALK_DONE;	/* the forest is freed after: no one enters */
	while (w->helper_busy)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* The second thread takes no (more) chunk: after its share, or in its
 * place (its IPv6 compile failed, or it ran inline before the first
 * thread began). */
static void walk4_helper_leaves(struct walk4 *w)
{
	pthread_mutex_lock(&w->lock);
	w->helper_busy = false;
	w->helper_gone = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* The second thread's part: waits for the forest, takes chunks with C (its
 * emit: the side one), and leaves. */
static void walk4_help(struct cctx *c, struct walk4 *w)
{
	struct level *lv = NULL;
	size_t depth = 1;

	pthread_mutex_lock(&w->lock);
	while (w->state == WALK_PENDING)
		pthread_cond_wait(&w->cond, &w->lock);
	w->helper_busy = w->state == WALK_READY;
	pthread_mutex_unlock(&w->lock);
	if (w->helper_busy) {
		lv = calloc(MAX_DEPTH, sizeof(*lv));
		if (lv) {
			/* the root's decision, its buffers left to their owner */
			lv[0] = *w->root;
			memset(lv[0].buf, 0, sizeof(lv[0].buf));
			memset(lv[0].cap, 0, sizeof(lv[0].cap));
			w->helper_rc = walk_share(c, w, lv, &depth);
		}
		levels_free(lv);
	}
	walk4_helper_leaves(w);
}

/* The first thread failed before its walk: no forest to share. */
static void walk4_main_failed(struct walk4 *w)
{
	pthread_mutex_lock(&w->lock);
	w->state = WALK_DONE;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static int compile_family(struct cctx *c, int family)
{
	struct level *lv = calloc(MAX_DEPTH, sizeof(*lv));
	struct forest f = { 0 };
	size_t depth = 0;
	int rc = lv ? forest_of(c, family, &f) : -ENOMEM;

	if (!rc && family == 4 && c->w)
		rc = walk4_main(c, c->w, &f, lv);
	else if (!rc)
		rc = walk_nodes(c, family, &f, lv, &depth, 0, f.nn);
	else if (family == 4 && c->w)
		walk4_main_failed(c->w);
	levels_free(lv);
	forest_free(&f);
	return rc;
}

/* C's scratch. */
static void cctx_free(struct cctx *c)
{
	xdpfw_big_free(c->cand);
	scratch_free(&c->dsub);
	scratch_free(&c->port);
	scratch_free(&c->sport);
}

/* FAMILY's rules (4, 6; 0: both, IPv4 first) in one context; PM: the
 * port tables emitted so far; W: IPv4's walk to share, or NULL. */
static int compile_families(const struct xdpfw_ruleset *rs, const uint32_t *slots, unsigned gen,
			    const struct xdpfw_emit *emit, struct xdpfw_compile_stats *st, int family,
			    struct ptmemo *pm, struct walk4 *w)
{
	struct xdpfw_compile_stats dummy;
	uint32_t class4 = 0, class6 = 0;
	struct cctx c = { .rs = rs, .slots = slots, .gen = gen & 1, .emit = emit,
			  .st = st ? st : &dummy, .pm = pm, .w = w };
	int rc = 0;

	memset(c.st, 0, sizeof(*c.st));
	c.next_class = w ? &w->next_class : &class4;
	if (family != 6)
		rc = compile_family(&c, 4);
	c.next_class = &class6;
	if (!rc && family != 4)
		rc = compile_family(&c, 6);
	cctx_free(&c);
	return rc;
}

static void ptmemo_free(struct ptmemo *pm)
{
	for (size_t i = 0; i < pm->nmemo; i++)
		free(pm->memo[i].data);
	xdpfw_big_free(pm->memo);
	xdpfw_big_free(pm->mhash);
	pthread_mutex_destroy(&pm->lock);
}

int xdpfw_compile(const struct xdpfw_ruleset *rs, const uint32_t *slots, unsigned gen,
		  const struct xdpfw_emit *emit, struct xdpfw_compile_stats *st)
{
	struct ptmemo pm = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int rc = compile_families(rs, slots, gen, emit, st, 0, &pm, NULL);

	ptmemo_free(&pm);
	return rc;
}

/* The second thread's part of xdpfw_compile_two(). */
struct compile6 {
	const struct xdpfw_ruleset *rs;
	const uint32_t *slots;
	unsigned gen;
	const struct xdpfw_emit *emit;
	struct ptmemo *pm;
	void (*side)(void *arg);
	void *side_arg;
	struct walk4 *w;	/* NULL: no IPv4 chunk taken here */
	pthread_t caller;	/* the first thread (this job may run inline there) */
	struct xdpfw_compile_stats st;
	int rc;
};

static void compile6_run(void *arg)
{
	struct compile6 *j = arg;

	if (j->side)
		j->side(j->side_arg);
	j->rc = compile_families(j->rs, j->slots, j->gen, j->emit->side ? j->emit->side : j->emit, &j->st, 6,
				 j->pm, NULL);
	if (!j->w)
		return;
	if (j->rc || pthread_equal(pthread_self(), j->caller)) {
		/* failed (the first thread's emits fail too), or inline: the
		 * first thread has not begun, and will walk alone */
		walk4_helper_leaves(j->w);
	} else {
		struct xdpfw_compile_stats st4 = { 0 };
		struct cctx c = { .rs = j->rs, .slots = j->slots, .gen = j->gen & 1, .emit = j->emit->side,
				  .st = &st4, .pm = j->pm, .w = j->w, .next_class = &j->w->next_class };

		walk4_help(&c, j->w);
		cctx_free(&c);
		j->st.src += st4.src;
		j->st.dst += st4.dst;
		j->st.port += st4.port;
		j->st.classes += st4.classes;
		j->st.tables += st4.tables;
		j->st.shared4 = st4.src;
	}
}

/* The error of a compile whose families ran at once: one that says the
 * set does not fit (what the emit callbacks report) before another, and
 * -ECANCELED (the other family stopped by it) last. */
static int pick_error(int a, int b)
{
	if (!a || a == -ECANCELED)
		return b ?: a;
	if (!b || b == -ECANCELED || a == -E2BIG || a == -ENOSPC)
		return a;
	return b == -E2BIG || b == -ENOSPC ? b : a;
}

int xdpfw_compile_two(const struct xdpfw_ruleset *rs, const uint32_t *slots, unsigned gen,
		      const struct xdpfw_emit *emit, struct xdpfw_compile_stats *st,
		      void (*side)(void *arg), void *side_arg)
{
	struct ptmemo pm = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct walk4 w = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct compile6 j = { rs, slots, gen, emit, &pm, side, side_arg, emit->side ? &w : NULL, pthread_self() };
	struct xdpfw_compile_stats dummy, *s = st ? st : &dummy;
	struct xdpfw_bgjob job;
	int rc;

	xdpfw_bgjob_start(&job, compile6_run, &j, true);
	rc = compile_families(rs, slots, gen, emit, s, 4, &pm, j.w);
	xdpfw_bgjob_wait(&job);
	rc = pick_error(rc, w.helper_rc);
	xdpfw_big_free(w.chunk);
	pthread_cond_destroy(&w.cond);
	s->src += j.st.src;
	s->dst += j.st.dst;
	s->port += j.st.port;
	s->classes += j.st.classes;
	s->tables += j.st.tables;
	s->shared4 = j.st.shared4;
	ptmemo_free(&pm);
	return pick_error(rc, j.rc);
}
