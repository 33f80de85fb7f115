#!/usr/bin/env bats
# `hostctx check` (docs/check.md) on synthetic trees, the real machines'
# trees, this host and records; and `hostctx-run --check`.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	REAL=${HOSTCTX_SHARED:+$HOSTCTX_SHARED/fixtures/real}
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	VALIDATE="$BATS_TEST_DIRNAME/validate_json.py"
	cd "$T" || return 1
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hx() {
	under_exec_prefix "$HOSTCTX" "$@"
}

hrun() {
	under_exec_prefix "$HOSTCTX_RUN" "$@"
}

# A 4-CPU tree with cpufreq: governor GOV, boost BOOST (0/1), driver acpi-cpufreq.
turbo_tree() {	# DIR GOV BOOST
	"$MKROOT" "$1" --cpus 4 --governor "$2" >/dev/null
	local cpu=$1/sys/devices/system/cpu
	mkdir -p "$cpu/cpufreq"
	echo "$3" >"$cpu/cpufreq/boost"
	for n in 0 1 2 3; do
		echo acpi-cpufreq >"$cpu/cpu$n/cpufreq/scaling_driver"
	done
}

# The status of check ID in the JSON report on stdin.
status_of() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(r["status"] for r in d["results"] if r["id"] == sys.argv[1]) or "absent")' "$1"
}

@test "a tree with turbo on and powersave: warnings, exit 1; tuned: exit 0" {
	turbo_tree "$T/hot" powersave 1
	run --separate-stderr hx check --root "$T/hot"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[[ $output == *$'\nWARN  frequency  turbo  boost is on (cpufreq/boost=1)\n      echo 0 > /sys/devices/system/cpu/cpufreq/boost'* ]]
	[[ $output == *"WARN  frequency  governor  governor powersave on CPUs 0-3"* ]]
	[[ $output == *"cpupower frequency-set -g performance"* ]]
	[[ ${lines[-1]} == "2 warning(s), "*"; profile throughput" ]]
	# live-only inputs are unknown under --root, never an error
	[[ $output == *"UNKNOWN  limits  cgroup-quota  not recorded: cgroup.cpu_max_effective"* ]]

	turbo_tree "$T/cool" performance 0
	run --separate-stderr hx check --root "$T/cool"
	[ "$status" -eq 0 ]
	[[ $output == *"OK    frequency  turbo  boost is off"* ]]
	[[ $output == *"OK    frequency  governor  governor performance on every benchmark CPU"* ]]
}

@test "--json: the schema's shape; --ignore leaves a check out of both outputs" {
	turbo_tree "$T/hot" powersave 1
	run --separate-stderr hx check --root "$T/hot" --json
	[ "$status" -eq 1 ]
	echo "$output" >c.json
	python3 "$VALIDATE" check c.json
	[ "$(status_of turbo <c.json)" = warn ]
	python3 -c '
import json; d = json.load(open("c.json"))
assert d["source"] == "live" and d["profile"] == "throughput", d
assert d["summary"]["warn"] == 2, d["summary"]
assert all(r["status"] != "n/a" for r in d["results"])'
	# --ignore: absent from JSON and human output alike
	hx check --root "$T/hot" --json --ignore=turbo --ignore governor >c2.json || [ $? -eq 1 ]
	[ "$(status_of turbo <c2.json)" = absent ]
	[ "$(status_of governor <c2.json)" = absent ]
	run hx check --root "$T/hot" --ignore=turbo --ignore=governor
	[[ $output != *" turbo "* ]] && [[ $output != *" governor "* ]]
	# -v adds the checks that do not apply (here: the run checks)
	hx check --root "$T/hot" --json -v >c3.json || [ $? -eq 1 ]
	python3 "$VALIDATE" check c3.json
	[ "$(status_of run-oom <c3.json)" = n/a ]
	[ "$(status_of run-oom <c.json)" = absent ]
	run hx check --root "$T/hot" -v
	[[ $output == *"N/A   run  run-oom  does not apply here"* ]]
}

@test "--strict counts notes; --profile=latency makes THP warn; thresholds move levels" {
	turbo_tree "$T/t" performance 0
	mkdir -p "$T/t/sys/kernel/mm/transparent_hugepage"
	echo "[always] madvise never" >"$T/t/sys/kernel/mm/transparent_hugepage/enabled"
	run hx check --root "$T/t"
	[ "$status" -eq 0 ]
	[[ $output == *"NOTE  memory  thp  transparent hugepages is always"* ]]
	run hx check --root "$T/t" --strict
	[ "$status" -eq 1 ]
	run hx check --root "$T/t" --profile=latency
	[ "$status" -eq 1 ]
	[[ $output == *"WARN  memory  thp  transparent hugepages is always"* ]]
	[[ ${lines[-1]} == *"; profile latency" ]]
	# load: 4 CPUs; mkroot's loadavg is 0.00 unless written
	mkdir -p "$T/t/proc"
	echo "1.00 0.50 0.25 2/100 4242" >"$T/t/proc/loadavg"
	run hx check --root "$T/t" --json
	[ "$(status_of load <<<"$output")" = note ]
	run hx check --root "$T/t" --json --threshold=load=0.2
	[ "$(status_of load <<<"$output")" = warn ]
	[ "$status" -eq 1 ]
	run hx check --root "$T/t" --json --threshold=load.note=0.3
	[ "$(status_of load <<<"$output")" = ok ]
}

