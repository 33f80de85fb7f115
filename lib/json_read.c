/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and sidecars from JSON (docs/json-format.md): cJSON parses,
 * then every known key's type is checked, walking the field table and
 * the specs of its rows with one reader per kind.  Unknown keys are
 * ignored.  cJSON keeps numbers as doubles; integers are read exactly
 * from their own text instead (number_text()).
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_DOCUMENT (64u * 1024 * 1024)

/*
 * The text of every number of the document, in document order.  cJSON
 * keeps a number as a double only, which is exact below 2^53; the
 * writer prints 64-bit integers exactly, so the reader takes them from
 * their text.  cJSON builds its tree in document order, so the k-th
 * number node of a depth-first walk is the k-th number token; the walk
 * stores k in the node's valueint, which nothing else here reads.
 */
struct numbers {
	const char *text;
	size_t n, cap;
	size_t *at;	/* offset of each number token */
};

static __thread struct numbers *tls_numbers;

/* Where a scan of JSON text is: inside a string, after a backslash. */
struct string_state {
	bool in_string, escaped;
};

/* Step over byte c: true when it belongs to a string (its quotes included). */
static bool string_byte(struct string_state *st, char c)
{
	if (st->in_string) {
		if (st->escaped)
			st->escaped = false;
		else if (c == '\\')
			st->escaped = true;
		else if (c == '"')
			st->in_string = false;
		return true;
	}
	if (c == '"')
		st->in_string = true;
	return st->in_string;
}

static int scan_numbers(const char *text, size_t len, struct numbers *nums)
{
	struct string_state st = { 0 };

	nums->text = text;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (st.in_string && st.escaped && c == 'u' && len - i >= 5 &&
		    memcmp(text + i + 1, "0000", 4) == 0)
			return -EILSEQ;	/* cJSON would cut the string there */
		if (string_byte(&st, c))
			continue;
		if (c != '-' && (c < '0' || c > '9'))
			continue;
		if (nums->n == nums->cap) {
			size_t cap = nums->cap ? nums->cap * 2 : 64;
			size_t *at = realloc(nums->at, cap * sizeof(*at));

			if (!at)
				return -ENOMEM;
			nums->at = at;
			nums->cap = cap;
		}
		nums->at[nums->n++] = i;
		while (i + 1 < len && strchr("+-.eE0123456789", text[i + 1]))
			i++;
	}
	return 0;
}

static void number_walk(cJSON *item, int *next)
{
	for (; item; item = item->next) {
		if (cJSON_IsNumber(item))
			item->valueint = (*next)++;
		if (item->child)
			number_walk(item->child, next);
	}
}

/* The token of a number node: its start and length. */
static bool number_text(const cJSON *item, const char **ret, size_t *ret_len)
{
	const struct numbers *nums = tls_numbers;
	const char *p;
	size_t len = 0;

	if (!nums || item->valueint < 0 || (size_t)item->valueint >= nums->n)
		return false;
	p = nums->text + nums->at[item->valueint];
	while (strchr("+-.eE0123456789", p[len]) && p[len])
		len++;
	*ret = p;
	*ret_len = len;
	return true;
}

/* ================================================================== */
/* Reading                                                            */
/* ================================================================== */

