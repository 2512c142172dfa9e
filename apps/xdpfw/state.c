/* apps/xdpfw/state.c — xdpfw's kernel state: load the datapath once and pin
 * its maps and program under a bpffs directory (so the firewall keeps
 * working, with its rules, policy and counters, after the CLI exits), and
 * swap rule sets atomically.
 *
 * The swap: each generation (0/1) has its own half of every table (class
 * pool, IPv4 trie, IPv6 hash table, port tables), all written through
 * mmap. apply() writes the new rule set into the inactive generation, then
 * one update of cfg.gen moves every packet over (a packet reads gen once, so
 * it sees the old set or the new one, never a mix), then, after an RCU grace
 * period, clears the old generation. Rule definitions record which
 * generations they belong to (def.gens) and their position in each, and
 * cfg.tab_dirty/trie_dirty/port_dirty say how much of each table half may
 * hold entries — that is how a half-written generation left by a killed CLI
 * is removed before the next apply. A rule kept across a swap keeps its slot and
 * so its counters. The definitions are read and written through mmap where
 * the map allows (batch syscalls for one pinned by an older xdpfw). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "bgjob.h"
#include "bigmem.h"
#include "state.h"
#include "table.h"

int xdpfw_apply_crash_point;

static const char *const map_names[XM_NMAPS] = {
	[XM_CFG] = "xdpfw_cfg", [XM_CLASS] = "xdpfw_class", [XM_TAB6] = "xdpfw_tab6",
	[XM_PLENS] = "xdpfw_plens", [XM_PORTS] = "xdpfw_ptab",
	[XM_COUNTERS] = "xdpfw_rulecnt", [XM_RULES] = "xdpfw_rules",
	[XM_TOTALS] = "xdpfw_totals", [XM_FRAGS] = "xdpfw_frags",
	[XM_LOGRATE] = "xdpfw_lograte", [XM_TRIE4] = "xdpfw_trie",
};

/* Map I in the object BO: cfg, the prefix-length lists and the tables are
 * global variables of the datapath (xdpfw.bpf.c), each the internal map of
 * its data section, ".data." and its name. */
static struct bpf_map *find_map(struct bpf_object *bo, int i)
{
	struct bpf_map *m = bpf_object__find_map_by_name(bo, map_names[i]);
	char sec[64];

	if (m)
		return m;
	snprintf(sec, sizeof(sec), ".data.%s", map_names[i]);
	return bpf_object__find_map_by_name(bo, sec);
}

static void state_init(struct xdpfw_state *st)
{
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < XM_NMAPS; i++)
		st->fd[i] = -1;
	st->prog_fd = -1;
	st->lock_fd = -1;
	/* < 1 if unknown: per-CPU reads then fail, never guess (the kernel
	 * copies a value per possible CPU into the reader's buffer) */
	st->ncpu = libbpf_num_possible_cpus();
}

/* Map I's kernel description into *INFO. */
static int map_info(const struct xdpfw_state *st, int i, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(st->fd[i], info, &len) ? -errno : 0;
}

/* Map I's values, BYTES long, mapped to be read and written (read only for
 * a reader's state); NULL (errno set) if the kernel refuses. */
static void *map_values(const struct xdpfw_state *st, int i, size_t bytes)
{
	void *q = mmap(NULL, bytes, st->readonly ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, st->fd[i], 0);

	return q == MAP_FAILED ? NULL : q;
}

/* Also maps the rule definitions where the map allows: an apply reads and
 * writes up to two sets' worth, too many for a syscall each (batch calls
 * still copy every one through the kernel one at a time). */
static int fill_max_slots(struct xdpfw_state *st)
{
	struct bpf_map_info info;
	int rc = map_info(st, XM_RULES, &info);

	if (rc)
		return rc;
	if (info.key_size != sizeof(__u32) || info.value_size != sizeof(struct xdpfw_rule_def))
		return -EINVAL;	/* another version's definitions */
	st->max_slots = info.max_entries;
	if (!(info.map_flags & BPF_F_MMAPABLE))
		return 0;	/* batch syscalls */
	st->defs_bytes = (size_t)info.max_entries * info.value_size;
	st->defs = map_values(st, XM_RULES, st->defs_bytes);
	return st->defs ? 0 : -errno;
}

/* Bytes per entry of table map I (xdpfw_common.h), 0 for the other maps. */
static size_t table_elem(int i)
{
	switch (i) {
	case XM_CLASS: return sizeof(struct xdpfw_cls);
	case XM_TAB6: return sizeof(struct xdpfw_slot6);
	case XM_TRIE4: return sizeof(__u32);
	case XM_PORTS: return sizeof(struct xdpfw_pent);
	default: return 0;
	}
}

/* Maps table map M (one value: generation 0's half, then 1's, each at
 * least MIN entries) into *P, *BYTES long; *HALF gets the entries per half.
 * -EINVAL for a map of another layout (an older xdpfw pinned a value per
 * generation, or per entry; the trie's half is a whole number of 16-entry
 * chunks). */
static int map_half(struct xdpfw_state *st, int m, __u32 min, void **p, size_t *bytes, __u32 *half)
{
	struct bpf_map_info info;
	size_t elem = table_elem(m);
	int rc = map_info(st, m, &info);

	if (rc)
		return rc;
	if (info.max_entries != 1 || info.value_size % (2 * elem) || info.value_size / 2 / elem < min ||
	    (m == XM_TRIE4 && info.value_size % (2 * elem * XDPFW_TRIE_BLK)))
		return -EINVAL;
	*p = map_values(st, m, info.value_size);
	if (!*p)
		return -errno;
	*bytes = info.value_size;
	*half = info.value_size / 2 / elem;
	return 0;
}

/* The prefix-length lists, one value of XDPFW_NPLENS (xdpfw.bpf.c), are
 * written through mmap too. */
static int map_plens(struct xdpfw_state *st)
{
	struct bpf_map_info info;
	int rc = map_info(st, XM_PLENS, &info);

	if (rc)
		return rc;
	if (info.max_entries != 1 || info.value_size != XDPFW_NPLENS * sizeof(struct xdpfw_plens) ||
	    !(info.map_flags & BPF_F_MMAPABLE))
		return -EINVAL;
	st->plens = map_values(st, XM_PLENS, info.value_size);
	return st->plens ? 0 : -errno;
}

/* One more than the highest possible CPU id (the last number in the
 * kernel's list, "0-3" or "0,2-5"): the ids bpf_get_smp_processor_id()
 * returns, which the count of possible CPUs is not where the list has gaps. */
static int cpu_id_limit(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[4096];
	const char *p;
	int n = -1;

	if (f && fgets(buf, sizeof(buf), f)) {
		p = buf + strcspn(buf, "\n");
		while (p > buf && (p[-1] >= '0' && p[-1] <= '9'))
			p--;
		n = *p >= '0' && *p <= '9' ? atoi(p) + 1 : -1;
	}
	if (f)
		fclose(f);
	return n > 0 ? n : libbpf_num_possible_cpus();
}

/* The per-rule counters (xdpfw.bpf.c: a value per CPU, a counter per slot
 * in each), mapped to be read and zeroed per slot: a syscall would copy a
 * CPU's every counter. -EINVAL for a map of another layout. */
static int map_counters(struct xdpfw_state *st)
{
	struct bpf_map_info info;
	int rc = map_info(st, XM_COUNTERS, &info);

	if (rc)
		return rc;
	if (info.type != BPF_MAP_TYPE_ARRAY || !(info.map_flags & BPF_F_MMAPABLE) ||
	    (int)info.max_entries < cpu_id_limit() ||
	    info.value_size % sizeof(struct xdpfw_counter) ||
	    info.value_size / sizeof(struct xdpfw_counter) < st->max_slots)
		return -EINVAL;
	st->cnt_bytes = (size_t)info.max_entries * info.value_size;
	st->cnt = map_values(st, XM_COUNTERS, st->cnt_bytes);
	if (!st->cnt)
		return -errno;
	st->cnt_cpus = info.max_entries;
	st->cnt_slots = info.value_size / sizeof(struct xdpfw_counter);
	return 0;
}

/* The maps user space copies whole values of (cfg, the totals, the
 * fragment and log-rate maps) have this version's layout: -EINVAL if not
 * (a state pinned by another xdpfw, whose bigger values would overrun
 * ours). */
static int check_fixed_maps(const struct xdpfw_state *st)
{
	static const struct {
		int map;
		__u32 type, key, value, entries;
	} want[] = {
		{ XM_CFG, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct xdpfw_cfg), 1 },
		{ XM_TOTALS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(struct xdpfw_counter), XDPFW_NTOTALS },
		{ XM_FRAGS, BPF_MAP_TYPE_LRU_HASH, sizeof(struct xdpfw_frag_key), sizeof(__u32), 0 },
		{ XM_LOGRATE, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), 2 * sizeof(__u64), 1 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bpf_map_info info;
		int rc = map_info(st, want[i].map, &info);

		if (rc)
			return rc;
		if (info.type != want[i].type || info.key_size != want[i].key || info.value_size != want[i].value ||
		    (want[i].entries && info.max_entries != want[i].entries))
			return -EINVAL;
	}
	return 0;
}

/* The tables are written through mmap: plain stores, no syscall per entry. */
static int map_tables(struct xdpfw_state *st)
{
	struct xdpfw_cfg cfg;
	void *p;
	int rc;

	rc = check_fixed_maps(st) ?: map_counters(st);
	if (rc)
		return rc;

	for (int f = 0; f < 2; f++) {
		rc = map_half(st, f ? XM_TAB6 : XM_CLASS, 16, &st->tab[f], &st->tab_bytes[f], &st->tab_cap[f]);
		if (rc)
			return rc;
	}
	/* the trie's half holds the two 2^16 roots (IPv4, IPv6) at least */
	rc = map_half(st, XM_TRIE4, 2u << XDPFW_TRIE_ROOT_BITS, &p, &st->trie4_bytes, &st->trie4_cap);
	if (rc)
		return rc;
	st->trie4 = p;
	st->root_bits = xdpfw_trie_root_bits(st->trie4_cap);
	/* the applies so far wrote tries of that width (0: none yet); -EINVAL:
	 * a table of another layout */
	if (!xdpfw_state_cfg(st, &cfg) && cfg.root_bits && cfg.root_bits != st->root_bits)
		return -EINVAL;
	rc = map_half(st, XM_PORTS, 4, &p, &st->ptab_bytes, &st->ptab_cap);
	if (rc)
		return rc;
	st->ptab = p;
	return map_plens(st);
}

