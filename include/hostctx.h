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
 *  - Objects (root, snapshot, sidecar, changes, document) are opaque:
 *    made by *_new(), *_take(), *_parse() or *_load(), released by the
 *    matching *_free() (or *_close()), which accepts NULL.  No public
 *    struct changes layout when a snapshot field is added: fields are
 *    rows of a table, reached by name (see "The field table").
 *  - Strings and objects returned through a const pointer are borrowed
 *    from the object named in the call and live as long as it does.
 *    Text returned through char ** (JSON, human reports) is the
 *    caller's: free() it.
 *  - "Absent" is explicit: an absent value is omitted from JSON, never
 *    written as null, and its getter returns -ENOENT.
 *  - Integers are written and read exactly (64 bits).
 *
 * ABI: libhostctx.so.0 exports only the hostctx_* names of this header,
 * under version nodes (docs/design.md, "ABI and soname").
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

#define HOSTCTX_VERSION "0.2.0"
#define HOSTCTX_SIDECAR_SCHEMA "hostctx-sidecar/1"

/* ------------------------------------------------------------------ */
/* The root: where /proc and /sys are read from                        */
/* ------------------------------------------------------------------ */

/* The library's version, HOSTCTX_VERSION as it was built. */
const char *hostctx_version(void);

struct hostctx_root;

/*
 * Open the tree that snapshots read.  dir == NULL (or "/") means the
 * live system; live-only probes such as uname(2) are used only then.
 * Any other dir is a captured tree: every read stays beneath it.
 * Frees with hostctx_root_close().
 */
int hostctx_root_open(const char *dir, struct hostctx_root **ret_root);
void hostctx_root_close(struct hostctx_root *root);
/*
 * Close the root's directory and free its read buffers until the next
 * hostctx_snapshot_take() reopens it by the same path: a process that
 * keeps a root between snapshots then holds no fd for it (the preload
 * library, whose program must find only its own fds).  What the root
 * keeps across snapshots (docs/design.md, "Read plans") stays.
 */
void hostctx_root_release(struct hostctx_root *root);
bool hostctx_root_is_live(const struct hostctx_root *root);

/*
 * The root named by the environment: HOSTCTX_ROOT when set and not
 * empty, else NULL (live).  envp may be NULL to use environ.
 */
const char *hostctx_root_from_env(char *const *envp);
/*
 * The value of the variable name in envp (NULL: environ), NULL when it
 * is unset or empty: HOSTCTX_FIELDS and HOSTCTX_REDACT are read so.
 */
const char *hostctx_env_value(char *const *envp, const char *name);

/*
 * Read only the fields of the named groups (a comma-separated list of
 * hostctx_field_group() names, "seed" for the reference's fields, "all"
 * for every field; NULL or "" means all).  -EINVAL names a group that
 * does not exist.
 */
int hostctx_root_select(struct hostctx_root *root, const char *groups);
/* The groups, NULL past the end: "seed" and "all" are not among them. */
const char *hostctx_group_name(size_t index);

/*
 * For artifacts that go public (docs/json-format.md, "Redaction"): the
 * snapshots of root omit boot_id, the CPU vulnerabilities and microcode
 * (and every field marked so), rewrite secrets in kernel_cmdline, and
 * name those fields in their "redacted" list.  Off by default.
 */
void hostctx_root_set_redact(struct hostctx_root *root, bool on);

/*
 * Read the per-CPU files of a big host with up to max threads at once
 * (at most 8, never more than the CPUs this process may run on, and
 * only for rows with hundreds of files): 1, the default, means none.
 * The snapshot is the same either way.  Never for a process that must
 * not start threads (a preload constructor).
 */
void hostctx_root_set_threads(struct hostctx_root *root, unsigned max);

/*
 * Debug reports: when the environment has HOSTCTX_DEBUG=1 at
 * hostctx_root_open() time, every snapshot taken from root reports each
 * absent field (its name, the path tried and the reason) through fn.
 * The library itself never prints.  fn == NULL turns reporting off.
 */
typedef void (*hostctx_log_fn)(void *userdata, const char *message);
void hostctx_root_set_log(struct hostctx_root *root, hostctx_log_fn fn,
			  void *userdata);

/* ------------------------------------------------------------------ */
/* The field table (read-only metadata)                                */
/* ------------------------------------------------------------------ */

/*
 * Every snapshot field is one row of the library's field table.  Rows
 * are numbered 0 .. hostctx_field_count() - 1 in report order; adding
 * a field adds a row and changes no type or function here.
 */
enum hostctx_class {
	HOSTCTX_CLASS_IDENTITY = 0,	/* what hardware or VM this is */
	HOSTCTX_CLASS_INSTANCE,		/* this boot, this cgroup */
	HOSTCTX_CLASS_CONFIG,		/* settings people and tests change */
	HOSTCTX_CLASS_TELEMETRY,	/* gauges and counters, expected to move */
};

size_t hostctx_field_count(void);
/* The row of a field name (a JSON key), or -ENOENT. */
int hostctx_field_index(const char *name);
/* NULL for an index out of range. */
const char *hostctx_field_name(size_t index);
const char *hostctx_field_group(size_t index);	/* for --fields */
const char *hostctx_field_label(size_t index);	/* a short human label */
/* -EINVAL for an index out of range. */
int hostctx_field_class(size_t index);
/* "identity", "instance", "config", "telemetry"; NULL when unknown. */
const char *hostctx_class_name(int cls);

/* ------------------------------------------------------------------ */
/* The snapshot                                                        */
/* ------------------------------------------------------------------ */

/*
 * A snapshot is opaque.  Its values are reached by path: a field name
 * ("cpu_model"), then, for objects, a member ("sched_tunables.sched_x",
 * "heap_state.active_bytes", "cpufreq_governor.3"; a map whose values
 * are scalars takes the whole rest of the path as one key, so
 * "sysctls.kernel.numa_balancing" works).  Absent values are omitted
 * from JSON, never written as null.
 */
