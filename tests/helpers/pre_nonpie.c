/* SPDX-License-Identifier: MIT */
/*
 * pre_nonpie - a non-PIE program that takes malloc's address, as
 * Debian's python3 and node do: its undefined malloc then carries the
 * address of its PLT stub, which is what dlsym(RTLD_DEFAULT, "malloc")
 * returns (tests/e2e/preload.bats, heap_state).  Built with -no-pie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *(*volatile allocate)(size_t);

int main(void)
{
	char *p;

	/* In code, not an initializer: non-PIC code needs the PLT stub. */
	allocate = malloc;
	p = allocate(1 << 16);
	if (!p)
		return 1;
	memset(p, 1, 1 << 16);
	printf("allocated\n");
	return 0;
}
