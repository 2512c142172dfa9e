/* examples/tracepoint-hello/main.c — says hello for every execve, through
 * the sys_enter_execve tracepoint. rust-ebpf-demo used a kprobe; asked for
 * one (--kprobe), this loader explains why this kernel cannot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpfkit/bpfkit.h>

BPFKIT_EMBED(tracepoint_hello, BPF_OBJ_PATH);

static int option(const char *arg, const char *value, void *ctx)
{
	char why[512];

	(void)ctx;
	if (strcmp(arg, "--kprobe"))
		return 0;
	if (bpfkit_feature__kprobes(why, sizeof(why))) {
		fprintf(stderr, "tracepoint-hello: this kernel has kprobes; this example uses the "
				"sys_enter_execve tracepoint all the same\n");
		return value && value[0] != '-' ? 2 : 1;
	}
	fprintf(stderr, "tracepoint-hello: --kprobe: %s\n", why);
	return -EOPNOTSUPP;
}

int main(int argc, char **argv)
{
	struct bpfkit_loader l = {
		.sz = sizeof(l),
		.name = "tracepoint-hello",
		.summary = "Says hello for every execve (tracepoint syscalls/sys_enter_execve).",
		.obj = tracepoint_hello_start,
		.obj_size = tracepoint_hello_end - tracepoint_hello_start,
		.extra_help = "  --kprobe [FN]      ask for the kprobe version (explains why not here)\n",
		.option = option,
	};

	return bpfkit_loader__main(&l, argc, argv);
}
