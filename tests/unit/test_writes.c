/* SPDX-License-Identifier: MIT */
/*
 * Write attribution (lib/writes.c): the watched set and its path to field
 * table, events to entries, the cap, the directories a watch needs
 * beneath a root, the record's writes in JSON both ways (and changes'
 * written_by), the human lines, and the run-host-written check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "writes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *path, *field;
} source_fields[] = {
	{ "/proc/sys/kernel/sched_rr_timeslice_ms", "sched_tunables.sched_rr_timeslice_ms" },
	{ "/proc/sys/kernel/task_delayacct", "task_delayacct" },
	{ "/proc/sys/vm/swappiness", "sysctls.vm.swappiness" },
	{ "/proc/sys/net/ipv4/ip_forward", "sysctls.net.ipv4.ip_forward" },
	{ "/proc/sys/vm/nr_hugepages", "hugepages_total" },
	{ "/sys/kernel/mm/transparent_hugepage/enabled", "thp_enabled" },
	{ "/sys/kernel/mm/transparent_hugepage/defrag", "thp_defrag" },
	{ "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "hugepages_total" },
	{ "/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages",
	  "hugepages_total" },
	{ "/sys/devices/system/cpu/cpufreq/boost", "cpufreq_boost" },
	{ "/sys/devices/system/cpu/cpufreq/policy3/scaling_governor", "cpufreq_governor" },
	{ "/sys/devices/system/cpu/cpu12/cpufreq/scaling_max_freq", "cpufreq_max_khz.cpu12" },
	{ "/sys/devices/system/cpu/cpufreq/policy0/energy_performance_preference", "cpufreq_epp" },
	{ "/sys/devices/system/cpu/intel_pstate/no_turbo", "intel_pstate.no_turbo" },
	{ "/sys/devices/system/cpu/amd_pstate/status", "amd_pstate.status" },
	{ "/sys/devices/system/cpu/smt/control", "smt_control" },
	{ "/sys/devices/system/cpu/cpuidle/current_governor", "cpuidle_governor" },
};

static void paths_name_their_fields(void **state)
{
	char buf[HCTX_PATH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(source_fields) / sizeof(source_fields[0]); i++) {
		if (hostctx_write_source_field(source_fields[i].path, buf, sizeof(buf)) != 0 ||
		    strcmp(buf, source_fields[i].field) != 0)
			fail_msg("%s gave %s, not %s", source_fields[i].path, buf,
				 source_fields[i].field);
		assert_true(hctx_write_is_watched(source_fields[i].path + 1));
	}
	/* no field, still watched: the whole of proc/sys */
	assert_true(hctx_write_is_watched("proc/sys/kernel/printk_ratelimit"));
	/* neither */
	assert_int_equal(hostctx_write_source_field("/sys/devices/system/cpu/cpu0/online", buf,
						    sizeof(buf)), -ENOENT);
	assert_false(hctx_write_is_watched("sys/devices/system/cpu/cpu0/online"));
	assert_false(hctx_write_is_watched("proc/self/oom_score_adj"));
	assert_false(hctx_write_is_watched("proc/sys/"));
	assert_false(hctx_write_is_watched("sys/kernel/mm/transparent_hugepage/khugepaged/defrag"));
	assert_int_equal(hostctx_write_source_field("/proc/sys/vm/swappiness", buf, 8),
			 -ENAMETOOLONG);
}

