/* SPDX-License-Identifier: MIT */
/*
 * hostctx_diff: the structured list of (field, before, after), driven by
 * the field table so that a new field needs no code here.  Values are
 * borrowed from the two snapshots; only the field names are owned.
 */
#include "internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static struct hostctx_value value_absent(void)
{
	return (struct hostctx_value){ .kind = HOSTCTX_VALUE_ABSENT };
}

static struct hostctx_value value_string(const char *s)
{
	if (!s)
		return value_absent();
	return (struct hostctx_value){ .kind = HOSTCTX_VALUE_STRING, .string = s };
}

static struct hostctx_value value_u64(const struct hostctx_u64 *v)
{
	if (!v->present)
		return value_absent();
	return (struct hostctx_value){ .kind = HOSTCTX_VALUE_U64, .u64 = v->value };
}

static bool strings_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Append one change; takes ownership of field. */
static int push_change(struct hostctx_changes *c, char *field,
		       bool is_map_entry, struct hostctx_value before,
		       struct hostctx_value after)
{
	if (!field)
		return -ENOMEM;
	/*
	 * The capacity is implied by n (4, then doubling at each power of
	 * two), so the public struct needs no capacity field.
	 */
	if (c->n == 0 || (c->n >= 4 && (c->n & (c->n - 1)) == 0)) {
		size_t cap = c->n ? c->n * 2 : 4;
		struct hostctx_change *items =
			realloc(c->items, cap * sizeof(*items));

		if (!items) {
			free(field);
			return -ENOMEM;
		}
		c->items = items;
	}
	c->items[c->n++] = (struct hostctx_change){
		.field = field,
		.is_map_entry = is_map_entry,
		.before = before,
		.after = after,
	};
	return 0;
}

static int push_scalar(struct hostctx_changes *c, const char *name,
		       struct hostctx_value before, struct hostctx_value after)
{
	return push_change(c, strdup(name), false, before, after);
}

static int diff_string(struct hostctx_changes *c, const char *name,
		       const char *a, const char *b)
{
	if (strings_equal(a, b))
		return 0;
	return push_scalar(c, name, value_string(a), value_string(b));
}

static int diff_u64(struct hostctx_changes *c, const char *name,
		    const struct hostctx_u64 *a, const struct hostctx_u64 *b)
{
	if (a->present == b->present && (!a->present || a->value == b->value))
		return 0;
	return push_scalar(c, name, value_u64(a), value_u64(b));
}

static char *entry_name(const char *field, const char *fmt_prefix,
			const char *key)
{
	char *s;

	if (asprintf(&s, "%s.%s%s", field, fmt_prefix, key) < 0)
		return NULL;
	return s;
}

/* Per key over the union of two sorted maps, "(absent)" on a missing side. */
static int diff_kv_entries(struct hostctx_changes *c, const char *name,
			   const struct hostctx_kvmap *a,
			   const struct hostctx_kvmap *b)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const struct hostctx_kv *ka = i < a->n ? &a->items[i] : NULL;
		const struct hostctx_kv *kb = j < b->n ? &b->items[j] : NULL;
		int cmp = !ka ? 1 : !kb ? -1 : strcmp(ka->key, kb->key);
		const char *va = cmp <= 0 ? ka->value : NULL;
		const char *vb = cmp >= 0 ? kb->value : NULL;
		const char *key = cmp <= 0 ? ka->key : kb->key;
		int r;

		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (strings_equal(va, vb))
			continue;
		r = push_change(c, entry_name(name, "", key), true,
				value_string(va), value_string(vb));
		if (r < 0)
			return r;
	}
	return 0;
}

static struct hostctx_value value_kvmap(const struct hostctx_kvmap *m)
{
	if (!m->present)
		return value_absent();
	return (struct hostctx_value){ .kind = HOSTCTX_VALUE_KVMAP, .kvmap = m };
}

static int diff_kvmap(struct hostctx_changes *c, const char *name,
		      const struct hostctx_kvmap *a,
		      const struct hostctx_kvmap *b)
{
	if (a->present && b->present)
		return diff_kv_entries(c, name, a, b);
	if (a->present == b->present)
		return 0;
	/* One side has no map at all: one change for the whole map. */
	return push_scalar(c, name, value_kvmap(a), value_kvmap(b));
}

