/* lib/disasm.c — the eBPF instruction decoder: bytes -> fields, fields ->
 * llvm-objdump text, fields -> a field-by-field explanation, and control-flow
 * classification. Pure: no I/O, no allocation; context (labels, helper and
 * map names) arrives through struct bpfkit_disasm_cbs.
 *
 * Syntax follows LLVM's BPF printer. Where LLVM 14 (our oracle) predates an
 * encoding (ISA v4: sdiv/smod, movsx, bswap, sign-extending loads, gotol;
 * BPF_ST; JSET; 32-bit fetch atomics; may_goto, load-acquire/store-release)
 * we print the syntax later LLVM releases use. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpfkit/disasm.h>

/* Newer than the 6.1 UAPI headers Debian ships. */
#define BK_MEMSX	0x80
#define BK_JCOND	0xe0
#define BK_LOAD_ACQ	0x100
#define BK_STORE_REL	0x110
#define BK_ADDR_SPACE_CAST 1

static const char *const helper_names[] = {
#define BK_FN(x) [BPF_FUNC_##x] = "bpf_" #x
	__BPF_FUNC_MAPPER(BK_FN)
#undef BK_FN
};

const char *bpfkit_disasm__helper_name(int id)
{
	if (id <= 0 || (size_t)id >= sizeof(helper_names) / sizeof(helper_names[0]))
		return NULL;
	return helper_names[id];
}

void bpfkit_disasm__decode(const void *bytes, size_t n, bool big_endian, struct bpfkit_insn *out)
{
	const uint8_t *b = bytes;

	for (size_t i = 0; i < n; i++, b += 8) {
		out[i].code = b[0];
		if (big_endian) {
			out[i].dst = b[1] >> 4;
			out[i].src = b[1] & 0xf;
			out[i].off = (int16_t)(b[2] << 8 | b[3]);
			out[i].imm = (int32_t)((uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
					       (uint32_t)b[6] << 8 | b[7]);
		} else {
			out[i].dst = b[1] & 0xf;
			out[i].src = b[1] >> 4;
			out[i].off = (int16_t)(b[2] | b[3] << 8);
			out[i].imm = (int32_t)((uint32_t)b[7] << 24 | (uint32_t)b[6] << 16 |
					       (uint32_t)b[5] << 8 | b[4]);
		}
	}
}

/* A bounded string builder: appends never overflow, the result is always
 * NUL-terminated, truncation is silent. */
struct sb {
	char *buf;
	size_t sz, len;
};

static void __attribute__((format(printf, 2, 3))) sb_add(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->len >= s->sz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->sz - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len = s->len + n < s->sz ? s->len + n : s->sz - 1;
}

static const char *size_str(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return "u32";
	case BPF_H: return "u16";
	case BPF_B: return "u8";
	default: return "u64";
	}
}

static int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	case BPF_B: return 1;
	default: return 8;
	}
}

static const char *alu_op_str(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_MOD: return "%=";
	case BPF_XOR: return "^=";
	case BPF_ARSH: return "s>>=";
	default: return NULL;
	}
}

static const char *jmp_op_str(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JSET: return "&";
	case BPF_JNE: return "!=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	default: return NULL;
	}
}

/* Fast appends for the format path: it runs once per instruction of
 * 100k-instruction objects, where printf dominated the profile. */
static inline __attribute__((always_inline)) void sb_n(struct sb *s, const char *str, size_t n)
{
	if (s->len + n >= s->sz)
		n = s->sz > s->len + 1 ? s->sz - s->len - 1 : 0;
	memcpy(s->buf + s->len, str, n);
	s->len += n;
	if (s->sz)
		s->buf[s->len] = 0;
}

/* always inlined so strlen of a literal folds to a constant */
static inline __attribute__((always_inline)) void sb_s(struct sb *s, const char *str)
{
	sb_n(s, str, strlen(str));
}

static inline __attribute__((always_inline)) void sb_c(struct sb *s, char c)
{
	if (s->len + 1 < s->sz) {
		s->buf[s->len++] = c;
		s->buf[s->len] = 0;
	}
}

