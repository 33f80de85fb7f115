/* SPDX-License-Identifier: MIT */
/*
 * The process fields (docs/json-format.md, "Process and cgroup"): what
 * the recorded process inherits or set for itself — CPU affinity, the
 * memory nodes allowed, nice, the scheduling policy, ASLR.  Live only
 * (the row's plan): under a captured root they are omitted.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_EXT
#define SCHED_EXT 7
#endif

/* sched_getaffinity with a mask grown while the kernel's is bigger. */
static int affinity(struct hctx_cpuset *ret)
{
	for (int n = 1024; n <= (1 << 22); n *= 2) {
		cpu_set_t *set = CPU_ALLOC((size_t)n);
		size_t size = CPU_ALLOC_SIZE((size_t)n);
		int r = 0;

		if (!set)
			return -ENOMEM;
		if (sched_getaffinity(0, size, set) < 0) {
			r = -errno;
			CPU_FREE(set);
			if (r == -EINVAL)
				continue;
			return r;
		}
		for (int c = 0; c < n && r == 0; c++)
			if (CPU_ISSET_S((size_t)c, size, set))
				r = hctx_cpuset_add(ret, (unsigned)c);
		CPU_FREE(set);
		return r;
	}
	return -EOVERFLOW;
}

static struct hctx_value *affinity_value(void)
{
	struct hctx_cpuset set = { 0 };
	struct hctx_value *v = NULL;
	char *list = NULL;

	if (affinity(&set) == 0 && hctx_cpulist_format(&set, &list) == 0)
		v = hctx_value_string(list);
	free(list);
	hctx_cpuset_clear(&set);
	return v;
}

static const char *policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: return "other";
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_BATCH: return "batch";
	case SCHED_IDLE: return "idle";
	case SCHED_DEADLINE: return "deadline";
	case SCHED_EXT: return "ext";
	default: return NULL;
	}
}

/* Mems_allowed_list of proc/self/status, canonical. */
static struct hctx_value *mems_allowed(struct hctx_reader *rd)
{
	ssize_t n = hctx_read_file(rd->root, "proc/self/status", rd->buf, HCTX_READ_CAP);
	struct hctx_value *v = NULL;
	char *list = NULL;

	if (n < 0 || hctx_status_value(rd->buf, (size_t)n, "Mems_allowed_list", &list) < 0)
		return NULL;
	{
		char *canonical = NULL;

		if (hctx_parse_cpulist_text(list, strlen(list), false, &canonical) == 0)
			v = hctx_value_string(canonical);
		free(canonical);
	}
	free(list);
	return v;
}

