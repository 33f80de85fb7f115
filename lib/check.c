/* SPDX-License-Identifier: MIT */
/*
 * check.c - `hostctx check`: is this host fit to benchmark, and was this
 * run clean (docs/check.md).
 *
 * One row of check_rows[] is one check: its id, category, the fields it
 * reads, its severity in each profile, its default thresholds, the
 * predicate and the advice.  A predicate only looks at values and says
 * whether the condition holds; the engine turns that into a status by
 * the row and the profile, fills the messages and keeps the order.
 * Nothing here reads a file: the inputs are a snapshot (and, live, a
 * later reading of the counters) or a sidecar.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PROFILE_THROUGHPUT, PROFILE_LATENCY, N_PROFILES };

static const char *const profile_names[N_PROFILES] = { "throughput", "latency" };

/* What a predicate found. */
enum outcome {
	OUT_NA,		/* does not apply here */
	OUT_OK,		/* the condition does not hold */
	OUT_UNKNOWN,	/* an input is missing */
	OUT_FIRE,	/* the condition holds: the row's severity */
	OUT_FIRE_NOTE,	/* a two-level check's lower level: a note */
};

struct check_ctx {
	const struct hostctx_snapshot *s;	/* the snapshot, or the record's pre */
	const struct hostctx_sidecar *sc;	/* NULL: not a record */
	const struct hctx_value *run_deltas;	/* the record's deltas */
	const char *deltas_unavailable;
	enum hostctx_run_state run_state;	/* an incomplete record's process */
	const struct hctx_value *sample;	/* live: deltas over --interval */
	struct hctx_cpuset bench;		/* benchmark CPUs, when known */
	bool bench_known;
	uint64_t bench_n;			/* their number; 0: unknown */
	const double *thr;			/* the row's thresholds */
	char value[256];
	char message[320];
	char advice[512];			/* "": the row's advice */
};

typedef enum outcome (*check_fn)(struct check_ctx *c);

struct check_row {
	const char *id;
	const char *category;
	const char *inputs;		/* for docs and for "unknown" */
	enum hostctx_check_status severity[N_PROFILES];	/* NA: not in this profile */
	double thr[2];			/* [0] the level given by ID=V, [1] ID.note=V; NAN: none */
	check_fn fn;
	const char *advice;
};

#define NA HOSTCTX_CHECK_NA
#define NOTE HOSTCTX_CHECK_NOTE
#define WARN HOSTCTX_CHECK_WARN

/* ---- reading values ------------------------------------------------ */

static const char *str_at(const struct check_ctx *c, const char *path)
{
	const char *v = NULL;

	return hostctx_snapshot_get_string(c->s, path, &v) == 0 ? v : NULL;
}

static bool u64_at(const struct check_ctx *c, const char *path, uint64_t *ret)
{
	return hostctx_snapshot_get_u64(c->s, path, ret) == 0;
}

static bool bool_at(const struct check_ctx *c, const char *path, bool *ret)
{
	return hostctx_snapshot_get_bool(c->s, path, ret) == 0;
}

static bool double_at(const struct check_ctx *c, const char *path, double *ret)
{
	uint64_t u;

	if (hostctx_snapshot_get_double(c->s, path, ret) == 0)
		return true;
	if (!u64_at(c, path, &u))
		return false;
	*ret = (double)u;	/* a gauge that read as a whole number */
	return true;
}

static bool present(const struct check_ctx *c, const char *path)
{
	return hostctx_snapshot_type(c->s, path) != HOSTCTX_TYPE_ABSENT;
}

/* A member of a deltas tree, by a dotted path of map keys. */
static const struct hctx_value *node_at(const struct hctx_value *v, const char *path)
{
	char key[64];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		if (v->node != HCTX_NODE_MAP || n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		const struct hctx_entry *e = hctx_map_find(v, key);

		v = e ? e->value : NULL;
		path += n + (path[n] == '.');
	}
	return v;
}

static bool delta_u64(const struct hctx_value *deltas, const char *path, uint64_t *ret)
{
	const struct hctx_value *v = node_at(deltas, path);

	if (!v || v->node != HCTX_NODE_U64)
		return false;
	*ret = v->u;
	return true;
}

static bool delta_double(const struct hctx_value *deltas, const char *path, double *ret)
{
	const struct hctx_value *v = node_at(deltas, path);

	if (!v || v->node != HCTX_NODE_DOUBLE)
		return false;
	*ret = v->d;
	return true;
}

