/* SPDX-License-Identifier: MIT */
/*
 * compare_out.c - a comparison (compare.c) grouped by class, for humans
 * and as JSON (docs/hostctx.1 "diff", docs/json-format.md "Comparing").
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* Widest field name that pads a column; longer ones push their own line. */
#define COLUMN_MAX 40
/* The identity heading names this many fields, then a count. */
#define HEADING_NAMES 5

static bool is_listed(const struct hctx_change *ch)
{
	return !(ch->flags & (HOSTCTX_CHANGE_WITHIN_TOLERANCE | HOSTCTX_CHANGE_NOT_COMPARABLE |
			      HOSTCTX_CHANGE_NOT_COMPARED));
}

/* In the run form the reference's fields keep the reference's lines. */
static bool in_reference_lines(const struct hostctx_changes *c, const struct hctx_change *ch)
{
	return c->form == HOSTCTX_COMPARE_RUN && (ch->flags & HOSTCTX_CHANGE_REFERENCE) &&
	       is_listed(ch);
}

/*
 * A line of the grouped text: one difference, or the CPUs of one
 * per-CPU field with the same pair ("cpufreq_governor.cpu0-47"; the
 * JSON keeps a path per CPU, as a record's "changes" does).
 */
struct line {
	char *name;
	const struct hctx_change *ch;
};

struct lines {
	struct line *v;
	size_t n;
};

static void lines_clear(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->v[i].name);
	free(ls->v);
	*ls = (struct lines){ 0 };
}

/* "FIELD.cpuN": the length of "FIELD.cpu" and N; false for other paths. */
static bool per_cpu_path(const struct hctx_change *ch, size_t *ret_prefix, unsigned *ret_cpu)
{
	const char *dot = strrchr(ch->field, '.');
	unsigned long n = 0;
	const char *p;

	if (!ch->is_cpu_entry || !dot || strncmp(dot, ".cpu", 4) != 0 || !dot[4])
		return false;
	for (p = dot + 4; *p >= '0' && *p <= '9' && n < HCTX_CPUSET_MAX; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (*p)
		return false;	/* already a list ("cpu0-3"): a line as it is */
	*ret_prefix = (size_t)(dot + 4 - ch->field);
	*ret_cpu = (unsigned)n;
	return true;
}

static bool same_line(const struct hctx_change *x, size_t prefix, const struct hctx_change *y)
{
	size_t prefix_y;
	unsigned cpu;

	return per_cpu_path(y, &prefix_y, &cpu) && prefix_y == prefix &&
	       strncmp(x->field, y->field, prefix) == 0 && x->cls == y->cls &&
	       x->flags == y->flags && hctx_value_equal(x->before, y->before) &&
	       hctx_value_equal(x->after, y->after);
}

/* The name of the line of c->items[i], merging the later CPUs it stands for. */
static int line_name(const struct hostctx_changes *c, size_t i, bool *taken, char **ret)
{
	const struct hctx_change *ch = &c->items[i];
	_cleanup_free_ char *list = NULL;
	struct hctx_cpuset cpus = { 0 };
	size_t prefix;
	unsigned cpu;
	int r;

	if (!per_cpu_path(ch, &prefix, &cpu)) {
		*ret = strdup(ch->field);
		return *ret ? 0 : -ENOMEM;
	}
	r = hctx_cpuset_add(&cpus, cpu);
	for (size_t j = i + 1; r == 0 && j < c->n; j++) {
		if (taken[j] || !same_line(ch, prefix, &c->items[j]))
			continue;
		per_cpu_path(&c->items[j], &prefix, &cpu);
		r = hctx_cpuset_add(&cpus, cpu);
		taken[j] = true;
	}
	if (r == 0)
		r = hctx_cpulist_format(&cpus, &list);
	hctx_cpuset_clear(&cpus);
	if (r == 0 && asprintf(ret, "%.*s%s", (int)prefix, ch->field, list) < 0)
		r = -ENOMEM;
	return r;
}

/* Which differences a class's lines show. */
static bool in_class(const struct hostctx_changes *c, const struct hctx_change *ch,
		     enum hostctx_class cls)
{
	return ch->cls == cls && !(ch->flags & HOSTCTX_CHANGE_NOT_COMPARABLE) &&
	       !in_reference_lines(c, ch);
}

static int collect_lines(const struct hostctx_changes *c, enum hostctx_class cls,
			 struct lines *ret)
{
	_cleanup_free_ bool *taken = calloc(c->n + 1, sizeof(*taken));
	int r = taken ? 0 : -ENOMEM;

	if (r == 0)
		ret->v = calloc(c->n + 1, sizeof(*ret->v));
	if (r == 0 && !ret->v)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < c->n; i++) {
		if (taken[i] || !in_class(c, &c->items[i], cls))
			continue;
		r = line_name(c, i, taken, &ret->v[ret->n].name);
		if (r == 0)
			ret->v[ret->n++].ch = &c->items[i];
	}
	return r;
}

