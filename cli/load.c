/* SPDX-License-Identifier: MIT */
/*
 * load.c - read a sidecar or snapshot file and report, in one line that
 * names the file, whatever was wrong with it.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* Same bound as hostctx_document_load(). */
#define INPUT_CAP (64u << 20)

/* statfs(2)'s f_type of the kernel's anonymous pipes. */
#define PIPEFS_MAGIC_NUMBER 0x50495045

const char *cli_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

int cli_read_fd(int fd, size_t limit, char **ret_text, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			char *nbuf;

			if (cap >= limit)
				return -EFBIG;
			if (ncap > limit)
				ncap = limit;
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_text = buf;
	buf = NULL;
	*ret_len = len;
	return 0;
}

static int parse_fd(int fd, struct hostctx_document **doc,
		    struct hostctx_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = cli_read_fd(fd, INPUT_CAP, &text, &len);
	if (r < 0)
		return r;
	return hostctx_document_parse(text, len, doc, err);
}

/*
 * What a named file may be: a regular file, or an anonymous pipe (what
 * process substitution and /dev/stdin give), read to its end as
 * standard input is.  A named FIFO, a device or a socket is refused
 * before any read: a FIFO's writer could hold the command forever.
 */
static int check_input_type(int fd, struct hostctx_error *err)
{
	struct stat st;
	struct statfs sfs;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISFIFO(st.st_mode) && fstatfs(fd, &sfs) == 0 &&
	    sfs.f_type == PIPEFS_MAGIC_NUMBER)
		return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0
			       ? -errno : 0;
	snprintf(err->message, sizeof(err->message), "not a regular file");
	return -EINVAL;
}

/* O_NONBLOCK: opening a FIFO without a writer must not hang. */
static int open_input(const char *path, struct hostctx_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int r;

	if (fd < 0)
		return -errno;
	r = check_input_type(fd, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int load_file(const char *path, struct hostctx_document **doc,
		     struct hostctx_error *err)
{
	int fd = open_input(path, err);
	int r;

	if (fd < 0)
		return fd;
	r = parse_fd(fd, doc, err);
	close(fd);
	return r;
}

static const char *describe(int r, const struct hostctx_error *err)
{
	if (err->message[0])
		return err->message;
	if (r == -EFBIG)
		return "file too large (more than 64 MiB)";
	return strerror(-r);
}

int cli_read_file(const char *path, char **ret_text, size_t *ret_len)
{
	struct hostctx_error err = { .message = "" };
	int fd = open_input(path, &err);
	int r = fd;

	if (fd >= 0) {
		r = cli_read_fd(fd, INPUT_CAP, ret_text, ret_len);
		close(fd);
	}
	if (r < 0) {
		cli_file_error(path, "%s", describe(r, &err));
		return -1;
	}
	return 0;
}

int cli_load_document(const char *path, struct hostctx_document **doc)
{
	struct hostctx_error err = { .message = "" };
	int r;

	if (strcmp(path, "-") == 0)
		r = parse_fd(STDIN_FILENO, doc, &err);
	else
		r = load_file(path, doc, &err);
	if (r < 0) {
		/* err->message has no file name: we add it, once. */
		cli_file_error(cli_display_name(path), "%s", describe(r, &err));
		return -1;
	}
	return 0;
}

int cli_parse_sandbox_opts(int argc, char **argv, const char *subcommand,
			   const char *usage, bool *sandbox)
{
	static const struct option longopts[] = {
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*sandbox = true;
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_SANDBOX:
			*sandbox = false;
			break;
		case 'h':
			cli_print(usage);
			return EXIT_SAME;
		default:
			return cli_option_error(subcommand, argv, c);
		}
	}
	return -1;
}

int cli_parse_one_file(int argc, char **argv, const char *subcommand, const char *usage,
		       bool *sandbox)
{
	int status = cli_parse_sandbox_opts(argc, argv, subcommand, usage, sandbox);

	if (status >= 0)
		return status;
	if (optind >= argc)
		return cli_usage_error("%s: missing FILE operand", subcommand);
	if (argc - optind > 1)
		return cli_usage_error("%s: unexpected operand '%s'", subcommand,
				       argv[optind + 1]);
	return -1;
}
