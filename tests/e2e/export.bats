#!/usr/bin/env bats
# `hostctx export` (docs/fleet.md) on records made here: a run, an exec
# error, a synthetic tree's mixed governors; NDJSON and CSV with the
# same fixed columns, valid against the export schema; directories
# (nested, sorted, a bad file, a symlink loop); --snapshots; standard
# input; and 1,000 records loaded into sqlite3 with the documented
# commands, whose documented queries answer as python3 does and as
# `hostctx report --json` does on the same files.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	V=$BATS_TEST_DIRNAME/validate_json.py
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	FLEET_MD="$BATS_TEST_DIRNAME/../../docs/fleet.md"
	unset HOSTCTX_DIR HOSTCTX_OUTPUT HOSTCTX_ROOT HOSTCTX_FIELDS HOSTCTX_REDACT LD_PRELOAD
	cd "$T" || return 1
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hx() {
	under_exec_prefix "$HOSTCTX" "$@"
}

# Three records: r.json (true), e.json (exec error), t.json (a tree whose
# CPUs 0, 2, 3 run schedutil and CPU 1 powersave).
make_records() {
	"$HOSTCTX_RUN" -o r.json -- true
	run -127 "$HOSTCTX_RUN" -o e.json -- /nonexistent/cmd
	"$MKROOT" tree --cpus 4 --governor 0=schedutil,1=powersave,2=schedutil,3=schedutil >/dev/null
	HOSTCTX_ROOT=tree "$HOSTCTX_RUN" -o t.json -- true
}

# The sql block after "<!-- fleet-test: NAME -->" in docs/fleet.md.
fleet_block() {
	awk -v name="$1" '
		$0 == "<!-- fleet-test: " name " -->" { found = 1; next }
		found && /^```sql$/ { inside = 1; next }
		inside && /^```$/ { exit }
		inside { print }' "$FLEET_MD"
}

@test "--help names the formats; bad usage exits 2 with a hint" {
	run --separate-stderr hx export --help
	[ "$status" -eq 0 ]
	[[ $output == *"--format=ndjson|csv"* ]]
	[[ $output == *"--snapshots"* && $output == *"--no-sandbox"* ]]
	for args in "" "--format=xml r.json" "--bogus r.json" "--format"; do
		# shellcheck disable=SC2086
		run --separate-stderr hx export $args
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ $stderr == "hostctx: export: "*$'\n'"Try 'hostctx --help'." ]]
	done
}

@test "records: one row each, the same columns in NDJSON and CSV, valid rows, typed values" {
	make_records
	hx export r.json e.json t.json >rows.ndjson
	hx export --format=csv r.json e.json t.json >rows.csv
	python3 "$V" export rows.ndjson
	python3 - rows.ndjson rows.csv <<'EOF'
import csv, json, sys
rows = [json.loads(l, object_pairs_hook=list) for l in open(sys.argv[1])]
assert len(rows) == 3, len(rows)
names = [k for k, _ in rows[0]]
assert all([k for k, _ in r] == names for r in rows), "columns differ"
assert len(set(names)) == len(names), "a column twice"
assert names[:6] == ["file", "schema", "mode", "complete", "command_argv0", "command_argv"], names[:6]
r, e, t = (dict(x) for x in rows)
assert r["file"] == "r.json" and r["complete"] is True and r["run_exit_code"] == 0
assert isinstance(r["run_wall_seconds"], float) and isinstance(r["pre_total_memory_kib"], int)
assert r["run_started_at"].endswith("Z") and r["run_started_at"][10] == "T"
assert json.loads(r["command_argv"]) == ["true"] and r["command_argv0"] == "true"
assert isinstance(json.loads(r["pre_sysctls"]), dict)
assert r["changes_count"] is not None and r["deltas_seconds"] is not None
assert e["run_exec_error"] == "ENOENT" and e["run_exit_code"] is None
assert e["command_argv0"] == "/nonexistent/cmd" and e["post_cpu_model"] is None
assert e["changes_count"] is None and e["deltas_context_switches"] is None
assert t["pre_cpufreq_governor"] == "0,2-3:schedutil;1:powersave", t["pre_cpufreq_governor"]
assert t["pre_cpufreq_governor_uniform"] is None and t["changes_count"] == 0
with open(sys.argv[2], newline="") as f:
    table = list(csv.reader(f))
assert table[0] == names, "the CSV header is not the NDJSON keys"
assert len(table) == 4 and all(len(x) == len(names) for x in table)
c = dict(zip(names, table[3]))
assert c["pre_cpufreq_governor"] == t["pre_cpufreq_governor"]
assert c["pre_cpufreq_governor_uniform"] == "" and c["file"] == "t.json"
assert float(c["run_wall_seconds"]) == t["run_wall_seconds"]
assert open(sys.argv[2], "rb").read().endswith(b"\r\n")
EOF
}

