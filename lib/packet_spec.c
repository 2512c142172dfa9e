/* lib/packet_spec.c — the packet language of `bpfkit test --packet`: builds
 * Ethernet frames from specs like "eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234/len
 * 100" (lengths and checksums computed), and describes frames back in the same
 * words; reads and writes pcap files through libpcap. The grammar is documented in include/bpfkit/packet.h. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/packet.h>
#include "internal.h"

#define ETH_HLEN 14
#define P_IPV4 0x0800
#define P_IPV6 0x86dd
#define P_ARP 0x0806
#define P_VLAN 0x8100

struct builder {
	unsigned char *buf;
	size_t cap, len;
	char *err;
	size_t err_sz;
	int layer;		/* 1-based, for messages */
	char text[64];		/* the layer's text, for messages */
	long type_off;		/* where the next layer's ethertype goes, -1 if none */
	long proto_off;		/* where the next layer's IP protocol goes, -1 if none */
	int l3, l4;		/* 4/6 and IPPROTO_* of the innermost layers */
	long l3_off, l4_off, tcp_off;
	long pad_to;
	int type_fixed, proto_fixed;
};

static int fail(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct builder *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err && b->err_sz) {
		n = snprintf(b->err, b->err_sz, "layer %d '%s': ", b->layer, b->text);
		if (n < 0 || (size_t)n >= b->err_sz)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(b->err + n, b->err_sz - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static unsigned char *put(struct builder *b, size_t n)
{
	unsigned char *p;

	if (b->len + n > b->cap)
		return NULL;
	p = b->buf + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static void wr16(unsigned char *p, unsigned v) { p[0] = v >> 8; p[1] = v; }
static void wr32(unsigned char *p, uint32_t v) { wr16(p, v >> 16); wr16(p + 2, v & 0xffff); }
static unsigned rd16(const unsigned char *p) { return p[0] << 8 | p[1]; }

static int parse_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || *end || *v > max ? -1 : 0;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = v[i];
	return 0;
}

/* "A>B" -> A, B (in place) */
static int split_pair(char *s, char **a, char **b)
{
	char *gt = strchr(s, '>');

	if (!gt || gt == s || !gt[1] || strchr(gt + 1, '>'))
		return -1;
	*gt = 0;
	*a = s;
	*b = gt + 1;
	return 0;
}

/* the words of a layer after its name */
#define MAX_WORDS 16
static int words(char *s, char **w)
{
	int n = 0;

	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == MAX_WORDS)
			return -1;
		w[n++] = tok;
	}
	return n;
}

static int set_type(struct builder *b, unsigned type)
{
	if (b->type_off < 0)
		return 0;
	if (!b->type_fixed)
		wr16(b->buf + b->type_off, type);
	b->type_off = -1;
	b->type_fixed = 0;
	return 0;
}

static int need_l2(struct builder *b, const char *what)
{
	if (b->type_off < 0)
		return fail(b, "%s must follow eth or vlan", what);
	return 0;
}

