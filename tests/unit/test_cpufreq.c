/* SPDX-License-Identifier: MIT */
/*
 * The frequency-scaling and idle fields on synthetic trees: hybrid CPUs
 * with three maxima, EPP, boost, the pstate drivers' members one by
 * one, an old kernel's cpu1/cpufreq -> ../cpu0/cpufreq link, offline
 * CPUs, and junk where numbers belong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TREE_PREFIX "hctx-cpufreq"
#define TREE_GROUPS "cpufreq,idle"
#include "tree_fixture.h"

/* Raptor Lake-like: P cores 5.0/5.2 GHz, E cores 3.9 GHz, one policy each. */
static void hybrid_three_maxima(void **state)
{
	struct tree *t = *state;
	char rel[128], val[32];
	cJSON *doc;

	put(t, CPU "/online", "0-19\n");
	for (int cpu = 0; cpu < 20; cpu++) {
		long max = cpu >= 12 ? 3900000 : (cpu == 4 || cpu == 5 || cpu == 8 || cpu == 9) ?
			   5200000 : 5000000;

		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_max_freq", cpu);
		snprintf(val, sizeof(val), "%ld\n", max);
		put(t, rel, val);
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_min_freq", cpu);
		put(t, rel, "800000\n");
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/scaling_driver", cpu);
		put(t, rel, "intel_pstate\n");
		snprintf(rel, sizeof(rel), CPU "/cpufreq/policy%d/energy_performance_preference", cpu);
		put(t, rel, cpu < 12 ? "balance_performance\n" : "balance_power\n");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/online", cpu);
		put(t, rel, "1\n");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/cpufreq", cpu);
		snprintf(val, sizeof(val), "../cpufreq/policy%d", cpu);
		link_at(t, rel, val);
	}
	put(t, CPU "/intel_pstate/status", "active\n");
	put(t, CPU "/intel_pstate/no_turbo", "0\n");
	put(t, CPU "/intel_pstate/min_perf_pct", "9\n");
	put(t, CPU "/intel_pstate/max_perf_pct", "100\n");
	doc = snap(t);
	assert_field(doc, "cpufreq_driver", "\"intel_pstate\"");
	assert_field(doc, "cpufreq_max_khz",
		     "{\"0-3,6-7,10-11\":5000000,\"4-5,8-9\":5200000,\"12-19\":3900000}");
	assert_field(doc, "cpufreq_min_khz", "{\"0-19\":800000}");
	assert_field(doc, "cpufreq_hw_max_khz", NULL);
	assert_field(doc, "cpufreq_epp", "{\"0-11\":\"balance_performance\",\"12-19\":\"balance_power\"}");
	assert_field(doc, "intel_pstate",
		     "{\"status\":\"active\",\"no_turbo\":false,\"min_perf_pct\":9,\"max_perf_pct\":100}");
	assert_field(doc, "amd_pstate", NULL);
	assert_field(doc, "cpufreq_boost", NULL);
	cJSON_Delete(doc);
}

/* An old kernel: cpu1/cpufreq -> ../cpu0/cpufreq; cpu3 offline. */
static void old_kernel_link_and_offline(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/online", "0-2\n");
	put(t, CPU "/cpu0/cpufreq/scaling_max_freq", "2400000\n");
	put(t, CPU "/cpu0/cpufreq/cpuinfo_max_freq", "2400000\n");
	put(t, CPU "/cpu0/cpufreq/scaling_driver", "powernow-k8\n");
	put(t, CPU "/cpu2/cpufreq/scaling_max_freq", "1800000\n");
	put(t, CPU "/cpu3/cpufreq/scaling_max_freq", "1000000\n");	/* offline */
	put(t, CPU "/cpu1/online", "1\n");
	link_at(t, CPU "/cpu1/cpufreq", "../cpu0/cpufreq");
	put(t, CPU "/cpufreq/boost", "1\n");
	doc = snap(t);
	assert_field(doc, "cpufreq_max_khz", "{\"0-1\":2400000,\"2\":1800000}");
	assert_field(doc, "cpufreq_hw_max_khz", "{\"0-1\":2400000}");
	assert_field(doc, "cpufreq_driver", "\"powernow-k8\"");
	assert_field(doc, "cpufreq_boost", "true");
	cJSON_Delete(doc);
}

