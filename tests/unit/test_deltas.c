/* SPDX-License-Identifier: MIT */
/*
 * deltas (lib/deltas.c): every counter's post - pre with the snapshot's
 * nesting, the shares, the throttled CPUs, wraps on 32-bit machines,
 * decreases, reboots, and exactness beyond 2^53.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static struct hostctx_snapshot *snap(void)
{
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_snapshot_new(&s), 0);
	return s;
}

static void u64(struct hostctx_snapshot *s, const char *path, uint64_t v)
{
	assert_int_equal(hostctx_snapshot_set_u64(s, path, v), 0);
}

/* The deltas of pre -> post as JSON text ("" when none), and the reason. */
static char *deltas_json(const struct hostctx_snapshot *pre,
			 const struct hostctx_snapshot *post, const char **why)
{
	struct hostctx_sidecar *sc = NULL;
	char *text = NULL, *out;
	cJSON *doc, *d;

	struct hostctx_snapshot *a = NULL, *b = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	hostctx_sidecar_set_complete(sc, true);
	assert_int_equal(hostctx_snapshot_dup(pre, &a), 0);
	assert_int_equal(hostctx_snapshot_dup(post, &b), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, a);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, b);
	assert_int_equal(hostctx_sidecar_to_json(sc, &text, NULL), 0);
	hostctx_sidecar_free(sc);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	free(text);
	d = cJSON_GetObjectItemCaseSensitive(doc, "deltas_unavailable");
	*why = d ? (cJSON_IsString(d) ? strdup(d->valuestring) : "?") : NULL;
	d = cJSON_GetObjectItemCaseSensitive(doc, "deltas");
	out = d ? cJSON_PrintUnformatted(d) : strdup("");
	cJSON_Delete(doc);
	return out;
}

static void pair(struct hostctx_snapshot **a, struct hostctx_snapshot **b)
{
	*a = snap();
	*b = snap();
	assert_int_equal(hostctx_snapshot_set_string(*a, "boot_id",
						     "d3ff9617-c8bc-487a-b3fe-ff463eae3227"), 0);
	assert_int_equal(hostctx_snapshot_set_string(*b, "boot_id",
						     "d3ff9617-c8bc-487a-b3fe-ff463eae3227"), 0);
	assert_int_equal(hostctx_snapshot_set_double(*a, "uptime_seconds", 100.0), 0);
	assert_int_equal(hostctx_snapshot_set_double(*b, "uptime_seconds", 112.34), 0);
	assert_int_equal(hostctx_snapshot_set_string(*a, "arch", "x86_64"), 0);
	assert_int_equal(hostctx_snapshot_set_string(*b, "arch", "x86_64"), 0);
}

static void every_delta_and_share(void **state)
{
	struct hostctx_snapshot *a, *b;
	const char *why;
	char *got;

	(void)state;
	pair(&a, &b);
	u64(a, "cpu_time_ticks.user", 1000);
	u64(b, "cpu_time_ticks.user", 1950);
	u64(a, "cpu_time_ticks.system", 100);
	u64(b, "cpu_time_ticks.system", 310);
	u64(a, "cpu_time_ticks.idle", 5000);
	u64(b, "cpu_time_ticks.idle", 6280);
	u64(a, "cpu_time_ticks.steal", 8);
	u64(b, "cpu_time_ticks.steal", 30);
	u64(a, "context_switches", 10);
	u64(b, "context_switches", 51244);
	u64(a, "procs_running", 9);	/* a gauge: no delta */
	u64(b, "procs_running", 1);
	u64(a, "vmstat.pswpin", 3);
	u64(b, "vmstat.pswpin", 3);
	u64(b, "vmstat.oom_kill", 1);	/* on one side only: skipped */
	u64(a, "pressure.cpu.some_total_us", 1000);
	u64(b, "pressure.cpu.some_total_us", 124400);
	assert_int_equal(hostctx_snapshot_set_double(a, "pressure.cpu.some_avg10", 1.5), 0);
	assert_int_equal(hostctx_snapshot_set_double(b, "pressure.cpu.some_avg10", 0.5), 0);
	u64(a, "thermal_throttle.core_count", 10);
	u64(b, "thermal_throttle.core_count", 14);
	u64(a, "thermal_throttle.core_count_by_cpu.cpu2", 10);
	u64(b, "thermal_throttle.core_count_by_cpu.cpu2", 12);
	u64(b, "thermal_throttle.core_count_by_cpu.cpu3", 2);
	got = deltas_json(a, b, &why);
	assert_null(why);
	assert_string_equal(got,
		"{\"seconds\":12.34,"
		"\"cpu_time_ticks\":{\"user\":950,\"system\":210,\"idle\":1280,\"steal\":22},"
		/* of 2462 ticks: 1160 busy, 1280 idle, 22 stolen */
		"\"cpu_time_share\":{\"busy\":0.4712,\"idle\":0.5199,\"iowait\":0,\"irq\":0,"
		"\"softirq\":0,\"steal\":0.0089},"
		"\"context_switches\":51234,"
		"\"vmstat\":{\"pswpin\":0},"
		"\"pressure\":{\"cpu\":{\"some_total_us\":123400,\"some_share\":0.01}},"
		"\"thermal_throttle\":{\"core_count\":4,\"cpus\":\"2-3\"}}");
	free(got);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
}

