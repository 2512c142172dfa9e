/* apps/xdpfw/httpdeadline.c — an absolute time limit per request for the
 * metrics exporter's HTTP server. libmicrohttpd's connection timeout counts
 * idle time only, so clients that send a byte every few seconds and never
 * finish a request (slowloris) could hold every one of its connections and
 * shut Prometheus out. Each connection is noted when it opens, its clock
 * restarted when a request on it completes soon enough (keep-alive: within
 * 12 s of the last, which the idle timeout alone allows), and a
 * socket whose clock has run past the limit is shut down, which makes the
 * server close it. A client that trickles requests and finishes one every
 * 19 s so keeps no connection for longer than the limit either. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "cli.h"
#include "httpdeadline.h"

/* The limit, and the longest cycle (open or last request to this
 * request's end) that restarts the clock: by default the server's idle
 * timeout (10 s) plus time for one request, as a longer cycle had bytes
 * trickling in to keep the connection from going idle. */
static double limit_s = HTTP_DEADLINE_DEFAULT_S, fast_cycle_s = 12;

struct tracked {
	MHD_socket fd;
	double since;		/* connection opened, or its last request ended */
	struct tracked *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tracked open_conns = { .prev = &open_conns, .next = &open_conns };

void http_deadline_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct tracked *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		t = ci ? calloc(1, sizeof(*t)) : NULL;
		if (!t)
			return;	/* untracked: only the idle timeout applies */
		t->fd = ci->connect_fd;
		t->since = xdpfw_now_s();
		pthread_mutex_lock(&lock);
		t->next = open_conns.next;
		t->prev = &open_conns;
		t->next->prev = t;
		open_conns.next = t;
		pthread_mutex_unlock(&lock);
		*socket_context = t;
	} else if (t) {
		/* before the server closes the socket: a sweep holding the lock
		 * never shuts down a descriptor that was closed and reused */
		pthread_mutex_lock(&lock);
		t->prev->next = t->next;
		t->next->prev = t->prev;
		pthread_mutex_unlock(&lock);
		free(t);
		*socket_context = NULL;
	}
}

void http_deadline_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			     enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct tracked *t = ci ? ci->socket_context : NULL;

	(void)cls;
	(void)req_cls;
	(void)toe;
	if (!t)
		return;
	pthread_mutex_lock(&lock);
	if (xdpfw_now_s() - t->since <= fast_cycle_s)
		t->since = xdpfw_now_s();	/* the next request on it starts afresh */
	pthread_mutex_unlock(&lock);
}

void http_deadline_set(double limit, double fast_cycle)
{
	limit_s = limit;
	fast_cycle_s = fast_cycle;
}

int http_deadline_sweep(void)
{
	double now = xdpfw_now_s();
	int n = 0;

	pthread_mutex_lock(&lock);
	for (struct tracked *t = open_conns.next; t != &open_conns; t = t->next)
		if (now - t->since > limit_s && !shutdown(t->fd, SHUT_RDWR))
			n++;
	pthread_mutex_unlock(&lock);
	return n;
}
