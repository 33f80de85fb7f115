/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and sidecars to JSON (CONTRACT §2, §3; docs/json-format.md):
 * a small streaming printer (two-space indent, integers printed exactly
 * with PRIu64, absent values omitted) that walks the field table, so a
 * new field needs no code here.  Reading is json_read.c: programs that
 * only write (hostctx-run) then need no JSON parser at run time.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* ================================================================== */
/* Writing                                                            */
/* ================================================================== */

struct jw {
	FILE *f;
	int depth;
	bool first;	/* nothing written yet in the current object/array */
};

static void jw_newline(struct jw *w)
{
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before each member or element: the comma, then a fresh line. */
static void jw_next(struct jw *w)
{
	if (!w->first)
		fputc(',', w->f);
	jw_newline(w);
	w->first = false;
}

static void jw_begin(struct jw *w, char open)
{
	fputc(open, w->f);
	w->depth++;
	w->first = true;
}

/* An empty object or array stays on one line: "{}", "[]". */
static void jw_end(struct jw *w, char close)
{
	w->depth--;
	if (!w->first)
		jw_newline(w);
	fputc(close, w->f);
	w->first = false;
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	size_t need = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;

	if (need > left || !hctx_is_utf8((const char *)p, need))
		return 0;
	return need;
}

/*
 * A JSON string.  Text that is not UTF-8 (argv may hold any bytes) gets
 * U+FFFD per bad byte so that the document stays valid JSON.
 */
static void put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, run = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = p[i];
		size_t seq = 1;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			i++;
			run++;
			continue;
		}
		fwrite(p + i - run, 1, run, f);
		run = 0;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c < 0x80) {
				fprintf(f, "\\u%04x", c);
			} else if ((seq = utf8_sequence(p + i, len - i)) > 0) {
				fwrite(p + i, 1, seq, f);
			} else {
				fputs("\\ufffd", f);
				seq = 1;
			}
			break;
		}
		i += seq;
	}
	fwrite(p + i - run, 1, run, f);
	fputc('"', f);
}

static void jw_key(struct jw *w, const char *key)
{
	jw_next(w);
	put_string(w->f, key);
	fputs(": ", w->f);
}

static void jw_string(struct jw *w, const char *key, const char *value)
{
	jw_key(w, key);
	put_string(w->f, value);
}

static void jw_u64(struct jw *w, const char *key, uint64_t value)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRIu64, value);
}

static void jw_int(struct jw *w, const char *key, long long value)
{
	jw_key(w, key);
	fprintf(w->f, "%lld", value);
}

static void jw_bool(struct jw *w, const char *key, bool value)
{
	jw_key(w, key);
	fputs(value ? "true" : "false", w->f);
}

/* Seconds with microsecond precision; JSON has no NaN or infinity. */
static void jw_seconds(struct jw *w, const char *key, double value)
{
	jw_key(w, key);
	fprintf(w->f, "%.6f", isfinite(value) ? value : 0.0);
}

static void jw_object(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_begin(w, '{');
}

static void jw_optional_string(struct jw *w, const char *key, const char *value)
{
	if (value)
		jw_string(w, key, value);
}

static void write_kvmap(struct jw *w, const struct hostctx_kvmap *m)
{
	jw_begin(w, '{');
	for (size_t i = 0; i < m->n; i++)
		jw_string(w, m->items[i].key, m->items[i].value);
	jw_end(w, '}');
}

/* Decimal CPU keys in numeric order ("2" before "10"): the map is sorted. */
static void write_govmap(struct jw *w, const struct hostctx_govmap *m)
{
	jw_begin(w, '{');
	for (size_t i = 0; i < m->n; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%u", m->items[i].cpu);
		jw_string(w, key, m->items[i].governor);
	}
	jw_end(w, '}');
}

static void write_heap(struct jw *w, struct hostctx_heap *h)
{
	jw_begin(w, '{');
	for (size_t i = 0; i < hctx_n_heap_json_rows; i++) {
		const struct hostctx_u64 *v = hctx_heap_row(h, i);

		if (v->present)
			jw_u64(w, hctx_heap_json_rows[i].name, v->value);
	}
	jw_end(w, '}');
}

