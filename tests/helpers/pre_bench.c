/* SPDX-License-Identifier: MIT */
/*
 * pre_bench [-d DIR] ROUNDS LIB... -- PROG [ARG...]
 *
 * Runs PROG once per LIB in each of ROUNDS rounds (fork, exec, wait, one
 * at a time), with LD_PRELOAD=LIB in the child's environment only ("-"
 * for none), and prints one line per LIB: the median wall clock and the
 * median CPU time (user + system, from wait4) of its runs, in
 * microseconds.  Runs of different LIBs alternate, so a machine whose
 * speed drifts (this VM's varies by 1.5x within minutes) slows them all
 * alike; per-run medians keep a stray slow run from moving the figure.
 *
 * -d DIR: the run of LIB number k in round r gets HOSTCTX_DIR=DIR/k/r, a
 * directory the caller made beforehand.  Used by scripts/bench.d/preload.sh.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct config {
	const char *lib;	/* NULL: no LD_PRELOAD */
	char **env;
	char *dir_slot;		/* "HOSTCTX_DIR=..." in env, or NULL */
	double *wall, *cpu;	/* per round */
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("pre_bench");
		exit(2);
	}
	return p;
}

/* The environment with LD_PRELOAD=lib and a HOSTCTX_DIR slot if asked. */
static void config_env(struct config *c, const char *dir_base)
{
	size_t n = 0, used = 0;

	while (environ[n])
		n++;
	c->env = xcalloc(n + 3, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (dir_base && strncmp(environ[i], "HOSTCTX_DIR=", 12) == 0)
			continue;
		if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0)
			continue;
		c->env[used++] = environ[i];
	}
	if (c->lib) {
		char *v = xcalloc(strlen(c->lib) + sizeof("LD_PRELOAD="), 1);

		strcpy(v, "LD_PRELOAD=");
		strcat(v, c->lib);
		c->env[used++] = v;
	}
	if (dir_base) {
		c->dir_slot = xcalloc(strlen(dir_base) + 64, 1);
		c->env[used++] = c->dir_slot;
	}
}

static double timespec_us(const struct timespec *a, const struct timespec *b)
{
	return ((double)(b->tv_sec - a->tv_sec) * 1e9 +
		(double)(b->tv_nsec - a->tv_nsec)) / 1e3;
}

static double rusage_us(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e6 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec);
}

/* One run of prog; false when it could not run or did not exit 0. */
static bool run_once(char **prog, char **env, double *wall, double *cpu)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		execve(prog[0], prog, env);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*wall = timespec_us(&a, &b);
	*cpu = rusage_us(&ru);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int usage(void)
{
	fprintf(stderr, "usage: pre_bench [-d DIR] ROUNDS LIB... -- PROG [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *dir_base = NULL;
	struct config *cfg;
	long rounds, ncfg = 0;
	char **prog = NULL;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-d") == 0) {
		dir_base = argv[2];
		i = 3;
	}
	if (i >= argc || (rounds = strtol(argv[i++], NULL, 10)) <= 0)
		return usage();
	cfg = xcalloc((size_t)argc, sizeof(*cfg));
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			prog = argv + i + 1;
			break;
		}
		cfg[ncfg].lib = strcmp(argv[i], "-") ? argv[i] : NULL;
		cfg[ncfg].wall = xcalloc((size_t)rounds, sizeof(double));
		cfg[ncfg].cpu = xcalloc((size_t)rounds, sizeof(double));
		config_env(&cfg[ncfg], dir_base);
		ncfg++;
	}
	if (!prog || !prog[0] || ncfg == 0)
		return usage();

	for (long r = 0; r < rounds; r++) {
		for (long k = 0; k < ncfg; k++) {
			struct config *c = &cfg[k];

			if (c->dir_slot)
				sprintf(c->dir_slot, "HOSTCTX_DIR=%s/%ld/%ld", dir_base, k, r);
			if (!run_once(prog, c->env, &c->wall[r], &c->cpu[r])) {
				fprintf(stderr, "pre_bench: %s failed\n", prog[0]);
				return 1;
			}
		}
	}
	for (long k = 0; k < ncfg; k++)
		printf("%.1f %.1f\n", median(cfg[k].wall, rounds),
		       median(cfg[k].cpu, rounds));
	return 0;
}
