/* SPDX-License-Identifier: MIT */
/*
 * Readers of the counter fields (docs/json-format.md, "Counters"):
 * proc/stat once per snapshot for all its rows (its own 4 MiB cap: on
 * big hosts it holds a line per CPU and an intr line per IRQ),
 * proc/vmstat's allowlist in one pass, the proc/pressure files, the thermal
 * throttle counters of the online CPUs, the clock tick (live).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAT_CAP (4u << 20)
#define CPU_DIR "sys/devices/system/cpu"

struct stat_memo {
	int err;
	char *text;
	size_t len;
};

static void stat_memo_free(void *p)
{
	struct stat_memo *m = p;

	free(m->text);
	free(m);
}

/*
 * Into the scratch buffer, then a copy its size: a small host's 1 KiB
 * costs no 16 KiB allocation (and its free) every snapshot; a big
 * host's larger text is read on to STAT_CAP.
 */
static int read_stat_text(struct hctx_reader *rd, struct stat_memo *m)
{
	ssize_t n = hctx_read_file(rd->root, "proc/stat", rd->buf, HCTX_READ_CAP);

	if (n == -EFBIG)
		return hctx_read_alloc(rd->root, "proc/stat", STAT_CAP, &m->text, &m->len);
	if (n < 0)
		return (int)n;
	m->text = malloc((size_t)n + 1);
	if (!m->text)
		return -ENOMEM;
	memcpy(m->text, rd->buf, (size_t)n + 1);
	m->len = (size_t)n;
	return 0;
}

static const struct stat_memo *proc_stat(struct hctx_reader *rd)
{
	struct stat_memo *m = rd->memo[HCTX_MEMO_COUNTERS];

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m)
			return NULL;
		m->err = read_stat_text(rd, m);
		rd->memo[HCTX_MEMO_COUNTERS] = m;
		rd->memo_free[HCTX_MEMO_COUNTERS] = stat_memo_free;
	}
	rd->path = "proc/stat";
	return m;
}

/* cpu_time_ticks: the aggregate line's columns, as many as it has. */
int hctx_read_cpu_ticks(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	const struct stat_memo *m = proc_stat(rd);
	_cleanup_value_ struct hctx_value *rec = NULL;
	uint64_t cols[16];
	size_t n = 0;
	int r;

	if (!m)
		return -ENOMEM;
	if (m->err < 0)
		return m->err;
	r = hctx_parse_stat_cpu(m->text, m->len, cols, f->spec->n_members, &n);
	if (r < 0)
		return r;
	rec = hctx_value_record(f->spec->n_members);
	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(rec->rec.slot[i] = hctx_value_u64(cols[i])))
			return -ENOMEM;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* f->arg: the proc/stat line whose first number this row is. */
int hctx_read_stat_counter(struct hctx_reader *rd, const struct hctx_field *f,
			   struct hctx_value **ret)
{
	const struct stat_memo *m = proc_stat(rd);
	uint64_t v;
	int r;

	if (!m)
		return -ENOMEM;
	if (m->err < 0)
		return m->err;
	r = hctx_parse_stat_counter(m->text, m->len, f->arg, &v);
	if (r < 0)
		return r;
	*ret = hctx_value_u64(v);
	return *ret ? 0 : -ENOMEM;
}

/* user_hz: the tick proc/stat counts in (live only: the row's plan). */
int hctx_read_user_hz(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	long hz = sysconf(_SC_CLK_TCK);

	(void)f;
	rd->path = NULL;
	if (hz <= 0)
		return -ENOSYS;
	*ret = hctx_value_u64((uint64_t)hz);
	return *ret ? 0 : -ENOMEM;
}

/* ---- vmstat ---------------------------------------------------------- */

