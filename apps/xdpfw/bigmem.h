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
/* From xdpfw_big_hold() to xdpfw_big_release() (xdpfw_state_apply's
 * span) a freed mapping is kept for the next array instead of unmapped;
 * the release unmaps the kept ones, so no process holds an apply's peak
 * afterwards (a sync agent, an exporter reading the rules every scrape). */
void xdpfw_big_hold(void);
void xdpfw_big_release(void);

#endif
