/* SPDX-License-Identifier: MIT */
/*
 * hostctx check (lib/check.c): every check on a host that passes them
 * all, then each one moved to each status it can give, in both
 * profiles; thresholds, --ignore, the run checks on records, a refused
 * record, the JSON and human shapes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hostctx.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- building snapshots -------------------------------------------- */

enum op { END = 0, STR, U64, DBL, BOOL, UNSET };

struct set {
	enum op op;
	const char *path;
	const char *s;
	double n;
};

static void apply(struct hostctx_snapshot *s, const struct set *sets)
{
	for (; sets->op != END; sets++) {
		int r = 0;

		switch (sets->op) {
		case STR:
			r = hostctx_snapshot_set_string(s, sets->path, sets->s);
			break;
		case U64:
			r = hostctx_snapshot_set_u64(s, sets->path, (uint64_t)sets->n);
			break;
		case DBL:
			r = hostctx_snapshot_set_double(s, sets->path, sets->n);
			break;
		case BOOL:
			r = hostctx_snapshot_set_bool(s, sets->path, sets->n != 0);
			break;
		case UNSET:
			r = hostctx_snapshot_unset(s, sets->path);
			break;
		case END:
			break;
		}
		if (r != 0)
			fail_msg("cannot set %s: %d", sets->path, r);
	}
}

#define S_(p, v) { STR, p, v, 0 }
#define U_(p, v) { U64, p, NULL, v }
#define D_(p, v) { DBL, p, NULL, v }
#define B_(p, v) { BOOL, p, NULL, v }
#define X_(p) { UNSET, p, NULL, 0 }
#define END_ { END, NULL, NULL, 0 }

/* A 4-CPU, 2-node x86 host tuned for benchmarking, the command pinned to isolated 2-3. */
static const struct set tuned[] = {
	S_("arch", "x86_64"), U_("online_cpus", 4), U_("numa_nodes", 2),
	S_("cpufreq_driver", "acpi-cpufreq"),
	S_("cpufreq_governor.0", "performance"), S_("cpufreq_governor.1", "performance"),
	S_("cpufreq_governor.2", "performance"), S_("cpufreq_governor.3", "performance"),
	U_("cpufreq_min_khz.0-3", 3000000), U_("cpufreq_max_khz.0-3", 3000000),
	S_("cpufreq_epp.0-3", "performance"), B_("cpufreq_boost", 0),
	B_("ac_power", 1),
	S_("cpu_isolated", "2-3"), S_("cpu_nohz_full", ""),
	S_("process.affinity", "2-3"), B_("process.aslr_disabled", 0),
	B_("smt_active", 0),
	S_("sysctls.kernel.numa_balancing", "0"), S_("sysctls.vm.swappiness", "0"),
	S_("sysctls.kernel.randomize_va_space", "2"), S_("sysctls.kernel.nmi_watchdog", "0"),
	S_("thp_enabled", "always [madvise] never"),
	S_("thp_defrag", "always defer defer+madvise [madvise] never"),
	U_("swap_total_kib", 0),
	D_("pressure.memory.some_avg10", 0), D_("pressure.cpu.some_avg10", 0.5),
	D_("pressure.io.some_avg10", 0), D_("load_avg_1min", 0.1),
	S_("hypervisor", "none"),
	S_("clocksource", "tsc"), S_("clocksource_available", "tsc hpet acpi_pm"),
	S_("cpu_vulnerabilities.spectre_v1", "Mitigation: usercopy/swapgs barriers"),
	S_("cpu_vulnerabilities.meltdown", "Not affected"),
	S_("kernel_cmdline", "BOOT_IMAGE=/vmlinuz quiet"),
	S_("cgroup.cpu_max_effective", "max 100000"), S_("cgroup.cpuset_cpus_effective", "0-3"),
	S_("task_delayacct", "runtime_off"),
	U_("cpu_time_ticks.user", 1000), U_("cpu_time_ticks.idle", 9000),
	U_("cpu_time_ticks.steal", 0),
	END_,
};

static struct hostctx_snapshot *snapshot_with(const struct set *more)
{
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_snapshot_new(&s), 0);
	apply(s, tuned);
	if (more)
		apply(s, more);
	return s;
}

