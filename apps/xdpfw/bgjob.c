/* apps/xdpfw/bgjob.c — a second thread for an apply's independent work.
 *
 * Why: a first apply of a large set spends much of its time writing memory
 * for the first time (the rule definitions and the tables in the maps,
 * written by user space through mmap), and some of that work does not
 * depend on the rest: the definitions can be written while the rules
 * compile, and the IPv4 trie while the IPv6 tables are written. On a
 * machine with a CPU to spare the two run side by side, for about as much
 * CPU time. XDPFW_APPLY_THREADS=1 (or 0) keeps an apply on one thread (a
 * box whose other CPUs must go to packets), 2 uses two for any set (tests). */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bgjob.h"

/* XDPFW_APPLY_THREADS: -1 unset (by size), else its number */
static int threads_env(void)
{
	const char *env = getenv("XDPFW_APPLY_THREADS");

	return env && *env ? atoi(env) : -1;
}

bool xdpfw_bgjob_worth(size_t rules)
{
	int env = threads_env();

	/* below that a thread costs more than it saves (a 60-rule apply
	 * 2.7 -> 3.7 ms; 2k rules even; 10k 20 -> 17) */
	return env < 0 ? rules >= XDPFW_BGJOB_MIN_RULES : env >= 2;
}

static bool second_thread_wanted(void)
{
	int env = threads_env();
	cpu_set_t cpus;

	if (env == 0 || env == 1)
		return false;
	/* the CPUs this process may run on (taskset, cpusets), not the machine's */
	if (sched_getaffinity(0, sizeof(cpus), &cpus))
		return sysconf(_SC_NPROCESSORS_ONLN) > 1;
	return CPU_COUNT(&cpus) > 1;
}

static void *bgjob_main(void *arg)
{
	struct xdpfw_bgjob *job = arg;

	job->fn(job->arg);
	return NULL;
}

void xdpfw_bgjob_start(struct xdpfw_bgjob *job, void (*fn)(void *arg), void *arg, bool worth)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT };
	sigset_t all, old;

	job->fn = fn;
	job->arg = arg;
	job->started = false;
	if (worth && second_thread_wanted()) {
		/* the new thread inherits the mask: no signal meant for the
		 * process lands there; a fault of its own still stops it
		 * (blocked, the kernel would kill the process unreported) */
		sigfillset(&all);
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
			sigdelset(&all, faults[i]);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		job->started = pthread_create(&job->thread, NULL, bgjob_main, job) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (!job->started)
		fn(arg);
}

void xdpfw_bgjob_wait(struct xdpfw_bgjob *job)
{
	if (job->started)
		pthread_join(job->thread, NULL);
	job->started = false;
}
