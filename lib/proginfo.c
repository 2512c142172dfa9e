/* lib/proginfo.c — programs and maps in the kernel: find them by id, name,
 * tag or pin; read their info the way bpftool shows it (full names from BTF,
 * load time as wall-clock seconds, memlock from fdinfo, the pids that hold
 * them from /proc); fetch translated and jited code; name helper calls of
 * translated code through /proc/kallsyms. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/proginfo.h>
#include "internal.h"

int bpfkit_prog__next_id(uint32_t *id)
{
	return bpf_prog_get_next_id(*id, id) ? -errno : 0;
}

int bpfkit_map__next_id(uint32_t *id)
{
	return bpf_map_get_next_id(*id, id) ? -errno : 0;
}

/* The full function name from BTF func info (the kernel keeps 15 chars). */
void full_prog_name(int fd, const struct bpf_prog_info *info, char *out, size_t sz)
{
	struct bpf_prog_info fi = {};
	struct bpf_func_info finfo = {};
	__u32 len = sizeof(fi);
	struct btf *btf;
	const struct btf_type *t;

	snprintf(out, sz, "%s", info->name);
	if (!info->btf_id || !info->nr_func_info || strlen(info->name) < BPF_OBJ_NAME_LEN - 1)
		return;
	fi.nr_func_info = 1;
	fi.func_info_rec_size = sizeof(finfo);
	fi.func_info = (uintptr_t)&finfo;
	if (bpf_obj_get_info_by_fd(fd, &fi, &len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t)
		snprintf(out, sz, "%s", btf__name_by_offset(btf, t->name_off) ?: info->name);
	btf__free(btf);
}

/* bpftool reads memlock from fdinfo too: the kernel has no info field for it. */
static uint64_t fdinfo_u64(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static bool fdinfo_has(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, key, klen) && line[klen] == ':';
	fclose(f);
	return found;
}

/* Who holds which program and map: one pass over /proc/PID/fdinfo (bpf fds
 * carry "prog_id:" / "map_id:" lines), reused for a second so a listing of
 * N programs scans /proc once, not N times. Not thread-safe. */
struct holder {
	bool prog;
	uint32_t id;
	int pid;
};

static struct holder *holders;
static size_t nholders;
static struct timespec scanned;
static bool holders_atexit;

static void free_holders(void)
{
	free(holders);
	holders = NULL;
	nholders = 0;
}

static void add_holder(bool prog, uint32_t id, int pid, size_t *cap)
{
	for (size_t i = nholders; i-- > 0 && holders[i].pid == pid;)
		if (holders[i].prog == prog && holders[i].id == id)
			return;	/* this pid holds it through several fds */
	if (nholders == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct holder *g = realloc(holders, nc * sizeof(*g));

		if (!g)
			return;
		holders = g;
		*cap = nc;
	}
	holders[nholders++] = (struct holder){ prog, id, pid };
}

static void scan_holders(void)
{
	struct timespec now;
	DIR *proc;
	struct dirent *de;
	int self = getpid();
	size_t cap = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((scanned.tv_sec || scanned.tv_nsec) && now.tv_sec - scanned.tv_sec < 1)
		return;
	scanned = now;
	free_holders();
	if (!holders_atexit) {
		holders_atexit = true;
		atexit(free_holders);
	}
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char path[300], line[128];
		DIR *fds;
		struct dirent *fe;
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			FILE *f;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fe->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f)) {
				if (!strncmp(line, "prog_id:", 8))
					add_holder(true, strtoul(line + 8, NULL, 10), pid, &cap);
				else if (!strncmp(line, "map_id:", 7))
					add_holder(false, strtoul(line + 7, NULL, 10), pid, &cap);
			}
			fclose(f);
		}
		closedir(fds);
	}
	closedir(proc);
}

