/* lib/verifier_int.h — what the verifier-log files (verifier_log.c,
 * verifier_explain.c, verifier_stack.c) share; not installed. */
#ifndef BPFKIT_VERIFIER_INT_H
#define BPFKIT_VERIFIER_INT_H

#include <stddef.h>

/* lib/verifier_log.c: the line number of a "; text @ file:N" note, 0 if none */
int vlog_source_line_num(const char *line, size_t len);
/* lib/verifier_log.c: "12: (61) r0 = *(u32 *)(r2 +0)   ; R0=..." -> 1 with
 * *IDX 12 and INSN "r0 = *(u32 *)(r2 +0)"; 0 if LINE is no instruction. */
int vlog_insn_line(const char *line, size_t len, int *idx, char *insn, size_t insn_sz);
/* lib/verifier_stack.c: for a "combined stack size" refusal, which the log
 * gives no instruction for, find the call chain in the object ELF: name each
 * frame and its stack, and point EX at the call that goes over. */
struct bpfkit_verifier_explanation;
void verifier_stack_explain(const void *elf, size_t elf_sz, const char *prog,
			    struct bpfkit_verifier_explanation *ex);
/* lib/verifier_stack.c: EX's source line from the object for instruction IDX
 * of PROG, when the log names an insn it never walked to */
void verifier_insn_source(const void *elf, size_t elf_sz, const char *prog, int idx,
			  struct bpfkit_verifier_explanation *ex);

#endif
