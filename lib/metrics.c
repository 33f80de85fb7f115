/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - a sidecar or a snapshot as OpenMetrics text
 * (docs/metrics.md), for dashboards and GitLab's
 * artifacts:reports:metrics.
 *
 * The field table drives it: each kind's metrics operation (kinds.c)
 * says what a value gives (a sample for a number, none for a string,
 * its members as parts of the name, its keys as a label), so a new
 * numeric field appears here with no change to this file.  This file
 * keeps the walk's position (name and labels), collects the samples
 * and prints them family by family: OpenMetrics wants each family's
 * samples together, and one field has samples from both phases and
 * from every element of an array.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nested labels deeper than this are not written (no spec nests so). */
#define METRICS_DEPTH 16

struct metrics_sample {
	char *labels;		/* 'phase="pre",key="x"', or NULL */
	char value[32];
};

struct metrics_family {
	char *name;		/* sanitised: [a-zA-Z_][a-zA-Z0-9_]* */
	char *path;		/* the raw path it was made for */
	char *help;		/* or NULL */
	size_t n, cap;
	struct metrics_sample *samples;
};

struct hctx_metrics {
	struct metrics_family *fams;
	size_t n_fams, cap_fams;
	struct hctx_text name;	/* "hostctx_cpu_time_ticks_user" */
	struct hctx_text path;	/* "cpu_time_ticks.user": for help, collisions */
	struct hctx_text labels;
	const char *label_names[METRICS_DEPTH];
	size_t depth;
	const char *help;		/* the field's label (help_prefix before it) */
	const char *help_prefix;
	size_t help_from;		/* where the path goes beyond the field */
	int err;
};

/* ---- text buffers ----------------------------------------------------- */

static void buf_add(struct hctx_metrics *m, struct hctx_text *b, const char *s,
		    size_t n)
{
	/* the first failure sticks: what follows is not added */
	if (!m->err)
		m->err = hctx_text_add(b, s, n);
}

static void buf_str(struct hctx_metrics *m, struct hctx_text *b, const char *s)
{
	buf_add(m, b, s, strlen(s));
}

static void buf_cut(struct hctx_text *b, size_t len)
{
	b->len = len;
	if (b->p)
		b->p[len] = '\0';
}

void hctx_metrics_sanitise(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			s[i] = '_';
	}
}

static void buf_sanitised(struct hctx_metrics *m, struct hctx_text *b, const char *s)
{
	size_t from = b->len;

	buf_str(m, b, s);
	if (!m->err)
		hctx_metrics_sanitise(b->p + from, b->len - from);
}

/* The escapes of label values and help text: \\, \" and \n. */
static void buf_escaped(struct hctx_metrics *m, struct hctx_text *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_str(m, b, "\\\\");
		else if (*s == '"')
			buf_str(m, b, "\\\"");
		else if (*s == '\n')
			buf_str(m, b, "\\n");
		else
			buf_add(m, b, s, 1);
	}
}

/* ---- the position of the walk ----------------------------------------- */

static struct hctx_metrics_mark here(const struct hctx_metrics *m)
{
	return (struct hctx_metrics_mark){ .name = m->name.len, .path = m->path.len,
					   .labels = m->labels.len, .depth = m->depth };
}

struct hctx_metrics_mark hctx_metrics_enter_name(struct hctx_metrics *m,
						 const char *part)
{
	struct hctx_metrics_mark k = here(m);

	buf_str(m, &m->name, "_");
	buf_sanitised(m, &m->name, part);
	if (m->path.len)
		buf_str(m, &m->path, ".");
	buf_str(m, &m->path, part);
	return k;
}

static bool label_used(const struct hctx_metrics *m, const char *label)
{
	for (size_t i = 0; i < m->depth; i++)
		if (strcmp(m->label_names[i], label) == 0)
			return true;
	return false;
}

/*
 * label="value"; a label name already in use (a map inside a map) gets
 * its depth as a suffix ("key_2"), so that no sample repeats a label.
 */
struct hctx_metrics_mark hctx_metrics_enter_label(struct hctx_metrics *m,
						  const char *label,
						  const char *value)
{
	struct hctx_metrics_mark k = here(m);
	char suffix[24] = "";

	if (m->depth == METRICS_DEPTH) {
		m->err = m->err ? m->err : -E2BIG;
		return k;
	}
	if (label_used(m, label))
		snprintf(suffix, sizeof(suffix), "_%zu", m->depth + 1);
	if (m->labels.len)
		buf_str(m, &m->labels, ",");
	buf_str(m, &m->labels, label);
	buf_str(m, &m->labels, suffix);
	buf_str(m, &m->labels, "=\"");
	buf_escaped(m, &m->labels, value);
	buf_str(m, &m->labels, "\"");
	m->label_names[m->depth++] = label;
	return k;
}

