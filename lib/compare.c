/* SPDX-License-Identifier: MIT */
/*
 * compare.c - `hostctx diff` beyond the record's "changes": classes
 * compared or only counted, tolerances, fields a producer cannot have
 * ("not comparable"), and the exit rule (docs/json-format.md,
 * "Comparing").  The differences themselves come from the same per-kind
 * diff operations as a record's "changes" (diff.c, kinds.c); this file
 * only marks them.
 */
#include "internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <string.h>

/* ---- tolerances: a pure parser, tested on strings --------------------- */

int hctx_parse_tolerance(const char *spec, struct hctx_tolerance *ret)
{
	const char *p = spec;
	char *end = NULL;
	double n;

	if (strcmp(spec, "any") == 0) {
		*ret = (struct hctx_tolerance){ .kind = HCTX_TOLERANCE_ANY };
		return 0;
	}
	/* digits first: strtod would take "inf", "nan", hex and blanks */
	if (!(*p >= '0' && *p <= '9'))
		return -EINVAL;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || (*p == '%' && !p[1])))
			return -EINVAL;
	errno = 0;
	n = strtod(spec, &end);
	if (errno || end == spec || !isfinite(n))
		return -EINVAL;
	if (*end == '%' && end[1] == '\0')
		*ret = (struct hctx_tolerance){ .kind = HCTX_TOLERANCE_RELATIVE, .n = n };
	else if (*end == '\0')
		*ret = (struct hctx_tolerance){ .kind = HCTX_TOLERANCE_ABSOLUTE, .n = n };
	else
		return -EINVAL;
	if (n == 0)
		ret->kind = HCTX_TOLERANCE_EXACT;
	return 0;
}

/* A number of a value, for a numeric tolerance; false for others. */
static bool numeric(const struct hctx_spec *spec, const struct hctx_value *v, double *ret)
{
	switch (v->node) {
	case HCTX_NODE_U64:
		if (spec->kind == HCTX_KIND_LIMIT && v->u == UINT64_MAX)
			return false;	/* "unlimited" is no number */
		*ret = (double)v->u;
		return true;
	case HCTX_NODE_S64:
		*ret = (double)v->i;
		return true;
	case HCTX_NODE_DOUBLE:
		*ret = v->d;
		return true;
	case HCTX_NODE_STRING:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_RECORD:
	case HCTX_NODE_MAP:
	case HCTX_NODE_ARRAY:
		break;
	}
	return false;
}

/* Whether two present values differ within t (numbers only for N, N%). */
bool hctx_tolerance_allows(const struct hctx_tolerance *t, const struct hctx_spec *spec,
			   const struct hctx_value *a, const struct hctx_value *b)
{
	double x, y;

	if (t->kind == HCTX_TOLERANCE_ANY)
		return true;
	if (t->kind == HCTX_TOLERANCE_EXACT || !numeric(spec, a, &x) || !numeric(spec, b, &y))
		return false;
	if (t->kind == HCTX_TOLERANCE_ABSOLUTE)
		return fabs(y - x) <= t->n;
	return fabs(y - x) <= t->n / 100.0 * fabs(x);
}

/* ---- the options ------------------------------------------------------ */

struct rule {
	char *glob;
	struct hctx_tolerance t;
};

struct hostctx_compare {
	enum hostctx_compare_form form;
	unsigned classes;
	struct rule *rules;	/* in the order added: the last match wins */
	size_t n_rules;
	char **ignore;
	size_t n_ignore;
	char *producer[2];
};

HCTX_EXPORT int hostctx_compare_new(enum hostctx_compare_form form,
				    struct hostctx_compare **ret)
{
	struct hostctx_compare *o;

	if (form != HOSTCTX_COMPARE_RUN && form != HOSTCTX_COMPARE_FILES)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->form = form;
	o->classes = HCTX_DEFAULT_CLASSES;
	*ret = o;
	return 0;
}

HCTX_EXPORT void hostctx_compare_free(struct hostctx_compare *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_rules; i++)
		free(o->rules[i].glob);
	for (size_t i = 0; i < o->n_ignore; i++)
		free(o->ignore[i]);
	free(o->rules);
	free(o->ignore);
	free(o->producer[0]);
	free(o->producer[1]);
	free(o);
}

HCTX_EXPORT void hostctx_compare_set_classes(struct hostctx_compare *o, unsigned mask)
{
	o->classes = mask;
}

