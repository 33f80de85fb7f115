#!/usr/bin/env bats
# `hostctx report` (docs/fleet.md): records made here (a run, a failing
# run, an exec error, a synthetic tree's mixed governors) grouped by host
# configuration; thousands of generated variants, whose groups, wall
# times, failures and drift answer as python3 computes them, in text and
# in JSON valid against the report schema; --by, --command; directories
# with an unreadable file, a symlink loop, malformed and unknown
# documents, a bare snapshot; standard input.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	V=$BATS_TEST_DIRNAME/validate_json.py
	GEN=$BATS_TEST_DIRNAME/fleet_gen.py
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	unset HOSTCTX_DIR HOSTCTX_OUTPUT HOSTCTX_ROOT HOSTCTX_FIELDS HOSTCTX_REDACT LD_PRELOAD
	cd "$T" || return 1
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hx() {
	under_exec_prefix "$HOSTCTX" "$@"
}

# Records in rec/: a.hostctx.json (true), b (exit 3), e (exec error);
# t.json beside: a tree whose CPUs 0, 2, 3 run schedutil and CPU 1 powersave.
make_records() {
	mkdir -p rec
	"$HOSTCTX_RUN" -o rec/a.hostctx.json -- true
	run -3 "$HOSTCTX_RUN" -o rec/b.hostctx.json -- sh -c 'exit 3'
	run -127 "$HOSTCTX_RUN" -o rec/e.hostctx.json -- /nonexistent/cmd
	"$MKROOT" tree --cpus 4 --governor 0=schedutil,1=powersave,2=schedutil,3=schedutil >/dev/null
	HOSTCTX_ROOT=tree "$HOSTCTX_RUN" -o t.json -- true
}

@test "--help names the options; bad usage exits 2 with a hint" {
	run --separate-stderr hx report --help
	[ "$status" -eq 0 ]
	for o in --by=FIELD --command=GLOB --json --no-sandbox; do
		[[ $output == *"$o"* ]] || { echo "missing $o"; false; }
	done
	for args in "" "--bogus x" "--by" "--by=nosuch x" "--by=, x"; do
		# shellcheck disable=SC2086
		run --separate-stderr hx report $args
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ $stderr == "hostctx: report: "*$'\n'"Try 'hostctx --help'." ]]
	done
	run --separate-stderr hx report --by=nosuch x
	[[ ${stderr_lines[0]} == "hostctx: report: --by: no such field: nosuch" ]]
}

@test "records made here: one group for this host, another for the tree; statuses, incomplete, JSON valid" {
	make_records
	run --separate-stderr hx report rec t.json
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ ${lines[0]} == "4 runs in 2 groups, by host configuration" ]]
	[[ $output == *"exit 0 (1), exit 3 (1), exec error ENOENT (1)"* ]]
	[[ $output == *"failures 2, drift 0"* ]]
	[[ $output == *"incomplete records: 1 run"*"rec/e.hostctx.json (group 1): run-incomplete (no post)"* ]]
	[[ $output == *"fields that vary across the groups:"*"  cpufreq_governor"* ]]
	hx report --json rec t.json >r.json
	python3 "$V" report r.json
	python3 - r.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["inputs"] == {"records": 4, "runs": 4, "other_command": 0, "snapshots": 0,
                       "no_snapshot": 0, "unreadable": 0}, r["inputs"]
g = {x["id"]: x for x in r["groups"]}
assert g[1]["runs"] == 3 and g[2]["runs"] == 1, g
assert g[1]["first_file"] == "rec/a.hostctx.json" and g[2]["first_file"] == "t.json"
assert g[2]["values"]["cpufreq_governor"] == "0,2-3:schedutil;1:powersave", g[2]["values"]
assert g[1]["wall_seconds"]["count"] == 2 and g[1]["failures"] == 2
fields = [v["field"] for v in r["varying"]]
assert "cpufreq_governor" in fields and "boot_id" not in fields, fields
assert r["incomplete"]["count"] == 1
EOF
}