struct hostctx_snapshot;

enum hostctx_type {
	HOSTCTX_TYPE_ABSENT = 0,
	HOSTCTX_TYPE_STRING,
	HOSTCTX_TYPE_U64,
	HOSTCTX_TYPE_S64,
	HOSTCTX_TYPE_BOOL,
	HOSTCTX_TYPE_DOUBLE,
	HOSTCTX_TYPE_OBJECT,
	HOSTCTX_TYPE_ARRAY,
};

/* An empty snapshot (every field absent).  Free with hostctx_snapshot_free(). */
int hostctx_snapshot_new(struct hostctx_snapshot **ret);
void hostctx_snapshot_free(struct hostctx_snapshot *s);	/* NULL is fine */
int hostctx_snapshot_dup(const struct hostctx_snapshot *s,
			 struct hostctx_snapshot **ret);
bool hostctx_snapshot_equal(const struct hostctx_snapshot *a,
			    const struct hostctx_snapshot *b);

/*
 * Read every field from root.  A field that cannot be read is left
 * absent (hostctx_snapshot_why() says why); a partial failure never
 * drops other fields.  Returns 0 or -ENOMEM.
 */
int hostctx_snapshot_take(struct hostctx_root *root,
			  struct hostctx_snapshot **ret);

/*
 * Why a field of a taken snapshot is absent: 0 when it is present, or
 * the positive errno of the failure (ENOENT: not present on this
 * machine), with the root-relative path tried in *ret_path (borrowed,
 * may be NULL).  -ENOENT for an unknown field name.
 */
int hostctx_snapshot_why(const struct hostctx_snapshot *s, const char *field,
			 const char **ret_path);

/* The type at path, HOSTCTX_TYPE_ABSENT when nothing is there. */
enum hostctx_type hostctx_snapshot_type(const struct hostctx_snapshot *s,
					const char *path);
/*
 * Typed getters: 0, -ENOENT (absent) or -EINVAL (another type).
 * Strings are borrowed from s.  Enumerations read as their JSON names.
 */
int hostctx_snapshot_get_string(const struct hostctx_snapshot *s,
				const char *path, const char **ret);
int hostctx_snapshot_get_u64(const struct hostctx_snapshot *s,
			     const char *path, uint64_t *ret);
int hostctx_snapshot_get_s64(const struct hostctx_snapshot *s,
			     const char *path, int64_t *ret);
int hostctx_snapshot_get_bool(const struct hostctx_snapshot *s,
			      const char *path, bool *ret);
int hostctx_snapshot_get_double(const struct hostctx_snapshot *s,
				const char *path, double *ret);
/*
 * The member names of the object at path, in output order ("" for the
 * present fields of the snapshot); an array's elements are "0", "1", ...
 * *ret_names is a malloc()ed array of borrowed strings: free() it alone.
 */
int hostctx_snapshot_keys(const struct hostctx_snapshot *s, const char *path,
			  const char ***ret_names, size_t *ret_n);

/*
 * Setters, for tests and tools: the path must name a field of the
 * table (and a member its row allows); the value's type must be the
 * row's (-EINVAL otherwise).  Missing parent objects are created.
 * set_object makes a present, empty object ("{}") at path.
 */
int hostctx_snapshot_set_string(struct hostctx_snapshot *s, const char *path,
				const char *value);
int hostctx_snapshot_set_u64(struct hostctx_snapshot *s, const char *path,
			     uint64_t value);
int hostctx_snapshot_set_s64(struct hostctx_snapshot *s, const char *path,
			     int64_t value);
int hostctx_snapshot_set_bool(struct hostctx_snapshot *s, const char *path,
			      bool value);
int hostctx_snapshot_set_double(struct hostctx_snapshot *s, const char *path,
				double value);
int hostctx_snapshot_set_object(struct hostctx_snapshot *s, const char *path);
/* Remove whatever is at path (0 also when nothing was there). */
int hostctx_snapshot_unset(struct hostctx_snapshot *s, const char *path);

/*
 * The text between the first '[' and the first ']' after it, as the
 * kernel marks the active THP policy: "always [madvise] never" gives
 * "madvise".  Returns false (and leaves the out-parameters) when either
 * bracket is missing or s is NULL.
 */
bool hostctx_bracketed_active(const char *s, const char **ret_start,
			      size_t *ret_len);

/* ------------------------------------------------------------------ */
/* Diff                                                                */
/* ------------------------------------------------------------------ */

/*
 * The changes between two snapshots, in report order.  They borrow
 * values from both snapshots: keep those alive while using the result.
 */
struct hostctx_changes;

enum hostctx_side { HOSTCTX_BEFORE = 0, HOSTCTX_AFTER = 1 };

/* heap_state is never compared.  Free with hostctx_changes_free(). */
int hostctx_diff(const struct hostctx_snapshot *a,
		 const struct hostctx_snapshot *b,
		 struct hostctx_changes **ret);
void hostctx_changes_free(struct hostctx_changes *c);	/* NULL is fine */
size_t hostctx_changes_count(const struct hostctx_changes *c);
/* "thp_enabled", "sched_tunables.KEY", "cpufreq_governor.cpuN"; NULL out of range. */
const char *hostctx_change_field(const struct hostctx_changes *c, size_t i);
/* A HOSTCTX_CLASS_* value, -EINVAL out of range. */
int hostctx_change_class(const struct hostctx_changes *c, size_t i);
/* One side of a change as JSON text ("null" when absent); free() it. */
int hostctx_change_value_json(const struct hostctx_changes *c, size_t i,
			      enum hostctx_side side, char **ret_text);

