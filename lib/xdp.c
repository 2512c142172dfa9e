/* lib/xdp.c — XDP attach through bpf_link (so a dying loader leaves nothing
 * attached), with the native->skb fallback, the refusal to replace someone
 * else's program, atomic replacement that can be undone (bpfkit_xdp__replace),
 * and detach of either kind of attachment. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/xdp.h>
#include "internal.h"

static const struct {
	const char *name;
	enum bpfkit_xdp_mode mode;
} mode_names[] = {
	{ "auto", BPFKIT_XDP_AUTO },	 { "native", BPFKIT_XDP_NATIVE },
	{ "drv", BPFKIT_XDP_NATIVE },	 { "skb", BPFKIT_XDP_SKB },
	{ "generic", BPFKIT_XDP_SKB },	 { "hw", BPFKIT_XDP_HW },
	{ "offload", BPFKIT_XDP_HW },
};

int bpfkit_xdp_mode__parse(const char *s, enum bpfkit_xdp_mode *mode)
{
	for (size_t i = 0; s && i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(s, mode_names[i].name)) {
			*mode = mode_names[i].mode;
			return 0;
		}
	return -EINVAL;
}

const char *bpfkit_xdp_mode__str(enum bpfkit_xdp_mode mode)
{
	switch (mode) {
	case BPFKIT_XDP_AUTO: return "auto";
	case BPFKIT_XDP_NATIVE: return "native";
	case BPFKIT_XDP_SKB: return "skb";
	case BPFKIT_XDP_HW: return "hw";
	default: return "none";
	}
}

int bpfkit_ifindex(const char *name_or_index)
{
	char *end;
	unsigned long idx;
	char name[IF_NAMESIZE];

	if (!name_or_index || !*name_or_index)
		return -ENODEV;
	idx = strtoul(name_or_index, &end, 10);
	if (!*end && idx > 0 && idx < 1u << 31)
		return if_indextoname(idx, name) ? (int)idx : -ENODEV;
	if (strlen(name_or_index) >= IF_NAMESIZE)
		return -ENODEV;
	idx = if_nametoindex(name_or_index);
	return idx ? (int)idx : -ENODEV;
}

static const char *ifname(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return buf;
}

void bpfkit_prog__name_by_id(__u32 id, char *buf, size_t sz)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, sz, "?");
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		full_prog_name(fd, &info, buf, sz);
	close(fd);
}

/* The id of the XDP bpf_link holding PROG_ID on IFINDEX, 0 if none. */
static __u32 find_xdp_link(int ifindex, __u32 prog_id)
{
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    info.prog_id == prog_id && (int)info.xdp.ifindex == ifindex) {
			close(fd);
			return id;
		}
		close(fd);
	}
	return 0;
}

int bpfkit_xdp__query(int ifindex, struct bpfkit_xdp_info *out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	memset(out, 0, sizeof(*out));
	out->mode = BPFKIT_XDP_NONE;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV: out->mode = BPFKIT_XDP_NATIVE; out->prog_id = q.drv_prog_id; break;
	case XDP_ATTACHED_SKB: out->mode = BPFKIT_XDP_SKB; out->prog_id = q.skb_prog_id; break;
	case XDP_ATTACHED_HW: out->mode = BPFKIT_XDP_HW; out->prog_id = q.hw_prog_id; break;
	case XDP_ATTACHED_MULTI:	/* report the first; `bpfkit net` lists all */
		out->mode = q.drv_prog_id ? BPFKIT_XDP_NATIVE : BPFKIT_XDP_SKB;
		out->prog_id = q.drv_prog_id ?: q.skb_prog_id;
		break;
	default: return 0;
	}
	bpfkit_prog__name_by_id(out->prog_id, out->prog_name, sizeof(out->prog_name));
	out->link_id = find_xdp_link(ifindex, out->prog_id);
	return 0;
}

static __u32 mode_flag(enum bpfkit_xdp_mode mode)
{
	switch (mode) {
	case BPFKIT_XDP_NATIVE: return XDP_FLAGS_DRV_MODE;
	case BPFKIT_XDP_SKB: return XDP_FLAGS_SKB_MODE;
	case BPFKIT_XDP_HW: return XDP_FLAGS_HW_MODE;
	default: return 0;
	}
}

