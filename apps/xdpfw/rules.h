/* apps/xdpfw/rules.h — xdpfw rules in user space: the rule-file parser, the
 * formatter (`save`), set checks (duplicates, contradictions), the reference
 * evaluator that defines which rule wins, and the compiler to prefix-table
 * entries (compile.c). */
#ifndef XDPFW_RULES_H
#define XDPFW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpfw_common.h"

struct xdpfw_rule {
	struct xdpfw_rule_def d;
	int line;			/* source line (0: not from a file) */
};

struct xdpfw_ruleset {
	struct xdpfw_rule *r;
	size_t n, cap;
	int policy;			/* XDPFW_ALLOW/XDPFW_DENY, -1 if the text set none */
};

void xdpfw_ruleset_init(struct xdpfw_ruleset *rs);
void xdpfw_ruleset_free(struct xdpfw_ruleset *rs);
int xdpfw_ruleset_add(struct xdpfw_ruleset *rs, const struct xdpfw_rule *r);

/* Parses one rule ("deny src 10.0.0.0/8 proto tcp dport 22 log"). On error
 * returns -EINVAL, *col gets the 1-based column and ERR the reason. */
int xdpfw_rule_parse(const char *text, struct xdpfw_rule_def *d, int *col,
		     char *err, size_t errsz);

/* Parses a whole rules file (rules, "policy allow|deny", comments). Rules get
 * order = their position. On error: -EINVAL and ERR = "NAME:LINE:COL: why";
 * RS is then left empty. Runs xdpfw_ruleset_check too. */
int xdpfw_rules_parse_text(const char *text, size_t len, const char *name,
			   struct xdpfw_ruleset *rs, char *err, size_t errsz);
/* Reads PATH ('-': stdin) line by line, never more than
 * xdpfw_rules_max_bytes (-EFBIG beyond, and a file that says it is larger is
 * refused before reading); binary input (NUL, control bytes) and lines
 * longer than XDPFW_RULES_MAX_LINE are refused where they start. */
int xdpfw_rules_parse_file(const char *path, struct xdpfw_ruleset *rs,
			   char *err, size_t errsz);

#define XDPFW_RULES_MAX_BYTES	(16u << 20)	/* default: ~300k rules of 50 bytes */
#define XDPFW_RULES_MAX_LINE	4096
extern size_t xdpfw_rules_max_bytes;

/* Refuses duplicate rules and contradictory ones (same match, other action).
 * NAME (may be NULL) prefixes the error with "NAME:LINE:1: ". */
int xdpfw_ruleset_check(const struct xdpfw_ruleset *rs, const char *name,
			char *err, size_t errsz);
/* The same; a rule of the first NIDS without a line is named by IDS[i]
 * (the ids `xdpfw rule list` shows). */
int xdpfw_ruleset_check_ids(const struct xdpfw_ruleset *rs, const char *name, const uint32_t *ids,
			    size_t nids, char *err, size_t errsz);

/* The rule in the file format, without a newline. */
void xdpfw_rule_format(const struct xdpfw_rule_def *d, char *buf, size_t sz);
/* Same match fields (ignores action, log, order)? */
bool xdpfw_rule_same_match(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b);
int xdpfw_rule_match_cmp(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b);
/* A hash of the fields xdpfw_rule_match_cmp() compares (equal matches,
 * equal hashes). */
uint64_t xdpfw_rule_match_hash(const struct xdpfw_rule_def *d);

const char *xdpfw_policy_str(int policy);
int xdpfw_policy_parse(const char *s);	/* XDPFW_ALLOW/XDPFW_DENY or -1 */

/* A packet as the reference evaluator sees it. */
struct xdpfw_pkt {
	int family;			/* 4 or 6 */
	uint8_t saddr[16], daddr[16];
	uint8_t ipproto;		/* IP protocol number */
	uint16_t sport, dport;		/* host order; ignored unless TCP/UDP */
};

