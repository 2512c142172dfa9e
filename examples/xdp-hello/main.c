/* examples/xdp-hello/main.c — the xdp-hello loader: its BPF object is embedded in this
 * binary; run it with -i IFACE, stop with Ctrl-C. */
#include <bpfkit/bpfkit.h>

BPFKIT_EMBED(xdp_hello, BPF_OBJ_PATH);

int main(int argc, char **argv)
{
	struct bpfkit_loader l = {
		.sz = sizeof(l),
		.name = "xdp-hello",
		.summary = "Prints a line for every packet that reaches IFACE.",
		.obj = xdp_hello_start,
		.obj_size = xdp_hello_end - xdp_hello_start,
	};

	return bpfkit_loader__main(&l, argc, argv);
}
