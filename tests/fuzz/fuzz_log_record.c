/* tests/fuzz/fuzz_log_record.c — the log record decoder and the call-site
 * table parser (lib/log_format.c) on arbitrary bytes.
 *
 * Input: byte 0 picks the table — even: a built-in table with every argument
 * kind and conversion; odd: bytes 1..2 give a length L and the next L bytes
 * are the table. The rest is a sequence of records, each prefixed by a length
 * byte. Every record is formatted into a small and a large buffer; the
 * result must be NUL-terminated within the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/print.h>
#include "log_format.h"

static _Alignas(8) unsigned char builtin[4096];
static size_t builtin_len;

static void add(uint32_t id, const char *fmt, uint16_t rec_size, int nargs, const struct bk_log_arg *args)
{
	struct bk_log_site h = { 0 };
	size_t fl = strlen(fmt) + 1, il = sizeof("fuzz.bpf.c");

	h.magic = BK_LOG_MAGIC;
	h.size = sizeof(h) + fl + il;
	h.id = id;
	h.line = id;
	h.level = 1 + id % 5;
	h.nargs = nargs;
	h.rec_size = rec_size;
	h.fmt_len = fl;
	if (nargs)
		memcpy(h.args, args, nargs * sizeof(*args));
	memcpy(builtin + builtin_len, &h, sizeof(h));
	memcpy(builtin + builtin_len + sizeof(h), fmt, fl);
	memcpy(builtin + builtin_len + sizeof(h) + fl, "fuzz.bpf.c", il);
	builtin_len = (builtin_len + h.size + 3) & ~(size_t)3;
}

#define A(k, s, o) ((struct bk_log_arg){ k, s, o })

static void build(void)
{
	add(0, "plain", 4, 0, NULL);
	add(1, "%d %u %x %X %o %c %hhd %hu %ld", 40, 9, (struct bk_log_arg[]){
		A(BK_ARG_INT | BK_ARG_SIGNED, 4, 4), A(BK_ARG_INT, 4, 8), A(BK_ARG_INT, 8, 16),
		A(BK_ARG_INT, 8, 24), A(BK_ARG_INT, 4, 32), A(BK_ARG_INT, 4, 36),
		A(BK_ARG_INT | BK_ARG_SIGNED, 1, 4), A(BK_ARG_INT, 2, 8), A(BK_ARG_INT, 8, 16) });
	add(2, "[%-10s] [%.2s] [%64s]", 4 + 64, 3, (struct bk_log_arg[]){
		A(BK_ARG_STR, 64, 4), A(BK_ARG_STR, 64, 4), A(BK_ARG_STR, 64, 4) });
	add(3, "%pI4 %pi4 %pI4 %pM %pm", 4 + 4 + 4 + 6 + 6, 5, (struct bk_log_arg[]){
		A(BK_ARG_INT, 4, 4), A(BK_ARG_INT, 4, 4), A(BK_ARG_BYTES, 4, 8), A(BK_ARG_BYTES, 6, 12),
		A(BK_ARG_BYTES, 6, 18) });
	add(4, "%pI6 %pI6c %pi6 %08llx %+5lld%%", 4 + 16 + 8, 5, (struct bk_log_arg[]){
		A(BK_ARG_BYTES, 16, 4), A(BK_ARG_BYTES, 16, 4), A(BK_ARG_BYTES, 16, 4),
		A(BK_ARG_INT, 8, 20), A(BK_ARG_INT | BK_ARG_SIGNED, 8, 20) });
	add(5, "bad %s", 8, 1, (struct bk_log_arg[]){ A(BK_ARG_INT, 4, 4) });
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int built;
	struct log_table t;
	size_t off = 1;
	char small[16], big[1024];

	if (!built) {
		bpfkit_set_print(NULL);	/* malformed tables warn: not at this rate */
		build();
		built = 1;
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		size_t len;

		if (size < 3)
			return 0;
		len = data[1] | (size_t)data[2] << 8;
		off = 3;
		if (len > size - off)
			len = size - off;
		if (log_table__parse(&t, data + off, len))
			return 0;
		off += len;
	} else if (log_table__parse(&t, builtin, builtin_len)) {
		return 0;
	}
	while (off < size) {
		size_t len = data[off++];
		unsigned char *rec;

		if (len > size - off)
			len = size - off;
		/* a copy of exactly LEN bytes, so ASan sees any over-read */
		rec = malloc(len ? len : 1);
		if (!rec)
			break;
		memcpy(rec, data + off, len);
		log_record__format(&t, rec, len, small, sizeof(small), NULL);
		if (!memchr(small, '\0', sizeof(small)))
			abort();
		log_record__format(&t, rec, len, big, sizeof(big), NULL);
		if (!memchr(big, '\0', sizeof(big)))
			abort();
		free(rec);
		off += len;
	}
	log_table__free(&t);
	return 0;
}
