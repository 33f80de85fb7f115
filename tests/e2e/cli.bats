#!/usr/bin/env bats
# End-to-end tests of the `hostctx` command: snapshot, show, diff, their
# options, exit statuses and every kind of bad input.
#
# Uses $HOSTCTX (the binary) and $EXEC_PREFIX (valgrind under VALGRIND=1).

bats_require_minimum_version 1.5.0

# ---- helpers --------------------------------------------------------------

hx() {
	# shellcheck disable=SC2086 # EXEC_PREFIX is a command line
	${EXEC_PREFIX:-} "$HOSTCTX" "$@"
}

# Drop valgrind's own notes ("--PID-- WARNING: unhandled amd64-linux
# syscall: 437": valgrind 3.19 does not know openat2, the library falls
# back).  Real memory errors are "==PID==" lines and exit status 99: kept.
drop_valgrind_notes() {
	[ -n "${EXEC_PREFIX:-}" ] || return 0
	local kept=() line
	for line in "${stderr_lines[@]}"; do
		[[ $line =~ ^--[0-9]+--\  ]] || kept+=("$line")
	done
	stderr_lines=("${kept[@]}")
	stderr=$(printf '%s\n' "${kept[@]}")
	[ "${#kept[@]}" -gt 0 ] || stderr=
}

# Print what a failed check saw; bats shows it on failure.  Call it after
# every `run`, before looking at stderr.
show_run() {
	drop_valgrind_notes
	echo "status: $status"
	echo "stdout: $output"
	echo "stderr: ${stderr:-}"
}

# The command failed with status 2, printed nothing on stdout and exactly
# one line on stderr, "hostctx: ..." naming $1.
assert_trouble_naming() {
	local name=$1
	show_run
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: "* ]]
	[[ ${stderr_lines[0]} == *"$name"* ]]
}

# A usage error: "hostctx: ..." then the hint, status 2, stdout empty.
assert_usage_error() {
	show_run
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "hostctx: "* ]]
	[ "${stderr_lines[1]}" = "Try 'hostctx --help'." ]
}

json_get() {	# file, python expression on `d`
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- fixtures written by hand ----------------------------------------------

PRE='{
  "cpu_model": "Test CPU @ 2.00GHz", "cpu_vendor": "GenuineIntel",
  "total_memory_kib": 16384000, "hugepages_total": 0, "hugepages_free": 0,
  "hugepages_size_kib": 2048,
  "thp_enabled": "always [madvise] never", "thp_defrag": "[always] defer madvise never",
  "sched_tunables": {"sched_autogroup_enabled": "1", "sched_migration_cost_ns": "500000"},
  "online_cpus": 2, "numa_nodes": 1,
  "cpufreq_governor": {"0": "performance", "1": "performance"},
  "kernel_name": "Linux", "kernel_release": "6.1.0-test", "arch": "x86_64",
  "kernel_cmdline": "root=/dev/sda1 quiet",
  "task_delayacct": "runtime_off", "config_task_xacct": "on"
}'

# Differs from PRE in five fields of four kinds (string, number, map entry
# in both maps, field present on one side only).
POST='{
  "cpu_model": "Test CPU @ 2.00GHz",
  "total_memory_kib": 16384000, "hugepages_total": 0, "hugepages_free": 5,
  "hugepages_size_kib": 2048,
  "thp_enabled": "[always] madvise never", "thp_defrag": "[always] defer madvise never",
  "sched_tunables": {"sched_autogroup_enabled": "1", "sched_migration_cost_ns": "100000"},
  "online_cpus": 2, "numa_nodes": 1,
  "cpufreq_governor": {"0": "performance", "1": "powersave"},
  "kernel_name": "Linux", "kernel_release": "6.1.0-test", "arch": "x86_64",
  "kernel_cmdline": "root=/dev/sda1 quiet",
  "task_delayacct": "runtime_off", "config_task_xacct": "on"
}'

RUSAGE='{"user_seconds": 0.011, "system_seconds": 0.002, "max_rss_kib": 1234,
  "minor_faults": 120, "major_faults": 0, "voluntary_context_switches": 3,
  "involuntary_context_switches": 1, "block_input_ops": 0, "block_output_ops": 8}'

COMMAND='{"argv": ["sh", "-c", "echo hi; exit 3"], "cwd": "/tmp/work dir"}'
TOOL='{"name": "hostctx-run", "version": "0.1.0"}'

