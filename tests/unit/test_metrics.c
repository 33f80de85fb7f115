/* SPDX-License-Identifier: MIT */
/*
 * OpenMetrics text (lib/metrics.c, docs/metrics.md) of synthetic
 * snapshots and sidecars: names from the field table, maps and arrays
 * as labels, escaping, bool as 0/1, absent fields omitted, run facts,
 * deltas, the grammar (each family once, its samples together, "# EOF"
 * last).
 */
#include "json_fixture.h"

#include <errno.h>

static char *snapshot_text(const struct hostctx_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(hostctx_snapshot_to_openmetrics(s, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static char *sidecar_text(const struct hostctx_sidecar *sc)
{
	char *text = NULL;

	assert_int_equal(hostctx_sidecar_to_openmetrics(sc, &text, NULL), 0);
	assert_non_null(text);
	return text;
}

/* text has line as one whole line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void assert_no_family(const char *text, const char *name)
{
	char line[256];

	snprintf(line, sizeof(line), "# TYPE %s gauge", name);
	if (has_line(text, line))
		fail_msg("family %s is there", name);
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* The length of the metric name at line, 0 when it is not a valid one. */
static size_t name_len(const char *line)
{
	size_t n = 0;

	while (name_char(line[n], n == 0))
		n++;
	return n;
}

/* Past the '}' of a label set at p ('{'): name="escaped value",...; NULL if malformed. */
static const char *labels_end(const char *p)
{
	do {
		size_t n = 0;

		p++;
		while (name_char(p[n], n == 0) && p[n] != ':')
			n++;
		if (n == 0 || p[n] != '=' || p[n + 1] != '"')
			return NULL;
		for (p += n + 2; *p != '"'; p++) {
			if (!*p || *p == '\n')
				return NULL;
			if (*p == '\\' && (!*++p || !strchr("\\\"n", *p)))
				return NULL;
		}
		p++;
	} while (*p == ',');
	return *p == '}' ? p + 1 : NULL;
}

#define MAX_FAMILIES 1024

/*
 * The text's grammar as OpenMetrics has it for gauges: "# TYPE" once
 * per family and before its samples, "# HELP" of that family, samples
 * of the current family with a number, "# EOF" the last line.
 */
static void assert_grammar(const char *text)
{
	char *copy = strdup(text), *save = NULL, *families[MAX_FAMILIES];
	const char *current = NULL;
	size_t n_families = 0;
	bool eof = false;

	assert_non_null(copy);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n;

		if (eof)
			fail_msg("a line after # EOF: %s", line);
		if (strcmp(line, "# EOF") == 0) {
			eof = true;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			n = name_len(line + 7);
			assert_true(n > 0);
			assert_string_equal(line + 7 + n, " gauge");
			line[7 + n] = '\0';
			for (size_t i = 0; i < n_families; i++)
				if (strcmp(families[i], line + 7) == 0)
					fail_msg("family %s twice", line + 7);
			assert_true(n_families < MAX_FAMILIES);
			current = families[n_families++] = line + 7;
		} else if (strncmp(line, "# HELP ", 7) == 0) {
			assert_non_null(current);
			n = strlen(current);
			assert_true(strncmp(line + 7, current, n) == 0 && line[7 + n] == ' ');
		} else {
			char *value, *end;

			n = name_len(line);
			assert_non_null(current);
			if (n != strlen(current) || strncmp(line, current, n) != 0)
				fail_msg("sample %s outside its family (%s)", line, current);
			value = line + n;
			if (*value == '{' && !(value = (char *)labels_end(value)))
				fail_msg("malformed labels: %s", line);
			assert_true(*value == ' ');
			strtod(value + 1, &end);
			if (*end || end == value + 1)
				fail_msg("value of %s is no number", line);
		}
	}
	assert_true(eof);
	free(copy);
}

static struct hostctx_sidecar *sidecar_new(struct hostctx_snapshot *pre,
					   struct hostctx_snapshot *post)
{
	struct hostctx_sidecar *sc = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	hostctx_sidecar_set_complete(sc, post != NULL);
	return sc;
}

/* ---- snapshots ---------------------------------------------------------- */

static void an_empty_snapshot_is_only_eof(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text = snapshot_text(s);

	assert_string_equal(text, "# EOF\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void numbers_are_gauges_named_after_their_field(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_u64(s, "total_memory_kib", UINT64_C(18446744073709551615));
	set_double(s, "load_avg_1min", 0.1);
	set_bool(s, "smt_active", true);
	set_bool(s, "ac_power", false);
	assert_int_equal(hostctx_snapshot_set_s64(s, "process.nice", -5), 0);
	set_str(s, "thp_enabled", "always [madvise] never");
	text = snapshot_text(s);
	assert_string_equal(text,
			    "# TYPE hostctx_total_memory_kib gauge\n"
			    "# HELP hostctx_total_memory_kib memory (KiB)\n"
			    "hostctx_total_memory_kib 18446744073709551615\n"
			    "# TYPE hostctx_smt_active gauge\n"
			    "# HELP hostctx_smt_active SMT active\n"
			    "hostctx_smt_active 1\n"
			    "# TYPE hostctx_load_avg_1min gauge\n"
			    "# HELP hostctx_load_avg_1min load average, 1 min\n"
			    "hostctx_load_avg_1min 0.1\n"
			    "# TYPE hostctx_ac_power gauge\n"
			    "# HELP hostctx_ac_power on AC power\n"
			    "hostctx_ac_power 0\n"
			    "# TYPE hostctx_process_nice gauge\n"
			    "# HELP hostctx_process_nice process: nice\n"
			    "hostctx_process_nice -5\n"
			    "# EOF\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void maps_and_arrays_are_labels(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_u64(s, "vmstat.pswpin", 7);
	set_u64(s, "vmstat.oom_kill", 1);
	set_u64(s, "cpufreq_max_khz.0-7", 5000000);
	set_u64(s, "cpufreq_max_khz.8-15", 3900000);
	set_u64(s, "thermal_throttle.core_count_by_cpu.3", 2);
	set_u64(s, "cpu_caches.0.size_kib", 48);
	set_u64(s, "cpu_caches.1.size_kib", 2048);
	set_u64(s, "process.rlimits.nofile.hard", UINT64_MAX);
	set_tunable(s, "sched_latency_ns", "24000000");	/* a string: no sample */
	text = snapshot_text(s);
	assert_grammar(text);
	assert_line(text, "hostctx_cpufreq_max_khz{cpus=\"0-7\"} 5000000");
	assert_line(text, "hostctx_cpufreq_max_khz{cpus=\"8-15\"} 3900000");
	assert_line(text, "hostctx_cpu_caches_size_kib{index=\"0\"} 48");
	assert_line(text, "hostctx_cpu_caches_size_kib{index=\"1\"} 2048");
	assert_line(text, "hostctx_process_rlimits_nofile_hard +Inf");
	/* keys in the snapshot's order (sorted) */
	assert_non_null(strstr(text, "hostctx_vmstat{key=\"oom_kill\"} 1\n"
				     "hostctx_vmstat{key=\"pswpin\"} 7\n"));
	assert_line(text, "hostctx_thermal_throttle_core_count_by_cpu{cpu=\"3\"} 2");
	assert_no_family(text, "hostctx_sched_tunables");
	assert_null(strstr(text, "sched_latency_ns"));
	free(text);
	hostctx_snapshot_free(s);
}

static void label_values_are_escaped(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_u64(s, "vmstat.a\"b\\c\nd", 1);
	set_str(s, "cpu_model", "CPU \"x\" \\ 2\nGHz");
	set_str(s, "kernel_release", "6.1.0");
	text = snapshot_text(s);
	assert_grammar(text);
	assert_line(text, "hostctx_vmstat{key=\"a\\\"b\\\\c\\nd\"} 1");
	assert_line(text, "hostctx_info{kernel_release=\"6.1.0\","
			  "cpu_model=\"CPU \\\"x\\\" \\\\ 2\\nGHz\"} 1");
	free(text);
	hostctx_snapshot_free(s);
}

static void name_parts_are_sanitised(void **state)
{
	char part[] = "a.b-c:d/\xc3\xa9 9_Z";

	hctx_metrics_sanitise(part, strlen(part));
	assert_string_equal(part, "a_b_c_d____9_Z");	/* é is two bytes */
}

/* The proof that the table drives it: every numeric row has its family. */
static void every_numeric_field_has_a_family(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text = snapshot_text(s), name[128];

	assert_grammar(text);
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		const char *field = hostctx_field_name(i);
		enum hostctx_type t = hostctx_snapshot_type(s, field);

		if (t != HOSTCTX_TYPE_U64 && t != HOSTCTX_TYPE_S64 &&
		    t != HOSTCTX_TYPE_DOUBLE && t != HOSTCTX_TYPE_BOOL)
			continue;
		snprintf(name, sizeof(name), "# TYPE hostctx_%s gauge", field);
		assert_line(text, name);
	}
	assert_line(text, "hostctx_info{kernel_release=\"6.16.0-test\",arch=\"x86_64\","
			  "cpu_model=\"Intel(R) Xeon(R) Test CPU\"} 1");
	/* private or identifying strings never go out */
	assert_null(strstr(text, "6f1e2d3c"));
	assert_null(strstr(text, "root=/dev/sda1"));
	free(text);
	hostctx_snapshot_free(s);
}

/* ---- sidecars ----------------------------------------------------------- */

static void a_record_has_phases_run_facts_and_deltas(void **state)
{
	struct hostctx_snapshot *pre = fixture_new(), *post = fixture_new();
	struct hostctx_rusage ru = { .present = true, .user_seconds = 1.25,
				     .system_seconds = 0.5, .max_rss_kib = 4096 };
	struct hostctx_sidecar *sc;
	char *text;

	set_u64(post, "context_switches", UINT64_C(9007199254740993) + 50);
	set_u64(post, "vmstat.pswpin", 3);
	set_double(post, "uptime_seconds", 86402.25);
	sc = sidecar_new(pre, post);
	hostctx_sidecar_set_wall_seconds(sc, 1.5);
	hostctx_sidecar_set_exit_code(sc, 3);
	hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_COMMAND, &ru);
	text = sidecar_text(sc);
	assert_grammar(text);
	assert_line(text, "hostctx_run_complete 1");
	assert_line(text, "hostctx_run_wall_seconds 1.5");
	assert_line(text, "hostctx_run_exit_code 3");
	assert_line(text, "hostctx_run_rusage_user_seconds 1.25");
	assert_line(text, "hostctx_run_rusage_max_rss_kib 4096");
	assert_no_family(text, "hostctx_run_rusage_children_user_seconds");
	assert_no_family(text, "hostctx_run_exit_signal");
	assert_line(text, "hostctx_total_memory_kib{phase=\"pre\"} 67108864");
	assert_line(text, "hostctx_total_memory_kib{phase=\"post\"} 67108864");
	assert_line(text, "hostctx_vmstat{phase=\"post\",key=\"pswpin\"} 3");
	/* deltas: exact beyond 2^53, map keys as labels, the derived values */
	assert_line(text, "hostctx_delta_context_switches 50");
	assert_line(text, "hostctx_delta_vmstat{key=\"pswpin\"} 3");
	assert_line(text, "hostctx_delta_seconds 2");
	assert_line(text, "# HELP hostctx_delta_context_switches post - pre of context switches");
	assert_line(text, "hostctx_delta_cpu_time_ticks_user 0");
	assert_no_family(text, "hostctx_delta_load_avg_1min");	/* gauges have none */
	assert_null(strstr(text, "hostctx_deltas_unavailable"));
	/* one hostctx_info, from pre */
	assert_null(strstr(strstr(text, "hostctx_info{") + 1, "hostctx_info{"));
	free(text);
	hostctx_sidecar_free(sc);
}

static void a_reboot_gives_no_deltas(void **state)
{
	struct hostctx_snapshot *pre = fixture_new(), *post = fixture_new();
	struct hostctx_sidecar *sc;
	char *text;

	set_str(post, "boot_id", "00000000-4b5a-4978-8a6b-5c4d3e2f1a0b");
	sc = sidecar_new(pre, post);
	text = sidecar_text(sc);
	assert_grammar(text);
	assert_line(text, "hostctx_deltas_unavailable{reason=\"boot_changed\"} 1");
	assert_null(strstr(text, "hostctx_delta_"));
	free(text);
	hostctx_sidecar_free(sc);
}

static void an_exec_error_and_an_incomplete_record(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new(fixture_new(), NULL);
	char *text;

	hostctx_sidecar_set_complete(sc, true);
	assert_int_equal(hostctx_sidecar_set_exec_error(sc, "ENOENT"), 0);
	text = sidecar_text(sc);
	assert_grammar(text);
	assert_line(text, "hostctx_run_exec_error{errno=\"ENOENT\"} 1");
	assert_no_family(text, "hostctx_run_exit_code");
	assert_null(strstr(text, "phase=\"post\""));
	assert_null(strstr(text, "hostctx_delta"));
	free(text);

	hostctx_sidecar_set_complete(sc, false);
	assert_int_equal(hostctx_sidecar_set_exec_error(sc, NULL), 0);
	text = sidecar_text(sc);
	assert_grammar(text);
	assert_line(text, "hostctx_run_complete 0");
	assert_line(text, "hostctx_online_cpus{phase=\"pre\"} 16");
	free(text);
	hostctx_sidecar_free(sc);
}

static void a_signal_and_bad_arguments(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new(NULL, NULL);
	char *text = NULL;

	hostctx_sidecar_set_exit_signal(sc, 9, false);
	text = sidecar_text(sc);
	assert_string_equal(text,
			    "# TYPE hostctx_run_complete gauge\n"
			    "# HELP hostctx_run_complete 1 when the end of the command was observed\n"
			    "hostctx_run_complete 0\n"
			    "# TYPE hostctx_run_exit_signal gauge\n"
			    "# HELP hostctx_run_exit_signal the signal that ended the command\n"
			    "hostctx_run_exit_signal 9\n"
			    "# EOF\n");
	free(text);
	text = NULL;
	assert_int_equal(hostctx_sidecar_to_openmetrics(NULL, &text, NULL), -EINVAL);
	assert_int_equal(hostctx_snapshot_to_openmetrics(NULL, &text, NULL), -EINVAL);
	assert_null(text);
	hostctx_sidecar_free(sc);
}

/* ---- a property: whatever a record holds, the text is valid --------------- */

static uint64_t rng_next(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *state >> 33;
}

/* The fixture with a random half of its fields, and hostile vmstat keys. */
static struct hostctx_snapshot *random_snapshot(uint64_t *rng)
{
	static const char alphabet[] = "az_09.-:\\\"\n{}= \xc3\xa9";
	struct hostctx_snapshot *s = fixture_new();
	char key[16], path[32];

	for (size_t i = 0; i < hostctx_field_count(); i++)
		if (rng_next(rng) % 2)
			assert_int_equal(hostctx_snapshot_unset(s, hostctx_field_name(i)), 0);
	for (unsigned k = 0; k < rng_next(rng) % 4; k++) {
		size_t n = 1 + rng_next(rng) % (sizeof(key) - 1);

		for (size_t j = 0; j < n; j++)
			key[j] = alphabet[rng_next(rng) % (sizeof(alphabet) - 1)];
		key[n] = '\0';
		if (!hctx_is_utf8(key, n))
			continue;
		snprintf(path, sizeof(path), "vmstat.%s", key);
		assert_int_equal(hostctx_snapshot_set_u64(s, path, rng_next(rng)), 0);
	}
	return s;
}

static void any_record_gives_valid_text(void **state)
{
	uint64_t rng = 42;

	for (int round = 0; round < 200; round++) {
		struct hostctx_sidecar *sc =
			sidecar_new(random_snapshot(&rng),
				    rng_next(&rng) % 4 ? random_snapshot(&rng) : NULL);
		char *text;

		if (rng_next(&rng) % 2)
			hostctx_sidecar_set_wall_seconds(sc, (double)rng_next(&rng) / 1e6);
		text = sidecar_text(sc);
		assert_grammar(text);
		free(text);
		text = snapshot_text(hostctx_sidecar_snapshot(sc, HOSTCTX_PRE));
		assert_grammar(text);
		free(text);
		hostctx_sidecar_free(sc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_empty_snapshot_is_only_eof),
		cmocka_unit_test(numbers_are_gauges_named_after_their_field),
		cmocka_unit_test(maps_and_arrays_are_labels),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(name_parts_are_sanitised),
		cmocka_unit_test(every_numeric_field_has_a_family),
		cmocka_unit_test(a_record_has_phases_run_facts_and_deltas),
		cmocka_unit_test(a_reboot_gives_no_deltas),
		cmocka_unit_test(an_exec_error_and_an_incomplete_record),
		cmocka_unit_test(a_signal_and_bad_arguments),
		cmocka_unit_test(any_record_gives_valid_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