/* What one class holds, counted once for its heading. */
struct tally {
	size_t counting;	/* lines that set the exit status */
	size_t listed;		/* lines shown without -v */
	size_t within;		/* within tolerance */
	size_t all;		/* every line, compared or not */
	bool boot;		/* boot_id differs */
};

static struct tally tally_lines(const struct hostctx_changes *c, const struct lines *ls)
{
	struct tally t = { 0 };

	for (size_t i = 0; i < ls->n; i++) {
		const struct hctx_change *ch = ls->v[i].ch;

		t.all++;
		if (strcmp(ch->field, "boot_id") == 0)
			t.boot = true;
		if (ch->flags & HOSTCTX_CHANGE_NOT_COMPARED)
			continue;
		if (ch->flags & HOSTCTX_CHANGE_WITHIN_TOLERANCE)
			t.within++;
		else
			t.listed++;
		if (hctx_change_counts(c, ch))
			t.counting++;
	}
	return t;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "identity: different machines: cpu_model, online_cpus (...)" */
static void identity_names(struct hctx_human *h, const struct hostctx_changes *c,
			   const struct lines *ls)
{
	size_t named = 0, more = 0;

	for (size_t i = 0; i < ls->n; i++) {
		if (!hctx_change_counts(c, ls->v[i].ch))
			continue;
		if (named == HEADING_NAMES) {
			more++;
			continue;
		}
		hctx_human_text(h, named++ ? ", " : " ");
		hctx_human_value(h, ls->v[i].name);
	}
	if (more)
		hctx_human_printf(h, " and %zu more", more);
}

static void within_suffix(struct hctx_human *h, const struct tally *t, bool after_count)
{
	if (t->within)
		hctx_human_printf(h, "%s%zu within tolerance", after_count ? ", " : " (",
				  t->within);
	if (t->within && !after_count)
		hctx_human_text(h, ")");
}

static void count_heading(struct hctx_human *h, const char *name, const struct tally *t)
{
	size_t n = t->listed;

	hctx_human_printf(h, "%s: ", name);
	if (n == 0) {
		hctx_human_text(h, "same");
		within_suffix(h, t, false);
	} else {
		hctx_human_printf(h, "%zu %s", n, plural(n, "difference", "differences"));
		within_suffix(h, t, true);
	}
	hctx_human_text(h, "\n");
}

static void identity_heading(struct hctx_human *h, const struct hostctx_changes *c,
			     const struct lines *ls, const struct tally *t)
{
	if (c->form == HOSTCTX_COMPARE_RUN) {
		count_heading(h, "identity", t);
		return;
	}
	if (t->counting == 0) {
		hctx_human_text(h, "identity: same machine type");
		within_suffix(h, t, false);
	} else {
		hctx_human_text(h, "identity: different machines:");
		identity_names(h, c, ls);
		hctx_human_text(h, " (config differences below may be expected)");
		within_suffix(h, t, true);
	}
	hctx_human_text(h, "\n");
}

static void instance_heading(struct hctx_human *h, const struct hostctx_changes *c,
			     const struct tally *t)
{
	size_t others = t->listed + t->within - (t->boot ? 1 : 0);

	if (t->boot || c->form == HOSTCTX_COMPARE_FILES) {
		hctx_human_text(h, t->boot ? "instance: different boot" : "instance: same boot");
		if (others)
			hctx_human_printf(h, ", %zu other %s", others,
					  plural(others, "difference", "differences"));
	} else {
		hctx_human_printf(h, "instance: %zu %s", others,
				  plural(others, "difference", "differences"));
	}
	hctx_human_text(h, "\n");
}

static void telemetry_heading(struct hctx_human *h, const struct hostctx_changes *c,
			      const struct tally *t)
{
	if (c->classes & (1u << HOSTCTX_CLASS_TELEMETRY)) {
		count_heading(h, "telemetry", t);
		return;
	}
	if (t->all == 0)
		hctx_human_text(h, "telemetry: same\n");
	else
		hctx_human_printf(h, "telemetry: %zu %s (--all to list)\n", t->all,
				  plural(t->all, "field differs", "fields differ"));
}

/* "  NAME   A → B", the values in a column after the widest name. */
static void group_line(struct hctx_human *h, const char *name, const struct hctx_change *ch,
		       size_t width)
{
	size_t len = strlen(name);

	hctx_human_text(h, "  ");
	hctx_human_value(h, name);
	hctx_human_printf(h, "%*s", (int)(len < width ? width - len + 3 : 3), "");
	hctx_change_sides(h, ch);
	if (ch->flags & HOSTCTX_CHANGE_WITHIN_TOLERANCE)
		hctx_human_text(h, "   (within tolerance)");
	hctx_human_text(h, "\n");
}

static bool line_shown(const struct hostctx_changes *c, const struct hctx_change *ch,
		       bool verbose)
{
	if (ch->flags & HOSTCTX_CHANGE_NOT_COMPARED)
		return false;
	if ((ch->flags & HOSTCTX_CHANGE_WITHIN_TOLERANCE) && !verbose)
		return false;
	/* across files, boot ids and cgroup ids are noise unless asked for */
	return verbose || ch->cls != HOSTCTX_CLASS_INSTANCE || c->form == HOSTCTX_COMPARE_RUN;
}

static void group_lines(struct hctx_human *h, const struct hostctx_changes *c,
			const struct lines *ls, bool verbose)
{
	size_t width = 0;

	for (size_t i = 0; i < ls->n; i++) {
		size_t len = strlen(ls->v[i].name);

		if (line_shown(c, ls->v[i].ch, verbose) && len > width && len <= COLUMN_MAX)
			width = len;
	}
	for (size_t i = 0; i < ls->n; i++)
		if (line_shown(c, ls->v[i].ch, verbose))
			group_line(h, ls->v[i].name, ls->v[i].ch, width);
}

static void class_heading(struct hctx_human *h, const struct hostctx_changes *c,
			  enum hostctx_class cls, const struct lines *ls, const struct tally *t)
{
	switch (cls) {
	case HOSTCTX_CLASS_IDENTITY:
		identity_heading(h, c, ls, t);
		break;
	case HOSTCTX_CLASS_INSTANCE:
		instance_heading(h, c, t);
		break;
	case HOSTCTX_CLASS_CONFIG:
		count_heading(h, "config", t);
		break;
	case HOSTCTX_CLASS_TELEMETRY:
		telemetry_heading(h, c, t);
		break;
	}
}

static int class_group(struct hctx_human *h, const struct hostctx_changes *c,
		       enum hostctx_class cls, bool verbose)
{
	bool compared = c->classes & (1u << cls);
	struct lines ls = { 0 };
	struct tally t;
	int r = collect_lines(c, cls, &ls);