static int layer_eth(struct builder *b, char **w, int n)
{
	unsigned char *h;
	unsigned long v;
	char *src, *dst;

	if (b->len)
		return fail(b, "eth must be the first layer");
	h = put(b, ETH_HLEN);
	if (!h)
		return -ENOSPC;
	memcpy(h, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (int i = 0; i < n; i++) {
		if (!strcmp(w[i], "type") && i + 1 < n) {
			if (parse_num(w[++i], 0xffff, &v))
				return fail(b, "bad ethertype '%s'", w[i]);
			wr16(h + 12, v);
			b->type_fixed = 1;
		} else if (strchr(w[i], '>')) {
			if (split_pair(w[i], &src, &dst) || parse_mac(src, h + 6) || parse_mac(dst, h))
				return fail(b, "bad MAC pair '%s' (want aa:bb:cc:dd:ee:ff>11:22:33:44:55:66)", w[i]);
		} else {
			return fail(b, "unknown word '%s'", w[i]);
		}
	}
	b->type_off = 12;
	return 0;
}

static int layer_vlan(struct builder *b, char **w, int n)
{
	unsigned long id, pcp = 0;
	unsigned char *h;

	if (need_l2(b, "vlan"))
		return -EINVAL;
	if (n < 1 || parse_num(w[0], 4095, &id))
		return fail(b, "want a VLAN id 0-4095");
	for (int i = 1; i < n; i++) {
		if (!strcmp(w[i], "pcp") && i + 1 < n && !parse_num(w[i + 1], 7, &pcp))
			i++;
		else
			return fail(b, "unknown word '%s'", w[i]);
	}
	set_type(b, P_VLAN);
	h = put(b, 4);
	if (!h)
		return -ENOSPC;
	wr16(h, pcp << 13 | id);
	b->type_off = b->len - 2;
	return 0;
}

static int ip_addrs(struct builder *b, char *pair, int af, void *src, void *dst)
{
	char *a, *c;

	if (split_pair(pair, &a, &c) || inet_pton(af, a, src) != 1 || inet_pton(af, c, dst) != 1)
		return fail(b, "bad address pair '%s' (want %s)", pair,
			    af == AF_INET ? "10.0.0.1>10.0.0.2" : "fd00::1>fd00::2");
	return 0;
}

static int layer_ipv4(struct builder *b, char **w, int n)
{
	unsigned char *h;
	unsigned long v;

	if (need_l2(b, "ipv4") || b->l3)
		return b->l3 ? fail(b, "only one IP layer") : -EINVAL;
	set_type(b, P_IPV4);
	b->l3_off = b->len;
	h = put(b, 20);
	if (!h)
		return -ENOSPC;
	h[0] = 0x45;
	h[8] = 64;
	memcpy(h + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	for (int i = 0; i < n; i++) {
		if (strchr(w[i], '>')) {
			if (ip_addrs(b, w[i], AF_INET, h + 12, h + 16))
				return -EINVAL;
		} else if (!strcmp(w[i], "df")) {
			h[6] |= 0x40;
		} else if (i + 1 < n && (!strcmp(w[i], "ttl") || !strcmp(w[i], "tos") ||
					 !strcmp(w[i], "proto"))) {
			if (parse_num(w[i + 1], 255, &v))
				return fail(b, "bad %s '%s'", w[i], w[i + 1]);
			h[!strcmp(w[i], "ttl") ? 8 : !strcmp(w[i], "tos") ? 1 : 9] = v;
			b->proto_fixed |= !strcmp(w[i], "proto");
			i++;
		} else if (i + 1 < n && !strcmp(w[i], "id")) {
			if (parse_num(w[++i], 0xffff, &v))
				return fail(b, "bad id '%s'", w[i]);
			wr16(h + 4, v);
		} else {
			return fail(b, "unknown word '%s'", w[i]);
		}
	}
	b->l3 = 4;
	b->proto_off = b->l3_off + 9;
	return 0;
}

static int layer_ipv6(struct builder *b, char **w, int n)
{
	unsigned char *h;
	unsigned long v;

	if (need_l2(b, "ipv6") || b->l3)
		return b->l3 ? fail(b, "only one IP layer") : -EINVAL;
	set_type(b, P_IPV6);
	b->l3_off = b->len;
	h = put(b, 40);
	if (!h)
		return -ENOSPC;
	h[0] = 0x60;
	h[6] = 59;	/* no next header */
	h[7] = 64;
	h[8] = h[24] = 0xfd;
	h[23] = 1;
	h[39] = 2;
	for (int i = 0; i < n; i++) {
		if (strchr(w[i], '>')) {
			if (ip_addrs(b, w[i], AF_INET6, h + 8, h + 24))
				return -EINVAL;
		} else if (i + 1 < n && (!strcmp(w[i], "hlim") || !strcmp(w[i], "next"))) {
			if (parse_num(w[i + 1], 255, &v))
				return fail(b, "bad %s '%s'", w[i], w[i + 1]);
			h[!strcmp(w[i], "hlim") ? 7 : 6] = v;
			b->proto_fixed |= !strcmp(w[i], "next");
			i++;
		} else {
			return fail(b, "unknown word '%s'", w[i]);
		}
	}
	b->l3 = 6;
	b->proto_off = b->l3_off + 6;
	return 0;
}

static int need_l3(struct builder *b, const char *what, int proto)
{
	if (b->l3 <= 0)	/* none yet, or ARP (-1): no IP header to name the protocol in */
		return fail(b, "%s must follow ipv4 or ipv6", what);
	if (b->l4)
		return fail(b, "only one transport layer");
	if ((proto == 1 && b->l3 != 4) || (proto == 58 && b->l3 != 6))
		return fail(b, "%s needs %s", what, proto == 1 ? "ipv4" : "ipv6");
	if (!b->proto_fixed)
		b->buf[b->proto_off] = proto;
	b->l4 = proto;
	b->l4_off = b->len;
	return 0;
}

static int ports(struct builder *b, char *pair, unsigned char *h)
{
	unsigned long sp, dp;
	char *a, *c;

	if (split_pair(pair, &a, &c))
		return fail(b, "bad port pair '%s' (want 53>1234)", pair);
	/* split_pair cut PAIR at '>': name the port at fault */
	if (parse_num(a, 65535, &sp) || parse_num(c, 65535, &dp))
		return fail(b, "bad port pair '%s>%s' (ports are 0-65535, as in 53>1234)", a, c);
	wr16(h, sp);
	wr16(h + 2, dp);
	return 0;
}

static int tcp_flags(struct builder *b, const char *s)
{
	static const char letters[] = "FSRPAUEC";	/* bit order of the flags byte */
	unsigned char f = 0;

	if (!*s)
		return fail(b, "empty flags");
	for (const char *p = s; *p; p++) {
		const char *q = strchr(letters, toupper((unsigned char)*p));

		if (!q || *p == '.')
			return fail(b, "unknown TCP flag '%c' (use F S R P A U E C)", *p);
		f |= 1u << (q - letters);
	}
	b->buf[b->tcp_off + 13] = f;
	return 0;
}

static int layer_l4(struct builder *b, const char *name, char **w, int n)
{
	int tcp = !strcmp(name, "tcp");
	unsigned char *h;
	unsigned long v;

	if (need_l3(b, name, tcp ? 6 : 17))
		return -EINVAL;
	h = put(b, tcp ? 20 : 8);
	if (!h)
		return -ENOSPC;
	wr16(h, tcp ? 40000 : 1024);
	wr16(h + 2, tcp ? 80 : 53);
	if (tcp) {
		b->tcp_off = b->l4_off;
		h[12] = 5 << 4;
		h[13] = 0x02;	/* SYN */
		wr16(h + 14, 65535);
	}
	for (int i = 0; i < n; i++) {
		if (strchr(w[i], '>')) {
			if (ports(b, w[i], h))
				return -EINVAL;
		} else if (tcp && i + 1 < n && !strcmp(w[i], "flags")) {
			if (tcp_flags(b, w[++i]))
				return -EINVAL;
		} else if (tcp && i + 1 < n && (!strcmp(w[i], "seq") || !strcmp(w[i], "ack"))) {
			if (parse_num(w[i + 1], 0xffffffffUL, &v))
				return fail(b, "bad %s '%s'", w[i], w[i + 1]);
			wr32(h + (!strcmp(w[i], "seq") ? 4 : 8), v);
			i++;
		} else if (tcp && i + 1 < n && !strcmp(w[i], "win")) {
			if (parse_num(w[++i], 0xffff, &v))
				return fail(b, "bad win '%s'", w[i]);
			wr16(h + 14, v);
		} else {
			return fail(b, "unknown word '%s'", w[i]);
		}
	}
	return 0;
}

static int layer_icmp(struct builder *b, const char *name, char **w, int n)
{
	int v6 = !strcmp(name, "icmpv6");
	unsigned char *h;
	unsigned long v;

	if (need_l3(b, name, v6 ? 58 : 1))
		return -EINVAL;
	h = put(b, 8);
	if (!h)
		return -ENOSPC;
	h[0] = v6 ? 128 : 8;
	for (int i = 0; i < n; i++) {
		if (!strcmp(w[i], "echo"))
			h[0] = v6 ? 128 : 8;
		else if (!strcmp(w[i], "reply"))
			h[0] = v6 ? 129 : 0;
		else if (!strcmp(w[i], "unreach"))
			h[0] = v6 ? 1 : 3;
		else if (i + 1 < n && (!strcmp(w[i], "id") || !strcmp(w[i], "seq"))) {
			if (parse_num(w[i + 1], 0xffff, &v))
				return fail(b, "bad %s '%s'", w[i], w[i + 1]);
			wr16(h + (!strcmp(w[i], "id") ? 4 : 6), v);
			i++;
		} else if (i + 1 < n && !strcmp(w[i], "type")) {
			if (parse_num(w[++i], 255, &v))
				return fail(b, "bad type '%s'", w[i]);
			h[0] = v;
		} else
			return fail(b, "unknown word '%s'", w[i]);
	}
	return 0;
}

static int layer_arp(struct builder *b, char **w, int n)
{
	unsigned char *h;
	int reply;

	if (need_l2(b, "arp") || b->l3)
		return b->l3 ? fail(b, "arp cannot follow an IP layer") : -EINVAL;
	if (n < 2 || (strcmp(w[0], "who-has") && strcmp(w[0], "reply")))
		return fail(b, "want 'arp who-has IP [tell IP]' or 'arp reply IP is-at MAC [to IP]'");
	reply = !strcmp(w[0], "reply");
	if (!reply && b->type_off == 12)
		memset(b->buf, 0xff, 6);	/* who-has is a broadcast */
	set_type(b, P_ARP);
	b->l3 = -1;	/* no IP, no transport */
	h = put(b, 28);
	if (!h)
		return -ENOSPC;
	wr16(h, 1);
	wr16(h + 2, P_IPV4);
	h[4] = 6;
	h[5] = 4;
	wr16(h + 6, reply ? 2 : 1);
	memcpy(h + 8, b->buf + 6, 6);		/* sender MAC = eth source */
	memcpy(h + 14, "\x0a\0\0\x01", 4);
	memcpy(h + 24, "\x0a\0\0\x02", 4);
	/* who-has T: target T;  reply S: sender S */
	if (inet_pton(AF_INET, w[1], reply ? h + 14 : h + 24) != 1)
		return fail(b, "bad IPv4 address '%s'", w[1]);
	for (int i = 2; i < n; i++) {
		if (!reply && !strcmp(w[i], "tell") && i + 1 < n) {
			if (inet_pton(AF_INET, w[++i], h + 14) != 1)
				return fail(b, "bad IPv4 address '%s'", w[i]);
		} else if (reply && !strcmp(w[i], "is-at") && i + 1 < n) {
			if (parse_mac(w[++i], h + 8))
				return fail(b, "bad MAC '%s'", w[i]);
		} else if (reply && !strcmp(w[i], "to") && i + 1 < n) {
			if (inet_pton(AF_INET, w[++i], h + 24) != 1)
				return fail(b, "bad IPv4 address '%s'", w[i]);
		} else {
			return fail(b, "unknown word '%s'", w[i]);
		}
	}
	if (reply)
		memcpy(h + 18, b->buf, 6);	/* target MAC = eth destination */
	return 0;
}

static int layer_payload(struct builder *b, const char *text)
{
	unsigned char *p;

	if (!strncmp(text, "hex:", 4)) {
		const char *s = text + 4;
		size_t n = 0;

		for (const char *q = s; *q; q++)
			n += isxdigit((unsigned char)*q) ? 1 : 0;
		if (n % 2)
			return fail(b, "odd number of hex digits");
		p = put(b, n / 2);
		if (!p)
			return -ENOSPC;
		for (size_t i = 0; *s; s++) {
			int d;

			if (*s == ' ' || *s == ':' || *s == '.')
				continue;
			if (!isxdigit((unsigned char)*s))
				return fail(b, "bad hex digit '%c'", *s);
			d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
			p[i / 2] = p[i / 2] << 4 | d;
			i++;
		}
		return 0;
	}
	p = put(b, strlen(text));
	if (!p)
		return -ENOSPC;
	memcpy(p, text, strlen(text));
	return 0;
}

static uint32_t sum16(const unsigned char *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static unsigned fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* lengths and checksums, once every byte is in place */
static void finish(struct builder *b)
{
	unsigned char *ip = b->buf + b->l3_off, *l4 = b->buf + b->l4_off;
	size_t l4_len = b->len - b->l4_off;
	uint32_t s = 0;

	if (b->l3 == 4) {
		wr16(ip + 2, b->len - b->l3_off);
		wr16(ip + 10, 0);
		wr16(ip + 10, fold(sum16(ip, 20, 0)));
		s = sum16(ip + 12, 8, 0);
	} else if (b->l3 == 6) {
		wr16(ip + 4, b->len - b->l3_off - 40);
		s = sum16(ip + 8, 32, 0);
	}
	if (b->l4 <= 0)
		return;
	if (b->l4 == 1) {		/* ICMP: no pseudo header */
		s = 0;
	} else {
		s += b->l4 + (uint32_t)l4_len;
	}
	int off = b->l4 == 6 ? 16 : b->l4 == 17 ? 6 : 2;
	if (b->l4 == 17)
		wr16(l4 + 4, l4_len);
	wr16(l4 + off, 0);
	unsigned c = fold(sum16(l4, l4_len, s));
	if (b->l4 == 17 && c == 0)
		c = 0xffff;	/* 0 means "no checksum" in UDP */
	wr16(l4 + off, c);
}

int bpfkit_packet__from_spec(const char *spec, void *buf, size_t buf_sz, size_t *len,
			     char *err, size_t err_sz)
{
	struct builder b = { .buf = buf, .cap = buf_sz, .err = err, .err_sz = err_sz,
			     .type_off = -1, .proto_off = -1, .pad_to = -1 };
	char *copy, *rest, *layer, *w[MAX_WORDS];
	int ret = 0, n;

	if (err && err_sz)
		err[0] = 0;
	if (!spec || !buf || !len) {
		b.text[0] = 0;
		return fail(&b, "no packet spec");
	}
	*len = 0;
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (rest = copy; rest && !ret;) {
		char name[16];
		size_t nl;

		layer = rest;
		while (*layer == ' ' || *layer == '\t')
			layer++;
		b.layer++;
		snprintf(b.text, sizeof(b.text), "%.*s", (int)strcspn(layer, "/"), layer);
		/* payload takes the rest verbatim: it may hold '/' */
		if (!strncmp(layer, "payload", 7) && (layer[7] == ' ' || !layer[7])) {
			ret = b.pad_to >= 0 ? fail(&b, "len must be the last layer")
			    : layer[7] ? 0 : fail(&b, "payload needs TEXT or hex:HEX");
			if (!ret && !b.len)
				ret = fail(&b, "payload must follow a header");
			if (!ret && b.type_off >= 0)
				set_type(&b, 0x88b5);	/* "local experimental" ethertype */
			if (!ret)
				ret = layer_payload(&b, layer + 8);
			rest = NULL;
			break;
		}
		rest = strchr(layer, '/');
		if (rest)
			*rest++ = 0;
		nl = strcspn(layer, " \t");
		if (!nl) {
			ret = fail(&b, "empty layer");
			break;
		}
		if (nl >= sizeof(name)) {
			ret = fail(&b, "unknown layer");
			break;
		}
		memcpy(name, layer, nl);
		name[nl] = 0;
		n = words(layer + nl, w);
		if (n < 0) {
			ret = fail(&b, "too many words");
			break;
		}
		if (strcmp(name, "eth") && !b.len && strcmp(name, "len")) {
			char *none[1];

			ret = layer_eth(&b, none, 0);	/* implied Ethernet */
			if (ret)
				break;
		}
		if (b.pad_to >= 0) {
			ret = fail(&b, "len must be the last layer");
		} else if (!strcmp(name, "eth")) {
			ret = layer_eth(&b, w, n);
		} else if (!strcmp(name, "vlan")) {
			ret = layer_vlan(&b, w, n);
		} else if (!strcmp(name, "ipv4") || !strcmp(name, "ip")) {
			ret = layer_ipv4(&b, w, n);
		} else if (!strcmp(name, "ipv6") || !strcmp(name, "ip6")) {
			ret = layer_ipv6(&b, w, n);
		} else if (!strcmp(name, "udp") || !strcmp(name, "tcp")) {
			ret = layer_l4(&b, name, w, n);
		} else if (!strcmp(name, "icmp") || !strcmp(name, "icmpv6")) {
			ret = layer_icmp(&b, name, w, n);
		} else if (!strcmp(name, "arp")) {
			ret = layer_arp(&b, w, n);
		} else if (!strcmp(name, "flags")) {
			ret = b.l4 != 6 || b.len != (size_t)b.tcp_off + 20 ? fail(&b, "flags must follow tcp")
			    : n != 1 ? fail(&b, "want flags LETTERS, e.g. flags SA") : tcp_flags(&b, w[0]);
		} else if (!strcmp(name, "len")) {
			unsigned long v;

			if (n != 1 || parse_num(w[0], BPFKIT_PACKET_MAX, &v))
				ret = fail(&b, "want len N (at most %d)", BPFKIT_PACKET_MAX);
			else if (!b.len)
				ret = fail(&b, "len must follow a header");
			else
				b.pad_to = v;
		} else {
			ret = fail(&b, "unknown layer '%s' (eth, vlan, ipv4, ipv6, udp, tcp, flags, icmp, icmpv6, arp, payload, len)",
				   name);
		}
	}
	if (!ret && b.type_off >= 0 && !b.l3)
		set_type(&b, 0x88b5);	/* eth alone: an experimental ethertype, no payload */
	if (!ret && b.pad_to >= 0) {
		if ((size_t)b.pad_to < b.len) {
			snprintf(b.text, sizeof(b.text), "len");
			ret = fail(&b, "len %ld is shorter than the headers (%zu bytes)", b.pad_to, b.len);
		} else if (!put(&b, b.pad_to - b.len)) {
			ret = -ENOSPC;
		}
	}
	if (ret == -ENOSPC && err && err_sz)
		snprintf(err, err_sz, "packet does not fit in %zu bytes", buf_sz);
	if (!ret) {
		finish(&b);
		*len = b.len;
	}
	free(copy);
	return ret;
}

/* ---- describing ---- */

struct out {
	char *s;
	size_t sz, n;
};

static void emitf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->n < o->sz ? o->s + o->n : NULL, o->n < o->sz ? o->sz - o->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += k;
}

int bpfkit_packet__describe(const void *pkt, size_t len, char *out, size_t out_sz)
{
	const unsigned char *p = pkt, *end = p + len;
	struct out o = { out, out_sz, 0 };
	char a[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];
	unsigned type, proto = 256;

	if (out && out_sz)
		out[0] = 0;
	if (!p || len < ETH_HLEN) {
		emitf(&o, "runt frame/len %zu", len);
		return o.n;
	}
	emitf(&o, "eth %02x:%02x:%02x:%02x:%02x:%02x>%02x:%02x:%02x:%02x:%02x:%02x",
	      p[6], p[7], p[8], p[9], p[10], p[11], p[0], p[1], p[2], p[3], p[4], p[5]);
	type = rd16(p + 12);
	p += ETH_HLEN;
	for (int depth = 0; (type == P_VLAN || type == 0x88a8) && depth < 4; depth++) {
		if (end - p < 4) {
			emitf(&o, "/vlan (truncated)");
			goto tail;
		}
		emitf(&o, "/vlan %u", rd16(p) & 0xfff);
		type = rd16(p + 2);
		p += 4;
	}
	if (type == P_IPV4 && end - p >= 20 && (p[0] >> 4) == 4) {
		unsigned ihl = (p[0] & 15) * 4;

		inet_ntop(AF_INET, p + 12, a, sizeof(a));
		inet_ntop(AF_INET, p + 16, c, sizeof(c));
		emitf(&o, "/ipv4 %s>%s ttl %u", a, c, p[8]);
		proto = p[9];
		if (ihl < 20 || (rd16(p + 6) & 0x1fff))
			goto tail;	/* options-mangled or a fragment: no transport */
		p += ihl;
	} else if (type == P_IPV6 && end - p >= 40 && (p[0] >> 4) == 6) {
		inet_ntop(AF_INET6, p + 8, a, sizeof(a));
		inet_ntop(AF_INET6, p + 24, c, sizeof(c));
		emitf(&o, "/ipv6 %s>%s hlim %u", a, c, p[7]);
		proto = p[6];
		p += 40;
	} else if (type == P_ARP && end - p >= 28) {
		inet_ntop(AF_INET, p + 14, a, sizeof(a));
		inet_ntop(AF_INET, p + 24, c, sizeof(c));
		if (rd16(p + 6) == 1)
			emitf(&o, "/arp who-has %s tell %s", c, a);
		else
			emitf(&o, "/arp reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x", a,
			      p[8], p[9], p[10], p[11], p[12], p[13]);
		goto tail;
	} else {
		emitf(&o, "/type 0x%04x", type);
		goto tail;
	}
	if (p > end)
		goto tail;
	if ((proto == 17 && end - p >= 8) || (proto == 6 && end - p >= 20)) {
		emitf(&o, "/%s %u>%u", proto == 17 ? "udp" : "tcp", rd16(p), rd16(p + 2));
		if (proto == 6) {
			static const char letters[] = "FSRPAUEC";
			char f[9];
			int k = 0;

			for (int i = 0; i < 8; i++)
				if (p[13] & (1u << i))
					f[k++] = letters[i];
			f[k] = 0;
			if (k)
				emitf(&o, " flags %s", f);
		}
	} else if ((proto == 1 || proto == 58) && end - p >= 4) {
		emitf(&o, "/%s type %u", proto == 1 ? "icmp" : "icmpv6", p[0]);
	} else if (proto != 256) {
		emitf(&o, "/proto %u", proto);
	}
tail:
	emitf(&o, "/len %zu", len);
	return o.n;
}

/* ---- pcap in and out ---- */

int bpfkit_packet__read_pcap(const char *path, bpfkit_packet_fn fn, void *ctx, char *err, size_t err_sz)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *data;
	pcap_t *p;
	int r, ret = 0, n = 0;

	if (err && err_sz)
		err[0] = 0;
	if (!path || !fn)
		return -EINVAL;
	p = pcap_open_offline(path, errbuf);
	if (!p) {
		if (err && err_sz)
			snprintf(err, err_sz, "%s", errbuf);
		return -EINVAL;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		if (err && err_sz)
			snprintf(err, err_sz, "link type %s; only Ethernet captures can be used",
				 pcap_datalink_val_to_name(pcap_datalink(p)) ?: "?");
		pcap_close(p);
		return -EINVAL;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		n++;
		ret = fn(data, h->caplen, ctx);
		if (ret)
			break;
	}
	if (!ret && r == PCAP_ERROR) {
		if (err && err_sz)
			snprintf(err, err_sz, "after %d packets: %s", n, pcap_geterr(p));
		ret = -EIO;
	}
	pcap_close(p);
	return ret;
}

struct bpfkit_pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
	unsigned long n;
};

