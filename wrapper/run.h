/* SPDX-License-Identifier: MIT */
/*
 * run.h - private to hostctx-run: options, logging, signals, the child
 * and the record target.  One program, several small files.
 */
#ifndef HOSTCTX_RUN_H
#define HOSTCTX_RUN_H

#include "hostctx.h"
#include "../lib/recording.h"
#include "../lib/writes.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#define RUN_PROGRAM "hostctx-run"

/* Exit codes of our own, as env(1), nice(1) and timeout(1) use them. */
enum {
	RUN_EXIT_FAILURE = 125,		/* bad usage, or we could not start it */
	RUN_EXIT_CANNOT_INVOKE = 126,	/* found but not executable */
	RUN_EXIT_ENOENT = 127,		/* not found */
};

/* Default limit of --wait-descendants, in seconds. */
#define RUN_WAIT_DESCENDANTS_DEFAULT 60.0

/* ---- options.c ---------------------------------------------------- */

/* --check: none (the default), warn on stderr, or refuse to start. */
enum run_check { RUN_CHECK_NONE = 0, RUN_CHECK_WARN, RUN_CHECK_REFUSE };

struct run_options {
	const char *output_file;	/* -o */
	const char *next_to;		/* --next-to */
	const char *output_dir;		/* -O */
	const char *root;		/* --root, else $HOSTCTX_ROOT, else NULL */
	const char *fields;		/* --fields, else $HOSTCTX_FIELDS, else NULL: all */
	bool redact;			/* --redact, else $HOSTCTX_REDACT=1 */
	bool verbose;
	bool quiet;
	bool strict;
	bool fsync;
	bool wait_descendants;
	bool watch_writes;		/* --watch-writes, else $HOSTCTX_WATCH=1 */
	double wait_limit_seconds;
	enum run_check check;
	enum hostctx_ci_system ci;	/* --ci, else $HOSTCTX_CI, resolved */
	int cmd_argc;
	char **cmd_argv;		/* points into main's argv */
};

enum run_parse_result {
	RUN_PARSE_RUN,		/* run the command */
	RUN_PARSE_DONE,		/* --help or --version printed: exit 0 */
	RUN_PARSE_USAGE,	/* bad usage, reported: exit 125 */
};

enum run_parse_result run_parse_options(int argc, char **argv,
					struct run_options *ret);

/* ---- preload_marker.c -------------------------------------------- */

/*
 * With libhostctx-preload.so in LD_PRELOAD, mark the wrapper as the
 * library's recorded process so that the command writes no record.
 * When this process was the library's recorded process before it
 * exec'd us, *ret_superseded is set to the path of that record (free()).
 */
int run_mark_preload_owner(pid_t self, char **ret_superseded);

/* ---- log.c: stderr only, one line, errno kept --------------------- */

void run_log_set_quiet(bool quiet);
/* A warning: silenced by -q. */
void run_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error: always printed. */
void run_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Raw text on stderr (for -v). */
void run_write_stderr(const char *text, size_t len);

/* ---- signals.c ---------------------------------------------------- */

struct run_signals {
	sigset_t orig_mask;	/* the mask we were given */
	sigset_t waitset;	/* blocked; read with sigtimedwait */
	bool chld_changed;	/* SIGCHLD was SIG_IGN/SA_NOCLDWAIT: restore */
	struct sigaction orig_chld;
};

/* Before fork: block every signal we forward, make SIGCHLD work. */
int run_signals_setup(struct run_signals *s);
/* In the child before exec: the exact mask and dispositions given. */
void run_signals_restore_in_child(const struct run_signals *s);
/* Sent to us by another process (not the tty, not ourselves): forward it. */
bool run_signal_should_forward(const siginfo_t *si, pid_t self);
bool run_is_stop_signal(int sig);
/*
 * The child stopped with sig (TSTP, TTIN or TTOU): stop ourselves the
 * same way, until continued.  Returns whether we did stop and were
 * continued (false in an orphaned process group, where the kernel drops
 * job-control stops).
 */
bool run_stop_like(const struct run_signals *s, int sig);
/* Die of sig as the child did, without a core of our own. */
__attribute__((noreturn)) void run_die_of_signal(int sig);

/* ---- spawn.c ------------------------------------------------------ */

