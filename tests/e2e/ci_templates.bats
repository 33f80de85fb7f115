#!/usr/bin/env bats
# The GitHub Action (ci/github/action.yml) and the GitLab template
# (ci/gitlab/hostctx.yml): their shell steps (ci/hostctx-ci) run here with
# stand-in GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, a later
# "step" reads what setup left, and the YAML's own shell lines parse.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	# the build's bin directory, as make install lays it out: hostctx,
	# hostctx-run, and ../lib/libhostctx-preload.so (HOSTCTX_RUN may be a
	# test build elsewhere, under valgrind)
	BIN=$(dirname "$HOSTCTX")
	[ -x "$BIN/hostctx-run" ] || { echo "not built: $BIN/hostctx-run" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	CI=$SRC/ci/hostctx-ci
	cd "$T" || return 1
	unset GITHUB_ACTIONS GITLAB_CI HOSTCTX_CI HOSTCTX_DIR LD_PRELOAD CI_PROJECT_DIR \
		HOSTCTX_CI_SYSTEM HOSTCTX_CI_MODE HOSTCTX_CI_DIR
	# the build's programs on PATH, as install leaves them
	PATH=$BIN:$PATH
	export RUNNER_TEMP=$T/runner GITHUB_ENV=$T/github_env GITHUB_PATH=$T/github_path \
		GITHUB_STEP_SUMMARY=$T/step_summary.md
	mkdir -p "$RUNNER_TEMP"
	: >"$GITHUB_ENV"
	: >"$GITHUB_STEP_SUMMARY"
}

# A later step on GitHub: the variables setup appended to GITHUB_ENV.
later_step() {	# COMMAND...
	env $(cat "$GITHUB_ENV") "$@"
}

records() {
	find "$RUNNER_TEMP/hostctx" -name '*.hostctx.json' | wc -l
}

@test "action, prefix mode: setup exports the directory and --ci, a prefixed step summarises itself" {
	export GITHUB_ACTIONS=true
	run "$CI" install "$SRC" "$T/prefix"
	[ "$status" -eq 0 ]
	[ "$output" = "$BIN" ]	# already on PATH: nothing built
	[ ! -e "$T/prefix" ]
	run "$CI" setup
	[ "$status" -eq 0 ]
	grep -qx "HOSTCTX_DIR=$RUNNER_TEMP/hostctx" "$GITHUB_ENV"
	grep -qx "HOSTCTX_CI=github" "$GITHUB_ENV"
	! grep -q LD_PRELOAD "$GITHUB_ENV"
	run --separate-stderr later_step hostctx-run -- echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ "$(records)" -eq 1 ]
	grep -qx '### hostctx: `echo hi`' "$GITHUB_STEP_SUMMARY"
	run "$CI" finish
	[ "$status" -eq 0 ]
	[ "$output" = "hostctx: 1 record(s) in $RUNNER_TEMP/hostctx" ]
	# hostctx-run wrote the summary; finish does not write it again
	[ "$(grep -c '^### hostctx: ' "$GITHUB_STEP_SUMMARY")" -eq 1 ]
}

@test "action, preload mode: every later step is recorded unchanged, finish summarises them and records nothing" {
	export GITHUB_ACTIONS=true HOSTCTX_CI_MODE=preload
	run "$CI" setup
	[ "$status" -eq 0 ]
	grep -qx "LD_PRELOAD=$(dirname "$BIN")/lib/libhostctx-preload.so" "$GITHUB_ENV"
	run --separate-stderr later_step sh -c 'echo step one'
	[ "$output" = "step one" ]
	[ -z "$stderr" ]
	run later_step false
	[ "$status" -eq 1 ]
	[ "$(records)" -eq 2 ]
	# finish runs with the step's environment, LD_PRELOAD included, and
	# the action's HOSTCTX_PRELOAD_DISABLE=1 (checked in the last test)
	run --separate-stderr later_step HOSTCTX_PRELOAD_DISABLE=1 "$CI" finish
	[ "$status" -eq 0 ]
	[ "$(records)" -eq 2 ]
	grep -qx "### hostctx: \`sh -c 'echo step one'\`" "$GITHUB_STEP_SUMMARY"
	grep -qx '### hostctx: `false`' "$GITHUB_STEP_SUMMARY"
	grep -qx '| exit | code 1 |' "$GITHUB_STEP_SUMMARY"
}

