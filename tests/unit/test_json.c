/* SPDX-License-Identifier: MIT */
/*
 * Snapshot and sidecar JSON: the reference's round-trip tests
 * (the reference's tests in host_context.rs, 6-8 and the host_heap JSON tests), the
 * omission rules of docs/json-format.md, exact integers, and one test per
 * malformed shape the reader must refuse.
 */
#include "json_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers -------------------------------------------------------- */

static char *snapshot_json(const struct hostctx_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(hostctx_snapshot_to_json(s, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	return text;
}

static char *sidecar_json(const struct hostctx_sidecar *sc)
{
	char *text = NULL;

	assert_int_equal(hostctx_sidecar_to_json(sc, &text, NULL), 0);
	assert_non_null(text);
	return text;
}

static struct hostctx_document *parse_ok(const char *text)
{
	struct hostctx_document *d = NULL;
	struct hostctx_error err = { "" };
	int r;

	r = hostctx_document_parse(text, strlen(text), &d, &err);
	if (r != 0)
		fail_msg("parse failed: %s", err.message);
	assert_non_null(d);
	return d;
}

/* The bare snapshot a document must be. */
static const struct hostctx_snapshot *doc_snapshot(const struct hostctx_document *d)
{
	const struct hostctx_snapshot *s = hostctx_document_snapshot(d);

	assert_false(hostctx_document_is_sidecar(d));
	assert_null(hostctx_document_sidecar(d));
	assert_non_null(s);
	return s;
}

static const struct hostctx_sidecar *doc_sidecar(const struct hostctx_document *d)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(d);

	assert_true(hostctx_document_is_sidecar(d));
	assert_null(hostctx_document_snapshot(d));
	assert_non_null(sc);
	return sc;
}

/* Parse text of len bytes; it must fail with a message containing want. */
static void parse_fails_len(const char *text, size_t len, const char *want)
{
	struct hostctx_document *d = (struct hostctx_document *)&d;	/* a marker */
	struct hostctx_error err = { "" };

	assert_int_equal(hostctx_document_parse(text, len, &d, &err), -EINVAL);
	assert_ptr_equal(d, (struct hostctx_document *)&d);	/* untouched on failure */
	if (!strstr(err.message, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	assert_null(strchr(err.message, '\n'));
}

static void parse_fails(const char *text, const char *want)
{
	parse_fails_len(text, strlen(text), want);
}

/* write -> parse -> equal, and write again gives the same text. */
static void assert_snapshot_round_trip(const struct hostctx_snapshot *s)
{
	char *first = snapshot_json(s), *second;
	struct hostctx_document *d = parse_ok(first);

	assert_true(hostctx_snapshot_equal(s, doc_snapshot(d)));
	second = snapshot_json(doc_snapshot(d));
	assert_string_equal(first, second);
	free(first);
	free(second);
	hostctx_document_free(d);
}

static void assert_sidecar_round_trip(const struct hostctx_sidecar *sc)
{
	char *first = sidecar_json(sc), *second;
	struct hostctx_document *d = parse_ok(first);

	second = sidecar_json(doc_sidecar(d));
	assert_string_equal(first, second);
	free(first);
	free(second);
	hostctx_document_free(d);
}

/* Getters that must find a value. */
static const char *get_str(const struct hostctx_snapshot *s, const char *path)
{
	const char *v = NULL;

	if (hostctx_snapshot_get_string(s, path, &v) != 0)
		fail_msg("%s: no string", path);
	return v;
}

static uint64_t get_u64(const struct hostctx_snapshot *s, const char *path)
{
	uint64_t v = 0;

	if (hostctx_snapshot_get_u64(s, path, &v) != 0)
		fail_msg("%s: no integer", path);
	return v;
}

static bool absent(const struct hostctx_snapshot *s, const char *path)
{
	return hostctx_snapshot_type(s, path) == HOSTCTX_TYPE_ABSENT;
}

/* The number of members of the object at path (0 when absent). */
static size_t n_keys(const struct hostctx_snapshot *s, const char *path)
{
	const char **keys = NULL;
	size_t n = 0;

	if (*path && absent(s, path))
		return 0;
	assert_int_equal(hostctx_snapshot_keys(s, path, &keys, &n), 0);
	free(keys);
	return n;
}

static struct hostctx_sidecar *sidecar_new(void)
{
	struct hostctx_sidecar *sc = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_non_null(sc);
	return sc;
}

/* A copy of the side of sc, to change and set back. */
static struct hostctx_snapshot *side_dup(const struct hostctx_sidecar *sc,
					 enum hostctx_phase phase)
{
	struct hostctx_snapshot *s = NULL;

	assert_non_null(hostctx_sidecar_snapshot(sc, phase));
	assert_int_equal(hostctx_snapshot_dup(hostctx_sidecar_snapshot(sc, phase), &s), 0);
	return s;
}

/* Byte offset of needle in hay (it must be there). */
static size_t offset_of(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	if (!p)
		fail_msg("\"%s\" not in:\n%s", needle, hay);
	return (size_t)(p - hay);
}

/* ---- snapshots: the reference's round trips --------------------------- */

static void empty_snapshot_is_braces(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	text = snapshot_json(s);
	assert_string_equal(text, "{}\n");
	free(text);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void empty_braces_read_back_empty(void **state)
{
	struct hostctx_document *d = parse_ok("{}");
	struct hostctx_snapshot *empty = snapshot_new();
	const char **keys = NULL;
	size_t n = 99;

	assert_true(hostctx_snapshot_equal(doc_snapshot(d), empty));
	assert_true(absent(doc_snapshot(d), "sched_tunables"));
	assert_true(absent(doc_snapshot(d), "heap_state"));
	assert_int_equal(hostctx_snapshot_keys(doc_snapshot(d), "", &keys, &n), 0);
	assert_int_equal(n, 0);
	free(keys);
	hostctx_snapshot_free(empty);
	hostctx_document_free(d);
}

static void populated_round_trips(void **state)
{
	struct hostctx_snapshot *s = fixture_new();

	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void populated_writes_every_field(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text, key[64];
	size_t prev = 0;

	text = snapshot_json(s);
	/* every row of the table once, as "  KEY": at the top level, in table order */
	assert_true(hostctx_field_count() > 0);
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		snprintf(key, sizeof(key), "\"%s\": ", hostctx_field_name(i));
		assert_int_equal(count_of(text, key), 1);
		snprintf(key, sizeof(key), "\n  \"%s\": ", hostctx_field_name(i));
		assert_true(offset_of(text, key) >= prev);
		prev = offset_of(text, key);
	}
	assert_int_equal(n_keys(s, ""), hostctx_field_count());
	assert_string_equal(text + strlen(text) - 2, "}\n");
	free(text);
	hostctx_snapshot_free(s);
}

static void partial_round_trips_with_empty_tunables(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	struct hostctx_document *d;
	char *text;

	set_str(s, "kernel_name", "Linux");
	set_u64(s, "online_cpus", 4);
	/* readable, no sched_* file */
	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	text = snapshot_json(s);
	assert_non_null(strstr(text, "\"sched_tunables\": {}"));
	assert_null(strstr(text, "null"));
	assert_null(strstr(text, "cpu_model"));
	d = parse_ok(text);
	assert_int_equal(hostctx_snapshot_type(doc_snapshot(d), "sched_tunables"),
			 HOSTCTX_TYPE_OBJECT);
	assert_int_equal(n_keys(doc_snapshot(d), "sched_tunables"), 0);
	assert_true(hostctx_snapshot_equal(s, doc_snapshot(d)));
	free(text);
	hostctx_document_free(d);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void absent_tunables_are_omitted_not_empty(void **state)
{
	struct hostctx_snapshot *absent_ = snapshot_new(), *empty = snapshot_new();
	char *text;

	assert_int_equal(hostctx_snapshot_set_object(empty, "sched_tunables"), 0);
	text = snapshot_json(absent_);
	assert_null(strstr(text, "sched_tunables"));
	free(text);
	assert_false(hostctx_snapshot_equal(absent_, empty));
	assert_snapshot_round_trip(absent_);
	assert_snapshot_round_trip(empty);
	hostctx_snapshot_free(absent_);
	hostctx_snapshot_free(empty);
}

static void tunables_are_written_sorted(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_tunable(s, "sched_z", "1");
	set_tunable(s, "sched_a", "2");
	set_tunable(s, "sched_m", "3");
	text = snapshot_json(s);
	assert_true(offset_of(text, "sched_a") < offset_of(text, "sched_m"));
	assert_true(offset_of(text, "sched_m") < offset_of(text, "sched_z"));
	free(text);
	hostctx_snapshot_free(s);
}

static void governor_keys_in_numeric_order(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_governor(s, 10, "ten");
	set_governor(s, 2, "two");
	set_governor(s, 1, "one");
	text = snapshot_json(s);
	assert_true(offset_of(text, "\"1\": \"one\"") < offset_of(text, "\"2\": \"two\""));
	assert_true(offset_of(text, "\"2\": \"two\"") < offset_of(text, "\"10\": \"ten\""));
	free(text);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void governor_keys_read_back_in_numeric_order(void **state)
{
	struct hostctx_document *d =
		parse_ok("{\"cpufreq_governor\": {\"10\": \"c\", \"2\": \"b\", \"0\": \"a\"}}");
	const struct hostctx_snapshot *s = doc_snapshot(d);
	const char **keys = NULL;
	size_t n = 0;

	assert_int_equal(hostctx_snapshot_keys(s, "cpufreq_governor", &keys, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(keys[0], "0");
	assert_string_equal(keys[1], "2");
	assert_string_equal(keys[2], "10");
	assert_string_equal(get_str(s, "cpufreq_governor.10"), "c");
	assert_string_equal(get_str(s, "cpufreq_governor.cpu10"), "c");
	free(keys);
	hostctx_document_free(d);
}

static void empty_governor_map_is_omitted(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	struct hostctx_document *d;
	char *text;

	set_u64(s, "online_cpus", 2);
	text = snapshot_json(s);
	assert_null(strstr(text, "cpufreq_governor"));
	free(text);
	/* ... and {} reads back as absent */
	d = parse_ok("{\"cpufreq_governor\": {}, \"online_cpus\": 2}");
	assert_true(absent(doc_snapshot(d), "cpufreq_governor"));
	assert_true(hostctx_snapshot_equal(s, doc_snapshot(d)));
	hostctx_document_free(d);
	hostctx_snapshot_free(s);
}

static void accounting_states_are_spelled_as_the_contract(void **state)
{
	static const struct {
		const char *d, *x;
		const char *dj, *xj;
	} cases[] = {
		{ "config_off", "unknown",
		  "\"task_delayacct\": \"config_off\"", "\"config_task_xacct\": \"unknown\"" },
		{ "runtime_off", "off",
		  "\"task_delayacct\": \"runtime_off\"", "\"config_task_xacct\": \"off\"" },
		{ "on", "on",
		  "\"task_delayacct\": \"on\"", "\"config_task_xacct\": \"on\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostctx_snapshot *s = snapshot_new();
		char *text;

		set_str(s, "task_delayacct", cases[i].d);
		set_str(s, "config_task_xacct", cases[i].x);
		text = snapshot_json(s);
		assert_non_null(strstr(text, cases[i].dj));
		assert_non_null(strstr(text, cases[i].xj));
		free(text);
		assert_snapshot_round_trip(s);
		hostctx_snapshot_free(s);
	}
}

static void absent_accounting_states_are_omitted(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_str(s, "arch", "x86_64");
	text = snapshot_json(s);
	assert_null(strstr(text, "task_delayacct"));
	assert_null(strstr(text, "config_task_xacct"));
	free(text);
	hostctx_snapshot_free(s);
}

static void output_is_two_space_indented(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_str(s, "kernel_name", "Linux");
	set_u64(s, "online_cpus", 2);
	set_governor(s, 0, "powersave");
	text = snapshot_json(s);
	assert_string_equal(text,
			    "{\n"
			    "  \"kernel_name\": \"Linux\",\n"
			    "  \"online_cpus\": 2,\n"
			    "  \"cpufreq_governor\": {\n"
			    "    \"0\": \"powersave\"\n"
			    "  }\n"
			    "}\n");
	free(text);
	hostctx_snapshot_free(s);
}

/* ---- exact integers --------------------------------------------------- */

static void integers_are_written_exactly(void **state)
{
	static const struct {
		uint64_t v;
		const char *text;
	} cases[] = {
		{ 0, "\"total_memory_kib\": 0," },
		{ UINT64_C(1000000000000000), "\"total_memory_kib\": 1000000000000000," },
		{ UINT64_C(4294967296), "\"total_memory_kib\": 4294967296," },
		{ UINT64_C(9007199254740991), "\"total_memory_kib\": 9007199254740991," },
		{ UINT64_C(9007199254740993), "\"total_memory_kib\": 9007199254740993," },
		{ UINT64_MAX - 1, "\"total_memory_kib\": 18446744073709551614," },
		{ UINT64_MAX, "\"total_memory_kib\": 18446744073709551615," },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostctx_snapshot *s = snapshot_new();
		struct hostctx_document *d;
		char *text;

		set_u64(s, "total_memory_kib", cases[i].v);
		set_u64(s, "online_cpus", 1);
		text = snapshot_json(s);
		assert_non_null(strstr(text, cases[i].text));
		d = parse_ok(text);
		assert_true(get_u64(doc_snapshot(d), "total_memory_kib") == cases[i].v);
		free(text);
		hostctx_document_free(d);
		hostctx_snapshot_free(s);
	}
}

/*
 * Integers are read exactly up to 2^64 - 1 (the old "below 2^53" limit
 * of cJSON's doubles is gone): the largest values round-trip byte for
 * byte, one more is refused.
 */
static void value_beyond_2_53_round_trips_exactly(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	struct hostctx_document *d;
	char *text;

	set_u64(s, "total_memory_kib", UINT64_MAX);
	set_u64(s, "hugepages_total", (UINT64_C(1) << 53) + 1);
	set_u64(s, "hugepages_free", UINT64_C(1) << 53);
	text = snapshot_json(s);
	assert_non_null(strstr(text, "\"total_memory_kib\": 18446744073709551615,"));
	assert_non_null(strstr(text, "\"hugepages_total\": 9007199254740993,"));
	assert_non_null(strstr(text, "\"hugepages_free\": 9007199254740992\n"));
	d = parse_ok(text);
	assert_true(get_u64(doc_snapshot(d), "total_memory_kib") == UINT64_MAX);
	assert_true(get_u64(doc_snapshot(d), "hugepages_total") == (UINT64_C(1) << 53) + 1);
	assert_true(get_u64(doc_snapshot(d), "hugepages_free") == UINT64_C(1) << 53);
	assert_true(hostctx_snapshot_equal(s, doc_snapshot(d)));
	hostctx_document_free(d);
	assert_snapshot_round_trip(s);
	free(text);
	hostctx_snapshot_free(s);

	/* the text itself, as a file would hold it */
	d = parse_ok("{\"total_memory_kib\": 18446744073709551615}");
	assert_true(get_u64(doc_snapshot(d), "total_memory_kib") == UINT64_MAX);
	text = snapshot_json(doc_snapshot(d));
	assert_string_equal(text, "{\n  \"total_memory_kib\": 18446744073709551615\n}\n");
	free(text);
	hostctx_document_free(d);

	/* 2^64 and beyond do not fit */
	parse_fails("{\"total_memory_kib\": 18446744073709551616}",
		    "key \"total_memory_kib\" is not a non-negative integer");
	parse_fails("{\"total_memory_kib\": 99999999999999999999999}",
		    "key \"total_memory_kib\" is not a non-negative integer");
}

/* ---- strings ---------------------------------------------------------- */

static void strings_are_escaped_and_round_trip(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_str(s, "kernel_cmdline", "a \"quoted\" back\\slash\ttab\nnl \x01 caf\xc3\xa9 \xe2\x86\x92");
	text = snapshot_json(s);
	assert_non_null(strstr(text, "a \\\"quoted\\\" back\\\\slash\\ttab\\nnl \\u0001 caf\xc3\xa9 \xe2\x86\x92"));
	free(text);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

/* An escaped NUL would cut the string short: it is refused. */
static void escaped_nul_is_refused(void **state)
{
	parse_fails("{\"cpu_model\": \"a\\u0000b\"}", "escaped NUL (\\u0000)");
	parse_fails("{\"sched_tunables\": {\"sched_\\u0000x\": \"1\"}}", "escaped NUL");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"command\": {\"argv\": [\"a\\u0000\"]}}",
		    "escaped NUL");
	/* other escapes are fine */
	hostctx_document_free(parse_ok("{\"cpu_model\": \"a\\u0001b\"}"));
}

/*
 * The writer's buffer starts at 4 KiB and doubles: an argument of
 * 100000 bytes with escapes everywhere (also across every growth) and a
 * number token longer than any fixed scratch buffer must come out whole.
 */
static void large_documents_are_written_whole(void **state)
{
	enum { BIG = 100000 };
	struct hostctx_sidecar *sc = sidecar_new();
	struct hostctx_document *d;
	char *big = malloc(BIG + 1), *argv[] = { "prog", big, NULL };
	char *text;
	size_t len;
	double wall = 0;

	assert_non_null(big);
	for (size_t i = 0; i < BIG; i++)
		big[i] = "ab\"\\\n\x01"[i % 6];
	big[BIG] = '\0';
	assert_int_equal(hostctx_sidecar_set_command(sc, 2, argv, "/"), 0);
	hostctx_sidecar_set_wall_seconds(sc, 1e300);	/* "%.6f": 308 characters */
	assert_int_equal(hostctx_sidecar_to_json(sc, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	d = parse_ok(text);
	assert_int_equal(hostctx_sidecar_argc(doc_sidecar(d)), 2);
	assert_string_equal(hostctx_sidecar_argv(doc_sidecar(d), 1), big);
	assert_true(hostctx_sidecar_wall_seconds(doc_sidecar(d), &wall));
	assert_true(wall == 1e300);
	hostctx_document_free(d);
	free(text);
	hostctx_sidecar_free(sc);
	free(big);
}

static void invalid_utf8_is_replaced(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new();
	char *argv[] = { "prog", "bad\xff\xc3", NULL };
	char *text;

	assert_int_equal(hostctx_sidecar_set_command(sc, 2, argv, "/"), 0);
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"bad\\ufffd\\ufffd\""));
	free(text);
	hostctx_sidecar_free(sc);
}

/* ---- heap_state ------------------------------------------------------- */

static void heap_round_trips(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	heap_fixture(s);
	text = snapshot_json(s);
	assert_true(offset_of(text, "active_bytes") < offset_of(text, "allocated_bytes"));
	assert_true(offset_of(text, "allocated_bytes") < offset_of(text, "resident_bytes"));
	assert_true(offset_of(text, "resident_bytes") < offset_of(text, "mapped_bytes"));
	assert_true(offset_of(text, "mapped_bytes") < offset_of(text, "narenas"));
	assert_non_null(strstr(text, "\"narenas\": 64"));
	free(text);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void heap_absent_fields_are_omitted(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	char *text;

	set_u64(s, "heap_state.mapped_bytes", 4096);
	text = snapshot_json(s);
	assert_string_equal(text, "{\n  \"heap_state\": {\n    \"mapped_bytes\": 4096\n  }\n}\n");
	free(text);
	assert_snapshot_round_trip(s);
	hostctx_snapshot_free(s);
}

static void heap_accepts_empty_object(void **state)
{
	static const char *const members[] = { "active_bytes", "allocated_bytes",
		"resident_bytes", "mapped_bytes", "narenas" };
	struct hostctx_document *d = parse_ok("{\"heap_state\": {}}");
	const struct hostctx_snapshot *s = doc_snapshot(d);
	char path[64];

	assert_int_equal(hostctx_snapshot_type(s, "heap_state"), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(n_keys(s, "heap_state"), 0);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		uint64_t v;

		snprintf(path, sizeof(path), "heap_state.%s", members[i]);
		assert_int_equal(hostctx_snapshot_get_u64(s, path, &v), -ENOENT);
	}
	hostctx_document_free(d);
}

static void heap_absent_is_omitted(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text;

	assert_int_equal(hostctx_snapshot_unset(s, "heap_state"), 0);
	text = snapshot_json(s);
	assert_null(strstr(text, "heap_state"));
	free(text);
	hostctx_snapshot_free(s);
}

/* ---- reading: tolerance ----------------------------------------------- */

static void unknown_keys_are_ignored(void **state)
{
	struct hostctx_document *d =
		parse_ok("{\"future_field\": [1, {\"x\": null}], \"online_cpus\": 8,"
			 " \"heap_state\": {\"future\": \"x\", \"narenas\": 4}}");

	assert_int_equal(get_u64(doc_snapshot(d), "online_cpus"), 8);
	assert_int_equal(get_u64(doc_snapshot(d), "heap_state.narenas"), 4);
	assert_int_equal(n_keys(doc_snapshot(d), ""), 2);
	assert_int_equal(n_keys(doc_snapshot(d), "heap_state"), 1);
	hostctx_document_free(d);
}

static void null_reads_as_absent(void **state)
{
	struct hostctx_document *d =
		parse_ok("{\"cpu_model\": null, \"sched_tunables\": null, \"numa_nodes\": 1}");

	assert_true(absent(doc_snapshot(d), "cpu_model"));
	assert_true(absent(doc_snapshot(d), "sched_tunables"));
	assert_false(absent(doc_snapshot(d), "numa_nodes"));
	hostctx_document_free(d);
}

static void reference_sidecar_host_reads_as_snapshot(void **state)
{
	struct hostctx_document *d =
		parse_ok("{\"test_name\": \"t\", \"passed\": true, \"stats\": {\"online_cpus\": \"x\"},"
			 " \"host\": {\"kernel_name\": \"Linux\", \"online_cpus\": 16,"
			 " \"sched_tunables\": {\"sched_latency_ns\": \"24000000\"},"
			 " \"task_delayacct\": \"runtime_off\"}}");
	const struct hostctx_snapshot *s = doc_snapshot(d);

	assert_string_equal(get_str(s, "kernel_name"), "Linux");
	assert_int_equal(get_u64(s, "online_cpus"), 16);
	assert_string_equal(get_str(s, "sched_tunables.sched_latency_ns"), "24000000");
	assert_string_equal(get_str(s, "task_delayacct"), "runtime_off");
	hostctx_document_free(d);
}

static void reference_sidecar_host_is_type_checked(void **state)
{
	parse_fails("{\"host\": {\"numa_nodes\": \"two\"}}",
		    "key \"host.numa_nodes\" is not a non-negative integer");
}

static void duplicated_map_keys_first_wins(void **state)
{
	struct hostctx_document *d =
		parse_ok("{\"sched_tunables\": {\"sched_a\": \"1\", \"sched_a\": \"2\"},"
			 " \"cpufreq_governor\": {\"3\": \"x\", \"3\": \"y\"}}");
	const struct hostctx_snapshot *s = doc_snapshot(d);

	assert_int_equal(n_keys(s, "sched_tunables"), 1);
	assert_string_equal(get_str(s, "sched_tunables.sched_a"), "1");
	assert_int_equal(n_keys(s, "cpufreq_governor"), 1);
	assert_string_equal(get_str(s, "cpufreq_governor.3"), "x");
	assert_string_equal(get_str(s, "cpufreq_governor.cpu3"), "x");
	hostctx_document_free(d);
}

/* ---- reading: every malformed shape ------------------------------------- */

static void refuses_empty_input(void **state)
{
	parse_fails("", "empty");
	parse_fails(" \n\t ", "empty");
}

static void refuses_truncated_json(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	char *text;
	size_t len;

	text = snapshot_json(s);
	len = strlen(text);
	/* Cut inside a key, a string value, a number, a map, before the end. */
	parse_fails_len(text, 5, "truncated JSON");
	parse_fails_len(text, offset_of(text, "Xeon"), "truncated JSON");
	parse_fails_len(text, offset_of(text, "2048") + 2, "truncated JSON");
	parse_fails_len(text, offset_of(text, "\"sched_latency_ns\"") + 3, "truncated JSON");
	parse_fails_len(text, len - 2, "truncated JSON");
	parse_fails("{", "truncated JSON");
	parse_fails("[", "truncated JSON");
	free(text);
	hostctx_snapshot_free(s);
}

static void refuses_binary_input(void **state)
{
	static const char nul[] = "{\"online_cpus\": 1}\0\0\0";
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\xff\xfe";

	parse_fails_len(nul, sizeof(nul) - 1, "binary");
	parse_fails_len(nul, sizeof(nul) - 1, "NUL byte at offset 18");
	parse_fails_len(elf, sizeof(elf) - 1, "binary");
}

static void refuses_text_that_is_not_json(void **state)
{
	parse_fails("hello world", "not JSON (parse error near byte");
	parse_fails("{\"online_cpus\": 1,}", "not JSON");
	parse_fails("{\"online_cpus\": 1} trailing", "not JSON");
	parse_fails("{\"online_cpus\": 1} {}", "after the end");
	parse_fails("{online_cpus: 1}", "not JSON");
}

static void refuses_non_object_top_level(void **state)
{
	parse_fails("[]", "top level is not an object");
	parse_fails("[{\"online_cpus\": 1}]", "top level is not an object");
	parse_fails("\"snapshot\"", "top level is not an object");
	parse_fails("42", "top level is not an object");
	parse_fails("null", "top level is not an object");
}

static void refuses_wrong_u64_types(void **state)
{
	parse_fails("{\"online_cpus\": \"2\"}",
		    "key \"online_cpus\" is not a non-negative integer");
	parse_fails("{\"online_cpus\": -1}", "key \"online_cpus\" is not a non-negative integer");
	parse_fails("{\"numa_nodes\": 1.5}", "key \"numa_nodes\" is not a non-negative integer");
	parse_fails("{\"total_memory_kib\": true}", "key \"total_memory_kib\"");
	/* beyond 2^53 is read exactly now; beyond 2^64 - 1 is refused */
	parse_fails("{\"hugepages_free\": 18446744073709551616}",
		    "key \"hugepages_free\" is not a non-negative integer");
	parse_fails("{\"hugepages_free\": 1e300}", "key \"hugepages_free\"");
	parse_fails("{\"hugepages_free\": {}}", "key \"hugepages_free\"");
}

static void refuses_wrong_string_types(void **state)
{
	parse_fails("{\"cpu_model\": 5}", "key \"cpu_model\" is not a string");
	parse_fails("{\"kernel_cmdline\": [\"a\"]}", "key \"kernel_cmdline\" is not a string");
	parse_fails("{\"thp_enabled\": false}", "key \"thp_enabled\" is not a string");
}

static void refuses_unknown_enum_values(void **state)
{
	parse_fails("{\"task_delayacct\": \"config-off\"}", "key \"task_delayacct\" is not one of");
	parse_fails("{\"task_delayacct\": 1}", "key \"task_delayacct\"");
	parse_fails("{\"config_task_xacct\": \"yes\"}", "key \"config_task_xacct\" is not one of");
}

static void refuses_malformed_maps(void **state)
{
	parse_fails("{\"sched_tunables\": [\"a\"]}", "key \"sched_tunables\" is not an object");
	parse_fails("{\"sched_tunables\": {\"sched_a\": 5}}", "key \"sched_tunables\" has a non-string");
	parse_fails("{\"cpufreq_governor\": \"performance\"}", "key \"cpufreq_governor\" is not an object");
	parse_fails("{\"cpufreq_governor\": {\"cpu0\": \"performance\"}}", "not a CPU number");
	parse_fails("{\"cpufreq_governor\": {\"-1\": \"performance\"}}", "not a CPU number");
	parse_fails("{\"cpufreq_governor\": {\"\": \"performance\"}}", "not a CPU number");
	parse_fails("{\"cpufreq_governor\": {\"0\": 1}}", "key \"cpufreq_governor\" has a non-string");
	parse_fails("{\"heap_state\": []}", "key \"heap_state\" is not an object");
	parse_fails("{\"heap_state\": {\"narenas\": \"64\"}}", "key \"heap_state.narenas\"");
}

static void refuses_unknown_schema(void **state)
{
	parse_fails("{\"schema\": \"hostctx-sidecar/2\"}", "unknown schema \"hostctx-sidecar/2\"");
	parse_fails("{\"schema\": \"x\", \"pre\": {}}", "unknown schema \"x\"");
	parse_fails("{\"schema\": 1}", "key \"schema\" is not a string");
}

static void refuses_malformed_sidecar_keys(void **state)
{
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"mode\": \"other\"}",
		    "key \"mode\" is not one of \"wrapper\", \"preload\"");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"mode\": 1}", "key \"mode\"");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"complete\": \"yes\"}",
		    "key \"complete\" is not true or false");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"command\": {\"argv\": \"ls\"}}",
		    "key \"command.argv\" is not an array");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"command\": {\"argv\": [1]}}",
		    "key \"command.argv[]\" is not a string");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"run\": {\"started_at\": \"yesterday\"}}",
		    "key \"run.started_at\" is not a UTC time");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"run\": {\"exit\": {\"code\": \"0\"}}}",
		    "key \"run.exit.code\"");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"run\": {\"exit\": {}}}",
		    "key \"run.exit\" has neither");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"run\": {\"wall_seconds\": -1}}",
		    "key \"run.wall_seconds\"");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"run\": {\"rusage\": {\"max_rss_kib\": 1.5}}}",
		    "key \"run.rusage.max_rss_kib\"");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"pre\": []}",
		    "key \"pre\" is not an object");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"post\": {\"online_cpus\": \"1\"}}",
		    "key \"post.online_cpus\"");
}

