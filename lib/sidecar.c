/* SPDX-License-Identifier: MIT */
/*
 * The sidecar record and the parsed document: life cycle and access.
 * JSON writing is json_write.c, reading json_read.c.
 */
#include "internal.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* run.rusage and run.rusage_children, in JSON order. */
const struct hctx_rusage_json_row hctx_rusage_json_rows[] = {
#define RU(field, secs) { #field, offsetof(struct hostctx_rusage, field), secs }
	RU(user_seconds, true),
	RU(system_seconds, true),
	RU(max_rss_kib, false),
	RU(minor_faults, false),
	RU(major_faults, false),
	RU(voluntary_context_switches, false),
	RU(involuntary_context_switches, false),
	RU(block_input_ops, false),
	RU(block_output_ops, false),
#undef RU
};
const size_t hctx_n_rusage_json_rows =
	sizeof(hctx_rusage_json_rows) / sizeof(hctx_rusage_json_rows[0]);

HCTX_EXPORT int hostctx_sidecar_new(struct hostctx_sidecar **ret)
{
	struct hostctx_sidecar *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return -ENOMEM;
	sc->descendants_left = -1;
	*ret = sc;
	return 0;
}

static void free_argv(struct hostctx_sidecar *sc)
{
	for (size_t i = 0; i < sc->argc; i++)
		free(sc->argv[i]);
	free(sc->argv);
	sc->argv = NULL;
	sc->argc = 0;
}

HCTX_EXPORT void hostctx_sidecar_free(struct hostctx_sidecar *sc)
{
	if (!sc)
		return;
	free(sc->tool_name);
	free(sc->tool_version);
	free(sc->mode);
	free_argv(sc);
	free(sc->cwd);
	free(sc->exec_error);
	hostctx_check_report_free(sc->check);
	hctx_writes_clear(&sc->writes);
	hostctx_snapshot_free(sc->pre);
	hostctx_snapshot_free(sc->post);
	free(sc);
}

/* *slot = a copy of value (NULL clears). */
static int replace_string(char **slot, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*slot);
	*slot = copy;
	return 0;
}

HCTX_EXPORT int hostctx_sidecar_set_tool(struct hostctx_sidecar *sc,
					 const char *name, const char *version)
{
	int r = replace_string(&sc->tool_name, name);

	return r < 0 ? r : replace_string(&sc->tool_version, version);
}

HCTX_EXPORT const char *hostctx_sidecar_tool_name(const struct hostctx_sidecar *sc)
{
	return sc->tool_name;
}

HCTX_EXPORT const char *hostctx_sidecar_tool_version(const struct hostctx_sidecar *sc)
{
	return sc->tool_version;
}

/* The two producers' modes: what the reader accepts, the setter accepts. */
HCTX_EXPORT int hostctx_sidecar_set_mode(struct hostctx_sidecar *sc, const char *mode)
{
	if (mode && strcmp(mode, "wrapper") != 0 && strcmp(mode, "preload") != 0)
		return -EINVAL;
	return replace_string(&sc->mode, mode);
}

HCTX_EXPORT const char *hostctx_sidecar_mode(const struct hostctx_sidecar *sc)
{
	return sc->mode;
}

HCTX_EXPORT void hostctx_sidecar_set_complete(struct hostctx_sidecar *sc, bool complete)
{
	sc->complete = complete;
}

