/* tests/unit/test_log_kernel.c — bpfkit logging end to end on the real
 * kernel: the programs in tests/data/log run under BPF_PROG_TEST_RUN (no
 * attach, no traffic), the logger drains their ring buffer, and every line is
 * compared with the expected text. Covers every conversion, levels (records
 * and the verifier's xlated length), BPFKIT_LOG, several programs and two
 * loggers at once, ring-buffer overload (every loss counted), formats that do
 * not fit their arguments, objects that do not log. Needs root. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "test.h"

#define OBJDIR "../../build/bpf/log/"
#define MAXL 64

struct lines {
	int n;
	char *msg[MAXL];
	char *func[MAXL];
	int level[MAXL];
	int bad;
	char lastbad[256];	/* the last bad record's message */
};

static int collect(const struct bpfkit_log_record *r, void *ctx)
{
	struct lines *l = ctx;

	if (r->bad) {
		l->bad++;
		snprintf(l->lastbad, sizeof(l->lastbad), "%s", r->msg);
	}
	if (l->n < MAXL) {
		l->msg[l->n] = strdup(r->msg);
		l->func[l->n] = strdup(r->func);
		l->level[l->n] = r->level;
		l->n++;
	}
	return 0;
}

static void lines_free(struct lines *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->msg[i]);
		free(l->func[i]);
	}
	memset(l, 0, sizeof(*l));
}

static int has(const struct lines *l, const char *msg)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->msg[i], msg))
			return i + 1;
	return 0;
}

static struct bpfkit_object *open_obj(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), OBJDIR "%s.bpf.o", name);
	return bpfkit_object__open_file(path, NULL);
}

static int prog_fd(struct bpfkit_object *o, const char *name)
{
	struct bpf_program *p = bpfkit_object__find_program(o, name);

	return p ? bpf_program__fd(p) : -1;
}

/* Runs the XDP program once (or REPEAT times) on PKT. */
static int test_run(int fd, const void *pkt, size_t len, int repeat)
{
	char out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	return bpf_prog_test_run_opts(fd, &o) ? -errno : (int)o.retval;
}

static unsigned xlated_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.xlated_prog_len / 8;
}

/* An Ethernet + IPv4 (or IPv6) header. */
static size_t build_pkt(unsigned char *p, int v6)
{
	static const unsigned char dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char src[6] = { 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0x0c };

	memset(p, 0, 128);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (!v6) {
		p[12] = 0x08; p[13] = 0x00;
		p[14] = 0x45; p[16] = 0; p[17] = 40; p[22] = 64; p[23] = 17;
		memcpy(p + 26, (unsigned char[]){ 10, 0, 0, 1 }, 4);
		memcpy(p + 30, (unsigned char[]){ 192, 168, 1, 254 }, 4);
		return 14 + 40;
	}
	p[12] = 0x86; p[13] = 0xdd;
	p[14] = 0x60; p[19] = 0; p[20] = 17; p[21] = 64;
	p[22] = 0xfe; p[23] = 0x80; p[37] = 1;					/* fe80::1 */
	p[38] = 0x20; p[39] = 0x01; p[40] = 0x0d; p[41] = 0xb8; p[53] = 0x2a;	/* 2001:db8::2a */
	return 14 + 40 + 8;
}

static struct bpfkit_logger *logger(struct bpfkit_object *o, struct lines *l)
{
	struct bpfkit_logger_opts lo = { .sz = sizeof(lo), .fn = collect, .ctx = l };

	return bpfkit_logger__new(o, &lo);
}

