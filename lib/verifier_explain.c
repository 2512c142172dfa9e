/* lib/verifier_explain.c — turns a verifier rejection into a plain-language
 * hint: which class of mistake it is, what is wrong in the program's own
 * terms (which register, pointer, bound, call, map, line) and the fix as a
 * line of C.
 *
 * Classes are told apart by rules: a regular expression over the kernel's
 * error lines (the lines after the failing instruction, never the register
 * dumps before it), sometimes with a check of the path that led there (a
 * packet-changing helper called before, an 'exit' as the failing insn).
 * Rules run in order, so specific ones come first. Kernel wording drifts
 * between versions: the expressions match stable fragments, and list the
 * phrasings of the kernels we know. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/verifier.h>
#include "internal.h"
#include "verifier_int.h"

enum cls_id {
	C_R0, C_UNINIT_REG, C_STALE_PKT, C_PKT_BOUNDS, C_PKT_OFFSET, C_NULL, C_UNRELEASED, C_GPL,
	C_HELPER_TYPE, C_UNKNOWN_FUNC, C_SCALAR, C_HELPER_ARG, C_LOOP, C_COMPLEX, C_STACK,
	C_CALL_DEPTH, C_SPIN_LOCK, C_TAIL_CALL, C_PTR_LEAK, C_RDONLY, C_RETVAL, C_MISALIGNED,
	C_CTX, C_UNINIT_STACK, C_STACK_VAR, C_PTR_ARITH, C_RANGE, C_UNREACHABLE, C_BAD_INSN,
	C_GLOBAL_ARG, N_CLASSES
};

static const struct bpfkit_verifier_hint classes[N_CLASSES] = {
	[C_R0] = { "r0-not-set", "R0 not set before exit",
		"every path must end with a return value: make sure each path of the function ends in "
		"'return X;' (in assembly, set r0 before 'exit')",
		"return XDP_PASS;" },
	[C_UNINIT_REG] = { "uninit-register", "read of a register nothing wrote",
		"a register is read on a path where nothing set it; a helper or function call "
		"clobbers r1-r5 (only r6-r9 survive a call), so in assembly reload them after every call; "
		"in C it is a variable used before it is set on some path",
		"long v = 0; /* set on every path before use */" },
	[C_STALE_PKT] = { "stale-packet-pointer", "packet pointer used after a helper that moves the packet",
		"helpers that can change the packet (bpf_xdp_adjust_head/tail/meta, bpf_skb_pull_data, "
		"bpf_skb_store_bytes, bpf_skb_change_*, bpf_l3/l4_csum_replace...) invalidate every packet "
		"pointer: after the call re-read ctx->data and ctx->data_end and check the bounds again",
		"data = (void *)(long)ctx->data; data_end = (void *)(long)ctx->data_end; "
		"if (data + sizeof(*eth) > data_end) return XDP_PASS;" },
	[C_PKT_BOUNDS] = { "packet-bounds", "packet access without a bounds check",
		"before touching N bytes at p, check 'if ((void *)p + N > data_end) goto out;' against "
		"ctx->data_end in the same function (bpfkit/parse.h's cursor helpers do this for you)",
		"if ((void *)(ip + 1) > data_end) return XDP_PASS;" },
	[C_PKT_OFFSET] = { "unbounded-offset", "unbounded or signed number added to a pointer",
		"a number added to a packet (or map-value, stack) pointer must be known to be small and "
		"not negative: keep it in an unsigned variable and bound it ('if (off > 64) return ...;') "
		"before the addition",
		"__u32 off = len; if (off > 64) return XDP_PASS; p = data + off;" },
	[C_NULL] = { "map-value-null", "map value used without a NULL check",
		"bpf_map_lookup_elem() returns NULL when the key is absent: check the pointer before "
		"using it",
		"if (!v) return 0;" },
	[C_UNRELEASED] = { "unreleased-reference", "ring buffer reservation (or other reference) not released",
		"each bpf_ringbuf_reserve() needs bpf_ringbuf_submit() or bpf_ringbuf_discard() on every "
		"path, early returns included; the same holds for bpf_sk_lookup_*() / bpf_sk_release() "
		"and other acquire/release pairs",
		"bpf_ringbuf_discard(e, 0); return 0;" },
	[C_GPL] = { "gpl-only", "GPL-only helper in a program that is not GPL",
		"declare a GPL-compatible license (\"GPL\", \"Dual BSD/GPL\", \"Dual MIT/GPL\"); "
		"bpf_printk, bpf_probe_read_* and most tracing helpers are GPL-only",
		"char LICENSE[] SEC(\"license\") = \"GPL\";" },
	[C_HELPER_TYPE] = { "helper-not-allowed", "helper not allowed for this program type",
		"each program type has its own set of helpers (bpftool feature probe lists them): use "
		"this program type's equivalent (XDP reads packets directly, not with bpf_skb_*), or "
		"move the logic to a program type that has the helper",
		"/* call only the helpers this program type offers (bpftool feature probe lists them) */" },
	[C_UNKNOWN_FUNC] = { "unknown-func", "unknown function or kfunc",
		"this kernel has no such helper or kfunc (it is newer than the kernel, or its module is "
		"not loaded): check 'bpfkit feature' and the version that introduced it; make optional "
		"kfuncs __weak and test them with bpf_ksym_exists()",
		"if (bpf_ksym_exists(bpf_some_kfunc)) bpf_some_kfunc();" },
	[C_SCALAR] = { "scalar-deref", "invalid access to a scalar (a number used as a pointer)",
		"the register holds a plain number, not a pointer the verifier can check: pointers must "
		"come from ctx, a map lookup or the stack; read kernel or user memory with "
		"bpf_probe_read_kernel/user() (or BPF_CORE_READ), never by casting an integer",
		"bpf_probe_read_user(&c, sizeof(c), (void *)addr);" },
	[C_HELPER_ARG] = { "helper-arg", "wrong kind of argument passed to a helper",
		"the message names the argument register, what it held and what the helper accepts: "
		"pass a pointer to a stack variable or a map value (copy ctx or packet data into a local "
		"first), and the size the helper expects",
		"__u64 val = 0; bpf_map_update_elem(&map, &key, &val, BPF_ANY);" },
	[C_LOOP] = { "loop", "back-edge / unbounded loop",
		"the verifier has to see every loop end: give the loop a constant bound, use bpf_loop() "
		"for long loops, or #pragma unroll for small fixed ones; a condition the loop never "
		"changes is a real infinite loop",
		"for (int i = 0; i < 64 && cond; i++)" },
	[C_COMPLEX] = { "too-complex", "program too large / too complex for the verifier",
		"the verifier walks at most 1 million instructions over all paths: bound loops tighter, "
		"use bpf_loop() for long iterations, split the work into global (non-static) functions, "
		"which are verified once each, or tail calls; fewer branches inside loops help",
		"for (int i = 0; i < 64 && i < len; i++)" },
	[C_STACK] = { "stack-size", "stack over 512 bytes",
		"a BPF program has 512 bytes of stack in total, summed over its chain of non-inlined "
		"calls: move big buffers into a one-entry BPF_MAP_TYPE_PERCPU_ARRAY and use its value "
		"as scratch space",
		"struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero); if (!s) return 0;" },
	[C_CALL_DEPTH] = { "call-depth", "call stack too deep (recursion, or more than 8 frames)",
		"BPF has no recursion and at most 8 nested calls: turn recursion into a bounded loop, and "
		"make small helper functions static __always_inline so they do not add a frame",
		"static __always_inline int parse_layer(struct hdr_cursor *c)" },
	[C_SPIN_LOCK] = { "spin-lock", "exit or call while holding a bpf_spin_lock",
		"between bpf_spin_lock() and bpf_spin_unlock() only plain loads and stores are allowed: "
		"no helper or function calls, no return; unlock on every path first, and do lookups "
		"before taking the lock",
		"bpf_spin_unlock(&v->lock); return XDP_DROP;" },
	[C_TAIL_CALL] = { "tail-call-map", "bpf_tail_call with a map that is not a PROG_ARRAY",
		"bpf_tail_call() jumps through a BPF_MAP_TYPE_PROG_ARRAY whose values are program fds; "
		"declare the map with that type",
		"struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 8); "
		"__type(key, __u32); __type(value, __u32); } jmp SEC(\".maps\");" },
	[C_PTR_LEAK] = { "pointer-leak", "pointer leaked or compared (refused for unprivileged loaders)",
		"without CAP_PERFMON (or CAP_SYS_ADMIN) the verifier refuses anything that could show a "
		"kernel address to user space: storing a pointer into a map, the context or the return "
		"value, and comparing pointers of different kinds; store and compare keys, indexes or "
		"values instead, or load with CAP_PERFMON",
		"*v = key; /* the key or an index, never the pointer */" },
	[C_RDONLY] = { "read-only-map", "write into a read-only map or .rodata",
		"'const volatile' globals live in .rodata and maps made with BPF_F_RDONLY_PROG: programs "
		"may only read them; keep what the program changes in a plain global (.bss/.data) or a "
		"writable map",
		"__u64 seen; /* a plain global, not const */" },
	[C_RETVAL] = { "return-range", "return value out of this program type's range",
		"the kernel checks the value each program type returns: cgroup programs return 1 "
		"(allow) or 0 (deny; the caller sees EPERM), not an errno",
		"return 0; /* deny */" },
	[C_MISALIGNED] = { "misaligned", "misaligned access",
		"access N bytes only at addresses that are a multiple of N (stack slots are always "
		"checked strictly): copy with __builtin_memcpy into an aligned variable instead of "
		"casting a char pointer to a wider type",
		"__u64 v; __builtin_memcpy(&v, p, sizeof(v));" },
	[C_CTX] = { "ctx-access", "invalid context access (a read-only, nonexistent or too wide field)",
		"this program type may not write that context field (most are read-only; XDP may write "
		"none), or no field is at that offset, or it is read at another width than its "
		"declared one: read fields directly from ctx at their own width, and read data/data_end "
		"as (void *)(long)ctx->data",
		"void *data = (void *)(long)ctx->data;" },
	[C_UNINIT_STACK] = { "uninit-stack", "read of uninitialised stack",
		"the program reads stack memory nothing wrote (often a struct's padding, or a field not "
		"set on every path), which only privileged loaders may do: initialise variables and "
		"structs before reading them or passing their address to a helper",
		"struct key k = {};" },
	[C_STACK_VAR] = { "stack-var-offset", "stack accessed at a variable offset",
		"indexing a local array with a runtime value gives a variable stack offset, which "
		"unprivileged loaders may not use and privileged ones only within initialised bytes: keep "
		"the array in a one-entry per-CPU array map, or bound the index and initialise the array",
		"__u64 *hist = bpf_map_lookup_elem(&hist_map, &zero); if (!hist) return 0; hist[i & 7]++;" },
	[C_PTR_ARITH] = { "pointer-arithmetic", "prohibited pointer arithmetic",
		"only add or subtract bounded numbers to packet, map-value and stack pointers, never "
		"change data_end, ctx or a map pointer: compute the offset, bound it, then add it to data",
		"if (data + off + 1 > data_end) return XDP_PASS;" },
	[C_RANGE] = { "out-of-range", "access out of range / unbounded index or size",
		"bound the index or size before using it, checking the same variable the access uses "
		"('i &= 7' works too); signed values also need a '< 0' check, or make them unsigned",
		"if (i >= ARRAY_SIZE(v->slot)) return 0;" },
	[C_GLOBAL_ARG] = { "global-func-arg", "a global function called with an argument it cannot take",
		"a global (non-static) function is verified once, on its own, so its arguments may only "
		"be numbers, the context, or pointers to types of known size (checked for NULL inside); "
		"packet pointers and pointers to void are refused: make it static (verified in each "
		"caller's context) or static __always_inline",
		"static __always_inline int parse(void *data, void *data_end)" },
	[C_UNREACHABLE] = { "unreachable", "unreachable instruction",
		"code after an unconditional exit or jump is never reached and the verifier refuses dead "
		"code: usually hand-written assembly, or an 'exit' inside inline asm",
		"asm volatile(\"r0 = 0\"); /* no 'exit' inside inline asm */" },
	[C_BAD_INSN] = { "bad-insn", "instruction this kernel does not understand",
		"build with clang -target bpf (not the host target), and use -mcpu=v3 or lower for "
		"kernels older than the instructions you emit",
		"clang -target bpf -mcpu=v3 -O2 -g -c prog.bpf.c" },
};

