/* SPDX-License-Identifier: MIT */
/*
 * Private to libhostctx: the field table, the root-relative read layer
 * and the pure parsers.  Unit tests include this header too.
 */
#ifndef HOSTCTX_INTERNAL_H
#define HOSTCTX_INTERNAL_H

#include "hostctx.h"
#include "cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define HCTX_EXPORT __attribute__((visibility("default")))

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
	int fd;			/* O_PATH directory fd of the root; -1 released */
	char *dir;		/* a captured root's path, to reopen it; NULL: "/" */
	bool live;		/* "/" : uname() may be used */
	int xacct_cache;	/* enum hctx_xacct + 2 once known, else 0 */
	bool debug;		/* HOSTCTX_DEBUG=1 at open */
	uint64_t *selected;	/* rows to read, one bit each; NULL: all */
	bool redact;		/* hostctx_root_set_redact() */
	/* boot-stable values of the live root, valid while boot_id holds */
	char *boot_id;
	struct hctx_value **boot_values;	/* hctx_n_fields slots, or NULL */
	hostctx_log_fn log;
	void *log_data;
	char *scratch;		/* HCTX_READ_CAP + 1 bytes */
	char *dirbuf;		/* HCTX_DIRBUF bytes for getdents64 */
	/* the text a snapshot may keep from its files, in total */
	size_t text_budget;
	bool over_budget;	/* a read was refused for the budget */
	unsigned threads;	/* hostctx_root_set_threads(); 1: none */
	unsigned threads_started;	/* by the prefetch, for the tests */
	struct hctx_prefetch *prefetch;	/* files read ahead for one row */
};

/*
 * The text one snapshot keeps from the files it reads, in total
 * (docs/design.md, "Bounds"): a real host keeps under 100 KiB; a tree of
 * hard links to one 64 KiB file stops here, and the fields cut short are
 * listed in the snapshot's "truncated".
 */
#define HCTX_SNAPSHOT_TEXT_BUDGET ((size_t)4 << 20)

/*
 * Open rel (relative, no leading '/') beneath the root, never leaving
 * it, never blocking.  Returns an O_CLOEXEC fd or -errno.  Directories
 * open only with want_dir; anything but a regular file (or directory
 * when asked) gives -EINVAL, and under a captured root is never opened
 * (its type is checked first).
 */
int hctx_open(struct hostctx_root *root, const char *rel, bool want_dir);

/*
 * Subdirectory name of directory dirfd (one component, a link there not
 * followed), for reading several files of it by name: one lookup of the
 * path instead of one a file.  Returns an O_CLOEXEC fd or -errno.
 */
int hctx_open_dir_at(int dirfd, const char *name);

/*
 * Read all of rel into buf (capacity cap, a NUL is appended so buf must
 * hold cap + 1 bytes).  Returns the length, or -EFBIG when the file is
 * larger than cap, or another -errno.  The first read asks for 4 KiB:
 * procfs allocates a kernel buffer the size of the request.
 */
ssize_t hctx_read_file(struct hostctx_root *root, const char *rel,
		       char *buf, size_t cap);

/*
 * All of rel in a new buffer (NUL-terminated, *ret_len bytes), for
 * sources that outgrow the scratch buffer: -EFBIG beyond cap bytes.
 */
int hctx_read_alloc(struct hostctx_root *root, const char *rel, size_t cap,
		    char **ret, size_t *ret_len);

/*
 * Read rel and trim it (hctx_parse_trimmed) into a new string.
 * Returns 0, -ENODATA (empty after trimming), -EILSEQ (NUL inside, not
 * UTF-8) or another -errno.
 */
int hctx_read_trimmed(struct hostctx_root *root, const char *rel,
		      char **ret);

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
unsigned hctx_sys_cpus_allowed(void);
long hctx_sys_getdents64(int fd, void *buf, size_t len);
long hctx_sys_openat2(int dirfd, const char *path, void *how, size_t size);

/* hctx_read_file() without the prefetched files: for the prefetch itself. */
ssize_t hctx_read_file_direct(struct hostctx_root *root, const char *rel, char *buf,
			      size_t cap);

/*
 * Prefetch (prefetch.c): a row about to read the files of list in that
 * order hands the list over (it is taken, and left empty); on a root
 * with threads and a list long enough they are read at once, and
 * hctx_read_file() serves each from memory when it is the next asked
 * for.  The row drops what is left when its loop ends.
 */
