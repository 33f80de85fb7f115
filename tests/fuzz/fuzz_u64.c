/* SPDX-License-Identifier: MIT */
/*
 * The strict decimal parser.  Oracle: it accepts exactly the non-empty
 * all-digit strings that fit in 64 bits, with strtoull's value.
 */
#include "fuzz.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *copy;
	uint64_t v = 0;
	bool digits = size > 0;
	int r = hctx_parse_u64(s, size, &v);

	for (size_t i = 0; i < size; i++)
		digits = digits && s[i] >= '0' && s[i] <= '9';
	if (!digits) {
		FUZZ_CHECK(r < 0);
		return 0;
	}
	copy = strndup(s, size);
	FUZZ_CHECK(copy);
	errno = 0;
	unsigned long long want = strtoull(copy, NULL, 10);
	if (errno == ERANGE)
		FUZZ_CHECK(r < 0);
	else
		FUZZ_CHECK(r == 0 && v == want);
	free(copy);
	return 0;
}
