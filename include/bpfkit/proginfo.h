/* bpfkit/proginfo.h — what the kernel holds: programs and maps by id, name,
 * tag or pin, their info (the fields `bpftool prog/map show` has), their
 * translated and jited code, and map entries. */
#ifndef BPFKIT_PROGINFO_H
#define BPFKIT_PROGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_pid {
	int pid;
	char comm[17];
};

struct bpfkit_prog_info {
	uint32_t id;
	uint32_t type;			/* enum bpf_prog_type */
	char type_str[32];		/* "xdp", "tracepoint", ... as bpftool names them */
	char name[128];			/* full name from BTF when the kernel's is cut to 15 chars */
	char tag[17];			/* hex */
	bool gpl_compatible;
	uint64_t loaded_at;		/* seconds since the epoch */
	uint32_t uid;
	uint32_t bytes_xlated, bytes_jited;
	bool jited;
	uint64_t bytes_memlock;
	uint32_t *map_ids;
	uint32_t nr_map_ids;
	uint32_t btf_id;
	uint64_t run_time_ns, run_cnt, recursion_misses;
	uint32_t verified_insns;
	struct bpfkit_pid *pids;	/* processes holding an fd to it */
	uint32_t nr_pids;
};

struct bpfkit_map_info {
	uint32_t id;
	uint32_t type;
	char type_str[32];
	char name[32];
	uint32_t flags, key_size, value_size, max_entries;
	uint64_t bytes_memlock;
	uint32_t btf_id, btf_key_type_id, btf_value_type_id;
	bool frozen;
	struct bpfkit_pid *pids;
	uint32_t nr_pids;
};

/* Opens a program by "id N", "name NAME", "tag HEX" or "pinned PATH" (SPEC
 * is argv-like: kind then value). Returns an fd or -errno with a one-line
 * message ("prog id 99999: no such program"). A name or tag that several
 * programs share is refused (-ENOTUNIQ), the message lists their ids. */
BPFKIT_API int bpfkit_prog__open_spec(const char *kind, const char *value);
BPFKIT_API int bpfkit_map__open_spec(const char *kind, const char *value);
/* Every match of SPEC: one for an id or a pin, each program (map) with that
 * name or tag, in id order. Opens up to MAX into FDS; returns how many
 * matched in all (more than MAX: the rest are not open), or -errno with a
 * one-line message (-ENOENT: nothing matches). */
BPFKIT_API int bpfkit_prog__open_specs(const char *kind, const char *value, int *fds, int max);
BPFKIT_API int bpfkit_map__open_specs(const char *kind, const char *value, int *fds, int max);

/* Fills INFO for the program/map behind FD; free with the __free calls. */
BPFKIT_API int bpfkit_prog__info(int fd, struct bpfkit_prog_info *info);
BPFKIT_API void bpfkit_prog_info__free(struct bpfkit_prog_info *info);
BPFKIT_API int bpfkit_map__info(int fd, struct bpfkit_map_info *info);
BPFKIT_API void bpfkit_map_info__free(struct bpfkit_map_info *info);

/* Iterates ids: *ID = 0 starts; returns 0 and the next id, or -ENOENT at the end. */
BPFKIT_API int bpfkit_prog__next_id(uint32_t *id);
BPFKIT_API int bpfkit_map__next_id(uint32_t *id);

/* The translated instructions (N slots, malloc'd) as the kernel reports
 * them: map fds replaced by map ids, helper calls by kernel offsets. */
BPFKIT_API int bpfkit_prog__xlated(int fd, void **insns, size_t *n);
/* The jited machine code (malloc'd) and the byte lengths of its functions. */
BPFKIT_API int bpfkit_prog__jited(int fd, void **code, size_t *len, uint32_t **func_lens,
				  size_t *nfuncs);

/* Source lines of the translated code (from the program's BTF line info),
 * sorted by instruction; free with bpfkit_prog_lines__free. -ENODATA when
 * the program has no line info. */
struct bpfkit_prog_line {
	uint32_t insn;		/* index into the translated instructions */
	char *file, *line;
	uint32_t line_num, col;
};
BPFKIT_API int bpfkit_prog__lines(int fd, struct bpfkit_prog_line **lines, size_t *n);
BPFKIT_API void bpfkit_prog_lines__free(struct bpfkit_prog_line *lines, size_t n);

/* Resolves the imm of a helper call in translated code to the kernel
 * function name ("bpf_map_lookup_elem") via /proc/kallsyms; NULL if unknown. */
BPFKIT_API const char *bpfkit_kallsyms__helper(int32_t imm);
/* The kernel symbol at exactly ADDR (e.g. a jited function
 * "bpf_prog_<tag>_<name>"), NULL if none or addresses are hidden. */
BPFKIT_API const char *bpfkit_kallsyms__name(unsigned long long addr);
/* The kernel text symbol ADDR falls in (the nearest one at or below it) and
 * *off, ADDR's offset into it: names the targets of calls and jumps that
 * leave a jited program (helpers, __x86_return_thunk). NULL if unknown. */
BPFKIT_API const char *bpfkit_kallsyms__lookup(unsigned long long addr, unsigned long long *off);
/* Kernel addresses of the jited functions of a program (malloc'd). */
BPFKIT_API int bpfkit_prog__jited_ksyms(int fd, unsigned long long **addrs, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
