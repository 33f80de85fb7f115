/* SPDX-License-Identifier: MIT */
/*
 * The one read layer: every /proc and /sys read of a snapshot goes
 * through here, relative to a root directory fd.  That is what makes
 * --root honest: a captured tree is read exactly like the live system,
 * and no reader can wander outside it.
 *
 * Reads are defensive because captured trees are odd or hostile: symlinks
 * to "." (loops), FIFOs, devices or directories where files should be,
 * huge files, components swapped while we walk them (docs/design.md).
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
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

/*
 * An O_PATH open needs no permission on the directory itself, so a root
 * we may not search would open and then give a snapshot of nothing:
 * refuse it as a missing one is refused (-EACCES).  "." is looked up in
 * the directory, which takes search permission, as every read does.
 */
static int open_root_dir(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (faccessat(fd, ".", X_OK, AT_EACCESS) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return hctx_fd_above_stdio(fd);
}

/* The scratch buffers every read uses: no allocation per file. */
static int alloc_buffers(struct hostctx_root *root)
{
	if (!root->scratch)
		root->scratch = malloc(HCTX_READ_CAP + 1);
	if (!root->dirbuf)
		root->dirbuf = malloc(HCTX_DIRBUF);
	return root->scratch && root->dirbuf ? 0 : -ENOMEM;
}

static void free_buffers(struct hostctx_root *root)
{
	free(root->scratch);
	free(root->dirbuf);
	root->scratch = root->dirbuf = NULL;
}

HCTX_EXPORT int hostctx_root_open(const char *dir, struct hostctx_root **ret_root)
{
	struct hostctx_root *root;
	bool live = !dir || !*dir || strcmp(dir, "/") == 0;
	int fd;

	fd = open_root_dir(live ? "/" : dir);
	if (fd < 0)
		return fd;
	root = calloc(1, sizeof(*root));
	if (!root || alloc_buffers(root) < 0 || (!live && !(root->dir = strdup(dir)))) {
		if (root) {
			free_buffers(root);
			free(root->dir);
		}
		free(root);
		close(fd);
		return -ENOMEM;
	}
	root->fd = fd;
	root->text_budget = HCTX_SNAPSHOT_TEXT_BUDGET;	/* each snapshot starts afresh */
	root->live = live;
	root->threads = 1;
	root->debug = hctx_debug_from_env();
	*ret_root = root;
	return 0;
}

HCTX_EXPORT void hostctx_root_release(struct hostctx_root *root)
{
	if (!root || root->fd < 0)
		return;
	close(root->fd);
	root->fd = -1;
	hctx_prefetch_drop(root);
	free_buffers(root);
}

int hctx_root_attach(struct hostctx_root *root)
{
	int fd;

	if (root->fd >= 0)
		return 0;
	if (alloc_buffers(root) < 0)
		return -ENOMEM;
	fd = open_root_dir(root->dir ? root->dir : "/");
	if (fd < 0)
		return fd;
	root->fd = fd;
	/* a captured tree may have been replaced meanwhile: ask config.gz again */
	if (!root->live)
		root->xacct_cache = 0;
	return 0;
}

HCTX_EXPORT void hostctx_root_close(struct hostctx_root *root)
{
	if (!root)
		return;
	if (root->fd >= 0)
		close(root->fd);
	hctx_prefetch_drop(root);
	hctx_root_forget_boot(root);
	free(root->selected);
	free_buffers(root);
	free(root->dir);
	free(root);
}

HCTX_EXPORT bool hostctx_root_is_live(const struct hostctx_root *root)
{
	return root && root->live;
}

HCTX_EXPORT const char *hostctx_env_value(char *const *envp, const char *name)
{
	extern char **environ;
	size_t len = strlen(name);

	/* Scan envp ourselves: callers include a preload constructor. */
	for (char *const *e = envp ? envp : environ; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return (*e)[len + 1] ? *e + len + 1 : NULL;
	return NULL;
}

HCTX_EXPORT const char *hostctx_root_from_env(char *const *envp)
{
	return hostctx_env_value(envp, "HOSTCTX_ROOT");
}

/*
 * Test seams.  Every read(), getdents64() and openat2() of the layer goes
 * through these weak functions; the unit tests override them to inject
 * faults (tests/unit/test_read.c).  Nothing else does.
 */
__attribute__((weak)) ssize_t hctx_sys_read(int fd, void *buf, size_t len)
{
	return read(fd, buf, len);
}

__attribute__((weak)) long hctx_sys_getdents64(int fd, void *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

__attribute__((weak)) long hctx_sys_openat2(int dirfd, const char *path,
					    void *how, size_t size)
{
	return syscall(SYS_openat2, dirfd, path, how, size);
}

/*
 * A read that the kernel could not serve makes the file unreadable: its
 * field is omitted.  ENOMEM from read() is the kernel's, not ours, so it
 * must not fail the whole snapshot as our own allocation failures do.
 */
ssize_t hctx_read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = hctx_sys_read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return errno == ENOMEM ? -EIO : -errno;
	}
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
#define WALK_DEPTH 32		/* directories below the root; sysfs needs 8 */

#define PATH_FLAGS (O_PATH | O_NOFOLLOW | O_CLOEXEC)
#define READ_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

static int open_checked_regular(int pathfd, const struct stat *st, int flags);
/*
 * Where read_fd() may stop before read() returns 0: at the first short
 * read (procfs and sysfs), or at a regular file's size as checked.
 */
#define READ_TO_EOF SIZE_MAX
#define SHORT_IS_END (SIZE_MAX - 1)
static ssize_t read_fd(int fd, char *buf, size_t cap, size_t end);

/* The stand-in's target text, or false when pathfd is no stand-in. */
static bool read_standin(int pathfd, const struct stat *st, char *target)
{
	int fd;
	ssize_t n;

	if (!S_ISREG(st->st_mode) || st->st_size >= LINK_MAX_TEXT)
		return false;
	fd = open_checked_regular(pathfd, st, READ_FLAGS);
	if (fd < 0)
		return false;
	/* to the end: a short read must not cut policy10 to policy1 */
	n = read_fd(fd, target, LINK_MAX_TEXT - 1, READ_TO_EOF);
	close(fd);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (target[n - 1] == '\n')
		target[--n] = '\0';
	return n > 0 && strlen(target) == (size_t)n && !strchr(target, '\n');
}

/*
 * The user-space resolver: rel beneath the root, one component at a
 * time, each opened by fd (O_PATH | O_NOFOLLOW) from the directory fd
 * reached so far, so nothing checked can be swapped before it is used.
 * Symlinks are read from the fd opened on them (readlinkat of "") and
 * resolved beneath the root, ".." pops back to the fd of the directory
 * we came from and stops at the root.  Used where openat2() is missing
 * (Linux < 5.6, valgrind) and for stand-in files.
 */
struct walk {
	struct hostctx_root *root;
	int fds[WALK_DEPTH];	/* the directories entered, deepest last */
	int depth;
	int hops;
	char todo[PATH_MAX];	/* what is left to resolve */
};

static int walk_dir(const struct walk *w)
{
	return w->depth ? w->fds[w->depth - 1] : w->root->fd;
}

static void walk_up(struct walk *w, int levels)
{
	while (levels-- > 0 && w->depth > 0)
		close(w->fds[--w->depth]);
}

/* Cut the first component of todo into comp; false when none is left. */
static bool walk_next(struct walk *w, char *comp, size_t size, bool *last)
{
	char *p = w->todo, *slash;
	size_t len;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	slash = strchr(p, '/');
	len = slash ? (size_t)(slash - p) : strlen(p);
	if (len >= size)
		len = size - 1;	/* longer than NAME_MAX: the open fails */
	memcpy(comp, p, len);
	comp[len] = '\0';
	p += strcspn(p, "/");
	while (*p == '/')
		p++;
	*last = *p == '\0';
	memmove(w->todo, p, strlen(p) + 1);
	return true;
}

/* Put the link's target in front of what is left. */
static int walk_splice(struct walk *w, const char *target)
{
	char joined[PATH_MAX];

	if (++w->hops > LINK_HOPS)
		return -ELOOP;
	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", target, w->todo) >=
	    sizeof(joined))
		return -ENAMETOOLONG;
	if (target[0] == '/')
		walk_up(w, w->depth);	/* absolute: from the tree's top */
	strcpy(w->todo, joined);
	return 0;
}

/*
 * Step into comp (opened as pathfd, st its type): follow it when it is
 * a link or a stand-in, enter it when it is a directory.  Takes pathfd.
 */
static int walk_step(struct walk *w, int pathfd, const struct stat *st, bool last)
{
	char target[LINK_MAX_TEXT];
	ssize_t n;

	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(pathfd, "", target, sizeof(target) - 1);
		close(pathfd);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return walk_splice(w, target);
	}
	if (!last && !w->root->live && read_standin(pathfd, st, target)) {
		close(pathfd);
		return walk_splice(w, target);
	}
	if (!S_ISDIR(st->st_mode)) {
		close(pathfd);
		return -ENOTDIR;
	}
	if (w->depth == WALK_DEPTH) {
		close(pathfd);
		return -ENAMETOOLONG;
	}
	w->fds[w->depth++] = pathfd;
	return 0;
}