static void test_specs(void)
{
	struct bpfkit_object *o = open_obj("log-specs");
	struct bpfkit_logger *lg;
	struct lines l = { 0 };
	unsigned char pkt[128];
	size_t len;
	int fd;

	CHECK("specs: load", o && !bpfkit_object__load(o));
	if (!o)
		return;
	lg = logger(o, &l);
	CHECK("specs: logger opens", lg != NULL);
	fd = prog_fd(o, "specs");
	if (!lg || fd < 0)
		goto out;
	CHECK("specs: sites found", bpfkit_logger__sites(lg) == 15);
	len = build_pkt(pkt, 0);
	CHECK("specs: ipv4 run passes", test_run(fd, pkt, len, 1) == 2);
	CHECK("specs: drain", bpfkit_logger__drain(lg) == 12);
	CHECK_STR("no arguments", l.n > 0 ? l.msg[0] : NULL, "no arguments");
	CHECK("func is the program", l.n > 0 && !strcmp(l.func[0], "specs"));
	CHECK("level is info", l.n > 0 && l.level[0] == BPFKIT_LOG_INFO);
	CHECK("integers", has(&l, "u=4000000000 d=-42 x=ee6b2800 X=BEEF o=10 c=Z"));
	CHECK("%d of a u32, %u of an int", has(&l, "d-of-u32=-294967296 u-of-int=4294967254"));
	CHECK("64-bit", has(&l, "lld=-5000000000 llu=18446744073709551615 llx=ffffffffffffffff"));
	CHECK("u8 promoted, hh, h, bool", has(&l, "small=200 hhx=34 hd=-3 bool=1"));
	CHECK("flags, width, precision", has(&l, "[00000abc] [7    ] [   -7] [+7] [0xff] [005]"));
	CHECK("strings: array, literal, precision, width", has(&l, "s=veth0 lit=literal [vet] [veth0  ] [     ab]"));
	CHECK("%%", has(&l, "100% done, 50%"));
	CHECK("%pM %pm", has(&l, "mac 02:00:5e:aa:bb:0c / ffffffffffff"));
	CHECK("eight arguments", has(&l, "eight 1 2 3 4 5 6 7 8"));
	CHECK("%pI4 value and pointer, %pi4", has(&l, "ip 10.0.0.1 -> 192.168.1.254 (010.000.000.001)"));
	CHECK("newline escaped, warn level", has(&l, "a string with a\\x0anewline") &&
	      l.level[has(&l, "a string with a\\x0anewline") - 1] == BPFKIT_LOG_WARN);
	lines_free(&l);
	len = build_pkt(pkt, 1);
	CHECK("specs: ipv6 run passes", test_run(fd, pkt, len, 1) == 2);
	bpfkit_logger__drain(lg);
	CHECK("%pI6", has(&l, "ip6 fe80:0000:0000:0000:0000:0000:0000:0001"));
	CHECK("%pI6c", has(&l, "ip6c fe80::1 -> 2001:db8::2a"));
	CHECK("%pi6", has(&l, "ip6 raw 20010db800000000000000000000002a"));
	CHECK("specs: no bad records", l.bad == 0 && bpfkit_logger__bad_records(lg) == 0);
	CHECK("specs: nothing dropped", bpfkit_logger__dropped(lg) == 0);
out:
	lines_free(&l);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
}

/* Loads log-levels at LEVEL (-1: as compiled), runs it once; returns the
 * number of records and the xlated length. */
static int run_levels(int level, unsigned *xlen, struct lines *l)
{
	struct bpfkit_object *o = open_obj("log-levels");
	struct bpfkit_logger *lg = NULL;
	unsigned char pkt[128];
	int n = -1, fd;

	if (!o)
		return -1;
	if (level >= 0 && bpfkit_log__set_level(o, level))
		goto out;
	if (bpfkit_object__load(o))
		goto out;
	lg = logger(o, l);
	fd = prog_fd(o, "levels");
	if (!lg || fd < 0)
		goto out;
	*xlen = xlated_len(fd);
	if (test_run(fd, pkt, build_pkt(pkt, 0), 1) != 2)
		goto out;
	n = bpfkit_logger__drain(lg);
	CHECK("levels: set_level after load is refused", bpfkit_log__set_level(o, BPFKIT_LOG_INFO) == -EBUSY);
out:
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
	return n;
}

