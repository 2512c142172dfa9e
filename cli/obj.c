/* cli/obj.c — `bpfkit obj sections|dump FILE`: look inside a BPF object on
 * disk. `sections` prints the section table as llvm-readelf does, plus what
 * each section is to BPF; `dump` disassembles in llvm-objdump's syntax with
 * labels, relocations, helper names, source lines (-S) and a field-by-field
 * explanation of each encoding (--explain). */
#include <errno.h>
#include <stdarg.h>
#include <gelf.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpfkit/cfg.h>
#include <bpfkit/disasm.h>
#include <bpfkit/elfobj.h>
#include <bpfkit/json.h>
#include "cli.h"

static void obj_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit obj COMMAND FILE [OPTIONS]\n"
		"\n"
		"Commands:\n"
		"  sections FILE   the ELF section table (like llvm-readelf --sections) and what\n"
		"                  each section is to BPF: program (and its type), maps, license, BTF\n"
		"  dump FILE       disassembly in llvm-objdump's syntax\n"
		"\n"
		"`bpfkit obj COMMAND --help` for a command's options.\n");
}

static void sections_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit obj sections FILE [-j]\n"
		"\n"
		"Prints index, name, type, address, offset, size, entry size, flags, link, info\n"
		"and alignment of every section (llvm-readelf --sections layout), then the BPF\n"
		"role of the section: program (with libbpf's program type), maps, license, btf.\n"
		"\n"
		"  -j, --json   JSON output\n");
}

static void dump_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit obj dump FILE [--section S] [--prog NAME] [-S] [--raw] [--hex]\n"
		"                          [--no-show-raw-insn]\n"
		"                          [--explain] [--visual dot|svg|png [-o FILE]] [-j]\n"
		"\n"
		"Disassembles the executable sections of FILE in llvm-objdump's syntax.\n"
		"\n"
		"  -s, --section S  only section S\n"
		"  -P, --prog NAME  only function NAME\n"
		"  -S, --source     interleave source lines (DWARF line tables, else BTF line info)\n"
		"  -r, --raw        exactly llvm-objdump -d: no relocations, no helper names\n"
		"  -x, --hex, --print-imm-hex\n"
		"                   immediates, memory and jump offsets in hexadecimal\n"
		"                   (as llvm-objdump --print-imm-hex)\n"
		"      --no-show-raw-insn  no instruction bytes (as llvm-objdump)\n"
		"  -e, --explain    under each instruction, its fields and meaning\n"
		"  -V, --visual FMT the control-flow graph instead: dot, svg or png (svg/png\n"
		"                   need graphviz's dot and -o FILE); one section or --prog\n"
		"  -o, --output F   where --visual writes (default: stdout for dot)\n"
		"  -j, --json       JSON output\n");
}

