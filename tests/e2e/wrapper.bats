#!/usr/bin/env bats
# hostctx-run: exit codes, options, the record's content and placement,
# crash safety and injected write failures.  Signals, terminals and
# process handling are in wrapper_signals.bats.

bats_require_minimum_version 1.5.0
load wrapper_common

@test "T1: the exit status is the command's, for every value 0..255" {
	step=1
	[ "${HOSTCTX_VALGRIND:-0}" = 1 ] && step=51
	for i in $(seq 0 "$step" 255); do
		hrun -q -o "r$i.json" -- sh -c "exit $i" && status=0 || status=$?
		[ "$status" -eq "$i" ] || { echo "exit $i gave $status"; return 1; }
	done
	# one checker for all the records, not one python3 per record
	python3 - "$step" <<'PY'
import json, sys
step = int(sys.argv[1])
for i in range(0, 256, step):
    d = json.load(open("r%d.json" % i))
    assert d["complete"] is True, (i, d)
    assert d["run"]["exit"] == {"code": i}, (i, d["run"])
PY
}

@test "T2: usage errors are 125 and run nothing" {
	run --separate-stderr hrun
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"hostctx-run: missing COMMAND"* ]]
	[ -z "$output" ]
	run --separate-stderr hrun --no-such-option -- touch ran
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"hostctx-run: "* ]]
	run --separate-stderr hrun -o
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "hostctx-run: option requires an argument -- 'o'" ]
	run --separate-stderr hrun -v --output
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "hostctx-run: option '--output' requires an argument" ]
	run --separate-stderr hrun --verbose=yes -- touch ran
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "hostctx-run: option '--verbose' takes no argument" ]
	run --separate-stderr hrun -x -- touch ran
	[ "${stderr_lines[0]}" = "hostctx-run: invalid option -- 'x'" ]
	run hrun --wait-descendants=soon -- touch ran
	[ "$status" -eq 125 ]
	run hrun -o '' -- touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
	[ -z "$(ls -A)" ]
}

@test "T2: a directory or a non-executable file is 126, a missing command 127" {
	run hrun -o r.json -- .
	[ "$status" -eq 126 ]
	run hrun -o r.json -- /
	[ "$status" -eq 126 ]
	printf 'echo hi\n' > script
	run hrun -o r.json -- ./script
	[ "$status" -eq 126 ]
	run -127 --separate-stderr hrun -o r.json -- no_such_command_hostctx
	[ "$status" -eq 127 ]
	[ "$stderr" = "hostctx-run: no_such_command_hostctx: No such file or directory" ]
	run -127 hrun -o r.json -- -x
	[ "$status" -eq 127 ]
}

@test "PATH is searched as bash does: unsearchable entries are skipped" {
	shared_dir
	mkdir "$S/locked" "$S/dir" "$S/dir/tool" "$S/plain" "$S/bin"
	chmod 000 "$S/locked"
	printf 'echo hi\n' > "$S/plain/tool"
	printf '#!/bin/sh\necho "ran $0"\n' > "$S/bin/tool"
	chmod 755 "$S/bin/tool"
	wrapped() {	# PATH, then the status, stderr and output of both
		local path=$1 w b
		w=$(unprivileged env PATH="$path" "$HOSTCTX_RUN" -o "$S/r.json" -- tool 2>&1; echo "status $?")
		b=$(unprivileged env PATH="$path" bash -c tool 2>/dev/null; echo "status $?")
		echo "$w" | tail -1
		[ "$(echo "$w" | tail -1)" = "$(echo "$b" | tail -1)" ]
		echo "$w"
	}
	run wrapped "$S/locked:/usr/bin:/bin"
	[ "$status" -eq 0 ] && [ "${lines[0]}" = "status 127" ]
	[ "${lines[1]}" = "hostctx-run: tool: No such file or directory" ]
	[ "$(json "$S/r.json" 'd["run"]["exec_error"]')" = ENOENT ]
	# something found but not executable is 126 (a directory too, as
	# for execvp, env and nice), unless a later one runs
	run unprivileged env PATH="$S/locked:$S/dir:/usr/bin" "$HOSTCTX_RUN" -q -o "$S/r.json" -- tool
	[ "$status" -eq 126 ]
	run wrapped "$S/locked:$S/plain:/usr/bin"
	[ "$status" -eq 0 ] && [ "${lines[0]}" = "status 126" ]
	[ "$(json "$S/r.json" 'd["run"]["exec_error"]')" = EACCES ]
	run wrapped "$S/locked:$S/plain:$S/dir:$S/bin"
	[ "$status" -eq 0 ] && [ "${lines[0]}" = "status 0" ]
	[ "${lines[1]}" = "ran $S/bin/tool" ]
	# an empty entry is the current directory; no PATH: /bin:/usr/bin
	(cd "$S/bin" && PATH=":/nonexistent" "$HOSTCTX_RUN" -o "$S/r.json" -- tool) > out
	[ "$(cat out)" = "ran ./tool" ]
	(unset PATH; exec "$HOSTCTX_RUN" -o "$S/r.json" -- true)
}