/* Processes (other than us) holding an fd to the program or map ID. */
static void find_pids(bool prog, uint32_t id, struct bpfkit_pid **out, uint32_t *n)
{
	*out = NULL;
	*n = 0;
	scan_holders();
	for (size_t i = 0; i < nholders; i++) {
		struct bpfkit_pid *g;
		char path[64];
		FILE *f;

		if (holders[i].prog != prog || holders[i].id != id)
			continue;
		g = realloc(*out, (*n + 1) * sizeof(**out));
		if (!g)
			return;
		*out = g;
		g[*n].pid = holders[i].pid;
		g[*n].comm[0] = 0;
		snprintf(path, sizeof(path), "/proc/%d/comm", holders[i].pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(g[*n].comm, sizeof(g[*n].comm), f))
				g[*n].comm[strcspn(g[*n].comm, "\n")] = 0;
			fclose(f);
		}
		(*n)++;
	}
}

int bpfkit_prog__info(int fd, struct bpfkit_prog_info *out)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nmaps;
	struct timespec real, boot;
	const char *ts;

	memset(out, 0, sizeof(*out));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	nmaps = info.nr_map_ids;
	if (nmaps) {
		struct bpf_prog_info mi = {};

		out->map_ids = calloc(nmaps, sizeof(uint32_t));
		if (!out->map_ids)
			return -ENOMEM;
		mi.nr_map_ids = nmaps;
		mi.map_ids = (uintptr_t)out->map_ids;
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			free(out->map_ids);
			out->map_ids = NULL;
			return -errno;
		}
		out->nr_map_ids = mi.nr_map_ids < nmaps ? mi.nr_map_ids : nmaps;
	}
	out->id = info.id;
	out->type = info.type;
	ts = libbpf_bpf_prog_type_str(info.type);
	if (ts)
		snprintf(out->type_str, sizeof(out->type_str), "%s", ts);
	else
		snprintf(out->type_str, sizeof(out->type_str), "type %u", info.type);
	full_prog_name(fd, &info, out->name, sizeof(out->name));
	for (int i = 0; i < 8; i++)
		snprintf(out->tag + 2 * i, 3, "%02x", info.tag[i]);
	out->gpl_compatible = info.gpl_compatible;
	/* load_time is boot-relative nanoseconds; bpftool shows wall-clock */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	out->loaded_at = (uint64_t)(real.tv_sec - boot.tv_sec) + info.load_time / 1000000000ULL;
	if (real.tv_nsec - boot.tv_nsec + (long)(info.load_time % 1000000000ULL) >= 1000000000L)
		out->loaded_at++;
	else if (real.tv_nsec - boot.tv_nsec + (long)(info.load_time % 1000000000ULL) < 0)
		out->loaded_at--;
	out->uid = info.created_by_uid;
	out->bytes_xlated = info.xlated_prog_len;
	out->bytes_jited = info.jited_prog_len;
	out->jited = info.jited_prog_len > 0;
	out->bytes_memlock = fdinfo_u64(fd, "memlock");
	out->btf_id = info.btf_id;
	out->run_time_ns = info.run_time_ns;
	out->run_cnt = info.run_cnt;
	out->recursion_misses = info.recursion_misses;
	out->verified_insns = info.verified_insns;
	find_pids(true, info.id, &out->pids, &out->nr_pids);
	return 0;
}

void bpfkit_prog_info__free(struct bpfkit_prog_info *info)
{
	if (!info)
		return;
	free(info->map_ids);
	free(info->pids);
	info->map_ids = NULL;
	info->pids = NULL;
}

int bpfkit_map__info(int fd, struct bpfkit_map_info *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	const char *ts;

	memset(out, 0, sizeof(*out));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	out->id = info.id;
	out->type = info.type;
	ts = libbpf_bpf_map_type_str(info.type);
	if (ts)
		snprintf(out->type_str, sizeof(out->type_str), "%s", ts);
	else
		snprintf(out->type_str, sizeof(out->type_str), "type %u", info.type);
	snprintf(out->name, sizeof(out->name), "%s", info.name);
	out->flags = info.map_flags;
	out->key_size = info.key_size;
	out->value_size = info.value_size;
	out->max_entries = info.max_entries;
	out->bytes_memlock = fdinfo_u64(fd, "memlock");
	out->frozen = fdinfo_u64(fd, "frozen") != 0;
	out->btf_id = info.btf_id;
	out->btf_key_type_id = info.btf_key_type_id;
	out->btf_value_type_id = info.btf_value_type_id;
	find_pids(false, info.id, &out->pids, &out->nr_pids);
	return 0;
}

