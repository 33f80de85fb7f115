# Shared by the e2e files: run a program under $EXEC_PREFIX (valgrind
# under VALGRIND=1, see tests/run-all).
#
# valgrind's own messages go through a log file to stderr after the run,
# without the warning of a valgrind that does not know openat2 (syscall
# 437; the library opens the root and the record's directory with it and
# falls back), which would break every exact comparison of stderr.
# Memory errors and leaks still show, and give status 99.
under_exec_prefix() {	# PROGRAM ARGS...
	local log rc

	if [ "${HOSTCTX_VALGRIND:-0}" != 1 ]; then
		# shellcheck disable=SC2086 # EXEC_PREFIX is a command line
		${EXEC_PREFIX:-} "$@"
		return
	fi
	log=$(mktemp "${BATS_TMPDIR:-/tmp}/hostctx-valgrind.XXXXXX")
	rc=0
	# shellcheck disable=SC2086
	$EXEC_PREFIX --log-file="$log" "$@" || rc=$?
	grep -v -e 'WARNING: unhandled [a-z0-9-]* syscall: 437' \
		-e 'You may be able to write your own handler' \
		-e 'README_MISSING_SYSCALL_OR_IOCTL' \
		-e 'Nevertheless we consider this a bug' \
		-e 'valgrind.org/support/bug_reports' "$log" >&2 || true
	rm -f "$log"
	return "$rc"
}
