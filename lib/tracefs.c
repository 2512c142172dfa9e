/* lib/tracefs.c — find or mount tracefs; open trace_pipe (bpf_printk). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpfkit/trace.h>
#include "internal.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

const char *bpfkit_tracefs__ensure(void)
{
	int err;

	if (!access(TRACEFS "/trace_pipe", F_OK))
		return TRACEFS;
	if (!access(DEBUGFS_TRACING "/trace_pipe", F_OK))
		return DEBUGFS_TRACING;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL)) {
		err = errno;
		pr_warn("tracefs: not mounted and mounting it at " TRACEFS " failed: %s%s\n",
			strerror(err), err == EPERM ? " (needs root)" :
			err == ENODEV ? " (kernel built without CONFIG_TRACING?)" : "");
		errno = err;
		return NULL;
	}
	pr_info("tracefs: mounted at " TRACEFS "\n");
	return TRACEFS;
}

int bpfkit_trace_pipe__open(void)
{
	const char *root = bpfkit_tracefs__ensure();
	char path[128];
	int fd;

	if (!root)
		return -errno;
	snprintf(path, sizeof(path), "%s/trace_pipe", root);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		if (err == -EBUSY)
			pr_warn("tracefs: %s is busy: another process is reading it (only one reader at a time; "
				"bpfkit trace, cat trace_pipe?)\n", path);
		else
			pr_warn("tracefs: cannot open %s: %s\n", path, errstr(err));
		return err;
	}
	return fd;
}
