/* SPDX-License-Identifier: MIT */
/*
 * ci.c - --ci: after the final record, hand it to the CI system
 * (docs/ci.md).  The library writes the texts; this file only puts them
 * where the runner reads them: the job summary file named by
 * $GITHUB_STEP_SUMMARY, and stderr (never stdout, which is COMMAND's).
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The summary GitHub shows for the step: at most this much from us. */
#define RUN_CI_SUMMARY_BYTES (64u * 1024)

static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Append the Markdown summary to $GITHUB_STEP_SUMMARY (the runner made it). */
static void append_step_summary(const struct hostctx_sidecar *sc, const char *name)
{
	const char *path = hostctx_env_value(NULL, "GITHUB_STEP_SUMMARY");
	char *text = NULL;
	int fd, r;

	if (!path) {
		run_warn("--ci=github: GITHUB_STEP_SUMMARY is not set: no job summary");
		return;
	}
	r = hostctx_sidecar_format_summary(sc, name, HOSTCTX_SUMMARY_MARKDOWN,
					   RUN_CI_SUMMARY_BYTES, &text);
	if (r < 0) {
		run_warn("--ci: cannot write the summary: %s", strerror(-r));
		return;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
	r = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		run_warn("--ci: cannot append to %s: %s", path, strerror(-r));
	free(text);
}

void run_ci_report(enum hostctx_ci_system ci, const struct hostctx_sidecar *sc,
		   const char *record_path)
{
	char *text = NULL;
	int r;

	if (ci == HOSTCTX_CI_NONE || !sc)
		return;
	if (ci == HOSTCTX_CI_GITHUB)
		append_step_summary(sc, record_path);
	r = hostctx_ci_format_log(sc, record_path, ci, (long)time(NULL), &text);
	if (r < 0) {
		run_warn("--ci: %s", strerror(-r));
		return;
	}
	run_write_stderr(text, strlen(text));
	free(text);
}
