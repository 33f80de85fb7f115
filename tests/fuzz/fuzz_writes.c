/* SPDX-License-Identifier: MIT */
/*
 * Write attribution's pure parts (lib/writes.c): /proc/PID/stat's comm
 * and parent, and the path to field table.  Oracles: a parsed comm is
 * NUL-terminated within its buffer and the text had both parentheses;
 * a path that names a field is watched, and touches that field.
 */
#include "fuzz.h"
#include "writes.h"

static void stat_comm_ppid(const char *text, size_t size)
{
	char comm[16];
	long ppid = -1;

	if (hctx_parse_stat_comm_ppid(text, size, comm, sizeof(comm), &ppid) != 0)
		return;
	FUZZ_CHECK(memchr(comm, '\0', sizeof(comm)) != NULL);
	FUZZ_CHECK(ppid >= 0);
	FUZZ_CHECK(memchr(text, '(', size) && memchr(text, ')', size));
}

static void path_field(const char *text, size_t size)
{
	char *path = strndup(text, size), field[HCTX_PATH_MAX];
	const char *rel;

	FUZZ_CHECK(path);
	for (rel = path; *rel == '/'; rel++)
		;
	if (hostctx_write_source_field(path, field, sizeof(field)) == 0) {
		FUZZ_CHECK(hctx_write_is_watched(rel));
		FUZZ_CHECK(hostctx_write_touches(path, field));
	}
	(void)hostctx_write_touches(path, "cpufreq_max_khz.cpu0-3,7");
	(void)hostctx_write_touches("/sys/devices/system/cpu/cpu3/cpufreq/scaling_max_freq", path);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	stat_comm_ppid(text, size);
	path_field(text, size);
	return 0;
}