HCTX_EXPORT bool hostctx_sidecar_complete(const struct hostctx_sidecar *sc)
{
	return sc->complete;
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

HCTX_EXPORT size_t hostctx_sidecar_argc(const struct hostctx_sidecar *sc)
{
	return sc->argc;
}

HCTX_EXPORT const char *hostctx_sidecar_argv(const struct hostctx_sidecar *sc, size_t i)
{
	return i < sc->argc ? sc->argv[i] : NULL;
}

HCTX_EXPORT const char *hostctx_sidecar_cwd(const struct hostctx_sidecar *sc)
{
	return sc->cwd;
}

HCTX_EXPORT void hostctx_sidecar_set_time(struct hostctx_sidecar *sc,
					  enum hostctx_time_of which,
					  const struct timespec *ts)
{
	bool *has = which == HOSTCTX_STARTED_AT ? &sc->has_started_at : &sc->has_ended_at;
	struct timespec *slot = which == HOSTCTX_STARTED_AT ? &sc->started_at : &sc->ended_at;

	*has = ts != NULL;
	if (ts)
		*slot = *ts;
}

HCTX_EXPORT bool hostctx_sidecar_time(const struct hostctx_sidecar *sc,
				      enum hostctx_time_of which,
				      struct timespec *ret)
{
	bool has = which == HOSTCTX_STARTED_AT ? sc->has_started_at : sc->has_ended_at;

	if (has && ret)
		*ret = which == HOSTCTX_STARTED_AT ? sc->started_at : sc->ended_at;
	return has;
}

HCTX_EXPORT void hostctx_sidecar_set_wall_seconds(struct hostctx_sidecar *sc, double s)
{
	sc->has_wall_seconds = true;
	sc->wall_seconds = s;
}

HCTX_EXPORT bool hostctx_sidecar_wall_seconds(const struct hostctx_sidecar *sc,
					      double *ret)
{
	if (sc->has_wall_seconds && ret)
		*ret = sc->wall_seconds;
	return sc->has_wall_seconds;
}

HCTX_EXPORT void hostctx_sidecar_set_exit_code(struct hostctx_sidecar *sc, int code)
{
	sc->exit = (struct hctx_exit){ .kind = HOSTCTX_EXIT_CODE, .code = code };
}

HCTX_EXPORT void hostctx_sidecar_set_exit_signal(struct hostctx_sidecar *sc, int sig,
						 bool core_dumped)
{
	sc->exit = (struct hctx_exit){ .kind = HOSTCTX_EXIT_SIGNAL, .signal = sig,
				       .core_dumped = core_dumped };
}

HCTX_EXPORT void hostctx_sidecar_set_wait_status(struct hostctx_sidecar *sc, int status)
{
	if (WIFEXITED(status))
		hostctx_sidecar_set_exit_code(sc, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		hostctx_sidecar_set_exit_signal(sc, WTERMSIG(status), WCOREDUMP(status));
}

HCTX_EXPORT enum hostctx_exit_kind hostctx_sidecar_exit(const struct hostctx_sidecar *sc,
							int *ret_code, int *ret_signal,
							bool *ret_core_dumped)
{
	if (sc->exit.kind == HOSTCTX_EXIT_CODE && ret_code)
		*ret_code = sc->exit.code;
	if (sc->exit.kind == HOSTCTX_EXIT_SIGNAL) {
		if (ret_signal)
			*ret_signal = sc->exit.signal;
		if (ret_core_dumped)
			*ret_core_dumped = sc->exit.core_dumped;
	}
	return sc->exit.kind;
}

HCTX_EXPORT int hostctx_sidecar_set_exec_error(struct hostctx_sidecar *sc,
					       const char *name)
{
	return replace_string(&sc->exec_error, name);
}

HCTX_EXPORT const char *hostctx_sidecar_exec_error(const struct hostctx_sidecar *sc)
{
	return sc->exec_error;
}

HCTX_EXPORT void hostctx_sidecar_set_rusage(struct hostctx_sidecar *sc,
					    enum hostctx_rusage_of which,
					    const struct hostctx_rusage *ru)
{
	struct hostctx_rusage *slot =
		which == HOSTCTX_RUSAGE_COMMAND ? &sc->rusage : &sc->rusage_children;

	if (ru)
		*slot = *ru;
	else
		memset(slot, 0, sizeof(*slot));
}

HCTX_EXPORT bool hostctx_sidecar_rusage(const struct hostctx_sidecar *sc,
					enum hostctx_rusage_of which,
					struct hostctx_rusage *ret)
{
	const struct hostctx_rusage *ru =
		which == HOSTCTX_RUSAGE_COMMAND ? &sc->rusage : &sc->rusage_children;

	if (ru->present && ret)
		*ret = *ru;
	return ru->present;
}

HCTX_EXPORT void hostctx_sidecar_set_descendants_left(struct hostctx_sidecar *sc,
						      long long n)
{
	sc->descendants_left = n < 0 ? -1 : n;
}

HCTX_EXPORT long long hostctx_sidecar_descendants_left(const struct hostctx_sidecar *sc)
{
	return sc->descendants_left;
}

HCTX_EXPORT void hostctx_sidecar_set_process(struct hostctx_sidecar *sc, long pid,
					     unsigned long long start_ticks)
{
	sc->pid = pid > 0 ? pid : 0;
	sc->pid_start_ticks = pid > 0 ? start_ticks : 0;
}

HCTX_EXPORT bool hostctx_sidecar_process(const struct hostctx_sidecar *sc, long *ret_pid,
					 unsigned long long *ret_start_ticks)
{
	if (sc->pid <= 0)
		return false;
	if (ret_pid)
		*ret_pid = sc->pid;
	if (ret_start_ticks)
		*ret_start_ticks = sc->pid_start_ticks;
	return true;
}

HCTX_EXPORT int hostctx_sidecar_set_descendants_wait(struct hostctx_sidecar *sc,
						     const char *how)
{
	static const char *const ends[] = { "done", "limit", "signal", "interrupted" };

	if (!how) {
		sc->descendants_wait = NULL;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		if (strcmp(how, ends[i]) == 0) {
			sc->descendants_wait = ends[i];	/* ours: no copy to own */
			return 0;
		}
	}
	return -EINVAL;
}

HCTX_EXPORT const char *hostctx_sidecar_descendants_wait(const struct hostctx_sidecar *sc)
{
	return sc->descendants_wait;
}

HCTX_EXPORT int hostctx_sidecar_set_refused(struct hostctx_sidecar *sc, const char *why)
{
	static const char *const reasons[] = { "check" };

	if (!why) {
		sc->refused = NULL;
		return 0;
	}
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(why, reasons[i]) == 0) {
			sc->refused = reasons[i];	/* ours: no copy to own */
			return 0;
		}
	}
	return -EINVAL;
}

