#!/bin/sh
# Benchmark of libhostctx-preload.so (run by `make bench`; standalone:
# BUILD=build-x scripts/bench.d/preload.sh).  Two figures:
#  - per exec of a descendant (marker set, not the recorded process):
#    /bin/true exec'd N_DESC times per round with and without LD_PRELOAD,
#    and with an empty-constructor preload (the floor ld.so itself costs);
#  - the total added to the recorded process: /bin/true as the process
#    the user started (pre snapshot, in-progress record, post snapshot,
#    final record, in a new file of HOSTCTX_DIR on $TMPDIR's filesystem)
#    against /bin/true alone.
# Rounds are interleaved; each figure is the median of the rounds' means,
# as wall clock and as CPU time (user + system; less disturbed by other
# load on a shared machine).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
lib=$BUILD/lib/libhostctx-preload.so
drv=$BUILD/tests/helpers/pre_bench
ROUNDS=${ROUNDS:-9}
N_DESC=${N_DESC:-1000}
N_ROOT=${N_ROOT:-200}
TRUE=/bin/true

for f in "$lib" "$drv"; do
	[ -e "$f" ] || { echo "preload bench: $f missing (make BUILD=... tests)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The floor: a preload whose constructor does nothing.
printf '__attribute__((constructor)) static void f(void) {}\n' >"$tmp/empty.c"
empty=""
if ${CC:-cc} -shared -fPIC -O2 -o "$tmp/libempty.so" "$tmp/empty.c" 2>/dev/null; then
	empty=$tmp/libempty.so
fi

median() {	# FILE COLUMN
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

run() {	# PRELOAD N PROG: "wall_us cpu_us" per run
	PRE_BENCH_PRELOAD=$1 "$drv" "$2" "$3"
}

report() {	# LABEL WITH WITHOUT UNIT-DIVISOR TARGET
	awk -v l="$1" -v a="$2" -v b="$3" -v d="$4" -v t="$5" 'BEGIN {
		printf "preload: %s: %.1f us with the library, %.1f us without: %+.*f %s (target <= %s)\n",
			l, a, b, (d == 1 ? 1 : 3), (a - b) / d, (d == 1 ? "us" : "ms"), t }'
}

# ---- descendants -----------------------------------------------------------
export HOSTCTX_PRELOAD_OWNER="1:1:$tmp/nobody.json"	# children are descendants
export HOSTCTX_DIR="$tmp/desc"
: >"$tmp/d.none"; : >"$tmp/d.lib"; : >"$tmp/d.empty"
i=0
while [ $i -lt "$ROUNDS" ]; do
	run "" "$N_DESC" "$TRUE" >>"$tmp/d.none"
	run "$lib" "$N_DESC" "$TRUE" >>"$tmp/d.lib"
	[ -z "$empty" ] || run "$empty" "$N_DESC" "$TRUE" >>"$tmp/d.empty"
	i=$((i + 1))
done
[ ! -d "$tmp/desc" ] || { echo "preload bench: a descendant wrote a record" >&2; exit 1; }
for col in 1 2; do
	kind=$([ $col = 1 ] && echo wall || echo cpu)
	report "descendant exec of true, $kind" "$(median "$tmp/d.lib" $col)" \
		"$(median "$tmp/d.none" $col)" 1 "100 us per exec"
	if [ -n "$empty" ]; then
		report "  same with an empty-constructor preload, $kind" \
			"$(median "$tmp/d.empty" $col)" "$(median "$tmp/d.none" $col)" 1 "-"
	fi
done
unset HOSTCTX_PRELOAD_OWNER

# ---- the recorded process --------------------------------------------------
# Each run writes into a directory of its own, made beforehand under a
# parent marked as a top directory (chattr +T), so ext4 spreads them over
# its block groups.  ext4 without a journal (this VM's root) makes every
# new inode walk past each inode freed in its group in the last 30 s
# (recently_deleted()); a loop of hundreds of runs in one directory would
# measure that walk over the loop's own leftovers (~0.2 ms a run here),
# not what one recorded process costs.
: >"$tmp/r.none"; : >"$tmp/r.lib"
i=0
while [ $i -lt "$ROUNDS" ]; do
	base=$tmp/root/$i
	mkdir -p "$base"
	chattr +T "$base" 2>/dev/null || true
	j=0
	while [ $j -lt "$N_ROOT" ]; do mkdir "$base/$j"; j=$((j + 1)); done
	PRE_BENCH_DIRS=$base run "" "$N_ROOT" "$TRUE" >>"$tmp/r.none"
	PRE_BENCH_DIRS=$base run "$lib" "$N_ROOT" "$TRUE" >>"$tmp/r.lib"
	n=$(find "$base" -name '*.hostctx.json' | wc -l)
	[ "$n" -eq "$N_ROOT" ] || { echo "preload bench: $n records for $N_ROOT runs" >&2; exit 1; }
	i=$((i + 1))
done
for col in 1 2; do
	kind=$([ $col = 1 ] && echo wall || echo cpu)
	report "recorded process (true), $kind" "$(median "$tmp/r.lib" $col)" \
		"$(median "$tmp/r.none" $col)" 1000 "0.8 ms"
done
