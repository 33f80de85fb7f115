/* SPDX-License-Identifier: MIT */
/*
 * The field model behind the opaque API (docs/design.md, "How to add a
 * field"): the public view of the field table, typed getters and
 * setters by path, hostctx_snapshot_keys, dup and equal, map building
 * (hctx_map_append + hctx_map_finish) and the per-kind operations.
 */
#include "json_fixture.h"

#include <errno.h>
#include <time.h>

/* ---- the field table -------------------------------------------------- */

static void table_accessors_agree(void **state)
{
	size_t n = hostctx_field_count();

	assert_int_equal(n, hctx_n_fields);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		const char *name = hostctx_field_name(i);
		int cls = hostctx_field_class(i);

		assert_non_null(name);
		assert_string_equal(name, hctx_fields[i].name);
		assert_int_equal(hostctx_field_index(name), (int)i);
		assert_non_null(hostctx_field_group(i));
		assert_true(*hostctx_field_group(i) != '\0');
		assert_non_null(hostctx_field_label(i));
		assert_true(*hostctx_field_label(i) != '\0');
		assert_true(cls >= HOSTCTX_CLASS_IDENTITY && cls <= HOSTCTX_CLASS_TELEMETRY);
		assert_int_equal(cls, (int)hctx_fields[i].cls);
		assert_non_null(hostctx_class_name(cls));
		assert_ptr_equal(hctx_field_by_name(name, strlen(name)), &hctx_fields[i]);
		/* names are unique */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(hostctx_field_name(j), name);
	}
	/* out of range and unknown */
	assert_null(hostctx_field_name(n));
	assert_null(hostctx_field_group(n));
	assert_null(hostctx_field_label(n));
	assert_int_equal(hostctx_field_class(n), -EINVAL);
	assert_int_equal(hostctx_field_index("no_such_field"), -ENOENT);
	assert_int_equal(hostctx_field_index(""), -ENOENT);
	assert_int_equal(hostctx_field_index(NULL), -ENOENT);
	/* a prefix of a name is not that name */
	assert_int_equal(hostctx_field_index("cpu"), -ENOENT);
	assert_string_equal(hostctx_class_name(HOSTCTX_CLASS_IDENTITY), "identity");
	assert_string_equal(hostctx_class_name(HOSTCTX_CLASS_INSTANCE), "instance");
	assert_string_equal(hostctx_class_name(HOSTCTX_CLASS_CONFIG), "config");
	assert_string_equal(hostctx_class_name(HOSTCTX_CLASS_TELEMETRY), "telemetry");
	assert_null(hostctx_class_name(-1));
	assert_null(hostctx_class_name(HOSTCTX_CLASS_TELEMETRY + 1));
}

/* ---- getters and setters by path -------------------------------------- */

