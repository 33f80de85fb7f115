/* SPDX-License-Identifier: MIT */
/*
 * text.c - a growable NUL-terminated string for the writers that build
 * text piece by piece (metrics.c, export.c).  json_write.c keeps its own
 * buffer: it is the hot path of every record.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

int hctx_text_add(struct hctx_text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->p, cap);

		if (!p)
			return -ENOMEM;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}
