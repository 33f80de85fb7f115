/* SPDX-License-Identifier: MIT */
/*
 * Export rows (lib/export.c, docs/fleet.md) of synthetic sidecars: the
 * column set is fixed (the same names in the same order for an empty
 * record and a full one, in both formats, none twice, every field of
 * the table there), absent values are null, per-CPU maps give a
 * uniform value and a canonical cpulist string, string-keyed maps are
 * JSON text, numbers are numbers, CSV quotes as RFC 4180 says, and
 * every counter row has its deltas_* columns.
 */
#include "json_fixture.h"

#include <cjson/cJSON.h>
#include <errno.h>

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

static char *row_text(const struct hostctx_sidecar *sc, enum hostctx_export_format format,
		      unsigned flags)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(hostctx_sidecar_export(sc, "r.json", format, flags, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

/* The one NDJSON row of sc, parsed. */
static cJSON *ndjson_row(const struct hostctx_sidecar *sc)
{
	char *text = row_text(sc, HOSTCTX_EXPORT_NDJSON, 0);
	size_t len = strlen(text);
	cJSON *row;

	assert_true(len > 0 && text[len - 1] == '\n');
	assert_null(memchr(text, '\n', len - 1));	/* one line */
	row = cJSON_Parse(text);
	assert_non_null(row);
	assert_true(cJSON_IsObject(row));
	free(text);
	return row;
}

/*
 * RFC 4180 fields of one record at *p (quoted ones unquoted), as a
 * cJSON array of strings, null for an empty unquoted field; *p moves
 * past its CRLF.
 */
static cJSON *csv_record(const char **p)
{
	cJSON *fields = cJSON_CreateArray();
	const char *s = *p;

	for (;;) {
		char buf[8192];
		size_t n = 0;
		bool quoted = *s == '"';

		if (quoted) {
			for (s++; !(s[0] == '"' && s[1] != '"'); s++) {
				assert_true(*s != '\0');
				if (s[0] == '"')
					s++;	/* "" is one quote */
				assert_true(n < sizeof(buf) - 1);
				buf[n++] = *s;
			}
			s++;
		} else {
			while (*s && *s != ',' && *s != '\r' && *s != '\n') {
				assert_true(*s != '"');
				assert_true(n < sizeof(buf) - 1);
				buf[n++] = *s++;
			}
		}
		buf[n] = '\0';
		cJSON_AddItemToArray(fields, quoted || n ? cJSON_CreateString(buf)
							  : cJSON_CreateNull());
		if (*s == ',') {
			s++;
			continue;
		}
		assert_memory_equal(s, "\r\n", 2);
		*p = s + 2;
		return fields;
	}
}

static cJSON *csv_header(unsigned flags)
{
	char *text = NULL;
	const char *p;
	cJSON *names;

	assert_int_equal(hostctx_export_header(HOSTCTX_EXPORT_CSV, flags, &text), 0);
	p = text;
	names = csv_record(&p);
	assert_int_equal(*p, '\0');
	free(text);
	return names;
}

static const cJSON *column(const cJSON *row, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);

	if (!v)
		fail_msg("no column %s", name);
	return v;
}

static void assert_column_string(const cJSON *row, const char *name, const char *want)
{
	const cJSON *v = column(row, name);

	if (!cJSON_IsString(v))
		fail_msg("%s is not a string", name);
	assert_string_equal(v->valuestring, want);
}

static void assert_column_number(const cJSON *row, const char *name, double want)
{
	const cJSON *v = column(row, name);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", name);
	if (v->valuedouble != want)
		fail_msg("%s is %.17g, not %.17g", name, v->valuedouble, want);
}

static void assert_column_null(const cJSON *row, const char *name)
{
	if (!cJSON_IsNull(column(row, name)))
		fail_msg("%s is not null", name);
}

/* The row's keys are the header's names, in its order. */
static void assert_columns_are(const cJSON *row, const cJSON *names)
{
	const cJSON *k = row->child;
	int i = 0;

	for (; k; k = k->next, i++) {
		const cJSON *name = cJSON_GetArrayItem(names, i);

		assert_non_null(name);
		assert_string_equal(k->string, name->valuestring);
	}
	assert_int_equal(i, cJSON_GetArraySize(names));
}

/* ---- the column set ----------------------------------------------------- */

static void the_columns_are_fixed_and_named_from_the_table(void **state)
{
	struct hostctx_sidecar *empty = sidecar_new(NULL, NULL);
	struct hostctx_sidecar *full = sidecar_new(fixture_new(), fixture_new());
	cJSON *names = csv_header(0), *a = ndjson_row(empty), *b = ndjson_row(full);
	int n = cJSON_GetArraySize(names);

	assert_columns_are(a, names);
	assert_columns_are(b, names);
	assert_string_equal(cJSON_GetArrayItem(names, 0)->valuestring, "file");
	assert_string_equal(cJSON_GetArrayItem(names, 4)->valuestring, "command_argv0");
	for (int i = 0; i < n; i++)	/* none twice */
		for (int j = i + 1; j < n; j++)
			assert_string_not_equal(cJSON_GetArrayItem(names, i)->valuestring,
						cJSON_GetArrayItem(names, j)->valuestring);
	/* every field of the table has its pre_ and post_ columns */
	for (size_t f = 0; f < hostctx_field_count(); f++) {
		char pre[128], post[128];
		bool has_pre = false, has_post = false;

		snprintf(pre, sizeof(pre), "pre_%s", hostctx_field_name(f));
		snprintf(post, sizeof(post), "post_%s", hostctx_field_name(f));
		for (int i = 0; i < n; i++) {
			const char *c = cJSON_GetArrayItem(names, i)->valuestring;

			has_pre |= strncmp(c, pre, strlen(pre)) == 0;
			has_post |= strncmp(c, post, strlen(post)) == 0;
		}
		if (!has_pre || !has_post)
			fail_msg("no column for field %s", hostctx_field_name(f));
	}
	cJSON_Delete(names);
	cJSON_Delete(a);
	cJSON_Delete(b);
	hostctx_sidecar_free(empty);
	hostctx_sidecar_free(full);
}

static void absent_values_are_null(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new(fixture_new(), NULL);
	cJSON *row = ndjson_row(sc);

	assert_column_string(row, "pre_cpu_model", "Intel(R) Xeon(R) Test CPU");
	assert_column_null(row, "post_cpu_model");
	assert_column_null(row, "post_cpufreq_governor_uniform");
	assert_column_null(row, "post_cpufreq_governor");
	assert_column_null(row, "post_sched_tunables");
	assert_column_null(row, "post_process_rlimits_nofile_soft");
	assert_column_null(row, "run_wall_seconds");
	assert_column_null(row, "run_exit_code");
	assert_column_null(row, "changes_count");
	assert_column_null(row, "deltas_context_switches");
	assert_column_null(row, "deltas_unavailable");
	assert_true(cJSON_IsFalse(column(row, "complete")));
	cJSON_Delete(row);
	hostctx_sidecar_free(sc);
}

/* ---- values --------------------------------------------------------------- */

static void per_cpu_maps_give_uniform_and_canonical_columns(void **state)
{
	struct hostctx_snapshot *pre = fixture_new(), *post = fixture_new();
	struct hostctx_sidecar *sc;
	cJSON *row;

	assert_int_equal(hostctx_snapshot_unset(post, "cpufreq_governor"), 0);
	assert_int_equal(hostctx_snapshot_unset(post, "cpufreq_max_khz"), 0);
	set_governor(post, 0, "schedutil");
	set_governor(post, 1, "powersave");
	set_governor(post, 2, "schedutil");
	set_governor(post, 3, "schedutil");
	set_u64(post, "cpufreq_max_khz.0-3", 3000000);
	sc = sidecar_new(pre, post);
	row = ndjson_row(sc);
	assert_column_string(row, "pre_cpufreq_governor_uniform", "performance");
	assert_column_string(row, "pre_cpufreq_governor", "0-15:performance");
	assert_column_null(row, "post_cpufreq_governor_uniform");
	assert_column_string(row, "post_cpufreq_governor", "0,2-3:schedutil;1:powersave");
	/* a by-CPU map of numbers: the uniform value is a number */
	assert_column_number(row, "post_cpufreq_max_khz_uniform", 3000000);
	assert_column_string(row, "post_cpufreq_max_khz", "0-3:3000000");
	cJSON_Delete(row);
	hostctx_sidecar_free(sc);
}

static void string_maps_are_json_text(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new(fixture_new(), NULL);
	cJSON *row = ndjson_row(sc), *map;

	map = cJSON_Parse(column(row, "pre_sched_tunables")->valuestring);
	assert_non_null(map);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(map, "sched_latency_ns")->valuestring,
			    "24000000");
	assert_int_equal(cJSON_GetArraySize(map), 2);
	cJSON_Delete(map);
	cJSON_Delete(row);
	hostctx_sidecar_free(sc);
}

