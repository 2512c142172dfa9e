/* tests/unit/test_log_format.c — the log record formatter and call-site table
 * parser (lib/log_format.c) on hand-built tables and records: every
 * conversion, malformed tables, truncated and unknown records, output
 * truncation, control characters. No kernel needed. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "test.h"
#include "log_format.h"

static _Alignas(8) unsigned char tab[8192];
static size_t tab_len;

/* Appends one call-site entry as the compiler would lay it out. */
static struct bk_log_site *add_site(uint32_t id, int level, const char *fmt, const char *file,
				    uint16_t rec_size, int nargs, const struct bk_log_arg *args)
{
	struct bk_log_site h = { 0 };
	size_t fl = strlen(fmt) + 1, il = strlen(file) + 1;
	struct bk_log_site *p = (struct bk_log_site *)(tab + tab_len);

	h.magic = BK_LOG_MAGIC;
	h.size = sizeof(h) + fl + il;
	h.id = id;
	h.line = 100 + id;
	h.level = level;
	h.nargs = nargs;
	h.rec_size = rec_size;
	h.fmt_len = fl;
	if (nargs)
		memcpy(h.args, args, nargs * sizeof(*args));
	snprintf(h.func, sizeof(h.func), "fn%u", id);
	memcpy(tab + tab_len, &h, sizeof(h));
	memcpy(tab + tab_len + sizeof(h), fmt, fl);
	memcpy(tab + tab_len + sizeof(h) + fl, file, il);
	tab_len = (tab_len + h.size + 3) & ~(size_t)3;
	return p;
}

#define A(kind, size, off) ((struct bk_log_arg){ kind, size, off })
#define I32 (BK_ARG_INT | BK_ARG_SIGNED)
#define U32 BK_ARG_INT

static char out[1024];

static const char *fmt_rec(struct log_table *t, const void *rec, size_t len, int *ret)
{
	const struct log_site *s;

	*ret = log_record__format(t, rec, len, out, sizeof(out), &s);
	return out;
}

