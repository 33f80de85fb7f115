/* SPDX-License-Identifier: MIT */
/*
 * The field table: one row per snapshot field, and the row is the
 * field's whole specification: its JSON key, what its value may hold
 * (a spec), its class, its --fields group, when it is read, the reader
 * and that reader's argument, and its human label.  Reading, copying,
 * comparing, JSON, diff, the human report and OpenMetrics all walk this
 * table and the per-kind operations of kinds.c, so a new field of an existing
 * kind is one row here and, for a new source, one reader
 * (docs/design.md, "How to add a field").  Rows are in the reference's
 * report order, which is also the JSON order.
 */
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* ---- specs ----------------------------------------------------------- */

const struct hctx_spec hctx_spec_string = { .kind = HCTX_KIND_STRING };
const struct hctx_spec hctx_spec_u64 = { .kind = HCTX_KIND_U64 };
const struct hctx_spec hctx_spec_s64 = { .kind = HCTX_KIND_S64 };
const struct hctx_spec hctx_spec_bool = { .kind = HCTX_KIND_BOOL };
const struct hctx_spec hctx_spec_double = { .kind = HCTX_KIND_DOUBLE };
const struct hctx_spec hctx_spec_limit = { .kind = HCTX_KIND_LIMIT };

static const char *const delayacct_names[] = { "config_off", "runtime_off", "on", NULL };
static const struct hctx_spec delayacct_spec = {
	.kind = HCTX_KIND_ENUM, .names = delayacct_names,
};

/* In enum hctx_xacct order. */
static const char *const xacct_names[] = { "on", "off", "unknown", NULL };
static const struct hctx_spec xacct_spec = {
	.kind = HCTX_KIND_ENUM, .names = xacct_names,
};

/* "(unknown)" when the directory cannot be listed, "(empty)" for {}. */
static const struct hctx_spec sched_tunables_spec = {
	.kind = HCTX_KIND_STRMAP, .elem = &hctx_spec_string,
};

/* Omitted when no CPU has a governor; the report says "(empty)" then. */
static const struct hctx_spec governor_spec = {
	.kind = HCTX_KIND_CPUMAP, .elem = &hctx_spec_string,
	.empty_is_absent = true, .human_absent = "(empty)",
};

/* The reference's JSON order; its report order is human_order. */
static const struct hctx_member heap_members[] = {
	{ .name = "active_bytes", .spec = &hctx_spec_u64, .human_order = 1 },
	{ .name = "allocated_bytes", .spec = &hctx_spec_u64, .human_order = 0 },
	{ .name = "resident_bytes", .spec = &hctx_spec_u64, .human_order = 2 },
	{ .name = "mapped_bytes", .spec = &hctx_spec_u64, .human_order = 3 },
	{ .name = "narenas", .spec = &hctx_spec_u64, .human_order = 4 },
};
static const struct hctx_spec heap_spec = {
	.kind = HCTX_KIND_RECORD, .members = heap_members,
	.n_members = sizeof(heap_members) / sizeof(heap_members[0]),
	.human_absent = "",	/* printed only when present */
};

/* -- specs: basic (read_basic.c) -- */

/* sysctls and cpu_vulnerabilities: {} when the directory holds nothing usable. */
static const struct hctx_spec basic_strmap_spec = {
	.kind = HCTX_KIND_STRMAP, .elem = &hctx_spec_string,
};

/* -- specs: cpufreq (read_cpufreq.c) -- */

static const struct hctx_spec khz_bycpu_spec = {
	.kind = HCTX_KIND_BYCPU, .elem = &hctx_spec_u64,
};
static const struct hctx_spec string_bycpu_spec = {
	.kind = HCTX_KIND_BYCPU, .elem = &hctx_spec_string,
};
static const struct hctx_member intel_pstate_members[] = {
	{ .name = "status", .spec = &hctx_spec_string },
	{ .name = "no_turbo", .spec = &hctx_spec_bool, .human_order = 1 },
	{ .name = "min_perf_pct", .spec = &hctx_spec_u64, .human_order = 2 },
	{ .name = "max_perf_pct", .spec = &hctx_spec_u64, .human_order = 3 },
	{ .name = "hwp_dynamic_boost", .spec = &hctx_spec_bool, .human_order = 4 },
};
static const struct hctx_spec intel_pstate_spec = {
	.kind = HCTX_KIND_RECORD, .members = intel_pstate_members,
	.n_members = sizeof(intel_pstate_members) / sizeof(intel_pstate_members[0]),
};
static const struct hctx_member amd_pstate_members[] = {
	{ .name = "status", .spec = &hctx_spec_string },
	{ .name = "prefcore", .spec = &hctx_spec_string, .human_order = 1 },
};
static const struct hctx_spec amd_pstate_spec = {
	.kind = HCTX_KIND_RECORD, .members = amd_pstate_members,
	.n_members = sizeof(amd_pstate_members) / sizeof(amd_pstate_members[0]),
};

