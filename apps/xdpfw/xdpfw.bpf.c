// SPDX-License-Identifier: GPL-2.0
/* xdpfw.bpf.c — the xdpfw datapath: one XDP program that classifies every
 * IPv4/IPv6 packet against the compiled rule set (see xdpfw_common.h) with a
 * bounded number of map lookups (never a loop over rules: see
 * xdpfw_common.h), counts it per rule and per action, and
 * passes or drops it.
 *
 * Handled: up to 2 VLAN tags, IPv4 options, IPv6 extension headers (hop-by-
 * hop, routing, destination options, fragment, AH), fragments (the first
 * fragment's verdict is remembered so later fragments, which carry no ports,
 * get the same one; a later fragment whose first fragment was not seen is
 * dropped), truncated headers (dropped). ARP and IPv6 neighbour discovery
 * always pass so a default-deny policy cannot cut the host off its LAN. */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>
#include "xdpfw_common.h"

#define ETH_P_ARP_BE	bpf_htons(0x0806)
#define IPPROTO_ICMPV6_	58
#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define V6_EXT_MAX	6

const volatile struct xdpfw_opts xdpfw_opts = {
	.log_rate = 100,
	.pass_lockout = 1,
	.root_bits = XDPFW_TRIE_ROOT_BITS,
	.trie_half = XDPFW_TRIE_HALF_DEFAULT,
	.class_half = XDPFW_CLASS_HALF_DEFAULT,
	.tab6_half = XDPFW_TAB6_HALF_DEFAULT,
	.ptab_half = XDPFW_PTAB_HALF_DEFAULT,
};

/* cfg, the prefix-length lists and the tables (xdpfw_common.h: the class
 * pool, IPv6 hash table, IPv4 trie and port tables) are global variables,
 * each in its own data section: libbpf makes each an array map of one value
 * that the datapath reads at a constant address. A map lookup instead is,
 * to clang, a call that clobbers r1-r5, so whatever is live across it is
 * spilled, and its key goes through the stack: ~1.2 ns a lookup (measured
 * by adding one to the IPv4 path). A table's value holds both generations'
 * halves back to back; its size here only names its type: state.c creates
 * the map at its real size (`xdpfw load --max-rules`) before load, and the
 * halves are read with plain loads bounded by xdpfw_opts. */
SEC(".data.xdpfw_cfg") struct xdpfw_cfg xdpfw_cfg;
SEC(".data.xdpfw_plens") struct xdpfw_plens xdpfw_plens[XDPFW_NPLENS];
SEC(".data.xdpfw_class") struct xdpfw_cls xdpfw_class[2];
SEC(".data.xdpfw_tab6") struct xdpfw_slot6 xdpfw_tab6[2];
/* Named xdpfw_trie since records (XDPFW_TRIE_REC, XDPFW_TRIE_ONE), xdpfw_trie4
 * before: a state pinned by an older xdpfw, whose datapath would read a
 * record as a chunk, lacks this map and is refused as another version's. */
SEC(".data.xdpfw_trie") __u32 xdpfw_trie[2 * XDPFW_TRIE_BLK];
SEC(".data.xdpfw_ptab") struct xdpfw_pent xdpfw_ptab[2];

/* Per-rule counters: one value per CPU (the key is the CPU's id), each an
 * array of counters by slot; state.c creates the map at its real size
 * (`xdpfw load --max-rules`; xdpfw_opts.slots) before load. Not a per-CPU
 * array map: its lookup reads the slot's per-CPU pointer before the
 * counter, one more cache miss per packet on live traffic (2-3 ns of
 * bpf_stats time with 64k sources). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} xdpfw_rulecnt SEC(".maps");

/* Rule definitions: user space only (apply reads and writes them through
 * mmap, a million without a syscall each). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xdpfw_rule_def);
} xdpfw_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_NTOTALS);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} xdpfw_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct xdpfw_frag_key);
	__type(value, __u32);
} xdpfw_frags SEC(".maps");

/* Log rate limiter: per-CPU {second, events this second}. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[2]);
} xdpfw_lograte SEC(".maps");

struct pkt {
	__u8 family;
	__u8 pidx;		/* XDPFW_P_* */
	__u8 ipproto;
	__u8 later_frag;	/* a fragment with offset != 0 */
	__u8 first_frag;	/* offset 0 and more fragments follow */
	__be16 sport, dport;
	__u32 frag_id;
	__u8 *saddr, *daddr;
	__u64 len;
};

