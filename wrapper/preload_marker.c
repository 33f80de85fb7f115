/* SPDX-License-Identifier: MIT */
/*
 * preload_marker.c - keep libhostctx-preload.so quiet in our command.
 *
 * With LD_PRELOAD naming libhostctx-preload.so around hostctx-run, the
 * command would be the first process to load the library and write a
 * second record of the same run.  hostctx-run is linked statically (no
 * dynamic loader, ~0.3 ms less per run), so the library never runs in
 * the wrapper itself: the wrapper marks itself as the recorded process
 * instead, with the library's one documented variable,
 * HOSTCTX_PRELOAD_OWNER=<pid>:<start time>: (no record path), which makes
 * every process below it a descendant.  Nothing changes in the
 * environment unless the library is in LD_PRELOAD and no owner is set.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER_NAME "HOSTCTX_PRELOAD_OWNER"
#define LIBRARY_NAME "libhostctx-preload"

/* Field 22 of /proc/self/stat: start time in clock ticks after boot. */
static int self_start_time(unsigned long long *ret)
{
	char buf[1024], *p;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	return sscanf(p + 1, "%llu", ret) == 1 ? 0 : -EIO;
}

int run_mark_preload_owner(pid_t self)
{
	const char *preload = getenv("LD_PRELOAD");
	unsigned long long start;
	char value[64];
	int r;

	if (!preload || !strstr(preload, LIBRARY_NAME) || getenv(MARKER_NAME))
		return 0;
	r = self_start_time(&start);
	if (r < 0)
		return r;
	snprintf(value, sizeof(value), "%ld:%llu:", (long)self, start);
	return setenv(MARKER_NAME, value, 1) < 0 ? -errno : 0;
}
