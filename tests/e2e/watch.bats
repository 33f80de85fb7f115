#!/usr/bin/env bats
# hostctx-run --watch-writes: who wrote /proc/sys and the snapshot's /sys
# sources during the run.  As root on the live system: fanotify, with
# pids; without privilege: inotify, paths and times only; under --root:
# inotify over the tree, so most of this runs unprivileged too.  The
# setup's cost is measured by `make bench` (scripts/bench.d/watch.sh),
# never here.

bats_require_minimum_version 1.5.0
load wrapper_common

W=$HELPERS/watch_write
SCHED=/proc/sys/kernel/sched_rr_timeslice_ms

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: fanotify, and writes to /proc/sys"
	[ -w "$SCHED" ] || skip "$SCHED is not writable here"
	# root in a container without CAP_SYS_ADMIN: fanotify is refused and
	# the wrapper falls back to inotify (the unprivileged test covers it)
	"$HOSTCTX_RUN" --watch-writes -o "$BATS_TEST_TMPDIR/probe.json" -- true
	grep -q '"writes_source": "fanotify"' "$BATS_TEST_TMPDIR/probe.json" ||
		skip "fanotify is refused here (a container's root)"
}

# Put a real sysctl back even when a test fails half way.
teardown() {
	if [ -n "${RESTORE:-}" ]; then
		echo "$RESTORE" > "$SCHED" || true
	fi
	cd / && rm -rf "$T"
	if [ -n "${S:-}" ]; then
		chmod -R u+rwx "$S" 2>/dev/null
		rm -rf "$S"
	fi
}

# A synthetic tree with a sched tunable and THP.
make_tree() {
	"$TESTS_DIR/fixtures/mkroot" "$1" --sched-defaults \
		--thp "always [madvise] never" >/dev/null
}

@test "off by default; HOSTCTX_WATCH=1 turns it on, another value is bad usage" {
	make_tree tree
	hrun --root=tree -o off.json -- true
	check off.json <<'PY'
assert not any(k.startswith("writes") for k in d), d.keys()
PY
	HOSTCTX_WATCH=1 hrun --root=tree -o on.json -- true
	HOSTCTX_WATCH=0 hrun --root=tree -o zero.json -- true
	check on.json <<'PY'
assert d["writes_source"] == "inotify" and d["writes"] == [], d
PY
	[ "$(json zero.json '"writes_source" in d')" = false ]
	run -125 --separate-stderr env HOSTCTX_WATCH=yes "$HOSTCTX_RUN" -o x.json -- true
	[ "$stderr" = "hostctx-run: HOSTCTX_WATCH: 'yes' is neither 0 nor 1" ]
}

@test "--root: the tree's writes, without pids; written_by on what changed; others not listed" {
	make_tree tree
	mkdir -p tree/sys/devices/system/cpu/cpu0/online.d
	hrun -v --watch-writes --root=tree -o r.json -- sh -c '
		echo 5 > tree/proc/sys/kernel/sched_migration_cost_ns
		cat tree/sys/kernel/mm/transparent_hugepage/enabled > thp
		cat thp > tree/sys/kernel/mm/transparent_hugepage/enabled
		echo x > tree/sys/kernel/mm/transparent_hugepage/not_a_source
		echo 1 > tree/sys/devices/system/cpu/cpu0/online.d/x' 2> err
	check r.json <<'PY'
assert d["writes_source"] == "inotify", d
paths = [w["path"] for w in d["writes"]]
assert paths == ["/proc/sys/kernel/sched_migration_cost_ns",
                 "/sys/kernel/mm/transparent_hugepage/enabled"], paths
for w in d["writes"]:
    assert set(w) == {"path", "seconds"}, w      # inotify: no writer
    assert 0 <= w["seconds"] < 10, w
ch = {c["field"]: c for c in d["changes"]}
assert ch["sched_tunables.sched_migration_cost_ns"]["written_by"] == [{"writes": 1}], ch
assert "thp_enabled" not in ch        # written with its own value: no net change
PY
	grep -q '^hostctx-run: writes during the run (inotify, no writer pids): 2$' err
	grep -q 'enabled  writer unknown  \[thp_enabled: no net change\]$' err
}

