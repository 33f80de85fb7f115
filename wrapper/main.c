/* SPDX-License-Identifier: MIT */
/*
 * hostctx-run - run a command with a snapshot of the host's tunable
 * state before and after it, recorded in a JSON sidecar file.
 *
 * The order matters:
 *  1. block the signals we forward (before fork: none can be lost);
 *  2. parse options, open the root (errors here: 125, nothing ran);
 *  3. fork while still small; the child waits on a gate;
 *  4. --watch-writes: the watch; pre snapshot, in-progress record
 *     ("complete": false);
 *  5. release the child, learn whether exec worked;
 *  6. wait: forward process-sent signals, reap with wait4, drain the
 *     watch;
 *  7. post snapshot, the watch's last events, complete record
 *     (replaced atomically);
 *  8. exit with the child's code, or die of the child's signal.
 * From step 3 on nothing may fail the command: record trouble is a
 * warning, and only --strict turns it into 125 for a command that
 * succeeded.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


struct run_state {
	struct run_options opts;
	struct run_signals sigs;
	struct run_child child;
	struct run_target target;
	struct run_watch watch;
	struct hostctx_root *root;
	struct hostctx_sidecar *sc;	/* NULL: the record could not be built */
	pid_t self;
	pid_t command_pid;	/* stays set after the reap, unlike child.pid */
	bool reaped;
	bool lost;		/* the command was reaped by someone else */
	bool no_children;	/* wait4 said ECHILD */
	int stopped_with;	/* the command stopped with this signal */
	int status;
	int exec_errno;
	struct rusage rusage;
	struct timespec released, reaped_at;	/* CLOCK_MONOTONIC */
	bool record_failed;
	char *superseded;	/* the preload library's record of us */
};

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * After the fork only: give the wrapper /dev/null for any closed
 * standard fd, so nothing of ours (a record file, a library fd) can land
 * on 0-2 and be taken for stdio.  The child keeps what it was given.
 */
static void fill_closed_stdio(void)
{
	for (int fd = 0; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR | O_CLOEXEC) < 0)
			return;
	}
}

/* run.ended_at is now (the record may not exist: then nothing to do). */
static void set_ended_now(struct run_state *st)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (st->sc)
		hostctx_sidecar_set_time(st->sc, HOSTCTX_ENDED_AT, &now);
}

static void set_descendants_left(struct run_state *st, long long n)
{
	if (st->sc)
		hostctx_sidecar_set_descendants_left(st->sc, n);
}

static void set_descendants_wait(struct run_state *st, const char *how)
{
	if (st->sc)
		(void)hostctx_sidecar_set_descendants_wait(st->sc, how);
}

static void record_write(struct run_state *st)
{
	if (!st->sc)
		return;
	if (run_target_write(&st->target, st->sc) < 0)
		st->record_failed = true;
}

/* The command line, the time and the pre snapshot; "complete": false. */
static void write_in_progress(struct run_state *st, const struct timespec *t0)
{
	char *cwd = getcwd(NULL, 0);
	struct hostctx_snapshot *pre = NULL;
	unsigned long long start;
	int r;

	r = hostctx_sidecar_new(&st->sc);
	if (r == 0)
		r = hostctx_sidecar_set_command(st->sc, st->opts.cmd_argc,
						st->opts.cmd_argv, cwd);
	free(cwd);
	if (r == 0)
		r = hostctx_sidecar_set_tool(st->sc, RUN_PROGRAM, HOSTCTX_VERSION);
	if (r == 0)
		r = hostctx_sidecar_set_mode(st->sc, "wrapper");
	if (r < 0) {
		run_warn("cannot build the record: %s", strerror(ENOMEM));
		hostctx_sidecar_free(st->sc);
		st->sc = NULL;
		st->record_failed = true;
		return;
	}
	hostctx_sidecar_set_time(st->sc, HOSTCTX_STARTED_AT, t0);
	/* the command's pid and start: a reader can tell "still running" */
	if (hctx_process_start_time(st->command_pid, NULL, &start) == 0)
		hostctx_sidecar_set_process(st->sc, st->command_pid, start);
	r = hostctx_snapshot_take(st->root, &pre);
	if (r < 0)
		run_warn("cannot take the pre snapshot: %s", strerror(-r));
	hostctx_sidecar_set_snapshot(st->sc, HOSTCTX_PRE, pre);
	hostctx_sidecar_set_complete(st->sc, false);
	(void)hostctx_sidecar_set_writes_source(st->sc, run_watch_source(&st->watch));
	record_write(st);
}

