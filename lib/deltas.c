/* SPDX-License-Identifier: MIT */
/*
 * deltas.c - what happened on the host during the run: post - pre of
 * every counter row (the rows marked .counter), with the snapshot's
 * nesting, and the few derived values (docs/json-format.md, "Deltas"):
 * seconds, cpu_time_share, the pressure shares, the throttled CPUs,
 * anomalies.  Computed from the in-memory values, never from parsed
 * JSON; refused ("deltas_unavailable") across a reboot.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct deltas {
	const struct hostctx_snapshot *pre, *post;
	bool wraps_32bit;		/* post's arch counts in 32 bits */
	struct hctx_value *root;	/* map, in insertion order */
	struct hctx_value *anomalies;	/* map: path -> reason */
	int err;			/* -ENOMEM once anything failed */
};

static const struct hctx_value *row_value(const struct hostctx_snapshot *s,
					  const char *name)
{
	int row = hostctx_field_index(name);

	return row >= 0 ? s->values[row] : NULL;
}

static const char *row_string(const struct hostctx_snapshot *s, const char *name)
{
	const struct hctx_value *v = row_value(s, name);

	return v && v->node == HCTX_NODE_STRING ? v->s : NULL;
}

static bool row_double(const struct hostctx_snapshot *s, const char *name, double *ret)
{
	const struct hctx_value *v = row_value(s, name);

	if (!v || v->node != HCTX_NODE_DOUBLE)
		return false;
	*ret = v->d;
	return true;
}

/* Architectures whose unsigned long (vmstat's counters) has 32 bits. */
bool hctx_arch_is_32bit(const char *arch)
{
	static const char *const exact[] = {
		"mips", "mipsel", "ppc", "s390", "sparc", "m68k", "riscv32", "parisc",
		"sh4", "microblaze", "xtensa", "csky", "arc", "or1k", "nios2",
	};

	if (!arch)
		return false;	/* unknown: taken as 64-bit */
	if (arch[0] == 'i' && arch[1] >= '3' && arch[1] <= '6' && strcmp(arch + 2, "86") == 0)
		return true;
	if (strncmp(arch, "arm", 3) == 0)
		return strcmp(arch, "arm64") != 0;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(arch, exact[i]) == 0)
			return true;
	return false;
}

/* A delta that may be absent (NULL: nothing to add). */
static void put(struct deltas *d, struct hctx_value *map, const char *key,
		struct hctx_value *v)
{
	if (!v)
		return;
	if (d->err) {
		hctx_value_free(v);
		return;
	}
	if (hctx_map_append(map, key, v) < 0)
		d->err = -ENOMEM;
}

/* A value just made: NULL means the allocation failed. */
static void put_new(struct deltas *d, struct hctx_value *map, const char *key,
		    struct hctx_value *v)
{
	if (!v)
		d->err = -ENOMEM;
	put(d, map, key, v);
}

static struct hctx_value *made(struct deltas *d, struct hctx_value *v)
{
	if (!v)
		d->err = -ENOMEM;
	return v;
}

static void anomaly(struct deltas *d, const char *path, const char *reason)
{
	if (!d->anomalies && !(d->anomalies = hctx_value_map())) {
		d->err = -ENOMEM;
		return;
	}
	put_new(d, d->anomalies, path, hctx_value_string(reason));
}

/* post - pre of one counter, or NULL (anomaly noted) when it went back. */
static struct hctx_value *counter_delta(struct deltas *d, const char *path,
					uint64_t a, uint64_t b)
{
	if (b >= a)
		return made(d, hctx_value_u64(b - a));
	if (d->wraps_32bit && a <= UINT32_MAX && b <= UINT32_MAX) {
		anomaly(d, path, "wrapped_32bit");
		return made(d, hctx_value_u64(b + (UINT64_C(1) << 32) - a));
	}
	anomaly(d, path, "decreased");
	return NULL;
}

static struct hctx_value *delta_of(struct deltas *d, const char *path,
				   const struct hctx_spec *spec,
				   const struct hctx_value *a, const struct hctx_value *b);