/* Short non-literal pieces ("u32", "+=", "s>="): per byte beats a libc call. */
static inline __attribute__((always_inline)) void sb_short(struct sb *s, const char *str)
{
	while (*str && s->len + 1 < s->sz)
		s->buf[s->len++] = *str++;
	if (s->sz)
		s->buf[s->len] = 0;
}

static void sb_d(struct sb *s, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sb_n(s, p, tmp + sizeof(tmp) - p);
}

static void sb_reg(struct sb *s, char r, int n)
{
	if (n >= 0 && n < 10 && s->len + 2 < s->sz) {	/* the common case: r0..r9 */
		s->buf[s->len++] = r;
		s->buf[s->len++] = '0' + n;
		s->buf[s->len] = 0;
		return;
	}
	sb_c(s, r);
	sb_d(s, n);
}

/* llvm-objdump --print-imm-hex prints every immediate operand, memory
 * offsets and jump offsets included, as C hex ("-0x8" when negative). */
static __thread bool hex_all;

static void sb_num(struct sb *s, long long v)
{
	if (hex_all)
		sb_add(s, "%s0x%llx", v < 0 ? "-" : "", v < 0 ? -(unsigned long long)v : (unsigned long long)v);
	else
		sb_d(s, v);
}

static void add_addr(struct sb *s, int reg, int16_t off)
{
	sb_reg(s, 'r', reg);
	sb_n(s, off < 0 ? " - " : " + ", 3);
	sb_num(s, off < 0 ? -(int)off : off);
}

static void add_mem(struct sb *s, const char *type, int reg, int16_t off)
{
	sb_s(s, "*(");
	sb_short(s, type);
	sb_s(s, " *)(");
	add_addr(s, reg, off);
	sb_c(s, ')');
}

static void add_imm(struct sb *s, const struct bpfkit_disasm_cbs *cbs, int32_t imm)
{
	if (cbs && cbs->hex_imm)
		sb_add(s, "%s0x%x", imm < 0 ? "-" : "", imm < 0 ? -(uint32_t)imm : (uint32_t)imm);
	else
		sb_d(s, imm);
}

/* Is this atomic operation one the kernel defines? Fills the text pieces. */
static bool atomic_known(int32_t imm)
{
	switch (imm) {
	case BPF_ADD: case BPF_AND: case BPF_OR: case BPF_XOR:
	case BPF_ADD | BPF_FETCH: case BPF_AND | BPF_FETCH: case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH: case BPF_XCHG: case BPF_CMPXCHG:
	case BK_LOAD_ACQ: case BK_STORE_REL:
		return true;
	}
	return false;
}

static const char *atomic_name(int32_t imm)
{
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD: return "add";
	case BPF_AND: return "and";
	case BPF_OR: return "or";
	case BPF_XOR: return "xor";
	}
	return "?";
}

static bool insn_valid(const struct bpfkit_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_END)
			return (in->imm == 16 || in->imm == 32 || in->imm == 64) &&
			       !(cls == BPF_ALU64 && BPF_SRC(in->code) == BPF_X);
		if (op == BPF_NEG)
			return BPF_SRC(in->code) == BPF_K;
		return op == BPF_MOV || alu_op_str(op);
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_JA)
			return BPF_SRC(in->code) == BPF_K;
		if (op == BPF_CALL) {
			if (cls != BPF_JMP)
				return false;
			/* callx: LLVM 14 puts the register in imm, the kernel in dst */
			if (BPF_SRC(in->code) == BPF_X)
				return in->imm ? in->imm > 0 && in->imm <= 10 : in->dst <= 10;
			return true;
		}
		if (op == BPF_EXIT)	/* the kernel and LLVM both want every other field 0 */
			return cls == BPF_JMP && BPF_SRC(in->code) == BPF_K && !in->dst && !in->src &&
			       !in->off && !in->imm;
		if (op == BK_JCOND)
			return cls == BPF_JMP && BPF_SRC(in->code) == BPF_K && in->src == 0;
		return jmp_op_str(op);
	case BPF_LD:
		if (BPF_MODE(in->code) == BPF_IMM)
			return BPF_SIZE(in->code) == BPF_DW;
		return (BPF_MODE(in->code) == BPF_ABS || BPF_MODE(in->code) == BPF_IND) &&
		       BPF_SIZE(in->code) != BPF_DW;
	case BPF_LDX:
		return BPF_MODE(in->code) == BPF_MEM ||
		       (BPF_MODE(in->code) == BK_MEMSX && BPF_SIZE(in->code) != BPF_DW);
	case BPF_ST:
		return BPF_MODE(in->code) == BPF_MEM;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_MEM)
			return true;
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return (BPF_SIZE(in->code) == BPF_W || BPF_SIZE(in->code) == BPF_DW) &&
			       atomic_known(in->imm);
		return false;
	}
	return false;
}

