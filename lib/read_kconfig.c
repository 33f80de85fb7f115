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
	enum hostctx_xacct answer;
};

static void scan_line_end(struct line_scanner *sc)
{
	if (!sc->overlong)
		sc->answer = hctx_kconfig_line_xacct(sc->line, sc->len);
	sc->len = 0;
	sc->overlong = false;
}

/* Feed inflated bytes; true once a line has answered. */
static bool scan_bytes(struct line_scanner *sc, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			scan_line_end(sc);
			if (sc->answer != HOSTCTX_XACCT_ABSENT)
				return true;
		} else if (sc->len < sizeof(sc->line)) {
			sc->line[sc->len++] = (char)p[i];
		} else {
			sc->overlong = true;
		}
	}
	return false;
}

enum hostctx_xacct hctx_xacct_from_gzip(const void *gz, size_t len)
{
	struct line_scanner sc = { .answer = HOSTCTX_XACCT_ABSENT };
	/* Small steps: inflate stops soon after the line that answers. */
	unsigned char out[1024];
	size_t total = 0;
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (len < 2 || ((const unsigned char *)gz)[0] != 0x1f ||
	    ((const unsigned char *)gz)[1] != 0x8b)
		return HOSTCTX_XACCT_UNKNOWN;	/* not gzip */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return HOSTCTX_XACCT_UNKNOWN;
	zs.next_in = (unsigned char *)(uintptr_t)gz;
	zs.avail_in = (uInt)len;
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
			if (zs.avail_in == 0 || inflateReset(&zs) != Z_OK)
				break;
			continue;
		}
		/* corrupt or cut short from here on: what we saw stands */
		if (zr != Z_OK || total >= KCONFIG_MAX_INFLATE)
			break;
	}
	inflateEnd(&zs);
	/* A last line without a newline still counts when the stream ended. */
	if (sc.answer == HOSTCTX_XACCT_ABSENT && zr == Z_STREAM_END && sc.len)
		scan_line_end(&sc);
	return sc.answer == HOSTCTX_XACCT_ABSENT ? HOSTCTX_XACCT_UNKNOWN : sc.answer;
}

/* Read config.gz in 4 KiB steps, inflating as we go. */
static enum hostctx_xacct probe_config_gz(struct hostctx_root *root)
{
	_cleanup_close_ int fd = hctx_open(root, "proc/config.gz", false);
	_cleanup_free_ unsigned char *gz = NULL;
	size_t len = 0, cap = 0;
	enum hostctx_xacct v = HOSTCTX_XACCT_UNKNOWN;

	if (fd < 0)
		return HOSTCTX_XACCT_UNKNOWN;
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
		n = read(fd, gz + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		v = hctx_xacct_from_gzip(gz, len);
		if (v != HOSTCTX_XACCT_UNKNOWN)
			return v;
	}
	return len ? hctx_xacct_from_gzip(gz, len) : HOSTCTX_XACCT_UNKNOWN;
}

int hctx_read_xacct(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	struct hostctx_root *root = rd->root;

	if (!root->xacct_cache)
		root->xacct_cache = (int)probe_config_gz(root) + 1;
	s->config_task_xacct = (enum hostctx_xacct)(root->xacct_cache - 1);
	return 0;
}
