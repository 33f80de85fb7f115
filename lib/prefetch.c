/* SPDX-License-Identifier: MIT */
/*
 * Prefetch (docs/design.md, "Threads"): on a big host one row reads the
 * same small file of every CPU or policy, a thousand opens one after
 * the other.  A row's loop can hand its list of paths here first; a few
 * threads read them into memory at once, and the loop's own reads, made
 * in the same order, are then served from memory by hctx_read_file().
 * The loop and its parsing, the budget and the result are unchanged:
 * a served read gives the bytes a read of its own would have given.
 *
 * Threads only where hostctx_root_set_threads() allowed them (never the
 * preload library), never more than the CPUs this process may run on,
 * and only for lists long enough to pay for a thread.  A thread that
 * cannot start (a seccomp filter, no memory) leaves its share to the
 * caller, which reads it itself.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFETCH_MAX_THREADS 8
#define PREFETCH_PER_THREAD 64	/* files a thread must have to be worth starting */
#define PREFETCH_KEEP 4096	/* larger files are left for the row to read */

struct hctx_prefetched {
	char *path;
	char *data;		/* the file's bytes; NULL when not kept */
	ssize_t len;		/* their length, or the read's -errno */
	bool kept;		/* false: the row reads this one itself */
};

struct hctx_prefetch {
	struct hctx_prefetched *item;
	size_t n, next;		/* next: the item the next read should ask for */
};

struct share {
	struct hostctx_root *root;
	struct hctx_prefetched *item;
	size_t n;
};

HCTX_EXPORT void hostctx_root_set_threads(struct hostctx_root *root, unsigned max)
{
	if (root)
		root->threads = max > PREFETCH_MAX_THREADS ? PREFETCH_MAX_THREADS :
				max ? max : 1;
}

int hctx_pathlist_add(struct hctx_pathlist *l, const char *fmt, ...)
{
	char **more, *path;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (l->n == l->cap) {
		/* doubling: a list of 16,384 paths is not copied 16,384 times */
		size_t cap = l->cap ? 2 * l->cap : 64;

		more = realloc(l->path, cap * sizeof(*more));
		if (!more) {
			free(path);
			return -ENOMEM;
		}
		l->path = more;
		l->cap = cap;
	}
	l->path[l->n++] = path;
	return 0;
}

void hctx_pathlist_clear(struct hctx_pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->path[i]);
	free(l->path);
	*l = (struct hctx_pathlist){ 0 };
}

static void read_share(struct share *s)
{
	char *buf = malloc(PREFETCH_KEEP + 1);

	for (size_t i = 0; buf && i < s->n; i++) {
		struct hctx_prefetched *it = &s->item[i];
		ssize_t n = hctx_read_file_direct(s->root, it->path, buf, PREFETCH_KEEP);

		if (n == -EFBIG || n == -ENOMEM)
			continue;	/* too big to keep, or no memory: read later */
		if (n >= 0 && !(it->data = malloc((size_t)n + 1)))
			continue;
		if (n >= 0)
			memcpy(it->data, buf, (size_t)n + 1);
		it->len = n;
		it->kept = true;
	}
	free(buf);
}

static void *share_thread(void *arg)
{
	read_share(arg);
	return NULL;
}

/* The CPUs this process may run on (a test seam: weak). */
__attribute__((weak)) unsigned hctx_sys_cpus_allowed(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 1;
}

/* The threads worth starting for n files: at least 2, or 0 (none). */
static unsigned threads_for(const struct hostctx_root *root, size_t n)
{
	size_t t = root->threads;

	if (t < 2)
		return 0;
	if (hctx_sys_cpus_allowed() < t)
		t = hctx_sys_cpus_allowed();
	if (n / PREFETCH_PER_THREAD < t)
		t = n / PREFETCH_PER_THREAD;
	return t >= 2 ? (unsigned)t : 0;
}

/*
 * Read the shares: the caller takes the first, threads the others.
 * Threads start with every signal blocked, so that a signal for the
 * process (the wrapper's SIGINT, say) is never handled on one of them.
 */
static void read_shares(struct hostctx_root *root, struct hctx_prefetch *pf, unsigned t)
{
	struct share share[PREFETCH_MAX_THREADS];
	pthread_t tid[PREFETCH_MAX_THREADS];
	bool started[PREFETCH_MAX_THREADS] = { false };
	sigset_t all, old;
	size_t at = 0;

	for (unsigned i = 0; i < t; i++) {
		size_t n = pf->n / t + (i < pf->n % t);

		share[i] = (struct share){ .root = root, .item = pf->item + at, .n = n };
		at += n;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 1; i < t; i++) {
		started[i] = pthread_create(&tid[i], NULL, share_thread, &share[i]) == 0;
		if (!started[i])
			root->threads = 1;	/* a seccomp filter, say: do not try again */
		else
			root->threads_started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	read_share(&share[0]);
	for (unsigned i = 1; i < t; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			read_share(&share[i]);
	}
}

int hctx_prefetch(struct hostctx_root *root, struct hctx_pathlist *l)
{
	unsigned t = threads_for(root, l->n);
	struct hctx_prefetch *pf;

	hctx_prefetch_drop(root);
	if (t == 0) {
		hctx_pathlist_clear(l);
		return 0;	/* one thread: the row's own reads are as fast */
	}
	pf = calloc(1, sizeof(*pf));
	if (pf)
		pf->item = calloc(l->n, sizeof(*pf->item));
	if (!pf || !pf->item) {
		free(pf);
		hctx_pathlist_clear(l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++)
		pf->item[i].path = l->path[i];
	pf->n = l->n;
	free(l->path);
	*l = (struct hctx_pathlist){ 0 };
	read_shares(root, pf, t);
	root->prefetch = pf;
	return 0;
}

void hctx_prefetch_drop(struct hostctx_root *root)
{
	struct hctx_prefetch *pf = root->prefetch;

	if (!pf)
		return;
	for (size_t i = 0; i < pf->n; i++) {
		free(pf->item[i].path);
		free(pf->item[i].data);
	}
	free(pf->item);
	free(pf);
	root->prefetch = NULL;
}

bool hctx_prefetch_serve(struct hostctx_root *root, const char *rel, char *buf,
			 size_t cap, ssize_t *ret)
{
	struct hctx_prefetch *pf = root->prefetch;
	struct hctx_prefetched *it;

	if (!pf || pf->next >= pf->n || strcmp(pf->item[pf->next].path, rel) != 0)
		return false;
	it = &pf->item[pf->next++];
	if (!it->kept)
		return false;
	if (it->len < 0)
		*ret = it->len;
	else if ((size_t)it->len > cap)
		*ret = -EFBIG;	/* as read_fd() says of a file larger than cap */
	else {
		memcpy(buf, it->data, (size_t)it->len + 1);
		*ret = it->len;
	}
	return true;
}
