/* lib/logger.c — the user-space half of bpfkit logging that touches the
 * kernel: finds an object's (or a pin directory's) log ring and call-site
 * table, drains records (polled on a timer: the ring is plain mmapped
 * memory, nothing to wait on; every program of the object shares it),
 * routes formatted lines to a stream or a callback, filters by level, and
 * reports records lost to overwriting. Before load it fills the call
 * sites' function names and applies BPFKIT_LOG (log_prepare_load, called
 * by bpfkit_object__load).
 * Reading the ring is log_ring.c; formatting is log_format.c. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include <bpfkit/logger.h>
#include <bpfkit/object.h>
#include <bpfkit/trace.h>
#include "internal.h"
#include "log_format.h"
#include "log_ring.h"

#define LOG_RB_MAP	".data.bklog"
#define LOG_SITES_MAP	".rodata.bklog"
/* How often a loop polls the ring: the latency of a line, and the window
 * the ring must hold (BK_LOG_RING_SLOTS) at the peak rate. */
#define LOG_POLL_MS	5
#define LOG_LEVEL_VAR	"bpfkit_log_level"

struct bpfkit_logger {
	struct log_table tab;
	struct log_ring ring;
	struct log_ring_stats st;
	int timer_fd;		/* LOG_POLL_MS ticks for event loops, or -1 */
	int own_fds[2];		/* opened from pins: closed on free */
	FILE *out;
	bpfkit_log_fn_t fn;
	void *ctx;
	int level;
	int stop;		/* a callback asked to stop */
	uint64_t dropped_seen, bad_seen;
	uint64_t bad;
	time_t tm_sec;		/* cached local time of tm_sec */
	char tm_buf[16];
};

int bpfkit_log_level__parse(const char *s)
{
	return log_level__parse(s);
}

/* ---- before load: function names and level ---- */

/* Walks the object's symbols in the call-site section: "func.var" local
 * statics are call sites (C has no function-name literal, so the name comes
 * from here), LOG_LEVEL_VAR is the level. Fills func into DATA (the section
 * image) and returns the level's offset in *LEVEL_OFF (SIZE_MAX if absent). */
static int elf_scan(const void *bytes, size_t size, unsigned char *data, size_t dsize,
		    size_t *level_off)
{
	size_t shstrndx, sec_idx = 0;
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh, symsh = { 0 };
	Elf_Data *syms;
	Elf *elf;
	int err = 0;

	*level_off = SIZE_MAX;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)bytes, size);
	if (!elf)
		return -EINVAL;
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, LOG_SITES_MAP))
			sec_idx = elf_ndxscn(scn);
		if (sh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			symsh = sh;
		}
	}
	if (!sec_idx || !symscn || !(syms = elf_getdata(symscn, NULL)) || !symsh.sh_entsize)
		goto out;
	for (size_t i = 0; i < symsh.sh_size / symsh.sh_entsize; i++) {
		GElf_Sym sym;
		const char *name, *dot;
		size_t fo;

		if (!gelf_getsym(syms, (int)i, &sym) || sym.st_shndx != sec_idx)
			continue;
		name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		if (!name)
			continue;
		/* bounds as "fits in what is left": st_value + size could wrap
		 * on a crafted symbol and pass */
		if (!strcmp(name, LOG_LEVEL_VAR)) {
			if (dsize >= 4 && sym.st_value <= dsize - 4)
				*level_off = sym.st_value;
			continue;
		}
		dot = strchr(name, '.');
		if (!dot || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || dsize < sizeof(struct bk_log_site) ||
		    sym.st_value > dsize - sizeof(struct bk_log_site) ||
		    memcmp(data + sym.st_value, &(uint32_t){ BK_LOG_MAGIC }, 4))
			continue;
		fo = sym.st_value + offsetof(struct bk_log_site, func);
		memset(data + fo, 0, BK_LOG_FUNC_LEN);
		memcpy(data + fo, name, (size_t)(dot - name) < BK_LOG_FUNC_LEN - 1 ?
		       (size_t)(dot - name) : BK_LOG_FUNC_LEN - 1);
	}
out:
	elf_end(elf);
	return err;
}