void bpfkit_map_info__free(struct bpfkit_map_info *info)
{
	if (!info)
		return;
	free(info->pids);
	info->pids = NULL;
}

/* ---- lookup by spec ------------------------------------------------------ */

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* Does the program or map behind FD have this name (or, for a program, tag)? */
static bool spec_matches(bool prog, int fd, const char *kind, const char *value)
{
	if (prog) {
		/* only what the match needs: no pid scan per program */
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);
		char name[128], tag[17];

		if (bpf_obj_get_info_by_fd(fd, &pi, &len))
			return false;
		if (!strcmp(kind, "tag")) {
			for (int i = 0; i < 8; i++)
				snprintf(tag + 2 * i, 3, "%02x", pi.tag[i]);
			return !strcasecmp(tag, value);
		}
		full_prog_name(fd, &pi, name, sizeof(name));
		return !strcmp(name, value);
	}
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	return !bpf_obj_get_info_by_fd(fd, &mi, &len) && !strcmp(mi.name, value);
}

/* Opens what SPEC names: one fd for "id N" and "pinned PATH", every match
 * of "name NAME" or "tag HEX" in id order. Fills up to MAX of FDS (and, for
 * names and tags, IDS when not NULL: the ids a refusal lists); returns how many matched in all (the ones past MAX are
 * not kept open), or -errno with a one-line message - no match included. */
static int open_specs(bool prog, const char *kind, const char *value, int *fds, uint32_t *ids, int max)
{
	const char *what = prog ? "prog" : "map";
	uint32_t id = 0, want;
	int fd, err, n = 0;

	if (!kind || !value) {
		pr_warn("%s: expected 'id N', 'name NAME'%s or 'pinned PATH'\n", what, prog ? ", 'tag HEX'" : "");
		return -EINVAL;
	}
	if (max < 1)
		return -EINVAL;
	if (!strcmp(kind, "id")) {
		if (parse_u32(value, &want)) {
			pr_warn("%s id '%s': not an id (a number from 1 to 4294967295)\n", what, value);
			return -EINVAL;
		}
		fd = prog ? bpf_prog_get_fd_by_id(want) : bpf_map_get_fd_by_id(want);
		if (fd < 0) {
			err = -errno;
			pr_warn("%s id %u: %s\n", what, want, err == -ENOENT ? (prog ? "no such program" : "no such map") : errstr(err));
			return err;
		}
		fds[0] = fd;
		return 1;
	}
	if (!strcmp(kind, "pinned")) {
		fd = bpf_obj_get(value);
		if (fd < 0) {
			err = -errno;
			pr_warn("pinned '%s': %s\n", value, errstr(err));
			return err;
		}
		/* a pin may be either kind: fdinfo says which ("prog_type:" / "map_type:") */
		if (!fdinfo_has(fd, prog ? "prog_type" : "map_type")) {
			close(fd);
			pr_warn("pinned '%s': not a %s\n", value, prog ? "program" : "map");
			return -EINVAL;
		}
		fds[0] = fd;
		return 1;
	}
	if (strcmp(kind, "name") && !(prog && !strcmp(kind, "tag"))) {
		pr_warn("%s: unknown selector '%s' (use id, name%s or pinned)\n", what, kind, prog ? ", tag" : "");
		return -EINVAL;
	}
	while (!(prog ? bpf_prog_get_next_id(id, &id) : bpf_map_get_next_id(id, &id))) {
		fd = prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (spec_matches(prog, fd, kind, value) && n++ < max) {
			fds[n - 1] = fd;
			if (ids)
				ids[n - 1] = id;
			continue;
		}
		close(fd);
	}
	if (errno != ENOENT) {	/* not the end of the list: listing refused */
		err = -errno;
		for (int k = 0; k < n && k < max; k++)
			close(fds[k]);
		pr_warn("%s %s '%s': cannot list %s: %s\n", what, kind, value, prog ? "programs" : "maps", errstr(err));
		return err;
	}
	if (!n) {
		pr_warn("%s %s '%s': not loaded\n", what, kind, value);
		return -ENOENT;
	}
	return n;
}

/* One program or map: a name or tag that several share is refused with
 * their ids, not settled by picking one (which would be a guess). */
