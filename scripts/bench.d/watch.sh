#!/bin/sh
# SPDX-License-Identifier: MIT
# The cost of `hostctx-run --watch-writes`, run by `make bench`
# (scripts/bench exports BUILD).  Interleaved rounds, medians
# (docs/design.md, "Cost"): `hostctx-run --watch-writes -- true` against
# `hostctx-run -- true`: target <= +1 ms.  As root that is the fanotify
# watch of the live /proc and /sys; otherwise inotify on their
# directories (the row says which).  A third row times inotify over a
# synthetic tree (--root, the unprivileged path's shape) against the
# same tree unwatched; as root, a fourth the unprivileged path (as
# nobody: inotify on the live /proc/sys).
#   ROUNDS=300 (default)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
RUN=$BUILD/bin/hostctx-run
BENCH=$BUILD/tests/helpers/wrap_bench
MKROOT=$here/tests/fixtures/mkroot
ROUNDS=${ROUNDS:-300}

echo "== hostctx-run --watch-writes: $ROUNDS interleaved rounds =="
for f in "$RUN" "$BENCH"; do
	[ -x "$f" ] || { echo "missing $f (run: make BUILD=... tests)" >&2; exit 1; }
done
dir=$(mktemp -d "$BUILD/bench-watch.XXXXXX")
trap 'rm -rf "$dir"' EXIT
rec=$dir/true.hostctx.json
"$MKROOT" "$dir/tree" --cpus 4 --governor performance --sched-defaults \
	--thp "always [madvise] never" >/dev/null
for _ in 1 2 3; do
	"$RUN" -o "$rec" -- true
	"$RUN" --watch-writes -o "$rec" -- true
done
source=$("$RUN" --watch-writes -o "$rec" -- true && python3 -c \
	'import json, sys; print(json.load(open(sys.argv[1]))["writes_source"])' "$rec")

"$BENCH" "$ROUNDS" \
	run "$RUN" -o "$rec" -- true :: \
	run-watch "$RUN" --watch-writes -o "$rec" -- true :: \
	tree "$RUN" --root="$dir/tree" -o "$rec" -- true :: \
	tree-watch "$RUN" --watch-writes --root="$dir/tree" -o "$rec" -- true > "$dir/times"

# As root, the unprivileged path too: nobody's inotify on the live /proc/sys.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	udir=$(mktemp -d /tmp/hostctx-bench-watch.XXXXXX)
	chmod 0777 "$udir"
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$BENCH" "$ROUNDS" \
		urun "$RUN" -o "$udir/r.json" -- true :: \
		urun-watch "$RUN" --watch-writes -o "$udir/r.json" -- true >>"$dir/times" 2>/dev/null; then :
	else
		echo "(the unprivileged row could not run as nobody)"
	fi
	rm -rf "$udir"
fi

awk -v source="$source" '
	{ med[$1] = $2 }
	END {
		d = (med["run-watch"] - med["run"]) / 1000
		printf "hostctx-run --watch-writes -- true (%s): %.0f us, without %.0f us: %+.3f ms (target <= +1 ms): %s\n",
			source, med["run-watch"], med["run"], d, d <= 1 ? "ok" : "OVER"
		d = (med["tree-watch"] - med["tree"]) / 1000
		printf "the same under --root (inotify over a synthetic tree): %.0f us, without %.0f us: %+.3f ms\n",
			med["tree-watch"], med["tree"], d
		if ("urun" in med) {
			d = (med["urun-watch"] - med["urun"]) / 1000
			printf "unprivileged (inotify on the live /proc/sys, as nobody): %.0f us, without %.0f us: %+.3f ms (target <= +1 ms): %s\n",
				med["urun-watch"], med["urun"], d, d <= 1 ? "ok" : "OVER"
		}
	}' "$dir/times"
