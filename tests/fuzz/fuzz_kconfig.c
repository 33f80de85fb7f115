/* SPDX-License-Identifier: MIT */
/*
 * kconfig text.  Oracle: the whole text says ON when a line says ON,
 * else OFF when a line says OFF, else UNKNOWN ("=y" anywhere wins, as
 * in the reference), lines cut at '\n' and read one by one.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size;
	bool on = false, off = false;
	enum hctx_xacct want;

	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		enum hctx_xacct v = hctx_kconfig_line_xacct(line, n);

		FUZZ_CHECK(v == HCTX_XACCT_ABSENT || v == HCTX_XACCT_ON ||
			   v == HCTX_XACCT_OFF);
		on = on || v == HCTX_XACCT_ON;
		off = off || v == HCTX_XACCT_OFF;
		line += n + 1;
	}
	want = on ? HCTX_XACCT_ON : off ? HCTX_XACCT_OFF : HCTX_XACCT_UNKNOWN;
	FUZZ_CHECK(hctx_parse_kconfig_xacct(text, size) == want);
	return 0;
}
