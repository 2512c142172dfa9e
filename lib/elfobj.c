/* lib/elfobj.c — the inspector's object reader: section table, symbols,
 * relocations (libelf), BTF (libbpf) and .BTF.ext line info. libbpf 1.1 has
 * no public accessor for line info, so the .BTF.ext line_info records are
 * parsed here, with every offset checked against the section's size. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/elfobj.h>
#include "dwarf_lines.h"
#include "internal.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

struct sec_relocs {
	struct bpfkit_elf_reloc *r;
	size_t n;
};

struct bpfkit_elf {
	char *name;
	void *buf;
	size_t size;
	bool mapped;		/* buf is an mmap of the file, not malloc'd */
	Elf *elf;
	bool big_endian;
	uint64_t shoff;			/* e_shoff: where the section headers start */
	struct bpfkit_elf_section *secs;
	size_t nsecs;
	struct bpfkit_elf_symbol *syms;
	size_t nsyms;
	struct sec_relocs *relocs;	/* per target section */
	struct btf *btf;
	bool btf_tried;
	struct bpfkit_line_info **lines;	/* per section, parsed on demand */
	size_t *nlines;
	bool lines_tried;
	struct dwarf_lines *dwarf;	/* .debug_line, parsed on demand */
	bool dwarf_tried;
};

const char *bpfkit_elf__reloc_type_str(uint32_t type)
{
	switch (type) {
	case 0: return "R_BPF_NONE";
	case 1: return "R_BPF_64_64";
	case 2: return "R_BPF_64_ABS64";
	case 3: return "R_BPF_64_ABS32";
	case 4: return "R_BPF_64_NODYLD32";
	case 10: return "R_BPF_64_32";
	default: return "R_BPF_UNKNOWN";
	}
}

const char *bpfkit_elf__section_type_str(uint32_t type, char *buf, size_t sz)
{
	static const char *const names[] = {
		[SHT_NULL] = "NULL", [SHT_PROGBITS] = "PROGBITS", [SHT_SYMTAB] = "SYMTAB",
		[SHT_STRTAB] = "STRTAB", [SHT_RELA] = "RELA", [SHT_HASH] = "HASH",
		[SHT_DYNAMIC] = "DYNAMIC", [SHT_NOTE] = "NOTE", [SHT_NOBITS] = "NOBITS",
		[SHT_REL] = "REL", [SHT_SHLIB] = "SHLIB", [SHT_DYNSYM] = "DYNSYM",
		[SHT_INIT_ARRAY] = "INIT_ARRAY", [SHT_FINI_ARRAY] = "FINI_ARRAY",
		[SHT_PREINIT_ARRAY] = "PREINIT_ARRAY", [SHT_GROUP] = "GROUP",
		[SHT_SYMTAB_SHNDX] = "SYMTAB_SHNDX",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	if (type == SHT_LLVM_ADDRSIG)
		return "LLVM_ADDRSIG";
	snprintf(buf, sz, "0x%x: <unknown>", type);
	return buf;
}

const char *bpfkit_elf__section_flags_str(uint64_t flags, char *buf, size_t sz)
{
	static const struct { uint64_t f; char c; } map[] = {
		{ SHF_WRITE, 'W' }, { SHF_ALLOC, 'A' }, { SHF_EXECINSTR, 'X' }, { SHF_MERGE, 'M' },
		{ SHF_STRINGS, 'S' }, { SHF_INFO_LINK, 'I' }, { SHF_LINK_ORDER, 'L' },
		{ SHF_OS_NONCONFORMING, 'O' }, { SHF_GROUP, 'G' }, { SHF_TLS, 'T' },
		{ SHF_COMPRESSED, 'C' }, { SHF_EXCLUDE, 'E' },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]) && n + 1 < sz; i++)
		if (flags & map[i].f)
			buf[n++] = map[i].c;
	if (sz)
		buf[n < sz ? n : sz - 1] = 0;
	return buf;
}

