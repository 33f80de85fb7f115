/* SPDX-License-Identifier: MIT */
/*
 * preload_support.c - the recording half of libhostctx-preload.so
 * (linked into it, not into libhostctx.so; see preload_support.h).
 *
 * preload/preload.c decides whether the current process is the one to
 * record and, only then, calls hctx_preload_begin() from its constructor
 * and hctx_preload_finish() from its exit hook.
 *
 * Everything here runs inside somebody else's program, so: the
 * environment comes from the constructor's envp (bash exports its own
 * getenv), /proc/self is read with plain syscalls into stack buffers,
 * nothing is printed, and fds are O_CLOEXEC (hostctx_write_atomic).
 */
#include "internal.h"
#include "preload_support.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct hctx_preload_record {
	struct hostctx_root *root;	/* NULL: HOSTCTX_ROOT could not be opened */
	struct hostctx_sidecar *sidecar;
	char *path;			/* absolute path of the record */
	unsigned write_flags;
	bool resumed;			/* loaded after an exec */
	struct timespec started_mono;	/* valid when !resumed */
};

/* ---- environment, from envp only ----------------------------------- */

static const char *env_value(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static const char *env_nonempty(char **envp, const char *name)
{
	const char *v = env_value(envp, name);

	return v && *v ? v : NULL;
}

static unsigned write_flags_from_env(char **envp)
{
	const char *v = env_nonempty(envp, "HOSTCTX_FSYNC");

	return v && strcmp(v, "0") != 0 ? HOSTCTX_WRITE_FSYNC : 0;
}

/* cwd + "/" + path unless path is absolute already. */
static int absolute_path(const char *path, const char *cwd, char **ret)
{
	if (path[0] == '/')
		return (*ret = strdup(path)) ? 0 : -ENOMEM;
	if (!cwd)
		return -ENOENT;
	if (asprintf(ret, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- the process's own figures ------------------------------------- */

/*
 * VmHWM of /proc/self/status in KiB: the peak of this image only.
 * ru_maxrss would include the parent's peak inherited through
 * fork/vfork/posix_spawn (process-handling.md P13).  The live /proc,
 * whatever HOSTCTX_ROOT says: this is our own bookkeeping.
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
	struct rusage ru;
	uint64_t hwm;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		hostctx_rusage_from(&sc->rusage, &ru);
		if (self_vmhwm_kib(&hwm) == 0)
			sc->rusage.max_rss_kib = hwm;
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		hostctx_rusage_from(&sc->rusage_children, &ru);
}

/* ---- heap state ----------------------------------------------------- */

typedef int mallctl_fn(const char *name, void *oldp, size_t *oldlenp,
		       void *newp, size_t newlen);

static void *object_base(void *addr)
{
	Dl_info info;

	return addr && dladdr(addr, &info) ? info.dli_fbase : NULL;
}

/* The heap_state members an allocator can give (post only). */
struct heap_counter {
	bool present;
	uint64_t value;
};
struct heap {
	struct heap_counter active_bytes, allocated_bytes, resident_bytes,
		mapped_bytes, narenas;
};

static void heap_set(struct heap_counter *field, uint64_t value)
{
	field->present = true;
	field->value = value;
}

static void jemalloc_size(mallctl_fn *mallctl, const char *name,
			  struct heap_counter *field)
{
	size_t v, len = sizeof(v);

	if (mallctl(name, &v, &len, NULL, 0) == 0 && len == sizeof(v))
		heap_set(field, v);
}

/* jemalloc's own counters; stats may be compiled out (fields stay absent). */
static void heap_from_jemalloc(mallctl_fn *mallctl, struct heap *h)
{
	uint64_t epoch = 1;
	size_t len = sizeof(epoch);
	unsigned narenas;
	size_t nlen = sizeof(narenas);

	/* Advancing the epoch refreshes the cached statistics. */
	mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch));
	jemalloc_size(mallctl, "stats.active", &h->active_bytes);
	jemalloc_size(mallctl, "stats.allocated", &h->allocated_bytes);
	jemalloc_size(mallctl, "stats.resident", &h->resident_bytes);
	jemalloc_size(mallctl, "stats.mapped", &h->mapped_bytes);
	if (mallctl("arenas.narenas", &narenas, &nlen, NULL, 0) == 0 &&
	    nlen == sizeof(narenas))
		heap_set(&h->narenas, narenas);
}

/*
 * glibc's mallinfo2 summed over all arenas.  allocated_bytes: bytes the
 * program holds (uordblks, plus hblkhd: large blocks glibc serves with
 * mmap and does not count in uordblks); mapped_bytes: bytes glibc got
 * from the kernel for the heap (arena, plus the same hblkhd).  glibc
 * has no counters for active, resident or the number of arenas: absent.
 */
static void heap_from_glibc(struct heap *h)
{
	struct mallinfo2 mi = mallinfo2();

	heap_set(&h->allocated_bytes, (uint64_t)mi.uordblks + mi.hblkhd);
	heap_set(&h->mapped_bytes, (uint64_t)mi.arena + mi.hblkhd);
}

/* glibc's own malloc, whoever else defines one (a handle lookup, cheap). */
static void *libc_malloc(void)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	void *sym;

	if (!libc)
		return NULL;
	sym = dlsym(libc, "malloc");
	dlclose(libc);
	return sym;
}

/*
 * The heap of the allocator that serves this program's malloc, i.e. the
 * malloc everybody binds to: glibc's when it is libc's own; jemalloc's
 * (preloaded or linked) when the object defining it also defines
 * mallctl; any other allocator: absent.  dlsym is safe here: exit time,
 * not init.  dladdr scans a whole symbol table (~70 us on libc), so it
 * is only used to confirm jemalloc.
 */
static struct heap *heap_collect(void)
{
	void *malloc_now = dlsym(RTLD_DEFAULT, "malloc");
	struct heap *h;

	if (!malloc_now)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (malloc_now == libc_malloc()) {
		heap_from_glibc(h);
	} else {
		void *mallctl = dlsym(RTLD_DEFAULT, "mallctl");

		if (mallctl && object_base(mallctl) == object_base(malloc_now))
			heap_from_jemalloc((mallctl_fn *)mallctl, h);
	}
	if (!h->allocated_bytes.present && !h->mapped_bytes.present) {
		free(h);
		return NULL;
	}
	return h;
}

/* post.heap_state from what the allocator gave. */
static void heap_into(struct hostctx_snapshot *post, const struct heap *h)
{
	const struct {
		const char *path;
		const struct heap_counter *c;
	} members[] = {
		{ "heap_state.active_bytes", &h->active_bytes },
		{ "heap_state.allocated_bytes", &h->allocated_bytes },
		{ "heap_state.resident_bytes", &h->resident_bytes },
		{ "heap_state.mapped_bytes", &h->mapped_bytes },
		{ "heap_state.narenas", &h->narenas },
	};

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (members[i].c->present)
			(void)hostctx_snapshot_set_u64(post, members[i].path,
						       members[i].c->value);
}

/* ---- writing -------------------------------------------------------- */

static int record_write(struct hctx_preload_record *rec, char **envp)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int r;

	r = hostctx_sidecar_to_json(rec->sidecar, &json, &len);
	if (r < 0)
		return r;
	if (rec->path)
		return hostctx_write_atomic(rec->path, json, len,
					    rec->write_flags);

	/* A directory: HOSTCTX_DIR, else the current directory. */
	_cleanup_free_ char *stem = NULL;
	const char *dir = env_nonempty(envp, "HOSTCTX_DIR");
	const char *cmd = rec->sidecar->argc > 0 ? rec->sidecar->argv[0] : NULL;

	if (!dir)
		dir = rec->sidecar->cwd;
	if (!dir)
		return -ENOENT;
	r = hostctx_record_stem(cmd ? cmd : "command", &rec->sidecar->started_at,
				(long)getpid(), &stem);
	if (r < 0)
		return r;
	return hostctx_create_unique(dir, stem, json, len, rec->write_flags,
				     &rec->path);
}

