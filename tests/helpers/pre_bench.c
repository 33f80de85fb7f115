/* SPDX-License-Identifier: MIT */
/*
 * pre_bench N PROG [ARG...] - run PROG N times (fork, exec, wait, one at
 * a time) and print the mean microseconds per run on stdout: wall clock,
 * then CPU time (user + system of the children, less disturbed by other
 * load on the machine).
 * PRE_BENCH_PRELOAD=path adds LD_PRELOAD=path to the children's
 * environment only, so this driver itself never loads the library.
 * PRE_BENCH_DIRS=base gives run i HOSTCTX_DIR=base/i (made beforehand).
 * Used by scripts/bench.d/preload.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char *dir_slot;		/* "HOSTCTX_DIR=base/i", rewritten per run */
static const char *dir_base;

static char **child_env(void)
{
	const char *preload = getenv("PRE_BENCH_PRELOAD");
	size_t n = 0, used = 0;
	char **env;

	dir_base = getenv("PRE_BENCH_DIRS");
	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		exit(2);
	for (size_t i = 0; i < n; i++)
		if (!dir_base || strncmp(environ[i], "HOSTCTX_DIR=", 12) != 0)
			env[used++] = environ[i];
	if (preload && *preload) {
		char *v = malloc(strlen(preload) + sizeof("LD_PRELOAD="));

		if (!v)
			exit(2);
		strcpy(v, "LD_PRELOAD=");
		strcat(v, preload);
		env[used++] = v;
	}
	if (dir_base) {
		dir_slot = malloc(strlen(dir_base) + 64);
		if (!dir_slot)
			exit(2);
		env[used++] = dir_slot;
	}
	return env;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	char **env = child_env();
	long n;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pre_bench N PROG [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid;

		if (dir_base)
			sprintf(dir_slot, "HOSTCTX_DIR=%s/%ld", dir_base, i);
		pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			execve(argv[2], argv + 2, env);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.1f %.1f\n",
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		(double)(b.tv_nsec - a.tv_nsec)) / 1e3 / (double)n,
	       ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) / (double)n);
	return 0;
}
