/* SPDX-License-Identifier: MIT */
/*
 * preload_marker.c - keep libhostctx-preload.so quiet in our command.
 *
 * With LD_PRELOAD naming libhostctx-preload.so around hostctx-run, the
 * command would be the first process to load the library and write a
 * second record of the same run.  hostctx-run is linked statically (no
 * dynamic loader, ~0.3 ms less per run), so the library never runs in
 * the wrapper itself: the wrapper marks itself as the recorded process
 * instead, with the library's one documented variable (the marker of
 * lib/recording.h, with no record path), which makes every process
 * below it a descendant.
 *
 * A marker naming this very process (pid and start time) means the
 * library recorded us until we were exec'd (`sh -c 'exec hostctx-run
 * ...'`): the wrapper takes over, and the library's record, which no
 * exit hook can complete any more, is handed back to be removed once
 * ours is written.  Nothing changes in the environment unless the
 * library is in LD_PRELOAD or such a marker is there.
 */
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LIBRARY_NAME "libhostctx-preload"

static int publish(pid_t self, unsigned long long start)
{
	char marker[sizeof(HCTX_MARKER_NAME) + 48];
	int r = hctx_marker_format(marker, sizeof(marker), (long)self, start,
				   NULL);

	if (r < 0)
		return r;
	return putenv(strdup(marker)) != 0 ? -ENOMEM : 0;
}

int run_mark_preload_owner(pid_t self, char **ret_superseded)
{
	const char *preload = getenv("LD_PRELOAD");
	const char *value = getenv(HCTX_MARKER_NAME);
	struct hctx_marker m;
	unsigned long long start;
	int r;

	*ret_superseded = NULL;
	if (value && !hctx_marker_parse(value, (long)self, &m))
		return 0;	/* a descendant of a recorded process */
	if (!value && (!preload || !strstr(preload, LIBRARY_NAME)))
		return 0;
	r = hctx_self_start_time(&start);
	if (r < 0)
		return r;
	if (value && m.start != start)
		return 0;	/* an older process with our pid */
	if (value && m.path[0] == '/') {
		*ret_superseded = strdup(m.path);
		if (!*ret_superseded)
			return -ENOMEM;
	}
	return publish(self, start);
}
