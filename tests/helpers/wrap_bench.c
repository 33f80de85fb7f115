/* SPDX-License-Identifier: MIT */
/*
 * wrap_bench [--accept=N] ROUNDS NAME1 CMD1... [:: NAME2 CMD2...]... - run the
 * commands interleaved (round r runs each once, in turn) with fork,
 * execvp and wait4, and print "NAME median_us p10_us p90_us" per
 * command.  stdout/stderr of the commands go to /dev/null.  Interleaving
 * spreads the machine's drift over all commands alike.  A command that
 * exits with a status above N (default 0) stops the run: --accept=1 times
 * `hostctx check`, whose 1 means "warnings" (a busy host), not failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

struct cmd {
	const char *name;
	char **argv;
	double *us;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int accept_status;

static double run_once(char **argv, int devnull)
{
	double start = now_us();
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		dup2(devnull, 1);
		dup2(devnull, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) > accept_status) {
		fprintf(stderr, "wrap_bench: %s failed\n", argv[0]);
		exit(2);
	}
	return now_us() - start;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int n = 0, rounds, devnull;

	if (argc > 1 && strncmp(argv[1], "--accept=", 9) == 0) {
		accept_status = atoi(argv[1] + 9);
		argc--;
		argv++;
	}
	if (argc < 4)
		return 2;
	rounds = atoi(argv[1]);
	for (int i = 2; i < argc && n < MAX_CMDS;) {
		cmds[n].name = argv[i++];
		cmds[n].argv = argv + i;
		while (i < argc && strcmp(argv[i], "::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		cmds[n].us = calloc((size_t)rounds, sizeof(double));
		n++;
	}
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (int r = 0; r < rounds; r++)
		for (int c = 0; c < n; c++)
			cmds[c].us[r] = run_once(cmds[c].argv, devnull);
	for (int c = 0; c < n; c++) {
		qsort(cmds[c].us, (size_t)rounds, sizeof(double), by_value);
		printf("%s %.1f %.1f %.1f\n", cmds[c].name,
		       cmds[c].us[rounds / 2], cmds[c].us[rounds / 10],
		       cmds[c].us[rounds * 9 / 10]);
		free(cmds[c].us);
	}
	return 0;
}
