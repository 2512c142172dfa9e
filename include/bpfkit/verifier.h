/* bpfkit/verifier.h — make sense of a verifier log. */
#ifndef BPFKIT_VERIFIER_H
#define BPFKIT_VERIFIER_H

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

#ifdef __cplusplus
}
#endif
#endif
