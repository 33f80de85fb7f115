/* SPDX-License-Identifier: MIT */
/*
 * The fleet report (lib/report.c, docs/fleet.md "hostctx report") fed
 * synthetic records: runs on one host configuration share a group
 * whatever their instance and telemetry fields (boot_id, cgroup.id,
 * uptime) and total_memory_kib within 1 %; a config or identity field
 * makes another; --by groups by values; --command keeps one command;
 * snapshots and records without one are left out and counted; the
 * statistics (median, min, max, mean, failures), the varying fields,
 * drift, bad run evidence and incomplete records are right, and the
 * lists stop at 50 but count on.
 */
#include "json_fixture.h"

#include <cjson/cJSON.h>
#include <errno.h>

/* A record of one run: pre (and post, taken), its command and how it ended. */
static struct hostctx_sidecar *record(struct hostctx_snapshot *pre, struct hostctx_snapshot *post,
				      const char *argv0, int exit_code, double wall)
{
	struct hostctx_sidecar *sc = NULL;
	char *argv[] = { (char *)argv0, (char *)"--quick", NULL };

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_int_equal(hostctx_sidecar_set_mode(sc, "wrapper"), 0);
	assert_int_equal(hostctx_sidecar_set_command(sc, 2, argv, "/tmp"), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	hostctx_sidecar_set_complete(sc, post != NULL);
	if (post) {
		hostctx_sidecar_set_exit_code(sc, exit_code);
		hostctx_sidecar_set_wall_seconds(sc, wall);
	}
	return sc;
}

/* The host: the fixture with this boot's fields and a governor. */
static struct hostctx_snapshot *host(const char *governor, uint64_t memory_kib,
				     const char *boot_id)
{
	struct hostctx_snapshot *s = snapshot_new();

	fixture(s);
	for (unsigned cpu = 0; cpu < 16; cpu++)
		set_governor(s, cpu, governor);
	set_u64(s, "total_memory_kib", memory_kib);
	set_str(s, "boot_id", boot_id);
	return s;
}

static struct hostctx_document *doc_of_sidecar(struct hostctx_sidecar *sc)
{
	struct hostctx_document *doc = NULL;
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(hostctx_sidecar_to_json(sc, &text, &len), 0);
	assert_int_equal(hostctx_document_parse(text, len, &doc, NULL), 0);
	free(text);
	hostctx_sidecar_free(sc);
	return doc;
}

/* Add a run on host (pre and an equal post) and assert what add said. */
static void add_run(struct hostctx_report *rep, struct hostctx_snapshot *pre, const char *argv0,
		    int exit_code, double wall, int want)
{
	struct hostctx_snapshot *a = NULL, *b = NULL;
	struct hostctx_document *doc;

	assert_int_equal(hostctx_snapshot_dup(pre, &a), 0);
	assert_int_equal(hostctx_snapshot_dup(pre, &b), 0);
	doc = doc_of_sidecar(record(a, b, argv0, exit_code, wall));
	assert_int_equal(hostctx_report_add(rep, doc, "r.hostctx.json"), want);
	hostctx_document_free(doc);
}

static struct hostctx_report *report_new(void)
{
	struct hostctx_report *rep = NULL;

	assert_int_equal(hostctx_report_new(&rep), 0);
	return rep;
}

static cJSON *report_json(const struct hostctx_report *rep)
{
	char *text = NULL;
	size_t len = 0;
	cJSON *j;

	assert_int_equal(hostctx_report_to_json(rep, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	j = cJSON_Parse(text);
	assert_non_null(j);
	free(text);
	return j;
}

static double number_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static const cJSON *item(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_non_null(v);
	return v;
}

/* The group of the JSON report whose id is id. */
static const cJSON *group_with_id(const cJSON *j, unsigned id)
{
	const cJSON *g;

	cJSON_ArrayForEach(g, item(j, "groups"))
		if (number_at(g, "id") == id)
			return g;
	fail_msg("no group %u", id);
	return NULL;
}

static void instance_and_telemetry_do_not_split_a_group(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *a = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	struct hostctx_snapshot *b = host("performance", 64300000, "00000000-4b5a-4978-8a6b-5c4d3e2f1a0b");

	(void)state;
	set_double(b, "uptime_seconds", 5.5);
	set_u64(b, "cgroup.id", 4242);
	set_double(b, "load_avg_1min", 3.0);
	add_run(rep, a, "bench", 0, 1.0, 0);
	add_run(rep, b, "bench", 0, 2.0, 0);	/* memory within 1 % */
	assert_int_equal(hostctx_report_group_count(rep), 1);
	assert_int_equal(hostctx_report_group_runs(rep, 0), 2);
	/* beyond 1 %, another config field, an identity field: new groups */
	set_u64(b, "total_memory_kib", 65000000);
	add_run(rep, b, "bench", 0, 1.0, 0);
	set_u64(a, "total_memory_kib", 64000000);
	set_str(a, "thp_enabled", "always madvise [never]");
	add_run(rep, a, "bench", 0, 1.0, 0);
	set_str(b, "cpu_model", "Another CPU");
	add_run(rep, b, "bench", 0, 1.0, 0);
	assert_int_equal(hostctx_report_group_count(rep), 4);
	assert_int_equal(hostctx_report_run_count(rep), 5);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
	hostctx_report_free(rep);
}

static void statistics_per_group(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *s = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	const double walls[] = { 3.0, 1.0, 4.0, 1.5 };
	const cJSON *g, *w, *exits;
	cJSON *j;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		add_run(rep, s, "bench", i == 2 ? 1 : 0, walls[i], 0);
	j = report_json(rep);
	assert_string_equal(item(j, "schema")->valuestring, "hostctx-report/1");
	g = group_with_id(j, 1);
	assert_int_equal(number_at(g, "runs"), 4);
	w = item(g, "wall_seconds");
	assert_int_equal(number_at(w, "count"), 4);
	assert_true(number_at(w, "median") == 2.25);
	assert_true(number_at(w, "min") == 1.0 && number_at(w, "max") == 4.0);
	assert_true(number_at(w, "mean") == 2.375);
	assert_int_equal(number_at(g, "failures"), 1);
	exits = item(g, "exits");
	assert_int_equal(cJSON_GetArraySize(exits), 2);
	assert_string_equal(item(cJSON_GetArrayItem(exits, 0), "value")->valuestring, "exit 0");
	assert_int_equal(number_at(cJSON_GetArrayItem(exits, 0), "runs"), 3);
	assert_string_equal(item(cJSON_GetArrayItem(item(g, "machine_types"), 0), "value")->valuestring,
			    "Intel(R) Xeon(R) Test CPU");
	assert_string_equal(item(cJSON_GetArrayItem(item(g, "kernels"), 0), "value")->valuestring,
			    "6.16.0-test");
	cJSON_Delete(j);
	hostctx_snapshot_free(s);
	hostctx_report_free(rep);
}

/* Two governors, the powersave runs slower: the slowest group first, the field varies. */
static void the_varying_fields_and_the_slowest_first(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *fast = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	struct hostctx_snapshot *slow = host("powersave", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	const cJSON *first, *vary, *values;
	char *text = NULL;
	cJSON *j;

	(void)state;
	set_governor(slow, 3, "performance");
	add_run(rep, fast, "bench", 0, 1.0, 0);
	add_run(rep, slow, "bench", 0, 9.0, 0);
	add_run(rep, slow, "bench", 0, 8.0, 0);
	j = report_json(rep);
	first = cJSON_GetArrayItem(item(j, "groups"), 0);
	assert_int_equal(number_at(first, "id"), 2);
	assert_string_equal(item(item(first, "values"), "cpufreq_governor")->valuestring,
			    "0-2,4-15:powersave;3:performance");
	vary = item(j, "varying");
	assert_int_equal(cJSON_GetArraySize(vary), 1);
	assert_string_equal(item(cJSON_GetArrayItem(vary, 0), "field")->valuestring,
			    "cpufreq_governor");
	values = item(cJSON_GetArrayItem(vary, 0), "values");
	assert_int_equal(cJSON_GetArraySize(values), 2);
	assert_string_equal(item(cJSON_GetArrayItem(values, 0), "value")->valuestring,
			    "0-15:performance");
	assert_int_equal(number_at(cJSON_GetArrayItem(values, 1), "runs"), 2);
	cJSON_Delete(j);
	assert_int_equal(hostctx_report_format_text(rep, &text), 0);
	assert_non_null(strstr(text, "2 groups"));
	assert_non_null(strstr(text, "cpufreq_governor = 0-2,4-15:powersave;3:performance"));
	assert_true(strstr(text, "group 2:") < strstr(text, "group 1:"));
	free(text);
	hostctx_snapshot_free(fast);
	hostctx_snapshot_free(slow);
	hostctx_report_free(rep);
}

static void group_by_chosen_fields(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *s = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	const cJSON *values;
	cJSON *j;

	(void)state;
	assert_int_equal(hostctx_report_group_by(rep, "no_such_field"), -EINVAL);
	assert_int_equal(hostctx_report_group_by(rep, "cpu_model.x"), -EINVAL);
	assert_int_equal(hostctx_report_group_by(rep, "cpufreq_governor"), 0);
	assert_int_equal(hostctx_report_group_by(rep, "sysctls.vm.swappiness"), 0);
	add_run(rep, s, "bench", 0, 1.0, 0);
	set_str(s, "kernel_release", "7.0");	/* not a --by field: the same group */
	add_run(rep, s, "bench", 0, 1.0, 0);
	set_str(s, "sysctls.vm.swappiness", "10");
	add_run(rep, s, "bench", 0, 1.0, 0);
	assert_int_equal(hostctx_report_group_by(rep, "cpu_model"), -EBUSY);
	assert_int_equal(hostctx_report_group_count(rep), 2);
	assert_int_equal(hostctx_report_group_runs(rep, 0), 2);
	j = report_json(rep);
	assert_int_equal(cJSON_GetArraySize(item(j, "by")), 2);
	values = item(group_with_id(j, 2), "values");
	assert_string_equal(item(values, "sysctls.vm.swappiness")->valuestring, "10");
	assert_string_equal(item(values, "cpufreq_governor")->valuestring, "0-15:performance");
	assert_int_equal(cJSON_GetArraySize(item(group_with_id(j, 1), "kernels")), 2);
	cJSON_Delete(j);
	hostctx_snapshot_free(s);
	hostctx_report_free(rep);
}

static void one_command_kept(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *s = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	cJSON *j;

	(void)state;
	assert_int_equal(hostctx_report_set_command(rep, "bench"), 0);
	add_run(rep, s, "./build/bench", 0, 1.0, 0);	/* its program's name */
	add_run(rep, s, "bench", 0, 1.0, 0);
	add_run(rep, s, "make", 0, 1.0, HOSTCTX_REPORT_OTHER_COMMAND);
	assert_int_equal(hostctx_report_set_command(rep, "x"), -EBUSY);
	hostctx_report_free(rep);
	rep = report_new();
	assert_int_equal(hostctx_report_set_command(rep, "bench --q*"), 0);	/* the command line */
	add_run(rep, s, "bench", 0, 1.0, 0);
	add_run(rep, s, "make", 0, 1.0, HOSTCTX_REPORT_OTHER_COMMAND);
	j = report_json(rep);
	assert_int_equal(number_at(item(j, "inputs"), "records"), 2);
	assert_int_equal(number_at(item(j, "inputs"), "other_command"), 1);
	assert_string_equal(item(j, "command")->valuestring, "bench --q*");
	cJSON_Delete(j);
	hostctx_snapshot_free(s);
	hostctx_report_free(rep);
}

static void snapshots_and_empty_records_are_left_out(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_document *doc = NULL;
	struct hostctx_snapshot *s = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	char *text = NULL;
	size_t len;
	cJSON *j;

	(void)state;
	assert_int_equal(hostctx_snapshot_to_json(s, &text, &len), 0);
	assert_int_equal(hostctx_document_parse(text, len, &doc, NULL), 0);
	free(text);
	assert_int_equal(hostctx_report_add(rep, doc, "s.json"), -EMEDIUMTYPE);
	hostctx_document_free(doc);
	doc = doc_of_sidecar(record(NULL, NULL, "bench", 0, 1));
	assert_int_equal(hostctx_report_add(rep, doc, "e.json"), -ENODATA);
	hostctx_document_free(doc);
	hostctx_report_add_unreadable(rep);
	/* pre missing: the run is grouped by its post (taken) */
	doc = doc_of_sidecar(record(NULL, s, "bench", 0, 1));
	assert_int_equal(hostctx_report_add(rep, doc, "p.json"), 0);
	hostctx_document_free(doc);
	assert_int_equal(hostctx_report_group_count(rep), 1);
	j = report_json(rep);
	assert_int_equal(number_at(item(j, "inputs"), "snapshots"), 1);
	assert_int_equal(number_at(item(j, "inputs"), "no_snapshot"), 1);
	assert_int_equal(number_at(item(j, "inputs"), "unreadable"), 1);
	assert_int_equal(number_at(item(j, "inputs"), "runs"), 1);
	cJSON_Delete(j);
	hostctx_report_free(rep);
}

/* 60 drifting runs (50 listed), one that swapped, one incomplete. */
static void drift_evidence_and_incomplete_records(void **state)
{
	struct hostctx_report *rep = report_new();
	struct hostctx_snapshot *s = host("performance", 64000000, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	struct hostctx_snapshot *pre, *post;
	struct hostctx_document *doc;
	const cJSON *drift, *listed, *bad;
	cJSON *j;

	(void)state;
	for (int i = 0; i < 60; i++) {
		assert_int_equal(hostctx_snapshot_dup(s, &pre), 0);
		assert_int_equal(hostctx_snapshot_dup(s, &post), 0);
		set_governor(post, 1, "powersave");
		doc = doc_of_sidecar(record(pre, post, "bench", 0, 1));
		assert_int_equal(hostctx_report_add(rep, doc, "d.json"), 0);
		hostctx_document_free(doc);
	}
	assert_int_equal(hostctx_snapshot_dup(s, &pre), 0);
	assert_int_equal(hostctx_snapshot_dup(s, &post), 0);
	set_u64(pre, "vmstat.pswpin", 10);
	set_u64(post, "vmstat.pswpin", 500);
	doc = doc_of_sidecar(record(pre, post, "bench", 0, 1));
	assert_int_equal(hostctx_report_add(rep, doc, "swapped.json"), 0);
	hostctx_document_free(doc);
	assert_int_equal(hostctx_snapshot_dup(s, &pre), 0);
	doc = doc_of_sidecar(record(pre, NULL, "bench", 0, 1));
	assert_int_equal(hostctx_report_add(rep, doc, "running.json"), 0);
	hostctx_document_free(doc);
	assert_int_equal(hostctx_report_group_count(rep), 1);	/* drift is post's: pre groups */
	j = report_json(rep);
	drift = item(j, "drift");
	assert_int_equal(number_at(drift, "count"), 60);
	listed = item(drift, "listed");
	assert_int_equal(cJSON_GetArraySize(listed), 50);
	assert_string_equal(cJSON_GetArrayItem(item(cJSON_GetArrayItem(listed, 0), "fields"), 0)->valuestring,
			    "cpufreq_governor.cpu1");
	bad = item(j, "bad_evidence");
	assert_int_equal(number_at(bad, "count"), 1);
	listed = cJSON_GetArrayItem(item(bad, "listed"), 0);
	assert_string_equal(item(listed, "file")->valuestring, "swapped.json");
	assert_string_equal(item(cJSON_GetArrayItem(item(listed, "checks"), 0), "id")->valuestring,
			    "run-swapped");
	listed = cJSON_GetArrayItem(item(item(j, "incomplete"), "listed"), 0);
	assert_string_equal(item(listed, "file")->valuestring, "running.json");
	assert_int_equal(number_at(group_with_id(j, 1), "drift"), 60);
	assert_int_equal(number_at(group_with_id(j, 1), "incomplete"), 1);
	assert_int_equal(number_at(item(group_with_id(j, 1), "wall_seconds"), "count"), 61);
	cJSON_Delete(j);
	hostctx_snapshot_free(s);
	hostctx_report_free(rep);
}

static void an_empty_report(void **state)
{
	struct hostctx_report *rep = report_new();
	char *text = NULL;
	cJSON *j;

	(void)state;
	hostctx_report_free(NULL);
	assert_int_equal(hostctx_report_format_text(rep, &text), 0);
	assert_non_null(strstr(text, "0 runs in 0 groups"));
	free(text);
	j = report_json(rep);
	assert_int_equal(cJSON_GetArraySize(item(j, "groups")), 0);
	assert_true(cJSON_IsNull(item(j, "by")));
	cJSON_Delete(j);
	hostctx_report_free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(instance_and_telemetry_do_not_split_a_group),
		cmocka_unit_test(statistics_per_group),
		cmocka_unit_test(the_varying_fields_and_the_slowest_first),
		cmocka_unit_test(group_by_chosen_fields),
		cmocka_unit_test(one_command_kept),
		cmocka_unit_test(snapshots_and_empty_records_are_left_out),
		cmocka_unit_test(drift_evidence_and_incomplete_records),
		cmocka_unit_test(an_empty_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
