/* Unit tests for the foundation's pure parts: verifier-log summary, XDP
 * mode names, JSON writer, opts validation (incl. garbage tail padding). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/bpfkit.h>
#include "internal.h"
#include "test.h"

static const char *log_pkt =
	"0: R1=ctx() R10=fp0\n"
	"; void *data = (void *)(long)ctx->data; @ bad.bpf.c:10\n"
	"0: (61) r1 = *(u32 *)(r1 +0)          ; R1=pkt(r=0)\n"
	"; return *(unsigned int *)data == 42; @ bad.bpf.c:12\n"
	"1: (61) r1 = *(u32 *)(r1 +0)\n"
	"invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0)\n"
	"R1 offset is outside of the packet\n"
	"processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";

static void test_verifier_summary(void)
{
	struct bpfkit_verifier_summary s;

	CHECK("summary parses", bpfkit_verifier__summarize(log_pkt, &s) == 0);
	CHECK("summary insn idx", s.insn_idx == 1);
	CHECK_STR("summary insn text", s.insn, "r1 = *(u32 *)(r1 +0)");
	CHECK_STR("summary error", s.error,
		  "invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0); R1 offset is outside of the packet");
	CHECK_STR("summary source", s.source, "return *(unsigned int *)data == 42;");
	CHECK_STR("summary file:line", s.file_line, "bad.bpf.c:12");

	CHECK("summary: register comment stripped",
	      !bpfkit_verifier__summarize("0: (b7) r0 = 0                ; R0_w=0\nR0 !read_ok\n", &s) &&
	      !strcmp(s.insn, "r0 = 0") && !strcmp(s.error, "R0 !read_ok") && !s.source[0]);
	CHECK("summary: no insn (global error)",
	      !bpfkit_verifier__summarize("BPF program is too large. Processed 1000001 insn\n", &s) &&
	      s.insn_idx == -1 && strstr(s.error, "too large"));
	CHECK("summary: empty log", bpfkit_verifier__summarize("", &s) == -ENOENT);
	CHECK("summary: NULL log", bpfkit_verifier__summarize(NULL, &s) == -ENOENT);
	CHECK("summary: junk does not crash",
	      bpfkit_verifier__summarize("12: (\n; @\n: (61\n99999999999999999999: (61) x\n", &s) <= 0);
}

static void test_modes(void)
{
	enum bpfkit_xdp_mode m;

	CHECK("mode native", !bpfkit_xdp_mode__parse("native", &m) && m == BPFKIT_XDP_NATIVE);
	CHECK("mode drv alias", !bpfkit_xdp_mode__parse("drv", &m) && m == BPFKIT_XDP_NATIVE);
	CHECK("mode generic alias", !bpfkit_xdp_mode__parse("generic", &m) && m == BPFKIT_XDP_SKB);
	CHECK("mode unknown", bpfkit_xdp_mode__parse("turbo", &m) == -EINVAL);
	CHECK("mode NULL", bpfkit_xdp_mode__parse(NULL, &m) == -EINVAL);
	CHECK_STR("mode str", bpfkit_xdp_mode__str(BPFKIT_XDP_SKB), "skb");
	CHECK("ifindex of nonsense", bpfkit_ifindex("no-such-iface-x") == -ENODEV);
	CHECK("ifindex of empty", bpfkit_ifindex("") == -ENODEV);
	CHECK("ifindex of too long", bpfkit_ifindex("abcdefghijklmnopqrstuvwxyz") == -ENODEV);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct bpfkit_json *jw = bpfkit_json__new(f, false);

	bpfkit_json__begin_object(jw);
	bpfkit_json__kv_str(jw, "name", "a\"b\\c\n\x01");
	bpfkit_json__kv_uint(jw, "id", 42);
	bpfkit_json__key(jw, "list");
	bpfkit_json__begin_array(jw);
	bpfkit_json__int(jw, -1);
	bpfkit_json__bool(jw, true);
	bpfkit_json__null(jw);
	bpfkit_json__begin_object(jw);
	bpfkit_json__end_object(jw);
	bpfkit_json__end_array(jw);
	bpfkit_json__end_object(jw);
	bpfkit_json__free(jw);
	fclose(f);
	CHECK_STR("json output", buf,
		  "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"id\":42,\"list\":[-1,true,null,{}]}\n");
	free(buf);
}

/* Strings that are not UTF-8 (a symbol or section name, a payload) still
 * make valid JSON: well-formed sequences pass, any other byte is U+FFFD. */
static void test_json_utf8(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct bpfkit_json *jw = bpfkit_json__new(f, false);

	bpfkit_json__begin_array(jw);
	bpfkit_json__string(jw, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d");	/* é € and a 4-byte one: kept */
	bpfkit_json__string(jw, "a\xff" "b\xfe");					/* not UTF-8 at all */
	bpfkit_json__string(jw, "\xc3");						/* cut short */
	bpfkit_json__string(jw, "\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80");	/* overlong, surrogate, > U+10FFFF */
	bpfkit_json__end_array(jw);
	bpfkit_json__free(jw);
	fclose(f);
	CHECK_STR("json: UTF-8 kept, other bytes U+FFFD", buf,
		  "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d\",\"a\\ufffdb\\ufffd\",\"\\ufffd\","
		  "\"\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd\"]\n");
	free(buf);
}

static void test_opts(void)
{
	struct bpfkit_xdp_attach_opts o;
	struct { size_t sz; int last; } t;	/* 4 bytes of tail padding on LP64 */

	memset(&o, 0xff, sizeof(o));	/* garbage everywhere, like padding can be */
	o.sz = sizeof(o);
	CHECK("opts: a real struct, garbage past its last field accepted",
	      opts_valid(&o, o.sz, offsetof(struct bpfkit_xdp_attach_opts, bpfkit_xdp_attach_opts__last_field) +
			 sizeof(o.bpfkit_xdp_attach_opts__last_field), "t"));
	memset(&t, 0xff, sizeof(t));
	t.sz = sizeof(t);
	CHECK("opts: garbage tail padding accepted",
	      sizeof(t) > offsetof(__typeof__(t), last) + sizeof(t.last) &&
	      opts_valid(&t, t.sz, offsetof(__typeof__(t), last) + sizeof(t.last), "t"));
	char big[64] = { 0 };
	*(size_t *)big = sizeof(big);
	CHECK("opts: zero bytes past a newer caller's struct accepted", opts_valid(big, sizeof(big), 16, "t"));
	big[40] = 1;
	CHECK("opts: non-zero unknown field refused", !opts_valid(big, sizeof(big), 16, "t"));
	CHECK("opts: NULL accepted", opts_valid(NULL, 0, 16, "t"));
	CHECK("opts: sz not set refused", !opts_valid(big, 0, 16, "t"));
}

static void test_bad_objects(void)
{
	static const char not_elf[] = "hello world, not an ELF";

	bpfkit_set_print(NULL);
	errno = 0;
	CHECK("open_mem: not ELF", !bpfkit_object__open_mem(not_elf, sizeof(not_elf), NULL) && errno == ENOEXEC);
	CHECK("open_mem: NULL", !bpfkit_object__open_mem(NULL, 10, NULL) && errno == EINVAL);
	CHECK("open_file: missing", !bpfkit_object__open_file("/nonexistent.o", NULL) && errno == ENOENT);
	char elf_hdr[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	CHECK("open_mem: header only", !bpfkit_object__open_mem(elf_hdr, sizeof(elf_hdr), NULL));
}

int main(void)
{
	test_verifier_summary();
	test_modes();
	test_json();
	test_json_utf8();
	test_opts();
	test_bad_objects();
	TEST_EXIT();
}