HCTX_EXPORT const char *hostctx_sidecar_refused(const struct hostctx_sidecar *sc)
{
	return sc->refused;
}

HCTX_EXPORT void hostctx_sidecar_set_check(struct hostctx_sidecar *sc,
					   struct hostctx_check_report *rep)
{
	hostctx_check_report_free(sc->check);
	sc->check = rep;
}

HCTX_EXPORT void hostctx_sidecar_set_snapshot(struct hostctx_sidecar *sc,
					      enum hostctx_phase phase,
					      struct hostctx_snapshot *s)
{
	struct hostctx_snapshot **slot = phase == HOSTCTX_PRE ? &sc->pre : &sc->post;

	hostctx_snapshot_free(*slot);
	*slot = s;
}

HCTX_EXPORT const struct hostctx_snapshot *
hostctx_sidecar_snapshot(const struct hostctx_sidecar *sc, enum hostctx_phase phase)
{
	return phase == HOSTCTX_PRE ? sc->pre : sc->post;
}

/* ---- the document ------------------------------------------------------ */

HCTX_EXPORT void hostctx_document_free(struct hostctx_document *d)
{
	if (!d)
		return;
	hostctx_sidecar_free(d->sidecar);
	hostctx_snapshot_free(d->snapshot);
	free(d);
}

HCTX_EXPORT bool hostctx_document_is_sidecar(const struct hostctx_document *d)
{
	return d->sidecar != NULL;
}

HCTX_EXPORT const struct hostctx_sidecar *
hostctx_document_sidecar(const struct hostctx_document *d)
{
	return d->sidecar;
}

HCTX_EXPORT const struct hostctx_snapshot *
hostctx_document_snapshot(const struct hostctx_document *d)
{
	return d->snapshot;
}

static bool has_beyond_reference_field(const struct hostctx_snapshot *s)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (s->values[i] && !hctx_fields[i].seed)
			return true;
	return false;
}

HCTX_EXPORT int hostctx_document_producer(const struct hostctx_document *d,
					  char **ret_text)
{
	const struct hostctx_sidecar *sc = d->sidecar;
	char *text = NULL;
	int n;

	switch (d->origin) {
	case HCTX_ORIGIN_RECORD:
		n = asprintf(&text, "%s %s", sc->tool_name ? sc->tool_name : "hostctx-run",
			     sc->tool_version ? sc->tool_version : "(version unknown)");
		break;
	case HCTX_ORIGIN_SNAPSHOT:
		n = asprintf(&text, "%s", has_beyond_reference_field(d->snapshot)
					  ? "hostctx (a snapshot)" : "the reference");
		break;
	case HCTX_ORIGIN_KTSTR:
	case HCTX_ORIGIN_PAIR:
	default:
		n = asprintf(&text, "the reference");
		break;
	}
	if (n < 0)
		return -ENOMEM;
	*ret_text = text;
	return 0;
}

HCTX_EXPORT bool hostctx_sidecar_is_reference_pair(const struct hostctx_sidecar *sc)
{
	return sc->reference_pair;
}

HCTX_EXPORT struct hostctx_sidecar *hostctx_document_take_sidecar(struct hostctx_document *d)
{
	return TAKE_PTR(d->sidecar);
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