static void numbers_are_numbers(void **state)
{
	struct hostctx_snapshot *pre = fixture_new(), *post = fixture_new();
	struct hostctx_rusage ru = { .present = true, .user_seconds = 1.25, .max_rss_kib = 4096 };
	struct hostctx_sidecar *sc;
	struct timespec t = { .tv_sec = 1764892800, .tv_nsec = 250000000 };
	cJSON *row;

	set_u64(pre, "context_switches", 100);
	set_u64(post, "context_switches", UINT64_C(9007199254740993));
	set_double(post, "uptime_seconds", 86402.25);
	set_str(post, "thp_enabled", "[always] madvise never");
	sc = sidecar_new(pre, post);
	hostctx_sidecar_set_wall_seconds(sc, 1.5);
	hostctx_sidecar_set_exit_code(sc, 3);
	hostctx_sidecar_set_time(sc, HOSTCTX_STARTED_AT, &t);
	hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_COMMAND, &ru);
	row = ndjson_row(sc);
	assert_true(cJSON_IsTrue(column(row, "complete")));
	assert_column_number(row, "run_wall_seconds", 1.5);
	assert_column_number(row, "run_exit_code", 3);
	assert_column_null(row, "run_exit_signal");
	assert_column_number(row, "run_user_seconds", 1.25);
	assert_column_number(row, "run_max_rss_kib", 4096);
	assert_column_null(row, "run_children_max_rss_kib");
	assert_column_string(row, "run_started_at", "2025-12-05T00:00:00.250Z");
	assert_column_number(row, "pre_total_memory_kib", 67108864);
	assert_column_number(row, "pre_online_cpus", 16);
	assert_column_number(row, "changes_count", 1);	/* counters are not changes */
	assert_column_number(row, "deltas_seconds", 2);
	assert_column_number(row, "deltas_context_switches", 9007199254740893.0);
	cJSON_Delete(row);
	{
		/* exact beyond 2^53: the text, not the double */
		char *text = row_text(sc, HOSTCTX_EXPORT_NDJSON, 0);

		assert_non_null(strstr(text, "\"deltas_context_switches\":9007199254740893,"));
		assert_non_null(strstr(text, "\"post_context_switches\":9007199254740993,"));
		/* a double is always written as one, for loaders that infer types */
		assert_non_null(strstr(text, "\"deltas_seconds\":2.0,"));
		assert_non_null(strstr(text, "\"run_wall_seconds\":1.5,"));
		free(text);
	}
	hostctx_sidecar_free(sc);
}

