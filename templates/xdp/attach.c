#define ATTACH_USAGE "  -i, --iface IF     the interface (default eth0)\n"

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	int ifindex = if_nametoindex(o->iface);

	(void)obj;
	if (!ifindex) {
		fprintf(stderr, "@NAME@: no interface '%s'\n", o->iface);
		return -ENODEV;
	}
	/* a bpf_link: detached when it is destroyed, even if we crash */
	return keep_link(a, bpf_program__attach_xdp(prog, ifindex));
}