static void writes_touch_their_changes(void **state)
{
	(void)state;
	assert_true(hostctx_write_touches("/proc/sys/kernel/sched_x", "sched_tunables.sched_x"));
	assert_true(hostctx_write_touches("/proc/sys/kernel/sched_x", "sched_tunables"));
	assert_false(hostctx_write_touches("/proc/sys/kernel/sched_x", "sched_tunables.sched_y"));
	assert_false(hostctx_write_touches("/proc/sys/kernel/sched_x", "sched_tunables.sched_x2"));
	assert_true(hostctx_write_touches("/proc/sys/vm/swappiness", "sysctls.vm.swappiness"));
	assert_true(hostctx_write_touches("/proc/sys/vm/nr_hugepages", "hugepages_free"));
	assert_true(hostctx_write_touches("/sys/devices/system/cpu/smt/control", "smt_active"));
	/* per-CPU: a cpuN file touches its CPU's group only; a policy any */
	assert_true(hostctx_write_touches("/sys/devices/system/cpu/cpu5/cpufreq/scaling_max_freq",
					  "cpufreq_max_khz.cpu0-3,5"));
	assert_false(hostctx_write_touches("/sys/devices/system/cpu/cpu4/cpufreq/scaling_max_freq",
					   "cpufreq_max_khz.cpu0-3,5"));
	assert_true(hostctx_write_touches("/sys/devices/system/cpu/cpufreq/policy9/scaling_governor",
					  "cpufreq_governor.cpu2"));
	assert_true(hostctx_write_touches("/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor",
					  "cpufreq_governor"));
	assert_false(hostctx_write_touches("/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor",
					   "cpufreq_max_khz.cpu2"));
	assert_false(hostctx_write_touches("/proc/sys/kernel/printk", "thp_enabled"));
	assert_false(hostctx_write_touches(NULL, "thp_enabled"));
}

static struct hostctx_sidecar *watched_record(const char *source)
{
	struct hostctx_sidecar *sc = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_int_equal(hostctx_sidecar_set_writes_source(sc, source), 0);
	return sc;
}

static struct hctx_write_event event(const char *rel, long pid, bool modified, bool closed,
				     double seconds)
{
	return (struct hctx_write_event){ .rel = rel, .pid = pid, .comm = "w", .by_command = 1,
					  .seconds = seconds, .modified = modified,
					  .closed = closed };
}

static void events_become_one_entry_per_write_close(void **state)
{
	struct hostctx_sidecar *sc = watched_record("fanotify");
	struct hctx_write_log log = { 0 };
	struct hctx_write_event ev;

	(void)state;
	/* modify, then close: one entry at the time of the modify */
	ev = event("proc/sys/vm/swappiness", 10, true, false, 0.5);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	ev = event("proc/sys/vm/swappiness", 10, true, false, 0.6);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 0);
	ev = event("proc/sys/vm/swappiness", 10, false, true, 0.7);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 1);
	assert_true(hostctx_sidecar_write_seconds(sc, 0) == 0.5);
	/* merged by the kernel: one; another process: another */
	ev = event("proc/sys/vm/swappiness", 10, true, true, 1.0);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	ev = event("proc/sys/vm/swappiness", 11, false, true, 1.1);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 3);
	assert_int_equal(hostctx_sidecar_write_pid(sc, 2), 11);
	assert_string_equal(hostctx_sidecar_write_path(sc, 2), "/proc/sys/vm/swappiness");
	/* a writer that still holds its file: listed at the end */
	ev = event("sys/kernel/mm/transparent_hugepage/enabled", 12, true, false, 2.0);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 3);
	assert_int_equal(hctx_write_log_finish(&log, sc), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 4);
	assert_int_equal(log.n, 0);
	/* more open writers than the log holds: the oldest is listed at once */
	for (long pid = 100; pid < 100 + HCTX_WRITE_LOG_PENDING + 3; pid++) {
		ev = event("proc/sys/vm/swappiness", pid, true, false, 3.0);
		assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	}
	assert_int_equal(hostctx_sidecar_write_count(sc), 7);
	assert_int_equal(hostctx_sidecar_write_pid(sc, 4), 100);
	/* a write listed at its close goes back to when it began */
	ev = event("proc/sys/vm/swappiness", 200, false, true, 0.1);
	assert_int_equal(hctx_write_log_event(&log, sc, &ev), 0);
	hctx_write_log_clear(&log);
	assert_int_equal(hctx_write_log_finish(&log, sc), 0);
	assert_int_equal(hostctx_sidecar_write_pid(sc, 0), 200);
	for (size_t i = 1; i < hostctx_sidecar_write_count(sc); i++)
		assert_true(hostctx_sidecar_write_seconds(sc, i - 1) <=
			    hostctx_sidecar_write_seconds(sc, i));
	hctx_write_log_clear(&log);
	hostctx_sidecar_free(sc);
}

