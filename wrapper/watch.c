/* SPDX-License-Identifier: MIT */
/*
 * watch.c - --watch-writes: who wrote host settings during the run
 * (docs/design.md, "Write attribution").  The observer is this process:
 * the command runs as it would without us, and its only cost is the
 * kernel queueing an event per write on the watched file systems.
 *
 *  - As root on the live system: one fanotify group, classic fd mode,
 *    filesystem marks (mount marks on kernels without them) on /proc
 *    and /sys for FAN_MODIFY | FAN_CLOSE_WRITE.  Each event carries the
 *    writer's pid and an fd of the file: its path is read from
 *    /proc/self/fd and the fd closed at once.  Permission events and
 *    FID mode do not work on procfs and sysfs.
 *  - Otherwise (no privilege, a container's EPERM, or --root): inotify
 *    watches on every directory of proc/sys and on the /sys sources'
 *    directories beneath the root (lib/writes.c lists them); no pid.
 * Both are drained from the wait loop (a signalfd makes the blocked
 * signals pollable beside the watch), not only at the end, so that the
 * kernel's queue (16384 events by default) overflows only under a
 * flood, which the record then says.  Every fd is close-on-exec and
 * made after the fork: the command never holds one.
 */
#include "run.h"
#include "../lib/writes.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define FAN_EVENTS (FAN_MODIFY | FAN_CLOSE_WRITE)
#define IN_EVENTS (IN_MODIFY | IN_CLOSE_WRITE | IN_ONLYDIR)
/* Reads per drain: a flood is served in slices, between signals. */
#define DRAIN_READS 64
/* Parents looked at for by_command; deeper trees are unknown. */
#define ANCESTRY_MAX 64

/* ---- setting up ------------------------------------------------------ */

static int mark_fs(int fd, const char *path)
{
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_EVENTS, AT_FDCWD,
			  path) == 0)
		return 0;
	if (errno == EINVAL &&	/* before Linux 4.20: the mount alone */
	    fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_EVENTS, AT_FDCWD, path) == 0)
		return 0;
	return -errno;
}

/* The live /proc and /sys, which the command sees too (same namespace). */
static int start_fanotify(struct run_watch *w)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	fd = run_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	if (mark_fs(fd, "/proc") < 0 || mark_fs(fd, "/sys") < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	w->fd = fd;
	w->fanotify = true;
	return 0;
}

/* Directories of the rest of /proc/sys walked between two polls (~25 us each). */
#define WALK_STEP_DIRS 4

/* The wd -> directory table: inotify names a file by its directory's wd. */
static int remember_dir(struct run_watch *w, int wd, const char *rel)
{
	if ((size_t)wd >= w->n_dirs) {
		size_t n = (size_t)wd + 64;
		char **dirs = realloc(w->dirs, n * sizeof(*dirs));

		if (!dirs)
			return -ENOMEM;
		memset(dirs + w->n_dirs, 0, (n - w->n_dirs) * sizeof(*dirs));
		w->dirs = dirs;
		w->n_dirs = n;
	}
	if (w->dirs[wd])
		return 0;	/* reached again through a link: the first path stays */
	w->dirs[wd] = strdup(rel);
	return w->dirs[wd] ? 0 : -ENOMEM;
}

/* hctx_watch_dirs' callback: watch the directory the root layer opened. */
static int watch_dir(void *userdata, const char *rel, int dirfd)
{
	struct run_watch *w = userdata;
	char self_fd[64];
	int wd;

	snprintf(self_fd, sizeof(self_fd), "/proc/self/fd/%d", dirfd);
	wd = inotify_add_watch(w->fd, self_fd, IN_EVENTS);
	if (wd < 0) {
		w->unwatched++;	/* ENOSPC: fs.inotify.max_user_watches */
		return 0;
	}
	return remember_dir(w, wd, rel);
}

/*
 * On the live system the walk of all /proc/sys costs ~2 ms (docs/design.md,
 * "Cost"): the command waits only for its sources' directories.  A tree
 * under --root is watched whole before the release.
 */
static int start_inotify(struct run_watch *w, struct hostctx_root *root)
{
	enum hctx_watch_part part = hostctx_root_is_live(root) ? HCTX_WATCH_SOURCES
								 : HCTX_WATCH_ALL;
	size_t skipped = 0;
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), r;

	if (fd < 0)
		return -errno;
	fd = run_fd_above_stdio(fd);
	if (fd < 0)
		return fd;
	w->fd = fd;
	r = hctx_watch_dirs(root, part, watch_dir, w, &skipped);
	w->unwatched += skipped;
	if (r == 0 && part == HCTX_WATCH_SOURCES)
		r = hctx_watch_walk_new(root, &w->walk);
	return r;
}

