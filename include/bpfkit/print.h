/* bpfkit/print.h — where libbpfkit's (and libbpf's) messages go. */
#ifndef BPFKIT_PRINT_H
#define BPFKIT_PRINT_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFKIT_API __attribute__((visibility("default")))

enum bpfkit_print_level {
	BPFKIT_WARN,
	BPFKIT_INFO,
	BPFKIT_DEBUG,
};

typedef int (*bpfkit_print_fn_t)(enum bpfkit_print_level level,
				 const char *fmt, va_list args);

/* Install a print callback; returns the previous one. NULL silences
 * everything. The default prints warnings and info to stderr. libbpf's own
 * messages are routed through the same callback (libbpf warnings arrive at
 * BPFKIT_DEBUG: bpfkit reports failures itself, in its own words). */
BPFKIT_API bpfkit_print_fn_t bpfkit_set_print(bpfkit_print_fn_t fn);

/* Default callback's threshold: messages above it are dropped. */
BPFKIT_API void bpfkit_set_print_level(enum bpfkit_print_level max_level);

#ifdef __cplusplus
}
#endif
#endif