static void the_list_is_capped_and_counts_the_rest(void **state)
{
	struct hostctx_sidecar *sc = watched_record("inotify");

	(void)state;
	for (int i = 0; i < HOSTCTX_WRITES_LISTED_MAX + 5; i++)
		assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/vm/swappiness", 0, NULL,
							   -1, i / 1000.0), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), HOSTCTX_WRITES_LISTED_MAX);
	assert_int_equal(hostctx_sidecar_writes_omitted(sc), 5);
	assert_int_equal(hostctx_sidecar_write_pid(sc, 0), 0);
	assert_null(hostctx_sidecar_write_comm(sc, 0));
	assert_int_equal(hostctx_sidecar_write_by_command(sc, 0), -1);
	assert_null(hostctx_sidecar_write_path(sc, HOSTCTX_WRITES_LISTED_MAX));
	assert_int_equal(hostctx_sidecar_add_write(sc, "proc/sys/relative", 0, NULL, -1, 0),
			 -EINVAL);
	assert_int_equal(hostctx_sidecar_add_write(sc, "/p", 0, NULL, -1, -1), -EINVAL);
	assert_int_equal(hostctx_sidecar_set_writes_source(sc, "ptrace"), -EINVAL);
	assert_int_equal(hostctx_sidecar_set_writes_source(sc, NULL), 0);
	assert_int_equal(hostctx_sidecar_write_count(sc), 0);
	assert_null(hostctx_sidecar_writes_source(sc));
	hostctx_sidecar_free(sc);
}

static void stat_gives_comm_and_parent(void **state)
{
	const char *stat = "4242 (a (b) c) S 17 4242 4242 0 -1 4194560 0 0\n";
	char comm[16];
	long ppid = 0;

	(void)state;
	assert_int_equal(hctx_parse_stat_comm_ppid(stat, strlen(stat), comm, sizeof(comm), &ppid),
			 0);
	assert_string_equal(comm, "a (b) c");
	assert_int_equal(ppid, 17);
	assert_int_equal(hctx_parse_stat_comm_ppid(stat, strlen(stat), comm, 3, &ppid), 0);
	assert_string_equal(comm, "a ");
	assert_int_equal(hctx_parse_stat_comm_ppid("1 (x) S", 7, comm, sizeof(comm), &ppid),
			 -EINVAL);
	assert_int_equal(hctx_parse_stat_comm_ppid("1 x) S 2 ", 9, comm, sizeof(comm), &ppid),
			 -EINVAL);
	assert_int_equal(hctx_parse_stat_comm_ppid("1 (x) S -2 ", 11, comm, sizeof(comm), &ppid),
			 -EINVAL);
	assert_int_equal(hctx_parse_stat_comm_ppid("", 0, comm, sizeof(comm), &ppid), -EINVAL);
}

/* ---- the directories beneath a root ---------------------------------- */

struct tmp {
	char dir[64];
};

static int make_tree(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	char cmd[512];

	strcpy(t->dir, "/tmp/hostctx-writes-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p proc/sys/kernel/random proc/sys/vm proc/sys/net/ipv4/conf/lo "
		 "sys/kernel/mm/transparent_hugepage sys/kernel/mm/hugepages/hugepages-2048kB "
		 "sys/devices/system/cpu/cpufreq/policy0 sys/devices/system/cpu/cpu0 "
		 "sys/devices/system/cpu/smt sys/devices/system/cpu/cpu1/topology && "
		 "ln -s ../cpufreq/policy0 sys/devices/system/cpu/cpu0/cpufreq && "
		 "ln -s /etc proc/sys/vm/escape && echo 60 > proc/sys/vm/swappiness", t->dir);
	assert_int_equal(system(cmd), 0);
	*state = t;
	return 0;
}