static int fail(struct hostctx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct hostctx_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void append_bounded(char *buf, size_t size, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (n > size - 1 - *at)
		n = size - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

/*
 * "pre" + "online_cpus" -> "pre.online_cpus", for messages; a path cut
 * short only shortens a message.
 */
static void join_path(char *buf, size_t size, const char *prefix,
		      const char *key)
{
	size_t at = 0;

	buf[0] = '\0';
	if (prefix && *prefix) {
		append_bounded(buf, size, &at, prefix);
		append_bounded(buf, size, &at, ".");
	}
	append_bounded(buf, size, &at, key);
}

/* The member named key; a JSON null counts as absent, as serde's Option. */
static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(item) ? NULL : item;
}

static int want_type(cJSON_bool ok, const char *path, const char *what,
		     struct hostctx_error *err)
{
	if (ok)
		return 0;
	return fail(err, "key \"%s\" is not %s", path, what);
}

static int get_string(const cJSON *item, const char *path,
		      struct hostctx_error *err, char **ret)
{
	char *copy;
	int r = want_type(cJSON_IsString(item), path, "a string", err);

	if (r < 0)
		return r;
	copy = strdup(item->valuestring);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

/* A non-negative integer, exactly from its text (up to 2^64 - 1). */
static int get_u64(const cJSON *item, const char *path,
		   struct hostctx_error *err, uint64_t *ret)
{
	const char *text;
	size_t len;

	if (!cJSON_IsNumber(item) || !number_text(item, &text, &len) ||
	    hctx_parse_u64(text, len, ret) < 0)
		return fail(err, "key \"%s\" is not a non-negative integer", path);
	return 0;
}

/* An integer in [lo, hi], exactly from its text. */
static int get_int(const cJSON *item, const char *path, long long lo,
		   long long hi, struct hostctx_error *err, long long *ret)
{
	const char *text;
	size_t len;
	uint64_t mag;
	bool neg;

	if (!cJSON_IsNumber(item) || !number_text(item, &text, &len))
		goto bad;
	neg = len > 0 && text[0] == '-';
	if (hctx_parse_u64(text + neg, len - neg, &mag) < 0 ||
	    mag > (uint64_t)INT64_MAX + neg)
		goto bad;
	*ret = neg ? (long long)(0 - mag) : (long long)mag;
	if (*ret < lo || *ret > hi)
		goto bad;
	return 0;
bad:
	return fail(err, "key \"%s\" is not an integer in [%lld, %lld]", path, lo, hi);
}

static int get_seconds(const cJSON *item, const char *path,
		       struct hostctx_error *err, double *ret)
{
	double d = cJSON_IsNumber(item) ? item->valuedouble : -1.0;

	if (!(d >= 0.0 && isfinite(d)))
		return fail(err, "key \"%s\" is not a non-negative number", path);
	*ret = d;
	return 0;
}

static int get_bool(const cJSON *item, const char *path,
		    struct hostctx_error *err, bool *ret)
{
	int r = want_type(cJSON_IsBool(item), path, "true or false", err);

	if (r < 0)
		return r;
	*ret = cJSON_IsTrue(item);
	return 0;
}

static int want_object(const cJSON *item, const char *path,
		       struct hostctx_error *err)
{
	return want_type(cJSON_IsObject(item), path, "an object", err);
}

/* ---- values, one reader per kind ------------------------------------ */

typedef int (*read_kind_fn)(const cJSON *item, const char *path,
			    const struct hctx_spec *spec,
			    struct hostctx_error *err, struct hctx_value **ret);
static const read_kind_fn kind_readers[HCTX_KIND_COUNT];

static int read_value(const cJSON *item, const char *path,
		      const struct hctx_spec *spec, struct hostctx_error *err,
		      struct hctx_value **ret)
{
	return kind_readers[spec->kind](item, path, spec, err, ret);
}

static int made(struct hctx_value *v, struct hctx_value **ret)
{
	*ret = v;
	return v ? 0 : -ENOMEM;
}

static int read_string(const cJSON *item, const char *path,
		       const struct hctx_spec *spec, struct hostctx_error *err,
		       struct hctx_value **ret)
{
	int r = want_type(cJSON_IsString(item), path, "a string", err);

	return r < 0 ? r : made(hctx_value_string(item->valuestring), ret);
}

/* One of the row's names: 'key "X" is not one of "a", "b", "c"'. */
static int read_enum(const cJSON *item, const char *path,
		     const struct hctx_spec *spec, struct hostctx_error *err,
		     struct hctx_value **ret)
{
	char list[160] = "";
	size_t at = 0;

	for (const char *const *n = spec->names; *n; n++) {
		if (cJSON_IsString(item) && strcmp(item->valuestring, *n) == 0)
			return made(hctx_value_string(*n), ret);
		append_bounded(list, sizeof(list), &at, n == spec->names ? "\"" : ", \"");
		append_bounded(list, sizeof(list), &at, *n);
		append_bounded(list, sizeof(list), &at, "\"");
	}
	return fail(err, "key \"%s\" is not one of %s", path, list);
}

static int read_u64(const cJSON *item, const char *path,
		    const struct hctx_spec *spec, struct hostctx_error *err,
		    struct hctx_value **ret)
{
	uint64_t v;
	int r = get_u64(item, path, err, &v);

	return r < 0 ? r : made(hctx_value_u64(v), ret);
}

/* A limit: an integer below 2^64 - 1, or "unlimited" (which that value means). */
static int read_limit(const cJSON *item, const char *path,
		      const struct hctx_spec *spec, struct hostctx_error *err,
		      struct hctx_value **ret)
{
	uint64_t v;
	int r;

	if (cJSON_IsString(item)) {
		if (strcmp(item->valuestring, HCTX_UNLIMITED) != 0)
			return fail(err, "key \"%s\" is neither an integer nor \"" HCTX_UNLIMITED
				    "\"", path);
		return made(hctx_value_u64(UINT64_MAX), ret);
	}
	r = get_u64(item, path, err, &v);
	if (r == 0 && v == UINT64_MAX)
		return fail(err, "key \"%s\": 18446744073709551615 is written \"" HCTX_UNLIMITED
			    "\"", path);
	return r < 0 ? r : made(hctx_value_u64(v), ret);
}

static int read_s64(const cJSON *item, const char *path,
		    const struct hctx_spec *spec, struct hostctx_error *err,
		    struct hctx_value **ret)
{
	long long v;
	int r = get_int(item, path, INT64_MIN, INT64_MAX, err, &v);

	return r < 0 ? r : made(hctx_value_s64(v), ret);
}

static int read_bool(const cJSON *item, const char *path,
		     const struct hctx_spec *spec, struct hostctx_error *err,
		     struct hctx_value **ret)
{
	int r = want_type(cJSON_IsBool(item), path, "true or false", err);

	return r < 0 ? r : made(hctx_value_bool(cJSON_IsTrue(item)), ret);
}

static int read_double(const cJSON *item, const char *path,
		       const struct hctx_spec *spec, struct hostctx_error *err,
		       struct hctx_value **ret)
{
	int r = want_type(cJSON_IsNumber(item) && isfinite(item->valuedouble),
			  path, "a number", err);

	return r < 0 ? r : made(hctx_value_double(item->valuedouble), ret);
}

/* Known members by name (null = absent); unknown members are ignored. */
static int read_record(const cJSON *item, const char *path,
		       const struct hctx_spec *spec, struct hostctx_error *err,
		       struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = NULL;
	int r = want_object(item, path, err);

	if (r < 0)
		return r;
	rec = hctx_value_record(spec->n_members);
	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < spec->n_members; i++) {
		const cJSON *m = member(item, spec->members[i].name);
		char sub[HCTX_PATH_MAX];

		if (!m)
			continue;
		join_path(sub, sizeof(sub), path, spec->members[i].name);
		r = read_value(m, sub, spec->members[i].spec, err, &rec->rec.slot[i]);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(rec);
	return 0;
}

static bool is_cpu_key(const char *s)
{
	uint64_t v = 0;

	return hctx_parse_u64(s, strlen(s), &v) == 0 && v < HCTX_CPUSET_MAX;
}

static bool is_cpulist_key(const char *s)
{
	struct hctx_cpuset set = { 0 };
	bool ok = hctx_parse_cpulist(s, strlen(s), &set) == 0;

	hctx_cpuset_clear(&set);
	return ok;
}

/*
 * Map entries of the element kind; of duplicated keys the first wins.
 * Scalar elements keep the messages the first version gave.
 */
static int read_map_entry(const cJSON *e, const char *path,
			  const struct hctx_spec *spec, struct hostctx_error *err,
			  struct hctx_value *map)
{
	struct hctx_value *v = NULL;
	char sub[HCTX_PATH_MAX];
	int r;

	if (spec->kind == HCTX_KIND_CPUMAP && !is_cpu_key(e->string))
		return fail(err, "key \"%s\" has \"%.80s\", which is not a CPU number",
			    path, e->string);
	if (spec->kind == HCTX_KIND_BYCPU && !is_cpulist_key(e->string))
		return fail(err, "key \"%s\" has \"%.80s\", which is not a CPU list",
			    path, e->string);
	if (spec->elem->kind == HCTX_KIND_STRING && !cJSON_IsString(e)) {
		if (spec->kind == HCTX_KIND_CPUMAP)
			return fail(err, "key \"%s\" has a non-string value for CPU %.20s",
				    path, e->string);
		return fail(err, "key \"%s\" has a non-string value for \"%.80s\"",
			    path, e->string);
	}
	join_path(sub, sizeof(sub), path, e->string);
	r = read_value(e, sub, spec->elem, err, &v);
	if (r < 0)
		return r;
	return hctx_map_append(map, e->string, v);
}

static int read_map(const cJSON *item, const char *path,
		    const struct hctx_spec *spec, struct hostctx_error *err,
		    struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = NULL;
	const cJSON *e;
	int r = want_object(item, path, err);

	if (r < 0)
		return r;
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	cJSON_ArrayForEach(e, item) {
		if (cJSON_IsNull(e))
			continue;
		r = read_map_entry(e, path, spec, err, map);
		if (r < 0)
			return r;
	}
	hctx_map_finish(map, spec);
	if (map->map.n == 0 && spec->empty_is_absent)
		return 0;	/* *ret stays NULL: absent */
	*ret = TAKE_PTR(map);
	return 0;
}

static int read_array(const cJSON *item, const char *path,
		      const struct hctx_spec *spec, struct hostctx_error *err,
		      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *arr = NULL;
	const cJSON *e;
	char sub[HCTX_PATH_MAX];
	int r = want_type(cJSON_IsArray(item), path, "an array", err);

	if (r < 0)
		return r;
	arr = hctx_value_array();
	if (!arr)
		return -ENOMEM;
	snprintf(sub, sizeof(sub), "%s[]", path);
	cJSON_ArrayForEach(e, item) {
		struct hctx_value *v = NULL;

		r = read_value(e, sub, spec->elem, err, &v);
		if (r == 0)
			r = hctx_array_append(arr, v);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(arr);
	return 0;
}

static const read_kind_fn kind_readers[HCTX_KIND_COUNT] = {
	[HCTX_KIND_STRING] = read_string,
	[HCTX_KIND_ENUM] = read_enum,
	[HCTX_KIND_U64] = read_u64,
	[HCTX_KIND_LIMIT] = read_limit,
	[HCTX_KIND_S64] = read_s64,
	[HCTX_KIND_BOOL] = read_bool,
	[HCTX_KIND_DOUBLE] = read_double,
	[HCTX_KIND_RECORD] = read_record,
	[HCTX_KIND_STRMAP] = read_map,
	[HCTX_KIND_CPUMAP] = read_map,
	[HCTX_KIND_BYCPU] = read_map,
	[HCTX_KIND_ARRAY] = read_array,
};

/* Every row's key of obj into a new snapshot. */
static int read_snapshot(const cJSON *obj, const char *prefix,
			 struct hostctx_error *err, struct hostctx_snapshot **ret)
{
	struct hostctx_snapshot *s = NULL;
	int r = want_object(obj, prefix && *prefix ? prefix : "(top level)", err);

	if (r == 0)
		r = hostctx_snapshot_new(&s);
	for (size_t i = 0; r == 0 && i < hctx_n_fields; i++) {
		const cJSON *item = member(obj, hctx_fields[i].name);
		char path[HCTX_PATH_MAX];

		if (!item)
			continue;
		join_path(path, sizeof(path), prefix, hctx_fields[i].name);
		r = read_value(item, path, hctx_fields[i].spec, err, &s->values[i]);
	}
	if (r < 0) {
		hostctx_snapshot_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- sidecar ----------------------------------------------------------- */

/* Optional string member into *out (which must be NULL). */
static int read_opt_string(const cJSON *obj, const char *prefix,
			   const char *key, struct hostctx_error *err,
			   char **out)
{
	const cJSON *item = member(obj, key);
	char path[128];

	if (!item)
		return 0;
	join_path(path, sizeof(path), prefix, key);
	return get_string(item, path, err, out);
}

static int read_tool(const cJSON *root, struct hostctx_error *err,
		     struct hostctx_sidecar *sc)
{
	const cJSON *tool = member(root, "tool");
	int r;

	if (!tool)
		return 0;
	r = want_object(tool, "tool", err);
	if (r >= 0)
		r = read_opt_string(tool, "tool", "name", err, &sc->tool_name);
	if (r >= 0)
		r = read_opt_string(tool, "tool", "version", err, &sc->tool_version);
	return r;
}

static int read_argv(const cJSON *argv, struct hostctx_error *err,
		     struct hostctx_sidecar *sc)
{
	const cJSON *e;
	int n, r = want_type(cJSON_IsArray(argv), "command.argv",
			     "an array", err);

	if (r < 0)
		return r;
	n = cJSON_GetArraySize(argv);
	sc->argv = calloc((size_t)n + 1, sizeof(*sc->argv));
	if (!sc->argv)
		return -ENOMEM;
	cJSON_ArrayForEach(e, argv) {
		r = get_string(e, "command.argv[]", err, &sc->argv[sc->argc]);
		if (r < 0)
			return r;
		sc->argc++;
	}
	return 0;
}

static int read_command(const cJSON *root, struct hostctx_error *err,
			struct hostctx_sidecar *sc)
{
	const cJSON *cmd = member(root, "command");
	const cJSON *argv;
	int r;

	if (!cmd)
		return 0;
	r = want_object(cmd, "command", err);
	if (r < 0)
		return r;
	argv = member(cmd, "argv");
	if (argv) {
		r = read_argv(argv, err, sc);
		if (r < 0)
			return r;
	}
	return read_opt_string(cmd, "command", "cwd", err, &sc->cwd);
}

static bool take_digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*ret = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Exactly "YYYY-MM-DDTHH:MM:SS.mmmZ", the form the writer uses. */
static bool parse_timestamp(const char *s, struct timespec *ret)
{
	struct tm tm = { 0 };
	int year, mon, day, hour, min, sec, ms;
	const char *p = s;
	time_t t;

	if (!take_digits(&p, 4, &year) || !take_char(&p, '-') ||
	    !take_digits(&p, 2, &mon) || !take_char(&p, '-') ||
	    !take_digits(&p, 2, &day) || !take_char(&p, 'T') ||
	    !take_digits(&p, 2, &hour) || !take_char(&p, ':') ||
	    !take_digits(&p, 2, &min) || !take_char(&p, ':') ||
	    !take_digits(&p, 2, &sec) || !take_char(&p, '.') ||
	    !take_digits(&p, 3, &ms) || !take_char(&p, 'Z') || *p)
		return false;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	ret->tv_sec = t;
	ret->tv_nsec = (long)ms * 1000000;
	return true;
}

static int read_timestamp(const cJSON *run, const char *key,
			  struct hostctx_error *err, bool *has,
			  struct timespec *out)
{
	const cJSON *item = member(run, key);

	if (!item)
		return 0;
	if (!cJSON_IsString(item) || !parse_timestamp(item->valuestring, out))
		return fail(err, "key \"run.%s\" is not a UTC time like \"2026-01-31T12:00:00.000Z\"",
			    key);
	*has = true;
	return 0;
}

static int read_exit(const cJSON *run, struct hostctx_error *err,
		     struct hctx_exit *out)
{
	const cJSON *ex = member(run, "exit");
	const cJSON *code, *sig, *core;
	long long v = 0;
	int r;

	if (!ex)
		return 0;
	r = want_object(ex, "run.exit", err);
	if (r < 0)
		return r;
	code = member(ex, "code");
	sig = member(ex, "signal");
	if (code) {
		r = get_int(code, "run.exit.code", INT_MIN, INT_MAX, err, &v);
		if (r < 0)
			return r;
		out->kind = HOSTCTX_EXIT_CODE;
		out->code = (int)v;
		return 0;
	}
	if (!sig)
		return fail(err, "key \"run.exit\" has neither \"code\" nor \"signal\"");
	r = get_int(sig, "run.exit.signal", 1, _NSIG - 1, err, &v);
	if (r < 0)
		return r;
	out->kind = HOSTCTX_EXIT_SIGNAL;
	out->signal = (int)v;
	core = member(ex, "core_dumped");
	/* signal_name is derived from the number when written again. */
	return core ? get_bool(core, "run.exit.core_dumped", err, &out->core_dumped) : 0;
}

static int read_rusage(const cJSON *run, const char *key,
		       struct hostctx_error *err, struct hostctx_rusage *out)
{
	const cJSON *ru = member(run, key);
	char prefix[64], path[128];
	int r;

	if (!ru)
		return 0;
	snprintf(prefix, sizeof(prefix), "run.%s", key);
	r = want_object(ru, prefix, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < hctx_n_rusage_json_rows; i++) {
		const cJSON *v = member(ru, hctx_rusage_json_rows[i].name);
		void *p = (char *)out + hctx_rusage_json_rows[i].offset;

		if (!v)
			continue;
		join_path(path, sizeof(path), prefix, hctx_rusage_json_rows[i].name);
		r = hctx_rusage_json_rows[i].seconds ? get_seconds(v, path, err, p)
					   : get_u64(v, path, err, p);
		if (r < 0)
			return r;
	}
	out->present = true;
	return 0;
}

/* run.pid (1 to INT_MAX, as pid_t) and its run.pid_start_ticks, both or neither. */
static int read_run_process(const cJSON *run, struct hostctx_error *err,
			    struct hostctx_sidecar *sc)
{
	const cJSON *pid = member(run, "pid"), *start = member(run, "pid_start_ticks");
	uint64_t p = 0, t = 0;
	int r;

	if (!pid && !start)
		return 0;
	if (!pid || !start)
		return fail(err, "run.pid and run.pid_start_ticks go together");
	r = get_u64(pid, "run.pid", err, &p);
	if (r >= 0)
		r = get_u64(start, "run.pid_start_ticks", err, &t);
	if (r < 0)
		return r;
	if (p == 0 || p > INT_MAX)
		return fail(err, "run.pid: not a process id");
	sc->pid = (long)p;
	sc->pid_start_ticks = t;
	return 0;
}

static int read_run_numbers(const cJSON *run, struct hostctx_error *err,
			    struct hostctx_sidecar *sc)
{
	const cJSON *item = member(run, "wall_seconds");
	uint64_t left = 0;
	int r;

	if (item) {
		r = get_seconds(item, "run.wall_seconds", err, &sc->wall_seconds);
		if (r < 0)
			return r;
		sc->has_wall_seconds = true;
	}
	item = member(run, "descendants_left");
	if (item) {
		r = get_u64(item, "run.descendants_left", err, &left);
		if (r < 0)
			return r;
		sc->descendants_left = (long long)left;
	}
	return read_run_process(run, err, sc);
}

/* run.refused: one of the reasons the writer knows. */
static int read_refused(const cJSON *run, struct hostctx_error *err,
			struct hostctx_sidecar *sc)
{
	_cleanup_free_ char *why = NULL;
	int r = read_opt_string(run, "run", "refused", err, &why);

	if (r < 0 || !why)
		return r;
	if (hostctx_sidecar_set_refused(sc, why) < 0)
		return fail(err, "run.refused: unknown reason");
	return 0;
}

static int read_run(const cJSON *root, struct hostctx_error *err,
		    struct hostctx_sidecar *sc)
{
	const cJSON *run = member(root, "run");
	int r;

	if (!run)
		return 0;
	r = want_object(run, "run", err);
	if (r >= 0)
		r = read_timestamp(run, "started_at", err, &sc->has_started_at,
				   &sc->started_at);
	if (r >= 0)
		r = read_timestamp(run, "ended_at", err, &sc->has_ended_at,
				   &sc->ended_at);
	if (r >= 0)
		r = read_run_numbers(run, err, sc);
	if (r >= 0)
		r = read_exit(run, err, &sc->exit);
	if (r >= 0)
		r = read_opt_string(run, "run", "exec_error", err, &sc->exec_error);
	if (r >= 0)
		r = read_refused(run, err, sc);
	if (r >= 0)
		r = read_rusage(run, "rusage", err, &sc->rusage);
	if (r >= 0)
		r = read_rusage(run, "rusage_children", err, &sc->rusage_children);
	return r;
}

static int read_side(const cJSON *root, const char *key,
		     struct hostctx_error *err, struct hostctx_snapshot **s)
{
	const cJSON *item = member(root, key);

	if (!item)
		return 0;
	return read_snapshot(item, key, err, s);
}

/* "mode" is one of the two producers' names. */
static int read_mode(const cJSON *root, struct hostctx_error *err,
		     struct hostctx_sidecar *sc)
{
	static const char *const modes[] = { "wrapper", "preload", NULL };
	static const struct hctx_spec mode_spec = { .kind = HCTX_KIND_ENUM,
						    .names = modes };
	const cJSON *item = member(root, "mode");
	struct hctx_value *v = NULL;
	int r;

	if (!item)
		return 0;
	r = read_enum(item, "mode", &mode_spec, err, &v);
	if (r < 0)
		return r;
	r = hostctx_sidecar_set_mode(sc, v->s);
	hctx_value_free(v);
	return r;
}

/* One "writes" entry: path and seconds, the writer when known. */
static int read_write_entry(const cJSON *e, struct hostctx_error *err,
			    struct hostctx_sidecar *sc)
{
	const cJSON *path = member(e, "path"), *pid = member(e, "pid");
	const cJSON *by = member(e, "by_command"), *secs = member(e, "seconds");
	_cleanup_free_ char *comm = NULL;
	bool by_command = false;
	uint64_t p = 0;
	double seconds = 0;
	int r = want_object(e, "writes[]", err);

	if (r < 0)
		return r;
	if (!cJSON_IsString(path) || path->valuestring[0] != '/')
		return fail(err, "key \"writes[].path\" is not an absolute path");
	if (!secs)
		return fail(err, "key \"writes[].seconds\" is missing");
	r = get_seconds(secs, "writes[].seconds", err, &seconds);
	if (r >= 0 && pid) {
		r = get_u64(pid, "writes[].pid", err, &p);
		if (r >= 0 && (p == 0 || p > INT_MAX))
			r = fail(err, "writes[].pid: not a process id");
	}
	if (r >= 0)
		r = read_opt_string(e, "writes[]", "comm", err, &comm);
	if (r >= 0 && by)
		r = get_bool(by, "writes[].by_command", err, &by_command);
	if (r < 0)
		return r;
	return hostctx_sidecar_add_write(sc, path->valuestring, (long)p, comm,
					 by ? by_command : -1, seconds);
}

/* --watch-writes: writes_source, writes (the cap applies), the counts. */
static int read_writes(const cJSON *root, struct hostctx_error *err,
		       struct hostctx_sidecar *sc)
{
	const cJSON *source = member(root, "writes_source"), *writes = member(root, "writes");
	const cJSON *omitted = member(root, "writes_omitted");
	const cJSON *overflowed = member(root, "writes_overflowed");
	const cJSON *unwatched = member(root, "writes_unwatched");
	const cJSON *all_watched = member(root, "writes_all_watched_at");
	const cJSON *sources_only = member(root, "writes_sources_only");
	uint64_t n = 0;
	double at = 0;
	bool b = false;
	const cJSON *e;
	int r = 0;

	if (!source)
		return writes ? fail(err, "key \"writes\" without \"writes_source\"") : 0;
	if (!cJSON_IsString(source) ||
	    hostctx_sidecar_set_writes_source(sc, source->valuestring) < 0)
		return fail(err, "key \"writes_source\" is neither \"fanotify\" nor \"inotify\"");
	if (writes) {
		r = want_type(cJSON_IsArray(writes), "writes", "an array", err);
		cJSON_ArrayForEach(e, writes) {
			if (r < 0)
				break;
			r = read_write_entry(e, err, sc);
		}
	}
	if (r >= 0 && omitted && (r = get_u64(omitted, "writes_omitted", err, &n)) >= 0)
		sc->writes.omitted += n;
	if (r >= 0 && overflowed && (r = get_bool(overflowed, "writes_overflowed", err, &b)) >= 0)
		sc->writes.overflowed = b;
	if (r >= 0 && unwatched && (r = get_u64(unwatched, "writes_unwatched", err, &n)) >= 0)
		sc->writes.unwatched = n;
	if (r >= 0 && all_watched &&
	    (r = get_seconds(all_watched, "writes_all_watched_at", err, &at)) >= 0)
		hostctx_sidecar_set_writes_all_watched_at(sc, at);
	if (r >= 0 && sources_only &&
	    (r = get_bool(sources_only, "writes_sources_only", err, &b)) >= 0)
		sc->writes.sources_only = b;
	return r;
}

static int read_sidecar(const cJSON *root, struct hostctx_error *err,
			struct hostctx_sidecar *sc)
{
	const cJSON *complete = member(root, "complete");
	int r = read_tool(root, err, sc);

	if (r >= 0)
		r = read_mode(root, err, sc);
	if (r >= 0 && complete)
		r = get_bool(complete, "complete", err, &sc->complete);
	if (r >= 0)
		r = read_command(root, err, sc);
	if (r >= 0)
		r = read_run(root, err, sc);
	if (r >= 0)
		r = read_side(root, "pre", err, &sc->pre);
	if (r >= 0)
		r = read_side(root, "post", err, &sc->post);
	if (r >= 0)
		r = read_writes(root, err, sc);
	/* "changes" (and its "written_by") is derived from pre, post and
	 * writes: not read back. */
	return r;
}

/* ---- the document ------------------------------------------------------ */

/*
 * Whether text ends inside a string, object or array: a parse error
 * there means the document was cut short rather than malformed.
 */
static bool ends_unfinished(const char *text, size_t len)
{
	struct string_state st = { 0 };
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (string_byte(&st, c))
			continue;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return st.in_string || depth > 0;
}

static bool is_json_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_blanks(const char *text, size_t len, size_t at)
{
	while (at < len && is_json_blank(text[at]))
		at++;
	return at;
}

/* The cJSON tree of text, or -EINVAL with the reason in err. */
static int parse_tree(const char *text, size_t len, struct hostctx_error *err,
		      cJSON **ret)
{
	const char *nul, *end = NULL;
	cJSON *root;
	size_t at;

	if (skip_blanks(text, len, 0) == len)
		return fail(err, "empty document");
	nul = memchr(text, '\0', len);
	if (nul)
		return fail(err, "binary data, not JSON (NUL byte at offset %zu)",
			    (size_t)(nul - text));
	if (!hctx_is_utf8(text, len))
		return fail(err, "binary data, not JSON (not UTF-8 text)");
	/*
	 * Length-bounded parse without cJSON's require_null_terminated,
	 * which in 1.7.x needs the NUL inside the length; trailing data is
	 * checked by hand below instead.
	 */
	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		if (ends_unfinished(text, len))
			return fail(err, "truncated JSON (the document ends early)");
		at = end && end >= text ? (size_t)(end - text) : 0;
		return fail(err, "not JSON (parse error near byte %zu)", at);
	}
	at = skip_blanks(text, len, (size_t)(end - text));
	if (at < len) {
		cJSON_Delete(root);
		return fail(err, "not JSON (unexpected data after the end, at byte %zu)",
			    at);
	}
	*ret = root;
	return 0;
}

/* A key of the field table, even with a null value. */
static bool has_known_field(const cJSON *obj)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (cJSON_GetObjectItemCaseSensitive(obj, hctx_fields[i].name))
			return true;
	return false;
}

/* The reference's HostContextSnapshots: {"pre": {...}, "post": {...}}. */
static bool is_reference_pair(const cJSON *obj)
{
	return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "pre")) ||
	       cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "post"));
}

