/* SPDX-License-Identifier: MIT */
/*
 * report.c - many records at a glance (docs/fleet.md, "hostctx report"):
 * the runs grouped by host configuration, per group the run count, the
 * machine types, kernels, wall times and exit statuses; the fields that
 * vary across the groups; the runs that drifted, have bad run evidence
 * or are incomplete.
 *
 * It streams: a caller feeds one document at a time and frees it.  A
 * group keeps a copy of its first run's snapshot (its representative),
 * small tallies and a double per run (the wall time, for the median);
 * the lists of runs keep the first LISTED_RUNS and a count.  Memory so
 * grows with the groups, not with the documents.
 *
 * Which groups differ is said in one place, host_config_changes(): the
 * changes between a group's representative and a run that tell two host
 * configurations apart (docs/fleet.md, "Groups").
 */
#include "internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define LISTED_RUNS 50		/* runs listed per section, then only counted */
#define LISTED_ITEMS 5		/* changed fields (or checks) named per listed run */
#define TALLY_VALUES 32		/* distinct values kept per tally, then "other" */
#define REPORT_SCHEMA "hostctx-report/1"
/* What tells two host configurations apart (docs/fleet.md, "Groups"). */
#define REPORT_CLASSES ((1u << HOSTCTX_CLASS_IDENTITY) | (1u << HOSTCTX_CLASS_CONFIG))

/* ---- data ------------------------------------------------------------ */

struct tally_item {
	char *value;		/* NULL: absent */
	size_t runs, drift;
};

/* Distinct values and their runs; beyond TALLY_VALUES, counted as other. */
struct tally {
	struct tally_item v[TALLY_VALUES];
	size_t n;
	size_t other_runs, other_drift;
};

struct group {
	size_t id;			/* 1, 2, ...: in order of first appearance */
	struct hostctx_snapshot *rep;	/* the first run's snapshot (NULL with --by) */
	char **key;			/* --by: the fields' values (NULL: absent) */
	char *first_file;
	size_t runs, failures, drift, bad, incomplete;
	double *walls;			/* the runs' wall seconds, for the median */
	size_t n_walls, cap_walls;
	struct tally machines, kernels, exits;
};

struct item {
	char *name;
	char *value;		/* may be NULL */
};

struct listed_run {
	char *file;
	size_t group;		/* the group's id; 0: in none */
	size_t total;		/* drift: how many changes */
	size_t n;
	struct item items[LISTED_ITEMS];
};

struct section {
	struct listed_run runs[LISTED_RUNS];
	size_t n, count;
};

struct hostctx_report {
	char **by;
	size_t n_by;
	char *command;
	struct group **groups;
	size_t n_groups, cap_groups;
	struct section drift, bad, incomplete;
	size_t records, runs, other_command, snapshots, no_snapshot, unreadable;
	struct hostctx_check_config *run_checks;	/* the run checks alone */
	struct hostctx_compare *cmp;	/* identity and config, with tolerances */
	bool started;
};

/* ---- small helpers ----------------------------------------------------- */

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* strdup(), NULL staying NULL; false when out of memory. */
static bool dup_text(const char *s, char **ret)
{
	*ret = s ? strdup(s) : NULL;
	return !s || *ret;
}

static int tally_add(struct tally *t, const char *value, bool drifted)
{
	for (size_t i = 0; i < t->n; i++) {
		if (same_text(t->v[i].value, value)) {
			t->v[i].runs++;
			t->v[i].drift += drifted;
			return 0;
		}
	}
	if (t->n == TALLY_VALUES) {
		t->other_runs++;
		t->other_drift += drifted;
		return 0;
	}
	if (!dup_text(value, &t->v[t->n].value))
		return -ENOMEM;
	t->v[t->n].runs = 1;
	t->v[t->n].drift = drifted;
	t->n++;
	return 0;
}

static void tally_clear(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].value);
	t->n = 0;
}

