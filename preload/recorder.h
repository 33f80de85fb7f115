/* SPDX-License-Identifier: MIT */
/*
 * recorder.h - the recording half of libhostctx-preload.so.
 *
 * The preload library is built from preload/ (preload.c decides who
 * records; recorder.c records) and from the library's sources, minus
 * the JSON reader: where the record goes and how it is written are the
 * recording module that hostctx-run uses too (lib/recording.h), linked
 * in hidden, and nothing is exported.  Its only NEEDED entry stays libc:
 * zlib is dlopen()ed on first use (zlib_loader.c), and libhostctx.so,
 * with cJSON, only to resume a record after exec.  One object to map
 * instead of three costs the recorded process ~0.1 ms less; descendants
 * map the same number of segments and touch none of this code.
 *
 * Between the constructor and the exit hook the library holds no file
 * descriptor: the program may close or reuse any number.
 */
#ifndef HOSTCTX_PRELOAD_RECORDER_H
#define HOSTCTX_PRELOAD_RECORDER_H

#include "hostctx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HCTX_PRELOAD_TOOL_NAME "libhostctx-preload"

/* hostctx_document_parse(), looked up in libhostctx.so to resume. */
typedef int hctx_document_parse_fn(const char *text, size_t len,
				   struct hostctx_document **ret_doc,
				   struct hostctx_error *err);

struct hctx_preload_begin_args {
	int argc;		/* the constructor's arguments */
	char **argv;
	char **envp;
	long pid;
	unsigned long long start_ticks;	/* field 22 of /proc/self/stat */
	/*
	 * NULL: a new record (the process the user started).  Otherwise
	 * the same process after exec: the absolute path of its
	 * in-progress record, which carries pre, started_at and argv.
	 */
	const char *resume_path;
	hctx_document_parse_fn *parse_document;	/* needed to resume */
};

struct hctx_preload_record;

/*
 * New record: take the pre snapshot and write the in-progress record
 * ("complete": false) to HOSTCTX_OUTPUT, into HOSTCTX_DIR or into the
 * current directory.  Resume: read the in-progress record back.  On
 * success the record's absolute path is copied into path_buf (path_cap
 * bytes) and *ret_record is set.  Returns 0 or a negative errno; never
 * prints; leaves no fd open.
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

/* The heap_state members an allocator can give (post only). */
struct hctx_heap_counter {
	bool present;
	uint64_t value;
};
struct hctx_preload_heap {
	struct hctx_heap_counter active_bytes, allocated_bytes,
		resident_bytes, mapped_bytes, narenas;
};

/*
 * heap.c: the counters of the allocator serving the program's malloc
 * (free() them), or NULL when it is neither glibc's nor jemalloc's.
 */
struct hctx_preload_heap *hctx_preload_heap_collect(void);
/* post's heap_state from them. */
void hctx_preload_heap_into(struct hostctx_snapshot *post,
			    const struct hctx_preload_heap *h);

#endif /* HOSTCTX_PRELOAD_RECORDER_H */
