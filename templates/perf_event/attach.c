#include <linux/perf_event.h>
#define ATTACH_USAGE ""

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = 1,	/* once a second */
		.freq = 1,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	(void)obj;
	(void)o;
	for (long cpu = 0; cpu < ncpu && cpu < 256; cpu++) {
		int pfd = syscall(SYS_perf_event_open, &attr, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);

		if (pfd < 0)
			return -errno;
		err = keep_link(a, bpf_program__attach_perf_event(prog, pfd));
		if (err) {
			close(pfd);
			return err;
		}
		/* the link owns pfd now */
	}
	return 0;
}
