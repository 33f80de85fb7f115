/* SPDX-License-Identifier: MIT */
/*
 * fields.c - what --fields, --redact and their variables take, as every
 * subcommand that takes snapshots reads them.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* "GROUP: field field ..." for each group, then seed and all. */
void cli_print_groups(void)
{
	for (size_t g = 0; hostctx_group_name(g); g++) {
		const char *group = hostctx_group_name(g);
		bool any = false;

		for (size_t i = 0; i < hostctx_field_count(); i++) {
			if (strcmp(hostctx_field_group(i), group) != 0)
				continue;
			if (!any)
				printf("%-11s", group);
			printf(" %s", hostctx_field_name(i));
			any = true;
		}
		if (any)
			putchar('\n');
	}
	printf("%-11s the reference's fields (the first version's output)\n", "seed");
	printf("%-11s every field (the default)\n", "all");
}

int cli_fields_error(const char *fields, int err)
{
	if (err == -EINVAL)
		return cli_usage_error("--fields: unknown group in '%s' (--fields=help lists them)",
				       fields);
	cli_error("--fields: %s", strerror(-err));
	return EXIT_TROUBLE;
}

int cli_redact_from_env(bool *ret)
{
	const char *v = hostctx_env_value(NULL, "HOSTCTX_REDACT");

	if (!v || strcmp(v, "0") == 0) {
		*ret = false;
		return 0;
	}
	if (strcmp(v, "1") == 0) {
		*ret = true;
		return 0;
	}
	cli_usage_error("HOSTCTX_REDACT: '%s' is neither 0 nor 1", v);
	return -EINVAL;
}
