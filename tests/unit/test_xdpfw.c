/* tests/unit/test_xdpfw.c — xdpfw: the rule parser (good and bad input,
 * file:line:col errors, round trip through save), set checks, and the
 * datapath's rule semantics through BPF_PROG_TEST_RUN: a table of packets
 * (every match kind, overlaps, defaults, VLAN, IPv4 options, IPv6 extension
 * headers, fragments, truncation, ARP/ND), a differential test against the
 * reference evaluator on random rule sets, atomic swaps, an apply killed
 * half-way, and a full rule map. The program and its maps are loaded here,
 * unpinned and unattached. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include <bpfkit/testrun.h>
#include "test.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
/* bigmem.c moves pages through a stand-in that can act as other kernels
 * do (test_bigmem_refused_moves) */
static int fake_mremap_mode;	/* 0: this kernel; 1: before 6.17; 2: a move across VMAs fails part-way */
static void *test_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
#define mremap test_mremap
#include "../../apps/xdpfw/bgjob.c"
#include "../../apps/xdpfw/bigmem.c"
#undef mremap
#include "../../apps/xdpfw/rules.c"
#include "../../apps/xdpfw/compile.c"
#include "../../apps/xdpfw/table.c"
#include "../../apps/xdpfw/state.c"
#include "../../apps/xdpfw/apply.c"
#include "../../apps/xdpfw/applog.c"
#include "../../apps/xdpfw/grace.c"

#define OBJ "../../build/bpf/xdpfw.bpf.o"

/* ---- parser ------------------------------------------------------------ */

static void test_parser(void)
{
	static const struct {
		const char *text, *want;	/* want: formatted rule */
	} good[] = {
		{ "allow", "allow" },
		{ "deny src 10.0.0.0/8", "deny src 10.0.0.0/8" },
		{ "deny from 10.1.2.3", "deny src 10.1.2.3/32" },
		{ "  deny   src 10.0.0.0/8 proto tcp dport 22   # ssh", "deny src 10.0.0.0/8 proto tcp dport 22" },
		{ "allow dst 2001:db8::/32 proto udp sport 1000-2000 dport 53",
		  "allow dst 2001:db8::/32 proto udp sport 1000-2000 dport 53" },
		{ "deny proto icmpv6 log", "deny proto icmpv6 log" },
		{ "deny src any dst any proto any sport any dport any", "deny" },
		{ "deny dport 0-65535", "deny dport 0-65535" },	/* tcp and udp, not every protocol */
		{ "deny sport any", "deny" },	/* 'any' is no condition */
		{ "deny sport 0-65535 dport any", "deny dport 0-65535" },
		{ "deny proto tcp dport 0-65535", "deny proto tcp" },	/* with tcp it is no condition */
		{ "allow proto udp sport 0-65535 dport any", "allow proto udp" },
		{ "deny dport 80 src 0.0.0.0/0", "deny src 0.0.0.0/0 dport 80" },
		{ "allow to ::/0 proto tcp", "allow dst ::/0 proto tcp" },
	};
	static const struct {
		const char *text;
		int col;
		const char *err;
	} bad[] = {
		{ "deny src 10.0.0.0/33", 19, "prefix length '33' out of range" },
		{ "deny src 10.0.0.1/8", 10, "host bits set" },
		{ "deny src 10.0.0/8", 10, "not an IPv4 or IPv6 address" },
		{ "deny src 10.0.0.0/x", 19, "must be a number" },
		{ "deny src 10.0.0.0/8x", 19, "prefix length '8x' is not a number" },
		{ "deny proto tcp dport 70000", 22, "port 70000 out of range" },
		{ "deny proto tcp dport 100-20", 22, "backwards" },
		{ "deny proto tcp dport 1-", 22, "'1-' is not a port or port range" },
		{ "deny proto udp dport -1", 22, "'-1' is not a port or port range" },
		{ "deny proto udp sport 1-2-3", 22, "'1-2-3' is not a port or port range" },
		{ "deny proto sctp", 12, "unknown protocol 'sctp'" },
		{ "deny proto icmp dport 5", 23, "ports need proto tcp or udp" },
		{ "deny proto icmp dport 0-65535", 23, "ports need proto tcp or udp" },
		{ "allow src ::/0 proto icmpv6 sport 0-65535", 35, "ports need proto tcp or udp" },
		{ "drop src 1.2.3.4", 1, "expected 'allow', 'deny'" },
		{ "deny src 1.2.3.4 src 1.2.3.5", 18, "'src' given twice" },
		{ "deny src", 9, "'src' needs a value" },
		{ "deny bogus 1", 6, "unknown word 'bogus'" },
		{ "deny src 10.0.0.0/8 dst 2001:db8::/32", 25, "IPv4 but destination is IPv6" },
		{ "deny src 2001:db8::/32 proto icmp", 30, "IPv6 rules want icmpv6" },
		{ "allow src 1.2.3.4 log", 1, "'log' is for deny rules" },
		{ "deny log log", 10, "'log' given twice" },
		{ "", 1, "empty rule" },
	};
	struct xdpfw_rule_def d, d2;
	char err[256], txt[200];
	int col;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "parse-good-%zu", i);
		col = 0;
		if (xdpfw_rule_parse(good[i].text, &d, &col, err, sizeof(err))) {
			printf("  %s: %s\n", good[i].text, err);
			CHECK(name, 0);
			continue;
		}
		xdpfw_rule_format(&d, txt, sizeof(txt));
		CHECK_STR(name, txt, good[i].want);
		/* round trip: the formatted rule parses to the same rule */
		snprintf(name, sizeof(name), "roundtrip-%zu", i);
		CHECK(name, !xdpfw_rule_parse(txt, &d2, NULL, err, sizeof(err)) &&
			    xdpfw_rule_same_match(&d, &d2) && d.action == d2.action && d.flags == d2.flags);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[64];
		int rc;

		snprintf(name, sizeof(name), "parse-bad-%zu", i);
		col = 0;
		err[0] = 0;
		rc = xdpfw_rule_parse(bad[i].text, &d, &col, err, sizeof(err));
		if (rc != -EINVAL || !strstr(err, bad[i].err) || col != bad[i].col)
			printf("  '%s': rc %d col %d err '%s'\n", bad[i].text, rc, col, err);
		CHECK(name, rc == -EINVAL && strstr(err, bad[i].err) && col == bad[i].col);
	}
}

/* Reading a rules file: bounded in bytes and line length, binary and
 * directories refused up front (each would otherwise be read whole). */
static void test_read_bounds(void)
{
	char path[] = "/tmp/xdpfw-unit-XXXXXX", err[512];
	struct xdpfw_ruleset rs;
	size_t saved = xdpfw_rules_max_bytes;
	int fd = mkstemp(path), rc;
	FILE *f;

	rc = xdpfw_rules_parse_file("/tmp", &rs, err, sizeof(err));
	CHECK("read-directory", rc == -EISDIR && strstr(err, "/tmp: is a directory"));
	rc = xdpfw_rules_parse_file("/dev/zero", &rs, err, sizeof(err));
	CHECK("read-dev-zero", rc == -EINVAL && strstr(err, "/dev/zero:1:1: NUL byte"));
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		CHECK("read-tmpfile", 0);
		return;
	}
	for (int i = 0; i < 20; i++)
		fprintf(f, "deny src 10.0.0.%d\n", i);	/* 20 lines, ~360 bytes */
	fclose(f);
	xdpfw_rules_max_bytes = 100;
	rc = xdpfw_rules_parse_file(path, &rs, err, sizeof(err));
	CHECK("read-over-limit", rc == -EFBIG && strstr(err, "more than the 100 bytes") && strstr(err, "--max-size"));
	xdpfw_rules_max_bytes = 1024;
	rc = xdpfw_rules_parse_file(path, &rs, err, sizeof(err));
	CHECK("read-under-limit", rc == 0 && rs.n == 20);
	xdpfw_ruleset_free(&rs);
	xdpfw_rules_max_bytes = saved;
	f = fopen(path, "w");
	for (int i = 0; f && i < XDPFW_RULES_MAX_LINE + 10; i++)
		fputc('a', f);
	if (f)
		fclose(f);
	rc = xdpfw_rules_parse_file(path, &rs, err, sizeof(err));
	CHECK("read-long-line", rc == -EINVAL && strstr(err, ":1: line longer than"));
	unlink(path);
}

static void test_files(void)
{
	struct xdpfw_ruleset rs;
	char err[512], text[8192];
	size_t len = 0;
	int rc;

	/* an error on line 37: file:line:col, and nothing parsed */
	len += snprintf(text + len, sizeof(text) - len, "policy deny\n");
	for (int i = 2; i <= 36; i++)
		len += snprintf(text + len, sizeof(text) - len, "allow src 10.%d.0.0/16 proto tcp dport %d\n", i, i);
	len += snprintf(text + len, sizeof(text) - len, "deny src 10.99.0.0/16 proto tcp dport 70000\n");
	len += snprintf(text + len, sizeof(text) - len, "allow src 10.100.0.0/16\n");
	rc = xdpfw_rules_parse_text(text, len, "fw.rules", &rs, err, sizeof(err));
	CHECK("file-error-line-37", rc == -EINVAL && strstr(err, "fw.rules:37:39: port 70000 out of range"));
	CHECK("file-error-nothing-kept", rs.n == 0 && rs.r == NULL);
	if (!strstr(err, "fw.rules:37:39:"))
		printf("  got '%s'\n", err);

	rc = xdpfw_rules_parse_text(text, len - 70, "fw.rules", &rs, err, sizeof(err));
	CHECK("file-36-rules", rc == 0 && rs.n == 35 && rs.policy == XDPFW_DENY);
	xdpfw_ruleset_free(&rs);

	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "allow src 1.2.3.4\ndeny src 1.2.3.4\n", "f:2:1: 'deny src 1.2.3.4/32' contradicts line 1" },
		{ "deny dport 22\n\n# c\ndeny dport 22 \n", "f:4:1: 'deny dport 22' duplicates line 1" },
		/* the first rule repeating an earlier match is named, with the
		 * earlier one (several: the first in the file) */
		{ "deny src 9.9.9.9\ndeny src 1.1.1.1\ndeny src 2.2.2.2\nallow src 2.2.2.2\ndeny src 1.1.1.1\n"
		  "deny src 2.2.2.2\n", "f:4:1: 'allow src 2.2.2.2/32' contradicts line 3" },
		{ "deny src 10.0.0.0/8 proto tcp dport 22\ndeny src 10.0.0.0/8 proto tcp dport 22-23\n"
		  "deny src 10.0.0.0/8 proto udp dport 22\nallow src 10.0.0.0/8 proto tcp dport 22 \n",
		  "f:4:1: 'allow src 10.0.0.0/8 proto tcp dport 22' contradicts line 1" },
		{ "policy allow\npolicy deny\n", "f:2:1: policy already set on line 1" },
		{ "policy maybe\n", "f:1:8: policy is allow or deny" },
		{ "policy\n", "f:1:7: 'policy' needs allow or deny" },
		{ "policy deny now\n", "f:1:13: unexpected 'now'" },
		{ "allow\n\tdeny src ::1/129\n", "f:2:15: prefix length '129' out of range" },
		{ "allow\x01\n", "f:1:6: unexpected character 0x01 (a rules file is text)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "file-bad-%zu", i);
		err[0] = 0;
		rc = xdpfw_rules_parse_text(bad[i].text, strlen(bad[i].text), "f", &rs, err, sizeof(err));
		if (!strstr(err, bad[i].err))
			printf("  got '%s'\n", err);
		CHECK(name, rc == -EINVAL && strstr(err, bad[i].err) && rs.n == 0);
	}
	rc = xdpfw_rules_parse_text("deny\0src 1.2.3.4\n", 17, "f", &rs, err, sizeof(err));
	CHECK("file-nul-byte", rc == -EINVAL && strstr(err, "NUL byte"));
	/* a rule without a line (rule add) is named by the id rule list shows */
	rc = xdpfw_rules_parse_text("deny src 1.2.3.4\nallow\n", 23, "f", &rs, err, sizeof(err));
	if (!rc) {
		struct xdpfw_rule r = { .d = rs.r[0].d };
		uint32_t ids[2] = { 7, 3 };

		xdpfw_ruleset_add(&rs, &r);
		rc = xdpfw_ruleset_check_ids(&rs, NULL, ids, 2, err, sizeof(err));
		if (!strstr(err, "duplicates rule 7 "))
			printf("  got '%s'\n", err);
		CHECK("check-names-rule-id", rc == -EINVAL && strstr(err, "'deny src 1.2.3.4/32' duplicates rule 7 "));
		xdpfw_ruleset_free(&rs);
	}
	CHECK("check-names-rule-id-parsed", rc == -EINVAL);
	test_read_bounds();
	/* same match with different families is not a duplicate */
	rc = xdpfw_rules_parse_text("deny src 0.0.0.0/0\ndeny src ::/0\ndeny\n", 37, "f", &rs, err, sizeof(err));
	CHECK("file-families-distinct", rc == 0 && rs.n == 3);
	xdpfw_ruleset_free(&rs);
}

/* ---- packets ----------------------------------------------------------- */

struct pspec {
	int fam;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	int vlans;
	int v4opt;		/* IPv4 option bytes (multiple of 4) */
	int v6ext;		/* IPv6 destination-options headers before L4 */
	int frag;		/* 0 none, 1 first fragment, 2 later fragment */
	uint32_t frag_id;
	int trunc;		/* cut the frame to this many bytes (0: don't) */
	uint8_t icmp_type;
	int arp;
};

static size_t build(const struct pspec *s, uint8_t *b)
{
	size_t o = 12, l3, l4;
	uint8_t nh;

	memset(b, 0, 256);
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (int i = 0; i < s->vlans; i++) {
		b[o] = 0x81;
		b[o + 1] = 0x00;
		b[o + 3] = 10 + i;
		o += 4;
	}
	if (s->arp) {
		b[o] = 0x08;
		b[o + 1] = 0x06;
		return o + 2 + 28;
	}
	b[o] = s->fam == 4 ? 0x08 : 0x86;
	b[o + 1] = s->fam == 4 ? 0x00 : 0xdd;
	o += 2;
	l3 = o;
	if (s->fam == 4) {
		b[o] = 0x40 | (5 + s->v4opt / 4);
		b[o + 4] = s->frag_id >> 8;
		b[o + 5] = s->frag_id;
		if (s->frag == 1)
			b[o + 6] = 0x20;		/* MF */
		else if (s->frag == 2)
			b[o + 7] = 0x10;		/* offset 16*8 */
		b[o + 8] = 64;
		b[o + 9] = s->proto;
		inet_pton(AF_INET, s->src, b + o + 12);
		inet_pton(AF_INET, s->dst, b + o + 16);
		memset(b + o + 20, 1, s->v4opt);	/* NOPs */
		o += 20 + s->v4opt;
	} else {
		b[o] = 0x60;
		b[o + 7] = 64;
		inet_pton(AF_INET6, s->src, b + o + 8);
		inet_pton(AF_INET6, s->dst, b + o + 24);
		o += 40;
		/* chain: v6ext destination-options headers, then a fragment header */
		uint8_t chain[16];
		int n = 0;

		for (int i = 0; i < s->v6ext && n < 15; i++)
			chain[n++] = 60;
		if (s->frag)
			chain[n++] = 44;
		for (int i = 0; i < n; i++) {
			uint8_t *h = b + o + 8 * i;

			h[0] = i + 1 < n ? chain[i + 1] : s->proto;
			if (chain[i] == 44) {
				if (s->frag == 1)
					h[3] = 1;		/* M */
				else
					h[2] = 0x10;	/* offset */
				h[4] = s->frag_id >> 24;
				h[5] = s->frag_id >> 16;
				h[6] = s->frag_id >> 8;
				h[7] = s->frag_id;
			}
		}
		nh = n ? chain[0] : s->proto;
		b[l3 + 6] = nh;
		o += 8 * n;
	}
	l4 = o;
	if (s->frag == 2) {
		o += 24;	/* payload only */
	} else if (s->proto == 6 || s->proto == 17) {
		b[o] = s->sport >> 8;
		b[o + 1] = s->sport;
		b[o + 2] = s->dport >> 8;
		b[o + 3] = s->dport;
		if (s->proto == 6)
			b[o + 12] = 0x50;
		o += s->proto == 6 ? 20 : 8;
		o += 16;
	} else {
		b[o] = s->icmp_type ? s->icmp_type : 8;
		o += 8 + 16;
	}
	(void)l4;
	if (s->fam == 4) {
		b[l3 + 2] = (o - l3) >> 8;
		b[l3 + 3] = (o - l3);
	} else {
		b[l3 + 4] = (o - l3 - 40) >> 8;
		b[l3 + 5] = (o - l3 - 40);
	}
	if (s->trunc)
		o = s->trunc;
	return o;
}

static int prog_fd;

static int run_pkt(const struct pspec *s)
{
	uint8_t b[256];
	size_t len = build(s, b);
	struct bpfkit_testrun_result res;
	int rc = bpfkit_testrun__run(prog_fd, b, len, NULL, &res);

	return rc ? rc : (int)res.retval;
}

/* run_pkt() on CPU CPU (the test run runs where its caller does): -1 if
 * this process may not run there. */
static int run_pkt_on(int cpu, const struct pspec *s)
{
	cpu_set_t was, one;
	int rc;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_getaffinity(0, sizeof(was), &was) || !CPU_ISSET(cpu, &was) || sched_setaffinity(0, sizeof(one), &one))
		return -1;
	rc = run_pkt(s);
	sched_setaffinity(0, sizeof(was), &was);
	return rc;
}

