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
	a->xdp.link_fd = a->xdp.prog_fd = a->xdp.old_prog_fd = -1;
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
		const char *tp = !strncmp(sec, "tracepoint/", 11) ? sec + 11 :
				 !strncmp(sec, "tp/", 3) ? sec + 3 : NULL;
		if (err == -ENOENT && tp) {
			char others[256] = "";
			struct bpf_program *p;
			size_t n = 0;

			bpf_object__for_each_program(p, obj->obj)
				if (p != prog && bpf_program__fd(p) >= 0 && n < sizeof(others))
					n += snprintf(others + n, sizeof(others) - n, "%s%s", n ? ", " : "",
						      bpf_program__name(p));
			pr_warn("prog '%s': this kernel has no tracepoint '%s' (its events/ in tracefs do not list it); "
				"attach the object's other programs with --prog NAME%s%s%s\n", name, tp,
				n ? " (" : "", others, n ? ")" : "");
		} else {
			pr_warn("prog '%s': attach to '%s' failed: %s\n", name, sec, errstr(err));
		}
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

static void xdp_opts(struct bpfkit_xdp_attach_opts *xo, const struct bpfkit_attach_opts *opts,
		     const char *name)
{
	memset(xo, 0, sizeof(*xo));
	xo->sz = sizeof(*xo);
	xo->mode = OPTS_GET(opts, mode, BPFKIT_XDP_AUTO);
	xo->force = OPTS_GET(opts, force, false);
	xo->prog_name = name;
}

/* Before anything is attached: the interface exists, and what is on it
 * may be replaced the way opts say. */
static int check_xdp(struct bpf_program *prog, const struct bpfkit_attach_opts *opts, int *ifindex)
{
	const char *name = bpf_program__name(prog);
	const char *iface = OPTS_GET(opts, iface, NULL);
	struct bpfkit_xdp_attach_opts xo;

	if (!iface) {
		pr_warn("prog '%s': is an XDP program; say which interface with --iface\n", name);
		return -EINVAL;
	}
	*ifindex = bpfkit_ifindex(iface);
	if (*ifindex < 0) {
		pr_warn("iface '%s': no such interface (ip link shows the ones there are)\n", iface);
		return *ifindex;
	}
	xdp_opts(&xo, opts, name);
	return bpfkit_xdp__check(*ifindex, &xo);
}

static int attach_xdp(struct bpfkit_object *obj, struct bpf_program *prog, int ifindex,
		      const struct bpfkit_attach_opts *opts)
{
	const char *name = bpf_program__name(prog);
	const char *iface = OPTS_GET(opts, iface, NULL);
	struct bpfkit_xdp_attach_opts xo;
	struct bpfkit_xdp_attachment xa;
	struct attachment *a;
	int err;

	xdp_opts(&xo, opts, name);
	err = bpfkit_xdp__replace(bpf_program__fd(prog), ifindex, &xo, &xa);
	if (err)
		return err;
	a = attachment_add(obj, name);
	if (!a) {
		bpfkit_xdp__undo(&xa);
		return -ENOMEM;
	}
	a->is_xdp = true;
	a->xdp = xa;
	snprintf(a->target, sizeof(a->target), "xdp/%s", iface);
	pr_info("prog '%s': attached to '%s' (%s mode)\n", name, iface,
		bpfkit_xdp_mode__str(xo.attached_mode));
	return 0;
}

static bool is_traced(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_TRACEPOINT || type == BPF_PROG_TYPE_KPROBE ||
	       type == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

/* "a, b, c" of the loaded programs of TYPE (all types if TYPE < 0). */
static void prog_names(const struct bpfkit_object *obj, int type, char *buf, size_t sz)
{
	struct bpf_program *prog;
	size_t n = 0;

	buf[0] = '\0';
	bpf_object__for_each_program(prog, obj->obj) {
		if (bpf_program__fd(prog) < 0 || (type >= 0 && (int)bpf_program__type(prog) != type))
			continue;
		if (n < sz)
			n += snprintf(buf + n, sz - n, "%s%s", n ? ", " : "", bpf_program__name(prog));
	}
}

int bpfkit_object__attach(struct bpfkit_object *obj, const struct bpfkit_attach_opts *opts)
{
	const char *only = OPTS_GET(opts, prog_name, NULL);
	struct bpf_program *prog, *xdp = NULL;
	int err = 0, xdp_progs = 0, matched = 0, ifindex = -1;
	char names[256];

	if (!OPTS_VALID(opts, bpfkit_attach_opts))
		return -EINVAL;
	if (only && !bpfkit_object__find_program(obj, only))
		return -ENOENT;

	/* Decide and check everything before attaching anything: a refusal
	 * must leave the interface and the tracepoints as they were. */
	bpf_object__for_each_program(prog, obj->obj) {
		if (only && strcmp(bpf_program__name(prog), only))
			continue;
		if (bpf_program__fd(prog) < 0)
			continue;	/* not loaded (autoload off) */
		matched++;
		if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP) {
			xdp_progs++;
			xdp = prog;
		}
	}
	if (xdp_progs > 1) {
		prog_names(obj, BPF_PROG_TYPE_XDP, names, sizeof(names));
		pr_warn("object '%s': has several XDP programs; choose one with --prog NAME (%s); nothing attached\n",
			obj->name, names);
		return -EINVAL;
	}
	if (xdp && (err = check_xdp(xdp, opts, &ifindex)))
		return err;

	/* Tracepoints first, the interface last: a tracepoint that fails
	 * does not cost the interface its program. */
	bpf_object__for_each_program(prog, obj->obj) {
		enum bpf_prog_type type = bpf_program__type(prog);

		if ((only && strcmp(bpf_program__name(prog), only)) || bpf_program__fd(prog) < 0 ||
		    type == BPF_PROG_TYPE_XDP)
			continue;
		if (!is_traced(type)) {
			pr_info("prog '%s': %s programs are not attached by bpfkit run; skipped\n",
				bpf_program__name(prog), libbpf_bpf_prog_type_str(type));
			continue;
		}
		err = attach_tracepoint(obj, prog);
		if (err)
			goto err_detach;
	}
	if (xdp && (err = attach_xdp(obj, xdp, ifindex, opts)))
		goto err_detach;
	if (!obj->n_att && matched) {
		pr_warn("object '%s': nothing to attach\n", obj->name);
		return -ENOENT;
	}
	return 0;

err_detach:
	bpfkit_object__detach(obj);
	return err;
}

int bpfkit_object__attach_count(const struct bpfkit_object *obj)
{
	return obj->n_att;
}

void attachments_keep(struct bpfkit_object *obj)
{
	for (int i = 0; i < obj->n_att; i++)
		obj->att[i].kept = true;
}

void bpfkit_object__detach(struct bpfkit_object *obj)
{
	for (int i = obj->n_att - 1; i >= 0; i--) {
		struct attachment *a = &obj->att[i];

		if (a->link)
			bpf_link__destroy(a->link);
		if (a->is_xdp && a->kept)
			bpfkit_xdp__keep(&a->xdp);
		else if (a->is_xdp)
			bpfkit_xdp__undo(&a->xdp);	/* puts back what it replaced */
		pr_debug("prog '%s': %s %s\n", a->prog, a->kept ? "let go of" : "detached from", a->target);
	}
	free(obj->att);
	obj->att = NULL;
	obj->n_att = 0;
}