static void test_levels(void)
{
	struct lines l = { 0 };
	unsigned x_def = 0, x_off = 0, x_err = 0, x_trace = 0, x_nolog = 0;
	struct bpfkit_object *o;
	int n;

	unsetenv("BPFKIT_LOG");
	n = run_levels(-1, &x_def, &l);
	CHECK("levels: default is info (3 records)", n == 3 && has(&l, "error 54") && has(&l, "warn 54") &&
	      has(&l, "info 54") && !has(&l, "debug 54"));
	CHECK("levels: record levels", l.n == 3 && l.level[0] == BPFKIT_LOG_ERROR && l.level[2] == BPFKIT_LOG_INFO);
	lines_free(&l);
	n = run_levels(BPFKIT_LOG_TRACE, &x_trace, &l);
	CHECK("levels: trace (5 records)", n == 5 && has(&l, "trace 54") && l.level[4] == BPFKIT_LOG_TRACE);
	lines_free(&l);
	n = run_levels(BPFKIT_LOG_ERROR, &x_err, &l);
	CHECK("levels: error (1 record)", n == 1 && has(&l, "error 54"));
	lines_free(&l);
	n = run_levels(BPFKIT_LOG_OFF, &x_off, &l);
	CHECK("levels: off (no record)", n == 0);
	lines_free(&l);
	setenv("BPFKIT_LOG", "debug", 1);
	n = run_levels(-1, &x_def, &l);
	CHECK("levels: BPFKIT_LOG=debug (4 records)", n == 4 && has(&l, "debug 54") && !has(&l, "trace 54"));
	lines_free(&l);
	setenv("BPFKIT_LOG", "warn", 1);
	n = run_levels(BPFKIT_LOG_TRACE, &x_def, &l);
	CHECK("levels: BPFKIT_LOG wins over set_level", n == 2);
	lines_free(&l);
	unsetenv("BPFKIT_LOG");

	o = open_obj("log-nolog");
	if (o && !bpfkit_object__load(o))
		x_nolog = xlated_len(prog_fd(o, "levels"));
	bpfkit_object__close(o);
	printf("# xlated insns: no log calls %u, off %u, error %u, trace %u\n", x_nolog, x_off, x_err, x_trace);
	/* A disabled call keeps little more than its level load (the verifier
	 * drops the dead branch); how much exactly depends on the kernel's own
	 * rewrites, so the check compares costs: the five disabled calls cost
	 * less than a third of what enabling them adds. */
	CHECK("levels: disabled calls are removed by the verifier",
	      x_nolog && x_off >= x_nolog && x_off < x_err && x_err < x_trace &&
	      (x_off - x_nolog) * 3 < x_trace - x_off);
	CHECK("levels: each enabled call costs about 15 insns", x_trace - x_off >= 5 * 10);
}

static void test_multi(void)
{
	struct bpfkit_object *o1 = open_obj("log-multi"), *o2 = open_obj("log-multi");
	struct bpfkit_logger *lg1 = NULL, *lg2 = NULL;
	struct lines l1 = { 0 }, l2 = { 0 };
	struct bpf_link *link = NULL;
	unsigned char pkt[128];
	size_t len = build_pkt(pkt, 0);
	__u32 inst;

	if (!o1 || !o2) {
		CHECK("multi: open", 0);
		goto out;
	}
	setenv("BPFKIT_LOG", "debug", 1);
	inst = 1;
	bpf_map__set_initial_value(bpf_object__find_map_by_name(bpfkit_object__bpf_object(o1), ".rodata"), &inst, 4);
	inst = 2;
	bpf_map__set_initial_value(bpf_object__find_map_by_name(bpfkit_object__bpf_object(o2), ".rodata"), &inst, 4);
	CHECK("multi: two objects load", !bpfkit_object__load(o1) && !bpfkit_object__load(o2));
	unsetenv("BPFKIT_LOG");
	lg1 = logger(o1, &l1);
	lg2 = logger(o2, &l2);
	CHECK("multi: two loggers", lg1 && lg2);
	if (!lg1 || !lg2)
		goto out;
	test_run(prog_fd(o1, "prog_a"), pkt, len, 1);
	test_run(prog_fd(o2, "prog_b"), pkt, len, 1);
	test_run(prog_fd(o1, "prog_b"), pkt, len, 1);
	test_run(prog_fd(o2, "prog_a"), pkt, len, 1);
	/* a tracepoint program of the same object, into the same ring buffer */
	link = bpf_program__attach(bpfkit_object__find_program(o1, "prog_tp"));
	CHECK("multi: tracepoint attaches", link != NULL);
	if (link) {
		(void)getppid();
		bpf_link__destroy(link);
	}
	/* both at once, through their epoll fds */
	for (int i = 0; i < 10 && (l1.n < 5 || l2.n < 4); i++) {
		bpfkit_logger__poll(lg1, 50);
		bpfkit_logger__poll(lg2, 50);
	}
	CHECK("multi: logger 1 sees its programs only",
	      has(&l1, "prog_a of instance 1") && has(&l1, "prog_b of instance 1") &&
	      has(&l1, "helper 1 of instance 1") && has(&l1, "helper 2 of instance 1") &&
	      has(&l1, "tracepoint of instance 1"));
	CHECK("multi: logger 2 sees its programs only",
	      l2.n == 4 && has(&l2, "prog_a of instance 2") && has(&l2, "prog_b of instance 2") &&
	      has(&l2, "helper 1 of instance 2") && has(&l2, "helper 2 of instance 2"));
	CHECK("multi: records name their function",
	      has(&l1, "prog_b of instance 1") && !strcmp(l1.func[has(&l1, "prog_b of instance 1") - 1], "prog_b") &&
	      !strcmp(l1.func[has(&l1, "helper 2 of instance 1") - 1], "helper") &&
	      !strcmp(l1.func[has(&l1, "tracepoint of instance 1") - 1], "prog_tp"));
out:
	lines_free(&l1);
	lines_free(&l2);
	bpfkit_logger__free(lg1);
	bpfkit_logger__free(lg2);
	bpfkit_object__close(o1);
	bpfkit_object__close(o2);
}

