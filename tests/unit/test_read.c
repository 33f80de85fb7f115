/* SPDX-License-Identifier: MIT */
/*
 * The readers, through hostctx_snapshot_take, over small trees built in
 * a temporary directory: every field's source rules, and the defensive
 * reads (FIFOs, directories, huge files, NULs, symlink loops, links that
 * would leave the root).  Each test arms an alarm: a reader that blocks
 * kills the binary instead of hanging the suite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cjson/cJSON.h>

#include "internal.h"

#define LIT(s) (s), (sizeof(s) - 1)

#define CPU "sys/devices/system/cpu"
#define NODE "sys/devices/system/node"
#define KERNEL "proc/sys/kernel"
#define THP "sys/kernel/mm/transparent_hugepage"

/* ---- the read layer's seams, overridden ------------------------------- */

/*
 * The layer's read(), getdents64() and openat2() calls come here.  With
 * seam.kind set, the seam.at-th read or getdents64 call (counting from
 * 1) fails or comes back short; seam.calls counts them.  no_openat2
 * makes openat2() look missing, so that every path goes through the
 * user-space resolver (main runs the whole suite a second time so).
 */
enum fault { FAULT_NONE, FAULT_COUNT, FAULT_EIO, FAULT_EINTR, FAULT_ENOMEM, FAULT_SHORT };

static struct {
	enum fault kind;
	unsigned at;
	unsigned calls;
	unsigned openat2_calls;
	bool no_openat2;
} seam;

/* true when this call is the one to break */
static bool seam_hit(void)
{
	if (seam.kind == FAULT_NONE)
		return false;
	return ++seam.calls == seam.at && seam.kind != FAULT_COUNT;
}

static int seam_errno(void)
{
	return seam.kind == FAULT_EIO ? EIO : seam.kind == FAULT_EINTR ? EINTR : ENOMEM;
}

ssize_t hctx_sys_read(int fd, void *buf, size_t len)
{
	if (seam_hit()) {
		if (seam.kind == FAULT_SHORT)
			return read(fd, buf, len > 1 ? 1 : len);
		errno = seam_errno();
		return -1;
	}
	return read(fd, buf, len);
}

long hctx_sys_getdents64(int fd, void *buf, size_t len)
{
	/* a short listing is no fault: whole records only */
	if (seam_hit() && seam.kind != FAULT_SHORT) {
		errno = seam_errno();
		return -1;
	}
	return syscall(SYS_getdents64, fd, buf, len);
}

long hctx_sys_openat2(int dirfd, const char *path, void *how, size_t size)
{
	seam.openat2_calls++;
	if (seam.no_openat2) {
		errno = ENOSYS;
		return -1;
	}
	return syscall(SYS_openat2, dirfd, path, how, size);
}

/* ---- building trees -------------------------------------------------- */

struct tree {
	char dir[PATH_MAX];
	char outside[PATH_MAX];	/* a sibling directory a reader must never see */
};

static const char *at(const struct tree *t, const char *rel)
{
	static char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	return path;
}

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX * 2];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", tmp, strerror(errno));
}

static void parent_of(const char *path)
{
	char tmp[PATH_MAX * 2];
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s", path);
	slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = '\0';
		mkdirs(tmp);
	}
}

static void put_bytes(const struct tree *t, const char *rel, const void *data, size_t len)
{
	const char *path = at(t, rel);
	int fd;

	parent_of(path);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put(const struct tree *t, const char *rel, const char *text)
{
	put_bytes(t, rel, text, strlen(text));
}

static void put_repeated(const struct tree *t, const char *rel, char c, size_t len)
{
	char *data = malloc(len);

	assert_non_null(data);
	memset(data, c, len);
	put_bytes(t, rel, data, len);
	free(data);
}

/* A file in the sibling directory that no reader may reach. */
static void put_outside(const struct tree *t, const char *rel, const char *text)
{
	struct tree other;

	snprintf(other.dir, sizeof(other.dir), "%s", t->outside);
	put(&other, rel, text);
}

static void dir_at(const struct tree *t, const char *rel)
{
	mkdirs(at(t, rel));
}

static void link_at(const struct tree *t, const char *rel, const char *target)
{
	const char *path = at(t, rel);

	parent_of(path);
	unlink(path);
	if (symlink(target, path) < 0)
		fail_msg("symlink %s: %s", path, strerror(errno));
}

static void fifo_at(const struct tree *t, const char *rel)
{
	const char *path = at(t, rel);

	parent_of(path);
	unlink(path);
	if (mkfifo(path, 0644) < 0)
		fail_msg("mkfifo %s: %s", path, strerror(errno));
}

static void remove_at(const struct tree *t, const char *rel)
{
	const char *path = at(t, rel);

	if (unlink(path) < 0 && rmdir(path) < 0)
		fail_msg("remove %s: %s", path, strerror(errno));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *dir)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* cpu0..cpu(n-1) directories and the online list */
static void cpus(const struct tree *t, unsigned n, const char *online)
{
	for (unsigned i = 0; i < n; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), CPU "/cpu%u", i);
		dir_at(t, rel);
	}
	if (online)
		put(t, CPU "/online", online);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	strcpy(t->dir, "/tmp/hctx-read-XXXXXX");
	strcpy(t->outside, "/tmp/hctx-outside-XXXXXX");
	if (!mkdtemp(t->dir) || !mkdtemp(t->outside))
		return -1;
	*state = t;
	alarm(60);	/* a blocked reader must fail the run, not hang it */
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;

	alarm(0);
	rm_rf(t->dir);
	rm_rf(t->outside);
	free(t);
	return 0;
}

/* ---- taking snapshots ------------------------------------------------- */

static void take_with(struct hostctx_root *root, struct hostctx_snapshot **s)
{
	*s = NULL;
	assert_int_equal(hostctx_snapshot_take(root, s), 0);
	assert_non_null(*s);
}

static void take(const struct tree *t, struct hostctx_snapshot **s)
{
	struct hostctx_root *root = NULL;

	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	assert_false(hostctx_root_is_live(root));
	take_with(root, s);
	hostctx_root_close(root);
}

/* A string (or enum) field at path; expected NULL means absent. */
static void assert_str(const struct hostctx_snapshot *s, const char *path,
		       const char *expected)
{
	const char *got = NULL;
	int r = hostctx_snapshot_get_string(s, path, &got);

	if (!expected) {
		if (r == 0)
			fail_msg("%s: expected absent, got \"%s\"", path, got);
		assert_int_equal(r, -ENOENT);
		return;
	}
	if (r == -ENOENT)
		fail_msg("%s: expected \"%s\", got absent", path, expected);
	assert_int_equal(r, 0);
	assert_non_null(got);
	assert_string_equal(got, expected);
}

static void assert_u64(const struct hostctx_snapshot *s, const char *path,
		       uint64_t expected)
{
	uint64_t got = 0;
	int r = hostctx_snapshot_get_u64(s, path, &got);

	if (r == -ENOENT)
		fail_msg("%s: expected %llu, got absent", path,
			 (unsigned long long)expected);
	assert_int_equal(r, 0);
	assert_int_equal(got, expected);
}

/* The string at path, which must be there. */
static const char *str_of(const struct hostctx_snapshot *s, const char *path)
{
	const char *got = NULL;

	assert_int_equal(hostctx_snapshot_get_string(s, path, &got), 0);
	assert_non_null(got);
	return got;
}

/* Nothing at path: no type, and every getter says -ENOENT. */
static void assert_absent(const struct hostctx_snapshot *s, const char *path)
{
	const char *str = NULL;
	uint64_t u = 0;

	if (hostctx_snapshot_type(s, path) != HOSTCTX_TYPE_ABSENT)
		fail_msg("%s: expected absent, got type %d", path,
			 (int)hostctx_snapshot_type(s, path));
	assert_int_equal(hostctx_snapshot_get_string(s, path, &str), -ENOENT);
	assert_int_equal(hostctx_snapshot_get_u64(s, path, &u), -ENOENT);
}

static void assert_present(const struct hostctx_snapshot *s, const char *path)
{
	if (hostctx_snapshot_type(s, path) == HOSTCTX_TYPE_ABSENT)
		fail_msg("%s: expected present, got absent", path);
}

/* "k=v;k=v" (sep ";") or "0=performance,2=powersave" (sep ",") for the
 * map at path in map order; "(absent)" when there is no map. */
static void assert_map(const struct hostctx_snapshot *s, const char *path,
		       const char *sep, const char *expected)
{
	char got[8192] = "";
	size_t len = 0, n = 0;
	const char **keys = NULL;

	if (hostctx_snapshot_type(s, path) == HOSTCTX_TYPE_ABSENT) {
		assert_string_equal("(absent)", expected);
		return;
	}
	assert_int_equal(hostctx_snapshot_type(s, path), HOSTCTX_TYPE_OBJECT);
	assert_int_equal(hostctx_snapshot_keys(s, path, &keys, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char member[512];
		const char *value = NULL;

		snprintf(member, sizeof(member), "%s.%s", path, keys[i]);
		assert_int_equal(hostctx_snapshot_get_string(s, member, &value), 0);
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s=%s",
					i ? sep : "", keys[i], value);
	}
	free(keys);
	assert_string_equal(got, expected);
}

