/* SPDX-License-Identifier: MIT */
/*
 * pre_fds - print the fd the program's first open() gets and the fds
 * open above 2 (tests/e2e/preload.bats: the preload library holds none
 * while the program runs).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/dev/null", O_RDONLY);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	printf("first open: %d\n", fd);
	close(fd);
	while (d && (e = readdir(d))) {
		int n = atoi(e->d_name);

		if (n > 2 && n != dirfd(d))
			printf("open: %d\n", n);
	}
	if (d)
		closedir(d);
	return 0;
}
