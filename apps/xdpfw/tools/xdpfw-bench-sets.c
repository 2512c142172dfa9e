/* apps/xdpfw/tools/xdpfw-bench-sets.c — bench/xdpfw.sh's measurements on
 * rule files (blocklist-shaped and one-length sets from
 * bench/gen-blocklist.py), beside xdpfw-bench's fixed 16-packet mix:
 *
 *   xdpfw-bench-sets cost OBJDIR ROUNDS NAME=PROG:RULES:PACKETS...
 *       kernel-timed BPF_PROG_TEST_RUN cost, mean over its packet file, of
 *       each PROG, all loaded at once and run interleaved packet by packet
 *       (ROUNDS passes): pass (XDP_PASS), filter (xdp-filter's xdpfilt_alw_all with the
 *       rules' IPv4/IPv6 network addresses as exact IPs, and 2000 ports),
 *       lpm (bench/lpm-trie.bpf.c with the rules' source prefixes), xdpfw or
 *       floor (xdpfw without its lookup) with RULES, or a path ending in .o:
 *       a variant of xdpfw's datapath built elsewhere (A/B of a change). Prints per spec
 *       "NAME NS_PER_PACKET DROPS WRONG BYTES APPLY_MS PACKETS": WRONG = xdpfw verdicts that differ
 *       from the reference evaluator (xdpfw_rules_eval), BYTES = the prefix
 *       tables' bytes (xdpfw).
 *   xdpfw-bench-sets apply OBJDIR RULES_A RULES_B [refused]
 *       first load of A, then a swap to B (in-process: parse excluded):
 *       "first WALL_MS CPU_MS ENTRIES RULES" and "swap ..." lines; with
 *       "refused", B must be refused (it does not fit the maps) and the
 *       second line is "refused ...". The maps are sized for the larger of
 *       A and B (XDPFW_BENCH_MAX_RULES: for that many rules).
 *   xdpfw-bench-sets live OBJDIR NETNS IFACE PROG RULES SECONDS
 *       attaches PROG (loaded as for cost) natively to
 *       IFACE in NETNS and prints its own time per run from the kernel's BPF
 *       statistics over SECONDS: "NS_PER_RUN RUNS" (bpf_stats must be on).
 *   xdpfw-bench-sets touch MB
 *       first touch of MB of fresh anonymous memory: "MS_4K MS_THP" (as
 *       4 KiB pages, then advised for transparent huge pages), after an
 *       unmeasured touch of as much.
 *   xdpfw-bench-sets blast OBJDIR NETNS IFACE DSTMAC RULES SECONDS
 *       sends UDP frames out of IFACE with XDP live frames
 *       (bench/tx-cycle.bpf.o) whose sources cycle through 65536 distinct
 *       IPv4 addresses, half inside RULES' IPv4 prefixes: "FRAMES_PER_S".
 *
 * Programs and maps are loaded here, unpinned; nothing outlives the tool. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

#define XDPFILT "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o"
#define REPEAT 2000
#define MAXPKT 4096

struct pkt {
	uint8_t b[128];
	size_t len;
	struct xdpfw_pkt ref;
};

struct pktset {
	struct pkt *p;
	int n;
};

/* This process's CPU time: on a shared machine wall time includes waiting
 * for a CPU. */