/* ---- sidecars ----------------------------------------------------------- */

static struct hostctx_sidecar *sidecar_base(void)
{
	char *argv[] = { "make", "-j8", "check", NULL };
	struct hostctx_sidecar *sc = sidecar_new();
	const struct timespec started = { 1700000000, 123456789 };

	assert_int_equal(hostctx_sidecar_set_mode(sc, "wrapper"), 0);
	assert_int_equal(hostctx_sidecar_set_command(sc, 3, argv, "/src/proj"), 0);
	hostctx_sidecar_set_time(sc, HOSTCTX_STARTED_AT, &started);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, fixture_new());
	return sc;
}

static void in_progress_sidecar_omits_the_end(void **state)
{
	struct hostctx_sidecar *sc = sidecar_base();
	char *text;

	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"schema\": \"hostctx-sidecar/1\""));
	assert_non_null(strstr(text, "\"complete\": false"));
	assert_non_null(strstr(text, "\"mode\": \"wrapper\""));
	assert_non_null(strstr(text, "\"started_at\": \"2023-11-14T22:13:20.123Z\""));
	assert_non_null(strstr(text, "\"argv\": [\n      \"make\",\n      \"-j8\",\n      \"check\"\n    ]"));
	assert_non_null(strstr(text, "\"cwd\": \"/src/proj\""));
	assert_non_null(strstr(text, "\"pre\": {"));
	assert_null(strstr(text, "\"post\""));
	assert_null(strstr(text, "\"changes\""));
	assert_null(strstr(text, "\"exit\""));
	assert_null(strstr(text, "\"ended_at\""));
	assert_null(strstr(text, "\"rusage\""));
	assert_null(strstr(text, "descendants_left"));
	assert_null(strstr(text, "null"));
	free(text);
	assert_sidecar_round_trip(sc);
	hostctx_sidecar_free(sc);
}

