/* SPDX-License-Identifier: MIT */
/*
 * The reference's human report and diff lines (docs/design.md, "Human
 * formats").  Not a stable format: machines read the JSON.  What each
 * kind prints is in kinds.c; this file walks the field table and keeps
 * the text safe for a terminal.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Values come from a tree or a JSON file that anybody may have written:
 * control characters (C0, DEL, and C1 as UTF-8) are shown escaped, so a
 * value can neither drive the terminal nor forge a report line.
 */
void hctx_human_text(struct hctx_human *h, const char *s)
{
	fputs(s, h->f);
}

void hctx_human_value(struct hctx_human *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t run = 0;

		while (p[run] >= 0x20 && p[run] != 0x7f &&
		       !(p[run] == 0xc2 && p[run + 1] >= 0x80 && p[run + 1] <= 0x9f))
			run++;
		fwrite(p, 1, run, h->f);
		p += run;
		if (!*p)
			break;
		if (*p == 0xc2) {
			fprintf(h->f, "\\u%04x", p[1]);
			p += 2;
		} else if (*p == '\n') {
			fputs("\\n", h->f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", h->f);
			p++;
		} else {
			fprintf(h->f, "\\x%02x", *p);
			p++;
		}
	}
}

void hctx_human_printf(struct hctx_human *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(h->f, fmt, ap);
	va_end(ap);
}

void hctx_human_enum(struct hctx_human *h, const char *json_name)
{
	for (const char *p = json_name; *p; p++)
		fputc(*p == '_' ? '-' : (unsigned char)*p < 0x20 ? '?' : *p, h->f);
}

int hctx_out_open(struct hctx_out *o)
{
	o->text = NULL;
	o->len = 0;
	o->h.f = open_memstream(&o->text, &o->len);
	return o->h.f ? 0 : -ENOMEM;
}

int hctx_out_finish(struct hctx_out *o, char **ret_text)
{
	bool failed = ferror(o->h.f);

	if (fclose(o->h.f) != 0 || failed) {
		free(o->text);
		return -ENOMEM;
	}
	*ret_text = o->text;
	return 0;
}

static const char *group_heading(const char *name)
{
	for (size_t i = 0; i < hctx_n_groups; i++)
		if (strcmp(hctx_groups[i].name, name) == 0)
			return hctx_groups[i].heading;
	return name;
}

HCTX_EXPORT int hostctx_snapshot_format_human(const struct hostctx_snapshot *s,
					      char **ret_text)
{
	struct hctx_out o;
	int r = hctx_out_open(&o);

	if (r < 0)
		return r;
	const char *group = NULL;

	for (size_t i = 0; i < hctx_n_fields; i++) {
		const struct hctx_field *f = &hctx_fields[i];

		/*
		 * The reference's fields in its order and format; the others
		 * under a heading per group, shown only when one has a value.
		 */
		if (!f->seed && !s->values[i])
			continue;
		if (!f->seed && (!group || strcmp(group, f->group) != 0)) {
			group = f->group;
			hctx_human_printf(&o.h, "\n[%s]\n", group_heading(group));
		}
		hctx_kind_ops[f->spec->kind].report(&o.h, f->name, f->spec,
						    s->values[i]);
	}
	return hctx_out_finish(&o, ret_text);
}

HCTX_EXPORT int hostctx_changes_format_human(const struct hostctx_changes *c,
					     char **ret_text)
{
	struct hctx_out o;
	int r = hctx_out_open(&o);

	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n; i++)
		if (!(c->items[i].flags & HOSTCTX_CHANGE_NOT_COMPARED))
			hctx_change_lines(&o.h, &c->items[i]);
	return hctx_out_finish(&o, ret_text);
}

/* ---- heap_state: reported apart, never compared ------------------------ */

static void put_u64_or_unknown(struct hctx_human *h, const struct hctx_value *v)
{
	if (v)
		hctx_human_printf(h, "%" PRIu64, v->u);
	else
		hctx_human_text(h, "(unknown)");
}

/* Member i of the record in its human order. */
static size_t member_in_order(const struct hctx_spec *spec, unsigned order)
{
	for (size_t i = 0; i < spec->n_members; i++)
		if (spec->members[i].human_order == order)
			return i;
	return 0;
}

static void heap_lines(struct hctx_human *h, const struct hctx_field *f,
		       const struct hctx_value *a, const struct hctx_value *b)
{
	bool header = false;

	if (!a || !b) {
		if (a || b)
			hctx_human_printf(h, "  %s: %s \xe2\x86\x92 %s\n", f->name,
					  a ? "(present)" : "(unknown)",
					  b ? "(present)" : "(unknown)");
		return;
	}
	for (unsigned order = 0; order < f->spec->n_members; order++) {
		size_t i = member_in_order(f->spec, order);

		if (hctx_value_equal(a->rec.slot[i], b->rec.slot[i]))
			continue;
		if (!header)
			hctx_human_printf(h, "  %s:\n", f->name);
		header = true;
		hctx_human_printf(h, "    %s: ", f->spec->members[i].name);
		put_u64_or_unknown(h, a->rec.slot[i]);
		hctx_human_text(h, " \xe2\x86\x92 ");
		put_u64_or_unknown(h, b->rec.slot[i]);
		hctx_human_text(h, "\n");
	}
}

HCTX_EXPORT int hostctx_heap_format_human(const struct hostctx_snapshot *a,
					  const struct hostctx_snapshot *b,
					  char **ret_text)
{
	struct hctx_out o;
	int r = hctx_out_open(&o);

	if (r < 0)
		return r;
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (hctx_fields[i].never_compared)
			heap_lines(&o.h, &hctx_fields[i], a->values[i], b->values[i]);
	return hctx_out_finish(&o, ret_text);
}

HCTX_EXPORT int hostctx_diff_format_human(const struct hostctx_snapshot *a,
					  const struct hostctx_snapshot *b,
					  char **ret_text)
{
	struct hostctx_changes *c = NULL;
	char *lines = NULL, *heap = NULL;
	int r = hostctx_diff(a, b, &c);

	if (r == 0)
		r = hostctx_changes_format_human(c, &lines);
	if (r == 0)
		r = hostctx_heap_format_human(a, b, &heap);
	if (r == 0 && asprintf(ret_text, "%s%s", lines, heap) < 0)
		r = -ENOMEM;
	free(lines);
	free(heap);
	hostctx_changes_free(c);
	return r;
}
