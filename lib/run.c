/* lib/run.c — a loader's whole job in one call: attach, stream output until
 * a signal, detach. Used by `bpfkit run` and by every example loader. Output
 * is bpf_printk's trace_pipe lines and, for objects that log with
 * bpf/include/bpfkit/log.h, their log records (lib/logger.c). */
#include <errno.h>
#include <stdio.h>
#include <bpfkit/object.h>
#include <bpfkit/logger.h>
#include <bpfkit/trace.h>
#include "internal.h"

int bpfkit_object__run(struct bpfkit_object *obj, const struct bpfkit_run_opts *opts)
{
	const struct bpfkit_attach_opts *ao = OPTS_GET(opts, attach, NULL);
	int timeout = OPTS_GET(opts, timeout_ms, -1);
	FILE *out = OPTS_GET(opts, out, NULL) ?: stdout;
	struct bpfkit_logger *logger = NULL;
	struct bpfkit_loop *loop;
	int ret;

	if (!OPTS_VALID(opts, bpfkit_run_opts))
		return -EINVAL;
	if (timeout <= 0 || OPTS_GET(opts, no_timeout, false))
		timeout = -1;
	/* The loop blocks SIGINT/SIGTERM first, so we always get to detach. */
	loop = bpfkit_loop__new();
	if (!loop)
		return -ENOMEM;
	/* trace_pipe first: it drops stale lines, which must not be ours */
	ret = bpfkit_loop__add_trace_pipe(loop, out);
	if (ret == -EBUSY) {
		/* someone else reads trace_pipe: log records still work */
		pr_warn("bpf_printk output will not be shown here; bpfkit log records will\n");
	} else if (ret) {
		goto out;
	}
	ret = bpfkit_object__attach(obj, ao);
	if (ret)
		goto out;
	/* ENOENT: the object does not use bpfkit logging (bpf/include/bpfkit/log.h) */
	logger = bpfkit_logger__new(obj, &(struct bpfkit_logger_opts){
		.sz = sizeof(struct bpfkit_logger_opts), .out = out });
	if (!logger && errno != ENOENT) {
		ret = -errno;
		goto out_detach;
	}
	if (logger && (ret = bpfkit_logger__add_to_loop(logger, loop)))
		goto out_detach;
	pr_info("running; output follows (Ctrl-C to stop)\n");
	ret = bpfkit_loop__run(loop, timeout);
	if (ret >= 0)
		pr_info("%s, detaching\n", ret ? "signal received" : "time is up");
out_detach:
	bpfkit_object__detach(obj);
	if (logger) {	/* records that arrived before the detach */
		bpfkit_logger__drain(logger);
		bpfkit_logger__free(logger);
	}
out:
	bpfkit_loop__free(loop);
	return ret;
}
