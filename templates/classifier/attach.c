#define ATTACH_NEEDS_IFACE 1	/* -i: no default, checked before loading */
#define ATTACH_USAGE "  -i, --iface IF     the interface (required); ingress, through tcx\n"
#define BK_TCX_INGRESS 46	/* kernel 6.6+; older UAPI headers lack it */

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	int ifindex;

	(void)obj;
	if (!o->iface) {
		fprintf(stderr, "@NAME@: say which interface with -i IFACE\n");
		return -EINVAL;
	}
	ifindex = if_nametoindex(o->iface);
	if (!ifindex) {
		fprintf(stderr, "@NAME@: no interface '%s'\n", o->iface);
		return -ENODEV;
	}
	/* tcx link: no qdisc to set up, gone when the fd closes */
	int fd = bpf_link_create(bpf_program__fd(prog), ifindex, BK_TCX_INGRESS, NULL);
	if (fd < 0)
		fprintf(stderr, "@NAME@: tcx attach to %s failed (kernels before 6.6 need a clsact qdisc: tc filter add dev %s ingress bpf da obj ...)\n",
			o->iface, o->iface);
	return keep_fd(a, fd);
}
