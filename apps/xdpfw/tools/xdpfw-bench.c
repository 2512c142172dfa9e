/* apps/xdpfw/tools/xdpfw-bench.c — measurements for bench/xdpfw.sh:
 *
 *   xdpfw-bench testrun OBJDIR [NRULES...]
 *       per-packet cost (BPF_PROG_TEST_RUN, kernel-timed) of xdp-pass,
 *       xdp-filter's xdpfilt_dny_all.o with 10k IPs and ports, and xdpfw with
 *       NRULES CIDR+port rules, on one mixed packet set, and the floor (the
 *       datapath without its rule lookup, xdpfw-floor.bpf.o) with the first
 *       NRULES; one line per program: "NAME NS_PER_PACKET DROPS"
 *   xdpfw-bench apply OBJDIR NRULES
 *       rule-update speed: parse + apply of NRULES rules, then a swap to a
 *       second NRULES set: "parse_ms write_ms switch_ms cleanup_ms total_ms"
 *   xdpfw-bench live OBJDIR NETNS IFACE prog|filter|pass SECONDS
 *       attaches the program (xdpfw with 10k rules / xdp-filter with 10k IPs)
 *       natively to IFACE inside NETNS for SECONDS and prints the packets it
 *       dropped per second, and the share of a CPU the interface's
 *       threaded-NAPI threads used meanwhile (0 without threaded NAPI).
 *   xdpfw-bench inject OBJDIR NETNS IFACE prog|filter SECONDS
 *       runs the program (as for live) on live frames at IFACE's receive
 *       queue, no sender and no veth hop, and prints the packets it dropped
 *       per second: the kernel's own per-frame cost plus the program's.
 *   xdpfw-bench blast NETNS IFACE DSTMAC SRCIP DSTIP DPORT SECONDS THREADS
 *       sends UDP frames out of IFACE (bounded by SECONDS) with XDP live
 *       frames (BPF_PROG_TEST_RUN + XDP_TX), or through AF_PACKET where the
 *       kernel lacks that, and prints the frames sent per second (the
 *       bench's own traffic generator: Debian's xdp-trafficgen 1.3.1 cannot
 *       load on this kernel).
 *
 * Programs and maps are loaded here, unpinned; nothing outlives the tool. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include <bpfkit/netns.h>
#include <bpfkit/testrun.h>
#include "../rules.h"
#include "../state.h"
#include "bench.h"

#define XDPFILT "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o"
#define NPKT 16
#define REPEAT 200000

static uint8_t pkts[NPKT][128];
static size_t plen[NPKT];

/* Rule i: an IPv4 /24 source (10.x.y.0/24, then 11.x.y.0/24 ... for more
 * than 65536 rules) or, every fifth, an IPv6 /64, each with a destination
 * port, TCP for odd i and UDP for even i. */
static void rule_text(char *buf, size_t sz, long i, long n, int variant)
{
	const char *proto = i % 2 ? "tcp" : "udp";

	(void)n;
	if (i % 5 == 4)
		snprintf(buf, sz, "deny src 2001:db8:%lx:%lx::/64 proto %s dport %ld", (i >> 16) & 0xffff,
			 i & 0xffff, proto, 1024 + (i + variant) % 2000);
	else
		snprintf(buf, sz, "deny src %ld.%ld.%ld.0/24 proto %s dport %ld", 10 + (i >> 16),
			 (i >> 8) & 0xff, i & 0xff, proto, 1024 + (i + variant) % 2000);
}

static int make_rules(struct xdpfw_ruleset *rs, long n, int variant, double *parse_ms)
{
	size_t cap = n * 64 + 64, len = 0;
	char *text = malloc(cap), err[256];
	double t0;
	int rc;

	if (!text)
		return -ENOMEM;
	len += snprintf(text, cap, "policy allow\n");
	for (long i = 0; i < n; i++) {
		char r[96];

		rule_text(r, sizeof(r), i, n, variant);
		len += snprintf(text + len, cap - len, "%s\n", r);
	}
	t0 = now_ms();
	rc = xdpfw_rules_parse_text(text, len, "bench", rs, err, sizeof(err));
	if (parse_ms)
		*parse_ms = now_ms() - t0;
	if (rc)
		fprintf(stderr, "xdpfw-bench: %s\n", err);
	free(text);
	return rc;
}

