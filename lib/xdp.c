/* lib/xdp.c — XDP attach through bpf_link (so a dying loader leaves nothing
 * attached), with the native->skb fallback, the refusal to replace someone
 * else's program, and detach of either kind of attachment. */
#include <errno.h>
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
		snprintf(buf, sz, "%s", info.name);
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
		if (!OPTS_GET(opts, force, false)) {
			pr_warn("iface '%s': XDP program %u '%s' is already attached (%s mode); use --force to replace it\n",
				ifn, cur.prog_id, cur.prog_name, bpfkit_xdp_mode__str(cur.mode));
			return -EEXIST;
		}
		pr_info("iface '%s': replacing XDP program %u '%s'\n", ifn, cur.prog_id, cur.prog_name);
		err = bpfkit_xdp__detach(ifindex);
		if (err && err != -ENOENT)
			return err;
	}

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
	if (opts && opts->sz >= offsetof(struct bpfkit_xdp_attach_opts, attached_mode) + sizeof(opts->attached_mode))
		opts->attached_mode = mode;
	return fd;
}