void xdpfw_state_close(struct xdpfw_state *st)
{
	for (int f = 0; f < 2; f++)
		if (st->tab[f])
			munmap(st->tab[f], st->tab_bytes[f]);
	if (st->trie4)
		munmap(st->trie4, st->trie4_bytes);
	if (st->ptab)
		munmap(st->ptab, st->ptab_bytes);
	if (st->plens)
		munmap(st->plens, XDPFW_NPLENS * sizeof(*st->plens));
	if (st->defs)
		munmap(st->defs, st->defs_bytes);
	if (st->cnt)
		munmap(st->cnt, st->cnt_bytes);
	for (int i = 0; i < XM_NMAPS; i++)
		if (st->fd[i] >= 0)
			close(st->fd[i]);
	if (st->prog_fd >= 0)
		close(st->prog_fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	if (st->obj)
		bpfkit_object__close(st->obj);
	state_init(st);
}

/* Whether ST's cfg map has this version's shape. */
static bool cfg_shape_ok(const struct xdpfw_state *st)
{
	struct bpf_map_info info;

	return !map_info(st, XM_CFG, &info) && info.value_size == sizeof(struct xdpfw_cfg) &&
	       info.max_entries == 1;
}

/* Whether DIR holds an xdpfw_* map this version does not make (another
 * version's state). */
static bool foreign_maps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool other = false;

	while (d && !other && (de = readdir(d))) {
		bool ours = strncmp(de->d_name, "xdpfw_", 6) || !strcmp(de->d_name, "xdpfw_applies");

		for (int i = 0; i < XM_NMAPS && !ours; i++)
			ours = !strcmp(de->d_name, map_names[i]);
		other = !ours;
	}
	if (d)
		closedir(d);
	return other;
}

static int state_open(struct xdpfw_state *st, const char *dir, bool readonly)
{
	char path[512];
	int rc, found = 0;

	state_init(st);
	st->readonly = readonly;
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	for (int i = 0; i < XM_NMAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		st->fd[i] = bpf_obj_get(path);
		if (st->fd[i] < 0) {
			/* some maps but not this one: another version's layout,
			 * or, if every map there is one of ours and cfg (pinned
			 * first) has this version's shape, a first load killed
			 * while it pinned them */
			bool other;

			rc = -errno;
			other = found && (foreign_maps(dir) || !cfg_shape_ok(st));
			xdpfw_state_close(st);
			return rc == -ENOENT && found ? (other ? -EPROTO : -ENODATA) : rc;
		}
		found++;
	}
	snprintf(path, sizeof(path), "%s/prog", dir);
	st->prog_fd = bpf_obj_get(path);	/* absent after unload: maps only */
	rc = fill_max_slots(st);
	if (!rc)
		rc = map_tables(st);
	if (rc == -EINVAL)
		rc = -EPROTO;	/* a table of another layout */
	if (rc)
		xdpfw_state_close(st);
	return rc;
}

int xdpfw_state_open(struct xdpfw_state *st, const char *dir)
{
	return state_open(st, dir, false);
}

int xdpfw_state_open_ro(struct xdpfw_state *st, const char *dir)
{
	return state_open(st, dir, true);
}

void xdpfw_state_open_error(const char *dir, int rc)
{
	if (rc == -ENOENT)
		fprintf(stderr, "xdpfw: not loaded: no firewall state under '%s' (xdpfw load IFACE first)\n", dir);
	else if (rc == -EPROTO)
		fprintf(stderr, "xdpfw: the state under '%s' is from another xdpfw version (its maps differ): "
			"xdpfw unload --all --purge, then load again\n", dir);
	else if (rc == -ENODATA)
		fprintf(stderr, "xdpfw: the state under '%s' is incomplete (some of its maps are missing: a "
			"first load stopped while pinning them?): xdpfw unload --all --purge, then load again\n", dir);
	else
		fprintf(stderr, "xdpfw: cannot open the firewall state under '%s': %s\n", dir, strerror(-rc));
}

static int fds_from_object(struct xdpfw_state *st, struct bpfkit_object *obj)
{
	struct bpf_object *bo = bpfkit_object__bpf_object(obj);
	struct bpf_program *prog = bpf_object__find_program_by_name(bo, "xdpfw");
	int rc;

	for (int i = 0; i < XM_NMAPS; i++) {
		struct bpf_map *m = find_map(bo, i);

		if (!m || (st->fd[i] = dup(bpf_map__fd(m))) < 0)
			return m ? -errno : -ENOENT;
	}
	if (!prog || (st->prog_fd = dup(bpf_program__fd(prog))) < 0)
		return prog ? -errno : -ENOENT;
	rc = fill_max_slots(st) ?: map_tables(st);
	return rc == -EINVAL ? -EPROTO : rc;	/* a reused table of another layout */
}

int xdpfw_state_from_object(struct xdpfw_state *st, struct bpfkit_object *obj)
{
	int rc;

	state_init(st);
	rc = fds_from_object(st, obj);
	if (rc)
		xdpfw_state_close(st);
	return rc;
}

static const struct xdpfw_opts default_opts = { .log_rate = 100, .pass_lockout = 1 };

int xdpfw_state_scratch(struct xdpfw_state *st, const void *objb, size_t obj_sz, uint32_t max_rules)
{
	struct bpfkit_open_opts oo = { .sz = sizeof(oo), .name = "xdpfw" };
	struct bpfkit_object *obj = bpfkit_object__open_mem(objb, obj_sz, &oo);
	int rc = obj ? 0 : -errno;

	state_init(st);
	if (!obj)
		return rc;
	rc = xdpfw_state_size_maps(bpfkit_object__bpf_object(obj), max_rules);
	if (!rc)
		rc = bpfkit_object__load(obj);
	if (!rc)
		rc = xdpfw_state_from_object(st, obj);
	if (rc) {
		bpfkit_object__close(obj);
		return rc < 0 ? rc : -rc;
	}
	st->obj = obj;	/* closed with the state: nothing of it outlives it */
	st->scratch = true;
	return 0;
}

/* Sets the .rodata variable xdpfw_opts before load: the load-time switches
 * of O, and each table's half from its map as sized (or reused) now, the
 * bounds the datapath reads the halves within. */
static int set_opts(struct bpf_object *bo, const struct xdpfw_opts *o)
{
	struct btf *btf = bpf_object__btf(bo);
	static const int tables[] = { XM_TRIE4, XM_CLASS, XM_TAB6, XM_PORTS };
	struct xdpfw_opts copy = *o, *opts = &copy;
	__u32 *halves[] = { &copy.trie_half, &copy.class_half, &copy.tab6_half, &copy.ptab_half };
	struct bpf_map *m = find_map(bo, XM_COUNTERS);

	if (!m)
		return -ENOENT;
	copy.slots = bpf_map__value_size(m) / sizeof(struct xdpfw_counter);
	for (int i = 0; i < 4; i++) {
		m = find_map(bo, tables[i]);
		if (!m)
			return -ENOENT;
		*halves[i] = bpf_map__value_size(m) / 2 / table_elem(tables[i]);
	}
	copy.root_bits = (__u8)xdpfw_trie_root_bits(copy.trie_half);

	bpf_object__for_each_map(m, bo) {
		const char *n = bpf_map__name(m);
		size_t l = strlen(n), sz;
		const struct btf_type *t;
		const struct btf_var_secinfo *vs;
		char *data;
		int id;

		if (l < 7 || strcmp(n + l - 7, ".rodata") || !btf)
			continue;
		id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		data = (char *)bpf_map__initial_value(m, &sz);
		if (id < 0 || !data)
			return -ENOENT;
		t = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			if (!strcmp(btf__name_by_offset(btf, v->name_off), "xdpfw_opts") &&
			    vs->offset + sizeof(*opts) <= sz) {
				memcpy(data + vs->offset, opts, sizeof(*opts));
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* The bpfkit log pipeline's maps and their pins, where
 * bpfkit_logger__open_pinned(DIR) looks for them (DIR/maps/, '.' written as
 * '_': bpffs refuses dots). */
static const char *const log_pins[][2] = {
	{ "bpfkit_log", "bpfkit_log" }, { ".rodata.bklog", "_rodata_bklog" }, { ".data.bklog", "_data_bklog" },
};
#define NLOG_PINS (sizeof(log_pins) / sizeof(log_pins[0]))

/* They belong to this load of the program: earlier ones are replaced. */
static void pin_log_maps(struct bpf_object *bo, const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/maps", dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return;
	for (size_t i = 0; i < NLOG_PINS; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(bo, log_pins[i][0]);

		if (!m)
			continue;
		snprintf(path, sizeof(path), "%s/maps/%s", dir, log_pins[i][1]);
		unlink(path);
		if (bpf_map__pin(m, path))
			fprintf(stderr, "xdpfw: pinning the log map '%s' failed; xdpfw log will not work\n",
				log_pins[i][0]);
	}
}

/* Whether table I can have halves of HALF entries: at most MAX (what its
 * references can address), both within what the verifier lets a program
 * index in a map value (BPF_MAX_VAR_OFF: 512 MiB). */
static bool table_fits(int i, uint64_t half, uint64_t max)
{
	return half <= max && 2 * half * table_elem(i) < 1ull << 29;
}

/* Table map M (index I) gets halves of HALF entries, both in its one value:
 * a map created here at that size and handed to libbpf (which would size a
 * data section's map by the section); -E2BIG if they do not fit. */
static int set_half(struct bpf_map *m, int i, uint64_t half, uint64_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, co, .map_flags = BPF_F_MMAPABLE);
	int fd, rc;

	if (!table_fits(i, half, max))
		return -E2BIG;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, map_names[i], sizeof(__u32), (__u32)(2 * half * table_elem(i)), 1,
			    &co);
	if (fd < 0)
		return -errno;
	rc = bpf_map__reuse_fd(m, fd);
	close(fd);
	return rc;
}

/* The per-rule counters' map for SLOTS slots: a value of SLOTS counters per
 * CPU id (xdpfw.bpf.c), created here at that size, as the tables are. SLOTS
 * is rounded up to whole cache lines, so no two CPUs write one line. */
static int make_counters(struct bpf_map *m, uint32_t slots)
{
	LIBBPF_OPTS(bpf_map_create_opts, co, .map_flags = BPF_F_MMAPABLE);
	int ncpu = cpu_id_limit(), fd, rc;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	slots = (slots + 3) & ~3u;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, map_names[XM_COUNTERS], sizeof(__u32),
			    slots * (__u32)sizeof(struct xdpfw_counter), ncpu, &co);
	if (fd < 0)
		return -errno;
	rc = bpf_map__reuse_fd(m, fd);
	close(fd);
	return rc;
}

/* The trie half for MAX rules a set: whole 16-entry chunks (see size_map). */
static uint64_t trie_half_for(uint32_t max)
{
	uint64_t rules = (uint64_t)max + 64, first = rules < 65536 ? rules : 65536;
	unsigned bits = max >= XDPFW_TRIE_BIG_RULES ? XDPFW_TRIE_BIG_ROOT_BITS : XDPFW_TRIE_ROOT_BITS;

	return ((2ull << bits) + 104 * first + 8 * rules + XDPFW_TRIE_BLK - 1) / XDPFW_TRIE_BLK * XDPFW_TRIE_BLK;
}

