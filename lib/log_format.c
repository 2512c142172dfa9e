/* lib/log_format.c — the user-space half of bpfkit logging that needs no
 * kernel: parsing the call-site table (".rodata.bklog", see
 * bpf/include/bpfkit/log_common.h), checking each site's format against its
 * arguments, and turning a raw ring-buffer record into text. Input is never
 * trusted: the table comes from a file or a pinned map, records from a ring
 * buffer, so every length is checked and bad input yields an error text. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "log_format.h"

static const char *const level_names[] = { "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };

const char *log_level__name(int level)
{
	return level >= 0 && level <= BK_LOG_TRACE ? level_names[level] : "?";
}

int log_level__parse(const char *s)
{
	static const char *const lower[] = { "off", "error", "warn", "info", "debug", "trace" };

	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '5' && !s[1])
		return s[0] - '0';
	for (int i = 0; i <= BK_LOG_TRACE; i++)
		if (!strcasecmp(s, lower[i]))
			return i;
	if (!strcasecmp(s, "warning"))
		return BK_LOG_WARN;
	return -1;
}

/* ---- conversion specifications ---- */

struct spec {
	char flags[8];
	int width, prec;	/* -1: none */
	char len[3];		/* "", "h", "hh", "l", "ll", "z", "j", "t" */
	char conv;		/* d i u x X o c s p */
	char ext[4];		/* for p: I4 i4 I6 I6c i6 M m */
};

/* Parses the specification after a '%' at *P; advances *P past it. Returns
 * NULL or a static reason. */
static const char *spec_parse(const char **p, struct spec *sp)
{
	const char *s = *p;
	size_t n = 0;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->prec = -1;
	while (*s && strchr("-+ #0", *s)) {
		if (n + 1 >= sizeof(sp->flags))
			return "too many flags";
		sp->flags[n++] = *s++;
	}
	if (*s == '*')
		return "'*' width is not supported";
	if (*s >= '0' && *s <= '9') {
		sp->width = 0;
		while (*s >= '0' && *s <= '9') {
			sp->width = sp->width * 10 + (*s++ - '0');
			if (sp->width > 255)
				return "width larger than 255";
		}
	}
	if (*s == '.') {
		s++;
		if (*s == '*')
			return "'*' precision is not supported";
		sp->prec = 0;
		while (*s >= '0' && *s <= '9') {
			sp->prec = sp->prec * 10 + (*s++ - '0');
			if (sp->prec > 255)
				return "precision larger than 255";
		}
	}
	if ((s[0] == 'h' && s[1] == 'h') || (s[0] == 'l' && s[1] == 'l')) {
		memcpy(sp->len, s, 2);
		s += 2;
	} else if (*s && strchr("hlzjt", *s)) {
		sp->len[0] = *s++;
	}
	if (!*s)
		return "format ends inside a conversion";
	sp->conv = *s++;
	if (!strchr("diuxXocsp", sp->conv))
		return "unknown conversion";
	if (sp->conv == 'p') {
		if (!strncmp(s, "I6c", 3)) {
			memcpy(sp->ext, s, 3);
			s += 3;
		} else if (!strncmp(s, "I4", 2) || !strncmp(s, "i4", 2) ||
			   !strncmp(s, "I6", 2) || !strncmp(s, "i6", 2)) {
			memcpy(sp->ext, s, 2);
			s += 2;
		} else if (*s == 'M' || *s == 'm') {
			sp->ext[0] = *s++;
		} else {
			return "bare %p is not supported (kernel addresses are not logged): use %pI4, %pI6, %pM";
		}
	}
	*p = s;
	return NULL;
}

static const char *kind_name(const struct bk_log_arg *a, char *buf, size_t sz)
{
	switch (a->kind & ~BK_ARG_SIGNED) {
	case BK_ARG_INT: snprintf(buf, sz, "a %u-byte integer", a->size); break;
	case BK_ARG_STR: snprintf(buf, sz, "a string"); break;
	case BK_ARG_BYTES: snprintf(buf, sz, "%u bytes", a->size); break;
	default: snprintf(buf, sz, "of unknown kind %u", a->kind); break;
	}
	return buf;
}

