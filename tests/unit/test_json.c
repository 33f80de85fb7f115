/* SPDX-License-Identifier: MIT */
/*
 * Snapshot and sidecar JSON: the reference's round-trip tests
 * (spec/reference-tests.md 6-8 and the host_heap JSON tests), the
 * omission rules of CONTRACT §2/§3, exact integers, and one test per
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

static void parse_ok(const char *text, struct hostctx_document *d)
{
	struct hostctx_error err = { "" };
	int r;

	hostctx_document_init(d);
	r = hostctx_document_parse(text, strlen(text), d, &err);
	if (r != 0)
		fail_msg("parse failed: %s", err.message);
}

/* Parse text of len bytes; it must fail with a message containing want. */
static void parse_fails_len(const char *text, size_t len, const char *want)
{
	struct hostctx_document d;
	struct hostctx_error err = { "" };

	hostctx_document_init(&d);
	d.is_sidecar = true;	/* untouched on failure */
	assert_int_equal(hostctx_document_parse(text, len, &d, &err), -EINVAL);
	assert_true(d.is_sidecar);
	if (!strstr(err.message, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	assert_null(strchr(err.message, '\n'));
	hostctx_document_clear(&d);
}

static void parse_fails(const char *text, const char *want)
{
	parse_fails_len(text, strlen(text), want);
}

/* write -> parse -> equal, and write again gives the same text. */
static void assert_snapshot_round_trip(const struct hostctx_snapshot *s)
{
	struct hostctx_document d;
	char *first = snapshot_json(s), *second;

	parse_ok(first, &d);
	assert_false(d.is_sidecar);
	assert_true(hostctx_snapshot_equal(s, &d.snapshot));
	second = snapshot_json(&d.snapshot);
	assert_string_equal(first, second);
	free(first);
	free(second);
	hostctx_document_clear(&d);
}

static void assert_sidecar_round_trip(const struct hostctx_sidecar *sc)
{
	struct hostctx_document d;
	char *first = sidecar_json(sc), *second;

	parse_ok(first, &d);
	assert_true(d.is_sidecar);
	second = sidecar_json(&d.sidecar);
	assert_string_equal(first, second);
	free(first);
	free(second);
	hostctx_document_clear(&d);
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
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	text = snapshot_json(&s);
	assert_string_equal(text, "{}\n");
	free(text);
	assert_snapshot_round_trip(&s);
}

static void empty_braces_read_back_empty(void **state)
{
	struct hostctx_document d;
	struct hostctx_snapshot empty;

	hostctx_snapshot_init(&empty);
	parse_ok("{}", &d);
	assert_false(d.is_sidecar);
	assert_true(hostctx_snapshot_equal(&d.snapshot, &empty));
	assert_false(d.snapshot.sched_tunables.present);
	assert_null(d.snapshot.heap_state);
	hostctx_document_clear(&d);
}

static void populated_round_trips(void **state)
{
	struct hostctx_snapshot s;

	hostctx_snapshot_init(&s);
	fixture(&s);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

static void populated_writes_every_field(void **state)
{
	struct hostctx_snapshot s;
	char *text, key[64];

	hostctx_snapshot_init(&s);
	fixture(&s);
	text = snapshot_json(&s);
	for (size_t i = 0; i < hctx_n_fields; i++) {
		snprintf(key, sizeof(key), "\"%s\": ", hctx_fields[i].name);
		assert_int_equal(count_of(text, key), 1);
	}
	assert_int_equal(hctx_n_fields, 19);
	assert_string_equal(text + strlen(text) - 2, "}\n");
	free(text);
	hostctx_snapshot_clear(&s);
}

static void partial_round_trips_with_empty_tunables(void **state)
{
	struct hostctx_snapshot s;
	struct hostctx_document d;
	char *text;

	hostctx_snapshot_init(&s);
	set_str(&s.kernel_name, "Linux");
	set_u64(&s.online_cpus, 4);
	s.sched_tunables.present = true;	/* readable, no sched_* file */
	text = snapshot_json(&s);
	assert_non_null(strstr(text, "\"sched_tunables\": {}"));
	assert_null(strstr(text, "null"));
	assert_null(strstr(text, "cpu_model"));
	parse_ok(text, &d);
	assert_true(d.snapshot.sched_tunables.present);
	assert_int_equal(d.snapshot.sched_tunables.n, 0);
	assert_true(hostctx_snapshot_equal(&s, &d.snapshot));
	free(text);
	hostctx_document_clear(&d);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

static void absent_tunables_are_omitted_not_empty(void **state)
{
	struct hostctx_snapshot absent, empty;
	char *text;

	hostctx_snapshot_init(&absent);
	hostctx_snapshot_init(&empty);
	empty.sched_tunables.present = true;
	text = snapshot_json(&absent);
	assert_null(strstr(text, "sched_tunables"));
	free(text);
	assert_false(hostctx_snapshot_equal(&absent, &empty));
	assert_snapshot_round_trip(&absent);
	assert_snapshot_round_trip(&empty);
}

static void tunables_are_written_sorted(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	assert_int_equal(hostctx_kvmap_set(&s.sched_tunables, "sched_z", "1"), 0);
	assert_int_equal(hostctx_kvmap_set(&s.sched_tunables, "sched_a", "2"), 0);
	assert_int_equal(hostctx_kvmap_set(&s.sched_tunables, "sched_m", "3"), 0);
	text = snapshot_json(&s);
	assert_true(offset_of(text, "sched_a") < offset_of(text, "sched_m"));
	assert_true(offset_of(text, "sched_m") < offset_of(text, "sched_z"));
	free(text);
	hostctx_snapshot_clear(&s);
}

static void governor_keys_in_numeric_order(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	assert_int_equal(hostctx_govmap_set(&s.cpufreq_governor, 10, "ten"), 0);
	assert_int_equal(hostctx_govmap_set(&s.cpufreq_governor, 2, "two"), 0);
	assert_int_equal(hostctx_govmap_set(&s.cpufreq_governor, 1, "one"), 0);
	text = snapshot_json(&s);
	assert_true(offset_of(text, "\"1\": \"one\"") < offset_of(text, "\"2\": \"two\""));
	assert_true(offset_of(text, "\"2\": \"two\"") < offset_of(text, "\"10\": \"ten\""));
	free(text);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

static void governor_keys_read_back_in_numeric_order(void **state)
{
	struct hostctx_document d;
	const struct hostctx_govmap *m;

	parse_ok("{\"cpufreq_governor\": {\"10\": \"c\", \"2\": \"b\", \"0\": \"a\"}}", &d);
	m = &d.snapshot.cpufreq_governor;
	assert_int_equal(m->n, 3);
	assert_int_equal(m->items[0].cpu, 0);
	assert_int_equal(m->items[1].cpu, 2);
	assert_int_equal(m->items[2].cpu, 10);
	assert_string_equal(m->items[2].governor, "c");
	hostctx_document_clear(&d);
}

static void empty_governor_map_is_omitted(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	set_u64(&s.online_cpus, 2);
	text = snapshot_json(&s);
	assert_null(strstr(text, "cpufreq_governor"));
	free(text);
	hostctx_snapshot_clear(&s);
}

static void accounting_states_are_spelled_as_the_contract(void **state)
{
	static const struct {
		enum hostctx_delayacct d;
		enum hostctx_xacct x;
		const char *dj, *xj;
	} cases[] = {
		{ HOSTCTX_DELAYACCT_CONFIG_OFF, HOSTCTX_XACCT_UNKNOWN,
		  "\"task_delayacct\": \"config_off\"", "\"config_task_xacct\": \"unknown\"" },
		{ HOSTCTX_DELAYACCT_RUNTIME_OFF, HOSTCTX_XACCT_OFF,
		  "\"task_delayacct\": \"runtime_off\"", "\"config_task_xacct\": \"off\"" },
		{ HOSTCTX_DELAYACCT_ON, HOSTCTX_XACCT_ON,
		  "\"task_delayacct\": \"on\"", "\"config_task_xacct\": \"on\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostctx_snapshot s;
		char *text;

		hostctx_snapshot_init(&s);
		s.task_delayacct = cases[i].d;
		s.config_task_xacct = cases[i].x;
		text = snapshot_json(&s);
		assert_non_null(strstr(text, cases[i].dj));
		assert_non_null(strstr(text, cases[i].xj));
		free(text);
		assert_snapshot_round_trip(&s);
	}
}

static void absent_accounting_states_are_omitted(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	set_str(&s.arch, "x86_64");
	text = snapshot_json(&s);
	assert_null(strstr(text, "task_delayacct"));
	assert_null(strstr(text, "config_task_xacct"));
	free(text);
	hostctx_snapshot_clear(&s);
}

static void output_is_two_space_indented(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	set_str(&s.kernel_name, "Linux");
	set_u64(&s.online_cpus, 2);
	assert_int_equal(hostctx_govmap_set(&s.cpufreq_governor, 0, "powersave"), 0);
	text = snapshot_json(&s);
	assert_string_equal(text,
			    "{\n"
			    "  \"kernel_name\": \"Linux\",\n"
			    "  \"online_cpus\": 2,\n"
			    "  \"cpufreq_governor\": {\n"
			    "    \"0\": \"powersave\"\n"
			    "  }\n"
			    "}\n");
	free(text);
	hostctx_snapshot_clear(&s);
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
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostctx_snapshot s;
		struct hostctx_document d;
		char *text;

		hostctx_snapshot_init(&s);
		set_u64(&s.total_memory_kib, cases[i].v);
		set_u64(&s.online_cpus, 1);
		text = snapshot_json(&s);
		assert_non_null(strstr(text, cases[i].text));
		parse_ok(text, &d);
		assert_true(d.snapshot.total_memory_kib.present);
		assert_true(d.snapshot.total_memory_kib.value == cases[i].v);
		free(text);
		hostctx_document_clear(&d);
	}
}

static void value_beyond_2_53_is_written_exactly(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	set_u64(&s.total_memory_kib, UINT64_MAX);
	set_u64(&s.hugepages_total, (UINT64_C(1) << 53) + 1);
	set_u64(&s.hugepages_free, UINT64_C(1) << 53);
	text = snapshot_json(&s);
	assert_non_null(strstr(text, "\"total_memory_kib\": 18446744073709551615,"));
	assert_non_null(strstr(text, "\"hugepages_total\": 9007199254740993,"));
	assert_non_null(strstr(text, "\"hugepages_free\": 9007199254740992\n"));
	/* ... and refused on reading: a double cannot hold it exactly. */
	parse_fails(text, "key \"total_memory_kib\" is not a non-negative integer");
	free(text);
	hostctx_snapshot_clear(&s);
}

/* ---- strings ---------------------------------------------------------- */

static void strings_are_escaped_and_round_trip(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	set_str(&s.kernel_cmdline, "a \"quoted\" back\\slash\ttab\nnl \x01 caf\xc3\xa9 \xe2\x86\x92");
	text = snapshot_json(&s);
	assert_non_null(strstr(text, "a \\\"quoted\\\" back\\\\slash\\ttab\\nnl \\u0001 caf\xc3\xa9 \xe2\x86\x92"));
	free(text);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

/*
 * The writer's buffer starts at 4 KiB and doubles: an argument of
 * 100000 bytes with escapes everywhere (also across every growth) and a
 * number token longer than any fixed scratch buffer must come out whole.
 */
static void large_documents_are_written_whole(void **state)
{
	enum { BIG = 100000 };
	struct hostctx_sidecar sc;
	struct hostctx_document d;
	char *big = malloc(BIG + 1), *argv[] = { "prog", big, NULL };
	char *text;
	size_t len;

	assert_non_null(big);
	for (size_t i = 0; i < BIG; i++)
		big[i] = "ab\"\\\n\x01"[i % 6];
	big[BIG] = '\0';
	hostctx_sidecar_init(&sc);
	assert_int_equal(hostctx_sidecar_set_command(&sc, 2, argv, "/"), 0);
	sc.has_wall_seconds = true;
	sc.wall_seconds = 1e300;	/* "%.6f": 308 characters */
	assert_int_equal(hostctx_sidecar_to_json(&sc, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	parse_ok(text, &d);
	assert_int_equal(d.sidecar.argc, 2);
	assert_string_equal(d.sidecar.argv[1], big);
	assert_true(d.sidecar.wall_seconds == 1e300);
	hostctx_document_clear(&d);
	free(text);
	hostctx_sidecar_clear(&sc);
	free(big);
}

static void invalid_utf8_is_replaced(void **state)
{
	struct hostctx_sidecar sc;
	char *argv[] = { "prog", "bad\xff\xc3", NULL };
	char *text;

	hostctx_sidecar_init(&sc);
	assert_int_equal(hostctx_sidecar_set_command(&sc, 2, argv, "/"), 0);
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"bad\\ufffd\\ufffd\""));
	free(text);
	hostctx_sidecar_clear(&sc);
}

/* ---- heap_state ------------------------------------------------------- */

static void heap_round_trips(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	s.heap_state = heap_fixture();
	text = snapshot_json(&s);
	assert_true(offset_of(text, "active_bytes") < offset_of(text, "allocated_bytes"));
	assert_true(offset_of(text, "allocated_bytes") < offset_of(text, "resident_bytes"));
	assert_true(offset_of(text, "resident_bytes") < offset_of(text, "mapped_bytes"));
	assert_true(offset_of(text, "mapped_bytes") < offset_of(text, "narenas"));
	assert_non_null(strstr(text, "\"narenas\": 64"));
	free(text);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

static void heap_absent_fields_are_omitted(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	s.heap_state = calloc(1, sizeof(*s.heap_state));
	assert_non_null(s.heap_state);
	set_u64(&s.heap_state->mapped_bytes, 4096);
	text = snapshot_json(&s);
	assert_string_equal(text, "{\n  \"heap_state\": {\n    \"mapped_bytes\": 4096\n  }\n}\n");
	free(text);
	assert_snapshot_round_trip(&s);
	hostctx_snapshot_clear(&s);
}

static void heap_accepts_empty_object(void **state)
{
	struct hostctx_document d;
	const struct hostctx_heap *h;

	parse_ok("{\"heap_state\": {}}", &d);
	h = d.snapshot.heap_state;
	assert_non_null(h);
	assert_false(h->active_bytes.present);
	assert_false(h->allocated_bytes.present);
	assert_false(h->resident_bytes.present);
	assert_false(h->mapped_bytes.present);
	assert_false(h->narenas.present);
	hostctx_document_clear(&d);
}

static void heap_absent_is_omitted(void **state)
{
	struct hostctx_snapshot s;
	char *text;

	hostctx_snapshot_init(&s);
	fixture(&s);
	free(s.heap_state);
	s.heap_state = NULL;
	text = snapshot_json(&s);
	assert_null(strstr(text, "heap_state"));
	free(text);
	hostctx_snapshot_clear(&s);
}

/* ---- reading: tolerance ----------------------------------------------- */

static void unknown_keys_are_ignored(void **state)
{
	struct hostctx_document d;

	parse_ok("{\"future_field\": [1, {\"x\": null}], \"online_cpus\": 8,"
		 " \"heap_state\": {\"future\": \"x\", \"narenas\": 4}}", &d);
	assert_true(d.snapshot.online_cpus.present);
	assert_int_equal(d.snapshot.online_cpus.value, 8);
	assert_int_equal(d.snapshot.heap_state->narenas.value, 4);
	hostctx_document_clear(&d);
}

static void null_reads_as_absent(void **state)
{
	struct hostctx_document d;

	parse_ok("{\"cpu_model\": null, \"sched_tunables\": null, \"numa_nodes\": 1}", &d);
	assert_null(d.snapshot.cpu_model);
	assert_false(d.snapshot.sched_tunables.present);
	assert_true(d.snapshot.numa_nodes.present);
	hostctx_document_clear(&d);
}

static void reference_sidecar_host_reads_as_snapshot(void **state)
{
	struct hostctx_document d;

	parse_ok("{\"test_name\": \"t\", \"passed\": true, \"stats\": {\"online_cpus\": \"x\"},"
		 " \"host\": {\"kernel_name\": \"Linux\", \"online_cpus\": 16,"
		 " \"sched_tunables\": {\"sched_latency_ns\": \"24000000\"},"
		 " \"task_delayacct\": \"runtime_off\"}}", &d);
	assert_false(d.is_sidecar);
	assert_string_equal(d.snapshot.kernel_name, "Linux");
	assert_int_equal(d.snapshot.online_cpus.value, 16);
	assert_string_equal(hostctx_kvmap_get(&d.snapshot.sched_tunables,
					      "sched_latency_ns"), "24000000");
	assert_int_equal(d.snapshot.task_delayacct, HOSTCTX_DELAYACCT_RUNTIME_OFF);
	hostctx_document_clear(&d);
}

static void reference_sidecar_host_is_type_checked(void **state)
{
	parse_fails("{\"host\": {\"numa_nodes\": \"two\"}}",
		    "key \"host.numa_nodes\" is not a non-negative integer");
}

static void duplicated_map_keys_first_wins(void **state)
{
	struct hostctx_document d;

	parse_ok("{\"sched_tunables\": {\"sched_a\": \"1\", \"sched_a\": \"2\"},"
		 " \"cpufreq_governor\": {\"3\": \"x\", \"3\": \"y\"}}", &d);
	assert_int_equal(d.snapshot.sched_tunables.n, 1);
	assert_string_equal(hostctx_kvmap_get(&d.snapshot.sched_tunables, "sched_a"), "1");
	assert_string_equal(hostctx_govmap_get(&d.snapshot.cpufreq_governor, 3), "x");
	hostctx_document_clear(&d);
}

/* ---- reading: every malformed shape ------------------------------------- */

static void refuses_empty_input(void **state)
{
	parse_fails("", "empty");
	parse_fails(" \n\t ", "empty");
}

static void refuses_truncated_json(void **state)
{
	struct hostctx_snapshot s;
	char *text;
	size_t len;

	hostctx_snapshot_init(&s);
	fixture(&s);
	text = snapshot_json(&s);
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
	hostctx_snapshot_clear(&s);
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
	parse_fails("{\"hugepages_free\": 9007199254740993}", "key \"hugepages_free\"");
	parse_fails("{\"hugepages_free\": 9007199254740992}", "key \"hugepages_free\"");
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

static void sidecar_base(struct hostctx_sidecar *sc)
{
	char *argv[] = { "make", "-j8", "check", NULL };

	hostctx_sidecar_init(sc);
	set_str(&sc->mode, "wrapper");
	assert_int_equal(hostctx_sidecar_set_command(sc, 3, argv, "/src/proj"), 0);
	sc->has_started_at = true;
	sc->started_at = (struct timespec){ 1700000000, 123456789 };
	sc->has_pre = true;
	fixture(&sc->pre);
}

static void in_progress_sidecar_omits_the_end(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	sidecar_base(&sc);
	text = sidecar_json(&sc);
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
	assert_sidecar_round_trip(&sc);
	hostctx_sidecar_clear(&sc);
}

static void tool_defaults_to_hostctx_run(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	hostctx_sidecar_init(&sc);
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"tool\": {\n    \"name\": \"hostctx-run\",\n    \"version\": \"" HOSTCTX_VERSION "\"\n  }"));
	free(text);
	set_str(&sc.tool_name, "libhostctx-preload");
	set_str(&sc.tool_version, "9.9");
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"name\": \"libhostctx-preload\""));
	assert_non_null(strstr(text, "\"version\": \"9.9\""));
	free(text);
	hostctx_sidecar_clear(&sc);
}

static void complete_sidecar(struct hostctx_sidecar *sc)
{
	sidecar_base(sc);
	sc->complete = true;
	sc->has_ended_at = true;
	sc->ended_at = (struct timespec){ 1700000001, 5000000 };
	sc->has_wall_seconds = true;
	sc->wall_seconds = 1.2345678;
	sc->exit.kind = HOSTCTX_EXIT_CODE;
	sc->exit.code = 3;
	sc->rusage = (struct hostctx_rusage){
		.present = true, .user_seconds = 0.5, .system_seconds = 0.25,
		.max_rss_kib = 12345, .minor_faults = 100, .major_faults = 2,
		.voluntary_context_switches = 7, .involuntary_context_switches = 8,
		.block_input_ops = 9, .block_output_ops = 10,
	};
	sc->has_post = true;
	fixture(&sc->post);
	assert_int_equal(hostctx_kvmap_set(&sc->post.sched_tunables,
					   "sched_migration_cost_ns", "100000"), 0);
	set_u64(&sc->post.hugepages_free, 4);
}

static void complete_sidecar_has_everything(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	complete_sidecar(&sc);
	text = sidecar_json(&sc);
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
	assert_sidecar_round_trip(&sc);
	hostctx_sidecar_clear(&sc);
}

static void changes_are_listed_with_typed_values(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	complete_sidecar(&sc);
	/* heap_state differs too, but is never listed. */
	sc.post.heap_state->narenas.value = 1;
	text = sidecar_json(&sc);
	assert_non_null(strstr(text,
			       "\"changes\": [\n"
			       "    {\n"
			       "      \"field\": \"hugepages_free\",\n"
			       "      \"before\": 0,\n"
			       "      \"after\": 4\n"
			       "    },\n"
			       "    {\n"
			       "      \"field\": \"sched_tunables.sched_migration_cost_ns\",\n"
			       "      \"before\": \"500000\",\n"
			       "      \"after\": \"100000\"\n"
			       "    }\n"
			       "  ]\n"
			       "}\n"));
	assert_null(strstr(text, "\"field\": \"heap_state"));
	free(text);
	hostctx_sidecar_clear(&sc);
}

static void changes_use_null_and_whole_maps(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	complete_sidecar(&sc);
	hostctx_snapshot_clear(&sc.post);
	set_str(&sc.post.kernel_name, "Linux");
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"field\": \"kernel_release\",\n      \"before\": \"6.16.0-test\",\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"online_cpus\",\n      \"before\": 16,\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"sched_tunables\",\n      \"before\": {\n        \"sched_latency_ns\": \"24000000\",\n        \"sched_migration_cost_ns\": \"500000\"\n      },\n      \"after\": null\n"));
	assert_non_null(strstr(text, "\"field\": \"cpufreq_governor\",\n      \"before\": {\n        \"0\": \"performance\",\n"));
	assert_non_null(strstr(text, "\"field\": \"task_delayacct\",\n      \"before\": \"on\",\n      \"after\": null\n"));
	assert_null(strstr(text, "\"field\": \"kernel_name\""));
	free(text);
	hostctx_sidecar_clear(&sc);
}

static void equal_pre_post_give_empty_changes(void **state)
{
	struct hostctx_sidecar sc;
	char *text;

	sidecar_base(&sc);
	sc.complete = true;
	sc.has_post = true;
	assert_int_equal(hostctx_snapshot_copy(&sc.post, &sc.pre), 0);
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"changes\": []\n"));
	free(text);
	hostctx_sidecar_clear(&sc);
}