/* The source roots' width in a trie half of HALF entries: the big root from
 * the half that trie_half_for() gives XDPFW_TRIE_BIG_RULES (the halves
 * below it, for fewer rules with the small roots, are smaller). Read from
 * the map's size, so every program loaded on the pinned maps and every
 * apply agree. */
unsigned xdpfw_trie_root_bits(uint64_t half)
{
	return half >= trie_half_for(XDPFW_TRIE_BIG_RULES) ? XDPFW_TRIE_BIG_ROOT_BITS : XDPFW_TRIE_ROOT_BITS;
}

/* Entries per half of table I for MAX rules a set (see size_map), and in
 * *LIMIT the most its references can address; 0 for the other maps. */
static uint64_t half_for(int i, uint32_t max, uint64_t *limit)
{
	uint64_t rules = (uint64_t)max + 64, cap = 32;

	while (cap < 2 * rules)
		cap *= 2;
	*limit = i == XM_PORTS ? XDPFW_V_SLOT_MASK : i == XM_TRIE4 ? XDPFW_TRIE_OFF : UINT32_MAX;
	switch (i) {
	case XM_CLASS: return 2 * rules;
	case XM_TAB6: return cap;
	case XM_PORTS: return 2 * rules + 4096;
	case XM_TRIE4: return trie_half_for(max);
	default: return 0;
	}
}

/* Map I's size for MAX rules. MAX is what one rule set may hold, and an
 * apply writes the new set beside the old one before the switch, so rule
 * slots and counters, which both generations share, are sized for two whole
 * sets (2 x MAX, a slot is free again once its generation is cleaned up).
 * Every table has a half per generation, each sized for one set of M = MAX
 * + 64 rules (docs/xdpfw.md, "Memory", has the figures):
 *  - class pool: 2 M classes (a rule adds at most a source and a destination
 *    prefix; IPv6 markers share their prefix's class);
 *  - IPv6 hash table: a power of two >= 2 M slots of 24 bytes, so a set of
 *    IPv6 rules with their markers fits at most half full;
 *  - the trie half: two 2^16 roots (IPv4, and IPv6 sources' first 32
 *    bits; 2^20 from XDPFW_TRIE_BIG_RULES), 104 entries per rule for the first 65536 (a /32 alone in its
 *    /16 takes 64: four 16-entry chunks; host lists are like that) and 8
 *    per rule beyond (1M blocklist-shaped rules take 11.3M entries in all:
 *    big sets share chunks);
 *  - port tables: a few intervals per rule.
 * A set beyond that is refused whole, naming what to do ("load with a
 * larger --max-rules"). */
static int size_map(struct bpf_map *m, int i, uint32_t max)
{
	uint64_t limit, half = half_for(i, max, &limit);

	if ((i == XM_COUNTERS || i == XM_RULES) && (uint64_t)max * 2 >= XDPFW_MAX_SLOTS)
		return -E2BIG;
	if (i == XM_COUNTERS)
		return make_counters(m, 2 * max);
	if (i == XM_RULES)
		return bpf_map__set_max_entries(m, 2 * max);
	return table_elem(i) ? set_half(m, i, half, limit) : 0;
}

