#!/usr/bin/env bats
# Every kind of JSON document hostctx writes, made here and validated
# against docs/schema (draft 2020-12, python3-jsonschema): snapshots of
# this host, of synthetic trees and of the real machines' trees;
# sidecars of every ending (exit, signal, exec error, killed wrapper,
# drift, descendants) from the wrapper and the preload library.

setup() {
	T=$BATS_TEST_TMPDIR
	V=$BATS_TEST_DIRNAME/validate_json.py
	MKROOT=$BATS_TEST_DIRNAME/../fixtures/mkroot
	unset HOSTCTX_DIR HOSTCTX_OUTPUT HOSTCTX_ROOT HOSTCTX_FIELDS HOSTCTX_REDACT LD_PRELOAD
}

hx() {
	${EXEC_PREFIX:-} "$HOSTCTX" "$@"
}

valid() {	# KIND FILE...: each one valid, and at least one given
	local kind=$1
	shift
	[ "$#" -gt 0 ]
	run python3 "$V" "$kind" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the schemas are valid draft 2020-12 schemas, and an invalid document is caught" {
	echo '{"online_cpus": "2", "cpufreq_governor": {"cpu0": "performance"}}' >"$T/bad.json"
	run python3 "$V" snapshot "$T/bad.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *online_cpus* && $output == *cpufreq_governor* ]]
	echo '{"schema": "hostctx-sidecar/1", "tool": {"name": "x", "version": "1"}, "complete": false, "command": {"argv": []}, "post": {}}' >"$T/bad2.json"
	run python3 "$V" sidecar "$T/bad2.json"
	[ "$status" -eq 1 ]
}

@test "snapshots of this host: every field, --redact, --fields=seed, each group" {
	hx snapshot >"$T/live.json"
	hx snapshot --redact >"$T/redact.json"
	hx snapshot --fields=seed >"$T/seed.json"
	for g in $(hx snapshot --fields=help | awk '{print $1}'); do
		hx snapshot --fields="$g" >"$T/group-$g.json"
	done
	valid snapshot "$T"/*.json
}

@test "snapshots of synthetic trees" {
	"$MKROOT" "$T/r1" --cpus 64 --nodes 4 --sparse-nodes --governor performance \
		--config-gz on --delayacct 1 --sched-defaults --thp 'always [madvise] never' >/dev/null
	"$MKROOT" "$T/r2" --cpus 8 --online 0-3 --config-gz off --delayacct 0 --crlf \
		--policy-symlinks --governor 0=schedutil,1=powersave >/dev/null
	"$MKROOT" "$T/r3" --cpus 16 --nodes 2 --nul-terminated --config-gz noline \
		--delayacct empty --hugepages 8,3,1048576 >/dev/null
	"$MKROOT" "$T/r4" --config-gz notgz --edge-cases >/dev/null
	mkdir "$T/empty"
	for r in "$T"/r? "$T/empty"; do
		hx snapshot --root="$r" >"$r.json"
	done
	valid snapshot "$T"/r?.json "$T/empty.json"
}

@test "snapshots of the real machines' trees" {
	[ -n "${HOSTCTX_SHARED:-}" ] && [ -d "$HOSTCTX_SHARED/fixtures/real" ] ||
		skip "no ../shared/fixtures/real beside the tree"
	local n=0
	for r in "$HOSTCTX_SHARED"/fixtures/real/*/root; do
		n=$((n + 1))
		hx snapshot --root="$r" >"$T/real$n.json"
	done
	[ "$n" -ge 32 ]
	valid snapshot "$T"/real*.json
}

