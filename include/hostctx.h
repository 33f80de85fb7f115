/* SPDX-License-Identifier: MIT */
/*
 * hostctx.h - the one public header of libhostctx.
 *
 * libhostctx takes snapshots of the host's tunable state (CPU identity,
 * memory and hugepages, THP, sched_* sysctls, online CPUs, NUMA nodes,
 * cpufreq governors, kernel identity, accounting switches), writes and
 * reads them as JSON, diffs two of them and renders them for humans.
 *
 * Conventions, stated once for the whole API:
 *
 *  - Functions that can fail return 0 (or a non-negative count) on
 *    success and a negative errno value on failure.  They never print,
 *    never exit and never abort the process.
 *  - Out-parameters are named ret_*.  They are written only on success;
 *    on failure they are left untouched.
 *  - Every pointer handed back through ret_* (strings, objects, arrays)
 *    is owned by the caller and released with the matching function
 *    named below (free() for plain strings).
 *  - A struct hostctx_snapshot or hostctx_sidecar owns every string and
 *    array it points to.  Initialise with *_init(), release with
 *    *_clear(); a cleared struct is ready for reuse.
 *  - "Absent" is explicit: NULL strings, .present == false numbers, the
 *    _ABSENT enum value.  Absent fields are omitted from JSON, never
 *    written as null.
 *  - Numbers in JSON are exact up to 2^53 when read back (cJSON keeps
 *    numbers as doubles); no real snapshot value comes near that.
 *
 * Thread safety: distinct objects may be used from distinct threads.
 * A struct hostctx_root may be shared read-only by snapshots taken one at
 * a time; it caches the /proc/config.gz answer.
 */
#ifndef HOSTCTX_H
#define HOSTCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOSTCTX_VERSION "0.1.0"
#define HOSTCTX_SIDECAR_SCHEMA "hostctx-sidecar/1"

/* ------------------------------------------------------------------ */
/* The root: where /proc and /sys are read from                        */
/* ------------------------------------------------------------------ */

struct hostctx_root;

/*
 * Open the tree that snapshots read.  dir == NULL (or "/") means the
 * live system; live-only probes such as uname(2) are used only then.
 * Any other dir is a captured tree: every read stays beneath it.
 * Frees with hostctx_root_close().
 */
int hostctx_root_open(const char *dir, struct hostctx_root **ret_root);
void hostctx_root_close(struct hostctx_root *root);
bool hostctx_root_is_live(const struct hostctx_root *root);

/*
 * The root named by the environment: HOSTCTX_ROOT when set and not
 * empty, else NULL (live).  envp may be NULL to use environ.
 */
const char *hostctx_root_from_env(char *const *envp);

/* ------------------------------------------------------------------ */
/* The snapshot                                                        */
/* ------------------------------------------------------------------ */

struct hostctx_u64 {
	bool present;
	uint64_t value;
};

enum hostctx_delayacct {
	HOSTCTX_DELAYACCT_ABSENT = 0,
	HOSTCTX_DELAYACCT_CONFIG_OFF,
	HOSTCTX_DELAYACCT_RUNTIME_OFF,
	HOSTCTX_DELAYACCT_ON,
};

enum hostctx_xacct {
	HOSTCTX_XACCT_ABSENT = 0,
	HOSTCTX_XACCT_ON,
	HOSTCTX_XACCT_OFF,
	HOSTCTX_XACCT_UNKNOWN,
};

/* A string -> string map kept sorted by key (strcmp order). */
struct hostctx_kv {
	char *key;
	char *value;
};
struct hostctx_kvmap {
	bool present;		/* false: omitted; true and n == 0: "{}" */
	size_t n;
	struct hostctx_kv *items;
};

/* CPU -> governor, kept sorted by ascending cpu.  Empty = omitted. */
struct hostctx_gov {
	unsigned cpu;
	char *governor;
};
struct hostctx_govmap {
	size_t n;
	struct hostctx_gov *items;
};

