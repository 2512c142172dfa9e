#define ATTACH_NEEDS_IFACE 1	/* -i: no default, checked before loading */
#define ATTACH_USAGE "  -i, --iface IF     the interface (required; README: try it in a private\n" \
	"                     network namespace first)\n" \
	"  -m, --mode MODE    auto (default: native, else skb), native, skb, hw\n" \
	"  -f, --force        replace an XDP program already on IF, in one step; it is\n" \
	"                     put back when this loader exits\n"
#define ATTACH_XDP 1

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	struct bpfkit_xdp_attach_opts xo = {
		.sz = sizeof(xo), .mode = o->mode, .force = o->force, .prog_name = bpf_program__name(prog),
	};
	int ifindex, err;

	(void)obj;
	if (!o->iface) {
		fprintf(stderr, "@NAME@: say which interface with -i IFACE (README: try it in a private network namespace)\n");
		return -EINVAL;
	}
	ifindex = bpfkit_ifindex(o->iface);
	if (ifindex < 0) {
		fprintf(stderr, "@NAME@: no interface '%s'\n", o->iface);
		return -ENODEV;
	}
	/* through bpfkit, as `bpfkit run` does: a bpf_link (detached when we
	 * exit, even if we crash), native mode falling back to skb, and -f
	 * replacing what is there in one step (bpfkit_xdp__undo puts it back) */
	err = bpfkit_xdp__replace(bpf_program__fd(prog), ifindex, &xo, &a->xdp);
	if (!err)
		a->has_xdp = true;
	return err;
}