static int walls_add(struct group *g, double s)
{
	if (g->n_walls == g->cap_walls) {
		size_t cap = g->cap_walls ? g->cap_walls * 2 : 16;
		double *v = realloc(g->walls, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->walls = v;
		g->cap_walls = cap;
	}
	g->walls[g->n_walls++] = s;
	return 0;
}

/* Count a run of a section: *ret the entry to fill in, NULL when the list is full. */
static int section_add(struct section *sec, const char *file, size_t group,
		       struct listed_run **ret)
{
	struct listed_run *lr;

	*ret = NULL;
	sec->count++;
	if (sec->n == LISTED_RUNS)
		return 0;
	lr = &sec->runs[sec->n];
	*lr = (struct listed_run){ .group = group };
	if (!dup_text(file ? file : "-", &lr->file))
		return -ENOMEM;
	sec->n++;
	*ret = lr;
	return 0;
}

static int listed_item(struct listed_run *lr, const char *name, const char *value)
{
	struct item *it;

	if (!lr || lr->n == LISTED_ITEMS)
		return 0;
	it = &lr->items[lr->n];
	if (!dup_text(name, &it->name) || !dup_text(value, &it->value)) {
		free(it->name);
		return -ENOMEM;
	}
	lr->n++;
	return 0;
}

static void section_clear(struct section *sec)
{
	for (size_t i = 0; i < sec->n; i++) {
		free(sec->runs[i].file);
		for (size_t k = 0; k < sec->runs[i].n; k++) {
			free(sec->runs[i].items[k].name);
			free(sec->runs[i].items[k].value);
		}
	}
	sec->n = 0;
}

static void group_free(struct group *g, size_t n_by)
{
	if (!g)
		return;
	hostctx_snapshot_free(g->rep);
	for (size_t k = 0; g->key && k < n_by; k++)
		free(g->key[k]);
	free(g->key);
	free(g->first_file);
	free(g->walls);
	tally_clear(&g->machines);
	tally_clear(&g->kernels);
	tally_clear(&g->exits);
	free(g);
}

/* ---- the report -------------------------------------------------------- */

/* The run checks (category "run") but drift, which the report finds itself. */
static int run_checks_config(struct hostctx_check_config **ret)
{
	struct hostctx_check_config *cfg = NULL;
	int r = hostctx_check_config_new(&cfg);

	for (size_t i = 0; r == 0 && i < hostctx_check_count(); i++)
		if (strcmp(hostctx_check_category(i), "run") != 0 ||
		    strcmp(hostctx_check_id(i), "run-config-drift") == 0)
			r = hostctx_check_config_ignore(cfg, hostctx_check_id(i));
	if (r < 0) {
		hostctx_check_config_free(cfg);
		return r;
	}
	*ret = cfg;
	return 0;
}

HCTX_EXPORT int hostctx_report_new(struct hostctx_report **ret)
{
	struct hostctx_report *rep = calloc(1, sizeof(*rep));
	int r;

	if (!rep)
		return -ENOMEM;
	r = run_checks_config(&rep->run_checks);
	if (r == 0)
		r = hostctx_compare_new(HOSTCTX_COMPARE_FILES, &rep->cmp);
	if (r == 0)
		r = hostctx_compare_add_default_tolerances(rep->cmp);
	if (r < 0) {
		hostctx_report_free(rep);
		return r;
	}
	hostctx_compare_set_classes(rep->cmp, REPORT_CLASSES);
	*ret = rep;
	return 0;
}

HCTX_EXPORT int hostctx_report_set_compare(struct hostctx_report *rep,
					   struct hostctx_compare *cmp)
{
	if (rep->started) {
		hostctx_compare_free(cmp);
		return -EBUSY;
	}
	hostctx_compare_free(rep->cmp);
	rep->cmp = cmp;
	hostctx_compare_set_classes(cmp, REPORT_CLASSES);
	return 0;
}

HCTX_EXPORT void hostctx_report_free(struct hostctx_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n_groups; i++)
		group_free(rep->groups[i], rep->n_by);
	free(rep->groups);
	for (size_t k = 0; k < rep->n_by; k++)
		free(rep->by[k]);
	free(rep->by);
	free(rep->command);
	section_clear(&rep->drift);
	section_clear(&rep->bad);
	section_clear(&rep->incomplete);
	hostctx_check_config_free(rep->run_checks);
	hostctx_compare_free(rep->cmp);
	free(rep);
}

HCTX_EXPORT int hostctx_report_group_by(struct hostctx_report *rep, const char *path)
{
	struct hostctx_snapshot *empty = NULL;
	const struct hctx_spec *spec;
	const struct hctx_value *v;
	char **by;
	int r;

	if (rep->started)
		return -EBUSY;
	r = hostctx_snapshot_new(&empty);
	if (r < 0)
		return r;
	r = hctx_snapshot_lookup(empty, path, &spec, &v);
	hostctx_snapshot_free(empty);
	if (r < 0)
		return r;
	by = realloc(rep->by, (rep->n_by + 1) * sizeof(*by));
	if (!by)
		return -ENOMEM;
	rep->by = by;
	by[rep->n_by] = strdup(path);
	if (!by[rep->n_by])
		return -ENOMEM;
	rep->n_by++;
	return 0;
}

HCTX_EXPORT int hostctx_report_set_command(struct hostctx_report *rep, const char *glob)
{
	char *copy;

	if (rep->started)
		return -EBUSY;
	if (!dup_text(glob, &copy))
		return -ENOMEM;
	free(rep->command);
	rep->command = copy;
	return 0;
}

HCTX_EXPORT void hostctx_report_add_unreadable(struct hostctx_report *rep)
{
	rep->started = true;
	rep->unreadable++;
}

HCTX_EXPORT size_t hostctx_report_run_count(const struct hostctx_report *rep)
{
	return rep->runs;
}

HCTX_EXPORT size_t hostctx_report_group_count(const struct hostctx_report *rep)
{
	return rep->n_groups;
}

HCTX_EXPORT size_t hostctx_report_group_runs(const struct hostctx_report *rep, size_t i)
{
	return i < rep->n_groups ? rep->groups[i]->runs : 0;
}

/* ---- which runs share a host configuration ------------------------------ */

/*
 * The changes from a group's representative rep to the snapshot s that
 * make them two host configurations: the differences that count when
 * the two are compared as two files by identity and config, with the
 * tolerances (by default total_memory_kib=1%).  The one place that
 * says so: membership and the varying fields both ask it.
 */
static int host_config_changes(const struct hostctx_report *report,
			       const struct hostctx_snapshot *rep,
			       const struct hostctx_snapshot *s,
			       struct hostctx_changes **ret)
{
	struct hostctx_changes *c = NULL;
	size_t kept = 0;
	int r = hostctx_compare_snapshots(report->cmp, rep, s, &c);

	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n; i++) {
		if (!hctx_change_counts(c, &c->items[i])) {
			free(c->items[i].field);
			continue;
		}
		c->items[kept++] = c->items[i];
	}
	c->n = kept;
	*ret = c;
	return 0;
}