static void assert_numa(const struct tree *t, uint64_t expected)
{
	struct hostctx_snapshot *s = NULL;

	take(t, &s);
	assert_u64(s, "numa_nodes", expected);
	hostctx_snapshot_free(s);
}

/* "0=performance,2=powersave", or "" when no CPU has one (omitted). */
static void assert_governors(const struct hostctx_snapshot *s, const char *expected)
{
	if (!*expected) {
		assert_absent(s, "cpufreq_governor");
		return;
	}
	assert_map(s, "cpufreq_governor", ",", expected);
}

/* "k=v;k=v" in map order, "" for {}, or "(absent)" */
static void assert_tunables(const struct hostctx_snapshot *s, const char *expected)
{
	assert_map(s, "sched_tunables", ";", expected);
}

/* ---- roots ----------------------------------------------------------- */

static void empty_tree_gives_only_the_never_absent_fields(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	char *json = NULL;

	take(t, &s);
	/*
	 * Every row of the table is absent (kernel_*: never the machine's
	 * own uname) but the two accounting fields, which always answer.
	 */
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		const char *name = hostctx_field_name(i);

		if (strcmp(name, "task_delayacct") == 0 ||
		    strcmp(name, "config_task_xacct") == 0)
			continue;
		assert_absent(s, name);
	}
	assert_str(s, "task_delayacct", "config_off");
	assert_str(s, "config_task_xacct", "unknown");
	{
		const char **keys = NULL;
		size_t n = 0;

		assert_int_equal(hostctx_snapshot_keys(s, "", &keys, &n), 0);
		assert_int_equal(n, 2);
		/* in table order */
		assert_true(hostctx_field_index("task_delayacct") <
			    hostctx_field_index("config_task_xacct"));
		assert_string_equal(keys[0], "task_delayacct");
		assert_string_equal(keys[1], "config_task_xacct");
		free(keys);
	}

	assert_int_equal(hostctx_snapshot_to_json(s, &json, NULL), 0);
	assert_non_null(strstr(json, "\"task_delayacct\""));
	assert_non_null(strstr(json, "\"config_task_xacct\""));
	assert_null(strstr(json, "null"));
	free(json);
	hostctx_snapshot_free(s);
}

static void root_must_be_a_directory(void **state)
{
	struct tree *t = *state;
	struct hostctx_root *root = NULL;

	assert_true(hostctx_root_open(at(t, "does-not-exist"), &root) < 0);
	assert_null(root);
	put(t, "plainfile", "x");
	assert_true(hostctx_root_open(at(t, "plainfile"), &root) < 0);
	assert_null(root);
}

static void live_root(void **state)
{
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	struct utsname u;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	assert_int_equal(hostctx_root_open(NULL, &root), 0);
	assert_true(hostctx_root_is_live(root));
	take_with(root, &s);
	assert_int_equal(uname(&u), 0);
	assert_str(s, "kernel_name", "Linux");
	assert_str(s, "kernel_release", u.release);
	assert_str(s, "arch", u.machine);
	assert_u64(s, "online_cpus", (uint64_t)online);
	assert_present(s, "numa_nodes");
	{
		uint64_t nodes = 0;

		assert_int_equal(hostctx_snapshot_get_u64(s, "numa_nodes", &nodes), 0);
		assert_true(nodes >= 1);
	}
	assert_present(s, "total_memory_kib");
	assert_present(s, "sched_tunables");
	assert_int_equal(hostctx_snapshot_type(s, "kernel_cmdline"), HOSTCTX_TYPE_STRING);
	assert_int_equal(hostctx_snapshot_type(s, "task_delayacct"), HOSTCTX_TYPE_STRING);
	assert_int_equal(hostctx_snapshot_type(s, "config_task_xacct"), HOSTCTX_TYPE_STRING);
	hostctx_snapshot_free(s);
	hostctx_root_close(root);

	/* "/" is the live root too */
	assert_int_equal(hostctx_root_open("/", &root), 0);
	assert_true(hostctx_root_is_live(root));
	hostctx_root_close(root);
}

/* ---- sched_tunables (reference 53) ------------------------------------ */

static void sched_walk_filters_and_trims(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, KERNEL "/sched_a", " 1 \n");
	put(t, KERNEL "/sched_migration_cost_ns", "500000\n");
	put_bytes(t, KERNEL "/sched_trailing_nul", LIT("5\n\0"));
	put(t, KERNEL "/sched_inner", "a  b\n");
	dir_at(t, KERNEL "/sched_subdir");
	put(t, KERNEL "/sched_subdir/sched_inside", "9\n");
	put(t, KERNEL "/not_sched_x", "1\n");
	put(t, KERNEL "/xsched_y", "1\n");
	put(t, KERNEL "/ostype", "Linux\n");
	put(t, KERNEL "/target", "7\n");
	link_at(t, KERNEL "/sched_link", "target");
	link_at(t, KERNEL "/sched_dangling", "nowhere");
	link_at(t, KERNEL "/sched_loop", "sched_loop");
	put(t, KERNEL "/sched_empty", "");
	put(t, KERNEL "/sched_ws", " \t\r\n");
	put_bytes(t, KERNEL "/sched_nul", LIT("1\0 2\n"));
	put(t, KERNEL "/sched_badutf8", "\xff\xfe\n");
	put_repeated(t, KERNEL "/sched_huge", '1', 1 << 20);
	fifo_at(t, KERNEL "/sched_fifo");

	take(t, &s);
	assert_tunables(s,
			"sched_a=1;sched_inner=a  b;sched_migration_cost_ns=500000;"
			"sched_trailing_nul=5");
	assert_str(s, "kernel_name", "Linux");
	hostctx_snapshot_free(s);
}

static void sched_kernel_dir_missing_is_absent(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, "proc/cmdline", "ro\n");
	dir_at(t, "proc/sys");
	take(t, &s);
	assert_absent(s, "sched_tunables");
	hostctx_snapshot_free(s);

	/* a file where the directory should be cannot be listed */
	put(t, KERNEL, "sched_x\n");
	take(t, &s);
	assert_absent(s, "sched_tunables");
	hostctx_snapshot_free(s);
}

static void sched_kernel_dir_empty_is_present_and_empty(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	dir_at(t, KERNEL);
	take(t, &s);
	assert_tunables(s, "");	/* present and empty: {} */
	hostctx_snapshot_free(s);

	/* only non-qualifying entries: still {} */
	put(t, KERNEL "/sched_empty", "\n");
	put(t, KERNEL "/not_sched", "1\n");
	dir_at(t, KERNEL "/sched_domain");
	take(t, &s);
	assert_tunables(s, "");	/* present and empty: {} */
	hostctx_snapshot_free(s);
}

static void sched_is_reread_every_snapshot(void **state)
{
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;

	put(t, KERNEL "/sched_x", "1\n");
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	take_with(root, &s);
	assert_tunables(s, "sched_x=1");
	hostctx_snapshot_free(s);
	put(t, KERNEL "/sched_x", "2\n");
	put(t, KERNEL "/sched_y", "3\n");
	take_with(root, &s);
	assert_tunables(s, "sched_x=2;sched_y=3");
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
}

/* ---- task_delayacct (reference 72) ------------------------------------- */

static void delayacct_states(void **state)
{
	static const struct {
		const char *content;	/* NULL: missing */
		size_t len;
		const char *expected;
	} cases[] = {
		{ NULL, 0, "config_off" },
		{ LIT("0\n"), "runtime_off" },
		{ LIT("1\n"), "on" },
		{ LIT(""), "config_off" },
		{ LIT(" \n"), "config_off" },
		{ LIT(" 1 \r\n"), "on" },
		{ LIT("2\n"), "runtime_off" },
		{ LIT("1\n\0"), "on" },
		{ LIT("1\0" "1\n"), "config_off" },	/* NUL inside: unreadable */
	};
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;

	dir_at(t, KERNEL);
	/* one root for all: the value must be re-read every time */
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unlink(at(t, KERNEL "/task_delayacct"));
		if (cases[i].content)
			put_bytes(t, KERNEL "/task_delayacct", cases[i].content,
				  cases[i].len);
		take_with(root, &s);
		{
			const char *got = NULL;

			assert_int_equal(hostctx_snapshot_get_string(s, "task_delayacct", &got), 0);
			if (strcmp(got, cases[i].expected) != 0)
				fail_msg("case %zu: got %s, expected %s", i, got,
					 cases[i].expected);
		}
		hostctx_snapshot_free(s);
	}

	/* a directory and a FIFO are unreadable */
	remove_at(t, KERNEL "/task_delayacct");
	dir_at(t, KERNEL "/task_delayacct");
	take_with(root, &s);
	assert_str(s, "task_delayacct", "config_off");
	hostctx_snapshot_free(s);
	remove_at(t, KERNEL "/task_delayacct");
	fifo_at(t, KERNEL "/task_delayacct");
	take_with(root, &s);
	assert_str(s, "task_delayacct", "config_off");
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
}