static void signal_exit_is_named(void **state)
{
	struct hostctx_sidecar sc;
	struct hostctx_document d;
	char *text;

	complete_sidecar(&sc);
	sc.exit = (struct hostctx_exit){ .kind = HOSTCTX_EXIT_SIGNAL, .signal = SIGKILL,
					 .core_dumped = true };
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"exit\": {\n      \"signal\": 9,\n      \"signal_name\": \"SIGKILL\",\n      \"core_dumped\": true\n    }"));
	parse_ok(text, &d);
	assert_int_equal(d.sidecar.exit.kind, HOSTCTX_EXIT_SIGNAL);
	assert_int_equal(d.sidecar.exit.signal, SIGKILL);
	assert_true(d.sidecar.exit.core_dumped);
	free(text);
	hostctx_document_clear(&d);
	assert_sidecar_round_trip(&sc);
	hostctx_sidecar_clear(&sc);
}

static void exec_error_record(void **state)
{
	struct hostctx_sidecar sc;
	struct hostctx_document d;
	char *text;

	sidecar_base(&sc);
	sc.complete = true;
	set_str(&sc.exec_error, hostctx_errno_name(ENOENT));
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"exec_error\": \"ENOENT\""));
	assert_null(strstr(text, "\"exit\""));
	assert_null(strstr(text, "\"post\""));
	assert_null(strstr(text, "\"changes\""));
	parse_ok(text, &d);
	assert_string_equal(d.sidecar.exec_error, "ENOENT");
	assert_true(d.sidecar.complete);
	assert_false(d.sidecar.has_post);
	assert_true(d.sidecar.has_pre);
	assert_true(hostctx_snapshot_equal(&d.sidecar.pre, &sc.pre));
	free(text);
	hostctx_document_clear(&d);
	assert_sidecar_round_trip(&sc);
	hostctx_sidecar_clear(&sc);
}

