#!/usr/bin/env bats
# `hostctx metrics FILE` (docs/metrics.md): records made here (a clean
# run, an exit status, an exec error, an in-progress record), snapshots
# of synthetic trees and of the real machines' trees, each checked by
# check_openmetrics.py (the grammar, and prometheus_client's parser when
# python3-prometheus-client is installed); the names a test pins are
# the stable ones; errors name the file, exit 2, print nothing.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	: "${HOSTCTX_RUN:?HOSTCTX_RUN must name the hostctx-run binary}"
	T=$BATS_TEST_TMPDIR
	REAL=${HOSTCTX_SHARED:+$HOSTCTX_SHARED/fixtures/real}
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	CHECK="$BATS_TEST_DIRNAME/check_openmetrics.py"
	unset HOSTCTX_DIR HOSTCTX_OUTPUT HOSTCTX_ROOT HOSTCTX_FIELDS HOSTCTX_REDACT LD_PRELOAD
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

# A python3 that has prometheus_client (pyenv's may lack Debian's package).
python_with_parser() {
	local py
	for py in python3 /usr/bin/python3; do
		if command -v "$py" >/dev/null && "$py" -c 'import prometheus_client' 2>/dev/null; then
			echo "$py"
			return
		fi
	done
	echo python3
}

# metrics_of FILE OUT: hostctx metrics FILE >OUT, exit 0, silent stderr, valid text.
metrics_of() {
	run --separate-stderr hx metrics "$1"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$2"
	run "$(python_with_parser)" "$CHECK" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
}

has() {	# FILE LINE: FILE holds LINE
	grep -qxF -- "$2" "$1" || { echo "no line: $2"; false; }
}

# lacks FILE [GREP-OPTION] PATTERN: no line of FILE matches (a plain
# `! grep` would not fail a bats test).
lacks() {
	local file=$1
	shift
	if grep -q "$@" "$file"; then
		echo "unexpected in $file: ${*: -1}"
		return 1
	fi
}

has_family() {	# FILE NAME
	grep -qxF -- "# TYPE $2 gauge" "$1" || { echo "no family: $2"; false; }
}

@test "metrics --help; in hostctx --help and the completion" {
	run --separate-stderr hx metrics --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output == "Usage: hostctx metrics"* ]]
	run hx --help
	[[ $output == *"  metrics FILE "* ]]
	run env PATH="$(dirname "$HOSTCTX"):$PATH" bash -c '
		. "$1"; COMP_WORDS=(hostctx me); COMP_CWORD=1; _hostctx; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$BATS_TEST_DIRNAME/../../completion/hostctx.bash"
	[ "$output" = metrics ]
}

@test "a record of true: run facts, both phases, deltas; the stable names" {
	hrun -o rec.json -- true
	metrics_of rec.json m.txt
	[[ $output == *"parser: "* ]]
	[ "$(tail -n1 m.txt)" = "# EOF" ]
	has m.txt "hostctx_run_complete 1"
	has m.txt "hostctx_run_exit_code 0"
	has_family m.txt hostctx_run_wall_seconds
	has_family m.txt hostctx_run_rusage_user_seconds
	has_family m.txt hostctx_run_rusage_system_seconds
	has_family m.txt hostctx_run_rusage_max_rss_kib
	has_family m.txt hostctx_delta_context_switches
	has_family m.txt hostctx_delta_cpu_time_ticks_user
	grep -q '^hostctx_total_memory_kib{phase="pre"} [0-9][0-9]*$' m.txt
	grep -q '^hostctx_total_memory_kib{phase="post"} [0-9][0-9]*$' m.txt
	grep -q '^hostctx_online_cpus{phase="pre"} [1-9][0-9]*$' m.txt
	[ "$(grep -c '^hostctx_info{' m.txt)" -eq 1 ]
	grep -q '^hostctx_info{kernel_release="[^"]*",arch="[^"]*"' m.txt
	# never the hostname, never a string field's value as a sample
	lacks m.txt -F "$(hostname)\""
	lacks m.txt '^hostctx_kernel_cmdline'
	# the same record gives the same text, sandbox or not
	run hx metrics --no-sandbox rec.json
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output") m.txt
	# standard input
	run hx metrics - <rec.json
	diff <(printf '%s\n' "$output") m.txt
}

@test "prometheus_client's own OpenMetrics parser reads the families" {
	py=$(python_with_parser)
	"$py" -c 'import prometheus_client' 2>/dev/null ||
		skip "python3-prometheus-client not installed"
	hrun -o rec.json -- true
	hx metrics rec.json >m.txt
	run "$py" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert fams["hostctx_run_wall_seconds"].type == "gauge"
assert fams["hostctx_run_wall_seconds"].samples[0].value >= 0
assert fams["hostctx_run_exit_code"].samples[0].value == 0
pre = [s for s in fams["hostctx_total_memory_kib"].samples if s.labels == {"phase": "pre"}]
assert len(pre) == 1 and pre[0].value > 0
assert "hostctx_delta_context_switches" in fams
print(len(fams))' m.txt
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" -eq "$(grep -c '^# TYPE ' m.txt)" ]
}

