/* SPDX-License-Identifier: MIT */
/*
 * Safe record writing (lib/record.c): atomic replacement, new names that
 * never overwrite, the record name's stem, and what a planted symlink or
 * a hostile umask can and cannot do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "recording.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct tmpdir {
	char path[64];
};

static int make_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	strcpy(t->path, "/tmp/hostctx-record-XXXXXX");
	assert_non_null(mkdtemp(t->path));
	*state = t;
	return 0;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[512];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static int drop_tmpdir(void **state)
{
	struct tmpdir *t = *state;

	remove_tree(t->path);
	free(t);
	return 0;
}

static char *join(const struct tmpdir *t, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", t->path, name) > 0);
	return p;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static size_t entries(const struct tmpdir *t)
{
	DIR *d = opendir(t->path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void atomic_creates_then_replaces(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "r.json");

	assert_int_equal(hostctx_write_atomic(path, "one\n", 4, 0), 0);
	assert_string_equal(slurp(path), "one\n");
	assert_int_equal(hostctx_write_atomic(path, "second\n", 7, HOSTCTX_WRITE_FSYNC), 0);
	assert_string_equal(slurp(path), "second\n");
	/* no temporary file is left behind */
	assert_int_equal(entries(t), 1);
	free(path);
}

static void atomic_mode_ignores_umask(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "m.json");
	mode_t old = umask(0777);
	struct stat st;

	assert_int_equal(hostctx_write_atomic(path, "x", 1, 0), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(path);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* KEEP_MODE: a replacement keeps a narrower (or wider) mode; a new file is 0644. */
static void atomic_keep_mode(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "results.xml");

	assert_int_equal(hostctx_write_atomic(path, "a", 1, HOSTCTX_WRITE_KEEP_MODE), 0);
	assert_int_equal(mode_of(path), 0644);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(hostctx_write_atomic(path, "b", 1, HOSTCTX_WRITE_KEEP_MODE), 0);
	assert_int_equal(mode_of(path), 0600);
	assert_string_equal(slurp(path), "b");
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(hostctx_write_atomic(path, "c", 1, HOSTCTX_WRITE_KEEP_MODE), 0);
	assert_int_equal(mode_of(path), 0664);
	/* without the flag: 0644, as always */
	assert_int_equal(hostctx_write_atomic(path, "d", 1, 0), 0);
	assert_int_equal(mode_of(path), 0644);
	assert_int_equal(entries(t), 1);
	free(path);
}

