/* lib/netns.c — enter a named network namespace; tell whether our mounts
 * are private (so bpffs pins made here would not outlive us). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpfkit/netns.h>
#include "internal.h"

int bpfkit_netns__enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (!name || !*name || (!strchr(name, '/') && (strstr(name, "..") || strlen(name) > 200))) {
		pr_warn("netns '%s': not a valid namespace name\n", name ?: "");
		return -EINVAL;
	}
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("netns '%s': %s\n", name,
			err == -ENOENT ? "no such network namespace (ip netns list shows them)" : errstr(err));
		return err;
	}
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (err)
		pr_warn("netns '%s': cannot enter it: %s%s\n", name, errstr(err),
			err == -EPERM ? " (needs root)" : "");
	return err;
}

/* `ip netns exec NAME` mounts a fresh sysfs on /sys with NAME as its source:
 * its signature in mountinfo ("... /sys ... - sysfs NAME ..."). */
static int sysfs_remounted(void)
{
	char line[1024], mnt[256], type[64], src[256];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 || strcmp(mnt, "/sys"))
			continue;
		if (sscanf(dash + 3, "%63s %255s", type, src) == 2 && !strcmp(type, "sysfs"))
			found = strcmp(src, "sysfs") && strcmp(src, "none");
	}
	fclose(f);
	return found;
}

int bpfkit_netns__private_mounts(void)
{
	/* Comparing /proc/self/ns/mnt with PID 1's is no help: sandboxes and
	 * containers run whole sessions in a mount namespace of their own,
	 * where a bpffs mount lives as long as the session. */
	return sysfs_remounted();
}
