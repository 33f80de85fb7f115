/* SPDX-License-Identifier: MIT */
/*
 * The one read layer: every /proc and /sys read of a snapshot goes
 * through here, relative to a root directory fd.  That is what makes
 * --root honest: a captured tree is read exactly like the live system,
 * and no reader can wander outside it.
 *
 * Reads are defensive because captured trees are odd: symlinks to "."
 * (loops), FIFOs or directories where files should be, huge files.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* 0: untried, 1: works, -1: kernel too old (ENOSYS) */
static int openat2_state;

/* Our fds stay clear of 0-2: a caller may have closed them. */
int hctx_fd_above_stdio(int fd)
{
	int high, err;

	if (fd < 0 || fd >= 3)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	err = errno;
	close(fd);
	return high >= 0 ? high : -err;
}

HCTX_EXPORT int hostctx_root_open(const char *dir, struct hostctx_root **ret_root)
{
	struct hostctx_root *root;
	bool live = !dir || !*dir || strcmp(dir, "/") == 0;
	int fd;

	fd = open(live ? "/" : dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fd = hctx_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	root = calloc(1, sizeof(*root));
	/* Scratch buffers for every read: no allocation per file. */
	if (root) {
		root->scratch = malloc(HCTX_READ_CAP + 1);
		root->dirbuf = malloc(HCTX_DIRBUF);
	}
	if (!root || !root->scratch || !root->dirbuf) {
		if (root) {
			free(root->scratch);
			free(root->dirbuf);
		}
		free(root);
		close(fd);
		return -ENOMEM;
	}
	root->fd = fd;
	root->live = live;
	root->debug = hctx_debug_from_env();
	*ret_root = root;
	return 0;
}

HCTX_EXPORT void hostctx_root_close(struct hostctx_root *root)
{
	if (!root)
		return;
	close(root->fd);
	hctx_root_forget_boot(root);
	free(root->selected);
	free(root->scratch);
	free(root->dirbuf);
	free(root);
}

HCTX_EXPORT bool hostctx_root_is_live(const struct hostctx_root *root)
{
	return root && root->live;
}

HCTX_EXPORT const char *hostctx_root_from_env(char *const *envp)
{
	extern char **environ;
	static const char name[] = "HOSTCTX_ROOT=";

	/* Scan envp ourselves: callers include a preload constructor. */
	for (char *const *e = envp ? envp : environ; e && *e; e++)
		if (strncmp(*e, name, sizeof(name) - 1) == 0)
			return (*e)[sizeof(name) - 1] ? *e + sizeof(name) - 1 : NULL;
	return NULL;
}

/*
 * Captured trees that went through a tool without symlink support (git
 * with core.symlinks=false, some archivers, copies onto FAT) hold each
 * symlink as a small regular file whose content is the link target.
 * Under a captured root, when a directory in the middle of a path turns
 * out to be such a file, follow its text like the link it stands for.
 * Never on the live system.
 */
#define LINK_MAX_TEXT 256
#define LINK_HOPS 40		/* the kernel's own limit */

/* The target text of a stand-in file at the symlink-free path, or false. */
static bool read_standin(int rootfd, const char *path, char *target)
{
	int fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
					O_NONBLOCK | O_NOFOLLOW);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return false;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < LINK_MAX_TEXT
		    ? read(fd, target, LINK_MAX_TEXT - 1) : -1;
	close(fd);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (target[n - 1] == '\n')
		target[--n] = '\0';
	return n > 0 && strlen(target) == (size_t)n && !strchr(target, '\n');
}

/* Drop the last component of a root-relative path ("" is the root). */
static void path_pop(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash)
		*slash = '\0';
	else
		path[0] = '\0';
}

/*
 * Where the link (or stand-in) at the symlink-free path points, as text;
 * 1 when it is one, 0 when not.
 */
