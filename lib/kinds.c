/* SPDX-License-Identifier: MIT */
/*
 * One row of operations per value kind: JSON writing, diffing, the
 * human report and OpenMetrics samples.  These are the only functions
 * that know what a kind means; every table walk (fields, record
 * members, map entries) comes here, so a new kind is one row and its
 * functions.  JSON reading has its own table in json_read.c (it needs
 * cJSON, which the programs that only write must not load).
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define ARROW "\xe2\x86\x92"	/* U+2192, as the reference prints it */

/* ---- JSON ------------------------------------------------------------ */

static void write_string(struct hctx_jw *w, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
	hctx_jw_string(w, v->s);
}

static void write_u64(struct hctx_jw *w, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_jw_u64(w, v->u);
}

static void write_limit(struct hctx_jw *w, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	if (v->u == UINT64_MAX)
		hctx_jw_string(w, HCTX_UNLIMITED);
	else
		hctx_jw_u64(w, v->u);
}

static void write_s64(struct hctx_jw *w, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_jw_s64(w, v->i);
}

static void write_bool(struct hctx_jw *w, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	hctx_jw_bool(w, v->b);
}

static void write_double(struct hctx_jw *w, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
	hctx_jw_double(w, v->d);
}

static void write_record(struct hctx_jw *w, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
	hctx_jw_begin(w, '{');
	for (size_t i = 0; i < spec->n_members && i < v->rec.n; i++) {
		if (!v->rec.slot[i])
			continue;
		hctx_jw_key(w, spec->members[i].name);
		hctx_write_value(w, spec->members[i].spec, v->rec.slot[i]);
	}
	hctx_jw_end(w, '}');
}

static void write_map(struct hctx_jw *w, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_jw_begin(w, '{');
	for (size_t i = 0; i < v->map.n; i++) {
		hctx_jw_key(w, v->map.e[i].key);
		hctx_write_value(w, spec->elem, v->map.e[i].value);
	}
	hctx_jw_end(w, '}');
}

static void write_array(struct hctx_jw *w, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < v->arr.n; i++) {
		hctx_jw_elem(w);
		hctx_write_value(w, spec->elem, v->arr.v[i]);
	}
	hctx_jw_end(w, ']');
}

void hctx_write_value(struct hctx_jw *w, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_kind_ops[spec->kind].write_json(w, spec, v);
}

/* ---- diff ------------------------------------------------------------ */

static int diff_whole(struct hctx_changes_builder *cb, const char *path,
		      const struct hctx_spec *spec, const struct hctx_value *a,
		      const struct hctx_value *b)
{
	if (hctx_value_equal(a, b))
		return 0;
	return hctx_push_change(cb, path, spec, a, b, false);
}

/*
 * Per key over the union of two maps in the same key order; entries
 * are named "PATH.KEY" (string keys) or "PATH.cpuN" (CPU keys).  A map
 * on one side only is one change for the whole map.
 */
static int diff_map(struct hctx_changes_builder *cb, const char *path,
		    const struct hctx_spec *spec, const struct hctx_value *a,
		    const struct hctx_value *b)
{
	const char *prefix = spec->kind == HCTX_KIND_CPUMAP ? "cpu" : "";
	size_t i = 0, j = 0;

	if (!a || !b)
		return diff_whole(cb, path, spec, a, b);
	while (i < a->map.n || j < b->map.n) {
		const struct hctx_entry *ea = i < a->map.n ? &a->map.e[i] : NULL;
		const struct hctx_entry *eb = j < b->map.n ? &b->map.e[j] : NULL;
		int cmp = !ea ? 1 : !eb ? -1 :
			  ea->cpu_lo != eb->cpu_lo && spec->kind != HCTX_KIND_STRMAP ?
			  (ea->cpu_lo < eb->cpu_lo ? -1 : 1) : strcmp(ea->key, eb->key);
		const struct hctx_value *va = cmp <= 0 ? ea->value : NULL;
		const struct hctx_value *vb = cmp >= 0 ? eb->value : NULL;
		const char *key = cmp <= 0 ? ea->key : eb->key;
		char sub[HCTX_PATH_MAX], name[HCTX_PATH_MAX];
		int r = 0;

		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (hctx_value_equal(va, vb))
			continue;
		snprintf(sub, sizeof(sub), "%s%s", prefix, key);
		if (!hctx_join_path(name, sizeof(name), path, sub))
			continue;	/* a key too long to name: see docs/design.md */
		r = hctx_push_change(cb, name, spec->elem, va, vb, true);
		if (r == 0 && *prefix)
			cb->c->items[cb->c->n - 1].is_cpu_entry = true;
		if (r < 0)
			return r;
	}
	return 0;
}