@test "exec errors are recorded: ENOENT (127) and EACCES (126)" {
	run -127 hrun -q -o enoent.json -- ./missing
	[ "$status" -eq 127 ]
	printf 'x\n' > plain
	run hrun -q -o eacces.json -- ./plain
	[ "$status" -eq 126 ]
	check enoent.json <<'PY'
assert d["complete"] is True, d
assert d["run"]["exec_error"] == "ENOENT", d["run"]
assert "exit" not in d["run"] and "post" not in d and "changes" not in d
assert isinstance(d["pre"], dict) and d["command"]["argv"] == ["./missing"]
PY
	check eacces.json <<'PY'
assert d["complete"] is True and d["run"]["exec_error"] == "EACCES", d
assert "exit" not in d["run"] and "post" not in d and "changes" not in d
PY
}

@test "options stop at the first operand; -- is accepted" {
	mkdir x && touch x/a x/b
	run --separate-stderr hrun -o r.json ls -l x
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls -l x)" ]
	run --separate-stderr hrun -o r2.json -- ls -l x
	[ "$output" = "$(ls -l x)" ]
	[ "$(json r.json 'd["command"]["argv"]')" = '["ls", "-l", "x"]' ]
}

@test "--help and --version print on stdout and exit 0 without running anything" {
	run --separate-stderr hrun --help touch ran
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: hostctx-run "* ]]
	[[ "$output" == *"--wait-descendants"* ]]
	[ -z "$stderr" ]
	run --separate-stderr hrun -V
	[ "$status" -eq 0 ]
	version=$(sed -n 's/^#define HOSTCTX_VERSION "\(.*\)"/\1/p' "$TESTS_DIR/../include/hostctx.h")
	[ "$output" = "hostctx-run (hostctx) $version" ]
	[ -z "$stderr" ]
	[ ! -e ran ]
	[ -z "$(ls -A)" ]
}

@test "the record holds command, cwd, times, exit code, rusage, pre, post, changes" {
	mkdir -p 'work dir' && cd 'work dir'
	run --separate-stderr hrun -o ../r.json -- sh -c 'echo out; echo err >&2; exit 7' a 'b c'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	check ../r.json "$T/work dir" <<'PY'
assert d["schema"] == "hostctx-sidecar/1"
assert d["tool"]["name"] == "hostctx-run" and d["tool"]["version"]
assert d["mode"] == "wrapper" and d["complete"] is True
assert d["command"]["argv"] == ["sh", "-c", "echo out; echo err >&2; exit 7", "a", "b c"]
import os
assert os.path.realpath(d["command"]["cwd"]) == os.path.realpath(sys.argv[2]), d["command"]
r = d["run"]
stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
assert re.match(stamp, r["started_at"]) and re.match(stamp, r["ended_at"]), r
assert r["started_at"] <= r["ended_at"]
assert 0 <= r["wall_seconds"] < 30
assert r["exit"] == {"code": 7}, r["exit"]
ru = r["rusage"]
for k in ("user_seconds", "system_seconds", "max_rss_kib", "minor_faults",
          "major_faults", "voluntary_context_switches",
          "involuntary_context_switches", "block_input_ops", "block_output_ops"):
    assert isinstance(ru[k], (int, float)) and ru[k] >= 0, (k, ru)
assert ru["max_rss_kib"] > 100
assert isinstance(d["pre"], dict) and isinstance(d["post"], dict)
assert "kernel_name" in d["pre"] and "task_delayacct" in d["post"]
assert isinstance(d["changes"], list)
assert "exec_error" not in r
PY
}

