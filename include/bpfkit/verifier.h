/* bpfkit/verifier.h — make sense of a verifier log. */
#ifndef BPFKIT_VERIFIER_H
#define BPFKIT_VERIFIER_H

#include <stddef.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_verifier_summary {
	char error[512];	/* the kernel's complaint (may span lines, joined by "; ") */
	int insn_idx;		/* failing instruction index, -1 if unknown */
	char insn[256];		/* its text as the verifier printed it: "r0 = *(u32 *)(r2 +0)" */
	char source[256];	/* source text from BTF line info, "" if none */
	char file_line[256];	/* "prog.bpf.c:14", "" if none */
};

/* Extracts the error, the failing instruction and its source line from LOG.
 * 0 on success, -ENOENT if LOG holds no recognisable error. */
BPFKIT_API int bpfkit_verifier__summarize(const char *log,
					  struct bpfkit_verifier_summary *sum);

/* A class of verifier error and the usual fix, in plain words. */
struct bpfkit_verifier_hint {
	const char *id;		/* stable: "packet-bounds", "map-value-null", ... */
	const char *title;	/* "packet access without a bounds check" */
	const char *hint;	/* what to change, one or two sentences */
};

/* The hint for a verifier log: its error lines are matched first, then the
 * whole log. NULL if no known class matches. */
BPFKIT_API const struct bpfkit_verifier_hint *bpfkit_verifier__explain(const char *log);

/* Every class bpfkit knows (docs, tests); their number in *N. */
BPFKIT_API const struct bpfkit_verifier_hint *bpfkit_verifier__hints(size_t *n);

#ifdef __cplusplus
}
#endif
#endif
