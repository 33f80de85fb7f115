/* SPDX-License-Identifier: MIT */
/*
 * The human report and diff lines, exactly as the reference renders
 * them (the reference's tests in host_context.rs, 32-48, "Human format", "Diff
 * semantics", and the host_heap human/diff tests), with heap_state
 * printed only when present (docs/json-format.md).
 */
#include "json_fixture.h"

#include <stdio.h>

#define ARROW "\xe2\x86\x92"

static char *report(const struct hostctx_snapshot *s)
{
	char *text = NULL;

	assert_int_equal(hostctx_snapshot_format_human(s, &text), 0);
	assert_non_null(text);
	return text;
}

static char *diff_text(const struct hostctx_snapshot *a,
		       const struct hostctx_snapshot *b)
{
	char *text = NULL;

	assert_int_equal(hostctx_diff_format_human(a, b, &text), 0);
	assert_non_null(text);
	return text;
}

static void assert_diff(const struct hostctx_snapshot *a,
			const struct hostctx_snapshot *b, const char *want)
{
	char *text = diff_text(a, b);

	assert_string_equal(text, want);
	free(text);
}

static void two(struct hostctx_snapshot **a, struct hostctx_snapshot **b,
		bool populated)
{
	*a = populated ? fixture_new() : snapshot_new();
	*b = populated ? fixture_new() : snapshot_new();
}

static void clear_two(struct hostctx_snapshot *a, struct hostctx_snapshot *b)
{
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
}

static void unset(struct hostctx_snapshot *s, const char *path)
{
	assert_int_equal(hostctx_snapshot_unset(s, path), 0);
	assert_int_equal(hostctx_snapshot_type(s, path), HOSTCTX_TYPE_ABSENT);
}

/* ---- the report --------------------------------------------------------- */

static void report_renders_every_field(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text, key[64];

	text = report(s);
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		snprintf(key, sizeof(key), "\n%s:", hostctx_field_name(i));
		assert_true(strncmp(text, key + 1, strlen(key + 1)) == 0 ||
			    strstr(text, key));
	}
	free(text);
	hostctx_snapshot_free(s);
}

static void report_field_order_is_pinned(void **state)
{
	/* the reference's format_human order, on purpose */
	static const char *const order[] = {
		"kernel_name", "kernel_release", "arch", "cpu_model", "cpu_vendor",
		"total_memory_kib", "hugepages_total", "hugepages_free",
		"hugepages_size_kib", "online_cpus", "numa_nodes", "thp_enabled",
		"thp_defrag", "kernel_cmdline", "task_delayacct",
		"config_task_xacct", "cpufreq_governor", "sched_tunables",
		"heap_state",
	};
	enum { N = sizeof(order) / sizeof(order[0]) };
	struct hostctx_snapshot *s = fixture_new();
	char *text, *line, *save = NULL;
	size_t n = 0;

	/* ... and it is the table's order: the reference's rows first */
	assert_true(hostctx_field_count() >= N);
	for (size_t i = 0; i < hostctx_field_count(); i++)
		assert_int_equal(hctx_fields[i].seed, i < N);
	for (size_t i = 0; i < N; i++)
		assert_string_equal(hostctx_field_name(i), order[i]);
	text = report(s);
	for (line = strtok_r(text, "\n", &save); line && n < N;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == ' ')
			continue;
		assert_int_equal(strncmp(line, order[n], strlen(order[n])), 0);
		assert_int_equal(line[strlen(order[n])], ':');
		n++;
	}
	assert_int_equal(n, N);
	/* the fields beyond it follow, under group headings */
	for (; line; line = strtok_r(NULL, "\n", &save))
		if (line[0] != ' ' && line[0] != '[')
			assert_false(hctx_field_by_name(line, strcspn(line, ":"))->seed);
	free(text);
	hostctx_snapshot_free(s);
}