/*
 * Read as a record with its two snapshots and nothing of a run, so
 * that everything reading records reads it (docs/json-format.md,
 * "What the reader accepts").
 */
static int read_reference_pair(const cJSON *root, struct hostctx_error *err,
			       struct hostctx_document *doc)
{
	struct hostctx_sidecar *sc = NULL;
	int r = hostctx_sidecar_new(&sc);

	if (r < 0)
		return r;
	doc->sidecar = sc;
	doc->origin = HCTX_ORIGIN_PAIR;
	sc->reference_pair = true;
	sc->complete = true;
	r = read_side(root, "pre", err, &sc->pre);
	if (r >= 0)
		r = read_side(root, "post", err, &sc->post);
	return r;
}

static int read_document(const cJSON *root, struct hostctx_error *err,
			 struct hostctx_document *doc)
{
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	const cJSON *host;
	int r;

	if (!cJSON_IsObject(root))
		return fail(err, "top level is not an object");
	if (schema) {
		if (!cJSON_IsString(schema))
			return fail(err, "key \"schema\" is not a string");
		if (strcmp(schema->valuestring, HOSTCTX_SIDECAR_SCHEMA) != 0)
			return fail(err, "unknown schema \"%.100s\" (expected \"%s\")",
				    schema->valuestring, HOSTCTX_SIDECAR_SCHEMA);
		doc->origin = HCTX_ORIGIN_RECORD;
		r = hostctx_sidecar_new(&doc->sidecar);
		return r < 0 ? r : read_sidecar(root, err, doc->sidecar);
	}
	/* A reference (ktstr) sidecar carries the snapshot as "host". */
	host = cJSON_GetObjectItemCaseSensitive(root, "host");
	if (cJSON_IsObject(host)) {
		doc->origin = HCTX_ORIGIN_KTSTR;
		return read_snapshot(host, "host", err, &doc->snapshot);
	}
	if (!has_known_field(root)) {
		if (is_reference_pair(root))
			return read_reference_pair(root, err, doc);
		if (root->child)
			return fail(err, "not a hostctx snapshot or sidecar (no key of one)");
	}
	doc->origin = HCTX_ORIGIN_SNAPSHOT;
	return read_snapshot(root, NULL, err, &doc->snapshot);
}

