/* SPDX-License-Identifier: MIT */
/*
 * writes.h - what hostctx-run --watch-writes needs of the library
 * (lib/writes.c; docs/design.md, "Write attribution"): the watched set
 * of files, the directories to watch beneath a root, the bookkeeping
 * that turns fanotify/inotify events into the record's "writes" entries,
 * and the /proc/PID/stat parser for the writer's name and parent.
 *
 * Private to the project, like recording.h: the wrapper links it from
 * libhostctx.a.  Nothing here reads an event or names a program; the
 * event plumbing is the wrapper's (wrapper/watch.c).  Functions return
 * 0 or a negative errno and never print.
 */
#ifndef HOSTCTX_WRITES_H
#define HOSTCTX_WRITES_H

#include "hostctx.h"

#include <stdbool.h>
#include <stddef.h>

struct hostctx_root;

/*
 * Whether a write to rel (root-relative, no leading '/':
 * "proc/sys/vm/swappiness") is one the record lists: anything beneath
 * proc/sys, or a /sys source of a snapshot field (one table: cpufreq,
 * boost, intel_pstate, amd_pstate, THP, SMT, hugepages, cpuidle).
 */
bool hctx_write_is_watched(const char *rel);

/*
 * The directories an inotify watch needs beneath root, each given to fn
 * with its root-relative path and a directory fd opened through the
 * root-relative layer (valid during the call only): every directory of
 * proc/sys (symbolic links not followed), then those of the /sys
 * sources that exist.  At most HCTX_WATCH_MAX_DIRS; *ret_skipped counts
 * those left out past the bound.  fn returns 0, or < 0 to stop.
 * Returns 0, -ENOMEM, or what fn returned; an unreadable directory is
 * skipped, not an error.
 */
#define HCTX_WATCH_MAX_DIRS 4096
typedef int (*hctx_watch_dir_fn)(void *userdata, const char *rel, int dirfd);
/*
 * Which directories: all of them; or, so that the command need not wait
 * for the walk of all /proc/sys (~2 ms on the live system, the kernel
 * making a dentry per entry), those that hold the snapshot's sources
 * (/proc/sys itself, /proc/sys/kernel, /proc/sys/vm and the /sys
 * sources), the rest to follow through hctx_watch_walk.
 */
enum hctx_watch_part { HCTX_WATCH_ALL, HCTX_WATCH_SOURCES };
int hctx_watch_dirs(struct hostctx_root *root, enum hctx_watch_part part,
		    hctx_watch_dir_fn fn, void *userdata, size_t *ret_skipped);

/*
 * Every directory of proc/sys, a few at a time, so that a wait loop can
 * walk between its polls (a directory watched twice keeps its watch).
 * step visits at most max_dirs: 1 when the walk is done, 0 when more
 * remain, or < 0 as hctx_watch_dirs.
 */
struct hctx_watch_walk;
int hctx_watch_walk_new(struct hostctx_root *root, struct hctx_watch_walk **ret);
int hctx_watch_walk_step(struct hctx_watch_walk *walk, size_t max_dirs,
			 hctx_watch_dir_fn fn, void *userdata, size_t *ret_skipped);
void hctx_watch_walk_free(struct hctx_watch_walk *walk);	/* NULL is fine */

/* One event as the wrapper read it, the writer already looked up. */
struct hctx_write_event {
	const char *rel;	/* root-relative path of the written file */
	long pid;		/* the writer; <= 0: unknown (inotify) */
	const char *comm;	/* NULL: unknown (the writer was gone) */
	int by_command;		/* 1, 0, or < 0: unknown */
	double seconds;		/* since the command was released */
	bool modified;		/* FAN_MODIFY / IN_MODIFY */
	bool closed;		/* FAN_CLOSE_WRITE / IN_CLOSE_WRITE */
};

/*
 * Events to entries: one entry per write-close of a file by one process
 * (an event the kernel merged counts once).  A modification seen before
 * its close waits here, keyed by (path, pid), so that the entry carries
 * the writer as first seen and the time of the first write; one whose
 * close never came (a writer that still holds the file) becomes an
 * entry at hctx_write_log_finish(), which then puts the entries in time
 * order.  At most HCTX_WRITE_LOG_PENDING wait;
 * past that the oldest is listed at once.
 */
#define HCTX_WRITE_LOG_PENDING 32
struct hctx_pending_write;
struct hctx_write_log {
	size_t n;
	struct hctx_pending_write *pending;	/* HCTX_WRITE_LOG_PENDING slots */
};

/* Adds to sc's writes (hostctx_sidecar_add_write rules).  0 or -ENOMEM. */
int hctx_write_log_event(struct hctx_write_log *log, struct hostctx_sidecar *sc,
			 const struct hctx_write_event *ev);
/* The waiting modifications become entries; the log is then empty. */
int hctx_write_log_finish(struct hctx_write_log *log, struct hostctx_sidecar *sc);
void hctx_write_log_clear(struct hctx_write_log *log);

/*
 * /proc/PID/stat: comm (field 2, between the first '(' and the last
 * ')', cut to comm_size - 1 bytes) and the parent's pid (field 4).
 * -EINVAL when the text is not of that shape.
 */
int hctx_parse_stat_comm_ppid(const char *text, size_t len, char *comm,
			      size_t comm_size, long *ret_ppid);

#endif /* HOSTCTX_WRITES_H */