static __always_inline void count(__u32 idx, __u64 len)
{
	struct xdpfw_counter *c = bpf_map_lookup_elem(&xdpfw_totals, &idx);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

static __always_inline __u8 proto_index(__u8 p)
{
	switch (p) {
	case IPPROTO_TCP_: return XDPFW_P_TCP;
	case IPPROTO_UDP_: return XDPFW_P_UDP;
	case IPPROTO_ICMP_: return XDPFW_P_ICMP;
	case IPPROTO_ICMPV6_: return XDPFW_P_ICMPV6;
	default: return XDPFW_P_OTHER;
	}
}

/* Ports of a TCP/UDP first fragment (or unfragmented packet): -1 if the L4
 * header is truncated. */
static __always_inline int parse_ports(struct bk_cursor *c, struct pkt *p)
{
	__be16 *ports;

	if (p->later_frag || (p->pidx != XDPFW_P_TCP && p->pidx != XDPFW_P_UDP))
		return 0;
	/* both headers start with the two ports; TCP needs its full header */
	ports = bk_pull(c, p->pidx == XDPFW_P_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr));
	if (!ports)
		return -1;
	p->sport = ports[0];
	p->dport = ports[1];
	return 0;
}

/* Whether IDX < N, in a form the verifier can use: clang would otherwise
 * compute the entry's address from a copy of IDX before the compare, and
 * the verifier bounds only the register compared. */
static __always_inline int below(__u32 *idx, __u32 n)
{
	if (*idx >= n)
		return 0;
	asm volatile("" : "+r"(*idx));
	return 1;
}

/* Generation GEN's half (HALF entries) of table T: the second follows the
 * first. The empty asm hides T's declared size from clang (the map's real
 * one is set at load) and that the generation is 0 or 1: clang would make
 * the product a branch, and the verifier would walk what follows twice. */
#define half_of(t, gen, half)                                                   \
	({                                                                      \
		typeof(&(t)[0]) b_ = (t);                                       \
		__u64 g_ = (gen) & 1;                                           \
		asm volatile("" : "+r"(b_), "+r"(g_));                          \
		b_ + g_ * (__u64)(half);                                        \
	})

/* The verdict of PORT in the port table whose header is entry T of the
 * half PT: binary search for the last interval starting at or below PORT.
 * An entry past the half (only from a corrupt table) reads as no verdict.
 *
 * Each step moves lo and hi by an all-ones or zero mask. clang still
 * makes the mask with a short jump (r = -1; if start > port: r = 0), but
 * lo and hi are computed after it, not assigned on two paths: the whole
 * program verifies in ~0.44M instructions this way, against 0.98M (of
 * the 1M limit) with "if (start <= port) lo = mid; else hi = mid;".
 * Measured, not fully explained; a form with no jump at all (the
 * difference hidden from clang before its shift) exceeds the limit, so
 * check the count (unit test verifier-headroom) after touching this. */
static __always_inline __u32 port_find(const struct xdpfw_pent *pt, __u32 t, __u32 port)
{
	__u64 lo = 0, hi, mid, idx, up;

	if (!below(&t, xdpfw_opts.ptab_half))
		return 0;
	hi = pt[t].start;
	for (__u32 i = 0; i < 17; i++) {
		if (lo + 1 >= hi)
			break;
		mid = (lo + hi) / 2;
		idx = t + 1 + mid;
		if (idx >= xdpfw_opts.ptab_half)
			return 0;
		/* all ones where the interval at MID starts above PORT */
		up = ((__u64)port - pt[idx].start) >> 63;
		up = -up;
		asm volatile("" : "+r"(up));
		hi = (mid & up) | (hi & ~up);
		lo = (lo & up) | (mid & ~up);
	}
	idx = t + 1 + lo;
	return idx < xdpfw_opts.ptab_half ? pt[idx].v : 0;
}