static int open_elf(const char *path, struct bpfkit_elf **out)
{
	*out = bpfkit_elf__open_file(path);
	if (!*out) {
		/* the library already said why in one line */
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int do_sections(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bpfkit_elf *elf;
	struct bpfkit_json *jw = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_output = true; break;
		case 'h': sections_help(stdout); return EXIT_OK;
		default: return usage_error("obj sections", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error("obj sections", optind >= argc ? "missing FILE" : "unexpected argument '%s'",
				   argv[argc - 1]);
	if (open_elf(argv[optind], &elf))
		return EXIT_FAIL;
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	} else {
		printf("There are %zu section headers, starting at offset 0x%llx:\n\nSection Headers:\n"
		       "  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf Al  BPF\n",
		       bpfkit_elf__section_cnt(elf), (unsigned long long)bpfkit_elf__shoff(elf));
	}
	for (size_t i = 0; i < bpfkit_elf__section_cnt(elf); i++) {
		const struct bpfkit_elf_section *s = bpfkit_elf__section(elf, i);
		char tb[32], fb[32];
		const char *type = bpfkit_elf__section_type_str(s->type, tb, sizeof(tb));
		const char *flags = bpfkit_elf__section_flags_str(s->flags, fb, sizeof(fb));
		/* .text: the functions programs call, not a program of its own */
		const char *role = s->role && !strcmp(s->name, ".text") ? "functions" : s->role;

		if (jw) {
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_uint(jw, "index", i);
			bpfkit_json__kv_str(jw, "name", s->name);
			bpfkit_json__kv_str(jw, "type", type);
			bpfkit_json__kv_uint(jw, "address", s->addr);
			bpfkit_json__kv_uint(jw, "offset", s->offset);
			bpfkit_json__kv_uint(jw, "size", s->size);
			bpfkit_json__kv_uint(jw, "entsize", s->entsize);
			bpfkit_json__kv_str(jw, "flags", flags);
			bpfkit_json__kv_uint(jw, "link", s->link);
			bpfkit_json__kv_uint(jw, "info", s->info);
			bpfkit_json__kv_uint(jw, "align", s->align);
			if (role)
				bpfkit_json__kv_str(jw, "role", role);
			if (s->prog_type)
				bpfkit_json__kv_str(jw, "prog_type", s->prog_type);
			bpfkit_json__end_object(jw);
			continue;
		}
		/* llvm-readelf's columns: Type at 25, Address at 41; a longer
		 * name or type pushes the rest right by one space, no more */
		int col = printf("  [%2zu] %s", i, s->name);

		col += printf("%*s%s", col < 24 ? 25 - col : 1, "", type);
		printf("%*s%016llx %06llx %06llx %02llx %3s %2u %3u %2llu", col < 40 ? 41 - col : 1, "",
		       (unsigned long long)s->addr, (unsigned long long)s->offset,
		       (unsigned long long)s->size, (unsigned long long)s->entsize, flags, s->link,
		       s->info, (unsigned long long)s->align);
		if (role)
			printf("  %s", role);
		if (s->prog_type)
			printf(" (%s)", s->prog_type);
		else if (role && !strcmp(role, "program"))
			printf(" (type unknown)");	/* libbpf will not load it: see `bpfkit run` */
		putchar('\n');
	}
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	} else {
		printf("Key to Flags:\n  W (write), A (alloc), X (execute), M (merge), S (strings), I (info),\n"
		       "  L (link order), O (extra OS processing required), G (group), T (TLS),\n"
		       "  C (compressed), x (unknown), o (OS specific), E (exclude),\n"
		       "  R (retain), p (processor specific)\n");
	}
	bpfkit_elf__close(elf);
	return EXIT_OK;
}

/* ---- dump ---------------------------------------------------------------- */

struct label {
	uint64_t addr;
	const char *name;
	uint64_t size;
	bool func;
};

struct dump_ctx {
	struct bpfkit_elf *elf;
	const struct bpfkit_elf_section *sec;
	struct label *labels;	/* symbols of this section, sorted by address */
	size_t nlabels;
	const struct bpfkit_elf_reloc *relocs;
	size_t nrelocs;
	bool raw;
	size_t base;		/* slot index of insns[0] within the section (--prog slices) */
};

static int cmp_label(const void *a, const void *b)
{
	const struct label *x = a, *y = b;

	/* llvm-objdump's order: address, then symbol type (a function after a
	 * plain label), then name */
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->func != y->func)
		return x->func ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Last label at or before ADDR (labels are sorted), or NULL. */
static const struct label *label_before(const struct dump_ctx *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nlabels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->labels[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/* several labels at one address: llvm-objdump names the last in its order */
	return &d->labels[lo - 1];
}

static int jump_label(void *vctx, size_t idx, long target, char *buf, size_t sz)
{
	struct dump_ctx *d = vctx;
	const struct label *best;
	uint64_t addr;

	(void)idx;
	if (target < 0)
		return 0;
	addr = ((uint64_t)target + d->base) * 8;
	best = label_before(d, addr);
	if (!best)
		return 0;
	if (best->addr == addr) {
		size_t nl = strlen(best->name);

		if (nl + 4 > sz)
			return 0;
		buf[0] = ' ';
		buf[1] = '<';
		memcpy(buf + 2, best->name, nl);
		buf[nl + 2] = '>';
		buf[nl + 3] = 0;
		return nl + 3;	/* a hot path: one per jump of big objects */
	}
	return snprintf(buf, sz, " <%s+0x%llx>", best->name, (unsigned long long)(addr - best->addr));
}

static const struct bpfkit_elf_reloc *reloc_at(const struct dump_ctx *d, uint64_t off)
{
	size_t lo = 0, hi = d->nrelocs;

	while (lo < hi) {	/* relocations are sorted by offset */
		size_t mid = lo + (hi - lo) / 2;

		if (d->relocs[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nrelocs && d->relocs[lo].offset == off ? &d->relocs[lo] : NULL;
}

static void collect_labels(struct dump_ctx *d)
{
	size_t n = bpfkit_elf__symbol_cnt(d->elf);

	d->labels = calloc(n ?: 1, sizeof(*d->labels));
	d->nlabels = 0;
	if (!d->labels)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct bpfkit_elf_symbol *s = bpfkit_elf__symbol(d->elf, i);

		if (s->shndx != d->sec->index || s->type == STT_SECTION || s->type == STT_FILE ||
		    !s->name[0])
			continue;
		d->labels[d->nlabels++] = (struct label){ s->value, s->name, s->size, s->type == STT_FUNC };
	}
	qsort(d->labels, d->nlabels, sizeof(*d->labels), cmp_label);
}

struct dump_opts {
	const char *section, *prog;
	bool source, raw, hex, explain;
	bool no_bytes;		/* --no-show-raw-insn */
};

/* "%8zu:\tBYTES\tTEXT[\t# ANN]\n" without printf: this runs once per
 * instruction and printf dominated the profile. Returns the length. */
static size_t insn_line(char *out, size_t sz, size_t idx, const uint8_t *p, int slots,
			const char *text, const char *ann, bool no_bytes)
{
	static const char hex[] = "0123456789abcdef";
	char num[24];
	size_t n = 0, nl = 0, tl = strlen(text), al = strlen(ann);

	if (sz < 8 + 2 + 16 * 3 + tl + al + 8)
		return snprintf(out, sz, "%8zu:\t<line too long>\n", idx);
	do {
		num[nl++] = '0' + idx % 10;
		idx /= 10;
	} while (idx);
	for (size_t pad = nl; pad < 8; pad++)
		out[n++] = ' ';
	while (nl)
		out[n++] = num[--nl];
	out[n++] = ':';
	out[n++] = '\t';
	for (int i = 0; i < slots * 8 && !no_bytes; i++) {
		if (i)
			out[n++] = ' ';
		out[n++] = hex[p[i] >> 4];
		out[n++] = hex[p[i] & 15];
	}
	if (!no_bytes)
		out[n++] = '\t';
	memcpy(out + n, text, tl);
	n += tl;
	if (al) {
		memcpy(out + n, "\t# ", 3);
		n += 3;
		memcpy(out + n, ann, al);
		n += al;
	}
	out[n++] = '\n';
	return n;
}

static void json_bytes(struct bpfkit_json *jw, const uint8_t *p, int slots)
{
	char hex[16 * 3 + 1];
	size_t n = 0;

	for (int i = 0; i < slots * 8; i++)
		n += snprintf(hex + n, sizeof(hex) - n, "%s%02x", i ? " " : "", p[i]);
	bpfkit_json__kv_str(jw, "bytes", hex);
}

/* The text that follows an instruction in the annotated (non-raw) view:
 * helper names and the symbols of relocations. */
static void annotation(const struct dump_ctx *d, const struct bpfkit_insn *in, uint64_t off,
		       char *buf, size_t sz)
{
	const struct bpfkit_elf_reloc *r;

	buf[0] = 0;
	/* only calls and wide loads carry names: skip the search for the rest */
	if (in->code != (BPF_JMP | BPF_CALL) && in->code != (BPF_LD | BPF_IMM | BPF_DW))
		return;
	r = reloc_at(d, off);
	if (in->code == (BPF_JMP | BPF_CALL) && in->src == 0 && !r) {
		const char *h = bpfkit_disasm__helper_name(in->imm);
		size_t hl = h ? strlen(h) : 0;

		if (h && hl < sz)
			memcpy(buf, h, hl + 1);
	} else if (in->code == (BPF_JMP | BPF_CALL) && r) {
		snprintf(buf, sz, "%s", r->sym);
		/* a static function: the call is relative to its section's symbol */
		if (r->sym_type == STT_SECTION) {
			uint64_t target = r->sym_value + ((int64_t)in->imm + 1) * 8;
			size_t ns = bpfkit_elf__symbol_cnt(d->elf);

			for (size_t i = 0; i < ns; i++) {
				const struct bpfkit_elf_symbol *s = bpfkit_elf__symbol(d->elf, i);

				if (s->shndx == r->sym_shndx && s->type == STT_FUNC && s->value == target) {
					snprintf(buf, sz, "%s", s->name);
					break;
				}
			}
		}
	} else if (r && in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (in->imm)
			snprintf(buf, sz, "%s+%d", r->sym, in->imm);
		else
			snprintf(buf, sz, "%s", r->sym);
	}
}

/* The listing goes through one big buffer: per-line stdio calls were a
 * third of the time on 100k-instruction objects. */
static char obuf[1 << 18];
static size_t olen;

static void ob_flush(void)
{
	if (olen)
		fwrite(obuf, 1, olen, stdout);
	olen = 0;
}

static void ob_write(const char *p, size_t n)
{
	if (olen + n > sizeof(obuf))
		ob_flush();
	if (n > sizeof(obuf)) {
		fwrite(p, 1, n, stdout);
		return;
	}
	memcpy(obuf + olen, p, n);
	olen += n;
}

static void __attribute__((format(printf, 1, 2))) ob_printf(const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		ob_write(tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* the last source line looked up, kept across sections as llvm-objdump does */
static struct {
	const char *file;
	uint32_t line;
} src_last = { "", 0 };

static int dump_section(struct bpfkit_elf *elf, const struct bpfkit_elf_section *sec,
			const struct dump_opts *o, struct bpfkit_json *jw, bool *printed_any)
{
	struct dump_ctx d = { .elf = elf, .sec = sec, .raw = o->raw };
	struct bpfkit_disasm_cbs cbs = { .ctx = &d, .jump_label = jump_label, .hex_imm = o->hex };
	bool be = bpfkit_elf__big_endian(elf);
	size_t n = sec->data_size / 8, nli = 0, li = 0;
	const struct bpfkit_line_info *lines = NULL;
	const struct bpfkit_line_info *last_li = NULL;
	const char *dw_file;
	uint32_t dw_line;
	bool dwarf;
	struct bpfkit_insn *insns;
	uint64_t prog_lo = 0, prog_hi = UINT64_MAX;
	bool header = false;
	size_t rcur = 0;	/* next relocation to print */

	insns = calloc(n ?: 1, sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	bpfkit_disasm__decode(sec->data, n, be, insns);
	collect_labels(&d);
	d.relocs = bpfkit_elf__relocs(elf, sec->index, &d.nrelocs);
	/* DWARF line tables when the object has them (what llvm-objdump -S
	 * reads), BTF line info otherwise (stripped objects) */
	dwarf = o->source && bpfkit_elf__dwarf_line(elf, sec->index, 0, &dw_file, &dw_line) != -ENOENT;
	if (o->source && !dwarf)
		lines = bpfkit_elf__line_info(elf, sec->index, &nli);
	if (o->prog) {
		bool found = false;

		for (size_t i = 0; i < d.nlabels; i++)
			if (d.labels[i].func && !strcmp(d.labels[i].name, o->prog)) {
				prog_lo = d.labels[i].addr;
				prog_hi = prog_lo + d.labels[i].size;
				found = true;
			}
		if (!found)
			goto out;
	}
	for (size_t i = 0, l = 0; i < n;) {
		uint64_t off = i * 8;
		char text[512], ann[256], expl[2048];
		int slots;

		slots = bpfkit_disasm__format(insns, n, i, &cbs, text, sizeof(text));
		if (off < prog_lo || off >= prog_hi) {
			i += slots;
			continue;
		}
		if (!header) {
			header = true;
			*printed_any = true;
			if (!jw)
				ob_printf("\nDisassembly of section %s:\n", sec->name);
		}
		while (l < d.nlabels && d.labels[l].addr < off)
			l++;
		/* several symbols at one address: llvm-objdump prints the last in its order */
		while (l + 1 < d.nlabels && d.labels[l].addr == off && d.labels[l + 1].addr == off)
			l++;
		if (l < d.nlabels && d.labels[l].addr == off) {
			if (!jw)
				ob_printf("\n%016llx <%s>:\n", (unsigned long long)off, d.labels[l].name);
			l++;
		}
		const char *src_line = NULL;

		/* llvm-objdump -S: every instruction is looked up; a line is printed
		 * when it differs from the last one looked up (across sections),
		 * never for line 0, and not when the source file is missing; an
		 * address without a row changes nothing */
		if (dwarf && bpfkit_elf__dwarf_line(elf, sec->index, off, &dw_file, &dw_line) == 1) {
			if (dw_line && !(src_last.line == dw_line && !strcmp(src_last.file, dw_file)))
				src_line = bpfkit_elf__source_line(elf, dw_file, dw_line);
			src_last.file = dw_file;
			src_last.line = dw_line;
		}
		while (li < nli && lines[li].insn_off < off)
			li++;
		/* like llvm-objdump -S: print when the (file, line) changes */
		if (li < nli && lines[li].insn_off == off && lines[li].line[0] &&
		    (!last_li || last_li->line_num != lines[li].line_num ||
		     strcmp(last_li->file, lines[li].file))) {
			last_li = &lines[li];
			src_line = last_li->line;
		}
		if (o->raw)
			ann[0] = 0;
		else
			annotation(&d, &insns[i], off, ann, sizeof(ann));
		if (o->explain)
			bpfkit_disasm__explain(insns, n, i, be, expl, sizeof(expl));
		if (jw) {
			const struct bpfkit_elf_reloc *r = reloc_at(&d, off);

			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_str(jw, "section", sec->name);
			if (l > 0 && d.labels[l - 1].addr <= off)
				bpfkit_json__kv_str(jw, "symbol", d.labels[l - 1].name);
			bpfkit_json__kv_uint(jw, "index", i);
			bpfkit_json__kv_uint(jw, "offset", off);
			json_bytes(jw, (const uint8_t *)sec->data + off, slots);
			bpfkit_json__kv_str(jw, "text", text);
			if (ann[0] && !o->raw)
				bpfkit_json__kv_str(jw, "comment", ann);
			if (r && !o->raw) {
				bpfkit_json__key(jw, "reloc");
				bpfkit_json__begin_object(jw);
				bpfkit_json__kv_str(jw, "type", bpfkit_elf__reloc_type_str(r->type));
				bpfkit_json__kv_str(jw, "symbol", r->sym);
				bpfkit_json__end_object(jw);
			}
			if (src_line)
				bpfkit_json__kv_str(jw, "source", src_line);
			if (o->explain)
				bpfkit_json__kv_str(jw, "explain", expl);
			bpfkit_json__end_object(jw);
		} else {
			if (src_line)
				ob_printf("; %s\n", src_line);
			/* straight into the output buffer: this is the hot path */
			if (olen + 1024 > sizeof(obuf))
				ob_flush();
			olen += insn_line(obuf + olen, 1024, i, (const uint8_t *)sec->data + off, slots, text,
					  ann, o->no_bytes);
			if (!o->raw)
				for (; rcur < d.nrelocs && d.relocs[rcur].offset < off + slots * 8; rcur++)
					if (d.relocs[rcur].offset >= off)
						ob_printf("\t\t%016llx:  %s\t%s\n", (unsigned long long)d.relocs[rcur].offset,
						       bpfkit_elf__reloc_type_str(d.relocs[rcur].type), d.relocs[rcur].sym);
			if (o->explain) {
				char *save = NULL;

				for (char *line = strtok_r(expl, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
					ob_printf("\t\t\t%s\n", line);
			}
		}
		i += slots;
	}
	if (sec->data_size % 8 && !o->prog) {
		size_t rest = sec->data_size % 8;

		if (jw) {
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_str(jw, "section", sec->name);
			bpfkit_json__kv_uint(jw, "offset", n * 8);
			bpfkit_json__kv_str(jw, "error", "trailing bytes: not a whole instruction");
			bpfkit_json__end_object(jw);
		} else {
			ob_printf("%8zu:\t<%zu trailing byte%s: section size %zu is not a multiple of 8>\n", n,
			       rest, rest > 1 ? "s" : "", (size_t)sec->data_size);
		}
		*printed_any = true;
	}
	for (size_t r = 0; r < d.nrelocs && !o->raw && !o->prog; r++)
		if (d.relocs[r].offset >= n * 8 && !jw)
			ob_printf("\t\t<relocation %s of '%s' at 0x%llx is outside the section (size 0x%zx)>\n",
			       bpfkit_elf__reloc_type_str(d.relocs[r].type), d.relocs[r].sym,
			       (unsigned long long)d.relocs[r].offset, (size_t)sec->data_size);
out:
	ob_flush();
	free(d.labels);
	free(insns);
	return 0;
}

/* --visual: the control-flow graph of one section (or one function). */
static int visual_section(struct bpfkit_elf *elf, const struct bpfkit_elf_section *sec,
			  const struct dump_opts *o, const char *visual, const char *outpath)
{
	struct dump_ctx d = { .elf = elf, .sec = sec };
	struct bpfkit_disasm_cbs cbs = { .ctx = &d, .jump_label = jump_label, .hex_imm = o->hex };
	size_t n = sec->data_size / 8, lo = 0, hi = n;
	struct bpfkit_insn *insns = calloc(n ?: 1, sizeof(*insns));
	struct bpfkit_cfg *cfg = NULL;
	char *dot = NULL, title[512];
	size_t dlen = 0;
	FILE *mem;
	int ret = EXIT_FAIL;

	if (!insns)
		return EXIT_FAIL;
	bpfkit_disasm__decode(sec->data, n, bpfkit_elf__big_endian(elf), insns);
	collect_labels(&d);
	snprintf(title, sizeof(title), "%s", sec->name);
	if (o->prog) {
		bool found = false;

		for (size_t i = 0; i < d.nlabels; i++)
			if (d.labels[i].func && !strcmp(d.labels[i].name, o->prog)) {
				lo = d.labels[i].addr / 8;
				hi = (d.labels[i].addr + d.labels[i].size) / 8;
				found = true;
			}
		if (!found || lo >= n || hi > n || lo >= hi) {
			cli_err("%s: no function '%s'", sec->name, o->prog);
			goto out;
		}
		snprintf(title, sizeof(title), "%s", o->prog);
	}
	d.base = lo;
	cfg = bpfkit_cfg__new(insns + lo, hi - lo);
	/* clusters carry the functions' symbol names */
	for (size_t f = 0; cfg && f < bpfkit_cfg__func_cnt(cfg); f++) {
		uint64_t addr = (lo + bpfkit_cfg__func_entry(cfg, f)) * 8;

		for (size_t i = 0; i < d.nlabels; i++)
			if (d.labels[i].func && d.labels[i].addr == addr) {
				bpfkit_cfg__set_func_name(cfg, f, d.labels[i].name);
				break;
			}
	}
	mem = cfg ? open_memstream(&dot, &dlen) : NULL;
	if (!mem)
		goto out;
	bpfkit_cfg__write_dot(cfg, insns + lo, hi - lo, &cbs, title, mem);
	if (fclose(mem))
		goto out;
	if (!strcmp(visual, "dot")) {
		FILE *f = outpath ? fopen(outpath, "we") : stdout;

		if (!f) {
			cli_err("%s: %s", outpath, strerror(errno));
			goto out;
		}
		fwrite(dot, 1, dlen, f);
		if (f != stdout && fclose(f)) {
			cli_err("%s: %s", outpath, strerror(errno));
			goto out;
		}
	} else if (bpfkit_cfg__render(dot, dlen, visual, outpath)) {
		goto out;
	}
	ret = EXIT_OK;
out:
	free(dot);
	bpfkit_cfg__free(cfg);
	free(d.labels);
	free(insns);
	return ret;
}

/* Why --section SECTION (and --prog PROG, when not NULL) selected nothing in
 * PATH: a section that is missing, holds no code or is empty; a function
 * that is missing, or is in another section than the one named. */
static void not_found(const struct bpfkit_elf *elf, const char *path, const char *section, const char *prog)
{
	const struct bpfkit_elf_section *s = section ? bpfkit_elf__section_by_name(elf, section) : NULL;
	const char *where = NULL;

	if (section && !s) {
		cli_err("%s: no section '%s' (bpfkit obj sections lists them)", path, section);
		return;
	}
	if (section && !prog) {
		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR))
			cli_err("%s: section '%s' holds no code", path, section);
		else
			cli_err("%s: section '%s' is empty (no instructions)", path, section);
		return;
	}
	for (size_t k = 0; k < bpfkit_elf__symbol_cnt(elf); k++) {
		const struct bpfkit_elf_symbol *sym = bpfkit_elf__symbol(elf, k);

		if (sym->type == STT_FUNC && !strcmp(sym->name, prog) && sym->shndx < bpfkit_elf__section_cnt(elf))
			where = bpfkit_elf__section(elf, sym->shndx)->name;
	}
	if (where && section)
		cli_err("%s: no function '%s' in section '%s' (it is in section '%s')", path, prog, section, where);
	else
		cli_err("%s: no function '%s'", path, prog);
}

static int do_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "section", required_argument, NULL, 's' },
		{ "prog", required_argument, NULL, 'P' },
		{ "source", no_argument, NULL, 'S' },
		{ "raw", no_argument, NULL, 'r' },
		{ "hex", no_argument, NULL, 'x' },
		{ "print-imm-hex", no_argument, NULL, 'x' },	/* llvm-objdump's name */
		{ "no-show-raw-insn", no_argument, NULL, 'B' },
		{ "explain", no_argument, NULL, 'e' },
		{ "visual", required_argument, NULL, 'V' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *visual = NULL, *outpath = NULL;
	struct dump_opts o = {};
	struct bpfkit_json *jw = NULL;
	struct bpfkit_elf *elf;
	bool any = false, sec_found = false;
	int c, ret = EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:P:SrxBeV:o:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'V': visual = optarg; break;
		case 'o': outpath = optarg; break;
		case 's': o.section = optarg; break;
		case 'P': o.prog = optarg; break;
		case 'S': o.source = true; break;
		case 'r': o.raw = true; break;
		case 'x': o.hex = true; break;
		case 'B': o.no_bytes = true; break;
		case 'e': o.explain = true; break;
		case 'j': json_output = true; break;
		case 'h': dump_help(stdout); return EXIT_OK;
		case ':': return usage_error("obj dump", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("obj dump", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("obj dump", "missing FILE");
	if (optind + 1 != argc)
		return usage_error("obj dump", "unexpected argument '%s'", argv[optind + 1]);
	if (visual && strcmp(visual, "dot") && strcmp(visual, "svg") && strcmp(visual, "png"))
		return usage_error("obj dump", "--visual wants dot, svg or png, not '%s'", visual);
	if (visual && strcmp(visual, "dot") && !outpath)
		return usage_error("obj dump", "--visual %s needs -o FILE", visual);
	if (visual && json_output)
		return usage_error("obj dump", "--visual draws a graph (DOT, SVG or PNG), never JSON: drop -j");
	/* options of the listing the graph has no place for: refused, not ignored */
	if (visual && (o.source || o.raw || o.no_bytes || o.explain))
		return usage_error("obj dump", "%s is for the listing; --visual draws the graph without it",
				   o.source ? "-S" : o.raw ? "--raw" : o.no_bytes ? "--no-show-raw-insn" : "--explain");
	if (outpath && !visual)
		return usage_error("obj dump", "-o FILE is where --visual writes; the listing goes to stdout");
	if (open_elf(argv[optind], &elf))
		return EXIT_FAIL;
	if (visual) {
		const struct bpfkit_elf_section *pick = NULL;
		int cnt = 0;

		for (size_t i = 1; i < bpfkit_elf__section_cnt(elf); i++) {
			const struct bpfkit_elf_section *s = bpfkit_elf__section(elf, i);

			if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR) || !s->data_size ||
			    (o.section && strcmp(o.section, s->name)))
				continue;
			/* with --prog, the section that defines the function */
			if (o.prog) {
				bool has = false;

				for (size_t k = 0; k < bpfkit_elf__symbol_cnt(elf); k++) {
					const struct bpfkit_elf_symbol *sym = bpfkit_elf__symbol(elf, k);

					has |= sym->shndx == i && sym->type == STT_FUNC && !strcmp(sym->name, o.prog);
				}
				if (!has)
					continue;
			}
			pick = s;
			cnt++;
		}
		if (cnt != 1) {
			if (cnt)
				ret = usage_error("obj dump", "--visual draws one section; %d match, choose with --section or --prog", cnt);
			else if (o.section || o.prog)
				not_found(elf, argv[optind], o.section, o.prog);
			else
				cli_err("%s: no code to draw (no executable section holds instructions)", argv[optind]);
			bpfkit_elf__close(elf);
			return cnt ? ret : EXIT_FAIL;
		}
		ret = visual_section(elf, pick, &o, visual, outpath);
		bpfkit_elf__close(elf);
		return ret;
	}
	/* big listings: fewer write(2)s */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	} else {
		printf("\n%s:\tfile format elf64-bpf\n", argv[optind]);
	}
	for (size_t i = 1; i < bpfkit_elf__section_cnt(elf); i++) {
		const struct bpfkit_elf_section *s = bpfkit_elf__section(elf, i);

		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR) || !s->data_size)
			continue;
		if (o.section && strcmp(o.section, s->name))
			continue;
		sec_found = true;
		if (dump_section(elf, s, &o, jw, &any)) {
			cli_err("out of memory");
			ret = EXIT_FAIL;
			break;
		}
	}
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	}
	if (ret == EXIT_OK && o.section && !sec_found) {
		not_found(elf, argv[optind], o.section, NULL);
		ret = EXIT_FAIL;
	} else if (ret == EXIT_OK && o.prog && !any) {
		not_found(elf, argv[optind], o.section, o.prog);
		ret = EXIT_FAIL;
	}
	bpfkit_elf__close(elf);
	return ret;
}

int do_obj(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "sections", do_sections, "section table" },
		{ "dump", do_dump, "disassembly" },
		{ 0 }
	};

	return dispatch("obj", cmds, argc - 1, argv + 1, obj_help);
}