static void test_flood(void)
{
	struct bpfkit_object *o = open_obj("log-flood");
	struct bpfkit_logger *lg = NULL;
	unsigned char pkt[128];
	char *buf = NULL;
	size_t bufsz = 0;
	FILE *mem = open_memstream(&buf, &bufsz);
	int n, fd;
	uint64_t dropped;

	if (!o || !mem || bpfkit_object__load(o)) {
		CHECK("flood: load", 0);
		goto out;
	}
	lg = bpfkit_logger__new(o, &(struct bpfkit_logger_opts){ .sz = sizeof(struct bpfkit_logger_opts), .out = mem });
	fd = prog_fd(o, "flood");
	if (!lg || fd < 0) {
		CHECK("flood: logger", 0);
		goto out;
	}
	/* 100 records of 16 bytes fit a 4 KiB ring (less BK_LOG_REC_MAX) */
	CHECK("flood: run x100", test_run(fd, pkt, build_pkt(pkt, 0), 100) == 2);
	n = bpfkit_logger__drain(lg);
	CHECK("flood: 100 records fit, all arrive", n == 100 && bpfkit_logger__dropped(lg) == 0);
	/* 10 x 100 records, drained in between: around the ring (and through
	 * its overflow tail) several times, nothing lost */
	n = 0;
	for (int i = 0; i < 10; i++) {
		test_run(fd, pkt, build_pkt(pkt, 0), 100);
		n += bpfkit_logger__drain(lg);
	}
	CHECK("flood: 10 x 100 around the ring, all arrive", n == 1000 && bpfkit_logger__dropped(lg) == 0);
	/* 1000 records into a 4 KiB ring nobody drains meanwhile */
	CHECK("flood: run x1000", test_run(fd, pkt, build_pkt(pkt, 0), 1000) == 2);
	n = bpfkit_logger__drain(lg);
	dropped = bpfkit_logger__dropped(lg);
	fflush(mem);
	printf("# flood: %d records, %llu dropped\n", n, (unsigned long long)dropped);
	CHECK("flood: the ring was lapped", dropped > 0);
	CHECK("flood: every loss is counted", n + dropped == 1000);
	{
		char want[96];

		snprintf(want, sizeof(want), "WARN  bpfkit: dropped %llu log records (ring buffer full; %llu in all)",
			 (unsigned long long)dropped, (unsigned long long)dropped);
		CHECK("flood: the loss is reported", buf && strstr(buf, want));
	}
	CHECK("flood: lines are 'TIME LEVEL func: msg'", buf && !strncmp(buf + 15, " INFO  flood: a=1 b=0\n", 22) &&
	      buf[2] == ':' && buf[5] == ':' && buf[8] == '.');
	/* a record whose id is not in the table (the raw program's 12345) */
	test_run(prog_fd(o, "raw"), pkt, build_pkt(pkt, 0), 1);
	bpfkit_logger__drain(lg);
	fflush(mem);
	CHECK("unknown call-site id: an error line", buf && strstr(buf, "ERROR bpfkit: bad log record: unknown call-site id 12345 (24 bytes)"));
	CHECK("unknown call-site id: counted bad", bpfkit_logger__bad_records(lg) == 1);
	/* a header whose length is 0: its record can't be stepped over; said
	 * once, counted, and the reader goes on at the next record's seq */
	test_run(prog_fd(o, "badhdr"), pkt, build_pkt(pkt, 0), 1);
	test_run(fd, pkt, build_pkt(pkt, 0), 1);
	n = bpfkit_logger__drain(lg);
	fflush(mem);
	CHECK("bad header: an error line", buf && strstr(buf, "ERROR bpfkit: bad log records: 1 skipped at a malformed record header"));
	CHECK("bad header: counted bad", bpfkit_logger__bad_records(lg) == 2);
	CHECK("bad header: the record behind it arrives", n == 1);
	test_run(fd, pkt, build_pkt(pkt, 0), 1);
	CHECK("bad header: the next record arrives", bpfkit_logger__drain(lg) == 1);
	/* a claimed slot never committed: waited for (the record behind it
	 * stays queued), then counted lost; the record behind it arrives */
	dropped = bpfkit_logger__dropped(lg);
	test_run(prog_fd(o, "nocommit"), pkt, build_pkt(pkt, 0), 1);
	test_run(fd, pkt, build_pkt(pkt, 0), 1);
	n = bpfkit_logger__drain(lg);
	n += bpfkit_logger__drain(lg);
	CHECK("uncommitted: waited for", n == 0 && bpfkit_logger__dropped(lg) == dropped);
	usleep(30 * 1000);
	for (int i = 0; i < 4; i++)
		n += bpfkit_logger__drain(lg);
	CHECK("uncommitted: then lost, and the next record arrives",
	      n == 1 && bpfkit_logger__dropped(lg) == dropped + 1);
	/* lapping, exactly: 1000 records into 128 slots leave the last 128 */
	dropped = bpfkit_logger__dropped(lg);
	test_run(fd, pkt, build_pkt(pkt, 0), 1000);
	n = bpfkit_logger__drain(lg);
	CHECK("lapped: the last 128 arrive, 872 counted lost",
	      n == 128 && bpfkit_logger__dropped(lg) - dropped == 872);
	dropped = bpfkit_logger__dropped(lg);
	CHECK("buffer size after load is refused", bpfkit_log__set_buffer_size(o, 8192) == -EBUSY);
	/* a second flood: only the new losses are reported */
	test_run(fd, pkt, build_pkt(pkt, 0), 1000);
	n = bpfkit_logger__drain(lg);
	CHECK("flood again: new losses counted", n + bpfkit_logger__dropped(lg) - dropped == 1000);
out:
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
	if (mem)
		fclose(mem);
	free(buf);
}