static int set_level(struct bpfkit_object *obj, int level, bool fill_funcs)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj->obj, LOG_SITES_MAP);
	const unsigned char *data;
	unsigned char *copy;
	size_t dsize, level_off;
	int err;

	if (!map)
		return -ENOENT;
	if (bpf_map__fd(map) >= 0)
		return -EBUSY;
	data = bpf_map__initial_value(map, &dsize);
	if (!data)
		return -ENOENT;
	/* scan a copy so a failed scan leaves the image untouched */
	copy = malloc(dsize);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, dsize);
	err = elf_scan(obj->bytes, obj->size, copy, dsize, &level_off);
	if (!err && level >= 0) {
		if (level_off == SIZE_MAX) {
			pr_warn("object '%s': no '%s' in %s\n", obj->name, LOG_LEVEL_VAR, LOG_SITES_MAP);
		} else {
			uint32_t l = (uint32_t)level;

			memcpy(copy + level_off, &l, 4);
		}
	}
	if (!err && (fill_funcs || level >= 0))
		err = bpf_map__set_initial_value(map, copy, dsize);
	free(copy);
	return err;
}

int bpfkit_log__set_level(struct bpfkit_object *obj, enum bpfkit_log_level level)
{
	if (!obj || (int)level < 0 || level > BPFKIT_LOG_TRACE)
		return -EINVAL;
	return set_level(obj, (int)level, false);
}

int bpfkit_log__set_buffer_size(struct bpfkit_object *obj, size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bpf_map *map;

	if (!obj || bytes < (size_t)page || bytes % page || (bytes & (bytes - 1)) || bytes > (1ULL << 31))
		return -EINVAL;
	map = bpf_object__find_map_by_name(obj->obj, LOG_RB_MAP);
	if (!map || bpf_map__type(map) != BPF_MAP_TYPE_ARRAY)
		return -ENOENT;
	if (bpf_map__fd(map) >= 0)
		return -EBUSY;
	/* The ring's size is a mask in every call site's code (so the
	 * verifier can bound the store): it is fixed at compile time. */
	if (bpf_map__value_size(map) != BK_LOG_RING_HDR + (bytes / BK_LOG_SLOT + BK_LOG_TAIL_SLOTS) * BK_LOG_SLOT) {
		pr_warn("object '%s': its log ring is %u bytes, set at compile time "
			"(#define BK_LOG_RING_SLOTS before including bpfkit/log.h)\n", obj->name,
			(bpf_map__value_size(map) - BK_LOG_RING_HDR) / BK_LOG_SLOT * BK_LOG_SLOT -
			BK_LOG_TAIL_SLOTS * BK_LOG_SLOT);
		return -EOPNOTSUPP;
	}
	return 0;
}

int log_prepare_load(struct bpfkit_object *obj)
{
	const char *env = getenv("BPFKIT_LOG");
	int level = -1, err;

	if (!bpf_object__find_map_by_name(obj->obj, LOG_SITES_MAP))
		return 0;
	if (env && *env) {
		level = log_level__parse(env);
		if (level < 0)
			pr_warn("BPFKIT_LOG='%s' is not a level (off, error, warn, info, debug, trace); ignored\n", env);
	}
	err = set_level(obj, level, true);
	if (err && err != -EBUSY)
		pr_warn("object '%s': reading its log call sites failed: %s\n", obj->name, errstr(err));
	return err == -EBUSY ? 0 : err;
}

int bpfkit_log__foreach_site(struct bpfkit_object *obj, bpfkit_log_site_fn_t fn, void *ctx)
{
	struct bpf_map *map = obj ? bpf_object__find_map_by_name(obj->obj, LOG_SITES_MAP) : NULL;
	const void *data;
	unsigned char *copy;
	struct log_table t;
	size_t dsize, level_off;
	int err;

	if (!map || !(data = bpf_map__initial_value(map, &dsize)))
		return -ENOENT;
	copy = malloc(dsize);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, dsize);
	elf_scan(obj->bytes, obj->size, copy, dsize, &level_off);	/* names, if not yet */
	err = log_table__parse(&t, copy, dsize);
	free(copy);
	if (err)
		return err;
	for (int i = 0; i < t.n; i++) {
		const struct log_site *ls = &t.sites[i];
		struct bpfkit_log_site s = {
			.id = ls->id, .level = (enum bpfkit_log_level)ls->level, .func = ls->func,
			.file = ls->file, .line = ls->line, .fmt = ls->fmt, .nargs = ls->nargs,
			.rec_size = ls->rec_size, .error = ls->error,
		};

		if (fn && fn(&s, ctx))
			break;
	}
	err = t.n;
	log_table__free(&t);
	return err;
}