/* A symlink at the target (think -o /dev/stdout) is neither followed nor replaced. */
static void atomic_refuses_a_planted_symlink(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "s.json"), *victim = join(t, "victim");
	struct stat st;

	assert_int_equal(hostctx_write_atomic(victim, "keep\n", 5, 0), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(hostctx_write_atomic(path, "record\n", 7, 0),
			 -HCTX_E_NOT_REGULAR);
	assert_string_equal(slurp(victim), "keep\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(entries(t), 2);
	free(path);
	free(victim);
}

static void atomic_fails_cleanly(void **state)
{
	struct tmpdir *t = *state;
	char *missing = join(t, "no/such/dir/r.json"), *dir = join(t, "adir");

	/* the directory of a file target is not created */
	assert_int_equal(hostctx_write_atomic(missing, "x", 1, 0), -ENOENT);
	/* a directory where the record should go is left alone */
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_true(hostctx_write_atomic(dir, "x", 1, 0) < 0);
	assert_int_equal(entries(t), 1);
	free(missing);
	free(dir);
}

static void unique_never_overwrites(void **state)
{
	struct tmpdir *t = *state;
	char *dir = join(t, "new/sub"), *a = NULL, *b = NULL, *c = NULL;
	char *expect_a = join(t, "new/sub/stem.hostctx.json");
	char *expect_b = join(t, "new/sub/stem-1.hostctx.json");

	/* the directory is created when missing */
	assert_int_equal(hostctx_create_unique(dir, "stem", "a", 1, 0, &a), 0);
	assert_int_equal(hostctx_create_unique(dir, "stem", "b", 1, 0, &b), 0);
	assert_int_equal(hostctx_create_unique(dir, "stem", "c", 1, 0, &c), 0);
	assert_string_equal(a, expect_a);
	assert_string_equal(b, expect_b);
	assert_string_not_equal(c, b);
	assert_string_equal(slurp(a), "a");
	assert_string_equal(slurp(b), "b");
	assert_string_equal(slurp(c), "c");
	free(a);
	free(b);
	free(c);
	free(dir);
	free(expect_a);
	free(expect_b);
}

static void unique_does_not_follow_a_planted_name(void **state)
{
	struct tmpdir *t = *state;
	char *victim = join(t, "victim"), *link = join(t, "s.hostctx.json");
	char *got = NULL;

	assert_int_equal(hostctx_write_atomic(victim, "keep\n", 5, 0), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(hostctx_create_unique(t->path, "s", "new", 3, 0, &got), 0);
	assert_string_not_equal(got, link);
	assert_string_equal(slurp(victim), "keep\n");
	free(got);
	free(victim);
	free(link);
}

/* -o FIFO would block or feed a reader; -o /dev/null would delete it. */
static void atomic_refuses_what_is_not_a_regular_file(void **state)
{
	struct tmpdir *t = *state;
	char *fifo = join(t, "fifo"), *dir = join(t, "adir");
	struct stat st;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(hostctx_write_atomic(fifo, "x", 1, 0), -HCTX_E_NOT_REGULAR);
	assert_int_equal(hostctx_write_atomic(dir, "x", 1, 0), -HCTX_E_NOT_REGULAR);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(entries(t), 2);
	free(fifo);
	free(dir);
}

/* Only root can plant a symlink owned by somebody else. */
static void dir_open_refuses_another_users_symlink(void **state)
{
	struct tmpdir *t = *state;
	char *victim = join(t, "victim"), *att = join(t, "att");
	char *link = join(t, "att/d"), *target = join(t, "att/d/r.json");
	char *mine = join(t, "mine"), *via_mine = join(t, "mine/r.json");
	int fd = -1;

	if (geteuid() != 0)
		skip();	/* needs root: lchown to another user */
	assert_int_equal(mkdir(victim, 0755), 0);
	assert_int_equal(mkdir(att, 0755), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(lchown(link, 65534, 65534), 0);
	assert_int_equal(hctx_dir_open_safe(link, false, &fd), -ELOOP);
	assert_int_equal(hostctx_write_atomic(target, "x", 1, 0), -ELOOP);
	/* the caller's own link is followed */
	assert_int_equal(symlink(victim, mine), 0);
	assert_int_equal(hostctx_write_atomic(via_mine, "x", 1, 0), 0);
	assert_int_equal(hctx_dir_open_safe(mine, false, &fd), 0);
	assert_true(fd >= 3);
	close(fd);
	free(victim);
	free(att);
	free(link);
	free(target);
	free(mine);
	free(via_mine);
}

/* The preload reads its record back after exec: never block, never follow. */
static void read_at_only_regular_files_within_the_bound(void **state)
{
	struct tmpdir *t = *state;
	char *fifo = join(t, "fifo"), *file = join(t, "f.json");
	char *text = NULL;
	size_t len = 0;
	int dirfd;

	assert_int_equal(hctx_dir_open_safe(t->path, false, &dirfd), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(hctx_read_at(dirfd, "fifo", 1024, &text, &len),
			 -HCTX_E_NOT_REGULAR);
	assert_int_equal(symlinkat("/dev/zero", dirfd, "zero"), 0);
	assert_int_equal(hctx_read_at(dirfd, "zero", 1024, &text, &len), -ELOOP);
	assert_int_equal(hostctx_write_atomic(file, "12345", 5, 0), 0);
	assert_int_equal(hctx_read_at(dirfd, "f.json", 4, &text, &len), -EFBIG);
	assert_int_equal(hctx_read_at(dirfd, "f.json", 5, &text, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(text, "12345");
	free(text);
	close(dirfd);
	free(fifo);
	free(file);
}

static siginfo_t pending_info(int sig)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	sigset_t one;

	memset(&si, 0, sizeof(si));
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigtimedwait(&one, &si, &zero) != sig)
		si.si_signo = 0;
	return si;
}

/*
 * Inside the guard, SIGPIPE comes from another process and our own
 * write raises SIGXFSZ (RLIMIT_FSIZE): the first is given back with its
 * sender, the second consumed.
 */
static void guard_keeps_what_another_process_sent(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "big");
	struct hctx_write_guard guard;
	struct rlimit old, small;
	sigset_t block, was;
	siginfo_t si;
	pid_t child;
	int fd;

	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGXFSZ);
	/* The test's own view: blocked, so pending signals can be read. */
	sigprocmask(SIG_BLOCK, &block, &was);
	hctx_write_guard_enter(&guard);
	child = fork();
	if (child == 0) {
		kill(getppid(), SIGPIPE);
		_exit(0);
	}
	assert_true(child > 0);
	waitpid(child, NULL, 0);
	getrlimit(RLIMIT_FSIZE, &old);
	small = (struct rlimit){ 1, old.rlim_max };	/* soft only: raised again */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(write(fd, "xx", 2), 1);
	assert_int_equal(write(fd, "x", 1), -1);	/* EFBIG and SIGXFSZ */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	close(fd);
	hctx_write_guard_leave(&guard);

	si = pending_info(SIGPIPE);
	assert_int_equal(si.si_signo, SIGPIPE);
	assert_int_equal(si.si_pid, child);
	assert_int_equal(si.si_code, SI_USER);
	si = pending_info(SIGXFSZ);
	assert_int_equal(si.si_signo, 0);
	sigprocmask(SIG_SETMASK, &was, NULL);
	free(path);
}

static void stem_format(void **state)
{
	/* 2026-11-26T09:00:00Z */
	struct timespec when = { .tv_sec = 1795683600, .tv_nsec = 999999999 };
	char *stem = NULL;

	(void)state;
	assert_int_equal(hostctx_record_stem("/usr/bin/make", &when, 4242, &stem), 0);
	assert_string_equal(stem, "make-20261126T090000Z-4242");
	free(stem);
	/* control bytes in a command name become '_' */
	assert_int_equal(hostctx_record_stem("./a\nb\tc", &when, 1, &stem), 0);
	assert_string_equal(stem, "a_b_c-20261126T090000Z-1");
	free(stem);
	/* a name ending in '/' still gives a usable stem */
	assert_int_equal(hostctx_record_stem("dir/", &when, 7, &stem), 0);
	assert_string_equal(stem, "command-20261126T090000Z-7");
	free(stem);
	/* a command named ".x" must not give a hidden record */
	assert_int_equal(hostctx_record_stem("/home/u/.local/bin/.hook", &when, 8, &stem), 0);
	assert_string_equal(stem, "_hook-20261126T090000Z-8");
	free(stem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(atomic_creates_then_replaces, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_mode_ignores_umask, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_refuses_a_planted_symlink,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_fails_cleanly, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_refuses_what_is_not_a_regular_file,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(dir_open_refuses_another_users_symlink,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(read_at_only_regular_files_within_the_bound,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(guard_keeps_what_another_process_sent,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(unique_never_overwrites, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(unique_does_not_follow_a_planted_name,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test(stem_format),
		cmocka_unit_test_setup_teardown(atomic_keep_mode, make_tmpdir, drop_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
