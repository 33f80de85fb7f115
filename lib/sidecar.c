/* SPDX-License-Identifier: MIT */
/*
 * The sidecar record and the parsed document: life cycle only.  JSON
 * writing and reading live in json.c.
 */
#include "internal.h"

#include <sys/resource.h>

#include <errno.h>
#include <string.h>

HCTX_EXPORT void hostctx_sidecar_init(struct hostctx_sidecar *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->descendants_left = -1;
	hostctx_snapshot_init(&sc->pre);
	hostctx_snapshot_init(&sc->post);
}

static void free_argv(struct hostctx_sidecar *sc)
{
	for (size_t i = 0; i < sc->argc; i++)
		free(sc->argv[i]);
	free(sc->argv);
	sc->argv = NULL;
	sc->argc = 0;
}

HCTX_EXPORT void hostctx_sidecar_clear(struct hostctx_sidecar *sc)
{
	free(sc->tool_name);
	free(sc->tool_version);
	free(sc->mode);
	free_argv(sc);
	free(sc->cwd);
	free(sc->exec_error);
	hostctx_snapshot_clear(&sc->pre);
	hostctx_snapshot_clear(&sc->post);
	hostctx_sidecar_init(sc);
}

/* A NULL-safe copy of argv[0..argc). */
static int copy_argv(int argc, char *const *argv, char ***ret)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i] ? argv[i] : "");
		if (!copy[i]) {
			while (i-- > 0)
				free(copy[i]);
			free(copy);
			return -ENOMEM;
		}
	}
	*ret = copy;
	return 0;
}

HCTX_EXPORT int hostctx_sidecar_set_command(struct hostctx_sidecar *sc,
					    int argc, char *const *argv,
					    const char *cwd)
{
	_cleanup_free_ char *cwd_copy = NULL;
	char **argv_copy = NULL;
	int r;

	if (argc < 0 || (argc > 0 && !argv))
		return -EINVAL;
	if (cwd) {
		cwd_copy = strdup(cwd);
		if (!cwd_copy)
			return -ENOMEM;
	}
	r = copy_argv(argc, argv, &argv_copy);
	if (r < 0)
		return r;

	free_argv(sc);
	sc->argv = argv_copy;
	sc->argc = (size_t)argc;
	free(sc->cwd);
	sc->cwd = TAKE_PTR(cwd_copy);
	return 0;
}

HCTX_EXPORT void hostctx_document_init(struct hostctx_document *d)
{
	d->is_sidecar = false;
	hostctx_sidecar_init(&d->sidecar);
	hostctx_snapshot_init(&d->snapshot);
}

HCTX_EXPORT void hostctx_document_clear(struct hostctx_document *d)
{
	hostctx_sidecar_clear(&d->sidecar);
	hostctx_snapshot_clear(&d->snapshot);
	d->is_sidecar = false;
}

static double timeval_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

HCTX_EXPORT void hostctx_rusage_from(struct hostctx_rusage *out,
				     const struct rusage *ru)
{
	out->present = true;
	out->user_seconds = timeval_seconds(&ru->ru_utime);
	out->system_seconds = timeval_seconds(&ru->ru_stime);
	out->max_rss_kib = (uint64_t)ru->ru_maxrss;	/* KiB on Linux */
	out->minor_faults = (uint64_t)ru->ru_minflt;
	out->major_faults = (uint64_t)ru->ru_majflt;
	out->voluntary_context_switches = (uint64_t)ru->ru_nvcsw;
	out->involuntary_context_switches = (uint64_t)ru->ru_nivcsw;
	out->block_input_ops = (uint64_t)ru->ru_inblock;
	out->block_output_ops = (uint64_t)ru->ru_oublock;
}