static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One frame from "FAMILY PROTO SRC DST SPORT DPORT". */
static int build(struct pkt *p, int fam, int proto, const char *src, const char *dst, int sport, int dport)
{
	uint8_t *b = p->b;
	size_t o = 14, l3 = 14;

	memset(p, 0, sizeof(*p));
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (fam == 4) {
		b[12] = 0x08;
		b[o] = 0x45;
		b[o + 8] = 64;
		b[o + 9] = proto;
		if (inet_pton(AF_INET, src, b + o + 12) != 1 || inet_pton(AF_INET, dst, b + o + 16) != 1)
			return -1;
		memcpy(p->ref.saddr, b + o + 12, 4);
		memcpy(p->ref.daddr, b + o + 16, 4);
		o += 20;
	} else {
		b[12] = 0x86;
		b[13] = 0xdd;
		b[o] = 0x60;
		b[o + 6] = proto;
		b[o + 7] = 64;
		if (inet_pton(AF_INET6, src, b + o + 8) != 1 || inet_pton(AF_INET6, dst, b + o + 24) != 1)
			return -1;
		memcpy(p->ref.saddr, b + o + 8, 16);
		memcpy(p->ref.daddr, b + o + 24, 16);
		o += 40;
	}
	if (proto == 6 || proto == 17) {
		b[o] = sport >> 8;
		b[o + 1] = sport;
		b[o + 2] = dport >> 8;
		b[o + 3] = dport;
		if (proto == 6)
			b[o + 12] = 0x50;
		o += proto == 6 ? 20 : 8;
	} else {
		b[o] = proto == 1 ? 8 : 128;	/* echo request */
		o += 8;
	}
	o += 18;
	if (fam == 4) {
		b[l3 + 2] = (o - l3) >> 8;
		b[l3 + 3] = o - l3;
	} else {
		b[l3 + 4] = (o - l3 - 40) >> 8;
		b[l3 + 5] = o - l3 - 40;
	}
	p->len = o < 60 ? 60 : o;
	p->ref.family = fam;
	p->ref.ipproto = proto;
	p->ref.sport = sport;
	p->ref.dport = dport;
	return 0;
}

static int read_packets(const char *path, struct pktset *ps)
{
	FILE *f = fopen(path, "r");
	char src[64], dst[64];
	int fam, proto, sport, dport;

	ps->n = 0;
	ps->p = calloc(MAXPKT, sizeof(*ps->p));
	if (!f || !ps->p) {
		if (f)
			fclose(f);
		return -1;
	}
	while (ps->n < MAXPKT && fscanf(f, "%d %d %63s %63s %d %d", &fam, &proto, src, dst, &sport, &dport) == 6)
		if (build(&ps->p[ps->n], fam, proto, src, dst, sport, dport) == 0)
			ps->n++;
	fclose(f);
	return ps->n ? 0 : -1;
}

/* The rules' source prefixes, for the anchors. */
static void each_src(const struct xdpfw_ruleset *rs, void (*fn)(void *, const struct xdpfw_rule_def *),
		     void *ctx)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].d.flags & XDPFW_RF_SRC)
			fn(ctx, &rs->r[i].d);
}

struct fill {
	int fd4, fd6, ncpu;
};

static void fill_lpm(void *ctx, const struct xdpfw_rule_def *d)
{
	struct fill *f = ctx;
	struct { __u32 plen; __u8 a[16]; } k = { d->src_plen };
	__u32 one = 1;

	memcpy(k.a, d->src, 16);
	bpf_map_update_elem(d->family == 6 ? f->fd6 : f->fd4, &k, &one, BPF_ANY);
}

static void fill_filt(void *ctx, const struct xdpfw_rule_def *d)
{
	struct fill *f = ctx;
	__u64 v[256];

	for (int c = 0; c < f->ncpu; c++)
		v[c] = 1;	/* MAP_FLAG_SRC */
	bpf_map_update_elem(d->family == 6 ? f->fd6 : f->fd4, d->src, v, BPF_ANY);
}

/* The program under test, loaded with RS. */
struct target {
	struct xdpfw_state st;
	struct bpfkit_object *obj;
	struct bpf_object *filt;
	int prog_fd;
	bool fw;
	double apply_ms;
};

