/* SPDX-License-Identifier: MIT */
/*
 * export.c - records as flat rows for fleet databases (docs/fleet.md):
 * NDJSON or CSV, one row per record (or per snapshot), with columns
 * that are the same for every row, in the same order, whatever the
 * record holds.  DuckDB, ClickHouse, BigQuery and sqlite then load the
 * rows as they are.
 *
 * The field table drives the columns: each kind's export operation
 * (kinds.c) says which cells a value gives (a scalar one, a record one
 * per member, a per-CPU map two, a string-keyed map or an array one
 * holding JSON text), from its spec and never from the value, so a new
 * field appears as columns with no change to this file.  This file
 * keeps the column name so far and writes the cells.  The header row
 * is the same walk over an empty record, so names and values cannot
 * drift apart.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hctx_export {
	enum hostctx_export_format format;
	bool header;		/* column names (CSV) instead of values */
	struct hctx_jw *jw;	/* the NDJSON row being written */
	struct hctx_text csv;	/* the CSV row (or header) being written */
	char name[HCTX_PATH_MAX];
	size_t name_len;
	size_t n_cells;
	int err;
};

/* ---- text buffers ------------------------------------------------------ */

static void buf_add(struct hctx_export *x, struct hctx_text *b, const char *s, size_t n)
{
	/* the first failure sticks: what follows is not added */
	if (!x->err)
		x->err = hctx_text_add(b, s, n);
}

static void buf_puts(struct hctx_export *x, struct hctx_text *b, const char *s)
{
	buf_add(x, b, s, strlen(s));
}

/* ---- the walk's position ------------------------------------------------ */

size_t hctx_export_enter(struct hctx_export *x, const char *part)
{
	size_t mark = x->name_len;
	int n = snprintf(x->name + mark, sizeof(x->name) - mark, "%s%s",
			 mark ? "_" : "", part);

	if (n < 0 || (size_t)n >= sizeof(x->name) - mark) {
		x->err = -ENAMETOOLONG;	/* no spec nests so deep */
		x->name[mark] = '\0';
		return mark;
	}
	x->name_len += (size_t)n;
	return mark;
}

void hctx_export_leave(struct hctx_export *x, size_t mark)
{
	x->name_len = mark;
	x->name[mark] = '\0';
}

/* ---- cells ---------------------------------------------------------------- */

/* Start a cell: false when only its name is wanted (the CSV header). */
static bool cell(struct hctx_export *x)
{
	if (x->format == HOSTCTX_EXPORT_NDJSON)
		hctx_jw_key(x->jw, x->name);
	else if (x->n_cells)
		buf_add(x, &x->csv, ",", 1);
	x->n_cells++;
	if (x->header)
		buf_puts(x, &x->csv, x->name);
	return !x->header;
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break; "" doubles a quote. */
static void csv_string(struct hctx_export *x, const char *s)
{
	if (*s && !strpbrk(s, ",\"\r\n")) {
		buf_puts(x, &x->csv, s);
		return;
	}
	/* "" (quoted) is an empty string; an empty field is null. */
	buf_add(x, &x->csv, "\"", 1);
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		buf_add(x, &x->csv, s, (size_t)(q - s));
		buf_add(x, &x->csv, "\"\"", 2);
	}
	buf_puts(x, &x->csv, s);
	buf_add(x, &x->csv, "\"", 1);
}

void hctx_export_null(struct hctx_export *x)
{
	if (cell(x) && x->format == HOSTCTX_EXPORT_NDJSON)
		hctx_jw_null(x->jw);
}

void hctx_export_string(struct hctx_export *x, const char *s)
{
	if (!cell(x))
		return;
	if (x->format == HOSTCTX_EXPORT_NDJSON)
		hctx_jw_string(x->jw, s);
	else
		csv_string(x, s);
}

/* A number: the same text in both formats, never quoted. */
static void number(struct hctx_export *x, const char *text)
{
	if (!cell(x))
		return;
	if (x->format == HOSTCTX_EXPORT_NDJSON)
		hctx_jw_raw(x->jw, text);
	else
		buf_puts(x, &x->csv, text);
}

void hctx_export_u64(struct hctx_export *x, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	number(x, buf);
}

void hctx_export_s64(struct hctx_export *x, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	number(x, buf);
}

void hctx_export_bool(struct hctx_export *x, bool v)
{
	number(x, v ? "true" : "false");
}

/*
 * Always with a '.' or an exponent ("2.0", not "2"): loaders that infer
 * a column's type from the first rows (DuckDB, BigQuery) then make it a
 * floating-point column, not an integer one a later 0.5 breaks.
 */