/* ---- what the log says besides the error (the path to it) ---- */

#define MAX_FRAMES 16

struct src {
	int line;
	char file[96];
	char text[200];
};

struct vctx {
	const char *log, *prog;
	const char *err_at;		/* where the error lines start (end of the path) */
	struct bpfkit_verifier_summary *sum;
	int err_reg;			/* "R6 invalid ..." -> 6; -1 */
	struct src cur;			/* source line of the insn being walked */
	char pkt_helper[64];		/* last packet-changing helper called on the path */
	struct src pkt_helper_src;
	struct src r0_src;		/* last instruction that set r0 */
	char r0_insn[128];
	struct src lookup_src;		/* last bpf_map_lookup_elem call */
	struct src reserve_src;		/* last bpf_ringbuf_reserve call */
	int alloc_insn;			/* "alloc_insn=5" of an unreleased reference */
	struct src alloc_src;
	struct { int target; struct src at; } frames[MAX_FRAMES];	/* calls still open */
	int n_frames, max_frames, recursion;
	struct src recursion_src;
};

static void copy_src(struct src *d, const char *line, size_t len)
{
	const char *at = NULL;

	for (const char *p = line; p + 3 <= line + len; p++)
		if (p[0] == ' ' && p[1] == '@' && p[2] == ' ')
			at = p;
	d->line = vlog_source_line_num(line, len);
	if (!at) {
		snprintf(d->text, sizeof(d->text), "%.*s", (int)len - 2, line + 2);
		d->file[0] = '\0';
		return;
	}
	snprintf(d->text, sizeof(d->text), "%.*s", (int)(at - line - 2), line + 2);
	/* "file.c:14" */
	const char *f = at + 3, *colon = line + len;

	while (colon > f && colon[-1] != ':')
		colon--;
	snprintf(d->file, sizeof(d->file), "%.*s", (int)(colon > f ? colon - f - 1 : line + len - f), f);
	/* trim the text */
	size_t n = strlen(d->text);
	while (n && isspace((unsigned char)d->text[n - 1]))
		d->text[--n] = '\0';
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const char *const pkt_changing[] = {
	"bpf_xdp_adjust_head", "bpf_xdp_adjust_tail", "bpf_xdp_adjust_meta", "bpf_skb_pull_data",
	"bpf_skb_store_bytes", "bpf_skb_change_", "bpf_skb_adjust_room", "bpf_skb_vlan_",
	"bpf_l3_csum_replace", "bpf_l4_csum_replace", "bpf_msg_pull_data", "bpf_msg_push_data",
	"bpf_msg_pop_data", "bpf_lwt_", "bpf_clone_redirect", "bpf_skb_ecn_set_ce",
};

/* One instruction of the path: "12: (85) call bpf_xdp_adjust_head#44". */
static void walk_insn(struct vctx *c, int idx, const char *text)
{
	if (starts(text, "call ")) {
		const char *fn = text + 5;

		for (size_t i = 0; i < sizeof(pkt_changing) / sizeof(pkt_changing[0]); i++)
			if (starts(fn, pkt_changing[i])) {
				snprintf(c->pkt_helper, sizeof(c->pkt_helper), "%.*s",
					 (int)strcspn(fn, "#"), fn);
				c->pkt_helper_src = c->cur;
			}
		if (starts(fn, "bpf_map_lookup_elem"))
			c->lookup_src = c->cur;
		if (starts(fn, "bpf_ringbuf_reserve"))
			c->reserve_src = c->cur;
		if (starts(fn, "pc+") || starts(fn, "pc-")) {
			int target = idx + atoi(fn + 2) + 1;

			for (int i = 0; i < c->n_frames; i++)
				if (c->frames[i].target == target && !c->recursion) {
					c->recursion = 1;
					c->recursion_src = c->cur;
				}
			if (c->n_frames < MAX_FRAMES) {
				c->frames[c->n_frames].target = target;
				c->frames[c->n_frames].at = c->cur;
			}
			c->n_frames++;
			if (c->n_frames > c->max_frames)
				c->max_frames = c->n_frames;
		}
		return;
	}
	if (!strcmp(text, "exit")) {
		if (c->n_frames > 0)
			c->n_frames--;
		return;
	}
	if (starts(text, "r0 = ") || starts(text, "w0 = ") || starts(text, "r0 += ") ||
	    starts(text, "w0 += ") || starts(text, "r0 &= ") || starts(text, "w0 &= ") ||
	    starts(text, "r0 -= ") || starts(text, "w0 -= ") || starts(text, "r0 s>>= ") ||
	    starts(text, "r0 >>= ") || starts(text, "r0 |= ")) {
		c->r0_src = c->cur;
		snprintf(c->r0_insn, sizeof(c->r0_insn), "%.*s", (int)sizeof(c->r0_insn) - 1, text);
	}
	if (idx == c->alloc_insn && !c->alloc_src.text[0])
		c->alloc_src = c->cur;
}

static void walk_path(struct vctx *c)
{
	const char *line, *next;

	for (line = c->log; *line && line < c->err_at; line = next) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char text[256];
		int idx = 0;

		next = nl ? nl + 1 : line + len;
		if (len >= 2 && line[0] == ';' && line[1] == ' ') {
			/* older kernels print "; text" with no "@ file:N" */
			if (vlog_source_line_num(line, len) > 0 || !memmem(line, len, " @ ", 3))
				copy_src(&c->cur, line, len);
			continue;
		}
		if (vlog_insn_line(line, len, &idx, text, sizeof(text)))
			walk_insn(c, idx, text);
	}
}

