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
 * non-empty model name, vendor_id and (with want_microcode) microcode:
 * later lines of the block cannot change the first ones.  1 with all
 * kept, otherwise 0 with none.  Without a microcode line (most non-x86
 * CPUs) only the block's end answers.
 */
static int cpuinfo_answered(const char *text, size_t len, char **model,
			    char **vendor, char **microcode, bool want_microcode)
{
	const char *last_nl = memrchr(text, '\n', len);
	int r;

	if (!last_nl)
		return 0;
	r = hctx_parse_cpuinfo(text, (size_t)(last_nl + 1 - text), model, vendor,
			       microcode);
	if (r < 0)
		return r;
	if (*model && *vendor && (*microcode || !want_microcode))
		return 1;
	free(*model);
	free(*vendor);
	free(*microcode);
	*model = *vendor = *microcode = NULL;
	return 0;
}

/*
 * The fields from the first block: read until it has ended, the lines
 * read answer every field, or EOF.
 */
static int read_cpuinfo_fields(struct hostctx_root *root, char **model,
			       char **vendor, char **microcode)
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
		 * all three fields, so that is usually the only read.
		 */
		size_t step = len == 0 ? 1024 : 2048;
		ssize_t n;
		int r;

		if (cap - len < step + 1) {
			char *p;

			/* At the cap, model and vendor found stand, as before microcode. */
			if (cap >= CPUINFO_CAP) {
				r = cpuinfo_answered(buf, len, model, vendor, microcode, false);
				return r > 0 ? 0 : r < 0 ? r : -EFBIG;
			}
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
			r = cpuinfo_answered(buf, len, model, vendor, microcode, true);
			if (r != 0)
				return r < 0 ? r : 0;
		}
	}
	return hctx_parse_cpuinfo(buf, end, model, vendor, microcode);
}

/*
 * The first block of cpuinfo, read once per snapshot for its three
 * rows (the microcode is kept in the basic fields' memo, read_basic.c).
 */
int hctx_read_cpuinfo(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	char **microcode = hctx_reader_microcode_slot(rd);
	const char *v;

	if (!microcode)
		return -ENOMEM;
	rd->path = "proc/cpuinfo";
	if (!rd->cpuinfo_err) {
		int r = read_cpuinfo_fields(rd->root, &rd->cpuinfo_model,
					    &rd->cpuinfo_vendor, microcode);

		rd->cpuinfo_err = r < 0 ? r : 1;
	}
	if (rd->cpuinfo_err < 0)
		return rd->cpuinfo_err;
	v = strcmp(f->arg, "model name") == 0 ? rd->cpuinfo_model :
	    strcmp(f->arg, "vendor_id") == 0 ? rd->cpuinfo_vendor : *microcode;
	if (!v)
		return -ENOENT;
	*ret = hctx_value_string(v);
	return *ret ? 0 : -ENOMEM;
}

/* Read meminfo and pick every meminfo row's key in one pass. */
static int load_meminfo(struct hctx_reader *rd)
{
	ssize_t n = hctx_read_file(rd->root, "proc/meminfo", rd->buf, HCTX_READ_CAP);

	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (hctx_fields[i].read == hctx_read_meminfo &&
		    rd->meminfo_n < HCTX_MEMINFO_ROWS)
			rd->meminfo_keys[rd->meminfo_n++] = hctx_fields[i].arg;
	return hctx_meminfo_scan(rd->buf, (size_t)n, rd->meminfo_keys,
				 rd->meminfo_n, rd->meminfo_values,
				 rd->meminfo_found) == 0 ? 1 : -EINVAL;
}

/* meminfo is read once per snapshot; each row takes its key (f->arg). */
int hctx_read_meminfo(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	rd->path = "proc/meminfo";
	if (!rd->meminfo_err)
		rd->meminfo_err = load_meminfo(rd);
	if (rd->meminfo_err < 0)
		return rd->meminfo_err;
	for (size_t k = 0; k < rd->meminfo_n; k++) {
		if (rd->meminfo_keys[k] != f->arg)
			continue;
		if (rd->meminfo_found[k] < 0)
			return rd->meminfo_found[k];
		*ret = hctx_value_u64(rd->meminfo_values[k]);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/*
 * A file's trimmed content as a value of the row's kind (strings are
 * kept verbatim: THP keeps its bracketed menu).
 */
int hctx_read_scalar(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret)
{
	_cleanup_free_ char *value = NULL;
	int r = hctx_read_trimmed(rd->root, f->arg, &value);

	if (r < 0)
		return r;
	return hctx_value_from_text(f->spec, value, ret);
}

struct sched_walk {
	struct hostctx_root *root;
	struct hctx_value *map;
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
	_cleanup_free_ char *value = NULL;
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
	return hctx_map_append(w->map, name, hctx_value_string(value));
}

/* Every regular sched_* file: "{}" when there is none, absent when unlistable. */
int hctx_read_sched_tunables(struct hctx_reader *rd, const struct hctx_field *f,
			     struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = hctx_value_map();
	struct sched_walk w = { .root = rd->root, .map = map };
	int r;

	if (!map)
		return -ENOMEM;
	r = hctx_list_dir(rd->root, f->arg, add_sched_entry, &w);
	if (r < 0)
		return r;
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* Never absent: config_off when the file is missing, as the reference. */
int hctx_read_delayacct(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	_cleanup_free_ char *value = NULL;
	int r = hctx_read_trimmed(rd->root, f->arg, &value);

	if (r == -ENOMEM)
		return r;
	*ret = hctx_value_string(hctx_delayacct_from_value(r == 0 ? value : NULL));
	return *ret ? 0 : -ENOMEM;
}

/* uname(2) on the live root; under --root, f->arg of the tree. */
static const char *const uname_paths[3] = {
	"proc/sys/kernel/ostype", "proc/sys/kernel/osrelease", "proc/sys/kernel/arch",
};

static int load_uname(struct hctx_reader *rd)
{
	struct utsname u;
	const char *parts[3];

	if (uname(&u) < 0)
		return -errno;
	parts[0] = u.sysname;
	parts[1] = u.release;
	parts[2] = u.machine;
	for (size_t i = 0; i < 3; i++) {
		if (!*parts[i] || !hctx_is_utf8(parts[i], strlen(parts[i])))
			continue;
		rd->uname_part[i] = strdup(parts[i]);
		if (!rd->uname_part[i])
			return -ENOMEM;
	}
	return 1;
}

int hctx_read_uname(struct hctx_reader *rd, const struct hctx_field *f,
		    struct hctx_value **ret)
{
	if (!hostctx_root_is_live(rd->root))
		return hctx_read_scalar(rd, f, ret);	/* never ask our own kernel */
	rd->path = NULL;
	if (!rd->uname_err)
		rd->uname_err = load_uname(rd);
	if (rd->uname_err < 0)
		return rd->uname_err;
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(f->arg, uname_paths[i]) != 0)
			continue;
		if (!rd->uname_part[i])
			return -ENODATA;
		*ret = hctx_value_string(rd->uname_part[i]);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}
