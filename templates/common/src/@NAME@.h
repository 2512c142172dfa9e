/* @NAME@.h — what the BPF program and its loader share. */
#ifndef @UPPER@_H
#define @UPPER@_H

/* One counter the program bumps per event; the loader prints it at exit. */
struct @IDENT@_stats {
	__u64 events;
};

#ifdef __BPF__
/* BPF side: the map and the helper that counts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct @IDENT@_stats);
} stats SEC(".maps");

static __always_inline void count_event(void)
{
	__u32 key = 0;
	struct @IDENT@_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (s)
		__sync_fetch_and_add(&s->events, 1);
}
#endif

#endif
