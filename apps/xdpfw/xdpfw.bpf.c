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
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_cfg);
} xdpfw_cfg SEC(".maps");

/* Sized by `xdpfw load --max-rules` before the first load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_src4_key);
	__type(value, struct xdpfw_cls);
} xdpfw_src4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_dst4_key);
	__type(value, struct xdpfw_cls);
} xdpfw_dst4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_src_key);
	__type(value, struct xdpfw_cls);
} xdpfw_src6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_dst_key);
	__type(value, struct xdpfw_cls);
} xdpfw_dst6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct xdpfw_plens);
} xdpfw_plens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_port_key);
	__type(value, __u32);
} xdpfw_ports SEC(".maps");

/* Sized by `xdpfw load --max-rules` before the first load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} xdpfw_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
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

static __always_inline __u32 lookup_ports(__u32 v, struct pkt *p)
{
	struct xdpfw_port_key k = { .prefixlen = 48 };
	__u32 *r;

	if (!(v & XDPFW_V_TABLE))
		return v;
	k.table = v & XDPFW_V_SLOT_MASK;
	__builtin_memcpy(k.port, &p->dport, 2);
	r = bpf_map_lookup_elem(&xdpfw_ports, &k);
	if (!r)
		return 0;
	v = *r;
	if (!(v & XDPFW_V_TABLE))
		return v;
	/* second level: the dport interval's rules differ by source port */
	k.table = v & XDPFW_V_SLOT_MASK;
	__builtin_memcpy(k.port, &p->sport, 2);
	r = bpf_map_lookup_elem(&xdpfw_ports, &k);
	if (!r || (*r & XDPFW_V_TABLE))
		return 0;
	return *r;
}

static __always_inline __u32 pick(struct xdpfw_cls *cls, struct pkt *p)
{
	__u32 i = p->pidx;

	__u32 v, j;
	__u16 port;

	if (i >= XDPFW_NPROTO)
		return 0;
	v = cls->v[i];
	if (v & XDPFW_V_INLINE) {
		j = i == XDPFW_P_TCP ? 0 : 1;
		port = bpf_ntohs(p->dport);
		if (port >= cls->lo[j] && port <= cls->hi[j])
			return cls->rv[j];
		return v & ~XDPFW_V_INLINE;
	}
	return lookup_ports(v, p);
}

/* What classify() needs, copied out of the packet: a global function is
 * verified once, on its own, whatever the caller's paths (the prefix-length
 * loops would otherwise be re-verified for every parse path). */
struct cls_args {
	__u32 saddr[4], daddr[4];
	__u32 gen, family, pidx;
	__be16 sport, dport;
};

static __always_inline struct xdpfw_cls *longest(void *map, struct xdpfw_plens *pl,
						  __u32 *key_addr, __u8 *key_plen,
						  const __u32 *addr, void *key)
{
	struct xdpfw_cls *cls = NULL;
	__u32 n = pl->n;

	for (__u32 i = 0; i < XDPFW_PLENS_MAX && i < n; i++) {
		struct xdpfw_plen *e = &pl->e[i];

		*key_plen = e->plen;
		key_addr[0] = addr[0] & e->mask[0];
		key_addr[1] = addr[1] & e->mask[1];
		key_addr[2] = addr[2] & e->mask[2];
		key_addr[3] = addr[3] & e->mask[3];
		cls = bpf_map_lookup_elem(map, key);
		if (cls)
			break;
	}
	return cls;
}

static __always_inline struct xdpfw_cls *longest4(void *map, struct xdpfw_plens *pl,
						   __u32 *key_addr, __u8 *key_plen,
						   __u32 addr, void *key)
{
	struct xdpfw_cls *cls = NULL;
	__u32 n = pl->n;

	for (__u32 i = 0; i < 33 && i < n; i++) {
		struct xdpfw_plen *e = &pl->e[i];

		*key_plen = e->plen;
		*key_addr = addr & e->mask[0];
		cls = bpf_map_lookup_elem(map, key);
		if (cls)
			break;
	}
	return cls;
}

/* The verdict: the entry of the longest prefix (among the lengths in use)
 * containing the source, then, if its class has destination rules, the same
 * for the destination, then the port stage. */