/* A later reading of the counters: 1000 ticks more, steal of them. */
static struct hostctx_snapshot *sample_with(unsigned steal)
{
	const struct set later[] = {
		U_("cpu_time_ticks.user", 1500),
		{ U64, "cpu_time_ticks.idle", NULL, 9500 - steal },
		{ U64, "cpu_time_ticks.steal", NULL, steal },
		END_,
	};
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_snapshot_new(&s), 0);
	apply(s, later);
	return s;
}

static struct hostctx_check_config *config(const char *profile)
{
	struct hostctx_check_config *cfg = NULL;

	assert_int_equal(hostctx_check_config_new(&cfg), 0);
	if (profile)
		assert_int_equal(hostctx_check_config_set_profile(cfg, profile), 0);
	return cfg;
}

/* The status of check id in rep; -1 when it is not in the report. */
static int status_in(const struct hostctx_check_report *rep, const char *id)
{
	for (size_t i = 0; i < hostctx_check_report_count(rep); i++)
		if (strcmp(hostctx_check_result_id(rep, i), id) == 0)
			return (int)hostctx_check_result_status(rep, i);
	return -1;
}

static int status_of(const struct hostctx_check_config *cfg, const struct hostctx_snapshot *s,
		     const struct hostctx_snapshot *sample, const char *id)
{
	struct hostctx_check_report *rep = NULL;
	int st;

	assert_int_equal(hostctx_check_snapshot(cfg, s, sample, &rep), 0);
	st = status_in(rep, id);
	hostctx_check_report_free(rep);
	return st;
}

/* ---- the tuned host passes -------------------------------------- */

static void tuned_host_passes_every_check(void **state)
{
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_snapshot *s = snapshot_with(NULL), *sample = sample_with(0);
	struct hostctx_check_report *rep = NULL;

	(void)state;
	assert_int_equal(hostctx_check_snapshot(cfg, s, sample, &rep), 0);
	assert_int_equal(hostctx_check_report_count(rep), hostctx_check_count());
	for (size_t i = 0; i < hostctx_check_report_count(rep); i++) {
		const char *id = hostctx_check_result_id(rep, i);
		int st = (int)hostctx_check_result_status(rep, i);
		bool run = strncmp(id, "run-", 4) == 0;
		/* not in the throughput profile */
		bool na = run || strcmp(id, "delayacct") == 0;

		if (st != (na ? HOSTCTX_CHECK_NA : HOSTCTX_CHECK_OK))
			fail_msg("%s: %s (%s)", id, hostctx_check_status_name(st),
				 hostctx_check_result_message(rep, i));
		assert_null(hostctx_check_result_advice(rep, i));
		assert_non_null(hostctx_check_result_message(rep, i));
	}
	assert_int_equal(hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN), 0);
	hostctx_check_report_free(rep);
	hostctx_snapshot_free(s);
	hostctx_snapshot_free(sample);
	hostctx_check_config_free(cfg);
}

/* ---- each check, each status --------------------------------------- */

struct status_case {
	const char *id;
	const char *profile;	/* NULL: throughput */
	struct set sets[4];
	int want;
};

#define W HOSTCTX_CHECK_WARN
#define N HOSTCTX_CHECK_NOTE
#define O HOSTCTX_CHECK_OK
#define U HOSTCTX_CHECK_UNKNOWN
#define NAP HOSTCTX_CHECK_NA

