/* bpfkit/elfobj.h — read a BPF ELF object for inspection (not loading):
 * section table, symbols, relocations, BTF and its line info. Built on
 * libelf and libbpf's btf API; every offset and size is bounds-checked, so
 * a damaged file gives an error, never a crash. */
#ifndef BPFKIT_ELFOBJ_H
#define BPFKIT_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_elf;
struct btf;

struct bpfkit_elf_section {
	size_t index;
	const char *name;
	uint32_t type;
	uint64_t flags, addr, offset, size, entsize, align;
	uint32_t link, info;
	const void *data;	/* contents, NULL for NOBITS/empty */
	size_t data_size;
	const char *role;	/* "program", "maps", "license", "btf", "btf.ext", "relocations", "data", or NULL */
	const char *prog_type;	/* for programs: libbpf's program type name from the section name, or NULL */
};

struct bpfkit_elf_symbol {
	const char *name;
	uint64_t value, size;
	uint8_t type, bind;	/* STT_*, STB_* */
	size_t shndx;
};

struct bpfkit_elf_reloc {
	uint64_t offset;	/* within the target section */
	uint32_t type;		/* R_BPF_* */
	const char *sym;	/* symbol name (section name for section symbols) */
	size_t sym_shndx;
	uint8_t sym_type;	/* STT_* of the symbol */
	uint64_t sym_value;
};

struct bpfkit_line_info {
	uint32_t insn_off;	/* byte offset in the section */
	const char *file;
	const char *line;	/* source text of the line */
	uint32_t line_num, col;
};

/* Opens FILE or a memory image (copied). NULL + errno on failure, with a
 * message naming the problem ("not an ELF file", "e_machine is x86-64, not BPF"). */
BPFKIT_API struct bpfkit_elf *bpfkit_elf__open_file(const char *path);
BPFKIT_API struct bpfkit_elf *bpfkit_elf__open_mem(const void *buf, size_t size, const char *name);
BPFKIT_API void bpfkit_elf__close(struct bpfkit_elf *elf);

BPFKIT_API bool bpfkit_elf__big_endian(const struct bpfkit_elf *elf);
BPFKIT_API size_t bpfkit_elf__section_cnt(const struct bpfkit_elf *elf);
/* e_shoff: the file offset of the section header table. */
BPFKIT_API uint64_t bpfkit_elf__shoff(const struct bpfkit_elf *elf);
BPFKIT_API const struct bpfkit_elf_section *bpfkit_elf__section(const struct bpfkit_elf *elf, size_t i);
BPFKIT_API const struct bpfkit_elf_section *bpfkit_elf__section_by_name(const struct bpfkit_elf *elf,
									const char *name);
BPFKIT_API size_t bpfkit_elf__symbol_cnt(const struct bpfkit_elf *elf);
BPFKIT_API const struct bpfkit_elf_symbol *bpfkit_elf__symbol(const struct bpfkit_elf *elf, size_t i);
/* Relocations that apply to section SEC, sorted by offset (N set). */
BPFKIT_API const struct bpfkit_elf_reloc *bpfkit_elf__relocs(const struct bpfkit_elf *elf, size_t sec,
							     size_t *n);
/* BTF from .BTF, NULL if absent or corrupt (then a warning says why). */
BPFKIT_API struct btf *bpfkit_elf__btf(struct bpfkit_elf *elf);
/* Line info records for section SEC from .BTF.ext, sorted by insn_off. */
BPFKIT_API const struct bpfkit_line_info *bpfkit_elf__line_info(struct bpfkit_elf *elf, size_t sec,
								size_t *n);
/* The source line of the instruction at byte OFF of section SEC from the
 * DWARF line table (.debug_line), looked up the way llvm-objdump -S does:
 * 1 with *FILE (the full path the table names) and *LINE (0 = no line),
 * 0 when no line-table row covers the address, -ENOENT when the object has
 * no usable DWARF line table (stripped, or damaged: warned once). */
BPFKIT_API int bpfkit_elf__dwarf_line(struct bpfkit_elf *elf, size_t sec, uint64_t off,
				      const char **file, uint32_t *line);
/* Text of line LINE (1-based) of source file PATH, read from disk once and
 * cached; NULL when the file is missing or shorter (warned once per file). */
BPFKIT_API const char *bpfkit_elf__source_line(struct bpfkit_elf *elf, const char *path,
					       uint32_t line);

/* "PROGBITS", "REL", ..., as llvm-readelf names section types. */
BPFKIT_API const char *bpfkit_elf__section_type_str(uint32_t type, char *buf, size_t sz);
/* Flag letters as llvm-readelf prints them ("AX", "WA", "I"). */
BPFKIT_API const char *bpfkit_elf__section_flags_str(uint64_t flags, char *buf, size_t sz);
/* "R_BPF_64_64", ... */
BPFKIT_API const char *bpfkit_elf__reloc_type_str(uint32_t type);

#ifdef __cplusplus
}
#endif
#endif