struct hctx_pathlist {
	char **path;
	size_t n, cap;
};
int hctx_pathlist_add(struct hctx_pathlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hctx_pathlist_clear(struct hctx_pathlist *l);
int hctx_prefetch(struct hostctx_root *root, struct hctx_pathlist *l);
void hctx_prefetch_drop(struct hostctx_root *root);
bool hctx_prefetch_serve(struct hostctx_root *root, const char *rel, char *buf,
			 size_t cap, ssize_t *ret);

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
/* The same for a directory fd from hctx_open(rel, true), left open. */
int hctx_list_dir_fd(struct hostctx_root *root, int fd, hctx_dirent_fn fn,
		     void *userdata);

/* Reopen what hostctx_root_release() closed: 0 or -errno. */
int hctx_root_attach(struct hostctx_root *root);

/* Drop the boot-stable values kept for the live root (snapshot.c). */
void hctx_root_forget_boot(struct hostctx_root *root);

/* HOSTCTX_DEBUG=1 in the environment (snapshot.c). */
bool hctx_debug_from_env(void);

/* ---- pure parsers (parse.c), tested on strings --------------------- */

/* Trim ASCII blanks (and NUL bytes) at both ends; see hctx_read_trimmed. */
int hctx_parse_trimmed(const char *text, size_t len, char **ret);
bool hctx_is_utf8(const char *s, size_t len);

/* First block of /proc/cpuinfo: "model name", "vendor_id", "microcode" (if asked). */
int hctx_parse_cpuinfo(const char *text, size_t len, char **ret_model,
		       char **ret_vendor, char **ret_microcode);
/* Offset just past the first block's end, or 0 when not yet seen. */
size_t hctx_cpuinfo_first_block_end(const char *text, size_t len);

/*
 * The value of key in meminfo text ("MemTotal" -> its first token, kB):
 * the last occurrence wins, as the reference's map insert does.
 * -ENOENT when no line has it, -EINVAL when its value is not a number.
 */
int hctx_meminfo_value(const char *text, size_t len, const char *key,
		       uint64_t *ret);
/*
 * The same for n_keys keys in one pass: found[k] is 0 (values[k] set),
 * -ENOENT or -EINVAL as above.  Returns 0, or -E2BIG beyond 16 keys.
 */
int hctx_meminfo_scan(const char *text, size_t len, const char *const *keys,
		      size_t n_keys, uint64_t *values, int *found);

/* Drop the blanks (as hctx_parse_trimmed does) at both ends of s. */
void hctx_trim(const char **s, size_t *len);
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
/* a &= b; a &= ~b; a |= b (-ENOMEM); whether every member of a is in b. */
void hctx_cpuset_and(struct hctx_cpuset *a, const struct hctx_cpuset *b);
void hctx_cpuset_andnot(struct hctx_cpuset *a, const struct hctx_cpuset *b);
int hctx_cpuset_or(struct hctx_cpuset *a, const struct hctx_cpuset *b);
bool hctx_cpuset_subset(const struct hctx_cpuset *a, const struct hctx_cpuset *b);
/* The same members (trailing zero words aside). */
bool hctx_cpuset_equal(const struct hctx_cpuset *a, const struct hctx_cpuset *b);
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
/* "0 1 2 3": ids separated by blanks (cpufreq's affected_cpus); empty or junk: -EINVAL. */
int hctx_parse_id_words(const char *text, size_t len, struct hctx_cpuset *ret);
/* "00000000,0000ff0f": comma-separated 32-bit hex words, high first. */
int hctx_parse_cpumask(const char *text, size_t len, struct hctx_cpuset *ret);

/* config_task_xacct's states, as its row's enum names list them. */
enum hctx_xacct {
	HCTX_XACCT_ABSENT = -1,
	HCTX_XACCT_ON = 0,
	HCTX_XACCT_OFF,
	HCTX_XACCT_UNKNOWN,
};
/* kconfig text: whole trimmed line "CONFIG_TASK_XACCT=y" / "# ... is not set". */
enum hctx_xacct hctx_parse_kconfig_xacct(const char *text, size_t len);
/* One line of kconfig: ON, OFF, or ABSENT when it says nothing. */
enum hctx_xacct hctx_kconfig_line_xacct(const char *line, size_t len);
/* Streaming inflate of a gzip buffer, stopping at the answer. */
enum hctx_xacct hctx_xacct_from_gzip(const void *gz, size_t len);

/*
 * task_delayacct's JSON name from its trimmed value; value NULL =
 * missing/unreadable/empty ("config_off").
 */
const char *hctx_delayacct_from_value(const char *value);

/* ---- time (utc.c) ---------------------------------------------- */

struct hctx_utc {
	int64_t year;
	int month, day, hour, min, sec;	/* month and day from 1 */
};
/* Like gmtime_r() but without loading the local time zone. */
void hctx_utc_fields(time_t t, struct hctx_utc *ret);
/* ISO 8601 UTC with milliseconds: "2026-12-04T18:29:19.997Z" (32 bytes do). */
void hctx_utc_timestamp(const struct timespec *ts, char *buf, size_t size);

/* ---- values (value.c) -------------------------------------------- */

/*
 * A snapshot holds one value tree per field.  What a tree may hold is
 * said by its spec (below); the node itself only knows its JSON shape,
 * so that freeing, copying, comparing and writing need no spec.
 */
enum hctx_node {
	HCTX_NODE_STRING,
	HCTX_NODE_U64,
	HCTX_NODE_S64,
	HCTX_NODE_BOOL,
	HCTX_NODE_DOUBLE,
	HCTX_NODE_RECORD,	/* members in spec order, absent ones NULL */
	HCTX_NODE_MAP,		/* keyed entries, kept in the spec's key order */
	HCTX_NODE_ARRAY,
};

struct hctx_value;

struct hctx_entry {
	char *key;
	struct hctx_value *value;
	unsigned long cpu_lo;	/* CPU-keyed maps: the key's lowest CPU, for ordering */
	size_t seq;		/* arrival order, while a map is being built */
};

struct hctx_value {
	enum hctx_node node;
	union {
		const char *s;		/* STRING: points into the same allocation */
		uint64_t u;
		int64_t i;
		bool b;
		double d;
		struct {
			size_t n;
			struct hctx_value **slot;
		} rec;
		struct {
			size_t n, cap;
			struct hctx_entry *e;
		} map;
		struct {
			size_t n, cap;
			struct hctx_value **v;
		} arr;
	};
};

struct hctx_value *hctx_value_string(const char *s);
struct hctx_value *hctx_value_string_len(const char *s, size_t len);
struct hctx_value *hctx_value_u64(uint64_t v);
struct hctx_value *hctx_value_s64(int64_t v);
struct hctx_value *hctx_value_bool(bool v);
struct hctx_value *hctx_value_double(double v);
struct hctx_value *hctx_value_record(size_t n_members);
struct hctx_value *hctx_value_map(void);
struct hctx_value *hctx_value_array(void);
void hctx_value_free(struct hctx_value *v);	/* NULL is fine */
static inline void hctx_value_freep(struct hctx_value **v)
{
	hctx_value_free(*v);
}
#define _cleanup_value_ __attribute__((cleanup(hctx_value_freep)))
/* A deep copy, or NULL when out of memory. */
struct hctx_value *hctx_value_dup(const struct hctx_value *v);
bool hctx_value_equal(const struct hctx_value *a, const struct hctx_value *b);

/* The entry of key, or NULL. */
const struct hctx_entry *hctx_map_find(const struct hctx_value *map,
				       const char *key);
/*
 * Append an entry (key copied, value taken, also on failure) without
 * ordering; hctx_map_finish() sorts once and keeps the first of equal
 * keys.  Building a map is O(n log n) whatever order keys arrive in.
 */
int hctx_map_append(struct hctx_value *map, const char *key,
		    struct hctx_value *value);
struct hctx_spec;
void hctx_map_finish(struct hctx_value *map, const struct hctx_spec *spec);
/* Insert or replace key in a finished map (value taken, also on failure). */
int hctx_map_put(struct hctx_value *map, const struct hctx_spec *spec,
		 const char *key, struct hctx_value *value);
void hctx_map_remove(struct hctx_value *map, const char *key);
int hctx_array_append(struct hctx_value *arr, struct hctx_value *value);

/* ---- specs: what a value may hold (fields.c) ---------------------- */

/*
 * The kinds a spec can give a value.  Each kind has one row of
 * operations (struct hctx_kind_ops, kinds.c); nothing else switches on
 * a kind, and the build uses -Wswitch-enum, so a new kind cannot be
 * half added.
 */
enum hctx_kind {
	HCTX_KIND_STRING,	/* any UTF-8 string */
	HCTX_KIND_ENUM,		/* a string from spec->names */
	HCTX_KIND_U64,
	HCTX_KIND_LIMIT,	/* a U64 node; UINT64_MAX is "unlimited" (RLIM_INFINITY) */
	HCTX_KIND_S64,
	HCTX_KIND_BOOL,
	HCTX_KIND_DOUBLE,
	HCTX_KIND_RECORD,	/* fixed members: spec->members */
	HCTX_KIND_STRMAP,	/* string keys in strcmp order -> spec->elem */
	HCTX_KIND_CPUMAP,	/* "N" keys in numeric order -> spec->elem */
	HCTX_KIND_BYCPU,	/* cpulist keys ordered by lowest CPU -> spec->elem */
	HCTX_KIND_ARRAY,	/* elements: spec->elem */
	HCTX_KIND_COUNT
};

struct hctx_member;

struct hctx_spec {
	enum hctx_kind kind;
	const char *const *names;		/* ENUM: NULL-terminated */
	const struct hctx_member *members;	/* RECORD */
	size_t n_members;
	const struct hctx_spec *elem;		/* maps and ARRAY */
	/* human report quirks of the reference's formats */
	const char *human_absent;		/* "(unknown)" when NULL */
	bool empty_is_absent;			/* {} reads as absent (cpufreq_governor) */
};

struct hctx_member {
	const char *name;
	const struct hctx_spec *spec;
	unsigned human_order;		/* the reference prints heap_state in another order */
	int cls;			/* a HOSTCTX_CLASS_* of its own, or 0: the field's */
};
/* A member's own class is written cls = HCTX_CLASS(IDENTITY) and so on. */
#define HCTX_CLASS(c) (HOSTCTX_CLASS_##c + 1)

extern const struct hctx_spec hctx_spec_string, hctx_spec_u64, hctx_spec_s64,
	hctx_spec_bool, hctx_spec_double, hctx_spec_limit;
/* The shape of a record's deltas, for the deltas_* export columns (fields.c). */
extern const struct hctx_spec hctx_deltas_spec;
/* A LIMIT value of UINT64_MAX is written and read as this word. */
#define HCTX_UNLIMITED "unlimited"

/* A path into a value, for change names and messages. */
#define HCTX_PATH_MAX 256

struct hctx_changes_builder;
struct hctx_metrics;
struct hctx_export;
struct hctx_human;
struct hctx_jw;
struct hctx_change;

/* One row of operations per kind (kinds.c). */
struct hctx_kind_ops {
	enum hctx_node node;		/* the node kind its values have */
	/* JSON of a value of this kind (the writer: json_write.c). */
	void (*write_json)(struct hctx_jw *w, const struct hctx_spec *spec,
			   const struct hctx_value *v);
	/* Differences between a and b (either may be NULL) at path. */
	int (*diff)(struct hctx_changes_builder *cb, const char *path,
		    const struct hctx_spec *spec, const struct hctx_value *a,
		    const struct hctx_value *b);
	/* The reference's report lines for a field of this kind. */
	void (*report)(struct hctx_human *h, const char *name,
		       const struct hctx_spec *spec, const struct hctx_value *v);
	/* The reference's diff line(s) of one change. */
	void (*change_lines)(struct hctx_human *h, const struct hctx_change *c);
	/*
	 * A scalar from a file's trimmed text: -EINVAL when the text is
	 * not one (overflow, junk, a name outside the enum).  NULL for
	 * kinds no file holds as one text.
	 */
	int (*from_text)(const struct hctx_spec *spec, const char *text,
			 struct hctx_value **ret);
	/*
	 * OpenMetrics samples of a value (metrics.c): numbers give one,
	 * strings none; a record's members extend the name, a map's keys
	 * and an array's indexes become a label.
	 */
	void (*metrics)(struct hctx_metrics *m, const struct hctx_spec *spec,
			const struct hctx_value *v);
	/*
	 * The cells of a value in a hostctx export row (export.c;
	 * docs/fleet.md): v may be NULL (absent), and the cells are the
	 * same whatever v holds, so that every row has every column.
	 */
	void (*export)(struct hctx_export *x, const struct hctx_spec *spec,
		       const struct hctx_value *v);
};
/* A value of spec's kind from trimmed file text (from_text). */
int hctx_value_from_text(const struct hctx_spec *spec, const char *text,
			 struct hctx_value **ret);
extern const struct hctx_kind_ops hctx_kind_ops[HCTX_KIND_COUNT];

/* ---- the field table (fields.c) ----------------------------------- */

/* When a field is read (docs/design.md, "Read plans"). */
enum hctx_plan {
	HCTX_PLAN_EVERY,	/* in every snapshot */
	HCTX_PLAN_BOOT,		/* once per process while boot_id holds (live root) */
	HCTX_PLAN_LIVE,		/* live root only: omitted under --root */
	HCTX_PLAN_NEVER,	/* not read from the host (heap_state) */
};

struct hctx_reader;		/* per-snapshot read state (snapshot.c) */
struct hctx_field;

/*
 * A reader fetches one field's value through the row: 0 with *ret set,
 * or a negative errno that says why the field is absent (-ENOENT: not
 * on this machine); -ENOMEM stops the snapshot.  Sources several rows
 * share (meminfo, the online CPUs, uname) are read once per snapshot.
 */
typedef int (*hctx_read_fn)(struct hctx_reader *rd, const struct hctx_field *f,
			    struct hctx_value **ret);
/*
 * What --redact does to a row's value (redact.c): hctx_redact_omit (the
 * row is then not read at all) or a rewrite in place; 0 or -ENOMEM.
 */
typedef int (*hctx_redact_fn)(struct hctx_value **v);
int hctx_redact_omit(struct hctx_value **v);
int hctx_redact_cmdline(struct hctx_value **v);
/* The rewrite itself, pure: a new string or NULL (no memory). */
char *hctx_redact_cmdline_text(const char *cmdline);
/* 8-4-4-4-12 hex digits at p, which holds at least 36 bytes. */
bool hctx_uuid_at(const char *p);

struct hctx_field {
	const char *name;		/* JSON key */
	const struct hctx_spec *spec;
	enum hostctx_class cls;
	const char *group;		/* for --fields */
	enum hctx_plan plan;
	hctx_read_fn read;
	const char *arg;		/* the reader's argument: a path, a key */
	const char *label;		/* human label */
	hctx_redact_fn redact;		/* under --redact; NULL: kept */
	bool counter;			/* its u64 leaves get deltas (post - pre) */
	bool never_compared;		/* heap_state: reported, never diffed */
	bool seed;			/* one of the reference's fields */
	bool metrics_info;		/* a label of hostctx_info (docs/metrics.md) */
};

/* The --fields groups, in report order, with their human headings. */
struct hctx_group {
	const char *name;
	const char *heading;
};
extern const struct hctx_group hctx_groups[];
extern const size_t hctx_n_groups;

/* In report order (the reference's format_human order). */
extern const struct hctx_field hctx_fields[];
extern const size_t hctx_n_fields;
/* More rows than this fail the build (fields.c): the reader's bit sets hold this many. */
#define HCTX_MAX_FIELDS 256
const struct hctx_field *hctx_field_by_name(const char *name, size_t len);

/* ---- the snapshot (snapshot.c) ----------------------------------- */

struct hctx_absence {
	int err;		/* positive errno; 0: present or never read */
	char *path;		/* the path tried, or NULL */
};

struct hostctx_snapshot {
	struct hctx_absence *why;	/* hctx_n_fields entries, or NULL */
	struct hctx_value *values[];	/* hctx_n_fields slots */
};

static inline const struct hctx_value *
hctx_snapshot_value(const struct hostctx_snapshot *s, size_t row)
{
	return s->values[row];
}
/*
 * The value at path (a hostctx_snapshot_get_*() path) and its spec:
 * *ret NULL when absent; -EINVAL for a path no row allows.
 */
int hctx_snapshot_lookup(const struct hostctx_snapshot *s, const char *path,
			 const struct hctx_spec **ret_spec, const struct hctx_value **ret);
/* Replace a field's value (taken). */
void hctx_snapshot_put(struct hostctx_snapshot *s, size_t row,
		       struct hctx_value *v);

/* The memo slots of struct hctx_reader, one per reader file. */
enum hctx_memo {
	HCTX_MEMO_BASIC,	/* read_basic.c */
	HCTX_MEMO_CPUFREQ,	/* read_cpufreq.c */
	HCTX_MEMO_PLATFORM,	/* read_platform.c */
	HCTX_MEMO_PROCESS,	/* read_process.c */
	HCTX_MEMO_COUNTERS,	/* read_counters.c */
	HCTX_MEMO_COUNT
};

/* At most this many rows read meminfo keys (a unit test checks). */
#define HCTX_MEMINFO_ROWS 16

/* Readers (read_*.c), one per source. */
/* A cpufreq policy directory and the CPUs to visit it answers for. */
struct hctx_policy {
	unsigned id;
	struct hctx_cpuset cpus;
};

struct hctx_reader {
	struct hostctx_root *root;
	char *buf;		/* the root's scratch: HCTX_READ_CAP + 1 bytes */
	const char *path;	/* the path the current reader tried last */
	char pathbuf[192];	/* for a path made up by a reader */
	/* sources shared by several rows, read once per snapshot */
	int online_err;		/* 0 unread; 1 read; < 0 failed */
	struct hctx_cpuset online;
	int cpuinfo_err;
	char *cpuinfo_model, *cpuinfo_vendor;
	int meminfo_err;
	size_t meminfo_n;	/* the meminfo rows' keys, values, results */
	const char *meminfo_keys[HCTX_MEMINFO_ROWS];
	uint64_t meminfo_values[HCTX_MEMINFO_ROWS];
	int meminfo_found[HCTX_MEMINFO_ROWS];
	int uname_err;
	char *uname_part[3];	/* sysname, release, machine */
	/*
	 * Sources of the fields beyond the reference, one slot per reader
	 * file: each keeps what it read once per snapshot here and frees it
	 * through the matching function (called when the snapshot is done).
	 */
	void *memo[HCTX_MEMO_COUNT];
	void (*memo_free[HCTX_MEMO_COUNT])(void *);
	int policies_err;	/* cpufreq/policyN and their CPUs: 0 unread; 1 read; < 0 none */
	size_t n_policies, policies_cap;
	struct hctx_policy *policies;
	uint64_t truncated[HCTX_MAX_FIELDS / 64];	/* rows the text budget cut short */
	bool cpu_dirs_done;	/* captured roots: cpu/cpuN listed */
	int cpu_dirs_err;
	struct hctx_cpuset cpu_dirs;	/* online CPUs with a directory */
};

/* Free what the readers kept in rd (read_sys.c). */
void hctx_reader_clear(struct hctx_reader *rd);

int hctx_read_cpuinfo(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
int hctx_read_meminfo(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
/* f->arg's trimmed text as a value of the row's kind. */
int hctx_read_scalar(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret);
/*
 * A by-CPU map of "sys/devices/system/cpu/cpuN/" + f->arg over the
 * online CPUs; only CPUs whose own file reads get an entry.
 */
int hctx_read_cpu_files(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret);
int hctx_read_sched_tunables(struct hctx_reader *rd, const struct hctx_field *f,
			     struct hctx_value **ret);
int hctx_read_online_cpus(struct hctx_reader *rd, const struct hctx_field *f,
			  struct hctx_value **ret);
int hctx_read_numa_nodes(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);
int hctx_read_governors(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret);
int hctx_read_uname(struct hctx_reader *rd, const struct hctx_field *f,
		    struct hctx_value **ret);
int hctx_read_delayacct(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret);
int hctx_read_xacct(struct hctx_reader *rd, const struct hctx_field *f,
		    struct hctx_value **ret);

/* -- readers: basic (read_basic.c) -- */

/* Where the cpuinfo reader keeps the microcode (the basic memo); NULL: no memory. */
char **hctx_reader_microcode_slot(struct hctx_reader *rd);
int hctx_read_boot_id(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
int hctx_read_uptime(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret);
/* The allowlisted sysctls beneath f->arg ("proc/sys"). */
int hctx_read_sysctls(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
/* f->arg as a canonical cpulist ("" when empty); nohz_full also takes "(null)". */
int hctx_read_cpulist_field(struct hctx_reader *rd, const struct hctx_field *f,
			    struct hctx_value **ret);
int hctx_read_nohz_full(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret);
/* f->arg trimmed, runs of blanks made one space. */
int hctx_read_normalised(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);
/* Every regular file of directory f->arg: name -> trimmed content. */
int hctx_read_vulnerabilities(struct hctx_reader *rd, const struct hctx_field *f,
			      struct hctx_value **ret);
/* proc/loadavg once per snapshot; f->arg "1", "5", "15", "runnable", "total". */
int hctx_read_loadavg(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
/* The Mains supplies beneath f->arg ("sys/class/power_supply"). */
int hctx_read_ac_power(struct hctx_reader *rd, const struct hctx_field *f,
		       struct hctx_value **ret);

/* -- readers: cpufreq (read_cpufreq.c) -- */

/* scaling_driver (f->arg) of the first online CPU that has the file. */
int hctx_read_cpufreq_driver(struct hctx_reader *rd, const struct hctx_field *f,
			     struct hctx_value **ret);
/* The files of directory f->arg as the members of the row's record. */
int hctx_read_dir_record(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);
/* f->arg/current_governor_ro, else f->arg/current_governor. */
int hctx_read_cpuidle_governor(struct hctx_reader *rd, const struct hctx_field *f,
			       struct hctx_value **ret);

/* -- readers: platform (read_platform.c) -- */

/* etc/os-release, else usr/lib/os-release: id, version_id, pretty_name, version_codename. */
int hctx_read_os_release(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);
/* The six allowlisted DMI strings, sys/class/dmi/id else sys/devices/virtual/dmi/id. */
int hctx_read_dmi(struct hctx_reader *rd, const struct hctx_field *f,
		  struct hctx_value **ret);

/* hypervisor and (f->arg "source") hypervisor_source: the probes in order. */
int hctx_read_hypervisor(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);

/* cpu_caches: the online CPUs' cache kinds, grouped (read_caches.c). */
int hctx_read_cpu_caches(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret);

/* -- readers: process (read_process.c) -- */

/* process: affinity, mems_allowed, nice, sched_policy, aslr_disabled (live). */
int hctx_read_process(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);

/* cgroup (its limits, never its path) and cgroup_cpu_stat (live). */
int hctx_read_cgroup(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret);
int hctx_read_cgroup_cpu_stat(struct hctx_reader *rd, const struct hctx_field *f,
			      struct hctx_value **ret);

/* -- readers: counters (read_counters.c) -- */

/* proc/stat, read once a snapshot: the cpu line, a line's first number. */
int hctx_read_cpu_ticks(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret);
int hctx_read_stat_counter(struct hctx_reader *rd, const struct hctx_field *f,
			   struct hctx_value **ret);
int hctx_read_user_hz(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret);
int hctx_read_vmstat(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret);
int hctx_read_pressure(struct hctx_reader *rd, const struct hctx_field *f,
		       struct hctx_value **ret);
int hctx_read_thermal_throttle(struct hctx_reader *rd, const struct hctx_field *f,
			       struct hctx_value **ret);

/* The online CPUs, read once per snapshot: 0 or -errno. */
int hctx_reader_online(struct hctx_reader *rd, const struct hctx_cpuset **ret);
/*
 * The CPUs whose files per-CPU readers open: the online ones, and under
 * a captured root only those with a cpuN directory (listed once).
 */
int hctx_reader_cpus(struct hctx_reader *rd, const struct hctx_cpuset **ret);

/* ---- pure parsers of the fields beyond the reference ------------- */

/* -- parsers: basic (parse_basic.c) -- */

/* 36 chars in the UUID layout, lowercase hex: proc/sys/kernel/random/boot_id. */
bool hctx_is_boot_id(const char *s, size_t len);
/*
 * A non-negative decimal "123" or "123.45" (no sign, exponent, inf or
 * nan), parsed without the locale; -EINVAL for junk, -ERANGE beyond
 * 2^53 significant units.
 */
int hctx_parse_gauge(const char *s, size_t len, double *ret);
/* proc/uptime: its first token; -ENODATA when empty, -EINVAL when malformed. */
int hctx_parse_uptime(const char *text, size_t len, double *ret);
/* proc/loadavg's first four tokens ("0.52 0.58 0.59 1/467"). */
struct hctx_loadavg {
	double avg[3];		/* 1, 5, 15 minutes */
	uint64_t runnable, total;
};
int hctx_parse_loadavg(const char *text, size_t len, struct hctx_loadavg *ret);
/*
 * A sysfs cpulist file as a canonical cpulist: "" when empty (and for
 * "(null)" with null_is_empty); -EINVAL when it is no cpulist.
 */
int hctx_parse_cpulist_text(const char *text, size_t len, bool null_is_empty,
			    char **ret);
/* The trimmed value of "Key:\tvalue" in a proc status file (-ENOENT). */
int hctx_status_value(const char *text, size_t len, const char *key, char **ret);
/* Trimmed (hctx_parse_trimmed's results) with runs of blanks made one space. */
int hctx_parse_normalised(const char *text, size_t len, char **ret);

/* -- parsers: cpufreq (parse_cpufreq.c) -- */

/* -- parsers: platform (parse_platform.c) -- */

/* Longer os-release lines are skipped. */
#define HCTX_OS_RELEASE_LINE_MAX 4096
/*
 * os-release(5) text: values[k] (NULL when unset, else a new string)
 * from the last well-formed, non-empty UTF-8 assignment of keys[k];
 * '#' lines, blank lines and malformed lines are skipped.  Returns 0
 * or -ENOMEM.
 */
int hctx_parse_os_release(const char *text, size_t len, const char *const *keys,
			  size_t n_keys, char **values);

/*
 * The hypervisor probes' pure parts: a static name or NULL (undecided).
 * cpuid: the 12-byte signature of leaf 0x40000000 ("unknown" for one not
 * listed); type: sys/hypervisor/type; sysinfo: s390's proc/sysinfo,
 * only its "Control Program:" lines looked at ("lpar" when none);
 * compatible: ppc's NUL-separated proc/device-tree/compatible; dmi: the
 * virtual platforms' sys_vendor (and product_name, may be NULL).
 */
const char *hctx_hypervisor_of_cpuid(const char *signature);
const char *hctx_hypervisor_of_type(const char *type);
const char *hctx_hypervisor_of_sysinfo(const char *text, size_t len);
const char *hctx_hypervisor_of_compatible(const char *text, size_t len);
const char *hctx_hypervisor_of_dmi(const char *vendor, const char *product);
/* Whether the first block of proc/cpuinfo's "flags" holds flag. */
bool hctx_cpuinfo_has_flag(const char *text, size_t len, const char *flag);

/* A cache's size file ("32K", "1M") in KiB; its type word lowercased. */
int hctx_parse_cache_size(const char *text, unsigned long *ret_kib);
int hctx_cache_type(const char *text, char *buf, size_t size);

/* -- parsers: process (parse_process.c) -- */

/*
 * proc/self/cgroup: the path of hierarchy ctrl ("" = the v2 "0::" line),
 * and whether v1 lines are there; mountinfo: that hierarchy's directory
 * (mount point + path beneath the mount's root) and the mount point.
 */
int hctx_cgroup_path(const char *text, size_t len, const char *ctrl, char **ret,
		     bool *ret_has_v1);
int hctx_cgroup_dir(const char *text, size_t len, const char *fstype, const char *ctrl,
		    const char *path, char **ret_dir, char **ret_mount);
bool hctx_list_has(const char *list, size_t len, const char *word);
/* cpu.max's share of one CPU (quota / period), -1 for "max". */
int hctx_cpu_max_share(const char *text, double *ret);

/* -- parsers: counters (parse_counters.c) -- */

/* proc/stat's "cpu " line: its leading integer columns (at most max). */
int hctx_parse_stat_cpu(const char *text, size_t len, uint64_t *cols, size_t max,
			size_t *ret_n);
/* The first number of proc/stat's line KEY ("ctxt", "intr", ...). */
int hctx_parse_stat_counter(const char *text, size_t len, const char *key,
			    uint64_t *ret);
/*
 * proc/vmstat: values[i] and found[i] for each of the n names (at most
 * HCTX_VMSTAT_MAX_NAMES, else -E2BIG); a name's first parseable line wins.
 * A name shorter than 2 bytes or longer than HCTX_VMSTAT_KEY_MAX is
 * never found (the kernel's are 5 to 31).
 */
#define HCTX_VMSTAT_MAX_NAMES 64
#define HCTX_VMSTAT_KEY_MAX 64
int hctx_parse_vmstat(const char *text, size_t len, const char *const *names,
		      size_t n_names, uint64_t *values, bool *found);
/* One proc/pressure file: its "some" and "full" lines. */
struct hctx_pressure_line {
	bool present;
	double avg[3];		/* avg10, avg60, avg300 (%) */
	uint64_t total_us;
};
struct hctx_pressure {
	struct hctx_pressure_line line[2];	/* some, full */
};
int hctx_parse_pressure(const char *text, size_t len, struct hctx_pressure *ret);

/* ---- JSON Schema of a snapshot (schema.c) ------------------------ */

#define HCTX_SNAPSHOT_SCHEMA_ID "urn:hostctx:schema:snapshot:1"
/* The schema's text (docs/schema/hostctx-snapshot-1.schema.json). */
int hctx_snapshot_schema(char **ret);
bool hctx_schema_covers_every_kind(void);

/* ---- by-CPU maps (bycpu.c) -------------------------------------- */

/* The canonical cpulist of set ("0-3,8"; "" for the empty set). */
int hctx_cpulist_format(const struct hctx_cpuset *set, char **ret);

struct hctx_bycpu_group {
	struct hctx_value *value;
	struct hctx_cpuset cpus;
};
/* Collects (cpu, value) pairs into groups of equal values. */
struct hctx_bycpu_builder {
	size_t n, cap;
	struct hctx_bycpu_group *groups;
};
int hctx_bycpu_add(struct hctx_bycpu_builder *b, unsigned cpu,
		   struct hctx_value *value);
/* Every CPU of cpus with one value (taken). */
int hctx_bycpu_add_set(struct hctx_bycpu_builder *b, const struct hctx_cpuset *cpus,
		       struct hctx_value *value);
/* The map, or *ret NULL when no CPU had a value; then clear b. */
int hctx_bycpu_finish(struct hctx_bycpu_builder *b, const struct hctx_spec *spec,
		      struct hctx_value **ret);
void hctx_bycpu_clear(struct hctx_bycpu_builder *b);
int hctx_bycpu_diff(struct hctx_changes_builder *cb, const char *path,
		    const struct hctx_spec *spec, const struct hctx_value *a,
		    const struct hctx_value *b);

/* ---- deltas (deltas.c) ------------------------------------------- */

/*
 * post - pre of the counter rows and what derives from them: a map in
 * output order (NULL when none), or a reason in *ret_unavailable
 * ("boot_changed", "uptime_went_back").  0 or -ENOMEM.
 */
int hctx_deltas(const struct hostctx_snapshot *pre, const struct hostctx_snapshot *post,
		struct hctx_value **ret, const char **ret_unavailable);
/* Whether counters of arch wrap at 2^32 (unknown: no). */
bool hctx_arch_is_32bit(const char *arch);

/* ---- JSON writing (json_write.c) --------------------------------- */

struct hctx_jw;
/* A whole document written by fn, ending with a newline; free() the text. */
int hctx_jw_document(void (*fn)(struct hctx_jw *, const void *), const void *arg,
		     char **ret_text, size_t *ret_len);
/* The same on one line without blanks ("{\"a\":1}\n"), for export rows. */
int hctx_jw_document_compact(void (*fn)(struct hctx_jw *, const void *), const void *arg,
			     char **ret_text, size_t *ret_len);
void hctx_jw_string(struct hctx_jw *w, const char *s);
void hctx_jw_u64(struct hctx_jw *w, uint64_t v);
void hctx_jw_s64(struct hctx_jw *w, int64_t v);
void hctx_jw_bool(struct hctx_jw *w, bool v);
void hctx_jw_double(struct hctx_jw *w, double v);
/* The text hctx_jw_double() writes (32 bytes do). */
void hctx_double_text(double v, char *buf, size_t size);
/* Text that is already JSON (a number); null. */
void hctx_jw_raw(struct hctx_jw *w, const char *json_text);
void hctx_jw_null(struct hctx_jw *w);
void hctx_jw_begin(struct hctx_jw *w, char open);
void hctx_jw_end(struct hctx_jw *w, char close);
void hctx_jw_key(struct hctx_jw *w, const char *key);	/* inside an object */
void hctx_jw_elem(struct hctx_jw *w);			/* inside an array */
void hctx_write_value(struct hctx_jw *w, const struct hctx_spec *spec,
		      const struct hctx_value *v);
/* A tree built without a spec (the deltas): maps in insertion order. */
void hctx_jw_node(struct hctx_jw *w, const struct hctx_value *v);

/* ---- OpenMetrics (metrics.c) ------------------------------------ */

/*
 * The walk's position, for the kinds' metrics operations: the name so
 * far ("hostctx_pressure_io"), the labels so far; enter_* extend them
 * and return the mark that hctx_metrics_leave() goes back to.
 */
struct hctx_metrics_mark {
	size_t name, path, labels, depth;
};
struct hctx_metrics_mark hctx_metrics_enter_name(struct hctx_metrics *m,
						 const char *part);
struct hctx_metrics_mark hctx_metrics_enter_label(struct hctx_metrics *m,
						  const char *label,
						  const char *value);
void hctx_metrics_leave(struct hctx_metrics *m, struct hctx_metrics_mark k);
/* A sample at the position: value is OpenMetrics number text. */
void hctx_metrics_sample(struct hctx_metrics *m, const char *value);
void hctx_metrics_u64(struct hctx_metrics *m, uint64_t v);
void hctx_metrics_s64(struct hctx_metrics *m, int64_t v);
void hctx_metrics_double(struct hctx_metrics *m, double v);
/*
 * A name part as OpenMetrics allows it: every byte outside [a-zA-Z0-9_]
 * becomes '_' (':' too: the format keeps it for aggregations); the
 * name itself always starts "hostctx".
 */
void hctx_metrics_sanitise(char *s, size_t len);
/* The samples of v by its spec's kind (kinds.c). */
void hctx_metrics_walk(struct hctx_metrics *m, const struct hctx_spec *spec,
		       const struct hctx_value *v);
/*
 * A spec for a value built without one (the deltas derived from the
 * counters): the scalar of its node, a record whose keys are all
 * members for a map; NULL for an array.
 */
const struct hctx_spec *hctx_spec_of_node(enum hctx_node node);

/* ---- export rows (export.c) -------------------------------------- */

/*
 * The walk's position for the kinds' export operations: the column name
 * so far ("pre_cpu_time_ticks"); enter extends it with "_part" and
 * returns the mark hctx_export_leave() goes back to.  Each cell call
 * writes one column: its name in the header, its value in a row.
 */
size_t hctx_export_enter(struct hctx_export *x, const char *part);
void hctx_export_leave(struct hctx_export *x, size_t mark);
void hctx_export_null(struct hctx_export *x);
void hctx_export_string(struct hctx_export *x, const char *s);
void hctx_export_u64(struct hctx_export *x, uint64_t v);
void hctx_export_s64(struct hctx_export *x, int64_t v);
void hctx_export_bool(struct hctx_export *x, bool v);
void hctx_export_double(struct hctx_export *x, double v);
/* v (NULL: null) as compact JSON text in one string cell: maps, arrays. */
void hctx_export_json(struct hctx_export *x, const struct hctx_spec *spec,
		      const struct hctx_value *v);
/*
 * A per-CPU map (CPU keys or cpulist keys) as two cells: NAME_uniform,
 * the value when every CPU holding one agrees (else null), and NAME,
 * "cpulist:value;cpulist:value" by lowest CPU.
 */
void hctx_export_cpumap(struct hctx_export *x, const struct hctx_spec *spec,
			const struct hctx_value *v);	/* "N" keys: grouped first */
void hctx_export_bycpu(struct hctx_export *x, const struct hctx_spec *spec,
		       const struct hctx_value *v);	/* cpulist keys */
/* The cells of v by its spec's kind (kinds.c). */
void hctx_export_walk(struct hctx_export *x, const struct hctx_spec *spec,
		      const struct hctx_value *v);

/*
 * One value as the text export's cells and hostctx report show it: a
 * scalar as its text (a LIMIT's maximum as "unlimited"), a per-CPU map
 * as the canonical "cpulist:value;..." string, any other container as
 * compact JSON.  *ret NULL (and 0) when v is NULL; free() the text.
 */
int hctx_value_canonical(const struct hctx_spec *spec, const struct hctx_value *v,
			 char **ret);

/* ---- checks (check.c) ------------------------------------------- */

/* A check report as JSON: the results from least on. */
struct hctx_check_job {
	const struct hostctx_check_report *rep;
	const char *source;
	enum hostctx_check_status least;
};
void hctx_check_write(struct hctx_jw *w, const struct hctx_check_job *job);

/* ---- the sidecar and the document (sidecar.c) -------------------- */

struct hctx_exit {
	enum hostctx_exit_kind kind;
	int code;
	int signal;
	bool core_dumped;
};

/* One entry of a record's "writes" (writes.c). */
struct hctx_write {
	char *path;		/* absolute in the root's terms */
	long pid;		/* 0: unknown */
	char *comm;		/* NULL: unknown */
	int by_command;		/* 1, 0, -1: unknown */
	double seconds;
};

struct hctx_writes {
	const char *source;	/* a static string; NULL: nothing watched */
	size_t n, cap;
	struct hctx_write *items;
	unsigned long long omitted;	/* past HOSTCTX_WRITES_LISTED_MAX */
	unsigned long long unwatched;	/* directories inotify could not watch */
	bool sources_only;	/* "writes_sources_only": the rest never watched */
	bool late_watch;	/* all of /proc/sys watched only from: */
	double all_watched_at;	/* "writes_all_watched_at", after the release */
	bool overflowed;
};
void hctx_writes_clear(struct hctx_writes *w);
/* The distinct writers of the entries that are sources of field, for its
 * changes entry's "written_by" (json_write.c); fn per writer, count of
 * its entries; at most HCTX_WRITTEN_BY_MAX writers. */
#define HCTX_WRITTEN_BY_MAX 16
typedef void (*hctx_writer_fn)(void *userdata, const struct hctx_write *first,
			       size_t count);
size_t hctx_writers_of(const struct hctx_writes *w, const char *field,
		       hctx_writer_fn fn, void *userdata);

struct hostctx_sidecar {
	char *tool_name;	/* NULL on write: "hostctx-run" */
	char *tool_version;	/* NULL on write: HOSTCTX_VERSION */
	char *mode;
	bool complete;
	size_t argc;
	char **argv;
	char *cwd;
	bool has_started_at;
	struct timespec started_at;
	bool has_ended_at;
	struct timespec ended_at;
	bool has_wall_seconds;
	double wall_seconds;
	struct hctx_exit exit;
	char *exec_error;
	struct hostctx_rusage rusage;
	struct hostctx_rusage rusage_children;
	long long descendants_left;	/* -1: absent */
	long pid;			/* run.pid; 0: absent */
	uint64_t pid_start_ticks;	/* run.pid_start_ticks, with pid */
	const char *descendants_wait;	/* a static string; NULL: absent */
	const char *refused;		/* run.refused, a static string; NULL: ran */
	struct hostctx_check_report *check;	/* written as "check"; owned */
	struct hctx_writes writes;		/* --watch-writes */
	struct hostctx_snapshot *pre, *post;
	bool reference_pair;	/* read from the reference's {"pre", "post"} */
};

/* What wrote a document, as far as its shape tells. */
enum hctx_origin {
	HCTX_ORIGIN_RECORD,	/* a hostctx record: its "tool" says which */
	HCTX_ORIGIN_SNAPSHOT,	/* a bare snapshot: hostctx's or the reference's */
	HCTX_ORIGIN_KTSTR,	/* the reference's sidecar: its "host" object */
	HCTX_ORIGIN_PAIR,	/* the reference's {"pre", "post"} pair */
};

struct hostctx_document {
	struct hostctx_sidecar *sidecar;	/* a sidecar (or a pair), or */
	struct hostctx_snapshot *snapshot;	/* a bare snapshot */
	enum hctx_origin origin;
};

/* The run.rusage blocks' JSON rows: a double (seconds) or a uint64_t each. */
struct hctx_rusage_json_row {
	const char *name;
	size_t offset;		/* in struct hostctx_rusage */
	bool seconds;
};
extern const struct hctx_rusage_json_row hctx_rusage_json_rows[];
extern const size_t hctx_n_rusage_json_rows;

/* ---- changes (diff.c) -------------------------------------------- */

struct hctx_change {
	char *field;
	enum hostctx_class cls;
	const struct hctx_spec *spec;	/* of before and after */
	const struct hctx_value *before, *after;
	bool is_map_entry;	/* a member of a map present on both sides */
	bool is_cpu_entry;	/* of a CPU-keyed map: the host's CPUs, not a producer's choice */
	unsigned flags;		/* HOSTCTX_CHANGE_* (compare.c) */
};

struct hostctx_changes {
	size_t n, cap;
	struct hctx_change *items;
	/* what compare.c made it with; hostctx_diff(): the run form, defaults */
	enum hostctx_compare_form form;
	unsigned classes;	/* compared: 1u << HOSTCTX_CLASS_* */
	char *producer[2];	/* when they differ; else NULL */
};

struct hctx_changes_builder {
	struct hostctx_changes *c;
	enum hostctx_class cls;
	bool seed;		/* the field is one of the reference's */
};
/* ---- comparing (compare.c) ---------------------------------------- */

struct hctx_tolerance {
	enum {
		HCTX_TOLERANCE_EXACT,
		HCTX_TOLERANCE_ANY,	/* values may differ; presence must match */
		HCTX_TOLERANCE_ABSOLUTE,	/* |b - a| <= n */
		HCTX_TOLERANCE_RELATIVE,	/* |b - a| <= n% of |a| */
	} kind;
	double n;
};
/* "N", "N%", "any" or "0" (also "0%", "0.0"): -EINVAL for anything else. */
int hctx_parse_tolerance(const char *spec, struct hctx_tolerance *ret);
/* Two present values of spec differ within t (a numeric t: numbers only). */
bool hctx_tolerance_allows(const struct hctx_tolerance *t, const struct hctx_spec *spec,
			   const struct hctx_value *a, const struct hctx_value *b);
/* The change sets diff's exit status (hostctx_changes_differ). */
bool hctx_change_counts(const struct hostctx_changes *c, const struct hctx_change *ch);

/* Diff one field of the table into cb (both values may be NULL). */
int hctx_diff_field(struct hctx_changes_builder *cb, size_t row,
		    const struct hostctx_snapshot *a, const struct hostctx_snapshot *b);
/* "A → B" of a change, "(absent)" for a side that lacks it (kinds.c). */
void hctx_change_sides(struct hctx_human *h, const struct hctx_change *c);
/* Every class but telemetry: what `diff` compares by default. */
#define HCTX_DEFAULT_CLASSES                                               \
	((1u << HOSTCTX_CLASS_IDENTITY) | (1u << HOSTCTX_CLASS_INSTANCE) | \
	 (1u << HOSTCTX_CLASS_CONFIG))
int hctx_push_change(struct hctx_changes_builder *cb, const char *path,
		     const struct hctx_spec *spec, const struct hctx_value *a,
		     const struct hctx_value *b, bool is_map_entry);
/* "a.b" into buf; false when it does not fit. */
bool hctx_join_path(char *buf, size_t size, const char *a, const char *b);

/* ---- human text (human.c) ---------------------------------------- */

struct hctx_human {
	FILE *f;
};
/* Text of our own (labels, names of the table), as it is. */
void hctx_human_text(struct hctx_human *h, const char *s);
/* Text from a tree or a file: control characters shown escaped. */
void hctx_human_value(struct hctx_human *h, const char *s);
void hctx_human_printf(struct hctx_human *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text built in memory: open, print to .h, finish (the text is malloc()ed). */
struct hctx_out {
	struct hctx_human h;
	char *text;
	size_t len;
};
int hctx_out_open(struct hctx_out *o);
int hctx_out_finish(struct hctx_out *o, char **ret_text);
/* An enum value's human spelling: the JSON name with '-' for '_'. */
void hctx_human_enum(struct hctx_human *h, const char *json_name);
/* The reference's diff line(s) of one change (kinds.c). */
void hctx_change_lines(struct hctx_human *h, const struct hctx_change *c);

/* /proc/PID/stat: field 3 (the state letter) and field 22 (start ticks). */
int hctx_parse_pid_stat(const char *text, size_t len, char *ret_state, uint64_t *ret_start);

/*
 * probe.c: a record checked as `hostctx check FILE` does, with the
 * default configuration and this host's word on an incomplete record's
 * process.  0 with *ret NULL when the record has no pre snapshot.
 */
int hctx_check_record_here(const struct hostctx_sidecar *sc, struct hostctx_check_report **ret);

/* ---- quote.c --------------------------------------------------------- */

/* hostctx_quote() into a stream. */
void hctx_quote_to(FILE *f, const char *s, enum hostctx_quote_style style);
/* The record's argv as shell words, separated by blanks ("" for none). */
void hctx_command_line_to(FILE *f, const struct hostctx_sidecar *sc);

/* ---- text.c ---------------------------------------------------------- */

/* A growable string: p is NUL-terminated once anything was added. */
struct hctx_text {
	char *p;
	size_t len, cap;
};
/* Append n bytes of s: 0, or -ENOMEM with t as it was. */
int hctx_text_add(struct hctx_text *t, const char *s, size_t n);

#endif /* HOSTCTX_INTERNAL_H */