/* Drop every change whose field matches one of the fnmatch(3) globs. */
void hostctx_changes_filter(struct hostctx_changes *c,
			    const char *const *globs, size_t n_globs);

/*
 * Comparing with classes and tolerances (docs/json-format.md,
 * "Comparing"): what `hostctx diff` does.  The options are opaque; a
 * comparison is a struct hostctx_changes whose entries carry flags.
 */
struct hostctx_compare;
struct hostctx_error;

/* How the two snapshots relate: one record's pre and post, or two files. */
enum hostctx_compare_form {
	HOSTCTX_COMPARE_RUN = 0,	/* an instance difference counts */
	HOSTCTX_COMPARE_FILES,		/* it never does; defaults apply */
};

int hostctx_compare_new(enum hostctx_compare_form form, struct hostctx_compare **ret);
void hostctx_compare_free(struct hostctx_compare *o);	/* NULL is fine */
/*
 * The classes compared, a mask of 1u << HOSTCTX_CLASS_*: by default
 * identity, instance and config.  The other classes' differences are
 * still counted (hostctx_changes_class_count), never listed.
 */
void hostctx_compare_set_classes(struct hostctx_compare *o, unsigned mask);
/*
 * A tolerance: glob (fnmatch(3)) on a field path, matching the path or
 * one of its dotted prefixes; spec "N" (absolute, the field's unit),
 * "N%" (relative to the first value), "any" (values may differ,
 * presence must match) or "0" (exact).  The last added that matches
 * wins.  -EINVAL for a spec of none of these forms.
 */
int hostctx_compare_add_tolerance(struct hostctx_compare *o, const char *glob,
				  const char *spec);
/* The same from "GLOB=SPEC", as --tolerance takes it. */
int hostctx_compare_add_tolerance_arg(struct hostctx_compare *o, const char *arg);
/*
 * Lines "GLOB SPEC" ('#' starts a comment, blank lines are skipped),
 * as --tolerances=FILE reads them.  On -EINVAL, err says which line.
 */
int hostctx_compare_load_tolerances(struct hostctx_compare *o, const char *text,
				    size_t len, struct hostctx_error *err);
/* The built-in defaults (total_memory_kib=1%); the two-file form's. */
int hostctx_compare_add_default_tolerances(struct hostctx_compare *o);
/* Leave out the differences of the paths matching glob (--ignore). */
int hostctx_compare_add_ignore(struct hostctx_compare *o, const char *glob);
/*
 * The producers of the two sides (hostctx_document_producer): when
 * they differ, a field present on one side only is "not comparable"
 * (its producer may not have it) and does not count.
 */
int hostctx_compare_set_producers(struct hostctx_compare *o, const char *a,
				  const char *b);

int hostctx_compare_snapshots(const struct hostctx_compare *o,
			      const struct hostctx_snapshot *a,
			      const struct hostctx_snapshot *b,
			      struct hostctx_changes **ret);

/* Flags of a change (hostctx_change_flags). */
enum {
	HOSTCTX_CHANGE_WITHIN_TOLERANCE = 1u << 0,
	HOSTCTX_CHANGE_NOT_COMPARABLE = 1u << 1,
	/* its class was not compared: counted, not listed */
	HOSTCTX_CHANGE_NOT_COMPARED = 1u << 2,
	/* one of the reference's fields (its diff lines) */
	HOSTCTX_CHANGE_REFERENCE = 1u << 3,
};
unsigned hostctx_change_flags(const struct hostctx_changes *c, size_t i);
/*
 * Whether the comparison finds a difference that counts: outside any
 * tolerance, comparable, in a compared class; an instance difference
 * only in the run form (docs/hostctx.1, diff's exit status).
 */
bool hostctx_changes_differ(const struct hostctx_changes *c);
/*
 * Grouped text (docs/hostctx.1, "diff"): per class, a heading and the
 * differences.  The run form starts with the reference's lines for its
 * fields, unchanged, and gives a heading only to a class with
 * differences.  HOSTCTX_GROUPED_VERBOSE lists what is within
 * tolerance, not comparable and, across files, the instance fields.
 */
enum { HOSTCTX_GROUPED_VERBOSE = 1u << 0 };
int hostctx_changes_format_grouped(const struct hostctx_changes *c, unsigned flags,
				   char **ret_text);
/*
 * {"same", "classes": {CLASS: {"same", "differences": [{"field", "a",
 * "b"}...]} or {"compared": false, "differing": N}}, "not_comparable":
 * [...], "producers": {"a", "b"}} (docs/schema/hostctx-diff-1.schema.json).
 */
int hostctx_changes_to_grouped_json(const struct hostctx_changes *c, char **ret_text,
				    size_t *ret_len);

/* ------------------------------------------------------------------ */
/* Human text (not a stable format; machines read the JSON)            */
/* ------------------------------------------------------------------ */

/*
 * What happened on the host between pre and post, for humans: CPU time
 * shares, pressure, throttling, swapping, OOM kills, caches dropped,
 * cgroup throttling (only what both snapshots hold), each line indented
 * by two spaces; "" when there is nothing.  Free the text with free().
 */
int hostctx_evidence_format_human(const struct hostctx_snapshot *pre,
				  const struct hostctx_snapshot *post, char **ret_text);

/*
 * The same as JSON, as a record holds it: {"deltas": {...}},
 * {"deltas_unavailable": "boot_changed"} or {} (docs/json-format.md,
 * "Deltas").  free() the text.
 */
int hostctx_evidence_to_json(const struct hostctx_snapshot *pre,
			     const struct hostctx_snapshot *post,
			     char **ret_text, size_t *ret_len);

/* The reference's report: one "key: value" line per field. */
int hostctx_snapshot_format_human(const struct hostctx_snapshot *s,
				  char **ret_text);
