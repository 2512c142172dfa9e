/* lib/feature.c — probes for what this kernel can do, each with a sentence
 * that tells the user why not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/feature.h>
#include <bpfkit/trace.h>
#include "internal.h"

static void say(char *why, size_t sz, const char *text)
{
	if (why && sz)
		snprintf(why, sz, "%s", text);
}

int bpfkit_feature__kprobes(char *why, size_t why_sz)
{
	/* The kprobe PMU is registered only when CONFIG_KPROBES is on; the
	 * tracefs files exist only then too. */
	if (!access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	    !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/kprobe_events", F_OK))
		return 1;
	say(why, why_sz,
	    "this kernel has no kprobes (CONFIG_KPROBES is off), so kprobe/kretprobe programs "
	    "cannot attach; use a tracepoint instead (e.g. tracepoint/syscalls/sys_enter_execve) "
	    "or a uprobe for user-space functions");
	return 0;
}

int bpfkit_feature__fentry(char *why, size_t why_sz)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd, err;

	if (!vmlinux) {
		say(why, why_sz, "fentry/fexit need kernel BTF (/sys/kernel/btf/vmlinux), which this kernel lacks");
		return 0;
	}
	id = btf__find_by_name_kind(vmlinux, "bpf_fentry_test1", BTF_KIND_FUNC);
	if (id < 0)
		id = btf__find_by_name_kind(vmlinux, "do_unlinkat", BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id < 0) {
		say(why, why_sz, "no kernel function to probe fentry with was found in vmlinux BTF");
		return 0;
	}
	po.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bk_probe_fentry", "GPL", insns, 2, &po);
	if (fd >= 0) {
		/* Loading is half of it: the trampoline is made at attach time. */
		int link = bpf_raw_tracepoint_open(NULL, fd);

		err = link < 0 ? -errno : 0;
		if (link >= 0)
			close(link);
		close(fd);
		if (!err)
			return 1;
	} else {
		err = -errno;
	}
	if (why && why_sz)
		snprintf(why, why_sz,
			 "this kernel refuses fentry/fexit programs (%s): BPF trampolines are not "
			 "available to us here; use a tracepoint or tp_btf program instead",
			 errstr(err));
	return 0;
}