static int drop_tree(void **state)
{
	struct tmp *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

struct seen {
	char names[32][128];
	size_t n;
	int stop_at;
};

static int note_dir(void *userdata, const char *rel, int dirfd)
{
	struct seen *s = userdata;

	assert_true(dirfd >= 0);
	if (s->n < 32)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", rel);
	s->n++;
	return s->stop_at && (int)s->n == s->stop_at ? -EINTR : 0;
}

static bool was_seen(const struct seen *s, const char *rel)
{
	for (size_t i = 0; i < s->n && i < 32; i++)
		if (strcmp(s->names[i], rel) == 0)
			return true;
	return false;
}

static void watch_dirs_cover_proc_sys_and_the_sources(void **state)
{
	struct tmp *t = *state;
	struct hostctx_root *root = NULL;
	struct seen s = { 0 };
	size_t skipped = 99;

	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	assert_int_equal(hctx_watch_dirs(root, HCTX_WATCH_ALL, note_dir, &s, &skipped), 0);
	assert_int_equal(skipped, 0);
	assert_true(was_seen(&s, "proc/sys"));
	assert_true(was_seen(&s, "proc/sys/kernel/random"));
	assert_true(was_seen(&s, "proc/sys/net/ipv4/conf/lo"));
	assert_false(was_seen(&s, "proc/sys/vm/escape"));	/* links are not followed */
	assert_true(was_seen(&s, "sys/kernel/mm/transparent_hugepage"));
	assert_true(was_seen(&s, "sys/kernel/mm/hugepages/hugepages-2048kB"));
	assert_true(was_seen(&s, "sys/devices/system/cpu/cpufreq/policy0"));
	assert_true(was_seen(&s, "sys/devices/system/cpu/cpu0/cpufreq"));
	assert_true(was_seen(&s, "sys/devices/system/cpu/smt"));
	assert_false(was_seen(&s, "sys/devices/system/cpu/cpu1/cpufreq"));	/* missing */
	assert_false(was_seen(&s, "sys/devices/system/cpu/intel_pstate"));
	assert_int_equal(s.n, 14);	/* 8 beneath proc/sys, 6 sources */
	/* the callback's error stops the walk */
	s = (struct seen){ .stop_at = 2 };
	assert_int_equal(hctx_watch_dirs(root, HCTX_WATCH_ALL, note_dir, &s, NULL), -EINTR);
	hostctx_root_close(root);
}

/* The sources' directories first, then the rest a few at a time: the same set. */
static void watch_sources_then_the_walk_cover_the_same(void **state)
{
	struct tmp *t = *state;
	struct hostctx_root *root = NULL;
	struct hctx_watch_walk *walk = NULL;
	struct seen s = { 0 };
	int r, steps = 0;

	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	assert_int_equal(hctx_watch_dirs(root, HCTX_WATCH_SOURCES, note_dir, &s, NULL), 0);
	assert_true(was_seen(&s, "proc/sys") && was_seen(&s, "proc/sys/kernel"));
	assert_true(was_seen(&s, "sys/devices/system/cpu/smt"));
	assert_false(was_seen(&s, "proc/sys/kernel/random"));
	assert_false(was_seen(&s, "proc/sys/net/ipv4/conf/lo"));
	assert_int_equal(hctx_watch_walk_new(root, &walk), 0);
	while ((r = hctx_watch_walk_step(walk, 1, note_dir, &s, NULL)) == 0)
		steps++;
	assert_int_equal(r, 1);
	assert_int_equal(steps, 7);	/* one directory a step: 8 beneath proc/sys */
	assert_true(was_seen(&s, "proc/sys/kernel/random"));
	assert_true(was_seen(&s, "proc/sys/net/ipv4/conf/lo"));
	assert_false(was_seen(&s, "proc/sys/vm/escape"));
	/* a finished walk stays finished */
	assert_int_equal(hctx_watch_walk_step(walk, 4, note_dir, &s, NULL), 1);
	hctx_watch_walk_free(walk);
	hctx_watch_walk_free(NULL);
	hostctx_root_close(root);
}

/* ---- JSON and humans --------------------------------------------------- */

static struct hostctx_sidecar *record_with_writes(void)
{
	struct hostctx_sidecar *sc = watched_record("fanotify");
	struct hostctx_snapshot *pre = NULL, *post = NULL;

	assert_int_equal(hostctx_snapshot_new(&pre), 0);
	assert_int_equal(hostctx_snapshot_set_string(pre, "sched_tunables.sched_a", "1"), 0);
	assert_int_equal(hostctx_snapshot_set_string(pre, "sched_tunables.sched_b", "5"), 0);
	assert_int_equal(hostctx_snapshot_dup(pre, &post), 0);
	assert_int_equal(hostctx_snapshot_set_string(post, "sched_tunables.sched_a", "2"), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, pre);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, post);
	hostctx_sidecar_set_complete(sc, true);
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_a", 40, "sh", 1,
						   0.25), 0);
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_a", 40, "sh", 1,
						   0.5), 0);
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_a", 7, NULL, -1,
						   0.75), 0);
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_b", 41, "tuned", 0,
						   1), 0);
	hostctx_sidecar_set_writes_overflowed(sc, true);
	return sc;
}

