/* SPDX-License-Identifier: MIT */
/*
 * Readers of the frequency-scaling and idle fields (docs/json-format.md,
 * "Frequency scaling", "CPU idle"): the driver of the first online CPU
 * that has one, the pstate drivers' directories as records, the idle
 * governor.  The per-CPU limits and EPP are by-CPU maps read by
 * hctx_read_cpu_files (read_sys.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CPU_DIR "sys/devices/system/cpu"

/* One driver is registered system-wide: the first online CPU's says it. */
int hctx_read_cpufreq_driver(struct hctx_reader *rd, const struct hctx_field *f,
			     struct hctx_value **ret)
{
	const struct hctx_cpuset *online;
	int r = hctx_reader_cpus(rd, &online);

	if (r < 0)
		return r;
	for (long cpu = hctx_cpuset_next(online, 0); cpu >= 0;
	     cpu = hctx_cpuset_next(online, (unsigned)cpu + 1)) {
		_cleanup_free_ char *text = NULL;

		snprintf(rd->pathbuf, sizeof(rd->pathbuf), CPU_DIR "/cpu%ld/%s", cpu, f->arg);
		r = hctx_read_trimmed(rd->root, rd->pathbuf, &text);
		if (r == -ENOMEM)
			return r;
		if (r == 0)
			return hctx_value_from_text(f->spec, text, ret);
	}
	snprintf(rd->pathbuf, sizeof(rd->pathbuf), CPU_DIR "/cpuN/%s", f->arg);
	rd->path = rd->pathbuf;
	return -ENOENT;
}

/*
 * A directory's files as the members of the row's record (intel_pstate,
 * amd_pstate): each member its file, parsed by its own spec; a member
 * that does not read is left out; omitted when the directory is missing
 * or none reads.
 */
int hctx_read_dir_record(struct hctx_reader *rd, const struct hctx_field *f,
			 struct hctx_value **ret)
{
	const struct hctx_spec *spec = f->spec;
	_cleanup_value_ struct hctx_value *rec = NULL;
	_cleanup_close_ int dirfd = hctx_open(rd->root, f->arg, true);
	size_t found = 0;

	if (dirfd < 0)
		return dirfd;
	rec = hctx_value_record(spec->n_members);
	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < spec->n_members; i++) {
		_cleanup_free_ char *text = NULL;
		int r = hctx_read_trimmed_at(rd->root, dirfd, spec->members[i].name, &text);

		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		r = hctx_value_from_text(spec->members[i].spec, text, &rec->rec.slot[i]);
		if (r == -ENOMEM)
			return r;
		found += r == 0;
	}
	if (!found)
		return -ENODATA;
	*ret = TAKE_PTR(rec);
	return 0;
}

/* cpuidle/current_governor_ro, else cpuidle/current_governor (f->arg: the dir). */
int hctx_read_cpuidle_governor(struct hctx_reader *rd, const struct hctx_field *f,
			       struct hctx_value **ret)
{
	static const char *const names[] = { "current_governor_ro", "current_governor" };
	int r = -ENOENT;

	for (size_t i = 0; i < 2 && r != -ENOMEM && r != 0; i++) {
		_cleanup_free_ char *text = NULL;

		snprintf(rd->pathbuf, sizeof(rd->pathbuf), "%s/%s", f->arg, names[i]);
		rd->path = rd->pathbuf;
		r = hctx_read_trimmed(rd->root, rd->pathbuf, &text);
		if (r == 0)
			r = hctx_value_from_text(f->spec, text, ret);
	}
	return r;
}
