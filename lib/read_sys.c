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

/*
 * A read that failed although the file is there (EIO, or a captured tree
 * changing under us): what the file says is unknown, so a field computed
 * over many files is omitted rather than computed without it.
 */
static bool unknowable(long r)
{
	return r == -EIO || r == -EAGAIN;
}

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

/* ---- the CPUs to visit ---------------------------------------------- */

struct id_walk {
	const char *prefix;	/* "cpu" or "node" */
	const struct hctx_cpuset *filter;	/* keep only these ids, or NULL */
	struct hctx_cpuset *ids;
};

static int collect_id(void *userdata, const char *name, unsigned char d_type,
		      int dirfd)
{
	struct id_walk *w = userdata;
	unsigned id;

	if (!parse_prefixed_id(name, w->prefix, &id) ||
	    (w->filter && !hctx_cpuset_has(w->filter, id)))
		return 0;
	return hctx_cpuset_add(w->ids, id) == -ENOMEM ? -ENOMEM : 0;
}

/* The ids of the PREFIXn entries of directory rel (filtered), in *ids. */
static int list_ids(struct hctx_reader *rd, const char *rel, const char *prefix,
		    const struct hctx_cpuset *filter, struct hctx_cpuset *ids)
{
	struct id_walk w = { .prefix = prefix, .filter = filter, .ids = ids };

	return hctx_list_dir(rd->root, rel, collect_id, &w);
}

/*
 * The CPUs whose files the per-CPU readers open: online and with a cpuN
 * directory, listed once a snapshot.  An online list claiming 2^20 CPUs
 * costs one listing, not a million failed opens.  The live sysfs has a
 * directory for every online CPU: there the online list is used as is.
 */
static const struct hctx_cpuset *cpus_to_visit(struct hctx_reader *rd, int *err)
{
	*err = 0;
	if (hostctx_root_is_live(rd->root))
		return &rd->online;
	if (!rd->cpu_dirs_done) {
		rd->cpu_dirs_done = true;
		rd->cpu_dirs_err = list_ids(rd, CPU_DIR, "cpu", &rd->online,
					    &rd->cpu_dirs);
	}
	*err = rd->cpu_dirs_err;
	return &rd->cpu_dirs;
}

int hctx_reader_cpus(struct hctx_reader *rd, const struct hctx_cpuset **ret)
{
	const struct hctx_cpuset *online;
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	*ret = cpus_to_visit(rd, &r);
	return r;
}

void hctx_reader_clear(struct hctx_reader *rd)
{
	for (size_t i = 0; i < rd->n_policies; i++)
		hctx_cpuset_clear(&rd->policies[i].cpus);
	free(rd->policies);
	rd->policies = NULL;
	rd->n_policies = rd->policies_cap = 0;
	hctx_cpuset_clear(&rd->online);
	hctx_cpuset_clear(&rd->cpu_dirs);
}

/* ---- NUMA nodes ----------------------------------------------------- */

/*
 * Whether any online CPU lies in [lo, hi], in constant time: the count
 * of online CPUs below each 64-bit word, so that a node's cpulist of
 * "0-1048575" is one lookup, not a million bits.
 */
struct online_index {
	const struct hctx_cpuset *set;
	size_t *below;		/* set->nwords + 1 counts */
};

static int online_index_init(struct online_index *ix, const struct hctx_cpuset *set)
{
	ix->set = set;
	ix->below = malloc((set->nwords + 1) * sizeof(*ix->below));
	if (!ix->below)
		return -ENOMEM;
	ix->below[0] = 0;
	for (size_t i = 0; i < set->nwords; i++)
		ix->below[i + 1] = ix->below[i] +
				   (size_t)__builtin_popcountll(set->words[i]);
	return 0;
}