static void getters_and_setters_by_path(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	const char *str = "untouched";
	uint64_t u = 77;
	int64_t i64 = 77;
	bool b = true;
	double d = 7.5;

	/* a string field */
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model", "M"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "cpu_model"), HOSTCTX_TYPE_STRING);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpu_model", &str), 0);
	assert_string_equal(str, "M");
	/* a u64 field */
	assert_int_equal(hostctx_snapshot_set_u64(s, "online_cpus", 8), 0);
	assert_int_equal(hostctx_snapshot_type(s, "online_cpus"), HOSTCTX_TYPE_U64);
	assert_int_equal(hostctx_snapshot_get_u64(s, "online_cpus", &u), 0);
	assert_int_equal(u, 8);
	/* replaced, not added */
	assert_int_equal(hostctx_snapshot_set_u64(s, "online_cpus", 9), 0);
	assert_int_equal(hostctx_snapshot_get_u64(s, "online_cpus", &u), 0);
	assert_int_equal(u, 9);

	/* wrong type: -EINVAL, out-parameter untouched, value kept */
	u = 77;
	str = "untouched";
	assert_int_equal(hostctx_snapshot_get_u64(s, "cpu_model", &u), -EINVAL);
	assert_int_equal(u, 77);
	assert_int_equal(hostctx_snapshot_get_string(s, "online_cpus", &str), -EINVAL);
	assert_string_equal(str, "untouched");
	assert_int_equal(hostctx_snapshot_get_s64(s, "online_cpus", &i64), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_bool(s, "online_cpus", &b), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_double(s, "online_cpus", &d), -EINVAL);
	assert_true(i64 == 77 && b && d == 7.5);
	assert_int_equal(hostctx_snapshot_set_u64(s, "cpu_model", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "online_cpus", "8"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_s64(s, "online_cpus", 8), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_bool(s, "online_cpus", true), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_double(s, "online_cpus", 8.0), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpu_model", &str), 0);
	assert_string_equal(str, "M");
	assert_int_equal(hostctx_snapshot_get_u64(s, "online_cpus", &u), 0);
	assert_int_equal(u, 9);
	/* a whole map is not a string, a map entry is */
	set_tunable(s, "sched_x", "1");
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables"), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(hostctx_snapshot_get_string(s, "sched_tunables", &str), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "sched_tunables", "x"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_u64(s, "sched_tunables.sched_y", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables.sched_y"), HOSTCTX_TYPE_ABSENT);

	/* absent: -ENOENT, out-parameter untouched */
	str = "untouched";
	u = 77;
	assert_int_equal(hostctx_snapshot_get_string(s, "cpu_vendor", &str), -ENOENT);
	assert_string_equal(str, "untouched");
	assert_int_equal(hostctx_snapshot_get_u64(s, "numa_nodes", &u), -ENOENT);
	assert_int_equal(u, 77);
	assert_int_equal(hostctx_snapshot_type(s, "numa_nodes"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_get_string(s, "sched_tunables.sched_nope", &str), -ENOENT);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpufreq_governor.0", &str), -ENOENT);
	assert_int_equal(hostctx_snapshot_get_u64(s, "heap_state.narenas", &u), -ENOENT);
	assert_string_equal(str, "untouched");

	/* unknown field, unknown member, a member of a scalar: -EINVAL */
	assert_int_equal(hostctx_snapshot_set_string(s, "no_such_field", "x"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_u64(s, "heap_state.no_such_member", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model.x", "y"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "", "y"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model.", "y"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_object(s, "no_such_field"), -EINVAL);
	assert_int_equal(hostctx_snapshot_unset(s, "no_such_field"), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "no_such_field"), HOSTCTX_TYPE_ABSENT);
	hostctx_snapshot_free(s);
}

/*
 * A refused setter changes nothing: it must not leave behind the parent
 * object it would have created ("sched_tunables": {} is not absent).
 */
static void refused_setters_change_nothing(void **state)
{
	struct hostctx_snapshot *s = snapshot_new(), *empty = snapshot_new();
	char *text;

	assert_int_equal(hostctx_snapshot_set_u64(s, "sched_tunables.sched_x", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_set_u64(s, "heap_state.no_such_member", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "heap_state"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_set_string(s, "heap_state.narenas", "1"), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "heap_state"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_set_u64(s, "cpufreq_governor.0", 1), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "cpufreq_governor"), HOSTCTX_TYPE_ABSENT);
	assert_true(hostctx_snapshot_equal(s, empty));
	assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
	assert_string_equal(text, "{}\n");
	free(text);
	hostctx_snapshot_free(s);
	hostctx_snapshot_free(empty);
}

/* The getters tell an unknown name (a caller's mistake) from an absent value. */
static void getters_refuse_unknown_fields(void **state)
{
	struct hostctx_snapshot *s = fixture_new();
	const char *str = "untouched";
	uint64_t u = 77;

	assert_int_equal(hostctx_snapshot_get_string(s, "no_such_field", &str), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_u64(s, "no_such_field", &u), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_u64(s, "heap_state.no_such_member", &u), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpu_model.x", &str), -EINVAL);
	assert_string_equal(str, "untouched");
	assert_int_equal(u, 77);
	hostctx_snapshot_free(s);
}

static void member_paths(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	const char *str = NULL;
	uint64_t u = 0;

	/* missing parent objects are created */
	assert_int_equal(hostctx_snapshot_set_u64(s, "heap_state.active_bytes", 5), 0);
	assert_int_equal(hostctx_snapshot_type(s, "heap_state"), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(hostctx_snapshot_get_u64(s, "heap_state.active_bytes", &u), 0);
	assert_int_equal(u, 5);
	assert_int_equal(hostctx_snapshot_get_u64(s, "heap_state.narenas", &u), -ENOENT);
	/* a CPU map takes "N" and "cpuN" for the same key */
	assert_int_equal(hostctx_snapshot_set_string(s, "cpufreq_governor.3", "performance"), 0);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpufreq_governor.cpu3", &str), 0);
	assert_string_equal(str, "performance");
	assert_int_equal(hostctx_snapshot_set_string(s, "cpufreq_governor.cpu3", "powersave"), 0);
	assert_int_equal(hostctx_snapshot_get_string(s, "cpufreq_governor.3", &str), 0);
	assert_string_equal(str, "powersave");
	/* a map of scalars takes the whole rest of the path as its key */
	set_tunable(s, "sched_a.b", "1");
	assert_int_equal(hostctx_snapshot_get_string(s, "sched_tunables.sched_a.b", &str), 0);
	assert_string_equal(str, "1");
	/* unset: a key, then the last key of a map that may not be empty */
	assert_int_equal(hostctx_snapshot_unset(s, "sched_tunables.sched_a.b"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables"), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(hostctx_snapshot_unset(s, "cpufreq_governor.3"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "cpufreq_governor"), HOSTCTX_TYPE_ABSENT);
	/* unsetting what is not there is fine */
	assert_int_equal(hostctx_snapshot_unset(s, "cpufreq_governor.7"), 0);
	assert_int_equal(hostctx_snapshot_unset(s, "numa_nodes"), 0);
	hostctx_snapshot_free(s);
}

static void enum_setter_refuses_names_outside_the_list(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	const char *str = NULL;

	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", "maybe"), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "task_delayacct"), HOSTCTX_TYPE_ABSENT);
	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", "runtime_off"), 0);
	/* the human spelling, another case, a prefix: all refused, value kept */
	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", "runtime-off"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", "ON"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", "o"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "task_delayacct", ""), -EINVAL);
	assert_int_equal(hostctx_snapshot_get_string(s, "task_delayacct", &str), 0);
	assert_string_equal(str, "runtime_off");
	assert_int_equal(hostctx_snapshot_set_string(s, "config_task_xacct", "config_off"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "config_task_xacct", "unknown"), 0);
	/* strings must be UTF-8 */
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model", "bad\xff"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model", NULL), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "cpu_model"), HOSTCTX_TYPE_ABSENT);
	hostctx_snapshot_free(s);
}

/* set_object makes "{}" where an object may be, and nowhere else. */
static void set_object_only_on_objects(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();

	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables"), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(hostctx_snapshot_set_object(s, "heap_state"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "heap_state"), HOSTCTX_TYPE_OBJECT);
	/* again: kept as it is */
	set_tunable(s, "sched_x", "1");
	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	assert_int_equal(hostctx_snapshot_type(s, "sched_tunables.sched_x"), HOSTCTX_TYPE_STRING);
	/* a scalar is not an object: the caller's mistake, not a lack of memory */
	assert_int_equal(hostctx_snapshot_set_object(s, "cpu_model"), -EINVAL);
	assert_int_equal(hostctx_snapshot_set_object(s, "heap_state.narenas"), -EINVAL);
	assert_int_equal(hostctx_snapshot_type(s, "cpu_model"), HOSTCTX_TYPE_ABSENT);
	hostctx_snapshot_free(s);
}

/*
 * cpufreq_governor is omitted when no CPU has one and {} reads back as
 * absent: no setter may make a snapshot that writes "cpufreq_governor":
 * {} and so does not survive its own round trip.
 */
static void empty_governor_map_cannot_be_made(void **state)
{
	struct hostctx_snapshot *s = snapshot_new();
	struct hostctx_document *d = NULL;
	struct hostctx_error err = { "" };
	char *text;

	(void)hostctx_snapshot_set_object(s, "cpufreq_governor");	/* 0 or -EINVAL */
	assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
	assert_null(strstr(text, "cpufreq_governor"));
	assert_int_equal(hostctx_document_parse(text, strlen(text), &d, &err), 0);
	assert_true(hostctx_snapshot_equal(s, hostctx_document_snapshot(d)));
	hostctx_document_free(d);
	free(text);
	hostctx_snapshot_free(s);
}

/* ---- keys ------------------------------------------------------------- */

static void assert_keys(const struct hostctx_snapshot *s, const char *path,
			const char *const *want, size_t n_want)
{
	const char **keys = NULL;
	size_t n = 999;

	assert_int_equal(hostctx_snapshot_keys(s, path, &keys, &n), 0);
	assert_non_null(keys);
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(keys[i], want[i]);
	free(keys);
}

static void snapshot_keys(void **state)
{
	static const char *const top[] = { "kernel_name", "online_cpus", "heap_state" };
	static const char *const tunables[] = { "sched_a", "sched_m", "sched_z" };
	static const char *const governors[] = { "1", "2", "10" };
	static const char *const heap[] = { "active_bytes", "narenas" };
	struct hostctx_snapshot *s = snapshot_new(), *full = fixture_new();
	const char **keys = (const char **)&keys;	/* a marker */
	size_t n = 999;

	/* an empty snapshot has no keys */
	assert_keys(s, "", NULL, 0);
	/* present fields, in table order whatever the order they were set */
	set_u64(s, "heap_state.narenas", 4);
	set_u64(s, "online_cpus", 2);
	set_str(s, "kernel_name", "Linux");
	assert_true(hostctx_field_index("kernel_name") < hostctx_field_index("online_cpus"));
	assert_true(hostctx_field_index("online_cpus") < hostctx_field_index("heap_state"));
	assert_keys(s, "", top, 3);
	assert_keys(s, NULL, top, 3);
	/* a string map in strcmp order, a CPU map in numeric order */
	set_tunable(s, "sched_z", "1");
	set_tunable(s, "sched_a", "2");
	set_tunable(s, "sched_m", "3");
	assert_keys(s, "sched_tunables", tunables, 3);
	set_governor(s, 10, "x");
	set_governor(s, 2, "x");
	set_governor(s, 1, "x");
	assert_keys(s, "cpufreq_governor", governors, 3);
	/* a record: its present members in its JSON order */
	set_u64(s, "heap_state.active_bytes", 1);
	assert_keys(s, "heap_state", heap, 2);
	/* an empty object */
	assert_int_equal(hostctx_snapshot_unset(s, "sched_tunables"), 0);
	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	assert_keys(s, "sched_tunables", NULL, 0);
	/* the fixture: every row, in table order */
	assert_int_equal(hostctx_snapshot_keys(full, "", &keys, &n), 0);
	assert_int_equal(n, hostctx_field_count());
	for (size_t i = 0; i < n; i++)
		assert_string_equal(keys[i], hostctx_field_name(i));
	free(keys);

	/* absent, a scalar, an unknown name: nothing is handed out */
	keys = (const char **)&keys;
	n = 999;
	assert_int_equal(hostctx_snapshot_keys(s, "numa_nodes", &keys, &n), -ENOENT);
	assert_int_equal(hostctx_snapshot_keys(s, "kernel_name", &keys, &n), -EINVAL);
	assert_int_equal(hostctx_snapshot_keys(s, "no_such_field", &keys, &n), -EINVAL);
	assert_ptr_equal(keys, (const char **)&keys);
	assert_int_equal(n, 999);
	hostctx_snapshot_free(s);
	hostctx_snapshot_free(full);
}

/* ---- dup and equal ------------------------------------------------------ */

static void dup_is_deep_and_equal(void **state)
{
	struct hostctx_snapshot *a = fixture_new(), *b = NULL, *empty = snapshot_new();
	struct hostctx_snapshot *empty2 = NULL;
	const char *str = NULL;
	char *ja, *jb;

	assert_int_equal(hostctx_snapshot_dup(a, &b), 0);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(hostctx_snapshot_equal(a, b));
	assert_true(hostctx_snapshot_equal(b, a));
	assert_true(hostctx_snapshot_equal(a, a));
	assert_int_equal(hostctx_snapshot_to_json(a, &ja, NULL), 0);
	assert_int_equal(hostctx_snapshot_to_json(b, &jb, NULL), 0);
	assert_string_equal(ja, jb);
	free(jb);
	/* the copy owns its strings */
	assert_int_equal(hostctx_snapshot_get_string(b, "cpu_model", &str), 0);
	{
		const char *orig = NULL;

		assert_int_equal(hostctx_snapshot_get_string(a, "cpu_model", &orig), 0);
		assert_ptr_not_equal(str, orig);
	}
	/* each field: changing the copy makes a difference, the original is kept */
	set_str(b, "kernel_release", "other");
	assert_false(hostctx_snapshot_equal(a, b));
	assert_false(hostctx_snapshot_equal(b, a));
	assert_int_equal(hostctx_snapshot_to_json(a, &jb, NULL), 0);
	assert_string_equal(ja, jb);
	free(jb);
	hostctx_snapshot_free(b);
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		assert_int_equal(hostctx_snapshot_dup(a, &b), 0);
		assert_int_equal(hostctx_snapshot_unset(b, hostctx_field_name(i)), 0);
		if (hostctx_snapshot_equal(a, b))
			fail_msg("unsetting %s left the snapshots equal", hostctx_field_name(i));
		hostctx_snapshot_free(b);
	}
	/* map entries and record members count */
	assert_int_equal(hostctx_snapshot_dup(a, &b), 0);
	set_tunable(b, "sched_latency_ns", "1");
	assert_false(hostctx_snapshot_equal(a, b));
	hostctx_snapshot_free(b);
	assert_int_equal(hostctx_snapshot_dup(a, &b), 0);
	set_u64(b, "heap_state.narenas", 1);
	assert_false(hostctx_snapshot_equal(a, b));
	hostctx_snapshot_free(b);
	/* absent differs from an empty object */
	assert_int_equal(hostctx_snapshot_dup(empty, &empty2), 0);
	assert_true(hostctx_snapshot_equal(empty, empty2));
	assert_int_equal(hostctx_snapshot_set_object(empty2, "sched_tunables"), 0);
	assert_false(hostctx_snapshot_equal(empty, empty2));
	assert_false(hostctx_snapshot_equal(empty, a));
	free(ja);
	hostctx_snapshot_free(a);
	hostctx_snapshot_free(empty);
	hostctx_snapshot_free(empty2);
	hostctx_snapshot_free(NULL);
}

/* ---- documents ---------------------------------------------------------- */

static void document_hands_over_its_sidecar(void **state)
{
	static const char text[] = "{\"schema\": \"hostctx-sidecar/1\", \"mode\": \"preload\","
				   " \"pre\": {\"online_cpus\": 4}}";
	struct hostctx_document *d = NULL;
	struct hostctx_sidecar *sc;
	struct hostctx_error err = { "" };
	uint64_t u = 0;

	assert_int_equal(hostctx_document_parse(text, sizeof(text) - 1, &d, &err), 0);
	assert_true(hostctx_document_is_sidecar(d));
	sc = hostctx_document_take_sidecar(d);
	assert_non_null(sc);
	assert_null(hostctx_document_sidecar(d));
	assert_null(hostctx_document_take_sidecar(d));
	hostctx_document_free(d);	/* sc outlives it */
	assert_string_equal(hostctx_sidecar_mode(sc), "preload");
	assert_int_equal(hostctx_snapshot_get_u64(hostctx_sidecar_snapshot(sc, HOSTCTX_PRE),
						  "online_cpus", &u), 0);
	assert_int_equal(u, 4);
	hostctx_sidecar_free(sc);
	hostctx_document_free(NULL);
	hostctx_sidecar_free(NULL);
}

/* "mode" is "wrapper" or "preload": the reader refuses anything else, so
 * the setter must too (a record we write is one we can read). */
static void sidecar_mode_is_one_of_two(void **state)
{
	struct hostctx_sidecar *sc = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_null(hostctx_sidecar_mode(sc));
	assert_int_equal(hostctx_sidecar_set_mode(sc, "wrapper"), 0);
	assert_string_equal(hostctx_sidecar_mode(sc), "wrapper");
	assert_int_equal(hostctx_sidecar_set_mode(sc, "preload"), 0);
	assert_string_equal(hostctx_sidecar_mode(sc), "preload");
	assert_int_equal(hostctx_sidecar_set_mode(sc, "other"), -EINVAL);
	assert_string_equal(hostctx_sidecar_mode(sc), "preload");
	hostctx_sidecar_free(sc);
}

/* ---- maps ----------------------------------------------------------------- */

static const struct hctx_spec *row_spec(const char *name)
{
	const struct hctx_field *f = hctx_field_by_name(name, strlen(name));

	assert_non_null(f);
	return f->spec;
}

/* A string value "<prefix><n>". */
static struct hctx_value *str_value(const char *prefix, unsigned n)
{
	char buf[32];
	struct hctx_value *v;

	snprintf(buf, sizeof(buf), "%s%u", prefix, n);
	v = hctx_value_string(buf);
	assert_non_null(v);
	return v;
}

/* A permutation of 0..n-1 (a multiplicative step coprime with n). */
static unsigned scrambled(unsigned i, unsigned n)
{
	return (unsigned)(((uint64_t)i * 7919u + 13u) % n);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The CPU time of an O(n log n) yardstick: sorting n short keys with
 * qsort.  Under valgrind or a sanitizer both it and the map slow down
 * alike, so the bound below holds there too.
 */
static double yardstick_seconds(unsigned n)
{
	char **keys = calloc(n, sizeof(*keys));
	double start;

	assert_non_null(keys);
	for (unsigned i = 0; i < n; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%u", scrambled(i, n));
		keys[i] = strdup(key);
		assert_non_null(keys[i]);
	}
	start = cpu_seconds();
	qsort(keys, n, sizeof(*keys), cmp_key);
	start = cpu_seconds() - start;
	for (unsigned i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return start;
}

/*
 * 100000 CPU keys in a scrambled order, each twice (the second with
 * another value): finish sorts them numerically once and keeps the
 * first of each.  O(n log n): within a few times the cost of sorting
 * the keys once (a quadratic build would be thousands of times that).
 */
static void map_of_100000_cpus_builds_fast_in_order(void **state)
{
	enum { N = 100000 };
	struct hctx_value *map = hctx_value_map();
	double yardstick = yardstick_seconds(2 * N), start, took;
	char key[16];

	assert_non_null(map);
	assert_true(N % 7919 != 0);
	start = cpu_seconds();
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < N; i++) {
			unsigned cpu = scrambled(i, N);

			snprintf(key, sizeof(key), "%u", cpu);
			assert_int_equal(hctx_map_append(map, key,
							 str_value(pass ? "second-" : "first-", cpu)), 0);
		}
	hctx_map_finish(map, row_spec("cpufreq_governor"));
	took = cpu_seconds() - start;
	if (took > 40 * yardstick + 0.05)
		fail_msg("100000 entries took %.3f s of CPU, sorting the keys %.3f s: "
			 "not O(n log n)", took, yardstick);
	assert_int_equal(map->map.n, N);
	for (unsigned i = 0; i < N; i++) {
		char want[32];

		snprintf(key, sizeof(key), "%u", i);
		assert_string_equal(map->map.e[i].key, key);
		snprintf(want, sizeof(want), "first-%u", i);
		assert_int_equal(map->map.e[i].value->node, HCTX_NODE_STRING);
		assert_string_equal(map->map.e[i].value->s, want);
	}
	hctx_value_free(map);
}

/* A string map: strcmp order ("10" before "9"), first duplicate wins. */
static void string_map_finish_sorts_and_dedupes(void **state)
{
	static const char *const keys[] = { "sched_z", "sched_a", "10", "9", "sched_a",
					    "sched_m", "10", "sched_z" };
	static const char *const want_keys[] = { "10", "9", "sched_a", "sched_m", "sched_z" };
	static const unsigned want_first[] = { 2, 3, 1, 5, 0 };
	struct hctx_value *map = hctx_value_map();

	assert_non_null(map);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(hctx_map_append(map, keys[i], str_value("v", i)), 0);
	hctx_map_finish(map, row_spec("sched_tunables"));
	assert_int_equal(map->map.n, 5);
	for (size_t i = 0; i < 5; i++) {
		char want[16];

		snprintf(want, sizeof(want), "v%u", want_first[i]);
		assert_string_equal(map->map.e[i].key, want_keys[i]);
		assert_string_equal(map->map.e[i].value->s, want);
		assert_ptr_equal(hctx_map_find(map, want_keys[i]), &map->map.e[i]);
	}
	assert_null(hctx_map_find(map, "sched_b"));
	/* put into a finished map keeps the order; an existing key is replaced */
	assert_int_equal(hctx_map_put(map, row_spec("sched_tunables"), "sched_b",
				      str_value("b", 0)), 0);
	assert_int_equal(hctx_map_put(map, row_spec("sched_tunables"), "10",
				      str_value("ten", 0)), 0);
	assert_int_equal(map->map.n, 6);
	assert_string_equal(map->map.e[0].value->s, "ten0");
	assert_string_equal(map->map.e[3].key, "sched_b");
	hctx_map_remove(map, "sched_b");
	assert_int_equal(map->map.n, 5);
	assert_null(hctx_map_find(map, "sched_b"));
	hctx_value_free(map);

	/* empty and one-entry maps need no sorting */
	map = hctx_value_map();
	assert_non_null(map);
	hctx_map_finish(map, row_spec("sched_tunables"));
	assert_int_equal(map->map.n, 0);
	assert_int_equal(hctx_map_append(map, "only", str_value("v", 1)), 0);
	hctx_map_finish(map, row_spec("sched_tunables"));
	assert_int_equal(map->map.n, 1);
	hctx_value_free(map);
}

/* ---- the per-kind operations --------------------------------------------- */

static bool is_container_node(enum hctx_node node)
{
	return node == HCTX_NODE_RECORD || node == HCTX_NODE_MAP || node == HCTX_NODE_ARRAY;
}

static void every_kind_has_every_operation(void **state)
{
	for (int k = 0; k < HCTX_KIND_COUNT; k++) {
		const struct hctx_kind_ops *ops = &hctx_kind_ops[k];

		if (!ops->write_json || !ops->diff || !ops->report || !ops->change_lines ||
		    !ops->metrics)
			fail_msg("kind %d lacks an operation", k);
		assert_true(ops->node <= HCTX_NODE_ARRAY);
		/* every scalar can be read from a file's text */
		if (!is_container_node(ops->node) && !ops->from_text)
			fail_msg("scalar kind %d has no from_text", k);
	}
	/* the nodes the kinds name */
	assert_int_equal(hctx_kind_ops[HCTX_KIND_STRING].node, HCTX_NODE_STRING);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_ENUM].node, HCTX_NODE_STRING);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_U64].node, HCTX_NODE_U64);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_LIMIT].node, HCTX_NODE_U64);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_S64].node, HCTX_NODE_S64);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_BOOL].node, HCTX_NODE_BOOL);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_DOUBLE].node, HCTX_NODE_DOUBLE);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_RECORD].node, HCTX_NODE_RECORD);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_STRMAP].node, HCTX_NODE_MAP);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_CPUMAP].node, HCTX_NODE_MAP);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_BYCPU].node, HCTX_NODE_MAP);
	assert_int_equal(hctx_kind_ops[HCTX_KIND_ARRAY].node, HCTX_NODE_ARRAY);
}

