/* apps/xdpfw/state_int.h — what state.c (the pinned maps) lends apply.c
 * (writing a generation): not part of state.h's interface. */
#ifndef XDPFW_STATE_INT_H
#define XDPFW_STATE_INT_H
#include <stdint.h>
#include "state.h"

/* Bytes per entry of table map I (XM_CLASS, XM_TAB6, XM_TRIE4, XM_PORTS),
 * 0 for the other maps. */
size_t xdpfw_table_elem(int i);
/* Generation G's half of table F: 0 the class pool, 1 the IPv6 hash
 * table. */
uint8_t *xdpfw_table_half(struct xdpfw_state *st, int g, int f);
/* All definitions below HW (one batch call when the kernel allows), in an
 * array of ROOM >= HW (the slots past HW zeroed: never handed out, free);
 * freed with xdpfw_big_free(). */
int xdpfw_read_defs(struct xdpfw_state *st, uint32_t hw, uint32_t room, struct xdpfw_rule_def **out);
#endif