void hctx_metrics_leave(struct hctx_metrics *m, struct hctx_metrics_mark k)
{
	buf_cut(&m->name, k.name);
	buf_cut(&m->path, k.path);
	buf_cut(&m->labels, k.labels);
	m->depth = k.depth;
}

/* ---- families and samples --------------------------------------------- */

static char *help_text(struct hctx_metrics *m)
{
	struct hctx_text b = { 0 };

	if (!m->help)
		return NULL;
	buf_escaped(m, &b, m->help_prefix ? m->help_prefix : "");
	buf_escaped(m, &b, m->help);
	if (m->path.len > m->help_from) {
		buf_str(m, &b, ": ");
		buf_escaped(m, &b, m->path.p + m->help_from + 1);
	}
	return b.p;
}

static struct metrics_family *new_family(struct hctx_metrics *m)
{
	struct metrics_family *f;

	if (m->n_fams == m->cap_fams) {
		size_t cap = m->cap_fams ? m->cap_fams * 2 : 64;
		struct metrics_family *p = realloc(m->fams, cap * sizeof(*p));

		if (!p) {
			m->err = -ENOMEM;
			return NULL;
		}
		m->fams = p;
		m->cap_fams = cap;
	}
	f = &m->fams[m->n_fams];
	*f = (struct metrics_family){ .name = strdup(m->name.p), .path = strdup(m->path.p),
				      .help = help_text(m) };
	m->n_fams++;
	if (!f->name || !f->path)
		m->err = -ENOMEM;
	return f;
}

/*
 * The family of the current name: found (from the newest, where the
 * walk usually is) or made.  NULL when another path sanitised to the
 * same name made it: the first path keeps the name, so no family and
 * no sample is written twice.
 */
static struct metrics_family *family(struct hctx_metrics *m)
{
	for (size_t i = m->n_fams; i-- > 0;) {
		struct metrics_family *f = &m->fams[i];

		if (strcmp(f->name, m->name.p) == 0)
			return strcmp(f->path, m->path.p) == 0 ? f : NULL;
	}
	return new_family(m);
}

void hctx_metrics_sample(struct hctx_metrics *m, const char *value)
{
	struct metrics_family *f = m->err ? NULL : family(m);
	struct metrics_sample *s;

	if (!f || m->err)
		return;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		struct metrics_sample *p = realloc(f->samples, cap * sizeof(*p));

		if (!p) {
			m->err = -ENOMEM;
			return;
		}
		f->samples = p;
		f->cap = cap;
	}
	s = &f->samples[f->n];
	*s = (struct metrics_sample){ .labels = NULL };
	snprintf(s->value, sizeof(s->value), "%s", value);
	if (m->labels.len && !(s->labels = strdup(m->labels.p))) {
		m->err = -ENOMEM;
		return;
	}
	f->n++;
}

void hctx_metrics_u64(struct hctx_metrics *m, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	hctx_metrics_sample(m, buf);
}

void hctx_metrics_s64(struct hctx_metrics *m, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	hctx_metrics_sample(m, buf);
}

