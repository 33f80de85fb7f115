/* SPDX-License-Identifier: MIT */
/*
 * writes.c - write attribution (hostctx-run --watch-writes; docs/design.md,
 * "Write attribution"): which written files the record lists and which
 * snapshot field each is a source of (one table), the directories an
 * inotify watch needs, the bookkeeping from events to entries, and the
 * record's "writes" themselves.  No event is read here: that is the
 * wrapper's (wrapper/watch.c).
 */
#include "internal.h"
#include "writes.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

/* ---- the watched set: one table ------------------------------------ */

/* How a source names its field's changes path. */
enum source_key {
	KEY_FIELD,	/* the field itself */
	KEY_MEMBER,	/* FIELD.NAME, NAME the file's (a map or record member) */
	KEY_CPU_DIR,	/* a per-CPU field; the CPU is the cpuN of the directory */
	KEY_ANY_CPU,	/* a per-CPU field; a policy's CPUs are not recorded: any */
};

struct write_source {
	const char *dir;	/* root-relative directory, an fnmatch(3) glob */
	const char *file;	/* the file's name, a glob */
	const char *field;
	enum source_key key;
	const char *also;	/* a second field the kernel moves with it, or NULL */
};

/*
 * The snapshot's sources that a write can set.  Rows beneath sys/ name
 * the /sys directories an inotify watch adds (docs/json-format.md,
 * "writes"); every file beneath proc/sys is watched anyway, and the
 * proc/sys rows only name the fields of some (any other file there is
 * sysctls.NAME, which exists when the name is allowlisted).  A policy
 * row comes before its cpuN row: inotify keeps the first path of a
 * directory it reaches twice (cpuN/cpufreq links to policyN).
 */
static const struct write_source write_sources[] = {
	{ "proc/sys/kernel", "sched_*", "sched_tunables", KEY_MEMBER, NULL },
	{ "proc/sys/kernel", "task_delayacct", "task_delayacct", KEY_FIELD, NULL },
	{ "proc/sys/vm", "nr_hugepages", "hugepages_total", KEY_FIELD, "hugepages_free" },
	{ "sys/kernel/mm/transparent_hugepage", "enabled", "thp_enabled", KEY_FIELD, NULL },
	{ "sys/kernel/mm/transparent_hugepage", "defrag", "thp_defrag", KEY_FIELD, NULL },
	{ "sys/kernel/mm/hugepages/hugepages-*", "nr_hugepages", "hugepages_total", KEY_FIELD,
	  "hugepages_free" },
	{ "sys/devices/system/node/node[0-9]*/hugepages/hugepages-*", "nr_hugepages",
	  "hugepages_total", KEY_FIELD, "hugepages_free" },
	{ "sys/devices/system/cpu/cpufreq", "boost", "cpufreq_boost", KEY_FIELD,
	  "cpufreq_hw_max_khz" },
	{ "sys/devices/system/cpu/cpufreq/policy[0-9]*", "scaling_governor", "cpufreq_governor",
	  KEY_ANY_CPU, NULL },
	{ "sys/devices/system/cpu/cpufreq/policy[0-9]*", "scaling_min_freq", "cpufreq_min_khz",
	  KEY_ANY_CPU, NULL },
	{ "sys/devices/system/cpu/cpufreq/policy[0-9]*", "scaling_max_freq", "cpufreq_max_khz",
	  KEY_ANY_CPU, NULL },
	{ "sys/devices/system/cpu/cpufreq/policy[0-9]*", "energy_performance_preference",
	  "cpufreq_epp", KEY_ANY_CPU, NULL },
	{ "sys/devices/system/cpu/cpu[0-9]*/cpufreq", "scaling_governor", "cpufreq_governor",
	  KEY_CPU_DIR, NULL },
	{ "sys/devices/system/cpu/cpu[0-9]*/cpufreq", "scaling_min_freq", "cpufreq_min_khz",
	  KEY_CPU_DIR, NULL },
	{ "sys/devices/system/cpu/cpu[0-9]*/cpufreq", "scaling_max_freq", "cpufreq_max_khz",
	  KEY_CPU_DIR, NULL },
	{ "sys/devices/system/cpu/cpu[0-9]*/cpufreq", "energy_performance_preference",
	  "cpufreq_epp", KEY_CPU_DIR, NULL },
	{ "sys/devices/system/cpu/intel_pstate", "*", "intel_pstate", KEY_MEMBER, NULL },
	{ "sys/devices/system/cpu/amd_pstate", "*", "amd_pstate", KEY_MEMBER, NULL },
	{ "sys/devices/system/cpu/smt", "control", "smt_control", KEY_FIELD, "smt_active" },
	{ "sys/devices/system/cpu/cpuidle", "current_governor", "cpuidle_governor", KEY_FIELD,
	  NULL },
};
#define N_SOURCES (sizeof(write_sources) / sizeof(write_sources[0]))

