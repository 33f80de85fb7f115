#!/usr/bin/env bats
# hostctx-run as a transparent process: signals (forwarding, re-raise,
# ignored and blocked signals), terminals and job control, parent death,
# pid namespaces, fds, environment, jobserver, descendants.
# (docs/hostctx-run.1, SIGNALS; docs/design.md, "The wrapper's signals")

bats_require_minimum_version 1.5.0
load wrapper_common

@test "T3: a command that kills itself: the caller sees the same signal and no core from the wrapper" {
	no_valgrind
	ulimit -c unlimited 2>/dev/null || true
	for sig in TERM USR1 USR2 SEGV ABRT; do
		num=$(kill -l "$sig")
		run $DRIVE status -- "$HOSTCTX_RUN" -o "r-$sig.json" -- sh -c "kill -$sig \$\$"
		[ "$output" = "signal $num core 0" ] || { echo "$sig: $output"; return 1; }
		[ "$(json "r-$sig.json" 'd["run"]["exit"]["signal_name"]')" = "SIG$sig" ]
		[ "$(json "r-$sig.json" 'd["run"]["exit"]["signal"]')" = "$num" ]
	done
	# the wrapper never dumps core: at most the command's own core files
	[ "$(ls | grep -c '^core')" -le 2 ]
}

# Start the wrapper in the background with default INT/QUIT (a
# non-interactive shell would ignore them for `&` jobs) around a
# signal-counting child; sets $wpid.
start_counted() {
	env --default-signal=INT,QUIT "$HOSTCTX_RUN" "$@" -o r.json -- \
		"$HELPERS/wrap_sigcount" count 10 3>&- &
	wpid=$!
	wait_for_file count.ready
}

@test "T4: a signal sent to the wrapper's pid reaches the command exactly once" {
	no_valgrind
	for sig in TERM USR1 USR2 INT HUP QUIT; do
		rm -f count count.ready r.json
		start_counted
		kill -"$sig" "$wpid"
		wait "$wpid"	# the child handles it and exits 0: so does the wrapper
		[ "$(cat count)" = "$sig 1" ] || { echo "$sig: $(cat count)"; return 1; }
		[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 0}' ]
	done
}

@test "T4: WINCH, CONT, URG and the stop signals sent to the wrapper reach the command once" {
	no_valgrind
	for sig in WINCH CONT URG TSTP TTIN TTOU; do
		rm -f count count.ready r.json
		start_counted
		kill -"$sig" "$wpid"
		# the command handles it and exits: the wrapper must not be
		# left stopped, or this wait would hang
		wait "$wpid"
		[ "$(cat count)" = "$sig 1" ] || { echo "$sig: $(cat count)"; return 1; }
		[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 0}' ]
	done
}