/* Members by dotted path; a record on one side only is one change. */
static int diff_record(struct hctx_changes_builder *cb, const char *path,
		       const struct hctx_spec *spec, const struct hctx_value *a,
		       const struct hctx_value *b)
{
	if (!a || !b)
		return diff_whole(cb, path, spec, a, b);
	enum hostctx_class field_cls = cb->cls;

	for (size_t i = 0; i < spec->n_members; i++) {
		const struct hctx_member *m = &spec->members[i];
		char name[HCTX_PATH_MAX];
		int r;

		if (!hctx_join_path(name, sizeof(name), path, m->name))
			continue;
		if (m->cls)
			cb->cls = (enum hostctx_class)(m->cls - 1);
		r = hctx_kind_ops[m->spec->kind].diff(cb, name, m->spec,
						      a->rec.slot[i], b->rec.slot[i]);
		cb->cls = field_cls;
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the human report ------------------------------------------------ */

static const char *absent_text(const struct hctx_spec *spec)
{
	return spec->human_absent ? spec->human_absent : "(unknown)";
}

static void put_scalar(struct hctx_human *h, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	switch (v->node) {
	case HCTX_NODE_STRING:
		if (spec->kind == HCTX_KIND_ENUM)
			hctx_human_enum(h, v->s);
		else
			hctx_human_value(h, v->s);
		break;
	case HCTX_NODE_U64:
		if (spec->kind == HCTX_KIND_LIMIT && v->u == UINT64_MAX)
			hctx_human_text(h, HCTX_UNLIMITED);
		else
			hctx_human_printf(h, "%" PRIu64, v->u);
		break;
	case HCTX_NODE_S64:
		hctx_human_printf(h, "%" PRId64, v->i);
		break;
	case HCTX_NODE_BOOL:
		hctx_human_text(h, v->b ? "true" : "false");
		break;
	case HCTX_NODE_DOUBLE:
		hctx_human_printf(h, "%g", v->d);
		break;
	case HCTX_NODE_RECORD:
	case HCTX_NODE_MAP:
	case HCTX_NODE_ARRAY:
		hctx_human_text(h, "(object)");
		break;
	}
}

static void report_scalar(struct hctx_human *h, const char *name,
			  const struct hctx_spec *spec, const struct hctx_value *v)
{
	hctx_human_text(h, name);
	hctx_human_text(h, ": ");
	if (v)
		put_scalar(h, spec, v);
	else
		hctx_human_text(h, absent_text(spec));
	hctx_human_text(h, "\n");
}

static void report_map(struct hctx_human *h, const char *name,
		       const struct hctx_spec *spec, const struct hctx_value *v)
{
	const char *prefix = spec->kind == HCTX_KIND_CPUMAP ? "cpu" : "";

	hctx_human_text(h, name);
	if (!v || v->map.n == 0) {
		hctx_human_text(h, v ? ": (empty)\n" : ": ");
		if (!v)
			hctx_human_printf(h, "%s\n", absent_text(spec));
		return;
	}
	hctx_human_text(h, ":\n");
	for (size_t i = 0; i < v->map.n; i++) {
		hctx_human_printf(h, "  %s", prefix);
		hctx_human_value(h, v->map.e[i].key);
		hctx_human_text(h, " = ");
		put_scalar(h, spec->elem, v->map.e[i].value);
		hctx_human_text(h, "\n");
	}
}

/* "name:" then one "  0-3,6-7: value" line per key. */
static void report_bycpu(struct hctx_human *h, const char *name,
			 const struct hctx_spec *spec, const struct hctx_value *v)
{
	if (!v) {
		report_scalar(h, name, spec, NULL);
		return;
	}
	hctx_human_text(h, name);
	hctx_human_text(h, ":\n");
	for (size_t i = 0; i < v->map.n; i++) {
		hctx_human_text(h, "  ");
		hctx_human_value(h, v->map.e[i].key);
		hctx_human_text(h, ": ");
		put_scalar(h, spec->elem, v->map.e[i].value);
		hctx_human_text(h, "\n");
	}
}

/* A record's members in its human order; absent members "(unknown)". */
/* The members of a record of scalars on one line: "soft 0, hard unlimited". */
static void report_inline(struct hctx_human *h, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	bool first = true;

	for (size_t i = 0; i < spec->n_members; i++) {
		if (!v->rec.slot[i])
			continue;
		hctx_human_printf(h, "%s%s ", first ? "" : ", ", spec->members[i].name);
		put_scalar(h, spec->members[i].spec, v->rec.slot[i]);
		first = false;
	}
}

/* A record inside a record (process.rlimits): a line per member, indented. */
static void report_nested(struct hctx_human *h, const char *name,
			  const struct hctx_spec *spec, const struct hctx_value *v)
{
	hctx_human_text(h, name);
	hctx_human_text(h, ":\n");
	for (size_t i = 0; i < spec->n_members; i++) {
		const struct hctx_spec *m = spec->members[i].spec;

		if (!v->rec.slot[i])
			continue;
		hctx_human_text(h, "    ");
		hctx_human_text(h, spec->members[i].name);
		hctx_human_text(h, ": ");
		if (m->kind == HCTX_KIND_RECORD)
			report_inline(h, m, v->rec.slot[i]);
		else
			put_scalar(h, m, v->rec.slot[i]);
		hctx_human_text(h, "\n");
	}
}

static void report_record(struct hctx_human *h, const char *name,
			  const struct hctx_spec *spec, const struct hctx_value *v)
{
	if (!v) {
		if (*absent_text(spec))
			report_scalar(h, name, spec, NULL);
		return;
	}
	hctx_human_text(h, name);
	hctx_human_text(h, ":\n");
	for (unsigned order = 0; order < spec->n_members; order++) {
		for (size_t i = 0; i < spec->n_members; i++) {
			if (spec->members[i].human_order != order)
				continue;
			hctx_human_text(h, "  ");
			if (spec->members[i].spec->kind == HCTX_KIND_RECORD && v->rec.slot[i])
				report_nested(h, spec->members[i].name, spec->members[i].spec,
					      v->rec.slot[i]);
			else
				report_scalar(h, spec->members[i].name, spec->members[i].spec,
					      v->rec.slot[i]);
		}
	}
}

static void report_array(struct hctx_human *h, const char *name,
			 const struct hctx_spec *spec, const struct hctx_value *v)
{
	hctx_human_text(h, name);
	if (!v) {
		hctx_human_printf(h, ": %s\n", absent_text(spec));
		return;
	}
	if (spec->elem && spec->elem->kind == HCTX_KIND_STRING) {
		/* a list of names: "redacted: boot_id, kernel_cmdline" */
		hctx_human_text(h, ":");
		for (size_t i = 0; i < v->arr.n; i++)
			hctx_human_printf(h, "%s %s", i ? "," : "", v->arr.v[i]->s);
		hctx_human_text(h, "\n");
		return;
	}
	hctx_human_printf(h, ": %zu entries\n", v->arr.n);
	/* records: one line each, "  level=1 type=data ..." */
	for (size_t i = 0; spec->elem && spec->elem->kind == HCTX_KIND_RECORD && i < v->arr.n; i++) {
		const struct hctx_spec *e = spec->elem;

		hctx_human_text(h, " ");
		for (size_t m = 0; m < e->n_members; m++) {
			const struct hctx_value *x = v->arr.v[i]->rec.slot[m];

			if (!x)
				continue;
			hctx_human_printf(h, " %s=", e->members[m].name);
			if (x->node == HCTX_NODE_STRING)
				hctx_human_text(h, x->s);
			else if (x->node == HCTX_NODE_U64)
				hctx_human_printf(h, "%llu", (unsigned long long)x->u);
		}
		hctx_human_text(h, "\n");
	}
}

/* ---- change lines ---------------------------------------------------- */

static void put_side(struct hctx_human *h, const struct hctx_spec *spec,
		     const struct hctx_value *v, const char *absent)
{
	if (!v) {
		hctx_human_text(h, absent);
		return;
	}
	switch (v->node) {
	case HCTX_NODE_MAP:
		if (v->map.n == 0)
			hctx_human_text(h, "(empty)");
		else if (v->map.n == 1)
			hctx_human_text(h, "(1 entry)");
		else
			hctx_human_printf(h, "(%zu entries)", v->map.n);
		break;
	case HCTX_NODE_RECORD:
		hctx_human_text(h, "(present)");
		break;
	case HCTX_NODE_ARRAY:
		hctx_human_printf(h, "(%zu entries)", v->arr.n);
		break;
	case HCTX_NODE_STRING:
	case HCTX_NODE_U64:
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_DOUBLE:
		put_scalar(h, spec, v);
		break;
	}
}

static void change_line(struct hctx_human *h, const struct hctx_change *c)
{
	const char *absent = c->is_map_entry ? "(absent)" : "(unknown)";

	hctx_human_text(h, "  ");
	hctx_human_value(h, c->field);
	hctx_human_text(h, ": ");
	put_side(h, c->spec, c->before, absent);
	hctx_human_text(h, " " ARROW " ");
	put_side(h, c->spec, c->after, absent);
	hctx_human_text(h, "\n");
}

void hctx_change_sides(struct hctx_human *h, const struct hctx_change *c)
{
	put_side(h, c->spec, c->before, "(absent)");
	hctx_human_text(h, " " ARROW " ");
	put_side(h, c->spec, c->after, "(absent)");
}

/*
 * A CPU map on one side only: the reference compares per CPU over the
 * union, which is every CPU of the map that exists.
 */
static void cpumap_change_lines(struct hctx_human *h, const struct hctx_change *c)
{
	const struct hctx_value *side = c->before ? c->before : c->after;

	if (c->is_map_entry || !side) {
		change_line(h, c);
		return;
	}
	for (size_t i = 0; i < side->map.n; i++) {
		const struct hctx_value *a = c->before ? side->map.e[i].value : NULL;
		const struct hctx_value *b = c->after ? side->map.e[i].value : NULL;

		hctx_human_text(h, "  ");
		hctx_human_value(h, c->field);
		hctx_human_text(h, ".cpu");
		hctx_human_value(h, side->map.e[i].key);
		hctx_human_text(h, ": ");
		put_side(h, c->spec->elem, a, "(absent)");
		hctx_human_text(h, " " ARROW " ");
		put_side(h, c->spec->elem, b, "(absent)");
		hctx_human_text(h, "\n");
	}
}

void hctx_change_lines(struct hctx_human *h, const struct hctx_change *c)
{
	hctx_kind_ops[c->spec->kind].change_lines(h, c);
}

/* ---- scalars from file text ------------------------------------------ */

static int made(struct hctx_value *v, struct hctx_value **ret)
{
	*ret = v;
	return v ? 0 : -ENOMEM;
}

static int string_from_text(const struct hctx_spec *spec, const char *text,
			    struct hctx_value **ret)
{
	return made(hctx_value_string(text), ret);
}

static int enum_from_text(const struct hctx_spec *spec, const char *text,
			  struct hctx_value **ret)
{
	for (const char *const *n = spec->names; *n; n++)
		if (strcmp(*n, text) == 0)
			return made(hctx_value_string(*n), ret);
	return -EINVAL;
}

static int u64_from_text(const struct hctx_spec *spec, const char *text,
			 struct hctx_value **ret)
{
	uint64_t v;

	if (hctx_parse_u64(text, strlen(text), &v) < 0)
		return -EINVAL;
	return made(hctx_value_u64(v), ret);
}

static int limit_from_text(const struct hctx_spec *spec, const char *text,
			   struct hctx_value **ret)
{
	if (strcmp(text, HCTX_UNLIMITED) == 0)
		return made(hctx_value_u64(UINT64_MAX), ret);
	return u64_from_text(spec, text, ret);
}

static int s64_from_text(const struct hctx_spec *spec, const char *text,
			 struct hctx_value **ret)
{
	bool neg = text[0] == '-';
	uint64_t mag;

	if (hctx_parse_u64(text + neg, strlen(text + neg), &mag) < 0 ||
	    mag > (uint64_t)INT64_MAX + neg)
		return -EINVAL;
	return made(hctx_value_s64(neg ? (int64_t)(0 - mag) : (int64_t)mag), ret);
}

/* Booleans from files holding 0 or 1; anything else is not one. */
static int bool_from_text(const struct hctx_spec *spec, const char *text,
			  struct hctx_value **ret)
{
	if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0)
		return -EINVAL;
	return made(hctx_value_bool(text[0] == '1'), ret);
}

/* Finite and not negative: uptimes, load averages, pressure shares. */
static int double_from_text(const struct hctx_spec *spec, const char *text,
			    struct hctx_value **ret)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(text, &end);
	if (end == text || *end || errno || !isfinite(d) || d < 0)
		return -EINVAL;
	return made(hctx_value_double(d), ret);
}

