/* SPDX-License-Identifier: MIT */
/*
 * The snapshot object: one value tree per row of the field table, the
 * reason each absent field is absent, typed access by path, and taking
 * a snapshot by asking every row's reader.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

HCTX_EXPORT int hostctx_snapshot_new(struct hostctx_snapshot **ret)
{
	struct hostctx_snapshot *s =
		calloc(1, sizeof(*s) + hctx_n_fields * sizeof(s->values[0]));

	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static void free_why(struct hostctx_snapshot *s)
{
	if (!s->why)
		return;
	for (size_t i = 0; i < hctx_n_fields; i++)
		free(s->why[i].path);
	free(s->why);
	s->why = NULL;
}

HCTX_EXPORT void hostctx_snapshot_free(struct hostctx_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < hctx_n_fields; i++)
		hctx_value_free(s->values[i]);
	free_why(s);
	free(s);
}

void hctx_snapshot_put(struct hostctx_snapshot *s, size_t row,
		       struct hctx_value *v)
{
	hctx_value_free(s->values[row]);
	s->values[row] = v;
}

static int note_absence(struct hostctx_snapshot *s, size_t row, int err,
			const char *path);

HCTX_EXPORT int hostctx_snapshot_dup(const struct hostctx_snapshot *src,
				     struct hostctx_snapshot **ret)
{
	struct hostctx_snapshot *s;
	int r = hostctx_snapshot_new(&s);

	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < hctx_n_fields; i++) {
		if (src->values[i]) {
			s->values[i] = hctx_value_dup(src->values[i]);
			r = s->values[i] ? 0 : -ENOMEM;
		} else if (src->why && src->why[i].err) {
			r = note_absence(s, i, src->why[i].err, src->why[i].path);
		}
	}
	if (r < 0) {
		hostctx_snapshot_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

HCTX_EXPORT bool hostctx_snapshot_equal(const struct hostctx_snapshot *a,
					const struct hostctx_snapshot *b)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (!hctx_value_equal(a->values[i], b->values[i]))
			return false;
	return true;
}

/* ---- paths ------------------------------------------------------------ */

/* Where a path leads: the value's spec and slot, or its map and key. */
struct place {
	const struct hctx_spec *spec;
	struct hctx_value **slot;	/* NULL: a map entry that does not exist */
	struct hctx_value *map;		/* the map holding the entry, or NULL */
	const struct hctx_spec *map_spec;
	char key[HCTX_PATH_MAX];
};

static struct hctx_value *empty_node(const struct hctx_spec *spec)
{
	switch (hctx_kind_ops[spec->kind].node) {
	case HCTX_NODE_RECORD:
		return hctx_value_record(spec->n_members);
	case HCTX_NODE_MAP:
		return hctx_value_map();
	case HCTX_NODE_ARRAY:
		return hctx_value_array();
	case HCTX_NODE_STRING:
	case HCTX_NODE_U64:
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_DOUBLE:
		break;
	}
	return NULL;
}

static bool is_container(const struct hctx_spec *spec)
{
	enum hctx_node node = hctx_kind_ops[spec->kind].node;

	return node == HCTX_NODE_RECORD || node == HCTX_NODE_MAP ||
	       node == HCTX_NODE_ARRAY;
}

/* The next component of rest: all of it for a map of scalars. */
static size_t component_len(const struct hctx_spec *spec, const char *rest)
{
	const char *dot = strchr(rest, '.');

	if (hctx_kind_ops[spec->kind].node == HCTX_NODE_MAP &&
	    hctx_kind_ops[spec->elem->kind].node != HCTX_NODE_RECORD &&
	    hctx_kind_ops[spec->elem->kind].node != HCTX_NODE_MAP)
		return strlen(rest);
	return dot ? (size_t)(dot - rest) : strlen(rest);
}

static int ensure(struct hctx_value **slot, const struct hctx_spec *spec)
{
	if (*slot)
		return 0;
	*slot = empty_node(spec);
	return *slot ? 0 : -ENOMEM;
}

