/* SPDX-License-Identifier: MIT */
/*
 * hostctx_diff and hostctx_changes_filter: the structured shapes behind
 * the reference's diff tests (the reference's tests in host_context.rs, 33, 38-48) and
 * the rules of docs/json-format.md for maps and heap_state.
 */
#include "json_fixture.h"

#include <errno.h>

struct pair {
	struct hostctx_snapshot *a, *b;
	struct hostctx_changes *c;
};

/* Two copies of the fixture (or two empty snapshots). */
static void pair_init(struct pair *p, bool populated)
{
	p->a = populated ? fixture_new() : snapshot_new();
	p->b = populated ? fixture_new() : snapshot_new();
	p->c = NULL;
}

static void pair_diff(struct pair *p)
{
	hostctx_changes_free(p->c);
	p->c = NULL;
	assert_int_equal(hostctx_diff(p->a, p->b, &p->c), 0);
	assert_non_null(p->c);
}

static void pair_clear(struct pair *p)
{
	hostctx_changes_free(p->c);
	hostctx_snapshot_free(p->a);
	hostctx_snapshot_free(p->b);
	*p = (struct pair){ NULL, NULL, NULL };
}

static size_t n_changes(const struct pair *p)
{
	return hostctx_changes_count(p->c);
}

static const char *field_of(const struct pair *p, size_t i)
{
	const char *f = hostctx_change_field(p->c, i);

	assert_non_null(f);
	return f;
}

/* One side of change i must be this JSON text ("null" when absent). */
static void assert_side_json(const struct pair *p, size_t i, enum hostctx_side side,
			     const char *want)
{
	char *text = NULL;

	assert_int_equal(hostctx_change_value_json(p->c, i, side, &text), 0);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

/* A string side: want NULL means absent. */
static void assert_string_side(const struct pair *p, size_t i,
			       enum hostctx_side side, const char *want)
{
	const struct hctx_value *v = side == HOSTCTX_BEFORE ? p->c->items[i].before :
							      p->c->items[i].after;
	char json[512];

	if (!want) {
		assert_null(v);
		assert_side_json(p, i, side, "null");
		return;
	}
	assert_non_null(v);
	assert_int_equal(v->node, HCTX_NODE_STRING);
	assert_string_equal(v->s, want);
	snprintf(json, sizeof(json), "\"%s\"", want);
	assert_side_json(p, i, side, json);
}

static void assert_change(const struct pair *p, size_t i, const char *field,
			  bool is_map_entry, const char *before, const char *after)
{
	assert_true(i < n_changes(p));
	assert_string_equal(field_of(p, i), field);
	assert_int_equal(p->c->items[i].is_map_entry, is_map_entry);
	assert_string_side(p, i, HOSTCTX_BEFORE, before);
	assert_string_side(p, i, HOSTCTX_AFTER, after);
}

/* The value tree of a field (or of its map entry key) in s. */
static const struct hctx_value *tree_of(const struct hostctx_snapshot *s,
					const char *field, const char *key)
{
	int row = hostctx_field_index(field);
	const struct hctx_value *v;

	assert_true(row >= 0);
	v = hctx_snapshot_value(s, (size_t)row);
	if (v && key) {
		const struct hctx_entry *e = hctx_map_find(v, key);

		v = e ? e->value : NULL;
	}
	return v;
}

/* ---- the reference's shapes -------------------------------------------- */

static void identical_gives_no_changes(void **state)
{
	struct pair p;

	pair_init(&p, true);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
	pair_init(&p, false);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
}

static void single_field_surfaces_only_that_field(void **state)
{
	struct pair p;

	pair_init(&p, true);
	set_str(p.b, "kernel_cmdline", "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda2");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_change(&p, 0, "kernel_cmdline", false,
		      "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1",
		      "BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda2");
	assert_int_equal(hostctx_change_class(p.c, 0), HOSTCTX_CLASS_CONFIG);
	assert_int_equal(hostctx_change_class(p.c, 0),
			 hostctx_field_class((size_t)hostctx_field_index("kernel_cmdline")));
	/* Values are borrowed from the snapshots. */
	assert_ptr_equal(p.c->items[0].before, tree_of(p.a, "kernel_cmdline", NULL));
	assert_ptr_equal(p.c->items[0].after, tree_of(p.b, "kernel_cmdline", NULL));
	/* out of range */
	assert_null(hostctx_change_field(p.c, 1));
	assert_int_equal(hostctx_change_class(p.c, 1), -EINVAL);
	{
		char *text = (char *)"untouched";

		assert_int_equal(hostctx_change_value_json(p.c, 1, HOSTCTX_BEFORE, &text),
				 -EINVAL);
		assert_string_equal(text, "untouched");
	}
	pair_clear(&p);
}

static void none_to_some_and_back(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_str(p.b, "kernel_name", "Linux");
	set_str(p.a, "kernel_release", "6.11.0");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 2);
	assert_change(&p, 0, "kernel_name", false, NULL, "Linux");
	assert_change(&p, 1, "kernel_release", false, "6.11.0", NULL);
	pair_clear(&p);
}

