/* SPDX-License-Identifier: MIT */
/*
 * wrap_doublefork SECONDS FILE - leave an orphan behind: a grandchild
 * that sleeps SECONDS, then writes FILE.  The process itself exits at
 * once (the way a test suite leaves a daemon).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc < 3)
		return 2;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		/* the grandchild, orphaned as soon as its parent exits */
		usleep((useconds_t)(atof(argv[1]) * 1e6));
		FILE *f = fopen(argv[2], "w");

		if (f) {
			fprintf(f, "done\n");
			fclose(f);
		}
		_exit(0);
	}
	return 0;
}