@test "3,000 generated records: groups, wall times, failures and drift as python3 computes them" {
	make_records
	python3 "$GEN" t.json fleet 3000 >expected.json
	hx report --json fleet >r.json
	python3 "$V" report r.json
	python3 - expected.json r.json <<'EOF'
import json, sys
want, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r["inputs"]["runs"] == 3000 and len(r["groups"]) == 9, (r["inputs"], len(r["groups"]))
got = {}
for g in r["groups"]:
    key = g["values"]["cpu_model"] + "|" + g["values"]["cpufreq_governor"]
    w = g["wall_seconds"]
    got[key] = {"runs": g["runs"], "median": w["median"], "mean": w["mean"], "min": w["min"],
                "max": w["max"], "failures": g["failures"], "drift": g["drift"]}
    assert g["machine_types"] == [{"value": g["values"]["cpu_model"], "runs": g["runs"],
                                   "drift": g["drift"]}]
assert set(got) == set(want), (set(got) ^ set(want))
for k in want:
    for stat in want[k]:
        assert abs(got[k][stat] - want[k][stat]) < 1e-9, (k, stat, got[k][stat], want[k][stat])
medians = [g["wall_seconds"]["median"] for g in r["groups"]]
assert medians == sorted(medians, reverse=True), "not the slowest first"
assert [v["field"] for v in r["varying"]] == ["cpu_model", "cpufreq_governor"], r["varying"]
assert sum(v["runs"] for v in r["varying"][0]["values"]) == 3000
assert r["drift"]["count"] == sum(w["drift"] for w in want.values())
assert len(r["drift"]["listed"]) == 50
assert r["drift"]["listed"][0]["fields"] == ["cpufreq_governor.cpu1"]
EOF
	# the text: one screen per part, the lists cut at ten
	run --separate-stderr hx report fleet
	[ "$status" -eq 0 ]
	[ "$(grep -c '^group ' <<<"$output")" -eq 9 ]
	[[ $output == *"... and "*" more (--json lists the first 50)"* ]]
}

@test "--by groups by the chosen fields' values; --command keeps one command's runs" {
	make_records
	python3 "$GEN" t.json fleet 300 >expected.json
	hx report --json --by=cpu_model fleet >by.json
	python3 "$V" report by.json
	python3 - expected.json by.json <<'EOF'
import json, sys
want, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r["by"] == ["cpu_model"] and len(r["groups"]) == 3
runs = {}
for k, v in want.items():
    runs[k.split("|")[0]] = runs.get(k.split("|")[0], 0) + v["runs"]
assert {g["values"]["cpu_model"]: g["runs"] for g in r["groups"]} == runs
assert [v["field"] for v in r["varying"]] == ["cpu_model"]
EOF
	hx report --json --by=cpu_model,cpufreq_governor fleet >by2.json
	python3 - expected.json by2.json <<'EOF'
import json, sys
want, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = {g["values"]["cpu_model"] + "|" + g["values"]["cpufreq_governor"]: g["runs"] for g in r["groups"]}
assert got == {k: v["runs"] for k, v in want.items()}, got
EOF
	# the fleet ran true; rec/ ran true, sh and /nonexistent/cmd
	run --separate-stderr hx report --json --command=sh rec fleet
	[ "$status" -eq 0 ]
	python3 -c 'import json, sys; r = json.loads(sys.argv[1]); i = r["inputs"]
assert (i["runs"], i["other_command"], r["command"]) == (1, 302, "sh"), i' "$output"
	run --separate-stderr hx report --command='*exit 3*' rec
	[[ ${lines[0]} == "1 run in 1 group, by host configuration; command *exit 3*" ]]
	run --separate-stderr hx report --command=/nonexistent/cmd --by=cpu_model rec
	[[ ${lines[0]} == "1 run in 1 group, by cpu_model; command /nonexistent/cmd" ]]
}

@test "an unreadable file among readable ones: reported, the rest reported, exit 2" {
	[ "$(id -u)" != 0 ] || skip "root reads a mode 000 file"
	make_records
	chmod 000 rec/b.hostctx.json
	run --separate-stderr hx report --json rec
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx: rec/b.hostctx.json: Permission denied" ]
	python3 -c 'import json, sys; i = json.loads(sys.argv[1])["inputs"]
assert (i["runs"], i["unreadable"]) == (2, 1), i' "$output"
}