/* 1: s runs on rep's host configuration; 0: another; or -ENOMEM. */
static int same_host_config(const struct hostctx_report *report,
			    const struct hostctx_snapshot *rep,
			    const struct hostctx_snapshot *s)
{
	struct hostctx_changes *c = NULL;
	int r = host_config_changes(report, rep, s, &c);

	if (r < 0)
		return r;
	r = c->n == 0;
	hostctx_changes_free(c);
	return r;
}

/* The canonical text at path in s (*ret NULL: absent). */
static int value_text(const struct hostctx_snapshot *s, const char *path, char **ret)
{
	const struct hctx_spec *spec;
	const struct hctx_value *v;
	int r = hctx_snapshot_lookup(s, path, &spec, &v);

	if (r == -EINVAL) {
		*ret = NULL;	/* a path group_by() allowed always resolves */
		return 0;
	}
	return r < 0 ? r : hctx_value_canonical(spec, v, ret);
}

static void key_free(char **key, size_t n)
{
	for (size_t k = 0; key && k < n; k++)
		free(key[k]);
	free(key);
}

/* --by: the values of the chosen fields in s. */
static int group_key(const struct hostctx_report *rep, const struct hostctx_snapshot *s,
		     char ***ret)
{
	char **key = calloc(rep->n_by, sizeof(*key));
	int r = key ? 0 : -ENOMEM;

	for (size_t k = 0; r == 0 && k < rep->n_by; k++)
		r = value_text(s, rep->by[k], &key[k]);
	if (r < 0) {
		key_free(key, rep->n_by);
		return r;
	}
	*ret = key;
	return 0;
}

static bool same_key(const struct hostctx_report *rep, char *const *a, char *const *b)
{
	for (size_t k = 0; k < rep->n_by; k++)
		if (!same_text(a[k], b[k]))
			return false;
	return true;
}

/* 1: the run of snapshot s (key with --by) belongs to g; 0: not; < 0: error. */
static int group_matches(const struct hostctx_report *rep, const struct group *g,
			 const struct hostctx_snapshot *s, char *const *key)
{
	if (rep->n_by)
		return same_key(rep, g->key, key);
	return same_host_config(rep, g->rep, s);
}

