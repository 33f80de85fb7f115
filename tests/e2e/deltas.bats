#!/usr/bin/env bats
# Run evidence in the sidecar: deltas of the counters the command itself
# advances on a synthetic tree, a reboot during the run, and the live
# CPU shares of a busy and an idle command.

bats_require_minimum_version 1.5.0
load wrapper_common

# A tree with proc/stat, vmstat, PSI and a boot id; ROOT for the command.
make_tree() {
	R=$T/root
	mkdir -p "$R/proc/sys/kernel/random" "$R/proc/pressure" "$R/sys/devices/system/cpu"
	printf '0-1\n' >"$R/sys/devices/system/cpu/online"
	printf 'd3ff9617-c8bc-487a-b3fe-ff463eae3227\n' >"$R/proc/sys/kernel/random/boot_id"
	printf '100.00 150.00\n' >"$R/proc/uptime"
	printf 'cpu  1000 0 100 5000 0 0 0 8 0 0\nctxt 10\nprocesses 5\nintr 7 1 2\nsoftirq 3 1\nprocs_running 1\nprocs_blocked 0\n' \
		>"$R/proc/stat"
	printf 'pswpin 0\npswpout 0\noom_kill 0\ndrop_pagecache 0\n' >"$R/proc/vmstat"
	printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n' >"$R/proc/pressure/cpu"
}

@test "deltas of the counters a command advances, with shares and anomalies" {
	make_tree
	ROOT=$R hrun --root="$R" -o rec.json -- sh -c '
		printf "112.34 160.00\n" >$ROOT/proc/uptime
		printf "cpu  1950 0 310 6280 0 0 0 30 0 0\nctxt 51244\nprocesses 22\nintr 40218 1 2\nsoftirq 30113 1\nprocs_running 3\nprocs_blocked 1\n" >$ROOT/proc/stat
		printf "pswpin 4\npswpout 0\noom_kill 1\ndrop_pagecache 1\n" >$ROOT/proc/vmstat
		printf "some avg10=5.00 avg60=1.00 avg300=0.20 total=124400\n" >$ROOT/proc/pressure/cpu'
	check rec.json <<-'EOF'
	x = d["deltas"]
	assert x["seconds"] == 12.34, x
	assert x["cpu_time_ticks"] == {"user": 950, "nice": 0, "system": 210, "idle": 1280,
	    "iowait": 0, "irq": 0, "softirq": 0, "steal": 22, "guest": 0, "guest_nice": 0}, x
	assert x["cpu_time_share"]["busy"] == 0.4712 and x["cpu_time_share"]["steal"] == 0.0089
	assert x["context_switches"] == 51234 and x["processes_forked"] == 17
	assert x["interrupts"] == 40211 and x["softirqs"] == 30110
	assert "procs_running" not in x and "procs_blocked" not in x
	assert x["vmstat"] == {"pswpin": 4, "pswpout": 0, "oom_kill": 1, "drop_pagecache": 1}
	assert x["pressure"] == {"cpu": {"some_total_us": 123400, "some_share": 0.01}}, x["pressure"]
	assert "anomalies" not in x and "deltas_unavailable" not in d
	# telemetry never enters changes
	assert not [c for c in d["changes"] if c["field"].startswith(("vmstat", "cpu_time", "pressure"))]
	EOF
	python3 "$TESTS_DIR/e2e/validate_json.py" sidecar rec.json
}

@test "a counter that went back is an anomaly; another boot gives no deltas" {
	make_tree
	ROOT=$R hrun --root="$R" -o rec.json -- sh -c '
		printf "cpu  900 0 100 5000 0 0 0 8 0 0\nctxt 20\n" >$ROOT/proc/stat'
	check rec.json <<-'EOF'
	x = d["deltas"]
	assert "user" not in x["cpu_time_ticks"] and x["cpu_time_ticks"]["idle"] == 0
	assert x["anomalies"] == {"cpu_time_ticks.user": "decreased"}, x
	assert x["context_switches"] == 10
	EOF
	ROOT=$R hrun --root="$R" -o boot.json -- sh -c '
		printf "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b\n" >$ROOT/proc/sys/kernel/random/boot_id'
	check boot.json <<-'EOF'
	assert "deltas" not in d and d["deltas_unavailable"] == "boot_changed"
	EOF
	python3 "$TESTS_DIR/e2e/validate_json.py" sidecar rec.json boot.json
}