/* V's verdict for PORTS (source port << 16 | destination port, network
 * byte order each): V itself, or its dport table's, or that interval's
 * sport table's, following XDPFW_V_PARENT to the parent prefix's dport
 * table (at most XDPFW_PORT_CHAIN times: the compiler merges deeper
 * chains). Inline: a bpf-to-bpf call and its return cost ~10 ns a packet
 * on kernels with return thunks against SRSO (AMD); with port_find's
 * mask steps the verifier walks it per parse path in ~0.25M
 * instructions (as a global function with lo and hi set on two paths,
 * it took ~0.8M alone, most of the 1M budget). */
static __always_inline __u32 ports_lookup(__u32 gen, __u32 v, __u32 ports)
{
	__u32 dport = bpf_ntohs((__be16)(ports & 0xffff)), sport = bpf_ntohs((__be16)(ports >> 16));
	const struct xdpfw_pent *pt = half_of(xdpfw_ptab, gen, xdpfw_opts.ptab_half);

	for (__u32 i = 0; i <= XDPFW_PORT_CHAIN; i++) {
		if (!(v & XDPFW_V_TABLE))
			return v;
		/* a dport table: the class's, or a parent's (XDPFW_V_PARENT) */
		v = port_find(pt, v & XDPFW_V_SLOT_MASK, dport);
		if ((v & (XDPFW_V_TABLE | XDPFW_V_PARENT)) == XDPFW_V_TABLE)
			/* the dport interval's rules differ by source port */
			v = port_find(pt, v & XDPFW_V_SLOT_MASK, sport);
		if ((v & (XDPFW_V_TABLE | XDPFW_V_PARENT)) == XDPFW_V_TABLE)
			return 0;
	}
	/* the last table's verdict; a further table only from a corrupt chain */
	return v & XDPFW_V_TABLE ? 0 : v;
}

/* The verdict of class CLS for protocol index PIDX and PORTS. */
static __always_inline __u32 pick(const struct xdpfw_cls *cls, __u32 pidx, __u32 ports, __u32 gen)
{
	__u32 v, j;
	__u16 port;

	if (pidx >= XDPFW_NPROTO)
		return 0;
	v = cls->v[pidx];
	if (v & XDPFW_V_INLINE) {
		j = pidx == XDPFW_P_TCP ? 0 : 1;
		port = bpf_ntohs((__be16)(ports & 0xffff));
		v = port >= cls->lo[j] && port <= cls->hi[j] ? cls->rv[j] : v & ~XDPFW_V_INLINE;
	}
	/* a table, or (inline) the parent prefix's table */
	return v & XDPFW_V_TABLE ? ports_lookup(gen, v, ports) : v;
}

/* A probe sequence past its home slot (j = 1 ..): the slot index + 1 of
 * {tag, key}, 0 if absent. Global functions, so the verifier walks each
 * probe loop once, not once per prefix length and parse path; the home slot
 * itself, which decides most lookups, is probed inline by the callers. */
struct probe {
	__u32 k[4];
	__u32 tag, gen, mask, h;
};

__noinline __u32 xdpfw_probe6(struct probe *q)
{
	const struct xdpfw_slot6 *t6;

	if (!q)
		return 0;
	t6 = half_of(xdpfw_tab6, q->gen, xdpfw_opts.tab6_half);
	for (__u32 j = 1; j < XDPFW_MAX_PROBE; j++) {
		__u32 idx = (q->h + j) & q->mask;
		const struct xdpfw_slot6 *s;

		if (!below(&idx, xdpfw_opts.tab6_half))
			break;
		s = &t6[idx];
		if (!s->tag)
			break;
		if (s->tag == q->tag && s->addr[0] == q->k[0] && s->addr[1] == q->k[1] &&
		    s->addr[2] == q->k[2] && s->addr[3] == q->k[3])
			return idx + 1;
	}
	return 0;
}