/* ---- records ---- */

static void emit(struct bpfkit_logger *lg, int level, const char *func, const char *file,
		 unsigned line, const char *msg, bool bad)
{
	struct timespec ts;

	if (level > lg->level && !bad)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (lg->fn) {
		struct bpfkit_log_record r = {
			.level = (enum bpfkit_log_level)level, .func = func, .file = file,
			.line = line, .msg = msg, .bad = bad,
			.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
		};

		if (lg->fn(&r, lg->ctx) < 0)
			lg->stop = 1;
		return;
	}
	if (ts.tv_sec != lg->tm_sec) {
		struct tm tm;

		localtime_r(&ts.tv_sec, &tm);
		strftime(lg->tm_buf, sizeof(lg->tm_buf), "%H:%M:%S", &tm);
		lg->tm_sec = ts.tv_sec;
	}
	{
		/* "HH:MM:SS.uuuuuu LEVEL func: msg\n" without printf: this is the
		 * per-record hot path */
		char line[16 + 8 + BK_LOG_FUNC_LEN + 1100], *p = line;
		const char *lv = log_level__name(level);
		size_t fl = strnlen(func, BK_LOG_FUNC_LEN + 16), ml = strnlen(msg, 1024);
		long us = ts.tv_nsec / 1000;

		p = mempcpy(p, lg->tm_buf, strlen(lg->tm_buf));
		*p++ = '.';
		for (int i = 5; i >= 0; i--, us /= 10)
			p[i] = (char)('0' + us % 10);
		p += 6;
		*p++ = ' ';
		p = mempcpy(p, "     ", 5);
		memcpy(p - 5, lv, strnlen(lv, 5));
		*p++ = ' ';
		p = mempcpy(p, func, fl);
		*p++ = ':';
		*p++ = ' ';
		p = mempcpy(p, msg, ml);
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), lg->out);
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpfkit_logger *lg = ctx;
	const struct log_site *s;
	char msg[1024];
	int err;

	err = log_record__format(&lg->tab, data, size, msg, sizeof(msg), &s);
	if (err) {
		lg->bad++;
		emit(lg, BPFKIT_LOG_ERROR, "bpfkit", s ? s->file : "", s ? s->line : 0, msg, true);
	} else {
		emit(lg, s->level, s->func[0] ? s->func : "?", s->file, s->line, msg, false);
	}
	return lg->stop ? -ECANCELED : 0;
}

static void check_drops(struct bpfkit_logger *lg)
{
	uint64_t d = bpfkit_logger__dropped(lg);
	char msg[128];

	if (d > lg->dropped_seen) {
		snprintf(msg, sizeof(msg), "dropped %llu log records (ring buffer full; %llu in all)",
			 (unsigned long long)(d - lg->dropped_seen), (unsigned long long)d);
		lg->dropped_seen = d;
		emit(lg, BPFKIT_LOG_WARN, "bpfkit", "", 0, msg, true);
	}
	if (lg->st.bad_records > lg->bad_seen) {
		snprintf(msg, sizeof(msg), "bad log records: %llu skipped at a malformed record header",
			 (unsigned long long)(lg->st.bad_records - lg->bad_seen));
		lg->bad += lg->st.bad_records - lg->bad_seen;
		lg->bad_seen = lg->st.bad_records;
		emit(lg, BPFKIT_LOG_ERROR, "bpfkit", "", 0, msg, true);
	}
}

static int finish(struct bpfkit_logger *lg, int n)
{
	check_drops(lg);
	if (!lg->fn)
		fflush(lg->out);
	if (n == -ECANCELED || lg->stop)
		return -ECANCELED;
	return n;
}

int bpfkit_logger__drain(struct bpfkit_logger *lg)
{
	return finish(lg, log_ring__drain(&lg->ring, on_record, lg, &lg->st));
}

