/* lib/print.c — the print callback, and the bridge that routes libbpf's own
 * messages through it (and captures the verifier log libbpf prints on a
 * failed load). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "internal.h"

static enum bpfkit_print_level default_max = BPFKIT_INFO;

static int default_print(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	if (level > default_max)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bpfkit_print_fn_t print_fn = default_print;

void bpfkit_set_print_level(enum bpfkit_print_level max_level)
{
	default_max = max_level;
}

bpfkit_print_fn_t bpfkit_set_print(bpfkit_print_fn_t fn)
{
	bpfkit_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

void bpfkit_pr(enum bpfkit_print_level level, const char *fmt, ...)
{
	va_list args;
	int saved = errno;

	if (!print_fn)
		return;
	va_start(args, fmt);
	print_fn(level, fmt, args);
	va_end(args);
	errno = saved;
}

/* While a load runs, libbpf's "-- BEGIN PROG LOAD LOG --" message is kept
 * instead of printed: bpfkit shows its own summary, and the whole log on -v. */
static int capturing;
static char *captured_log;
static char *captured_prog;

static const char log_begin[] = "-- BEGIN PROG LOAD LOG --\n";
static const char log_end[] = "-- END PROG LOAD LOG --";

static int capture(const char *msg)
{
	const char *begin = strstr(msg, log_begin), *end, *q1, *q2;

	if (!begin)
		return 0;
	end = strstr(begin, log_end);
	if (!end)
		end = begin + strlen(begin);
	free(captured_log);
	free(captured_prog);
	captured_log = strndup(begin + strlen(log_begin), end - begin - strlen(log_begin));
	captured_prog = NULL;
	/* "prog 'NAME': -- BEGIN ..." */
	q1 = strstr(msg, "prog '");
	if (q1 && q1 < begin) {
		q1 += 6;
		q2 = strchr(q1, '\'');
		if (q2 && q2 < begin)
			captured_prog = strndup(q1, q2 - q1);
	}
	return 1;
}

/* libbpf's first warning since libbpf_warn_reset(): the reason behind an
 * error code like "Unknown error 4001" (bpfkit shows it without -v). */
static __thread char first_warn[256];

static __thread char last_msg[256];	/* of any level: where libbpf stopped */

static void keep_msg(char *buf, size_t sz, const char *msg)
{
	size_t n;

	if (!strncmp(msg, "libbpf: ", 8))
		msg += 8;
	n = strnlen(msg, sz - 1);
	memcpy(buf, msg, n);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '.' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

void libbpf_warn_reset(void)
{
	first_warn[0] = last_msg[0] = '\0';
}

const char *libbpf_first_warn(void)
{
	return first_warn[0] ? first_warn : NULL;
}

const char *libbpf_last_msg(void)
{
	return last_msg[0] ? last_msg : NULL;
}

static int libbpf_bridge(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* all of libbpf's messages are debug detail to bpfkit (its first
	 * warning is kept for the error message) */
	char buf[512], *msg = buf;
	va_list copy;
	int n;

	va_copy(copy, args);
	n = vsnprintf(buf, sizeof(buf), fmt, copy);
	va_end(copy);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(buf)) {
		msg = malloc(n + 1);
		if (!msg)
			return 0;
		vsnprintf(msg, n + 1, fmt, args);
	}
	if (!(capturing && capture(msg))) {
		if (level == LIBBPF_WARN && !first_warn[0] && !strstr(msg, log_begin))
			keep_msg(first_warn, sizeof(first_warn), msg);
		if (!strstr(msg, log_begin))
			keep_msg(last_msg, sizeof(last_msg), msg);
		bpfkit_pr(BPFKIT_DEBUG, "%s", msg);	/* libbpf prefixes "libbpf: " */
	}
	if (msg != buf)
		free(msg);
	return 0;
}

__attribute__((constructor)) static void print_init(void)
{
	libbpf_set_print(libbpf_bridge);
}

void verifier_capture_begin(void)
{
	free(captured_log);
	free(captured_prog);
	captured_log = captured_prog = NULL;
	capturing = 1;
}

char *verifier_capture_end(char **prog_name)
{
	char *log = captured_log;

	capturing = 0;
	if (prog_name)
		*prog_name = captured_prog;
	else
		free(captured_prog);
	captured_log = captured_prog = NULL;
	return log;
}

int opts_valid(const void *opts, size_t user_sz, size_t known_sz, const char *type)
{
	const char *p = opts;

	if (!opts)
		return 1;
	if (user_sz < sizeof(size_t)) {
		pr_warn("%s: sz field is not set\n", type);
		return 0;
	}
	/* tail padding of the struct we know is not a field: compilers leave
	 * garbage there in initialised automatic structs */
	known_sz = (known_sz + sizeof(long) - 1) & ~(sizeof(long) - 1);
	for (size_t i = known_sz; i < user_sz; i++) {
		if (p[i]) {
			pr_warn("%s: unknown non-zero field at offset %zu (newer API than this library)\n",
				type, i);
			return 0;
		}
	}
	return 1;
}

const char *errstr(int err)
{
	static __thread char buf[128];

	if (err < 0)
		err = -err;
	/* libbpf's own codes (LIBBPF_ERRNO__*, 4000...) */
	if (err >= 4000 && err < 4100 && !libbpf_strerror(err, buf, sizeof(buf)))
		return buf;
	return strerror_r(err, buf, sizeof(buf));
}