static void sidecar_fields_read_back(void **state)
{
	struct hostctx_sidecar sc;
	struct hostctx_document d;
	char *text;

	complete_sidecar(&sc);
	sc.rusage_children = sc.rusage;
	sc.rusage_children.max_rss_kib = 77;
	sc.descendants_left = 2;
	text = sidecar_json(&sc);
	assert_non_null(strstr(text, "\"descendants_left\": 2"));
	parse_ok(text, &d);
	assert_true(d.is_sidecar);
	assert_string_equal(d.sidecar.tool_name, "hostctx-run");
	assert_string_equal(d.sidecar.mode, "wrapper");
	assert_int_equal(d.sidecar.argc, 3);
	assert_string_equal(d.sidecar.argv[2], "check");
	assert_string_equal(d.sidecar.cwd, "/src/proj");
	assert_int_equal(d.sidecar.started_at.tv_sec, 1700000000);
	assert_int_equal(d.sidecar.started_at.tv_nsec, 123000000);
	assert_int_equal(d.sidecar.ended_at.tv_nsec, 5000000);
	assert_true(d.sidecar.wall_seconds > 1.2345675 && d.sidecar.wall_seconds < 1.2345685);
	assert_int_equal(d.sidecar.exit.kind, HOSTCTX_EXIT_CODE);
	assert_int_equal(d.sidecar.exit.code, 3);
	assert_true(d.sidecar.rusage.present);
	assert_int_equal(d.sidecar.rusage.block_input_ops, 9);
	assert_true(d.sidecar.rusage_children.present);
	assert_int_equal(d.sidecar.rusage_children.max_rss_kib, 77);
	assert_int_equal(d.sidecar.descendants_left, 2);
	assert_true(hostctx_snapshot_equal(&d.sidecar.pre, &sc.pre));
	assert_true(hostctx_snapshot_equal(&d.sidecar.post, &sc.post));
	free(text);
	hostctx_document_clear(&d);
	assert_sidecar_round_trip(&sc);
	hostctx_sidecar_clear(&sc);
}

