/* SPDX-License-Identifier: MIT */
/*
 * cpu_caches (docs/json-format.md, "CPU caches"): the cache kinds of the
 * online CPUs, grouped by (level, type, size, ways, line size), with how
 * many instances each has and how many CPUs share one.  One visit per
 * core: a CPU whose level-1 caches are all known already is skipped.
 * Read once per process on the live root (plan B).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define CPU_DIR "sys/devices/system/cpu"
#define MAX_INDEX 64		/* cache/indexN entries looked at per CPU */

struct cache_group {
	unsigned long level, size_kib, ways, line_bytes;
	char type[16];
	struct hctx_cpuset cpus;	/* union of the instances */
	struct hctx_cpuset *inst;	/* distinct shared_cpu_lists */
	size_t n_inst, cap_inst;
};

struct cache_walk {
	struct cache_group *g;
	size_t n;
	int err;
};

static void walk_clear(struct cache_walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		hctx_cpuset_clear(&w->g[i].cpus);
		for (size_t k = 0; k < w->g[i].n_inst; k++)
			hctx_cpuset_clear(&w->g[i].inst[k]);
		free(w->g[i].inst);
	}
	free(w->g);
}

/* Whether c's level-1 caches of every kind seen so far are known. */
static bool level1_known(const struct cache_walk *w, long c)
{
	bool any = false;

	for (size_t i = 0; i < w->n; i++) {
		bool held = false;

		if (w->g[i].level != 1)
			continue;
		any = true;
		/* any level-1 group of this type with an instance holding c */
		for (size_t j = 0; j < w->n && !held; j++)
			held = w->g[j].level == 1 && strcmp(w->g[j].type, w->g[i].type) == 0 &&
			       hctx_cpuset_has(&w->g[j].cpus, (unsigned)c);
		if (!held)
			return false;
	}
	return any;
}

static int add_instance(struct cache_walk *w, const struct cache_group *key,
			struct hctx_cpuset *shared)
{
	struct cache_group *g = NULL;
	struct hctx_cpuset *grown;