	if (r < 0) {
		lines_clear(&ls);
		return r;
	}
	t = tally_lines(c, &ls);
	/* the run form: only what differs, and only the classes compared;
	 * across files every compared class, and telemetry's count */
	if (c->form == HOSTCTX_COMPARE_RUN ? compared && t.listed + t.within > 0
					   : compared || (cls == HOSTCTX_CLASS_TELEMETRY &&
							  (c->classes & HCTX_DEFAULT_CLASSES) ==
								  HCTX_DEFAULT_CLASSES)) {
		class_heading(h, c, cls, &ls, &t);
		if (compared)
			group_lines(h, c, &ls, verbose);
	}
	lines_clear(&ls);
	return 0;
}

static size_t count_not_comparable(const struct hostctx_changes *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if ((c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARABLE) &&
		    !(c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARED))
			n++;
	return n;
}

static void not_comparable(struct hctx_human *h, const struct hostctx_changes *c, bool verbose)
{
	size_t n = count_not_comparable(c);

	if (n == 0)
		return;
	hctx_human_printf(h, "not comparable: %zu %s on one side only, from another producer (",
			  n, plural(n, "field", "fields"));
	hctx_human_value(h, c->producer[0] ? c->producer[0] : "?");
	hctx_human_text(h, "; ");
	hctx_human_value(h, c->producer[1] ? c->producer[1] : "?");
	hctx_human_text(h, verbose ? ")\n" : "; -v lists them)\n");
	for (size_t i = 0; verbose && i < c->n; i++) {
		const struct hctx_change *ch = &c->items[i];

		if ((ch->flags & HOSTCTX_CHANGE_NOT_COMPARABLE) &&
		    !(ch->flags & HOSTCTX_CHANGE_NOT_COMPARED))
			group_line(h, ch->field, ch, 0);
	}
}

/* The run form's reference lines: exactly the record's "changes" lines. */
static void reference_lines(struct hctx_human *h, const struct hostctx_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (in_reference_lines(c, &c->items[i]))
			hctx_change_lines(h, &c->items[i]);
}

HCTX_EXPORT int hostctx_changes_format_grouped(const struct hostctx_changes *c,
					       unsigned flags, char **ret_text)
{
	bool verbose = flags & HOSTCTX_GROUPED_VERBOSE;
	struct hctx_out o;
	int r = hctx_out_open(&o);

	if (r < 0)
		return r;
	reference_lines(&o.h, c);
	for (int cls = HOSTCTX_CLASS_IDENTITY; r == 0 && cls <= HOSTCTX_CLASS_TELEMETRY; cls++)
		r = class_group(&o.h, c, (enum hostctx_class)cls, verbose);
	if (r == 0)
		not_comparable(&o.h, c, verbose);
	if (r < 0) {
		hctx_out_finish(&o, ret_text);
		free(*ret_text);
		*ret_text = NULL;
		return r;
	}
	return hctx_out_finish(&o, ret_text);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_side(struct hctx_jw *w, const char *key, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_jw_key(w, key);
	if (v)
		hctx_write_value(w, spec, v);
	else
		hctx_jw_null(w);
}

static void json_difference(struct hctx_jw *w, const struct hctx_change *ch)
{
	hctx_jw_elem(w);
	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "field");
	hctx_jw_string(w, ch->field);
	json_side(w, "a", ch->spec, ch->before);
	json_side(w, "b", ch->spec, ch->after);
	if (ch->flags & HOSTCTX_CHANGE_WITHIN_TOLERANCE) {
		hctx_jw_key(w, "within_tolerance");
		hctx_jw_bool(w, true);
	}
	hctx_jw_end(w, '}');
}

/* A difference outside tolerance, the reference's lines included. */
static bool class_has_listed(const struct hostctx_changes *c, enum hostctx_class cls)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].cls == cls && is_listed(&c->items[i]))
			return true;
	return false;
}

