/* lib/dwarf_lines.h — private interface of lib/dwarf_lines.c: DWARF
 * .debug_line tables of a BPF object and the source files they name, looked
 * up the way llvm-objdump -S does. Used by lib/elfobj.c only. */
#ifndef BPFKIT_DWARF_LINES_H
#define BPFKIT_DWARF_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <libelf.h>

struct bpfkit_elf;
struct dwarf_lines;

/* Parses every line table of ELF (whose libelf handle is HANDLE). NULL when
 * the object has no .debug_line or it is unusable (a warning says why). */
struct dwarf_lines *dwarf_lines__load(struct bpfkit_elf *elf, Elf *handle, const char *name);
void dwarf_lines__free(struct dwarf_lines *dl);
/* 1 with *FILE (full path) and *LINE (may be 0) for the instruction at byte
 * OFF of section SEC; 0 when no sequence covers it. */
int dwarf_lines__find(const struct dwarf_lines *dl, size_t sec, uint64_t off, const char **file,
		      uint32_t *line);
/* Line LINE (1-based) of file PATH read from disk, without its newline;
 * NULL when the file cannot be read or is shorter (warned once per file). */
const char *dwarf_lines__source(struct dwarf_lines *dl, const char *path, uint32_t line);

#endif