static void minimal_sidecar_reads_with_defaults(void **state)
{
	struct hostctx_document d;

	parse_ok("{\"schema\": \"hostctx-sidecar/1\"}", &d);
	assert_true(d.is_sidecar);
	assert_false(d.sidecar.complete);
	assert_false(d.sidecar.has_pre);
	assert_false(d.sidecar.has_post);
	assert_int_equal(d.sidecar.exit.kind, HOSTCTX_EXIT_NONE);
	assert_int_equal(d.sidecar.descendants_left, -1);
	assert_false(d.sidecar.rusage.present);
	hostctx_document_clear(&d);
}

static void set_command_replaces_and_copies(void **state)
{
	struct hostctx_sidecar sc;
	char a0[] = "first", *argv1[] = { a0, NULL }, *argv2[] = { "x", "y", NULL };

	hostctx_sidecar_init(&sc);
	assert_int_equal(hostctx_sidecar_set_command(&sc, 1, argv1, NULL), 0);
	a0[0] = 'F';
	assert_string_equal(sc.argv[0], "first");
	assert_null(sc.cwd);
	assert_int_equal(hostctx_sidecar_set_command(&sc, 2, argv2, "/tmp"), 0);
	assert_int_equal(sc.argc, 2);
	assert_string_equal(sc.argv[1], "y");
	assert_null(sc.argv[2]);
	assert_string_equal(sc.cwd, "/tmp");
	assert_int_equal(hostctx_sidecar_set_command(&sc, -1, argv2, NULL), -EINVAL);
	hostctx_sidecar_clear(&sc);
	assert_int_equal(sc.argc, 0);
	assert_int_equal(sc.descendants_left, -1);
}