struct bpfkit_insn_kind bpfkit_disasm__kind(const struct bpfkit_insn *insns, size_t n, size_t idx)
{
	struct bpfkit_insn_kind k = { BPFKIT_FLOW_NEXT, 1, -1 };
	const struct bpfkit_insn *in = &insns[idx];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (!insn_valid(in)) {
		k.flow = BPFKIT_FLOW_INVALID;
		return k;
	}
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (idx + 1 >= n) {
			k.flow = BPFKIT_FLOW_INVALID;
			return k;
		}
		k.slots = 2;
		return k;
	}
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return k;
	switch (op) {
	case BPF_CALL:
		if (BPF_SRC(in->code) == BPF_K && in->src == BPF_PSEUDO_CALL) {
			k.flow = BPFKIT_FLOW_SUBPROG;
			k.target = (long)idx + 1 + in->imm;
		} else {
			k.flow = BPFKIT_FLOW_CALL;
		}
		return k;
	case BPF_EXIT:
		k.flow = BPFKIT_FLOW_EXIT;
		return k;
	case BPF_JA:
		k.flow = BPFKIT_FLOW_JUMP;
		/* JMP32|JA is "gotol": the offset lives in imm */
		k.target = (long)idx + 1 + (cls == BPF_JMP32 ? in->imm : in->off);
		return k;
	default:
		k.flow = BPFKIT_FLOW_COND;
		k.target = (long)idx + 1 + in->off;
		return k;
	}
}

static void fmt_jump_tail(struct sb *s, const struct bpfkit_disasm_cbs *cbs, size_t idx, long rel)
{
	char lab[256];
	int n = 0;

	sb_c(s, rel < 0 ? '-' : '+');
	sb_num(s, rel < 0 ? -rel : rel);
	if (cbs && cbs->jump_label)
		n = cbs->jump_label(cbs->ctx, idx, (long)idx + 1 + rel, lab, sizeof(lab));
	if (n > 0)
		sb_s(s, lab);
}

static void fmt_alu(struct sb *s, const struct bpfkit_insn *in, const struct bpfkit_disasm_cbs *cbs)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	char r = is64 ? 'r' : 'w';
	uint8_t op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;

	if (op == BPF_END) {
		sb_reg(s, 'r', in->dst);
		sb_s(s, is64 ? " = bswap" : x ? " = be" : " = le");
		sb_d(s, in->imm);
		sb_c(s, ' ');
		sb_reg(s, 'r', in->dst);
		return;
	}
	if (op == BPF_NEG) {
		sb_reg(s, r, in->dst);
		sb_s(s, " = -");
		sb_reg(s, r, in->dst);
		return;
	}
	if (op == BPF_MOV) {
		if (x && is64 && in->off == BK_ADDR_SPACE_CAST) {
			sb_add(s, "r%d = addr_space_cast(r%d, %u, %u)", in->dst, in->src,
			       (uint32_t)in->imm >> 16, (uint32_t)in->imm & 0xffff);
			return;
		}
		sb_reg(s, r, in->dst);
		sb_s(s, " = ");
		if (x && (in->off == 8 || in->off == 16 || in->off == 32)) {
			sb_s(s, "(s");
			sb_d(s, in->off);
			sb_c(s, ')');
			sb_reg(s, r, in->src);
		} else if (x) {
			sb_reg(s, r, in->src);
		} else {
			add_imm(s, cbs, in->imm);
		}
		return;
	}
	sb_reg(s, r, in->dst);
	sb_s(s, (op == BPF_DIV || op == BPF_MOD) && in->off == 1 ? " s" : " ");
	sb_short(s, alu_op_str(op));
	sb_c(s, ' ');
	if (x)
		sb_reg(s, r, in->src);
	else
		add_imm(s, cbs, in->imm);
}

