/* cli/map.c — `bpfkit map list|show|dump`: maps in the kernel, with their
 * entries printed by their BTF types (libbpf's btf_dump) when the map has
 * BTF, as hex bytes otherwise. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <bpfkit/json.h>
#include <bpfkit/proginfo.h>
#include "cli.h"

#define MAX_DUMP_ENTRIES 100000	/* a bound, so a map changing under us cannot loop forever */

static void map_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit map COMMAND [MAP] [OPTIONS]\n"
		"\n"
		"Commands:\n"
		"  list               every map in the kernel\n"
		"  show [MAP]         the maps MAP names (or all), like bpftool map show\n"
		"  dump MAP           its entries, printed by their BTF types when the map has\n"
		"                     BTF, as hex bytes otherwise\n"
		"\n"
		"MAP is: id N | name NAME | pinned PATH. `show` lists every map with that\n"
		"name; `dump` refuses a name several maps share, and lists their ids.\n"
		"  -j, --json         JSON output\n");
}

static void show_one(struct bpfkit_json *jw, const struct bpfkit_map_info *mi)
{
	if (jw) {
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "id", mi->id);
		bpfkit_json__kv_str(jw, "type", mi->type_str);
		bpfkit_json__kv_str(jw, "name", mi->name);
		bpfkit_json__kv_uint(jw, "flags", mi->flags);
		bpfkit_json__kv_uint(jw, "bytes_key", mi->key_size);
		bpfkit_json__kv_uint(jw, "bytes_value", mi->value_size);
		bpfkit_json__kv_uint(jw, "max_entries", mi->max_entries);
		bpfkit_json__kv_uint(jw, "bytes_memlock", mi->bytes_memlock);
		bpfkit_json__kv_uint(jw, "frozen", mi->frozen);	/* bpftool prints 0/1 */
		if (mi->btf_id)
			bpfkit_json__kv_uint(jw, "btf_id", mi->btf_id);
		if (mi->nr_pids) {
			bpfkit_json__key(jw, "pids");
			bpfkit_json__begin_array(jw);
			for (uint32_t i = 0; i < mi->nr_pids; i++) {
				bpfkit_json__begin_object(jw);
				bpfkit_json__kv_uint(jw, "pid", mi->pids[i].pid);
				bpfkit_json__kv_str(jw, "comm", mi->pids[i].comm);
				bpfkit_json__end_object(jw);
			}
			bpfkit_json__end_array(jw);
		}
		bpfkit_json__end_object(jw);
		return;
	}
	printf("%u: %s  name %s  flags 0x%x\n", mi->id, mi->type_str, mi->name, mi->flags);
	printf("\tkey %uB  value %uB  max_entries %u  memlock %lluB%s\n", mi->key_size, mi->value_size,
	       mi->max_entries, (unsigned long long)mi->bytes_memlock, mi->frozen ? "  frozen" : "");
	if (mi->btf_id)
		printf("\tbtf_id %u\n", mi->btf_id);
	if (mi->nr_pids) {
		printf("\tpids ");
		for (uint32_t i = 0; i < mi->nr_pids; i++)
			printf("%s%s(%d)", i ? ", " : "", mi->pids[i].comm, mi->pids[i].pid);
		putchar('\n');
	}
}

static int parse_common(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	if (cli_negative_id("map", argc, argv))
		return -EXIT_FAIL - 1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_output = true; break;
		case 'h': map_help(stdout); return -EXIT_OK - 1;
		default: return -usage_error(cmd, "unknown option '%s'", argv[optind - 1]) - 1;
		}
	}
	return optind;
}

static int open_map(const char *cmd, int argc, char **argv, int i, int *fd)
{
	if (i + 2 != argc) {
		if (i + 2 < argc)
			return usage_error(cmd, "unexpected argument '%s'", argv[i + 2]);
		return usage_error(cmd, "expected MAP: id N | name NAME | pinned PATH");
	}
	*fd = bpfkit_map__open_spec(argv[i], argv[i + 1]);
	return *fd < 0 ? EXIT_FAIL : EXIT_OK;
}

/* CMD: "map show" (the maps MAP names, or all) or "map list" (all). A name
 * several maps share shows each; -j then gives an array, one match an
 * object, as bpftool does. */
