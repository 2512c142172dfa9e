/* bpfkit/xdp.h — attach, detach and query XDP programs on interfaces. */
#ifndef BPFKIT_XDP_H
#define BPFKIT_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

enum bpfkit_xdp_mode {
	BPFKIT_XDP_AUTO,	/* native, falling back to skb with a notice */
	BPFKIT_XDP_NATIVE,
	BPFKIT_XDP_SKB,
	BPFKIT_XDP_HW,
	BPFKIT_XDP_NONE,	/* query result: nothing attached */
};

/* "auto|native|skb|hw" (also "drv", "generic", "offload"); -EINVAL otherwise. */
BPFKIT_API int bpfkit_xdp_mode__parse(const char *s, enum bpfkit_xdp_mode *mode);
BPFKIT_API const char *bpfkit_xdp_mode__str(enum bpfkit_xdp_mode mode);

/* Interface name or decimal index -> ifindex, or -ENODEV. */
BPFKIT_API int bpfkit_ifindex(const char *name_or_index);

struct bpfkit_xdp_info {
	__u32 prog_id;			/* 0: nothing attached */
	enum bpfkit_xdp_mode mode;
	__u32 link_id;			/* 0: attached without a bpf_link (netlink) */
	char prog_name[64];		/* kernel's (max 15-char) name */
};

/* The kernel's (15-char) name of loaded program ID into BUF ("?" if gone). */
BPFKIT_API void bpfkit_prog__name_by_id(__u32 id, char *buf, size_t sz);

/* What XDP program is on IFINDEX. 0 or -errno. */
BPFKIT_API int bpfkit_xdp__query(int ifindex, struct bpfkit_xdp_info *info);

struct bpfkit_xdp_attach_opts {
	size_t sz;
	enum bpfkit_xdp_mode mode;
	bool force;			/* replace a program already attached */
	const char *prog_name;		/* for messages */
	enum bpfkit_xdp_mode attached_mode;	/* out: the mode actually used */
};
#define bpfkit_xdp_attach_opts__last_field attached_mode

/* Attaches PROG_FD to IFINDEX through a bpf_link (so the program detaches
 * when the last link fd closes, e.g. when the loader dies). Returns the link
 * fd or -errno. Refuses (-EEXIST) if a program is already attached unless
 * opts->force. */
BPFKIT_API int bpfkit_xdp__attach(int prog_fd, int ifindex,
				  struct bpfkit_xdp_attach_opts *opts);

/* Detaches whatever XDP program is on IFINDEX (bpf_link or netlink). 0 if one
 * was detached, -ENOENT if there was none. */
BPFKIT_API int bpfkit_xdp__detach(int ifindex);

#ifdef __cplusplus
}
#endif
#endif