static void a_reboot_says_why_there_are_no_deltas(void **state)
{
	struct hostctx_snapshot *post = fixture_new();
	struct hostctx_sidecar *sc;
	cJSON *row;

	set_str(post, "boot_id", "00000000-4b5a-4978-8a6b-5c4d3e2f1a0b");
	sc = sidecar_new(fixture_new(), post);
	row = ndjson_row(sc);
	assert_column_string(row, "deltas_unavailable", "boot_changed");
	assert_column_null(row, "deltas_context_switches");
	cJSON_Delete(row);
	hostctx_sidecar_free(sc);
}

/* Every counter row has a member in the deltas' shape (lib/fields.c). */
static void every_counter_row_has_deltas_columns(void **state)
{
	for (size_t i = 0; i < hctx_n_fields; i++) {
		bool found = false;

		if (!hctx_fields[i].counter)
			continue;
		for (size_t m = 0; m < hctx_deltas_spec.n_members; m++)
			found |= strcmp(hctx_deltas_spec.members[m].name, hctx_fields[i].name) == 0;
		if (!found)
			fail_msg("counter row %s has no member in hctx_deltas_spec",
				 hctx_fields[i].name);
	}
}

/* ---- CSV -------------------------------------------------------------------- */

static void csv_quotes_commas_quotes_and_newlines(void **state)
{
	static char *const argv[] = { (char *)"a,b\"c\nd", (char *)"", (char *)"plain" };
	struct hostctx_sidecar *sc = sidecar_new(fixture_new(), NULL);
	cJSON *names = csv_header(0), *fields, *argv_json;
	char *text;
	const char *p;
	int i_argv0 = -1, i_argv = -1, i_model = -1, i_post = -1, i_mem = -1;

	assert_int_equal(hostctx_sidecar_set_command(sc, 3, argv, NULL), 0);
	text = row_text(sc, HOSTCTX_EXPORT_CSV, 0);
	assert_non_null(strstr(text, ",\"a,b\"\"c\nd\","));
	p = text;
	fields = csv_record(&p);
	assert_int_equal(*p, '\0');
	assert_int_equal(cJSON_GetArraySize(fields), cJSON_GetArraySize(names));
	for (int i = 0; i < cJSON_GetArraySize(names); i++) {
		const char *n = cJSON_GetArrayItem(names, i)->valuestring;

		i_argv0 = strcmp(n, "command_argv0") == 0 ? i : i_argv0;
		i_argv = strcmp(n, "command_argv") == 0 ? i : i_argv;
		i_model = strcmp(n, "pre_cpu_model") == 0 ? i : i_model;
		i_post = strcmp(n, "post_cpu_model") == 0 ? i : i_post;
		i_mem = strcmp(n, "pre_total_memory_kib") == 0 ? i : i_mem;
	}
	assert_string_equal(cJSON_GetArrayItem(fields, i_argv0)->valuestring, argv[0]);
	argv_json = cJSON_Parse(cJSON_GetArrayItem(fields, i_argv)->valuestring);
	assert_non_null(argv_json);
	assert_int_equal(cJSON_GetArraySize(argv_json), 3);
	assert_string_equal(cJSON_GetArrayItem(argv_json, 0)->valuestring, argv[0]);
	assert_string_equal(cJSON_GetArrayItem(argv_json, 1)->valuestring, "");
	assert_string_equal(cJSON_GetArrayItem(fields, i_model)->valuestring,
			    "Intel(R) Xeon(R) Test CPU");
	assert_true(cJSON_IsNull(cJSON_GetArrayItem(fields, i_post)));	/* absent: empty */
	assert_string_equal(cJSON_GetArrayItem(fields, i_mem)->valuestring, "67108864");
	cJSON_Delete(argv_json);
	cJSON_Delete(fields);
	cJSON_Delete(names);
	free(text);
	hostctx_sidecar_free(sc);
}

