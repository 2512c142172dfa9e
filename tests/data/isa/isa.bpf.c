/* tests/data/isa/isa.bpf.c — an object with every opcode of the eBPF ISA,
 * for comparing `bpfkit obj dump` with llvm-objdump (tests/integration/
 * 40-obj-dump.sh) and for the decoder's unit test.
 *
 * Section "isa/v3": everything LLVM 14's assembler knows, written in BPF
 * assembly; llvm-objdump 14 must agree with bpfkit on every line.
 * Section "isa/v4": encodings LLVM 14 cannot disassemble (BPF_MOD, ISA v4 sdiv/smod, movsx,
 * bswap, sign-extending loads, gotol; BPF_ST; JSET; 32-bit and fetch
 * atomics; load-acquire/store-release; may_goto; pseudo ld_imm64 sources;
 * reserved encodings), as raw words, each followed by a comment giving the
 * text bpfkit prints (the syntax of later LLVM releases). Never loaded. */

__attribute__((section("isa/v3"), used, naked)) void isa_v3(void)
{
	asm volatile(
		"r1 += r2\n"
		"r3 += 7\n"
		"r4 += -9\n"
		"r1 -= r2\n"
		"r3 -= 7\n"
		"r4 -= -9\n"
		"r1 *= r2\n"
		"r3 *= 7\n"
		"r4 *= -9\n"
		"r1 /= r2\n"
		"r3 /= 7\n"
		"r4 /= -9\n"
		"r1 |= r2\n"
		"r3 |= 7\n"
		"r4 |= -9\n"
		"r1 &= r2\n"
		"r3 &= 7\n"
		"r4 &= -9\n"
		"r1 <<= r2\n"
		"r3 <<= 7\n"
		"r4 <<= -9\n"
		"r1 >>= r2\n"
		"r3 >>= 7\n"
		"r4 >>= -9\n"
		"r1 ^= r2\n"
		"r3 ^= 7\n"
		"r4 ^= -9\n"
		"r1 s>>= r2\n"
		"r3 s>>= 7\n"
		"r4 s>>= -9\n"
		"r1 = r2\n"
		"r1 = 2147483647\n"
		"r0 = -1\n"
		"r5 = -r5\n"
		"w1 += w2\n"
		"w3 += 7\n"
		"w4 += -9\n"
		"w1 -= w2\n"
		"w3 -= 7\n"
		"w4 -= -9\n"
		"w1 *= w2\n"
		"w3 *= 7\n"
		"w4 *= -9\n"
		"w1 /= w2\n"
		"w3 /= 7\n"
		"w4 /= -9\n"
		"w1 |= w2\n"
		"w3 |= 7\n"
		"w4 |= -9\n"
		"w1 &= w2\n"
		"w3 &= 7\n"
		"w4 &= -9\n"
		"w1 <<= w2\n"
		"w3 <<= 7\n"
		"w4 <<= -9\n"
		"w1 >>= w2\n"
		"w3 >>= 7\n"
		"w4 >>= -9\n"
		"w1 ^= w2\n"
		"w3 ^= 7\n"
		"w4 ^= -9\n"
		"w1 s>>= w2\n"
		"w3 s>>= 7\n"
		"w4 s>>= -9\n"
		"w1 = w2\n"
		"w1 = 2147483647\n"
		"w0 = -1\n"
		"w5 = -w5\n"
		"r6 = be16 r6\n"
		"r6 = be32 r6\n"
		"r6 = be64 r6\n"
		"r6 = le16 r6\n"
		"r6 = le32 r6\n"
		"r6 = le64 r6\n"
		"r1 = 0 ll\n"
		"r2 = -1 ll\n"
		"r3 = 81985529216486895 ll\n"
		"r9 = 4294967296 ll\n"
		"r1 = *(u8 *)(r2 + 0)\n"
		"r3 = *(u8 *)(r10 - 8)\n"
		"r4 = *(u8 *)(r5 + 32767)\n"
		"*(u8 *)(r10 - 16) = r1\n"
		"*(u8 *)(r1 + 4) = r9\n"
		"*(u8 *)(r2 - 32768) = r0\n"
		"r1 = *(u16 *)(r2 + 0)\n"
		"r3 = *(u16 *)(r10 - 8)\n"
		"r4 = *(u16 *)(r5 + 32767)\n"
		"*(u16 *)(r10 - 16) = r1\n"
		"*(u16 *)(r1 + 4) = r9\n"
		"*(u16 *)(r2 - 32768) = r0\n"
		"r1 = *(u32 *)(r2 + 0)\n"
		"r3 = *(u32 *)(r10 - 8)\n"
		"r4 = *(u32 *)(r5 + 32767)\n"
		"*(u32 *)(r10 - 16) = r1\n"
		"*(u32 *)(r1 + 4) = r9\n"
		"*(u32 *)(r2 - 32768) = r0\n"
		"r1 = *(u64 *)(r2 + 0)\n"
		"r3 = *(u64 *)(r10 - 8)\n"
		"r4 = *(u64 *)(r5 + 32767)\n"
		"*(u64 *)(r10 - 16) = r1\n"
		"*(u64 *)(r1 + 4) = r9\n"
		"*(u64 *)(r2 - 32768) = r0\n"
		"r0 = *(u8 *)skb[12]\n"
		"r0 = *(u8 *)skb[r3]\n"
		"r0 = *(u16 *)skb[12]\n"
		"r0 = *(u16 *)skb[r3]\n"
		"r0 = *(u32 *)skb[12]\n"
		"r0 = *(u32 *)skb[r3]\n"
		"lock *(u32 *)(r1 + 0) += r2\n"
		"lock *(u64 *)(r10 - 8) += r3\n"
		"if r1 == r2 goto +1\n"
		"if r3 == 5 goto -2\n"
		"if r4 == -1 goto +0\n"
		"if r1 != r2 goto +1\n"
		"if r3 != 5 goto -2\n"
		"if r4 != -1 goto +0\n"
		"if r1 > r2 goto +1\n"
		"if r3 > 5 goto -2\n"
		"if r4 > -1 goto +0\n"
		"if r1 >= r2 goto +1\n"
		"if r3 >= 5 goto -2\n"
		"if r4 >= -1 goto +0\n"
		"if r1 < r2 goto +1\n"
		"if r3 < 5 goto -2\n"
		"if r4 < -1 goto +0\n"
		"if r1 <= r2 goto +1\n"
		"if r3 <= 5 goto -2\n"
		"if r4 <= -1 goto +0\n"
		"if r1 s> r2 goto +1\n"
		"if r3 s> 5 goto -2\n"
		"if r4 s> -1 goto +0\n"
		"if r1 s>= r2 goto +1\n"
		"if r3 s>= 5 goto -2\n"
		"if r4 s>= -1 goto +0\n"
		"if r1 s< r2 goto +1\n"
		"if r3 s< 5 goto -2\n"
		"if r4 s< -1 goto +0\n"
		"if r1 s<= r2 goto +1\n"
		"if r3 s<= 5 goto -2\n"
		"if r4 s<= -1 goto +0\n"
		"if w1 == w2 goto +1\n"
		"if w3 == 5 goto -2\n"
		"if w4 == -1 goto +0\n"
		"if w1 != w2 goto +1\n"
		"if w3 != 5 goto -2\n"
		"if w4 != -1 goto +0\n"
		"if w1 > w2 goto +1\n"
		"if w3 > 5 goto -2\n"
		"if w4 > -1 goto +0\n"
		"if w1 >= w2 goto +1\n"
		"if w3 >= 5 goto -2\n"
		"if w4 >= -1 goto +0\n"
		"if w1 < w2 goto +1\n"
		"if w3 < 5 goto -2\n"
		"if w4 < -1 goto +0\n"
		"if w1 <= w2 goto +1\n"
		"if w3 <= 5 goto -2\n"
		"if w4 <= -1 goto +0\n"
		"if w1 s> w2 goto +1\n"
		"if w3 s> 5 goto -2\n"
		"if w4 s> -1 goto +0\n"
		"if w1 s>= w2 goto +1\n"
		"if w3 s>= 5 goto -2\n"
		"if w4 s>= -1 goto +0\n"
		"if w1 s< w2 goto +1\n"
		"if w3 s< 5 goto -2\n"
		"if w4 s< -1 goto +0\n"
		"if w1 s<= w2 goto +1\n"
		"if w3 s<= 5 goto -2\n"
		"if w4 s<= -1 goto +0\n"
		"goto +1\n"
		"goto -1\n"
		"call 1\n"
		"call 6\n"
		"call 12\n"
		"exit\n"
	);
}