/* The shortest text that reads back as v, as the JSON writer does. */
void hctx_metrics_double(struct hctx_metrics *m, double v)
{
	char buf[32];

	if (isnan(v)) {
		hctx_metrics_sample(m, "NaN");
		return;
	}
	if (isinf(v)) {
		hctx_metrics_sample(m, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	hctx_metrics_sample(m, buf);
}

static void metrics_clear(struct hctx_metrics *m)
{
	for (size_t i = 0; i < m->n_fams; i++) {
		struct metrics_family *f = &m->fams[i];

		for (size_t j = 0; j < f->n; j++)
			free(f->samples[j].labels);
		free(f->samples);
		free(f->name);
		free(f->path);
		free(f->help);
	}
	free(m->fams);
	free(m->name.p);
	free(m->path.p);
	free(m->labels.p);
}

/* ---- what a document gives -------------------------------------------- */

/* One fact of our own (not a field): name part, help, a sample. */
static struct hctx_metrics_mark fact(struct hctx_metrics *m, const char *part,
				     const char *help)
{
	struct hctx_metrics_mark k = hctx_metrics_enter_name(m, part);

	m->help = help;
	m->help_prefix = NULL;
	m->help_from = m->path.len;
	return k;
}

static void fact_u64(struct hctx_metrics *m, const char *part, const char *help,
		     uint64_t v)
{
	struct hctx_metrics_mark k = fact(m, part, help);

	hctx_metrics_u64(m, v);
	hctx_metrics_leave(m, k);
}

static void fact_s64(struct hctx_metrics *m, const char *part, const char *help,
		     int64_t v)
{
	struct hctx_metrics_mark k = fact(m, part, help);

	hctx_metrics_s64(m, v);
	hctx_metrics_leave(m, k);
}

static void fact_double(struct hctx_metrics *m, const char *part, const char *help,
			double v)
{
	struct hctx_metrics_mark k = fact(m, part, help);

	hctx_metrics_double(m, v);
	hctx_metrics_leave(m, k);
}

/* part{label="value"} 1: a fact that is a word, the *_info way. */
static void fact_word(struct hctx_metrics *m, const char *part, const char *help,
		      const char *label, const char *value)
{
	struct hctx_metrics_mark k = fact(m, part, help);

	hctx_metrics_enter_label(m, label, value);
	hctx_metrics_sample(m, "1");
	hctx_metrics_leave(m, k);
}

/* run.rusage or run.rusage_children, by the JSON writer's rows. */
static void add_rusage(struct hctx_metrics *m, const char *part, const char *help,
		       const struct hostctx_rusage *ru)
{
	struct hctx_metrics_mark k;

	if (!ru->present)
		return;
	k = fact(m, part, help);	/* the help names each row after it */
	for (size_t i = 0; i < hctx_n_rusage_json_rows; i++) {
		const struct hctx_rusage_json_row *row = &hctx_rusage_json_rows[i];
		const void *p = (const char *)ru + row->offset;
		struct hctx_metrics_mark r = hctx_metrics_enter_name(m, row->name);

		if (row->seconds)
			hctx_metrics_double(m, *(const double *)p);
		else
			hctx_metrics_u64(m, *(const uint64_t *)p);
		hctx_metrics_leave(m, r);
	}
	hctx_metrics_leave(m, k);
}

static void add_exit(struct hctx_metrics *m, const struct hctx_exit *e)
{
	struct hctx_metrics_mark k = hctx_metrics_enter_name(m, "exit");

	if (e->kind == HOSTCTX_EXIT_CODE)
		fact_s64(m, "code", "the command's exit status", e->code);
	else if (e->kind == HOSTCTX_EXIT_SIGNAL)
		fact_s64(m, "signal", "the signal that ended the command", e->signal);
	hctx_metrics_leave(m, k);
}

/* The run facts: hostctx_run_<its JSON path beneath run>. */
static void add_run(struct hctx_metrics *m, const struct hostctx_sidecar *sc)
{
	struct hctx_metrics_mark k = hctx_metrics_enter_name(m, "run");

	fact_u64(m, "complete", "1 when the end of the command was observed",
		 sc->complete);
	if (sc->has_wall_seconds)
		fact_double(m, "wall_seconds", "wall time of the command (monotonic)",
			    sc->wall_seconds);
	add_exit(m, &sc->exit);
	if (sc->exec_error)
		fact_word(m, "exec_error", "the command could not be started",
			  "errno", sc->exec_error);
	add_rusage(m, "rusage", "the command's resource usage", &sc->rusage);
	add_rusage(m, "rusage_children", "the waited-for children's resource usage",
		   &sc->rusage_children);
	if (sc->descendants_left >= 0)
		fact_u64(m, "descendants_left", "descendants alive at the wait's limit",
			 (uint64_t)sc->descendants_left);
	hctx_metrics_leave(m, k);
}

/* hostctx_info{...} 1: the identifying strings the rows mark for it. */
static void add_info(struct hctx_metrics *m, const struct hostctx_snapshot *s)
{
	struct hctx_metrics_mark k = fact(m, "info", "the host (kernel, CPU)");
	bool any = false;

	for (size_t i = 0; s && i < hctx_n_fields; i++) {
		const struct hctx_value *v = s->values[i];

		if (!hctx_fields[i].metrics_info || !v || v->node != HCTX_NODE_STRING)
			continue;
		hctx_metrics_enter_label(m, hctx_fields[i].name, v->s);
		any = true;
	}
	if (any)
		hctx_metrics_sample(m, "1");
	hctx_metrics_leave(m, k);
}

static void add_field(struct hctx_metrics *m, const char *name, const char *help,
		      const char *help_prefix, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	struct hctx_metrics_mark k = hctx_metrics_enter_name(m, name);

	m->help = help;
	m->help_prefix = help_prefix;
	m->help_from = m->path.len;
	if (spec)
		hctx_metrics_walk(m, spec, v);
	hctx_metrics_leave(m, k);
}

/* Every present field in table order; phase NULL: a bare snapshot. */
static void add_snapshot(struct hctx_metrics *m, const struct hostctx_snapshot *s,
			 const char *phase)
{
	struct hctx_metrics_mark k = here(m);

	if (!s)
		return;
	if (phase)
		hctx_metrics_enter_label(m, "phase", phase);
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (s->values[i])
			add_field(m, hctx_fields[i].name, hctx_fields[i].label, NULL,
				  hctx_fields[i].spec, s->values[i]);
	hctx_metrics_leave(m, k);
}

/*
 * hostctx_delta_*: the deltas keep the counter rows' nesting, so each
 * is walked with its row's spec (map keys stay labels); the values
 * derived beside them (seconds, cpu_time_share) by their nodes.
 */
static void add_deltas(struct hctx_metrics *m, const struct hctx_value *d)
{
	struct hctx_metrics_mark k = hctx_metrics_enter_name(m, "delta");

	for (size_t i = 0; i < d->map.n; i++) {
		const struct hctx_entry *e = &d->map.e[i];
		const struct hctx_field *f = hctx_field_by_name(e->key, strlen(e->key));

		if (f)
			add_field(m, e->key, f->label, "post - pre of ", f->spec, e->value);
		else
			add_field(m, e->key, "derived from the deltas (docs/json-format.md)",
				  NULL, hctx_spec_of_node(e->value->node), e->value);
	}
	hctx_metrics_leave(m, k);
}

static int add_evidence(struct hctx_metrics *m, const struct hostctx_sidecar *sc)
{
	struct hctx_value *d = NULL;
	const char *unavailable = NULL;
	int r = hctx_deltas(sc->pre, sc->post, &d, &unavailable);

	if (r < 0)
		return r;
	if (d)
		add_deltas(m, d);
	if (unavailable)
		fact_word(m, "deltas_unavailable", "why the record has no deltas",
			  "reason", unavailable);
	hctx_value_free(d);
	return 0;
}

/* ---- the text --------------------------------------------------------- */

static void print_family(FILE *out, const struct metrics_family *f)
{
	fprintf(out, "# TYPE %s gauge\n", f->name);
	if (f->help)
		fprintf(out, "# HELP %s %s\n", f->name, f->help);
	for (size_t i = 0; i < f->n; i++) {
		const struct metrics_sample *s = &f->samples[i];

		if (s->labels)
			fprintf(out, "%s{%s} %s\n", f->name, s->labels, s->value);
		else
			fprintf(out, "%s %s\n", f->name, s->value);
	}
}

static int metrics_text(struct hctx_metrics *m, char **ret_text, size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	bool failed;
	FILE *out;

	if (m->err)
		return m->err;
	out = open_memstream(&text, &len);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_fams; i++)
		if (m->fams[i].n)
			print_family(out, &m->fams[i]);
	fputs("# EOF\n", out);
	failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}

/* The name starts "hostctx"; the path is the raw one from the top. */
static void start(struct hctx_metrics *m)
{
	*m = (struct hctx_metrics){ .help = NULL };
	buf_str(m, &m->name, "hostctx");
	buf_str(m, &m->path, "");
}

HCTX_EXPORT int hostctx_snapshot_to_openmetrics(const struct hostctx_snapshot *s,
						char **ret_text, size_t *ret_len)
{
	struct hctx_metrics m;
	int r;

	if (!s || !ret_text)
		return -EINVAL;
	start(&m);
	add_info(&m, s);
	add_snapshot(&m, s, NULL);
	r = metrics_text(&m, ret_text, ret_len);
	metrics_clear(&m);
	return r;
}

HCTX_EXPORT int hostctx_sidecar_to_openmetrics(const struct hostctx_sidecar *sc,
					       char **ret_text, size_t *ret_len)
{
	struct hctx_metrics m;
	int r = 0;

	if (!sc || !ret_text)
		return -EINVAL;
	start(&m);
	add_run(&m, sc);
	add_info(&m, sc->pre ? sc->pre : sc->post);
	add_snapshot(&m, sc->pre, "pre");
	add_snapshot(&m, sc->post, "post");
	/* deltas exactly when the record's JSON has them */
	if (sc->pre && sc->post && sc->complete)
		r = add_evidence(&m, sc);
	if (r == 0)
		r = metrics_text(&m, ret_text, ret_len);
	metrics_clear(&m);
	return r;
}