static int show(const char *cmd, int argc, char **argv)
{
	enum { SHOWN = 256 };
	struct bpfkit_json *jw = NULL;
	int i = parse_common(cmd, argc, argv), fds[SHOWN], nfd = 0, ret = EXIT_OK;
	uint32_t id = 0;

	if (i < 0)
		return -i - 1;
	if (i < argc && !strcmp(cmd, "map list"))
		return usage_error(cmd, "unexpected argument '%s' (one map: bpfkit map show MAP)", argv[i]);
	if (i < argc) {
		if (i + 2 != argc) {
			if (i + 2 < argc)
				return usage_error(cmd, "unexpected argument '%s'", argv[i + 2]);
			return usage_error(cmd, "expected MAP: id N | name NAME | pinned PATH");
		}
		nfd = bpfkit_map__open_specs(argv[i], argv[i + 1], fds, SHOWN);
		if (nfd < 0)
			return EXIT_FAIL;
	}
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		if (nfd != 1)
			bpfkit_json__begin_array(jw);
	}
	if (nfd) {
		for (int k = 0; k < nfd && k < SHOWN; k++) {
			struct bpfkit_map_info mi;
			int err = bpfkit_map__info(fds[k], &mi);

			if (err) {
				cli_err("map: cannot read info: %s", strerror(-err));
				ret = EXIT_FAIL;
			} else {
				show_one(jw, &mi);
				bpfkit_map_info__free(&mi);
			}
			close(fds[k]);
		}
		if (nfd > SHOWN)
			cli_err("map %s '%s': %d more maps match, not shown", argv[i], argv[i + 1], nfd - SHOWN);
	} else {
		int nerr;

		while (!(nerr = bpfkit_map__next_id(&id))) {
			struct bpfkit_map_info mi;
			int mfd = bpf_map_get_fd_by_id(id);

			if (mfd < 0)
				continue;
			if (!bpfkit_map__info(mfd, &mi)) {
				show_one(jw, &mi);
				bpfkit_map_info__free(&mi);
			}
			close(mfd);
		}
		if (nerr != -ENOENT) {
			cli_err("cannot list maps: %s", strerror(-nerr));
			ret = EXIT_FAIL;
		}
	}
	if (jw && nfd != 1)
		bpfkit_json__end_array(jw);
	if (jw)
		bpfkit_json__free(jw);
	return ret;
}

/* ---- dump ---------------------------------------------------------------- */

