/* SPDX-License-Identifier: MIT */
/*
 * Readers of /sys sources: THP policy, the online CPU list, NUMA nodes
 * and per-CPU cpufreq governors.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CPU_DIR "sys/devices/system/cpu"
#define NODE_DIR "sys/devices/system/node"

/* The online list, read once per snapshot and shared by three fields. */
static int load_online(struct hctx_reader *rd)
{
	ssize_t n;

	if (rd->online_err)
		return rd->online_err < 0 ? rd->online_err : 0;
	n = hctx_read_file(rd->root, CPU_DIR "/online", rd->buf, HCTX_READ_CAP);
	if (n < 0)
		rd->online_err = (int)n;
	else if (hctx_parse_cpulist(rd->buf, (size_t)n, &rd->online) < 0)
		rd->online_err = -EINVAL;	/* empty or malformed: unreadable */
	else
		rd->online_err = 1;
	return rd->online_err < 0 ? rd->online_err : 0;
}

int hctx_reader_online(struct hctx_reader *rd, const struct hctx_cpuset **ret)
{
	const char *path = rd->path;
	int r = load_online(rd);

	if (r < 0) {
		rd->path = CPU_DIR "/online";	/* what made this field absent */
		return r;
	}
	rd->path = path;
	*ret = &rd->online;
	return 0;
}

int hctx_read_online_cpus(struct hctx_reader *rd, const struct hctx_field *f,
			  struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	*ret = hctx_value_u64(hctx_cpuset_count(online));
	return *ret ? 0 : -ENOMEM;
}

/* ---- NUMA nodes ----------------------------------------------------- */

struct node_table {
	size_t n, cap;
	unsigned *ids;
	struct hctx_cpuset *cpus;
};

static void node_table_clear(struct node_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		hctx_cpuset_clear(&t->cpus[i]);
	free(t->ids);
	free(t->cpus);
	memset(t, 0, sizeof(*t));
}

/* Index of node id, added when missing; -ENOMEM on failure. */
static long node_index(struct node_table *t, unsigned id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ids[i] == id)
			return (long)i;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		unsigned *ids = realloc(t->ids, cap * sizeof(*ids));
		struct hctx_cpuset *cpus;

		if (!ids)
			return -ENOMEM;
		t->ids = ids;
		cpus = realloc(t->cpus, cap * sizeof(*cpus));
		if (!cpus)
			return -ENOMEM;
		t->cpus = cpus;
		t->cap = cap;
	}
	t->ids[t->n] = id;
	memset(&t->cpus[t->n], 0, sizeof(t->cpus[0]));
	return (long)t->n++;
}

/* "node12" -> 12; false for anything else. */
static bool parse_prefixed_id(const char *name, const char *prefix, unsigned *ret)
{
	size_t plen = strlen(prefix);
	uint64_t v;

	if (strncmp(name, prefix, plen) != 0 ||
	    hctx_parse_u64(name + plen, strlen(name + plen), &v) < 0 ||
	    v >= HCTX_CPUSET_MAX)
		return false;
	*ret = (unsigned)v;
	return true;
}

static int collect_node(void *userdata, const char *name, unsigned char d_type,
			int dirfd)
{
	unsigned id;

	if (!parse_prefixed_id(name, "node", &id))
		return 0;
	return node_index(userdata, id) < 0 ? -ENOMEM : 0;
}

static bool is_blank_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\0' && !strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* A node's CPUs from its cpulist, else its cpumap; false when neither. */
static bool read_node_cpus(struct hctx_reader *rd, unsigned id,
			   struct hctx_cpuset *cpus)
{
	char rel[96];
	ssize_t n;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/cpulist", id);
	n = hctx_read_file(rd->root, rel, rd->buf, HCTX_READ_CAP);
	if (n >= 0) {
		if (hctx_parse_cpulist(rd->buf, (size_t)n, cpus) == 0)
			return true;
		/* An empty cpulist is a CPU-less node: known, and empty. */
		if (is_blank_text(rd->buf, (size_t)n))
			return true;
	}
	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/cpumap", id);
	n = hctx_read_file(rd->root, rel, rd->buf, HCTX_READ_CAP);
	if (n < 0)
		return false;
	(void)hctx_parse_cpumask(rd->buf, (size_t)n, cpus);
	return true;
}

struct link_walk {
	struct node_table *table;
	unsigned cpu;		/* fallback A: the CPU whose dir we list */
	long node;		/* fallback B: the node index whose dir we list */
	bool found;
	int err;
};

/* cpu/cpuM/nodeN entries: CPU M belongs to node N. */
static int collect_cpu_node_link(void *userdata, const char *name,
				 unsigned char d_type, int dirfd)
{
	struct link_walk *w = userdata;
	unsigned id;
	long i;

	if (!parse_prefixed_id(name, "node", &id))
		return 0;
	i = node_index(w->table, id);
	if (i < 0 || hctx_cpuset_add(&w->table->cpus[i], w->cpu) == -ENOMEM)
		return -ENOMEM;
	w->found = true;
	return 0;
}

