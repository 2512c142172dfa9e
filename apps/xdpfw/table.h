/* apps/xdpfw/table.h — the open-addressing prefix tables the datapath probes
 * (xdpfw_tab4, xdpfw_tab6; layout and hash in xdpfw_common.h), built in user
 * space straight into the maps' mmapped memory. */
#ifndef XDPFW_TABLE_H
#define XDPFW_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "xdpfw_common.h"

struct xdpfw_tabent {
	uint32_t tag;
	uint32_t addr[4];		/* network byte order; IPv4 in addr[0] */
	struct xdpfw_cls cls;
};

struct xdpfw_tabvec {
	struct xdpfw_tabent *e;
	size_t n, cap;
};

int xdpfw_tabvec_push(struct xdpfw_tabvec *v, uint32_t tag, const uint8_t *addr,
		      const struct xdpfw_cls *cls);
void xdpfw_tabvec_free(struct xdpfw_tabvec *v);

/* Bytes per slot of FAMILY's table (the array map's value size). */
size_t xdpfw_slot_size(int family);

/* Where each entry of a table goes: SIZE slots, AT[slot] = entry index + 1
 * (0: empty). */
struct xdpfw_table_plan {
	uint32_t size;
	uint32_t *at;
};

/* Plans the table for V: the smallest power of two with at least four times
 * as many slots as entries (twice when CAP is short; at least 16) at which
 * every entry lands fewer than XDPFW_MAX_PROBE slots from its hash position.
 * -E2BIG if none up to CAP slots does, -ENOMEM. Touches no map memory. */
int xdpfw_table_plan(int family, const struct xdpfw_tabvec *v, uint32_t cap,
		     struct xdpfw_table_plan *plan);
void xdpfw_table_plan_free(struct xdpfw_table_plan *plan);

/* Zeroes the first PLAN->size slots of REGION and puts V's entries where
 * PLAN says. */
void xdpfw_table_write(int family, const struct xdpfw_tabvec *v, const struct xdpfw_table_plan *plan,
		       void *region);

/* Non-empty slots among the first N of REGION. */
size_t xdpfw_table_used(int family, const void *region, uint32_t n);

#endif
