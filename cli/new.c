/* cli/new.c — `bpfkit new NAME [--type T] [--dir D]`: generates a project
 * (BPF program, loader with the object embedded, shared header, Makefile,
 * README, test cases) from templates/<type>/ and templates/common/, the C
 * counterpart of aya-template. The project is written to a temporary
 * directory and renamed into place, so an existing directory is never
 * touched and a failure leaves nothing half-made. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

/* aya-template's list, in its order */
static const struct {
	const char *name;
	const char *what;
} types[] = {
	{ "xdp", "eXpress Data Path: packets at the driver, before the stack" },
	{ "classifier", "tc classifier: packets at ingress/egress (tcx)" },
	{ "cgroup_skb", "packets entering or leaving a cgroup's sockets" },
	{ "cgroup_sockopt", "getsockopt/setsockopt calls in a cgroup" },
	{ "cgroup_sysctl", "sysctl reads and writes in a cgroup" },
	{ "tracepoint", "a static kernel tracepoint (syscalls/sys_enter_execve)" },
	{ "raw_tracepoint", "a raw tracepoint (sched_process_exec), no tracefs" },
	{ "tp_btf", "a BTF-typed tracepoint (sched_process_exec)" },
	{ "kprobe", "entry of a kernel function (do_unlinkat)" },
	{ "kretprobe", "return of a kernel function (do_unlinkat)" },
	{ "uprobe", "entry of a user-space function (libc getpid)" },
	{ "uretprobe", "return of a user-space function (libc getpid)" },
	{ "fentry", "entry of a kernel function through a BPF trampoline" },
	{ "fexit", "exit of a kernel function through a BPF trampoline" },
	{ "lsm", "a Linux Security Module hook (file_open)" },
	{ "perf_event", "a perf event: CPU clock samples" },
	{ "socket_filter", "a filter on one socket's packets" },
	{ "sock_ops", "TCP connection events in a cgroup" },
	{ "sk_msg", "messages sent on the sockets of a sockmap" },
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static void new_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit new NAME [--type TYPE] [--dir DIR]\n"
		"\n"
		"Generates DIR/NAME (default ./NAME): src/NAME.bpf.c (the program, logging through\n"
		"bpfkit's log macros), src/NAME.c (its loader, object embedded), src/NAME.h (shared),\n"
		"a Makefile that finds bpfkit through pkg-config or BPFKIT_DIR, a README and tests.\n"
		"An existing NAME is never overwritten. NAME names C symbols too: a letter or\n"
		"'_', then letters, digits, '_' or '-' (made '_'), at most 48 characters.\n"
		"\n"
		"  -t, --type TYPE   program type (default xdp); without a value: the list\n"
		"  -d, --dir DIR     where to create the project (default .)\n"
		"  -l, --list        list the types\n"
		"  -j, --json        JSON output\n");
}

