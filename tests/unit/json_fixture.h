/* SPDX-License-Identifier: MIT */
/*
 * Shared by test_json, test_diff and test_human: a fully populated
 * snapshot like the reference's HostContext::test_fixture (a plausible
 * 2-node x86_64 host: Intel Xeon test CPU, 64 GiB, 16 CPUs on
 * "performance", two sched tunables), and its heap fixture.
 */
#ifndef HOSTCTX_TEST_JSON_FIXTURE_H
#define HOSTCTX_TEST_JSON_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Setters that must succeed (the path and type are the row's). */
static inline void set_str(struct hostctx_snapshot *s, const char *path,
			   const char *value)
{
	assert_int_equal(hostctx_snapshot_set_string(s, path, value), 0);
}

static inline void set_u64(struct hostctx_snapshot *s, const char *path,
			   uint64_t value)
{
	assert_int_equal(hostctx_snapshot_set_u64(s, path, value), 0);
}

static inline void set_double(struct hostctx_snapshot *s, const char *path,
			      double value)
{
	assert_int_equal(hostctx_snapshot_set_double(s, path, value), 0);
}

static inline void set_bool(struct hostctx_snapshot *s, const char *path,
			    bool value)
{
	assert_int_equal(hostctx_snapshot_set_bool(s, path, value), 0);
}

static inline void set_governor(struct hostctx_snapshot *s, unsigned cpu,
				const char *governor)
{
	char path[64];

	snprintf(path, sizeof(path), "cpufreq_governor.%u", cpu);
	set_str(s, path, governor);
}

static inline void set_tunable(struct hostctx_snapshot *s, const char *key,
			       const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "sched_tunables.%s", key);
	set_str(s, path, value);
}

static inline struct hostctx_snapshot *snapshot_new(void)
{
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_snapshot_new(&s), 0);
	assert_non_null(s);
	return s;
}

/* The reference's host_heap fixture, as s's heap_state. */
static inline void heap_fixture(struct hostctx_snapshot *s)
{
	set_u64(s, "heap_state.active_bytes", 1 << 20);
	set_u64(s, "heap_state.allocated_bytes", 512 * 1024);
	set_u64(s, "heap_state.resident_bytes", 2 << 20);
	set_u64(s, "heap_state.mapped_bytes", 4 << 20);
	set_u64(s, "heap_state.narenas", 64);
}

