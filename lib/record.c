/* SPDX-License-Identifier: MIT */
/*
 * record.c - writing sidecar records safely (docs/design.md, "Writing
 * records").
 *
 * Every step is relative to a directory fd opened once, without
 * following a symbolic link that another user could have planted
 * (hctx_dir_open_safe), so a path component swapped during a run cannot
 * redirect a later write.  A record is then:
 *
 *  - made as an unnamed O_TMPFILE in that directory where the file
 *    system supports it (a random name with O_CREAT|O_EXCL|O_NOFOLLOW
 *    elsewhere), filled, given mode 0644 and flushed;
 *  - published with linkat().  A new name (hctx_create_unique_at) is
 *    linked directly: "-1", "-2", ... suffixes until one is free, never
 *    replacing anything, and a kill at any moment leaves no litter.  A
 *    replacement (hctx_write_at) is linked under a random name and
 *    swapped in with renameat2(RENAME_EXCHANGE), then the old content,
 *    now under that name, is unlinked: a reader sees the old file or
 *    the new one, never a part.  Those steps run in a helper task a
 *    kill of the writer does not reach (swap_in_helper), so a kill
 *    leaves no temporary name either.  The exchange
 *    rather than a rename over the file: ext4 allocates a renamed-over
 *    file's blocks at once (auto_da_alloc), which measured 90-200 us
 *    against ~60 us.
 *
 * An existing target that is not a regular file is never replaced.
 */
#include "internal.h"
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define RECORD_SUFFIX ".hostctx.json"
#define RECORD_MODE 0644
#define MAX_UNIQUE_TRIES 10000
#define STEM_BASENAME_MAX 128	/* keeps names far below NAME_MAX */
#define MAX_TRUSTED_LINKS 40	/* as the kernel's MAXSYMLINKS */

/* ---- opening the directory ----------------------------------------- */

/* A symbolic link we may follow: the caller's own or root's. */
static bool link_is_trusted(int dirfd, const char *name, struct stat *st)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISLNK(st->st_mode) &&
	       (st->st_uid == geteuid() || st->st_uid == 0);
}

/* One resolution: its options and what happened. */
struct walk {
	bool create;		/* make missing components */
	bool mkdir_failed;	/* making one failed: the error is mkdir's */
	int links;		/* trusted links followed so far */
};

static int walk(int fd, const char *path, struct walk *w);

/* Component name of fd is a symbolic link: follow it if trusted. */
static int follow_link(int fd, const char *name, struct walk *w)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (!link_is_trusted(fd, name, &st))
		return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	if (++w->links > MAX_TRUSTED_LINKS)
		return -ELOOP;
	n = readlinkat(fd, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return walk(fd, target, w);
}

/* One component: its O_PATH fd, or -errno. */
static int open_component(int fd, const char *name, struct walk *w)
{
	int sub;

	for (int tries = 0; tries < 2; tries++) {
		sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC);
		if (sub >= 0)
			return sub;
		if (errno != ENOENT || !w->create || tries > 0)
			break;
		if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST) {
			w->mkdir_failed = true;
			return -errno;
		}
	}
	/* O_PATH|O_NOFOLLOW on a link gives ENOTDIR (ELOOP without O_PATH). */
	if (errno == ENOTDIR || errno == ELOOP)
		return follow_link(fd, name, w);
	return -errno;
}

/*
 * Resolve path from fd (an absolute path from "/") one component at a
 * time.  Returns a new O_PATH fd; fd itself stays open.
 */
static int walk(int fd, const char *path, struct walk *w)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *comp;
	int cur;

	cur = openat(path[0] == '/' ? AT_FDCWD : fd, path[0] == '/' ? "/" : ".",
		     O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	copy = strdup(path);
	if (!copy) {
		close(cur);
		return -ENOMEM;
	}
	for (comp = strtok_r(copy, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		int next;

		if (strcmp(comp, ".") == 0)
			continue;
		next = open_component(cur, comp, w);
		close(cur);
		if (next < 0)
			return next;
		cur = next;
	}
	return cur;
}

/* openat2 without any symbolic link: -EAGAIN when it cannot answer. */
static int open_without_links(const char *dir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));

	if (fd >= 0)
		return (int)fd;
	/*
	 * ELOOP: a link somewhere (maybe a trusted one); ENOENT: maybe to
	 * create; ENOSYS, EPERM (seccomp), E2BIG, EINVAL: no openat2.
	 */
	if (errno == ELOOP || errno == ENOENT || errno == ENOSYS ||
	    errno == EPERM || errno == E2BIG || errno == EINVAL)
		return -EAGAIN;
	return -errno;
}

