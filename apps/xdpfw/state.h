/* apps/xdpfw/state.h — the firewall's kernel state: its maps and program,
 * pinned under a bpffs directory so they outlive the CLI, and the atomic
 * rule-set swap (apply). */
#ifndef XDPFW_STATE_H
#define XDPFW_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rules.h"

#define XDPFW_PIN_DIR "/sys/fs/bpf/xdpfw"

enum {
	XM_CFG, XM_CLASS, XM_TAB6, XM_PLENS, XM_PORTS, XM_COUNTERS, XM_RULES,
	XM_TOTALS, XM_FRAGS, XM_LOGRATE, XM_TRIE4, XM_NMAPS,
};

struct bpfkit_object;
struct bpf_object;

struct xdpfw_state {
	char dir[256];			/* "" when not pinned (tests) */
	struct bpfkit_object *obj;	/* when we loaded the program */
	int fd[XM_NMAPS];
	int prog_fd;
	int lock_fd;
	uint32_t max_slots;
	int ncpu;
	void *tab[2];			/* mmapped: [0] xdpfw_class (the class pool),
					 * [1] xdpfw_tab6 (the IPv6 hash table) */
	size_t tab_bytes[2];
	uint32_t tab_cap[2];		/* classes / slots per generation (half the map) */
	uint32_t *trie4;		/* xdpfw_trie mmapped */
	size_t trie4_bytes;
	uint32_t trie4_cap;		/* entries per generation */
	unsigned root_bits;		/* the source roots' width (xdpfw_trie_root_bits) */
	struct xdpfw_pent *ptab;	/* xdpfw_ptab mmapped */
	size_t ptab_bytes;
	uint32_t ptab_cap;		/* entries per generation */
	struct xdpfw_plens *plens;	/* xdpfw_plens mmapped: XDPFW_NPLENS */
	struct xdpfw_counter *cnt;	/* xdpfw_rulecnt mmapped: cnt_slots per CPU */
	size_t cnt_bytes;
	uint32_t cnt_slots, cnt_cpus;
	struct xdpfw_rule_def *defs;	/* xdpfw_rules mmapped (NULL: a map without
					 * BPF_F_MMAPABLE, pinned by an older xdpfw) */
	size_t defs_bytes;
	bool maps_reused;		/* xdpfw_state_create: the maps (rules, policy,
					 * counters) are an earlier load's */
	bool scratch;			/* xdpfw_state_scratch(): nobody's firewall */
	bool readonly;			/* xdpfw_state_open_ro(): maps mapped read-only */
};

#define XDPFW_DEFAULT_MAX_RULES 65536	/* load's --max-rules when not given */

struct xdpfw_create_opts {
	uint32_t max_rules;		/* rules per set; 0: XDPFW_DEFAULT_MAX_RULES */
	uint32_t log_rate;		/* log events per second per CPU */
	bool no_lockout_pass;		/* do not always pass ARP/ND */
};

/* Opens the pinned state under DIR; -ENOENT if there is none, -EPROTO if it
 * is another version's (maps missing or of another layout). */
int xdpfw_state_open(struct xdpfw_state *st, const char *dir);
/* The same for a reader (save, status, top, the exporter, check): the
 * tables, definitions and counters are mapped read-only, so a reader's bug
 * faults in the reader instead of changing what the datapath reads. Apply
 * and the rule commands refuse such a state (-EROFS). */
int xdpfw_state_open_ro(struct xdpfw_state *st, const char *dir);
/* Whether DIR (made or not yet) is inside another xdpfw state's directory,
 * or holds one up to 4 levels below it (the inner one's pins would be a
 * foreign entry in the outer's directory, which `unload --all --purge`
 * there refuses to remove), or holds, with no xdpfw state, pins of the
 * names xdpfw would take over (a bpfkit load --pin directory's log maps). -EEXIST with a one-line message on stderr, 0
 * if not. Paths are compared resolved (relative, "dir/.", links). */
int xdpfw_state_dir_nested(const char *dir);
/* The one-line error for an xdpfw_state_open() failure. */
void xdpfw_state_open_error(const char *dir, int rc);
/* Opens the pinned state, or loads the program (OBJ bytes) and pins maps and
 * program under DIR. *created says which. */
int xdpfw_state_create(struct xdpfw_state *st, const char *dir, const void *obj, size_t obj_sz,
		       const struct xdpfw_create_opts *o, bool *created);
/* Sizes the maps of an opened datapath object for MAX_RULES rules. */
int xdpfw_state_size_maps(struct bpf_object *bo, uint32_t max_rules);
/* The most --max-rules can be: the tables of a bigger set would pass what a
 * BPF program can index in one map value (512 MiB, both generations). */
uint32_t xdpfw_state_rules_limit(void);
/* Sizes only its table map MAP ("xdpfw_trie", "xdpfw_class", "xdpfw_tab6"
 * or "xdpfw_ptab"): HALF entries per generation (tests use small ones; the
 * trie's a multiple of XDPFW_TRIE_BLK). */
int xdpfw_state_size_table(struct bpf_object *bo, const char *map, uint32_t half);

/* Rules one set may hold (--max-rules): the rule map has room for two, the
 * active set and the one an apply writes beside it. */
uint32_t xdpfw_state_max_rules(const struct xdpfw_state *st);

/* Makes BO (opened, not loaded) share the maps pinned under DIR and take O's
 * load-time switches: a second instance of the datapath over the same state
 * (xdpfw load --multi, multi.c). */
int xdpfw_state_share_maps(struct bpf_object *bo, const char *dir, const struct xdpfw_create_opts *o);