static int target_load(struct target *t, const char *dir, const char *prog, const struct xdpfw_ruleset *rs)
{
	char path[512];
	struct fill f = { .ncpu = libbpf_num_possible_cpus() };
	size_t plen = strlen(prog);
	bool variant = plen > 2 && !strcmp(prog + plen - 2, ".o");

	memset(t, 0, sizeof(*t));
	t->prog_fd = -1;
	if (!strcmp(prog, "xdpfw") || !strcmp(prog, "floor") || variant) {
		struct bpf_object *bo;
		double t0;

		if (variant)
			snprintf(path, sizeof(path), "%s", prog);
		else
			snprintf(path, sizeof(path), "%s/%s", dir,
				 !strcmp(prog, "floor") ? "xdpfw-floor.bpf.o" : "xdpfw.bpf.o");
		t->obj = bpfkit_object__open_file(path, NULL);
		if (!t->obj)
			return -1;
		bo = bpfkit_object__bpf_object(t->obj);
		/* XDPFW_BENCH_MAX_RULES: size the maps for more (other trie strides) */
		if (xdpfw_state_size_maps(bo, getenv("XDPFW_BENCH_MAX_RULES") ? (size_t)atol(getenv("XDPFW_BENCH_MAX_RULES")) :
					      rs->n + 64) ||
		    bpfkit_object__load(t->obj) ||
		    xdpfw_state_from_object(&t->st, t->obj))
			return -1;
		t->fw = true;
		t0 = now_ms();
		if (xdpfw_state_apply(&t->st, rs, rs->policy, NULL))
			return -1;
		t->apply_ms = now_ms() - t0;
		t->prog_fd = t->st.prog_fd;
	} else if (!strcmp(prog, "lpm")) {
		snprintf(path, sizeof(path), "%s/lpm-trie.bpf.o", dir);
		t->obj = bpfkit_object__open_file(path, NULL);
		if (!t->obj || bpfkit_object__load(t->obj))
			return -1;
		f.fd4 = bpf_object__find_map_fd_by_name(bpfkit_object__bpf_object(t->obj), "lpm4");
		f.fd6 = bpf_object__find_map_fd_by_name(bpfkit_object__bpf_object(t->obj), "lpm6");
		each_src(rs, fill_lpm, &f);
		t->prog_fd = bpf_program__fd(bpfkit_object__find_program(t->obj, "lpm_src"));
	} else if (!strcmp(prog, "filter")) {
		t->filt = bench_load_xdpfilt(XDPFILT);
		if (!t->filt)
			return -1;
		f.fd4 = bpf_object__find_map_fd_by_name(t->filt, "filter_ipv4");
		f.fd6 = bpf_object__find_map_fd_by_name(t->filt, "filter_ipv6");
		each_src(rs, fill_filt, &f);
		t->prog_fd = bpf_program__fd(bpf_object__next_program(t->filt, NULL));
	} else {
		t->prog_fd = bench_load_pass(dir, &t->obj);
	}
	return t->prog_fd >= 0 ? 0 : -1;
}

static void target_close(struct target *t)
{
	if (t->fw)
		xdpfw_state_close(&t->st);
	if (t->obj)
		bpfkit_object__close(t->obj);
	if (t->filt)
		bpf_object__close(t->filt);
}


static int parse_file(const char *path, struct xdpfw_ruleset *rs)
{
	char err[256];

	if (xdpfw_rules_parse_file(path, rs, err, sizeof(err))) {
		fprintf(stderr, "xdpfw-bench-sets: %s\n", err);
		return -1;
	}
	return 0;
}

/* One measured program: NAME=PROG:RULES:PACKETS. */
struct costed {
	const char *name, *prog;
	struct xdpfw_ruleset rs;
	struct target t;
	struct pktset ps;
	uint32_t *ns;			/* [packet k][round]: each run's ns */
	int drops, wrong;
};

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The mean over the N packets of each packet's median over ROUNDS: a
 * round the host slowed (another tenant, an interrupt storm) moves no
 * packet's figure. *MEAN: the plain mean of every run. */
static double median_mean(uint32_t *ns, int n, int rounds, double *mean)
{
	double sum = 0, all = 0;

	for (size_t j = 0; j < (size_t)n * rounds; j++)
		all += ns[j];
	*mean = n ? all / ((double)n * rounds) : 0;

	for (int k = 0; k < n; k++) {
		uint32_t *v = ns + (size_t)k * rounds;

		qsort(v, rounds, sizeof(*v), by_u32);
		sum += rounds % 2 ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2.0;
	}
	return n ? sum / n : 0;
}

/* Loads every spec, then runs them interleaved, packet by packet (each
 * packet REPEAT times per program and round), so a machine whose load
 * changes meanwhile slows every program alike and the ratios hold; each
 * program's figure: median_mean() of its runs. */