static void record_free(struct hctx_preload_record *rec)
{
	if (!rec)
		return;
	hostctx_root_close(rec->root);
	hostctx_sidecar_free(rec->sidecar);
	free(rec->path);
	free(rec);
}

/* ---- begin ---------------------------------------------------------- */

static int record_new(const struct hctx_preload_begin_args *args,
		      struct hctx_preload_record *rec)
{
	struct hostctx_sidecar *sc = rec->sidecar;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	const char *output = env_nonempty(args->envp, "HOSTCTX_OUTPUT");
	int r;

	clock_gettime(CLOCK_REALTIME, &sc->started_at);
	clock_gettime(CLOCK_MONOTONIC, &rec->started_mono);
	sc->has_started_at = true;
	if (output) {
		r = absolute_path(output, cwd, &rec->path);
		if (r < 0)
			return r;
	}
	r = hostctx_sidecar_set_command(sc, args->argc, args->argv, cwd);
	if (r < 0)
		return r;
	if (rec->root) {
		r = hostctx_snapshot_take(rec->root, &sc->pre);
		if (r < 0)
			return r;
	}
	return record_write(rec, args->envp);
}

/* The same process after exec: carry on with the record on disk. */
static int record_resume(const struct hctx_preload_begin_args *args,
			 struct hctx_preload_record *rec)
{
	const char *path = args->resume_path;
	struct hostctx_document *doc = NULL;
	struct hostctx_sidecar *sc;
	int r;