write_fixtures() {
	local d=$1
	mkdir -p "$d"
	printf '%s\n' "$PRE" >"$d/pre.json"
	printf '%s\n' "$POST" >"$d/post.json"
	cat >"$d/complete.json" <<-EOF
	{"schema": "hostctx-sidecar/1", "tool": $TOOL, "mode": "wrapper",
	 "complete": true, "command": $COMMAND,
	 "run": {"started_at": "2026-11-26T09:00:00.123Z",
	         "ended_at": "2026-11-26T09:00:01.357Z", "wall_seconds": 1.234,
	         "exit": {"code": 3}, "rusage": $RUSAGE},
	 "pre": $PRE, "post": $POST,
	 "changes": [
	   {"field": "cpu_vendor", "before": "GenuineIntel", "after": null},
	   {"field": "hugepages_free", "before": 0, "after": 5},
	   {"field": "thp_enabled", "before": "always [madvise] never", "after": "[always] madvise never"},
	   {"field": "cpufreq_governor.cpu1", "before": "performance", "after": "powersave"},
	   {"field": "sched_tunables.sched_migration_cost_ns", "before": "500000", "after": "100000"}]}
	EOF
	cat >"$d/same.json" <<-EOF
	{"schema": "hostctx-sidecar/1", "tool": $TOOL, "mode": "wrapper",
	 "complete": true, "command": {"argv": ["true"], "cwd": "/"},
	 "run": {"started_at": "2026-11-26T09:00:00.000Z",
	         "ended_at": "2026-11-26T09:00:00.001Z", "wall_seconds": 0.001,
	         "exit": {"code": 0}, "rusage": $RUSAGE},
	 "pre": $PRE, "post": $PRE, "changes": []}
	EOF
	cat >"$d/inprogress.json" <<-EOF
	{"schema": "hostctx-sidecar/1", "tool": $TOOL, "mode": "wrapper",
	 "complete": false, "command": $COMMAND,
	 "run": {"started_at": "2026-11-26T09:00:00.123Z"},
	 "pre": $PRE}
	EOF
	cat >"$d/execerror.json" <<-EOF
	{"schema": "hostctx-sidecar/1", "tool": $TOOL, "mode": "wrapper",
	 "complete": true, "command": {"argv": ["/no/such/program", "-x"], "cwd": "/"},
	 "run": {"started_at": "2026-11-26T09:00:00.123Z",
	         "ended_at": "2026-11-26T09:00:00.124Z", "wall_seconds": 0.001,
	         "exec_error": "ENOENT"},
	 "pre": $PRE}
	EOF
	cat >"$d/signal.json" <<-EOF
	{"schema": "hostctx-sidecar/1", "tool": $TOOL, "mode": "wrapper",
	 "complete": true, "command": {"argv": ["./crash"], "cwd": "/"},
	 "run": {"started_at": "2026-11-26T09:00:00.123Z",
	         "ended_at": "2026-11-26T09:00:00.200Z", "wall_seconds": 0.077,
	         "exit": {"signal": 11, "signal_name": "SIGSEGV", "core_dumped": true},
	         "rusage": $RUSAGE, "rusage_children": $RUSAGE,
	         "descendants_left": 2},
	 "pre": $PRE, "post": $PRE, "changes": []}
	EOF
	# preload mode: post has heap_state, pre does not; nothing else differs
	python3 - "$d" <<-'EOF'
	import json, sys
	d = sys.argv[1]
	sc = json.load(open(d + "/same.json"))
	sc["mode"] = "preload"
	sc["post"]["heap_state"] = {"active_bytes": 4096, "allocated_bytes": 2048,
	                            "resident_bytes": 8192, "mapped_bytes": 16384,
	                            "narenas": 1}
	json.dump(sc, open(d + "/heap.json", "w"))
	# a snapshot without sched_tunables: the whole map is one change
	snap = json.load(open(d + "/pre.json"))
	del snap["sched_tunables"]
	json.dump(snap, open(d + "/notunables.json", "w"))
	# a reference (ktstr) sidecar: its "host" object reads as a snapshot
	json.dump({"test_name": "x", "passed": True, "host": snap},
	          open(d + "/reference.json", "w"))
	EOF
}

# What `diff A B` prints for two files with nothing different, and for
# pre.json against post.json (docs/hostctx.1, "diff").
SAME_FILES='identity: same machine type
instance: same boot
config: same
telemetry: same'
PRE_POST_FILES='identity: different machines: cpu_vendor (config differences below may be expected)
  cpu_vendor   GenuineIntel → (absent)
instance: same boot
config: 3 differences
  thp_enabled                              always [madvise] never → [always] madvise never
  cpufreq_governor.cpu1                    performance → powersave
  sched_tunables.sched_migration_cost_ns   500000 → 100000
telemetry: 1 field differs (--all to list)'

setup_file() {
	export FX="$BATS_FILE_TMPDIR/fx"
	write_fixtures "$FX"
}

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ]
	unset HOSTCTX_ROOT
	T=$BATS_TEST_TMPDIR
}

# ---- help, version, usage errors ------------------------------------------

@test "--help and -h print usage on stdout, exit 0" {
	for opt in --help -h; do
		run --separate-stderr hx "$opt"
		show_run
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[[ $output == *"Usage: hostctx"* ]]
		[[ $output == *snapshot* && $output == *show* && $output == *diff* ]]
	done
}

@test "each subcommand has --help on stdout, exit 0" {
	for sub in snapshot show diff check junit export report; do
		run --separate-stderr hx "$sub" --help
		show_run
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[[ $output == "Usage: hostctx $sub"* ]]
	done
}

@test "--version and -V print 'hostctx VERSION'" {
	want=$(sed -n 's/^#define HOSTCTX_VERSION "\(.*\)"/\1/p' "$TESTS_DIR/../include/hostctx.h")
	[ -n "$want" ]
	for opt in --version -V; do
		run --separate-stderr hx "$opt"
		show_run
		[ "$status" -eq 0 ]
		[ "$output" = "hostctx $want" ]
		[ -z "$stderr" ]
	done
}

@test "no subcommand, unknown subcommand, unknown options: usage error, exit 2" {
	run --separate-stderr hx
	assert_usage_error
	run --separate-stderr hx frobnicate
	assert_usage_error
	[[ ${stderr_lines[0]} == *frobnicate* ]]
	run --separate-stderr hx --bogus
	assert_usage_error
	[[ ${stderr_lines[0]} == *--bogus* ]]
	run --separate-stderr hx snapshot --bogus
	assert_usage_error
	run --separate-stderr hx diff --nope "$FX/pre.json" "$FX/post.json"
	assert_usage_error
	run --separate-stderr hx show -x "$FX/pre.json"
	assert_usage_error
}

