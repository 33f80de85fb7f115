#!/usr/bin/env bats
# `hostctx summary` (docs/ci.md) on records made here: complete, could
# not start, incomplete; snapshots; the 64 KiB bound on huge records and
# over many files; bad input.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	cd "$T" || return 1
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hx() {
	under_exec_prefix "$HOSTCTX" "$@"
}

@test "summary of a complete record: command, exit, evidence, check, snapshots" {
	"$HOSTCTX_RUN" -o rec.json -- sh -c 'exit 3' || [ $? -eq 3 ]
	run --separate-stderr hx summary rec.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = "### hostctx: \`sh -c 'exit 3'\`" ]
	[[ "$output" == *"| exit | code 3 |"* ]]
	[[ "$output" == *"| record | complete, by hostctx-run "*", file rec.json |"* ]]
	[[ "$output" == *"Nothing changed during the run."* ]]
	[[ "$output" == *"#### On the host during the run"* ]]
	# at least one line of evidence (the CPU time needs a run longer than a tick)
	[[ "$output" == *"#### On the host during the run"$'\n\n- '* ]]
	[[ "$output" == *"#### hostctx check: "* ]]
	[[ "$output" == *"<details><summary>The host before the run (pre)</summary>"* ]]
	[[ "$output" == *"<details><summary>The host after the run (post)</summary>"* ]]
	[ "$(grep -c '^</details>$' <<<"$output")" -eq 2 ]
}

@test "summary --format=text: the same facts, no Markdown" {
	"$HOSTCTX_RUN" -o rec.json -- true
	run --separate-stderr hx summary --format=text rec.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hostctx: true" ]
	[[ "$output" == *"  exit       code 0"* ]]
	[[ "$output" == *"The host before the run (pre):"* ]]
	[[ "$output" != *"<details>"* ]]
	[[ "$output" != *"###"* ]]
}

@test "summary of a command that could not start, and of an incomplete record" {
	"$HOSTCTX_RUN" -o noexec.json -- /nonexistent/cmd 2>/dev/null || [ $? -eq 127 ]
	# the wrapper killed while its command runs: the in-progress record stays
	"$HOSTCTX_RUN" -o partial.json -- sh -c 'kill -KILL $PPID; sleep 1' || true
	jq_complete=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["complete"])' partial.json)
	[ "$jq_complete" = False ]
	run --separate-stderr hx summary noexec.json partial.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"| exit | could not start (ENOENT) |"* ]]
	# the command died with its wrapper (PR_SET_PDEATHSIG): ended unrecorded
	[[ "$output" == *"| exit | unknown: the record is not complete (its process ended unrecorded) |"* ]]
	[[ "$output" == *"in progress (incomplete)"* ]]
	[[ "$output" == *"run-incomplete"* ]]
}

@test "summary of a snapshot, from standard input" {
	"$MKROOT" tree --cpus 4 --governor powersave >/dev/null
	hx snapshot --root tree >snap.json
	run --separate-stderr hx summary - <snap.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "### hostctx: a snapshot of the host" ]
	[[ "$output" == *"| file | (standard input) |"* ]]
	[[ "$output" == *"4 CPUs online"* ]]
	[[ "$output" == *"<details><summary>The host</summary>"* ]]
}

@test "summary stays within 64 KiB for a huge record and over many files" {
	"$MKROOT" big --cpus 2048 --governor schedutil >/dev/null
	HOSTCTX_ROOT=$PWD/big "$HOSTCTX_RUN" -o big.json -- true
	[ "$(stat -c %s big.json)" -gt 65536 ]
	run --separate-stderr hx summary big.json
	[ "$status" -eq 0 ]
	[ "$(hx summary big.json | wc -c)" -le 65536 ]
	[[ "$output" == *"| exit | code 0 |"* ]]
	[[ "$output" == *"the snapshots are left out"* ]]
	[ "$(hx summary big.json big.json big.json | wc -c)" -le 65536 ]
	[ "$(hx summary --format=text big.json big.json | wc -c)" -le 65536 ]
	# so many files that not all get room: the first ones are summarised,
	# the rest counted, within the bound
	"$HOSTCTX_RUN" -o rec.json -- true
	files=()
	for i in $(seq 100); do files+=(rec.json); done
	run --separate-stderr hx summary "${files[@]}"
	[ "$status" -eq 0 ]
	[ "$(hx summary "${files[@]}" | wc -c)" -le 65536 ]
	[[ "$output" == *"more records not summarised: the summary is limited to 64 KiB"* ]]
	[ "$(grep -c '^### hostctx: `true`$' <<<"$output")" -ge 10 ]
	# whatever the sizes, every file is summarised or counted, never lost
	for n in 20 40 60; do
		run --separate-stderr hx summary "${files[@]:0:$n}"
		[ "$status" -eq 0 ]
		[ "${#output}" -le 65536 ]
		done_n=$(grep -c '^### hostctx: `true`$' <<<"$output")
		more=$(sed -n 's/^\([0-9]*\) more records\{0,1\} not summarised: .*/\1/p' <<<"$output")
		[ $((done_n + ${more:-0})) -eq "$n" ]
	done
}

@test "summary: a bad file is reported in one line, the others still summarised" {
	"$HOSTCTX_RUN" -o rec.json -- true
	printf '{"schema": "nope"' >bad.json
	run --separate-stderr hx summary bad.json rec.json missing.json
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "hostctx: bad.json: "* ]]
	[[ "${stderr_lines[1]}" == "hostctx: missing.json: "* ]]
	[[ "$output" == *"### hostctx: \`true\`"* ]]
}

@test "summary: bad usage is exit 2 with a hint" {
	run --separate-stderr hx summary
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"summary: missing FILE operand"* ]]
	run --separate-stderr hx summary --format=html x.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--format=html: expected markdown or text"* ]]
	run --separate-stderr hx summary --bogus x.json
	[ "$status" -eq 2 ]
	run --separate-stderr hx summary --help
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: hostctx summary "* ]]
}
