/* apps/xdpfw/xdpfw_common.h — what the xdpfw datapath (xdpfw.bpf.c) and its
 * user space (rules.c, compile.c, table.c, state.c, apply.c) agree on: map keys and
 * values, verdict encoding, counter indexes.
 *
 * The datapath never loops over rules. User space compiles a rule set into
 * prefix entries, each with a *class* (struct xdpfw_cls: the decision over
 * the rules that can match there; see compile.c):
 *   source stage       {length, source prefix}               -> class
 *   destination stage  {class, length, destination prefix}   -> class
 *   ports              table, port -> verdict (dport, then sport): sorted intervals
 * and builds, in mmapable array maps written through mmap, each with one
 * value per generation that the datapath reads with plain loads (no helper
 * call; see XDPFW_TRIE_BLK):
 *   xdpfw_trie  IPv4: a multibit trie whose leaves index the class pool or
 *                hold a final verdict (cost independent of prefix lengths);
 *   xdpfw_tab6   IPv6: an open-addressing hash table searched by binary
 *                search on the prefix lengths in use (markers);
 *   xdpfw_class  the class pool both families' entries point into;
 *   xdpfw_ptab   port tables.
 * Each generation has its own half of every array, so a new rule set is
 * written beside the old one and one 4-byte store in cfg.gen switches every
 * packet to the new one. */
#ifndef XDPFW_COMMON_H
#define XDPFW_COMMON_H

#include <linux/types.h>

/* Protocol index used by the verdict arrays. */
enum {
	XDPFW_P_OTHER = 0,	/* any IP protocol without a dedicated index */
	XDPFW_P_TCP,
	XDPFW_P_UDP,
	XDPFW_P_ICMP,
	XDPFW_P_ICMPV6,
	XDPFW_NPROTO,
};

/* A verdict (u32): 0 = no rule matched (default policy applies); otherwise
 * either a final decision (rule slot + 1, action and log bits) or, with
 * XDPFW_V_TABLE, the id of a port table to look the packet up in. */
#define XDPFW_V_TABLE		(1u << 31)
#define XDPFW_V_DENY		(1u << 30)
#define XDPFW_V_LOG		(1u << 29)
#define XDPFW_V_SEEN		(1u << 28)	/* fragment map: first fragment seen */
#define XDPFW_V_INLINE		(1u << 27)	/* TCP/UDP: the class value holds one
						 * dport range (lo, hi) with verdict rv;
						 * the other bits: the verdict elsewhere */
#define XDPFW_V_PARENT		(1u << 26)	/* with XDPFW_V_TABLE, in a port table
						 * or as an inline range's other verdict:
						 * none of this prefix's rules covers these
						 * ports; its parent prefix's decision does,
						 * from the parent's dport table (the id) */
#define XDPFW_PORT_CHAIN	4		/* parent tables one lookup may follow */
#define XDPFW_V_SLOT_MASK	0x00ffffffu	/* slot + 1, or a table id */

/* Port tables (xdpfw_ptab: an mmapable array, one half per generation,
 * written by user space like the prefix tables): the table with id T starts
 * at entry T of the generation's half: {n, 0}, then n {start, verdict}
 * intervals sorted by start, the first starting at 0, together covering
 * every port. The datapath finds a port's interval by binary search (at
 * most 17 reads; most tables have a handful of intervals). A port range is
 * one interval, whatever its alignment. Class ids need no generation:
 * each generation has its own half of every table. A source prefix's table
 * holds its own port rules only, and XDPFW_V_PARENT where none of them
 * applies: rules of a longer source prefix outrank every rule of a shorter
 * one, so there its parent's decision stands. The tables' size then grows
 * with the rules, not with how deeply prefixes with port rules nest (a /24
 * inside a /12 with 100 port ranges no longer carries the 100). */
struct xdpfw_pent {
	__u32 start;			/* header: the interval count */
	__u32 v;			/* verdict (XDPFW_V_TABLE: a sport table) */
};
#define XDPFW_MAX_CLASS		0x00ffffffu	/* class ids fit 24 bits of a tag */

#define XDPFW_MAX_SLOTS		XDPFW_V_SLOT_MASK

struct xdpfw_cls {
	__u32 class;			/* != 0: look the destination up with this class */
	__u32 v[XDPFW_NPROTO];		/* verdict per protocol index */
	__u16 lo[2], hi[2];		/* XDPFW_V_INLINE ranges: [0] TCP, [1] UDP */
	__u32 rv[2];
};

/* A slot of the IPv4 hash table (table.c's builder and its tests; the
 * datapath classifies IPv4 with the trie below). tag 0 = empty; source
 * stage: plen + 1; destination stage: class << 8 | (plen + 1). Addresses
 * are masked to plen, in network byte order. */