/* ---- files -------------------------------------------------------------- */

static void load_reads_a_file(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_document d;
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);
	static const char text[] = "{\"online_cpus\": 3}\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	hostctx_document_init(&d);
	assert_int_equal(hostctx_document_load(path, &d, &err), 0);
	assert_int_equal(d.snapshot.online_cpus.value, 3);
	hostctx_document_clear(&d);
	unlink(path);
}

static void load_reports_missing_file(void **state)
{
	struct hostctx_document d;
	struct hostctx_error err = { "" };

	hostctx_document_init(&d);
	assert_int_equal(hostctx_document_load("/nonexistent/hostctx.json", &d, &err), -ENOENT);
	assert_string_equal(err.message, "cannot read: No such file or directory");
	hostctx_document_clear(&d);
}

static void load_refuses_a_directory(void **state)
{
	struct hostctx_document d;
	struct hostctx_error err = { "" };

	hostctx_document_init(&d);
	assert_int_equal(hostctx_document_load("/tmp", &d, &err), -EISDIR);
	assert_string_equal(err.message, "cannot read: Is a directory");
	hostctx_document_clear(&d);
}

static void load_refuses_huge_file(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_document d;
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 * 1024 * 1024 + 1), 0);
	close(fd);
	hostctx_document_init(&d);
	assert_int_equal(hostctx_document_load(path, &d, &err), -EFBIG);
	assert_non_null(strstr(err.message, "too large"));
	hostctx_document_clear(&d);
	unlink(path);
}