/* A process heap (preload mode's post only).  Reference names. */
struct hostctx_heap {
	struct hostctx_u64 active_bytes;
	struct hostctx_u64 allocated_bytes;
	struct hostctx_u64 resident_bytes;
	struct hostctx_u64 mapped_bytes;
	struct hostctx_u64 narenas;
};

struct hostctx_snapshot {
	char *cpu_model;
	char *cpu_vendor;
	struct hostctx_u64 total_memory_kib;
	struct hostctx_u64 hugepages_total;
	struct hostctx_u64 hugepages_free;
	struct hostctx_u64 hugepages_size_kib;
	char *thp_enabled;
	char *thp_defrag;
	struct hostctx_kvmap sched_tunables;
	struct hostctx_u64 online_cpus;
	struct hostctx_u64 numa_nodes;
	struct hostctx_govmap cpufreq_governor;
	char *kernel_name;
	char *kernel_release;
	char *arch;
	char *kernel_cmdline;
	enum hostctx_delayacct task_delayacct;
	enum hostctx_xacct config_task_xacct;
	struct hostctx_heap *heap_state;	/* NULL: absent */
};

void hostctx_snapshot_init(struct hostctx_snapshot *s);
void hostctx_snapshot_clear(struct hostctx_snapshot *s);
/* Deep copy; dst must be initialised (its old content is cleared). */
int hostctx_snapshot_copy(struct hostctx_snapshot *dst,
			  const struct hostctx_snapshot *src);
bool hostctx_snapshot_equal(const struct hostctx_snapshot *a,
			    const struct hostctx_snapshot *b);

/*
 * Read every field from root.  A field that cannot be read is left
 * absent; a partial failure never drops other fields.  Returns 0, or
 * -ENOMEM (s is then cleared).  s must be initialised.
 */
int hostctx_snapshot_take(struct hostctx_root *root,
			  struct hostctx_snapshot *s);

/* Add, set or remove (value == NULL) one sched_tunables key. */
int hostctx_kvmap_set(struct hostctx_kvmap *m, const char *key,
		      const char *value);
const char *hostctx_kvmap_get(const struct hostctx_kvmap *m, const char *key);
int hostctx_govmap_set(struct hostctx_govmap *m, unsigned cpu,
		       const char *governor);
const char *hostctx_govmap_get(const struct hostctx_govmap *m, unsigned cpu);

/*
 * The text between the first '[' and the first ']' after it, as the
 * kernel marks the active THP policy: "always [madvise] never" gives
 * "madvise".  Returns false (and leaves the out-parameters) when either
 * bracket is missing or s is NULL.
 */
bool hostctx_bracketed_active(const char *s, const char **ret_start,
			      size_t *ret_len);

const char *hostctx_delayacct_json_name(enum hostctx_delayacct v);  /* "config_off" */
const char *hostctx_delayacct_human_name(enum hostctx_delayacct v); /* "config-off" */
const char *hostctx_xacct_name(enum hostctx_xacct v);		     /* "on" */

/* ------------------------------------------------------------------ */
/* Diff                                                                */
/* ------------------------------------------------------------------ */

enum hostctx_value_kind {
	HOSTCTX_VALUE_ABSENT = 0,
	HOSTCTX_VALUE_STRING,
	HOSTCTX_VALUE_U64,
	HOSTCTX_VALUE_KVMAP,	/* a whole sched_tunables map */
	HOSTCTX_VALUE_GOVMAP,	/* a whole cpufreq_governor map */
};

/* A value borrowed from one of the two snapshots that were diffed. */
struct hostctx_value {
	enum hostctx_value_kind kind;
	const char *string;
	uint64_t u64;
	const struct hostctx_kvmap *kvmap;
	const struct hostctx_govmap *govmap;
};

