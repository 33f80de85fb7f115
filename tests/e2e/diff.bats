#!/usr/bin/env bats
# `hostctx diff` across runs and machines (docs/hostctx.1, "diff";
# docs/json-format.md, "Comparing"): the groups by class, tolerances in
# every form, "not comparable", the exit rules of both forms, the
# reference's pre/post pair, unknown documents and directory operands.
#
# The records are made by hostctx-run over synthetic trees (mkroot), so
# every value is known.

bats_require_minimum_version 1.5.0

hx() {
	# shellcheck disable=SC2086 # EXEC_PREFIX is a command line
	${EXEC_PREFIX:-} "$HOSTCTX" "$@"
}

show_run() {
	echo "status: $status"
	echo "output: $output"
	echo "stderr: ${stderr:-}"
}

MKROOT=${MKROOT:-$TESTS_DIR/fixtures/mkroot}

# A machine: a tree at $1 with model $2, CPUs $3, MemTotal $4 KiB, boot $5.
machine() {
	"$MKROOT" "$1" --cpus "$3" --governor ondemand --model "$2" --memtotal "$4" \
		--thp "always [madvise] never" >/dev/null
	mkdir -p "$1/proc/sys/kernel/random"
	printf '%s\n' "$5" >"$1/proc/sys/kernel/random/boot_id"
}

# A record of `true` on the tree $1, written to $2.
record() {
	"$HOSTCTX_RUN" --root="$1" -o "$2" -- true
}

setup_file() {
	export D="$BATS_FILE_TMPDIR/d"
	mkdir -p "$D"
	machine "$D/intel" "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz" 80 65536000 \
		11111111-1111-4111-8111-111111111111
	record "$D/intel" "$D/intel.json"
	# the same machine type on another boot, MemTotal 0.2 % lower
	machine "$D/intel2" "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz" 80 65404928 \
		22222222-2222-4222-8222-222222222222
	record "$D/intel2" "$D/intel2.json"
	# another machine type, with other settings
	machine "$D/amd" "AMD Engineering Sample" 48 65536000 \
		33333333-3333-4333-8333-333333333333
	for c in $(seq 0 47); do
		printf 'performance\n' >"$D/amd/sys/devices/system/cpu/cpu$c/cpufreq/scaling_governor"
	done
	printf '1\n' >"$D/amd/proc/sys/kernel/numa_balancing"
	printf 'always madvise [never]\n' >"$D/amd/sys/kernel/mm/transparent_hugepage/enabled"
	record "$D/amd" "$D/amd.json"
}

setup() {
	: "${HOSTCTX:?}" "${HOSTCTX_RUN:?}"
	T=$BATS_TEST_TMPDIR
}

# ---- the groups --------------------------------------------------------------

@test "two machines: identity, instance, config, telemetry, in that order; exit 1" {
	run --separate-stderr hx diff "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	want="identity: different machines: cpu_model, online_cpus (config differences below may be expected)
  cpu_model     Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz → AMD Engineering Sample
  online_cpus   80 → 48
instance: different boot
config: 4 differences
  thp_enabled                     always [madvise] never → always madvise [never]
  cpufreq_governor.cpu0-47        ondemand → performance
  cpufreq_governor.cpu48-79       ondemand → (absent)
  sysctls.kernel.numa_balancing   0 → 1"
	[ "${output%%$'\n'telemetry: *}" = "$want" ]
	[[ ${lines[-1]} =~ ^telemetry:\ [0-9]+\ fields?\ differs?\ \(--all\ to\ list\)$ ]] ||
		[ "${lines[-1]}" = "telemetry: same" ]
}

@test "the same machine type on another boot: exit 0; MemTotal within the default 1%" {
	run --separate-stderr hx diff "$D/intel.json" "$D/intel2.json"
	show_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "identity: same machine type (1 within tolerance)" ]
	[ "${lines[1]}" = "instance: different boot" ]
	[ "${lines[2]}" = "config: same" ]
	# -v lists what is within tolerance and the instance fields
	run --separate-stderr hx diff -v "$D/intel.json" "$D/intel2.json"
	show_run
	[ "$status" -eq 0 ]
	[[ $output == *"  total_memory_kib   65536000 → 65404928   (within tolerance)"* ]]
	[[ $output == *"  boot_id   11111111-1111-4111-8111-111111111111 → 22222222-2222-4222-8222-222222222222"* ]]
	# without the defaults, the drift is a difference
	run --separate-stderr hx diff --no-default-tolerances "$D/intel.json" "$D/intel2.json"
	show_run
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "identity: different machines: total_memory_kib (config differences below may be expected)" ]
}

