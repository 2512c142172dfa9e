/* bench/log_bench.c — measurements behind bench/log.sh (built and run by it;
 * needs root). Prints "key value" lines:
 *   - ns per BPF_PROG_TEST_RUN run of empty / raw / bkinfo / slot / printk
 *     (tests/data/log/log-bench.bpf.c), best of several rounds;
 *   - the same for the 8-call programs run on two CPUs at once (contention:
 *     the shared ring's head vs the ring buffer's spinlock);
 *   - xlated instruction counts of the same programs;
 *   - user-space formatting: records/s of the formatter alone, of the whole
 *     logger (shared ring drain + format + write to /dev/null), and of the
 *     anchor: snprintf + fputs of the same line;
 *   - a sustained run: records produced at a paced ~1M/s for SECONDS seconds
 *     while the logger drains; produced = received + dropped must hold. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "log_format.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char pkt[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };

/* ns per run of the program (kernel-timed by BPF_PROG_TEST_RUN). */
static double run_ns(int fd, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	return o.duration;	/* average ns per repeat */
}

static unsigned xlated(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.xlated_prog_len / 8;
}

static int fd_of(struct bpfkit_object *o, const char *name)
{
	return bpf_program__fd(bpfkit_object__find_program(o, name));
}

struct sustain {
	int fd;
	double seconds;
	atomic_int done;
	unsigned long long produced;
};

/* Paced producer: 1000 single runs every millisecond. Single runs, because
 * BPF_PROG_TEST_RUN of XDP with repeat > 1 costs ~20 ms of setup per call
 * (it switches the XDP dispatcher), which would make the rate bursty. */
static void *producer(void *arg)
{
	struct sustain *s = arg;
	double start = now(), next = start;

	while (now() - start < s->seconds) {
		for (int i = 0; i < 1000; i++)
			if (run_ns(s->fd, 1) >= 0)
				s->produced++;
		next += 0.001;
		while (now() < next)
			;
	}
	atomic_store(&s->done, 1);
	return NULL;
}

/* Two threads, pinned to two CPUs, run FD at once: the mean ns per run. */
struct pair_arg {
	int fd, cpu, repeat;
	pthread_barrier_t *go;
	double ns;
};

static void *pair_main(void *arg)
{
	struct pair_arg *a = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	a->ns = sched_setaffinity(0, sizeof(set), &set) ? -1 : 0;
	pthread_barrier_wait(a->go);
	if (a->ns == 0)
		a->ns = run_ns(a->fd, a->repeat);
	return NULL;
}