static void tool_defaults_to_hostctx_run(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new();
	char *text;

	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"tool\": {\n    \"name\": \"hostctx-run\",\n    \"version\": \"" HOSTCTX_VERSION "\"\n  }"));
	free(text);
	assert_null(hostctx_sidecar_tool_name(sc));
	assert_int_equal(hostctx_sidecar_set_tool(sc, "libhostctx-preload", "9.9"), 0);
	assert_string_equal(hostctx_sidecar_tool_name(sc), "libhostctx-preload");
	assert_string_equal(hostctx_sidecar_tool_version(sc), "9.9");
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"name\": \"libhostctx-preload\""));
	assert_non_null(strstr(text, "\"version\": \"9.9\""));
	free(text);
	hostctx_sidecar_free(sc);
}

static const struct hostctx_rusage complete_rusage = {
	.present = true, .user_seconds = 0.5, .system_seconds = 0.25,
	.max_rss_kib = 12345, .minor_faults = 100, .major_faults = 2,
	.voluntary_context_switches = 7, .involuntary_context_switches = 8,
	.block_input_ops = 9, .block_output_ops = 10,
};

static struct hostctx_sidecar *complete_sidecar(void)
{
	struct hostctx_sidecar *sc = sidecar_base();
	struct hostctx_snapshot *post = fixture_new();
	const struct timespec ended = { 1700000001, 5000000 };

