/* apps/xdpfw/xdpfw_common.h — what the xdpfw datapath (xdpfw.bpf.c) and its
 * user space (rules.c, compile.c, state.c, main.c) agree on: map keys and
 * values, verdict encoding, counter indexes.
 *
 * The datapath never loops over rules. User space compiles a rule set into
 * hash maps keyed by prefix and an LPM trie for ports (see compile.c):
 *   src4/src6  {gen, length, source prefix}          -> struct xdpfw_cls
 *   dst4/dst6  {class, length, destination prefix}   -> struct xdpfw_cls
 *   ports  {table, port prefix} (LPM)                  -> verdict (dport, then sport)
 * The longest matching prefix is found by trying, longest first, only the
 * prefix lengths the rule set uses (xdpfw_plens; a /0 entry always ends the
 * search): a hash lookup per distinct length, not per rule, so the cost does
 * not grow with the number of rules. Most TCP/UDP rules need no port lookup
 * (XDPFW_V_INLINE). Every key carries the rule-set generation (directly, or
 * inside a class/table id), so a new rule set is written beside the old one
 * and one 4-byte store in cfg.gen switches every packet to the new one. */
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
#define XDPFW_V_SLOT_MASK	0x00ffffffu	/* slot + 1, or a table id */

/* Class and port-table ids carry the generation (class: bit 27, table: bit 23
 * so it fits a verdict's 24-bit id field) so two generations never share a key. */
#define XDPFW_CLASS_GEN		(1u << 27)
#define XDPFW_TABLE_GEN		(1u << 23)

#define XDPFW_MAX_SLOTS		XDPFW_V_SLOT_MASK

struct xdpfw_cls {
	__u32 class;			/* != 0: look the destination up in dstN with it */
	__u32 v[XDPFW_NPROTO];		/* verdict per protocol index */
	__u16 lo[2], hi[2];		/* XDPFW_V_INLINE ranges: [0] TCP, [1] UDP */
	__u32 rv[2];
};

/* IPv4 has its own small keys: hashing 8 bytes instead of 20 is most of a
 * lookup's cost. */
struct xdpfw_src4_key {
	__u8 gen;
	__u8 plen;
	__u16 pad;
	__u8 addr[4];
};

struct xdpfw_dst4_key {
	__u32 class;
	__u8 plen;
	__u8 pad[3];
	__u8 addr[4];
};

struct xdpfw_src_key {
	__u8 gen;
	__u8 family;			/* 4 or 6 */
	__u8 plen;
	__u8 pad;
	__u8 addr[16];			/* masked to plen; IPv4 in the first 4 bytes */
};

struct xdpfw_dst_key {
	__u32 class;
	__u8 family;
	__u8 plen;
	__u8 pad[2];
	__u8 addr[16];
};

/* Prefix lengths in use, longest first, per (generation, family, stage):
 * index = gen * 4 + (family == 6) * 2 + (stage == dst). Each with its mask,
 * so the datapath masks without branches. */
#define XDPFW_PLENS_MAX		129
struct xdpfw_plen {
	__u32 mask[4];			/* network byte order */
	__u32 plen;
};
struct xdpfw_plens {
	__u32 n;
	__u32 has_root;			/* source stage: root is the /0 entry, */
	struct xdpfw_cls root;		/* kept here to spare misses a lookup */
	struct xdpfw_plen e[XDPFW_PLENS_MAX];
};

struct xdpfw_port_key {
	__u32 prefixlen;		/* 32 + port prefix length */
	__u32 table;
	__u8 port[2];			/* network byte order: trie bits are MSB first */
} __attribute__((packed));

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

struct xdpfw_cfg {
	__u32 gen;			/* active generation, 0 or 1 */
	__u32 policy[2];		/* default action per generation */
	__u32 nrules[2];
	__u32 slots_hw;			/* slots in use are below this */
	__u64 applied_ns[2];		/* CLOCK_REALTIME of the switch to gen g */
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
	__u8 pad[3];
};

#endif
