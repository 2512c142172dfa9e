/* cli/prog.c — `bpfkit prog list|show|dump`: programs loaded in the kernel
 * (the fields `bpftool prog show` has, with full names from BTF), their
 * translated code through the shared decoder (map ids, helper names), their
 * jited code (x86-64 via capstone, else bytes) and control-flow graphs. */
#include <capstone/capstone.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpfkit/cfg.h>
#include <bpfkit/disasm.h>
#include <bpfkit/json.h>
#include <bpfkit/proginfo.h>
#include "cli.h"

static void prog_help(FILE *out)
{
	fprintf(out,
		"Usage: bpfkit prog COMMAND [PROG] [OPTIONS]\n"
		"\n"
		"Commands:\n"
		"  list                       every program in the kernel\n"
		"  show [PROG]                the programs PROG names (or all), like bpftool\n"
		"                             prog show\n"
		"  dump xlated PROG [-S] [--visual dot|svg|png] [-o FILE] [--explain]\n"
		"                             translated code with its source lines (-S: as\n"
		"                             in obj dump; shown anyway), or its control-flow\n"
		"                             graph\n"
		"  dump jited PROG            machine code (x86-64 instructions via capstone)\n"
		"\n"
		"PROG is: id N | name NAME | tag HEX | pinned PATH. `show` lists every\n"
		"program with that name or tag; the others refuse a name or tag that\n"
		"several programs share, and list their ids.\n"
		"`-j` gives JSON (show/list/dump).\n");
}

static void print_pids(struct bpfkit_json *jw, const struct bpfkit_pid *p, uint32_t n)
{
	if (jw) {
		bpfkit_json__key(jw, "pids");
		bpfkit_json__begin_array(jw);
		for (uint32_t i = 0; i < n; i++) {
			bpfkit_json__begin_object(jw);
			bpfkit_json__kv_uint(jw, "pid", p[i].pid);
			bpfkit_json__kv_str(jw, "comm", p[i].comm);
			bpfkit_json__end_object(jw);
		}
		bpfkit_json__end_array(jw);
		return;
	}
	printf("\tpids ");
	for (uint32_t i = 0; i < n; i++)
		printf("%s%s(%d)", i ? ", " : "", p[i].comm, p[i].pid);
	putchar('\n');
}

static void show_one(struct bpfkit_json *jw, const struct bpfkit_prog_info *pi)
{
	if (jw) {
		bpfkit_json__begin_object(jw);
		bpfkit_json__kv_uint(jw, "id", pi->id);
		bpfkit_json__kv_str(jw, "type", pi->type_str);
		bpfkit_json__kv_str(jw, "name", pi->name);
		bpfkit_json__kv_str(jw, "tag", pi->tag);
		bpfkit_json__kv_bool(jw, "gpl_compatible", pi->gpl_compatible);
		if (pi->run_cnt || pi->run_time_ns) {
			bpfkit_json__kv_uint(jw, "run_time_ns", pi->run_time_ns);
			bpfkit_json__kv_uint(jw, "run_cnt", pi->run_cnt);
		}
		if (pi->recursion_misses)
			bpfkit_json__kv_uint(jw, "recursion_misses", pi->recursion_misses);
		bpfkit_json__kv_uint(jw, "loaded_at", pi->loaded_at);
		bpfkit_json__kv_uint(jw, "uid", pi->uid);
		bpfkit_json__kv_uint(jw, "bytes_xlated", pi->bytes_xlated);
		bpfkit_json__kv_bool(jw, "jited", pi->jited);
		if (pi->jited)
			bpfkit_json__kv_uint(jw, "bytes_jited", pi->bytes_jited);
		bpfkit_json__kv_uint(jw, "bytes_memlock", pi->bytes_memlock);
		if (pi->nr_map_ids) {
			bpfkit_json__key(jw, "map_ids");
			bpfkit_json__begin_array(jw);
			for (uint32_t i = 0; i < pi->nr_map_ids; i++)
				bpfkit_json__uint(jw, pi->map_ids[i]);
			bpfkit_json__end_array(jw);
		}
		if (pi->btf_id)
			bpfkit_json__kv_uint(jw, "btf_id", pi->btf_id);
		if (pi->verified_insns)
			bpfkit_json__kv_uint(jw, "verified_insns", pi->verified_insns);
		if (pi->nr_pids)
			print_pids(jw, pi->pids, pi->nr_pids);
		bpfkit_json__end_object(jw);
		return;
	}
	char when[64];
	time_t t = (time_t)pi->loaded_at;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&t, &tm));
	printf("%u: %s  name %s  tag %s%s\n", pi->id, pi->type_str, pi->name, pi->tag,
	       pi->gpl_compatible ? "  gpl" : "");
	if (pi->run_cnt || pi->run_time_ns)
		printf("\trun_time_ns %llu run_cnt %llu\n", (unsigned long long)pi->run_time_ns,
		       (unsigned long long)pi->run_cnt);
	printf("\tloaded_at %s  uid %u\n", when, pi->uid);
	printf("\txlated %uB  ", pi->bytes_xlated);
	if (pi->jited)
		printf("jited %uB  ", pi->bytes_jited);
	else
		printf("not jited  ");
	printf("memlock %lluB", (unsigned long long)pi->bytes_memlock);
	if (pi->nr_map_ids) {
		printf("  map_ids ");
		for (uint32_t i = 0; i < pi->nr_map_ids; i++)
			printf("%s%u", i ? "," : "", pi->map_ids[i]);
	}
	putchar('\n');
	if (pi->btf_id)
		printf("\tbtf_id %u\n", pi->btf_id);
	if (pi->verified_insns)
		printf("\tverified_insns %u\n", pi->verified_insns);
	if (pi->nr_pids)
		print_pids(NULL, pi->pids, pi->nr_pids);
}