	hostctx_sidecar_set_complete(sc, true);
	hostctx_sidecar_set_time(sc, HOSTCTX_ENDED_AT, &ended);
	hostctx_sidecar_set_wall_seconds(sc, 1.2345678);
	hostctx_sidecar_set_exit_code(sc, 3);
	hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_COMMAND, &complete_rusage);
	set_tunable(post, "sched_migration_cost_ns", "100000");
	set_u64(post, "hugepages_free", 4);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	return sc;
}

static void complete_sidecar_has_everything(void **state)
{
	struct hostctx_sidecar *sc = complete_sidecar();
	char *text;

	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"complete\": true"));
	assert_non_null(strstr(text, "\"ended_at\": \"2023-11-14T22:13:21.005Z\""));
	assert_non_null(strstr(text, "\"wall_seconds\": 1.234568"));
	assert_non_null(strstr(text, "\"exit\": {\n      \"code\": 3\n    }"));
	assert_non_null(strstr(text, "\"user_seconds\": 0.500000"));
	assert_non_null(strstr(text, "\"max_rss_kib\": 12345"));
	assert_non_null(strstr(text, "\"involuntary_context_switches\": 8"));
	assert_non_null(strstr(text, "\"block_output_ops\": 10"));
	assert_null(strstr(text, "rusage_children"));
	assert_non_null(strstr(text, "\"post\": {"));
	assert_true(offset_of(text, "\"pre\"") < offset_of(text, "\"post\""));
	assert_true(offset_of(text, "\"post\"") < offset_of(text, "\"changes\""));
	free(text);
	assert_sidecar_round_trip(sc);
	hostctx_sidecar_free(sc);
}

