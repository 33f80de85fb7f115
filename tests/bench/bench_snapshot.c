/* SPDX-License-Identifier: MIT */
/*
 * bench_snapshot - the cost of one hostctx_snapshot_take (+ free).
 *
 *   bench_snapshot [--root=DIR] [--label=NAME] [--iterations=N]
 *                  [--seconds=S] [--callgrind]
 *
 * Prints the first snapshot of the process (cold: page faults, first
 * directory fds) and the median of a warm loop, in microseconds, timed
 * with CLOCK_MONOTONIC.  The loop runs N times or until S seconds have
 * passed, whichever comes first (at least 5 runs).  With --callgrind,
 * one cold and one warm snapshot are taken and only the warm one is
 * collected (run under valgrind --tool=callgrind --collect-atstart=no).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)
#endif

struct options {
	const char *root;
	const char *fields;	/* --fields groups, NULL: all */
	const char *label;
	long iterations;
	double seconds;
	bool callgrind;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One snapshot taken and released; its duration in µs, or < 0. */
static double timed_snapshot(struct hostctx_root *root)
{
	struct hostctx_snapshot *s = NULL;
	double start, end;
	int r;

	start = now_us();
	r = hostctx_snapshot_take(root, &s);
	hostctx_snapshot_free(s);	/* NULL on failure: fine */
	end = now_us();
	if (r < 0) {
		fprintf(stderr, "bench_snapshot: snapshot: %s\n", strerror(-r));
		return -1;
	}
	return end - start;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(const double *sorted, long n, double p)
{
	long i = (long)(p * (double)(n - 1) + 0.5);

	return sorted[i];
}

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .root = NULL, .label = NULL, .fields = NULL, .iterations = 5000,
			       .seconds = 3.0, .callgrind = false };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--root=", 7) == 0)
			o->root = a + 7;
		else if (strncmp(a, "--fields=", 9) == 0)
			o->fields = a + 9;
		else if (strncmp(a, "--label=", 8) == 0)
			o->label = a + 8;
		else if (strncmp(a, "--iterations=", 13) == 0)
			o->iterations = strtol(a + 13, NULL, 10);
		else if (strncmp(a, "--seconds=", 10) == 0)
			o->seconds = strtod(a + 10, NULL);
		else if (strcmp(a, "--callgrind") == 0)
			o->callgrind = true;
		else {
			fprintf(stderr, "usage: bench_snapshot [--root=DIR] [--fields=GROUPS] [--label=NAME] "
				"[--iterations=N] [--seconds=S] [--callgrind]\n");
			return -EINVAL;
		}
	}
	if (o->iterations < 5)
		o->iterations = 5;
	if (!o->label)
		o->label = o->root ? o->root : "live";
	return 0;
}

static int run_callgrind(struct hostctx_root *root)
{
	if (timed_snapshot(root) < 0)
		return 1;
	CALLGRIND_TOGGLE_COLLECT;
	if (timed_snapshot(root) < 0)
		return 1;
	CALLGRIND_TOGGLE_COLLECT;
	return 0;
}

static int run_timed(struct hostctx_root *root, const struct options *o)
{
	double cold, deadline, *samples = calloc((size_t)o->iterations, sizeof(double));
	long n = 0;

	if (!samples)
		return 1;
	cold = timed_snapshot(root);
	if (cold < 0)
		goto fail;
	deadline = now_us() + o->seconds * 1e6;
	while (n < o->iterations && (n < 5 || now_us() < deadline)) {
		double t = timed_snapshot(root);

		if (t < 0)
			goto fail;
		samples[n++] = t;
	}
	qsort(samples, (size_t)n, sizeof(double), cmp_double);
	printf("%-12s cold %10.1f us   warm median %10.1f us   (min %.1f, p90 %.1f, %ld runs)\n",
	       o->label, cold, percentile(samples, n, 0.5), samples[0],
	       percentile(samples, n, 0.9), n);
	free(samples);
	return 0;
fail:
	free(samples);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct hostctx_root *root = NULL;
	int r;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	r = hostctx_root_open(o.root, &root);
	if (r < 0) {
		fprintf(stderr, "bench_snapshot: %s: %s\n", o.root ? o.root : "/", strerror(-r));
		return 1;
	}
	hostctx_root_set_threads(root, 8);	/* as hostctx-run and hostctx snapshot */
	r = hostctx_root_select(root, o.fields);
	if (r < 0) {
		fprintf(stderr, "bench_snapshot: --fields=%s: %s\n", o.fields, strerror(-r));
		hostctx_root_close(root);
		return 2;
	}
	r = o.callgrind ? run_callgrind(root) : run_timed(root, &o);
	hostctx_root_close(root);
	return r;
}
