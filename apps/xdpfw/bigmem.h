/* apps/xdpfw/bigmem.h — the large arrays an apply allocates (one entry per
 * rule, prefix or table entry): malloc's contract, cheaper pages
 * (bigmem.c says why). A pointer from these is freed or resized only by
 * them, never by free() or realloc(). */
#ifndef XDPFW_BIGMEM_H
#define XDPFW_BIGMEM_H

#include <stddef.h>

void *xdpfw_big_alloc(size_t n);
void *xdpfw_big_calloc(size_t count, size_t size);
void *xdpfw_big_realloc(void *p, size_t n);
void xdpfw_big_free(void *p);
/* Unmaps the freed mappings kept for reuse (xdpfw_state_apply calls it
 * when done, so a long-running process does not hold an apply's peak). */
void xdpfw_big_release(void);

#endif