int bpfkit_xdp__detach(int ifindex)
{
	struct bpfkit_xdp_info cur;
	char ifn[IF_NAMESIZE];
	int err;

	err = bpfkit_xdp__query(ifindex, &cur);
	if (err)
		return err;
	if (!cur.prog_id)
		return -ENOENT;
	if (cur.link_id) {
		int fd = bpf_link_get_fd_by_id(cur.link_id);

		if (fd < 0)
			return -errno;
		err = bpf_link_detach(fd) ? -errno : 0;
		close(fd);
	} else {
		err = bpf_xdp_detach(ifindex, mode_flag(cur.mode), NULL);
	}
	if (err)
		pr_warn("iface '%s': detaching XDP program %u '%s' failed: %s\n",
			ifname(ifindex, ifn), cur.prog_id, cur.prog_name, errstr(err));
	return err;
}

static int link_create(int prog_fd, int ifindex, enum bpfkit_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = mode_flag(mode));
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);

	return fd < 0 ? -errno : fd;
}

/* A new bpf_link for PROG_FD on IFINDEX in MODE (auto: native, else skb).
 * The link fd, or -errno with a message; *USED is the mode it got. */
static int create_link(int prog_fd, int ifindex, enum bpfkit_xdp_mode mode, const char *prog,
		       enum bpfkit_xdp_mode *used)
{
	char ifn[IF_NAMESIZE];
	int fd, err;

	ifname(ifindex, ifn);
	if (mode == BPFKIT_XDP_AUTO) {
		fd = link_create(prog_fd, ifindex, BPFKIT_XDP_NATIVE);
		if (fd >= 0) {
			mode = BPFKIT_XDP_NATIVE;
		} else if (fd == -EOPNOTSUPP || fd == -EINVAL || fd == -524 /* kernel ENOTSUPP */) {
			err = fd;
			fd = link_create(prog_fd, ifindex, BPFKIT_XDP_SKB);
			if (fd >= 0) {
				mode = BPFKIT_XDP_SKB;
				pr_info("iface '%s': native XDP unavailable (%s); attached prog '%s' in skb (generic) mode\n",
					ifn, errstr(err), prog);
			}
		}
	} else {
		fd = link_create(prog_fd, ifindex, mode);
	}
	if (fd < 0) {
		if (mode == BPFKIT_XDP_HW && (fd == -EINVAL || fd == -EOPNOTSUPP))
			pr_warn("iface '%s': attach of prog '%s' in hw mode failed: %s (hw mode needs an offload-capable NIC and an offloaded program)\n",
				ifn, prog, errstr(fd));
		else if (mode == BPFKIT_XDP_NATIVE && fd == -EOPNOTSUPP)
			pr_warn("iface '%s': driver has no native XDP support; use --mode skb or auto\n", ifn);
		else if (fd == -EBUSY || fd == -EEXIST)
			pr_warn("iface '%s': attach of prog '%s' failed: %s (another XDP program is attached in another mode; bpfkit net shows it)\n",
				ifn, prog, errstr(fd));
		else
			pr_warn("iface '%s': attach of prog '%s' in %s mode failed: %s\n",
				ifn, prog, bpfkit_xdp_mode__str(mode), errstr(fd));
		return fd;
	}
	*used = mode;
	return fd;
}

static void set_attached_mode(struct bpfkit_xdp_attach_opts *opts, enum bpfkit_xdp_mode mode)
{
	if (opts && opts->sz >= offsetof(struct bpfkit_xdp_attach_opts, attached_mode) + sizeof(opts->attached_mode))
		opts->attached_mode = mode;
}

/* A program is attached and the caller did not ask to replace it: -EEXIST,
 * naming the caller's option that would. */
static int in_the_way(const char *ifn, const struct bpfkit_xdp_info *cur,
		      const struct bpfkit_xdp_attach_opts *opts)
{
	pr_warn("iface '%s': XDP program %u '%s' is already attached (%s mode); use %s to replace it\n", ifn,
		cur->prog_id, cur->prog_name, bpfkit_xdp_mode__str(cur->mode),
		OPTS_GET(opts, force_opt, NULL) ?: "--force");
	return -EEXIST;
}

