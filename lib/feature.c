/* lib/feature.c — probes for what this kernel can do, each with a sentence
 * that tells the user why not. */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/feature.h>
#include <bpfkit/trace.h>
#include "internal.h"

static void say(char *why, size_t sz, const char *text)
{
	if (why && sz)
		snprintf(why, sz, "%s", text);
}

int bpfkit_feature__kprobes(char *why, size_t why_sz)
{
	/* The kprobe PMU is registered only when CONFIG_KPROBES is on; the
	 * tracefs files exist only then too. */
	if (!access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	    !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/kprobe_events", F_OK))
		return 1;
	say(why, why_sz,
	    "this kernel has no kprobes (CONFIG_KPROBES is off), so kprobe/kretprobe programs "
	    "cannot attach; use a tracepoint instead (e.g. tracepoint/syscalls/sys_enter_execve) "
	    "or a uprobe for user-space functions");
	return 0;
}

int bpfkit_feature__fentry(char *why, size_t why_sz)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd, err;

	if (!vmlinux) {
		say(why, why_sz, "fentry/fexit need kernel BTF (/sys/kernel/btf/vmlinux), which this kernel lacks");
		return 0;
	}
	id = btf__find_by_name_kind(vmlinux, "bpf_fentry_test1", BTF_KIND_FUNC);
	if (id < 0)
		id = btf__find_by_name_kind(vmlinux, "do_unlinkat", BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id < 0) {
		say(why, why_sz, "no kernel function to probe fentry with was found in vmlinux BTF");
		return 0;
	}
	po.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bk_probe_fentry", "GPL", insns, 2, &po);
	if (fd >= 0) {
		/* Loading is half of it: the trampoline is made at attach time. */
		int link = bpf_raw_tracepoint_open(NULL, fd);

		err = link < 0 ? -errno : 0;
		if (link >= 0)
			close(link);
		close(fd);
		if (!err)
			return 1;
	} else {
		err = -errno;
	}
	if (why && why_sz)
		snprintf(why, why_sz,
			 "this kernel refuses fentry/fexit programs (%s): BPF trampolines are not "
			 "available to us here; use a tracepoint or tp_btf program instead",
			 errstr(err));
	return 0;
}

/* ---- the whole-kernel survey behind `bpfkit feature` ---- */

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif
/* tcx attach points arrived in 6.6; Debian's UAPI headers predate them. */
#define BK_TCX_INGRESS 46

/* Without CAP_BPF (or CAP_SYS_ADMIN) every bpf() probe fails with EPERM,
 * which says nothing about the kernel: those probes are reported as "?" with
 * this reason, never as "the kernel lacks it". Set by probe_all. */
static int can_probe = 1;
static const char no_priv[] =
	"not probed: probing needs privileges (root, or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON); "
	"run 'sudo bpfkit feature'";

