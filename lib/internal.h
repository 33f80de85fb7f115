/* SPDX-License-Identifier: MIT */
/*
 * Private to libhostctx: the field table, the root-relative read layer
 * and the pure parsers.  Unit tests include this header too.
 */
#ifndef HOSTCTX_INTERNAL_H
#define HOSTCTX_INTERNAL_H

#include "hostctx.h"

#include <stdlib.h>
#include <unistd.h>

#define HCTX_EXPORT __attribute__((visibility("default")))

/* ---- cleanup helpers (bubblewrap/systemd style) ------------------- */

static inline void hctx_freep(void *p)
{
	free(*(void **)p);
}
static inline void hctx_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(hctx_freep)))
#define _cleanup_close_ __attribute__((cleanup(hctx_closep)))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                     \
	({                                                              \
		__typeof__(p) taken_ = (p);                             \
		(p) = NULL;                                             \
		taken_;                                                 \
	})
#define TAKE_FD(fd)                                                     \
	({                                                              \
		int taken_ = (fd);                                      \
		(fd) = -1;                                              \
		taken_;                                                 \
	})

/* ---- the root-relative read layer (root.c) ------------------------ */

/* Any file but /proc/cpuinfo and config.gz larger than this is unreadable. */
#define HCTX_READ_CAP (64 * 1024)

#define HCTX_DIRBUF (64 * 1024)

/*
 * One root serves one snapshot at a time: its scratch buffers are reused
 * by every read (heap, not stack: the preload's exit hook may run on a
 * small thread stack).  Directory listings do not nest.
 */
struct hostctx_root {
	int fd;			/* O_PATH directory fd of the root */
	bool live;		/* "/" : uname() may be used */
	int xacct_cache;	/* enum hostctx_xacct + 1 once known, else 0 */
	char *scratch;		/* HCTX_READ_CAP + 1 bytes */
	char *dirbuf;		/* HCTX_DIRBUF bytes for getdents64 */
};

/*
 * Open rel (relative, no leading '/') beneath the root, never leaving
 * it, never blocking.  Returns an O_CLOEXEC fd or -errno.  Directories
 * open only with want_dir; anything but a regular file (or directory
 * when asked) gives -EINVAL, and under a captured root is never opened
 * (its type is checked on an O_PATH fd first).
 */
int hctx_open(struct hostctx_root *root, const char *rel, bool want_dir);

/*
 * Read all of rel into buf (capacity cap, a NUL is appended so buf must
 * hold cap + 1 bytes).  Returns the length, or -EFBIG when the file is
 * larger than cap, or another -errno.  The first read asks for 4 KiB:
 * procfs allocates a kernel buffer the size of the request.
 */
ssize_t hctx_read_file(struct hostctx_root *root, const char *rel,
		       char *buf, size_t cap);

/*
 * Read rel and trim it (hctx_parse_trimmed) into a new string.
 * Returns 0, -ENODATA (empty after trimming), -EILSEQ (NUL inside, not
 * UTF-8) or another -errno.
 */
int hctx_read_trimmed(struct hostctx_root *root, const char *rel,
		      char **ret);

/*
 * A field from the trimmed content of rel: *slot is set when it can be
 * read and left absent otherwise.  Only -ENOMEM is returned: every other
 * failure is just an absent field.
 */
int hctx_read_string_field(struct hostctx_root *root, const char *rel,
			   char **slot);

/*
 * read() for the readers: EINTR retried; a failure, the kernel's ENOMEM
 * included (-EIO), makes the file unreadable, never the snapshot fail.
 */
ssize_t hctx_read_some(int fd, void *buf, size_t len);

/*
 * Test seams: the layer's read(), getdents64() and openat2() calls, weak
 * so that a unit test can override them to inject faults.  Return -1
 * with errno set, as the system calls do.
 */
ssize_t hctx_sys_read(int fd, void *buf, size_t len);
long hctx_sys_getdents64(int fd, void *buf, size_t len);
long hctx_sys_openat2(int dirfd, const char *path, void *how, size_t size);

/* fd itself, or a close-on-exec duplicate >= 3 (fd closed); or -errno. */
int hctx_fd_above_stdio(int fd);