int hctx_value_from_text(const struct hctx_spec *spec, const char *text,
			 struct hctx_value **ret)
{
	if (!hctx_kind_ops[spec->kind].from_text)
		return -EINVAL;
	return hctx_kind_ops[spec->kind].from_text(spec, text, ret);
}

/* ---- OpenMetrics samples (docs/metrics.md) ---------------------------- */

/* Strings and enumerations are not numbers: no sample. */
static void metrics_none(struct hctx_metrics *m, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
}

static void metrics_u64(struct hctx_metrics *m, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_U64)
		hctx_metrics_u64(m, v->u);
}

/* "unlimited" is what +Inf means, and compares above every limit. */
static void metrics_limit(struct hctx_metrics *m, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_U64 && v->u == UINT64_MAX)
		hctx_metrics_sample(m, "+Inf");
	else
		metrics_u64(m, spec, v);
}

static void metrics_s64(struct hctx_metrics *m, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_S64)
		hctx_metrics_s64(m, v->i);
}

static void metrics_bool(struct hctx_metrics *m, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_BOOL)
		hctx_metrics_sample(m, v->b ? "1" : "0");
}

static void metrics_double(struct hctx_metrics *m, const struct hctx_spec *spec,
			   const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_DOUBLE)
		hctx_metrics_double(m, v->d);
}