static int emit(bpfkit_feature_fn fn, void *ctx, const char *group, const char *name,
		int supported, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int emit(bpfkit_feature_fn fn, void *ctx, const char *group, const char *name,
		int supported, const char *fmt, ...)
{
	struct bpfkit_feature f = { .group = group, .supported = supported };
	va_list ap;

	snprintf(f.name, sizeof(f.name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(f.detail, sizeof(f.detail), fmt, ap);
	va_end(ap);
	return fn(&f, ctx);
}

static const char *prog_type_note(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_KPROBE:
		return "loads, but attaching needs kprobes/uprobes (see kernel.kprobes, kernel.uprobes)";
	case BPF_PROG_TYPE_XDP: return "packet programs at the driver (bpfkit run --iface)";
	case BPF_PROG_TYPE_SCHED_CLS: return "tc classifier (tcx or clsact)";
	case BPF_PROG_TYPE_TRACEPOINT: return "static kernel tracepoints (needs tracefs for ids)";
	default: return "";
	}
}

static int probe_prog_types(bpfkit_feature_fn fn, void *ctx)
{
	char why[256];
	int ret;

	for (int t = BPF_PROG_TYPE_UNSPEC + 1;; t++) {
		const char *name = libbpf_bpf_prog_type_str(t);
		int ok;

		if (!name)
			break;
		if (!can_probe) {
			ret = emit(fn, ctx, "prog_type", name, -1, "%s", no_priv);
		} else if (t == BPF_PROG_TYPE_TRACING) {
			ok = bpfkit_feature__fentry(why, sizeof(why));
			ret = emit(fn, ctx, "prog_type", name, ok, "%s",
				   ok ? "fentry/fexit/tp_btf/iter programs" : why);
		} else if (t == BPF_PROG_TYPE_EXT || t == BPF_PROG_TYPE_LSM) {
			/* Both need a BTF target and a BPF trampoline, like fentry. */
			ok = libbpf_probe_bpf_prog_type(t, NULL);
			if (ok <= 0)
				ok = bpfkit_feature__fentry(why, sizeof(why)) ? -1 : 0;
			ret = emit(fn, ctx, "prog_type", name, ok, "%s", ok > 0 ? "" : ok == 0 ? why :
				   "cannot be probed without a BTF attach target");
		} else {
			ok = libbpf_probe_bpf_prog_type(t, NULL);
			ret = emit(fn, ctx, "prog_type", name, ok < 0 ? -1 : ok, "%s",
				   ok < 0 ? errstr(ok) : ok ? prog_type_note(t) :
				   "the kernel does not know this program type (not built in)");
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int probe_map_types(bpfkit_feature_fn fn, void *ctx)
{
	for (int t = BPF_MAP_TYPE_UNSPEC + 1;; t++) {
		const char *name = libbpf_bpf_map_type_str(t);
		int ok, ret;

		if (!name)
			break;
		if (!can_probe) {
			ret = emit(fn, ctx, "map_type", name, -1, "%s", no_priv);
			if (ret)
				return ret;
			continue;
		}
		ok = libbpf_probe_bpf_map_type(t, NULL);
		ret = emit(fn, ctx, "map_type", name, ok < 0 ? -1 : ok, "%s",
			   ok < 0 ? errstr(ok) : ok ? "" : "the kernel does not know this map type");
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- attach probes, run in a child inside a private network namespace ---- */

struct attach_result {
	char name[32];
	int supported;
	char detail[200];
};

static struct rtattr *rta_tail(struct nlmsghdr *nh)
{
	return (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
}

static void add_attr(struct nlmsghdr *nh, int type, const void *data, size_t len)
{
	struct rtattr *rta = rta_tail(nh);

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* rtnetlink: create veth pair A <-> B in the current (private) namespace. */
static int nl_add_veth(const char *a, const char *b)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[256];
	} req = {};
	struct rtattr *linkinfo, *data, *peer;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char reply[1024];
	int fd, err = 0;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	add_attr(&req.nh, IFLA_IFNAME, a, strlen(a) + 1);
	linkinfo = rta_tail(&req.nh);
	add_attr(&req.nh, IFLA_LINKINFO, NULL, 0);
	add_attr(&req.nh, IFLA_INFO_KIND, "veth", 4);
	data = rta_tail(&req.nh);
	add_attr(&req.nh, IFLA_INFO_DATA, NULL, 0);
	peer = rta_tail(&req.nh);
	add_attr(&req.nh, VETH_INFO_PEER, NULL, 0);
	req.nh.nlmsg_len += sizeof(struct ifinfomsg);	/* the peer's (empty) ifinfomsg */
	add_attr(&req.nh, IFLA_IFNAME, b, strlen(b) + 1);
	peer->rta_len = (char *)rta_tail(&req.nh) - (char *)peer;
	data->rta_len = (char *)rta_tail(&req.nh) - (char *)data;
	linkinfo->rta_len = (char *)rta_tail(&req.nh) - (char *)linkinfo;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	ssize_t n = recv(fd, reply, sizeof(reply), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		err = n < 0 ? -errno : -EIO;
		goto out;
	}
	struct nlmsghdr *rh = (struct nlmsghdr *)reply;
	if (rh->nlmsg_type == NLMSG_ERROR)
		err = ((struct nlmsgerr *)NLMSG_DATA(rh))->error;
out:
	close(fd);
	return err;
}

static int set_up(const char *ifn)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifn);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr)))
		err = -errno;
	close(fd);
	return err;
}

static int load_trivial(enum bpf_prog_type type, int ret_val)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = ret_val },	/* r0 = ret_val */
		{ .code = 0x95 },				/* exit */
	};

	return bpf_prog_load(type, "bk_probe", "GPL", insns, 2, NULL);
}