uint32_t xdpfw_state_rules_limit(void)
{
	uint32_t lo = 1, hi = (XDPFW_MAX_SLOTS - 1) / 2;

	while (lo < hi) {	/* the most rules a set whose tables all fit */
		uint32_t mid = lo + (hi - lo + 1) / 2;
		bool fits = true;

		for (int i = 0; i < XM_NMAPS && fits; i++) {
			uint64_t limit, half = half_for(i, mid, &limit);

			fits = !table_elem(i) || table_fits(i, half, limit);
		}
		if (fits)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

uint32_t xdpfw_state_max_rules(const struct xdpfw_state *st)
{
	return st->max_slots / 2;
}

int xdpfw_state_size_maps(struct bpf_object *bo, uint32_t max_rules)
{
	for (int i = 0; i < XM_NMAPS; i++) {
		struct bpf_map *m = find_map(bo, i);
		int rc = m ? size_map(m, i, max_rules) : -ENOENT;

		if (rc)
			return rc;
	}
	return set_opts(bo, &default_opts);
}

int xdpfw_state_size_table(struct bpf_object *bo, const char *map, uint32_t half)
{
	for (int i = 0; i < XM_NMAPS; i++) {
		struct bpf_map *m = find_map(bo, i);

		if (strcmp(map, map_names[i]) || !table_elem(i))
			continue;
		if (!m || (i == XM_TRIE4 && half % XDPFW_TRIE_BLK))
			return -EINVAL;
		return set_half(m, i, half, UINT32_MAX) ?: set_opts(bo, &default_opts);
	}
	return -EINVAL;
}

/* DIR, made if missing, opened and locked as xdpfw_state_lock() does: the
 * fd holding the lock, or -errno. A creator that failed removes DIR, so
 * the lock is taken again on the one at DIR now if it changed meanwhile. */
static int lock_dir_made(const char *dir)
{
	for (int tries = 0; tries < 5; tries++) {
		int fd;

		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		fd = xdpfw_dir_lock(dir);
		if (fd != -ENOENT)
			return fd;
	}
	return -EAGAIN;
}

int xdpfw_state_create(struct xdpfw_state *st, const char *dir, const void *objb, size_t obj_sz,
		       const struct xdpfw_create_opts *o, bool *created)
{
	struct bpfkit_open_opts oo = { .sz = sizeof(oo), .name = "xdpfw" };
	struct xdpfw_opts opts = default_opts;
	bool reused[XM_NMAPS] = { 0 };
	struct bpf_object *bo;
	struct bpf_program *prog;
	uint32_t max = o && o->max_rules ? o->max_rules : XDPFW_DEFAULT_MAX_RULES;
	char path[512];
	int rc, lock_fd;

	*created = false;
	/* under the directory's lock from here to xdpfw_state_close(): another
	 * load (two interfaces' units at boot, an agent) may be creating or
	 * removing the state right now (its half-pinned state is not another
	 * version's), and what the caller reads next (the set in force, to put
	 * back on failure) must not change before it applies */
	lock_fd = lock_dir_made(dir);
	if (lock_fd < 0) {
		fprintf(stderr, "xdpfw: cannot create and lock '%s': %s\n", dir, strerror(-lock_fd));
		return lock_fd;
	}
	rc = xdpfw_state_open(st, dir);
	if (!rc && st->prog_fd >= 0) {
		st->lock_fd = lock_fd;	/* held until close, as an apply's */
		return 0;
	}
	xdpfw_state_close(st);
	if (rc && rc != -ENOENT) {
		rmdir(dir);	/* made just now by lock_dir_made(), if it is empty */
		close(lock_fd);
		xdpfw_state_open_error(dir, rc);
		return rc;
	}
	st->lock_fd = lock_fd;	/* every failure below closes it with the state */
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	st->obj = bpfkit_object__open_mem(objb, obj_sz, &oo);
	if (!st->obj)
		return -errno;
	bo = bpfkit_object__bpf_object(st->obj);
	for (int i = 0; i < XM_NMAPS; i++) {
		struct bpf_map *m = find_map(bo, i);
		int fd;

		rc = 0;
		if (!m) {
			rc = -ENOENT;
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			/* the rules, policy and counters of an earlier load */
			rc = bpf_map__reuse_fd(m, fd);
			close(fd);
			if (rc)
				goto fail;
			reused[i] = true;
			continue;
		}
		rc = size_map(m, i, max);
		if (rc)
			goto fail;
	}
	if (o) {
		opts.log_rate = o->log_rate ? o->log_rate : opts.log_rate;
		opts.pass_lockout = !o->no_lockout_pass;
	}
	rc = set_opts(bo, &opts);
	if (rc) {
		fprintf(stderr, "xdpfw: the datapath object has no xdpfw_opts: %s\n", strerror(-rc));
		goto fail;
	}
	rc = bpfkit_object__load(st->obj);
	if (rc)
		goto fail;
	for (int i = 0; i < XM_NMAPS; i++) {
		struct bpf_map *m = find_map(bo, i);

		if (reused[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		rc = bpf_map__pin(m, path);
		if (rc)
			goto fail_unpin;
	}
	prog = bpf_object__find_program_by_name(bo, "xdpfw");
	snprintf(path, sizeof(path), "%s/prog", dir);
	rc = prog ? bpf_program__pin(prog, path) : -ENOENT;
	if (rc)
		goto fail_unpin;
	rc = fds_from_object(st, st->obj);
	if (rc)
		goto fail_unpin;
	pin_log_maps(bo, dir);	/* last: a failure above leaves no pin behind */
	for (int i = 0; i < XM_NMAPS; i++)
		st->maps_reused |= reused[i];
	*created = true;
	return 0;

fail_unpin:
	for (int i = 0; i < XM_NMAPS; i++) {
		if (reused[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/prog", dir);
	unlink(path);
fail:
	rmdir(dir);	/* made by this load: gone if nothing else is in it */
	if (rc == -EPROTO)	/* pinned maps of another version, reused */
		xdpfw_state_open_error(dir, rc);
	else
		fprintf(stderr, "xdpfw: loading the datapath failed: %s\n", strerror(rc < 0 ? -rc : rc));
	xdpfw_state_close(st);
	return rc < 0 ? rc : -rc;
}

/* Whether NAME (an entry of the state directory) is a pin xdpfw makes:
 * its maps are all named xdpfw_* (this version's, and an older one's that
 * a purge also clears: xdpfw_trie4, xdpfw_counters). */
static bool own_pin(const char *name)
{
	return !strncmp(name, "xdpfw_", 6) || !strcmp(name, "prog") || !strncmp(name, "link_", 5) ||
	       !strncmp(name, "multi_", 6);
}

int xdpfw_state_purge(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int left = 0;
	DIR *d;

	for (size_t i = 0; i < NLOG_PINS; i++) {
		snprintf(path, sizeof(path), "%s/maps/%s", dir, log_pins[i][1]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/maps", dir);
	rmdir(path);	/* kept if something else is in it */
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!own_pin(de->d_name) || unlinkat(dirfd(d), de->d_name, 0))
			left++;
	}
	closedir(d);
	if (!left && rmdir(dir) && errno != ENOENT)
		return -errno;
	return left;
}

/* DIR made absolute with its links resolved, into OUT: the directory
 * itself if it exists, else its parent's resolved path and its last name.
 * False if not even the parent resolves (the load then fails on it). */
static bool resolved_dir(const char *dir, char out[PATH_MAX])
{
	char path[PATH_MAX], last[NAME_MAX + 1], *slash;
	const char *parent = path;

	if (realpath(dir, out))
		return true;
	snprintf(path, sizeof(path), "%s", dir);
	while ((slash = strrchr(path, '/')) && slash != path && !slash[1])
		*slash = 0;	/* "dir/" is "dir" */
	slash = strrchr(path, '/');
	if (strlen(slash ? slash + 1 : path) > NAME_MAX)
		return false;	/* refused later, by name */
	strcpy(last, slash ? slash + 1 : path);
	if (!slash)
		parent = ".";
	else if (slash == path)
		parent = "/";
	else
		*slash = 0;
	if (!*last || !strcmp(last, ".") || !strcmp(last, "..") || !realpath(parent, out) ||
	    strlen(out) + strlen(last) + 2 > PATH_MAX)
		return false;
	if (strcmp(out, "/"))
		strcat(out, "/");
	strcat(out, last);
	return true;
}

static bool holds_state(const char *dir)
{
	char cfg[PATH_MAX * 2 + 16];

	snprintf(cfg, sizeof(cfg), "%s/%s", dir, map_names[XM_CFG]);
	return !access(cfg, F_OK);
}

/* The first directory below DIR (up to DEPTH levels) that holds an xdpfw
 * state, into FOUND; false if none. */
static bool state_below(const char *dir, int depth, char *found, size_t size)
{
	struct dirent *de;
	bool hit = false;
	DIR *d;

	if (depth <= 0 || !(d = opendir(dir)))
		return false;
	while (!hit && (de = readdir(d)))
		if (de->d_name[0] != '.' && de->d_type == DT_DIR) {
			snprintf(found, size, "%s/%s", dir, de->d_name);
			hit = holds_state(found);
			if (!hit) {
				char sub[PATH_MAX];

				snprintf(sub, sizeof(sub), "%s", found);
				hit = state_below(sub, depth - 1, found, size);
			}
		}
	closedir(d);
	return hit;
}

int xdpfw_state_dir_nested(const char *dir)
{
	char real[PATH_MAX], up[PATH_MAX], sub[PATH_MAX * 2], *slash;

	if (!resolved_dir(dir, real))
		return 0;
	snprintf(up, sizeof(up), "%s", real);
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = 0;
		if (holds_state(up)) {
			fprintf(stderr, "xdpfw: state directory '%s' is inside the xdpfw state in '%s'; use a "
				"directory of its own (beside it, not in it)\n", dir, up);
			return -EEXIST;
		}
	}
	if (state_below(real, 4, sub, sizeof(sub))) {
		fprintf(stderr, "xdpfw: state directory '%s' holds another xdpfw state in '%s'; use a directory "
			"of its own (beside it, not around it)\n", dir, sub);
		return -EEXIST;
	}
	return 0;
}

int xdpfw_dir_lock(const char *dir)
{
	for (int tries = 0; tries < 5; tries++) {
		struct stat held, now;
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX)) {
			rc = -errno;
			close(fd);
			return rc;
		}
		/* still the directory at DIR: a failed first load removes it,
		 * maybe while this one waited */
		if (!fstat(fd, &held) && !stat(dir, &now) && held.st_ino == now.st_ino && held.st_dev == now.st_dev)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

int xdpfw_state_lock(struct xdpfw_state *st)
{
	int fd;

	if (st->readonly)
		return -EROFS;	/* a reader's state: every writer locks first */
	if (!st->dir[0] || st->lock_fd >= 0)
		return 0;
	fd = xdpfw_dir_lock(st->dir);
	if (fd < 0)
		return fd;	/* not held: a later call tries again */
	st->lock_fd = fd;
	return 0;
}

int xdpfw_state_cfg(struct xdpfw_state *st, struct xdpfw_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(st->fd[XM_CFG], &zero, cfg) ? -errno : 0;
}

bool xdpfw_cfg_same_gen(const struct xdpfw_cfg *a, const struct xdpfw_cfg *b)
{
	return a->gen == b->gen && a->applied_ns[a->gen & 1] == b->applied_ns[b->gen & 1] &&
	       a->nrules[a->gen & 1] == b->nrules[b->gen & 1] && a->policy[a->gen & 1] == b->policy[b->gen & 1];
}

/* ---- rule definitions -------------------------------------------------- */

/* All definitions below HW (one batch call when the kernel allows), in an
 * array of ROOM >= HW (the slots past HW zeroed: never handed out, free). */
static int read_defs(struct xdpfw_state *st, uint32_t hw, uint32_t room, struct xdpfw_rule_def **out)
{
	struct xdpfw_rule_def *defs = xdpfw_big_calloc(room > hw ? room : hw ? hw : 1, sizeof(*defs));
	uint32_t *keys = xdpfw_big_calloc(hw ? hw : 1, sizeof(*keys)), done = 0, out_batch = 0;
	int rc = 0;

	if (!defs || !keys) {
		rc = -ENOMEM;
		goto out;
	}
	if (st->defs) {
		memcpy(defs, st->defs, (size_t)hw * sizeof(*defs));
		done = hw;
	}
	while (done < hw) {
		__u32 count = hw - done;

		rc = bpf_map_lookup_batch(st->fd[XM_RULES], done ? &out_batch : NULL, &out_batch,
					  keys + done, defs + done, &count, NULL);
		if (rc && errno != ENOENT) {
			/* no batch support: one at a time */
			for (uint32_t k = done; k < hw; k++)
				if (bpf_map_lookup_elem(st->fd[XM_RULES], &k, &defs[k])) {
					rc = -errno;
					goto out;
				}
			rc = 0;
			break;
		}
		done += count;
		if (rc || !count) {
			rc = 0;
			break;
		}
	}
out:
	xdpfw_big_free(keys);
	if (rc)
		xdpfw_big_free(defs);
	else
		*out = defs;
	return rc;
}

/* An apply's working copy of the definitions: read_defs()' (HW, ROOM), or
 * where no slot was ever handed out (HW 0: the first apply) and the map is
 * mapped, the map itself, zeroed over ROOM (its free-slot scan reads it).
 * Nothing reads a slot at or past the high-water mark (0 until this apply
 * records its own): not the datapath, not a reader, and every apply writes
 * the slots it hands out there before it raises the mark over them
 * (state_apply, step 4), so what a refused or killed apply leaves there is
 * never taken for a rule. Not zeroed whole: on this VM a process's first
 * touch of map pages costs ~2.3 ms per MB, 260 ms for the 112 MB of a
 * 1M-rule map. A first apply of 1M rules touches 54 MB less fresh memory
 * than with a private copy. Freed by free_defs(). */
static int apply_defs(struct xdpfw_state *st, uint32_t hw, uint32_t room, struct xdpfw_rule_def **out)
{
	if (hw || !st->defs || (size_t)room * sizeof(**out) > st->defs_bytes)
		return read_defs(st, hw, room, out);
	/* written by first_defs_run(), beside the compiler: slots [0, room)
	 * take the set's rules over whatever a killed apply left there */
	*out = st->defs;
	return 0;
}

/* A first set's definitions (no slot handed out yet: rule I takes slot I),
 * written into the map itself, as a job (bgjob.h) beside the compiler,
 * which reads the rules, not these. */
struct first_defs {
	struct xdpfw_rule_def *defs;
	const struct xdpfw_ruleset *rs;
	int g;
};

static void first_defs_run(void *arg)
{
	const struct first_defs *f = arg;

	/* every slot of the room (the set's size) is written: no zeroing */
	for (size_t i = 0; i < f->rs->n; i++) {
		struct xdpfw_rule_def *d = &f->defs[i];

		*d = f->rs->r[i].d;
		d->gens = 1u << f->g;
		d->order[0] = d->order[1] = 0;
		d->order[f->g] = (uint32_t)i;
	}
}

static void free_defs(struct xdpfw_state *st, struct xdpfw_rule_def *defs)
{
	if (defs != st->defs)
		xdpfw_big_free(defs);
}

/* Stores DEFS[k] for the N slots k in KEYS (DEFS: the caller's copy of the
 * whole map, as read_defs() gave it). */
static int write_defs(struct xdpfw_state *st, const uint32_t *keys, const struct xdpfw_rule_def *defs,
		      uint32_t n)
{
	struct xdpfw_rule_def *vals;
	__u32 count = n;
	int rc = 0;

	if (!n)
		return 0;
	if (defs == st->defs)
		return 0;	/* apply_defs() gave the map itself */
	if (st->defs) {
		for (uint32_t i = 0; i < n; i++)
			st->defs[keys[i]] = defs[keys[i]];	/* keys < max_slots: our slots */
		return 0;
	}
	vals = xdpfw_big_alloc(n * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		vals[i] = defs[keys[i]];
	if (bpf_map_update_batch(st->fd[XM_RULES], keys, vals, &count, NULL))
		for (uint32_t i = 0; i < n && !rc; i++)
			if (bpf_map_update_elem(st->fd[XM_RULES], &keys[i], &vals[i], BPF_ANY))
				rc = -errno;
	xdpfw_big_free(vals);
	return rc;
}

/* The counters of slots KEYS on every CPU: no generation uses these slots
 * (they are fresh), so no packet counts into them meanwhile. */
static int zero_counters(struct xdpfw_state *st, const uint32_t *keys, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (keys[i] >= st->cnt_slots)
			return -EINVAL;
		for (uint32_t c = 0; c < st->cnt_cpus; c++)
			memset(&st->cnt[(size_t)c * st->cnt_slots + keys[i]], 0, sizeof(*st->cnt));
	}
	return 0;
}

static const struct xdpfw_rule_def *ord_defs;	/* qsort context */
static int ord_g;

static int by_order(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t oa = ord_defs[a].order[ord_g], ob = ord_defs[b].order[ord_g];

	return oa < ob ? -1 : oa > ob ? 1 : (a < b ? -1 : a > b);
}

/* The rule set of generation G as stored in DEFS: rules in order, slots. */
static int gen_ruleset(const struct xdpfw_rule_def *defs, uint32_t hw, int g,
		       struct xdpfw_ruleset *rs, uint32_t **slots_out)
{
	uint32_t *slots = malloc((hw + 1) * sizeof(*slots)), n = 0;

	xdpfw_ruleset_init(rs);
	if (!slots)
		return -ENOMEM;
	for (uint32_t s = 0; s < hw; s++)
		if (defs[s].gens & (1u << g))
			slots[n++] = s;
	ord_defs = defs;
	ord_g = g;
	qsort(slots, n, sizeof(*slots), by_order);
	for (uint32_t i = 0; i < n; i++) {
		struct xdpfw_rule r = { .d = defs[slots[i]] };

		r.d.order[0] = i;
		r.d.order[1] = 0;
		r.d.gens = 0;
		if (xdpfw_ruleset_add(rs, &r)) {
			free(slots);
			xdpfw_ruleset_free(rs);
			return -ENOMEM;
		}
	}
	*slots_out = slots;
	return 0;
}

/* The set in force, read without the lock: an apply that switches
 * generations meanwhile clears the old one's definitions right after, so a
 * read it overlapped (the generation or its stamp changed) is taken again;
 * `save` must never write a half-read set (restored at boot, an empty deny
 * set locks a host out). */
int xdpfw_state_read(struct xdpfw_state *st, struct xdpfw_ruleset *rs, uint32_t **slots)
{
	int rc = -EAGAIN;

	xdpfw_ruleset_init(rs);
	*slots = NULL;
	for (int tries = 0; tries < 100 && rc == -EAGAIN; tries++) {
		struct xdpfw_rule_def *defs;
		struct xdpfw_cfg cfg, after;
		uint32_t hw;

		rc = xdpfw_state_cfg(st, &cfg);
		if (rc)
			return rc;
		hw = cfg.slots_hw > st->max_slots ? st->max_slots : cfg.slots_hw;
		rc = read_defs(st, hw, 0, &defs);
		if (rc)
			return rc;
		rc = gen_ruleset(defs, hw, cfg.gen & 1, rs, slots);
		xdpfw_big_free(defs);
		if (rc)
			return rc;
		rs->policy = cfg.policy[cfg.gen & 1];
		rc = xdpfw_state_cfg(st, &after);
		if (rc || xdpfw_cfg_same_gen(&cfg, &after))
			break;
		free(*slots);
		*slots = NULL;
		xdpfw_ruleset_free(rs);
		rc = -EAGAIN;	/* an apply overlapped: again */
		usleep(1000 * tries);
	}
	return rc;
}

/* ---- writing and removing a generation --------------------------------- */

/* Prefix-table and port-table entries are collected (ectx.tv, ectx.pt) and
 * then written through mmap (table.c): no syscall per entry. */
struct ectx {
	struct xdpfw_state *st;
	bool del;
	uint64_t n;
	struct xdpfw_tabvec tv[3];		/* prefix entries: IPv4, IPv6 (hash
						 * table), IPv6 sources of /32 and
						 * shorter (trie; write_tables) */
	uint32_t tbase6, cbase6;		/* where the IPv6 trie and classes
						 * start in the generation's halves */
	struct xdpfw_pent *pt;			/* port tables, back to back */
	size_t npt, cappt;
	bool reported;				/* an error was already printed */
	size_t nent;				/* prefix entries of both families
						 * (atomic: they compile at once) */
	bool stop;				/* one family failed: the other's
						 * emits fail too (atomic) */
	bool two;				/* big enough for two threads
						 * (xdpfw_bgjob_worth) */
	pthread_mutex_t lock;			/* the families compile at once:
						 * the error report is shared (port
						 * tables are under the compiler's
						 * lock; the rest is per family) */
	uint8_t used[4][XDPFW_PLENS_MAX];	/* prefix lengths seen, per plens index */
	struct xdpfw_cls root6;			/* the IPv6 source /0 entry, for plens
						 * (IPv4's is a trie prefix) */
	bool has_root6;
};

static void ectx_free(struct ectx *e)
{
	for (int i = 0; i < 3; i++)
		xdpfw_tabvec_free(&e->tv[i]);
	xdpfw_big_free(e->pt);
	e->pt = NULL;
	e->cappt = 0;
}

/* The one-line refusal of a set that does not fit a table: "xdpfw: WHAT;
 * nothing applied (what to do)"; E records that it was said. */
__attribute__((format(printf, 2, 3))) static void table_full(struct ectx *e, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&e->lock);
	if (e->reported) {	/* the other family's refusal said it */
		pthread_mutex_unlock(&e->lock);
		return;
	}
	fputs("xdpfw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* a scratch firewall's caller (xdpfw check) says what it means */
	fputs(e->st->scratch ? "\n" :
			       "; nothing applied (xdpfw unload --all --purge, then load with a larger --max-rules)\n",
	      stderr);
	e->reported = true;
	pthread_mutex_unlock(&e->lock);
}

/* An emit's result RC: an error stops the other family's compile too (its
 * next emit fails with -ECANCELED), so a refused set is not compiled on. */
static int emit_done(struct ectx *e, int rc)
{
	if (rc)
		__atomic_store_n(&e->stop, true, __ATOMIC_RELAXED);
	return rc;
}

static bool stopped(struct ectx *e)
{
	return __atomic_load_n(&e->stop, __ATOMIC_RELAXED);
}

/* Called with the compiler's port-table lock held (rules.h:
 * xdpfw_compile_two), so E's port tables have one writer at a time. */
static int emit_ptable(void *ctx, const uint32_t *starts, const uint32_t *vs, size_t n, uint32_t *id)
{
	struct ectx *e = ctx;

	if (stopped(e))
		return -ECANCELED;
	if (e->npt + n + 1 > e->st->ptab_cap) {
		/* refused now, not after compiling the rest: the tables only grow */
		table_full(e, "the port tables are full: %zu entries so far, more than the %u a generation holds",
			   e->npt + n + 1, e->st->ptab_cap);
		return emit_done(e, -E2BIG);
	}
	if (e->npt + n + 1 > e->cappt) {
		size_t cap = e->cappt ? e->cappt : 4096;
		struct xdpfw_pent *np;

		while (cap < e->npt + n + 1)
			cap *= 2;
		np = xdpfw_big_realloc(e->pt, cap * sizeof(*np));
		if (!np)
			return emit_done(e, -ENOMEM);
		e->pt = np;
		e->cappt = cap;
	}
	if (e->npt > XDPFW_V_SLOT_MASK)
		return emit_done(e, -E2BIG);
	*id = e->npt;
	e->pt[e->npt++] = (struct xdpfw_pent){ .start = n };
	for (size_t k = 0; k < n; k++)
		e->pt[e->npt++] = (struct xdpfw_pent){ .start = starts[k], .v = vs[k] };
	return 0;
}

/* Whether one more prefix entry fits: every entry needs a class of the
 * pool, so a set past it is refused as it is compiled, before destination
 * rules (copied below every source prefix with destination rules) can
 * make millions of entries in memory. */
static int entry_room(struct ectx *e)
{
	/* both families' entries, counted as they compile at once */
	if (__atomic_add_fetch(&e->nent, 1, __ATOMIC_RELAXED) <= e->st->tab_cap[0])
		return 0;
	table_full(e, "the class pool is full: the set compiles to more than the %u prefix entries a generation "
		   "holds (each source prefix with destination rules gets its own copy of those)", e->st->tab_cap[0]);
	return -E2BIG;
}

static int emit_src(void *ctx, int family, unsigned gen, int plen, const uint8_t *addr,
		    const struct xdpfw_cls *v)
{
	static const struct xdpfw_cls none;
	struct ectx *e = ctx;

	(void)gen;
	if (e->del)
		return 0;	/* tables are cleared whole, not entry by entry */
	if (stopped(e))
		return -ECANCELED;
	if (plen == 0 && family == 4 && !memcmp(v, &none, sizeof(none)))
		return 0;	/* the forest's root without rules: a miss says as much */
	if (plen == 0 && family == 6) {
		/* every packet reaches the root: it lives in the plens value
		 * (IPv4's is painted over the whole trie like any prefix, so a
		 * miss there needs no plens read) */
		e->root6 = *v;
		e->has_root6 = true;
		return 0;
	}
	e->used[(family == 6) * 2][plen] = 1;
	return emit_done(e, entry_room(e) ?: xdpfw_tabvec_push(&e->tv[family == 6], plen + 1, addr, v));
}

static int emit_dst(void *ctx, int family, uint32_t class, int plen, const uint8_t *addr,
		    const struct xdpfw_cls *v)
{
	struct ectx *e = ctx;

	if (e->del)
		return 0;
	if (stopped(e))
		return -ECANCELED;
	e->used[(family == 6) * 2 + 1][plen] = 1;
	return emit_done(e, entry_room(e) ?: xdpfw_tabvec_push(&e->tv[family == 6], class << 8 | (plen + 1), addr, v));
}

/* A set whose IPv4 source prefixes alone need more trie entries than a
 * generation's half holds beside the IPv6 root is refused before it is
 * compiled (the tables' plan would refuse it after). */
static int emit_src4(void *ctx, const uint32_t *addr, const uint8_t *plen, size_t n)
{
	struct ectx *e = ctx;
	uint64_t need = xdpfw_trie4_src_entries(addr, plen, n, e->st->root_bits);
	/* the half also holds the root of the IPv6 sources' trie, always */
	uint32_t room = e->st->trie4_cap - (1u << e->st->root_bits);
	size_t nreal = 0;

	if (!need)
		return emit_done(e, -ENOMEM);
	if (need <= room)
		return 0;
	for (size_t k = 0; k < n; k++)
		nreal += plen[k] > 0;	/* counted as source prefixes: the /0 needs no chunk */
	n = nreal;
	table_full(e, "the IPv4 prefix trie is full: %zu source prefixes need %llu trie entries, more than the "
		   "%u there are", n, (unsigned long long)need, room);
	return emit_done(e, -E2BIG);
}

/* The prefix lengths generation G uses (IPv4 longest first, for status;
 * IPv6 ascending, for the datapath's binary search), with their masks,
 * the IPv6 hash table's size (SIZE slots per family) and where each
 * family's regions start in G's trie and class halves. */
static int write_plens(struct xdpfw_state *st, const struct ectx *e, unsigned g,
		       const uint32_t size[2])
{
	for (__u32 j = 0; j < 4; j++) {
		struct xdpfw_plens pl = { 0 };
		__u32 idx = g * 4 + j, f = j / 2;

		pl.cbase = f ? e->cbase6 : 0;	/* in the generation's half */
		pl.tbase = f ? e->tbase6 : 0;	/* in the generation's half */
		pl.shift = 64 - __builtin_ctz(size[f]);
		pl.mask = size[f] - 1;

		if (j == 2 && e->has_root6) {	/* the IPv6 source stage */
			pl.has_root = 1;
			pl.root = e->root6;
		}
		/* IPv6: ascending, for the binary search on lengths */
		for (int k = 0; k < XDPFW_PLENS_MAX; k++) {
			int l = f ? k : XDPFW_PLENS_MAX - 1 - k;
			struct xdpfw_plen *en;

			if (!e->used[j][l])
				continue;
			en = &pl.e[pl.n++];
			en->plen = l;
			for (int w = 0; w < 4; w++) {
				int bits = l - 32 * w;

				en->mask[w] = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 :
					      htonl(0xffffffffu << (32 - bits));
			}
		}
		st->plens[idx] = pl;	/* the inactive generation's: no packet reads it */
	}
	return 0;
}

/* Generation G's half of table F (0: IPv4, 1: IPv6). */
static uint8_t *table_half(struct xdpfw_state *st, int g, int f)
{
	return (uint8_t *)st->tab[f] + (size_t)g * st->tab_cap[f] * table_elem(f ? XM_TAB6 : XM_CLASS);
}

/* Zeroes what generation G may have written in the prefix tables (after an
 * RCU grace period: a packet that read the old generation number just
 * before a switch may still be probing G's half) and records that in cfg. */
static int clear_tables(struct xdpfw_state *st, int g)
{
	struct xdpfw_cfg cfg;
	__u32 zero = 0;
	int rc = xdpfw_state_cfg(st, &cfg);

	if (rc || (!cfg.tab_dirty[g][0] && !cfg.tab_dirty[g][1] && !cfg.trie_dirty[g] && !cfg.port_dirty[g]))
		return rc;
	/* MEMBARRIER_CMD_GLOBAL waits for synchronize_rcu(), which covers XDP
	 * (programs run under rcu_read_lock / with BHs off); a short sleep
	 * where the kernel refuses it (nohz_full) */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(20000);
	for (int f = 0; f < 2; f++) {
		uint32_t n = cfg.tab_dirty[g][f] < st->tab_cap[f] ? cfg.tab_dirty[g][f] : st->tab_cap[f];

		memset(table_half(st, g, f), 0, (size_t)n * table_elem(f ? XM_TAB6 : XM_CLASS));
		cfg.tab_dirty[g][f] = 0;
	}
	memset(st->trie4 + (size_t)g * st->trie4_cap, 0,
	       (size_t)(cfg.trie_dirty[g] < st->trie4_cap ? cfg.trie_dirty[g] : st->trie4_cap) * 4);
	cfg.trie_dirty[g] = 0;
	memset(st->ptab + (size_t)g * st->ptab_cap, 0,
	       (size_t)(cfg.port_dirty[g] < st->ptab_cap ? cfg.port_dirty[g] : st->ptab_cap) * sizeof(*st->ptab));
	cfg.port_dirty[g] = 0;
	return bpf_map_update_elem(st->fd[XM_CFG], &zero, &cfg, BPF_ANY) ? -errno : 0;
}

/* IPv6 sources of /32 and shorter go to a trie over their first 32 bits,
 * so the length search covers only the longer ones and runs only under a
 * /32 that holds some. A /32 with longer prefixes costs a leaf there (64
 * entries when alone in its /16): where that does not fit in CAP trie
 * entries (hundreds of thousands of scattered long IPv6 prefixes), the cut
 * moves up to /24, /20 (one 16-entry chunk per /16; with the big root, a
 * root entry) or /16 (a root entry each, no chunk), the longest that fits. Plans the trie (TP6) and leaves
 * E's used lengths for the search. */
static int plan_v6top(struct xdpfw_state *st, struct ectx *e, uint32_t cap, struct xdpfw_trie4_plan *tp6)
{
#ifndef XDPFW_V6_CUTS
#define XDPFW_V6_CUTS 32, 24, 20, 16	/* longest first; -D to measure others */
#endif
	static const int cuts[] = { XDPFW_V6_CUTS };
	int rc = 0;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && !rc; i++) {
		rc = xdpfw_v6top_split(&e->tv[1], &e->tv[2], cuts[i]);
		if (!rc)
			rc = xdpfw_trie4_plan(&e->tv[2], st->root_bits, cap, st->tab_cap[0], tp6);
		if (rc != -E2BIG || i + 1 == sizeof(cuts) / sizeof(cuts[0]))
			break;
		rc = xdpfw_v6top_join(&e->tv[1], &e->tv[2]);
	}
	/* the search covers the lengths above the cut */
	memset(e->used[2], 0, sizeof(e->used[2]));
	for (size_t k = 0; k < e->tv[1].n; k++)
		if (!(e->tv[1].e[k].tag >> 8))
			e->used[2][(e->tv[1].e[k].tag & 0xff) - 1] = 1;
	xdpfw_v6top_hints(&e->tv[2], e->used[2]);
	return rc;
}

/* xdpfw_trie4_write() as a job (bgjob.h). */
struct trie_job {
	const struct xdpfw_tabvec *v;
	const struct xdpfw_trie4_plan *plan;
	uint32_t *trie;
	struct xdpfw_cls *leaves;
	bool ok;
};

static void trie_job_run(void *arg)
{
	struct trie_job *j = arg;

	j->ok = xdpfw_trie4_write(j->v, j->plan, j->trie, j->leaves);
}

/* Writes E's prefix entries into generation G's half of the tables: the
 * class pool (IPv4 prefixes' classes, then the IPv6 trie's, then the IPv6
 * hash table's), the trie half (the IPv4 trie, then the trie of IPv6
 * sources' first 32 bits) and the IPv6 hash table (its slots refer into the
 * pool). Plans first (nothing written if a table does not fit), then cfg
 * records how far G's halves will be dirty, then the entries. SIZE gets
 * the table sizes. */
static int write_tables(struct xdpfw_state *st, struct ectx *e, int g, uint32_t size[2])
{
	struct xdpfw_table_plan plan = { 0 };
	struct xdpfw_trie4_plan tp = { 0 }, tp6 = { 0 };
	struct xdpfw_tabvec *v4 = &e->tv[0], *v6 = &e->tv[1], *top = &e->tv[2];
	struct xdpfw_cfg cfg;
	size_t nreal6, nclass;
	__u32 zero = 0;
	int rc;

	rc = xdpfw_trie4_plan(v4, st->root_bits, st->trie4_cap, st->tab_cap[0], &tp);
	if (!rc)
		rc = xdpfw_trie4_compact(v4, &tp);
	if (!rc)
		rc = plan_v6top(st, e, st->trie4_cap - tp.entries, &tp6);
	nreal6 = v6->n;
	nclass = tp.npool + top->n + nreal6;
	/* the search leaves' records (XDPFW_TRIE_ONE) after the classes */
	if (!rc && nclass < st->tab_cap[0])
		nclass += xdpfw_v6top_ones(top, (uint32_t)(top->n + nreal6), st->tab_cap[0] - (uint32_t)nclass);
	if (!rc && nclass > st->tab_cap[0]) {
		rc = -E2BIG;
		table_full(e, "the class pool is full: %zu prefixes do not fit in %u classes", nclass, st->tab_cap[0]);
	}
	if (!rc)
		rc = xdpfw_bspl_markers(v6, (const uint8_t (*)[XDPFW_PLENS_MAX])(e->used + 2));
	if (rc == -E2BIG && !e->reported)
		table_full(e, "the prefix trie is full: %zu IPv4 and %zu IPv6 prefixes do not fit in %u trie entries",
			   v4->n, top->n, st->trie4_cap);
	if (!rc) {
		rc = xdpfw_table_plan(6, v6, st->tab_cap[1], &plan);
		if (rc == -E2BIG)
			table_full(e, "the IPv6 prefix table is full: %zu entries do not fit in %u slots", v6->n,
				   st->tab_cap[1]);
	}
	if (!rc)
		rc = xdpfw_state_cfg(st, &cfg);
	if (!rc) {
		if (cfg.port_dirty[g] < e->npt)
			cfg.port_dirty[g] = e->npt;
		if (cfg.tab_dirty[g][0] < nclass)
			cfg.tab_dirty[g][0] = nclass;
		if (cfg.trie_dirty[g] < tp.entries + tp6.entries)
			cfg.trie_dirty[g] = tp.entries + tp6.entries;
		if (cfg.tab_dirty[g][1] < plan.size)
			cfg.tab_dirty[g][1] = plan.size;
		cfg.root_bits = st->root_bits;
		if (bpf_map_update_elem(st->fd[XM_CFG], &zero, &cfg, BPF_ANY))
			rc = -errno;
	}
	if (!rc) {
		struct xdpfw_cls *pool = (struct xdpfw_cls *)table_half(st, g, 0);
		uint32_t *trie = st->trie4 + (size_t)g * st->trie4_cap;
		struct trie_job tj = { v4, &tp, trie, pool, false };
		struct xdpfw_bgjob job;

		/* the IPv4 trie and its classes beside the IPv6 tables: the
		 * plans put them in different places */
		xdpfw_bgjob_start(&job, trie_job_run, &tj, e->two);
		e->tbase6 = tp.entries;
		e->cbase6 = tp.npool;
		if (!xdpfw_trie4_write(top, &tp6, trie + tp.entries, pool + tp.npool))
			rc = -EIO;
		xdpfw_class_write(v6, pool + tp.npool + top->n);
		xdpfw_v6top_write_ones(top, v6, (uint32_t)top->n, pool + tp.npool);
		xdpfw_table_write(6, v6, &plan, (uint32_t)top->n, table_half(st, g, 1));
		size[0] = st->tab_cap[0];
		size[1] = plan.size;
		if (e->npt)
			memcpy(st->ptab + (size_t)g * st->ptab_cap, e->pt, e->npt * sizeof(*e->pt));
		xdpfw_bgjob_wait(&job);
		/* false only from a bug in the planner; the apply is undone */
		if (!tj.ok)
			rc = -EIO;
		/* what the set fills: classes, the trie past its two roots (a
		 * blocklist's leaves are mostly verdicts, no class), IPv6
		 * slots, port-table entries */
		e->n += nclass + (tp.entries + tp6.entries - xdpfw_state_root_entries(st)) + v6->n + e->npt;
	}
	xdpfw_trie4_plan_free(&tp);
	xdpfw_trie4_plan_free(&tp6);
	xdpfw_table_plan_free(&plan);
	return rc;
}

/* Whether fragment verdict V (xdpfw_frags: a first fragment's, which its
 * later fragments follow) names a rule generation ACTIVE lacks (DEFS below
 * HW). One without a rule is never stale: the datapath applies the
 * policy of the moment to it, and a denied first fragment's datagram is
 * lost anyway. */
static bool frag_stale(uint32_t v, const struct xdpfw_rule_def *defs, uint32_t hw, int active)
{
	uint32_t slot = v & XDPFW_V_SLOT_MASK;

	return slot && (slot > hw || !(defs[slot - 1].gens & (1u << active)));
}

/* Appends K to the N keys at *V (capacity *CAP); -ENOMEM. */
static int push_key(struct xdpfw_frag_key **v, size_t *n, size_t *cap, const struct xdpfw_frag_key *k)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct xdpfw_frag_key *m = realloc(*v, c * sizeof(**v));

		if (!m)
			return -ENOMEM;
		*v = m;
		*cap = c;
	}
	(*v)[(*n)++] = *k;
	return 0;
}

/* Deletes the stale fragment verdicts (frag_stale()): their later fragments
 * are then dropped as if their first fragment had not been seen, instead of
 * passing by a rule the set no longer has, or counting into its slot once
 * a new rule holds it. Called after a grace period, so no packet still
 * classifying by the old generation adds one. The map is read in batches
 * (a full one, 16384 entries, key by key took ~80 ms, batched ~4 ms:
 * fragments anyone can send must not slow every apply); key by key where
 * the kernel has no batch calls. Stale keys are gathered first: a hash
 * map's walk restarts when its current key goes. */
static int drop_stale_frags(struct xdpfw_state *st, const struct xdpfw_rule_def *defs, uint32_t hw, int active)
{
	enum { BATCH = 1024 };
	struct xdpfw_frag_key *keys = malloc(BATCH * sizeof(*keys)), *stale = NULL, k;
	__u32 *vals = malloc(BATCH * sizeof(*vals)), v, count;
	__u64 in = 0, out = 0;
	size_t n = 0, cap = 0;
	int rc = keys && vals ? 0 : -ENOMEM, fd = st->fd[XM_FRAGS];
	bool batched = true, first = true;

	while (!rc && batched) {
		int r;

		count = BATCH;
		r = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL) ? -errno : 0;
		if (r && r != -ENOENT && first) {
			batched = false;	/* no batch calls: key by key below */
			break;
		}
		for (__u32 i = 0; !rc && i < count; i++)
			if (frag_stale(vals[i], defs, hw, active))
				rc = push_key(&stale, &n, &cap, &keys[i]);
		if (r)
			break;	/* -ENOENT: the end (another error: what was read) */
		in = out;
		first = false;
	}
	for (void *prev = NULL; !rc && !batched && !bpf_map_get_next_key(fd, prev, &k); prev = &k)
		if (!bpf_map_lookup_elem(fd, &k, &v) && frag_stale(v, defs, hw, active))
			rc = push_key(&stale, &n, &cap, &k);
	/* one call; if it fails (a key the LRU evicted meanwhile stops it, or
	 * the kernel has no batch calls and says nothing of how far it got)
	 * one by one, those already gone included */
	count = (__u32)n;
	if (!rc && n && bpf_map_delete_batch(fd, stale, &count, NULL))
		for (size_t i = 0; i < n; i++)
			bpf_map_delete_elem(fd, &stale[i]);	/* gone already: fine */
	free(stale);
	free(keys);
	free(vals);
	return rc;
}

/* Removes generation G's map entries (every table half cleared after a grace
 * period), G's membership from every definition in DEFS, and the fragment
 * verdicts the other generation does not have. */
static int clean_gen(struct xdpfw_state *st, struct xdpfw_rule_def *defs, uint32_t hw, int g)
{
	uint32_t *slots, n = 0;
	int rc = clear_tables(st, g);

	if (rc)
		return rc;
	for (uint32_t s = 0; s < hw; s++)
		n += (defs[s].gens >> g) & 1;
	if (!n)
		return drop_stale_frags(st, defs, hw, !g);
	slots = xdpfw_big_alloc(n * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	n = 0;
	for (uint32_t s = 0; s < hw; s++)
		if (defs[s].gens & (1u << g)) {
			defs[s].gens &= ~(1u << g);
			slots[n++] = s;
		}
	rc = write_defs(st, slots, defs, n);
	xdpfw_big_free(slots);
	return rc ?: drop_stale_frags(st, defs, hw, !g);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The active generation's rules by match (open addressing over their
 * slots), so a rule the new set keeps finds its slot in one probe or a few:
 * what keeps its counters across an apply. */
struct slotmap {
	const struct xdpfw_rule_def *defs;
	uint64_t *at;			/* hash's top 32 bits << 32 | slot + 1; 0 = empty */
	uint32_t mask;
};

static uint64_t (*slotmap_hash)(const struct xdpfw_rule_def *) = xdpfw_rule_match_hash;	/* tests */

/* SLOTS[0..n) index DEFS; a second slot of the same match (not in a valid
 * state) is left out, as the sorted search it replaces found only one. */
static int slotmap_build(struct slotmap *m, const struct xdpfw_rule_def *defs, const uint32_t *slots,
			 uint32_t n)
{
	uint64_t size = 16, *hs = xdpfw_big_alloc(((size_t)n + 1) * sizeof(*hs));

	while (size < 2 * (uint64_t)n)
		size *= 2;
	m->defs = defs;
	m->mask = size - 1;
	m->at = xdpfw_big_calloc(size, sizeof(*m->at));
	if (!m->at || !hs) {
		xdpfw_big_free(hs);
		return -ENOMEM;
	}
	/* hashes first (definitions in order), then the scattered inserts,
	 * each entry asked for ahead of time */
	for (uint32_t k = 0; k < n; k++)
		hs[k] = slotmap_hash(&defs[slots[k]]);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t h = hs[k], tag = h >> 32 << 32;
		uint32_t i = h & m->mask;

		if (k + 16 < n)
			__builtin_prefetch(&m->at[hs[k + 16] & m->mask], 1);

		for (; m->at[i]; i = (i + 1) & m->mask)
			if ((m->at[i] & ~0xffffffffull) == tag &&
			    !xdpfw_rule_match_cmp(&defs[(uint32_t)m->at[i] - 1], &defs[slots[k]]))
				break;
		if (!m->at[i])
			m->at[i] = tag | (slots[k] + 1);
	}
	xdpfw_big_free(hs);
	return 0;
}

/* The slot of the rule matching as D does (H: its slotmap_hash()), -1 if none (the table is at most
 * half full: a probe sequence always ends at an empty entry). */
static long slotmap_find(const struct slotmap *m, const struct xdpfw_rule_def *d, uint64_t h)
{
	uint64_t tag = h >> 32 << 32;

	/* the hash's top half is kept beside the slot: a rule of another
	 * match is passed over without reading its definition */
	for (uint32_t i = h & m->mask; m->at[i]; i = (i + 1) & m->mask)
		if ((m->at[i] & ~0xffffffffull) == tag && !xdpfw_rule_match_cmp(&m->defs[(uint32_t)m->at[i] - 1], d))
			return (uint32_t)m->at[i] - 1;
	return -1;
}

/* Slots for RS's rules when a set is in force (generation G; slots below
 * HW handed out, LIMIT the most there is room for): a rule already active
 * keeps its slot (and counters), found by its match; the others take free
 * slots, whose definitions go into DEFS for the new generation. FRESH gets
 * the free slots below HW (their counters are an old rule's: zeroed
 * later), *NEW_HW the new high-water mark. -ENOMEM, -ENOSPC. */
static int assign_slots(struct xdpfw_state *st, struct xdpfw_rule_def *defs, const struct xdpfw_ruleset *rs,
			int g, uint32_t hw, uint32_t limit, uint32_t *slots, uint32_t *fresh, uint32_t *nfresh,
			uint32_t *new_hw)
{
	uint32_t *active = xdpfw_big_alloc((hw + 1) * sizeof(*active));
	uint64_t *hs = xdpfw_big_alloc((rs->n + 1) * sizeof(*hs));
	uint32_t nact = 0, next_free = 0;
	struct slotmap sm = { 0 };
	int ng = g ^ 1, rc = 0;

	if (!active || !hs) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t s = 0; s < hw; s++)
		if (defs[s].gens & (1u << g))
			active[nact++] = s;
	rc = slotmap_build(&sm, defs, active, nact);
	if (rc)
		goto out;
	for (size_t i = 0; i < rs->n; i++)
		hs[i] = slotmap_hash(&rs->r[i].d);
	for (size_t i = 0; i < rs->n; i++) {
		const struct xdpfw_rule_def *d = &rs->r[i].d;
		long found;

		if (i + 16 < rs->n)
			__builtin_prefetch(&sm.at[hs[i + 16] & sm.mask]);
		found = slotmap_find(&sm, d, hs[i]);

		if (found >= 0 && defs[found].action == d->action && defs[found].flags == d->flags &&
		    !(defs[found].gens & (1u << ng))) {
			slots[i] = found;
			defs[found].gens |= 1u << ng;
		} else {
			struct xdpfw_rule_def nd = *d;

			/* free: in no generation (slots past hw are zero) */
			while (next_free < limit && defs[next_free].gens)
				next_free++;
			if (next_free >= limit) {
				/* cannot happen while a set is at most max_slots / 2 */
				fprintf(stderr, "xdpfw: rule map full (%u slots for old and new set); nothing "
					"applied\n", st->max_slots);
				rc = -ENOSPC;
				goto out;
			}
			slots[i] = next_free++;
			/* a slot at or past the high-water mark was never handed
			 * out (slots_hw only grows, and is recorded before any
			 * table names a slot): its counters are still zero */
			if (slots[i] < hw)
				fresh[(*nfresh)++] = slots[i];
			nd.gens = 1u << ng;
			nd.order[0] = nd.order[1] = 0;
			defs[slots[i]] = nd;
		}
		defs[slots[i]].order[ng] = i;
		if (slots[i] + 1 > *new_hw)
			*new_hw = slots[i] + 1;
	}
out:
	xdpfw_big_free(sm.at);
	xdpfw_big_free(active);
	xdpfw_big_free(hs);
	return rc;
}

static int state_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
		       struct xdpfw_apply_stats *stats)
{
	struct xdpfw_apply_stats dummy;
	struct xdpfw_rule_def *defs = NULL;
	uint32_t *slots = NULL, *fresh = NULL;
	uint32_t hw, limit, nfresh = 0, new_hw;
	struct ectx e = { .st = st, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct xdpfw_emit em = { emit_src, emit_dst, emit_ptable, &e, emit_src4 };
	struct first_defs fd;
	bool first = false;
	struct timespec t0;
	struct xdpfw_cfg cfg;
	uint32_t size[2];
	__u32 zero = 0;
	bool written = false;
	int rc, g, ng;

