/* bpfkit/log_common.h — the wire format shared by bpfkit/log.h (BPF side) and
 * libbpfkit's logger (lib/logger.c, lib/log_format.c). Changing anything here
 * changes the format: bump BK_LOG_MAGIC.
 *
 * Call-site table: every bk_* call emits one `struct bk_log_site` followed by
 * its format string and file name into the ELF section ".rodata.bklog", which
 * libbpf turns into a frozen read-only map. The table is therefore in the
 * object (the logger reads it from the map's initial value) and in the kernel
 * (a pinned map; `bpfkit log --pin` reads it back), and never costs an
 * instruction at run time.
 *
 * Record: what one call writes into the shared ring after its seq — a __u32
 * header (the call-site id, and the record's length in slots above
 * BK_LOG_ID_BITS) followed by the raw arguments at the offsets the site
 * lists (from the header). The logger hands the formatter the record from
 * the header on, with the bare id. */
#ifndef BPFKIT_LOG_COMMON_H
#define BPFKIT_LOG_COMMON_H

#include <linux/types.h>

#define BK_LOG_MAGIC	0x314c4b42u	/* "BKL1" little-endian */
#define BK_LOG_MAX_ARGS	8
#define BK_LOG_FUNC_LEN	32

/* Transport: ONE ring shared by every program and CPU of the object, the
 * global variable bpfkit_log_ring in section ".data.bklog" (libbpf makes it a
 * BPF_F_MMAPABLE array map named ".data.bklog", pinned as "_data_bklog").
 * Layout: BK_LOG_RING_HDR bytes of header (first __u64: head; second: where
 * the last reader stopped), then slots of BK_LOG_SLOT bytes: a power of two
 * of them, then BK_LOG_TAIL_SLOTS of overflow so a record never wraps.
 *
 * head counts (records << 32 | slots) ever claimed. A call claims its K
 * slots (K from its argument layout, a compile-time constant) with one
 * atomic add of (1 << 32 | K); the old head h is its index. Its record lives
 * at slot (h & (slots - 1)): a __u64 seq, then the __u32 header (call-site
 * id, low BK_LOG_ID_BITS; K above) and the raw arguments. seq = h + 1 is
 * written last and publishes the record; a reader knows the next expected
 * head value and so tells committed, uncommitted and overwritten slots
 * apart, and counts records exactly (the high half of the difference). */
#define BK_LOG_RING_HDR	64
#define BK_LOG_SLOT	32
#define BK_LOG_REC_MAX	2048			/* bytes of one record, seq included */
#define BK_LOG_TAIL_SLOTS (BK_LOG_REC_MAX / BK_LOG_SLOT)
#define BK_LOG_ID_BITS	20
#define BK_LOG_ID_MASK	((1u << BK_LOG_ID_BITS) - 1)

/* Levels, as in aya-log / RUST_LOG: a call is emitted when its level is <=
 * the enabled level; 0 turns logging off. */
enum bk_log_level {
	BK_LOG_OFF = 0,
	BK_LOG_ERROR = 1,
	BK_LOG_WARN = 2,
	BK_LOG_INFO = 3,
	BK_LOG_DEBUG = 4,
	BK_LOG_TRACE = 5,
};

/* Argument kinds; BK_ARG_SIGNED is or-ed into BK_ARG_INT. */
enum bk_log_arg_kind {
	BK_ARG_INT = 1,		/* integer of `size` bytes (4 or 8 after promotion) */
	BK_ARG_STR = 2,		/* NUL-terminated (or size-bounded) string */
	BK_ARG_BYTES = 3,	/* `size` raw bytes: an IPv4/IPv6/MAC address */
	BK_ARG_SIGNED = 0x80,
};

struct bk_log_arg {
	__u8 kind;
	__u8 size;
	__u16 off;		/* in the record */
};

struct bk_log_site {
	__u32 magic;		/* BK_LOG_MAGIC */
	__u32 size;		/* of the whole entry, strings included */
	__u32 id;		/* what the record's first word says */
	__u32 line;
	__u8 level;
	__u8 nargs;
	__u16 rec_size;		/* bytes the call reserves */
	__u16 fmt_len;		/* format, NUL included; the file name follows */
	__u16 reserved;
	struct bk_log_arg args[BK_LOG_MAX_ARGS];
	/* The function the call is in. Left zero by the compiler (C has no
	 * function-name literal); the loader fills it from the ELF symbol
	 * table before load, so a pinned table has it too. */
	char func[BK_LOG_FUNC_LEN];
	/* char fmt[fmt_len]; char file[]; */
};

#endif