/*
 * The reference's diff lines, "  key: before → after\n" each, for the
 * given changes.  Empty string when nothing differs.
 */
int hostctx_changes_format_human(const struct hostctx_changes *c,
				 char **ret_text);
/*
 * The heap_state lines of a pre/post pair ("  heap_state: ..."), which
 * are reported apart from the changes: heap_state is never compared.
 * Empty string when there is nothing to say.
 */
int hostctx_heap_format_human(const struct hostctx_snapshot *a,
			      const struct hostctx_snapshot *b,
			      char **ret_text);
/* Shorthand: diff a and b and render the change lines and heap lines. */
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

/* A plain value type: its members are fixed by getrusage(2). */
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

struct rusage;
/* Fill out (present = true) from getrusage(2)/wait4(2) figures. */
void hostctx_rusage_from(struct hostctx_rusage *out, const struct rusage *ru);

/* The sidecar record (opaque): run facts plus the pre and post snapshots. */
struct hostctx_sidecar;

enum hostctx_phase { HOSTCTX_PRE = 0, HOSTCTX_POST = 1 };
enum hostctx_rusage_of {
	HOSTCTX_RUSAGE_COMMAND = 0,	/* run.rusage */
	HOSTCTX_RUSAGE_CHILDREN,	/* run.rusage_children (preload) */
};
enum hostctx_time_of {
	HOSTCTX_STARTED_AT = 0,		/* run.started_at, CLOCK_REALTIME */
	HOSTCTX_ENDED_AT,		/* run.ended_at */
};

int hostctx_sidecar_new(struct hostctx_sidecar **ret);
void hostctx_sidecar_free(struct hostctx_sidecar *sc);	/* NULL is fine */

/* NULL on write: "hostctx-run" and HOSTCTX_VERSION. */
int hostctx_sidecar_set_tool(struct hostctx_sidecar *sc, const char *name,
			     const char *version);
const char *hostctx_sidecar_tool_name(const struct hostctx_sidecar *sc);
const char *hostctx_sidecar_tool_version(const struct hostctx_sidecar *sc);
/* "wrapper" | "preload" */
int hostctx_sidecar_set_mode(struct hostctx_sidecar *sc, const char *mode);
const char *hostctx_sidecar_mode(const struct hostctx_sidecar *sc);
void hostctx_sidecar_set_complete(struct hostctx_sidecar *sc, bool complete);
bool hostctx_sidecar_complete(const struct hostctx_sidecar *sc);

/* Copy argv (argc entries) and cwd (may be NULL) into sc. */
int hostctx_sidecar_set_command(struct hostctx_sidecar *sc, int argc,
				char *const *argv, const char *cwd);
size_t hostctx_sidecar_argc(const struct hostctx_sidecar *sc);
const char *hostctx_sidecar_argv(const struct hostctx_sidecar *sc, size_t i);
const char *hostctx_sidecar_cwd(const struct hostctx_sidecar *sc);

void hostctx_sidecar_set_time(struct hostctx_sidecar *sc,
			      enum hostctx_time_of which,
			      const struct timespec *ts);
bool hostctx_sidecar_time(const struct hostctx_sidecar *sc,
			  enum hostctx_time_of which, struct timespec *ret);
/* run.wall_seconds: CLOCK_MONOTONIC, from the release of the command to its reaping. */
void hostctx_sidecar_set_wall_seconds(struct hostctx_sidecar *sc, double s);
bool hostctx_sidecar_wall_seconds(const struct hostctx_sidecar *sc, double *ret);

/* run.exit from a wait(2) status, or an exit code alone. */
void hostctx_sidecar_set_wait_status(struct hostctx_sidecar *sc, int status);
void hostctx_sidecar_set_exit_code(struct hostctx_sidecar *sc, int code);
void hostctx_sidecar_set_exit_signal(struct hostctx_sidecar *sc, int sig,
				     bool core_dumped);
/* The kind; the out-parameters (any may be NULL) are set as it says. */
enum hostctx_exit_kind hostctx_sidecar_exit(const struct hostctx_sidecar *sc,
					    int *ret_code, int *ret_signal,
					    bool *ret_core_dumped);
/* errno name, e.g. "ENOENT"; NULL clears. */
int hostctx_sidecar_set_exec_error(struct hostctx_sidecar *sc, const char *name);
const char *hostctx_sidecar_exec_error(const struct hostctx_sidecar *sc);

void hostctx_sidecar_set_rusage(struct hostctx_sidecar *sc,
				enum hostctx_rusage_of which,
				const struct hostctx_rusage *ru);
/* false (and *ret untouched) when absent. */
bool hostctx_sidecar_rusage(const struct hostctx_sidecar *sc,
			    enum hostctx_rusage_of which,
			    struct hostctx_rusage *ret);
/* --wait-descendants: how many were left; negative clears. */
void hostctx_sidecar_set_descendants_left(struct hostctx_sidecar *sc,
					  long long n);
long long hostctx_sidecar_descendants_left(const struct hostctx_sidecar *sc);	/* -1: absent */
/*
 * run.pid and run.pid_start_ticks: the recorded process (the wrapper's
 * command, the preload's process) and its start, field 22 of
 * /proc/PID/stat, which tells it from a later process with its pid.
 * pid <= 0 clears.  The getter is false when absent.
 */
void hostctx_sidecar_set_process(struct hostctx_sidecar *sc, long pid,
				 unsigned long long start_ticks);
bool hostctx_sidecar_process(const struct hostctx_sidecar *sc, long *ret_pid,
			     unsigned long long *ret_start_ticks);