static void metrics_member(struct hctx_metrics *m, const char *name,
			   const struct hctx_spec *spec, const struct hctx_value *v)
{
	struct hctx_metrics_mark k;

	if (!spec || !v)
		return;
	k = hctx_metrics_enter_name(m, name);
	hctx_metrics_walk(m, spec, v);
	hctx_metrics_leave(m, k);
}

static const struct hctx_spec *member_spec(const struct hctx_spec *spec,
					   const struct hctx_value *v, const char *name)
{
	for (size_t i = 0; i < spec->n_members; i++)
		if (strcmp(spec->members[i].name, name) == 0)
			return spec->members[i].spec;
	return hctx_spec_of_node(v->node);
}

/*
 * Members extend the name.  A record's deltas are a map of its members
 * by name, with values derived from them beside (pressure's shares).
 */
static void metrics_record(struct hctx_metrics *m, const struct hctx_spec *spec,
			   const struct hctx_value *v)
{
	if (v->node == HCTX_NODE_RECORD) {
		for (size_t i = 0; i < spec->n_members && i < v->rec.n; i++)
			metrics_member(m, spec->members[i].name, spec->members[i].spec,
				       v->rec.slot[i]);
	} else if (v->node == HCTX_NODE_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			const struct hctx_entry *e = &v->map.e[i];

			metrics_member(m, e->key, member_spec(spec, e->value, e->key),
				       e->value);
		}
	}
}