static int link_text(struct hostctx_root *root, const char *path, bool more,
		     char *target)
{
	struct stat st;
	ssize_t n;

	if (fstatat(root->fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(root->fd, path, target, LINK_MAX_TEXT - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return 1;
	}
	return more && S_ISREG(st.st_mode) && !root->live &&
	       read_standin(root->fd, path, target);
}

/*
 * Resolve rel beneath the root in user space, one component at a time:
 * symlinks (and stand-ins) are followed with their targets taken
 * relative to the root, ".." stops at the root.  out receives a
 * symlink-free root-relative path.  Used where openat2() is missing
 * (Linux < 5.6, valgrind) and for stand-in files.
 */
static int resolve_beneath(struct hostctx_root *root, const char *rel,
			   char *out, size_t out_size)
{
	char todo[PATH_MAX], target[LINK_MAX_TEXT];
	int hops = 0;

	if (strlen(rel) >= sizeof(todo))
		return -ENAMETOOLONG;
	strcpy(todo, rel);
	out[0] = '\0';
	while (todo[0]) {
		char *comp = todo, *rest = strchr(todo, '/');
		size_t len = strlen(out);
		int r;

		if (rest)
			*rest++ = '\0';
		else
			rest = comp + strlen(comp);
		if (strcmp(comp, "..") == 0) {
			path_pop(out);
		} else if (comp[0] && strcmp(comp, ".") != 0) {
			if (len + 1 + strlen(comp) >= out_size)
				return -ENAMETOOLONG;
			sprintf(out + len, "%s%s", len ? "/" : "", comp);
			r = link_text(root, out, *rest != '\0', target);
			if (r < 0)
				return r;
			if (r > 0) {
				char joined[PATH_MAX];

				if (++hops > LINK_HOPS)
					return -ELOOP;
				out[len] = '\0';
				if (target[0] == '/')
					out[0] = '\0';	/* absolute: from the tree's top */
				if ((size_t)snprintf(joined, sizeof(joined), "%s/%s",
						     target, rest) >= sizeof(joined))
					return -ENAMETOOLONG;
				strcpy(todo, joined);
				continue;
			}
		}
		memmove(todo, rest, strlen(rest) + 1);
	}
	return 0;
}

static int open_resolved(struct hostctx_root *root, const char *rel, int flags)
{
	char path[PATH_MAX];
	int r = resolve_beneath(root, rel, path, sizeof(path));
	int fd;

	if (r < 0)
		return r;
	/* path holds no symlink: O_NOFOLLOW only guards against a race */
	fd = openat(root->fd, path[0] ? path : ".", flags | O_NOFOLLOW);
	return fd >= 0 ? fd : -errno;
}

static int open_beneath(struct hostctx_root *root, const char *rel, int flags)
{
	/* The live root is "/": nothing to leave, plain openat is exact. */
	if (root->live) {
		int fd = openat(root->fd, rel, flags);

		return fd >= 0 ? fd : -errno;
	}
	if (openat2_state >= 0) {
		struct open_how how = {
			.flags = (uint64_t)flags,
			/*
			 * Symlinks inside the tree are fine (cpuN/cpufreq ->
			 * ../cpufreq/policyN); absolute or ".." ones resolve
			 * as if the tree were "/", so they never leave it.
			 */
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, root->fd, rel, &how, sizeof(how));

		if (fd >= 0 || errno != ENOSYS) {
			openat2_state = 1;
			/* a stand-in file where a directory should be */
			if (fd < 0 && errno == ENOTDIR)
				return open_resolved(root, rel, flags);
			return fd >= 0 ? (int)fd : -errno;
		}
		openat2_state = -1;
	}
	return open_resolved(root, rel, flags);
}

/*
 * A FIFO, socket or device where a file should be is unreadable.  On the
 * live system the sources are procfs and sysfs, which hold regular files,
 * directories and symlinks only: there the fstat is skipped (38 calls a
 * snapshot pair) and a directory still fails, at read() with EISDIR.
 */
static int check_regular(const struct hostctx_root *root, int fd)
{
	struct stat st;

	if (root->live)
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

int hctx_open(struct hostctx_root *root, const char *rel, bool want_dir)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd, r;

	if (want_dir)
		flags |= O_DIRECTORY;
	fd = open_beneath(root, rel, flags);
	fd = hctx_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	if (want_dir)
		return fd;
	r = check_regular(root, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/*
 * Read to the end, or to the first short read when short_is_end: procfs
 * and sysfs files of one record (every one read through here; cpuinfo
 * has its own loop) hand over their whole text in the first read that
 * has room for it, so the read that would return 0 can be spared.
 */
static ssize_t read_fd(int fd, char *buf, size_t cap, bool short_is_end)
{
	size_t len = 0;

	for (;;) {
		/*
		 * /proc/sys allocates and zeroes a kernel buffer the size of
		 * each request, even the one that only finds the end of the
		 * file (4.1 us with 64 KiB asked, 2.2 us with 4 KiB): ask for
		 * 4 KiB, then as much again as read so far.
		 */
		size_t want = len < 4096 ? 4096 : len;
		ssize_t n;

		if (want > cap + 1 - len)
			want = cap + 1 - len;
		n = read(fd, buf + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > cap)
			return -EFBIG;
		if (short_is_end && (size_t)n < want)
			break;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Regular files only, read with the cap; always closes fd. */
static ssize_t checked_read(const struct hostctx_root *root, int fd, char *buf)
{
	ssize_t n = check_regular(root, fd);

	if (n == 0)
		n = read_fd(fd, buf, HCTX_READ_CAP, root->live);
	close(fd);
	return n;
}

ssize_t hctx_read_file(struct hostctx_root *root, const char *rel, char *buf,
		       size_t cap)
{
	int fd = hctx_open(root, rel, false);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read_fd(fd, buf, cap, root->live);
	close(fd);
	return n;
}

int hctx_read_trimmed(struct hostctx_root *root, const char *rel, char **ret)
{
	ssize_t n = hctx_read_file(root, rel, root->scratch, HCTX_READ_CAP);

	if (n < 0)
		return (int)n;
	return hctx_parse_trimmed(root->scratch, (size_t)n, ret);
}

int hctx_read_trimmed_at(struct hostctx_root *root, int dirfd,
			 const char *name, char **ret)
{
	int fd;
	ssize_t n;

	/* name is one component of a directory opened beneath the root. */
	if (strchr(name, '/'))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = checked_read(root, fd, root->scratch);
	if (n < 0)
		return (int)n;
	return hctx_parse_trimmed(root->scratch, (size_t)n, ret);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int hctx_list_dir(struct hostctx_root *root, const char *rel,
		  hctx_dirent_fn fn, void *userdata)
{
	/* One big getdents64 beats readdir's 32 KiB steps on /proc/sys/kernel. */
	char *buf = root->dirbuf;
	int fd = hctx_open(root, rel, true);
	int r = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, HCTX_DIRBUF);

		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			r = fn(userdata, d->d_name, d->d_type, fd);
			if (r != 0)
				goto out;
		}
	}
out:
	close(fd);
	return r < 0 ? r : 0;
}
