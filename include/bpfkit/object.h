/* bpfkit/object.h — open a BPF ELF object (file or embedded bytes), load it
 * with the verifier log captured, attach its programs, pin it. */
#ifndef BPFKIT_OBJECT_H
#define BPFKIT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <bpfkit/print.h>
#include <bpfkit/xdp.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpf_object;
struct bpf_program;
struct bpfkit_object;

struct bpfkit_open_opts {
	size_t sz;		/* sizeof(struct bpfkit_open_opts) */
	const char *name;	/* object name used in messages (default: file name) */
};
#define bpfkit_open_opts__last_field name

/* Validates the file (exists, ELF, e_machine BPF) before handing it to libbpf,
 * so errors say what is wrong. NULL + errno on failure. */
BPFKIT_API struct bpfkit_object *
bpfkit_object__open_file(const char *path, const struct bpfkit_open_opts *opts);

/* Opens an object from memory (e.g. bytes embedded with BPFKIT_EMBED). The
 * bytes are copied. */
BPFKIT_API struct bpfkit_object *
bpfkit_object__open_mem(const void *buf, size_t size,
			const struct bpfkit_open_opts *opts);

/* Before load: maps declared LIBBPF_PIN_BY_NAME are neither pinned nor
 * reused, so the load leaves nothing on bpffs (what `bpfkit test` wants).
 * 0 or -errno. */
BPFKIT_API int bpfkit_object__no_auto_pin(struct bpfkit_object *obj);

/* Loads maps and programs into the kernel. On a verifier rejection the
 * whole log is kept (never truncated) and a summary is printed: the kernel's
 * error, the failing instruction and its source line. 0 or -errno. */
BPFKIT_API int bpfkit_object__load(struct bpfkit_object *obj);

/* The verifier log of the last failed load (NULL if none), and the name of the
 * program it belongs to. */
BPFKIT_API const char *bpfkit_object__verifier_log(const struct bpfkit_object *obj);
BPFKIT_API const char *bpfkit_object__failed_prog(const struct bpfkit_object *obj);

BPFKIT_API const char *bpfkit_object__name(const struct bpfkit_object *obj);
/* The libbpf object underneath, for everything bpfkit does not wrap. */
BPFKIT_API struct bpf_object *bpfkit_object__bpf_object(const struct bpfkit_object *obj);
/* The object's ELF bytes (as opened). */
BPFKIT_API const void *bpfkit_object__elf_bytes(const struct bpfkit_object *obj, size_t *size);

/* Finds a program by its (full, BTF) name; NULL + errno=ENOENT if absent. */
BPFKIT_API struct bpf_program *
bpfkit_object__find_program(const struct bpfkit_object *obj, const char *name);

struct bpfkit_attach_opts {
	size_t sz;
	const char *iface;		/* XDP programs go here (name or index) */
	const char *prog_name;		/* only this program (NULL: all) */
	enum bpfkit_xdp_mode mode;
	bool force;			/* replace an XDP program already on iface */
};
#define bpfkit_attach_opts__last_field force

/* Attaches the object's XDP program (one; opts->prog_name picks it when
 * there are several) to opts->iface and every tracepoint program to the
 * tracepoint its section names. Everything is checked before anything is
 * attached, the interface comes last, and a program already there is
 * replaced in one step (opts->force). All or nothing: on error, what was
 * attached is detached again and a replaced XDP program put back. */
BPFKIT_API int bpfkit_object__attach(struct bpfkit_object *obj,
				     const struct bpfkit_attach_opts *opts);
/* Number of attachments made and the fd of the i-th bpf_link. */
BPFKIT_API int bpfkit_object__attach_count(const struct bpfkit_object *obj);
/* Detaches everything bpfkit_object__attach attached (also done by close);
 * an XDP program it replaced (--force) is put back. After a successful
 * bpfkit_object__pin, attachments are kept instead: the pins own them. */
BPFKIT_API void bpfkit_object__detach(struct bpfkit_object *obj);

/* Pins programs, maps and links under DIR (DIR/progs/NAME, DIR/maps/NAME,
 * DIR/links/NAME) so they outlive this process. DIR must not exist yet; bpffs
 * is mounted at /sys/fs/bpf if it is not. All or nothing. */
BPFKIT_API int bpfkit_object__pin(struct bpfkit_object *obj, const char *dir);
/* What bpfkit_object__pin checks before it pins anything, for callers that
 * must know before they attach: bpffs (mounted if missing), DIR absent, its
 * parent a directory on bpffs. 0 or -errno (a message was printed). */
BPFKIT_API int bpfkit_pin__check(const char *dir);

BPFKIT_API void bpfkit_object__close(struct bpfkit_object *obj);

struct bpfkit_run_opts {
	size_t sz;
	const struct bpfkit_attach_opts *attach;
	int timeout_ms;		/* <0 or 0 with no_timeout unset: see below */
	bool no_timeout;	/* run until SIGINT/SIGTERM (default when timeout_ms <= 0) */
	FILE *out;		/* where program output goes (stdout if NULL) */
};
#define bpfkit_run_opts__last_field out

/* The loader's whole job, for a loaded object: attach, stream bpf_printk
 * output until SIGINT/SIGTERM (or the timeout), detach. Returns the signal
 * that stopped it, 0 on timeout, or -errno. */
BPFKIT_API int bpfkit_object__run(struct bpfkit_object *obj, const struct bpfkit_run_opts *opts);

/* Removes what bpfkit_object__pin pinned under DIR (and DIR itself). Its
 * XDP programs are detached (also where a replacement took over another
 * loader's bpf_link or netlink attachment); other pinned links' programs
 * detach when the last reference goes. */
BPFKIT_API int bpfkit_pin__remove(const char *dir);
/* The checks bpfkit_pin__remove makes before it touches anything (DIR is a
 * pin directory on bpffs, through no symlink), for a caller that must act
 * first (a --multi program leaves its dispatcher): 0 or -errno, said why. */
BPFKIT_API int bpfkit_pin__check_removable(const char *dir);

/* Mounts bpffs at /sys/fs/bpf if it is not mounted there. */
BPFKIT_API int bpfkit_bpffs__ensure(void);
/* 1 if PATH is on a bpf filesystem, 0 if not, -errno if it can't be told. */
BPFKIT_API int bpfkit_bpffs__is_bpffs(const char *path);

#ifdef __cplusplus
}
#endif
#endif
