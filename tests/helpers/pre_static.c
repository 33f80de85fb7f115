/* SPDX-License-Identifier: MIT */
/* A statically linked program: ld.so never runs, LD_PRELOAD is ignored. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("pre_static %s\n", argc > 1 ? argv[1] : "");
	return 5;
}
