// SPDX-License-Identifier: GPL-2.0
/* tracepoint-hello — rust-ebpf-demo's kprobe "hello", on the execve syscall
 * tracepoint instead: this kernel has no kprobes (CONFIG_KPROBES is off). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint_hello(void *ctx)
{
	char comm[16];
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("hello from execve: pid %u comm %s", pid, comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