static void load_reports_parse_errors(void **state)
{
	char path[] = "/tmp/hostctx-test-json-XXXXXX";
	struct hostctx_document d;
	struct hostctx_error err = { "" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"online_cpus\": ", 16), 16);
	close(fd);
	hostctx_document_init(&d);
	assert_int_equal(hostctx_document_load(path, &d, &err), -EINVAL);
	assert_non_null(strstr(err.message, "truncated"));
	assert_null(strstr(err.message, path));
	hostctx_document_clear(&d);
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

static void enum_names(void **state)
{
	assert_string_equal(hostctx_delayacct_json_name(HOSTCTX_DELAYACCT_CONFIG_OFF), "config_off");
	assert_string_equal(hostctx_delayacct_json_name(HOSTCTX_DELAYACCT_RUNTIME_OFF), "runtime_off");
	assert_string_equal(hostctx_delayacct_json_name(HOSTCTX_DELAYACCT_ON), "on");
	assert_null(hostctx_delayacct_json_name(HOSTCTX_DELAYACCT_ABSENT));
	assert_string_equal(hostctx_delayacct_human_name(HOSTCTX_DELAYACCT_CONFIG_OFF), "config-off");
	assert_string_equal(hostctx_delayacct_human_name(HOSTCTX_DELAYACCT_RUNTIME_OFF), "runtime-off");
	assert_string_equal(hostctx_delayacct_human_name(HOSTCTX_DELAYACCT_ON), "on");
	assert_null(hostctx_delayacct_human_name(HOSTCTX_DELAYACCT_ABSENT));
	assert_string_equal(hostctx_xacct_name(HOSTCTX_XACCT_ON), "on");
	assert_string_equal(hostctx_xacct_name(HOSTCTX_XACCT_OFF), "off");
	assert_string_equal(hostctx_xacct_name(HOSTCTX_XACCT_UNKNOWN), "unknown");
	assert_null(hostctx_xacct_name(HOSTCTX_XACCT_ABSENT));
}