/* In key order, so that the map arrives sorted (hctx_map_finish). */
static const char *const vmstat_names[] = {
	"allocstall", "allocstall_movable", "allocstall_normal", "compact_fail",
	"compact_stall", "compact_success", "drop_pagecache", "drop_slab",
	"numa_hint_faults", "numa_hint_faults_local", "numa_pages_migrated",
	"oom_kill", "pgfault", "pgmajfault", "pgmigrate_success", "pgscan_direct",
	"pgscan_kswapd", "pgsteal_direct", "pgsteal_kswapd", "pswpin", "pswpout",
	"thp_collapse_alloc", "thp_fault_alloc", "thp_fault_fallback",
	"thp_split_page", "workingset_refault", "workingset_refault_anon",
	"workingset_refault_file",
};
#define N_VMSTAT (sizeof(vmstat_names) / sizeof(vmstat_names[0]))

int hctx_read_vmstat(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = NULL;
	uint64_t values[N_VMSTAT];
	bool found[N_VMSTAT];
	ssize_t n = hctx_read_file(rd->root, f->arg, rd->buf, HCTX_READ_CAP);

	if (n < 0)
		return (int)n;
	hctx_parse_vmstat(rd->buf, (size_t)n, vmstat_names, N_VMSTAT, values, found);
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < N_VMSTAT; i++)
		if (found[i] && hctx_map_append(map, vmstat_names[i], hctx_value_u64(values[i])) < 0)
			return -ENOMEM;
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- pressure -------------------------------------------------------- */

static const char *const psi_resources[] = { "cpu", "memory", "io", "irq" };

/* One resource's record: some_* then full_* (members in that order). */
static int pressure_record(const struct hctx_pressure *p, bool skip_full,
			   struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(8);
	bool any = false;

	if (!rec)
		return -ENOMEM;
	for (size_t k = 0; k < 2; k++) {
		const struct hctx_pressure_line *l = &p->line[k];

		if (!l->present || (k == 1 && skip_full))
			continue;
		for (size_t a = 0; a < 3; a++)
			if (!(rec->rec.slot[4 * k + a] = hctx_value_double(l->avg[a])))
				return -ENOMEM;
		if (!(rec->rec.slot[4 * k + 3] = hctx_value_u64(l->total_us)))
			return -ENOMEM;
		any = true;
	}
	if (!any)
		return -ENODATA;
	*ret = TAKE_PTR(rec);
	return 0;
}

int hctx_read_pressure(struct hctx_reader *rd, const struct hctx_field *f,
		       struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(4);
	bool any = false;

	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < 4; i++) {
		struct hctx_pressure p;
		ssize_t n;
		int r;

		snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/%s", f->arg, psi_resources[i]);
		n = hctx_read_file(rd->root, rd->pathbuf, rd->buf, HCTX_READ_CAP);
		if (n == -ENOMEM)
			return -ENOMEM;
		if (n < 0 || hctx_parse_pressure(rd->buf, (size_t)n, &p) < 0)
			continue;	/* no PSI, PSI off, EOPNOTSUPP, junk */
		/* cpu's full line is undefined system-wide (always 0 since 5.13) */
		r = pressure_record(&p, i == 0, &rec->rec.slot[i]);
		if (r == -ENOMEM)
			return r;
		any |= r == 0;
	}
	rd->path = f->arg;
	if (!any)
		return -ENOENT;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* ---- thermal throttling ---------------------------------------------- */

struct throttle_sums {
	uint64_t v[4];		/* core_count, core_time_ms, package_count, package_time_ms */
	bool have[4];
};

/* The decimal in file name of directory dirfd. */
static int read_u64_in(struct hctx_reader *rd, int dirfd, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	struct hctx_value *v = NULL;
	int r = hctx_read_trimmed_at(rd->root, dirfd, name, &text);

	if (r < 0)
		return r;
	r = hctx_value_from_text(&hctx_spec_u64, text, &v);
	if (r < 0)
		return r;
	*ret = v->u;
	hctx_value_free(v);
	return 0;
}

static void add_sum(struct throttle_sums *s, size_t i, uint64_t v)
{
	s->v[i] += v;
	s->have[i] = true;
}

