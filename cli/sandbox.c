/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c - the seccomp filters the hostctx command runs under while
 * it reads and parses (docs/design.md, "The sandbox").
 *
 * An allow list: anything not named here fails with EPERM (not a kill:
 * a denied call is an error the code already handles).  Opens are
 * allowed only when the access mode is O_RDONLY and neither O_CREAT nor
 * O_TRUNC is set, writes only to fds 1 and 2, and there is no exec, no
 * socket, no signal to another process.  openat2() cannot be filtered
 * (its flags sit behind a pointer): it fails with ENOSYS, and the read
 * layer falls back to openat() as on kernels before 5.6.
 *
 * A filter is inherited across fork and exec and cannot be removed: it
 * is only ever installed in the hostctx command, never in hostctx-run or
 * the preload library, whose command would run under it.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#include <sys/ioctl.h>

/* Sanitizer builds: LeakSanitizer stops the world with clone + ptrace. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

/* Calls that touch only the process itself, allowed in every policy. */
static const int own_process_calls[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(preadv),
	SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(fstatfs),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(futex),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(sigaltstack), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(getrandom),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* check --interval waits between its two readings */
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	/* 32-bit ABIs spell some of the above so */
	SCMP_SYS(fstat64), SCMP_SYS(fstatat64), SCMP_SYS(_llseek), SCMP_SYS(mmap2),
	SCMP_SYS(clock_gettime64), SCMP_SYS(clock_nanosleep_time64),
};

/* What a snapshot needs on top: directory walks, symlinks, uname, access checks. */
static const int tree_walk_calls[] = {
	SCMP_SYS(getdents64), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(uname),
	/* permission checks only: hostctx_root_open refuses an unsearchable root */
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	/* the process fields: queries of this process, nothing they can set */
	SCMP_SYS(sched_getaffinity), SCMP_SYS(getpriority), SCMP_SYS(sched_getscheduler),
};

/* personality(0xffffffff) only asks; any other argument would set it. */
/*
 * hostctx export's walk of the directories it is given: listing them is
 * all it adds to parsing (the directories open read-only, as files do).
 */
static const int dir_listing_calls[] = {
	SCMP_SYS(getdents64), SCMP_SYS(getdents),
};

static int allow_personality_query(scmp_filter_ctx ctx);

#ifdef SANDBOX_SANITIZER
static const int sanitizer_calls[] = {
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(prctl),
	SCMP_SYS(sched_yield), SCMP_SYS(getppid), SCMP_SYS(getdents), SCMP_SYS(getdents64),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(tgkill), SCMP_SYS(kill), SCMP_SYS(nanosleep),
	SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(munlock),
};
#endif

/*
 * Argument tests, spelled out (seccomp.h's SCMP_A*_32 macros leave a
 * field to the compiler's zeroing, which clang's -Wextra rejects).
 * Ints are compared as such: the mask keeps the upper half out.
 */
static struct scmp_arg_cmp arg_is(unsigned arg, uint32_t value)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = SCMP_CMP_MASKED_EQ,
				      .datum_a = UINT32_MAX, .datum_b = value };
}

static struct scmp_arg_cmp arg_masked_is(unsigned arg, uint32_t mask,
					 uint32_t value)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = SCMP_CMP_MASKED_EQ,
				      .datum_a = mask, .datum_b = value };
}

/*
 * A call this architecture lacks has a negative pseudo number in
 * seccomp.h: there is nothing to allow.
 */
static int allow(scmp_filter_ctx ctx, int call, unsigned n_args,
		 const struct scmp_arg_cmp *arg)
{
	if (call < 0)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, call, n_args, arg);
}

static int allow_all(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = allow(ctx, calls[i], 0, NULL);

		if (r < 0)
			return r;
	}
	return 0;
}

/* open(2) and openat(2) when flags & mask == O_RDONLY. */
static int allow_read_only_opens(scmp_filter_ctx ctx)
{
	const unsigned mask = O_ACCMODE | O_CREAT | O_TRUNC;
	struct scmp_arg_cmp openat_ro = arg_masked_is(2, mask, O_RDONLY);
	struct scmp_arg_cmp open_ro = arg_masked_is(1, mask, O_RDONLY);
	int r;

	r = allow(ctx, SCMP_SYS(openat), 1, &openat_ro);
	if (r == 0)
		r = allow(ctx, SCMP_SYS(open), 1, &open_ro);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(openat2), 0);
	return r;
}

/* write(2) and writev(2) to standard output and standard error only. */
static int allow_stdout_stderr_writes(scmp_filter_ctx ctx)
{
	static const int calls[] = { SCMP_SYS(write), SCMP_SYS(writev) };
	int r = 0;

	for (size_t i = 0; i < 2 && r == 0; i++) {
		for (unsigned fd = STDOUT_FILENO; fd <= STDERR_FILENO && r == 0; fd++) {
			struct scmp_arg_cmp to_fd = arg_is(0, fd);

			r = allow(ctx, calls[i], 1, &to_fd);
		}
	}
	return r;
}

static int allow_personality_query(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp query = arg_is(0, 0xffffffffu);

	return allow(ctx, SCMP_SYS(personality), 1, &query);
}

/*
 * getrlimit(): prlimit64 of this process (pid 0) with no new limit (a
 * NULL third argument, compared in full); the old getrlimit call only
 * reads.
 */
static int allow_rlimit_queries(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp query[2] = {
		arg_is(0, 0),
		{ .arg = 2, .op = SCMP_CMP_EQ, .datum_a = 0, .datum_b = 0 },
	};
	int r = allow(ctx, SCMP_SYS(prlimit64), 2, query);

	if (r == 0)
		r = allow(ctx, SCMP_SYS(getrlimit), 0, NULL);
	return r;
}

