/* SPDX-License-Identifier: MIT */
/*
 * log.c - the one logger of hostctx-run: stderr only, one line per
 * message, written with a single write(2) so lines never interleave.
 * SIGPIPE is blocked (signals.c), so a closed stderr pipe gives EPIPE
 * here and never kills us or changes the status.  A warning is not
 * repeated word for word.
 */
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool log_quiet;

void run_log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

void run_write_stderr(const char *text, size_t len)
{
	int saved = errno;

	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text += n;
		len -= (size_t)n;
	}
	errno = saved;
}

#define LINE_MAX_LEN 1024

/* "hostctx-run: " fmt "\n" in line (cut to fit); returns the length. */
__attribute__((format(printf, 2, 0)))
static size_t format_line(char line[LINE_MAX_LEN], const char *fmt, va_list ap)
{
	size_t len;
	int n;

	n = snprintf(line, LINE_MAX_LEN, "%s: ", RUN_PROGRAM);
	len = (size_t)n;
	n = vsnprintf(line + len, LINE_MAX_LEN - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < LINE_MAX_LEN - len - 1 ?
			       (size_t)n : LINE_MAX_LEN - len - 2;
	line[len++] = '\n';
	return len;
}

/*
 * A warning the same as the last one says nothing new (a target that
 * cannot be written fails at the start and again at the end): once.
 */
static bool repeats_last_warning(const char *line, size_t len)
{
	static char last[LINE_MAX_LEN];
	static size_t last_len;

	if (len == last_len && memcmp(line, last, len) == 0)
		return true;
	memcpy(last, line, len);
	last_len = len;
	return false;
}

void run_warn(const char *fmt, ...)
{
	int saved = errno;
	char line[LINE_MAX_LEN];
	size_t len;
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	len = format_line(line, fmt, ap);
	va_end(ap);
	if (!repeats_last_warning(line, len))
		run_write_stderr(line, len);
	errno = saved;
}

void run_error(const char *fmt, ...)
{
	int saved = errno;
	char line[LINE_MAX_LEN];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	len = format_line(line, fmt, ap);
	va_end(ap);
	run_write_stderr(line, len);
	errno = saved;
}
