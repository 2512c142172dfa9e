/* lib/cfg.c — control-flow graph of eBPF code: function entries (slot 0 and
 * BPF-to-BPF call targets), basic-block leaders (jump targets and the slot
 * after a jump or exit), edges, and DOT output in bpftool's spirit (one
 * cluster per function, blocks as records). Rendering to SVG/PNG runs
 * graphviz's `dot` as a child process. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpfkit/cfg.h>
#include "internal.h"

extern char **environ;

struct bpfkit_cfg {
	struct bpfkit_cfg_block *blocks;
	size_t nblocks;
	size_t nfuncs;
	size_t *func_entry;	/* slot of each function's entry */
	char **func_name;	/* set by the caller (symbol, BTF func_info); NULL: func_N */
};

/* The block starting at SLOT; -1 out of range or for a jump into the
 * middle of a block (only possible into a ld_imm64's second slot). */
static long block_at(const struct bpfkit_cfg *cfg, const long *slot2block, size_t n, long slot)
{
	long b;

	if (slot < 0 || (size_t)slot >= n)
		return -1;
	b = slot2block[slot];
	return b >= 0 && cfg->blocks[b].first == (size_t)slot ? b : -1;
}

struct bpfkit_cfg *bpfkit_cfg__new(const struct bpfkit_insn *insns, size_t n)
{
	struct bpfkit_cfg *cfg = calloc(1, sizeof(*cfg));
	bool *leader = calloc(n + 1, sizeof(bool)), *fentry = calloc(n + 1, sizeof(bool));
	bool *start = calloc(n + 1, sizeof(bool));	/* first slot of an instruction */
	long *slot2block = calloc(n + 1, sizeof(long));
	size_t cur_func = 0;

	if (!cfg || !leader || !fentry || !start || !slot2block)
		goto enomem;
	/* pass 1: instruction starts, leaders, function entries */
	for (size_t i = 0; i < n;) {
		struct bpfkit_insn_kind k = bpfkit_disasm__kind(insns, n, i);

		start[i] = true;
		if (i == 0)
			leader[i] = fentry[i] = true;
		switch (k.flow) {
		case BPFKIT_FLOW_SUBPROG:
			/* "call -1" targets itself: in an object file that is a call
			 * still to be relocated (to another section), not a function
			 * starting here */
			if (k.target >= 0 && (size_t)k.target < n && (size_t)k.target != i)
				leader[k.target] = fentry[k.target] = true;
			break;
		case BPFKIT_FLOW_JUMP:
		case BPFKIT_FLOW_COND:
			if (k.target >= 0 && (size_t)k.target < n)
				leader[k.target] = true;
			/* fall through */
		case BPFKIT_FLOW_EXIT:
			if (i + k.slots < n)
				leader[i + k.slots] = true;
			break;
		default:
			break;
		}
		i += k.slots;
	}
	/* a leader inside a ld_imm64 is a jump into its middle: no block there */
	for (size_t i = 0; i < n; i++)
		if (!start[i])
			leader[i] = fentry[i] = false;
	for (size_t i = 0; i < n; i++) {
		if (leader[i])
			cfg->nblocks++;
		if (fentry[i])
			cfg->nfuncs++;
	}
	cfg->blocks = calloc(cfg->nblocks ?: 1, sizeof(*cfg->blocks));
	cfg->func_entry = calloc(cfg->nfuncs ?: 1, sizeof(size_t));
	if (!cfg->blocks || !cfg->func_entry)
		goto enomem;
	/* pass 2: blocks */
	{
		long b = -1;
		size_t f = 0;

		for (size_t i = 0; i < n; i++) {
			if (fentry[i]) {
				cfg->func_entry[f] = i;
				cur_func = f++;
			}
			if (leader[i]) {
				b++;
				cfg->blocks[b].first = i;
				cfg->blocks[b].func = cur_func;
				cfg->blocks[b].succ[0] = cfg->blocks[b].succ[1] = -1;
			}
			slot2block[i] = b;
			if (start[i])
				cfg->blocks[b].last = i;
		}
	}
	/* pass 3: edges from each block's last instruction */
	for (size_t b = 0; b < cfg->nblocks; b++) {
		struct bpfkit_cfg_block *blk = &cfg->blocks[b];
		struct bpfkit_insn_kind k = bpfkit_disasm__kind(insns, n, blk->last);
		long next = block_at(cfg, slot2block, n, (long)(blk->last + k.slots));

		/* no edges across function boundaries by fall-through */
		if (next >= 0 && cfg->blocks[next].func != blk->func)
			next = -1;
		switch (k.flow) {
		case BPFKIT_FLOW_EXIT:
			break;
		case BPFKIT_FLOW_JUMP:
			blk->succ[0] = block_at(cfg, slot2block, n, k.target);
			break;
		case BPFKIT_FLOW_COND:
			blk->succ[0] = next;
			blk->succ[1] = block_at(cfg, slot2block, n, k.target);
			break;
		default:
			blk->succ[0] = next;
		}
	}
	free(leader);
	free(fentry);
	free(start);
	free(slot2block);
	return cfg;
enomem:
	free(leader);
	free(fentry);
	free(start);
	free(slot2block);
	bpfkit_cfg__free(cfg);
	errno = ENOMEM;
	return NULL;
}

