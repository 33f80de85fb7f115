/* SPDX-License-Identifier: MIT */
/*
 * Value trees: the in-memory form of every field.  A node knows its JSON
 * shape only; what a field may hold is its spec's business (kinds.c).
 * Maps are built by appending and sorting once, so a map of n keys
 * costs O(n log n) whatever order the keys arrive in.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

static struct hctx_value *node_new(enum hctx_node node)
{
	struct hctx_value *v = calloc(1, sizeof(*v));

	if (v)
		v->node = node;
	return v;
}

/* The string lives in the same allocation as its node. */
struct hctx_value *hctx_value_string_len(const char *s, size_t len)
{
	struct hctx_value *v = malloc(sizeof(*v) + len + 1);
	char *text;

	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->node = HCTX_NODE_STRING;
	text = (char *)(v + 1);
	memcpy(text, s, len);
	text[len] = '\0';
	v->s = text;
	return v;
}

struct hctx_value *hctx_value_string(const char *s)
{
	return hctx_value_string_len(s, strlen(s));
}

struct hctx_value *hctx_value_u64(uint64_t u)
{
	struct hctx_value *v = node_new(HCTX_NODE_U64);

	if (v)
		v->u = u;
	return v;
}

struct hctx_value *hctx_value_s64(int64_t i)
{
	struct hctx_value *v = node_new(HCTX_NODE_S64);

	if (v)
		v->i = i;
	return v;
}

struct hctx_value *hctx_value_bool(bool b)
{
	struct hctx_value *v = node_new(HCTX_NODE_BOOL);

	if (v)
		v->b = b;
	return v;
}

struct hctx_value *hctx_value_double(double d)
{
	struct hctx_value *v = node_new(HCTX_NODE_DOUBLE);

	if (v)
		v->d = d;
	return v;
}

struct hctx_value *hctx_value_record(size_t n_members)
{
	struct hctx_value *v = node_new(HCTX_NODE_RECORD);

	if (!v)
		return NULL;
	v->rec.slot = calloc(n_members ? n_members : 1, sizeof(*v->rec.slot));
	if (!v->rec.slot) {
		free(v);
		return NULL;
	}
	v->rec.n = n_members;
	return v;
}

struct hctx_value *hctx_value_map(void)
{
	return node_new(HCTX_NODE_MAP);
}

struct hctx_value *hctx_value_array(void)
{
	return node_new(HCTX_NODE_ARRAY);
}

void hctx_value_free(struct hctx_value *v)
{
	if (!v)
		return;
	switch (v->node) {
	case HCTX_NODE_STRING:
	case HCTX_NODE_U64:
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_DOUBLE:
		break;
	case HCTX_NODE_RECORD:
		for (size_t i = 0; i < v->rec.n; i++)
			hctx_value_free(v->rec.slot[i]);
		free(v->rec.slot);
		break;
	case HCTX_NODE_MAP:
		for (size_t i = 0; i < v->map.n; i++) {
			free(v->map.e[i].key);
			hctx_value_free(v->map.e[i].value);
		}
		free(v->map.e);
		break;
	case HCTX_NODE_ARRAY:
		for (size_t i = 0; i < v->arr.n; i++)
			hctx_value_free(v->arr.v[i]);
		free(v->arr.v);
		break;
	}
	free(v);
}

/* ---- copy and compare ---------------------------------------------- */

static struct hctx_value *dup_record(const struct hctx_value *v)
{
	struct hctx_value *out = hctx_value_record(v->rec.n);

	for (size_t i = 0; out && i < v->rec.n; i++) {
		if (!v->rec.slot[i])
			continue;
		out->rec.slot[i] = hctx_value_dup(v->rec.slot[i]);
		if (!out->rec.slot[i]) {
			hctx_value_free(out);
			return NULL;
		}
	}
	return out;
}

static struct hctx_value *dup_map(const struct hctx_value *v)
{
	struct hctx_value *out = hctx_value_map();