@test "bad arguments and bad files: one line, exit 2" {
	local bad
	for bad in --profile=fast --ignore=nosuch --threshold=nosuch=1 --threshold=turbo=1 \
		   --threshold=load=x --interval=-1 --interval=abc --bogus; do
		run --separate-stderr hx check --root / "$bad"
		[ "$status" -eq 2 ] || { echo "$bad: $status"; return 1; }
		[ -z "$output" ]
		[[ $stderr == "hostctx: "* ]]
	done
	run --separate-stderr hx check a.json b.json
	[ "$status" -eq 2 ]
	run --separate-stderr hx check "$T/missing.json"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	echo '{"online_cpus": "x"}' >bad.json
	run --separate-stderr hx check bad.json
	[ "$status" -eq 2 ]
	[[ $stderr == *"bad.json"* ]]
	echo '{"schema": "hostctx-sidecar/1", "tool": {"name": "x", "version": "1"}, "complete": false, "command": {"argv": ["x"]}}' >nopre.json
	run --separate-stderr hx check nopre.json
	[ "$status" -eq 2 ]
	[[ $stderr == *"no pre snapshot"* ]]
	run --separate-stderr hx check --root "$T/nonexistent"
	[ "$status" -eq 2 ]
	run hx check --list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 34 ]
	[[ ${lines[0]} == "governor "*"frequency"* ]]
}