/* -- specs: counters (read_counters.c) -- */

/* proc/stat's columns, in its order (those present). */
#define TICKS(name_, i_) { .name = name_, .spec = &hctx_spec_u64, .human_order = i_ }
static const struct hctx_member cpu_ticks_members[] = {
	TICKS("user", 0), TICKS("nice", 1), TICKS("system", 2), TICKS("idle", 3),
	TICKS("iowait", 4), TICKS("irq", 5), TICKS("softirq", 6), TICKS("steal", 7),
	TICKS("guest", 8), TICKS("guest_nice", 9),
};
static const struct hctx_spec cpu_ticks_spec = {
	.kind = HCTX_KIND_RECORD, .members = cpu_ticks_members,
	.n_members = sizeof(cpu_ticks_members) / sizeof(cpu_ticks_members[0]),
};
static const struct hctx_spec u64_map_spec = {
	.kind = HCTX_KIND_STRMAP, .elem = &hctx_spec_u64,
};
static const struct hctx_member psi_members[] = {
	{ .name = "some_avg10", .spec = &hctx_spec_double },
	{ .name = "some_avg60", .spec = &hctx_spec_double, .human_order = 1 },
	{ .name = "some_avg300", .spec = &hctx_spec_double, .human_order = 2 },
	{ .name = "some_total_us", .spec = &hctx_spec_u64, .human_order = 3 },
	{ .name = "full_avg10", .spec = &hctx_spec_double, .human_order = 4 },
	{ .name = "full_avg60", .spec = &hctx_spec_double, .human_order = 5 },
	{ .name = "full_avg300", .spec = &hctx_spec_double, .human_order = 6 },
	{ .name = "full_total_us", .spec = &hctx_spec_u64, .human_order = 7 },
};
static const struct hctx_spec psi_spec = {
	.kind = HCTX_KIND_RECORD, .members = psi_members,
	.n_members = sizeof(psi_members) / sizeof(psi_members[0]),
};
static const struct hctx_member pressure_members[] = {
	{ .name = "cpu", .spec = &psi_spec },
	{ .name = "memory", .spec = &psi_spec, .human_order = 1 },
	{ .name = "io", .spec = &psi_spec, .human_order = 2 },
	{ .name = "irq", .spec = &psi_spec, .human_order = 3 },
};
static const struct hctx_spec pressure_spec = {
	.kind = HCTX_KIND_RECORD, .members = pressure_members,
	.n_members = sizeof(pressure_members) / sizeof(pressure_members[0]),
};
static const struct hctx_spec throttle_by_cpu_spec = {
	.kind = HCTX_KIND_CPUMAP, .elem = &hctx_spec_u64,
};
static const struct hctx_member throttle_members[] = {
	{ .name = "core_count", .spec = &hctx_spec_u64 },
	{ .name = "core_time_ms", .spec = &hctx_spec_u64, .human_order = 1 },
	{ .name = "package_count", .spec = &hctx_spec_u64, .human_order = 2 },
	{ .name = "package_time_ms", .spec = &hctx_spec_u64, .human_order = 3 },
	{ .name = "core_count_by_cpu", .spec = &throttle_by_cpu_spec, .human_order = 4 },
};
static const struct hctx_spec throttle_spec = {
	.kind = HCTX_KIND_RECORD, .members = throttle_members,
	.n_members = sizeof(throttle_members) / sizeof(throttle_members[0]),
};

/*
 * The shape of a record's "deltas" (deltas.c; docs/json-format.md,
 * "Deltas"): post - pre of each counter row, with its nesting, and the
 * values derived beside.  Nothing reads or writes JSON by it: it names
 * the deltas_* columns of hostctx export, which must be the same for
 * every row.  A counter row added to the table gets its member here
 * (test_export checks that every counter row has one).
 */