static int group_new(struct hostctx_report *rep, const struct hostctx_snapshot *s,
		     char **key, const char *name, struct group **ret)
{
	struct group *g;
	int r = 0;

	if (rep->n_groups == rep->cap_groups) {
		size_t cap = rep->cap_groups ? rep->cap_groups * 2 : 8;
		struct group **v = realloc(rep->groups, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rep->groups = v;
		rep->cap_groups = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->id = rep->n_groups + 1;
	g->key = key;
	if (!rep->n_by)
		r = hostctx_snapshot_dup(s, &g->rep);
	if (r == 0 && !dup_text(name ? name : "-", &g->first_file))
		r = -ENOMEM;
	if (r < 0) {
		g->key = NULL;
		group_free(g, rep->n_by);
		return r;
	}
	rep->groups[rep->n_groups++] = g;
	*ret = g;
	return 0;
}

/* The first group (in order of appearance) the run matches, or a new one. */
static int find_group(struct hostctx_report *rep, const struct hostctx_snapshot *s,
		      const char *name, struct group **ret)
{
	char **key = NULL;
	int r = rep->n_by ? group_key(rep, s, &key) : 0;

	for (size_t i = 0; r == 0 && i < rep->n_groups; i++) {
		r = group_matches(rep, rep->groups[i], s, key);
		if (r == 1) {
			key_free(key, rep->n_by);
			*ret = rep->groups[i];
			return 0;
		}
	}
	if (r == 0)
		r = group_new(rep, s, key, name, ret);
	if (r < 0)
		key_free(key, rep->n_by);
	return r;
}

/* ---- one run ----------------------------------------------------------- */

/* Which snapshot stands for the run: pre, the host it ran on; else post. */
static const struct hostctx_snapshot *run_snapshot(const struct hostctx_sidecar *sc)
{
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);

	return pre ? pre : hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
}

static bool command_matches(const struct hostctx_sidecar *sc, const char *glob)
{
	_cleanup_free_ char *line = NULL;
	const char *argv0 = sc->argc ? sc->argv[0] : NULL, *base;
	size_t len = 0;
	FILE *f;

	if (argv0) {
		base = strrchr(argv0, '/');
		if (fnmatch(glob, argv0, 0) == 0 || (base && fnmatch(glob, base + 1, 0) == 0))
			return true;
	}
	f = open_memstream(&line, &len);
	if (!f)
		return false;
	for (size_t i = 0; i < sc->argc; i++)
		fprintf(f, "%s%s", i ? " " : "", sc->argv[i] ? sc->argv[i] : "");
	if (fclose(f) != 0)
		return false;
	return fnmatch(glob, line, 0) == 0;
}

/* How the run ended, in words; *ret_failed unless it exited 0 or did not end. */
static void exit_text(const struct hostctx_sidecar *sc, char *buf, size_t size,
		      bool *ret_failed)
{
	int code = 0, sig = 0;
	const char *name;

	*ret_failed = true;
	if (sc->refused) {
		snprintf(buf, size, "refused");
		return;
	}
	if (sc->exec_error) {
		snprintf(buf, size, "exec error %s", sc->exec_error);
		return;
	}
	switch (hostctx_sidecar_exit(sc, &code, &sig, NULL)) {
	case HOSTCTX_EXIT_CODE:
		snprintf(buf, size, "exit %d", code);
		*ret_failed = code != 0;
		return;
	case HOSTCTX_EXIT_SIGNAL:
		name = hostctx_signal_name(sig);
		if (name)
			snprintf(buf, size, "signal %s", name);
		else
			snprintf(buf, size, "signal %d", sig);
		return;
	case HOSTCTX_EXIT_NONE:
	default:
		snprintf(buf, size, "no exit");
		*ret_failed = false;
		return;
	}
}

/* Drift: what changed between pre and post; *ret_drifted when anything did. */
static int run_drift(struct hostctx_report *rep, const struct group *g,
		     const struct hostctx_sidecar *sc, const char *name, bool *ret_drifted)
{
	struct hostctx_changes *c = NULL;
	struct listed_run *lr;
	int r = 0;

	*ret_drifted = false;
	if (!sc->pre || !sc->post)
		return 0;
	r = hostctx_diff(sc->pre, sc->post, &c);
	if (r < 0 || c->n == 0) {
		hostctx_changes_free(c);
		return r;
	}
	*ret_drifted = true;
	r = section_add(&rep->drift, name, g->id, &lr);
	if (lr)
		lr->total = c->n;
	for (size_t i = 0; r == 0 && i < c->n; i++)
		r = listed_item(lr, c->items[i].field, NULL);
	hostctx_changes_free(c);
	return r;
}

/* Where a run's bad run evidence goes: counted once, listed while there is room. */
struct bad_run {
	bool counted;
	struct listed_run *lr;
};

/* One warning of the run checks: run-incomplete, or bad run evidence. */
static int evidence_warning(struct hostctx_report *rep, const struct hostctx_check_report *cr,
			    size_t i, const char *name, struct group *g, struct bad_run *bad)
{
	const char *id = hostctx_check_result_id(cr, i);
	const char *value = hostctx_check_result_value(cr, i);
	struct listed_run *lr;
	int r;

	if (strcmp(id, "run-incomplete") == 0) {
		g->incomplete++;
		r = section_add(&rep->incomplete, name, g->id, &lr);
		return r < 0 ? r : listed_item(lr, id, value);
	}
	if (!bad->counted) {
		g->bad++;
		bad->counted = true;
		r = section_add(&rep->bad, name, g->id, &bad->lr);
		if (r < 0)
			return r;
	}
	return listed_item(bad->lr, id, value);
}

/*
 * The run checks of the record, as `hostctx check FILE` runs them (an
 * incomplete record's process asked of this host): their warnings.
 */
static int run_evidence(struct hostctx_report *rep, struct group *g,
			const struct hostctx_sidecar *sc, const char *name)
{
	struct hostctx_check_report *cr = NULL;
	enum hostctx_run_state state = HOSTCTX_RUN_UNKNOWN;
	struct bad_run bad = { 0 };
	int r;

	if (!sc->complete)
		(void)hostctx_sidecar_probe(sc, &state);
	hostctx_check_config_set_run_state(rep->run_checks, state);
	r = hostctx_check_sidecar(rep->run_checks, sc, &cr);
	if (r == -ENODATA)
		return 0;	/* no pre snapshot: nothing to check */
	for (size_t i = 0; r == 0 && i < hostctx_check_report_count(cr); i++)
		if (hostctx_check_result_status(cr, i) == HOSTCTX_CHECK_WARN)
			r = evidence_warning(rep, cr, i, name, g, &bad);
	hostctx_check_report_free(cr);
	return r;
}

static const char *string_at(const struct hostctx_snapshot *s, const char *path)
{
	const char *v = NULL;

	return hostctx_snapshot_get_string(s, path, &v) == 0 ? v : NULL;
}

static int add_run(struct hostctx_report *rep, struct group *g,
		   const struct hostctx_sidecar *sc, const struct hostctx_snapshot *s,
		   const char *name)
{
	char how[64];
	bool failed, drifted;
	double wall;
	int r;

	g->runs++;
	rep->runs++;
	exit_text(sc, how, sizeof(how), &failed);
	g->failures += failed;
	r = tally_add(&g->exits, how, false);
	if (r == 0 && hostctx_sidecar_wall_seconds(sc, &wall))
		r = walls_add(g, wall);
	if (r == 0)
		r = run_drift(rep, g, sc, name, &drifted);
	if (r < 0)
		return r;
	g->drift += drifted;
	r = tally_add(&g->machines, string_at(s, "cpu_model"), drifted);
	if (r == 0)
		r = tally_add(&g->kernels, string_at(s, "kernel_release"), drifted);
	return r < 0 ? r : run_evidence(rep, g, sc, name);
}

HCTX_EXPORT int hostctx_report_add(struct hostctx_report *rep,
				   const struct hostctx_document *doc, const char *name)
{
	const struct hostctx_sidecar *sc;
	const struct hostctx_snapshot *s;
	struct group *g = NULL;
	int r;

	if (!rep || !doc)
		return -EINVAL;
	rep->started = true;
	sc = hostctx_document_sidecar(doc);
	if (!sc) {
		rep->snapshots++;
		return -EMEDIUMTYPE;
	}
	rep->records++;
	if (rep->command && !command_matches(sc, rep->command)) {
		rep->other_command++;
		return HOSTCTX_REPORT_OTHER_COMMAND;
	}
	s = run_snapshot(sc);
	if (!s) {
		rep->no_snapshot++;
		return -ENODATA;
	}
	r = find_group(rep, s, name, &g);
	return r < 0 ? r : add_run(rep, g, sc, s, name);
}

/* ---- the view both formats show ------------------------------------------ */

struct wall_stats {
	size_t n;
	double median, mean, min, max;
};

struct view {
	const struct hostctx_report *rep;
	struct group **order;		/* the slowest median first */
	struct wall_stats *stats;	/* by group index (id - 1) */
	char **fields;			/* the fields that vary across the groups */
	size_t n_fields;
	char **cells;			/* [index * n_fields + k]: group's value of field k */
};

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int wall_stats_of(const struct group *g, struct wall_stats *ret)
{
	double *v, sum = 0;
	size_t n = g->n_walls;

	*ret = (struct wall_stats){ .n = n };
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, g->walls, n * sizeof(*v));
	qsort(v, n, sizeof(*v), compare_doubles);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	ret->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	ret->mean = sum / (double)n;
	ret->min = v[0];
	ret->max = v[n - 1];
	free(v);
	return 0;
}

