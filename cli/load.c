/* SPDX-License-Identifier: MIT */
/*
 * load.c - read a sidecar or snapshot file and report, in one line that
 * names the file, whatever was wrong with it.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Same bound as hostctx_document_load(). */
#define STDIN_CAP (64u << 20)

const char *cli_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

/* Read all of standard input, at most STDIN_CAP bytes. */
static int read_stdin(char **ret_text, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			char *nbuf;

			if (cap >= STDIN_CAP)
				return -EFBIG;
			if (ncap > STDIN_CAP)
				ncap = STDIN_CAP;
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_text = buf;
	buf = NULL;
	*ret_len = len;
	return 0;
}

static int load_stdin(struct hostctx_document **doc, struct hostctx_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_stdin(&text, &len);
	if (r < 0)
		return r;
	return hostctx_document_parse(text, len, doc, err);
}

static const char *describe(int r, const struct hostctx_error *err)
{
	if (err->message[0])
		return err->message;
	if (r == -EFBIG)
		return "file too large";
	return strerror(-r);
}

int cli_load_document(const char *path, struct hostctx_document **doc)
{
	struct hostctx_error err = { .message = "" };
	int r;

	if (strcmp(path, "-") == 0)
		r = load_stdin(doc, &err);
	else
		r = hostctx_document_load(path, doc, &err);
	if (r < 0) {
		/* err->message has no file name: we add it, once. */
		cli_file_error(cli_display_name(path), "%s", describe(r, &err));
		return -1;
	}
	return 0;
}