@test "a command killed by a signal: recorded with its name, and the wrapper dies of it" {
	no_valgrind
	run $DRIVE status -- "$HOSTCTX_RUN" -o r.json -- sh -c 'kill -USR1 $$'
	[ "$output" = "signal 10 core 0" ]
	check r.json <<'PY'
assert d["run"]["exit"] == {"signal": 10, "signal_name": "SIGUSR1", "core_dumped": False}, d["run"]
assert d["complete"] is True and "post" in d
PY
}

@test "stdout carries only the command's output, even with -v and warnings" {
	run --separate-stderr hrun -v -o r.json -- printf 'a\nb'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb')" ]
	[[ "$stderr" == *"hostctx-run: "* ]]
	hrun -v -o "$T/missing/r.json" -- true > out 2> err
	[ ! -s out ]
	grep -q '^hostctx-run: cannot write the record .*missing/r.json' err
}

@test "naming: default is a new file in the current directory" {
	run hrun -- true
	[ "$status" -eq 0 ]
	names=$(ls -A)
	[ "$(echo "$names" | wc -l)" -eq 1 ]
	[[ "$names" =~ ^true-[0-9]{8}T[0-9]{6}Z-[0-9]+\.hostctx\.json$ ]]
	check "$names" <<'PY'
assert d["complete"] is True and d["run"]["exit"] == {"code": 0}
PY
}

@test "naming: -O and HOSTCTX_DIR create the directory; HOSTCTX_OUTPUT is a file" {
	run hrun -O out/a/b -- /bin/true
	[ "$status" -eq 0 ]
	ls out/a/b | grep -Eq '^true-[0-9]{8}T[0-9]{6}Z-[0-9]+\.hostctx\.json$'
	HOSTCTX_DIR=envdir/x run hrun -- true
	[ "$(ls envdir/x | wc -l)" -eq 1 ]
	HOSTCTX_OUTPUT=env.json run hrun -- true
	[ -f env.json ]
	# first match wins: -o, --next-to, -O, HOSTCTX_OUTPUT, HOSTCTX_DIR
	HOSTCTX_OUTPUT=not.json HOSTCTX_DIR=notdir run hrun -O d2 -- true
	[ ! -e not.json ] && [ ! -e notdir ] && [ "$(ls d2 | wc -l)" -eq 1 ]
	HOSTCTX_DIR=notdir run hrun -o o.json --next-to=n -O d3 -- true
	[ -f o.json ] && [ ! -e n.hostctx.json ] && [ ! -e d3 ] && [ ! -e notdir ]
	run hrun --next-to=data.bin -O d4 -- true
	[ -f data.bin.hostctx.json ] && [ ! -e d4 ]
}

@test "naming: -o does not create its directory; the command still runs" {
	run --separate-stderr hrun -o nodir/r.json -- sh -c 'echo ran; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = ran ]
	[ ! -e nodir ]
	[[ "$stderr" == *"nodir/r.json: No such file or directory"* ]]
}

@test "naming: a directory that cannot be made is reported as such (HOSTCTX_DIR, -O); the command still runs" {
	# procfs refuses mkdir, for root too
	HOSTCTX_DIR=/proc/hostctx-none/d run --separate-stderr hrun -- sh -c 'exit 4'
	[ "$status" -eq 4 ]
	[ "$stderr" = "hostctx-run: cannot create the directory /proc/hostctx-none/d for the record: No such file or directory" ]
	run --separate-stderr hrun -O /proc/hostctx-none -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cannot create the directory /proc/hostctx-none for the record: "* ]]
	run hrun -q --strict -O /proc/hostctx-none -- true
	[ "$status" -eq 125 ]
}

