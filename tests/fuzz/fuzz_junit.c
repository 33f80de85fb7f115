/* SPDX-License-Identifier: MIT */
/*
 * hostctx junit's rewriter (cli/junit_xml.c) over any bytes.  Oracles:
 * what it accepts and writes it accepts again, and a second rewrite
 * with the same properties gives the same bytes (the idempotence
 * `hostctx junit` promises).  Built without libxml2, it tests nothing.
 */
#include "fuzz.h"

#include "../../cli/junit.h"

/* The messages of refused inputs are not findings: not printed. */
void cli_error(const char *fmt, ...)
{
}

void cli_file_error(const char *name, const char *fmt, ...)
{
}

#ifdef HAVE_LIBXML
/* Values that need escaping, invalid UTF-8, a control character. */
static struct junit_property items[] = {
	{ (char *)"hostctx.kernel", (char *)"6.1.0-13-amd64" },
	{ (char *)"hostctx.cpu_model", (char *)"AMD <EPYC> & \"Intel\" 'x'" },
	{ (char *)"hostctx.governor", (char *)"bad \xff\xfe utf-8 \x01 \xe2\x82" },
	{ (char *)"hostctx.exit", (char *)"" },
};
static const struct junit_properties props = { items, sizeof(items) / sizeof(items[0]) };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *once = NULL, *twice = NULL;
	size_t n_once = 0, n_twice = 0;

	if (junit_rewrite((const char *)data, size, "fuzz", &props, &once, &n_once) < 0)
		return 0;
	FUZZ_CHECK(junit_rewrite(once, n_once, "fuzz", &props, &twice, &n_twice) == 0);
	FUZZ_CHECK(n_once == n_twice && memcmp(once, twice, n_once) == 0);
	free(once);
	free(twice);
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}
#endif
