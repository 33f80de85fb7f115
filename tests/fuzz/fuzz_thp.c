/* SPDX-License-Identifier: MIT */
/*
 * The THP policy's active word ("always [madvise] never").  Oracle: the
 * span lies between the first '[' and the first ']' after it.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);	/* the API takes C strings */
	const char *start = NULL, *open_b, *close_b;
	size_t len = 0;

	FUZZ_CHECK(s);
	open_b = strchr(s, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (hostctx_bracketed_active(s, &start, &len)) {
		FUZZ_CHECK(open_b && close_b);
		FUZZ_CHECK(start == open_b + 1);
		FUZZ_CHECK(start + len == close_b);
	} else {
		FUZZ_CHECK(!open_b || !close_b);
	}
	free(s);
	return 0;
}