int xdpfw_proto_index(uint8_t ipproto);
/* A port condition (only TCP and UDP packets can match it)? */
bool xdpfw_rule_has_ports(const struct xdpfw_rule_def *d);
bool xdpfw_rule_matches(const struct xdpfw_rule_def *d, const struct xdpfw_pkt *p);
/* > 0 if A takes precedence over B (both matching the same packet). */
int xdpfw_rule_prec(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b);
/* Index of the rule that decides P, -1 if none matches (default policy). */
long xdpfw_rules_eval(const struct xdpfw_ruleset *rs, const struct xdpfw_pkt *p);

/* Where compile() sends the entries it produces. */
struct xdpfw_emit {
	/* ADDR: 16 bytes, masked to PLEN, IPv4 in the first 4 */
	int (*src)(void *ctx, int family, unsigned gen, int plen, const uint8_t *addr,
		   const struct xdpfw_cls *v);
	int (*dst)(void *ctx, int family, uint32_t class, int plen, const uint8_t *addr,
		   const struct xdpfw_cls *v);
	/* a port table: N intervals starting at STARTS (sorted, the first 0)
	 * with verdicts VS; *ID gets its id (< 2^24) */
	int (*ptable)(void *ctx, const uint32_t *starts, const uint32_t *vs, size_t n, uint32_t *id);
	void *ctx;
	/* optional, before any IPv4 entry: the N distinct IPv4 source prefixes
	 * ADDR[k]/PLEN[k] (host byte order, sorted by address, then length);
	 * an error refuses the set there, before it is compiled */
	int (*src4)(void *ctx, const uint32_t *addr, const uint8_t *plen, size_t n);
	/* optional (xdpfw_compile_two): the second thread's callbacks (src,
	 * dst, ptable: its IPv6 entries, then those of the part of the IPv4
	 * rules it takes once they are done); NULL: it uses these, and
	 * compiles no IPv4 rule */
	const struct xdpfw_emit *side;
};

struct xdpfw_compile_stats {
	size_t src, dst, port, classes, tables;	/* port: intervals */
	size_t shared4;		/* IPv4 source entries the second thread of
				 * xdpfw_compile_two() compiled */
};

/* Compiles RS for generation GEN; SLOTS[i] is the counter slot of rule i.
 * 0 or the first error an emit callback returned (-ENOMEM, -E2BIG...). */
int xdpfw_compile(const struct xdpfw_ruleset *rs, const uint32_t *slots, unsigned gen,
		  const struct xdpfw_emit *emit, struct xdpfw_compile_stats *st);

/* As xdpfw_compile(), with the IPv6 rules compiled on a second thread
 * (bgjob.h), after SIDE(SIDE_ARG) if SIDE is not NULL (work of the
 * caller's that can run beside the compiler), and the IPv4 rules on this
 * one; with EMIT->side, the second thread sends its entries there, and
 * takes part of the IPv4 rules' walk once its own are done. The callbacks
 * are called from both at once: without EMIT->side, src/dst with one
 * family each, ptable (called with the port tables both share locked)
 * and src4 must take that; one that fails the other thread's with
 * -ECANCELED stops it there. Class ids are per family, distinct across
 * EMIT and EMIT->side; they and port-table ids follow the order the two
 * threads reach them in. Returns the error that says the set does not fit
 * (-E2BIG, -ENOSPC) before any other. */
int xdpfw_compile_two(const struct xdpfw_ruleset *rs, const uint32_t *slots, unsigned gen,
		      const struct xdpfw_emit *emit, struct xdpfw_compile_stats *st,
		      void (*side)(void *arg), void *side_arg);
/* Test hook: xdpfw_compile_two()'s first thread leaves the first IPv4
 * chunk to the second (tests see the shared walk on small sets). */
extern bool xdpfw_compile_test_share;

/* The verdict a rule produces. */
uint32_t xdpfw_verdict(const struct xdpfw_rule_def *d, uint32_t slot);

#endif