/* The leaf of the longest prefix containing ADDR (host byte order) in the
 * trie region at BASE of the generation's trie half T: 0 if none, else a
 * class reference (pool index + 1; IPv6: maybe with XDPFW_TRIE_SEARCH) or
 * a direct verdict (XDPFW_TRIE_DIRECT). ROOT (a constant): start at the
 * region's 2^ROOT-entry source root (its first chunk), else (0) at the
 * pointer E (a destination trie's root). Below the root every chunk has 16
 * entries (table.c: 4-bit strides), so a level is one shift of A and one
 * load, at most DEPTH of them.
 *
 * The levels are a chain of dependent reads, so what counts is the work
 * between one read and the next:
 * - A holds the address bits not consumed yet at its top, so an index is
 *   one shift of A, no bit position is kept;
 * - unrolled: a loop also kept a counter and a position and spilled them to
 *   the stack at every level;
 * - a plain load from the half, no map lookup per level (xdpfw_common.h),
 *   bounded by the half's size read once (a load-time constant, so the
 *   verifier knows it); an index past it would only come from a corrupt
 *   trie and reads as 0 (no prefix);
 * - 64-bit index arithmetic: no 32-bit truncations (an index past the half
 *   fails the bound all the same). */
static __always_inline __u32 walk4(const __u32 *t, __u64 base, __u32 e, __u32 addr, int root, int depth)
{
	__u64 a = (__u64)addr << 32, half = xdpfw_opts.trie_half, idx;

	if (root) {
		idx = base + (a >> (64 - root));
		e = idx < half ? t[idx] : 0;
		a <<= root;
	}
#pragma unroll
	for (int i = 0; i < depth; i++) {
		if (!(e & XDPFW_TRIE_PTR))
			return e;
		if (root && e >= XDPFW_TRIE_REC)
			break;	/* the one longer prefix below: a record */
		idx = base + (e & XDPFW_TRIE_OFF) + (a >> 60);
		e = idx < half ? t[idx] : 0;
		a <<= 4;
	}
	if (root && e >= XDPFW_TRIE_REC) {
		idx = base + (e & XDPFW_TRIE_OFF);
		if (idx > half - XDPFW_TRIE_REC_SIZE)
			return 0;	/* only from a corrupt trie (the last
					 * record may end the half) */
		e = (addr & t[idx + 1]) == t[idx] ? t[idx + 2] : t[idx + 3];
	}
	return e & XDPFW_TRIE_PTR ? 0 : e;
}

/* The leaf for ADDR in the source trie region at BASE: a root of
 * xdpfw_opts.root_bits, then 4-bit levels to /32. That width is a load-time
 * constant, so the verifier drops the walk not taken. */
static __always_inline __u32 walk_src(const __u32 *t, __u64 base, __u32 addr)
{
	if (xdpfw_opts.root_bits == XDPFW_TRIE_BIG_ROOT_BITS)
		return walk4(t, base, 0, addr, XDPFW_TRIE_BIG_ROOT_BITS, (32 - XDPFW_TRIE_BIG_ROOT_BITS) / 4);
	return walk4(t, base, 0, addr, XDPFW_TRIE_ROOT_BITS, (32 - XDPFW_TRIE_ROOT_BITS) / 4);
}

/* Class IDX of generation GEN's half of the pool; NULL past the half
 * (only from a corrupt table). Looked up here, not per packet: most packets
 * read no class (a miss, or a leaf with its verdict, XDPFW_TRIE_DIRECT). */
static __always_inline const struct xdpfw_cls *class_at(__u32 gen, __u32 idx)
{
	const struct xdpfw_cls *cp = half_of(xdpfw_class, gen, xdpfw_opts.class_half);

	return below(&idx, xdpfw_opts.class_half) ? &cp[idx] : NULL;
}

/* The class with pool index + 1 REF in PL's region of the pool. */
static __always_inline const struct xdpfw_cls *class_of(__u32 gen, struct xdpfw_plens *pl, __u32 ref)
{
	return class_at(gen, pl->cbase + ref - 1);
}

/* The slot of ADDR cut to the length E (IPv6) under class tag CTAG in the
 * generation's hash table half T6, NULL if absent: the home slot inline,
 * the rest of the probe sequence by xdpfw_probe6 (Q: gen and mask set; gets
 * the key). SHIFT: the table's hash shift. */