static void u64_changes_carry_numbers(void **state)
{
	struct pair p;

	pair_init(&p, true);
	set_u64(p.b, "hugepages_free", 7);
	assert_int_equal(hostctx_snapshot_unset(p.b, "numa_nodes"), 0);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 2);
	assert_string_equal(field_of(&p, 0), "hugepages_free");
	assert_int_equal(p.c->items[0].before->node, HCTX_NODE_U64);
	assert_int_equal(p.c->items[0].before->u, 0);
	assert_int_equal(p.c->items[0].after->u, 7);
	assert_side_json(&p, 0, HOSTCTX_BEFORE, "0");
	assert_side_json(&p, 0, HOSTCTX_AFTER, "7");
	assert_string_equal(field_of(&p, 1), "numa_nodes");
	assert_int_equal(p.c->items[1].before->u, 2);
	assert_null(p.c->items[1].after);
	assert_side_json(&p, 1, HOSTCTX_BEFORE, "2");
	assert_side_json(&p, 1, HOSTCTX_AFTER, "null");
	pair_clear(&p);
}

static void absent_u64_equals_absent_whatever_it_was(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_u64(p.a, "online_cpus", 3);	/* set, then removed: absent again */
	assert_int_equal(hostctx_snapshot_unset(p.a, "online_cpus"), 0);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	assert_true(hostctx_snapshot_equal(p.a, p.b));
	pair_clear(&p);
}

static void accounting_states_use_json_names(void **state)
{
	struct pair p;

	pair_init(&p, true);
	set_str(p.a, "task_delayacct", "config_off");
	set_str(p.b, "config_task_xacct", "unknown");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 2);
	assert_change(&p, 0, "task_delayacct", false, "config_off", "on");
	assert_change(&p, 1, "config_task_xacct", false, "on", "unknown");
	pair_clear(&p);
}

/* The fields of want must come in the table's order. */
static void assert_in_table_order(const char *const *want, size_t n)
{
	int prev = -1;

	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(want[i], ".");
		char name[64];
		int row;

		snprintf(name, sizeof(name), "%.*s", (int)len, want[i]);
		row = hostctx_field_index(name);
		assert_true(row >= 0);
		assert_true(row >= prev);
		prev = row;
	}
}

static void changes_come_in_report_order(void **state)
{
	static const char *const want[] = {
		"kernel_name", "cpu_vendor", "online_cpus", "thp_defrag",
		"config_task_xacct", "cpufreq_governor.cpu15",
		"sched_tunables.sched_latency_ns",
	};
	struct pair p;

	/* the pinned list is the reference's order; it is the table's too */
	assert_in_table_order(want, sizeof(want) / sizeof(want[0]));
	pair_init(&p, true);
	/* Set in a scrambled order: the result follows the table. */
	set_str(p.b, "thp_defrag", "[never]");
	set_tunable(p.b, "sched_latency_ns", "1");
	set_str(p.b, "kernel_name", "Other");
	set_str(p.b, "config_task_xacct", "off");
	set_governor(p.b, 15, "schedutil");
	set_u64(p.b, "online_cpus", 15);
	set_str(p.b, "cpu_vendor", "AuthenticAMD");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n_changes(&p); i++)
		assert_string_equal(field_of(&p, i), want[i]);
	pair_clear(&p);
}

static void default_against_fixture_mentions_every_field(void **state)
{
	struct pair p;
	size_t compared = 0;

	pair_init(&p, true);
	hostctx_snapshot_free(p.a);
	p.a = snapshot_new();
	pair_diff(&p);
	size_t never = 0;

	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *f = &hctx_fields[i];
		/* telemetry beyond the reference never enters changes */
		bool expected = !f->never_compared &&
				(f->seed || f->cls != HOSTCTX_CLASS_TELEMETRY);
		bool seen = false;

		for (size_t j = 0; j < n_changes(&p); j++)
			seen |= strcmp(field_of(&p, j), f->name) == 0;
		/* heap_state is reported, never compared (docs/json-format.md). */
		assert_int_equal(seen, expected);
		compared += expected;
		never += f->never_compared;
	}
	assert_int_equal(n_changes(&p), compared);
	/* exactly three rows are never compared: heap_state, redacted, truncated */
	assert_int_equal(never, 3);
	assert_true(hctx_field_by_name("heap_state", 10)->never_compared);
	assert_true(hctx_field_by_name("redacted", 8)->never_compared);
	assert_true(hctx_field_by_name("truncated", 9)->never_compared);
	pair_clear(&p);
}

