/* SPDX-License-Identifier: MIT */
/*
 * preload_support.h - the recording half of libhostctx-preload.so.
 *
 * The preload library is built from preload/ (the glue that decides who
 * records) and from the library's sources, minus the JSON reader:
 * lib/preload_support.c and what it uses are linked into it, hidden, and
 * nothing is exported.  Its only NEEDED entry stays libc: zlib is
 * dlopen()ed on first use (preload/zlib_loader.c), and libhostctx.so,
 * with cJSON, only to resume a record after exec.  One object to map
 * instead of three costs the recorded process ~0.1 ms less; descendants
 * map the same number of segments and touch none of this code.
 */
#ifndef HOSTCTX_PRELOAD_SUPPORT_H
#define HOSTCTX_PRELOAD_SUPPORT_H

#include "hostctx.h"

#include <stdbool.h>
#include <stddef.h>

#define HCTX_PRELOAD_TOOL_NAME "libhostctx-preload"

/* hostctx_document_load(), looked up in libhostctx.so to resume. */
typedef int hctx_document_load_fn(const char *path,
				  struct hostctx_document **ret_doc,
				  struct hostctx_error *err);

struct hctx_preload_begin_args {
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
	hctx_document_load_fn *load_document;	/* needed to resume */
};

struct hctx_preload_record;

/*
 * New record: take the pre snapshot and write the in-progress record
 * ("complete": false) to HOSTCTX_OUTPUT, into HOSTCTX_DIR or into the
 * current directory.  Resume: load the in-progress record.  On success
 * the record's absolute path is copied into path_buf (path_cap bytes)
 * and *ret_record is set.  Returns 0 or a negative errno; never prints.
 */
int hctx_preload_begin(const struct hctx_preload_begin_args *args,
		       struct hctx_preload_record **ret_record,
		       char *path_buf, size_t path_cap);

/*
 * From the exit hook: heap state, resource usage, post snapshot, then
 * the complete record replaces the in-progress one atomically.
 * has_status: the program ends through exit() with status.  Frees the
 * record.  Returns 0 or a negative errno.
 */
int hctx_preload_finish(struct hctx_preload_record *record, bool has_status,
			int status);

#endif /* HOSTCTX_PRELOAD_SUPPORT_H */