static void vprint_to(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* Renders DATA of BTF type ID as text (malloc'd), or NULL. */
static char *btf_text(struct btf *btf, uint32_t type_id, const void *data, size_t size)
{
	struct btf_dump *d;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int err;

	if (!btf || !type_id)
		return NULL;
	mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	d = btf_dump__new(btf, vprint_to, mem, NULL);
	if (!d) {
		fclose(mem);
		free(buf);
		return NULL;
	}
	LIBBPF_OPTS(btf_dump_type_data_opts, o, .compact = true);
	err = btf_dump__dump_type_data(d, type_id, data, size, &o);
	btf_dump__free(d);
	fclose(mem);
	if (err < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *hex_text(const uint8_t *p, size_t n)
{
	char *s = malloc(n * 3 + 1);

	if (!s)
		return NULL;
	s[0] = 0;
	for (size_t i = 0; i < n; i++)
		sprintf(s + (i ? i * 3 - 1 : 0), "%s%02x", i ? " " : "", p[i]);
	return s;
}

static bool per_cpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static void print_entry(struct bpfkit_json *jw, struct btf *btf, const struct bpfkit_map_info *mi,
			const uint8_t *key, const uint8_t *val, int ncpu)
{
	size_t vstride = per_cpu(mi->type) ? (mi->value_size + 7) / 8 * 8 : mi->value_size;
	char *k = btf_text(btf, mi->btf_key_type_id, key, mi->key_size);
	char *kh = hex_text(key, mi->key_size);

	if (jw) {
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_str(jw, "key", kh ?: "");
		if (k)
			bpfkit_json__kv_str(jw, "key_btf", k);
		if (per_cpu(mi->type)) {
			bpfkit_json__key(jw, "values");
			bpfkit_json__begin_array(jw);
		}
	} else {
		printf("key: %s", k ?: kh ?: "");
	}
	for (int c = 0; c < (per_cpu(mi->type) ? ncpu : 1); c++) {
		const uint8_t *v = val + c * vstride;
		char *vt = btf_text(btf, mi->btf_value_type_id, v, mi->value_size);
		char *vh = hex_text(v, mi->value_size);

		if (jw) {
			if (per_cpu(mi->type)) {
				bpfkit_json__begin_object(jw);
				bpfkit_json__kv_uint(jw, "cpu", c);
			}
			bpfkit_json__kv_str(jw, "value", vh ?: "");
			if (vt)
				bpfkit_json__kv_str(jw, "value_btf", vt);
			if (per_cpu(mi->type))
				bpfkit_json__end_object(jw);
		} else if (per_cpu(mi->type)) {
			printf("\n\tcpu%d: %s", c, vt ?: vh ?: "");
		} else {
			printf("  value: %s", vt ?: vh ?: "");
		}
		free(vt);
		free(vh);
	}
	if (jw) {
		if (per_cpu(mi->type))
			bpfkit_json__end_array(jw);
		bpfkit_json__end_object(jw);
	} else {
		putchar('\n');
	}
	free(k);
	free(kh);
}

static int do_dump(int argc, char **argv)
{
	struct bpfkit_json *jw = NULL;
	struct bpfkit_map_info mi;
	struct btf *btf = NULL;
	int i = parse_common("map dump", argc, argv), fd = -1, ret, err, ncpu = 1;
	uint8_t *key = NULL, *next = NULL, *val = NULL;
	size_t vsize, count = 0;

	if (i < 0)
		return -i - 1;
	if ((ret = open_map("map dump", argc, argv, i, &fd)))
		return ret;
	err = bpfkit_map__info(fd, &mi);
	if (err) {
		cli_err("map %s %s: cannot read info: %s", argv[i], argv[i + 1], strerror(-err));
		close(fd);
		return EXIT_FAIL;
	}
	if (mi.type == BPF_MAP_TYPE_RINGBUF || mi.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    mi.type == BPF_MAP_TYPE_USER_RINGBUF || mi.type == BPF_MAP_TYPE_PROG_ARRAY ||
	    mi.type == BPF_MAP_TYPE_STRUCT_OPS || (mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS) ||
	    mi.type == BPF_MAP_TYPE_HASH_OF_MAPS || mi.type == BPF_MAP_TYPE_BLOOM_FILTER ||
	    mi.type == BPF_MAP_TYPE_QUEUE || mi.type == BPF_MAP_TYPE_STACK) {
		cli_err("map %u (%s): a %s map has no entries to dump by key", mi.id, mi.name, mi.type_str);
		ret = EXIT_FAIL;
		goto out;
	}
	if (per_cpu(mi.type)) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu < 1)
			ncpu = 1;
	}
	vsize = (per_cpu(mi.type) ? (mi.value_size + 7) / 8 * 8 * ncpu : mi.value_size);
	key = calloc(1, mi.key_size ?: 1);
	next = calloc(1, mi.key_size ?: 1);
	val = calloc(1, vsize ?: 1);
	if (!key || !next || !val) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (mi.btf_id) {
		btf = btf__load_from_kernel_by_id(mi.btf_id);
		if (!btf)
			cli_err("map %u: BTF %u unreadable; printing hex", mi.id, mi.btf_id);
	}
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	}
	for (void *prev = NULL; count < MAX_DUMP_ENTRIES; prev = key) {
		if (bpf_map_get_next_key(fd, prev, next))
			break;
		memcpy(key, next, mi.key_size);
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		print_entry(jw, btf, &mi, key, val, ncpu);
		count++;
	}
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	} else {
		printf("Found %zu element%s\n", count, count == 1 ? "" : "s");
	}
out:
	btf__free(btf);
	free(key);
	free(next);
	free(val);
	bpfkit_map_info__free(&mi);
	close(fd);
	return ret;
}

static int do_show(int argc, char **argv)
{
	return show("map show", argc, argv);
}

static int do_list(int argc, char **argv)
{
	return show("map list", argc, argv);
}

int do_map(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list", do_list, "every map" },
		{ "show", do_show, "one map or all" },
		{ "dump", do_dump, "entries" },
		{ 0 }
	};

	return dispatch("map", cmds, argc - 1, argv + 1, map_help);
}
