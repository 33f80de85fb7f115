/* SPDX-License-Identifier: MIT */
/*
 * tolerance.c - --tolerance, --tolerances and --no-default-tolerances,
 * as diff and report take them, into the library's comparison options:
 * the built-in defaults first, then the file, then the flags, so that
 * the last match wins (docs/hostctx.1, "Tolerances").
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

int cli_tolerances_init(struct cli_tolerances *t, int argc)
{
	*t = (struct cli_tolerances){ 0 };
	/* no more flags than arguments: one allocation up front */
	t->args = calloc((size_t)argc + 1, sizeof(*t->args));
	if (!t->args) {
		cli_error("%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

void cli_tolerances_clear(struct cli_tolerances *t)
{
	free(t->args);
	t->args = NULL;
}

bool cli_tolerances_option(struct cli_tolerances *t, int c, const char *arg)
{
	switch (c) {
	case 't':
		t->args[t->n++] = arg;
		return true;
	case OPT_TOLERANCES:
		t->file = arg;
		return true;
	case OPT_NO_DEFAULT_TOLERANCES:
		t->no_defaults = true;
		return true;
	default:
		return false;
	}
}

static int add_file(struct hostctx_compare *cmp, const char *path)
{
	struct hostctx_error err = { .message = "" };
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	if (cli_read_file(path, &text, &len) < 0)
		return -1;
	r = hostctx_compare_load_tolerances(cmp, text, len, &err);
	if (r < 0) {
		cli_file_error(path, "%s", err.message[0] ? err.message : strerror(-r));
		return -1;
	}
	return 0;
}

int cli_tolerances_apply(const struct cli_tolerances *t, const char *subcommand,
			 bool defaults, struct hostctx_compare *cmp)
{
	int r = 0;

	if (defaults && !t->no_defaults)
		r = hostctx_compare_add_default_tolerances(cmp);
	if (r == 0 && t->file && add_file(cmp, t->file) < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < t->n; i++) {
		r = hostctx_compare_add_tolerance_arg(cmp, t->args[i]);
		if (r == -EINVAL) {
			cli_usage_error("%s: --tolerance=%s: expected GLOB=SPEC "
					"(SPEC: N, N%%, any or 0)", subcommand, t->args[i]);
			return -1;
		}
	}
	if (r < 0) {
		cli_error("%s", strerror(-r));
		return -1;
	}
	return 0;
}