static void report_default_is_unknown_everywhere(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text, *line, *save = NULL;
	size_t row = 0, unknown = 0;

	text = report(s);
	assert_string_equal(text,
			    "kernel_name: (unknown)\n"
			    "kernel_release: (unknown)\n"
			    "arch: (unknown)\n"
			    "cpu_model: (unknown)\n"
			    "cpu_vendor: (unknown)\n"
			    "total_memory_kib: (unknown)\n"
			    "hugepages_total: (unknown)\n"
			    "hugepages_free: (unknown)\n"
			    "hugepages_size_kib: (unknown)\n"
			    "online_cpus: (unknown)\n"
			    "numa_nodes: (unknown)\n"
			    "thp_enabled: (unknown)\n"
			    "thp_defrag: (unknown)\n"
			    "kernel_cmdline: (unknown)\n"
			    "task_delayacct: (unknown)\n"
			    "config_task_xacct: (unknown)\n"
			    "cpufreq_governor: (empty)\n"
			    "sched_tunables: (unknown)\n");
	assert_int_equal(count_of(text, "(unknown)"), 17);
	/*
	 * From the table: one line per row in row order, with the row's
	 * absent text ("(unknown)" unless it says otherwise); a row whose
	 * absent text is "" (heap_state) is not printed.
	 */
	line = strtok_r(text, "\n", &save);
	for (; row < hctx_n_fields; row++) {
		const struct hctx_field *f = &hctx_fields[row];
		const char *absent_text = f->spec->human_absent ? f->spec->human_absent :
								  "(unknown)";
		char want[128];

		/* heap_state, and absent fields beyond the reference: no line */
		if (!*absent_text || !f->seed)
			continue;
		snprintf(want, sizeof(want), "%s: %s", f->name, absent_text);
		assert_non_null(line);
		assert_string_equal(line, want);
		unknown += strcmp(absent_text, "(unknown)") == 0;
		line = strtok_r(NULL, "\n", &save);
	}
	assert_null(line);
	assert_int_equal(unknown, 17);
	free(text);
	hostctx_snapshot_free(s);
}

