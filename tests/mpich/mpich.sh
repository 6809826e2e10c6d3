#!/bin/sh
# mpich.sh - mpipool built against MPICH (the base of Intel MPI and Cray
# MPICH), run under MPICH's own launcher.  Run by .ci/mpich from the MPICH
# build tree, with MPIRUN=mpirun.mpich.
#
# Debian 12's MPICH 4.0.2 (ch4:ucx) cannot MPI_Comm_spawn at all, not even
# in a ten-line program, so here the pool serves with the launcher's ranks
# and a singleton must say what to do instead; where spawning works, the
# singleton must simply run its tasks.
. "$(dirname "$0")/../cli/lib.sh"

run "$MPIRUN" -n 4 "$builddir/examples/pool_map"
check "$MPIRUN -n 4 pool_map: the result, 3 workers started" \
  sh -c '[ "$0" -eq 0 ] &&
    grep -qx "Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out &&
    [ "$(grep -c "^Starting PoolWorker-" out)" -ge 3 ]' $rc

printf '%s\n' 'echo one' 'sleep 0.2; echo two' 'exit 3' 'echo four' >tasks
printf 'one\ntwo\nfour\n' >want
run "$MPIRUN" -n 3 "$MPIPOOL" -k --joblog log tasks
check "$MPIRUN -n 3 mpipool -k: outputs in order, status 1, the joblog" \
  sh -c '[ "$0" -eq 1 ] && cmp -s want out &&
    grep -q "^mpipool: 4 tasks, 3 succeeded, 1 failed" err &&
    [ "$(grep -c . log)" -eq 5 ]' $rc

run env MPIPOOL_HEAD_START=0 "$MPIPOOL" -k tasks
check "singleton, no head start: the tasks ran, or (no spawning) status 255, nothing run, the launcher named" \
  sh -c '{ [ "$0" -eq 1 ] && cmp -s want out; } ||
    { [ "$0" -eq 255 ] && [ ! -s out ] &&
      grep -q "^mpipool: this MPI cannot spawn processes here; start the program under a launcher instead" err; }' $rc
# With a head start (the default) the tasks run in the master's
# children; where spawning fails (Debian's MPICH 4.0.2), the head runs
# them all, the launcher named: the same outputs either way.
run env MPIPOOL_HEAD_START=1 "$MPIPOOL" -k tasks
mpich_head() {
  [ "$rc" -eq 1 ] && cmp -s want out
}
check "singleton, a head start: the tasks ran (where spawning fails, in the head), outputs in order, status 1" \
  mpich_head
finish
