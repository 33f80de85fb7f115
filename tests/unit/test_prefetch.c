/* SPDX-License-Identifier: MIT */
/*
 * The prefetch (lib/prefetch.c): what a row reads through it is what it
 * would have read alone, byte for byte and error for error, whatever
 * the order, size or budget; a big host's snapshot is the same with
 * threads and without.  The CPU count is a seam, so threads start here
 * even on a one-CPU machine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "internal.h"

#include <sys/stat.h>

#define TREE_PREFIX "hostctx-prefetch"
#define TREE_GROUPS "all"
#include "tree_fixture.h"

static unsigned cpus_allowed = 8;

unsigned hctx_sys_cpus_allowed(void)
{
	return cpus_allowed;
}

/* put() without a shell for each file: thousands of them here */
static void put_quick(const struct tree *t, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	for (char *p = strchr(path + strlen(t->dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define NFILES 300

/* NFILES files f0..: small ones, a missing one, one too big to keep */
static void put_files(const struct tree *t)
{
	char rel[64], text[32];

	for (int i = 0; i < NFILES; i++) {
		if (i == 7)
			continue;	/* missing */
		snprintf(rel, sizeof(rel), "d/f%d", i);
		snprintf(text, sizeof(text), "value %d\n", i);
		if (i == 11) {
			char *big = malloc(6000);

			memset(big, 'x', 5999);
			big[5999] = '\0';
			put_quick(t, rel, big);
			free(big);
			continue;
		}
		put_quick(t, rel, text);
	}
}

static void fill(struct hctx_pathlist *l)
{
	for (int i = 0; i < NFILES; i++)
		assert_int_equal(hctx_pathlist_add(l, "d/f%d", i), 0);
}

static void served_reads_equal_direct_ones(void **state)
{
	const struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hctx_pathlist l = { 0 };
	char *buf = malloc(HCTX_READ_CAP + 1), *want = malloc(HCTX_READ_CAP + 1);

	put_files(t);
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	hostctx_root_set_threads(root, 4);
	fill(&l);
	assert_int_equal(hctx_prefetch(root, &l), 0);
	assert_int_equal(l.n, 0);	/* taken */
	assert_non_null(root->prefetch);
	assert_int_equal(root->threads_started, 3);
	for (int i = 0; i < NFILES; i++) {
		char rel[64];
		ssize_t got, direct;
		/* a probe's cap on some: larger files give -EFBIG then */
		size_t cap = i % 5 == 0 ? 8 : HCTX_READ_CAP;

		snprintf(rel, sizeof(rel), "d/f%d", i);
		got = hctx_read_file(root, rel, buf, cap);
		direct = hctx_read_file_direct(root, rel, want, cap);
		assert_int_equal(got, direct);
		if (got >= 0)
			assert_memory_equal(buf, want, (size_t)got + 1);
	}
	assert_int_equal(hctx_read_file(root, "d/f7", buf, 64), -ENOENT);
	hctx_prefetch_drop(root);
	assert_null(root->prefetch);
	hostctx_root_close(root);
	free(buf);
	free(want);
}

/* A read out of the list's order is made afresh, and the rest still served. */
static void reads_out_of_order_are_read_afresh(void **state)
{
	const struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hctx_pathlist l = { 0 };
	char buf[64];

	put_files(t);
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	hostctx_root_set_threads(root, 2);
	fill(&l);
	assert_int_equal(hctx_prefetch(root, &l), 0);
	/* the file changes after the prefetch: a fresh read sees it */
	put(t, "d/f5", "changed\n");
	assert_int_equal(hctx_read_file(root, "d/f5", buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "changed\n");
	/* the next in order is still served (f0 is from before any change) */
	put(t, "d/f0", "changed too\n");
	assert_int_equal(hctx_read_file(root, "d/f0", buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "value 0\n");
	hostctx_root_close(root);	/* drops what is left */
}

static void no_threads_no_prefetch(void **state)
{
	const struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hctx_pathlist l = { 0 };

	put_files(t);
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	fill(&l);	/* threads left at the default: none */
	assert_int_equal(hctx_prefetch(root, &l), 0);
	assert_null(root->prefetch);
	assert_int_equal(l.n, 0);
	hostctx_root_set_threads(root, 8);
	cpus_allowed = 1;
	fill(&l);	/* one CPU to run on */
	assert_int_equal(hctx_prefetch(root, &l), 0);
	assert_null(root->prefetch);
	cpus_allowed = 8;
	assert_int_equal(hctx_pathlist_add(&l, "d/f1"), 0);
	assert_int_equal(hctx_prefetch(root, &l), 0);	/* too short a list */
	assert_null(root->prefetch);
	assert_int_equal(root->threads_started, 0);
	hostctx_root_close(root);
}


/* A big host: 512 CPUs, a policy each, governors and limits. */
static void put_big_host(const struct tree *t)
{
	char rel[128], text[32];

	put_quick(t, CPU "/online", "0-511\n");
	put_quick(t, CPU "/possible", "0-511\n");
	for (int c = 0; c < 512; c++) {
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_governor", c);
		put_quick(t, rel, c % 3 ? "performance\n" : "schedutil\n");
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/affected_cpus", c);
		snprintf(text, sizeof(text), "%d\n", c);
		put_quick(t, rel, text);
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_max_freq", c);
		snprintf(text, sizeof(text), "%d\n", 3000000 + (c % 7) * 100000);
		put_quick(t, rel, text);
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_min_freq", c);
		put_quick(t, rel, "800000\n");
		if (c != 100) {	/* one CPU without EPP: its own path is tried */
			snprintf(rel, sizeof(rel),
				 CPU "/cpufreq/policy%d/energy_performance_preference", c);
			put_quick(t, rel, c % 2 ? "balance_performance\n" : "performance\n");
		}
		snprintf(rel, sizeof(rel), CPU "/cpu%d/uevent", c);	/* makes the directory */
		put_quick(t, rel, "");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/cpufreq", c);
		snprintf(text, sizeof(text), "../cpufreq/policy%d", c);
		link_at(t, rel, text);
	}
}

static char *snap_text(const struct tree *t, unsigned threads, unsigned *started)
{
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	char *text = NULL;

	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	hostctx_root_set_threads(root, threads);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
	*started = root->threads_started;
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
	return text;
}

static void big_host_same_with_threads(void **state)
{
	const struct tree *t = *state;
	unsigned none, some;
	char *alone, *threaded;
	cJSON *doc;

	put_big_host(t);
	alone = snap_text(t, 1, &none);
	threaded = snap_text(t, 8, &some);
	assert_int_equal(none, 0);
	assert_true(some >= 6);	/* governors, affected_cpus, min, max, EPP: 7 each */
	assert_string_equal(alone, threaded);
	doc = snap(t);
	assert_field(doc, "cpufreq_min_khz", "{\"0-511\":800000}");
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "cpufreq_governor"), "511"));
	cJSON_Delete(doc);
	free(alone);
	free(threaded);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(served_reads_equal_direct_ones),
		T(reads_out_of_order_are_read_afresh),
		T(no_threads_no_prefetch),
		T(big_host_same_with_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