	stats = stats ? stats : &dummy;
	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rs->n > xdpfw_state_max_rules(st)) {
		fprintf(stderr, "xdpfw: %zu rules do not fit: this firewall holds %u rules per set (its "
			"--max-rules); nothing applied (xdpfw unload --all --purge, then load with a larger "
			"--max-rules)\n", rs->n, xdpfw_state_max_rules(st));
		return -ENOSPC;
	}
	rc = xdpfw_state_lock(st);
	if (rc)
		return rc;
	rc = xdpfw_state_cfg(st, &cfg);
	if (rc)
		return rc;
	g = cfg.gen & 1;
	ng = g ^ 1;
	hw = cfg.slots_hw > st->max_slots ? st->max_slots : cfg.slots_hw;
	/* room for every slot we may hand out */
	new_hw = hw;
	limit = st->max_slots < hw + rs->n ? st->max_slots : hw + (uint32_t)rs->n;
	rc = apply_defs(st, hw, limit, &defs);
	if (rc)
		return rc;

	/* 1. whatever a killed apply left in the inactive generation goes */
	rc = clean_gen(st, defs, hw, ng);
	if (rc)
		goto out;

	/* 2. slots (in memory): a rule already active keeps its slot (and
	 * counters), found by its match */
	slots = xdpfw_big_alloc((rs->n + 1) * sizeof(*slots));
	fresh = xdpfw_big_alloc((rs->n + 1) * sizeof(*fresh));
	if (!slots || !fresh) {
		rc = -ENOMEM;
		goto out;
	}
	if (defs == st->defs) {
		/* the first set: rule i takes slot i, its definition is
		 * written beside the compiler */
		fd = (struct first_defs){ defs, rs, ng };
		for (size_t i = 0; i < rs->n; i++)
			slots[i] = (uint32_t)i;
		new_hw = (uint32_t)rs->n;
		first = true;
	} else {
		rc = assign_slots(st, defs, rs, g, hw, limit, slots, fresh, &nfresh, &new_hw);
		if (rc)
			goto out;
	}

