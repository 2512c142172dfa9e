/* bpfkit/cfg.h — control-flow graphs of eBPF code: functions (entry and
 * BPF-to-BPF call targets), basic blocks, fall-through and jump edges, and
 * Graphviz output (DOT, or SVG/PNG through the `dot` program). */
#ifndef BPFKIT_CFG_H
#define BPFKIT_CFG_H

#include <stdio.h>
#include <bpfkit/disasm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_cfg;

struct bpfkit_cfg_block {
	size_t first, last;	/* slot indexes, inclusive (last is an instruction's first slot) */
	size_t func;		/* index of the function it belongs to */
	long succ[2];		/* successor block indexes, -1 when absent; [0] fall-through/jump, [1] jump of a conditional */
};

/* Builds the graph of N slots. NULL + errno on allocation failure; never
 * fails on odd code (jumps out of range simply have no edge). */
BPFKIT_API struct bpfkit_cfg *bpfkit_cfg__new(const struct bpfkit_insn *insns, size_t n);
BPFKIT_API void bpfkit_cfg__free(struct bpfkit_cfg *cfg);
BPFKIT_API size_t bpfkit_cfg__block_cnt(const struct bpfkit_cfg *cfg);
BPFKIT_API const struct bpfkit_cfg_block *bpfkit_cfg__block(const struct bpfkit_cfg *cfg, size_t i);
BPFKIT_API size_t bpfkit_cfg__func_cnt(const struct bpfkit_cfg *cfg);
/* Slot index of function F's entry (functions are in entry order);
 * SIZE_MAX when F is out of range. */
BPFKIT_API size_t bpfkit_cfg__func_entry(const struct bpfkit_cfg *cfg, size_t f);
/* Names function F (copied): its DOT cluster is labelled NAME instead of
 * func_F. 0, -EINVAL (no such function), -ENOMEM. */
BPFKIT_API int bpfkit_cfg__set_func_name(struct bpfkit_cfg *cfg, size_t f, const char *name);
/* The name set for F, or NULL. */
BPFKIT_API const char *bpfkit_cfg__func_name(const struct bpfkit_cfg *cfg, size_t f);

/* Writes the graph as DOT: one cluster per function, basic blocks as
 * records of instruction text (formatted with CBS), edges for fall-through
 * and jumps (true branch green, false red, unconditional black). */
BPFKIT_API int bpfkit_cfg__write_dot(const struct bpfkit_cfg *cfg, const struct bpfkit_insn *insns,
				     size_t n, const struct bpfkit_disasm_cbs *cbs, const char *title,
				     FILE *out);

/* Renders DOT text to PATH as FORMAT ("svg", "png") with graphviz's dot.
 * -ENOENT with a clear message when dot is not installed. */
BPFKIT_API int bpfkit_cfg__render(const char *dot, size_t len, const char *format, const char *path);

#ifdef __cplusplus
}
#endif
#endif