/* Writers on two CPUs at once into one ring (log-bench's 64K slots):
 * every writer gets its own slots, so with room for all nothing is lost
 * and every record is intact. */
struct writer {
	int fd, cpu, runs;
	pthread_barrier_t *go;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	unsigned char pkt[128];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		w->runs = -1;
	pthread_barrier_wait(w->go);
	/* single runs: a repeated XDP run spends milliseconds setting up
	 * before its loop, and the two loops might not overlap at all */
	for (int i = 0; i < w->runs && w->runs > 0; i++)
		if (test_run(w->fd, pkt, build_pkt(pkt, 0), 1) != 2)
			w->runs = -1;
	return NULL;
}

static void test_concurrent(void)
{
	struct bpfkit_object *o = open_obj("log-bench");
	struct bpfkit_logger *lg = NULL;
	struct lines l = { 0 };
	pthread_barrier_t go;
	pthread_t t[2];
	struct writer w[2];
	cpu_set_t set;
	int cpus[2], nc = 0, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && nc < 2; c++)
			if (CPU_ISSET(c, &set))
				cpus[nc++] = c;
	if (nc < 2) {
		printf("SKIP: concurrent writers (one CPU)\n");
		bpfkit_object__close(o);
		return;
	}
	if (!o || bpfkit_object__load(o) || !(lg = logger(o, &l))) {
		CHECK("concurrent: load", 0);
		goto out;
	}
	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++) {
		/* bk_info on one CPU, the hand-written slot record (same
		 * call-site id) on the other: 2 x 100000 records */
		w[i] = (struct writer){ prog_fd(o, i ? "slot" : "bkinfo"), cpus[i], 30000, &go };
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	CHECK("concurrent: both writers ran on their CPUs", w[0].runs > 0 && w[1].runs > 0);
	for (int r; (r = bpfkit_logger__drain(lg)) > 0; )
		n += r;
	printf("# concurrent: %d records, %llu dropped, %d bad\n", n,
	       (unsigned long long)bpfkit_logger__dropped(lg), l.bad);
	CHECK("concurrent: 60000 records, none lost, none bad",
	      n == 60000 && bpfkit_logger__dropped(lg) == 0 && l.bad == 0 &&
	      bpfkit_logger__bad_records(lg) == 0);
	CHECK("concurrent: records intact", l.n > 0 && !strcmp(l.msg[0], "a=1 b=0") &&
	      !strcmp(l.msg[l.n - 1], "a=1 b=0"));
out:
	lines_free(&l);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
}