static const struct hctx_member share_members[] = {
	{ .name = "busy", .spec = &hctx_spec_double },
	{ .name = "idle", .spec = &hctx_spec_double },
	{ .name = "iowait", .spec = &hctx_spec_double },
	{ .name = "irq", .spec = &hctx_spec_double },
	{ .name = "softirq", .spec = &hctx_spec_double },
	{ .name = "steal", .spec = &hctx_spec_double },
};
static const struct hctx_spec share_spec = {
	.kind = HCTX_KIND_RECORD, .members = share_members,
	.n_members = sizeof(share_members) / sizeof(share_members[0]),
};
static const struct hctx_member psi_delta_members[] = {
	{ .name = "some_total_us", .spec = &hctx_spec_u64 },
	{ .name = "full_total_us", .spec = &hctx_spec_u64 },
	{ .name = "some_share", .spec = &hctx_spec_double },
	{ .name = "full_share", .spec = &hctx_spec_double },
};
static const struct hctx_spec psi_delta_spec = {
	.kind = HCTX_KIND_RECORD, .members = psi_delta_members,
	.n_members = sizeof(psi_delta_members) / sizeof(psi_delta_members[0]),
};
static const struct hctx_member pressure_delta_members[] = {
	{ .name = "cpu", .spec = &psi_delta_spec },
	{ .name = "memory", .spec = &psi_delta_spec },
	{ .name = "io", .spec = &psi_delta_spec },
	{ .name = "irq", .spec = &psi_delta_spec },
};
static const struct hctx_spec pressure_delta_spec = {
	.kind = HCTX_KIND_RECORD, .members = pressure_delta_members,
	.n_members = sizeof(pressure_delta_members) / sizeof(pressure_delta_members[0]),
};
static const struct hctx_member throttle_delta_members[] = {
	{ .name = "core_count", .spec = &hctx_spec_u64 },
	{ .name = "core_time_ms", .spec = &hctx_spec_u64 },
	{ .name = "package_count", .spec = &hctx_spec_u64 },
	{ .name = "package_time_ms", .spec = &hctx_spec_u64 },
	{ .name = "core_count_by_cpu", .spec = &throttle_by_cpu_spec },
	{ .name = "cpus", .spec = &hctx_spec_string },
};
static const struct hctx_spec throttle_delta_spec = {
	.kind = HCTX_KIND_RECORD, .members = throttle_delta_members,
	.n_members = sizeof(throttle_delta_members) / sizeof(throttle_delta_members[0]),
};
static const struct hctx_spec anomalies_spec = {
	.kind = HCTX_KIND_STRMAP, .elem = &hctx_spec_string,
};
static const struct hctx_member deltas_members[] = {
	{ .name = "seconds", .spec = &hctx_spec_double },
	{ .name = "cgroup_cpu_stat", .spec = &u64_map_spec },
	{ .name = "cpu_time_ticks", .spec = &cpu_ticks_spec },
	{ .name = "cpu_time_share", .spec = &share_spec },
	{ .name = "context_switches", .spec = &hctx_spec_u64 },
	{ .name = "processes_forked", .spec = &hctx_spec_u64 },
	{ .name = "interrupts", .spec = &hctx_spec_u64 },
	{ .name = "softirqs", .spec = &hctx_spec_u64 },
	{ .name = "vmstat", .spec = &u64_map_spec },
	{ .name = "pressure", .spec = &pressure_delta_spec },
	{ .name = "thermal_throttle", .spec = &throttle_delta_spec },
	{ .name = "anomalies", .spec = &anomalies_spec },
};
const struct hctx_spec hctx_deltas_spec = {
	.kind = HCTX_KIND_RECORD, .members = deltas_members,
	.n_members = sizeof(deltas_members) / sizeof(deltas_members[0]),
};

/* -- specs: process (read_process.c) -- */

/* One resource limit: getrlimit's soft and hard values. */
static const struct hctx_member rlimit_members[] = {
	{ .name = "soft", .spec = &hctx_spec_limit },
	{ .name = "hard", .spec = &hctx_spec_limit, .human_order = 1 },
};
static const struct hctx_spec rlimit_spec = {
	.kind = HCTX_KIND_RECORD, .members = rlimit_members,
	.n_members = sizeof(rlimit_members) / sizeof(rlimit_members[0]),
};
/* The resources by their getrlimit(2) names without RLIMIT_, in ulimit order. */
#define RL(name_, i_) { .name = name_, .spec = &rlimit_spec, .human_order = i_ }
static const struct hctx_member rlimits_members[] = {
	RL("as", 0), RL("core", 1), RL("cpu", 2), RL("data", 3), RL("fsize", 4),
	RL("locks", 5), RL("memlock", 6), RL("msgqueue", 7), RL("nice", 8),
	RL("nofile", 9), RL("nproc", 10), RL("rss", 11), RL("rtprio", 12),
	RL("rttime", 13), RL("sigpending", 14), RL("stack", 15),
};
static const struct hctx_spec rlimits_spec = {
	.kind = HCTX_KIND_RECORD, .members = rlimits_members,
	.n_members = sizeof(rlimits_members) / sizeof(rlimits_members[0]),
};

