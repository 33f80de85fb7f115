# Shared by the wrapper*.bats files (loaded with `load wrapper_common`).

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/hostctx-run.XXXXXX")
	cd "$T" || return 1
	DRIVE="python3 $TESTS_DIR/e2e/wrapper_drive.py"
}

teardown() {
	cd / && rm -rf "$T"
	if [ -n "${S:-}" ]; then
		chmod -R u+rwx "$S" 2>/dev/null
		rm -rf "$S"
	fi
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

# The wrapper, under valgrind when the run asks for it.
hrun() {
	under_exec_prefix "$HOSTCTX_RUN" "$@"
}

# For tests that depend on timing, a terminal, signals or RSS.
no_valgrind() {
	if [ "${HOSTCTX_VALGRIND:-0}" = 1 ]; then
		skip "depends on timing, signals or a terminal (valgrind run)"
	fi
}

# The wrapper built with ASan carries megabytes of shadow memory, and a
# forked child's max RSS starts at its parent's RSS.
no_asan_rss() {
	if ldd "$HOSTCTX_RUN" 2>/dev/null | grep -q libasan; then
		skip "ASan wrapper: its RSS is the child's RSS floor"
	fi
}

# json FILE EXPR: a Python expression over the document d, printed
# (strings bare, anything else as JSON).
json() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# check FILE <<'EOF' ... python asserts over d ... EOF
check() {
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
exec(sys.stdin.read())' "$@"
}

# Wait until a file exists (up to 10 s).
wait_for_file() {
	for _ in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# The only child of a process (up to 10 s).
child_of() {
	local c
	for _ in $(seq 200); do
		c=$(pgrep -P "$1" | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.05
	done
	return 1
}

# Run a command as a user without privileges: root searches every
# directory, so as root drop to nobody (setpriv); a normal user is one.
# The files it needs must be reachable for that user.
unprivileged() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	elif command -v setpriv > /dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		echo "setpriv is needed to drop root's privileges" >&2
		return 99
	fi
}

# A directory that unprivileged() can use: $T is 0700 and root's.
shared_dir() {
	S=$(mktemp -d /tmp/hostctx-run-shared.XXXXXX)
	chmod 0777 "$S"
}
