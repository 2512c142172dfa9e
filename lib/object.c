/* lib/object.c — open BPF objects (checked with libelf first, so errors say
 * what is wrong with the file), load them with the verifier log captured. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/object.h>
#include <bpfkit/verifier.h>
#include <bpfkit/feature.h>
#include "internal.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Is BUF a relocatable BPF ELF? Names what is wrong when not. */
static int check_elf(const char *name, const void *buf, size_t size)
{
	Elf *elf;
	GElf_Ehdr ehdr;
	int err = 0;

	if (size < 4 || memcmp(buf, ELFMAG, SELFMAG)) {
		pr_warn("object '%s': not an ELF file (a BPF object is built with clang -target bpf)\n", name);
		return -ENOEXEC;
	}
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, size);
	if (!elf || !gelf_getehdr(elf, &ehdr)) {
		pr_warn("object '%s': corrupt ELF header: %s\n", name, elf_errmsg(-1));
		err = -ENOEXEC;
		goto out;
	}
	if (ehdr.e_machine != EM_BPF) {
		pr_warn("object '%s': ELF for machine %u, not BPF (%u); was it built with clang -target bpf?\n",
			name, ehdr.e_machine, EM_BPF);
		err = -ENOEXEC;
	} else if (ehdr.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB)) {
		/* libbpf would say only "Unknown error 4003" */
		bool big = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;

		pr_warn("object '%s': %s BPF object; this host is %s-endian (build it with clang -target %s, or plain -target bpf on this host)\n",
			name, big ? "big-endian" : ehdr.e_ident[EI_DATA] == ELFDATA2LSB ? "little-endian" : "unknown byte order",
			__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big",
			__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "bpfel" : "bpfeb");
		err = -ENOEXEC;
	} else if (ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
		pr_warn("object '%s': a 32-bit ELF; BPF objects are 64-bit ELF (clang -target bpf)\n", name);
		err = -ENOEXEC;
	}
out:
	if (elf)
		elf_end(elf);
	return err;
}

/* libbpf (1.1, as Debian ships it) keeps a data section's contents in a
 * buffer of the section's size, but unmaps it at close by the size of the
 * map behind it then: a map reused at another size (xdpfw creates its
 * tables at their size, bigger than their sections) would have whatever
 * lies past the buffer unmapped. So the sizes are noted at open, and such
 * a map is swapped for a stand-in of its section's size before close. */
static int note_section_sizes(struct bpfkit_object *obj)
{
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, obj->obj)
		n++;
	obj->sec_size = calloc(n ? n : 1, sizeof(*obj->sec_size));
	if (!obj->sec_size)
		return -ENOMEM;
	obj->n_maps = n;
	n = 0;
	bpf_object__for_each_map(m, obj->obj)
		obj->sec_size[n++] = bpf_map__is_internal(m) ? bpf_map__value_size(m) : 0;
	return 0;
}

/* Whether the object can be closed: false if a stand-in could not be made
 * (the object is then left open: a leak, not a corruption). */
static bool restore_section_sizes(struct bpfkit_object *obj)
{
	struct bpf_map *m;
	int i = 0;

	bpf_object__for_each_map(m, obj->obj) {
		__u32 sz = i < obj->n_maps ? obj->sec_size[i] : 0;
		LIBBPF_OPTS(bpf_map_create_opts, co, .map_flags = bpf_map__map_flags(m) & BPF_F_MMAPABLE);
		int fd;

		i++;
		if (!sz || bpf_map__value_size(m) == sz)
			continue;
		if (bpf_map__fd(m) < 0) {
			/* a failed load closed the map: only its size is
			 * left to put back (libbpf takes a new size then) */
			if (bpf_map__set_value_size(m, sz))
				return false;
			continue;
		}
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(__u32), sz, 1, &co);
		if (fd < 0 || bpf_map__reuse_fd(m, fd)) {
			if (fd >= 0)
				close(fd);
			return false;
		}
		close(fd);
	}
	return true;
}

static struct bpfkit_object *object_new(const char *name, const void *buf, size_t size)
{
	struct bpfkit_object *obj;
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	char objname[64];
	int err;

