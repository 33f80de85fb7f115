/* SPDX-License-Identifier: MIT */
/*
 * The counters', caches' and cgroup's parsers: proc/stat, proc/vmstat,
 * proc/pressure, cache sizes, proc/self/cgroup, mountinfo, cpu.max,
 * status files, /proc/PID/stat (a record's process).  Oracles: what is found is in range and the parsers
 * agree with themselves (a column count within the limit, a cgroup
 * directory that starts with its mount point).
 */
#include "fuzz.h"

static void stat_and_vmstat(const char *text, size_t size)
{
	static const char *const names[] = { "pswpin", "pgfault", "oom_kill" };
	uint64_t cols[10], v[3];
	bool found[3];
	size_t n = 0;
	struct hctx_pressure p;

	if (hctx_parse_stat_cpu(text, size, cols, 10, &n) == 0)
		FUZZ_CHECK(n >= 1 && n <= 10);
	(void)hctx_parse_stat_counter(text, size, "ctxt", &v[0]);
	FUZZ_OK(hctx_parse_vmstat(text, size, names, 3, v, found));
	if (hctx_parse_pressure(text, size, &p) == 0) {
		FUZZ_CHECK(p.line[0].present || p.line[1].present);
		for (int k = 0; k < 2; k++)
			for (int a = 0; a < 3; a++)
				FUZZ_CHECK(p.line[k].avg[a] >= 0);
	}
}

static void cgroup(const char *text, size_t size)
{
	char *path = NULL, *dir = NULL, *mount = NULL, *status = NULL;
	unsigned long kib;
	bool v1;
	double share;

	if (hctx_cgroup_path(text, size, "", &path, &v1) == 0) {
		if (hctx_cgroup_dir(text, size, "cgroup2", "", path, &dir, &mount) == 0) {
			FUZZ_CHECK(strncmp(dir, mount, strlen(mount)) == 0);
			free(dir);
			free(mount);
		}
		free(path);
	}
	if (hctx_status_value(text, size, "Mems_allowed_list", &status) == 0)
		free(status);
	if (memchr(text, '\0', size)) {
		(void)hctx_parse_cache_size(text, &kib);
		if (hctx_cpu_max_share(text, &share) == 0)
			FUZZ_CHECK(share == -1 || share >= 0);
	}
}

/* /proc/PID/stat: found only with a ')' in the text, and never past size. */
static void pid_stat(const char *text, size_t size)
{
	uint64_t start;
	char state;

	if (hctx_parse_pid_stat(text, size, &state, &start) == 0)
		FUZZ_CHECK(memchr(text, ')', size) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	stat_and_vmstat(text, size);
	pid_stat(text, size);
	cgroup(text, size);
	return 0;
}