/*
 * Open what rel names beneath the root, symlinks followed, with flags
 * (an O_PATH fd, or a real open of the last component by name from its
 * directory's fd, never following a link there).
 */
static int walk_beneath(struct walk *w, const char *rel, int flags)
{
	char comp[NAME_MAX + 2];
	bool last;
	int fd;

	if (strlen(rel) >= sizeof(w->todo))
		return -ENAMETOOLONG;
	strcpy(w->todo, rel);
	while (walk_next(w, comp, sizeof(comp), &last)) {
		struct stat st;
		int r;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			walk_up(w, 1);
			continue;
		}
		fd = openat(walk_dir(w), comp, PATH_FLAGS);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (last && !S_ISLNK(st.st_mode)) {
			if (flags & O_PATH)
				return fd;
			close(fd);
			fd = openat(walk_dir(w), comp, flags | O_NOFOLLOW);
			return fd >= 0 ? fd : -errno;
		}
		r = walk_step(w, fd, &st, last);
		if (r < 0)
			return r;
	}
	/* ended on a directory: "", ".", "..", a last link to one */
	fd = openat(walk_dir(w), ".", flags);
	return fd >= 0 ? fd : -errno;
}

static int resolve_in_user_space(struct hostctx_root *root, const char *rel,
				 int flags)
{
	struct walk *w = malloc(sizeof(*w));
	int fd;

	if (!w)
		return -ENOMEM;
	w->root = root;
	w->depth = 0;
	w->hops = 0;
	fd = walk_beneath(w, rel, flags);
	walk_up(w, w->depth);
	free(w);
	return fd;
}