int bpfkit_xdp__attach(int prog_fd, int ifindex, struct bpfkit_xdp_attach_opts *opts)
{
	enum bpfkit_xdp_mode mode = OPTS_GET(opts, mode, BPFKIT_XDP_AUTO);
	const char *prog = OPTS_GET(opts, prog_name, NULL) ?: "?";
	struct bpfkit_xdp_info cur;
	char ifn[IF_NAMESIZE];
	int fd, err;

	if (!OPTS_VALID(opts, bpfkit_xdp_attach_opts))
		return -EINVAL;
	ifname(ifindex, ifn);
	err = bpfkit_xdp__query(ifindex, &cur);
	if (err) {
		pr_warn("iface '%s': cannot query XDP state: %s\n", ifn, errstr(err));
		return err;
	}
	if (cur.prog_id) {
		if (!OPTS_GET(opts, force, false))
			return in_the_way(ifn, &cur, opts);
		pr_info("iface '%s': replacing XDP program %u '%s'\n", ifn, cur.prog_id, cur.prog_name);
		err = bpfkit_xdp__detach(ifindex);
		if (err && err != -ENOENT)
			return err;
	}
	fd = create_link(prog_fd, ifindex, mode, prog, &mode);
	if (fd >= 0)
		set_attached_mode(opts, mode);
	return fd;
}

/* What bpfkit_xdp__replace checks before it touches anything. */
static int replace_check(int ifindex, const struct bpfkit_xdp_attach_opts *opts,
			 struct bpfkit_xdp_info *cur)
{
	enum bpfkit_xdp_mode want = OPTS_GET(opts, mode, BPFKIT_XDP_AUTO);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char ifn[IF_NAMESIZE];
	int err;

	ifname(ifindex, ifn);
	err = bpfkit_xdp__query(ifindex, cur);
	if (err) {
		pr_warn("iface '%s': cannot query XDP state: %s\n", ifn, errstr(err));
		return err;
	}
	if (!cur->prog_id)
		return 0;
	if (!OPTS_GET(opts, force, false))
		return in_the_way(ifn, cur, opts);
	if (!bpf_xdp_query(ifindex, 0, &q) && q.attach_mode == XDP_ATTACHED_MULTI) {
		pr_warn("iface '%s': has XDP programs in more than one mode (bpfkit net shows them); "
			"unload them first (bpfkit unload --iface %s)\n", ifn, ifn);
		return -EBUSY;
	}
	if (want != BPFKIT_XDP_AUTO && want != cur->mode) {
		pr_warn("iface '%s': XDP program %u '%s' is attached in %s mode; replacing it without a gap "
			"works only in that mode (--mode %s or auto), or unload it first (bpfkit unload --iface %s)\n",
			ifn, cur->prog_id, cur->prog_name, bpfkit_xdp_mode__str(cur->mode),
			bpfkit_xdp_mode__str(cur->mode), ifn);
		return -EBUSY;
	}
	return 0;
}

int bpfkit_xdp__check(int ifindex, const struct bpfkit_xdp_attach_opts *opts)
{
	struct bpfkit_xdp_info cur;

	if (!OPTS_VALID(opts, bpfkit_xdp_attach_opts))
		return -EINVAL;
	return replace_check(ifindex, opts, &cur);
}

static void att_close(struct bpfkit_xdp_attachment *att)
{
	if (att->link_fd >= 0)
		close(att->link_fd);
	if (att->prog_fd >= 0)
		close(att->prog_fd);
	if (att->old_prog_fd >= 0)
		close(att->old_prog_fd);
	att->link_fd = att->prog_fd = att->old_prog_fd = -1;
}

int bpfkit_xdp__replace(int prog_fd, int ifindex, struct bpfkit_xdp_attach_opts *opts,
			struct bpfkit_xdp_attachment *att)
{
	const char *prog = OPTS_GET(opts, prog_name, NULL) ?: "?";
	struct bpfkit_xdp_info cur;
	char ifn[IF_NAMESIZE];
	int err;

	memset(att, 0, sizeof(*att));
	att->link_fd = att->prog_fd = att->old_prog_fd = -1;
	att->ifindex = ifindex;
	if (!OPTS_VALID(opts, bpfkit_xdp_attach_opts))
		return -EINVAL;
	ifname(ifindex, ifn);
	err = replace_check(ifindex, opts, &cur);
	if (err)
		return err;
	/* our own reference: undo must name the program it expects to find */
	att->prog_fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (att->prog_fd < 0)
		return -errno;
	if (!cur.prog_id) {
		err = create_link(prog_fd, ifindex, OPTS_GET(opts, mode, BPFKIT_XDP_AUTO), prog, &att->mode);
		if (err < 0)
			goto err_close;
		att->hold = BPFKIT_XDP_OWN_LINK;
		att->link_fd = err;
		set_attached_mode(opts, att->mode);
		return 0;
	}

