/* SPDX-License-Identifier: MIT */
/*
 * cpu_caches on synthetic trees: hybrid cores with their own L1/L2, AMD
 * modules sharing an L1i, shared lists naming offline CPUs, indexes
 * missing a required file, "M" sizes, links where directories belong;
 * and the size and type parsers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#define TREE_PREFIX "hctx-caches"
#define TREE_GROUPS "caches"
#include "tree_fixture.h"

static void cache(const struct tree *t, int cpu, int index, const char *level,
		  const char *type, const char *size, const char *shared, const char *ways)
{
	char rel[160];
	static const char *const names[] = { "level", "type", "size", "shared_cpu_list",
					     "ways_of_associativity", "coherency_line_size" };
	const char *values[] = { level, type, size, shared, ways, "64" };

	for (size_t i = 0; i < 6; i++) {
		char text[64];

		if (!values[i])
			continue;
		snprintf(rel, sizeof(rel), CPU "/cpu%d/cache/index%d/%s", cpu, index, names[i]);
		snprintf(text, sizeof(text), "%s\n", values[i]);
		put(t, rel, text);
	}
}

/* Two P cores with SMT siblings (0-1, 2-3) and two E cores (4, 5). */
static void hybrid_cores(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/online", "0-5\n");
	for (int c = 0; c < 4; c++) {
		const char *sib = c < 2 ? "0-1" : "2-3";

		cache(t, c, 0, "1", "Data", "48K", sib, "12");
		cache(t, c, 1, "1", "Instruction", "32K", sib, "8");
		cache(t, c, 2, "2", "Unified", "1280K", sib, "10");
		cache(t, c, 3, "3", "Unified", "24M", "0-5", "12");
	}
	for (int c = 4; c < 6; c++) {
		char self[4];

		snprintf(self, sizeof(self), "%d", c);
		cache(t, c, 0, "1", "Data", "32K", self, "8");
		cache(t, c, 1, "1", "Instruction", "64K", self, "8");
		cache(t, c, 2, "2", "Unified", "2048K", "4-5", "16");
		cache(t, c, 3, "3", "Unified", "24M", "0-5", "12");
	}
	doc = snap(t);
	assert_field(doc, "cpu_caches",
		"[{\"level\":1,\"type\":\"data\",\"size_kib\":48,\"ways\":12,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":2,\"cpus\":\"0-3\"},"
		"{\"level\":1,\"type\":\"data\",\"size_kib\":32,\"ways\":8,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":1,\"cpus\":\"4-5\"},"
		"{\"level\":1,\"type\":\"instruction\",\"size_kib\":64,\"ways\":8,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":1,\"cpus\":\"4-5\"},"
		"{\"level\":1,\"type\":\"instruction\",\"size_kib\":32,\"ways\":8,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":2,\"cpus\":\"0-3\"},"
		"{\"level\":2,\"type\":\"unified\",\"size_kib\":2048,\"ways\":16,\"line_bytes\":64,"
		"\"instances\":1,\"cpus_per_instance\":2,\"cpus\":\"4-5\"},"
		"{\"level\":2,\"type\":\"unified\",\"size_kib\":1280,\"ways\":10,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":2,\"cpus\":\"0-3\"},"
		"{\"level\":3,\"type\":\"unified\",\"size_kib\":24576,\"ways\":12,\"line_bytes\":64,"
		"\"instances\":1,\"cpus_per_instance\":6,\"cpus\":\"0-5\"}]");
	cJSON_Delete(doc);
}

/*
 * AMD modules: two cores share an L1i only, so both are visited; a
 * shared list naming an offline CPU counts as written; an index without
 * a size is skipped; a link where an index directory belongs is not
 * followed; ways 0 is left out.
 */
static void modules_offline_and_junk(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/online", "0-1\n");
	for (int c = 0; c < 2; c++) {
		char self[4];

		snprintf(self, sizeof(self), "%d", c);
		cache(t, c, 0, "1", "Data", "16K", self, "4");
		cache(t, c, 1, "1", "Instruction", "64K", "0-1", "2");
		cache(t, c, 2, "2", "Unified", "2M", "0-3", "0");	/* 2, 3 offline */
		cache(t, c, 3, "3", "Unified", NULL, "0-3", "16");	/* no size */
	}
	cache(t, 0, 9, "4", "Unified", "64M", "0-1", "16");
	link_at(t, CPU "/cpu1/cache/index7", "../../cpu0/cache/index9");
	doc = snap(t);
	assert_field(doc, "cpu_caches",
		"[{\"level\":1,\"type\":\"data\",\"size_kib\":16,\"ways\":4,\"line_bytes\":64,"
		"\"instances\":2,\"cpus_per_instance\":1,\"cpus\":\"0-1\"},"
		"{\"level\":1,\"type\":\"instruction\",\"size_kib\":64,\"ways\":2,\"line_bytes\":64,"
		"\"instances\":1,\"cpus_per_instance\":2,\"cpus\":\"0-1\"},"
		"{\"level\":2,\"type\":\"unified\",\"size_kib\":2048,\"line_bytes\":64,"
		"\"instances\":1,\"cpus_per_instance\":4,\"cpus\":\"0-1\"},"
		"{\"level\":4,\"type\":\"unified\",\"size_kib\":65536,\"ways\":16,\"line_bytes\":64,"
		"\"instances\":1,\"cpus_per_instance\":2,\"cpus\":\"0-1\"}]");
	cJSON_Delete(doc);
}

static void no_cache_directories(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/online", "0-1\n");
	put(t, CPU "/cpu0/online", "1\n");
	doc = snap(t);
	assert_field(doc, "cpu_caches", NULL);
	cJSON_Delete(doc);
}

static void size_and_type_parsers(void **state)
{
	unsigned long kib = 0;
	char type[16];

	(void)state;
	assert_int_equal(hctx_parse_cache_size("32K", &kib), 0);
	assert_int_equal(kib, 32);
	assert_int_equal(hctx_parse_cache_size("2M", &kib), 0);
	assert_int_equal(kib, 2048);
	assert_int_equal(hctx_parse_cache_size("32", &kib), -EINVAL);
	assert_int_equal(hctx_parse_cache_size("32KB", &kib), -EINVAL);
	assert_int_equal(hctx_parse_cache_size("-32K", &kib), -EINVAL);
	assert_int_equal(hctx_parse_cache_size("", &kib), -EINVAL);
	assert_int_equal(hctx_parse_cache_size("99999999999999999999999K", &kib), -ERANGE);
	assert_int_equal(hctx_cache_type("Instruction", type, sizeof(type)), 0);
	assert_string_equal(type, "instruction");
	assert_int_equal(hctx_cache_type("", type, sizeof(type)), -EINVAL);
	assert_int_equal(hctx_cache_type("AVeryLongTypeName", type, sizeof(type)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hybrid_cores, setup, teardown),
		cmocka_unit_test_setup_teardown(modules_offline_and_junk, setup, teardown),
		cmocka_unit_test_setup_teardown(no_cache_directories, setup, teardown),
		cmocka_unit_test(size_and_type_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
