#!/bin/sh
# recycle.sh [RUNS] - recycling never hangs, nor does a frame offered to
# be read from the master's memory (a worker dying as it is offered one,
# every worker declining them): runs examples/maxtasks, the recycling
# tests (maxtasksperchild 1 and 2) and the offer tests RUNS times in each
# launch mode (a singleton, mpirun -n 1, -n 5, -n 8; a test of a dead
# worker with --enable-recovery), each run with a time limit, and counts
# the runs that hung (hit the limit) or failed.  One check per mode and
# program: no hang, no failure.  RUNS defaults to $MPIPOOL_STRESS_RUNS,
# else 3 (what CI runs); by hand: 100.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
runs=${1:-${MPIPOOL_STRESS_RUNS:-3}}
limit=${MPIPOOL_STRESS_LIMIT:-120}
MPIRUN=${MPIRUN:-mpirun}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
n=0 fails=0
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
for prog in examples/maxtasks tests/mpi/test_recycle_m1 \
  tests/mpi/test_recycle_m2 tests/mpi/test_lost_offer \
  tests/mpi/test_offer_declined; do
  recovery=
  case $prog in *test_lost*) recovery=--enable-recovery ;; esac
  for mode in singleton 1 5 8; do
    hangs=0 failed=0 t0=$(date +%s)
    i=0
    while [ $i -lt "$runs" ]; do
      i=$((i + 1))
      if [ $mode = singleton ]; then
        timeout -k 10 "$limit" "$builddir/$prog" >"$out" 2>&1
      else
        timeout -k 10 "$limit" "$MPIRUN" $recovery -n $mode "$builddir/$prog" >"$out" 2>&1
      fi
      rc=$?
      if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        hangs=$((hangs + 1))
        echo "# $prog [$mode] run $i: hung (no end in ${limit}s); its last lines:"
        tail -n 12 "$out" | sed 's/^/#   /'
      elif [ $rc -ne 0 ] || grep -q '^not ok' "$out"; then
        failed=$((failed + 1))
        echo "# $prog [$mode] run $i: exit $rc"
        grep -E '^not ok|mpipool:|^# PoolWorker' "$out" | head -8 | sed 's/^/#   /'
      fi
    done
    n=$((n + 1))
    what="$prog [$mode]: $runs runs, $hangs hung, $failed failed, $(( $(date +%s) - t0 ))s"
    if [ $hangs -eq 0 ] && [ $failed -eq 0 ]; then
      echo "ok $n - $what"
    else
      fails=$((fails + 1))
      echo "not ok $n - $what"
    fi
  done
done
echo "1..$n"
[ "$fails" -eq 0 ]