int main(void)
{
	struct log_table t;
	int ret;

	/* the level variable sits in the same section: skipped */
	memset(tab, 0, sizeof(tab));
	tab_len = 4;
	add_site(1, BK_LOG_INFO, "no arguments", "a.bpf.c", 4, 0, NULL);
	add_site(2, BK_LOG_INFO, "u=%u d=%d x=%x X=%X o=%o c=%c", "a.bpf.c", 28, 6,
		 (struct bk_log_arg[]){ A(U32, 4, 4), A(I32, 4, 8), A(U32, 4, 12), A(U32, 4, 16),
					A(I32, 4, 20), A(I32, 4, 24) });
	add_site(3, BK_LOG_WARN, "lld=%lld llu=%llu d-of-u32=%d hhx=%hhx hd=%hd", "a.bpf.c", 32, 5,
		 (struct bk_log_arg[]){ A(BK_ARG_INT | BK_ARG_SIGNED, 8, 8), A(BK_ARG_INT, 8, 16),
					A(U32, 4, 24), A(I32, 4, 28), A(I32, 4, 4) });
	add_site(4, BK_LOG_DEBUG, "[%08x] [%-5u] [%5d] [%+d] [%#x] [%.3u] 100%%", "a.bpf.c", 28, 6,
		 (struct bk_log_arg[]){ A(U32, 4, 4), A(U32, 4, 8), A(I32, 4, 12), A(I32, 4, 16),
					A(I32, 4, 20), A(I32, 4, 24) });
	add_site(5, BK_LOG_INFO, "s=%s [%.3s] [%-7s] [%7s]", "a.bpf.c", 4 + 8 + 64, 4,
		 (struct bk_log_arg[]){ A(BK_ARG_STR, 8, 4), A(BK_ARG_STR, 8, 4), A(BK_ARG_STR, 8, 4),
					A(BK_ARG_STR, 64, 12) });
	add_site(6, BK_LOG_INFO, "%pI4 %pI4 %pi4 %pM %pm", "a.bpf.c", 4 + 4 + 4 + 4 + 6 + 6, 5,
		 (struct bk_log_arg[]){ A(U32, 4, 4), A(BK_ARG_BYTES, 4, 8), A(U32, 4, 12),
					A(BK_ARG_BYTES, 6, 16), A(BK_ARG_BYTES, 6, 22) });
	add_site(7, BK_LOG_INFO, "%pI6|%pI6c|%pi6|%pI6c", "a.bpf.c", 4 + 32, 4,
		 (struct bk_log_arg[]){ A(BK_ARG_BYTES, 16, 4), A(BK_ARG_BYTES, 16, 4),
					A(BK_ARG_BYTES, 16, 4), A(BK_ARG_BYTES, 16, 20) });
	/* bad formats: kept, with an error */
	add_site(8, BK_LOG_INFO, "%s", "bad.bpf.c", 8, 1, (struct bk_log_arg[]){ A(U32, 4, 4) });
	add_site(9, BK_LOG_INFO, "%u %u", "bad.bpf.c", 8, 1, (struct bk_log_arg[]){ A(U32, 4, 4) });
	add_site(10, BK_LOG_INFO, "%u", "bad.bpf.c", 12, 2, (struct bk_log_arg[]){ A(U32, 4, 4), A(U32, 4, 8) });
	add_site(11, BK_LOG_INFO, "%p", "bad.bpf.c", 8, 1, (struct bk_log_arg[]){ A(BK_ARG_BYTES, 4, 4) });
	add_site(12, BK_LOG_INFO, "%pI6", "bad.bpf.c", 8, 1, (struct bk_log_arg[]){ A(U32, 4, 4) });
	add_site(13, BK_LOG_INFO, "%q", "bad.bpf.c", 4, 0, NULL);
	add_site(14, BK_LOG_INFO, "%*d", "bad.bpf.c", 8, 1, (struct bk_log_arg[]){ A(U32, 4, 4) });
	add_site(15, BK_LOG_INFO, "ends in %", "bad.bpf.c", 4, 0, NULL);
	add_site(2, BK_LOG_INFO, "duplicate id", "dup.bpf.c", 4, 0, NULL);

	CHECK("parse a table", log_table__parse(&t, tab, tab_len) == 0);
	CHECK("16 sites found", t.n == 16);
	CHECK("9 of them bad", t.n_bad == 9);
	CHECK("site 1 is found by id", log_table__find(&t, 1) && !strcmp(log_table__find(&t, 1)->fmt, "no arguments"));
	CHECK("unknown id not found", log_table__find(&t, 99) == NULL);
	CHECK("the first of a duplicate id is the good one", log_table__find(&t, 2) && !log_table__find(&t, 2)->error);

	{
		uint32_t r[1] = { 1 };
		CHECK_STR("no arguments", fmt_rec(&t, r, 4, &ret), "no arguments");
		CHECK("no arguments: ok", ret == 0);
	}
	{
		uint32_t r[7] = { 2, 4000000000u, (uint32_t)-42, 0xdeadbeef, 0xbeef, 8, 'Z' };
		CHECK_STR("integers", fmt_rec(&t, r, sizeof(r), &ret),
			  "u=4000000000 d=-42 x=deadbeef X=BEEF o=10 c=Z");
	}
	{
		unsigned char r[32];
		int64_t big = -5000000000ll;
		uint64_t ubig = UINT64_MAX;
		uint32_t id = 3, u = 4000000000u, hh = 0x1234, hd = (uint32_t)-3;

		memcpy(r, &id, 4); memcpy(r + 4, &hd, 4); memcpy(r + 8, &big, 8); memcpy(r + 16, &ubig, 8);
		memcpy(r + 24, &u, 4); memcpy(r + 28, &hh, 4);
		CHECK_STR("64-bit, %d of a u32, h and hh", fmt_rec(&t, r, sizeof(r), &ret),
			  "lld=-5000000000 llu=18446744073709551615 d-of-u32=-294967296 hhx=34 hd=-3");
	}
	{
		uint32_t r[7] = { 4, 0xabc, 7, (uint32_t)-7, 7, 255, 5 };
		CHECK_STR("flags, width, precision, %%", fmt_rec(&t, r, sizeof(r), &ret),
			  "[00000abc] [7    ] [   -7] [+7] [0xff] [005] 100%");
	}
	{
		unsigned char r[76] = { 5, 0, 0, 0, 'v', 'e', 't', 'h', '0', 0, 'x', 'x', 'a', 'b' };
		CHECK_STR("strings", fmt_rec(&t, r, sizeof(r), &ret), "s=veth0 [vet] [veth0  ] [     ab]");
		memcpy(r + 4, "12345678", 8);	/* no NUL in the field: bounded by its size */
		CHECK_STR("string without NUL is bounded", fmt_rec(&t, r, sizeof(r), &ret),
			  "s=12345678 [123] [12345678] [     ab]");
		memcpy(r + 4, "a\nb\x1b", 5);
		CHECK_STR("control characters are escaped", fmt_rec(&t, r, sizeof(r), &ret),
			  "s=a\\x0ab\\x1b [a\\x0ab] [a\\x0ab\\x1b   ] [     ab]");
	}
	{
		unsigned char r[28] = { 6, 0, 0, 0, 10, 0, 0, 1, 192, 168, 1, 254, 1, 2, 3, 4,
					0x02, 0x00, 0x5e, 0xaa, 0xbb, 0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		CHECK_STR("%pI4 (value and pointer), %pi4, %pM, %pm", fmt_rec(&t, r, sizeof(r), &ret),
			  "10.0.0.1 192.168.1.254 001.002.003.004 02:00:5e:aa:bb:0c ffffffffffff");
	}
	{
		unsigned char r[36] = { 7, 0, 0, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
					0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3 };
		CHECK_STR("%pI6, %pI6c, %pi6, v4-mapped", fmt_rec(&t, r, sizeof(r), &ret),
			  "fe80:0000:0000:0000:0000:0000:0000:0001|fe80::1|fe800000000000000000000000000001|::ffff:10.1.2.3");
	}

	/* bad records: an error text, never a crash */
	{
		uint32_t r[2] = { 99, 0 };
		fmt_rec(&t, r, 8, &ret);
		CHECK("unknown id: -EINVAL", ret == -EINVAL);
		CHECK("unknown id: says so", strstr(out, "unknown call-site id 99 (8 bytes)") != NULL);
		fmt_rec(&t, r, 3, &ret);
		CHECK("3-byte record: error", ret == -EINVAL && strstr(out, "shorter than a call-site id"));
		fmt_rec(&t, r, 0, &ret);
		CHECK("empty record: error", ret == -EINVAL);
		r[0] = 2;
		fmt_rec(&t, r, 8, &ret);
		CHECK("truncated record: error naming the call",
		      ret == -EINVAL && strstr(out, "a.bpf.c:102: 8 bytes, the call writes 28"));
	}
	{
		uint32_t r[3] = { 8, 7, 7 };
		fmt_rec(&t, r, 8, &ret);
		CHECK("%s of an int: error", ret == -EINVAL && strstr(out, "%s wants a string (char * or char array), argument 1 is a 4-byte integer"));
		r[0] = 9; fmt_rec(&t, r, 8, &ret);
		CHECK("too few arguments: error", ret == -EINVAL && strstr(out, "more conversions than the 1 argument"));
		r[0] = 10; fmt_rec(&t, r, 12, &ret);
		CHECK("too many arguments: error", ret == -EINVAL && strstr(out, "2 arguments but the format uses 1"));
		r[0] = 11; fmt_rec(&t, r, 8, &ret);
		CHECK("bare %p: error", ret == -EINVAL && strstr(out, "bare %p is not supported"));
		r[0] = 12; fmt_rec(&t, r, 8, &ret);
		CHECK("%pI6 of an int: error", ret == -EINVAL && strstr(out, "%pI6 wants a pointer to 16 bytes"));
		r[0] = 13; fmt_rec(&t, r, 4, &ret);
		CHECK("unknown conversion: error", ret == -EINVAL && strstr(out, "unknown conversion"));
		r[0] = 14; fmt_rec(&t, r, 8, &ret);
		CHECK("'*' width: error", ret == -EINVAL && strstr(out, "'*' width"));
		r[0] = 15; fmt_rec(&t, r, 4, &ret);
		CHECK("format ending in %: error", ret == -EINVAL && strstr(out, "ends inside a conversion"));
	}
	{
		uint32_t r[7] = { 2, 1, 2, 3, 4, 5, 'x' };
		char small[12];

		ret = log_record__format(&t, r, sizeof(r), small, sizeof(small), NULL);
		CHECK("small buffer: NUL-terminated and marked cut", ret == 0 && strlen(small) == 11 &&
		      !strcmp(small + 8, "..."));
		ret = log_record__format(&t, r, sizeof(r), small, 0, NULL);
		CHECK("zero-size buffer: refused", ret == -EINVAL);
	}
	log_table__free(&t);

	/* malformed tables: skipped entries, no crash, no over-read */
	{
		struct bk_log_site *s;

		memset(tab, 0, sizeof(tab));
		tab_len = 0;
		s = add_site(1, BK_LOG_INFO, "size too big", "x", 4, 0, NULL);
		s->size = 100000;
		s = add_site(2, BK_LOG_INFO, "fmt not terminated", "x", 4, 0, NULL);
		s->fmt_len = 3;
		s = add_site(3, BK_LOG_INFO, "nine args", "x", 4, 0, NULL);
		s->nargs = 9;
		s = add_site(4, BK_LOG_INFO, "%u", "x", 8, 1, (struct bk_log_arg[]){ A(U32, 4, 6) });
		s = add_site(5, 9, "level 9", "x", 4, 0, NULL);
		s = add_site(6, BK_LOG_INFO, "%u", "x", 8, 1, (struct bk_log_arg[]){ A(U32, 3, 4) });
		s = add_site(7, BK_LOG_INFO, "%u", "x", 8, 1, (struct bk_log_arg[]){ A(7, 4, 4) });
		s = add_site(8, BK_LOG_INFO, "good", "x", 4, 0, NULL);
		CHECK("malformed table parses", log_table__parse(&t, tab, tab_len) == 0);
		CHECK("only the good entry is kept", t.n == 1 && t.sites[0].id == 8);
		log_table__free(&t);
		CHECK("truncated table parses", log_table__parse(&t, tab, tab_len - 3) == 0);
		log_table__free(&t);
		memset(tab, 0xab, 1024);	/* no magic: another wire format */
		CHECK("foreign table parses to nothing", log_table__parse(&t, tab, 1024) == 0 && t.n == 0);
		log_table__free(&t);
		CHECK("empty table parses", log_table__parse(&t, tab, 0) == 0 && t.n == 0);
		log_table__free(&t);
		{
			uint32_t r = 1;
			CHECK("record with an empty table: unknown id",
			      log_record__format(&t, &r, 4, out, sizeof(out), NULL) == -EINVAL);
		}
	}

	CHECK("level names", !strcmp(log_level__name(BK_LOG_WARN), "WARN") && !strcmp(log_level__name(9), "?"));
	CHECK("levels parse", log_level__parse("debug") == 4 && log_level__parse("WARNING") == 2 &&
	      log_level__parse("off") == 0 && log_level__parse("5") == 5 && log_level__parse("bogus") == -1 &&
	      log_level__parse("") == -1 && log_level__parse("6") == -1);
	TEST_EXIT();
}