/* A container's members present on both sides; NULL when none gives one. */
static struct hctx_value *delta_container(struct deltas *d, const char *path,
					  const struct hctx_spec *spec,
					  const struct hctx_value *a,
					  const struct hctx_value *b)
{
	struct hctx_value *out = hctx_value_map();
	char sub[256];

	if (!out) {
		d->err = -ENOMEM;
		return NULL;
	}
	if (spec->kind == HCTX_KIND_RECORD) {
		for (size_t i = 0; i < spec->n_members; i++) {
			const char *name = spec->members[i].name;

			snprintf(sub, sizeof(sub), "%s.%s", path, name);
			put(d, out, name, delta_of(d, sub, spec->members[i].spec,
						  a->rec.slot[i], b->rec.slot[i]));
		}
	} else {
		for (size_t i = 0; i < a->map.n; i++) {
			const struct hctx_entry *e = &a->map.e[i];
			const struct hctx_entry *f = hctx_map_find(b, e->key);

			snprintf(sub, sizeof(sub), "%s.%s", path, e->key);
			if (f)
				put(d, out, e->key, delta_of(d, sub, spec->elem, e->value, f->value));
		}
	}
	if (d->err || out->map.n == 0) {
		hctx_value_free(out);
		return NULL;
	}
	return out;
}

/*
 * The delta of a value present on both sides: u64 counters subtract,
 * containers recurse; gauges (doubles) and per-CPU detail (CPU maps,
 * summarised as thermal_throttle.cpus) get none.
 */
static struct hctx_value *delta_of(struct deltas *d, const char *path,
				   const struct hctx_spec *spec,
				   const struct hctx_value *a, const struct hctx_value *b)
{
	struct hctx_value *v;

	if (!a || !b || a->node != b->node || d->err)
		return NULL;
	switch (a->node) {
	case HCTX_NODE_U64:
		v = counter_delta(d, path, a->u, b->u);
		return v;
	case HCTX_NODE_RECORD:
	case HCTX_NODE_MAP:
		if (spec->kind == HCTX_KIND_CPUMAP || spec->kind == HCTX_KIND_BYCPU)
			return NULL;
		return delta_container(d, path, spec, a, b);
	case HCTX_NODE_STRING:
	case HCTX_NODE_S64:
	case HCTX_NODE_BOOL:
	case HCTX_NODE_DOUBLE:
	case HCTX_NODE_ARRAY:
		break;
	}
	return NULL;
}

/* v rounded to 1/scale (without libm: the preload library links none). */
static double round_to(double v, double scale)
{
	double x = v * scale;

	return (double)(long long)(x < 0 ? x - 0.5 : x + 0.5) / scale;
}

static double round4(double v)
{
	return round_to(v, 1e4);
}

static bool member_u64(const struct hctx_value *map, const char *key, uint64_t *ret)
{
	const struct hctx_entry *e = map ? hctx_map_find(map, key) : NULL;

	if (!e || e->value->node != HCTX_NODE_U64)
		return false;
	*ret = e->value->u;
	return true;
}

/* Shares of the 8 base columns (guest and guest_nice are inside user and nice). */
static struct hctx_value *cpu_time_share(struct deltas *d, const struct hctx_value *ticks)
{
	static const char *const base[] = {
		"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
	};
	static const char *const shares[] = { "idle", "iowait", "irq", "softirq", "steal" };
	uint64_t v[8] = { 0 }, sum = 0;
	struct hctx_value *out;

	for (size_t i = 0; i < 8; i++) {
		(void)member_u64(ticks, base[i], &v[i]);
		sum += v[i];
	}
	if (sum == 0)
		return NULL;
	out = hctx_value_map();
	if (!out) {
		d->err = -ENOMEM;
		return NULL;
	}
	put_new(d, out, "busy", hctx_value_double(round4((double)(v[0] + v[1] + v[2]) / (double)sum)));
	for (size_t i = 0; i < 5; i++) {
		uint64_t x = 0;

		(void)member_u64(ticks, shares[i], &x);
		put_new(d, out, shares[i], hctx_value_double(round4((double)x / (double)sum)));
	}
	return out;
}

/* pressure.R.{some,full}_share beside the totals: us stalled per us. */
static void pressure_shares(struct deltas *d, struct hctx_value *pressure, double seconds)
{
	for (size_t i = 0; pressure && i < pressure->map.n; i++) {
		struct hctx_value *r = pressure->map.e[i].value;
		uint64_t us;

		if (member_u64(r, "some_total_us", &us))
			put_new(d, r, "some_share", hctx_value_double(round4((double)us / (seconds * 1e6))));
		if (member_u64(r, "full_total_us", &us))
			put_new(d, r, "full_share", hctx_value_double(round4((double)us / (seconds * 1e6))));
	}
}

