/* SPDX-License-Identifier: MIT */
/*
 * The process field: live only, and what it says matches what this
 * process can ask itself; the status-file parser on real and malformed
 * text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static struct hostctx_snapshot *take(const char *dir)
{
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_root_open(dir, &root), 0);
	assert_int_equal(hostctx_root_select(root, "process"), 0);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	hostctx_root_close(root);
	return s;
}

static void live_matches_the_process(void **state)
{
	struct hostctx_snapshot *s = take(NULL);
	const char *aff = NULL, *policy = NULL;
	struct hctx_cpuset set = { 0 };
	cpu_set_t mask;
	char *want = NULL;
	int64_t nice = 99;
	bool aslr = true;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(mask), &mask), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mask))
			assert_int_equal(hctx_cpuset_add(&set, (unsigned)c), 0);
	assert_int_equal(hctx_cpulist_format(&set, &want), 0);
	assert_int_equal(hostctx_snapshot_get_string(s, "process.affinity", &aff), 0);
	assert_string_equal(aff, want);
	assert_int_equal(hostctx_snapshot_get_s64(s, "process.nice", &nice), 0);
	errno = 0;
	assert_int_equal(nice, getpriority(PRIO_PROCESS, 0));
	assert_int_equal(hostctx_snapshot_get_string(s, "process.sched_policy", &policy), 0);
	assert_string_equal(policy, "other");
	assert_int_equal(hostctx_snapshot_get_bool(s, "process.aslr_disabled", &aslr), 0);
	assert_non_null(hostctx_snapshot_type(s, "process.mems_allowed") == HOSTCTX_TYPE_STRING ?
			"ok" : NULL);
	free(want);
	hctx_cpuset_clear(&set);
	hostctx_snapshot_free(s);
}

static void omitted_under_a_root(void **state)
{
	char dir[] = "/tmp/hctx-process-XXXXXX";
	struct hostctx_snapshot *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	s = take(dir);
	assert_int_equal(hostctx_snapshot_type(s, "process"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_why(s, "process", NULL), ENOENT);
	hostctx_snapshot_free(s);
	rmdir(dir);
}

static void status_values(void **state)
{
	static const char status[] = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n"
				     "Cpus_allowed_list:\t0-1\nMems_allowed:\t00000000,00000001\n"
				     "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t150\n";
	char *v = NULL;

	(void)state;
	assert_int_equal(hctx_status_value(status, sizeof(status) - 1, "Mems_allowed_list", &v), 0);
	assert_string_equal(v, "0");
	free(v);
	/* a key is matched whole, not as a prefix */
	assert_int_equal(hctx_status_value(status, sizeof(status) - 1, "Mems_allowed", &v), 0);
	assert_string_equal(v, "00000000,00000001");
	free(v);
	assert_int_equal(hctx_status_value(status, sizeof(status) - 1, "Mems", &v), -ENOENT);
	assert_int_equal(hctx_status_value("", 0, "Name", &v), -ENOENT);
	assert_int_equal(hctx_status_value("Name:", 5, "Name", &v), -ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_matches_the_process),
		cmocka_unit_test(omitted_under_a_root),
		cmocka_unit_test(status_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
