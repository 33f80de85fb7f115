/* SPDX-License-Identifier: MIT */
/*
 * recorder.c - the recording half of libhostctx-preload.so (see
 * recorder.h): the record's content in preload mode.  Where it goes and
 * how it is written is the recording module shared with hostctx-run
 * (lib/recording.c).
 *
 * preload.c decides whether the current process is the one to record
 * and, only then, calls hctx_preload_begin() from its constructor and
 * hctx_preload_finish() from its exit hook.
 *
 * Everything here runs inside somebody else's program, so: the
 * environment comes from the constructor's envp (bash exports its own
 * getenv), /proc/self is read with plain syscalls into stack buffers,
 * nothing is printed, every fd is O_CLOEXEC and closed again before we
 * return: the root and the record's directory are opened in the
 * constructor and again in the exit hook, never held in between (a
 * program that closes its fds and reuses the numbers must not change
 * what we read, nor see its first open() return anything but 3).
 */
#include "../lib/internal.h"
#include "../lib/recording.h"
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* An in-progress record read back after exec is at most this big. */
#define RESUME_READ_CAP (16u << 20)

struct hctx_preload_record {
	char *root_path;		/* absolute HOSTCTX_ROOT; NULL: "/" */
	char *fields;			/* HOSTCTX_FIELDS; NULL: all */
	bool redact;			/* HOSTCTX_REDACT */
	bool have_root;			/* it opened at start: snapshots */
	struct hostctx_root *root;	/* kept released between snapshots */
	struct hostctx_sidecar *sidecar;
	struct timespec started_at;	/* CLOCK_REALTIME; names a new record */
	struct hctx_record place;
	bool resumed;			/* loaded after an exec */
	struct timespec started_mono;	/* valid when !resumed */
};

/* ---- environment, from envp only ----------------------------------- */

static const char *env_nonempty(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return (*envp)[n + 1] ? *envp + n + 1 : NULL;
	return NULL;
}

static unsigned write_flags_from_env(char **envp)
{
	const char *v = env_nonempty(envp, "HOSTCTX_FSYNC");

	return v && strcmp(v, "0") != 0 ? HOSTCTX_WRITE_FSYNC : 0;
}

/*
 * The library cannot refuse to run: an HOSTCTX_FIELDS no group matches
 * records every field, and any HOSTCTX_REDACT but "" and "0" redacts
 * (the safe side for a record that may go public).
 */
static int selection_from_env(char **envp, struct hctx_preload_record *rec)
{
	const char *fields = env_nonempty(envp, "HOSTCTX_FIELDS");
	const char *redact = env_nonempty(envp, "HOSTCTX_REDACT");

	rec->redact = redact && strcmp(redact, "0") != 0;
	if (fields && !(rec->fields = strdup(fields)))
		return -ENOMEM;
	return 0;
}

/* HOSTCTX_ROOT made absolute: the program may chdir before the exit hook. */
static int root_path_from_env(char **envp, const char *cwd, char **ret)
{
	const char *root = hostctx_root_from_env(envp);

	*ret = NULL;
	if (!root || !*root || strcmp(root, "/") == 0)
		return 0;
	if (root[0] == '/')
		return (*ret = strdup(root)) ? 0 : -ENOMEM;
	if (!cwd)
		return -ENOENT;
	return asprintf(ret, "%s/%s", cwd, root) < 0 ? -ENOMEM : 0;
}

/*
 * A snapshot through the record's root, opened on the first: the exit
 * hook's then reuses what the constructor's read once for the process
 * (cpu_caches, dmi, hypervisor, the config.gz answer).  Between the two
 * the root is released: the program holds no fd of ours.
 */
static int snapshot_now(struct hctx_preload_record *rec, struct hostctx_snapshot **ret)
{
	int r = 0;

	if (!rec->root) {
		r = hostctx_root_open(rec->root_path, &rec->root);
		if (r < 0)
			return r;
		hostctx_root_set_redact(rec->root, rec->redact);
		if (hostctx_root_select(rec->root, rec->fields) < 0)
			(void)hostctx_root_select(rec->root, NULL);
	}
	r = hostctx_snapshot_take(rec->root, ret);
	hostctx_root_release(rec->root);
	return r;
}

/* ---- the process's own figures ------------------------------------- */

/*
 * VmHWM of /proc/self/status in KiB: the peak of this image only.
 * ru_maxrss would include the parent's peak inherited through
 * fork/vfork/posix_spawn.  The live /proc, whatever HOSTCTX_ROOT says:
 * this is our own bookkeeping.
 */
