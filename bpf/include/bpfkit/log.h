/* bpfkit/log.h (BPF side) — aya-log style logging for C BPF programs:
 *
 *   #include <bpfkit/log.h>
 *   bk_info(ctx, "received a packet from %pI4", ip->saddr);
 *   bk_debug(ctx, "len %u proto %x dev %s", len, proto, name);
 *
 * Formats: %d %i %u %x %X %o %c with h/hh/l/ll modifiers, flags and width
 * (%08x, %-5u), %s (a char pointer or array; at most BK_LOG_STR_MAX bytes are
 * copied), %pI4 / %pi4 (a __be32 or a pointer to 4 bytes), %pI6 / %pI6c / %pi6
 * (a pointer to 16 bytes, e.g. &ip6->saddr), %pM / %pm (a MAC: eth->h_source)
 * and %%. Up to 8
 * arguments. The format must be a string literal. Arguments are evaluated
 * only when the call is enabled and its record reserved: no side effects.
 *
 * What a call costs: the format, level, argument layout and file:line are
 * stored once, at compile time, in the ".rodata.bklog" section (see
 * log_common.h). At run time a call claims slots in the object's one shared
 * ring (a global variable user space polls in place) with one atomic add,
 * writes the call-site id and the raw arguments, then the sequence number
 * that publishes them — no helper call, no string copied except %s
 * arguments. Every writer (another CPU, or a program interrupting another)
 * gets its own slots. A full ring overwrites its oldest records; the
 * logger counts exactly how many it lost and reports them.
 * BK_LOG_RING_SLOTS (compile time) is the ring's size in 32-byte slots.
 *
 * Levels: a call is emitted only if its level <= bpfkit_log_level, a `const
 * volatile` the loader sets before load (BPFKIT_LOG=debug ...; default
 * BK_LOG_LEVEL_DEFAULT, info). The verifier sees it as a constant and removes
 * disabled calls but for the 3-instruction load of the level itself.
 * BK_LOG_MAX_LEVEL (compile time, default trace)
 * removes calls above it from the object itself.
 *
 * Checked at compile time: an argument that is not an integer, a pointer or
 * an array (a struct, a float) is an error; so is a format whose conversions
 * and arguments differ in number, or an argument that does not fit its
 * conversion (%s wants a string, %pI6 16 bytes, %pM 6) — clang evaluates the
 * format through diagnose_if. Formats containing "%%" are checked only when
 * the logger opens the object (it checks every call again and names its
 * file:line). BK_LOG_NO_FORMAT_CHECK turns the compile-time check off. */
#ifndef BPFKIT_BPF_LOG_H
#define BPFKIT_BPF_LOG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/log_common.h>

#ifndef BK_LOG_RING_SLOTS
#define BK_LOG_RING_SLOTS 16384		/* 32-byte slots: 512 KiB, shared */
#endif
#ifndef BK_LOG_STR_MAX
#define BK_LOG_STR_MAX 64
#endif
#ifndef BK_LOG_LEVEL_DEFAULT
#define BK_LOG_LEVEL_DEFAULT BK_LOG_INFO
#endif
#ifndef BK_LOG_MAX_LEVEL
#define BK_LOG_MAX_LEVEL BK_LOG_TRACE
#endif

/* The log ring (layout: log_common.h): a global variable, so libbpf makes
 * its section an mmapable array map and a call reaches it with one ld_imm64
 * — no lookup, no NULL check, no CPU id. The head has a cache line of its
 * own so that the slots' stores do not bounce it. */
struct bk__log_ring {
	__u64 head;
	__u64 hdr_rest[BK_LOG_RING_HDR / 8 - 1];
	unsigned char slots[(BK_LOG_RING_SLOTS + BK_LOG_TAIL_SLOTS) * BK_LOG_SLOT];
};
_Static_assert((BK_LOG_RING_SLOTS & (BK_LOG_RING_SLOTS - 1)) == 0 &&
	       BK_LOG_RING_SLOTS >= 128 && BK_LOG_RING_SLOTS <= (1 << 16),
	       "BK_LOG_RING_SLOTS: a power of two, 128 .. 64K (an array value is at most 4 MiB)");
