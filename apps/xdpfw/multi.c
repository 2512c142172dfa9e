/* apps/xdpfw/multi.c — xdpfw beside other XDP programs on one interface:
 * `xdpfw load IFACE --multi [--priority N]` attaches through libxdp's
 * multi-program dispatcher (the xdp-tools convention, so `xdp-loader status`
 * lists it, and xdp-loader, xdpdump or any libxdp user can add or remove
 * their programs around it).
 *
 * The dispatcher runs its programs in priority order (lower first; libxdp's
 * default is 50) and goes on to the next program only when one returns an
 * action its chain-call set holds: XDP_PASS, the default, which is what
 * xdpfw returns for an allowed packet. A denied packet is XDP_DROP, so it
 * ends there, and the programs after xdpfw never see it. Run xdpfw first
 * (a priority below the others') to filter for all of them.
 *
 * libxdp must load the program itself (as an extension, BPF_PROG_TYPE_EXT,
 * of its dispatcher), so this is a second instance of the datapath: the
 * embedded object is opened again and made to use the pinned maps (rules,
 * counters, log ring), then handed to libxdp. The extension is pinned as
 * DIR/multi_IFACE; libxdp pins its dispatcher and links under
 * /sys/fs/bpf/xdp, so both stay attached when this process ends (or is
 * killed). libxdp is linked into xdpfw only, not into libbpfkit. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <bpfkit/bpfkit.h>
#include "cli.h"

static bool xdp_verbose;

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!xdp_verbose)
		return 0;	/* our own one-line error says what failed */
	fprintf(stderr, "libxdp: ");
	return vfprintf(stderr, fmt, ap);
}

static void xdp_quiet(void)
{
	xdp_verbose = getenv("XDPFW_VERBOSE") != NULL;
	libxdp_set_print(xdp_print);
}

/* DIR/multi_IFACE ('.' as ':', as link_path() does) */
void multi_path(char *buf, size_t sz, const char *ifname)
{
	char *p;

	snprintf(buf, sz, "%s/multi_%s", pin_dir, ifname);
	for (p = buf + strlen(pin_dir) + 7; *p; p++)
		if (*p == '.')
			*p = ':';
}

static enum xdp_attach_mode xdp_mode(enum bpfkit_xdp_mode m)
{
	return m == BPFKIT_XDP_NATIVE ? XDP_MODE_NATIVE : m == BPFKIT_XDP_SKB ? XDP_MODE_SKB :
	       XDP_MODE_UNSPEC;
}

static enum bpfkit_xdp_mode mode_on(int ifindex)
{
	struct bpfkit_xdp_info xi;

	return bpfkit_xdp__query(ifindex, &xi) ? BPFKIT_XDP_NONE : xi.mode;
}

/* Before anything changes: can --multi work here at all? */
int xdpfw_multi_check(const char *ifname, enum bpfkit_xdp_mode mode)
{
	char why[320];

	if (mode == BPFKIT_XDP_HW) {
		xerr("--multi: libxdp's dispatcher runs in native or skb mode, not hw");
		return -EINVAL;
	}
	/* libxdp would fall back to owning the interface alone (its "legacy"
	 * mode), which is what --multi is meant to avoid: refuse instead */
	if (!getenv("XDPFW_TEST_MULTI_NO_PROBE") &&	/* test hook: reach libxdp's fallback */
	    bpfkit_feature__section("freplace/xdp_dispatcher", why, sizeof(why)) == 0) {
		xerr("--multi: this kernel refuses the extension (freplace) programs libxdp's dispatcher "
		     "runs (no BPF trampolines; see bpfkit feature); nothing changed on '%s' (load "
		     "without --multi to own the interface)", ifname);
		return -EOPNOTSUPP;
	}
	return 0;
}