static void put(struct attach_result *r, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(struct attach_result *r, const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->supported = ok;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

#define N_ATTACH 5

static void attach_probes_child(struct attach_result *r)
{
	int xdp, cls, ifindex, err, fd;

	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		for (int i = 0; i < N_ATTACH; i++)
			put(&r[i], i == 0 ? "xdp_native_veth" : i == 1 ? "xdp_skb_veth" :
			    i == 2 ? "xdp_link" : i == 3 ? "tcx_ingress" : "raw_tracepoint",
			    -1, "cannot make a private network namespace to probe in (%s); run as root",
			    errstr(err));
		return;
	}
	err = nl_add_veth("bkprobe0", "bkprobe1");
	if (!err)
		err = set_up("bkprobe0") ?: set_up("bkprobe1");
	ifindex = if_nametoindex("bkprobe0");
	xdp = load_trivial(BPF_PROG_TYPE_XDP, 2 /* XDP_PASS */);
	if (err || !ifindex || xdp < 0) {
		const char *what = err || !ifindex ? "no veth pair" : "no XDP program";
		err = err ?: -errno;
		put(&r[0], "xdp_native_veth", -1, "%s to probe with (%s)", what, errstr(err));
		put(&r[1], "xdp_skb_veth", -1, "%s to probe with (%s)", what, errstr(err));
		put(&r[2], "xdp_link", -1, "%s to probe with (%s)", what, errstr(err));
	} else {
		err = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
		put(&r[0], "xdp_native_veth", !err, "%s", !err ? "XDP in the veth driver (--mode native)" :
		    "the veth driver refused native XDP; bpfkit falls back to skb (generic) mode");
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		err = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_SKB_MODE, NULL);
		put(&r[1], "xdp_skb_veth", !err, "%s", !err ? "generic XDP on any interface (--mode skb)" :
		    "generic XDP refused");
		bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
		fd = bpf_link_create(xdp, ifindex, BPF_XDP, NULL);
		put(&r[2], "xdp_link", fd >= 0, "%s", fd >= 0 ?
		    "XDP through a bpf_link (detaches when the last holder closes it)" :
		    "no bpf_link for XDP (kernel < 5.9); netlink attach only");
		if (fd >= 0)
			close(fd);
		close(xdp);
	}
	cls = load_trivial(BPF_PROG_TYPE_SCHED_CLS, 0);
	if (cls < 0 || !ifindex) {
		put(&r[3], "tcx_ingress", -1, "no tc program or interface to probe with");
	} else {
		fd = bpf_link_create(cls, ifindex, BK_TCX_INGRESS, NULL);
		err = fd < 0 ? -errno : 0;
		put(&r[3], "tcx_ingress", fd >= 0, "%s", fd >= 0 ?
		    "tc programs through tcx links (kernel 6.6+)" :
		    "no tcx (kernel < 6.6); use a clsact qdisc with tc filters");
		if (fd >= 0)
			close(fd);
	}
	if (cls >= 0)
		close(cls);
	fd = load_trivial(BPF_PROG_TYPE_RAW_TRACEPOINT, 0);
	if (fd >= 0) {
		int l = bpf_raw_tracepoint_open("sys_enter", fd);

		err = l < 0 ? -errno : 0;
		put(&r[4], "raw_tracepoint", l >= 0, "%s%s", l >= 0 ?
		    "raw tracepoints attach (no tracefs needed)" : "raw_tracepoint attach failed: ",
		    l >= 0 ? "" : errstr(err));
		if (l >= 0)
			close(l);
		close(fd);
	} else {
		put(&r[4], "raw_tracepoint", 0, "raw_tracepoint programs do not load (%s)", errstr(-errno));
	}
}

static int probe_attach(bpfkit_feature_fn fn, void *ctx)
{
	struct attach_result r[N_ATTACH] = {};
	int pipefd[2], status, ret = 0;
	pid_t pid;

	if (!can_probe) {
		static const char *const names[N_ATTACH] = {
			"xdp_native_veth", "xdp_skb_veth", "xdp_link", "tcx_ingress", "raw_tracepoint",
		};
		for (int i = 0; i < N_ATTACH && !ret; i++)
			ret = emit(fn, ctx, "attach", names[i], -1, "%s", no_priv);
		return ret;
	}
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		close(pipefd[0]);
		attach_probes_child(r);
		ssize_t w = write(pipefd[1], r, sizeof(r));
		_exit(w == (ssize_t)sizeof(r) ? 0 : 1);	/* the namespace and veths die with us */
	}
	close(pipefd[1]);
	size_t got = 0;
	while (got < sizeof(r)) {
		ssize_t n = read(pipefd[0], (char *)r + got, sizeof(r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(r))
		return -EIO;
	for (int i = 0; i < N_ATTACH && !ret; i++) {
		r[i].name[sizeof(r[i].name) - 1] = r[i].detail[sizeof(r[i].detail) - 1] = 0;
		ret = emit(fn, ctx, "attach", r[i].name, r[i].supported, "%s", r[i].detail);
	}
	return ret;
}

/* ---- kernel and system ---- */

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	if (statfs(path, &st))
		return 0;
	return (long)st.f_type == magic;
}