void hctx_export_double(struct hctx_export *x, double v)
{
	char buf[40];

	hctx_double_text(v, buf, sizeof(buf) - 2);
	if (!strpbrk(buf, ".eEn"))	/* n: "inf", "nan" are written as 0 */
		strcat(buf, ".0");
	number(x, buf);
}

struct json_cell {
	const struct hctx_spec *spec;
	const struct hctx_value *v;
};

static void write_json_cell(struct hctx_jw *w, const void *arg)
{
	const struct json_cell *c = arg;

	hctx_write_value(w, c->spec, c->v);
}

void hctx_export_json(struct hctx_export *x, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (!v || x->header) {
		hctx_export_null(x);
		return;
	}
	if (hctx_jw_document_compact(write_json_cell, &(struct json_cell){ spec, v },
				     &text, &len) < 0) {
		x->err = -ENOMEM;
		return;
	}
	text[len - 1] = '\0';	/* the document's newline */
	hctx_export_string(x, text);
}

/* ---- per-CPU maps ---------------------------------------------------------- */

/* A scalar as the canonical string shows it. */
static void scalar_text(const struct hctx_value *v, char *buf, size_t size,
			const char **ret)
{
	*ret = buf;
	buf[0] = '\0';
	switch (v->node) {
	case HCTX_NODE_STRING:
		*ret = v->s;
		break;
	case HCTX_NODE_U64:
		snprintf(buf, size, "%" PRIu64, v->u);
		break;
	case HCTX_NODE_S64:
		snprintf(buf, size, "%" PRId64, v->i);
		break;
	case HCTX_NODE_BOOL:
		snprintf(buf, size, "%s", v->b ? "true" : "false");
		break;
	case HCTX_NODE_DOUBLE:
		hctx_double_text(v->d, buf, size);
		break;
	case HCTX_NODE_RECORD:
	case HCTX_NODE_MAP:
	case HCTX_NODE_ARRAY:
		break;	/* no spec has per-CPU containers */
	}
}

/* "0-3:schedutil;4:powersave": a by-CPU map's entries, by lowest CPU. */
static int canonical_text(struct hctx_export *x, const struct hctx_value *by, char **ret)
{
	struct hctx_text b = { 0 };
	char num[32];
	const char *text;

	buf_add(x, &b, "", 0);
	for (size_t i = 0; i < by->map.n; i++) {
		if (i)
			buf_add(x, &b, ";", 1);
		buf_puts(x, &b, by->map.e[i].key);
		buf_add(x, &b, ":", 1);
		scalar_text(by->map.e[i].value, num, sizeof(num), &text);
		buf_puts(x, &b, text);
	}
	if (x->err) {
		free(b.p);
		return x->err;
	}
	*ret = b.p;
	return 0;
}

/* The two cells of a map already keyed by cpulists, by lowest CPU. */
static void by_cpu_cells(struct hctx_export *x, const struct hctx_spec *spec,
			 const struct hctx_value *by)
{
	_cleanup_free_ char *text = NULL;
	size_t mark = hctx_export_enter(x, "uniform");

	hctx_export_walk(x, spec->elem, by && by->map.n == 1 ? by->map.e[0].value : NULL);
	hctx_export_leave(x, mark);
	if (by && !x->header && canonical_text(x, by, &text) == 0)
		hctx_export_string(x, text);
	else
		hctx_export_null(x);
}

void hctx_export_bycpu(struct hctx_export *x, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	by_cpu_cells(x, spec, v && v->node == HCTX_NODE_MAP ? v : NULL);
}

/* A map of CPU numbers grouped as a by-CPU map: CPUs with equal values together. */
static int group_by_value(const struct hctx_spec *spec, const struct hctx_value *v,
			  struct hctx_value **ret)
{
	const struct hctx_spec by = { .kind = HCTX_KIND_BYCPU, .elem = spec->elem };
	struct hctx_bycpu_builder b = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < v->map.n; i++) {
		char *end;
		unsigned long cpu = strtoul(v->map.e[i].key, &end, 10);

		if (*end || cpu >= HCTX_CPUSET_MAX)
			continue;	/* not a CPU number: the reader never makes one */
		r = hctx_bycpu_add(&b, (unsigned)cpu, hctx_value_dup(v->map.e[i].value));
	}
	if (r == 0)
		r = hctx_bycpu_finish(&b, &by, ret);
	hctx_bycpu_clear(&b);
	return r;
}

