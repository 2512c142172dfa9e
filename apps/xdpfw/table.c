/* apps/xdpfw/table.c — builds the datapath's prefix tables (table.h): linear
 * probing in a power-of-two array, every entry within XDPFW_MAX_PROBE slots
 * of its hash position, so the datapath's probe loop is short and bounded.
 * Entries are written into the inactive generation's half of the mmapped
 * map, so building never disturbs packets in flight. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"

int xdpfw_tabvec_push(struct xdpfw_tabvec *v, uint32_t tag, const uint8_t *addr,
		      const struct xdpfw_cls *cls)
{
	struct xdpfw_tabent *e;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		struct xdpfw_tabent *ne = realloc(v->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		v->e = ne;
		v->cap = cap;
	}
	e = &v->e[v->n++];
	e->tag = tag;
	memcpy(e->addr, addr, 16);
	e->cls = *cls;
	return 0;
}

void xdpfw_tabvec_free(struct xdpfw_tabvec *v)
{
	free(v->e);
	memset(v, 0, sizeof(*v));
}

size_t xdpfw_slot_size(int family)
{
	return family == 4 ? sizeof(struct xdpfw_slot4) : sizeof(struct xdpfw_slot6);
}

static uint64_t hash_of(int family, const struct xdpfw_tabent *e)
{
	return family == 4 ? xdpfw_hash4(e->tag, e->addr[0]) : xdpfw_hash6(e->tag, e->addr);
}

static uint32_t slot_tag(int family, const void *region, uint32_t i)
{
	const uint8_t *s = (const uint8_t *)region + (size_t)i * xdpfw_slot_size(family);
	uint32_t tag;

	memcpy(&tag, s, 4);
	return tag;
}

static void slot_put(int family, void *region, uint32_t i, const struct xdpfw_tabent *e)
{
	uint8_t *s = (uint8_t *)region + (size_t)i * xdpfw_slot_size(family);

	if (family == 4) {
		struct xdpfw_slot4 v = { .tag = e->tag, .addr = e->addr[0], .cls = e->cls };

		memcpy(s, &v, sizeof(v));
	} else {
		struct xdpfw_slot6 v = { .tag = e->tag, .cls = e->cls };

		memcpy(v.addr, e->addr, 16);
		memcpy(s, &v, sizeof(v));
	}
}

static uint32_t home_of(int family, const struct xdpfw_tabent *e, uint32_t size)
{
	return hash_of(family, e) >> (64 - __builtin_ctz(size));
}

/* Robin Hood placement of V in SIZE slots: AT[slot] = entry index + 1 (0:
 * empty), HOME[slot] its hash position. An entry that has come further from
 * its home than the resident takes the slot, and the resident moves on, so
 * distances stay even. False when one ends XDPFW_MAX_PROBE or more away. */
static bool place(int family, const struct xdpfw_tabvec *v, uint32_t *at, uint32_t *home,
		  uint32_t size)
{
	uint32_t m = size - 1;

	memset(at, 0, (size_t)size * sizeof(*at));
	for (size_t k = 0; k < v->n; k++) {
		uint32_t ent = k + 1, h = home_of(family, &v->e[k], size), s = h;

		for (;;) {
			uint32_t t;

			if ((s - h) & m & ~(uint32_t)(XDPFW_MAX_PROBE - 1))
				return false;
			if (!at[s]) {
				at[s] = ent;
				home[s] = h;
				break;
			}
			if (((s - home[s]) & m) < ((s - h) & m)) {
				t = at[s], at[s] = ent, ent = t;
				t = home[s], home[s] = h, h = t;
			}
			s = (s + 1) & m;
		}
	}
	return true;
}

int xdpfw_table_plan(int family, const struct xdpfw_tabvec *v, uint32_t cap,
		     struct xdpfw_table_plan *plan)
{
	uint64_t n = 16;
	uint32_t *at, *home;
	int rc = -E2BIG;

	memset(plan, 0, sizeof(*plan));
	/* a quarter full where the room allows (most lookups then end at the
	 * home slot), at most half full */
	while (n < 4 * (uint64_t)v->n)
		n *= 2;
	if (n > cap && n / 2 >= 2 * (uint64_t)v->n)
		n /= 2;
	if (n > cap)
		return -E2BIG;
	at = malloc((size_t)cap * sizeof(*at));
	home = malloc((size_t)cap * sizeof(*home));
	for (; at && home && n <= cap; n *= 2)
		if (place(family, v, at, home, (uint32_t)n)) {
			plan->size = (uint32_t)n;
			plan->at = at;
			at = NULL;
			rc = 0;
			break;
		}
	if (rc && (!at || !home))
		rc = -ENOMEM;
	free(at);
	free(home);
	return rc;
}

void xdpfw_table_plan_free(struct xdpfw_table_plan *plan)
{
	free(plan->at);
	memset(plan, 0, sizeof(*plan));
}

void xdpfw_table_write(int family, const struct xdpfw_tabvec *v, const struct xdpfw_table_plan *plan,
		       void *region)
{
	memset(region, 0, (size_t)plan->size * xdpfw_slot_size(family));
	for (uint32_t s = 0; s < plan->size; s++)
		if (plan->at[s])
			slot_put(family, region, s, &v->e[plan->at[s] - 1]);
}

size_t xdpfw_table_used(int family, const void *region, uint32_t n)
{
	size_t used = 0;

	for (uint32_t i = 0; i < n; i++)
		used += slot_tag(family, region, i) != 0;
	return used;
}