struct xdpfw_slot4 {
	__u32 tag;
	__u32 addr;
	struct xdpfw_cls cls;
};

/* A slot of the IPv6 hash table: the key and a reference into the
 * generation's class pool (xdpfw_class), not the class itself, so a slot is
 * 24 bytes instead of 64 and a marker shares its prefix's class. */
struct xdpfw_slot6 {
	__u32 tag;
	__u32 addr[4];
	__u32 cls;			/* class pool index + 1 of the longest prefix at
					 * or above this entry's length containing it
					 * (a prefix: its own), or that class's verdict
					 * (XDPFW_TRIE_DIRECT, as a trie leaf); 0 = a
					 * marker with no prefix at or above it */
};

/* Linear probing (placed Robin Hood style, which keeps the longest distance
 * short): an entry is at most XDPFW_MAX_PROBE - 1 slots past its hash
 * position (the table builder grows the table until that holds), so a probe
 * sequence ends at a match, an empty slot or after XDPFW_MAX_PROBE. */
#define XDPFW_MAX_PROBE		16
#define XDPFW_HASH_K1		0x9e3779b97f4a7c15ull
#define XDPFW_HASH_K2		0xc2b2ae3d27d4eb4full

/* Multiplicative hashing: the table index is the top bits of the product
 * (hash >> shift, shift = 64 - log2(table size)); the xor-shift first
 * spreads keys that differ only in high bits (addresses in network byte
 * order). The same code runs in the datapath and in the table builder. */
static inline __u64 xdpfw_hash4(__u32 tag, __u32 addr)
{
	__u64 x = ((__u64)tag << 32) | addr;

	return (x ^ (x >> 29)) * XDPFW_HASH_K1;
}

static inline __u64 xdpfw_hash6(__u32 tag, const __u32 *a)
{
	__u64 hi = ((__u64)a[0] << 32) | a[1], lo = ((__u64)a[2] << 32) | a[3];
	__u64 x = (hi * XDPFW_HASH_K2) ^ lo ^ tag;

	return (x ^ (x >> 29)) * XDPFW_HASH_K1;
}

/* IPv4 addresses are classified by a multibit trie (xdpfw_trie: u32
 * entries, one half per generation): user space expands every prefix to the
 * trie's fixed strides (controlled prefix expansion: shorter prefixes
 * painted first, longer ones over them, a new chunk inheriting its parent
 * entry), so a lookup is one load per stride crossed — at most XDPFW_TRIE4_DEPTH — whatever the prefix
 * lengths in use and the number of rules. The source stage starts at a
 * 2^16- or 2^20-entry root (the first chunk of its region); each source class with
 * destination rules has its own destination trie whose root pointer is the
 * class's `class` field. An entry is a pointer (XDPFW_TRIE_PTR: chunk
 * offset in the half, stride code) or a leaf: 0 = no prefix, else the
 * index + 1 of the prefix's class in the generation's half of the class
 * pool (xdpfw_class). */
#define XDPFW_TRIE_PTR		(1u << 31)
#define XDPFW_TRIE_SHIFT	29		/* stride code: 4 << code bits */
#define XDPFW_TRIE_OFF		((1u << 29) - 1)
#define XDPFW_TRIE4_DEPTH	8		/* 4-bit levels: a destination trie */
/* A source trie's root takes the first 16 bits of the address, 4-bit levels
 * the rest; in tables sized for XDPFW_TRIE_BIG_RULES rules or more (`xdpfw
 * load --max-rules`), whose /16s hold many longer prefixes each, the root
 * takes 20 bits, one level less for every prefix longer than /16 (state.c
 * decides by the trie map's size: xdpfw_opts.root_bits, a load-time
 * constant; docs/xdpfw.md says what it buys). */
#define XDPFW_TRIE_ROOT_BITS	16
#define XDPFW_TRIE_BIG_ROOT_BITS	20
#define XDPFW_TRIE_BIG_RULES	262144
/* A leaf whose class decides every packet alike (one final verdict for
 * every protocol, no destination stage: most blocklist prefixes) holds that
 * verdict itself, saving the read of the class slot (on live traffic, a
 * cache miss): slot + 1 in the low 24 bits, deny and log below the flag. */