@test "an unknown option of a subcommand names the subcommand" {
	run --separate-stderr hx snapshot --bogus
	assert_usage_error
	[ "${stderr_lines[0]}" = "hostctx: snapshot: unrecognized option '--bogus'" ]
	run --separate-stderr hx show -x "$FX/pre.json"
	assert_usage_error
	[ "${stderr_lines[0]}" = "hostctx: show: invalid option -- 'x'" ]
	run --separate-stderr hx diff --nope "$FX/pre.json"
	assert_usage_error
	[[ ${stderr_lines[0]} == "hostctx: diff: "*--nope* ]]
	run --separate-stderr hx snapshot --root
	assert_usage_error
	[ "${stderr_lines[0]}" = "hostctx: snapshot: option '--root' requires an argument" ]
	run --separate-stderr hx diff -i
	assert_usage_error
	[ "${stderr_lines[0]}" = "hostctx: diff: option requires an argument -- 'i'" ]
}

@test "wrong number of operands: usage error, exit 2" {
	run --separate-stderr hx snapshot extra
	assert_usage_error
	run --separate-stderr hx show
	assert_usage_error
	run --separate-stderr hx diff
	assert_usage_error
	run --separate-stderr hx diff "$FX/pre.json" "$FX/post.json" "$FX/pre.json"
	assert_usage_error
	run --separate-stderr hx diff --ignore
	assert_usage_error
}

@test "options may follow operands; -- ends the options" {
	run --separate-stderr hx diff "$FX/pre.json" "$FX/post.json" --json
	show_run
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c 'import json, sys; assert isinstance(json.load(sys.stdin), list)'

	cp "$FX/pre.json" "$T/--json"
	cd "$T"
	run --separate-stderr hx show -- --json
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *"kernel_name: Linux"* ]]
	run --separate-stderr hx diff -- --json "$FX/pre.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$output" = "$SAME_FILES" ]
}

# ---- snapshot --------------------------------------------------------------

@test "snapshot: valid JSON, kernel_name Linux, online_cpus as getconf says" {
	run --separate-stderr hx snapshot
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/s.json"
	[ "$(json_get "$T/s.json" 'd["kernel_name"]')" = Linux ]
	[ "$(json_get "$T/s.json" 'd["online_cpus"]')" = "$(getconf _NPROCESSORS_ONLN)" ]
	[ "$(json_get "$T/s.json" 'd["kernel_release"]')" = "$(uname -r)" ]
	[ "$(json_get "$T/s.json" 'd["arch"]')" = "$(uname -m)" ]
	[ "$(json_get "$T/s.json" 'type(d["task_delayacct"]).__name__')" = str ]
	[ "$(json_get "$T/s.json" 'type(d["config_task_xacct"]).__name__')" = str ]
}

@test "snapshot --human: every field label, in the reference order" {
	run --separate-stderr hx snapshot --human
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# the reference's fields come first, up to the first blank line; the
	# fields beyond it follow under [group] headings
	labels=$(printf '%s\n' "$output" | sed '/^$/q' | grep -o '^[a-z_]*:' | tr '\n' ' ')
	# heap_state is printed only when present: never in a host snapshot
	want="kernel_name: kernel_release: arch: cpu_model: cpu_vendor: total_memory_kib: hugepages_total: hugepages_free: hugepages_size_kib: online_cpus: numa_nodes: thp_enabled: thp_defrag: kernel_cmdline: task_delayacct: config_task_xacct: cpufreq_governor: sched_tunables: "
	echo "labels: $labels"
	[ "$labels" = "$want" ]
	[[ $output == *"kernel_name: Linux"* ]]
	[[ $output == *$'\n\n[boot]\nboot_id: '* ]]
	# the report ends with a newline (bats strips it from $output)
	hx snapshot --human >"$T/h.txt"
	[ -s "$T/h.txt" ]
	[ -z "$(tail -c 1 "$T/h.txt")" ]
}

@test "snapshot: HOSTCTX_ROOT is the default root and --root wins" {
	run --separate-stderr env HOSTCTX_ROOT=/nonexistent/root ${EXEC_PREFIX:-} "$HOSTCTX" snapshot
	assert_trouble_naming /nonexistent/root
	run --separate-stderr env HOSTCTX_ROOT=/nonexistent/root ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --root=/
	show_run
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/s.json"
	[ "$(json_get "$T/s.json" 'd["kernel_name"]')" = Linux ]
}

@test "snapshot: a root that cannot be opened is one line, exit 2" {
	run --separate-stderr hx snapshot --root=/nonexistent/root
	assert_trouble_naming /nonexistent/root
	: >"$T/plainfile"
	run --separate-stderr hx snapshot --root="$T/plainfile"
	assert_trouble_naming "$T/plainfile"
	run --separate-stderr hx snapshot --root=
	assert_usage_error
}

@test "snapshot: an empty root gives only the never-omitted fields" {
	mkdir "$T/empty"
	run --separate-stderr hx snapshot --root="$T/empty"
	show_run
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/s.json"
	[ "$(json_get "$T/s.json" 'sorted(d)')" = "['config_task_xacct', 'task_delayacct']" ]
}

# Copy this host's own sources into a tree, by content (no symlinks).
copy_host_tree() {
	local r=$1 f n
	mkdir -p "$r/proc/sys/kernel" "$r/sys/kernel/mm/transparent_hugepage" \
		"$r/sys/devices/system/cpu" "$r/sys/devices/system/node"
	for f in cpuinfo meminfo cmdline; do
		cat "/proc/$f" >"$r/proc/$f"
	done
	for f in /proc/sys/kernel/sched_* /proc/sys/kernel/task_delayacct \
		/proc/sys/kernel/ostype /proc/sys/kernel/osrelease /proc/sys/kernel/arch; do
		[ -f "$f" ] && [ -r "$f" ] || continue
		cat "$f" >"$r${f}"
	done
	if [ -e /proc/config.gz ]; then
		cat /proc/config.gz >"$r/proc/config.gz"
	fi
	for f in enabled defrag; do
		f=/sys/kernel/mm/transparent_hugepage/$f
		[ -e "$f" ] && cat "$f" >"$r$f"
	done
	cat /sys/devices/system/cpu/online >"$r/sys/devices/system/cpu/online"
	for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do
		[ -e "$f" ] || continue
		mkdir -p "$r$(dirname "$f")"
		cat "$f" >"$r$f"
	done
	for f in /sys/devices/system/node/node[0-9]*/cpulist; do
		[ -e "$f" ] || continue
		mkdir -p "$r$(dirname "$f")"
		cat "$f" >"$r$f"
	done
	copy_beyond_sources "$r"
	! find "$r" -type l | grep -q .
}