static const struct status_case cases[] = {
	{ "governor", NULL, { S_("cpufreq_governor.3", "powersave") }, W },
	/* CPU 1 is no benchmark CPU (affinity 2-3): its governor does not count */
	{ "governor", NULL, { S_("cpufreq_governor.1", "powersave") }, O },
	{ "governor", NULL, { X_("cpufreq_governor") }, U },
	{ "governor", NULL, { X_("cpufreq_governor"), X_("cpufreq_driver") }, NAP },
	{ "freq-range", NULL, { X_("cpufreq_min_khz"), U_("cpufreq_min_khz.0-2", 800000),
				U_("cpufreq_min_khz.3", 1200000) }, N },
	{ "freq-range", NULL, { X_("cpufreq_max_khz") }, U },
	{ "freq-range", "latency", { X_("cpufreq_min_khz"),
				     U_("cpufreq_min_khz.0-3", 800000) }, N },
	{ "turbo", NULL, { B_("cpufreq_boost", 1) }, W },
	{ "turbo", NULL, { X_("cpufreq_boost"), B_("intel_pstate.no_turbo", 0) }, W },
	{ "turbo", NULL, { B_("cpufreq_boost", 1), B_("intel_pstate.no_turbo", 1) }, O },
	{ "turbo", NULL, { X_("cpufreq_boost") }, U },
	{ "turbo", NULL, { X_("cpufreq_boost"), X_("cpufreq_driver"),
			   X_("cpufreq_governor") }, NAP },
	{ "epp", NULL, { X_("cpufreq_epp"), S_("cpufreq_epp.0-2", "performance"),
			 S_("cpufreq_epp.3", "balance_power") }, W },
	{ "epp", NULL, { X_("cpufreq_epp") }, NAP },
	{ "nohz-pstate", NULL, { S_("cpu_nohz_full", "2-3"), S_("cpufreq_driver", "intel_pstate") }, W },
	{ "nohz-pstate", NULL, { S_("cpu_nohz_full", "0-1"), S_("cpufreq_driver", "intel_pstate") }, O },
	{ "nohz-pstate", NULL, { S_("cpu_nohz_full", "2-3") }, O },
	{ "nohz-pstate", NULL, { X_("cpu_nohz_full") }, NAP },
	{ "ac-power", NULL, { B_("ac_power", 0) }, W },
	{ "ac-power", NULL, { X_("ac_power") }, NAP },
	{ "isolcpus", NULL, { S_("cpu_isolated", "") }, N },
	{ "isolcpus", NULL, { X_("cpu_isolated") }, U },
	{ "isolcpus", NULL, { U_("online_cpus", 1) }, NAP },
	{ "isolated-unused", NULL, { S_("process.affinity", "1-3") }, W },
	{ "isolated-unused", NULL, { S_("cpu_isolated", "") }, NAP },
	{ "isolated-unused", NULL, { X_("process") }, U },
	{ "smt", NULL, { B_("smt_active", 1) }, N },
	{ "smt", "latency", { B_("smt_active", 1) }, W },
	{ "smt", NULL, { X_("smt_active") }, U },
	{ "numa-balancing", NULL, { U_("numa_nodes", 2),
				    S_("sysctls.kernel.numa_balancing", "1") }, W },
	{ "numa-balancing", NULL, { U_("numa_nodes", 2) }, O },
	{ "numa-balancing", NULL, { U_("numa_nodes", 1), S_("sysctls.kernel.numa_balancing", "1") }, NAP },
	{ "numa-balancing", NULL, { U_("numa_nodes", 2), X_("sysctls") }, U },
	{ "thp", NULL, { S_("thp_enabled", "[always] madvise never") }, N },
	{ "thp", "latency", { S_("thp_enabled", "[always] madvise never") }, W },
	{ "thp", NULL, { S_("thp_enabled", "always madvise never") }, U },
	{ "thp", NULL, { X_("thp_enabled") }, NAP },
	{ "thp-defrag", NULL, { S_("thp_defrag", "[always] defer never") }, W },
	{ "swap", NULL, { U_("swap_total_kib", 1024), S_("sysctls.vm.swappiness", "60") }, N },
	{ "swap", NULL, { U_("swap_total_kib", 1024) }, O },
	{ "swap", NULL, { X_("swap_total_kib") }, U },
	{ "memory-pressure", NULL, { D_("pressure.memory.some_avg10", 1.5) }, W },
	{ "memory-pressure", NULL, { X_("pressure") }, U },
	/* load over the benchmark CPUs (2): 1.2 / 2 > 0.5 warns, 0.4 / 2 > 0.1 notes */
	{ "load", NULL, { D_("load_avg_1min", 1.2) }, W },
	{ "load", NULL, { D_("load_avg_1min", 0.4) }, N },
	{ "load", NULL, { X_("load_avg_1min") }, U },
	{ "cpu-pressure", NULL, { D_("pressure.cpu.some_avg10", 6) }, W },
	{ "cpu-pressure", NULL, { D_("pressure.cpu.some_avg10", 2) }, N },
	{ "io-pressure", NULL, { D_("pressure.io.some_avg10", 11) }, N },
	{ "hypervisor", NULL, { S_("hypervisor", "kvm") }, N },
	{ "hypervisor", NULL, { X_("hypervisor") }, U },
	{ "clocksource", NULL, { S_("clocksource", "hpet") }, W },
	{ "clocksource", NULL, { S_("clocksource", "kvm-clock") }, N },
	{ "clocksource", NULL, { S_("arch", "aarch64"), S_("clocksource", "arch_sys_counter") }, NAP },
	{ "clocksource", NULL, { X_("clocksource") }, U },
	{ "tsc-unstable", NULL, { S_("clocksource_available", "hpet acpi_pm") }, N },
	{ "tsc-unstable", NULL, { S_("clocksource_available", "tsc-early hpet") }, N },
	{ "tsc-unstable", NULL, { S_("arch", "riscv64"), S_("clocksource_available", "riscv") }, NAP },
	{ "mitigations", NULL, { S_("cpu_vulnerabilities.mds", "Vulnerable: Clear CPU buffers attempted") }, N },
	{ "mitigations", NULL, { S_("kernel_cmdline", "quiet mitigations=off") }, N },
	{ "mitigations", NULL, { S_("kernel_cmdline", "quiet mitigations=auto,nosmt") }, O },
	{ "mitigations", NULL, { X_("cpu_vulnerabilities"), X_("kernel_cmdline") }, U },
	{ "aslr", NULL, { S_("sysctls.kernel.randomize_va_space", "0") }, N },
	{ "aslr", NULL, { B_("process.aslr_disabled", 1) }, N },
	{ "aslr", NULL, { X_("sysctls") }, U },
	/* 1.5 CPUs of quota for 2 benchmark CPUs warns; 4 CPUs of quota notes */
	{ "cgroup-quota", NULL, { S_("cgroup.cpu_max_effective", "150000 100000") }, W },
	{ "cgroup-quota", NULL, { S_("cgroup.cpu_max_effective", "400000 100000") }, N },
	{ "cgroup-quota", NULL, { X_("cgroup") }, U },
	{ "cgroup-cpuset", NULL, { S_("cgroup.cpuset_cpus_effective", "2-3") }, N },
	{ "cgroup-cpuset", NULL, { X_("cgroup") }, U },
	{ "nmi-watchdog", NULL, { S_("sysctls.kernel.nmi_watchdog", "1") }, N },
	{ "delayacct", "latency", { S_("task_delayacct", "on") }, N },
	{ "delayacct", "latency", { S_("task_delayacct", "config_off") }, O },
	{ "delayacct", NULL, { S_("task_delayacct", "on") }, NAP },
};

