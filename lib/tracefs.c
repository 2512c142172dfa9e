/* lib/tracefs.c — find or mount tracefs; open trace_pipe (bpf_printk);
 * read and set tracing_on (with it at 0, bpf_printk output is dropped). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
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
	/* mounted but closed to us (mode 0700): not a mount problem */
	if (errno == EACCES || (geteuid() && !access(TRACEFS, F_OK) && access(TRACEFS, X_OK))) {
		pr_warn("tracefs: " TRACEFS " is readable by root only: bpf_printk output needs root (sudo)\n");
		errno = EACCES;
		return NULL;
	}
	if (!access(DEBUGFS_TRACING "/trace_pipe", F_OK))
		return DEBUGFS_TRACING;
	if (geteuid()) {
		pr_warn("tracefs: not mounted, and mounting it needs root: reading bpf_printk output needs root (sudo)\n");
		errno = EPERM;
		return NULL;
	}
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

int bpfkit_tracefs__tracing_on(void)
{
	const char *root = bpfkit_tracefs__ensure();
	char path[128], c = 0;
	int fd, n;

	if (!root)
		return -errno;
	snprintf(path, sizeof(path), "%s/tracing_on", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return -EIO;
	return c != '0';
}

int bpfkit_tracefs__set_tracing_on(bool on)
{
	const char *root = bpfkit_tracefs__ensure();
	char path[128];
	int fd, err = 0;

	if (!root)
		return -errno;
	snprintf(path, sizeof(path), "%s/tracing_on", root);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, on ? "1\n" : "0\n", 2) != 2)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		pr_warn("tracefs: cannot write %s: %s\n", path, errstr(err));
	return err;
}