/* ---- config.gz (reference 74) ------------------------------------------- */

static void put_gzip(const struct tree *t, const char *rel, const char *text, int damage)
{
	size_t len = strlen(text), cap = compressBound(len) + 64;
	unsigned char *out = malloc(cap);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	len = cap - z.avail_out;
	deflateEnd(&z);
	if (damage == 1)	/* bad method byte: corrupt from the start */
		out[2] = 7;
	if (damage == 2)	/* cut in the middle */
		len /= 2;
	put_bytes(t, rel, out, len);
	free(out);
}

/* A config of n noise lines with the answer line (if any) near the top. */
static char *config_text(const char *answer, unsigned n)
{
	char *text = malloc((size_t)n * 48 + 128), *p = text;
	uint32_t seed = 7;

	assert_non_null(text);
	p += sprintf(p, "#\n# Automatically generated file; DO NOT EDIT.\n#\n");
	for (unsigned i = 0; i < n; i++) {
		if (i == 150 && answer)
			p += sprintf(p, "%s\n", answer);
		seed = seed * 1103515245u + 12345u;
		p += sprintf(p, "CONFIG_N_%08x_%u=y\n", seed, i);
	}
	return text;
}

/* config_task_xacct as enum hctx_xacct: its row names the states in that order. */
static enum hctx_xacct xacct_of(const struct tree *t)
{
	const struct hctx_field *f = hctx_field_by_name(LIT("config_task_xacct"));
	struct hostctx_snapshot *s = NULL;
	const char *name = NULL;
	int v = -1;

	take(t, &s);	/* a fresh root each time: a root caches the answer */
	assert_int_equal(hostctx_snapshot_get_string(s, "config_task_xacct", &name), 0);
	for (int i = 0; f->spec->names[i]; i++)
		if (strcmp(f->spec->names[i], name) == 0)
			v = i;
	if (v < 0)
		fail_msg("config_task_xacct: \"%s\" is not in the row's names", name);
	hostctx_snapshot_free(s);
	return (enum hctx_xacct)v;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * A released root holds no fd and reopens by its path at the next
 * snapshot; a captured tree is read afresh then (its config.gz answer
 * too), the live root keeps its boot-stable values.
 */
static void released_root_holds_no_fd_and_reopens(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *on = config_text("CONFIG_TASK_XACCT=y", 400);
	_cleanup_free_ char *off = config_text("# CONFIG_TASK_XACCT is not set", 400);
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	int before = open_fds();

	put(t, "proc/sys/kernel/osrelease", "6.1.0\n");
	put_gzip(t, "proc/config.gz", on, 0);
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	assert_int_equal(open_fds(), before + 1);
	take_with(root, &s);
	assert_str(s, "kernel_release", "6.1.0");
	assert_str(s, "config_task_xacct", "on");
	hostctx_snapshot_free(s);
	/* held, the root keeps its config.gz answer */
	put_gzip(t, "proc/config.gz", off, 0);
	take_with(root, &s);
	assert_str(s, "config_task_xacct", "on");
	hostctx_snapshot_free(s);
	hostctx_root_release(root);
	hostctx_root_release(root);	/* twice is once */
	assert_int_equal(open_fds(), before);
	/* released, the tree may have changed: read afresh */
	put(t, "proc/sys/kernel/osrelease", "6.2.0\n");
	take_with(root, &s);
	assert_str(s, "kernel_release", "6.2.0");
	assert_str(s, "config_task_xacct", "off");
	hostctx_snapshot_free(s);
	assert_int_equal(open_fds(), before + 1);
	hostctx_root_release(root);
	hostctx_root_close(root);
	assert_int_equal(open_fds(), before);

	/* the live root, released between two snapshots */
	assert_int_equal(hostctx_root_open(NULL, &root), 0);
	take_with(root, &s);
	hostctx_snapshot_free(s);
	hostctx_root_release(root);
	assert_int_equal(open_fds(), before);
	take_with(root, &s);
	assert_present(s, "online_cpus");
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
	hostctx_root_release(NULL);
}

/*
 * proc/stat has its own cap (4 MiB): a big host's cpu lines and intr
 * line run far past 64 KiB, and its counters must still be read; past
 * the cap they are absent.
 */
static void proc_stat_above_64k(void **state)
{
	struct tree *t = *state;
	size_t size = 3 << 20, len = 0;
	char *text = malloc(size);
	struct hostctx_snapshot *s = NULL;

	assert_non_null(text);
	len += (size_t)sprintf(text + len, "cpu  950 0 210 1280 3 0 7 22 0 0\n");
	for (int c = 0; c < 3000; c++)
		len += (size_t)sprintf(text + len, "cpu%d 1 2 3 4 5 6 7 8 9 10\n", c);
	len += (size_t)sprintf(text + len, "intr 40211");
	for (int i = 0; i < 20000; i++)
		len += (size_t)sprintf(text + len, " %d", i % 3);
	len += (size_t)sprintf(text + len, "\nctxt 51234\nprocesses 17\n");
	assert_true(len > HCTX_READ_CAP);
	put(t, "proc/stat", text);
	take(t, &s);
	assert_u64(s, "context_switches", 51234);
	assert_u64(s, "processes_forked", 17);
	assert_u64(s, "interrupts", 40211);
	hostctx_snapshot_free(s);
	/* past the 4 MiB cap: unreadable */
	free(text);
	text = malloc((5u << 20));
	assert_non_null(text);
	memset(text, 'x', (5u << 20) - 1);
	memcpy(text, "ctxt 9\n", 7);
	text[(5u << 20) - 1] = '\0';
	put(t, "proc/stat", text);
	take(t, &s);
	assert_absent(s, "context_switches");
	hostctx_snapshot_free(s);
	free(text);
}

static void xacct_states(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *on = config_text("CONFIG_TASK_XACCT=y", 400);
	_cleanup_free_ char *off = config_text("# CONFIG_TASK_XACCT is not set", 400);
	_cleanup_free_ char *none = config_text("CONFIG_TASK_XACCT_EXTRA=y", 400);
	_cleanup_free_ char *big = config_text("CONFIG_TASK_XACCT=y", 20000);

	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);	/* missing */
	put_gzip(t, "proc/config.gz", on, 0);
	assert_int_equal(xacct_of(t), HCTX_XACCT_ON);
	put_gzip(t, "proc/config.gz", off, 0);
	assert_int_equal(xacct_of(t), HCTX_XACCT_OFF);
	put_gzip(t, "proc/config.gz", none, 0);
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);
	put_gzip(t, "proc/config.gz", on, 1);
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);	/* corrupt */
	put(t, "proc/config.gz", "CONFIG_TASK_XACCT=y\n");
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);	/* not gzip */
	put(t, "proc/config.gz", "");
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);	/* empty */
	/* a config.gz above the 64 KiB cap: read until the answer */
	put_gzip(t, "proc/config.gz", big, 0);
	{
		struct stat st;

		assert_int_equal(stat(at(t, "proc/config.gz"), &st), 0);
		assert_true(st.st_size > HCTX_READ_CAP);
	}
	assert_int_equal(xacct_of(t), HCTX_XACCT_ON);
	put_gzip(t, "proc/config.gz", big, 2);	/* cut after the answer */
	assert_int_equal(xacct_of(t), HCTX_XACCT_ON);

	remove_at(t, "proc/config.gz");
	dir_at(t, "proc/config.gz");
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);
	remove_at(t, "proc/config.gz");
	fifo_at(t, "proc/config.gz");
	assert_int_equal(xacct_of(t), HCTX_XACCT_UNKNOWN);
}

/* ---- THP, cmdline, uname --------------------------------------------------- */

static void thp_menus_kept_verbatim(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	const char *start;
	size_t len;

	put(t, THP "/enabled", "always [madvise] never\n");
	put(t, THP "/defrag", "always defer [defer+madvise] madvise never\n");
	take(t, &s);
	assert_str(s, "thp_enabled", "always [madvise] never");
	assert_str(s, "thp_defrag", "always defer [defer+madvise] madvise never");
	assert_true(hostctx_bracketed_active(str_of(s, "thp_defrag"), &start, &len));
	assert_int_equal(len, strlen("defer+madvise"));
	hostctx_snapshot_free(s);

	remove_at(t, THP "/defrag");
	put(t, THP "/enabled", "  \n");
	take(t, &s);
	assert_absent(s, "thp_enabled");
	assert_absent(s, "thp_defrag");
	hostctx_snapshot_free(s);
}

static void cmdline_trimmed(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, "proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0 root=UUID=abc ro  quiet \n");
	take(t, &s);
	assert_str(s, "kernel_cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0 root=UUID=abc ro  quiet");
	hostctx_snapshot_free(s);
}