/* ---- cpufreq_governor ---------------------------------------------------- */

static void governors_both_empty_give_nothing(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_u64(p.a, "online_cpus", 2);
	set_u64(p.b, "online_cpus", 2);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
}

static void governor_cpu_only_in_a_shows_absent(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_governor(p.a, 0, "performance");
	set_governor(p.a, 1, "performance");
	set_governor(p.b, 1, "performance");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_change(&p, 0, "cpufreq_governor.cpu0", true, "performance", NULL);
	pair_clear(&p);
}

static void governor_value_change_only_that_cpu(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_governor(p.a, 0, "performance");
	set_governor(p.a, 1, "performance");
	set_governor(p.b, 0, "powersave");
	set_governor(p.b, 1, "performance");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_change(&p, 0, "cpufreq_governor.cpu0", true, "performance", "powersave");
	assert_ptr_equal(p.c->items[0].before, tree_of(p.a, "cpufreq_governor", "0"));
	assert_ptr_equal(p.c->items[0].after, tree_of(p.b, "cpufreq_governor", "0"));
	pair_clear(&p);
}

static void governor_cpus_in_numeric_order(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_governor(p.a, 10, "a");
	set_governor(p.a, 2, "a");
	set_governor(p.b, 3, "b");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 3);
	assert_change(&p, 0, "cpufreq_governor.cpu2", true, "a", NULL);
	assert_change(&p, 1, "cpufreq_governor.cpu3", true, NULL, "b");
	assert_change(&p, 2, "cpufreq_governor.cpu10", true, "a", NULL);
	pair_clear(&p);
}

static void governor_map_on_one_side_is_one_change(void **state)
{
	struct pair p;

	pair_init(&p, true);
	hostctx_snapshot_free(p.b);
	p.b = snapshot_new();
	set_str(p.b, "kernel_name", "Linux");
	pair_diff(&p);
	for (size_t i = 0; i < n_changes(&p); i++) {
		char *text = NULL;

		if (strncmp(field_of(&p, i), "cpufreq_governor", 16) != 0)
			continue;
		assert_string_equal(field_of(&p, i), "cpufreq_governor");
		assert_false(p.c->items[i].is_map_entry);
		assert_non_null(p.c->items[i].before);
		assert_int_equal(p.c->items[i].before->node, HCTX_NODE_MAP);
		assert_ptr_equal(p.c->items[i].before, tree_of(p.a, "cpufreq_governor", NULL));
		assert_null(p.c->items[i].after);
		assert_int_equal(hostctx_change_value_json(p.c, i, HOSTCTX_BEFORE, &text), 0);
		assert_int_equal(text[0], '{');
		assert_int_equal(count_of(text, "\"performance\""), 16);
		free(text);
		assert_side_json(&p, i, HOSTCTX_AFTER, "null");
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
	set_tunable(p.a, "a", "1");
	set_tunable(p.a, "b", "2");
	set_tunable(p.b, "a", "1");
	set_tunable(p.b, "b", "20");
	set_tunable(p.b, "c", "3");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 2);
	assert_change(&p, 0, "sched_tunables.b", true, "2", "20");
	assert_change(&p, 1, "sched_tunables.c", true, NULL, "3");
	pair_clear(&p);
}

static void tunables_key_removed(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_tunable(p.a, "a", "1");
	set_tunable(p.a, "b", "2");
	set_tunable(p.b, "a", "1");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_change(&p, 0, "sched_tunables.b", true, "2", NULL);
	pair_clear(&p);
}

static void tunables_none_vs_some_is_one_change(void **state)
{
	struct pair p;

	pair_init(&p, false);
	set_tunable(p.b, "a", "1");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_string_equal(field_of(&p, 0), "sched_tunables");
	assert_false(p.c->items[0].is_map_entry);
	assert_null(p.c->items[0].before);
	assert_non_null(p.c->items[0].after);
	assert_int_equal(p.c->items[0].after->node, HCTX_NODE_MAP);
	assert_ptr_equal(p.c->items[0].after, tree_of(p.b, "sched_tunables", NULL));
	assert_side_json(&p, 0, HOSTCTX_BEFORE, "null");
	pair_clear(&p);
}

