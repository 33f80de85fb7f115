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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

static void atomic_replaces_a_planted_symlink_instead_of_following_it(void **state)
{
	struct tmpdir *t = *state;
	char *path = join(t, "s.json"), *victim = join(t, "victim");
	struct stat st;

	assert_int_equal(hostctx_write_atomic(victim, "keep\n", 5, 0), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(hostctx_write_atomic(path, "record\n", 7, 0), 0);
	assert_string_equal(slurp(victim), "keep\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(path), "record\n");
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(atomic_creates_then_replaces, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_mode_ignores_umask, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_replaces_a_planted_symlink_instead_of_following_it,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(atomic_fails_cleanly, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(unique_never_overwrites, make_tmpdir, drop_tmpdir),
		cmocka_unit_test_setup_teardown(unique_does_not_follow_a_planted_name,
						make_tmpdir, drop_tmpdir),
		cmocka_unit_test(stem_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
