/* apps/xdpfw/rules.c — the xdpfw rule language: parser (with file:line:col
 * errors), formatter, set checks and the reference evaluator. The evaluator
 * is the definition of "which rule wins"; compile.c builds maps that give
 * the same answer without looping, and the tests compare the two.
 *
 * Precedence among matching rules (first difference decides):
 *   1. longer source prefix      2. longer destination prefix
 *   3. a named protocol over any 4. narrower destination port range
 *   5. narrower source port range 6. earlier in the rule set */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bigmem.h"
#include "rules.h"

void xdpfw_ruleset_init(struct xdpfw_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->policy = -1;
}

void xdpfw_ruleset_free(struct xdpfw_ruleset *rs)
{
	xdpfw_big_free(rs->r);
	xdpfw_ruleset_init(rs);
}

int xdpfw_ruleset_add(struct xdpfw_ruleset *rs, const struct xdpfw_rule *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct xdpfw_rule *nr = xdpfw_big_realloc(rs->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		rs->r = nr;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

const char *xdpfw_policy_str(int policy)
{
	return policy == XDPFW_DENY ? "deny" : "allow";
}

int xdpfw_policy_parse(const char *s)
{
	if (!strcmp(s, "allow"))
		return XDPFW_ALLOW;
	if (!strcmp(s, "deny"))
		return XDPFW_DENY;
	return -1;
}

static const char *const proto_names[XDPFW_NPROTO] = {
	[XDPFW_P_OTHER] = "other", [XDPFW_P_TCP] = "tcp", [XDPFW_P_UDP] = "udp",
	[XDPFW_P_ICMP] = "icmp", [XDPFW_P_ICMPV6] = "icmpv6",
};

int xdpfw_proto_index(uint8_t ipproto)
{
	switch (ipproto) {
	case 6: return XDPFW_P_TCP;
	case 17: return XDPFW_P_UDP;
	case 1: return XDPFW_P_ICMP;
	case 58: return XDPFW_P_ICMPV6;
	default: return XDPFW_P_OTHER;
	}
}

/* ---- parsing ---------------------------------------------------------- */

struct tok {
	const char *s;
	int len;
	int col;		/* 1-based */
};

#define MAX_TOKS 32

struct perr {
	int col;
	char *buf;
	size_t sz;
};

static int fail(struct perr *e, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct perr *e, int col, const char *fmt, ...)
{
	va_list ap;

	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->sz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool tok_is(const struct tok *t, const char *w)
{
	return (int)strlen(w) == t->len && !memcmp(t->s, w, t->len);
}

/* Copies a token into BUF (NUL-terminated, truncated to fit). */
static const char *tok_str(const struct tok *t, char *buf, size_t sz)
{
	size_t n = (size_t)t->len < sz - 1 ? (size_t)t->len : sz - 1;

	memcpy(buf, t->s, n);
	buf[n] = 0;
	return buf;
}

static bool host_bits_clear(const uint8_t *a, int alen, int plen)
{
	for (int i = 0; i < alen * 8; i++)
		if (i >= plen && (a[i / 8] & (0x80 >> (i % 8))))
			return false;
	return true;
}

static void mask_prefix(uint8_t *a, int alen, int plen)
{
	for (int i = plen; i < alen * 8; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

/* "any" -> *family 0; "A", "A/N" -> family 4 or 6. */
static int parse_prefix(const struct tok *t, uint8_t addr[16], uint8_t *plen, uint8_t *family,
			struct perr *e)
{
	char buf[96], *slash, *end;
	int alen, fam;
	long n;

	if (tok_is(t, "any")) {
		*family = 0;
		return 0;
	}
	if (t->len >= (int)sizeof(buf))
		return fail(e, t->col, "'%.40s...' is not an address or prefix", t->s);
	tok_str(t, buf, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		fam = 4;
		alen = 4;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		fam = 6;
		alen = 16;
	} else {
		return fail(e, t->col, "'%s' is not an IPv4 or IPv6 address", buf);
	}
	n = alen * 8;
	if (slash) {
		if (!isdigit((unsigned char)slash[1]))
			return fail(e, t->col + (int)(slash - buf) + 1,
				    "prefix length after '/' must be a number");
		errno = 0;
		n = strtol(slash + 1, &end, 10);
		if (*end)
			return fail(e, t->col + (int)(slash - buf) + 1, "prefix length '%s' is not a number",
				    slash + 1);
		if (errno || n < 0 || n > alen * 8)
			return fail(e, t->col + (int)(slash - buf) + 1,
				    "prefix length '%s' out of range (0-%d for IPv%d)", slash + 1,
				    alen * 8, fam);
	}
	if (!host_bits_clear(addr, alen, n)) {
		char net[64];
		uint8_t m[16];

		memcpy(m, addr, 16);
		mask_prefix(m, alen, n);
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, m, net, sizeof(net));
		return fail(e, t->col, "'%s/%ld' has host bits set (the network is %s/%ld)",
			    buf, n, net, n);
	}
	*plen = n;
	*family = fam;
	return 0;
}

static int parse_port_num(const char *s, int len, int col, long *out, struct perr *e)
{
	long v = 0;

	if (len <= 0 || len > 9)
		return fail(e, col, "'%.*s' is not a port number", len > 20 ? 20 : len, s);
	for (int i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return fail(e, col, "'%.*s' is not a port number", len, s);
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return fail(e, col, "port %ld out of range (0-65535)", v);
	*out = v;
	return 0;
}

static int parse_ports(const struct tok *t, uint16_t *lo, uint16_t *hi, struct perr *e)
{
	const char *dash = memchr(t->s, '-', t->len);
	long a, b;

	if (tok_is(t, "any")) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	if (!dash) {
		if (parse_port_num(t->s, t->len, t->col, &a, e))
			return -EINVAL;
		*lo = *hi = a;
		return 0;
	}
	/* "-1", "5-", "1-2-3": say what the whole word is, not its empty half */
	if (dash == t->s || dash == t->s + t->len - 1 || memchr(dash + 1, '-', t->len - (dash - t->s) - 1))
		return fail(e, t->col, "'%.*s' is not a port or port range (N or N-M, 0-65535)",
			    t->len > 20 ? 20 : t->len, t->s);
	if (parse_port_num(t->s, dash - t->s, t->col, &a, e) ||
	    parse_port_num(dash + 1, t->len - (dash - t->s) - 1, t->col + (dash - t->s) + 1, &b, e))
		return -EINVAL;
	if (a > b)
		return fail(e, t->col, "port range %ld-%ld is backwards", a, b);
	*lo = a;
	*hi = b;
	return 0;
}

static int tokenize(const char *text, struct tok *toks, int *ntok, struct perr *e)
{
	const char *p = text;
	int n = 0;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == MAX_TOKS)
			return fail(e, (int)(p - text) + 1, "too many words on one line (max %d)", MAX_TOKS);
		toks[n].s = p;
		toks[n].col = (int)(p - text) + 1;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		toks[n].len = (int)(p - toks[n].s);
		if (!isprint((unsigned char)toks[n].s[0]))
			return fail(e, toks[n].col, "unexpected character 0x%02x",
				    (unsigned char)toks[n].s[0]);
		n++;
	}
	*ntok = n;
	return 0;
}

bool xdpfw_rule_has_ports(const struct xdpfw_rule_def *d)
{
	return (d->flags & XDPFW_RF_PORTS) || d->sport_lo || d->sport_hi != 65535 || d->dport_lo ||
	       d->dport_hi != 65535;
}

static int parse_rule_toks(const struct tok *t, int n, struct xdpfw_rule_def *d, struct perr *e)
{
	bool seen_src = false, seen_dst = false, seen_proto = false, seen_sp = false, seen_dp = false;
	bool ports_given = false;
	int proto_col = 0, port_col = 0, dst_col = 0;
	uint8_t sfam = 0, dfam = 0;
	char buf[64];

	memset(d, 0, sizeof(*d));
	d->proto = XDPFW_PROTO_ANY;
	d->sport_hi = d->dport_hi = 65535;
	if (tok_is(&t[0], "allow"))
		d->action = XDPFW_ALLOW;
	else if (tok_is(&t[0], "deny"))
		d->action = XDPFW_DENY;
	else
		return fail(e, t[0].col, "expected 'allow', 'deny' or 'policy', not '%s'",
			    tok_str(&t[0], buf, sizeof(buf)));

	for (int i = 1; i < n; i++) {
		const struct tok *k = &t[i], *v = i + 1 < n ? &t[i + 1] : NULL;
		bool *seen;

		if (tok_is(k, "log")) {
			if (d->flags & XDPFW_RF_LOG)
				return fail(e, k->col, "'log' given twice");
			d->flags |= XDPFW_RF_LOG;
			continue;
		}
		if (tok_is(k, "src") || tok_is(k, "from"))
			seen = &seen_src;
		else if (tok_is(k, "dst") || tok_is(k, "to"))
			seen = &seen_dst;
		else if (tok_is(k, "proto"))
			seen = &seen_proto;
		else if (tok_is(k, "sport"))
			seen = &seen_sp;
		else if (tok_is(k, "dport"))
			seen = &seen_dp;
		else
			return fail(e, k->col, "unknown word '%s' (src, dst, proto, sport, dport, log)",
				    tok_str(k, buf, sizeof(buf)));
		if (*seen)
			return fail(e, k->col, "'%s' given twice", tok_str(k, buf, sizeof(buf)));
		*seen = true;
		if (!v)
			return fail(e, k->col + k->len, "'%s' needs a value", tok_str(k, buf, sizeof(buf)));
		i++;
		if (seen == &seen_src) {
			if (parse_prefix(v, d->src, &d->src_plen, &sfam, e))
				return -EINVAL;
			if (sfam)
				d->flags |= XDPFW_RF_SRC;
		} else if (seen == &seen_dst) {
			dst_col = v->col;
			if (parse_prefix(v, d->dst, &d->dst_plen, &dfam, e))
				return -EINVAL;
			if (dfam)
				d->flags |= XDPFW_RF_DST;
		} else if (seen == &seen_proto) {
			proto_col = v->col;
			if (tok_is(v, "any")) {
				d->proto = XDPFW_PROTO_ANY;
			} else {
				int p;

				for (p = XDPFW_P_TCP; p < XDPFW_NPROTO; p++)
					if (tok_is(v, proto_names[p]))
						break;
				if (p == XDPFW_NPROTO)
					return fail(e, v->col, "unknown protocol '%s' (tcp, udp, icmp, icmpv6, any)",
						    tok_str(v, buf, sizeof(buf)));
				d->proto = p;
			}
		} else {
			/* 'any' is no condition, as for src, dst and proto; a
			 * range is one, even 0-65535 */
			if (!tok_is(v, "any"))
				ports_given = true;
			port_col = port_col ? port_col : v->col;
			if (seen == &seen_sp ? parse_ports(v, &d->sport_lo, &d->sport_hi, e)
					     : parse_ports(v, &d->dport_lo, &d->dport_hi, e))
				return -EINVAL;
		}
	}
	if (sfam && dfam && sfam != dfam)
		return fail(e, dst_col, "source is IPv%d but destination is IPv%d", sfam, dfam);
	d->family = sfam ? sfam : dfam;
	if (d->proto == XDPFW_P_ICMP && d->family == 6)
		return fail(e, proto_col, "icmp is IPv4's; IPv6 rules want icmpv6");
	if (d->proto == XDPFW_P_ICMPV6 && d->family == 4)
		return fail(e, proto_col, "icmpv6 is IPv6's; IPv4 rules want icmp");
	if (ports_given && d->proto != XDPFW_PROTO_ANY && d->proto != XDPFW_P_TCP &&
	    d->proto != XDPFW_P_UDP)
		return fail(e, port_col, "ports need proto tcp or udp (or any, meaning both)");
	/* every port, given, still means tcp and udp with proto any (with tcp
	 * or udp alone it is no condition at all) */
	if (ports_given && d->proto == XDPFW_PROTO_ANY && !xdpfw_rule_has_ports(d))
		d->flags |= XDPFW_RF_PORTS;
	if ((d->flags & XDPFW_RF_LOG) && d->action != XDPFW_DENY)
		return fail(e, t[0].col, "'log' is for deny rules (denied packets are logged)");
	return 0;
}

int xdpfw_rule_parse(const char *text, struct xdpfw_rule_def *d, int *col,
		     char *err, size_t errsz)
{
	struct perr e = { .buf = err, .sz = errsz };
	struct tok t[MAX_TOKS];
	int n, rc;

	rc = tokenize(text, t, &n, &e);
	if (!rc && n == 0)
		rc = fail(&e, 1, "empty rule");
	if (!rc && tok_is(&t[0], "policy"))
		rc = fail(&e, 1, "'policy' is not a rule");
	if (!rc)
		rc = parse_rule_toks(t, n, d, &e);
	if (rc && col)
		*col = e.col;
	return rc;
}

/* One line of a rules file at a time: the file is never held whole, so
 * what a rules file costs in memory is its rules, not its bytes. */
struct fparse {
	struct xdpfw_ruleset *rs;
	const char *name;
	int lineno, policy_line;
	char *err;
	size_t errsz;
};

static void fparse_begin(struct fparse *fp, struct xdpfw_ruleset *rs, const char *name,
			 char *err, size_t errsz)
{
	memset(fp, 0, sizeof(*fp));
	xdpfw_ruleset_init(rs);
	fp->rs = rs;
	fp->name = name ? name : "<rules>";
	fp->err = err;
	fp->errsz = errsz;
}

/* The first byte of LINE (LL bytes) no text file holds: NUL or a control
 * character other than tab and CR; -1 if none. */
static long binary_at(const char *line, size_t ll)
{
	for (size_t i = 0; i < ll; i++) {
		unsigned char c = line[i];

		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return (long)i;
	}
	return -1;
}

/* Parses the next line (LINE, LL bytes, NUL-terminated at LL). */
static int fparse_line(struct fparse *fp, const char *line, size_t ll)
{
	struct perr e;
	struct tok t[MAX_TOKS];
	char msg[256];
	long bad;
	int n, rc;

	e.buf = msg;
	e.sz = sizeof(msg);
	fp->lineno++;
	/* a UTF-8 byte-order mark, which some editors write first, is not text */
	if (fp->lineno == 1 && ll >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;
		ll -= 3;
	}
	bad = binary_at(line, ll);
	if (bad >= 0) {
		/* binary input is refused at its first byte, not after reading it all */
		if (line[bad])
			rc = fail(&e, (int)bad + 1, "unexpected character 0x%02x (a rules file is text)",
				  (unsigned char)line[bad]);
		else
			rc = fail(&e, (int)bad + 1, "NUL byte: binary data, not a rules file");
		goto fail_at;
	}
	if ((rc = tokenize(line, t, &n, &e)))
		goto fail_at;
	if (n == 0)
		return 0;
	if (tok_is(&t[0], "policy")) {
		char pb[8];
		int p;

		if (n < 2) {
			rc = fail(&e, t[0].col + t[0].len, "'policy' needs allow or deny");
			goto fail_at;
		}
		p = xdpfw_policy_parse(tok_str(&t[1], pb, sizeof(pb)));
		if (p < 0 || t[1].len >= (int)sizeof(pb)) {
			rc = fail(&e, t[1].col, "policy is allow or deny, not '%.20s'", t[1].s);
			goto fail_at;
		}
		if (n > 2) {
			rc = fail(&e, t[2].col, "unexpected '%.20s' after the policy", t[2].s);
			goto fail_at;
		}
		if (fp->policy_line) {
			rc = fail(&e, t[0].col, "policy already set on line %d", fp->policy_line);
			goto fail_at;
		}
		fp->policy_line = fp->lineno;
		fp->rs->policy = p;
		return 0;
	}
	struct xdpfw_rule r = { .line = fp->lineno };

	if ((rc = parse_rule_toks(t, n, &r.d, &e)))
		goto fail_at;
	r.d.order[0] = fp->rs->n;
	if ((rc = xdpfw_ruleset_add(fp->rs, &r))) {
		snprintf(fp->err, fp->errsz, "%s: out of memory", fp->name);
		return rc;
	}
	return 0;

fail_at:
	snprintf(fp->err, fp->errsz, "%s:%d:%d: %s", fp->name, fp->lineno, e.col, msg);
	return rc;
}

/* RC: what the lines gave; on success the whole-set checks run. */
static int fparse_end(struct fparse *fp, int rc)
{
	if (!rc)
		rc = xdpfw_ruleset_check(fp->rs, fp->name, fp->err, fp->errsz);
	if (rc)
		xdpfw_ruleset_free(fp->rs);
	return rc;
}

int xdpfw_rules_parse_text(const char *text, size_t len, const char *name,
			   struct xdpfw_ruleset *rs, char *err, size_t errsz)
{
	struct fparse fp;
	char *line = NULL;
	size_t off = 0, cap = 0;
	int rc = 0;

	fparse_begin(&fp, rs, name, err, errsz);
	while (off < len && !rc) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;

		if (ll + 1 > cap) {
			char *nb = realloc(line, ll + 1);

			if (!nb) {
				snprintf(err, errsz, "%s: out of memory", fp.name);
				rc = -ENOMEM;
				break;
			}
			line = nb;
			cap = ll + 1;
		}
		memcpy(line, text + off, ll);
		line[ll] = 0;
		off += ll + 1;
		rc = fparse_line(&fp, line, ll);
	}
	free(line);
	return fparse_end(&fp, rc);
}

size_t xdpfw_rules_max_bytes = XDPFW_RULES_MAX_BYTES;

/* "16 MiB" */
static const char *size_str(uint64_t b, char *buf, size_t sz)
{
	if (b >= (1u << 20) && !(b % (1u << 20)))
		snprintf(buf, sz, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 1024 && !(b % 1024))
		snprintf(buf, sz, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(buf, sz, "%llu bytes", (unsigned long long)b);
	return buf;
}

int xdpfw_rules_parse_file(const char *path, struct xdpfw_ruleset *rs, char *err, size_t errsz)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	size_t max = xdpfw_rules_max_bytes, total = 0, ll = 0;
	char line[XDPFW_RULES_MAX_LINE + 1], lim[32];
	struct fparse fp;
	struct stat sb;
	int c, rc = 0;

	xdpfw_ruleset_init(rs);
	if (!f) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	size_str(max, lim, sizeof(lim));
	/* fopen() opens a directory; reading it fails with EISDIR */
	if (!fstat(fileno(f), &sb)) {
		if (S_ISDIR(sb.st_mode)) {
			snprintf(err, errsz, "%s: is a directory, not a rules file", path);
			rc = -EISDIR;
		} else if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > max) {
			snprintf(err, errsz, "%s: %llu bytes, more than the %s a rules file may have "
				 "(--max-size raises the limit)", path, (unsigned long long)sb.st_size, lim);
			rc = -EFBIG;
		}
	}
	fparse_begin(&fp, rs, path, err, errsz);
	errno = 0;
	while (!rc && (c = getc_unlocked(f)) != EOF) {
		if (++total > max) {
			snprintf(err, errsz, "%s: more than %s of rules, the limit; stopped reading "
				 "(--max-size raises it)", path, lim);
			rc = -EFBIG;
			break;
		}
		if (c != '\n') {
			if (ll == XDPFW_RULES_MAX_LINE) {
				snprintf(err, errsz, "%s:%d: line longer than %d characters (not a rules file?)",
					 path, fp.lineno + 1, XDPFW_RULES_MAX_LINE);
				rc = -EINVAL;
				break;
			}
			line[ll++] = (char)c;
			/* refuse binary at once: /dev/zero never sends a newline */
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
				line[ll] = 0;
				rc = fparse_line(&fp, line, ll);
				break;
			}
			continue;
		}
		line[ll] = 0;
		rc = fparse_line(&fp, line, ll);
		ll = 0;
	}
	if (!rc && ferror(f)) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errsz, "%s: read error: %s", path, strerror(-rc));
	}
	if (!rc && ll) {
		line[ll] = 0;
		rc = fparse_line(&fp, line, ll);
	}
	if (!is_stdin)
		fclose(f);
	return fparse_end(&fp, rc);
}