struct bk__log_ring bpfkit_log_ring SEC(".data.bklog");

/* In the call-site table's map, so one read-only map carries both. */
const volatile __u32 bpfkit_log_level SEC(".rodata.bklog") = BK_LOG_LEVEL_DEFAULT;

/* ---- argument classification (all compile time) ---- */
#define BK__CT(x) __builtin_classify_type(x)
/* integer, char, enum, bool classes */
#define BK__IS_INT(x) (BK__CT(x) >= 1 && BK__CT(x) <= 4)
#define BK__IS_PTR(x) (BK__CT(x) == 5)
#define BK__IS_STR(x) _Generic((x), char *: 1, const char *: 1, volatile char *: 1, \
			       const volatile char *: 1, default: 0)
/* x itself if it is a pointer or an array (arrays stay arrays), else a dummy
 * char pointer: lets sizeof(*..) and the copies below type-check for every x. */
#define BK__AS_PTR(x) __builtin_choose_expr(BK__IS_PTR(x), (x), (const char *)0)
#define BK__IS_ARRAY(x) (!__builtin_types_compatible_p(__typeof__(BK__AS_PTR(x)), \
						       __typeof__(&(BK__AS_PTR(x))[0])))
/* bytes copied for a pointer/array argument */
#define BK__NBYTES(x) (BK__IS_STR(x) ?						\
	(BK__IS_ARRAY(x) && sizeof(BK__AS_PTR(x)) < BK_LOG_STR_MAX ?		\
	 sizeof(BK__AS_PTR(x)) : BK_LOG_STR_MAX) :				\
	(BK__IS_ARRAY(x) ? sizeof(BK__AS_PTR(x)) : sizeof(*BK__AS_PTR(x))))
/* integers after the usual promotion (u8 -> int), as printf sees them */
#define BK__INT_VAL(x) __builtin_choose_expr(BK__IS_INT(x), (x) + 0, 0)
#define BK__FIELD_T(x) __typeof__(__builtin_choose_expr(BK__IS_INT(x), BK__INT_VAL(x), \
					*(char (*)[BK__IS_INT(x) ? 1 : BK__NBYTES(x)])0))
#define BK__KIND(x) (BK__IS_INT(x) ?						\
	BK_ARG_INT | (((__typeof__(BK__INT_VAL(x)))-1 < 0) ? BK_ARG_SIGNED : 0) : \
	BK__IS_STR(x) ? BK_ARG_STR : BK_ARG_BYTES)