/* For qsort_r: the slowest median first, groups without a wall time last. */
static int compare_groups(const void *a, const void *b, void *data)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	const struct wall_stats *st = data;
	const struct wall_stats *sx = &st[x->id - 1], *sy = &st[y->id - 1];

	if (!sx->n != !sy->n)
		return sx->n ? -1 : 1;
	if (sx->n && sx->median != sy->median)
		return sx->median > sy->median ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The unit a change's field varies in: a per-CPU map or an array as a
 * whole (its canonical text), anything else as the change names it
 * ("sysctls.vm.swappiness", "dmi.bios_version").
 */
static void field_unit(const char *change, char *buf, size_t size)
{
	size_t len = strcspn(change, ".");
	const struct hctx_field *f = hctx_field_by_name(change, len);

	if (f && (f->spec->kind == HCTX_KIND_CPUMAP || f->spec->kind == HCTX_KIND_BYCPU ||
		  f->spec->kind == HCTX_KIND_ARRAY))
		snprintf(buf, size, "%.*s", (int)len, change);
	else
		snprintf(buf, size, "%s", change);
}

static int add_field(struct view *v, const char *change)
{
	char unit[HCTX_PATH_MAX];
	char **fields;

	field_unit(change, unit, sizeof(unit));
	for (size_t k = 0; k < v->n_fields; k++)
		if (strcmp(v->fields[k], unit) == 0)
			return 0;
	fields = realloc(v->fields, (v->n_fields + 1) * sizeof(*fields));
	if (!fields)
		return -ENOMEM;
	v->fields = fields;
	fields[v->n_fields] = strdup(unit);
	if (!fields[v->n_fields])
		return -ENOMEM;
	v->n_fields++;
	return 0;
}

static size_t field_row(const char *path)
{
	const struct hctx_field *f = hctx_field_by_name(path, strcspn(path, "."));

	return f ? (size_t)(f - hctx_fields) : hctx_n_fields;
}

/* In the field table's order, then by name. */
static int compare_fields(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t rx = field_row(x), ry = field_row(y);

	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

/* The fields whose values tell a group from the first one. */
static int varying_fields(struct view *v)
{
	const struct hostctx_report *rep = v->rep;
	int r = 0;

	for (size_t i = 1; r == 0 && i < rep->n_groups; i++) {
		struct hostctx_changes *c = NULL;

		r = host_config_changes(rep, rep->groups[0]->rep, rep->groups[i]->rep, &c);
		for (size_t j = 0; r == 0 && j < c->n; j++)
			r = add_field(v, c->items[j].field);
		hostctx_changes_free(c);
	}
	if (r == 0 && v->n_fields)
		qsort(v->fields, v->n_fields, sizeof(*v->fields), compare_fields);
	return r;
}

/* The fields and each group's value of them: --by's, or the varying ones. */
static int view_cells(struct view *v)
{
	const struct hostctx_report *rep = v->rep;
	int r = 0;

	if (rep->n_by) {
		v->fields = calloc(rep->n_by, sizeof(*v->fields));
		if (!v->fields)
			return -ENOMEM;
		for (; v->n_fields < rep->n_by; v->n_fields++)
			if (!dup_text(rep->by[v->n_fields], &v->fields[v->n_fields]))
				return -ENOMEM;
	} else {
		r = varying_fields(v);
	}
	if (r < 0 || !v->n_fields)
		return r;
	v->cells = calloc(rep->n_groups * v->n_fields, sizeof(*v->cells));
	if (!v->cells)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < rep->n_groups; i++)
		for (size_t k = 0; r == 0 && k < v->n_fields; k++) {
			const struct group *g = rep->groups[i];
			char **cell = &v->cells[i * v->n_fields + k];

			if (rep->n_by)
				r = dup_text(g->key[k], cell) ? 0 : -ENOMEM;
			else
				r = value_text(g->rep, v->fields[k], cell);
		}
	return r;
}

static void view_clear(struct view *v)
{
	for (size_t i = 0; v->cells && i < v->rep->n_groups * v->n_fields; i++)
		free(v->cells[i]);
	free(v->cells);
	for (size_t k = 0; k < v->n_fields; k++)
		free(v->fields[k]);
	free(v->fields);
	free(v->order);
	free(v->stats);
}