/* Keys are label values, so that a family's name never depends on the host. */
static void metrics_keyed(struct hctx_metrics *m, const struct hctx_spec *spec,
			  const struct hctx_value *v, const char *label)
{
	if (v->node != HCTX_NODE_MAP)
		return;
	for (size_t i = 0; i < v->map.n; i++) {
		struct hctx_metrics_mark k =
			hctx_metrics_enter_label(m, label, v->map.e[i].key);

		hctx_metrics_walk(m, spec->elem, v->map.e[i].value);
		hctx_metrics_leave(m, k);
	}
}

static void metrics_strmap(struct hctx_metrics *m, const struct hctx_spec *spec,
			   const struct hctx_value *v)
{
	metrics_keyed(m, spec, v, "key");
}

static void metrics_cpumap(struct hctx_metrics *m, const struct hctx_spec *spec,
			   const struct hctx_value *v)
{
	metrics_keyed(m, spec, v, "cpu");
}

static void metrics_bycpu(struct hctx_metrics *m, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	metrics_keyed(m, spec, v, "cpus");
}

static void metrics_array(struct hctx_metrics *m, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	char index[24];

	if (v->node != HCTX_NODE_ARRAY)
		return;
	for (size_t i = 0; i < v->arr.n; i++) {
		struct hctx_metrics_mark k;

		snprintf(index, sizeof(index), "%zu", i);
		k = hctx_metrics_enter_label(m, "index", index);
		hctx_metrics_walk(m, spec->elem, v->arr.v[i]);
		hctx_metrics_leave(m, k);
	}
}

