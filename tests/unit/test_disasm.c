/* tests/unit/test_disasm.c — the decoder on hand-made encodings: syntax of
 * the forms LLVM 14 (the integration test's oracle) cannot show us, byte
 * order, explanations, reserved encodings, truncated ld_imm64, callbacks. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <bpfkit/disasm.h>
#include "test.h"

static void enc(uint8_t *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm, bool be)
{
	b[0] = code;
	if (be) {
		b[1] = dst << 4 | src;
		b[2] = (uint16_t)off >> 8; b[3] = off & 0xff;
		b[4] = (uint32_t)imm >> 24; b[5] = imm >> 16; b[6] = imm >> 8; b[7] = imm;
	} else {
		b[1] = src << 4 | dst;
		b[2] = off & 0xff; b[3] = (uint16_t)off >> 8;
		b[4] = imm; b[5] = imm >> 8; b[6] = imm >> 16; b[7] = (uint32_t)imm >> 24;
	}
}

static const char *fmt1(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	static char out[256];
	uint8_t b[8];
	struct bpfkit_insn in;

	enc(b, code, dst, src, off, imm, false);
	bpfkit_disasm__decode(b, 1, false, &in);
	bpfkit_disasm__format(&in, 1, 0, NULL, out, sizeof(out));
	return out;
}

static int label_cb(void *ctx, size_t idx, long target, char *buf, size_t sz)
{
	(void)ctx; (void)idx;
	return snprintf(buf, sz, " <L%ld>", target);
}

static int call_cb(void *ctx, const struct bpfkit_insn *in, size_t idx, char *buf, size_t sz)
{
	(void)ctx; (void)idx;
	return in->src == 0 ? snprintf(buf, sz, "call %s#%d", bpfkit_disasm__helper_name(in->imm), in->imm) : 0;
}

int main(void)
{
	/* ISA v4 and later: syntax of LLVM 17+ */
	CHECK_STR("sdiv64", fmt1(0x3f, 1, 2, 1, 0), "r1 s/= r2");
	CHECK_STR("smod32 imm", fmt1(0x94, 1, 0, 1, 5), "w1 s%= 5");
	CHECK_STR("mod64", fmt1(0x9f, 1, 2, 0, 0), "r1 %= r2");
	CHECK_STR("movsx8", fmt1(0xbf, 3, 4, 8, 0), "r3 = (s8)r4");
	CHECK_STR("movsx32 w", fmt1(0xbc, 3, 4, 16, 0), "w3 = (s16)w4");
	CHECK_STR("bswap64", fmt1(0xd7, 6, 0, 0, 64), "r6 = bswap64 r6");
	CHECK_STR("be16", fmt1(0xdc, 6, 0, 0, 16), "r6 = be16 r6");
	CHECK_STR("le32", fmt1(0xd4, 6, 0, 0, 32), "r6 = le32 r6");
	CHECK_STR("ldsx16", fmt1(0x89, 1, 2, -4, 0), "r1 = *(s16 *)(r2 - 4)");
	CHECK_STR("st imm", fmt1(0x7a, 10, 0, -8, -5), "*(u64 *)(r10 - 8) = -5");
	CHECK_STR("stx", fmt1(0x63, 10, 7, -4, 0), "*(u32 *)(r10 - 4) = r7");
	CHECK_STR("gotol", fmt1(0x06, 0, 0, 0, 70000), "gotol +70000");
	CHECK_STR("jset32", fmt1(0x46, 1, 0, 1, 8), "if w1 & 8 goto +1");
	CHECK_STR("jgt32 imm", fmt1(0x26, 1, 0, 3, 5), "if w1 > 5 goto +3");
	CHECK_STR("jeq back", fmt1(0x15, 0, 0, -166, 0), "if r0 == 0 goto -166");
	CHECK_STR("fetch add 32", fmt1(0xc3, 1, 2, 8, 0x01), "w2 = atomic_fetch_add((u32 *)(r1 + 8), w2)");
	CHECK_STR("lock add 64", fmt1(0xdb, 1, 2, -8, 0), "lock *(u64 *)(r1 - 8) += r2");
	CHECK_STR("xchg64", fmt1(0xdb, 1, 2, 8, 0xe1), "r2 = xchg_64(r1 + 8, r2)");
	CHECK_STR("cmpxchg32", fmt1(0xc3, 1, 2, 8, 0xf1), "w0 = cmpxchg32_32(r1 + 8, w0, w2)");
	CHECK_STR("load_acquire", fmt1(0xdb, 1, 2, 0, 0x100), "r2 = load_acquire((u64 *)(r1 + 0))");
	CHECK_STR("store_release", fmt1(0xc3, 1, 2, 0, 0x110), "store_release((u32 *)(r1 + 0), w2)");
	CHECK_STR("may_goto", fmt1(0xe5, 0, 0, 1, 0), "may_goto +1");
	CHECK_STR("call helper", fmt1(0x85, 0, 0, 0, 6), "call 6");
	CHECK_STR("call subprog", fmt1(0x85, 0, 1, 0, -1), "call -1");
	CHECK_STR("callx", fmt1(0x8d, 3, 0, 0, 0), "callx r3");
	CHECK_STR("exit", fmt1(0x95, 0, 0, 0, 0), "exit");
	CHECK_STR("ld_abs", fmt1(0x30, 0, 0, 0, 12), "r0 = *(u8 *)skb[12]");
	CHECK_STR("ld_ind", fmt1(0x48, 0, 3, 0, 0), "r0 = *(u16 *)skb[r3]");
	CHECK_STR("neg32", fmt1(0x84, 5, 0, 0, 0), "w5 = -w5");
	CHECK_STR("arsh", fmt1(0xc7, 1, 0, 0, 3), "r1 s>>= 3");
	/* reserved encodings print as data */
	CHECK_STR("opcode 0", fmt1(0x00, 0, 0, 0, 0), "<unknown>");
	CHECK_STR("le with bad width", fmt1(0xd4, 1, 0, 0, 8), "<unknown>");
	CHECK_STR("atomic bad op", fmt1(0xdb, 1, 2, 0, 0x77), "<unknown>");
	CHECK_STR("alu op 0xe0", fmt1(0xe7, 1, 0, 0, 0), "<unknown>");
	CHECK_STR("neg with X", fmt1(0x8f, 1, 2, 0, 0), "<unknown>");
	CHECK_STR("ld abs dw", fmt1(0x38, 0, 0, 0, 0), "<unknown>");
	CHECK_STR("exit with fields set", fmt1(0x95, 1, 2, 1, 3), "<unknown>");
	CHECK_STR("callx with a bad register", fmt1(0x8d, 0, 0, 0, -7), "<unknown>");
	CHECK_STR("callx, LLVM 14 encoding", fmt1(0x8d, 1, 2, 0, 3), "callx r3");

	/* ld_imm64: two slots; cut short it is data */
	{
		uint8_t b[16];
		struct bpfkit_insn in[2];
		char out[2048];
		int slots;

		enc(b, 0x18, 1, 0, 0, 0x72206d6f, false);	/* "om r" */
		enc(b + 8, 0, 0, 0, 0, 0x0a747375, false);	/* "ust\n" */
		bpfkit_disasm__decode(b, 2, false, in);
		slots = bpfkit_disasm__format(in, 2, 0, NULL, out, sizeof(out));
		CHECK("ld_imm64 two slots", slots == 2);
		CHECK_STR("ld_imm64 text", out, "r1 = 753353985940811119 ll");
		bpfkit_disasm__explain(in, 2, 0, false, out, sizeof(out));
		CHECK("explain says wide load", strstr(out, "wide 8-byte load") != NULL);
		CHECK("explain shows bytes", strstr(out, "'om r'") && strstr(out, "'ust\\n'"));
		slots = bpfkit_disasm__format(in, 1, 0, NULL, out, sizeof(out));
		CHECK("ld_imm64 cut short is one slot", slots == 1);
		CHECK_STR("ld_imm64 cut short text", out, "<unknown>");
		/* the same value in a big-endian object lies in memory the other way round */
		enc(b, 0x18, 1, 0, 0, 0x72206d6f, true);
		enc(b + 8, 0, 0, 0, 0, 0x0a747375, true);
		bpfkit_disasm__decode(b, 2, true, in);
		bpfkit_disasm__explain(in, 2, 0, true, out, sizeof(out));
		CHECK("explain bytes in big-endian order", strstr(out, "'r mo'") && strstr(out, "'\\ntsu'"));
		enc(b, 0x18, 1, 1, 0, 7, false);
		bpfkit_disasm__decode(b, 2, false, in);
		bpfkit_disasm__format(in, 2, 0, NULL, out, sizeof(out));
		CHECK_STR("ld_pseudo map fd", out, "ld_pseudo\tr1, 1, 7");
	}

	/* big-endian objects: dst is the high nibble, off/imm are big-endian */
	{
		uint8_t b[8];
		struct bpfkit_insn in;
		char out[512];

		enc(b, 0x61, 3, 1, 8, 0, true);
		bpfkit_disasm__decode(b, 1, true, &in);
		CHECK("be fields", in.dst == 3 && in.src == 1 && in.off == 8);
		bpfkit_disasm__format(&in, 1, 0, NULL, out, sizeof(out));
		CHECK_STR("be text", out, "r3 = *(u32 *)(r1 + 8)");
		bpfkit_disasm__explain(&in, 1, 0, true, out, sizeof(out));
		CHECK("be explain", strstr(out, "class LDX") && strstr(out, "size W (4 bytes)") &&
				    strstr(out, "mode MEM") && strstr(out, "dst r3 (high nibble)"));
	}

	/* callbacks: labels and helper names */
	{
		uint8_t b[16];
		struct bpfkit_insn in[2];
		struct bpfkit_disasm_cbs cbs = { .jump_label = label_cb, .call = call_cb };
		char out[256];

		enc(b, 0x05, 0, 0, 5, 0, false);
		enc(b + 8, 0x85, 0, 0, 1, 1, false);
		bpfkit_disasm__decode(b, 2, false, in);
		bpfkit_disasm__format(in, 2, 0, &cbs, out, sizeof(out));
		CHECK_STR("jump label cb", out, "goto +5 <L6>");
		bpfkit_disasm__format(in, 2, 1, &cbs, out, sizeof(out));
		CHECK_STR("call cb", out, "call bpf_map_lookup_elem#1");
		struct bpfkit_insn_kind k = bpfkit_disasm__kind(in, 2, 0);
		CHECK("kind jump", k.flow == BPFKIT_FLOW_JUMP && k.target == 6);
		cbs.hex_imm = true;
		CHECK_STR("helper name", bpfkit_disasm__helper_name(6), "bpf_trace_printk");
		CHECK("helper name out of range", bpfkit_disasm__helper_name(100000) == NULL &&
						  bpfkit_disasm__helper_name(-1) == NULL);
	}

	/* every opcode with every register nibble: no crash, always text,
	 * every instruction either known or "<unknown>", explain never empty */
	{
		int bad = 0, unknown = 0;

		for (int code = 0; code < 256; code++)
			for (int regs = 0; regs < 256; regs += 17) {
				uint8_t b[16];
				struct bpfkit_insn in[2];
				char out[256], ex[2048];

				enc(b, code, regs & 0xf, regs >> 4, -1, (int32_t)(code * 0x01010101u), false);
				enc(b + 8, 0, 0, 0, 0, -1, false);
				bpfkit_disasm__decode(b, 2, false, in);
				bpfkit_disasm__format(in, 2, 0, NULL, out, sizeof(out));
				bpfkit_disasm__explain(in, 2, 0, false, ex, sizeof(ex));
				if (!out[0] || !strstr(ex, "meaning: "))
					bad++;
				unknown += !strcmp(out, "<unknown>");
			}
		CHECK("all encodings format", bad == 0);
		CHECK("some encodings are reserved", unknown > 0);
	}
	/* tiny buffers truncate, never overflow (ASan watches) */
	{
		uint8_t b[8];
		struct bpfkit_insn in;
		char small[5];

		enc(b, 0xdb, 1, 2, 8, 0xf1, false);
		bpfkit_disasm__decode(b, 1, false, &in);
		bpfkit_disasm__format(&in, 1, 0, NULL, small, sizeof(small));
		CHECK("truncated text", strlen(small) == 4);
		bpfkit_disasm__explain(&in, 1, 0, false, small, sizeof(small));
		CHECK("truncated explain", strlen(small) == 4);
	}
	TEST_EXIT();
}