	if (!out)
		return NULL;
	out->map.e = calloc(v->map.n ? v->map.n : 1, sizeof(*out->map.e));
	if (!out->map.e) {
		free(out);
		return NULL;
	}
	out->map.cap = v->map.n;
	for (size_t i = 0; i < v->map.n; i++) {
		struct hctx_entry *e = &out->map.e[i];

		e->key = strdup(v->map.e[i].key);
		e->value = hctx_value_dup(v->map.e[i].value);
		e->cpu_lo = v->map.e[i].cpu_lo;
		out->map.n++;
		if (!e->key || !e->value) {
			hctx_value_free(out);
			return NULL;
		}
	}
	return out;
}

static struct hctx_value *dup_array(const struct hctx_value *v)
{
	struct hctx_value *out = hctx_value_array();

	for (size_t i = 0; out && i < v->arr.n; i++) {
		if (hctx_array_append(out, hctx_value_dup(v->arr.v[i])) < 0) {
			hctx_value_free(out);
			return NULL;
		}
	}
	return out;
}

struct hctx_value *hctx_value_dup(const struct hctx_value *v)
{
	struct hctx_value *out;

	switch (v->node) {
	case HCTX_NODE_STRING:
		return hctx_value_string(v->s);
	case HCTX_NODE_U64:
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_DOUBLE:
		out = node_new(v->node);
		if (out)
			*out = *v;
		return out;
	case HCTX_NODE_RECORD:
		return dup_record(v);
	case HCTX_NODE_MAP:
		return dup_map(v);
	case HCTX_NODE_ARRAY:
		return dup_array(v);
	}
	return NULL;
}

bool hctx_value_equal(const struct hctx_value *a, const struct hctx_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->node != b->node)
		return false;
	switch (a->node) {
	case HCTX_NODE_STRING:
		return strcmp(a->s, b->s) == 0;
	case HCTX_NODE_U64:
		return a->u == b->u;
	case HCTX_NODE_S64:
		return a->i == b->i;
	case HCTX_NODE_BOOL:
		return a->b == b->b;
	case HCTX_NODE_DOUBLE:
		return a->d == b->d;
	case HCTX_NODE_RECORD:
		if (a->rec.n != b->rec.n)
			return false;
		for (size_t i = 0; i < a->rec.n; i++)
			if (!hctx_value_equal(a->rec.slot[i], b->rec.slot[i]))
				return false;
		return true;
	case HCTX_NODE_MAP:
		if (a->map.n != b->map.n)
			return false;
		for (size_t i = 0; i < a->map.n; i++)
			if (strcmp(a->map.e[i].key, b->map.e[i].key) ||
			    !hctx_value_equal(a->map.e[i].value, b->map.e[i].value))
				return false;
		return true;
	case HCTX_NODE_ARRAY:
		if (a->arr.n != b->arr.n)
			return false;
		for (size_t i = 0; i < a->arr.n; i++)
			if (!hctx_value_equal(a->arr.v[i], b->arr.v[i]))
				return false;
		return true;
	}
	return false;
}

/* ---- maps ------------------------------------------------------------ */

/* The lowest CPU a key names: "12" or "0-3,8" -> 12, 0. */
static unsigned long key_cpu_lo(const char *key)
{
	char *end;
	unsigned long v = strtoul(key, &end, 10);

	return end == key ? 0 : v;
}

static bool cpu_keyed(const struct hctx_spec *spec)
{
	return spec && (spec->kind == HCTX_KIND_CPUMAP || spec->kind == HCTX_KIND_BYCPU);
}

/* Order of the keys of a map of this kind (NULL spec: strcmp). */
static int key_cmp(const struct hctx_spec *spec, const struct hctx_entry *a,
		   const struct hctx_entry *b)
{
	if (cpu_keyed(spec) && a->cpu_lo != b->cpu_lo)
		return a->cpu_lo < b->cpu_lo ? -1 : 1;
	return strcmp(a->key, b->key);
}

const struct hctx_entry *hctx_map_find(const struct hctx_value *map,
				       const char *key)
{
	/* Lookups are rare (setters, tests, two-sided walks use merges). */
	for (size_t i = 0; i < map->map.n; i++)
		if (strcmp(map->map.e[i].key, key) == 0)
			return &map->map.e[i];
	return NULL;
}