static void each_check_each_status(void **state)
{
	struct hostctx_snapshot *sample = sample_with(0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct status_case *k = &cases[i];
		struct hostctx_check_config *cfg = config(k->profile);
		struct hostctx_snapshot *s = snapshot_with(k->sets);
		int st = status_of(cfg, s, sample, k->id);

		if (st != k->want)
			fail_msg("case %zu (%s, %s): %s, want %s", i, k->id,
				 k->profile ? k->profile : "throughput",
				 st < 0 ? "absent" : hostctx_check_status_name(st),
				 hostctx_check_status_name(k->want));
		hostctx_snapshot_free(s);
		hostctx_check_config_free(cfg);
	}
	hostctx_snapshot_free(sample);
}

/* Without the command's affinity every online CPU is a benchmark CPU. */
static void without_affinity_every_online_cpu_counts(void **state)
{
	const struct set sets[] = {
		X_("process"), S_("cpufreq_governor.1", "powersave"),
		D_("load_avg_1min", 1.2), END_,
	};
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_snapshot *s = snapshot_with(sets);

	(void)state;
	assert_int_equal(status_of(cfg, s, NULL, "governor"), HOSTCTX_CHECK_WARN);
	/* 1.2 over 4 CPUs: a note, no warning */
	assert_int_equal(status_of(cfg, s, NULL, "load"), HOSTCTX_CHECK_NOTE);
	hostctx_snapshot_free(s);
	hostctx_check_config_free(cfg);
}

