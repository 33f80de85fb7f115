/* SPDX-License-Identifier: MIT */
/*
 * junit_props.c - the curated, short properties `hostctx junit` puts in
 * a JUnit file: what a reader of test results needs to tell two runs'
 * hosts apart at a glance, not the record (hostctx.sidecar names it).
 * Host values come from the pre snapshot: the state the tests ran in.
 */
#include "junit.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static int add(struct junit_properties *p, const char *suffix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add(struct junit_properties *p, const char *suffix, const char *fmt, ...)
{
	struct junit_property *items;
	char *name = NULL, *value = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (asprintf(&name, JUNIT_PROPERTY_PREFIX "%s", suffix) < 0) {
		free(value);
		return -ENOMEM;
	}
	items = realloc(p->items, (p->n + 1) * sizeof(*items));
	if (!items) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	p->items = items;
	p->items[p->n++] = (struct junit_property){ .name = name, .value = value };
	return 0;
}

void junit_properties_clear(struct junit_properties *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].value);
	}
	free(p->items);
	*p = (struct junit_properties){ 0 };
}

/* A string field of s, when it is there. */
static int add_string(struct junit_properties *p, const char *suffix,
		      const struct hostctx_snapshot *s, const char *path)
{
	const char *v;

	if (!s || hostctx_snapshot_get_string(s, path, &v) < 0)
		return 0;
	return add(p, suffix, "%s", v);
}

/* "0", "SIGKILL", "SIGSEGV core dumped", "exec ENOENT", "refused check". */
static int add_exit(struct junit_properties *p, const struct hostctx_sidecar *sc)
{
	const char *name;
	bool core;
	int code, sig;

	if (hostctx_sidecar_refused(sc))
		return add(p, "exit", "refused %s", hostctx_sidecar_refused(sc));
	if (hostctx_sidecar_exec_error(sc))
		return add(p, "exit", "exec %s", hostctx_sidecar_exec_error(sc));
	switch (hostctx_sidecar_exit(sc, &code, &sig, &core)) {
	case HOSTCTX_EXIT_CODE:
		return add(p, "exit", "%d", code);
	case HOSTCTX_EXIT_SIGNAL:
		name = hostctx_signal_name(sig);
		if (name)
			return add(p, "exit", "%s%s", name, core ? " core dumped" : "");
		return add(p, "exit", "signal %d%s", sig, core ? " core dumped" : "");
	case HOSTCTX_EXIT_NONE:
		break;
	}
	return 0;	/* in progress: not known */
}

/* The CPU numbers of a by-CPU map, and each one's value. */
struct cpu_value {
	unsigned long cpu;
	const char *value;
};

static int cmp_cpu(const void *a, const void *b)
{
	const struct cpu_value *x = a, *y = b;

	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

static int read_cpu_values(const struct hostctx_snapshot *s, const char *field,
			   struct cpu_value **ret, size_t *ret_n)
{
	_cleanup_free_ const char **keys = NULL;
	_cleanup_free_ struct cpu_value *v = NULL;
	size_t n_keys = 0, n = 0;
	int r;

	r = hostctx_snapshot_keys(s, field, &keys, &n_keys);
	if (r < 0)
		return r == -ENOENT || r == -EINVAL ? 0 : r;
	v = calloc(n_keys ? n_keys : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n_keys; i++) {
		_cleanup_free_ char *path = NULL;
		char *end;
		unsigned long cpu = strtoul(keys[i], &end, 10);

		if (!keys[i][0] || *end)
			continue;	/* not a CPU number: not a by-CPU entry */
		if (asprintf(&path, "%s.%s", field, keys[i]) < 0) {
			path = NULL;	/* undefined after a failure */
			return -ENOMEM;
		}
		if (hostctx_snapshot_get_string(s, path, &v[n].value) == 0)
			v[n++].cpu = cpu;
	}
	qsort(v, n, sizeof(*v), cmp_cpu);
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

/* Append the CPUs of v whose value is value as a list: "0-3,6". */
static void append_cpus_of(FILE *f, const struct cpu_value *v, size_t n,
			   const char *value)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (strcmp(v[i].value, value) != 0)
			continue;
		while (j + 1 < n && v[j + 1].cpu == v[j].cpu + 1 &&
		       strcmp(v[j + 1].value, value) == 0)
			j++;
		fprintf(f, "%s%lu", first ? "" : ",", v[i].cpu);
		if (j > i)
			fprintf(f, "-%lu", v[j].cpu);
		first = false;
		i = j;
	}
}

static bool seen_before(const struct cpu_value *v, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(v[k].value, v[i].value) == 0)
			return true;
	return false;
}