static void uname_from_the_tree(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, KERNEL "/ostype", "Linux\n");
	put(t, KERNEL "/osrelease", "6.1.0-18-amd64\n");
	put(t, KERNEL "/arch", "riscv64\n");
	take(t, &s);
	assert_str(s, "kernel_name", "Linux");
	assert_str(s, "kernel_release", "6.1.0-18-amd64");
	assert_str(s, "arch", "riscv64");
	/* none of them is a sched_* tunable */
	assert_tunables(s, "");
	hostctx_snapshot_free(s);

	remove_at(t, KERNEL "/osrelease");
	remove_at(t, KERNEL "/arch");
	take(t, &s);
	assert_str(s, "kernel_name", "Linux");
	assert_absent(s, "kernel_release");
	assert_absent(s, "arch");
	hostctx_snapshot_free(s);
}

static void meminfo_from_the_tree(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, "proc/meminfo",
	    "MemTotal:   400016779264 kB\nMemFree: 5 kB\nHugePages_Total:       0\n"
	    "HugePages_Free:        0\nHugepagesize:    1024 kB\n");
	take(t, &s);
	assert_u64(s, "total_memory_kib", 400016779264ull);
	assert_u64(s, "hugepages_total", 0);
	assert_u64(s, "hugepages_free", 0);
	assert_u64(s, "hugepages_size_kib", 1024);
	hostctx_snapshot_free(s);
}

/* ---- defensive reads ------------------------------------------------------- */

static void fifo_where_a_file_should_be(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	fifo_at(t, "proc/cmdline");
	fifo_at(t, "proc/cpuinfo");
	fifo_at(t, "proc/meminfo");
	fifo_at(t, THP "/enabled");
	fifo_at(t, KERNEL "/ostype");
	fifo_at(t, CPU "/online");
	take(t, &s);	/* must return: the alarm fails the run otherwise */
	assert_absent(s, "kernel_cmdline");
	assert_absent(s, "cpu_model");
	assert_absent(s, "total_memory_kib");
	assert_absent(s, "thp_enabled");
	assert_absent(s, "kernel_name");
	assert_absent(s, "online_cpus");
	hostctx_snapshot_free(s);
}

static void directory_where_a_file_should_be(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	dir_at(t, "proc/cmdline");
	dir_at(t, "proc/cpuinfo");
	dir_at(t, "proc/meminfo");
	dir_at(t, THP "/enabled");
	dir_at(t, CPU "/online");
	take(t, &s);
	assert_absent(s, "kernel_cmdline");
	assert_absent(s, "cpu_model");
	assert_absent(s, "total_memory_kib");
	assert_absent(s, "thp_enabled");
	assert_absent(s, "online_cpus");
	hostctx_snapshot_free(s);
}

static void files_above_64k_are_unreadable(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put_repeated(t, "proc/cmdline", 'a', HCTX_READ_CAP);	/* exactly the cap */
	take(t, &s);
	assert_int_equal(strlen(str_of(s, "kernel_cmdline")), HCTX_READ_CAP);
	hostctx_snapshot_free(s);

	put_repeated(t, "proc/cmdline", 'a', HCTX_READ_CAP + 1);
	put_repeated(t, THP "/enabled", 'b', 1 << 20);
	put_repeated(t, "proc/meminfo", ' ', 1 << 20);
	take(t, &s);
	assert_absent(s, "kernel_cmdline");
	assert_absent(s, "thp_enabled");
	assert_absent(s, "total_memory_kib");
	hostctx_snapshot_free(s);
}

static void nul_or_bad_utf8_inside_a_value(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put_bytes(t, "proc/cmdline", LIT("ro\0quiet\n"));
	put_bytes(t, THP "/enabled", LIT("always [madvise] never\n\0\0"));
	put(t, THP "/defrag", "\xc3\x28\n");
	take(t, &s);
	assert_absent(s, "kernel_cmdline");
	assert_str(s, "thp_enabled", "always [madvise] never");
	assert_absent(s, "thp_defrag");
	hostctx_snapshot_free(s);
}

static void symlink_loops_do_not_hang(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 2, "0-1\n");
	link_at(t, NODE "/node0/cpu0", ".");
	link_at(t, NODE "/node0/cpu1", ".");
	link_at(t, CPU "/cpu0/node0", ".");
	link_at(t, CPU "/cpu1/node0", ".");
	link_at(t, CPU "/cpu1/cpufreq", ".");
	link_at(t, CPU "/cpu0/cpufreq", "../cpu0/cpufreq");	/* itself */
	link_at(t, "proc/cmdline", "cmdline2");
	link_at(t, "proc/cmdline2", "cmdline");
	take(t, &s);
	assert_u64(s, "online_cpus", 2);
	assert_u64(s, "numa_nodes", 1);
	assert_absent(s, "cpufreq_governor");
	assert_absent(s, "kernel_cmdline");
	hostctx_snapshot_free(s);
}

/* ---- online CPUs ----------------------------------------------------------- */

static void online_list_parsing(void **state)
{
	static const struct {
		const char *content;
		size_t len;
		long expected;	/* -1: absent */
	} cases[] = {
		{ LIT("0-3,8,10-11\n"), 7 },
		{ LIT("0-3\n\0"), 4 },
		{ LIT("0\n"), 1 },
		{ LIT("1-5,8-19\n"), 17 },
		{ LIT("0-4095\n"), 4096 },
		{ LIT("0-3\r\n"), 4 },
		{ LIT(""), -1 },
		{ LIT("\n"), -1 },
		{ LIT("3-1\n"), -1 },
		{ LIT("0,,1\n"), -1 },
		{ LIT("0-2x\n"), -1 },
		{ LIT("0-3\n0-3\n"), -1 },
		{ LIT("0\0-3\n"), -1 },
	};
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 4, NULL);
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	put(t, NODE "/node0/cpulist", "0-3\n");
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_bytes(t, CPU "/online", cases[i].content, cases[i].len);
		take_with(root, &s);
		if (cases[i].expected < 0) {
			uint64_t got = 0;

			if (hostctx_snapshot_get_u64(s, "online_cpus", &got) != -ENOENT)
				fail_msg("case %zu: expected absent, got %llu", i,
					 (unsigned long long)got);
			/* the fields that need the online list go with it */
			assert_absent(s, "numa_nodes");
			assert_absent(s, "cpufreq_governor");
		} else {
			assert_u64(s, "online_cpus", (uint64_t)cases[i].expected);
			assert_u64(s, "numa_nodes", 1);
		}
		hostctx_snapshot_free(s);
	}
	hostctx_root_close(root);
}

static void no_online_file_drops_online_numa_and_governors(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 2, NULL);
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	put(t, CPU "/cpu1/cpufreq/scaling_governor", "performance\n");
	put(t, NODE "/node0/cpulist", "0\n");
	put(t, NODE "/node1/cpulist", "1\n");
	put(t, CPU "/possible", "0-1\n");
	put(t, CPU "/present", "0-1\n");
	take(t, &s);
	assert_absent(s, "online_cpus");
	assert_absent(s, "numa_nodes");
	assert_absent(s, "cpufreq_governor");
	hostctx_snapshot_free(s);
}

static void hotplug_is_seen_between_snapshots(void **state)
{
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 4, "0-3\n");
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	take_with(root, &s);
	assert_u64(s, "online_cpus", 4);
	assert_governors(s, "0=performance");
	hostctx_snapshot_free(s);
	put(t, CPU "/online", "0-1\n");
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "powersave\n");
	take_with(root, &s);
	assert_u64(s, "online_cpus", 2);
	assert_governors(s, "0=powersave");
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
}

/* ---- NUMA nodes ------------------------------------------------------------- */

static void numa_from_cpulist(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node1/cpulist", "2-3\n\0");
	put(t, NODE "/online", "0-1\n");
	put(t, NODE "/possible", "0-1\n");
	put(t, NODE "/has_cpu", "0-1\n");
	dir_at(t, NODE "/power");
	dir_at(t, NODE "/nodefoo");	/* not a node directory */
	put(t, NODE "/nodefoo/cpulist", "0-3\n");
	assert_numa(t, 2);
}

static void numa_cpulist_wins_over_cpumap(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	put(t, NODE "/node0/cpulist", "0-3\n");
	put(t, NODE "/node0/cpumap", "00000003\n");
	put(t, NODE "/node1/cpulist", "\n");		/* CPU-less */
	put(t, NODE "/node1/cpumap", "0000000c\n");
	assert_numa(t, 1);
}

static void numa_from_cpumap_only(void **state)
{
	struct tree *t = *state;

	cpus(t, 64, "0-63\n");
	put(t, NODE "/node0/cpumap", "55555555,55555555\n");
	put(t, NODE "/node2/cpumap", "22222222,22222222\n");
	put(t, NODE "/node3/cpumap", "88888888,88888888\n");
	assert_numa(t, 3);
}

