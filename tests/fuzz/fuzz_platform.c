/* SPDX-License-Identifier: MIT */
/*
 * The platform fields' parsers (lib/parse_platform.c): os-release(5)
 * and the hypervisor probes' texts.  Oracles: every os-release value
 * found is valid UTF-8 without a newline; a probe answers with one of
 * its documented names or nothing.
 */
#include "fuzz.h"

static const char *const keys[] = { "ID", "VERSION_ID", "PRETTY_NAME", "VERSION_CODENAME" };

static bool is_name(const char *v, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(v, *names) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sysinfo_names[] = { "kvm", "zvm", "lpar", NULL };
	static const char *const dt_names[] = { "kvm", "none", NULL };
	const char *text = (const char *)data;
	char *values[4] = { 0 };
	const char *v;

	if (hctx_parse_os_release(text, size, keys, 4, values) == 0) {
		for (size_t k = 0; k < 4; k++) {
			if (!values[k])
				continue;
			FUZZ_CHECK(!strchr(values[k], '\n'));
			FUZZ_CHECK(hctx_is_utf8(values[k], strlen(values[k])));
		}
	}
	for (size_t k = 0; k < 4; k++)
		free(values[k]);
	FUZZ_CHECK(is_name(hctx_hypervisor_of_sysinfo(text, size), sysinfo_names));
	v = hctx_hypervisor_of_compatible(text, size);
	FUZZ_CHECK(!v || is_name(v, dt_names));
	(void)hctx_cpuinfo_has_flag(text, size, "hypervisor");
	return 0;
}
