/* SPDX-License-Identifier: MIT */
/*
 * hostctx_diff and hostctx_changes_filter: the structured shapes behind
 * the reference's diff tests (spec/reference-tests.md 33, 38-48) and
 * CONTRACT §3's rules for maps and heap_state.
 */
#include "json_fixture.h"

struct pair {
	struct hostctx_snapshot a, b;
	struct hostctx_changes c;
};

/* Two copies of the fixture (or two empty snapshots). */
static void pair_init(struct pair *p, bool populated)
{
	hostctx_snapshot_init(&p->a);
	hostctx_snapshot_init(&p->b);
	p->c = (struct hostctx_changes){ 0 };
	if (populated) {
		fixture(&p->a);
		fixture(&p->b);
	}
}

static void pair_diff(struct pair *p)
{
	hostctx_changes_clear(&p->c);
	assert_int_equal(hostctx_diff(&p->a, &p->b, &p->c), 0);
}

static void pair_clear(struct pair *p)
{
	hostctx_changes_clear(&p->c);
	hostctx_snapshot_clear(&p->a);
	hostctx_snapshot_clear(&p->b);
}

static void assert_string_value(const struct hostctx_value *v, const char *want)
{
	if (!want) {
		assert_int_equal(v->kind, HOSTCTX_VALUE_ABSENT);
		return;
	}
	assert_int_equal(v->kind, HOSTCTX_VALUE_STRING);
	assert_string_equal(v->string, want);
}

static void assert_change(const struct hostctx_change *c, const char *field,
			  bool is_map_entry, const char *before, const char *after)
{
	assert_string_equal(c->field, field);
	assert_int_equal(c->is_map_entry, is_map_entry);
	assert_string_value(&c->before, before);
	assert_string_value(&c->after, after);
}

/* ---- the reference's shapes -------------------------------------------- */

static void identical_gives_no_changes(void **state)
{
	struct pair p;

	pair_init(&p, true);
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
	pair_init(&p, false);
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
}

static void single_field_surfaces_only_that_field(void **state)
{
	struct pair p;

	pair_init(&p, true);
	set_str(&p.b.kernel_cmdline, "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda2");
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_change(&p.c.items[0], "kernel_cmdline", false,
		      "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1",
		      "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda2");
	/* Values are borrowed from the snapshots. */
	assert_ptr_equal(p.c.items[0].before.string, p.a.kernel_cmdline);
	assert_ptr_equal(p.c.items[0].after.string, p.b.kernel_cmdline);
	pair_clear(&p);
}

static void none_to_some_and_back(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_str(&p.b.kernel_name, "Linux");
	set_str(&p.a.kernel_release, "6.11.0");
	pair_diff(&p);
	assert_int_equal(p.c.n, 2);
	assert_change(&p.c.items[0], "kernel_name", false, NULL, "Linux");
	assert_change(&p.c.items[1], "kernel_release", false, "6.11.0", NULL);
	pair_clear(&p);
}

static void u64_changes_carry_numbers(void **state)
{
	struct pair p;

	pair_init(&p, true);
	p.b.hugepages_free.value = 7;
	p.b.numa_nodes.present = false;
	pair_diff(&p);
	assert_int_equal(p.c.n, 2);
	assert_string_equal(p.c.items[0].field, "hugepages_free");
	assert_int_equal(p.c.items[0].before.kind, HOSTCTX_VALUE_U64);
	assert_int_equal(p.c.items[0].before.u64, 0);
	assert_int_equal(p.c.items[0].after.u64, 7);
	assert_string_equal(p.c.items[1].field, "numa_nodes");
	assert_int_equal(p.c.items[1].before.u64, 2);
	assert_int_equal(p.c.items[1].after.kind, HOSTCTX_VALUE_ABSENT);
	pair_clear(&p);
}

static void absent_u64_equals_absent_whatever_its_value(void **state)
{
	struct pair p;

	pair_init(&p, false);
	p.a.online_cpus.value = 3;	/* not present: the value means nothing */
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
}

static void accounting_states_use_json_names(void **state)
{
	struct pair p;

	pair_init(&p, true);
	p.a.task_delayacct = HOSTCTX_DELAYACCT_CONFIG_OFF;
	p.b.config_task_xacct = HOSTCTX_XACCT_UNKNOWN;
	pair_diff(&p);
	assert_int_equal(p.c.n, 2);
	assert_change(&p.c.items[0], "task_delayacct", false, "config_off", "on");
	assert_change(&p.c.items[1], "config_task_xacct", false, "on", "unknown");
	pair_clear(&p);
}

static void changes_come_in_report_order(void **state)
{
	static const char *const want[] = {
		"kernel_name", "cpu_vendor", "online_cpus", "thp_defrag",
		"config_task_xacct", "cpufreq_governor.cpu15",
		"sched_tunables.sched_latency_ns",
	};
	struct pair p;

	pair_init(&p, true);
	/* Set in a scrambled order: the result follows the table. */
	set_str(&p.b.thp_defrag, "[never]");
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "sched_latency_ns", "1"), 0);
	set_str(&p.b.kernel_name, "Other");
	p.b.config_task_xacct = HOSTCTX_XACCT_OFF;
	assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, 15, "schedutil"), 0);
	set_u64(&p.b.online_cpus, 15);
	set_str(&p.b.cpu_vendor, "AuthenticAMD");
	pair_diff(&p);
	assert_int_equal(p.c.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < p.c.n; i++)
		assert_string_equal(p.c.items[i].field, want[i]);
	pair_clear(&p);
}

