/* SPDX-License-Identifier: MIT */
/*
 * preload.c - libhostctx-preload.so: records one sidecar for the process
 * started with LD_PRELOAD, from inside it.
 *
 * This file is loaded into every descendant of that process, so the
 * glue here decides who records and descendants leave after a scan of
 * envp and one getpid().  The recording itself is lib/preload_support.c,
 * linked into this library with the snapshot code it needs; the
 * recorded process (and it alone) runs it, loading zlib on first use
 * (zlib_loader.c) and libhostctx.so only to resume after exec.
 *
 * Rules kept here (process-handling.md section 3): no libc function is
 * interposed; the environment is read from the constructor's envp (bash
 * exports its own getenv/putenv, which must not run before bash's main);
 * no stdio, no signal handlers, no threads, no helper processes; errno
 * is preserved; nothing is done in a destructor.
 *
 * Who records, from HOSTCTX_PRELOAD_OWNER=<pid>:<start time>:<path>:
 *  - absent: this process is the one the user started.  Write the
 *    in-progress record, add the marker to the environment, register
 *    the exit hook.  Exception: hostctx-run itself (it records, and the
 *    marker it gets from us keeps its command quiet).
 *  - my pid and start time: the same process after exec.  Carry on with
 *    the record at <path>.
 *  - anything else: a descendant.  Nothing at all.
 */
#include "../lib/preload_support.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MARKER_NAME "HOSTCTX_PRELOAD_OWNER"
#define DISABLE_NAME "HOSTCTX_PRELOAD_DISABLE"
#define LIBHOSTCTX "libhostctx.so.0"	/* the soname, never the dev symlink */
#define WRAPPER_NAME "hostctx-run"

extern char **environ;

/* The marker lives here for the life of the process (putenv-style). */
static char marker[sizeof(MARKER_NAME) + 48 + PATH_MAX];

static struct {
	long pid;
	struct hctx_preload_record *record;
	int finished;		/* set atomically: the hook runs once */
} owner;

/* ---- small string helpers (no stdio) -------------------------------- */

/*
 * A loop rather than strncmp: every libc function a descendant calls
 * costs a lazy PLT resolution (~1000 instructions) on each exec.
 */
static bool has_prefix(const char *s, const char *prefix, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != prefix[i])
			return false;
	return true;
}

/* Set, not empty, not "0". */
static bool flag_is_set(const char *value)
{
	return value[0] != '\0' && !(value[0] == '0' && value[1] == '\0');
}

/* Strict decimal up to the first non-digit; *end points there. */
static bool parse_ull(const char *s, unsigned long long *ret, const char **end)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (~0ULL - 9) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == s)
		return false;
	*ret = v;
	*end = p;
	return true;
}

static char *append_ull(char *p, unsigned long long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* ---- this process --------------------------------------------------- */

/* Field 22 of /proc/self/stat: start time in clock ticks since boot. */
static bool self_start_time(unsigned long long *ret)
{
	char buf[1024];
	const char *p, *end;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return false;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p)
		return false;
	/* p is just before field 3; skip to field 22. */
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return false;
	}
	return parse_ull(p + 1, ret, &end);
}

static bool basename_is(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash ? slash + 1 : path, name) == 0;
}

/*
 * hostctx-run records the command itself.  Its executable's name tells
 * (argv[0] too: under valgrind /proc/self/exe is valgrind's tool).
 */
static bool self_is_wrapper(char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (argv && argv[0] && basename_is(argv[0], WRAPPER_NAME))
		return true;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return basename_is(exe, WRAPPER_NAME);
}

/* ---- the marker ----------------------------------------------------- */

static void marker_format(long pid, unsigned long long start, const char *path)
{
	size_t room = sizeof(marker) - (sizeof(MARKER_NAME) + 48);
	char *p = marker;

	memcpy(p, MARKER_NAME "=", sizeof(MARKER_NAME));
	p += sizeof(MARKER_NAME);
	p = append_ull(p, (unsigned long long)pid);
	*p++ = ':';
	p = append_ull(p, start);
	*p++ = ':';
	if (strlen(path) < room)
		strcpy(p, path);
	else
		*p = '\0';	/* the path goes; the owner stays known */
}

/*
 * Add the marker to environ without calling putenv: in bash, putenv is
 * bash's own and would touch shell variables that do not exist yet.
 * glibc hands main() the environ of this moment, so bash, dash and
 * execvp() all pass it on.  A new array (mmap: no malloc in init) keeps
 * the old entries; an existing marker entry is replaced in place so the
 * variable appears exactly once.
 */
static void marker_publish(void)
{
	size_t n = 0, size;
	char **env = environ, **fresh;

	for (; env && env[n]; n++) {
		if (has_prefix(env[n], MARKER_NAME "=", sizeof(MARKER_NAME))) {
			env[n] = marker;
			return;
		}
	}
	size = (n + 2) * sizeof(char *);
	fresh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return;
	if (n > 0)
		memcpy(fresh, env, n * sizeof(char *));
	fresh[n] = marker;
	fresh[n + 1] = NULL;
	environ = fresh;
}

/* ---- recording ------------------------------------------------------ */

/*
 * A program may exit with stdin/stdout/stderr closed; the record's
 * files would then get fds 0-2, where another thread still writing to
 * "stdout" would land in the record.  Hold the free ones with /dev/null
 * while we work.  Returns a bit per fd taken.
 */