static const char *section_role(const struct bpfkit_elf_section *s, const char **prog_type)
{
	enum bpf_prog_type pt;
	enum bpf_attach_type at;

	*prog_type = NULL;
	if (s->type == SHT_REL || s->type == SHT_RELA)
		return "relocations";
	if (!strcmp(s->name, "license"))
		return "license";
	if (!strcmp(s->name, "version"))
		return "version";
	if (!strcmp(s->name, ".maps") || !strcmp(s->name, "maps"))
		return "maps";
	if (!strcmp(s->name, ".BTF"))
		return "btf";
	if (!strcmp(s->name, ".BTF.ext"))
		return "btf.ext";
	if (s->type == SHT_SYMTAB)
		return "symbols";
	if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR)) {
		/* .text holds the functions programs call (callers such as
		 * lib/verifier_stack.c look for code by this role); an empty
		 * one, in every object clang makes, holds nothing */
		if (!strcmp(s->name, ".text"))
			return s->size ? "program" : NULL;
		/* libbpf logs a warning for names it does not know; silence it */
		libbpf_print_fn_t old = libbpf_set_print(NULL);

		if (!libbpf_prog_type_by_name(s->name, &pt, &at))
			*prog_type = libbpf_bpf_prog_type_str(pt);
		libbpf_set_print(old);
		return "program";
	}
	if ((s->flags & SHF_ALLOC) && (s->type == SHT_PROGBITS || s->type == SHT_NOBITS))
		return "data";
	return NULL;
}

static int load_symbols(struct bpfkit_elf *e, size_t symsec)
{
	const struct bpfkit_elf_section *s = &e->secs[symsec];
	Elf_Scn *scn = elf_getscn(e->elf, symsec);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t n;

	if (!d || !s->entsize || s->link >= e->nsecs)
		return 0;
	n = d->d_size / sizeof(Elf64_Sym);
	e->syms = calloc(n ?: 1, sizeof(*e->syms));
	if (!e->syms)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		struct bpfkit_elf_symbol *o = &e->syms[e->nsyms];

		if (!gelf_getsym(d, i, &sym))
			break;
		o->name = elf_strptr(e->elf, s->link, sym.st_name) ?: "";
		o->value = sym.st_value;
		o->size = sym.st_size;
		o->type = GELF_ST_TYPE(sym.st_info);
		o->bind = GELF_ST_BIND(sym.st_info);
		o->shndx = sym.st_shndx;
		if (o->type == STT_SECTION && o->shndx < e->nsecs)
			o->name = e->secs[o->shndx].name;
		e->nsyms++;
	}
	return 0;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct bpfkit_elf_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int load_relocs(struct bpfkit_elf *e)
{
	e->relocs = calloc(e->nsecs, sizeof(*e->relocs));
	if (!e->relocs)
		return -ENOMEM;
	for (size_t i = 0; i < e->nsecs; i++) {
		const struct bpfkit_elf_section *s = &e->secs[i];
		Elf_Scn *scn;
		Elf_Data *d;
		struct sec_relocs *sr;
		size_t n;

		if (s->type != SHT_REL || s->info >= e->nsecs || !s->data)
			continue;
		scn = elf_getscn(e->elf, i);
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d)
			continue;
		sr = &e->relocs[s->info];
		n = d->d_size / sizeof(Elf64_Rel);
		if (!n)
			continue;
		void *grown = realloc(sr->r, (sr->n + n) * sizeof(*sr->r));

		if (!grown)
			return -ENOMEM;
		sr->r = grown;
		for (size_t j = 0; j < n; j++) {
			GElf_Rel rel;
			struct bpfkit_elf_reloc *o = &sr->r[sr->n];
			size_t si;

			if (!gelf_getrel(d, j, &rel))
				break;
			si = GELF_R_SYM(rel.r_info);
			o->offset = rel.r_offset;
			o->type = GELF_R_TYPE(rel.r_info);
			o->sym = si < e->nsyms ? e->syms[si].name : "<bad symbol index>";
			o->sym_shndx = si < e->nsyms ? e->syms[si].shndx : 0;
			o->sym_type = si < e->nsyms ? e->syms[si].type : 0;
			o->sym_value = si < e->nsyms ? e->syms[si].value : 0;
			sr->n++;
		}
		qsort(sr->r, sr->n, sizeof(*sr->r), cmp_reloc);
	}
	return 0;
}