static int open_spec(bool prog, const char *kind, const char *value)
{
	enum { SHOWN = 8 };
	int fds[SHOWN], n, k;
	uint32_t ids[SHOWN];
	char list[SHOWN * 12 + 32];
	size_t used = 0;

	n = open_specs(prog, kind, value, fds, ids, SHOWN);
	if (n <= 1)
		return n < 0 ? n : fds[0];
	for (k = 0; k < n && k < SHOWN; k++) {
		close(fds[k]);
		used += snprintf(list + used, sizeof(list) - used, "%s%u", k ? ", " : "", ids[k]);
	}
	if (n > SHOWN)
		snprintf(list + used, sizeof(list) - used, " and %d more", n - SHOWN);
	pr_warn("%s %s '%s': %d %s have this %s (ids %s); choose one with 'id N'\n", prog ? "prog" : "map",
		kind, value, n, prog ? "programs" : "maps", kind, list);
	return -ENOTUNIQ;
}

int bpfkit_prog__open_spec(const char *kind, const char *value)
{
	return open_spec(true, kind, value);
}

int bpfkit_map__open_spec(const char *kind, const char *value)
{
	return open_spec(false, kind, value);
}

int bpfkit_prog__open_specs(const char *kind, const char *value, int *fds, int max)
{
	return open_specs(true, kind, value, fds, NULL, max);
}

int bpfkit_map__open_specs(const char *kind, const char *value, int *fds, int max)
{
	return open_specs(false, kind, value, fds, NULL, max);
}

/* ---- code ---------------------------------------------------------------- */

int bpfkit_prog__xlated(int fd, void **insns, size_t *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), want;

	*insns = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	want = info.xlated_prog_len;
	if (!want)
		return -EPERM;	/* the kernel hides it (kernel.kptr_restrict / no CAP_PERFMON) */
	*insns = calloc(1, want);
	if (!*insns)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = want;
	info.xlated_prog_insns = (uintptr_t)*insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = -errno;

		free(*insns);
		*insns = NULL;
		return err;
	}
	*n = (info.xlated_prog_len < want ? info.xlated_prog_len : want) / 8;
	return 0;
}

int bpfkit_prog__jited(int fd, void **code, size_t *clen, uint32_t **func_lens, size_t *nfuncs)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), want, nf;

	*code = NULL;
	*func_lens = NULL;
	*clen = *nfuncs = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	want = info.jited_prog_len;
	nf = info.nr_jited_func_lens;
	if (!want)
		return -ENODATA;	/* not jited (interpreter) or hidden */
	*code = calloc(1, want);
	*func_lens = calloc(nf ?: 1, sizeof(uint32_t));
	if (!*code || !*func_lens)
		goto enomem;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = want;
	info.jited_prog_insns = (uintptr_t)*code;
	info.nr_jited_func_lens = nf;
	info.jited_func_lens = (uintptr_t)*func_lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = -errno;

		free(*code);
		free(*func_lens);
		*code = NULL;
		*func_lens = NULL;
		return err;
	}
	*clen = info.jited_prog_len < want ? info.jited_prog_len : want;
	*nfuncs = info.nr_jited_func_lens < nf ? info.nr_jited_func_lens : nf;
	return 0;
enomem:
	free(*code);
	free(*func_lens);
	*code = NULL;
	*func_lens = NULL;
	return -ENOMEM;
}

int bpfkit_prog__lines(int fd, struct bpfkit_prog_line **out, size_t *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), cnt, rec;
	struct bpf_line_info *li;
	struct btf *btf;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	cnt = info.nr_line_info;
	rec = info.line_info_rec_size;
	if (!cnt || !info.btf_id || rec < sizeof(*li))
		return -ENODATA;
	li = calloc(cnt, rec);
	if (!li)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_line_info = cnt;
	info.line_info_rec_size = rec;
	info.line_info = (uintptr_t)li;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out_li;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		err = -errno;
		goto out_li;
	}
	*out = calloc(cnt, sizeof(**out));
	if (!*out) {
		err = -ENOMEM;
		goto out_btf;
	}
	for (__u32 i = 0; i < cnt && i < info.nr_line_info; i++) {
		const struct bpf_line_info *r = (const void *)((const char *)li + (size_t)i * rec);
		const char *f = btf__name_by_offset(btf, r->file_name_off);
		const char *l = btf__name_by_offset(btf, r->line_off);
		struct bpfkit_prog_line *o = &(*out)[*n];

		o->insn = r->insn_off;	/* xlated line info counts instructions */
		o->file = strdup(f ?: "");
		o->line = strdup(l ?: "");
		o->line_num = BPF_LINE_INFO_LINE_NUM(r->line_col);
		o->col = BPF_LINE_INFO_LINE_COL(r->line_col);
		(*n)++;
		if (!o->file || !o->line) {
			bpfkit_prog_lines__free(*out, *n);
			*out = NULL;
			*n = 0;
			err = -ENOMEM;
			break;
		}
	}
