/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and sidecars from JSON (CONTRACT §2, §3, §5;
 * docs/json-format.md): cJSON parses, then every known key's type is
 * checked, walking the field table.  Unknown keys are ignored.
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
#define MAX_EXACT_U64 (UINT64_C(1) << 53)	/* cJSON keeps doubles */

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

/*
 * Integral, >= 0 and < 2^53.  cJSON keeps doubles: the text 2^53 + 1
 * reads as 2^53, so 2^53 itself is refused too, as it may stand for a
 * value that was rounded (JavaScript's MAX_SAFE_INTEGER rule).
 */
static int get_u64(const cJSON *item, const char *path,
		   struct hostctx_error *err, uint64_t *ret)
{
	double d = cJSON_IsNumber(item) ? item->valuedouble : -1.0;

	if (!(d >= 0.0 && d < (double)MAX_EXACT_U64) || d != (double)(uint64_t)d)
		return fail(err, "key \"%s\" is not a non-negative integer (below 2^53)",
			    path);
	*ret = (uint64_t)d;
	return 0;
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

static int get_int(const cJSON *item, const char *path, long long lo,
		   long long hi, struct hostctx_error *err, long long *ret)
{
	double d = cJSON_IsNumber(item) ? item->valuedouble : NAN;

	if (!(d >= (double)lo && d <= (double)hi) || d != (double)(long long)d)
		return fail(err, "key \"%s\" is not an integer in [%lld, %lld]",
			    path, lo, hi);
	*ret = (long long)d;
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

/* ---- snapshot fields ------------------------------------------------ */

static int read_u64_field(const cJSON *item, const char *path,
			  struct hostctx_error *err, struct hostctx_u64 *out)
{
	uint64_t v = 0;
	int r = get_u64(item, path, err, &v);

	if (r < 0)
		return r;
	out->present = true;
	out->value = v;
	return 0;
}

static int read_delayacct(const cJSON *item, const char *path,
			  struct hostctx_error *err, enum hostctx_delayacct *out)
{
	for (int v = HOSTCTX_DELAYACCT_CONFIG_OFF; v <= HOSTCTX_DELAYACCT_ON; v++) {
		if (cJSON_IsString(item) &&
		    strcmp(item->valuestring, hostctx_delayacct_json_name(v)) == 0) {
			*out = v;
			return 0;
		}
	}
	return fail(err, "key \"%s\" is not one of \"config_off\", \"runtime_off\", \"on\"",
		    path);
}

static int read_xacct(const cJSON *item, const char *path,
		      struct hostctx_error *err, enum hostctx_xacct *out)
{
	for (int v = HOSTCTX_XACCT_ON; v <= HOSTCTX_XACCT_UNKNOWN; v++) {
		if (cJSON_IsString(item) &&
		    strcmp(item->valuestring, hostctx_xacct_name(v)) == 0) {
			*out = v;
			return 0;
		}
	}
	return fail(err, "key \"%s\" is not one of \"on\", \"off\", \"unknown\"", path);
}

/* Map entries: strings only; of duplicated keys the first wins. */
static int read_kvmap(const cJSON *item, const char *path,
		      struct hostctx_error *err, struct hostctx_kvmap *out)
{
	const cJSON *e;
	int r = want_object(item, path, err);

	if (r < 0)
		return r;
	out->present = true;
	cJSON_ArrayForEach(e, item) {
		if (!cJSON_IsString(e))
			return fail(err, "key \"%s\" has a non-string value for \"%.80s\"",
				    path, e->string);
		if (hostctx_kvmap_get(out, e->string))
			continue;
		r = hostctx_kvmap_set(out, e->string, e->valuestring);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool parse_cpu_id(const char *s, unsigned *ret)
{
	uint64_t v = 0;

	if (hctx_parse_u64(s, strlen(s), &v) < 0 || v >= HCTX_CPUSET_MAX)
		return false;
	*ret = (unsigned)v;
	return true;
}

static int read_govmap(const cJSON *item, const char *path,
		       struct hostctx_error *err, struct hostctx_govmap *out)
{
	const cJSON *e;
	int r = want_object(item, path, err);

	if (r < 0)
		return r;
	cJSON_ArrayForEach(e, item) {
		unsigned cpu;

		if (!parse_cpu_id(e->string, &cpu))
			return fail(err, "key \"%s\" has \"%.80s\", which is not a CPU number",
				    path, e->string);
		if (!cJSON_IsString(e))
			return fail(err, "key \"%s\" has a non-string value for CPU %u",
				    path, cpu);
		if (hostctx_govmap_get(out, cpu))
			continue;
		r = hostctx_govmap_set(out, cpu, e->valuestring);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_heap(const cJSON *item, const char *path,
		     struct hostctx_error *err, struct hostctx_heap **out)
{
	_cleanup_free_ struct hostctx_heap *h = NULL;
	int r = want_object(item, path, err);

	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < hctx_n_heap_json_rows; i++) {
		const cJSON *v = member(item, hctx_heap_json_rows[i].name);
		char sub[128];

		if (!v)
			continue;
		join_path(sub, sizeof(sub), path, hctx_heap_json_rows[i].name);
		r = read_u64_field(v, sub, err, hctx_heap_row(h, i));
		if (r < 0)
			return r;
	}
	*out = TAKE_PTR(h);
	return 0;
}

static int read_field(const cJSON *obj, const struct hctx_field *f,
		      const char *prefix, struct hostctx_error *err,
		      struct hostctx_snapshot *s)
{
	const cJSON *item = member(obj, f->name);
	void *p = HCTX_FIELD(s, f);
	char path[128];

	if (!item)
		return 0;
	join_path(path, sizeof(path), prefix, f->name);
	switch (f->kind) {
	case HCTX_KIND_STRING:
		return get_string(item, path, err, p);
	case HCTX_KIND_U64:
		return read_u64_field(item, path, err, p);
	case HCTX_KIND_DELAYACCT:
		return read_delayacct(item, path, err, p);
	case HCTX_KIND_XACCT:
		return read_xacct(item, path, err, p);
	case HCTX_KIND_KVMAP:
		return read_kvmap(item, path, err, p);
	case HCTX_KIND_GOVMAP:
		return read_govmap(item, path, err, p);
	case HCTX_KIND_HEAP:
		return read_heap(item, path, err, p);
	}
	return 0;
}

/* Fill s (initialised, empty) from obj; the caller clears s on failure. */
static int read_snapshot(const cJSON *obj, const char *prefix,
			 struct hostctx_error *err, struct hostctx_snapshot *s)
{
	int r = want_object(obj, prefix && *prefix ? prefix : "(top level)", err);

	for (size_t i = 0; r >= 0 && i < hctx_n_fields; i++)
		r = read_field(obj, &hctx_fields[i], prefix, err, s);
	return r;
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
		     struct hostctx_exit *out)
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
		r = read_rusage(run, "rusage", err, &sc->rusage);
	if (r >= 0)
		r = read_rusage(run, "rusage_children", err, &sc->rusage_children);
	return r;
}

static int read_side(const cJSON *root, const char *key,
		     struct hostctx_error *err, bool *has,
		     struct hostctx_snapshot *s)
{
	const cJSON *item = member(root, key);
	int r;

	if (!item)
		return 0;
	r = read_snapshot(item, key, err, s);
	if (r >= 0)
		*has = true;
	return r;
}

static int read_sidecar(const cJSON *root, struct hostctx_error *err,
			struct hostctx_sidecar *sc)
{
	const cJSON *complete = member(root, "complete");
	int r = read_tool(root, err, sc);

	if (r >= 0)
		r = read_opt_string(root, NULL, "mode", err, &sc->mode);
	if (r >= 0 && complete)
		r = get_bool(complete, "complete", err, &sc->complete);
	if (r >= 0)
		r = read_command(root, err, sc);
	if (r >= 0)
		r = read_run(root, err, sc);
	if (r >= 0)
		r = read_side(root, "pre", err, &sc->has_pre, &sc->pre);
	if (r >= 0)
		r = read_side(root, "post", err, &sc->has_post, &sc->post);
	/* "changes" is derived from pre and post: not read back. */
	return r;
}

/* ---- the document ------------------------------------------------------ */

/*
 * Whether text ends inside a string, object or array: a parse error
 * there means the document was cut short rather than malformed.
 */
static bool ends_unfinished(const char *text, size_t len)
{
	size_t depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return in_string || depth > 0;
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

static int read_document(const cJSON *root, struct hostctx_error *err,
			 struct hostctx_document *doc)
{
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	const cJSON *host;

	if (!cJSON_IsObject(root))
		return fail(err, "top level is not an object");
	if (schema) {
		if (!cJSON_IsString(schema))
			return fail(err, "key \"schema\" is not a string");
		if (strcmp(schema->valuestring, HOSTCTX_SIDECAR_SCHEMA) != 0)
			return fail(err, "unknown schema \"%.100s\" (expected \"%s\")",
				    schema->valuestring, HOSTCTX_SIDECAR_SCHEMA);
		doc->is_sidecar = true;
		return read_sidecar(root, err, &doc->sidecar);
	}
	/* A reference (ktstr) sidecar carries the snapshot as "host". */
	host = cJSON_GetObjectItemCaseSensitive(root, "host");
	if (cJSON_IsObject(host))
		return read_snapshot(host, "host", err, &doc->snapshot);
	return read_snapshot(root, NULL, err, &doc->snapshot);
}

HCTX_EXPORT int hostctx_document_parse(const char *text, size_t len,
				       struct hostctx_document *ret_doc,
				       struct hostctx_error *err)
{
	struct hostctx_document doc;
	cJSON *root = NULL;
	int r;

	if (!text && len > 0)
		return -EINVAL;
	r = parse_tree(text ? text : "", len, err, &root);
	if (r < 0)
		return r;
	hostctx_document_init(&doc);
	r = read_document(root, err, &doc);
	cJSON_Delete(root);
	if (r == -ENOMEM)
		fail(err, "out of memory");
	if (r < 0) {
		hostctx_document_clear(&doc);
		return r;
	}
	*ret_doc = doc;
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
				      struct hostctx_document *ret_doc,
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