@test "naming: a name taken by another run (same second, same pid) gets a suffix, never replaced" {
	mkdir d
	# Plant files (and a symlink) at the names this pid would get during
	# the next seconds, then exec the wrapper with that pid.
	cat > launch.sh <<LAUNCH
now=\$(date +%s)
for s in 0 1 2 3 4 5 6 7 8 9 10 11; do
	stamp=\$(date -u -d "@\$((now + s))" +%Y%m%dT%H%M%SZ)
	echo other > "d/true-\$stamp-\$\$.hostctx.json"
	ln -s "$T/victim" "d/true-\$stamp-\$\$-1.hostctx.json"
done
exec $EXEC_PREFIX "$HOSTCTX_RUN" -O d -- true
LAUNCH
	run sh launch.sh
	[ "$status" -eq 0 ]
	[ ! -e victim ]
	new=$(cd d && for f in *; do [ -L "$f" ] || grep -qx other "$f" || echo "$f"; done)
	[ "$(echo "$new" | wc -l)" -eq 1 ]
	[[ "$new" =~ ^true-[0-9]{8}T[0-9]{6}Z-[0-9]+-2\.hostctx\.json$ ]]
	[ "$(cat d/* 2>/dev/null | grep -cx other)" -eq 12 ]
	check "d/$new" <<'PY'
assert d["complete"] is True
PY
}

@test "a symlink at the target is refused; symlinks at guessable temp names cannot redirect the write" {
	ln -s "$T/victim" r.json
	for n in .r.json.tmp r.json.tmp .r.json.swp r.json~ .r.json r.json.new; do
		ln -s "$T/victim-$n" "$n"
	done
	run --separate-stderr hrun -o r.json -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cannot write the record r.json: it exists and is not a regular file"* ]]
	[ -L r.json ]
	run ls victim*
	[ "$status" -ne 0 ]
	rm r.json
	run hrun -o r.json -- true
	[ "$status" -eq 0 ]
	[ ! -L r.json ] && [ -f r.json ]
	run ls victim*
	[ "$status" -ne 0 ]
	[ "$(json r.json 'd["complete"]')" = true ]
	# only the planted links and the record are there
	[ "$(ls -A | wc -l)" -eq 7 ]
}

@test "the record is 0644 whatever the umask; no temporary file is left" {
	(umask 077 && hrun -o r.json -- true)
	[ "$(stat -c %a r.json)" = 644 ]
	(umask 077 && hrun -O d -- true)
	[ "$(stat -c %a d/*)" = 644 ]
	[ "$(ls -A | sort | tr '\n' ' ')" = "d r.json " ]
	[ "$(ls -A d | wc -l)" -eq 1 ]
}

@test "crash safety: the in-progress record exists before the command starts" {
	hrun -o r.json -- python3 -c '
import json
d = json.load(open("r.json"))
assert d["complete"] is False, d
assert d["schema"] == "hostctx-sidecar/1" and d["mode"] == "wrapper"
assert isinstance(d["pre"], dict) and d["run"]["started_at"]
assert d["command"]["argv"][0] == "python3"
for k in ("post", "changes"):
    assert k not in d, k
for k in ("exit", "ended_at", "wall_seconds", "rusage"):
    assert k not in d["run"], k
'
	[ "$(json r.json 'd["complete"]')" = true ]
	hrun -O dir -- sh -c '[ "$(ls dir | wc -l)" -eq 1 ] && grep -q "\"complete\": *false" dir/*'
}

@test "crash safety: kill -9 of the whole job leaves a parseable in-progress record" {
	no_valgrind
	setsid "$HOSTCTX_RUN" -o r.json -- sleep 30 3>&- &
	pid=$!
	child=$(child_of "$pid")
	[ -n "$child" ]
	kill -KILL -- "-$pid"
	wait "$pid" || true
	check r.json <<'PY'
assert d["complete"] is False and isinstance(d["pre"], dict), d
assert "post" not in d and "exit" not in d["run"]
PY
	[ "$(ls -A)" = r.json ]
}