/* The last state the path printed for register REG ("R2=map_ptr(map=jmp,ks=4,vs=4)"
 * -> "map_ptr(map=jmp,ks=4,vs=4)"); "" if none. */
static void reg_state(const struct vctx *c, int reg, char *out, size_t sz)
{
	char pat[2][12];
	const char *best = NULL;

	out[0] = '\0';
	if (reg < 0 || reg > 10)
		return;
	snprintf(pat[0], sizeof(pat[0]), "R%d=", reg);
	snprintf(pat[1], sizeof(pat[1]), "R%d_w=", reg);
	for (int k = 0; k < 2; k++)
		for (const char *p = c->log; (p = strstr(p, pat[k])) && p < c->err_at; p++)
			if ((p == c->log || !isalnum((unsigned char)p[-1])) && (!best || p > best))
				best = p;
	if (!best)
		return;
	best = strchr(best, '=') + 1;
	/* up to the space that ends it, outside parentheses */
	int depth = 0;
	size_t n = 0;
	while (best[n] && best[n] != '\n' && (depth || best[n] != ' ')) {
		depth += best[n] == '(';
		depth -= best[n] == ')' && depth;
		n++;
	}
	snprintf(out, sz, "%.*s", (int)n, best);
}

/* "map_value(map=counters,ks=4,vs=8)" -> "counters" */
static int state_map(const char *state, char *out, size_t sz)
{
	const char *m = strstr(state, "map=");

	if (!m)
		return 0;
	m += 4;
	snprintf(out, sz, "%.*s", (int)strcspn(m, ",)"), m);
	return 1;
}

/* "map_value(map=counters,...)" -> "map_value" */
static void state_kind(const char *state, char *out, size_t sz)
{
	snprintf(out, sz, "%.*s", (int)strcspn(state, "("), state);
}

/* First register named in TEXT ("R6 invalid mem access" -> 6), -1 if none. */
static int first_reg(const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p == 'R' && isdigit((unsigned char)p[1]) && (p == text || !isalnum((unsigned char)p[-1])))
			return atoi(p + 1);
	return -1;
}

/* The base register of a load or store insn ("*(u64 *)(r2 +0) = r1" -> 2). */
static int insn_base_reg(const char *insn)
{
	const char *p = strstr(insn, ")(r");

	return p ? atoi(p + 3) : -1;
}

/* The C identifier in TEXT right before "->" (the pointer in "tcp->dest"),
 * or the one before "[" / after "*" ; copies it to OUT. */
static int pointer_name(const char *text, char *out, size_t sz)
{
	const char *arrow = strstr(text, "->");

	if (arrow) {
		const char *b = arrow;

		while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
			b--;
		if (b < arrow && !isdigit((unsigned char)*b)) {
			snprintf(out, sz, "%.*s", (int)(arrow - b), b);
			return 1;
		}
	}
	return 0;
}

/* "__u64 *b = bpf_map_lookup_elem(&bytes, &proto);" with CALL
 * "bpf_map_lookup_elem" -> VAR "b", ARG1 "bytes". */
static int assigned_from(const char *text, const char *call, char *var, size_t var_sz,
			 char *arg1, size_t arg1_sz)
{
	const char *p = strstr(text, call), *eq, *b;

	if (!p)
		return 0;
	if (arg1) {
		const char *a = p + strlen(call);

		while (*a == '(' || *a == '&' || *a == ' ')
			a++;
		snprintf(arg1, arg1_sz, "%.*s", (int)strcspn(a, ",) "), a);
	}
	eq = p;
	while (eq > text && eq[-1] != '=')
		eq--;
	if (eq == text)
		return 0;
	eq--;		/* at '=' */
	while (eq > text && eq[-1] == ' ')
		eq--;
	b = eq;
	while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
		b--;
	if (b == eq || (eq - text >= 1 && (eq[0] != '=' && eq[0] != ' ')))
		return 0;
	snprintf(var, var_sz, "%.*s", (int)(eq - b), b);
	return 1;
}

/* The name of the function a call-site line calls: the identifier before the
 * first "(" that is not a keyword, a cast or a bpf_ helper. */
static int callee_name(const char *text, char *out, size_t sz)
{
	static const char *const skip[] = { "if", "while", "for", "return", "switch", "sizeof" };
	/* "long f(long x) { return g(x); }": the call is in the body */
	const char *body = strrchr(text, '{');

	if (body)
		text = body + 1;
	for (const char *p = text; *p; p++) {
		if (*p != '(' || p == text)
			continue;
		const char *e = p, *b;

		while (e > text && e[-1] == ' ')
			e--;
		b = e;
		while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
			b--;
		if (b == e || isdigit((unsigned char)*b) || starts(b, "bpf_") || starts(b, "__builtin"))
			continue;
		int kw = 0;
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			kw |= (size_t)(e - b) == strlen(skip[i]) && !strncmp(b, skip[i], e - b);
		if (kw)
			continue;
		snprintf(out, sz, "%.*s", (int)(e - b), b);
		return 1;
	}
	return 0;
}