void hctx_export_cpumap(struct hctx_export *x, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	_cleanup_value_ struct hctx_value *by = NULL;

	if (v && v->node == HCTX_NODE_MAP && !x->header && group_by_value(spec, v, &by) < 0)
		x->err = -ENOMEM;
	by_cpu_cells(x, spec, by);
}

/* ---- canonical text of one value --------------------------------------------- */

/* v as compact JSON text, without the document's newline. */
static int json_text(const struct hctx_spec *spec, const struct hctx_value *v, char **ret)
{
	char *text = NULL;
	size_t len;
	int r = hctx_jw_document_compact(write_json_cell, &(struct json_cell){ spec, v },
					 &text, &len);

	if (r < 0)
		return r;
	text[len - 1] = '\0';
	*ret = text;
	return 0;
}

/* A per-CPU map's "cpulist:value;..." text, CPUs with equal values together. */
static int per_cpu_text(const struct hctx_spec *spec, const struct hctx_value *v, char **ret)
{
	_cleanup_value_ struct hctx_value *by = NULL;
	struct hctx_export x = { .format = HOSTCTX_EXPORT_NDJSON };

	if (v->node != HCTX_NODE_MAP)
		return -EINVAL;
	if (spec->kind == HCTX_KIND_CPUMAP) {
		int r = group_by_value(spec, v, &by);

		if (r < 0)
			return r;
		if (!by)
			return (*ret = strdup("")) ? 0 : -ENOMEM;
		v = by;
	}
	return canonical_text(&x, v, ret);
}

int hctx_value_canonical(const struct hctx_spec *spec, const struct hctx_value *v,
			 char **ret)
{
	char buf[40];
	const char *text;

	if (!v) {
		*ret = NULL;
		return 0;
	}
	if (spec->kind == HCTX_KIND_CPUMAP || spec->kind == HCTX_KIND_BYCPU)
		return per_cpu_text(spec, v, ret);
	if (v->node == HCTX_NODE_RECORD || v->node == HCTX_NODE_MAP ||
	    v->node == HCTX_NODE_ARRAY)
		return json_text(spec, v, ret);
	if (spec->kind == HCTX_KIND_LIMIT && v->node == HCTX_NODE_U64 && v->u == UINT64_MAX)
		text = HCTX_UNLIMITED;
	else
		scalar_text(v, buf, sizeof(buf), &text);
	*ret = strdup(text);
	return *ret ? 0 : -ENOMEM;
}

/* ---- rows ------------------------------------------------------------------- */

/* ts NULL: absent. */
static void timestamp_cell(struct hctx_export *x, const struct timespec *ts)
{
	char buf[64];

	if (!ts) {
		hctx_export_null(x);
		return;
	}
	hctx_utc_timestamp(ts, buf, sizeof(buf));
	hctx_export_string(x, buf);
}

static void write_argv(struct hctx_jw *w, const void *arg)
{
	const struct hostctx_sidecar *sc = arg;

	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < sc->argc; i++) {
		hctx_jw_elem(w);
		hctx_jw_string(w, sc->argv[i] ? sc->argv[i] : "");
	}
	hctx_jw_end(w, ']');
}

/* command_argv0, and command_argv: the whole argv as a JSON array in a string. */
static void argv_cells(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	_cleanup_free_ char *text = NULL;
	size_t mark = hctx_export_enter(x, "command_argv0"), len;

	if (sc && sc->argc && sc->argv[0])
		hctx_export_string(x, sc->argv[0]);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
	mark = hctx_export_enter(x, "command_argv");
	if (sc && !x->header && hctx_jw_document_compact(write_argv, sc, &text, &len) < 0)
		x->err = -ENOMEM;
	if (text) {
		text[len - 1] = '\0';	/* the document's newline */
		hctx_export_string(x, text);
	} else {
		hctx_export_null(x);
	}
	hctx_export_leave(x, mark);
}

static void optional_string(struct hctx_export *x, const char *name, const char *s)
{
	size_t mark = hctx_export_enter(x, name);

	if (s)
		hctx_export_string(x, s);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
}

static void rusage_cells(struct hctx_export *x, const char *prefix,
			 const struct hostctx_rusage *ru)
{
	size_t outer = hctx_export_enter(x, prefix);

	for (size_t i = 0; i < hctx_n_rusage_json_rows; i++) {
		const struct hctx_rusage_json_row *row = &hctx_rusage_json_rows[i];
		const void *p = ru ? (const char *)ru + row->offset : NULL;
		size_t mark = hctx_export_enter(x, row->name);

		if (!ru || !ru->present)
			hctx_export_null(x);
		else if (row->seconds)
			hctx_export_double(x, *(const double *)p);
		else
			hctx_export_u64(x, *(const uint64_t *)p);
		hctx_export_leave(x, mark);
	}
	hctx_export_leave(x, outer);
}