static int do_cost(const char *dir, int nspec, char **spec, int rounds)
{
	struct costed *c = calloc(nspec, sizeof(*c));
	struct bpfkit_testrun_opts o = { .sz = sizeof(o), .repeat = REPEAT };
	int maxn = 0;

	if (!c)
		return 1;
	for (int i = 0; i < nspec; i++) {
		char *eq = strchr(spec[i], '='), *rules, *pkts;

		if (!eq || !(rules = strchr(eq + 1, ':')) || !(pkts = strchr(rules + 1, ':'))) {
			fprintf(stderr, "xdpfw-bench-sets: bad spec '%s' (NAME=PROG:RULES:PACKETS)\n", spec[i]);
			return 2;
		}
		*eq = *rules++ = *pkts++ = 0;
		c[i].name = spec[i];
		c[i].prog = eq + 1;
		if (parse_file(rules, &c[i].rs) || read_packets(pkts, &c[i].ps))
			return 1;
		if (target_load(&c[i].t, dir, c[i].prog, &c[i].rs)) {
			fprintf(stderr, "xdpfw-bench-sets: cannot load %s with %s\n", c[i].prog, rules);
			return 1;
		}
		if (c[i].ps.n > maxn)
			maxn = c[i].ps.n;
	}
	for (int i = 0; i < nspec; i++)
		if (!(c[i].ns = calloc((size_t)maxn * rounds, sizeof(*c[i].ns))))
			return 1;
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < maxn; k++)
			for (int i = 0; i < nspec; i++) {
				struct pkt *p = &c[i].ps.p[k % c[i].ps.n];
				struct bpfkit_testrun_result res;

				if (bpfkit_testrun__run(c[i].t.prog_fd, p->b, p->len, &o, &res))
					return 1;
				c[i].ns[(size_t)k * rounds + r] = res.duration_ns;
				if (getenv("XDPFW_BENCH_PER_PACKET"))	/* where the time goes */
					fprintf(stderr, "  %s round %d packet %3d: %u ns, verdict %u\n", c[i].name, r, k,
						res.duration_ns, res.retval);
				if (r || k >= c[i].ps.n)
					continue;
				c[i].drops += res.retval == XDP_DROP;
				if (c[i].t.fw && strcmp(c[i].prog, "floor")) {
					long w = xdpfw_rules_eval(&c[i].rs, &p->ref);
					int want = (w >= 0 ? c[i].rs.r[w].d.action : c[i].rs.policy) == XDPFW_DENY ?
						   XDP_DROP : XDP_PASS;

					c[i].wrong += (int)res.retval != want;
				}
			}
	/* NAME NS_PER_PACKET DROPS WRONG TABLE_BYTES APPLY_MS PACKETS DEF_BYTES
	 * COUNTER_BYTES_PER_CPU MEAN_NS (NS_PER_PACKET: median_mean()) */
	for (int i = 0; i < nspec; i++) {
		uint32_t ncpu;
		double mean, med = median_mean(c[i].ns, maxn, rounds, &mean);

		printf("%s %.2f %d %d %llu %.1f %d %llu %llu %.2f\n", c[i].name, med, c[i].drops,
		       c[i].wrong, c[i].t.fw ? (unsigned long long)xdpfw_state_table_bytes(&c[i].t.st) : 0ull,
		       c[i].t.apply_ms, c[i].ps.n,
		       c[i].t.fw ? (unsigned long long)xdpfw_state_def_bytes(&c[i].t.st) : 0ull,
		       c[i].t.fw ? (unsigned long long)xdpfw_state_counter_bytes(&c[i].t.st, &ncpu) : 0ull, mean);
		target_close(&c[i].t);
		xdpfw_ruleset_free(&c[i].rs);
		free(c[i].ps.p);
		free(c[i].ns);
	}
	free(c);
	return 0;
}