static int apply_text(struct xdpfw_state *st, const char *text)
{
	struct xdpfw_ruleset rs;
	char err[256];
	int rc = xdpfw_rules_parse_text(text, strlen(text), "t", &rs, err, sizeof(err));

	if (rc) {
		printf("  parse: %s\n", err);
		return rc;
	}
	rc = xdpfw_state_apply(st, &rs, rs.policy, NULL);
	xdpfw_ruleset_free(&rs);
	return rc;
}

/* apply_text(), with what it wrote to stderr in MSG (the refusal
 * messages are part of what is tested). */
static int apply_text_err(struct xdpfw_state *st, const char *text, char *msg, size_t msgsz)
{
	FILE *cap = tmpfile();
	int saved = dup(2), rc;

	msg[0] = 0;
	fflush(stderr);
	if (cap)
		dup2(fileno(cap), 2);
	rc = apply_text(st, text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (cap) {
		rewind(cap);
		msg[fread(msg, 1, msgsz - 1, cap)] = 0;
		fclose(cap);
	}
	return rc;
}

#define PASS_ XDP_PASS
#define DROP_ XDP_DROP

static void test_semantics(struct xdpfw_state *st)
{
	static const char *rules =
		"policy allow\n"
		"deny src 10.0.0.0/8\n"
		"allow src 10.1.0.0/16\n"			/* longer prefix wins */
		"deny src 10.1.2.0/24 proto tcp dport 22\n"	/* inherits /16 otherwise */
		"deny dst 192.168.5.0/24 proto udp dport 53\n"
		"allow src 172.16.0.0/12 dst 192.168.5.5\n"	/* src+dst beats dst-only */
		"deny proto tcp dport 6000-6100\n"
		"allow proto tcp dport 6050\n"			/* narrower range wins */
		"deny proto udp sport 1000-1999 dport 7000\n"
		"deny proto icmp\n"
		"deny src 2001:db8::/32 proto tcp dport 1-1023\n"
		"allow src 2001:db8:1::/48\n"
		"deny dst fd00::/8 proto icmpv6\n"
		"deny src 203.0.113.0/24 proto udp log\n"
		"deny src 198.51.100.0/24 dport 0-65535\n"	/* every port: tcp, udp only */
		"deny src 198.51.101.0/24 dport any\n";	/* no condition: every protocol */
	static const struct {
		const char *name;
		struct pspec p;
		int want;
	} t[] = {
		{ "v4-default-allow", { 4, "1.1.1.1", "2.2.2.2", 17, 1, 2 }, PASS_ },
		{ "v4-prefix-deny", { 4, "10.9.9.9", "2.2.2.2", 17, 1, 2 }, DROP_ },
		{ "v4-longer-prefix-allows", { 4, "10.1.9.9", "2.2.2.2", 17, 1, 2 }, PASS_ },
		{ "v4-longest-prefix-port-deny", { 4, "10.1.2.3", "2.2.2.2", 6, 5555, 22 }, DROP_ },
		{ "v4-longest-prefix-other-port", { 4, "10.1.2.3", "2.2.2.2", 6, 5555, 23 }, PASS_ },
		{ "v4-longest-prefix-udp-22", { 4, "10.1.2.3", "2.2.2.2", 17, 5555, 22 }, PASS_ },
		{ "v4-dst-udp-53", { 4, "1.1.1.1", "192.168.5.9", 17, 999, 53 }, DROP_ },
		{ "v4-dst-tcp-53", { 4, "1.1.1.1", "192.168.5.9", 6, 999, 53 }, PASS_ },
		{ "v4-src-dst-beats-dst", { 4, "172.20.0.1", "192.168.5.5", 17, 999, 53 }, PASS_ },
		{ "v4-src-dst-other-dst", { 4, "172.20.0.1", "192.168.5.6", 17, 999, 53 }, DROP_ },
		{ "v4-range-start", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 6000 }, DROP_ },
		{ "v4-range-end", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 6100 }, DROP_ },
		{ "v4-range-after", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 6101 }, PASS_ },
		{ "v4-narrow-in-range", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 6050 }, PASS_ },
		{ "v4-range-udp", { 4, "1.1.1.1", "2.2.2.2", 17, 1, 6000 }, PASS_ },
		{ "v4-sport-in", { 4, "1.1.1.1", "2.2.2.2", 17, 1500, 7000 }, DROP_ },
		{ "v4-sport-out", { 4, "1.1.1.1", "2.2.2.2", 17, 2000, 7000 }, PASS_ },
		{ "v4-icmp", { 4, "1.1.1.1", "2.2.2.2", 1 }, DROP_ },
		{ "v4-other-proto", { 4, "1.1.1.1", "2.2.2.2", 47 }, PASS_ },
		{ "v4-prefix-other-proto", { 4, "10.9.9.9", "2.2.2.2", 47 }, DROP_ },
		{ "v6-default", { 6, "2001:db9::1", "2001:db9::2", 6, 1, 22 }, PASS_ },
		{ "v6-port-deny", { 6, "2001:db8:5::1", "::2", 6, 1, 22 }, DROP_ },
		{ "v6-port-high", { 6, "2001:db8:5::1", "::2", 6, 1, 1024 }, PASS_ },
		{ "v6-longer-allow", { 6, "2001:db8:1::1", "::2", 6, 1, 22 }, PASS_ },
		{ "v6-icmpv6-dst", { 6, "2001:db9::1", "fd00::1", 58 }, DROP_ },
		{ "v6-icmpv6-nd-passes", { 6, "2001:db9::1", "fd00::1", 58, .icmp_type = 135 }, PASS_ },
		{ "v6-ext-headers", { 6, "2001:db8:5::1", "::2", 6, 1, 22, .v6ext = 2 }, DROP_ },
		{ "v6-ext-headers-allow", { 6, "2001:db8:5::1", "::2", 6, 1, 2000, .v6ext = 3 }, PASS_ },
		{ "v6-too-many-ext", { 6, "2001:db9::1", "::2", 6, 1, 2000, .v6ext = 7 }, DROP_ },
		{ "vlan-1", { 4, "10.9.9.9", "2.2.2.2", 17, 1, 2, .vlans = 1 }, DROP_ },
		{ "vlan-2", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 22, .vlans = 2 }, DROP_ },
		{ "vlan-2-allow", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 80, .vlans = 2 }, PASS_ },
		{ "v4-options", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 22, .v4opt = 12 }, DROP_ },
		{ "v4-options-allow", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 80, .v4opt = 40 }, PASS_ },
		{ "trunc-l4", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 80, .trunc = 14 + 20 + 10 }, DROP_ },
		{ "trunc-ip", { 4, "1.1.1.1", "2.2.2.2", 6, 1, 80, .trunc = 14 + 12 }, DROP_ },
		{ "trunc-v6", { 6, "2001:db9::1", "::2", 17, 1, 80, .trunc = 14 + 30 }, DROP_ },
		{ "trunc-v6-ext", { 6, "2001:db9::1", "::2", 17, 1, 80, .v6ext = 1, .trunc = 14 + 44 }, DROP_ },
		{ "trunc-eth", { 4, "1.1.1.1", "2.2.2.2", 6, .vlans = 1, .trunc = 16 }, DROP_ },
		{ "arp-passes", { .arp = 1 }, PASS_ },
		/* fragments: a later fragment follows its first one's verdict */
		{ "frag-first-denied", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 22, .frag = 1, .frag_id = 77 }, DROP_ },
		{ "frag-later-of-denied", { 4, "10.1.2.3", "2.2.2.2", 6, .frag = 2, .frag_id = 77 }, DROP_ },
		{ "frag-first-allowed", { 4, "10.1.2.3", "2.2.2.2", 6, 1, 80, .frag = 1, .frag_id = 78 }, PASS_ },
		{ "frag-later-of-allowed", { 4, "10.1.2.3", "2.2.2.2", 6, .frag = 2, .frag_id = 78 }, PASS_ },
		{ "frag-later-unseen", { 4, "1.1.1.1", "2.2.2.2", 6, .frag = 2, .frag_id = 79 }, DROP_ },
		{ "frag6-first-denied", { 6, "2001:db8:5::1", "::2", 6, 1, 22, .frag = 1, .frag_id = 5 }, DROP_ },
		{ "frag6-later-of-denied", { 6, "2001:db8:5::1", "::2", 6, .frag = 2, .frag_id = 5 }, DROP_ },
		{ "frag6-first-allowed", { 6, "2001:db8:5::1", "::2", 6, 1, 8080, .frag = 1, .frag_id = 6, .v6ext = 1 }, PASS_ },
		{ "frag6-later-of-allowed", { 6, "2001:db8:5::1", "::2", 6, .frag = 2, .frag_id = 6, .v6ext = 1 }, PASS_ },
		{ "log-rule-denies", { 4, "203.0.113.9", "2.2.2.2", 17, 1, 2 }, DROP_ },
		{ "every-port-tcp", { 4, "198.51.100.7", "2.2.2.2", 6, 1, 65535 }, DROP_ },
		{ "every-port-udp-0", { 4, "198.51.100.7", "2.2.2.2", 17, 0, 0 }, DROP_ },
		{ "every-port-not-gre", { 4, "198.51.100.7", "2.2.2.2", 47 }, PASS_ },
		{ "every-port-any-tcp", { 4, "198.51.101.7", "2.2.2.2", 6, 1, 80 }, DROP_ },
		{ "port-any-is-every-protocol", { 4, "198.51.101.7", "2.2.2.2", 47 }, DROP_ },
	};
	struct xdpfw_counter tot[XDPFW_NTOTALS], c;

	CHECK("apply-semantics-set", apply_text(st, rules) == 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = run_pkt(&t[i].p);
		char name[80];

		snprintf(name, sizeof(name), "sem-%s", t[i].name);
		if (got != t[i].want)
			printf("  %s: got %d want %d\n", t[i].name, got, t[i].want);
		CHECK(name, got == t[i].want);
	}
	CHECK("totals-read", xdpfw_state_totals(st, tot) == 0);
	CHECK("totals-malformed", tot[XDPFW_T_MALFORMED].packets == 6);
	CHECK("totals-frag-drop", tot[XDPFW_T_FRAG_DROP].packets >= 3);
	CHECK("totals-arp-nd", tot[XDPFW_T_LOCKOUT_PASS].packets == 2);
	CHECK("totals-logged", tot[XDPFW_T_LOGGED].packets == 1);
	/* rule 0 (deny src 10.0.0.0/8): 2 plain + vlan-1 */
	CHECK("counter-rule0", xdpfw_state_counter(st, 0, &c) == 0 && c.packets == 3 && c.bytes > 0);

	/* policy deny: unmatched packets drop, ARP still passes */
	CHECK("apply-deny-policy", apply_text(st, "policy deny\nallow src 1.1.1.1\n") == 0);
	struct pspec p1 = { 4, "1.1.1.1", "2.2.2.2", 17, 1, 2 }, p2 = { 4, "1.1.1.2", "2.2.2.2", 17, 1, 2 };
	struct pspec arp = { .arp = 1 }, nd = { 6, "fe80::1", "ff02::1", 58, .icmp_type = 136 };
	CHECK("deny-policy-allowed-src", run_pkt(&p1) == PASS_);
	CHECK("deny-policy-other-src", run_pkt(&p2) == DROP_);
	CHECK("deny-policy-arp", run_pkt(&arp) == PASS_);
	CHECK("deny-policy-nd", run_pkt(&nd) == PASS_);
	/* the policy is part of the generation: a file without one keeps it */
	CHECK("policy-kept", apply_text(st, "allow src 1.1.1.2\n") == 0 && run_pkt(&p1) == DROP_ &&
			     run_pkt(&p2) == PASS_);
}

/* ---- differential: datapath == reference evaluator --------------------- */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static const uint16_t port_pts[] = { 0, 1, 22, 53, 80, 443, 1000, 1023, 1024, 5000, 65535 };

/* Spread mode: prefixes of any length (/0 ... /32, /128) cut from a few
 * base addresses, so they nest and overlap at every trie stride boundary;
 * packets are the same bases with random low bits flipped. */
static uint32_t base4[2][3];
static uint8_t base6[2][3][16];
static bool spread;
static bool no_dst;	/* source-only rules: the compiler's per-node overlay path */

static void new_bases(void)
{
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < 3; i++) {
			base4[w][i] = (w ? 0xc0a80000u : 0x0a000000u) | (rnd() & 0x3ffff);
			base6[w][i][0] = 0x20;
			base6[w][i][1] = w ? 0x02 : 0x01;
			for (int b = 2; b < 16; b++)
				base6[w][i][b] = rnd() % 4 == 0 ? rnd() : 0;
		}
}

static void rnd_prefix(char *buf, size_t sz, const char *kw, bool v6, int w, int plen)
{
	char a[64];

	if (!v6) {
		uint32_t x = base4[w][rnd() % 3] & (plen ? ~0u << (32 - plen) : 0);

		snprintf(buf, sz, " %s %u.%u.%u.%u/%d", kw, x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255,
			 plen);
		return;
	}
	uint8_t x[16];

	memcpy(x, base6[w][rnd() % 3], 16);
	for (int b = 0; b < 128; b++)
		if (b >= plen)
			x[b / 8] &= ~(0x80 >> (b % 8));
	inet_ntop(AF_INET6, x, a, sizeof(a));
	snprintf(buf, sz, " %s %s/%d", kw, a, plen);
}

/* A packet address near a base: random low bits flipped. */
static void spread_addr(char *buf, size_t sz, bool v6, int w)
{
	int flip = rnd() % (v6 ? 129 : 33);

	if (!v6) {
		uint32_t x = base4[w][rnd() % 3];

		if (flip)
			x ^= rnd() & (flip == 32 ? ~0u : (1u << flip) - 1);
		snprintf(buf, sz, "%u.%u.%u.%u", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255);
		return;
	}
	uint8_t x[16];

	memcpy(x, base6[w][rnd() % 3], 16);
	for (int b = 128 - flip; b < 128; b++)
		if (rnd() % 2)
			x[b / 8] ^= 0x80 >> (b % 8);
	inet_ntop(AF_INET6, x, buf, sz);
}

static void rand_rule(char *buf, size_t sz)
{
	static const char *protos[] = { "tcp", "udp", "icmp", "any" };
	char src[64] = "", dst[64] = "", sp[32] = "", dp[32] = "", pr[32] = "";
	bool v6 = rnd() % 4 == 0;
	int plens[] = { 0, 8, 16, 24, 28, 32 };
	const char *proto = protos[rnd() % 4];

	if (spread) {
		if (rnd() % 8)
			rnd_prefix(src, sizeof(src), "src", v6, 0, rnd() % 3 == 0 ? (v6 ? 128 : 32) : rnd() % (v6 ? 129 : 33));
		if (!no_dst && rnd() % 3 == 0)
			rnd_prefix(dst, sizeof(dst), "dst", v6, 1, rnd() % 4 == 0 ? (v6 ? 128 : 32) : rnd() % (v6 ? 129 : 33));
	} else if (rnd() % 4) {
		int pl = plens[rnd() % 6];
		uint32_t a = (10u << 24) | ((rnd() % 3) << 16) | ((rnd() % 3) << 8) | (rnd() % 4 * 16);

		a &= pl ? ~0u << (32 - pl) : 0;
		if (v6)
			snprintf(src, sizeof(src), " src 2001:db8:%x::/%d", (a >> 8) & 0xff, pl ? 32 + pl / 2 : 32);
		else
			snprintf(src, sizeof(src), " src %u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
				 a & 255, pl);
	}
	if (!spread && rnd() % 3 == 0) {
		int pl = plens[rnd() % 6];
		uint32_t a = (192u << 24) | (168u << 16) | ((rnd() % 3) << 8) | (rnd() % 4);

		a &= pl ? ~0u << (32 - pl) : 0;
		if (v6)
			snprintf(dst, sizeof(dst), " dst fd00:%x::/%d", (a >> 8) & 0xff, 16 + pl / 2);
		else
			snprintf(dst, sizeof(dst), " dst %u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
				 a & 255, pl);
	}
	if (strcmp(proto, "any") || rnd() % 2)
		snprintf(pr, sizeof(pr), " proto %s", v6 && !strcmp(proto, "icmp") ? "icmpv6" : proto);
	if (strcmp(proto, "icmp")) {
		if (rnd() % 2) {
			uint16_t a = port_pts[rnd() % 11], b = port_pts[rnd() % 11];

			snprintf(dp, sizeof(dp), " dport %u-%u", a < b ? a : b, a < b ? b : a);
		}
		if (rnd() % 4 == 0) {
			uint16_t a = port_pts[rnd() % 11], b = port_pts[rnd() % 11];

			snprintf(sp, sizeof(sp), " sport %u-%u", a < b ? a : b, a < b ? b : a);
		}
	}
	snprintf(buf, sz, "%s%s%s%s%s%s", rnd() % 2 ? "allow" : "deny", src, dst, pr, sp, dp);
}

/* The reference evaluator's verdict (DROP_ or PASS_) for the packet S
 * describes; *RULE gets the rule that decided (-1: the policy). */
static int reference_of(const struct xdpfw_ruleset *rs, const struct pspec *s, long *rule)
{
	struct xdpfw_pkt rp = { .family = s->fam };
	int af = s->fam == 4 ? AF_INET : AF_INET6;

	inet_pton(af, s->src, rp.saddr);
	inet_pton(af, s->dst, rp.daddr);
	rp.ipproto = s->proto;
	rp.sport = s->sport;
	rp.dport = s->dport;
	*rule = xdpfw_rules_eval(rs, &rp);
	return (*rule >= 0 ? rs->r[*rule].d.action : rs->policy) == XDPFW_DENY ? DROP_ : PASS_;
}