static void exit_cells(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	size_t mark = hctx_export_enter(x, "exit_code");

	if (sc && sc->exit.kind == HOSTCTX_EXIT_CODE)
		hctx_export_s64(x, sc->exit.code);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
	mark = hctx_export_enter(x, "exit_signal");
	if (sc && sc->exit.kind == HOSTCTX_EXIT_SIGNAL)
		hctx_export_s64(x, sc->exit.signal);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
}

/* The run: run_started_at ... run_exec_error, run_<rusage>, run_children_<rusage>. */
static void run_cells(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	size_t run = hctx_export_enter(x, "run"), mark;

	mark = hctx_export_enter(x, "started_at");
	timestamp_cell(x, sc && sc->has_started_at ? &sc->started_at : NULL);
	hctx_export_leave(x, mark);
	mark = hctx_export_enter(x, "ended_at");
	timestamp_cell(x, sc && sc->has_ended_at ? &sc->ended_at : NULL);
	hctx_export_leave(x, mark);
	mark = hctx_export_enter(x, "wall_seconds");
	if (sc && sc->has_wall_seconds)
		hctx_export_double(x, sc->wall_seconds);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
	exit_cells(x, sc);
	optional_string(x, "exec_error", sc ? sc->exec_error : NULL);
	optional_string(x, "refused", sc ? sc->refused : NULL);
	hctx_export_leave(x, run);
	rusage_cells(x, "run", sc ? &sc->rusage : NULL);
	rusage_cells(x, "run_children", sc ? &sc->rusage_children : NULL);
}

static void complete_cell(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	size_t mark = hctx_export_enter(x, "complete");

	if (sc)
		hctx_export_bool(x, sc->complete);
	else
		hctx_export_null(x);
	hctx_export_leave(x, mark);
}

/* schema, mode, complete, command_argv0, command_argv, command_cwd, run_*. */
static void record_cells(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	optional_string(x, "schema", sc ? HOSTCTX_SIDECAR_SCHEMA : NULL);
	optional_string(x, "mode", sc ? sc->mode : NULL);
	complete_cell(x, sc);
	argv_cells(x, sc);
	optional_string(x, "command_cwd", sc ? sc->cwd : NULL);
	run_cells(x, sc);
}

/* Every field of the table, under prefix ("pre", "post"; NULL: none). */
static void snapshot_cells(struct hctx_export *x, const char *prefix,
			   const struct hostctx_snapshot *s)
{
	size_t outer = prefix ? hctx_export_enter(x, prefix) : x->name_len;

	for (size_t i = 0; i < hctx_n_fields; i++) {
		size_t mark = hctx_export_enter(x, hctx_fields[i].name);

		hctx_export_walk(x, hctx_fields[i].spec, s ? s->values[i] : NULL);
		hctx_export_leave(x, mark);
	}
	hctx_export_leave(x, outer);
}

static void changes_cell(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	struct hostctx_changes *c = NULL;
	size_t mark = hctx_export_enter(x, "changes_count");

	if (sc && sc->pre && sc->post && !x->header) {
		if (hostctx_diff(sc->pre, sc->post, &c) < 0)
			x->err = -ENOMEM;
	}
	if (c)
		hctx_export_u64(x, hostctx_changes_count(c));
	else
		hctx_export_null(x);
	hostctx_changes_free(c);
	hctx_export_leave(x, mark);
}

/* As the record holds them: complete records with both snapshots. */
static void deltas_cells(struct hctx_export *x, const struct hostctx_sidecar *sc)
{
	_cleanup_value_ struct hctx_value *tree = NULL;
	const char *unavailable = NULL;
	size_t mark;

	if (sc && sc->pre && sc->post && sc->complete && !x->header &&
	    hctx_deltas(sc->pre, sc->post, &tree, &unavailable) < 0)
		x->err = -ENOMEM;
	optional_string(x, "deltas_unavailable", unavailable);
	mark = hctx_export_enter(x, "deltas");
	hctx_export_walk(x, &hctx_deltas_spec, tree);
	hctx_export_leave(x, mark);
}

/* What one row shows. */
struct row {
	const char *file;
	const struct hostctx_sidecar *sc;	/* NULL: a bare snapshot */
	const struct hostctx_snapshot *snapshot;	/* a snapshot row's */
	const char *phase;	/* NULL: the record's row */
};