void bpfkit_cfg__free(struct bpfkit_cfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->blocks);
	if (cfg->func_name)
		for (size_t f = 0; f < cfg->nfuncs; f++)
			free(cfg->func_name[f]);
	free(cfg->func_name);
	free(cfg->func_entry);
	free(cfg);
}

size_t bpfkit_cfg__func_entry(const struct bpfkit_cfg *cfg, size_t f)
{
	return f < cfg->nfuncs ? cfg->func_entry[f] : SIZE_MAX;
}

const char *bpfkit_cfg__func_name(const struct bpfkit_cfg *cfg, size_t f)
{
	return f < cfg->nfuncs && cfg->func_name ? cfg->func_name[f] : NULL;
}

int bpfkit_cfg__set_func_name(struct bpfkit_cfg *cfg, size_t f, const char *name)
{
	char *copy;

	if (f >= cfg->nfuncs || !name)
		return -EINVAL;
	if (!cfg->func_name) {
		cfg->func_name = calloc(cfg->nfuncs, sizeof(*cfg->func_name));
		if (!cfg->func_name)
			return -ENOMEM;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(cfg->func_name[f]);
	cfg->func_name[f] = copy;
	return 0;
}

size_t bpfkit_cfg__block_cnt(const struct bpfkit_cfg *cfg) { return cfg->nblocks; }
size_t bpfkit_cfg__func_cnt(const struct bpfkit_cfg *cfg) { return cfg->nfuncs; }

const struct bpfkit_cfg_block *bpfkit_cfg__block(const struct bpfkit_cfg *cfg, size_t i)
{
	return i < cfg->nblocks ? &cfg->blocks[i] : NULL;
}

/* DOT record labels reserve { } | < > and quotes; escape them. */
static void dot_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("{}|<>\"\\", *s))
			fputc('\\', out);
		if (*s == '\t')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

int bpfkit_cfg__write_dot(const struct bpfkit_cfg *cfg, const struct bpfkit_insn *insns, size_t n,
			  const struct bpfkit_disasm_cbs *cbs, const char *title, FILE *out)
{
	fprintf(out, "digraph \"");
	dot_escape(out, title ?: "bpf");
	fprintf(out, "\" {\n\tgraph [newrank=true];\n\tnode [shape=record fontname=\"monospace\" fontsize=10];\n"
		     "\tedge [fontname=\"monospace\"];\n");
	for (size_t f = 0; f < cfg->nfuncs; f++) {
		const char *name = bpfkit_cfg__func_name(cfg, f);

		fprintf(out, "\tsubgraph cluster_%zu {\n\t\tlabel=\"", f);
		if (name)	/* a quoted string: only " and \ need escaping */
			for (; *name; name++)
				fprintf(out, "%s%c", *name == '"' || *name == '\\' ? "\\" : "", *name);
		else
			fprintf(out, "func_%zu", f);
		fprintf(out, " (insn %zu)\";\n\t\tstyle=dashed;\n", cfg->func_entry[f]);
		for (size_t b = 0; b < cfg->nblocks; b++) {
			const struct bpfkit_cfg_block *blk = &cfg->blocks[b];
			char text[512];

			if (blk->func != f)
				continue;
			fprintf(out, "\t\tb%zu [label=\"{", b);
			for (size_t i = blk->first; i <= blk->last && i < n;) {
				int slots = bpfkit_disasm__format(insns, n, i, cbs, text, sizeof(text));

				fprintf(out, "%zu: ", i);
				dot_escape(out, text);
				fprintf(out, "\\l");
				i += slots;
			}
			fprintf(out, "}\"];\n");
		}
		fprintf(out, "\t}\n");
	}
	for (size_t b = 0; b < cfg->nblocks; b++) {
		const struct bpfkit_cfg_block *blk = &cfg->blocks[b];
		bool cond = blk->succ[1] >= 0 || bpfkit_disasm__kind(insns, n, blk->last).flow == BPFKIT_FLOW_COND;

		if (blk->succ[0] >= 0)
			fprintf(out, "\tb%zu -> b%ld%s;\n", b, blk->succ[0], cond ? " [color=red label=\"false\"]" : "");
		if (blk->succ[1] >= 0)
			fprintf(out, "\tb%zu -> b%ld [color=green label=\"true\"];\n", b, blk->succ[1]);
	}
	fprintf(out, "}\n");
	return ferror(out) ? -EIO : 0;
}

int bpfkit_cfg__render(const char *dot, size_t len, const char *format, const char *path)
{
	char tflag[32], oflag[4096];
	char *argv[] = { "dot", tflag, oflag, NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, err = 0;
	pid_t pid;

	if (strcmp(format, "svg") && strcmp(format, "png")) {
		pr_warn("render: unknown format '%s' (use dot, svg or png)\n", format);
		return -EINVAL;
	}
	snprintf(tflag, sizeof(tflag), "-T%s", format);
	snprintf(oflag, sizeof(oflag), "-o%s", path);
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
	err = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[0]);
	if (err) {
		close(pipefd[1]);
		if (err == ENOENT)
			pr_warn("render %s: graphviz's 'dot' is not installed (apt-get install graphviz), or write DOT with --visual dot\n", format);
		else
			pr_warn("render %s: cannot run dot: %s\n", format, errstr(err));
		return -err;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(pipefd[1], dot + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		off += w;
	}
	close(pipefd[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_warn("render %s: dot failed (status %d)\n", format, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return err ? -err : 0;
}
