/* tests/unit/test_disasm_cfg.c — control-flow graphs: functions from
 * BPF-to-BPF calls, block leaders, fall-through and jump edges, ld_imm64's
 * second slot, jumps out of range, and the DOT text. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/cfg.h>
#include <bpfkit/disasm.h>
#include "test.h"

#define I(c, d, s, o, i) ((struct bpfkit_insn){ (c), (d), (s), (o), (i) })

int main(void)
{
	struct bpfkit_insn prog[] = {
		I(0xb7, 0, 0, 0, 0),	/* 0: r0 = 0 */
		I(0x15, 1, 0, 2, 0),	/* 1: if r1 == 0 goto +2 (-> 4) */
		I(0xb7, 0, 0, 0, 1),	/* 2: r0 = 1 */
		I(0x05, 0, 0, 1, 0),	/* 3: goto +1 (-> 5) */
		I(0xb7, 0, 0, 0, 2),	/* 4: r0 = 2 */
		I(0x85, 0, 1, 0, 1),	/* 5: call pc+1 (-> 7, a subprogram) */
		I(0x95, 0, 0, 0, 0),	/* 6: exit */
		I(0xb7, 0, 0, 0, 3),	/* 7: r0 = 3 */
		I(0x95, 0, 0, 0, 0),	/* 8: exit */
	};
	size_t n = sizeof(prog) / sizeof(prog[0]);
	struct bpfkit_cfg *cfg = bpfkit_cfg__new(prog, n);
	const struct bpfkit_cfg_block *b;

	CHECK("cfg built", cfg != NULL);
	if (!cfg)
		TEST_EXIT();
	CHECK("two functions", bpfkit_cfg__func_cnt(cfg) == 2);
	CHECK("five blocks", bpfkit_cfg__block_cnt(cfg) == 5);
	b = bpfkit_cfg__block(cfg, 0);
	CHECK("b0 = 0..1, false->b1, true->b2", b->first == 0 && b->last == 1 && b->succ[0] == 1 && b->succ[1] == 2);
	b = bpfkit_cfg__block(cfg, 1);
	CHECK("b1 = 2..3 jumps to b3", b->first == 2 && b->last == 3 && b->succ[0] == 3 && b->succ[1] == -1);
	b = bpfkit_cfg__block(cfg, 2);
	CHECK("b2 = 4 falls into b3", b->first == 4 && b->last == 4 && b->succ[0] == 3);
	b = bpfkit_cfg__block(cfg, 3);
	CHECK("b3 = 5..6 ends in exit", b->first == 5 && b->last == 6 && b->succ[0] == -1 && b->succ[1] == -1);
	b = bpfkit_cfg__block(cfg, 4);
	CHECK("b4 = 7..8 is function 1", b->first == 7 && b->last == 8 && b->func == 1);
	CHECK("no block 5", bpfkit_cfg__block(cfg, 5) == NULL);
	{
		char *dot = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&dot, &len);

		bpfkit_cfg__write_dot(cfg, prog, n, NULL, "t<1>", f);
		fclose(f);
		CHECK("dot: two clusters", strstr(dot, "subgraph cluster_0") && strstr(dot, "subgraph cluster_1"));
		CHECK("dot: true edge", strstr(dot, "b0 -> b2 [color=green label=\"true\"]") != NULL);
		CHECK("dot: false edge", strstr(dot, "b0 -> b1 [color=red label=\"false\"]") != NULL);
		CHECK("dot: unconditional edge", strstr(dot, "b1 -> b3;") != NULL);
		CHECK("dot: record label escaped", strstr(dot, "1: if r1 == 0 goto +2\\l") && strstr(dot, "digraph \"t\\<1\\>\""));
		free(dot);
	}
	CHECK("function entries", bpfkit_cfg__func_entry(cfg, 0) == 0 && bpfkit_cfg__func_entry(cfg, 1) == 7 &&
	      bpfkit_cfg__func_entry(cfg, 2) == SIZE_MAX);
	CHECK("unnamed by default", bpfkit_cfg__func_name(cfg, 1) == NULL);
	CHECK("name out of range refused", bpfkit_cfg__set_func_name(cfg, 2, "x") == -EINVAL);
	CHECK("names set", !bpfkit_cfg__set_func_name(cfg, 0, "main_prog") &&
	      !bpfkit_cfg__set_func_name(cfg, 1, "sub\"q") && !strcmp(bpfkit_cfg__func_name(cfg, 0), "main_prog"));
	{
		char *dot = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&dot, &len);

		bpfkit_cfg__write_dot(cfg, prog, n, NULL, "t", f);
		fclose(f);
		CHECK("dot: clusters labelled with names", strstr(dot, "label=\"main_prog (insn 0)\"") &&
		      strstr(dot, "label=\"sub\\\"q (insn 7)\"") && !strstr(dot, "func_"));
		free(dot);
	}
	bpfkit_cfg__free(cfg);

	/* an unrelocated call in an object ("call -1", to another section) is no function entry */
	{
		struct bpfkit_insn ext[] = {
			I(0x85, 0, 1, 0, -1),	/* 0: call -1 */
			I(0x95, 0, 0, 0, 0),	/* 1: exit */
		};
		struct bpfkit_cfg *c2 = bpfkit_cfg__new(ext, 2);

		CHECK("call -1: one function", c2 && bpfkit_cfg__func_cnt(c2) == 1);
		bpfkit_cfg__free(c2);
	}
	/* a jump into the second slot of a ld_imm64, and one past the end */
	{
		struct bpfkit_insn odd[] = {
			I(0x05, 0, 0, 1, 0),	/* 0: goto +1 (-> 2, the middle of the ld_imm64) */
			I(0x18, 1, 0, 0, 5),	/* 1-2: r1 = 5 ll */
			I(0x00, 0, 0, 0, 0),
			I(0x15, 1, 0, 100, 0),	/* 3: if r1 == 0 goto +100 (out of range) */
			I(0x95, 0, 0, 0, 0),	/* 4: exit */
		};

		cfg = bpfkit_cfg__new(odd, 5);
		CHECK("odd cfg built", cfg != NULL);
		if (cfg) {
			CHECK("no block inside ld_imm64", bpfkit_cfg__block_cnt(cfg) == 3);
			b = bpfkit_cfg__block(cfg, 0);
			CHECK("jump into ld_imm64 has no edge", b->succ[0] == -1);
			b = bpfkit_cfg__block(cfg, 1);
			CHECK("ld_imm64 block spans both slots", b->first == 1 && b->last == 3);
			CHECK("out-of-range jump has no edge", b->succ[1] == -1 && b->succ[0] == 2);
			bpfkit_cfg__free(cfg);
		}
	}
	/* empty program */
	cfg = bpfkit_cfg__new(prog, 0);
	CHECK("empty program: no blocks", cfg && bpfkit_cfg__block_cnt(cfg) == 0);
	bpfkit_cfg__free(cfg);
	TEST_EXIT();
}