/* The package's CPUs (topology), marked visited so it counts once. */
static int mark_package(struct hctx_reader *rd, long cpu, struct hctx_cpuset *visited)
{
	static const char *const lists[] = { "package_cpus_list", "core_siblings_list" };
	struct hctx_cpuset pkg = { 0 };
	int r = -ENOENT;

	for (size_t i = 0; i < 2 && r < 0; i++) {
		ssize_t n;

		snprintf(rd->pathbuf, sizeof(rd->pathbuf), CPU_DIR "/cpu%ld/topology/%s", cpu,
			 lists[i]);
		n = hctx_read_file(rd->root, rd->pathbuf, rd->buf, HCTX_READ_CAP);
		r = n < 0 ? (int)n : hctx_parse_cpulist(rd->buf, (size_t)n, &pkg);
	}
	if (r == 0) {
		for (long c = hctx_cpuset_next(&pkg, 0); c >= 0 && r == 0;
		     c = hctx_cpuset_next(&pkg, (unsigned)c + 1))
			r = hctx_cpuset_add(visited, (unsigned)c);
	}
	hctx_cpuset_clear(&pkg);
	return r == -ENOMEM ? r : hctx_cpuset_add(visited, (unsigned)cpu);
}

/*
 * One CPU's thermal_throttle directory, opened once: a CPU without one
 * (VMs, most non-Intel machines) costs one failed open, not seven.
 */
static int throttle_cpu(struct hctx_reader *rd, long cpu, struct throttle_sums *s,
			struct hctx_value *by_cpu, struct hctx_cpuset *visited)
{
	static const char *const files[4] = {
		"core_throttle_count", "core_throttle_total_time_ms",
		"package_throttle_count", "package_throttle_total_time_ms",
	};
	_cleanup_close_ int dirfd = -1;
	uint64_t v;
	int r;

	snprintf(rd->pathbuf, sizeof(rd->pathbuf), CPU_DIR "/cpu%ld/thermal_throttle", cpu);
	dirfd = hctx_open(rd->root, rd->pathbuf, true);
	if (dirfd < 0)
		return dirfd == -ENOMEM ? dirfd : 0;
	for (size_t i = 0; i < 2; i++) {
		if (read_u64_in(rd, dirfd, files[i], &v) != 0)
			continue;
		add_sum(s, i, v);
		if (i == 0 && v > 0) {
			char key[24];

			snprintf(key, sizeof(key), "%ld", cpu);
			if (hctx_map_append(by_cpu, key, hctx_value_u64(v)) < 0)
				return -ENOMEM;
		}
	}
	if (hctx_cpuset_has(visited, (unsigned)cpu))
		return 0;	/* its package is counted */
	for (size_t i = 2; i < 4; i++)
		if (read_u64_in(rd, dirfd, files[i], &v) == 0)
			add_sum(s, i, v);
	r = mark_package(rd, cpu, visited);
	return r == -ENOMEM ? r : 0;
}

int hctx_read_thermal_throttle(struct hctx_reader *rd, const struct hctx_field *f,
			       struct hctx_value **ret)
{
	const struct hctx_cpuset *cpus;
	struct hctx_cpuset visited = { 0 };
	struct throttle_sums s = { 0 };
	_cleanup_value_ struct hctx_value *rec = NULL, *by_cpu = hctx_value_map();
	int r = hctx_reader_cpus(rd, &cpus);

	if (r < 0)
		return r;
	if (!by_cpu)
		return -ENOMEM;
	for (long cpu = hctx_cpuset_next(cpus, 0); cpu >= 0 && r == 0;
	     cpu = hctx_cpuset_next(cpus, (unsigned)cpu + 1))
		r = throttle_cpu(rd, cpu, &s, by_cpu, &visited);
	hctx_cpuset_clear(&visited);
	if (r < 0)
		return r;
	rd->path = CPU_DIR "/cpuN/thermal_throttle";
	if (!s.have[0] && !s.have[1] && !s.have[2] && !s.have[3])
		return -ENOENT;	/* none, or only the old "count" file */
	rec = hctx_value_record(f->spec->n_members);
	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < 4; i++)
		if (s.have[i] && !(rec->rec.slot[i] = hctx_value_u64(s.v[i])))
			return -ENOMEM;
	if (by_cpu->map.n > 0) {
		hctx_map_finish(by_cpu, f->spec->members[4].spec);
		rec->rec.slot[4] = TAKE_PTR(by_cpu);
	}
	*ret = TAKE_PTR(rec);
	return 0;
}
