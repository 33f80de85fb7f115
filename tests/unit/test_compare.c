/* SPDX-License-Identifier: MIT */
/*
 * compare.c and compare_out.c: tolerance specs and files, the marks a
 * comparison puts on its differences (within tolerance, not
 * comparable, not compared), the exit rule of both forms, and the
 * grouped text and JSON (docs/json-format.md, "Comparing").
 */
#include "json_fixture.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

/* ---- the pure parser ---------------------------------------------------- */

static void test_tolerance_specs(void **state)
{
	static const struct {
		const char *spec;
		int kind;
		double n;
	} good[] = {
		{ "any", HCTX_TOLERANCE_ANY, 0 },
		{ "0", HCTX_TOLERANCE_EXACT, 0 },
		{ "0%", HCTX_TOLERANCE_EXACT, 0 },
		{ "0.0", HCTX_TOLERANCE_EXACT, 0 },
		{ "5", HCTX_TOLERANCE_ABSOLUTE, 5 },
		{ "2.5", HCTX_TOLERANCE_ABSOLUTE, 2.5 },
		{ "1%", HCTX_TOLERANCE_RELATIVE, 1 },
		{ "0.1%", HCTX_TOLERANCE_RELATIVE, 0.1 },
	};
	static const char *const bad[] = {
		"", "%", "-1", "+1", " 1", "1 ", "1%%", "%1", "1e3", "inf", "nan",
		"0x10", "1.2.3", "ANY", "any ", "1,5", "5k", "1%x", ".", "1..",
	};
	struct hctx_tolerance t;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(hctx_parse_tolerance(good[i].spec, &t), 0);
		assert_int_equal(t.kind, good[i].kind);
		assert_true(t.n == good[i].n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hctx_parse_tolerance(bad[i], &t) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_tolerance_allows(void **state)
{
	static const struct hctx_spec u64 = { .kind = HCTX_KIND_U64 };
	static const struct hctx_spec limit = { .kind = HCTX_KIND_LIMIT };
	static const struct hctx_spec str = { .kind = HCTX_KIND_STRING };
	struct hctx_value *a = hctx_value_u64(1000), *b = hctx_value_u64(1010);
	struct hctx_value *c = hctx_value_u64(1011), *big = hctx_value_u64(UINT64_MAX);
	struct hctx_value *s1 = hctx_value_string("10"), *s2 = hctx_value_string("11");
	struct hctx_tolerance t;

	(void)state;
	assert_int_equal(hctx_parse_tolerance("1%", &t), 0);
	assert_true(hctx_tolerance_allows(&t, &u64, a, b));	/* 10 <= 1% of 1000 */
	assert_false(hctx_tolerance_allows(&t, &u64, a, c));
	assert_true(hctx_tolerance_allows(&t, &u64, b, a));	/* either direction */
	assert_int_equal(hctx_parse_tolerance("10", &t), 0);
	assert_true(hctx_tolerance_allows(&t, &u64, a, b));
	assert_false(hctx_tolerance_allows(&t, &u64, a, c));
	/* a numeric spec on strings, and "unlimited", means exact */
	assert_false(hctx_tolerance_allows(&t, &str, s1, s2));
	assert_false(hctx_tolerance_allows(&t, &limit, a, big));
	assert_int_equal(hctx_parse_tolerance("any", &t), 0);
	assert_true(hctx_tolerance_allows(&t, &str, s1, s2));
	assert_int_equal(hctx_parse_tolerance("0", &t), 0);
	assert_false(hctx_tolerance_allows(&t, &u64, a, b));
	hctx_value_free(a);
	hctx_value_free(b);
	hctx_value_free(c);
	hctx_value_free(big);
	hctx_value_free(s1);
	hctx_value_free(s2);
}

static void test_tolerance_file(void **state)
{
	static const char good[] = "# comment\n\n  total_memory_kib 2%  # MemTotal\n"
				   "cpufreq_max_khz\t100\r\nsysctls.* any";
	static const char *const bad[] = { "lonely\n", "a 1 2\n", "a b\n", "ok 1\nx 5q\n" };
	struct hostctx_compare *o = NULL;
	struct hostctx_error err = { .message = "" };

	(void)state;
	assert_int_equal(hostctx_compare_new(HOSTCTX_COMPARE_FILES, &o), 0);
	assert_int_equal(hostctx_compare_load_tolerances(o, good, strlen(good), &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.message[0] = '\0';
		assert_int_equal(hostctx_compare_load_tolerances(o, bad[i], strlen(bad[i]), &err),
				 -EINVAL);
		assert_non_null(strstr(err.message, i == 3 ? "line 2:" : "line 1:"));
	}
	/* a NUL inside a line is no line */
	assert_int_equal(hostctx_compare_load_tolerances(o, "a\0 1\n", 5, &err), -EINVAL);
	assert_int_equal(hostctx_compare_add_tolerance_arg(o, "x=5%"), 0);
	assert_int_equal(hostctx_compare_add_tolerance_arg(o, "a=b=any"), 0);
	assert_int_equal(hostctx_compare_add_tolerance_arg(o, "x"), -EINVAL);
	assert_int_equal(hostctx_compare_add_tolerance_arg(o, "=1"), -EINVAL);
	assert_int_equal(hostctx_compare_add_tolerance_arg(o, "x=fast"), -EINVAL);
	hostctx_compare_free(o);
}

/* ---- marks ----------------------------------------------------------------- */

struct cmp {
	struct hostctx_snapshot *a, *b;
	struct hostctx_compare *o;
	struct hostctx_changes *c;
};

static void cmp_init(struct cmp *p, enum hostctx_compare_form form)
{
	p->a = fixture_new();
	p->b = fixture_new();
	p->c = NULL;
	assert_int_equal(hostctx_compare_new(form, &p->o), 0);
}

static void cmp_run(struct cmp *p)
{
	hostctx_changes_free(p->c);
	p->c = NULL;
	assert_int_equal(hostctx_compare_snapshots(p->o, p->a, p->b, &p->c), 0);
}

static void cmp_clear(struct cmp *p)
{
	hostctx_changes_free(p->c);
	hostctx_compare_free(p->o);
	hostctx_snapshot_free(p->a);
	hostctx_snapshot_free(p->b);
}

/* The flags of the change of field; fails when there is none. */
static unsigned flags_of(const struct cmp *p, const char *field)
{
	for (size_t i = 0; i < hostctx_changes_count(p->c); i++)
		if (strcmp(hostctx_change_field(p->c, i), field) == 0)
			return hostctx_change_flags(p->c, i);
	fail_msg("no change of %s", field);
	return 0;
}

static char *grouped(const struct cmp *p, unsigned flags)
{
	char *text = NULL;

	assert_int_equal(hostctx_changes_format_grouped(p->c, flags, &text), 0);
	return text;
}

static void test_same_is_same(void **state)
{
	struct cmp p;
	char *text;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	cmp_run(&p);
	assert_int_equal(hostctx_changes_count(p.c), 0);
	assert_false(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "identity: same machine type\ninstance: same boot\n"
				  "config: same\ntelemetry: same\n");
	free(text);
	hostctx_changes_free(p.c);
	p.c = NULL;
	hostctx_compare_free(p.o);
	assert_int_equal(hostctx_compare_new(HOSTCTX_COMPARE_RUN, &p.o), 0);
	cmp_run(&p);
	text = grouped(&p, 0);
	assert_string_equal(text, "");	/* the run form: only what differs */
	free(text);
	cmp_clear(&p);
}

static void test_default_tolerance_and_override(void **state)
{
	struct cmp p;
	char *text;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	set_u64(p.b, "total_memory_kib", UINT64_C(64) * 1024 * 1024 - 4096); /* -0.006 % */
	assert_int_equal(hostctx_compare_add_default_tolerances(p.o), 0);
	cmp_run(&p);
	assert_int_equal(flags_of(&p, "total_memory_kib") & HOSTCTX_CHANGE_WITHIN_TOLERANCE,
			 HOSTCTX_CHANGE_WITHIN_TOLERANCE);
	assert_false(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "identity: same machine type (1 within tolerance)\n"
				  "instance: same boot\nconfig: same\ntelemetry: same\n");
	free(text);
	text = grouped(&p, HOSTCTX_GROUPED_VERBOSE);
	assert_non_null(strstr(text, "  total_memory_kib   67108864 → 67104768   (within tolerance)\n"));
	free(text);
	/* "0" after the default cancels it: the last match wins */
	assert_int_equal(hostctx_compare_add_tolerance(p.o, "total_*", "0"), 0);
	cmp_run(&p);
	assert_int_equal(flags_of(&p, "total_memory_kib") & HOSTCTX_CHANGE_WITHIN_TOLERANCE, 0);
	assert_true(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "identity: different machines: total_memory_kib "
				  "(config differences below may be expected)\n"
				  "  total_memory_kib   67108864 → 67104768\n"
				  "instance: same boot\nconfig: same\ntelemetry: same\n");
	free(text);
	cmp_clear(&p);
}

static void test_tolerance_on_cpus_and_members(void **state)
{
	struct cmp p;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	set_u64(p.b, "cpufreq_max_khz.0-7", 5000100);	/* +100 kHz on CPUs 0-7 */
	set_u64(p.b, "cpufreq_max_khz.8-15", 3000000);
	set_str(p.b, "sysctls.vm.swappiness", "10");
	/* the field's name covers its per-CPU paths; members by glob */
	assert_int_equal(hostctx_compare_add_tolerance(p.o, "cpufreq_max_khz", "200"), 0);
	assert_int_equal(hostctx_compare_add_tolerance(p.o, "sysctls.vm.*", "any"), 0);
	cmp_run(&p);
	assert_true(flags_of(&p, "cpufreq_max_khz.cpu0-7") & HOSTCTX_CHANGE_WITHIN_TOLERANCE);
	assert_false(flags_of(&p, "cpufreq_max_khz.cpu8-15") & HOSTCTX_CHANGE_WITHIN_TOLERANCE);
	assert_true(flags_of(&p, "sysctls.vm.swappiness") & HOSTCTX_CHANGE_WITHIN_TOLERANCE);
	assert_true(hostctx_changes_differ(p.c));
	/* presence must match even under "any" */
	hostctx_snapshot_unset(p.b, "sysctls.vm.swappiness");
	hostctx_snapshot_unset(p.b, "cpufreq_max_khz");
	cmp_run(&p);
	assert_int_equal(flags_of(&p, "sysctls.vm.swappiness"), 0);
	assert_int_equal(flags_of(&p, "cpufreq_max_khz"), 0);
	cmp_clear(&p);
}

static void test_classes_and_forms(void **state)
{
	struct cmp p;
	char *text;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	set_str(p.b, "boot_id", "00000000-0000-0000-0000-000000000000");
	set_double(p.b, "uptime_seconds", 5);
	set_u64(p.b, "hugepages_free", 3);	/* the reference's, yet telemetry */
	cmp_run(&p);
	/* across files: a boot differs by nature; telemetry is counted only */
	assert_false(hostctx_changes_differ(p.c));
	assert_true(flags_of(&p, "uptime_seconds") & HOSTCTX_CHANGE_NOT_COMPARED);
	assert_true(flags_of(&p, "hugepages_free") & HOSTCTX_CHANGE_NOT_COMPARED);
	text = grouped(&p, 0);
	assert_string_equal(text, "identity: same machine type\ninstance: different boot\n"
				  "config: same\ntelemetry: 2 fields differ (--all to list)\n");
	free(text);
	hostctx_compare_set_classes(p.o, 1u << HOSTCTX_CLASS_TELEMETRY);
	cmp_run(&p);
	assert_true(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "telemetry: 2 differences\n"
				  "  hugepages_free   0 → 3\n"
				  "  uptime_seconds   86400.2 → 5\n");
	free(text);
	/* one record: an instance difference counts; telemetry never does,
	 * but the reference's hugepages_free keeps its line and counts */
	hostctx_changes_free(p.c);
	p.c = NULL;
	hostctx_compare_free(p.o);
	assert_int_equal(hostctx_compare_new(HOSTCTX_COMPARE_RUN, &p.o), 0);
	set_u64(p.b, "hugepages_free", 0);
	cmp_run(&p);
	assert_true(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "instance: different boot\n"
				  "  boot_id   6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b → "
				  "00000000-0000-0000-0000-000000000000\n");
	free(text);
	set_str(p.b, "boot_id", "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
	set_u64(p.b, "hugepages_free", 1);
	cmp_run(&p);
	assert_true(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "  hugepages_free: 0 → 1\n");
	free(text);
	set_u64(p.b, "hugepages_free", 0);
	hostctx_compare_set_classes(p.o, HCTX_DEFAULT_CLASSES | (1u << HOSTCTX_CLASS_TELEMETRY));
	cmp_run(&p);
	assert_false(hostctx_changes_differ(p.c));	/* uptime moved: evidence */
	text = grouped(&p, 0);
	assert_string_equal(text, "telemetry: 1 difference\n  uptime_seconds   86400.2 → 5\n");
	free(text);
	cmp_clear(&p);
}

static void test_not_comparable(void **state)
{
	struct cmp p;
	char *text;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	hostctx_snapshot_unset(p.b, "clocksource");
	hostctx_snapshot_unset(p.b, "sysctls.vm.swappiness");
	set_str(p.b, "kernel_release", "6.17.0");
	/* one producer: presence differences are differences */
	assert_int_equal(hostctx_compare_set_producers(p.o, "hostctx-run 0.1.0",
						       "hostctx-run 0.1.0"), 0);
	cmp_run(&p);
	assert_int_equal(flags_of(&p, "clocksource"), 0);
	assert_true(hostctx_changes_differ(p.c));
	/* another: they are not comparable and do not count */
	assert_int_equal(hostctx_compare_set_producers(p.o, "hostctx-run 0.1.0",
						       "the reference"), 0);
	assert_int_equal(hostctx_compare_add_ignore(p.o, "kernel_release"), 0);
	cmp_run(&p);
	assert_true(flags_of(&p, "clocksource") & HOSTCTX_CHANGE_NOT_COMPARABLE);
	assert_true(flags_of(&p, "sysctls.vm.swappiness") & HOSTCTX_CHANGE_NOT_COMPARABLE);
	assert_false(hostctx_changes_differ(p.c));
	text = grouped(&p, 0);
	assert_string_equal(text, "identity: same machine type\ninstance: same boot\n"
				  "config: same\ntelemetry: same\n"
				  "not comparable: 2 fields on one side only, from another producer "
				  "(hostctx-run 0.1.0; the reference; -v lists them)\n");
	free(text);
	text = grouped(&p, HOSTCTX_GROUPED_VERBOSE);
	assert_non_null(strstr(text, "  clocksource   tsc → (absent)\n"));
	free(text);
	cmp_clear(&p);
}

static void test_grouped_json(void **state)
{
	struct cmp p;
	char *text = NULL;
	cJSON *j, *classes, *config, *tele;

	(void)state;
	cmp_init(&p, HOSTCTX_COMPARE_FILES);
	assert_int_equal(hostctx_compare_add_default_tolerances(p.o), 0);
	set_u64(p.b, "total_memory_kib", UINT64_C(64) * 1024 * 1024 + 1);
	set_str(p.b, "thp_enabled", "[always] madvise never");
	set_double(p.b, "uptime_seconds", 5);
	cmp_run(&p);
	assert_int_equal(hostctx_changes_to_grouped_json(p.c, &text, NULL), 0);
	j = cJSON_Parse(text);
	assert_non_null(j);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "same")));
	classes = cJSON_GetObjectItem(j, "classes");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(classes, "identity"),
						     "same")));
	assert_non_null(strstr(text, "\"within_tolerance\": true"));
	config = cJSON_GetObjectItem(classes, "config");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(config, "differences")), 1);
	tele = cJSON_GetObjectItem(classes, "telemetry");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(tele, "compared")));
	assert_int_equal(cJSON_GetObjectItem(tele, "differing")->valueint, 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "not_comparable")), 0);
	cJSON_Delete(j);
	free(text);
	/* the array keeps its shape; the mark is added, telemetry left out */
	assert_int_equal(hostctx_changes_to_json(p.c, &text, NULL), 0);
	j = cJSON_Parse(text);
	assert_true(cJSON_IsArray(j));
	assert_int_equal(cJSON_GetArraySize(j), 2);
	assert_non_null(strstr(text, "\"within_tolerance\": true"));
	cJSON_Delete(j);
	free(text);
	cmp_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tolerance_specs),
		cmocka_unit_test(test_tolerance_allows),
		cmocka_unit_test(test_tolerance_file),
		cmocka_unit_test(test_same_is_same),
		cmocka_unit_test(test_default_tolerance_and_override),
		cmocka_unit_test(test_tolerance_on_cpus_and_members),
		cmocka_unit_test(test_classes_and_forms),
		cmocka_unit_test(test_not_comparable),
		cmocka_unit_test(test_grouped_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