/* The same for one entry of a directory fd from hctx_list_dir. */
int hctx_read_trimmed_at(struct hostctx_root *root, int dirfd,
			 const char *name, char **ret);

/*
 * Call fn for every entry name of directory rel (not "." or "..").
 * d_type is a DT_* value (DT_UNKNOWN possible).  fn returns 0 to go on,
 * > 0 to stop early, < 0 to fail.  Returns 0 or -errno.
 */
typedef int (*hctx_dirent_fn)(void *userdata, const char *name,
			      unsigned char d_type, int dirfd);
int hctx_list_dir(struct hostctx_root *root, const char *rel,
		  hctx_dirent_fn fn, void *userdata);

/* ---- pure parsers (parse.c), tested on strings --------------------- */

/* Trim ASCII blanks (and NUL bytes) at both ends; see hctx_read_trimmed. */
int hctx_parse_trimmed(const char *text, size_t len, char **ret);
bool hctx_is_utf8(const char *s, size_t len);

/* First block of /proc/cpuinfo: "model name" and "vendor_id". */
int hctx_parse_cpuinfo(const char *text, size_t len, char **ret_model,
		       char **ret_vendor);
/* Offset just past the first block's end, or 0 when not yet seen. */
size_t hctx_cpuinfo_first_block_end(const char *text, size_t len);

struct hctx_meminfo {
	struct hostctx_u64 mem_total_kib;
	struct hostctx_u64 hugepages_total;
	struct hostctx_u64 hugepages_free;
	struct hostctx_u64 hugepages_size_kib;
};
void hctx_parse_meminfo(const char *text, size_t len, struct hctx_meminfo *out);

/* Strict unsigned decimal: digits only, no sign, no overflow. */
int hctx_parse_u64(const char *s, size_t len, uint64_t *ret);

/* A set of CPU (or node) ids. */
#define HCTX_CPUSET_MAX (1u << 20)	/* ids beyond this are rejected */
struct hctx_cpuset {
	size_t nwords;
	uint64_t *words;
};
void hctx_cpuset_clear(struct hctx_cpuset *s);
int hctx_cpuset_add(struct hctx_cpuset *s, unsigned id);
bool hctx_cpuset_has(const struct hctx_cpuset *s, unsigned id);
size_t hctx_cpuset_count(const struct hctx_cpuset *s);
bool hctx_cpuset_intersects(const struct hctx_cpuset *a,
			    const struct hctx_cpuset *b);
/* Next member >= from, or -1. */
long hctx_cpuset_next(const struct hctx_cpuset *s, unsigned from);

/*
 * "0-3,8,10-11": strict list (no empty items, lo <= hi); blanks and
 * NULs at the ends are ignored.  Empty or malformed: -EINVAL.
 */
int hctx_parse_cpulist(const char *text, size_t len, struct hctx_cpuset *ret);
/*
 * The same list, range by range, without building a set: fn(lo, hi) for
 * each item, checked as above; fn returns 0 to go on or < 0 to stop.
 * Returns 0, -EINVAL (malformed) or what fn returned.
 */
typedef int (*hctx_range_fn)(void *userdata, unsigned lo, unsigned hi);
int hctx_cpulist_ranges(const char *text, size_t len, hctx_range_fn fn,
			void *userdata);
/* "00000000,0000ff0f": comma-separated 32-bit hex words, high first. */
int hctx_parse_cpumask(const char *text, size_t len, struct hctx_cpuset *ret);

/*
 * Number of nodes whose CPU set intersects online; at least 1.  node_cpus
 * holds one set per node (ids need not be dense).
 */
size_t hctx_count_numa_nodes(const struct hctx_cpuset *online,
			     const struct hctx_cpuset *node_cpus,
			     size_t n_nodes);

/* kconfig text: whole trimmed line "CONFIG_TASK_XACCT=y" / "# ... is not set". */
enum hostctx_xacct hctx_parse_kconfig_xacct(const char *text, size_t len);
/* One line of kconfig: ON, OFF, or ABSENT when it says nothing. */
enum hostctx_xacct hctx_kconfig_line_xacct(const char *line, size_t len);
/* task_delayacct from its trimmed value; NULL = missing/unreadable/empty. */
enum hostctx_delayacct hctx_delayacct_from_value(const char *value);

