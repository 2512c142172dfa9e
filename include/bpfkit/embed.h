/* bpfkit/embed.h — embed a compiled BPF object in a loader binary, the C
 * counterpart of aya's include_bytes_aligned!.
 *
 *   BPFKIT_EMBED(xdp_hello, "build/bpf/xdp-hello.bpf.o");
 *   obj = bpfkit_object__open_mem(xdp_hello_start,
 *                                 xdp_hello_end - xdp_hello_start, NULL);
 *
 * PATH is read by the assembler, relative to the compiler's working directory
 * (or an -I path). Make the loader depend on the object so it is rebuilt. */
#ifndef BPFKIT_EMBED_H
#define BPFKIT_EMBED_H

#define BPFKIT_EMBED(sym, path)						\
	__asm__(".pushsection .rodata." #sym ",\"a\"\n"			\
		".balign 8\n"						\
		".globl " #sym "_start\n"				\
		".hidden " #sym "_start\n"				\
		#sym "_start:\n"					\
		".incbin \"" path "\"\n"				\
		".globl " #sym "_end\n"					\
		".hidden " #sym "_end\n"				\
		#sym "_end:\n"						\
		".popsection\n");					\
	extern const unsigned char sym##_start[] __attribute__((aligned(8))); \
	extern const unsigned char sym##_end[]

#endif