static void fmt_jmp(struct sb *s, const struct bpfkit_insn *in, size_t idx,
		    const struct bpfkit_disasm_cbs *cbs)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = BPF_OP(in->code);
	char r = is32 ? 'w' : 'r';
	char tmp[512];
	int n = 0;

	switch (op) {
	case BPF_JA:
		if (is32) {
			sb_s(s, "gotol ");
			fmt_jump_tail(s, cbs, idx, in->imm);
		} else {
			sb_s(s, "goto ");
			fmt_jump_tail(s, cbs, idx, in->off);
		}
		return;
	case BPF_EXIT:
		sb_s(s, "exit");
		return;
	case BPF_CALL:
		if (cbs && cbs->call)
			n = cbs->call(cbs->ctx, in, idx, tmp, sizeof(tmp));
		if (n > 0) {
			sb_s(s, tmp);
		} else if (BPF_SRC(in->code) == BPF_X) {
			/* LLVM 14 encodes the register in imm, the kernel in dst */
			sb_s(s, "callx ");
			sb_reg(s, 'r', in->imm ? in->imm : in->dst);
		} else {
			sb_s(s, "call ");
			sb_num(s, in->imm);
		}
		return;
	case BK_JCOND:
		sb_s(s, "may_goto ");
		fmt_jump_tail(s, cbs, idx, in->off);
		return;
	}
	sb_s(s, "if ");
	sb_reg(s, r, in->dst);
	sb_c(s, ' ');
	sb_short(s, jmp_op_str(op));
	sb_c(s, ' ');
	if (BPF_SRC(in->code) == BPF_X)
		sb_reg(s, r, in->src);
	else
		add_imm(s, cbs, in->imm);
	sb_s(s, " goto ");
	fmt_jump_tail(s, cbs, idx, in->off);
}

static void fmt_atomic(struct sb *s, const struct bpfkit_insn *in)
{
	bool dw = BPF_SIZE(in->code) == BPF_DW;
	const char *t = size_str(in->code);
	char r = dw ? 'r' : 'w';

	switch (in->imm) {
	case BPF_ADD: case BPF_AND: case BPF_OR: case BPF_XOR:
		sb_s(s, "lock ");
		add_mem(s, t, in->dst, in->off);
		sb_c(s, ' ');
		sb_s(s, alu_op_str(in->imm));
		sb_c(s, ' ');
		/* LLVM 14 prints the 32-bit add with an r register */
		sb_reg(s, in->imm == BPF_ADD ? 'r' : r, in->src);
		return;
	case BPF_XCHG:
		sb_add(s, "%c%d = xchg%s_%s(", r, in->src, dw ? "" : "32", dw ? "64" : "32");
		add_addr(s, in->dst, in->off);
		sb_add(s, ", %c%d)", r, in->src);
		return;
	case BPF_CMPXCHG:
		sb_add(s, "%c0 = cmpxchg%s_%s(", r, dw ? "" : "32", dw ? "64" : "32");
		add_addr(s, in->dst, in->off);
		sb_add(s, ", %c0, %c%d)", r, r, in->src);
		return;
	case BK_LOAD_ACQ:
		sb_add(s, "%c%d = load_acquire((%s *)(", r, in->src, t);
		add_addr(s, in->dst, in->off);
		sb_s(s, "))");
		return;
	case BK_STORE_REL:
		sb_add(s, "store_release((%s *)(", t);
		add_addr(s, in->dst, in->off);
		sb_add(s, "), %c%d)", r, in->src);
		return;
	default:	/* fetch add/and/or/xor */
		sb_add(s, "%c%d = atomic_fetch_%s((%s *)(", r, in->src, atomic_name(in->imm), t);
		add_addr(s, in->dst, in->off);
		sb_add(s, "), %c%d)", r, in->src);
	}
}

