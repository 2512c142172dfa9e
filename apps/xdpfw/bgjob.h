/* apps/xdpfw/bgjob.h — one piece of an apply run on a second thread while
 * the caller does another that touches other memory (bgjob.c says when). */
#ifndef XDPFW_BGJOB_H
#define XDPFW_BGJOB_H

#include <pthread.h>
#include <stdbool.h>

struct xdpfw_bgjob {
	pthread_t thread;
	bool started;			/* false: FN ran in the caller, inline */
	void (*fn)(void *arg);
	void *arg;
};

/* Runs FN(ARG) on a new thread (every signal but a fault of its own
 * blocked there: the caller's handlers stay the caller's), or at once in
 * the caller where the process has no second CPU, where
 * XDPFW_APPLY_THREADS is 1 (or 0), or if the thread cannot be made. Either way FN has run, or is running, until xdpfw_bgjob_wait(). */
void xdpfw_bgjob_start(struct xdpfw_bgjob *job, void (*fn)(void *arg), void *arg);
/* Waits for FN to return (at once if it ran inline). */
void xdpfw_bgjob_wait(struct xdpfw_bgjob *job);

#endif