/* node/nodeN/cpuM entries: CPU M belongs to node N. */
static int collect_node_cpu_entry(void *userdata, const char *name,
				  unsigned char d_type, int dirfd)
{
	struct link_walk *w = userdata;
	unsigned cpu;

	if (!parse_prefixed_id(name, "cpu", &cpu))
		return 0;
	if (hctx_cpuset_add(&w->table->cpus[w->node], cpu) == -ENOMEM)
		return -ENOMEM;
	w->found = true;
	return 0;
}

static int nodes_from_cpu_links(struct hctx_reader *rd, struct node_table *t,
				bool *found)
{
	struct link_walk w = { .table = t };
	char rel[64];

	for (long cpu = hctx_cpuset_next(&rd->online, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(&rd->online, (unsigned)cpu + 1)) {
		w.cpu = (unsigned)cpu;
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%ld", cpu);
		if (hctx_list_dir(rd->root, rel, collect_cpu_node_link, &w) == -ENOMEM)
			return -ENOMEM;
	}
	*found = w.found;
	return 0;
}

static int nodes_from_node_entries(struct hctx_reader *rd, struct node_table *t,
				   bool *found)
{
	struct link_walk w = { .table = t };
	char rel[64];

	for (size_t i = 0; i < t->n; i++) {
		w.node = (long)i;
		snprintf(rel, sizeof(rel), NODE_DIR "/node%u", t->ids[i]);
		if (hctx_list_dir(rd->root, rel, collect_node_cpu_entry, &w) == -ENOMEM)
			return -ENOMEM;
	}
	*found = w.found;
	return 0;
}

static int fill_node_cpus(struct hctx_reader *rd, struct node_table *t)
{
	bool any = false;
	size_t listed = t->n;

	for (size_t i = 0; i < listed; i++)
		any |= read_node_cpus(rd, t->ids[i], &t->cpus[i]);
	if (any)
		return 0;
	/* Old or trimmed trees: fall back to the per-CPU links. */
	if (nodes_from_cpu_links(rd, t, &any) < 0)
		return -ENOMEM;
	if (any)
		return 0;
	return nodes_from_node_entries(rd, t, &any);
}

int hctx_read_numa_nodes(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	struct node_table t = { 0 };
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	r = hctx_list_dir(rd->root, NODE_DIR, collect_node, &t);
	if (r == -ENOMEM)
		goto out;
	r = fill_node_cpus(rd, &t);
	if (r < 0)
		goto out;
	*ret = hctx_value_u64(hctx_count_numa_nodes(online, t.cpus, t.n));
	r = *ret ? 0 : -ENOMEM;
out:
	node_table_clear(&t);
	return r;
}

/* ---- cpufreq governors --------------------------------------------- */

/* One entry per online CPU whose own scaling_governor reads. */
int hctx_read_governors(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	_cleanup_value_ struct hctx_value *map = NULL;
	char rel[96], key[24];
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	for (long cpu = hctx_cpuset_next(online, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(online, (unsigned)cpu + 1)) {
		_cleanup_free_ char *gov = NULL;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%ld/cpufreq/scaling_governor", cpu);
		r = hctx_read_trimmed(rd->root, rel, &gov);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;	/* no cpufreq for this CPU */
		snprintf(key, sizeof(key), "%ld", cpu);
		r = hctx_map_append(map, key, hctx_value_string(gov));
		if (r < 0)
			return r;
	}
	if (map->map.n == 0) {
		rd->path = CPU_DIR "/cpuN/cpufreq/scaling_governor";
		return -ENOENT;
	}
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- per-CPU files ---------------------------------------------------- */

int hctx_read_cpu_files(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	struct hctx_bycpu_builder b = { 0 };
	char rel[160];
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	for (long cpu = hctx_cpuset_next(online, 0); r >= 0 && cpu >= 0;
	     cpu = hctx_cpuset_next(online, (unsigned)cpu + 1)) {
		_cleanup_free_ char *text = NULL;
		struct hctx_value *v = NULL;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%ld/%s", cpu, f->arg);
		r = hctx_read_trimmed(rd->root, rel, &text);
		if (r == 0 && hctx_value_from_text(f->spec->elem, text, &v) == 0)
			r = hctx_bycpu_add(&b, (unsigned)cpu, v);
		else if (r != -ENOMEM)
			r = 0;	/* this CPU has no such file, or junk in it */
	}
	if (r >= 0)
		r = hctx_bycpu_finish(&b, f->spec, ret);
	hctx_bycpu_clear(&b);
	if (r == 0 && !*ret) {
		snprintf(rd->pathbuf, sizeof(rd->pathbuf), CPU_DIR "/cpuN/%s", f->arg);
		rd->path = rd->pathbuf;
		return -ENOENT;
	}
	return r;
}