static void steal_is_sampled(void **state)
{
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_snapshot *s = snapshot_with(NULL);
	struct hostctx_snapshot *noisy = sample_with(20), *little = sample_with(2);

	(void)state;
	/* 20 of 1000 ticks: 2 % warns; 2 of 1000: 0.2 % notes; no sample: unknown */
	assert_int_equal(status_of(cfg, s, noisy, "steal"), HOSTCTX_CHECK_WARN);
	assert_int_equal(status_of(cfg, s, little, "steal"), HOSTCTX_CHECK_NOTE);
	assert_int_equal(status_of(cfg, s, NULL, "steal"), HOSTCTX_CHECK_UNKNOWN);
	hostctx_snapshot_free(s);
	hostctx_snapshot_free(noisy);
	hostctx_snapshot_free(little);
	hostctx_check_config_free(cfg);
}

static void thresholds_and_ignore(void **state)
{
	struct hostctx_check_config *cfg = config(NULL);
	const struct set sets[] = { D_("load_avg_1min", 0.4), END_ };
	struct hostctx_snapshot *s = snapshot_with(sets);
	struct hostctx_check_report *rep = NULL;

	(void)state;
	assert_int_equal(status_of(cfg, s, NULL, "load"), HOSTCTX_CHECK_NOTE);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load=0.15"), 0);
	assert_int_equal(status_of(cfg, s, NULL, "load"), HOSTCTX_CHECK_WARN);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load=0.5"), 0);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load.note=0.3"), 0);
	assert_int_equal(status_of(cfg, s, NULL, "load"), HOSTCTX_CHECK_OK);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "steal=0.005"), 0);
	/* refused assignments */
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "nosuch=1"), -ENOENT);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "turbo=1"), -ENOTSUP);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "io-pressure.note=1"), -ENOTSUP);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load=x"), -EINVAL);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load=-1"), -EINVAL);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load="), -EINVAL);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load=inf"), -EINVAL);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "=1"), -EINVAL);
	assert_int_equal(hostctx_check_config_set_threshold(cfg, "load"), -EINVAL);
	assert_int_equal(hostctx_check_config_set_profile(cfg, "fast"), -EINVAL);
	assert_int_equal(hostctx_check_config_ignore(cfg, "nosuch"), -ENOENT);
	/* an ignored check is not in the report at all */
	assert_int_equal(hostctx_check_config_ignore(cfg, "load"), 0);
	assert_int_equal(hostctx_check_snapshot(cfg, s, NULL, &rep), 0);
	assert_int_equal(status_in(rep, "load"), -1);
	assert_int_equal(hostctx_check_report_count(rep), hostctx_check_count() - 1);
	hostctx_check_report_free(rep);
	hostctx_snapshot_free(s);
	hostctx_check_config_free(cfg);
}

/* ---- records -------------------------------------------------------- */

static struct hostctx_sidecar *record(const struct set *post_sets, bool complete)
{
	struct hostctx_sidecar *sc = NULL;
	struct hostctx_snapshot *pre = snapshot_with(NULL);
	const struct set ids[] = {
		S_("boot_id", "5a1c"), D_("uptime_seconds", 100),
		U_("vmstat.pswpin", 7), U_("vmstat.pswpout", 7),
		U_("vmstat.oom_kill", 0), END_,
	};
	const struct set more[] = {
		U_("vmstat.drop_pagecache", 1), U_("vmstat.drop_slab", 0),
		U_("thermal_throttle.core_count", 3), U_("cgroup.id", 9),
		U_("cgroup_cpu_stat.nr_throttled", 10),
		U_("cgroup_cpu_stat.throttled_usec", 500), END_,
	};

	apply(pre, ids);
	apply(pre, more);
	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	hostctx_sidecar_set_complete(sc, complete);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	if (post_sets) {
		struct hostctx_snapshot *p = NULL;

		assert_int_equal(hostctx_snapshot_dup(pre, &p), 0);
		apply(p, post_sets);
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, p);
	}
	return sc;
}

static int run_status(const struct hostctx_sidecar *sc, const char *id)
{
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_check_report *rep = NULL;
	int st;

	assert_int_equal(hostctx_check_sidecar(cfg, sc, &rep), 0);
	st = status_in(rep, id);
	hostctx_check_report_free(rep);
	hostctx_check_config_free(cfg);
	return st;
}