struct hostctx_change {
	char *field;	/* "thp_enabled", "sched_tunables.KEY", "cpufreq_governor.cpuN" */
	bool is_map_entry;	/* field is KEY/cpuN inside a map present on both sides */
	struct hostctx_value before;
	struct hostctx_value after;
};

struct hostctx_changes {
	size_t n;
	struct hostctx_change *items;
};

/*
 * Every field that differs between a and b, in report order.  The
 * values point into a and b: keep both alive while using the result.
 * heap_state is never compared.  Free with hostctx_changes_clear().
 */
int hostctx_diff(const struct hostctx_snapshot *a,
		 const struct hostctx_snapshot *b,
		 struct hostctx_changes *ret_changes);
void hostctx_changes_clear(struct hostctx_changes *c);

/* Drop every change whose field matches one of the fnmatch(3) globs. */
void hostctx_changes_filter(struct hostctx_changes *c,
			    const char *const *globs, size_t n_globs);

/* ------------------------------------------------------------------ */
/* Human text (not a stable format; machines read the JSON)            */
/* ------------------------------------------------------------------ */

/* The reference's report: one "key: value" line per field. */
int hostctx_snapshot_format_human(const struct hostctx_snapshot *s,
				  char **ret_text);
/*
 * The reference's diff lines, "  key: before → after\n" each, for the
 * given changes; heap_state lines are appended from a and b when both
 * are given (a, b may be NULL).  Empty string when nothing differs.
 */
int hostctx_changes_format_human(const struct hostctx_changes *c,
				 const struct hostctx_snapshot *a,
				 const struct hostctx_snapshot *b,
				 char **ret_text);
/* Shorthand: diff a and b and render the lines. */
int hostctx_diff_format_human(const struct hostctx_snapshot *a,
			      const struct hostctx_snapshot *b,
			      char **ret_text);

/* ------------------------------------------------------------------ */
/* The sidecar record                                                  */
/* ------------------------------------------------------------------ */

enum hostctx_exit_kind {
	HOSTCTX_EXIT_NONE = 0,	/* not known: omitted */
	HOSTCTX_EXIT_CODE,
	HOSTCTX_EXIT_SIGNAL,
};

struct hostctx_exit {
	enum hostctx_exit_kind kind;
	int code;
	int signal;
	bool core_dumped;
};

struct hostctx_rusage {
	bool present;
	double user_seconds;
	double system_seconds;
	uint64_t max_rss_kib;
	uint64_t minor_faults;
	uint64_t major_faults;
	uint64_t voluntary_context_switches;
	uint64_t involuntary_context_switches;
	uint64_t block_input_ops;
	uint64_t block_output_ops;
};

struct hostctx_sidecar {
	char *tool_name;	/* NULL on write: "hostctx-run" */
	char *tool_version;	/* NULL on write: HOSTCTX_VERSION */
	char *mode;		/* "wrapper" | "preload" */
	bool complete;
	size_t argc;
	char **argv;
	char *cwd;
	bool has_started_at;
	struct timespec started_at;	/* CLOCK_REALTIME */
	bool has_ended_at;
	struct timespec ended_at;
	bool has_wall_seconds;
	double wall_seconds;		/* CLOCK_MONOTONIC, gate release to reap */
	struct hostctx_exit exit;
	char *exec_error;		/* errno name, e.g. "ENOENT"; NULL: none */
	struct hostctx_rusage rusage;		/* the command */
	struct hostctx_rusage rusage_children;	/* preload: its waited-for children */
	long long descendants_left;	/* --wait-descendants: -1 = absent */
	/* How that wait ended: "done", "limit", "signal", "interrupted"
	 * (a static string, never freed); NULL = absent. */
	const char *descendants_wait;
	bool has_pre;
	struct hostctx_snapshot pre;
	bool has_post;
	struct hostctx_snapshot post;
};

