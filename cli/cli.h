/* SPDX-License-Identifier: MIT */
/*
 * cli.h - private to the hostctx command: logging, stdout handling,
 * document loading and the subcommands.
 *
 * Only the program prints and exits; everything here reports problems
 * once, on stderr, prefixed with the program name.
 */
#ifndef HOSTCTX_CLI_H
#define HOSTCTX_CLI_H

#include "hostctx.h"
#include "../lib/cleanup.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define PROGRAM_NAME "hostctx"

/* Exit statuses, as diff(1) uses them. */
enum {
	EXIT_SAME = 0,
	EXIT_DIFFERENT = 1,
	EXIT_TROUBLE = 2,
};

/* ---- cleanup helpers ----------------------------------------------- */

static inline void cli_document_freep(struct hostctx_document **d)
{
	hostctx_document_free(*d);
}
static inline void cli_changes_freep(struct hostctx_changes **c)
{
	hostctx_changes_free(*c);
}
static inline void cli_snapshot_freep(struct hostctx_snapshot **s)
{
	hostctx_snapshot_free(*s);
}
#define _cleanup_document_ __attribute__((cleanup(cli_document_freep)))
#define _cleanup_changes_ __attribute__((cleanup(cli_changes_freep)))
#define _cleanup_snapshot_ __attribute__((cleanup(cli_snapshot_freep)))

/* ---- log.c: every message is one line on stderr -------------------- */

/* "hostctx: MESSAGE" */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "hostctx: NAME: MESSAGE", control characters in NAME made visible. */
void cli_file_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "hostctx: MESSAGE" then "Try 'hostctx --help'."; returns EXIT_TROUBLE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The hint alone, after getopt has printed its own complaint. */
int cli_usage_hint(void);
/*
 * A subcommand's getopt_long() returned c ('?' or ':', with opterr 0 and
 * ':' first in the option string): "hostctx: SUBCOMMAND: what is wrong",
 * then the hint.  Returns EXIT_TROUBLE.
 */
int cli_option_error(const char *subcommand, char **argv, int c);

/* ---- output.c ------------------------------------------------------ */

/* fputs to stdout; write errors are caught by cli_close_stdout(). */
void cli_print(const char *text);
/* Print text with prefix before every line (text may lack a final \n). */
void cli_print_indented(const char *text, const char *prefix);
/* Flush and close stdout; a write error is reported. 0 or -1. */
int cli_close_stdout(void);

/* ---- load.c -------------------------------------------------------- */

/*
 * Load a sidecar or snapshot from path ("-" is standard input).  On
 * failure the problem has been reported (one line naming the file) and
 * -1 is returned; *doc is left NULL.
 */
int cli_load_document(const char *path, struct hostctx_document **doc);
/* The name used in messages for path ("-" reads as standard input). */
const char *cli_display_name(const char *path);
/*
 * The options of a subcommand whose only options are --no-sandbox
 * (*sandbox) and --help (usage printed).  Returns -1 to go on with the
 * operands at argv[optind], else the exit status.
 */
int cli_parse_sandbox_opts(int argc, char **argv, const char *subcommand,
			   const char *usage, bool *sandbox);
/*
 * The same for a subcommand that takes one FILE and nothing else but
 * --no-sandbox (*sandbox) and --help (usage printed).  Returns -1 to go
 * on with the FILE at argv[optind], else the exit status.
 */
int cli_parse_one_file(int argc, char **argv, const char *subcommand, const char *usage,
		       bool *sandbox);
/*
 * Read all of fd, at most limit bytes (-EFBIG beyond), into a
 * NUL-terminated malloc()ed buffer.  0 or -errno; nothing is reported.
 */
int cli_read_fd(int fd, size_t limit, char **ret_text, size_t *ret_len);
/*
 * Read the regular file (or anonymous pipe) path whole, at most 64 MiB.
 * On failure the problem has been reported (one line naming the file)
 * and -1 is returned.
 */
