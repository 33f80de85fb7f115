#!/usr/bin/env bats
# The field model as users meet it: --explain, HOSTCTX_DEBUG, exact
# 64-bit integers, refusals of the JSON reader, heap_state apart from
# diff, and field lists that come from the library's own table.

bats_require_minimum_version 1.5.0

hx() {
	# shellcheck disable=SC2086 # EXEC_PREFIX is a command line
	${EXEC_PREFIX:-} "$HOSTCTX" "$@"
}

# valgrind's own "--PID--" notes are not the program's stderr.
program_stderr() {
	printf '%s\n' "$stderr" | grep -v '^--[0-9]*-- ' || true
}

setup() {
	T=$BATS_TEST_TMPDIR
	ROOT=$T/root
	"$TESTS_DIR/fixtures/mkroot" "$ROOT" >/dev/null
}

@test "snapshot --explain: one line per absent field, with the path tried and why" {
	rm -f "$ROOT/proc/meminfo"
	run --separate-stderr hx snapshot --explain --root="$ROOT"
	[ "$status" -eq 0 ]
	[ -z "$(program_stderr)" ]
	[[ $output == *"total_memory_kib: proc/meminfo: not present on this machine"* ]]
	[[ $output == *"hugepages_free: proc/meminfo: not present on this machine"* ]]
	# present fields are not listed
	[[ $output != *"cpu_model:"* ]]
	# heap_state is never read from a host
	[[ $output == *"heap_state: not read by a snapshot"* ]]
}

@test "snapshot --explain and --human exclude each other" {
	run --separate-stderr hx snapshot --explain --human --root="$ROOT"
	[ "$status" -eq 2 ]
	[[ $stderr == *"exclude each other"* ]]
}

@test "HOSTCTX_DEBUG=1: absent fields reported on stderr; stdout unchanged" {
	rm -f "$ROOT/proc/cmdline"
	run --separate-stderr hx snapshot --root="$ROOT"
	plain=$output
	[ -z "$(program_stderr)" ]
	HOSTCTX_DEBUG=1 run --separate-stderr hx snapshot --root="$ROOT"
	[ "$status" -eq 0 ]
	[ "$output" = "$plain" ]
	[[ $stderr == *"hostctx: debug: kernel_cmdline: absent: proc/cmdline: not present on this machine"* ]]
}

@test "JSON: integers above 2^53 are read and written back exactly" {
	hx snapshot --root="$ROOT" > "$T/s.json"
	python3 - "$T/s.json" <<-'PY'
	import sys, re
	p = sys.argv[1]
	t = open(p).read()
	t = re.sub(r'"total_memory_kib": [0-9]+', '"total_memory_kib": 18446744073709551615', t)
	t = re.sub(r'"online_cpus": [0-9]+', '"online_cpus": 9007199254740993', t)
	open(p, "w").write(t)
	PY
	run --separate-stderr hx show "$T/s.json"
	[ "$status" -eq 0 ]
	[[ $output == *"total_memory_kib: 18446744073709551615"* ]]
	[[ $output == *"online_cpus: 9007199254740993"* ]]
	# one more than 2^64 - 1 is not an integer we keep
	sed -i 's/18446744073709551615/18446744073709551616/' "$T/s.json"
	run --separate-stderr hx show "$T/s.json"
	[ "$status" -eq 2 ]
	[[ $stderr == *'"total_memory_kib" is not a non-negative integer'* ]]
}

@test "JSON: a sidecar hostctx-run writes with MemTotal >= 2^53 reads back" {
	sed -i 's/^MemTotal:.*/MemTotal:       9007199254740993 kB/' "$ROOT/proc/meminfo"
	run "$HOSTCTX_RUN" --root="$ROOT" -o "$T/big.json" -- true
	[ "$status" -eq 0 ]
	run --separate-stderr hx show "$T/big.json"
	[ "$status" -eq 0 ]
	[[ $output == *"total_memory_kib: 9007199254740993"* ]]
	run --separate-stderr hx diff "$T/big.json"
	[ "$status" -eq 0 ]
}

@test "JSON: an escaped NUL in a string is refused, not cut short" {
	printf '{"cpu_model": "Intel\\u0000hidden"}\n' > "$T/nul.json"
	run --separate-stderr hx show "$T/nul.json"
	[ "$status" -eq 2 ]
	[[ $stderr == *"escaped NUL"* ]]
}

@test "JSON: a sidecar mode other than wrapper or preload is refused" {
	printf '{"schema": "hostctx-sidecar/1", "mode": "other", "complete": true}\n' > "$T/mode.json"
	run --separate-stderr hx show "$T/mode.json"
	[ "$status" -eq 2 ]
	[[ $stderr == *'key "mode" is not one of "wrapper", "preload"'* ]]
}

@test "diff: a preload sidecar whose post alone has heap_state prints nothing, exit 0" {
	hx snapshot --root="$ROOT" > "$T/pre.json"
	python3 - "$T" <<-'PY'
	import json, sys
	d = sys.argv[1]
	pre = json.load(open(d + "/pre.json"))
	post = dict(pre, heap_state={"allocated_bytes": 2048, "mapped_bytes": 4096})
	json.dump({"schema": "hostctx-sidecar/1", "mode": "preload", "complete": True,
	           "pre": pre, "post": post}, open(d + "/heap.json", "w"))
	PY
	run --separate-stderr hx diff "$T/heap.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(program_stderr)" ]
	run --separate-stderr hx show "$T/heap.json"
	[ "$status" -eq 0 ]
	[[ $output == *$'\n    allocated_bytes: 2048'* ]]
}

@test "show: a label as long as the column still has a blank after its colon" {
	"$HOSTCTX_RUN" --root="$ROOT" -o "$T/r.json" -- true
	python3 - "$T/r.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	d = json.load(open(p))
	d["run"]["rusage_children"] = d["run"]["rusage"]
	json.dump(d, open(p, "w"))
	PY
	run --separate-stderr hx show "$T/r.json"
	[ "$status" -eq 0 ]
	[[ $output == *$'\nrusage (children): user '* ]]
}

@test "show: control characters from a tree are escaped in human output" {
	printf 'a\033]0;owned\007b\nforged: line\n' > "$ROOT/proc/cmdline"
	mkdir -p "$ROOT/sys/kernel/mm/transparent_hugepage"
	printf 'x\033[2Jy\n' > "$ROOT/sys/kernel/mm/transparent_hugepage/enabled"
	run --separate-stderr hx snapshot --human --root="$ROOT"
	[ "$status" -eq 0 ]
	[[ $output != *$'\033'* ]]
	[[ $output == *'thp_enabled: x\x1b[2Jy'* ]]
	[[ $output == *'kernel_cmdline: a\x1b]0;owned\x07b\nforged: line'* ]]
}