/* Parses "id N" etc. at ARGV[*I]; opens the program. */
static int open_prog(const char *cmd, int argc, char **argv, int *i, int *fd)
{
	if (*i + 1 >= argc)
		return usage_error(cmd, "expected PROG: id N | name NAME | tag HEX | pinned PATH");
	*fd = bpfkit_prog__open_spec(argv[*i], argv[*i + 1]);
	*i += 2;
	return *fd < 0 ? EXIT_FAIL : EXIT_OK;
}

/* CMD: "prog show" (the programs PROG names, or all) or "prog list" (all).
 * A name or tag several programs share shows each; -j then gives an array,
 * one match an object, as bpftool does. */
static int show(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	enum { SHOWN = 256 };
	struct bpfkit_json *jw = NULL;
	int c, fds[SHOWN], nfd = 0, i, ret = EXIT_OK;
	uint32_t id = 0;

	if (cli_negative_id("prog", argc, argv))
		return EXIT_FAIL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_output = true; break;
		case 'h': prog_help(stdout); return EXIT_OK;
		default: return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	i = optind;
	if (i < argc && !strcmp(cmd, "prog list"))
		return usage_error(cmd, "unexpected argument '%s' (one program: bpfkit prog show PROG)", argv[i]);
	if (i < argc) {
		if (i + 1 >= argc)
			return usage_error(cmd, "expected PROG: id N | name NAME | tag HEX | pinned PATH");
		if (i + 2 != argc)
			return usage_error(cmd, "unexpected argument '%s'", argv[i + 2]);
		nfd = bpfkit_prog__open_specs(argv[i], argv[i + 1], fds, SHOWN);
		if (nfd < 0)
			return EXIT_FAIL;
	}
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		if (nfd != 1)
			bpfkit_json__begin_array(jw);
	}
	if (nfd) {
		for (int k = 0; k < nfd && k < SHOWN; k++) {
			struct bpfkit_prog_info pi;
			int err = bpfkit_prog__info(fds[k], &pi);

			if (err) {
				cli_err("prog: cannot read info: %s", strerror(-err));
				ret = EXIT_FAIL;
			} else {
				show_one(jw, &pi);
				bpfkit_prog_info__free(&pi);
			}
			close(fds[k]);
		}
		if (nfd > SHOWN)
			cli_err("prog %s '%s': %d more programs match, not shown", argv[i], argv[i + 1], nfd - SHOWN);
	} else {
		int nerr;

		while (!(nerr = bpfkit_prog__next_id(&id))) {
			struct bpfkit_prog_info pi;
			int pfd = bpf_prog_get_fd_by_id(id);

			if (pfd < 0)
				continue;	/* unloaded meanwhile */
			if (!bpfkit_prog__info(pfd, &pi)) {
				show_one(jw, &pi);
				bpfkit_prog_info__free(&pi);
			}
			close(pfd);
		}
		if (nerr != -ENOENT) {
			cli_err("cannot list programs: %s", strerror(-nerr));
			ret = EXIT_FAIL;
		}
	}
	if (jw && nfd != 1)
		bpfkit_json__end_array(jw);
	if (jw)
		bpfkit_json__free(jw);
	return ret;
}