#define XDPFW_TRIE_DIRECT	(1u << 30)
#define XDPFW_TRIE_DENY		(1u << 25)
#define XDPFW_TRIE_LOG		(1u << 24)
/* IPv6 sources: the first 32 bits go through a trie like IPv4's (its own
 * region of the generation's trie half, xdpfw_plens.tbase of the IPv6
 * source stage), holding every source prefix of /32 or shorter, so most
 * IPv6 lookups end there (RIR allocations and most blocklist entries are
 * /32 or shorter, and a /32 with nothing longer inside needs no probe). A
 * /32 holding longer prefixes has a leaf with XDPFW_TRIE_SEARCH: the
 * binary search on the lengths above 32 (xdpfw_tab6) decides, and the low
 * 24 bits (class index + 1 of the longest prefix of /32 or shorter
 * containing it, 0: none) are the answer if it finds nothing. (/32 is the
 * usual cut; sets of many scattered long prefixes cut at /24, /20 or /16:
 * apply.c, plan_v6top. "/32" below means the cut.) */
#define XDPFW_TRIE_SEARCH	(1u << 28)
/* Bits 24-27 of a search leaf: where every longer prefix under its /32 has
 * the same length (the usual case: a /48 or a /64 in its own /32), that
 * length's index + 1 among the search's lengths (ascending), so one probe
 * decides instead of the whole binary search; 0: search them all. */
#define XDPFW_TRIE_HINT_SHIFT	24
#define XDPFW_TRIE_HINT_MASK	0xfu
/* A search leaf with exactly one longer prefix under it (the usual case:
 * all 1272 of the 10k blocklist set) instead refers (low 24 bits, a class
 * reference) to a struct xdpfw_one6 in the class pool: four masked compares
 * decide, no hash, no probe. */
#define XDPFW_TRIE_ONE		(1u << 29)
struct xdpfw_one6 {
	__u32 addr[4];			/* the prefix, network byte order */
	__u32 mask[4];
	__u32 in;			/* inside it: its slot's value (a class
					 * reference or its verdict, as
					 * xdpfw_slot6.cls) */
	__u32 out;			/* elsewhere: the leaf's own reference */
};

static inline __u32 xdpfw_trie_direct(__u32 v)
{
	return XDPFW_TRIE_DIRECT | (v & XDPFW_V_SLOT_MASK) | (v & XDPFW_V_DENY ? XDPFW_TRIE_DENY : 0) |
	       (v & XDPFW_V_LOG ? XDPFW_TRIE_LOG : 0);
}

static inline __u32 xdpfw_trie_verdict(__u32 e)
{
	return (e & XDPFW_V_SLOT_MASK) | (e & XDPFW_TRIE_DENY ? XDPFW_V_DENY : 0) |
	       (e & XDPFW_TRIE_LOG ? XDPFW_V_LOG : 0);
}
/* The trie map, like every table map, has one value per generation: that
 * generation's half, here an array of u32 entries. The datapath looks the
 * half up once per packet and reads each level as a plain indexed load,
 * bounded by xdpfw_opts.trie_half (set at load to the map's size, so the
 * verifier knows it); a map lookup per level cost ~1.5 ns more (the key's
 * round trip through the stack, the block arithmetic). Every chunk is a
 * multiple of 16 entries (a cache line) and starts at one. */
#define XDPFW_TRIE_BLK		16
/* Each table's half until sized at load (entries). */
#define XDPFW_TRIE_HALF_DEFAULT		4194304
#define XDPFW_CLASS_HALF_DEFAULT	131200
#define XDPFW_TAB6_HALF_DEFAULT		262144
#define XDPFW_PTAB_HALF_DEFAULT		1048576
/* A source trie entry (root or chunk) with exactly one longer prefix below
 * it (most /16s of a blocklist) points to a 4-entry record instead of a
 * chain of chunks (stride code 3: the pointers >= XDPFW_TRIE_REC): {prefix,
 * mask (host byte order), the prefix's leaf, the leaf everywhere else
 * below the entry}. One read of one cache line instead of up to four, in a
 * region a quarter the size (on live traffic each chunk read is a cache
 * miss). Records are 16-byte aligned: never across a line. */
#define XDPFW_TRIE_REC		(XDPFW_TRIE_PTR | 3u << XDPFW_TRIE_SHIFT)
#define XDPFW_TRIE_REC_SIZE	4

/* Prefix lengths in use per (generation, family, stage): index = gen * 4 +
 * (family == 6) * 2 + (stage == dst); IPv6 ascending (the datapath's binary
 * search; IPv4's, longest first, only for user space). Each with its mask,
 * so the datapath masks without branches; with where the generation's
 * regions of that family are. */