# The sources of the fields beyond the reference, by group; a directory
# is copied with the regular files directly in it.
copy_beyond_sources() {
	local r=$1 f
	for f in \
		/proc/sys/kernel/random/boot_id /proc/uptime \
		/proc/sys/kernel/{randomize_va_space,numa_balancing,perf_event_paranoid} \
		/proc/sys/kernel/{perf_event_max_sample_rate,nmi_watchdog,timer_migration} \
		/proc/sys/vm/{swappiness,overcommit_memory,zone_reclaim_mode,dirty_ratio} \
		/proc/sys/vm/{dirty_background_ratio,stat_interval,compaction_proactiveness} \
		/sys/devices/system/cpu/{isolated,nohz_full,smt/control,smt/active} \
		/sys/devices/system/clocksource/clocksource0/{current,available}_clocksource \
		/sys/devices/system/cpu/vulnerabilities/* \
		/proc/loadavg /sys/class/power_supply/*/{type,online} \
		/etc/os-release /sys/hypervisor/type /proc/sysinfo \
		/proc/stat /proc/vmstat /proc/pressure/{cpu,memory,io,irq} \
		/sys/devices/system/cpu/cpu[0-9]*/cache/index[0-9]*/{level,type,size,shared_cpu_list} \
		/sys/devices/system/cpu/cpu[0-9]*/cache/index[0-9]*/{ways_of_associativity,coherency_line_size} \
		/sys/devices/system/cpu/cpuidle/{current_driver,current_governor_ro,current_governor} \
		/sys/devices/system/cpu/cpufreq/boost /sys/devices/system/cpu/{intel,amd}_pstate/* \
		/sys/devices/system/cpu/cpu[0-9]*/cpufreq/{scaling_driver,scaling_min_freq} \
		/sys/devices/system/cpu/cpu[0-9]*/cpufreq/{scaling_max_freq,cpuinfo_max_freq} \
		/sys/devices/system/cpu/cpu[0-9]*/cpufreq/energy_performance_preference \
		/sys/class/dmi/id/{sys_vendor,product_name,product_family,bios_vendor,bios_version,bios_date}; do
		[ -f "$f" ] && [ -r "$f" ] || continue
		mkdir -p "$r$(dirname "$f")"
		cat "$f" >"$r$f"
	done
	# the directories themselves, where a field tells empty from missing
	for f in /sys/devices/system/cpu/vulnerabilities /sys/class/power_supply; do
		[ -d "$f" ] && mkdir -p "$r$f"
	done
}

@test "snapshot --root of a copy of this host's files equals the live snapshot" {
	run --separate-stderr hx snapshot
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/live1.json"
	copy_host_tree "$T/root"
	run --separate-stderr hx snapshot --root="$T/root"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/copy.json"
	run --separate-stderr hx snapshot
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/live2.json"

	python3 - "$T/live1.json" "$T/live2.json" "$T/copy.json" <<-'EOF'
	import json, sys
	live1, live2, copy = (json.load(open(p)) for p in sys.argv[1:])
	# the comparison must not be vacuous
	for key in ("kernel_name", "kernel_release", "arch", "online_cpus",
	            "numa_nodes", "total_memory_kib", "kernel_cmdline",
	            "sched_tunables", "task_delayacct", "config_task_xacct"):
	    assert key in live1, "live snapshot lacks " + key
	# hugepage counters and the gauges may move between the reads;
	# nothing else may
	volatile = {"hugepages_free", "hugepages_total", "uptime_seconds",
	            "mem_available_kib", "swap_free_kib", "load_avg_1min",
	            "load_avg_5min", "load_avg_15min", "tasks_runnable",
	            "tasks_total", "cpu_time_ticks", "context_switches",
	            "processes_forked", "interrupts", "softirqs", "procs_running",
	            "procs_blocked", "vmstat", "pressure", "thermal_throttle"}
	# live-only fields: never in a copy
	live_only = {"user_hz", "process", "cgroup", "cgroup_cpu_stat"}
	bad = []
	for key in sorted(set(live1) | set(live2) | set(copy)):
	    a, b, c = live1.get(key), live2.get(key), copy.get(key)
	    if key in volatile and key in live1 and key in live2 and key in copy:
	        continue
	    if key in live_only and a is not None and c is None:
	        continue
	    # the cpuid probe runs on the live system only: a copy answers
	    # from its files (on this VM: the cpuinfo flag)
	    if key in ("hypervisor", "hypervisor_source") and a == b and (key in copy) == (key in live1):
	        continue
	    if key in {"hugepages_free", "hugepages_total"} and a != b:
	        continue
	    if not (a == b == c):
	        bad.append("%s: live %r / %r, copy %r" % (key, a, b, c))
	if bad:
	    sys.exit("\n".join(bad))
	EOF
}