static void write_field(struct jw *w, const struct hctx_field *f,
			const struct hostctx_snapshot *s)
{
	const void *p = HCTX_CFIELD(s, f);

	switch (f->kind) {
	case HCTX_KIND_STRING:
		jw_optional_string(w, f->name, *(char *const *)p);
		break;
	case HCTX_KIND_U64: {
		const struct hostctx_u64 *v = p;

		if (v->present)
			jw_u64(w, f->name, v->value);
		break;
	}
	case HCTX_KIND_DELAYACCT:
		jw_optional_string(w, f->name,
				   hostctx_delayacct_json_name(*(const enum hostctx_delayacct *)p));
		break;
	case HCTX_KIND_XACCT:
		jw_optional_string(w, f->name,
				   hostctx_xacct_name(*(const enum hostctx_xacct *)p));
		break;
	case HCTX_KIND_KVMAP:
		if (((const struct hostctx_kvmap *)p)->present) {
			jw_key(w, f->name);
			write_kvmap(w, p);
		}
		break;
	case HCTX_KIND_GOVMAP:
		if (((const struct hostctx_govmap *)p)->n > 0) {
			jw_key(w, f->name);
			write_govmap(w, p);
		}
		break;
	case HCTX_KIND_HEAP:
		if (*(struct hostctx_heap *const *)p) {
			jw_key(w, f->name);
			write_heap(w, *(struct hostctx_heap *const *)p);
		}
		break;
	}
}

static void write_snapshot(struct jw *w, const struct hostctx_snapshot *s)
{
	jw_begin(w, '{');
	for (size_t i = 0; i < hctx_n_fields; i++)
		write_field(w, &hctx_fields[i], s);
	jw_end(w, '}');
}

/* Run fn into a fresh memory stream; the text ends with a newline. */
static int write_document(void (*fn)(struct jw *, const void *),
			  const void *arg, char **ret_text, size_t *ret_len)
{
	struct jw w = { .first = true };
	char *text = NULL;
	size_t len = 0;
	bool failed;

	w.f = open_memstream(&text, &len);
	if (!w.f)
		return -ENOMEM;
	/* One thread owns the stream: skip stdio's per-call locking. */
	__fsetlocking(w.f, FSETLOCKING_BYCALLER);
	fn(&w, arg);
	fputc('\n', w.f);
	failed = ferror(w.f);
	if (fclose(w.f) != 0 || failed) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}

static void write_snapshot_doc(struct jw *w, const void *s)
{
	write_snapshot(w, s);
}

HCTX_EXPORT int hostctx_snapshot_to_json(const struct hostctx_snapshot *s,
					 char **ret_text, size_t *ret_len)
{
	return write_document(write_snapshot_doc, s, ret_text, ret_len);
}

/* ---- the sidecar --------------------------------------------------- */

static void jw_timestamp(struct jw *w, const char *key,
			 const struct timespec *ts)
{
	struct hctx_utc u;
	char buf[64];

	hctx_utc_fields(ts->tv_sec, &u);
	snprintf(buf, sizeof(buf), "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 u.year, u.month, u.day, u.hour, u.min, u.sec,
		 (long)(ts->tv_nsec / 1000000));
	jw_string(w, key, buf);
}

static void write_exit(struct jw *w, const struct hostctx_exit *e)
{
	const char *name;

	if (e->kind == HOSTCTX_EXIT_NONE)
		return;
	jw_object(w, "exit");
	if (e->kind == HOSTCTX_EXIT_CODE) {
		jw_int(w, "code", e->code);
	} else {
		jw_int(w, "signal", e->signal);
		name = hostctx_signal_name(e->signal);
		jw_optional_string(w, "signal_name", name);
		jw_bool(w, "core_dumped", e->core_dumped);
	}
	jw_end(w, '}');
}

static void write_rusage(struct jw *w, const char *key,
			 const struct hostctx_rusage *ru)
{
	if (!ru->present)
		return;
	jw_object(w, key);
	for (size_t i = 0; i < hctx_n_rusage_json_rows; i++) {
		const void *p = (const char *)ru + hctx_rusage_json_rows[i].offset;

		if (hctx_rusage_json_rows[i].seconds)
			jw_seconds(w, hctx_rusage_json_rows[i].name, *(const double *)p);
		else
			jw_u64(w, hctx_rusage_json_rows[i].name, *(const uint64_t *)p);
	}
	jw_end(w, '}');
}