/* The mixed packet set: IPv4/IPv6, TCP/UDP/ICMP, hits and misses, for
 * either rule family (xdpfw rules hit 10.x.y.0/24 + dport; xdp-filter's
 * IP map holds 10.x.y.1 and its port map the same ports). Note that
 * xdpfilt_dny_all is xdp-filter's default-deny variant: its entries allow,
 * everything else drops; it does the same lookups either way. */
static void make_packets(void)
{
	static const struct {
		int fam, proto;
		const char *src;
		int dport;
	} spec[NPKT] = {
		{ 4, 6, "10.0.1.1", 1025 },	/* rule 1: hit */
		{ 4, 17, "10.0.2.1", 1026 },	/* rule 2: hit */
		{ 4, 6, "10.0.1.1", 80 },	/* prefix hit, port miss */
		{ 4, 6, "192.0.2.1", 443 },	/* miss */
		{ 4, 17, "10.0.3.1", 1027 },	/* udp to a tcp rule: miss */
		{ 4, 17, "198.51.100.7", 53 },	/* miss */
		{ 4, 1, "10.0.1.1", 0 },	/* icmp */
		{ 4, 1, "203.0.113.5", 0 },
		{ 6, 17, "2001:db8:0:4::1", 1028 },	/* rule 4: hit */
		{ 6, 6, "2001:db8:0:9::1", 1033 },	/* rule 9: hit */
		{ 6, 17, "2001:db8:0:4::1", 53 },	/* port miss */
		{ 6, 6, "2001:db8:0:4::1", 1028 },	/* tcp to a udp rule: miss */
		{ 6, 6, "2001:db9::1", 443 },	/* miss */
		{ 6, 58, "2001:db8:0:4::1", 0 },	/* icmpv6 echo */
		{ 4, 6, "10.0.7.1", 1031 },	/* rule 7: hit */
		{ 4, 17, "10.0.5.9", 5000 },	/* miss */
	};

	for (int i = 0; i < NPKT; i++) {
		uint8_t *b = pkts[i];
		size_t o = 14, l3 = 14;

		memset(b, 0, sizeof(pkts[i]));
		memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
		if (spec[i].fam == 4) {
			b[12] = 0x08;
			b[o] = 0x45;
			b[o + 8] = 64;
			b[o + 9] = spec[i].proto;
			inet_pton(AF_INET, spec[i].src, b + o + 12);
			inet_pton(AF_INET, "10.200.0.1", b + o + 16);
			o += 20;
		} else {
			b[12] = 0x86;
			b[13] = 0xdd;
			b[o] = 0x60;
			b[o + 6] = spec[i].proto;
			b[o + 7] = 64;
			inet_pton(AF_INET6, spec[i].src, b + o + 8);
			inet_pton(AF_INET6, "2001:db8:ffff::1", b + o + 24);
			o += 40;
		}
		if (spec[i].proto == 6 || spec[i].proto == 17) {
			b[o] = 0x9c;		/* sport 40000 */
			b[o + 1] = 0x40;
			b[o + 2] = spec[i].dport >> 8;
			b[o + 3] = spec[i].dport;
			if (spec[i].proto == 6)
				b[o + 12] = 0x50;
			o += spec[i].proto == 6 ? 20 : 8;
		} else {
			b[o] = spec[i].proto == 1 ? 8 : 128;	/* echo request */
			o += 8;
		}
		o += 18;
		if (spec[i].fam == 4) {
			b[l3 + 2] = (o - l3) >> 8;
			b[l3 + 3] = o - l3;
		} else {
			b[l3 + 4] = (o - l3 - 40) >> 8;
			b[l3 + 5] = o - l3 - 40;
		}
		plen[i] = o < 60 ? 60 : o;
	}
}