static void changes_are_listed_with_typed_values(void **state)
{
	struct hostctx_sidecar *sc = complete_sidecar();
	struct hostctx_snapshot *post = side_dup(sc, HOSTCTX_POST);
	char *text;

	/* heap_state differs too, but is never listed. */
	set_u64(post, "heap_state.narenas", 1);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	text = sidecar_json(sc);
	assert_non_null(strstr(text,
			       "\"changes\": [\n"
			       "    {\n"
			       "      \"field\": \"hugepages_free\",\n"
			       "      \"class\": \"telemetry\",\n"
			       "      \"before\": 0,\n"
			       "      \"after\": 4\n"
			       "    },\n"
			       "    {\n"
			       "      \"field\": \"sched_tunables.sched_migration_cost_ns\",\n"
			       "      \"class\": \"config\",\n"
			       "      \"before\": \"500000\",\n"
			       "      \"after\": \"100000\"\n"
			       "    }\n"
			       "  ],\n"));
	assert_null(strstr(text, "\"field\": \"heap_state"));
	free(text);
	hostctx_sidecar_free(sc);
}

static void changes_use_null_and_whole_maps(void **state)
{
	struct hostctx_sidecar *sc = complete_sidecar();
	struct hostctx_snapshot *post = snapshot_new();
	char *text;

	set_str(post, "kernel_name", "Linux");
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"field\": \"kernel_release\",\n      \"class\": \"config\",\n      \"before\": \"6.16.0-test\",\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"online_cpus\",\n      \"class\": \"identity\",\n      \"before\": 16,\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"sched_tunables\",\n      \"class\": \"config\",\n      \"before\": {\n        \"sched_latency_ns\": \"24000000\",\n        \"sched_migration_cost_ns\": \"500000\"\n      },\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"cpufreq_governor\",\n      \"class\": \"config\",\n      \"before\": {\n        \"0\": \"performance\",\n"));
	assert_non_null(strstr(text, "\"field\": \"task_delayacct\",\n      \"class\": \"config\",\n      \"before\": \"on\",\n      \"after\": null\n"));
	assert_null(strstr(text, "\"field\": \"kernel_name\""));
	free(text);
	hostctx_sidecar_free(sc);
}

