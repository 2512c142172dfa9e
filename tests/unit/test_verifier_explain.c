/* tests/unit/test_verifier_explain.c — verifier error classes from canned
 * logs, including older kernels' wording, and the cases with no hint; the
 * program-specific detail and fix line; the summary's line and text fixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpfkit/verifier.h>
#include "test.h"

static struct bpfkit_verifier_explanation ex;

/* explains LOG into EX; its class id, "(none)" if none */
static const char *explain(const char *log)
{
	bpfkit_verifier__explain_log(log, NULL, 0, "prog", &ex);
	return ex.cls ? ex.cls->id : "(none)";
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static const char *cls(const char *log)
{
	const struct bpfkit_verifier_hint *h = bpfkit_verifier__explain(log);

	return h ? h->id : "(none)";
}

static void new_classes(void)
{
	/* a packet pointer after a helper that moves the packet: 'scalar' as
	 * root (6.x), 'inv' (5.x), '!read_ok' without CAP_PERFMON */
	static const char adjust[] =
		"9: (85) call bpf_xdp_adjust_head#44      ; R0=scalar()\n"
		"; return eth->h_proto == 8; @ a.bpf.c:18\n"
		"11: (71) r1 = *(u8 *)(r6 +12)\n";
	char log[512];

	snprintf(log, sizeof(log), "%sR6 invalid mem access 'scalar'\n", adjust);
	CHECK_STR("stale packet pointer (scalar)", cls(log), "stale-packet-pointer");
	snprintf(log, sizeof(log), "%sR6 invalid mem access 'inv'\n", adjust);
	CHECK_STR("stale packet pointer (5.x inv)", cls(log), "stale-packet-pointer");
	snprintf(log, sizeof(log), "%sR6 !read_ok\n", adjust);
	CHECK_STR("stale packet pointer (unprivileged)", cls(log), "stale-packet-pointer");
	CHECK_STR("no packet helper: still a scalar", cls("1: (61) r0 = *(u32 *)(r1 +0)\nR1 invalid mem access 'scalar'\n"),
		  "scalar-deref");
	CHECK_STR("R0 at exit after a packet helper is still R0",
		  cls("3: (85) call bpf_skb_pull_data#39\n4: (95) exit\nR0 !read_ok\n"), "r0-not-set");
	CHECK_STR("R0 read elsewhere: a register", cls("0: (bf) r1 = r0\nR0 !read_ok\n"), "uninit-register");
	CHECK_STR("pointer comparison: not arithmetic",
		  cls("18: (1d) if r8 == r0 goto pc+1\nR0 pointer comparison prohibited\n"), "pointer-leak");
	CHECK_STR("leak into map", cls("9: (7b) *(u64 *)(r0 +0) = r0\nR0 leaks addr into map\n"), "pointer-leak");
	CHECK_STR("leak as return value", cls("4: (95) exit\nR0 leaks addr as return value\n"), "pointer-leak");
	CHECK_STR("return range (6.x)", cls("4: (95) exit\nAt program exit the register R0 has smin=2 smax=2 should have been in [0, 1]\n"),
		  "return-range");
	CHECK_STR("return range (5.x)", cls("4: (95) exit\nAt program exit the register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)\n"),
		  "return-range");
	CHECK_STR("call stack too deep", cls("17: (85) call pc-9\nthe call stack of 9 frames is too deep !\n"), "call-depth");
	CHECK_STR("helper under spin lock", cls("15: (85) call bpf_map_lookup_elem#1\nfunction calls are not allowed while holding a lock\n"),
		  "spin-lock");
	CHECK_STR("exit under spin lock (6.x)", cls("20: (95) exit\nBPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region\n"),
		  "spin-lock");
	CHECK_STR("spin lock in a tracing program", explain("tracing progs cannot use bpf_spin_lock yet\n"), "spin-lock");
	CHECK("... says use atomics", has(ex.fix, "__sync_fetch_and_add"));
	CHECK_STR("exit under spin lock (5.x)", cls("20: (95) exit\nbpf_spin_unlock is missing\n"), "spin-lock");
	CHECK_STR("tail call map (6.x)", cls("4: (85) call bpf_tail_call#12\nexpected prog array map for tail callprocessed 4 insns (limit 1000000)\n"),
		  "tail-call-map");
	CHECK_STR("tail call map (older)", cls("4: (85) call bpf_tail_call#12\ncannot pass map_type 1 into func bpf_tail_call#12\n"),
		  "tail-call-map");
	CHECK_STR("rodata write", cls("5: (7b) *(u64 *)(r2 +0) = r1\nwrite into map forbidden, value_size=8 off=0 size=8\n"),
		  "read-only-map");
	CHECK_STR("signed offset", cls("6: (0f) r3 += r2\nvalue -2147483648 makes pkt pointer be out of bounds\n"), "unbounded-offset");
	CHECK_STR("unbounded offset: not plain arithmetic",
		  cls("13: (0f) r6 += r1\nmath between pkt pointer and register with unbounded min value is not allowed\n"),
		  "unbounded-offset");
	CHECK_STR("variable stack offset (unpriv): not a map value",
		  cls("14: (0f) r2 += r1\nR2 variable stack access prohibited for !root, var_off=(0x0; 0x38) off=-64\n"),
		  "stack-var-offset");
	CHECK_STR("variable stack offset (priv): not a map value",
		  cls("9: (71) r0 = *(u8 *)(r2 +0)\ninvalid variable-offset read from stack R2 var_off=(0x0; 0x7) off=-8 size=1\n"),
		  "stack-var-offset");
	CHECK_STR("ctx->data read as 64 bits (two loads and a shift)",
		  cls("2: (67) r1 <<= 32\nR1 pointer arithmetic on pkt_end prohibited\n"), "ctx-access");
	CHECK_STR("ctx->data read as 8 bytes", explain("0: (79) r2 = *(u64 *)(r1 +0)\ninvalid bpf_context access off=0 size=8\n"),
		  "ctx-access");
	CHECK("... says (void *)(long)ctx->data", has(ex.fix, "(void *)(long)") && has(ex.detail, "8 bytes"));
	CHECK_STR("masking a packet pointer: pointer arithmetic, not an added offset",
		  cls("4: (5f) r2 &= r3\nmath between pkt pointer and 8589934588 is not allowed\n"), "pointer-arithmetic");
	CHECK_STR("adding a huge constant: an out-of-bounds offset",
		  cls("4: (07) r2 += 536870912\nmath between pkt pointer and 536870912 is not allowed\n"), "unbounded-offset");
	explain("; __u64 *n = bpf_map_lookup_elem(&counters, (void *)(long)key); @ k.bpf.c:10\n"
		"4: (85) call bpf_map_lookup_elem#1\nR2 type=scalar expected=fp, pkt, pkt_meta, map_key\n");
	CHECK("key by value: says pass its address", ex.cls && !strcmp(ex.cls->id, "helper-arg") &&
	      has(ex.fix, "&key") && has(ex.detail, "argument 2 of bpf_map_lookup_elem()"));
	CHECK_STR("global function with a packet pointer: not a helper argument",
		  explain("2: (85) call pc+7\narg#0 reference type('UNKNOWN ') size cannot be determined: -22\n"
			  "Caller passes invalid args into func#1 ('parse_eth')\n"), "global-func-arg");
	CHECK("... names the function, says static", has(ex.detail, "parse_eth()") && has(ex.fix, "static int parse_eth("));
}

static void detail_and_fix(void)
{
	explain("0: R1=ctx() R10=fp0\n"
		"; void *data = (void *)(long)ctx->data; @ x.bpf.c:9\n"
		"0: (61) r6 = *(u32 *)(r1 +0)   ; R6_w=pkt(r=0)\n"
		"; if (bpf_xdp_adjust_head(ctx, 4)) @ x.bpf.c:16\n"
		"9: (85) call bpf_xdp_adjust_head#44      ; R0=scalar()\n"
		"; return eth->h_proto; @ x.bpf.c:18\n"
		"11: (71) r1 = *(u8 *)(r6 +12)\nR6 invalid mem access 'scalar'\n");
	CHECK("stale: names the helper, its line, and re-reading data/data_end",
	      has(ex.detail, "bpf_xdp_adjust_head()") && has(ex.detail, "line 16") &&
	      has(ex.detail, "re-read ctx->data") && has(ex.fix, "data_end = (void *)(long)ctx->data_end"));
	CHECK("stale: source line is the use", ex.sum.line == 18);

	explain("; __u64 *b = bpf_map_lookup_elem(&bytes, &proto); @ s.bpf.c:17\n"
		"7: (85) call bpf_map_lookup_elem#1  ; R0=map_value_or_null(id=1)\n"
		"; *b += skb->len; @ s.bpf.c:19\n"
		"9: (79) r2 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\n");
	CHECK("null: names the variable and the map", has(ex.detail, "'b'") && has(ex.detail, "&bytes"));
	CHECK_STR("null: fix checks that variable", ex.fix, "if (!b) return 0;");

	explain("; if (ctx->user_port == 25) @ c.bpf.c:9\n"
		"1: (b7) r0 = -1   ; R0=-1\n"
		"; } @ c.bpf.c:12\n"
		"4: (95) exit\nAt program exit the register R0 has smin=-1 smax=-1 should have been in [0, 1]\n");
	CHECK("return range: the value and the range", has(ex.detail, "returns -1") && has(ex.detail, "[0, 1]"));
	CHECK("return range: points at where R0 got it, not the closing brace", ex.sum.line == 9);

	explain("; p = data + off; @ t.bpf.c:16\n6: (0f) r3 += r2\nvalue -2147483648 makes pkt pointer be out of bounds\n");
	CHECK("signed offset: says negative, fix makes it unsigned and bounded",
	      has(ex.detail, "-2147483648") && has(ex.fix, "__u32 off_u = off;") && has(ex.fix, "p = data + off_u"));

	explain("; bpf_tail_call(skb, &stages, 1); @ t.bpf.c:16\n"
		"1: (18) r2 = 0xffff888   ; R2_w=map_ptr(map=stages,ks=4,vs=4)\n"
		"4: (85) call bpf_tail_call#12\nexpected prog array map for tail callprocessed 4 insns (limit 1000000)\n");
	CHECK("tail call: names the map", has(ex.detail, "'stages'") && has(ex.fix, "BPF_MAP_TYPE_PROG_ARRAY"));
	CHECK("tail call: the glued statistics are cut off", !has(ex.sum.error, "processed") &&
	      has(ex.sum.error, "for tail call"));

	explain("; return skip(ctx, d + 1); @ r.bpf.c:12\n17: (85) call pc-9\n9: frame2: R1=1\n"
		"; return skip(ctx, d + 1); @ r.bpf.c:12\n17: (85) call pc-9\nthe call stack of 9 frames is too deep\n");
	CHECK("recursion: named", has(ex.detail, "skip calls itself") && ex.sum.line == 12);

	explain("; bpf_spin_lock(&s->lock); @ l.bpf.c:26\n11: (85) call bpf_spin_lock#93\n"
		"; if (s->n > 9) return 1; @ l.bpf.c:28\n20: (95) exit\n"
		"BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region\n");
	CHECK("spin lock exit: line and unlock", has(ex.detail, "line 28") && has(ex.fix, "bpf_spin_unlock"));
}

/* A combined stack too big has no instruction in the log: the object says
 * which functions add up (tests/data/verifier/xdp_stack_chain.bpf.c). */
static void stack_chain(void)
{
	const char *path = "../../build/bpf/verifier/xdp_stack_chain.bpf.o";
	FILE *f = fopen(path, "rb");
	static char buf[1 << 16];
	size_t n = 0;

	CHECK("stack chain: corpus object built (make bpf)", f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	bpfkit_verifier__explain_log("combined stack size of 3 calls is 576. Too large\n"
				     "processed 40 insns (limit 1000000)\n", buf, n, "bad_chain", &ex);
	CHECK_STR("stack chain: class", ex.cls ? ex.cls->id : "(none)", "stack-size");
	CHECK("stack chain: every frame named with its stack",
	      has(ex.detail, "bad_chain() 160 bytes -> parse_opts() 208 bytes -> copy_opts() 208 bytes"));
	CHECK("stack chain: points at the call that goes over", ex.sum.line == 22 &&
	      !strcmp(ex.sum.file, "xdp_stack_chain.bpf.c") && has(ex.sum.source, "copy_opts(ctx, hdr)"));
	/* damaged bytes: no crash, no chain, the class still */
	memset(buf + 64, 0xff, n > 256 ? 192 : 0);
	bpfkit_verifier__explain_log("combined stack size of 3 calls is 576. Too large\n", buf, n, "bad_chain", &ex);
	CHECK("stack chain: damaged object still gives the class", ex.cls && !strcmp(ex.cls->id, "stack-size"));
	bpfkit_verifier__explain_log("combined stack size of 3 calls is 576. Too large\n", buf, n, "nope", &ex);
	CHECK("stack chain: unknown program, no chain", ex.cls && ex.sum.line == 0);
}

static void summary_fixes(void)
{
	struct bpfkit_verifier_summary sum;

	/* the last note before the failing insn says line 0: the nearest
	 * real line before it is the one to show */
	bpfkit_verifier__summarize("; struct big *b = lookup(&t, &key); @ m.bpf.c:18\n"
				   "3: (bf) r2 = r10\n"
				   ";  @ m.bpf.c:0\n"
				   "4: (07) r2 += -4\n"
				   "R2 some error\n", &sum);
	CHECK("source line 0 walks back", sum.line == 18 && !strcmp(sum.file, "m.bpf.c") &&
	      !strcmp(sum.file_line, "m.bpf.c:18") && has(sum.source, "lookup"));
	bpfkit_verifier__summarize("; x = 1; @ dir/a.c:7\n1: (b7) r0 = 1\nboom\n", &sum);
	CHECK("file and line apart", sum.line == 7 && !strcmp(sum.file, "dir/a.c"));
	/* older kernels: "; text" notes without "@ file:N" */
	explain("; __u64 *v = bpf_map_lookup_elem(&m, &k);\n3: (85) call bpf_map_lookup_elem#1\n"
		"; *v += 1;\n7: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\n");
	CHECK("old-style source notes: text, no line, still named", !strcmp(ex.sum.source, "*v += 1;") &&
	      ex.sum.line == 0 && has(ex.fix, "if (!v)"));
	bpfkit_verifier__summarize("1: (b7) r0 = 1\nboom\n", &sum);
	CHECK("no line info: line 0, no file", sum.line == 0 && !sum.file[0]);
	CHECK("explain_log: NULL log", bpfkit_verifier__explain_log(NULL, NULL, 0, NULL, &ex) == -ENOENT && !ex.cls);
	CHECK("explain_log: NULL out", bpfkit_verifier__explain_log("x", NULL, 0, NULL, NULL) == -EINVAL);
}

int main(void)
{
	size_t n = 0;
	const struct bpfkit_verifier_hint *all = bpfkit_verifier__hints(&n);
	int distinct = 1;

	CHECK("at least 28 classes", n >= 28);
	for (size_t i = 0; i < n; i++) {
		distinct &= all[i].id && all[i].title && all[i].hint && *all[i].hint && all[i].fix && *all[i].fix;
		for (size_t j = 0; j < i; j++)
			distinct &= strcmp(all[i].id, all[j].id) != 0;
	}
	CHECK("ids distinct, every class has a title and a hint", distinct);

	CHECK_STR("packet bounds", cls("0: R1=ctx() R10=fp0\n; return ip->protocol; @ a.c:10\n"
				       "1: (71) r1 = *(u8 *)(r1 +23)\n"
				       "invalid access to packet, off=23 size=1, R1(id=0,off=23,r=0)\n"
				       "R1 offset is outside of the packet\nprocessed 2 insns\n"), "packet-bounds");
	/* register states say "_or_null" before the real error: not a NULL-check class */
	CHECK_STR("error line wins over states",
		  cls("5: R0_w=map_value_or_null(id=1,off=0,ks=4,vs=8)\n6: (85) call bpf_foo#9999\n"
		      "invalid func unknown#9999\nprocessed 7 insns\n"), "unknown-func");
	CHECK_STR("null (map_value_or_null)", cls("7: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\n"),
		  "map-value-null");
	CHECK_STR("scalar (6.x)", cls("1: (61) r0 = *(u32 *)(r1 +0)\nR1 invalid mem access 'scalar'\n"), "scalar-deref");
	CHECK_STR("scalar (5.x 'inv')", cls("1: (61) r0 = *(u32 *)(r1 +0)\nR1 invalid mem access 'inv'\n"), "scalar-deref");
	CHECK_STR("back-edge (old kernels)", cls("back-edge from insn 5 to 3\n"), "loop");
	CHECK_STR("infinite loop", cls("4: (05) goto pc-1\ninfinite loop detected at insn 4\n"), "loop");
	CHECK_STR("R0", cls("2: (95) exit\nR0 !read_ok\n"), "r0-not-set");
	CHECK_STR("other register uninit", cls("2: (bf) r0 = r3\nR3 !read_ok\n"), "uninit-register");
	CHECK_STR("uninit stack via helper", cls("11: (85) call bpf_map_update_elem#2\n"
						  "invalid indirect read from stack R3 off -8+4 size 8\n"), "uninit-stack");
	CHECK_STR("helper for type (old wording)", cls("3: (85) call bpf_get_current_comm#16\nunknown func bpf_get_current_comm#16\n"),
		  "helper-not-allowed");
	CHECK_STR("helper for type", cls("4: (85) call bpf_skb_load_bytes#26\nprogram of this type cannot use helper bpf_skb_load_bytes#26\n"),
		  "helper-not-allowed");
	CHECK_STR("too large", cls("BPF program is too large. Processed 1000001 insn\n"), "too-complex");
	CHECK_STR("jump sequence too complex", cls("The sequence of 8193 jumps is too complex.\n"), "too-complex");
	CHECK_STR("stack", cls("combined stack size of 2 calls is 608. Too large\n"), "stack-size");
	CHECK_STR("misaligned", cls("1: (7b) *(u64 *)(r10 -15) = r1\nmisaligned stack access off 0+0+-15 size 8\n"), "misaligned");
	CHECK_STR("ctx write", cls("1: (63) *(u32 *)(r1 +12) = r2\ninvalid bpf_context access off=12 size=4\n"), "ctx-access");
	CHECK_STR("ptr arith", cls("5: (1f) r1 -= r3\nR1 pointer arithmetic on pkt_end prohibited\n"), "pointer-arithmetic");
	CHECK_STR("gpl", cls("3: (85) call bpf_trace_printk#6\ncannot call GPL-restricted function from non-GPL compatible program\n"),
		  "gpl-only");
	CHECK_STR("ringbuf", cls("10: (95) exit\nUnreleased reference id=2 alloc_insn=5\n"), "unreleased-reference");
	CHECK_STR("helper arg", cls("8: (85) call bpf_map_update_elem#2\nR3 type=ctx expected=fp, pkt, map_value\n"), "helper-arg");
	CHECK_STR("range", cls("12: (61) r1 = *(u32 *)(r0 +0)\nR0 unbounded memory access, make sure to bounds check any such access\n"),
		  "out-of-range");
	CHECK_STR("kfunc", cls("calling kernel function bpf_obj_new_impl is not allowed\n"), "unknown-func");
	new_classes();
	detail_and_fix();
	summary_fixes();
	stack_chain();
	CHECK_STR("unknown error: no hint", cls("5: (b7) r0 = 0\nsomething nobody has seen before\n"), "(none)");
	CHECK_STR("empty log", cls(""), "(none)");
	CHECK("NULL log", bpfkit_verifier__explain(NULL) == NULL);
	TEST_EXIT();
}