/* Mean kernel ns per packet over the set. */
static double cost(int prog_fd, int *drops)
{
	struct bpfkit_testrun_opts o = { .sz = sizeof(o), .repeat = REPEAT };
	double sum = 0;

	*drops = 0;
	for (int i = 0; i < NPKT; i++) {
		struct bpfkit_testrun_result r;

		if (bpfkit_testrun__run(prog_fd, pkts[i], plen[i], &o, &r))
			return -1;
		sum += r.duration_ns;
		*drops += r.retval == XDP_DROP;
		if (getenv("XDPFW_BENCH_PER_PACKET"))	/* where the time goes */
			fprintf(stderr, "  packet %2d: %u ns, verdict %u\n", i, r.duration_ns, r.retval);

	}
	return sum / NPKT;
}

static struct bpf_object *load_xdpfilt(int *prog_fd)
{
	struct bpf_object *o = bench_load_xdpfilt(XDPFILT);
	__u64 v[256];		/* its maps are per-CPU: one value per CPU */
	int fd, ncpu = libbpf_num_possible_cpus();

	if (!o)
		return NULL;
	/* 10k source IPs (10.0.x.1, like the xdpfw rules' prefixes) */
	fd = bpf_object__find_map_fd_by_name(o, "filter_ipv4");
	for (int c = 0; c < ncpu; c++)
		v[c] = 1;	/* MAP_FLAG_SRC */
	for (long i = 0; i < 10000; i++) {
		__u32 a = htonl((10u << 24) | ((i >> 8 & 0xff) << 16) | ((i & 0xff) << 8) | 1);

		if (i % 5 != 4)
			bpf_map_update_elem(fd, &a, v, BPF_ANY);
	}
	fd = bpf_object__find_map_fd_by_name(o, "filter_ipv6");
	for (long i = 4; i < 10000; i += 5) {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

		a[6] = i >> 8;
		a[7] = i;
		a[15] = 1;
		bpf_map_update_elem(fd, a, v, BPF_ANY);
	}
	*prog_fd = bpf_program__fd(bpf_object__next_program(o, NULL));
	return o;
}

static const char *xdpfw_obj = "xdpfw.bpf.o";

static struct bpfkit_object *load_xdpfw(const char *dir, long nrules, struct xdpfw_state *st)
{
	char path[512];
	struct bpfkit_object *obj;
	struct bpf_object *bo;
	struct xdpfw_ruleset rs;
	struct xdpfw_apply_stats as;
	long max = nrules + 64;

	snprintf(path, sizeof(path), "%s/%s", dir, xdpfw_obj);
	obj = bpfkit_object__open_file(path, NULL);
	if (!obj)
		return NULL;
	bo = bpfkit_object__bpf_object(obj);
	if (xdpfw_state_size_maps(bo, max) || bpfkit_object__load(obj) || xdpfw_state_from_object(st, obj) ||
	    make_rules(&rs, nrules, 0, NULL)) {
		bpfkit_object__close(obj);
		return NULL;
	}
	if (xdpfw_state_apply(st, &rs, XDPFW_ALLOW, &as)) {
		xdpfw_ruleset_free(&rs);
		xdpfw_state_close(st);
		bpfkit_object__close(obj);
		return NULL;
	}
	xdpfw_ruleset_free(&rs);
	return obj;
}

static int do_testrun(const char *dir, int argc, char **argv)
{
	struct bpfkit_object *pass;
	struct bpf_object *filt;
	int fd, drops;
	double ns;

	make_packets();
	fd = bench_load_pass(dir, &pass);
	if (fd < 0)
		return 1;
	ns = cost(fd, &drops);
	printf("xdp-pass %.2f %d\n", ns, drops);
	fflush(stdout);
	bpfkit_object__close(pass);

	filt = load_xdpfilt(&fd);
	if (!filt) {
		fprintf(stderr, "xdpfw-bench: cannot load %s\n", XDPFILT);
		return 1;
	}
	ns = cost(fd, &drops);
	printf("xdp-filter-10k %.2f %d\n", ns, drops);
	fflush(stdout);
	bpf_object__close(filt);

	/* the last round: the floor object (no rule lookup) with the first set */
	for (int i = 0; i <= argc && argc; i++) {
		long n = atol(argv[i < argc ? i : 0]);
		struct xdpfw_state st;
		struct bpfkit_object *fw;

		if (i == argc)
			xdpfw_obj = "xdpfw-floor.bpf.o";
		fw = load_xdpfw(dir, n, &st);
		if (!fw) {
			fprintf(stderr, "xdpfw-bench: cannot load %s with %ld rules\n", xdpfw_obj, n);
			return 1;
		}
		ns = cost(st.prog_fd, &drops);
		printf("%s-%ld %.2f %d\n", i < argc ? "xdpfw" : "xdpfw-floor", n, ns, drops);
		fflush(stdout);
		xdpfw_state_close(&st);
		bpfkit_object__close(fw);
	}
	return 0;
}

