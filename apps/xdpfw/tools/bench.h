/* apps/xdpfw/tools/bench.h — what both xdpfw measuring tools (xdpfw-bench,
 * xdpfw-bench-sets) load beside xdpfw: the XDP_PASS program and Debian
 * xdp-tools' xdp-filter; the clock they read; the frame their live senders send. Header-only: each tool is
 * one translation unit. */
#ifndef XDPFW_BENCH_H
#define XDPFW_BENCH_H
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>

static inline double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* DIR/xdp-pass.bpf.o loaded; its program's fd, or -1. */
static inline int bench_load_pass(const char *dir, struct bpfkit_object **obj)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/xdp-pass.bpf.o", dir);
	*obj = bpfkit_object__open_file(path, NULL);
	if (!*obj || bpfkit_object__load(*obj))
		return -1;
	return bpf_program__fd(bpfkit_object__find_program(*obj, "xdp_pass"));
}

/* An xdp-filter object loaded with none of its maps pinned (its pin paths
 * would land in the global bpffs), its 2000 destination ports (1024-3023,
 * tcp and udp) filled in; NULL on failure. Its maps are per-CPU. */
static inline struct bpf_object *bench_load_xdpfilt(const char *path)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct bpf_map *m;
	__u64 v[256];

	if (!o || libbpf_get_error(o) || ncpu < 1 || ncpu > 256)
		return NULL;
	bpf_object__for_each_map(m, o)
		bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(o)) {
		bpf_object__close(o);
		return NULL;
	}
	fd = bpf_object__find_map_fd_by_name(o, "filter_ports");
	for (int c = 0; c < ncpu; c++)
		v[c] = 2 | 4 | 8;	/* MAP_FLAG_DST | TCP | UDP */
	for (__u32 p = 1024; p < 3024; p++)
		bpf_map_update_elem(fd, &p, v, BPF_ANY);
	return o;
}

/* A 60-byte UDP frame to MAC from SRC to DST port DPORT (sport 40000). */
static inline void udp_frame(uint8_t frame[64], const unsigned mac[6], const char *src, const char *dst, int dport)
{
	memset(frame, 0, 64);
	for (int i = 0; i < 6; i++)
		frame[i] = mac[i];
	memcpy(frame + 6, "\x02\0\0\0\0\x01", 6);
	frame[12] = 0x08;
	frame[14] = 0x45;
	frame[16] = 0;
	frame[17] = 46;		/* 20 + 8 + 18 */
	frame[22] = 64;
	frame[23] = 17;
	inet_pton(AF_INET, src, frame + 26);
	inet_pton(AF_INET, dst, frame + 30);
	frame[34] = 0x9c;
	frame[35] = 0x40;
	frame[36] = dport >> 8;
	frame[37] = dport;
	frame[39] = 26;
}
#endif
