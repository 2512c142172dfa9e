/* lib/verifier_explain.c — turns a verifier rejection into a plain-language
 * hint: which class of mistake it is and the usual fix. The classes are
 * matched with regular expressions over the kernel's error text (first the
 * error lines after the failing instruction, then the whole log), in table
 * order, so more specific patterns come first. Kernel wording drifts between
 * versions: each class lists the phrasings of the kernels we know. */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/verifier.h>
#include "internal.h"

struct cls {
	struct bpfkit_verifier_hint h;
	const char *re;		/* POSIX extended */
};

static const struct cls classes[] = {
	{ { "r0-not-set", "R0 not set before exit",
	    "every path must end with a return value: make sure each path of the function ends in "
	    "'return X;' (in assembly, set r0 before 'exit')" },
	  "R0 !read_ok" },
	{ { "packet-bounds", "packet access without a bounds check",
	    "before touching N bytes at p, check 'if ((void *)p + N > data_end) goto out;' against "
	    "ctx->data_end in the same function, and check again after bpf_xdp_adjust_head/tail, "
	    "which forget earlier checks (bpfkit/parse.h's cursor helpers do this for you)" },
	  "invalid access to packet|offset is outside of the packet|invalid variable-offset access to packet|"
	  "R[0-9]+ invalid mem access 'pkt" },
	{ { "map-value-null", "map value used without a NULL check",
	    "bpf_map_lookup_elem() returns NULL when the key is absent: write "
	    "'v = bpf_map_lookup_elem(&map, &key); if (!v) return ...;' before using v" },
	  "invalid mem access '[a-z_]*_or_null'|[Pp]ossibly NULL pointer|_or_null" },
	{ { "unreleased-reference", "ring buffer reservation (or other reference) not released",
	    "each bpf_ringbuf_reserve() needs bpf_ringbuf_submit() or bpf_ringbuf_discard() on every "
	    "path, early returns included; the same holds for bpf_sk_lookup_*() / bpf_sk_release() "
	    "and other acquire/release pairs" },
	  "Unreleased reference|reference leak|unreleased ref" },
	{ { "gpl-only", "GPL-only helper in a program that is not GPL",
	    "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\"; (or \"Dual "
	    "BSD/GPL\", \"Dual MIT/GPL\"); bpf_printk, bpf_probe_read_* and most tracing helpers are "
	    "GPL-only" },
	  "GPL-restricted|non-GPL compatible|GPL-compatible|gpl_only" },
	{ { "helper-not-allowed", "helper not allowed for this program type",
	    "each program type has its own set of helpers (bpftool feature probe lists them): use "
	    "this type's equivalent (XDP reads packets directly, not with bpf_skb_*), or move the "
	    "logic to a program type that has the helper" },
	  "cannot use helper|unknown func bpf_[a-z0-9_]+#|helper call is not allowed|not supported for this program type" },
	{ { "unknown-func", "unknown function or kfunc",
	    "this kernel has no such helper or kfunc (it is newer than the kernel, or its module is "
	    "not loaded): check 'bpfkit feature' and the version that introduced it; make optional "
	    "kfuncs __weak and test them with bpf_ksym_exists()" },
	  "invalid func unknown|unknown func|kernel function [^ ]+ is not|calling kernel function|"
	  "invalid kernel function|kfunc [^ ]+ not|not found in kernel BTF|func_id [0-9]+ not" },
	{ { "scalar-deref", "invalid access to a scalar (a number used as a pointer)",
	    "the register holds a plain number, not a pointer the verifier can check: pointers must "
	    "come from ctx, a map lookup or the stack; read kernel or user memory with "
	    "bpf_probe_read_kernel/user() (or BPF_CORE_READ), never by casting an integer" },
	  "invalid mem access '(scalar|inv)'" },
	{ { "helper-arg", "wrong kind of argument passed to a helper",
	    "the message names the argument register, what it held and what the helper accepts: "
	    "pass a pointer to a stack variable or a map value (copy ctx or packet data into a local "
	    "first), and the size the helper expects" },
	  "type=[a-z_]+ expected=|arg#?[0-9]+ (type|expected|reference)|R[1-5] type=" },
	{ { "loop", "back-edge / unbounded loop",
	    "the verifier has to see every loop end: give the loop a constant bound "
	    "(for (i = 0; i < 64 && cond; i++)), use bpf_loop() for long loops, or #pragma unroll for "
	    "small fixed ones; a condition the loop never changes is a real infinite loop" },
	  "infinite loop detected|back-edge|unbounded loop|loop is not bounded" },
	{ { "too-complex", "program too large / too complex for the verifier",
	    "the verifier walks at most 1 million instructions over all paths: bound loops tighter, "
	    "use bpf_loop() for long iterations, split the work into global (non-static) functions, "
	    "which are verified once each, or tail calls; fewer branches inside loops help" },
	  "program is too large|too complex|too many states|complexity limit|Processed 1000001" },
	{ { "stack-size", "stack over 512 bytes",
	    "a BPF program has 512 bytes of stack in total, summed over its chain of non-inlined "
	    "calls: move big buffers into a one-entry BPF_MAP_TYPE_PERCPU_ARRAY and use its value "
	    "as scratch space" },
	  "combined stack size|stack limit|stack size of [0-9]+ .*too large|stack depth [0-9]+ exceeds|"
	  "invalid (write|read) to stack .*off=-(5[2-9][0-9]|[6-9][0-9][0-9])" },
	{ { "misaligned", "misaligned access",
	    "access N bytes only at addresses that are a multiple of N (stack slots are always "
	    "checked strictly): copy with __builtin_memcpy into an aligned variable instead of "
	    "casting a char pointer to a wider type" },
	  "misaligned" },
	{ { "ctx-access", "invalid context access (a read-only or nonexistent field)",
	    "this program type may not write that context field (most are read-only; XDP may write "
	    "none), or no field is at that offset: read fields directly from ctx, at the width its "
	    "struct declares, and change packets through data/data_end instead" },
	  "invalid bpf_context access|cannot write into ctx|dereference of modified ctx ptr|"
	  "invalid [a-z_]*ctx[a-z_]* access|R[0-9]+ invalid mem access 'ctx'" },
	{ { "uninit-stack", "read of uninitialised stack (or register)",
	    "the program reads stack memory (or a register) nothing wrote, which only privileged "
	    "loaders may do: initialise variables and structs ('struct key k = {};', "
	    "__builtin_memset) before reading them or passing their address to a helper" },
	  "invalid (indirect )?read from stack|invalid indirect access to stack|R[0-9]+ !read_ok|"
	  "uninitialized stack|reading from uninit" },
	{ { "pointer-arithmetic", "prohibited pointer arithmetic",
	    "only add or subtract bounded numbers to packet, map-value and stack pointers, never "
	    "change data_end, ctx or a map pointer: compute the offset, bound it ('off &= 0xff' or "
	    "'if (off > MAX) return ...'), then add it to data" },
	  "pointer arithmetic .*prohibited|pointer arithmetic .*not allowed|math between .*pointer|"
	  "on pointer prohibited|pointer comparison prohibited|unbounded min value is not allowed|"
	  "only (add|sub)[a-z]* .*pointer" },
	{ { "out-of-range", "map value access out of range / unbounded index",
	    "bound the index before using it: 'if (i >= ARRAY_SIZE(v->slot)) return ...;' (checking "
	    "the same variable the access uses; 'i &= 7' works too); signed indexes also need a "
	    "'< 0' check" },
	  "unbounded memory access|invalid access to map value|outside of the allowed memory range|"
	  "min value is negative|max value is outside|invalid variable-offset|invalid access to memory" },
	{ { "unreachable", "unreachable instruction",
	    "code after an unconditional exit or jump is never reached and the verifier refuses dead "
	    "code: usually hand-written assembly, or an 'exit' inside inline asm" },
	  "unreachable insn" },
	{ { "bad-insn", "instruction this kernel does not understand",
	    "build with clang -target bpf (not the host target), and use -mcpu=v3 or lower for "
	    "kernels older than the instructions you emit" },
	  "unknown opcode|invalid insn code|invalid BPF_LD_IMM|jump out of range|invalid (src|dst) register" },
};