static int parse(struct bpfkit_elf *e)
{
	GElf_Ehdr eh;
	size_t shstrndx, symsec = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e->elf = elf_memory(e->buf, e->size);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		pr_warn("%s: not an ELF file\n", e->name);
		return -EINVAL;
	}
	if (!gelf_getehdr(e->elf, &eh)) {
		pr_warn("%s: truncated or damaged ELF header: %s\n", e->name, elf_errmsg(-1));
		return -EINVAL;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		pr_warn("%s: not a 64-bit ELF file (BPF objects are ELF64)\n", e->name);
		return -EINVAL;
	}
	if (eh.e_machine != EM_BPF) {
		pr_warn("%s: e_machine is %u, not BPF (%u)\n", e->name, eh.e_machine, EM_BPF);
		return -EINVAL;
	}
	/* libelf quietly reports no sections when the table lies past the end */
	if (!eh.e_shoff || eh.e_shoff > e->size ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > e->size - eh.e_shoff) {
		pr_warn("%s: section header table %s (file truncated?)\n", e->name,
			eh.e_shoff ? "outside the file" : "missing");
		return -EINVAL;
	}
	e->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	e->shoff = eh.e_shoff;
	if (elf_getshdrnum(e->elf, &e->nsecs) || elf_getshdrstrndx(e->elf, &shstrndx)) {
		pr_warn("%s: section table unreadable: %s\n", e->name, elf_errmsg(-1));
		return -EINVAL;
	}
	/* again with the real count: e_shnum 0 means "more than fit the header
	 * field", in section 0's sh_size, which libelf may not have read */
	if (!e->nsecs || (uint64_t)e->nsecs * eh.e_shentsize > e->size - eh.e_shoff) {
		pr_warn("%s: section header table %s (file truncated?)\n", e->name,
			e->nsecs ? "outside the file" : "empty or unreadable");
		return -EINVAL;
	}
	e->secs = calloc(e->nsecs ?: 1, sizeof(*e->secs));
	if (!e->secs)
		return -ENOMEM;
	for (size_t i = 0; i < e->nsecs; i++) {
		struct bpfkit_elf_section *s = &e->secs[i];
		Elf_Scn *scn = elf_getscn(e->elf, i);
		GElf_Shdr sh;

		s->index = i;
		if (!scn || !gelf_getshdr(scn, &sh)) {
			pr_warn("%s: section %zu: header unreadable: %s\n", e->name, i, elf_errmsg(-1));
			return -EINVAL;
		}
		s->name = elf_strptr(e->elf, shstrndx, sh.sh_name) ?: "<bad name>";
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->entsize = sh.sh_entsize;
		s->align = sh.sh_addralign;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && sh.sh_size) {
			if (sh.sh_offset > e->size || sh.sh_size > e->size - sh.sh_offset) {
				pr_warn("%s: section %zu '%s': offset 0x%llx size 0x%llx outside the file (%zu bytes)\n",
					e->name, i, s->name, (unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, e->size);
				return -EINVAL;
			}
			s->data = (const char *)e->buf + sh.sh_offset;
			s->data_size = sh.sh_size;
		}
		if (sh.sh_type == SHT_SYMTAB && !symsec)
			symsec = i;
	}
	for (size_t i = 0; i < e->nsecs; i++)
		e->secs[i].role = section_role(&e->secs[i], &e->secs[i].prog_type);
	if (symsec && load_symbols(e, symsec))
		return -ENOMEM;
	return load_relocs(e);
}

/* Takes ownership of BUF (malloc'd, or mmap'd when MAPPED). */
static struct bpfkit_elf *open_owned(void *buf, size_t size, bool mapped, const char *name)
{
	struct bpfkit_elf *e = calloc(1, sizeof(*e));
	int err;

	if (!e) {
		if (mapped)
			munmap(buf, size);
		else
			free(buf);
		return errno = ENOMEM, NULL;
	}
	e->buf = buf;
	e->size = size;
	e->mapped = mapped;
	e->name = strdup(name ?: "<memory>");
	if (!e->name) {
		bpfkit_elf__close(e);
		return errno = ENOMEM, NULL;
	}
	err = parse(e);
	if (err) {
		bpfkit_elf__close(e);
		return errno = -err, NULL;
	}
	return e;
}

struct bpfkit_elf *bpfkit_elf__open_mem(const void *buf, size_t size, const char *name)
{
	void *copy = malloc(size ?: 1);

