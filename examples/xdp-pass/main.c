/* examples/xdp-pass/main.c — the xdp-pass loader: its BPF object is embedded in this
 * binary; run it with -i IFACE, stop with Ctrl-C. */
#include <bpfkit/bpfkit.h>

BPFKIT_EMBED(xdp_pass, BPF_OBJ_PATH);

int main(int argc, char **argv)
{
	struct bpfkit_loader l = {
		.sz = sizeof(l),
		.name = "xdp-pass",
		.summary = "Attaches an XDP program that passes every packet.",
		.obj = xdp_pass_start,
		.obj_size = xdp_pass_end - xdp_pass_start,
	};

	return bpfkit_loader__main(&l, argc, argv);
}
