#!/usr/bin/env bats
# The seccomp sandbox of `hostctx show`, `diff` and `snapshot`
# (docs/design.md, "The sandbox"): what it forbids fails with EPERM, and
# every output is the same with and without --no-sandbox.
#
# HOSTCTX_SANDBOX_SELFTEST=PATH is a test-only hook: after entering the
# sandbox the command tries to create PATH, write to fd 3, open a socket,
# exec /bin/true and openat2, and prints what happened on stderr.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	REAL=${HOSTCTX_SHARED:+$HOSTCTX_SHARED/fixtures/real}
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
}

hx() {
	# shellcheck disable=SC2086 # EXEC_PREFIX is a command line
	${EXEC_PREFIX:-} "$HOSTCTX" "$@"
}

# The build has the sandbox: make says so (HOSTCTX_HAVE_SECCOMP), else
# the Makefile's own test (pkg-config finds libseccomp).
have_seccomp() {
	case ${HOSTCTX_HAVE_SECCOMP:-} in
	1) return 0 ;;
	0) return 1 ;;
	esac
	pkg-config --exists libseccomp 2>/dev/null
}

not_under_valgrind() {
	[ -z "${EXEC_PREFIX:-}" ] ||
		skip "valgrind cannot run a seccomp filter: the sandbox is off under it"
}

