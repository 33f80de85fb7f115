/* SPDX-License-Identifier: MIT */
/*
 * diff and the human renderings of two documents, given as one input
 * "A\0B\0TOLERANCES" (JSON holds no NUL).  A record stands for its
 * post snapshot, and its pre and post are compared too; both forms of
 * the classed comparison run with the tolerances file text (its parser
 * is fuzzed with it).  Oracles: nothing differs from itself; a differs
 * from b in as many fields as b from a; the changes' JSON is JSON, the
 * grouped one an object.
 */
#include "fuzz.h"

#include <cjson/cJSON.h>

/* ---- every call of the snapshot/sidecar API, in these four ----------- */

static void init(struct hostctx_document **doc)
{
	*doc = NULL;
}

static bool load(const char *text, size_t len, struct hostctx_document **doc)
{
	return hostctx_document_parse(text, len, doc, NULL) == 0;
}

/* The snapshot that stands for doc, and a record's pre (or NULL). */
static const struct hostctx_snapshot *
stands_for(const struct hostctx_document *doc, const struct hostctx_snapshot **pre)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);
	const struct hostctx_snapshot *post;

	*pre = sc ? hostctx_sidecar_snapshot(sc, HOSTCTX_PRE) : NULL;
	if (!sc)
		return hostctx_document_snapshot(doc);
	post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	return post ? post : *pre;
}

static void unload(struct hostctx_document *doc)
{
	hostctx_document_free(doc);
}

/* ----------------------------------------------------------------------- */

static size_t n_changes(const struct hostctx_snapshot *a,
			const struct hostctx_snapshot *b)
{
	struct hostctx_changes *c = NULL;
	size_t n;

	FUZZ_OK(hostctx_diff(a, b, &c));
	n = hostctx_changes_count(c);
	hostctx_changes_free(c);
	return n;
}

static void render(const struct hostctx_snapshot *a,
		   const struct hostctx_snapshot *b)
{
	static const char *const globs[] = { "sched_tunables.*", "hugepages_*" };
	struct hostctx_changes *c = NULL;
	char *text = NULL;
	cJSON *json;

	FUZZ_OK(hostctx_snapshot_format_human(a, &text));
	free(text);
	FUZZ_OK(hostctx_diff_format_human(a, b, &text));
	free(text);
	FUZZ_OK(hostctx_heap_format_human(a, b, &text));
	free(text);
	FUZZ_OK(hostctx_diff(a, b, &c));
	FUZZ_OK(hostctx_changes_format_human(c, &text));
	free(text);
	FUZZ_OK(hostctx_changes_to_json(c, &text, NULL));
	json = cJSON_Parse(text);
	FUZZ_CHECK(cJSON_IsArray(json));
	FUZZ_CHECK((size_t)cJSON_GetArraySize(json) == hostctx_changes_count(c));
	cJSON_Delete(json);
	free(text);
	hostctx_changes_filter(c, globs, 2);
	hostctx_changes_free(c);
}

static const char *tolerances_text;
static size_t tolerances_len;

/* The comparison of a form, with the tolerances when they parse. */
static void classed(enum hostctx_compare_form form, const struct hostctx_snapshot *a,
		    const struct hostctx_snapshot *b)
{
	struct hostctx_compare *o = NULL;
	struct hostctx_changes *c = NULL, *self = NULL;
	char *text = NULL;
	cJSON *json;

	FUZZ_OK(hostctx_compare_new(form, &o));
	FUZZ_OK(hostctx_compare_add_default_tolerances(o));
	(void)hostctx_compare_load_tolerances(o, tolerances_text, tolerances_len, NULL);
	FUZZ_OK(hostctx_compare_set_producers(o, "x", form == HOSTCTX_COMPARE_RUN ? "x" : "y"));
	hostctx_compare_set_classes(o, (unsigned)tolerances_len & 15);
	FUZZ_OK(hostctx_compare_snapshots(o, a, a, &self));
	FUZZ_CHECK(!hostctx_changes_differ(self));
	FUZZ_OK(hostctx_compare_snapshots(o, a, b, &c));
	FUZZ_OK(hostctx_changes_format_grouped(c, HOSTCTX_GROUPED_VERBOSE, &text));
	free(text);
	FUZZ_OK(hostctx_changes_format_grouped(c, 0, &text));
	free(text);
	FUZZ_OK(hostctx_changes_to_grouped_json(c, &text, NULL));
	json = cJSON_Parse(text);
	FUZZ_CHECK(cJSON_IsObject(json));
	cJSON_Delete(json);
	free(text);
	hostctx_changes_free(self);
	hostctx_changes_free(c);
	hostctx_compare_free(o);
}

static void compare(const struct hostctx_snapshot *a,
		    const struct hostctx_snapshot *b)
{
	FUZZ_CHECK(n_changes(a, a) == 0);
	FUZZ_CHECK(n_changes(a, b) == n_changes(b, a));
	render(a, b);
	classed(HOSTCTX_COMPARE_RUN, a, b);
	classed(HOSTCTX_COMPARE_FILES, a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	struct hostctx_document *da, *db;
	const struct hostctx_snapshot *a, *b, *pre_a, *pre_b;
	size_t len_a = nul ? (size_t)(nul - text) : size;
	const char *nul_b = nul ? memchr(nul + 1, '\0', size - len_a - 1) : NULL;
	size_t len_b = nul_b ? (size_t)(nul_b - (nul + 1)) : nul ? size - len_a - 1 : 0;

	tolerances_text = nul_b ? nul_b + 1 : "";
	tolerances_len = nul_b ? size - (size_t)(nul_b + 1 - text) : 0;
	init(&da);
	init(&db);
	if (!load(text, len_a, &da))
		goto out;
	a = stands_for(da, &pre_a);
	if (pre_a && a)
		compare(pre_a, a);
	if (!nul || !load(nul + 1, len_b, &db))
		goto out;
	b = stands_for(db, &pre_b);
	if (a && b)
		compare(a, b);
out:
	unload(db);
	unload(da);
	return 0;
}