static __always_inline const struct xdpfw_slot6 *find6(const struct xdpfw_slot6 *t6, struct probe *q,
						       const struct xdpfw_plen *e, __u32 ctag, __u32 shift,
						       const __u32 *addr)
{
	const struct xdpfw_slot6 *s;
	__u32 idx, f;

	q->k[0] = addr[0] & e->mask[0];
	q->k[1] = addr[1] & e->mask[1];
	q->k[2] = addr[2] & e->mask[2];
	q->k[3] = addr[3] & e->mask[3];
	q->tag = ctag | (e->plen + 1);
	q->h = xdpfw_hash6(q->tag, q->k) >> shift;
	idx = q->h & q->mask;
	if (!below(&idx, xdpfw_opts.tab6_half))
		return NULL;	/* only from a corrupt table */
	s = &t6[idx];
	if (s->tag == q->tag && s->addr[0] == q->k[0] && s->addr[1] == q->k[1] && s->addr[2] == q->k[2] &&
	    s->addr[3] == q->k[3])
		return s;
	/* the home slot holds another entry (or none: a miss) */
	f = s->tag ? xdpfw_probe6(q) : 0;
	f--;	/* 0 (none) wraps past the half */
	return below(&f, xdpfw_opts.tab6_half) ? &t6[f] : NULL;
}

/* Length index I of PL, bounded in the register the access uses. */
static __always_inline const struct xdpfw_plen *plen_at(struct xdpfw_plens *pl, __u32 i)
{
	asm volatile("%0 &= 0xff; if %0 < 129 goto +1; %0 = 0" : "+r"(i));
	return &pl->e[i];
}

/* The class reference (pool index + 1, or the class's XDPFW_TRIE_DIRECT
 * verdict; 0: none) of the longest prefix containing ADDR under class tag
 * CTAG in the generation's hash table half T6 (IPv6): binary search on the lengths in use (ascending in PL) with
 * markers (table.c: xdpfw_bspl_markers): a hit moves to the longer half and
 * records the entry's class, a miss to the shorter half. At most
 * ceil(log2(lengths + 1)) probes: 8 for all 129. */