/* thermal_throttle.cpus: the CPUs whose own count grew. */
static void throttled_cpus(struct deltas *d, struct hctx_value *throttle)
{
	const struct hctx_value *a = row_value(d->pre, "thermal_throttle");
	const struct hctx_value *b = row_value(d->post, "thermal_throttle");
	const struct hctx_spec *spec = hctx_fields[hostctx_field_index("thermal_throttle")].spec;
	struct hctx_cpuset grew = { 0 };
	const struct hctx_value *ma = NULL, *mb = NULL;
	char *list = NULL;

	for (size_t i = 0; i < spec->n_members; i++)
		if (strcmp(spec->members[i].name, "core_count_by_cpu") == 0) {
			ma = a ? a->rec.slot[i] : NULL;
			mb = b ? b->rec.slot[i] : NULL;
		}
	for (size_t i = 0; mb && i < mb->map.n; i++) {
		uint64_t before = 0;

		(void)member_u64(ma, mb->map.e[i].key, &before);
		if (mb->map.e[i].value->node == HCTX_NODE_U64 && mb->map.e[i].value->u > before &&
		    hctx_cpuset_add(&grew, (unsigned)strtoul(mb->map.e[i].key, NULL, 10)) < 0)
			d->err = -ENOMEM;
	}
	if (!d->err && hctx_cpuset_next(&grew, 0) >= 0) {
		if (hctx_cpulist_format(&grew, &list) < 0)
			d->err = -ENOMEM;
		else
			put_new(d, throttle, "cpus", hctx_value_string(list));
		free(list);
	}
	hctx_cpuset_clear(&grew);
}

/* cgroup deltas mean something only within one cgroup. */
static bool same_cgroup(struct deltas *d, const char *row)
{
	uint64_t ia, ib;

	if (strcmp(row, "cgroup_cpu_stat") != 0)
		return true;
	if (hostctx_snapshot_get_u64(d->pre, "cgroup.id", &ia) == 0 &&
	    hostctx_snapshot_get_u64(d->post, "cgroup.id", &ib) == 0 && ia == ib)
		return true;
	anomaly(d, row, "cgroup_changed");
	return false;
}

static void add_row(struct deltas *d, size_t i, double seconds, bool have_seconds)
{
	const struct hctx_field *f = &hctx_fields[i];
	struct hctx_value *v;

	if (!f->counter || !d->pre->values[i] || !d->post->values[i] ||
	    !same_cgroup(d, f->name))
		return;
	v = delta_of(d, f->name, f->spec, d->pre->values[i], d->post->values[i]);
	if (!v)
		return;
	if (strcmp(f->name, "pressure") == 0 && have_seconds && seconds > 0)
		pressure_shares(d, v, seconds);
	if (strcmp(f->name, "thermal_throttle") == 0)
		throttled_cpus(d, v);
	put(d, d->root, f->name, v);
	if (strcmp(f->name, "cpu_time_ticks") == 0) {
		struct hctx_value *share = cpu_time_share(d, v);

		if (share)
			put(d, d->root, "cpu_time_share", share);
	}
}

/*
 * The deltas of a complete record, or why there are none: *ret a map
 * in output order (caller frees), *ret_unavailable a reason or NULL.
 */
int hctx_deltas(const struct hostctx_snapshot *pre, const struct hostctx_snapshot *post,
		struct hctx_value **ret, const char **ret_unavailable)
{
	struct deltas d = { .pre = pre, .post = post };
	const char *boot_a = row_string(pre, "boot_id"), *boot_b = row_string(post, "boot_id");
	double up_a = 0, up_b = 0, seconds = 0;
	bool have_up = row_double(pre, "uptime_seconds", &up_a) &&
		       row_double(post, "uptime_seconds", &up_b);

	*ret = NULL;
	*ret_unavailable = NULL;
	if (boot_a && boot_b && strcmp(boot_a, boot_b) != 0) {
		*ret_unavailable = "boot_changed";
		return 0;
	}
	if ((!boot_a || !boot_b) && have_up && up_b < up_a) {
		*ret_unavailable = "uptime_went_back";
		return 0;
	}
	d.wraps_32bit = hctx_arch_is_32bit(row_string(post, "arch"));
	d.root = hctx_value_map();
	if (!d.root)
		return -ENOMEM;
	if (have_up) {
		seconds = up_b - up_a;
		put_new(&d, d.root, "seconds", hctx_value_double(round_to(seconds, 1e6)));
	}
	for (size_t i = 0; i < hctx_n_fields && !d.err; i++)
		add_row(&d, i, seconds, have_up);
	if (d.anomalies)
		put(&d, d.root, "anomalies", TAKE_PTR(d.anomalies));
	hctx_value_free(d.anomalies);
	if (d.err) {
		hctx_value_free(d.root);
		return d.err;
	}
	*ret = d.root;
	return 0;
}

/* ---- for humans ------------------------------------------------------ */