/*
 * --watch-writes, before the pre snapshot: the command is still held
 * at the gate, so none of its writes can be missed.  A watch that
 * cannot be set up at all is a warning; the command runs unwatched.
 */
static void start_watch(struct run_state *st)
{
	int r;

	if (!st->opts.watch_writes)
		return;
	r = run_watch_start(&st->watch, st->root, &st->sigs, st->self, st->command_pid,
			    st->opts.wait_descendants);
	if (r < 0)
		run_warn("cannot watch for writes: %s", strerror(-r));
}

/* The watch's last events into the record (before its final write). */
static void finish_watch(struct run_state *st)
{
	run_watch_finish(&st->watch, st->sc);
	run_watch_close(&st->watch);
}

static void note_reaped(struct run_state *st, int status,
			const struct rusage *ru)
{
	st->reaped = true;
	st->status = status;
	st->rusage = *ru;
	clock_gettime(CLOCK_MONOTONIC, &st->reaped_at);
	set_ended_now(st);
	st->child.pid = -1;	/* forward nothing any more */
}

/*
 * Reap what is ready.  Only our command, unless we are a subreaper
 * waiting for the whole job (a child we had before exec, as in
 * `cmd & exec hostctx-run ...`, is then reaped too).
 */
static void reap_ready(struct run_state *st)
{
	bool any = st->opts.wait_descendants;

	if (st->reaped && !any)
		return;
	for (;;) {
		struct rusage ru;
		int status;
		pid_t p = wait4(any ? -1 : st->command_pid, &status,
				WNOHANG | WUNTRACED, &ru);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0 && errno == ECHILD) {
			st->no_children = true;
			if (!st->reaped) {
				st->lost = true;
				note_reaped(st, 0, &(struct rusage){ 0 });
			}
		}
		if (p <= 0)
			return;
		if (WIFSTOPPED(status)) {
			if (p == st->command_pid)
				st->stopped_with = WSTOPSIG(status);
			continue;
		}
		if (p == st->command_pid) {
			note_reaped(st, status, &ru);
			if (!any)
				return;
		}
	}
}

/* The next signal, within seconds; --watch-writes drains the watch meanwhile. */
static int wait_signal(struct run_state *st, siginfo_t *si, double seconds)
{
	struct timespec tick = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9),
	};

	if (run_watch_source(&st->watch))
		return run_watch_wait(&st->watch, st->sc, &st->sigs.waitset, si, seconds);
	return sigtimedwait(&st->sigs.waitset, si, &tick);
}

/*
 * The command stopped (Ctrl-Z, or a stop signal we forwarded): stop
 * too, since the shell waits on us.  Once continued, continue the
 * command, unless the SIGCONT that woke us (fg signals the whole group)
 * already did.  A SIGSTOP sent to the command alone is not job control:
 * we keep running, as its parent would.
 */
static void follow_stop(struct run_state *st)
{
	int sig = st->stopped_with;

	st->stopped_with = 0;
	if (run_is_stop_signal(sig) && run_stop_like(&st->sigs, sig) &&
	    run_child_is_stopped(&st->child))
		run_forward(&st->child, &(siginfo_t){ .si_signo = SIGCONT,
						      .si_code = SI_USER });
}

static void wait_for_command(struct run_state *st)
{
	reap_ready(st);
	while (!st->reaped) {
		siginfo_t si;
		/* The 1 s tick is a safety net; SIGCHLD wakes us. */
		int sig = wait_signal(st, &si, 1.0);

		if (sig > 0 && sig != SIGCHLD &&
		    run_signal_should_forward(&si, st->self))
			run_forward(&st->child, &si);
		reap_ready(st);
		if (st->stopped_with && !st->reaped)
			follow_stop(st);
	}
}

