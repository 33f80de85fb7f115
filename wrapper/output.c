/* SPDX-License-Identifier: MIT */
/*
 * output.c - the record of this run, through the recording module
 * shared with the preload library (lib/recording.c): where it goes
 * (-o, --next-to, -O, $HOSTCTX_OUTPUT, $HOSTCTX_DIR, else the current
 * directory), its directory opened once for every write, and the
 * warnings when a write fails.
 */
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int run_target_init(struct run_target *t, const struct run_options *o,
		    const struct timespec *started_at, pid_t pid)
{
	struct hctx_place_request req = {
		.output_file = o->output_file,
		.next_to = o->next_to,
		.output_dir = o->output_dir,
		.envp = environ,
		.command = o->cmd_argv[0],
		.started_at = started_at,
		.pid = (long)pid,
		.flags = o->fsync ? HOSTCTX_WRITE_FSYNC : 0,
	};

	memset(t, 0, sizeof(*t));
	return hctx_record_init(&t->rec, &req);
}

/*
 * The preload library's in-progress record of this very process (it
 * exec'd us): our record covers the rest of its life, so that one would
 * stay incomplete for ever.  Removed once ours exists.
 */
static void drop_superseded(struct run_target *t)
{
	char *ours = hctx_record_abspath(&t->rec);
	int r = 0;

	if (!ours || strcmp(ours, t->superseded) != 0)
		r = hctx_record_discard(t->superseded);
	if (r < 0 && r != -ENOENT)
		run_warn("cannot remove the preload library's record %s: %s",
			 t->superseded, hctx_record_strerror(r));
	free(ours);
	free(t->superseded);
	t->superseded = NULL;
}

int run_target_write(struct run_target *t, const struct hostctx_sidecar *sc)
{
	int r = hctx_record_write(&t->rec, sc);

	if (r < 0 && t->rec.shown)
		run_warn("cannot write the record %s: %s", t->rec.shown,
			 hctx_record_strerror(r));
	else if (r < 0 && t->rec.mkdir_failed)
		run_warn("cannot create the directory %s for the record: %s",
			 t->rec.dir_shown, hctx_record_strerror(r));
	else if (r < 0)
		run_warn("cannot write a record in %s: %s", t->rec.dir_shown,
			 hctx_record_strerror(r));
	else if (t->superseded)
		drop_superseded(t);
	return r;
}

const char *run_target_path(const struct run_target *t)
{
	return t->rec.shown;
}

void run_target_clear(struct run_target *t)
{
	hctx_record_clear(&t->rec);
	free(t->superseded);
	memset(t, 0, sizeof(*t));
}
