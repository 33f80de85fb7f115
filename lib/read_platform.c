/* SPDX-License-Identifier: MIT */
/*
 * Readers of the platform fields: os_release (etc/os-release, else
 * usr/lib/os-release, symlinks resolved beneath the root), dmi (an
 * allowlist) and the hypervisor probes.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const os_release_keys[] = {
	"ID", "VERSION_ID", "PRETTY_NAME", "VERSION_CODENAME",
};
#define N_OS_RELEASE_KEYS (sizeof(os_release_keys) / sizeof(os_release_keys[0]))

static ssize_t read_os_release(struct hctx_reader *rd)
{
	ssize_t n = hctx_read_file(rd->root, "etc/os-release", rd->buf, HCTX_READ_CAP);

	rd->path = "etc/os-release";
	if (n >= 0)
		return n;
	rd->path = "usr/lib/os-release";
	return hctx_read_file(rd->root, "usr/lib/os-release", rd->buf, HCTX_READ_CAP);
}

/* The four members in the row's spec order; omitted when none is set. */
int hctx_read_os_release(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = NULL;
	char *values[N_OS_RELEASE_KEYS] = { 0 };
	ssize_t n = read_os_release(rd);
	size_t found = 0;
	int r;

	if (n < 0)
		return (int)n;
	r = hctx_parse_os_release(rd->buf, (size_t)n, os_release_keys,
				  N_OS_RELEASE_KEYS, values);
	rec = r == 0 ? hctx_value_record(N_OS_RELEASE_KEYS) : NULL;
	for (size_t k = 0; k < N_OS_RELEASE_KEYS; k++) {
		if (rec && values[k]) {
			rec->rec.slot[k] = hctx_value_string(values[k]);
			if (!rec->rec.slot[k])
				r = -ENOMEM;
			found++;
		}
		free(values[k]);
	}
	if (r < 0 || !rec)
		return r < 0 ? r : -ENOMEM;
	if (!found)
		return -ENODATA;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* ---- dmi ------------------------------------------------------------ */

/* The allowlist (never serials, UUIDs, asset tags, board or chassis). */
static const char *const dmi_names[] = {
	"sys_vendor", "product_name", "product_family",
	"bios_vendor", "bios_version", "bios_date",
};
#define N_DMI (sizeof(dmi_names) / sizeof(dmi_names[0]))

/* The class path is a symlink into devices; a capture may hold either. */
static const char *const dmi_dirs[] = {
	"sys/class/dmi/id", "sys/devices/virtual/dmi/id",
};

/* Each member from the first directory where it reads; omitted when none does. */
int hctx_read_dmi(struct hctx_reader *rd, const struct hctx_field *f,
		  struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(N_DMI);
	int fds[2] = { -1, -1 };
	size_t found = 0;
	int r = 0;

	if (!rec)
		return -ENOMEM;
	rd->path = dmi_dirs[0];
	for (size_t d = 0; d < 2; d++)
		fds[d] = hctx_open(rd->root, dmi_dirs[d], true);
	for (size_t k = 0; k < N_DMI && r != -ENOMEM; k++) {
		for (size_t d = 0; d < 2 && !rec->rec.slot[k]; d++) {
			_cleanup_free_ char *v = NULL;

			if (fds[d] < 0)
				continue;
			r = hctx_read_trimmed_at(rd->root, fds[d], dmi_names[k], &v);
			if (r == -ENOMEM)
				break;
			if (r < 0)
				continue;
			rec->rec.slot[k] = hctx_value_string(v);
			r = rec->rec.slot[k] ? 0 : -ENOMEM;
			found += r == 0;
		}
	}
	for (size_t d = 0; d < 2; d++)
		if (fds[d] >= 0)
			close(fds[d]);
	if (r == -ENOMEM)
		return r;
	if (!found)
		return -ENOENT;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* ---- hypervisor ------------------------------------------------------ */

/*
 * The probes of docs/json-format.md, in order; the first that decides
 * gives hypervisor and hypervisor_source (both rows ask once, the answer
 * is kept for the snapshot).  Under a captured root the cpuid probe does
 * not run and "none" is never inferred: a capture may have been edited.
 */
struct hypervisor_answer {
	int err;		/* 0: value and source hold */
	const char *value;	/* static strings */
	const char *source;
};

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static const char *cpuid_probe(void)
{
	unsigned a, b, c, d;
	char sig[13];

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return NULL;
	if (!(c & (1u << 31)))
		return "none";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return hctx_hypervisor_of_cpuid(sig);
}
#else
static const char *cpuid_probe(void)
{
	return NULL;
}
#endif

/*
 * Each probe: 1 with *ret set when it decides, 0 when its source is
 * missing or says nothing, -errno when its source is there but does not
 * read (then the fields are omitted: a later probe must not answer for
 * a source that failed).
 */
static int absent_is_undecided(int r)
{
	return r == -ENOENT || r == -ENOTDIR ? 0 : r;
}

static int sys_hypervisor_probe(struct hctx_reader *rd, const char **ret)
{
	_cleanup_free_ char *type = NULL;
	int r = hctx_read_trimmed(rd->root, "sys/hypervisor/type", &type);

	if (r == -ENODATA)
		return 0;	/* empty */
	if (r < 0)
		return absent_is_undecided(r);
	*ret = hctx_hypervisor_of_type(type);
	return *ret != NULL;
}

static int sysinfo_probe(struct hctx_reader *rd, const char **ret)
{
	ssize_t n = hctx_read_file(rd->root, "proc/sysinfo", rd->buf, HCTX_READ_CAP);

	if (n < 0)
		return absent_is_undecided((int)n);
	*ret = hctx_hypervisor_of_sysinfo(rd->buf, (size_t)n);
	return 1;
}

static int device_tree_probe(struct hctx_reader *rd, const char **ret)
{
	ssize_t n = hctx_read_file(rd->root, "proc/device-tree/compatible", rd->buf,
				   HCTX_READ_CAP);
	int fd;

	if (n < 0 && absent_is_undecided((int)n) < 0)
		return (int)n;
	*ret = n < 0 ? NULL : hctx_hypervisor_of_compatible(rd->buf, (size_t)n);
	if (*ret && (strcmp(*ret, "none") != 0 || rd->root->live))
		return 1;
	/* only whether the partition name exists: its text is never read */
	fd = hctx_open(rd->root, "proc/device-tree/ibm,partition-name", false);
	if (fd < 0)
		return absent_is_undecided(fd);
	close(fd);
	*ret = "powervm";
	return 1;
}

static int dmi_probe(struct hctx_reader *rd, const char **ret)
{
	_cleanup_free_ char *vendor = NULL, *product = NULL;
	int r = -ENOENT;

	for (size_t d = 0; d < 2 && !vendor && absent_is_undecided(r) == 0; d++) {
		snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/sys_vendor", dmi_dirs[d]);
		r = hctx_read_trimmed(rd->root, rd->pathbuf, &vendor);
		if (r < 0)
			continue;
		snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/product_name", dmi_dirs[d]);
		r = hctx_read_trimmed(rd->root, rd->pathbuf, &product);
		if (r < 0 && r != -ENOENT && r != -ENODATA)
			return r;
		r = 0;
	}
	if (r < 0)
		return r == -ENODATA ? 0 : absent_is_undecided(r);
	*ret = hctx_hypervisor_of_dmi(vendor, product);
	return *ret != NULL;
}

/* The first block of proc/cpuinfo is enough: read its beginning only. */
static int cpuinfo_flag_probe(struct hctx_reader *rd, const char **ret)
{
	int fd = hctx_open(rd->root, "proc/cpuinfo", false);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return absent_is_undecided(fd);
	while (len < HCTX_READ_CAP &&
	       (n = hctx_read_some(fd, rd->buf + len, HCTX_READ_CAP - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return (int)n;
	*ret = "unknown";
	return hctx_cpuinfo_has_flag(rd->buf, len, "hypervisor");
}

typedef int probe_fn(struct hctx_reader *rd, const char **ret);

/* In order; the cpuid probe (live only) comes first. */
static const struct {
	const char *source;
	probe_fn *probe;
} probes[] = {
	{ "sys_hypervisor", sys_hypervisor_probe },
	{ "sysinfo", sysinfo_probe },
	{ "device_tree", device_tree_probe },
	{ "dmi", dmi_probe },
	{ "cpuinfo_flag", cpuinfo_flag_probe },
};

static struct hypervisor_answer probe_hypervisor(struct hctx_reader *rd)
{
	struct hypervisor_answer a = { .err = -ENOENT };

	if (rd->root->live && (a.value = cpuid_probe()) != NULL) {
		a.source = "cpuid";
		a.err = 0;
		return a;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		int r = probes[i].probe(rd, &a.value);

		if (r != 0) {
			a.err = r < 0 ? r : 0;
			a.source = probes[i].source;
			return a;
		}
	}
	return a;
}

/* f->arg "source": hypervisor_source; "value": hypervisor. */
int hctx_read_hypervisor(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	struct hypervisor_answer *a = rd->memo[HCTX_MEMO_PLATFORM];

	if (!a) {
		a = malloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		*a = probe_hypervisor(rd);
		rd->memo[HCTX_MEMO_PLATFORM] = a;
		rd->memo_free[HCTX_MEMO_PLATFORM] = free;
	}
	rd->path = NULL;
	if (a->err < 0)
		return a->err;
	*ret = hctx_value_string(strcmp(f->arg, "source") == 0 ? a->source : a->value);
	return *ret ? 0 : -ENOMEM;
}
