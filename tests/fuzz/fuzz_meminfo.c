/* SPDX-License-Identifier: MIT */
/*
 * /proc/meminfo's keys.  Oracle: the one-pass scan of several keys
 * agrees with asking for each key alone, and a key found has a value.
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"MemTotal", "HugePages_Total", "HugePages_Free", "Hugepagesize",
		"SwapTotal", "MemAvailable",
	};
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	uint64_t values[N] = { 0 };
	int found[N];

	FUZZ_OK(hctx_meminfo_scan((const char *)data, size, keys, N, values, found));
	for (size_t i = 0; i < N; i++) {
		uint64_t alone = 0;
		int r = hctx_meminfo_value((const char *)data, size, keys[i], &alone);

		FUZZ_CHECK(r == found[i]);
		FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
		FUZZ_CHECK(r != 0 || alone == values[i]);
	}
	return 0;
}