static void default_against_fixture_mentions_every_field(void **state)
{
	struct pair p;

	pair_init(&p, true);
	hostctx_snapshot_clear(&p.a);
	pair_diff(&p);
	for (size_t i = 0; i < hctx_n_fields; i++) {
		bool seen = false;

		for (size_t j = 0; j < p.c.n; j++)
			seen |= strcmp(p.c.items[j].field, hctx_fields[i].name) == 0;
		/* heap_state is reported, never compared (CONTRACT §3). */
		assert_int_equal(seen, hctx_fields[i].kind != HCTX_KIND_HEAP);
	}
	assert_int_equal(p.c.n, hctx_n_fields - 1);
	pair_clear(&p);
}

/* ---- cpufreq_governor ---------------------------------------------------- */

static void governors_both_empty_give_nothing(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_u64(&p.a.online_cpus, 2);
	set_u64(&p.b.online_cpus, 2);
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
}

static void governor_cpu_only_in_a_shows_absent(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 0, "performance"), 0);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 1, "performance"), 0);
	assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, 1, "performance"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_change(&p.c.items[0], "cpufreq_governor.cpu0", true, "performance", NULL);
	pair_clear(&p);
}

static void governor_value_change_only_that_cpu(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 0, "performance"), 0);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 1, "performance"), 0);
	assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, 0, "powersave"), 0);
	assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, 1, "performance"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_change(&p.c.items[0], "cpufreq_governor.cpu0", true, "performance", "powersave");
	pair_clear(&p);
}

static void governor_cpus_in_numeric_order(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 10, "a"), 0);
	assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, 2, "a"), 0);
	assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, 3, "b"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 3);
	assert_change(&p.c.items[0], "cpufreq_governor.cpu2", true, "a", NULL);
	assert_change(&p.c.items[1], "cpufreq_governor.cpu3", true, NULL, "b");
	assert_change(&p.c.items[2], "cpufreq_governor.cpu10", true, "a", NULL);
	pair_clear(&p);
}

static void governor_map_on_one_side_is_one_change(void **state)
{
	struct pair p;

	pair_init(&p, true);
	hostctx_snapshot_clear(&p.b);
	set_str(&p.b.kernel_name, "Linux");
	pair_diff(&p);
	for (size_t i = 0; i < p.c.n; i++) {
		if (strncmp(p.c.items[i].field, "cpufreq_governor", 16) != 0)
			continue;
		assert_string_equal(p.c.items[i].field, "cpufreq_governor");
		assert_false(p.c.items[i].is_map_entry);
		assert_int_equal(p.c.items[i].before.kind, HOSTCTX_VALUE_GOVMAP);
		assert_ptr_equal(p.c.items[i].before.govmap, &p.a.cpufreq_governor);
		assert_int_equal(p.c.items[i].after.kind, HOSTCTX_VALUE_ABSENT);
		pair_clear(&p);
		return;
	}
	fail_msg("no cpufreq_governor change");
}

/* ---- sched_tunables ------------------------------------------------------- */

static void tunables_per_key(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_kvmap_set(&p.a.sched_tunables, "a", "1"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.a.sched_tunables, "b", "2"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "a", "1"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "b", "20"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "c", "3"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 2);
	assert_change(&p.c.items[0], "sched_tunables.b", true, "2", "20");
	assert_change(&p.c.items[1], "sched_tunables.c", true, NULL, "3");
	pair_clear(&p);
}

static void tunables_key_removed(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_kvmap_set(&p.a.sched_tunables, "a", "1"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.a.sched_tunables, "b", "2"), 0);
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "a", "1"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_change(&p.c.items[0], "sched_tunables.b", true, "2", NULL);
	pair_clear(&p);
}