/*
 * Open rel beneath a captured root with flags.  openat2() lets the
 * kernel keep the walk inside: relative links inside a tree work
 * (cpuN/cpufreq -> ../cpufreq/policyN), absolute ones and ".." resolve
 * as if the tree were "/".
 */
static int resolve_beneath(struct hostctx_root *root, const char *rel, int flags)
{
	if (__atomic_load_n(&openat2_state, __ATOMIC_RELAXED) >= 0) {
		struct open_how how = {
			.flags = (uint64_t)flags,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = hctx_sys_openat2(root->fd, rel, &how, sizeof(how));

		if (fd >= 0 || errno != ENOSYS) {
			__atomic_store_n(&openat2_state, 1, __ATOMIC_RELAXED);
			/* a stand-in file where a directory should be */
			if (fd < 0 && errno == ENOTDIR)
				return resolve_in_user_space(root, rel, flags);
			return fd >= 0 ? (int)fd : -errno;
		}
		__atomic_store_n(&openat2_state, -1, __ATOMIC_RELAXED);
	}
	return resolve_in_user_space(root, rel, flags);
}

/*
 * Open the regular file pathfd (O_PATH) refers to, its type already in
 * st, through /proc/self/fd: that reaches the very inode checked, so
 * nothing swapped in since can be opened.
 */
static int open_checked_regular(int pathfd, const struct stat *st, int flags)
{
	char proc[32];
	int fd;

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;	/* a FIFO, socket or device: never opened */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, flags);
	return fd >= 0 ? fd : -errno;
}

