#define ATTACH_USAGE "  -T, --target B:F   binary (or library) and function to probe (default libc.so.6:getpid)\n"

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = false);
	char binary[512];
	const char *colon = strrchr(o->target, ':');

	(void)obj;
	if (!colon || colon == o->target || !colon[1] || (size_t)(colon - o->target) >= sizeof(binary)) {
		fprintf(stderr, "@NAME@: --target wants BINARY:FUNCTION, not '%s'\n", o->target);
		return -EINVAL;
	}
	snprintf(binary, sizeof(binary), "%.*s", (int)(colon - o->target), o->target);
	uo.func_name = colon + 1;
	/* pid -1: every process that runs the binary */
	return keep_link(a, bpf_program__attach_uprobe_opts(prog, -1, binary, 0, &uo));
}