static int do_apply(const char *dir, const char *a_path, const char *b_path, bool refuse)
{
	struct xdpfw_ruleset a, b;
	struct xdpfw_apply_stats s1, s2;
	struct xdpfw_state st;
	struct bpfkit_object *obj;
	char path[512];
	double t0, t1, t2, c0, c1, c2;
	size_t max;

	if (parse_file(a_path, &a) || parse_file(b_path, &b))
		return 1;
	snprintf(path, sizeof(path), "%s/xdpfw.bpf.o", dir);
	obj = bpfkit_object__open_file(path, NULL);
	/* N is one whole set: the maps keep room for the second one a swap writes */
	max = getenv("XDPFW_BENCH_MAX_RULES") ? (size_t)atol(getenv("XDPFW_BENCH_MAX_RULES")) :
	      (a.n > b.n ? a.n : b.n) + 64;
	if (!obj || xdpfw_state_size_maps(bpfkit_object__bpf_object(obj), max) ||
	    bpfkit_object__load(obj) || xdpfw_state_from_object(&st, obj))
		return 1;
	t0 = now_ms();
	c0 = cpu_ms();
	if (xdpfw_state_apply(&st, &a, a.policy, &s1))
		return 1;
	t1 = now_ms();
	c1 = cpu_ms();
	if (!xdpfw_state_apply(&st, &b, b.policy, &s2) == refuse) {
		if (refuse)
			fprintf(stderr, "xdpfw-bench-sets: '%s' was applied; a set the maps cannot hold was wanted\n",
				b_path);
		return 1;
	}
	t2 = now_ms();
	c2 = cpu_ms();
	/* step wall_ms cpu_ms entries rules */
	printf("first %.1f %.1f %llu %zu\n", t1 - t0, c1 - c0, (unsigned long long)s1.entries, a.n);
	printf("%s %.1f %.1f %llu %zu\n", refuse ? "refused" : "swap", t2 - t1, c2 - c1,
	       (unsigned long long)s2.entries, b.n);
	xdpfw_state_close(&st);
	bpfkit_object__close(obj);
	xdpfw_ruleset_free(&a);
	xdpfw_ruleset_free(&b);
	return 0;
}