/* ---- --snapshots ------------------------------------------------------------ */

static void snapshot_rows_have_a_phase(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new(fixture_new(), fixture_new());
	cJSON *names = csv_header(HOSTCTX_EXPORT_SNAPSHOTS), *row;
	char *text = row_text(sc, HOSTCTX_EXPORT_NDJSON, HOSTCTX_EXPORT_SNAPSHOTS);
	char *second = strchr(text, '\n') + 1, *bare = NULL;

	assert_string_equal(cJSON_GetArrayItem(names, 1)->valuestring, "phase");
	row = cJSON_Parse(text);
	assert_columns_are(row, names);
	assert_column_string(row, "phase", "pre");
	assert_column_string(row, "cpu_model", "Intel(R) Xeon(R) Test CPU");
	assert_column_string(row, "cpufreq_governor_uniform", "performance");
	cJSON_Delete(row);
	row = cJSON_Parse(second);
	assert_column_string(row, "phase", "post");
	cJSON_Delete(row);
	assert_non_null(strchr(second, '\n'));
	assert_int_equal(strchr(second, '\n')[1], '\0');	/* two rows */

	assert_int_equal(hostctx_snapshot_export(hostctx_sidecar_snapshot(sc, HOSTCTX_PRE), NULL,
						 HOSTCTX_EXPORT_NDJSON,
						 HOSTCTX_EXPORT_SNAPSHOTS, &bare, NULL), 0);
	row = cJSON_Parse(bare);
	assert_columns_are(row, names);
	assert_column_string(row, "phase", "snapshot");
	assert_column_null(row, "file");
	assert_column_null(row, "schema");
	cJSON_Delete(row);
	free(bare);
	bare = NULL;
	/* a record's row has no place for a bare snapshot */
	assert_int_equal(hostctx_snapshot_export(hostctx_sidecar_snapshot(sc, HOSTCTX_PRE), NULL,
						 HOSTCTX_EXPORT_NDJSON, 0, &bare, NULL), -EINVAL);
	assert_int_equal(hostctx_sidecar_export(sc, NULL, (enum hostctx_export_format)7, 0,
						&bare, NULL), -EINVAL);
	assert_int_equal(hostctx_export_header((enum hostctx_export_format)7, 0, &bare),
			 -EINVAL);
	assert_null(bare);
	assert_int_equal(hostctx_export_header(HOSTCTX_EXPORT_NDJSON, 0, &bare), 0);
	assert_string_equal(bare, "");
	free(bare);
	cJSON_Delete(names);
	free(text);
	hostctx_sidecar_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_columns_are_fixed_and_named_from_the_table),
		cmocka_unit_test(absent_values_are_null),
		cmocka_unit_test(per_cpu_maps_give_uniform_and_canonical_columns),
		cmocka_unit_test(string_maps_are_json_text),
		cmocka_unit_test(numbers_are_numbers),
		cmocka_unit_test(a_reboot_says_why_there_are_no_deltas),
		cmocka_unit_test(every_counter_row_has_deltas_columns),
		cmocka_unit_test(csv_quotes_commas_quotes_and_newlines),
		cmocka_unit_test(snapshot_rows_have_a_phase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