/* ---- comparing, checking, formatting ----------------------------------- */

/* The packets a rule matches: everything but whether a prefix was written
 * (or the log flag). Of one family, 'src 0.0.0.0/0' matches what no source does (and a rule
 * with no prefix at all has family 0, both families). */
static int packets_cmp(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b)
{
	int c;

#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(family);
	CMP(src_plen);
	CMP(dst_plen);
	if ((c = memcmp(a->src, b->src, 16)))
		return c;
	if ((c = memcmp(a->dst, b->dst, 16)))
		return c;
	CMP(proto);
	CMP(sport_lo);
	CMP(sport_hi);
	CMP(dport_lo);
	CMP(dport_hi);
#undef CMP
	if ((a->flags ^ b->flags) & XDPFW_RF_PORTS)
		return (a->flags & XDPFW_RF_PORTS) ? 1 : -1;
	return 0;
}

static unsigned prefix_flags(const struct xdpfw_rule_def *d)
{
	return d->flags & (XDPFW_RF_SRC | XDPFW_RF_DST);
}

int xdpfw_rule_match_cmp(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b)
{
	int c = packets_cmp(a, b);

	if (c || prefix_flags(a) == prefix_flags(b))
		return c;
	return prefix_flags(a) < prefix_flags(b) ? -1 : 1;
}