HCTX_EXPORT int hostctx_compare_add_tolerance(struct hostctx_compare *o,
					      const char *glob, const char *spec)
{
	struct hctx_tolerance t;
	struct rule *rules;
	char *copy;
	int r = hctx_parse_tolerance(spec, &t);

	if (r < 0)
		return r;
	if (!*glob)
		return -EINVAL;
	rules = realloc(o->rules, (o->n_rules + 1) * sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	o->rules = rules;
	copy = strdup(glob);
	if (!copy)
		return -ENOMEM;
	o->rules[o->n_rules++] = (struct rule){ .glob = copy, .t = t };
	return 0;
}

HCTX_EXPORT int hostctx_compare_add_tolerance_arg(struct hostctx_compare *o,
						  const char *arg)
{
	/* the last '=': a glob may hold one ("a=b*"), a spec never does */
	const char *eq = strrchr(arg, '=');
	_cleanup_free_ char *glob = NULL;

	if (!eq)
		return -EINVAL;
	glob = strndup(arg, (size_t)(eq - arg));
	if (!glob)
		return -ENOMEM;
	return hostctx_compare_add_tolerance(o, glob, eq + 1);
}

static int tolerance_line(struct hostctx_compare *o, char *line)
{
	char *glob, *spec, *extra, *save = NULL;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	glob = strtok_r(line, " \t\r", &save);
	if (!glob)
		return 0;
	spec = strtok_r(NULL, " \t\r", &save);
	extra = spec ? strtok_r(NULL, " \t\r", &save) : NULL;
	if (!spec || extra)
		return -EINVAL;
	return hostctx_compare_add_tolerance(o, glob, spec);
}

HCTX_EXPORT int hostctx_compare_load_tolerances(struct hostctx_compare *o,
						const char *text, size_t len,
						struct hostctx_error *err)
{
	size_t line_no = 0;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		_cleanup_free_ char *line = strndup(text + at, n);
		int r;

		line_no++;
		if (!line)
			return -ENOMEM;
		if (strlen(line) != n) {
			r = -EINVAL;	/* a NUL inside the line */
		} else {
			r = tolerance_line(o, line);
		}
		if (r == -EINVAL && err)
			snprintf(err->message, sizeof(err->message),
				 "line %zu: expected GLOB SPEC (SPEC: N, N%%, any or 0)",
				 line_no);
		if (r < 0)
			return r;
		at += n + 1;
	}
	return 0;
}

/*
 * Built in for the two-file form only (docs/json-format.md,
 * "Comparing"): MemTotal moves by a few MiB between kernels and boots
 * of the same hardware.
 */
static const struct {
	const char *glob, *spec;
} default_tolerances[] = {
	{ "total_memory_kib", "1%" },
};

HCTX_EXPORT int hostctx_compare_add_default_tolerances(struct hostctx_compare *o)
{
	for (size_t i = 0; i < sizeof(default_tolerances) / sizeof(default_tolerances[0]); i++) {
		int r = hostctx_compare_add_tolerance(o, default_tolerances[i].glob,
						      default_tolerances[i].spec);

		if (r < 0)
			return r;
	}
	return 0;
}

HCTX_EXPORT int hostctx_compare_add_ignore(struct hostctx_compare *o, const char *glob)
{
	char **ignore = realloc(o->ignore, (o->n_ignore + 1) * sizeof(*ignore));

	if (!ignore)
		return -ENOMEM;
	o->ignore = ignore;
	ignore[o->n_ignore] = strdup(glob);
	if (!ignore[o->n_ignore])
		return -ENOMEM;
	o->n_ignore++;
	return 0;
}

HCTX_EXPORT int hostctx_compare_set_producers(struct hostctx_compare *o,
					      const char *a, const char *b)
{
	char *pa = NULL, *pb = NULL;

	if (strcmp(a, b) != 0) {
		pa = strdup(a);
		pb = strdup(b);
		if (!pa || !pb) {
			free(pa);
			free(pb);
			return -ENOMEM;
		}
	}
	free(o->producer[0]);
	free(o->producer[1]);
	o->producer[0] = pa;
	o->producer[1] = pb;
	return 0;
}

/* ---- marking ---------------------------------------------------------- */

