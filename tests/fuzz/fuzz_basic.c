/* SPDX-License-Identifier: MIT */
/*
 * The parsers of the basic fields (lib/parse_basic.c): boot_id, the
 * uptime and loadavg gauges, cpulist files, normalised text.  Oracles:
 * a gauge is finite and not negative; a cpulist comes out canonical
 * (parsing it again gives it back); normalised text has no blank at its
 * ends and no two blanks in a row; a boot_id is 36 bytes.
 */
#include "fuzz.h"

#include <math.h>

static void gauges(const char *text, size_t size)
{
	struct hctx_loadavg la;
	double d;

	if (hctx_parse_uptime(text, size, &d) == 0)
		FUZZ_CHECK(isfinite(d) && d >= 0);
	if (hctx_parse_loadavg(text, size, &la) == 0) {
		for (int i = 0; i < 3; i++)
			FUZZ_CHECK(isfinite(la.avg[i]) && la.avg[i] >= 0);
	}
	if (hctx_parse_gauge(text, size, &d) == 0)
		FUZZ_CHECK(isfinite(d) && d >= 0);
}

static void cpulist(const char *text, size_t size, bool null_is_empty)
{
	char *list = NULL, *again = NULL;

	if (hctx_parse_cpulist_text(text, size, null_is_empty, &list) < 0)
		return;
	FUZZ_OK(hctx_parse_cpulist_text(list, strlen(list), false, &again));
	FUZZ_CHECK(strcmp(list, again) == 0);
	free(again);
	free(list);
}

static void normalised(const char *text, size_t size)
{
	char *s = NULL;
	size_t n;

	if (hctx_parse_normalised(text, size, &s) < 0)
		return;
	n = strlen(s);
	FUZZ_CHECK(n == 0 || (s[0] != ' ' && s[n - 1] != ' '));
	FUZZ_CHECK(!strstr(s, "  "));
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	if (hctx_is_boot_id(text, size))
		FUZZ_CHECK(size == 36);
	gauges(text, size);
	cpulist(text, size, false);
	cpulist(text, size, true);
	normalised(text, size);
	return 0;
}