static const struct run_case {
	const char *id;
	struct set post[3];
	int want, quiet;	/* quiet: the status when nothing moved */
} run_cases[] = {
	{ "run-config-drift", { S_("sysctls.vm.swappiness", "60") }, W, O },
	{ "run-swapped", { U_("vmstat.pswpout", 9) }, W, O },
	{ "run-oom", { U_("vmstat.oom_kill", 1) }, W, O },
	{ "run-caches-dropped", { U_("vmstat.drop_slab", 1) }, N, O },
	{ "run-throttled", { U_("thermal_throttle.core_count", 5) }, W, O },
	{ "run-cgroup-throttled", { U_("cgroup_cpu_stat.nr_throttled", 12),
				    U_("cgroup_cpu_stat.throttled_usec", 2500) }, W, O },
	{ "run-incomplete", { S_("boot_id", "77e0") }, W, O },
};

static void run_checks_on_records(void **state)
{
	const struct set nothing[] = { D_("uptime_seconds", 101), END_ };

	(void)state;
	for (size_t i = 0; i < sizeof(run_cases) / sizeof(run_cases[0]); i++) {
		const struct run_case *k = &run_cases[i];
		struct set post[4] = { D_("uptime_seconds", 101) };
		struct hostctx_sidecar *moved, *quiet;

		memcpy(post + 1, k->post, sizeof(k->post));
		moved = record(post, true);
		quiet = record(nothing, true);
		if (run_status(moved, k->id) != k->want || run_status(quiet, k->id) != k->quiet)
			fail_msg("%s: %s moved, %s quiet", k->id,
				 hostctx_check_status_name(run_status(moved, k->id)),
				 hostctx_check_status_name(run_status(quiet, k->id)));
		hostctx_sidecar_free(moved);
		hostctx_sidecar_free(quiet);
	}
}

static void incomplete_refused_and_bare_snapshots(void **state)
{
	struct hostctx_sidecar *in_progress = record(NULL, false), *refused = record(NULL, true);
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_snapshot *s = snapshot_with(NULL);
	struct hostctx_sidecar *empty = NULL;
	struct hostctx_check_report *rep = NULL;

	(void)state;
	assert_int_equal(run_status(in_progress, "run-incomplete"), HOSTCTX_CHECK_WARN);
	assert_int_equal(run_status(in_progress, "run-swapped"), HOSTCTX_CHECK_UNKNOWN);
	assert_int_equal(run_status(in_progress, "governor"), HOSTCTX_CHECK_OK);
	/* a refused record: the command never ran, so no run check applies */
	assert_int_equal(hostctx_sidecar_set_refused(refused, "check"), 0);
	assert_int_equal(hostctx_sidecar_set_refused(refused, "other"), -EINVAL);
	assert_int_equal(run_status(refused, "run-incomplete"), HOSTCTX_CHECK_NA);
	assert_int_equal(run_status(refused, "run-config-drift"), HOSTCTX_CHECK_NA);
	/* a bare snapshot: no run check applies */
	assert_int_equal(status_of(cfg, s, NULL, "run-incomplete"), HOSTCTX_CHECK_NA);
	/* a record without pre */
	assert_int_equal(hostctx_sidecar_new(&empty), 0);
	assert_int_equal(hostctx_check_sidecar(cfg, empty, &rep), -ENODATA);
	hostctx_sidecar_free(empty);
	hostctx_sidecar_free(in_progress);
	hostctx_sidecar_free(refused);
	hostctx_snapshot_free(s);
	hostctx_check_config_free(cfg);
}

/* ---- output --------------------------------------------------------- */