/* Ends --wait-descendants: a terminal's Ctrl-C or Ctrl-\, or a process's
 * signal meant to end us (not WINCH, URG, CONT or a stop). */
static const char *ends_descendants_wait(const siginfo_t *si, pid_t self)
{
	int sig = si->si_signo;

	if (si->si_code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT))
		return "interrupted";
	if (sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG ||
	    sig == SIGCONT || run_is_stop_signal(sig))
		return NULL;
	return run_signal_should_forward(si, self) ? "signal" : NULL;
}

/*
 * --wait-descendants: orphans of the job are ours (subreaper); wait
 * until none is left, the limit passes, a process signals us or the
 * terminal interrupts (a descendant that ignores SIGINT must not hold
 * the terminal until the limit).  The record says which.
 */
static void wait_for_descendants(struct run_state *st)
{
	struct timespec start, now;
	long long left_running;
	const char *how;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		siginfo_t si;
		double left;
		int sig;

		reap_ready(st);
		if (st->no_children) {
			set_descendants_left(st, 0);
			set_descendants_wait(st, "done");
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = st->opts.wait_limit_seconds - seconds_between(&start, &now);
		if (left <= 0) {
			set_descendants_wait(st, "limit");
			break;
		}
		sig = wait_signal(st, &si, left < 1.0 ? left : 1.0);
		/* The job is ours alone now: Ctrl-Z stops us as it would it. */
		if (sig > 0 && run_is_stop_signal(sig))
			run_stop_like(&st->sigs, sig);
		how = sig > 0 ? ends_descendants_wait(&si, st->self) : NULL;
		if (how) {
			set_descendants_wait(st, how);
			break;
		}
	}
	left_running = run_count_descendants(st->self);
	set_descendants_left(st, left_running);
	run_warn("%lld descendant(s) still running after the wait", left_running);
}

static void fill_outcome(struct run_state *st)
{
	struct hostctx_rusage ru;

	if (st->lost)
		return;
	hostctx_sidecar_set_wait_status(st->sc, st->status);
	hostctx_rusage_from(&ru, &st->rusage);
	hostctx_sidecar_set_rusage(st->sc, HOSTCTX_RUSAGE_COMMAND, &ru);
	hostctx_sidecar_set_wall_seconds(st->sc,
					 seconds_between(&st->released, &st->reaped_at));
}

static void write_complete(struct run_state *st)
{
	struct hostctx_snapshot *post = NULL;
	int r;

	if (!st->sc) {
		finish_watch(st);
		return;		/* could not even build it */
	}
	fill_outcome(st);
	r = hostctx_snapshot_take(st->root, &post);
	if (r < 0)
		run_warn("cannot take the post snapshot: %s", strerror(-r));
	/* after post: every write post reflects is listed */
	finish_watch(st);
	hostctx_sidecar_set_snapshot(st->sc, HOSTCTX_POST, post);
	hostctx_sidecar_set_complete(st->sc, true);
	record_write(st);
}

/* --watch-writes: its heading as our message, the entries as they are. */
static void print_writes(const struct hostctx_sidecar *sc)
{
	char *text = NULL;
	const char *nl;

	if (hostctx_sidecar_format_writes_human(sc, &text) == 0 && (nl = strchr(text, '\n'))) {
		run_error("%.*s", (int)(nl - text), text);
		run_write_stderr(nl + 1, strlen(nl + 1));
	}
	free(text);
}

static void print_changes(struct run_state *st)
{
	const struct hostctx_snapshot *pre, *post;
	struct hostctx_changes *changes = NULL;
	char *text = NULL;

	if (run_target_path(&st->target) && !st->record_failed)
		run_error("record: %s", run_target_path(&st->target));
	pre = st->sc ? hostctx_sidecar_snapshot(st->sc, HOSTCTX_PRE) : NULL;
	post = st->sc ? hostctx_sidecar_snapshot(st->sc, HOSTCTX_POST) : NULL;
	if (!pre || !post)
		return;
	if (hostctx_diff(pre, post, &changes) < 0)
		return;
	if (hostctx_changes_count(changes) == 0)
		run_error("no host changes during the run");
	else if (hostctx_changes_format_human(changes, &text) == 0) {
		run_error("host changes during the run:");
		run_write_stderr(text, strlen(text));
	}
	free(text);
	text = NULL;
	hostctx_changes_free(changes);
	if (hostctx_evidence_format_human(pre, post, &text) == 0 && text[0]) {
		run_error("on the host during the run:");
		run_write_stderr(text, strlen(text));
	}
	free(text);
	print_writes(st->sc);
}

