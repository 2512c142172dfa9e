/* tests/fuzz/fuzz_disasm.c — the decoder on arbitrary bytes: decode in both
 * byte orders, format, explain, classify, build the CFG and write its DOT.
 * The first byte picks options (endianness, hex immediates). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/cfg.h>
#include <bpfkit/disasm.h>

static int label(void *ctx, size_t idx, long target, char *buf, size_t sz)
{
	(void)ctx; (void)idx;
	return snprintf(buf, sz, " <L%ld>", target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct bpfkit_disasm_cbs cbs = { .jump_label = label };
	struct bpfkit_insn *insns;
	struct bpfkit_cfg *cfg;
	bool be;
	size_t n;

	if (!size)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	be = data[0] & 1;
	cbs.hex_imm = data[0] & 2;
	data++, size--;
	n = size / 8;
	insns = malloc((n ?: 1) * sizeof(*insns));
	if (!insns)
		return 0;
	bpfkit_disasm__decode(data, n, be, insns);
	for (size_t i = 0; i < n;) {
		char text[512], ex[2048];
		int s = bpfkit_disasm__format(insns, n, i, &cbs, text, sizeof(text));
		int s2 = bpfkit_disasm__explain(insns, n, i, be, ex, sizeof(ex));
		struct bpfkit_insn_kind k = bpfkit_disasm__kind(insns, n, i);

		if (s != s2 || s != k.slots || s < 1 || i + s > n || !text[0])
			abort();
		i += s;
	}
	cfg = bpfkit_cfg__new(insns, n);
	if (cfg) {
		for (size_t b = 0; b < bpfkit_cfg__block_cnt(cfg); b++) {
			const struct bpfkit_cfg_block *blk = bpfkit_cfg__block(cfg, b);

			if (blk->first > blk->last || blk->last >= n ||
			    blk->succ[0] >= (long)bpfkit_cfg__block_cnt(cfg) ||
			    blk->succ[1] >= (long)bpfkit_cfg__block_cnt(cfg))
				abort();
		}
		if (devnull)
			bpfkit_cfg__write_dot(cfg, insns, n, &cbs, "fuzz", devnull);
		bpfkit_cfg__free(cfg);
	}
	free(insns);
	return 0;
}