	if (!copy)
		return errno = ENOMEM, NULL;
	memcpy(copy, buf, size);
	return open_owned(copy, size, false, name);
}

struct bpfkit_elf *bpfkit_elf__open_file(const char *path)
{
	struct stat st;
	void *buf;
	ssize_t got;
	int fd, err;

	/* non-blocking: a FIFO would block the open; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err = errno;
		pr_warn("%s: %s\n", path, strerror(err));
		return errno = err, NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		pr_warn("%s: not a regular file\n", path);
		close(fd);
		return errno = EINVAL, NULL;
	}
	/* a private mapping: no copy of big objects, and libelf may still
	 * write to it (copy-on-write) */
	if (st.st_size) {
		buf = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (buf != MAP_FAILED) {
			close(fd);
			return open_owned(buf, st.st_size, true, path);
		}
	}
	buf = malloc(st.st_size ?: 1);
	if (!buf) {
		close(fd);
		return errno = ENOMEM, NULL;
	}
	got = st.st_size ? read(fd, buf, st.st_size) : 0;
	close(fd);
	if (got != st.st_size) {
		pr_warn("%s: short read\n", path);
		free(buf);
		return errno = EIO, NULL;
	}
	return open_owned(buf, st.st_size, false, path);
}

void bpfkit_elf__close(struct bpfkit_elf *e)
{
	if (!e)
		return;
	if (e->relocs)
		for (size_t i = 0; i < e->nsecs; i++)
			free(e->relocs[i].r);
	if (e->lines)
		for (size_t i = 0; i < e->nsecs; i++)
			free(e->lines[i]);
	free(e->lines);
	free(e->nlines);
	dwarf_lines__free(e->dwarf);
	free(e->relocs);
	btf__free(e->btf);
	free(e->syms);
	free(e->secs);
	if (e->elf)
		elf_end(e->elf);
	if (e->mapped)
		munmap(e->buf, e->size);
	else
		free(e->buf);
	free(e->name);
	free(e);
}

bool bpfkit_elf__big_endian(const struct bpfkit_elf *e) { return e->big_endian; }
size_t bpfkit_elf__section_cnt(const struct bpfkit_elf *e) { return e->nsecs; }
uint64_t bpfkit_elf__shoff(const struct bpfkit_elf *e) { return e->shoff; }
size_t bpfkit_elf__symbol_cnt(const struct bpfkit_elf *e) { return e->nsyms; }

const struct bpfkit_elf_section *bpfkit_elf__section(const struct bpfkit_elf *e, size_t i)
{
	return i < e->nsecs ? &e->secs[i] : NULL;
}

const struct bpfkit_elf_section *bpfkit_elf__section_by_name(const struct bpfkit_elf *e, const char *name)
{
	for (size_t i = 1; i < e->nsecs; i++)
		if (!strcmp(e->secs[i].name, name))
			return &e->secs[i];
	return NULL;
}

const struct bpfkit_elf_symbol *bpfkit_elf__symbol(const struct bpfkit_elf *e, size_t i)
{
	return i < e->nsyms ? &e->syms[i] : NULL;
}

const struct bpfkit_elf_reloc *bpfkit_elf__relocs(const struct bpfkit_elf *e, size_t sec, size_t *n)
{
	*n = 0;
	if (sec >= e->nsecs || !e->relocs)
		return NULL;
	*n = e->relocs[sec].n;
	return e->relocs[sec].r;
}

struct btf *bpfkit_elf__btf(struct bpfkit_elf *e)
{
	const struct bpfkit_elf_section *s;

	if (e->btf_tried)
		return e->btf;
	e->btf_tried = true;
	s = bpfkit_elf__section_by_name(e, ".BTF");
	if (!s || !s->data)
		return NULL;
	e->btf = btf__new(s->data, s->data_size);
	if (!e->btf) {
		pr_warn("%s: .BTF is corrupt (%s); no source lines or types\n", e->name, errstr(errno));
		e->btf = NULL;
	}
	return e->btf;
}

/* .BTF.ext layout (kernel's struct btf_ext_header): u16 magic 0xeB9F, u8
 * version, u8 flags, u32 hdr_len, u32 func_info_off, u32 func_info_len,
 * u32 line_info_off, u32 line_info_len; offsets count from the header's
 * end. line_info: u32 rec_size, then per section {u32 sec_name_off, u32
 * num_info, num_info records of {insn_off, file_name_off, line_off,
 * line_col}}. */
