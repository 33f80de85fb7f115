/* SPDX-License-Identifier: MIT */
/*
 * spawn.c - the child.  fork (not vfork/posix_spawn: their child's
 * max RSS starts at the wrapper's peak), early, while the wrapper is
 * small; the child waits on a gate pipe until the pre snapshot and the
 * in-progress record exist.  An exec error comes back over a
 * close-on-exec pipe (EOF means exec succeeded), and the child leaves
 * only through exec or _exit: nothing of ours runs twice.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* The signal the child gets when the wrapper dies (PR_SET_PDEATHSIG). */
#define CHILD_PDEATHSIG SIGKILL

int run_fd_above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return moved < 0 ? -errno : moved;
}

/* A close-on-exec pipe with both ends >= 3 (0-2 may be closed). */
static int make_pipe(int ends[2])
{
	if (pipe2(ends, O_CLOEXEC) < 0)
		return -errno;
	ends[0] = run_fd_above_stdio(ends[0]);
	ends[1] = run_fd_above_stdio(ends[1]);
	if (ends[0] < 0 || ends[1] < 0) {
		int err = ends[0] < 0 ? ends[0] : ends[1];

		if (ends[0] >= 0)
			close(ends[0]);
		if (ends[1] >= 0)
			close(ends[1]);
		return err;
	}
	return 0;
}

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* PATH when it is unset, as glibc's execvp uses it. */
#define DEFAULT_PATH "/bin:/usr/bin"

/* Errors execvp(3) takes for "not in this directory": try the next one. */
static bool try_next_entry(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ESTALE ||
	       err == ENODEV || err == ETIMEDOUT || err == EACCES;
}

/* It exists: execve's EACCES means it cannot be run, not searched for. */
static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * execvp(3), except that an entry we may not search (EACCES on the
 * directory) is skipped as a missing file is, as bash does: EACCES is
 * the answer only when something of that name exists and cannot be run
 * (a directory too, as for execvp, env and nice: `hostctx-run -- .` is
 * 126), ENOENT when nothing exists.  execvp on
 * the full name keeps argv[0] and the /bin/sh fallback for scripts
 * without a #! line.  Returns the errno; runs between fork and exec.
 */
static int exec_searching_path(char **argv)
{
	const char *name = argv[0], *path = getenv("PATH");
	size_t name_len = strlen(name);
	char full[PATH_MAX];
	bool found_unrunnable = false;

	if (strchr(name, '/') || !*name) {
		execvp(name, argv);
		return errno;
	}
	if (!path)
		path = DEFAULT_PATH;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dir_len = (size_t)(end - p);

		if (dir_len == 0) {	/* empty entry: the current directory */
			p = ".";
			dir_len = 1;
		}
		if (dir_len + 1 + name_len < sizeof(full)) {
			memcpy(full, p, dir_len);
			full[dir_len] = '/';
			memcpy(full + dir_len + 1, name, name_len + 1);
			execvp(full, argv);
			if (!try_next_entry(errno))
				return errno;
			if (errno == EACCES && exists(full))
				found_unrunnable = true;
		}
		if (!*end)
			break;
		p = end;
	}
	return found_unrunnable ? EACCES : ENOENT;
}

__attribute__((noreturn)) static void
child_main(char **argv, int gate_fd, int error_fd, pid_t parent,
	   const struct run_signals *sigs)
{
	char go;
	int err;

	/*
	 * Die with the wrapper.  Check the parent after arming: it may have
	 * died before prctl (compare with the saved pid, not 1: the
	 * wrapper may be pid 1, or have a subreaper above it).
	 */
	prctl(PR_SET_PDEATHSIG, CHILD_PDEATHSIG, 0, 0, 0);
	if (getppid() != parent)
		_exit(RUN_EXIT_FAILURE);
	if (read_retry(gate_fd, &go, 1) != 1)
		_exit(RUN_EXIT_FAILURE);	/* wrapper gave up */
	close(gate_fd);
	run_signals_restore_in_child(sigs);
	err = exec_searching_path(argv);
	while (write(error_fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(err == ENOENT ? RUN_EXIT_ENOENT : RUN_EXIT_CANNOT_INVOKE);
}

int run_spawn(struct run_child *c, char **argv, const struct run_signals *sigs)
{
	int gate[2], error[2], r;
	pid_t parent = getpid();
	pid_t pid;

	c->pid = -1;
	c->gate_fd = c->error_fd = c->pidfd = -1;
	r = make_pipe(gate);
	if (r < 0)
		return r;
	r = make_pipe(error);
	if (r < 0) {
		close(gate[0]);
		close(gate[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(gate[0]);
		close(gate[1]);
		close(error[0]);
		close(error[1]);
		return r;
	}
	if (pid == 0) {
		close(gate[1]);
		close(error[0]);
		child_main(argv, gate[0], error[1], parent, sigs);
	}
	close(gate[0]);
	close(error[1]);
	c->pid = pid;
	c->gate_fd = gate[1];
	c->error_fd = error[0];
	return 0;
}

void run_release(struct run_child *c, int *ret_exec_errno)
{
	int err = 0;
	ssize_t n;

	while (write(c->gate_fd, "g", 1) < 0 && errno == EINTR)
		;
	close(c->gate_fd);
	c->gate_fd = -1;
	n = read_retry(c->error_fd, &err, sizeof(err));
	close(c->error_fd);
	c->error_fd = -1;
	*ret_exec_errno = n == (ssize_t)sizeof(err) ? err : 0;
}

void run_forward(struct run_child *c, const siginfo_t *si)
{
	siginfo_t copy = *si;
	const siginfo_t *info = NULL;

	if (c->pid <= 0)
		return;		/* never kill(0) or kill(-1) */
	/* Keep sigqueue's value: the kernel accepts SI_QUEUE from us. */
	if (si->si_code == SI_QUEUE)
		info = &copy;
	if (c->pidfd < 0) {
		int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);

		c->pidfd = fd < 0 ? -2 : run_fd_above_stdio(fd);
	}
	if (c->pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, c->pidfd, si->si_signo, info, 0) == 0)
		return;
	if (info)
		sigqueue(c->pid, si->si_signo, si->si_value);
	else
		kill(c->pid, si->si_signo);
}

bool run_child_is_stopped(const struct run_child *c)
{
	char path[64], stat[512];
	const char *end;
	ssize_t n;
	int fd;

	if (c->pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read_retry(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold spaces and parentheses. */
	end = strrchr(stat, ')');
	return end && end[1] == ' ' && (end[2] == 'T' || end[2] == 't');
}

void run_child_close(struct run_child *c)
{
	if (c->gate_fd >= 0)
		close(c->gate_fd);
	if (c->error_fd >= 0)
		close(c->error_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->gate_fd = c->error_fd = c->pidfd = -1;
	c->pid = -1;
}