/* What a spec says is complete for its kind (members, elements, names). */
static void assert_spec_complete(const struct hctx_spec *spec, const char *where)
{
	assert_non_null(spec);
	if ((int)spec->kind < 0 || spec->kind >= HCTX_KIND_COUNT)
		fail_msg("%s: kind %d out of range", where, (int)spec->kind);
	switch (spec->kind) {
	case HCTX_KIND_ENUM:
		if (!spec->names || !spec->names[0])
			fail_msg("%s: an enum without names", where);
		break;
	case HCTX_KIND_RECORD:
		if (!spec->members || spec->n_members == 0)
			fail_msg("%s: a record without members", where);
		for (size_t i = 0; i < spec->n_members; i++) {
			assert_non_null(spec->members[i].name);
			assert_true(spec->members[i].human_order < spec->n_members);
			assert_spec_complete(spec->members[i].spec, spec->members[i].name);
		}
		break;
	case HCTX_KIND_STRMAP:
	case HCTX_KIND_CPUMAP:
	case HCTX_KIND_BYCPU:
	case HCTX_KIND_ARRAY:
		if (!spec->elem)
			fail_msg("%s: no element spec", where);
		assert_spec_complete(spec->elem, where);
		break;
	case HCTX_KIND_STRING:
	case HCTX_KIND_U64:
	case HCTX_KIND_LIMIT:
	case HCTX_KIND_S64:
	case HCTX_KIND_BOOL:
	case HCTX_KIND_DOUBLE:
	case HCTX_KIND_COUNT:
		break;
	}
}

