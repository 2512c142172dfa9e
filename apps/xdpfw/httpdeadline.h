/* apps/xdpfw/httpdeadline.h — an absolute time limit per HTTP request for
 * the metrics exporter (httpdeadline.c). */
#ifndef XDPFW_HTTPDEADLINE_H
#define XDPFW_HTTPDEADLINE_H

#include <microhttpd.h>

#define HTTP_DEADLINE_DEFAULT_S 20	/* the limit unless http_deadline_set() */

/* MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_NOTIFY_COMPLETED callbacks */
void http_deadline_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe);
void http_deadline_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			     enum MHD_RequestTerminationCode toe);
/* The limit (default 20 s) and the longest request cycle that restarts a
 * connection's clock (default 12 s); set before the server starts. */
void http_deadline_set(double limit_s, double fast_cycle_s);
/* Shuts down every connection whose clock has run past the limit (the
 * server then closes it); how many. Call about every second. */
int http_deadline_sweep(void);

#endif