@test "directories: nested and sorted, only *.hostctx.json, a bad file reported, a symlink loop not followed" {
	make_records
	mkdir -p dir/a/b dir/c
	cp r.json dir/a/b/x.hostctx.json
	cp t.json dir/y.hostctx.json
	cp e.json dir/c/e.hostctx.json
	cp r.json dir/other.json	# not a record's name: passed over
	echo 'not json' >dir/bad.hostctx.json
	ln -s . dir/loop
	ln -s ../r.json dir/link.hostctx.json	# a link to a file is followed
	run --separate-stderr hx export dir
	echo "$stderr"
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx: dir/bad.hostctx.json: not JSON (parse error near byte 0)" ]
	python3 - "$output" <<'EOF'
import json, sys
files = [json.loads(l)["file"] for l in sys.argv[1].splitlines()]
assert files == ["dir/a/b/x.hostctx.json", "dir/c/e.hostctx.json",
                 "dir/link.hostctx.json", "dir/y.hostctx.json"], files
EOF
	# the same without the sandbox; a trailing slash is not doubled
	run --separate-stderr hx export --no-sandbox dir/
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == '{"file":"dir/a/b/x.hostctx.json",'* ]]
}

@test "an unreadable file among readable ones: reported, the rest exported, exit 2" {
	[ "$(id -u)" != 0 ] || skip "root reads a mode 000 file"
	"$HOSTCTX_RUN" -o r.json -- true
	mkdir dir
	cp r.json dir/a.hostctx.json
	cp r.json dir/b.hostctx.json
	chmod 000 dir/a.hostctx.json
	run --separate-stderr hx export dir
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx: dir/a.hostctx.json: Permission denied" ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "--snapshots: a row per snapshot with its phase; a bare snapshot only so" {
	make_records
	HOSTCTX_ROOT=tree hx snapshot >snap.json
	hx export --snapshots r.json e.json snap.json >snaps.ndjson
	python3 "$V" export snaps.ndjson
	python3 - snaps.ndjson <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["file"], r["phase"]) for r in rows] == [
    ("r.json", "pre"), ("r.json", "post"), ("e.json", "pre"), ("snap.json", "snapshot")]
assert rows[3]["cpufreq_governor"] == "0,2-3:schedutil;1:powersave"
assert rows[3]["schema"] is None and rows[0]["schema"] == "hostctx-sidecar/1"
assert all(list(r) == list(rows[0]) for r in rows)
EOF
	hx export --snapshots --format=csv r.json | head -1 | grep -q '^file,phase,schema,'
	run --separate-stderr hx export snap.json r.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "hostctx: snap.json: a snapshot, not a record (--snapshots exports snapshots)" ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "standard input is '-'" {
	"$HOSTCTX_RUN" -o r.json -- true
	run --separate-stderr hx export - <r.json
	[ "$status" -eq 0 ]
	[[ $output == '{"file":"-","schema":"hostctx-sidecar/1",'* ]]
	run --separate-stderr hx export - </dev/null
	[ "$status" -eq 2 ]
	[[ $stderr == "hostctx: (standard input): "* ]]
}

