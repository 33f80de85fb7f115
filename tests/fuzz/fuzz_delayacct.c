/* SPDX-License-Identifier: MIT */
/*
 * task_delayacct: the trimmed value and its reading.  Oracle: trimming
 * gives a non-empty substring without blanks at its ends, valid UTF-8,
 * and the value reads as one of task_delayacct's JSON names.
 */
#include "fuzz.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' ||
	       c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = NULL;
	const char *v;
	int r = hctx_parse_trimmed((const char *)data, size, &value);

	if (r == 0) {
		size_t n = strlen(value);

		FUZZ_CHECK(n > 0 && n <= size);
		FUZZ_CHECK(!blank(value[0]) && !blank(value[n - 1]));
		FUZZ_CHECK(hctx_is_utf8(value, n));
		FUZZ_CHECK(memmem(data, size, value, n) != NULL);
	}
	v = hctx_delayacct_from_value(value);
	FUZZ_CHECK(strcmp(v, "config_off") == 0 || strcmp(v, "runtime_off") == 0 ||
		   strcmp(v, "on") == 0);
	FUZZ_CHECK(strcmp(v, "config_off") != 0 || value == NULL);
	free(value);
	return 0;
}