static unsigned std_fds_hold(void)
{
	unsigned held = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free fd: this one, as 0..fd-1 are taken. */
		int got = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);

		if (got != fd) {
			if (got >= 0)
				close(got);	/* another thread was faster */
			break;
		}
		held |= 1u << fd;
	}
	return held;
}

static void std_fds_release(unsigned held)
{
	for (int fd = 0; fd <= 2; fd++)
		if (held & (1u << fd))
			close(fd);
}

static void on_program_exit(int status, void *unused)
{
	int saved_errno = errno;

	/* fork and vfork children inherit this registration. */
	if (getpid() == owner.pid &&
	    !__atomic_exchange_n(&owner.finished, 1, __ATOMIC_ACQ_REL)) {
		unsigned held = std_fds_hold();

		hctx_preload_finish(owner.record, true, status);
		std_fds_release(held);
	}
	errno = saved_errno;
}

/*
 * hostctx_document_load() from libhostctx.so in this library's own
 * directory: only a resumed record needs a JSON reader (and cJSON).
 */
static hctx_document_load_fn *document_loader(void)
{
	char path[PATH_MAX];
	Dl_info info;
	const char *slash;
	size_t dirlen;
	const char *(*version)(void);
	void *lib;

	if (!dladdr((void *)marker_format, &info) || !info.dli_fname)
		return NULL;
	slash = strrchr(info.dli_fname, '/');
	dirlen = slash ? (size_t)(slash - info.dli_fname) + 1 : 0;
	if (dirlen + sizeof(LIBHOSTCTX) > sizeof(path))
		return NULL;
	memcpy(path, info.dli_fname, dirlen);
	memcpy(path + dirlen, LIBHOSTCTX, sizeof(LIBHOSTCTX));
	lib = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!lib)
		return NULL;
	/*
	 * The record it parses is handed to this library's own code, which
	 * shares its layout only when both were built as the same version.
	 */
	version = (const char *(*)(void))dlsym(lib, "hostctx_version");
	if (!version || strcmp(version(), HOSTCTX_VERSION) != 0) {
		dlclose(lib);
		return NULL;
	}
	/* The handle stays: the parsed record's strings are plain malloc. */
	return (hctx_document_load_fn *)dlsym(lib, "hostctx_document_load");
}

/*
 * Start (resume_path NULL) or resume the record.  The record path is
 * written into path (size cap) so the marker can carry it.
 */
static void record_start(int argc, char **argv, char **envp,
			 const char *resume_path, char *path, size_t cap)
{
	struct hctx_preload_begin_args args = {
		.argc = argc, .argv = argv, .envp = envp, .pid = owner.pid,
		.resume_path = resume_path,
	};

	if (resume_path) {
		args.load_document = document_loader();
		if (!args.load_document)
			return;
	}
	if (hctx_preload_begin(&args, &owner.record, path, cap) < 0)
		return;	/* cannot record: stay silent */
	on_exit(on_program_exit, NULL);
}

static void start_as_root(int argc, char **argv, char **envp)
{
	static char path[PATH_MAX];
	unsigned long long start;

	owner.pid = getpid();
	if (!self_start_time(&start))
		return;
	/* Under hostctx-run the wrapper records; its command is a descendant. */
	if (!self_is_wrapper(argv))
		record_start(argc, argv, envp, NULL, path, sizeof(path));
	/* Published even when recording failed: descendants must stay quiet. */
	marker_format(owner.pid, start, path);
	marker_publish();
}

/*
 * value: "<pid>:<start>:<path>" of HOSTCTX_PRELOAD_OWNER.  Only the pid
 * is checked here: this is all a descendant ever runs.
 */
static bool owner_pid_is_me(const char *value, const char **ret_rest)
{
	unsigned long long pid;

	/* A malformed marker must only ever disable us (P10). */
	if (!parse_ull(value, &pid, ret_rest) || **ret_rest != ':' ||
	    (long)pid != getpid())
		return false;
	owner.pid = (long)pid;
	return true;
}

/* rest: "<start>:<path>"; the same process after exec when start matches. */
static void resume_if_same_process(int argc, char **argv, char **envp,
				   const char *rest)
{
	unsigned long long start, my_start;
	const char *p;
	char path[PATH_MAX];

	if (!parse_ull(rest, &start, &p) || *p != ':' ||
	    !self_start_time(&my_start) || my_start != start)
		return;
	/* exec'd into hostctx-run: the wrapper records from here on. */
	if (self_is_wrapper(argv))
		return;
	record_start(argc, argv, envp, p + 1, path, sizeof(path));
}

__attribute__((constructor))
static void hostctx_preload_init(int argc, char **argv, char **envp)
{
	const char *owner_value = NULL, *rest;
	int saved_errno;

	for (char **e = envp; e && *e; e++) {
		if ((*e)[0] != 'H' || !has_prefix(*e, "HOSTCTX_PRELOAD_", 16))
			continue;
		if (has_prefix(*e, MARKER_NAME "=", sizeof(MARKER_NAME)))
			owner_value = *e + sizeof(MARKER_NAME);
		else if (has_prefix(*e, DISABLE_NAME "=", sizeof(DISABLE_NAME)) &&
			 flag_is_set(*e + sizeof(DISABLE_NAME)))
			return;
	}
	/* Descendants leave here, having called getpid() only. */
	if (owner_value && !owner_pid_is_me(owner_value, &rest))
		return;

	saved_errno = errno;
	if (owner_value)
		resume_if_same_process(argc, argv, envp, rest + 1);
	else
		start_as_root(argc, argv, envp);
	errno = saved_errno;
}
