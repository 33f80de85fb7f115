/* SPDX-License-Identifier: MIT */
/*
 * /proc/cpuinfo: the first block's end and its three fields.  Oracle: the
 * block end lies within the text, and the fields parsed from the text
 * cut there are the fields of the whole text.
 */
#include "fuzz.h"

static void parse(const char *text, size_t len, char **model, char **vendor,
		  char **microcode)
{
	*model = *vendor = *microcode = NULL;
	(void)hctx_parse_cpuinfo(text, len, model, vendor, microcode);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t end = hctx_cpuinfo_first_block_end(text, size);
	char *model, *vendor, *microcode, *cut_model, *cut_vendor, *cut_microcode;

	FUZZ_CHECK(end <= size);
	parse(text, size, &model, &vendor, &microcode);
	if (end > 0) {
		parse(text, end, &cut_model, &cut_vendor, &cut_microcode);
		FUZZ_CHECK(same(model, cut_model));
		FUZZ_CHECK(same(vendor, cut_vendor));
		FUZZ_CHECK(same(microcode, cut_microcode));
		free(cut_model);
		free(cut_vendor);
		free(cut_microcode);
	}
	free(model);
	free(vendor);
	free(microcode);
	return 0;
}
