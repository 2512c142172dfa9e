/* bpfkit/disasm.h — the eBPF instruction decoder: a pure function over
 * instruction bytes that formats text in llvm-objdump's syntax, explains an
 * encoding field by field, and classifies control flow. The text, JSON and
 * control-flow-graph outputs all reuse it; what differs between an object on
 * disk and a program in the kernel (labels, helper names, map ids) comes in
 * through callbacks (bpftool's design). */
#ifndef BPFKIT_DISASM_H
#define BPFKIT_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One 8-byte instruction slot, fields already decoded for the object's
 * byte order (in big-endian objects dst is the high nibble of byte 1). */
struct bpfkit_insn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

/* Decodes N slots of raw bytes (8*N bytes) into OUT. */
BPFKIT_API void bpfkit_disasm__decode(const void *bytes, size_t n, bool big_endian,
				      struct bpfkit_insn *out);

/* What an instruction does to control flow (for the CFG and labels). */
enum bpfkit_flow {
	BPFKIT_FLOW_NEXT,	/* falls through */
	BPFKIT_FLOW_JUMP,	/* unconditional jump to target */
	BPFKIT_FLOW_COND,	/* conditional: target or fall through */
	BPFKIT_FLOW_CALL,	/* helper/kfunc call, falls through */
	BPFKIT_FLOW_SUBPROG,	/* BPF-to-BPF call to target, falls through */
	BPFKIT_FLOW_EXIT,	/* exit */
	BPFKIT_FLOW_INVALID,	/* unknown encoding: printed as data */
};

struct bpfkit_insn_kind {
	enum bpfkit_flow flow;
	int slots;		/* 1, or 2 for ld_imm64 */
	long target;		/* jump/subprog target slot index (may be out of range) */
};

/* Classifies INSNS[IDX] (N slots available). */
BPFKIT_API struct bpfkit_insn_kind bpfkit_disasm__kind(const struct bpfkit_insn *insns,
						       size_t n, size_t idx);

/* Callbacks that add context to the text. Each writes into BUF (size SZ) and
 * returns the length written; returning 0 keeps the default rendering. */
struct bpfkit_disasm_cbs {
	void *ctx;
	/* after "goto +N": e.g. " <LBB0_2>" */
	int (*jump_label)(void *ctx, size_t idx, long target, char *buf, size_t sz);
	/* the whole text of a call instruction, e.g. "call bpf_map_lookup_elem#1" */
	int (*call)(void *ctx, const struct bpfkit_insn *insn, size_t idx, char *buf, size_t sz);
	/* the whole text of a ld_imm64 (two slots), e.g. "r1 = map[id:5] ll" */
	int (*imm64)(void *ctx, const struct bpfkit_insn *insn, size_t idx, char *buf, size_t sz);
	bool hex_imm;		/* immediates, memory and jump offsets in hex, as
				 * llvm-objdump --print-imm-hex prints them */
};

/* Formats INSNS[IDX] (N slots available) into BUF in llvm-objdump's syntax;
 * returns the number of slots it occupies (1 or 2). Unknown encodings and a
 * ld_imm64 cut short print as "<unknown>" and occupy 1 slot. Never fails. */
BPFKIT_API int bpfkit_disasm__format(const struct bpfkit_insn *insns, size_t n, size_t idx,
				     const struct bpfkit_disasm_cbs *cbs, char *buf, size_t sz);

/* Explains INSNS[IDX] field by field: opcode split into class/size/mode or
 * class/op/source, the register and offset/immediate fields, and one sentence
 * of meaning. Lines are separated by '\n'; returns slots as format does. */
BPFKIT_API int bpfkit_disasm__explain(const struct bpfkit_insn *insns, size_t n, size_t idx,
				      bool big_endian, char *buf, size_t sz);

/* Name of helper ID ("bpf_map_lookup_elem"), or NULL if unknown. */
BPFKIT_API const char *bpfkit_disasm__helper_name(int id);

#ifdef __cplusplus
}
#endif
#endif
