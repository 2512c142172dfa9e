/* lib/verifier_stack.c — what the object knows that the verifier log does
 * not say. (1) The source line of an instruction the error names but the log
 * never walked to ("unreachable insn 2": the check runs before the walk).
 * (2) A "combined stack size of N calls is M. Too large" refusal. The kernel checks the stack after walking the program
 * and prints no instruction for it, so the log cannot say which functions
 * add up: this file reads them from the object (lib/elfobj.c) — the
 * functions, the BPF-to-BPF calls between them, each one's stack use — and
 * names the deepest chain and the call that goes over 512 bytes, with its
 * source line from the BTF line info. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <bpfkit/elfobj.h>
#include <bpfkit/verifier.h>
#include "internal.h"
#include "verifier_int.h"

#define MAX_FUNCS 256
#define MAX_CALLS 512
#define MAX_DEPTH 8	/* MAX_CALL_FRAMES */

struct func {
	const char *name;
	size_t sec;
	uint64_t start, size;	/* bytes in the section */
	int stack;		/* bytes, rounded as the JIT rounds (16) */
};

struct call {
	int from, to;
	size_t sec;
	uint64_t off;		/* byte offset of the call insn in sec */
	size_t tsec;		/* where it jumps to, until resolved into 'to' */
	uint64_t toff;
};

struct graph {
	struct func f[MAX_FUNCS];
	int nf;
	struct call c[MAX_CALLS];
	int nc;
	/* best chain found */
	int best[MAX_DEPTH], best_call[MAX_DEPTH], best_n, best_sum;
	int cur[MAX_DEPTH], cur_call[MAX_DEPTH];
};

