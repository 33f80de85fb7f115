/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - shared by the libFuzzer targets in tests/fuzz (one target
 * per file; `make fuzz` builds them, tests/fuzz/run runs them).
 */
#ifndef HOSTCTX_FUZZ_H
#define HOSTCTX_FUZZ_H

#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An oracle that does not hold is a finding: say which, then crash. */
#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: oracle failed: %s\n",   \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/* Must succeed unless memory ran out (libFuzzer's -malloc_limit_mb). */
#define FUZZ_OK(expr) FUZZ_CHECK((expr) >= 0)

#endif /* HOSTCTX_FUZZ_H */