static void json_and_human_shapes(void **state)
{
	const struct set sets[] = {
		B_("cpufreq_boost", 1), S_("hypervisor", "kvm"),
		S_("cpu_model", "x"), X_("smt_active"), END_,
	};
	struct hostctx_check_config *cfg = config("latency");
	struct hostctx_snapshot *s = snapshot_with(sets);
	struct hostctx_check_report *rep = NULL;
	char *text = NULL;
	cJSON *doc, *results, *r;
	size_t n_all;

	(void)state;
	assert_int_equal(hostctx_check_snapshot(cfg, s, NULL, &rep), 0);
	assert_string_equal(hostctx_check_report_profile(rep), "latency");
	assert_int_equal(hostctx_check_report_to_json(rep, "x.json", false, &text, NULL), 0);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "source")->valuestring, "x.json");
	assert_string_equal(cJSON_GetObjectItem(doc, "profile")->valuestring, "latency");
	results = cJSON_GetObjectItem(doc, "results");
	cJSON_ArrayForEach(r, results) {
		const char *st = cJSON_GetObjectItem(r, "status")->valuestring;

		assert_string_not_equal(st, "n/a");	/* hidden unless verbose */
		assert_non_null(cJSON_GetObjectItem(r, "message"));
		assert_non_null(cJSON_GetObjectItem(r, "category"));
		if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring, "turbo") == 0) {
			assert_string_equal(st, "warn");
			assert_string_equal(cJSON_GetObjectItem(r, "value")->valuestring, "boost=1");
			assert_non_null(strstr(cJSON_GetObjectItem(r, "advice")->valuestring,
					       "/sys/devices/system/cpu/cpufreq/boost"));
		}
	}
	r = cJSON_GetObjectItem(doc, "summary");
	assert_int_equal(cJSON_GetObjectItem(r, "warn")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(r, "note")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(r, "unknown")->valueint, 2);	/* smt, steal */
	cJSON_Delete(doc);
	free(text);

	assert_int_equal(hostctx_check_report_to_json(rep, NULL, true, &text, NULL), 0);
	doc = cJSON_Parse(text);
	n_all = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results"));
	assert_int_equal(n_all, hostctx_check_count());
	assert_string_equal(cJSON_GetObjectItem(doc, "source")->valuestring, "live");
	cJSON_Delete(doc);
	free(text);

	assert_int_equal(hostctx_check_report_format_human(rep, HOSTCTX_CHECK_WARN, &text), 0);
	assert_string_equal(text, "WARN  frequency  turbo  boost is on (cpufreq/boost=1)\n"
			    "      echo 0 > /sys/devices/system/cpu/cpufreq/boost: with boost, "
			    "results depend on temperature and the other load\n");
	free(text);
	assert_int_equal(hostctx_check_report_format_human(rep, HOSTCTX_CHECK_OK, &text), 0);
	assert_non_null(strstr(text, "\nNOTE  virtualization  hypervisor  running under a hypervisor: kvm\n"));
	assert_non_null(strstr(text, "\nUNKNOWN  isolation  smt  not recorded: smt_active\n"));
	assert_non_null(strstr(text, "\nOK    memory  thp  "));
	assert_null(strstr(text, "N/A"));
	free(text);
	hostctx_check_report_free(rep);
	hostctx_snapshot_free(s);
	hostctx_check_config_free(cfg);
}