static uint64_t match_hash(const struct xdpfw_rule_def *d, unsigned flags)
{
	uint64_t w[6], h = (uint64_t)d->family | (uint64_t)d->src_plen << 8 | (uint64_t)d->dst_plen << 16 |
			   (uint64_t)flags << 24 | (uint64_t)d->proto << 32 | (uint64_t)d->sport_lo << 40 |
			   (uint64_t)(d->flags & XDPFW_RF_PORTS) << 56;

	memcpy(w, d->src, 16);
	memcpy(w + 2, d->dst, 16);
	w[4] = (uint64_t)d->sport_hi | (uint64_t)d->dport_lo << 16 | (uint64_t)d->dport_hi << 32;
	w[5] = h;
	h = 0x243f6a8885a308d3ull;
	for (int i = 0; i < 6; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

/* Over exactly the fields xdpfw_rule_match_cmp() compares, so rules of the
 * same match hash alike whatever their action, log flag, order or padding. */
uint64_t xdpfw_rule_match_hash(const struct xdpfw_rule_def *d)
{
	return match_hash(d, prefix_flags(d));
}

bool xdpfw_rule_same_match(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b)
{
	return xdpfw_rule_match_cmp(a, b) == 0;
}

/* How rule R is named in messages: FILE:LINE:1, or the id `xdpfw rule
 * list` shows, or its text. */
static void rule_name(const struct xdpfw_ruleset *rs, size_t r, const char *name, const uint32_t *ids, size_t nids,
		      char *buf, size_t sz)
{
	char txt[160];

	xdpfw_rule_format(&rs->r[r].d, txt, sizeof(txt));
	if (name && rs->r[r].line)
		snprintf(buf, sz, "line %d", rs->r[r].line);
	else if (ids && r < nids)
		snprintf(buf, sz, "rule %u ('%s')", ids[r], txt);
	else
		snprintf(buf, sz, "'%s'", txt);
}

#define TWIN_WARNINGS 5		/* then a count */

/* A warning's place: "NAME:LINE:1: " for rule K read from a file, else "". */
static void rule_where(const struct xdpfw_ruleset *rs, size_t k, const char *name, char *buf, size_t sz)
{
	buf[0] = 0;
	if (name && rs->r[k].line)
		snprintf(buf, sz, "%s:%d:1: ", name, rs->r[k].line);
}

/* ::ffff:a.b.c.d (/96 and longer): how a dual-stack socket shows an IPv4
 * peer, never what an IPv6 packet carries */
static bool v4_mapped(const uint8_t *a, int plen)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return plen >= 96 && !memcmp(a, mapped, 12);
}

/* Per-rule warnings, at most TWIN_WARNINGS of each kind (then a count):
 * - a rule on an IPv4-mapped address cannot match;
 * - 'dport 0-65535' with proto any is tcp and udp only (xdpfw before
 *   2026-12-02 applied it to every protocol: a set written then now lets
 *   ICMP through where it denied it).
 * Warnings, not refusals: sets holding such rules were taken before. */
static void warn_rules(const struct xdpfw_ruleset *rs, const char *name)
{
	size_t nmapped = 0, nports = 0;

	for (size_t k = 0; k < rs->n; k++) {
		const struct xdpfw_rule_def *d = &rs->r[k].d;
		const uint8_t *a = NULL;
		char where[300], txt[160], v4[16];
		int plen = 0;

		if (d->family == 6 && (d->flags & XDPFW_RF_SRC) && v4_mapped(d->src, d->src_plen))
			a = d->src, plen = d->src_plen;
		else if (d->family == 6 && (d->flags & XDPFW_RF_DST) && v4_mapped(d->dst, d->dst_plen))
			a = d->dst, plen = d->dst_plen;
		if (a) {
			if (++nmapped > TWIN_WARNINGS)
				continue;
		} else if (!(d->flags & XDPFW_RF_PORTS) || ++nports > TWIN_WARNINGS) {
			continue;
		}
		rule_where(rs, k, name, where, sizeof(where));
		xdpfw_rule_format(d, txt, sizeof(txt));
		if (a) {
			inet_ntop(AF_INET, a + 12, v4, sizeof(v4));
			fprintf(stderr, "xdpfw: warning: %s'%s' never matches: IPv4 packets carry %s as IPv4, not as "
				"an IPv4-mapped IPv6 address (write %s/%d)\n", where, txt, v4, v4, plen - 96);
		} else {
			fprintf(stderr, "xdpfw: warning: %s'%s' matches tcp and udp only (every port of them), "
				"not ICMP or other protocols; leave the ports out to match every protocol\n", where, txt);
		}
	}
	if (nmapped > TWIN_WARNINGS)
		fprintf(stderr, "xdpfw: warning: and %zu more rules on IPv4-mapped IPv6 addresses\n",
			nmapped - TWIN_WARNINGS);
	if (nports > TWIN_WARNINGS)
		fprintf(stderr, "xdpfw: warning: and %zu more rules with every port, tcp and udp only\n",
			nports - TWIN_WARNINGS);
}

/* Duplicates and contradictions: each rule, in order, looked up among the
 * earlier ones by the packets it matches (open addressing over rule
 * indexes, the hash's top half kept beside each to pass others over
 * without comparing): the first rule of the set repeating an earlier match
 * is refused, with that earlier rule. A rule that differs from an earlier
 * one only by a written /0 prefix matches the same packets and never
 * decides (the earlier wins the tie): warned about, not refused, since
 * xdpfw took such sets before 2026-12 and a boot restore must not fail on
 * them. No sort: a million rules are checked in one pass. */
int xdpfw_ruleset_check_ids(const struct xdpfw_ruleset *rs, const char *name, const uint32_t *ids,
			    size_t nids, char *err, size_t errsz)
{
	uint64_t *at, size = 16;
	size_t twins = 0;
	int rc = 0;

	warn_rules(rs, name);
	if (rs->n < 2)
		return 0;
	while (size < 2 * (uint64_t)rs->n)
		size *= 2;
	at = xdpfw_big_calloc(size, sizeof(*at));
	if (!at) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < rs->n && !rc; k++) {
		const struct xdpfw_rule *b = &rs->r[k];
		uint64_t h = match_hash(&b->d, 0), tag = h >> 32 << 32;
		size_t i = h & (size - 1), twin = 0;
		char txt[160], an[200];

		/* every earlier rule matching the same packets is in this chain */
		for (; at[i]; i = (i + 1) & (size - 1)) {
			const struct xdpfw_rule *a = &rs->r[(uint32_t)at[i] - 1];

			if ((at[i] & ~0xffffffffull) != tag || packets_cmp(&a->d, &b->d))
				continue;
			if (prefix_flags(&a->d) == prefix_flags(&b->d))
				break;
			if (!twin)
				twin = (uint32_t)at[i];
		}
		if (!at[i]) {
			at[i] = tag | (k + 1);
			if (twin && ++twins <= TWIN_WARNINGS) {
				char where[300];

				rule_where(rs, k, name, where, sizeof(where));
				xdpfw_rule_format(&b->d, txt, sizeof(txt));
				rule_name(rs, twin - 1, name, ids, nids, an, sizeof(an));
				fprintf(stderr, "xdpfw: warning: %s'%s' matches the same packets as %s (a /0 prefix "
					"is no prefix): the earlier one decides, this one never does\n", where, txt, an);
			}
			continue;
		}
		xdpfw_rule_format(&b->d, txt, sizeof(txt));
		rule_name(rs, (uint32_t)at[i] - 1, name, ids, nids, an, sizeof(an));
		if (name && b->line)
			snprintf(err, errsz, "%s:%d:1: '%s' %s %s", name, b->line, txt,
				 rs->r[(uint32_t)at[i] - 1].d.action == b->d.action ? "duplicates" : "contradicts", an);
		else
			snprintf(err, errsz, "'%s' %s %s", txt,
				 rs->r[(uint32_t)at[i] - 1].d.action == b->d.action ? "duplicates" : "contradicts", an);
		rc = -EINVAL;
	}
	if (twins > TWIN_WARNINGS)
		fprintf(stderr, "xdpfw: warning: and %zu more rules that only a /0 prefix tells from an earlier one\n",
			twins - TWIN_WARNINGS);
	xdpfw_big_free(at);
	return rc;
}

