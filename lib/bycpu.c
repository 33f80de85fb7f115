/* SPDX-License-Identifier: MIT */
/*
 * By-CPU maps (docs/json-format.md, "By-CPU maps"): per-CPU values that
 * are usually the same, kept as canonical cpulist keys ("0-3,6-7") with
 * one value each, CPUs with equal values sharing a key, keys ordered by
 * their lowest CPU.  Built from (cpu, value) pairs; compared per CPU.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int hctx_cpulist_format(const struct hctx_cpuset *set, char **ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *sep = "";
	long lo;

	if (!f)
		return -ENOMEM;
	for (lo = hctx_cpuset_next(set, 0); lo >= 0;) {
		long hi = lo, next;

		while ((next = hctx_cpuset_next(set, (unsigned)hi + 1)) == hi + 1)
			hi = next;
		if (hi > lo)
			fprintf(f, "%s%ld-%ld", sep, lo, hi);
		else
			fprintf(f, "%s%ld", sep, lo);
		sep = ",";
		lo = next;
	}
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

void hctx_bycpu_clear(struct hctx_bycpu_builder *b)
{
	for (size_t i = 0; i < b->n; i++) {
		hctx_value_free(b->groups[i].value);
		hctx_cpuset_clear(&b->groups[i].cpus);
	}
	free(b->groups);
	memset(b, 0, sizeof(*b));
}

/* Add cpu's value (taken): to the group with an equal value, or a new one. */
/* The group of value (value taken: freed when a group has it), or NULL on ENOMEM. */
static struct hctx_bycpu_group *group_of(struct hctx_bycpu_builder *b,
					 struct hctx_value *value)
{
	struct hctx_bycpu_group *g = NULL;

	if (!value)
		return NULL;
	for (size_t i = b->n; i-- > 0;) {
		if (hctx_value_equal(b->groups[i].value, value)) {
			g = &b->groups[i];
			hctx_value_free(value);
			break;
		}
	}
	if (!g) {
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 4;
			struct hctx_bycpu_group *groups =
				realloc(b->groups, cap * sizeof(*groups));

			if (!groups) {
				hctx_value_free(value);
				return NULL;
			}
			b->groups = groups;
			b->cap = cap;
		}
		g = &b->groups[b->n++];
		*g = (struct hctx_bycpu_group){ .value = value };
	}
	return g;
}

int hctx_bycpu_add(struct hctx_bycpu_builder *b, unsigned cpu,
		   struct hctx_value *value)
{
	struct hctx_bycpu_group *g = group_of(b, value);

	return g ? hctx_cpuset_add(&g->cpus, cpu) : -ENOMEM;
}

int hctx_bycpu_add_set(struct hctx_bycpu_builder *b, const struct hctx_cpuset *cpus,
		       struct hctx_value *value)
{
	struct hctx_bycpu_group *g = group_of(b, value);