@test "an in-progress record: check says its command still runs; killed with the wrapper, that it ended unrecorded" {
	no_valgrind
	"$HOSTCTX_RUN" -o r.json -- sleep 30 3>&- &
	pid=$!
	child=$(child_of "$pid")
	[ -n "$child" ]
	[ "$(json r.json 'd["run"]["pid"]')" -eq "$child" ]
	run --separate-stderr "$HOSTCTX" check r.json
	[ "$status" -eq 1 ]
	[[ $output == *"run-incomplete  the record is not complete: its command (pid $child) is still running"* ]]
	# the command dies with its wrapper (PR_SET_PDEATHSIG)
	kill -KILL "$pid"
	wait "$pid" || true
	run --separate-stderr "$HOSTCTX" check r.json
	[[ $output == *"run-incomplete  the record is not complete: its command (pid $child) ended, and hostctx-run was killed before it wrote the end"* ]]
}

@test "T19: an unwritable target is a warning; the status stays the command's (--strict: 125 on success)" {
	: > file
	run --separate-stderr hrun -o file/r.json -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[[ "$stderr" == "hostctx-run: cannot write the record file/r.json: Not a directory"* ]]
	# said once, not again when the final write fails the same way
	[ "$stderr" = "hostctx-run: cannot write the record file/r.json: Not a directory" ]
	run --separate-stderr hrun -O file/sub -- true
	[ "$status" -eq 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	run --separate-stderr hrun -q -o file/r.json -- sh -c 'exit 3'
	[ "$status" -eq 3 ] && [ -z "$stderr" ]
	run hrun -q -O file/sub -- true
	[ "$status" -eq 0 ]
	run hrun -q --strict -O file/sub -- true
	[ "$status" -eq 125 ]
	run hrun -q --strict -o file/r.json -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run hrun -q --strict -o ok.json -- true
	[ "$status" -eq 0 ]
}

@test "T19: a closed stderr pipe never kills the wrapper or changes the status" {
	no_valgrind
	{ sleep 0.3; env --default-signal=PIPE "$HOSTCTX_RUN" -v -o file/r.json -- sh -c 'exit 3' 2>&1 && echo 0 > st || echo $? > st; } | true
	[ "$(cat st)" = 3 ]
}

# hostctx-run itself may be static (LD_PRELOAD ignored): inject into its
# dynamically linked twin, built from the same objects.
inject() {	# ERRNO OP SKIP -- wrapper args
	local err=$1 op=$2 skip=$3
	shift 4
	LD_PRELOAD="$HELPERS/inject_write" INJECT_WRITE_ERRNO=$err \
		INJECT_WRITE_OP=$op INJECT_WRITE_SKIP=$skip \
		ASAN_OPTIONS=verify_asan_link_order=0 "$HOSTCTX_RUN_DYNAMIC" "$@"
}

@test "injected ENOSPC on write: a warning, no record, status kept (--strict: 125)" {
	run --separate-stderr inject ENOSPC write 0 -- -o r.json -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"hostctx-run: cannot write the record r.json: No space left on device"* ]]
	[ -z "$(ls -A)" ]
	run inject ENOSPC write 0 -- -q --strict -o r.json -- true
	[ "$status" -eq 125 ]
	run inject ENOSPC write 0 -- -q -o r.json -- true
	[ "$status" -eq 0 ]
	[ -z "$(ls -A)" ]
}

@test "injected EIO on the final write keeps the in-progress record and the status" {
	run --separate-stderr inject EIO write 1 -- -o r.json -- sh -c 'exit 5'
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"Input/output error"* ]]
	[ "$(json r.json 'd["complete"]')" = false ]
	[ "$(ls -A)" = r.json ]
	run inject EIO write 1 -- -q --strict -o r.json -- true
	[ "$status" -eq 125 ]
}

