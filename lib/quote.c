/* SPDX-License-Identifier: MIT */
/*
 * quote.c - strings from a record made safe to show: as one shell word
 * (a command line pasted back into a shell gives the same argv), or as
 * they are unless they hold control characters.  Shared by `hostctx
 * show` and the CI summary, so a command reads the same in both.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

static bool is_shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_@%+=:,./-", *s))
			return false;
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* bash's $'...' form keeps control characters visible and on one line. */
static void ansi_c_quoted(FILE *f, const char *s)
{
	fputs("$'", f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\'' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

void hctx_quote_to(FILE *f, const char *s, enum hostctx_quote_style style)
{
	if (has_control(s)) {
		ansi_c_quoted(f, s);
		return;
	}
	if (style == HOSTCTX_QUOTE_VISIBLE || is_shell_safe(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

HCTX_EXPORT int hostctx_quote(const char *s, enum hostctx_quote_style style,
			      char **ret_text)
{
	size_t len = 0;
	FILE *f;

	if (!s || (style != HOSTCTX_QUOTE_SHELL && style != HOSTCTX_QUOTE_VISIBLE))
		return -EINVAL;
	f = open_memstream(ret_text, &len);
	if (!f)
		return -ENOMEM;
	hctx_quote_to(f, s, style);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

void hctx_command_line_to(FILE *f, const struct hostctx_sidecar *sc)
{
	size_t argc = hostctx_sidecar_argc(sc);

	for (size_t i = 0; i < argc; i++) {
		if (i > 0)
			fputc(' ', f);
		hctx_quote_to(f, hostctx_sidecar_argv(sc, i), HOSTCTX_QUOTE_SHELL);
	}
}
