/* SPDX-License-Identifier: MIT */
/*
 * The reference's human report and diff lines (spec/reference-tests.md,
 * "Human format" and "Diff semantics").  Not a stable format: machines
 * read the JSON.  Everything is driven by the field table.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define ARROW "\xe2\x86\x92"	/* U+2192, as the reference prints it */

/* The reference's heap block order (its JSON order differs). */
static const struct {
	const char *name;
	size_t offset;
} heap_human_rows[] = {
	{ "allocated_bytes", offsetof(struct hostctx_heap, allocated_bytes) },
	{ "active_bytes", offsetof(struct hostctx_heap, active_bytes) },
	{ "resident_bytes", offsetof(struct hostctx_heap, resident_bytes) },
	{ "mapped_bytes", offsetof(struct hostctx_heap, mapped_bytes) },
	{ "narenas", offsetof(struct hostctx_heap, narenas) },
};
#define N_HEAP_ROWS (sizeof(heap_human_rows) / sizeof(heap_human_rows[0]))

static const struct hostctx_u64 *heap_row(const struct hostctx_heap *h, size_t i)
{
	return (const struct hostctx_u64 *)((const char *)h +
					    heap_human_rows[i].offset);
}

/* An open_memstream pair; text is valid after out_finish(). */
struct out {
	FILE *f;
	char *text;
	size_t len;
};

static int out_open(struct out *o)
{
	o->text = NULL;
	o->len = 0;
	o->f = open_memstream(&o->text, &o->len);
	return o->f ? 0 : -ENOMEM;
}

static int out_finish(struct out *o, char **ret_text)
{
	bool failed = ferror(o->f);

	if (fclose(o->f) != 0 || failed) {
		free(o->text);
		return -ENOMEM;
	}
	*ret_text = o->text;
	return 0;
}

static void put_u64_or_unknown(FILE *f, const struct hostctx_u64 *v)
{
	if (v->present)
		fprintf(f, "%" PRIu64, v->value);
	else
		fputs("(unknown)", f);
}

/* ---- the report ---------------------------------------------------- */

static void report_heap(FILE *f, const char *name, const struct hostctx_heap *h)
{
	/* CLARIFICATIONS: printed only when present. */
	if (!h)
		return;
	fprintf(f, "%s:\n", name);
	for (size_t i = 0; i < N_HEAP_ROWS; i++) {
		fprintf(f, "  %s: ", heap_human_rows[i].name);
		put_u64_or_unknown(f, heap_row(h, i));
		fputc('\n', f);
	}
}

static void report_kvmap(FILE *f, const char *name, const struct hostctx_kvmap *m)
{
	if (!m->present) {
		fprintf(f, "%s: (unknown)\n", name);
		return;
	}
	if (m->n == 0) {
		fprintf(f, "%s: (empty)\n", name);
		return;
	}
	fprintf(f, "%s:\n", name);
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "  %s = %s\n", m->items[i].key, m->items[i].value);
}

static void report_govmap(FILE *f, const char *name,
			  const struct hostctx_govmap *m)
{
	if (m->n == 0) {
		fprintf(f, "%s: (empty)\n", name);
		return;
	}
	fprintf(f, "%s:\n", name);
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "  cpu%u = %s\n", m->items[i].cpu, m->items[i].governor);
}

static void report_text(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s: %s\n", name, value ? value : "(unknown)");
}

static void report_field(FILE *f, const struct hctx_field *fld,
			 const struct hostctx_snapshot *s)
{
	const void *p = HCTX_CFIELD(s, fld);

	switch (fld->kind) {
	case HCTX_KIND_STRING:
		report_text(f, fld->name, *(char *const *)p);
		break;
	case HCTX_KIND_U64:
		fprintf(f, "%s: ", fld->name);
		put_u64_or_unknown(f, p);
		fputc('\n', f);
		break;
	case HCTX_KIND_DELAYACCT:
		report_text(f, fld->name,
			    hostctx_delayacct_human_name(*(const enum hostctx_delayacct *)p));
		break;
	case HCTX_KIND_XACCT:
		report_text(f, fld->name,
			    hostctx_xacct_name(*(const enum hostctx_xacct *)p));
		break;
	case HCTX_KIND_KVMAP:
		report_kvmap(f, fld->name, p);
		break;
	case HCTX_KIND_GOVMAP:
		report_govmap(f, fld->name, p);
		break;
	case HCTX_KIND_HEAP:
		report_heap(f, fld->name, *(struct hostctx_heap *const *)p);
		break;
	}
}

HCTX_EXPORT int hostctx_snapshot_format_human(const struct hostctx_snapshot *s,
					      char **ret_text)
{
	struct out o;
	int r = out_open(&o);

	if (r < 0)
		return r;
	for (size_t i = 0; i < hctx_n_fields; i++)
		report_field(o.f, &hctx_fields[i], s);
	return out_finish(&o, ret_text);
}

/* ---- the diff lines ------------------------------------------------ */

static const struct hctx_field *field_by_name(const char *name)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (strcmp(hctx_fields[i].name, name) == 0)
			return &hctx_fields[i];
	return NULL;
}

/* Changes carry the JSON spelling; human text uses the reference's. */
static const char *delayacct_human_from_json(const char *json)
{
	for (int v = HOSTCTX_DELAYACCT_CONFIG_OFF; v <= HOSTCTX_DELAYACCT_ON; v++)
		if (strcmp(json, hostctx_delayacct_json_name(v)) == 0)
			return hostctx_delayacct_human_name(v);
	return json;
}

