/* SPDX-License-Identifier: MIT */
/*
 * CONFIG_TASK_XACCT from /proc/config.gz.  The reference gunzips the
 * whole file on every call (0.2-0.8 ms); the symbol sits ~150 lines in,
 * so we inflate as a stream and stop at the first line that answers.
 * The answer cannot change without a reboot: the root keeps it.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

/* Bound the work a hostile or broken file can cause. */
#define KCONFIG_MAX_INFLATE (16u * 1024 * 1024)
#define KCONFIG_MAX_LINE 4096

struct line_scanner {
	char line[KCONFIG_MAX_LINE];
	size_t len;
	bool overlong;		/* current line exceeded the buffer: ignore it */
	enum hctx_xacct answer;
};

static void scan_line_end(struct line_scanner *sc)
{
	if (!sc->overlong)
		sc->answer = hctx_kconfig_line_xacct(sc->line, sc->len);
	sc->len = 0;
	sc->overlong = false;
}

/* Append part of the current line (overlong lines can never answer). */
static void scan_append(struct line_scanner *sc, const unsigned char *p, size_t n)
{
	if (n > sizeof(sc->line) - sc->len) {
		sc->overlong = true;
		return;
	}
	memcpy(sc->line + sc->len, p, n);
	sc->len += n;
}

/* Feed inflated bytes; true once a line has answered. */
static bool scan_bytes(struct line_scanner *sc, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			scan_append(sc, p, (size_t)(end - p));
			return false;
		}
		scan_append(sc, p, (size_t)(nl - p));
		scan_line_end(sc);
		if (sc->answer != HCTX_XACCT_ABSENT)
			return true;
		p = nl + 1;
	}
	return false;
}

/* A zero-terminated header field at p + at; the offset after it, or 0. */
static size_t skip_zstring(const unsigned char *p, size_t len, size_t at)
{
	const unsigned char *nul = at < len ? memchr(p + at, 0, len - at) : NULL;

	return nul ? (size_t)(nul - p) + 1 : 0;
}

/*
 * Length of the gzip member header at p (RFC 1952), 0 when it is not one
 * or is cut short.  We inflate the raw deflate data after it ourselves:
 * zlib's gzip mode would compute a CRC over everything we inflate only to
 * check it at an end we never reach.
 */
static size_t gzip_header_len(const unsigned char *p, size_t len)
{
	enum { FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, RESERVED = 0xe0 };
	size_t at = 10;

	if (len < at || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & RESERVED))
		return 0;
	if (p[3] & FEXTRA) {
		if (len < at + 2)
			return 0;
		at += 2 + (size_t)(p[at] | p[at + 1] << 8);
	}
	if ((p[3] & FNAME) && !(at = skip_zstring(p, len, at)))
		return 0;
	if ((p[3] & FCOMMENT) && !(at = skip_zstring(p, len, at)))
		return 0;
	if (p[3] & FHCRC)
		at += 2;
	return at <= len ? at : 0;
}

/* After a member's end: step over its trailer and the next header. */
static bool next_member(z_stream *zs)
{
	enum { TRAILER = 8 };	/* CRC32 and size */
	size_t h;

	if (zs->avail_in <= TRAILER)
		return false;
	h = gzip_header_len(zs->next_in + TRAILER, zs->avail_in - TRAILER);
	if (!h || inflateReset(zs) != Z_OK)
		return false;
	zs->next_in += TRAILER + h;
	zs->avail_in -= (uInt)(TRAILER + h);
	return true;
}

enum hctx_xacct hctx_xacct_from_gzip(const void *gz, size_t len)
{
	struct line_scanner sc = { .answer = HCTX_XACCT_ABSENT };
	/* Small steps: inflate stops soon after the line that answers. */
	unsigned char out[1024];
	size_t total = 0;
	z_stream zs;
	int zr;

	size_t header = gzip_header_len(gz, len);

	memset(&zs, 0, sizeof(zs));
	if (!header)
		return HCTX_XACCT_UNKNOWN;	/* not gzip */
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		return HCTX_XACCT_UNKNOWN;
	zs.next_in = (unsigned char *)(uintptr_t)gz + header;
	zs.avail_in = (uInt)(len - header);
	for (;;) {
		size_t produced;

		zs.next_out = out;
		zs.avail_out = sizeof(out);
		zr = inflate(&zs, Z_NO_FLUSH);
		produced = sizeof(out) - zs.avail_out;
		if (scan_bytes(&sc, out, produced))
			break;
		total += produced;
		if (zr == Z_STREAM_END) {
			/* concatenated gzip members: carry on with the next */
			if (!next_member(&zs))
				break;
			continue;
		}
		/* corrupt or cut short from here on: what we saw stands */
		if (zr != Z_OK || total >= KCONFIG_MAX_INFLATE)
			break;
	}
	inflateEnd(&zs);
	/* A last line without a newline still counts when the stream ended. */
	if (sc.answer == HCTX_XACCT_ABSENT && zr == Z_STREAM_END && sc.len)
		scan_line_end(&sc);
	return sc.answer == HCTX_XACCT_ABSENT ? HCTX_XACCT_UNKNOWN : sc.answer;
}

/* Read config.gz in 4 KiB steps, inflating as we go. */
static enum hctx_xacct probe_config_gz(struct hostctx_root *root)
{
	_cleanup_close_ int fd = hctx_open(root, "proc/config.gz", false);
	_cleanup_free_ unsigned char *gz = NULL;
	size_t len = 0, cap = 0;
	enum hctx_xacct v = HCTX_XACCT_UNKNOWN;

	if (fd < 0)
		return HCTX_XACCT_UNKNOWN;
	/*
	 * The answer is almost always in the first 4 KiB of compressed
	 * data; try with what we have after each read before reading on.
	 */
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			unsigned char *p;

			if (cap >= 4 * 1024 * 1024)
				break;
			cap = cap ? cap * 4 : 4096;
			p = realloc(gz, cap);
			if (!p)
				break;
			gz = p;
		}
		n = hctx_read_some(fd, gz + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		v = hctx_xacct_from_gzip(gz, len);
		if (v != HCTX_XACCT_UNKNOWN)
			return v;
	}
	return len ? hctx_xacct_from_gzip(gz, len) : HCTX_XACCT_UNKNOWN;
}

/* The answer is kept in the root: config.gz changes only with the kernel. */
int hctx_read_xacct(struct hctx_reader *rd, const struct hctx_field *f,
		    struct hctx_value **ret)
{
	static const char *const names[] = {
		[HCTX_XACCT_ON] = "on", [HCTX_XACCT_OFF] = "off",
		[HCTX_XACCT_UNKNOWN] = "unknown",
	};
	struct hostctx_root *root = rd->root;
	enum hctx_xacct v;

	if (!root->xacct_cache)
		root->xacct_cache = (int)probe_config_gz(root) + 2;
	v = (enum hctx_xacct)(root->xacct_cache - 2);
	if (v == HCTX_XACCT_ABSENT)
		v = HCTX_XACCT_UNKNOWN;
	*ret = hctx_value_string(names[v]);
	return *ret ? 0 : -ENOMEM;
}
