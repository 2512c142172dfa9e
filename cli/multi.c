/* cli/multi.c — `bpfkit run|load OBJ --iface IF --multi [--priority N]`:
 * the XDP program goes into libxdp's multi-program dispatcher on IF (the
 * xdp-tools convention: `xdp-loader status` lists it, other libxdp users
 * add theirs beside it) instead of owning IF alone; and what `bpfkit unload
 * --pin DIR` must do for such a program (take it out of its dispatcher).
 *
 * libxdp loads the program itself (as an extension of its dispatcher), so
 * the object is opened here but loaded by libxdp; bpfkit's logger and pins
 * work on it afterwards as on any loaded object. The dispatcher runs
 * programs by priority (lower first, libxdp's default 50) and passes a
 * packet on to the next one when a program returns XDP_PASS.
 *
 * Attachments made through libxdp are pinned by libxdp (/sys/fs/bpf/xdp), so
 * they outlive the process: `run --multi` detaches on SIGINT/SIGTERM or its
 * timeout, but a SIGKILLed run leaves its program in the dispatcher
 * (`xdp-loader unload IF --id ID` removes it). libxdp is linked into the
 * bpfkit CLI only, not into libbpfkit. */
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "cli.h"

struct multi {
	struct bpfkit_object *obj;
	struct xdp_program *xp;
	int ifindex;
	const char *iface;
};

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (verbosity < 1 || (level == LIBXDP_DEBUG && verbosity < 2))
		return 0;	/* our own messages say what failed; -v shows libxdp's */
	fprintf(stderr, "libxdp: ");
	return vfprintf(stderr, fmt, ap);
}

int cli_multi_check(const char *cmd, const struct cli_attach *a)
{
	char why[320];

	if (!a->multi)
		return a->prio >= 0 ? usage_error(cmd, "--priority needs --multi") : 0;
	if (a->ao.force)
		return usage_error(cmd, "--force and --multi: the dispatcher shares the interface, it replaces nothing");
	if (a->ao.mode == BPFKIT_XDP_HW) {
		cli_err("--multi: libxdp's dispatcher runs in native or skb mode, not hw");
		return EXIT_FAIL;
	}
	/* libxdp would fall back to owning the interface alone: refuse instead */
	if (!getenv("BPFKIT_TEST_MULTI_NO_PROBE") &&	/* test hook: reach libxdp's fallback */
	    bpfkit_feature__section("freplace/xdp_dispatcher", why, sizeof(why)) == 0) {
		cli_err("--multi: this kernel refuses the extension (freplace) programs libxdp's dispatcher "
			"runs (no BPF trampolines; see bpfkit feature); nothing loaded");
		return EXIT_FAIL;
	}
	libxdp_set_print(xdp_print);
	return 0;
}

static enum xdp_attach_mode xdp_mode(enum bpfkit_xdp_mode m)
{
	return m == BPFKIT_XDP_NATIVE ? XDP_MODE_NATIVE : m == BPFKIT_XDP_SKB ? XDP_MODE_SKB :
	       XDP_MODE_UNSPEC;
}

/* The one XDP program of OBJ to attach (NAME, or the only one); the object's
 * other programs are not loaded. */
static struct bpf_program *pick_prog(struct bpfkit_object *obj, const char *name)
{
	struct bpf_object *bo = bpfkit_object__bpf_object(obj);
	struct bpf_program *p, *pick = NULL;
	int n = 0;

	bpf_object__for_each_program(p, bo) {
		bool xdp = bpf_program__type(p) == BPF_PROG_TYPE_XDP;

		if (name ? !strcmp(bpf_program__name(p), name) : xdp) {
			pick = p;
			n++;
		}
	}
	if (!pick || n > 1 || bpf_program__type(pick) != BPF_PROG_TYPE_XDP) {
		if (name && pick)
			cli_err("object '%s': program '%s' is not an XDP program; --multi attaches XDP programs",
				bpfkit_object__name(obj), name);
		else if (name)
			cli_err("object '%s': no program '%s'", bpfkit_object__name(obj), name);
		else
			cli_err("object '%s': %s XDP programs; --multi attaches one (say which with --prog)",
				bpfkit_object__name(obj), n ? "several" : "no");
		return NULL;
	}
	bpf_object__for_each_program(p, bo)
		bpf_program__set_autoload(p, p == pick);
	return pick;
}