/* One step below p along name[0..len); create missing containers. */
static int step(struct place *p, const char *name, size_t len, bool create)
{
	struct hctx_value *v = p->slot ? *p->slot : NULL;
	const struct hctx_spec *spec = p->spec;
	int r;

	if (!is_container(spec) || len == 0 || len >= sizeof(p->key))
		return -EINVAL;
	if (create) {
		if (!p->slot)
			return -EINVAL;
		r = ensure(p->slot, spec);
		if (r < 0)
			return r;
		v = *p->slot;
	}
	p->map = NULL;
	if (spec->kind == HCTX_KIND_RECORD) {
		for (size_t i = 0; i < spec->n_members; i++) {
			if (strlen(spec->members[i].name) != len ||
			    memcmp(spec->members[i].name, name, len) != 0)
				continue;
			p->spec = spec->members[i].spec;
			p->slot = v ? &v->rec.slot[i] : NULL;
			return 0;
		}
		return -EINVAL;
	}
	if (spec->kind == HCTX_KIND_ARRAY) {
		char *end;
		unsigned long i = strtoul(name, &end, 10);

		if (end != name + len)
			return -ENOENT;
		if (!v || i >= v->arr.n) {
			/* the next index names the element a setter appends */
			if (i != (v ? v->arr.n : 0))
				return -ENOENT;
			p->spec = spec->elem;
			p->slot = NULL;
			if (!create)
				return 0;
			/* a scalar's stand-in: set_value() replaces it */
			r = hctx_array_append(v, is_container(spec->elem) ?
						 empty_node(spec->elem) : hctx_value_string(""));
			if (r < 0)
				return r;
		}
		p->spec = spec->elem;
		p->slot = &v->arr.v[i];
		return 0;
	}
	/* a map: "cpuN" is accepted for the CPU map's "N" */
	if (spec->kind == HCTX_KIND_CPUMAP && len > 3 && memcmp(name, "cpu", 3) == 0) {
		name += 3;
		len -= 3;
	}
	memcpy(p->key, name, len);
	p->key[len] = '\0';
	p->map = v;
	p->map_spec = spec;
	p->spec = spec->elem;
	p->slot = NULL;
	if (v) {
		const struct hctx_entry *e = hctx_map_find(v, p->key);

		p->slot = e ? (struct hctx_value **)&e->value : NULL;
	}
	if (!p->slot && create && is_container(p->spec)) {
		r = hctx_map_put(v, spec, p->key, empty_node(p->spec));
		if (r < 0)
			return r;
		p->slot = (struct hctx_value **)&hctx_map_find(v, p->key)->value;
	}
	return 0;
}

static int resolve(const struct hostctx_snapshot *s, const char *path,
		   bool create, struct place *p)
{
	size_t len = strcspn(path, ".");
	const struct hctx_field *f = hctx_field_by_name(path, len);
	const char *rest = path + len;

	if (!f)
		return -EINVAL;
	*p = (struct place){ .spec = f->spec,
			     .slot = (struct hctx_value **)&s->values[f - hctx_fields] };
	while (*rest == '.') {
		int r;

		rest++;
		len = component_len(p->spec, rest);
		r = step(p, rest, len, create);
		if (r < 0)
			return r;
		rest += len;
	}
	return *rest ? -EINVAL : 0;
}


