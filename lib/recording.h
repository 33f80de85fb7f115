/* SPDX-License-Identifier: MIT */
/*
 * recording.h - the one recording module shared by hostctx-run and
 * libhostctx-preload.so (lib/record.c, lib/recording.c): where a record
 * goes, how it is written safely (docs/design.md, "Writing records"),
 * and the marker that tells a preloaded process who records.
 *
 * Private to the project: the wrapper links it from libhostctx.a and the
 * preload library compiles it in, hidden.  Callers pass their own tool
 * name; nothing here names a program.  Functions return 0 or a negative
 * errno and never print.
 */
#ifndef HOSTCTX_RECORDING_H
#define HOSTCTX_RECORDING_H

#include "hostctx.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- safe directory and file operations (record.c) ----------------- */

/*
 * An existing target that is not a regular file (device, FIFO, symlink,
 * directory) is refused with this error; hctx_record_strerror says so.
 */
#define HCTX_E_NOT_REGULAR EEXIST

/*
 * Open directory dir (relative to the current directory unless
 * absolute) as an O_PATH|O_CLOEXEC fd >= 3, never through a symbolic
 * link that is not owned by the caller (effective uid) or by root: such
 * a link gives -ELOOP.  openat2(RESOLVE_NO_SYMLINKS) answers at once
 * when the path holds no link at all; otherwise the path is walked one
 * component at a time with O_NOFOLLOW and trusted links are resolved by
 * hand (at most 40).  create: make missing components (mode 0755).
 */
int hctx_dir_open_safe(const char *dir, bool create, int *ret_fd);
/*
 * hctx_dir_open_safe(dir, true, ...) when ret_mkdir_failed is set, which
 * then says whether a failure was that of making a missing component
 * (so that a caller can say so rather than "cannot write").
 */
int hctx_dir_make_safe(const char *dir, int *ret_fd, bool *ret_mkdir_failed);

/*
 * Replace name in dirfd atomically with data (mode 0644 whatever the
 * umask): readers see the old content or the new, never a part.  An
 * existing name that is not a regular file gives HCTX_E_NOT_REGULAR and
 * is left alone.  The file is made with O_TMPFILE where the file system
 * supports it (a kill leaves nothing behind), else under a random
 * temporary name.
 */
int hctx_write_at(int dirfd, const char *name, const void *data, size_t len,
		  unsigned flags);

/*
 * Create "<stem>.hostctx.json" in dirfd, or "<stem>-N.hostctx.json"
 * when taken; never replaces anything.  *ret_name: the name chosen.
 */
int hctx_create_unique_at(int dirfd, const char *stem, const void *data,
			  size_t len, unsigned flags, char **ret_name);

/*
 * Read name in dirfd whole: a regular file only (O_NOFOLLOW|O_NONBLOCK:
 * a FIFO or device in its place never blocks or has side effects), at
 * most cap bytes (-EFBIG beyond).  *ret is NUL-terminated; free() it.
 */
int hctx_read_at(int dirfd, const char *name, size_t cap, char **ret,
		 size_t *ret_len);

/*
 * SIGPIPE and SIGXFSZ are blocked while a record is written, so that a
 * lowered RLIMIT_FSIZE gives -EFBIG instead of killing the caller.  On
 * leaving, a signal of the two raised by our own write is consumed; one
 * another process sent meanwhile is queued again with its siginfo, so
 * the caller still gets it (hostctx-run forwards it to its command).
 */
struct hctx_write_guard {
	sigset_t old_mask;
	sigset_t pending_before;
};
void hctx_write_guard_enter(struct hctx_write_guard *g);
void hctx_write_guard_leave(struct hctx_write_guard *g);

/* ---- where the record goes (recording.c) ---------------------------- */

