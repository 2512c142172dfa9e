#define ATTACH_USAGE ""

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	(void)obj;
	(void)o;
	return keep_link(a, bpf_program__attach(prog));	/* no tracefs needed */
}