int hctx_dir_make_safe(const char *dir, int *ret_fd, bool *ret_mkdir_failed)
{
	struct walk w = { .create = ret_mkdir_failed != NULL };
	int fd;

	if (!dir || !*dir || !ret_fd)
		return -EINVAL;
	fd = open_without_links(dir);
	if (fd == -EAGAIN)
		fd = walk(AT_FDCWD, dir, &w);
	if (ret_mkdir_failed)
		*ret_mkdir_failed = w.mkdir_failed;
	if (fd < 0)
		return fd;
	fd = hctx_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

int hctx_dir_open_safe(const char *dir, bool create, int *ret_fd)
{
	bool mkdir_failed;

	return hctx_dir_make_safe(dir, ret_fd, create ? &mkdir_failed : NULL);
}

/* ---- the write guard ------------------------------------------------ */

static const int guarded_signals[] = { SIGPIPE, SIGXFSZ };

void hctx_write_guard_enter(struct hctx_write_guard *g)
{
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(guarded_signals) / sizeof(int); i++)
		sigaddset(&block, guarded_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &g->old_mask);
	sigpending(&g->pending_before);
}

/* Our own write's SIGPIPE/SIGXFSZ: SI_USER from ourselves (send_sig). */
static bool raised_by_our_write(const siginfo_t *si)
{
	return si->si_code == SI_USER && si->si_pid == getpid();
}

/*
 * A standard signal is pending at most once: take it with its siginfo;
 * drop it when our write raised it, queue it again (to this thread,
 * which has it blocked, with the sender's siginfo: the kernel allows
 * any si_code to oneself) when another process sent it.
 */
static void settle_pending(int sig)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t one;
	int got;

	sigemptyset(&one);
	sigaddset(&one, sig);
	do
		got = sigtimedwait(&one, &si, &zero);
	while (got < 0 && errno == EINTR);
	if (got != sig || raised_by_our_write(&si))
		return;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, &si);
}

void hctx_write_guard_leave(struct hctx_write_guard *g)
{
	int saved_errno = errno;
	sigset_t now;

	sigpending(&now);
	for (size_t i = 0; i < sizeof(guarded_signals) / sizeof(int); i++) {
		int sig = guarded_signals[i];

		/* One pending before we started is not ours: leave it. */
		if (sigismember(&now, sig) &&
		    !sigismember(&g->pending_before, sig))
			settle_pending(sig);
	}
	sigprocmask(SIG_SETMASK, &g->old_mask, NULL);
	errno = saved_errno;
}