static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int cmp_line(const void *a, const void *b)
{
	const struct bpfkit_line_info *x = a, *y = b;

	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

static void parse_lines(struct bpfkit_elf *e)
{
	const struct bpfkit_elf_section *s = bpfkit_elf__section_by_name(e, ".BTF.ext");
	struct btf *btf = bpfkit_elf__btf(e);
	const uint8_t *p;
	uint32_t hdr_len, li_off, li_len, rec_size;
	size_t pos, end;
	bool swap;

	e->lines = calloc(e->nsecs ?: 1, sizeof(*e->lines));
	e->nlines = calloc(e->nsecs ?: 1, sizeof(*e->nlines));
	if (!e->lines || !e->nlines || !s || !s->data || !btf || s->data_size < 24)
		return;
	p = s->data;
	if (p[0] == 0x9f && p[1] == 0xeb)
		swap = false;
	else if (p[0] == 0xeb && p[1] == 0x9f)
		swap = true;
	else
		goto bad;
	swap = swap != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	hdr_len = rd32(p + 4, swap);
	li_off = rd32(p + 16, swap);
	li_len = rd32(p + 20, swap);
	if (hdr_len < 24 || hdr_len > s->data_size || li_off > s->data_size - hdr_len ||
	    li_len > s->data_size - hdr_len - li_off || li_len < 4)
		goto bad;
	pos = hdr_len + li_off;
	end = pos + li_len;
	rec_size = rd32(p + pos, swap);
	pos += 4;
	if (rec_size < 16)
		goto bad;
	while (pos + 8 <= end) {
		const char *secname = btf__name_by_offset(btf, rd32(p + pos, swap));
		uint32_t num = rd32(p + pos + 4, swap);
		const struct bpfkit_elf_section *target;

		pos += 8;
		if (!secname || num > (end - pos) / rec_size)
			goto bad;
		target = bpfkit_elf__section_by_name(e, secname);
		if (target && !e->lines[target->index]) {
			struct bpfkit_line_info *li = calloc(num ?: 1, sizeof(*li));

			if (!li)
				return;
			for (uint32_t i = 0; i < num; i++) {
				const uint8_t *r = p + pos + (size_t)i * rec_size;
				const char *f = btf__name_by_offset(btf, rd32(r + 4, swap));
				const char *l = btf__name_by_offset(btf, rd32(r + 8, swap));
				uint32_t lc = rd32(r + 12, swap);

				li[i].insn_off = rd32(r, swap);
				li[i].file = f ?: "";
				li[i].line = l ?: "";
				li[i].line_num = lc >> 10;
				li[i].col = lc & 0x3ff;
			}
			qsort(li, num, sizeof(*li), cmp_line);
			e->lines[target->index] = li;
			e->nlines[target->index] = num;
		}
		pos += (size_t)num * rec_size;
	}
	return;
bad:
	pr_warn("%s: .BTF.ext line info is corrupt; source lines not shown\n", e->name);
}

const struct bpfkit_line_info *bpfkit_elf__line_info(struct bpfkit_elf *e, size_t sec, size_t *n)
{
	*n = 0;
	if (!e->lines_tried) {
		e->lines_tried = true;
		parse_lines(e);
	}
	if (!e->lines || !e->nlines || sec >= e->nsecs)
		return NULL;
	*n = e->nlines[sec];
	return e->lines[sec];
}

int bpfkit_elf__dwarf_line(struct bpfkit_elf *e, size_t sec, uint64_t off, const char **file,
			   uint32_t *line)
{
	if (!e->dwarf_tried) {
		e->dwarf_tried = true;
		e->dwarf = dwarf_lines__load(e, e->elf, e->name);
	}
	if (!e->dwarf)
		return -ENOENT;
	return dwarf_lines__find(e->dwarf, sec, off, file, line);
}

const char *bpfkit_elf__source_line(struct bpfkit_elf *e, const char *path, uint32_t line)
{
	return e->dwarf ? dwarf_lines__source(e->dwarf, path, line) : NULL;
}