int hctx_snapshot_lookup(const struct hostctx_snapshot *s, const char *path,
			 const struct hctx_spec **ret_spec, const struct hctx_value **ret)
{
	struct place p;
	int r = s && path ? resolve(s, path, false, &p) : -EINVAL;

	if (r == -ENOENT) {
		/* an array index past the end: absent, of the element's spec */
		*ret_spec = p.spec;
		*ret = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_spec = p.spec;
	*ret = p.slot ? *p.slot : NULL;
	return 0;
}

/* The value at path (NULL when absent), or -EINVAL for a path no row allows. */
static int lookup(const struct hostctx_snapshot *s, const char *path,
		  const struct hctx_value **ret)
{
	const struct hctx_spec *spec;

	return hctx_snapshot_lookup(s, path, &spec, ret);
}

/* ---- getters ---------------------------------------------------------- */

static const enum hostctx_type node_types[] = {
	[HCTX_NODE_STRING] = HOSTCTX_TYPE_STRING,
	[HCTX_NODE_U64] = HOSTCTX_TYPE_U64,
	[HCTX_NODE_S64] = HOSTCTX_TYPE_S64,
	[HCTX_NODE_BOOL] = HOSTCTX_TYPE_BOOL,
	[HCTX_NODE_DOUBLE] = HOSTCTX_TYPE_DOUBLE,
	[HCTX_NODE_RECORD] = HOSTCTX_TYPE_OBJECT,
	[HCTX_NODE_MAP] = HOSTCTX_TYPE_OBJECT,
	[HCTX_NODE_ARRAY] = HOSTCTX_TYPE_ARRAY,
};

HCTX_EXPORT enum hostctx_type hostctx_snapshot_type(const struct hostctx_snapshot *s,
						    const char *path)
{
	const struct hctx_value *v = NULL;

	if (lookup(s, path, &v) < 0 || !v)
		return HOSTCTX_TYPE_ABSENT;
	return node_types[v->node];
}

static const struct hctx_value *typed(const struct hostctx_snapshot *s,
				      const char *path, enum hctx_node node,
				      int *err)
{
	const struct hctx_value *v = NULL;

	*err = lookup(s, path, &v);
	if (*err == 0)
		*err = !v ? -ENOENT : v->node != node ? -EINVAL : 0;
	return *err ? NULL : v;
}

HCTX_EXPORT int hostctx_snapshot_get_string(const struct hostctx_snapshot *s,
					    const char *path, const char **ret)
{
	int r;
	const struct hctx_value *v = typed(s, path, HCTX_NODE_STRING, &r);

	if (v)
		*ret = v->s;
	return r;
}

HCTX_EXPORT int hostctx_snapshot_get_u64(const struct hostctx_snapshot *s,
					 const char *path, uint64_t *ret)
{
	int r;
	const struct hctx_value *v = typed(s, path, HCTX_NODE_U64, &r);

	if (v)
		*ret = v->u;
	return r;
}

HCTX_EXPORT int hostctx_snapshot_get_s64(const struct hostctx_snapshot *s,
					 const char *path, int64_t *ret)
{
	int r;
	const struct hctx_value *v = typed(s, path, HCTX_NODE_S64, &r);

	if (v)
		*ret = v->i;
	return r;
}

HCTX_EXPORT int hostctx_snapshot_get_bool(const struct hostctx_snapshot *s,
					  const char *path, bool *ret)
{
	int r;
	const struct hctx_value *v = typed(s, path, HCTX_NODE_BOOL, &r);

	if (v)
		*ret = v->b;
	return r;
}

HCTX_EXPORT int hostctx_snapshot_get_double(const struct hostctx_snapshot *s,
					    const char *path, double *ret)
{
	int r;
	const struct hctx_value *v = typed(s, path, HCTX_NODE_DOUBLE, &r);

	if (v)
		*ret = v->d;
	return r;
}

static int top_level_keys(const struct hostctx_snapshot *s, const char ***ret,
			  size_t *ret_n)
{
	const char **names = calloc(hctx_n_fields + 1, sizeof(*names));
	size_t n = 0;

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (s->values[i])
			names[n++] = hctx_fields[i].name;
	*ret = names;
	*ret_n = n;
	return 0;
}

HCTX_EXPORT int hostctx_snapshot_keys(const struct hostctx_snapshot *s,
				      const char *path, const char ***ret,
				      size_t *ret_n)
{
	enum { INDEX_TEXT = 21 };	/* "18446744073709551615" and its NUL */
	struct place p;
	const struct hctx_value *v;
	const char **names;
	size_t n = 0, cap;
	int r;

	if (!path || !*path)
		return top_level_keys(s, ret, ret_n);
	r = resolve(s, path, false, &p);
	if (r < 0)
		return r;
	v = p.slot ? *p.slot : NULL;
	if (!v)
		return -ENOENT;
	cap = v->node == HCTX_NODE_RECORD ? v->rec.n :
	      v->node == HCTX_NODE_MAP ? v->map.n :
	      v->node == HCTX_NODE_ARRAY ? v->arr.n : 0;
	if (!is_container(p.spec))
		return -EINVAL;
	/* An array's index texts live in the same block, after the pointers. */
	names = calloc(1, (cap + 1) * sizeof(*names) +
			  (v->node == HCTX_NODE_ARRAY ? cap * INDEX_TEXT : 0));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		if (v->node == HCTX_NODE_RECORD && v->rec.slot[i])
			names[n++] = p.spec->members[i].name;
		else if (v->node == HCTX_NODE_MAP)
			names[n++] = v->map.e[i].key;
		else if (v->node == HCTX_NODE_ARRAY) {
			char *text = (char *)(names + cap + 1) + i * INDEX_TEXT;

			snprintf(text, INDEX_TEXT, "%zu", i);
			names[n++] = text;
		}
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

/* ---- setters ---------------------------------------------------------- */

static bool enum_allows(const struct hctx_spec *spec, const char *value)
{
	for (const char *const *n = spec->names; n && *n; n++)
		if (strcmp(*n, value) == 0)
			return true;
	return false;
}

/* Put v (taken) at path; its kind must be one the spec allows. */
static int set_value(struct hostctx_snapshot *s, const char *path,
		     struct hctx_value *v)
{
	struct place p;
	int r;

	if (!v)
		return -ENOMEM;
	/* Check the whole path and the kind before creating any parent. */
	r = resolve(s, path, false, &p);
	if (r == -ENOENT)
		r = -EINVAL;
	if (r == 0 && hctx_kind_ops[p.spec->kind].node != v->node)
		r = -EINVAL;
	if (r == 0 && p.spec->kind == HCTX_KIND_ENUM && !enum_allows(p.spec, v->s))
		r = -EINVAL;
	if (r == 0)
		r = resolve(s, path, true, &p);
	if (r < 0) {
		hctx_value_free(v);
		return r;
	}
	if (p.map && !p.slot)
		return hctx_map_put(p.map, p.map_spec, p.key, v);
	hctx_value_free(*p.slot);
	*p.slot = v;
	return 0;
}

HCTX_EXPORT int hostctx_snapshot_set_string(struct hostctx_snapshot *s,
					    const char *path, const char *value)
{
	if (!value || !hctx_is_utf8(value, strlen(value)))
		return -EINVAL;
	return set_value(s, path, hctx_value_string(value));
}

HCTX_EXPORT int hostctx_snapshot_set_u64(struct hostctx_snapshot *s,
					 const char *path, uint64_t value)
{
	return set_value(s, path, hctx_value_u64(value));
}

HCTX_EXPORT int hostctx_snapshot_set_s64(struct hostctx_snapshot *s,
					 const char *path, int64_t value)
{
	return set_value(s, path, hctx_value_s64(value));
}

HCTX_EXPORT int hostctx_snapshot_set_bool(struct hostctx_snapshot *s,
					  const char *path, bool value)
{
	return set_value(s, path, hctx_value_bool(value));
}

HCTX_EXPORT int hostctx_snapshot_set_double(struct hostctx_snapshot *s,
					    const char *path, double value)
{
	return set_value(s, path, hctx_value_double(value));
}

HCTX_EXPORT int hostctx_snapshot_set_object(struct hostctx_snapshot *s,
					    const char *path)
{
	struct place p;
	int r = resolve(s, path, false, &p);

	/* A map that may not be empty (cpufreq_governor) cannot be made so. */
	if (r == 0 && (!is_container(p.spec) || p.spec->empty_is_absent))
		r = -EINVAL;
	if (r == 0)
		r = resolve(s, path, true, &p);
	if (r == 0 && !p.slot) {
		/* a map entry that holds a container */
		r = hctx_map_put(p.map, p.map_spec, p.key, empty_node(p.spec));
		return r;
	}
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	return ensure(p.slot, p.spec);
}

/* A map that may not be empty (cpufreq_governor) goes with its last entry. */
static void drop_empty_field(struct hostctx_snapshot *s, struct hctx_value *map)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (s->values[i] == map)
			hctx_snapshot_put(s, i, NULL);
}

HCTX_EXPORT int hostctx_snapshot_unset(struct hostctx_snapshot *s,
				       const char *path)
{
	struct place p;
	int r = resolve(s, path, false, &p);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!p.slot)
		return 0;
	if (p.map) {
		hctx_map_remove(p.map, p.key);
		if (p.map->map.n == 0 && p.map_spec->empty_is_absent)
			drop_empty_field(s, p.map);
		return 0;
	}
	hctx_value_free(*p.slot);
	*p.slot = NULL;
	return 0;
}