#define PROC_SYS "proc/sys/"
#define ANY_CPU (-2L)
#define NO_CPU (-1L)

/* What a written file is the source of. */
struct write_target {
	char field[HCTX_PATH_MAX];	/* the changes path */
	long cpu;			/* a per-CPU field's CPU, ANY_CPU, or NO_CPU */
	const char *also;
};

static bool is_sys_row(const struct write_source *row)
{
	return strncmp(row->dir, "sys/", 4) == 0;
}

/* "sys/devices/system/cpu/cpu12/cpufreq" -> 12. */
static long cpu_of_dir(const char *dir)
{
	static const char prefix[] = "sys/devices/system/cpu/cpu";
	uint64_t cpu;
	size_t n;

	if (strncmp(dir, prefix, sizeof(prefix) - 1) != 0)
		return NO_CPU;
	dir += sizeof(prefix) - 1;
	n = strcspn(dir, "/");
	if (hctx_parse_u64(dir, n, &cpu) < 0 || cpu >= HCTX_CPUSET_MAX)
		return NO_CPU;
	return (long)cpu;
}

static bool row_matches(const struct write_source *row, const char *dir, const char *name)
{
	return fnmatch(row->dir, dir, FNM_PATHNAME | FNM_PERIOD) == 0 &&
	       fnmatch(row->file, name, FNM_PATHNAME | FNM_PERIOD) == 0;
}

static int put_target(struct write_target *t, const struct write_source *row,
		      const char *dir, const char *name)
{
	int n;

	t->also = row->also;
	t->cpu = row->key == KEY_CPU_DIR ? cpu_of_dir(dir) :
		 row->key == KEY_ANY_CPU ? ANY_CPU : NO_CPU;
	if (row->key == KEY_MEMBER)
		n = snprintf(t->field, sizeof(t->field), "%s.%s", row->field, name);
	else
		n = snprintf(t->field, sizeof(t->field), "%s", row->field);
	return n < 0 || (size_t)n >= sizeof(t->field) ? -ENAMETOOLONG : 0;
}

/* Any other file beneath proc/sys: its sysctl(8) name, as sysctls.NAME. */
static int sysctl_target(struct write_target *t, const char *rel)
{
	const char *name = rel + strlen(PROC_SYS);
	int n = snprintf(t->field, sizeof(t->field), "sysctls.%s", name);

	if (n < 0 || (size_t)n >= sizeof(t->field))
		return -ENAMETOOLONG;
	for (char *p = t->field; *p; p++)
		if (*p == '/')
			*p = '.';
	t->cpu = NO_CPU;
	t->also = NULL;
	return 0;
}

/* The target of rel (root-relative); -ENOENT when it is no source. */
static int target_of(const char *rel, struct write_target *t)
{
	char dir[HCTX_PATH_MAX];
	const char *slash = strrchr(rel, '/');
	size_t dir_len;

	if (!slash || !slash[1])
		return -ENOENT;
	dir_len = (size_t)(slash - rel);
	if (dir_len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, rel, dir_len);
	dir[dir_len] = '\0';
	for (size_t i = 0; i < N_SOURCES; i++)
		if (row_matches(&write_sources[i], dir, slash + 1))
			return put_target(t, &write_sources[i], dir, slash + 1);
	if (strncmp(rel, PROC_SYS, strlen(PROC_SYS)) == 0)
		return sysctl_target(t, rel);
	return -ENOENT;
}

bool hctx_write_is_watched(const char *rel)
{
	struct write_target t;

	if (strncmp(rel, PROC_SYS, strlen(PROC_SYS)) == 0)
		return rel[strlen(PROC_SYS)] != '\0';
	return target_of(rel, &t) == 0;
}

