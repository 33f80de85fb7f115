/* SPDX-License-Identifier: MIT */
/*
 * walk.c - the PATH operands of the commands that read many records
 * (export, report, show, diff): a file, '-' (standard input), or a
 * directory, whose *.hostctx.json files below it are visited in sorted
 * order.  Symlinked directories below a named one are not followed, so
 * a link loop cannot hold the walk; a bind-mount loop stops at a depth
 * bound.  Each directory is listed and closed before its entries are
 * visited: open descriptors do not grow with the depth.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Deeper trees are refused: bind mounts can loop where symlinks cannot. */
#define WALK_MAX_DEPTH 64

bool cli_is_record_name(const char *name)
{
	size_t n = strlen(name), k = strlen(CLI_RECORD_SUFFIX);

	return n > k && strcmp(name + n - k, CLI_RECORD_SUFFIX) == 0;
}

/* The names of a directory: owned here, each and the array. */
struct names {
	char **v;
	size_t n, cap;
};

static void names_clear(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	*ns = (struct names){ 0 };
}

static int names_add(struct names *ns, const char *name)
{
	char *copy;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	ns->v[ns->n++] = copy;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_sorted(const char *dir, struct names *ret)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -errno;
	errno = 0;
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			r = names_add(ret, e->d_name);
		errno = 0;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	if (r == 0 && ret->n > 1)	/* an empty list has no array to sort */
		qsort(ret->v, ret->n, sizeof(*ret->v), compare_names);
	return r;
}

struct walk {
	cli_visit_fn *visit;
	void *data;
	size_t visited;
};

static int walk_tree(struct walk *w, const char *dir, int depth);

/*
 * One entry of a directory: a subdirectory is walked (a symlink to one
 * is not), a *.hostctx.json file (or a symlink to one) is visited,
 * anything else is passed over.
 */
static int walk_entry(struct walk *w, const char *path, const char *name,
		      int depth)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		cli_file_error(path, "%s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return walk_tree(w, path, depth + 1);
	if (!cli_is_record_name(name))
		return 0;
	if (S_ISLNK(st.st_mode) && (stat(path, &st) < 0 || !S_ISREG(st.st_mode)))
		return 0;	/* dangling, or a link to a directory */
	w->visited++;
	return w->visit(path, w->data);
}

/* Every record below dir; -1 when anything was reported. */
static int walk_tree(struct walk *w, const char *dir, int depth)
{
	struct names ns = { 0 };
	int failed = 0, r;

	if (depth > WALK_MAX_DEPTH) {
		cli_file_error(dir, "more than %d directories deep, not walked",
			       WALK_MAX_DEPTH);
		return -1;
	}
	r = list_sorted(dir, &ns);
	if (r < 0) {
		cli_file_error(dir, "%s", strerror(-r));
		names_clear(&ns);
		return -1;
	}
	for (size_t i = 0; i < ns.n; i++) {
		_cleanup_free_ char *path = NULL;
		size_t len = strlen(dir);

		if (asprintf(&path, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/",
			     ns.v[i]) < 0) {
			cli_error("out of memory");
			failed = -1;
			break;
		}
		if (walk_entry(w, path, ns.v[i], depth) < 0)
			failed = -1;
	}
	names_clear(&ns);
	return failed;
}

bool cli_is_directory(const char *path)
{
	struct stat st;

	return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_walk_operand(const char *path, cli_visit_fn *visit, void *data)
{
	struct walk w = { .visit = visit, .data = data };
	int r;

	if (!cli_is_directory(path))
		return visit(path, data);
	r = walk_tree(&w, path, 0);
	if (r == 0 && w.visited == 0) {
		/* most likely the wrong directory: say so rather than print nothing */
		cli_file_error(path, "no *%s file below it", CLI_RECORD_SUFFIX);
		return -1;
	}
	return r;
}