static const struct hctx_member process_members[] = {
	{ .name = "affinity", .spec = &hctx_spec_string },
	{ .name = "mems_allowed", .spec = &hctx_spec_string, .human_order = 1 },
	{ .name = "nice", .spec = &hctx_spec_s64, .human_order = 2 },
	{ .name = "sched_policy", .spec = &hctx_spec_string, .human_order = 3 },
	{ .name = "aslr_disabled", .spec = &hctx_spec_bool, .human_order = 4 },
	{ .name = "rlimits", .spec = &rlimits_spec, .human_order = 5 },
};
static const struct hctx_spec process_spec = {
	.kind = HCTX_KIND_RECORD, .members = process_members,
	.n_members = sizeof(process_members) / sizeof(process_members[0]),
};

/* The cgroup's limits as the kernel prints them; its id is this instance's. */
#define CG(name_, i_) { .name = name_, .spec = &hctx_spec_string, .human_order = i_ }
static const struct hctx_member cgroup_members[] = {
	CG("version", 0),
	{ .name = "id", .spec = &hctx_spec_u64, .human_order = 1, .cls = HCTX_CLASS(INSTANCE) },
	CG("cpu_max", 2), CG("cpu_weight", 3), CG("memory_max", 4), CG("memory_high", 5),
	CG("memory_swap_max", 6), CG("pids_max", 7), CG("cpuset_cpus_effective", 8),
	CG("cpuset_mems_effective", 9), CG("memory_max_effective", 10),
	CG("cpu_max_effective", 11),
};
static const struct hctx_spec cgroup_spec = {
	.kind = HCTX_KIND_RECORD, .members = cgroup_members,
	.n_members = sizeof(cgroup_members) / sizeof(cgroup_members[0]),
};

/* -- specs: caches (read_caches.c) -- */

static const struct hctx_member cache_members[] = {
	{ .name = "level", .spec = &hctx_spec_u64 },
	{ .name = "type", .spec = &hctx_spec_string, .human_order = 1 },
	{ .name = "size_kib", .spec = &hctx_spec_u64, .human_order = 2 },
	{ .name = "ways", .spec = &hctx_spec_u64, .human_order = 3 },
	{ .name = "line_bytes", .spec = &hctx_spec_u64, .human_order = 4 },
	{ .name = "instances", .spec = &hctx_spec_u64, .human_order = 5 },
	{ .name = "cpus_per_instance", .spec = &hctx_spec_u64, .human_order = 6 },
	{ .name = "cpus", .spec = &hctx_spec_string, .human_order = 7 },
};
static const struct hctx_spec cache_spec = {
	.kind = HCTX_KIND_RECORD, .members = cache_members,
	.n_members = sizeof(cache_members) / sizeof(cache_members[0]),
};
static const struct hctx_spec cpu_caches_spec = {
	.kind = HCTX_KIND_ARRAY, .elem = &cache_spec,
};

/* -- specs: platform (read_platform.c) -- */

/* In the reader's order: ID, VERSION_ID, PRETTY_NAME, VERSION_CODENAME. */
static const struct hctx_member os_release_members[] = {
	{ .name = "id", .spec = &hctx_spec_string },
	{ .name = "version_id", .spec = &hctx_spec_string, .human_order = 1 },
	{ .name = "pretty_name", .spec = &hctx_spec_string, .human_order = 2 },
	{ .name = "version_codename", .spec = &hctx_spec_string, .human_order = 3 },
};
static const struct hctx_spec os_release_spec = {
	.kind = HCTX_KIND_RECORD, .members = os_release_members,
	.n_members = sizeof(os_release_members) / sizeof(os_release_members[0]),
};

/* The machine's make and model are identity; its firmware is config. */
static const struct hctx_member dmi_members[] = {
	{ .name = "sys_vendor", .spec = &hctx_spec_string, .cls = HCTX_CLASS(IDENTITY) },
	{ .name = "product_name", .spec = &hctx_spec_string, .human_order = 1,
	  .cls = HCTX_CLASS(IDENTITY) },
	{ .name = "product_family", .spec = &hctx_spec_string, .human_order = 2,
	  .cls = HCTX_CLASS(IDENTITY) },
	{ .name = "bios_vendor", .spec = &hctx_spec_string, .human_order = 3 },
	{ .name = "bios_version", .spec = &hctx_spec_string, .human_order = 4 },
	{ .name = "bios_date", .spec = &hctx_spec_string, .human_order = 5 },
};
static const struct hctx_spec dmi_spec = {
	.kind = HCTX_KIND_RECORD, .members = dmi_members,
	.n_members = sizeof(dmi_members) / sizeof(dmi_members[0]),
};

