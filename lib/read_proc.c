/* SPDX-License-Identifier: MIT */
/*
 * Readers of /proc sources: cpuinfo, meminfo, cmdline, sched_* sysctls,
 * task_delayacct, the kernel identity and config.gz.  Parsing lives in
 * parse.c; these only fetch bytes through the root layer.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

/* /proc/cpuinfo can be many MiB; we need its first block only. */
#define CPUINFO_CAP (1024 * 1024)
/* Up to here the lines read so far may answer before the block ends. */
#define CPUINFO_EARLY (4 * 1024)

/*
 * Parse the complete lines of text.  They answer when they hold a
 * non-empty model name and vendor_id (later lines of the block cannot
 * change the first ones): 1 with both kept in *model and *vendor,
 * otherwise 0 with neither.
 */
static int cpuinfo_answered(const char *text, size_t len, char **model,
			    char **vendor)
{
	const char *last_nl = memrchr(text, '\n', len);
	int r;

	if (!last_nl)
		return 0;
	r = hctx_parse_cpuinfo(text, (size_t)(last_nl + 1 - text), model, vendor);
	if (r < 0)
		return r;
	if (*model && *vendor)
		return 1;
	free(*model);
	free(*vendor);
	*model = *vendor = NULL;
	return 0;
}

/*
 * The fields from the first block: read until it has ended, the lines
 * read answer both fields, or EOF.
 */
static int read_cpuinfo_fields(struct hostctx_root *root, char **model,
			       char **vendor)
{
	_cleanup_close_ int fd = hctx_open(root, "proc/cpuinfo", false);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, end = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		/*
		 * seq_file renders whole CPU records (~8 us each on x86, and
		 * the frequency probe may interrupt the CPU it describes)
		 * until a request is met, and the next record as soon as a
		 * read drains the current one.  A first read of 1 KiB is
		 * answered from the first record alone, and on x86 it holds
		 * both fields, so that is usually the only read.
		 */
		size_t step = len == 0 ? 1024 : 2048;
		ssize_t n;
		int r;

		if (cap - len < step + 1) {
			char *p;

			if (cap >= CPUINFO_CAP)
				return -EFBIG;
			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap + 1);
			if (!p)
				return -ENOMEM;
			buf = p;
		}
		n = hctx_read_some(fd, buf + len, step);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			end = len;
			break;
		}
		len += (size_t)n;
		end = hctx_cpuinfo_first_block_end(buf, len);
		if (end)
			break;
		if (len <= CPUINFO_EARLY) {
			r = cpuinfo_answered(buf, len, model, vendor);
			if (r != 0)
				return r < 0 ? r : 0;
		}
	}
	return hctx_parse_cpuinfo(buf, end, model, vendor);
}

int hctx_read_cpuinfo(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	int r = read_cpuinfo_fields(rd->root, &s->cpu_model, &s->cpu_vendor);

	return r < 0 && r != -ENOMEM ? 0 : r;
}

int hctx_read_meminfo(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	struct hctx_meminfo m;
	ssize_t n = hctx_read_file(rd->root, "proc/meminfo", rd->buf, HCTX_READ_CAP);

	if (n < 0)
		return 0;
	hctx_parse_meminfo(rd->buf, (size_t)n, &m);
	s->total_memory_kib = m.mem_total_kib;
	s->hugepages_total = m.hugepages_total;
	s->hugepages_free = m.hugepages_free;
	s->hugepages_size_kib = m.hugepages_size_kib;
	return 0;
}

int hctx_read_cmdline(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	return hctx_read_string_field(rd->root, "proc/cmdline", &s->kernel_cmdline);
}

struct sched_walk {
	struct hostctx_root *root;
	struct hostctx_kvmap *map;
};

static bool is_regular_entry(int dirfd, const char *name, unsigned char d_type)
{
	struct stat st;

	if (d_type != DT_UNKNOWN)
		return d_type == DT_REG;
	/* Some file systems do not fill d_type: ask, without following. */
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

static int add_sched_entry(void *userdata, const char *name,
			   unsigned char d_type, int dirfd)
{
	struct sched_walk *w = userdata;
	char *value = NULL;
	int r;

	if (strncmp(name, "sched_", 6) != 0 || !is_regular_entry(dirfd, name, d_type))
		return 0;
	/* Names that are not UTF-8 are skipped, as the reference does. */
	if (!hctx_is_utf8(name, strlen(name)))
		return 0;
	r = hctx_read_trimmed_at(w->root, dirfd, name, &value);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;	/* unreadable or empty: not a tunable we can show */
	r = hostctx_kvmap_set(w->map, name, value);
	free(value);
	return r;
}

int hctx_read_sched_tunables(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	struct hostctx_kvmap map = { .present = true };
	struct sched_walk w = { .root = rd->root, .map = &map };
	int r = hctx_list_dir(rd->root, "proc/sys/kernel", add_sched_entry, &w);

	if (r < 0) {
		/* Cannot list the directory: omitted, unlike an empty "{}". */
		hctx_kvmap_clear(&map);
		return r == -ENOMEM ? r : 0;
	}
	s->sched_tunables = map;
	return 0;
}

int hctx_read_delayacct(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	_cleanup_free_ char *value = NULL;
	int r = hctx_read_trimmed(rd->root, "proc/sys/kernel/task_delayacct", &value);

	if (r == -ENOMEM)
		return r;
	s->task_delayacct = hctx_delayacct_from_value(r == 0 ? value : NULL);
	return 0;
}

static int copy_uname_part(char **slot, const char *value)
{
	if (!*value || !hctx_is_utf8(value, strlen(value)))
		return 0;
	*slot = strdup(value);
	return *slot ? 0 : -ENOMEM;
}

int hctx_read_uname(struct hctx_reader *rd, struct hostctx_snapshot *s)
{
	struct utsname u;
	int r;

	if (!hostctx_root_is_live(rd->root)) {
		/* A captured tree describes another machine: never ask ours. */
		r = hctx_read_string_field(rd->root, "proc/sys/kernel/ostype", &s->kernel_name);
		if (r == 0)
			r = hctx_read_string_field(rd->root, "proc/sys/kernel/osrelease",
					      &s->kernel_release);
		if (r == 0)
			r = hctx_read_string_field(rd->root, "proc/sys/kernel/arch", &s->arch);
		return r;
	}
	if (uname(&u) < 0)
		return 0;
	r = copy_uname_part(&s->kernel_name, u.sysname);
	if (r == 0)
		r = copy_uname_part(&s->kernel_release, u.release);
	if (r == 0)
		r = copy_uname_part(&s->arch, u.machine);
	return r;
}
