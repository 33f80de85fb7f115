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

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline void set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
	if (value)
		assert_non_null(*field);
}

static inline void set_u64(struct hostctx_u64 *field, uint64_t value)
{
	field->present = true;
	field->value = value;
}

static inline struct hostctx_heap *heap_fixture(void)
{
	struct hostctx_heap *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	set_u64(&h->active_bytes, 1 << 20);
	set_u64(&h->allocated_bytes, 512 * 1024);
	set_u64(&h->resident_bytes, 2 << 20);
	set_u64(&h->mapped_bytes, 4 << 20);
	set_u64(&h->narenas, 64);
	return h;
}

/* Fills an initialised snapshot; every field present. */
static inline void fixture(struct hostctx_snapshot *s)
{
	set_str(&s->cpu_model, "Intel(R) Xeon(R) Test CPU");
	set_str(&s->cpu_vendor, "GenuineIntel");
	set_u64(&s->total_memory_kib, UINT64_C(64) * 1024 * 1024);
	set_u64(&s->hugepages_total, 0);
	set_u64(&s->hugepages_free, 0);
	set_u64(&s->hugepages_size_kib, 2048);
	set_str(&s->thp_enabled, "always [madvise] never");
	set_str(&s->thp_defrag, "always defer defer+madvise [madvise] never");
	assert_int_equal(hostctx_kvmap_set(&s->sched_tunables,
					   "sched_migration_cost_ns", "500000"), 0);
	assert_int_equal(hostctx_kvmap_set(&s->sched_tunables,
					   "sched_latency_ns", "24000000"), 0);
	set_u64(&s->online_cpus, 16);
	set_u64(&s->numa_nodes, 2);
	for (unsigned cpu = 0; cpu < 16; cpu++)
		assert_int_equal(hostctx_govmap_set(&s->cpufreq_governor, cpu,
						    "performance"), 0);
	set_str(&s->kernel_name, "Linux");
	set_str(&s->kernel_release, "6.16.0-test");
	set_str(&s->arch, "x86_64");
	set_str(&s->kernel_cmdline, "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1");
	s->task_delayacct = HOSTCTX_DELAYACCT_ON;
	s->config_task_xacct = HOSTCTX_XACCT_ON;
	s->heap_state = heap_fixture();
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