@test "injected EIO on close and ENOSPC on rename are caught too" {
	run --separate-stderr inject EIO close 0 -- -O d -- sh -c 'exit 6'
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"cannot write a record in d: Input/output error"* ]]
	[ -z "$(ls -A d)" ]
	# -O: one rename to create (RENAME_NOREPLACE), one to replace
	run --separate-stderr inject ENOSPC rename 1 -- -O d -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"No space left on device"* ]]
	[ "$(ls -A d | wc -l)" -eq 1 ]
	[ "$(json d/* 'd["complete"]')" = false ]
}

make_tree() {	# a minimal captured tree under $1
	local r=$1 cpu=$1/sys/devices/system/cpu
	mkdir -p "$r/proc/sys/kernel" "$r/sys/kernel/mm/transparent_hugepage" \
		"$cpu/cpu0/cpufreq" "$cpu/cpu1/cpufreq"
	printf 'MemTotal:        2048000 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n' > "$r/proc/meminfo"
	echo 1 > "$r/proc/sys/kernel/sched_foo"
	echo 5 > "$r/proc/sys/kernel/sched_bar"
	echo 'always [madvise] never' > "$r/sys/kernel/mm/transparent_hugepage/enabled"
	echo 0-1 > "$cpu/online"
	echo performance > "$cpu/cpu0/cpufreq/scaling_governor"
	echo performance > "$cpu/cpu1/cpufreq/scaling_governor"
}

@test "drift: a sched tunable, THP and one governor changed give exactly those three changes" {
	make_tree tree
	run --separate-stderr hrun -v --root=tree -o r.json -- sh -c '
		echo 2 > tree/proc/sys/kernel/sched_foo
		echo "[always] madvise never" > tree/sys/kernel/mm/transparent_hugepage/enabled
		echo powersave > tree/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *sched_foo* && "$stderr" == *powersave* && "$stderr" == *"[always] madvise never"* ]]
	check r.json <<'PY'
got = sorted((c["field"], c["before"], c["after"]) for c in d["changes"])
want = sorted([
    ("sched_tunables.sched_foo", "1", "2"),
    ("thp_enabled", "always [madvise] never", "[always] madvise never"),
    ("cpufreq_governor.cpu1", "performance", "powersave"),
])
assert got == want, got
assert d["pre"]["sched_tunables"] == {"sched_bar": "5", "sched_foo": "1"}, d["pre"]
assert d["post"]["cpufreq_governor"] == {"0": "performance", "1": "powersave"}, d["post"]
assert d["pre"]["total_memory_kib"] == 2048000 and d["pre"]["online_cpus"] == 2
assert "kernel_release" not in d["pre"], "live uname leaked into a --root snapshot"
PY
	# HOSTCTX_ROOT means the same; no change gives an empty list
	HOSTCTX_ROOT=tree run hrun -o r2.json -- true
	[ "$(json r2.json 'd["changes"]')" = "[]" ]
	[ "$(json r2.json 'd["pre"]["sched_tunables"]["sched_foo"]')" = 2 ]
}

@test "--root that cannot be opened is a usage error (125) and runs nothing" {
	run --separate-stderr hrun --root=/nonexistent/hostctx -o r.json -- touch ran
	[ "$status" -eq 125 ]
	[[ "$stderr" == "hostctx-run: cannot open the root /nonexistent/hostctx: "* ]]
	[ ! -e ran ] && [ ! -e r.json ]
}

@test "T17: max RSS of a 5 MB allocation is 5000..6000 KiB above an empty run" {
	no_valgrind
	no_asan_rss
	# ASLR off (setarch -R): with it on, the empty run alone moves by
	# +-100 KiB from one run to the next
	local arch
	arch=$(uname -m)
	setarch "$arch" -R true 2>/dev/null || skip "setarch -R not permitted here"
	setarch "$arch" -R "$HOSTCTX_RUN" -o a.json -- "$HELPERS/wrap_alloc" 0
	setarch "$arch" -R "$HOSTCTX_RUN" -o b.json -- "$HELPERS/wrap_alloc" 5120
	a=$(json a.json 'd["run"]["rusage"]["max_rss_kib"]')
	b=$(json b.json 'd["run"]["rusage"]["max_rss_kib"]')
	echo "empty $a KiB, 5 MB $b KiB"
	[ $((b - a)) -ge 5000 ] && [ $((b - a)) -le 6000 ]
}