/* isatty() (stdio asks), fcntl() on our own fds' flags, abort(). */

static int allow_own_fd_queries(scmp_filter_ctx ctx)
{
	static const unsigned fcntl_cmds[] = {
		F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC,
	};
	struct scmp_arg_cmp tcgets = arg_is(1, TCGETS);
	struct scmp_arg_cmp self = arg_is(0, (uint32_t)getpid());
	int r;

	r = allow(ctx, SCMP_SYS(ioctl), 1, &tcgets);
	for (size_t i = 0; i < sizeof(fcntl_cmds) / sizeof(fcntl_cmds[0]) && r == 0; i++) {
		struct scmp_arg_cmp cmd = arg_is(1, fcntl_cmds[i]);

		r = allow(ctx, SCMP_SYS(fcntl), 1, &cmd);
		if (r == 0)
			r = allow(ctx, SCMP_SYS(fcntl64), 1, &cmd);
	}
	if (r == 0)	/* raise() signals this process only */
		r = allow(ctx, SCMP_SYS(tgkill), 1, &self);
	return r;
}

static int build_filter(scmp_filter_ctx ctx, bool tree_walk, bool list_dirs)
{
	int r;

#define N(a) (sizeof(a) / sizeof((a)[0]))
	r = allow_all(ctx, own_process_calls, N(own_process_calls));
	if (r == 0 && list_dirs && !tree_walk)
		r = allow_all(ctx, dir_listing_calls, N(dir_listing_calls));
	if (r == 0 && tree_walk)
		r = allow_all(ctx, tree_walk_calls, N(tree_walk_calls));
	if (r == 0 && tree_walk)
		r = allow_personality_query(ctx);
	if (r == 0 && tree_walk)
		r = allow_rlimit_queries(ctx);
#ifdef SANDBOX_SANITIZER
	if (r == 0)
		r = allow_all(ctx, sanitizer_calls, N(sanitizer_calls));
#endif
#undef N
	if (r == 0)
		r = allow_read_only_opens(ctx);
	if (r == 0)
		r = allow_stdout_stderr_writes(ctx);
	if (r == 0)
		r = allow_own_fd_queries(ctx);
	return r;
}

static int install(bool tree_walk, bool list_dirs)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return -ENOMEM;
	/* A binary tree of syscall numbers: fewer BPF steps per call. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = build_filter(ctx, tree_walk, list_dirs);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
#endif /* HAVE_SECCOMP */

bool cli_sandbox_available(void)
{
#ifdef HAVE_SECCOMP
	return true;
#else
	return false;
#endif
}

/*
 * Why no filter is installed, or NULL.  valgrind 3.19 runs its own
 * scheduler in the process (its lock is a pipe it writes to) and does
 * not know seccomp(2): under a filter it stops.  Only valgrind itself
 * can make RUNNING_ON_VALGRIND true.
 */
static const char *why_unsandboxed(void)
{
	if (!cli_sandbox_available())
		return "built without libseccomp";
	if (RUNNING_ON_VALGRIND)
		return "under valgrind";
	return NULL;
}

/* "EPERM", or "ok" when the call succeeded. */
static const char *outcome(int r)
{
	const char *name;

	if (r >= 0)
		return "ok";
	name = hostctx_errno_name(errno);
	return name ? name : "error";
}

/*
 * Test hook (HOSTCTX_SANDBOX_SELFTEST=PATH, documented as test-only in
 * docs/design.md): try what the sandbox forbids and say what happened,
 * on one stderr line.  PATH is the file an open for writing would
 * create; fd 3, when open, is written to.
 */
static void selftest(const char *policy)
{
	const char *path = getenv("HOSTCTX_SANDBOX_SELFTEST");
	char *const argv[] = { (char *)"true", NULL };
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
	const char *open_w, *write3, *exec, *sock, *open_r, *open2;
	int fd;

	if (!path || !*path)
		return;
	if (why_unsandboxed()) {
		cli_error("sandbox selftest (%s): no sandbox (%s)", policy,
			  why_unsandboxed());
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	open_w = outcome(fd);
	if (fd >= 0)
		close(fd);
	write3 = outcome((int)write(3, "x", 1));
	sock = outcome(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (fd >= 0)
		close(fd);
	open_r = outcome(fd = open("/dev/null", O_RDONLY | O_CLOEXEC));
	if (fd >= 0)
		close(fd);
	fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof(how));
	open2 = outcome(fd);
	if (fd >= 0)
		close(fd);
	execve("/bin/true", argv, NULL);	/* returns only when refused */
	exec = hostctx_errno_name(errno);
	cli_error("sandbox selftest (%s): open-for-write %s, write-fd3 %s, "
		  "socket %s, exec %s, open-read-only %s, openat2 %s", policy,
		  open_w, write3, sock, exec ? exec : "error", open_r, open2);
}

static int enter(const char *policy, bool tree_walk, bool list_dirs)
{
#ifdef HAVE_SECCOMP
	int r = why_unsandboxed() ? 0 : install(tree_walk, list_dirs);

	if (r < 0) {
		cli_error("cannot install the sandbox: %s (--no-sandbox runs without it)",
			  strerror(-r));
		return -1;
	}
#else
	(void)tree_walk;
	(void)list_dirs;
#endif
	selftest(policy);
	return 0;
}

int cli_sandbox_parsing(void)
{
	return enter("parsing", false, false);
}

int cli_sandbox_listing(void)
{
	return enter("listing", false, true);
}

int cli_sandbox_snapshot(void)
{
	return enter("snapshot", true, false);
}
