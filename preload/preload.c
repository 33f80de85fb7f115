/* SPDX-License-Identifier: MIT */
/*
 * preload.c - libhostctx-preload.so: records one sidecar for the process
 * started with LD_PRELOAD, from inside it.
 *
 * This file is loaded into every descendant of that process, so the
 * glue here decides who records and descendants leave after a scan of
 * envp and one getpid().  The recording itself is recorder.c, with the
 * recording module and the snapshot code of lib/ linked into this
 * library; the recorded process (and it alone) runs it, loading zlib on
 * first use (zlib_loader.c) and libhostctx.so only to resume after exec.
 *
 * Rules kept here (docs/libhostctx-preload.7, TRANSPARENCY): no libc function is
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
#include "../lib/recording.h"
#include "recorder.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MARKER_NAME HCTX_MARKER_NAME
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
 * hostctx_document_parse() from libhostctx.so in this library's own
 * directory: only a resumed record needs a JSON reader (and cJSON).
 */
static hctx_document_parse_fn *document_parser(void)
{
	char path[PATH_MAX];
	Dl_info info;
	const char *slash;
	size_t dirlen;
	const char *(*version)(void);
	void *lib;

	if (!dladdr((void *)document_parser, &info) || !info.dli_fname)
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
	return (hctx_document_parse_fn *)dlsym(lib, "hostctx_document_parse");
}

/*
 * Start (resume_path NULL) or resume the record.  The record path is
 * written into path (size cap) so the marker can carry it.
 */
static void record_start(int argc, char **argv, char **envp, unsigned long long start,
			 const char *resume_path, char *path, size_t cap)
{
	struct hctx_preload_begin_args args = {
		.argc = argc, .argv = argv, .envp = envp, .pid = owner.pid,
		.start_ticks = start, .resume_path = resume_path,
	};

	if (resume_path) {
		args.parse_document = document_parser();
		if (!args.parse_document)
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
	if (hctx_self_start_time(&start) < 0)
		return;
	/* Under hostctx-run the wrapper records; its command is a descendant. */
	if (!self_is_wrapper(argv))
		record_start(argc, argv, envp, start, NULL, path, sizeof(path));
	/* Published even when recording failed: descendants must stay quiet. */
	if (hctx_marker_format(marker, sizeof(marker), owner.pid, start,
			       path) == 0)
		marker_publish();
}

/* m: the marker naming this pid; the same process after exec when the start time matches. */
static void resume_if_same_process(int argc, char **argv, char **envp,
				   const struct hctx_marker *m)
{
	unsigned long long my_start;
	char path[PATH_MAX];

	if (hctx_self_start_time(&my_start) < 0 || my_start != m->start)
		return;
	/* exec'd into hostctx-run: the wrapper records from here on. */
	if (self_is_wrapper(argv))
		return;
	owner.pid = m->pid;
	record_start(argc, argv, envp, my_start, m->path, path, sizeof(path));
}

__attribute__((constructor))
static void hostctx_preload_init(int argc, char **argv, char **envp)
{
	const char *owner_value = NULL;
	struct hctx_marker m;
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
	/*
	 * Descendants leave here, having called getpid() only; a
	 * malformed marker must only ever disable us.
	 */
	if (owner_value && !hctx_marker_parse(owner_value, getpid(), &m))
		return;

	saved_errno = errno;
	if (owner_value)
		resume_if_same_process(argc, argv, envp, &m);
	else
		start_as_root(argc, argv, envp);
	errno = saved_errno;
}