/* What became of an incomplete record's process, asked of this host. */
enum hostctx_run_state {
	HOSTCTX_RUN_UNKNOWN = 0,	/* no pid or boot_id recorded, or unreadable */
	HOSTCTX_RUN_RUNNING,		/* the process is still alive */
	HOSTCTX_RUN_GONE,		/* it ended (on this boot) and its end was not recorded */
	HOSTCTX_RUN_OTHER_BOOT,		/* the record is of another boot, or another host */
};
/*
 * For an incomplete record: compare its pre snapshot's boot_id with this
 * host's, then look the process up in /proc (the pid, its start, not a
 * zombie).  A complete record is HOSTCTX_RUN_UNKNOWN.  0 or -errno.
 */
int hostctx_sidecar_probe(const struct hostctx_sidecar *sc, enum hostctx_run_state *ret);
/*
 * run.descendants_wait, how that wait ended: "done", "limit", "signal"
 * or "interrupted" (-EINVAL for anything else); NULL clears.
 */
int hostctx_sidecar_set_descendants_wait(struct hostctx_sidecar *sc,
					 const char *how);
const char *hostctx_sidecar_descendants_wait(const struct hostctx_sidecar *sc);

/*
 * run.refused: why the command was not started ("check": hostctx-run
 * --check=refuse found a warning); NULL clears.  -EINVAL for another
 * reason.
 */
int hostctx_sidecar_set_refused(struct hostctx_sidecar *sc, const char *why);
const char *hostctx_sidecar_refused(const struct hostctx_sidecar *sc);
struct hostctx_check_report;
/* The record's top-level "check" (takes rep; NULL removes it). */
void hostctx_sidecar_set_check(struct hostctx_sidecar *sc,
			       struct hostctx_check_report *rep);

/*
 * Write attribution (hostctx-run --watch-writes; docs/json-format.md,
 * "writes"): the record's "writes_source" ("fanotify" or "inotify";
 * NULL: nothing was watched, which also drops the writes), and its
 * "writes", one entry per write-close of a watched file by one process.
 * -EINVAL for another source.
 */
int hostctx_sidecar_set_writes_source(struct hostctx_sidecar *sc, const char *source);
const char *hostctx_sidecar_writes_source(const struct hostctx_sidecar *sc);
/* The list holds at most this many entries; the rest are counted. */
#define HOSTCTX_WRITES_LISTED_MAX 1000
/*
 * Add an entry: path is absolute in the root's terms
 * ("/proc/sys/vm/swappiness"); pid <= 0, comm NULL and by_command < 0
 * mean unknown (inotify reports no writer; a writer may be gone before
 * it is looked up); seconds since the command started, >= 0.  Past
 * HOSTCTX_WRITES_LISTED_MAX the entry is only counted
 * (hostctx_sidecar_writes_omitted).  0, -EINVAL or -ENOMEM.
 */
int hostctx_sidecar_add_write(struct hostctx_sidecar *sc, const char *path, long pid,
			      const char *comm, int by_command, double seconds);
size_t hostctx_sidecar_write_count(const struct hostctx_sidecar *sc);
/* Entry i's members (NULL, 0 or -1 out of range or when unknown). */
const char *hostctx_sidecar_write_path(const struct hostctx_sidecar *sc, size_t i);
long hostctx_sidecar_write_pid(const struct hostctx_sidecar *sc, size_t i);
const char *hostctx_sidecar_write_comm(const struct hostctx_sidecar *sc, size_t i);
int hostctx_sidecar_write_by_command(const struct hostctx_sidecar *sc, size_t i);
double hostctx_sidecar_write_seconds(const struct hostctx_sidecar *sc, size_t i);
/* Entries past the cap, counted but not listed ("writes_omitted"). */
unsigned long long hostctx_sidecar_writes_omitted(const struct hostctx_sidecar *sc);
/* The kernel's event queue overflowed: writes were lost ("writes_overflowed"). */
void hostctx_sidecar_set_writes_overflowed(struct hostctx_sidecar *sc, bool overflowed);
bool hostctx_sidecar_writes_overflowed(const struct hostctx_sidecar *sc);
/*
 * Live inotify only: the seconds after the command's release from which
 * all of /proc/sys was watched ("writes_all_watched_at"); before, the
 * directories of the snapshot's sources only.  false when everything
 * was watched from the start (fanotify, --root).
 */
void hostctx_sidecar_set_writes_all_watched_at(struct hostctx_sidecar *sc, double seconds);
bool hostctx_sidecar_writes_all_watched_at(const struct hostctx_sidecar *sc,
					   double *ret_seconds);
/*
 * Live inotify only: the command ended before the rest of /proc/sys was
 * watched; only the directories of the snapshot's sources were
 * ("writes_sources_only").
 */
void hostctx_sidecar_set_writes_sources_only(struct hostctx_sidecar *sc, bool sources_only);
bool hostctx_sidecar_writes_sources_only(const struct hostctx_sidecar *sc);
/* Directories inotify could not watch ("writes_unwatched"). */
void hostctx_sidecar_set_writes_unwatched(struct hostctx_sidecar *sc,
					  unsigned long long n);
unsigned long long hostctx_sidecar_writes_unwatched(const struct hostctx_sidecar *sc);
/*
 * The snapshot field a written file is a source of, as a changes path:
 * "/proc/sys/kernel/sched_x" gives "sched_tunables.sched_x",
 * "/proc/sys/vm/swappiness" "sysctls.vm.swappiness", a policy's
 * scaling_governor "cpufreq_governor" (every CPU).  -ENOENT when it is
 * none, -ENAMETOOLONG when buf is too small.
 */
int hostctx_write_source_field(const char *path, char *buf, size_t size);
/* Whether a write to path is a source of the changes entry named field. */
bool hostctx_write_touches(const char *path, const char *field);
/*
 * The writes for humans (hostctx show, hostctx-run -v): a heading line,
 * one line per entry (time, path, writer, the field it sets and whether
 * it changed), then what was counted or lost.  "" when nothing was
 * watched.  free() the text.
 */
