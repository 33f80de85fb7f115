/* SPDX-License-Identifier: MIT */
/*
 * cmd_junit.c - `hostctx junit JUNIT.xml SIDECAR`: put the host a record
 * was taken on into every <testsuite> of a JUnit XML file, as hostctx.*
 * properties (junit_props.c), rewriting the file atomically
 * (junit_xml.c does the XML).
 *
 * The sandbox (docs/design.md, "The sandbox") forbids what this command
 * must do in the end: create a file and rename it over another.  So the
 * work is split in two processes.  A child enters cli_sandbox_parsing()
 * before it reads a byte, then reads and parses the record and the XML
 * (the only untrusted input) and writes the rewritten document to its
 * standard output, a pipe; its messages go to our stderr as they are.
 * The parent never parses: it reads the pipe's bytes and, only when the
 * child exited 0, gives them to hostctx_write_atomic().  A child that
 * fails leaves the file as it was (same bytes, same inode).
 */
#include "junit.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The input's 64 MiB (cli_read_file) and room for the properties, about
 * 600 bytes per suite: a bound on what the parent takes from the child.
 */
#define OUTPUT_CAP (256u << 20)

static const char junit_usage[] =
	"Usage: " PROGRAM_NAME " junit [--no-sandbox] JUNIT.xml SIDECAR\n"
	"Add the host a record was taken on (SIDECAR, '-' for standard input) to\n"
	"every <testsuite> of a JUnit XML file, as hostctx.* properties: kernel,\n"
	"CPU model, governors, boost, changes during the run, check warnings,\n"
	"exit status.  The file is replaced atomically and keeps all else; a\n"
	"second run replaces the hostctx.* properties of the first.\n"
	"\n"
	"      --no-sandbox  parse without the seccomp sandbox\n"
	"  -h, --help        show this help and exit\n"
	"\n"
	"Exit status: 0 done, 2 trouble (bad arguments, unreadable or invalid\n"
	"files: JUNIT.xml is then left as it was).\n"
#ifndef HAVE_LIBXML
	"\nThis hostctx was built without libxml2: junit always fails.\n"
#endif
	;

struct junit_opts {
	const char *junit;
	const char *sidecar;
	bool sandbox;
};

/* Returns -1 to go on, else the exit status. */
static int parse_junit_opts(int argc, char **argv, struct junit_opts *o)
{
	int status;

	*o = (struct junit_opts){ 0 };
	status = cli_parse_sandbox_opts(argc, argv, "junit", junit_usage, &o->sandbox);
	if (status >= 0)
		return status;
	if (argc - optind < 2)
		return cli_usage_error("junit: expected JUNIT.xml and SIDECAR operands");
	if (argc - optind > 2)
		return cli_usage_error("junit: unexpected operand '%s'", argv[optind + 2]);
	o->junit = argv[optind];
	o->sidecar = argv[optind + 1];
	if (strcmp(o->junit, "-") == 0)
		return cli_usage_error("junit: JUNIT.xml cannot be standard input: "
				       "it is rewritten");
	return -1;
}

/* ---- the child: sandboxed, parses, writes the result to stdout ------ */

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int load_sidecar(const char *path, struct hostctx_document **doc)
{
	if (cli_load_document(path, doc) < 0)
		return -1;
	if (hostctx_document_is_sidecar(*doc))
		return 0;
	cli_file_error(cli_display_name(path), "not a sidecar record (a snapshot has "
		       "no run to report)");
	return -1;
}

/* The rewritten document on stdout; 0, or -1 when reported. */
static int rewrite_to_stdout(const struct junit_opts *o,
			     const struct junit_properties *props)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	int r;

	if (cli_read_file(o->junit, &text, &len) < 0 ||
	    junit_rewrite(text, len, o->junit, props, &out, &out_len) < 0)
		return -1;
	r = write_all(STDOUT_FILENO, out, out_len);
	if (r < 0) {
		cli_error("junit: cannot pass the result on: %s", strerror(-r));
		return -1;
	}
	return 0;
}

/* The child's exit status: everything it holds is freed before it returns. */
static int child_main(const struct junit_opts *o)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	struct junit_properties props = { 0 };
	int r;

	if (o->sandbox && cli_sandbox_parsing() < 0)
		return EXIT_TROUBLE;
	if (load_sidecar(o->sidecar, &doc) < 0)
		return EXIT_TROUBLE;
	r = junit_properties_from_sidecar(hostctx_document_sidecar(doc),
					  o->sidecar, &props);
	if (r < 0) {
		cli_file_error(cli_display_name(o->sidecar), "%s", strerror(-r));
		return EXIT_TROUBLE;
	}
	r = rewrite_to_stdout(o, &props);
	junit_properties_clear(&props);
	return r < 0 ? EXIT_TROUBLE : EXIT_SAME;
}

/* ---- the parent: never parses; writes what the child made ----------- */

/* The child's wait(2) status, or -errno. */
static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

/* 0 when the child exited 0; else -1, reported unless it said why itself. */
static int child_outcome(int status, const char *name)
{
	const char *sig;

	if (status < 0) {
		cli_error("junit: cannot wait for the parser: %s", strerror(-status));
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ? 0 : -1;
	sig = hostctx_signal_name(WTERMSIG(status));
	cli_file_error(name, "the parser was killed by %s", sig ? sig : "a signal");
	return -1;
}

/* Run child_main() in a child; its stdout, when it succeeded. */
static int rewrite_in_child(const struct junit_opts *o, char **ret_out, size_t *ret_len)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int fds[2], r, status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		cli_error("junit: cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);	/* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		cli_error("junit: cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(EXIT_TROUBLE);
		close(fds[1]);
		_exit(child_main(o));
	}
	close(fds[1]);
	r = cli_read_fd(fds[0], OUTPUT_CAP, &out, &len);
	close(fds[0]);	/* a child still writing gets EPIPE */
	status = wait_child(pid);
	if (r == -EFBIG) {
		cli_file_error(o->junit, "the rewritten file would be larger than %u MiB",
			       OUTPUT_CAP >> 20);
		return -1;
	}
	if (r < 0) {
		cli_file_error(o->junit, "cannot read the rewritten file: %s", strerror(-r));
		return -1;
	}
	if (child_outcome(status, o->junit) < 0)
		return -1;
	*ret_out = TAKE_PTR(out);
	*ret_len = len;
	return 0;
}

/* The file to replace must be a regular file (not a symlink to one). */
static int check_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		cli_file_error(path, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_file_error(path, "not a regular file");
		return -1;
	}
	return 0;
}

/* KEEP_MODE: the new file has the old one's mode from its creation on. */
static int replace(const char *path, const char *data, size_t len)
{
	int r = hostctx_write_atomic(path, data, len, HOSTCTX_WRITE_KEEP_MODE);

	if (r < 0) {
		cli_file_error(path, "cannot write: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int cmd_junit(int argc, char **argv)
{
	_cleanup_free_ char *out = NULL;
	struct junit_opts o;
	size_t len = 0;
	int status;

	status = parse_junit_opts(argc, argv, &o);
	if (status >= 0)
		return status;
	if (!junit_xml_available()) {
		cli_error("junit: built without libxml2 (Debian: apt-get install "
			  "libxml2-dev, then rebuild)");
		return EXIT_TROUBLE;
	}
	if (check_target(o.junit) < 0 || rewrite_in_child(&o, &out, &len) < 0 ||
	    replace(o.junit, out, len) < 0)
		return EXIT_TROUBLE;
	return EXIT_SAME;
}