/* Online CPUs with an id below id. */
static size_t online_below(const struct online_index *ix, uint64_t id)
{
	size_t word = (size_t)(id / 64);

	if (word >= ix->set->nwords)
		return ix->below[ix->set->nwords];
	return ix->below[word] + (size_t)__builtin_popcountll(
		ix->set->words[word] & ((UINT64_C(1) << (id % 64)) - 1));
}

static bool online_in_range(const struct online_index *ix, unsigned lo, unsigned hi)
{
	return online_below(ix, (uint64_t)hi + 1) > online_below(ix, lo);
}

struct numa_walk {
	struct hctx_reader *rd;
	struct online_index online;
	struct hctx_cpuset nodes;	/* the nodeN directories */
	struct hctx_cpuset counted;	/* nodes holding an online CPU */
	unsigned node;		/* the node being read */
	bool found;		/* some node's CPUs are known */
	int err;		/* -ENOMEM, or unknowable: numa_nodes omitted */
};

static void numa_walk_clear(struct numa_walk *w)
{
	free(w->online.below);
	hctx_cpuset_clear(&w->nodes);
	hctx_cpuset_clear(&w->counted);
}

static int count_node(struct numa_walk *w, unsigned node)
{
	if (hctx_cpuset_add(&w->counted, node) == -ENOMEM)
		w->err = -ENOMEM;
	return w->err;
}

struct range_check {
	const struct online_index *online;
	bool hit;
};

static int range_hits_online(void *userdata, unsigned lo, unsigned hi)
{
	struct range_check *c = userdata;

	c->hit = c->hit || online_in_range(c->online, lo, hi);
	return 0;
}

static bool is_blank_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\0' && !strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* Read NODE_DIR/nodeN/name into the scratch buffer. */
static ssize_t read_node_file(struct numa_walk *w, unsigned node, const char *name)
{
	char rel[96];

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/%s", node, name);
	return hctx_read_file(w->rd->root, rel, w->rd->buf, HCTX_READ_CAP);
}

/* A node's CPUs from its cpulist: 1 when known (0 when not), or -errno. */
static int node_from_cpulist(struct numa_walk *w, unsigned node)
{
	struct range_check c = { .online = &w->online };
	ssize_t n = read_node_file(w, node, "cpulist");

	if (n < 0)
		return unknowable(n) ? (int)n : 0;
	/* An empty cpulist is a CPU-less node: known, and empty. */
	if (is_blank_text(w->rd->buf, (size_t)n))
		return 1;
	if (hctx_cpulist_ranges(w->rd->buf, (size_t)n, range_hits_online, &c) < 0)
		return 0;
	return c.hit && count_node(w, node) < 0 ? w->err : 1;
}

/* The same from its cpumap (known when readable, parsed or not). */
static int node_from_cpumap(struct numa_walk *w, unsigned node)
{
	struct hctx_cpuset cpus = { 0 };
	ssize_t n = read_node_file(w, node, "cpumap");
	bool hit;

	if (n < 0)
		return unknowable(n) ? (int)n : 0;
	(void)hctx_parse_cpumask(w->rd->buf, (size_t)n, &cpus);
	hit = hctx_cpuset_intersects(&cpus, w->online.set);
	hctx_cpuset_clear(&cpus);
	return hit && count_node(w, node) < 0 ? w->err : 1;
}

static void nodes_from_lists(struct numa_walk *w)
{
	for (long node = hctx_cpuset_next(&w->nodes, 0); node >= 0 && !w->err;
	     node = hctx_cpuset_next(&w->nodes, (unsigned)node + 1)) {
		int r = node_from_cpulist(w, (unsigned)node);

		if (r == 0)
			r = node_from_cpumap(w, (unsigned)node);
		if (r < 0)
			w->err = r;
		w->found |= r > 0;
	}
}

/* cpu/cpuM/nodeN entries: online CPU M belongs to node N. */
static int collect_cpu_node_link(void *userdata, const char *name,
				 unsigned char d_type, int dirfd)
{
	struct numa_walk *w = userdata;
	unsigned node;

	if (!parse_prefixed_id(name, "node", &node))
		return 0;
	w->found = true;
	return count_node(w, node);
}

