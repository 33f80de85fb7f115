/* SPDX-License-Identifier: MIT */
/* /proc/meminfo's four fields.  Oracle: a field not present is zero. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hctx_meminfo m;
	const struct hostctx_u64 *f[] = {
		&m.mem_total_kib, &m.hugepages_total, &m.hugepages_free,
		&m.hugepages_size_kib,
	};

	memset(&m, 0, sizeof(m));
	hctx_parse_meminfo((const char *)data, size, &m);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		FUZZ_CHECK(f[i]->present || f[i]->value == 0);
	return 0;
}