int hostctx_sidecar_format_writes_human(const struct hostctx_sidecar *sc, char **ret_text);

/*
 * The pre and post snapshots.  set takes ownership of s (NULL removes
 * the side); get borrows (NULL when absent).
 */
void hostctx_sidecar_set_snapshot(struct hostctx_sidecar *sc,
				  enum hostctx_phase phase,
				  struct hostctx_snapshot *s);
const struct hostctx_snapshot *
hostctx_sidecar_snapshot(const struct hostctx_sidecar *sc,
			 enum hostctx_phase phase);

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

/*
 * OpenMetrics text (docs/metrics.md): every number of the snapshot(s)
 * as a gauge named after its field ("hostctx_total_memory_kib"; map
 * keys and array indexes are labels), a sidecar's pre and post told
 * apart by a phase="pre"|"post" label, its run facts
 * (hostctx_run_wall_seconds, ...) and deltas (hostctx_delta_*).  Ends
 * with "# EOF\n".  *ret_len (may be NULL) excludes the NUL; free() the
 * text.
 */
int hostctx_snapshot_to_openmetrics(const struct hostctx_snapshot *s,
				    char **ret_text, size_t *ret_len);
int hostctx_sidecar_to_openmetrics(const struct hostctx_sidecar *sc,
				   char **ret_text, size_t *ret_len);

/*
 * Flat rows for fleet databases (docs/fleet.md): one row per record
 * with a fixed set of snake_case columns, the same for every row in
 * the same order whatever the record holds (absent values are null in
 * NDJSON, empty in CSV): file, schema, mode, complete, the command and
 * run facts (run_*), every snapshot field as pre_FIELD and post_FIELD
 * (records as one column per member, per-CPU maps as FIELD_uniform
 * and FIELD, string-keyed maps and arrays as one JSON-text column),
 * changes_count and deltas_*.  HOSTCTX_EXPORT_SNAPSHOTS makes one row
 * per snapshot instead: file, phase, command and run start, FIELD.
 */
enum hostctx_export_format {
	HOSTCTX_EXPORT_NDJSON = 0,	/* one JSON object per line */
	HOSTCTX_EXPORT_CSV = 1,		/* RFC 4180, with a header row */
};
enum {
	HOSTCTX_EXPORT_SNAPSHOTS = 1 << 0,	/* a row per snapshot, with "phase" */
};
/*
 * The CSV header row ("file,schema,...\r\n"); "" for NDJSON, which
 * names its columns in every row.  -EINVAL for an unknown format.
 * free() the text.
 */
int hostctx_export_header(enum hostctx_export_format format, unsigned flags,
			  char **ret_text);
/*
 * The row(s) of a record: one, or with HOSTCTX_EXPORT_SNAPSHOTS one per
 * snapshot it holds (pre, then post).  file (may be NULL: null) is the
 * "file" column.  Each row ends with a newline ("\r\n" in CSV).
 * *ret_len (may be NULL) excludes the NUL; free() the text.
 */
int hostctx_sidecar_export(const struct hostctx_sidecar *sc, const char *file,
			   enum hostctx_export_format format, unsigned flags,
			   char **ret_text, size_t *ret_len);
/*
 * A bare snapshot's row: only with HOSTCTX_EXPORT_SNAPSHOTS (phase
 * "snapshot"; the run columns null), else -EINVAL: a record's row has
 * no place for it.
 */
int hostctx_snapshot_export(const struct hostctx_snapshot *s, const char *file,
			    enum hostctx_export_format format, unsigned flags,
			    char **ret_text, size_t *ret_len);

/* The changes alone, as the array a sidecar's "changes" holds. */
int hostctx_changes_to_json(const struct hostctx_changes *c,
			    char **ret_text, size_t *ret_len);

/* A parsed JSON file: a sidecar (it has "schema") or a bare snapshot. */
struct hostctx_document;

void hostctx_document_free(struct hostctx_document *d);	/* NULL is fine */
bool hostctx_document_is_sidecar(const struct hostctx_document *d);
/* Borrowed; NULL when the document is not of that kind. */
const struct hostctx_sidecar *
hostctx_document_sidecar(const struct hostctx_document *d);
const struct hostctx_snapshot *
hostctx_document_snapshot(const struct hostctx_document *d);
/* Hand the sidecar over to the caller (NULL when not a sidecar). */
struct hostctx_sidecar *hostctx_document_take_sidecar(struct hostctx_document *d);
/*
 * Who wrote the document, as far as it tells: "hostctx-run VERSION"
 * for a record, "hostctx (a snapshot)" for a bare snapshot holding a
 * field beyond the reference's, "the reference" for the reference's
 * own formats (a ktstr sidecar, a pre/post pair, a snapshot of its
 * fields only).  Two documents of one producer hold the same fields
 * when the host has them (docs/json-format.md, "Comparing").  free()
 * the text.
 */
int hostctx_document_producer(const struct hostctx_document *d, char **ret_text);
/*
 * The record was read from the reference's {"pre": {...}, "post":
 * {...}} pair: it has both snapshots (or one) and nothing of a run.
 */
bool hostctx_sidecar_is_reference_pair(const struct hostctx_sidecar *sc);

/*
 * Parse text of len bytes.  Unknown keys are ignored; a reference
 * sidecar's "host" object reads as a snapshot.  Integers are read
 * exactly, up to 2^64 - 1.  On failure returns -EINVAL (or -ENOMEM)
 * and, when err != NULL, describes the problem in one line without a
 * file name (the caller adds it).
 */
int hostctx_document_parse(const char *text, size_t len,
			   struct hostctx_document **ret,
			   struct hostctx_error *err);
