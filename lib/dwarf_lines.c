/* lib/dwarf_lines.c — DWARF line tables (.debug_line, versions 2 to 5, 32-
 * and 64-bit) of a BPF object, for `obj dump -S`, and the source files they
 * name. The lookup copies llvm-objdump's (LLVM 14) so the two print the same
 * lines: the row of an instruction is the last row at or below its address in
 * the sequence that covers it, sequences are told apart by the section their
 * DW_LNE_set_address relocation names, file names are built from the CU's
 * DW_AT_comp_dir, the directory table and the file name.
 *
 * Why not libdw for the rows: libdw (0.188) sorts all rows of a table by
 * address and applies no relocations in ET_REL files, so in an object with
 * several program sections (every sequence starting at 0) it cannot say
 * which section a row belongs to. libdw is used for the CU walk instead
 * (DW_AT_stmt_list, DW_AT_comp_dir, whose string forms need .debug_str_offsets,
 * and the CU's address ranges, which pick the CU for an address as in LLVM).
 * The line program is read here with every read bounds-checked: damaged
 * DWARF drops the table with a warning, it never crashes. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpfkit/elfobj.h>
#include "dwarf_lines.h"
#include "internal.h"

#define SEC_UNDEF SIZE_MAX
#define NO_FILE UINT32_MAX
#define DW_LNCT_LLVM_SOURCE 0x2001
#define MAX_SOURCE (64 << 20)	/* bytes of one source file */

struct dl_row {
	uint64_t addr;
	size_t sec;
	uint32_t line;
	uint32_t file;		/* index into dl->paths, NO_FILE when the table has no such file */
};

struct dl_seq {
	size_t table;		/* index into dl->tables (its CU) */
	size_t sec;
	uint64_t lo, hi;
	size_t first, last;	/* rows [first, last), last - 1 is the end_sequence row */
};

/* One CU's line table: its sequences (a run of dl->seqs) and the CU's
 * address ranges, which pick the CU for an address as LLVM does (by address
 * alone, without the section) */
struct dl_table {
	size_t seq_first, seq_end;
	uint64_t (*ranges)[2];
	size_t nranges;
};

struct src_file {
	char *path;
	char *buf;		/* the file, newlines replaced by NULs */
	const char **lines;
	size_t nlines;
	bool missing, warned;
};

struct dwarf_lines {
	const char *name;
	struct dl_row *rows;
	size_t nrows, cap_rows;
	struct dl_seq *seqs;
	size_t nseqs, cap_seqs;
	struct dl_table *tables;
	size_t ntables;
	char **paths;
	size_t npaths, cap_paths;
	struct src_file *srcs;
	size_t nsrcs;
};

static int add_embedded(struct dwarf_lines *dl, const char *path, const char *text);

/* a bounds-checked cursor; any read past END sets ERR and returns 0 */
struct rd {
	const uint8_t *p;
	size_t pos, end;
	bool swap, err;
};