/* ---- taking a snapshot ------------------------------------------------ */

bool hctx_debug_from_env(void)
{
	const char *v = getenv("HOSTCTX_DEBUG");

	return v && strcmp(v, "1") == 0;
}

HCTX_EXPORT void hostctx_root_set_log(struct hostctx_root *root, hostctx_log_fn fn,
				      void *userdata)
{
	root->log = fn;
	root->log_data = userdata;
}

HCTX_EXPORT const char *hostctx_version(void)
{
	return HOSTCTX_VERSION;
}

static const char *error_text(int err)
{
	return err == ENOENT ? "not present on this machine" : strerror(err);
}

static int note_absence(struct hostctx_snapshot *s, size_t row, int err,
			const char *path)
{
	if (!s->why) {
		s->why = calloc(hctx_n_fields, sizeof(*s->why));
		if (!s->why)
			return -ENOMEM;
	}
	s->why[row].err = err;
	if (path) {
		s->why[row].path = strdup(path);
		if (!s->why[row].path)
			return -ENOMEM;
	}
	return 0;
}

static void report_absence(struct hostctx_root *root, const struct hctx_field *f,
			   int err, const char *path)
{
	char line[512];

	if (!root->debug || !root->log)
		return;
	snprintf(line, sizeof(line), "%s: absent: %s%s%s", f->name,
		 path ? path : "", path ? ": " : "", error_text(err));
	root->log(root->log_data, line);
}