/* `hostctx diff --json` prints the changes array alone, typed values. */
static void changes_array_alone(void **state)
{
	struct hostctx_snapshot a, b;
	struct hostctx_changes c = { 0 };
	char *text = NULL;

	(void)state;
	hostctx_snapshot_init(&a);
	hostctx_snapshot_init(&b);
	fixture(&a);
	fixture(&b);
	set_str(&b.thp_enabled, "always madvise [never]");
	set_u64(&b.hugepages_total, 512);
	assert_int_equal(hostctx_diff(&a, &b, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(hostctx_changes_to_json(&c, &text, NULL), 0);
	assert_string_equal(text,
		"[\n"
		"  {\n"
		"    \"field\": \"hugepages_total\",\n"
		"    \"before\": 0,\n"
		"    \"after\": 512\n"
		"  },\n"
		"  {\n"
		"    \"field\": \"thp_enabled\",\n"
		"    \"before\": \"always [madvise] never\",\n"
		"    \"after\": \"always madvise [never]\"\n"
		"  }\n"
		"]\n");
	free(text);
	hostctx_changes_clear(&c);
	assert_int_equal(hostctx_changes_to_json(&c, &text, NULL), 0);
	assert_string_equal(text, "[]\n");
	free(text);
	hostctx_snapshot_clear(&a);
	hostctx_snapshot_clear(&b);
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
		cmocka_unit_test(value_beyond_2_53_is_written_exactly),
		cmocka_unit_test(strings_are_escaped_and_round_trip),
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