	/* 3. the new generation's entries, in memory: a set refused here (too
	 * many classes, no memory) has cost no table write */
	/* IPv6 (after a first set's definitions) on a second thread, IPv4
	 * here: their entries go to different vectors (emit_src, emit_dst) */
	e.two = xdpfw_bgjob_worth(rs->n);
	if (e.two) {
		rc = xdpfw_compile_two(rs, slots, ng, &em, &stats->c, first ? first_defs_run : NULL, &fd);
	} else {
		if (first)
			first_defs_run(&fd);
		rc = xdpfw_compile(rs, slots, ng, &em, &stats->c);
	}
	if (rc)
		goto failed;

	/* 4. the generation is recorded (defs) before any of its entries exist,
	 * so a killed apply can always be cleaned up by recomputing them; the
	 * definitions are written before the high-water mark rises over them,
	 * so a reader never takes what a refused or killed apply left past the
	 * mark for a rule */
	written = true;
	rc = write_defs(st, slots, defs, rs->n);
	if (rc)
		goto undo;
	if (new_hw > cfg.slots_hw) {
		/* re-read: clean_gen() recorded cleared tables in cfg */
		if (xdpfw_state_cfg(st, &cfg)) {
			rc = -errno;
			goto undo;
		}
		cfg.slots_hw = new_hw;
		if (bpf_map_update_elem(st->fd[XM_CFG], &zero, &cfg, BPF_ANY)) {
			rc = -errno;
			goto undo;
		}
	}
	if (xdpfw_apply_crash_point == 2) {
		rc = -EINTR;
		goto out;	/* as if killed once the mark has risen */
	}
	rc = zero_counters(st, fresh, nfresh);
	if (rc)
		goto undo;
	rc = write_tables(st, &e, ng, size);
	if (!rc)
		rc = write_plens(st, &e, ng, size);
failed:
	ectx_free(&e);
	stats->entries = e.n;
	stats->write_ms = ms_since(&t0);
	if (rc) {
		if ((rc == -ENOSPC || rc == -E2BIG) && !e.reported)
			table_full(&e, "a rule-set map is full");
		goto undo;
	}
	if (xdpfw_apply_crash_point == 1) {
		rc = -EINTR;
		goto out;	/* as if killed: leave the half-done generation */
	}

