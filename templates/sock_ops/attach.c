#define ATTACH_USAGE "  -c, --cgroup DIR   the cgroup v2 directory (default: the root cgroup)\n"

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	int cg = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	(void)obj;
	if (cg < 0) {
		err = -errno;
		fprintf(stderr, "@NAME@: cgroup '%s': %s\n", o->cgroup, strerror(errno));
		return err;
	}
	/* a link: the program leaves the cgroup when we exit */
	err = keep_link(a, bpf_program__attach_cgroup(prog, cg));
	close(cg);
	return err;
}