int xdpfw_ruleset_check(const struct xdpfw_ruleset *rs, const char *name, char *err, size_t errsz)
{
	return xdpfw_ruleset_check_ids(rs, name, NULL, 0, err, errsz);
}

static void fmt_prefix(const uint8_t *a, int plen, int family, char *buf, size_t sz)
{
	char s[64];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	snprintf(buf, sz, "%s/%d", s, plen);
}

static void fmt_ports(const char *kw, uint16_t lo, uint16_t hi, char *buf, size_t sz)
{
	if (lo == 0 && hi == 65535)
		buf[0] = 0;
	else if (lo == hi)
		snprintf(buf, sz, " %s %u", kw, lo);
	else
		snprintf(buf, sz, " %s %u-%u", kw, lo, hi);
}

void xdpfw_rule_format(const struct xdpfw_rule_def *d, char *buf, size_t sz)
{
	char src[96] = "", dst[96] = "", proto[24] = "", sp[24], dp[24], p[72];

	if (d->flags & XDPFW_RF_SRC) {
		fmt_prefix(d->src, d->src_plen, d->family, p, sizeof(p));
		snprintf(src, sizeof(src), " src %s", p);
	}
	if (d->flags & XDPFW_RF_DST) {
		fmt_prefix(d->dst, d->dst_plen, d->family, p, sizeof(p));
		snprintf(dst, sizeof(dst), " dst %s", p);
	}
	if (d->proto < XDPFW_NPROTO)
		snprintf(proto, sizeof(proto), " proto %s", proto_names[d->proto]);
	fmt_ports("sport", d->sport_lo, d->sport_hi, sp, sizeof(sp));
	fmt_ports("dport", d->dport_lo, d->dport_hi, dp, sizeof(dp));
	if ((d->flags & XDPFW_RF_PORTS) && !sp[0] && !dp[0])
		snprintf(dp, sizeof(dp), " dport 0-65535");
	snprintf(buf, sz, "%s%s%s%s%s%s%s", d->action == XDPFW_DENY ? "deny" : "allow",
		 src, dst, proto, sp, dp, (d->flags & XDPFW_RF_LOG) ? " log" : "");
}