/* node/nodeN/cpuM entries: CPU M belongs to node N. */
static int collect_node_cpu_entry(void *userdata, const char *name,
				  unsigned char d_type, int dirfd)
{
	struct numa_walk *w = userdata;
	unsigned cpu;

	if (!parse_prefixed_id(name, "cpu", &cpu))
		return 0;
	w->found = true;
	if (!hctx_cpuset_has(w->online.set, cpu))
		return 0;
	/* one online CPU is enough for this node */
	return count_node(w, w->node) < 0 ? w->err : 1;
}

/* Call fn over the entries of dir/PREFIXn for every n in ids. */
static void walk_dirs(struct numa_walk *w, const char *dir, const char *prefix,
		      const struct hctx_cpuset *ids, hctx_dirent_fn fn)
{
	char rel[96];

	for (long id = hctx_cpuset_next(ids, 0); id >= 0 && !w->err;
	     id = hctx_cpuset_next(ids, (unsigned)id + 1)) {
		int r;

		w->node = (unsigned)id;
		snprintf(rel, sizeof(rel), "%s/%s%ld", dir, prefix, id);
		r = hctx_list_dir(w->rd->root, rel, fn, w);
		if ((r == -ENOMEM || unknowable(r)) && !w->err)
			w->err = r;
	}
}

/* Old or trimmed trees: fall back to the per-CPU links, then per-node. */
static void nodes_from_links(struct numa_walk *w)
{
	int r;
	const struct hctx_cpuset *cpus = cpus_to_visit(w->rd, &r);

	if (r == -ENOMEM || unknowable(r)) {
		w->err = r;
		return;
	}
	walk_dirs(w, CPU_DIR, "cpu", cpus, collect_cpu_node_link);
	if (!w->found && !w->err)
		walk_dirs(w, NODE_DIR, "node", &w->nodes, collect_node_cpu_entry);
}

/*
 * Nodes listed once; each node's cpulist is checked range by range
 * against the online CPUs, and no set larger than the online list or
 * the directory listings is ever built.
 */
int hctx_read_numa_nodes(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	struct numa_walk w = { .rd = rd };
	size_t n;
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	w.err = online_index_init(&w.online, online);
	if (!w.err) {
		w.err = list_ids(rd, NODE_DIR, "node", NULL, &w.nodes);
		if (w.err != -ENOMEM && !unknowable(w.err))
			w.err = 0;	/* no node directory: no information */
	}
	if (!w.err)
		nodes_from_lists(&w);
	if (!w.err && !w.found)
		nodes_from_links(&w);
	n = hctx_cpuset_count(&w.counted);
	numa_walk_clear(&w);
	if (w.err)
		return w.err;
	/* Every Linux system has a node; none found means no information. */
	*ret = hctx_value_u64(n ? n : 1);
	return *ret ? 0 : -ENOMEM;
}

/* ---- cpufreq governors --------------------------------------------- */

/* One entry per online CPU whose own scaling_governor reads. */
/*
 * Hand CPU_DIR/cpuN/name of every CPU of cpus (but those of skip) to the
 * prefetch, in the order the caller's loop reads them.
 */
static int prefetch_cpu_files(struct hctx_reader *rd, const struct hctx_cpuset *cpus,
			      const struct hctx_cpuset *skip, const char *name)
{
	struct hctx_pathlist l = { 0 };
	int r = 0;

	for (long cpu = hctx_cpuset_next(cpus, 0); cpu >= 0 && r == 0;
	     cpu = hctx_cpuset_next(cpus, (unsigned)cpu + 1))
		if (!skip || !hctx_cpuset_has(skip, (unsigned)cpu))
			r = hctx_pathlist_add(&l, CPU_DIR "/cpu%ld/%s", cpu, name);
	if (r == 0)
		r = hctx_prefetch(rd->root, &l);
	hctx_pathlist_clear(&l);
	return r;
}

