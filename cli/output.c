/* SPDX-License-Identifier: MIT */
/*
 * output.c - everything the command prints on stdout goes through stdio;
 * the one check for write errors (a full disk, /dev/full, a closed pipe
 * with SIGPIPE ignored) happens once, when stdout is closed at the end.
 */
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

void cli_print(const char *text)
{
	fputs(text, stdout);
}

void cli_print_indented(const char *text, const char *prefix)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		/* Blank lines stay blank: no trailing spaces. */
		if (len > 0)
			fputs(prefix, stdout);
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
		line += len + (nl ? 1 : 0);
	}
}

int cli_close_stdout(void)
{
	bool failed_before = ferror(stdout);
	int flush_errno = 0;

	if (fflush(stdout) != 0)
		flush_errno = errno;
	if (failed_before || flush_errno) {
		fclose(stdout);
		if (flush_errno)
			cli_error("write error: %s", strerror(flush_errno));
		else
			cli_error("write error");
		return -1;
	}
	/*
	 * Nothing was pending: a stdout that the caller closed (>&-) is
	 * fine as long as we had nothing to say, as coreutils' close_stdout
	 * decides.
	 */
	if (fclose(stdout) != 0 && errno != EBADF) {
		cli_error("write error: %s", strerror(errno));
		return -1;
	}
	return 0;
}