/* glob matches path or one of its dotted prefixes ("cpufreq_max_khz" for its CPUs). */
static bool glob_matches(const char *glob, const char *path)
{
	char prefix[HCTX_PATH_MAX];

	if (fnmatch(glob, path, 0) == 0)
		return true;
	for (const char *dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
		size_t n = (size_t)(dot - path);

		if (n >= sizeof(prefix))
			break;
		memcpy(prefix, path, n);
		prefix[n] = '\0';
		if (fnmatch(glob, prefix, 0) == 0)
			return true;
	}
	return false;
}

static const struct hctx_tolerance *tolerance_for(const struct hostctx_compare *o,
						  const char *path)
{
	for (size_t i = o->n_rules; i-- > 0;)
		if (glob_matches(o->rules[i].glob, path))
			return &o->rules[i].t;
	return NULL;
}

static unsigned flags_of(const struct hostctx_compare *o, const struct hctx_change *c)
{
	bool reference_line = o->form == HOSTCTX_COMPARE_RUN && (c->flags & HOSTCTX_CHANGE_REFERENCE);
	const struct hctx_tolerance *t;
	unsigned flags = c->flags;

	if (!reference_line && !(o->classes & (1u << c->cls)))
		return flags | HOSTCTX_CHANGE_NOT_COMPARED;
	if (!c->before || !c->after) {
		/* a field, member or key on one side only: its producer may
		 * lack it; a CPU on one side only is the host's doing */
		if (o->producer[0] && !c->is_cpu_entry)
			flags |= HOSTCTX_CHANGE_NOT_COMPARABLE;
		return flags;	/* presence must match, whatever the tolerance */
	}
	t = tolerance_for(o, c->field);
	if (t && hctx_tolerance_allows(t, c->spec, c->before, c->after))
		flags |= HOSTCTX_CHANGE_WITHIN_TOLERANCE;
	return flags;
}

static int copy_producers(const struct hostctx_compare *o, struct hostctx_changes *c)
{
	for (int i = 0; i < 2; i++) {
		if (!o->producer[i])
			continue;
		c->producer[i] = strdup(o->producer[i]);
		if (!c->producer[i])
			return -ENOMEM;
	}
	return 0;
}

HCTX_EXPORT int hostctx_compare_snapshots(const struct hostctx_compare *o,
					  const struct hostctx_snapshot *a,
					  const struct hostctx_snapshot *b,
					  struct hostctx_changes **ret)
{
	struct hostctx_changes *c = calloc(1, sizeof(*c));
	struct hctx_changes_builder cb = { .c = c };
	int r = c ? 0 : -ENOMEM;

	if (r == 0) {
		c->form = o->form;
		c->classes = o->classes;
		r = copy_producers(o, c);
	}
	for (size_t i = 0; r == 0 && i < hctx_n_fields; i++)
		if (!hctx_fields[i].never_compared)	/* heap_state */
			r = hctx_diff_field(&cb, i, a, b);
	if (r < 0) {
		hostctx_changes_free(c);
		return r;
	}
	for (size_t i = 0; i < c->n; i++)
		c->items[i].flags = flags_of(o, &c->items[i]);
	hostctx_changes_filter(c, (const char *const *)o->ignore, o->n_ignore);
	*ret = c;
	return 0;
}

HCTX_EXPORT unsigned hostctx_change_flags(const struct hostctx_changes *c, size_t i)
{
	return c && i < c->n ? c->items[i].flags : 0;
}

bool hctx_change_counts(const struct hostctx_changes *c, const struct hctx_change *ch)
{
	if (ch->flags & (HOSTCTX_CHANGE_WITHIN_TOLERANCE | HOSTCTX_CHANGE_NOT_COMPARABLE |
			 HOSTCTX_CHANGE_NOT_COMPARED))
		return false;
	if (c->form == HOSTCTX_COMPARE_FILES)	/* two files are on two boots by nature */
		return ch->cls != HOSTCTX_CLASS_INSTANCE;
	/* a run's counters and gauges move: they are its evidence, listed
	 * with --all, never a difference (but the reference's own lines) */
	return ch->cls != HOSTCTX_CLASS_TELEMETRY || (ch->flags & HOSTCTX_CHANGE_REFERENCE);
}

HCTX_EXPORT bool hostctx_changes_differ(const struct hostctx_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (hctx_change_counts(c, &c->items[i]))
			return true;
	return false;
}