/* Does argument A fit conversion SP? NULL or what the conversion wants. */
static const char *spec_wants(const struct spec *sp, const struct bk_log_arg *a)
{
	int kind = a->kind & ~BK_ARG_SIGNED;

	switch (sp->conv) {
	case 's':
		return kind == BK_ARG_STR ? NULL : "a string (char * or char array)";
	case 'p':
		if (sp->ext[0] == 'M' || sp->ext[0] == 'm')
			return kind == BK_ARG_BYTES && a->size == 6 ? NULL : "6 bytes (a MAC address, e.g. eth->h_source)";
		if (sp->ext[1] == '4')
			return (kind == BK_ARG_BYTES || kind == BK_ARG_INT) && a->size == 4 ? NULL :
				"a __be32 or a pointer to 4 bytes";
		return kind == BK_ARG_BYTES && a->size == 16 ? NULL : "a pointer to 16 bytes (e.g. &ip6->saddr)";
	default:
		return kind == BK_ARG_INT ? NULL : "an integer";
	}
}

char *log_site__check(const struct log_site *s)
{
	const char *p = s->fmt, *why;
	char *msg = NULL, kb[40];
	int argi = 0;
	struct spec sp;

	for (;;) {
		p = strchr(p, '%');
		if (!p)
			break;
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		p++;
		why = spec_parse(&p, &sp);
		if (why) {
			if (asprintf(&msg, "%s", why) < 0)
				msg = NULL;
			return msg ?: strdup("bad format");
		}
		if (argi >= s->nargs) {
			if (asprintf(&msg, "the format has more conversions than the %u argument%s",
				     s->nargs, s->nargs == 1 ? "" : "s") < 0)
				msg = NULL;
			return msg ?: strdup("bad format");
		}
		why = spec_wants(&sp, &s->args[argi]);
		if (why) {
			if (asprintf(&msg, "%%%s%s wants %s, argument %d is %s", sp.conv == 'p' ? "p" : "",
				     sp.conv == 'p' ? sp.ext : (char[]){ sp.conv, 0 }, why, argi + 1,
				     kind_name(&s->args[argi], kb, sizeof(kb))) < 0)
				msg = NULL;
			return msg ?: strdup("bad format");
		}
		argi++;
	}
	if (argi != s->nargs) {
		if (asprintf(&msg, "%u argument%s but the format uses %d", s->nargs,
			     s->nargs == 1 ? "" : "s", argi) < 0)
			msg = NULL;
		return msg ?: strdup("bad format");
	}
	return NULL;
}

/* ---- the table ---- */

static int site_cmp(const void *a, const void *b)
{
	const struct log_site *x = a, *y = b;

	/* ties by table position, so the later of a duplicate is the bad one */
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->fmt < y->fmt ? -1 : x->fmt > y->fmt;
}

/* Validates the entry at OFF; NULL or why it is malformed. */
static const char *entry_check(const unsigned char *data, size_t size, size_t off,
			       struct bk_log_site *h)
{
	size_t strs, file_len;
	const char *fmt;