/*
 * The governors in short form: "performance" when every CPU has the
 * same, else each with its CPUs, "powersave 0-1, performance 2-3".
 */
static int add_governor(struct junit_properties *p, const struct hostctx_snapshot *s)
{
	_cleanup_free_ struct cpu_value *v = NULL;
	_cleanup_free_ char *text = NULL;
	size_t n = 0, size = 0, groups = 0;
	FILE *f;
	int r;

	if (!s)
		return 0;
	r = read_cpu_values(s, "cpufreq_governor", &v, &n);
	if (r < 0 || n == 0)
		return r;
	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (seen_before(v, i))
			continue;
		fprintf(f, "%s%s ", groups++ ? ", " : "", v[i].value);
		append_cpus_of(f, v, n, v[i].value);
	}
	if (fclose(f) != 0 || !text)
		return -ENOMEM;
	if (groups == 1)	/* one governor: its name alone */
		text[strlen(v[0].value)] = '\0';
	return add(p, "governor", "%s", text);
}

/* "on" or "off": cpufreq's boost, else intel_pstate's no_turbo inverted. */
static int add_boost(struct junit_properties *p, const struct hostctx_snapshot *s)
{
	bool b;

	if (!s)
		return 0;
	if (hostctx_snapshot_get_bool(s, "cpufreq_boost", &b) == 0)
		return add(p, "boost", "%s", b ? "on" : "off");
	if (hostctx_snapshot_get_bool(s, "intel_pstate.no_turbo", &b) == 0)
		return add(p, "boost", "%s", b ? "off" : "on");
	return 0;
}

/* How many changes between pre and post (hostctx diff's count). */
static int add_changes(struct junit_properties *p, const struct hostctx_snapshot *pre,
		       const struct hostctx_snapshot *post)
{
	_cleanup_changes_ struct hostctx_changes *c = NULL;
	int r;

	if (!pre || !post)
		return 0;
	r = hostctx_diff(pre, post, &c);
	if (r < 0)
		return r;
	return add(p, "changes", "%zu", hostctx_changes_count(c));
}

/* The ids of the report's warnings, comma-separated. */
static int warning_ids(const struct hostctx_check_report *rep, char **ret)
{
	char *text = NULL;
	size_t size = 0, n = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < hostctx_check_report_count(rep); i++)
		if (hostctx_check_result_status(rep, i) == HOSTCTX_CHECK_WARN)
			fprintf(f, "%s%s", n++ ? "," : "", hostctx_check_result_id(rep, i));
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

/* hostctx check's warnings on the record (default profile): count and ids. */
static int add_check(struct junit_properties *p, const struct hostctx_sidecar *sc)
{
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	_cleanup_free_ char *ids = NULL;
	size_t warnings;
	int r;

	r = hostctx_check_config_new(&cfg);
	if (r == 0)
		r = hostctx_check_sidecar(cfg, sc, &rep);
	if (r == 0) {
		warnings = hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN);
		r = add(p, "check.warnings", "%zu", warnings);
		if (r == 0 && warnings > 0)
			r = warning_ids(rep, &ids);
		if (r == 0 && ids)
			r = add(p, "check.warning_ids", "%s", ids);
	}
	hostctx_check_report_free(rep);
	hostctx_check_config_free(cfg);
	return r == -ENODATA ? 0 : r;	/* no pre snapshot: nothing to check */
}

int junit_properties_from_sidecar(const struct hostctx_sidecar *sc,
				  const char *sidecar_name,
				  struct junit_properties *ret)
{
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	const struct hostctx_snapshot *post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	struct junit_properties p = { 0 };
	int r;

	r = add(&p, "version", "%s", hostctx_sidecar_tool_version(sc) ?
					     hostctx_sidecar_tool_version(sc) : "unknown");
	if (r == 0)
		r = add(&p, "sidecar", "%s", sidecar_name);
	if (r == 0)
		r = add(&p, "complete", "%s", hostctx_sidecar_complete(sc) ? "true" : "false");
	if (r == 0)
		r = add_exit(&p, sc);
	if (r == 0)
		r = add_string(&p, "kernel", pre, "kernel_release");
	if (r == 0)
		r = add_string(&p, "cpu_model", pre, "cpu_model");
	if (r == 0)
		r = add_governor(&p, pre);
	if (r == 0)
		r = add_boost(&p, pre);
	if (r == 0)
		r = add_changes(&p, pre, post);
	if (r == 0)
		r = add_check(&p, sc);
	if (r < 0) {
		junit_properties_clear(&p);
		return r;
	}
	*ret = p;
	return 0;
}
