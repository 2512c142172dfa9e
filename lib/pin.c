/* lib/pin.c — bpffs: mount it when missing, pin an object's programs, maps
 * and links so they outlive the loader, and remove exactly that again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/object.h>
#include <bpfkit/netns.h>
#include "internal.h"

#define BPFFS_ROOT "/sys/fs/bpf"
static const char *const pin_subdirs[] = { "links", "progs", "maps" };	/* removal order */

int bpfkit_bpffs__is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return st.f_type == BPF_FS_MAGIC;
}

int bpfkit_bpffs__ensure(void)
{
	if (bpfkit_bpffs__is_bpffs(BPFFS_ROOT) == 1)
		return 0;
	/* A bpffs mounted in a private mount namespace (`ip netns exec` makes
	 * one) is gone when the namespace's last process exits, and the pins
	 * with it: refuse rather than pin into thin air. */
	if (bpfkit_netns__private_mounts() == 1) {
		pr_warn("bpffs: not mounted at " BPFFS_ROOT " in this private mount namespace (ip netns exec "
			"makes one): pins would vanish when bpfkit exits; use `bpfkit --netns NAME ...` instead\n");
		return -ENOENT;
	}
	if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_warn("bpffs: not mounted at " BPFFS_ROOT " and mounting it failed: %s%s\n",
			errstr(err), err == -EPERM ? " (needs root)" : "");
		return err;
	}
	pr_info("bpffs: mounted at " BPFFS_ROOT "\n");
	return 0;
}

/* The parent directory of DIR must be a directory on bpffs, and DIR's own
 * name one a directory can have. */
static int check_pin_dir(const char *dir)
{
	char parent[PATH_MAX];
	struct stat st;
	size_t name_len;
	char *slash;
	int r;

	snprintf(parent, sizeof(parent), "%s", dir);
	while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	name_len = strlen(slash ? slash + 1 : parent);
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	r = bpfkit_bpffs__is_bpffs(parent);
	if (r < 0) {
		pr_warn("pin '%s': parent directory '%s': %s\n", dir, parent, errstr(r));
		return r;
	}
	/* checked before anything is loaded or attached: a pinned file as the
	 * parent, or a name past NAME_MAX, only failed at the mkdir after it */
	if (r && (stat(parent, &st) || !S_ISDIR(st.st_mode))) {
		pr_warn("pin '%s': '%s' is not a directory\n", dir, parent);
		return -ENOTDIR;
	}
	if (name_len > NAME_MAX) {
		pr_warn("pin '%s': its last name is longer than %d bytes\n", dir, NAME_MAX);
		return -ENAMETOOLONG;
	}
	if (!r) {
		pr_warn("pin '%s': '%s' is not on a bpf filesystem (pin under " BPFFS_ROOT ")\n",
			dir, parent);
		return -EINVAL;
	}
	return 0;
}

static int join(char *buf, size_t sz, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, sz, "%s/%s%s%s", a, b, c ? "/" : "", c ?: "");

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

/* bpffs refuses names with a '.' (EPERM): "xdp_fire.rodata" -> "xdp_fire_rodata" */
static int join_pin(char *buf, size_t sz, const char *dir, const char *sub, const char *name)
{
	int err = join(buf, sz, dir, sub, name);
	char *p = buf + strlen(dir) + strlen(sub) + 2;

	for (; !err && *p; p++)
		if (*p == '.')
			*p = '_';
	return err;
}

int bpfkit_pin__check(const char *dir)
{
	int err;

	if (!dir || !*dir) {
		pr_warn("pin: empty path\n");
		return -EINVAL;
	}
	err = bpfkit_bpffs__ensure();
	if (err)
		return err;
	if (!access(dir, F_OK)) {
		pr_warn("pin '%s': already exists; unload it first (bpfkit unload --pin %s) or pick another path\n",
			dir, dir);
		return -EEXIST;
	}
	if (strlen(dir) + sizeof("/progs/") + 64 > PATH_MAX) {
		pr_warn("pin '%s': path too long\n", dir);
		return -ENAMETOOLONG;
	}
	return check_pin_dir(dir);
}