static int map_reserve(struct hctx_value *map)
{
	struct hctx_entry *e;
	size_t cap;

	if (map->map.n < map->map.cap)
		return 0;
	cap = map->map.cap ? map->map.cap * 2 : 8;
	e = realloc(map->map.e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	map->map.e = e;
	map->map.cap = cap;
	return 0;
}

int hctx_map_append(struct hctx_value *map, const char *key,
		    struct hctx_value *value)
{
	char *k = value ? strdup(key) : NULL;

	if (!k || map_reserve(map) < 0) {
		free(k);
		hctx_value_free(value);
		return -ENOMEM;
	}
	map->map.e[map->map.n] = (struct hctx_entry){
		.key = k, .value = value, .seq = map->map.n,
	};
	map->map.n++;
	return 0;
}

/* A stable order: equal keys keep their arrival order (first wins). */
static int entry_cmp(const void *pa, const void *pb, void *spec)
{
	const struct hctx_entry *a = pa, *b = pb;
	int c = key_cmp(spec, a, b);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void hctx_map_finish(struct hctx_value *map, const struct hctx_spec *spec)
{
	size_t kept = 0;

	if (cpu_keyed(spec))
		for (size_t i = 0; i < map->map.n; i++)
			map->map.e[i].cpu_lo = key_cpu_lo(map->map.e[i].key);
	if (map->map.n < 2)
		return;
	/*
	 * qsort is not stable: equal keys tie-break on arrival (seq).  Most
	 * maps arrive in order (CPUs ascending, a sorted allowlist): one pass
	 * sees that and spares the sort.
	 */
	for (size_t i = 1; i < map->map.n; i++)
		if (entry_cmp(&map->map.e[i - 1], &map->map.e[i], (void *)spec) >= 0) {
			qsort_r(map->map.e, map->map.n, sizeof(*map->map.e), entry_cmp,
				(void *)spec);
			break;
		}
	for (size_t i = 0; i < map->map.n; i++) {
		if (kept && strcmp(map->map.e[kept - 1].key, map->map.e[i].key) == 0) {
			free(map->map.e[i].key);
			hctx_value_free(map->map.e[i].value);
			continue;
		}
		map->map.e[kept++] = map->map.e[i];
	}
	map->map.n = kept;
}

int hctx_map_put(struct hctx_value *map, const struct hctx_spec *spec,
		 const char *key, struct hctx_value *value)
{
	struct hctx_entry probe = { .key = (char *)key, .cpu_lo = key_cpu_lo(key) };
	size_t at = 0;
	char *k;

	for (size_t i = 0; i < map->map.n; i++) {
		int c = key_cmp(spec, &map->map.e[i], &probe);

		if (c == 0 && strcmp(map->map.e[i].key, key) == 0) {
			hctx_value_free(map->map.e[i].value);
			map->map.e[i].value = value;
			return value ? 0 : -ENOMEM;
		}
		if (c < 0)
			at = i + 1;
	}
	k = value ? strdup(key) : NULL;
	if (!k || map_reserve(map) < 0) {
		free(k);
		hctx_value_free(value);
		return -ENOMEM;
	}
	memmove(&map->map.e[at + 1], &map->map.e[at],
		(map->map.n - at) * sizeof(map->map.e[0]));
	map->map.e[at] = (struct hctx_entry){ .key = k, .value = value,
					      .cpu_lo = probe.cpu_lo };
	map->map.n++;
	return 0;
}

void hctx_map_remove(struct hctx_value *map, const char *key)
{
	for (size_t i = 0; i < map->map.n; i++) {
		if (strcmp(map->map.e[i].key, key) != 0)
			continue;
		free(map->map.e[i].key);
		hctx_value_free(map->map.e[i].value);
		memmove(&map->map.e[i], &map->map.e[i + 1],
			(map->map.n - i - 1) * sizeof(map->map.e[0]));
		map->map.n--;
		return;
	}
}

int hctx_array_append(struct hctx_value *arr, struct hctx_value *value)
{
	if (!value)
		return -ENOMEM;
	if (arr->arr.n == arr->arr.cap) {
		size_t cap = arr->arr.cap ? arr->arr.cap * 2 : 4;
		struct hctx_value **v = realloc(arr->arr.v, cap * sizeof(*v));

		if (!v) {
			hctx_value_free(value);
			return -ENOMEM;
		}
		arr->arr.v = v;
		arr->arr.cap = cap;
	}
	arr->arr.v[arr->arr.n++] = value;
	return 0;
}
