// SPDX-License-Identifier: GPL-2.0
/* verdicts — one program per packet hook, each with a known answer per packet,
 * for the `bpfkit test` and testrun tests:
 *   xdp_verdict: UDP to port 53 DROP; ICMP echo -> echo reply sent back (TX,
 *                MACs and addresses swapped); IPv6 REDIRECT; ARP ABORTED;
 *                everything else PASS
 *   xdp_trim:    cuts 4 bytes off the tail (the packet changes length)
 *   tc_verdict:  UDP SHOT, everything else OK
 *   sock_verdict: UDP dropped (0), everything else kept whole */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* from linux/in.h, linux/icmp.h, linux/pkt_cls.h, which drag in libc headers */
#define IPPROTO_ICMP 1
#define IPPROTO_UDP 17
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id, seq;
};

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	int ret = XDP_PASS;

	if ((void *)(ip + 1) > end)
		goto out;
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		ret = XDP_ABORTED;
		goto out;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ret = XDP_REDIRECT;
		goto out;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		goto out;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) <= end && udp->dest == bpf_htons(53))
			ret = XDP_DROP;
	} else if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *icmp = (void *)(ip + 1);
		unsigned char mac[ETH_ALEN];
		__be32 a;

		if ((void *)(icmp + 1) > end || icmp->type != ICMP_ECHO)
			goto out;
		__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
		a = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = a;
		icmp->type = ICMP_ECHOREPLY;
		/* type 8 -> 0: the checksum grows by 0x0800 (RFC 1624) */
		__u32 sum = (__u32)icmp->checksum + bpf_htons(0x0800);
		icmp->checksum = (sum & 0xffff) + (sum >> 16);
		ret = XDP_TX;
	}
out:
	return ret;
}

SEC("xdp")
int xdp_trim(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_tail(ctx, -4))
		return XDP_ABORTED;
	return XDP_PASS;
}

static __always_inline int is_udp(struct __sk_buff *skb)
{
	__u8 proto = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 14 + 9, &proto, 1))
		return 0;
	return proto == IPPROTO_UDP;
}

SEC("tc")
int tc_verdict(struct __sk_buff *skb)
{
	return is_udp(skb) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("socket")
int sock_verdict(struct __sk_buff *skb)
{
	__u8 proto = 0;

	/* socket filters see the frame from the network header */
	if (bpf_skb_load_bytes(skb, 9, &proto, 1))
		return skb->len;
	return proto == IPPROTO_UDP ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