	/* Keep the old program alive (the kernel drops its reference when ours
	 * takes its place) so it can be put back. */
	att->old_prog_fd = bpf_prog_get_fd_by_id(cur.prog_id);
	if (att->old_prog_fd < 0) {
		err = -errno;
		pr_warn("iface '%s': cannot take hold of XDP program %u '%s': %s; nothing replaced\n",
			ifn, cur.prog_id, cur.prog_name, errstr(err));
		goto err_close;
	}
	att->old_prog_id = cur.prog_id;
	snprintf(att->old_prog_name, sizeof(att->old_prog_name), "%s", cur.prog_name);
	att->mode = cur.mode;
	pr_info("iface '%s': replacing XDP program %u '%s' (%s, in one step: the interface is never without a program)\n",
		ifn, cur.prog_id, cur.prog_name, cur.link_id ? "its bpf_link now runs ours" : "netlink attachment");
	if (cur.link_id) {
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE, .old_prog_fd = att->old_prog_fd);

		att->hold = BPFKIT_XDP_SHARED_LINK;
		att->link_fd = bpf_link_get_fd_by_id(cur.link_id);
		if (att->link_fd < 0 || bpf_link_update(att->link_fd, prog_fd, &uo))
			err = -errno;
	} else {
		LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = att->old_prog_fd);

		att->hold = BPFKIT_XDP_NETLINK;
		err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_REPLACE | mode_flag(cur.mode), &xo);
	}
	if (err) {
		/* EPERM/EEXIST: the program there changed since we looked */
		pr_warn("iface '%s': replacing XDP program %u '%s' by prog '%s' failed: %s; XDP program %u is still attached\n",
			ifn, cur.prog_id, cur.prog_name, prog, errstr(err), cur.prog_id);
		goto err_close;
	}
	set_attached_mode(opts, att->mode);
	return 0;

err_close:
	att_close(att);
	return err;
}

int bpfkit_xdp__undo(struct bpfkit_xdp_attachment *att)
{
	char ifn[IF_NAMESIZE];
	int err = 0;

	if (att->prog_fd < 0 && att->link_fd < 0)
		return 0;	/* nothing held (never attached, or kept) */
	ifname(att->ifindex, ifn);
	if (att->hold == BPFKIT_XDP_SHARED_LINK && att->old_prog_fd >= 0) {
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE, .old_prog_fd = att->prog_fd);

		if (bpf_link_update(att->link_fd, att->old_prog_fd, &uo))
			err = -errno;
	} else if (att->hold == BPFKIT_XDP_NETLINK && att->old_prog_fd >= 0) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = att->prog_fd);

		err = bpf_xdp_attach(att->ifindex, att->old_prog_fd, XDP_FLAGS_REPLACE | mode_flag(att->mode), &xo);
	}
	if (att->hold != BPFKIT_XDP_OWN_LINK) {
		if (err)	/* ENOLINK, EPERM, EEXIST: someone changed it since; leave theirs */
			pr_warn("iface '%s': putting back XDP program %u '%s' failed: %s (bpfkit net shows what is attached)\n",
				ifn, att->old_prog_id, att->old_prog_name, errstr(err));
		else
			pr_info("iface '%s': XDP program %u '%s' is attached again\n", ifn,
				att->old_prog_id, att->old_prog_name);
	}
	att_close(att);	/* OWN_LINK: closing our link detaches ours */
	return err;
}

void bpfkit_xdp__keep(struct bpfkit_xdp_attachment *att)
{
	att_close(att);
}

/* lib/pin.c's unload: detach PROG_FD (id ID) wherever the netlink holds it
 * in this network namespace (a replacement that took over a netlink
 * attachment). XDP_FLAGS_REPLACE: only if it is still ours there. */
int xdp_detach_netlink_prog(int prog_fd, __u32 id)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = prog_fd);
		__u32 flag = 0;

		if (bpf_xdp_query(i->if_index, 0, &q))
			continue;
		if (q.drv_prog_id == id)
			flag = XDP_FLAGS_DRV_MODE;
		else if (q.skb_prog_id == id)
			flag = XDP_FLAGS_SKB_MODE;
		else if (q.hw_prog_id == id)
			flag = XDP_FLAGS_HW_MODE;
		else
			continue;
		if (find_xdp_link(i->if_index, id))
			continue;	/* a bpf_link holds it: removing the link detaches it */
		if (!bpf_xdp_attach(i->if_index, -1, XDP_FLAGS_REPLACE | flag, &xo)) {
			pr_debug("iface '%s': detached XDP program %u\n", i->if_name, id);
			n++;
		}
	}
	if_freenameindex(ifs);
	return n;
}