/* ---- field selection (--fields) -------------------------------------- */

static bool row_in_group(const struct hctx_field *f, const char *g, size_t len)
{
	if (len == 3 && memcmp(g, "all", 3) == 0)
		return true;
	if (len == 4 && memcmp(g, "seed", 4) == 0)
		return f->seed;
	return strlen(f->group) == len && memcmp(f->group, g, len) == 0;
}

static bool is_group(const char *g, size_t len)
{
	if ((len == 3 && memcmp(g, "all", 3) == 0) || (len == 4 && memcmp(g, "seed", 4) == 0))
		return true;
	for (size_t i = 0; i < hctx_n_groups; i++)
		if (strlen(hctx_groups[i].name) == len && memcmp(hctx_groups[i].name, g, len) == 0)
			return true;
	return false;
}

HCTX_EXPORT int hostctx_root_select(struct hostctx_root *root, const char *groups)
{
	size_t words = (hctx_n_fields + 63) / 64;
	uint64_t *bits;

	if (!groups || !*groups) {
		free(root->selected);
		root->selected = NULL;
		return 0;
	}
	bits = calloc(words, sizeof(*bits));
	if (!bits)
		return -ENOMEM;
	for (const char *g = groups; *g;) {
		size_t len = strcspn(g, ",");

		if (!is_group(g, len)) {
			free(bits);
			return -EINVAL;
		}
		for (size_t i = 0; i < hctx_n_fields; i++)
			if (row_in_group(&hctx_fields[i], g, len))
				bits[i / 64] |= UINT64_C(1) << (i % 64);
		g += len;
		if (*g == ',')
			g++;
	}
	free(root->selected);
	root->selected = bits;
	return 0;
}

