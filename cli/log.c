/* SPDX-License-Identifier: MIT */
/*
 * log.c - the one logger of the hostctx command.
 *
 * Every message is exactly one line on stderr, so scripts can rely on
 * "one problem, one line": bytes that would break the line (a newline in
 * a file name, a control character in a parser message) are shown as '?'.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>

#define LINE_MAX_LEN 2048

/* Replace control characters so that the message stays on one line. */
static void make_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

__attribute__((format(printf, 2, 0)))
static void emit(const char *name, const char *fmt, va_list ap)
{
	char name_buf[LINE_MAX_LEN / 2] = "";
	char msg[LINE_MAX_LEN];
	int saved_errno = errno;

	if (name) {
		snprintf(name_buf, sizeof(name_buf), "%s", name);
		make_one_line(name_buf);
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	make_one_line(msg);
	/* One fprintf: stderr is unbuffered, keep the line in one write. */
	if (name)
		fprintf(stderr, PROGRAM_NAME ": %s: %s\n", name_buf, msg);
	else
		fprintf(stderr, PROGRAM_NAME ": %s\n", msg);
	errno = saved_errno;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void cli_file_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(name, fmt, ap);
	va_end(ap);
}

int cli_usage_hint(void)
{
	fputs("Try '" PROGRAM_NAME " --help'.\n", stderr);
	return EXIT_TROUBLE;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
	return cli_usage_hint();
}

int cli_option_error(const char *subcommand, char **argv, int c)
{
	/* getopt has just stepped over the word that held the option. */
	const char *word = optind > 0 ? argv[optind - 1] : "";
	bool is_long = strncmp(word, "--", 2) == 0;

	if (c == ':' && is_long)
		return cli_usage_error("%s: option '%s' requires an argument",
				       subcommand, word);
	if (c == ':')
		return cli_usage_error("%s: option requires an argument -- '%c'",
				       subcommand, optopt);
	if (is_long)
		return cli_usage_error("%s: unrecognized option '%s'",
				       subcommand, word);
	return cli_usage_error("%s: invalid option -- '%c'", subcommand, optopt);
}