/* What the caller was asked for; the first one set wins. */
struct hctx_place_request {
	const char *output_file;	/* -o FILE */
	const char *next_to;		/* --next-to FILE: FILE.hostctx.json */
	const char *output_dir;		/* -O DIR */
	char *const *envp;		/* then HOSTCTX_OUTPUT, HOSTCTX_DIR */
	const char *cwd;		/* for relative names; NULL: getcwd() */
	const char *command;		/* argv[0], names a new record */
	const struct timespec *started_at;
	long pid;
	unsigned flags;			/* HOSTCTX_WRITE_* */
};

/*
 * A record's place.  The directory is opened once (hctx_dir_open_safe)
 * and every later step is relative to that fd, so a component swapped
 * for a symlink during the run cannot redirect the final write.  A
 * caller that must hold no fd between writes (the preload) closes it
 * with hctx_record_close_dir; the next write reopens the directory and
 * refuses (-ESTALE) one that is not the same directory any more.
 */
struct hctx_record {
	char *shown;		/* the file as given (absolute once created in
				   a directory), for messages; or NULL */
	char *dir_shown;	/* the directory as given, while shown is NULL */
	char *dir;		/* absolute path of the directory */
	char *name;		/* file name in dir; NULL until created */
	char *stem;		/* for a new name in dir */
	unsigned flags;
	int dirfd;		/* O_PATH, -1 while closed */
	bool mkdir_failed;	/* the last write could not make the directory */
	bool have_id;		/* dev/ino of the directory first opened */
	dev_t dev;
	ino_t ino;
};

int hctx_record_init(struct hctx_record *rec,
		     const struct hctx_place_request *req);
/* Format sc and write it: the first write of a new name creates it. */
int hctx_record_write(struct hctx_record *rec,
		      const struct hostctx_sidecar *sc);
void hctx_record_close_dir(struct hctx_record *rec);
void hctx_record_clear(struct hctx_record *rec);
/* The record's absolute path (NULL until it has a name); free(). */
char *hctx_record_abspath(const struct hctx_record *rec);
/* strerror(-r), with the two refusals of this module spelt out. */
const char *hctx_record_strerror(int r);

/*
 * Remove the record at abspath if it is a regular file, through the
 * same safe directory open (a record superseded by another one).
 */
int hctx_record_discard(const char *abspath);

/* Read the record at abspath back (hctx_read_at rules, cap bytes). */
int hctx_record_read(const char *abspath, size_t cap, char **ret,
		     size_t *ret_len);

/* ---- the preload-owner marker (recording.c) ------------------------- */

/*
 * HCTX_MARKER_NAME=<pid>:<start time>:<record path> marks the process
 * that records (start time: field 22 of /proc/PID/stat, in clock ticks
 * after boot, against pid reuse); the path may be empty.  Every other
 * process that sees it is a descendant and records nothing.  A
 * malformed value only ever makes the reader a descendant.
 */
#define HCTX_MARKER_NAME "HOSTCTX_PRELOAD_OWNER"

struct hctx_marker {
	long pid;
	unsigned long long start;
	const char *path;	/* into the parsed value; "" when none */
};

/*
 * Parse value, the text after "=".  Only pid is checked before the
 * first ':' when want_pid >= 0 and differs: then false without reading
 * further (what every descendant runs: no libc call at all).
 */
bool hctx_marker_parse(const char *value, long want_pid,
		       struct hctx_marker *ret);
/*
 * "NAME=<pid>:<start>:<path>" into buf (a path that does not fit is
 * left out); -ENAMETOOLONG when not even the owner fits.
 */
int hctx_marker_format(char *buf, size_t cap, long pid,
		       unsigned long long start, const char *path);
/* Field 22 of /proc/self/stat. */
int hctx_self_start_time(unsigned long long *ret);
/*
 * Fields 3 (state, may be NULL) and 22 of /proc/PID/stat (pid <= 0:
 * self).  -ENOENT when there is no such process.
 */
int hctx_process_start_time(long pid, char *ret_state, unsigned long long *ret);

#endif /* HOSTCTX_RECORDING_H */
