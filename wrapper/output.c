/* SPDX-License-Identifier: MIT */
/*
 * output.c - where the record goes (first match wins): -o FILE,
 * --next-to=FILE (FILE.hostctx.json), -O DIR, $HOSTCTX_OUTPUT (a file),
 * $HOSTCTX_DIR (a directory), else the current directory.  In a
 * directory the first write creates a new name that never replaces
 * another run's file; later writes replace that name atomically.
 */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int choose_place(struct run_target *t, const struct run_options *o)
{
	const char *v;

	if (o->output_file)
		t->file = strdup(o->output_file);
	else if (o->next_to) {
		if (asprintf(&t->file, "%s.hostctx.json", o->next_to) < 0)
			t->file = NULL;
	} else if (o->output_dir)
		t->dir = strdup(o->output_dir);
	else if ((v = env_nonempty("HOSTCTX_OUTPUT")))
		t->file = strdup(v);
	else if ((v = env_nonempty("HOSTCTX_DIR")))
		t->dir = strdup(v);
	else
		t->dir = strdup(".");
	return t->file || t->dir ? 0 : -ENOMEM;
}

int run_target_init(struct run_target *t, const struct run_options *o,
		    const struct timespec *started_at, pid_t pid)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->flags = o->fsync ? HOSTCTX_WRITE_FSYNC : 0;
	r = choose_place(t, o);
	if (r < 0 || !t->dir)
		return r;
	return hostctx_record_stem(o->cmd_argv[0], started_at, (long)pid,
				   &t->stem);
}

int run_target_write(struct run_target *t, const struct hostctx_sidecar *sc)
{
	char *json = NULL;
	size_t len = 0;
	int r;

	r = hostctx_sidecar_to_json(sc, &json, &len);
	if (r < 0) {
		run_warn("cannot format the record: %s", strerror(-r));
		return r;
	}
	if (t->file) {
		r = hostctx_write_atomic(t->file, json, len, t->flags);
		if (r < 0)
			run_warn("cannot write the record %s: %s", t->file,
				 strerror(-r));
	} else {
		r = hostctx_create_unique(t->dir, t->stem, json, len, t->flags,
					  &t->file);
		if (r < 0)
			run_warn("cannot write a record in %s: %s", t->dir,
				 strerror(-r));
	}
	free(json);
	return r;
}

void run_target_clear(struct run_target *t)
{
	free(t->file);
	free(t->dir);
	free(t->stem);
	memset(t, 0, sizeof(*t));
}
