/* SPDX-License-Identifier: MIT */
/*
 * The cpumask parser ("00000000,0000ff0f").  Oracle: every member is
 * below 32 bits times the number of words, next() and count() agree.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hctx_cpuset set = { 0 };
	size_t words = 1, seen = 0;

	if (hctx_parse_cpumask((const char *)data, size, &set) == 0) {
		for (size_t i = 0; i < size; i++)
			words += data[i] == ',';
		for (long id = hctx_cpuset_next(&set, 0); id >= 0;
		     id = hctx_cpuset_next(&set, (unsigned)id + 1)) {
			FUZZ_CHECK((size_t)id < 32 * words);
			seen++;
		}
		FUZZ_CHECK(seen == hctx_cpuset_count(&set));
	}
	hctx_cpuset_clear(&set);
	return 0;
}
