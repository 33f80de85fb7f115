/* SPDX-License-Identifier: MIT */
/*
 * hostctx_diff: the structured list of (field, before, after), driven by
 * the field table and the per-kind diff operations (kinds.c), so that a
 * new field needs no code here.  Values are borrowed from the two
 * snapshots; only the field names are owned.
 */
#include "internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

bool hctx_join_path(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s.%s", a, b);

	return n >= 0 && (size_t)n < size;
}

int hctx_push_change(struct hctx_changes_builder *cb, const char *path,
		     const struct hctx_spec *spec, const struct hctx_value *a,
		     const struct hctx_value *b, bool is_map_entry)
{
	struct hostctx_changes *c = cb->c;
	char *field = strdup(path);

	if (!field)
		return -ENOMEM;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct hctx_change *items = realloc(c->items, cap * sizeof(*items));

		if (!items) {
			free(field);
			return -ENOMEM;
		}
		c->items = items;
		c->cap = cap;
	}
	c->items[c->n++] = (struct hctx_change){
		.field = field,
		.cls = cb->cls,
		.spec = spec,
		.before = a,
		.after = b,
		.is_map_entry = is_map_entry,
		.flags = cb->seed ? HOSTCTX_CHANGE_REFERENCE : 0,
	};
	return 0;
}

int hctx_diff_field(struct hctx_changes_builder *cb, size_t row,
		    const struct hostctx_snapshot *a, const struct hostctx_snapshot *b)
{
	const struct hctx_field *f = &hctx_fields[row];

	cb->cls = f->cls;
	cb->seed = f->seed;
	return hctx_kind_ops[f->spec->kind].diff(cb, f->name, f->spec,
						 a->values[row], b->values[row]);
}

/* A record's "changes" (docs/json-format.md): what compare.c's run form lists. */
HCTX_EXPORT int hostctx_diff(const struct hostctx_snapshot *a,
			     const struct hostctx_snapshot *b,
			     struct hostctx_changes **ret)
{
	struct hostctx_changes *c = calloc(1, sizeof(*c));
	struct hctx_changes_builder cb = { .c = c };

	if (!c)
		return -ENOMEM;
	c->form = HOSTCTX_COMPARE_RUN;
	c->classes = HCTX_DEFAULT_CLASSES;
	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *f = &hctx_fields[i];
		int r;

		if (f->never_compared)
			continue;	/* heap_state: reported apart, never compared */
		/* gauges and counters stay in pre/post (and deltas), except
		 * the reference's own hugepages_free, which keeps its place */
		if (f->cls == HOSTCTX_CLASS_TELEMETRY && !f->seed)
			continue;
		r = hctx_diff_field(&cb, i, a, b);
		if (r < 0) {
			hostctx_changes_free(c);
			return r;
		}
	}
	*ret = c;
	return 0;
}

HCTX_EXPORT void hostctx_changes_free(struct hostctx_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].field);
	free(c->items);
	free(c->producer[0]);
	free(c->producer[1]);
	free(c);
}

HCTX_EXPORT size_t hostctx_changes_count(const struct hostctx_changes *c)
{
	return c ? c->n : 0;
}

HCTX_EXPORT const char *hostctx_change_field(const struct hostctx_changes *c,
					     size_t i)
{
	return c && i < c->n ? c->items[i].field : NULL;
}

HCTX_EXPORT int hostctx_change_class(const struct hostctx_changes *c, size_t i)
{
	return c && i < c->n ? (int)c->items[i].cls : -EINVAL;
}

static bool matches_any(const char *field, const char *const *globs,
			size_t n_globs)
{
	for (size_t i = 0; i < n_globs; i++)
		if (globs[i] && fnmatch(globs[i], field, 0) == 0)
			return true;
	return false;
}

HCTX_EXPORT void hostctx_changes_filter(struct hostctx_changes *c,
					const char *const *globs,
					size_t n_globs)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (matches_any(c->items[i].field, globs, n_globs)) {
			free(c->items[i].field);
			continue;
		}
		c->items[kept++] = c->items[i];
	}
	c->n = kept;
}