void hctx_metrics_walk(struct hctx_metrics *m, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	hctx_kind_ops[spec->kind].metrics(m, spec, v);
}

const struct hctx_spec *hctx_spec_of_node(enum hctx_node node)
{
	static const struct hctx_spec by_name = { .kind = HCTX_KIND_RECORD };

	switch (node) {
	case HCTX_NODE_STRING:
		return &hctx_spec_string;
	case HCTX_NODE_U64:
		return &hctx_spec_u64;
	case HCTX_NODE_S64:
		return &hctx_spec_s64;
	case HCTX_NODE_BOOL:
		return &hctx_spec_bool;
	case HCTX_NODE_DOUBLE:
		return &hctx_spec_double;
	case HCTX_NODE_RECORD:
	case HCTX_NODE_MAP:
		return &by_name;
	case HCTX_NODE_ARRAY:
		break;
	}
	return NULL;
}

/* ---- export cells (docs/fleet.md) ------------------------------------- */

static void export_string(struct hctx_export *x, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_STRING)
		hctx_export_string(x, v->s);
	else
		hctx_export_null(x);
}

static void export_u64(struct hctx_export *x, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_U64)
		hctx_export_u64(x, v->u);
	else
		hctx_export_null(x);
}

/* As the record writes it: "unlimited" (a string) or the number. */
static void export_limit(struct hctx_export *x, const struct hctx_spec *spec,
			 const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_U64 && v->u == UINT64_MAX)
		hctx_export_string(x, HCTX_UNLIMITED);
	else
		export_u64(x, spec, v);
}

static void export_s64(struct hctx_export *x, const struct hctx_spec *spec,
		       const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_S64)
		hctx_export_s64(x, v->i);
	else
		hctx_export_null(x);
}

static void export_bool(struct hctx_export *x, const struct hctx_spec *spec,
			const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_BOOL)
		hctx_export_bool(x, v->b);
	else
		hctx_export_null(x);
}

static void export_double(struct hctx_export *x, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	if (v && v->node == HCTX_NODE_DOUBLE)
		hctx_export_double(x, v->d);
	else
		hctx_export_null(x);
}

/*
 * A member of a record, or of a map read as one (the deltas are maps
 * whose keys are hctx_deltas_spec's members).
 */