/* Read and parse a file (bounded at 64 MiB). */
int hostctx_document_load(const char *path, struct hostctx_document **ret,
			  struct hostctx_error *err);

/* ------------------------------------------------------------------ */
/* Fleet reports: many records grouped by host (docs/fleet.md)          */
/* ------------------------------------------------------------------ */

/*
 * What `hostctx report` prints: fed one document at a time, it groups
 * the runs by host configuration (the identity and config fields of a
 * record's pre snapshot, post when pre is missing; total_memory_kib
 * within 1 %) or by chosen fields, and keeps per group the run count,
 * the machine types (cpu_model) and kernels (kernel_release), the wall
 * times and the exit statuses; then it names the fields that vary
 * across the groups, and lists (the first 50 of each, and how many)
 * the runs that drifted (changes), that have bad run evidence (a run
 * check warns) and the incomplete records.  Its memory grows with the
 * number of groups, and a double per run, never with the documents.
 */
struct hostctx_report;

int hostctx_report_new(struct hostctx_report **ret);
void hostctx_report_free(struct hostctx_report *rep);	/* NULL is fine */
/*
 * Group by the value of path (a snapshot path, "cpu_model",
 * "sysctls.vm.swappiness"; a per-CPU map as its canonical text)
 * instead of the host configuration; call once per field, before the
 * first hostctx_report_add().  -EINVAL for a path no field allows,
 * -EBUSY after a document was added.
 */
int hostctx_report_group_by(struct hostctx_report *rep, const char *path);
/*
 * The comparison that tells two host configurations apart (taken:
 * freed with the report, or here on error): its tolerances are used,
 * its classes set to identity and config.  By default the two-file
 * form with the built-in tolerances.  -EBUSY after the first
 * hostctx_report_add().
 */
int hostctx_report_set_compare(struct hostctx_report *rep, struct hostctx_compare *cmp);
/*
 * Keep only the runs of a command: glob (fnmatch(3)) matches the
 * command line (the argv words joined by spaces), argv[0] or its last
 * component.  NULL keeps every run.  -EBUSY after a document was added.
 */
int hostctx_report_set_command(struct hostctx_report *rep, const char *glob);

/* hostctx_report_add(): the record was left out by hostctx_report_set_command(). */
#define HOSTCTX_REPORT_OTHER_COMMAND 1
/*
 * Add a document; name (may be NULL) is the file it came from, shown
 * in the lists.  0: a run was added; HOSTCTX_REPORT_OTHER_COMMAND;
 * -EMEDIUMTYPE: a bare snapshot, counted and left out; -ENODATA: a
 * record with neither snapshot, counted and left out; -ENOMEM.
 */
int hostctx_report_add(struct hostctx_report *rep, const struct hostctx_document *doc,
		       const char *name);
/* Count a file that could not be read or parsed (the caller says why). */
void hostctx_report_add_unreadable(struct hostctx_report *rep);

size_t hostctx_report_run_count(const struct hostctx_report *rep);
size_t hostctx_report_group_count(const struct hostctx_report *rep);
/* The runs of group i, in order of appearance; 0 out of range. */
size_t hostctx_report_group_runs(const struct hostctx_report *rep, size_t i);

/*
 * The report for humans (not a stable format), or as JSON
 * (docs/schema/hostctx-report-1.schema.json).  free() the text.
 */
int hostctx_report_format_text(const struct hostctx_report *rep, char **ret_text);
int hostctx_report_to_json(const struct hostctx_report *rep, char **ret_text,
			   size_t *ret_len);

/* ------------------------------------------------------------------ */
/* Fitness checks: is the host fit to benchmark, was a run clean        */
/* (docs/check.md)                                                      */
/* ------------------------------------------------------------------ */

/* In rising order of concern (unknown: an input could not be read). */
enum hostctx_check_status {
	HOSTCTX_CHECK_NA = 0,	/* does not apply here (no cpufreq on a VM) */
	HOSTCTX_CHECK_OK,
	HOSTCTX_CHECK_UNKNOWN,
	HOSTCTX_CHECK_NOTE,
	HOSTCTX_CHECK_WARN,
};
/* "n/a", "ok", "unknown", "note", "warn"; NULL for another value. */
const char *hostctx_check_status_name(enum hostctx_check_status st);

/* The table of checks, in report order. */
size_t hostctx_check_count(void);
const char *hostctx_check_id(size_t i);		/* "turbo"; NULL past the end */
const char *hostctx_check_category(size_t i);	/* "frequency" */
const char *hostctx_check_inputs(size_t i);	/* the fields it reads */
int hostctx_check_index(const char *id);	/* -ENOENT when unknown */

/* How to check: profile, ignored checks, thresholds. */
struct hostctx_check_config;
int hostctx_check_config_new(struct hostctx_check_config **ret);
void hostctx_check_config_free(struct hostctx_check_config *cfg);	/* NULL is fine */
/* "throughput" (the default) or "latency"; -EINVAL otherwise. */
int hostctx_check_config_set_profile(struct hostctx_check_config *cfg,
				     const char *profile);
const char *hostctx_check_config_profile(const struct hostctx_check_config *cfg);
/*
 * What hostctx_sidecar_probe() found of an incomplete record's process:
 * run-incomplete then says whether it still runs or ended unrecorded.
 */
void hostctx_check_config_set_run_state(struct hostctx_check_config *cfg,
					enum hostctx_run_state state);
/* Leave a check out of the report: -ENOENT for an unknown id. */
int hostctx_check_config_ignore(struct hostctx_check_config *cfg, const char *id);
/*
 * "ID=VALUE" (the check's first level: warn, or its only one) or
 * "ID.note=VALUE" (a two-level check's note level).  -ENOENT: unknown
 * check; -ENOTSUP: the check has no such threshold; -EINVAL: malformed
 * (VALUE must be a finite number >= 0).
 */
