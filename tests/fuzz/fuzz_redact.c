/* SPDX-License-Identifier: MIT */
/*
 * --redact's kernel command line rewrite.  Oracles: the result fits the
 * buffer it was given, holds no UUID and no " -- ", and redacting it
 * again changes nothing.
 */
#include "fuzz.h"

static bool has_uuid(const char *s)
{
	for (size_t n = strlen(s); n >= 36; s++, n--)
		if (hctx_uuid_at(s))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	char *once, *twice;

	if (!text)
		return 0;
	once = hctx_redact_cmdline_text(text);
	if (once) {
		FUZZ_CHECK(strlen(once) <= 5 * strlen(text));
		FUZZ_CHECK(!strstr(once, " -- "));
		FUZZ_CHECK(!has_uuid(once));
		twice = hctx_redact_cmdline_text(once);
		FUZZ_CHECK(!twice || strcmp(once, twice) == 0);
		free(twice);
	}
	free(once);
	free(text);
	return 0;
}