static bool row_selected(const struct hostctx_root *root, size_t i)
{
	return !root->selected || (root->selected[i / 64] >> (i % 64)) & 1;
}

/* ---- boot-stable fields ----------------------------------------------- */

/*
 * cpu_caches, dmi and hypervisor cannot change without a reboot: on the
 * live root they are read in the first snapshot of a process and copied
 * into later ones while boot_id is the same (docs/design.md, "Read
 * plans").  Without a boot_id they are read every time.
 */
static const char *current_boot_id(const struct hostctx_snapshot *s)
{
	int row = hostctx_field_index("boot_id");
	const struct hctx_value *v = row >= 0 ? s->values[row] : NULL;

	return v && v->node == HCTX_NODE_STRING ? v->s : NULL;
}

static struct hctx_value *boot_cached(struct hostctx_root *root,
				      const struct hostctx_snapshot *s, size_t i)
{
	const char *boot = current_boot_id(s);

	if (!root->live || !boot || !root->boot_id || !root->boot_values ||
	    strcmp(boot, root->boot_id) != 0 || !root->boot_values[i])
		return NULL;
	return hctx_value_dup(root->boot_values[i]);
}

static void boot_remember(struct hostctx_root *root,
			  const struct hostctx_snapshot *s, size_t i,
			  const struct hctx_value *v)
{
	const char *boot = current_boot_id(s);

	if (!root->live || !boot)
		return;
	if (!root->boot_id || strcmp(root->boot_id, boot) != 0) {
		hctx_root_forget_boot(root);
		root->boot_id = strdup(boot);
		root->boot_values = calloc(hctx_n_fields, sizeof(*root->boot_values));
		if (!root->boot_id || !root->boot_values) {
			hctx_root_forget_boot(root);
			return;
		}
	}
	hctx_value_free(root->boot_values[i]);
	root->boot_values[i] = hctx_value_dup(v);	/* NULL: read again next time */
}

void hctx_root_forget_boot(struct hostctx_root *root)
{
	if (root->boot_values)
		for (size_t i = 0; i < hctx_n_fields; i++)
			hctx_value_free(root->boot_values[i]);
	free(root->boot_values);
	free(root->boot_id);
	root->boot_values = NULL;
	root->boot_id = NULL;
}

static void reader_clear(struct hctx_reader *rd)
{
	hctx_reader_clear(rd);	/* the CPU walk's sets */
	free(rd->cpuinfo_model);
	free(rd->cpuinfo_vendor);
	for (size_t i = 0; i < 3; i++)
		free(rd->uname_part[i]);
	for (size_t i = 0; i < HCTX_MEMO_COUNT; i++)
		if (rd->memo[i] && rd->memo_free[i])
			rd->memo_free[i](rd->memo[i]);
}

