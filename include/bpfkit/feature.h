/* bpfkit/feature.h — what this kernel can do, and why not when it can't. */
#ifndef BPFKIT_FEATURE_H
#define BPFKIT_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if the kernel has kprobes (CONFIG_KPROBES), 0 if not. When 0 and WHY is
 * given, a sentence for the user is written there. */
BPFKIT_API int bpfkit_feature__kprobes(char *why, size_t why_sz);

/* 1 if fentry/fexit programs can be loaded, 0 if not (WHY as above). */
BPFKIT_API int bpfkit_feature__fentry(char *why, size_t why_sz);

/* One probed feature. */
struct bpfkit_feature {
	const char *group;	/* "prog_type", "map_type", "attach", "kernel", "system" */
	char name[64];		/* "xdp", "ringbuf", "xdp_native_veth", "btf_vmlinux", ... */
	int supported;		/* 1 yes, 0 no, -1 could not tell */
	char detail[320];	/* what it means, or why not and what to do instead */
};

/* Calls FN for every feature bpfkit probes, in a stable order. Probes that
 * need an interface (XDP native/skb, bpf_link, tcx) run in a child process in
 * a private network namespace on a throw-away veth pair, so nothing in the
 * caller's namespace changes. FN returning non-zero stops the walk (its value
 * is returned). 0 or -errno. */
typedef int (*bpfkit_feature_fn)(const struct bpfkit_feature *f, void *ctx);
BPFKIT_API int bpfkit_feature__probe_all(bpfkit_feature_fn fn, void *ctx);

/* Can a program with this ELF section ("kprobe/do_unlinkat", "fentry/...",
 * "xdp", "tp_btf/...", ...) be loaded and attached here? 1 yes, 0 no (with a
 * sentence in WHY), -1 unknown section. */
BPFKIT_API int bpfkit_feature__section(const char *sec, char *why, size_t why_sz);

#ifdef __cplusplus
}
#endif
#endif