int hostctx_check_config_set_threshold(struct hostctx_check_config *cfg,
				       const char *assignment);

/* A report: one result per check not ignored, in table order. */
struct hostctx_check_report;
/*
 * Check a snapshot.  sample (may be NULL): a later snapshot of the
 * same host holding at least cpu_time_ticks, for the current steal.
 */
int hostctx_check_snapshot(const struct hostctx_check_config *cfg,
			   const struct hostctx_snapshot *s,
			   const struct hostctx_snapshot *sample,
			   struct hostctx_check_report **ret);
/* Check a record: its pre snapshot, and the run checks on pre and post.
 * -ENODATA when it has no pre snapshot. */
int hostctx_check_sidecar(const struct hostctx_check_config *cfg,
			  const struct hostctx_sidecar *sc,
			  struct hostctx_check_report **ret);
void hostctx_check_report_free(struct hostctx_check_report *rep);	/* NULL is fine */
const char *hostctx_check_report_profile(const struct hostctx_check_report *rep);
size_t hostctx_check_report_count(const struct hostctx_check_report *rep);
/* Result i (borrowed strings; value and advice may be NULL). */
const char *hostctx_check_result_id(const struct hostctx_check_report *rep, size_t i);
const char *hostctx_check_result_category(const struct hostctx_check_report *rep, size_t i);
enum hostctx_check_status
hostctx_check_result_status(const struct hostctx_check_report *rep, size_t i);
const char *hostctx_check_result_value(const struct hostctx_check_report *rep, size_t i);
const char *hostctx_check_result_message(const struct hostctx_check_report *rep, size_t i);
const char *hostctx_check_result_advice(const struct hostctx_check_report *rep, size_t i);
/* How many results have status st. */
size_t hostctx_check_report_tally(const struct hostctx_check_report *rep,
				  enum hostctx_check_status st);
/*
 * {"source", "profile", "results": [...], "summary"} (docs/check.md);
 * source NULL is "live"; verbose includes the checks that do not apply.
 */
int hostctx_check_report_to_json(const struct hostctx_check_report *rep,
				 const char *source, bool verbose,
				 char **ret_text, size_t *ret_len);
/* One line per result of status least or above, and its advice. */
int hostctx_check_report_format_human(const struct hostctx_check_report *rep,
				      enum hostctx_check_status least,
				      char **ret_text);

/* ------------------------------------------------------------------ */
/* Writing records safely                                              */
/* ------------------------------------------------------------------ */

enum {
	HOSTCTX_WRITE_FSYNC = 1 << 0,	/* fsync file, then directory */
	/* hostctx_write_atomic(): the new file gets the mode of the regular
	 * file it replaces (0644 when there is none) */
	HOSTCTX_WRITE_KEEP_MODE = 1 << 1,
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

/* ------------------------------------------------------------------ */
/* Showing records: quoting, CI summaries (docs/ci.md)                  */
/* ------------------------------------------------------------------ */

enum hostctx_quote_style {
	/* one shell word: bare when safe, else '...', or $'...' when it
	 * holds control characters */
	HOSTCTX_QUOTE_SHELL = 0,
	/* the string as it is, or $'...' when it holds control characters */
	HOSTCTX_QUOTE_VISIBLE = 1,
};
/* s spelled in style; free() the text.  -EINVAL for an unknown style. */
int hostctx_quote(const char *s, enum hostctx_quote_style style, char **ret_text);

enum hostctx_summary_format {
	HOSTCTX_SUMMARY_MARKDOWN = 0,	/* for $GITHUB_STEP_SUMMARY */
	HOSTCTX_SUMMARY_TEXT = 1,	/* for a job log */
};
/*
 * A short report of a record for a CI job page: the command, its end,
 * what changed during the run, the run evidence, the check warnings and
 * notes, then both snapshots (Markdown: under <details>).  name (may be
 * NULL) is the record's file name to show.  The text never exceeds
 * max_bytes: the snapshots are left out first, then the rest is cut at a
 * line and says so.  -EINVAL for max_bytes under 256 or an unknown
 * format.  free() the text.
 */
int hostctx_sidecar_format_summary(const struct hostctx_sidecar *sc, const char *name,
				   enum hostctx_summary_format format, size_t max_bytes,
				   char **ret_text);
/* The same for a lone snapshot: the host, its check, the snapshot. */
int hostctx_snapshot_format_summary(const struct hostctx_snapshot *s, const char *name,
				    enum hostctx_summary_format format, size_t max_bytes,
				    char **ret_text);

enum hostctx_ci_system {
	HOSTCTX_CI_NONE = 0,
	HOSTCTX_CI_GITHUB = 1,	/* GitHub Actions */
	HOSTCTX_CI_GITLAB = 2,	/* GitLab CI/CD */
};
/*
 * "github", "gitlab", "none" (or NULL), or "auto": GitHub when
 * GITHUB_ACTIONS=true in envp (NULL: environ), else GitLab when
 * GITLAB_CI=true, else none.  -EINVAL for another name.
 */
int hostctx_ci_parse(const char *name, char *const *envp, enum hostctx_ci_system *ret);
/*
 * What a CI job log should show of a record at its end: GitHub, a
 * "::warning title=...::..." workflow command per check warning (at
 * most five, the last counting the rest); GitLab, a collapsed log
 * section "hostctx: N warnings, M notes" holding the text summary,
 * stamped with when (Unix seconds); none, "".  name (may be NULL): the
 * record's file.  free() the text.
 */
int hostctx_ci_format_log(const struct hostctx_sidecar *sc, const char *name,
			  enum hostctx_ci_system ci, long when, char **ret_text);

#ifdef __cplusplus
}
#endif

#endif /* HOSTCTX_H */
