/* SPDX-License-Identifier: MIT */
/*
 * log.c - the one logger of hostctx-run: stderr only, one line per
 * message, written with a single write(2) so lines never interleave.
 * SIGPIPE is blocked (signals.c), so a closed stderr pipe gives EPIPE
 * here and never kills us or changes the status.
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

__attribute__((format(printf, 1, 0)))
static void log_line(const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;
	int n;

	n = snprintf(line, sizeof(line), "%s: ", RUN_PROGRAM);
	len = (size_t)n;
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof(line) - len - 1 ?
			       (size_t)n : sizeof(line) - len - 2;
	line[len++] = '\n';
	run_write_stderr(line, len);
}

void run_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
	errno = saved;
}

void run_error(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
	errno = saved;
}