static void wraps_decreases_and_reboots(void **state)
{
	struct hostctx_snapshot *a, *b;
	const char *why;
	char *got;

	(void)state;
	/* a 32-bit machine: an unsigned long counter wrapped */
	pair(&a, &b);
	assert_int_equal(hostctx_snapshot_set_string(b, "arch", "i686"), 0);
	u64(a, "vmstat.pgfault", UINT32_MAX - 5);
	u64(b, "vmstat.pgfault", 10);
	got = deltas_json(a, b, &why);
	assert_non_null(strstr(got, "\"vmstat\":{\"pgfault\":16}"));
	assert_non_null(strstr(got, "\"anomalies\":{\"vmstat.pgfault\":\"wrapped_32bit\"}"));
	free(got);
	/* the same on a 64-bit machine: decreased, no delta */
	assert_int_equal(hostctx_snapshot_set_string(b, "arch", "x86_64"), 0);
	got = deltas_json(a, b, &why);
	assert_null(strstr(got, "\"vmstat\":"));
	assert_non_null(strstr(got, "\"anomalies\":{\"vmstat.pgfault\":\"decreased\"}"));
	free(got);
	/* another boot: no deltas at all */
	assert_int_equal(hostctx_snapshot_set_string(b, "boot_id",
						     "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"), 0);
	got = deltas_json(a, b, &why);
	assert_string_equal(got, "");
	assert_string_equal(why, "boot_changed");
	free(got);
	free((char *)why);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
	/* without boot_id, an uptime that went back */
	a = snap();
	b = snap();
	assert_int_equal(hostctx_snapshot_set_double(a, "uptime_seconds", 100.0), 0);
	assert_int_equal(hostctx_snapshot_set_double(b, "uptime_seconds", 5.0), 0);
	got = deltas_json(a, b, &why);
	assert_string_equal(why, "uptime_went_back");
	free(got);
	free((char *)why);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
}

/* cgroup deltas only within one cgroup. */
static void cgroup_changed(void **state)
{
	struct hostctx_snapshot *a, *b;
	const char *why;
	char *got;

	(void)state;
	pair(&a, &b);
	u64(a, "cgroup_cpu_stat.nr_throttled", 3);
	u64(b, "cgroup_cpu_stat.nr_throttled", 5);
	u64(a, "cgroup.id", 100);
	u64(b, "cgroup.id", 100);
	got = deltas_json(a, b, &why);
	assert_non_null(strstr(got, "\"cgroup_cpu_stat\":{\"nr_throttled\":2}"));
	free(got);
	u64(b, "cgroup.id", 101);
	got = deltas_json(a, b, &why);
	assert_null(strstr(got, "\"cgroup_cpu_stat\":{"));
	assert_non_null(strstr(got, "\"anomalies\":{\"cgroup_cpu_stat\":\"cgroup_changed\"}"));
	free(got);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
}

static void exact_beyond_2_53(void **state)
{
	struct hostctx_snapshot *a, *b;
	const char *why;
	char *got;

	(void)state;
	pair(&a, &b);
	u64(a, "interrupts", UINT64_C(1) << 60);
	u64(b, "interrupts", (UINT64_C(1) << 60) + (UINT64_C(1) << 54) + 1);
	(void)why;
	{
		/* the sidecar's own text (cJSON would print a double) */
		struct hostctx_sidecar *sc = NULL;

		assert_int_equal(hostctx_sidecar_new(&sc), 0);
		hostctx_sidecar_set_complete(sc, true);
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, a);
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, b);
		assert_int_equal(hostctx_sidecar_to_json(sc, &got, NULL), 0);
		hostctx_sidecar_free(sc);
	}
	assert_non_null(strstr(got, "\"interrupts\": 18014398509481985"));
	free(got);
}

static void arches(void **state)
{
	(void)state;
	assert_true(hctx_arch_is_32bit("i386"));
	assert_true(hctx_arch_is_32bit("i686"));
	assert_true(hctx_arch_is_32bit("armv7l"));
	assert_true(hctx_arch_is_32bit("s390"));
	assert_false(hctx_arch_is_32bit("s390x"));
	assert_false(hctx_arch_is_32bit("aarch64"));
	assert_false(hctx_arch_is_32bit("arm64"));
	assert_false(hctx_arch_is_32bit("ppc64le"));
	assert_false(hctx_arch_is_32bit("x86_64"));
	assert_false(hctx_arch_is_32bit(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_delta_and_share),
		cmocka_unit_test(wraps_decreases_and_reboots),
		cmocka_unit_test(cgroup_changed),
		cmocka_unit_test(exact_beyond_2_53),
		cmocka_unit_test(arches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