int bpfkit_disasm__format(const struct bpfkit_insn *insns, size_t n, size_t idx,
			  const struct bpfkit_disasm_cbs *cbs, char *buf, size_t sz)
{
	const struct bpfkit_insn *in = &insns[idx];
	struct bpfkit_insn_kind k = bpfkit_disasm__kind(insns, n, idx);
	struct sb s = { buf, sz, 0 };
	uint8_t mode = BPF_MODE(in->code);

	hex_all = cbs && cbs->hex_imm;
	if (sz)
		buf[0] = 0;
	if (k.flow == BPFKIT_FLOW_INVALID) {
		sb_s(&s, "<unknown>");
		return 1;
	}
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		fmt_alu(&s, in, cbs);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		fmt_jmp(&s, in, idx, cbs);
		break;
	case BPF_LD:
		if (mode == BPF_IMM) {
			char tmp[512];
			int m = 0;
			uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;

			if (cbs && cbs->imm64)
				m = cbs->imm64(cbs->ctx, in, idx, tmp, sizeof(tmp));
			if (m > 0) {
				sb_s(&s, tmp);
			} else if (in->src) {
				sb_add(&s, "ld_pseudo\tr%d, %d, %d", in->dst, in->src, in->imm);
			} else if (cbs && cbs->hex_imm) {
				sb_reg(&s, 'r', in->dst);
				sb_s(&s, " = ");
				sb_num(&s, (long long)v);
				sb_s(&s, " ll");
			} else {
				sb_reg(&s, 'r', in->dst);
				sb_s(&s, " = ");
				sb_d(&s, (long long)v);
				sb_s(&s, " ll");
			}
		} else if (mode == BPF_ABS) {
			sb_s(&s, "r0 = *(");
			sb_s(&s, size_str(in->code));
			sb_s(&s, " *)skb[");
			add_imm(&s, cbs, in->imm);
			sb_c(&s, ']');
		} else {
			sb_s(&s, "r0 = *(");
			sb_s(&s, size_str(in->code));
			sb_s(&s, " *)skb[");
			sb_reg(&s, 'r', in->src);
			sb_c(&s, ']');
		}
		break;
	case BPF_LDX:
		sb_reg(&s, 'r', in->dst);
		sb_s(&s, " = ");
		if (mode == BK_MEMSX) {
			static const char *const sx[] = { "s32", "s16", "s8", "s64" };

			add_mem(&s, sx[BPF_SIZE(in->code) >> 3], in->src, in->off);
		} else {
			add_mem(&s, size_str(in->code), in->src, in->off);
		}
		break;
	case BPF_ST:
		add_mem(&s, size_str(in->code), in->dst, in->off);
		sb_s(&s, " = ");
		add_imm(&s, cbs, in->imm);
		break;
	case BPF_STX:
		if (mode == BPF_ATOMIC) {
			fmt_atomic(&s, in);
		} else {
			add_mem(&s, size_str(in->code), in->dst, in->off);
			sb_s(&s, " = ");
			sb_reg(&s, 'r', in->src);
		}
		break;
	}
	return k.slots;
}

/* ---- explain ---------------------------------------------------------- */

static const char *class_name(uint8_t cls)
{
	static const char *const names[] = { "LD", "LDX", "ST", "STX", "ALU", "JMP", "JMP32", "ALU64" };

	return names[cls & 7];
}

static const char *alu_op_name(uint8_t op)
{
	static const char *const names[] = { "ADD", "SUB", "MUL", "DIV", "OR", "AND", "LSH", "RSH",
		"NEG", "MOD", "XOR", "MOV", "ARSH", "END", "(0xe0)", "(0xf0)" };

	return names[op >> 4];
}

static const char *jmp_op_name(uint8_t op)
{
	static const char *const names[] = { "JA", "JEQ", "JGT", "JGE", "JSET", "JNE", "JSGT", "JSGE",
		"CALL", "EXIT", "JLT", "JLE", "JSLT", "JSLE", "JCOND", "(0xf0)" };

	return names[op >> 4];
}

static const char *size_name(uint8_t code)
{
	static const char *const names[] = { "W (4 bytes)", "H (2 bytes)", "B (1 byte)", "DW (8 bytes)" };

	return names[BPF_SIZE(code) >> 3];
}

static const char *mode_name(uint8_t mode)
{
	switch (mode) {
	case BPF_IMM: return "IMM";
	case BPF_ABS: return "ABS";
	case BPF_IND: return "IND";
	case BPF_MEM: return "MEM";
	case BK_MEMSX: return "MEMSX";
	case BPF_ATOMIC: return "ATOMIC";
	default: return "(reserved)";
	}
}