@test "snapshot: a write error on stdout is reported, exit 2" {
	run --separate-stderr bash -c '${EXEC_PREFIX:-} "$HOSTCTX" snapshot >/dev/full'
	show_run
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: "*"write error"* ]]
	run --separate-stderr bash -c '${EXEC_PREFIX:-} "$HOSTCTX" --help >/dev/full'
	show_run
	[ "$status" -eq 2 ]
	run --separate-stderr bash -c '${EXEC_PREFIX:-} "$HOSTCTX" diff --json "$FX/complete.json" >/dev/full'
	show_run
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: "*"write error"* ]]
	run --separate-stderr bash -c '${EXEC_PREFIX:-} "$HOSTCTX" snapshot >&-'
	show_run
	[ "$status" -eq 2 ]
}

@test "snapshot output reads back: show it, diff it with itself" {
	hx snapshot >"$T/s.json"
	run --separate-stderr hx show "$T/s.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == "kernel_name: Linux"* ]]
	run --separate-stderr hx diff "$T/s.json" "$T/s.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$output" = "$SAME_FILES" ]
	[ -z "$stderr" ]
}

# ---- show ------------------------------------------------------------------

@test "show: a snapshot file is the report alone" {
	run --separate-stderr hx show "$FX/pre.json"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = "kernel_name: Linux" ]
	[[ $output == *$'\nkernel_release: 6.1.0-test\n'* ]]
	[[ $output == *$'\ncpu_model: Test CPU @ 2.00GHz\n'* ]]
	[[ $output == *$'\n  sched_migration_cost_ns = 500000'* ]]
	[[ $output == *$'\n  cpu1 = performance'* ]]
	[[ $output != *"pre:"* && $output != *"changes:"* ]]
	# standard input too
	run --separate-stderr hx show - <"$FX/pre.json"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "kernel_name: Linux" ]
}

@test "show: a reference sidecar's host object reads as a snapshot" {
	run --separate-stderr hx show "$FX/reference.json"
	show_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "kernel_name: Linux" ]
	[[ $output == *$'\nsched_tunables: (unknown)'* ]]
}

@test "show: a complete record has header, pre, post and changes" {
	run --separate-stderr hx show "$FX/complete.json"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output == *"hostctx-sidecar/1"* ]]
	[[ $output == *wrapper* ]]
	[[ $output == *"hostctx-run 0.1.0"* ]]
	[[ $output == *complete* && $output != *"in progress"* ]]
	[[ $output == *"sh -c 'echo hi; exit 3'"* ]]
	[[ $output == *"'/tmp/work dir'"* ]]
	[[ $output == *"2026-11-26T09:00:00.123Z"* ]]
	[[ $output == *"2026-11-26T09:00:01.357Z"* ]]
	[[ $output == *"1.234"* ]]
	[[ $output == *"code 3"* ]]
	[[ $output == *"1234 KiB"* ]]
	[[ $output == *$'\npre:\n  kernel_name: Linux\n'* ]]
	[[ $output == *$'\npost:\n  kernel_name: Linux\n'* ]]
	[[ $output == *$'\n    sched_migration_cost_ns = 500000'* ]]
	[[ $output == *$'\n    sched_migration_cost_ns = 100000'* ]]
	[[ $output == *$'\nchanges:\n'* ]]
	[[ $output == *$'\n  thp_enabled: always [madvise] never → [always] madvise never'* ]]
	[[ $output == *$'\n  sched_tunables.sched_migration_cost_ns: 500000 → 100000'* ]]
	[[ $output == *$'\n  cpufreq_governor.cpu1: performance → powersave'* ]]
	# pre comes before post, post before changes
	pre=$(printf '%s\n' "$output" | grep -n '^pre:' | cut -d: -f1)
	post=$(printf '%s\n' "$output" | grep -n '^post:' | cut -d: -f1)
	changes=$(printf '%s\n' "$output" | grep -n '^changes:' | cut -d: -f1)
	[ "$pre" -lt "$post" ] && [ "$post" -lt "$changes" ]
}

@test "show: identical pre and post say 'changes: none'" {
	run --separate-stderr hx show "$FX/same.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *$'\nchanges: none'* ]]
	[[ $output == *"code 0"* ]]
}

@test "show: an in-progress record says so and has no post" {
	run --separate-stderr hx show "$FX/inprogress.json"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output == *"in progress (incomplete record)"* ]]
	[[ $output == *$'\npre:\n  kernel_name: Linux\n'* ]]
	[[ $output != *$'\npost:\n'* ]]
	[[ $output != *"code "* ]]
	[[ $output != *"ended"* ]]
}

@test "show: a record whose command could not start shows exec_error" {
	run --separate-stderr hx show "$FX/execerror.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *"exec_error"*"ENOENT"* ]]
	[[ $output == *"/no/such/program -x"* ]]
	[[ $output != *$'\npost:\n'* ]]
}

@test "show: a record of a command killed by a signal names it" {
	run --separate-stderr hx show "$FX/signal.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *"signal 11 (SIGSEGV), core dumped"* ]]
	[[ $output != *"code "* ]]
	[[ $output == *$'\ndescendants_left: '*2* ]]
	[ "$(printf '%s\n' "$output" | grep -c '1234 KiB')" -eq 2 ]
}

# ---- diff ------------------------------------------------------------------

@test "diff FILE: pre vs post of a record, library lines, exit 1" {
	run --separate-stderr hx diff "$FX/complete.json"
	show_run
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	want=$(printf '%s\n' \
		"  cpu_vendor: GenuineIntel → (unknown)" \
		"  hugepages_free: 0 → 5" \
		"  thp_enabled: always [madvise] never → [always] madvise never" \
		"  cpufreq_governor.cpu1: performance → powersave" \
		"  sched_tunables.sched_migration_cost_ns: 500000 → 100000")
	[ "$output" = "$want" ]
}