/* fd must be the regular file checked (st), or it is closed: -EAGAIN. */
static int same_inode(int fd, const struct stat *st)
{
	struct stat now;

	if (fd < 0)
		return fd;
	if (fstat(fd, &now) == 0 && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino && S_ISREG(now.st_mode))
		return fd;
	close(fd);
	return -EAGAIN;
}

/*
 * A captured root's regular file, never opened before its type is known
 * (opening a device or a FIFO can have side effects): rel resolved to an
 * O_PATH fd, checked, then opened for reading through /proc/self/fd.
 * The slow way (three more syscalls than open_checked_entry): for a
 * link as the last component, which is followed beneath the root.
 */
static int open_resolved_file(struct hostctx_root *root, const char *rel,
			      struct stat *st)
{
	int pathfd = resolve_beneath(root, rel, O_PATH | O_CLOEXEC);
	int fd;

	if (pathfd < 0)
		return pathfd;
	if (fstat(pathfd, st) < 0)
		fd = -errno;
	else
		fd = open_checked_regular(pathfd, st, READ_FLAGS);
	if (fd == -ENOENT) {
		/*
		 * No /proc mounted: open the same way once more and keep it
		 * only if it is the file checked.
		 */
		fd = same_inode(resolve_beneath(root, rel, READ_FLAGS), st);
	}
	close(pathfd);
	return fd;
}

/*
 * Entry name of directory dirfd when it is a regular file: looked at
 * first (no link followed), opened only when regular, and kept only when
 * what was opened is what was checked.  Between the look and the open,
 * someone who can write the tree could rename in a device node that
 * root made on the same file system: that device is opened (non-blocking,
 * never as a terminal) and closed unread.  Nobody else can put a device
 * there (mknod needs CAP_MKNOD; a link or a rename never crosses a file
 * system), and the check costs two syscalls where the O_PATH round trip
 * costs five (docs/design.md, "Cost").
 */
static int open_checked_entry(int dirfd, const char *name, struct stat *st)
{
	int fd;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;	/* an entry that is a link */
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;	/* a FIFO, socket or device: never opened */
	fd = openat(dirfd, name, READ_FLAGS | O_NOFOLLOW);
	return same_inode(fd >= 0 ? fd : -errno, st);
}

/*
 * rel's directory resolved beneath the root, then its last component
 * checked and opened from there.  A last component that is a link, ".",
 * "..", or a directory that is a stand-in file takes the slow way.
 */
static int open_captured_path(struct hostctx_root *root, const char *rel,
			      struct stat *st)
{
	const char *slash = strrchr(rel, '/');
	const char *leaf = slash ? slash + 1 : rel;
	char dir[PATH_MAX];
	int dirfd = root->fd, fd;

	if (!*leaf || strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0 ||
	    (slash && (size_t)(slash - rel) >= sizeof(dir)))
		return open_resolved_file(root, rel, st);
	if (slash && slash > rel) {
		memcpy(dir, rel, (size_t)(slash - rel));
		dir[slash - rel] = '\0';
		dirfd = resolve_beneath(root, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd == -ENOTDIR)
			return open_resolved_file(root, rel, st);
		if (dirfd < 0)
			return dirfd;
	}
	fd = open_checked_entry(dirfd, leaf, st);
	if (dirfd != root->fd)
		close(dirfd);
	/* a link to follow, or a directory that is a stand-in file */
	return fd == -ELOOP || fd == -ENOTDIR ? open_resolved_file(root, rel, st) : fd;
}

/*
 * A captured root's regular file (see open_checked_entry).  With
 * at_dir >= 0, rel is one entry of that directory and a link there is
 * not followed.
 */
