/* SPDX-License-Identifier: MIT */
/*
 * watch_write [--wait FILE] [--times N] [--then-touch FILE] [--linger S]
 *             PATH [VALUE]
 * A writer for the --watch-writes tests: waits until FILE exists (up to
 * 10 s), then N times (default 1) opens PATH for writing, writes VALUE
 * when given (a failed write is fine: the write-close is what is
 * watched), closes it; then creates the --then-touch file and stays
 * alive S seconds more, so that the watcher can still look it up.
 * Exits 1 when PATH cannot be opened.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static int wait_for(const char *file)
{
	for (int i = 0; i < 2000; i++) {
		if (access(file, F_OK) == 0)
			return 0;
		nap(0.005);
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *wait = NULL, *touch = NULL, *value;
	long times = 1;
	double linger = 0;
	int i = 1, fd;

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--wait") == 0)
			wait = argv[i + 1];
		else if (strcmp(argv[i], "--times") == 0)
			times = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--then-touch") == 0)
			touch = argv[i + 1];
		else if (strcmp(argv[i], "--linger") == 0)
			linger = atof(argv[i + 1]);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: watch_write [options] PATH [VALUE]\n");
		return 2;
	}
	value = i + 1 < argc ? argv[i + 1] : NULL;
	if (wait && wait_for(wait) < 0)
		return 3;
	for (long n = 0; n < times; n++) {
		fd = open(argv[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		if (value && write(fd, value, strlen(value)) < 0 && times == 1)
			perror("write");
		close(fd);
	}
	if (touch) {
		fd = open(touch, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (linger > 0)
		nap(linger);
	return 0;
}