/*
 * A few more directories of the rest of /proc/sys, between two polls
 * of the wait loop: the wrapper never makes the command's end wait for
 * the walk.  Done: the record says from when all was watched.
 */
static void walk_some(struct run_watch *w)
{
	size_t skipped = 0;
	struct timespec now;
	int r = hctx_watch_walk_step(w->walk, WALK_STEP_DIRS, watch_dir, w, &skipped);

	if (r == 0)
		return;
	if (r < 0)
		w->lost = true;	/* what is watched stays; the record says writes may be lost */
	w->unwatched += skipped;
	hctx_watch_walk_free(w->walk);
	w->walk = NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	w->late_watch = true;
	w->all_watched_at = (double)(now.tv_sec - w->started.tv_sec) +
			    (double)(now.tv_nsec - w->started.tv_nsec) / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void run_watch_init(struct run_watch *w)
{
	*w = (struct run_watch){ .fd = -1, .sigfd = -1 };
}

int run_watch_start(struct run_watch *w, struct hostctx_root *root,
		    const struct run_signals *sigs, pid_t self, pid_t command,
		    bool subreaper)
{
	int r;

	*w = (struct run_watch){ .fd = -1, .sigfd = -1, .self = self, .command = command,
				 .subreaper = subreaper };
	clock_gettime(CLOCK_MONOTONIC, &w->started);
	w->sigfd = signalfd(-1, &sigs->waitset, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->sigfd < 0)
		return -errno;
	w->sigfd = run_fd_above_stdio(w->sigfd);
	if (w->sigfd < 0)
		return w->sigfd;
	/* refused without privilege or in a container: inotify, silently */
	if (hostctx_root_is_live(root) && start_fanotify(w) == 0)
		return 0;
	r = start_inotify(w, root);
	if (r < 0)
		run_watch_close(w);
	return r;
}

const char *run_watch_source(const struct run_watch *w)
{
	if (w->fd < 0)
		return NULL;
	return w->fanotify ? "fanotify" : "inotify";
}

void run_watch_released(struct run_watch *w, const struct timespec *released)
{
	w->started = *released;
}

/* ---- the writer -------------------------------------------------------- */

/* comm and ppid of pid from /proc (bookkeeping: the live system). */
static int read_stat(long pid, char *comm, size_t size, long *ret_ppid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	return hctx_parse_stat_comm_ppid(buf, (size_t)n, comm, size, ret_ppid);
}

/*
 * Whether pid is the command or below it, through the parents: 1, 0,
 * or -1 when a process on the way is gone.  The wrapper's own children
 * are the command and, as a subreaper (--wait-descendants), its orphans;
 * without that an orphan belongs to init, and counts as not the
 * command's (docs/json-format.md, "writes").
 */
static int below_command(const struct run_watch *w, long pid, long ppid)
{
	char comm[32];

	if (pid == w->command)
		return 1;
	for (int depth = 0; depth < ANCESTRY_MAX; depth++) {
		if (ppid == w->command)
			return 1;
		if (ppid == w->self)
			return w->subreaper;
		if (ppid <= 1)
			return 0;
		if (read_stat(ppid, comm, sizeof(comm), &ppid) < 0)
			return -1;
	}
	return -1;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	return s > 0 ? s : 0;	/* a write before the release: at the start */
}

/* Look the writer up now, while it may still exist; details only while listed. */
static void note_event(struct run_watch *w, struct hostctx_sidecar *sc,
		       struct hctx_write_event *ev)
{
	char comm[32];
	long ppid = 0;

	ev->seconds = seconds_since(&w->started);
	ev->by_command = -1;
	if (ev->pid > 0 && hostctx_sidecar_write_count(sc) < HOSTCTX_WRITES_LISTED_MAX &&
	    read_stat(ev->pid, comm, sizeof(comm), &ppid) == 0) {
		ev->comm = comm;
		ev->by_command = below_command(w, ev->pid, ppid);
	}
	if (hctx_write_log_event(&w->log, sc, ev) < 0)
		w->lost = true;
}

/* ---- draining ----------------------------------------------------------- */

static void fanotify_event(struct run_watch *w, struct hostctx_sidecar *sc,
			   const struct fanotify_event_metadata *m)
{
	char self_fd[64], path[4096];
	struct hctx_write_event ev = { .pid = m->pid,
				       .modified = (m->mask & FAN_MODIFY) != 0,
				       .closed = (m->mask & FAN_CLOSE_WRITE) != 0 };
	ssize_t n;

	snprintf(self_fd, sizeof(self_fd), "/proc/self/fd/%d", m->fd);
	n = readlink(self_fd, path, sizeof(path) - 1);
	close(m->fd);
	if (n <= 1 || path[0] != '/' || (size_t)n >= sizeof(path) - 1)
		return;
	path[n] = '\0';
	ev.rel = path + 1;
	if (hctx_write_is_watched(ev.rel) && m->pid != w->self)
		note_event(w, sc, &ev);
}

static void drain_fanotify(struct run_watch *w, struct hostctx_sidecar *sc)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (int i = 0; i < DRAIN_READS; i++) {
		const struct fanotify_event_metadata *m = (const void *)buf;
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0 && errno == EAGAIN)
			return;
		/*
		 * Any other error: the kernel could not open the file of an
		 * event (a write-only file such as vm/drop_caches, a gone
		 * process's /proc entry) and dropped that event alone.
		 */
		if (n <= 0)
			continue;
		for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
			if (m->vers != FANOTIFY_METADATA_VERSION)
				return;
			if (m->mask & FAN_Q_OVERFLOW)
				w->overflowed = true;
			if (m->fd >= 0)
				fanotify_event(w, sc, m);
		}
	}
}