static void numa_mixed_cpulist_and_cpumap(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node1/cpumap", "0000000c\n");
	assert_numa(t, 2);
}

static void numa_from_cpu_node_links(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	dir_at(t, NODE "/node0");
	dir_at(t, NODE "/node1");
	put(t, NODE "/node0/meminfo", "Node 0 MemTotal: 1 kB\n");
	link_at(t, CPU "/cpu0/node0", "../../node/node0");
	link_at(t, CPU "/cpu1/node0", "../../node/node0");
	link_at(t, CPU "/cpu2/node1", "../../node/node1");
	link_at(t, CPU "/cpu3/node1", ".");	/* as some dumps have them */
	assert_numa(t, 2);
}

static void numa_from_node_cpu_entries(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	link_at(t, NODE "/node0/cpu0", "../../cpu/cpu0");
	link_at(t, NODE "/node0/cpu1", ".");
	link_at(t, NODE "/node4/cpu2", "../../cpu/cpu2");
	link_at(t, NODE "/node4/cpu3", ".");
	put(t, NODE "/node4/cpufoo", "x\n");
	dir_at(t, NODE "/node7");	/* memory only */
	assert_numa(t, 2);
}

static void numa_no_node_dir_is_one(void **state)
{
	struct tree *t = *state;

	cpus(t, 8, "0-7\n");
	assert_numa(t, 1);
	dir_at(t, NODE);
	assert_numa(t, 1);
	dir_at(t, NODE "/node0");	/* a node without any CPU information */
	dir_at(t, NODE "/node1");
	assert_numa(t, 1);
}

static void numa_sparse_node_ids(void **state)
{
	struct tree *t = *state;

	cpus(t, 6, "0-5\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node2/cpulist", "2-3\n");
	put(t, NODE "/node5/cpulist", "4-5\n");
	assert_numa(t, 3);
}

static void numa_memory_only_and_offline_nodes_excluded(void **state)
{
	struct tree *t = *state;

	cpus(t, 6, "0-1,4\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node1/cpulist", "\n");		/* memory only */
	put(t, NODE "/node2/cpulist", "2-3\n");	/* only offline CPUs */
	put(t, NODE "/node3/cpulist", "4-5\n");
	put(t, NODE "/node9/cpumap", "00000000\n");
	assert_numa(t, 2);
}

static void numa_unreadable_node_lists(void **state)
{
	struct tree *t = *state;

	cpus(t, 4, "0-3\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node1/cpulist", "garbage\n");	/* unparseable: no CPUs */
	put(t, NODE "/node2/cpulist", "2-3\n");
	assert_numa(t, 2);
}

/* ---- governors ---------------------------------------------------------------- */

static void governors_for_some_online_cpus(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 12, "0-3,10\n");
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	put(t, CPU "/cpu2/cpufreq/scaling_governor", " powersave \n\0");
	put(t, CPU "/cpu3/cpufreq/scaling_governor", "  \n");
	put(t, CPU "/cpu5/cpufreq/scaling_governor", "ondemand\n");	/* offline */
	put(t, CPU "/cpu10/cpufreq/scaling_governor", "schedutil\n");
	take(t, &s);
	assert_governors(s, "0=performance,2=powersave,10=schedutil");
	hostctx_snapshot_free(s);
}

static void governors_through_policy_links(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	cpus(t, 4, "0-3\n");
	put(t, CPU "/cpufreq/policy0/scaling_governor", "walt\n");
	put(t, CPU "/cpufreq/policy2/scaling_governor", "schedutil\n");
	link_at(t, CPU "/cpu0/cpufreq", "../cpufreq/policy0");
	link_at(t, CPU "/cpu1/cpufreq", "../cpufreq/policy0");
	link_at(t, CPU "/cpu2/cpufreq", "../cpufreq/policy2");
	link_at(t, CPU "/cpu3/cpufreq", "../cpu2/cpufreq");	/* old kernels */
	take(t, &s);
	assert_governors(s, "0=walt,1=walt,2=schedutil,3=schedutil");
	hostctx_snapshot_free(s);
}

static void governors_never_read_outside_the_root(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	char target[PATH_MAX * 2];
	const char *base = strrchr(t->outside, '/') + 1;

	put_outside(t, "scaling_governor", "escaped\n");

	cpus(t, 4, "0-3\n");
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	/* absolute: would be the outside directory if followed from "/" */
	link_at(t, CPU "/cpu1/cpufreq", t->outside);
	/* relative with far too many "..": climbs out of the tree */
	snprintf(target, sizeof(target), "../../../../../../../../../../%s", t->outside + 1);
	link_at(t, CPU "/cpu2/cpufreq", target);
	/* a sibling of the root, reached with exactly enough ".." */
	snprintf(target, sizeof(target), "../../../../../../%s", base);
	link_at(t, CPU "/cpu3/cpufreq", target);
	take(t, &s);
	assert_governors(s, "0=performance");
	hostctx_snapshot_free(s);

	/* the whole cpu directory as a link out of the root */
	put_outside(t, "online", "0\n");
	put_outside(t, "cpu0/cpufreq/scaling_governor", "escaped\n");
	rm_rf(at(t, "sys"));
	dir_at(t, "sys/devices/system");
	link_at(t, CPU, t->outside);
	take(t, &s);
	assert_absent(s, "cpufreq_governor");
	assert_absent(s, "online_cpus");
	hostctx_snapshot_free(s);
}

/* ---- cpuinfo ------------------------------------------------------------------ */

static void cpuinfo_long_first_block(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	size_t cap = 16u << 20, len = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	len += (size_t)sprintf(text + len, "processor\t: 0\nvendor_id\t: BigVendor\n");
	while (len < 200 * 1024)	/* 200 KiB of first block */
		len += (size_t)sprintf(text + len, "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat\n");
	len += (size_t)sprintf(text + len, "model name\t: Late Model\n\n");
	for (unsigned i = 1; len < cap - 256; i++)
		len += (size_t)sprintf(text + len,
				       "processor\t: %u\nvendor_id\t: Other\nmodel name\t: Other Model\n\n", i);
	put_bytes(t, "proc/cpuinfo", text, len);
	free(text);
	take(t, &s);
	assert_str(s, "cpu_model", "Late Model");
	assert_str(s, "cpu_vendor", "BigVendor");
	hostctx_snapshot_free(s);
}

static void cpuinfo_first_block_only(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, "proc/cpuinfo",
	    "vendor_id       : IBM/S390\n# processors    : 4\n\n"
	    "cpu number      : 0\nmodel name      : not me\n\n");
	take(t, &s);
	assert_absent(s, "cpu_model");
	assert_str(s, "cpu_vendor", "IBM/S390");
	hostctx_snapshot_free(s);

	/* one block, no trailing blank line, CRLF */
	put(t, "proc/cpuinfo", "processor\t: 0\r\nvendor_id\t: V\r\nmodel name\t: M  X\r\n");
	take(t, &s);
	assert_str(s, "cpu_model", "M  X");
	assert_str(s, "cpu_vendor", "V");
	hostctx_snapshot_free(s);
}

/*
 * Reading stops early once the complete lines read hold both fields (the
 * first non-empty values of the block cannot change), never on a line
 * cut by a read, and never before an empty value has been followed by
 * a real one.
 */
static void cpuinfo_stops_once_both_fields_are_read(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	size_t len;
	char *text = malloc(2u << 20);

	assert_non_null(text);
	/* A first block that never ends within the cap: answered early. */
	len = (size_t)sprintf(text, "vendor_id\t: A\nmodel name\t: Early\n");
	while (len < (2u << 20) - 64)
		len += (size_t)sprintf(text + len, "flags\t\t: fpu vme de pse\n");
	put_bytes(t, "proc/cpuinfo", text, len);
	take(t, &s);
	assert_str(s, "cpu_model", "Early");
	assert_str(s, "cpu_vendor", "A");
	hostctx_snapshot_free(s);

	/* The model name line is cut by the first 1 KiB read. */
	len = (size_t)sprintf(text, "vendor_id\t: A\n");
	while (len < 1000)
		len += (size_t)sprintf(text + len, "flags\t\t: x\n");
	sprintf(text + len, "model name\t: Cut Across The First Read\n\n");
	put(t, "proc/cpuinfo", text);
	take(t, &s);
	assert_str(s, "cpu_model", "Cut Across The First Read");
	hostctx_snapshot_free(s);

	/* An empty model name first; the real one comes after 1 KiB. */
	len = (size_t)sprintf(text, "vendor_id\t: A\nmodel name\t:  \n");
	while (len < 1500)
		len += (size_t)sprintf(text + len, "flags\t\t: x\n");
	sprintf(text + len, "model name\t: Later\n\nmodel name\t: Second\n\n");
	put(t, "proc/cpuinfo", text);
	take(t, &s);
	assert_str(s, "cpu_model", "Later");
	hostctx_snapshot_free(s);
	free(text);
}

/* ---- why a field is absent --------------------------------------------- */