/* -- specs: redaction (redact.c) -- */

/* The names of the fields --redact omitted or rewrote (also: the fields cut short). */
static const struct hctx_spec redacted_spec = {
	.kind = HCTX_KIND_ARRAY, .elem = &hctx_spec_string,
	.human_absent = "",	/* printed only when present */
};

/* ---- rows ------------------------------------------------------------ */

#define IDENTITY  HOSTCTX_CLASS_IDENTITY
#define INSTANCE  HOSTCTX_CLASS_INSTANCE
#define CONFIG    HOSTCTX_CLASS_CONFIG
#define TELEMETRY HOSTCTX_CLASS_TELEMETRY

/*
 * SEED: a field of the reference, in its report order.  ROW: a field
 * beyond the reference, reported under its group's heading.  Members
 * beyond the eight follow as designated initializers (.redact = ...).
 */
#define SEED(name_, spec_, cls_, group_, plan_, read_, arg_, label_, ...)    \
	{ .name = #name_, .spec = &(spec_), .cls = (cls_), .group = group_,  \
	  .plan = HCTX_PLAN_##plan_, .read = read_, .arg = arg_,            \
	  .label = label_, .seed = true, __VA_ARGS__ }
#define ROW(name_, spec_, cls_, group_, plan_, read_, arg_, label_, ...)     \
	{ .name = #name_, .spec = &(spec_), .cls = (cls_), .group = group_,  \
	  .plan = HCTX_PLAN_##plan_, .read = read_, .arg = arg_,            \
	  .label = label_, __VA_ARGS__ }