static void write_run(struct jw *w, const struct hostctx_sidecar *sc)
{
	jw_object(w, "run");
	if (sc->has_started_at)
		jw_timestamp(w, "started_at", &sc->started_at);
	if (sc->has_ended_at)
		jw_timestamp(w, "ended_at", &sc->ended_at);
	if (sc->has_wall_seconds)
		jw_seconds(w, "wall_seconds", sc->wall_seconds);
	write_exit(w, &sc->exit);
	jw_optional_string(w, "exec_error", sc->exec_error);
	write_rusage(w, "rusage", &sc->rusage);
	write_rusage(w, "rusage_children", &sc->rusage_children);
	if (sc->descendants_left >= 0)
		jw_int(w, "descendants_left", sc->descendants_left);
	jw_end(w, '}');
}

static void write_command(struct jw *w, const struct hostctx_sidecar *sc)
{
	jw_object(w, "command");
	jw_key(w, "argv");
	jw_begin(w, '[');
	for (size_t i = 0; i < sc->argc; i++) {
		jw_next(w);
		put_string(w->f, sc->argv[i] ? sc->argv[i] : "");
	}
	jw_end(w, ']');
	jw_optional_string(w, "cwd", sc->cwd);
	jw_end(w, '}');
}

/* A change's value: JSON-typed, null for absent. */
static void write_value(struct jw *w, const char *key,
			const struct hostctx_value *v)
{
	jw_key(w, key);
	switch (v->kind) {
	case HOSTCTX_VALUE_STRING:
		put_string(w->f, v->string);
		break;
	case HOSTCTX_VALUE_U64:
		fprintf(w->f, "%" PRIu64, v->u64);
		break;
	case HOSTCTX_VALUE_KVMAP:
		write_kvmap(w, v->kvmap);
		break;
	case HOSTCTX_VALUE_GOVMAP:
		write_govmap(w, v->govmap);
		break;
	case HOSTCTX_VALUE_ABSENT:
		fputs("null", w->f);
		break;
	}
}

static void write_changes_array(struct jw *w, const struct hostctx_changes *c)
{
	jw_begin(w, '[');
	for (size_t i = 0; i < c->n; i++) {
		jw_next(w);
		jw_begin(w, '{');
		jw_string(w, "field", c->items[i].field);
		write_value(w, "before", &c->items[i].before);
		write_value(w, "after", &c->items[i].after);
		jw_end(w, '}');
	}
	jw_end(w, ']');
}

static void write_changes(struct jw *w, const struct hostctx_changes *c)
{
	jw_key(w, "changes");
	write_changes_array(w, c);
}

static void write_changes_doc(struct jw *w, const void *c)
{
	write_changes_array(w, c);
}

HCTX_EXPORT int hostctx_changes_to_json(const struct hostctx_changes *c,
					char **ret_text, size_t *ret_len)
{
	return write_document(write_changes_doc, c, ret_text, ret_len);
}

struct sidecar_job {
	const struct hostctx_sidecar *sc;
	const struct hostctx_changes *changes;	/* NULL: no pre/post pair */
};

static void write_sidecar_doc(struct jw *w, const void *arg)
{
	const struct sidecar_job *job = arg;
	const struct hostctx_sidecar *sc = job->sc;

	jw_begin(w, '{');
	jw_string(w, "schema", HOSTCTX_SIDECAR_SCHEMA);
	jw_object(w, "tool");
	jw_string(w, "name", sc->tool_name ? sc->tool_name : "hostctx-run");
	jw_string(w, "version", sc->tool_version ? sc->tool_version : HOSTCTX_VERSION);
	jw_end(w, '}');
	jw_optional_string(w, "mode", sc->mode);
	jw_bool(w, "complete", sc->complete);
	write_command(w, sc);
	write_run(w, sc);
	if (sc->has_pre) {
		jw_key(w, "pre");
		write_snapshot(w, &sc->pre);
	}
	if (sc->has_post) {
		jw_key(w, "post");
		write_snapshot(w, &sc->post);
	}
	if (job->changes)
		write_changes(w, job->changes);
	jw_end(w, '}');
}

HCTX_EXPORT int hostctx_sidecar_to_json(const struct hostctx_sidecar *sc,
					char **ret_text, size_t *ret_len)
{
	struct hostctx_changes changes = { 0 };
	struct sidecar_job job = { .sc = sc };
	int r;

	if (sc->has_pre && sc->has_post) {
		r = hostctx_diff(&sc->pre, &sc->post, &changes);
		if (r < 0)
			return r;
		job.changes = &changes;
	}
	r = write_document(write_sidecar_doc, &job, ret_text, ret_len);
	hostctx_changes_clear(&changes);
	return r;
}