static int do_apply(const char *dir, long n)
{
	struct xdpfw_ruleset a, b;
	struct xdpfw_apply_stats s1, s2;
	struct xdpfw_state st;
	struct bpfkit_object *obj;
	double pa, pb, t0, t1, t2;
	char path[512];
	struct bpf_object *bo;
	long max = n + 64;

	snprintf(path, sizeof(path), "%s/xdpfw.bpf.o", dir);
	obj = bpfkit_object__open_file(path, NULL);
	if (!obj)
		return 1;
	bo = bpfkit_object__bpf_object(obj);
	/* N is one whole set: the maps keep room for the second one a swap writes */
	if (xdpfw_state_size_maps(bo, max) || bpfkit_object__load(obj) || xdpfw_state_from_object(&st, obj))
		return 1;
	if (make_rules(&a, n, 0, &pa) || make_rules(&b, n, 1, &pb))
		return 1;
	t0 = now_ms();
	if (xdpfw_state_apply(&st, &a, XDPFW_ALLOW, &s1))
		return 1;
	t1 = now_ms();
	if (xdpfw_state_apply(&st, &b, XDPFW_ALLOW, &s2))
		return 1;
	t2 = now_ms();
	/* first: into empty maps; second: a swap of a full set for another */
	printf("first %.1f %.1f %.3f %.1f %.1f %llu\n", pa, s1.write_ms, s1.switch_ms, s1.cleanup_ms,
	       pa + t1 - t0, (unsigned long long)s1.entries);
	printf("swap %.1f %.1f %.3f %.1f %.1f %llu\n", pb, s2.write_ms, s2.switch_ms, s2.cleanup_ms,
	       pb + t2 - t1, (unsigned long long)s2.entries);
	xdpfw_ruleset_free(&a);
	xdpfw_ruleset_free(&b);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
	return 0;
}

/* Sum of a per-CPU counter array's packets at KEY (16-byte values). */
static __u64 pcpu_packets(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[2 * 256] = { 0 }, sum = 0;

	if (ncpu > 256 || bpf_map_lookup_elem(fd, &key, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += v[2 * i];
	return sum;
}

/* CPU time (clock ticks) of the threaded-NAPI kernel threads of IFNAME
 * ("napi/IFNAME-N"), -1 if there are none: the receiving CPU's work. */
static long napi_ticks(const char *ifname)
{
	char path[300], comm[64], want[64], buf[1024];
	long total = -1;
	DIR *d = opendir("/proc");
	struct dirent *e;

	snprintf(want, sizeof(want), "napi/%s-", ifname);
	while (d && (e = readdir(d))) {
		FILE *f;
		char *p;
		unsigned long ut, st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f) || strncmp(comm, want, strlen(want))) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* fields 14 and 15 (utime, stime) follow the ")" that ends comm */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			total = (total < 0 ? 0 : total) + (long)(ut + st);
		fclose(f);
	}
	if (d)
		closedir(d);
	return total;
}

/* The program under test, loaded (not attached): xdpfw with 10k rules,
 * xdp-filter with 10k IPs, or xdp-pass; where its drop count is read. */
struct target {
	struct xdpfw_state st;
	struct bpfkit_object *fw, *pass;
	struct bpf_object *filt;
	int prog_fd, stat_fd;	/* stat_fd -1: no drop counter (xdp-pass) */
	__u32 key;
};

