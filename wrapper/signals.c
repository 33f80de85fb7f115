/* SPDX-License-Identifier: MIT */
/*
 * signals.c - the signal model of time(1) and system(3): the wrapper
 * stays in the caller's process group and never touches the terminal.
 *
 * Every signal whose default action ends a process is blocked and read
 * with sigtimedwait (coreutils' term_sig list plus the real-time ones),
 * so none can be lost between fork and wait; so are WINCH, URG, CONT
 * and the stop signals TSTP, TTIN and TTOU.  Then:
 *  - the terminal's signals (si_code SI_KERNEL) are swallowed: the
 *    child is in the same foreground group and got its own copy; but a
 *    hangup goes to the session leader alone, so when we lead the
 *    session (ssh -t, tmux, docker run -t) it is forwarded;
 *  - signals another process sent to us are forwarded to the child;
 *  - a stop signal is forwarded like any other, and when the child
 *    stops we stop too (as sudo does), so the shell's job control sees
 *    the job stop and `fg` resumes both; main.c does that part;
 *  - synchronous fault signals (SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS)
 *    stay at their defaults: a fault kills us (PDEATHSIG then reaches
 *    the child);
 *  - a signal ignored when we started is left ignored and never
 *    forwarded (a blocked ignored signal would be queued, so it must not
 *    be blocked either).
 * SIGCHLD is made to work even when the caller ignored it, and the child
 * gets back the exact mask and dispositions we were given.
 */
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * Terminating signals that are not synchronous faults, then those a
 * shell's command would see too: WINCH, URG, CONT and the stop signals.
 * Blocking SIGCONT does not keep it from continuing us.
 */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1,
	SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGPOLL, SIGPWR,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
	SIGWINCH, SIGURG, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
};

static bool ignored_at_start(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) < 0)
		return true;	/* cannot tell: leave it alone */
	return sa.sa_handler == SIG_IGN;
}

static void add_unless_ignored(sigset_t *set, int sig)
{
	if (!ignored_at_start(sig))
		sigaddset(set, sig);
}

int run_signals_setup(struct run_signals *s)
{
	struct sigaction dfl;

	memset(s, 0, sizeof(*s));
	if (sigprocmask(SIG_BLOCK, NULL, &s->orig_mask) < 0)
		return -errno;
	sigemptyset(&s->waitset);
	for (size_t i = 0; i < sizeof(forwarded_signals) /
				       sizeof(forwarded_signals[0]); i++)
		add_unless_ignored(&s->waitset, forwarded_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		add_unless_ignored(&s->waitset, sig);

	/*
	 * An ignored SIGCHLD (or SA_NOCLDWAIT) auto-reaps the child and
	 * wait4 fails with ECHILD: use the default while we wait.
	 */
	if (sigaction(SIGCHLD, NULL, &s->orig_chld) < 0)
		return -errno;
	if (s->orig_chld.sa_handler == SIG_IGN ||
	    (s->orig_chld.sa_flags & SA_NOCLDWAIT)) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		if (sigaction(SIGCHLD, &dfl, NULL) < 0)
			return -errno;
		s->chld_changed = true;
	}
	sigaddset(&s->waitset, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &s->waitset, NULL) < 0)
		return -errno;
	return 0;
}

/* Async-signal-safe: runs between fork and exec. */
void run_signals_restore_in_child(const struct run_signals *s)
{
	if (s->chld_changed)
		sigaction(SIGCHLD, &s->orig_chld, NULL);
	sigprocmask(SIG_SETMASK, &s->orig_mask, NULL);
}

bool run_signal_should_forward(const siginfo_t *si, pid_t self)
{
	/*
	 * kill(2), sigqueue(3) and tgkill(2) from another process.  si_pid
	 * is 0 for a sender in an ancestor pid namespace (docker kill):
	 * still a process.  Our own SIGPIPE/SIGXFSZ come as SI_USER from
	 * ourselves.  SI_KERNEL is the terminal or a hangup.
	 */
	switch (si->si_code) {
	case SI_KERNEL:
		/*
		 * Interval timers survive exec: an alarm our caller set
		 * before exec'ing us was meant for the command.  A hangup
		 * (SIGHUP, then SIGCONT) reaches the session leader only:
		 * when that is us, the command has no copy of its own.
		 */
		if (si->si_signo == SIGHUP || si->si_signo == SIGCONT)
			return getsid(0) == self;
		return si->si_signo == SIGALRM || si->si_signo == SIGVTALRM ||
		       si->si_signo == SIGPROF;
	case SI_USER:
	case SI_QUEUE:
	case SI_TKILL:
		return si->si_pid != self;
	default:
		return false;
	}
}

bool run_is_stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

bool run_stop_like(const struct run_signals *s, int sig)
{
	sigset_t one, cont;
	siginfo_t si;
	bool continued;

	sigemptyset(&one);
	sigaddset(&one, sig);
	/*
	 * Sent to ourselves while blocked, it stops us once unblocked, with
	 * the same stop signal the shell then reports.  The kernel drops it
	 * in an orphaned process group, where nobody could continue us.
	 */
	kill(getpid(), sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	/* The SIGCONT that continued us; forwarding it would be a second. */
	if (!sigismember(&s->waitset, SIGCONT))
		return true;	/* ignored at start: cannot tell */
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	continued = sigtimedwait(&cont, &si, &(struct timespec){ 0 }) == SIGCONT;
	return continued;
}

void run_die_of_signal(int sig)
{
	sigset_t one;

	/* A core of the wrapper would hide the child's. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(128 + sig);
}