int bpfkit_object__pin(struct bpfkit_object *obj, const char *dir)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	err = bpfkit_pin__check(dir);
	if (err)
		return err;
	if (mkdir(dir, 0700)) {
		err = -errno;
		pr_warn("pin '%s': mkdir failed: %s\n", dir, errstr(err));
		return err;
	}
	for (size_t i = 0; i < 3; i++) {
		if ((err = join(path, sizeof(path), dir, pin_subdirs[i], NULL)) ||
		    (mkdir(path, 0700) && (err = -errno)))
			goto err_remove;
	}
	bpf_object__for_each_program(prog, obj->obj) {
		if (bpf_program__fd(prog) < 0)
			continue;	/* not loaded (autoload off) */
		if ((err = join_pin(path, sizeof(path), dir, "progs", bpf_program__name(prog))) ||
		    (err = bpf_program__pin(prog, path)))
			goto err_pin;
	}
	bpf_object__for_each_map(map, obj->obj) {
		if ((err = join_pin(path, sizeof(path), dir, "maps", bpf_map__name(map))))
			goto err_pin;
		/* a LIBBPF_PIN_BY_NAME map libbpf pinned already: libbpf refuses
		 * a second path, bpffs does not */
		if (bpf_map__is_pinned(map))
			err = bpf_obj_pin(bpf_map__fd(map), path) ? -errno : 0;
		else
			err = bpf_map__pin(map, path);
		if (err)
			goto err_pin;
	}
	for (int i = 0; i < obj->n_att; i++) {
		struct attachment *a = &obj->att[i];

		if (!a->link && a->xdp.link_fd < 0)
			continue;	/* a netlink attachment: the interface holds it */
		if ((err = join_pin(path, sizeof(path), dir, "links", a->prog)))
			goto err_pin;
		err = a->link ? bpf_link__pin(a->link, path) : bpf_obj_pin(a->xdp.link_fd, path);
		if (err) {
			err = a->link ? err : -errno;
			goto err_pin;
		}
	}
	attachments_keep(obj);
	return 0;

err_pin:
	pr_warn("pin '%s': pinning '%s' failed: %s\n", dir, path, errstr(err));
err_remove:
	bpfkit_pin__remove(dir);
	return err;
}

#define MAX_PINNED_PROGS 64

/* The ids of the programs pinned in DIR/progs, and (netlink attachments
 * bpfkit_xdp__replace took over) their detach from this netns' interfaces. */
static int pinned_progs_detach(const char *dir, __u32 *ids, int max)
{
	char sub[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (join(sub, sizeof(sub), dir, "progs", NULL) || !(d = opendir(sub)))
		return 0;
	while ((e = readdir(d)) && n < max) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (e->d_name[0] == '.' || join(path, sizeof(path), sub, e->d_name, NULL))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			ids[n++] = info.id;
			if (info.type == BPF_PROG_TYPE_XDP)
				xdp_detach_netlink_prog(fd, info.id);
		}
		close(fd);
	}
	closedir(d);
	return n;
}

/* A pinned XDP link that runs one of our programs is detached explicitly:
 * after a replacement (bpfkit_xdp__replace) it may be the link another
 * loader pinned too, which would otherwise keep running our program. */
static void link_detach_if_ours(const char *path, const __u32 *ids, int n)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP)
		for (int i = 0; i < n; i++)
			if (ids[i] == info.prog_id) {
				bpf_link_detach(fd);
				break;
			}
	close(fd);
}

static void close_pin_subdirs(int sfd[3])
{
	for (size_t i = 0; i < 3; i++)
		if (sfd[i] >= 0) {
			close(sfd[i]);
			sfd[i] = -1;
		}
}

/* DIR holds nothing but links/, progs/ and maps/: anything else was put
 * there by someone else (a file, another load's pin directory), and a
 * removal that detached first and then met it would stop half done. */
static int only_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (e = readdir(d))) {
		bool ours = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");

		for (size_t i = 0; i < 3 && !ours; i++)
			ours = !strcmp(e->d_name, pin_subdirs[i]);
		if (!ours) {
			pr_warn("pin '%s': '%s' in it is not bpfkit's; nothing removed (move it away first)\n", dir,
				e->d_name);
			err = -ENOTEMPTY;
		}
	}
	closedir(d);
	return err;
}

/* SUB (open as FD) of DIR holds pins only, no directory (another load's pin
 * directory nested in it, say). */
static int no_subdirs(const char *dir, int fd, const char *sub)
{
	/* its own open file (not a dup: the caller's fd keeps its offset) */
	int own_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	DIR *d = own_fd >= 0 ? fdopendir(own_fd) : NULL;
	struct dirent *e;

	if (!d) {
		err = -errno;
		if (own_fd >= 0)
			close(own_fd);
		return err;
	}
	while (!err && (e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode)) {
			pr_warn("pin '%s': '%s/%s' is a directory, not a pin (another load's pins?); nothing "
				"removed (unload that first)\n", dir, sub, e->d_name);
			err = -ENOTEMPTY;
		}
	}
	closedir(d);
	return err;
}