@test "sqlite3: 1,000 records load with docs/fleet.md's commands, its queries answer as python3 and hostctx report --json do" {
	command -v sqlite3 >/dev/null || skip "no sqlite3 (Debian: apt-get install sqlite3)"
	make_records
	mkdir fleet
	# 1,000 variants of the tree's record: CPU model, governors, wall time, drift
	python3 - t.json fleet >expected.txt <<'EOF'
import json, os, random, statistics, sys
base = json.load(open(sys.argv[1]))
models = ["Xeon Gold 6338", "EPYC 7763", "Neoverse N1"]
governors = [("schedutil",) * 4, ("performance",) * 4, ("schedutil", "powersave", "schedutil", "schedutil")]
def cpulist(govs):
    groups = {}
    for cpu, g in enumerate(govs):
        groups.setdefault(g, []).append(cpu)
    def ranges(cpus):
        out, start = [], cpus[0]
        for a, b in zip(cpus, cpus[1:] + [None]):
            if b != a + 1:
                out.append(str(start) if start == a else f"{start}-{a}")
                start = b
        return ",".join(out)
    return ";".join(f"{ranges(c)}:{g}" for g, c in sorted(groups.items(), key=lambda x: x[1][0]))
rng = random.Random(7)
runs, drift = {}, {}
for i in range(1000):
    d = json.loads(json.dumps(base))
    model, govs = rng.choice(models), rng.choice(governors)
    wall = round(rng.uniform(1, 2) + 0.1 * models.index(model) + 0.05 * governors.index(govs), 6)
    drifted = rng.random() < 0.1 * (1 + models.index(model))
    for side in ("pre", "post"):
        d[side]["cpu_model"] = model
        d[side]["cpufreq_governor"] = {str(c): g for c, g in enumerate(govs)}
    if drifted:
        d["post"]["cpufreq_governor"]["1"] = "userspace"
    d["run"]["wall_seconds"] = wall
    d.pop("changes", None)
    sub = os.path.join(sys.argv[2], model.split()[0])
    os.makedirs(sub, exist_ok=True)
    json.dump(d, open(os.path.join(sub, f"run{i:04}.hostctx.json"), "w"))
    runs.setdefault((model, cpulist(govs)), []).append(wall)
    drift.setdefault(model, [0, 0])
    drift[model][0] += drifted
    drift[model][1] += 1
mean = {k: statistics.fmean(v) for k, v in runs.items()}
slowest = max(mean, key=lambda k: (mean[k], [-ord(ch) for ch in k[0] + k[1]]))
print(f"{slowest[0]}|{slowest[1]}|{len(runs[slowest])}|{mean[slowest]:.6f}")
for model in sorted(drift):
    print(f"{model}|{drift[model][0]}|{drift[model][1]}")
walls = [w for v in runs.values() for w in v]
print(f"1000|{statistics.fmean(walls):.6f}")
EOF
	# Outside the exec prefix: 1,000 parses under valgrind would take minutes;
	# the tests above run the same code under it.
	"$HOSTCTX" export fleet >runs.ndjson
	"$HOSTCTX" export --format=csv fleet >runs.csv
	[ "$(wc -l <runs.ndjson)" -eq 1000 ]
	# a sample: the schema check costs ~9 ms a row, the other tests check all theirs
	head -50 runs.ndjson >sample.ndjson
	python3 "$V" export sample.ndjson
	{
		fleet_block sqlite-load
		fleet_block sqlite-slowest
		fleet_block sqlite-drift
		fleet_block sqlite-csv
	} >recipe.sql
	[ "$(grep -c . recipe.sql)" -gt 10 ]
	sqlite3 fleet.db <recipe.sql >answers.txt
	diff -u expected.txt answers.txt
	# hostctx report --json on the same files answers the same two questions:
	# the slowest configuration (its groups: by host configuration) and the
	# drift count per machine type (the groups' machine types)
	"$HOSTCTX" report --json fleet >report.json
	python3 "$V" report report.json
	python3 - report.json >from_report.txt <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["by"] is None and r["inputs"]["runs"] == 1000
def key(g):
    v = g["values"]
    return (-g["wall_seconds"]["mean"], v["cpu_model"], v["cpufreq_governor"])
slowest = min(r["groups"], key=key)
v = slowest["values"]
print(f'{v["cpu_model"]}|{v["cpufreq_governor"]}|{slowest["runs"]}|{slowest["wall_seconds"]["mean"]:.6f}')
machines = {}
for g in r["groups"]:
    for m in g["machine_types"]:
        d = machines.setdefault(m["value"], [0, 0])
        d[0] += m["drift"]
        d[1] += m["runs"]
for model in sorted(machines):
    print(f"{model}|{machines[model][0]}|{machines[model][1]}")
EOF
	{
		fleet_block sqlite-slowest
		fleet_block sqlite-drift
	} | sqlite3 fleet.db >queries.txt
	[ "$(wc -l <queries.txt)" -eq 4 ]
	diff -u queries.txt from_report.txt
}
