/* tests/unit/test_verifier_explain.c — verifier error classes from canned
 * logs, including older kernels' wording, and the cases with no hint. */
#include <bpfkit/verifier.h>
#include "test.h"

static const char *cls(const char *log)
{
	const struct bpfkit_verifier_hint *h = bpfkit_verifier__explain(log);

	return h ? h->id : "(none)";
}

int main(void)
{
	size_t n = 0;
	const struct bpfkit_verifier_hint *all = bpfkit_verifier__hints(&n);
	int distinct = 1;

	CHECK("at least 15 classes", n >= 15);
	for (size_t i = 0; i < n; i++) {
		distinct &= all[i].id && all[i].title && all[i].hint && *all[i].hint;
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
	CHECK_STR("other register uninit", cls("2: (bf) r0 = r3\nR3 !read_ok\n"), "uninit-stack");
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
	CHECK_STR("unknown error: no hint", cls("5: (b7) r0 = 0\nsomething nobody has seen before\n"), "(none)");
	CHECK_STR("empty log", cls(""), "(none)");
	CHECK("NULL log", bpfkit_verifier__explain(NULL) == NULL);
	TEST_EXIT();
}