@test "show and check FILE render the writes; the in-progress record names the source" {
	make_tree tree
	hrun --watch-writes --root=tree -o r.json -- sh -c '
		python3 -c "import json; d = json.load(open(\"r.json\")); assert d[\"complete\"] is False and d[\"writes_source\"] == \"inotify\", d"
		echo 7 > tree/proc/sys/kernel/sched_migration_cost_ns'
	run "$HOSTCTX" show r.json
	[ "$status" -eq 0 ]
	[[ $output == *"writes during the run (inotify, no writer pids): 1"* ]]
	[[ $output == *"/proc/sys/kernel/sched_migration_cost_ns  writer unknown  [sched_tunables.sched_migration_cost_ns: changed]"* ]]
	run -1 "$HOSTCTX" check r.json
	[[ $output == *"WARN  run  run-host-written  1 write(s) to host settings during the run (0 by the command), first /proc/sys/kernel/sched_migration_cost_ns"* ]]
	run -1 "$HOSTCTX" check --json r.json
	python3 -c '
import json, sys
r = {x["id"]: x for x in json.loads(sys.argv[1])["results"]}
assert r["run-host-written"]["status"] == "warn" and r["run-host-written"]["value"] == "1", r["run-host-written"]
' "$output"
}

@test "overflow: 100,000 writes give a bounded record, never a hang" {
	make_tree tree
	echo 1 > tree/proc/sys/kernel/sched_migration_cost_ns
	timeout 60 "$HOSTCTX_RUN" --watch-writes --root=tree -o r.json -- \
		"$W" --times 100000 tree/proc/sys/kernel/sched_migration_cost_ns 5
	check r.json <<'PY'
n = len(d["writes"])
assert n <= 1000, n
assert d.get("writes_overflowed") is True or (n == 1000 and d["writes_omitted"] > 0), d.get("writes_omitted")
assert n + d.get("writes_omitted", 0) <= 100000
PY
	[ "$(stat -c %s r.json)" -lt 400000 ]
}

@test "the command sees no fd of the watch" {
	make_tree tree
	ls /proc/self/fd 3<"$BATS_TEST_FILENAME" > direct
	"$HOSTCTX_RUN" --watch-writes --root=tree -o r.json -- ls /proc/self/fd 3<"$BATS_TEST_FILENAME" > wrapped
	diff direct wrapped
}

@test "unprivileged: inotify on the live /proc/sys lists the path, without a pid" {
	shared_dir
	# ns_last_pid is mode 0666: anyone may open it for writing (the write
	# itself needs CAP_SYS_ADMIN); the write-close is what is watched
	unprivileged "$HOSTCTX_RUN" --watch-writes -o "$S/r.json" -- \
		"$W" /proc/sys/kernel/ns_last_pid
	check "$S/r.json" <<'PY'
assert d["writes_source"] == "inotify", d["writes_source"]
w = [w for w in d["writes"] if w["path"] == "/proc/sys/kernel/ns_last_pid"]
assert len(w) == 1, d["writes"]
assert "pid" not in w[0] and "comm" not in w[0] and "by_command" not in w[0], w
PY
	# released once its sources' directories are watched; the rest of
	# /proc/sys follows while the wrapper waits, and the record says when
	unprivileged "$HOSTCTX_RUN" --watch-writes -o "$S/long.json" -- sleep 0.5
	check "$S/long.json" <<'PY'
assert d["writes_source"] == "inotify", d
assert 0 <= d["writes_all_watched_at"] < 0.5, d
assert "writes_sources_only" not in d and "writes_unwatched" not in d, d
PY
	run "$HOSTCTX" show "$S/long.json"
	[[ $output == *"all of /proc/sys watched from +0."* ]]
}

