/* SPDX-License-Identifier: MIT */
/*
 * recording.c - where a record goes, its writes, and the preload-owner
 * marker: the parts hostctx-run and libhostctx-preload.so share
 * (recording.h).  The writing itself is record.c.
 *
 * The place, first match wins: -o FILE, --next-to=FILE
 * (FILE.hostctx.json), -O DIR, $HOSTCTX_OUTPUT (a file), $HOSTCTX_DIR
 * (a directory), else the current directory.  In a directory the first
 * write creates a new name that never replaces another run's file;
 * later writes replace that name atomically.
 */
#include "internal.h"
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define RECORD_SUFFIX ".hostctx.json"

/* ---- the place ------------------------------------------------------ */

static const char *env_nonempty(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return (*envp)[n + 1] ? *envp + n + 1 : NULL;
	return NULL;
}

/* dir made absolute from cwd (kept as given when there is none). */
static char *absolute(const char *path, const char *cwd)
{
	char *ret;

	if (path[0] == '/' || !cwd)
		return strdup(path);
	if (strcmp(path, ".") == 0)
		return strdup(cwd);
	if (asprintf(&ret, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "",
		     path) < 0)
		return NULL;
	return ret;
}

/* A file: its directory and name ("" when path ends in '/'). */
static int place_file(struct hctx_record *rec, const char *path,
		      const char *cwd)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = NULL;

	rec->shown = strdup(path);
	rec->name = strdup(slash ? slash + 1 : path);
	if (!slash)
		dir = strdup(".");
	else
		dir = slash == path ? strdup("/") :
				      strndup(path, (size_t)(slash - path));
	if (!rec->shown || !rec->name || !dir)
		return -ENOMEM;
	rec->dir = absolute(dir, cwd);
	return rec->dir ? 0 : -ENOMEM;
}

static int place_dir(struct hctx_record *rec, const char *dir,
		     const struct hctx_place_request *req, const char *cwd)
{
	rec->dir_shown = strdup(dir);
	rec->dir = absolute(dir, cwd);
	if (!rec->dir_shown || !rec->dir)
		return -ENOMEM;
	return hostctx_record_stem(req->command ? req->command : "command",
				   req->started_at, req->pid, &rec->stem);
}

static int choose_place(struct hctx_record *rec,
			const struct hctx_place_request *req, const char *cwd)
{
	_cleanup_free_ char *next_to = NULL;
	const char *v;

	if (req->output_file)
		return place_file(rec, req->output_file, cwd);
	if (req->next_to) {
		if (asprintf(&next_to, "%s" RECORD_SUFFIX, req->next_to) < 0)
			return -ENOMEM;
		return place_file(rec, next_to, cwd);
	}
	if (req->output_dir)
		return place_dir(rec, req->output_dir, req, cwd);
	if ((v = env_nonempty(req->envp, "HOSTCTX_OUTPUT")))
		return place_file(rec, v, cwd);
	if ((v = env_nonempty(req->envp, "HOSTCTX_DIR")))
		return place_dir(rec, v, req, cwd);
	return place_dir(rec, ".", req, cwd);
}

int hctx_record_init(struct hctx_record *rec,
		     const struct hctx_place_request *req)
{
	_cleanup_free_ char *own_cwd = NULL;
	const char *cwd = req->cwd;
	int r;

	memset(rec, 0, sizeof(*rec));
	rec->dirfd = -1;
	rec->flags = req->flags;
	if (!req->started_at)
		return -EINVAL;
	if (!cwd)
		cwd = own_cwd = getcwd(NULL, 0);
	r = choose_place(rec, req, cwd);
	if (r < 0)
		hctx_record_clear(rec);
	return r;
}

/* ---- writing -------------------------------------------------------- */

/* The directory fd, opened now if closed; the same directory as before. */
static int record_dir(struct hctx_record *rec)
{
	struct stat st;
	int r;

	if (rec->dirfd >= 0)
		return rec->dirfd;
	/* A new name in a directory: make the directory when missing. */
	r = hctx_dir_make_safe(rec->dir, &rec->dirfd,
			       rec->name ? NULL : &rec->mkdir_failed);
	if (r < 0)
		return r;
	if (fstat(rec->dirfd, &st) < 0) {
		r = -errno;
		hctx_record_close_dir(rec);
		return r;
	}
	if (rec->have_id && (st.st_dev != rec->dev || st.st_ino != rec->ino)) {
		hctx_record_close_dir(rec);
		return -ESTALE;
	}
	rec->have_id = true;
	rec->dev = st.st_dev;
	rec->ino = st.st_ino;
	return rec->dirfd;
}

static int write_json(struct hctx_record *rec, const char *json, size_t len)
{
	_cleanup_free_ char *name = NULL;
	int dirfd = record_dir(rec), r;

	if (dirfd < 0)
		return dirfd;
	if (rec->name)
		return *rec->name ?
		       hctx_write_at(dirfd, rec->name, json, len, rec->flags) :
		       -EISDIR;
	r = hctx_create_unique_at(dirfd, rec->stem, json, len, rec->flags,
				  &name);
	if (r < 0)
		return r;
	rec->name = TAKE_PTR(name);
	rec->shown = hctx_record_abspath(rec);
	/* Written; only the name for messages is missing. */
	return 0;
}

