/* SPDX-License-Identifier: MIT */
/* wrap_alloc KIB - touch KIB kibibytes of fresh memory, then exit 0. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t len = (size_t)atol(argc > 1 ? argv[1] : "0") * 1024;
	char *p;

	if (len == 0)
		return 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 1;
	memset(p, 1, len);
	return p[len - 1] == 1 ? 0 : 1;
}