/* Number tokens for exact integers, and no escaped NUL in any string. */
static int prepare_numbers(const char *text, size_t len, cJSON *root,
			   struct hostctx_error *err, struct numbers *nums)
{
	int next = 0;
	int r = scan_numbers(text, len, nums);

	if (r == -EILSEQ)
		return fail(err, "a string holds an escaped NUL (\\u0000)");
	if (r < 0)
		return r;
	number_walk(root, &next);
	if ((size_t)next != nums->n)
		return fail(err, "not JSON (numbers do not match their text)");
	return 0;
}

HCTX_EXPORT int hostctx_document_parse(const char *text, size_t len,
				       struct hostctx_document **ret,
				       struct hostctx_error *err)
{
	struct numbers nums = { 0 };
	struct hostctx_document *doc;
	cJSON *root = NULL;
	int r;

	if (!text && len > 0)
		return -EINVAL;
	r = parse_tree(text ? text : "", len, err, &root);
	if (r < 0)
		return r;
	doc = calloc(1, sizeof(*doc));
	r = doc ? prepare_numbers(text ? text : "", len, root, err, &nums) : -ENOMEM;
	if (r == 0) {
		tls_numbers = &nums;
		r = read_document(root, err, doc);
		tls_numbers = NULL;
	}
	cJSON_Delete(root);
	free(nums.at);
	if (r == -ENOMEM)
		fail(err, "out of memory");
	if (r < 0) {
		hostctx_document_free(doc);
		return r;
	}
	*ret = doc;
	return 0;
}