int bpfkit_logger__poll(struct bpfkit_logger *lg, int timeout_ms)
{
	struct timespec t0, t;
	int n, left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint64_t lost = lg->st.lost;

		n = log_ring__drain(&lg->ring, on_record, lg, &lg->st);
		/* a loss is news too: report it now, and let a caller that
		 * polls in a loop come back at once */
		if (n || lg->st.lost != lost || !left)
			break;
		/* nothing to wait on but time: the ring is plain memory */
		poll(NULL, 0, left < 0 || left > LOG_POLL_MS ? LOG_POLL_MS : left);
		if (left > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
						  (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left < 0)
				left = 0;
		}
	}
	return finish(lg, n);
}

int bpfkit_logger__fd(const struct bpfkit_logger *lg)
{
	return lg->timer_fd;
}

static int loop_fn(int fd, void *ctx)
{
	uint64_t ticks;
	int n;

	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return -errno;
	n = bpfkit_logger__drain(ctx);
	return n < 0 ? n : 0;
}

int bpfkit_logger__add_to_loop(struct bpfkit_logger *lg, struct bpfkit_loop *loop)
{
	if (lg->timer_fd < 0)
		return -EBADF;
	return bpfkit_loop__add(loop, lg->timer_fd, loop_fn, lg);
}

uint64_t bpfkit_logger__dropped(struct bpfkit_logger *lg)
{
	return lg->st.lost;
}

uint64_t bpfkit_logger__records(const struct bpfkit_logger *lg) { return lg->st.records + lg->st.bad_records; }
uint64_t bpfkit_logger__bad_records(const struct bpfkit_logger *lg) { return lg->bad; }
int bpfkit_logger__sites(const struct bpfkit_logger *lg) { return lg->tab.n; }

/* ---- open ---- */

static struct bpfkit_logger *logger_alloc(const struct bpfkit_logger_opts *opts)
{
	struct bpfkit_logger *lg;
	const char *env = getenv("BPFKIT_LOG");
	int level = OPTS_GET(opts, level, 0);

	if (!OPTS_VALID(opts, bpfkit_logger_opts)) {
		errno = EINVAL;
		return NULL;
	}
	lg = calloc(1, sizeof(*lg));
	if (!lg)
		return NULL;
	lg->timer_fd = -1;
	for (int i = 0; i < 2; i++)
		lg->own_fds[i] = -1;
	lg->out = OPTS_GET(opts, out, NULL) ?: stdout;
	lg->fn = OPTS_GET(opts, fn, NULL);
	lg->ctx = OPTS_GET(opts, ctx, NULL);
	/* The kernel already dropped what its level disables; by default show
	 * all that arrives. */
	if (level <= 0 && env && *env)
		level = log_level__parse(env);
	lg->level = level > 0 ? level : BPFKIT_LOG_TRACE;
	return lg;
}

static int logger_init(struct bpfkit_logger *lg, int ring_fd, const void *sites, size_t size)
{
	struct itimerspec its = {
		.it_interval = { 0, LOG_POLL_MS * 1000000L },
		.it_value = { 0, LOG_POLL_MS * 1000000L },
	};
	int err = log_table__parse(&lg->tab, sites, size);

	if (err)
		return err;
	err = log_ring__open(&lg->ring, ring_fd);
	if (err)
		return err;
	lg->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (lg->timer_fd < 0 || timerfd_settime(lg->timer_fd, 0, &its, NULL))
		return -errno;
	return 0;
}

struct bpfkit_logger *bpfkit_logger__new(struct bpfkit_object *obj, const struct bpfkit_logger_opts *opts)
{
	struct bpf_map *rb, *sites;
	const void *data = NULL;
	size_t size = 0;
	struct bpfkit_logger *lg;
	int err;