static void json_class(struct hctx_jw *w, const struct hostctx_changes *c,
		       enum hostctx_class cls)
{
	size_t differing = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].cls == cls && !(c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARABLE))
			differing++;
	hctx_jw_key(w, hostctx_class_name((int)cls));
	hctx_jw_begin(w, '{');
	if (!(c->classes & (1u << cls))) {
		hctx_jw_key(w, "compared");
		hctx_jw_bool(w, false);
		hctx_jw_key(w, "differing");
		hctx_jw_u64(w, differing);
		hctx_jw_end(w, '}');
		return;
	}
	hctx_jw_key(w, "same");
	hctx_jw_bool(w, !class_has_listed(c, cls));
	hctx_jw_key(w, "differences");
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < c->n; i++) {
		const struct hctx_change *ch = &c->items[i];

		if (ch->cls == cls &&
		    !(ch->flags & (HOSTCTX_CHANGE_NOT_COMPARED | HOSTCTX_CHANGE_NOT_COMPARABLE)))
			json_difference(w, ch);
	}
	hctx_jw_end(w, ']');
	hctx_jw_end(w, '}');
}

static void json_producers(struct hctx_jw *w, const struct hostctx_changes *c)
{
	if (!c->producer[0])
		return;
	hctx_jw_key(w, "producers");
	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "a");
	hctx_jw_string(w, c->producer[0]);
	hctx_jw_key(w, "b");
	hctx_jw_string(w, c->producer[1]);
	hctx_jw_end(w, '}');
}

static void write_grouped(struct hctx_jw *w, const void *arg)
{
	const struct hostctx_changes *c = arg;

	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "same");
	hctx_jw_bool(w, !hostctx_changes_differ(c));
	hctx_jw_key(w, "form");
	hctx_jw_string(w, c->form == HOSTCTX_COMPARE_RUN ? "run" : "files");
	hctx_jw_key(w, "classes");
	hctx_jw_begin(w, '{');
	json_class(w, c, HOSTCTX_CLASS_IDENTITY);
	json_class(w, c, HOSTCTX_CLASS_INSTANCE);
	json_class(w, c, HOSTCTX_CLASS_CONFIG);
	json_class(w, c, HOSTCTX_CLASS_TELEMETRY);
	hctx_jw_end(w, '}');
	hctx_jw_key(w, "not_comparable");
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < c->n; i++)
		if ((c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARABLE) &&
		    !(c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARED))
			json_difference(w, &c->items[i]);
	hctx_jw_end(w, ']');
	json_producers(w, c);
	hctx_jw_end(w, '}');
}

HCTX_EXPORT int hostctx_changes_to_grouped_json(const struct hostctx_changes *c,
						char **ret_text, size_t *ret_len)
{
	return hctx_jw_document(write_grouped, c, ret_text, ret_len);
}