struct bpfkit_pcap_writer *bpfkit_pcap_writer__open(const char *path, char *err, size_t err_sz)
{
	struct bpfkit_pcap_writer *w = calloc(1, sizeof(*w));

	if (!w || !path) {
		free(w);
		errno = path ? ENOMEM : EINVAL;
		return NULL;
	}
	w->dead = pcap_open_dead(DLT_EN10MB, BPFKIT_PACKET_MAX + 1024);
	w->dump = w->dead ? pcap_dump_open(w->dead, path) : NULL;
	if (!w->dump) {
		if (err && err_sz)
			snprintf(err, err_sz, "%s", w->dead ? pcap_geterr(w->dead) : "cannot open");
		if (w->dead)
			pcap_close(w->dead);
		free(w);
		errno = EIO;
		return NULL;
	}
	return w;
}

int bpfkit_pcap_writer__write(struct bpfkit_pcap_writer *w, const void *pkt, size_t len)
{
	struct pcap_pkthdr h = { .caplen = len, .len = len };

	if (!w || (!pkt && len))
		return -EINVAL;
	/* no clock: packet N is stamped N microseconds after the epoch, so the
	 * file is the same on every run */
	h.ts.tv_sec = w->n / 1000000;
	h.ts.tv_usec = w->n % 1000000;
	w->n++;
	pcap_dump((unsigned char *)w->dump, &h, pkt);
	return 0;
}

int bpfkit_pcap_writer__close(struct bpfkit_pcap_writer *w)
{
	int ret = 0;

	if (!w)
		return 0;
	if (pcap_dump_flush(w->dump) || ferror(pcap_dump_file(w->dump)))
		ret = -EIO;
	pcap_dump_close(w->dump);
	pcap_close(w->dead);
	free(w);
	return ret;
}