	for (size_t i = 0; i < w->n && !g; i++)
		if (w->g[i].level == key->level && w->g[i].size_kib == key->size_kib &&
		    w->g[i].ways == key->ways && w->g[i].line_bytes == key->line_bytes &&
		    strcmp(w->g[i].type, key->type) == 0)
			g = &w->g[i];
	if (!g) {
		struct cache_group *more = realloc(w->g, (w->n + 1) * sizeof(*more));

		if (!more)
			return -ENOMEM;
		w->g = more;
		g = &w->g[w->n++];
		*g = *key;
		g->cpus = (struct hctx_cpuset){ 0 };
		g->inst = NULL;
		g->n_inst = g->cap_inst = 0;
	}
	/*
	 * A set seen before has its members in the union: only then search
	 * the instances, so a core's new cache costs no scan of them all.
	 */
	if (hctx_cpuset_subset(shared, &g->cpus))
		for (size_t k = g->n_inst; k-- > 0;)	/* the newest first: a node's cores come in a row */
			if (hctx_cpuset_equal(&g->inst[k], shared)) {
				hctx_cpuset_clear(shared);
				return 0;
			}
	if (hctx_cpuset_or(&g->cpus, shared) < 0)
		return -ENOMEM;
	if (g->n_inst == g->cap_inst) {
		/* doubling: a core's cache each, not a copy of them all each */
		size_t cap = g->cap_inst ? 2 * g->cap_inst : 16;

		grown = realloc(g->inst, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		g->inst = grown;
		g->cap_inst = cap;
	}
	g->inst[g->n_inst++] = *shared;
	*shared = (struct hctx_cpuset){ 0 };
	return 0;
}

static int read_text(struct hctx_reader *rd, int dirfd, const char *name, char **ret)
{
	return hctx_read_trimmed_at(rd->root, dirfd, name, ret);
}

static bool read_ulong(struct hctx_reader *rd, int dirfd, const char *name,
		       unsigned long *ret)
{
	_cleanup_free_ char *text = NULL;
	char *end;

	if (read_text(rd, dirfd, name, &text) < 0 || text[0] < '0' || text[0] > '9')
		return false;
	*ret = strtoul(text, &end, 10);
	return *end == '\0';
}

/* One cache/indexN directory: 0 (skipped when a required file is missing). */
static int read_index(struct cache_walk *w, struct hctx_reader *rd, int dirfd)
{
	_cleanup_free_ char *type = NULL, *size = NULL, *list = NULL;
	struct cache_group key = { 0 };
	struct hctx_cpuset shared = { 0 };
	int r;

	if (!read_ulong(rd, dirfd, "level", &key.level) ||
	    read_text(rd, dirfd, "type", &type) < 0 || read_text(rd, dirfd, "size", &size) < 0 ||
	    read_text(rd, dirfd, "shared_cpu_list", &list) < 0)
		return 0;
	if (hctx_parse_cache_size(size, &key.size_kib) < 0 ||
	    hctx_cache_type(type, key.type, sizeof(key.type)) < 0 ||
	    hctx_parse_cpulist(list, strlen(list), &shared) < 0) {
		hctx_cpuset_clear(&shared);
		return 0;
	}
	(void)read_ulong(rd, dirfd, "ways_of_associativity", &key.ways);
	(void)read_ulong(rd, dirfd, "coherency_line_size", &key.line_bytes);
	r = add_instance(w, &key, &shared);
	hctx_cpuset_clear(&shared);
	return r;
}

static bool is_index_name(const char *name)
{
	if (strncmp(name, "index", 5) != 0 || !name[5])
		return false;
	for (const char *p = name + 5; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

struct index_list {
	char names[MAX_INDEX][16];
	size_t n;
};

static int collect_index(void *userdata, const char *name, unsigned char d_type, int dirfd)
{
	struct index_list *l = userdata;
	struct stat st;

	if (!is_index_name(name) || strlen(name) >= sizeof(l->names[0]) || l->n == MAX_INDEX)
		return 0;
	/* real directories only: never a link */
	if (d_type == DT_UNKNOWN ? fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
				   !S_ISDIR(st.st_mode) : d_type != DT_DIR)
		return 0;
	strcpy(l->names[l->n++], name);
	return 0;
}

static int cmp_index(const void *a, const void *b)
{
	return atoi((const char *)a + 5) - atoi((const char *)b + 5);
}

/*
 * The cache directory is opened once and each index from its fd, so an
 * index's six files cost one path lookup between them.
 */
static int visit_cpu(struct cache_walk *w, struct hctx_reader *rd, long cpu)
{
	struct index_list l = { .n = 0 };
	_cleanup_close_ int cachefd = -1;
	char dir[96];
	int r;

	snprintf(dir, sizeof(dir), CPU_DIR "/cpu%ld/cache", cpu);
	cachefd = hctx_open(rd->root, dir, true);
	if (cachefd == -ENOMEM)
		return cachefd;
	if (cachefd < 0)
		return 0;
	r = hctx_list_dir_fd(rd->root, cachefd, collect_index, &l);
	if (r == -ENOMEM)
		return r;
	qsort(l.names, l.n, sizeof(l.names[0]), cmp_index);
	for (size_t i = 0; i < l.n && r != -ENOMEM; i++) {
		_cleanup_close_ int indexfd = hctx_open_dir_at(cachefd, l.names[i]);

		r = indexfd >= 0 ? read_index(w, rd, indexfd) : indexfd;
	}
	return r == -ENOMEM ? r : 0;
}

static int type_rank(const char *type)
{
	return strcmp(type, "data") == 0 ? 0 : strcmp(type, "instruction") == 0 ? 1 :
	       strcmp(type, "unified") == 0 ? 2 : 3;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct cache_group *a = pa, *b = pb;

	if (a->level != b->level)
		return a->level < b->level ? -1 : 1;
	if (type_rank(a->type) != type_rank(b->type))
		return type_rank(a->type) - type_rank(b->type);
	if (a->size_kib != b->size_kib)
		return a->size_kib > b->size_kib ? -1 : 1;
	return strcmp(a->type, b->type);
}

static int group_value(const struct cache_group *g, const struct hctx_cpuset *online,
		       const struct hctx_spec *spec, struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(spec->n_members);
	struct hctx_cpuset cpus = { 0 };
	size_t largest = 0;
	char *list = NULL;
	int r = 0;

	if (!rec)
		return -ENOMEM;
	for (size_t k = 0; k < g->n_inst; k++) {
		size_t n = hctx_cpuset_count(&g->inst[k]);

		largest = n > largest ? n : largest;
	}
	r = hctx_cpuset_or(&cpus, &g->cpus);
	hctx_cpuset_and(&cpus, online);
	if (r == 0)
		r = hctx_cpulist_format(&cpus, &list);
	hctx_cpuset_clear(&cpus);
	if (r < 0)
		return r;
	rec->rec.slot[0] = hctx_value_u64(g->level);
	rec->rec.slot[1] = hctx_value_string(g->type);
	rec->rec.slot[2] = hctx_value_u64(g->size_kib);
	if (g->ways)
		rec->rec.slot[3] = hctx_value_u64(g->ways);
	if (g->line_bytes)
		rec->rec.slot[4] = hctx_value_u64(g->line_bytes);
	rec->rec.slot[5] = hctx_value_u64(g->n_inst);
	rec->rec.slot[6] = hctx_value_u64(largest);
	rec->rec.slot[7] = hctx_value_string(list);
	free(list);
	for (size_t i = 0; i < 8; i++)
		if (!rec->rec.slot[i] && i != 3 && i != 4)
			return -ENOMEM;
	*ret = TAKE_PTR(rec);
	return 0;
}

int hctx_read_cpu_caches(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	const struct hctx_cpuset *cpus, *online;
	struct cache_walk w = { 0 };
	struct hctx_value *arr;
	int r = hctx_reader_cpus(rd, &cpus);

	if (r == 0)
		r = hctx_reader_online(rd, &online);
	if (r < 0)
		return r;
	for (long c = hctx_cpuset_next(cpus, 0); c >= 0 && r == 0;
	     c = hctx_cpuset_next(cpus, (unsigned)c + 1))
		if (!level1_known(&w, c))
			r = visit_cpu(&w, rd, c);
	rd->path = CPU_DIR "/cpuN/cache";
	if (r == 0 && w.n == 0)
		r = -ENOENT;
	arr = r == 0 ? hctx_value_array() : NULL;
	if (r == 0 && !arr)
		r = -ENOMEM;
	if (w.n > 1)
		qsort(w.g, w.n, sizeof(*w.g), cmp_group);
	for (size_t i = 0; i < w.n && r == 0; i++) {
		struct hctx_value *v = NULL;

		r = group_value(&w.g[i], online, f->spec->elem, &v);
		if (r == 0)
			r = hctx_array_append(arr, v);
	}
	walk_clear(&w);
	if (r < 0) {
		hctx_value_free(arr);
		return r;
	}
	*ret = arr;
	return 0;
}