@test "the real machines' trees: never trouble; frequency checks fire where cpufreq is" {
	[ -n "$REAL" ] && [ -d "$REAL" ] || skip "no ../shared/fixtures/real here"
	local root name fired=0
	for root in "$REAL"/*/root; do
		name=$(basename "$(dirname "$root")")
		run --separate-stderr hx check --root "$root" --json
		[ "$status" -le 1 ] || { echo "$name: exit $status: $stderr"; return 1; }
		[ -z "$stderr" ] || { echo "$name: $stderr"; return 1; }
		echo "$output" >"$T/$name.json"
		python3 "$VALIDATE" check "$T/$name.json"
		case $name in
		*x86_64-64cpu-linux6.2|*20em64t-hybrid*)	# intel_pstate
			[ "$(status_of turbo <"$T/$name.json")" = warn ]
			[ "$(status_of epp <"$T/$name.json")" = warn ]
			fired=$((fired + 1)) ;;
		*x86_64-dell_e4310|*x86_64-64cpu)		# acpi-cpufreq
			[ "$(status_of governor <"$T/$name.json")" = warn ]
			[ "$(status_of freq-range <"$T/$name.json")" = note ]
			fired=$((fired + 1)) ;;
		*s390-lpar|*s390-zvm|*POWER7*)
			[ "$(status_of hypervisor <"$T/$name.json")" = note ] ;;
		esac
	done
	[ "$fired" -eq 4 ]
}

@test "this host: exit 0 or 1, the hypervisor and mitigations noted on a VM" {
	run --separate-stderr hx check --interval=0.1 --json
	[ "$status" -le 1 ]
	[ -z "$stderr" ]
	echo "$output" >live.json
	python3 "$VALIDATE" check live.json
	# steal was sampled: known
	[ "$(status_of steal <live.json)" != unknown ]
	if [ "$(hx snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin).get("hypervisor",""))')" = kvm ]; then
		[ "$(status_of hypervisor <live.json)" = note ]
	fi
	if grep -qs '^Vulnerable' /sys/devices/system/cpu/vulnerabilities/* ||
	   grep -qw 'mitigations=off' /proc/cmdline; then
		[ "$(status_of mitigations <live.json)" = note ]
	fi
	# --interval=0: no sampling, steal unknown
	run hx check --interval=0 --json
	[ "$(status_of steal <<<"$output")" = unknown ]
}

@test "records: the run checks; a drifted run warns, a clean one does not" {
	[ -x "$HOSTCTX_RUN" ] || { echo "not built: $HOSTCTX_RUN" >&2; return 1; }
	turbo_tree "$T/r" performance 0
	hrun --root "$T/r" -o clean.json -- true
	run hx check clean.json --json
	[ "$status" -eq 0 ]
	[ "$(status_of run-config-drift <<<"$output")" = ok ]
	[ "$(status_of run-incomplete <<<"$output")" = ok ]
	[[ $output == *'"source": "clean.json"'* ]]
	# the command changes the host: drift
	hrun --root "$T/r" -o drift.json -- sh -c "echo 1 > '$T/r/sys/devices/system/cpu/cpufreq/boost'"
	run hx check drift.json
	[ "$status" -eq 1 ]
	[[ $output == *"WARN  run  run-config-drift  1 change(s) during the run: cpufreq_boost"* ]]
	# the pre snapshot is what the host checks see: boost was off before
	[[ $output == *"OK    frequency  turbo  boost is off"* ]]
	# a bare snapshot: no run check
	hx snapshot --root "$T/r" >s.json
	run hx check s.json --json
	[ "$(status_of run-config-drift <<<"$output")" = absent ]
	# an in-progress record
	python3 -c '
import json; d = json.load(open("clean.json")); d["complete"] = False
for k in ("post", "changes", "deltas"): d.pop(k, None)
d["run"].pop("exit", None); d["run"].pop("ended_at", None)
json.dump(d, open("partial.json", "w"))'
	run hx check partial.json
	[ "$status" -eq 1 ]
	[[ $output == *"WARN  run  run-incomplete  the record is not complete"* ]]
	# standard input
	run hx check - <clean.json
	[ "$status" -eq 0 ]
}

@test "hostctx-run --check=refuse: a warning keeps the command from running; exit 125, a record says why" {
	[ -x "$HOSTCTX_RUN" ] || { echo "not built: $HOSTCTX_RUN" >&2; return 1; }
	turbo_tree "$T/hot" performance 1
	run --separate-stderr hrun --root "$T/hot" --check=refuse -o r.json -- touch marker
	[ "$status" -eq 125 ]
	[ ! -e marker ]
	[ -z "$output" ]
	[[ $stderr == *"hostctx-run: check: 1 warning(s), the command is not started:"* ]]
	[[ $stderr == *"WARN  frequency  turbo  boost is on"* ]]
	python3 "$BATS_TEST_DIRNAME/validate_json.py" sidecar r.json
	python3 -c '
import json; d = json.load(open("r.json"))
assert d["complete"] is True, d
assert d["run"]["refused"] == "check", d["run"]
assert "exit" not in d["run"] and "post" not in d and "changes" not in d, d.keys()
assert d["check"]["summary"]["warn"] == 1, d["check"]
assert [r["id"] for r in d["check"]["results"] if r["status"] == "warn"] == ["turbo"]'
	run hx show r.json
	[[ $output == *"refused:          check"* ]]
	# HOSTCTX_CHECK does the same
	run --separate-stderr env HOSTCTX_CHECK=refuse "$HOSTCTX_RUN" --root "$T/hot" -o r2.json -- touch marker
	[ "$status" -eq 125 ]
	[ ! -e marker ]
	# on a tuned tree the command runs as usual
	turbo_tree "$T/cool" performance 0
	run --separate-stderr hrun --root "$T/cool" --check=refuse -o r3.json -- sh -c 'touch marker; exit 3'
	[ "$status" -eq 3 ]
	[ -e marker ]
	[ -z "$stderr" ]
}

@test "hostctx-run --check=warn: warnings on stderr, never stdout; the command runs; no check, no word" {
	[ -x "$HOSTCTX_RUN" ] || { echo "not built: $HOSTCTX_RUN" >&2; return 1; }
	turbo_tree "$T/hot" powersave 1
	run --separate-stderr hrun --root "$T/hot" --check -o r.json -- sh -c 'echo out; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = out ]
	[[ $stderr == *"hostctx-run: check: 2 warning(s):"* ]]
	[[ $stderr == *"WARN  frequency  governor"* ]]
	[[ $stderr != *"NOTE"* ]] && [[ $stderr != *"OK "* ]]
	python3 -c '
import json; d = json.load(open("r.json"))
assert "check" not in d and "refused" not in d["run"] and d["run"]["exit"] == {"code": 4}, d["run"]'
	run --separate-stderr env HOSTCTX_CHECK=warn "$HOSTCTX_RUN" --root "$T/hot" -o r.json -- true
	[ "$status" -eq 0 ]
	[[ $stderr == *"hostctx-run: check: 2 warning(s):"* ]]
	# the default: no check, nothing on stderr
	run --separate-stderr hrun --root "$T/hot" -o r.json -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# bad modes are bad usage
	run --separate-stderr hrun --check=maybe -- true
	[ "$status" -eq 125 ]
	run --separate-stderr env HOSTCTX_CHECK=maybe "$HOSTCTX_RUN" -- true
	[ "$status" -eq 125 ]
	[[ $stderr == *"HOSTCTX_CHECK"* ]]
}