/* Junk where a number or boolean belongs leaves that entry or member out. */
static void malformed_values(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/online", "0-5\n");
	put(t, CPU "/cpu0/cpufreq/scaling_max_freq", "18446744073709551616\n");	/* 2^64 */
	put(t, CPU "/cpu1/cpufreq/scaling_max_freq", "2400000kHz\n");
	put(t, CPU "/cpu2/cpufreq/scaling_max_freq", "-2400000\n");
	put(t, CPU "/cpu3/cpufreq/scaling_max_freq", "2400000\r\n");
	put(t, CPU "/cpu4/cpufreq/scaling_max_freq", "");
	put(t, CPU "/cpu5/cpufreq/scaling_max_freq", "2400000\n");
	put(t, CPU "/cpufreq/boost", "yes\n");
	put(t, CPU "/intel_pstate/status", "passive\n");
	put(t, CPU "/intel_pstate/no_turbo", "2\n");
	put(t, CPU "/intel_pstate/max_perf_pct", "1e2\n");
	put(t, CPU "/amd_pstate/status", "guided\n");
	put(t, CPU "/amd_pstate/prefcore", "enabled\n");
	put(t, CPU "/cpuidle/current_driver", "acpi_idle\n");
	put(t, CPU "/cpuidle/current_governor", "ladder\n");
	put(t, CPU "/cpuidle/current_governor_ro", "menu\n");
	doc = snap(t);
	/* CRLF is trimmed as blanks are: cpu3 reads */
	assert_field(doc, "cpufreq_max_khz", "{\"3,5\":2400000}");
	assert_field(doc, "cpufreq_boost", NULL);
	assert_field(doc, "intel_pstate", "{\"status\":\"passive\"}");
	assert_field(doc, "amd_pstate", "{\"status\":\"guided\",\"prefcore\":\"enabled\"}");
	assert_field(doc, "cpuidle_driver", "\"acpi_idle\"");
	/* the read-only file wins */
	assert_field(doc, "cpuidle_governor", "\"menu\"");
	cJSON_Delete(doc);
}

/* No online list: every per-CPU field is omitted; the rest still reads. */
static void no_online_list(void **state)
{
	struct tree *t = *state;
	cJSON *doc;

	put(t, CPU "/cpu0/cpufreq/scaling_max_freq", "2400000\n");
	put(t, CPU "/cpu0/cpufreq/scaling_driver", "acpi-cpufreq\n");
	put(t, CPU "/cpufreq/boost", "0\n");
	put(t, CPU "/intel_pstate/status", "off\n");
	doc = snap(t);
	assert_field(doc, "cpufreq_max_khz", NULL);
	assert_field(doc, "cpufreq_driver", NULL);
	assert_field(doc, "cpufreq_boost", "false");
	assert_field(doc, "intel_pstate", "{\"status\":\"off\"}");
	cJSON_Delete(doc);
}

/*
 * Where policy directories list their CPUs (affected_cpus), a policy's
 * file answers for all of them, read once: the CPUs' own directories
 * (here real ones holding other numbers) are read only for what no
 * policy has.  A policy of offline CPUs, or one whose list is junk,
 * answers for nothing.
 */
static void policies_answer_for_their_cpus(void **state)
{
	struct tree *t = *state;
	char rel[128];
	cJSON *doc;

	put(t, CPU "/online", "0-7\n");
	put(t, CPU "/cpufreq/policy0/affected_cpus", "0 1 2 3\n");
	put(t, CPU "/cpufreq/policy0/scaling_max_freq", "3000000\n");
	put(t, CPU "/cpufreq/policy0/scaling_min_freq", "500000\n");
	put(t, CPU "/cpufreq/policy4/affected_cpus", "4 5 6 7\n");
	put(t, CPU "/cpufreq/policy4/scaling_max_freq", "2000000\n");
	put(t, CPU "/cpufreq/policy8/affected_cpus", "8 9\n");
	put(t, CPU "/cpufreq/policy8/scaling_max_freq", "1\n");
	put(t, CPU "/cpufreq/policy9/affected_cpus", "4 x\n");
	put(t, CPU "/cpufreq/policy9/scaling_max_freq", "2\n");
	for (int cpu = 0; cpu < 8; cpu++) {
		snprintf(rel, sizeof(rel), CPU "/cpu%d/cpufreq/scaling_max_freq", cpu);
		put(t, rel, "9\n");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/cpufreq/scaling_min_freq", cpu);
		put(t, rel, "100\n");
	}
	doc = snap(t);
	assert_field(doc, "cpufreq_max_khz", "{\"0-3\":3000000,\"4-7\":2000000}");
	/* policy4 has no scaling_min_freq: CPUs 4-7 answer for themselves */
	assert_field(doc, "cpufreq_min_khz", "{\"0-3\":500000,\"4-7\":100}");
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hybrid_three_maxima, setup, teardown),
		cmocka_unit_test_setup_teardown(old_kernel_link_and_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(policies_answer_for_their_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_values, setup, teardown),
		cmocka_unit_test_setup_teardown(no_online_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
