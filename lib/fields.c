/* SPDX-License-Identifier: MIT */
/*
 * The field table: one row per snapshot field.  Reading, JSON, diff and
 * the human report all walk this table, so a new field is one member in
 * struct hostctx_snapshot, one row here and (for a new source) one
 * reader.  Rows are in the reference's report order; rows that share a
 * source share its reader, which fills all of them at once.
 */
#include "internal.h"

#include <stddef.h>

#define ROW(field, kind_, reader)                                          \
	{ .name = #field, .kind = HCTX_KIND_##kind_,                      \
	  .offset = offsetof(struct hostctx_snapshot, field), .read = reader }

const struct hctx_field hctx_fields[] = {
	ROW(kernel_name,        STRING,    hctx_read_uname),
	ROW(kernel_release,     STRING,    hctx_read_uname),
	ROW(arch,               STRING,    hctx_read_uname),
	ROW(cpu_model,          STRING,    hctx_read_cpuinfo),
	ROW(cpu_vendor,         STRING,    hctx_read_cpuinfo),
	ROW(total_memory_kib,   U64,       hctx_read_meminfo),
	ROW(hugepages_total,    U64,       hctx_read_meminfo),
	ROW(hugepages_free,     U64,       hctx_read_meminfo),
	ROW(hugepages_size_kib, U64,       hctx_read_meminfo),
	ROW(online_cpus,        U64,       hctx_read_online_cpus),
	ROW(numa_nodes,         U64,       hctx_read_numa_nodes),
	ROW(thp_enabled,        STRING,    hctx_read_thp),
	ROW(thp_defrag,         STRING,    hctx_read_thp),
	ROW(kernel_cmdline,     STRING,    hctx_read_cmdline),
	ROW(task_delayacct,     DELAYACCT, hctx_read_delayacct),
	ROW(config_task_xacct,  XACCT,     hctx_read_xacct),
	ROW(cpufreq_governor,   GOVMAP,    hctx_read_governors),
	ROW(sched_tunables,     KVMAP,     hctx_read_sched_tunables),
	ROW(heap_state,         HEAP,      NULL),
};

const size_t hctx_n_fields = sizeof(hctx_fields) / sizeof(hctx_fields[0]);