static void assert_why(const struct hostctx_snapshot *s, const char *field,
		       int err, const char *path)
{
	const char *got = "untouched";
	int r = hostctx_snapshot_why(s, field, &got);

	if (r != err)
		fail_msg("%s: why %d (%s), expected %d", field, r,
			 r > 0 ? strerror(r) : "-", err);
	if (!path) {
		assert_null(got);
		return;
	}
	if (!got)
		fail_msg("%s: no path, expected %s", field, path);
	assert_string_equal(got, path);
}

static void why_a_field_is_absent(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;

	put(t, THP "/enabled", "always [madvise] never\n");
	put(t, "proc/meminfo", "MemTotal: 1024 kB\n");
	take(t, &s);
	/* present: 0, no path */
	assert_why(s, "thp_enabled", 0, NULL);
	assert_why(s, "total_memory_kib", 0, NULL);
	/* a missing file: ENOENT and the root-relative path tried */
	assert_why(s, "thp_defrag", ENOENT, THP "/defrag");
	assert_why(s, "kernel_cmdline", ENOENT, "proc/cmdline");
	assert_why(s, "cpu_model", ENOENT, "proc/cpuinfo");
	/* the source was read, the key is not in it */
	assert_int_not_equal(hostctx_snapshot_why(s, "hugepages_total", NULL), 0);
	/* every absent row has a reason, every present one none */
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		const char *name = hostctx_field_name(i);
		int r = hostctx_snapshot_why(s, name, NULL);

		if (hctx_fields[i].plan == HCTX_PLAN_NEVER)
			continue;	/* heap_state, redacted: never read from the host */
		if (hostctx_snapshot_type(s, name) == HOSTCTX_TYPE_ABSENT)
			assert_true(r > 0);
		else
			assert_int_equal(r, 0);
	}
	/* an unknown field name */
	assert_int_equal(hostctx_snapshot_why(s, "no_such_field", NULL), -ENOENT);
	hostctx_snapshot_free(s);

	/* an unreadable file says so: a directory where the file should be */
	remove_at(t, THP "/enabled");
	dir_at(t, THP "/enabled");
	take(t, &s);
	assert_absent(s, "thp_enabled");
	assert_true(hostctx_snapshot_why(s, "thp_enabled", NULL) > 0);
	assert_int_not_equal(hostctx_snapshot_why(s, "thp_enabled", NULL), ENOENT);
	hostctx_snapshot_free(s);
}

/* A copy of a taken snapshot answers "why" as the original does. */
static void why_survives_dup(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL, *copy = NULL;

	put(t, THP "/enabled", "always [madvise] never\n");
	take(t, &s);
	assert_int_equal(hostctx_snapshot_dup(s, &copy), 0);
	assert_why(s, "thp_defrag", ENOENT, THP "/defrag");
	assert_why(copy, "thp_defrag", ENOENT, THP "/defrag");
	assert_why(copy, "thp_enabled", 0, NULL);
	hostctx_snapshot_free(s);
	/* the copy's reasons are its own */
	assert_why(copy, "thp_defrag", ENOENT, THP "/defrag");
	hostctx_snapshot_free(copy);
}

/* ---- races, side effects, faults, hostile trees ------------------------ */

/*
 * A racer swaps a directory of the path with a symlink to the outside
 * (renameat2 RENAME_EXCHANGE, atomic) as fast as it can while the path is
 * read again and again: not one read may see the outside.  The resolver
 * once checked a path and then opened it as a string (233 of 3,000
 * reads escaped).
 */
static void resolver_race_never_reads_outside_the_root(void **state)
{
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	char swap[PATH_MAX * 2], dir[PATH_MAX * 2];
	unsigned inside = 0, escaped = 0;
	pid_t racer;

	put(t, "sys/devices/system/cpu/online", "0-3\n");
	put(t, "sys/devices/system/node/x/cpu", "0-3\n");	/* a stand-in's target */
	put(t, "sys/standin", "devices/system/node\n");
	put_outside(t, "devices/system/cpu/online", "0-99\n");
	put_outside(t, "devices/system/node/x/cpu", "0-99\n");
	snprintf(dir, sizeof(dir), "%s", at(t, "sys/devices"));
	snprintf(swap, sizeof(swap), "%s", at(t, "sys/swap"));
	{
		char target[PATH_MAX * 2];

		snprintf(target, sizeof(target), "%s/devices", t->outside);
		assert_int_equal(symlink(target, swap), 0);
	}
	racer = fork();
	assert_true(racer >= 0);
	if (racer == 0) {
		for (;;)
			syscall(SYS_renameat2, AT_FDCWD, dir, AT_FDCWD, swap, RENAME_EXCHANGE);
	}
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	for (unsigned i = 0; i < 4000; i++) {
		/* every other read through a stand-in: the resolver's own case */
		const char *rel = i % 2 ? "sys/standin/x/cpu" : "sys/devices/system/cpu/online";
		char buf[64];
		ssize_t n = hctx_read_file(root, rel, buf, sizeof(buf) - 1);

		if (n > 0 && strstr(buf, "99"))
			escaped++;
		else if (n > 0)
			inside++;
	}
	kill(racer, SIGKILL);
	waitpid(racer, NULL, 0);
	hostctx_root_close(root);
	if (escaped)
		fail_msg("%u of 4000 reads read outside the root", escaped);
	assert_true(inside > 0);	/* the race ran on a path that works */
}

/* How many times the file watched by an inotify fd was opened since. */
static unsigned opens_seen(int in)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned n = 0;
	ssize_t len;

	while ((len = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + len;
		     p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			n += (((struct inotify_event *)p)->mask & IN_OPEN) != 0;
	return n;
}

static int watch_opens(const char *path)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, path, IN_OPEN) >= 0);
	return in;
}

/*
 * A FIFO or a device where a file should be is never opened: opening
 * one can have side effects (a FIFO's writer wakes up, a tape rewinds).
 * inotify sees every real open, and none of O_PATH.
 */
static void fifos_and_devices_are_never_opened(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	int fifo_watch, dev_watch = -1;

	cpus(t, 1, "0\n");
	put(t, KERNEL "/sched_a", "1\n");
	fifo_at(t, KERNEL "/sched_fifo");
	fifo_at(t, "proc/cmdline");
	fifo_watch = watch_opens(at(t, "proc/cmdline"));
	if (geteuid() == 0) {
		assert_int_equal(mknod(at(t, "proc/meminfo"), S_IFCHR | 0644, makedev(1, 3)), 0);
		dev_watch = watch_opens(at(t, "proc/meminfo"));
	} else {
		print_message("# not root: only the FIFO (mknod needs root)\n");
	}
	take(t, &s);
	assert_absent(s, "kernel_cmdline");
	assert_absent(s, "total_memory_kib");
	assert_tunables(s, "sched_a=1");
	hostctx_snapshot_free(s);
	s = NULL;
	assert_int_equal(opens_seen(fifo_watch), 0);
	if (dev_watch >= 0) {
		assert_int_equal(opens_seen(dev_watch), 0);
		close(dev_watch);
	}
	close(fifo_watch);
}

/*
 * The sources of the fields beyond the reference, one block per group
 * (docs/json-format.md); every reader must read something here.
 */
