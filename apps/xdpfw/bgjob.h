/* apps/xdpfw/bgjob.h — one piece of an apply run on a second thread while
 * the caller does another that touches other memory (bgjob.c says when). */
#ifndef XDPFW_BGJOB_H
#define XDPFW_BGJOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct xdpfw_bgjob {
	pthread_t thread;
	bool started;			/* false: FN ran in the caller, inline */
	void (*fn)(void *arg);
	void *arg;
};

/* Sets of fewer rules apply on one thread unless XDPFW_APPLY_THREADS=2. */
#define XDPFW_BGJOB_MIN_RULES 8192

/* Whether an apply of RULES rules is worth a second thread: by its size
 * (XDPFW_BGJOB_MIN_RULES), or as XDPFW_APPLY_THREADS says (1 or 0: no;
 * 2 or more: yes, any size). */
bool xdpfw_bgjob_worth(size_t rules);

/* Runs FN(ARG) on a new thread if WORTH (xdpfw_bgjob_worth()) (every signal but a fault of its own
 * blocked there: the caller's handlers stay the caller's), or at once in
 * the caller where the process has no second CPU, where
 * XDPFW_APPLY_THREADS is 1 (or 0), or if the thread cannot be made. Either way FN has run, or is running, until xdpfw_bgjob_wait(). */
void xdpfw_bgjob_start(struct xdpfw_bgjob *job, void (*fn)(void *arg), void *arg, bool worth);
/* Waits for FN to return (at once if it ran inline). */
void xdpfw_bgjob_wait(struct xdpfw_bgjob *job);

#endif