	if (!obj) {
		errno = EINVAL;
		return NULL;
	}
	rb = bpf_object__find_map_by_name(obj->obj, LOG_RB_MAP);
	if (!rb || bpf_map__type(rb) != BPF_MAP_TYPE_ARRAY) {
		errno = ENOENT;
		return NULL;
	}
	if (bpf_map__fd(rb) < 0) {
		pr_warn("object '%s': logger: load the object first\n", obj->name);
		errno = EINVAL;
		return NULL;
	}
	lg = logger_alloc(opts);
	if (!lg)
		return NULL;
	sites = bpf_object__find_map_by_name(obj->obj, LOG_SITES_MAP);
	if (sites)
		data = bpf_map__initial_value(sites, &size);
	err = logger_init(lg, bpf_map__fd(rb), data, data ? size : 0);
	if (err) {
		pr_warn("object '%s': logger: %s\n", obj->name, errstr(err));
		bpfkit_logger__free(lg);
		errno = -err;
		return NULL;
	}
	pr_debug("object '%s': logging from %d call site%s\n", obj->name, lg->tab.n,
		 lg->tab.n == 1 ? "" : "s");
	return lg;
}

/* DIR/maps/NAME; bpfkit_object__pin writes ".rodata.bklog" as
 * "_rodata_bklog" (no hidden files on bpffs), other pinners may not. */
static int open_pin(const char *dir, const char *name, int *fd)
{
	char path[PATH_MAX], alt[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(alt) - 1; i++)
		alt[i] = name[i] == '.' ? '_' : name[i];
	alt[i] = '\0';
	if (snprintf(path, sizeof(path), "%s/maps/%s", dir, alt) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	*fd = bpf_obj_get(path);
	if (*fd < 0 && errno == ENOENT && strcmp(alt, name)) {
		snprintf(path, sizeof(path), "%s/maps/%s", dir, name);
		*fd = bpf_obj_get(path);
		/* bpffs refuses names with '.' (EPERM): that old spelling is
		 * not there either, so the answer is the first one's */
		if (*fd < 0)
			errno = ENOENT;
	}
	return *fd < 0 ? -errno : 0;
}

/* Call sites' function names for an object bpfkit did not load (elf_scan
 * filled them before a bpfkit load): the sites are static variables named
 * "func.var", and the map's BTF keeps their names and offsets (DATASEC). */
static void funcs_from_btf(__u32 btf_id, unsigned char *data, size_t dsize)
{
	struct btf *btf = btf_id ? btf__load_from_kernel_by_id(btf_id) : NULL;
	int n;

	if (!btf)
		return;
	n = (int)btf__type_cnt(btf);
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs;
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!btf_is_datasec(t) || !name || strcmp(name, LOG_SITES_MAP))
			continue;
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			const char *vn = v ? btf__name_by_offset(btf, v->name_off) : NULL;
			const char *dot = vn ? strchr(vn, '.') : NULL;
			size_t fo = vs->offset + offsetof(struct bk_log_site, func);

			if (!dot || vs->offset + sizeof(struct bk_log_site) > dsize ||
			    memcmp(data + vs->offset, &(uint32_t){ BK_LOG_MAGIC }, 4) || data[fo])
				continue;
			memcpy(data + fo, vn, (size_t)(dot - vn) < BK_LOG_FUNC_LEN - 1 ?
			       (size_t)(dot - vn) : BK_LOG_FUNC_LEN - 1);
		}
		break;
	}
	btf__free(btf);
}

/* The logger over LG->own_fds: [0] the ring (checked here), [1] the
 * call-site table or -1 (log.h included, no calls: nothing will come).
 * WHAT names where they came from, for messages. 0 or -errno. */
static int logger_open_fds(struct bpfkit_logger *lg, const char *what)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), key = 0;
	void *value = NULL;
	int err, fd = lg->own_fds[1];

	if (bpf_obj_get_info_by_fd(lg->own_fds[0], &info, &info_len) || log_ring__check_info(&info, NULL)) {
		pr_warn("%s: %s is not a bpfkit log ring (an older bpfkit's object?)\n", what, LOG_RB_MAP);
		return -EINVAL;
	}
	if (fd < 0)
		return logger_init(lg, lg->own_fds[0], NULL, 0);
	memset(&info, 0, sizeof(info));
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.key_size != 4 || !info.value_size || info.value_size > (1u << 24)) {
		pr_warn("%s: %s is not a call-site table\n", what, LOG_SITES_MAP);
		return -EINVAL;
	}
	value = calloc(1, info.value_size);
	if (!value)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, value)) {
		err = -errno;
		pr_warn("%s: reading %s: %s\n", what, LOG_SITES_MAP, errstr(err));
		goto out;
	}
	funcs_from_btf(info.btf_id, value, info.value_size);
	err = logger_init(lg, lg->own_fds[0], value, info.value_size);
	if (err)
		pr_warn("%s: logger: %s\n", what, errstr(err));
