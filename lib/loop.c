/* lib/loop.c — the event loop behind `bpfkit run` and the example loaders:
 * epoll over the program's output sources plus a signalfd, so SIGINT/SIGTERM
 * end the loop cleanly and the caller detaches. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <bpfkit/trace.h>
#include "internal.h"

struct source {
	int fd;
	bpfkit_loop_fn_t fn;
	void *ctx;
	int owned;		/* closed by bpfkit_loop__free */
};

struct trace_reader {
	FILE *out;
	size_t len;
	char buf[8192];
};

struct bpfkit_loop {
	int epfd;
	int sigfd;
	sigset_t old_mask;
	struct source *src;
	int n_src;
	struct trace_reader *trace;
};

struct bpfkit_loop *bpfkit_loop__new(void)
{
	struct bpfkit_loop *loop = calloc(1, sizeof(*loop));
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	if (!loop)
		return NULL;
	/* Block the signals so they are read from the signalfd instead of
	 * killing us between attach and detach. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &loop->old_mask);
	loop->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->sigfd < 0 || loop->epfd < 0)
		goto err;
	ev.data.u32 = UINT32_MAX;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->sigfd, &ev))
		goto err;
	return loop;
err:
	bpfkit_loop__free(loop);
	return NULL;
}

static int loop_add(struct bpfkit_loop *loop, int fd, bpfkit_loop_fn_t fn, void *ctx, int owned)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = loop->n_src };
	struct source *s = realloc(loop->src, (loop->n_src + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	loop->src = s;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	loop->src[loop->n_src++] = (struct source){ fd, fn, ctx, owned };
	return 0;
}

int bpfkit_loop__add(struct bpfkit_loop *loop, int fd, bpfkit_loop_fn_t fn, void *ctx)
{
	return loop_add(loop, fd, fn, ctx, 0);
}

static int trace_read(int fd, void *ctx)
{
	struct trace_reader *r = ctx;

	for (;;) {
		ssize_t n = read(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		char *start, *nl;

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return 0;
		r->len += n;
		r->buf[r->len] = '\0';
		start = r->buf;
		while ((nl = strchr(start, '\n'))) {
			fwrite(start, 1, nl - start + 1, r->out);
			start = nl + 1;
		}
		r->len -= start - r->buf;
		memmove(r->buf, start, r->len);
		if (r->len == sizeof(r->buf) - 1) {	/* a line longer than the buffer */
			fwrite(r->buf, 1, r->len, r->out);
			fputc('\n', r->out);
			r->len = 0;
		}
		fflush(r->out);
	}
}

int bpfkit_loop__add_trace_pipe(struct bpfkit_loop *loop, FILE *out)
{
	int fd, err;

	if (loop->trace)
		return -EEXIST;
	if (!bpfkit_tracefs__ensure())
		return -errno;
	/* said first: it holds whether or not another reader has the pipe */
	if (bpfkit_tracefs__tracing_on() == 0)
		pr_warn("tracefs: tracing is off (tracing_on is 0): bpf_printk output is dropped, nothing will show; "
			"`bpfkit trace --enable` turns it on\n");
	fd = bpfkit_trace_pipe__open();
	if (fd < 0)
		return fd;
	/* Lines already waiting were printed before we started: not ours. */
	for (char junk[4096]; read(fd, junk, sizeof(junk)) > 0;)
		;
	loop->trace = calloc(1, sizeof(*loop->trace));
	if (!loop->trace) {
		close(fd);
		return -ENOMEM;
	}
	loop->trace->out = out ?: stdout;
	err = loop_add(loop, fd, trace_read, loop->trace, 1);
	if (err)
		close(fd);
	return err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int bpfkit_loop__run(struct bpfkit_loop *loop, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;

	for (;;) {
		struct epoll_event evs[16];
		int wait = -1, n;

		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return 0;
			wait = left > 1000 ? 1000 : (int)left;
		}
		n = epoll_wait(loop->epfd, evs, 16, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			uint32_t id = evs[i].data.u32;

			if (id == UINT32_MAX) {
				struct signalfd_siginfo si;

				if (read(loop->sigfd, &si, sizeof(si)) == sizeof(si))
					return (int)si.ssi_signo;
				continue;
			}
			int err = loop->src[id].fn(loop->src[id].fd, loop->src[id].ctx);
			if (err < 0)
				return err;
		}
	}
}

void bpfkit_loop__free(struct bpfkit_loop *loop)
{
	if (!loop)
		return;
	for (int i = 0; i < loop->n_src; i++)
		if (loop->src[i].owned)
			close(loop->src[i].fd);
	if (loop->trace && loop->trace->len) {	/* flush a last partial line */
		fwrite(loop->trace->buf, 1, loop->trace->len, loop->trace->out);
		fputc('\n', loop->trace->out);
	}
	free(loop->trace);
	free(loop->src);
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	sigprocmask(SIG_SETMASK, &loop->old_mask, NULL);
	free(loop);
}
