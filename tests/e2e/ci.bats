#!/usr/bin/env bats
# hostctx-run --ci (docs/ci.md): the job summary appended to a stand-in
# $GITHUB_STEP_SUMMARY, GitHub annotations and GitLab's collapsed section
# on stderr, auto-detection, and that COMMAND's output and status stay
# its own.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX_RUN:?HOSTCTX_RUN must name the hostctx-run binary}"
	[ -x "$HOSTCTX_RUN" ] || { echo "not built: $HOSTCTX_RUN" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	cd "$T" || return 1
	# no CI around the tests, whatever runs them
	unset GITHUB_ACTIONS GITLAB_CI GITHUB_STEP_SUMMARY HOSTCTX_CI
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hrun() {
	under_exec_prefix "$HOSTCTX_RUN" "$@"
}

# A 4-CPU tree with five check warnings: governor, turbo, memory and CPU
# pressure, load.
noisy_tree() {
	local cpu=$1/sys/devices/system/cpu n
	"$MKROOT" "$1" --cpus 4 --governor powersave --thp "always [madvise] never" >/dev/null
	mkdir -p "$cpu/cpufreq" "$1/proc/pressure"
	echo 1 >"$cpu/cpufreq/boost"
	for n in 0 1 2 3; do echo acpi-cpufreq >"$cpu/cpu$n/cpufreq/scaling_driver"; done
	for n in cpu memory; do
		printf 'some avg10=50.00 avg60=50.00 avg300=50.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' \
			>"$1/proc/pressure/$n"
	done
	echo '8.00 8.00 8.00 9/100 1234' >"$1/proc/loadavg"
}

@test "--ci=github: the summary is appended, COMMAND's output and status are its own" {
	echo "# earlier step" >summary.md
	export GITHUB_STEP_SUMMARY="$T/summary.md"
	run --separate-stderr hrun --ci=github -o rec.json -- sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[ "${stderr_lines[0]}" = err ]
	# anything else on stderr is an annotation
	for line in "${stderr_lines[@]:1}"; do
		[[ "$line" == "::warning title=hostctx"*"::"* ]]
	done
	[ "$(head -1 summary.md)" = "# earlier step" ]
	grep -qx "### hostctx: \`sh -c 'echo out; echo err >&2; exit 7'\`" summary.md
	grep -qx '| exit | code 7 |' summary.md
	grep -q "file rec.json |\$" summary.md
	[ "$(stat -c %s summary.md)" -le $((65536 + 16)) ]
}

@test "--ci=github: at most five annotations, the check's warnings and the drift" {
	noisy_tree tree
	thp=tree/sys/kernel/mm/transparent_hugepage/enabled
	export GITHUB_STEP_SUMMARY="$T/summary.md"
	export HOSTCTX_ROOT="$T/tree"
	run --separate-stderr hrun --ci=github -o rec.json -- sh -c "echo 'always madvise [never]' >$thp"
	[ "$status" -eq 0 ]
	[ "${#stderr_lines[@]}" -eq 5 ]
	[[ "${stderr_lines[0]}" == "::warning title=hostctx check%3A governor::governor powersave on CPUs 0-3 ("* ]]
	[[ "${stderr_lines[1]}" == "::warning title=hostctx check%3A turbo::"* ]]
	# '%' in a message is escaped for GitHub
	[[ "$stderr" == *"stalled 50.00 %25 of the last 10 s"* ]]
	[ "${stderr_lines[4]}" = "::warning title=hostctx::2 more warnings: hostctx check rec.json lists them" ]
	grep -q '#### Changed during the run (1)' summary.md
	grep -q '| `thp_enabled` |' summary.md
	grep -q '| warn | `run-config-drift` |' summary.md
}

@test "--ci=auto: GitHub from GITHUB_ACTIONS, GitLab from GITLAB_CI, else nothing" {
	echo keep >summary.md
	export GITHUB_STEP_SUMMARY="$T/summary.md"
	run --separate-stderr hrun --ci=auto -o rec.json -- echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ -z "$stderr" ]
	[ "$(cat summary.md)" = keep ]

	export GITHUB_ACTIONS=true
	export GITHUB_STEP_SUMMARY="$T/summary.md"
	run --separate-stderr hrun --ci=auto -o rec.json -- echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	grep -q '^### hostctx: `echo hi`$' summary.md

	unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
	export GITLAB_CI=true
	export HOSTCTX_CI=auto
	run --separate-stderr hrun -o rec.json -- echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[[ "${stderr_lines[0]}" =~ ^$'\e'\[0Ksection_start:[0-9]+:hostctx\[collapsed=true\]$'\r'$'\e'\[0Khostctx:\ [0-9]+\ warnings?,\ [0-9]+\ notes?$ ]]
	[ "${stderr_lines[1]}" = "hostctx: echo hi" ]
	[[ "${stderr_lines[-1]}" =~ ^$'\e'\[0Ksection_end:[0-9]+:hostctx$'\r'$'\e'\[0K$ ]]
}

@test "--ci=gitlab on a command that cannot start, and --ci=github without a summary file" {
	run -127 --separate-stderr hrun --ci=gitlab -o rec.json -- /nonexistent/cmd
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"  exit       could not start (ENOENT)"* ]]
	[[ "$stderr" == *"section_end:"* ]]
	run --separate-stderr hrun --ci=github -o rec.json -- true
	[ "$status" -eq 0 ]
	[ "${stderr_lines[0]}" = "hostctx-run: --ci=github: GITHUB_STEP_SUMMARY is not set: no job summary" ]
}

@test "--ci and HOSTCTX_CI: a bad name is bad usage (125), none is nothing" {
	run --separate-stderr hrun --ci=jenkins -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"invalid --ci system: 'jenkins'"* ]]
	export HOSTCTX_CI=travis
	run --separate-stderr hrun -- true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"HOSTCTX_CI: 'travis' is none of github, gitlab, auto, none"* ]]
	export HOSTCTX_CI=gitlab
	run --separate-stderr hrun --ci=none -o rec.json -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}