	err = check_elf(name, buf, size);
	if (err) {
		errno = -err;
		return NULL;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		goto err_nomem;
	obj->name = strdup(name);
	obj->bytes = malloc(size);
	if (!obj->name || !obj->bytes)
		goto err_free;
	memcpy(obj->bytes, buf, size);
	obj->size = size;

	/* libbpf names the object after the file, minus ".o" / ".bpf.o" */
	snprintf(objname, sizeof(objname), "%s", basename_of(name));
	char *dot = strstr(objname, ".bpf.o");
	if (!dot)
		dot = strstr(objname, ".o");
	if (dot)
		*dot = '\0';
	oo.object_name = objname;
	libbpf_warn_reset();
	obj->obj = bpf_object__open_mem(obj->bytes, size, &oo);
	if (!obj->obj) {
		err = -errno;
		/* The file exists: an ENOENT here is something missing inside
		 * it; libbpf's first warning names it. */
		if (libbpf_first_warn())
			pr_warn("object '%s': corrupt or unsupported BPF object: %s\n", name, libbpf_first_warn());
		else if (libbpf_last_msg())
			pr_warn("object '%s': corrupt or unsupported BPF object: %s (libbpf stopped after: %s)\n",
				name, err == -ENOENT ? "a section or symbol it needs is missing" : errstr(err),
				libbpf_last_msg());
		else
			pr_warn("object '%s': libbpf could not parse it: %s (-v shows libbpf's reason)\n",
				name, err == -ENOENT ? "a section or symbol it needs is missing" : errstr(err));
		free(obj->bytes);
		free(obj->name);
		free(obj);
		errno = -err;
		return NULL;
	}
	if (!note_section_sizes(obj))
		return obj;
	bpf_object__close(obj->obj);	/* nothing reused yet: safe to close */
err_free:
	free(obj->bytes);
	free(obj->name);
	free(obj);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

struct bpfkit_object *bpfkit_object__open_file(const char *path, const struct bpfkit_open_opts *opts)
{
	struct bpfkit_object *obj = NULL;
	struct stat st;
	void *buf = NULL;
	int fd, err;

	if (!OPTS_VALID(opts, bpfkit_open_opts)) {
		errno = EINVAL;
		return NULL;
	}
	/* non-blocking: a FIFO would block the open; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err = errno;
		pr_warn("object '%s': cannot open: %s\n", path, strerror(err));
		errno = err;
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		pr_warn("object '%s': not a regular file\n", path);
		err = EINVAL;
		goto out_close;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		err = ENOMEM;
		goto out_close;
	}
	for (off_t got = 0; got < st.st_size;) {
		ssize_t n = read(fd, (char *)buf + got, st.st_size - got);
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			pr_warn("object '%s': read failed: %s\n", path, strerror(err));
			goto out_free;
		}
		got += n;
	}
	obj = object_new(OPTS_GET(opts, name, NULL) ?: path, buf, st.st_size);
	err = obj ? 0 : errno;
out_free:
	free(buf);
out_close:
	close(fd);
	errno = err;
	return obj;
}

struct bpfkit_object *bpfkit_object__open_mem(const void *buf, size_t size,
					      const struct bpfkit_open_opts *opts)
{
	if (!OPTS_VALID(opts, bpfkit_open_opts) || !buf) {
		errno = EINVAL;
		return NULL;
	}
	return object_new(OPTS_GET(opts, name, NULL) ?: "embedded", buf, size);
}

static void report_verifier(struct bpfkit_object *obj)
{
	struct bpfkit_verifier_explanation *ex = malloc(sizeof(*ex));
	const char *prog = obj->failed_prog ?: "?";

	if (!ex || bpfkit_verifier__explain_log(obj->vlog, obj->bytes, obj->size, obj->failed_prog, ex)) {
		pr_warn("prog '%s': the verifier rejected it (-v shows the whole log)\n", prog);
	} else {
		const struct bpfkit_verifier_summary *sum = &ex->sum;

		pr_warn("prog '%s': the verifier rejected it: %s\n", prog, sum->error);
		if (sum->insn_idx >= 0)
			pr_warn("  at insn %d: %s\n", sum->insn_idx, sum->insn);
		if (sum->file_line[0])
			pr_warn("  source %s: %s\n", sum->file_line, sum->source);
		else if (sum->source[0])
			pr_warn("  source: %s\n", sum->source);
		/* the plain-language part (lib/verifier_explain.c) */
		if (ex->cls) {
			pr_warn("  hint [%s]: %s: %s\n", ex->cls->id, ex->cls->title,
				ex->detail[0] ? ex->detail : ex->cls->hint);
			if (ex->fix[0])
				pr_warn("  fix: %s\n", ex->fix);
		}
	}
	free(ex);
	pr_info("  (-v shows the whole verifier log)\n");
	pr_debug("-- verifier log of prog '%s' --\n%s-- end of verifier log --\n", prog, obj->vlog);
}

/* No verifier log: say why when it is a program type this kernel lacks
 * (the probes of lib/feature.c). */
static void report_unsupported(struct bpfkit_object *obj)
{
	struct bpf_program *p;
	char why[320];

	bpf_object__for_each_program(p, obj->obj) {
		const char *sec = bpf_program__section_name(p);

		if (bpf_program__autoload(p) && bpfkit_feature__section(sec, why, sizeof(why)) == 0)
			pr_warn("prog '%s' (%s): %s\n", bpf_program__name(p), sec, why);
	}
}

/* Programs whose section name gives libbpf no program type: old-style
 * names ("xdp_vlan01") that libbpf 1.0 stopped guessing from. */
static int check_prog_types(struct bpfkit_object *obj)
{
	struct bpf_program *p;
	int err = 0;

	bpf_object__for_each_program(p, obj->obj) {
		const char *sec = bpf_program__section_name(p);
		const char *fix = !strncmp(sec, "xdp", 3) ? "SEC(\"xdp\")" :
				  !strncmp(sec, "tc", 2) || !strncmp(sec, "classifier", 10) ? "SEC(\"tc\")" :
				  !strncmp(sec, "socket", 6) ? "SEC(\"socket\")" :
				  "a section name libbpf knows (SEC(\"xdp\"), SEC(\"tc\"), SEC(\"tracepoint/CAT/NAME\"), ...)";

		if (!bpf_program__autoload(p) || bpf_program__type(p) != BPF_PROG_TYPE_UNSPEC)
			continue;
		pr_warn("prog '%s': no program type for section name '%s' (libbpf 1.0 no longer guesses from prefixes); use %s\n",
			bpf_program__name(p), sec, fix);
		err = -EINVAL;
	}
	return err;
}

static int map_pinned_info(const char *path, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

/* Maps declared LIBBPF_PIN_BY_NAME: a map pinned at their path that libbpf
 * cannot reuse is named, with the way out (libbpf says only EINVAL). */
static int check_pinned_maps(struct bpfkit_object *obj, bool *existed, int n)
{
	struct bpf_map *m;
	int i = 0, err = 0;

	bpf_object__for_each_map(m, obj->obj) {
		const char *path = bpf_map__pin_path(m);
		struct bpf_map_info info;
		char diff[160] = "";

		if (i >= n)
			break;
		existed[i] = path && !access(path, F_OK);
		i++;
		if (!path || access(path, F_OK) || map_pinned_info(path, &info))
			continue;
		if (info.type != bpf_map__type(m))
			snprintf(diff, sizeof(diff), "type %s there, %s here",
				 libbpf_bpf_map_type_str(info.type) ?: "?",
				 libbpf_bpf_map_type_str(bpf_map__type(m)) ?: "?");
		else if (info.key_size != bpf_map__key_size(m) || info.value_size != bpf_map__value_size(m))
			snprintf(diff, sizeof(diff), "key/value size %u/%u there, %u/%u here", info.key_size,
				 info.value_size, bpf_map__key_size(m), bpf_map__value_size(m));
		else if (info.max_entries != bpf_map__max_entries(m))
			snprintf(diff, sizeof(diff), "max_entries %u there, %u here", info.max_entries,
				 bpf_map__max_entries(m));
		else if (info.map_flags != bpf_map__map_flags(m))
			snprintf(diff, sizeof(diff), "map_flags 0x%x there, 0x%x here", info.map_flags,
				 bpf_map__map_flags(m));
		if (!diff[0])
			continue;
		pr_warn("map '%s': declared LIBBPF_PIN_BY_NAME, but the map pinned at %s differs (%s), so it cannot be reused; "
			"remove it (rm %s) once nothing uses it, or rename the map\n",
			bpf_map__name(m), path, diff, path);
		err = -EINVAL;
	}
	return err;
}

/* After a load: say what libbpf pinned (it outlives us) or reused. */
static void report_pinned_maps(struct bpfkit_object *obj, const bool *existed, int n)
{
	struct bpf_map *m;
	int i = 0;

	bpf_object__for_each_map(m, obj->obj) {
		const char *path = bpf_map__pin_path(m);

		if (i >= n)
			break;
		if (path && bpf_map__is_pinned(m))
			pr_info(existed[i] ? "map '%s': reusing the map pinned at %s (LIBBPF_PIN_BY_NAME)\n" :
				"map '%s': pinned at %s (LIBBPF_PIN_BY_NAME); it stays after bpfkit exits: rm %s removes it\n",
				bpf_map__name(m), path, path);
		i++;
	}
}

int bpfkit_object__no_auto_pin(struct bpfkit_object *obj)
{
	struct bpf_map *m;
	int err;

	bpf_object__for_each_map(m, obj->obj)
		if (bpf_map__pin_path(m) && (err = bpf_map__set_pin_path(m, NULL)))
			return err;
	return 0;
}

/* Some kernel messages end without a newline ("invalid type id 9 in func
 * info" is followed directly by "processed 0 insns ..."): give those lines
 * their end, and the log its last newline, so a line is one message. */
static bool is_stats(const char *p)	/* "processed 12 insns" */
{
	p += 10;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !strncmp(p, " insns", 6);
}

static char *log_fix_lines(char *log)
{
	size_t n = 0, len;
	char *out, *q;
	const char *p;

	if (!log)
		return NULL;
	for (p = log; (p = strstr(p, "processed ")); p++)
		n += p > log && p[-1] != '\n' && is_stats(p);
	len = strlen(log);
	if (!n && len && log[len - 1] == '\n')
		return log;
	out = malloc(len + n + 2);
	if (!out)
		return log;
	for (p = log, q = out; *p; p++) {
		if (p > log && p[-1] != '\n' && !strncmp(p, "processed ", 10) && is_stats(p))
			*q++ = '\n';
		*q++ = *p;
	}
	if (q > out && q[-1] != '\n')
		*q++ = '\n';
	*q = '\0';
	free(log);
	return out;
}

int bpfkit_object__load(struct bpfkit_object *obj)
{
	bool existed[256];
	int err;

	free(obj->vlog);
	free(obj->failed_prog);
	obj->vlog = obj->failed_prog = NULL;

	err = check_prog_types(obj);
	if (!err)
		err = check_pinned_maps(obj, existed, 256);
	if (err)
		return err;
	log_prepare_load(obj);	/* lib/logger.c: log call sites, BPFKIT_LOG */
	libbpf_warn_reset();
	verifier_capture_begin();
	err = bpf_object__load(obj->obj);
	obj->vlog = log_fix_lines(verifier_capture_end(&obj->failed_prog));
	if (!err) {
		report_pinned_maps(obj, existed, 256);
		return 0;
	}
	err = err < 0 ? err : -errno;
	if (!obj->vlog)
		report_unsupported(obj);
	if (obj->vlog) {
		report_verifier(obj);
	} else if (err == -EPERM || err == -EACCES) {
		pr_warn("object '%s': load failed: %s; loading BPF needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)\n",
			obj->name, errstr(err));
	} else if (libbpf_first_warn()) {
		pr_warn("object '%s': load failed: %s (libbpf: %s)\n", obj->name, errstr(err), libbpf_first_warn());
	} else {
		pr_warn("object '%s': load failed: %s (-v shows libbpf's reason)\n",
			obj->name, errstr(err));
	}
	return err;
}

const char *bpfkit_object__verifier_log(const struct bpfkit_object *obj)
{
	return obj->vlog;
}

const char *bpfkit_object__failed_prog(const struct bpfkit_object *obj)
{
	return obj->failed_prog;
}

const char *bpfkit_object__name(const struct bpfkit_object *obj)
{
	return obj->name;
}

struct bpf_object *bpfkit_object__bpf_object(const struct bpfkit_object *obj)
{
	return obj->obj;
}

const void *bpfkit_object__elf_bytes(const struct bpfkit_object *obj, size_t *size)
{
	if (size)
		*size = obj->size;
	return obj->bytes;
}

struct bpf_program *bpfkit_object__find_program(const struct bpfkit_object *obj, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj->obj, name);

	if (!prog) {
		pr_warn("object '%s': no program named '%s'\n", obj->name, name);
		errno = ENOENT;
	}
	return prog;
}

void bpfkit_object__close(struct bpfkit_object *obj)
{
	if (!obj)
		return;
	bpfkit_object__detach(obj);
	if (restore_section_sizes(obj))
		bpf_object__close(obj->obj);
	free(obj->sec_size);
	free(obj->vlog);
	free(obj->failed_prog);
	free(obj->bytes);
	free(obj->name);
	free(obj);
}