/* getrlimit's resource of a member name of process.rlimits; -1 if none. */
static int rlimit_resource(const char *name)
{
	static const struct { const char *name; int resource; } resources[] = {
		{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
		{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
		{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
		{ "nice", RLIMIT_NICE }, { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
		{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
	};

	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strcmp(resources[i].name, name) == 0)
			return resources[i].resource;
	return -1;
}

/* RLIM_INFINITY is the all-ones value: kept as UINT64_MAX ("unlimited"). */
static uint64_t limit_value(rlim_t v)
{
	return v == RLIM_INFINITY ? UINT64_MAX : (uint64_t)v;
}

/* process.rlimits: each resource's soft and hard limit, the spec's members in order. */
static struct hctx_value *rlimits_value(const struct hctx_spec *spec)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(spec->n_members);

	if (!rec)
		return NULL;
	size_t n = 0;

	for (size_t i = 0; i < spec->n_members; i++) {
		int resource = rlimit_resource(spec->members[i].name);
		struct hctx_value *pair;
		struct rlimit rl;

		if (resource < 0 || getrlimit(resource, &rl) < 0)
			continue;
		pair = hctx_value_record(2);
		if (!pair)
			return NULL;
		pair->rec.slot[0] = hctx_value_u64(limit_value(rl.rlim_cur));
		pair->rec.slot[1] = hctx_value_u64(limit_value(rl.rlim_max));
		rec->rec.slot[i] = pair;
		n++;
	}
	return n ? TAKE_PTR(rec) : NULL;	/* none readable: absent, never {} */
}

int hctx_read_process(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(f->spec->n_members);
	const char *policy = policy_name(sched_getscheduler(0));
	int persona = personality(0xffffffff);
	int nice;

	if (!rec)
		return -ENOMEM;
	rec->rec.slot[0] = affinity_value();
	rec->rec.slot[1] = mems_allowed(rd);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (nice != -1 || errno == 0)
		rec->rec.slot[2] = hctx_value_s64(nice);
	if (policy)
		rec->rec.slot[3] = hctx_value_string(policy);
	if (persona != -1)
		rec->rec.slot[4] = hctx_value_bool((persona & ADDR_NO_RANDOMIZE) != 0);
	rec->rec.slot[5] = rlimits_value(f->spec->members[5].spec);
	rd->path = NULL;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* ---- cgroup ------------------------------------------------------------ */

struct cgroup_loc {
	char *path;		/* from proc/self/cgroup: never recorded */
	char *dir, *mount;	/* root-relative, no leading '/' */
	bool has_v1;
};

static void loc_clear(struct cgroup_loc *l)
{
	free(l->path);
	free(l->dir);
	free(l->mount);
}

static char *relative(char *abs)
{
	size_t skip = strspn(abs, "/");

	memmove(abs, abs + skip, strlen(abs + skip) + 1);
	return abs;
}

/*
 * proc/self/cgroup and proc/self/mountinfo, read once a snapshot for
 * every hierarchy looked up (mountinfo is the dearest read here, and
 * can outgrow the scratch buffer on hosts with many mounts).
 */
#define MOUNTINFO_CAP (4u << 20)

struct cgroup_sources {
	int err[2];
	char *text[2];
	size_t len[2];
};

static void sources_free(void *p)
{
	struct cgroup_sources *m = p;

	free(m->text[0]);
	free(m->text[1]);
	free(m);
}

static const struct cgroup_sources *cgroup_sources(struct hctx_reader *rd)
{
	static const char *const paths[2] = { "proc/self/cgroup", "proc/self/mountinfo" };
	struct cgroup_sources *m = rd->memo[HCTX_MEMO_PROCESS];

	if (m)
		return m;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	for (size_t i = 0; i < 2; i++)
		m->err[i] = hctx_read_alloc(rd->root, paths[i], MOUNTINFO_CAP, &m->text[i],
					    &m->len[i]);
	rd->memo[HCTX_MEMO_PROCESS] = m;
	rd->memo_free[HCTX_MEMO_PROCESS] = sources_free;
	return m;
}

/* The hierarchy of ctrl ("" = v2) for this process: 0 or -errno. */
static int locate(struct hctx_reader *rd, const char *ctrl, struct cgroup_loc *l)
{
	const struct cgroup_sources *m = cgroup_sources(rd);
	int r;

	*l = (struct cgroup_loc){ 0 };
	if (!m)
		return -ENOMEM;
	if (m->err[0] < 0)
		return m->err[0];
	r = hctx_cgroup_path(m->text[0], m->len[0], ctrl, &l->path, &l->has_v1);
	if (r < 0)
		return r;
	if (m->err[1] < 0)
		return m->err[1];
	r = hctx_cgroup_dir(m->text[1], m->len[1], *ctrl ? "cgroup" : "cgroup2", ctrl, l->path,
			    &l->dir, &l->mount);
	if (r == 0) {
		relative(l->dir);
		relative(l->mount);
	}
	return r;
}

static char *read_in(struct hctx_reader *rd, const char *dir, const char *name)
{
	char *text = NULL;

	snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/%s", dir, name);
	return hctx_read_trimmed(rd->root, rd->pathbuf, &text) == 0 ? text : NULL;
}

/* The tightest limit from dir up to the mount point (docs: *_effective). */
static char *tightest(struct hctx_reader *rd, const struct cgroup_loc *l, const char *name,
		      bool cpu)
{
	char *dir = strdup(l->dir), *best = NULL;
	double best_v = -1;

	while (dir) {
		char *text = read_in(rd, dir, name), *slash;
		double v = -1;
		bool limits = false;

		if (text) {
			if (cpu)
				limits = hctx_cpu_max_share(text, &v) == 0 && v >= 0;
			else if (strcmp(text, "max") != 0)
				limits = (v = strtod(text, NULL)) >= 0;
		}
		if (limits && (best_v < 0 || v < best_v)) {
			free(best);
			best = TAKE_PTR(text);
			best_v = v;
		}
		free(text);
		if (strlen(dir) <= strlen(l->mount))
			break;
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(dir);
	return best ? best : strdup("max");
}

/* v1: cpu quota and period as cpu.max, memory's limit, cpuset's CPUs. */
static char *v1_value(struct hctx_reader *rd, const char *member)
{
	struct cgroup_loc l;
	char *out = NULL;

	if (strcmp(member, "cpu_max") == 0 && locate(rd, "cpu", &l) == 0) {
		_cleanup_free_ char *q = read_in(rd, l.dir, "cpu.cfs_quota_us");
		_cleanup_free_ char *p = read_in(rd, l.dir, "cpu.cfs_period_us");

		if (q && p && asprintf(&out, "%s %s", strcmp(q, "-1") == 0 ? "max" : q, p) < 0)
			out = NULL;
	} else if (strcmp(member, "memory_max") == 0 && locate(rd, "memory", &l) == 0) {
		char *v = read_in(rd, l.dir, "memory.limit_in_bytes");

		/* "unlimited" is the largest page-aligned long: above 2^62 */
		if (v && strtoull(v, NULL, 10) > (UINT64_C(1) << 62)) {
			free(v);
			v = strdup("max");
		}
		out = v;
	} else if (strcmp(member, "cpuset_cpus_effective") == 0 && locate(rd, "cpuset", &l) == 0) {
		out = read_in(rd, l.dir, "cpuset.effective_cpus");
	} else {
		return NULL;
	}
	loc_clear(&l);
	return out;
}

static const char *const cgroup_files[] = {
	NULL, NULL, "cpu.max", "cpu.weight", "memory.max", "memory.high", "memory.swap.max",
	"pids.max", "cpuset.cpus.effective", "cpuset.mems.effective",
};

int hctx_read_cgroup(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret)
{
	const struct hctx_spec *spec = f->spec;
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(spec->n_members);
	struct cgroup_loc l;
	int r;

	if (!rec)
		return -ENOMEM;
	r = locate(rd, "", &l);
	rd->path = "proc/self/cgroup";
	if (r == -ENOMEM)
		return r;
	if (r == 0 || l.path) {
		rec->rec.slot[0] = hctx_value_string(!l.path ? "v1" : l.has_v1 ? "hybrid" : "v2");
	} else {
		/* no 0:: line: v1 only, if there is a cgroup file at all */
		loc_clear(&l);
		if (cgroup_sources(rd)->err[0] < 0)
			return -ENOENT;
		rec->rec.slot[0] = hctx_value_string("v1");
	}
	if (r == 0) {
		int fd = hctx_open(rd->root, l.dir, true);
		struct stat st;

		if (fd >= 0 && fstat(fd, &st) == 0)
			rec->rec.slot[1] = hctx_value_u64((uint64_t)st.st_ino);
		if (fd >= 0)
			close(fd);
		for (size_t i = 2; i < 10; i++) {
			char *text = read_in(rd, l.dir, cgroup_files[i]);

			if (text && i >= 8) {
				char *canonical = NULL;

				if (hctx_parse_cpulist_text(text, strlen(text), false, &canonical) == 0) {
					free(text);
					text = canonical;
				}
			}
			if (text)
				rec->rec.slot[i] = hctx_value_string(text);
			free(text);
		}
		{
			char *mem = tightest(rd, &l, "memory.max", false);
			char *cpu = tightest(rd, &l, "cpu.max", true);

			if (mem && rec->rec.slot[4])
				rec->rec.slot[10] = hctx_value_string(mem);
			if (cpu && rec->rec.slot[2])
				rec->rec.slot[11] = hctx_value_string(cpu);
			free(mem);
			free(cpu);
		}
	}
	loc_clear(&l);
	/* the v1 fallback for what the v2 directory does not say */
	for (size_t i = 2; i < 10; i++) {
		char *text;

		if (rec->rec.slot[i])
			continue;
		text = v1_value(rd, spec->members[i].name);
		if (text)
			rec->rec.slot[i] = hctx_value_string(text);
		free(text);
	}
	*ret = TAKE_PTR(rec);
	return 0;
}

/* cgroup_cpu_stat: cpu.stat of the own v2 cgroup. */
int hctx_read_cgroup_cpu_stat(struct hctx_reader *rd, const struct hctx_field *f,
			      struct hctx_value **ret)
{
	static const char *const keys[] = {
		"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled",
		"throttled_usec", "nr_bursts", "burst_usec",
	};
	_cleanup_value_ struct hctx_value *map = NULL;
	uint64_t values[8];
	bool found[8];
	struct cgroup_loc l;
	ssize_t n;
	int r = locate(rd, "", &l);

	if (r < 0) {
		loc_clear(&l);
		return r;
	}
	snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/cpu.stat", l.dir);
	loc_clear(&l);
	rd->path = "cgroup/cpu.stat";
	n = hctx_read_file(rd->root, rd->pathbuf, rd->buf, HCTX_READ_CAP);
	if (n < 0)
		return (int)n;
	hctx_parse_vmstat(rd->buf, (size_t)n, keys, 8, values, found);
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < 8; i++)
		if (found[i] && hctx_map_append(map, keys[i], hctx_value_u64(values[i])) < 0)
			return -ENOMEM;
	if (map->map.n == 0)
		return -ENODATA;
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}