static __always_inline __u32 longest6(const struct xdpfw_slot6 *t6, __u32 gen, struct xdpfw_plens *pl, __u32 ctag,
				       const __u32 *addr)
{
	struct probe q = { .gen = gen, .mask = pl->mask };
	__u32 lo = 0, hi = pl->n, shift = pl->shift & 63, best = 0;

	for (__u32 i = 0; i < 8; i++) {
		__u32 mid = (lo + hi) / 2;
		const struct xdpfw_slot6 *s;

		if (lo >= hi)
			break;
		s = find6(t6, &q, plen_at(pl, mid), ctag, shift, addr);
		if (s) {
			if (s->cls)
				best = s->cls;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return best;
}

static __always_inline struct xdpfw_plens *plens_of(__u32 gen, __u32 family, __u32 stage)
{
	return &xdpfw_plens[(gen & 1) * 4 + (family == 6) * 2 + (stage & 1)];
}

/* The verdict for an IPv4 packet: the source trie's leaf (a /0 rule is
 * painted over the trie like any prefix), then, if its class has
 * destination rules, that class's destination trie, then the port stage.
 * Inline: a few array reads (as a global function, the call cost more than
 * the spills it saved). IPv4's classes start the pool's half, so it needs
 * no plens read; DA points into the packet, read only for destination
 * rules. */
static __always_inline __u32 classify4(__u32 gen_pidx, __u32 saddr, const __u32 *da, __u32 ports)
{
	__u32 gen = gen_pidx >> 8, leaf;
	const __u32 *t = half_of(xdpfw_trie, gen, xdpfw_opts.trie_half);
	const struct xdpfw_cls *cls;

	leaf = walk_src(t, 0, bpf_ntohl(saddr));
	if (leaf & XDPFW_TRIE_DIRECT)
		return xdpfw_trie_verdict(leaf);
	cls = leaf ? class_at(gen, leaf - 1) : NULL;
	if (!cls)
		return 0;
	if (cls->class) {
		leaf = walk4(t, 0, cls->class, bpf_ntohl(*da), 0, XDPFW_TRIE4_DEPTH);
		if (leaf & XDPFW_TRIE_DIRECT)
			return xdpfw_trie_verdict(leaf);
		cls = leaf ? class_at(gen, leaf - 1) : NULL;
		if (!cls)
			return 0;
	}
	return pick(cls, gen_pidx & 0xff, ports, gen);
}

struct addr6 {
	__u32 a[4];
};

/* The class reference of the longest IPv6 prefix containing A that the
 * length search holds: sources (CTAG 0: prefixes longer than the trie's
 * cut) or the destinations of the class tagged CTAG. A global function:
 * verified once, not per IPv6 parse path (its loop is long). */
__noinline __u32 xdpfw_search6(__u32 gen, __u32 ctag, struct addr6 *a)
{
	struct xdpfw_plens *pl = plens_of(gen, 6, ctag ? 1 : 0);
	const struct xdpfw_slot6 *t6 = half_of(xdpfw_tab6, gen, xdpfw_opts.tab6_half);

	if (!a)
		return 0;
	return longest6(t6, gen, pl, ctag, a->a);
}

/* The same for IPv6, inline like classify4 (a call and its arguments'
 * copy cost ~4 ns a packet): the first 32 bits of the source through the
 * trie (prefixes of /32 and shorter), the length search only where longer
 * ones exist (XDPFW_TRIE_SEARCH) and for destination rules. SA and DA point
 * into the packet. */
static __always_inline __u32 classify6(__u32 gen_pidx, const __u32 *sa, const __u32 *da, __u32 ports)
{
	__u32 gen = gen_pidx >> 8, ref;
	struct xdpfw_plens *pl = plens_of(gen, 6, 0);
	const __u32 *t = half_of(xdpfw_trie, gen, xdpfw_opts.trie_half);
	const struct xdpfw_cls *cls = NULL;

	ref = walk_src(t, pl->tbase, bpf_ntohl(sa[0]));
	if (ref & XDPFW_TRIE_ONE) {
		/* one longer prefix under this /32: its record decides */
		const struct xdpfw_one6 *o = (const void *)class_of(gen, pl, ref & XDPFW_V_SLOT_MASK);

		if (!o)
			return 0;
		ref = (sa[0] & o->mask[0]) == o->addr[0] && (sa[1] & o->mask[1]) == o->addr[1] &&
				      (sa[2] & o->mask[2]) == o->addr[2] && (sa[3] & o->mask[3]) == o->addr[3] ?
			      o->in :
			      o->out;
	} else if (ref & XDPFW_TRIE_SEARCH) {
		__u32 hint = ref >> XDPFW_TRIE_HINT_SHIFT & XDPFW_TRIE_HINT_MASK, longer;

		if (hint && hint <= pl->n) {
			/* one length under this /32: one probe, inline */
			const struct xdpfw_slot6 *t6 = half_of(xdpfw_tab6, gen, xdpfw_opts.tab6_half), *s;
			struct probe q = { .gen = gen, .mask = pl->mask };

			s = find6(t6, &q, plen_at(pl, hint - 1), 0, pl->shift & 63, sa);
			longer = s ? s->cls : 0;
		} else {
			struct addr6 a = { { sa[0], sa[1], sa[2], sa[3] } };

			longer = xdpfw_search6(gen, 0, &a);
		}
		ref = longer ? longer : ref & XDPFW_V_SLOT_MASK;
	}
	if (ref & XDPFW_TRIE_DIRECT)	/* a leaf's or a slot's own verdict */
		return xdpfw_trie_verdict(ref);
	if (ref)
		cls = class_of(gen, pl, ref);
	else if (pl->has_root)
		cls = &pl->root;
	if (!cls)
		return 0;
	if (cls->class) {
		struct addr6 a = { { da[0], da[1], da[2], da[3] } };

		ref = xdpfw_search6(gen, cls->class << 8, &a);
		if (ref & XDPFW_TRIE_DIRECT)
			return xdpfw_trie_verdict(ref);
		pl = plens_of(gen, 6, 1);
		cls = ref ? class_of(gen, pl, ref) : NULL;
		if (!cls)
			return 0;
	}
	return pick(cls, gen_pidx & 0xff, ports, gen);
}

static __always_inline __u32 classify(__u32 gen, struct pkt *p)
{
	__u32 gp = (gen & 1) << 8 | p->pidx, ports = (__u32)p->sport << 16 | p->dport;

	if (p->family == 6)
		/* word loads: a byte pointer would make clang copy byte by byte
		 * (packet memory is only 2-byte aligned here; BPF allows that) */
		return classify6(gp, (const __u32 *)p->saddr, (const __u32 *)p->daddr, ports);
	return classify4(gp, *(__u32 *)p->saddr, (const __u32 *)p->daddr, ports);
}

static __always_inline void frag_key(struct xdpfw_frag_key *k, struct pkt *p)
{
	if (p->family == 4) {
		__builtin_memcpy(k->saddr, p->saddr, 4);
		__builtin_memcpy(k->daddr, p->daddr, 4);
	} else {
		__builtin_memcpy(k->saddr, p->saddr, 16);
		__builtin_memcpy(k->daddr, p->daddr, 16);
	}
	k->id = p->frag_id;
	k->family = p->family;
	k->proto = p->ipproto;
}

/* A denied packet of a 'log' rule, through the bpfkit log pipeline
 * (bpfkit/log.h; read by `xdpfw log`), at most log_rate per CPU and second. */
static __always_inline void log_denial(struct xdp_md *ctx, __u32 slot, struct pkt *p)
{
	__u32 zero = 0, sport = bpf_ntohs(p->sport), dport = bpf_ntohs(p->dport), proto = p->ipproto;
	__u64 *rl = bpf_map_lookup_elem(&xdpfw_lograte, &zero);
	__u64 sec = bpf_ktime_get_ns() / 1000000000ull;
	__u8 s[16], d[16], s4[4], d4[4];

	if (!rl)
		return;
	if (rl[0] != sec) {
		rl[0] = sec;
		rl[1] = 0;
	}
	if (rl[1] >= xdpfw_opts.log_rate) {
		count(XDPFW_T_LOG_SUPPRESSED, p->len);
		return;
	}
	rl[1]++;
	if (p->family == 4) {
		__builtin_memcpy(s4, p->saddr, 4);
		__builtin_memcpy(d4, p->daddr, 4);
		bk_warn(ctx, "xdpfw: deny rule %u: proto %u %pI4 port %u > %pI4 port %u", slot, proto, s4,
			sport, d4, dport);
	} else {
		__builtin_memcpy(s, p->saddr, 16);
		__builtin_memcpy(d, p->daddr, 16);
		bk_warn(ctx, "xdpfw: deny rule %u: proto %u %pI6 port %u > %pI6 port %u", slot, proto, s,
			sport, d, dport);
	}
	count(XDPFW_T_LOGGED, p->len);
}

/* Walks IPv6 extension headers to the upper-layer protocol; notes fragment
 * offset and id. -1 on truncation. */
static __always_inline int parse_v6_ext(struct bk_cursor *c, struct pkt *p, __u8 nh)
{
#pragma unroll
	for (int i = 0; i < V6_EXT_MAX; i++) {
		__u8 *h;

		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			h = bk_pull(c, 8);
			if (!h)
				return -1;
			if (!bk_pull(c, h[1] * 8))
				return -1;
			nh = h[0];
			break;
		case 51:	/* AH: length in 4-octet units, minus 2 */
			h = bk_pull(c, 8);
			if (!h)
				return -1;
			if (!bk_pull(c, h[1] * 4))
				return -1;
			nh = h[0];
			break;
		case 44: {	/* fragment */
			__be16 off;

			h = bk_pull(c, 8);
			if (!h)
				return -1;
			nh = h[0];
			__builtin_memcpy(&off, h + 2, 2);
			__builtin_memcpy(&p->frag_id, h + 4, 4);
			if (bpf_ntohs(off) & 0xfff8)
				p->later_frag = 1;
			else if (bpf_ntohs(off) & 1)
				p->first_frag = 1;
			break;
		}
		default:
			p->ipproto = nh;
			return 0;
		}
		if (p->later_frag) {
			p->ipproto = nh;
			return 0;
		}
	}
	return -1;	/* more extension headers than we follow: treat as malformed */
}

SEC("xdp")
int xdpfw(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	struct pkt p = { .len = ctx->data_end - ctx->data };
	struct xdpfw_counter *rc;
	__u32 gen, policy, v, slot, tidx, cpu;
	int action = XDP_PASS;
	__be16 eproto;

	/* read once: the generation and its policy are all xdpfw() needs from
	 * cfg (the next packet may see the next generation) */
	gen = *(volatile __u32 *)&xdpfw_cfg.gen & 1;
	policy = *(volatile __u32 *)&xdpfw_cfg.policy[gen];
	if (!bk_parse_eth(&c, &eproto))
		goto malformed;
	if (eproto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = bk_parse_ipv4(&c);
		__u16 frag;

		if (!ip)
			goto malformed;
		p.family = 4;
		p.saddr = (__u8 *)&ip->saddr;
		p.daddr = (__u8 *)&ip->daddr;
		p.ipproto = ip->protocol;
		frag = bpf_ntohs(ip->frag_off);
		p.frag_id = ip->id;
		if (frag & IP_OFFSET)
			p.later_frag = 1;
		else if (frag & IP_MF)
			p.first_frag = 1;
	} else if (eproto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = bk_parse_ipv6(&c);

		if (!ip6 || parse_v6_ext(&c, &p, ip6->nexthdr))
			goto malformed;
		p.family = 6;
		p.saddr = (__u8 *)&ip6->saddr;
		p.daddr = (__u8 *)&ip6->daddr;
		if (xdpfw_opts.pass_lockout && p.ipproto == IPPROTO_ICMPV6_ && !p.later_frag) {
			__u8 *type = bk_pull(&c, 1);

			if (type && *type >= 133 && *type <= 137) {
				tidx = XDPFW_T_LOCKOUT_PASS;
				goto count_out;
			}
			c.pos = type ? (void *)type : c.pos;
		}
	} else if (eproto == ETH_P_ARP_BE && xdpfw_opts.pass_lockout) {
		tidx = XDPFW_T_LOCKOUT_PASS;
		goto count_out;
	} else {
		/* not IP: only the default policy can decide */
		goto verdict_default;
	}

	p.pidx = proto_index(p.ipproto);
	if (p.later_frag) {
		struct xdpfw_frag_key fk = {};
		__u32 *fv;

		frag_key(&fk, &p);
		fv = bpf_map_lookup_elem(&xdpfw_frags, &fk);
		if (!fv || (*fv & XDPFW_V_DENY)) {
			tidx = XDPFW_T_FRAG_DROP;
			action = XDP_DROP;
			goto count_out;
		}
		v = *fv & ~XDPFW_V_SEEN;
		goto apply;
	}
	if (parse_ports(&c, &p))
		goto malformed;
#ifndef XDPFW_BENCH_FLOOR
	v = classify(gen, &p);
#else
	v = 0;	/* bench/xdpfw.sh: everything but the rule lookup */
#endif

	if (p.first_frag) {
		struct xdpfw_frag_key fk = {};
		__u32 fv = v | XDPFW_V_SEEN;

		/* remember the decision (default policy folded in) for the rest */
		if (!v && policy == XDPFW_DENY)
			fv |= XDPFW_V_DENY;
		frag_key(&fk, &p);
		bpf_map_update_elem(&xdpfw_frags, &fk, &fv, BPF_ANY);
	}
apply:
	slot = v & XDPFW_V_SLOT_MASK;
	if (!slot)
		goto verdict_default;
	slot--;
	cpu = bpf_get_smp_processor_id();
	rc = bpf_map_lookup_elem(&xdpfw_rulecnt, &cpu);
	if (rc && below(&slot, xdpfw_opts.slots)) {
		rc += slot;
		rc->packets++;
		rc->bytes += p.len;
	}
	if (v & XDPFW_V_DENY) {
		action = XDP_DROP;
		tidx = XDPFW_T_DENY;
		if ((v & XDPFW_V_LOG) && !p.later_frag)
			log_denial(ctx, slot, &p);
	} else {
		tidx = XDPFW_T_ALLOW;
	}
	goto count_out;

malformed:
	/* counted and returned here, not through count_out: clang would
	 * otherwise set tidx and action before every bounds check's branch */
	count(XDPFW_T_MALFORMED, p.len);
	return XDP_DROP;

verdict_default:
	if (policy == XDPFW_DENY) {
		action = XDP_DROP;
		tidx = XDPFW_T_DEF_DENY;
	} else {
		tidx = XDPFW_T_DEF_ALLOW;
	}
count_out:
	count(tidx, p.len);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