int xdpfw_multi_attach(struct xdpfw_state *st, const char *ifname, int ifindex,
		       enum bpfkit_xdp_mode mode, unsigned prio, const struct xdpfw_create_opts *co,
		       const void *objb, size_t obj_sz, enum bpfkit_xdp_mode *attached)
{
	struct bpfkit_open_opts oo = { .sz = sizeof(oo), .name = "xdpfw" };
	struct xdp_program_opts xo = { .sz = sizeof(xo), .prog_name = "xdpfw" };
	struct bpfkit_object *obj;
	struct xdp_program *xp;
	char path[PATH_MAX];
	const char *lvl = getenv("BPFKIT_LOG");
	struct xdp_multiprog *mp;
	int rc, lv;

	xdp_quiet();
	obj = bpfkit_object__open_mem(objb, obj_sz, &oo);
	if (!obj)
		return -errno;
	rc = xdpfw_state_share_maps(bpfkit_object__bpf_object(obj), st->dir, co);
	if (rc) {
		xerr("--multi: using the pinned maps under '%s' failed: %s", st->dir, strerror(-rc));
		goto out_obj;
	}
	/* what bpfkit's own load does for logging (call-site names, BPFKIT_LOG) */
	lv = lvl && *lvl ? bpfkit_log_level__parse(lvl) : -1;
	bpfkit_log__set_level(obj, lv >= 0 ? (enum bpfkit_log_level)lv : BPFKIT_LOG_INFO);
	xo.obj = bpfkit_object__bpf_object(obj);
	xp = xdp_program__create(&xo);
	rc = (int)libxdp_get_error(xp);
	if (rc) {
		xerr("--multi: libxdp cannot use the datapath object: %s", strerror(-rc));
		goto out_obj;
	}
	xdp_program__set_run_prio(xp, prio);
	/* go on to the next program only with packets the firewall passes */
	xdp_program__set_chain_call_enabled(xp, XDP_PASS, true);
	rc = xdp_program__attach(xp, ifindex, xdp_mode(mode), 0);
	if (rc) {
		rc = rc < 0 ? rc : -rc;
		if (rc == -EEXIST || rc == -EBUSY)
			xerr("--multi: '%s' already runs an XDP program that is not a libxdp dispatcher "
			     "(unload it, or load it with libxdp too)", ifname);
		else
			xerr("--multi: attaching to '%s' through libxdp's dispatcher failed: %s "
			     "(XDPFW_VERBOSE=1 shows libxdp's messages)", ifname, strerror(-rc));
		goto out_prog;
	}
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!libxdp_get_error(mp) && xdp_multiprog__is_legacy(mp)) {
		if (xdp_program__detach(xp, ifindex, xdp_multiprog__attach_mode(mp), 0))
			xerr("--multi: libxdp attached the firewall without its dispatcher (this kernel "
			     "cannot run it), and detaching it from '%s' failed: it stays attached but "
			     "unpinned (xdp-loader unload %s --all)", ifname, ifname);
		else
			xerr("--multi: libxdp attached the firewall without its dispatcher (this kernel "
			     "cannot run it); detached again, nothing changed on '%s'", ifname);
		xdp_multiprog__close(mp);
		rc = -EOPNOTSUPP;
		goto out_prog;
	}
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	multi_path(path, sizeof(path), ifname);
	if (bpf_obj_pin(xdp_program__fd(xp), path)) {
		rc = -errno;
		xerr("--multi: pinning the program at '%s' failed: %s; detaching it", path, strerror(-rc));
		if (xdp_program__detach(xp, ifindex, xdp_mode(mode_on(ifindex)), 0))
			xerr("--multi: detaching it from '%s' failed too; it stays attached but unpinned "
			     "(xdp-loader status %s; xdp-loader unload %s --all)", ifname, ifname, ifname);
		goto out_prog;
	}
	*attached = mode_on(ifindex);
	rc = 0;
out_prog:
	xdp_program__close(xp);
out_obj:
	bpfkit_object__close(obj);
	return rc;
}

bool xdpfw_multi_attached(const char *ifname)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	char path[PATH_MAX];
	bool found = false;
	int fd, ifindex, rc;

	xdp_quiet();
	multi_path(path, sizeof(path), ifname);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno != ENOENT;
	rc = bpf_obj_get_info_by_fd(fd, &pi, &len);
	close(fd);
	ifindex = bpfkit_ifindex(ifname);
	if (rc)
		return true;			/* cannot tell */
	if (ifindex < 0)
		return false;			/* gone with its interface */
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	rc = (int)libxdp_get_error(mp);
	if (rc)
		return rc != -ENOENT;		/* no XDP program there at all */
	for (p = xdp_multiprog__next_prog(NULL, mp); p && !found; p = xdp_multiprog__next_prog(p, mp))
		found = xdp_program__id(p) == pi.id;
	xdp_multiprog__close(mp);
	return found;
}

/* Detaches the extension pinned as DIR/multi_IFACE from IFACE's dispatcher
 * (libxdp rebuilds the dispatcher around the other programs, or removes it
 * when none is left) and removes the pin. */
int xdpfw_multi_detach(const char *ifname)
{
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	struct xdp_multiprog *mp;
	struct xdp_program *p, *mine = NULL;
	char path[PATH_MAX];
	int fd, ifindex, rc;

	xdp_quiet();
	multi_path(path, sizeof(path), ifname);
	fd = bpf_obj_get(path);
	rc = fd < 0 ? -errno : bpf_obj_get_info_by_fd(fd, &pi, &len) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (rc) {
		xerr("cannot read the --multi attachment pinned at '%s': %s (remove it by hand if it is "
		     "not a program)", path, strerror(-rc));
		return rc;
	}
	ifindex = bpfkit_ifindex(ifname);
	if (ifindex < 0) {
		/* the interface is gone, and its dispatcher with it */
		unlink(path);
		return 0;
	}
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	rc = (int)libxdp_get_error(mp);
	if (!rc) {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
			if (xdp_program__id(p) == pi.id)
				mine = p;
		rc = mine ? xdp_program__detach(mine, ifindex, xdp_multiprog__attach_mode(mp), 0) : 0;
		xdp_multiprog__close(mp);
	} else if (rc == -ENOENT) {
		rc = 0;		/* nothing attached any more */
	}
	if (rc) {
		xerr("detaching from '%s' through libxdp failed: %s", ifname, strerror(rc < 0 ? -rc : rc));
		return rc;
	}
	unlink(path);
	return 0;
}