/* --ci: the final record, shown to the CI system. */
static void report_to_ci(struct run_state *st)
{
	run_ci_report(st->opts.ci, st->sc,
		      st->record_failed ? NULL : run_target_path(&st->target));
}

/* The command could not be exec'd: a complete record, 126 or 127. */
static int finish_exec_failure(struct run_state *st)
{
	const char *name = hostctx_errno_name(st->exec_errno);
	char fallback[32];
	struct rusage ru;
	int status;

	run_error("%s: %s", st->opts.cmd_argv[0], strerror(st->exec_errno));
	while (wait4(st->command_pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	set_ended_now(st);
	if (!name) {
		snprintf(fallback, sizeof(fallback), "E%d", st->exec_errno);
		name = fallback;
	}
	finish_watch(st);
	if (st->sc) {
		if (hostctx_sidecar_set_exec_error(st->sc, name) < 0)
			run_warn("cannot build the record: %s", strerror(ENOMEM));
		hostctx_sidecar_set_complete(st->sc, true);
		record_write(st);
		report_to_ci(st);
	}
	return st->exec_errno == ENOENT ? RUN_EXIT_ENOENT :
					  RUN_EXIT_CANNOT_INVOKE;
}

/*
 * --check: the pre snapshot through the library's checks.  Warnings go
 * to stderr (never stdout); true when COMMAND must not start (refuse
 * and a warning), the report then kept for the record.
 */
static bool check_refuses(struct run_state *st)
{
	const struct hostctx_snapshot *pre =
		st->sc ? hostctx_sidecar_snapshot(st->sc, HOSTCTX_PRE) : NULL;
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	char *text = NULL;
	size_t warnings;
	int r;

	if (!pre) {
		run_error("check: no pre snapshot to check; %s runs", st->opts.cmd_argv[0]);
		return false;
	}
	r = hostctx_check_config_new(&cfg);
	if (r == 0)
		r = hostctx_check_snapshot(cfg, pre, NULL, &rep);
	hostctx_check_config_free(cfg);
	if (r == 0)
		r = hostctx_check_report_format_human(rep, HOSTCTX_CHECK_WARN, &text);
	if (r < 0) {
		run_error("check: %s; %s runs", strerror(-r), st->opts.cmd_argv[0]);
		hostctx_check_report_free(rep);
		return false;
	}
	warnings = hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN);
	if (warnings) {
		run_error("check: %zu warning(s)%s:", warnings,
			  st->opts.check == RUN_CHECK_REFUSE ? ", the command is not started" : "");
		run_write_stderr(text, strlen(text));
	}
	free(text);
	if (!warnings || st->opts.check != RUN_CHECK_REFUSE) {
		hostctx_check_report_free(rep);
		return false;
	}
	hostctx_sidecar_set_check(st->sc, rep);
	return true;
}

/* --check=refuse found a warning: the child exits unreleased; a complete record. */
static int finish_refused(struct run_state *st)
{
	int status;

	run_child_close(&st->child);	/* the closed gate: the child exits */
	while (waitpid(st->command_pid, &status, 0) < 0 && errno == EINTR)
		;
	set_ended_now(st);
	finish_watch(st);
	(void)hostctx_sidecar_set_refused(st->sc, "check");
	hostctx_sidecar_set_complete(st->sc, true);
	record_write(st);
	report_to_ci(st);
	return RUN_EXIT_FAILURE;
}

static void cleanup(struct run_state *st)
{
	free(st->superseded);
	st->superseded = NULL;
	hostctx_sidecar_free(st->sc);
	st->sc = NULL;
	run_target_clear(&st->target);
	run_watch_close(&st->watch);
	hostctx_root_close(st->root);
	st->root = NULL;
	run_child_close(&st->child);
}

/* Steps 1-3; returns 0 or the exit status when nothing could start. */
static int start(struct run_state *st, int argc, char **argv,
		 struct timespec *t0)
{
	int r;

	r = run_signals_setup(&st->sigs);
	if (r < 0) {
		run_error("cannot set up signals: %s", strerror(-r));
		return RUN_EXIT_FAILURE;
	}
	switch (run_parse_options(argc, argv, &st->opts)) {
	case RUN_PARSE_DONE:
		return EXIT_SUCCESS;
	case RUN_PARSE_USAGE:
		return RUN_EXIT_FAILURE;
	case RUN_PARSE_RUN:
		break;
	}
	run_log_set_quiet(st->opts.quiet);
	r = hostctx_root_open(st->opts.root, &st->root);
	if (r < 0) {
		run_error("cannot open the root %s: %s",
			  st->opts.root ? st->opts.root : "/", strerror(-r));
		return RUN_EXIT_FAILURE;
	}
	hostctx_root_set_redact(st->root, st->opts.redact);
	/* big hosts: per-CPU files read by a few threads, joined before exec */
	hostctx_root_set_threads(st->root, 8);
	r = hostctx_root_select(st->root, st->opts.fields);
	if (r < 0) {
		if (r == -EINVAL)
			run_error("--fields: unknown group in '%s' "
				  "(hostctx snapshot --fields=help lists them)", st->opts.fields);
		else
			run_error("--fields: %s", strerror(-r));
		return RUN_EXIT_FAILURE;
	}
	if (st->opts.wait_descendants &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		run_warn("cannot become a subreaper: %s", strerror(errno));
	st->self = getpid();
	r = run_mark_preload_owner(st->self, &st->superseded);
	if (r < 0)
		run_warn("cannot mark the preload library's owner: %s", strerror(-r));
	clock_gettime(CLOCK_REALTIME, t0);
	r = run_spawn(&st->child, st->opts.cmd_argv, &st->sigs);
	if (r < 0) {
		run_error("cannot start %s: %s", st->opts.cmd_argv[0],
			  strerror(-r));
		return RUN_EXIT_FAILURE;
	}
	st->command_pid = st->child.pid;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run_state st;
	struct timespec t0;
	int r, code;

	run_watch_init(&st.watch);
	r = start(&st, argc, argv, &t0);
	if (r != 0 || st.command_pid <= 0) {
		cleanup(&st);
		return r;
	}
	fill_closed_stdio();
	start_watch(&st);
	if (run_target_init(&st.target, &st.opts, &t0, st.self) < 0) {
		run_warn("cannot name the record: %s", strerror(ENOMEM));
		st.record_failed = true;
	} else {
		st.target.superseded = st.superseded;
		st.superseded = NULL;
		write_in_progress(&st, &t0);
	}

	if (st.opts.check != RUN_CHECK_NONE && check_refuses(&st)) {
		code = finish_refused(&st);
		cleanup(&st);
		return code;
	}
	clock_gettime(CLOCK_MONOTONIC, &st.released);
	run_watch_released(&st.watch, &st.released);
	run_release(&st.child, &st.exec_errno);
	if (st.exec_errno) {
		code = finish_exec_failure(&st);
		cleanup(&st);
		return code;
	}
	wait_for_command(&st);
	if (st.opts.wait_descendants)
		wait_for_descendants(&st);
	write_complete(&st);
	if (st.opts.verbose)
		print_changes(&st);
	report_to_ci(&st);

	if (st.lost) {
		run_error("lost track of %s's status", st.opts.cmd_argv[0]);
		cleanup(&st);
		return RUN_EXIT_FAILURE;
	}
	cleanup(&st);
	if (WIFSIGNALED(st.status))
		run_die_of_signal(WTERMSIG(st.status));
	code = WEXITSTATUS(st.status);
	if (code == 0 && st.opts.strict && st.record_failed)
		return RUN_EXIT_FAILURE;
	return code;
}
