/* apps/xdpfw/applog.c — how many rule-set applies succeeded and failed, and
 * when, kept in a small array map pinned beside the firewall's state
 * (DIR/xdpfw_applies) so the numbers outlive the CLI that applied and can be
 * exported by `xdpfw metrics`. The datapath never sees this map: user space
 * creates it on the first apply (older pinned states simply lack it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "state.h"

static int applog_path(const char *dir, char *buf, size_t sz)
{
	return snprintf(buf, sz, "%s/xdpfw_applies", dir) >= (int)sz ? -ENAMETOOLONG : 0;
}

static bool value_size_is(int fd, size_t size)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) && info.value_size == size;
}

int xdpfw_applog_read(const char *dir, struct xdpfw_applog *out)
{
	char path[512];
	__u32 zero = 0;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (applog_path(dir, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	/* a map another version made with a larger value would overrun OUT */
	if (!value_size_is(fd, sizeof(*out)))
		rc = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &zero, out))
		rc = -errno;
	close(fd);
	return rc;
}

/* Called with the state's lock held (xdpfw_state_lock), so read-modify-write
 * is safe among CLIs. Failing to record is not an apply failure. */
void xdpfw_applog_record(struct xdpfw_state *st, int apply_rc)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	struct xdpfw_applog a;
	struct timespec now;
	char path[512];
	__u32 zero = 0;
	int fd;

	if (!st->dir[0] || applog_path(st->dir, path, sizeof(path)) || xdpfw_state_lock(st))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpfw_applies", sizeof(__u32), sizeof(a), 1, &mo);
		if (fd < 0)
			return;
		if (bpf_obj_pin(fd, path)) {
			close(fd);
			return;
		}
	}
	if (!value_size_is(fd, sizeof(a))) {	/* another version's: left alone */
		close(fd);
		return;
	}
	if (bpf_map_lookup_elem(fd, &zero, &a))
		memset(&a, 0, sizeof(a));
	clock_gettime(CLOCK_REALTIME, &now);
	if (apply_rc) {
		a.failed++;
		a.last_fail_ns = now.tv_sec * 1000000000ull + now.tv_nsec;
	} else {
		a.applied++;
		a.last_ok_ns = now.tv_sec * 1000000000ull + now.tv_nsec;
	}
	bpf_map_update_elem(fd, &zero, &a, BPF_ANY);
	close(fd);
}