/* Fills a snapshot; every field present. */
static inline void fixture(struct hostctx_snapshot *s)
{
	set_str(s, "cpu_model", "Intel(R) Xeon(R) Test CPU");
	set_str(s, "cpu_vendor", "GenuineIntel");
	set_u64(s, "total_memory_kib", UINT64_C(64) * 1024 * 1024);
	set_u64(s, "hugepages_total", 0);
	set_u64(s, "hugepages_free", 0);
	set_u64(s, "hugepages_size_kib", 2048);
	set_str(s, "thp_enabled", "always [madvise] never");
	set_str(s, "thp_defrag", "always defer defer+madvise [madvise] never");
	set_tunable(s, "sched_migration_cost_ns", "500000");
	set_tunable(s, "sched_latency_ns", "24000000");
	set_u64(s, "online_cpus", 16);
	set_u64(s, "numa_nodes", 2);
	for (unsigned cpu = 0; cpu < 16; cpu++)
		set_governor(s, cpu, "performance");
	set_str(s, "kernel_name", "Linux");
	set_str(s, "kernel_release", "6.16.0-test");
	set_str(s, "arch", "x86_64");
	set_str(s, "kernel_cmdline", "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1");
	set_str(s, "task_delayacct", "on");
	set_str(s, "config_task_xacct", "on");
	heap_fixture(s);
	/* beyond the reference: basic (boot, sysctl, isolation, time, security, load, power) */
	set_str(s, "boot_id", "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	set_double(s, "uptime_seconds", 86400.25);
	set_str(s, "sysctls.kernel.numa_balancing", "0");
	set_str(s, "sysctls.vm.swappiness", "60");
	set_str(s, "cpu_isolated", "");
	set_str(s, "cpu_nohz_full", "");
	set_str(s, "smt_control", "on");
	set_bool(s, "smt_active", true);
	set_str(s, "clocksource", "tsc");
	set_str(s, "clocksource_available", "tsc hpet acpi_pm");
	set_str(s, "cpu_vulnerabilities.meltdown", "Not affected");
	set_str(s, "cpu_vulnerabilities.spectre_v2", "Mitigation: Enhanced IBRS");
	set_str(s, "cpu_microcode", "0x2b000590");
	set_u64(s, "swap_total_kib", 8388604);
	set_u64(s, "swap_free_kib", 8388604);
	set_u64(s, "mem_available_kib", UINT64_C(60) * 1024 * 1024);
	set_double(s, "load_avg_1min", 0.5);
	set_double(s, "load_avg_5min", 0.25);
	set_double(s, "load_avg_15min", 0.125);
	set_u64(s, "tasks_runnable", 2);
	set_u64(s, "tasks_total", 312);
	set_bool(s, "ac_power", true);
	/* cpufreq, idle */
	set_str(s, "cpufreq_driver", "intel_pstate");
	set_u64(s, "cpufreq_min_khz.0-15", 800000);
	set_u64(s, "cpufreq_max_khz.0-7", 5000000);
	set_u64(s, "cpufreq_max_khz.8-15", 3900000);
	set_u64(s, "cpufreq_hw_max_khz.0-15", 5000000);
	set_str(s, "cpufreq_epp.0-15", "balance_performance");
	set_bool(s, "cpufreq_boost", true);
	set_str(s, "intel_pstate.status", "active");
	set_bool(s, "intel_pstate.no_turbo", false);
	set_u64(s, "intel_pstate.min_perf_pct", 9);
	set_str(s, "amd_pstate.status", "active");
	set_str(s, "cpuidle_driver", "intel_idle");
	set_str(s, "cpuidle_governor", "menu");
	/* process */
	set_str(s, "process.affinity", "0-15");
	assert_int_equal(hostctx_snapshot_set_s64(s, "process.nice", -5), 0);
	set_bool(s, "process.aslr_disabled", false);
	set_u64(s, "process.rlimits.nofile.soft", 1024);
	set_u64(s, "process.rlimits.nofile.hard", UINT64_MAX);	/* "unlimited" */
	/* cgroup */
	set_str(s, "cgroup.version", "v2");
	set_u64(s, "cgroup.id", 12345);
	set_str(s, "cgroup.cpu_max", "200000 100000");
	set_u64(s, "cgroup_cpu_stat.usage_usec", 11893000);
	/* caches */
	set_u64(s, "cpu_caches.0.level", 1);
	set_str(s, "cpu_caches.0.type", "data");
	set_u64(s, "cpu_caches.0.size_kib", 48);
	set_u64(s, "cpu_caches.0.instances", 8);
	set_u64(s, "cpu_caches.0.cpus_per_instance", 2);
	set_str(s, "cpu_caches.0.cpus", "0-15");
	/* platform */
	set_str(s, "hypervisor", "kvm");
	set_str(s, "hypervisor_source", "cpuid");
	set_str(s, "dmi.sys_vendor", "QEMU");
	set_str(s, "dmi.product_name", "Standard PC (Q35 + ICH9, 2009)");
	set_str(s, "dmi.bios_version", "1.16.2-debian-1.16.2-1");
	set_str(s, "os_release.id", "debian");
	set_str(s, "os_release.version_id", "12");
	/* counters */
	set_u64(s, "cpu_time_ticks.user", 950);
	set_u64(s, "cpu_time_ticks.idle", 1280);
	set_u64(s, "user_hz", 100);
	set_u64(s, "context_switches", UINT64_C(9007199254740993));	/* 2^53 + 1 */
	set_u64(s, "processes_forked", 17);
	set_u64(s, "interrupts", 40211);
	set_u64(s, "softirqs", 30110);
	set_u64(s, "procs_running", 2);
	set_u64(s, "procs_blocked", 0);
	set_u64(s, "vmstat.pswpin", 0);
	set_u64(s, "vmstat.oom_kill", 0);
	set_double(s, "pressure.cpu.some_avg10", 0.25);
	set_u64(s, "pressure.cpu.some_total_us", 81234);
	set_u64(s, "thermal_throttle.core_count", 3);
	set_u64(s, "thermal_throttle.core_count_by_cpu.cpu2", 3);
	/* bounds */
	set_str(s, "truncated.0", "sched_tunables");
	/* redaction */
	set_str(s, "redacted.0", "kernel_cmdline");
	set_str(s, "redacted.1", "boot_id");
	/* every row of the table: a new field must be added here too */
	for (size_t i = 0; i < hostctx_field_count(); i++)
		if (hostctx_snapshot_type(s, hostctx_field_name(i)) == HOSTCTX_TYPE_ABSENT)
			fail_msg("fixture lacks field %s", hostctx_field_name(i));
}

static inline struct hostctx_snapshot *fixture_new(void)
{
	struct hostctx_snapshot *s = snapshot_new();

	fixture(s);
	return s;
}

/*
 * Number of non-overlapping occurrences of needle in hay.  noinline:
 * inlined after a ret_text call, gcc 12 takes hay for a dangling
 * pointer to the caller's local (-Wdangling-pointer false positive).
 */
static __attribute__((noinline, unused)) size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle), at = 0;
	const char *hit;

	while ((hit = strstr(hay + at, needle)) != NULL) {
		n++;
		at = (size_t)(hit - hay) + len;
	}
	return n;
}

#endif /* HOSTCTX_TEST_JSON_FIXTURE_H */