static const char *jmp_meaning(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return "equal to";
	case BPF_JGT: return "greater than (unsigned)";
	case BPF_JGE: return "greater than or equal to (unsigned)";
	case BPF_JSET: return "sharing a set bit with";
	case BPF_JNE: return "not equal to";
	case BPF_JSGT: return "greater than (signed)";
	case BPF_JSGE: return "greater than or equal to (signed)";
	case BPF_JLT: return "less than (unsigned)";
	case BPF_JLE: return "less than or equal to (unsigned)";
	case BPF_JSLT: return "less than (signed)";
	case BPF_JSLE: return "less than or equal to (signed)";
	default: return "?";
	}
}

/* Name and C operator of each ALU operation, for the meaning sentence. */
static void alu_meaning(uint8_t op, const char **name, const char **sym)
{
	static const struct { const char *name, *sym; } m[] = {
		[BPF_ADD >> 4] = { "add", "+" },
		[BPF_SUB >> 4] = { "subtract", "-" },
		[BPF_MUL >> 4] = { "multiply", "*" },
		[BPF_DIV >> 4] = { "unsigned divide (x / 0 = 0)", "/" },
		[BPF_OR >> 4] = { "bitwise or", "|" },
		[BPF_AND >> 4] = { "bitwise and", "&" },
		[BPF_LSH >> 4] = { "shift left", "<<" },
		[BPF_RSH >> 4] = { "logical shift right", ">>" },
		[BPF_MOD >> 4] = { "unsigned remainder (x % 0 = x)", "%" },
		[BPF_XOR >> 4] = { "bitwise xor", "^" },
		[BPF_ARSH >> 4] = { "arithmetic (sign-filling) shift right", "s>>" },
	};

	*name = m[op >> 4].name ?: "?";
	*sym = m[op >> 4].sym ?: "?";
}

/* Printable rendering of the bytes of an immediate, in memory order. */
static void add_chars(struct sb *s, uint32_t v, bool be)
{
	sb_add(s, "'");
	for (int i = 0; i < 4; i++) {
		unsigned char c = (v >> (8 * (be ? 3 - i : i))) & 0xff;

		if (c == '\n') sb_add(s, "\\n");
		else if (c == '\t') sb_add(s, "\\t");
		else if (c == 0) sb_add(s, "\\0");
		else if (c >= 0x20 && c < 0x7f && c != '\'') sb_add(s, "%c", c);
		else sb_add(s, "\\x%02x", c);
	}
	sb_add(s, "'");
}