/* "/proc/sys/x" -> "proc/sys/x": the table's paths are root-relative. */
static const char *relative(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

HCTX_EXPORT int hostctx_write_source_field(const char *path, char *buf, size_t size)
{
	struct write_target t;
	int r, n;

	if (!path)
		return -ENOENT;
	r = target_of(relative(path), &t);
	if (r < 0)
		return r;
	if (t.cpu >= 0)
		n = snprintf(buf, size, "%s.cpu%ld", t.field, t.cpu);
	else
		n = snprintf(buf, size, "%s", t.field);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The CPU list of a per-CPU changes path's key ("cpu0-3,6"): has cpu? */
static bool cpu_key_has(const char *key, long cpu)
{
	struct hctx_cpuset set = { 0 };
	bool has;

	if (strncmp(key, "cpu", 3) != 0)
		return false;
	if (hctx_parse_cpulist(key + 3, strlen(key + 3), &set) < 0)
		return false;
	has = hctx_cpuset_has(&set, (unsigned)cpu);
	hctx_cpuset_clear(&set);
	return has;
}

/* Whether a target field (a path) covers the changes path field. */
static bool field_covers(const char *target, long cpu, const char *field)
{
	size_t tn = strlen(target), fn = strlen(field);

	if (tn == fn)
		return strcmp(target, field) == 0;
	if (fn < tn)	/* a whole map or record changed: "sched_tunables" */
		return strncmp(target, field, fn) == 0 && target[fn] == '.';
	if (strncmp(target, field, tn) != 0 || field[tn] != '.')
		return false;
	/* one key of a per-CPU field: "cpufreq_max_khz.cpu0-3" */
	return cpu == ANY_CPU || cpu == NO_CPU || cpu_key_has(field + tn + 1, cpu);
}

HCTX_EXPORT bool hostctx_write_touches(const char *path, const char *field)
{
	struct write_target t;

	if (!path || !field || target_of(relative(path), &t) < 0)
		return false;
	return field_covers(t.field, t.cpu, field) ||
	       (t.also && field_covers(t.also, NO_CPU, field));
}

/* ---- the directories to watch -------------------------------------- */

struct dir_list {
	char **rel;
	size_t n, cap;
};

static void dir_list_clear(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rel[i]);
	free(l->rel);
	*l = (struct dir_list){ 0 };
}

/* Append "base/name" (taken: a new string). */
static int dir_list_add(struct dir_list *l, const char *base, const char *name)
{
	char *rel;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **items = realloc(l->rel, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		l->rel = items;
		l->cap = cap;
	}
	if (asprintf(&rel, "%s%s%s", base, *base && *name ? "/" : "", name) < 0)
		return -ENOMEM;
	l->rel[l->n++] = rel;
	return 0;
}

struct walk_state {
	struct hostctx_root *root;
	hctx_watch_dir_fn fn;
	void *userdata;
	size_t visited, skipped;
};

/* What a listing collects: the subdirectories (links not followed). */
struct subdirs {
	struct dir_list *into;
	const char *base;
	const char *glob;	/* only names matching it; NULL: all */
};

static int collect_subdir(void *userdata, const char *name, unsigned char d_type, int dirfd)
{
	struct subdirs *s = userdata;

	(void)dirfd;
	if (d_type != DT_DIR && d_type != DT_UNKNOWN && !(s->glob && d_type == DT_LNK))
		return 0;
	if (s->glob && fnmatch(s->glob, name, FNM_PERIOD) != 0)
		return 0;
	return dir_list_add(s->into, s->base, name);
}

/* Open rel and give it to fn; then, when into is set, list its subdirectories. */
static int visit(struct walk_state *w, const char *rel, struct dir_list *into)
{
	struct subdirs s = { .into = into, .base = rel };
	int fd, r;

	if (w->visited >= HCTX_WATCH_MAX_DIRS) {
		w->skipped++;
		return 0;
	}
	fd = hctx_open(w->root, rel, true);
	if (fd < 0)
		return 0;	/* missing or unreadable: nothing to watch */
	w->visited++;
	r = w->fn(w->userdata, rel, fd);
	/* a directory that cannot be listed is still watched itself */
	if (r == 0 && into && hctx_list_dir_fd(w->root, fd, collect_subdir, &s) == -ENOMEM)
		r = -ENOMEM;
	close(fd);
	return r;
}

/* Every directory beneath proc/sys, breadth first. */
static int walk_proc_sys(struct walk_state *w)
{
	struct dir_list queue = { 0 };
	int r = dir_list_add(&queue, "", "proc/sys");

	for (size_t i = 0; r == 0 && i < queue.n; i++)
		r = visit(w, queue.rel[i], &queue);
	dir_list_clear(&queue);
	return r;
}

/*
 * The directories matching a glob of root-relative components, one
 * component at a time (listings do not nest: each level is collected
 * before the next is listed).
 */
static int expand_glob(struct walk_state *w, const char *glob, struct dir_list *out)
{
	struct dir_list level = { 0 }, next = { 0 };
	_cleanup_free_ char *copy = strdup(glob);
	char *save = NULL, *comp;
	int r;

	if (!copy)
		return -ENOMEM;
	r = dir_list_add(&level, "", "");
	for (comp = strtok_r(copy, "/", &save); r == 0 && comp;
	     comp = strtok_r(NULL, "/", &save)) {
		bool wild = strpbrk(comp, "*?[") != NULL;

		for (size_t i = 0; r == 0 && i < level.n; i++) {
			struct subdirs s = { .into = &next, .base = level.rel[i], .glob = comp };

			if (!wild)
				r = dir_list_add(&next, level.rel[i], comp);
			else if (hctx_list_dir(w->root, level.rel[i], collect_subdir, &s) == -ENOMEM)
				r = -ENOMEM;
		}
		dir_list_clear(&level);
		level = next;
		next = (struct dir_list){ 0 };
	}
	if (r == 0)
		*out = level;
	else
		dir_list_clear(&level);
	return r;
}

static bool seen_dir_before(size_t row)
{
	for (size_t i = 0; i < row; i++)
		if (strcmp(write_sources[i].dir, write_sources[row].dir) == 0)
			return true;
	return false;
}

static int walk_sys_sources(struct walk_state *w)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < N_SOURCES; i++) {
		struct dir_list dirs = { 0 };

		if (!is_sys_row(&write_sources[i]) || seen_dir_before(i))
			continue;
		r = expand_glob(w, write_sources[i].dir, &dirs);
		for (size_t k = 0; r == 0 && k < dirs.n; k++)
			r = visit(w, dirs.rel[k], NULL);
		dir_list_clear(&dirs);
	}
	return r;
}

