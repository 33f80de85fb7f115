/* SPDX-License-Identifier: MIT */
/*
 * The snapshot object: life cycle, map helpers, and taking one by
 * running every reader of the field table once.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

HCTX_EXPORT void hostctx_snapshot_init(struct hostctx_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void hctx_kvmap_clear(struct hostctx_kvmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	memset(m, 0, sizeof(*m));
}

void hctx_govmap_clear(struct hostctx_govmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i].governor);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

HCTX_EXPORT void hostctx_snapshot_clear(struct hostctx_snapshot *s)
{
	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *f = &hctx_fields[i];
		void *p = HCTX_FIELD(s, f);

		switch (f->kind) {
		case HCTX_KIND_STRING:
			free(*(char **)p);
			break;
		case HCTX_KIND_KVMAP:
			hctx_kvmap_clear(p);
			break;
		case HCTX_KIND_GOVMAP:
			hctx_govmap_clear(p);
			break;
		case HCTX_KIND_HEAP:
			free(*(struct hostctx_heap **)p);
			break;
		default:
			break;
		}
	}
	hostctx_snapshot_init(s);
}

/* ---- maps ---------------------------------------------------------- */

/* Position of key, or where it would go (*found false). */
static size_t kv_find(const struct hostctx_kvmap *m, const char *key, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->items[mid].key, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

HCTX_EXPORT int hostctx_kvmap_set(struct hostctx_kvmap *m, const char *key,
				  const char *value)
{
	bool found;
	size_t at = kv_find(m, key, &found);
	char *v, *k;
	struct hostctx_kv *items;

	m->present = true;
	if (!value) {
		if (found) {
			free(m->items[at].key);
			free(m->items[at].value);
			memmove(&m->items[at], &m->items[at + 1],
				(m->n - at - 1) * sizeof(m->items[0]));
			m->n--;
		}
		return 0;
	}
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (found) {
		free(m->items[at].value);
		m->items[at].value = v;
		return 0;
	}
	k = strdup(key);
	items = k ? realloc(m->items, (m->n + 1) * sizeof(*items)) : NULL;
	if (!items) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	m->items = items;
	memmove(&items[at + 1], &items[at], (m->n - at) * sizeof(*items));
	items[at].key = k;
	items[at].value = v;
	m->n++;
	return 0;
}

HCTX_EXPORT const char *hostctx_kvmap_get(const struct hostctx_kvmap *m,
					  const char *key)
{
	bool found;
	size_t at = kv_find(m, key, &found);

	return found ? m->items[at].value : NULL;
}

static size_t gov_find(const struct hostctx_govmap *m, unsigned cpu, bool *found)
{
	size_t lo = 0, hi = m->n;

	/* CPUs arrive in ascending order: appending is the common case. */
	if (m->n == 0 || m->items[m->n - 1].cpu < cpu) {
		*found = false;
		return m->n;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->items[mid].cpu == cpu) {
			*found = true;
			return mid;
		}
		if (m->items[mid].cpu < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

HCTX_EXPORT int hostctx_govmap_set(struct hostctx_govmap *m, unsigned cpu,
				   const char *governor)
{
	bool found;
	size_t at = gov_find(m, cpu, &found);
	struct hostctx_gov *items;
	char *g;

	if (!governor) {
		if (found) {
			free(m->items[at].governor);
			memmove(&m->items[at], &m->items[at + 1],
				(m->n - at - 1) * sizeof(m->items[0]));
			m->n--;
		}
		return 0;
	}
	g = strdup(governor);
	if (!g)
		return -ENOMEM;
	if (found) {
		free(m->items[at].governor);
		m->items[at].governor = g;
		return 0;
	}
	/* Grow by doubling: a 4096-CPU host appends 4096 times. */
	if (m->n == 0 || (m->n >= 8 && (m->n & (m->n - 1)) == 0)) {
		items = realloc(m->items, (m->n ? m->n * 2 : 8) * sizeof(*items));
		if (!items) {
			free(g);
			return -ENOMEM;
		}
		m->items = items;
	}
	memmove(&m->items[at + 1], &m->items[at], (m->n - at) * sizeof(m->items[0]));
	m->items[at].cpu = cpu;
	m->items[at].governor = g;
	m->n++;
	return 0;
}

HCTX_EXPORT const char *hostctx_govmap_get(const struct hostctx_govmap *m,
					   unsigned cpu)
{
	bool found;
	size_t at = gov_find(m, cpu, &found);

	return found ? m->items[at].governor : NULL;
}

/* ---- copy and compare ---------------------------------------------- */

static int copy_string(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int copy_field(const struct hctx_field *f, struct hostctx_snapshot *dst,
		      const struct hostctx_snapshot *src)
{
	const void *from = HCTX_CFIELD(src, f);
	void *to = HCTX_FIELD(dst, f);
	int r = 0;

	switch (f->kind) {
	case HCTX_KIND_STRING:
		return copy_string(to, *(char *const *)from);
	case HCTX_KIND_U64:
		memcpy(to, from, sizeof(struct hostctx_u64));
		return 0;
	case HCTX_KIND_DELAYACCT:
		memcpy(to, from, sizeof(enum hostctx_delayacct));
		return 0;
	case HCTX_KIND_XACCT:
		memcpy(to, from, sizeof(enum hostctx_xacct));
		return 0;
	case HCTX_KIND_KVMAP: {
		const struct hostctx_kvmap *m = from;
		struct hostctx_kvmap *out = to;

		for (size_t i = 0; r == 0 && i < m->n; i++)
			r = hostctx_kvmap_set(out, m->items[i].key, m->items[i].value);
		out->present = m->present;
		return r;
	}
	case HCTX_KIND_GOVMAP: {
		const struct hostctx_govmap *m = from;

		for (size_t i = 0; r == 0 && i < m->n; i++)
			r = hostctx_govmap_set(to, m->items[i].cpu, m->items[i].governor);
		return r;
	}
	case HCTX_KIND_HEAP: {
		const struct hostctx_heap *h = *(struct hostctx_heap *const *)from;
		struct hostctx_heap **out = to;

		if (!h)
			return 0;
		*out = malloc(sizeof(**out));
		if (!*out)
			return -ENOMEM;
		**out = *h;
		return 0;
	}
	}
	return 0;
}

HCTX_EXPORT int hostctx_snapshot_copy(struct hostctx_snapshot *dst,
				      const struct hostctx_snapshot *src)
{
	hostctx_snapshot_clear(dst);
	for (size_t i = 0; i < hctx_n_fields; i++) {
		int r = copy_field(&hctx_fields[i], dst, src);

		if (r < 0) {
			hostctx_snapshot_clear(dst);
			return r;
		}
	}
	return 0;
}

static bool strings_equal(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool u64_equal(const struct hostctx_u64 *a, const struct hostctx_u64 *b)
{
	return a->present == b->present && (!a->present || a->value == b->value);
}

static bool heap_equal(const struct hostctx_heap *a, const struct hostctx_heap *b)
{
	if (!a || !b)
		return a == b;
	return u64_equal(&a->active_bytes, &b->active_bytes) &&
	       u64_equal(&a->allocated_bytes, &b->allocated_bytes) &&
	       u64_equal(&a->resident_bytes, &b->resident_bytes) &&
	       u64_equal(&a->mapped_bytes, &b->mapped_bytes) &&
	       u64_equal(&a->narenas, &b->narenas);
}

static bool field_equal(const struct hctx_field *f, const struct hostctx_snapshot *a,
			const struct hostctx_snapshot *b)
{
	const void *pa = HCTX_CFIELD(a, f), *pb = HCTX_CFIELD(b, f);

	switch (f->kind) {
	case HCTX_KIND_STRING:
		return strings_equal(*(char *const *)pa, *(char *const *)pb);
	case HCTX_KIND_U64:
		return u64_equal(pa, pb);
	case HCTX_KIND_DELAYACCT:
		return *(const enum hostctx_delayacct *)pa == *(const enum hostctx_delayacct *)pb;
	case HCTX_KIND_XACCT:
		return *(const enum hostctx_xacct *)pa == *(const enum hostctx_xacct *)pb;
	case HCTX_KIND_KVMAP: {
		const struct hostctx_kvmap *ma = pa, *mb = pb;

		if (ma->present != mb->present || ma->n != mb->n)
			return false;
		for (size_t i = 0; i < ma->n; i++)
			if (strcmp(ma->items[i].key, mb->items[i].key) ||
			    strcmp(ma->items[i].value, mb->items[i].value))
				return false;
		return true;
	}
	case HCTX_KIND_GOVMAP: {
		const struct hostctx_govmap *ma = pa, *mb = pb;

		if (ma->n != mb->n)
			return false;
		for (size_t i = 0; i < ma->n; i++)
			if (ma->items[i].cpu != mb->items[i].cpu ||
			    strcmp(ma->items[i].governor, mb->items[i].governor))
				return false;
		return true;
	}
	case HCTX_KIND_HEAP:
		return heap_equal(*(struct hostctx_heap *const *)pa,
				  *(struct hostctx_heap *const *)pb);
	}
	return false;
}

HCTX_EXPORT bool hostctx_snapshot_equal(const struct hostctx_snapshot *a,
					const struct hostctx_snapshot *b)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (!field_equal(&hctx_fields[i], a, b))
			return false;
	return true;
}

/* ---- taking a snapshot --------------------------------------------- */

static bool already_ran(size_t row)
{
	for (size_t i = 0; i < row; i++)
		if (hctx_fields[i].read == hctx_fields[row].read)
			return true;
	return false;
}

HCTX_EXPORT int hostctx_snapshot_take(struct hostctx_root *root,
				      struct hostctx_snapshot *s)
{
	struct hctx_reader rd = { .root = root };
	int r = 0;

	hostctx_snapshot_clear(s);
	rd.buf = root->scratch;
	for (size_t i = 0; r == 0 && i < hctx_n_fields; i++) {
		if (!hctx_fields[i].read || already_ran(i))
			continue;
		r = hctx_fields[i].read(&rd, s);
	}
	hctx_reader_clear(&rd);
	if (r < 0)
		hostctx_snapshot_clear(s);
	return r;
}

HCTX_EXPORT bool hostctx_bracketed_active(const char *s, const char **ret_start,
					  size_t *ret_len)
{
	const char *open, *close;

	if (!s)
		return false;
	open = strchr(s, '[');
	if (!open)
		return false;
	close = strchr(open + 1, ']');
	if (!close)
		return false;
	*ret_start = open + 1;
	*ret_len = (size_t)(close - open - 1);
	return true;
}