struct rusage;
/* Fill out (present = true) from getrusage(2)/wait4(2) figures. */
void hostctx_rusage_from(struct hostctx_rusage *out, const struct rusage *ru);

void hostctx_sidecar_init(struct hostctx_sidecar *sc);
void hostctx_sidecar_clear(struct hostctx_sidecar *sc);
/* Copy argv (argc entries) and cwd into sc. */
int hostctx_sidecar_set_command(struct hostctx_sidecar *sc, int argc,
				char *const *argv, const char *cwd);

/* A one-line description of what was wrong with a document. */
struct hostctx_error {
	char message[256];
};

/*
 * JSON text (NUL-terminated, ends with a newline).  A sidecar's
 * "changes" are computed from pre and post when both are present.
 * *ret_len (may be NULL) excludes the terminating NUL.  free() the text.
 */
int hostctx_snapshot_to_json(const struct hostctx_snapshot *s,
			     char **ret_text, size_t *ret_len);
int hostctx_sidecar_to_json(const struct hostctx_sidecar *sc,
			    char **ret_text, size_t *ret_len);

/* The changes alone, as the array a sidecar's "changes" holds. */
int hostctx_changes_to_json(const struct hostctx_changes *c,
			    char **ret_text, size_t *ret_len);

/* A parsed JSON file: a sidecar (it has "schema") or a bare snapshot. */
struct hostctx_document {
	bool is_sidecar;
	struct hostctx_sidecar sidecar;	/* valid when is_sidecar */
	struct hostctx_snapshot snapshot;	/* valid when !is_sidecar */
};

void hostctx_document_init(struct hostctx_document *d);
void hostctx_document_clear(struct hostctx_document *d);
/*
 * Parse text of len bytes.  Unknown keys are ignored; a reference
 * sidecar's "host" object reads as a snapshot.  On failure returns
 * -EINVAL (or -ENOMEM) and, when err != NULL, describes the problem in
 * one line without a file name (the caller adds it).
 */
int hostctx_document_parse(const char *text, size_t len,
			   struct hostctx_document *ret_doc,
			   struct hostctx_error *err);
/* Read and parse a file (bounded at 64 MiB). */
int hostctx_document_load(const char *path, struct hostctx_document *ret_doc,
			  struct hostctx_error *err);

/* ------------------------------------------------------------------ */
/* Writing records safely                                              */
/* ------------------------------------------------------------------ */

enum {
	HOSTCTX_WRITE_FSYNC = 1 << 0,	/* fsync file, then directory */
};

/*
 * Replace path atomically with data: a temporary file created beside it
 * with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC and an unpredictable name,
 * mode 0644 whatever the umask, then renamed over path.  A reader sees
 * the old content or the new, never a part.  SIGPIPE and SIGXFSZ are
 * blocked around the write (a lowered RLIMIT_FSIZE gives -EFBIG).
 */
int hostctx_write_atomic(const char *path, const void *data, size_t len,
			 unsigned flags);

/*
 * Create a new file in dir (created, mode 0755, if missing) named
 * "<stem>.hostctx.json", or "<stem>-N.hostctx.json" when that exists;
 * never replaces another file.  Writes data as hostctx_write_atomic
 * does.  *ret_path: the absolute path chosen (free()).
 */
int hostctx_create_unique(const char *dir, const char *stem,
			  const void *data, size_t len, unsigned flags,
			  char **ret_path);

/*
 * The stem of a record name: "<basename of command>-<UTC
 * yyyymmddThhmmssZ>-<pid>".  free() the result.
 */
int hostctx_record_stem(const char *command, const struct timespec *when,
			long pid, char **ret_stem);

/* errno value -> "ENOENT"; NULL when unknown. */
const char *hostctx_errno_name(int errnum);
/* signal number -> "SIGKILL"; NULL when unknown. */
const char *hostctx_signal_name(int sig);

#ifdef __cplusplus
}
#endif

#endif /* HOSTCTX_H */
