/* SPDX-License-Identifier: MIT */
/*
 * schema.c - the JSON Schema (draft 2020-12) of a snapshot, made from
 * the field table: one schema per kind, a property per row.  The file
 * docs/schema/hostctx-snapshot-1.schema.json is this function's output
 * (`make schema` writes it; a unit test checks it is current).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

typedef cJSON *(*schema_fn)(const struct hctx_spec *spec);

static cJSON *schema_of(const struct hctx_spec *spec);

static cJSON *typed(const char *type)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", type);
	return o;
}

static cJSON *schema_string(const struct hctx_spec *spec)
{
	(void)spec;
	return typed("string");
}

static cJSON *schema_enum(const struct hctx_spec *spec)
{
	cJSON *o = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(o, "enum");

	for (const char *const *n = spec->names; n && *n; n++)
		cJSON_AddItemToArray(names, cJSON_CreateString(*n));
	return o;
}

/* Integer bounds as raw numbers: a double cannot hold 2^64 - 1 exactly. */
static cJSON *integer(const char *min, const char *max)
{
	cJSON *o = typed("integer");

	cJSON_AddRawToObject(o, "minimum", min);
	cJSON_AddRawToObject(o, "maximum", max);
	return o;
}

static cJSON *schema_u64(const struct hctx_spec *spec)
{
	(void)spec;
	return integer("0", "18446744073709551615");
}

/* An integer, or "unlimited" for the largest one (RLIM_INFINITY). */
static cJSON *schema_limit(const struct hctx_spec *spec)
{
	cJSON *o = cJSON_CreateObject(), *any = cJSON_AddArrayToObject(o, "anyOf");
	cJSON *word = cJSON_CreateObject();

	(void)spec;
	cJSON_AddItemToArray(any, integer("0", "18446744073709551614"));
	cJSON_AddStringToObject(word, "const", HCTX_UNLIMITED);
	cJSON_AddItemToArray(any, word);
	return o;
}

static cJSON *schema_s64(const struct hctx_spec *spec)
{
	(void)spec;
	return integer("-9223372036854775808", "9223372036854775807");
}

static cJSON *schema_bool(const struct hctx_spec *spec)
{
	(void)spec;
	return typed("boolean");
}

static cJSON *schema_double(const struct hctx_spec *spec)
{
	(void)spec;
	return typed("number");
}

/* Newer writers may add members and fields: unknown keys are allowed. */
static cJSON *schema_record(const struct hctx_spec *spec)
{
	cJSON *o = typed("object"), *props = cJSON_AddObjectToObject(o, "properties");

	for (size_t i = 0; i < spec->n_members; i++)
		cJSON_AddItemToObject(props, spec->members[i].name,
				      schema_of(spec->members[i].spec));
	return o;
}

static cJSON *keyed(const struct hctx_spec *spec, const char *key_pattern)
{
	cJSON *o = typed("object");

	if (key_pattern)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "propertyNames"),
					"pattern", key_pattern);
	cJSON_AddItemToObject(o, "additionalProperties", schema_of(spec->elem));
	return o;
}

static cJSON *schema_strmap(const struct hctx_spec *spec)
{
	return keyed(spec, NULL);
}

#define CPU_ID "(0|[1-9][0-9]*)"

static cJSON *schema_cpumap(const struct hctx_spec *spec)
{
	return keyed(spec, "^" CPU_ID "$");
}

/* A canonical cpulist: ascending items "N" or "A-B" (docs/json-format.md). */
static cJSON *schema_bycpu(const struct hctx_spec *spec)
{
	return keyed(spec, "^" CPU_ID "(-" CPU_ID ")?(," CPU_ID "(-" CPU_ID ")?)*$");
}

static cJSON *schema_array(const struct hctx_spec *spec)
{
	cJSON *o = typed("array");

	cJSON_AddItemToObject(o, "items", schema_of(spec->elem));
	return o;
}

/* One per kind; a unit test checks that every kind has one. */
static const schema_fn schema_fns[HCTX_KIND_COUNT] = {
	[HCTX_KIND_STRING] = schema_string,
	[HCTX_KIND_ENUM] = schema_enum,
	[HCTX_KIND_U64] = schema_u64,
	[HCTX_KIND_LIMIT] = schema_limit,
	[HCTX_KIND_S64] = schema_s64,
	[HCTX_KIND_BOOL] = schema_bool,
	[HCTX_KIND_DOUBLE] = schema_double,
	[HCTX_KIND_RECORD] = schema_record,
	[HCTX_KIND_STRMAP] = schema_strmap,
	[HCTX_KIND_CPUMAP] = schema_cpumap,
	[HCTX_KIND_BYCPU] = schema_bycpu,
	[HCTX_KIND_ARRAY] = schema_array,
};

bool hctx_schema_covers_every_kind(void)
{
	for (size_t k = 0; k < HCTX_KIND_COUNT; k++)
		if (!schema_fns[k])
			return false;
	return true;
}

static cJSON *schema_of(const struct hctx_spec *spec)
{
	return schema_fns[spec->kind](spec);
}

static const char *const class_names[] = {
	[HOSTCTX_CLASS_IDENTITY] = "identity",
	[HOSTCTX_CLASS_INSTANCE] = "instance",
	[HOSTCTX_CLASS_CONFIG] = "config",
	[HOSTCTX_CLASS_TELEMETRY] = "telemetry",
};

static cJSON *field_schema(const struct hctx_field *f)
{
	cJSON *o = schema_of(f->spec);

	cJSON_AddStringToObject(o, "description", f->label);
	cJSON_AddStringToObject(o, "x-hostctx-group", f->group);
	cJSON_AddStringToObject(o, "x-hostctx-class", class_names[f->cls]);
	return o;
}

int hctx_snapshot_schema(char **ret)
{
	cJSON *root = cJSON_CreateObject(), *props;
	char *text;

	if (!root)
		return -ENOMEM;
	cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(root, "$id", HCTX_SNAPSHOT_SCHEMA_ID);
	cJSON_AddStringToObject(root, "title", "hostctx snapshot");
	cJSON_AddStringToObject(root, "description",
				"One snapshot of a host's tunable state (docs/json-format.md). "
				"A key is omitted, never null, when its source could not be read; "
				"keys this schema does not name come from newer writers.");
	cJSON_AddStringToObject(root, "type", "object");
	props = cJSON_AddObjectToObject(root, "properties");
	for (size_t i = 0; i < hctx_n_fields; i++)
		cJSON_AddItemToObject(props, hctx_fields[i].name, field_schema(&hctx_fields[i]));
	/* cJSON drops what it could not allocate: a short list is no schema */
	text = cJSON_GetArraySize(props) == (int)hctx_n_fields ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return -ENOMEM;
	*ret = text;
	return 0;
}
