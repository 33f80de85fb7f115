/* SPDX-License-Identifier: MIT */
/*
 * A shared library of the program (DT_NEEDED of pre_ctor) whose
 * constructor runs before the preload's and calls into libc: malloc,
 * stdio, getenv, setenv (libfaketime's test_constructors.sh pattern).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pre_ctorlib_seen;

__attribute__((constructor))
static void pre_ctorlib_init(void)
{
	char *p = malloc(64);
	const char *v = getenv("HOSTCTX_PRELOAD_OWNER");

	snprintf(p, 64, "ctor saw owner: %s", v ? "yes" : "no");
	setenv("PRE_CTORLIB", "1", 1);
	pre_ctorlib_seen = p;
	fprintf(stdout, "ctorlib constructor ran\n");
}
