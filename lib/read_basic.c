/* SPDX-License-Identifier: MIT */
/*
 * Readers of the basic fields beyond the reference (docs/json-format.md,
 * "Fields beyond the reference"): boot_id and uptime, the allowlisted
 * sysctls, CPU isolation, the clock source, mitigations and microcode,
 * load and power.  Parsing lives in parse_basic.c; these only fetch
 * bytes through the root layer.  What several rows share (proc/loadavg,
 * cpuinfo's microcode) is kept once per snapshot in the reader's memo.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- the per-snapshot memo ------------------------------------------ */

struct basic_memo {
	char *microcode;		/* filled by the cpuinfo reader (read_proc.c) */
	int loadavg_err;		/* 0 unread, 1 read, < 0 failed */
	struct hctx_loadavg loadavg;
};

static void basic_memo_free(void *p)
{
	struct basic_memo *m = p;

	free(m->microcode);
	free(m);
}

static struct basic_memo *basic_memo(struct hctx_reader *rd)
{
	if (!rd->memo[HCTX_MEMO_BASIC]) {
		rd->memo[HCTX_MEMO_BASIC] = calloc(1, sizeof(struct basic_memo));
		rd->memo_free[HCTX_MEMO_BASIC] = basic_memo_free;
	}
	return rd->memo[HCTX_MEMO_BASIC];
}

char **hctx_reader_microcode_slot(struct hctx_reader *rd)
{
	struct basic_memo *m = basic_memo(rd);

	return m ? &m->microcode : NULL;
}

/* ---- boot ----------------------------------------------------------- */

/* Never proc/sys/kernel/random/uuid: that one is a new UUID per read. */
int hctx_read_boot_id(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	_cleanup_free_ char *id = NULL;
	int r = hctx_read_trimmed(rd->root, f->arg, &id);

	if (r < 0)
		return r;
	if (!hctx_is_boot_id(id, strlen(id)))
		return -EINVAL;
	*ret = hctx_value_string(id);
	return *ret ? 0 : -ENOMEM;
}

int hctx_read_uptime(struct hctx_reader *rd, const struct hctx_field *f,
		     struct hctx_value **ret)
{
	double seconds;
	ssize_t n = hctx_read_file(rd->root, f->arg, rd->buf, HCTX_READ_CAP);
	int r = n < 0 ? (int)n : hctx_parse_uptime(rd->buf, (size_t)n, &seconds);

	if (r < 0)
		return r;
	*ret = hctx_value_double(seconds);
	return *ret ? 0 : -ENOMEM;
}

/* ---- sysctls -------------------------------------------------------- */

/* sysctl(8) names; kernel.sched_* stay in sched_tunables. */
static const char *const sysctl_names[] = {
	"kernel.randomize_va_space",
	"kernel.numa_balancing",
	"kernel.perf_event_paranoid",
	"kernel.perf_event_max_sample_rate",
	"kernel.nmi_watchdog",
	"kernel.timer_migration",
	"vm.swappiness",
	"vm.overcommit_memory",
	"vm.zone_reclaim_mode",
	"vm.dirty_ratio",
	"vm.dirty_background_ratio",
	"vm.stat_interval",
	"vm.compaction_proactiveness",
};