static void list_types(FILE *out)
{
	if (json_output && out == stdout) {
		struct bpfkit_json *jw = bpfkit_json__new(stdout, pretty_output);

		bpfkit_json__begin_array(jw);
		for (size_t i = 0; i < N_TYPES; i++) {
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_str(jw, "type", types[i].name);
			bpfkit_json__kv_str(jw, "description", types[i].what);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
		return;
	}
	fprintf(out, "Program types (bpfkit new NAME --type TYPE):\n");
	for (size_t i = 0; i < N_TYPES; i++)
		fprintf(out, "  %-15s %s\n", types[i].name, types[i].what);
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* templates: $BPFKIT_TEMPLATES, else installed next to the binary
 * (PREFIX/share/bpfkit/templates), else the source tree the binary was
 * built in (build/bin or build/asan/bin). SRC_TREE gets that tree, if any. */
static int find_templates(char *dir, size_t sz, char *src_tree, size_t tsz)
{
	static const char *const rel[] = { "/../share/bpfkit/templates", "/../../templates",
					   "/../../../templates" };
	const char *env = getenv("BPFKIT_TEMPLATES");
	char exe[PATH_MAX], cand[PATH_MAX + 64], probe[PATH_MAX + 96];
	ssize_t n;

	src_tree[0] = 0;
	if (env && *env) {
		snprintf(dir, sz, "%s", env);
		snprintf(probe, sizeof(probe), "%s/common/loader.c", dir);
		return access(probe, R_OK) ? -ENOENT : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -ENOENT;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char real[PATH_MAX];

		snprintf(cand, sizeof(cand), "%s%s", exe, rel[i]);
		snprintf(probe, sizeof(probe), "%s/common/loader.c", cand);
		if (access(probe, R_OK) || !realpath(cand, real))
			continue;
		snprintf(dir, sz, "%s", real);
		if (i > 0) {	/* a source tree: its include/ and build/lib serve the project */
			char tree[PATH_MAX + 8];

			snprintf(tree, sizeof(tree), "%s/..", real);
			snprintf(probe, sizeof(probe), "%s/../include/bpfkit/bpfkit.h", real);
			if (!access(probe, R_OK) && realpath(tree, real))
				snprintf(src_tree, tsz, "%s", real);
		}
		return 0;
	}
	return -ENOENT;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	if (m) {
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		if (ferror(f)) {
			fclose(m);
			free(buf);
			buf = NULL;
		} else {
			fclose(m);
		}
	}
	fclose(f);
	return buf;
}

struct var {
	const char *key;	/* "@NAME@" */
	const char *val;
};

/* S with every KEY replaced by its value (one pass per var, in order). */
static char *subst(const char *s, const struct var *vars, int n)
{
	char *cur = strdup(s);

	for (int i = 0; cur && i < n; i++) {
		size_t klen = strlen(vars[i].key), vlen = strlen(vars[i].val), count = 0;
		char *p, *out, *o;

		for (p = strstr(cur, vars[i].key); p; p = strstr(p + klen, vars[i].key))
			count++;
		if (!count)
			continue;
		out = malloc(strlen(cur) + count * vlen + 1);
		if (!out) {
			free(cur);
			return NULL;
		}
		o = out;
		for (const char *q = cur; *q;) {
			if (!strncmp(q, vars[i].key, klen)) {
				memcpy(o, vars[i].val, vlen);
				o += vlen;
				q += klen;
			} else {
				*o++ = *q++;
			}
		}
		*o = 0;
		free(cur);
		cur = out;
	}
	return cur;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wxe");	/* x: never replace */
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		err = -(errno ?: EIO);	/* ENOSPC says more than EIO */
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* NAME -> IDENT: '-' becomes '_'; then it must be a C identifier that does
 * not clash with what the templates define. */
static const char *check_name(const char *name, char *ident, size_t sz)
{
	static const char *const reserved[] = {
		"stats", "count_event", "sock_map", "LICENSE", "main", "attach", "detach", "usage",
		"stop", "on_signal", "keep_link", "keep_fd", "verbose", "print_fn", "default_cgroup",
		"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
		"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
		"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
		"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
	};
	size_t len = strlen(name);

	if (!len)
		return "is empty";
	if (len > 48)
		return "is longer than 48 characters";
	if (strchr(name, '/'))
		return "contains a path separator (use --dir for where to create it)";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is not a project name";
	for (size_t i = 0; i <= len && i < sz; i++)
		ident[i] = name[i] == '-' ? '_' : name[i];
	if (!((ident[0] >= 'a' && ident[0] <= 'z') || (ident[0] >= 'A' && ident[0] <= 'Z') || ident[0] == '_'))
		return "must start with a letter or '_'";
	for (size_t i = 0; i < len; i++) {
		char c = ident[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return "is not a C identifier after mapping '-' to '_' (letters, digits, '_', '-')";
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(ident, reserved[i]))
			return "is a C keyword or a name the template already uses";
	return NULL;
}

/* KEY=VALUE lines of templates/TYPE/template.conf */
static void conf_get(const char *conf, const char *key, char *out, size_t sz)
{
	size_t klen = strlen(key);

	out[0] = 0;
	for (const char *l = conf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, klen) && l[klen] == '=') {
			const char *v = l + klen + 1;

			snprintf(out, sz, "%.*s", (int)strcspn(v, "\n"), v);
			return;
		}
	}
}

int do_new(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *type = "xdp", *dir = ".", *name, *bad;
	char tdir[PATH_MAX], tree[PATH_MAX], ident[64], upper[64], target[PATH_MAX + 64];
	char tmp[PATH_MAX + 80], path[PATH_MAX + 200], desc[256], run_args[256], test_desc[512], check_needs_args[16];
	char *conf = NULL, *attach = NULL, *try = NULL;
	/* the files written, named only once the project is in place: a
	 * failure leaves nothing, so nothing is reported created */
	char *written[16];
	size_t nwritten = 0;
	int c, err = 0, ret = EXIT_FAIL;
	bool list = false;
	size_t t;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:d:ljh", opts, NULL)) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 'd': dir = optarg; break;
		case 'l': list = true; break;	/* after the loop: -j may follow */
		case 'j': json_output = true; break;
		case 'h': new_help(stdout); return EXIT_OK;
		case ':':
			if (optopt == 't') {	/* --type without a value: the menu */
				list_types(stdout);
				return EXIT_OK;
			}
			return usage_error("new", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("new", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (list) {
		list_types(stdout);
		return EXIT_OK;
	}
	if (optind >= argc)
		return usage_error("new", "which NAME? (bpfkit new NAME --type TYPE)");
	if (optind + 1 < argc)
		return usage_error("new", "unexpected argument '%s'", argv[optind + 1]);
	name = argv[optind];
	for (t = 0; t < N_TYPES; t++)
		if (!strcmp(types[t].name, type))
			break;
	if (t == N_TYPES) {
		fprintf(stderr, "bpfkit new: unknown type '%s'\n", type);
		list_types(stderr);
		return EXIT_USAGE;
	}
	bad = check_name(name, ident, sizeof(ident));
	if (bad)
		return usage_error("new", "name '%.60s%s' %s", name, strlen(name) > 60 ? "..." : "", bad);
	for (size_t i = 0; i <= strlen(ident); i++)
		upper[i] = ident[i] >= 'a' && ident[i] <= 'z' ? ident[i] - 'a' + 'A' : ident[i];
	if (!is_dir(dir)) {
		cli_err("dir '%s': not a directory", dir);
		return EXIT_FAIL;
	}
	/* room for the temporary directory's name and the deepest file under
	 * it: a path cut short by snprintf would write elsewhere */
	if (strlen(dir) + 2 * strlen(name) + 64 >= PATH_MAX) {
		cli_err("--dir '%.60s...' is too long for the project's files (%zu bytes; at most %zu with this "
			"name)", dir, strlen(dir), PATH_MAX - 2 * strlen(name) - 65);
		return EXIT_USAGE;
	}
	snprintf(target, sizeof(target), "%s/%s", dir, name);
	if (!access(target, F_OK) || errno != ENOENT) {
		cli_err("'%s' already exists; bpfkit new never overwrites", target);
		return EXIT_FAIL;
	}
	if (find_templates(tdir, sizeof(tdir), tree, sizeof(tree))) {
		cli_err("templates not found: install bpfkit (make install) or set BPFKIT_TEMPLATES");
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/%s/template.conf", tdir, type);
	conf = slurp(path);
	snprintf(path, sizeof(path), "%s/%s/attach.c", tdir, type);
	attach = slurp(path);
	if (!conf || !attach) {
		cli_err("template '%s' is incomplete in %s", type, tdir);
		goto out;
	}
	/* optional: how to try it safely (packet programs: a private netns) */
	snprintf(path, sizeof(path), "%s/%s/try.md", tdir, type);
	try = slurp(path);
	conf_get(conf, "DESC", desc, sizeof(desc));
	conf_get(conf, "RUN_ARGS", run_args, sizeof(run_args));
	conf_get(conf, "TEST_DESC", test_desc, sizeof(test_desc));
	conf_get(conf, "CHECK_NEEDS_ARGS", check_needs_args, sizeof(check_needs_args));

	snprintf(tmp, sizeof(tmp), "%s/.%s.new.XXXXXX", dir, name);
	if (!mkdtemp(tmp)) {
		cli_err("cannot create a directory in '%s': %s", dir, strerror(errno));
		goto out;
	}
	{
		mode_t um = umask(0);

		umask(um);
		chmod(tmp, 0777 & ~um);	/* mkdtemp made it 0700 */
	}
	const struct var vars[] = {
		{ "@ATTACH@", attach }, { "@TRY@", try ?: "" }, { "@TEST_DESC@", test_desc }, { "@DESC@", desc },
		{ "@RUN_ARGS@", run_args }, { "@BPFKIT_DIR@", tree }, { "@TYPE@", type },
		{ "@NAME@", name }, { "@IDENT@", ident }, { "@UPPER@", upper },
		{ "@CHECK_NEEDS_ARGS@", check_needs_args },	/* after the ones file names use */
	};
	const struct {
		const char *from;	/* under templates/ */
		const char *to;		/* under the project; @NAME@ substituted */
		bool optional;
	} files[] = {
		{ "common/Makefile", "Makefile", false },
		{ "common/README.md", "README.md", false },
		{ "common/src/@NAME@.h", "src/@NAME@.h", false },
		{ "common/loader.c", "src/@NAME@.c", false },
		{ "@TYPE@/prog.bpf.c", "src/@NAME@.bpf.c", false },
		{ "@TYPE@/cases.txt", "tests/cases.txt", true },
		{ "@TYPE@/test.sh", "tests/test.sh", true },
		{ "common/gitignore", ".gitignore", true },
	};
	snprintf(path, sizeof(path), "%s/src", tmp);
	if (mkdir(path, 0755)) {
		err = -errno;
		cli_err("cannot create '%s': %s", path, strerror(-err));
		goto fail;
	}
	_Static_assert(sizeof(files) / sizeof(files[0]) <= sizeof(written) / sizeof(written[0]),
		       "written[] names every file");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !err; i++) {
		char *from = subst(files[i].from, vars + 6, 1), *to = subst(files[i].to, vars + 6, 4);
		char *text = NULL, *out = NULL;

		if (!from || !to) {
			err = -ENOMEM;
		} else {
			snprintf(path, sizeof(path), "%s/%s", tdir, from);
			text = slurp(path);
			if (!text && !(files[i].optional && errno == ENOENT)) {
				err = -errno ?: -EIO;
				cli_err("template file '%s': %s", path, strerror(-err));
			}
		}
		if (text && !err) {
			out = subst(text, vars, sizeof(vars) / sizeof(vars[0]));
			if (!strncmp(to, "tests/", 6)) {
				snprintf(path, sizeof(path), "%s/tests", tmp);
				if (mkdir(path, 0755) && errno != EEXIST)
					err = -errno;
			}
			snprintf(path, sizeof(path), "%s/%s", tmp, to);
			if (!err)
				err = out ? write_file(path, out) : -ENOMEM;
			if (err)
				cli_err("cannot write '%s/%s': %s", target, to, strerror(-err));
			else
				written[nwritten++] = to, to = NULL;	/* kept: named below */
		}
		free(text);
		free(out);
		free(from);
		free(to);
	}
	if (err)
		goto fail;
	/* no replace: rename(2) would put the project over an empty directory
	 * made at TARGET meanwhile */
	err = renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) ? -errno : 0;
	if (err == -EINVAL || err == -ENOSYS) {
		/* a filesystem without the flag (NFS, 9p): look, then rename */
		err = !access(target, F_OK) ? -EEXIST : rename(tmp, target) ? -errno : 0;
	}
	if (err) {
		if (err == -EEXIST || err == -ENOTEMPTY)
			cli_err("'%s' appeared while generating; bpfkit new never overwrites", target);
		else
			cli_err("cannot move the project to '%s': %s", target, strerror(-err));
		goto fail;
	}
	if (json_output) {
		struct bpfkit_json *jw = bpfkit_json__new(stdout, pretty_output);

		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_str(jw, "name", name);
		bpfkit_json__kv_str(jw, "type", type);
		bpfkit_json__kv_str(jw, "dir", target);
		bpfkit_json__key(jw, "files");
		bpfkit_json__begin_array(jw);
		for (size_t i = 0; i < nwritten; i++)
			bpfkit_json__stringf(jw, "%s/%s", target, written[i]);
		bpfkit_json__end_array(jw);
		bpfkit_json__end_object(jw);
		bpfkit_json__free(jw);
	}
	for (size_t i = 0; i < nwritten && !json_output; i++)
		printf("  created %s/%s\n", target, written[i]);
	if (!json_output)
		printf("Created %s project '%s' in %s.\nNext:\n  cd %s && make && sudo ./build/%s%s%s\n",
		       type, name, target, target, name, run_args[0] ? " " : "", run_args);
	ret = EXIT_OK;
	goto out;
fail:
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
out:
	while (nwritten > 0)
		free(written[--nwritten]);
	free(conf);
	free(attach);
	free(try);
	return ret;
}