const struct hctx_field hctx_fields[] = {
	SEED(kernel_name, hctx_spec_string, IDENTITY, "kernel", EVERY,
	    hctx_read_uname, "proc/sys/kernel/ostype", "kernel name"),
	SEED(kernel_release, hctx_spec_string, CONFIG, "kernel", EVERY,
	    hctx_read_uname, "proc/sys/kernel/osrelease", "kernel release",
	    .metrics_info = true),
	SEED(arch, hctx_spec_string, IDENTITY, "kernel", EVERY,
	    hctx_read_uname, "proc/sys/kernel/arch", "architecture", .metrics_info = true),
	SEED(cpu_model, hctx_spec_string, IDENTITY, "cpu", EVERY,
	    hctx_read_cpuinfo, "model name", "CPU model", .metrics_info = true),
	SEED(cpu_vendor, hctx_spec_string, IDENTITY, "cpu", EVERY,
	    hctx_read_cpuinfo, "vendor_id", "CPU vendor"),
	SEED(total_memory_kib, hctx_spec_u64, IDENTITY, "memory", EVERY,
	    hctx_read_meminfo, "MemTotal", "memory (KiB)"),
	SEED(hugepages_total, hctx_spec_u64, CONFIG, "memory", EVERY,
	    hctx_read_meminfo, "HugePages_Total", "hugepages reserved"),
	SEED(hugepages_free, hctx_spec_u64, TELEMETRY, "memory", EVERY,
	    hctx_read_meminfo, "HugePages_Free", "hugepages free"),
	SEED(hugepages_size_kib, hctx_spec_u64, CONFIG, "memory", EVERY,
	    hctx_read_meminfo, "Hugepagesize", "hugepage size (KiB)"),
	SEED(online_cpus, hctx_spec_u64, IDENTITY, "cpu", EVERY,
	    hctx_read_online_cpus, "sys/devices/system/cpu/online", "online CPUs"),
	SEED(numa_nodes, hctx_spec_u64, IDENTITY, "cpu", EVERY,
	    hctx_read_numa_nodes, "sys/devices/system/node", "NUMA nodes"),
	SEED(thp_enabled, hctx_spec_string, CONFIG, "memory", EVERY,
	    hctx_read_scalar, "sys/kernel/mm/transparent_hugepage/enabled",
	    "THP enabled"),
	SEED(thp_defrag, hctx_spec_string, CONFIG, "memory", EVERY,
	    hctx_read_scalar, "sys/kernel/mm/transparent_hugepage/defrag",
	    "THP defrag"),
	SEED(kernel_cmdline, hctx_spec_string, CONFIG, "kernel", EVERY,
	    hctx_read_scalar, "proc/cmdline", "kernel command line",
	    .redact = hctx_redact_cmdline),
	SEED(task_delayacct, delayacct_spec, CONFIG, "accounting", EVERY,
	    hctx_read_delayacct, "proc/sys/kernel/task_delayacct", "delay accounting"),
	SEED(config_task_xacct, xacct_spec, CONFIG, "accounting", EVERY,
	    hctx_read_xacct, "proc/config.gz", "CONFIG_TASK_XACCT"),
	SEED(cpufreq_governor, governor_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_governors, "sys/devices/system/cpu", "cpufreq governors"),
	SEED(sched_tunables, sched_tunables_spec, CONFIG, "sched", EVERY,
	    hctx_read_sched_tunables, "proc/sys/kernel", "sched_* sysctls"),
	{ .name = "heap_state", .spec = &heap_spec, .cls = TELEMETRY,
	  .group = "heap", .plan = HCTX_PLAN_NEVER, .label = "process heap",
	  .never_compared = true, .seed = true },

	/* ---- beyond the reference, by group (docs/json-format.md) ---- */

	/* -- boot -- */
	/* boot_id first: the boot-stable rows below compare it (snapshot.c). */
	ROW(boot_id, hctx_spec_string, INSTANCE, "boot", EVERY,
	    hctx_read_boot_id, "proc/sys/kernel/random/boot_id", "boot id",
	    .redact = hctx_redact_omit),
	ROW(uptime_seconds, hctx_spec_double, TELEMETRY, "boot", EVERY,
	    hctx_read_uptime, "proc/uptime", "uptime (s)"),

	/* -- sysctl -- */
	ROW(sysctls, basic_strmap_spec, CONFIG, "sysctl", EVERY,
	    hctx_read_sysctls, "proc/sys", "sysctls"),

	/* -- isolation -- */
	ROW(cpu_isolated, hctx_spec_string, CONFIG, "isolation", EVERY,
	    hctx_read_cpulist_field, "sys/devices/system/cpu/isolated", "isolated CPUs"),
	ROW(cpu_nohz_full, hctx_spec_string, CONFIG, "isolation", EVERY,
	    hctx_read_nohz_full, "sys/devices/system/cpu/nohz_full", "nohz_full CPUs"),
	ROW(smt_control, hctx_spec_string, CONFIG, "isolation", EVERY,
	    hctx_read_scalar, "sys/devices/system/cpu/smt/control", "SMT control"),
	ROW(smt_active, hctx_spec_bool, CONFIG, "isolation", EVERY,
	    hctx_read_scalar, "sys/devices/system/cpu/smt/active", "SMT active"),

	/* -- cpufreq -- */
	ROW(cpufreq_driver, hctx_spec_string, CONFIG, "cpufreq", EVERY,
	    hctx_read_cpufreq_driver, "cpufreq/scaling_driver", "cpufreq driver"),
	ROW(cpufreq_min_khz, khz_bycpu_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_cpu_files, "cpufreq/scaling_min_freq", "minimum (kHz)"),
	ROW(cpufreq_max_khz, khz_bycpu_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_cpu_files, "cpufreq/scaling_max_freq", "maximum (kHz)"),
	ROW(cpufreq_hw_max_khz, khz_bycpu_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_cpu_files, "cpufreq/cpuinfo_max_freq", "hardware maximum (kHz)"),
	ROW(cpufreq_epp, string_bycpu_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_cpu_files, "cpufreq/energy_performance_preference",
	    "energy/performance preference"),
	ROW(cpufreq_boost, hctx_spec_bool, CONFIG, "cpufreq", EVERY, hctx_read_scalar,
	    "sys/devices/system/cpu/cpufreq/boost", "boost"),
	ROW(intel_pstate, intel_pstate_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_dir_record, "sys/devices/system/cpu/intel_pstate", "intel_pstate"),
	ROW(amd_pstate, amd_pstate_spec, CONFIG, "cpufreq", EVERY,
	    hctx_read_dir_record, "sys/devices/system/cpu/amd_pstate", "amd_pstate"),

	/* -- idle -- */
	ROW(cpuidle_driver, hctx_spec_string, CONFIG, "idle", EVERY, hctx_read_scalar,
	    "sys/devices/system/cpu/cpuidle/current_driver", "cpuidle driver"),
	ROW(cpuidle_governor, hctx_spec_string, CONFIG, "idle", EVERY,
	    hctx_read_cpuidle_governor, "sys/devices/system/cpu/cpuidle", "cpuidle governor"),

	/* -- time -- */
	ROW(clocksource, hctx_spec_string, CONFIG, "time", EVERY, hctx_read_scalar,
	    "sys/devices/system/clocksource/clocksource0/current_clocksource",
	    "clock source"),
	ROW(clocksource_available, hctx_spec_string, CONFIG, "time", EVERY,
	    hctx_read_normalised,
	    "sys/devices/system/clocksource/clocksource0/available_clocksource",
	    "clock sources available"),

	/* -- security -- */
	ROW(cpu_vulnerabilities, basic_strmap_spec, CONFIG, "security", EVERY,
	    hctx_read_vulnerabilities, "sys/devices/system/cpu/vulnerabilities",
	    "CPU vulnerabilities", .redact = hctx_redact_omit),
	ROW(cpu_microcode, hctx_spec_string, CONFIG, "security", EVERY,
	    hctx_read_cpuinfo, "microcode", "microcode", .redact = hctx_redact_omit),

	/* -- platform -- */
	ROW(hypervisor, hctx_spec_string, IDENTITY, "platform", BOOT,
	    hctx_read_hypervisor, "value", "hypervisor"),
	ROW(hypervisor_source, hctx_spec_string, IDENTITY, "platform", BOOT,
	    hctx_read_hypervisor, "source", "hypervisor detected by"),
	ROW(dmi, dmi_spec, CONFIG, "platform", BOOT, hctx_read_dmi,
	    "sys/class/dmi/id", "DMI"),
	ROW(os_release, os_release_spec, CONFIG, "platform", EVERY,
	    hctx_read_os_release, "etc/os-release", "OS release"),

	/* -- caches -- */
	ROW(cpu_caches, cpu_caches_spec, IDENTITY, "caches", BOOT, hctx_read_cpu_caches,
	    "sys/devices/system/cpu", "CPU caches"),

	/* -- memory -- */
	ROW(swap_total_kib, hctx_spec_u64, CONFIG, "memory", EVERY,
	    hctx_read_meminfo, "SwapTotal", "swap (KiB)"),
	ROW(swap_free_kib, hctx_spec_u64, TELEMETRY, "memory", EVERY,
	    hctx_read_meminfo, "SwapFree", "swap free (KiB)"),
	ROW(mem_available_kib, hctx_spec_u64, TELEMETRY, "memory", EVERY,
	    hctx_read_meminfo, "MemAvailable", "memory available (KiB)"),

	/* -- load -- */
	ROW(load_avg_1min, hctx_spec_double, TELEMETRY, "load", EVERY,
	    hctx_read_loadavg, "1", "load average, 1 min"),
	ROW(load_avg_5min, hctx_spec_double, TELEMETRY, "load", EVERY,
	    hctx_read_loadavg, "5", "load average, 5 min"),
	ROW(load_avg_15min, hctx_spec_double, TELEMETRY, "load", EVERY,
	    hctx_read_loadavg, "15", "load average, 15 min"),
	ROW(tasks_runnable, hctx_spec_u64, TELEMETRY, "load", EVERY,
	    hctx_read_loadavg, "runnable", "runnable tasks"),
	ROW(tasks_total, hctx_spec_u64, TELEMETRY, "load", EVERY,
	    hctx_read_loadavg, "total", "tasks"),

	/* -- power -- */
	ROW(ac_power, hctx_spec_bool, CONFIG, "power", EVERY,
	    hctx_read_ac_power, "sys/class/power_supply", "on AC power"),

	/* -- process -- */
	ROW(process, process_spec, CONFIG, "process", LIVE, hctx_read_process,
	    "sched_getaffinity, proc/self/status", "process"),

	/* -- cgroup -- */
	ROW(cgroup, cgroup_spec, CONFIG, "cgroup", LIVE, hctx_read_cgroup,
	    "proc/self/cgroup", "cgroup"),
	ROW(cgroup_cpu_stat, u64_map_spec, TELEMETRY, "cgroup", LIVE,
	    hctx_read_cgroup_cpu_stat, "cpu.stat", "cgroup CPU time", .counter = true),

	/* -- counters -- */
	ROW(cpu_time_ticks, cpu_ticks_spec, TELEMETRY, "counters", EVERY,
	    hctx_read_cpu_ticks, "proc/stat", "CPU time (ticks)", .counter = true),
	ROW(user_hz, hctx_spec_u64, IDENTITY, "counters", LIVE, hctx_read_user_hz,
	    "sysconf(_SC_CLK_TCK)", "ticks per second"),
	ROW(context_switches, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "ctxt", "context switches", .counter = true),
	ROW(processes_forked, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "processes", "processes forked", .counter = true),
	ROW(interrupts, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "intr", "interrupts", .counter = true),
	ROW(softirqs, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "softirq", "softirqs", .counter = true),
	ROW(procs_running, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "procs_running", "processes running"),
	ROW(procs_blocked, hctx_spec_u64, TELEMETRY, "counters", EVERY,
	    hctx_read_stat_counter, "procs_blocked", "processes blocked"),
	ROW(vmstat, u64_map_spec, TELEMETRY, "counters", EVERY, hctx_read_vmstat,
	    "proc/vmstat", "vmstat", .counter = true),
	ROW(pressure, pressure_spec, TELEMETRY, "counters", EVERY, hctx_read_pressure,
	    "proc/pressure", "pressure (PSI)", .counter = true),
	ROW(thermal_throttle, throttle_spec, TELEMETRY, "counters", EVERY,
	    hctx_read_thermal_throttle, "sys/devices/system/cpu", "thermal throttling",
	    .counter = true),

	/* -- bounds: set when the snapshot's text budget cut fields short -- */
	ROW(truncated, redacted_spec, CONFIG, "bounds", NEVER, NULL, NULL,
	    "cut short", .never_compared = true),
	/* -- redaction: set by a snapshot taken with --redact, never read -- */
	ROW(redacted, redacted_spec, CONFIG, "redaction", NEVER, NULL, NULL,
	    "redacted", .never_compared = true),
};