@test "--tolerance: N, N%, any, 0; the last match wins; files before flags" {
	# 131072 KiB apart: 0.2 %
	run hx diff --tolerance=total_memory_kib=0.1% "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 1 ]
	run hx diff --tolerance=total_memory_kib=131072 "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 0 ]
	run hx diff --tolerance=total_memory_kib=131071 "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 1 ]
	run hx diff -t 'total_*=0' "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 1 ]	# 0 cancels the default
	run hx diff -t 'total_*=0' -t 'total_memory_kib=any' "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 0 ]
	# any on strings; a numeric spec on a string means exact
	run hx diff -t 'cpu_model=any' -t 'online_cpus=40' -t 'thp_enabled=5' \
		-t 'cpufreq_governor=any' -t 'sysctls.*=any' "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "identity: same machine type (2 within tolerance)" ]]
	[ "${lines[2]}" = "config: 2 differences, 2 within tolerance" ]
	[ "${lines[3]}" = "  thp_enabled                 always [madvise] never → always madvise [never]" ]
	# presence must match even under any: CPUs 48-79 stay a difference
	[ "${lines[4]}" = "  cpufreq_governor.cpu48-79   ondemand → (absent)" ]
	# a file: comments, blanks, tabs; flags after it win
	printf '# fleet tolerances\n\ncpu_model\tany  # same family\nonline_cpus 40\nthp_enabled any\ncpufreq_governor any\nsysctls.* any\n' >"$T/tol"
	run hx diff --tolerances="$T/tol" "$D/intel.json" "$D/amd.json"
	[ "$status" -eq 1 ]	# cpu48-79 absent on one side
	run hx diff --tolerances="$T/tol" -i 'cpufreq_governor.*' "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 0 ]
	run hx diff --tolerances="$T/tol" -i 'cpufreq_governor.*' -t online_cpus=0 "$D/intel.json" "$D/amd.json"
	[ "$status" -eq 1 ]
}

@test "bad tolerances and classes: one line, exit 2, before any output" {
	for arg in 'total_memory_kib' 'x=fast' '=1' 'x=-1' 'x=1%%' 'x=inf'; do
		run --separate-stderr hx diff --tolerance="$arg" "$D/intel.json" "$D/amd.json"
		show_run
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ ${stderr_lines[0]} == "hostctx: diff: --tolerance=$arg: expected GLOB=SPEC"* ]]
	done
	printf 'ok 1\nbroken\n' >"$T/tol"
	run --separate-stderr hx diff --tolerances="$T/tol" "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: $T/tol: line 2: expected GLOB SPEC"* ]]
	run --separate-stderr hx diff --tolerances="$T/missing" "$D/intel.json" "$D/amd.json"
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == *"$T/missing"* ]]
	run --separate-stderr hx diff --class=hardware "$D/intel.json" "$D/amd.json"
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "hostctx: diff: --class=hardware: expected a comma list"* ]]
	run --separate-stderr hx diff --json=yaml "$D/intel.json" "$D/amd.json"
	[ "$status" -eq 2 ]
}

@test "--class picks the classes; --all adds telemetry, which then counts across files" {
	run --separate-stderr hx diff --class=config "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "config: 4 differences" ]
	[[ $output != *identity* && $output != *instance* ]]
	run --separate-stderr hx diff --class=identity,instance "$D/intel.json" "$D/intel2.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	# the pre and post of one run differ in their counters only
	run --separate-stderr hx diff --pre "$D/intel.json" "$D/intel.json"
	[ "$status" -eq 0 ]
	run --separate-stderr hx diff --all "$D/intel.json" "$D/intel2.json"
	show_run
	[[ $output == *$'\ntelemetry: '* ]]
}

# ---- not comparable ------------------------------------------------------------

