/* SPDX-License-Identifier: MIT */
/*
 * The checks over any document the reader accepts, and the threshold
 * parser over any text.  Oracles: every check gives one known status,
 * the report's JSON parses back, the human text has a line per shown
 * result, and a threshold either is refused or moves a level.
 */
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <errno.h>

static void check_report(const struct hostctx_check_report *rep)
{
	char *text = NULL;
	cJSON *doc;
	size_t lines = 0, shown = 0;

	for (size_t i = 0; i < hostctx_check_report_count(rep); i++) {
		enum hostctx_check_status st = hostctx_check_result_status(rep, i);

		FUZZ_CHECK(hostctx_check_status_name(st) != NULL);
		FUZZ_CHECK(hostctx_check_result_message(rep, i) != NULL);
		FUZZ_CHECK((hostctx_check_result_advice(rep, i) != NULL) ==
			   (st == HOSTCTX_CHECK_NOTE || st == HOSTCTX_CHECK_WARN));
		shown += st != HOSTCTX_CHECK_NA;
		shown += hostctx_check_result_advice(rep, i) != NULL;
	}
	FUZZ_OK(hostctx_check_report_to_json(rep, "fuzz", true, &text, NULL));
	doc = cJSON_Parse(text);
	FUZZ_CHECK(doc != NULL);
	cJSON_Delete(doc);
	free(text);
	FUZZ_OK(hostctx_check_report_format_human(rep, HOSTCTX_CHECK_OK, &text));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	FUZZ_CHECK(lines == shown);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	struct hostctx_document *doc = NULL;
	struct hostctx_error err;
	char *text = malloc(size + 1);
	int r;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	FUZZ_OK(hostctx_check_config_new(&cfg));
	r = hostctx_check_config_set_threshold(cfg, text);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOENT || r == -ENOTSUP);
	if (hostctx_document_parse((const char *)data, size, &doc, &err) == 0) {
		if (hostctx_document_is_sidecar(doc))
			r = hostctx_check_sidecar(cfg, hostctx_document_sidecar(doc), &rep);
		else
			r = hostctx_check_snapshot(cfg, hostctx_document_snapshot(doc), NULL, &rep);
		FUZZ_CHECK(r == 0 || r == -ENODATA);
		if (r == 0)
			check_report(rep);
	}
	hostctx_check_report_free(rep);
	hostctx_document_free(doc);
	hostctx_check_config_free(cfg);
	free(text);
	return 0;
}
