/* apps/xdpfw/grace.h — waiting out the XDP programs that may still read
 * what an apply is about to clear (an RCU grace period), from user space. */
#ifndef XDPFW_GRACE_H
#define XDPFW_GRACE_H

enum xdpfw_grace_how {
	XDPFW_GRACE_MEMBARRIER = 1,	/* membarrier(MEMBARRIER_CMD_GLOBAL) */
	XDPFW_GRACE_MAP_IN_MAP,		/* a map-of-maps update */
	XDPFW_GRACE_SLEEP,		/* neither: a 20 ms sleep, a guess */
};

/* Returns once every XDP program run that began before the call has
 * ended; says how it waited. */
enum xdpfw_grace_how xdpfw_grace_period(void);
#endif