static int target_load(struct target *t, const char *dir, const char *which)
{
	memset(t, 0, sizeof(*t));
	t->stat_fd = -1;
	if (!strcmp(which, "prog")) {
		t->fw = load_xdpfw(dir, 10000, &t->st);
		if (!t->fw)
			return -1;
		t->prog_fd = t->st.prog_fd;
		t->stat_fd = t->st.fd[XM_TOTALS];
		t->key = XDPFW_T_DENY;
	} else if (!strcmp(which, "filter")) {
		t->filt = load_xdpfilt(&t->prog_fd);
		if (!t->filt)
			return -1;
		t->stat_fd = bpf_object__find_map_fd_by_name(t->filt, "xdp_stats_map");
		t->key = XDP_DROP;
	} else {
		t->prog_fd = bench_load_pass(dir, &t->pass);
		if (t->prog_fd < 0)
			return -1;
	}
	return 0;
}

static __u64 target_drops(const struct target *t)
{
	return t->stat_fd >= 0 ? pcpu_packets(t->stat_fd, t->key) : 0;
}

static void target_close(struct target *t)
{
	if (t->fw) {
		xdpfw_state_close(&t->st);
		bpfkit_object__close(t->fw);
	}
	if (t->filt)
		bpf_object__close(t->filt);
	if (t->pass)
		bpfkit_object__close(t->pass);
}

static int do_live(const char *dir, const char *ns, const char *ifname, const char *which, double secs)
{
	struct bpfkit_xdp_attach_opts ao = { .sz = sizeof(ao), .mode = BPFKIT_XDP_NATIVE, .force = true };
	struct target t;
	int link, ifindex;
	__u64 before, after;

	if (bpfkit_netns__enter(ns))
		return 1;
	ifindex = bpfkit_ifindex(ifname);
	if (ifindex < 0 || target_load(&t, dir, which))
		return 1;
	link = bpfkit_xdp__attach(t.prog_fd, ifindex, &ao);
	if (link < 0)
		return 1;
	usleep(1000000);	/* let the traffic generator start */
	long t0 = napi_ticks(ifname);

	before = target_drops(&t);
	usleep((useconds_t)(secs * 1e6));
	after = target_drops(&t);
	long t1 = napi_ticks(ifname);

	/* with threaded NAPI: also the share of a CPU the receiver used */
	printf("%s %.0f %.3f\n", which, (after - before) / secs,
	       t0 >= 0 && t1 > t0 ? (t1 - t0) / (double)sysconf(_SC_CLK_TCK) / secs : 0.0);
	close(link);
	target_close(&t);
	return 0;
}

struct blast {
	int ifindex;
	uint8_t frame[64];
	double secs;
	unsigned long sent;
	int tx_prog;		/* >= 0: inject with XDP live frames */
};

/* A program that only returns XDP_TX, for the live-frames sender. */
static int load_xdp_tx(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_TX },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_tx", "GPL", insns, 2, NULL);
}

/* BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: the kernel turns each
 * XDP_TX into a real transmission out of IFINDEX (on a veth, into the peer's
 * XDP program), with no socket or skb per packet: the cheapest sender there
 * is, so the receiving program's cost shows. Bounded by SECS, runs of 64k. */