static void full_tree_beyond(const struct tree *t)
{
	/* boot */
	put(t, KERNEL "/random/boot_id", "d3ff9617-c8bc-487a-b3fe-ff463eae3227\n");
	put(t, "proc/uptime", "17589.80 34000.12\n");
	/* sysctl */
	put(t, "proc/sys/vm/swappiness", "60\n");
	put(t, KERNEL "/nmi_watchdog", "0\n");
	/* isolation */
	put(t, CPU "/isolated", "\n");
	put(t, CPU "/nohz_full", "(null)\n");
	put(t, CPU "/smt/control", "on\n");
	put(t, CPU "/smt/active", "1\n");
	/* time */
	put(t, "sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
	put(t, "sys/devices/system/clocksource/clocksource0/available_clocksource",
	    "tsc  kvm-clock \n");
	/* security */
	put(t, CPU "/vulnerabilities/meltdown", "Not affected\n");
	put(t, CPU "/vulnerabilities/spectre_v2", "Mitigation: Retpolines\n");
	/* memory: in proc/meminfo (full_tree) */
	/* load */
	put(t, "proc/loadavg", "0.08 0.03 0.01 1/123 4567\n");
	/* power */
	put(t, "sys/class/power_supply/AC/type", "Mains\n");
	put(t, "sys/class/power_supply/AC/online", "1\n");
	/* cpufreq (beside the governors of full_tree), idle */
	put(t, CPU "/cpu2/cpufreq/scaling_driver", "acpi-cpufreq\n");
	put(t, CPU "/cpu2/cpufreq/scaling_min_freq", "800000\n");
	put(t, CPU "/cpu2/cpufreq/scaling_max_freq", "3000000\n");
	put(t, CPU "/cpu2/cpufreq/cpuinfo_max_freq", "3500000\n");
	put(t, CPU "/cpu2/cpufreq/energy_performance_preference", "performance\n");
	put(t, CPU "/cpufreq/boost", "1\n");
	put(t, CPU "/intel_pstate/status", "passive\n");
	put(t, CPU "/amd_pstate/status", "guided\n");
	put(t, CPU "/cpuidle/current_driver", "intel_idle\n");
	put(t, CPU "/cpuidle/current_governor", "menu\n");
	/* caches */
	put(t, CPU "/cpu0/cache/index0/level", "1\n");
	put(t, CPU "/cpu0/cache/index0/type", "Data\n");
	put(t, CPU "/cpu0/cache/index0/size", "32K\n");
	put(t, CPU "/cpu0/cache/index0/shared_cpu_list", "0-3\n");
	/* counters */
	put(t, "proc/stat", "cpu  950 0 210 1280 3 0 7 22 0 0\ncpu0 1 2 3 4\n"
			    "intr 40211 1 2\nctxt 51234\nbtime 1\nprocesses 17\n"
			    "procs_running 2\nprocs_blocked 0\nsoftirq 30110 1 2\n");
	put(t, "proc/vmstat", "nr_free_pages 1\npswpin 0\npswpout 3\noom_kill 0\n");
	put(t, "proc/pressure/cpu", "some avg10=0.00 avg60=0.10 avg300=0.20 total=81234\n"
				    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	put(t, CPU "/cpu0/thermal_throttle/core_throttle_count", "4\n");
	put(t, CPU "/cpu0/thermal_throttle/package_throttle_count", "2\n");
	/* platform */
	put(t, "sys/hypervisor/type", "xen\n");
	put(t, "sys/class/dmi/id/sys_vendor", "Xen\n");
	put(t, "sys/class/dmi/id/bios_date", "12/01/2006\n");
	put(t, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
}

/* A tree where every field has a value, and every reader reads. */
static void full_tree(const struct tree *t)
{
	char *config = config_text("CONFIG_TASK_XACCT=y", 400);

	put(t, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: V\nmodel name\t: M\n"
			       "microcode\t: 0x1000065\n\n"
			       "processor\t: 1\nvendor_id\t: V\nmodel name\t: M\n\n");
	put(t, "proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 800 kB\n"
			       "SwapTotal: 64 kB\nSwapFree: 32 kB\nHugePages_Total: 4\n"
			       "HugePages_Free: 2\nHugepagesize: 2048 kB\n");
	put(t, "proc/cmdline", "ro quiet\n");
	put(t, KERNEL "/ostype", "Linux\n");
	put(t, KERNEL "/osrelease", "6.1.0\n");
	put(t, KERNEL "/arch", "x86_64\n");
	put(t, KERNEL "/task_delayacct", "1\n");
	put(t, KERNEL "/sched_a", "1\n");
	put(t, KERNEL "/sched_b", "2\n");
	put(t, THP "/enabled", "always [madvise] never\n");
	put(t, THP "/defrag", "[never]\n");
	put_gzip(t, "proc/config.gz", config, 0);
	free(config);
	cpus(t, 4, "0-3\n");
	put(t, CPU "/cpufreq/policy0/scaling_governor", "performance\n");
	link_at(t, CPU "/cpu0/cpufreq", "../cpufreq/policy0");
	put(t, CPU "/cpu1/cpufreq", "../cpufreq/policy0\n");	/* a stand-in */
	put(t, CPU "/cpu2/cpufreq/scaling_governor", "powersave\n");
	put(t, NODE "/node0/cpulist", "0-1\n");
	put(t, NODE "/node1/cpulist", "2-3\n");
	full_tree_beyond(t);
}

/* The snapshot of t as parsed JSON, taken from a fresh root. */
static cJSON *snapshot_json(const struct tree *t)
{
	struct hostctx_snapshot *s = NULL;
	char *text = NULL;
	cJSON *json;

	take(t, &s);
	assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
	hostctx_snapshot_free(s);
	s = NULL;
	json = cJSON_Parse(text);
	free(text);
	assert_non_null(json);
	return json;
}

/*
 * thermal_throttle (docs/json-format.md, "Counters"): core counters
 * summed over the CPUs that have the directory, package counters once a
 * package (topology), the CPUs with a nonzero core count by CPU.
 */
static void thermal_throttle_sums_cores_and_packages(void **state)
{
	struct tree *t = *state;
	cJSON *json, *tt;
	char *text;

	cpus(t, 4, "0-3\n");
	for (int cpu = 0; cpu < 3; cpu++) {	/* cpu3 has no thermal_throttle */
		char rel[96], value[16];

		snprintf(rel, sizeof(rel), CPU "/cpu%d/topology/package_cpus_list", cpu);
		put(t, rel, cpu < 2 ? "0-1\n" : "2-3\n");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/thermal_throttle/core_throttle_count", cpu);
		snprintf(value, sizeof(value), "%d\n", cpu * 3);
		put(t, rel, value);
		snprintf(rel, sizeof(rel), CPU "/cpu%d/thermal_throttle/core_throttle_total_time_ms", cpu);
		put(t, rel, "5\n");
		snprintf(rel, sizeof(rel), CPU "/cpu%d/thermal_throttle/package_throttle_count", cpu);
		put(t, rel, "7\n");
	}
	put(t, CPU "/cpu3/topology/package_cpus_list", "2-3\n");
	json = snapshot_json(t);
	tt = cJSON_GetObjectItemCaseSensitive(json, "thermal_throttle");
	assert_non_null(tt);
	text = cJSON_PrintUnformatted(tt);
	assert_string_equal(text, "{\"core_count\":9,\"core_time_ms\":15,\"package_count\":14,"
				  "\"core_count_by_cpu\":{\"1\":3,\"2\":6}}");
	free(text);
	cJSON_Delete(json);
}

/*
 * Fields of got that differ from want.  A field present in got must hold
 * want's value, an object a part of want's (an entry or member is
 * dropped, never changed); the two accounting states are never absent and fall back to
 * what an unreadable source gives.  lost[] marks the fields that differ.
 */
static unsigned fields_lost(const cJSON *want, const cJSON *got, bool *lost)
{
	unsigned n = 0, i = 0;

	for (const cJSON *w = want->child; w; w = w->next, i++) {
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
		bool same = g && cJSON_Compare(w, g, true);

		if (!same && g && cJSON_IsObject(w)) {
			for (const cJSON *e = g->child; e; e = e->next)
				if (!cJSON_Compare(e, cJSON_GetObjectItemCaseSensitive(w, e->string), true))
					fail_msg("%s: entry %s changed", w->string, e->string);
		} else if (!same && g && strcmp(w->string, "task_delayacct") &&
			   strcmp(w->string, "config_task_xacct")) {
			fail_msg("%s changed", w->string);
		}
		if (!same) {
			lost[i] = true;
			n++;
		}
	}
	for (const cJSON *g = got->child; g; g = g->next)
		if (!cJSON_GetObjectItemCaseSensitive(want, g->string))
			fail_msg("%s appeared", g->string);
	return n;
}

/* Rows a captured tree can give: full_tree must give every one. */
static int rows_read_under_a_root(void)
{
	int n = 0;

	for (size_t i = 0; i < hctx_n_fields; i++)
		n += hctx_fields[i].plan != HCTX_PLAN_LIVE &&
		     hctx_fields[i].plan != HCTX_PLAN_NEVER;
	return n;
}

/*
 * Every read and listing of a snapshot, one after the other, fails (EIO,
 * the kernel's ENOMEM), is interrupted (EINTR) or comes back short: the
 * snapshot is still taken, a failed read omits its field only (the
 * online list takes every per-CPU field with it: online_cpus,
 * numa_nodes, the governors, the cpufreq driver and maps, eight today
 * and room for four more; meminfo its seven values, loadavg its five),
 * and interrupted or short reads change nothing.  Every field is hit.
 */
static void faults_in_every_read_omit_that_field_only(void **state)
{
	static const enum fault kinds[] = { FAULT_EIO, FAULT_ENOMEM, FAULT_EINTR, FAULT_SHORT };
	struct tree *t = *state;
	cJSON *want;
	unsigned calls;
	bool lost[256] = { false };

	full_tree(t);
	seam.kind = FAULT_COUNT;
	seam.calls = 0;
	want = snapshot_json(t);
	calls = seam.calls;
	assert_true(calls > 15);
	assert_int_equal(cJSON_GetArraySize(want), rows_read_under_a_root());
	assert_true(cJSON_GetArraySize(want) <= 256);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (unsigned at = 1; at <= calls; at++) {
			cJSON *got;
			unsigned n;

			seam.kind = kinds[k];
			seam.at = at;
			seam.calls = 0;
			got = snapshot_json(t);
			seam.kind = FAULT_NONE;
			n = fields_lost(want, got, lost);
			if (kinds[k] == FAULT_EINTR || kinds[k] == FAULT_SHORT)
				assert_int_equal(n, 0);
			else if (n > 8 + 4)
				fail_msg("fault %zu at call %u: %u fields lost", k, at, n);
			cJSON_Delete(got);
		}
	}
	for (int i = 0; i < cJSON_GetArraySize(want); i++)
		if (!lost[i])
			fail_msg("no fault reached %s", cJSON_GetArrayItem(want, i)->string);
	cJSON_Delete(want);
}

/*
 * What a tree claims costs nothing beyond what it holds: an online list
 * of 2^20 CPUs over 4 CPU directories makes the opens of a 4-CPU snapshot,
 * under 200 with every field (it made
 * 2.1 million), a 64 KiB list of such ranges is no billions of bits,
 * and 10,000 nodes each claiming every CPU are checked without a set
 * per node (10,000 took 43 s and 1.3 GB before).
 */
static long peak_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void hostile_claims_cost_what_exists(void **state)
{
	struct tree *t = *state;
	struct hostctx_snapshot *s = NULL;
	struct tree mem;
	long peak, grown;

	cpus(t, 4, "0-1048575\n");
	put(t, CPU "/cpu0/cpufreq/scaling_governor", "performance\n");
	put(t, NODE "/node0/cpulist", "0-3\n");
	seam.openat2_calls = 0;
	take(t, &s);
	assert_u64(s, "online_cpus", 1048576);
	assert_u64(s, "numa_nodes", 1);
	assert_governors(s, "0=performance");
	hostctx_snapshot_free(s);
	s = NULL;
	if (!seam.no_openat2 && seam.openat2_calls > 200)
		fail_msg("%u opens for 4 CPUs", seam.openat2_calls);

	/* 64 KiB of "0-1048575,": one pass over words per range */
	{
		size_t len = 0, item = strlen("0-1048575,");
		char *list = malloc(HCTX_READ_CAP + 1);
		double cpu;

		assert_non_null(list);
		while (len + item < HCTX_READ_CAP) {
			memcpy(list + len, "0-1048575,", item);
			len += item;
		}
		list[len - 1] = '\n';
		put_bytes(t, CPU "/online", list, len);
		free(list);
		cpu = cpu_seconds();
		take(t, &s);
		cpu = cpu_seconds() - cpu;
		assert_u64(s, "online_cpus", 1048576);
		hostctx_snapshot_free(s);
	s = NULL;
		if (cpu > 5)
			fail_msg("6,500 ranges of 2^20 CPUs took %.1f s of CPU", cpu);
	}

	/* no cpulist at all: the per-CPU links, for existing CPUs only */
	remove_at(t, NODE "/node0/cpulist");
	link_at(t, CPU "/cpu3/node0", "../../node/node0");
	seam.openat2_calls = 0;
	assert_numa(t, 1);
	if (!seam.no_openat2 && seam.openat2_calls > 200)
		fail_msg("%u opens for 4 CPUs", seam.openat2_calls);

	/*
	 * 1,000 nodes (synthetic.bats builds 10,000), on tmpfs where there
	 * is one: thousands of directories take seconds on a slow disk.
	 */
	strcpy(mem.dir, "/dev/shm/hctx-read-XXXXXX");
	if (!mkdtemp(mem.dir))
		strcpy(mem.dir, t->dir);
	cpus(&mem, 4, "0-3\n");
	for (unsigned i = 0; i < 1000; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), NODE "/node%u/cpulist", i);
		put(&mem, rel, "0-1048575\n");
	}
	peak = peak_rss_kib();
	assert_numa(&mem, 1000);
	grown = peak_rss_kib() - peak;
	if (strcmp(mem.dir, t->dir) != 0)
		rm_rf(mem.dir);
	if (grown > 64 * 1024)
		fail_msg("1,000 nodes took %ld KiB more", grown);
}