static void writes_go_to_json_and_back(void **state)
{
	struct hostctx_sidecar *sc = record_with_writes();
	struct hostctx_document *doc = NULL;
	struct hostctx_error err;
	const struct hostctx_sidecar *back;
	char *text = NULL, *again = NULL;
	size_t len;

	(void)state;
	assert_int_equal(hostctx_sidecar_to_json(sc, &text, &len), 0);
	assert_non_null(strstr(text, "\"writes_source\": \"fanotify\""));
	assert_non_null(strstr(text, "\"writes_overflowed\": true"));
	assert_null(strstr(text, "writes_omitted"));
	/* sched_a changed: written by two writers, one of them twice; b did not */
	assert_non_null(strstr(text, "\"written_by\": [\n"));
	assert_non_null(strstr(text, "\"pid\": 40,\n          \"comm\": \"sh\",\n"
				     "          \"by_command\": true,\n          \"writes\": 2"));
	assert_non_null(strstr(text, "\"pid\": 7,\n          \"writes\": 1"));
	assert_int_equal(hostctx_document_parse(text, len, &doc, &err), 0);
	back = hostctx_document_sidecar(doc);
	assert_string_equal(hostctx_sidecar_writes_source(back), "fanotify");
	assert_int_equal(hostctx_sidecar_write_count(back), 4);
	assert_int_equal(hostctx_sidecar_write_pid(back, 2), 7);
	assert_int_equal(hostctx_sidecar_write_by_command(back, 2), -1);
	assert_int_equal(hostctx_sidecar_write_by_command(back, 3), 0);
	assert_string_equal(hostctx_sidecar_write_comm(back, 3), "tuned");
	assert_true(hostctx_sidecar_writes_overflowed(back));
	assert_int_equal(hostctx_sidecar_to_json(back, &again, NULL), 0);
	assert_string_equal(text, again);
	free(again);
	free(text);
	hostctx_document_free(doc);
	/* the live inotify path's two marks go and come back too */
	{
		double at = -1;

		assert_false(hostctx_sidecar_writes_all_watched_at(sc, &at));
		hostctx_sidecar_set_writes_all_watched_at(sc, 0.0025);
		hostctx_sidecar_set_writes_sources_only(sc, true);
		assert_int_equal(hostctx_sidecar_to_json(sc, &text, &len), 0);
		assert_non_null(strstr(text, "\"writes_all_watched_at\": 0.002500"));
		assert_non_null(strstr(text, "\"writes_sources_only\": true"));
		assert_int_equal(hostctx_document_parse(text, len, &doc, &err), 0);
		back = hostctx_document_sidecar(doc);
		assert_true(hostctx_sidecar_writes_all_watched_at(back, &at));
		assert_true(at == 0.0025);
		assert_true(hostctx_sidecar_writes_sources_only(back));
		free(text);
		hostctx_document_free(doc);
	}
	hostctx_sidecar_free(sc);
}

static int parse_error(const char *text, char *msg, size_t size)
{
	struct hostctx_document *doc = NULL;
	struct hostctx_error err = { "" };
	int r = hostctx_document_parse(text, strlen(text), &doc, &err);

	snprintf(msg, size, "%s", err.message);
	hostctx_document_free(doc);
	return r;
}

static void bad_writes_are_refused(void **state)
{
	static const char *const bad[] = {
		"{\"schema\":\"hostctx-sidecar/1\",\"writes\":[]}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"ptrace\"}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\",\"writes\":{}}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
		"\"writes\":[{\"path\":\"rel\",\"seconds\":1}]}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
		"\"writes\":[{\"path\":\"/p\"}]}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
		"\"writes\":[{\"path\":\"/p\",\"seconds\":1,\"pid\":0}]}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
		"\"writes\":[{\"path\":\"/p\",\"seconds\":1,\"by_command\":1}]}",
		"{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
		"\"writes_omitted\":-1}",
	};
	const char *good = "{\"schema\":\"hostctx-sidecar/1\",\"writes_source\":\"inotify\","
			   "\"writes\":[{\"path\":\"/p\",\"seconds\":1,\"extra\":0}],"
			   "\"writes_omitted\":3,\"writes_unwatched\":2}";
	struct hostctx_document *doc = NULL;
	char msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_error(bad[i], msg, sizeof(msg)) != -EINVAL || !strstr(msg, "writes"))
			fail_msg("accepted %s (%s)", bad[i], msg);
	}
	assert_int_equal(hostctx_document_parse(good, strlen(good), &doc, NULL), 0);
	assert_int_equal(hostctx_sidecar_writes_omitted(hostctx_document_sidecar(doc)), 3);
	assert_int_equal(hostctx_sidecar_writes_unwatched(hostctx_document_sidecar(doc)), 2);
	hostctx_document_free(doc);
}

