#!/bin/sh
# Benchmark of libhostctx-preload.so (run by `make bench`; standalone:
# BUILD=build-x scripts/bench.d/preload.sh).  Two figures:
#  - per exec of a descendant (marker set, not the recorded process):
#    /bin/true with and without LD_PRELOAD, and with an empty-constructor
#    preload (the floor ld.so itself costs);
#  - the total added to the recorded process: /bin/true as the process
#    the user started (pre snapshot, in-progress record, post snapshot,
#    final record, in a new file of HOSTCTX_DIR on $TMPDIR's filesystem)
#    against /bin/true alone; then the same again with every CPU kept
#    busy by a spinning shell (a loaded CI runner), N_LOAD runs.
# The driver alternates the variants run by run and reports per-run
# medians, as wall clock and as CPU time (user + system of the child).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
lib=$BUILD/lib/libhostctx-preload.so
drv=$BUILD/tests/helpers/pre_bench
N_DESC=${N_DESC:-2000}
N_ROOT=${N_ROOT:-1000}
N_LOAD=${N_LOAD:-300}
TRUE=/bin/true

for f in "$lib" "$drv"; do
	[ -e "$f" ] || { echo "preload bench: $f missing (make BUILD=... tests)" >&2; exit 1; }
done

tmp=$(mktemp -d)
hogs=
trap 'for h in $hogs; do kill "$h" 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM

# The floor: a preload whose constructor does nothing.
printf '__attribute__((constructor)) static void f(void) {}\n' >"$tmp/empty.c"
empty=-
if ${CC:-cc} -shared -fPIC -O2 -o "$tmp/libempty.so" "$tmp/empty.c" 2>/dev/null; then
	empty=$tmp/libempty.so
fi

report() {	# LABEL WITH WITHOUT UNIT-DIVISOR TARGET
	awk -v l="$1" -v a="$2" -v b="$3" -v d="$4" -v t="$5" 'BEGIN {
		printf "preload: %s: %.1f us with the library, %.1f us without: %+.*f %s (target <= %s)\n",
			l, a, b, (d == 1 ? 1 : 3), (a - b) / d, (d == 1 ? "us" : "ms"), t }'
}

col() {	# FILE LINE COLUMN
	sed -n "$2p" "$1" | awk -v c="$3" '{ print $c }'
}

# ---- descendants -----------------------------------------------------------
HOSTCTX_PRELOAD_OWNER="1:1:$tmp/nobody.json" HOSTCTX_DIR="$tmp/desc" \
	"$drv" "$N_DESC" - "$lib" "$empty" -- "$TRUE" >"$tmp/d"
[ ! -d "$tmp/desc" ] || { echo "preload bench: a descendant wrote a record" >&2; exit 1; }
for c in 1 2; do
	kind=$([ $c = 1 ] && echo wall || echo cpu)
	report "descendant exec of true, $kind" "$(col "$tmp/d" 2 $c)" \
		"$(col "$tmp/d" 1 $c)" 1 "100 us per exec"
	[ "$empty" = - ] || report "  same with an empty-constructor preload, $kind" \
		"$(col "$tmp/d" 3 $c)" "$(col "$tmp/d" 1 $c)" 1 "-"
done

# ---- the recorded process --------------------------------------------------
# Each run writes into a directory of its own, made beforehand under a
# parent marked as a top directory (chattr +T), so ext4 spreads them over
# its block groups.  ext4 without a journal (this VM's root) makes every
# new inode walk past each inode freed in its group in the last 30 s
# (recently_deleted()); a loop of hundreds of runs in one directory would
# measure that walk over the loop's own leftovers (~0.2 ms a run here),
# not what one recorded process costs.
mkdir -p "$tmp/root/1"
chattr +T "$tmp/root/1" 2>/dev/null || true
(cd "$tmp/root/1" && seq 0 $((N_ROOT - 1)) | xargs mkdir)
"$drv" -d "$tmp/root" "$N_ROOT" - "$lib" -- "$TRUE" >"$tmp/r"
n=$(find "$tmp/root" -name '*.hostctx.json' | wc -l)
[ "$n" -eq "$N_ROOT" ] || { echo "preload bench: $n records for $N_ROOT runs" >&2; exit 1; }
for c in 1 2; do
	kind=$([ $c = 1 ] && echo wall || echo cpu)
	report "recorded process (true), $kind" "$(col "$tmp/r" 2 $c)" \
		"$(col "$tmp/r" 1 $c)" 1000 "0.8 ms"
done

# ---- the recorded process on a loaded host ------------------------------------
# One spinning shell per online CPU: the recorded process competes for
# every CPU, as on a busy CI runner.  The driver still alternates the
# variants, so both see the same load.
mkdir -p "$tmp/load/1"
chattr +T "$tmp/load/1" 2>/dev/null || true
(cd "$tmp/load/1" && seq 0 $((N_LOAD - 1)) | xargs mkdir)
for _ in $(seq "$(nproc)"); do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
"$drv" -d "$tmp/load" "$N_LOAD" - "$lib" -- "$TRUE" >"$tmp/l"
for h in $hogs; do kill "$h" 2>/dev/null; done
hogs=
for c in 1 2; do
	kind=$([ $c = 1 ] && echo wall || echo cpu)
	report "recorded process (true), every CPU busy, $kind" "$(col "$tmp/l" 2 $c)" \
		"$(col "$tmp/l" 1 $c)" 1000 "0.8 ms"
done