static void explain_meaning(struct sb *s, const struct bpfkit_insn *in, bool be,
			    const struct bpfkit_insn_kind *k)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	char src[32];

	if (k->flow == BPFKIT_FLOW_INVALID) {
		sb_add(s, "not an instruction the kernel defines (reserved encoding): shown as data");
		return;
	}
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64: {
		bool is64 = cls == BPF_ALU64;
		const char *w = is64 ? "64-bit" : "32-bit";
		char r = is64 ? 'r' : 'w';
		char tail[48] = "";

		if (x)
			snprintf(src, sizeof(src), "%c%d", r, in->src);
		else
			snprintf(src, sizeof(src), "%d", in->imm);
		if (!is64)
			snprintf(tail, sizeof(tail), "; the upper 32 bits of r%d become 0", in->dst);
		if (op == BPF_END) {
			if (is64)
				sb_add(s, "reverses the byte order of the low %d bits of r%d unconditionally (bswap)", in->imm, in->dst);
			else
				sb_add(s, "converts the low %d bits of r%d between host and %s-endian byte order (a no-op on %s-endian hosts)",
				       in->imm, in->dst, x ? "big" : "little", x ? "big" : "little");
		} else if (op == BPF_NEG) {
			sb_add(s, "%s negate: %c%d = -%c%d%s", w, r, in->dst, r, in->dst, tail);
		} else if (op == BPF_MOV) {
			if (x && (in->off == 8 || in->off == 16 || in->off == 32))
				sb_add(s, "%s move with sign extension: %c%d = the low %d bits of %s, sign-extended%s", w, r,
				       in->dst, in->off, src, tail);
			else
				sb_add(s, "%s move: %c%d = %s%s", w, r, in->dst, src, tail);
		} else if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1) {
			sb_add(s, "%s signed %s: %c%d = %c%d s%c %s%s", w, op == BPF_DIV ? "divide" : "remainder",
			       r, in->dst, r, in->dst, op == BPF_DIV ? '/' : '%', src, tail);
		} else {
			const char *name, *sym;

			alu_meaning(op, &name, &sym);
			sb_add(s, "%s %s: %c%d = %c%d %s %s%s", w, name, r, in->dst, r, in->dst, sym, src, tail);
		}
		return;
	}
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_EXIT) {
			sb_add(s, "returns from the current function with the value in r0");
		} else if (op == BPF_CALL) {
			if (x)
				sb_add(s, "indirect call through the address in a register");
			else if (in->src == BPF_PSEUDO_CALL)
				sb_add(s, "calls the BPF function %d instructions ahead (BPF-to-BPF call; -1 until relocated)", in->imm);
			else if (in->src == BPF_PSEUDO_KFUNC_CALL)
				sb_add(s, "calls kernel function with BTF id %d (kfunc)", in->imm);
			else
				sb_add(s, "calls helper %d (%s) with arguments r1-r5; result in r0", in->imm,
				       bpfkit_disasm__helper_name(in->imm) ?: "unknown helper");
		} else if (op == BPF_JA) {
			sb_add(s, "jumps unconditionally to instruction %ld%s", k->target, cls == BPF_JMP32 ? " (long jump, offset in imm)" : "");
		} else if (op == BK_JCOND) {
			sb_add(s, "may_goto: continues to instruction %ld once the loop budget is spent, otherwise falls through", k->target);
		} else {
			if (x)
				snprintf(src, sizeof(src), "%c%d", cls == BPF_JMP32 ? 'w' : 'r', in->src);
			else
				snprintf(src, sizeof(src), "%d", in->imm);
			char r = cls == BPF_JMP32 ? 'w' : 'r';

			if (op == BPF_JSET)
				sb_add(s, "if %c%d & %s != 0 (a set bit in common), jumps to instruction %ld, else falls through%s",
				       r, in->dst, src, k->target, cls == BPF_JMP32 ? " (32-bit compare)" : "");
			else
				sb_add(s, "if %c%d is %s %s, jumps to instruction %ld, else falls through%s",
				       r, in->dst, jmp_meaning(op), src, k->target, cls == BPF_JMP32 ? " (32-bit compare)" : "");
		}
		return;
	case BPF_LD:
		if (mode == BPF_IMM) {
			uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;
			static const char *const pseudo[] = { "an immediate", "a map (by fd)",
				"a map value address (map fd + offset)", "a kernel object (BTF id)",
				"a BPF function address", "a map (by index)", "a map value address (map index + offset)" };

			sb_add(s, "wide 8-byte load (uses 2 slots) of %s into r%d", in->src < 7 ? pseudo[in->src] : "(reserved pseudo source)", in->dst);
			if (in->src == 0) {
				sb_add(s, ": value %llu (0x%llx), bytes ", (unsigned long long)v, (unsigned long long)v);
				add_chars(s, (uint32_t)in->imm, be);
				sb_add(s, " and ");
				add_chars(s, (uint32_t)in[1].imm, be);
			} else {
				sb_add(s, ": imm %d, second imm %d", in->imm, in[1].imm);
			}
		} else {
			sb_add(s, "legacy packet load: r0 = %d bytes at skb offset ", size_bytes(in->code));
			if (mode == BPF_IND)
				sb_add(s, "r%d + %d, converted from network byte order", in->src, in->imm);
			else
				sb_add(s, "%d, converted from network byte order", in->imm);
		}
		return;
	case BPF_LDX:
		sb_add(s, "loads %d byte%s from memory at r%d%+d into r%d%s", size_bytes(in->code),
		       size_bytes(in->code) > 1 ? "s" : "", in->src, in->off, in->dst,
		       mode == BK_MEMSX ? ", sign-extended to 64 bits" : BPF_SIZE(in->code) == BPF_DW ? "" : ", zero-extended");
		return;
	case BPF_ST:
		sb_add(s, "stores the immediate %d as %d byte%s to memory at r%d%+d", in->imm,
		       size_bytes(in->code), size_bytes(in->code) > 1 ? "s" : "", in->dst, in->off);
		return;
	case BPF_STX:
		if (mode == BPF_MEM) {
			sb_add(s, "stores the low %d byte%s of r%d to memory at r%d%+d", size_bytes(in->code),
			       size_bytes(in->code) > 1 ? "s" : "", in->src, in->dst, in->off);
			return;
		}
		switch (in->imm) {
		case BPF_XCHG:
			sb_add(s, "atomically exchanges the %d bytes at r%d%+d with r%d (old value into r%d)", size_bytes(in->code), in->dst, in->off, in->src, in->src);
			break;
		case BPF_CMPXCHG:
			sb_add(s, "atomic compare-and-exchange of %d bytes at r%d%+d: if equal to r0 store r%d; old value into r0", size_bytes(in->code), in->dst, in->off, in->src);
			break;
		case BK_LOAD_ACQ:
			sb_add(s, "load-acquire of %d bytes at r%d%+d into r%d", size_bytes(in->code), in->dst, in->off, in->src);
			break;
		case BK_STORE_REL:
			sb_add(s, "store-release of r%d as %d bytes at r%d%+d", in->src, size_bytes(in->code), in->dst, in->off);
			break;
		default:
			sb_add(s, "atomic %s of r%d into the %d bytes at r%d%+d%s", atomic_name(in->imm), in->src,
			       size_bytes(in->code), in->dst, in->off, in->imm & BPF_FETCH ? " (old value fetched into the source register)" : "");
		}
		return;
	}
}