static const struct hctx_value *at(const struct hctx_value *map, const char *path)
{
	char key[64];

	while (map && *path) {
		size_t n = strcspn(path, ".");
		const struct hctx_entry *e;

		if (n >= sizeof(key) || map->node != HCTX_NODE_MAP)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		e = hctx_map_find(map, key);
		map = e ? e->value : NULL;
		path += n + (path[n] == '.');
	}
	return map;
}

static bool num(const struct hctx_value *map, const char *path, double *ret)
{
	const struct hctx_value *v = at(map, path);

	if (!v || (v->node != HCTX_NODE_U64 && v->node != HCTX_NODE_DOUBLE))
		return false;
	*ret = v->node == HCTX_NODE_U64 ? (double)v->u : v->d;
	return true;
}

static void evidence_lines(FILE *f, const struct hctx_value *d)
{
	static const char *const psi[] = { "cpu", "memory", "io", "irq" };
	double a, b, c, secs = 0;
	bool any = false;

	(void)num(d, "seconds", &secs);
	if (num(d, "cpu_time_share.busy", &a) && num(d, "cpu_time_share.steal", &b) &&
	    num(d, "cpu_time_share.iowait", &c))
		fprintf(f, "  CPU time: %.1f%% busy, %.1f%% stolen by the hypervisor, %.1f%% iowait, over %.2f s\n",
			100 * a, 100 * b, 100 * c, secs);
	for (size_t i = 0; i < 4; i++) {
		char path[48];

		snprintf(path, sizeof(path), "pressure.%s.some_share", psi[i]);
		if (!num(d, path, &a))
			continue;
		fprintf(f, "%s%s %.2f%%", any ? ", " : "  pressure (time stalled): ", psi[i], 100 * a);
		any = true;
	}
	if (any)
		fputc('\n', f);
	if (num(d, "thermal_throttle.core_count", &a)) {
		const struct hctx_value *cpus = at(d, "thermal_throttle.cpus");

		fprintf(f, "  thermal throttling: %.0f events%s%s\n", a,
			cpus ? " on CPUs " : "", cpus ? cpus->s : "");
	}
	if (num(d, "vmstat.pswpin", &a) && num(d, "vmstat.pswpout", &b))
		fprintf(f, "  swap: %.0f pages in, %.0f pages out\n", a, b);
	if (num(d, "vmstat.oom_kill", &a))
		fprintf(f, "  OOM kills: %.0f\n", a);
	if (num(d, "vmstat.drop_pagecache", &a) && num(d, "vmstat.drop_slab", &b))
		fprintf(f, "  caches dropped: %.0f times (page cache), %.0f times (slab)\n", a, b);
	if (num(d, "cgroup_cpu_stat.nr_throttled", &a) && num(d, "cgroup_cpu_stat.throttled_usec", &b))
		fprintf(f, "  cgroup CPU quota: throttled in %.0f periods, %.1f ms in all\n", a, b / 1000);
}

HCTX_EXPORT int hostctx_evidence_format_human(const struct hostctx_snapshot *pre,
					      const struct hostctx_snapshot *post,
					      char **ret_text)
{
	struct hctx_value *d = NULL;
	const char *why = NULL;
	size_t len = 0;
	FILE *f;
	int r = hctx_deltas(pre, post, &d, &why);

	if (r < 0)
		return r;
	f = open_memstream(ret_text, &len);
	if (!f) {
		hctx_value_free(d);
		return -ENOMEM;
	}
	if (why)
		fprintf(f, "  none: %s\n", strcmp(why, "boot_changed") == 0 ?
			"the host rebooted during the run" : "the uptime went back");
	else if (d)
		evidence_lines(f, d);
	hctx_value_free(d);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

struct evidence_job {
	const struct hctx_value *deltas;
	const char *unavailable;
};

static void write_evidence(struct hctx_jw *w, const void *arg)
{
	const struct evidence_job *job = arg;

	hctx_jw_begin(w, '{');
	if (job->deltas) {
		hctx_jw_key(w, "deltas");
		hctx_jw_node(w, job->deltas);
	}
	if (job->unavailable) {
		hctx_jw_key(w, "deltas_unavailable");
		hctx_jw_string(w, job->unavailable);
	}
	hctx_jw_end(w, '}');
}

HCTX_EXPORT int hostctx_evidence_to_json(const struct hostctx_snapshot *pre,
					 const struct hostctx_snapshot *post,
					 char **ret_text, size_t *ret_len)
{
	struct evidence_job job = { 0 };
	struct hctx_value *d = NULL;
	int r = hctx_deltas(pre, post, &d, &job.unavailable);

	if (r < 0)
		return r;
	job.deltas = d;
	r = hctx_jw_document(write_evidence, &job, ret_text, ret_len);
	hctx_value_free(d);
	return r;
}