# Run a command in a process group of its own whose parent (this shell)
# is in another group of the same session: the kernel discards a stop
# signal's default action in an orphaned group (a test run from a job
# whose shell has gone away is in one), and the stop tests need it.
in_own_group() {
	# (exec: run in the background, the function's subshell becomes it)
	exec python3 -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# state PID: R, S, T... (the first letter of ps's STAT)
state() {
	ps -o stat= -p "$1" | cut -c1
}

wait_state() {	# PID LETTER
	for _ in $(seq 200); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1 is in state $(state "$1"), not $2" >&2
	return 1
}

@test "T4: a stop signal sent to the wrapper stops the command, then the wrapper; CONT resumes both" {
	no_valgrind
	# the command keeps the default stop action and counts its SIGCONTs
	in_own_group "$HOSTCTX_RUN" -o r.json -- python3 -c '
import os, signal, time
n = 0
def on_cont(sig, frame):
    global n
    n += 1
signal.signal(signal.SIGCONT, on_cont)
open("ready", "w").close()
while not os.path.exists("go"):
    time.sleep(0.02)
open("conts", "w").write("%d\n" % n)' 3>&- &
	wpid=$!
	wait_for_file ready
	child=$(child_of "$wpid")
	for sig in TSTP TTIN TTOU; do
		kill -"$sig" "$wpid"
		wait_state "$child" T
		wait_state "$wpid" T
		kill -CONT "$wpid"
		wait_state "$child" S
		wait_state "$wpid" S
	done
	# as `fg` does: SIGCONT to the command, then to the wrapper
	kill -TSTP "$wpid"
	wait_state "$wpid" T
	kill -CONT "$child"
	kill -CONT "$wpid"
	wait_state "$wpid" S
	touch go
	wait "$wpid"
	[ "$(cat conts)" = 4 ]
	[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 0}' ]
}

@test "T5: a hangup reaches the command when the wrapper leads the session (ssh -t, tmux)" {
	no_valgrind
	run $DRIVE pty-hangup direct.ready -- "$HELPERS/wrap_sigcount" direct 5
	[ "$output" = "exit 0" ]
	run $DRIVE pty-hangup count.ready -- "$HOSTCTX_RUN" -o r.json -- "$HELPERS/wrap_sigcount" count 5
	[ "$output" = "exit 0" ]
	# SIGHUP and the SIGCONT after it, once each, as without the wrapper
	cat count
	[ "$(cat count)" = "$(cat direct)" ]
	grep -qx 'HUP 1' count
	[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 0}' ]
}

@test "W10: a signal ignored when the wrapper started is not forwarded" {
	no_valgrind
	env --ignore-signal=USR1 --default-signal=INT "$HOSTCTX_RUN" -o r.json -- \
		"$HELPERS/wrap_sigcount" count 10 3>&- &
	wpid=$!
	wait_for_file count.ready
	kill -USR1 "$wpid"
	sleep 0.2
	kill -TERM "$wpid"
	wait "$wpid"
	[ "$(cat count)" = "TERM 1" ]
}

@test "T5: Ctrl-C on a terminal: the command sees one SIGINT; a cooperative exit stays 0" {
	no_valgrind
	run $DRIVE pty-keys count.ready '\x03' -- "$HOSTCTX_RUN" -o r.json -- "$HELPERS/wrap_sigcount" count 10
	[ "${lines[0]}" = "exit 0" ]
	[ "$(cat count)" = "INT 1" ]
	run $DRIVE pty-keys ready '\x03' -- "$HOSTCTX_RUN" -o r2.json -- sh -c 'touch ready; exec sleep 10'
	[ "${lines[0]}" = "signal 2 core 0" ]
	[ "$(json r2.json 'd["run"]["exit"]["signal_name"]')" = SIGINT ]
}

@test "T5: Ctrl-C stops a shell loop around the wrapper at once" {
	no_valgrind
	run $DRIVE pty-keys ready '\x03' -- bash -c "
		for i in 1 2 3; do
			'$HOSTCTX_RUN' -o r.json -- sh -c 'touch ready; exec sleep 10'
			echo next\$i
		done"
	[ "${lines[0]}" = "signal 2 core 0" ]
	[[ "$output" != *next* ]]
}

@test "T6: job control: Ctrl-Z stops the job, fg resumes it, the command owns the terminal" {
	no_valgrind
	run $DRIVE jobctl "$HOSTCTX_RUN"
	[ "$status" -eq 0 ]
	[ "$output" = "jobctl ok" ]
	[ "$(json jobctl.json 'd["run"]["exit"]')" = '{"code": 0}' ]
}

@test "T7: the command gets exactly the ignored and blocked signals the wrapper was given" {
	no_valgrind
	"$HELPERS/wrap_sigconf" grep -E '^Sig(Ign|Blk)' /proc/self/status > direct
	"$HELPERS/wrap_sigconf" "$HOSTCTX_RUN" -o r.json -- grep -E '^Sig(Ign|Blk)' /proc/self/status > wrapped
	cat direct
	[ "$(cat direct)" = "$(cat wrapped)" ]
	grep -q '^SigBlk:.*[1-9]' direct
}

@test "T8: env --list-signal-handling is the same with and without the wrapper" {
	no_valgrind
	env --list-signal-handling true > direct 2>&1
	"$HOSTCTX_RUN" -o r.json -- env --list-signal-handling true > wrapped 2>&1
	diff direct wrapped
	(trap '' INT PIPE; env --list-signal-handling true) > direct 2>&1
	(trap '' INT PIPE; "$HOSTCTX_RUN" -o r.json -- env --list-signal-handling true) > wrapped 2>&1
	diff direct wrapped
	grep -q INT direct
	env --block-signal=TERM env --list-signal-handling true > direct 2>&1
	env --block-signal=TERM "$HOSTCTX_RUN" -o r.json -- env --list-signal-handling true > wrapped 2>&1
	diff direct wrapped
	grep -q TERM direct
}

@test "T9: an ignored SIGPIPE stays ignored in the command; a default one still kills it" {
	no_valgrind
	(trap '' PIPE && "$HOSTCTX_RUN" -o r.json -- yes 2> err | :)
	grep -q 'Broken pipe' err
	env --default-signal=PIPE bash -c '"$0" -o r2.json -- yes | :; echo "${PIPESTATUS[0]}" > st' "$HOSTCTX_RUN"
	[ "$(cat st)" = 141 ]
	[ "$(json r2.json 'd["run"]["exit"]["signal_name"]')" = SIGPIPE ]
}

@test "T10: an ignored or blocked SIGCHLD (and SIGALRM) in the caller does not break the wait" {
	(trap '' CHLD; exec $EXEC_PREFIX "$HOSTCTX_RUN" -o r.json -- sh -c 'exit 3') || st=$?
	[ "$st" -eq 3 ]
	[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 3}' ]
	env --block-signal=CHLD,ALRM $EXEC_PREFIX "$HOSTCTX_RUN" -o r2.json -- true
	[ "$(json r2.json 'd["complete"]')" = true ]
	# and the command inherits the ignored SIGCHLD as it was
	(trap '' CHLD; exec grep SigIgn /proc/self/status) > direct
	(trap '' CHLD; exec "$HOSTCTX_RUN" -o r3.json -- grep SigIgn /proc/self/status) > wrapped
	[ "$(cat direct)" = "$(cat wrapped)" ]
}

@test "T11: a child the wrapper had before exec does not confuse it" {
	no_valgrind
	out=$(setsid sleep .1 & exec "$HOSTCTX_RUN" -o r.json -- sh -c 'sleep 1; echo ok')
	[ "$out" = ok ]
	[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 0}' ]
}

@test "T12: when the wrapper is killed with SIGKILL, the command gets killed too" {
	no_valgrind
	"$HOSTCTX_RUN" -o r.json -- sleep 30 3>&- &
	wpid=$!
	child=$(child_of "$wpid")
	kill -KILL "$wpid"
	wait "$wpid" || true
	for _ in $(seq 100); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$child" 2>/dev/null
	[ "$(json r.json 'd["complete"]')" = false ]
}

@test "T13: as pid 1 of a pid namespace, or as pid 1's child" {
	no_valgrind
	unshare --pid --fork true 2>/dev/null || skip "pid namespaces are not available here"
	run unshare --pid --fork "$HOSTCTX_RUN" -o r.json -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(json r.json 'd["run"]["exit"]')" = '{"code": 3}' ]
	# pid 1 cannot raise a signal on itself: 128+N instead
	run unshare --pid --fork "$HOSTCTX_RUN" -o r2.json -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	[ "$(json r2.json 'd["run"]["exit"]["signal"]')" = 15 ]
	run unshare --pid --fork sh -c '"$0" -o r3.json -- sh -c "exit 4"; echo "status $?"' "$HOSTCTX_RUN"
	[ "$output" = "status 4" ]
}

@test "T13: with --map-root-user in a user namespace" {
	no_valgrind
	unshare --user --map-root-user --pid --fork true 2>/dev/null ||
		skip "user namespaces are not available here"
	run unshare --user --map-root-user --pid --fork "$HOSTCTX_RUN" -o r.json -- sh -c 'exit 5'
	[ "$status" -eq 5 ]
}

@test "T14: the command gets the same fds, also with 0, 1 and 2 closed" {
	no_valgrind
	echo data > file
	ls /proc/self/fd 3<file 4>out 5<&0 > direct
	"$HOSTCTX_RUN" -o r.json -- ls /proc/self/fd 3<file 4>out 5<&0 > wrapped
	[ "$(cat direct)" = "$(cat wrapped)" ]
	grep -qx 5 wrapped
	sh -c 'ls /proc/self/fd > closed-direct 2>&1; echo $? >> closed-direct' <&- >&- 2>&-
	"$HOSTCTX_RUN" -o r2.json -- sh -c 'ls /proc/self/fd > closed-wrapped 2>&1; echo $? >> closed-wrapped' <&- >&- 2>&-
	cat closed-wrapped
	diff closed-direct closed-wrapped
	[ "$(json r2.json 'd["run"]["exit"]')" = '{"code": 0}' ]
}

@test "T15: a wrapped sub-make keeps the jobserver" {
	no_valgrind
	command -v make > /dev/null || skip "make is not installed"
	cat > Makefile <<'MK'
all:
	+$(RUN) -o r.json -- $(MAKE) -f sub.mk
MK
	printf 'all: a b c d\na b c d:\n\t@sleep 0.1; echo $@\n' > sub.mk
	run make -j4 RUN="$HOSTCTX_RUN"
	[ "$status" -eq 0 ]
	[[ "$output" != *jobserver* ]]
	[[ "$output" == *a* && "$output" == *d* ]]
}

@test "T16: the command's environment is the caller's" {
	no_valgrind
	env | grep -v '^_=' | sort > direct
	"$HOSTCTX_RUN" -o r.json -- env | grep -v '^_=' | sort > wrapped
	diff direct wrapped
}

@test "T18: --wait-descendants waits for an orphaned grandchild" {
	no_valgrind
	start=$(date +%s%N)
	"$HOSTCTX_RUN" --wait-descendants -o r.json -- "$HELPERS/wrap_doublefork" 1 done
	end=$(date +%s%N)
	[ -f done ]
	[ $(((end - start) / 1000000)) -ge 900 ]
	[ "$(json r.json 'd["run"]["descendants_left"]')" = 0 ]
	[ "$(json r.json 'd["run"]["descendants_wait"]')" = done ]
	# without it, the wrapper returns when the command does
	rm -f done
	"$HOSTCTX_RUN" -o r2.json -- "$HELPERS/wrap_doublefork" 1 done2
	[ ! -f done2 ]
	[ "$(json r2.json '"descendants_left" in d["run"]')" = false ]
	wait_for_file done2
}

@test "T18: --wait-descendants=SECONDS gives up on a daemon and says how many are left" {
	no_valgrind
	start=$(date +%s%N)
	run --separate-stderr "$HOSTCTX_RUN" --wait-descendants=0.3 -o r.json -- \
		sh -c "exec '$HELPERS/wrap_doublefork' 3 done >/dev/null 2>&1"
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	[ $(((end - start) / 1000000)) -lt 2500 ]
	[ "$(json r.json 'd["run"]["descendants_left"]')" = 1 ]
	[ "$(json r.json 'd["run"]["descendants_wait"]')" = limit ]
	[[ "$stderr" == *"1 descendant(s) still running"* ]]
}

@test "T18: during --wait-descendants a stop signal stops the wrapper and CONT resumes it" {
	no_valgrind
	in_own_group "$HOSTCTX_RUN" --wait-descendants=20 -o r.json -- \
		sh -c 'sleep 20 & echo $! > pid' 3>&- &
	wpid=$!
	wait_for_file pid
	# sleep is the wrapper's once sh is gone; then give it time to reap sh
	for _ in $(seq 200); do
		[ "$(ps -o ppid= -p "$(cat pid)" | tr -d ' ')" = "$wpid" ] && break
		sleep 0.05
	done
	sleep 0.2
	kill -TSTP "$wpid"
	wait_state "$wpid" T
	kill -CONT "$wpid"
	wait_state "$wpid" S
	kill -TERM "$wpid"
	wait "$wpid"
	kill "$(cat pid)"
	[ "$(json r.json 'd["run"]["descendants_wait"]')" = signal ]
}

@test "T18: Ctrl-C ends --wait-descendants when a descendant ignores SIGINT" {
	no_valgrind
	start=$(date +%s%N)
	run $DRIVE pty-keys ready '\x03' -- "$HOSTCTX_RUN" --wait-descendants -o r.json -- \
		sh -c 'sh -c "trap \"\" INT; exec sleep 30" & echo $! > pid; touch ready'
	end=$(date +%s%N)
	kill "$(cat pid)" 2>/dev/null || true
	[ "${lines[0]}" = "exit 0" ]
	[ $(((end - start) / 1000000)) -lt 10000 ]
	check r.json <<'PY'
r = d["run"]
assert r["descendants_wait"] == "interrupted", r
assert r["descendants_left"] == 1 and r["exit"] == {"code": 0}, r
assert d["complete"] is True
PY
}

@test "T20: a burst of signals while the command exits signals nothing else" {
	no_valgrind
	sleep 30 3>&- &
	dummy=$!
	start_counted
	for _ in $(seq 300); do kill -TERM "$wpid" 2>/dev/null || break; done
	wait "$wpid" || true
	kill -0 "$dummy"
	kill "$dummy"
	grep -q '^TERM [0-9]' count
}