/* Argument N (1-based) of the call to FN in TEXT, as written ("&s"). */
static int call_arg(const char *text, const char *fn, int n, char *out, size_t sz)
{
	const char *p = strstr(text, fn);
	int depth = 0, i = 1;

	if (!p || n < 1)
		return 0;
	p = strchr(p, '(');
	if (!p)
		return 0;
	for (const char *a = ++p; *p; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if ((*p == ')' || *p == ']') && depth)
			depth--;
		else if ((*p == ',' && !depth) || (*p == ')' && !depth)) {
			if (i == n) {
				while (*a == ' ')
					a++;
				snprintf(out, sz, "%.*s", (int)(p - a), a);
				return p > a;
			}
			if (*p == ')')
				return 0;
			i++;
			a = p + 1;
		}
	}
	return 0;
}

static int is_expr_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '>' || ch == '-' ||
	       ch == '[' || ch == ']' || ch == '*';
}

/* The expression assigned to in TEXT ("ctx->len = 1;" -> "ctx->len"). */
static int assigned_expr(const char *text, char *out, size_t sz)
{
	const char *eq = strstr(text, " = "), *b;

	if (!eq)
		eq = strstr(text, " += ");
	if (!eq)
		return 0;
	b = eq;
	while (b > text && is_expr_char(b[-1]))
		b--;
	while (*b == '*')
		b++;
	if (b == eq)
		return 0;
	snprintf(out, sz, "%.*s", (int)(eq - b), b);
	return 1;
}

/* "p = data + *off;" -> LHS "p", BASE "data", OFF "*off" */
static int addition(const char *text, char *lhs, char *base, char *off, size_t sz)
{
	const char *plus = strstr(text, " + "), *b, *e;

	if (!plus)
		return 0;
	b = plus;
	while (b > text && is_expr_char(b[-1]))
		b--;
	snprintf(base, sz, "%.*s", (int)(plus - b), b);
	e = plus + 3;
	snprintf(off, sz, "%.*s", (int)strcspn(e, ";) ,"), e);
	lhs[0] = '\0';
	if (b - text > 3 && !strncmp(b - 3, " = ", 3)) {
		const char *l = b - 3;

		while (l > text && is_expr_char(l[-1]))
			l--;
		snprintf(lhs, sz, "%.*s", (int)(b - 3 - l), l);
	}
	return base[0] && off[0];
}

/* "return b->slot[i];" -> ARR "b->slot", IDX "i" */
static int index_expr(const char *text, char *arr, char *idx, size_t sz)
{
	const char *br = strchr(text, '['), *b;

	if (!br)
		return 0;
	b = br;
	while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_' || b[-1] == '.' ||
			    b[-1] == '>' || b[-1] == '-'))
		b--;
	if (b == br)
		return 0;
	snprintf(arr, sz, "%.*s", (int)(br - b), b);
	snprintf(idx, sz, "%.*s", (int)strcspn(br + 1, "]"), br + 1);
	return idx[0] != '\0';
}

static const char *helper_at_insn(const struct vctx *c, char *buf, size_t sz)
{
	if (!starts(c->sum->insn, "call "))
		return NULL;
	snprintf(buf, sz, "%.*s", (int)strcspn(c->sum->insn + 5, "#"), c->sum->insn + 5);
	return buf;
}

/* "where: line 14 (text)" */
static void at_line(char *buf, size_t sz, const struct src *s)
{
	if (s->line > 0)
		snprintf(buf, sz, "line %d (%s)", s->line, s->text);
	else
		snprintf(buf, sz, "an earlier line");
}

/* Points the summary at source line S (a better line than the failing insn's). */
static void use_src(struct bpfkit_verifier_explanation *ex, const struct src *s)
{
	if (s->line <= 0)
		return;
	ex->sum.line = s->line;
	if (s->file[0])
		snprintf(ex->sum.file, sizeof(ex->sum.file), "%s", s->file);
	snprintf(ex->sum.source, sizeof(ex->sum.source), "%s", s->text);
	snprintf(ex->sum.file_line, sizeof(ex->sum.file_line), "%s:%d", ex->sum.file, s->line);
}

/* ---- the detail of each class, in the program's own terms ---- */

/* snprintf that may cut: a hint longer than its buffer is cut, on purpose
 * (through a function, so the compiler does not warn about each call) */