@test "sidecars of the wrapper: exit, failure, signal, exec error, killed wrapper, drift, descendants" {
	local run=${EXEC_PREFIX:-}
	$run "$HOSTCTX_RUN" -o "$T/true.json" -- true
	$run "$HOSTCTX_RUN" -o "$T/false.json" -- false || true
	$run "$HOSTCTX_RUN" -o "$T/signal.json" -- sh -c 'kill -TERM $$' || true
	$run "$HOSTCTX_RUN" -o "$T/noexec.json" -- /nonexistent/command 2>/dev/null || true
	$run "$HOSTCTX_RUN" -o "$T/desc.json" --wait-descendants=5 -- sh -c 'sleep 0.2 &' || true
	$run "$HOSTCTX_RUN" -o "$T/root.json" --root=/ -- true
	# a wrapper killed during the run leaves its in-progress record
	"$HOSTCTX_RUN" -o "$T/killed.json" -- sh -c 'kill -KILL $PPID; sleep 0.3' || true
	sleep 0.5
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["complete"])' "$T/killed.json")" = False ]
	# drift on a tree: changes with classes
	"$MKROOT" "$T/r" --cpus 4 --governor performance --sched-defaults >/dev/null
	ROOT=$T/r $run "$HOSTCTX_RUN" --root="$T/r" -o "$T/drift.json" -- sh -c \
		'echo powersave >$ROOT/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor'
	[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["changes"]))' "$T/drift.json")" -ge 1 ]
	# --watch-writes on the tree: writes, and a change written_by
	ROOT=$T/r $run "$HOSTCTX_RUN" --watch-writes --root="$T/r" -o "$T/watched.json" -- sh -c \
		'echo performance >$ROOT/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor; echo 9 >$ROOT/proc/sys/kernel/sched_x'
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["writes"] and any("written_by" in c for c in d["changes"]), d' "$T/watched.json"
	valid sidecar "$T"/*.json
}

@test "sidecars of the preload library: the process, an exec'd program, an in-progress record" {
	[ "${HOSTCTX_SANITIZE:-0}" = 0 ] || skip "the preload library is tested in the normal build"
	mkdir "$T/rec"
	LD_PRELOAD="$HOSTCTX_PRELOAD_LIB" HOSTCTX_DIR="$T/rec" /bin/true
	LD_PRELOAD="$HOSTCTX_PRELOAD_LIB" HOSTCTX_DIR="$T/rec" sh -c 'exec /bin/true'
	LD_PRELOAD="$HOSTCTX_PRELOAD_LIB" HOSTCTX_DIR="$T/rec" sh -c 'kill -KILL $$' || true
	valid sidecar "$T"/rec/*.hostctx.json
}

@test "diff --json: a record's changes, two trees, --all with deltas; a malformed document is caught" {
	local run=${EXEC_PREFIX:-}
	"$MKROOT" "$T/a" --cpus 4 --governor performance --sched-defaults >/dev/null
	"$MKROOT" "$T/b" --cpus 8 --nodes 2 --governor powersave --thp 'always [madvise] never' >/dev/null
	hx snapshot --root "$T/a" >"$T/a.json"
	hx snapshot --root "$T/b" >"$T/b.json"
	ROOT=$T/a $run "$HOSTCTX_RUN" --root="$T/a" -o "$T/drift.json" -- sh -c \
		'echo powersave >$ROOT/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor'
	$run "$HOSTCTX_RUN" -o "$T/live.json" -- true
	mkdir "$T/out"
	hx diff --json "$T/a.json" "$T/b.json" >"$T/out/trees.json" || [ $? -eq 1 ]
	hx diff --json "$T/drift.json" >"$T/out/drift.json" || [ $? -eq 1 ]
	hx diff --json --all "$T/drift.json" >"$T/out/drift-all.json" || [ $? -eq 1 ]
	hx diff --json --all "$T/live.json" >"$T/out/live-all.json" || [ $? -eq 1 ]
	hx diff --json=grouped "$T/a.json" "$T/b.json" >"$T/out/trees-grouped.json" || [ $? -eq 1 ]
	hx diff --json=grouped --all "$T/drift.json" >"$T/out/drift-grouped.json" || [ $? -eq 1 ]
	hx diff --json=grouped "$T/live.json" "$T/a.json" >"$T/out/producers-grouped.json" || [ $? -eq 1 ]
	hx diff --json -t 'cpufreq_*=any' "$T/live.json" "$T/a.json" >"$T/out/marks.json" || [ $? -eq 1 ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["producers"], d' "$T/out/producers-grouped.json"
	hx diff --json "$T/a.json" "$T/a.json" >"$T/out/same.json"
	[ "$(cat "$T/out/same.json")" = "[]" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "deltas" in d, d' "$T/out/live-all.json"
	valid diff "$T"/out/*.json
	echo '[{"field": "x", "before": 1}]' >"$T/bad.json"
	run python3 "$V" diff "$T/bad.json"
	[ "$status" -eq 1 ]
	echo '{"changes": [], "deltas": {}, "deltas_unavailable": "boot_changed"}' >"$T/bad.json"
	run python3 "$V" diff "$T/bad.json"
	[ "$status" -eq 1 ]
	echo '{"same": true, "form": "files", "classes": {}, "not_comparable": []}' >"$T/bad.json"
	run python3 "$V" diff "$T/bad.json"
	[ "$status" -eq 1 ]
}