/* rounds 40-59 in spread mode, 60-79 spread with source-only rules (a
 * destination rule anywhere above a source node sends it down the
 * destination stage; without them every node decides over its own rules
 * and its parent's remaining candidates, compile.c's decide_node()) */
#define ROUNDS 80

static void test_differential(struct xdpfw_state *st, const char *name)
{
	int mismatches = 0, runs = 0, rounds_ok = 0, shared_rounds = 0;

	if (getenv("XDPFW_TEST_SEED"))
		rnd_state = strtoul(getenv("XDPFW_TEST_SEED"), NULL, 0) | 1;
	for (int round = 0; round < ROUNDS; round++) {
		struct xdpfw_ruleset rs;
		char *text = malloc(400 * 160), err[256];
		size_t len = 0;
		int n = 5 + rnd() % (round < 10 ? 30 : 300);

		spread = round >= 40;
		no_dst = round >= 60;
		/* every third set applied on one thread (bgjob.c), the others
		 * with the IPv6 rules compiled beside the IPv4 ones */
		setenv("XDPFW_APPLY_THREADS", round % 3 == 2 ? "1" : "2", 1);	/* these sets are small */
		/* and in every third, the second thread takes part of the
		 * IPv4 walk (compile.c, struct walk4) */
		xdpfw_compile_test_share = round % 3 == 1;
		if (spread)
			new_bases();
		len += snprintf(text, 32, "policy %s\n", round % 2 ? "deny" : "allow");
		for (int i = 0; i < n; i++) {
			char r[160];

			rand_rule(r, sizeof(r));
			len += snprintf(text + len, 400 * 160 - len, "%s\n", r);
		}
		/* random sets may hold duplicates: drop them like a user would */
		while (xdpfw_rules_parse_text(text, len, "r", &rs, err, sizeof(err))) {
			int line;
			char *p = text;

			if (sscanf(err, "r:%d:", &line) != 1)
				break;
			for (int l = 1; l < line; l++)
				p = strchr(p, '\n') + 1;
			char *e = strchr(p, '\n') + 1;

			memmove(p, e, text + len - e);
			len -= e - p;
		}
		struct xdpfw_apply_stats as;

		if (xdpfw_state_apply(st, &rs, rs.policy, &as)) {
			CHECK("diff-apply", 0);
			free(text);
			xdpfw_ruleset_free(&rs);
			continue;
		}
		rounds_ok++;
		shared_rounds += as.c.shared4 > 0;
		for (int k = 0; k < 500; k++) {
			struct pspec p = { .fam = rnd() % 4 ? 4 : 6 };
			char s[64], d[64];
			uint8_t protos[] = { 6, 17, 1, 58, 47 };
			long w;
			int want, got;

			if (spread) {
				spread_addr(s, sizeof(s), p.fam == 6, 0);
				spread_addr(d, sizeof(d), p.fam == 6, 1);
			} else if (p.fam == 4) {
				snprintf(s, sizeof(s), "10.%u.%u.%u", rnd() % 3, rnd() % 3, rnd() % 80);
				snprintf(d, sizeof(d), "192.168.%u.%u", rnd() % 3, rnd() % 5);
			} else {
				snprintf(s, sizeof(s), "2001:db8:%x:%x::1", rnd() % 3, rnd() % 300);
				snprintf(d, sizeof(d), "fd00:%x:%x::1", rnd() % 3, rnd() % 300);
			}
			p.src = s;
			p.dst = d;
			p.proto = protos[rnd() % 5];
			p.sport = rnd() % 3 ? port_pts[rnd() % 11] + (rnd() % 3) - 1 : rnd();
			p.dport = rnd() % 3 ? port_pts[rnd() % 11] + (rnd() % 3) - 1 : rnd();
			if (p.proto == 58 || p.proto == 1)
				p.icmp_type = 8;
			want = reference_of(&rs, &p, &w);
			got = run_pkt(&p);
			runs++;
			if (got != want && mismatches++ < 5) {
				char txt[160] = "(policy)";

				if (w >= 0)
					xdpfw_rule_format(&rs.r[w].d, txt, sizeof(txt));
				if (getenv("XDPFW_TEST_DEBUG") && mismatches == 1)
					printf("%.*s", (int)len, text);
				printf("  round %d: %s %s>%s proto %u %u>%u: kernel %d, reference %d by %s\n",
				       round, p.fam == 4 ? "ipv4" : "ipv6", s, d, p.proto, p.sport, p.dport,
				       got, want, txt);
			}
		}
		free(text);
		xdpfw_ruleset_free(&rs);
	}
	unsetenv("XDPFW_APPLY_THREADS");
	xdpfw_compile_test_share = false;
	printf("  differential: %d packets over %d rule sets (%d with a shared IPv4 walk), %d mismatches\n", runs,
	       rounds_ok, shared_rounds, mismatches);
	CHECK(name, mismatches == 0 && rounds_ok == ROUNDS);
	/* every third round shares its walk where this process may run on
	 * two CPUs (bgjob.c: taskset and cpusets count, not the machine's) */
	cpu_set_t cpus;
	bool two = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;

	CHECK("diff-shared-walk", shared_rounds >= (two ? ROUNDS / 6 : 0));
}

/* IPv6 search leaves (a /32 holding longer source prefixes) whose longer
 * prefixes all have one length carry its index, and the datapath probes
 * that length alone: the hints the table builder sets, then the kernel's
 * verdicts through them against the reference evaluator. */
static const char *hint_rules =
	"policy allow\n"
	"deny src 2001:db8:1::/48\n"			/* alone in its /32: hint */
	"deny src 2001:db9:0:5::/64 proto tcp dport 80-90\n"	/* hint, a class */
	"deny src 2001:dba:1::/48\n"			/* two lengths: the search */
	"deny src 2001:dba:0:2::/64\n"
	"allow src 2001:dbb::/32\n"			/* a /32 prefix with a /128 */
	"deny src 2001:dbb::1/128\n"
	"deny src 2001:dbc::/32\n"
	"allow src 2001:dbc:7::/48 proto udp\n";

static void test_v6_hints(struct xdpfw_state *st)
{
	static const struct {
		const char *a;
		int plen;
		uint32_t want;		/* its /32's search leaf hint */
	} pre[] = {
		{ "2001:db8:1::", 48, 1 }, { "2001:db9:0:5::", 64, 2 }, { "2001:dba:1::", 48, 0 },
		{ "2001:dba:0:2::", 64, 0 }, { "2001:dbb::", 32, 3 }, { "2001:dbb::1", 128, 3 },
		{ "2001:dbc::", 32, 1 }, { "2001:dbc:7::", 48, 1 },
	};
	struct xdpfw_tabvec v = { 0 }, top = { 0 };
	uint8_t lens[XDPFW_PLENS_MAX] = { 0 };
	int bad = 0, leaves = 0, mismatches = 0, runs = 0;
	struct xdpfw_ruleset rs;
	char err[256];

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		struct xdpfw_cls cls = { .v = { i + 1 } };
		uint8_t a[16];

		inet_pton(AF_INET6, pre[i].a, a);
		if (xdpfw_tabvec_push(&v, pre[i].plen + 1, a, &cls))
			bad++;
	}
	if (xdpfw_v6top_split(&v, &top, 32))
		bad++;
	for (size_t k = 0; k < v.n; k++)
		lens[(v.e[k].tag & 0xff) - 1] = 1;	/* 48, 64, 128: indexes 1, 2, 3 */
	xdpfw_v6top_hints(&top, lens);
	for (size_t k = 0; k < top.n; k++) {
		uint32_t hint = top.e[k].flags >> XDPFW_S_HINT_SHIFT & XDPFW_TRIE_HINT_MASK, leaf;

		if (!(top.e[k].flags & XDPFW_S_SEARCH))
			continue;
		leaves++;
		leaf = leaf_at(&top, k, NULL);
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
			uint8_t a[16];

			inet_pton(AF_INET6, pre[i].a, a);
			if (!memcmp(a, top.e[k].addr, 4) &&
			    (hint != pre[i].want || (leaf >> XDPFW_TRIE_HINT_SHIFT & XDPFW_TRIE_HINT_MASK) != hint))
				bad++;
		}
	}
	xdpfw_tabvec_free(&v);
	xdpfw_tabvec_free(&top);
	CHECK("v6-hint-leaves", bad == 0 && leaves == 5);

	/* through the datapath: each prefix's own address, and neighbours
	 * differing in one bit at or just past its length */
	if (apply_text(st, hint_rules) || xdpfw_rules_parse_text(hint_rules, strlen(hint_rules), "t", &rs, err,
								    sizeof(err))) {
		CHECK("v6-hint-apply", 0);
		return;
	}
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		for (int flip = -1; flip < 4; flip++) {
			for (int q = 0; q < 3; q++) {
				struct pspec p = { .fam = 6, .dst = "2001:db8:ffff::1", .sport = 1234 };
				uint8_t a[16];
				char s[64];
				long w;
				int want, got, bit = pre[i].plen - 2 + flip;

				inet_pton(AF_INET6, pre[i].a, a);
				a[15] |= 1;
				if (flip >= 0 && bit < 128)
					a[bit / 8] ^= 0x80 >> (bit % 8);
				inet_ntop(AF_INET6, a, s, sizeof(s));
				p.src = s;
				p.proto = q == 2 ? 17 : 6;
				p.dport = q == 0 ? 85 : 100;
				want = reference_of(&rs, &p, &w);
				got = run_pkt(&p);
				runs++;
				if (got != want && mismatches++ < 5)
					printf("  v6 hint: %s proto %u dport %u: kernel %d, reference %d\n", s, p.proto,
					       p.dport, got, want);
			}
		}
	}
	xdpfw_ruleset_free(&rs);
	printf("  v6 hints: %d packets, %d mismatches\n", runs, mismatches);
	CHECK("v6-hint-verdicts-equal-reference", mismatches == 0 && runs > 0);
}

/* Entries held by the rule-set maps (both halves of the prefix tables, the
 * port trie) and which generations they belong to: after an apply only the
 * active generation's. */
static long trie_entries(struct xdpfw_state *st, int *gens_seen)
{
	uint64_t used[2][2];
	uint32_t cap[2];
	long n = 0;

	*gens_seen = 0;
	xdpfw_state_table_usage(st, used, cap);
	for (int g = 0; g < 2; g++)
		if (used[g][0] + used[g][1]) {
			*gens_seen |= 1 << g;
			n += used[g][0] + used[g][1];
		}
	uint64_t pused[2];
	uint32_t pcap;
	struct xdpfw_table_fill fill[XDPFW_NTABLES];
	struct xdpfw_cfg cfg;

	/* the trie past its roots too (a blocklist's leaves may all be
	 * verdicts, with no class: xdpfw_trie4_compact), as an apply counts */
	if (!xdpfw_state_cfg(st, &cfg) && !xdpfw_state_table_fill(st, &cfg, fill))
		for (int g = 0; g < 2; g++)
			if (fill[1].used[g]) {
				*gens_seen |= 1 << g;
				n += fill[1].used[g];
			}
	xdpfw_state_port_usage(st, pused, &pcap);
	for (int g = 0; g < 2; g++) {
		/* a cleared half is zero throughout, not just up to its tables */
		for (uint32_t i = 0; i < pcap; i++)
			if (st->ptab[(size_t)g * pcap + i].start || st->ptab[(size_t)g * pcap + i].v) {
				*gens_seen |= 1 << g;
				break;
			}
		n += pused[g];
	}
	return n;
}

/* Records (XDPFW_TRIE_REC): a source /16 with one longer prefix reads a
 * 4-entry record instead of chunks; what it holds outside that prefix is
 * the /16's own entry (a shorter prefix, or the /16 itself). A /16 with two
 * keeps its chunks, and a /20 below with one has a record; IPv6 search
 * leaves alone in their /16 get records too. */