static int view_make(const struct hostctx_report *rep, struct view *v)
{
	size_t n = rep->n_groups;
	int r = 0;

	*v = (struct view){ .rep = rep };
	v->order = calloc(n ? n : 1, sizeof(*v->order));
	v->stats = calloc(n ? n : 1, sizeof(*v->stats));
	if (!v->order || !v->stats)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		v->order[i] = rep->groups[i];
		r = wall_stats_of(rep->groups[i], &v->stats[i]);
	}
	if (r == 0) {
		qsort_r(v->order, n, sizeof(*v->order), compare_groups, v->stats);
		r = view_cells(v);
	}
	if (r < 0)
		view_clear(v);
	return r;
}

static const char *cell_of(const struct view *v, const struct group *g, size_t k)
{
	return v->cells[(g->id - 1) * v->n_fields + k];
}

/* Whether group i is the first whose value of field k is its value. */
static bool first_with_value(const struct view *v, size_t i, size_t k)
{
	const char *value = v->cells[i * v->n_fields + k];

	for (size_t j = 0; j < i; j++)
		if (same_text(v->cells[j * v->n_fields + k], value))
			return false;
	return true;
}

/* The runs of the groups whose value of field k is the value of group i's. */
static size_t runs_with_value(const struct view *v, size_t i, size_t k)
{
	const char *value = v->cells[i * v->n_fields + k];
	size_t runs = 0;

	for (size_t j = 0; j < v->rep->n_groups; j++)
		if (same_text(v->cells[j * v->n_fields + k], value))
			runs += v->rep->groups[j]->runs;
	return runs;
}

/* ---- text -------------------------------------------------------------- */

#define LISTED_GROUP_IDS 12	/* group ids named per value in the text */
#define TEXT_LISTED_RUNS 10	/* runs of a section the text lists (the JSON: all kept) */

static void text_value(struct hctx_human *h, const char *value)
{
	if (value)
		hctx_human_value(h, value);
	else
		hctx_human_text(h, "(absent)");
}

static void text_tally(struct hctx_human *h, const char *label, const struct tally *t)
{
	hctx_human_printf(h, "  %s: ", label);
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			hctx_human_text(h, ", ");
		text_value(h, t->v[i].value);
		hctx_human_printf(h, " (%zu)", t->v[i].runs);
	}
	if (t->other_runs)
		hctx_human_printf(h, ", others (%zu)", t->other_runs);
	hctx_human_text(h, "\n");
}

static void text_walls(struct hctx_human *h, const struct wall_stats *st)
{
	if (!st->n) {
		hctx_human_text(h, "  wall seconds: none recorded\n");
		return;
	}
	hctx_human_printf(h, "  wall seconds: median %.6g, min %.6g, max %.6g, mean %.6g "
			  "(%zu runs)\n", st->median, st->min, st->max, st->mean, st->n);
}

static void text_group(struct hctx_human *h, const struct view *v, const struct group *g)
{
	hctx_human_printf(h, "\ngroup %zu: %zu run%s, first ", g->id, g->runs,
			  g->runs == 1 ? "" : "s");
	hctx_human_value(h, g->first_file);
	hctx_human_text(h, "\n");
	for (size_t k = 0; k < v->n_fields; k++) {
		hctx_human_printf(h, "  %s = ", v->fields[k]);
		text_value(h, cell_of(v, g, k));
		hctx_human_text(h, "\n");
	}
	text_tally(h, "machine types", &g->machines);
	text_tally(h, "kernels", &g->kernels);
	text_walls(h, &v->stats[g->id - 1]);
	text_tally(h, "exit statuses", &g->exits);
	hctx_human_printf(h, "  failures %zu, drift %zu, bad run evidence %zu, incomplete %zu\n",
			  g->failures, g->drift, g->bad, g->incomplete);
}

static void text_value_groups(struct hctx_human *h, const struct view *v, size_t i, size_t k)
{
	const char *value = v->cells[i * v->n_fields + k];
	size_t named = 0;

	hctx_human_text(h, "    ");
	text_value(h, value);
	hctx_human_printf(h, ": %zu runs, group", runs_with_value(v, i, k));
	for (size_t j = i; j < v->rep->n_groups; j++) {
		if (!same_text(v->cells[j * v->n_fields + k], value))
			continue;
		if (named++ == LISTED_GROUP_IDS) {
			hctx_human_text(h, " ...");
			break;
		}
		hctx_human_printf(h, "%s %zu", named > 1 ? "," : "", v->rep->groups[j]->id);
	}
	hctx_human_text(h, "\n");
}

static void text_varying(struct hctx_human *h, const struct view *v)
{
	if (v->rep->n_groups < 2)
		return;
	hctx_human_printf(h, "\n%s:%s\n", v->rep->n_by ? "the grouping fields" :
			  "fields that vary across the groups", v->n_fields ? "" : " none");
	for (size_t k = 0; k < v->n_fields; k++) {
		hctx_human_printf(h, "  %s\n", v->fields[k]);
		for (size_t i = 0; i < v->rep->n_groups; i++)
			if (first_with_value(v, i, k))
				text_value_groups(h, v, i, k);
	}
}

