/* apps/xdpfw/grace.c — an RCU grace period from user space (grace.h).
 *
 * XDP programs run with bottom halves off, inside RCU read-side sections,
 * so a synchronize_rcu() in the kernel outlasts every run that began
 * before it. Two system calls wait for one:
 * - membarrier(MEMBARRIER_CMD_GLOBAL). Kernels booted with nohz_full, as
 *   packet-processing hosts often are, refuse it.
 * - an update of a map-of-maps slot: the kernel then waits for
 *   synchronize_rcu() before it returns, so that user space knows no
 *   program still uses the old inner map (kernel/bpf/syscall.c,
 *   maybe_wait_bpf_programs). It costs two tiny maps, made at the first
 *   need and kept for the process.
 * Only if both fail (no memory for two maps) is the wait a 20 ms sleep,
 * which nothing guarantees. XDPFW_TEST_NO_MEMBARRIER (tests) skips the
 * first. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "grace.h"

static pthread_mutex_t grace_lock = PTHREAD_MUTEX_INITIALIZER;
static int grace_outer = -1, grace_inner = -1;

/* Replaces slot 0 of the process's map of maps: 0 once the kernel has
 * waited, -errno if the maps cannot be made or updated. */
static int map_in_map_wait(void)
{
	__u32 key = 0;
	int rc = 0;

	pthread_mutex_lock(&grace_lock);
	if (grace_inner < 0)
		grace_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpfw_grace_in", 4, 4, 1, NULL);
	if (grace_inner >= 0 && grace_outer < 0) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .inner_map_fd = grace_inner);

		grace_outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xdpfw_grace", 4, 4, 1, &o);
	}
	if (grace_outer < 0 || bpf_map_update_elem(grace_outer, &key, &grace_inner, BPF_ANY))
		rc = -errno;
	pthread_mutex_unlock(&grace_lock);
	return rc;
}

enum xdpfw_grace_how xdpfw_grace_period(void)
{
	if (!getenv("XDPFW_TEST_NO_MEMBARRIER") && !syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		return XDPFW_GRACE_MEMBARRIER;
	if (!map_in_map_wait())
		return XDPFW_GRACE_MAP_IN_MAP;
	usleep(20000);
	return XDPFW_GRACE_SLEEP;
}