static char warnings[4096];

static int capture(enum bpfkit_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(warnings);

	if (level == BPFKIT_WARN && n < sizeof(warnings) - 1)
		vsnprintf(warnings + n, sizeof(warnings) - n, fmt, ap);
	return 0;
}

static void test_badfmt(void)
{
	struct bpfkit_object *o = open_obj("log-badfmt");
	struct bpfkit_logger *lg = NULL;
	struct lines l = { 0 };
	unsigned char pkt[128];
	bpfkit_print_fn_t old;

	if (!o || bpfkit_object__load(o)) {
		CHECK("badfmt: load", 0);
		goto out;
	}
	old = bpfkit_set_print(capture);
	lg = logger(o, &l);
	bpfkit_set_print(old);
	CHECK("badfmt: logger opens anyway", lg != NULL);
	if (!lg)
		goto out;
	CHECK("badfmt: %s of an int named at open",
	      strstr(warnings, "log-badfmt.bpf.c:17: %s wants a string (char * or char array), argument 1 is a 4-byte integer"));
	CHECK("badfmt: %pI6 of an int named", strstr(warnings, "log-badfmt.bpf.c:18: %pI6 wants a pointer to 16 bytes"));
	CHECK("badfmt: too few named", strstr(warnings, "log-badfmt.bpf.c:19: the format has more conversions than the 1 argument"));
	CHECK("badfmt: too many named", strstr(warnings, "log-badfmt.bpf.c:20: 2 arguments but the format uses 1"));
	CHECK("badfmt: bare %p named", strstr(warnings, "log-badfmt.bpf.c:21: bare %p is not supported"));
	test_run(prog_fd(o, "badfmt"), pkt, build_pkt(pkt, 0), 1);
	bpfkit_logger__drain(lg);
	CHECK("badfmt: 6 records, 5 of them error lines", l.n == 6 && l.bad == 5);
	CHECK("badfmt: the good call still formats", has(&l, "fine: 7"));
	CHECK("badfmt: error lines name the call",
	      l.n > 0 && strstr(l.msg[0], "log call") && strstr(l.msg[0], "log-badfmt.bpf.c:17 can't be formatted"));
out:
	lines_free(&l);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
}

/* An object pinned by bpfkit_object__pin (as `bpfkit load --pin` does), read
 * back through the pins alone: table with function names, records, losses. */
static void test_pinned(void)
{
	struct bpfkit_object *o = open_obj("log-flood");
	struct bpfkit_logger *lg = NULL;
	struct lines l = { 0 };
	unsigned char pkt[128];
	char dir[64];
	int n;

	snprintf(dir, sizeof(dir), "/sys/fs/bpf/bklogtest-%d", (int)getpid());
	if (!o || bpfkit_object__load(o) || bpfkit_object__pin(o, dir)) {
		CHECK("pinned: load and pin", 0);
		bpfkit_object__close(o);
		return;
	}
	lg = bpfkit_logger__open_pinned(dir, &(struct bpfkit_logger_opts){
		.sz = sizeof(struct bpfkit_logger_opts), .fn = collect, .ctx = &l });
	CHECK("pinned: logger opens from the pins", lg && bpfkit_logger__sites(lg) == 1);
	if (lg) {
		test_run(prog_fd(o, "flood"), pkt, build_pkt(pkt, 0), 100);
		n = bpfkit_logger__drain(lg);
		CHECK("pinned: records arrive, named by function", n == 100 && l.n > 0 &&
		      !strcmp(l.func[0], "flood") && !strcmp(l.msg[0], "a=1 b=0"));
		test_run(prog_fd(o, "flood"), pkt, build_pkt(pkt, 0), 1000);
		n = bpfkit_logger__drain(lg);
		CHECK("pinned: losses counted", n + bpfkit_logger__dropped(lg) == 1000);
		CHECK("pinned: losses reported", l.bad == 1 && strstr(l.lastbad, "dropped"));
	}
	bpfkit_logger__free(lg);
	CHECK("pinned: unpin", bpfkit_pin__remove(dir) == 0);
	bpfkit_object__close(o);
	lines_free(&l);
}