/* A scratch firewall: the datapath (OBJ bytes) loaded with maps sized for
 * MAX_RULES rules, neither pinned nor attached, gone with
 * xdpfw_state_close() (xdpfw check --compile applies a set to one). No
 * state directory, so its applies are not counted (applog.c). */
int xdpfw_state_scratch(struct xdpfw_state *st, const void *obj, size_t obj_sz, uint32_t max_rules);
/* Uses the maps of an object the caller loaded (tests; nothing pinned). */
int xdpfw_state_from_object(struct xdpfw_state *st, struct bpfkit_object *obj);
void xdpfw_state_close(struct xdpfw_state *st);

/* Serialises changes among CLIs (flock on the pin directory). */
int xdpfw_state_lock(struct xdpfw_state *st);
/* The same lock on DIR without a state (unload): the fd holding it, or
 * -errno (-ENOENT: no DIR, or it was removed while this waited). */
int xdpfw_dir_lock(const char *dir);
/* Removes the pins xdpfw makes under DIR (maps, program, links, libxdp
 * pins, log maps, the apply log), and DIR itself if that empties it;
 * nothing else there is touched (a --pin-dir shared with other tools, or
 * /sys/fs/bpf itself). The number of entries left, or -errno. */
int xdpfw_state_purge(const char *dir);

int xdpfw_state_cfg(struct xdpfw_state *st, struct xdpfw_cfg *cfg);
/* Whether two reads of cfg saw the same active generation (no apply switched
 * in between): what a snapshot read between them can be trusted for. */
bool xdpfw_cfg_same_gen(const struct xdpfw_cfg *a, const struct xdpfw_cfg *b);
/* How often a snapshot is read again when an apply switched under it. */
#define XDPFW_SNAP_TRIES 20

/* The active rule set (in order) and each rule's slot (*SLOTS, malloc'd). */
int xdpfw_state_read(struct xdpfw_state *st, struct xdpfw_ruleset *rs, uint32_t **slots);

struct xdpfw_apply_stats {
	struct xdpfw_compile_stats c;
	double write_ms, switch_ms, cleanup_ms;
	uint64_t entries;
};

/* Replaces the active rule set with RS and the default policy with POLICY
 * (-1: keep), atomically: the new generation is written beside the old one,
 * one store switches, the old one is removed. On error nothing changes. */
int xdpfw_state_apply(struct xdpfw_state *st, const struct xdpfw_ruleset *rs, int policy,
		      struct xdpfw_apply_stats *stats);

/* In use per generation: [g][0] classes in the class pool (both families'
 * prefixes), [g][1] IPv6 hash-table slots (prefixes and markers); CAP: how
 * many each generation may use. */
int xdpfw_state_table_usage(struct xdpfw_state *st, uint64_t used[2][2], uint32_t cap[2]);

/* Bytes the prefix tables take (both generations: the IPv4 trie and its
 * class slots, the IPv6 hash table), preallocated at the first load. */
uint64_t xdpfw_state_table_bytes(const struct xdpfw_state *st);

/* The source roots' width (XDPFW_TRIE_ROOT_BITS or XDPFW_TRIE_BIG_ROOT_BITS)
 * in a trie map of HALF entries per generation, as load sizes it. */
unsigned xdpfw_trie_root_bits(uint64_t half);

/* The entries a generation's trie half gives its two source roots (IPv4,
 * and IPv6 sources' first 32 bits): 2^16 or, in big tables, 2^20 each. */
static inline uint32_t xdpfw_state_root_entries(const struct xdpfw_state *st)
{
	return 2u << st->root_bits;
}

/* Every table a set can fill, as status and the exporter show them: the
 * class pool, the trie, the IPv6 hash table, the port tables. */
enum { XDPFW_NTABLES = 4 };
struct xdpfw_table_fill {
	const char *name;		/* classes, trie, ipv6, ports */
	uint64_t slots;			/* entries per generation */
	uint64_t cap;			/* what an apply may use of them, so a set
					 * fills the table when USED reaches it: the
					 * trie beside its roots (its slots too), the
					 * IPv6 hash table half (table.c) */
	uint64_t used[2];		/* [gen] */
};
/* F for the state ST whose cfg is CFG (read once by the caller: a snapshot
 * checks that no apply switched generations meanwhile). */
int xdpfw_state_table_fill(struct xdpfw_state *st, const struct xdpfw_cfg *cfg,
			   struct xdpfw_table_fill f[XDPFW_NTABLES]);
/* Bytes of the rule definitions (both generations' slots), and of the
 * per-rule counters per CPU id (*NCPU of them). */
uint64_t xdpfw_state_def_bytes(const struct xdpfw_state *st);
uint64_t xdpfw_state_counter_bytes(const struct xdpfw_state *st, uint32_t *ncpu);

/* Port-table entries in use per generation (a scan), and per generation
 * available. */
int xdpfw_state_port_usage(struct xdpfw_state *st, uint64_t used[2], uint32_t *cap);

/* Counters summed over CPUs. */
int xdpfw_state_counter(struct xdpfw_state *st, uint32_t slot, struct xdpfw_counter *sum);
int xdpfw_state_totals(struct xdpfw_state *st, struct xdpfw_counter tot[XDPFW_NTOTALS]);

/* Applies and failed applies (applog.c; pinned as DIR/xdpfw_applies). */
struct xdpfw_applog {
	uint64_t applied, failed;
	uint64_t last_ok_ns, last_fail_ns;	/* CLOCK_REALTIME */
};
int xdpfw_applog_read(const char *dir, struct xdpfw_applog *out);
void xdpfw_applog_record(struct xdpfw_state *st, int apply_rc);

/* Test hook: stop apply() as if killed (1: after writing the new
 * generation, before the switch; 2: once its definitions are written and
 * the high-water mark has risen over them). */
extern int xdpfw_apply_crash_point;

#endif