/* Opens DIR's links/, progs/ and maps/ into SFD (-1: absent) after every
 * check removal needs, so a refusal comes before anything is detached or
 * removed: DIR is a pin directory, on bpffs, and no subdirectory is a
 * symlink (bpffs allows them: one could lead out of it) or off bpffs
 * (unlinking every entry is right only where every entry is a BPF object;
 * a look-alike directory elsewhere holds a user's files). 0 or -errno. */
static int open_pin_subdirs(const char *dir, int sfd[3])
{
	char sub[PATH_MAX];
	int err = 0;

	sfd[0] = sfd[1] = sfd[2] = -1;
	if (strlen(dir) + sizeof("/progs") > PATH_MAX) {
		pr_warn("pin '%.80s...': the path is longer than %d bytes\n", dir, PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	if (access(dir, F_OK)) {
		err = -errno;
		pr_warn("pin '%s': %s\n", dir, err == -ENOENT ? "nothing is pinned there" : errstr(err));
		return err;
	}
	join(sub, sizeof(sub), dir, "progs", NULL);
	if (access(sub, F_OK)) {
		pr_warn("pin '%s': not a bpfkit pin directory (no progs/ inside); not touching it\n", dir);
		return -EINVAL;
	}
	if (bpfkit_bpffs__is_bpffs(dir) != 1) {
		pr_warn("pin '%s': not on a BPF filesystem (bpffs, e.g. under %s); nothing removed\n", dir,
			BPFFS_ROOT);
		return -EINVAL;
	}
	err = only_pins(dir);
	for (size_t i = 0; i < 3 && !err; i++) {
		struct statfs sf;
		int oe;

		if (join(sub, sizeof(sub), dir, pin_subdirs[i], NULL)) {
			err = -ENAMETOOLONG;
			break;
		}
		sfd[i] = open(sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		oe = errno;
		if (sfd[i] < 0 && oe == ENOENT)
			continue;
		if (sfd[i] < 0) {
			bool odd = oe == ELOOP || oe == ENOTDIR;

			err = odd ? -EINVAL : -oe;
			pr_warn("pin '%s': '%s' is not a directory of pins (%s); nothing removed\n", dir, sub,
				odd ? "a symlink, or not a directory" : errstr(-oe));
		} else if (fstatfs(sfd[i], &sf) || sf.f_type != BPF_FS_MAGIC) {
			pr_warn("pin '%s': '%s' is not on bpffs; nothing removed\n", dir, sub);
			err = -EINVAL;
		}
	}
	for (size_t i = 0; i < 3 && !err; i++)
		if (sfd[i] >= 0)
			err = no_subdirs(dir, sfd[i], pin_subdirs[i]);
	if (err)
		close_pin_subdirs(sfd);
	return err;
}

int bpfkit_pin__check_removable(const char *dir)
{
	int sfd[3], err = open_pin_subdirs(dir, sfd);

	close_pin_subdirs(sfd);
	return err;
}

int bpfkit_pin__remove(const char *dir)
{
	__u32 ids[MAX_PINNED_PROGS];
	int n_ids, sfd[3];
	char path[PATH_MAX], sub[PATH_MAX];
	int err = open_pin_subdirs(dir, sfd), found = 0;

	if (err)
		return err;
	n_ids = pinned_progs_detach(dir, ids, MAX_PINNED_PROGS);
	for (size_t i = 0; i < 3; i++) {
		struct dirent *e;
		DIR *d;

		if (sfd[i] < 0)
			continue;
		d = fdopendir(sfd[i]);
		if (!d) {
			err = -errno;
			close(sfd[i]);
			continue;
		}
		join(sub, sizeof(sub), dir, pin_subdirs[i], NULL);
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (join(path, sizeof(path), sub, e->d_name, NULL))
				continue;
			if (i == 0)
				link_detach_if_ours(path, ids, n_ids);
			if (unlinkat(dirfd(d), e->d_name, 0)) {
				err = -errno;
				pr_warn("pin '%s': cannot remove '%s': %s\n", dir, path, errstr(err));
				continue;
			}
			found++;
		}
		closedir(d);
		if (rmdir(sub) && errno != ENOENT) {
			err = -errno;
			pr_warn("pin '%s': cannot remove '%s': %s\n", dir, sub, errstr(err));
		}
	}
	if (rmdir(dir)) {
		err = -errno;
		pr_warn("pin '%s': cannot remove it: %s (files bpfkit did not pin are left alone)\n",
			dir, errstr(err));
	}
	pr_debug("pin '%s': removed %d pins\n", dir, found);
	return err;
}