static void equal_pre_post_give_empty_changes(void **state)
{
	struct hostctx_sidecar *sc = sidecar_base();
	char *text;

	hostctx_sidecar_set_complete(sc, true);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, side_dup(sc, HOSTCTX_PRE));
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"changes\": [],\n"));
	free(text);
	hostctx_sidecar_free(sc);
}

static void signal_exit_is_named(void **state)
{
	struct hostctx_sidecar *sc = complete_sidecar();
	struct hostctx_document *d;
	char *text;
	int code = -7, sig = 0;
	bool core = false;

	hostctx_sidecar_set_exit_signal(sc, SIGKILL, true);
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"exit\": {\n      \"signal\": 9,\n      \"signal_name\": \"SIGKILL\",\n      \"core_dumped\": true\n    }"));
	d = parse_ok(text);
	assert_int_equal(hostctx_sidecar_exit(doc_sidecar(d), &code, &sig, &core),
			 HOSTCTX_EXIT_SIGNAL);
	assert_int_equal(sig, SIGKILL);
	assert_true(core);
	assert_int_equal(code, -7);	/* not a code: untouched */
	free(text);
	hostctx_document_free(d);
	assert_sidecar_round_trip(sc);
	hostctx_sidecar_free(sc);
}

static void exec_error_record(void **state)
{
	struct hostctx_sidecar *sc = sidecar_base();
	const struct hostctx_sidecar *got;
	struct hostctx_document *d;
	char *text;

	hostctx_sidecar_set_complete(sc, true);
	assert_int_equal(hostctx_sidecar_set_exec_error(sc, hostctx_errno_name(ENOENT)), 0);
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"exec_error\": \"ENOENT\""));
	assert_null(strstr(text, "\"exit\""));
	assert_null(strstr(text, "\"post\""));
	assert_null(strstr(text, "\"changes\""));
	d = parse_ok(text);
	got = doc_sidecar(d);
	assert_string_equal(hostctx_sidecar_exec_error(got), "ENOENT");
	assert_true(hostctx_sidecar_complete(got));
	assert_null(hostctx_sidecar_snapshot(got, HOSTCTX_POST));
	assert_non_null(hostctx_sidecar_snapshot(got, HOSTCTX_PRE));
	assert_true(hostctx_snapshot_equal(hostctx_sidecar_snapshot(got, HOSTCTX_PRE),
					   hostctx_sidecar_snapshot(sc, HOSTCTX_PRE)));
	free(text);
	hostctx_document_free(d);
	assert_sidecar_round_trip(sc);
	hostctx_sidecar_free(sc);
}

static void sidecar_fields_read_back(void **state)
{
	struct hostctx_sidecar *sc = complete_sidecar();
	struct hostctx_rusage children = complete_rusage, ru;
	const struct hostctx_sidecar *got;
	struct hostctx_document *d;
	struct timespec ts;
	double wall = 0;
	int code = 0;
	char *text;

	children.max_rss_kib = 77;
	hostctx_sidecar_set_rusage(sc, HOSTCTX_RUSAGE_CHILDREN, &children);
	hostctx_sidecar_set_descendants_left(sc, 2);
	text = sidecar_json(sc);
	assert_non_null(strstr(text, "\"descendants_left\": 2"));
	d = parse_ok(text);
	got = doc_sidecar(d);
	assert_string_equal(hostctx_sidecar_tool_name(got), "hostctx-run");
	assert_string_equal(hostctx_sidecar_mode(got), "wrapper");
	assert_int_equal(hostctx_sidecar_argc(got), 3);
	assert_string_equal(hostctx_sidecar_argv(got, 2), "check");
	assert_null(hostctx_sidecar_argv(got, 3));
	assert_string_equal(hostctx_sidecar_cwd(got), "/src/proj");
	assert_true(hostctx_sidecar_time(got, HOSTCTX_STARTED_AT, &ts));
	assert_int_equal(ts.tv_sec, 1700000000);
	assert_int_equal(ts.tv_nsec, 123000000);
	assert_true(hostctx_sidecar_time(got, HOSTCTX_ENDED_AT, &ts));
	assert_int_equal(ts.tv_nsec, 5000000);
	assert_true(hostctx_sidecar_wall_seconds(got, &wall));
	assert_true(wall > 1.2345675 && wall < 1.2345685);
	assert_int_equal(hostctx_sidecar_exit(got, &code, NULL, NULL), HOSTCTX_EXIT_CODE);
	assert_int_equal(code, 3);
	assert_true(hostctx_sidecar_rusage(got, HOSTCTX_RUSAGE_COMMAND, &ru));
	assert_int_equal(ru.block_input_ops, 9);
	assert_true(hostctx_sidecar_rusage(got, HOSTCTX_RUSAGE_CHILDREN, &ru));
	assert_int_equal(ru.max_rss_kib, 77);
	assert_int_equal(hostctx_sidecar_descendants_left(got), 2);
	assert_true(hostctx_snapshot_equal(hostctx_sidecar_snapshot(got, HOSTCTX_PRE),
					   hostctx_sidecar_snapshot(sc, HOSTCTX_PRE)));
	assert_true(hostctx_snapshot_equal(hostctx_sidecar_snapshot(got, HOSTCTX_POST),
					   hostctx_sidecar_snapshot(sc, HOSTCTX_POST)));
	free(text);
	hostctx_document_free(d);
	assert_sidecar_round_trip(sc);
	hostctx_sidecar_free(sc);
}

