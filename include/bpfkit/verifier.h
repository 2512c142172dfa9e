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
	char file[200];		/* "prog.bpf.c", "" if none */
	int line;		/* 14; 0 if none (a "@ file:0" note is skipped for
				 * the nearest real line before it) */
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
	const char *fix;	/* the usual fix as a line of C */
};

/* The hint for a verifier log: its error lines are matched first, then the
 * whole log. NULL if no known class matches. */
BPFKIT_API const struct bpfkit_verifier_hint *bpfkit_verifier__explain(const char *log);

/* A verifier refusal explained in the program's own terms. */
struct bpfkit_verifier_explanation {
	const struct bpfkit_verifier_hint *cls;	/* NULL: no known class */
	char detail[768];	/* what is wrong here: which register, pointer,
				 * bound, call, map or line */
	char fix[320];		/* the fix for this program, as a line of C */
	/* where: the summary's, except where the class knows a better line
	 * (the assignment of an out-of-range return value; the call that
	 * makes the stack too big, found in the object when the log has no
	 * instruction at all) */
	struct bpfkit_verifier_summary sum;
};

/* Explains LOG. ELF/ELF_SZ (the object's bytes, may be NULL) and PROG (the
 * refused program's name) let it look into the object for what the log
 * does not say (the functions of a too-deep stack). 0, or -ENOENT when LOG
 * holds no recognisable error (EX->cls NULL, the rest empty). */
BPFKIT_API int bpfkit_verifier__explain_log(const char *log, const void *elf, size_t elf_sz,
					    const char *prog,
					    struct bpfkit_verifier_explanation *ex);

/* Every class bpfkit knows (docs, tests); their number in *N. */
BPFKIT_API const struct bpfkit_verifier_hint *bpfkit_verifier__hints(size_t *n);

#ifdef __cplusplus
}
#endif
#endif