/* Text from the host is shown with its control characters escaped. */
static void hostile_values_stay_on_their_line(void **state)
{
	const struct set sets[] = { S_("clocksource_available", "hpet\n\033[31mOK"), END_ };
	struct hostctx_check_config *cfg = config(NULL);
	struct hostctx_snapshot *s = snapshot_with(sets);
	struct hostctx_check_report *rep = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(hostctx_check_snapshot(cfg, s, NULL, &rep), 0);
	assert_int_equal(status_in(rep, "tsc-unstable"), HOSTCTX_CHECK_NOTE);
	assert_int_equal(hostctx_check_report_format_human(rep, HOSTCTX_CHECK_NOTE, &text), 0);
	assert_null(strchr(text, '\033'));
	/* one line and its advice */
	assert_int_equal(strchr(strchr(text, '\n') + 1, '\n')[1], '\0');
	free(text);
	hostctx_check_report_free(rep);
	hostctx_snapshot_free(s);
	hostctx_check_config_free(cfg);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The CPU time of checking s (best of three, to ride out a preemption),
 * its freq-range message in msg.
 */
static double freq_range_seconds(struct hostctx_snapshot *s, char *msg, size_t size)
{
	struct hostctx_check_config *cfg = config(NULL);
	double best = 0;

	for (int round = 0; round < 3; round++) {
		struct hostctx_check_report *rep = NULL;
		double start = cpu_seconds(), took;

		assert_int_equal(hostctx_check_snapshot(cfg, s, NULL, &rep), 0);
		took = cpu_seconds() - start;
		if (round == 0 || took < best)
			best = took;
		assert_int_equal(status_in(rep, "freq-range"), HOSTCTX_CHECK_NOTE);
		for (size_t i = 0; i < hostctx_check_report_count(rep); i++)
			if (strcmp(hostctx_check_result_id(rep, i), "freq-range") == 0)
				snprintf(msg, size, "%s", hostctx_check_result_message(rep, i));
		hostctx_check_report_free(rep);
	}
	hostctx_check_config_free(cfg);
	return best;
}

/* A host with no affinity on record: min and max under keys
 * "i-(1048575-i)" for i < keys, all overlapping. */
static struct hostctx_snapshot *overlapping_freq_keys(unsigned keys)
{
	const struct set unpinned[] = { X_("process.affinity"), X_("cpufreq_min_khz"),
					X_("cpufreq_max_khz"), END_ };
	struct hostctx_snapshot *s = snapshot_with(unpinned);
	char path[64];

	for (unsigned i = 0; i < keys; i++) {
		snprintf(path, sizeof(path), "cpufreq_min_khz.%u-%u", i, 1048575 - i);
		assert_int_equal(hostctx_snapshot_set_u64(s, path, 800000), 0);
		snprintf(path, sizeof(path), "cpufreq_max_khz.%u-%u", i, 1048575 - i);
		assert_int_equal(hostctx_snapshot_set_u64(s, path, 3000000), 0);
	}
	return s;
}

/*
 * A hostile document's by-CPU keys may overlap, each naming a million
 * CPUs.  The frequency-range check costs the keys' words and the CPUs
 * named, not keys times CPUs: 256 such keys cost a few times one key
 * (fuzz_check found a document taking 57 s, a key reparsed for every
 * CPU; then 256 keys were each walked CPU by CPU, 100 times one key).
 */
static void overlapping_cpu_keys_cost_what_they_name(void **state)
{
	struct hostctx_snapshot *one = overlapping_freq_keys(1);
	struct hostctx_snapshot *many = overlapping_freq_keys(256);
	char msg_one[256], msg_many[256];
	double yardstick, took;

	(void)state;
	yardstick = freq_range_seconds(one, msg_one, sizeof(msg_one));
	took = freq_range_seconds(many, msg_many, sizeof(msg_many));
	assert_string_equal(msg_one, "frequency range 800000-3000000 kHz on CPUs 0-1048575");
	assert_string_equal(msg_many, msg_one);
	if (took > 20 * yardstick + 0.05)
		fail_msg("256 overlapping keys took %.3f s of CPU, one key %.3f s: "
			 "the cost grows with keys times CPUs", took, yardstick);
	hostctx_snapshot_free(one);
	hostctx_snapshot_free(many);
}

static void the_table(void **state)
{
	(void)state;
	assert_true(hostctx_check_count() >= 34);
	for (size_t i = 0; i < hostctx_check_count(); i++) {
		assert_int_equal(hostctx_check_index(hostctx_check_id(i)), (int)i);
		assert_non_null(hostctx_check_category(i));
		assert_non_null(hostctx_check_inputs(i));
	}
	assert_null(hostctx_check_id(hostctx_check_count()));
	assert_int_equal(hostctx_check_index("nosuch"), -ENOENT);
	assert_string_equal(hostctx_check_status_name(HOSTCTX_CHECK_WARN), "warn");
	assert_null(hostctx_check_status_name((enum hostctx_check_status)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_table),
		cmocka_unit_test(tuned_host_passes_every_check),
		cmocka_unit_test(each_check_each_status),
		cmocka_unit_test(without_affinity_every_online_cpu_counts),
		cmocka_unit_test(steal_is_sampled),
		cmocka_unit_test(thresholds_and_ignore),
		cmocka_unit_test(run_checks_on_records),
		cmocka_unit_test(incomplete_refused_and_bare_snapshots),
		cmocka_unit_test(json_and_human_shapes),
		cmocka_unit_test(hostile_values_stay_on_their_line),
		cmocka_unit_test(overlapping_cpu_keys_cost_what_they_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