static void report_populated_shows_values(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text, path[64];

	unset(s, "cpu_vendor");
	/* the reference's report exactly: the fields beyond it have their tests */
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (!hctx_fields[i].seed)
			unset(s, hctx_fields[i].name);
	for (unsigned cpu = 2; cpu < 16; cpu++) {
		snprintf(path, sizeof(path), "cpufreq_governor.%u", cpu);
		unset(s, path);
	}
	text = report(s);
	assert_string_equal(text,
			    "kernel_name: Linux\n"
			    "kernel_release: 6.16.0-test\n"
			    "arch: x86_64\n"
			    "cpu_model: Intel(R) Xeon(R) Test CPU\n"
			    "cpu_vendor: (unknown)\n"
			    "total_memory_kib: 67108864\n"
			    "hugepages_total: 0\n"
			    "hugepages_free: 0\n"
			    "hugepages_size_kib: 2048\n"
			    "online_cpus: 16\n"
			    "numa_nodes: 2\n"
			    "thp_enabled: always [madvise] never\n"
			    "thp_defrag: always defer defer+madvise [madvise] never\n"
			    "kernel_cmdline: BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1\n"
			    "task_delayacct: on\n"
			    "config_task_xacct: on\n"
			    "cpufreq_governor:\n"
			    "  cpu0 = performance\n"
			    "  cpu1 = performance\n"
			    "sched_tunables:\n"
			    "  sched_latency_ns = 24000000\n"
			    "  sched_migration_cost_ns = 500000\n"
			    "heap_state:\n"
			    "  allocated_bytes: 524288\n"
			    "  active_bytes: 1048576\n"
			    "  resident_bytes: 2097152\n"
			    "  mapped_bytes: 4194304\n"
			    "  narenas: 64\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void report_tunables_empty_vs_none(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	text = report(s);
	assert_non_null(strstr(text, "\nsched_tunables: (empty)\n"));
	assert_string_equal(text + strlen(text) - 1, "\n");
	free(text);
	unset(s, "sched_tunables");
	text = report(s);
	assert_non_null(strstr(text, "\nsched_tunables: (unknown)\n"));
	assert_string_equal(text + strlen(text) - 1, "\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void report_governors_in_ascending_cpu_order(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_governor(s, 10, "b");
	set_governor(s, 2, "a");
	text = report(s);
	assert_non_null(strstr(text, "\ncpufreq_governor:\n  cpu2 = a\n  cpu10 = b\nsched_tunables:"));
	free(text);
	hostctx_snapshot_free(s);
}

static void report_spells_delayacct_with_hyphens(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_str(s, "task_delayacct", "config_off");
	set_str(s, "config_task_xacct", "unknown");
	text = report(s);
	assert_non_null(strstr(text, "\ntask_delayacct: config-off\nconfig_task_xacct: unknown\n"));
	free(text);
	set_str(s, "task_delayacct", "runtime_off");
	set_str(s, "config_task_xacct", "off");
	text = report(s);
	assert_non_null(strstr(text, "\ntask_delayacct: runtime-off\nconfig_task_xacct: off\n"));
	free(text);
	hostctx_snapshot_free(s);
}

static void report_heap_absent_fields_are_unknown(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_u64(s, "heap_state.narenas", 8);
	text = report(s);
	assert_non_null(strstr(text,
			       "\nheap_state:\n"
			       "  allocated_bytes: (unknown)\n"
			       "  active_bytes: (unknown)\n"
			       "  resident_bytes: (unknown)\n"
			       "  mapped_bytes: (unknown)\n"
			       "  narenas: 8\n"));
	assert_string_equal(text + strlen(text) - strlen("  narenas: 8\n"), "  narenas: 8\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void report_heap_absent_is_not_printed(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text;

	unset(s, "heap_state");
	text = report(s);
	assert_null(strstr(text, "heap_state"));
	free(text);
	hostctx_snapshot_free(s);
}

/* ---- the diff lines -------------------------------------------------------- */

static void diff_identical_is_empty(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	assert_diff(a, b, "");
	clear_two(a, b);
	two(&a, &b, false);
	assert_diff(a, b, "");
	clear_two(a, b);
}

static void diff_single_field(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	set_str(b, "kernel_cmdline", "quiet");
	assert_diff(a, b, "  kernel_cmdline: BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1 "
			  ARROW " quiet\n");
	clear_two(a, b);
}

static void diff_governors_both_empty_produce_nothing(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	unset(a, "cpufreq_governor");
	unset(b, "cpufreq_governor");
	assert_diff(a, b, "");
	clear_two(a, b);
}

static void diff_governor_cpu_only_in_a(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_governor(a, 0, "performance");
	set_governor(a, 1, "performance");
	set_governor(b, 1, "performance");
	assert_diff(a, b, "  cpufreq_governor.cpu0: performance " ARROW " (absent)\n");
	clear_two(a, b);
}

static void diff_governor_whole_map_is_expanded_per_cpu(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_governor(a, 0, "performance");
	assert_diff(a, b, "  cpufreq_governor.cpu0: performance " ARROW " (absent)\n");
	set_governor(b, 2, "x");
	set_governor(b, 10, "y");
	unset(a, "cpufreq_governor");
	assert_diff(a, b, "  cpufreq_governor.cpu2: (absent) " ARROW " x\n"
			  "  cpufreq_governor.cpu10: (absent) " ARROW " y\n");
	clear_two(a, b);
}

static void diff_governor_value_change(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	set_governor(b, 0, "powersave");
	assert_diff(a, b, "  cpufreq_governor.cpu0: performance " ARROW " powersave\n");
	clear_two(a, b);
}

static void diff_none_to_some_shows_unknown(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_str(b, "kernel_name", "Linux");
	assert_diff(a, b, "  kernel_name: (unknown) " ARROW " Linux\n");
	clear_two(a, b);
}

static void diff_some_to_none_shows_unknown(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_str(a, "kernel_release", "6.11.0");
	set_u64(a, "online_cpus", 4);
	assert_diff(a, b, "  kernel_release: 6.11.0 " ARROW " (unknown)\n"
			  "  online_cpus: 4 " ARROW " (unknown)\n");
	clear_two(a, b);
}

static void diff_tunables_per_key(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_tunable(a, "a", "1");
	set_tunable(a, "b", "2");
	set_tunable(b, "a", "1");
	set_tunable(b, "b", "20");
	set_tunable(b, "c", "3");
	assert_diff(a, b, "  sched_tunables.b: 2 " ARROW " 20\n"
			  "  sched_tunables.c: (absent) " ARROW " 3\n");
	clear_two(a, b);
}

static void diff_tunables_key_removed(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_tunable(a, "a", "1");
	set_tunable(a, "b", "2");
	set_tunable(b, "a", "1");
	assert_diff(a, b, "  sched_tunables.b: 2 " ARROW " (absent)\n");
	clear_two(a, b);
}

static void diff_tunables_none_vs_some(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_tunable(b, "a", "1");
	assert_diff(a, b, "  sched_tunables: (unknown) " ARROW " (1 entry)\n");
	set_tunable(b, "b", "2");
	assert_diff(a, b, "  sched_tunables: (unknown) " ARROW " (2 entries)\n");
	assert_diff(b, a, "  sched_tunables: (2 entries) " ARROW " (unknown)\n");
	unset(b, "sched_tunables");
	assert_int_equal(hostctx_snapshot_set_object(b, "sched_tunables"), 0);
	assert_diff(a, b, "  sched_tunables: (unknown) " ARROW " (empty)\n");
	clear_two(a, b);
}

static void diff_delayacct_uses_hyphens(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, false);
	set_str(a, "task_delayacct", "config_off");
	set_str(b, "task_delayacct", "runtime_off");
	set_str(a, "config_task_xacct", "unknown");
	assert_diff(a, b, "  task_delayacct: config-off " ARROW " runtime-off\n"
			  "  config_task_xacct: unknown " ARROW " (unknown)\n");
	clear_two(a, b);
}

static void diff_renders_every_field(void **state)
{
	struct hostctx_snapshot *a, *b;
	char *text, key[64], entry[64];

	two(&a, &b, false);
	fixture(b);
	text = diff_text(a, b);
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		/* telemetry beyond the reference never enters changes */
		if (!hctx_fields[i].seed && hctx_fields[i].cls == HOSTCTX_CLASS_TELEMETRY)
			continue;
		snprintf(key, sizeof(key), "  %s:", hostctx_field_name(i));
		snprintf(entry, sizeof(entry), "  %s.", hostctx_field_name(i));
		if (!strstr(text, key) && !strstr(text, entry))
			fail_msg("%s missing from:\n%s", hostctx_field_name(i), text);
	}
	assert_non_null(strstr(text, "  heap_state: (unknown) " ARROW " (present)\n"));
	free(text);
	clear_two(a, b);
}

static void diff_whole_report_order(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	set_str(b, "arch", "aarch64");
	set_u64(b, "hugepages_free", 5);
	set_governor(b, 15, "ondemand");
	set_tunable(b, "sched_latency_ns", "1");
	set_u64(b, "heap_state.mapped_bytes", 1);
	assert_diff(a, b,
		    "  arch: x86_64 " ARROW " aarch64\n"
		    "  hugepages_free: 0 " ARROW " 5\n"
		    "  cpufreq_governor.cpu15: performance " ARROW " ondemand\n"
		    "  sched_tunables.sched_latency_ns: 24000000 " ARROW " 1\n"
		    "  heap_state:\n"
		    "    mapped_bytes: 4194304 " ARROW " 1\n");
	clear_two(a, b);
}

/* ---- heap_state in the diff ------------------------------------------------- */

static void diff_heap_equal_is_empty(void **state)
{
	struct hostctx_snapshot *a, *b;
	char *text = NULL;

	two(&a, &b, true);
	assert_diff(a, b, "");
	assert_int_equal(hostctx_heap_format_human(a, b, &text), 0);
	assert_string_equal(text, "");
	free(text);
	clear_two(a, b);
}

static void diff_heap_changed_fields_only_in_human_order(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	set_u64(b, "heap_state.narenas", 65);
	set_u64(b, "heap_state.active_bytes", 1);
	unset(b, "heap_state.allocated_bytes");
	assert_diff(a, b, "  heap_state:\n"
			  "    allocated_bytes: 524288 " ARROW " (unknown)\n"
			  "    active_bytes: 1048576 " ARROW " 1\n"
			  "    narenas: 64 " ARROW " 65\n");
	assert_diff(b, a, "  heap_state:\n"
			  "    allocated_bytes: (unknown) " ARROW " 524288\n"
			  "    active_bytes: 1 " ARROW " 1048576\n"
			  "    narenas: 65 " ARROW " 64\n");
	clear_two(a, b);
}

static void diff_heap_on_one_side(void **state)
{
	struct hostctx_snapshot *a, *b;

	two(&a, &b, true);
	unset(b, "heap_state");
	assert_diff(a, b, "  heap_state: (present) " ARROW " (unknown)\n");
	assert_diff(b, a, "  heap_state: (unknown) " ARROW " (present)\n");
	clear_two(a, b);
}

static char *changes_text(const struct hostctx_changes *c)
{
	char *text = NULL;

	assert_int_equal(hostctx_changes_format_human(c, &text), 0);
	assert_non_null(text);
	return text;
}

static char *heap_text(const struct hostctx_snapshot *a,
		       const struct hostctx_snapshot *b)
{
	char *text = NULL;

	assert_int_equal(hostctx_heap_format_human(a, b, &text), 0);
	assert_non_null(text);
	return text;
}

/*
 * The change lines never hold heap lines (heap_state is not a change):
 * those come from hostctx_heap_format_human, and hostctx_diff_format_human
 * is the two, in that order.  (hostctx_changes_format_human used to take
 * the two snapshots and append the heap lines itself.)
 */
static void change_lines_have_no_heap_lines(void **state)
{
	struct hostctx_snapshot *a, *b;
	struct hostctx_changes *c = NULL;
	char *text, *heap, *both;

	two(&a, &b, true);
	unset(b, "heap_state");
	set_str(b, "arch", "riscv64");
	assert_int_equal(hostctx_diff(a, b, &c), 0);
	text = changes_text(c);
	assert_string_equal(text, "  arch: x86_64 " ARROW " riscv64\n");
	heap = heap_text(a, b);
	assert_string_equal(heap, "  heap_state: (present) " ARROW " (unknown)\n");
	both = diff_text(a, b);
	assert_string_equal(both, "  arch: x86_64 " ARROW " riscv64\n"
				  "  heap_state: (present) " ARROW " (unknown)\n");
	free(text);
	free(heap);
	free(both);
	hostctx_changes_free(c);
	clear_two(a, b);
}

static void filtered_changes_render_what_is_left(void **state)
{
	static const char *const globs[] = { "cpufreq_governor*" };
	struct hostctx_snapshot *a, *b;
	struct hostctx_changes *c = NULL;
	char *text;

	two(&a, &b, true);
	set_governor(b, 1, "powersave");
	set_u64(b, "numa_nodes", 1);
	assert_int_equal(hostctx_diff(a, b, &c), 0);
	hostctx_changes_filter(c, globs, 1);
	text = changes_text(c);
	assert_string_equal(text, "  numa_nodes: 2 " ARROW " 1\n");
	free(text);
	/* equal heaps add nothing */
	text = heap_text(a, b);
	assert_string_equal(text, "");
	free(text);
	hostctx_changes_free(c);
	/* no changes at all: the empty string */
	assert_int_equal(hostctx_diff(a, a, &c), 0);
	text = changes_text(c);
	assert_string_equal(text, "");
	free(text);
	hostctx_changes_free(c);
	clear_two(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_renders_every_field),
		cmocka_unit_test(report_field_order_is_pinned),
		cmocka_unit_test(report_default_is_unknown_everywhere),
		cmocka_unit_test(report_populated_shows_values),
		cmocka_unit_test(report_tunables_empty_vs_none),
		cmocka_unit_test(report_governors_in_ascending_cpu_order),
		cmocka_unit_test(report_spells_delayacct_with_hyphens),
		cmocka_unit_test(report_heap_absent_fields_are_unknown),
		cmocka_unit_test(report_heap_absent_is_not_printed),
		cmocka_unit_test(diff_identical_is_empty),
		cmocka_unit_test(diff_single_field),
		cmocka_unit_test(diff_governors_both_empty_produce_nothing),
		cmocka_unit_test(diff_governor_cpu_only_in_a),
		cmocka_unit_test(diff_governor_whole_map_is_expanded_per_cpu),
		cmocka_unit_test(diff_governor_value_change),
		cmocka_unit_test(diff_none_to_some_shows_unknown),
		cmocka_unit_test(diff_some_to_none_shows_unknown),
		cmocka_unit_test(diff_tunables_per_key),
		cmocka_unit_test(diff_tunables_key_removed),
		cmocka_unit_test(diff_tunables_none_vs_some),
		cmocka_unit_test(diff_delayacct_uses_hyphens),
		cmocka_unit_test(diff_renders_every_field),
		cmocka_unit_test(diff_whole_report_order),
		cmocka_unit_test(diff_heap_equal_is_empty),
		cmocka_unit_test(diff_heap_changed_fields_only_in_human_order),
		cmocka_unit_test(diff_heap_on_one_side),
		cmocka_unit_test(change_lines_have_no_heap_lines),
		cmocka_unit_test(filtered_changes_render_what_is_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