	/* 5. the switch: one update, read once per packet */
	struct timespec t1, now;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_REALTIME, &now);
	rc = xdpfw_state_cfg(st, &cfg);	/* with write_tables()' tab_dirty */
	if (rc)
		goto undo;
	cfg.policy[ng] = policy >= 0 ? (uint32_t)policy : cfg.policy[g];
	cfg.nrules[ng] = rs->n;
	cfg.applied_ns[ng] = now.tv_sec * 1000000000ull + now.tv_nsec;
	cfg.slots_hw = new_hw;
	/* the new generation's policy first, under the old generation number:
	 * an update copies the whole value, and a packet could otherwise read
	 * the new number before the new policy; then the number alone changes */
	cfg.gen = g;
	if (bpf_map_update_elem(st->fd[XM_CFG], &zero, &cfg, BPF_ANY)) {
		rc = -errno;
		goto undo;
	}
	cfg.gen = ng;
	if (bpf_map_update_elem(st->fd[XM_CFG], &zero, &cfg, BPF_ANY)) {
		rc = -errno;
		goto undo;
	}
	stats->switch_ms = ms_since(&t1);

	/* 6. the old generation goes */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = clean_gen(st, defs, new_hw, g);
	stats->cleanup_ms = ms_since(&t1);
	if (rc)
		fprintf(stderr, "xdpfw: the new rule set is active, but removing the old one failed: %s "
			"(the next apply retries)\n", strerror(-rc));
	rc = 0;
	goto out;

