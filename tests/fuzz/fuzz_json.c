/* SPDX-License-Identifier: MIT */
/*
 * The JSON reader.  Oracle: a document that parses is written back
 * (snapshot or sidecar writer), the text parses again, and writing that
 * gives the same bytes: reading keeps all that writing needs.
 */
#include "fuzz.h"

/* ---- every call of the snapshot/sidecar API, in these three ---------- */

static int parse(const char *text, size_t len, struct hostctx_document **doc)
{
	struct hostctx_error err;

	*doc = NULL;
	return hostctx_document_parse(text, len, doc, &err);
}

static int write_json(const struct hostctx_document *doc, char **text,
		      size_t *len)
{
	if (hostctx_document_is_sidecar(doc))
		return hostctx_sidecar_to_json(hostctx_document_sidecar(doc), text, len);
	return hostctx_snapshot_to_json(hostctx_document_snapshot(doc), text, len);
}

static void clear(struct hostctx_document *doc)
{
	hostctx_document_free(doc);
}

/* ----------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostctx_document *first, *second;
	char *text1 = NULL, *text2 = NULL;
	size_t len1 = 0, len2 = 0;

	if (parse((const char *)data, size, &first) < 0)
		return 0;
	FUZZ_OK(write_json(first, &text1, &len1));
	FUZZ_CHECK(strlen(text1) == len1);
	FUZZ_OK(parse(text1, len1, &second));
	FUZZ_CHECK(hostctx_document_is_sidecar(second) == hostctx_document_is_sidecar(first));
	FUZZ_OK(write_json(second, &text2, &len2));
	if (len1 != len2 || memcmp(text1, text2, len1) != 0) {
		fprintf(stderr, "first write:\n%s\nsecond write:\n%s\n", text1, text2);
		FUZZ_CHECK(!"the written text reads back the same");
	}
	free(text1);
	free(text2);
	clear(first);
	clear(second);
	return 0;
}