/* ---- dump ---------------------------------------------------------------- */

static int xl_call(void *ctx, const struct bpfkit_insn *in, size_t idx, char *buf, size_t sz)
{
	(void)ctx;
	if (in->code != (BPF_JMP | BPF_CALL))
		return 0;
	if (in->src == BPF_PSEUDO_CALL)
		return snprintf(buf, sz, "call pc%+d <insn %zu>", in->imm, idx + 1 + in->imm);
	if (in->src == BPF_PSEUDO_KFUNC_CALL)
		return snprintf(buf, sz, "call kfunc#%d", in->imm);
	const char *name = bpfkit_kallsyms__helper(in->imm);

	return snprintf(buf, sz, "call %s#%d", name ?: "unknown", in->imm);
}

static int xl_imm64(void *ctx, const struct bpfkit_insn *in, size_t idx, char *buf, size_t sz)
{
	(void)ctx;
	(void)idx;
	if (in->src == BPF_PSEUDO_MAP_FD || in->src == 5 /* MAP_IDX */)
		return snprintf(buf, sz, "r%d = map[id:%u]", in->dst, (uint32_t)in->imm);
	if (in->src == BPF_PSEUDO_MAP_VALUE || in->src == 6 /* MAP_IDX_VALUE */)
		return snprintf(buf, sz, "r%d = map[id:%u][0]+%u", in->dst, (uint32_t)in->imm,
				(uint32_t)in[1].imm);
	if (in->src == BPF_PSEUDO_BTF_ID)
		return snprintf(buf, sz, "r%d = btf_id[%d] ll", in->dst, in->imm);
	return 0;
}

static int xl_label(void *ctx, size_t idx, long target, char *buf, size_t sz)
{
	(void)ctx;
	(void)idx;
	return snprintf(buf, sz, " <insn %ld>", target);
}

/* CFG cluster names: each function's BTF func_info name (the source name,
 * not cut to 15 characters), else the kernel symbol of its jited image
 * (bpf_prog_<tag>_<name>; functions and jited images are both in order). */
static void name_funcs(int fd, struct bpfkit_cfg *cfg)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nr, rec;
	unsigned long long *ksyms = NULL;
	size_t nks = 0, nf = bpfkit_cfg__func_cnt(cfg);
	struct btf *btf = NULL;
	char *buf = NULL;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	nr = info.nr_func_info;
	rec = info.func_info_rec_size;
	if (nr && info.btf_id && rec >= sizeof(struct bpf_func_info) && (buf = calloc(nr, rec))) {
		__u32 btf_id = info.btf_id;

		memset(&info, 0, sizeof(info));
		info.nr_func_info = nr;
		info.func_info_rec_size = rec;
		info.func_info = (__u64)(unsigned long)buf;
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && (btf = btf__load_from_kernel_by_id(btf_id)))
			for (__u32 i = 0; i < nr && i < info.nr_func_info; i++) {
				const struct bpf_func_info *fi = (const void *)(buf + (size_t)i * rec);
				const struct btf_type *t = btf__type_by_id(btf, fi->type_id);
				const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

				for (size_t f = 0; name && name[0] && f < nf; f++)
					if (bpfkit_cfg__func_entry(cfg, f) == fi->insn_off)
						bpfkit_cfg__set_func_name(cfg, f, name);
			}
	}
	btf__free(btf);
	free(buf);
	bpfkit_prog__jited_ksyms(fd, &ksyms, &nks);
	for (size_t f = 0; f < nf && f < nks; f++) {
		const char *name = bpfkit_kallsyms__name(ksyms[f]);

		if (!bpfkit_cfg__func_name(cfg, f) && name)
			bpfkit_cfg__set_func_name(cfg, f, name);
	}
	free(ksyms);
}

static bool want_source;	/* prog dump -S */