static void multi_close(struct multi *m)
{
	if (m->xp)
		xdp_program__close(m->xp);
	if (m->obj)
		bpfkit_object__close(m->obj);
	memset(m, 0, sizeof(*m));
}

static enum xdp_attach_mode mode_now(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;

	if (!libxdp_get_error(mp)) {
		mode = xdp_multiprog__attach_mode(mp);
		xdp_multiprog__close(mp);
	}
	return mode;
}

static int multi_attach(const char *path, const char *iface, enum bpfkit_xdp_mode mode,
			const char *prog, long prio, struct multi *m)
{
	struct xdp_program_opts xo = { .sz = sizeof(xo) };
	struct xdp_multiprog *mp;
	struct bpf_program *bp;
	const char *lvl = getenv("BPFKIT_LOG");
	int err, lv;

	memset(m, 0, sizeof(*m));
	m->iface = iface;
	m->ifindex = bpfkit_ifindex(iface);
	if (m->ifindex < 0) {
		cli_err("iface '%s': no such interface", iface);
		return -ENODEV;
	}
	m->obj = bpfkit_object__open_file(path, NULL);
	if (!m->obj)
		return -errno;
	bp = pick_prog(m->obj, prog);
	if (!bp) {
		multi_close(m);
		return -EINVAL;
	}
	/* what bpfkit's own load does for logging: call-site names, BPFKIT_LOG */
	lv = lvl && *lvl ? bpfkit_log_level__parse(lvl) : -1;
	bpfkit_log__set_level(m->obj, lv >= 0 ? (enum bpfkit_log_level)lv : BPFKIT_LOG_INFO);
	xo.obj = bpfkit_object__bpf_object(m->obj);
	xo.prog_name = bpf_program__name(bp);
	m->xp = xdp_program__create(&xo);
	err = (int)libxdp_get_error(m->xp);
	if (err) {
		m->xp = NULL;
		cli_err("object '%s': libxdp cannot use it: %s", path, strerror(-err));
		multi_close(m);
		return err;
	}
	if (prio >= 0)
		xdp_program__set_run_prio(m->xp, (unsigned)prio);
	err = xdp_program__attach(m->xp, m->ifindex, xdp_mode(mode), 0);
	if (err) {
		err = err < 0 ? err : -err;
		cli_err("prog '%s': attaching to '%s' through libxdp's dispatcher failed: %s (-v shows libxdp's "
			"messages; bpfkit run without --multi shows the verifier's)", xo.prog_name, iface,
			strerror(-err));
		multi_close(m);
		return err;
	}
	mp = xdp_multiprog__get_from_ifindex(m->ifindex);
	if (!libxdp_get_error(mp) && xdp_multiprog__is_legacy(mp)) {
		cli_err("--multi: libxdp attached '%s' without its dispatcher (this kernel cannot run it); "
			"detached again", xo.prog_name);
		xdp_program__detach(m->xp, m->ifindex, xdp_multiprog__attach_mode(mp), 0);
		xdp_multiprog__close(mp);
		multi_close(m);
		return -EOPNOTSUPP;
	}
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return 0;
}

static void multi_detach(struct multi *m)
{
	int err = xdp_program__detach(m->xp, m->ifindex, mode_now(m->ifindex), 0);

	if (err)
		cli_err("prog '%s': detaching from '%s' failed: %s (xdp-loader unload %s --id %u removes it)",
			xdp_program__name(m->xp), m->iface, strerror(err < 0 ? -err : err), m->iface,
			xdp_program__id(m->xp));
}