static void text_section(struct hctx_human *h, const char *title, const struct section *sec)
{
	hctx_human_printf(h, "\n%s: %zu run%s\n", title, sec->count, sec->count == 1 ? "" : "s");
	size_t shown = sec->n < TEXT_LISTED_RUNS ? sec->n : TEXT_LISTED_RUNS;

	for (size_t i = 0; i < shown; i++) {
		const struct listed_run *lr = &sec->runs[i];

		hctx_human_text(h, "  ");
		hctx_human_value(h, lr->file);
		hctx_human_printf(h, " (group %zu):", lr->group);
		for (size_t k = 0; k < lr->n; k++) {
			hctx_human_text(h, k ? ", " : " ");
			hctx_human_value(h, lr->items[k].name);
			if (lr->items[k].value) {
				hctx_human_text(h, " (");
				hctx_human_value(h, lr->items[k].value);
				hctx_human_text(h, ")");
			}
		}
		if (lr->total > lr->n)
			hctx_human_printf(h, " (%zu in all)", lr->total);
		hctx_human_text(h, "\n");
	}
	if (sec->count > shown)
		hctx_human_printf(h, "  ... and %zu more (--json lists the first %d)\n",
				  sec->count - shown, LISTED_RUNS);
}

static void text_header(struct hctx_human *h, const struct hostctx_report *rep)
{
	hctx_human_printf(h, "%zu run%s in %zu group%s, by ", rep->runs, rep->runs == 1 ? "" : "s",
			  rep->n_groups, rep->n_groups == 1 ? "" : "s");
	if (!rep->n_by)
		hctx_human_text(h, "host configuration");
	for (size_t k = 0; k < rep->n_by; k++)
		hctx_human_printf(h, "%s%s", k ? "," : "", rep->by[k]);
	if (rep->command) {
		hctx_human_text(h, "; command ");
		hctx_human_value(h, rep->command);
	}
	hctx_human_text(h, "\n");
	if (rep->other_command || rep->snapshots || rep->no_snapshot || rep->unreadable)
		hctx_human_printf(h, "left out: %zu of other commands, %zu snapshots, "
				  "%zu records without a snapshot, %zu unreadable files\n",
				  rep->other_command, rep->snapshots, rep->no_snapshot,
				  rep->unreadable);
}

HCTX_EXPORT int hostctx_report_format_text(const struct hostctx_report *rep, char **ret_text)
{
	struct hctx_out o;
	struct view v;
	int r = view_make(rep, &v);

	if (r < 0)
		return r;
	r = hctx_out_open(&o);
	if (r < 0) {
		view_clear(&v);
		return r;
	}
	text_header(&o.h, rep);
	for (size_t i = 0; i < rep->n_groups; i++)
		text_group(&o.h, &v, v.order[i]);
	text_varying(&o.h, &v);
	text_section(&o.h, "drift during the run (changes)", &rep->drift);
	text_section(&o.h, "bad run evidence (run checks warn)", &rep->bad);
	text_section(&o.h, "incomplete records", &rep->incomplete);
	view_clear(&v);
	return hctx_out_finish(&o, ret_text);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_text_or_null(struct hctx_jw *w, const char *s)
{
	if (s)
		hctx_jw_string(w, s);
	else
		hctx_jw_null(w);
}

static void json_count(struct hctx_jw *w, const char *key, size_t n)
{
	hctx_jw_key(w, key);
	hctx_jw_u64(w, n);
}

static void json_tally_item(struct hctx_jw *w, const char *value, bool other, size_t runs,
			    const size_t *drift)
{
	hctx_jw_elem(w);
	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "value");
	json_text_or_null(w, value);
	if (other) {
		hctx_jw_key(w, "other");
		hctx_jw_bool(w, true);
	}
	json_count(w, "runs", runs);
	if (drift)
		json_count(w, "drift", *drift);
	hctx_jw_end(w, '}');
}

static void json_tally(struct hctx_jw *w, const char *key, const struct tally *t,
		       bool with_drift)
{
	hctx_jw_key(w, key);
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < t->n; i++)
		json_tally_item(w, t->v[i].value, false, t->v[i].runs,
				with_drift ? &t->v[i].drift : NULL);
	if (t->other_runs)
		json_tally_item(w, NULL, true, t->other_runs, with_drift ? &t->other_drift : NULL);
	hctx_jw_end(w, ']');
}

static void json_walls(struct hctx_jw *w, const struct wall_stats *st)
{
	hctx_jw_key(w, "wall_seconds");
	hctx_jw_begin(w, '{');
	json_count(w, "count", st->n);
	if (st->n) {
		hctx_jw_key(w, "median");
		hctx_jw_double(w, st->median);
		hctx_jw_key(w, "mean");
		hctx_jw_double(w, st->mean);
		hctx_jw_key(w, "min");
		hctx_jw_double(w, st->min);
		hctx_jw_key(w, "max");
		hctx_jw_double(w, st->max);
	}
	hctx_jw_end(w, '}');
}

static void json_group(struct hctx_jw *w, const struct view *v, const struct group *g)
{
	hctx_jw_elem(w);
	hctx_jw_begin(w, '{');
	json_count(w, "id", g->id);
	json_count(w, "runs", g->runs);
	hctx_jw_key(w, "first_file");
	hctx_jw_string(w, g->first_file);
	hctx_jw_key(w, "values");
	hctx_jw_begin(w, '{');
	for (size_t k = 0; k < v->n_fields; k++) {
		hctx_jw_key(w, v->fields[k]);
		json_text_or_null(w, cell_of(v, g, k));
	}
	hctx_jw_end(w, '}');
	json_tally(w, "machine_types", &g->machines, true);
	json_tally(w, "kernels", &g->kernels, true);
	json_walls(w, &v->stats[g->id - 1]);
	json_tally(w, "exits", &g->exits, false);
	json_count(w, "failures", g->failures);
	json_count(w, "drift", g->drift);
	json_count(w, "bad_evidence", g->bad);
	json_count(w, "incomplete", g->incomplete);
	hctx_jw_end(w, '}');
}

