/* apps/xdpfw/state.c — xdpfw's kernel state: load the datapath once and pin
 * its maps and program under a bpffs directory (so the firewall keeps
 * working, with its rules, policy and counters, after the CLI exits), map
 * them for the CLI, and read them back (rules, counters, table use). The
 * atomic swap of rule sets is apply.c's; the layout it relies on is here.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include "bigmem.h"
#include "state.h"
#include "state_int.h"
#include "table.h"

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
size_t xdpfw_table_elem(int i)
{
	switch (i) {
	case XM_CLASS: return sizeof(struct xdpfw_cls);
	case XM_TAB6: return sizeof(struct xdpfw_slot6);
	case XM_TRIE4: return sizeof(__u32);
	case XM_PORTS: return sizeof(struct xdpfw_pent);
	default: return 0;
	}
}

uint8_t *xdpfw_table_half(struct xdpfw_state *st, int g, int f)
{
	return (uint8_t *)st->tab[f] + (size_t)g * st->tab_cap[f] * xdpfw_table_elem(f ? XM_TAB6 : XM_CLASS);
}

/* Maps table map M (one value: generation 0's half, then 1's, each at
 * least MIN entries) into *P, *BYTES long; *HALF gets the entries per half.
 * -EINVAL for a map of another layout (an older xdpfw pinned a value per
 * generation, or per entry; the trie's half is a whole number of 16-entry
 * chunks). */
static int map_half(struct xdpfw_state *st, int m, __u32 min, void **p, size_t *bytes, __u32 *half)
{
	struct bpf_map_info info;
	size_t elem = xdpfw_table_elem(m);
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
		*halves[i] = bpf_map__value_size(m) / 2 / xdpfw_table_elem(tables[i]);
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
	return half <= max && 2 * half * xdpfw_table_elem(i) < 1ull << 29;
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
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, map_names[i], sizeof(__u32), (__u32)(2 * half * xdpfw_table_elem(i)), 1,
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
	return xdpfw_table_elem(i) ? set_half(m, i, half, limit) : 0;
}

uint32_t xdpfw_state_rules_limit(void)
{
	uint32_t lo = 1, hi = (XDPFW_MAX_SLOTS - 1) / 2;

	while (lo < hi) {	/* the most rules a set whose tables all fit */
		uint32_t mid = lo + (hi - lo + 1) / 2;
		bool fits = true;

		for (int i = 0; i < XM_NMAPS && fits; i++) {
			uint64_t limit, half = half_for(i, mid, &limit);

			fits = !xdpfw_table_elem(i) || table_fits(i, half, limit);
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

		if (strcmp(map, map_names[i]) || !xdpfw_table_elem(i))
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
	/* another tool's pins share names with ours (bpfkit load --pin DIR pins
	 * the same log maps): a load there would take them over */
	if (!holds_state(real)) {
		for (size_t i = 0; i < NLOG_PINS; i++) {
			snprintf(sub, sizeof(sub), "%s/maps/%s", real, log_pins[i][1]);
			if (!access(sub, F_OK)) {
				fprintf(stderr, "xdpfw: state directory '%s' holds another program's pins (%s: a bpfkit "
					"load --pin directory?); use a directory of its own\n", dir, sub);
				return -EEXIST;
			}
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
int xdpfw_read_defs(struct xdpfw_state *st, uint32_t hw, uint32_t room, struct xdpfw_rule_def **out)
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
		rc = xdpfw_read_defs(st, hw, 0, &defs);
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

int xdpfw_state_table_usage(struct xdpfw_state *st, uint64_t used[2][2], uint32_t cap[2])
{
	struct xdpfw_cfg cfg;
	int rc = xdpfw_state_cfg(st, &cfg);

	for (int f = 0; f < 2; f++) {
		cap[f] = st->tab_cap[f];
		for (int g = 0; g < 2; g++)
			/* classes are dense from the start of a half: as many as written */
			used[g][f] = f ? xdpfw_table_used(6, xdpfw_table_half(st, g, f), st->tab_cap[f]) :
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