static void put(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

#define D(...) put(ex->detail, sizeof(ex->detail), __VA_ARGS__)
#define F(...) put(ex->fix, sizeof(ex->fix), __VA_ARGS__)

static void detail(enum cls_id id, struct vctx *c, struct bpfkit_verifier_explanation *ex)
{
	const char *err = c->sum->error, *insn = c->sum->insn;
	char st[160] = "", name[64] = "", name2[64] = "", where[300], helper[64];
	int r = c->err_reg;

	switch (id) {
	case C_STALE_PKT: {
		int skb = !starts(c->pkt_helper, "bpf_xdp");
		const char *cx = skb ? "skb" : "ctx";

		at_line(where, sizeof(where), &c->pkt_helper_src);
		D("R%d pointed into the packet before %s() at %s; that call may move or resize the packet, "
		  "so the verifier forgets every packet pointer taken before it, and insn %d (%s) uses "
		  "one anyway: after the call re-read %s->data and %s->data_end and check the bounds again",
		  r, c->pkt_helper, where, c->sum->insn_idx, insn, cx, cx);
		F("data = (void *)(long)%s->data; data_end = (void *)(long)%s->data_end; "
		  "if (data + sizeof(struct ethhdr) > data_end) return %s;", cx, cx,
		  skb ? "TC_ACT_OK" : "XDP_PASS");
		break;
	}
	case C_UNINIT_REG: {
		int clobbered = r >= 1 && r <= 5;

		D("insn %d (%s) reads R%d, which nothing set on this path%s", c->sum->insn_idx, insn, r,
		  clobbered ? ": r1-r5 are argument registers, and every helper or function call "
			      "clobbers them (only r6-r9 keep their values across a call); reload it after "
			      "the call or keep the value in r6-r9" :
			      ": set it on every path before it is used");
		if (clobbered)
			F("r6 = r%d; call bpf_ktime_get_ns; r%d = r6 /* asm: keep a value in r6-r9 across a call */",
			  r, r);
		break;
	}
	case C_R0:
		D("insn %d exits while R0, the return value, was never set on this path: every path "
		  "must end in 'return X;'", c->sum->insn_idx);
		break;
	case C_PKT_BOUNDS: {
		int off = -1, size = -1, rng = -1;
		const char *p = strstr(err, "off="), *q = strstr(err, "size="), *rr = strstr(err, ",r=");

		if (p) off = atoi(p + 4);
		if (q) size = atoi(q + 5);
		if (rr) rng = atoi(rr + 3);
		char arr[64], idx[64];
		int indexed = 0;
		const char *id = strstr(err, "(id=");
		int moved = id && atoi(id + 4) > 0;

		if (!pointer_name(c->sum->source, name, sizeof(name))) {
			indexed = index_expr(c->sum->source, arr, idx, sizeof(arr));
			snprintf(name, sizeof(name), "%s", indexed ? arr : "p");
		}
		char bytes[48], proven[96];

		if (size == 1)
			snprintf(bytes, sizeof(bytes), "byte %d", off);
		else
			snprintf(bytes, sizeof(bytes), "bytes %d..%d", off, off + size - 1);
		if (rng > 0)
			snprintf(proven, sizeof(proven), "only prove the first %d bytes are there", rng);
		else
			snprintf(proven, sizeof(proven), "prove no byte of it is there (no check against data_end)");
		if (moved && size > 0)
			D("insn %d (%s) reads %d bytes through '%s', a packet pointer moved by a run-time amount "
			  "(like ip->ihl * 4) after the last check against data_end: check it again after "
			  "moving it", c->sum->insn_idx, insn, size, name);
		else if (off >= 0 && size > 0 && rng >= 0)
			D("insn %d (%s) reads %s of the packet through '%s', but the checks before it %s: "
			  "compare the end of what you read with data_end first, in the same function",
			  c->sum->insn_idx, insn, bytes, name, proven);
		else
			D("insn %d (%s) touches the packet through '%s' before a check against data_end "
			  "proves those bytes are there", c->sum->insn_idx, insn, name);
		if (indexed)
			F("if ((void *)(&%s[%s] + 1) > data_end) break; /* before each access */", arr, idx);
		else
			F("if ((void *)(%s + 1) > data_end) return XDP_PASS; /* TC_ACT_OK in tc, 1 in cgroup_skb */",
			  name);
		break;
	}
	case C_PKT_OFFSET: {
		const char *v = strstr(err, "value ");
		long long val = v ? atoll(v + 6) : 0;
		char kind[32] = "packet";

		if (strstr(err, "map_value pointer")) snprintf(kind, sizeof(kind), "map-value");
		else if (strstr(err, "fp pointer") || strstr(err, "stack pointer")) snprintf(kind, sizeof(kind), "stack");
		if (v && val < 0)
			D("insn %d (%s) adds to a %s pointer a number that may be negative (as low as %lld): "
			  "an 'int' checked only against a maximum; make the offset unsigned (__u32) and bound "
			  "it before the addition", c->sum->insn_idx, insn, kind, val);
		else
			D("insn %d (%s) adds to a %s pointer a number with no known bounds: bound it from both "
			  "sides (unsigned, and '> MAX' checked) before the addition", c->sum->insn_idx, insn, kind);
		{
			char lhs[64], base[64], offx[64];

			if (addition(c->sum->source, lhs, base, offx, sizeof(lhs)))
				F("__u32 off_u = %s; if (off_u > 64) return 0; %s%s%s + off_u;", offx,
				  lhs, lhs[0] ? " = " : "", base);
		}
		break;
	}
	case C_NULL:
		if (assigned_from(c->lookup_src.text, "bpf_map_lookup_elem", name, sizeof(name),
				  name2, sizeof(name2))) {
			D("'%s' comes from bpf_map_lookup_elem(&%s, ...) at line %d and may be NULL (the key "
			  "may be absent); insn %d (%s) uses it without a check", name, name2,
			  c->lookup_src.line, c->sum->insn_idx, insn);
			F("if (!%s) return 0;", name);
		} else {
			D("R%d may be NULL (a map lookup or other _or_null result) when insn %d (%s) uses "
			  "it: check it first", r, c->sum->insn_idx, insn);
		}
		break;
	case C_UNRELEASED: {
		char what[300];

		at_line(what, sizeof(what), c->alloc_src.text[0] ? &c->alloc_src : &c->reserve_src);
		at_line(where, sizeof(where), &c->cur);
		if (!assigned_from(c->alloc_src.text, "bpf_ringbuf_reserve", name, sizeof(name), NULL, 0) &&
		    !assigned_from(c->reserve_src.text, "bpf_ringbuf_reserve", name, sizeof(name), NULL, 0))
			snprintf(name, sizeof(name), "e");
		D("what was acquired at %s is still held when the program returns on the path through %s: "
		  "hand a ring buffer record to bpf_ringbuf_submit() or bpf_ringbuf_discard() (a socket to "
		  "bpf_sk_release()) before that return too", what, where);
		F("bpf_ringbuf_discard(%s, 0); return 0;", name);
		break;
	}
	case C_HELPER_TYPE:
		if (helper_at_insn(c, helper, sizeof(helper))) {
			if (starts(helper, "bpf_skb_load_bytes"))
				F("__u8 *p = data + off; if ((void *)(p + 4) > data_end) return XDP_PASS; /* read the packet directly */");
			else if (starts(helper, "bpf_xdp_adjust"))
				F("bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, 0); /* tc's way to move headers */");
			else if (starts(helper, "bpf_skb_store_bytes") || starts(helper, "bpf_l3_csum") ||
				 starts(helper, "bpf_l4_csum"))
				F("SEC(\"tc\") int rewrite(struct __sk_buff *skb) /* a tc program may change packets */");
			else
				F("/* %s() is not offered to this program type: 'bpftool feature probe' lists what is */",
				  helper);
		}
		if (helper_at_insn(c, helper, sizeof(helper)))
			D("this program type may not call %s() (insn %d): use what this program type has "
			  "instead (direct packet access in XDP and tc, bpf_skb_load_bytes in socket filters), "
			  "or move this part to a program type that has %s()", helper, c->sum->insn_idx, helper);
		break;
	case C_SCALAR:
		D("insn %d (%s) dereferences R%d, which holds a plain number (from a context field, a map "
		  "value or arithmetic), not a pointer the verifier can check; a user-space address (a "
		  "syscall argument) or kernel address is read with bpf_probe_read_user()/"
		  "bpf_probe_read_kernel() into a local", c->sum->insn_idx, insn, r);
		if (index_expr(c->sum->source, name, name2, sizeof(name)))
			F("char c; bpf_probe_read_user(&c, sizeof(c), &%s[%s]); /* _kernel for kernel memory */",
			  name, name2);
		break;
	case C_UNREACHABLE:
		if (ex->sum.line > 0)
			D("the code at line %d (%s) can never run: an 'exit' or unconditional jump before it "
			  "(often inside inline asm, which the compiler cannot see through) ends every path; "
			  "the verifier refuses dead code: return from C instead of exiting in asm",
			  ex->sum.line, ex->sum.source);
		break;
	case C_GLOBAL_ARG: {
		const char *fn = strstr(err, "func#"), *q = fn ? strstr(fn, "('") : NULL;
		const char *a = strstr(err, "arg#");

		if (q)
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(q + 2, "'"), q + 2);
		else
			snprintf(name, sizeof(name), "the function");
		D("%s() is a global function, verified once on its own, and argument %d of this call "
		  "(insn %d) is something it cannot take that way (a packet pointer, a pointer to void or "
		  "to a type of unknown size): make %s() static so it is verified with each caller's "
		  "pointers, or pass numbers (offsets) instead", name, a ? atoi(a + 4) + 1 : 1,
		  c->sum->insn_idx, name);
		F("static int %s(/* the same parameters */) /* static: checked with each caller's pointers */",
		  name);
		break;
	}
	case C_HELPER_ARG:
		if (helper_at_insn(c, helper, sizeof(helper)) && r >= 1) {
			char arg[96] = "", *v;

			call_arg(c->sum->source, helper, r, arg, sizeof(arg));
			if (strstr(err, "type=scalar") || strstr(err, "type=inv")) {
				D("argument %d of %s() (R%d%s%s) is a number, but the helper wants a pointer to "
				  "memory (a stack variable, a map value): pass the variable's address, not its "
				  "value", r, helper, r, arg[0] ? ", " : "", arg);
				/* "(void *)(long)key" -> "key" */
				v = strrchr(arg, ')');
				v = v ? v + 1 : arg;
				while (*v == ' ')
					v++;
				if (*v && isalpha((unsigned char)*v))
					F("%s(..., &%s, ...); /* argument %d: the address of %s */", helper, v, r, v);
			} else {
				D("argument %d of %s() (R%d%s%s) is the wrong kind: %s; pass a pointer to a stack "
				  "variable or a map value (copy ctx or packet data into a local first)", r, helper,
				  r, arg[0] ? ", " : "", arg, err);
			}
		}
		break;
	case C_UNKNOWN_FUNC: {
		const char *u = strstr(err, "unknown#");

		if (u) {
			D("the program calls helper number %d, which this kernel does not have (helpers are "
			  "numbered; a number copied from newer kernel headers, or a helper of a newer "
			  "kernel): check 'bpfkit feature' and the kernel version that added it", atoi(u + 8));
			F("if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_name)) /* call it only "
			  "where the kernel has it (CO-RE, vmlinux.h) */");
		}
		break;
	}
	case C_LOOP:
		at_line(where, sizeof(where), &c->cur);
		D("the loop at %s has no bound the verifier can see: give it a constant upper limit", where);
		break;
	case C_COMPLEX:
		at_line(where, sizeof(where), &c->cur);
		if (strstr(insn, "goto pc-") || starts(c->cur.text, "for ") || starts(c->cur.text, "for(") ||
		    starts(c->cur.text, "while") || starts(c->cur.text, "do"))
			D("the verifier gave up (1 million instructions walked) in the loop at %s: its bound "
			  "is too big or not visible; make it a small constant bound, or use bpf_loop()", where);
		else
			D("the verifier gave up (1 million instructions walked) near %s: too many paths; "
			  "fewer branches, global functions, or bpf_loop() help", where);
		break;
	case C_CALL_DEPTH: {
		int frames = 0;
		const char *f = strstr(err, "call stack of ");

		if (f)
			frames = atoi(f + 14);
		if (c->recursion) {
			if (!callee_name(c->recursion_src.text, name, sizeof(name)))
				snprintf(name, sizeof(name), "a function");
			D("%s calls itself (line %d: %s): BPF programs cannot recurse, and the verifier stops "
			  "at %d nested frames; rewrite the recursion as a loop with a constant bound",
			  name, c->recursion_src.line, c->recursion_src.text, frames ? frames - 1 : 8);
			F("for (int depth = 0; depth < 8; depth++) { /* one level per iteration */ }");
			use_src(ex, &c->recursion_src);
		} else {
			char chain[400] = "";
			size_t used = 0;

			if (c->prog)
				used = snprintf(chain, sizeof(chain), "%s()", c->prog);
			int n = c->n_frames < MAX_FRAMES ? c->n_frames : MAX_FRAMES;

			for (int i = 0; i < n && used + 40 < sizeof(chain); i++) {
				if (!callee_name(c->frames[i].at.text, name, sizeof(name)))
					snprintf(name, sizeof(name), "line %d", c->frames[i].at.line);
				used += snprintf(chain + used, sizeof(chain) - used, "%s%s()",
						 used ? " -> " : "", name);
			}
			D("calls nest %d deep (%s), more than the 8 frames BPF allows: make the small "
			  "functions static __always_inline so they do not take a frame", frames ? frames : n, chain);
			F("static __always_inline long %s(long x)", name[0] ? name : "helper");
		}
		break;
	}
	case C_SPIN_LOCK:
		if (!strcmp(insn, "exit") || strstr(err, "EXIT") || strstr(err, "unlock is missing")) {
			at_line(where, sizeof(where), &c->cur);
			D("the program returns at %s while still holding the bpf_spin_lock it took: call "
			  "bpf_spin_unlock() on that path before returning", where);
		} else if (helper_at_insn(c, helper, sizeof(helper))) {
			D("%s() is called (insn %d, line %d) between bpf_spin_lock() and bpf_spin_unlock(); "
			  "no calls are allowed while the lock is held: call it before taking the lock, and "
			  "keep only loads and stores inside", helper, c->sum->insn_idx, c->sum->line);
			F("c = %s(...); /* before */ bpf_spin_lock(&s->lock); s->n += *c; "
			  "bpf_spin_unlock(&s->lock);", helper);
		} else if (strstr(err, "cannot use bpf_spin_lock") || strstr(err, "tracing")) {
			D("tracing programs (tracepoints, kprobes, perf events) may not use bpf_spin_lock: "
			  "update shared counters with atomic operations instead");
			F("__sync_fetch_and_add(&t->n, 1);");
		}
		break;
	case C_TAIL_CALL:
		reg_state(c, 2, st, sizeof(st));
		if (state_map(st, name, sizeof(name))) {
			D("bpf_tail_call()'s map '%s' (R2) is not a BPF_MAP_TYPE_PROG_ARRAY: tail calls jump "
			  "through a program array whose values are program fds; declare '%s' with that type",
			  name, name);
			F("struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 8); "
			  "__type(key, __u32); __type(value, __u32); } %s SEC(\".maps\");", name);
		}
		break;
	case C_PTR_LEAK: {
		char kind[48] = "pointer";

		reg_state(c, r, st, sizeof(st));
		if (st[0])
			state_kind(st, kind, sizeof(kind));
		if (strstr(err, "comparison")) {
			D("insn %d (%s) compares pointers (R%d is a %s); unprivileged loaders (no CAP_PERFMON) "
			  "may only compare a pointer with NULL (0), since the result could reveal kernel "
			  "addresses: compare the keys or indexes the pointers came from instead",
			  c->sum->insn_idx, insn, r, kind);
			F("if (k0 == k1) /* compare keys, not the looked-up pointers */");
		} else {
			const char *into = strstr(err, "into map") ? "a map" : strstr(err, "into ctx") ? "the context" :
					   strstr(err, "return") ? "the return value" : "memory user space can read";
			D("insn %d (%s) writes R%d, a %s (a kernel address), into %s; unprivileged loaders (no "
			  "CAP_PERFMON) may not let an address reach user space: store a key, index or value "
			  "instead, or load the program with CAP_PERFMON", c->sum->insn_idx, insn, r, kind, into);
		}
		break;
	}
	case C_RDONLY: {
		int base = insn_base_reg(insn);

		reg_state(c, base, st, sizeof(st));
		if (state_map(st, name, sizeof(name)) && strstr(name, ".rodata")) {
			D("insn %d (%s) writes into .rodata (libbpf's map '%s'), where 'const volatile' "
			  "globals live: they are set by the loader before load and read-only for the program; "
			  "keep what the program changes in a global that is not const", c->sum->insn_idx, insn,
			  name);
			F("volatile __u64 counter; /* not const: lives in .bss, writable */");
		} else if (name[0]) {
			D("insn %d (%s) writes into map '%s', which is read-only for programs "
			  "(BPF_F_RDONLY_PROG): drop that flag, or keep what the program writes in another map",
			  c->sum->insn_idx, insn, name);
			F("/* in '%s': */ __uint(map_flags, 0); /* not BPF_F_RDONLY_PROG */", name);
		}
		break;
	}
	case C_RETVAL: {
		const char *rng = strstr(err, "should have been in ");
		char range[48] = "its allowed range", has[96] = "";
		const char *h = strstr(err, " has ");

		if (rng)
			snprintf(range, sizeof(range), "%.*s", (int)strcspn(rng + 20, "\n;"), rng + 20);
		if (h && strstr(h, "smin=") && strstr(h, "smax=")) {
			long long lo = atoll(strstr(h, "smin=") + 5), hi = atoll(strstr(h, "smax=") + 5);

			if (lo == hi)
				snprintf(has, sizeof(has), "%lld", lo);
			else
				snprintf(has, sizeof(has), "anything from %lld to %lld", lo, hi);
		} else if (h) {
			snprintf(has, sizeof(has), "%.*s", (int)strcspn(h + 5, "\n;"), h + 5);
			char *sh = strstr(has, " should");
			if (sh)
				*sh = '\0';
		}
		if (c->r0_src.line > 0)
			use_src(ex, &c->r0_src);
		D("the program returns %s (R0, set by '%s' on line %d: %s), but this program type must "
		  "return a value in %s: cgroup programs return 1 to allow and 0 to deny (the caller then "
		  "sees EPERM); an errno like -EPERM is not a return value", has[0] ? has : "a value out of range",
		  c->r0_insn, c->r0_src.line, c->r0_src.text, range);
		F("return 0; /* deny: the caller gets EPERM */");
		break;
	}
	case C_CTX: {
		const char *o = strstr(err, "off="), *s = strstr(err, "size=");
		int off = o ? atoi(o + 4) : -1, size = s ? atoi(s + 5) : -1;
		int store = insn[0] == '*';

		if (strstr(err, "pointer arithmetic on pkt")) {
			D("ctx->data and ctx->data_end are 32-bit fields that the verifier turns into pointers: "
			  "read as one 64-bit value (a cast like *(void **)&ctx->data), they become two 32-bit "
			  "loads glued with a shift (insn %d: %s), which is arithmetic on a packet pointer",
			  c->sum->insn_idx, insn);
			F("void *data = (void *)(long)ctx->data; void *data_end = (void *)(long)ctx->data_end;");
		} else if (!store && size == 8) {
			D("insn %d (%s) reads 8 bytes at offset %d of the context, but the field there is "
			  "narrower (data, data_end and data_meta are __u32): read it at its own width",
			  c->sum->insn_idx, insn, off);
			F("void *data = (void *)(long)ctx->data; /* a __u32 field, cast to a pointer */");
		} else if (!store && (off == 76 || off == 80 || off == 140)) {
			D("insn %d (%s) reads skb->%s, but this program type (a socket filter, say) has no "
			  "direct packet access: copy the bytes you need with bpf_skb_load_bytes()",
			  c->sum->insn_idx, insn, off == 76 ? "data" : off == 80 ? "data_end" : "data_meta");
			F("__u8 b[14]; if (bpf_skb_load_bytes(skb, 0, b, sizeof(b))) return 0;");
		} else if (store) {
			char field[96];

			if (!assigned_expr(c->sum->source, field, sizeof(field)))
				snprintf(field, sizeof(field), "a context field");
			D("insn %d (%s) writes %s (%d bytes at offset %d of the context), which is read-only for "
			  "this program type: context fields describe the event; change packets through "
			  "data/data_end or helpers, and keep your own values in locals or maps",
			  c->sum->insn_idx, insn, field, size, off);
			F("__u64 v = %s; /* read it; keep changes in a local or a map */", field);
		} else if (off >= 0) {
			D("insn %d (%s) reads %d bytes at offset %d of the context, where this program type "
			  "has no field of that size", c->sum->insn_idx, insn, size, off);
		}
		break;
	}
	case C_UNINIT_STACK:
		if (helper_at_insn(c, helper, sizeof(helper))) {
			const char *role = !starts(helper, "bpf_map_") ? "" : r == 2 ? ", the key" :
					   r == 3 ? ", the value" : "";

			char arg[64];

			D("argument %d of %s() (R%d%s, insn %d) points at stack bytes nothing initialised: a "
			  "struct field not set, or the padding between fields; unprivileged loaders may not "
			  "pass uninitialised memory: zero the whole variable first", r, helper, r, role,
			  c->sum->insn_idx);
			if (call_arg(c->sum->source, helper, r, arg, sizeof(arg)) && arg[0] == '&')
				F("__builtin_memset(%s, 0, sizeof(%s)); /* before setting its fields; or declare it = {} */",
				  arg, arg + 1);
		} else {
			D("insn %d (%s) reads stack memory nothing wrote on this path: initialise the "
			  "variable first", c->sum->insn_idx, insn);
		}
		break;
	case C_STACK_VAR:
		D("insn %d (%s) indexes a local array with a value known only at run time, a variable "
		  "stack offset: unprivileged loaders may not, privileged ones only inside initialised "
		  "bytes; keep the array in a one-entry per-CPU array map instead", c->sum->insn_idx, insn);
		break;
	case C_PTR_ARITH:
		if (!strstr(insn, "+=") && !strstr(insn, "-=")) {
			D("insn %d (%s) does arithmetic other than + and - on a pointer (masking, shifting, "
			  "multiplying it, as in aligning an address): the verifier tracks pointers only as a "
			  "base plus a bounded offset, so compute the offset as a number and add it",
			  c->sum->insn_idx, insn);
			F("__u32 off = 15 & ~3; __u32 *w = data + off; /* mask the offset, not the pointer */");
		} else {
			D("insn %d (%s): %s; only bounded numbers may be added to packet, map-value and stack "
			  "pointers, and data_end, ctx and map pointers may not change at all",
			  c->sum->insn_idx, insn, err);
		}
		break;
	case C_RANGE: {
		if (helper_at_insn(c, helper, sizeof(helper)) && r >= 1 && r <= 5) {
			D("argument %d of %s() (R%d, a size or length) may be negative or too big: bound it "
			  "against the buffer's size and make it unsigned before the call", r, helper, r);
			F("__u32 n = len; if (n > sizeof(buf)) n = sizeof(buf); %s(buf, n, src);", helper);
		} else {
			char arr[64], idx[64];

			if (index_expr(c->sum->source, arr, idx, sizeof(arr))) {
				D("insn %d (%s) indexes %s with %s, which the verifier cannot bound within the map "
				  "value: check %s against the array's size right before the access (the same "
				  "variable, not a copy)", c->sum->insn_idx, insn, arr, idx, idx);
				F("if (%s >= sizeof(%s) / sizeof(%s[0])) return 0;", idx, arr, arr);
			} else {
				D("insn %d (%s) reads or writes at an index or offset the verifier cannot bound "
				  "within the object: check the index against the array's size right before",
				  c->sum->insn_idx, insn);
			}
		}
		break;
	}
	default:
		break;
	}
}

