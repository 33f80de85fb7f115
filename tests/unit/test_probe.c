/* SPDX-License-Identifier: MIT */
/*
 * run.pid and what became of an incomplete record's process (lib/probe.c):
 * the /proc/PID/stat parser on real and malformed text, the record's
 * JSON both ways, and the probe against live processes: this one, a
 * reaped child, a pid reused (another start), another boot, a complete
 * record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A real line (Linux 6.1), with a comm that holds blanks and parentheses. */
static const char real_stat[] =
	"4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 112 0 0 0 0 0 0 0 20 0 1 0 "
	"5215636 2404352 235 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

static int parse(const char *text, char *st, uint64_t *start)
{
	return hctx_parse_pid_stat(text, strlen(text), st, start);
}

static void stat_parser(void **state)
{
	uint64_t start = 0;
	char st = 0;

	(void)state;
	assert_int_equal(hctx_parse_pid_stat(real_stat, strlen(real_stat), &st, &start), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(start, 5215636);
	/* a zombie */
	assert_int_equal(parse("7 (sh) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0", &st, &start), 0);
	assert_int_equal(st, 'Z');
	assert_int_equal(start, 99);
	/* malformed: no ')', cut short, a non-number, the length honoured */
	assert_int_equal(parse("4242 sh S 1", &st, &start), -EINVAL);
	assert_int_equal(parse("4242 (sh)", &st, &start), -EINVAL);
	assert_int_equal(parse("4242 (sh) S 1 2 3", &st, &start), -EINVAL);
	assert_int_equal(parse("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 zz 0", &st, &start),
			 -EINVAL);
	assert_int_equal(hctx_parse_pid_stat(real_stat, 60, &st, &start), -EINVAL);
	assert_int_equal(hctx_parse_pid_stat("", 0, &st, &start), -EINVAL);
}

static struct hostctx_sidecar *record(const char *boot_id, long pid, unsigned long long start)
{
	struct hostctx_sidecar *sc = NULL;
	struct hostctx_snapshot *pre = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_int_equal(hostctx_sidecar_set_mode(sc, "preload"), 0);
	assert_int_equal(hostctx_snapshot_new(&pre), 0);
	if (boot_id)
		assert_int_equal(hostctx_snapshot_set_string(pre, "boot_id", boot_id), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	hostctx_sidecar_set_process(sc, pid, start);
	return sc;
}

static char *this_boot(void)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static enum hostctx_run_state probe(const struct hostctx_sidecar *sc)
{
	enum hostctx_run_state st = (enum hostctx_run_state)-1;

	assert_int_equal(hostctx_sidecar_probe(sc, &st), 0);
	return st;
}

static void json_both_ways(void **state)
{
	struct hostctx_sidecar *sc = record(NULL, 4242, 5215636);
	struct hostctx_document *doc = NULL;
	struct hostctx_error err;
	unsigned long long start = 0;
	long pid = 0;
	char *text = NULL;

	(void)state;
	assert_int_equal(hostctx_sidecar_to_json(sc, &text, NULL), 0);
	assert_non_null(strstr(text, "\"pid\": 4242,\n    \"pid_start_ticks\": 5215636"));
	assert_int_equal(hostctx_document_parse(text, strlen(text), &doc, &err), 0);
	assert_true(hostctx_sidecar_process(hostctx_document_sidecar(doc), &pid, &start));
	assert_int_equal(pid, 4242);
	assert_int_equal(start, 5215636);
	hostctx_document_free(doc);
	free(text);
	/* cleared, absent */
	hostctx_sidecar_set_process(sc, 0, 7);
	assert_false(hostctx_sidecar_process(sc, &pid, &start));
	assert_int_equal(hostctx_sidecar_to_json(sc, &text, NULL), 0);
	assert_null(strstr(text, "\"pid\""));
	free(text);
	hostctx_sidecar_free(sc);
}

static void json_refused(void **state)
{
	static const char *const bad[] = {
		"{\"schema\": \"hostctx-sidecar/1\", \"tool\": {\"name\": \"x\", \"version\": \"1\"}, "
		"\"complete\": false, \"command\": {\"argv\": []}, \"run\": {\"pid\": 5}}",
		"{\"schema\": \"hostctx-sidecar/1\", \"tool\": {\"name\": \"x\", \"version\": \"1\"}, "
		"\"complete\": false, \"command\": {\"argv\": []}, \"run\": {\"pid\": 0, \"pid_start_ticks\": 1}}",
		"{\"schema\": \"hostctx-sidecar/1\", \"tool\": {\"name\": \"x\", \"version\": \"1\"}, "
		"\"complete\": false, \"command\": {\"argv\": []}, \"run\": {\"pid\": 4294967296, \"pid_start_ticks\": 1}}",
		"{\"schema\": \"hostctx-sidecar/1\", \"tool\": {\"name\": \"x\", \"version\": \"1\"}, "
		"\"complete\": false, \"command\": {\"argv\": []}, \"run\": {\"pid\": \"5\", \"pid_start_ticks\": 1}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hostctx_document *doc = NULL;
		struct hostctx_error err;

		assert_true(hostctx_document_parse(bad[i], strlen(bad[i]), &doc, &err) < 0);
		assert_null(doc);
	}
}

static void probe_live(void **state)
{
	char *boot = this_boot();
	unsigned long long start = 0;
	struct hostctx_sidecar *sc;
	pid_t child;
	int status;

	(void)state;
	assert_int_equal(hctx_process_start_time(getpid(), NULL, &start), 0);
	/* this process: running */
	sc = record(boot, getpid(), start);
	assert_int_equal(probe(sc), HOSTCTX_RUN_RUNNING);
	/* the same pid with another start: a later process, ours is gone */
	hostctx_sidecar_set_process(sc, getpid(), start + 1);
	assert_int_equal(probe(sc), HOSTCTX_RUN_GONE);
	hostctx_sidecar_free(sc);
	/* a child that exited and was reaped */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(hctx_process_start_time(child, NULL, &start), 0);
	sc = record(boot, child, start);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(probe(sc), HOSTCTX_RUN_GONE);
	hostctx_sidecar_free(sc);
	/* another boot; no boot_id; no pid; a complete record */
	sc = record("d3ff9617-c8bc-487a-b3fe-ff463eae3227", getpid(), start);
	assert_int_equal(probe(sc), HOSTCTX_RUN_OTHER_BOOT);
	hostctx_sidecar_free(sc);
	sc = record(NULL, getpid(), start);
	assert_int_equal(probe(sc), HOSTCTX_RUN_UNKNOWN);
	hostctx_sidecar_free(sc);
	sc = record(boot, 0, 0);
	assert_int_equal(probe(sc), HOSTCTX_RUN_UNKNOWN);
	hostctx_sidecar_set_process(sc, getpid(), start);
	hostctx_sidecar_set_complete(sc, true);
	assert_int_equal(probe(sc), HOSTCTX_RUN_UNKNOWN);
	hostctx_sidecar_free(sc);
	free(boot);
}

/* check's run-incomplete says what the probe found. */
static void check_message(void **state)
{
	static const struct {
		enum hostctx_run_state st;
		const char *value, *words;
	} cases[] = {
		{ HOSTCTX_RUN_RUNNING, "complete=false, pid 4242 running", "(pid 4242) is still running" },
		{ HOSTCTX_RUN_GONE, "complete=false, pid 4242 gone", "(pid 4242) ended without exit hooks" },
		{ HOSTCTX_RUN_OTHER_BOOT, "complete=false, another boot", "of another boot or host" },
		{ HOSTCTX_RUN_UNKNOWN, "complete=false", "the process is still running, or it ended" },
	};
	struct hostctx_sidecar *sc = record(NULL, 4242, 1);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostctx_check_config *cfg = NULL;
		struct hostctx_check_report *rep = NULL;
		int row = hostctx_check_index("run-incomplete");
		size_t k;

		assert_int_equal(hostctx_check_config_new(&cfg), 0);
		hostctx_check_config_set_run_state(cfg, cases[i].st);
		assert_int_equal(hostctx_check_sidecar(cfg, sc, &rep), 0);
		for (k = 0; k < hostctx_check_report_count(rep); k++)
			if (strcmp(hostctx_check_result_id(rep, k), hostctx_check_id((size_t)row)) == 0)
				break;
		assert_true(k < hostctx_check_report_count(rep));
		assert_int_equal(hostctx_check_result_status(rep, k), HOSTCTX_CHECK_WARN);
		assert_string_equal(hostctx_check_result_value(rep, k), cases[i].value);
		assert_non_null(strstr(hostctx_check_result_message(rep, k), cases[i].words));
		hostctx_check_report_free(rep);
		hostctx_check_config_free(cfg);
	}
	hostctx_sidecar_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_parser),
		cmocka_unit_test(json_both_ways),
		cmocka_unit_test(json_refused),
		cmocka_unit_test(probe_live),
		cmocka_unit_test(check_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