@test "an exit status, an exec error, an in-progress record" {
	run hrun -o exit3.json -- sh -c 'exit 3'
	metrics_of exit3.json m3.txt
	has m3.txt "hostctx_run_exit_code 3"

	run -127 hrun -o enoent.json -- /nonexistent/cmd
	metrics_of enoent.json me.txt
	has me.txt 'hostctx_run_exec_error{errno="ENOENT"} 1'
	lacks me.txt '^hostctx_run_exit_code'
	lacks me.txt 'phase="post"'
	lacks me.txt '^hostctx_delta_'

	hrun -o clean.json -- true
	python3 -c '
import json; d = json.load(open("clean.json")); d["complete"] = False
for k in ("post", "changes", "deltas"): d.pop(k, None)
for k in ("exit", "ended_at", "wall_seconds", "rusage"): d["run"].pop(k, None)
json.dump(d, open("partial.json", "w"))'
	metrics_of partial.json mp.txt
	has mp.txt "hostctx_run_complete 0"
	lacks mp.txt '^hostctx_run_wall_seconds'
	lacks mp.txt 'phase="post"'
	lacks mp.txt '^hostctx_delta_'
	grep -q '^hostctx_online_cpus{phase="pre"}' mp.txt
}

@test "a snapshot of a synthetic tree: no phase, no run facts, per-CPU maps as labels" {
	"$MKROOT" r --cpus 4 --governor schedutil >/dev/null
	hx snapshot --root r >s.json
	metrics_of s.json m.txt
	has m.txt "hostctx_online_cpus 4"
	lacks m.txt 'phase='
	lacks m.txt '^hostctx_run_'
	lacks m.txt '^hostctx_cpufreq_governor'	# strings are no samples
	# deterministic
	run hx metrics s.json
	diff <(printf '%s\n' "$output") m.txt
	# by-CPU maps: their cpulist keys are the cpus label
	"$MKROOT" r2 --cpus 8 --online 0-3 --governor performance >/dev/null
	for n in 0 1 2 3; do
		echo 2400000 >"r2/sys/devices/system/cpu/cpu$n/cpufreq/scaling_max_freq"
	done
	hx snapshot --root r2 >s2.json
	metrics_of s2.json m2.txt
	has m2.txt 'hostctx_cpufreq_max_khz{cpus="0-3"} 2400000'
}

@test "the real machines' trees: every snapshot's text is valid" {
	[ -n "$REAL" ] && [ -d "$REAL" ] || skip "no ../shared/fixtures/real here"
	n=0
	for root in "$REAL"/*/root; do
		name=$(basename "$(dirname "$root")")
		hx snapshot --root "$root" >"$name.json"
		run --separate-stderr hx metrics "$name.json"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		printf '%s\n' "$output" >"$name.txt"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
	# one checker over every text: a python3 per tree costs most of the test
	run "$(python_with_parser)" "$CHECK" ./*.txt
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': ok ' <<<"$output")" -eq "$n" ]
}

@test "trouble: a file not JSON, missing, a directory; usage errors; exit 2, nothing on stdout" {
	echo 'not json' >bad.json
	for f in bad.json missing.json "$T"; do
		run --separate-stderr hx metrics "$f"
		echo "$stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ ${stderr_lines[0]} == "hostctx: $f: "* ]]
	done
	run --separate-stderr hx metrics
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == *"missing FILE operand"* ]]
	run --separate-stderr hx metrics a.json b.json
	[ "$status" -eq 2 ]
	run --separate-stderr hx metrics --bogus a.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "hostctx: metrics: unrecognized option '--bogus'" ]
}

@test "the parsing sandbox: writes, sockets and exec fail with EPERM inside; --no-sandbox enters none" {
	[ -z "${EXEC_PREFIX:-}" ] || skip "valgrind cannot run a seccomp filter"
	case ${HOSTCTX_HAVE_SECCOMP:-} in
	0) skip "hostctx built without libseccomp" ;;
	1) ;;
	*) pkg-config --exists libseccomp 2>/dev/null || skip "hostctx built without libseccomp" ;;
	esac
	hx snapshot >s.json
	run --separate-stderr env HOSTCTX_SANDBOX_SELFTEST="$T/created" "$HOSTCTX" metrics s.json 3>fd3
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $stderr == "hostctx: sandbox selftest (parsing): open-for-write EPERM, write-fd3 EPERM, socket EPERM, exec EPERM, open-read-only ok, openat2 ENOSYS" ]]
	[ ! -e created ]
	[ ! -s fd3 ]
	[[ $output == *"# EOF" ]]
	run --separate-stderr env HOSTCTX_SANDBOX_SELFTEST="$T/created" "$HOSTCTX" metrics --no-sandbox s.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}