static void json_value_groups(struct hctx_jw *w, const struct view *v, size_t i, size_t k)
{
	const char *value = v->cells[i * v->n_fields + k];

	hctx_jw_elem(w);
	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "value");
	json_text_or_null(w, value);
	json_count(w, "runs", runs_with_value(v, i, k));
	hctx_jw_key(w, "groups");
	hctx_jw_begin(w, '[');
	for (size_t j = i; j < v->rep->n_groups; j++) {
		if (!same_text(v->cells[j * v->n_fields + k], value))
			continue;
		hctx_jw_elem(w);
		hctx_jw_u64(w, v->rep->groups[j]->id);
	}
	hctx_jw_end(w, ']');
	hctx_jw_end(w, '}');
}

static void json_varying(struct hctx_jw *w, const struct view *v)
{
	hctx_jw_key(w, "varying");
	hctx_jw_begin(w, '[');
	for (size_t k = 0; v->rep->n_groups > 1 && k < v->n_fields; k++) {
		hctx_jw_elem(w);
		hctx_jw_begin(w, '{');
		hctx_jw_key(w, "field");
		hctx_jw_string(w, v->fields[k]);
		hctx_jw_key(w, "values");
		hctx_jw_begin(w, '[');
		for (size_t i = 0; i < v->rep->n_groups; i++)
			if (first_with_value(v, i, k))
				json_value_groups(w, v, i, k);
		hctx_jw_end(w, ']');
		hctx_jw_end(w, '}');
	}
	hctx_jw_end(w, ']');
}

/* A listed run's items: drift's fields, bad evidence's checks, the reason. */
static void json_items(struct hctx_jw *w, const char *key, const struct listed_run *lr)
{
	hctx_jw_key(w, key);
	hctx_jw_begin(w, '[');
	for (size_t k = 0; k < lr->n; k++) {
		hctx_jw_elem(w);
		if (strcmp(key, "fields") == 0) {
			hctx_jw_string(w, lr->items[k].name);
			continue;
		}
		hctx_jw_begin(w, '{');
		hctx_jw_key(w, "id");
		hctx_jw_string(w, lr->items[k].name);
		hctx_jw_key(w, "value");
		json_text_or_null(w, lr->items[k].value);
		hctx_jw_end(w, '}');
	}
	hctx_jw_end(w, ']');
}

static void json_section(struct hctx_jw *w, const char *key, const struct section *sec,
			 const char *items)
{
	hctx_jw_key(w, key);
	hctx_jw_begin(w, '{');
	json_count(w, "count", sec->count);
	hctx_jw_key(w, "listed");
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < sec->n; i++) {
		const struct listed_run *lr = &sec->runs[i];

		hctx_jw_elem(w);
		hctx_jw_begin(w, '{');
		hctx_jw_key(w, "file");
		hctx_jw_string(w, lr->file);
		json_count(w, "group", lr->group);
		if (strcmp(items, "fields") == 0)
			json_count(w, "changes", lr->total);
		json_items(w, items, lr);
		hctx_jw_end(w, '}');
	}
	hctx_jw_end(w, ']');
	hctx_jw_end(w, '}');
}

static void json_inputs(struct hctx_jw *w, const struct hostctx_report *rep)
{
	hctx_jw_key(w, "inputs");
	hctx_jw_begin(w, '{');
	json_count(w, "records", rep->records);
	json_count(w, "runs", rep->runs);
	json_count(w, "other_command", rep->other_command);
	json_count(w, "snapshots", rep->snapshots);
	json_count(w, "no_snapshot", rep->no_snapshot);
	json_count(w, "unreadable", rep->unreadable);
	hctx_jw_end(w, '}');
}

static void json_by(struct hctx_jw *w, const struct hostctx_report *rep)
{
	hctx_jw_key(w, "by");
	if (!rep->n_by) {
		hctx_jw_null(w);
		return;
	}
	hctx_jw_begin(w, '[');
	for (size_t k = 0; k < rep->n_by; k++) {
		hctx_jw_elem(w);
		hctx_jw_string(w, rep->by[k]);
	}
	hctx_jw_end(w, ']');
}

static void write_report(struct hctx_jw *w, const void *arg)
{
	const struct view *v = arg;
	const struct hostctx_report *rep = v->rep;

	hctx_jw_begin(w, '{');
	hctx_jw_key(w, "schema");
	hctx_jw_string(w, REPORT_SCHEMA);
	json_by(w, rep);
	hctx_jw_key(w, "command");
	json_text_or_null(w, rep->command);
	json_inputs(w, rep);
	hctx_jw_key(w, "groups");
	hctx_jw_begin(w, '[');
	for (size_t i = 0; i < rep->n_groups; i++)
		json_group(w, v, v->order[i]);
	hctx_jw_end(w, ']');
	json_varying(w, v);
	json_section(w, "drift", &rep->drift, "fields");
	json_section(w, "bad_evidence", &rep->bad, "checks");
	json_section(w, "incomplete", &rep->incomplete, "checks");
	hctx_jw_end(w, '}');
}

HCTX_EXPORT int hostctx_report_to_json(const struct hostctx_report *rep, char **ret_text,
				       size_t *ret_len)
{
	struct view v;
	int r = view_make(rep, &v);

	if (r < 0)
		return r;
	r = hctx_jw_document(write_report, &v, ret_text, ret_len);
	view_clear(&v);
	return r;
}