static void put_kvmap_summary(FILE *f, const struct hostctx_value *v)
{
	if (v->kind != HOSTCTX_VALUE_KVMAP)
		fputs("(unknown)", f);
	else if (v->kvmap->n == 0)
		fputs("(empty)", f);
	else if (v->kvmap->n == 1)
		fputs("(1 entry)", f);
	else
		fprintf(f, "(%zu entries)", v->kvmap->n);
}

static void put_scalar(FILE *f, const struct hostctx_value *v,
		       const char *absent, bool delayacct)
{
	switch (v->kind) {
	case HOSTCTX_VALUE_STRING:
		fputs(delayacct ? delayacct_human_from_json(v->string) : v->string, f);
		break;
	case HOSTCTX_VALUE_U64:
		fprintf(f, "%" PRIu64, v->u64);
		break;
	default:
		fputs(absent, f);
		break;
	}
}

static const char *gov_of(const struct hostctx_value *v, unsigned cpu)
{
	if (v->kind != HOSTCTX_VALUE_GOVMAP)
		return NULL;
	return hostctx_govmap_get(v->govmap, cpu);
}

/*
 * A governor map on one side only: the reference compares per CPU over
 * the union, which is simply every CPU of the map that exists.
 */
static void put_govmap_change(FILE *f, const struct hostctx_change *c)
{
	const struct hostctx_value *side =
		c->before.kind == HOSTCTX_VALUE_GOVMAP ? &c->before : &c->after;

	for (size_t i = 0; i < side->govmap->n; i++) {
		unsigned cpu = side->govmap->items[i].cpu;
		const char *a = gov_of(&c->before, cpu);
		const char *b = gov_of(&c->after, cpu);

		fprintf(f, "  %s.cpu%u: %s " ARROW " %s\n", c->field, cpu,
			a ? a : "(absent)", b ? b : "(absent)");
	}
}

static bool either_kind(const struct hostctx_change *c,
			enum hostctx_value_kind kind)
{
	return c->before.kind == kind || c->after.kind == kind;
}

static void put_change(FILE *f, const struct hostctx_change *c)
{
	const struct hctx_field *fld;
	const char *absent = "(unknown)";
	bool delayacct = false;

	if (either_kind(c, HOSTCTX_VALUE_GOVMAP)) {
		put_govmap_change(f, c);
		return;
	}
	fprintf(f, "  %s: ", c->field);
	if (either_kind(c, HOSTCTX_VALUE_KVMAP)) {
		put_kvmap_summary(f, &c->before);
		fputs(" " ARROW " ", f);
		put_kvmap_summary(f, &c->after);
		fputc('\n', f);
		return;
	}
	if (c->is_map_entry) {
		absent = "(absent)";
	} else {
		fld = field_by_name(c->field);
		delayacct = fld && fld->kind == HCTX_KIND_DELAYACCT;
	}
	put_scalar(f, &c->before, absent, delayacct);
	fputs(" " ARROW " ", f);
	put_scalar(f, &c->after, absent, delayacct);
	fputc('\n', f);
}

static bool u64_equal(const struct hostctx_u64 *a, const struct hostctx_u64 *b)
{
	return a->present == b->present && (!a->present || a->value == b->value);
}

static void put_heap_lines(FILE *f, const char *name,
			   const struct hostctx_heap *a,
			   const struct hostctx_heap *b)
{
	bool header = false;

	if (!a || !b) {
		if (a || b)
			fprintf(f, "  %s: %s " ARROW " %s\n", name,
				a ? "(present)" : "(unknown)",
				b ? "(present)" : "(unknown)");
		return;
	}
	for (size_t i = 0; i < N_HEAP_ROWS; i++) {
		if (u64_equal(heap_row(a, i), heap_row(b, i)))
			continue;
		if (!header)
			fprintf(f, "  %s:\n", name);
		header = true;
		fprintf(f, "    %s: ", heap_human_rows[i].name);
		put_u64_or_unknown(f, heap_row(a, i));
		fputs(" " ARROW " ", f);
		put_u64_or_unknown(f, heap_row(b, i));
		fputc('\n', f);
	}
}

static void put_heap_fields(FILE *f, const struct hostctx_snapshot *a,
			    const struct hostctx_snapshot *b)
{
	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *fld = &hctx_fields[i];

		if (fld->kind == HCTX_KIND_HEAP)
			put_heap_lines(f, fld->name,
				       *(struct hostctx_heap *const *)HCTX_CFIELD(a, fld),
				       *(struct hostctx_heap *const *)HCTX_CFIELD(b, fld));
	}
}

HCTX_EXPORT int hostctx_changes_format_human(const struct hostctx_changes *c,
					     const struct hostctx_snapshot *a,
					     const struct hostctx_snapshot *b,
					     char **ret_text)
{
	struct out o;
	int r = out_open(&o);

	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n; i++)
		put_change(o.f, &c->items[i]);
	if (a && b)
		put_heap_fields(o.f, a, b);
	return out_finish(&o, ret_text);
}

HCTX_EXPORT int hostctx_diff_format_human(const struct hostctx_snapshot *a,
					  const struct hostctx_snapshot *b,
					  char **ret_text)
{
	struct hostctx_changes c;
	int r = hostctx_diff(a, b, &c);

	if (r < 0)
		return r;
	r = hostctx_changes_format_human(&c, a, b, ret_text);
	hostctx_changes_clear(&c);
	return r;
}