#define BK__FIELD(i, x) BK__FIELD_T(x) a##i;
#define BK__CHECK(i, x)								\
	_Static_assert(BK__IS_INT(x) || BK__IS_PTR(x),				\
		       "bk_log: argument " #i " (" #x ") is not an integer, pointer or array"); \
	_Static_assert(BK__IS_INT(x) || BK__NBYTES(x) <= 255,			\
		       "bk_log: argument " #i " (" #x ") is larger than 255 bytes");
#define BK__ARGDESC(i, x) [i - 1] = { BK__KIND(x), sizeof(BK__FIELD_T(x)),	\
				      __builtin_offsetof(struct bk__rec, a##i) },
#define BK__STORE(i, x)								\
	__builtin_choose_expr(BK__IS_INT(x),					\
		(void)(*(__typeof__(BK__INT_VAL(x)) *)&bk__r->a##i = BK__INT_VAL(x)), \
	__builtin_choose_expr(BK__IS_STR(x),					\
		(void)bpf_probe_read_kernel_str(&bk__r->a##i, sizeof(bk__r->a##i), BK__AS_PTR(x)), \
		(void)bpf_probe_read_kernel(&bk__r->a##i, sizeof(bk__r->a##i), BK__AS_PTR(x))));

/* ---- format vs. arguments, at compile time (clang's diagnose_if) ----
 * diagnose_if conditions are evaluated at each call with the arguments
 * substituted, and clang folds __builtin_strchr over a string literal, so
 * the format can be walked here: BK__P<m> is the m-th '%'. Formats with "%%"
 * are left to the open-time check (lib/log_format.c); so is anything the
 * evaluator cannot fold (then no diagnostic, never a false one). Argument
 * kind codes: 1 int (4 bytes), 2 int (8), 3 string, 4/6/16 that many bytes,
 * 5 other bytes, 0 no argument. */
#define BK__P1 __builtin_strchr(f, '%')
#define BK__P2 __builtin_strchr(BK__P1 + 1, '%')
#define BK__P3 __builtin_strchr(BK__P2 + 1, '%')
#define BK__P4 __builtin_strchr(BK__P3 + 1, '%')
#define BK__P5 __builtin_strchr(BK__P4 + 1, '%')
#define BK__P6 __builtin_strchr(BK__P5 + 1, '%')
#define BK__P7 __builtin_strchr(BK__P6 + 1, '%')
#define BK__P8 __builtin_strchr(BK__P7 + 1, '%')
#define BK__P9 __builtin_strchr(BK__P8 + 1, '%')
#define BK__NPCT (!BK__P1 ? 0 : !BK__P2 ? 1 : !BK__P3 ? 2 : !BK__P4 ? 3 : !BK__P5 ? 4 : \
		  !BK__P6 ? 5 : !BK__P7 ? 6 : !BK__P8 ? 7 : !BK__P9 ? 8 : 9)
#define BK__ESC(P) ((P)[1] == '%')
#define BK__E8 (BK__P8 && BK__ESC(BK__P8))
#define BK__E7 (BK__P7 && (BK__ESC(BK__P7) || BK__E8))
#define BK__E6 (BK__P6 && (BK__ESC(BK__P6) || BK__E7))
#define BK__E5 (BK__P5 && (BK__ESC(BK__P5) || BK__E6))
#define BK__E4 (BK__P4 && (BK__ESC(BK__P4) || BK__E5))
#define BK__E3 (BK__P3 && (BK__ESC(BK__P3) || BK__E4))
#define BK__E2 (BK__P2 && (BK__ESC(BK__P2) || BK__E3))
#define BK__HAS_ESC (BK__P1 && (BK__ESC(BK__P1) || BK__E2))
#define BK__ISCONV(c) ((c) && __builtin_strchr("diuxXocsp", (c)))
/* does the conversion whose letter is q[d] take an argument of kind k? */
#define BK__FITS_AT(q, d, k) ((q)[d] == 's' ? (k) == 3 :				\
	(q)[d] != 'p' ? ((k) == 1 || (k) == 2) :					\
	((q)[(d) + 1] == 'I' || (q)[(d) + 1] == 'i') ?					\
		((q)[(d) + 2] == '4' ? ((k) == 1 || (k) == 4) : (q)[(d) + 2] == '6' && (k) == 16) : \
	((q)[(d) + 1] == 'M' || (q)[(d) + 1] == 'm') && (k) == 6)
/* the letter is the first of "diuxXocsp" after flags, width, precision, length */
#define BK__FITS(q, k) (BK__ISCONV((q)[1]) ? BK__FITS_AT(q, 1, k) :			\
	BK__ISCONV((q)[2]) ? BK__FITS_AT(q, 2, k) : BK__ISCONV((q)[3]) ? BK__FITS_AT(q, 3, k) : \
	BK__ISCONV((q)[4]) ? BK__FITS_AT(q, 4, k) : BK__ISCONV((q)[5]) ? BK__FITS_AT(q, 5, k) : \
	BK__ISCONV((q)[6]) ? BK__FITS_AT(q, 6, k) : 1)
#define BK__CHECKABLE (!BK__HAS_ESC && BK__NPCT == n)
#define BK__ARG_DIAG(j)								\
	__attribute__((diagnose_if(BK__CHECKABLE && n >= j && !BK__FITS(BK__P##j, k##j),	\
		"bk_log: argument " #j " does not fit its conversion (%d %u %x: an integer; "	\
		"%s: a string; %pI4: a __be32 or 4 bytes; %pI6: 16 bytes; %pM: 6 bytes)", "error")))

static inline __attribute__((always_inline, unused)) void
bk__fmt_check(const char *f, int n, int k1, int k2, int k3, int k4, int k5, int k6, int k7, int k8)
	__attribute__((diagnose_if(!BK__HAS_ESC && BK__NPCT != n,
		"bk_log: the format's conversions and the arguments differ in number", "error")))
	BK__ARG_DIAG(1) BK__ARG_DIAG(2) BK__ARG_DIAG(3) BK__ARG_DIAG(4)
	BK__ARG_DIAG(5) BK__ARG_DIAG(6) BK__ARG_DIAG(7) BK__ARG_DIAG(8);
static inline void
bk__fmt_check(const char *f, int n, int k1, int k2, int k3, int k4, int k5, int k6, int k7, int k8)
{
}

#define BK__KCODE(x) (BK__IS_INT(x) ? (sizeof(BK__FIELD_T(x)) == 8 ? 2 : 1) :		\
	BK__IS_STR(x) ? 3 : (BK__NBYTES(x) == 4 || BK__NBYTES(x) == 6 || BK__NBYTES(x) == 16) ? \
	(int)BK__NBYTES(x) : 5)
#define BK__KARG(i, x) , BK__KCODE(x)

/* apply M(index, arg) to each of up to 8 arguments */
#define BK__NARG(...) BK__NARG_(_, ##__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define BK__NARG_(_, a1, a2, a3, a4, a5, a6, a7, a8, a9, n, ...) n
#define BK__CAT(a, b) BK__CAT_(a, b)
#define BK__CAT_(a, b) a##b
#define BK__EACH(M, ...) BK__CAT(BK__EACH_, BK__NARG(__VA_ARGS__))(M, ##__VA_ARGS__)
#define BK__EACH_0(M)
#define BK__EACH_1(M, a) M(1, a)
#define BK__EACH_2(M, a, b) M(1, a) M(2, b)
#define BK__EACH_3(M, a, b, c) M(1, a) M(2, b) M(3, c)
#define BK__EACH_4(M, a, b, c, d) M(1, a) M(2, b) M(3, c) M(4, d)
#define BK__EACH_5(M, a, b, c, d, e) BK__EACH_4(M, a, b, c, d) M(5, e)
#define BK__EACH_6(M, a, b, c, d, e, f) BK__EACH_5(M, a, b, c, d, e) M(6, f)
#define BK__EACH_7(M, a, b, c, d, e, f, g) BK__EACH_6(M, a, b, c, d, e, f) M(7, g)
#define BK__EACH_8(M, a, b, c, d, e, f, g, h) BK__EACH_7(M, a, b, c, d, e, f, g) M(8, h)
#define BK__EACH_9(M, ...) _Static_assert(0, "bk_log: at most 8 arguments");

/* the format check call, with the kind codes padded to 8 */
#define BK__Z_0 , 0, 0, 0, 0, 0, 0, 0, 0
#define BK__Z_1 , 0, 0, 0, 0, 0, 0, 0
#define BK__Z_2 , 0, 0, 0, 0, 0, 0
#define BK__Z_3 , 0, 0, 0, 0, 0
#define BK__Z_4 , 0, 0, 0, 0
#define BK__Z_5 , 0, 0, 0
#define BK__Z_6 , 0, 0
#define BK__Z_7 , 0
#define BK__Z_8
#define BK__FC(F, N, ...) bk__fmt_check(F, N BK__EACH(BK__KARG, ##__VA_ARGS__) BK__Z_##N)
#define BK__FC_0(F, ...) BK__FC(F, 0, ##__VA_ARGS__)
#define BK__FC_1(F, ...) BK__FC(F, 1, ##__VA_ARGS__)
#define BK__FC_2(F, ...) BK__FC(F, 2, ##__VA_ARGS__)
#define BK__FC_3(F, ...) BK__FC(F, 3, ##__VA_ARGS__)
#define BK__FC_4(F, ...) BK__FC(F, 4, ##__VA_ARGS__)
#define BK__FC_5(F, ...) BK__FC(F, 5, ##__VA_ARGS__)
#define BK__FC_6(F, ...) BK__FC(F, 6, ##__VA_ARGS__)
#define BK__FC_7(F, ...) BK__FC(F, 7, ##__VA_ARGS__)
#define BK__FC_8(F, ...) BK__FC(F, 8, ##__VA_ARGS__)
#define BK__FC_9(F, ...) (void)0
#ifndef BK_LOG_NO_FORMAT_CHECK
#define BK__FMT_CHECK(F, ...) BK__CAT(BK__FC_, BK__NARG(__VA_ARGS__))(F, ##__VA_ARGS__)
#else	/* e.g. to test the logger's own check on formats that do not fit */
#define BK__FMT_CHECK(F, ...) ((void)0)
#endif

#define bk__log_(ID_, CTX_, LVL_, FMT_, ...) ({					\
	(void)(CTX_);								\
	BK__EACH(BK__CHECK, ##__VA_ARGS__)					\
	BK__FMT_CHECK(FMT_, ##__VA_ARGS__);					\
	if ((LVL_) <= BK_LOG_MAX_LEVEL && (LVL_) <= bpfkit_log_level) {		\
		struct bk__rec {						\
			__u32 id;						\
			BK__EACH(BK__FIELD, ##__VA_ARGS__)			\
		} *bk__r;							\
		static const struct {						\
			struct bk_log_site h;					\
			char fmt[sizeof(FMT_)];					\
			char file[sizeof(__FILE__)];				\
		} bk__site __attribute__((section(".rodata.bklog"), used, aligned(4))) = { \
			.h = { .magic = BK_LOG_MAGIC, .size = sizeof(bk__site),	\
			       .id = (ID_), .line = __LINE__, .level = (LVL_),	\
			       .nargs = BK__NARG(__VA_ARGS__),			\
			       .rec_size = sizeof(struct bk__rec),		\
			       .fmt_len = sizeof(FMT_),				\
			       .args = { BK__EACH(BK__ARGDESC, ##__VA_ARGS__) } }, \
			.fmt = FMT_, .file = __FILE__,				\
		};								\
		_Static_assert(BK__SLOTS(sizeof(struct bk__rec)) <= BK_LOG_TAIL_SLOTS, \
			       "bk_log: record larger than BK_LOG_REC_MAX");	\
		/* claim K slots (and count one record): the old head is ours */ \
		__u64 bk__h = __sync_fetch_and_add(&bpfkit_log_ring.head,	\
			(1ull << 32) | BK__SLOTS(sizeof(struct bk__rec)));	\
		unsigned char *bk__s = &bpfkit_log_ring.slots[(bk__h & (BK_LOG_RING_SLOTS - 1)) * BK_LOG_SLOT]; \
		bk__r = (void *)(bk__s + 8);					\
		bk__r->id = (ID_) | (__u32)BK__SLOTS(sizeof(*bk__r)) << BK_LOG_ID_BITS; \
		BK__EACH(BK__STORE, ##__VA_ARGS__)				\
		/* the record before the seq that publishes it */		\
		__asm__ __volatile__("" ::: "memory");				\
		*(volatile __u64 *)bk__s = bk__h + 1;				\
	}									\
})

/* slots a record of n bytes takes after its 8-byte seq */
#define BK__SLOTS(n) ((8 + (n) + BK_LOG_SLOT - 1) / BK_LOG_SLOT)
#define bk_log(ctx, lvl, fmt, ...) bk__log_(__COUNTER__, ctx, lvl, fmt, ##__VA_ARGS__)
#define bk_error(ctx, fmt, ...) bk_log(ctx, BK_LOG_ERROR, fmt, ##__VA_ARGS__)
#define bk_warn(ctx, fmt, ...)  bk_log(ctx, BK_LOG_WARN, fmt, ##__VA_ARGS__)
#define bk_info(ctx, fmt, ...)  bk_log(ctx, BK_LOG_INFO, fmt, ##__VA_ARGS__)
#define bk_debug(ctx, fmt, ...) bk_log(ctx, BK_LOG_DEBUG, fmt, ##__VA_ARGS__)
#define bk_trace(ctx, fmt, ...) bk_log(ctx, BK_LOG_TRACE, fmt, ##__VA_ARGS__)

#endif
