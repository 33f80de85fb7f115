#!/bin/sh
# SPDX-License-Identifier: MIT
# The cost of `hostctx report`, run by `make bench` (scripts/bench exports
# BUILD): 10,000 records of about 4 KB (40 MB; variants of one record of
# this host made by tests/e2e/fleet_gen.py) in one directory tree, timed
# with /usr/bin/time -v.  Targets (docs/fleet.md, "hostctx report"):
# <= 5 s and a peak RSS <= 64 MiB.
#   RECORDS=10000 (default)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
HX=$BUILD/bin/hostctx
RUN=$BUILD/bin/hostctx-run
RECORDS=${RECORDS:-10000}

echo "== hostctx report: $RECORDS records =="
for f in "$HX" "$RUN" /usr/bin/time; do
	[ -x "$f" ] || { echo "missing $f (run: make BUILD=... tests; Debian: apt-get install time)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "report: no python3, skipped"; exit 0; }
dir=$(mktemp -d "$BUILD/bench-report.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# the seed fields and boot: a record of about 4 KB
HOSTCTX_FIELDS=seed,boot "$RUN" -o "$dir/one.json" -- true
python3 "$here/tests/e2e/fleet_gen.py" "$dir/one.json" "$dir/fleet" "$RECORDS" >/dev/null
mb=$(du -sm --apparent-size "$dir/fleet" | cut -f1)
"$HX" report "$dir/fleet" >/dev/null	# warm the page cache
/usr/bin/time -v "$HX" report "$dir/fleet" 2>"$dir/time" >/dev/null
awk -v n="$RECORDS" -v mb="$mb" '
	/Elapsed \(wall clock\)/ { split($NF, t, ":"); s = t[1] * 60 + t[2] }
	/Maximum resident set size/ { rss = $NF / 1024 }
	END {
		printf "hostctx report, %d records (%d MB): %.2f s (target <= 5 s): %s, peak RSS %.1f MiB (target <= 64 MiB): %s\n",
			n, mb, s, s <= 5 ? "ok" : "OVER", rss, rss <= 64 ? "ok" : "OVER"
	}' "$dir/time"