static void minimal_sidecar_reads_with_defaults(void **state)
{
	struct hostctx_document *d = parse_ok("{\"schema\": \"hostctx-sidecar/1\"}");
	const struct hostctx_sidecar *sc = doc_sidecar(d);
	struct hostctx_rusage ru = { .max_rss_kib = 42 };

	assert_false(hostctx_sidecar_complete(sc));
	assert_null(hostctx_sidecar_snapshot(sc, HOSTCTX_PRE));
	assert_null(hostctx_sidecar_snapshot(sc, HOSTCTX_POST));
	assert_int_equal(hostctx_sidecar_exit(sc, NULL, NULL, NULL), HOSTCTX_EXIT_NONE);
	assert_int_equal(hostctx_sidecar_descendants_left(sc), -1);
	assert_false(hostctx_sidecar_rusage(sc, HOSTCTX_RUSAGE_COMMAND, &ru));
	assert_int_equal(ru.max_rss_kib, 42);	/* untouched */
	assert_false(hostctx_sidecar_time(sc, HOSTCTX_STARTED_AT, NULL));
	assert_false(hostctx_sidecar_wall_seconds(sc, NULL));
	hostctx_document_free(d);
}

static void modes_read_back(void **state)
{
	static const char *const modes[] = { "wrapper", "preload" };

	for (size_t i = 0; i < 2; i++) {
		char text[128];
		struct hostctx_document *d;

		snprintf(text, sizeof(text),
			 "{\"schema\": \"hostctx-sidecar/1\", \"mode\": \"%s\"}", modes[i]);
		d = parse_ok(text);
		assert_string_equal(hostctx_sidecar_mode(doc_sidecar(d)), modes[i]);
		hostctx_document_free(d);
	}
	/* anything else is refused (it used to be kept as it was) */
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"mode\": \"Wrapper\"}",
		    "key \"mode\" is not one of");
	parse_fails("{\"schema\": \"hostctx-sidecar/1\", \"mode\": \"\"}",
		    "key \"mode\" is not one of");
}

static void set_command_replaces_and_copies(void **state)
{
	struct hostctx_sidecar *sc = sidecar_new();
	char a0[] = "first", *argv1[] = { a0, NULL }, *argv2[] = { "x", "y", NULL };

	assert_int_equal(hostctx_sidecar_argc(sc), 0);
	assert_int_equal(hostctx_sidecar_descendants_left(sc), -1);
	assert_int_equal(hostctx_sidecar_set_command(sc, 1, argv1, NULL), 0);
	a0[0] = 'F';
	assert_string_equal(hostctx_sidecar_argv(sc, 0), "first");
	assert_null(hostctx_sidecar_cwd(sc));
	assert_int_equal(hostctx_sidecar_set_command(sc, 2, argv2, "/tmp"), 0);
	assert_int_equal(hostctx_sidecar_argc(sc), 2);
	assert_string_equal(hostctx_sidecar_argv(sc, 1), "y");
	assert_null(hostctx_sidecar_argv(sc, 2));
	assert_string_equal(hostctx_sidecar_cwd(sc), "/tmp");
	assert_int_equal(hostctx_sidecar_set_command(sc, -1, argv2, NULL), -EINVAL);
	/* a refused call changes nothing */
	assert_int_equal(hostctx_sidecar_argc(sc), 2);
	assert_string_equal(hostctx_sidecar_cwd(sc), "/tmp");
	hostctx_sidecar_free(sc);
}

/* ---- files -------------------------------------------------------------- */

static void load_reads_a_file(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_document *d = NULL;
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);
	static const char text[] = "{\"online_cpus\": 3}\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(hostctx_document_load(path, &d, &err), 0);
	assert_int_equal(get_u64(doc_snapshot(d), "online_cpus"), 3);
	hostctx_document_free(d);
	unlink(path);
}

/* A load that must fail with err; *ret stays untouched. */
static void load_fails(const char *path, int err_no, struct hostctx_error *err)
{
	struct hostctx_document *d = (struct hostctx_document *)&d;	/* a marker */

	assert_int_equal(hostctx_document_load(path, &d, err), err_no);
	assert_ptr_equal(d, (struct hostctx_document *)&d);
}

static void load_reports_missing_file(void **state)
{
	struct hostctx_error err = { "" };

	load_fails("/nonexistent/hostctx.json", -ENOENT, &err);
	assert_string_equal(err.message, "cannot read: No such file or directory");
}

static void load_refuses_a_directory(void **state)
{
	struct hostctx_error err = { "" };

	load_fails("/tmp", -EISDIR, &err);
	assert_string_equal(err.message, "cannot read: Is a directory");
}

static void load_refuses_huge_file(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 * 1024 * 1024 + 1), 0);
	close(fd);
	load_fails(path, -EFBIG, &err);
	assert_non_null(strstr(err.message, "too large"));
	unlink(path);
}

static void load_reports_parse_errors(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"online_cpus\": ", 16), 16);
	close(fd);
	load_fails(path, -EINVAL, &err);
	assert_non_null(strstr(err.message, "truncated"));
	assert_null(strstr(err.message, path));
	unlink(path);
}

/* ---- names -------------------------------------------------------------- */