#define N_CLASSES (sizeof(classes) / sizeof(classes[0]))

static regex_t compiled[N_CLASSES];
static int compiled_ok[N_CLASSES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void compile_all(void)
{
	for (size_t i = 0; i < N_CLASSES; i++)
		compiled_ok[i] = !regcomp(&compiled[i], classes[i].re, REG_EXTENDED | REG_NOSUB);
}

static const struct bpfkit_verifier_hint *match(const char *text)
{
	for (size_t i = 0; text && *text && i < N_CLASSES; i++)
		if (compiled_ok[i] && !regexec(&compiled[i], text, 0, NULL, 0))
			return &classes[i].h;
	return NULL;
}

const struct bpfkit_verifier_hint *bpfkit_verifier__explain(const char *log)
{
	struct bpfkit_verifier_summary *sum;
	const struct bpfkit_verifier_hint *h = NULL;
	int found;

	if (!log)
		return NULL;
	pthread_once(&once, compile_all);
	/* Only the error lines: the rest of a log holds register states that
	 * would match classes they are not ("_or_null" types, say). The whole
	 * log only when no error line could be told apart. */
	sum = malloc(sizeof(*sum));
	if (!sum)
		return NULL;
	found = !bpfkit_verifier__summarize(log, sum);
	h = match(found ? sum->error : log);
	free(sum);
	return h;
}

static struct bpfkit_verifier_hint all_hints[N_CLASSES];
static pthread_once_t hints_once = PTHREAD_ONCE_INIT;

static void copy_hints(void)
{
	for (size_t i = 0; i < N_CLASSES; i++)
		all_hints[i] = classes[i].h;
}

const struct bpfkit_verifier_hint *bpfkit_verifier__hints(size_t *n)
{
	pthread_once(&hints_once, copy_hints);
	if (n)
		*n = N_CLASSES;
	return all_hints;
}