/* Streaming inflate of a gzip buffer, stopping at the answer. */
enum hostctx_xacct hctx_xacct_from_gzip(const void *gz, size_t len);

/* The heap block's JSON rows (json_shared.c), in the reference's order. */
struct hctx_heap_json_row {
	const char *name;
	size_t offset;		/* of a struct hostctx_u64 in struct hostctx_heap */
};
extern const struct hctx_heap_json_row hctx_heap_json_rows[];
extern const size_t hctx_n_heap_json_rows;
struct hostctx_u64 *hctx_heap_row(struct hostctx_heap *h, size_t i);

/* The rusage block's JSON rows: a double (seconds) or a uint64_t each. */
struct hctx_rusage_json_row {
	const char *name;
	size_t offset;		/* in struct hostctx_rusage */
	bool seconds;
};
extern const struct hctx_rusage_json_row hctx_rusage_json_rows[];
extern const size_t hctx_n_rusage_json_rows;

/* Free a map's content (snapshot.c). */
void hctx_kvmap_clear(struct hostctx_kvmap *m);
void hctx_govmap_clear(struct hostctx_govmap *m);

/* ---- time (utc.c) ---------------------------------------------- */

struct hctx_utc {
	int64_t year;
	int month, day, hour, min, sec;	/* month and day from 1 */
};
/* Like gmtime_r() but without loading the local time zone. */
void hctx_utc_fields(time_t t, struct hctx_utc *ret);

/* ---- the field table (fields.c) ----------------------------------- */

enum hctx_kind {
	HCTX_KIND_STRING,
	HCTX_KIND_U64,
	HCTX_KIND_DELAYACCT,
	HCTX_KIND_XACCT,
	HCTX_KIND_KVMAP,	/* sched_tunables */
	HCTX_KIND_GOVMAP,	/* cpufreq_governor */
	HCTX_KIND_HEAP,		/* heap_state: reported, never compared */
};

struct hctx_reader;		/* per-snapshot read state (snapshot.c) */

struct hctx_field {
	const char *name;
	enum hctx_kind kind;
	size_t offset;		/* into struct hostctx_snapshot */
	/*
	 * Fill the fields of this row's source (one file or probe may give
	 * several rows: rows that share a source share the function, and a
	 * snapshot calls each distinct function once).  NULL for fields
	 * that no snapshot reads (heap_state).  Returns 0 or -ENOMEM; a
	 * field that cannot be read is simply left absent.
	 */
	int (*read)(struct hctx_reader *rd, struct hostctx_snapshot *s);
};

/* In report order (the reference's format_human order). */
extern const struct hctx_field hctx_fields[];
extern const size_t hctx_n_fields;

#define HCTX_FIELD(s, f) ((void *)((char *)(s) + (f)->offset))
#define HCTX_CFIELD(s, f) ((const void *)((const char *)(s) + (f)->offset))

/* Readers (read_*.c), one per source. */
struct hctx_reader {
	struct hostctx_root *root;
	char *buf;		/* the root's scratch: HCTX_READ_CAP + 1 bytes */
	bool online_done;
	int online_err;
	struct hctx_cpuset online;
	bool cpu_dirs_done;	/* captured roots: cpu/cpuN listed */
	int cpu_dirs_err;
	struct hctx_cpuset cpu_dirs;	/* online CPUs with a directory */
};

/* Free what the readers kept in rd (read_sys.c). */
void hctx_reader_clear(struct hctx_reader *rd);

int hctx_read_cpuinfo(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_meminfo(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_thp(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_sched_tunables(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_online_cpus(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_numa_nodes(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_governors(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_uname(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_cmdline(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_delayacct(struct hctx_reader *rd, struct hostctx_snapshot *s);
int hctx_read_xacct(struct hctx_reader *rd, struct hostctx_snapshot *s);

#endif /* HOSTCTX_INTERNAL_H */
