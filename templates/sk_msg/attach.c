#define ATTACH_USAGE ""

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	int map_fd = bpf_object__find_map_fd_by_name(obj, "sock_map");

	(void)o;
	(void)a;
	if (map_fd < 0)
		return -ENOENT;
	/* attached to the map; closing the object detaches it */
	if (bpf_prog_attach(bpf_program__fd(prog), map_fd, BPF_SK_MSG_VERDICT, 0))
		return -errno;
	return 0;
}