/* ---- files ------------------------------------------------------------- */

static int read_errno(struct hostctx_error *err, int errnum)
{
	if (err)
		snprintf(err->message, sizeof(err->message), "cannot read: %s",
			 strerror(errnum));
	return -errnum;
}

/* All of fd, up to MAX_DOCUMENT bytes. */
static int slurp(int fd, size_t hint, struct hostctx_error *err,
		 char **ret, size_t *ret_len)
{
	size_t cap = hint < MAX_DOCUMENT ? hint + 1 : MAX_DOCUMENT + 1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (cap < 4096)
		cap = 4096;
	buf = malloc(cap);
	if (!buf)
		return read_errno(err, ENOMEM);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			if (cap > MAX_DOCUMENT)
				break;
			cap = cap * 2 > MAX_DOCUMENT + 1 ? MAX_DOCUMENT + 1 : cap * 2;
			bigger = realloc(buf, cap);
			if (!bigger)
				return read_errno(err, ENOMEM);
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return read_errno(err, errno);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_DOCUMENT) {
		fail(err, "file too large (more than 64 MiB)");
		return -EFBIG;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

HCTX_EXPORT int hostctx_document_load(const char *path,
				      struct hostctx_document **ret_doc,
				      struct hostctx_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	/* O_NONBLOCK: a FIFO without a writer must not hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return read_errno(err, errno);
	if (fstat(fd, &st) < 0)
		return read_errno(err, errno);
	if (S_ISDIR(st.st_mode))
		return read_errno(err, EISDIR);
	if (!S_ISREG(st.st_mode))
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	r = slurp(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, err,
		  &text, &len);
	if (r < 0)
		return r;
	return hostctx_document_parse(text, len, ret_doc, err);
}