static int self_vmhwm_kib(uint64_t *ret)
{
	char buf[4096];
	_cleanup_close_ int fd = open("/proc/self/status",
				      O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;
	const char *p, *end;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, "\nVmHWM:");
	if (!p)
		return -ENODATA;
	p += strlen("\nVmHWM:");
	while (*p == ' ' || *p == '\t')
		p++;
	for (end = p; *end >= '0' && *end <= '9'; end++)
		;
	return hctx_parse_u64(p, (size_t)(end - p), ret);
}

static void record_rusage(struct hostctx_sidecar *sc)
{
	struct hostctx_rusage figures;
	struct rusage ru;
	uint64_t hwm;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		hostctx_rusage_from(&figures, &ru);
		if (self_vmhwm_kib(&hwm) == 0)
			figures.max_rss_kib = hwm;
		hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_COMMAND, &figures);
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		hostctx_rusage_from(&figures, &ru);
		hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_CHILDREN, &figures);
	}
}

/* ---- writing -------------------------------------------------------- */

/* Write through the shared module, then let go of the directory fd. */
static int record_write(struct hctx_preload_record *rec)
{
	int r = hctx_record_write(&rec->place, rec->sidecar);

	hctx_record_close_dir(&rec->place);
	return r;
}

static void record_free(struct hctx_preload_record *rec)
{
	if (!rec)
		return;
	free(rec->root_path);
	free(rec->fields);
	hostctx_root_close(rec->root);
	hostctx_sidecar_free(rec->sidecar);
	hctx_record_clear(&rec->place);
	free(rec);
}

/* ---- begin ---------------------------------------------------------- */

static int record_new(const struct hctx_preload_begin_args *args,
		      struct hctx_preload_record *rec, const char *cwd)
{
	struct hostctx_sidecar *sc = rec->sidecar;
	struct hctx_place_request req = {
		.envp = args->envp,
		.cwd = cwd,
		.command = args->argc > 0 ? args->argv[0] : NULL,
		.started_at = &rec->started_at,
		.pid = args->pid,
		.flags = write_flags_from_env(args->envp),
	};
	struct hostctx_snapshot *pre;
	int r;

	clock_gettime(CLOCK_REALTIME, &rec->started_at);
	clock_gettime(CLOCK_MONOTONIC, &rec->started_mono);
	hostctx_sidecar_set_time(sc, HOSTCTX_STARTED_AT, &rec->started_at);
	r = hctx_record_init(&rec->place, &req);
	if (r < 0)
		return r;
	/* Without a cwd a relative place cannot be found again at exit. */
	if (rec->place.dir[0] != '/')
		return -ENOENT;
	r = hostctx_sidecar_set_command(sc, args->argc, args->argv, cwd);
	if (r < 0)
		return r;
	if (rec->have_root && snapshot_now(rec, &pre) == 0)
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	return record_write(rec);
}

/*
 * The same process after exec: carry on with the record on disk, read
 * back as a regular file only, never following a link or blocking on a
 * FIFO put in its place, and within a bound.
 */
/* The in-progress record of preload mode that an exec left behind. */
static bool is_in_progress_preload(const struct hostctx_sidecar *sc)
{
	const char *mode = sc ? hostctx_sidecar_mode(sc) : NULL;

	return mode && strcmp(mode, "preload") == 0 &&
	       !hostctx_sidecar_complete(sc);
}

static int record_resume(const struct hctx_preload_begin_args *args,
			 struct hctx_preload_record *rec)
{
	struct hctx_place_request req = {
		.output_file = args->resume_path,
		.started_at = &rec->started_at,
		.flags = write_flags_from_env(args->envp),
	};
	_cleanup_free_ char *text = NULL;
	struct hostctx_document *doc = NULL;
	struct hostctx_sidecar *sc;
	size_t len;
	int r;

	if (args->resume_path[0] != '/')
		return -ENOENT;	/* the in-progress record was never written */
	if (!args->parse_document)
		return -EOPNOTSUPP;
	r = hctx_record_read(args->resume_path, RESUME_READ_CAP, &text, &len);
	if (r < 0)
		return r;
	r = args->parse_document(text, len, &doc, NULL);
	if (r < 0)
		return r;
	/*
	 * The document was made by libhostctx.so.0 of the same version
	 * (checked when it was loaded), so its objects have our layout.
	 */
	sc = hostctx_document_take_sidecar(doc);
	hostctx_document_free(doc);
	if (!is_in_progress_preload(sc)) {
		hostctx_sidecar_free(sc);
		return -EINVAL;
	}
	hostctx_sidecar_free(rec->sidecar);
	rec->sidecar = sc;
	rec->resumed = true;
	(void)hostctx_sidecar_time(sc, HOSTCTX_STARTED_AT, &rec->started_at);
	return hctx_record_init(&rec->place, &req);
}