/* snprintf that may cut, on purpose (no truncation warning per call) */
static void say(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

static int func_at(const struct graph *g, size_t sec, uint64_t off)
{
	for (int i = 0; i < g->nf; i++)
		if (g->f[i].sec == sec && g->f[i].start == off)
			return i;
	return -1;
}

static int64_t imm32(const uint8_t *b)
{
	return (int32_t)(b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24);
}

static int16_t off16(const uint8_t *b)
{
	return (int16_t)(b[2] | b[3] << 8);
}

/* How deep below r10 the function's code reaches: stores and loads through
 * r10, and through registers computed as r10 + constant (the address of a
 * local passed on). */
static void scan_func(struct graph *g, int fi, struct bpfkit_elf *elf)
{
	struct func *f = &g->f[fi];
	const struct bpfkit_elf_section *s = bpfkit_elf__section(elf, f->sec);
	const uint8_t *d = s ? s->data : NULL;
	int fp_valid[11] = { 0 };
	int64_t fp_off[11] = { 0 }, depth = 0;
	size_t nrel = 0;
	const struct bpfkit_elf_reloc *rel = bpfkit_elf__relocs(elf, f->sec, &nrel);

	if (!d || f->start > s->data_size || f->size > s->data_size - f->start)
		return;		/* a damaged symbol table: no wrap-around past the data */
	for (uint64_t o = f->start; o + 8 <= f->start + f->size; o += 8) {
		const uint8_t *b = d + o;
		uint8_t code = b[0], dst = b[1] & 0xf, src = b[1] >> 4, cls = code & 7;
		int64_t a = 0;
		int mem = 0;

		if (dst > 10 || src > 10)
			continue;
		if (code == 0x18) {	/* ld_imm64: two slots */
			fp_valid[dst] = 0;
			o += 8;
			continue;
		}
		if (cls == 1 && src == 10) { a = off16(b); mem = 1; }			/* LDX */
		else if (cls == 1 && fp_valid[src]) { a = fp_off[src] + off16(b); mem = 1; }
		else if ((cls == 2 || cls == 3) && dst == 10) { a = off16(b); mem = 1; }	/* ST, STX */
		else if ((cls == 2 || cls == 3) && fp_valid[dst]) { a = fp_off[dst] + off16(b); mem = 1; }
		if (mem && -a > depth)
			depth = -a;
		if (cls == 1)
			fp_valid[dst] = 0;
		if (cls == 7) {		/* ALU64 */
			uint8_t op = code & 0xf0;

			if (op == 0xb0 && (code & 8)) {		/* mov reg */
				fp_valid[dst] = src == 10 || fp_valid[src];
				fp_off[dst] = src == 10 ? 0 : fp_off[src];
			} else if (op == 0x00 && !(code & 8) && fp_valid[dst]) {	/* add imm */
				fp_off[dst] += imm32(b);
				if (-fp_off[dst] > depth)
					depth = -fp_off[dst];
			} else if (dst != 10) {
				fp_valid[dst] = 0;
			}
		} else if (cls == 4 && dst != 10) {
			fp_valid[dst] = 0;
		}
		if (code == 0x85 && src == 1 && g->nc < MAX_CALLS) {	/* BPF_PSEUDO_CALL */
			size_t tsec = f->sec;
			uint64_t toff = o + (imm32(b) + 1) * 8;

			for (size_t r = 0; r < nrel; r++)
				if (rel[r].offset == o) {
					tsec = rel[r].sym_shndx;
					toff = rel[r].sym_value + (imm32(b) + 1) * 8;
				}
			/* 'to' is resolved once every function is known */
			g->c[g->nc] = (struct call){ .from = fi, .to = -1, .sec = f->sec, .off = o,
						     .tsec = tsec, .toff = toff };
			g->nc++;
			/* the callee may use r1-r5 as it likes */
			for (int r = 0; r <= 5; r++)
				fp_valid[r] = 0;
		}
	}
	/* clamped: a crafted object's huge offsets would overflow the int sums
	 * along call chains; anything past the 512-byte limit reads as huge */
	f->stack = depth > (1 << 20) ? 1 << 20 : (int)((depth + 15) & ~15);
}

static void dfs(struct graph *g, int fi, int n, int sum)
{
	g->cur[n] = fi;
	sum += g->f[fi].stack;
	n++;
	if (sum > g->best_sum) {
		g->best_sum = sum;
		g->best_n = n;
		memcpy(g->best, g->cur, sizeof(g->cur));
		memcpy(g->best_call, g->cur_call, sizeof(g->cur_call));
	}
	if (n >= MAX_DEPTH)
		return;
	for (int i = 0; i < g->nc; i++) {
		int on_path = 0;

		if (g->c[i].from != fi || g->c[i].to < 0)
			continue;
		for (int k = 0; k < n; k++)
			on_path |= g->cur[k] == g->c[i].to;
		if (on_path)
			continue;
		g->cur_call[n] = i;
		dfs(g, g->c[i].to, n, sum);
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Fills EX's summary with the source line of the instruction at byte offset
 * OFF of section SEC: the last line info at or before OFF and not before FROM. */
static void sum_source(struct bpfkit_verifier_explanation *ex, struct bpfkit_elf *elf, size_t sec,
		       uint64_t from, uint64_t off)
{
	size_t nli = 0;
	const struct bpfkit_line_info *li = bpfkit_elf__line_info(elf, sec, &nli);
	const struct bpfkit_line_info *at = NULL;

	for (size_t i = 0; li && i < nli; i++)
		if (li[i].insn_off >= from && li[i].insn_off <= off && li[i].line_num > 0)
			at = &li[i];
	if (!at)
		return;
	ex->sum.line = (int)at->line_num;
	snprintf(ex->sum.file, sizeof(ex->sum.file), "%s", base_name(at->file ? at->file : "?"));
	snprintf(ex->sum.file_line, sizeof(ex->sum.file_line), "%s:%d", ex->sum.file, ex->sum.line);
	snprintf(ex->sum.source, sizeof(ex->sum.source), "%s", at->line ? at->line : "");
	/* line info text keeps the source's indentation */
	char *t = ex->sum.source;
	size_t lead = strspn(t, " \t");
	memmove(t, t + lead, strlen(t + lead) + 1);
}

void verifier_stack_explain(const void *bytes, size_t size, const char *prog,
			    struct bpfkit_verifier_explanation *ex)
{
	struct bpfkit_elf *elf;
	struct graph *g;
	int root = -1;

	elf = bpfkit_elf__open_mem(bytes, size, "object");
	if (!elf)
		return;
	g = calloc(1, sizeof(*g));
	if (!g)
		goto out_elf;
	for (size_t i = 0; i < bpfkit_elf__symbol_cnt(elf) && g->nf < MAX_FUNCS; i++) {
		const struct bpfkit_elf_symbol *sym = bpfkit_elf__symbol(elf, i);
		const struct bpfkit_elf_section *s = sym ? bpfkit_elf__section(elf, sym->shndx) : NULL;

		if (!sym || sym->type != STT_FUNC || !s || !sym->name || !sym->size ||
		    !(s->role && !strcmp(s->role, "program")))
			continue;
		g->f[g->nf].name = sym->name;
		g->f[g->nf].sec = sym->shndx;
		g->f[g->nf].start = sym->value;
		g->f[g->nf].size = sym->size;
		if (!strcmp(sym->name, prog))
			root = g->nf;
		g->nf++;
	}
	if (root < 0)
		goto out;
	for (int i = 0; i < g->nf; i++)
		scan_func(g, i, elf);
	for (int i = 0; i < g->nc; i++)
		g->c[i].to = func_at(g, g->c[i].tsec, g->c[i].toff);
	dfs(g, root, 0, 0);
	if (g->best_n < 2)
		goto out;

	char chain[512];
	size_t used = 0;

	for (int k = 0; k < g->best_n && used + 64 < sizeof(chain); k++)
		used += snprintf(chain + used, sizeof(chain) - used, "%s%s() %d bytes",
				 k ? " -> " : "", g->f[g->best[k]].name, g->f[g->best[k]].stack);
	/* the call that makes the chain too deep: the first whose running sum
	 * passes 512, else the last one */
	int over = g->best_n - 1, sum = 0;

	for (int k = 0; k < g->best_n; k++) {
		sum += g->f[g->best[k]].stack;
		if (sum > 512 && k > 0) {
			over = k;
			break;
		}
	}
	const struct call *cl = &g->c[g->best_call[over]];
	const struct func *big = &g->f[g->best[0]];

	for (int k = 1; k < g->best_n; k++)
		if (g->f[g->best[k]].stack > big->stack)
			big = &g->f[g->best[k]];
	say(ex->detail, sizeof(ex->detail),
		 "the stacks of the functions along the call chain %s add up to about %d bytes, over "
		 "the 512 bytes a BPF program has in total (the verifier counts frames of non-inlined "
		 "functions together); the call from %s() to %s() is where it goes over: move the biggest "
		 "buffer (in %s()) into a one-entry BPF_MAP_TYPE_PERCPU_ARRAY map, or make a function static __always_inline "
		 "and its buffers smaller", chain, g->best_sum, g->f[cl->from].name, g->f[g->best[over]].name,
		 big->name);

	/* the call site's source line */
	sum_source(ex, elf, cl->sec, 0, cl->off);
out:
	free(g);
out_elf:
	bpfkit_elf__close(elf);
}

/* The source line of instruction IDX of program PROG (the main function's
 * instructions keep their ELF positions; subprograms libbpf appends after it
 * do not, so only indexes inside the main function are looked up). */
void verifier_insn_source(const void *bytes, size_t size, const char *prog, int idx,
			  struct bpfkit_verifier_explanation *ex)
{
	struct bpfkit_elf *elf;
	const struct bpfkit_elf_symbol *fn = NULL;

	if (idx < 0)
		return;
	elf = bpfkit_elf__open_mem(bytes, size, "object");
	if (!elf)
		return;
	for (size_t i = 0; i < bpfkit_elf__symbol_cnt(elf); i++) {
		const struct bpfkit_elf_symbol *sym = bpfkit_elf__symbol(elf, i);

		if (sym && sym->type == STT_FUNC && sym->name && !strcmp(sym->name, prog))
			fn = sym;
	}
	if (fn && (uint64_t)idx * 8 < fn->size) {
		sum_source(ex, elf, fn->shndx, fn->value, fn->value + (uint64_t)idx * 8);
	}
	bpfkit_elf__close(elf);
}
