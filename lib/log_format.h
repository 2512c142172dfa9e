/* lib/log_format.h — private to the logger (lib/logger.c, lib/log_format.c)
 * and its fuzz target: the parsed call-site table and the record formatter.
 * Everything here trusts nothing: the table comes from an ELF file or a
 * pinned map, records from a ring buffer. */
#ifndef BPFKIT_LOG_FORMAT_H
#define BPFKIT_LOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include "../bpf/include/bpfkit/log_common.h"

struct log_site {
	uint32_t id;
	uint32_t line;
	uint8_t level;
	uint8_t nargs;
	uint16_t rec_size;
	struct bk_log_arg args[BK_LOG_MAX_ARGS];
	const char *fmt;	/* into the table's copy */
	const char *file;
	char func[BK_LOG_FUNC_LEN + 1];
	char *error;		/* why this site can't be formatted, or NULL */
};

struct log_table {
	unsigned char *data;	/* our copy of the section / map value */
	size_t size;
	struct log_site *sites;	/* sorted by id */
	int n;
	int n_bad;		/* sites with an error */
	size_t level_off;	/* of bpfkit_log_level in data, or SIZE_MAX */
};

/* Parses a ".rodata.bklog" image (copied). Malformed entries end the walk
 * with a warning; sites whose format does not fit their arguments are kept
 * with ->error set. Duplicate ids: the later one is marked bad. 0 or -errno. */
int log_table__parse(struct log_table *t, const void *data, size_t size);
void log_table__free(struct log_table *t);
const struct log_site *log_table__find(const struct log_table *t, uint32_t id);

/* Checks FMT against the site's arguments; NULL if fine, else a malloc'ed
 * message. */
char *log_site__check(const struct log_site *s);

/* Formats one record into BUF (always NUL-terminated, control characters
 * escaped, "..." when cut). Returns 0, or -EINVAL with the reason in BUF
 * (and *SITE still set when the id was known). */
int log_record__format(const struct log_table *t, const void *rec, size_t len,
		       char *buf, size_t bufsz, const struct log_site **site);

const char *log_level__name(int level);	/* "ERROR", ..., "?" */
/* "error", "warn[ing]", "info", "debug", "trace", "off" or 0-5; -1 if not. */
int log_level__parse(const char *s);

#endif