static void test_trie_records(struct xdpfw_state *st)
{
	static const struct {
		struct pspec p;
		int want;
	} pk[] = {
		{ { 4, "10.1.2.5", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* the /24 */
		{ { 4, "10.1.2.5", "2.2.2.2", 17, 1, 2 }, DROP_ },	/* the /8 decides UDP inside it */
		{ { 4, "10.1.3.5", "2.2.2.2", 6, 1, 2 }, PASS_ },	/* outside: the /8 */
		{ { 4, "10.1.3.5", "2.2.2.2", 17, 1, 2 }, DROP_ },
		{ { 4, "10.2.9.9", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* the /32 */
		{ { 4, "10.2.9.8", "2.2.2.2", 17, 1, 2 }, PASS_ },	/* the /16 allow */
		{ { 4, "10.3.1.7", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* two /24s: chunks */
		{ { 4, "10.3.200.7", "2.2.2.2", 6, 1, 2 }, DROP_ },
		{ { 4, "10.3.2.7", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 4, "11.4.0.1", "2.2.2.2", 6, 1, 2 }, PASS_ },	/* a /16 with nothing */
		{ { 4, "10.4.1.1", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* a /20 beside ... */
		{ { 4, "10.4.128.9", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* ... a /20's record */
		{ { 4, "10.4.128.8", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 4, "10.4.129.9", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 6, "2001:db8:5::1", "2001:db8::2", 6, 1, 2 }, DROP_ },	/* the /48 */
		{ { 6, "2001:db8:6::1", "2001:db8::2", 6, 1, 2 }, PASS_ },
	};
	struct xdpfw_cfg cfg;
	const uint32_t *t, *r6;
	const struct xdpfw_one6 *one;
	uint32_t base6, leaf6;
	int ok = 0, g;

	CHECK("records-applied", apply_text(st, "policy allow\n"
						"deny src 10.0.0.0/8 proto udp\n"
						"deny src 10.1.2.0/24 proto tcp\n"
						"allow src 10.2.0.0/16\n"
						"deny src 10.2.9.9\n"
						"deny src 10.3.1.0/24\n"
						"deny src 10.3.200.0/24\n"
						"deny src 10.4.0.0/20\n"
						"deny src 10.4.128.9\n"
						"deny src 2001:db8:5::/48\n") == 0 &&
					 xdpfw_state_cfg(st, &cfg) == 0);
	g = cfg.gen & 1;
	t = st->trie4 + (size_t)g * st->trie4_cap;
	CHECK("records-where-one-longer",
	      (t[0x0a01] & XDPFW_TRIE_REC) == XDPFW_TRIE_REC && (t[0x0a02] & XDPFW_TRIE_REC) == XDPFW_TRIE_REC &&
		      (t[0x0a03] & XDPFW_TRIE_REC) == XDPFW_TRIE_PTR && !(t[0x0b04] & XDPFW_TRIE_PTR) &&
		      (t[st->plens[g * 4 + 2].tbase + 0x2001] & XDPFW_TRIE_REC) == XDPFW_TRIE_REC &&
		      (t[0x0a04] & XDPFW_TRIE_REC) == XDPFW_TRIE_PTR &&
		      (t[(t[0x0a04] & XDPFW_TRIE_OFF) + 8] & XDPFW_TRIE_REC) == XDPFW_TRIE_REC);
	/* the /48 is its /32's one longer prefix: the IPv6 trie's record holds
	 * a leaf referring to a record in the class pool (XDPFW_TRIE_ONE) */
	base6 = st->plens[g * 4 + 2].tbase;
	r6 = &t[base6 + (t[base6 + 0x2001] & XDPFW_TRIE_OFF)];
	leaf6 = r6[2];
	one = (const struct xdpfw_one6 *)((struct xdpfw_cls *)st->tab[0] + (size_t)g * st->tab_cap[0] +
					   st->plens[g * 4 + 2].cbase + (leaf6 & XDPFW_V_SLOT_MASK) - 1);
	CHECK("records-v6-one", (leaf6 & XDPFW_TRIE_ONE) && (leaf6 & XDPFW_TRIE_SEARCH) &&
					one->mask[1] == htonl(0xffff0000u) && one->mask[2] == 0 &&
					one->addr[1] == htonl(0x00050000u) && (one->in & XDPFW_TRIE_DIRECT) &&
					one->out == 0);
	for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		int got = run_pkt(&pk[i].p);

		if (got != pk[i].want)
			printf("  %s proto %u: %d, want %d\n", pk[i].p.src, pk[i].p.proto, got, pk[i].want);
		ok += got == pk[i].want;
	}
	CHECK("records-verdicts", ok == (int)(sizeof(pk) / sizeof(pk[0])));
}

static void test_swaps(struct xdpfw_state *st)
{
	struct xdpfw_ruleset a, b;
	struct xdpfw_apply_stats as;
	struct xdpfw_cfg cfg;
	char err[256];
	int gens, rc;
	long n;
	struct pspec pa = { 4, "10.0.0.1", "2.2.2.2", 6, 1, 22 }, pb = { 4, "10.0.0.2", "2.2.2.2", 6, 1, 22 };
	const char *ta = "policy allow\ndeny src 10.0.0.1 proto tcp dport 22\nallow src 10.0.0.2\n"
			 "deny src 10.0.0.3 proto udp\n",
		   *tb = "policy allow\ndeny src 10.0.0.3 proto udp\nallow src 10.0.0.1\n"
			 "deny src 10.0.0.2 proto tcp dport 20-30\n";
	struct pspec pc = { 4, "10.0.0.3", "2.2.2.2", 17, 1, 2 };

	xdpfw_rules_parse_text(ta, strlen(ta), "a", &a, err, sizeof(err));
	xdpfw_rules_parse_text(tb, strlen(tb), "b", &b, err, sizeof(err));

	CHECK("swap-apply-a", xdpfw_state_apply(st, &a, a.policy, &as) == 0);
	n = trie_entries(st, &gens);
	CHECK("swap-one-generation-only", gens && (gens & (gens - 1)) == 0 && n == (long)as.entries);
	CHECK("swap-a-verdicts", run_pkt(&pa) == DROP_ && run_pkt(&pb) == PASS_);

	/* killed after writing the new generation, before the switch */
	xdpfw_apply_crash_point = 1;
	rc = xdpfw_state_apply(st, &b, b.policy, NULL);
	xdpfw_apply_crash_point = 0;
	CHECK("crash-apply-interrupted", rc == -EINTR);
	CHECK("crash-old-set-still-active", run_pkt(&pa) == DROP_ && run_pkt(&pb) == PASS_);
	n = trie_entries(st, &gens);
	CHECK("crash-left-two-generations", gens == 3);
	struct xdpfw_ruleset cur;
	uint32_t *slots;

	CHECK("crash-read-old", xdpfw_state_read(st, &cur, &slots) == 0 && cur.n == 3 &&
				 cur.r[0].d.dport_lo == 22);
	free(slots);
	xdpfw_ruleset_free(&cur);
	/* the next apply (a restarted CLI) cleans up and switches */
	CHECK("crash-next-apply", xdpfw_state_apply(st, &b, b.policy, &as) == 0);
	CHECK("crash-new-set-active", run_pkt(&pa) == PASS_ && run_pkt(&pb) == DROP_);
	n = trie_entries(st, &gens);
	CHECK("crash-cleaned", (gens & (gens - 1)) == 0 && n == (long)as.entries);

	/* 200 swaps: every packet sees one set or the other; the rule both
	 * sets share keeps its slot, and its counter counts every packet */
	struct xdpfw_counter c1 = { 0 };
	uint32_t shared = UINT32_MAX;
	bool ok = true;
	int i;

	for (i = 0; i < 200 && ok; i++) {
		const struct xdpfw_ruleset *rs = i % 2 ? &b : &a;
		uint32_t slot = UINT32_MAX;

		ok = xdpfw_state_apply(st, rs, rs->policy, NULL) == 0 &&
		     run_pkt(&pa) == (i % 2 ? PASS_ : DROP_) && run_pkt(&pb) == (i % 2 ? DROP_ : PASS_) &&
		     run_pkt(&pc) == DROP_;
		ok = ok && xdpfw_state_read(st, &cur, &slots) == 0;
		if (!ok)
			break;	/* nothing read this round: nothing to free */
		for (size_t k = 0; k < cur.n; k++)
			if (cur.r[k].d.src[0] == 10 && cur.r[k].d.src[3] == 3 && cur.r[k].d.src_plen == 32)
				slot = slots[k];
		free(slots);
		xdpfw_ruleset_free(&cur);
		if (shared == UINT32_MAX)
			shared = slot;
		ok = ok && slot == shared && xdpfw_state_counter(st, shared, &c1) == 0 &&
		     c1.packets == (uint64_t)i + 1;
	}
	if (!ok)
		printf("  swap %d: shared slot %u, counter %llu\n", i, shared, (unsigned long long)c1.packets);
	CHECK("swap-200-times", ok);
	CHECK("swap-cfg", xdpfw_state_cfg(st, &cfg) == 0 && cfg.nrules[cfg.gen] == 3);
	xdpfw_ruleset_free(&a);
	xdpfw_ruleset_free(&b);

	/* a rule kept across swaps keeps its slot and counters */
	CHECK("keep-apply-1", apply_text(st, "deny src 10.0.0.1\n") == 0);
	run_pkt(&pa);
	run_pkt(&pa);
	CHECK("keep-apply-2", apply_text(st, "allow src 10.0.0.9\ndeny src 10.0.0.1\n") == 0);
	run_pkt(&pa);
	CHECK("keep-read", xdpfw_state_read(st, &cur, &slots) == 0 && cur.n == 2);
	CHECK("keep-counter", xdpfw_state_counter(st, slots[1], &c1) == 0 && c1.packets == 3);
	free(slots);
	xdpfw_ruleset_free(&cur);
}

/* A rules map pinned by an older xdpfw has no BPF_F_MMAPABLE: the
 * definitions then go through batch syscalls, with the same results
 * (sets applied, a kept rule keeps its slot and counter, the set reads
 * back). */
static uint32_t slot_of_src(struct xdpfw_state *st, uint8_t last, uint64_t *packets)
{
	struct xdpfw_ruleset cur;
	struct xdpfw_counter c = { 0 };
	uint32_t *slots, slot = UINT32_MAX;

	if (xdpfw_state_read(st, &cur, &slots))
		return UINT32_MAX;
	for (size_t k = 0; k < cur.n; k++)
		if (cur.r[k].d.src[3] == last)
			slot = slots[k];
	if (slot != UINT32_MAX && xdpfw_state_counter(st, slot, &c))
		slot = UINT32_MAX;
	*packets = c.packets;
	free(slots);
	xdpfw_ruleset_free(&cur);
	return slot;
}

/* Per-rule counters are a value per CPU id (xdpfw_rulecnt): a packet counts
 * into its CPU's own, the sum is every CPU's, and a slot handed to a new
 * rule starts from zero on every CPU. */
static void test_counters_per_cpu(struct xdpfw_state *st)
{
	struct pspec p = { 4, "10.0.0.3", "2.2.2.2", 17, 1, 2 };
	struct xdpfw_counter c;
	uint32_t slot;
	uint64_t n;
	int ran = 0, own = 1;

	CHECK("cpus-apply", apply_text(st, "policy allow\ndeny src 10.0.0.3\n") == 0);
	slot = slot_of_src(st, 3, &n);
	for (uint32_t cpu = 0; cpu < st->cnt_cpus && slot != UINT32_MAX; cpu++) {
		uint64_t before = st->cnt[(size_t)cpu * st->cnt_slots + slot].packets;

		if (run_pkt_on((int)cpu, &p) != DROP_)
			continue;
		ran++;
		own = own && st->cnt[(size_t)cpu * st->cnt_slots + slot].packets == before + 1;
	}
	if (ran < 2)
		printf("  SKIP-note: ran on %d CPU(s): one CPU's part only\n", ran);
	CHECK("cpus-own-part", slot != UINT32_MAX && ran >= 1 && own);
	CHECK("cpus-summed", xdpfw_state_counter(st, slot, &c) == 0 && c.packets == n + (uint64_t)ran);
	/* freed, then handed to a new rule: zero on every CPU. Slots are handed
	 * out lowest first, so as many new rules as slots ever used take it. */
	struct xdpfw_cfg cfg;
	struct xdpfw_ruleset cur = { 0 };
	uint32_t *slots = NULL, hw;
	size_t len = 0;
	char *text;
	int found = 0;

	CHECK("cpus-freed", apply_text(st, "policy allow\n") == 0 && xdpfw_state_cfg(st, &cfg) == 0);
	hw = cfg.slots_hw < 4096 ? cfg.slots_hw : 4096;
	text = malloc((size_t)hw * 32 + 32);
	if (!text)
		return;
	len += sprintf(text, "policy allow\n");
	for (uint32_t k = 0; k < hw; k++)
		len += sprintf(text + len, "deny src 10.1.%u.%u\n", k >> 8, k & 255);
	CHECK("cpus-reused-apply", apply_text(st, text) == 0 && xdpfw_state_read(st, &cur, &slots) == 0);
	for (size_t k = 0; slots && k < cur.n; k++)
		if (slots[k] == slot)
			found = xdpfw_state_counter(st, slot, &c) == 0 && c.packets == 0 ? 1 : -1;
	CHECK("cpus-reused-zero", found == 1);
	free(text);
	free(slots);
	xdpfw_ruleset_free(&cur);
}

/* A first fragment's verdict, which its later fragments follow, does not
 * outlive its rule or its default policy: after an apply without them the
 * later fragments drop (first fragment "not seen"), and none counts into
 * the rule's slot once another rule holds it; a rule the new set keeps
 * keeps its fragments passing. */
static void test_frags_across_applies(struct xdpfw_state *st)
{
	struct pspec first = { 4, "10.7.1.1", "2.2.2.2", 17, 1000, 53, .frag = 1, .frag_id = 901 };
	struct pspec later = { 4, "10.7.1.1", "2.2.2.2", 17, .frag = 2, .frag_id = 901 };
	struct pspec first2 = { 4, "10.8.1.1", "2.2.2.2", 17, 1000, 53, .frag = 1, .frag_id = 902 };
	struct pspec later2 = { 4, "10.8.1.1", "2.2.2.2", 17, .frag = 2, .frag_id = 902 };
	struct pspec first3 = { 4, "1.2.3.4", "2.2.2.2", 17, 1000, 53, .frag = 1, .frag_id = 903 };
	struct pspec later3 = { 4, "1.2.3.4", "2.2.2.2", 17, .frag = 2, .frag_id = 903 };
	struct xdpfw_counter t0[XDPFW_NTOTALS], t1[XDPFW_NTOTALS];

	CHECK("frag-apply-allow-rules",
	      apply_text(st, "policy deny\nallow src 10.7.0.0/16\nallow src 10.8.0.0/16\n") == 0);
	CHECK("frag-first-passes", run_pkt(&first) == PASS_ && run_pkt(&first2) == PASS_);
	CHECK("frag-later-passes", run_pkt(&later) == PASS_ && run_pkt(&later2) == PASS_);
	/* 10.7/16's rule goes, 10.8/16's stays */
	CHECK("frag-apply-without-rule", apply_text(st, "policy deny\nallow src 10.8.0.0/16\n") == 0);
	CHECK("frag-totals-before", xdpfw_state_totals(st, t0) == 0);
	CHECK("frag-later-of-removed-rule-drops", run_pkt(&later) == DROP_);
	CHECK("frag-later-of-kept-rule-passes", run_pkt(&later2) == PASS_);
	CHECK("frag-counted-as-unseen", xdpfw_state_totals(st, t1) == 0 &&
						t1[XDPFW_T_FRAG_DROP].packets == t0[XDPFW_T_FRAG_DROP].packets + 1);
	{
		/* a map full of them (anyone can send first fragments): 4000
		 * verdicts of a rule the next set drops, 4000 of one it keeps,
		 * 4000 of none; after the apply only the first are gone */
		struct xdpfw_frag_key k = { .family = 4, .proto = 17 };
		uint32_t drop_slot, keep_slot, v, left[3] = { 0 }, before[3] = { 0 };
		uint64_t n;
		int fd = st->fd[XM_FRAGS], ok = 1;

		CHECK("frag-bulk-apply", apply_text(st, "policy deny\nallow src 10.7.0.9\nallow src 10.8.0.9\n") == 0);
		drop_slot = slot_of_src(st, 9, &n);	/* the last rule with .9: 10.8.0.9 */
		keep_slot = drop_slot;
		{
			struct xdpfw_ruleset cur;
			uint32_t *slots;

			if (xdpfw_state_read(st, &cur, &slots) == 0) {
				for (size_t i = 0; i < cur.n; i++)
					if (cur.r[i].d.src[1] == 7)
						drop_slot = slots[i];
				free(slots);
				xdpfw_ruleset_free(&cur);
			}
		}
		for (uint32_t i = 0; i < 12000 && ok; i++) {
			k.id = i;
			v = XDPFW_V_SEEN | (i % 3 == 0 ? drop_slot + 1 : i % 3 == 1 ? keep_slot + 1 : 0);
			ok = bpf_map_update_elem(fd, &k, &v, BPF_ANY) == 0;
		}
		/* what the LRU map holds now (it may evict early on many CPUs) */
		for (uint32_t i = 0; i < 12000; i++) {
			k.id = i;
			before[i % 3] += bpf_map_lookup_elem(fd, &k, &v) == 0;
		}
		CHECK("frag-bulk-filled", ok && drop_slot != keep_slot && keep_slot != UINT32_MAX && before[0] > 1000);
		CHECK("frag-bulk-apply-without", apply_text(st, "policy deny\nallow src 10.8.0.9\n") == 0);
		for (uint32_t i = 0; i < 12000; i++) {
			k.id = i;
			left[i % 3] += bpf_map_lookup_elem(fd, &k, &v) == 0;
		}
		if (left[0] || left[1] != before[1] || left[2] != before[2])
			printf("  left: %u of %u stale, %u of %u kept, %u of %u without a rule\n", left[0], before[0],
			       left[1], before[1], left[2], before[2]);
		CHECK("frag-bulk-stale-swept", left[0] == 0 && left[1] == before[1] && left[2] == before[2]);
	}
	/* a first fragment no rule matched: its later ones follow the policy of
	 * the moment */
	CHECK("frag-apply-policy-allow", apply_text(st, "policy allow\n") == 0);
	CHECK("frag-first-by-policy", run_pkt(&first3) == PASS_ && run_pkt(&later3) == PASS_);
	CHECK("frag-apply-policy-deny", apply_text(st, "policy deny\n") == 0);
	CHECK("frag-later-after-policy-change-drops", run_pkt(&later3) == DROP_);
}

/* Port rules on prefixes nested DEPTH deep (every level allowing its own
 * two ports, a catch-all denying two): each level's table refers to its
 * parent's (XDPFW_V_PARENT) up to XDPFW_PORT_CHAIN steps, deeper ones are
 * merged. Every level's packets on every port against the reference. */
static void test_port_chain(struct xdpfw_state *st)
{
	static const char *const nets[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.1.1.0/28",
					    "10.1.1.0/30", "10.1.1.0/31" };
	static const char *const srcs[] = { "10.9.9.9", "10.1.9.9", "10.1.1.99", "10.1.1.9", "10.1.1.2", "10.1.1.1",
					    "11.1.1.1" };
	static const int ports[] = { 22, 23, 80, 90, 1000 };

	for (int depth = 4; depth <= 6; depth++) {
		char text[2048], err[256];
		size_t len = snprintf(text, sizeof(text), "policy allow\ndeny proto tcp dport 22\ndeny proto tcp dport 23\n");
		struct xdpfw_ruleset rs;
		int bad = 0;

		for (int l = 0; l < depth; l++)
			len += snprintf(text + len, sizeof(text) - len,
					"allow src %s proto tcp dport %d\nallow src %s proto tcp dport %d\n", nets[l],
					80 + 10 * (l % 2), nets[l], 22 + (l == depth - 1));
		if (xdpfw_rules_parse_text(text, len, "c", &rs, err, sizeof(err)) || apply_text(st, text)) {
			CHECK("port-chain-apply", 0);
			return;
		}
		for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
			for (size_t j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
				struct pspec p = { 4, srcs[i], "192.0.2.1", 6, 1000, ports[j] };
				long rule;
				int want = reference_of(&rs, &p, &rule), got = run_pkt(&p);

				if (got != want) {
					printf("  depth %d: %s dport %d: got %d want %d (rule %ld)\n", depth, srcs[i],
					       ports[j], got, want, rule);
					bad++;
				}
			}
		CHECK(depth == 4 ? "port-chain-4" : depth == 5 ? "port-chain-5" : "port-chain-6-merged", bad == 0);
		xdpfw_ruleset_free(&rs);
	}
}

/* Port tables of hundreds of intervals (port_find's binary search, up to
 * eleven steps here): a /24 with 600 dport ranges, half of them split further
 * by source port, under a /16 with ranges of its own (the parent chain);
 * every interval's edges and the ports beside them, against the reference. */
static void test_port_intervals(struct xdpfw_state *st)
{
	size_t cap = 1200 * 96, len = 0;
	char *text = malloc(cap), err[256];
	struct xdpfw_ruleset rs;
	int bad = 0, runs = 0;

	if (!text) {
		CHECK("port-intervals-alloc", 0);
		return;
	}
	len += snprintf(text + len, cap - len, "policy allow\n");
	for (int i = 0; i < 600; i++) {
		int lo = 100 + i * 100, hi = lo + (i % 7) * 9;

		len += snprintf(text + len, cap - len, "%s src 10.7.7.0/24 proto tcp dport %d-%d%s\n",
				i % 3 ? "deny" : "allow", lo, hi, i % 2 ? " sport 1000-1999" : "");
		if (i % 2)
			len += snprintf(text + len, cap - len, "allow src 10.7.7.0/24 proto tcp dport %d-%d\n", lo, hi);
		if (i % 5 == 0)
			len += snprintf(text + len, cap - len, "deny src 10.7.0.0/16 proto tcp dport %d-%d\n", lo + 40,
					lo + 60);
	}
	if (xdpfw_rules_parse_text(text, len, "p", &rs, err, sizeof(err))) {
		printf("  %s\n", err);
		CHECK("port-intervals-parse", 0);
		free(text);
		return;
	}
	if (apply_text(st, text)) {
		CHECK("port-intervals-apply", 0);
		xdpfw_ruleset_free(&rs);
		free(text);
		return;
	}
	for (int i = 0; i < 600; i++) {
		int lo = 100 + i * 100, hi = lo + (i % 7) * 9;
		const int dports[] = { lo - 1, lo, lo + 1, hi, hi + 1, lo + 39, lo + 40, lo + 60, lo + 61 };
		static const int sports[] = { 0, 999, 1000, 1999, 2000, 65535 };

		for (size_t d = 0; d < sizeof(dports) / sizeof(dports[0]); d++)
			for (int sp = 0; sp < 6; sp++) {
				static const char *const srcs[] = { "10.7.7.9", "10.7.8.9" };
				struct pspec p = { 4, srcs[(i + d) % 2], "192.0.2.1", 6, sports[sp], dports[d] };
				long rule;
				int want = reference_of(&rs, &p, &rule), got = run_pkt(&p);

				runs++;
				if (got != want && bad++ < 5)
					printf("  %s sport %d dport %d: got %d want %d (rule %ld)\n", p.src, p.sport,
					       p.dport, got, want, rule);
			}
	}
	printf("  port intervals: %d packets, %d wrong\n", runs, bad);
	CHECK("port-intervals-equal-reference", bad == 0 && runs == 600 * 9 * 6);
	xdpfw_ruleset_free(&rs);
	free(text);
}

/* A port table of 32768 intervals (15 binary-search steps): UDP to every
 * fourth port denied, the rest allowed, every port 0..65535 checked (the
 * verdict is known without the reference evaluator, which would take
 * 16384 rules a packet). */
static void test_port_table_deep(struct xdpfw_state *st)
{
	size_t cap = 16384 * 48 + 32, len = 0;
	char *text = malloc(cap);
	int bad = 0;

	if (!text) {
		CHECK("port-table-deep-alloc", 0);
		return;
	}
	len += snprintf(text + len, cap - len, "policy allow\n");
	for (int port = 0; port < 65536; port += 4)
		len += snprintf(text + len, cap - len, "deny src 10.9.9.0/24 proto udp dport %d\n", port);
	if (apply_text(st, text)) {
		CHECK("port-table-deep-apply", 0);
		free(text);
		return;
	}
	for (int port = 0; port < 65536; port++) {
		struct pspec p = { 4, "10.9.9.1", "192.0.2.1", 17, 1000, port };
		int want = port % 4 ? PASS_ : DROP_, got = run_pkt(&p);

		if (got != want && bad++ < 5)
			printf("  dport %d: got %d want %d\n", port, got, want);
	}
	CHECK("port-table-deep-every-port", bad == 0);
	free(text);
}

/* The datapath leaves the verifier room: a kernel whose verifier explores
 * a little more (they change between builds) must still load it. At most
 * 60% of the 1M-instruction budget (about 0.44M on 6.18: in December 2026 a
 * jump per binary-search step took it to 0.98M). */
static void test_verifier_headroom(int fd, const char *name)
{
	struct bpf_prog_info info = { 0 };
	__u32 ilen = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		printf("  %s: no program info: %s\n", name, strerror(errno));
		CHECK(name, 0);
		return;
	}
	if (!info.verified_insns) {
		printf("SKIP: %s (this kernel does not report verified instructions: before 5.16)\n", name);
		return;
	}
	printf("  %s: the datapath verified in %u instructions\n", name, info.verified_insns);
	CHECK(name, info.verified_insns <= 600000);
}

/* 400 destination rules, and 400 source hosts each with a destination
 * rule: every host's destination stage holds all 401 destinations, 160k
 * entries, more than the class pool: refused while compiling (not after
 * building them all in memory), the old set kept. */
static void test_dst_copies_refused(struct xdpfw_state *st)
{
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 }, q = { 4, "10.0.0.2", "2.2.2.2", 17, 1, 2 };
	char msg[1024] = "", *big = malloc(800 * 48);
	size_t len = 0;
	int rc;

	CHECK("dst-copies-old-set", apply_text(st, "policy allow\ndeny src 10.0.0.1\n") == 0);
	for (int i = 0; big && i < 400; i++)
		len += snprintf(big + len, 800 * 48 - len, "allow dst 10.%d.%d.0/24\ndeny src 11.%d.%d.1 dst 12.0.0.1\n",
				i / 256, i % 256, i / 256, i % 256);
	rc = big ? apply_text_err(st, big, msg, sizeof(msg)) : -ENOMEM;
	free(big);
	if (!strstr(msg, "class pool is full: the set compiles to more than"))
		printf("  got '%s'\n", msg);
	/* the message of the refusal while compiling, not of the plan after */
	CHECK("dst-copies-refused", rc == -E2BIG && strstr(msg, "class pool is full: the set compiles to more than"));
	CHECK("dst-copies-old-set-kept", run_pkt(&p) == DROP_ && run_pkt(&q) == PASS_);
}

/* The same bound over both families at once (they compile on two threads):
 * each family's destination copies fit the class pool alone, not
 * together; refused while compiling, before the rule map's mark moves. */
static void test_dst_copies_both_families(struct xdpfw_state *st)
{
	/* N + 1 entries per source host, N hosts, per family: 0.6 of the pool */
	int n = 1;
	size_t cap = 64 * 8192, len = 0;
	char msg[1024] = "", *big;
	struct xdpfw_cfg c0, c1;
	int rc;

	while ((size_t)(n + 1) * (n + 1) < st->tab_cap[0] * 6 / 10)
		n++;
	big = malloc(cap);
	CHECK("dst-both-old-set", apply_text(st, "policy allow\ndeny src 10.0.0.1\n") == 0 &&
					  xdpfw_state_cfg(st, &c0) == 0);
	for (int i = 0; big && i < n; i++)
		len += snprintf(big + len, cap - len,
				"allow dst 10.%d.%d.0/24\ndeny src 11.%d.%d.1 dst 12.0.0.1\n"
				"allow dst 2001:db8:%x::/48\ndeny src 2001:db9::%x dst 2001:dba::1\n",
				i / 256, i % 256, i / 256, i % 256, i, i);
	rc = big && len < cap ? apply_text_err(st, big, msg, sizeof(msg)) : -ENOMEM;
	free(big);
	if (!strstr(msg, "class pool is full: the set compiles to more than"))
		printf("  got '%s' (n %d, pool %u)\n", msg, n, st->tab_cap[0]);
	CHECK("dst-both-refused-while-compiling",
	      rc == -E2BIG && strstr(msg, "class pool is full: the set compiles to more than") &&
		      !strstr(strstr(msg, "full") + 4, "full"));	/* said once */
	CHECK("dst-both-mark-unmoved", xdpfw_state_cfg(st, &c1) == 0 && c1.slots_hw == c0.slots_hw &&
					       c1.gen == c0.gen);
}

static void test_defs_syscalls(struct xdpfw_state *st)
{
	struct pspec p1 = { 4, "10.0.0.1", "2.2.2.2", 6, 1, 22 }, p9 = { 4, "10.0.0.9", "2.2.2.2", 6, 1, 22 };
	uint64_t n1, n2;
	uint32_t s1, s2;

	CHECK("defs-mmapped", st->defs != NULL);
	if (st->defs)
		munmap(st->defs, st->defs_bytes);
	st->defs = NULL;
	CHECK("defs-syscalls-apply", apply_text(st, "policy allow\ndeny src 10.0.0.1\n") == 0 &&
				     run_pkt(&p1) == DROP_ && run_pkt(&p1) == DROP_ && run_pkt(&p9) == PASS_);
	s1 = slot_of_src(st, 1, &n1);
	CHECK("defs-syscalls-swap", apply_text(st, "policy allow\ndeny src 10.0.0.9\ndeny src 10.0.0.1\n") == 0 &&
				    run_pkt(&p1) == DROP_ && run_pkt(&p9) == DROP_);
	s2 = slot_of_src(st, 1, &n2);
	CHECK("defs-syscalls-kept-slot-counter", s1 != UINT32_MAX && s1 == s2 && n1 >= 2 && n2 == n1 + 1);
	CHECK("defs-syscalls-new-rule", slot_of_src(st, 9, &n2) != UINT32_MAX && n2 == 1);
	/* a slot freed (10.0.0.1's, with packets counted) and handed to a new
	 * rule starts from zero */
	CHECK("freed-slot-apply", apply_text(st, "policy allow\ndeny src 10.0.0.9\n") == 0);
	CHECK("freed-slot-reused", apply_text(st, "policy allow\ndeny src 10.0.0.9\ndeny src 10.0.0.7\n") == 0 &&
				   slot_of_src(st, 7, &n2) == s1 && n2 == 0);
}

/* The permissions /proc/self/maps shows for the mapping holding P ("rw-s",
 * "r--s"; "" if none). */
static void perms_of(const void *p, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi;

	out[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, out) == 3 && (uintptr_t)p >= lo && (uintptr_t)p < hi)
			break;
		else
			out[0] = 0;
	if (f)
		fclose(f);
}

/* A reader's state (xdpfw_state_open_ro: save, status, top, the exporter,
 * check) reads the pinned set like any, maps every table, the definitions
 * and the counters read-only (a reader's stray store faults instead of
 * changing what the datapath reads), and is refused by the writers. */
static void test_readonly_state(struct xdpfw_state *st)
{
	char dir[64], path[128], perm[5];
	struct xdpfw_state ro;
	struct xdpfw_ruleset cur;
	uint32_t *slots;
	int rc, rd, pinned = 0;

	CHECK("ro-apply", apply_text(st, "policy allow\ndeny src 10.0.0.1\n") == 0);
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/test_xdpfw_ro_%d", (int)getpid());
	/* on a fresh machine nothing may have mounted bpffs yet */
	if (bpfkit_bpffs__ensure() || mkdir(dir, 0700)) {
		CHECK("ro-mkdir", 0);
		return;
	}
	for (int i = 0; i < XM_NMAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		pinned += !bpf_obj_pin(st->fd[i], path);
	}
	CHECK("ro-pinned", pinned == XM_NMAPS);
	rc = xdpfw_state_open_ro(&ro, dir);
	CHECK("ro-open", rc == 0);
	if (!rc) {
		rd = xdpfw_state_read(&ro, &cur, &slots);
		CHECK("ro-read", rd == 0 && cur.n == 1 && cur.r[0].d.src[3] == 1);
		if (!rd) {
			free(slots);
			xdpfw_ruleset_free(&cur);
		}
		CHECK("ro-apply-refused", apply_text(&ro, "deny src 10.0.0.2\n") == -EROFS);
		CHECK("ro-defs-mapped", ro.defs != NULL);
		bool all_ro = ro.defs && ro.cnt && ro.trie4 && ro.ptab && ro.plens && ro.tab[0] && ro.tab[1];
		const void *maps[] = { ro.defs, ro.cnt, ro.trie4, ro.ptab, ro.plens, ro.tab[0], ro.tab[1] };

		for (size_t i = 0; all_ro && i < sizeof(maps) / sizeof(maps[0]); i++) {
			perms_of(maps[i], perm);
			if (strcmp(perm, "r--s"))
				printf("  mapping %zu: '%s'\n", i, perm);
			all_ro = !strcmp(perm, "r--s");
		}
		CHECK("ro-mappings-read-only", all_ro);
		xdpfw_state_close(&ro);
	}
	/* a writer's open of the same pins still writes */
	rc = xdpfw_state_open(&ro, dir);
	CHECK("rw-open-applies", rc == 0 && apply_text(&ro, "policy allow\ndeny src 10.0.0.2\n") == 0 &&
				 run_pkt(&(struct pspec){ 4, "10.0.0.2", "2.2.2.2", 6, 1, 2 }) == DROP_);
	if (!rc) {
		perms_of(ro.defs, perm);
		CHECK("rw-mapping-writable", !strcmp(perm, "rw-s"));
		xdpfw_state_close(&ro);
	}
	/* our own directory: the maps and what the applies pinned beside them */
	DIR *d = opendir(dir);

	for (struct dirent *de; d && (de = readdir(d));)
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	CHECK("ro-cleanup", rmdir(dir) == 0);
}

/* The datapath object, opened, its maps sized for 32768 rules a set (the
 * tables are created at their size before load: state.c, set_half). */
static struct bpfkit_object *open_sized(void)
{
	struct bpfkit_object *obj = bpfkit_object__open_file(OBJ, NULL);

	if (obj && xdpfw_state_size_maps(bpfkit_object__bpf_object(obj), 32768)) {
		bpfkit_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Big tables (maps sized for XDPFW_TRIE_BIG_RULES rules or more) give the
 * source tries 2^20-entry roots, and the datapath takes its other walk
 * (xdpfw.bpf.c: walk_src): prefixes at and around its boundaries (/20,
 * /24, /28) where they are expected, then the differential test on it. */
static void test_big_root(void)
{
	static const struct {
		struct pspec p;
		int want;
	} pk[] = {
		{ { 4, "10.1.2.5", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* the /24: its /20's record */
		{ { 4, "10.1.3.5", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 4, "10.2.0.9", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* the /20, painted in the root */
		{ { 4, "10.2.15.9", "2.2.2.2", 17, 1, 2 }, DROP_ },
		{ { 4, "10.2.16.9", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 4, "10.3.1.7", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* two /32s: chunks */
		{ { 4, "10.3.1.8", "2.2.2.2", 6, 1, 2 }, DROP_ },
		{ { 4, "10.3.1.9", "2.2.2.2", 6, 1, 2 }, PASS_ },	/* inside the /16 allow */
		{ { 4, "10.3.99.1", "2.2.2.2", 17, 1, 2 }, PASS_ },
		{ { 4, "10.4.0.1", "2.2.2.2", 6, 1, 2 }, DROP_ },	/* the /14 */
		{ { 4, "10.8.0.1", "2.2.2.2", 6, 1, 2 }, PASS_ },
		{ { 6, "2001:db8:5::1", "2001:db8::2", 6, 1, 2 }, DROP_ },	/* the /48 */
		{ { 6, "2001:db8:6::1", "2001:db8::2", 6, 1, 2 }, PASS_ },
		{ { 6, "2001:dc0::1", "2001:db8::2", 6, 1, 2 }, DROP_ },	/* the /28 */
		{ { 6, "2001:dd0::1", "2001:db8::2", 6, 1, 2 }, PASS_ },
	};
	struct bpfkit_object *obj = open_sized();
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;
	const uint32_t *t;
	uint32_t half = 12u << 20;	/* past the half XDPFW_TRIE_BIG_RULES gets */
	int ok = 0, g;

	if (!obj) {
		CHECK("big-root-open", 0);
		return;
	}
	CHECK("big-root-width-of-half", xdpfw_trie_root_bits(half) == XDPFW_TRIE_BIG_ROOT_BITS &&
						xdpfw_trie_root_bits(2 * 65536 + 1024) == XDPFW_TRIE_ROOT_BITS);
	/* load's sizing: the big root from XDPFW_TRIE_BIG_RULES rules on */
	for (uint32_t max = XDPFW_TRIE_BIG_RULES - 1; max <= XDPFW_TRIE_BIG_RULES; max++) {
		struct bpfkit_object *o = bpfkit_object__open_file(OBJ, NULL);
		struct bpf_map *m = o ? bpf_object__find_map_by_name(bpfkit_object__bpf_object(o), ".data.xdpfw_trie") :
					NULL;
		unsigned want = max < XDPFW_TRIE_BIG_RULES ? XDPFW_TRIE_ROOT_BITS : XDPFW_TRIE_BIG_ROOT_BITS;

		CHECK(max < XDPFW_TRIE_BIG_RULES ? "big-root-not-below-threshold" : "big-root-from-threshold",
		      m && xdpfw_state_size_maps(bpfkit_object__bpf_object(o), max) == 0 &&
			      xdpfw_trie_root_bits(bpf_map__value_size(m) / 8) == want);
		bpfkit_object__close(o);
	}
	xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_trie", half);
	if (bpfkit_object__load(obj) || xdpfw_state_from_object(&st, obj)) {
		CHECK("big-root-load", 0);
		bpfkit_object__close(obj);
		return;
	}
	prog_fd = st.prog_fd;
	test_verifier_headroom(prog_fd, "verifier-headroom-big-root");
	CHECK("big-root-state", st.root_bits == XDPFW_TRIE_BIG_ROOT_BITS && xdpfw_state_root_entries(&st) == 2u << 20);
	CHECK("big-root-applied", apply_text(&st, "policy allow\n"
						  "deny src 10.1.2.0/24 proto tcp\n"
						  "deny src 10.2.0.0/20\n"
						  "allow src 10.3.0.0/16\n"
						  "deny src 10.3.1.7\n"
						  "deny src 10.3.1.8\n"
						  "deny src 10.4.0.0/14 proto tcp\n"
						  "deny src 2001:db8:5::/48\n"
						  "deny src 2001:dc0::/28\n") == 0 &&
					  xdpfw_state_cfg(&st, &cfg) == 0 && cfg.root_bits == XDPFW_TRIE_BIG_ROOT_BITS);
	g = cfg.gen & 1;
	t = st.trie4 + (size_t)g * st.trie4_cap;
	/* root index: the address's top 20 bits */
	CHECK("big-root-layout", (t[0x0a010] & XDPFW_TRIE_REC) == XDPFW_TRIE_REC && (t[0x0a020] & XDPFW_TRIE_DIRECT) &&
					 t[0x0a02f] == 0 && t[0x0a021] == 0 &&
					 (t[0x0a030] & XDPFW_TRIE_REC) == XDPFW_TRIE_PTR &&
					 t[0x0a040] && t[0x0a07f] == t[0x0a040] && t[0x0a080] == 0 &&
					 st.plens[g * 4 + 2].tbase >= 1u << 20);
	for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		int got = run_pkt(&pk[i].p);

		if (got != pk[i].want)
			printf("  big root: %s proto %u: %d, want %d\n", pk[i].p.src, pk[i].p.proto, got, pk[i].want);
		ok += got == pk[i].want;
	}
	CHECK("big-root-verdicts", ok == (int)(sizeof(pk) / sizeof(pk[0])));
	{
		/* tries written at a width the maps do not give: refused as
		 * another layout, not read at the wrong width */
		struct xdpfw_cfg other = cfg;
		struct xdpfw_state st2;
		__u32 zero = 0;

		other.root_bits = XDPFW_TRIE_ROOT_BITS;
		bpf_map_update_elem(st.fd[XM_CFG], &zero, &other, BPF_ANY);
		CHECK("big-root-other-width-refused", xdpfw_state_from_object(&st2, obj) == -EPROTO);
		bpf_map_update_elem(st.fd[XM_CFG], &zero, &cfg, BPF_ANY);
	}
	test_differential(&st, "big-root-differential");
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

static void test_full_map(void)
{
	struct bpfkit_object *obj = open_sized();
	struct xdpfw_state st;
	struct bpf_map *m;
	char text[4096];
	size_t len = 0;
	int rc;

	if (!obj) {
		CHECK("full-open", 0);
		return;
	}
	m = bpf_object__find_map_by_name(bpfkit_object__bpf_object(obj), "xdpfw_rules");
	bpf_map__set_max_entries(m, 8);
	xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_ptab", 10);	/* per generation */
	CHECK("full-load", bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0);
	prog_fd = st.prog_fd;
	for (int i = 0; i < 9; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 10.0.0.%d\n", i);
	CHECK("full-8-fits", apply_text(&st, "deny src 10.0.0.1\n") == 0);
	rc = apply_text(&st, text);
	CHECK("full-9-rules-refused", rc == -ENOSPC);
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 }, q = { 4, "10.0.0.2", "2.2.2.2", 17, 1, 2 };
	CHECK("full-old-set-kept", run_pkt(&p) == DROP_ && run_pkt(&q) == PASS_);
	/* port tables fill up: one table of 5 intervals takes 6 entries, two 12 */
	len = 0;
	len += snprintf(text, sizeof(text), "deny proto tcp dport 1-65534\nallow proto tcp dport 1000\n");
	rc = apply_text(&st, text);
	CHECK("full-port-trie-fits", rc == 0);
	{
		/* the message names the map, not "full after 0 entries" */
		char msg[1024];

		rc = apply_text_err(&st, "deny proto tcp dport 1-65534\nallow proto tcp dport 1000\n"
					 "deny proto udp dport 1-65534\nallow proto udp dport 1000\n", msg, sizeof(msg));
		CHECK("full-port-trie-refused", rc == -ENOSPC || rc == -E2BIG);
		if (!strstr(msg, "port tables are full: 12 entries so far, more than the 10 a generation holds"))
			printf("  got '%s'\n", msg);
		CHECK("full-port-trie-named",
		      strstr(msg, "port tables are full: 12 entries so far, more than the 10 a generation holds") &&
					      strstr(msg, "unload --all --purge") && !strstr(msg, "after 0"));
	}
	CHECK("full-port-old-kept", run_pkt(&(struct pspec){ 4, "1.1.1.1", "2.2.2.2", 6, 1, 80 }) == DROP_ &&
				    run_pkt(&(struct pspec){ 4, "1.1.1.1", "2.2.2.2", 17, 1, 80 }) == PASS_);
	int gens;
	long n = trie_entries(&st, &gens);
	if ((gens & (gens - 1)) || n <= 0 || n > 42)
		printf("  gens %d entries %ld\n", gens, n);
	CHECK("full-no-leftovers", (gens & (gens - 1)) == 0 && n > 0 && n <= 42);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

/* The grace period before an apply clears a generation: membarrier where
 * the kernel allows it, else (nohz_full kernels refuse it; forced here) a
 * map-of-maps update, never the 20 ms guess while the kernel can make two
 * small maps; applies swap either way. */
static void test_grace_period(void)
{
	struct bpfkit_object *obj = open_sized();
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 };
	struct xdpfw_state st;
	enum xdpfw_grace_how how = xdpfw_grace_period();

	CHECK("grace-waits", how == XDPFW_GRACE_MEMBARRIER || how == XDPFW_GRACE_MAP_IN_MAP);
	setenv("XDPFW_TEST_NO_MEMBARRIER", "1", 1);
	CHECK("grace-map-in-map", xdpfw_grace_period() == XDPFW_GRACE_MAP_IN_MAP);
	CHECK("grace-map-in-map-again", xdpfw_grace_period() == XDPFW_GRACE_MAP_IN_MAP);
	if (!obj || bpfkit_object__load(obj) || xdpfw_state_from_object(&st, obj)) {
		CHECK("grace-load", 0);
		unsetenv("XDPFW_TEST_NO_MEMBARRIER");
		bpfkit_object__close(obj);
		return;
	}
	prog_fd = st.prog_fd;
	CHECK("grace-swaps", apply_text(&st, "deny src 10.0.0.1\n") == 0 && run_pkt(&p) == DROP_ &&
			     apply_text(&st, "allow src 10.0.0.1\n") == 0 && run_pkt(&p) == PASS_ &&
			     apply_text(&st, "deny src 10.0.0.0/8\n") == 0 && run_pkt(&p) == DROP_);
	unsetenv("XDPFW_TEST_NO_MEMBARRIER");
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

/* A set the tables' plan refuses (here the IPv6 hash table: 100 /64s under
 * one /32 need slots of it) is refused before its definitions are written
 * or the high-water mark rises: the active set, its slots and the mark
 * stay as they were (a mark raised by a refused set would make every later
 * apply read definitions up to it). */
static void test_plan_refused(void)
{
	struct bpfkit_object *obj = open_sized();
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 };
	struct xdpfw_ruleset cur;
	struct xdpfw_cfg cfg;
	struct xdpfw_state st;
	char text[8192], msg[512];
	uint32_t *slots;
	size_t len = 0;
	int rc, read;

	if (!obj || xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_tab6", 64)) {
		CHECK("plan-refused-open", 0);
		bpfkit_object__close(obj);
		return;
	}
	bool loaded = bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0;

	CHECK("plan-refused-load", loaded);
	if (!loaded) {
		bpfkit_object__close(obj);
		return;
	}
	prog_fd = st.prog_fd;
	CHECK("plan-refused-first", apply_text(&st, "deny src 10.0.0.1\ndeny src 10.0.0.2\n") == 0);
	len += snprintf(text + len, sizeof(text) - len, "deny src 10.0.0.3\n");
	for (int i = 0; i < 100; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 2001:db8:0:%x::/64\n", i);
	rc = apply_text_err(&st, text, msg, sizeof(msg));
	CHECK("plan-refused", rc == -E2BIG && strstr(msg, "IPv6 prefix table is full"));
	CHECK("plan-refused-mark", xdpfw_state_cfg(&st, &cfg) == 0 && cfg.slots_hw == 2 && cfg.nrules[cfg.gen & 1] == 2);
	read = xdpfw_state_read(&st, &cur, &slots);
	CHECK("plan-refused-old-set", read == 0 && cur.n == 2 && slots[0] == 0 && slots[1] == 1);
	if (!read) {
		free(slots);
		xdpfw_ruleset_free(&cur);
	}
	CHECK("plan-refused-still-denies", run_pkt(&p) == DROP_);
	/* the next apply grows from the same mark */
	CHECK("plan-refused-next", apply_text(&st, "deny src 10.0.0.1\ndeny src 10.0.0.3\n") == 0 &&
				   xdpfw_state_cfg(&st, &cfg) == 0 && cfg.slots_hw == 3);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

/* A first apply (no slot ever handed out) works in the rule map itself
 * (apply.c, apply_defs): a refused one leaves definitions past the
 * high-water mark there, which nothing may read and the next first apply
 * must not trip over (its slots start at 0, counters at zero); one killed
 * after writing is cleaned up by the next apply like any other. */
static void test_first_apply(void)
{
	struct bpfkit_object *obj = open_sized();
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 }, q = { 4, "10.0.0.2", "2.2.2.2", 17, 1, 2 };
	struct xdpfw_ruleset cur;
	struct xdpfw_cfg cfg;
	struct xdpfw_state st;
	char text[4096];
	uint32_t *slots;
	uint64_t n;
	size_t len = 0;
	int rc, read;

	if (!obj) {
		CHECK("first-open", 0);
		return;
	}
	xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_trie", 2 * 65536 + 1024);
	CHECK("first-load", bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0);
	prog_fd = st.prog_fd;
	CHECK("first-defs-mmapped", st.defs != NULL);
	/* 40 hosts, two a /16: 20 x 64 trie entries, more than the 1024 */
	for (int i = 0; i < 20; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 10.%d.7.9\ndeny src 10.%d.7.10\n", 100 + i,
				100 + i);
	rc = apply_text(&st, text);
	CHECK("first-refused", rc == -E2BIG);
	read = xdpfw_state_read(&st, &cur, &slots);
	CHECK("first-refused-nothing", xdpfw_state_cfg(&st, &cfg) == 0 && cfg.slots_hw == 0 && read == 0 &&
				       cur.n == 0);
	if (!read) {
		free(slots);
		xdpfw_ruleset_free(&cur);
	}
	CHECK("first-refused-passes", run_pkt(&p) == PASS_);
	CHECK("first-after-refused", apply_text(&st, "deny src 10.0.0.1\n") == 0 && run_pkt(&p) == DROP_ &&
				     run_pkt(&q) == PASS_);
	CHECK("first-after-refused-slot-0", slot_of_src(&st, 1, &n) == 0 && n == 1);
	/* a growing apply killed once its high-water mark has risen over new
	 * slots: readers read those slots now, and must find what that apply
	 * wrote there (not in force yet), not what the refused set left */
	xdpfw_apply_crash_point = 2;
	rc = apply_text(&st, "deny src 10.0.0.1\ndeny src 10.0.0.3\ndeny src 10.0.0.4\n");
	xdpfw_apply_crash_point = 0;
	CHECK("first-grow-killed", rc == -EINTR && xdpfw_state_cfg(&st, &cfg) == 0 && cfg.slots_hw >= 3);
	read = xdpfw_state_read(&st, &cur, &slots);
	if (!read && cur.n != 1)
		for (size_t k = 0; k < cur.n; k++)
			printf("  leftover: slot %u src ...%u\n", slots[k], cur.r[k].d.src[3]);
	CHECK("first-no-leftover-rules", read == 0 && cur.n == 1 && cur.r[0].d.src[3] == 1);
	if (!read) {
		free(slots);
		xdpfw_ruleset_free(&cur);
	}
	CHECK("first-grows", apply_text(&st, "deny src 10.0.0.1\ndeny src 10.0.0.3\n") == 0 &&
			     run_pkt(&p) == DROP_ && run_pkt(&q) == PASS_);
	read = xdpfw_state_read(&st, &cur, &slots);
	CHECK("first-grown-read", read == 0 && cur.n == 2);
	if (!read) {
		free(slots);
		xdpfw_ruleset_free(&cur);
	}
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);

	/* killed after writing its generation, before the switch */
	obj = open_sized();
	CHECK("first-killed-load", obj && bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0);
	if (!obj)
		return;
	prog_fd = st.prog_fd;
	xdpfw_apply_crash_point = 1;
	rc = apply_text(&st, "deny src 10.0.0.2\nallow src 10.0.0.0/24\n");
	xdpfw_apply_crash_point = 0;
	CHECK("first-killed", rc == -EINTR && run_pkt(&q) == PASS_);
	CHECK("first-killed-next", apply_text(&st, "deny src 10.0.0.1\n") == 0 && run_pkt(&p) == DROP_ &&
				   run_pkt(&q) == PASS_);
	read = xdpfw_state_read(&st, &cur, &slots);
	CHECK("first-killed-read", read == 0 && cur.n == 1 && cur.r[0].d.src[3] == 1);
	if (!read) {
		free(slots);
		xdpfw_ruleset_free(&cur);
	}
	int gens;
	long e = trie_entries(&st, &gens);
	CHECK("first-killed-cleaned", gens && (gens & (gens - 1)) == 0 && e > 0);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

/* Prefix tables too small for a rule set: refused whole, old set kept, and
 * a set that fits after that works (nothing half-written in the way). The
 * trie half: room for the two 2^16 roots (IPv4, IPv6) and 1024 more entries;
 * a /32 in an empty /16 needs 4 x 16 (20 need 1280). The IPv6 hash table: 32
 * slots, 16 entries at most (half full). */
/* Port rules on nested prefixes: a /12 denying 100 TCP ports, 60 /24s in
 * it allowing one of those ports each. Each /24's table holds its own rule
 * and refers to the /12's elsewhere (XDPFW_V_PARENT), so the set fits port
 * tables of 1000 entries per generation; copying the /12's 100 ports into
 * every /24 would take some 12,000. Verdicts: a /24's own port passes, the
 * /12's other ports are denied through the parent's table, other ports
 * pass (policy allow). */
static void test_nested_ports(void)
{
	struct bpfkit_object *obj = open_sized();
	struct xdpfw_state st;
	char *text = malloc(200 * 64);
	size_t len = 0;
	int ok = 0;

	if (!obj || !text) {
		CHECK("nested-ports-open", 0);
		free(text);
		bpfkit_object__close(obj);
		return;
	}
	xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_ptab", 1000);	/* per generation */
	CHECK("nested-ports-load", bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0);
	prog_fd = st.prog_fd;
	for (int i = 0; i < 100; i++)
		len += snprintf(text + len, 200 * 64 - len, "deny src 10.16.0.0/12 proto tcp dport %d\n", 1000 + i * 7);
	for (int i = 0; i < 60; i++)
		len += snprintf(text + len, 200 * 64 - len, "allow src 10.16.%d.0/24 proto tcp dport %d\n", i,
				1000 + i * 7);
	CHECK("nested-ports-fit", apply_text(&st, text) == 0);
	for (int i = 0; i < 60; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.16.%d.5", i);
		ok += run_pkt(&(struct pspec){ 4, a, "2.2.2.2", 6, 1, 1000 + i * 7 }) == PASS_;
		ok += run_pkt(&(struct pspec){ 4, a, "2.2.2.2", 6, 1, 1000 + ((i + 1) % 100) * 7 }) == DROP_;
		ok += run_pkt(&(struct pspec){ 4, a, "2.2.2.2", 6, 1, 1001 + i * 7 }) == PASS_;
		ok += run_pkt(&(struct pspec){ 4, a, "2.2.2.2", 17, 1, 1000 + ((i + 1) % 100) * 7 }) == PASS_;
	}
	CHECK("nested-ports-verdicts", ok == 240);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
	free(text);
}

static void test_full_table(void)
{
	struct bpfkit_object *obj = open_sized();
	struct bpf_object *bo;
	struct xdpfw_state st;
	char text[4096];
	size_t len = 0;
	int rc;

	if (!obj) {
		CHECK("table-full-open", 0);
		return;
	}
	bo = bpfkit_object__bpf_object(obj);
	xdpfw_state_size_table(bo, "xdpfw_trie", 2 * 65536 + 1024);
	xdpfw_state_size_table(bo, "xdpfw_tab6", 32);
	CHECK("table-full-load", bpfkit_object__load(obj) == 0 && xdpfw_state_from_object(&st, obj) == 0);
	prog_fd = st.prog_fd;
	CHECK("table-full-small-fits", apply_text(&st, "deny src 10.0.0.1\nallow src 10.0.0.0/24\n") == 0);
	/* two hosts a /16 (no record, XDPFW_TRIE_REC: chunks, 64 entries) */
	for (int i = 0; i < 20; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 10.%d.7.9\ndeny src 10.%d.7.10\n", 100 + i,
				100 + i);
	rc = apply_text(&st, text);
	CHECK("table-full-refused", rc == -E2BIG);
	struct pspec p = { 4, "10.0.0.1", "2.2.2.2", 17, 1, 2 }, q = { 4, "10.102.7.9", "2.2.2.2", 17, 1, 2 };
	CHECK("table-full-old-set-kept", run_pkt(&p) == DROP_ && run_pkt(&q) == PASS_);
	{
		/* 1000 hosts in as many /16s: the IPv4 source prefixes alone
		 * need 65536 + 1000 records of 4 trie entries: within the half
		 * (132096) but more than it has beside the IPv6 sources' root
		 * (65536): refused before the set is compiled, old set kept */
		char msg[1024] = "", *big = malloc(1100 * 32);

		len = 0;
		for (int i = 0; big && i < 1000; i++)
			len += snprintf(big + len, 1100 * 32 - len, "deny src %d.%d.7.9\n", 11 + i / 16, i % 16);
		rc = big ? apply_text_err(&st, big, msg, sizeof(msg)) : -ENOMEM;
		free(big);
		if (!strstr(msg, "1000 source prefixes need 69536 trie entries, more than the 66560"))
			printf("  got '%s'\n", msg);
		CHECK("table-full-refused-early", rc == -E2BIG &&
			  strstr(msg, "IPv4 prefix trie is full: 1000 source prefixes need 69536 trie entries, more "
				      "than the 66560 there are") != NULL);
		CHECK("table-full-early-old-set-kept", run_pkt(&p) == DROP_ && run_pkt(&q) == PASS_);
	}
	/* the last three fit (3 x 64 entries) */
	CHECK("table-full-3-fit", apply_text(&st, strstr(text, "deny src 10.117.")) == 0 &&
				    run_pkt(&q) == PASS_ &&
				    run_pkt(&(struct pspec){ 4, "10.119.7.9", "2.2.2.2", 6, 1, 2 }) == DROP_ &&
				    run_pkt(&(struct pspec){ 4, "10.119.7.10", "2.2.2.2", 6, 1, 2 }) == DROP_ &&
				    run_pkt(&(struct pspec){ 4, "10.119.7.8", "2.2.2.2", 6, 1, 2 }) == PASS_ &&
				    run_pkt(&p) == PASS_);
	/* 16 scattered IPv6 /128s in 32 slots: some must sit past their home
	 * slot, so the datapath's probe beyond the home slot (xdpfw_probe6)
	 * is exercised */
	len = 0;
	for (int i = 0; i < 16; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 2001:db8:%x::%x:%x\n", (i * 97) % 251,
				(i * 193 + 7) % 253, (i * 71 + 3) % 250);
	CHECK("table-half-full-applied", apply_text(&st, text) == 0);
	struct xdpfw_cfg cfg;
	struct xdpfw_plens pl;
	int displaced = 0, dropped = 0;
	__u32 idx;

	xdpfw_state_cfg(&st, &cfg);
	idx = (cfg.gen & 1) * 4 + 2;
	pl = st.plens[idx];
	for (uint32_t k = 0; k <= pl.mask; k++) {
		struct xdpfw_slot6 *sl = (struct xdpfw_slot6 *)st.tab[1] + (size_t)(cfg.gen & 1) * st.tab_cap[1] + k;

		if (sl->tag && ((xdpfw_hash6(sl->tag, sl->addr) >> pl.shift) & pl.mask) != k)
			displaced++;
	}
	for (int i = 0; i < 16; i++) {
		char a[64];
		struct pspec q16 = { 6, a, "2001:db8::2", 17, 1, 2 };

		snprintf(a, sizeof(a), "2001:db8:%x::%x:%x", (i * 97) % 251, (i * 193 + 7) % 253, (i * 71 + 3) % 250);
		dropped += run_pkt(&q16) == DROP_;
	}
	if (!displaced || dropped != 16)
		printf("  size %u, displaced %d, dropped %d of 16\n", pl.mask + 1, displaced, dropped);
	CHECK("table-displaced-entries-found", pl.mask + 1 == 32 && displaced > 0 && dropped == 16);
	/* 15 pairs of IPv4 hosts take 960 of the 1024 trie entries beyond the
	 * roots; 8 pairs of IPv6 /48s, each pair in two /20s of one /16, would
	 * need 8 x 24 more for /32 or /24 search leaves (a chunk and two
	 * records a /16), 8 x 16 at /20, so the IPv6 trie cuts at /16 (a root
	 * entry each, no chunk) and the length search does the rest: same
	 * verdicts */
	len = 0;
	for (int i = 0; i < 15; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src 10.%d.7.9\ndeny src 10.%d.7.10\n", 100 + i,
				100 + i);
	for (int i = 0; i < 8; i++)
		len += snprintf(text + len, sizeof(text) - len, "deny src %x:%x:%x::/48\ndeny src %x:%x:%x::/48\n",
				0x2a00 + i * 17, i + 1, i * 3, 0x2a00 + i * 17, 0x1000 + i + 1, i * 3);
	len += snprintf(text + len, sizeof(text) - len, "allow src 2a00::/7 proto udp\n");
	CHECK("table-v6-cut16-applied", apply_text(&st, text) == 0 && xdpfw_state_cfg(&st, &cfg) == 0 &&
					  cfg.trie_dirty[cfg.gen & 1] == 2 * 65536 + 960);
	dropped = 0;
	int passed = 0;

	for (int i = 0; i < 8; i++) {
		char a[64], b[64];

		snprintf(a, sizeof(a), "%x:%x:%x::9", 0x2a00 + i * 17, i + 1, i * 3);
		snprintf(b, sizeof(b), "%x:%x:%x::9", 0x2a00 + i * 17, i + 1, i * 3 + 1);
		dropped += run_pkt(&(struct pspec){ 6, a, "2001:db8::2", 6, 1, 2 }) == DROP_;
		passed += run_pkt(&(struct pspec){ 6, b, "2001:db8::2", 6, 1, 2 }) == PASS_;
		/* the /7 allow (shorter, in the trie) decides UDP outside the /48s */
		passed += run_pkt(&(struct pspec){ 6, b, "2001:db8::2", 17, 1, 2 }) == PASS_;
	}
	CHECK("table-v6-cut16-verdicts", dropped == 8 && passed == 16);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
}

/* A trie exactly full whose last record ends the half: 256 IPv6 /48s,
 * each alone in its /16, take the IPv6 trie's root and 256 records (1024
 * entries), all that is left beside the IPv4 root. The last one (the
 * highest /16) must still decide. */
static void test_records_at_end(void)
{
	struct bpfkit_object *obj = open_sized();
	struct xdpfw_state st;
	struct xdpfw_cfg cfg;
	char *text = malloc(256 * 40);
	size_t len = 0;
	int ok = 0;

	if (!obj || !text || xdpfw_state_size_table(bpfkit_object__bpf_object(obj), "xdpfw_trie", 2 * 65536 + 1024) ||
	    bpfkit_object__load(obj) || xdpfw_state_from_object(&st, obj)) {
		CHECK("records-end-load", 0);
		free(text);
		bpfkit_object__close(obj);
		return;
	}
	prog_fd = st.prog_fd;
	for (int i = 0; i < 256; i++)
		len += snprintf(text + len, 256 * 40 - len, "deny src %x:%x:%x::/48\n", 0x2000 + i, i + 1, i * 3);
	CHECK("records-end-applied", apply_text(&st, text) == 0 && xdpfw_state_cfg(&st, &cfg) == 0 &&
					     cfg.trie_dirty[cfg.gen & 1] == 2 * 65536 + 1024);
	for (int i = 0; i < 256; i += 255) {
		char in[64], out[64];

		snprintf(in, sizeof(in), "%x:%x:%x::9", 0x2000 + i, i + 1, i * 3);
		snprintf(out, sizeof(out), "%x:%x:%x::9", 0x2000 + i, i + 1, i * 3 + 1);
		ok += run_pkt(&(struct pspec){ 6, in, "2001:db8::2", 6, 1, 2 }) == DROP_;
		ok += run_pkt(&(struct pspec){ 6, out, "2001:db8::2", 6, 1, 2 }) == PASS_;
	}
	CHECK("records-end-verdicts", ok == 4);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
	free(text);
}

/* The table builder: a large random set places every entry within
 * XDPFW_MAX_PROBE of its home at most half full, and the written table holds
 * each exactly once. */
/* The early trie check (xdpfw_trie4_src_entries) counts what the plan
 * counts for a source-only set: random prefixes of every length, nested and
 * sharing /16s, /24s and /28s, or alone in their /16 (records). */
static void test_trie4_src_entries(void)
{
	struct xdpfw_tabvec v = { 0 };
	struct xdpfw_trie4_plan plan;
	struct xdpfw_cls cls = { 0 };
	uint32_t x = 777, *addr = malloc(20000 * sizeof(*addr));
	uint8_t *plen = malloc(20000);
	struct xdpfw_kv *kv = malloc(20000 * sizeof(*kv));
	size_t n = 0;
	int rc = 0;

	if (!addr || !plen || !kv) {
		CHECK("trie4-src-entries-alloc", 0);
		goto out;
	}
	for (int i = 0; i < 20000; i++) {
		uint32_t a, l;

		x = x * 1103515245u + 12345u;
		l = 1 + (x >> 8) % 32;
		x = x * 1103515245u + 12345u;
		/* few /16s (shared chunks), or (every other one) anywhere: most
		 * alone in their /16, a record */
		a = (i % 2 ? x * 2654435761u : 10u << 24 | (x & 0x0303ffffu)) & (~0u << (32 - l));
		kv[i].key = (uint64_t)a << 8 | l;
		kv[i].idx = i;
	}
	xdpfw_radix_sort(kv, NULL, 20000);
	for (int i = 0; i < 20000 && !rc; i++) {
		uint32_t a = kv[i].key >> 8, be = htonl(a);
		uint8_t b[16] = { 0 };

		if (n && addr[n - 1] == a && plen[n - 1] == (kv[i].key & 0xff))
			continue;	/* distinct prefixes, as the forest has them */
		addr[n] = a;
		plen[n++] = kv[i].key & 0xff;
		memcpy(b, &be, 4);
		rc = xdpfw_tabvec_push(&v, (kv[i].key & 0xff) + 1, b, &cls);
	}
	/* with either root: the small one, and big tables' */
	for (unsigned rb = XDPFW_TRIE_ROOT_BITS; rb <= XDPFW_TRIE_BIG_ROOT_BITS; rb += 4) {
		int prc = rc ?: xdpfw_trie4_plan(&v, rb, 1u << 28, 1u << 20, &plan);

		CHECK(rb == XDPFW_TRIE_ROOT_BITS ? "trie4-src-entries-equal-plan" : "trie4-src-entries-equal-plan-big",
		      prc == 0 && xdpfw_trie4_src_entries(addr, plen, n, rb) == plan.entries &&
			      plan.chunk_base - plan.rec_base > 1000 && plan.root_bits == rb);
		if (!prc)
			xdpfw_trie4_plan_free(&plan);
		CHECK(rb == XDPFW_TRIE_ROOT_BITS ? "trie4-src-entries-root-only" : "trie4-src-entries-root-only-big",
		      xdpfw_trie4_src_entries(addr, plen, 0, rb) == 1u << rb);
	}
out:
	xdpfw_tabvec_free(&v);
	free(addr);
	free(plen);
	free(kv);
}

/* xdpfw_tabvec_append (the second compiler thread's IPv4 entries into the
 * first's): entries that are their verdict (no class kept) alone and
 * beside kept classes; each entry's class and own reference follow it. */
static void test_tabvec_append(void)
{
	struct xdpfw_tabvec a = { 0 }, b = { 0 }, d = { 0 };
	struct xdpfw_cls deny = { 0 }, ports = { 0 }, buf;
	uint8_t addr[16] = { 10 };
	bool same = true;
	int rc = 0;

	for (int p = 0; p < XDPFW_NPROTO; p++)
		deny.v[p] = XDPFW_V_DENY | 7;	/* one verdict for all: kept in the entry */
	ports.v[XDPFW_P_TCP] = XDPFW_V_DENY | 9;
	for (int i = 0; i < 300 && !rc; i++) {
		addr[1] = (uint8_t)i;
		rc = xdpfw_tabvec_push(&d, 17, addr, &deny);
	}
	/* only verdicts, into an empty vector: nothing to copy of classes */
	CHECK("tabvec-append-direct", !rc && xdpfw_tabvec_append(&a, &d) == 0 && a.n == 300 && a.ncls == 0);
	for (int i = 0; i < 5 && !rc; i++) {
		ports.v[XDPFW_P_UDP] = (uint32_t)i;
		addr[1] = (uint8_t)i;
		rc = xdpfw_tabvec_push(&b, 25, addr, &ports) ?: xdpfw_tabvec_push(&a, 24, addr, &ports);
	}
	rc = rc ?: xdpfw_tabvec_append(&a, &b) ?: xdpfw_tabvec_append(&a, &d);
	for (size_t k = 0; !rc && k < b.n; k++) {
		const struct xdpfw_tabent *e = &a.e[305 + k];

		same = same && e->tag == 25 && e->ref == 305 + k + 1 &&
		       !memcmp(xdpfw_tabent_cls(&a, e, &buf), xdpfw_tabent_cls(&b, &b.e[k], &buf), sizeof(buf)) &&
		       xdpfw_tabent_cls(&a, e, &buf)->v[XDPFW_P_UDP] == k;
	}
	same = same && a.n == 610 && a.ncls == 10 && a.e[609].ref == 610 &&
	       !memcmp(xdpfw_tabent_cls(&a, &a.e[609], &buf), &deny, sizeof(deny));
	CHECK("tabvec-append-classes-follow", !rc && same);
	xdpfw_tabvec_free(&a);
	xdpfw_tabvec_free(&b);
	xdpfw_tabvec_free(&d);
}

static void test_table_builder(void)
{
	struct xdpfw_tabvec v = { 0 };
	struct xdpfw_cls cls = { 0 };
	uint32_t x = 12345;
	uint8_t addr[16] = { 0 };
	void *region;
	int rc = 0;

	for (int i = 0; i < 200000 && !rc; i++) {
		x = x * 1103515245u + 12345u;
		memcpy(addr, &x, 4);
		cls.v[0] = i + 1;
		rc = xdpfw_tabvec_push(&v, 33, addr, &cls);
	}
	struct xdpfw_table_plan plan = { 0 }, small;

	rc = rc ?: xdpfw_table_plan(4, &v, 1u << 19, &plan);
	CHECK("table-builder-200k-half-full", rc == 0 && plan.size == 1u << 19);
	region = calloc(1u << 19, sizeof(struct xdpfw_slot4));
	if (region && !rc)
		xdpfw_table_write(4, &v, &plan, 0, region);
	CHECK("table-builder-write", region && !rc && xdpfw_table_used(4, region, plan.size) == v.n);
	CHECK("table-builder-too-small", xdpfw_table_plan(4, &v, 1u << 18, &small) == -E2BIG);
	xdpfw_table_plan_free(&plan);
	free(region);
	xdpfw_tabvec_free(&v);
}

/* The apply's slot reuse (apply.c's slotmap): every active rule is found
 * by its match whatever its action, log flag, order or stray padding; a
 * rule of another match is not, also when every hash collides (then the
 * probe walks the whole run and still compares matches); a second slot of
 * the same match is left out, not found twice. */
static uint64_t same_hash(const struct xdpfw_rule_def *d)
{
	(void)d;
	return 0x123456789abcdef0ull;
}

static void test_slotmap(void)
{
	enum { N = 3000 };
	struct xdpfw_rule_def *defs = calloc(N + 2, sizeof(*defs)), probe;
	uint32_t *slots = malloc((N + 2) * sizeof(*slots));
	bool all_found = true, none_wrong = true, coll_ok = true;

	if (!defs || !slots) {
		CHECK("slotmap-alloc", 0);
		return;
	}
	for (uint32_t i = 0; i < N; i++) {
		struct xdpfw_rule_def *d = &defs[i];
		char txt[96];
		int col;

		snprintf(txt, sizeof(txt), "%s src 10.%u.%u.0/24%s", i % 3 ? "deny" : "allow", i / 256 % 256, i % 256,
			 i % 2 ? " proto tcp dport 80" : "");
		if (xdpfw_rule_parse(txt, d, &col, txt, sizeof(txt)))
			none_wrong = false;
		d->gens = 1;
		d->order[0] = i;
		slots[i] = i;
	}
	CHECK("slotmap-parse", none_wrong);
	/* hashes cover the match only */
	probe = defs[5];
	probe.action ^= 1;
	probe.flags |= XDPFW_RF_LOG;
	probe.order[0] = 999;
	probe.order[1] = 7;
	probe.gens = 2;
	probe.pad = 0x5a;
	CHECK("match-hash-ignores-action-order", xdpfw_rule_match_hash(&probe) == xdpfw_rule_match_hash(&defs[5]));
	probe = defs[5];
	probe.dport_hi++;
	CHECK("match-hash-sees-ports", xdpfw_rule_match_hash(&probe) != xdpfw_rule_match_hash(&defs[5]));
	/* a /0 prefix of the rule's family matches what no prefix does, but
	 * the match (a rule's identity: its counter slot, rule del) keeps
	 * what was written; the set check warns about such twins (50-xdpfw-cli) */
	{
		struct xdpfw_rule_def a, b;
		char txt[256];

		CHECK("match-slash0-kept-apart", !xdpfw_rule_parse("deny src 1.2.3.4", &a, NULL, txt, sizeof(txt)) &&
						    !xdpfw_rule_parse("deny src 1.2.3.4 dst 0.0.0.0/0", &b, NULL, txt, sizeof(txt)) &&
						    !xdpfw_rule_same_match(&a, &b));
	}

	for (int round = 0; round < 2; round++) {
		struct slotmap m = { 0 };
		uint32_t n = round ? 200 : N;	/* all colliding: a short set (quadratic) */

		slotmap_hash = round ? same_hash : xdpfw_rule_match_hash;
		/* a duplicate of slot 1's match in slot N (a damaged state) */
		defs[N] = defs[1];
		slots[n] = N;
		if (slotmap_build(&m, defs, slots, n + 1)) {
			CHECK("slotmap-build", 0);
			break;
		}
		for (uint32_t i = 0; i < n; i++) {
			probe = defs[i];
			probe.action ^= 1;	/* found by match, the caller checks action */
			probe.order[0] = 12345;
			if (slotmap_find(&m, &probe, slotmap_hash(&probe)) != (long)i)
				*(round ? &coll_ok : &all_found) = false;
			probe.src[2] ^= 0x80;	/* 10.x.(y^128).0/24: not in the set */
			probe.src[1] = 200;
			if (slotmap_find(&m, &probe, slotmap_hash(&probe)) != -1)
				*(round ? &coll_ok : &none_wrong) = false;
		}
		if (slotmap_find(&m, &defs[N], slotmap_hash(&defs[N])) != 1)
			*(round ? &coll_ok : &all_found) = false;
		xdpfw_big_free(m.at);
	}
	slotmap_hash = xdpfw_rule_match_hash;
	CHECK("slotmap-finds-every-active-rule", all_found);
	CHECK("slotmap-finds-no-other-match", none_wrong);
	CHECK("slotmap-all-hashes-colliding", coll_ok);
	struct slotmap empty = { 0 };

	CHECK("slotmap-empty", slotmap_build(&empty, defs, slots, 0) == 0 &&
			       slotmap_find(&empty, &defs[0], slotmap_hash(&defs[0])) == -1);
	xdpfw_big_free(empty.at);
	free(defs);
	free(slots);
}

/* radix.h: sorted by key as qsort would, equal keys in their input order
 * (the sorts that rely on it compose passes), keys alike in some bytes
 * (those passes skipped) and in all of them, 0 and 1 element. */
static int kv_cmp(const void *x, const void *y)
{
	const struct xdpfw_kv *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void test_radix(void)
{
	enum { N = 50000 };
	struct xdpfw_kv *a = malloc(N * sizeof(*a)), *b = malloc(N * sizeof(*b));
	bool ok = a && b;
	uint32_t x = 99;

	for (int shape = 0; shape < 4 && ok; shape++) {
		for (size_t i = 0; i < N; i++) {
			uint64_t r;

			x = x * 1103515245u + 12345u;
			r = (uint64_t)x << 32;
			x = x * 1103515245u + 12345u;
			r |= x;

			a[i].key = shape == 0 ? r : shape == 1 ? (r & 0xff00ff0000ull) | 0x7700000000000000ull :
				   shape == 2 ? 42 : r % 7;
			a[i].idx = i;
		}
		memcpy(b, a, N * sizeof(*a));
		qsort(b, N, sizeof(*b), kv_cmp);	/* idx breaks ties: the stable order */
		ok = xdpfw_radix_sort(a, NULL, N) == 0 && !memcmp(a, b, N * sizeof(*a));
		if (!ok)
			printf("  radix: shape %d differs from qsort\n", shape);
	}
	CHECK("radix-sort-equals-stable-qsort", ok);
	if (a) {
		a[0].key = 5;
		a[0].idx = 1;
	}
	CHECK("radix-sort-tiny", a && xdpfw_radix_sort(a, NULL, 0) == 0 && xdpfw_radix_sort(a, NULL, 1) == 0 &&
				 a[0].key == 5 && a[0].idx == 1);
	free(a);
	free(b);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* bigmem.c: malloc's contract over both kinds of memory (malloc'd and
 * mappings of their own), a kept mapping's reuse, and under ASan the
 * poisoning that keeps overruns and uses after free caught. */
static void test_bigmem(void)
{
	const size_t small = 1000, big = 3 << 20, bigger = 9 << 20;
	uint8_t *p, *q, *r;
	bool grown, moved, shrunk;

	xdpfw_big_release();
	xdpfw_big_hold();	/* as during an apply */
	p = xdpfw_big_alloc(small);
	if (p)
		memset(p, 0xa5, small);
	p = p ? xdpfw_big_realloc(p, big) : NULL;	/* malloc'd -> a mapping: copied */
	grown = p && all_bytes(p, small, 0xa5);
	if (p)
		memset(p, 0x5a, big);
	q = p ? xdpfw_big_realloc(p, bigger) : NULL;	/* a larger mapping: pages moved */
	moved = q && all_bytes(q, big, 0x5a);
	if (q)
		memset(q, 0x11, bigger);
	q = q ? xdpfw_big_realloc(q, 100) : NULL;	/* stays in its mapping */
	shrunk = q && all_bytes(q, 100, 0x11);
	xdpfw_big_free(q);				/* kept, dirty */
	r = xdpfw_big_calloc(bigger / 8, 8);		/* the kept one again: zeroed */
	CHECK("bigmem-realloc-small-to-mapping-keeps-bytes", grown);
	CHECK("bigmem-realloc-moves-mapping-keeps-bytes", moved);
	CHECK("bigmem-realloc-shrink-keeps-bytes", shrunk);
	CHECK("bigmem-calloc-reuses-kept-mapping", r && r == q);
	CHECK("bigmem-calloc-on-reused-mapping-is-zero", r && all_bytes(r, bigger, 0));
#if defined(__SANITIZE_ADDRESS__) || (defined(__has_feature) && __has_feature(address_sanitizer))
	CHECK("bigmem-asan-tail-poisoned", r && __asan_address_is_poisoned(r + bigger) &&
					   !__asan_address_is_poisoned(r + bigger - 1));
	xdpfw_big_free(r);
	CHECK("bigmem-asan-kept-mapping-poisoned", r && __asan_address_is_poisoned(r));
#else
	xdpfw_big_free(r);
#endif
	/* a vector grown during an apply moves into a kept mapping big enough:
	 * pages already faulted in, not a fresh mapping */
	xdpfw_big_release();
	xdpfw_big_hold();	/* nothing kept */
	q = xdpfw_big_alloc(big);
	p = xdpfw_big_alloc(bigger);
	xdpfw_big_free(p);	/* kept */
	if (q)
		memset(q, 0x3c, big);
	r = q ? xdpfw_big_realloc(q, 2 * big) : NULL;
	unsigned char inmem;
	/* moved, not copied: Q's old pages are gone, not kept */
	bool moved_away = q && mincore((void *)((uintptr_t)q & ~(uintptr_t)4095), 4096, &inmem) && errno == ENOMEM;

	/* 8 MiB of the kept 10: the 2 MiB after them stay kept */
	CHECK("bigmem-grow-into-kept-mapping", r && r == p && all_bytes(r, big, 0x3c) && moved_away &&
					       ((struct big_hdr *)r - 1)->maplen == (8ul << 20) && big_nkept == 1 &&
					       (uint8_t *)big_kept[0].h == (uint8_t *)r - sizeof(struct big_hdr) + (8ul << 20));
	if (r)
		memset(r, 0x3d, 2 * big);	/* all of it writable */
	xdpfw_big_free(r);
	/* freed, the 8 MiB join the 2 after them: one range again */
	CHECK("bigmem-freed-part-joins-kept-rest", r && big_nkept == 1 && big_kept[0].len == (10ul << 20) &&
						   (uint8_t *)big_kept[0].h == (uint8_t *)r - sizeof(struct big_hdr));
	xdpfw_big_release();

	/* an array no kept range holds takes their pages (moved) before fresh ones */
	xdpfw_big_hold();
	p = xdpfw_big_alloc(big);
	if (p)
		memset(p, 0x77, big);
	xdpfw_big_free(p);
	r = xdpfw_big_alloc(20ul << 20);	/* 22 MiB: the kept 4 MiB do not hold it */
	bool p_gone = p && mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 4096, &inmem) && errno == ENOMEM;

	/* the moved pages come first, unzeroed (alloc, not calloc) */
	CHECK("bigmem-alloc-takes-kept-pages", r && p_gone && big_nkept == 0 && all_bytes(r, 1000, 0x77));
	if (r)
		memset(r, 0x66, 20ul << 20);
	xdpfw_big_free(r);
	r = xdpfw_big_calloc(30, 1ul << 20);	/* takes those 22 MiB, dirty: zeroed */
	/* (a kernel before 6.17 does not move that range: two VMAs) */
	CHECK("bigmem-calloc-over-taken-pages-is-zero", r && big_nkept == (big_move_fails ? 1 : 0) &&
							all_bytes(r, 30ul << 20, 0));
	xdpfw_big_free(r);
	xdpfw_big_release();

	/* an array grows into the kept range right after it: no move */
	xdpfw_big_hold();
	p = xdpfw_big_alloc(bigger);
	xdpfw_big_free(p);			/* kept: 10 MiB */
	q = xdpfw_big_alloc(big);		/* its first 4 MiB */
	if (q)
		memset(q, 0x21, big);
	r = q ? xdpfw_big_realloc(q, 7ul << 20) : NULL;	/* 8 MiB: the next 4 taken */
	CHECK("bigmem-grows-in-place-into-kept-range", r && r == q && r == p && all_bytes(r, big, 0x21) &&
						       ((struct big_hdr *)r - 1)->maplen == (8ul << 20) &&
						       big_nkept == 1 && big_kept[0].len == (2ul << 20));
	if (r)
		memset(r, 0x22, 7ul << 20);
	xdpfw_big_free(r);
	xdpfw_big_release();

	p = xdpfw_big_alloc(big);
	xdpfw_big_free(p);	/* outside an apply: unmapped, not kept */
	CHECK("bigmem-release-unmaps-kept", p && big_nkept == 0);
	errno = 0;
	CHECK("bigmem-calloc-overflow-refused", !xdpfw_big_calloc(SIZE_MAX / 2, 4) && errno == ENOMEM);
	p = xdpfw_big_calloc(10, 10);
	CHECK("bigmem-small-calloc-zero", p && all_bytes(p, 100, 0));
	xdpfw_big_free(p);
	xdpfw_big_free(NULL);
}

/* The end of the VMA holding A (0: none), from /proc/self/maps. */
static uintptr_t vma_end(uintptr_t a)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long s, e;
	char line[512];
	uintptr_t r = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s <= a && a < e) {
			r = e;
			break;
		}
	if (f)
		fclose(f);
	return r;
}

static void *real_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	long r = syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);

	return r < 0 && r > -4096 ? (errno = (int)-r, MAP_FAILED) : (void *)r;
}

/* Moves within one VMA as the kernel does; a source spanning several
 * unmaps the target, then mode 1 refuses (EFAULT), as kernels before 6.17
 * do, and mode 2 moves the first VMA and fails (ENOMEM). */
static void *test_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	uintptr_t end = vma_end((uintptr_t)old);
	size_t first = end - (uintptr_t)old;

	if (!fake_mremap_mode || (end && first >= old_len))
		return real_mremap(old, old_len, new_len, flags, new_addr);
	munmap(new_addr, new_len);	/* mremap_to unmaps the target first */
	if (fake_mremap_mode == 1) {
		errno = EFAULT;
		return MAP_FAILED;
	}
	real_mremap(old, first, first, flags, new_addr);
	errno = ENOMEM;
	return MAP_FAILED;
}

/* An array of N bytes over two VMAs: its first pages moved there. */
static uint8_t *two_vma_array(size_t n)
{
	uint8_t *p = xdpfw_big_alloc(1ul << 20);

	return p ? xdpfw_big_realloc(p, n) : NULL;
}

/* bigmem.c where moves fail: a kernel before 6.17 refuses a move across
 * VMAs after unmapping the target; the arrays stay whole and zeroed as
 * asked, moves stop, and a move that fails part-way stops the process
 * instead of handing out a split array. */
static void test_bigmem_refused_moves(void)
{
	const size_t mb = 1ul << 20;
	uint8_t *p, *q, *r;
	int status = 0;
	pid_t pid;

	xdpfw_big_release();
	xdpfw_big_hold();
	big_move_fails = false;
	fake_mremap_mode = 1;
	p = two_vma_array(6 * mb);	/* a 1 MiB array's pages moved into 8 MiB: two VMAs */
	bool two_vmas = p && vma_end((uintptr_t)p) < (uintptr_t)p + 6 * mb;
	if (p)
		memset(p, 0x42, 6 * mb);
	q = p ? xdpfw_big_realloc(p, 20 * mb) : NULL;	/* refused: copied */
	CHECK("bigmem-refused-move-copies", two_vmas && q && big_move_fails && all_bytes(q, 6 * mb, 0x42));
	if (q)
		memset(q, 0x43, 20 * mb);			/* all of it there */
	xdpfw_big_free(q);					/* kept: 22 MiB over VMAs */
	big_move_fails = false;
	r = xdpfw_big_calloc(30, mb);				/* taking them refused */
	CHECK("bigmem-refused-take-leaves-no-hole", r && big_move_fails && all_bytes(r, 30 * mb, 0));
	if (r)
		memset(r, 0x44, 30 * mb);
	xdpfw_big_free(r);
	xdpfw_big_release();

	/* taking a kept range of two VMAs fails after the first moved: that
	 * part is taken, the rest stays kept, the array is whole and zeroed */
	xdpfw_big_hold();
	big_move_fails = false;
	fake_mremap_mode = 0;
	p = two_vma_array(6 * mb);
	bool two = p && vma_end((uintptr_t)p) < (uintptr_t)p + 6 * mb;
	if (p)
		memset(p, 0x45, 6 * mb);
	xdpfw_big_free(p);					/* kept: 8 MiB, two VMAs */
	fake_mremap_mode = 2;
	r = xdpfw_big_calloc(20, mb);
	CHECK("bigmem-take-failed-part-way-keeps-rest", two && r && big_move_fails && big_nkept == 1 &&
							big_kept[0].len == 6 * mb &&
							(uint8_t *)big_kept[0].h == p - sizeof(struct big_hdr) + 2 * mb &&
							big_whole(big_kept[0].h, 6 * mb) && all_bytes(r, 20 * mb, 0));
	if (r)
		memset(r, 0x46, 20 * mb);
	xdpfw_big_free(r);
	xdpfw_big_release();

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		xdpfw_big_hold();
		big_move_fails = false;
		fake_mremap_mode = 2;
		p = two_vma_array(6 * mb);
		if (p)
			xdpfw_big_realloc(p, 20 * mb);		/* split between two places */
		_exit(0);
	}
	/* abort(): SIGABRT, or exit status 1 where ASan handles aborts */
	CHECK("bigmem-move-failed-part-way-stops", pid > 0 && waitpid(pid, &status, 0) == pid &&
						   ((WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
						    (WIFEXITED(status) && WEXITSTATUS(status) == 1)));
	fake_mremap_mode = 0;
	big_move_fails = false;
}

/* test_bigmem() again where mremap moves only within one VMA, as before
 * 6.17: in a child (its PASS lines would repeat the names), its FAIL lines
 * passed on. */
static void test_bigmem_one_vma_moves(void)
{
	char path[] = "/tmp/test_xdpfw_bigmem.XXXXXX", line[512];
	int fd = mkstemp(path), status = -1;
	pid_t pid;
	FILE *f;

	if (fd < 0) {
		CHECK("bigmem-checks-hold-where-moves-stay-in-one-vma", 0);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		fake_mremap_mode = 1;
		big_move_fails = false;
		test_bigmem();
		fflush(stdout);
		_exit(test_failures ? 1 : 0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	f = fdopen(fd, "r");
	if (f) {
		rewind(f);
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "FAIL: ", 6))
				printf("%.*s (mremap as before 6.17)\n", (int)strcspn(line, "\n"), line);
		fclose(f);
	}
	unlink(path);
	CHECK("bigmem-checks-hold-where-moves-stay-in-one-vma", pid > 0 && WIFEXITED(status) && !WEXITSTATUS(status));
}

/* bgjob.c: the job runs on a second thread with every signal blocked there
 * (a SIGINT meant for the CLI never lands in it), or inline, at once, where
 * XDPFW_APPLY_THREADS=1 says so. */
struct bg_probe {
	pthread_t self;
	int sigint_blocked, sigterm_blocked;
	int ran;
};

static void bg_probe_run(void *arg)
{
	struct bg_probe *p = arg;
	sigset_t cur;

	p->self = pthread_self();
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	p->sigint_blocked = sigismember(&cur, SIGINT);
	p->sigterm_blocked = sigismember(&cur, SIGTERM);
	p->ran++;
}

static void test_bgjob(void)
{
	struct bg_probe p = { 0 };
	struct xdpfw_bgjob job;
	sigset_t cur;

	unsetenv("XDPFW_APPLY_THREADS");
	CHECK("bgjob-worth-by-size", !xdpfw_bgjob_worth(XDPFW_BGJOB_MIN_RULES - 1) &&
					     xdpfw_bgjob_worth(XDPFW_BGJOB_MIN_RULES));
	setenv("XDPFW_APPLY_THREADS", "2", 1);
	CHECK("bgjob-worth-forced", xdpfw_bgjob_worth(1));
	setenv("XDPFW_APPLY_THREADS", "1", 1);
	CHECK("bgjob-worth-never", !xdpfw_bgjob_worth(1u << 30));
	xdpfw_bgjob_start(&job, bg_probe_run, &p, true);
	CHECK("bgjob-one-thread-runs-inline-at-once",
	      p.ran == 1 && !job.started && pthread_equal(p.self, pthread_self()));
	xdpfw_bgjob_wait(&job);
	unsetenv("XDPFW_APPLY_THREADS");
	memset(&p, 0, sizeof(p));
	xdpfw_bgjob_start(&job, bg_probe_run, &p, true);
	xdpfw_bgjob_wait(&job);
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		CHECK("bgjob-second-thread-signals-blocked",
		      p.ran == 1 && !pthread_equal(p.self, pthread_self()) && p.sigint_blocked == 1 &&
			      p.sigterm_blocked == 1 && !sigismember(&cur, SIGINT));
	else
		printf("SKIP: bgjob-second-thread-signals-blocked (one CPU: jobs run inline)\n");
	memset(&p, 0, sizeof(p));
	xdpfw_bgjob_start(&job, bg_probe_run, &p, false);
	CHECK("bgjob-not-worth-runs-inline", p.ran == 1 && !job.started && pthread_equal(p.self, pthread_self()));
	xdpfw_bgjob_wait(&job);
}

int main(void)
{
	struct bpfkit_object *obj;
	struct xdpfw_state st;

	test_parser();
	test_files();
	test_slotmap();
	test_radix();
	test_bigmem();
	test_bigmem_one_vma_moves();
	test_bigmem_refused_moves();
	test_bgjob();
	if (geteuid() != 0) {
		printf("SKIP: test_xdpfw kernel tests (needs root for BPF_PROG_TEST_RUN)\n");
		TEST_EXIT();
	}
	bpfkit_set_print_level(BPFKIT_WARN);
	obj = open_sized();
	CHECK("open-object", obj != NULL);
	if (!obj)
		TEST_EXIT();
	CHECK("load-object", bpfkit_object__load(obj) == 0);
	CHECK("state-from-object", xdpfw_state_from_object(&st, obj) == 0);
	prog_fd = st.prog_fd;
	test_semantics(&st);
	test_differential(&st, "differential-datapath-equals-reference");
	test_swaps(&st);
	test_defs_syscalls(&st);
	test_v6_hints(&st);
	test_trie_records(&st);
	test_counters_per_cpu(&st);
	test_frags_across_applies(&st);
	test_port_chain(&st);
	test_port_intervals(&st);
	test_port_table_deep(&st);
	test_verifier_headroom(prog_fd, "verifier-headroom");
	test_dst_copies_refused(&st);
	setenv("XDPFW_APPLY_THREADS", "2", 1);	/* the families at once */
	test_dst_copies_both_families(&st);
	unsetenv("XDPFW_APPLY_THREADS");
	test_readonly_state(&st);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
	test_full_map();
	test_big_root();
	/* on two threads (these sets are small), then on one: the
	 * definitions, then IPv6, then IPv4 */
	setenv("XDPFW_APPLY_THREADS", "2", 1);
	test_first_apply();
	test_plan_refused();
	test_grace_period();
	setenv("XDPFW_APPLY_THREADS", "1", 1);
	test_first_apply();
	unsetenv("XDPFW_APPLY_THREADS");
	test_full_table();
	test_records_at_end();
	test_nested_ports();
	test_table_builder();
	test_tabvec_append();
	test_trie4_src_entries();
	TEST_EXIT();
}