/* The /proc/sys directories that hold the snapshot's sources. */
static const char *const source_sysctl_dirs[] = {
	"proc/sys", "proc/sys/kernel", "proc/sys/vm",
};

static int walk_source_sysctl_dirs(struct walk_state *w)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(source_sysctl_dirs) / sizeof(source_sysctl_dirs[0]); i++)
		r = visit(w, source_sysctl_dirs[i], NULL);
	return r;
}

int hctx_watch_dirs(struct hostctx_root *root, enum hctx_watch_part part,
		    hctx_watch_dir_fn fn, void *userdata, size_t *ret_skipped)
{
	struct walk_state w = { .root = root, .fn = fn, .userdata = userdata };
	int r;

	if (!root || !fn)
		return -EINVAL;
	if (part == HCTX_WATCH_SOURCES)
		r = walk_source_sysctl_dirs(&w);
	else
		r = walk_proc_sys(&w);
	if (r == 0)
		r = walk_sys_sources(&w);
	if (r == 0 && ret_skipped)
		*ret_skipped = w.skipped;
	return r;
}

/* The rest of /proc/sys a few directories at a time (writes.h). */
struct hctx_watch_walk {
	struct walk_state w;
	struct dir_list queue;	/* breadth first: visited up to next */
	size_t next;
};

int hctx_watch_walk_new(struct hostctx_root *root, struct hctx_watch_walk **ret)
{
	struct hctx_watch_walk *walk = calloc(1, sizeof(*walk));
	int r = walk ? dir_list_add(&walk->queue, "", "proc/sys") : -ENOMEM;

	if (r < 0) {
		hctx_watch_walk_free(walk);
		return r;
	}
	walk->w.root = root;
	*ret = walk;
	return 0;
}