static void inotify_event(struct run_watch *w, struct hostctx_sidecar *sc,
			  const struct inotify_event *e)
{
	char rel[4096];
	struct hctx_write_event ev = { .modified = (e->mask & IN_MODIFY) != 0,
				       .closed = (e->mask & IN_CLOSE_WRITE) != 0 };
	int n;

	if (e->wd < 0 || (size_t)e->wd >= w->n_dirs || !w->dirs[e->wd] || !e->len)
		return;
	n = snprintf(rel, sizeof(rel), "%s/%s", w->dirs[e->wd], e->name);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return;
	ev.rel = rel;
	if (hctx_write_is_watched(rel))
		note_event(w, sc, &ev);
}

static void drain_inotify(struct run_watch *w, struct hostctx_sidecar *sc)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (int i = 0; i < DRAIN_READS; i++) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *e = (const void *)(buf + off);

			if (e->mask & IN_Q_OVERFLOW)
				w->overflowed = true;
			else if (e->mask & (IN_MODIFY | IN_CLOSE_WRITE))
				inotify_event(w, sc, e);
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
}

/* sc may be NULL (no record could be built): the queue is drained anyway. */
static void drain(struct run_watch *w, struct hostctx_sidecar *sc)
{
	if (!sc) {	/* a record of our own to drop the entries into */
		if (!w->sink && (hostctx_sidecar_new(&w->sink) < 0 ||
				 hostctx_sidecar_set_writes_source(w->sink, "inotify") < 0))
			return;
		sc = w->sink;
	}
	if (w->fanotify)
		drain_fanotify(w, sc);
	else
		drain_inotify(w, sc);
}

int run_watch_wait(struct run_watch *w, struct hostctx_sidecar *sc, const sigset_t *waitset,
		   siginfo_t *si, double seconds)
{
	struct pollfd fds[2] = { { .fd = w->sigfd, .events = POLLIN },
				 { .fd = w->fd, .events = POLLIN } };
	const struct timespec now = { 0, 0 };
	int r;

	if (w->walk)
		walk_some(w);
	/* while the walk lasts, a poll that does not wait: the caller reaps */
	r = poll(fds, 2, w->walk ? 0 : (int)(seconds * 1000));

	if (r > 0 && (fds[1].revents & POLLIN))
		drain(w, sc);
	/* the signalfd only says one is pending: take it with its siginfo */
	if (r > 0 && (fds[0].revents & POLLIN))
		return sigtimedwait(waitset, si, &now);
	errno = r < 0 ? errno : EAGAIN;
	return -1;
}

void run_watch_finish(struct run_watch *w, struct hostctx_sidecar *sc)
{
	if (w->fd < 0)
		return;
	drain(w, sc);
	if (sc) {
		if (hctx_write_log_finish(&w->log, sc) < 0)
			w->lost = true;
		hostctx_sidecar_set_writes_overflowed(sc, w->overflowed || w->lost);
		hostctx_sidecar_set_writes_unwatched(sc, w->unwatched);
		if (w->late_watch)
			hostctx_sidecar_set_writes_all_watched_at(sc, w->all_watched_at);
		/* the command ended first: its sources' directories only */
		hostctx_sidecar_set_writes_sources_only(sc, w->walk != NULL);
	}
	hctx_write_log_clear(&w->log);
}

void run_watch_close(struct run_watch *w)
{
	hctx_watch_walk_free(w->walk);
	w->walk = NULL;
	close_fd(&w->fd);
	close_fd(&w->sigfd);
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i]);
	free(w->dirs);
	w->dirs = NULL;
	w->n_dirs = 0;
	hctx_write_log_clear(&w->log);
	hostctx_sidecar_free(w->sink);
	w->sink = NULL;
}
