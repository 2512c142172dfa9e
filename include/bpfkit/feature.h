/* bpfkit/feature.h — what this kernel can do, and why not when it can't. */
#ifndef BPFKIT_FEATURE_H
#define BPFKIT_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if the kernel has kprobes (CONFIG_KPROBES), 0 if not. When 0 and WHY is
 * given, a sentence for the user is written there. */
BPFKIT_API int bpfkit_feature__kprobes(char *why, size_t why_sz);

/* 1 if fentry/fexit programs can be loaded, 0 if not (WHY as above). */
BPFKIT_API int bpfkit_feature__fentry(char *why, size_t why_sz);

#ifdef __cplusplus
}
#endif
#endif