/* "vm.swappiness" -> "proc/sys/vm/swappiness" */
static void sysctl_path(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "proc/sys/%s", name);
	for (char *p = buf + strlen("proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
}

/*
 * One entry per allowlisted file that reads (the read layer asks
 * proc/sys for 4 KiB: it allocates a kernel buffer of the asked size).
 * Omitted when proc/sys is no directory, {} when none reads.
 */
int hctx_read_sysctls(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = NULL;
	_cleanup_close_ int dirfd = hctx_open(rd->root, f->arg, true);
	char path[96];

	if (dirfd < 0)
		return dirfd;
	map = hctx_value_map();
	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(sysctl_names) / sizeof(sysctl_names[0]); i++) {
		_cleanup_free_ char *value = NULL;
		int r;

		sysctl_path(sysctl_names[i], path, sizeof(path));
		r = hctx_read_trimmed(rd->root, path, &value);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;	/* missing on this kernel, or empty */
		r = hctx_map_append(map, sysctl_names[i], hctx_value_string(value));
		if (r < 0)
			return r;
	}
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- isolation -------------------------------------------------------- */

static int read_cpulist_text(struct hctx_reader *rd, const struct hctx_field *f,
			     bool null_is_empty, struct hctx_value **ret)
{
	_cleanup_free_ char *list = NULL;
	ssize_t n = hctx_read_file(rd->root, f->arg, rd->buf, HCTX_READ_CAP);
	int r = n < 0 ? (int)n :
		hctx_parse_cpulist_text(rd->buf, (size_t)n, null_is_empty, &list);

	if (r < 0)
		return r;
	*ret = hctx_value_string(list);
	return *ret ? 0 : -ENOMEM;
}

/* An empty isolated file is the empty set: "", not absent. */
int hctx_read_cpulist_field(struct hctx_reader *rd, const struct hctx_field *f,
			    struct hctx_value **ret)
{
	return read_cpulist_text(rd, f, false, ret);
}

/* Older kernels print "(null)" for an empty nohz_full mask (6.17 pads it). */
int hctx_read_nohz_full(struct hctx_reader *rd, const struct hctx_field *f,
			struct hctx_value **ret)
{
	return read_cpulist_text(rd, f, true, ret);
}

/* ---- time ------------------------------------------------------------- */

/* "tsc kvm-clock \n" -> "tsc kvm-clock" */
int hctx_read_normalised(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	_cleanup_free_ char *text = NULL;
	ssize_t n = hctx_read_file(rd->root, f->arg, rd->buf, HCTX_READ_CAP);
	int r = n < 0 ? (int)n : hctx_parse_normalised(rd->buf, (size_t)n, &text);

	if (r < 0)
		return r;
	*ret = hctx_value_string(text);
	return *ret ? 0 : -ENOMEM;
}

/* ---- security --------------------------------------------------------- */

struct vuln_walk {
	struct hostctx_root *root;
	struct hctx_value *map;
};

/*
 * Regular files only: directories and symlinks are skipped here when
 * d_type says so, and otherwise by the read (O_NOFOLLOW, EISDIR).
 */
static int add_vulnerability(void *userdata, const char *name,
			     unsigned char d_type, int dirfd)
{
	struct vuln_walk *w = userdata;
	_cleanup_free_ char *value = NULL;
	int r;

	if (d_type == DT_DIR || d_type == DT_LNK || !hctx_is_utf8(name, strlen(name)))
		return 0;
	r = hctx_read_trimmed_at(w->root, dirfd, name, &value);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;	/* unreadable, empty, or not a file */
	return hctx_map_append(w->map, name, hctx_value_string(value));
}

int hctx_read_vulnerabilities(struct hctx_reader *rd, const struct hctx_field *f,
			      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *map = hctx_value_map();
	struct vuln_walk w = { .root = rd->root, .map = map };
	int r;

	if (!map)
		return -ENOMEM;
	r = hctx_list_dir(rd->root, f->arg, add_vulnerability, &w);
	if (r < 0)
		return r;
	hctx_map_finish(map, f->spec);
	*ret = TAKE_PTR(map);
	return 0;
}

/* ---- load ------------------------------------------------------------- */

/* proc/loadavg, read once per snapshot for its five rows. */
static int load_loadavg(struct hctx_reader *rd, struct basic_memo *m)
{
	ssize_t n = hctx_read_file(rd->root, "proc/loadavg", rd->buf, HCTX_READ_CAP);
	int r = n < 0 ? (int)n : hctx_parse_loadavg(rd->buf, (size_t)n, &m->loadavg);

	return r < 0 ? r : 1;
}

/* f->arg: "1", "5", "15" (the averages), "runnable" or "total". */
int hctx_read_loadavg(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	struct basic_memo *m = basic_memo(rd);
	const struct hctx_loadavg *la;

	if (!m)
		return -ENOMEM;
	rd->path = "proc/loadavg";
	if (!m->loadavg_err)
		m->loadavg_err = load_loadavg(rd, m);
	if (m->loadavg_err < 0)
		return m->loadavg_err;
	la = &m->loadavg;
	if (strcmp(f->arg, "runnable") == 0)
		*ret = hctx_value_u64(la->runnable);
	else if (strcmp(f->arg, "total") == 0)
		*ret = hctx_value_u64(la->total);
	else
		*ret = hctx_value_double(la->avg[strcmp(f->arg, "1") == 0 ? 0 :
						 strcmp(f->arg, "5") == 0 ? 1 : 2]);
	return *ret ? 0 : -ENOMEM;
}

/* ---- power ------------------------------------------------------------ */

struct power_walk {
	struct hostctx_root *root;
	const char *dir;
	bool any_online, any_offline;
	int err;
};

/* A supply's trimmed attribute, or NULL (unreadable or out of memory). */
static char *supply_attr(struct power_walk *w, const char *name, const char *attr)
{
	char path[320];
	char *text = NULL;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", w->dir, name, attr) >=
	    sizeof(path))
		return NULL;
	r = hctx_read_trimmed(w->root, path, &text);
	if (r == -ENOMEM)
		w->err = r;
	return r == 0 ? text : NULL;
}

/* Entries are symlinks into the device tree: read through the path. */
static int check_supply(void *userdata, const char *name, unsigned char d_type,
			int dirfd)
{
	struct power_walk *w = userdata;
	_cleanup_free_ char *type = supply_attr(w, name, "type");
	_cleanup_free_ char *online = NULL;

	if (type && strcmp(type, "Mains") == 0)
		online = supply_attr(w, name, "online");
	if (online && strcmp(online, "1") == 0)
		w->any_online = true;
	else if (online && strcmp(online, "0") == 0)
		w->any_offline = true;
	return w->err;
}

/* true when any Mains supply is online, false when all are offline. */
int hctx_read_ac_power(struct hctx_reader *rd, const struct hctx_field *f,
		       struct hctx_value **ret)
{
	struct power_walk w = { .root = rd->root, .dir = f->arg };
	int r = hctx_list_dir(rd->root, f->arg, check_supply, &w);

	if (r < 0)
		return r;
	if (!w.any_online && !w.any_offline)
		return -ENOENT;	/* no Mains supply: servers, VMs */
	*ret = hctx_value_bool(w.any_online);
	return *ret ? 0 : -ENOMEM;
}