static int diff_gov_entries(struct hostctx_changes *c, const char *name,
			    const struct hostctx_govmap *a,
			    const struct hostctx_govmap *b)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const struct hostctx_gov *ga = i < a->n ? &a->items[i] : NULL;
		const struct hostctx_gov *gb = j < b->n ? &b->items[j] : NULL;
		int cmp = !ga ? 1 : !gb ? -1 :
			  ga->cpu < gb->cpu ? -1 : ga->cpu > gb->cpu ? 1 : 0;
		const char *va = cmp <= 0 ? ga->governor : NULL;
		const char *vb = cmp >= 0 ? gb->governor : NULL;
		unsigned cpu = cmp <= 0 ? ga->cpu : gb->cpu;
		char key[16];
		int r;

		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (strings_equal(va, vb))
			continue;
		snprintf(key, sizeof(key), "%u", cpu);
		r = push_change(c, entry_name(name, "cpu", key), true,
				value_string(va), value_string(vb));
		if (r < 0)
			return r;
	}
	return 0;
}

static struct hostctx_value value_govmap(const struct hostctx_govmap *m)
{
	if (m->n == 0)
		return value_absent();
	return (struct hostctx_value){ .kind = HOSTCTX_VALUE_GOVMAP, .govmap = m };
}

static int diff_govmap(struct hostctx_changes *c, const char *name,
		       const struct hostctx_govmap *a,
		       const struct hostctx_govmap *b)
{
	if (a->n > 0 && b->n > 0)
		return diff_gov_entries(c, name, a, b);
	if ((a->n > 0) == (b->n > 0))
		return 0;
	/* An empty governor map is an absent one (it is omitted from JSON). */
	return push_scalar(c, name, value_govmap(a), value_govmap(b));
}

static int diff_enum(struct hostctx_changes *c, const char *name,
		     const char *a, const char *b)
{
	/* a and b are the JSON names: NULL for the _ABSENT value. */
	return diff_string(c, name, a, b);
}

static int diff_field(struct hostctx_changes *c, const struct hctx_field *f,
		      const struct hostctx_snapshot *a,
		      const struct hostctx_snapshot *b)
{
	const void *pa = HCTX_CFIELD(a, f), *pb = HCTX_CFIELD(b, f);

	switch (f->kind) {
	case HCTX_KIND_STRING:
		return diff_string(c, f->name, *(char *const *)pa,
				   *(char *const *)pb);
	case HCTX_KIND_U64:
		return diff_u64(c, f->name, pa, pb);
	case HCTX_KIND_DELAYACCT:
		return diff_enum(c, f->name,
				 hostctx_delayacct_json_name(*(const enum hostctx_delayacct *)pa),
				 hostctx_delayacct_json_name(*(const enum hostctx_delayacct *)pb));
	case HCTX_KIND_XACCT:
		return diff_enum(c, f->name,
				 hostctx_xacct_name(*(const enum hostctx_xacct *)pa),
				 hostctx_xacct_name(*(const enum hostctx_xacct *)pb));
	case HCTX_KIND_KVMAP:
		return diff_kvmap(c, f->name, pa, pb);
	case HCTX_KIND_GOVMAP:
		return diff_govmap(c, f->name, pa, pb);
	case HCTX_KIND_HEAP:
		/* Reported, never compared (CONTRACT §3). */
		return 0;
	}
	return 0;
}

HCTX_EXPORT int hostctx_diff(const struct hostctx_snapshot *a,
			     const struct hostctx_snapshot *b,
			     struct hostctx_changes *ret_changes)
{
	struct hostctx_changes c = { 0 };

	for (size_t i = 0; i < hctx_n_fields; i++) {
		int r = diff_field(&c, &hctx_fields[i], a, b);

		if (r < 0) {
			hostctx_changes_clear(&c);
			return r;
		}
	}
	*ret_changes = c;
	return 0;
}

HCTX_EXPORT void hostctx_changes_clear(struct hostctx_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].field);
	free(c->items);
	c->items = NULL;
	c->n = 0;
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