int hctx_watch_walk_step(struct hctx_watch_walk *walk, size_t max_dirs,
			 hctx_watch_dir_fn fn, void *userdata, size_t *ret_skipped)
{
	int r = 0;

	walk->w.fn = fn;
	walk->w.userdata = userdata;
	for (size_t k = 0; r == 0 && k < max_dirs && walk->next < walk->queue.n; k++)
		r = visit(&walk->w, walk->queue.rel[walk->next++], &walk->queue);
	if (ret_skipped)
		*ret_skipped = walk->w.skipped;
	if (r < 0)
		return r;
	return walk->next == walk->queue.n;
}

void hctx_watch_walk_free(struct hctx_watch_walk *walk)
{
	if (!walk)
		return;
	dir_list_clear(&walk->queue);
	free(walk);
}

/* ---- the record's writes ------------------------------------------- */

void hctx_writes_clear(struct hctx_writes *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->items[i].path);
		free(w->items[i].comm);
	}
	free(w->items);
	*w = (struct hctx_writes){ 0 };
}

HCTX_EXPORT int hostctx_sidecar_set_writes_source(struct hostctx_sidecar *sc,
						  const char *source)
{
	static const char *const sources[] = { "fanotify", "inotify" };

	if (!source) {
		hctx_writes_clear(&sc->writes);
		return 0;
	}
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		if (strcmp(source, sources[i]) == 0) {
			sc->writes.source = sources[i];	/* ours: no copy to own */
			return 0;
		}
	}
	return -EINVAL;
}

HCTX_EXPORT const char *hostctx_sidecar_writes_source(const struct hostctx_sidecar *sc)
{
	return sc->writes.source;
}