@test "a reference file beside a record: what it cannot have is not comparable" {
	python3 - "$D/intel.json" "$T" <<-'EOF'
	import json, sys
	rec = json.load(open(sys.argv[1]))
	seed = ["cpu_model", "cpu_vendor", "total_memory_kib", "hugepages_total", "hugepages_free",
	        "hugepages_size_kib", "thp_enabled", "thp_defrag", "sched_tunables", "online_cpus",
	        "numa_nodes", "cpufreq_governor", "kernel_name", "kernel_release", "arch",
	        "kernel_cmdline", "heap_state", "task_delayacct", "config_task_xacct"]
	host = {k: v for k, v in rec["post"].items() if k in seed}
	json.dump({"test_name": "t", "passed": True, "host": host}, open(sys.argv[2] + "/ktstr.json", "w"))
	json.dump(host, open(sys.argv[2] + "/seed.json", "w"))
	EOF
	run --separate-stderr hx diff "$D/intel.json" "$T/ktstr.json"
	show_run
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^not\ comparable:\ [0-9]+\ fields?\ on\ one\ side\ only,\ from\ another\ producer\ \(hostctx-run\ [^\;]+\;\ the\ reference\;\ -v\ lists\ them\)$ ]]
	run --separate-stderr hx diff -v "$D/intel.json" "$T/ktstr.json"
	[[ $output == *$'\n  sysctls   ('*' entr'*') → (absent)'* ]]
	[[ $output == *$'\n  boot_id   11111111-1111-4111-8111-111111111111 → (absent)'* ]]
	run --separate-stderr hx diff --json=grouped "$D/intel.json" "$T/ktstr.json"
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["same"] is True, d
assert d["producers"]["b"] == "the reference", d
assert "sysctls" in [x["field"] for x in d["not_comparable"]], d' "$output"
	# two files of one producer: a presence difference is a difference
	run --separate-stderr hx diff "$T/seed.json" "$T/ktstr.json"
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); del d["cpu_vendor"]
json.dump(d, open(sys.argv[1], "w"))' "$T/seed.json"
	run --separate-stderr hx diff "$T/seed.json" "$T/ktstr.json"
	[ "$status" -eq 1 ]
	[[ $output == *"  cpu_vendor   (absent) → "* ]]
}

# ---- JSON ------------------------------------------------------------------------

@test "--json keeps the array; marks within_tolerance and not_comparable; --json=grouped" {
	run --separate-stderr hx diff --json "$D/intel.json" "$D/intel2.json"
	show_run
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert isinstance(d, list), d
byf = {c["field"]: c for c in d}
assert byf["total_memory_kib"]["within_tolerance"] is True, d
assert byf["boot_id"]["class"] == "instance" and "within_tolerance" not in byf["boot_id"], d' "$output"
	run --separate-stderr hx diff --json=grouped "$D/intel.json" "$D/amd.json"
	show_run
	[ "$status" -eq 1 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["same"] is False and d["form"] == "files", d
c = d["classes"]
assert [x["field"] for x in c["identity"]["differences"]] == ["cpu_model", "online_cpus"], c
assert c["identity"]["same"] is False and c["instance"]["same"] is False, c
assert c["telemetry"]["compared"] is False and isinstance(c["telemetry"]["differing"], int), c
assert {"field": "sysctls.kernel.numa_balancing", "a": "0", "b": "1"} in c["config"]["differences"], c
assert d["not_comparable"] == [] and "producers" not in d, d' "$output"
}

# ---- one record ------------------------------------------------------------------

@test "diff FILE: the reference's lines first, as ever, then the new fields grouped" {
	machine "$T/r" "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz" 4 65536000 \
		44444444-4444-4444-8444-444444444444
	ROOT=$T/r "$HOSTCTX_RUN" --root="$T/r" -o "$T/rec.json" -- sh -c '
		printf "[always] madvise never\n" >$ROOT/sys/kernel/mm/transparent_hugepage/enabled
		printf "1\n" >$ROOT/proc/sys/kernel/numa_balancing
		printf "55555555-5555-4555-8555-555555555555\n" >$ROOT/proc/sys/kernel/random/boot_id'
	run --separate-stderr hx diff "$T/rec.json"
	show_run
	[ "$status" -eq 1 ]
	want="  thp_enabled: always [madvise] never → [always] madvise never
instance: different boot
  boot_id   44444444-4444-4444-8444-444444444444 → 55555555-5555-4555-8555-555555555555
config: 1 difference
  sysctls.kernel.numa_balancing   0 → 1"
	[ "$output" = "$want" ]
	# an instance difference alone counts for one record
	run hx diff -i thp_enabled -i 'sysctls.*' "$T/rec.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "instance: different boot" ]
	# tolerances apply to one record too (no defaults there)
	run hx diff -i boot_id -t thp_enabled=any -t 'sysctls.*=any' "$T/rec.json"
	[ "$status" -eq 0 ]
	[ "$output" = "config: same (2 within tolerance)" ]
	run hx diff -v -i boot_id -t thp_enabled=any -t 'sysctls.*=any' "$T/rec.json"
	[ "$status" -eq 0 ]
	[[ $output == *"  sysctls.kernel.numa_balancing   0 → 1   (within tolerance)"* ]]
	run --separate-stderr hx diff --pre "$T/rec.json"
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == *"--pre compares two files"* ]]
}