int cli_read_file(const char *path, char **ret_text, size_t *ret_len);

/* ---- walk.c: PATH operands --------------------------------------- */

/* What a directory operand's walk visits. */
#define CLI_RECORD_SUFFIX ".hostctx.json"
/* Threads a snapshot may read a big host's per-CPU files with (the library caps them). */
#define CLI_READ_THREADS 8

/* Called for each file to read; 0, or -1 when it reported a problem. */
typedef int cli_visit_fn(const char *path, void *data);
/* name ends in CLI_RECORD_SUFFIX (and is more than it). */
bool cli_is_record_name(const char *name);
/* path is a directory ("-" never is; a symlink to one is). */
bool cli_is_directory(const char *path);
/*
 * Visit the operand: a file or '-' as it is; a directory's records
 * below it in sorted order, symlinked directories below it not
 * followed (docs/fleet.md).  -1 when anything was reported (the walk
 * still visits the rest; a directory without a record is reported),
 * else 0.
 */
int cli_walk_operand(const char *path, cli_visit_fn *visit, void *data);

/* ---- tolerance.c: --tolerance, --tolerances, --no-default-tolerances */

/* getopt values of the long-only ones; --tolerance is 't'. */
#define OPT_TOLERANCES 0x110
#define OPT_NO_DEFAULT_TOLERANCES 0x111

struct cli_tolerances {
	const char **args;	/* --tolerance values, pointing into argv */
	size_t n;
	const char *file;	/* --tolerances */
	bool no_defaults;
};
/* Room for argc flags; -1 (reported) when out of memory. */
int cli_tolerances_init(struct cli_tolerances *t, int argc);
void cli_tolerances_clear(struct cli_tolerances *t);
/* Take getopt's c if it is one of the three options (true), else false. */
bool cli_tolerances_option(struct cli_tolerances *t, int c, const char *arg);
/*
 * Add them to cmp: the built-in defaults (when defaults and not
 * --no-default-tolerances), the file, the flags.  0, or -1 when a
 * problem was reported (a bad flag is a usage error).
 */
int cli_tolerances_apply(const struct cli_tolerances *t, const char *subcommand,
			 bool defaults, struct hostctx_compare *cmp);

/* ---- render.c ------------------------------------------------------ */

/* Print a sidecar for humans: header, pre, post, changes. */
int cli_render_sidecar(const struct hostctx_sidecar *sc);

/* ---- sandbox.c: seccomp filters (docs/design.md, "The sandbox") ---- */

/* Built with libseccomp: the filters below are real. */
bool cli_sandbox_available(void);
/*
 * Enter the sandbox for good: read-only opens, writes to fds 1 and 2
 * only, no exec, no socket.  cli_sandbox_parsing() is for commands that
 * parse files (show, diff), cli_sandbox_snapshot() adds the directory
 * walks and uname(2) a snapshot needs.  Without libseccomp they do
 * nothing.  0, or -1 when the filter could not be installed (reported).
 */
int cli_sandbox_parsing(void);
/* Parsing and listing directories (getdents64): the walks of export and report. */
int cli_sandbox_listing(void);
int cli_sandbox_snapshot(void);

/* ---- fields.c: --fields, --redact ----------------------------------- */

/* --fields=help: each group with its fields, then seed and all. */
void cli_print_groups(void);
/* hostctx_root_select() refused fields (-err): one line; EXIT_TROUBLE. */
int cli_fields_error(const char *fields, int err);
/* HOSTCTX_REDACT: unset, "" or "0" off, "1" on; else reported, -EINVAL. */
int cli_redact_from_env(bool *ret);

/* ---- subcommands: return the exit status --------------------------- */

/* getopt values of long-only options (beyond every char). */
#define OPT_NO_SANDBOX 0x100
#define OPT_REDACT 0x101


int cmd_snapshot(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_junit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* HOSTCTX_CLI_H */
