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
	char prog_name[64];		/* full (BTF) name, as prog show shows it */
};

/* The name of loaded program ID into BUF ("?" if gone): the full BTF name
 * where the kernel's is cut to 15 chars. */
BPFKIT_API void bpfkit_prog__name_by_id(__u32 id, char *buf, size_t sz);

/* What XDP program is on IFINDEX. 0 or -errno. */
BPFKIT_API int bpfkit_xdp__query(int ifindex, struct bpfkit_xdp_info *info);

struct bpfkit_xdp_attach_opts {
	size_t sz;
	enum bpfkit_xdp_mode mode;
	bool force;			/* replace a program already attached */
	const char *prog_name;		/* for messages */
	enum bpfkit_xdp_mode attached_mode;	/* out: the mode actually used */
	const char *force_opt;		/* the caller's option that sets force, named
					 * when a program is in the way (default "--force") */
};
#define bpfkit_xdp_attach_opts__last_field force_opt

/* Attaches PROG_FD to IFINDEX through a bpf_link (so the program detaches
 * when the last link fd closes, e.g. when the loader dies). Returns the link
 * fd or -errno. Refuses (-EEXIST) if a program is already attached unless
 * opts->force. */
BPFKIT_API int bpfkit_xdp__attach(int prog_fd, int ifindex,
				  struct bpfkit_xdp_attach_opts *opts);

/* How an attachment made by bpfkit_xdp__replace holds the interface. */
enum bpfkit_xdp_hold {
	BPFKIT_XDP_OWN_LINK,	/* a new bpf_link: detaches when its last fd closes */
	BPFKIT_XDP_SHARED_LINK,	/* the replaced program's bpf_link, now running ours */
	BPFKIT_XDP_NETLINK,	/* the replaced netlink attachment, swapped to ours */
};

struct bpfkit_xdp_attachment {
	enum bpfkit_xdp_hold hold;
	int ifindex;
	enum bpfkit_xdp_mode mode;
	int link_fd;			/* OWN_LINK, SHARED_LINK; -1 for NETLINK */
	int prog_fd;			/* ours (a dup): what undo expects to find there */
	int old_prog_fd;		/* the replaced program, kept to put it back; or -1 */
	__u32 old_prog_id;
	char old_prog_name[64];
};

/* Attaches PROG_FD to IFINDEX like bpfkit_xdp__attach, but a replacement
 * (opts->force) never leaves the interface without a program: the program
 * there is swapped for ours in one kernel operation (bpf_link_update with
 * BPF_F_REPLACE on its bpf_link, or XDP_FLAGS_REPLACE with its fd as the
 * expected one for a netlink attachment), and kept so bpfkit_xdp__undo can
 * put it back the same way. Everything checkable is checked first; on error
 * the interface is as it was. 0 or -errno. */
BPFKIT_API int bpfkit_xdp__replace(int prog_fd, int ifindex, struct bpfkit_xdp_attach_opts *opts,
				   struct bpfkit_xdp_attachment *att);
/* Checks what bpfkit_xdp__replace would check (interface state, --force,
 * mode) without touching anything. 0 or -errno (a message was printed). */
BPFKIT_API int bpfkit_xdp__check(int ifindex, const struct bpfkit_xdp_attach_opts *opts);
/* Undoes bpfkit_xdp__replace: puts the replaced program back (only if ours
 * is still the one attached) or detaches ours. Closes ATT's fds. 0 or -errno. */
BPFKIT_API int bpfkit_xdp__undo(struct bpfkit_xdp_attachment *att);
/* Keeps ATT as it is (the replaced program is let go) and closes its fds;
 * the caller has pinned what must outlive it. */
BPFKIT_API void bpfkit_xdp__keep(struct bpfkit_xdp_attachment *att);

/* Detaches whatever XDP program is on IFINDEX (bpf_link or netlink). 0 if one
 * was detached, -ENOENT if there was none. */
BPFKIT_API int bpfkit_xdp__detach(int ifindex);

#ifdef __cplusplus
}
#endif
#endif
