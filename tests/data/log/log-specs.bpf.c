// SPDX-License-Identifier: GPL-2.0
/* Every conversion bk_* supports, on a packet the test builds (BPF_PROG_TEST_RUN):
 * tests/unit/test_log_kernel.c compares each line with the expected text. */
#include <bpfkit/parse.h>
#include <bpfkit/log.h>

const volatile __u32 which = 0;	/* unused; a user .rodata next to ours */

SEC("xdp")
int specs(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	__be16 proto;
	char name[8] = "veth0";
	__u32 u = 4000000000u;
	int neg = -42;
	__s64 big = -5000000000ll;
	__u64 ubig = 18446744073709551615ull;
	__u8 small = 200;
	__s16 sh = -3;
	__u8 flag = 1;

	eth = bk_parse_eth(&c, &proto);
	if (!eth)
		return XDP_ABORTED;
	bk_info(ctx, "no arguments");
	bk_info(ctx, "u=%u d=%d x=%x X=%X o=%o c=%c", u, neg, u, 0xbeefu, 8, 'Z');
	bk_info(ctx, "d-of-u32=%d u-of-int=%u", u, neg);
	bk_info(ctx, "lld=%lld llu=%llu llx=%llx", big, ubig, ubig);
	bk_info(ctx, "small=%u hhx=%hhx hd=%hd bool=%d", small, 0x1234, sh, flag);
	bk_info(ctx, "[%08x] [%-5u] [%5d] [%+d] [%#x] [%.3u]", 0xabcu, 7, -7, 7, 255, 5);
	bk_info(ctx, "s=%s lit=%s [%.3s] [%-7s] [%7s]", name, "literal", name, name, "ab");
	bk_info(ctx, "100%% done, %d%%", 50);
	bk_info(ctx, "mac %pM / %pm", eth->h_source, eth->h_dest);
	bk_info(ctx, "eight %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = bk_parse_ipv4(&c);

		if (!ip)
			return XDP_ABORTED;
		bk_info(ctx, "ip %pI4 -> %pI4 (%pi4)", ip->saddr, &ip->daddr, ip->saddr);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = bk_pull(&c, sizeof(*ip6));
		if (!ip6)
			return XDP_ABORTED;
		bk_info(ctx, "ip6 %pI6", &ip6->saddr);
		bk_info(ctx, "ip6c %pI6c -> %pI6c", &ip6->saddr, &ip6->daddr);
		bk_info(ctx, "ip6 raw %pi6", &ip6->daddr);
	}
	bk_warn(ctx, "a string with a\nnewline");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