static void humans_see_each_write_and_its_field(void **state)
{
	struct hostctx_sidecar *sc = record_with_writes();
	struct hostctx_sidecar *none = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(hostctx_sidecar_format_writes_human(sc, &text), 0);
	assert_non_null(strstr(text, "writes during the run (fanotify): 4\n"));
	assert_non_null(strstr(text, "  +0.250 s  /proc/sys/kernel/sched_a  pid 40 (sh), the "
				     "command's  [sched_tunables.sched_a: changed]\n"));
	assert_non_null(strstr(text, "pid 7, gone before it was looked up"));
	assert_non_null(strstr(text, "pid 41 (tuned), not the command's  "
				     "[sched_tunables.sched_b: no net change]\n"));
	assert_non_null(strstr(text, "overflowed"));
	free(text);
	assert_int_equal(hostctx_sidecar_new(&none), 0);
	assert_int_equal(hostctx_sidecar_format_writes_human(none, &text), 0);
	assert_string_equal(text, "");
	free(text);
	hostctx_sidecar_free(none);
	hostctx_sidecar_free(sc);
}

static enum hostctx_check_status host_written(const struct hostctx_sidecar *sc)
{
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	enum hostctx_check_status st = HOSTCTX_CHECK_NA;

	assert_int_equal(hostctx_check_config_new(&cfg), 0);
	assert_int_equal(hostctx_check_sidecar(cfg, sc, &rep), 0);
	for (size_t i = 0; i < hostctx_check_report_count(rep); i++)
		if (strcmp(hostctx_check_result_id(rep, i), "run-host-written") == 0)
			st = hostctx_check_result_status(rep, i);
	hostctx_check_report_free(rep);
	hostctx_check_config_free(cfg);
	return st;
}

static void check_run_host_written(void **state)
{
	struct hostctx_sidecar *sc = record_with_writes();

	(void)state;
	assert_int_equal(host_written(sc), HOSTCTX_CHECK_WARN);	/* tuned, and lost */
	hostctx_sidecar_set_writes_overflowed(sc, false);
	assert_int_equal(hostctx_sidecar_set_writes_source(sc, NULL), 0);
	assert_int_equal(host_written(sc), HOSTCTX_CHECK_NA);	/* not watched */
	assert_int_equal(hostctx_sidecar_set_writes_source(sc, "fanotify"), 0);
	assert_int_equal(host_written(sc), HOSTCTX_CHECK_OK);	/* watched, nothing */
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_a", 40, "sh", 1,
						   0.1), 0);
	assert_int_equal(host_written(sc), HOSTCTX_CHECK_NOTE);	/* the command's own */
	assert_int_equal(hostctx_sidecar_add_write(sc, "/proc/sys/kernel/sched_a", 0, NULL, -1,
						   0.2), 0);
	assert_int_equal(host_written(sc), HOSTCTX_CHECK_WARN);	/* someone unknown */
	hostctx_sidecar_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths_name_their_fields),
		cmocka_unit_test(writes_touch_their_changes),
		cmocka_unit_test(events_become_one_entry_per_write_close),
		cmocka_unit_test(the_list_is_capped_and_counts_the_rest),
		cmocka_unit_test(stat_gives_comm_and_parent),
		cmocka_unit_test_setup_teardown(watch_dirs_cover_proc_sys_and_the_sources,
						make_tree, drop_tree),
		cmocka_unit_test_setup_teardown(watch_sources_then_the_walk_cover_the_same,
						make_tree, drop_tree),
		cmocka_unit_test(writes_go_to_json_and_back),
		cmocka_unit_test(bad_writes_are_refused),
		cmocka_unit_test(humans_see_each_write_and_its_field),
		cmocka_unit_test(check_run_host_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