static void row_cells(struct hctx_export *x, const struct row *row)
{
	optional_string(x, "file", row->file);
	if (row->phase) {
		optional_string(x, "phase", row->phase);
		record_cells(x, row->sc);
		snapshot_cells(x, NULL, row->snapshot);
		return;
	}
	record_cells(x, row->sc);
	snapshot_cells(x, "pre", row->sc ? row->sc->pre : NULL);
	snapshot_cells(x, "post", row->sc ? row->sc->post : NULL);
	changes_cell(x, row->sc);
	deltas_cells(x, row->sc);
}

struct ndjson_job {
	struct hctx_export *x;
	const struct row *row;
};

static void write_ndjson_row(struct hctx_jw *w, const void *arg)
{
	const struct ndjson_job *job = arg;

	job->x->jw = w;
	hctx_jw_begin(w, '{');
	row_cells(job->x, job->row);
	hctx_jw_end(w, '}');
	job->x->jw = NULL;
}

/* One whole row (or the header) appended to out: nothing when it fails. */
static int format_row(enum hostctx_export_format format, bool header,
		      const struct row *row, struct hctx_text *out)
{
	struct hctx_export x = { .format = format, .header = header };
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = 0;

	if (format == HOSTCTX_EXPORT_NDJSON) {
		r = hctx_jw_document_compact(write_ndjson_row,
					     &(struct ndjson_job){ &x, row }, &text, &len);
		if (r == 0 && x.err == 0)
			buf_add(&x, out, text, len);
	} else {
		row_cells(&x, row);
		buf_add(&x, &x.csv, "\r\n", 2);
		if (x.err == 0)
			buf_add(&x, out, x.csv.p, x.csv.len);
		free(x.csv.p);
	}
	return r < 0 ? r : x.err;
}

static bool format_known(enum hostctx_export_format format)
{
	return format == HOSTCTX_EXPORT_NDJSON || format == HOSTCTX_EXPORT_CSV;
}

static int finish(struct hctx_text *out, int r, char **ret_text, size_t *ret_len)
{
	if (r == 0 && !out->p && !(out->p = calloc(1, 1)))
		r = -ENOMEM;
	if (r < 0) {
		free(out->p);
		return r;
	}
	*ret_text = out->p;
	if (ret_len)
		*ret_len = out->len;
	return 0;
}

HCTX_EXPORT int hostctx_export_header(enum hostctx_export_format format, unsigned flags,
				      char **ret_text)
{
	struct row row = { .phase = flags & HOSTCTX_EXPORT_SNAPSHOTS ? "pre" : NULL };
	struct hctx_text out = { 0 };
	int r = 0;

	if (!format_known(format))
		return -EINVAL;
	if (format == HOSTCTX_EXPORT_CSV)
		r = format_row(format, true, &row, &out);
	return finish(&out, r, ret_text, NULL);
}

HCTX_EXPORT int hostctx_sidecar_export(const struct hostctx_sidecar *sc, const char *file,
				       enum hostctx_export_format format, unsigned flags,
				       char **ret_text, size_t *ret_len)
{
	struct hctx_text out = { 0 };
	int r = 0;

	if (!sc || !format_known(format))
		return -EINVAL;
	if (!(flags & HOSTCTX_EXPORT_SNAPSHOTS)) {
		r = format_row(format, false, &(struct row){ .file = file, .sc = sc }, &out);
	} else {
		if (sc->pre)
			r = format_row(format, false, &(struct row){ .file = file, .sc = sc,
				       .snapshot = sc->pre, .phase = "pre" }, &out);
		if (sc->post && r == 0)
			r = format_row(format, false, &(struct row){ .file = file, .sc = sc,
				       .snapshot = sc->post, .phase = "post" }, &out);
	}
	return finish(&out, r, ret_text, ret_len);
}

HCTX_EXPORT int hostctx_snapshot_export(const struct hostctx_snapshot *s, const char *file,
					enum hostctx_export_format format, unsigned flags,
					char **ret_text, size_t *ret_len)
{
	struct hctx_text out = { 0 };
	int r = 0;

	if (!s || !format_known(format) || !(flags & HOSTCTX_EXPORT_SNAPSHOTS))
		return -EINVAL;
	r = format_row(format, false, &(struct row){ .file = file, .snapshot = s,
		       .phase = "snapshot" }, &out);
	return finish(&out, r, ret_text, ret_len);
}
