/* SPDX-License-Identifier: MIT */
/*
 * pre_prog MODE [ARG...] - the ways a program can end or start children,
 * for the preload library's end-to-end tests (tests/e2e/preload.bats).
 * It prints a fixed line so tests can compare output with and without
 * the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The shared objects mapped now, one basename per line, in map order. */
static int print_libs(void)
{
	char line[4096], last[4096] = "";
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		const char *slash = strrchr(line, '/');

		if (!slash || !strstr(slash, ".so") || !strcmp(slash, last))
			continue;
		snprintf(last, sizeof(last), "%s", slash);
		fputs(slash + 1, stdout);
	}
	fclose(f);
	return 0;
}

static int code_arg(int argc, char **argv)
{
	return argc > 2 ? atoi(argv[2]) : 0;
}

static void *thread_exit(void *arg)
{
	exit(*(int *)arg);
}

static int wait_child(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 100;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_fork_exit(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		printf("child\n");
		exit(3);	/* runs the inherited exit hooks */
	}
	return wait_child(pid) == 3 ? 0 : 1;
}

static int run_vfork_exec(char **cmd)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	return wait_child(pid);
}

static int run_posix_spawn(char **cmd)
{
	pid_t pid;

	if (posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, environ) != 0)
		return 100;
	return wait_child(pid);
}

static int run_popen(const char *cmd)
{
	char line[256];
	FILE *f = popen(cmd, "r");

	if (!f)
		return 100;
	while (fgets(line, sizeof(line), f))
		printf("popen: %s", line);
	return pclose(f) == 0 ? 0 : 1;
}

/* Everything a program may do to its process before exit (L7). */
static void make_hostile(const char *fsize)
{
	struct rlimit rl;

	if (chdir("/") < 0)
		exit(101);
	umask(0777);
	fflush(stdout);
	syscall(436 /* close_range */, 3U, ~0U, 0);
	if (fsize) {
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = strtoul(fsize, NULL, 10);
		setrlimit(RLIMIT_FSIZE, &rl);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "return";
	int code = code_arg(argc, argv);

	printf("pre_prog %s\n", mode);
	fflush(stdout);
	if (!strcmp(mode, "return"))
		return code;
	if (!strcmp(mode, "exit"))
		exit(code);
	if (!strcmp(mode, "thread-exit")) {
		pthread_t t;

		pthread_create(&t, NULL, thread_exit, &code);
		for (;;)
			pause();
	}
	if (!strcmp(mode, "_exit"))
		_exit(code);
	if (!strcmp(mode, "_Exit"))
		_Exit(code);
	if (!strcmp(mode, "quick_exit"))
		quick_exit(code);
	if (!strcmp(mode, "abort")) {
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	if (!strcmp(mode, "sigterm")) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		return 99;
	}
	if (!strcmp(mode, "daemon")) {
		/* the parent leaves inside daemon() (its own _exit); the child exits at once */
		if (daemon(1, 1) < 0)
			return 98;
		exit(code);
	}
	if (!strcmp(mode, "fork-exit"))
		return run_fork_exit();
	if (!strcmp(mode, "vfork-exec") && argc > 2)
		return run_vfork_exec(argv + 2);
	if (!strcmp(mode, "posix-spawn") && argc > 2)
		return run_posix_spawn(argv + 2);
	if (!strcmp(mode, "system") && argc > 2)
		return WEXITSTATUS(system(argv[2]));
	if (!strcmp(mode, "popen") && argc > 2)
		return run_popen(argv[2]);
	if (!strcmp(mode, "hostile")) {
		make_hostile(argc > 2 ? argv[2] : NULL);
		return 7;
	}
	if (!strcmp(mode, "print-libs"))
		return print_libs();
	if (!strcmp(mode, "print-env")) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	fprintf(stderr, "pre_prog: unknown mode %s\n", mode);
	return 2;
}