out:
	free(value);
	return err;
}

struct bpfkit_logger *bpfkit_logger__open_pinned(const char *dir, const struct bpfkit_logger_opts *opts)
{
	struct bpfkit_logger *lg;
	char what[PATH_MAX + 16];
	int err;

	lg = logger_alloc(opts);
	if (!lg)
		return NULL;
	snprintf(what, sizeof(what), "pin dir '%s'", dir);
	err = open_pin(dir, LOG_RB_MAP, &lg->own_fds[0]);
	if (err) {
		/* named as pinned: maps/_data_bklog ('.' is '_' on bpffs) */
		pr_warn("pin dir '%s': no log ring buffer (maps/_data_bklog): %s\n", dir,
			err == -ENOENT ? "the object does not log, or DIR is not a bpfkit pin directory" : errstr(err));
		goto fail;
	}
	err = open_pin(dir, LOG_SITES_MAP, &lg->own_fds[1]);
	if (err && err != -ENOENT) {
		pr_warn("pin dir '%s': maps/%s: %s\n", dir, LOG_SITES_MAP, errstr(err));
		goto fail;
	}
	err = logger_open_fds(lg, what);
	if (err)
		goto fail;
	return lg;
fail:
	bpfkit_logger__free(lg);
	errno = -err;
	return NULL;
}

struct bpfkit_logger *bpfkit_logger__open_prog(int prog_fd, const struct bpfkit_logger_opts *opts)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64];
	struct bpfkit_logger *lg;
	char what[160], name[128];
	int err = 0;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		err = -errno;
		pr_warn("prog: cannot read its info: %s\n", errstr(err));
		errno = -err;
		return NULL;
	}
	full_prog_name(prog_fd, &info, name, sizeof(name));
	snprintf(what, sizeof(what), "prog %u '%s'", info.id, name);
	if (info.nr_map_ids > sizeof(ids) / sizeof(ids[0]))
		info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	{
		__u32 n = info.nr_map_ids;

		memset(&info, 0, sizeof(info));
		info.nr_map_ids = n;
		info.map_ids = (uintptr_t)ids;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
			err = -errno;
			pr_warn("%s: cannot read its maps: %s\n", what, errstr(err));
			errno = -err;
			return NULL;
		}
	}
	lg = logger_alloc(opts);
	if (!lg)
		return NULL;
	/* Whoever loaded it (bpfkit, iproute2, bpftool: all through libbpf)
	 * named the object's log ring and call-site table after their ELF
	 * sections, which fit the kernel's 15 characters whole. */
	for (__u32 i = 0; i < info.nr_map_ids; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]), slot = -1;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen))
			slot = !strcmp(mi.name, LOG_RB_MAP) ? 0 : !strcmp(mi.name, LOG_SITES_MAP) ? 1 : -1;
		if (slot >= 0 && lg->own_fds[slot] < 0)
			lg->own_fds[slot] = fd;
		else
			close(fd);
	}
	if (lg->own_fds[0] < 0) {
		err = -ENOENT;
		pr_warn("%s: has no bpfkit log ring among its maps (no %s): it does not log with bpfkit/log.h\n",
			what, LOG_RB_MAP);
		goto fail;
	}
	err = logger_open_fds(lg, what);
	if (err)
		goto fail;
	return lg;
fail:
	bpfkit_logger__free(lg);
	errno = -err;
	return NULL;
}

void bpfkit_logger__free(struct bpfkit_logger *lg)
{
	if (!lg)
		return;
	log_ring__close(&lg->ring);
	log_table__free(&lg->tab);
	if (lg->timer_fd >= 0)
		close(lg->timer_fd);
	for (int i = 0; i < 2; i++)
		if (lg->own_fds[i] >= 0)
			close(lg->own_fds[i]);
	free(lg);
}