@test "diff FILE: identical pre and post, no output, exit 0" {
	run --separate-stderr hx diff "$FX/same.json"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "diff A B: snapshots, and records standing for their post" {
	run --separate-stderr hx diff "$FX/pre.json" "$FX/post.json"
	show_run
	[ "$status" -eq 1 ]
	[ "$output" = "$PRE_POST_FILES" ]
	# complete.json's post is post.json (a record beside a reference
	# snapshot: the fields they both have are the same)
	run --separate-stderr hx diff "$FX/complete.json" "$FX/post.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$output" = "$SAME_FILES" ]
	# same.json's post is pre.json
	run --separate-stderr hx diff "$FX/same.json" "$FX/complete.json"
	show_run
	[ "$status" -eq 1 ]
	[ "$output" = "$PRE_POST_FILES" ]
	run --separate-stderr hx diff "$FX/signal.json" "$FX/pre.json"
	[ "$status" -eq 0 ]
}

@test "diff --json: the changes array, exact values" {
	run --separate-stderr hx diff --json "$FX/complete.json"
	show_run
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
got = json.load(sys.stdin)
want = [
    {"field": "cpu_vendor", "class": "identity", "before": "GenuineIntel", "after": None},
    {"field": "hugepages_free", "class": "telemetry", "before": 0, "after": 5},
    {"field": "thp_enabled", "class": "config", "before": "always [madvise] never",
     "after": "[always] madvise never"},
    {"field": "cpufreq_governor.cpu1", "class": "config", "before": "performance",
     "after": "powersave"},
    {"field": "sched_tunables.sched_migration_cost_ns", "class": "config",
     "before": "500000", "after": "100000"},
]
assert got == want, got
# integers stay integers
assert type(got[1]["after"]) is int
'
	run --separate-stderr hx diff --json "$FX/same.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin))')" = "[]" ]
}

@test "diff --json: a map on one side only is one change holding the map" {
	run --separate-stderr hx diff --json "$FX/notunables.json" "$FX/pre.json"
	show_run
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
got = json.load(sys.stdin)
assert got == [{"field": "sched_tunables", "class": "config", "before": None,
                "after": {"sched_autogroup_enabled": "1",
                          "sched_migration_cost_ns": "500000"}}], got
'
	run --separate-stderr hx diff "$FX/notunables.json" "$FX/pre.json"
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "config: 1 difference" ]
	[ "${lines[3]}" = "  sched_tunables   (absent) → (2 entries)" ]
}

@test "diff --ignore: drops matching fields, exit 0 when all are ignored" {
	run --separate-stderr hx diff --ignore='sched_tunables.*' --ignore=thp_enabled "$FX/complete.json"
	show_run
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output != *sched_tunables* && $output != *thp_enabled* ]]
	[[ $output == *cpufreq_governor.cpu1* ]]

	run --separate-stderr hx diff --json -i 'hugepages_*' "$FX/complete.json"
	show_run
	[ "$status" -eq 1 ]
	fields=$(printf '%s\n' "$output" | python3 -c 'import json,sys; print(" ".join(c["field"] for c in json.load(sys.stdin)))')
	[ "$fields" = "cpu_vendor thp_enabled cpufreq_governor.cpu1 sched_tunables.sched_migration_cost_ns" ]

	run --separate-stderr hx diff "$FX/complete.json" --ignore='sched_tunables.*' \
		--ignore=thp_enabled --ignore='cpufreq_governor.*' --ignore='hugepages_*' \
		--ignore=cpu_vendor
	show_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr hx diff --json --ignore='*' "$FX/pre.json" "$FX/post.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin))')" = "[]" ]
}

@test "diff: heap_state may show but never sets the status" {
	run --separate-stderr hx diff "$FX/heap.json"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr hx diff --json "$FX/heap.json"
	show_run
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin))')" = "[]" ]
	run --separate-stderr hx diff --ignore='heap_state*' "$FX/heap.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr hx show "$FX/heap.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *$'\n  heap_state:'* ]]
	[[ $output == *$'\nchanges: none'* ]]
}

@test "diff: records without post, and a lone snapshot, are trouble" {
	run --separate-stderr hx diff "$FX/inprogress.json"
	assert_trouble_naming "$FX/inprogress.json"
	[[ ${stderr_lines[0]} == *"no post snapshot (incomplete)"* ]]
	run --separate-stderr hx diff "$FX/inprogress.json" "$FX/pre.json"
	assert_trouble_naming "$FX/inprogress.json"
	run --separate-stderr hx diff "$FX/pre.json" "$FX/inprogress.json"
	assert_trouble_naming "$FX/inprogress.json"
	run --separate-stderr hx diff "$FX/execerror.json"
	assert_trouble_naming "$FX/execerror.json"
	[[ ${stderr_lines[0]} == *"no post snapshot"* ]]
	run --separate-stderr hx diff "$FX/pre.json"
	assert_trouble_naming "$FX/pre.json"
}

@test "diff: process substitution (pipes) works" {
	run --separate-stderr bash -c '${EXEC_PREFIX:-} "$HOSTCTX" diff <(cat "$FX/pre.json") <(cat "$FX/post.json")'
	show_run
	[ "$status" -eq 1 ]
	[ "$output" = "$PRE_POST_FILES" ]
}

# ---- trouble: every bad input is one line naming the file, exit 2 ----------

# Run show, diff FILE and diff A B (bad on either side) on $1.
assert_bad_input() {
	local bad=$1 name=${2:-$1}
	run --separate-stderr hx show "$bad"
	assert_trouble_naming "$name"
	run --separate-stderr hx diff "$bad"
	assert_trouble_naming "$name"
	run --separate-stderr hx diff "$bad" "$FX/pre.json"
	assert_trouble_naming "$name"
	run --separate-stderr hx diff --json "$FX/pre.json" "$bad"
	assert_trouble_naming "$name"
}

@test "trouble: missing file" {
	assert_bad_input "$T/does-not-exist.json"
}