int bpfkit_disasm__explain(const struct bpfkit_insn *insns, size_t n, size_t idx, bool big_endian,
			   char *buf, size_t sz)
{
	const struct bpfkit_insn *in = &insns[idx];
	struct bpfkit_insn_kind k = bpfkit_disasm__kind(insns, n, idx);
	uint8_t cls = BPF_CLASS(in->code);
	struct sb s = { buf, sz, 0 };

	if (sz)
		buf[0] = 0;
	sb_add(&s, "opcode 0x%02x = ", in->code);
	if (cls == BPF_ALU || cls == BPF_ALU64)
		sb_add(&s, "class %s (0x%02x) | op %s (0x%02x) | source %s (0x%02x)", class_name(cls), cls,
		       alu_op_name(BPF_OP(in->code)), BPF_OP(in->code),
		       BPF_OP(in->code) == BPF_END ? (BPF_SRC(in->code) ? "TO_BE" : "TO_LE") : (BPF_SRC(in->code) ? "X (register)" : "K (immediate)"),
		       BPF_SRC(in->code));
	else if (cls == BPF_JMP || cls == BPF_JMP32)
		sb_add(&s, "class %s (0x%02x) | op %s (0x%02x) | source %s (0x%02x)", class_name(cls), cls,
		       jmp_op_name(BPF_OP(in->code)), BPF_OP(in->code),
		       BPF_SRC(in->code) ? "X (register)" : "K (immediate)", BPF_SRC(in->code));
	else
		sb_add(&s, "class %s (0x%02x) | size %s (0x%02x) | mode %s (0x%02x)", class_name(cls), cls,
		       size_name(in->code), BPF_SIZE(in->code), mode_name(BPF_MODE(in->code)), BPF_MODE(in->code));
	sb_add(&s, "\nregs 0x%02x = dst r%d (%s nibble), src r%d (%s nibble)",
	       big_endian ? (in->dst << 4 | in->src) : (in->src << 4 | in->dst), in->dst,
	       big_endian ? "high" : "low", in->src, big_endian ? "low" : "high");
	sb_add(&s, "\noff %d (0x%04x, %s-endian s16), imm %d (0x%08x, %s-endian s32)", in->off,
	       (uint16_t)in->off, big_endian ? "big" : "little", in->imm, (uint32_t)in->imm,
	       big_endian ? "big" : "little");
	if (k.slots == 2)
		sb_add(&s, "\nslot 2: opcode 0x%02x, regs 0, off %d, imm %d (0x%08x) = upper 32 bits",
		       in[1].code, in[1].off, in[1].imm, (uint32_t)in[1].imm);
	sb_add(&s, "\nmeaning: ");
	explain_meaning(&s, in, big_endian, &k);
	return k.slots;
}