# Some roots: the real trees when ../shared is there, else mkroot ones.
roots() {
	if [ -n "$REAL" ] && [ -d "$REAL" ]; then
		printf '%s\n' "$REAL"/*/root
		return
	fi
	"$MKROOT" "$T/r1" --cpus 8 --nodes 2 --governor performance >/dev/null
	"$MKROOT" "$T/r2" --cpus 64 --nodes 4 --sparse-nodes --policy-symlinks >/dev/null
	printf '%s\n' "$T/r1" "$T/r2"
}

# The selftest line of the last run: every forbidden step refused.
assert_selftest_refused() {
	local policy=$1
	echo "status: $status stderr: $stderr"
	[[ $stderr == *"hostctx: sandbox selftest ($policy): open-for-write EPERM, write-fd3 EPERM, socket EPERM, exec EPERM, open-read-only ok, openat2 ENOSYS"* ]]
	[ ! -e "$T/created" ]
	[ ! -s "$T/fd3" ]
}

@test "show, diff, snapshot, export and report: writes, sockets and exec fail with EPERM inside" {
	not_under_valgrind
	have_seccomp || skip "hostctx built without libseccomp"
	hx snapshot >"$T/a.json"
	export HOSTCTX_SANDBOX_SELFTEST="$T/created"

	# show and diff take directories: they list them inside (getdents64)
	run --separate-stderr hx show "$T/a.json" 3>"$T/fd3"
	assert_selftest_refused listing
	[ "$status" -eq 0 ]
	[[ $output == *"kernel_name: Linux"* ]]

	run --separate-stderr hx diff "$T/a.json" "$T/a.json" 3>"$T/fd3"
	assert_selftest_refused listing
	[ "$status" -eq 0 ]

	run --separate-stderr hx diff - <"$T/a.json" 3>"$T/fd3"
	assert_selftest_refused listing
	[ "$status" -eq 2 ]	# a snapshot, not a record: still parsed inside

	run --separate-stderr hx snapshot 3>"$T/fd3"
	assert_selftest_refused snapshot
	[ "$status" -eq 0 ]
	python3 -c 'import json, sys; json.loads(sys.argv[1])' "$output"

	# export lists directories inside (getdents64), and nothing more
	mkdir -p "$T/recs/sub"
	"$HOSTCTX_RUN" -o "$T/recs/sub/r.hostctx.json" -- true
	run --separate-stderr hx export "$T/recs" 3>"$T/fd3"
	assert_selftest_refused listing
	[ "$status" -eq 0 ]
	[[ $output == '{"file":"'"$T"'/recs/sub/r.hostctx.json",'* ]]
	# so does report, whose incomplete records are asked of /proc read-only
	run -127 "$HOSTCTX_RUN" -o "$T/recs/e.hostctx.json" -- /nonexistent/cmd
	run --separate-stderr hx report "$T/recs" 3>"$T/fd3"
	assert_selftest_refused listing
	[ "$status" -eq 0 ]
	[[ $output == "2 runs in 1 group, by host configuration"* ]]
}

@test "--no-sandbox: no filter is entered, the hook stays silent" {
	not_under_valgrind
	hx snapshot >"$T/a.json"
	export HOSTCTX_SANDBOX_SELFTEST="$T/created"
	for cmd in "show $T/a.json" "diff $T/a.json $T/a.json" "snapshot"; do
		# shellcheck disable=SC2086
		run --separate-stderr hx $cmd --no-sandbox
		echo "$cmd: status $status stderr: $stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
}

@test "without libseccomp the hook says there is no sandbox" {
	not_under_valgrind
	! have_seccomp || skip "built with libseccomp (the test above covers it)"
	run --separate-stderr env HOSTCTX_SANDBOX_SELFTEST="$T/created" "$HOSTCTX" snapshot
	[ "$status" -eq 0 ]
	[[ $stderr == *"no sandbox (built without libseccomp)"* ]]
}

@test "outputs are identical with and without --no-sandbox" {
	not_under_valgrind
	local root n=0 prev=
	while read -r root; do
		for human in "" --human; do
			# shellcheck disable=SC2086
			run --separate-stderr hx snapshot --root "$root" $human
			local s_out=$output s_err=$stderr s_st=$status
			# shellcheck disable=SC2086
			run --separate-stderr hx snapshot --no-sandbox --root "$root" $human
			[ "$output" = "$s_out" ] && [ "$stderr" = "$s_err" ] && [ "$status" = "$s_st" ] ||
				{ echo "snapshot $human differs for $root"; return 1; }
		done
		n=$((n + 1))
		hx snapshot --no-sandbox --root "$root" >"$T/$n.json"
		for args in "show $T/$n.json" ${prev:+"diff $prev $T/$n.json"} \
			    ${prev:+"diff --json $prev $T/$n.json"}; do
			# shellcheck disable=SC2086
			run --separate-stderr hx $args
			local out=$output err=$stderr st=$status
			# shellcheck disable=SC2086
			run --separate-stderr hx $args --no-sandbox
			[ "$output" = "$out" ] && [ "$stderr" = "$err" ] && [ "$status" = "$st" ] ||
				{ echo "'$args' differs"; return 1; }
		done
		prev="$T/$n.json"
	done < <(roots)
	echo "roots compared: $n"
	[ "$n" -ge 2 ]
	# the live system too, and a bad input's message
	# (telemetry moves between two reads, and a gauge can go up and come
	# back: telemetry is left out, and the rest must match where two
	# sandboxed reads around the unsandboxed one agree)
	hx snapshot >"$T/live1.json"
	hx snapshot --no-sandbox >"$T/live2.json"
	hx snapshot >"$T/live3.json"
	python3 - "$TESTS_DIR/../docs/schema/hostctx-snapshot-1.schema.json" \
		"$T"/live1.json "$T"/live2.json "$T"/live3.json <<-'EOF'
	import json, sys
	schema, a, b, c = (json.load(open(p)) for p in sys.argv[1:])
	rows = schema["properties"]
	telemetry = {k for k in rows if rows[k].get("x-hostctx-class") == "telemetry"}
	assert {"procs_running", "load_avg_1min"} <= telemetry, telemetry
	assert a.keys() == b.keys() == c.keys(), (a.keys() ^ b.keys())
	stable = [k for k in a if a[k] == c[k] and k not in telemetry]
	assert len(stable) >= 18, stable
	bad = [k for k in stable if a[k] != b[k]]
	assert not bad, bad
	EOF
	echo '{"online_cpus": "x"}' >"$T/bad.json"
	run --separate-stderr hx show "$T/bad.json"
	local err=$stderr
	run --separate-stderr hx show --no-sandbox "$T/bad.json"
	[ "$stderr" = "$err" ] && [ "$status" -eq 2 ]
}

@test "libseccomp is linked into hostctx alone" {
	have_seccomp || skip "hostctx built without libseccomp"
	command -v readelf >/dev/null || skip "readelf not installed"
	readelf -d "$HOSTCTX" | grep -q 'libseccomp'
	for f in "$HOSTCTX_RUN" "$HOSTCTX_PRELOAD_LIB" "$(dirname "$HOSTCTX")/../lib/libhostctx.so"; do
		[ -e "$f" ] || { echo "not built: $f"; return 1; }
		! readelf -d "$f" | grep -q 'libseccomp' || { echo "$f links libseccomp"; return 1; }
	done
}