@test "trouble: a directory" {
	mkdir "$T/adir"
	assert_bad_input "$T/adir"
}

@test "trouble: an unreadable file" {
	# root reads anything: as root, run as nobody (a normal user is one)
	local as_user=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv not installed"
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	d=$(mktemp -d /tmp/hostctx-cli.XXXXXX)
	chmod 0755 "$d"
	cp "$FX/pre.json" "$d/secret.json"
	chmod 000 "$d/secret.json"
	run --separate-stderr "${as_user[@]}" \
		${EXEC_PREFIX:-} "$HOSTCTX" show "$d/secret.json"
	rm -rf "$d"
	assert_trouble_naming "$d/secret.json"
	[[ ${stderr_lines[0]} == *"ermission denied"* ]]
}

@test "trouble: a named FIFO is not a regular file, and never blocks" {
	mkfifo "$T/fifo.json"
	# no writer at all
	assert_bad_input "$T/fifo.json"
	[[ ${stderr_lines[0]} == *"not a regular file"* ]]
	# a writer that holds the FIFO open and never writes
	local writer
	exec {writer}<>"$T/fifo.json"
	run --separate-stderr timeout 20 ${EXEC_PREFIX:-} "$HOSTCTX" show "$T/fifo.json"
	exec {writer}>&-
	assert_trouble_naming "$T/fifo.json"
	[[ ${stderr_lines[0]} == *"not a regular file"* ]]
}

@test "trouble: a device is not a regular file" {
	assert_bad_input /dev/null
	[[ ${stderr_lines[0]} == "hostctx: /dev/null: not a regular file" ]]
}

@test "trouble: an empty file" {
	: >"$T/empty.json"
	assert_bad_input "$T/empty.json"
}

@test "trouble: not JSON" {
	echo 'hello, world' >"$T/text.json"
	assert_bad_input "$T/text.json"
	[[ ${stderr_lines[0]} == *"not JSON"* ]]
}

@test "trouble: truncated JSON" {
	head -c 700 "$FX/complete.json" >"$T/truncated.json"
	assert_bad_input "$T/truncated.json"
	head -c 100 "$FX/pre.json" >"$T/truncated2.json"
	assert_bad_input "$T/truncated2.json"
}

@test "trouble: binary garbage" {
	head -c 4096 /dev/urandom >"$T/garbage.bin"
	assert_bad_input "$T/garbage.bin"
	# a NUL after a valid object is not a valid file either
	{ cat "$FX/pre.json"; printf '\0\1\2'; } >"$T/nul.json"
	assert_bad_input "$T/nul.json"
}

@test "trouble: unknown schema" {
	sed 's|hostctx-sidecar/1|hostctx-sidecar/99|' "$FX/complete.json" >"$T/schema.json"
	assert_bad_input "$T/schema.json"
	[[ ${stderr_lines[0]} == *schema* ]]
}

@test "trouble: a known key with the wrong JSON type" {
	echo '{"online_cpus": "x"}' >"$T/type.json"
	assert_bad_input "$T/type.json"
	[[ ${stderr_lines[0]} == *online_cpus* ]]
	python3 -c '
import json, sys
sc = json.load(open(sys.argv[1]))
sc["complete"] = "yes"
json.dump(sc, open(sys.argv[2], "w"))' "$FX/complete.json" "$T/type2.json"
	assert_bad_input "$T/type2.json"
	python3 -c '
import json, sys
sc = json.load(open(sys.argv[1]))
sc["pre"]["sched_tunables"] = ["a"]
json.dump(sc, open(sys.argv[2], "w"))' "$FX/complete.json" "$T/type3.json"
	assert_bad_input "$T/type3.json"
}

@test "trouble: a top-level array or scalar" {
	echo '[1, 2]' >"$T/array.json"
	assert_bad_input "$T/array.json"
	echo '42' >"$T/number.json"
	assert_bad_input "$T/number.json"
}

@test "trouble: a file name with a newline stays one line" {
	f="$T/bad"$'\n'"name.json"
	echo 'nope' >"$f"
	run --separate-stderr hx show "$f"
	show_run
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: "*bad*name.json* ]]
}

@test "trouble: standard input that is not JSON" {
	run --separate-stderr hx show - <<<'not json'
	assert_trouble_naming "standard input"
}

# ---- the man page ------------------------------------------------------------

@test "man page: renders without groff warnings, covers every subcommand" {
	command -v groff >/dev/null || skip "groff not installed"
	page="$TESTS_DIR/../docs/hostctx.1"
	run groff -man -Tutf8 -ww -z "$page"
	show_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	text=$(groff -man -Tutf8 "$page" 2>/dev/null | sed 's/.\x08//g')
	for word in snapshot show diff junit export report --by=FIELD hostctx.governor --root --human --json --ignore HOSTCTX_ROOT \
		"EXIT STATUS" "hostctx-run(1)" "libhostctx-preload(7)"; do
		[[ $text == *"$word"* ]] || { echo "missing: $word"; false; }
	done
}

# ---- --fields and --redact ---------------------------------------------

SEED_KEYS="arch config_task_xacct cpu_model cpu_vendor cpufreq_governor hugepages_free hugepages_size_kib hugepages_total kernel_cmdline kernel_name kernel_release numa_nodes online_cpus sched_tunables task_delayacct thp_defrag thp_enabled total_memory_kib"