	memcpy(h, data + off, sizeof(*h));
	if (h->size < sizeof(*h) + 2 || h->size > size - off)
		return "entry size out of bounds";
	if (h->fmt_len < 1 || sizeof(*h) + h->fmt_len >= h->size)
		return "format length out of bounds";
	strs = h->size - sizeof(*h);
	fmt = (const char *)data + off + sizeof(*h);
	if (fmt[h->fmt_len - 1] != '\0' || memchr(fmt, '\0', h->fmt_len) != fmt + h->fmt_len - 1)
		return "format is not one NUL-terminated string";
	file_len = strs - h->fmt_len;
	if (!memchr(fmt + h->fmt_len, '\0', file_len))
		return "file name is not NUL-terminated";
	if (h->level < BK_LOG_ERROR || h->level > BK_LOG_TRACE)
		return "level out of range";
	if (h->nargs > BK_LOG_MAX_ARGS)
		return "more than 8 arguments";
	if (h->rec_size < 4)
		return "record smaller than its id";
	for (int i = 0; i < h->nargs; i++) {
		const struct bk_log_arg *a = &h->args[i];
		int kind = a->kind & ~BK_ARG_SIGNED;

		if (kind < BK_ARG_INT || kind > BK_ARG_BYTES || (kind != BK_ARG_INT && (a->kind & BK_ARG_SIGNED)))
			return "argument of unknown kind";
		if (kind == BK_ARG_INT && a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
			return "integer argument of odd size";
		if (!a->size || a->off < 4 || a->off + a->size > h->rec_size)
			return "argument outside the record";
	}
	return NULL;
}

int log_table__parse(struct log_table *t, const void *data, size_t size)
{
	size_t off = 0, cap = 0;

	memset(t, 0, sizeof(*t));
	if (!size)
		return 0;
	t->data = malloc(size + 1);
	if (!t->data)
		return -ENOMEM;
	memcpy(t->data, data, size);
	t->data[size] = '\0';
	t->size = size;
	/* Entries are 4-aligned; anything else (the level variable, padding)
	 * is skipped word by word until the next magic. */
	while (off + sizeof(struct bk_log_site) <= size) {
		struct bk_log_site h;
		struct log_site *s;
		const char *why;
		uint32_t magic;

		memcpy(&magic, t->data + off, 4);
		if (magic != BK_LOG_MAGIC) {
			off += 4;
			continue;
		}
		why = entry_check(t->data, size, off, &h);
		if (why) {
			pr_warn("log call-site table: malformed entry at offset %zu: %s\n", off, why);
			off += 4;
			continue;
		}
		if (t->n == (int)cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct log_site *ns = realloc(t->sites, ncap * sizeof(*ns));

			if (!ns) {
				log_table__free(t);
				return -ENOMEM;
			}
			t->sites = ns;
			cap = ncap;
		}
		s = &t->sites[t->n++];
		memset(s, 0, sizeof(*s));
		s->id = h.id;
		s->line = h.line;
		s->level = h.level;
		s->nargs = h.nargs;
		s->rec_size = h.rec_size;
		memcpy(s->args, h.args, sizeof(s->args));
		memcpy(s->func, h.func, BK_LOG_FUNC_LEN);
		s->func[BK_LOG_FUNC_LEN] = '\0';
		s->fmt = (const char *)t->data + off + sizeof(h);
		s->file = s->fmt + h.fmt_len;
		s->error = log_site__check(s);
		off += (h.size + 3) & ~3u;
	}
	/* more than the level variable, yet no entry: another wire format */
	if (!t->n && size >= sizeof(struct bk_log_site))
		pr_warn("log call-site table: no entry this bpfkit understands (object built with another version of bpfkit/log.h?)\n");
	if (t->n > 1)
		qsort(t->sites, t->n, sizeof(*t->sites), site_cmp);
	for (int i = 0; i < t->n; i++) {
		struct log_site *s = &t->sites[i];

		if (i && s->id == t->sites[i - 1].id && !s->error &&
		    asprintf(&s->error, "call-site id %u is used twice (objects linked together?)", s->id) < 0)
			s->error = NULL;
		if (s->error) {
			t->n_bad++;
			pr_warn("log call %s:%u: %s\n", s->file, s->line, s->error);
		}
	}
	return 0;
}

void log_table__free(struct log_table *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->sites[i].error);
	free(t->sites);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

const struct log_site *log_table__find(const struct log_table *t, uint32_t id)
{
	int lo = 0, hi = t->n - 1;

	/* the first of equal ids: a duplicate later is the one marked bad */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->sites[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t->n && t->sites[lo].id == id ? &t->sites[lo] : NULL;
}

/* ---- output ---- */

struct out {
	char *buf;
	size_t size, len;
	bool cut;
};

static void out_raw(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < n && !o->cut) {
		size_t run = i;

		/* copy printable runs whole; escape control characters */
		while (run < n && (unsigned char)s[run] >= 0x20 && s[run] != 0x7f)
			run++;
		if (run > i) {
			size_t m = run - i;

			if (o->len + m + 1 > o->size) {
				m = o->size - 1 - o->len;
				o->cut = true;
			}
			memcpy(o->buf + o->len, s + i, m);
			o->len += m;
			i = run;
			continue;
		}
		if (o->len + 4 + 1 > o->size) {
			o->cut = true;
			break;
		}
		o->buf[o->len++] = '\\';
		o->buf[o->len++] = 'x';
		o->buf[o->len++] = hex[(unsigned char)s[i] >> 4];
		o->buf[o->len++] = hex[s[i] & 0xf];
		i++;
	}
	o->buf[o->len] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

/* S (N bytes) padded to the spec's width, '-' left-aligns. */
static void out_padded(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = sp->width > 0 && (size_t)sp->width > n ? sp->width - n : 0;
	bool left = strchr(sp->flags, '-') != NULL;

	if (!left)
		for (size_t i = 0; i < pad; i++)
			out_raw(o, " ", 1);
	out_raw(o, s, n);
	if (left)
		for (size_t i = 0; i < pad; i++)
			out_raw(o, " ", 1);
}

static uint64_t read_uint(const unsigned char *p, unsigned size)
{
	uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64 = 0;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	default: memcpy(&u64, p, 8); return u64;
	}
}

static void fmt_int(struct out *o, const struct spec *sp, const struct bk_log_arg *a,
		    const unsigned char *p)
{
	uint64_t u = read_uint(p, a->size);
	unsigned bits = a->size * 8;
	char f[48], tmp[300];
	int n;

	/* printf semantics at the argument's (promoted) width: %d reads it as
	 * signed, %u/%x as unsigned; h/hh narrow it first. */
	if (!strcmp(sp->len, "hh"))
		bits = 8;
	else if (!strcmp(sp->len, "h"))
		bits = 16;
	if (bits < 64)
		u &= (1ULL << bits) - 1;
	if (!sp->flags[0] && sp->width < 0 && sp->prec < 0 && sp->conv != 'c' && sp->conv != 'o') {
		/* the common plain conversion, without snprintf */
		const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
		unsigned base = sp->conv == 'x' || sp->conv == 'X' ? 16 : 10;
		bool neg = false;
		char *e = tmp + sizeof(tmp), *q = e;

		if ((sp->conv == 'd' || sp->conv == 'i') && bits < 64 && (u >> (bits - 1))) {
			u = (~u + 1) & ((1ULL << bits) - 1);
			neg = true;
		} else if ((sp->conv == 'd' || sp->conv == 'i') && bits == 64 && (int64_t)u < 0) {
			u = ~u + 1;
			neg = true;
		}
		do {
			*--q = digits[u % base];
			u /= base;
		} while (u);
		if (neg)
			*--q = '-';
		out_raw(o, q, (size_t)(e - q));
		return;
	}
	snprintf(f, sizeof(f), "%%%s%.0d%s%.0d%s%c", sp->flags, sp->width > 0 ? sp->width : 0,
		 sp->prec >= 0 ? "." : "", sp->prec > 0 ? sp->prec : 0,
		 sp->conv == 'c' ? "" : "ll", sp->conv);
	if (sp->conv == 'c') {
		n = snprintf(tmp, sizeof(tmp), f, (int)(unsigned char)u);
	} else if (sp->conv == 'd' || sp->conv == 'i') {
		int64_t v = bits < 64 && (u >> (bits - 1)) ? (int64_t)(u | ~((1ULL << bits) - 1)) : (int64_t)u;

		n = snprintf(tmp, sizeof(tmp), f, (long long)v);
	} else {
		n = snprintf(tmp, sizeof(tmp), f, (unsigned long long)u);
	}
	if (n > 0)
		out_raw(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void fmt_ext(struct out *o, const struct spec *sp, const struct bk_log_arg *a,
		    const unsigned char *p)
{
	char tmp[64];
	int n = 0;

	if (sp->ext[1] == '4') {
		const char *f = sp->ext[0] == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u";

		(void)a;
		n = snprintf(tmp, sizeof(tmp), f, p[0], p[1], p[2], p[3]);
	} else if (sp->ext[0] == 'M' || sp->ext[0] == 'm') {
		const char *f = sp->ext[0] == 'M' ? "%02x:%02x:%02x:%02x:%02x:%02x" : "%02x%02x%02x%02x%02x%02x";

		n = snprintf(tmp, sizeof(tmp), f, p[0], p[1], p[2], p[3], p[4], p[5]);
	} else if (!strcmp(sp->ext, "I6c")) {
		if (!inet_ntop(AF_INET6, p, tmp, sizeof(tmp)))
			snprintf(tmp, sizeof(tmp), "?");
		n = (int)strlen(tmp);
	} else {
		bool colons = sp->ext[0] == 'I';

		for (int i = 0; i < 16; i += 2)
			n += snprintf(tmp + n, sizeof(tmp) - n, "%s%02x%02x",
				      colons && i ? ":" : "", p[i], p[i + 1]);
	}
	out_padded(o, sp, tmp, (size_t)n);
}

static int fail(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->buf, o->size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int log_record__format(const struct log_table *t, const void *rec, size_t len,
		       char *buf, size_t bufsz, const struct log_site **sitep)
{
	const unsigned char *r = rec;
	struct out o = { buf, bufsz, 0, false };
	const struct log_site *s;
	const char *p, *q;
	uint32_t id;
	int argi = 0;

	if (sitep)
		*sitep = NULL;
	if (!bufsz)
		return -EINVAL;
	buf[0] = '\0';
	if (bufsz < 8)
		return -EINVAL;
	if (len < 4)
		return fail(&o, "bad log record: %zu bytes, shorter than a call-site id", len);
	memcpy(&id, r, 4);
	s = log_table__find(t, id);
	if (!s)
		return fail(&o, "bad log record: unknown call-site id %u (%zu bytes)", id, len);
	if (sitep)
		*sitep = s;
	if (s->error)
		return fail(&o, "log call %s:%u can't be formatted: %s", s->file, s->line, s->error);
	if (len < s->rec_size)
		return fail(&o, "bad log record from %s:%u: %zu bytes, the call writes %u",
			    s->file, s->line, len, s->rec_size);
	for (p = s->fmt; *p && !o.cut; ) {
		struct spec sp;
		const struct bk_log_arg *a;

		q = strchr(p, '%');
		if (!q) {
			out_str(&o, p);
			break;
		}
		out_raw(&o, p, q - p);
		p = q + 1;
		if (*p == '%') {
			out_raw(&o, "%", 1);
			p++;
			continue;
		}
		/* log_site__check passed: the spec parses and fits its argument */
		if (spec_parse(&p, &sp) || argi >= s->nargs)
			return fail(&o, "log call %s:%u: bad format", s->file, s->line);
		a = &s->args[argi++];
		if (sp.conv == 's') {
			const char *str = (const char *)r + a->off;
			size_t n = strnlen(str, a->size);

			if (sp.prec >= 0 && (size_t)sp.prec < n)
				n = sp.prec;
			out_padded(&o, &sp, str, n);
		} else if (sp.conv == 'p') {
			fmt_ext(&o, &sp, a, r + a->off);
		} else {
			fmt_int(&o, &sp, a, r + a->off);
		}
	}
	if (o.cut && bufsz >= 4)
		memcpy(buf + (o.len < bufsz - 4 ? o.len : bufsz - 4), "...", 4);
	return 0;
}
