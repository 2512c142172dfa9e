/* tests/unit/test_disasm_elfobj.c — the object reader on real objects (the
 * fuzz seeds) and on damaged copies: truncations at every length, a wrong
 * e_machine, a section outside the file, corrupt .BTF.ext line info. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/elfobj.h>
#include "test.h"

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz);
	if (buf && fread(buf, 1, sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*n = sz;
	return buf;
}

static int quiet(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(void)
{
	const char *dir = "../fuzz/corpus/fuzz_elfobj/";
	char path[256];
	size_t n, be_n;
	unsigned char *obj, *be;
	struct bpfkit_elf *e;

	bpfkit_set_print(quiet);
	snprintf(path, sizeof(path), "%sxdp-pass.o", dir);
	obj = slurp(path, &n);
	snprintf(path, sizeof(path), "%sisa-be.o", dir);
	be = slurp(path, &be_n);
	CHECK("seed objects readable", obj && be);
	if (!obj || !be)
		TEST_EXIT();

	e = bpfkit_elf__open_mem(obj, n, "xdp-pass.o");
	CHECK("opens a real object", e != NULL);
	if (e) {
		const struct bpfkit_elf_section *xdp = bpfkit_elf__section_by_name(e, "xdp");
		const struct bpfkit_elf_section *lic = bpfkit_elf__section_by_name(e, "license");
		const struct bpfkit_line_info *li;
		bool func = false;
		size_t nl;

		CHECK("little-endian", !bpfkit_elf__big_endian(e));
		CHECK("xdp is a program of type xdp", xdp && !strcmp(xdp->role, "program") &&
						       xdp->prog_type && !strcmp(xdp->prog_type, "xdp"));
		CHECK("license role", lic && !strcmp(lic->role, "license") && lic->data &&
				      !memcmp(lic->data, "Dual MIT/GPL", 13));
		for (size_t i = 0; i < bpfkit_elf__symbol_cnt(e); i++) {
			const struct bpfkit_elf_symbol *s = bpfkit_elf__symbol(e, i);

			func |= s->type == STT_FUNC && !strcmp(s->name, "xdp_pass") && xdp && s->shndx == xdp->index;
		}
		CHECK("symbol xdp_pass in section xdp", func);
		li = xdp ? bpfkit_elf__line_info(e, xdp->index, &nl) : NULL;
		CHECK("BTF line info for xdp", li && nl > 0 && li[0].line[0] && li[0].line_num > 0);
		CHECK("section 0 is NULL", bpfkit_elf__section(e, 0)->type == SHT_NULL);
		CHECK("no section past the end", bpfkit_elf__section(e, bpfkit_elf__section_cnt(e)) == NULL);
		bpfkit_elf__close(e);
	}
	e = bpfkit_elf__open_mem(be, be_n, "isa-be.o");
	CHECK("big-endian object", e && bpfkit_elf__big_endian(e));
	bpfkit_elf__close(e);

	/* DWARF line tables: a big-endian object with its source embedded
	 * (the seed's rows are in its llvm-dwarfdump --debug-line) */
	{
		size_t tn;
		unsigned char *tiny;
		const char *file = NULL;
		uint32_t line = 99;

		snprintf(path, sizeof(path), "%stiny-embed-be.o", dir);
		tiny = slurp(path, &tn);
		e = tiny ? bpfkit_elf__open_mem(tiny, tn, "tiny-embed-be.o") : NULL;
		CHECK("DWARF seed opens", e != NULL);
		if (e) {
			const struct bpfkit_elf_section *x = bpfkit_elf__section_by_name(e, "xdp");
			const struct bpfkit_elf_section *t = bpfkit_elf__section_by_name(e, ".text");
			size_t xi = x ? x->index : 0, ti = t ? t->index : 0;
			const char *src;

			CHECK("dwarf: xdp+0x8 is line 7 of tiny.c",
			      bpfkit_elf__dwarf_line(e, xi, 0x8, &file, &line) == 1 && line == 7 &&
			      strlen(file) > 6 && !strcmp(file + strlen(file) - 6, "tiny.c"));
			CHECK("dwarf: xdp+0x18 is line 0", bpfkit_elf__dwarf_line(e, xi, 0x18, &file, &line) == 1 && line == 0);
			CHECK("dwarf: xdp+0x28 is line 8", bpfkit_elf__dwarf_line(e, xi, 0x28, &file, &line) == 1 && line == 8);
			CHECK("dwarf: the end of the sequence has no row", bpfkit_elf__dwarf_line(e, xi, 0x38, &file, &line) == 0);
			CHECK("dwarf: .text+0x8 is line 3 (another sequence, same offsets)",
			      bpfkit_elf__dwarf_line(e, ti, 0x8, &file, &line) == 1 && line == 3);
			src = bpfkit_elf__source_line(e, file, 3);
			CHECK("embedded source text", src && !strcmp(src, "\treturn x * 2;"));
			CHECK("line past the end of the source", bpfkit_elf__source_line(e, file, 999) == NULL);
			CHECK("no such section", bpfkit_elf__dwarf_line(e, 999, 0, &file, &line) == 0);
			bpfkit_elf__close(e);
		}
		free(tiny);
	}
	/* BTF but no DWARF: the xdp-pass seed with .debug_line renamed */
	{
		unsigned char *c = malloc(n);
		const char *file;
		uint32_t line;
		size_t hit = 0;

		memcpy(c, obj, n);
		for (size_t i = 0; c && i + 11 < n; i++)
			if (!memcmp(c + i, ".debug_line", 11) && (c[i + 11] == 0 || c[i + 11] == '_')) {
				c[i + 1] = 'X';	/* .Xebug_line, .Xebug_line_str */
				hit++;
			}
		e = c ? bpfkit_elf__open_mem(c, n, "nodwarf") : NULL;
		CHECK("no DWARF line table: -ENOENT", hit && e && bpfkit_elf__dwarf_line(e, 3, 0, &file, &line) == -ENOENT);
		bpfkit_elf__close(e);
		free(c);
	}

	/* every truncation: an error or a consistent object, never a crash */
	{
		int opened = 0;

		for (size_t len = 0; len < n; len += 3) {
			e = bpfkit_elf__open_mem(obj, len, "trunc");
			opened += e != NULL;
			bpfkit_elf__close(e);
		}
		CHECK("truncated objects are refused", opened == 0);
	}
	/* wrong e_machine */
	{
		unsigned char *c = malloc(n);
		Elf64_Ehdr *eh = (Elf64_Ehdr *)c;

		memcpy(c, obj, n);
		eh->e_machine = EM_X86_64;
		errno = 0;
		e = bpfkit_elf__open_mem(c, n, "x86");
		CHECK("wrong e_machine refused", !e && errno == EINVAL);
		/* a section whose offset is past the end */
		memcpy(c, obj, n);
		for (int i = 1; i < eh->e_shnum; i++) {
			Elf64_Shdr *sh = (Elf64_Shdr *)(c + eh->e_shoff + (size_t)i * eh->e_shentsize);

			if (sh->sh_type == SHT_PROGBITS && sh->sh_size) {
				sh->sh_offset = n + 64;
				break;
			}
		}
		e = bpfkit_elf__open_mem(c, n, "badoff");
		CHECK("section outside the file refused", !e && errno == EINVAL);
		/* corrupt .BTF.ext: the line info length runs past the section */
		memcpy(c, obj, n);
		e = bpfkit_elf__open_mem(c, n, "ok");
		if (e) {
			const struct bpfkit_elf_section *ext = bpfkit_elf__section_by_name(e, ".BTF.ext");
			const struct bpfkit_elf_section *xdp = bpfkit_elf__section_by_name(e, "xdp");
			size_t off = ext ? ext->offset : 0, idx = xdp ? xdp->index : 0, nl = 1;

			bpfkit_elf__close(e);
			if (ext) {
				memset(c + off + 20, 0xff, 4);	/* line_info_len */
				e = bpfkit_elf__open_mem(c, n, "badext");
				CHECK("corrupt .BTF.ext still opens", e != NULL);
				if (e) {
					bpfkit_elf__line_info(e, idx, &nl);
					CHECK("corrupt .BTF.ext: no line info", nl == 0);
					bpfkit_elf__close(e);
				}
			}
		}
		free(c);
	}
	errno = 0;
	CHECK("missing file", !bpfkit_elf__open_file("/nonexistent/x.o") && errno == ENOENT);
	CHECK("directory", !bpfkit_elf__open_file("/") && errno == EINVAL);
	free(obj);
	free(be);
	TEST_EXIT();
}