# ---- what users have -------------------------------------------------------------

@test "the reference's pre/post pair: diff compares its sides, show renders both" {
	python3 - "$D/intel.json" "$D/amd.json" "$T/pair.json" <<-'EOF'
	import json, sys
	a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
	json.dump({"pre": a["pre"], "post": b["post"]}, open(sys.argv[3], "w"))
	EOF
	run --separate-stderr hx diff "$T/pair.json"
	show_run
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "  cpu_model: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz → AMD Engineering Sample" ]]
	[[ $output == *$'\ninstance: different boot\n'* ]]
	run --separate-stderr hx show "$T/pair.json"
	show_run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "format:           the reference's pre/post pair (no record of the run)" ]
	[[ $output == *$'\npre:\n'*"AMD Engineering Sample"* ]]
	# its post stands for it beside another file
	run --separate-stderr hx diff "$T/pair.json" "$D/amd.json"
	show_run
	[ "$status" -eq 0 ]
	run --separate-stderr hx diff --pre "$T/pair.json" "$D/intel.json"
	[ "$status" -eq 0 ]
}

@test "an object with no key of a snapshot or a record is trouble; {} is an empty snapshot" {
	printf '{"hello": 1}\n' >"$T/hello.json"
	for cmd in show diff; do
		run --separate-stderr hx $cmd "$T/hello.json"
		show_run
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "hostctx: $T/hello.json: not a hostctx snapshot or sidecar (no key of one)" ]
	done
	run --separate-stderr hx diff "$D/intel.json" "$T/hello.json"
	[ "$status" -eq 2 ]
	printf '{"pre": 1, "post": []}\n' >"$T/badpair.json"
	run --separate-stderr hx show "$T/badpair.json"
	[ "$status" -eq 2 ]
	printf '{}\n' >"$T/empty.json"
	run --separate-stderr hx show "$T/empty.json"
	[ "$status" -eq 0 ]
}

# ---- directories -----------------------------------------------------------------

@test "directories: each record's pre/post, or A against each; headings; bad files reported" {
	mkdir -p "$T/runs/a/b" "$T/empty"
	cp "$D/intel.json" "$T/runs/1.hostctx.json"
	cp "$D/amd.json" "$T/runs/a/2.hostctx.json"
	cp "$D/intel2.json" "$T/runs/a/b/3.hostctx.json"
	printf 'not json' >"$T/runs/a/bad.hostctx.json"
	printf 'x' >"$T/runs/ignored.json"
	ln -s .. "$T/runs/a/b/loop"
	run --separate-stderr hx diff "$T/runs"
	show_run
	[ "$status" -eq 2 ]	# the bad file, reported; the others compared
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: $T/runs/a/bad.hostctx.json: not JSON"* ]]
	[ "$(grep -c '^==> ' <<<"$output")" -eq 3 ]
	[ "${lines[0]}" = "==> $T/runs/1.hostctx.json <==" ]
	rm "$T/runs/a/bad.hostctx.json"
	run --separate-stderr hx diff "$T/runs"
	[ "$status" -eq 0 ]	# true changed nothing on these trees
	run --separate-stderr hx diff "$D/intel.json" "$T/runs"
	show_run
	[ "$status" -eq 1 ]	# amd differs
	[[ $output == *"==> $T/runs/a/2.hostctx.json <=="$'\n'"identity: different machines: "* ]]
	run --separate-stderr hx show "$T/runs" "$D/amd.json"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^==> ' <<<"$output")" -eq 4 ]
	# an empty directory, a directory as A: one line, exit 2
	run --separate-stderr hx diff "$T/empty"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "hostctx: $T/empty: no *.hostctx.json file below it" ]
	run --separate-stderr hx diff "$T/runs" "$D/intel.json"
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "hostctx: $T/runs: a directory: A is the one file"* ]]
}
