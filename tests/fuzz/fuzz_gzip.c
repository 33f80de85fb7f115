/* SPDX-License-Identifier: MIT */
/*
 * The config.gz decoder, on the input as gzip data and on the input
 * gzipped here.  Oracle: for gzipped text whose lines answer at most
 * once and fit the decoder's line buffer, the decoder answers as the
 * text parser does (with several answering lines the decoder stops at
 * the first, the text parser lets "=y" win: docs/design.md).
 */
#include "fuzz.h"

#include <zlib.h>

static bool valid(enum hctx_xacct v)
{
	return v == HCTX_XACCT_ON || v == HCTX_XACCT_OFF ||
	       v == HCTX_XACCT_UNKNOWN;
}

/* Lines that answer, and whether every line is shorter than 4 KiB. */
static size_t answering_lines(const char *text, size_t size, bool *short_lines)
{
	const char *end = text + size;
	size_t n_answers = 0;

	*short_lines = true;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		n_answers += hctx_kconfig_line_xacct(line, n) != HCTX_XACCT_ABSENT;
		*short_lines = *short_lines && n < 4096;
		line += n + 1;
	}
	return n_answers;
}

static unsigned char *gzip(const uint8_t *data, size_t size, size_t *ret_len)
{
	z_stream zs;
	size_t cap = compressBound((uLong)size) + 64;
	unsigned char *out = malloc(cap);

	FUZZ_CHECK(out);
	memset(&zs, 0, sizeof(zs));
	FUZZ_CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
				Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	*ret_len = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum hctx_xacct v = hctx_xacct_from_gzip(data, size);
	unsigned char *gz;
	size_t gz_len;
	bool short_lines;

	FUZZ_CHECK(valid(v));
	FUZZ_CHECK(hctx_xacct_from_gzip(data, size) == v);
	if (size > 64 * 1024)
		return 0;
	gz = gzip(data, size, &gz_len);
	v = hctx_xacct_from_gzip(gz, gz_len);
	FUZZ_CHECK(valid(v));
	if (answering_lines((const char *)data, size, &short_lines) <= 1 && short_lines)
		FUZZ_CHECK(v == hctx_parse_kconfig_xacct((const char *)data, size));
	free(gz);
	return 0;
}