@test "root: two children set and restore a sched sysctl: two writes by the command, no change" {
	need_root
	no_valgrind
	RESTORE=$(cat "$SCHED")
	new=$((RESTORE == 100 ? 90 : 100))
	hrun --watch-writes -o r.json -- sh -c '
		"$1" --linger 0.3 --then-touch a.done "$3" "$4" &
		"$1" --linger 0.3 --wait a.done "$3" "$2" &
		wait' sh "$W" "$RESTORE" "$SCHED" "$new"
	[ "$(cat "$SCHED")" = "$RESTORE" ]
	check r.json <<'PY'
assert d["writes_source"] == "fanotify", d["writes_source"]
w = [w for w in d["writes"] if w["path"] == "/proc/sys/kernel/sched_rr_timeslice_ms"]
assert len(w) == 2, d["writes"]
assert all(x["by_command"] is True and x["comm"] == "watch_write" for x in w), w
assert w[0]["pid"] != w[1]["pid"] and d["run"]["pid"] not in (w[0]["pid"], w[1]["pid"]), w
assert w[0]["seconds"] <= w[1]["seconds"], w
assert not [c for c in d["changes"] if c["field"].startswith("sched_tunables")], d["changes"]
PY
	run "$HOSTCTX" check r.json	# other checks may warn about this host
	[[ $output == *"NOTE  run  run-host-written  2 write(s) to host settings during the run (2 by the command)"* ]]
}

@test "root: a writer started before the command is not the command's; a changed value has written_by" {
	need_root
	no_valgrind
	RESTORE=$(cat "$SCHED")
	new=$((RESTORE == 100 ? 90 : 100))
	"$W" --wait go --linger 0.5 "$SCHED" "$new" &
	bg=$!
	hrun --watch-writes -o r.json -- sh -c 'touch go; sleep 0.3'
	wait "$bg"
	echo "$RESTORE" > "$SCHED"
	check r.json "$bg" <<'PY'
bg = int(sys.argv[2])
w = [w for w in d["writes"] if w["path"] == "/proc/sys/kernel/sched_rr_timeslice_ms"]
assert len(w) == 1 and w[0]["pid"] == bg and w[0]["by_command"] is False, (bg, w)
ch = [c for c in d["changes"] if c["field"] == "sched_tunables.sched_rr_timeslice_ms"]
assert len(ch) == 1, d["changes"]
assert ch[0]["written_by"] == [{"pid": bg, "comm": "watch_write", "by_command": False, "writes": 1}], ch
PY
	run -1 "$HOSTCTX" check r.json
	[[ $output == *"WARN  run  run-host-written"* ]]
	[[ $output == *"pid $bg (not the command) wrote host settings during the run"* ]]
}

@test "root: a /proc/sys file no field reads is listed too (the whole of /proc/sys is watched)" {
	need_root
	f=/proc/sys/kernel/printk_ratelimit
	[ -w "$f" ] || skip "$f is not writable here"
	hrun -v --watch-writes -o r.json -- sh -c "cat $f > v; \"$W\" --linger 0.1 $f \$(cat v)" 2> err
	check r.json <<'PY'
w = [w for w in d["writes"] if w["path"] == "/proc/sys/kernel/printk_ratelimit"]
assert len(w) == 1 and w[0]["by_command"] is True and w[0]["comm"] == "watch_write", d["writes"]
PY
	grep -q "/proc/sys/kernel/printk_ratelimit  pid [0-9]* (watch_write), the command's$" err
}

@test "root: 100,000 writes to a real sysctl give a bounded record" {
	need_root
	no_valgrind
	f=/proc/sys/kernel/printk_ratelimit
	[ -w "$f" ] || skip "$f is not writable here"
	timeout 60 "$HOSTCTX_RUN" --watch-writes -o r.json -- "$W" --times 100000 "$f" "$(cat "$f")"
	check r.json <<'PY'
n = len(d["writes"])
assert d["writes_source"] == "fanotify" and n <= 1000, n
assert d.get("writes_overflowed") is True or d.get("writes_omitted", 0) > 0, d.get("writes_omitted")
PY
}