/* ---- making the file ------------------------------------------------ */

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ".<16 hex>.hostctx.json.tmp": unpredictable, never a record's name. */
static void temp_name(char *buf, size_t cap)
{
	uint64_t rnd;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		/* No entropy yet (early boot): O_EXCL still protects us. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		rnd = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		      ((uint64_t)getpid() << 40);
	}
	snprintf(buf, cap, ".%016llx" RECORD_SUFFIX ".tmp",
		 (unsigned long long)rnd);
}

/* A record file being made: unnamed (O_TMPFILE) or under tmp. */
struct pending_file {
	int fd;
	bool named;
	char tmp[64];
	mode_t mode;	/* given to the file before its first byte */
};

static int open_pending(int dirfd, struct pending_file *pf, bool unnamed)
{
	int fd = -1;

	if (unnamed)
		fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	pf->named = fd < 0;
	if (fd < 0) {
		/* EOPNOTSUPP, EISDIR (old kernel), EINVAL: no O_TMPFILE. */
		if (unnamed && errno != EOPNOTSUPP && errno != EISDIR &&
		    errno != EINVAL)
			return -errno;
		for (int tries = 0; tries < 8 && fd < 0; tries++) {
			temp_name(pf->tmp, sizeof(pf->tmp));
			fd = openat(dirfd, pf->tmp, O_WRONLY | O_CREAT | O_EXCL |
					O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
			if (fd < 0 && errno != EEXIST)
				return -errno;
		}
		if (fd < 0)
			return -EEXIST;
	}
	/* Never hold 0-2, even briefly: a caller may have closed them. */
	pf->fd = hctx_fd_above_stdio(fd);
	if (pf->fd < 0 && pf->named)
		unlinkat(dirfd, pf->tmp, 0);
	return pf->fd < 0 ? pf->fd : 0;
}

/*
 * close() is where NFS and FUSE report delayed write errors; closing a
 * duplicate flushes the same way and keeps fd for linkat.
 */
static int flush_by_close(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (dup_fd < 0)
		return -errno;
	if (close(dup_fd) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

static void discard_pending(int dirfd, struct pending_file *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	pf->fd = -1;
	if (pf->named)
		unlinkat(dirfd, pf->tmp, 0);
}

static int fill_pending(int dirfd, struct pending_file *pf, bool unnamed,
			const void *data, size_t len, unsigned flags)
{
	int r = open_pending(dirfd, pf, unnamed);

	if (r < 0)
		return r;
	r = fchmod(pf->fd, pf->mode) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(pf->fd, data, len);
	if (r == 0 && (flags & HOSTCTX_WRITE_FSYNC) && fsync(pf->fd) < 0)
		r = -errno;
	if (r == 0)
		r = flush_by_close(pf->fd);
	if (r < 0)
		discard_pending(dirfd, pf);
	return r;
}

/*
 * Give the file name in dirfd, never replacing: 0, -EEXIST, -errno.
 * An O_TMPFILE is linked through /proc/self/fd (no capability needed),
 * else with AT_EMPTY_PATH (CAP_DAC_READ_SEARCH); -EOPNOTSUPP when
 * neither works (no /proc in a chroot): the caller starts over named.
 */
static int link_pending(int dirfd, struct pending_file *pf, const char *name)
{
	char proc[40];

	if (pf->named) {
		if (renameat2(dirfd, pf->tmp, dirfd, name, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* No RENAME_NOREPLACE here: link refuses an existing name. */
		if (linkat(dirfd, pf->tmp, dirfd, name, 0) < 0)
			return -errno;
		unlinkat(dirfd, pf->tmp, 0);
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pf->fd);
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (linkat(pf->fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	return errno == EEXIST ? -EEXIST : -EOPNOTSUPP;
}

/* ---- publishing ----------------------------------------------------- */

static int fsync_dir(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
						    O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

/* 1: name is free; 0: a regular file; HCTX_E_NOT_REGULAR; -errno. */
static int target_state(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 1 : -errno;
	return S_ISREG(st.st_mode) ? 0 : -HCTX_E_NOT_REGULAR;
}

/*
 * Swap tmp in for name.  What comes out under tmp is checked again: a
 * non-regular file put there since target_state is swapped back.
 */
static int exchange_in(int dirfd, const char *tmp, const char *name)
{
	int r;

	if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) < 0) {
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* No exchange on this file system: a plain rename. */
		return renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0;
	}
	r = target_state(dirfd, tmp);
	if (r == -HCTX_E_NOT_REGULAR) {
		if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) < 0)
			return -errno;	/* cannot happen: keep tmp, say so */
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	unlinkat(dirfd, tmp, 0);
	return 0;
}

/* The unnamed file's swap for name, through a temporary name. */
struct swap_job {
	int dirfd;
	struct pending_file *pf;
	const char *name;
	char tmp[64];
};

/* 0 or a negative errno. */
static int swap_in(struct swap_job *job)
{
	int r = link_pending(job->dirfd, job->pf, job->tmp);

	if (r == 0) {
		r = exchange_in(job->dirfd, job->tmp, job->name);
		if (r < 0)
			unlinkat(job->dirfd, job->tmp, 0);
	}
	return r;
}

/* The helper's exit status: 0 or a positive errno (all below 256). */
static int swap_in_task(void *arg)
{
	setpgid(0, 0);
	return -swap_in(arg);
}

/*
 * The temporary name lives for four system calls (link, exchange,
 * check, unlink); a SIGKILL between them would leave it behind.  They
 * run in a helper task that shares our memory and files and that we
 * wait for (CLONE_VM | CLONE_VFORK, on a stack in this frame, idle
 * while we wait).  A kill of the writer, or of its process group (the
 * helper makes a group of its own before the temporary name exists),
 * does not reach it, and it finishes the swap.  No exit signal: a
 * program recorded through the preload sees no SIGCHLD and no child in
 * wait(-1).  About 25 us.  The result comes back in the exit status,
 * not in shared memory: valgrind runs a CLONE_VFORK child as a fork.
 * 1: no helper (RLIMIT_NPROC, a seccomp filter); swap in this task.
 */
static int swap_in_helper(struct swap_job *job)
{
	_Alignas(16) char stack[16384];
	int status, pid;

	pid = clone(swap_in_task, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK, job);
	if (pid < 0)
		return 1;
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -EIO;
	return -WEXITSTATUS(status);
}

/* Put the filled file at name, replacing a regular file there. */
static int publish_replace(int dirfd, struct pending_file *pf,
			   const char *name)
{
	struct swap_job job = { .dirfd = dirfd, .pf = pf, .name = name };
	int r = target_state(dirfd, name);

	if (r < 0)
		return r;
	if (r == 1) {
		/* Nothing there yet: no temporary name at all. */
		r = link_pending(dirfd, pf, name);
		if (r != -EEXIST)
			return r;
	}
	if (pf->named)
		return exchange_in(dirfd, pf->tmp, name);
	temp_name(job.tmp, sizeof(job.tmp));
	r = swap_in_helper(&job);
	return r == 1 ? swap_in(&job) : r;
}

/* Link the filled file under the first free name of stem. */
static int publish_unique(int dirfd, struct pending_file *pf,
			  const char *stem, char **ret_name)
{
	char name[NAME_MAX + 1];
	int r = -EEXIST;

	for (unsigned n = 0; r == -EEXIST && n <= MAX_UNIQUE_TRIES; n++) {
		int len = n == 0 ?
			snprintf(name, sizeof(name), "%s" RECORD_SUFFIX, stem) :
			snprintf(name, sizeof(name), "%s-%u" RECORD_SUFFIX,
				 stem, n);

		if (len < 0 || (size_t)len >= sizeof(name))
			return -ENAMETOOLONG;
		r = link_pending(dirfd, pf, name);
	}
	if (r < 0)
		return r;
	*ret_name = strdup(name);
	return *ret_name ? 0 : -ENOMEM;
}

/* stem NULL: replace name; else create a new name from stem. */
static int publish(int dirfd, struct pending_file *pf, const char *name,
		   const char *stem, char **ret_name)
{
	int r = stem ? publish_unique(dirfd, pf, stem, ret_name) :
		       publish_replace(dirfd, pf, name);

	/* The temporary name is gone (renamed, or exchanged and unlinked). */
	if (r == 0 && pf->named)
		pf->named = false;
	return r;
}

/* Fill and publish; when linking an O_TMPFILE is impossible, named. */
static int write_record(int dirfd, const void *data, size_t len,
			unsigned flags, const char *name, const char *stem,
			char **ret_name)
{
	struct hctx_write_guard guard;
	struct pending_file pf = { .fd = -1, .mode = RECORD_MODE };
	struct stat old;
	int r;

	if (dirfd < 0 || (!data && len > 0))
		return -EINVAL;
	/*
	 * KEEP_MODE: the replacement has the old file's permissions from its
	 * creation on, so a 0600 file is never readable by others between
	 * the rename and a later chmod.
	 */
	if ((flags & HOSTCTX_WRITE_KEEP_MODE) && name &&
	    fstatat(dirfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode))
		pf.mode = old.st_mode & 07777;
	hctx_write_guard_enter(&guard);
	r = fill_pending(dirfd, &pf, true, data, len, flags);
	if (r == 0)
		r = publish(dirfd, &pf, name, stem, ret_name);
	if (r == -EOPNOTSUPP && !pf.named) {
		discard_pending(dirfd, &pf);
		r = fill_pending(dirfd, &pf, false, data, len, flags);
		if (r == 0)
			r = publish(dirfd, &pf, name, stem, ret_name);
	}
	discard_pending(dirfd, &pf);
	if (r == 0 && (flags & HOSTCTX_WRITE_FSYNC))
		r = fsync_dir(dirfd);
	hctx_write_guard_leave(&guard);
	return r;
}

int hctx_write_at(int dirfd, const char *name, const void *data, size_t len,
		  unsigned flags)
{
	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	return write_record(dirfd, data, len, flags, name, NULL, NULL);
}

int hctx_create_unique_at(int dirfd, const char *stem, const void *data,
			  size_t len, unsigned flags, char **ret_name)
{
	if (!stem || !*stem || strchr(stem, '/') || !ret_name)
		return -EINVAL;
	return write_record(dirfd, data, len, flags, NULL, stem, ret_name);
}

/* ---- reading a record back ------------------------------------------ */

int hctx_read_at(int dirfd, const char *name, size_t cap, char **ret,
		 size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
					 O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fd = hctx_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -HCTX_E_NOT_REGULAR;
	if ((uint64_t)st.st_size > cap)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	/* The size may change under us: read to EOF, within the bound. */
	while (len <= (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size)
		return -EFBIG;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* ---- the public functions ------------------------------------------- */

/* Split path into its directory ("." when none) and its last name. */
static int split_path(const char *path, char **ret_dir, const char **ret_name)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*ret_name = path;
		return (*ret_dir = strdup(".")) ? 0 : -ENOMEM;
	}
	*ret_name = slash + 1;
	if (!**ret_name)
		return -EISDIR;
	*ret_dir = slash == path ? strdup("/") :
				   strndup(path, (size_t)(slash - path));
	return *ret_dir ? 0 : -ENOMEM;
}

HCTX_EXPORT int hostctx_write_atomic(const char *path, const void *data,
				     size_t len, unsigned flags)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *name;
	int r;

	if (!path || !*path || (!data && len > 0))
		return -EINVAL;
	r = split_path(path, &dir, &name);
	if (r == 0)
		r = hctx_dir_open_safe(dir, false, &dirfd);
	if (r == 0)
		r = hctx_write_at(dirfd, name, data, len, flags);
	return r;
}

static int absolute_dir(const char *dir, char **ret)
{
	_cleanup_free_ char *cwd = NULL;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (dir[0] == '/')
		return (*ret = strndup(dir, n)) ? 0 : -ENOMEM;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	if (n == 1 && dir[0] == '.')
		return (*ret = TAKE_PTR(cwd)) ? 0 : -ENOMEM;
	if (asprintf(ret, "%s%s%.*s", cwd, strcmp(cwd, "/") ? "/" : "",
		     (int)n, dir) < 0)
		return -ENOMEM;
	return 0;
}

HCTX_EXPORT int hostctx_create_unique(const char *dir, const char *stem,
				      const void *data, size_t len,
				      unsigned flags, char **ret_path)
{
	_cleanup_free_ char *absdir = NULL, *name = NULL;
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!dir || !*dir || !stem || !*stem || strchr(stem, '/') ||
	    (!data && len > 0) || !ret_path)
		return -EINVAL;
	r = absolute_dir(dir, &absdir);
	if (r == 0)
		r = hctx_dir_open_safe(absdir, true, &dirfd);
	if (r == 0)
		r = hctx_create_unique_at(dirfd, stem, data, len, flags, &name);
	if (r < 0)
		return r;
	if (asprintf(ret_path, "%s%s%s", absdir, strcmp(absdir, "/") ? "/" : "",
		     name) < 0)
		return -ENOMEM;
	return 0;
}

HCTX_EXPORT int hostctx_record_stem(const char *command,
				    const struct timespec *when, long pid,
				    char **ret_stem)
{
	char base[STEM_BASENAME_MAX + 1];
	char stamp[32];
	const char *slash;
	struct hctx_utc u;
	size_t n = 0;

	if (!command || !when || !ret_stem)
		return -EINVAL;
	slash = strrchr(command, '/');
	if (slash)
		command = slash + 1;
	/* Bytes that make names awkward to handle in a shell become '_'. */
	for (; n < STEM_BASENAME_MAX && command[n]; n++) {
		unsigned char c = (unsigned char)command[n];

		base[n] = (c < 0x20 || c == 0x7f) ? '_' : (char)c;
	}
	base[n] = '\0';
	if (n == 0)
		strcpy(base, "command");
	/* ".bashrc-..." would be a hidden file: records must be seen. */
	if (base[0] == '.')
		base[0] = '_';
	hctx_utc_fields(when->tv_sec, &u);
	if (u.year < 0 || u.year > 9999)
		return -EOVERFLOW;
	snprintf(stamp, sizeof(stamp), "%04d%02d%02dT%02d%02d%02dZ", (int)u.year,
		 u.month, u.day, u.hour, u.min, u.sec);
	if (asprintf(ret_stem, "%s-%s-%ld", base, stamp, pid) < 0)
		return -ENOMEM;
	return 0;
}