@test "template, GitLab: setup prints assignments to eval, a prefixed command prints its section, finish the metrics" {
	export GITLAB_CI=true CI_PROJECT_DIR=$T/project
	mkdir -p "$CI_PROJECT_DIR"
	unset RUNNER_TEMP
	run --separate-stderr "$CI" setup
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "export HOSTCTX_DIR='$T/project/hostctx'" ]
	[ "${lines[1]}" = "export HOSTCTX_CI='gitlab'" ]
	eval "$output"
	run --separate-stderr hostctx-run -- echo hi
	[ "$output" = hi ]
	[[ "${stderr_lines[0]}" == $'\e[0Ksection_start:'*':hostctx[collapsed=true]'$'\r\e[0K''hostctx: '* ]]
	run --separate-stderr "$CI" finish
	[ "$status" -eq 0 ]
	[ -s "$T/project/hostctx/metrics.txt" ]
	[ "$(tail -1 "$T/project/hostctx/metrics.txt")" = "# EOF" ]
}

@test "hostctx-ci: not in CI, an unknown step or mode, no setup: exit 2 and one line" {
	run --separate-stderr "$CI" setup
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx-ci: not in GitHub Actions or GitLab CI: set HOSTCTX_CI_SYSTEM=github|gitlab" ]
	export GITHUB_ACTIONS=true
	run --separate-stderr "$CI" deploy
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx-ci: unknown step 'deploy' (install, setup or finish)" ]
	HOSTCTX_CI_MODE=inject run --separate-stderr "$CI" setup
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HOSTCTX_CI_MODE: 'inject' is neither prefix nor preload" ]]
	run --separate-stderr "$CI" finish
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no such directory (did setup run?)" ]]
}

@test "hostctx-ci install builds and installs from the sources when hostctx-run is not on PATH" {
	PATH=$(printf %s "$PATH" | tr : '\n' | grep -vx "$BIN" | paste -sd:)
	! command -v hostctx-run
	# a clean copy, without the build directories and .git: the test
	# must not build in the tree
	mkdir "$T/src"
	(cd "$SRC" && tar --exclude=./.git --exclude='./build*' -cf - .) | tar -xf - -C "$T/src"
	run --separate-stderr "$CI" install "$T/src" "$T/prefix"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/prefix/bin" ]
	[ -x "$T/prefix/bin/hostctx-run" ]
	[ -x "$T/prefix/share/hostctx/hostctx-ci" ]
	PATH=$T/prefix/bin:$PATH HOSTCTX_CI_SYSTEM=github HOSTCTX_CI_MODE=preload run "$CI" setup
	[ "$status" -eq 0 ]
	grep -qx "LD_PRELOAD=$T/prefix/lib/libhostctx-preload.so" "$GITHUB_ENV"
}

@test "the action's and the template's shell lines parse, and call the script that is tested here" {
	python3 - "$SRC/ci/github/action.yml" "$SRC/ci/gitlab/hostctx.yml" <<'PY'
import subprocess, sys, yaml
action, template = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
runs = [s for s in action["runs"]["steps"] if "run" in s]
assert action["runs"]["using"] == "composite"
assert len(runs) == 2 and all(s["shell"] == "bash" for s in runs)
assert any("hostctx-ci\" install" in s["run"] for s in runs)
assert any("hostctx-ci\" finish" in s["run"] for s in runs)
assert all(s["env"]["HOSTCTX_CI_SYSTEM"] == "github" for s in runs)
finish = [s for s in action["runs"]["steps"] if "finish" in s.get("run", "")]
assert finish[0]["env"]["HOSTCTX_PRELOAD_DISABLE"] == "1"
assert all("HOSTCTX_PRELOAD_DISABLE=1" in l for l in template[".hostctx"]["after_script"] if "finish" in l)
for s in runs:
    subprocess.run(["bash", "-n"], input=s["run"], text=True, check=True)
job = template[".hostctx"]
assert job["artifacts"]["reports"]["metrics"] == "hostctx/metrics.txt"
for line in job["before_script"] + job["after_script"]:
    subprocess.run(["sh", "-n"], input=line, text=True, check=True)
assert any("setup" in l for l in job["before_script"])
assert any("finish" in l for l in job["after_script"])
PY
}