/* Ask one row's reader; an absent field keeps why. */
static int read_row(struct hctx_reader *rd, struct hostctx_snapshot *s, size_t i)
{
	const struct hctx_field *f = &hctx_fields[i];
	struct hctx_value *v = NULL;
	int r;

	if (!f->read || f->plan == HCTX_PLAN_NEVER || !row_selected(rd->root, i))
		return 0;
	if (rd->root->redact && f->redact == hctx_redact_omit)
		return 0;	/* listed in "redacted", never read */
	if (f->plan == HCTX_PLAN_BOOT && (v = boot_cached(rd->root, s, i)) != NULL) {
		s->values[i] = v;
		return 0;
	}
	if (f->plan == HCTX_PLAN_LIVE && !rd->root->live) {
		r = -ENOENT;
		rd->path = NULL;
	} else {
		rd->path = f->arg;
		rd->root->over_budget = false;
		r = f->read(rd, f, &v);
		if (rd->root->over_budget)
			rd->truncated[i / 64] |= (uint64_t)1 << (i % 64);
	}
	if (r == -ENOMEM)
		return r;
	if (r == 0 && v && rd->root->redact && f->redact) {
		r = f->redact(&v);
		if (r < 0) {
			hctx_value_free(v);
			return r;
		}
	}
	if (r == 0 && v) {
		s->values[i] = v;
		if (f->plan == HCTX_PLAN_BOOT && !rd->root->over_budget)
			boot_remember(rd->root, s, i, v);
		return 0;
	}
	r = r < 0 ? -r : ENOENT;
	report_absence(rd->root, f, r, rd->path);
	return note_absence(s, i, r, rd->path);
}

/* The rows the text budget cut short, named in "truncated" (absent when none). */
static int list_truncated(const struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	int row = hostctx_field_index("truncated");
	struct hctx_value *list = NULL;

	for (size_t i = 0; row >= 0 && i < hctx_n_fields; i++) {
		if (!(rd->truncated[i / 64] & ((uint64_t)1 << (i % 64))))
			continue;
		if (!list && !(list = hctx_value_array()))
			return -ENOMEM;
		if (hctx_array_append(list, hctx_value_string(hctx_fields[i].name)) < 0) {
			hctx_value_free(list);
			return -ENOMEM;
		}
	}
	if (list)
		hctx_snapshot_put(s, (size_t)row, list);
	return 0;
}

/* Under --redact: the "redacted" row names every selected row it touched. */
static int list_redacted(const struct hostctx_root *root, struct hostctx_snapshot *s)
{
	int row = hostctx_field_index("redacted");
	struct hctx_value *list;

	if (!root->redact || row < 0)
		return 0;
	list = hctx_value_array();
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < hctx_n_fields; i++) {
		if (!hctx_fields[i].redact || !row_selected(root, i))
			continue;
		if (hctx_array_append(list, hctx_value_string(hctx_fields[i].name)) < 0) {
			hctx_value_free(list);
			return -ENOMEM;
		}
	}
	hctx_snapshot_put(s, (size_t)row, list);
	return 0;
}

HCTX_EXPORT void hostctx_root_set_redact(struct hostctx_root *root, bool on)
{
	root->redact = on;
}

HCTX_EXPORT int hostctx_snapshot_take(struct hostctx_root *root,
				      struct hostctx_snapshot **ret)
{
	struct hctx_reader rd = { .root = root };
	struct hostctx_snapshot *s = NULL;
	int r = hctx_root_attach(root);

	if (r < 0)
		return r;
	rd.buf = root->scratch;
	r = hostctx_snapshot_new(&s);
	root->text_budget = HCTX_SNAPSHOT_TEXT_BUDGET;
	for (size_t i = 0; r == 0 && i < hctx_n_fields; i++)
		r = read_row(&rd, s, i);
	if (r == 0)
		r = list_truncated(&rd, s);
	reader_clear(&rd);
	if (r == 0)
		r = list_redacted(root, s);
	if (r < 0) {
		hostctx_snapshot_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

HCTX_EXPORT int hostctx_snapshot_why(const struct hostctx_snapshot *s,
				     const char *field, const char **ret_path)
{
	int row = hostctx_field_index(field);

	if (row < 0)
		return row;
	if (s->values[row] || !s->why) {
		if (ret_path)
			*ret_path = NULL;
		return 0;
	}
	if (ret_path)
		*ret_path = s->why[row].path;
	return s->why[row].err;
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