int cli_multi_run(const char *path, const char *iface, enum bpfkit_xdp_mode mode, const char *prog,
		  long prio, long timeout_s)
{
	struct bpfkit_logger *logger = NULL;
	struct bpfkit_loop *loop;
	struct multi m;
	int ret;

	if (!iface)
		return usage_error("run", "--multi needs --iface IF");
	/* the loop blocks SIGINT/SIGTERM first, so we always get to detach */
	loop = bpfkit_loop__new();
	if (!loop)
		return EXIT_FAIL;
	ret = bpfkit_loop__add_trace_pipe(loop, stdout);
	if (ret && ret != -EBUSY)
		goto out;
	ret = multi_attach(path, iface, mode, prog, prio, &m);
	if (ret)
		goto out;
	logger = bpfkit_logger__new(m.obj, &(struct bpfkit_logger_opts){
		.sz = sizeof(struct bpfkit_logger_opts), .out = stdout });
	if (logger && (ret = bpfkit_logger__add_to_loop(logger, loop)))
		goto out_detach;
	if (verbosity >= 0)
		fprintf(stderr, "bpfkit: '%s' runs in libxdp's dispatcher on %s (id %u, priority %u); "
			"output follows (Ctrl-C to stop)\n", xdp_program__name(m.xp), iface,
			xdp_program__id(m.xp), xdp_program__run_prio(m.xp));
	ret = bpfkit_loop__run(loop, timeout_s > 0 ? (int)timeout_s * 1000 : -1);
out_detach:
	multi_detach(&m);
	if (logger) {
		bpfkit_logger__drain(logger);
		bpfkit_logger__free(logger);
	}
	multi_close(&m);
out:
	bpfkit_loop__free(loop);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

int cli_multi_load(const char *path, const char *iface, const char *pin, enum bpfkit_xdp_mode mode,
		   const char *prog, long prio)
{
	struct multi m;

	if (!iface)
		return usage_error("load", "--multi needs --iface IF");
	if (multi_attach(path, iface, mode, prog, prio, &m))
		return EXIT_FAIL;
	if (bpfkit_object__pin(m.obj, pin)) {
		multi_detach(&m);
		multi_close(&m);
		return EXIT_FAIL;
	}
	if (verbosity >= 0)
		fprintf(stderr, "bpfkit: '%s' runs in libxdp's dispatcher on %s (id %u, priority %u), pinned "
			"under %s; remove with: bpfkit unload --pin %s\n", xdp_program__name(m.xp), iface,
			xdp_program__id(m.xp), xdp_program__run_prio(m.xp), pin, pin);
	multi_close(&m);
	return EXIT_OK;
}

/* Takes PROG_ID out of the dispatcher that runs it, searching this network
 * namespace's interfaces. 1 if found and detached, 0 if not found, -errno. */
static int detach_ext(__u32 prog_id)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int ret = 0;

	for (i = ifs; i && i->if_index && !ret; i++) {
		struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(i->if_index);
		struct xdp_program *p;

		if (libxdp_get_error(mp))
			continue;
		for (p = xdp_multiprog__next_prog(NULL, mp); p && !ret; p = xdp_multiprog__next_prog(p, mp))
			if (xdp_program__id(p) == prog_id) {
				ret = xdp_program__detach(p, i->if_index, xdp_multiprog__attach_mode(mp), 0);
				ret = ret ? (ret < 0 ? ret : -ret) : 1;
			}
		xdp_multiprog__close(mp);
	}
	if (ifs)
		if_freenameindex(ifs);
	return ret;
}

int cli_multi_unpin(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/progs", dir) >= (int)sizeof(path)) {
		cli_err("pin '%.80s...': the path is longer than %d bytes", dir, PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	d = opendir(path);
	while (d && (de = readdir(d)) && !ret) {
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(pi);
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/progs/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) && pi.type == BPF_PROG_TYPE_EXT) {
			libxdp_set_print(xdp_print);
			ret = detach_ext(pi.id);
			if (ret == 0) {
				cli_err("pin '%s': program '%s' (id %u) runs in a libxdp dispatcher this network "
					"namespace does not have (use --netns); nothing removed", dir, de->d_name, pi.id);
				ret = -ENOENT;
			} else if (ret < 0) {
				cli_err("pin '%s': taking '%s' out of its dispatcher failed: %s; nothing removed", dir,
					de->d_name, strerror(-ret));
			} else {
				ret = 0;
			}
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return ret;
}
