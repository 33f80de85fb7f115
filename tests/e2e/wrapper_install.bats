#!/usr/bin/env bats
# `make install` and `make uninstall`: what goes where.

bats_require_minimum_version 1.5.0
load wrapper_common

@test "make install writes hostctx.pc for the PREFIX being installed" {
	command -v make > /dev/null || skip "make is not installed"
	src=$TESTS_DIR/..
	# `make` has already built $BUILD with the default PREFIX
	[ -f "$BUILD/hostctx.pc" ]
	run make -C "$src" --no-print-directory BUILD="$BUILD" PREFIX="$T/x" install
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	pc=$T/x/lib/pkgconfig/hostctx.pc
	grep -qx "prefix=$T/x" "$pc"
	[ "$(stat -c %a "$pc")" = 644 ]
	[ "$(PKG_CONFIG_PATH=$T/x/lib/pkgconfig pkg-config --variable=libdir hostctx)" = "$T/x/lib" ]
	# DESTDIR stages the files; the .pc names PREFIX, not DESTDIR
	run make -C "$src" --no-print-directory BUILD="$BUILD" PREFIX=/opt/hctx DESTDIR="$T/stage" install
	[ "$status" -eq 0 ]
	grep -qx "prefix=/opt/hctx" "$T/stage/opt/hctx/lib/pkgconfig/hostctx.pc"
}

@test "make install puts the JSON Schemas and the bash completion in share; uninstall removes them" {
	command -v make > /dev/null || skip "make is not installed"
	src=$TESTS_DIR/..
	run make -C "$src" --no-print-directory BUILD="$BUILD" PREFIX="$T/x" install
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	for s in snapshot sidecar; do
		cmp "$src/docs/schema/hostctx-$s-1.schema.json" "$T/x/share/hostctx/schema/hostctx-$s-1.schema.json"
	done
	for p in hostctx hostctx-run; do
		cmp "$src/completion/hostctx.bash" "$T/x/share/bash-completion/completions/$p"
	done
	run make -C "$src" --no-print-directory BUILD="$BUILD" PREFIX="$T/x" uninstall
	[ "$status" -eq 0 ]
	[ ! -e "$T/x/share/hostctx/schema" ]
	[ ! -e "$T/x/share/bash-completion/completions/hostctx" ]
}