static int open_captured_file(struct hostctx_root *root, int at_dir,
			      const char *rel, size_t *ret_size)
{
	struct stat st;
	int fd = at_dir >= 0 ? open_checked_entry(at_dir, rel, &st)
			     : open_captured_path(root, rel, &st);

	if (fd >= 0)
		*ret_size = (size_t)st.st_size;
	return fd;
}

/* The live root is "/": nothing to leave, plain openat is exact. */
static int open_live(struct hostctx_root *root, int at_dir, const char *rel,
		     int flags)
{
	int fd = at_dir >= 0 ? openat(at_dir, rel, flags | O_NOFOLLOW)
			     : openat(root->fd, rel, flags);

	return fd >= 0 ? fd : -errno;
}

/*
 * A FIFO, socket or device where a file should be is unreadable, and
 * under a captured root never even opened.  On the live system the
 * sources are procfs and sysfs, which hold regular files, directories
 * and symlinks only: there the type check is skipped (38 fstat calls a
 * snapshot pair) and a directory still fails, at read() with EISDIR.
 */
static int open_file(struct hostctx_root *root, int at_dir, const char *rel,
		     size_t *ret_end)
{
	int fd;

	*ret_end = SHORT_IS_END;
	fd = root->live ? open_live(root, at_dir, rel, READ_FLAGS)
			: open_captured_file(root, at_dir, rel, ret_end);
	return hctx_fd_above_stdio(fd);
}

int hctx_open(struct hostctx_root *root, const char *rel, bool want_dir)
{
	size_t end;
	int fd;

	if (!want_dir)
		return open_file(root, -1, rel, &end);
	/* O_DIRECTORY refuses anything else before a driver's open runs */
	fd = root->live ? open_live(root, -1, rel, READ_FLAGS | O_DIRECTORY)
			: resolve_beneath(root, rel, READ_FLAGS | O_DIRECTORY);
	return hctx_fd_above_stdio(fd);
}

int hctx_open_dir_at(int dirfd, const char *name)
{
	int fd;

	if (strchr(name, '/'))
		return -EINVAL;
	/* O_DIRECTORY refuses anything else before a driver's open runs */
	fd = openat(dirfd, name, READ_FLAGS | O_DIRECTORY | O_NOFOLLOW);
	return hctx_fd_above_stdio(fd >= 0 ? fd : -errno);
}

/*
 * Read to the end, or to end (see READ_TO_EOF): procfs and sysfs files
 * of one record (every one read through here; cpuinfo has its own loop)
 * hand over their whole text in the first read that has room for it,
 * and a captured tree's regular file holds the size it was checked at,
 * so the read that would return 0 can be spared.  A file that grew since
 * is read on to its end.
 */
static ssize_t read_fd(int fd, char *buf, size_t cap, size_t end)
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
		n = hctx_read_some(fd, buf + len, want);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > cap)
			return -EFBIG;
		if (end == SHORT_IS_END ? (size_t)n < want : len == end)
			break;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t hctx_read_file(struct hostctx_root *root, const char *rel, char *buf,
		       size_t cap)
{
	ssize_t n;

	if (hctx_prefetch_serve(root, rel, buf, cap, &n))
		return n;
	return hctx_read_file_direct(root, rel, buf, cap);
}

ssize_t hctx_read_file_direct(struct hostctx_root *root, const char *rel, char *buf,
			      size_t cap)
{
	size_t end;
	int fd = open_file(root, -1, rel, &end);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read_fd(fd, buf, cap, end);
	close(fd);
	return n;
}