static const struct hctx_value *member_value(const struct hctx_value *v, size_t i,
					     const char *name)
{
	const struct hctx_entry *e;

	if (!v)
		return NULL;
	if (v->node == HCTX_NODE_RECORD)
		return i < v->rec.n ? v->rec.slot[i] : NULL;
	if (v->node != HCTX_NODE_MAP)
		return NULL;
	e = hctx_map_find(v, name);
	return e ? e->value : NULL;
}

/* Members are columns of their own, named after them: a fixed set. */
static void export_record(struct hctx_export *x, const struct hctx_spec *spec,
			  const struct hctx_value *v)
{
	for (size_t i = 0; i < spec->n_members; i++) {
		size_t mark = hctx_export_enter(x, spec->members[i].name);

		hctx_export_walk(x, spec->members[i].spec,
				 member_value(v, i, spec->members[i].name));
		hctx_export_leave(x, mark);
	}
}

void hctx_export_walk(struct hctx_export *x, const struct hctx_spec *spec,
		      const struct hctx_value *v)
{
	hctx_kind_ops[spec->kind].export(x, spec, v);
}

/* ---- the table ------------------------------------------------------- */

#define SCALAR(node_, writer, parse, metrics_, export_)                     \
	{ .node = HCTX_NODE_##node_, .write_json = writer, .diff = diff_whole, \
	  .report = report_scalar, .change_lines = change_line,             \
	  .from_text = parse, .metrics = metrics_, .export = export_ }
/* String keys are the host's, not ours: one JSON-text column. */
#define MAP { .node = HCTX_NODE_MAP, .write_json = write_map, .diff = diff_map, \
	      .report = report_map, .change_lines = change_line,             \
	      .metrics = metrics_strmap, .export = hctx_export_json }

const struct hctx_kind_ops hctx_kind_ops[HCTX_KIND_COUNT] = {
	[HCTX_KIND_STRING] = SCALAR(STRING, write_string, string_from_text, metrics_none,
				    export_string),
	[HCTX_KIND_ENUM] = SCALAR(STRING, write_string, enum_from_text, metrics_none,
				  export_string),
	[HCTX_KIND_U64] = SCALAR(U64, write_u64, u64_from_text, metrics_u64, export_u64),
	[HCTX_KIND_LIMIT] = SCALAR(U64, write_limit, limit_from_text, metrics_limit,
				   export_limit),
	[HCTX_KIND_S64] = SCALAR(S64, write_s64, s64_from_text, metrics_s64, export_s64),
	[HCTX_KIND_BOOL] = SCALAR(BOOL, write_bool, bool_from_text, metrics_bool, export_bool),
	[HCTX_KIND_DOUBLE] = SCALAR(DOUBLE, write_double, double_from_text, metrics_double,
				    export_double),
	[HCTX_KIND_RECORD] = { .node = HCTX_NODE_RECORD, .write_json = write_record,
			       .diff = diff_record, .report = report_record,
			       .change_lines = change_line, .metrics = metrics_record,
			       .export = export_record },
	[HCTX_KIND_STRMAP] = MAP,
	[HCTX_KIND_CPUMAP] = { .node = HCTX_NODE_MAP, .write_json = write_map,
			       .diff = diff_map, .report = report_map,
			       .change_lines = cpumap_change_lines,
			       .metrics = metrics_cpumap, .export = hctx_export_cpumap },
	[HCTX_KIND_BYCPU] = { .node = HCTX_NODE_MAP, .write_json = write_map,
			      .diff = hctx_bycpu_diff, .report = report_bycpu,
			      .change_lines = change_line, .metrics = metrics_bycpu,
			      .export = hctx_export_bycpu },
	/* Elements have no fixed count: one JSON-text column. */
	[HCTX_KIND_ARRAY] = { .node = HCTX_NODE_ARRAY, .write_json = write_array,
			      .diff = diff_whole, .report = report_array,
			      .change_lines = change_line, .metrics = metrics_array,
			      .export = hctx_export_json },
};