static int read_int(const char *path, int *v)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%d", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int have_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return -1;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

static int probe_kernel(bpfkit_feature_fn fn, void *ctx)
{
	char why[256];
	int ok, v, ret;

	ok = !access("/sys/kernel/btf/vmlinux", R_OK);
	ret = emit(fn, ctx, "kernel", "btf_vmlinux", ok, "%s", ok ?
		   "kernel BTF at /sys/kernel/btf/vmlinux: CO-RE, tp_btf, BTF-typed maps work" :
		   "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF off): no CO-RE, no tp_btf/fentry");
	if (ret)
		return ret;
	if (!read_int("/proc/sys/net/core/bpf_jit_enable", &v))
		ret = emit(fn, ctx, "kernel", "jit", v > 0, v > 0 ? "programs are JIT-compiled (bpf_jit_enable=%d)" :
			   "JIT off: programs run in the interpreter (bpf_jit_enable=%d)", v);
	else
		ret = emit(fn, ctx, "kernel", "jit", -1, "cannot read /proc/sys/net/core/bpf_jit_enable");
	if (ret)
		return ret;
	ok = can_probe ? libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) : -1;
	ret = emit(fn, ctx, "kernel", "ringbuf", ok < 0 ? -1 : ok, "%s", ok > 0 ?
		   "BPF ring buffers (bpfkit log records use them)" : !can_probe ? no_priv :
		   "no BPF ring buffer (kernel < 5.8): use a perf event array");
	if (ret)
		return ret;
	ok = bpfkit_feature__kprobes(why, sizeof(why));
	ret = emit(fn, ctx, "kernel", "kprobes", ok, "%s", ok ? "kprobe/kretprobe programs can attach" : why);
	if (ret)
		return ret;
	ok = !access("/sys/bus/event_source/devices/uprobe/type", F_OK);
	ret = emit(fn, ctx, "kernel", "uprobes", ok, "%s", ok ? "uprobe/uretprobe programs can attach" :
		   "no uprobes (CONFIG_UPROBE_EVENTS off): uprobe programs cannot attach");
	if (ret)
		return ret;
	if (can_probe) {
		ok = bpfkit_feature__fentry(why, sizeof(why));
		ret = emit(fn, ctx, "kernel", "fentry", ok, "%s", ok ? "fentry/fexit programs (BPF trampolines)" : why);
	} else {
		ret = emit(fn, ctx, "kernel", "fentry", -1, "%s", no_priv);
	}
	if (ret)
		return ret;
	if (!read_int("/proc/sys/kernel/unprivileged_bpf_disabled", &v))
		ret = emit(fn, ctx, "kernel", "unprivileged_bpf", v == 0, v == 0 ?
			   "users without CAP_BPF may load socket filters" :
			   "unprivileged_bpf_disabled=%d: only privileged users can use bpf()", v);
	return ret;
}

