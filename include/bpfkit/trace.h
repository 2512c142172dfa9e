/* bpfkit/trace.h — tracefs (bpf_printk output) and the event loop that
 * streams a running program's output until a signal arrives. */
#ifndef BPFKIT_TRACE_H
#define BPFKIT_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mounts tracefs at /sys/kernel/tracing if needed; returns the tracefs root
 * ("/sys/kernel/tracing" or the debugfs one) or NULL + errno. */
BPFKIT_API const char *bpfkit_tracefs__ensure(void);

/* tracing_on: 1 on, 0 off (bpf_printk output is dropped), or -errno. */
BPFKIT_API int bpfkit_tracefs__tracing_on(void);
/* Writes tracing_on (a global kernel switch). 0 or -errno. */
BPFKIT_API int bpfkit_tracefs__set_tracing_on(bool on);

/* Opens trace_pipe non-blocking (mounting tracefs if needed); fd or -errno. */
BPFKIT_API int bpfkit_trace_pipe__open(void);

/* The event loop: waits on registered fds and calls their handlers until
 * SIGINT/SIGTERM (or a handler returns < 0, or the timeout passes). */
struct bpfkit_loop;
typedef int (*bpfkit_loop_fn_t)(int fd, void *ctx);

BPFKIT_API struct bpfkit_loop *bpfkit_loop__new(void);
BPFKIT_API int bpfkit_loop__add(struct bpfkit_loop *loop, int fd,
				bpfkit_loop_fn_t fn, void *ctx);
/* Adds the trace_pipe reader: complete lines go to OUT (stdout if NULL). */
BPFKIT_API int bpfkit_loop__add_trace_pipe(struct bpfkit_loop *loop, FILE *out);
/* Runs until SIGINT/SIGTERM, or TIMEOUT_MS (<0: no limit). Returns the signal
 * number that stopped it, 0 on timeout, -errno on error. */
BPFKIT_API int bpfkit_loop__run(struct bpfkit_loop *loop, int timeout_ms);
BPFKIT_API void bpfkit_loop__free(struct bpfkit_loop *loop);

#ifdef __cplusplus
}
#endif
#endif