static void tunables_empty_vs_absent_is_a_change(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_snapshot_set_object(p.a, "sched_tunables"), 0);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 1);
	assert_string_equal(field_of(&p, 0), "sched_tunables");
	assert_non_null(p.c->items[0].before);
	assert_int_equal(p.c->items[0].before->node, HCTX_NODE_MAP);
	assert_int_equal(p.c->items[0].before->map.n, 0);
	assert_null(p.c->items[0].after);
	assert_side_json(&p, 0, HOSTCTX_BEFORE, "{}");
	assert_side_json(&p, 0, HOSTCTX_AFTER, "null");
	pair_clear(&p);
}

static void tunables_both_empty_give_nothing(void **state)
{
	struct pair p;

	pair_init(&p, false);
	assert_int_equal(hostctx_snapshot_set_object(p.a, "sched_tunables"), 0);
	assert_int_equal(hostctx_snapshot_set_object(p.b, "sched_tunables"), 0);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
}

/* ---- heap_state ------------------------------------------------------------ */

static void heap_state_is_never_compared(void **state)
{
	struct pair p;

	pair_init(&p, true);
	set_u64(p.b, "heap_state.allocated_bytes", 1);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	assert_int_equal(hostctx_snapshot_unset(p.b, "heap_state"), 0);
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
}

/* ---- filter ---------------------------------------------------------------- */

static void filter_fixture(struct pair *p)
{
	pair_init(p, true);
	set_str(p->b, "kernel_release", "6.17.0");
	set_tunable(p->b, "sched_latency_ns", "1");
	set_tunable(p->b, "sched_migration_cost_ns", "2");
	set_governor(p->b, 3, "powersave");
	pair_diff(p);
	assert_int_equal(n_changes(p), 4);
}

static void filter_drops_matching_fields(void **state)
{
	static const char *const globs[] = { "sched_tunables.*" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(p.c, globs, 1);
	assert_int_equal(n_changes(&p), 2);
	assert_string_equal(field_of(&p, 0), "kernel_release");
	assert_string_equal(field_of(&p, 1), "cpufreq_governor.cpu3");
	/* the kept changes keep their values */
	assert_change(&p, 1, "cpufreq_governor.cpu3", true, "performance", "powersave");
	pair_clear(&p);
}

static void filter_with_several_globs(void **state)
{
	static const char *const globs[] = { "kernel_*", "cpufreq_governor.cpu[0-9]",
					     "*latency*" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(p.c, globs, 3);
	assert_int_equal(n_changes(&p), 1);
	assert_string_equal(field_of(&p, 0), "sched_tunables.sched_migration_cost_ns");
	pair_clear(&p);
}

static void filter_keeps_what_does_not_match(void **state)
{
	static const char *const globs[] = { "sched_tunables", "thp_*", "cpu" };
	struct pair p;

	filter_fixture(&p);
	hostctx_changes_filter(p.c, globs, 3);
	assert_int_equal(n_changes(&p), 4);
	hostctx_changes_filter(p.c, NULL, 0);
	assert_int_equal(n_changes(&p), 4);
	pair_clear(&p);
}

static void filter_everything_then_reuse(void **state)
{
	static const char *const globs[] = { "*" };
	struct pair p;
	char *text = NULL;

	filter_fixture(&p);
	hostctx_changes_filter(p.c, globs, 1);
	assert_int_equal(n_changes(&p), 0);
	assert_null(hostctx_change_field(p.c, 0));
	assert_int_equal(hostctx_changes_to_json(p.c, &text, NULL), 0);
	assert_string_equal(text, "[]\n");
	free(text);
	/* the emptied list can be filtered again */
	hostctx_changes_filter(p.c, globs, 1);
	assert_int_equal(n_changes(&p), 0);
	pair_clear(&p);
	/* NULL is fine for the accessors and free */
	assert_int_equal(hostctx_changes_count(NULL), 0);
	assert_null(hostctx_change_field(NULL, 0));
	hostctx_changes_free(NULL);
}

static void many_changes_grow(void **state)
{
	struct pair p;

	pair_init(&p, false);
	for (unsigned cpu = 0; cpu < 4096; cpu++)
		set_governor(p.a, cpu, "a");
	for (unsigned cpu = 0; cpu < 4096; cpu += 2)
		set_governor(p.b, cpu, "b");
	pair_diff(&p);
	assert_int_equal(n_changes(&p), 4096);
	assert_change(&p, 4095, "cpufreq_governor.cpu4095", true, "a", NULL);
	assert_change(&p, 4094, "cpufreq_governor.cpu4094", true, "a", "b");
	pair_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_gives_no_changes),
		cmocka_unit_test(single_field_surfaces_only_that_field),
		cmocka_unit_test(none_to_some_and_back),
		cmocka_unit_test(u64_changes_carry_numbers),
		cmocka_unit_test(absent_u64_equals_absent_whatever_it_was),
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