struct run_child {
	pid_t pid;
	int gate_fd;	/* write end: one byte releases the child */
	int error_fd;	/* read end: the child's exec errno, or EOF */
	int pidfd;	/* opened on first forward; -1 */
};

/*
 * Fork the child, held on the gate.  Returns 0 or -errno (nothing
 * started).  The child restores the signal state of sigs and execs argv.
 */
int run_spawn(struct run_child *c, char **argv, const struct run_signals *sigs);
/* Let the child exec.  *ret_exec_errno: 0 when exec succeeded. */
void run_release(struct run_child *c, int *ret_exec_errno);
/* Forward sig (with its info for sigqueue) to the unreaped child. */
void run_forward(struct run_child *c, const siginfo_t *si);
/* The unreaped child is in a stopped state (/proc/PID/stat "T"). */
bool run_child_is_stopped(const struct run_child *c);
void run_child_close(struct run_child *c);

/* A new fd >= 3 (close-on-exec) in place of fd, which is closed. */
int run_fd_above_stdio(int fd);

/* ---- output.c: where the record goes ------------------------------ */

struct run_target {
	struct hctx_record rec;
	char *superseded;	/* the preload's record to remove, or NULL */
};

/* Decide from the options and environment.  Returns 0 or -ENOMEM. */
int run_target_init(struct run_target *t, const struct run_options *o,
		    const struct timespec *started_at, pid_t pid);
/* Write (first time: create) the record; warns itself on failure. */
int run_target_write(struct run_target *t, const struct hostctx_sidecar *sc);
/* The record's path once written, for messages; or NULL. */
const char *run_target_path(const struct run_target *t);
void run_target_clear(struct run_target *t);

/* ---- ci.c ------------------------------------------------------- */

/*
 * --ci: the record, once final, shown to the CI system (docs/ci.md):
 * the job summary file appended to, the log lines on stderr.
 */
void run_ci_report(enum hostctx_ci_system ci, const struct hostctx_sidecar *sc,
		   const char *record_path);

/* ---- watch.c: --watch-writes -------------------------------------- */

struct hctx_pending_write;
struct run_watch {
	int fd;			/* the fanotify or inotify group; -1: off */
	int sigfd;		/* the wait set, pollable beside fd */
	bool fanotify;
	bool subreaper;		/* --wait-descendants: orphans are ours */
	bool overflowed;	/* FAN_Q_OVERFLOW / IN_Q_OVERFLOW */
	bool lost;		/* an entry could not be kept (no memory) */
	pid_t self, command;
	struct timespec started;	/* CLOCK_MONOTONIC: the command's release */
	char **dirs;		/* inotify: wd -> root-relative directory */
	size_t n_dirs;
	unsigned long long unwatched;
	/* live inotify: the rest of /proc/sys, walked in the wait loop */
	struct hctx_watch_walk *walk;
	bool late_watch;	/* all of it watched, from: */
	double all_watched_at;	/* seconds after the release */
	struct hctx_write_log log;
	struct hostctx_sidecar *sink;	/* the entries when there is no record */
};

/* Not watching (the fds closed); before anything else. */
void run_watch_init(struct run_watch *w);
/*
 * Watch the root's /proc/sys and /sys sources: fanotify on the live
 * system when allowed, else inotify.  After the fork (no fd reaches the
 * command).  0, or -errno with nothing left open.
 */
int run_watch_start(struct run_watch *w, struct hostctx_root *root,
		    const struct run_signals *sigs, pid_t self, pid_t command,
		    bool subreaper);

/* "fanotify" or "inotify"; NULL when not watching. */
const char *run_watch_source(const struct run_watch *w);
/* Times are counted from the command's release. */
void run_watch_released(struct run_watch *w, const struct timespec *released);
/*
 * sigtimedwait() that drains the watch into sc (may be NULL) while it
 * waits: the signal number with *si, or -1 (EAGAIN: none came).
 */
int run_watch_wait(struct run_watch *w, struct hostctx_sidecar *sc, const sigset_t *waitset,
		   siginfo_t *si, double seconds);
/* The last events, pending writes and what was lost, into sc. */
void run_watch_finish(struct run_watch *w, struct hostctx_sidecar *sc);
void run_watch_close(struct run_watch *w);

/* ---- descendants.c ------------------------------------------------ */

/* How many processes below pid are alive (via /proc/PID/task/T/children). */
long long run_count_descendants(pid_t pid);

#endif /* HOSTCTX_RUN_H */