static int probe_system(bpfkit_feature_fn fn, void *ctx)
{
	struct rlimit rl;
	int ok, ret;

	ok = fs_is("/sys/fs/bpf", BPF_FS_MAGIC);
	ret = emit(fn, ctx, "system", "bpffs", ok, "%s", ok ? "bpffs mounted at /sys/fs/bpf (pinning works)" :
		   "bpffs not mounted at /sys/fs/bpf; `bpfkit load` mounts it (mount -t bpf bpf /sys/fs/bpf)");
	if (ret)
		return ret;
	ok = fs_is("/sys/kernel/tracing", TRACEFS_MAGIC) ||
	     fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC);
	ret = emit(fn, ctx, "system", "tracefs", ok, "%s", ok ? "tracefs mounted (trace_pipe, tracepoint ids)" :
		   "tracefs not mounted; bpfkit run/trace mount it at /sys/kernel/tracing when needed");
	if (ret)
		return ret;
	ok = fs_is("/sys/kernel/debug", DEBUGFS_MAGIC);
	ret = emit(fn, ctx, "system", "debugfs", ok, "%s", ok ? "debugfs mounted at /sys/kernel/debug" :
		   "debugfs not mounted (not needed by bpfkit)");
	if (ret)
		return ret;
	static const struct { int cap; const char *name; const char *use; } caps[] = {
		{ CAP_SYS_ADMIN, "cap_sys_admin", "all of bpf() on older kernels, namespaces" },
		{ 39 /* CAP_BPF */, "cap_bpf", "loading programs and creating maps" },
		{ 38 /* CAP_PERFMON */, "cap_perfmon", "tracing programs, pointer arithmetic" },
		{ CAP_NET_ADMIN, "cap_net_admin", "attaching XDP and tc programs" },
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		ok = have_cap(caps[i].cap);
		ret = emit(fn, ctx, "system", caps[i].name, ok, "%s%s", ok > 0 ? "" : "missing, needed for ",
			   caps[i].use);
		if (ret)
			return ret;
	}
	if (!getrlimit(RLIMIT_MEMLOCK, &rl))
		ret = emit(fn, ctx, "system", "memlock", 1, rl.rlim_cur == RLIM_INFINITY ?
			   "RLIMIT_MEMLOCK unlimited (kernels >= 5.11 account BPF memory to cgroups anyway)" :
			   "RLIMIT_MEMLOCK %llu bytes (kernels >= 5.11 account BPF memory to cgroups instead)",
			   (unsigned long long)rl.rlim_cur);
	return ret;
}

int bpfkit_feature__probe_all(bpfkit_feature_fn fn, void *ctx)
{
	int ret;

	if (!fn)
		return -EINVAL;
	can_probe = have_cap(CAP_SYS_ADMIN) > 0 || have_cap(39 /* CAP_BPF */) > 0;
	ret = probe_system(fn, ctx);
	if (!ret)
		ret = probe_kernel(fn, ctx);
	if (!ret)
		ret = probe_attach(fn, ctx);
	if (!ret)
		ret = probe_prog_types(fn, ctx);
	if (!ret)
		ret = probe_map_types(fn, ctx);
	return ret;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int bpfkit_feature__section(const char *sec, char *why, size_t why_sz)
{
	if (!sec)
		return -1;
	if (starts(sec, "kprobe") || starts(sec, "kretprobe") || starts(sec, "ksyscall") ||
	    starts(sec, "kretsyscall")) {
		char w[256];

		if (bpfkit_feature__kprobes(w, sizeof(w)))
			return 1;
		if (why && why_sz)
			snprintf(why, why_sz, "kprobe programs need a kernel with CONFIG_KPROBES; %s", w);
		return 0;
	}
	if (starts(sec, "fentry") || starts(sec, "fexit") || starts(sec, "fmod_ret") ||
	    starts(sec, "lsm") || starts(sec, "iter") || starts(sec, "freplace")) {
		char w[256];

		if (bpfkit_feature__fentry(w, sizeof(w)))
			return 1;
		if (why && why_sz)
			snprintf(why, why_sz, "%s%s", starts(sec, "lsm") ?
				 "BPF LSM programs attach through BPF trampolines, like fentry; " : "", w);
		return 0;
	}
	if (starts(sec, "uprobe") || starts(sec, "uretprobe")) {
		if (!access("/sys/bus/event_source/devices/uprobe/type", F_OK))
			return 1;
		say(why, why_sz, "uprobe programs need CONFIG_UPROBE_EVENTS, which this kernel lacks");
		return 0;
	}
	if (starts(sec, "tp_btf")) {
		if (!access("/sys/kernel/btf/vmlinux", R_OK))
			return 1;
		say(why, why_sz, "tp_btf programs need kernel BTF (/sys/kernel/btf/vmlinux)");
		return 0;
	}
	static const char *const known[] = {
		"xdp", "tc", "classifier", "tracepoint", "tp/", "raw_tracepoint", "raw_tp",
		"socket", "cgroup", "sockops", "sk_msg", "sk_skb", "perf_event", "sk_lookup",
		"flow_dissector", "lwt", "sk_reuseport", "syscall", "struct_ops", "action",
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (starts(sec, known[i]))
			return 1;
	return -1;
}