static void tunables_none_vs_some_is_one_change(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_kvmap_set(&p.b.sched_tunables, "a", "1"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_string_equal(p.c.items[0].field, "sched_tunables");
	assert_false(p.c.items[0].is_map_entry);
	assert_int_equal(p.c.items[0].before.kind, HOSTCTX_VALUE_ABSENT);
	assert_int_equal(p.c.items[0].after.kind, HOSTCTX_VALUE_KVMAP);
	assert_ptr_equal(p.c.items[0].after.kvmap, &p.b.sched_tunables);
	pair_clear(&p);
}

static void tunables_empty_vs_absent_is_a_change(void **state)
{
	struct pair p;

	pair_init(&p, false);
	p.a.sched_tunables.present = true;
	pair_diff(&p);
	assert_int_equal(p.c.n, 1);
	assert_string_equal(p.c.items[0].field, "sched_tunables");
	assert_int_equal(p.c.items[0].before.kind, HOSTCTX_VALUE_KVMAP);
	assert_int_equal(p.c.items[0].before.kvmap->n, 0);
	assert_int_equal(p.c.items[0].after.kind, HOSTCTX_VALUE_ABSENT);
	pair_clear(&p);
}

static void tunables_both_empty_give_nothing(void **state)
{
	struct pair p;

	pair_init(&p, false);
	p.a.sched_tunables.present = true;
	p.b.sched_tunables.present = true;
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
}

/* ---- heap_state ------------------------------------------------------------ */

static void heap_state_is_never_compared(void **state)
{
	struct pair p;

	pair_init(&p, true);
	p.b.heap_state->allocated_bytes.value = 1;
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	free(p.b.heap_state);
	p.b.heap_state = NULL;
	pair_diff(&p);
	assert_int_equal(p.c.n, 0);
	pair_clear(&p);
}

/* ---- filter ---------------------------------------------------------------- */

static void filter_fixture(struct pair *p)
{
	pair_init(p, true);
	set_str(&p->b.kernel_release, "6.17.0");
	assert_int_equal(hostctx_kvmap_set(&p->b.sched_tunables, "sched_latency_ns", "1"), 0);
	assert_int_equal(hostctx_kvmap_set(&p->b.sched_tunables, "sched_migration_cost_ns", "2"), 0);
	assert_int_equal(hostctx_govmap_set(&p->b.cpufreq_governor, 3, "powersave"), 0);
	pair_diff(p);
	assert_int_equal(p->c.n, 4);
}

static void filter_drops_matching_fields(void **state)
{
	static const char *const globs[] = { "sched_tunables.*" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(&p.c, globs, 1);
	assert_int_equal(p.c.n, 2);
	assert_string_equal(p.c.items[0].field, "kernel_release");
	assert_string_equal(p.c.items[1].field, "cpufreq_governor.cpu3");
	pair_clear(&p);
}

static void filter_with_several_globs(void **state)
{
	static const char *const globs[] = { "kernel_*", "cpufreq_governor.cpu[0-9]",
					     "*latency*" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(&p.c, globs, 3);
	assert_int_equal(p.c.n, 1);
	assert_string_equal(p.c.items[0].field, "sched_tunables.sched_migration_cost_ns");
	pair_clear(&p);
}

static void filter_keeps_what_does_not_match(void **state)
{
	static const char *const globs[] = { "sched_tunables", "thp_*", "cpu" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(&p.c, globs, 3);
	assert_int_equal(p.c.n, 4);
	hostctx_changes_filter(&p.c, NULL, 0);
	assert_int_equal(p.c.n, 4);
	pair_clear(&p);
}

static void filter_everything_then_reuse(void **state)
{
	static const char *const globs[] = { "*" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(&p.c, globs, 1);
	assert_int_equal(p.c.n, 0);
	hostctx_changes_clear(&p.c);
	assert_null(p.c.items);
	pair_clear(&p);
}

static void many_changes_grow(void **state)
{
	struct pair p;

	pair_init(&p, false);
	for (unsigned cpu = 0; cpu < 4096; cpu++)
		assert_int_equal(hostctx_govmap_set(&p.a.cpufreq_governor, cpu, "a"), 0);
	for (unsigned cpu = 0; cpu < 4096; cpu += 2)
		assert_int_equal(hostctx_govmap_set(&p.b.cpufreq_governor, cpu, "b"), 0);
	pair_diff(&p);
	assert_int_equal(p.c.n, 4096);
	assert_change(&p.c.items[4095], "cpufreq_governor.cpu4095", true, "a", NULL);
	assert_change(&p.c.items[4094], "cpufreq_governor.cpu4094", true, "a", "b");
	pair_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_gives_no_changes),
		cmocka_unit_test(single_field_surfaces_only_that_field),
		cmocka_unit_test(none_to_some_and_back),
		cmocka_unit_test(u64_changes_carry_numbers),
		cmocka_unit_test(absent_u64_equals_absent_whatever_its_value),
		cmocka_unit_test(accounting_states_use_json_names),
		cmocka_unit_test(changes_come_in_report_order),
		cmocka_unit_test(default_against_fixture_mentions_every_field),
		cmocka_unit_test(governors_both_empty_give_nothing),
		cmocka_unit_test(governor_cpu_only_in_a_shows_absent),
		cmocka_unit_test(governor_value_change_only_that_cpu),
		cmocka_unit_test(governor_cpus_in_numeric_order),
		cmocka_unit_test(governor_map_on_one_side_is_one_change),
		cmocka_unit_test(tunables_per_key),
		cmocka_unit_test(tunables_key_removed),
		cmocka_unit_test(tunables_none_vs_some_is_one_change),
		cmocka_unit_test(tunables_empty_vs_absent_is_a_change),
		cmocka_unit_test(tunables_both_empty_give_nothing),
		cmocka_unit_test(heap_state_is_never_compared),
		cmocka_unit_test(filter_drops_matching_fields),
		cmocka_unit_test(filter_with_several_globs),
		cmocka_unit_test(filter_keeps_what_does_not_match),
		cmocka_unit_test(filter_everything_then_reuse),
		cmocka_unit_test(many_changes_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
