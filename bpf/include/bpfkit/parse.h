/* bpfkit/parse.h (BPF side) — packet parsing with a cursor that is bounds-
 * checked before every access, so the verifier always sees the check.
 *
 *   struct bk_cursor c = bk_cursor_init(ctx);
 *   struct ethhdr *eth = bk_parse_eth(&c, &proto);   // skips up to 2 VLAN tags
 *   if (!eth || proto != bpf_htons(ETH_P_IP)) ...
 *   struct iphdr *ip = bk_parse_ipv4(&c);            // honours IHL (options)
 */
#ifndef BPFKIT_BPF_PARSE_H
#define BPFKIT_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
/* not <linux/icmp.h>: it pulls in libc headers that break -target bpf */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct bk_cursor {
	void *pos;
	void *end;
};

struct bk_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static __always_inline struct bk_cursor bk_cursor_init(struct xdp_md *ctx)
{
	struct bk_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	return c;
}

/* Returns a pointer to LEN bytes at the cursor and advances it, or NULL if
 * the packet is shorter. */
static __always_inline void *bk_pull(struct bk_cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return (void *)0;
	/* a packet pointer is never NULL: without this, every caller's NULL
	 * test compiles to a second branch after the bounds check */
	__builtin_assume(p != (void *)0);
	c->pos = p + len;
	return p;
}

#define BK_VLAN_MAX 2

/* Ethernet header; *proto gets the EtherType after up to BK_VLAN_MAX VLAN
 * tags (802.1Q / 802.1ad), in network byte order. */
static __always_inline struct ethhdr *bk_parse_eth(struct bk_cursor *c, __be16 *proto)
{
	struct ethhdr *eth = bk_pull(c, sizeof(*eth));
	__be16 p;

	if (!eth)
		return (void *)0;
	/* one 16-bit load: struct ethhdr is packed, so eth->h_proto would be
	 * read as two bytes and shifted together */
	p = *(const __be16 *)((const __u8 *)eth + offsetof(struct ethhdr, h_proto));
#pragma unroll
	for (int i = 0; i < BK_VLAN_MAX; i++) {
		struct bk_vlan_hdr *v;

		if (p != bpf_htons(ETH_P_8021Q) && p != bpf_htons(ETH_P_8021AD))
			break;
		v = bk_pull(c, sizeof(*v));
		if (!v)
			return (void *)0;
		p = v->proto;
	}
	*proto = p;
	return eth;
}

/* IPv4 header including options (IHL), or NULL if truncated/bogus. */
static __always_inline struct iphdr *bk_parse_ipv4(struct bk_cursor *c)
{
	struct iphdr *ip = c->pos;
	__u32 hlen;

	if ((void *)(ip + 1) > c->end)
		return (void *)0;
	hlen = ip->ihl * 4;
	if (hlen < sizeof(*ip))
		return (void *)0;
	if (!bk_pull(c, hlen))
		return (void *)0;
	return ip;
}

static __always_inline struct ipv6hdr *bk_parse_ipv6(struct bk_cursor *c)
{
	return bk_pull(c, sizeof(struct ipv6hdr));
}

static __always_inline struct udphdr *bk_parse_udp(struct bk_cursor *c)
{
	return bk_pull(c, sizeof(struct udphdr));
}

static __always_inline struct tcphdr *bk_parse_tcp(struct bk_cursor *c)
{
	return bk_pull(c, sizeof(struct tcphdr));
}

#endif
