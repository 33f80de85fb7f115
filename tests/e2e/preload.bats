#!/usr/bin/env bats
# libhostctx-preload.so end to end (docs/libhostctx-preload.7).  The
# library is loaded only into the command under test (never into bats
# itself).

bats_require_minimum_version 1.5.0

setup() {
	dir="$BATS_TEST_TMPDIR/records"
	mkdir -p "$dir"
	P="$HELPERS/pre_prog"
	LIB="$HOSTCTX_PRELOAD_LIB"
	JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
	unset HOSTCTX_DIR HOSTCTX_OUTPUT HOSTCTX_ROOT HOSTCTX_PRELOAD_OWNER
	unset HOSTCTX_PRELOAD_DISABLE LD_PRELOAD
}

# ---- helpers -----------------------------------------------------------

with_preload() {
	LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" "$@"
}

records() {
	find "$dir" -maxdepth 1 -type f -name '*.hostctx.json' | sort
}

count_records() {
	records | wc -l
}

# The only record; fails unless there is exactly one.
the_record() {
	local n
	n=$(count_records)
	if [ "$n" -ne 1 ]; then
		echo "expected 1 record in $dir, found $n:" >&2
		ls -la "$dir" >&2
		return 1
	fi
	records
}

# jpy FILE EXPR: evaluate a Python expression over the JSON document d.
jpy() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(json.dumps(r) if not isinstance(r, str) else r)
' "$1" "$2"
}

