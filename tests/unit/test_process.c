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
#include <stdio.h>
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

/* This VM's layout: hybrid, cgroup2 in a "unified" subdirectory. */
static void cgroup_location(void **state)
{
	static const char cg[] = "9:name=systemd:/\n4:memory:/process_api/62378c8d\n"
				 "1:cpu,cpuacct:/\n0::/job/7\n";
	static const char mi[] =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
		"35 31 0:32 /process_api /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n"
		"36 31 0:33 /other / rw - cgroup2 cgroup2 rw\n"
		"37 31 0:34 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	char *path = NULL, *dir = NULL, *mount = NULL;
	bool v1 = false;
	double share = 0;

	(void)state;
	assert_int_equal(hctx_cgroup_path(cg, sizeof(cg) - 1, "", &path, &v1), 0);
	assert_string_equal(path, "/job/7");
	assert_true(v1);
	/* the first cgroup2 mount whose root is a prefix of the path */
	assert_int_equal(hctx_cgroup_dir(mi, sizeof(mi) - 1, "cgroup2", "", path, &dir, &mount), 0);
	assert_string_equal(dir, "/sys/fs/cgroup/unified/job/7");
	assert_string_equal(mount, "/sys/fs/cgroup/unified");
	free(path);
	free(dir);
	free(mount);
	/* v1: the memory hierarchy, its root cut off, an escaped space decoded */
	assert_int_equal(hctx_cgroup_path(cg, sizeof(cg) - 1, "memory", &path, &v1), 0);
	assert_int_equal(hctx_cgroup_dir(mi, sizeof(mi) - 1, "cgroup", "memory", path, &dir,
					 &mount), 0);
	assert_string_equal(dir, "/sys/fs/cgroup/mem ory/62378c8d");
	free(path);
	free(dir);
	free(mount);
	assert_int_equal(hctx_cgroup_path(cg, sizeof(cg) - 1, "cpuacct", &path, &v1), 0);
	assert_string_equal(path, "/");
	free(path);
	assert_int_equal(hctx_cgroup_path("4:memory:/x\n", 12, "", &path, &v1), -ENOENT);
	assert_true(hctx_list_has("rw,cpu,cpuacct", 14, "cpu"));
	assert_false(hctx_list_has("rw,cpuacct", 10, "cpu"));
	assert_int_equal(hctx_cpu_max_share("200000 100000", &share), 0);
	assert_true(share == 2.0);
	assert_int_equal(hctx_cpu_max_share("max 100000", &share), 0);
	assert_true(share < 0);
	assert_int_equal(hctx_cpu_max_share("junk", &share), -EINVAL);
	assert_int_equal(hctx_cpu_max_share("100 0", &share), -EINVAL);
}

/* Live: this process's cgroup has a version, and never its path. */
static void cgroup_live(void **state)
{
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	const char *version = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(hostctx_root_open(NULL, &root), 0);
	assert_int_equal(hostctx_root_select(root, "cgroup"), 0);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	hostctx_root_close(root);
	if (hostctx_snapshot_type(s, "cgroup") != HOSTCTX_TYPE_ABSENT) {
		assert_int_equal(hostctx_snapshot_get_string(s, "cgroup.version", &version), 0);
		assert_true(strcmp(version, "v1") == 0 || strcmp(version, "v2") == 0 ||
			    strcmp(version, "hybrid") == 0);
		assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
		assert_null(strstr(text, "\"/"));	/* no path at all */
		free(text);
	}
	hostctx_snapshot_free(s);
}