@test "a directory with a symlink loop, malformed and unknown documents, a snapshot: warned, the rest reported" {
	make_records
	mkdir -p dir/a/b
	cp rec/a.hostctx.json dir/a/b/x.hostctx.json
	cp t.json dir/t.hostctx.json
	ln -s . dir/loop
	ln -s .. dir/a/up
	echo 'not json' >dir/bad.hostctx.json
	head -c 300 rec/a.hostctx.json >dir/cut.hostctx.json
	echo '{"schema": "other/2"}' >dir/other.hostctx.json
	echo '[1, 2]' >dir/array.hostctx.json
	hx snapshot --root=tree >dir/snap.hostctx.json
	run --separate-stderr hx report --json dir
	echo "$stderr"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 5 ]
	[[ ${stderr_lines[0]} == "hostctx: dir/array.hostctx.json: top level is not an object" ]]
	[[ ${stderr_lines[1]} == "hostctx: dir/bad.hostctx.json: not JSON"* ]]
	[[ ${stderr_lines[2]} == "hostctx: dir/cut.hostctx.json: "* ]]
	[[ ${stderr_lines[3]} == "hostctx: dir/other.hostctx.json: unknown schema \"other/2\""* ]]
	[[ ${stderr_lines[4]} == "hostctx: dir/snap.hostctx.json: a snapshot, not a record: left out" ]]
	python3 -c 'import json, sys; i = json.loads(sys.argv[1])["inputs"]
assert i == {"records": 2, "runs": 2, "other_command": 0, "snapshots": 1, "no_snapshot": 0,
             "unreadable": 4}, i' "$output"
	# a snapshot alone is a warning, not trouble; the same without the sandbox
	run --separate-stderr hx report --no-sandbox dir/snap.hostctx.json dir/t.hostctx.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "hostctx: dir/snap.hostctx.json: a snapshot, not a record: left out" ]
	[[ $output == "1 run in 1 group, by host configuration"$'\n'"left out: 0 of other commands, 1 snapshots,"* ]]
}

@test "standard input is '-'" {
	make_records
	run --separate-stderr hx report - <t.json
	[ "$status" -eq 0 ]
	[[ $output == *"group 1: 1 run, first -"* ]]
	run --separate-stderr hx report --json - </dev/null
	[ "$status" -eq 2 ]
	[[ $stderr == "hostctx: (standard input): "* ]]
	python3 -c 'import json, sys; assert json.loads(sys.argv[1])["inputs"]["unreadable"] == 1' "$output"
}

@test "tolerances group as diff compares: MemTotal within 1% by default, --tolerance, --no-default-tolerances" {
	cd "$T"
	for n in a b; do
		mem=65536000
		[ "$n" = b ] && mem=65404928	# 0.2 % less: the same machine type
		"$MKROOT" "$n" --cpus 4 --model X --memtotal "$mem" >/dev/null
		"$HOSTCTX_RUN" --root="$T/$n" -o "$n.hostctx.json" -- true
	done
	groups() {
		hx report --json "$@" a.hostctx.json b.hostctx.json |
			python3 -c 'import json, sys; print(len(json.load(sys.stdin)["groups"]))'
	}
	[ "$(groups)" = 1 ]
	[ "$(groups --no-default-tolerances)" = 2 ]
	[ "$(groups --tolerance=total_memory_kib=0.1%)" = 2 ]
	[ "$(groups --no-default-tolerances -t total_memory_kib=any)" = 1 ]
	printf 'total_memory_kib 0\n' >tol
	[ "$(groups --tolerances=tol)" = 2 ]
	run --separate-stderr hx report --tolerance=bogus a.hostctx.json
	[ "$status" -eq 2 ]
	[[ ${stderr_lines[0]} == "hostctx: report: --tolerance=bogus: expected GLOB=SPEC"* ]]
}
