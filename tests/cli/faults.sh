#!/bin/sh
# faults.sh - faults injected into whole runs, as a singleton and under
# mpirun: a spawn that never completes (MPIPOOL_FAULT_SPAWN=hang:K, with
# Open MPI's bound lowered to 2 s).  Each run has a time limit: a hang is
# a failure.
. "$(dirname "$0")/lib.sh"
MAXTASKS=$builddir/examples/maxtasks
stray() { pgrep -f "/bin/slee[p] 600" >/dev/null; }

# A stuck successor spawn: the pool goes on without recycling, the
# results are whole, nothing is left behind.  A singleton's runtime takes
# the stuck process away; under mpirun the job is ended (255), after the
# results.
export OMPI_MCA_pmix_base_exchange_timeout=4
run env MPIPOOL_FAULT_SPAWN=hang:3 "$MAXTASKS"
check "stuck spawn, singleton: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "stuck spawn, singleton: says which spawn it gave up" \
  grep -q "^mpipool: warning: cannot start a fresh worker (MPI_Comm_spawn of 1 process(es) did not complete in 2 s" err
sleep 1
check "stuck spawn, singleton: its process is gone" sh -c '! stray' 
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" -n 1 "$MAXTASKS"
check "stuck spawn, mpirun -n 1: the results whole, then exit 255" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "stuck spawn, mpirun -n 1: says why it ends the job" \
  grep -q "^mpipool: 1 spawn(s) of worker processes never completed" err
sleep 1
check "stuck spawn, mpirun -n 1: its process is gone" sh -c '! stray'
printf 'echo %s\n' 1 2 3 4 5 6 >six.txt
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIPOOL" -j 2 --maxtasksperchild 1 --joblog six.log six.txt
check "stuck spawn, the program: every task ran and is logged" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ]' $rc
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" --enable-recovery -n 1 "$MAXTASKS"
check "stuck spawn, mpirun --enable-recovery: the stuck process killed, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "are killed so that the launcher does not wait" err && ! stray' $rc
unset OMPI_MCA_pmix_base_exchange_timeout

# kill -9 of a worker midway: the run ends, the lost task runs again
# elsewhere, every task is logged once (each task appends to a ledger).
for i in $(seq 1 40); do echo "sleep 0.3; echo $i >>ledger; echo $i"; done >forty.txt
# killw LAUNCH...: runs mpipool with LAUNCH in the background, kills -9
# one of its workers (a process of the program that is not the master)
# after 2 s, waits; status in $rc.
killw() {
  rm -f ledger lost.log
  "$@" --joblog lost.log forty.txt >out 2>err &
  pid=$!
  sleep 2
  master=$(pgrep -f "^$MPIPOOL --joblog lost.log" | head -1)
  victim=$(pgrep -f "^$MPIPOOL --joblog lost.log" | grep -vx "$master" | head -1)
  [ -n "$victim" ] && kill -9 "$victim"
  wait $pid
  rc=$?
}
killw "$MPIPOOL"
check "kill -9 of a worker, singleton: the run ends, status 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^mpipool: PoolWorker-[0-9]* (pid [0-9]* on .*) died" err' $rc
check "kill -9 of a worker, singleton: every task logged once, every output" \
  sh -c '[ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 40 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 40 ] && [ "$(sort -n out | uniq | wc -l)" -eq 40 ]'
killw env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" --enable-recovery -n 3 "$MPIPOOL"
check "kill -9 of a worker, mpirun --enable-recovery -n 3: the run ends, status 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^mpipool: PoolWorker-[0-9]* (pid [0-9]* on .*) died" err' $rc
check "kill -9 of a worker, mpirun --enable-recovery: every task logged once" \
  sh -c '[ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 40 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 40 ]'

finish