/* process.rlimits: every resource as getrlimit says, a changed one followed. */
static void rlimits_match_getrlimit(void **state)
{
	static const struct { const char *name; int resource; } some[] = {
		{ "nofile", RLIMIT_NOFILE }, { "core", RLIMIT_CORE }, { "stack", RLIMIT_STACK },
		{ "as", RLIMIT_AS }, { "rttime", RLIMIT_RTTIME },
	};
	struct rlimit saved, lowered;
	struct hostctx_snapshot *s;
	const char **names = NULL;
	size_t n = 0;
	char path[64];
	uint64_t v;

	(void)state;
	s = take(NULL);
	assert_int_equal(hostctx_snapshot_keys(s, "process.rlimits", &names, &n), 0);
	assert_int_equal(n, 16);
	free(names);
	for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		struct rlimit rl;

		assert_int_equal(getrlimit(some[i].resource, &rl), 0);
		snprintf(path, sizeof(path), "process.rlimits.%s.soft", some[i].name);
		assert_int_equal(hostctx_snapshot_get_u64(s, path, &v), 0);
		assert_true(v == (rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur));
		snprintf(path, sizeof(path), "process.rlimits.%s.hard", some[i].name);
		assert_int_equal(hostctx_snapshot_get_u64(s, path, &v), 0);
		assert_true(v == (rl.rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_max));
	}
	/* lower the soft core limit: the next snapshot says so, and a diff names it */
	assert_int_equal(getrlimit(RLIMIT_CORE, &saved), 0);
	lowered = saved;
	lowered.rlim_cur = saved.rlim_max == RLIM_INFINITY || saved.rlim_max > 4096 ? 4096 : saved.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_CORE, &lowered), 0);
	{
		struct hostctx_snapshot *t = take(NULL);
		struct hostctx_changes *c = NULL;
		char *json = NULL;

		assert_int_equal(hostctx_snapshot_get_u64(t, "process.rlimits.core.soft", &v), 0);
		assert_true(v == (uint64_t)lowered.rlim_cur);
		assert_int_equal(hostctx_diff(s, t, &c), 0);
		if (lowered.rlim_cur != saved.rlim_cur) {
			assert_int_equal(hostctx_changes_count(c), 1);
			assert_string_equal(hostctx_change_field(c, 0), "process.rlimits.core.soft");
		}
		hostctx_changes_free(c);
		/* unlimited is written as the word, and reads back */
		assert_int_equal(hostctx_snapshot_to_json(t, &json, NULL), 0);
		if (saved.rlim_max == RLIM_INFINITY)
			assert_non_null(strstr(json, "\"hard\": \"unlimited\""));
		free(json);
		hostctx_snapshot_free(t);
	}
	assert_int_equal(setrlimit(RLIMIT_CORE, &saved), 0);
	hostctx_snapshot_free(s);
}

/* The limit kind in JSON: a number or "unlimited", nothing else. */
static void limits_in_json(void **state)
{
	static const char *const bad[] = {
		"{\"process\": {\"rlimits\": {\"nofile\": {\"soft\": \"infinite\"}}}}",
		"{\"process\": {\"rlimits\": {\"nofile\": {\"soft\": -1}}}}",
		"{\"process\": {\"rlimits\": {\"nofile\": {\"soft\": 18446744073709551615}}}}",
		"{\"process\": {\"rlimits\": {\"nofile\": {\"soft\": true}}}}",
	};
	const char *good = "{\"process\": {\"rlimits\": {\"nofile\": {\"soft\": 1024, "
			   "\"hard\": \"unlimited\"}}}}";
	struct hostctx_document *d = NULL;
	struct hostctx_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(hostctx_document_parse(good, strlen(good), &d, &err), 0);
	assert_int_equal(hostctx_snapshot_get_u64(hostctx_document_snapshot(d),
						  "process.rlimits.nofile.hard", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hostctx_snapshot_get_u64(hostctx_document_snapshot(d),
						  "process.rlimits.nofile.soft", &v), 0);
	assert_true(v == 1024);
	hostctx_document_free(d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = NULL;
		assert_int_equal(hostctx_document_parse(bad[i], strlen(bad[i]), &d, &err), -EINVAL);
		assert_non_null(strstr(err.message, "process.rlimits.nofile.soft"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_matches_the_process),
		cmocka_unit_test(rlimits_match_getrlimit),
		cmocka_unit_test(limits_in_json),
		cmocka_unit_test(omitted_under_a_root),
		cmocka_unit_test(status_values),
		cmocka_unit_test(cgroup_location),
		cmocka_unit_test(cgroup_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