#define XDPFW_PLENS_MAX		129
#define XDPFW_NPLENS		8		/* 2 generations x 2 families x 2 stages */
struct xdpfw_plen {
	__u32 mask[4];			/* network byte order */
	__u32 plen;
};
struct xdpfw_plens {
	__u32 n;
	__u32 shift;			/* IPv6 hash table: 64 - log2(size), */
	__u32 mask;			/* size - 1 */
	__u32 tbase;			/* where the trie region starts in the half (IPv4: 0) */
	__u32 cbase;			/* where the region's classes start in the pool's half */
	__u32 has_root;			/* IPv6 source stage: root is the /0 entry, */
	struct xdpfw_cls root;		/* kept here to spare misses a lookup (an
					 * IPv4 /0 is painted over its trie) */
	struct xdpfw_plen e[XDPFW_PLENS_MAX];
};

/* One rule as stored (pinned, so the rule set survives the CLI). */
struct xdpfw_rule_def {
	__u8 gens;			/* bit g: member of generation g; 0 = free slot */
	__u8 action;			/* XDPFW_ALLOW / XDPFW_DENY */
	__u8 flags;			/* XDPFW_RF_* */
	__u8 proto;			/* XDPFW_P_* index, or XDPFW_PROTO_ANY */
	__u8 family;			/* 0 (any), 4, 6 */
	__u8 src_plen;
	__u8 dst_plen;
	__u8 pad;
	__u8 src[16];
	__u8 dst[16];
	__u16 sport_lo, sport_hi;	/* host order; 0..65535 = any */
	__u16 dport_lo, dport_hi;
	__u32 order[2];			/* position in generation g's rule set (ties) */
};

#define XDPFW_ALLOW		0
#define XDPFW_DENY		1
#define XDPFW_PROTO_ANY		0xff
#define XDPFW_RF_LOG		1
#define XDPFW_RF_SRC		2	/* a source prefix was given */
#define XDPFW_RF_DST		4	/* a destination prefix was given */
#define XDPFW_RF_PORTS		8	/* proto any with a port range that is every
					 * port (0-65535; 'any' is no condition):
					 * tcp and udp only, as any port condition;
					 * narrower ranges say so alone */

struct xdpfw_cfg {
	__u32 gen;			/* active generation, 0 or 1 */
	__u32 policy[2];		/* default action per generation */
	__u32 nrules[2];
	__u32 slots_hw;			/* slots in use are below this */
	__u64 applied_ns[2];		/* CLOCK_REALTIME of the switch to gen g */
	__u32 tab_dirty[2][2];		/* [gen][family]: slots from the start of the
					 * generation's table half that may be non-zero */
	__u32 trie_dirty[2];		/* [gen]: the same for the IPv4 trie half */
	__u32 port_dirty[2];		/* [gen]: the same for the port-table half */
	__u32 root_bits;		/* the source tries' root width the applies
					 * wrote (xdpfw_opts.root_bits; 0: none yet): a
					 * state whose maps say otherwise is refused */
};

struct xdpfw_counter {
	__u64 packets;
	__u64 bytes;
};

/* Per-action totals (per-CPU array indexes). */
enum {
	XDPFW_T_ALLOW = 0,		/* a rule allowed it */
	XDPFW_T_DENY,			/* a rule denied it */
	XDPFW_T_DEF_ALLOW,		/* no rule: policy allow */
	XDPFW_T_DEF_DENY,		/* no rule: policy deny */
	XDPFW_T_MALFORMED,		/* truncated/bogus IP header: dropped */
	XDPFW_T_FRAG_DROP,		/* later fragment, first one not seen or denied */
	XDPFW_T_LOCKOUT_PASS,		/* ARP / IPv6 neighbour discovery: always passed */
	XDPFW_T_LOGGED,			/* denials of log-flagged rules logged */
	XDPFW_T_LOG_SUPPRESSED,		/* ... over the rate limit (counted only) */
	XDPFW_NTOTALS,
};

/* The first fragment's verdict, so later fragments (no L4 header) get the
 * same one. */
struct xdpfw_frag_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 id;
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

/* Load-time switches (.rodata). */
struct xdpfw_opts {
	__u32 log_rate;			/* log events per second per CPU (0: none) */
	__u8 pass_lockout;		/* ARP and IPv6 ND always pass (default 1) */
	__u8 root_bits;			/* the source tries' root: XDPFW_TRIE_ROOT_BITS
					 * or XDPFW_TRIE_BIG_ROOT_BITS (state.c, from
					 * the trie map's size) */
	__u8 pad[2];
	/* entries per half of xdpfw_trie, xdpfw_class, xdpfw_tab6 and
	 * xdpfw_ptab: state.c sets them from the maps' value sizes at load */
	__u32 trie_half, class_half, tab6_half, ptab_half;
	/* counters per CPU in xdpfw_rulecnt (one per slot): from its value size */
	__u32 slots;
};

#endif
