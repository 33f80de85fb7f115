/* SPDX-License-Identifier: MIT */
/*
 * wrap_sigconf COMMAND [ARG]... - exec COMMAND with SIGTTOU, SIGSEGV,
 * SIGINT ignored and SIGTTIN, SIGILL, SIGTERM blocked (tini's sigconf
 * test): whatever runs below must see exactly this.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t block;

	if (argc < 2)
		return 2;
	signal(SIGTTOU, SIG_IGN);
	signal(SIGSEGV, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTTIN);
	sigaddset(&block, SIGILL);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