const size_t hctx_n_fields = sizeof(hctx_fields) / sizeof(hctx_fields[0]);
_Static_assert(sizeof(hctx_fields) / sizeof(hctx_fields[0]) <= HCTX_MAX_FIELDS,
	       "the reader's bit sets (truncated) hold HCTX_MAX_FIELDS rows");

const struct hctx_field *hctx_field_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < hctx_n_fields; i++)
		if (strlen(hctx_fields[i].name) == len &&
		    memcmp(hctx_fields[i].name, name, len) == 0)
			return &hctx_fields[i];
	return NULL;
}

/*
 * The groups of --fields, in report order, with the heading the human
 * report prints above a group's fields beyond the reference.
 */
const struct hctx_group hctx_groups[] = {
	{ "kernel", "kernel" },
	{ "cpu", "CPU" },
	{ "memory", "memory" },
	{ "accounting", "accounting" },
	{ "cpufreq", "frequency scaling" },
	{ "sched", "scheduler" },
	{ "heap", "process heap" },
	{ "boot", "boot" },
	{ "sysctl", "sysctls" },
	{ "isolation", "CPU isolation and SMT" },
	{ "idle", "CPU idle" },
	{ "time", "timekeeping" },
	{ "security", "mitigations and microcode" },
	{ "platform", "virtualization, platform, OS" },
	{ "caches", "CPU caches" },
	{ "load", "load" },
	{ "power", "power" },
	{ "process", "process" },
	{ "cgroup", "cgroup" },
	{ "counters", "counters" },
	{ "redaction", "redaction" },
};
const size_t hctx_n_groups = sizeof(hctx_groups) / sizeof(hctx_groups[0]);

