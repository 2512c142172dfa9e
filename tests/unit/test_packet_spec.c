/* tests/unit/test_packet_spec.c — the packet language: layouts, lengths,
 * checksums, describe round trips, and bad specs rejected with a reason. */
#include <errno.h>
#include <stdint.h>
#include <bpfkit/packet.h>
#include "test.h"

static unsigned char pkt[BPFKIT_PACKET_MAX];
static size_t len;
static char err[256];

static int build(const char *spec)
{
	return bpfkit_packet__from_spec(spec, pkt, sizeof(pkt), &len, err, sizeof(err));
}

static unsigned rd16(const unsigned char *p) { return p[0] << 8 | p[1]; }

/* ones' complement sum over [p, p+n) plus SEED: 0xffff when the checksum in it is right */
static unsigned csum_ok(const unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t s = seed;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static uint32_t pseudo4(const unsigned char *ip, unsigned proto, size_t l4len)
{
	uint32_t s = proto + (uint32_t)l4len;

	for (int i = 12; i < 20; i += 2)
		s += rd16(ip + i);
	return s;
}

static int bad(const char *spec, const char *want)
{
	int r = build(spec);

	if (r != -EINVAL || !strstr(err, want)) {
		printf("  spec '%s': ret %d err '%s' (want '%s')\n", spec, r, err, want);
		return 0;
	}
	return 1;
}

int main(void)
{
	char d[512];

	CHECK("udp builds", build("eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234/len 100") == 0);
	CHECK("udp: padded to len", len == 100);
	CHECK("udp: ethertype ipv4", rd16(pkt + 12) == 0x0800);
	CHECK("udp: ip total length", rd16(pkt + 16) == 86);
	CHECK("udp: ip proto", pkt[23] == 17);
	CHECK("udp: ip checksum", csum_ok(pkt + 14, 20, 0));
	CHECK("udp: ports", rd16(pkt + 34) == 53 && rd16(pkt + 36) == 1234);
	CHECK("udp: udp length", rd16(pkt + 38) == 66);
	CHECK("udp: udp checksum", csum_ok(pkt + 34, 66, pseudo4(pkt + 14, 17, 66)));
	bpfkit_packet__describe(pkt, len, d, sizeof(d));
	CHECK_STR("udp: describe", d,
		  "eth 02:00:00:00:00:01>02:00:00:00:00:02/ipv4 10.0.0.1>10.0.0.2 ttl 64/udp 53>1234/len 100");

	CHECK("tcp builds", build("ipv4 192.168.1.1>192.168.1.2 ttl 5/tcp 40000>80/flags SA/payload hi/there") == 0);
	CHECK("tcp: implied eth, len", len == 14 + 20 + 20 + 8);
	CHECK("tcp: flags SA", pkt[14 + 20 + 13] == 0x12);
	CHECK("tcp: ttl", pkt[14 + 8] == 5);
	CHECK("tcp: payload with a slash", !memcmp(pkt + 54, "hi/there", 8));
	CHECK("tcp: checksum", csum_ok(pkt + 34, 28, pseudo4(pkt + 14, 6, 28)));

	CHECK("ipv6 tcp builds", build("ipv6 fd00::1>fd00::2/tcp 1>2 flags S") == 0);
	CHECK("ipv6: ethertype", rd16(pkt + 12) == 0x86dd && pkt[14 + 6] == 6);
	CHECK("ipv6: payload length", rd16(pkt + 18) == 20 && len == 74);
	bpfkit_packet__describe(pkt, len, d, sizeof(d));
	CHECK("ipv6: describe", strstr(d, "/ipv6 fd00::1>fd00::2 hlim 64/tcp 1>2 flags S/len 74") != NULL);

	CHECK("vlan builds", build("vlan 100/ipv4 10.0.0.1>10.0.0.2/icmp echo id 7 seq 1") == 0);
	CHECK("vlan: tpid and id", rd16(pkt + 12) == 0x8100 && (rd16(pkt + 14) & 0xfff) == 100);
	CHECK("vlan: inner type", rd16(pkt + 16) == 0x0800);
	CHECK("vlan: icmp checksum", pkt[18 + 20] == 8 && csum_ok(pkt + 38, 8, 0));
	bpfkit_packet__describe(pkt, len, d, sizeof(d));
	CHECK("vlan: describe", strstr(d, "/vlan 100/ipv4 10.0.0.1>10.0.0.2 ttl 64/icmp type 8") != NULL);

	CHECK("arp builds", build("arp who-has 10.0.0.2 tell 10.0.0.1") == 0);
	CHECK("arp: broadcast, type, op", len == 42 && pkt[0] == 0xff && rd16(pkt + 12) == 0x0806 &&
	      rd16(pkt + 20) == 1);
	bpfkit_packet__describe(pkt, len, d, sizeof(d));
	CHECK("arp: describe", strstr(d, "/arp who-has 10.0.0.2 tell 10.0.0.1") != NULL);
	CHECK("arp reply", build("arp reply 10.0.0.2 is-at 02:aa:bb:cc:dd:ee") == 0 && rd16(pkt + 20) == 2 &&
	      pkt[22] == 2 && pkt[23] == 0xaa);
	/* a transport after ARP: refused (it once wrote the protocol byte
	 * before the packet, ARP having no IP header) */
	CHECK("udp after arp refused", build("arp who-has 10.0.0.2/udp 1>2") != 0 && strstr(err, "ipv4 or ipv6"));
	CHECK("tcp after arp refused", build("arp who-has 10.0.0.2/tcp 1>2") != 0 && strstr(err, "ipv4 or ipv6"));
	CHECK("icmp after arp refused", build("arp who-has 10.0.0.2/icmp echo") != 0);
	CHECK("payload after len refused", build("eth/len 100/payload abc") != 0 && strstr(err, "len must be the last"));

	CHECK("eth macs", build("eth 02:11:22:33:44:55>ff:ff:ff:ff:ff:ff/ipv4 1.2.3.4>5.6.7.8/udp 1>2") == 0 &&
	      pkt[0] == 0xff && pkt[6] == 2 && pkt[11] == 0x55);
	CHECK("hex payload", build("ipv4 1.1.1.1>2.2.2.2/udp 1>2/payload hex:de ad be ef") == 0 &&
	      len == 46 && !memcmp(pkt + 42, "\xde\xad\xbe\xef", 4));
	CHECK("icmpv6", build("ipv6 ::1>::2/icmpv6 echo") == 0 && pkt[54] == 128);

	CHECK("bad: unknown layer", bad("eth/ipx 1>2", "unknown layer 'ipx'"));
	CHECK("bad: address", bad("ipv4 10.0.0.300>1.1.1.1", "bad address pair"));
	CHECK("bad: port", bad("ipv4 1.1.1.1>2.2.2.2/udp 70000>1", "bad port pair"));
	CHECK("bad: port named whole", bad("ipv4 1.1.1.1>2.2.2.2/udp 1>99999", "bad port pair '1>99999' (ports are 0-65535"));
	CHECK("bad: udp without ip", bad("eth/udp 1>2", "must follow ipv4"));
	CHECK("bad: len too short", bad("ipv4 1.1.1.1>2.2.2.2/len 20", "shorter than the headers"));
	CHECK("bad: len not last", bad("ipv4 1.1.1.1>2.2.2.2/len 100/udp 1>2", "len must be the last"));
	CHECK("bad: flags without tcp", bad("ipv4 1.1.1.1>2.2.2.2/udp 1>2/flags S", "flags must follow tcp"));
	CHECK("bad: flag letter", bad("ipv4 1.1.1.1>2.2.2.2/tcp 1>2 flags SX", "unknown TCP flag 'X'"));
	CHECK("bad: icmp on ipv6", bad("ipv6 ::1>::2/icmp echo", "icmp needs ipv4"));
	CHECK("bad: two ip layers", bad("ipv4 1.1.1.1>2.2.2.2/ipv4 1.1.1.1>2.2.2.2", "only one IP layer"));
	CHECK("bad: vlan id", bad("vlan 5000", "VLAN id"));
	CHECK("bad: empty layer", bad("ipv4 1.1.1.1>2.2.2.2//udp 1>2", "empty layer"));
	CHECK("bad: odd hex", bad("ipv4 1.1.1.1>2.2.2.2/payload hex:abc", "odd number"));
	CHECK("bad: names the layer", bad("eth/ipv4 1.1.1.1>2.2.2.2/udp x>1", "layer 3 'udp x>1'"));
	CHECK("bad: too big", build("ipv4 1.1.1.1>2.2.2.2/len 9216") == 0 &&
	      bpfkit_packet__from_spec("ipv4 1.1.1.1>2.2.2.2/len 100", pkt, 50, &len, err, sizeof(err)) == -ENOSPC);
	CHECK("bad: null spec", bpfkit_packet__from_spec(NULL, pkt, sizeof(pkt), &len, err, sizeof(err)) == -EINVAL);
	CHECK("describe: runt", bpfkit_packet__describe(pkt, 3, d, sizeof(d)) > 0 && strstr(d, "runt"));
	CHECK("describe: truncates safely", bpfkit_packet__describe(pkt, 60, d, 10) > 10 && strlen(d) == 9);
	TEST_EXIT();
}
