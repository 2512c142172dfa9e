/* lib/verifier_log.c — pull the useful lines out of a verifier log: the error,
 * the instruction it happened at, and the source line (from BTF line info,
 * printed by the kernel as "; <source> @ <file>:<line>"). Also the small
 * line-walking helpers lib/verifier_explain.c reads the log with. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/verifier.h>
#include "internal.h"
#include "verifier_int.h"

/* "12: (61) r0 = *(u32 *)(r2 +0)" -> 12, and INSN = "r0 = ..." */
int vlog_insn_line(const char *line, size_t len, int *idx, char *insn, size_t insn_sz)
{
	const char *p = line, *end = line + len, *text;
	int n = 0;

	if (p >= end || !isdigit((unsigned char)*p))
		return 0;
	while (p < end && isdigit((unsigned char)*p)) {
		if (n > 100000000)	/* no program has a billion insns */
			return 0;
		n = n * 10 + (*p++ - '0');
	}
	if (end - p < 4 || p[0] != ':' || p[1] != ' ' || p[2] != '(')
		return 0;
	text = memchr(p, ')', end - p);
	if (!text)
		return 0;
	text++;
	while (text < end && *text == ' ')
		text++;
	/* drop the register-state comment the verifier appends: "   ; R1=..." */
	const char *semi = NULL;
	for (const char *q = text; q + 2 < end; q++)
		if (q[0] == ' ' && q[1] == ' ' && memchr(q, ';', end - q)) {
			const char *s = memchr(q, ';', end - q);
			int blank = 1;
			for (const char *b = q; b < s; b++)
				blank &= *b == ' ';
			if (blank) {
				semi = q;
				break;
			}
		}
	if (semi)
		end = semi;
	*idx = n;
	snprintf(insn, insn_sz, "%.*s", (int)(end - text), text);
	return 1;
}

/* "; text @ file.c:14" -> 14 (0 when the note has no "@ file:N" part, or
 * says line 0: compiler-made code with no line of its own) */
int vlog_source_line_num(const char *line, size_t len)
{
	const char *colon = NULL;
	long n = 0;

	for (const char *p = line + len; p > line; p--)
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	if (!colon)
		return 0;
	for (const char *p = colon + 1; p < line + len; p++) {
		if (!isdigit((unsigned char)*p) || n > 10000000)
			return 0;
		n = n * 10 + (*p - '0');
	}
	return (int)n;
}

/* A message the kernel printed without its newline runs into the statistics
 * line after it ("expected prog array map for tail callprocessed 4 insns"):
 * the length of LINE up to where such a statistics line starts. */
static size_t cut_glued_stats(const char *line, size_t len)
{
	for (const char *p = line + 1; p + 10 < line + len; p++)
		if (!strncmp(p, "processed ", 10) && isdigit((unsigned char)p[10]))
			return p - line;
	return len;
}

static int is_stat_line(const char *line, size_t len)
{
	static const char *const stats[] = {
		"processed ", "verification time", "stack depth", "max_states_per_insn",
		"mark_read", "Validating ", "Func#", "func#", "from ", "last_idx", "regs=",
		"parent didn't", "insn_idx", "R0=", "R1=",
	};
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
		if (len >= strlen(stats[i]) && !strncmp(line, stats[i], strlen(stats[i])))
			return 1;
	return len == 0;
}

int bpfkit_verifier__summarize(const char *log, struct bpfkit_verifier_summary *sum)
{
	const char *line, *next, *err_start = NULL, *last_source = NULL, *src_for_insn = NULL;
	size_t last_source_len = 0, src_len = 0;
	int found_insn = 0;

	memset(sum, 0, sizeof(*sum));
	sum->insn_idx = -1;
	if (!log)
		return -ENOENT;

	for (line = log; *line; line = next) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		int idx;
		char insn[256];

		next = nl ? nl + 1 : line + len;
		if (len >= 2 && line[0] == ';' && line[1] == ' ') {
			/* "; @ file.c:0": code with no line of its own; the
			 * nearest real line before it is the one to show */
			if (vlog_source_line_num(line, len) > 0 || !memmem(line, len, " @ ", 3)) {
				last_source = line;
				last_source_len = len;
			}
			continue;
		}
		if (vlog_insn_line(line, len, &idx, insn, sizeof(insn))) {
			sum->insn_idx = idx;
			snprintf(sum->insn, sizeof(sum->insn), "%s", insn);
			src_for_insn = last_source;
			src_len = last_source_len;
			found_insn = 1;
			err_start = next;	/* error lines follow the last instruction */
			continue;
		}
	}
	if (!found_insn)
		err_start = log;	/* e.g. "unknown opcode", "BPF program is too large" */

	/* the error: non-statistics lines after the last instruction */
	size_t used = 0;
	for (line = err_start; *line; line = next) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		next = nl ? nl + 1 : line + len;
		if (is_stat_line(line, len) || (len >= 2 && line[0] == ';'))
			continue;
		len = cut_glued_stats(line, len);
		if (used && used + 2 < sizeof(sum->error))
			used += snprintf(sum->error + used, sizeof(sum->error) - used, "; ");
		if (used + 1 < sizeof(sum->error))
			used += snprintf(sum->error + used, sizeof(sum->error) - used, "%.*s",
					 (int)len, line);
		if (used >= sizeof(sum->error))
			used = sizeof(sum->error) - 1;
	}

	if (src_for_insn) {
		/* "; return *(int *)data; @ prog.bpf.c:14" */
		const char *at = NULL;
		for (const char *p = src_for_insn; p + 3 <= src_for_insn + src_len; p++)
			if (p[0] == ' ' && p[1] == '@' && p[2] == ' ')
				at = p;
		if (at) {
			snprintf(sum->source, sizeof(sum->source), "%.*s",
				 (int)(at - src_for_insn - 2), src_for_insn + 2);
			snprintf(sum->file_line, sizeof(sum->file_line), "%.*s",
				 (int)(src_for_insn + src_len - at - 3), at + 3);
			sum->line = vlog_source_line_num(src_for_insn, src_len);
			snprintf(sum->file, sizeof(sum->file), "%.*s", (int)sizeof(sum->file) - 1,
				 sum->file_line);
			char *colon = strrchr(sum->file, ':');
			if (colon && sum->line > 0)
				*colon = '\0';
		} else {
			snprintf(sum->source, sizeof(sum->source), "%.*s",
				 (int)src_len - 2, src_for_insn + 2);
		}
	}
	return sum->error[0] ? 0 : -ENOENT;
}
