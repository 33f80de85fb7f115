/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the platform fields (docs/json-format.md, "Fields
 * beyond the reference"): os-release(5) assignments.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The value after '=' in [s, end): unquoted (kept as written, trailing
 * blanks cut), in double quotes (backslash escapes only \" \\ \$ \`) or
 * single quotes (no escapes).  Anything but blanks after the closing
 * quote, or no closing quote, makes the line malformed: -EINVAL.
 */
static int os_release_value(const char *s, const char *end, char **ret)
{
	char *out = malloc((size_t)(end - s) + 1), *o = out;
	char quote;

	if (!out)
		return -ENOMEM;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end || (*s != '"' && *s != '\'')) {
		memcpy(out, s, (size_t)(end - s));
		out[end - s] = '\0';
		*ret = out;
		return 0;
	}
	quote = *s++;
	for (; s < end && *s != quote; s++) {
		if (quote == '"' && *s == '\\' && s + 1 < end &&
		    strchr("\"\\$`", s[1]))
			s++;
		*o++ = *s;
	}
	if (s + 1 != end) {	/* unterminated, or junk after the quote */
		free(out);
		return -EINVAL;
	}
	*o = '\0';
	*ret = out;
	return 0;
}

/* One line; fills values[k] when its key is keys[k] (the last one wins). */
static int os_release_line(const char *s, const char *end,
			   const char *const *keys, size_t n_keys, char **values)
{
	const char *eq;
	char *v = NULL;
	int r;

	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s == '#' || end - s > HCTX_OS_RELEASE_LINE_MAX ||
	    memchr(s, '\0', (size_t)(end - s)))
		return 0;
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq)
		return 0;
	for (size_t k = 0; k < n_keys; k++) {
		if (strlen(keys[k]) != (size_t)(eq - s) ||
		    memcmp(keys[k], s, (size_t)(eq - s)) != 0)
			continue;
		r = os_release_value(eq + 1, end, &v);
		if (r < 0)
			return r == -ENOMEM ? r : 0;
		if (!*v || !hctx_is_utf8(v, strlen(v))) {
			free(v);
			return 0;
		}
		free(values[k]);
		values[k] = v;
	}
	return 0;
}

int hctx_parse_os_release(const char *text, size_t len, const char *const *keys,
			  size_t n_keys, char **values)
{
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		int r = os_release_line(s, eol, keys, n_keys, values);

		if (r < 0)
			return r;
		s = nl ? nl + 1 : end;
	}
	return 0;
}