/*
 * A root we may not search opens with O_PATH all the same, and would
 * give a snapshot of nothing: it is refused, as a missing one is.  Root
 * may search anything: then the check runs in a child as nobody.
 */
static void unsearchable_root_is_refused(void **state)
{
	struct tree *t = *state;
	struct hostctx_root *root = NULL;
	int status;
	pid_t pid;

	cpus(t, 1, "0\n");
	assert_int_equal(chmod(t->dir, geteuid() == 0 ? 0700 : 0), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
				       setresuid(65534, 65534, 65534) < 0))
			_exit(3);
		_exit(hostctx_root_open(t->dir, &root) == -EACCES && !root ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(t->dir, 0700), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* searchable: accepted */
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	hostctx_root_close(root);
}

/*
 * The snapshot's text budget (4 MiB in total): 70 sched_ files of 64 KiB
 * fill it; the 65th and later are cut and "sched_tunables" is listed in
 * "truncated"; an empty file read after that stays absent; the next
 * snapshot of the same root starts with a fresh budget.
 */
static void text_budget_cuts_and_lists(void **state)
{
	const struct tree *t = *state;
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	const char **keys = NULL;
	size_t n = 0, total = 0;
	char rel[64];

	cpus(t, 2, "0-1\n");
	for (int i = 0; i < 70; i++) {
		snprintf(rel, sizeof(rel), "proc/sys/kernel/sched_f%02d", i);
		put_repeated(t, rel, 'x', 65535);
	}
	put(t, "sys/devices/system/clocksource/clocksource0/current_clocksource", "\n");
	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	for (int round = 0; round < 2; round++) {
		take_with(root, &s);
		assert_int_equal(hostctx_snapshot_keys(s, "sched_tunables", &keys, &n), 0);
		for (size_t i = 0; i < n; i++) {
			const char *v = NULL;

			snprintf(rel, sizeof(rel), "sched_tunables.%s", keys[i]);
			assert_int_equal(hostctx_snapshot_get_string(s, rel, &v), 0);
			total += strlen(v);
		}
		free(keys);
		/* 64 whole files fit in 4 MiB of 65535-byte values */
		assert_int_equal(n, 64);
		assert_str(s, "truncated.0", "sched_tunables");
		assert_absent(s, "clocksource");
		assert_true(total <= (size_t)4 << 20);
		total = 0;
		hostctx_snapshot_free(s);
	}
	hostctx_root_close(root);
	/* fewer files: nothing cut, no "truncated" */
	for (int i = 10; i < 70; i++) {
		snprintf(rel, sizeof(rel), "proc/sys/kernel/sched_f%02d", i);
		remove_at(t, rel);
	}
	take(t, &s);
	assert_absent(s, "truncated");
	assert_int_equal(hostctx_snapshot_keys(s, "sched_tunables", &keys, &n), 0);
	free(keys);
	assert_int_equal(n, 10);
	hostctx_snapshot_free(s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(empty_tree_gives_only_the_never_absent_fields),
		T(root_must_be_a_directory),
		T(live_root),
		T(released_root_holds_no_fd_and_reopens),
		T(proc_stat_above_64k),
		T(sched_walk_filters_and_trims),
		T(sched_kernel_dir_missing_is_absent),
		T(sched_kernel_dir_empty_is_present_and_empty),
		T(sched_is_reread_every_snapshot),
		T(delayacct_states),
		T(xacct_states),
		T(thp_menus_kept_verbatim),
		T(cmdline_trimmed),
		T(uname_from_the_tree),
		T(meminfo_from_the_tree),
		T(fifo_where_a_file_should_be),
		T(directory_where_a_file_should_be),
		T(files_above_64k_are_unreadable),
		T(nul_or_bad_utf8_inside_a_value),
		T(symlink_loops_do_not_hang),
		T(online_list_parsing),
		T(no_online_file_drops_online_numa_and_governors),
		T(hotplug_is_seen_between_snapshots),
		T(numa_from_cpulist),
		T(numa_cpulist_wins_over_cpumap),
		T(numa_from_cpumap_only),
		T(numa_mixed_cpulist_and_cpumap),
		T(numa_from_cpu_node_links),
		T(numa_from_node_cpu_entries),
		T(numa_no_node_dir_is_one),
		T(numa_sparse_node_ids),
		T(numa_memory_only_and_offline_nodes_excluded),
		T(numa_unreadable_node_lists),
		T(governors_for_some_online_cpus),
		T(governors_through_policy_links),
		T(thermal_throttle_sums_cores_and_packages),
		T(governors_never_read_outside_the_root),
		T(cpuinfo_long_first_block),
		T(cpuinfo_first_block_only),
		T(cpuinfo_stops_once_both_fields_are_read),
		T(why_a_field_is_absent),
		T(why_survives_dup),
		T(resolver_race_never_reads_outside_the_root),
		T(fifos_and_devices_are_never_opened),
		T(faults_in_every_read_omit_that_field_only),
		T(hostile_claims_cost_what_exists),
		T(unsearchable_root_is_refused),
		T(text_budget_cuts_and_lists),
	};
#undef T
	int failed = cmocka_run_group_tests_name("with openat2", tests, NULL, NULL);

	/* again through the user-space resolver, as without openat2 */
	seam.no_openat2 = true;
	return failed | cmocka_run_group_tests_name("without openat2", tests, NULL, NULL);
}