HCTX_EXPORT const char *hostctx_group_name(size_t index)
{
	return index < hctx_n_groups ? hctx_groups[index].name : NULL;
}

/* ---- the public view of the table ----------------------------------- */

HCTX_EXPORT size_t hostctx_field_count(void)
{
	return hctx_n_fields;
}

HCTX_EXPORT int hostctx_field_index(const char *name)
{
	const struct hctx_field *f = name ? hctx_field_by_name(name, strlen(name)) : NULL;

	return f ? (int)(f - hctx_fields) : -ENOENT;
}

HCTX_EXPORT const char *hostctx_field_name(size_t index)
{
	return index < hctx_n_fields ? hctx_fields[index].name : NULL;
}

HCTX_EXPORT const char *hostctx_field_group(size_t index)
{
	return index < hctx_n_fields ? hctx_fields[index].group : NULL;
}

HCTX_EXPORT const char *hostctx_field_label(size_t index)
{
	return index < hctx_n_fields ? hctx_fields[index].label : NULL;
}

HCTX_EXPORT int hostctx_field_class(size_t index)
{
	return index < hctx_n_fields ? (int)hctx_fields[index].cls : -EINVAL;
}

static const char *const class_names[] = {
	[HOSTCTX_CLASS_IDENTITY] = "identity",
	[HOSTCTX_CLASS_INSTANCE] = "instance",
	[HOSTCTX_CLASS_CONFIG] = "config",
	[HOSTCTX_CLASS_TELEMETRY] = "telemetry",
};

HCTX_EXPORT const char *hostctx_class_name(int cls)
{
	if (cls < 0 || (size_t)cls >= sizeof(class_names) / sizeof(class_names[0]))
		return NULL;
	return class_names[cls];
}