int hctx_record_write(struct hctx_record *rec,
		      const struct hostctx_sidecar *sc)
{
	_cleanup_free_ char *json = NULL;
	size_t len = 0;
	int r;

	if (!rec->dir)
		return -EINVAL;
	r = hostctx_sidecar_to_json(sc, &json, &len);
	if (r < 0)
		return r;
	return write_json(rec, json, len);
}

void hctx_record_close_dir(struct hctx_record *rec)
{
	if (rec->dirfd >= 0)
		close(rec->dirfd);
	rec->dirfd = -1;
}

void hctx_record_clear(struct hctx_record *rec)
{
	hctx_record_close_dir(rec);
	free(rec->shown);
	free(rec->dir_shown);
	free(rec->dir);
	free(rec->name);
	free(rec->stem);
	memset(rec, 0, sizeof(*rec));
	rec->dirfd = -1;
}

char *hctx_record_abspath(const struct hctx_record *rec)
{
	char *ret;

	if (!rec->dir || !rec->name || !*rec->name)
		return NULL;
	if (asprintf(&ret, "%s%s%s", rec->dir,
		     strcmp(rec->dir, "/") ? "/" : "", rec->name) < 0)
		return NULL;
	return ret;
}

const char *hctx_record_strerror(int r)
{
	switch (-r) {
	case HCTX_E_NOT_REGULAR:
		return "it exists and is not a regular file";
	case ELOOP:
		return "a symbolic link in the path is not owned by the user or root";
	case ESTALE:
		return "its directory was replaced during the run";
	default:
		return strerror(-r);
	}
}

/* ---- a record by absolute path ------------------------------------- */

static int open_parent(const char *abspath, int *ret_fd, const char **ret_name)
{
	const char *slash = strrchr(abspath, '/');
	_cleanup_free_ char *dir = NULL;

	if (abspath[0] != '/' || !slash || !slash[1])
		return -EINVAL;
	dir = slash == abspath ? strdup("/") :
				 strndup(abspath, (size_t)(slash - abspath));
	if (!dir)
		return -ENOMEM;
	*ret_name = slash + 1;
	return hctx_dir_open_safe(dir, false, ret_fd);
}

int hctx_record_discard(const char *abspath)
{
	_cleanup_close_ int dirfd = -1;
	const char *name;
	struct stat st;
	int r = open_parent(abspath, &dirfd, &name);

	if (r < 0)
		return r;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -HCTX_E_NOT_REGULAR;
	return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

int hctx_record_read(const char *abspath, size_t cap, char **ret,
		     size_t *ret_len)
{
	_cleanup_close_ int dirfd = -1;
	const char *name;
	int r = open_parent(abspath, &dirfd, &name);

	if (r < 0)
		return r;
	return hctx_read_at(dirfd, name, cap, ret, ret_len);
}

/* ---- the marker ----------------------------------------------------- */

/*
 * Strict decimal up to the first non-digit; *end points there.  A loop
 * of our own: a descendant of a preloaded process runs this, and every
 * libc function it called would cost a lazy PLT resolution per exec.
 */
static bool parse_decimal(const char *s, unsigned long long *ret,
			  const char **end)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (~0ULL - 9) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == s)
		return false;
	*ret = v;
	*end = p;
	return true;
}

bool hctx_marker_parse(const char *value, long want_pid,
		       struct hctx_marker *ret)
{
	unsigned long long pid, start;
	const char *p;

	if (!parse_decimal(value, &pid, &p) || *p != ':' ||
	    pid > (unsigned long long)LONG_MAX)
		return false;
	if (want_pid >= 0 && (long)pid != want_pid)
		return false;
	if (!parse_decimal(p + 1, &start, &p) || *p != ':')
		return false;
	ret->pid = (long)pid;
	ret->start = start;
	ret->path = p + 1;
	return true;
}

int hctx_marker_format(char *buf, size_t cap, long pid,
		       unsigned long long start, const char *path)
{
	int n = snprintf(buf, cap, HCTX_MARKER_NAME "=%ld:%llu:", pid, start);

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	/* A path too long goes; the owner stays known. */
	if (path && strlen(path) < cap - (size_t)n)
		strcpy(buf + n, path);
	return 0;
}

/*
 * The process table is always this host's: these reads go straight to
 * /proc, never beneath a --root (which holds host settings only).
 */
int hctx_process_start_time(long pid, char *ret_state, unsigned long long *ret)
{
	char path[32], buf[1024], state = 0;
	uint64_t start = 0;
	ssize_t n;
	int fd, r;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return n < 0 && errno == ESRCH ? -ESRCH : -EIO;
	buf[n] = '\0';
	r = hctx_parse_pid_stat(buf, (size_t)n, &state, &start);
	if (r < 0)
		return -EIO;
	if (ret_state)
		*ret_state = state;
	*ret = start;
	return 0;
}

int hctx_self_start_time(unsigned long long *ret)
{
	return hctx_process_start_time(0, NULL, ret);
}