__attribute__((section("isa/v4"), used, naked)) void isa_v4(void)
{
	asm volatile(
		".quad 0x000000000000219f\n"	/* r1 %= r2 */
		".quad 0x0000000700000397\n"	/* r3 %= 7 */
		".quad 0xfffffff700000497\n"	/* r4 %= -9 */
		".quad 0x000000000000219c\n"	/* w1 %= w2 */
		".quad 0x0000000700000394\n"	/* w3 %= 7 */
		".quad 0xfffffff700000494\n"	/* w4 %= -9 */
		".quad 0x000000000001213f\n"	/* r1 s/= r2 */
		".quad 0xfffffffd00010137\n"	/* r1 s/= -3 */
		".quad 0x000000000001219f\n"	/* r1 s%= r2 */
		".quad 0x0000000500010197\n"	/* r1 s%= 5 */
		".quad 0x00000000000843bf\n"	/* r3 = (s8)r4 */
		".quad 0x00000000001043bf\n"	/* r3 = (s16)r4 */
		".quad 0x000000000001213c\n"	/* w1 s/= w2 */
		".quad 0xfffffffd00010134\n"	/* w1 s/= -3 */
		".quad 0x000000000001219c\n"	/* w1 s%= w2 */
		".quad 0x0000000500010194\n"	/* w1 s%= 5 */
		".quad 0x00000000000843bc\n"	/* w3 = (s8)w4 */
		".quad 0x00000000001043bc\n"	/* w3 = (s16)w4 */
		".quad 0x00000000002043bf\n"	/* r3 = (s32)r4 */
		".quad 0x00000010000006d7\n"	/* r6 = bswap16 r6 */
		".quad 0x00000020000006d7\n"	/* r6 = bswap32 r6 */
		".quad 0x00000040000006d7\n"	/* r6 = bswap64 r6 */
		".quad 0x00000000fffc2191\n"	/* r1 = *(s8 *)(r2 - 4) */
		".quad 0x00000000fffc2189\n"	/* r1 = *(s16 *)(r2 - 4) */
		".quad 0x00000000fffc2181\n"	/* r1 = *(s32 *)(r2 - 4) */
		".quad 0xfffffffbfff80a72\n"	/* *(u8 *)(r10 - 8) = -5 */
		".quad 0xfffffffbfff80a6a\n"	/* *(u16 *)(r10 - 8) = -5 */
		".quad 0xfffffffbfff80a62\n"	/* *(u32 *)(r10 - 8) = -5 */
		".quad 0xfffffffbfff80a7a\n"	/* *(u64 *)(r10 - 8) = -5 */
		".quad 0x0000000200000006\n"	/* gotol +2 */
		".quad 0xffffffff00000006\n"	/* gotol -1 */
		".quad 0x000000000001214d\n"	/* if r1 & r2 goto +1 */
		".quad 0x0000000800010145\n"	/* if r1 & 8 goto +1 */
		".quad 0x000000000001214e\n"	/* if w1 & w2 goto +1 */
		".quad 0x0000000800010146\n"	/* if w1 & 8 goto +1 */
		".quad 0x00000040000021c3\n"	/* lock *(u32 *)(r1 + 0) |= w2 */
		".quad 0x00000050000021c3\n"	/* lock *(u32 *)(r1 + 0) &= w2 */
		".quad 0x000000a0000021c3\n"	/* lock *(u32 *)(r1 + 0) ^= w2 */
		".quad 0x00000040000021db\n"	/* lock *(u64 *)(r1 + 0) |= r2 */
		".quad 0x00000050000021db\n"	/* lock *(u64 *)(r1 + 0) &= r2 */
		".quad 0x000000a0000021db\n"	/* lock *(u64 *)(r1 + 0) ^= r2 */
		".quad 0x00000001000821c3\n"	/* w2 = atomic_fetch_add((u32 *)(r1 + 8), w2) */
		".quad 0x00000041000821c3\n"	/* w2 = atomic_fetch_or((u32 *)(r1 + 8), w2) */
		".quad 0x00000051000821c3\n"	/* w2 = atomic_fetch_and((u32 *)(r1 + 8), w2) */
		".quad 0x000000a1000821c3\n"	/* w2 = atomic_fetch_xor((u32 *)(r1 + 8), w2) */
		".quad 0x00000001000821db\n"	/* r2 = atomic_fetch_add((u64 *)(r1 + 8), r2) */
		".quad 0x00000041000821db\n"	/* r2 = atomic_fetch_or((u64 *)(r1 + 8), r2) */
		".quad 0x00000051000821db\n"	/* r2 = atomic_fetch_and((u64 *)(r1 + 8), r2) */
		".quad 0x000000a1000821db\n"	/* r2 = atomic_fetch_xor((u64 *)(r1 + 8), r2) */
		".quad 0x000000e1000821db\n"	/* r2 = xchg_64(r1 + 8, r2) */
		".quad 0x000000e1000821c3\n"	/* w2 = xchg32_32(r1 + 8, w2) */
		".quad 0x000000f1000821db\n"	/* r0 = cmpxchg_64(r1 + 8, r0, r2) */
		".quad 0x000000f1000821c3\n"	/* w0 = cmpxchg32_32(r1 + 8, w0, w2) */
		".quad 0x00000100000021db\n"	/* r2 = load_acquire((u64 *)(r1 + 0)) */
		".quad 0x00000110000021c3\n"	/* store_release((u32 *)(r1 + 0), w2) */
		".quad 0x00000000000100e5\n"	/* may_goto +1 */
		".quad 0x0000000200001085\n"	/* call 2 */
		".quad 0x000004d200002085\n"	/* call 1234 */
		".quad 0x000000000000038d\n"	/* callx r3 */
		".quad 0x00000001000121bf\n"	/* r1 = addr_space_cast(r2, 0, 1) */
		".quad 0x0000000000000000\n"	/* <unknown> */
		".quad 0x00000010000001df\n"	/* <unknown> */
		".quad 0x00000008000001d4\n"	/* <unknown> */
		".quad 0x00000000000001e7\n"	/* <unknown> */
		".quad 0x00000077000021db\n"	/* <unknown> */
		".quad 0x000000000000009d\n"	/* <unknown> */
		".quad 0x0000000700001118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 1, 7 */
		".quad 0x0000000700002118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 2, 7 */
		".quad 0x0000000700003118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 3, 7 */
		".quad 0x0000000700004118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 4, 7 */
		".quad 0x0000000700005118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 5, 7 */
		".quad 0x0000000700006118\n .quad 0x0000000000000000\n"	/* ld_pseudo\tr1, 6, 7 */
		".quad 0x0000000000000095\n"	/* exit */
	);
}

char _license[] __attribute__((section("license"), used)) = "GPL";