	if (!*path)
		return -ENOENT;	/* the in-progress record was never written */
	if (!args->load_document)
		return -EOPNOTSUPP;
	r = args->load_document(path, &doc, NULL);
	if (r < 0)
		return r;
	/*
	 * The document was made by libhostctx.so.0 of the same version
	 * (checked when it was loaded), so its objects have our layout.
	 */
	sc = hostctx_document_take_sidecar(doc);
	hostctx_document_free(doc);
	if (!sc || !sc->mode || strcmp(sc->mode, "preload") != 0 || sc->complete) {
		hostctx_sidecar_free(sc);
		return -EINVAL;
	}
	hostctx_sidecar_free(rec->sidecar);
	rec->sidecar = sc;
	rec->resumed = true;
	rec->path = strdup(path);
	return rec->path ? 0 : -ENOMEM;
}

static int sidecar_identify(struct hostctx_sidecar *sc)
{
	free(sc->tool_name);
	free(sc->tool_version);
	free(sc->mode);
	sc->tool_name = strdup(HCTX_PRELOAD_TOOL_NAME);
	sc->tool_version = strdup(HOSTCTX_VERSION);
	sc->mode = strdup("preload");
	sc->complete = false;
	return sc->tool_name && sc->tool_version && sc->mode ? 0 : -ENOMEM;
}

int hctx_preload_begin(const struct hctx_preload_begin_args *args,
		       struct hctx_preload_record **ret_record,
		       char *path_buf, size_t path_cap)
{
	struct hctx_preload_record *rec;
	int r;

	if (!args || !ret_record || !path_buf || path_cap == 0)
		return -EINVAL;
	rec = calloc(1, sizeof(*rec));
	if (!rec || hostctx_sidecar_new(&rec->sidecar) < 0) {
		free(rec);
		return -ENOMEM;
	}
	rec->write_flags = write_flags_from_env(args->envp);
	/* A root that cannot be opened leaves pre and post absent. */
	if (hostctx_root_open(hostctx_root_from_env(args->envp), &rec->root) < 0)
		rec->root = NULL;

	if (args->resume_path)
		r = record_resume(args, rec);
	else
		r = sidecar_identify(rec->sidecar);
	if (r == 0 && !args->resume_path)
		r = record_new(args, rec);
	if (r == 0 && strlen(rec->path) >= path_cap)
		r = -ENAMETOOLONG;
	if (r < 0) {
		record_free(rec);
		return r;
	}
	strcpy(path_buf, rec->path);
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
	struct timespec now_mono;
	double wall;

	clock_gettime(CLOCK_REALTIME, &sc->ended_at);
	clock_gettime(CLOCK_MONOTONIC, &now_mono);
	sc->has_ended_at = true;
	/* Across an exec only the wall clock of the start survives. */
	if (rec->resumed)
		wall = sc->has_started_at ?
		       timespec_diff(&sc->started_at, &sc->ended_at) : -1;
	else
		wall = timespec_diff(&rec->started_mono, &now_mono);
	if (wall >= 0) {
		sc->has_wall_seconds = true;
		sc->wall_seconds = wall;
	}
}

int hctx_preload_finish(struct hctx_preload_record *rec, bool has_status,
			int status)
{
	struct hostctx_sidecar *sc;
	struct heap *heap;
	int r;

	if (!rec)
		return -EINVAL;
	sc = rec->sidecar;
	/* Before our own allocations below change it. */
	heap = heap_collect();
	record_times(rec);
	record_rusage(sc);
	if (has_status) {
		sc->exit.kind = HOSTCTX_EXIT_CODE;
		sc->exit.code = status & 0xff;	/* what the parent will see */
	}
	if (rec->root && hostctx_snapshot_take(rec->root, &sc->post) == 0 && heap)
		heap_into(sc->post, heap);
	free(heap);
	sc->complete = true;
	r = record_write(rec, NULL);
	record_free(rec);
	return r;
}