static int dump_xlated(int fd, const char *visual, const char *outpath, bool explain, const char *title)
{
	struct bpfkit_disasm_cbs cbs = { .call = xl_call, .imm64 = xl_imm64, .jump_label = xl_label };
	struct bpfkit_insn *insns = NULL;
	void *raw = NULL;
	size_t n = 0;
	int err, ret = EXIT_OK;

	err = bpfkit_prog__xlated(fd, &raw, &n);
	if (err) {
		cli_err("prog %s: cannot read translated code: %s", title, strerror(-err));
		return EXIT_FAIL;
	}
	insns = calloc(n ?: 1, sizeof(*insns));
	if (!insns) {
		free(raw);
		return EXIT_FAIL;
	}
	/* xlated code is in host byte order */
	bpfkit_disasm__decode(raw, n, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, insns);
	if (visual) {
		struct bpfkit_cfg *cfg = bpfkit_cfg__new(insns, n);
		char *dot = NULL;
		size_t dlen = 0;
		FILE *mem;

		if (!cfg) {
			ret = EXIT_FAIL;
			goto out;
		}
		name_funcs(fd, cfg);
		mem = open_memstream(&dot, &dlen);
		if (!mem) {
			bpfkit_cfg__free(cfg);
			ret = EXIT_FAIL;
			goto out;
		}
		bpfkit_cfg__write_dot(cfg, insns, n, &cbs, title, mem);
		fclose(mem);
		bpfkit_cfg__free(cfg);
		if (!strcmp(visual, "dot")) {
			FILE *o = outpath ? fopen(outpath, "we") : stdout;

			if (!o) {
				cli_err("%s: %s", outpath, strerror(errno));
				ret = EXIT_FAIL;
			} else {
				fwrite(dot, 1, dlen, o);
				if (o != stdout && fclose(o)) {
					cli_err("%s: %s", outpath, strerror(errno));
					ret = EXIT_FAIL;
				}
			}
		} else if (bpfkit_cfg__render(dot, dlen, visual, outpath)) {
			ret = EXIT_FAIL;
		}
		free(dot);
		goto out;
	}
	{
		struct bpfkit_json *jw = NULL;
		struct bpfkit_prog_line *lines = NULL, *last = NULL;
		size_t nl = 0, li = 0;

		/* source lines, as bpftool shows them (none without BTF line info) */
		bpfkit_prog__lines(fd, &lines, &nl);
		if (want_source && !nl && verbosity >= 0)
			fprintf(stderr, "prog %s: no BTF line info (built without -g?): no source lines to show\n", title);
		if (json_output) {
			jw = bpfkit_json__new(stdout, pretty_output);
			bpfkit_json__begin_array(jw);
		}
		for (size_t i = 0; i < n;) {
			char text[512], ex[2048];
			int slots = bpfkit_disasm__format(insns, n, i, &cbs, text, sizeof(text));
			const char *src = NULL;

			while (li < nl && lines[li].insn < i)
				li++;
			if (li < nl && lines[li].insn == i && lines[li].line[0] &&
			    (!last || last->line_num != lines[li].line_num || strcmp(last->file, lines[li].file))) {
				last = &lines[li];
				src = last->line;
			}

			if (explain)
				bpfkit_disasm__explain(insns, n, i, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, ex, sizeof(ex));
			if (jw) {
				bpfkit_json__begin_object(jw);
				bpfkit_json__kv_uint(jw, "index", i);
				bpfkit_json__kv_str(jw, "text", text);
				if (src)
					bpfkit_json__kv_str(jw, "source", src);
				if (explain)
					bpfkit_json__kv_str(jw, "explain", ex);
				bpfkit_json__end_object(jw);
			} else {
				if (src)
					printf("; %s\n", src);
				printf("%4zu: %s\n", i, text);
				if (explain) {
					char *save = NULL;

					for (char *l = strtok_r(ex, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
						printf("\t\t%s\n", l);
					/* the verifier rewrote the helper id into a call offset */
					if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src == 0)
						printf("\t\tnote: in translated code imm is the offset of %s from __bpf_call_base, not a helper id\n",
						       bpfkit_kallsyms__helper(insns[i].imm) ?: "the callee");
				}
			}
			i += slots;
		}
		if (jw) {
			bpfkit_json__end_array(jw);
			bpfkit_json__free(jw);
		}
		bpfkit_prog_lines__free(lines, nl);
	}
out:
	free(insns);
	free(raw);
	return ret;
}

/* The operands of a jited instruction as a reader needs them: a call or jump
 * inside the function keeps its offset from the function's start (as the pc
 * column does); one that leaves the program gets its absolute address and the
 * kernel symbol there, e.g. "0xffffffff81e0c8c0 <__x86_return_thunk>". */
static void jited_operands(const cs_insn *in, unsigned long long base, size_t flen,
			   char *buf, size_t sz, unsigned long long *target, const char **tname)
{
	const cs_x86 *x = in->detail ? &in->detail->x86 : NULL;
	bool branch = false;
	unsigned long long off = 0, t;

	*target = 0;
	*tname = NULL;
	for (uint8_t g = 0; in->detail && g < in->detail->groups_count; g++)
		branch |= in->detail->groups[g] == CS_GRP_CALL || in->detail->groups[g] == CS_GRP_JUMP;
	if (!branch || !x || x->op_count != 1 || x->operands[0].type != X86_OP_IMM || !base) {
		snprintf(buf, sz, "%s", in->op_str);
		return;
	}
	t = (unsigned long long)x->operands[0].imm;
	if (t >= base && t < base + flen) {
		snprintf(buf, sz, "0x%llx", t - base);
		return;
	}
	*target = t;
	*tname = bpfkit_kallsyms__lookup(t, &off);
	if (!*tname)
		snprintf(buf, sz, "0x%llx", t);
	else if (off)
		snprintf(buf, sz, "0x%llx <%s+0x%llx>", t, *tname, off);
	else
		snprintf(buf, sz, "0x%llx <%s>", t, *tname);
}

static int dump_jited(int fd, const char *title)
{
	void *code;
	size_t len, nf;
	uint32_t *fl;
	struct utsname u;
	bool x86;
	csh cs = 0;
	struct bpfkit_json *jw = NULL;
	int err = bpfkit_prog__jited(fd, &code, &len, &fl, &nf);

	if (err) {
		cli_err("prog %s: no jited code: %s", title, err == -ENODATA ? "not jited (interpreter) or hidden by the kernel" : strerror(-err));
		return EXIT_FAIL;
	}
	unsigned long long *ksyms = NULL;
	size_t nks = 0;

	bpfkit_prog__jited_ksyms(fd, &ksyms, &nks);
	x86 = !uname(&u) && !strcmp(u.machine, "x86_64") &&
	      cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK;
	if (x86)	/* operand details name the targets of calls and jumps */
		cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	if (json_output) {
		jw = bpfkit_json__new(stdout, pretty_output);
		bpfkit_json__begin_array(jw);
	}
	size_t off = 0;

	for (size_t f = 0; f < (nf ?: 1) && off < len; f++) {
		size_t flen = nf ? fl[f] : len;

		if (flen > len - off)
			flen = len - off;
		const char *fname = f < nks ? bpfkit_kallsyms__name(ksyms[f]) : NULL;

		if (!jw && (nf > 1 || fname)) {
			if (fname)
				printf("%s%s:\n", f ? "\n" : "", fname);
			else
				printf("%sfunc #%zu:\n", f ? "\n" : "", f);
		}
		if (x86) {
			/* disassembled at its kernel address, so relative targets are real */
			unsigned long long base = f < nks ? ksyms[f] : 0;
			cs_insn *ins = NULL;
			size_t cnt = cs_disasm(cs, (const uint8_t *)code + off, flen, base, 0, &ins);

			for (size_t i = 0; i < cnt; i++) {
				char hex[64] = "", ops[256];
				unsigned long long pc = ins[i].address - base, target;
				const char *tname;
				size_t hl = 0;

				jited_operands(&ins[i], base, flen, ops, sizeof(ops), &target, &tname);

				for (size_t b = 0; b < ins[i].size && hl + 4 < sizeof(hex); b++)
					hl += snprintf(hex + hl, sizeof(hex) - hl, "%s%02x", b ? " " : "", ins[i].bytes[b]);
				if (jw) {
					bpfkit_json__begin_object(jw);
					bpfkit_json__kv_uint(jw, "func", f);
					if (fname)
						bpfkit_json__kv_str(jw, "name", fname);
					bpfkit_json__kv_uint(jw, "pc", pc);
					bpfkit_json__kv_str(jw, "bytes", hex);
					bpfkit_json__key(jw, "insn");
					bpfkit_json__stringf(jw, "%s %s", ins[i].mnemonic, ops);
					if (target)
						bpfkit_json__kv_uint(jw, "target", target);
					if (tname)
						bpfkit_json__kv_str(jw, "target_name", tname);
					bpfkit_json__end_object(jw);
				} else {
					printf("%4llx:\t%-30s\t%s %s\n", pc, hex, ins[i].mnemonic, ops);
				}
			}
			cs_free(ins, cnt);
		} else {
			for (size_t i = 0; i < flen; i += 16) {
				if (!jw)
					printf("%4zx:\t", i);
				for (size_t b = i; b < flen && b < i + 16; b++)
					if (!jw)
						printf("%02x ", ((const uint8_t *)code)[off + b]);
				if (!jw)
					putchar('\n');
			}
		}
		off += flen;
	}
	if (jw) {
		bpfkit_json__end_array(jw);
		bpfkit_json__free(jw);
	}
	if (x86)
		cs_close(&cs);
	free(ksyms);
	free(code);
	free(fl);
	return EXIT_OK;
}

static int do_dump(int argc, char **argv)
{
	/* -S as in `obj dump -S`; xlated code shows source lines anyway (as
	 * bpftool does), -S also says when there are none */
	static const struct option opts[] = {
		{ "visual", required_argument, NULL, 'V' },
		{ "output", required_argument, NULL, 'o' },
		{ "explain", no_argument, NULL, 'e' },
		{ "source", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *visual = NULL, *outpath = NULL, *what;
	bool explain = false;
	int c, i, fd = -1, ret;
	char title[256];

	if (cli_negative_id("prog", argc, argv))
		return EXIT_FAIL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":V:o:eSjh", opts, NULL)) != -1) {
		switch (c) {
		case 'S': want_source = true; break;
		case 'V': visual = optarg; break;
		case 'o': outpath = optarg; break;
		case 'e': explain = true; break;
		case 'j': json_output = true; break;
		case 'h': prog_help(stdout); return EXIT_OK;
		case ':': return usage_error("prog dump", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("prog dump", "unknown option '%s'", argv[optind - 1]);
		}
	}
	i = optind;
	if (i >= argc)
		return usage_error("prog dump", "expected 'xlated' or 'jited'");
	what = argv[i++];
	if (strcmp(what, "xlated") && strcmp(what, "jited"))
		return usage_error("prog dump", "unknown kind '%s' (use xlated or jited)", what);
	if (visual && strcmp(visual, "dot") && strcmp(visual, "svg") && strcmp(visual, "png"))
		return usage_error("prog dump", "--visual wants dot, svg or png, not '%s'", visual);
	if (visual && strcmp(what, "xlated"))
		return usage_error("prog dump", "--visual works on xlated code");
	if (want_source && strcmp(what, "xlated"))
		return usage_error("prog dump", "-S/--source works on xlated code");
	if (visual && strcmp(visual, "dot") && !outpath)
		return usage_error("prog dump", "--visual %s needs -o FILE", visual);
	if (visual && json_output)
		return usage_error("prog dump", "--visual draws a graph (DOT, SVG or PNG), never JSON: drop -j");
	if (outpath && !visual)
		return usage_error("prog dump", "-o FILE is where --visual writes; the listing goes to stdout");
	ret = open_prog("prog dump", argc, argv, &i, &fd);
	if (ret)
		return ret;
	if (i != argc) {
		close(fd);
		return usage_error("prog dump", "unexpected argument '%s'", argv[i]);
	}
	snprintf(title, sizeof(title), "%s %s", argv[i - 2], argv[i - 1]);
	ret = !strcmp(what, "xlated") ? dump_xlated(fd, visual, outpath, explain, title) : dump_jited(fd, title);
	close(fd);
	return ret;
}

static int do_show(int argc, char **argv)
{
	return show("prog show", argc, argv);
}

static int do_list(int argc, char **argv)
{
	return show("prog list", argc, argv);
}

int do_prog(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list", do_list, "every program" },
		{ "show", do_show, "one program or all" },
		{ "dump", do_dump, "translated or jited code" },
		{ 0 }
	};

	return dispatch("prog", cmds, argc - 1, argv + 1, prog_help);
}