__noinline __u32 xdpfw_classify(struct cls_args *a)
{
	struct xdpfw_src_key sk = {};
	struct xdpfw_dst_key dk = {};
	struct xdpfw_src4_key sk4 = {};
	struct xdpfw_dst4_key dk4 = {};
	struct xdpfw_cls *cls;
	struct xdpfw_plens *pl;
	struct pkt p = {};
	__u32 idx;

	if (!a)
		return 0;
	idx = (a->gen & 1) * 4 + (a->family == 6) * 2;
	sk.gen = a->gen & 1;
	sk.family = a->family;
	pl = bpf_map_lookup_elem(&xdpfw_plens, &idx);
	if (!pl)
		return 0;
	sk4.gen = sk.gen;
	if (a->family == 4)
		cls = longest4(&xdpfw_src4, pl, (__u32 *)sk4.addr, &sk4.plen, a->saddr[0], &sk4);
	else
		cls = longest(&xdpfw_src6, pl, (__u32 *)sk.addr, &sk.plen, a->saddr, &sk);
	if (!cls && pl->has_root)
		cls = &pl->root;
	if (!cls)
		return 0;
	if (cls->class) {
		dk.class = dk4.class = cls->class;
		dk.family = a->family;
		idx++;
		pl = bpf_map_lookup_elem(&xdpfw_plens, &idx);
		if (!pl)
			return 0;
		if (a->family == 4)
			cls = longest4(&xdpfw_dst4, pl, (__u32 *)dk4.addr, &dk4.plen, a->daddr[0], &dk4);
		else
			cls = longest(&xdpfw_dst6, pl, (__u32 *)dk.addr, &dk.plen, a->daddr, &dk);
		if (!cls)
			return 0;
	}
	p.pidx = a->pidx;
	p.sport = a->sport;
	p.dport = a->dport;
	return pick(cls, &p);
}

static __always_inline __u32 classify(__u32 gen, struct pkt *p)
{
	struct cls_args a = { .gen = gen, .family = p->family, .pidx = p->pidx,
			      .sport = p->sport, .dport = p->dport };

	if (p->family == 6) {
		__builtin_memcpy(a.saddr, p->saddr, 16);
		__builtin_memcpy(a.daddr, p->daddr, 16);
	} else {
		__builtin_memcpy(a.saddr, p->saddr, 4);
		__builtin_memcpy(a.daddr, p->daddr, 4);
	}
	return xdpfw_classify(&a);
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
	struct xdpfw_cfg *cfg;
	struct xdpfw_counter *rc;
	__u32 zero = 0, gen, v, slot, tidx;
	int action = XDP_PASS;
	__be16 eproto;

	cfg = bpf_map_lookup_elem(&xdpfw_cfg, &zero);
	if (!cfg)
		goto out;
	gen = cfg->gen & 1;
	if (!bk_parse_eth(&c, &eproto)) {
		tidx = XDPFW_T_MALFORMED;
		action = XDP_DROP;
		goto count_out;
	}
	if (eproto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = bk_parse_ipv4(&c);
		__u16 frag;

		if (!ip) {
			tidx = XDPFW_T_MALFORMED;
			action = XDP_DROP;
			goto count_out;
		}
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

		if (!ip6 || parse_v6_ext(&c, &p, ip6->nexthdr)) {
			tidx = XDPFW_T_MALFORMED;
			action = XDP_DROP;
			goto count_out;
		}
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
	if (parse_ports(&c, &p)) {
		tidx = XDPFW_T_MALFORMED;
		action = XDP_DROP;
		goto count_out;
	}
	v = classify(gen, &p);

	if (p.first_frag) {
		struct xdpfw_frag_key fk = {};
		__u32 fv = v | XDPFW_V_SEEN;

		/* remember the decision (default policy folded in) for the rest */
		if (!v && cfg->policy[gen] == XDPFW_DENY)
			fv |= XDPFW_V_DENY;
		frag_key(&fk, &p);
		bpf_map_update_elem(&xdpfw_frags, &fk, &fv, BPF_ANY);
	}
apply:
	slot = v & XDPFW_V_SLOT_MASK;
	if (!slot)
		goto verdict_default;
	slot--;
	rc = bpf_map_lookup_elem(&xdpfw_counters, &slot);
	if (rc) {
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

verdict_default:
	if (cfg->policy[gen] == XDPFW_DENY) {
		action = XDP_DROP;
		tidx = XDPFW_T_DEF_DENY;
	} else {
		tidx = XDPFW_T_DEF_ALLOW;
	}
count_out:
	count(tidx, p.len);
out:
	return action;
}

char LICENSE[] SEC("license") = "GPL";
