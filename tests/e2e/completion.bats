#!/usr/bin/env bats
# completion/hostctx.bash: subcommands, options and field groups come
# from the programs themselves.

setup() {
	BIN=$(dirname "$HOSTCTX")
}

# complete WORD...: what the completion offers for the last word.
complete_words() {
	PATH=$BIN:$PATH bash -c '
		. "$1"; shift
		F=$1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		"$F"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BATS_TEST_DIRNAME/../../completion/hostctx.bash" "$@"
}

@test "hostctx: subcommands, then each subcommand's options from its --help" {
	run complete_words _hostctx hostctx ""
	[ "$status" -eq 0 ]
	for s in snapshot show diff export report --help --version; do
		printf '%s\n' "$output" | grep -qx -- "$s"
	done
	! printf '%s\n' "$output" | grep -qx or
	run complete_words _hostctx hostctx snapshot --
	for o in --root= --fields= --redact --human --explain --no-sandbox --help; do
		printf '%s\n' "$output" | grep -qx -- "$o"
	done
	run complete_words _hostctx hostctx diff --j
	[ "$output" = --json ]
}

@test "hostctx junit: its options; XML files, then records" {
	run complete_words _hostctx hostctx ""
	printf '%s\n' "$output" | grep -qx junit
	run complete_words _hostctx hostctx junit --
	for o in --no-sandbox --help; do
		printf '%s\n' "$output" | grep -qx -- "$o"
	done
	cd "$BATS_TEST_TMPDIR"
	touch results.xml run.hostctx.json notes.txt
	run complete_words _hostctx hostctx junit ""
	[ "$output" = results.xml ]
	run complete_words _hostctx hostctx junit results.xml ""
	[ "$output" = run.hostctx.json ]
}

@test "diff: its new options from --help; --class completes the classes, after a comma too" {
	run complete_words _hostctx hostctx diff --
	[[ $output == *--tolerance=* && $output == *--no-default-tolerances* && $output == *--class=* ]]
	run complete_words _hostctx hostctx diff --class = id
	[ "$output" = identity ]
	run complete_words _hostctx hostctx diff --class = identity,co
	[ "$output" = identity,config ]
}

@test "--fields completes the field groups, after a comma too; --root completes directories" {
	run complete_words _hostctx hostctx snapshot --fields = se
	[ "$output" = "$(printf 'security\nseed')" ]
	run complete_words _hostctx hostctx snapshot --fields = seed,bo
	[ "$output" = seed,boot ]
	run complete_words _hostctx_run hostctx-run --fields = bo
	[ "$output" = boot ]
	mkdir -p "$BATS_TEST_TMPDIR/rootdir"
	run complete_words _hostctx_run hostctx-run --root "$BATS_TEST_TMPDIR/root"
	[ "$output" = "$BATS_TEST_TMPDIR/rootdir" ]
}

@test "hostctx-run: its options, then commands" {
	run complete_words _hostctx_run hostctx-run --f
	[ "$output" = "$(printf -- '--fields=\n--fsync')" ]
	run complete_words _hostctx_run hostctx-run -v tru
	printf '%s\n' "$output" | grep -qx true
}

@test "summary's --format values, hostctx-run's --ci values, and --ci VALUE is not the command" {
	run complete_words _hostctx hostctx ""
	printf '%s\n' "$output" | grep -qx summary
	run complete_words _hostctx hostctx summary --format = m
	[ "$output" = markdown ]
	# each subcommand's own values, from its own --help
	run complete_words _hostctx hostctx export --format = ""
	[ "$output" = "$(printf 'ndjson\ncsv')" ]
	run complete_words _hostctx hostctx export --s
	[ "$output" = --snapshots ]
	run complete_words _hostctx_run hostctx-run --ci = g
	[ "$output" = "$(printf 'github\ngitlab')" ]
	# the word after "--ci VALUE" is the command's name, completed as one
	run complete_words _hostctx_run hostctx-run --ci github --f
	printf '%s\n' "$output" | grep -qx -- --fields=
}