__attribute__((format(printf, 2, 3)))
static void say(struct check_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void put_value(struct check_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->value, sizeof(c->value), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void advise(struct check_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->advice, sizeof(c->advice), fmt, ap);
	va_end(ap);
}

/* ---- CPU sets ------------------------------------------------------ */

static bool parse_cpus(const char *text, struct hctx_cpuset *ret)
{
	return text && hctx_parse_cpulist(text, strlen(text), ret) == 0;
}

/* set as a cpulist in buf ("?" when it cannot be formatted) */
static const char *cpulist(const struct hctx_cpuset *set, char *buf, size_t size)
{
	char *text = NULL;

	if (hctx_cpulist_format(set, &text) < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%s", text);
	free(text);
	return buf;
}

/* Narrow cpus to the benchmark's CPUs, when they are known. */
static void keep_bench_cpus(const struct check_ctx *c, struct hctx_cpuset *cpus)
{
	if (c->bench_known)
		hctx_cpuset_and(cpus, &c->bench);
}

/* The CPUs of a by-CPU map key that are benchmark CPUs (all when unknown). */
static bool key_bench_cpus(const struct check_ctx *c, const char *key,
			   struct hctx_cpuset *ret)
{
	if (!parse_cpus(key, ret))
		return false;
	keep_bench_cpus(c, ret);
	return hctx_cpuset_count(ret) > 0;
}

/*
 * Walk a by-CPU (or "N"-keyed) map of strings: the benchmark CPUs whose
 * value is not want go to *bad, the first such value to *example.
 * Returns the number of benchmark CPUs seen, or -1 when field is absent.
 */
static long bycpu_strings_not(const struct check_ctx *c, const char *field,
			      const char *want, struct hctx_cpuset *bad,
			      const char **example)
{
	const char **keys = NULL;
	size_t n = 0;
	long seen = 0;
	char path[128];

	if (hostctx_snapshot_type(c->s, field) != HOSTCTX_TYPE_OBJECT ||
	    hostctx_snapshot_keys(c->s, field, &keys, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct hctx_cpuset cpus = { 0 };
		const char *v;

		snprintf(path, sizeof(path), "%s.%s", field, keys[i]);
		v = str_at(c, path);
		if (v && key_bench_cpus(c, keys[i], &cpus)) {
			seen += (long)hctx_cpuset_count(&cpus);
			if (strcmp(v, want) != 0) {
				if (!*example)
					*example = v;
				(void)hctx_cpuset_or(bad, &cpus);
			}
		}
		hctx_cpuset_clear(&cpus);
	}
	free(keys);
	return seen;
}

/*
 * A by-CPU map of integers, read once into a table by CPU: each CPU
 * takes the value of the first key naming it.  A file's keys may
 * overlap ("0-442415" beside "1-442416"); each key's CPUs are parsed
 * once and each CPU is assigned once, so the cost follows the keys'
 * words and the CPUs named, not keys times CPUs (minutes, where this is
 * milliseconds).
 */
#define NO_KEY UINT32_MAX

struct bycpu_u64 {
	struct hctx_cpuset named;	/* the CPUs some key names */
	size_t ncpus;			/* CPUs 0 .. ncpus - 1 have an entry */
	uint32_t *key_of;		/* by CPU: the key naming it first, or NO_KEY */
	uint64_t *value;		/* by key */
	bool *ok;			/* by key: the value is an integer */
};

static void bycpu_u64_clear(struct bycpu_u64 *m)
{
	hctx_cpuset_clear(&m->named);
	free(m->key_of);
	free(m->value);
	free(m->ok);
	*m = (struct bycpu_u64){ 0 };
}

/* An entry for each CPU below n, new ones NO_KEY (grown by doubling). */
static bool bycpu_grow(struct bycpu_u64 *m, size_t n)
{
	uint32_t *grown;

	if (n <= m->ncpus)
		return true;
	if (n < m->ncpus * 2)
		n = m->ncpus * 2;
	grown = realloc(m->key_of, n * sizeof(*grown));
	if (!grown)
		return false;
	memset(grown + m->ncpus, 0xff, (n - m->ncpus) * sizeof(*grown));
	m->key_of = grown;
	m->ncpus = n;
	return true;
}

/* Each CPU of cpus that no earlier key named goes to key. */
static bool bycpu_claim(struct bycpu_u64 *m, struct hctx_cpuset *cpus, uint32_t key)
{
	hctx_cpuset_andnot(cpus, &m->named);
	for (long cpu = hctx_cpuset_next(cpus, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(cpus, (unsigned)cpu + 1)) {
		if (!bycpu_grow(m, (size_t)cpu + 1))
			return false;
		m->key_of[cpu] = key;
	}
	return hctx_cpuset_or(&m->named, cpus) == 0;
}

/* false: no memory (or more keys than a table holds) */
static bool bycpu_u64_load(const struct check_ctx *c, const char *field,
			   const char *const *keys, size_t n, struct bycpu_u64 *m)
{
	bool fine = n < NO_KEY;
	char path[128];

	*m = (struct bycpu_u64){ 0 };
	m->value = calloc(n ? n : 1, sizeof(*m->value));
	m->ok = calloc(n ? n : 1, sizeof(*m->ok));
	fine = fine && m->value && m->ok;
	for (size_t i = 0; fine && i < n; i++) {
		struct hctx_cpuset cpus = { 0 };

		snprintf(path, sizeof(path), "%s.%s", field, keys[i]);
		m->ok[i] = u64_at(c, path, &m->value[i]);
		if (parse_cpus(keys[i], &cpus))
			fine = bycpu_claim(m, &cpus, (uint32_t)i);
		hctx_cpuset_clear(&cpus);
	}
	if (!fine)
		bycpu_u64_clear(m);
	return fine;
}

/* The value for one CPU: that of the first key naming it. */
static bool bycpu_u64_of(const struct bycpu_u64 *m, unsigned cpu, uint64_t *ret)
{
	uint32_t key;

	if (cpu >= m->ncpus || (key = m->key_of[cpu]) == NO_KEY)
		return false;
	*ret = m->value[key];
	return m->ok[key];
}

static bool is_x86(const struct check_ctx *c)
{
	const char *arch = str_at(c, "arch");

	return arch && (strcmp(arch, "x86_64") == 0 ||
			(arch[0] == 'i' && strlen(arch) == 4 && strcmp(arch + 2, "86") == 0));
}

/* Whether any cpufreq driver was seen: without one, frequency checks do not apply. */
static bool has_cpufreq(const struct check_ctx *c)
{
	return present(c, "cpufreq_driver") || present(c, "cpufreq_governor");
}

static bool driver_is(const struct check_ctx *c, const char *prefix)
{
	const char *d = str_at(c, "cpufreq_driver");

	return d && strncmp(d, prefix, strlen(prefix)) == 0;
}

/* ---- frequency ----------------------------------------------------- */

static enum outcome check_governor(struct check_ctx *c)
{
	struct hctx_cpuset bad = { 0 };
	const char *example = NULL;
	char list[128];
	long seen;

	if (!has_cpufreq(c))
		return OUT_NA;
	seen = bycpu_strings_not(c, "cpufreq_governor", "performance", &bad, &example);
	if (seen <= 0)
		return seen < 0 ? OUT_UNKNOWN : OUT_NA;
	if (!example) {
		put_value(c, "performance");
		say(c, "governor performance on every benchmark CPU");
		return OUT_OK;
	}
	put_value(c, "%s", example);
	say(c, "governor %s on CPUs %s", example, cpulist(&bad, list, sizeof(list)));
	hctx_cpuset_clear(&bad);
	if (driver_is(c, "intel_pstate") || driver_is(c, "amd-pstate"))
		advise(c, "cpupower frequency-set -g performance; under %s (active mode) "
		       "powersave is the driver's own dynamic policy and the EPP decides "
		       "more (see the epp check)", str_at(c, "cpufreq_driver"));
	return OUT_FIRE;
}

static enum outcome check_freq_range(struct check_ctx *c)
{
	const char **mins = NULL, **maxs = NULL;
	size_t n_min = 0, n_max = 0;
	struct hctx_cpuset bad = { 0 };
	struct bycpu_u64 min_map = { 0 }, max_map = { 0 };
	uint64_t lo = 0, hi = 0;
	enum outcome out = OUT_OK;
	char list[128];

	if (!has_cpufreq(c))
		return OUT_NA;
	if (hostctx_snapshot_keys(c->s, "cpufreq_min_khz", &mins, &n_min) < 0 || n_min == 0 ||
	    hostctx_snapshot_keys(c->s, "cpufreq_max_khz", &maxs, &n_max) < 0 || n_max == 0) {
		free(mins);
		free(maxs);
		return OUT_UNKNOWN;
	}
	if (!bycpu_u64_load(c, "cpufreq_min_khz", mins, n_min, &min_map) ||
	    !bycpu_u64_load(c, "cpufreq_max_khz", maxs, n_max, &max_map)) {
		bycpu_u64_clear(&min_map);
		free(mins);
		free(maxs);
		return OUT_UNKNOWN;	/* no memory */
	}
	/* each benchmark CPU once, however many keys name it */
	keep_bench_cpus(c, &min_map.named);
	for (long cpu = hctx_cpuset_next(&min_map.named, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(&min_map.named, (unsigned)cpu + 1)) {
		uint64_t mn, mx;

		if (!bycpu_u64_of(&min_map, (unsigned)cpu, &mn) ||
		    !bycpu_u64_of(&max_map, (unsigned)cpu, &mx) || mn == mx)
			continue;
		if (out == OUT_OK) {
			lo = mn;
			hi = mx;
		}
		out = OUT_FIRE;
		if (hctx_cpuset_add(&bad, (unsigned)cpu) < 0)
			break;	/* no memory: the CPUs so far are listed */
	}
	bycpu_u64_clear(&min_map);
	bycpu_u64_clear(&max_map);
	free(mins);
	free(maxs);
	if (out == OUT_FIRE) {
		put_value(c, "%llu-%llu kHz", (unsigned long long)lo, (unsigned long long)hi);
		say(c, "frequency range %llu-%llu kHz on CPUs %s", (unsigned long long)lo,
		    (unsigned long long)hi, cpulist(&bad, list, sizeof(list)));
		if (driver_is(c, "intel_pstate"))
			advise(c, "echo 100 > /sys/devices/system/cpu/intel_pstate/min_perf_pct "
			       "(with no_turbo=1: min = max), or cpupower frequency-set -d %lluMHz",
			       (unsigned long long)hi / 1000);
		else
			advise(c, "cpupower frequency-set -d %lluMHz -u %lluMHz (scaling_min_freq = "
			       "scaling_max_freq)", (unsigned long long)hi / 1000,
			       (unsigned long long)hi / 1000);
	} else {
		say(c, "min = max on every benchmark CPU");
	}
	hctx_cpuset_clear(&bad);
	return out;
}

static enum outcome check_turbo(struct check_ctx *c)
{
	bool no_turbo, boost;

	if (bool_at(c, "intel_pstate.no_turbo", &no_turbo)) {
		put_value(c, "no_turbo=%d", no_turbo);
		say(c, "turbo is %s (intel_pstate/no_turbo=%d)", no_turbo ? "off" : "on", no_turbo);
		advise(c, "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo");
		return no_turbo ? OUT_OK : OUT_FIRE;
	}
	if (bool_at(c, "cpufreq_boost", &boost)) {
		put_value(c, "boost=%d", boost);
		say(c, "boost is %s (cpufreq/boost=%d)", boost ? "on" : "off", boost);
		if (driver_is(c, "amd-pstate"))
			advise(c, "echo 0 > /sys/devices/system/cpu/cpufreq/boost "
			       "(amd-pstate: also the per-policy cpufreq/policyN/boost files)");
		return boost ? OUT_FIRE : OUT_OK;
	}
	return has_cpufreq(c) ? OUT_UNKNOWN : OUT_NA;
}

static enum outcome check_epp(struct check_ctx *c)
{
	struct hctx_cpuset bad = { 0 };
	const char *example = NULL;
	char list[128];
	long seen = bycpu_strings_not(c, "cpufreq_epp", "performance", &bad, &example);

	if (seen <= 0)
		return OUT_NA;
	if (!example) {
		put_value(c, "performance");
		say(c, "EPP performance on every benchmark CPU");
		return OUT_OK;
	}
	put_value(c, "%s", example);
	say(c, "energy/performance preference %s on CPUs %s", example,
	    cpulist(&bad, list, sizeof(list)));
	hctx_cpuset_clear(&bad);
	return OUT_FIRE;
}

static enum outcome check_nohz_pstate(struct check_ctx *c)
{
	struct hctx_cpuset nohz = { 0 };
	const char *text = str_at(c, "cpu_nohz_full");
	char list[128];
	enum outcome out = OUT_OK;

	if (!text)
		return OUT_NA;
	if (!text[0] || !driver_is(c, "intel_pstate"))
		return OUT_OK;
	if (!parse_cpus(text, &nohz))
		return OUT_UNKNOWN;
	if (c->bench_known)
		hctx_cpuset_and(&nohz, &c->bench);
	if (hctx_cpuset_count(&nohz) > 0) {
		put_value(c, "%s", text);
		say(c, "nohz_full CPUs %s run under intel_pstate", cpulist(&nohz, list, sizeof(list)));
		out = OUT_FIRE;
	}
	hctx_cpuset_clear(&nohz);
	return out;
}

static enum outcome check_ac_power(struct check_ctx *c)
{
	bool ac;

	if (!bool_at(c, "ac_power", &ac))
		return OUT_NA;	/* no mains supply: a server or a VM */
	put_value(c, ac ? "true" : "false");
	say(c, ac ? "on mains power" : "on battery");
	return ac ? OUT_OK : OUT_FIRE;
}

/* ---- isolation ----------------------------------------------------- */

static enum outcome check_isolcpus(struct check_ctx *c)
{
	const char *iso = str_at(c, "cpu_isolated");
	uint64_t online;

	if (u64_at(c, "online_cpus", &online) && online <= 1)
		return OUT_NA;
	if (!iso)
		return OUT_UNKNOWN;
	put_value(c, "%s", iso[0] ? iso : "none");
	if (iso[0]) {
		say(c, "isolated CPUs: %s", iso);
		return OUT_OK;
	}
	say(c, "no isolated CPU");
	return OUT_FIRE;
}

static enum outcome check_isolated_unused(struct check_ctx *c)
{
	struct hctx_cpuset iso = { 0 };
	const char *text = str_at(c, "cpu_isolated");
	enum outcome out;

	if (text && !text[0])
		return OUT_NA;
	if (!text || !c->bench_known || !parse_cpus(text, &iso))
		return OUT_UNKNOWN;
	put_value(c, "%s", str_at(c, "process.affinity"));
	if (hctx_cpuset_subset(&c->bench, &iso)) {
		say(c, "the command runs on isolated CPUs only (%s)", str_at(c, "process.affinity"));
		out = OUT_OK;
	} else {
		say(c, "the command may run on CPUs %s, not only on the isolated %s",
		    str_at(c, "process.affinity"), text);
		advise(c, "taskset -c %s COMMAND", text);
		out = OUT_FIRE;
	}
	hctx_cpuset_clear(&iso);
	return out;
}

static enum outcome check_smt(struct check_ctx *c)
{
	bool on;

	if (!bool_at(c, "smt_active", &on))
		return OUT_UNKNOWN;
	put_value(c, on ? "true" : "false");
	say(c, on ? "SMT is active" : "SMT is off");
	return on ? OUT_FIRE : OUT_OK;
}

/* ---- memory -------------------------------------------------------- */

static enum outcome check_numa_balancing(struct check_ctx *c)
{
	const char *v = str_at(c, "sysctls.kernel.numa_balancing");
	uint64_t nodes;

	if (u64_at(c, "numa_nodes", &nodes) && nodes <= 1)
		return OUT_NA;
	if (!v)
		return present(c, "sysctls") && u64_at(c, "numa_nodes", &nodes) ? OUT_NA
										     : OUT_UNKNOWN;
	put_value(c, "%s", v);
	say(c, "kernel.numa_balancing = %s on %llu nodes", v, (unsigned long long)nodes);
	return strcmp(v, "0") != 0 ? OUT_FIRE : OUT_OK;
}

/* "always" as the bracketed choice of a THP file */
static enum outcome thp_always(struct check_ctx *c, const char *field, const char *label)
{
	const char *text = str_at(c, field), *active;
	size_t len;

	if (!text)
		return OUT_NA;
	if (!hostctx_bracketed_active(text, &active, &len))
		return OUT_UNKNOWN;
	put_value(c, "%.*s", (int)len, active);
	say(c, "%s is %.*s", label, (int)len, active);
	return len == 6 && strncmp(active, "always", 6) == 0 ? OUT_FIRE : OUT_OK;
}

static enum outcome check_thp(struct check_ctx *c)
{
	return thp_always(c, "thp_enabled", "transparent hugepages");
}

static enum outcome check_thp_defrag(struct check_ctx *c)
{
	return thp_always(c, "thp_defrag", "THP defrag");
}

static enum outcome check_swap(struct check_ctx *c)
{
	const char *swappiness = str_at(c, "sysctls.vm.swappiness");
	uint64_t total;

	if (!u64_at(c, "swap_total_kib", &total))
		return OUT_UNKNOWN;
	if (total == 0) {
		put_value(c, "0 KiB");
		say(c, "no swap");
		return OUT_OK;
	}
	if (!swappiness)
		return OUT_UNKNOWN;
	put_value(c, "%llu KiB, swappiness %s", (unsigned long long)total, swappiness);
	say(c, "%llu KiB of swap, vm.swappiness = %s", (unsigned long long)total, swappiness);
	return strcmp(swappiness, "0") != 0 ? OUT_FIRE : OUT_OK;
}

/* A value against the row's one or two thresholds (above is worse). */
static enum outcome above(const struct check_ctx *c, double v)
{
	if (!isnan(c->thr[0]) && v > c->thr[0])
		return OUT_FIRE;
	if (!isnan(c->thr[1]) && v > c->thr[1])
		return OUT_FIRE_NOTE;
	return OUT_OK;
}

static enum outcome pressure(struct check_ctx *c, const char *resource)
{
	char path[64];
	double v;

	snprintf(path, sizeof(path), "pressure.%s.some_avg10", resource);
	if (!double_at(c, path, &v))
		return OUT_UNKNOWN;
	put_value(c, "%.2f", v);
	say(c, "%s pressure: some tasks stalled %.2f %% of the last 10 s", resource, v);
	return above(c, v);
}

static enum outcome check_memory_pressure(struct check_ctx *c)
{
	return pressure(c, "memory");
}

/* ---- noise --------------------------------------------------------- */

static enum outcome check_load(struct check_ctx *c)
{
	double load;

	if (!double_at(c, "load_avg_1min", &load) || c->bench_n == 0)
		return OUT_UNKNOWN;
	put_value(c, "%.2f", load / (double)c->bench_n);
	say(c, "load %.2f over %llu CPUs", load, (unsigned long long)c->bench_n);
	return above(c, load / (double)c->bench_n);
}

static enum outcome check_cpu_pressure(struct check_ctx *c)
{
	return pressure(c, "cpu");
}

static enum outcome check_io_pressure(struct check_ctx *c)
{
	return pressure(c, "io");
}

static enum outcome check_steal(struct check_ctx *c)
{
	const struct hctx_value *d = c->run_deltas ? c->run_deltas : c->sample;
	double share;

	if (!delta_double(d, "cpu_time_share.steal", &share))
		return OUT_UNKNOWN;
	put_value(c, "%.4f", share);
	say(c, "steal %.2f %% of CPU time %s", share * 100,
	    c->run_deltas ? "during the run" : "while sampling");
	return above(c, share);
}

/* ---- virtualization, timekeeping, security ------------------------- */

static enum outcome check_hypervisor(struct check_ctx *c)
{
	const char *hv = str_at(c, "hypervisor"), *src = str_at(c, "hypervisor_source");

	if (!hv)
		return OUT_UNKNOWN;
	put_value(c, "%s", hv);
	if (strcmp(hv, "none") == 0) {
		say(c, "bare metal");
		return OUT_OK;
	}
	say(c, "running under a hypervisor: %s%s%s%s", hv, src ? " (" : "", src ? src : "",
	    src ? ")" : "");
	return OUT_FIRE;
}

static enum outcome check_clocksource(struct check_ctx *c)
{
	static const char *const slow[] = { "hpet", "acpi_pm", "jiffies", "refined-jiffies", "pit" };
	static const char *const paravirt[] = { "kvm-clock", "hyperv_clocksource_tsc_page", "xen" };
	const char *cs = str_at(c, "clocksource");

	if (!str_at(c, "arch"))
		return OUT_UNKNOWN;
	if (!is_x86(c))
		return OUT_NA;
	if (!cs)
		return OUT_UNKNOWN;
	put_value(c, "%s", cs);
	say(c, "clocksource %s", cs);
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		if (strcmp(cs, slow[i]) == 0)
			return OUT_FIRE;
	for (size_t i = 0; i < sizeof(paravirt) / sizeof(paravirt[0]); i++)
		if (strcmp(cs, paravirt[i]) == 0) {
			advise(c, "a paravirtual clock: time reads may leave the vDSO; where the "
			       "host offers a stable TSC, clocksource=tsc tsc=reliable");
			return OUT_FIRE_NOTE;
		}
	return OUT_OK;
}

/* Whether the blank-separated words of text hold word. */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; p && *p; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

static enum outcome check_tsc_unstable(struct check_ctx *c)
{
	const char *avail = str_at(c, "clocksource_available");

	if (!str_at(c, "arch"))
		return OUT_UNKNOWN;
	if (!is_x86(c))
		return OUT_NA;
	if (!avail)
		return OUT_UNKNOWN;
	put_value(c, "%s", avail);
	if (has_word(avail, "tsc")) {
		say(c, "tsc is an available clocksource");
		return OUT_OK;
	}
	say(c, "tsc is not among the clocksources (%s)", avail);
	return OUT_FIRE;
}

static enum outcome check_mitigations(struct check_ctx *c)
{
	const char *cmdline = str_at(c, "kernel_cmdline");
	const char **keys = NULL;
	size_t n = 0, vulnerable = 0;
	const char *first = NULL;
	char path[160];

	if (!cmdline && !present(c, "cpu_vulnerabilities"))
		return OUT_UNKNOWN;
	if (hostctx_snapshot_keys(c->s, "cpu_vulnerabilities", &keys, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			const char *v;

			snprintf(path, sizeof(path), "cpu_vulnerabilities.%s", keys[i]);
			v = str_at(c, path);
			if (v && strncmp(v, "Vulnerable", 10) == 0 && vulnerable++ == 0)
				first = keys[i];
		}
	}
	if (has_word(cmdline, "mitigations=off")) {
		put_value(c, "mitigations=off");
		say(c, "mitigations=off on the kernel command line");
		free(keys);
		return OUT_FIRE;
	}
	if (vulnerable) {
		put_value(c, "%zu vulnerable", vulnerable);
		say(c, "%zu of %zu CPU vulnerabilities unmitigated (%s%s)", vulnerable, n, first,
		    vulnerable > 1 ? ", ..." : "");
		free(keys);
		return OUT_FIRE;
	}
	free(keys);
	if (!present(c, "cpu_vulnerabilities"))
		return OUT_UNKNOWN;
	say(c, "every listed CPU vulnerability is mitigated or not affected");
	return OUT_OK;
}

static enum outcome check_aslr(struct check_ctx *c)
{
	const char *v = str_at(c, "sysctls.kernel.randomize_va_space");
	bool off = false;

	if (bool_at(c, "process.aslr_disabled", &off) && off) {
		put_value(c, "disabled for the process");
		say(c, "ASLR is disabled for this process (personality ADDR_NO_RANDOMIZE)");
		return OUT_FIRE;
	}
	if (!v)
		return OUT_UNKNOWN;
	put_value(c, "%s", v);
	say(c, "kernel.randomize_va_space = %s", v);
	return strcmp(v, "2") != 0 ? OUT_FIRE : OUT_OK;
}

/* ---- limits, measurement ------------------------------------------- */

static enum outcome check_cgroup_quota(struct check_ctx *c)
{
	const char *max = str_at(c, "cgroup.cpu_max_effective");
	double share;

	if (!max)
		max = str_at(c, "cgroup.cpu_max");
	if (!max || hctx_cpu_max_share(max, &share) < 0)
		return OUT_UNKNOWN;
	put_value(c, "%s", max);
	if (share < 0) {
		say(c, "no CPU quota");
		return OUT_OK;
	}
	say(c, "a CPU quota of %.2f CPUs (cpu.max %s)", share, max);
	if (c->bench_n && share < (double)c->bench_n) {
		say(c, "a CPU quota of %.2f CPUs for %llu benchmark CPUs (cpu.max %s)", share,
		    (unsigned long long)c->bench_n, max);
		return OUT_FIRE;
	}
	return OUT_FIRE_NOTE;
}

static enum outcome check_cgroup_cpuset(struct check_ctx *c)
{
	struct hctx_cpuset cpus = { 0 };
	const char *text = str_at(c, "cgroup.cpuset_cpus_effective");
	uint64_t online;
	size_t n;

	if (!text || !u64_at(c, "online_cpus", &online) || !parse_cpus(text, &cpus))
		return OUT_UNKNOWN;
	n = hctx_cpuset_count(&cpus);
	hctx_cpuset_clear(&cpus);
	put_value(c, "%s", text);
	say(c, "the cgroup's cpuset has %zu of %llu online CPUs (%s)", n,
	    (unsigned long long)online, text);
	return n < online ? OUT_FIRE : OUT_OK;
}

static enum outcome check_nmi_watchdog(struct check_ctx *c)
{
	const char *v = str_at(c, "sysctls.kernel.nmi_watchdog");

	if (!v)
		return present(c, "sysctls") ? OUT_NA : OUT_UNKNOWN;
	put_value(c, "%s", v);
	say(c, "kernel.nmi_watchdog = %s", v);
	return strcmp(v, "1") == 0 ? OUT_FIRE : OUT_OK;
}

static enum outcome check_delayacct(struct check_ctx *c)
{
	const char *v = str_at(c, "task_delayacct");

	if (!v)
		return OUT_UNKNOWN;
	put_value(c, "%s", v);
	say(c, "task delay accounting: %s", v);
	return strcmp(v, "on") == 0 ? OUT_FIRE : OUT_OK;
}

/* ---- the run (a record) -------------------------------------------- */

/* Whether the run checks apply, and whether their evidence is there. */
static enum outcome run_evidence(const struct check_ctx *c)
{
	if (!c->sc || hostctx_sidecar_refused(c->sc))
		return OUT_NA;
	if (!hostctx_sidecar_snapshot(c->sc, HOSTCTX_POST) || !c->run_deltas)
		return OUT_UNKNOWN;
	return OUT_OK;
}

/*
 * Why a record is incomplete, as far as it is knowable: the caller may
 * have asked this host about the process (hostctx_sidecar_probe()).  The
 * preload's exit hook is on_exit(): an exit that skips the hooks ends the
 * process with its record in progress (docs/libhostctx-preload.7, "Limits").
 */
static void incomplete_message(struct check_ctx *c)
{
	const char *mode = hostctx_sidecar_mode(c->sc);
	bool preload = mode && strcmp(mode, "preload") == 0;
	const char *who = preload ? "process" : "command";
	long pid = 0;

	(void)hostctx_sidecar_process(c->sc, &pid, NULL);
	switch (c->run_state) {
	case HOSTCTX_RUN_RUNNING:
		put_value(c, "complete=false, pid %ld running", pid);
		say(c, "the record is not complete: its %s (pid %ld) is still running", who, pid);
		return;
	case HOSTCTX_RUN_GONE:
		put_value(c, "complete=false, pid %ld gone", pid);
		if (preload)
			say(c, "the record is not complete: its process (pid %ld) ended without "
			    "exit hooks (_exit, a signal, daemon(), dash's sh -c); hostctx-run "
			    "records every end", pid);
		else
			say(c, "the record is not complete: its command (pid %ld) ended, and "
			    "hostctx-run was killed before it wrote the end", pid);
		return;
	case HOSTCTX_RUN_OTHER_BOOT:
		put_value(c, "complete=false, another boot");
		say(c, "the record is not complete, and is of another boot or host: its %s "
		    "never finished there, or is still running there", who);
		return;
	case HOSTCTX_RUN_UNKNOWN:
	default:
		break;
	}
	put_value(c, "complete=false");
	if (preload)
		say(c, "the record is not complete: the process is still running, or "
		    "it ended without exit hooks (_exit, a signal, daemon(), dash's "
		    "sh -c); hostctx-run records every end");
	else
		say(c, "the record is not complete: the run did not finish or its "
		    "recorder was killed");
}

static enum outcome check_run_incomplete(struct check_ctx *c)
{
	if (!c->sc || hostctx_sidecar_refused(c->sc))
		return OUT_NA;
	if (!hostctx_sidecar_complete(c->sc)) {
		incomplete_message(c);
		return OUT_FIRE;
	}
	if (c->deltas_unavailable) {
		put_value(c, "%s", c->deltas_unavailable);
		say(c, "no run evidence: %s", strcmp(c->deltas_unavailable, "boot_changed") == 0 ?
		    "the host rebooted during the run" : c->deltas_unavailable);
		return OUT_FIRE;
	}
	if (!hostctx_sidecar_snapshot(c->sc, HOSTCTX_POST)) {
		put_value(c, "no post");
		say(c, "the record has no post snapshot");
		return OUT_FIRE;
	}
	say(c, "complete, with a post snapshot");
	return OUT_OK;
}

static enum outcome check_run_config_drift(struct check_ctx *c)
{
	const struct hostctx_snapshot *post;
	struct hostctx_changes *changes = NULL;
	enum outcome out = OUT_OK;
	size_t n;

	if (!c->sc || hostctx_sidecar_refused(c->sc))
		return OUT_NA;
	post = hostctx_sidecar_snapshot(c->sc, HOSTCTX_POST);
	if (!post || hostctx_diff(c->s, post, &changes) < 0)
		return OUT_UNKNOWN;
	n = hostctx_changes_count(changes);
	put_value(c, "%zu", n);
	if (n == 0) {
		say(c, "no setting changed during the run");
	} else {
		say(c, "%zu change(s) during the run: %s%s", n, hostctx_change_field(changes, 0),
		    n > 1 ? ", ..." : "");
		out = OUT_FIRE;
	}
	hostctx_changes_free(changes);
	return out;
}

static enum outcome check_run_throttled(struct check_ctx *c)
{
	const struct hctx_value *cpus;
	uint64_t core = 0, pkg = 0;
	enum outcome ev = run_evidence(c);

	if (ev != OUT_OK)
		return ev;
	if (!present(c, "thermal_throttle"))
		return OUT_NA;
	(void)delta_u64(c->run_deltas, "thermal_throttle.core_count", &core);
	(void)delta_u64(c->run_deltas, "thermal_throttle.package_count", &pkg);
	put_value(c, "%llu", (unsigned long long)(core + pkg));
	if (core + pkg == 0) {
		say(c, "no thermal throttling during the run");
		return OUT_OK;
	}
	cpus = node_at(c->run_deltas, "thermal_throttle.cpus");
	say(c, "thermal throttling during the run: %llu core and %llu package events%s%s",
	    (unsigned long long)core, (unsigned long long)pkg,
	    cpus && cpus->node == HCTX_NODE_STRING ? ", CPUs " : "",
	    cpus && cpus->node == HCTX_NODE_STRING ? cpus->s : "");
	return OUT_FIRE;
}

/* A vmstat counter pair that must not grow during the run. */
static enum outcome vmstat_grew(struct check_ctx *c, const char *a, const char *b,
				const char *what)
{
	char pa[64], pb[64];
	uint64_t x = 0, y = 0;
	bool has_a, has_b;
	enum outcome ev = run_evidence(c);

	if (ev != OUT_OK)
		return ev;
	snprintf(pa, sizeof(pa), "vmstat.%s", a);
	snprintf(pb, sizeof(pb), "vmstat.%s", b ? b : a);
	has_a = delta_u64(c->run_deltas, pa, &x);
	has_b = b && delta_u64(c->run_deltas, pb, &y);
	if (!has_a && !has_b)
		return present(c, "vmstat") ? OUT_NA : OUT_UNKNOWN;
	if (b) {
		put_value(c, "%s=%llu %s=%llu", a, (unsigned long long)x, b, (unsigned long long)y);
		say(c, "%s during the run: %s %llu, %s %llu", what, a, (unsigned long long)x, b,
		    (unsigned long long)y);
	} else {
		put_value(c, "%llu", (unsigned long long)x);
		say(c, "%s during the run: %llu", what, (unsigned long long)x);
	}
	return x + y > 0 ? OUT_FIRE : OUT_OK;
}

static enum outcome check_run_swapped(struct check_ctx *c)
{
	return vmstat_grew(c, "pswpin", "pswpout", "pages swapped");
}

static enum outcome check_run_oom(struct check_ctx *c)
{
	return vmstat_grew(c, "oom_kill", NULL, "OOM kills");
}

static enum outcome check_run_caches_dropped(struct check_ctx *c)
{
	return vmstat_grew(c, "drop_pagecache", "drop_slab", "cache drops");
}

static enum outcome check_run_cgroup_throttled(struct check_ctx *c)
{
	uint64_t n, us = 0;
	enum outcome ev = run_evidence(c);

	if (ev != OUT_OK)
		return ev;
	if (!delta_u64(c->run_deltas, "cgroup_cpu_stat.nr_throttled", &n))
		return present(c, "cgroup_cpu_stat") ? OUT_NA : OUT_UNKNOWN;
	(void)delta_u64(c->run_deltas, "cgroup_cpu_stat.throttled_usec", &us);
	put_value(c, "%llu", (unsigned long long)n);
	say(c, "%llu throttled period(s), %.1f ms frozen", (unsigned long long)n, (double)us / 1000);
	return n > 0 ? OUT_FIRE : OUT_OK;
}

/*
 * --watch-writes: host settings written during the run, even when they
 * were set back before post (docs/check.md, run-host-written).  Writes
 * the command made itself are a note; any other writer, an unknown one
 * (inotify names none), or a lost event is a warning.
 */
static enum outcome check_run_host_written(struct check_ctx *c)
{
	size_t n, own = 0, other = 0;
	unsigned long long total;
	long pid = 0;
	bool lost;

	if (!c->sc || hostctx_sidecar_refused(c->sc) || !hostctx_sidecar_writes_source(c->sc))
		return OUT_NA;
	n = hostctx_sidecar_write_count(c->sc);
	total = n + hostctx_sidecar_writes_omitted(c->sc);
	lost = hostctx_sidecar_writes_overflowed(c->sc);
	for (size_t i = 0; i < n; i++) {
		if (hostctx_sidecar_write_by_command(c->sc, i) > 0)
			own++;
		else if (other++ == 0)
			pid = hostctx_sidecar_write_pid(c->sc, i);
	}
	put_value(c, "%llu%s", total, lost ? "+" : "");
	if (total == 0 && !lost) {
		say(c, "no host setting was written during the run");
		return OUT_OK;
	}
	say(c, "%llu write(s) to host settings during the run (%zu by the command), first %s%s",
	    total, own, hostctx_sidecar_write_path(c->sc, 0) ? hostctx_sidecar_write_path(c->sc, 0) :
	    "not listed", lost ? "; the event queue overflowed: some were lost" : "");
	if (other > 0 && pid > 0)
		advise(c, "pid %ld (not the command) wrote host settings during the run: stop "
		       "tuning daemons (tuned, power-profiles-daemon) while benchmarking; "
		       "hostctx show FILE lists the writes", pid);
	return other > 0 || lost || total > n ? OUT_FIRE : OUT_FIRE_NOTE;
}

/* ---- the table ------------------------------------------------------ */

#define NONE { NAN, NAN }

static const struct check_row check_rows[] = {
	{ "governor", "frequency", "cpufreq_governor, cpufreq_driver", { WARN, WARN }, NONE,
	  check_governor,
	  "cpupower frequency-set -g performance "
	  "(or echo performance > /sys/devices/system/cpu/cpufreq/policy*/scaling_governor)" },
	{ "freq-range", "frequency", "cpufreq_min_khz, cpufreq_max_khz", { NOTE, NOTE }, NONE,
	  check_freq_range, "pin min = max where the driver allows" },
	{ "turbo", "frequency", "cpufreq_boost, intel_pstate.no_turbo", { WARN, WARN }, NONE,
	  check_turbo,
	  "echo 0 > /sys/devices/system/cpu/cpufreq/boost: with boost, results depend on "
	  "temperature and the other load" },
	{ "epp", "frequency", "cpufreq_epp", { WARN, WARN }, NONE, check_epp,
	  "echo performance | tee /sys/devices/system/cpu/cpufreq/policy*/"
	  "energy_performance_preference" },
	{ "nohz-pstate", "frequency", "cpu_nohz_full, cpufreq_driver", { WARN, WARN }, NONE,
	  check_nohz_pstate,
	  "nohz_full and intel_pstate are a known bad pair (frequency stays low on tickless "
	  "CPUs): boot with intel_pstate=passive, or without nohz_full on those CPUs" },
	{ "ac-power", "frequency", "ac_power", { WARN, WARN }, NONE, check_ac_power,
	  "plug in: battery policies cap the frequency" },
	{ "isolcpus", "isolation", "cpu_isolated, online_cpus", { NOTE, NOTE }, NONE,
	  check_isolcpus,
	  "boot with isolcpus=LIST (or nohz_full=LIST) and pin the benchmark there with "
	  "taskset -c LIST" },
	{ "isolated-unused", "isolation", "cpu_isolated, process.affinity", { WARN, WARN }, NONE,
	  check_isolated_unused, "taskset -c ISOLATED COMMAND" },
	{ "smt", "isolation", "smt_active", { NOTE, WARN }, NONE, check_smt,
	  "siblings share a core: echo off > /sys/devices/system/cpu/smt/control (or boot "
	  "with nosmt), or run one thread per core" },
	{ "numa-balancing", "memory", "sysctls.kernel.numa_balancing, numa_nodes",
	  { WARN, WARN }, NONE, check_numa_balancing,
	  "sysctl -w kernel.numa_balancing=0 and bind memory: numactl --membind=N --cpunodebind=N" },
	{ "thp", "memory", "thp_enabled", { NOTE, WARN }, NONE, check_thp,
	  "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled (or boot with "
	  "transparent_hugepage=madvise): khugepaged and fault-time collapses add variance" },
	{ "thp-defrag", "memory", "thp_defrag", { WARN, WARN }, NONE, check_thp_defrag,
	  "echo madvise > /sys/kernel/mm/transparent_hugepage/defrag: direct compaction "
	  "stalls at fault time" },
	{ "swap", "memory", "swap_total_kib, sysctls.vm.swappiness", { NOTE, NOTE }, NONE,
	  check_swap, "swapoff -a, or sysctl -w vm.swappiness=0 for memory-bound runs" },
	{ "memory-pressure", "memory", "pressure.memory.some_avg10", { WARN, WARN },
	  { 1.0, NAN }, check_memory_pressure, "the host is short of memory now" },
	{ "load", "noise", "load_avg_1min, benchmark CPUs", { WARN, WARN }, { 0.5, 0.1 },
	  check_load, "wait for a quiet host (other work is running)" },
	{ "cpu-pressure", "noise", "pressure.cpu.some_avg10", { WARN, WARN }, { 5, 1 },
	  check_cpu_pressure, "other tasks compete for CPU" },
	{ "io-pressure", "noise", "pressure.io.some_avg10", { NOTE, NOTE }, { 10, NAN },
	  check_io_pressure, "I/O contention: tasks wait for the disk" },
	{ "steal", "noise", "cpu_time_ticks (sampled), deltas.cpu_time_share.steal",
	  { WARN, WARN }, { 0.01, 0.001 }, check_steal,
	  "a noisy neighbour on the hypervisor: use a dedicated instance, keep steal recorded" },
	{ "hypervisor", "virtualization", "hypervisor", { NOTE, NOTE }, NONE, check_hypervisor,
	  "expect steal, timer and frequency noise; keep steal recorded (hostctx-run does)" },
	{ "clocksource", "timekeeping", "clocksource, arch", { WARN, WARN }, NONE,
	  check_clocksource,
	  "time reads leave the vDSO: echo tsc > /sys/devices/system/clocksource/clocksource0/"
	  "current_clocksource (TSC preferred)" },
	{ "tsc-unstable", "timekeeping", "clocksource_available, arch", { NOTE, NOTE }, NONE,
	  check_tsc_unstable,
	  "the kernel marked the TSC unstable: see dmesg (clocksource watchdog); tsc=reliable "
	  "only where it really is" },
	{ "mitigations", "security", "cpu_vulnerabilities, kernel_cmdline", { NOTE, NOTE }, NONE,
	  check_mitigations,
	  "informational: compare runs only under the same mitigation state" },
	{ "aslr", "security", "sysctls.kernel.randomize_va_space, process.aslr_disabled",
	  { NOTE, NOTE }, NONE, check_aslr,
	  "pyperf wants full randomisation (2) for representative results; Google Benchmark "
	  "warns when it is on because layouts vary: choose, and keep it the same across runs" },
	{ "cgroup-quota", "limits", "cgroup.cpu_max_effective, benchmark CPUs", { WARN, WARN },
	  NONE, check_cgroup_quota,
	  "a CFS quota throttles bursts: prefer a cpuset (cpuset.cpus) to cpu.max" },
	{ "cgroup-cpuset", "limits", "cgroup.cpuset_cpus_effective", { NOTE, NOTE }, NONE,
	  check_cgroup_cpuset, "informational: the job may use only these CPUs" },
	{ "nmi-watchdog", "measurement", "sysctls.kernel.nmi_watchdog", { NOTE, NOTE }, NONE,
	  check_nmi_watchdog,
	  "the watchdog holds a PMU counter (perf stat): sysctl -w kernel.nmi_watchdog=0" },
	{ "delayacct", "measurement", "task_delayacct", { NA, NOTE }, NONE, check_delayacct,
	  "a small cost at every context switch: sysctl -w kernel.task_delayacct=0" },
	{ "run-config-drift", "run", "changes", { WARN, WARN }, NONE, check_run_config_drift,
	  "the command or something else changed the host during the run: "
	  "hostctx diff FILE shows what" },
	{ "run-throttled", "run", "deltas.thermal_throttle", { WARN, WARN }, NONE,
	  check_run_throttled, "the CPUs ran hot: cool the host or lower the load, then rerun" },
	{ "run-swapped", "run", "deltas.vmstat.pswpin, deltas.vmstat.pswpout", { WARN, WARN },
	  NONE, check_run_swapped, "the host swapped during the run: free memory and rerun" },
	{ "run-cgroup-throttled", "run", "deltas.cgroup_cpu_stat.nr_throttled", { WARN, WARN },
	  NONE, check_run_cgroup_throttled,
	  "the cgroup's CPU quota froze the job: raise cpu.max or use a cpuset" },
	{ "run-oom", "run", "deltas.vmstat.oom_kill", { WARN, WARN }, NONE, check_run_oom,
	  "an OOM kill happened during the run" },
	{ "run-caches-dropped", "run", "deltas.vmstat.drop_pagecache, deltas.vmstat.drop_slab",
	  { NOTE, NOTE }, NONE, check_run_caches_dropped,
	  "caches were dropped during the run (echo N > /proc/sys/vm/drop_caches): cold-cache "
	  "numbers" },
	{ "run-host-written", "run", "writes, writes_overflowed", { WARN, WARN }, NONE,
	  check_run_host_written,
	  "host settings were written during the run (set and restored ones too): "
	  "hostctx show FILE lists the writes and their writers" },
	{ "run-incomplete", "run", "complete, deltas_unavailable", { WARN, WARN }, NONE,
	  check_run_incomplete, "no post snapshot or a reboot: the run's evidence is missing" },
};

#define N_CHECKS (sizeof(check_rows) / sizeof(check_rows[0]))

HCTX_EXPORT size_t hostctx_check_count(void)
{
	return N_CHECKS;
}

HCTX_EXPORT const char *hostctx_check_id(size_t i)
{
	return i < N_CHECKS ? check_rows[i].id : NULL;
}

HCTX_EXPORT const char *hostctx_check_category(size_t i)
{
	return i < N_CHECKS ? check_rows[i].category : NULL;
}

HCTX_EXPORT const char *hostctx_check_inputs(size_t i)
{
	return i < N_CHECKS ? check_rows[i].inputs : NULL;
}

HCTX_EXPORT int hostctx_check_index(const char *id)
{
	for (size_t i = 0; id && i < N_CHECKS; i++)
		if (strcmp(check_rows[i].id, id) == 0)
			return (int)i;
	return -ENOENT;
}

HCTX_EXPORT const char *hostctx_check_status_name(enum hostctx_check_status st)
{
	static const char *const names[] = {
		[HOSTCTX_CHECK_NA] = "n/a", [HOSTCTX_CHECK_OK] = "ok",
		[HOSTCTX_CHECK_UNKNOWN] = "unknown", [HOSTCTX_CHECK_NOTE] = "note",
		[HOSTCTX_CHECK_WARN] = "warn",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : NULL;
}

/* ---- configuration -------------------------------------------------- */

struct hostctx_check_config {
	int profile;
	enum hostctx_run_state run_state;
	bool ignored[N_CHECKS];
	double thr[N_CHECKS][2];
};

HCTX_EXPORT int hostctx_check_config_new(struct hostctx_check_config **ret)
{
	struct hostctx_check_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return -ENOMEM;
	for (size_t i = 0; i < N_CHECKS; i++) {
		cfg->thr[i][0] = check_rows[i].thr[0];
		cfg->thr[i][1] = check_rows[i].thr[1];
	}
	*ret = cfg;
	return 0;
}

HCTX_EXPORT void hostctx_check_config_free(struct hostctx_check_config *cfg)
{
	free(cfg);
}

HCTX_EXPORT int hostctx_check_config_set_profile(struct hostctx_check_config *cfg,
						 const char *name)
{
	for (int p = 0; name && p < N_PROFILES; p++)
		if (strcmp(profile_names[p], name) == 0) {
			cfg->profile = p;
			return 0;
		}
	return -EINVAL;
}

HCTX_EXPORT const char *hostctx_check_config_profile(const struct hostctx_check_config *cfg)
{
	return profile_names[cfg->profile];
}

HCTX_EXPORT void hostctx_check_config_set_run_state(struct hostctx_check_config *cfg,
						   enum hostctx_run_state state)
{
	cfg->run_state = state;
}

HCTX_EXPORT int hostctx_check_config_ignore(struct hostctx_check_config *cfg, const char *id)
{
	int i = hostctx_check_index(id);

	if (i < 0)
		return i;
	cfg->ignored[i] = true;
	return 0;
}

/*
 * "ID=VALUE" sets the level the row names first (its warn level, or
 * its only one); "ID.note=VALUE" the note level of a two-level row.
 * -ENOENT: no such check; -ENOTSUP: it has no such threshold;
 * -EINVAL: malformed.
 */
HCTX_EXPORT int hostctx_check_config_set_threshold(struct hostctx_check_config *cfg,
						   const char *assignment)
{
	const char *eq = assignment ? strchr(assignment, '=') : NULL;
	char id[64], *end;
	size_t level = 0, n;
	double v;
	int i;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(id))
		return -EINVAL;
	n = (size_t)(eq - assignment);
	memcpy(id, assignment, n);
	id[n] = '\0';
	if (n > 5 && strcmp(id + n - 5, ".note") == 0) {
		id[n - 5] = '\0';
		level = 1;
	}
	i = hostctx_check_index(id);
	if (i < 0)
		return i;
	errno = 0;
	v = strtod(eq + 1, &end);
	if (!eq[1] || *end || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	if (isnan(check_rows[i].thr[level]))
		return -ENOTSUP;
	cfg->thr[i][level] = v;
	return 0;
}

/* ---- running the table ---------------------------------------------- */

struct check_result {
	size_t row;
	enum hostctx_check_status status;
	char *value;		/* NULL: none */
	char *message;
	char *advice;		/* NULL: none (ok, n/a, unknown) */
};

struct hostctx_check_report {
	int profile;
	size_t n;
	struct check_result r[N_CHECKS];
};

HCTX_EXPORT void hostctx_check_report_free(struct hostctx_check_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->r[i].value);
		free(rep->r[i].message);
		free(rep->r[i].advice);
	}
	free(rep);
}

static enum hostctx_check_status status_of(const struct check_row *row, int profile,
					   enum outcome out)
{
	if (row->severity[profile] == NA)
		return HOSTCTX_CHECK_NA;
	switch (out) {
	case OUT_OK:
		return HOSTCTX_CHECK_OK;
	case OUT_UNKNOWN:
		return HOSTCTX_CHECK_UNKNOWN;
	case OUT_FIRE:
		return row->severity[profile];
	case OUT_FIRE_NOTE:
		return HOSTCTX_CHECK_NOTE;
	case OUT_NA:
		break;
	}
	return HOSTCTX_CHECK_NA;
}

static int add_result(struct hostctx_check_report *rep, size_t row, struct check_ctx *c,
		      enum hostctx_check_status st)
{
	struct check_result *res = &rep->r[rep->n];
	const struct check_row *cr = &check_rows[row];

	if (!c->message[0]) {
		if (st == HOSTCTX_CHECK_UNKNOWN)
			say(c, "not recorded: %s", cr->inputs);
		else if (st == HOSTCTX_CHECK_NA)
			say(c, "does not apply here");
	}
	res->row = row;
	res->status = st;
	res->value = c->value[0] ? strdup(c->value) : NULL;
	res->message = strdup(c->message);
	if (st == HOSTCTX_CHECK_NOTE || st == HOSTCTX_CHECK_WARN)
		res->advice = strdup(c->advice[0] ? c->advice : cr->advice);
	rep->n++;
	if ((c->value[0] && !res->value) || !res->message ||
	    ((st == HOSTCTX_CHECK_NOTE || st == HOSTCTX_CHECK_WARN) && !res->advice))
		return -ENOMEM;
	return 0;
}

/* The benchmark CPUs: the process's affinity, else every online CPU. */
static int find_bench_cpus(struct check_ctx *c)
{
	const char *aff = str_at(c, "process.affinity");
	uint64_t online;

	if (aff && parse_cpus(aff, &c->bench)) {
		c->bench_known = true;
		c->bench_n = hctx_cpuset_count(&c->bench);
	} else if (u64_at(c, "online_cpus", &online)) {
		c->bench_n = online;
	}
	return 0;
}

static int run_table(const struct hostctx_check_config *cfg, struct check_ctx *base,
		     struct hostctx_check_report **ret)
{
	struct hostctx_check_report *rep = calloc(1, sizeof(*rep));
	int r = 0;

	if (!rep)
		return -ENOMEM;
	rep->profile = cfg->profile;
	find_bench_cpus(base);
	for (size_t i = 0; i < N_CHECKS && r == 0; i++) {
		struct check_ctx c = *base;
		enum outcome out;

		if (cfg->ignored[i])
			continue;
		c.thr = cfg->thr[i];
		c.value[0] = c.message[0] = c.advice[0] = '\0';
		out = check_rows[i].fn(&c);
		r = add_result(rep, i, &c, status_of(&check_rows[i], cfg->profile, out));
	}
	hctx_cpuset_clear(&base->bench);
	if (r < 0) {
		hostctx_check_report_free(rep);
		return r;
	}
	*ret = rep;
	return 0;
}

HCTX_EXPORT int hostctx_check_snapshot(const struct hostctx_check_config *cfg,
				       const struct hostctx_snapshot *s,
				       const struct hostctx_snapshot *sample,
				       struct hostctx_check_report **ret)
{
	struct check_ctx c = { .s = s };
	struct hctx_value *deltas = NULL;
	const char *unavailable = NULL;
	int r;

	if (!cfg || !s || !ret)
		return -EINVAL;
	if (sample) {
		r = hctx_deltas(s, sample, &deltas, &unavailable);
		if (r < 0)
			return r;
		c.sample = deltas;
	}
	r = run_table(cfg, &c, ret);
	hctx_value_free(deltas);
	return r;
}

HCTX_EXPORT int hostctx_check_sidecar(const struct hostctx_check_config *cfg,
				      const struct hostctx_sidecar *sc,
				      struct hostctx_check_report **ret)
{
	const struct hostctx_snapshot *pre, *post;
	struct check_ctx c = { .sc = sc };
	struct hctx_value *deltas = NULL;
	int r;

	if (!cfg || !sc || !ret)
		return -EINVAL;
	c.run_state = cfg->run_state;
	pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	if (!pre)
		return -ENODATA;
	c.s = pre;
	if (post && hostctx_sidecar_complete(sc)) {
		r = hctx_deltas(pre, post, &deltas, &c.deltas_unavailable);
		if (r < 0)
			return r;
		c.run_deltas = deltas;
	}
	r = run_table(cfg, &c, ret);
	hctx_value_free(deltas);
	return r;
}

/* ---- results -------------------------------------------------------- */

HCTX_EXPORT size_t hostctx_check_report_count(const struct hostctx_check_report *rep)
{
	return rep->n;
}

HCTX_EXPORT const char *hostctx_check_result_id(const struct hostctx_check_report *rep,
						size_t i)
{
	return i < rep->n ? check_rows[rep->r[i].row].id : NULL;
}

HCTX_EXPORT const char *hostctx_check_result_category(const struct hostctx_check_report *rep,
						      size_t i)
{
	return i < rep->n ? check_rows[rep->r[i].row].category : NULL;
}

HCTX_EXPORT enum hostctx_check_status
hostctx_check_result_status(const struct hostctx_check_report *rep, size_t i)
{
	return i < rep->n ? rep->r[i].status : HOSTCTX_CHECK_NA;
}

HCTX_EXPORT const char *hostctx_check_result_value(const struct hostctx_check_report *rep,
						   size_t i)
{
	return i < rep->n ? rep->r[i].value : NULL;
}

HCTX_EXPORT const char *hostctx_check_result_message(const struct hostctx_check_report *rep,
						     size_t i)
{
	return i < rep->n ? rep->r[i].message : NULL;
}

HCTX_EXPORT const char *hostctx_check_result_advice(const struct hostctx_check_report *rep,
						    size_t i)
{
	return i < rep->n ? rep->r[i].advice : NULL;
}

HCTX_EXPORT size_t hostctx_check_report_tally(const struct hostctx_check_report *rep,
					      enum hostctx_check_status st)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		n += rep->r[i].status == st;
	return n;
}

HCTX_EXPORT const char *hostctx_check_report_profile(const struct hostctx_check_report *rep)
{
	return profile_names[rep->profile];
}

/* ---- output --------------------------------------------------------- */

static void write_report(struct hctx_jw *w, const void *arg)
{
	const struct hctx_check_job *job = arg;
	const struct hostctx_check_report *rep = job->rep;

	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "source");
	hctx_jw_string(w, job->source);
	hctx_jw_key(w, "profile");
	hctx_jw_string(w, profile_names[rep->profile]);
	hctx_jw_key(w, "results");
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < rep->n; i++) {
		const struct check_result *res = &rep->r[i];

		if (res->status < job->least)
			continue;
		hctx_jw_elem(w);
		hctx_jw_begin(w, '{');
		hctx_jw_key(w, "id");
		hctx_jw_string(w, check_rows[res->row].id);
		hctx_jw_key(w, "category");
		hctx_jw_string(w, check_rows[res->row].category);
		hctx_jw_key(w, "status");
		hctx_jw_string(w, hostctx_check_status_name(res->status));
		if (res->value) {
			hctx_jw_key(w, "value");
			hctx_jw_string(w, res->value);
		}
		hctx_jw_key(w, "message");
		hctx_jw_string(w, res->message);
		if (res->advice) {
			hctx_jw_key(w, "advice");
			hctx_jw_string(w, res->advice);
		}
		hctx_jw_end(w, '}');
	}
	hctx_jw_end(w, ']');
	hctx_jw_key(w, "summary");
	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "warn");
	hctx_jw_u64(w, hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN));
	hctx_jw_key(w, "note");
	hctx_jw_u64(w, hostctx_check_report_tally(rep, HOSTCTX_CHECK_NOTE));
	hctx_jw_key(w, "unknown");
	hctx_jw_u64(w, hostctx_check_report_tally(rep, HOSTCTX_CHECK_UNKNOWN));
	hctx_jw_end(w, '}');
	hctx_jw_end(w, '}');
}

