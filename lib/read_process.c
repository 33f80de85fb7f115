/* SPDX-License-Identifier: MIT */
/*
 * The process fields (docs/json-format.md, "Process and cgroup"): what
 * the recorded process inherits or set for itself — CPU affinity, the
 * memory nodes allowed, nice, the scheduling policy, ASLR.  Live only
 * (the row's plan): under a captured root they are omitted.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_EXT
#define SCHED_EXT 7
#endif

/* sched_getaffinity with a mask grown while the kernel's is bigger. */
static int affinity(struct hctx_cpuset *ret)
{
	for (int n = 1024; n <= (1 << 22); n *= 2) {
		cpu_set_t *set = CPU_ALLOC((size_t)n);
		size_t size = CPU_ALLOC_SIZE((size_t)n);
		int r = 0;

		if (!set)
			return -ENOMEM;
		if (sched_getaffinity(0, size, set) < 0) {
			r = -errno;
			CPU_FREE(set);
			if (r == -EINVAL)
				continue;
			return r;
		}
		for (int c = 0; c < n && r == 0; c++)
			if (CPU_ISSET_S((size_t)c, size, set))
				r = hctx_cpuset_add(ret, (unsigned)c);
		CPU_FREE(set);
		return r;
	}
	return -EOVERFLOW;
}

static struct hctx_value *affinity_value(void)
{
	struct hctx_cpuset set = { 0 };
	struct hctx_value *v = NULL;
	char *list = NULL;

	if (affinity(&set) == 0 && hctx_cpulist_format(&set, &list) == 0)
		v = hctx_value_string(list);
	free(list);
	hctx_cpuset_clear(&set);
	return v;
}

static const char *policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: return "other";
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_BATCH: return "batch";
	case SCHED_IDLE: return "idle";
	case SCHED_DEADLINE: return "deadline";
	case SCHED_EXT: return "ext";
	default: return NULL;
	}
}

/* Mems_allowed_list of proc/self/status, canonical. */
static struct hctx_value *mems_allowed(struct hctx_reader *rd)
{
	ssize_t n = hctx_read_file(rd->root, "proc/self/status", rd->buf, HCTX_READ_CAP);
	struct hctx_value *v = NULL;
	char *list = NULL;

	if (n < 0 || hctx_status_value(rd->buf, (size_t)n, "Mems_allowed_list", &list) < 0)
		return NULL;
	{
		char *canonical = NULL;

		if (hctx_parse_cpulist_text(list, strlen(list), false, &canonical) == 0)
			v = hctx_value_string(canonical);
		free(canonical);
	}
	free(list);
	return v;
}

int hctx_read_process(struct hctx_reader *rd, const struct hctx_field *f,
		      struct hctx_value **ret)
{
	_cleanup_value_ struct hctx_value *rec = hctx_value_record(f->spec->n_members);
	const char *policy = policy_name(sched_getscheduler(0));
	int persona = personality(0xffffffff);
	int nice;

	if (!rec)
		return -ENOMEM;
	rec->rec.slot[0] = affinity_value();
	rec->rec.slot[1] = mems_allowed(rd);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (nice != -1 || errno == 0)
		rec->rec.slot[2] = hctx_value_s64(nice);
	if (policy)
		rec->rec.slot[3] = hctx_value_string(policy);
	if (persona != -1)
		rec->rec.slot[4] = hctx_value_bool((persona & ADDR_NO_RANDOMIZE) != 0);
	rd->path = NULL;
	*ret = TAKE_PTR(rec);
	return 0;
}