static int grow_writes(struct hctx_writes *w)
{
	size_t cap;
	struct hctx_write *items;

	if (w->n < w->cap)
		return 0;
	cap = w->cap ? w->cap * 2 : 16;
	if (cap > HOSTCTX_WRITES_LISTED_MAX)
		cap = HOSTCTX_WRITES_LISTED_MAX;
	items = realloc(w->items, cap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	w->items = items;
	w->cap = cap;
	return 0;
}

HCTX_EXPORT int hostctx_sidecar_add_write(struct hostctx_sidecar *sc, const char *path,
					  long pid, const char *comm, int by_command,
					  double seconds)
{
	struct hctx_writes *w = &sc->writes;
	struct hctx_write e = { .pid = pid > 0 ? pid : 0,
				.by_command = by_command < 0 ? -1 : by_command > 0,
				.seconds = seconds };
	int r;

	if (!path || path[0] != '/' || !(seconds >= 0))
		return -EINVAL;
	if (w->n >= HOSTCTX_WRITES_LISTED_MAX) {
		w->omitted++;
		return 0;
	}
	r = grow_writes(w);
	if (r < 0)
		return r;
	e.path = strdup(path);
	e.comm = comm ? strdup(comm) : NULL;
	if (!e.path || (comm && !e.comm)) {
		free(e.path);
		free(e.comm);
		return -ENOMEM;
	}
	w->items[w->n++] = e;
	return 0;
}

HCTX_EXPORT size_t hostctx_sidecar_write_count(const struct hostctx_sidecar *sc)
{
	return sc->writes.n;
}

static const struct hctx_write *write_at(const struct hostctx_sidecar *sc, size_t i)
{
	return i < sc->writes.n ? &sc->writes.items[i] : NULL;
}

HCTX_EXPORT const char *hostctx_sidecar_write_path(const struct hostctx_sidecar *sc, size_t i)
{
	return write_at(sc, i) ? write_at(sc, i)->path : NULL;
}

HCTX_EXPORT long hostctx_sidecar_write_pid(const struct hostctx_sidecar *sc, size_t i)
{
	return write_at(sc, i) ? write_at(sc, i)->pid : 0;
}

HCTX_EXPORT const char *hostctx_sidecar_write_comm(const struct hostctx_sidecar *sc, size_t i)
{
	return write_at(sc, i) ? write_at(sc, i)->comm : NULL;
}

HCTX_EXPORT int hostctx_sidecar_write_by_command(const struct hostctx_sidecar *sc, size_t i)
{
	return write_at(sc, i) ? write_at(sc, i)->by_command : -1;
}

HCTX_EXPORT double hostctx_sidecar_write_seconds(const struct hostctx_sidecar *sc, size_t i)
{
	return write_at(sc, i) ? write_at(sc, i)->seconds : -1;
}

HCTX_EXPORT unsigned long long hostctx_sidecar_writes_omitted(const struct hostctx_sidecar *sc)
{
	return sc->writes.omitted;
}

HCTX_EXPORT void hostctx_sidecar_set_writes_overflowed(struct hostctx_sidecar *sc,
						       bool overflowed)
{
	sc->writes.overflowed = overflowed;
}

HCTX_EXPORT bool hostctx_sidecar_writes_overflowed(const struct hostctx_sidecar *sc)
{
	return sc->writes.overflowed;
}

HCTX_EXPORT void hostctx_sidecar_set_writes_all_watched_at(struct hostctx_sidecar *sc,
							  double seconds)
{
	sc->writes.late_watch = seconds >= 0 && isfinite(seconds);
	sc->writes.all_watched_at = sc->writes.late_watch ? seconds : 0;
}

HCTX_EXPORT bool hostctx_sidecar_writes_all_watched_at(const struct hostctx_sidecar *sc,
						       double *ret_seconds)
{
	if (!sc->writes.late_watch)
		return false;
	*ret_seconds = sc->writes.all_watched_at;
	return true;
}

HCTX_EXPORT void hostctx_sidecar_set_writes_sources_only(struct hostctx_sidecar *sc,
							 bool sources_only)
{
	sc->writes.sources_only = sources_only;
}

HCTX_EXPORT bool hostctx_sidecar_writes_sources_only(const struct hostctx_sidecar *sc)
{
	return sc->writes.sources_only;
}

HCTX_EXPORT void hostctx_sidecar_set_writes_unwatched(struct hostctx_sidecar *sc,
						      unsigned long long n)
{
	sc->writes.unwatched = n;
}

HCTX_EXPORT unsigned long long
hostctx_sidecar_writes_unwatched(const struct hostctx_sidecar *sc)
{
	return sc->writes.unwatched;
}

static bool same_writer(const struct hctx_write *a, const struct hctx_write *b)
{
	return a->pid == b->pid && a->by_command == b->by_command &&
	       (a->comm && b->comm ? strcmp(a->comm, b->comm) == 0 : a->comm == b->comm);
}

size_t hctx_writers_of(const struct hctx_writes *w, const char *field, hctx_writer_fn fn,
		       void *userdata)
{
	const struct hctx_write *firsts[HCTX_WRITTEN_BY_MAX];
	size_t counts[HCTX_WRITTEN_BY_MAX], n = 0;

	for (size_t i = 0; i < w->n; i++) {
		const struct hctx_write *e = &w->items[i];
		size_t k;

		if (!hostctx_write_touches(e->path, field))
			continue;
		for (k = 0; k < n && !same_writer(firsts[k], e); k++)
			;
		if (k < n) {
			counts[k]++;
		} else if (n < HCTX_WRITTEN_BY_MAX) {
			firsts[n] = e;
			counts[n++] = 1;
		}
	}
	for (size_t k = 0; fn && k < n; k++)
		fn(userdata, firsts[k], counts[k]);
	return n;
}

/* ---- events to entries ---------------------------------------------- */

struct hctx_pending_write {
	char *rel;
	long pid;
	char *comm;
	int by_command;
	double seconds;
};

static void pending_free(struct hctx_pending_write *p)
{
	free(p->rel);
	free(p->comm);
	*p = (struct hctx_pending_write){ 0 };
}

/* The entry of a write: path "/" + rel. */
static int add_entry(struct hostctx_sidecar *sc, const char *rel, long pid, const char *comm,
		     int by_command, double seconds)
{
	char path[HCTX_PATH_MAX * 4];
	int n = snprintf(path, sizeof(path), "/%s", rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;	/* no such path in procfs or sysfs: not listed */
	return hostctx_sidecar_add_write(sc, path, pid, comm, by_command, seconds);
}

static int list_pending(struct hctx_write_log *log, struct hostctx_sidecar *sc, size_t i)
{
	struct hctx_pending_write *p = &log->pending[i];
	int r = add_entry(sc, p->rel, p->pid, p->comm, p->by_command, p->seconds);

	pending_free(p);
	memmove(p, p + 1, (log->n - i - 1) * sizeof(*p));
	log->n--;
	log->pending[log->n] = (struct hctx_pending_write){ 0 };
	return r;
}

static int add_pending(struct hctx_write_log *log, struct hostctx_sidecar *sc,
		       const struct hctx_write_event *ev)
{
	struct hctx_pending_write *p;
	int r;

	if (!log->pending) {
		log->pending = calloc(HCTX_WRITE_LOG_PENDING, sizeof(*log->pending));
		if (!log->pending)
			return -ENOMEM;
	}
	if (log->n == HCTX_WRITE_LOG_PENDING) {
		r = list_pending(log, sc, 0);
		if (r < 0)
			return r;
	}
	p = &log->pending[log->n];
	p->rel = strdup(ev->rel);
	p->comm = ev->comm ? strdup(ev->comm) : NULL;
	if (!p->rel || (ev->comm && !p->comm)) {
		pending_free(p);
		return -ENOMEM;
	}
	p->pid = ev->pid;
	p->by_command = ev->by_command;
	p->seconds = ev->seconds;
	log->n++;
	return 0;
}

static long find_pending(const struct hctx_write_log *log, const struct hctx_write_event *ev)
{
	long pid = ev->pid > 0 ? ev->pid : 0;

	for (size_t i = 0; i < log->n; i++)
		if (log->pending[i].pid == pid && strcmp(log->pending[i].rel, ev->rel) == 0)
			return (long)i;
	return -1;
}

int hctx_write_log_event(struct hctx_write_log *log, struct hostctx_sidecar *sc,
			 const struct hctx_write_event *ev)
{
	long at;

	if (!ev->rel || (!ev->modified && !ev->closed))
		return 0;
	at = find_pending(log, ev);
	if (at >= 0)	/* the close of a write seen before, or one more write */
		return ev->closed ? list_pending(log, sc, (size_t)at) : 0;
	if (ev->closed)
		return add_entry(sc, ev->rel, ev->pid, ev->comm, ev->by_command, ev->seconds);
	return add_pending(log, sc, ev);
}

/*
 * In time order: a write listed at its close may have begun before one
 * listed earlier.  Insertion sort, stable: the list is short (capped)
 * and nearly sorted.
 */
static void sort_by_time(struct hctx_writes *w)
{
	for (size_t i = 1; i < w->n; i++) {
		struct hctx_write e = w->items[i];
		size_t k = i;

		for (; k > 0 && w->items[k - 1].seconds > e.seconds; k--)
			w->items[k] = w->items[k - 1];
		w->items[k] = e;
	}
}

int hctx_write_log_finish(struct hctx_write_log *log, struct hostctx_sidecar *sc)
{
	int r = 0;

	while (log->n > 0) {
		int k = list_pending(log, sc, 0);

		if (k < 0 && r == 0)
			r = k;
	}
	sort_by_time(&sc->writes);
	return r;
}

void hctx_write_log_clear(struct hctx_write_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		pending_free(&log->pending[i]);
	free(log->pending);
	*log = (struct hctx_write_log){ 0 };
}

/* ---- /proc/PID/stat ------------------------------------------------- */

int hctx_parse_stat_comm_ppid(const char *text, size_t len, char *comm, size_t comm_size,
			      long *ret_ppid)
{
	const char *end = text + len, *open = memchr(text, '(', len), *close = NULL;
	const char *p, *word;
	uint64_t ppid;
	size_t n;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			close = q;
	if (!open || !close || close < open || comm_size == 0 || end - close < 4 ||
	    close[1] != ' ' || close[3] != ' ')
		return -EINVAL;
	/* ") S PPID ": the state letter, then field 4 */
	word = p = close + 4;
	while (p < end && *p != ' ' && *p != '\n')
		p++;
	if (hctx_parse_u64(word, (size_t)(p - word), &ppid) < 0 || ppid > INT32_MAX)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= comm_size)
		n = comm_size - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	*ret_ppid = (long)ppid;
	return 0;
}

/* ---- for humans ------------------------------------------------------ */

static void human_writer(struct hctx_human *h, const struct hctx_write *e)
{
	if (e->pid <= 0) {
		hctx_human_text(h, "writer unknown");
		return;
	}
	hctx_human_printf(h, "pid %ld", e->pid);
	if (e->comm) {
		hctx_human_text(h, " (");
		hctx_human_value(h, e->comm);
		hctx_human_text(h, ")");
	}
	hctx_human_text(h, e->by_command > 0 ? ", the command's" :
			   e->by_command == 0 ? ", not the command's" :
			   ", gone before it was looked up");
}

/* Whether a source's field is in s: a per-CPU one by its name alone. */
static bool field_in(const struct hostctx_snapshot *s, const char *field)
{
	char base[HCTX_PATH_MAX];
	const char *key = strstr(field, ".cpu");

	if (!s)
		return false;
	if (hostctx_snapshot_type(s, field) != HOSTCTX_TYPE_ABSENT)
		return true;
	if (!key || (size_t)(key - field) >= sizeof(base))
		return false;
	memcpy(base, field, (size_t)(key - field));
	base[key - field] = '\0';
	return hostctx_snapshot_type(s, base) != HOSTCTX_TYPE_ABSENT;
}

/*
 * "[field: changed]", "[field: no net change]" for a field the record
 * holds; nothing for other files (a sysctl outside the allowlist).
 */
static void human_field(struct hctx_human *h, const struct hostctx_sidecar *sc,
			const struct hctx_write *e, const struct hostctx_changes *changes)
{
	char field[HCTX_PATH_MAX];
	bool changed = false;

	if (hostctx_write_source_field(e->path, field, sizeof(field)) < 0 ||
	    !(field_in(sc->pre, field) || field_in(sc->post, field)))
		return;
	for (size_t i = 0; changes && i < changes->n && !changed; i++)
		changed = hostctx_write_touches(e->path, changes->items[i].field);
	hctx_human_text(h, "  [");
	hctx_human_value(h, field);
	hctx_human_text(h, changes ? (changed ? ": changed]" : ": no net change]") : "]");
}

static void human_writes(struct hctx_human *h, const struct hostctx_sidecar *sc,
			 const struct hostctx_changes *changes)
{
	const struct hctx_writes *w = &sc->writes;
	unsigned long long total = w->n + w->omitted;

	hctx_human_printf(h, "writes during the run (%s%s): %llu\n", w->source,
			  strcmp(w->source, "inotify") == 0 ? ", no writer pids" : "", total);
	for (size_t i = 0; i < w->n; i++) {
		hctx_human_printf(h, "  +%.3f s  ", w->items[i].seconds);
		hctx_human_value(h, w->items[i].path);
		hctx_human_text(h, "  ");
		human_writer(h, &w->items[i]);
		human_field(h, sc, &w->items[i], changes);
		hctx_human_text(h, "\n");
	}
	if (w->omitted)
		hctx_human_printf(h, "  ... and %llu more, counted but not listed\n", w->omitted);
	if (w->overflowed)
		hctx_human_text(h, "  the kernel's event queue overflowed: some writes were lost\n");
	if (w->unwatched)
		hctx_human_printf(h, "  %llu directories could not be watched\n", w->unwatched);
	if (w->sources_only)
		hctx_human_text(h, "  only /proc/sys, /proc/sys/kernel, /proc/sys/vm and the /sys sources "
				"were watched: the command ended before the rest was\n");
	if (w->late_watch)
		hctx_human_printf(h, "  all of /proc/sys watched from +%.3f s (before: /proc/sys/kernel, "
				  "/proc/sys/vm and the /sys sources)\n", w->all_watched_at);
}

HCTX_EXPORT int hostctx_sidecar_format_writes_human(const struct hostctx_sidecar *sc,
						    char **ret_text)
{
	struct hostctx_changes *changes = NULL;
	struct hctx_out o;
	int r;

	if (!sc->writes.source)
		return (*ret_text = strdup("")) ? 0 : -ENOMEM;
	if (sc->pre && sc->post) {
		r = hostctx_diff(sc->pre, sc->post, &changes);
		if (r < 0)
			return r;
	}
	r = hctx_out_open(&o);
	if (r == 0) {
		human_writes(&o.h, sc, changes);
		r = hctx_out_finish(&o, ret_text);
	}
	hostctx_changes_free(changes);
	return r;
}