@test "live: a command busy on one CPU for a second, and an idle one" {
	no_valgrind
	hrun -o busy.json -- sh -c 'timeout 1 sh -c "while :; do :; done"' || true
	check busy.json <<-'EOF'
	x = d["deltas"]
	busy, wall = x["cpu_time_share"]["busy"], d["run"]["wall_seconds"]
	# one of N CPUs busy: 1/N (0.35-0.65 on a 2-CPU machine)
	n = len(__import__("os").sched_getaffinity(0))
	assert abs(busy - 1 / n) <= 0.15, (busy, n)
	assert abs(x["seconds"] - wall) <= 0.1 * wall, (x["seconds"], wall)
	EOF
	hrun -o idle.json -- sleep 1
	check idle.json <<-'EOF'
	assert d["deltas"]["cpu_time_share"]["busy"] < 0.2, d["deltas"]["cpu_time_share"]
	EOF
}

@test "hostctx diff --all FILE: the changes, then the run's evidence; the status is the changes'" {
	make_tree
	ROOT=$R hrun --root="$R" -o rec.json -- sh -c '
		printf "112.34 160.00\n" >$ROOT/proc/uptime
		printf "cpu  1950 0 310 6280 0 0 0 30 0 0\nctxt 51244\nprocesses 22\nintr 40218 1 2\nsoftirq 30113 1\nprocs_running 3\nprocs_blocked 1\n" >$ROOT/proc/stat
		printf "pswpin 4\npswpout 0\noom_kill 1\ndrop_pagecache 1\n" >$ROOT/proc/vmstat'
	run --separate-stderr "$HOSTCTX" diff --all rec.json
	[ "$status" -eq 0 ]	# counters moved, no setting did
	[ -z "$stderr" ]
	# the telemetry class is listed, then the evidence
	[[ ${lines[0]} == "telemetry: "*" differences" ]]
	[[ $output == *$'\n  uptime_seconds   '*$'\non the host during the run:\n'* ]]
	[[ $output == *"  CPU time: 47.1% busy, 0.9% stolen by the hypervisor"*"over 12.34 s"* ]]
	[[ $output == *"  swap: 4 pages in, 0 pages out"* ]]
	[[ $output == *"  OOM kills: 1"* ]]
	# without --all: nothing
	run "$HOSTCTX" diff rec.json
	[ -z "$output" ]
	run --separate-stderr "$HOSTCTX" diff --all --json rec.json
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["changes"] and {c["class"] for c in d["changes"]} == {"telemetry"}, d
assert d["deltas"]["vmstat"]["pswpin"] == 4, d
assert d["deltas"] == json.load(open("rec.json"))["deltas"]' "$output"
	# a setting changed too: listed first, and the status is 1
	ROOT=$R hrun --root="$R" -o drift.json -- sh -c '
		printf "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b\n" >$ROOT/proc/sys/kernel/random/boot_id'
	run "$HOSTCTX" diff --all drift.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "instance: different boot" ]
	[[ ${lines[1]} == "  boot_id   "* ]]
	[[ $output == *$'on the host during the run:\n  none: the host rebooted during the run'* ]]
	run "$HOSTCTX" diff --all --json drift.json
	[ "$status" -eq 1 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["deltas_unavailable"] == "boot_changed" and "deltas" not in d, d
assert [c["field"] for c in d["changes"] if c["class"] != "telemetry"] == ["boot_id"], d' "$output"
	# two files: --all compares telemetry too, and lists each record's evidence
	run --separate-stderr "$HOSTCTX" diff rec.json drift.json
	[ "$status" -eq 0 ]	# a boot differs across files by nature
	[[ $output == *$'\ninstance: different boot\n'* ]]
	run --separate-stderr "$HOSTCTX" diff --all rec.json drift.json
	[ "$status" -eq 0 ]	# nothing moved between the two posts
	[[ $output == *$'\ntelemetry: same\n'* ]]
	[[ $output == *$'on the host during A\'s run:\n'*$'on the host during B\'s run:\n  none: the host rebooted during the run'* ]]
	# the pres differ in their counters: without --all counted only, with it a difference
	run --separate-stderr "$HOSTCTX" diff --pre rec.json drift.json
	[ "$status" -eq 0 ]
	[[ $output == *$'\ntelemetry: '*" fields differ (--all to list)"* ]]
	run --separate-stderr "$HOSTCTX" diff --pre --all rec.json drift.json
	[ "$status" -eq 1 ]
	[[ $output == *$'\n  uptime_seconds   '* ]]
}