static int prog_stats(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

static int do_live(const char *dir, const char *ns, const char *ifname, const char *prog, const char *rules,
		   double secs)
{
	struct xdpfw_ruleset rs;
	struct target t;
	__u64 ns0, c0, ns1, c1;
	int ifindex, rc = 1;

	if (parse_file(rules, &rs) || target_load(&t, dir, prog, &rs))
		return 1;
	if (bpfkit_netns__enter(ns)) {
		fprintf(stderr, "xdpfw-bench-sets: cannot enter netns %s\n", ns);
		goto out;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex || bpf_xdp_attach(ifindex, t.prog_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "xdpfw-bench-sets: cannot attach to %s\n", ifname);
		goto out;
	}
	usleep(200000);
	prog_stats(t.prog_fd, &ns0, &c0);
	usleep((useconds_t)(secs * 1e6));
	prog_stats(t.prog_fd, &ns1, &c1);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	printf("%.2f %llu\n", c1 > c0 ? (double)(ns1 - ns0) / (c1 - c0) : 0.0, (unsigned long long)(c1 - c0));
	rc = 0;
out:
	target_close(&t);
	xdpfw_ruleset_free(&rs);
	return rc;
}

static int do_blast(const char *dir, const char *ns, const char *ifname, const char *mac, const char *rules,
		    double secs)
{
	struct xdpfw_ruleset rs;
	struct bpfkit_object *obj;
	char path[512];
	uint8_t frame[64];
	unsigned m[6];
	unsigned long sent = 0;
	uint32_t x = 12345;
	int fd, prog, ifindex;
	size_t i = 0;
	double end;

	if (parse_file(rules, &rs) || sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return 1;
	snprintf(path, sizeof(path), "%s/tx-cycle.bpf.o", dir);
	obj = bpfkit_object__open_file(path, NULL);
	if (!obj || bpfkit_object__load(obj))
		return 1;
	fd = bpf_object__find_map_fd_by_name(bpfkit_object__bpf_object(obj), "srcs");
	prog = bpf_program__fd(bpfkit_object__find_program(obj, "tx_cycle"));
	/* 65536 distinct sources: every other one inside a rule's IPv4 prefix */
	for (__u32 key = 0; key < 65536; key++) {
		__u32 a;

		x = x * 1103515245u + 12345u;
		a = (x >> 8) | ((1 + x % 223) << 24);
		if (key % 2 == 0)
			for (size_t tries = 0; tries < rs.n; tries++, i = (i + 1) % rs.n) {
				const struct xdpfw_rule_def *d = &rs.r[i].d;

				if (d->family == 4 && (d->flags & XDPFW_RF_SRC)) {
					__u32 net, mask = d->src_plen ? ~0u << (32 - d->src_plen) : 0;

					memcpy(&net, d->src, 4);
					a = (ntohl(net) & mask) | ((x ^ key) & ~mask);
					i = (i + 7919) % rs.n;
					break;
				}
			}
		a = htonl(a);
		bpf_map_update_elem(fd, &key, &a, BPF_ANY);
	}
	udp_frame(frame, m, "0.0.0.0", "10.198.0.2", 1026);	/* tx-cycle writes each source */
	if (bpfkit_netns__enter(ns) || !(ifindex = if_nametoindex(ifname)))
		return 1;
	struct xdp_md ctx = { .data_end = 60, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = 60, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 65536, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	end = now_ms() + secs * 1e3;
	while (now_ms() < end) {
		if (bpf_prog_test_run_opts(prog, &o))
			break;
		sent += o.repeat;
	}
	printf("%.0f\n", sent / secs);
	bpfkit_object__close(obj);
	xdpfw_ruleset_free(&rs);
	return 0;
}

/* What first touching MB of memory new to this process costs here, as 4 KiB
 * pages and advised for huge pages (bigmem.c's choice): an apply's arrays
 * are such memory, so this is the anchor for its page faults. An unmeasured
 * touch first, so both measured ones get memory the machine has just had in
 * use (on a VM, memory the guest has not used lately costs more again, the
 * hypervisor backing it, whatever the page size). */
static int do_touch(size_t mb)
{
	size_t n = mb << 20;
	double ms[3];

	/* round 0: the unmeasured touch; 1: 4 KiB pages; 2: huge pages */
	for (int round = 0; round < 3; round++) {
		double t0 = now_ms();
		char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		if (round != 1)
			madvise(p, n, MADV_HUGEPAGE);
		memset(p, 1, n);
		ms[round] = now_ms() - t0;
		munmap(p, n);
	}
	printf("%.1f %.1f\n", ms[1], ms[2]);
	return 0;
}

int main(int argc, char **argv)
{
	/* the 1M-rule sets are ~36 MB of text: past the CLI's default input bound */
	xdpfw_rules_max_bytes = (size_t)1 << 30;
	bpfkit_set_print_level(BPFKIT_WARN);
	if (argc >= 5 && !strcmp(argv[1], "cost"))
		return do_cost(argv[2], argc - 4, argv + 4, atoi(argv[3]));
	if ((argc == 5 || (argc == 6 && !strcmp(argv[5], "refused"))) && !strcmp(argv[1], "apply"))
		return do_apply(argv[2], argv[3], argv[4], argc == 6);
	if (argc == 8 && !strcmp(argv[1], "live"))
		return do_live(argv[2], argv[3], argv[4], argv[5], argv[6], atof(argv[7]));
	if (argc == 8 && !strcmp(argv[1], "blast"))
		return do_blast(argv[2], argv[3], argv[4], argv[5], argv[6], atof(argv[7]));
	if (argc == 3 && !strcmp(argv[1], "touch") && atoi(argv[2]) > 0)
		return do_touch((size_t)atoi(argv[2]));
	fprintf(stderr, "usage: xdpfw-bench-sets cost OBJDIR ROUNDS NAME=PROG:RULES:PACKETS... | apply OBJDIR RULES_A RULES_B [refused] | "
			"live OBJDIR NETNS IFACE PROG RULES SECONDS | blast OBJDIR NETNS IFACE DSTMAC RULES SECONDS | touch MB\n");
	return 2;
}
