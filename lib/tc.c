/* lib/tc.c — list tc BPF programs of an interface: cls_bpf filters under the
 * clsact qdisc, found with a netlink RTM_GETTFILTER dump (what `tc filter
 * show` and bpftool net do), and tcx programs through BPF_PROG_QUERY. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpfkit/tc.h>
#include <bpfkit/xdp.h>
#include "internal.h"

/* tcx attach points (kernel 6.6+; not in older UAPI headers). */
#define BK_BPF_TCX_INGRESS 46
#define BK_BPF_TCX_EGRESS 47

static const struct rtattr *rta_find(const struct rtattr *rta, int len, int type)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type)
			return rta;
	return NULL;
}

/* One RTM_NEWTFILTER message: report it if it is a cls_bpf filter. */
static int parse_filter(const struct nlmsghdr *nh, const char *dir, bpfkit_tc_fn_t fn, void *ctx)
{
	const struct tcmsg *tc = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*tc));
	const struct rtattr *attrs = (const struct rtattr *)((const char *)tc + NLMSG_ALIGN(sizeof(*tc)));
	const struct rtattr *kind, *opts, *a;
	struct bpfkit_tc_prog p = { .kind = "clsact", .dir = dir };
	int olen;

	if (len < 0)
		return 0;
	kind = rta_find(attrs, len, TCA_KIND);
	opts = rta_find(attrs, len, TCA_OPTIONS);
	if (!kind || !opts || strncmp(RTA_DATA(kind), "bpf", RTA_PAYLOAD(kind)))
		return 0;
	olen = RTA_PAYLOAD(opts);
	a = rta_find(RTA_DATA(opts), olen, TCA_BPF_ID);
	if (!a || RTA_PAYLOAD(a) < sizeof(__u32))
		return 0;	/* the filter's chain head, no program */
	memcpy(&p.prog_id, RTA_DATA(a), sizeof(__u32));
	a = rta_find(RTA_DATA(opts), olen, TCA_BPF_NAME);
	if (a)
		snprintf(p.name, sizeof(p.name), "%.*s", (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
	else
		bpfkit_prog__name_by_id(p.prog_id, p.name, sizeof(p.name));
	a = rta_find(RTA_DATA(opts), olen, TCA_BPF_FLAGS);
	if (a && RTA_PAYLOAD(a) >= sizeof(__u32)) {
		__u32 flags;

		memcpy(&flags, RTA_DATA(a), sizeof(flags));
		p.direct_action = flags & TCA_BPF_FLAG_ACT_DIRECT;
	}
	if (fn)
		fn(&p, ctx);
	return 1;
}

static int dump_filters(int sock, int ifindex, __u32 parent, const char *dir,
			bpfkit_tc_fn_t fn, void *ctx)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)), .nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = parent },
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent },
	};
	char buf[16384] __attribute__((aligned(4)));
	int found = 0;

	if (send(sock, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				return found;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				/* no clsact qdisc: nothing attached there */
				return e->error == -EINVAL || e->error == -ENOENT ? found : e->error;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				found += parse_filter(nh, dir, fn, ctx);
		}
	}
}

static int query_tcx(int ifindex, bpfkit_tc_fn_t fn, void *ctx)
{
	static const struct { int type; const char *dir; } points[] = {
		{ BK_BPF_TCX_INGRESS, "ingress" }, { BK_BPF_TCX_EGRESS, "egress" },
	};
	int found = 0;

	for (size_t t = 0; t < 2; t++) {
		__u32 ids[64], cnt = 64, flags = 0;

		if (bpf_prog_query(ifindex, points[t].type, 0, &flags, ids, &cnt))
			continue;	/* a kernel without tcx, or nothing there */
		for (__u32 i = 0; i < cnt && i < 64; i++) {
			struct bpfkit_tc_prog p = { .kind = "tcx", .dir = points[t].dir, .prog_id = ids[i],
						    .direct_action = true };

			bpfkit_prog__name_by_id(ids[i], p.name, sizeof(p.name));
			if (fn)
				fn(&p, ctx);
			found++;
		}
	}
	return found;
}

int bpfkit_tc__query(int ifindex, bpfkit_tc_fn_t fn, void *ctx)
{
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int found = 0, n;

	if (sock < 0)
		return -errno;
	n = dump_filters(sock, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), "ingress", fn, ctx);
	if (n >= 0) {
		found += n;
		n = dump_filters(sock, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), "egress", fn, ctx);
	}
	close(sock);
	if (n < 0) {
		pr_debug("tc: filter dump on ifindex %d failed: %s\n", ifindex, errstr(n));
		return n;
	}
	return found + query_tcx(ifindex, fn, ctx);
}
