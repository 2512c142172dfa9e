/* bpfkit/packet.h — build test packets from a one-line spec, and describe
 * packets back in the same language.
 *
 * A spec is layers separated by '/', outermost first:
 *
 *   eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234/len 100
 *   ipv6 fd00::1>fd00::2/tcp 40000>80/flags S
 *   vlan 100/ipv4 10.0.0.1>10.0.0.2/icmp echo
 *   arp who-has 10.0.0.2 tell 10.0.0.1
 *   ipv4 192.168.1.1>192.168.1.2 ttl 1/udp 1>2/payload hello world
 *
 * Layers: eth [SRCMAC>DSTMAC] [type N]; vlan ID [pcp N]; ipv4 SRC>DST [ttl N]
 * [tos N] [id N] [df] [proto N]; ipv6 SRC>DST [hlim N] [next N]; udp SP>DP;
 * tcp SP>DP [flags FSRPAUEC] [seq N] [ack N] [win N]; flags FSRPAUEC (the
 * preceding tcp's); icmp echo|reply|unreach [id N] [seq N]; icmpv6
 * echo|reply [id N] [seq N]; arp who-has IP [tell IP] | arp reply IP is-at
 * MAC [to IP]; payload TEXT|hex:HEX (the rest of the spec, verbatim); len N
 * (pad the frame with zeros to N bytes). Without an eth layer first, one is
 * added (02:00:00:00:00:01>02:00:00:00:00:02). Lengths and checksums are
 * computed. */
#ifndef BPFKIT_PACKET_H
#define BPFKIT_PACKET_H

#include <stddef.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFKIT_PACKET_MAX 9216	/* jumbo frame */

/* Builds the packet SPEC describes into BUF (BUF_SZ bytes), its length in
 * *LEN. 0, -EINVAL (bad spec: ERR says which layer and token), -ENOSPC (does
 * not fit in BUF). ERR may be NULL. */
BPFKIT_API int bpfkit_packet__from_spec(const char *spec, void *buf, size_t buf_sz,
					size_t *len, char *err, size_t err_sz);

/* Writes a one-line description of PKT (an Ethernet frame) in the spec
 * language into OUT: "eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234/len 100".
 * Returns the length it wanted (like snprintf). */
BPFKIT_API int bpfkit_packet__describe(const void *pkt, size_t len, char *out, size_t out_sz);

/* pcap files (through libpcap; Ethernet link type only). */
typedef int (*bpfkit_packet_fn)(const void *pkt, size_t len, void *ctx);
/* Calls FN for each packet of PATH, in order; FN returning non-zero stops
 * the walk and is returned. -EINVAL/-EIO with ERR saying why on bad files. */
BPFKIT_API int bpfkit_packet__read_pcap(const char *path, bpfkit_packet_fn fn, void *ctx,
					char *err, size_t err_sz);

struct bpfkit_pcap_writer;
BPFKIT_API struct bpfkit_pcap_writer *bpfkit_pcap_writer__open(const char *path, char *err,
							       size_t err_sz);
BPFKIT_API int bpfkit_pcap_writer__write(struct bpfkit_pcap_writer *w, const void *pkt, size_t len);
/* Flushes and closes; 0 or -EIO if anything failed to reach the file. */
BPFKIT_API int bpfkit_pcap_writer__close(struct bpfkit_pcap_writer *w);

#ifdef __cplusplus
}
#endif
#endif