static double run_pair_ns(int fd, int repeat, const int cpus[2])
{
	pthread_barrier_t go;
	struct pair_arg a[2];
	pthread_t t[2];

	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++) {
		a[i] = (struct pair_arg){ fd, cpus[i], repeat, &go, -1 };
		pthread_create(&t[i], NULL, pair_main, &a[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	return a[0].ns < 0 || a[1].ns < 0 ? -1 : (a[0].ns + a[1].ns) / 2;
}

static int discard(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj_path = argc > 1 ? argv[1] : "build/bpf/log/log-bench.bpf.o";
	double seconds = argc > 2 ? atof(argv[2]) : 10;
	const char *sustain_path = argc > 3 ? argv[3] : obj_path;
	const char *progs[] = { "empty", "raw", "bkinfo", "slot", "printk",
				"raw8", "bkinfo8", "slot8", "printk8" };
	struct ring_buffer *rb;
	struct bpfkit_object *o;
	struct bpfkit_logger *lg;
	FILE *devnull = fopen("/dev/null", "w");
	int rounds = 5;

	bpfkit_set_print_level(BPFKIT_WARN);
	unsetenv("BPFKIT_LOG");
	o = bpfkit_object__open_file(obj_path, NULL);
	if (!o || bpfkit_object__load(o) || !devnull)
		return 1;
	lg = bpfkit_logger__new(o, &(struct bpfkit_logger_opts){ .sz = sizeof(struct bpfkit_logger_opts), .out = devnull });
	if (!lg)
		return 1;
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(bpfkit_object__bpf_object(o), "bench_rb")),
			      discard, NULL, NULL);
	if (!rb)
		return 1;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int fd = fd_of(o, progs[i]);
		/* bpf_printk goes to the global trace buffer: keep it short.
		 * Records must all fit (a 16 MiB ring buffer, a 64K-slot
		 * shared ring; 8 x 8000 records): a full ring buffer would time
		 * the cheap reservation-failure path. */
		int repeat = !strncmp(progs[i], "printk", 6) ? 2000 : 8000;
		double best = 1e18;

		for (int r = 0; r < rounds; r++) {
			double ns = run_ns(fd, repeat);

			if (ns >= 0 && ns < best)
				best = ns;
			bpfkit_logger__drain(lg);	/* keep the rings empty */
			ring_buffer__consume(rb);
		}
		printf("run_ns_%s %.2f\n", progs[i], best);
		printf("xlated_%s %u\n", progs[i], xlated(fd));
	}
	printf("dropped_during_timing %llu\n", (unsigned long long)bpfkit_logger__dropped(lg));

	/* Contention: the 8-call programs on two CPUs at once, 4000 runs
	 * each (2 x 32000 records: they fit both rings). */
	{
		const char *cp[] = { "raw8", "bkinfo8", "slot8" };
		cpu_set_t set;
		int cpus[2], nc = 0;

		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			for (int c = 0; c < CPU_SETSIZE && nc < 2; c++)
				if (CPU_ISSET(c, &set))
					cpus[nc++] = c;
		for (size_t i = 0; nc == 2 && i < sizeof(cp) / sizeof(cp[0]); i++) {
			double best = 1e18;

			for (int r = 0; r < rounds; r++) {
				double ns = run_pair_ns(fd_of(o, cp[i]), 4000, cpus);

				if (ns >= 0 && ns < best)
					best = ns;
				bpfkit_logger__drain(lg);
				ring_buffer__consume(rb);
			}
			printf("pair_ns_%s %.2f\n", cp[i], best);
		}
		/* the empty program on two CPUs, the same way */
		if (nc == 2) {
			double best = 1e18;

			for (int r = 0; r < rounds; r++) {
				double ns = run_pair_ns(fd_of(o, "empty"), 4000, cpus);

				if (ns >= 0 && ns < best)
					best = ns;
			}
			printf("pair_ns_empty %.2f\n", best);
		}
	}

	/* the whole logger: 10 times 60000 records in the ring (64K slots
	 * hold them), each followed by a timed drain */
	{
		unsigned long long before = bpfkit_logger__records(lg);
		uint64_t lost0 = bpfkit_logger__dropped(lg);
		double t = 0, t0;
		int fd = fd_of(o, "bkinfo");

		for (int i = 0; i < 10; i++) {
			run_ns(fd, 60000);
			t0 = now();
			bpfkit_logger__drain(lg);
			t += now() - t0;
		}
		printf("logger_records_per_s %.0f\n", (bpfkit_logger__records(lg) - before) / t);
		printf("logger_records_drained %llu\n", bpfkit_logger__records(lg) - before);
		printf("logger_records_lost %llu\n", (unsigned long long)(bpfkit_logger__dropped(lg) - lost0));
	}

	/* the formatter alone, and the anchor: snprintf + fputs of the same line */
	{
		struct bpf_map *m = bpf_object__find_map_by_name(bpfkit_object__bpf_object(o), ".rodata.bklog");
		size_t sz;
		const void *tab = bpf_map__initial_value(m, &sz);
		struct log_table t;
		uint32_t rec[3] = { 0, 7, 3 };
		char buf[1024];
		int n = 2000000;
		double t0;

		bpfkit_set_print(NULL);
		if (!tab || log_table__parse(&t, tab, sz))
			return 1;
		t0 = now();
		for (int i = 0; i < n; i++) {
			rec[1] = i;
			log_record__format(&t, rec, sizeof(rec), buf, sizeof(buf), NULL);
		}
		printf("format_records_per_s %.0f\n", n / (now() - t0));
		t0 = now();
		for (int i = 0; i < n; i++) {
			snprintf(buf, sizeof(buf), "%s.%06d %-5s %s: a=%u b=%u\n", "12:00:00", i % 1000000, "INFO", "bkinfo", i, 3u);
			fputs(buf, devnull);
		}
		printf("anchor_snprintf_per_s %.0f\n", n / (now() - t0));
		log_table__free(&t);
	}

	/* sustained: ~1M records/s for SECONDS while the logger drains, with
	 * the default ring size (another object) */
	bpfkit_logger__free(lg);
	ring_buffer__free(rb);
	bpfkit_object__close(o);
	o = bpfkit_object__open_file(sustain_path, NULL);
	if (!o || bpfkit_object__load(o))
		return 1;
	lg = bpfkit_logger__new(o, &(struct bpfkit_logger_opts){ .sz = sizeof(struct bpfkit_logger_opts), .out = devnull });
	rb = NULL;
	if (!lg)
		return 1;
	{
		struct sustain s = { .fd = fd_of(o, "bkinfo"), .seconds = seconds };
		unsigned long long r0 = bpfkit_logger__records(lg), d0 = bpfkit_logger__dropped(lg);
		pthread_t th;
		double t0 = now();

		pthread_create(&th, NULL, producer, &s);
		while (!atomic_load(&s.done))
			bpfkit_logger__poll(lg, 10);
		pthread_join(th, NULL);
		bpfkit_logger__drain(lg);
		printf("sustain_seconds %.2f\n", now() - t0);
		printf("sustain_ring_slots %u\n", (bpf_map__value_size(bpf_object__find_map_by_name(
			bpfkit_object__bpf_object(o), ".data.bklog")) - BK_LOG_RING_HDR) / BK_LOG_SLOT -
			BK_LOG_TAIL_SLOTS);
		printf("sustain_produced %llu\n", s.produced);
		printf("sustain_received %llu\n", bpfkit_logger__records(lg) - r0);
		printf("sustain_dropped %llu\n", (unsigned long long)(bpfkit_logger__dropped(lg) - d0));
	}
	bpfkit_logger__free(lg);
	ring_buffer__free(rb);
	bpfkit_object__close(o);
	fclose(devnull);
	return 0;
}
