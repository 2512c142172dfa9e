/* bpfkit/tc.h — BPF programs attached to an interface through tc: classic
 * cls_bpf filters on the clsact qdisc (netlink) and tcx links (kernel 6.6+). */
#ifndef BPFKIT_TC_H
#define BPFKIT_TC_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_tc_prog {
	const char *kind;	/* "clsact" (cls_bpf filter) or "tcx" */
	const char *dir;	/* "ingress" or "egress" */
	__u32 prog_id;
	char name[64];		/* cls_bpf's name ("obj.o:[sec]") or the kernel's prog name */
	bool direct_action;	/* cls_bpf da flag */
};

typedef void (*bpfkit_tc_fn_t)(const struct bpfkit_tc_prog *p, void *ctx);

/* Calls FN for each tc BPF program on IFINDEX (current netns). Returns how
 * many were found or -errno. */
BPFKIT_API int bpfkit_tc__query(int ifindex, bpfkit_tc_fn_t fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
