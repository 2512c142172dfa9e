/* common.h — what the programs of the verifier corpus share. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* the raw layout of a syscalls:sys_enter_* tracepoint (what vmlinux.h
 * calls struct trace_event_raw_sys_enter) */
struct sys_enter_ctx {
	__u64 common;
	long id;
	unsigned long args[6];
};
