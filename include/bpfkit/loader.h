/* bpfkit/loader.h — the whole main() of a small loader with its BPF object
 * embedded (the aya template's loader, in C):
 *
 *   BPFKIT_EMBED(xdp_hello, "build/bpf/xdp-hello.bpf.o");
 *   int main(int argc, char **argv)
 *   {
 *           struct bpfkit_loader l = { .sz = sizeof(l), .name = "xdp-hello",
 *                   .obj = xdp_hello_start, .obj_size = xdp_hello_end - xdp_hello_start };
 *           return bpfkit_loader__main(&l, argc, argv);
 *   }
 *
 * Options every loader gets: -i/--iface IF (default eth0, like the aya
 * template), -m/--mode, -f/--force, -t/--timeout SEC, -v, -q, -h. */
#ifndef BPFKIT_LOADER_H
#define BPFKIT_LOADER_H

#include <stddef.h>
#include <bpfkit/object.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_loader {
	size_t sz;
	const char *name;		/* for --help and messages */
	const char *summary;		/* one line for --help */
	const void *obj;		/* the embedded object */
	size_t obj_size;
	const char *extra_help;		/* more option lines for --help */
	/* Called for an argument the loader does not know. VALUE is the next
	 * argument (may be NULL). Return how many arguments were used (1 or 2),
	 * 0 if ARG is unknown, or -errno to stop: -EINVAL exits 2 (usage),
	 * anything else exits 1. */
	int (*option)(const char *arg, const char *value, void *ctx);
	/* Called after load, before attach (fill maps, set things up). */
	int (*prepare)(struct bpfkit_object *obj, void *ctx);
	void *ctx;
};
#define bpfkit_loader__last_field ctx

/* Parses argv, loads, attaches, streams output until Ctrl-C, detaches.
 * Returns the process exit code: 0 ok, 1 failure, 2 usage. */
BPFKIT_API int bpfkit_loader__main(const struct bpfkit_loader *l, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