# Run CMD... without and with the library (from $BATS_TEST_TMPDIR, no
# core files) and require identical stdout, stderr and exit status.
# Leaves the records of the preloaded run in $dir (emptied first).
same_with_and_without() {
	local t="$BATS_TEST_TMPDIR" plain pre
	rm -f "$dir"/*
	plain=0 pre=0
	(cd "$t" && ulimit -c 0 && exec "$@") >"$t/plain.out" 2>"$t/plain.err" ||
		plain=$?
	(cd "$t" && ulimit -c 0 && LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" exec "$@") \
		>"$t/pre.out" 2>"$t/pre.err" || pre=$?
	status_plain=$plain
	if [ "$plain" != "$pre" ]; then
		echo "exit status differs: $plain without, $pre with the library" >&2
		return 1
	fi
	cmp "$t/plain.out" "$t/pre.out" || { diff "$t/plain.out" "$t/pre.out" >&2; return 1; }
	cmp "$t/plain.err" "$t/pre.err" || { diff "$t/plain.err" "$t/pre.err" >&2; return 1; }
}

assert_complete_record() {	# FILE EXIT_CODE
	[ "$(jpy "$1" 'd["schema"]')" = hostctx-sidecar/1 ]
	[ "$(jpy "$1" 'd["mode"]')" = preload ]
	[ "$(jpy "$1" 'd["tool"]["name"]')" = libhostctx-preload ]
	[ "$(jpy "$1" 'd["complete"]')" = true ]
	[ "$(jpy "$1" '"pre" in d and "post" in d and "changes" in d')" = true ]
	[ "$(jpy "$1" 'd["run"]["exit"]')" = "{\"code\": $2}" ]
	[ "$(jpy "$1" '"started_at" in d["run"] and "ended_at" in d["run"]')" = true ]
	[ "$(jpy "$1" 'd["run"]["wall_seconds"] >= 0')" = true ]
	[ "$(jpy "$1" 'd["run"]["rusage"]["max_rss_kib"] > 0')" = true ]
	[ "$(jpy "$1" '"rusage_children" in d["run"]')" = true ]
	[ "$(jpy "$1" 'd["post"]["heap_state"]["allocated_bytes"] > 0')" = true ]
}

assert_incomplete_record() {	# FILE
	[ "$(jpy "$1" 'd["mode"]')" = preload ]
	[ "$(jpy "$1" 'd["complete"]')" = false ]
	[ "$(jpy "$1" '"task_delayacct" in d.get("pre", {})')" = true ]
	[ "$(jpy "$1" 'sorted(k for k in ("post", "changes") if k in d)')" = "[]" ]
	[ "$(jpy "$1" 'sorted(k for k in ("exit", "ended_at") if k in d["run"])')" = "[]" ]
	[ "$(jpy "$1" '"started_at" in d["run"]')" = true ]
}

no_temp_files() {
	[ -z "$(find "$dir" -name '*.tmp')" ]
}

# ---- the library itself --------------------------------------------------

@test "preload: the only NEEDED entry is libc" {
	run readelf -d "$LIB"
	[ "$status" -eq 0 ]
	needed=$(printf '%s\n' "$output" | grep NEEDED)
	[ "$(printf '%s\n' "$needed" | wc -l)" -eq 1 ]
	[[ "$needed" == *"[libc.so.6]"* ]]
}

@test "preload: exports no symbols" {
	run nm -D --defined-only "$LIB"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "preload: zlib is loaded by the recorded process only, cJSON only to resume" {
	# A new record: the snapshot code is in the library itself and
	# zlib comes in for config.gz; neither libhostctx.so nor cJSON.
	run with_preload "$P" print-libs
	[ "$status" -eq 0 ]
	[[ "$output" == *"libz.so"* ]]
	[[ "$output" != *"libcjson"* ]]
	[[ "$output" != *"libhostctx.so"* ]]
	[ "$(count_records)" -eq 1 ]
	# A descendant maps the preload library and nothing more of ours.
	rm -f "$dir"/*
	run with_preload "$P" system "$P print-libs"
	[ "$status" -eq 0 ]
	[[ "$output" == *"libhostctx-preload.so"* ]]
	[[ "$output" != *"libz.so"* ]]
	[[ "$output" != *"libcjson"* ]]
	# After exec the record is read back: libhostctx.so and cJSON.
	rm -f "$dir"/*
	run with_preload sh -c "exec '$P' print-libs"
	[ "$status" -eq 0 ]
	[[ "$output" == *"libhostctx.so"* ]]
	[[ "$output" == *"libcjson"* ]]
	assert_complete_record "$(the_record)" 0
}

# ---- L1: exits that run the hook ------------------------------------------

@test "preload L1: return from main: one complete record with the exit code" {
	same_with_and_without "$P" return 3
	[ "$status_plain" -eq 3 ]
	f=$(the_record)
	assert_complete_record "$f" 3
	[ "$(jpy "$f" 'd["command"]["argv"]')" = "[\"$P\", \"return\", \"3\"]" ]
	[ "$(jpy "$f" 'd["command"]["cwd"]')" = "$BATS_TEST_TMPDIR" ]
	[[ "$(basename "$f")" == pre_prog-*T*Z-*.hostctx.json ]]
	[ "$(stat -c %a "$f")" = 644 ]
	no_temp_files
}

@test "preload L1: exit() and exit() from a non-main thread" {
	same_with_and_without "$P" exit 0
	assert_complete_record "$(the_record)" 0
	same_with_and_without "$P" thread-exit 5
	[ "$status_plain" -eq 5 ]
	assert_complete_record "$(the_record)" 5
}

@test "preload L1: exit(256) records the code the parent sees" {
	same_with_and_without "$P" exit 256
	[ "$status_plain" -eq 0 ]
	assert_complete_record "$(the_record)" 0
}

@test "preload: the in-progress record is on disk while the program runs" {
	# The recorded bash reads its own record through the marker's path.
	run with_preload bash -c 'cat "${HOSTCTX_PRELOAD_OWNER#*:*:}"; true'
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/during.json"
	assert_incomplete_record "$BATS_TEST_TMPDIR/during.json"
	assert_complete_record "$(the_record)" 0
}

# ---- L2: exits that skip the hook -----------------------------------------

@test "preload L2: _exit, _Exit, quick_exit leave the incomplete record" {
	for m in _exit _Exit quick_exit; do
		same_with_and_without "$P" "$m" 9
		[ "$status_plain" -eq 9 ]
		assert_incomplete_record "$(the_record)"
	done
}

@test "preload L2: daemon() leaves the incomplete record, and check says why" {
	same_with_and_without "$P" daemon 4
	[ "$status_plain" -eq 0 ]	# daemon()'s parent exits 0
	f=$(the_record)
	assert_incomplete_record "$f"
	# the daemon (another pid) records nothing: still one record
	sleep 0.2
	[ "$(ls "$dir" | wc -l)" -eq 1 ]
	# daemon()'s parent, the recorded process, is gone: check says so
	pid=$(jpy "$f" 'd["run"]["pid"]')
	run --separate-stderr "$HOSTCTX" check "$f"
	[ "$status" -eq 1 ]
	[[ $output == *"WARN  run  run-incomplete  the record is not complete: its process (pid $pid) ended without exit hooks (_exit, a signal, daemon(), dash's sh -c); hostctx-run records every end"* ]]
}

@test "preload L2: check and show tell a process still running from one that ended unrecorded" {
	LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" sleep 30 &
	bg=$!
	for _ in $(seq 100); do [ "$(count_records)" -eq 1 ] && break; sleep 0.05; done
	f=$(the_record)
	[ "$(jpy "$f" 'd["run"]["pid"]')" -eq "$bg" ]
	[ "$(jpy "$f" 'd["run"]["pid_start_ticks"]')" = "$(cut -d')' -f2 /proc/$bg/stat | cut -d' ' -f21)" ]
	run --separate-stderr "$HOSTCTX" check "$f"
	[ "$status" -eq 1 ]
	[[ $output == *"run-incomplete  the record is not complete: its process (pid $bg) is still running"* ]]
	run --separate-stderr "$HOSTCTX" show "$f"
	[[ $output == *"record:           in progress (incomplete record): pid $bg is still running"* ]]
	kill -KILL "$bg"
	wait "$bg" || true
	run --separate-stderr "$HOSTCTX" check "$f"
	[[ $output == *"run-incomplete  the record is not complete: its process (pid $bg) ended without exit hooks"* ]]
	run --separate-stderr "$HOSTCTX" show "$f"
	[[ $output == *"in progress (incomplete record): pid $bg ended without its end being recorded"* ]]
	# of another boot: the record's boot_id is not this host's
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["pre"]["boot_id"]="d3ff9617-c8bc-487a-b3fe-ff463eae3227"; json.dump(d, open(sys.argv[2], "w"))' "$f" "$BATS_TEST_TMPDIR/other.json"
	run --separate-stderr "$HOSTCTX" check "$BATS_TEST_TMPDIR/other.json"
	[[ $output == *"run-incomplete  the record is not complete, and is of another boot or host"* ]]
}

@test "preload L2: abort and SIGTERM leave the incomplete record" {
	same_with_and_without "$P" abort
	[ "$status_plain" -eq 134 ]
	assert_incomplete_record "$(the_record)"
	same_with_and_without "$P" sigterm
	[ "$status_plain" -eq 143 ]
	assert_incomplete_record "$(the_record)"
}

@test "preload L2: SIGKILL leaves the incomplete record" {
	rm -f "$dir"/*
	with_preload bash -c 'kill -KILL $$' || true
	assert_incomplete_record "$(the_record)"
	[ "$(jpy "$(the_record)" 'd["command"]["argv"][0]')" = bash ]
}

# ---- L3: children write nothing -----------------------------------------

@test "preload L3: a fork child calling exit() writes nothing" {
	same_with_and_without "$P" fork-exit
	f=$(the_record)
	assert_complete_record "$f" 0
	[ "$(jpy "$f" 'd["command"]["argv"][1]')" = fork-exit ]
}

@test "preload L3: vfork+exec, posix_spawn, system(), popen: one record" {
	same_with_and_without "$P" vfork-exec "$P" return 0
	assert_complete_record "$(the_record)" 0
	same_with_and_without "$P" posix-spawn "$P" exit 0
	assert_complete_record "$(the_record)" 0
	same_with_and_without "$P" system "$P return 0; $P exit 0"
	assert_complete_record "$(the_record)" 0
	same_with_and_without "$P" popen "echo one; $P return 0"
	f=$(the_record)
	assert_complete_record "$f" 0
	[ "$(jpy "$f" 'd["command"]["argv"][1]')" = popen ]
}

@test "preload L3: hundreds of descendants, still one record" {
	same_with_and_without bash -c "for i in \$(seq 200); do $P return 0 >/dev/null; /bin/true; done; true"
	[ "$(count_records)" -eq 1 ]
}

# ---- L4: exec chains ------------------------------------------------------

@test "preload L4: sh -c 'exec prog' is one record with the user's argv" {
	same_with_and_without sh -c "exec $P return 6"
	[ "$status_plain" -eq 6 ]
	f=$(the_record)
	assert_complete_record "$f" 6
	[ "$(jpy "$f" 'd["command"]["argv"]')" = "[\"sh\", \"-c\", \"exec $P return 6\"]" ]
	[[ "$(basename "$f")" == sh-* ]]
}

@test "preload L4: exec chain across a chdir keeps the record path" {
	rm -f "$dir"/*
	run with_preload bash -c "cd / && exec $P return 0"
	[ "$status" -eq 0 ]
	assert_complete_record "$(the_record)" 0
}

@test "preload L4: bash -c 'prog; true' and sh -c 'prog; true': a record for the shell only" {
	same_with_and_without bash -c "$P return 6; true"
	[ "$status_plain" -eq 0 ]
	f=$(the_record)
	assert_complete_record "$f" 0
	[ "$(jpy "$f" 'd["command"]["argv"][0]')" = bash ]
	same_with_and_without sh -c "$P return 6; true"
	f=$(the_record)
	[ "$(jpy "$f" 'd["command"]["argv"][0]')" = sh ]
	# dash (Debian's sh) ends through _exit(): no exit hook runs
	if [ "$(basename "$(readlink -f /bin/sh)")" = dash ]; then
		assert_incomplete_record "$f"
	else
		assert_complete_record "$f" 0
	fi
}

# ---- the marker -------------------------------------------------------------

@test "preload: children see the marker exactly once, naming the recorded process" {
	rm -f "$dir"/*
	run with_preload bash -c 'echo "pid=$$"; env; true'
	[ "$status" -eq 0 ]
	pid=$(printf '%s\n' "$output" | sed -n 's/^pid=//p')
	[ "$(printf '%s\n' "$output" | grep -c '^HOSTCTX_PRELOAD_OWNER=')" -eq 1 ]
	marker=$(printf '%s\n' "$output" | sed -n 's/^HOSTCTX_PRELOAD_OWNER=//p')
	[[ "$marker" == "$pid":[0-9]*:/* ]]
	[ "${marker#*:*:}" = "$(the_record)" ]
	# no other variable was added
	n_with=$(printf "%s\n" "$output" | grep -v "^pid=" | grep -c =)
	n_without=$(bash -c 'env; true' | grep -c '=')
	[ "$n_with" -eq $((n_without + 1 + 2)) ]	# + marker, LD_PRELOAD, HOSTCTX_DIR
}

@test "preload: after exec and in grandchildren the marker is still there once" {
	rm -f "$dir"/*
	run with_preload sh -c "exec $P system '$P print-env'"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^HOSTCTX_PRELOAD_OWNER=')" -eq 1 ]
	[ "$(count_records)" -eq 1 ]
}

@test "preload: a marker of another process makes it a descendant" {
	rm -f "$dir"/*
	HOSTCTX_PRELOAD_OWNER="1:1:$dir/nope.json" with_preload "$P" return 0
	[ "$(count_records)" -eq 0 ]
	HOSTCTX_PRELOAD_OWNER="garbage" with_preload "$P" return 0
	[ "$(count_records)" -eq 0 ]
}

@test "preload: HOSTCTX_PRELOAD_DISABLE=1 records nothing and adds no marker" {
	rm -f "$dir"/*
	run env HOSTCTX_PRELOAD_DISABLE=1 LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" "$P" print-env
	[ "$status" -eq 0 ]
	[[ "$output" != *HOSTCTX_PRELOAD_OWNER* ]]
	[ "$(count_records)" -eq 0 ]
}

# ---- where the record goes --------------------------------------------------

@test "preload: HOSTCTX_OUTPUT names the file, relative to the start directory" {
	rm -f "$dir"/*
	(cd "$dir" && LD_PRELOAD="$LIB" HOSTCTX_OUTPUT=out.json "$P" hostile) >/dev/null || true
	assert_complete_record "$dir/out.json" 7
	[ "$(stat -c %a "$dir/out.json")" = 644 ]
	[ "$(ls "$dir")" = out.json ]
}

@test "preload: no HOSTCTX_DIR or HOSTCTX_OUTPUT: the current directory" {
	(cd "$dir" && LD_PRELOAD="$LIB" "$P" return 0) >/dev/null
	assert_complete_record "$(the_record)" 0
}

@test "preload: HOSTCTX_DIR is created when missing" {
	dir="$BATS_TEST_TMPDIR/new/sub"
	with_preload "$P" return 0 >/dev/null
	assert_complete_record "$(the_record)" 0
}

@test "preload: parallel runs in one HOSTCTX_DIR never share a name" {
	for i in 1 2 3 4 5 6 7 8; do
		with_preload "$P" return 0 >/dev/null &
	done
	wait
	[ "$(count_records)" -eq 8 ]
	for f in $(records); do assert_complete_record "$f" 0; done
}

@test "preload: same pid in parallel pid namespaces gets suffixed names" {
	unshare --pid --fork true 2>/dev/null || skip "cannot unshare a pid namespace here"
	# env is pid 1 in its namespace, the process started with the
	# library, and execs pre_prog: four records named env-<time>-1
	for i in 1 2 3 4; do
		unshare --pid --fork env LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" \
			"$P" return 0 >/dev/null &
	done
	wait
	[ "$(count_records)" -eq 4 ]
	[ "$(records | grep -c -- '-1\(-[0-9]*\)\?\.hostctx\.json$')" -eq 4 ]
	for f in $(records); do assert_complete_record "$f" 0; done
}

@test "preload: unwritable HOSTCTX_DIR is a silent skip" {
	same_with_and_without env HOSTCTX_DIR=/proc/nope "$P" return 4
	[ "$status_plain" -eq 4 ]
	[ ! -s "$BATS_TEST_TMPDIR/pre.err" ]
}

@test "preload: HOSTCTX_ROOT is the --root of the snapshots" {
	[ -n "${HOSTCTX_SHARED:-}" ] || skip "../shared fixtures not present"
	root="$HOSTCTX_SHARED/fixtures/real/hwloc-16amd64-8n2c-cpusets/root"
	[ -d "$root" ] || skip "fixture missing"
	HOSTCTX_ROOT="$root" with_preload "$P" return 0 >/dev/null
	f=$(the_record)
	[ "$(jpy "$f" 'd["pre"]["cpu_model"]')" = "Dual Core AMD Opteron(tm) Processor 865" ]
	[ "$(jpy "$f" 'd["post"]["numa_nodes"]')" = 8 ]
}

# ---- L5: programs that never load the library ----------------------------

@test "preload L5: a static binary: no record, no noise" {
	same_with_and_without "$HELPERS/pre_static" x
	[ "$status_plain" -eq 5 ]
	[ "$(count_records)" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/pre.err" ]
}

@test "preload L5: a setuid program run by another user: no record, no noise" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a setuid test program"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	sdir=$(mktemp -d /tmp/hostctx-suid.XXXXXX)
	chmod 755 "$sdir"
	cp "$P" "$LIB" "$sdir/" && chmod 4755 "$sdir/pre_prog"
	mkdir "$sdir/rec" && chmod 777 "$sdir/rec"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LD_PRELOAD="$sdir/libhostctx-preload.so" HOSTCTX_DIR="$sdir/rec" \
		"$sdir/pre_prog" print-env
	n=$(find "$sdir/rec" -type f | wc -l)
	rm -rf "$sdir"
	if mount | grep -q ' on /tmp .*nosuid'; then skip "/tmp is nosuid"; fi
	[ "$status" -eq 0 ]
	[ "$n" -eq 0 ]
	[[ "$output" != *"ERROR: ld.so"* ]]
	# secure-execution mode removed LD_PRELOAD: no marker either
	[[ "$output" != *HOSTCTX_PRELOAD_OWNER* ]]
}

# ---- L6: other preloads ---------------------------------------------------

@test "preload L6: another preload library before and after ours" {
	other="$HELPERS/pre_ctorlib"
	for order in "$other:$LIB" "$LIB:$other"; do
		rm -f "$dir"/*
		run env LD_PRELOAD="$order" HOSTCTX_DIR="$dir" "$P" print-env
		[ "$status" -eq 0 ]
		[[ "$output" == *"ctorlib constructor ran"* ]]
		[[ "$output" == *"LD_PRELOAD=$order"* ]]
		# env(1) execs pre_prog: one process, one record
		[ "$(count_records)" -eq 1 ]
	done
}

@test "preload L6: jemalloc preloaded before and after ours" {
	[ -e "$JEMALLOC" ] || skip "libjemalloc2 not installed"
	for order in "$JEMALLOC:$LIB" "$LIB:$JEMALLOC"; do
		rm -f "$dir"/*
		run timeout 20 env LD_PRELOAD="$order" HOSTCTX_DIR="$dir" \
			bash -c "$P fork-exit; $P thread-exit 0; true"
		[ "$status" -eq 0 ]
		f=$(the_record)
		assert_complete_record "$f" 0
		# the heap is jemalloc's: only it has active/resident/narenas
		[ "$(jpy "$f" 'd["post"]["heap_state"]["active_bytes"] > 0')" = true ]
		[ "$(jpy "$f" 'd["post"]["heap_state"]["narenas"] > 0')" = true ]
	done
}

@test "preload: glibc heap_state has the fields glibc can give" {
	with_preload "$P" return 0 >/dev/null
	f=$(the_record)
	[ "$(jpy "$f" 'sorted(d["post"]["heap_state"])')" = '["allocated_bytes", "mapped_bytes"]' ]
	[ "$(jpy "$f" '"heap_state" in d["pre"]')" = false ]
	[ "$(jpy "$f" 'any(c["field"].startswith("heap_state") for c in d["changes"])')" = false ]
}

# ---- L7: a hostile program ------------------------------------------------

@test "preload L7: chdir, umask 0777, close_range(3, ~0): record at its absolute path" {
	same_with_and_without "$P" hostile
	[ "$status_plain" -eq 7 ]
	f=$(the_record)
	assert_complete_record "$f" 7
	[ "$(stat -c %a "$f")" = 644 ]
	no_temp_files
}

@test "preload L7: RLIMIT_FSIZE too small for the record: status kept, silent skip" {
	same_with_and_without "$P" hostile 64
	[ "$status_plain" -eq 7 ]
	[ ! -s "$BATS_TEST_TMPDIR/pre.err" ]
	assert_incomplete_record "$(the_record)"
	no_temp_files
}

@test "preload L7: stdio closed before exit: the record never gets fds 0-2" {
	command -v strace >/dev/null || skip "strace not installed"
	strace -f -qq -e trace=openat -o "$BATS_TEST_TMPDIR/trace" \
		-E LD_PRELOAD="$LIB" -E HOSTCTX_DIR="$dir" \
		bash -c 'exec 0<&- 1>&- 2>&-; true'
	assert_complete_record "$(the_record)" 0
	# the record is made unnamed (O_TMPFILE) or under a temporary name
	grep -Eq '(O_CREAT|O_TMPFILE).* = [0-9]' "$BATS_TEST_TMPDIR/trace"
	run grep -E '(hostctx\.json.*O_CREAT|O_TMPFILE).* = [012]$' "$BATS_TEST_TMPDIR/trace"
	[ "$status" -eq 1 ]
}

# ---- L8-L11 ---------------------------------------------------------------

@test "preload L8: a Go program with cgo leaves the incomplete record" {
	command -v go >/dev/null || skip "Go toolchain not installed"
	cat >"$BATS_TEST_TMPDIR/main.go" <<-'EOF'
	package main
	// #include <stdlib.h>
	import "C"
	import "os"
	func main() { C.free(C.malloc(1)); os.Exit(3) }
	EOF
	(cd "$BATS_TEST_TMPDIR" && CGO_ENABLED=1 go build -o goprog main.go) ||
		skip "cannot build a cgo program"
	same_with_and_without "$BATS_TEST_TMPDIR/goprog"
	[ "$status_plain" -eq 3 ]
	assert_incomplete_record "$(the_record)"
}

@test "preload L9: env -i ends the chain without errors" {
	same_with_and_without "$P" system "env -i $P print-env"
	[ "$(count_records)" -eq 1 ]
	run grep HOSTCTX "$BATS_TEST_TMPDIR/pre.out"
	[ "$status" -eq 1 ]
}

@test "preload L10: a 32-bit child with the \$LIB path" {
	t=$BATS_TEST_TMPDIR
	printf 'int main(void){return 0;}\n' >"$t/m32.c"
	cc -m32 -o "$t/m32" "$t/m32.c" 2>/dev/null ||
		skip "no 32-bit toolchain (gcc-multilib) installed"
	# a kernel without IA32 emulation (or booted ia32_emulation=0)
	# refuses the program itself with ENOEXEC
	"$t/m32" 2>/dev/null || skip "this kernel does not run 32-bit programs"
	# Debian's values of $LIB: lib/x86_64-linux-gnu for 64 bits; lib32
	# (libc6-i386, what gcc-multilib brings) or lib/i386-linux-gnu
	# (multiarch libc6:i386) for 32.  The 32-bit library is built from
	# the same sources as the Makefile's (the library's but the JSON
	# reader and the schema writer, which need cJSON), linked as strictly.
	mkdir -p "$t/root/lib/x86_64-linux-gnu" "$t/root/lib/i386-linux-gnu" "$t/root/lib32"
	cp "$LIB" "$(dirname "$LIB")/libhostctx.so" "$t/root/lib/x86_64-linux-gnu/"
	src=$TESTS_DIR/..
	cc -m32 -std=gnu11 -O2 -fPIC -shared -fvisibility=hidden -D_GNU_SOURCE \
		-I"$src/include" -nodefaultlibs -Wl,-z,defs \
		-Xlinker --version-script="$src/preload/preload.map" \
		-o "$t/root/lib32/libhostctx-preload.so" "$src"/preload/*.c \
		$(ls "$src"/lib/*.c | grep -Ev '/(json_read|schema)\.c$') -lc -lgcc
	cp "$t/root/lib32/libhostctx-preload.so" "$t/root/lib/i386-linux-gnu/"
	run env LD_PRELOAD="$t/root/\$LIB/libhostctx-preload.so" HOSTCTX_DIR="$dir" \
		"$P" system "$t/m32"
	[ "$status" -eq 0 ]
	[[ "$output" != *"wrong ELF class"* ]]
	[[ "$output" != *"ERROR: ld.so"* ]]
	assert_complete_record "$(the_record)" 0
}

@test "preload L11: a library constructor of the program runs before ours" {
	same_with_and_without "$HELPERS/pre_ctor"
	[ "$status_plain" -eq 4 ]
	# identical output proves the library's constructor ran first
	grep -q '^ctor saw owner: no$' "$BATS_TEST_TMPDIR/pre.out"
	assert_complete_record "$(the_record)" 4
}

# ---- hostctx-run ----------------------------------------------------------

@test "preload: under hostctx-run only the wrapper records" {
	[ -x "$HOSTCTX_RUN" ] || skip "hostctx-run not built"
	rm -f "$dir"/*
	# Not under $EXEC_PREFIX: valgrind's launcher would load the library
	# itself and the wrapper would run inside valgrind's process.
	run env LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" "$HOSTCTX_RUN" -- "$P" system "$P return 0"
	[ "$status" -eq 0 ]
	f=$(the_record)
	[ "$(jpy "$f" 'd["mode"]')" = wrapper ]
	[ "$(jpy "$f" 'd["complete"]')" = true ]
}

@test "preload: a recorded shell that execs hostctx-run: the wrapper writes its own record only" {
	[ -x "$HOSTCTX_RUN" ] || skip "hostctx-run not built"
	rm -f "$dir"/*
	run env LD_PRELOAD="$LIB" HOSTCTX_OUTPUT="$dir/out.json" \
		bash -c "exec $HOSTCTX_RUN -- $P return 3"
	[ "$status" -eq 3 ]
	[ "$(ls "$dir")" = out.json ]
	[ "$(jpy "$dir/out.json" 'd["mode"]')" = wrapper ]
	[ "$(jpy "$dir/out.json" 'd["complete"]')" = true ]
}

@test "preload: a recorded process that execs hostctx-run into a directory leaves the wrapper's record only" {
	rm -f "$dir"/*
	run env LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" \
		bash -c "exec $HOSTCTX_RUN -- $P return 3"
	[ "$status" -eq 3 ]
	f=$(the_record)
	[ "$(jpy "$f" 'd["mode"]')" = wrapper ]
	[ "$(jpy "$f" 'd["complete"]')" = true ]
	# the same with -o elsewhere, and with the dynamically linked wrapper
	# (which loads the library itself)
	for w in "$HOSTCTX_RUN" "$HOSTCTX_RUN_DYNAMIC"; do
		rm -f "$dir"/* "$BATS_TEST_TMPDIR/w.json"
		run env LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" \
			bash -c "exec $w -o $BATS_TEST_TMPDIR/w.json -- $P return 4"
		[ "$status" -eq 4 ]
		[ "$(count_records)" -eq 0 ]
		[ "$(jpy "$BATS_TEST_TMPDIR/w.json" 'd["complete"]')" = true ]
	done
}

@test "preload: heap_state for a non-PIE program that takes malloc's address (glibc, and jemalloc preloaded)" {
	with_preload "$HELPERS/pre_nonpie"
	f=$(the_record)
	[ "$(jpy "$f" 'sorted(d["post"]["heap_state"])')" = '["allocated_bytes", "mapped_bytes"]' ]
	rm -f "$dir"/*
	LD_PRELOAD="$JEMALLOC $LIB" HOSTCTX_DIR="$dir" "$HELPERS/pre_nonpie"
	f=$(the_record)
	[ "$(jpy "$f" 'd["post"]["heap_state"]["narenas"] > 0')" = true ]
	# Debian's python3 and node are such programs
	for prog in /usr/bin/python3 /usr/bin/node; do
		[ -x "$prog" ] || continue
		rm -f "$dir"/*
		case $prog in
		*python3) with_preload "$prog" -c pass ;;
		*) with_preload "$prog" -e 0 ;;
		esac
		f=$(the_record)
		[ "$(jpy "$f" 'd["post"]["heap_state"]["allocated_bytes"] > 0')" = true ]
	done
}

@test "preload: no fd is held while the program runs (its first open is 3; reused numbers change nothing)" {
	# the same fd table with and without the library
	same_with_and_without "$HELPERS/pre_fds"
	[ "$status_plain" -eq 0 ]
	assert_complete_record "$(the_record)" 0
	rm -f "$dir"/*
	run bash -c 'exec 3>&-; exec "$@"' - env LD_PRELOAD="$LIB" HOSTCTX_DIR="$dir" "$HELPERS/pre_fds"
	[ "${lines[0]}" = "first open: 3" ]
	# a program that puts its own files on the low numbers
	rm -f "$dir"/*
	with_preload bash -c 'exec 3>&1 4</ 5>/dev/null; exit 0' 3>&-
	f=$(the_record)
	[ "$(jpy "$f" 'd["changes"]')" = '[]' ]
	rm -f "$dir"/*
	with_preload /usr/bin/python3 -c 'import os; os.closerange(3, 100); fd = os.open("/", os.O_RDONLY); assert fd == 3, fd'
	f=$(the_record)
	[ "$(jpy "$f" 'd["changes"]')" = '[]' ]
}

@test "preload: after exec the record is read back without following a link or blocking on a FIFO" {
	# sh execs its last command: the same process resumes the record.
	# A FIFO that another process holds open would block a plain read.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	sleep 30 <>"$BATS_TEST_TMPDIR/fifo" 3>&- &
	holder=$!
	for swap in "ln $BATS_TEST_TMPDIR/fifo \"\$HOSTCTX_OUTPUT\"" \
		    'ln -s /dev/zero "$HOSTCTX_OUTPUT"' \
		    'head -c 20000000 /dev/zero > "$HOSTCTX_OUTPUT"'; do
		rm -rf "$dir"/*
		run timeout 10 env LD_PRELOAD="$LIB" HOSTCTX_OUTPUT="$dir/r.json" \
			sh -c "rm \"\$HOSTCTX_OUTPUT\"; $swap; exec $P return 4"
		[ "$status" -eq 4 ] || { kill "$holder"; false; }
		[ "$output" = "$(env -u LD_PRELOAD "$P" return 4)" ]
		# what was put there is left alone
		[ "$(ls "$dir")" = r.json ]
		[ ! -f "$dir/r.json" ] || [ -p "$dir/r.json" ] ||
			[ "$(stat -c %s "$dir/r.json")" -eq 20000000 ]
	done
	kill "$holder"
}

@test "HOSTCTX_FIELDS and HOSTCTX_REDACT choose what the preloaded process's snapshots hold, across exec too" {
	HOSTCTX_FIELDS=boot,kernel HOSTCTX_REDACT=1 with_preload sh -c 'exec /bin/true'
	rec=$(the_record)
	python3 - "$rec" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	for side in "pre", "post":
	    keys = set(d[side]) - {"heap_state"}
	    assert keys <= {"kernel_name", "kernel_release", "arch", "kernel_cmdline",
	                    "uptime_seconds", "redacted"}, keys
	    assert "boot_id" not in d[side]
	    assert d[side]["redacted"] == ["kernel_cmdline", "boot_id"], d[side]["redacted"]
	    assert " -- " not in d[side].get("kernel_cmdline", "")
	EOF
	rm -f "$rec"
	# the library cannot refuse to run: a bad group records every field,
	# any value of HOSTCTX_REDACT but 0 redacts
	HOSTCTX_FIELDS=nosuch HOSTCTX_REDACT=yes with_preload /bin/true
	rec=$(the_record)
	python3 - "$rec" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert "sched_tunables" in d["pre"] or "online_cpus" in d["pre"]
	assert "uptime_seconds" in d["pre"] and "redacted" in d["pre"]
	EOF
}