static void blast_xdp(struct blast *b)
{
	struct xdp_md ctx = { .data_end = 60, .ingress_ifindex = b->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b->frame, .data_size_in = 60, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 65536, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	double end = now_ms() + b->secs * 1e3;

	while (now_ms() < end) {
		if (bpf_prog_test_run_opts(b->tx_prog, &o))
			break;
		b->sent += o.repeat;
	}
}

static void *blast_thread(void *arg)
{
	struct blast *b = arg;
	int fd, one = 1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = b->ifindex, .sll_halen = 6 };
	struct mmsghdr msgs[64];
	struct iovec iov = { b->frame, 60 };
	double end = now_ms() + b->secs * 1e3;

	if (b->tx_prog >= 0) {
		blast_xdp(b);
		return NULL;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memcpy(sll.sll_addr, b->frame, 6);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < 64; i++) {
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (now_ms() < end) {
		int n = sendmmsg(fd, msgs, 64, 0);

		if (n > 0)
			b->sent += n;
	}
	close(fd);
	return NULL;
}

static int do_blast(char **a)
{
	struct blast b[16];
	pthread_t t[16];
	int threads = atoi(a[7]), ifindex;
	unsigned int mac[6];
	uint8_t frame[64] = { 0 };
	unsigned long total = 0;
	double secs = atof(a[6]);

	if (bpfkit_netns__enter(a[0]) || (ifindex = bpfkit_ifindex(a[1])) < 0 || threads < 1 ||
	    threads > 16 || secs <= 0 || secs > 60 ||
	    sscanf(a[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		return 2;
	udp_frame(frame, mac, a[3], a[4], atoi(a[5]));
	int tx = load_xdp_tx();

	if (tx < 0)
		fprintf(stderr, "xdpfw-bench: no XDP live-frames sender (%s): AF_PACKET instead\n",
			strerror(errno));
	for (int i = 0; i < threads; i++) {
		b[i].tx_prog = tx;
		b[i].ifindex = ifindex;
		memcpy(b[i].frame, frame, sizeof(frame));
		b[i].secs = secs;
		b[i].sent = 0;
		pthread_create(&t[i], NULL, blast_thread, &b[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += b[i].sent;
	}
	printf("sent %.0f\n", total / secs);
	if (tx >= 0)
		close(tx);
	return 0;
}

/* The program itself run on live frames at IFACE's receive queue
 * (BPF_PROG_TEST_RUN, BPF_F_TEST_XDP_LIVE_FRAMES): real frames and a real
 * XDP_DROP, without the veth hop, so the program's own cost is most of
 * what is measured. Prints the packets it dropped per second. */
static int do_inject(const char *dir, const char *ns, const char *ifname, const char *which, double secs)
{
	unsigned mac[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t frame[64];
	struct target t;
	int ifindex;
	__u64 before, after;
	double t0, now;

	if (bpfkit_netns__enter(ns) || (ifindex = bpfkit_ifindex(ifname)) < 0 || secs <= 0 || secs > 60 ||
	    (strcmp(which, "prog") && strcmp(which, "filter")))
		return 2;
	if (target_load(&t, dir, which))
		return 1;
	/* the traffic each program drops: a deny-rule hit / a miss (as in live) */
	udp_frame(frame, mac, t.fw ? "10.0.2.1" : "192.0.2.77", "10.198.0.2", 1026);
	struct xdp_md ctx = { .data_end = 60, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = 60, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 65536, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	before = target_drops(&t);
	t0 = now_ms();
	do {
		if (bpf_prog_test_run_opts(t.prog_fd, &o))
			return 1;
		now = now_ms();
	} while (now - t0 < secs * 1e3);
	after = target_drops(&t);
	printf("%s %.0f\n", which, (after - before) / ((now - t0) / 1e3));
	target_close(&t);
	return 0;
}

int main(int argc, char **argv)
{
	bpfkit_set_print_level(getenv("XDPFW_BENCH_DEBUG") ? BPFKIT_DEBUG : BPFKIT_WARN);
	if (argc >= 3 && !strcmp(argv[1], "testrun"))
		return do_testrun(argv[2], argc - 3, argv + 3);
	if (argc == 4 && !strcmp(argv[1], "apply"))
		return do_apply(argv[2], atol(argv[3]));
	if (argc == 10 && !strcmp(argv[1], "blast"))
		return do_blast(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "inject"))
		return do_inject(argv[2], argv[3], argv[4], argv[5], atof(argv[6]));
	if (argc == 7 && !strcmp(argv[1], "live"))
		return do_live(argv[2], argv[3], argv[4], argv[5], atof(argv[6]));
	fprintf(stderr, "usage: xdpfw-bench testrun OBJDIR [NRULES...] | apply OBJDIR NRULES | "
			"live OBJDIR NETNS IFACE prog|filter|pass SECONDS | "
			"inject OBJDIR NETNS IFACE prog|filter SECONDS | "
			"blast NETNS IFACE DSTMAC SRCIP DSTIP DPORT SECONDS THREADS\n");
	return 2;
}
