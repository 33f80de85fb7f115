/* SPDX-License-Identifier: MIT */
/*
 * inject_write - a test-only LD_PRELOAD library that makes writes of
 * sidecar records fail, to prove the failure paths (the idea of jq's
 * src/inject_errors.c).
 *
 *   INJECT_WRITE_ERRNO  ENOSPC | EIO | EDQUOT   (unset: do nothing)
 *   INJECT_WRITE_OP     write | close | rename  (default write)
 *   INJECT_WRITE_SKIP   let the first N matching operations succeed
 *   INJECT_WRITE_MATCH  substring of the file name (default "json")
 *
 *   INJECT_WRITE_SIGNAL N: on the first matching write, a forked child
 *                      sends signal N to this process (another process,
 *                      as kill(1) from outside would) and is waited for;
 *                      the write then goes on
 *
 *   INJECT_WRITE_KILL_AFTER_LINK N: once N linkat() calls to a temporary
 *                      name (".tmp") have returned, SIGKILL the process
 *                      this library was loaded in, from whichever task
 *                      made the link (the record code makes it in a
 *                      helper task)
 *
 * "write" and "close" fail on an fd whose file name contains the match
 * or that is an unnamed O_TMPFILE ("/dir/#123 (deleted)": a record
 * being made); "rename" fails renameat2/rename/link/linkat whose target
 * contains it.  A failed close still closes the fd, as Linux does.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int injected_errno(const char *op)
{
	const char *e = getenv("INJECT_WRITE_ERRNO");
	const char *want = getenv("INJECT_WRITE_OP");

	if (!e || !*e)
		return 0;
	if (strcmp(want && *want ? want : "write", op) != 0)
		return 0;
	if (!strcmp(e, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(e, "EIO"))
		return EIO;
	if (!strcmp(e, "EDQUOT"))
		return EDQUOT;
	return 0;
}

static bool name_matches(const char *name)
{
	const char *m = getenv("INJECT_WRITE_MATCH");

	return name && strstr(name, m && *m ? m : "json");
}

static bool is_unnamed_tmpfile(const char *target)
{
	const char *base = strrchr(target, '/');
	size_t n = strlen(target);

	return base && base[1] == '#' && n > 10 &&
	       strcmp(target + n - 10, " (deleted)") == 0;
}

static bool fd_matches(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return name_matches(target) || is_unnamed_tmpfile(target);
}

/* Count matching operations; fail once the skip count is used up. */
static bool should_fail(void)
{
	static int seen;
	const char *skip = getenv("INJECT_WRITE_SKIP");

	return seen++ >= (skip ? atoi(skip) : 0);
}

static int fail_with(int err)
{
	errno = err;
	return -1;
}

static pid_t loaded_in;

__attribute__((constructor)) static void remember_process(void)
{
	loaded_in = getpid();
}

/* INJECT_WRITE_KILL_AFTER_LINK: a kill between link and rename. */
static void kill_after_temporary_link(const char *newpath)
{
	static int seen;
	const char *v = getenv("INJECT_WRITE_KILL_AFTER_LINK");
	size_t n = newpath ? strlen(newpath) : 0;

	if (!v || !*v || n < 4 || strcmp(newpath + n - 4, ".tmp") != 0)
		return;
	if (++seen == atoi(v))
		kill(loaded_in, SIGKILL);
}

/* INJECT_WRITE_SIGNAL: signal ourselves from another process, once. */
static void signal_from_outside(void)
{
	static bool done;
	const char *v = getenv("INJECT_WRITE_SIGNAL");
	pid_t child, self = getpid();

	if (done || !v || !*v)
		return;
	done = true;
	child = fork();
	if (child == 0) {
		kill(self, atoi(v));
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);
	int err = injected_errno("write");

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd > 2 && getenv("INJECT_WRITE_SIGNAL") && fd_matches(fd))
		signal_from_outside();
	if (err && fd > 2 && fd_matches(fd) && should_fail())
		return fail_with(err);
	return real(fd, buf, len);
}

int close(int fd)
{
	static int (*real)(int);
	int err = injected_errno("close");
	bool fail;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	fail = err && fd > 2 && fd_matches(fd) && should_fail();
	if (real(fd) < 0)
		return -1;
	return fail ? fail_with(err) : 0;
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd,
	      const char *newpath, unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	int err = injected_errno("rename");

	if (!real)
		real = (int (*)(int, const char *, int, const char *,
				unsigned int))dlsym(RTLD_NEXT, "renameat2");
	if (err && name_matches(newpath) && should_fail())
		return fail_with(err);
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

int rename(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);
	int err = injected_errno("rename");

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (err && name_matches(newpath) && should_fail())
		return fail_with(err);
	return real(oldpath, newpath);
}

int link(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);
	int err = injected_errno("rename");

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "link");
	if (err && name_matches(newpath) && should_fail())
		return fail_with(err);
	return real(oldpath, newpath);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd,
	   const char *newpath, int flags)
{
	static int (*real)(int, const char *, int, const char *, int);
	int err = injected_errno("rename");
	int r;

	if (!real)
		real = (int (*)(int, const char *, int, const char *,
				int))dlsym(RTLD_NEXT, "linkat");
	if (err && name_matches(newpath) && should_fail())
		return fail_with(err);
	r = real(olddirfd, oldpath, newdirfd, newpath, flags);
	if (r == 0)
		kill_after_temporary_link(newpath);
	return r;
}
