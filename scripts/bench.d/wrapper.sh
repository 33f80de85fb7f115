#!/bin/sh
# SPDX-License-Identifier: MIT
# hostctx-run's cost, run by `make bench` (scripts/bench exports BUILD).
#
#  1. Time: interleaved rounds of `hostctx-run -o FILE -- true`,
#     `/usr/bin/time -f '' true` (GNU time: one fork+exec+wait4, the
#     peers' floor) and a bare fork+execvp+wait4 of true; medians and
#     ratios.  Targets: <= 1.60x GNU time (stretch 1.40x).
#  2. Memory, with ASLR off (setarch -R: `true` alone moves by +-100 KiB
#     with it on): the wrapper's own peak RSS (target <= 2 MiB) and the
#     command's max RSS as recorded vs as GNU time reports it (target:
#     within 64 KiB).
#
#   ROUNDS=300 (default)   BENCH_DIR=dir for the records (default: a
#   temporary directory beside the build, i.e. the build's filesystem)
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
RUN=$BUILD/bin/hostctx-run
BENCH=$BUILD/tests/helpers/wrap_bench
FORKEXEC=$BUILD/tests/helpers/wrap_forkexec
ROUNDS=${ROUNDS:-300}
GNU_TIME=/usr/bin/time

echo "== hostctx-run: $ROUNDS interleaved rounds =="
for f in "$RUN" "$BENCH" "$FORKEXEC"; do
	if [ ! -x "$f" ]; then
		echo "missing $f (run: make BUILD=... tests)" >&2
		exit 1
	fi
done
if [ ! -x "$GNU_TIME" ]; then
	echo "GNU time is missing (Debian: apt-get install time); skipping" >&2
	exit 0
fi

dir=${BENCH_DIR:-$(mktemp -d "$BUILD/bench-wrapper.XXXXXX")}
trap 'rm -rf "$dir"' EXIT
rec=$dir/true.hostctx.json

# Warm up the page cache and the dentries of everything involved.
for _ in 1 2 3 4 5; do
	"$RUN" -o "$rec" -- true
	"$GNU_TIME" -f '' true
	"$FORKEXEC" true
done

"$BENCH" "$ROUNDS" \
	hostctx-run "$RUN" -o "$rec" -- true :: \
	gnu-time "$GNU_TIME" -f '' true :: \
	fork-exec "$FORKEXEC" true :: \
	true true > "$dir/times"

awk '
	{ med[$1] = $2; p10[$1] = $3; p90[$1] = $4; order[n++] = $1 }
	END {
		printf "%-12s %10s %10s %10s %9s\n", "command", "median_us", "p10_us", "p90_us", "vs_time"
		for (i = 0; i < n; i++) {
			c = order[i]
			printf "%-12s %10.1f %10.1f %10.1f %8.2fx\n", c, med[c], p10[c], p90[c], med[c] / med["gnu-time"]
		}
		r = med["hostctx-run"] / med["gnu-time"]
		printf "hostctx-run / GNU time: %.2fx (target <= 1.60x, stretch 1.40x): %s\n", r, r <= 1.60 ? "ok" : "OVER"
		printf "hostctx-run / fork+exec: %.2fx; added per run: %.0f us over GNU time\n", med["hostctx-run"] / med["fork-exec"], med["hostctx-run"] - med["gnu-time"]
	}' "$dir/times"

echo "== memory (ASLR off) =="
arch=$(uname -m)
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: > "$dir/peak"; : > "$dir/rec"; : > "$dir/gnu"
for _ in 1 2 3 4 5 6 7; do
	setarch "$arch" -R "$GNU_TIME" -a -o "$dir/peak" -f %M "$RUN" -o "$rec" -- true
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run"]["rusage"]["max_rss_kib"])' "$rec" >> "$dir/rec"
	setarch "$arch" -R "$GNU_TIME" -a -o "$dir/gnu" -f %M true
done
peak=$(median < "$dir/peak")
recd=$(median < "$dir/rec")
gnu=$(median < "$dir/gnu")
diff=$((recd - gnu))
echo "hostctx-run peak RSS: $peak KiB (target <= 2048 KiB): $([ "$peak" -le 2048 ] && echo ok || echo OVER)"
echo "true's max RSS: recorded $recd KiB, GNU time $gnu KiB, difference $diff KiB (target within 64 KiB): $([ "$diff" -le 64 ] && [ "$diff" -ge -64 ] && echo ok || echo OVER)"