/* ---- the reference evaluator ------------------------------------------ */

static bool prefix_match(const uint8_t *net, int plen, const uint8_t *a)
{
	int full = plen / 8, rest = plen % 8;

	if (memcmp(net, a, full))
		return false;
	return !rest || !((net[full] ^ a[full]) & (0xff00 >> rest));
}

bool xdpfw_rule_matches(const struct xdpfw_rule_def *d, const struct xdpfw_pkt *p)
{
	int pidx = xdpfw_proto_index(p->ipproto);

	if (d->family && d->family != p->family)
		return false;
	if ((d->flags & XDPFW_RF_SRC) && !prefix_match(d->src, d->src_plen, p->saddr))
		return false;
	if ((d->flags & XDPFW_RF_DST) && !prefix_match(d->dst, d->dst_plen, p->daddr))
		return false;
	if (d->proto != XDPFW_PROTO_ANY && d->proto != pidx)
		return false;
	if (xdpfw_rule_has_ports(d)) {
		if (pidx != XDPFW_P_TCP && pidx != XDPFW_P_UDP)
			return false;
		if (p->sport < d->sport_lo || p->sport > d->sport_hi ||
		    p->dport < d->dport_lo || p->dport > d->dport_hi)
			return false;
	}
	return true;
}

int xdpfw_rule_prec(const struct xdpfw_rule_def *a, const struct xdpfw_rule_def *b)
{
	int wa, wb;

	if (a->src_plen != b->src_plen)
		return a->src_plen > b->src_plen ? 1 : -1;
	if (a->dst_plen != b->dst_plen)
		return a->dst_plen > b->dst_plen ? 1 : -1;
	if ((a->proto == XDPFW_PROTO_ANY) != (b->proto == XDPFW_PROTO_ANY))
		return a->proto != XDPFW_PROTO_ANY ? 1 : -1;
	wa = a->dport_hi - a->dport_lo;
	wb = b->dport_hi - b->dport_lo;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	wa = a->sport_hi - a->sport_lo;
	wb = b->sport_hi - b->sport_lo;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	if (a->order[0] != b->order[0])	/* a rule set keeps positions in order[0] */
		return a->order[0] < b->order[0] ? 1 : -1;
	return 0;
}

long xdpfw_rules_eval(const struct xdpfw_ruleset *rs, const struct xdpfw_pkt *p)
{
	long best = -1;

	for (size_t i = 0; i < rs->n; i++)
		if (xdpfw_rule_matches(&rs->r[i].d, p) &&
		    (best < 0 || xdpfw_rule_prec(&rs->r[i].d, &rs->r[best].d) > 0))
			best = i;
	return best;
}

uint32_t xdpfw_verdict(const struct xdpfw_rule_def *d, uint32_t slot)
{
	uint32_t v = (slot + 1) & XDPFW_V_SLOT_MASK;

	if (d->action == XDPFW_DENY)
		v |= XDPFW_V_DENY;
	if (d->flags & XDPFW_RF_LOG)
		v |= XDPFW_V_LOG;
	return v;
}