static int sidecar_identify(struct hostctx_sidecar *sc)
{
	int r = hostctx_sidecar_set_tool(sc, HCTX_PRELOAD_TOOL_NAME,
					 HOSTCTX_VERSION);

	if (r == 0)
		r = hostctx_sidecar_set_mode(sc, "preload");
	hostctx_sidecar_set_complete(sc, false);
	return r;
}

/* Whether HOSTCTX_ROOT opens: a root that cannot leaves pre and post absent. */
static bool root_opens(const char *root_path)
{
	struct hostctx_root *root;

	if (hostctx_root_open(root_path, &root) < 0)
		return false;
	hostctx_root_close(root);
	return true;
}

static int begin(const struct hctx_preload_begin_args *args,
		 struct hctx_preload_record *rec)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	int r;

	r = root_path_from_env(args->envp, cwd, &rec->root_path);
	if (r == 0)
		r = selection_from_env(args->envp, rec);
	if (r < 0)
		return r;
	if (args->resume_path)
		return record_resume(args, rec);
	rec->have_root = root_opens(rec->root_path);
	/* so that a reader can tell "still running" from "ended unrecorded" */
	hostctx_sidecar_set_process(rec->sidecar, args->pid, args->start_ticks);
	r = sidecar_identify(rec->sidecar);
	if (r < 0)
		return r;
	return record_new(args, rec, cwd);
}

int hctx_preload_begin(const struct hctx_preload_begin_args *args,
		       struct hctx_preload_record **ret_record,
		       char *path_buf, size_t path_cap)
{
	_cleanup_free_ char *path = NULL;
	struct hctx_preload_record *rec;
	int r;

	if (!args || !ret_record || !path_buf || path_cap == 0)
		return -EINVAL;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->place.dirfd = -1;
	if (hostctx_sidecar_new(&rec->sidecar) < 0) {
		record_free(rec);
		return -ENOMEM;
	}
	r = begin(args, rec);
	if (r == 0) {
		path = hctx_record_abspath(&rec->place);
		r = !path ? -ENOMEM :
		    strlen(path) >= path_cap ? -ENAMETOOLONG : 0;
	}
	if (r < 0) {
		record_free(rec);
		return r;
	}
	strcpy(path_buf, path);
	*ret_record = rec;
	return 0;
}

/* ---- finish --------------------------------------------------------- */

static double timespec_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void record_times(struct hctx_preload_record *rec)
{
	struct hostctx_sidecar *sc = rec->sidecar;
	struct timespec now, now_mono, started;
	double wall;

	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_MONOTONIC, &now_mono);
	hostctx_sidecar_set_time(sc, HOSTCTX_ENDED_AT, &now);
	/* Across an exec only the wall clock of the start survives. */
	if (rec->resumed)
		wall = hostctx_sidecar_time(sc, HOSTCTX_STARTED_AT, &started) ?
		       timespec_diff(&started, &now) : -1;
	else
		wall = timespec_diff(&rec->started_mono, &now_mono);
	if (wall >= 0)
		hostctx_sidecar_set_wall_seconds(sc, wall);
}

int hctx_preload_finish(struct hctx_preload_record *rec, bool has_status,
			int status)
{
	struct hostctx_sidecar *sc;
	struct hctx_preload_heap *heap;
	struct hostctx_snapshot *post;
	int r;

	if (!rec)
		return -EINVAL;
	sc = rec->sidecar;
	/* Before our own allocations below change it. */
	heap = hctx_preload_heap_collect();
	record_times(rec);
	record_rusage(sc);
	if (has_status)
		hostctx_sidecar_set_exit_code(sc, status & 0xff);	/* what the parent will see */
	/* A resumed record had its pre: the root opened then. */
	if ((rec->have_root ||
	     (rec->resumed && hostctx_sidecar_snapshot(sc, HOSTCTX_PRE))) &&
	    snapshot_now(rec, &post) == 0) {
		if (heap)
			hctx_preload_heap_into(post, heap);
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	}
	free(heap);
	hostctx_sidecar_set_complete(sc, true);
	r = record_write(rec);
	record_free(rec);
	return r;
}
