/* tests/fuzz/fuzz_elfobj.c — the object reader on arbitrary files: open,
 * walk sections, symbols, relocations, BTF and line info, DWARF line tables
 * (lib/dwarf_lines.c), and disassemble every executable section, as
 * `bpfkit obj dump -S` does. */
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/disasm.h>
#include <bpfkit/elfobj.h>

static int quiet(enum bpfkit_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfkit_elf *e;
	volatile size_t sink = 0;

	bpfkit_set_print(quiet);
	e = bpfkit_elf__open_mem(data, size, "fuzz");
	if (!e)
		return 0;
	for (size_t i = 0; i < bpfkit_elf__symbol_cnt(e); i++)
		sink += strlen(bpfkit_elf__symbol(e, i)->name);
	for (size_t i = 0; i < bpfkit_elf__section_cnt(e); i++) {
		const struct bpfkit_elf_section *s = bpfkit_elf__section(e, i);
		const struct bpfkit_elf_reloc *r;
		const struct bpfkit_line_info *li;
		size_t nr, nl;
		char buf[64];

		sink += strlen(s->name) + strlen(bpfkit_elf__section_type_str(s->type, buf, sizeof(buf)));
		sink += strlen(bpfkit_elf__section_flags_str(s->flags, buf, sizeof(buf)));
		if (s->data)	/* every byte the reader hands out must be inside the file */
			sink += ((const uint8_t *)s->data)[0] + ((const uint8_t *)s->data)[s->data_size - 1];
		r = bpfkit_elf__relocs(e, i, &nr);
		for (size_t j = 0; j < nr; j++)
			sink += strlen(r[j].sym) + strlen(bpfkit_elf__reloc_type_str(r[j].type));
		li = bpfkit_elf__line_info(e, i, &nl);
		for (size_t j = 0; j < nl; j++)
			sink += strlen(li[j].line) + strlen(li[j].file);
		if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->data) {
			size_t n = s->data_size / 8;
			struct bpfkit_insn *insns = malloc((n ?: 1) * sizeof(*insns));

			if (insns) {
				bpfkit_disasm__decode(s->data, n, bpfkit_elf__big_endian(e), insns);
				for (size_t k = 0; k < n;) {
					char text[256];
					const char *file;
					uint32_t line;

					/* the DWARF line table lookup of -S (source text is
					 * not read: the paths come from the input) */
					if (bpfkit_elf__dwarf_line(e, i, k * 8, &file, &line) == 1)
						sink += strlen(file) + line;
					k += bpfkit_disasm__format(insns, n, k, NULL, text, sizeof(text));
				}
				free(insns);
			}
		}
	}
	bpfkit_elf__btf(e);
	bpfkit_elf__close(e);
	(void)sink;
	return 0;
}
