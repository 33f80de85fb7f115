/* SPDX-License-Identifier: MIT */
/*
 * The snapshot's JSON Schema (lib/schema.c) covers every kind and every
 * row, and docs/schema/hostctx-snapshot-1.schema.json is its current
 * output: after adding a field, `make schema` writes it again.
 *   test_schema --write FILE    writes the schema to FILE (make schema)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SCHEMA_FILE
#define SCHEMA_FILE "docs/schema/hostctx-snapshot-1.schema.json"
#endif

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static void every_kind_has_a_schema(void **state)
{
	(void)state;
	assert_true(hctx_schema_covers_every_kind());
}

static void every_row_is_a_property(void **state)
{
	char *text = NULL;
	cJSON *doc, *props;

	(void)state;
	assert_int_equal(hctx_snapshot_schema(&text), 0);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	props = cJSON_GetObjectItemCaseSensitive(doc, "properties");
	assert_int_equal(cJSON_GetArraySize(props), (int)hctx_n_fields);
	for (size_t i = 0; i < hctx_n_fields; i++) {
		cJSON *p = cJSON_GetObjectItemCaseSensitive(props, hctx_fields[i].name);

		assert_non_null(p);
		assert_non_null(cJSON_GetObjectItemCaseSensitive(p, "x-hostctx-class"));
	}
	/* u64 bounds are exact, not doubles */
	assert_non_null(strstr(text, "\"maximum\":\t18446744073709551615"));
	cJSON_Delete(doc);
	free(text);
}

static void the_file_is_current(void **state)
{
	char *text = NULL, *file = slurp(SCHEMA_FILE);

	(void)state;
	if (!file)
		fail_msg("%s is missing: run make schema", SCHEMA_FILE);
	assert_int_equal(hctx_snapshot_schema(&text), 0);
	if (strcmp(text, file) != 0)
		fail_msg("%s is not the field table's schema: run make schema", SCHEMA_FILE);
	free(text);
	free(file);
}

static int write_schema(const char *path)
{
	char *text = NULL;
	FILE *f;

	if (hctx_snapshot_schema(&text) < 0)
		return 1;
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		free(text);
		return 1;
	}
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_has_a_schema),
		cmocka_unit_test(every_row_is_a_property),
		cmocka_unit_test(the_file_is_current),
	};

	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_schema(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
