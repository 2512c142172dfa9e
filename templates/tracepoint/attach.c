#define ATTACH_USAGE ""

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	(void)obj;
	(void)o;
	/* the tracepoint's id lives in tracefs: mount it if it is not */
	if (!bpfkit_tracefs__ensure())
		return -errno;
	return keep_link(a, bpf_program__attach(prog));
}
