#!/bin/sh
# examples.sh - runs the example programs the way a user would (as a
# singleton, under mpirun with 1, 2 and 8 processes) and diffs their
# output against tests/cli/expected/.  Lines printed by workers come in any
# order, so they are sorted before the diff; the master's lines keep theirs.
srcdir=${top_srcdir:-.}
expected=$srcdir/tests/cli/expected
MPIRUN=${MPIRUN:-mpirun}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
n=0 fails=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

check() { # check NAME EXPECTED-FILE NORMALIZER COMMAND...
  name=$1 exp=$2 norm=$3; shift 3
  n=$((n + 1))
  timeout -k 5 120 "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  # A hang is a failure (status 124), never run again.
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "# $name: timed out after 120 s"
  $norm <"$tmp/out" >"$tmp/norm"
  if [ $rc -eq 0 ] && diff -u "$exp" "$tmp/norm" >"$tmp/diff"; then
    echo "ok $n - $name"
  else
    fails=$((fails + 1))
    echo "not ok $n - $name (exit $rc)"
    sed 's/^/# /' "$tmp/diff" "$tmp/err" | head -40
  fi
}

# Master lines in order, then the workers' lines sorted.
norm_pool_map() {
  awk '/^Starting /{print > "/dev/stderr"; next} {print}' 2>"$tmp/w"
  sort "$tmp/w"
}
norm_apply_async() {
  awk '/^hello /{print > "/dev/stderr"; next} {print}' 2>"$tmp/w"
  sort "$tmp/w"
}

# With a head start (the workers spawned: a singleton, mpirun -n 1) the
# master's children, MainProcess (one per hand, so once or more), start
# and run the tiny map before any worker would be up; a worker spawned
# all the same (the head kept from the CPU 20 ms on a loaded machine) may
# add its line, nothing else may.
norm_pool_map_head() {
  awk '/^Starting /{print > "/dev/stderr"; next} {print}' 2>"$tmp/w"
  grep -x "Starting MainProcess" "$tmp/w" | uniq
  grep -vx -e "Starting MainProcess" -e "Starting PoolWorker-[1-4]" "$tmp/w"
}
pm=./examples/pool_map
check "pool_map as a singleton (a head start: MainProcess runs it)" \
  "$expected/pool_map-head.out" norm_pool_map_head $pm
check "pool_map under mpirun -n 1 (a head start)" \
  "$expected/pool_map-head.out" norm_pool_map_head "$MPIRUN" -n 1 $pm
check "pool_map as a singleton, MPIPOOL_HEAD_START=0 (spawns 4 workers)" \
  "$expected/pool_map.out" norm_pool_map env MPIPOOL_HEAD_START=0 $pm
check "pool_map under mpirun -n 2" "$expected/pool_map.out" norm_pool_map \
  "$MPIRUN" -n 2 $pm
check "pool_map under mpirun -n 8 (3 surplus ranks released)" \
  "$expected/pool_map.out" norm_pool_map \
  env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 8 $pm
check "pool_map -p 3 under mpirun -n 2" "$expected/pool_map-p3.out" \
  norm_pool_map "$MPIRUN" -n 2 $pm -p 3
check "apply_async as a singleton" "$expected/apply_async.out" \
  norm_apply_async ./examples/apply_async
check "apply_async under mpirun -n 5" "$expected/apply_async.out" \
  norm_apply_async env OMPI_MCA_rmaps_base_oversubscribe=1 \
  "$MPIRUN" -n 5 ./examples/apply_async
# maxtasks: the master's lines as pool_map's, and at least 8 distinct
# workers started (4 retire after 2 tasks each; fresh ones replace them).
norm_maxtasks() {
  awk '/^Starting /{print > "/dev/stderr"; next} {print}' 2>"$tmp/w"
  k=$(sort -u "$tmp/w" | grep -c '^Starting PoolWorker-[0-9]*$')
  [ "$k" -ge 8 ] && echo "at least 8 distinct workers started" ||
    echo "only $k distinct workers started"
}
printf '%s\n' "Inputs  : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" \
  "Build-In : [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]" \
  "Pool  : [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]" \
  "at least 8 distinct workers started" >"$tmp/maxtasks.out"
check "maxtasks as a singleton" "$tmp/maxtasks.out" norm_maxtasks \
  ./examples/maxtasks
check "maxtasks under mpirun -n 1" "$tmp/maxtasks.out" norm_maxtasks \
  "$MPIRUN" -n 1 ./examples/maxtasks
check "maxtasks under mpirun -n 8 (world ranks retire)" "$tmp/maxtasks.out" \
  norm_maxtasks env OMPI_MCA_rmaps_base_oversubscribe=1 \
  "$MPIRUN" -n 8 ./examples/maxtasks
# resumable_map: three inputs crash (twice each: one retry); a second run
# with the same journal runs only those again and prints the same.
cat_out() { cat; }
rm -f "$tmp/sweep.journal"
check "resumable_map as a singleton" "$expected/resumable_map.out" cat_out \
  ./examples/resumable_map "$tmp/sweep.journal"
check "resumable_map again, from its journal" "$expected/resumable_map.out" \
  cat_out ./examples/resumable_map "$tmp/sweep.journal"
rm -f "$tmp/sweep.journal"
check "resumable_map under mpirun -n 2" "$expected/resumable_map.out" cat_out \
  "$MPIRUN" -n 2 ./examples/resumable_map "$tmp/sweep.journal"
# chunk_map: a million doubles squared by a chunk task; the master prints.
# A bad argument: usage, status 2.
check "chunk_map as a singleton (a head start, the chunks for workers)" \
  "$expected/chunk_map.out" cat_out ./examples/chunk_map
check "chunk_map under mpirun -n 2" "$expected/chunk_map.out" cat_out \
  "$MPIRUN" -n 2 ./examples/chunk_map
check "chunk_map under mpirun -n 4" "$expected/chunk_map.out" cat_out \
  env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 4 ./examples/chunk_map
n=$((n + 1))
./examples/chunk_map 12x >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "^usage: chunk_map" "$tmp/err"
then
  echo "ok $n - chunk_map 12x: usage on stderr, status 2"
else
  fails=$((fails + 1))
  echo "not ok $n - chunk_map 12x: usage on stderr, status 2 (exit $rc)"
fi
echo "1..$n"
[ $fails -eq 0 ]
