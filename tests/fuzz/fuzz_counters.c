/* SPDX-License-Identifier: MIT */
/*
 * The counters', caches' and cgroup's parsers: proc/stat, proc/vmstat,
 * proc/pressure, cache sizes, proc/self/cgroup, mountinfo, cpu.max,
 * status files, /proc/PID/stat (a record's process).  Oracles: what is found is in range and the parsers
 * agree with themselves (a column count within the limit, a cgroup
 * directory that starts with its mount point), and the vmstat parser
 * finds what a plain line-by-line search finds.
 */
#include "fuzz.h"

static const char *const vmstat_names[] = { "pswpin", "pgfault", "oom_kill", "pswpin", "x" };
#define N_NAMES (sizeof(vmstat_names) / sizeof(vmstat_names[0]))

/* The obvious search: each line's key against every name not yet found. */
static void vmstat_plainly(const char *text, size_t size, uint64_t *v, bool *found)
{
	const char *end = text + size;

	memset(found, 0, N_NAMES * sizeof(*found));
	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *sp = memchr(s, ' ', (size_t)(e - s));

		for (size_t i = 0; sp && i < N_NAMES; i++) {
			size_t len = strlen(vmstat_names[i]);
			uint64_t x = 0;
			const char *p = sp;
			bool ok = true;
			size_t digits = 0;

			if (found[i] || len < 2 || (size_t)(sp - s) != len ||
			    memcmp(s, vmstat_names[i], len) != 0)
				continue;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			for (; ok && p < e && *p >= '0' && *p <= '9'; p++, digits++) {
				ok = x <= (UINT64_MAX - (uint64_t)(*p - '0')) / 10;
				x = x * 10 + (uint64_t)(*p - '0');
			}
			/* a whole number: then the line's end, a blank or CR */
			found[i] = ok && digits > 0 &&
				   (p == e || *p == ' ' || *p == '\t' || *p == '\r');
			v[i] = x;
			break;
		}
		s = e + 1;
	}
}

static void stat_and_vmstat(const char *text, size_t size)
{
	uint64_t cols[10], v[N_NAMES], want[N_NAMES];
	bool found[N_NAMES], want_found[N_NAMES];
	size_t n = 0;
	struct hctx_pressure p;

	if (hctx_parse_stat_cpu(text, size, cols, 10, &n) == 0)
		FUZZ_CHECK(n >= 1 && n <= 10);
	(void)hctx_parse_stat_counter(text, size, "ctxt", &v[0]);
	FUZZ_OK(hctx_parse_vmstat(text, size, vmstat_names, N_NAMES, v, found));
	vmstat_plainly(text, size, want, want_found);
	for (size_t i = 0; i < N_NAMES; i++) {
		FUZZ_CHECK(found[i] == want_found[i]);
		FUZZ_CHECK(!found[i] || v[i] == want[i]);
	}
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