undo:
	/* nothing switched: remove what was written of the new generation (a
	 * set refused before step 4 wrote nothing) */
	if (written)
		clean_gen(st, defs, new_hw > hw ? new_hw : hw, ng);
out:
	ectx_free(&e);
	free_defs(st, defs);
	xdpfw_big_free(slots);
	xdpfw_big_free(fresh);
	return rc;
}

int xdpfw_state_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
		      struct xdpfw_apply_stats *stats)
{
	int rc;

	xdpfw_big_hold();	/* the apply's scratch: reused within it, gone after */
	rc = state_apply(st, rs, policy, stats);
	xdpfw_big_release();
	if (rc != -EINTR || !xdpfw_apply_crash_point)	/* a simulated kill records nothing */
		xdpfw_applog_record(st, rc);
	return rc;
}

int xdpfw_state_table_usage(struct xdpfw_state *st, uint64_t used[2][2], uint32_t cap[2])
{
	struct xdpfw_cfg cfg;
	int rc = xdpfw_state_cfg(st, &cfg);

	for (int f = 0; f < 2; f++) {
		cap[f] = st->tab_cap[f];
		for (int g = 0; g < 2; g++)
			/* classes are dense from the start of a half: as many as written */
			used[g][f] = f ? xdpfw_table_used(6, table_half(st, g, f), st->tab_cap[f]) :
				     rc ? 0 : cfg.tab_dirty[g][0];
	}
	return rc;
}

uint64_t xdpfw_state_table_bytes(const struct xdpfw_state *st)
{
	return st->tab_bytes[0] + st->tab_bytes[1] + st->trie4_bytes + st->ptab_bytes;
}

int xdpfw_state_table_fill(struct xdpfw_state *st, const struct xdpfw_cfg *cfg,
			   struct xdpfw_table_fill f[XDPFW_NTABLES])
{
	uint64_t used[2][2], pused[2];
	uint32_t cap[2], pcap, tcap;
	int rc = xdpfw_state_table_usage(st, used, cap), prc = xdpfw_state_port_usage(st, pused, &pcap);

	uint32_t roots = xdpfw_state_root_entries(st);

	tcap = st->trie4_cap > roots ? st->trie4_cap - roots : 0;
	f[0] = (struct xdpfw_table_fill){ "classes", cap[0], cap[0], { used[0][0], used[1][0] } };
	f[1] = (struct xdpfw_table_fill){ "trie", tcap, tcap, { 0, 0 } };
	f[2] = (struct xdpfw_table_fill){ "ipv6", cap[1], cap[1] / 2, { used[0][1], used[1][1] } };
	f[3] = (struct xdpfw_table_fill){ "ports", pcap, pcap, { pused[0], pused[1] } };
	for (int g = 0; g < 2; g++)	/* 0: never written, or cleared */
		f[1].used[g] = cfg->trie_dirty[g] > roots ? cfg->trie_dirty[g] - roots : 0;
	return rc ?: prc;
}

uint64_t xdpfw_state_def_bytes(const struct xdpfw_state *st)
{
	return (uint64_t)st->max_slots * sizeof(struct xdpfw_rule_def);
}

uint64_t xdpfw_state_counter_bytes(const struct xdpfw_state *st, uint32_t *ncpu)
{
	*ncpu = st->cnt_cpus;
	return (uint64_t)st->cnt_slots * sizeof(struct xdpfw_counter);
}

int xdpfw_state_port_usage(struct xdpfw_state *st, uint64_t used[2], uint32_t *cap)
{
	struct xdpfw_cfg cfg;
	int rc = xdpfw_state_cfg(st, &cfg);

	*cap = st->ptab_cap;
	for (int g = 0; g < 2; g++) {
		const struct xdpfw_pent *p = st->ptab + (size_t)g * st->ptab_cap;

		/* tables lie back to back from the start; each header counts >= 1 */
		used[g] = 0;
		for (uint64_t i = 0; i < st->ptab_cap && p[i].start && !rc; i += p[i].start + 1)
			used[g] += p[i].start + 1;
	}
	return rc;
}

int xdpfw_state_counter(struct xdpfw_state *st, uint32_t slot, struct xdpfw_counter *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (slot >= st->cnt_slots)
		return -ENOENT;
	for (uint32_t c = 0; c < st->cnt_cpus; c++) {
		/* one read each: the datapath may be counting into it */
		const volatile struct xdpfw_counter *v = &st->cnt[(size_t)c * st->cnt_slots + slot];

		sum->packets += v->packets;
		sum->bytes += v->bytes;
	}
	return 0;
}

int xdpfw_state_totals(struct xdpfw_state *st, struct xdpfw_counter tot[XDPFW_NTOTALS])
{
	struct xdpfw_counter *v;
	int rc = 0;

	if (st->ncpu < 1)
		return st->ncpu < 0 ? st->ncpu : -EINVAL;
	v = calloc(st->ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 k = 0; k < XDPFW_NTOTALS && !rc; k++) {
		memset(&tot[k], 0, sizeof(tot[k]));
		if (bpf_map_lookup_elem(st->fd[XM_TOTALS], &k, v)) {
			rc = -errno;
			break;
		}
		for (int i = 0; i < st->ncpu; i++) {
			tot[k].packets += v[i].packets;
			tot[k].bytes += v[i].bytes;
		}
	}
	free(v);
	return rc;
}

/* A second instance of the datapath over the same state (xdpfw load --multi:
 * libxdp loads it as an extension of its dispatcher): BO, opened but not
 * loaded, is made to use the maps pinned under DIR, the log ring included,
 * and gets the load-time switches of O. */
int xdpfw_state_share_maps(struct bpf_object *bo, const char *dir, const struct xdpfw_create_opts *o)
{
	static const char *const log_maps[][2] = {
		{ ".data.bklog", "maps/_data_bklog" }, { ".rodata.bklog", "maps/_rodata_bklog" },
	};
	struct xdpfw_opts opts = default_opts;
	char path[512];
	int rc, fd;

	for (int i = 0; i < XM_NMAPS + 2; i++) {
		const char *name = i < XM_NMAPS ? map_names[i] : log_maps[i - XM_NMAPS][0];
		const char *pin = i < XM_NMAPS ? map_names[i] : log_maps[i - XM_NMAPS][1];
		struct bpf_map *m = i < XM_NMAPS ? find_map(bo, i) : bpf_object__find_map_by_name(bo, name);

		if (!m)
			return i < XM_NMAPS ? -ENOENT : 0;
		snprintf(path, sizeof(path), "%s/%s", dir, pin);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (i < XM_NMAPS)
				return -errno;
			continue;	/* no pinned log ring: this instance logs into its own */
		}
		rc = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (rc)
			return rc;
	}
	if (o) {
		opts.log_rate = o->log_rate ? o->log_rate : opts.log_rate;
		opts.pass_lockout = !o->no_lockout_pass;
	}
	return set_opts(bo, &opts);
}