/* The same for CPU_DIR/cpufreq/policyN/name of every policy of ids. */
static int prefetch_policy_files(struct hctx_reader *rd, const struct hctx_cpuset *ids,
				 const char *name)
{
	struct hctx_pathlist l = { 0 };
	int r = 0;

	for (long id = hctx_cpuset_next(ids, 0); id >= 0 && r == 0;
	     id = hctx_cpuset_next(ids, (unsigned)id + 1))
		r = hctx_pathlist_add(&l, CPU_DIR "/cpufreq/policy%ld/%s", id, name);
	if (r == 0)
		r = hctx_prefetch(rd->root, &l);
	hctx_pathlist_clear(&l);
	return r;
}

int hctx_read_governors(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	const struct hctx_cpuset *online, *cpus;
	_cleanup_value_ struct hctx_value *map = NULL;
	char rel[96], key[24];
	int r = hctx_reader_online(rd, &online);

	if (r < 0)
		return r;
	cpus = cpus_to_visit(rd, &r);
	if (r == -ENOMEM)
		return r;
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	r = prefetch_cpu_files(rd, cpus, NULL, "cpufreq/scaling_governor");
	for (long cpu = hctx_cpuset_next(cpus, 0); r >= 0 && cpu >= 0;
	     cpu = hctx_cpuset_next(cpus, (unsigned)cpu + 1)) {
		_cleanup_free_ char *gov = NULL;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%ld/cpufreq/scaling_governor", cpu);
		r = hctx_read_trimmed(rd->root, rel, &gov);
		if (r == -ENOMEM)
			break;
		if (r < 0) {
			r = 0;
			continue;	/* no cpufreq for this CPU */
		}
		snprintf(key, sizeof(key), "%ld", cpu);
		r = hctx_map_append(map, key, hctx_value_string(gov));
	}
	hctx_prefetch_drop(rd->root);
	if (r < 0)
		return r;
	if (map->map.n == 0) {
		rd->path = CPU_DIR "/cpuN/cpufreq/scaling_governor";
		return -ENOENT;
	}
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- per-CPU files ---------------------------------------------------- */

/* Policy id's affected_cpus among the CPUs to visit, appended to rd->policies. */
static int add_policy(struct hctx_reader *rd, unsigned id, const struct hctx_cpuset *visit)
{
	struct hctx_policy *p;
	struct hctx_cpuset cpus = { 0 };
	char rel[96];
	ssize_t n;

	snprintf(rel, sizeof(rel), CPU_DIR "/cpufreq/policy%u/affected_cpus", id);
	n = hctx_read_file(rd->root, rel, rd->buf, HCTX_READ_CAP);
	if (n < 0 || hctx_parse_id_words(rd->buf, (size_t)n, &cpus) < 0)
		return 0;	/* unreadable: its CPUs are read one by one */
	hctx_cpuset_and(&cpus, visit);
	if (hctx_cpuset_count(&cpus) == 0) {
		hctx_cpuset_clear(&cpus);
		return 0;
	}
	if (rd->n_policies == rd->policies_cap) {
		/* doubling: 4,096 policies are not copied 4,096 times */
		size_t cap = rd->policies_cap ? 2 * rd->policies_cap : 16;

		p = realloc(rd->policies, cap * sizeof(*p));
		if (!p) {
			hctx_cpuset_clear(&cpus);
			return -ENOMEM;
		}
		rd->policies = p;
		rd->policies_cap = cap;
	}
	rd->policies[rd->n_policies++] = (struct hctx_policy){ .id = id, .cpus = cpus };
	return 0;
}

/*
 * The cpufreq policy directories, listed once a snapshot (docs/design.md,
 * "Read plans"): CPUs sharing a policy share its files, so a per-CPU
 * cpufreq attribute costs one read per policy, not one per CPU.
 */
static int load_policies(struct hctx_reader *rd, const struct hctx_cpuset *visit)
{
	struct hctx_cpuset ids = { 0 };
	int r;

	if (rd->policies_err != 0)
		return 0;	/* listed already (none: every CPU is read on its own) */
	r = list_ids(rd, CPU_DIR "/cpufreq", "policy", NULL, &ids);
	if (r >= 0)
		r = prefetch_policy_files(rd, &ids, "affected_cpus");
	for (long id = r < 0 ? -1 : hctx_cpuset_next(&ids, 0); id >= 0 && r >= 0;
	     id = hctx_cpuset_next(&ids, (unsigned)id + 1))
		r = add_policy(rd, (unsigned)id, visit);
	hctx_prefetch_drop(rd->root);
	hctx_cpuset_clear(&ids);
	if (r == -ENOMEM)
		return r;
	rd->policies_err = rd->n_policies ? 1 : -ENOENT;
	return 0;
}

/* f->arg ("cpufreq/X") of each policy, for the CPUs it answers for; those go to *done. */
static int read_policy_files(struct hctx_reader *rd, const struct hctx_field *f,
			     struct hctx_bycpu_builder *b, struct hctx_cpuset *done)
{
	const char *name = f->arg + strlen("cpufreq/");
	struct hctx_pathlist l = { 0 };
	char rel[160];
	int r = 0;

	for (size_t i = 0; i < rd->n_policies && r == 0; i++)
		r = hctx_pathlist_add(&l, CPU_DIR "/cpufreq/policy%u/%s", rd->policies[i].id, name);
	if (r == 0)
		r = hctx_prefetch(rd->root, &l);
	hctx_pathlist_clear(&l);
	for (size_t i = 0; i < rd->n_policies && r == 0; i++) {
		const struct hctx_policy *p = &rd->policies[i];
		_cleanup_free_ char *text = NULL;
		struct hctx_value *v = NULL;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpufreq/policy%u/%s", p->id, name);
		r = hctx_read_trimmed(rd->root, rel, &text);
		if (r == -ENOMEM)
			break;
		if (r < 0 || hctx_value_from_text(f->spec->elem, text, &v) < 0) {
			r = 0;
			continue;	/* no such file here: the CPUs' own paths are tried */
		}
		if (hctx_bycpu_add_set(b, &p->cpus, v) < 0 || hctx_cpuset_or(done, &p->cpus) < 0)
			r = -ENOMEM;
	}
	hctx_prefetch_drop(rd->root);
	return r;
}

int hctx_read_cpu_files(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	struct hctx_bycpu_builder b = { 0 };
	struct hctx_cpuset done = { 0 };
	char rel[160];
	int r = hctx_reader_cpus(rd, &online);

	if (r < 0)
		return r;
	if (strncmp(f->arg, "cpufreq/", strlen("cpufreq/")) == 0) {
		r = load_policies(rd, online);
		if (r == 0)
			r = read_policy_files(rd, f, &b, &done);
	}
	if (r >= 0)
		r = prefetch_cpu_files(rd, online, &done, f->arg);
	for (long cpu = hctx_cpuset_next(online, 0); r >= 0 && cpu >= 0;
	     cpu = hctx_cpuset_next(online, (unsigned)cpu + 1)) {
		_cleanup_free_ char *text = NULL;
		struct hctx_value *v = NULL;

		if (hctx_cpuset_has(&done, (unsigned)cpu))
			continue;	/* its policy answered */
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%ld/%s", cpu, f->arg);
		r = hctx_read_trimmed(rd->root, rel, &text);
		if (r == 0 && hctx_value_from_text(f->spec->elem, text, &v) == 0)
			r = hctx_bycpu_add(&b, (unsigned)cpu, v);
		else if (r != -ENOMEM)
			r = 0;	/* this CPU has no such file, or junk in it */
	}
	hctx_prefetch_drop(rd->root);
	hctx_cpuset_clear(&done);
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