static void errno_and_signal_names(void **state)
{
	assert_string_equal(hostctx_errno_name(ENOENT), "ENOENT");
	assert_string_equal(hostctx_errno_name(EACCES), "EACCES");
	assert_null(hostctx_errno_name(100000));
	assert_string_equal(hostctx_signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(hostctx_signal_name(SIGSEGV), "SIGSEGV");
	assert_string_equal(hostctx_signal_name(SIGTERM), "SIGTERM");
	assert_null(hostctx_signal_name(0));
	assert_null(hostctx_signal_name(-1));
	assert_null(hostctx_signal_name(100000));
	assert_non_null(hostctx_signal_name(SIGRTMIN));
}

/* The enum rows accept exactly their names, and write them as JSON. */
static void enum_names(void **state)
{
	static const struct {
		const char *field;
		const char *const names[4];
	} rows[] = {
		{ "task_delayacct", { "config_off", "runtime_off", "on", NULL } },
		{ "config_task_xacct", { "on", "off", "unknown", NULL } },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct hctx_field *f =
			hctx_field_by_name(rows[i].field, strlen(rows[i].field));
		struct hostctx_snapshot *s = snapshot_new();
		size_t n = 0;

		assert_non_null(f);
		assert_int_equal(f->spec->kind, HCTX_KIND_ENUM);
		for (; rows[i].names[n]; n++) {
			char want[96], *text;

			assert_string_equal(f->spec->names[n], rows[i].names[n]);
			set_str(s, rows[i].field, rows[i].names[n]);
			assert_string_equal(get_str(s, rows[i].field), rows[i].names[n]);
			text = snapshot_json(s);
			snprintf(want, sizeof(want), "\"%s\": \"%s\"", rows[i].field,
				 rows[i].names[n]);
			assert_non_null(strstr(text, want));
			free(text);
		}
		assert_null(f->spec->names[n]);
		/* the human spelling is not a JSON name */
		assert_int_equal(hostctx_snapshot_set_string(s, rows[i].field, "config-off"),
				 -EINVAL);
		assert_string_equal(get_str(s, rows[i].field), rows[i].names[n - 1]);
		hostctx_snapshot_free(s);
	}
}

/* `hostctx diff --json` prints the changes array alone, typed values. */
static void changes_array_alone(void **state)
{
	struct hostctx_snapshot *a = fixture_new(), *b = fixture_new();
	struct hostctx_changes *c = NULL;
	char *text = NULL;

	(void)state;
	set_str(b, "thp_enabled", "always madvise [never]");
	set_u64(b, "hugepages_total", 512);
	assert_int_equal(hostctx_diff(a, b, &c), 0);
	assert_int_equal(hostctx_changes_count(c), 2);
	assert_int_equal(hostctx_changes_to_json(c, &text, NULL), 0);
	assert_string_equal(text,
		"[\n"
		"  {\n"
		"    \"field\": \"hugepages_total\",\n"
			       "    \"class\": \"config\",\n"
		"    \"before\": 0,\n"
		"    \"after\": 512\n"
		"  },\n"
		"  {\n"
		"    \"field\": \"thp_enabled\",\n"
			       "    \"class\": \"config\",\n"
		"    \"before\": \"always [madvise] never\",\n"
		"    \"after\": \"always madvise [never]\"\n"
		"  }\n"
		"]\n");
	free(text);
	hostctx_changes_free(c);
	/* no changes: an empty array */
	assert_int_equal(hostctx_diff(a, a, &c), 0);
	assert_int_equal(hostctx_changes_count(c), 0);
	assert_int_equal(hostctx_changes_to_json(c, &text, NULL), 0);
	assert_string_equal(text, "[]\n");
	free(text);
	hostctx_changes_free(c);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_snapshot_is_braces),
		cmocka_unit_test(empty_braces_read_back_empty),
		cmocka_unit_test(populated_round_trips),
		cmocka_unit_test(populated_writes_every_field),
		cmocka_unit_test(partial_round_trips_with_empty_tunables),
		cmocka_unit_test(absent_tunables_are_omitted_not_empty),
		cmocka_unit_test(tunables_are_written_sorted),
		cmocka_unit_test(governor_keys_in_numeric_order),
		cmocka_unit_test(governor_keys_read_back_in_numeric_order),
		cmocka_unit_test(empty_governor_map_is_omitted),
		cmocka_unit_test(accounting_states_are_spelled_as_the_contract),
		cmocka_unit_test(absent_accounting_states_are_omitted),
		cmocka_unit_test(output_is_two_space_indented),
		cmocka_unit_test(integers_are_written_exactly),
		cmocka_unit_test(value_beyond_2_53_round_trips_exactly),
		cmocka_unit_test(strings_are_escaped_and_round_trip),
		cmocka_unit_test(escaped_nul_is_refused),
		cmocka_unit_test(large_documents_are_written_whole),
		cmocka_unit_test(invalid_utf8_is_replaced),
		cmocka_unit_test(heap_round_trips),
		cmocka_unit_test(heap_absent_fields_are_omitted),
		cmocka_unit_test(heap_accepts_empty_object),
		cmocka_unit_test(heap_absent_is_omitted),
		cmocka_unit_test(unknown_keys_are_ignored),
		cmocka_unit_test(null_reads_as_absent),
		cmocka_unit_test(reference_sidecar_host_reads_as_snapshot),
		cmocka_unit_test(reference_sidecar_host_is_type_checked),
		cmocka_unit_test(duplicated_map_keys_first_wins),
		cmocka_unit_test(refuses_empty_input),
		cmocka_unit_test(refuses_truncated_json),
		cmocka_unit_test(refuses_binary_input),
		cmocka_unit_test(refuses_text_that_is_not_json),
		cmocka_unit_test(refuses_non_object_top_level),
		cmocka_unit_test(refuses_wrong_u64_types),
		cmocka_unit_test(refuses_wrong_string_types),
		cmocka_unit_test(refuses_unknown_enum_values),
		cmocka_unit_test(refuses_malformed_maps),
		cmocka_unit_test(refuses_unknown_schema),
		cmocka_unit_test(refuses_malformed_sidecar_keys),
		cmocka_unit_test(in_progress_sidecar_omits_the_end),
		cmocka_unit_test(tool_defaults_to_hostctx_run),
		cmocka_unit_test(complete_sidecar_has_everything),
		cmocka_unit_test(changes_are_listed_with_typed_values),
		cmocka_unit_test(changes_use_null_and_whole_maps),
		cmocka_unit_test(equal_pre_post_give_empty_changes),
		cmocka_unit_test(signal_exit_is_named),
		cmocka_unit_test(exec_error_record),
		cmocka_unit_test(sidecar_fields_read_back),
		cmocka_unit_test(minimal_sidecar_reads_with_defaults),
		cmocka_unit_test(modes_read_back),
		cmocka_unit_test(set_command_replaces_and_copies),
		cmocka_unit_test(load_reads_a_file),
		cmocka_unit_test(load_reports_missing_file),
		cmocka_unit_test(load_refuses_a_directory),
		cmocka_unit_test(load_refuses_huge_file),
		cmocka_unit_test(load_reports_parse_errors),
		cmocka_unit_test(errno_and_signal_names),
		cmocka_unit_test(enum_names),
		cmocka_unit_test(changes_array_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