/* ---- classification ---- */

struct rule {
	enum cls_id cls;
	const char *re;		/* POSIX extended, over the error lines */
	int (*accept)(const struct vctx *c);
};

static int after_pkt_helper(const struct vctx *c)
{
	return c->pkt_helper[0] && !(c->err_reg == 0 && !strcmp(c->sum->insn, "exit"));
}

static int at_exit(const struct vctx *c)
{
	return !strcmp(c->sum->insn, "exit") || c->sum->insn_idx < 0;
}

static int is_shift_or(const struct vctx *c)
{
	return strstr(c->sum->insn, "<<=") || strstr(c->sum->insn, ">>=") || strstr(c->sum->insn, "|=");
}

static int is_add_sub(const struct vctx *c)
{
	return strstr(c->sum->insn, "+=") || strstr(c->sum->insn, "-=") || c->sum->insn_idx < 0;
}

static const struct rule rules[] = {
	{ C_STALE_PKT, "invalid mem access '(scalar|inv)'|R[0-9]+ !read_ok", after_pkt_helper },
	{ C_R0, "R0 !read_ok", at_exit },
	{ C_UNINIT_REG, "R[0-9]+ !read_ok", NULL },
	{ C_SPIN_LOCK, "bpf_spin_unlock is missing|spin_lock-ed region|while holding a lock|"
		       "cannot use bpf_spin_lock|calls are not allowed .*lock|spin_lock.*(not allowed|prohibited)", NULL },
	{ C_TAIL_CALL, "prog array map for tail call|into func bpf_tail_call", NULL },
	{ C_PTR_LEAK, "leaks addr|pointer comparison prohibited|leaks? pointer", NULL },
	{ C_RDONLY, "write into map forbidden|map is read-only|cannot write into .*(rdonly|read-only)", NULL },
	{ C_RETVAL, "should have been in|At program exit the register R0", NULL },
	{ C_CALL_DEPTH, "call stack of [0-9]+ frames is too deep|recursive call|frames is too deep", NULL },
	{ C_STACK, "combined stack size|stack limit|stack size of [0-9]+ .*too large|stack depth [0-9]+ exceeds|"
		   "invalid (write|read) to stack .*off=-(5[2-9][0-9]|[6-9][0-9][0-9])", NULL },
	{ C_PKT_OFFSET, "makes [a-z_]+ pointer be out of bounds|math between [a-z_]+ pointer and "
			"(register with unbounded min value|-?[0-9]+) is not allowed|mixed signed bounds|"
			"pointer offset -?[0-9]+ is not allowed", is_add_sub },
	{ C_CTX, "pointer arithmetic on pkt[a-z_]* prohibited", is_shift_or },
	{ C_STACK_VAR, "variable[- ]offset [a-z ]*stack|variable stack access|invalid unbounded variable-offset", NULL },
	{ C_PKT_BOUNDS, "invalid access to packet|offset is outside of the packet|invalid variable-offset access to packet|"
			"R[0-9]+ invalid mem access 'pkt", NULL },
	{ C_NULL, "invalid mem access '[a-z_]*_or_null'|[Pp]ossibly NULL pointer|_or_null", NULL },
	{ C_UNRELEASED, "Unreleased reference|reference leak|unreleased ref", NULL },
	{ C_GPL, "GPL-restricted|non-GPL compatible|GPL-compatible|gpl_only", NULL },
	{ C_HELPER_TYPE, "cannot use helper|unknown func bpf_[a-z0-9_]+#|helper call is not allowed|"
			 "not supported for this program type", NULL },
	{ C_UNKNOWN_FUNC, "invalid func unknown|unknown func|kernel function [^ ]+ is not|calling kernel function|"
			  "invalid kernel function|kfunc [^ ]+ not|not found in kernel BTF|func_id [0-9]+ not", NULL },
	{ C_SCALAR, "invalid mem access '(scalar|inv)'", NULL },
	{ C_GLOBAL_ARG, "Caller passes invalid args into func|invalid args? (passed )?to (global )?func", NULL },
	{ C_HELPER_ARG, "type=[a-z_]+ expected=|arg#?[0-9]+ (type|expected|reference)|R[1-5] type=", NULL },
	{ C_LOOP, "infinite loop detected|back-edge|unbounded loop|loop is not bounded", NULL },
	{ C_COMPLEX, "program is too large|too complex|too many states|complexity limit|Processed 1000001", NULL },
	{ C_MISALIGNED, "misaligned", NULL },
	{ C_CTX, "invalid bpf_context access|cannot write into ctx|dereference of modified ctx ptr|"
		 "invalid [a-z_]*ctx[a-z_]* access|R[0-9]+ invalid mem access 'ctx'", NULL },
	{ C_UNINIT_STACK, "invalid (indirect )?read from stack|invalid indirect access to stack|"
			  "uninitialized stack|reading from uninit", NULL },
	{ C_PTR_ARITH, "pointer arithmetic .*prohibited|pointer arithmetic .*not allowed|math between .*pointer|"
		       "on pointer prohibited|only (add|sub)[a-z]* .*pointer", NULL },
	{ C_RANGE, "unbounded memory access|invalid access to map value|outside of the allowed memory range|"
		   "min value is negative|max value is outside|invalid variable-offset|invalid access to memory|"
		   "invalid zero-sized read|invalid size of register", NULL },
	{ C_UNREACHABLE, "unreachable insn", NULL },
	{ C_BAD_INSN, "unknown opcode|invalid insn code|invalid BPF_LD_IMM|jump out of range|"
		      "invalid (src|dst) register", NULL },
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static regex_t compiled[N_RULES];
static int compiled_ok[N_RULES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void compile_all(void)
{
	for (size_t i = 0; i < N_RULES; i++)
		compiled_ok[i] = !regcomp(&compiled[i], rules[i].re, REG_EXTENDED | REG_NOSUB);
}

static int classify(const char *text, const struct vctx *c)
{
	for (size_t i = 0; text && *text && i < N_RULES; i++)
		if (compiled_ok[i] && !regexec(&compiled[i], text, 0, NULL, 0) &&
		    (!rules[i].accept || (c && rules[i].accept(c))))
			return rules[i].cls;
	return -1;
}

/* Where the error lines start: after the last instruction line. */
static const char *error_start(const char *log)
{
	const char *start = NULL, *line, *next;

	for (line = log; *line; line = next) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char insn[8];
		int idx;

		next = nl ? nl + 1 : line + len;
		if (vlog_insn_line(line, len, &idx, insn, sizeof(insn)))
			start = next;
	}
	return start ? start : log + strlen(log);
}

int bpfkit_verifier__explain_log(const char *log, const void *elf, size_t elf_sz, const char *prog,
				 struct bpfkit_verifier_explanation *ex)
{
	struct vctx *c;
	int id, found;

	if (!ex)
		return -EINVAL;
	memset(ex, 0, sizeof(*ex));
	ex->sum.insn_idx = -1;
	if (!log)
		return -ENOENT;
	pthread_once(&once, compile_all);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	found = !bpfkit_verifier__summarize(log, &ex->sum);
	c->log = log;
	c->prog = prog;
	c->sum = &ex->sum;
	c->err_at = error_start(log);
	c->err_reg = first_reg(ex->sum.error);
	c->alloc_insn = -1;
	{
		const char *a = strstr(ex->sum.error, "alloc_insn=");

		if (a)
			c->alloc_insn = atoi(a + 11);
	}
	walk_path(c);
	/* Only the error lines: the rest of a log holds register states that
	 * would match classes they are not ("_or_null" types, say). The whole
	 * log only when no error line could be told apart. */
	id = classify(found ? ex->sum.error : log, c);
	/* "unreachable insn 2", "jump out of range from insn 5 to 80": checked
	 * before the walk, so no source note; the object has the line */
	if (found && !ex->sum.line && elf && prog) {
		const char *in = strstr(ex->sum.error, "insn ");

		if (in && isdigit((unsigned char)in[5]))
			verifier_insn_source(elf, elf_sz, prog, atoi(in + 5), ex);
	}
	if (id >= 0) {
		ex->cls = &classes[id];
		snprintf(ex->fix, sizeof(ex->fix), "%s", classes[id].fix);
		detail(id, c, ex);
		if (id == C_STACK && elf && prog)
			verifier_stack_explain(elf, elf_sz, prog, ex);
	}
	free(c);
	return found || id >= 0 ? 0 : -ENOENT;
}

const struct bpfkit_verifier_hint *bpfkit_verifier__explain(const char *log)
{
	struct bpfkit_verifier_explanation *ex;
	const struct bpfkit_verifier_hint *h;

	if (!log)
		return NULL;
	ex = malloc(sizeof(*ex));
	if (!ex)
		return NULL;
	bpfkit_verifier__explain_log(log, NULL, 0, NULL, ex);
	h = ex->cls;
	free(ex);
	return h;
}

const struct bpfkit_verifier_hint *bpfkit_verifier__hints(size_t *n)
{
	if (n)
		*n = N_CLASSES;
	return classes;
}
