/* SPDX-License-Identifier: MIT */
/*
 * Readers of the platform fields: os_release (etc/os-release, else
 * usr/lib/os-release, symlinks resolved beneath the root).
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

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
