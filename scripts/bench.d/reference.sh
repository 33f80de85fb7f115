#!/bin/sh
# SPDX-License-Identifier: MIT
# hostctx's snapshot against the reference's (ktstr's host_context.rs,
# built as it is by a separate timing harness), run by `make bench`.
#
# The harness is not part of hostctx: set HOSTCTX_REFERENCE_BENCH to its
# binary (`hcrs`), or have its sources at ../shared/bench/seed-bench
# beside this tree (it is then built into $BUILD/seed-bench; it needs
# cargo).  Without either this part says so and stops.
#
# ROUNDS interleaved rounds (default 5) of: the reference's warm median
# over 200 calls, hostctx's warm median (every field, and --fields=seed)
# over 1 s; and as many fresh processes of each for the first call.  The
# VM's speed drifts by up to 1.5x within an hour: only the ratios of
# one round are compared, and their median is printed.  Targets
# (docs/design.md, "Cost"): warm, every field <= 1.3x the reference
# (aim 1.0x); first call <= 1.3x.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
ROUNDS=${ROUNDS:-5}
bench=$BUILD/tests/bench_snapshot

hcrs=${HOSTCTX_REFERENCE_BENCH:-}
if [ -z "$hcrs" ] && [ -x "$here/../shared/bench/seed-bench/build.sh" ] &&
	command -v cargo >/dev/null 2>&1; then
	hcrs=$BUILD/seed-bench/target/release/hcrs
	[ -x "$hcrs" ] || OUT=$BUILD/seed-bench "$here/../shared/bench/seed-bench/build.sh" >/dev/null 2>&1 ||
		hcrs=
fi
if [ -z "$hcrs" ] || [ ! -x "$hcrs" ]; then
	echo "no reference harness (HOSTCTX_REFERENCE_BENCH unset, no ../shared/bench/seed-bench or cargo): skipped"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

ours() {	# warm median (us) of bench_snapshot ARGS...
	"$bench" "$@" | sed -n 's/.*warm median *\([0-9.]*\) us.*/\1/p'
}
ours_cold() {
	"$bench" --iterations=5 --seconds=0 "$@" | sed -n 's/.* cold *\([0-9.]*\) us.*/\1/p'
}
ref() {
	"$hcrs" bench 200 | sed -n 's/^warm collect_host_context:.* median=\([0-9.]*\).*/\1/p'
}
ref_cold() {
	"$hcrs" cold | sed -n '1s/[^0-9.]*\([0-9.]*\).*/\1/p'
}
median() {	# of the numbers on stdin
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "== against the reference: $ROUNDS interleaved rounds (us; ratio = hostctx / reference)"
printf '%-6s %10s %10s %10s %8s %8s | %10s %10s %8s\n' round ref_warm all_warm seed_warm \
	all/ref seed/ref ref_cold all_cold cold/ref
for r in $(seq "$ROUNDS"); do
	rw=$(ref); aw=$(ours --seconds=1); sw=$(ours --seconds=1 --fields=seed)
	rc=$(for _ in 1 2 3 4 5; do ref_cold; done | median)
	ac=$(for _ in 1 2 3 4 5; do ours_cold; done | median)
	echo "$r $rw $aw $sw $rc $ac" >>"$tmp/rounds"
	awk -v r="$r" -v rw="$rw" -v aw="$aw" -v sw="$sw" -v rc="$rc" -v ac="$ac" 'BEGIN {
		printf "%-6s %10.1f %10.1f %10.1f %8.2f %8.2f | %10.1f %10.1f %8.2f\n",
			r, rw, aw, sw, aw / rw, sw / rw, rc, ac, ac / rc }'
done
awk '{ print $3 / $2 }' "$tmp/rounds" | median >"$tmp/all"
awk '{ print $4 / $2 }' "$tmp/rounds" | median >"$tmp/seed"
awk '{ print $6 / $5 }' "$tmp/rounds" | median >"$tmp/cold"
awk -v a="$(cat "$tmp/all")" -v s="$(cat "$tmp/seed")" -v c="$(cat "$tmp/cold")" 'BEGIN {
	printf "median ratios: warm, every field %.2fx (target <= 1.3x, aim 1.0x): %s\n", a, a <= 1.3 ? "met" : "MISSED"
	printf "               warm, --fields=seed %.2fx\n", s
	printf "               first call, every field %.2fx (target <= 1.3x): %s\n", c, c <= 1.3 ? "met" : "MISSED"
}'