HCTX_EXPORT int hostctx_check_report_to_json(const struct hostctx_check_report *rep,
					     const char *source, bool verbose,
					     char **ret_text, size_t *ret_len)
{
	struct hctx_check_job job = {
		.rep = rep, .source = source ? source : "live",
		.least = verbose ? HOSTCTX_CHECK_NA : HOSTCTX_CHECK_OK,
	};

	return hctx_jw_document(write_report, &job, ret_text, ret_len);
}

void hctx_check_write(struct hctx_jw *w, const struct hctx_check_job *job)
{
	write_report(w, job);
}

/* "WARN  frequency  turbo  turbo is on (...)", the advice indented below. */
HCTX_EXPORT int hostctx_check_report_format_human(const struct hostctx_check_report *rep,
						  enum hostctx_check_status least,
						  char **ret_text)
{
	struct hctx_out o;
	int r = hctx_out_open(&o);

	if (r < 0)
		return r;
	for (size_t i = 0; i < rep->n; i++) {
		const struct check_result *res = &rep->r[i];
		const char *name = hostctx_check_status_name(res->status);

		if (res->status < least)
			continue;
		for (const char *p = name; *p; p++)
			fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, o.h.f);
		hctx_human_printf(&o.h, "%*s%s  %s  ", strlen(name) < 4 ? (int)(4 - strlen(name)) + 2 : 2,
				  "", check_rows[res->row].category, check_rows[res->row].id);
		hctx_human_value(&o.h, res->message);
		hctx_human_text(&o.h, "\n");
		if (res->advice) {
			hctx_human_text(&o.h, "      ");
			hctx_human_value(&o.h, res->advice);
			hctx_human_text(&o.h, "\n");
		}
	}
	return hctx_out_finish(&o, ret_text);
}
