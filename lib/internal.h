/* lib/internal.h — helpers shared by libbpfkit's files; not installed. */
#ifndef BPFKIT_INTERNAL_H
#define BPFKIT_INTERNAL_H

#include <stddef.h>
#include <string.h>
#include <bpfkit/print.h>

void bpfkit_pr(enum bpfkit_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(fmt, ...)  bpfkit_pr(BPFKIT_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  bpfkit_pr(BPFKIT_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) bpfkit_pr(BPFKIT_DEBUG, fmt, ##__VA_ARGS__)

/* Valid-size check for extensible opts structs (libbpf's pattern): every byte
 * past what this library knows must be zero. */
#define OPTS_VALID(opts, type) opts_valid((opts), (opts) ? (opts)->sz : 0, \
	offsetof(struct type, type##__last_field) + sizeof((opts)->type##__last_field), #type)
#define OPTS_GET(opts, field, def) \
	(((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field)) \
	 ? (opts)->field : (def))
int opts_valid(const void *opts, size_t user_sz, size_t known_sz, const char *type);

/* libbpf's load-failure log is captured here by the print bridge. */
void verifier_capture_begin(void);
char *verifier_capture_end(char **prog_name);	/* caller frees both */

/* libbpf's first warning since the reset (without "libbpf: "), or NULL:
 * the reason behind a bare error code. */
void libbpf_warn_reset(void);
const char *libbpf_first_warn(void);
/* libbpf's last message of any level since the reset, or NULL. */
const char *libbpf_last_msg(void);

/* strerror of a negative or positive errno (or libbpf error code), thread-safe. */
const char *errstr(int err);

#endif

/* The object, shared by object.c (open/load), attach.c and pin.c. */
struct bpf_object;
struct bpf_link;

#include <stdbool.h>
#include <bpfkit/xdp.h>

struct attachment {
	bool is_xdp;			/* XDP: xdp holds it (bpfkit_xdp__replace) */
	bool kept;			/* pinned: close must not undo it */
	struct bpfkit_xdp_attachment xdp;
	struct bpf_link *link;		/* libbpf link (tracepoints), or NULL */
	char prog[64];
	char target[80];		/* "xdp/veth0", "tracepoint/syscalls/sys_enter_execve" */
};

struct bpfkit_object {
	char *name;
	void *bytes;
	size_t size;
	struct bpf_object *obj;
	char *vlog;
	char *failed_prog;
	struct attachment *att;
	int n_att;
	__u32 *sec_size;	/* per map, in libbpf's order: its data section's
				 * size, 0 for a map of no section */
	int n_maps;
};

/* lib/xdp.c: detach PROG_FD (id ID) from every interface of this netns
 * where a netlink attachment holds it; the number detached or -errno. */
int xdp_detach_netlink_prog(int prog_fd, __u32 id);

/* lib/proginfo.c: program FD's full name (BTF func info; the kernel's
 * info->name is cut to 15 chars) into OUT. */
struct bpf_prog_info;
void full_prog_name(int fd, const struct bpf_prog_info *info, char *out, size_t sz);

/* lib/attach.c: after pinning, close must keep the attachments. */
void attachments_keep(struct bpfkit_object *obj);

/* lib/logger.c: before load, fill the log call sites' function names and
 * apply BPFKIT_LOG. 0 or -errno (a warning was printed). */
int log_prepare_load(struct bpfkit_object *obj);
