/* lib/object.c — open BPF objects (checked with libelf first, so errors say
 * what is wrong with the file), load them with the verifier log captured. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
	}
out:
	if (elf)
		elf_end(elf);
	return err;
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
	obj->obj = bpf_object__open_mem(obj->bytes, size, &oo);
	if (!obj->obj) {
		err = -errno;
		pr_warn("object '%s': libbpf could not parse it: %s (-v shows libbpf's reason)\n",
			name, errstr(err));
		free(obj->bytes);
		free(obj->name);
		free(obj);
		errno = -err;
		return NULL;
	}
	return obj;

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
	fd = open(path, O_RDONLY | O_CLOEXEC);
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

int bpfkit_object__load(struct bpfkit_object *obj)
{
	int err;

	free(obj->vlog);
	free(obj->failed_prog);
	obj->vlog = obj->failed_prog = NULL;

	log_prepare_load(obj);	/* lib/logger.c: log call sites, BPFKIT_LOG */
	verifier_capture_begin();
	err = bpf_object__load(obj->obj);
	obj->vlog = verifier_capture_end(&obj->failed_prog);
	if (!err)
		return 0;
	err = err < 0 ? err : -errno;
	if (!obj->vlog)
		report_unsupported(obj);
	if (obj->vlog) {
		report_verifier(obj);
	} else if (err == -EPERM || err == -EACCES) {
		pr_warn("object '%s': load failed: %s; loading BPF needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)\n",
			obj->name, errstr(err));
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
	bpf_object__close(obj->obj);
	free(obj->vlog);
	free(obj->failed_prog);
	free(obj->bytes);
	free(obj->name);
	free(obj);
}