/* The ring size is compile time (a mask in every call). */
static void test_bufsize(void)
{
	struct bpfkit_object *o = open_obj("log-flood");
	struct bpfkit_logger *lg = NULL;
	struct lines l = { 0 };
	unsigned char pkt[128];
	int n;

	CHECK("buffer size: not a power of two", o && bpfkit_log__set_buffer_size(o, 3 * 4096) == -EINVAL);
	CHECK("buffer size: below a page", o && bpfkit_log__set_buffer_size(o, 1024) == -EINVAL);
	CHECK("buffer size: 64 KiB is not the compiled size", o && bpfkit_log__set_buffer_size(o, 65536) == -EOPNOTSUPP);
	CHECK("buffer size: the compiled 4 KiB", o && bpfkit_log__set_buffer_size(o, 4096) == 0);
	if (!o || bpfkit_object__load(o) || !(lg = logger(o, &l))) {
		CHECK("buffer size: load", 0);
		goto out;
	}
	CHECK("ring: one shared ring of 128 slots",
	      bpf_map__max_entries(bpf_object__find_map_by_name(bpfkit_object__bpf_object(o), ".data.bklog")) == 1);
	test_run(prog_fd(o, "flood"), pkt, build_pkt(pkt, 0), 100);
	n = bpfkit_logger__drain(lg);
	CHECK("ring: 100 records arrive", n == 100 && bpfkit_logger__dropped(lg) == 0);
out:
	lines_free(&l);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);
}

static void test_nolog(void)
{
	struct bpfkit_object *o = open_obj("log-nolog");
	struct bpfkit_logger *lg;
	unsigned char pkt[128];

	CHECK("nolog: loads without a log map", o && !bpfkit_object__load(o) &&
	      !bpf_object__find_map_by_name(bpfkit_object__bpf_object(o), ".data.bklog"));
	errno = 0;
	lg = logger(o, NULL);
	CHECK("nolog: logger says ENOENT", !lg && errno == ENOENT);
	CHECK("nolog: set_level says ENOENT", bpfkit_log__set_level(o, BPFKIT_LOG_INFO) == -ENOENT);
	CHECK("nolog: set_buffer_size says ENOENT", bpfkit_log__set_buffer_size(o, 8192) == -ENOENT);
	CHECK("nolog: runs", o && test_run(prog_fd(o, "levels"), pkt, build_pkt(pkt, 0), 1) == 2);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);

	o = open_obj("log-nocalls");
	CHECK("nocalls: loads", o && !bpfkit_object__load(o));
	lg = logger(o, NULL);
	CHECK("nocalls: logger with no sites", lg && bpfkit_logger__sites(lg) == 0 &&
	      bpfkit_logger__poll(lg, 10) == 0);
	bpfkit_logger__free(lg);
	bpfkit_object__close(o);

	o = open_obj("log-specs");
	errno = 0;
	CHECK("logger before load is refused", o && !logger(o, NULL) && errno == EINVAL);
	bpfkit_object__close(o);
	errno = 0;
	CHECK("logger of NULL is refused", !bpfkit_logger__new(NULL, NULL) && errno == EINVAL);
	CHECK("bad opts size is refused",
	      !bpfkit_logger__open_pinned("/nonexistent", &(struct bpfkit_logger_opts){ .sz = 1 }) && errno == EINVAL);
	CHECK("missing pin dir: ENOENT", !bpfkit_logger__open_pinned("/nonexistent", NULL) && errno == ENOENT);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("SKIP: %s (needs root: loads BPF programs)\n", __FILE__);
		return 0;
	}
	bpfkit_set_print_level(BPFKIT_WARN);
	test_specs();
	test_levels();
	test_multi();
	test_flood();
	test_concurrent();
	test_badfmt();
	test_pinned();
	test_bufsize();
	test_nolog();
	TEST_EXIT();
}
