/* lib/attach.c — attach every program of an object where its type says:
 * XDP programs to an interface, tracepoint programs to their tracepoint. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/object.h>
#include <bpfkit/trace.h>
#include <bpfkit/feature.h>
#include "internal.h"

static struct attachment *attachment_add(struct bpfkit_object *obj, const char *prog)
{
	struct attachment *a = realloc(obj->att, (obj->n_att + 1) * sizeof(*a));

	if (!a)
		return NULL;
	obj->att = a;
	a = &obj->att[obj->n_att++];
	memset(a, 0, sizeof(*a));
	a->link_fd = -1;
	snprintf(a->prog, sizeof(a->prog), "%s", prog);
	return a;
}

static int attach_tracepoint(struct bpfkit_object *obj, struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *name = bpf_program__name(prog);
	struct attachment *a;
	struct bpf_link *link;
	char why[256];
	int err;

	if (!strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10) ||
	    !strncmp(sec, "ksyscall/", 9)) {
		if (!bpfkit_feature__kprobes(why, sizeof(why))) {
			pr_warn("prog '%s': cannot attach '%s': %s\n", name, sec, why);
			return -EOPNOTSUPP;
		}
	}
	if (!bpfkit_tracefs__ensure())
		return -errno;
	link = bpf_program__attach(prog);
	if (!link) {
		err = -errno;
		pr_warn("prog '%s': attach to '%s' failed: %s\n", name, sec, errstr(err));
		return err;
	}
	a = attachment_add(obj, name);
	if (!a) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	a->link = link;
	snprintf(a->target, sizeof(a->target), "%s", sec);
	pr_info("prog '%s': attached to %s\n", name, sec);
	return 0;
}

static int attach_xdp(struct bpfkit_object *obj, struct bpf_program *prog,
		      const struct bpfkit_attach_opts *opts)
{
	const char *name = bpf_program__name(prog);
	const char *iface = OPTS_GET(opts, iface, NULL);
	struct bpfkit_xdp_attach_opts xo = {
		.sz = sizeof(xo),
		.mode = OPTS_GET(opts, mode, BPFKIT_XDP_AUTO),
		.force = OPTS_GET(opts, force, false),
		.prog_name = name,
	};
	struct attachment *a;
	int ifindex, fd;

	if (!iface) {
		pr_warn("prog '%s': is an XDP program; say which interface with --iface\n", name);
		return -EINVAL;
	}
	ifindex = bpfkit_ifindex(iface);
	if (ifindex < 0) {
		pr_warn("iface '%s': no such interface (ip link shows the ones there are)\n", iface);
		return ifindex;
	}
	fd = bpfkit_xdp__attach(bpf_program__fd(prog), ifindex, &xo);
	if (fd < 0)
		return fd;
	a = attachment_add(obj, name);
	if (!a) {
		close(fd);
		return -ENOMEM;
	}
	a->link_fd = fd;
	snprintf(a->target, sizeof(a->target), "xdp/%s", iface);
	pr_info("prog '%s': attached to '%s' (%s mode)\n", name, iface,
		bpfkit_xdp_mode__str(xo.attached_mode));
	return 0;
}

int bpfkit_object__attach(struct bpfkit_object *obj, const struct bpfkit_attach_opts *opts)
{
	const char *only = OPTS_GET(opts, prog_name, NULL);
	struct bpf_program *prog;
	int err = 0, xdp_progs = 0, matched = 0;

	if (!OPTS_VALID(opts, bpfkit_attach_opts))
		return -EINVAL;
	if (only && !bpfkit_object__find_program(obj, only))
		return -ENOENT;

	bpf_object__for_each_program(prog, obj->obj) {
		enum bpf_prog_type type = bpf_program__type(prog);

		if (only && strcmp(bpf_program__name(prog), only))
			continue;
		matched++;
		if (type == BPF_PROG_TYPE_XDP) {
			if (++xdp_progs > 1 && !only) {
				pr_warn("object '%s': has several XDP programs; choose one with --prog NAME\n",
					obj->name);
				err = -EINVAL;
				break;
			}
			err = attach_xdp(obj, prog, opts);
		} else if (type == BPF_PROG_TYPE_TRACEPOINT || type == BPF_PROG_TYPE_KPROBE ||
			   type == BPF_PROG_TYPE_RAW_TRACEPOINT) {
			err = attach_tracepoint(obj, prog);
		} else {
			pr_info("prog '%s': %s programs are not attached by bpfkit run; skipped\n",
				bpf_program__name(prog), libbpf_bpf_prog_type_str(type));
			continue;
		}
		if (err)
			break;
	}
	if (!err && !obj->n_att && matched) {
		pr_warn("object '%s': nothing to attach\n", obj->name);
		err = -ENOENT;
	}
	if (err)
		bpfkit_object__detach(obj);
	return err;
}

int bpfkit_object__attach_count(const struct bpfkit_object *obj)
{
	return obj->n_att;
}

void bpfkit_object__detach(struct bpfkit_object *obj)
{
	for (int i = obj->n_att - 1; i >= 0; i--) {
		struct attachment *a = &obj->att[i];

		if (a->link)
			bpf_link__destroy(a->link);
		if (a->link_fd >= 0)
			close(a->link_fd);
		pr_debug("prog '%s': detached from %s\n", a->prog, a->target);
	}
	free(obj->att);
	obj->att = NULL;
	obj->n_att = 0;
}
