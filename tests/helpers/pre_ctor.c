/* SPDX-License-Identifier: MIT */
/* A program linked against pre_ctorlib, whose constructor runs first. */
#include <stdio.h>
#include <stdlib.h>

extern const char *pre_ctorlib_seen;

int main(void)
{
	printf("%s\nPRE_CTORLIB=%s\n", pre_ctorlib_seen,
	       getenv("PRE_CTORLIB") ? getenv("PRE_CTORLIB") : "");
	return 4;
}
