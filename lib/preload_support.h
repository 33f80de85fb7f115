/* SPDX-License-Identifier: MIT */
/*
 * preload_support.h - the two entry points libhostctx.so offers to
 * libhostctx-preload.so.
 *
 * The preload library links libc only: every descendant of a preloaded
 * process loads it, so it must cost next to nothing.  In the one process
 * it records it dlopen()s libhostctx.so (found beside itself), looks the
 * two functions below up by name on that handle and lets them do all the
 * work.  They are exported from libhostctx.so but are not public API:
 * the ABI number lets a preload refuse a libhostctx.so of another build.
 */
#ifndef HOSTCTX_PRELOAD_SUPPORT_H
#define HOSTCTX_PRELOAD_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#define HCTX_PRELOAD_ABI 1
#define HCTX_PRELOAD_BEGIN_SYMBOL "hostctx_preload_begin"
#define HCTX_PRELOAD_FINISH_SYMBOL "hostctx_preload_finish"
#define HCTX_PRELOAD_TOOL_NAME "libhostctx-preload"

struct hctx_preload_begin_args {
	unsigned abi;		/* HCTX_PRELOAD_ABI */
	int argc;		/* the constructor's arguments */
	char **argv;
	char **envp;
	long pid;
	/*
	 * NULL: a new record (the process the user started).  Otherwise
	 * the same process after exec: the absolute path of its
	 * in-progress record, which carries pre, started_at and argv.
	 */
	const char *resume_path;
};

struct hctx_preload_record;

/*
 * New record: take the pre snapshot and write the in-progress record
 * ("complete": false) to HOSTCTX_OUTPUT, into HOSTCTX_DIR or into the
 * current directory.  Resume: load the in-progress record.  On success
 * the record's absolute path is copied into path_buf (path_cap bytes)
 * and *ret_record is set.  Returns 0 or a negative errno; never prints.
 */
typedef int hctx_preload_begin_fn(const struct hctx_preload_begin_args *args,
				  struct hctx_preload_record **ret_record,
				  char *path_buf, size_t path_cap);

/*
 * From the exit hook: heap state, resource usage, post snapshot, then
 * the complete record replaces the in-progress one atomically.
 * has_status: the program ends through exit() with status.  Frees the
 * record.  Returns 0 or a negative errno.
 */
typedef int hctx_preload_finish_fn(struct hctx_preload_record *record,
				   bool has_status, int status);

hctx_preload_begin_fn hostctx_preload_begin;
hctx_preload_finish_fn hostctx_preload_finish;

#endif /* HOSTCTX_PRELOAD_SUPPORT_H */