static uint64_t rd_n(struct rd *r, size_t n)
{
	uint64_t v = 0;

	if (r->err || n > 8 || r->pos > r->end || n > r->end - r->pos) {
		r->err = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		/* little-endian unless the object's byte order says otherwise */
		size_t k = r->swap ? i : n - 1 - i;

		v = (v << 8) | r->p[r->pos + k];
	}
	r->pos += n;
	return v;
}

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (!r->err) {
		if (r->pos >= r->end) {
			r->err = true;
			break;
		}
		uint8_t b = r->p[r->pos++];

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	while (!r->err) {
		if (r->pos >= r->end) {
			r->err = true;
			return 0;
		}
		b = r->p[r->pos++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static const char *rd_cstr(struct rd *r)
{
	const char *s;
	const void *nul;

	if (r->err || r->pos >= r->end) {
		r->err = true;
		return NULL;
	}
	s = (const char *)r->p + r->pos;
	nul = memchr(s, 0, r->end - r->pos);
	if (!nul) {
		r->err = true;
		return NULL;
	}
	r->pos += (const char *)nul - s + 1;
	return s;
}

/* A NUL-terminated string at OFF of string section SEC, or NULL. */
static const char *sec_str(const struct bpfkit_elf_section *sec, uint64_t off)
{
	if (!sec || !sec->data || off >= sec->data_size)
		return NULL;
	if (!memchr((const char *)sec->data + off, 0, sec->data_size - off))
		return NULL;
	return (const char *)sec->data + off;
}

struct table_ctx {
	struct bpfkit_elf *elf;
	const struct bpfkit_elf_reloc *relocs;	/* of .debug_line, sorted */
	size_t nrelocs;
	const struct bpfkit_elf_section *line_str, *str;
};

static const struct bpfkit_elf_reloc *reloc_at(const struct table_ctx *c, uint64_t off)
{
	size_t lo = 0, hi = c->nrelocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->relocs[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nrelocs && c->relocs[lo].offset == off ? &c->relocs[lo] : NULL;
}

/* A value of FORM that holds a string offset or a number; STR set for strings. */
static uint64_t rd_form(struct rd *r, const struct table_ctx *c, uint64_t form, int offsz,
			const char **str)
{
	uint64_t v = 0, at = r->pos;
	const struct bpfkit_elf_reloc *rel;

	*str = NULL;
	switch (form) {
	case DW_FORM_string: *str = rd_cstr(r); return 0;
	case DW_FORM_line_strp:
	case DW_FORM_strp:
		v = rd_n(r, offsz);
		/* REL relocations keep the addend in place; add the symbol's value */
		rel = reloc_at(c, at);
		if (rel)
			v += rel->sym_value;
		*str = sec_str(form == DW_FORM_strp ? c->str : c->line_str, v);
		if (!*str)
			*str = "";
		return v;
	case DW_FORM_sec_offset: return rd_n(r, offsz);
	case DW_FORM_udata: return rd_uleb(r);
	case DW_FORM_sdata: return (uint64_t)rd_sleb(r);
	case DW_FORM_data1: case DW_FORM_flag: case DW_FORM_strx1: return rd_n(r, 1);
	case DW_FORM_data2: case DW_FORM_strx2: return rd_n(r, 2);
	case DW_FORM_strx3: return rd_n(r, 3);
	case DW_FORM_data4: case DW_FORM_strx4: return rd_n(r, 4);
	case DW_FORM_data8: return rd_n(r, 8);
	case DW_FORM_strx: return rd_uleb(r);
	case DW_FORM_data16: rd_n(r, 8); rd_n(r, 8); return 0;
	case DW_FORM_block: v = rd_uleb(r); break;
	case DW_FORM_block1: v = rd_n(r, 1); break;
	case DW_FORM_block2: v = rd_n(r, 2); break;
	case DW_FORM_block4: v = rd_n(r, 4); break;
	default: r->err = true; return 0;
	}
	if (v > r->end - r->pos)
		r->err = true;
	else
		r->pos += v;
	return 0;
}

static bool is_abs(const char *p) { return p && p[0] == '/'; }

/* llvm::sys::path::append for POSIX paths */
static void path_append(char *buf, size_t sz, const char *comp)
{
	size_t n = strlen(buf);

	if (n && buf[n - 1] == '/') {
		while (*comp == '/')
			comp++;
	} else if (n && comp[0] != '/' && n + 1 < sz) {
		buf[n++] = '/';
		buf[n] = 0;
	}
	snprintf(buf + n, sz - n, "%s", comp);
}

/* The path LLVM 14's Prologue::getFileNameByIndex builds for the absolute
 * kind: NAME if absolute, else [COMP_DIR/]INC/NAME (COMP_DIR only when INC
 * is relative), into BUF. */
static void full_path(char *buf, size_t sz, const char *comp_dir, const char *inc, const char *name)
{
	buf[0] = 0;
	if (is_abs(name)) {
		snprintf(buf, sz, "%s", name);
		return;
	}
	if (comp_dir && comp_dir[0] && !is_abs(inc))
		path_append(buf, sz, comp_dir);
	path_append(buf, sz, inc);
	path_append(buf, sz, name);
}

static int add_path(struct dwarf_lines *dl, const char *p)
{
	if (dl->npaths == dl->cap_paths) {
		size_t cap = dl->cap_paths ? dl->cap_paths * 2 : 16;
		char **g = realloc(dl->paths, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		dl->paths = g;
		dl->cap_paths = cap;
	}
	dl->paths[dl->npaths] = strdup(p);
	if (!dl->paths[dl->npaths])
		return -ENOMEM;
	dl->npaths++;
	return 0;
}

static int add_row(struct dwarf_lines *dl, const struct dl_row *row)
{
	if (dl->nrows == dl->cap_rows) {
		size_t cap = dl->cap_rows ? dl->cap_rows * 2 : 256;
		struct dl_row *g = realloc(dl->rows, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		dl->rows = g;
		dl->cap_rows = cap;
	}
	dl->rows[dl->nrows++] = *row;
	return 0;
}

static int add_seq(struct dwarf_lines *dl, const struct dl_seq *s)
{
	if (dl->nseqs == dl->cap_seqs) {
		size_t cap = dl->cap_seqs ? dl->cap_seqs * 2 : 16;
		struct dl_seq *g = realloc(dl->seqs, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		dl->seqs = g;
		dl->cap_seqs = cap;
	}
	dl->seqs[dl->nseqs] = *s;
	dl->seqs[dl->nseqs++].table = dl->ntables - 1;
	return 0;
}

#define MAX_ENTRIES 65536

/* Parses the table at OFF of .debug_line (DATA/SIZE). *NEXT is the offset
 * after it. Returns 0, -EINVAL for a damaged table, -ENOMEM. */
static int parse_table(struct dwarf_lines *dl, const struct table_ctx *c, const uint8_t *data,
		       size_t size, size_t off, const char *comp_dir, bool swap, size_t *next)
{
	struct rd r = { .p = data, .pos = off, .end = size, .swap = swap };
	uint64_t unit_len, hdr_len;
	int offsz = 4, version;
	size_t prog, unit_end;
	uint8_t min_inst, line_range, opcode_base;
	int8_t line_base;
	uint8_t std_len[256] = { 0 };
	const char **dirv = NULL;
	uint32_t *file_map = NULL;	/* table file index -> dl->paths index */
	size_t ndirs = 0, nfiles = 0;
	int err = -EINVAL;

	unit_len = rd_n(&r, 4);
	if (unit_len == 0xffffffff) {
		offsz = 8;
		unit_len = rd_n(&r, 8);
	}
	if (r.err || unit_len > size - r.pos)
		return -EINVAL;
	unit_end = r.pos + unit_len;
	*next = unit_end;
	r.end = unit_end;
	version = rd_n(&r, 2);
	if (version < 2 || version > 5)
		return -EINVAL;
	if (version >= 5) {
		uint8_t asz = rd_n(&r, 1);

		rd_n(&r, 1);	/* segment selector size */
		if (asz != 8 && asz != 4)
			return -EINVAL;
	}
	hdr_len = rd_n(&r, offsz);
	if (r.err || hdr_len > unit_end - r.pos)
		return -EINVAL;
	prog = r.pos + hdr_len;
	min_inst = rd_n(&r, 1);
	if (version >= 4)
		rd_n(&r, 1);	/* max_ops_per_inst: LLVM 14 ignores it too */
	rd_n(&r, 1);		/* default_is_stmt */
	line_base = (int8_t)rd_n(&r, 1);
	line_range = rd_n(&r, 1);
	opcode_base = rd_n(&r, 1);
	if (r.err || !line_range || !opcode_base)
		return -EINVAL;
	for (int i = 1; i < opcode_base; i++)
		std_len[i] = rd_n(&r, 1);

	/* directories and files: full paths go into dl->paths */
	if (version >= 5) {
		for (int pass = 0; pass < 2 && !r.err; pass++) {
			uint64_t fmt[2 * 64];
			uint8_t nfmt = rd_n(&r, 1);
			uint64_t cnt;

			if (nfmt > 64)
				goto out;
			for (int i = 0; i < nfmt; i++) {
				fmt[2 * i] = rd_uleb(&r);
				fmt[2 * i + 1] = rd_uleb(&r);
			}
			cnt = rd_uleb(&r);
			if (r.err || cnt > MAX_ENTRIES || cnt > unit_end - r.pos)
				goto out;
			if (pass == 0) {
				dirv = calloc(cnt ?: 1, sizeof(*dirv));
				if (!dirv) {
					err = -ENOMEM;
					goto out;
				}
			} else {
				file_map = calloc(cnt ?: 1, sizeof(*file_map));
				if (!file_map) {
					err = -ENOMEM;
					goto out;
				}
			}
			for (uint64_t e = 0; e < cnt && !r.err; e++) {
				const char *path = NULL, *text = NULL, *s;
				uint64_t dir = 0, v;

				for (int i = 0; i < nfmt; i++) {
					v = rd_form(&r, c, fmt[2 * i + 1], offsz, &s);
					if (fmt[2 * i] == DW_LNCT_path)
						path = s;
					else if (fmt[2 * i] == DW_LNCT_directory_index)
						dir = v;
					else if (fmt[2 * i] == DW_LNCT_LLVM_SOURCE)
						text = s;
				}
				if (pass == 0) {
					dirv[ndirs++] = path ?: "";
					continue;
				}
				/* version 5: directory 0 is the compilation directory */
				char full[4096];

				full_path(full, sizeof(full), comp_dir, dir < ndirs ? dirv[dir] : "", path ?: "");
				if ((err = add_path(dl, full)) || (text && (err = add_embedded(dl, full, text))))
					goto out;
				file_map[nfiles++] = dl->npaths - 1;
				err = -EINVAL;
			}
		}
	} else {
		const char *s;

		dirv = calloc(MAX_ENTRIES, sizeof(*dirv));
		file_map = calloc(MAX_ENTRIES, sizeof(*file_map));
		if (!dirv || !file_map) {
			err = -ENOMEM;
			goto out;
		}
		while ((s = rd_cstr(&r)) && s[0] && ndirs < MAX_ENTRIES)
			dirv[ndirs++] = s;
		while ((s = rd_cstr(&r)) && s[0] && nfiles < MAX_ENTRIES) {
			uint64_t dir = rd_uleb(&r);
			char full[4096];

			rd_uleb(&r);	/* mtime */
			rd_uleb(&r);	/* length */
			/* before version 5 directories count from 1; 0 is none */
			full_path(full, sizeof(full), comp_dir, dir > 0 && dir <= ndirs ? dirv[dir - 1] : "", s);
			if ((err = add_path(dl, full)))
				goto out;
			file_map[nfiles++] = dl->npaths - 1;
			err = -EINVAL;
		}
	}
	if (r.err)
		goto out;

	/* the line program */
	r.pos = prog;
	struct dl_row st;
	struct dl_seq seq;
	bool seq_empty;
	uint32_t file_idx;

#define RESET() do { st = (struct dl_row){ .addr = 0, .sec = SEC_UNDEF, .line = 1 }; \
		     file_idx = 1; seq_empty = true; } while (0)
	/* version 5 numbers files from 0, older versions from 1 */
#define FILE_OF(i) (version >= 5 ? ((i) < nfiles ? file_map[i] : NO_FILE) \
			      : ((i) >= 1 && (i) <= nfiles ? file_map[(i) - 1] : NO_FILE))
#define EMIT(end) do {								\
		st.file = FILE_OF(file_idx);					\
		if (seq_empty) {						\
			seq_empty = false;					\
			seq.lo = st.addr;					\
			seq.first = dl->nrows;					\
		}								\
		if ((err = add_row(dl, &st)))					\
			goto out;						\
		if (end) {							\
			seq.hi = st.addr;					\
			seq.last = dl->nrows;					\
			seq.sec = st.sec;					\
			if (seq.lo < seq.hi && (err = add_seq(dl, &seq)))	\
				goto out;					\
			RESET();						\
		}								\
		err = -EINVAL;							\
	} while (0)

	RESET();
	while (r.pos < unit_end && !r.err) {
		uint8_t op = rd_n(&r, 1);

		if (op >= opcode_base) {
			uint8_t adj = op - opcode_base;

			st.addr += (uint64_t)(adj / line_range) * min_inst;
			st.line += line_base + adj % line_range;
			EMIT(false);
			continue;
		}
		switch (op) {
		case 0: {
			uint64_t len = rd_uleb(&r);
			size_t start = r.pos;
			uint8_t sub;

			if (r.err || len == 0 || len > unit_end - r.pos)
				goto out;
			sub = rd_n(&r, 1);
			if (sub == DW_LNE_end_sequence) {
				EMIT(true);
			} else if (sub == DW_LNE_set_address && (len - 1 == 8 || len - 1 == 4)) {
				const struct bpfkit_elf_reloc *rel = reloc_at(c, r.pos);

				st.addr = rd_n(&r, len - 1);
				st.sec = SEC_UNDEF;
				if (rel) {
					st.addr += rel->sym_value;
					st.sec = rel->sym_shndx;
				}
			}
			/* define_file, set_discriminator, vendor ops: skipped */
			r.pos = start + len;
			break;
		}
		case DW_LNS_copy: EMIT(false); break;
		case DW_LNS_advance_pc: st.addr += rd_uleb(&r) * min_inst; break;
		case DW_LNS_advance_line: st.line += (int32_t)rd_sleb(&r); break;
		case DW_LNS_set_file: file_idx = rd_uleb(&r); break;
		case DW_LNS_const_add_pc: st.addr += (uint64_t)((255 - opcode_base) / line_range) * min_inst; break;
		case DW_LNS_fixed_advance_pc: st.addr += rd_n(&r, 2); break;
		case DW_LNS_set_column:
		case DW_LNS_set_isa:
			rd_uleb(&r);
			break;
		case DW_LNS_negate_stmt:
		case DW_LNS_set_basic_block:
		case DW_LNS_set_prologue_end:
		case DW_LNS_set_epilogue_begin:
			break;
		default:
			/* an opcode this reader does not know: skip its operands */
			for (int i = 0; i < std_len[op]; i++)
				rd_uleb(&r);
		}
	}
#undef EMIT
#undef FILE_OF
#undef RESET
	err = r.err ? -EINVAL : 0;
out:
	free(dirv);
	free(file_map);
	return err;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct dl_seq *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* (stmt_list, comp_dir, address ranges) of each CU through libdw */
struct cu_ref {
	uint64_t stmt;
	const char *comp_dir;
	uint64_t (*ranges)[2];
	size_t nranges;
};

#define MAX_RANGES 4096

static size_t walk_cus(Elf *handle, Dwarf **dwp, struct cu_ref *cus, size_t max)
{
	Dwarf *dw = handle ? dwarf_begin_elf(handle, DWARF_C_READ, NULL) : NULL;
	Dwarf_Off off = 0, next;
	size_t hsize, n = 0;

	*dwp = dw;
	if (!dw)
		return 0;
	while (n < max && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die die;
		Dwarf_Attribute at;
		Dwarf_Word stmt;

		if (dwarf_offdie(dw, off + hsize, &die) &&
		    dwarf_attr(&die, DW_AT_stmt_list, &at) && dwarf_formudata(&at, &stmt) == 0) {
			struct cu_ref *cu = &cus[n++];
			Dwarf_Addr base, lo, hi;
			ptrdiff_t ro = 0;

			memset(cu, 0, sizeof(*cu));
			cu->stmt = stmt;
			cu->comp_dir = dwarf_attr(&die, DW_AT_comp_dir, &at) ? dwarf_formstring(&at) : NULL;
			while (cu->nranges < MAX_RANGES && (ro = dwarf_ranges(&die, ro, &base, &lo, &hi)) > 0) {
				uint64_t (*g)[2] = realloc(cu->ranges, (cu->nranges + 1) * sizeof(*g));

				if (!g)
					break;
				cu->ranges = g;
				cu->ranges[cu->nranges][0] = lo;
				cu->ranges[cu->nranges++][1] = hi;
			}
		}
		off = next;
	}
	return n;
}

struct dwarf_lines *dwarf_lines__load(struct bpfkit_elf *elf, Elf *handle, const char *name)
{
	const struct bpfkit_elf_section *sec = bpfkit_elf__section_by_name(elf, ".debug_line");
	struct table_ctx c = { .elf = elf };
	struct dwarf_lines *dl;
	struct cu_ref cus[64];
	Dwarf *dw = NULL;
	size_t ncus, next;
	bool swap = bpfkit_elf__big_endian(elf) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	int err = 0;

	if (!sec || !sec->data || !sec->data_size)
		return NULL;
	dl = calloc(1, sizeof(*dl));
	if (!dl)
		return NULL;
	dl->name = name;
	c.relocs = bpfkit_elf__relocs(elf, sec->index, &c.nrelocs);
	c.line_str = bpfkit_elf__section_by_name(elf, ".debug_line_str");
	c.str = bpfkit_elf__section_by_name(elf, ".debug_str");
	ncus = walk_cus(handle, &dw, cus, sizeof(cus) / sizeof(cus[0]));
	/* without a CU (no .debug_info, as with -gline-directives-only) no
	 * address has a line: llvm-objdump prints none either */
	dl->tables = calloc(ncus ?: 1, sizeof(*dl->tables));
	if (!dl->tables)
		err = -ENOMEM;
	for (size_t i = 0; i < ncus && !err; i++) {
		dl->tables[i].ranges = cus[i].ranges;
		dl->tables[i].nranges = cus[i].nranges;
		cus[i].ranges = NULL;
		dl->ntables = i + 1;
		if (cus[i].stmt < sec->data_size)
			err = parse_table(dl, &c, sec->data, sec->data_size, cus[i].stmt, cus[i].comp_dir, swap,
					  &next);
	}
	for (size_t i = 0; i < ncus; i++)
		free(cus[i].ranges);
	if (dw)
		dwarf_end(dw);	/* comp_dir strings were copied into paths */
	if (err) {
		pr_warn("%s: .debug_line is %s; using BTF line info\n", name,
			err == -ENOMEM ? "too big" : "corrupt");
		dwarf_lines__free(dl);
		return NULL;
	}
	if (dl->nseqs)
		qsort(dl->seqs, dl->nseqs, sizeof(*dl->seqs), cmp_seq);
	for (size_t i = 0, t = 0; t < dl->ntables; t++) {
		dl->tables[t].seq_first = i;
		while (i < dl->nseqs && dl->seqs[i].table == t)
			i++;
		dl->tables[t].seq_end = i;
	}
	return dl;
}

void dwarf_lines__free(struct dwarf_lines *dl)
{
	if (!dl)
		return;
	for (size_t i = 0; i < dl->npaths; i++)
		free(dl->paths[i]);
	for (size_t i = 0; i < dl->nsrcs; i++) {
		free(dl->srcs[i].path);
		free(dl->srcs[i].buf);
		free(dl->srcs[i].lines);
	}
	free(dl->srcs);
	free(dl->paths);
	free(dl->rows);
	free(dl->seqs);
	for (size_t i = 0; i < dl->ntables; i++)
		free(dl->tables[i].ranges);
	free(dl->tables);
	free(dl);
}

static bool row_le(const struct dl_row *row, size_t sec, uint64_t addr)
{
	return row->sec < sec || (row->sec == sec && row->addr <= addr);
}

/* LLVM 14's LineTable::lookupAddressImpl + findRowInSeq, in table T */
static long lookup(const struct dwarf_lines *dl, const struct dl_table *t, size_t sec, uint64_t addr)
{
	size_t lo = t->seq_first, hi = t->seq_end;
	const struct dl_seq *s;

	/* first sequence ordered after (sec, addr) by (section, end) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dl_seq *m = &dl->seqs[mid];

		if (m->sec < sec || (m->sec == sec && m->hi <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->seq_end)
		return -1;
	s = &dl->seqs[lo];
	if (s->sec != sec || addr < s->lo || addr >= s->hi)
		return -1;
	/* the last row at or below ADDR: upper bound over rows [first+1, last-1) */
	lo = s->first + 1;
	hi = s->last - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row_le(&dl->rows[mid], sec, addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

int dwarf_lines__find(const struct dwarf_lines *dl, size_t sec, uint64_t off, const char **file,
		      uint32_t *line)
{
	const struct dl_table *t = NULL;
	long r;

	/* the CU whose ranges hold the address (the address alone: LLVM's
	 * DWARFContext::getCompileUnitForAddress ignores the section) */
	for (size_t i = 0; i < dl->ntables && !t; i++)
		for (size_t j = 0; j < dl->tables[i].nranges; j++)
			if (dl->tables[i].ranges[j][0] <= off && off < dl->tables[i].ranges[j][1]) {
				t = &dl->tables[i];
				break;
			}
	if (!t)
		return 0;
	r = lookup(dl, t, sec, off);
	/* then as an absolute address, for sequences without a relocation */
	if (r < 0)
		r = lookup(dl, t, SEC_UNDEF, off);
	if (r < 0 || dl->rows[r].file == NO_FILE)
		return 0;
	*file = dl->paths[dl->rows[r].file];
	*line = dl->rows[r].line;
	return 1;
}

/* Splits F->buf (SIZE bytes, NUL-terminated) into lines, as llvm-objdump
 * does: one per '\n', plus an unterminated last line. */
static void split_lines(struct src_file *f, size_t size)
{
	size_t cap = 0;

	for (size_t i = 0, start = 0; i <= size; i++) {
		if (i < size && f->buf[i] != '\n')
			continue;
		if (i == size && start == size)
			break;
		if (f->nlines == cap) {
			const char **gl;

			cap = cap ? cap * 2 : 256;
			gl = realloc(f->lines, cap * sizeof(*gl));
			if (!gl) {
				f->missing = true;
				return;
			}
			f->lines = gl;
		}
		f->buf[i] = 0;
		f->lines[f->nlines++] = f->buf + start;
		start = i + 1;
	}
}

static struct src_file *find_source(struct dwarf_lines *dl, const char *path)
{
	for (size_t i = 0; i < dl->nsrcs; i++)
		if (!strcmp(dl->srcs[i].path, path))
			return &dl->srcs[i];
	return NULL;
}

static struct src_file *new_source(struct dwarf_lines *dl, const char *path)
{
	struct src_file *f, *g = realloc(dl->srcs, (dl->nsrcs + 1) * sizeof(*g));

	if (!g)
		return NULL;
	dl->srcs = g;
	f = &dl->srcs[dl->nsrcs];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	dl->nsrcs++;
	return f;
}

/* -gembed-source: the table carries the file's text, which llvm-objdump
 * prefers to the file on disk (the first table naming a path wins) */
static int add_embedded(struct dwarf_lines *dl, const char *path, const char *text)
{
	struct src_file *f;
	size_t len = strlen(text);

	if (find_source(dl, path))
		return 0;
	f = new_source(dl, path);
	if (!f || !(f->buf = malloc(len + 1)))
		return -ENOMEM;
	memcpy(f->buf, text, len + 1);
	split_lines(f, len);
	return 0;
}

static struct src_file *load_source(struct dwarf_lines *dl, const char *path)
{
	struct src_file *f = find_source(dl, path);
	struct stat st;
	size_t size = 0;
	int fd;

	if (f)
		return f;
	f = new_source(dl, path);
	if (!f)
		return NULL;
	/* regular files only (a damaged table may name a directory or a FIFO),
	 * of sane size; O_NONBLOCK so that a FIFO cannot hang the open */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size < MAX_SOURCE &&
	    (f->buf = malloc(st.st_size + 1))) {
		while (size < (size_t)st.st_size) {
			ssize_t got = read(fd, f->buf + size, st.st_size - size);

			if (got <= 0)
				break;
			size += got;
		}
	}
	if (fd >= 0)
		close(fd);
	if (!f->buf) {
		f->missing = true;
		pr_warn("%s: failed to find source %s\n", dl->name, path);
		return f;
	}
	f->buf[size] = 0;
	split_lines(f, size);
	return f;
}

const char *dwarf_lines__source(struct dwarf_lines *dl, const char *path, uint32_t line)
{
	struct src_file *f = load_source(dl, path);

	if (!f || f->missing || line == 0)
		return NULL;
	if (line > f->nlines) {
		if (!f->warned)
			pr_warn("%s: debug info line number %u exceeds the number of lines in %s\n", dl->name,
				line, path);
		f->warned = true;
		return NULL;
	}
	return f->lines[line - 1];
}