out_btf:
	btf__free(btf);
out_li:
	free(li);
	return err;
}

void bpfkit_prog_lines__free(struct bpfkit_prog_line *lines, size_t n)
{
	for (size_t i = 0; lines && i < n; i++) {
		free(lines[i].file);
		free(lines[i].line);
	}
	free(lines);
}

/* ---- kallsyms ------------------------------------------------------------ */

struct ksym {
	unsigned long long addr;
	char *name;
};

static struct ksym *ksyms;
static size_t nksyms;
static unsigned long long call_base;
static bool ksyms_loaded;

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void free_ksyms(void)
{
	for (size_t i = 0; i < nksyms; i++)
		free(ksyms[i].name);
	free(ksyms);
	ksyms = NULL;
	nksyms = 0;
}

static void load_ksyms(void)
{
	FILE *f;
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;

	ksyms_loaded = true;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (!strcmp(name, "__bpf_call_base"))
			call_base = addr;
		if (type != 'T' && type != 't')
			continue;
		if (nksyms == cap) {
			struct ksym *g = realloc(ksyms, (cap = cap ? cap * 2 : 4096) * sizeof(*g));

			if (!g)
				break;
			ksyms = g;
		}
		ksyms[nksyms].addr = addr;
		ksyms[nksyms].name = strdup(name);
		if (ksyms[nksyms].name)
			nksyms++;
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
	atexit(free_ksyms);
}

const char *bpfkit_kallsyms__name(unsigned long long addr)
{
	struct ksym key = { addr, NULL }, *hit;

	if (!ksyms_loaded)
		load_ksyms();
	if (!addr || !nksyms)
		return NULL;
	hit = bsearch(&key, ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
	return hit ? hit->name : NULL;
}

/* Kallsyms gives no sizes: an address this far past the nearest symbol is
 * taken as unknown rather than misnamed. */
#define KSYM_MAX_OFF (1ULL << 20)

const char *bpfkit_kallsyms__lookup(unsigned long long addr, unsigned long long *off)
{
	size_t lo = 0, hi;

	if (!ksyms_loaded)
		load_ksyms();
	if (!addr || !nksyms || addr < ksyms[0].addr)
		return NULL;
	hi = nksyms;
	while (hi - lo > 1) {	/* last symbol with .addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr - ksyms[lo].addr >= KSYM_MAX_OFF)
		return NULL;
	if (off)
		*off = addr - ksyms[lo].addr;
	return ksyms[lo].name;
}

int bpfkit_prog__jited_ksyms(int fd, unsigned long long **addrs, size_t *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), cnt;

	*addrs = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	cnt = info.nr_jited_ksyms;
	if (!cnt)
		return 0;
	*addrs = calloc(cnt, sizeof(**addrs));
	if (!*addrs)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = cnt;
	info.jited_ksyms = (uintptr_t)*addrs;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = -errno;

		free(*addrs);
		*addrs = NULL;
		return err;
	}
	*n = info.nr_jited_ksyms < cnt ? info.nr_jited_ksyms : cnt;
	return 0;
}

const char *bpfkit_kallsyms__helper(int32_t imm)
{
	struct ksym key, *hit;

	if (!ksyms_loaded)
		load_ksyms();
	if (!call_base || !nksyms)
		return NULL;
	key.addr = call_base + (long long)imm;
	hit = bsearch(&key, ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
	return hit ? hit->name : NULL;
}
