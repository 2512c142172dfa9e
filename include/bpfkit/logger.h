/* bpfkit/logger.h — read the records BPF programs write with bk_info() & co.
 * (bpf/include/bpfkit/log.h), format them in user space and route them to a
 * stream or a callback.
 *
 *   struct bpfkit_logger *lg = bpfkit_logger__new(obj, NULL);   // after load
 *   while (running) bpfkit_logger__poll(lg, 100);               // or add to a loop
 *   bpfkit_logger__free(lg);
 *
 * Output lines: "HH:MM:SS.uuuuuu LEVEL prog: message". BPFKIT_LOG=error|warn|
 * info|debug|trace|off sets the level, like RUST_LOG: in the kernel (applied
 * at load, so disabled calls cost nothing) and in the logger's filter. */
#ifndef BPFKIT_LOGGER_H
#define BPFKIT_LOGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_object;
struct bpfkit_loop;
struct bpfkit_logger;

enum bpfkit_log_level {
	BPFKIT_LOG_OFF = 0,
	BPFKIT_LOG_ERROR = 1,
	BPFKIT_LOG_WARN = 2,
	BPFKIT_LOG_INFO = 3,
	BPFKIT_LOG_DEBUG = 4,
	BPFKIT_LOG_TRACE = 5,
};

struct bpfkit_log_record {
	enum bpfkit_log_level level;
	const char *func;	/* the function the call is in ("?" if unknown) */
	const char *file;	/* the call's source file and line */
	unsigned int line;
	const char *msg;	/* formatted; or the reason the record is bad */
	bool bad;		/* malformed record / unknown call site / loss report */
	uint64_t time_ns;	/* CLOCK_REALTIME when it was read */
};

/* Return < 0 to stop the loop the logger is in. */
typedef int (*bpfkit_log_fn_t)(const struct bpfkit_log_record *rec, void *ctx);

struct bpfkit_logger_opts {
	size_t sz;
	FILE *out;		/* where lines go (default stdout); ignored with fn */
	bpfkit_log_fn_t fn;	/* or: a callback per record */
	void *ctx;
	int level;		/* filter; 0: BPFKIT_LOG, else the object's level */
};
#define bpfkit_logger_opts__last_field level

/* A logger for a loaded object: finds its shared log ring (".data.bklog") and its
 * call-site table. NULL + errno ENOENT if the object does not log (no
 * bk_* calls / no log.h): not an error for callers that just try. */
BPFKIT_API struct bpfkit_logger *
bpfkit_logger__new(struct bpfkit_object *obj, const struct bpfkit_logger_opts *opts);

/* A logger for an object another process pinned with bpfkit_object__pin()
 * (`bpfkit load --pin DIR`): DIR/maps/_data_bklog and DIR/maps/_rodata_bklog. */
BPFKIT_API struct bpfkit_logger *
bpfkit_logger__open_pinned(const char *dir, const struct bpfkit_logger_opts *opts);

/* A logger for a loaded program whoever loaded it (bpfkit, iproute2,
 * bpftool): its object's log ring and call-site table are found among the
 * program's maps. NULL + errno (ENOENT: the program does not log). */
BPFKIT_API struct bpfkit_logger *
bpfkit_logger__open_prog(int prog_fd, const struct bpfkit_logger_opts *opts);

/* A timerfd that becomes readable every 5 ms: the rings are plain memory
 * with nothing to wait on, so an event loop polls them on this tick (read
 * the fd, then bpfkit_logger__drain). */
BPFKIT_API int bpfkit_logger__fd(const struct bpfkit_logger *lg);
/* Handles waiting records; if there are none, checks again every 5 ms for
 * up to TIMEOUT_MS. Records handled or -errno. */
BPFKIT_API int bpfkit_logger__poll(struct bpfkit_logger *lg, int timeout_ms);
/* Handles every waiting record and reports new losses; records or -errno. */
BPFKIT_API int bpfkit_logger__drain(struct bpfkit_logger *lg);
/* Registers the logger with an event loop (bpfkit/trace.h). */
BPFKIT_API int bpfkit_logger__add_to_loop(struct bpfkit_logger *lg, struct bpfkit_loop *loop);

/* Records overwritten in a full ring before this logger read them (exact:
 * each CPU's head counts records as well as bytes). */
BPFKIT_API uint64_t bpfkit_logger__dropped(struct bpfkit_logger *lg);
/* Records handled, and how many of them were bad. */
BPFKIT_API uint64_t bpfkit_logger__records(const struct bpfkit_logger *lg);
BPFKIT_API uint64_t bpfkit_logger__bad_records(const struct bpfkit_logger *lg);
/* Number of log calls in the call-site table. */
BPFKIT_API int bpfkit_logger__sites(const struct bpfkit_logger *lg);

BPFKIT_API void bpfkit_logger__free(struct bpfkit_logger *lg);

/* One log call of an object, as its call-site table describes it. */
struct bpfkit_log_site {
	unsigned int id;
	enum bpfkit_log_level level;
	const char *func;	/* "" if unknown */
	const char *file;
	unsigned int line;
	const char *fmt;
	int nargs;
	unsigned int rec_size;	/* bytes one call writes (rounded up to 8 in the ring) */
	const char *error;	/* why the format does not fit its arguments, or NULL */
};
typedef int (*bpfkit_log_site_fn_t)(const struct bpfkit_log_site *site, void *ctx);

/* Calls FN for every log call of an opened (loaded or not) object, in id
 * order, until FN returns non-zero. Returns the number of sites, or -ENOENT
 * if the object does not log. */
BPFKIT_API int bpfkit_log__foreach_site(struct bpfkit_object *obj, bpfkit_log_site_fn_t fn, void *ctx);

/* Sets the level of the object's bk_* calls (before load; the verifier then
 * removes the disabled ones). BPFKIT_LOG, when set, wins at load. 0 or
 * -ENOENT if the object does not log, -EBUSY after load. */
BPFKIT_API int bpfkit_log__set_level(struct bpfkit_object *obj, enum bpfkit_log_level level);
/* The log ring's size is compile time (BK_LOG_RING_SLOTS 32-byte slots: it
 * is a mask in every call's code). Kept for callers of the ring-buffer era:
 * 0 if BYTES is that size, -EOPNOTSUPP (and a message) if not, -EINVAL if
 * BYTES is not a power-of-two multiple of the page size, -ENOENT if the
 * object does not log, -EBUSY after load. */
BPFKIT_API int bpfkit_log__set_buffer_size(struct bpfkit_object *obj, size_t bytes);
/* "error".."trace", "off", "warning" or 0-5 -> level; -1 if none of these. */
BPFKIT_API int bpfkit_log_level__parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
