/* lib/json.c — streaming JSON writer: tracks nesting to place commas, and
 * escapes strings per RFC 8259. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/json.h>

#define MAX_DEPTH 64

struct bpfkit_json {
	FILE *out;
	bool pretty;
	int depth;
	bool first[MAX_DEPTH];	/* no element written yet at this depth */
	bool after_key;
};

struct bpfkit_json *bpfkit_json__new(FILE *out, bool pretty)
{
	struct bpfkit_json *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->out = out;
	jw->pretty = pretty;
	jw->first[0] = true;
	return jw;
}

void bpfkit_json__free(struct bpfkit_json *jw)
{
	if (!jw)
		return;
	fputc('\n', jw->out);
	free(jw);
}

static void indent(struct bpfkit_json *jw)
{
	if (!jw->pretty)
		return;
	fputc('\n', jw->out);
	for (int i = 0; i < jw->depth; i++)
		fputs("  ", jw->out);
}

/* Before any value or key: a comma unless first, unless right after a key. */
static void sep(struct bpfkit_json *jw)
{
	if (jw->after_key) {
		jw->after_key = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputc(',', jw->out);
	jw->first[jw->depth] = false;
	if (jw->depth)
		indent(jw);
}

/* The length of the well-formed UTF-8 sequence at P (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if it is not one. */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, lo = *p == 0xe0 ? 0xa0 : 0x80, hi = *p == 0xed ? 0x9f : 0xbf;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, lo = *p == 0xf0 ? 0x90 : 0x80, hi = *p == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* S as a JSON string. Names from objects and packets are bytes, not
 * always UTF-8 (a symbol, a section, a payload): a byte that does not
 * start a well-formed sequence becomes U+FFFD, so the output is always
 * valid JSON. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ?: ""); *p; p++) {
		if (*p >= 0x80) {
			int n = utf8_len(p);

			if (n) {
				fwrite(p, 1, n, out);
				p += n - 1;
			} else {
				fputs("\\ufffd", out);
			}
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void bpfkit_json__key(struct bpfkit_json *jw, const char *key)
{
	sep(jw);
	put_string(jw->out, key);
	fputs(jw->pretty ? ": " : ":", jw->out);
	jw->after_key = true;
}

static void open_(struct bpfkit_json *jw, char c)
{
	sep(jw);
	fputc(c, jw->out);
	if (jw->depth < MAX_DEPTH - 1)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void close_(struct bpfkit_json *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth)
		jw->depth--;
	if (!empty)
		indent(jw);
	fputc(c, jw->out);
}

void bpfkit_json__begin_object(struct bpfkit_json *jw) { open_(jw, '{'); }
void bpfkit_json__end_object(struct bpfkit_json *jw) { close_(jw, '}'); }
void bpfkit_json__begin_array(struct bpfkit_json *jw) { open_(jw, '['); }
void bpfkit_json__end_array(struct bpfkit_json *jw) { close_(jw, ']'); }

void bpfkit_json__string(struct bpfkit_json *jw, const char *s)
{
	sep(jw);
	put_string(jw->out, s);
}

void bpfkit_json__stringf(struct bpfkit_json *jw, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	bpfkit_json__string(jw, buf);
}

void bpfkit_json__uint(struct bpfkit_json *jw, unsigned long long v)
{
	sep(jw);
	fprintf(jw->out, "%llu", v);
}

void bpfkit_json__int(struct bpfkit_json *jw, long long v)
{
	sep(jw);
	fprintf(jw->out, "%lld", v);
}

void bpfkit_json__double(struct bpfkit_json *jw, double v)
{
	sep(jw);
	fprintf(jw->out, "%.6g", v);
}

void bpfkit_json__bool(struct bpfkit_json *jw, bool v)
{
	sep(jw);
	fputs(v ? "true" : "false", jw->out);
}

void bpfkit_json__null(struct bpfkit_json *jw)
{
	sep(jw);
	fputs("null", jw->out);
}
