/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and sidecars to JSON (docs/json-format.md):
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
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* ================================================================== */
/* Writing                                                            */
/* ================================================================== */

/*
 * The text goes into a growing buffer of our own rather than a stdio
 * memory stream: a 3 KB sidecar is ~105k instructions through open_memstream
 * (fputc/fwrite per token) against ~39k this way, and the preload library
 * writes two of them in the process it records.
 */
struct jbuf {
	char *data;
	size_t len, cap;
	bool failed;		/* out of memory: everything after is dropped */
};

struct hctx_jw {
	struct jbuf out;
	int depth;
	bool first;	/* nothing written yet in the current object/array */
	bool compact;	/* one line, no blanks: rows of hostctx export */
};

/* Grow to hold n more bytes and a NUL; false once an allocation failed. */
static bool jb_grow(struct jbuf *b, size_t n)
{
	size_t want = b->cap ? b->cap : 4096;
	char *p;

	if (b->failed)
		return false;
	while (want - b->len <= n) {
		if (want > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		want *= 2;
	}
	p = realloc(b->data, want);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = want;
	return true;
}

/* The check on every token; after a failure the text is discarded. */
static inline bool jb_reserve(struct jbuf *b, size_t n)
{
	return b->cap - b->len > n || jb_grow(b, n);
}

static void jb_write(struct jbuf *b, const void *p, size_t n)
{
	if (n == 0 || !jb_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void jb_putc(struct jbuf *b, char c)
{
	if (jb_reserve(b, 1))
		b->data[b->len++] = c;
}

static void jb_puts(struct jbuf *b, const char *s)
{
	jb_write(b, s, strlen(s));
}

static void jb_u64(struct jbuf *b, uint64_t v)
{
	char digits[20];
	size_t n = sizeof(digits);

	do
		digits[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	jb_write(b, digits + n, sizeof(digits) - n);
}

static void jb_printf(struct jbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For the rare tokens that are not integers: measure, then print. */
static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!jb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void jw_newline(struct hctx_jw *w)
{
	static const char spaces[] = "                                ";
	size_t indent = 2 * (size_t)w->depth;

	if (w->compact)
		return;
	jb_putc(&w->out, '\n');
	for (; indent > sizeof(spaces) - 1; indent -= sizeof(spaces) - 1)
		jb_write(&w->out, spaces, sizeof(spaces) - 1);
	jb_write(&w->out, spaces, indent);
}

/* Before each member or element: the comma, then a fresh line. */
static void jw_next(struct hctx_jw *w)
{
	if (!w->first)
		jb_putc(&w->out, ',');
	jw_newline(w);
	w->first = false;
}

static void jw_begin(struct hctx_jw *w, char open)
{
	jb_putc(&w->out, open);
	w->depth++;
	w->first = true;
}

/* An empty object or array stays on one line: "{}", "[]". */
static void jw_end(struct hctx_jw *w, char close)
{
	w->depth--;
	if (!w->first)
		jw_newline(w);
	jb_putc(&w->out, close);
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

/* Bytes copied as they are: printable ASCII but '"' (0x22) and '\\' (0x5c). */
static const bool plain_ascii[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

/* The escape for one byte that is not plain ASCII, or NULL. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	case '\b': return "\\b";
	case '\f': return "\\f";
	default: return NULL;
	}
}

/*
 * A JSON string.  Text that is not UTF-8 (argv may hold any bytes) gets
 * U+FFFD per bad byte so that the document stays valid JSON.  Runs of
 * plain ASCII are copied at once.
 */
static void put_string(struct jbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	jb_putc(b, '"');
	while (i < len) {
		size_t run = i, seq;
		const char *esc;

		while (run < len && plain_ascii[p[run]])
			run++;
		jb_write(b, p + i, run - i);
		if ((i = run) == len)
			break;
		if ((esc = short_escape(p[i])) != NULL) {
			jb_puts(b, esc);
			seq = 1;
		} else if (p[i] < 0x80) {
			jb_printf(b, "\\u%04x", p[i]);
			seq = 1;
		} else if ((seq = utf8_sequence(p + i, len - i)) > 0) {
			jb_write(b, p + i, seq);
		} else {
			jb_puts(b, "\\ufffd");
			seq = 1;
		}
		i += seq;
	}
	jb_putc(b, '"');
}

static void jw_key(struct hctx_jw *w, const char *key)
{
	jw_next(w);
	put_string(&w->out, key);
	jb_write(&w->out, ": ", w->compact ? 1 : 2);
}

static void jw_string(struct hctx_jw *w, const char *key, const char *value)
{
	jw_key(w, key);
	put_string(&w->out, value);
}

static void jw_u64(struct hctx_jw *w, const char *key, uint64_t value)
{
	jw_key(w, key);
	jb_u64(&w->out, value);
}

static void jw_int(struct hctx_jw *w, const char *key, long long value)
{
	jw_key(w, key);
	if (value < 0) {
		jb_putc(&w->out, '-');
		jb_u64(&w->out, 0 - (uint64_t)value);
	} else {
		jb_u64(&w->out, (uint64_t)value);
	}
}

static void jw_bool(struct hctx_jw *w, const char *key, bool value)
{
	jw_key(w, key);
	jb_puts(&w->out, value ? "true" : "false");
}

/* Seconds with microsecond precision; JSON has no NaN or infinity. */
static void jw_seconds(struct hctx_jw *w, const char *key, double value)
{
	jw_key(w, key);
	jb_printf(&w->out, "%.6f", isfinite(value) ? value : 0.0);
}

static void jw_object(struct hctx_jw *w, const char *key)
{
	jw_key(w, key);
	jw_begin(w, '{');
}

static void jw_optional_string(struct hctx_jw *w, const char *key, const char *value)
{
	if (value)
		jw_string(w, key, value);
}

/* ---- the operations kinds.c writes values with ---------------------- */

void hctx_jw_string(struct hctx_jw *w, const char *str)
{
	put_string(&w->out, str);
}

void hctx_jw_u64(struct hctx_jw *w, uint64_t v)
{
	jb_u64(&w->out, v);
}

void hctx_jw_s64(struct hctx_jw *w, int64_t v)
{
	if (v < 0) {
		jb_putc(&w->out, '-');
		jb_u64(&w->out, 0 - (uint64_t)v);
	} else {
		jb_u64(&w->out, (uint64_t)v);
	}
}

void hctx_jw_bool(struct hctx_jw *w, bool v)
{
	jb_puts(&w->out, v ? "true" : "false");
}

/* The shortest text that reads back as the same double; JSON has no NaN. */
void hctx_double_text(double v, char *buf, size_t size)
{
	if (!isfinite(v))
		v = 0.0;
	snprintf(buf, size, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, size, "%.17g", v);
}

void hctx_jw_double(struct hctx_jw *w, double v)
{
	char buf[32];

	hctx_double_text(v, buf, sizeof(buf));
	jb_puts(&w->out, buf);
}

void hctx_jw_raw(struct hctx_jw *w, const char *json_text)
{
	jb_puts(&w->out, json_text);
}

void hctx_jw_null(struct hctx_jw *w)
{
	jb_puts(&w->out, "null");
}

void hctx_jw_begin(struct hctx_jw *w, char open)
{
	jw_begin(w, open);
}

void hctx_jw_end(struct hctx_jw *w, char close)
{
	jw_end(w, close);
}

void hctx_jw_key(struct hctx_jw *w, const char *key)
{
	jw_key(w, key);
}

void hctx_jw_elem(struct hctx_jw *w)
{
	jw_next(w);
}

static void write_snapshot(struct hctx_jw *w, const struct hostctx_snapshot *s)
{
	jw_begin(w, '{');
	for (size_t i = 0; i < hctx_n_fields; i++) {
		if (!s->values[i])
			continue;
		jw_key(w, hctx_fields[i].name);
		hctx_write_value(w, hctx_fields[i].spec, s->values[i]);
	}
	jw_end(w, '}');
}

static int jw_run(void (*fn)(struct hctx_jw *, const void *), const void *arg,
		  bool compact, char **ret_text, size_t *ret_len)
{
	struct hctx_jw w = { .first = true, .compact = compact };

	fn(&w, arg);
	jb_putc(&w.out, '\n');
	if (w.out.failed) {
		free(w.out.data);
		return -ENOMEM;
	}
	w.out.data[w.out.len] = '\0';	/* jb_reserve keeps room for it */
	*ret_text = w.out.data;
	if (ret_len)
		*ret_len = w.out.len;
	return 0;
}

/* Run fn into a fresh buffer; the text ends with a newline and a NUL. */
int hctx_jw_document(void (*fn)(struct hctx_jw *, const void *), const void *arg,
		     char **ret_text, size_t *ret_len)
{
	return jw_run(fn, arg, false, ret_text, ret_len);
}

int hctx_jw_document_compact(void (*fn)(struct hctx_jw *, const void *), const void *arg,
			     char **ret_text, size_t *ret_len)
{
	return jw_run(fn, arg, true, ret_text, ret_len);
}

static void write_snapshot_doc(struct hctx_jw *w, const void *s)
{
	write_snapshot(w, s);
}

HCTX_EXPORT int hostctx_snapshot_to_json(const struct hostctx_snapshot *s,
					 char **ret_text, size_t *ret_len)
{
	return hctx_jw_document(write_snapshot_doc, s, ret_text, ret_len);
}

/* ---- the sidecar --------------------------------------------------- */

static void jw_timestamp(struct hctx_jw *w, const char *key,
			 const struct timespec *ts)
{
	char buf[64];

	hctx_utc_timestamp(ts, buf, sizeof(buf));
	jw_string(w, key, buf);
}

static void write_exit(struct hctx_jw *w, const struct hctx_exit *e)
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

static void write_rusage(struct hctx_jw *w, const char *key,
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

static void write_run(struct hctx_jw *w, const struct hostctx_sidecar *sc)
{
	jw_object(w, "run");
	if (sc->pid > 0) {
		jw_int(w, "pid", sc->pid);
		jw_u64(w, "pid_start_ticks", sc->pid_start_ticks);
	}
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
	jw_optional_string(w, "descendants_wait", sc->descendants_wait);
	jw_optional_string(w, "refused", sc->refused);
	jw_end(w, '}');
}

static void write_command(struct hctx_jw *w, const struct hostctx_sidecar *sc)
{
	jw_object(w, "command");
	jw_key(w, "argv");
	jw_begin(w, '[');
	for (size_t i = 0; i < sc->argc; i++) {
		jw_next(w);
		put_string(&w->out, sc->argv[i] ? sc->argv[i] : "");
	}
	jw_end(w, ']');
	jw_optional_string(w, "cwd", sc->cwd);
	jw_end(w, '}');
}

/* A change's value: JSON-typed, null for absent. */
static void write_side(struct hctx_jw *w, const char *key,
		       const struct hctx_spec *spec, const struct hctx_value *v)
{
	jw_key(w, key);
	if (v)
		hctx_write_value(w, spec, v);
	else
		jb_puts(&w->out, "null");
}

/* What a write entry and a written_by writer share: the writer, when known. */
static void write_writer(struct hctx_jw *w, const struct hctx_write *e)
{
	if (e->pid > 0)
		jw_int(w, "pid", e->pid);
	jw_optional_string(w, "comm", e->comm);
	if (e->by_command >= 0)
		jw_bool(w, "by_command", e->by_command > 0);
}

static void write_written_by_one(void *arg, const struct hctx_write *first, size_t count)
{
	struct hctx_jw *w = arg;

	jw_next(w);
	jw_begin(w, '{');
	write_writer(w, first);
	jw_u64(w, "writes", count);
	jw_end(w, '}');
}

/* A change whose source was written: its distinct writers. */
static void write_written_by(struct hctx_jw *w, const struct hctx_writes *writes,
			     const char *field)
{
	if (!writes || hctx_writers_of(writes, field, NULL, NULL) == 0)
		return;
	jw_key(w, "written_by");
	jw_begin(w, '[');
	hctx_writers_of(writes, field, write_written_by_one, w);
	jw_end(w, ']');
}

/* writes: NULL outside a record (hostctx diff --json). */
static void write_changes_array(struct hctx_jw *w, const struct hostctx_changes *c,
				const struct hctx_writes *writes)
{
	jw_begin(w, '[');
	for (size_t i = 0; i < c->n; i++) {
		unsigned flags = c->items[i].flags;

		if (flags & HOSTCTX_CHANGE_NOT_COMPARED)
			continue;	/* counted by `diff`, never listed */
		jw_next(w);
		jw_begin(w, '{');
		jw_string(w, "field", c->items[i].field);
		jw_string(w, "class", hostctx_class_name((int)c->items[i].cls));
		write_side(w, "before", c->items[i].spec, c->items[i].before);
		write_side(w, "after", c->items[i].spec, c->items[i].after);
		if (flags & HOSTCTX_CHANGE_WITHIN_TOLERANCE)
			jw_bool(w, "within_tolerance", true);
		if (flags & HOSTCTX_CHANGE_NOT_COMPARABLE)
			jw_bool(w, "not_comparable", true);
		write_written_by(w, writes, c->items[i].field);
		jw_end(w, '}');
	}
	jw_end(w, ']');
}

static void write_changes(struct hctx_jw *w, const struct hostctx_changes *c,
			  const struct hctx_writes *writes)
{
	jw_key(w, "changes");
	write_changes_array(w, c, writes);
}

static void write_changes_doc(struct hctx_jw *w, const void *c)
{
	write_changes_array(w, c, NULL);
}

/* --watch-writes: the source, the entries, what was counted or lost. */
static void write_writes(struct hctx_jw *w, const struct hctx_writes *writes)
{
	if (!writes->source)
		return;
	jw_string(w, "writes_source", writes->source);
	jw_key(w, "writes");
	jw_begin(w, '[');
	for (size_t i = 0; i < writes->n; i++) {
		const struct hctx_write *e = &writes->items[i];

		jw_next(w);
		jw_begin(w, '{');
		jw_string(w, "path", e->path);
		write_writer(w, e);
		jw_seconds(w, "seconds", e->seconds);
		jw_end(w, '}');
	}
	jw_end(w, ']');
	if (writes->omitted)
		jw_u64(w, "writes_omitted", writes->omitted);
	if (writes->overflowed)
		jw_bool(w, "writes_overflowed", true);
	if (writes->unwatched)
		jw_u64(w, "writes_unwatched", writes->unwatched);
	if (writes->sources_only)
		jw_bool(w, "writes_sources_only", true);
	if (writes->late_watch)
		jw_seconds(w, "writes_all_watched_at", writes->all_watched_at);
}

HCTX_EXPORT int hostctx_changes_to_json(const struct hostctx_changes *c,
					char **ret_text, size_t *ret_len)
{
	return hctx_jw_document(write_changes_doc, c, ret_text, ret_len);
}

/* A value tree built without a spec (deltas): maps in insertion order. */
static void write_node(struct hctx_jw *w, const struct hctx_value *v)
{
	switch (v->node) {
	case HCTX_NODE_STRING:
		put_string(&w->out, v->s);
		break;
	case HCTX_NODE_U64:
		jb_u64(&w->out, v->u);
		break;
	case HCTX_NODE_DOUBLE:
		hctx_jw_double(w, v->d);
		break;
	case HCTX_NODE_MAP:
		jw_begin(w, '{');
		for (size_t i = 0; i < v->map.n; i++) {
			jw_key(w, v->map.e[i].key);
			write_node(w, v->map.e[i].value);
		}
		jw_end(w, '}');
		break;
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_RECORD:
	case HCTX_NODE_ARRAY:
		jb_puts(&w->out, "null");	/* deltas hold none of these */
		break;
	}
}

void hctx_jw_node(struct hctx_jw *w, const struct hctx_value *v)
{
	write_node(w, v);
}

struct sidecar_job {
	const struct hostctx_sidecar *sc;
	const struct hostctx_changes *changes;	/* NULL: no pre/post pair */
	const struct hctx_value *deltas;	/* complete records with both */
	const char *deltas_unavailable;
	const struct hctx_value *redacted;	/* pre's list, at the top too */
};

static void write_snapshots(struct hctx_jw *w, const struct hostctx_sidecar *sc)
{
	if (sc->pre) {
		jw_key(w, "pre");
		write_snapshot(w, sc->pre);
	}
	if (sc->post) {
		jw_key(w, "post");
		write_snapshot(w, sc->post);
	}
}

/* A pair read from the reference's format is written back in it. */
static void write_reference_pair(struct hctx_jw *w, const struct hostctx_sidecar *sc)
{
	jw_begin(w, '{');
	write_snapshots(w, sc);
	jw_end(w, '}');
}

static void write_sidecar_doc(struct hctx_jw *w, const void *arg)
{
	const struct sidecar_job *job = arg;
	const struct hostctx_sidecar *sc = job->sc;

	if (sc->reference_pair) {
		write_reference_pair(w, sc);
		return;
	}
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
	write_snapshots(w, sc);
	if (job->changes)
		write_changes(w, job->changes, &sc->writes);
	write_writes(w, &sc->writes);
	if (job->deltas) {
		jw_key(w, "deltas");
		write_node(w, job->deltas);
	}
	if (job->deltas_unavailable)
		jw_string(w, "deltas_unavailable", job->deltas_unavailable);
	if (sc->check) {
		jw_key(w, "check");
		hctx_check_write(w, &(struct hctx_check_job){
			.rep = sc->check, .source = "pre", .least = HOSTCTX_CHECK_OK });
	}
	if (job->redacted) {
		jw_key(w, "redacted");
		hctx_write_value(w, hctx_fields[hostctx_field_index("redacted")].spec,
				 job->redacted);
	}
	jw_end(w, '}');
}

HCTX_EXPORT int hostctx_sidecar_to_json(const struct hostctx_sidecar *sc,
					char **ret_text, size_t *ret_len)
{
	struct hostctx_changes *changes = NULL;
	struct sidecar_job job = { .sc = sc };
	struct hctx_value *deltas = NULL;
	int row = hostctx_field_index("redacted");
	int r;

	if (sc->pre && row >= 0)
		job.redacted = hctx_snapshot_value(sc->pre, (size_t)row);
	if (sc->pre && sc->post) {
		r = hostctx_diff(sc->pre, sc->post, &changes);
		if (r < 0)
			return r;
		job.changes = changes;
	}
	if (sc->pre && sc->post && sc->complete) {
		r = hctx_deltas(sc->pre, sc->post, &deltas, &job.deltas_unavailable);
		if (r < 0) {
			hostctx_changes_free(changes);
			return r;
		}
		job.deltas = deltas;
	}
	r = hctx_jw_document(write_sidecar_doc, &job, ret_text, ret_len);
	hostctx_changes_free(changes);
	hctx_value_free(deltas);
	return r;
}

HCTX_EXPORT int hostctx_change_value_json(const struct hostctx_changes *c, size_t i,
					  enum hostctx_side side, char **ret_text)
{
	struct hctx_jw w = { .first = true };
	const struct hctx_change *ch;
	const struct hctx_value *v;

	if (!c || i >= c->n)
		return -EINVAL;
	ch = &c->items[i];
	v = side == HOSTCTX_BEFORE ? ch->before : ch->after;
	if (v)
		hctx_write_value(&w, ch->spec, v);
	else
		jb_puts(&w.out, "null");
	if (w.out.failed) {
		free(w.out.data);
		return -ENOMEM;
	}
	w.out.data[w.out.len] = '\0';	/* one value, no newline */
	*ret_text = w.out.data;
	return 0;
}