@test "snapshot --fields=seed: exactly the reference's fields; HOSTCTX_FIELDS is the default, the option wins" {
	mkdir -p "$T/r/proc/sys/kernel/random"
	printf 'ro\n' >"$T/r/proc/cmdline"
	printf 'd3ff9617-c8bc-487a-b3fe-ff463eae3227\n' >"$T/r/proc/sys/kernel/random/boot_id"
	run --separate-stderr hx snapshot --fields=seed
	show_run
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/seed.json"
	got=$(json_get "$T/seed.json" '" ".join(sorted(d))')
	# sched_tunables and cpufreq_governor are omitted where the host lacks them
	for k in $got; do [[ " $SEED_KEYS " == *" $k "* ]]; done
	[ "$(json_get "$T/seed.json" '"boot_id" in d')" = False ]
	run --separate-stderr env HOSTCTX_FIELDS=seed ${EXEC_PREFIX:-} "$HOSTCTX" snapshot
	printf '%s\n' "$output" >"$T/env.json"
	[ "$(json_get "$T/env.json" '" ".join(sorted(d))')" = "$got" ]
	# the option beats the variable; groups combine
	run --separate-stderr env HOSTCTX_FIELDS=seed ${EXEC_PREFIX:-} "$HOSTCTX" snapshot \
		--root="$T/r" --fields=boot,kernel
	show_run
	printf '%s\n' "$output" >"$T/two.json"
	[ "$(json_get "$T/two.json" '" ".join(sorted(d))')" = "boot_id kernel_cmdline" ]
}

@test "snapshot --fields: an unknown group is a usage error; --fields=help lists the groups" {
	run --separate-stderr hx snapshot --fields=seed,nosuch
	assert_usage_error
	[[ ${stderr_lines[0]} == *"nosuch"* ]]
	run --separate-stderr env HOSTCTX_FIELDS=nosuch ${EXEC_PREFIX:-} "$HOSTCTX" snapshot
	assert_usage_error
	run --separate-stderr hx snapshot --fields=help
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *$'\nboot        boot_id uptime_seconds\n'* ]]
	[[ $output == *$'\nseed '* && $output == *$'\nall '* ]]
	# every group named there is accepted
	for g in $(printf '%s\n' "$output" | awk '{print $1}'); do
		hx snapshot --fields="$g" >/dev/null
	done
}

@test "snapshot --redact and HOSTCTX_REDACT=1: no boot_id, microcode or vulnerabilities; secrets out of the command line; listed" {
	mkdir -p "$T/r/proc/sys/kernel/random" "$T/r/sys/devices/system/cpu/vulnerabilities"
	printf 'root=UUID=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f10 ro quiet -- --addr 10.0.0.1\n' \
		>"$T/r/proc/cmdline"
	printf 'd3ff9617-c8bc-487a-b3fe-ff463eae3227\n' >"$T/r/proc/sys/kernel/random/boot_id"
	printf 'processor\t: 0\nmicrocode\t: 0x1000065\n\n' >"$T/r/proc/cpuinfo"
	printf 'Vulnerable\n' >"$T/r/sys/devices/system/cpu/vulnerabilities/spec_store_bypass"
	for how in "--redact" "HOSTCTX_REDACT=1"; do
		if [ "$how" = --redact ]; then
			run --separate-stderr hx snapshot --root="$T/r" --redact
		else
			run --separate-stderr env HOSTCTX_REDACT=1 ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --root="$T/r"
		fi
		show_run
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		printf '%s\n' "$output" >"$T/red.json"
		[ "$(json_get "$T/red.json" 'd["kernel_cmdline"]')" = "root=<redacted> ro quiet" ]
		[ "$(json_get "$T/red.json" '",".join(d["redacted"])')" = \
			"kernel_cmdline,boot_id,cpu_vulnerabilities,cpu_microcode" ]
		! grep -q -e 0x1000065 -e d3ff9617 -e Vulnerable -e 10.0.0.1 "$T/red.json"
	done
	# without it everything is there
	run --separate-stderr env HOSTCTX_REDACT=0 ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --root="$T/r"
	printf '%s\n' "$output" >"$T/plain.json"
	grep -q 0x1000065 "$T/plain.json"
	grep -q d3ff9617 "$T/plain.json"
	[ "$(json_get "$T/plain.json" '"redacted" in d')" = False ]
	# the report names them under its own heading
	run --separate-stderr hx snapshot --root="$T/r" --redact --human
	[[ $output == *$'[redaction]\nredacted: kernel_cmdline, boot_id, cpu_vulnerabilities, cpu_microcode'* ]]
	# a redacted snapshot reads back: show prints the same report
	hx snapshot --root="$T/r" --redact >"$T/red.json"
	run --separate-stderr hx show "$T/red.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *"redacted: kernel_cmdline, boot_id"* ]]
	run --separate-stderr env HOSTCTX_REDACT=yes ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --root="$T/r"
	assert_usage_error
	[[ ${stderr_lines[0]} == *HOSTCTX_REDACT* ]]
}

@test "snapshot: the process field says what the process inherited (affinity, nice, ASLR), under the sandbox too" {
	command -v taskset >/dev/null && command -v setarch >/dev/null || skip "util-linux's taskset and setarch are not installed"
	run --separate-stderr taskset -c 0 nice -n 3 ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --fields=process
	show_run
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/p.json"
	[ "$(json_get "$T/p.json" 'd["process"]["affinity"]')" = 0 ]
	[ "$(json_get "$T/p.json" 'd["process"]["nice"]')" -ge 3 ]
	[ "$(json_get "$T/p.json" 'd["process"]["sched_policy"]')" = other ]
	[ "$(json_get "$T/p.json" 'd["process"]["aslr_disabled"]')" = False ]
	run --separate-stderr setarch "$(uname -m)" -R ${EXEC_PREFIX:-} "$HOSTCTX" snapshot --fields=process
	printf '%s\n' "$output" >"$T/r.json"
	[ "$(json_get "$T/r.json" 'd["process"]["aslr_disabled"]')" = True ]
	# live only: never under a root
	mkdir "$T/empty"
	[ "$(hx snapshot --root="$T/empty" --fields=process)" = "{}" ]
}