@test "T17: the command's max RSS is GNU time's (within 64 KiB), even with a big snapshot" {
	no_valgrind
	no_asan_rss
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	make_tree big
	python3 -c '
for i in range(3000):
    open("big/proc/sys/kernel/sched_t%05d" % i, "w").write("value-%d\n" % i)'
	# RSS of `true` moves with the page cache (fault-around): compare
	# medians of interleaved runs.
	arch=$(uname -m)
	for i in 1 2 3 4 5; do
		setarch "$arch" -R /usr/bin/time -a -o gnu.txt -f %M true
		setarch "$arch" -R "$HOSTCTX_RUN" -o live.json -- true
		json live.json 'd["run"]["rusage"]["max_rss_kib"]' >> live.txt
		setarch "$arch" -R "$HOSTCTX_RUN" --root=big -o big.json -- true
		json big.json 'd["run"]["rusage"]["max_rss_kib"]' >> big.txt
	done
	gnu=$(sort -n gnu.txt | sed -n 3p)
	live=$(sort -n live.txt | sed -n 3p)
	bigr=$(sort -n big.txt | sed -n 3p)
	[ "$(json big.json 'len(d["pre"]["sched_tunables"])')" -eq 3002 ]
	echo "GNU time $gnu KiB, hostctx-run $live KiB, with a 3000-entry snapshot $bigr KiB"
	[ $((live - gnu)) -le 64 ] && [ $((gnu - live)) -le 64 ]
	[ $((bigr - gnu)) -le 64 ]
}

@test "--fields and HOSTCTX_FIELDS choose what both snapshots hold; --redact and HOSTCTX_REDACT=1 leave out what should not go public" {
	hrun --fields=seed -o seed.json -- true
	check seed.json <<-'EOF'
	seed = {"kernel_name", "kernel_release", "arch", "cpu_model", "cpu_vendor",
	        "total_memory_kib", "hugepages_total", "hugepages_free", "hugepages_size_kib",
	        "online_cpus", "numa_nodes", "thp_enabled", "thp_defrag", "kernel_cmdline",
	        "task_delayacct", "config_task_xacct", "cpufreq_governor", "sched_tunables"}
	for side in "pre", "post":
	    assert set(d[side]) <= seed, set(d[side]) - seed
	    assert "kernel_name" in d[side]
	EOF
	HOSTCTX_FIELDS=boot hrun -o boot.json -- true
	[ "$(json boot.json 'sorted(d["post"])')" = '["boot_id", "uptime_seconds"]' ]
	# the option beats the variable
	HOSTCTX_FIELDS=boot hrun --fields=seed -o both.json -- true
	[ "$(json both.json '"boot_id" in d["pre"]')" = false ]
	for how in --redact env; do
		if [ "$how" = env ]; then
			HOSTCTX_REDACT=1 hrun -o red.json -- true
		else
			hrun --redact -o red.json -- true
		fi
		check red.json <<-'EOF'
		for side in "pre", "post":
		    s = d[side]
		    assert "boot_id" not in s and "cpu_microcode" not in s and "cpu_vulnerabilities" not in s
		    assert " -- " not in s.get("kernel_cmdline", "")
		    assert s["redacted"] == ["kernel_cmdline", "boot_id", "cpu_vulnerabilities", "cpu_microcode"]
		EOF
	done
	# bad values: one line, exit 125, the command never runs
	run --separate-stderr hrun --fields=seed,nosuch -- touch ran
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx-run: --fields: unknown group in 'seed,nosuch'"* ]]
	run --separate-stderr env HOSTCTX_REDACT=yes ${EXEC_PREFIX:-} "$HOSTCTX_RUN" -- touch ran
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "hostctx-run: HOSTCTX_REDACT: 'yes' is neither 0 nor 1" ]
	[ ! -e ran ]
}