	if (!g)
		return -ENOMEM;
	for (long cpu = hctx_cpuset_next(cpus, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(cpus, (unsigned)cpu + 1))
		if (hctx_cpuset_add(&g->cpus, (unsigned)cpu) < 0)
			return -ENOMEM;
	return 0;
}

/* The map (NULL when no CPU had a value: the field is absent). */
int hctx_bycpu_finish(struct hctx_bycpu_builder *b, const struct hctx_spec *spec,
		      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = NULL;
	int r = 0;

	*ret = NULL;
	if (b->n == 0)
		return 0;
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < b->n; i++) {
		_cleanup_free_ char *key = NULL;

		r = hctx_cpulist_format(&b->groups[i].cpus, &key);
		if (r == 0)
			r = hctx_map_append(map, key, TAKE_PTR(b->groups[i].value));
	}
	if (r < 0)
		return r;
	hctx_map_finish(map, spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- comparing per CPU ------------------------------------------------ */

/* cpu -> the value of its key, for every CPU the map names. */
struct cpu_value {
	unsigned cpu;
	const struct hctx_value *value;
};

static int cmp_cpu(const void *pa, const void *pb)
{
	const struct cpu_value *a = pa, *b = pb;

	return a->cpu < b->cpu ? -1 : a->cpu > b->cpu;
}

static int expand(const struct hctx_value *map, struct cpu_value **ret, size_t *ret_n)
{
	struct cpu_value *out = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < map->map.n; i++) {
		struct hctx_cpuset set = { 0 };
		const char *key = map->map.e[i].key;

		if (hctx_parse_cpulist(key, strlen(key), &set) < 0)
			continue;	/* the reader checked the keys */
		for (long c = hctx_cpuset_next(&set, 0); c >= 0;
		     c = hctx_cpuset_next(&set, (unsigned)c + 1)) {
			if (n == cap) {
				struct cpu_value *grown;

				cap = cap ? cap * 2 : 16;
				grown = realloc(out, cap * sizeof(*out));
				if (!grown) {
					hctx_cpuset_clear(&set);
					free(out);
					return -ENOMEM;
				}
				out = grown;
			}
			out[n++] = (struct cpu_value){ (unsigned)c, map->map.e[i].value };
		}
		hctx_cpuset_clear(&set);
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_cpu);
	*ret = out;
	*ret_n = n;
	return 0;
}

/* CPUs that share one (before, after) pair. */
struct pair_group {
	const struct hctx_value *a, *b;
	struct hctx_cpuset cpus;
};

static int group_pair(struct pair_group **groups, size_t *n, unsigned cpu,
		      const struct hctx_value *a, const struct hctx_value *b)
{
	struct pair_group *g;

	for (size_t i = 0; i < *n; i++)
		if (hctx_value_equal((*groups)[i].a, a) &&
		    hctx_value_equal((*groups)[i].b, b))
			return hctx_cpuset_add(&(*groups)[i].cpus, cpu);
	g = realloc(*groups, (*n + 1) * sizeof(**groups));
	if (!g)
		return -ENOMEM;
	*groups = g;
	g[*n] = (struct pair_group){ .a = a, .b = b };
	return hctx_cpuset_add(&g[(*n)++].cpus, cpu);
}

static int push_groups(struct hctx_changes_builder *cb, const char *path,
		       const struct hctx_spec *spec, struct pair_group *groups,
		       size_t n)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *list = NULL;
		char name[HCTX_PATH_MAX];

		r = hctx_cpulist_format(&groups[i].cpus, &list);
		if (r < 0)
			break;
		if (snprintf(name, sizeof(name), "%s.cpu%s", path, list) >= (int)sizeof(name))
			continue;	/* a list too long to name */
		r = hctx_push_change(cb, name, spec->elem, groups[i].a, groups[i].b, true);
		if (r == 0)
			cb->c->items[cb->c->n - 1].is_cpu_entry = true;
	}
	return r;
}

/*
 * Per CPU over the union of both maps; CPUs with the same (before,
 * after) pair are one change named "FIELD.cpu<list>", in the order of
 * their lowest CPU.  A map on one side only is one change.
 */
int hctx_bycpu_diff(struct hctx_changes_builder *cb, const char *path,
		    const struct hctx_spec *spec, const struct hctx_value *a,
		    const struct hctx_value *b)
{
	struct cpu_value *ea = NULL, *eb = NULL;
	struct pair_group *groups = NULL;
	size_t na = 0, nb = 0, n_groups = 0, i = 0, j = 0;
	int r;

	if (!a || !b) {
		if (hctx_value_equal(a, b))
			return 0;
		return hctx_push_change(cb, path, spec, a, b, false);
	}
	r = expand(a, &ea, &na);
	if (r == 0)
		r = expand(b, &eb, &nb);
	while (r == 0 && (i < na || j < nb)) {
		bool take_a = i < na && (j >= nb || ea[i].cpu <= eb[j].cpu);
		bool take_b = j < nb && (i >= na || eb[j].cpu <= ea[i].cpu);
		unsigned cpu = take_a ? ea[i].cpu : eb[j].cpu;
		const struct hctx_value *va = take_a ? ea[i++].value : NULL;
		const struct hctx_value *vb = take_b ? eb[j++].value : NULL;

		if (!hctx_value_equal(va, vb))
			r = group_pair(&groups, &n_groups, cpu, va, vb);
	}
	if (r == 0)
		r = push_groups(cb, path, spec, groups, n_groups);
	for (size_t k = 0; k < n_groups; k++)
		hctx_cpuset_clear(&groups[k].cpus);
	free(groups);
	free(ea);
	free(eb);
	return r;
}