int hctx_read_alloc(struct hostctx_root *root, const char *rel, size_t cap,
		      char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = hctx_open(root, rel, false);
	size_t len = 0, size = 16384;
	char *buf;

	if (fd < 0)
		return fd;
	buf = malloc(size + 1);
	for (;;) {
		ssize_t n;

		if (!buf)
			return -ENOMEM;
		n = hctx_read_some(fd, buf + len, size - len);
		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size) {
			char *bigger = size >= cap ? NULL : realloc(buf, 2 * size + 1);

			if (!bigger) {
				free(buf);
				return size >= cap ? -EFBIG : -ENOMEM;
			}
			buf = bigger;
			size *= 2;
		}
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The trimmed text of the scratch buffer, charged to the snapshot's budget. */
static int keep_trimmed(struct hostctx_root *root, size_t n, char **ret)
{
	int r = hctx_parse_trimmed(root->scratch, n, ret);
	size_t len;

	if (r < 0)
		return r;
	len = strlen(*ret);
	if (len > root->text_budget) {
		free(*ret);
		*ret = NULL;
		root->text_budget = 0;
		root->over_budget = true;
		return -E2BIG;
	}
	root->text_budget -= len;
	return 0;
}

/*
 * Once the budget is spent, a file is only probed (its first bytes): a
 * field it would have filled is cut short, one with nothing there is
 * absent as ever.  n: what the probe read (-EFBIG: more than it asked).
 */
#define BUDGET_PROBE 64
static int refuse_for_budget(struct hostctx_root *root, ssize_t n)
{
	const char *text = root->scratch;
	size_t len = n > 0 ? (size_t)n : 0;

	if (n < 0 && n != -EFBIG)
		return (int)n;
	if (n >= 0) {
		hctx_trim(&text, &len);
		if (len == 0)
			return -ENODATA;
	}
	root->over_budget = true;
	return -E2BIG;
}

int hctx_read_trimmed(struct hostctx_root *root, const char *rel, char **ret)
{
	ssize_t n;

	if (root->text_budget == 0)
		return refuse_for_budget(root, hctx_read_file(root, rel, root->scratch,
							      BUDGET_PROBE));
	n = hctx_read_file(root, rel, root->scratch, HCTX_READ_CAP);
	if (n < 0)
		return (int)n;
	return keep_trimmed(root, (size_t)n, ret);
}

int hctx_read_trimmed_at(struct hostctx_root *root, int dirfd,
			 const char *name, char **ret)
{
	size_t end;
	int fd;
	ssize_t n;

	/* name is one component of a directory opened beneath the root. */
	if (strchr(name, '/'))
		return -EINVAL;
	fd = open_file(root, dirfd, name, &end);
	if (fd < 0)
		return fd;
	n = read_fd(fd, root->scratch, root->text_budget ? HCTX_READ_CAP : BUDGET_PROBE, end);
	close(fd);
	if (root->text_budget == 0)
		return refuse_for_budget(root, n);
	if (n < 0)
		return (int)n;
	return keep_trimmed(root, (size_t)n, ret);
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
	int fd = hctx_open(root, rel, true);
	int r;

	if (fd < 0)
		return fd;
	r = hctx_list_dir_fd(root, fd, fn, userdata);
	close(fd);
	return r;
}

/* The largest linux_dirent64: its header, a 255-byte name, NUL, padding. */
#define DIRENT_MAX (offsetof(struct linux_dirent64, d_name) + 256 + 8)

int hctx_list_dir_fd(struct hostctx_root *root, int fd, hctx_dirent_fn fn,
		     void *userdata)
{
	/* One big getdents64 beats readdir's 32 KiB steps on /proc/sys/kernel. */
	char *buf = root->dirbuf;
	int r = 0;

	for (;;) {
		long n = hctx_sys_getdents64(fd, buf, HCTX_DIRBUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* the kernel's ENOMEM: an unreadable directory */
			r = errno == ENOMEM ? -EIO : -errno;
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
				return r < 0 ? r : 0;
		}
		/*
		 * procfs and sysfs fill the buffer while the next entry fits:
		 * room left for the longest one means the end, and the call
		 * that would return 0 is spared (one a directory; /proc/sys
		 * has 61).  A captured tree may be on a file system that
		 * returns less (FUSE): there the end is read.
		 */
		if (root->live && (size_t)n + DIRENT_MAX <= HCTX_DIRBUF)
			break;
	}
	return r < 0 ? r : 0;
}
