#!/bin/sh
# SPDX-License-Identifier: MIT
# The cost of `hostctx check`, run by `make bench` (scripts/bench exports
# BUILD).  Interleaved rounds, medians (docs/check.md, "Cost"):
#  - `hostctx check --interval=0` against `hostctx snapshot` (the same
#    snapshot, plus the table of checks): target <= +1 ms;
#  - `hostctx-run --check=warn -- true` against `hostctx-run -- true`:
#    target <= +0.3 ms.
#   ROUNDS=300 (default)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
HX=$BUILD/bin/hostctx
RUN=$BUILD/bin/hostctx-run
BENCH=$BUILD/tests/helpers/wrap_bench
ROUNDS=${ROUNDS:-300}

echo "== hostctx check: $ROUNDS interleaved rounds =="
for f in "$HX" "$RUN" "$BENCH"; do
	[ -x "$f" ] || { echo "missing $f (run: make BUILD=... tests)" >&2; exit 1; }
done
dir=$(mktemp -d "$BUILD/bench-check.XXXXXX")
trap 'rm -rf "$dir"' EXIT
rec=$dir/true.hostctx.json
for _ in 1 2 3; do
	"$HX" check --interval=0 >/dev/null || :
	"$RUN" --check=warn -o "$rec" -- true 2>/dev/null
done

# --accept=1: check's verdict (1: warnings, as on a host busy with the
# benches before this one) is not what is timed
"$BENCH" --accept=1 "$ROUNDS" \
	snapshot "$HX" snapshot :: \
	check "$HX" check --interval=0 :: \
	run "$RUN" -o "$rec" -- true :: \
	run-check "$RUN" --check=warn -o "$rec" -- true > "$dir/times" 2>/dev/null

awk '
	{ med[$1] = $2 }
	END {
		d = (med["check"] - med["snapshot"]) / 1000
		printf "hostctx check --interval=0: %.0f us, hostctx snapshot %.0f us: %+.3f ms (target <= +1 ms): %s\n",
			med["check"], med["snapshot"], d, d <= 1 ? "ok" : "OVER"
		d = (med["run-check"] - med["run"]) / 1000
		printf "hostctx-run --check=warn -- true: %.0f us, without %.0f us: %+.3f ms (target <= +0.3 ms): %s\n",
			med["run-check"], med["run"], d, d <= 0.3 ? "ok" : "OVER"
	}' "$dir/times"
