/* SPDX-License-Identifier: MIT */
/*
 * wrap_sigcount FILE [SECONDS] - count the signals a process receives.
 * Handles HUP INT QUIT TERM USR1 USR2 and the job-control signals WINCH
 * CONT URG TSTP TTIN TTOU (a stop signal stops nothing: it is only
 * counted); writes FILE.ready once the handlers are in place.  After the first signal it waits 0.5 s more
 * (so a duplicate would be counted too), then writes "NAME COUNT" lines
 * to FILE and exits 0 (a cooperative exit).  Without any signal it
 * exits 3 after SECONDS (default 10).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const int sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
	SIGWINCH, SIGCONT, SIGURG, SIGTSTP, SIGTTIN, SIGTTOU,
};
static const char *const names[] = {
	"HUP", "INT", "QUIT", "TERM", "USR1", "USR2",
	"WINCH", "CONT", "URG", "TSTP", "TTIN", "TTOU",
};
#define NSIGS (sizeof(sigs) / sizeof(sigs[0]))
static volatile sig_atomic_t counts[NSIGS];

static void on_signal(int sig)
{
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i] == sig)
			counts[i]++;
}

static int total(void)
{
	int t = 0;

	for (size_t i = 0; i < NSIGS; i++)
		t += counts[i];
	return t;
}

int main(int argc, char **argv)
{
	double limit = argc > 2 ? atof(argv[2]) : 10;
	char ready[4096];
	struct sigaction sa;
	FILE *f;

	if (argc < 2)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		sigaction(sigs[i], &sa, NULL);
	snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
	f = fopen(ready, "w");
	if (!f)
		return 2;
	fclose(f);
	for (double waited = 0; total() == 0; waited += 0.01) {
		if (waited >= limit)
			return 3;
		usleep(10000);
	}
	/* Let a duplicate arrive. */
	for (int i = 0; i < 50; i++)
		usleep(10000);
	f = fopen(argv[1], "w");
	if (!f)
		return 2;
	for (size_t i = 0; i < NSIGS; i++)
		if (counts[i])
			fprintf(f, "%s %d\n", names[i], (int)counts[i]);
	return fclose(f) == 0 ? 0 : 2;
}