static void every_row_is_complete(void **state)
{
	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *f = &hctx_fields[i];

		assert_spec_complete(f->spec, f->name);
		/* a row read from the host has a reader and its argument */
		if (f->plan != HCTX_PLAN_NEVER) {
			if (!f->read || !f->arg)
				fail_msg("%s: read from the host without reader or arg", f->name);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_accessors_agree),
		cmocka_unit_test(getters_and_setters_by_path),
		cmocka_unit_test(getters_refuse_unknown_fields),
		cmocka_unit_test(refused_setters_change_nothing),
		cmocka_unit_test(member_paths),
		cmocka_unit_test(enum_setter_refuses_names_outside_the_list),
		cmocka_unit_test(set_object_only_on_objects),
		cmocka_unit_test(empty_governor_map_cannot_be_made),
		cmocka_unit_test(snapshot_keys),
		cmocka_unit_test(dup_is_deep_and_equal),
		cmocka_unit_test(document_hands_over_its_sidecar),
		cmocka_unit_test(sidecar_mode_is_one_of_two),
		cmocka_unit_test(map_of_100000_cpus_builds_fast_in_order),
		cmocka_unit_test(string_map_finish_sorts_and_dedupes),
		cmocka_unit_test(every_kind_has_every_operation),
		cmocka_unit_test(every_row_is_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
