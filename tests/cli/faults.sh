#!/bin/sh
# faults.sh - faults injected into whole runs, as a singleton and under
# mpirun: a spawn that never completes (MPIPOOL_FAULT_SPAWN=hang:K, with
# Open MPI's bound lowered to 6 s).  Each run has a time limit: a hang is
# a failure.
. "$(dirname "$0")/lib.sh"
MAXTASKS=$builddir/examples/maxtasks
# The faults are in spawns and workers: no head start (the default),
# which would end these small workloads before a spawn (maxtasks turns it
# off itself; the library's programs here do not).  The checks with one
# set MPIPOOL_HEAD_START=1 themselves.
export MPIPOOL_HEAD_START=0
# Waits (a minute at most) until file $1 exists (a task made it), then
# $2 seconds more (default half a second): the run is under way (a fixed
# delay could land in the pool's start, slow under the sanitizers).
until_file() {
  within 60 test -e "$1"
  sleep "${2:-0.5}"
}
# gone: no stuck process is left, within 30 s.  The runtime that takes
# them away took 1.0-1.1 s on an idle machine (a singleton whose every
# spawn stuck: 6 processes), but more than 10 s once in CI, beside the
# other tests of make -j2 check.  A function: check runs it here.
gone() { vanished 30 "/bin/slee[p] 600"; }
# Waits (10 s at most) until field $2 of process $1's /proc status, in $v,
# passes the shell test $3; 1 if it never does or the process is gone.
status_when() {
  i=0
  while [ $i -lt 1000 ]; do
    v=$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null)
    [ -z "$v" ] && return 1
    eval "$3" && return 0
    sleep 0.01
    i=$((i + 1))
  done
  return 1
}
# Process $1 catches SIGTERM: its handler is in.  (The low 16 signals'
# mask; SIGTERM, 15, is bit 14.)
catching() { status_when "$1" SigCgt '[ $((0x${v#"${v%????}"} >> 14 & 1)) -eq 1 ]'; }
# Process $1 runs a second thread: a singleton starts none before its
# pool starts (the MPI runtime's threads), so its tasks are read by then.
starting() { status_when "$1" Threads '[ "$v" -ge 2 ]'; }

# A stuck successor spawn: recycling goes on, the results are whole,
# nothing is left behind.  One still in progress as the pool ends (here
# every one: maxtasks ends within 2 s) is not asked for again: that took
# one more spawn, stuck too here.  A singleton's runtime takes the stuck
# processes away; under mpirun the job is ended (255), after the results.
# Open MPI's bound is 6 s here (its value / 2); 12 s under the sanitizers,
# where a spawn that works may take that long.
if [ -n "${MPIPOOL_SANITIZED:-}" ]; then bound=24; else bound=12; fi
export OMPI_MCA_pmix_base_exchange_timeout=$bound
run env MPIPOOL_FAULT_SPAWN=hang:3 "$MAXTASKS"
check "stuck spawn, singleton: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "stuck spawn, singleton: says which spawn got stuck, not asked again as the pool ended" \
  sh -c 'grep -q "^mpipool: warning: MPI_Comm_spawn of 1 process(es) did not complete in [0-9]* s.*, as the pool ended$" err && ! grep -q "asking again" err'
check "stuck spawn, singleton: said once, recycling went on" \
  sh -c '[ $(grep -c "warning" err) -eq 1 ] && [ $(grep -c "^Starting PoolWorker" out) -ge 6 ]'
check "stuck spawn, singleton: its process is gone" gone
run env MPIPOOL_FAULT_SPAWN=hang:3- "$MAXTASKS"
check "every spawn stuck, singleton: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "every spawn stuck, singleton: each said once as the pool ended, none asked again" \
  sh -c '[ $(grep -c "did not complete in [0-9]* s.*, as the pool ended$" err) -ge 1 ] && [ $(grep -c "warning" err) -eq $(grep -c ", as the pool ended$" err) ] && ! grep -q "asking again" err'
check "every spawn stuck, singleton: their processes are gone" gone
# Every successor's spawn stuck (hang:2-; the first spawn starts the
# workers): a worker that ran its maxtasksperchild waits for its successor
# instead of leaving, and serves on once spawning is given up.  Before,
# the workers retired one by one and the last tasks failed ("the pool has
# no worker able to run tasks").
run env MPIPOOL_CHECK=1 MPIPOOL_FAULT_SPAWN=hang:2- "$MAXTASKS"
check "no successor can start, singleton: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "no successor can start, singleton: recycling given up, the workers serve on" \
  sh -c 'grep -q "^mpipool: warning: cannot start a fresh worker" err && ! grep -q "no worker able" err'
check "no successor can start, singleton: their processes are gone" gone
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" -n 1 "$MAXTASKS"
check "stuck spawn, mpirun -n 1: the results whole, then exit 255" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "stuck spawn, mpirun -n 1: says why it ends the job" \
  grep -q "^mpipool: 1 spawn(s) of worker processes never completed" err
check "stuck spawn, mpirun -n 1: its process is gone" gone
printf 'echo %s\n' 1 2 3 4 5 6 >six.txt
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIPOOL" -j 2 --maxtasksperchild 1 --joblog six.log six.txt
check "stuck spawn, the program: every task ran and is logged" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ]' $rc
# Mid-run (its workers wait for their successors), the stuck spawn is
# asked for again.
check "stuck spawn, the program: said and asked for again mid-run" \
  sh -c '[ $(grep -c "did not complete in [0-9]* s.*; asking again$" err) -eq 1 ] && ! grep -q "as the pool ended" err'
rm -f six.log
run env MPIPOOL_FAULT_SPAWN=hang:2- "$MPIPOOL" -j 2 --maxtasksperchild 1 --joblog six.log six.txt
check "no successor can start, the program: every task ran once and is logged, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ]' $rc
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" --enable-recovery -n 1 "$MAXTASKS"
check "stuck spawn, mpirun --enable-recovery: the stuck process killed, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "are killed so that the launcher does not wait" err && ! pgrep -f "/bin/slee[p] 600"' $rc
# The same with the program started through a wrapper (not exec'd): the
# stuck process is found among the children of the launcher, which is
# the master's grandparent then.  Before, the master looked among its
# parent's (the shell's) and left it: mpirun waited for ever.
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" --enable-recovery -n 1 sh -c '"$0"; exit $?' "$MAXTASKS"
check "stuck spawn, mpirun --enable-recovery, the program under sh -c: the stuck process killed, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "are killed so that the launcher does not wait" err && ! pgrep -f "/bin/slee[p] 600"' $rc

# A spawned worker whose MPI_Init fails (Open MPI 4.1 with PMIx 4 now and
# then: "Unreachable in file ext3x_client.c"; MPIPOOL_FAULT_SPAWN=unreach:K
# points its PMIx at a dead port) exits 1, and mpirun without
# --enable-recovery would end the whole job for it.  Its start guard ends
# it with status 0: the job goes on, the spawn is asked for again.
run env MPIPOOL_FAULT_SPAWN=unreach:2 "$MPIRUN" -n 1 "$MAXTASKS"
check "MPI_Init of a successor fails, mpirun -n 1: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "MPI_Init of a successor fails, mpirun -n 1: said, asked again, the job kept" \
  sh -c 'grep -q "^mpipool: a spawned worker process (pid [0-9]*) failed in MPI_Init (exit status 1); it ends with status 0" err && grep -q "; asking again$" err && ! grep -q "aborted\|MPI_ABORT" err'
run env MPIPOOL_FAULT_SPAWN=unreach:1 "$MPIRUN" -n 1 "$MPIPOOL" -j 2 --maxtasksperchild 1 --joblog six.log six.txt
check "MPI_Init of a first worker fails, mpirun -n 1, the program: every task ran and is logged, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ] && grep -q "failed in MPI_Init" err' $rc
# A spawned worker whose PMIx server leaves its first request unread, as
# Open MPI 4.1 with PMIx 4 does after another process ended (init_stall.h;
# MPIPOOL_FAULT_SPAWN=stall:K points its PMIx at a socket that listens and
# never reads): its guard kills it after 2 s and starts it again, and the
# spawn completes within Open MPI's bound instead of failing at it.
run env MPIPOOL_FAULT_SPAWN=stall:2 "$MPIRUN" -n 1 "$MAXTASKS"
check "PMIx leaves a successor unread, mpirun -n 1: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "PMIx leaves a successor unread, mpirun -n 1: started again, the spawn not lost" \
  sh -c 'grep -q "^mpipool: a spawned worker process (pid [0-9]*) waited [0-9]* s in MPI_Init on its PMIx server, which left its request unread for 2 s .*; it is started again$" err && ! grep -q "did not complete" err'
unset OMPI_MCA_pmix_base_exchange_timeout

# A spawn that MPI never returns from (seen in CI: a new process's MPI_Init
# failed, and the master's MPI_Comm_spawn of the start waited 300 s, until
# killed, past Open MPI's own bound): mpipool gives it up itself after
# MPIPOOL_SPAWN_TIMEOUT seconds and asks again.  Open MPI's bound is put
# out of reach here (1800 s): only mpipool's can end the wait.
if [ -n "${MPIPOOL_SANITIZED:-}" ]; then limit=20; else limit=8; fi
export OMPI_MCA_pmix_base_exchange_timeout=3600 MPIPOOL_SPAWN_TIMEOUT=$limit
run env MPIPOOL_FAULT_SPAWN=hang:1 "$MAXTASKS"
check "the start's spawn never returns, singleton: exit 0, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out' $rc
check "the start's spawn never returns, singleton: given up after MPIPOOL_SPAWN_TIMEOUT, asked again" \
  grep -q "^mpipool: warning: MPI_Comm_spawn of [0-9]* process(es) given up after $limit s (MPI never returned from it) on host .*; asking again$" err
check "the start's spawn never returns, singleton: its process is gone" gone
run env MPIPOOL_FAULT_SPAWN=hang:2 "$MPIRUN" --enable-recovery -n 1 "$MAXTASKS"
check "a successor's spawn never returns, mpirun: given up, asked again, the results whole, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out && grep -q "given up after $1 s (MPI never returned from it); asking again$" err' $rc $limit
check "a successor's spawn never returns, mpirun: its process killed at the end" \
  sh -c 'grep -q "are killed so that the launcher does not wait" err && ! pgrep -f "/bin/slee[p] 600"'
unset OMPI_MCA_pmix_base_exchange_timeout MPIPOOL_SPAWN_TIMEOUT
# A bound that is not a number of seconds is said once (not at every
# successor's spawn) and the default bound is kept, never "no bound".
run env MPIPOOL_SPAWN_TIMEOUT=soon "$MAXTASKS"
check "MPIPOOL_SPAWN_TIMEOUT=soon, a recycling singleton: said once, the default kept, the results whole" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out && [ "$(grep -c "^mpipool: MPIPOOL_SPAWN_TIMEOUT=soon is not a number of seconds from 0 to 86400; using [0-9.]*$" err)" -eq 1 ]' $rc

# kill -9 of a spare (a successor spawned ahead, still idle): another is
# spawned in its stead.  Without that, the worker it was to follow waited
# for ever once it had run its tasks (it leaves only when the next worker
# of its place is ready): the run hung.  The spare is killed 3 s after it
# appears, after its HELLO (a worker that dies before its HELLO is not
# seen to die), while the first worker runs its 3 tasks of 3 s.
for i in 1 2 3 4 5 6; do echo "sleep 3; echo $i"; done >spare.txt
rm -f spare.log
"$MPIPOOL" -j 1 --maxtasksperchild 3 --joblog spare.log spare.txt >out 2>err &
pid=$!
within 60 sh -c '[ "$(pgrep -f "^$0 -j 1 --maxtasksperchild 3" | grep -vxc $1)" -ge 2 ]' "$MPIPOOL" $pid
sleep 3
kill -9 "$(pgrep -n -f "^$MPIPOOL -j 1 --maxtasksperchild 3")"
await $pid
check "kill -9 of a spare: another takes its place, every task ran once, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ] && [ $(wc -l <spare.log) -eq 7 ] && grep -q "^mpipool: PoolWorker-2 (pid [0-9]*.*) died; 0 chunk(s)" err' $rc

# A worker that dies before it is ready (MPIPOOL_FAULT_INIT=die:K: in
# its start, before its initializer) is seen to die: it says STARTED, with
# its pid, first.  Before, the master learnt its pid from HELLO only: a
# successor that died so left the worker it was to follow waiting for
# ever, and the run hung.  Another starts in its place; after 3 such deaths
# in a row none does, and the pool goes on with the workers it has.  The
# example's map ends before the master looks (every 0.2 s): the death is
# seen as the pool ends, and no worker is started in its place then (one
# was, and the end waited for ever for it).
# When two or more of its processes died by a signal, the singleton's
# runtime daemon (orted) prints "N total processes killed" on its
# standard output as it ends.  It ended with the program, and wrote up
# to 2 s later, into the next test's output file (seen): the program now
# ends it and waits for it first; and that standard output is the
# program's stderr (it was the program's stdout, among the tasks'
# output).  Such runs write in a directory of their own all the same,
# and their checks read the tasks' lines only.
tasks() { grep -x "[0-9]*" out | sort | tr "\n" " "; }
rm -f six.log
run env MPIPOOL_CHECK=1 MPIPOOL_FAULT_INIT=die:2 "$MPIPOOL" -j 1 --maxtasksperchild 1 --joblog six.log six.txt
check "a successor dies before it is ready: seen, another starts, every task ran once, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$1" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ] && grep -q "^mpipool: PoolWorker-2 (pid [1-9][0-9]* on .*) died before it was ready" err && ! grep -q warning err' $rc "$(tasks)"
mkdir die2 && cd die2 || exit 99
run env MPIPOOL_CHECK=1 MPIPOOL_FAULT_INIT=die:2- "$MPIPOOL" -j 1 --maxtasksperchild 1 --joblog six.log ../six.txt
check "every successor dies before it is ready: recycling given up after 3, every task ran once, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$1" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ] && [ $(grep -c "died before it was ready" err) -eq 3 ] && grep -q "^mpipool: warning: cannot start a fresh worker (3 workers in a row died before they were ready; the last: PoolWorker-4)" err' $rc "$(tasks)"
cd .. && mkdir die1 && cd die1 || exit 99
run env MPIPOOL_FAULT_INIT=die:1- "$MPIPOOL" -j 2 --joblog six.log ../six.txt
cp out out.at-exit
sleep 3
check "every worker dies before it is ready: nothing written to its output after it ended" \
  cmp -s out out.at-exit
check "every worker dies before it is ready: the runtime daemon's \"total processes killed\" is on stderr, not among the output" \
  sh -c '[ ! -s out ] && grep -q "total processes killed" err'
check "every worker dies before it is ready: the run stops (255), says so, logs nothing" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: warning: cannot start a worker in place of a lost one (3 workers in a row died before they were ready" err && grep -q "no worker able to run tasks" err && [ $(wc -l <six.log) -eq 1 ] && [ -z "$1" ]' $rc "$(tasks)"
cd .. || exit 99
run env MPIPOOL_FAULT_INIT=die:3 "$MAXTASKS"
check "a successor dies before it is ready, the library: the results whole, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out && grep -q "^mpipool: PoolWorker-3 (pid [1-9][0-9]* on .*) died" err' $rc

# A worker that dies before it says STARTED (MPIPOOL_FAULT_INIT=mute:K:
# once it has its CONFIG; a spawned process may also run the user's code
# for long before mpipool_start) is seen to die by its spawn's processes
# on the master's node: the spawn's process ids are noted as it returns.
# Before, no one saw it: the worker it was to follow waited for it for
# ever, and so did the pool's end.  A spawn of several processes (the
# start's) is known dead once none of its processes lives.
mkdir mute2 && cd mute2 || exit 99
run env MPIPOOL_CHECK=1 MPIPOOL_FAULT_INIT=mute:2 "$MPIPOOL" -j 1 --maxtasksperchild 1 --joblog six.log ../six.txt
check "a successor dies before it says STARTED: seen, another starts, every task ran once, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$1" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ] && grep -q "^mpipool: PoolWorker-2 (on .*) died before it was ready" err' $rc "$(tasks)"
cd .. && mkdir mute2r && cd mute2r || exit 99
run env MPIPOOL_FAULT_INIT=mute:2 "$MPIRUN" --enable-recovery -n 1 "$MPIPOOL" -j 1 --maxtasksperchild 1 --joblog six.log ../six.txt
check "a successor dies before it says STARTED, mpirun: seen, every task ran once, exit 0" \
  sh -c '[ "$0" -eq 0 ] && [ "$1" = "1 2 3 4 5 6 " ] && [ $(wc -l <six.log) -eq 7 ] && grep -q "^mpipool: PoolWorker-2 (on .*) died before it was ready" err' $rc "$(tasks)"
cd .. || exit 99
run env MPIPOOL_FAULT_INIT=mute:3 "$MAXTASKS"
check "one of the start's workers dies before it says STARTED, the library: seen, the results whole, exit 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]" out && grep -q "^mpipool: PoolWorker-3 (on .*) died" err' $rc

# kill -9 of a worker midway: the run ends, the lost task runs again
# elsewhere, every task is logged once (each task appends to a ledger).
for i in $(seq 1 40); do echo "sleep 0.3; echo $i >>ledger; echo $i"; done >forty.txt
# of_run PID: process PID carries the mark of killw's last run.
of_run() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qx "$mark"; }
# killw LAUNCH...: runs mpipool with LAUNCH in the background, kills -9
# one of its workers (a process of the program that is not the master)
# once a task has run, waits; status in $rc.  The run's processes are
# told apart by a mark in their environment: a process of the run before
# may still be ending (a singleton's worker in PMIx_Finalize, up to 2 s
# after its master, 4 runs in 90), and killing it instead failed the
# mpirun check in CI (no worker of that run died).
killw() {
  rm -f ledger lost.log
  mark=KILLW_RUN=$$.$n
  env "$mark" "$@" --joblog lost.log forty.txt >out 2>err &
  pid=$!
  until_file ledger
  # The master is the one that has the joblog open (by pid order it may
  # not be the first: process ids wrap around).
  victim=
  for p in $(pgrep -f "^$MPIPOOL --joblog lost.log"); do
    of_run "$p" || continue
    ls -l /proc/"$p"/fd 2>/dev/null | grep -q '/lost\.log$' || { victim=$p; break; }
  done
  [ -n "$victim" ] && kill -9 "$victim"
  await $pid
}
# none_outlived: no process of the program from killw's last run is
# still there half a second after the run ended.
none_outlived() {
  sleep 0.5
  for p in $(pgrep -f "^$MPIPOOL --joblog lost.log"); do
    of_run "$p" && return 1
  done
  return 0
}
killw "$MPIPOOL"
check "kill -9 of a worker, singleton: the run ends, status 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^mpipool: PoolWorker-[0-9]* (pid [0-9]* on .*) died" err' $rc
# Its replacement, in PMIx_Finalize as the master ended, waited for the
# singleton's runtime daemon, which ended it 2 s later (4 runs in 90): the
# master now waits for the daemon's children.
check "kill -9 of a worker, singleton: no worker outlives the run" none_outlived
check "kill -9 of a worker, singleton: every task logged once, every output" \
  sh -c '[ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 40 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 40 ] && [ "$(sort -n out | uniq | wc -l)" -eq 40 ]'
killw env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" --enable-recovery -n 3 "$MPIPOOL"
check "kill -9 of a worker, mpirun --enable-recovery -n 3: the run ends, status 0" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^mpipool: PoolWorker-[0-9]* (pid [0-9]* on .*) died" err' $rc
check "kill -9 of a worker, mpirun --enable-recovery: every task logged once" \
  sh -c '[ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 40 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 40 ]'

# Workers that never leave when the pool ends (stuck, as in the MPI
# runtime): the end of the run is bounded (MPIPOOL_END_TIMEOUT), says so,
# keeps the run's status, and leaves no process behind.
printf 'echo a\necho b\nexit 3\n' >abc.txt
for mode in singleton mpirun; do
  if [ $mode = singleton ]; then
    run env MPIPOOL_END_TIMEOUT=3 MPIPOOL_FAULT_STOP=hang "$MPIPOOL" -j 2 -k abc.txt
    want=1
  else
    run env MPIPOOL_END_TIMEOUT=3 MPIPOOL_FAULT_STOP=hang OMPI_MCA_rmaps_base_oversubscribe=1 \
      "$MPIRUN" -n 3 "$MPIPOOL" -k abc.txt
    want=1
  fi
  check "[$mode] workers stuck at the end: bounded, said, the run's outputs and status" \
    sh -c '[ "$0" -eq "$1" ] && [ "$(tr "\n" " " <out)" = "a b " ] && grep -q "^mpipool: stopping the pool and MPI took more than MPIPOOL_END_TIMEOUT seconds" err' $rc $want
  check "[$mode] workers stuck at the end: none left behind (10 s)" \
    vanished 10 "^$MPIPOOL.* abc.txt"
done

# Workers slow to end once they left (MPIPOOL_FAULT_STOP=slow: a second
# more, as one slow in its MPI_Finalize): a singleton waits for them, so
# none outlives the run (before: both were still there as it ended).
run env MPIPOOL_FAULT_STOP=slow "$MPIPOOL" -j 2 -k abc.txt
check "workers slow to end, singleton: the run's outputs and status, no worker outlives it" \
  sh -c '[ "$0" -eq 1 ] && [ "$(tr "\n" " " <out)" = "a b " ] && ! pgrep -f "^$1.* abc.txt" >/dev/null' $rc "$MPIPOOL"

# kill -9 of the only worker, and no worker can start in its place (the
# spawn is stuck): the run stops (255) and says so; the tasks that did
# not run are not logged (never as failed), so --resume runs them: each
# task logged once, none run twice.  The worker is killed while task 3
# waits (until the resume): a task that had ended but was not yet logged
# as the worker died would rightly run again, and make the ledger's check
# depend on timing.
for i in $(seq 1 12); do
  echo "echo $i >>started; [ $i -ne 3 ] || [ -e resumed ] || sleep 599; sleep 0.1; echo $i >>ledger; echo $i"
done >twelve.txt
rm -f ledger lost.log started resumed
OMPI_MCA_pmix_base_exchange_timeout=$bound MPIPOOL_FAULT_SPAWN=hang:2- \
  "$MPIPOOL" -j 1 --joblog lost.log twelve.txt >out 2>err &
pid=$!
within 60 grep -sqx 3 started
kill -9 $(pgrep -f "^$MPIPOOL -j 1 --joblog lost.log" | grep -vx $pid | head -1)
await $pid
touch resumed
check "the last worker killed, none can start: status 255, said" \
  sh -c '[ "$0" -eq 255 ] && grep -qx "mpipool: the pool has no worker able to run tasks: stopping; the tasks not run are not logged: --resume runs them" err' $rc
check "the last worker killed, none can start: no task logged as failed" \
  sh -c '[ "$(tail -n +2 lost.log | cut -f7 | grep -vx 0 | wc -l)" -eq 0 ]'
run "$MPIPOOL" -j 1 --joblog lost.log --resume twelve.txt
check "the last worker killed, then --resume: each task logged once, run once" \
  sh -c '[ "$0" -eq 0 ] && [ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 12 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 12 ] && [ "$(sort -n ledger | uniq -d | wc -l)" -eq 0 ]' $rc
check "the last worker killed: its stuck spawn's process is gone" gone
check "the last worker killed: its task's processes are gone" \
  sh -c '! pgrep -f "slee[p] 599" >/dev/null'

# kill -9 of a singleton's MPI daemon (orted): Open MPI ends the master
# (195) and its workers; the master's watcher says what happened, no task
# process is left, every task that ended is logged and --resume runs the
# rest: each task logged exactly once.
for i in $(seq 1 40); do echo "sleep 0.31; echo $i >>ledger; echo $i"; done >forty.txt
rm -f ledger lost.log
"$MPIPOOL" -j 2 --joblog lost.log forty.txt >out 2>err &
pid=$!
until_file ledger
pkill -9 -x -P $pid orted
await $pid
within 3 grep -q "ended abruptly" err
# Open MPI ends the master (195) when its daemon dies; on a loaded
# machine the master may first see its workers die, find that none can
# start in their place, and stop itself (255): said either way.
check "kill -9 of the singleton's orted: status 195 (or 255) and a message saying so" \
  sh -c '{ [ "$0" -eq 195 ] && grep -qx "mpipool: the run ended abruptly: mpipool was killed, or its MPI runtime ended it (exit status 195: its daemon, orted, died); the tasks that ended are in the joblog, if one was asked for, and --resume runs the others" err; } ||
         { [ "$0" -eq 255 ] && grep -q "^mpipool: the pool has no worker able to run tasks: stopping" err; }' $rc
check "kill -9 of the singleton's orted: no task process left (4 s)" \
  vanished 4 "slee[p] 0.31"
run "$MPIPOOL" -j 2 --resume --joblog lost.log forty.txt
echo "# orted killed, then --resume: $(sort -n ledger | uniq -d | wc -l) task(s) ran twice (finished as orted died, not logged)"
check "kill -9 of the singleton's orted, then --resume: each task logged once" \
  sh -c '[ "$0" -eq 0 ] && [ "$(tail -n +2 lost.log | cut -f1 | sort -n | uniq | wc -l)" -eq 40 ] && [ "$(tail -n +2 lost.log | wc -l)" -eq 40 ] && [ "$(sort -n ledger | uniq | wc -l)" -eq 40 ]' $rc

# No orphans: a task's processes end when its worker is killed (kill -9
# of the worker, of mpirun).  The first run of the task sleeps; the run
# again (on a fresh worker) ends at once.
echo '[ -e slept ] && echo again && exit 0; touch slept; /bin/sleep 600' >orphan.txt
# killo WHAT LAUNCH...: kills -9 WHAT (worker or launcher) 2 s into the
# run; status in $rc.
killo() {
  what=$1; shift
  rm -f slept
  timeout -k 5 60 "$@" orphan.txt >out 2>err &
  pid=$!
  until_file slept
  if [ "$what" = worker ]; then
    master=$(pgrep -P $pid) # timeout's child (not the lowest pid: ids wrap)
    victim=$(pgrep -f "^$MPIPOOL -j 1 orphan.txt" | grep -vx "$master" | head -1)
  else
    victim=$(pgrep -f "^$MPIRUN -n 1 $MPIPOOL orphan.txt" | head -1)
  fi
  [ -n "$victim" ] && kill -9 "$victim"
  await $pid
  vanished 5 "/bin/slee[p] 600" || :
}
killo worker "$MPIPOOL" -j 1
check "kill -9 of the worker: its task ran again, status 0" \
  sh -c '[ "$0" -eq 0 ] && grep -qx again out' $rc
check "kill -9 of the worker: its task's processes are gone" gone
# The same with a task that ignores TERM: its guard kills it at once, for
# nothing can take its result now.  With TERM and 2 s of grace (before),
# it ran on to its end ("end" in the ledger) and ran again on a fresh
# worker: twice.
cp orphan.txt orphan.keep
echo "[ -e slept ] && echo again && exit 0; trap '' TERM; touch slept; /bin/sleep 1; echo end >>ledger" >orphan.txt
rm -f ledger
killo worker "$MPIPOOL" -j 1
sleep 1
check "kill -9 of the worker, its task ignoring TERM: killed at once, not run on to its end; run again" \
  sh -c '[ "$0" -eq 0 ] && grep -qx again out && [ ! -e ledger ]' $rc
# The same where the guard is told each group on its socket (no memory
# file for it: MPIPOOL_FAULT_GUARD=lines).
rm -f ledger
killo worker env MPIPOOL_FAULT_GUARD=lines "$MPIPOOL" -j 1
sleep 1
check "kill -9 of the worker, its guard told by lines: its task killed at once; run again" \
  sh -c '[ "$0" -eq 0 ] && grep -qx again out && [ ! -e ledger ]' $rc
mv orphan.keep orphan.txt
# With a head start (MPIPOOL_HEAD_START=1) the first task runs in a
# child of the master: killed there (kill -9, as the OOM killer does),
# the task fails and says so, and none of its processes is left.  (No
# worker is asked for before 30 s: a slow head must not lose the task to
# one.)
rm -f slept
timeout -k 5 60 env MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_ALONE=30 "$MPIPOOL" \
  -j 1 orphan.txt >out 2>err &
pid=$!
until_file slept
victim=
for hk in 1 2 3 4 5 6 7 8 9 10; do
  sleeper=$(pgrep -f "^/bin/slee[p] 600$" | head -1) # not the shell's line
  if [ -n "$sleeper" ]; then # sleep's parent is the shell, the child's
    shell=$(ps -o ppid= -p "$sleeper" | tr -d ' ')
    victim=$(ps -o ppid= -p "$shell" | tr -d ' ')
    break
  fi
  sleep 0.2
done
[ -n "$victim" ] && kill -9 "$victim"
await $pid
check "kill -9 of the head start's child: its task fails, killed by signal 9" \
  sh -c '[ "$0" -eq 1 ] && grep -q "^mpipool: task 1: killed by signal 9" err &&
    ! grep -qx again out' $rc
check "kill -9 of the head start's child: its task's processes are gone" gone
# stop_head SIGNAL [-]: runs orphan.txt with a head start, in a session
# of its own, and sends SIGNAL to its master (with -, to its whole process
# group, as Ctrl-C does) once the task runs in the head's child; status
# in $rc.
stop_head() {
  rm -f slept orphan.log
  setsid sh -c 'MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_ALONE=30 exec "$0" -j 1 --joblog orphan.log orphan.txt' \
    "$MPIPOOL" >out 2>err &
  pid=$!
  until_file slept
  kill -"$1" "${2:-}$pid"
  await $pid
}
# resumed WHAT: --resume runs the task left, once (on a worker).
resumed() {
  run env MPIPOOL_HEAD_START=1 "$MPIPOOL" -j 1 --joblog orphan.log --resume orphan.txt
  check "$1, then --resume: the task ran again, logged once" \
    sh -c '[ "$0" -eq 0 ] && grep -qx again out && [ "$(tail -n +2 orphan.log | wc -l)" -eq 1 ]' $rc
}
# kill -9 of the master while its head start runs a command: the
# command's processes are gone all the same (the child's guard stops
# them), and --resume runs the task again.
stop_head KILL
check "kill -9 of the master during its head start: 137, the task did not end" \
  sh -c '[ "$0" -eq 137 ] && ! grep -qx again out' $rc
check "kill -9 of the master during its head start: its command's processes are gone" gone
resumed "kill -9 of the master during its head start"
# Ctrl-C (SIGINT to the whole process group: master, head child and
# command at once) while the head start runs a command: 130, the command
# not logged, none of its processes left; --resume runs it.
stop_head INT -
check "Ctrl-C during the head start: 130, says so, the task not logged" \
  sh -c '[ "$0" -eq 130 ] && grep -q "^mpipool: interrupted (Interrupt): 1 task(s) not run" err && [ "$(tail -n +2 orphan.log | wc -l)" -eq 0 ]' $rc
check "Ctrl-C during the head start: its command's processes are gone" gone
resumed "Ctrl-C during the head start"
killo launcher "$MPIRUN" -n 1 "$MPIPOOL"
check "kill -9 of mpirun: the run ends (status $rc)" [ "$rc" -ne 124 ]
check "kill -9 of mpirun: the task's processes are gone" gone
# The same with the task in the head start's child (mpirun -n 1 spawns
# its workers: it has one).
killo launcher env MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_ALONE=30 "$MPIRUN" -n 1 "$MPIPOOL"
check "kill -9 of mpirun during the head start: the run ends (status $rc)" [ "$rc" -ne 124 ]
check "kill -9 of mpirun during the head start: the task's processes are gone" gone
pkill -9 -f "/bin/slee[p] 600"

# mpirun ends its job on a SIGTERM with SIGCONT, SIGTERM, then SIGKILL,
# a sleep(1) apart that the end of any of its processes cuts short: here a
# worker that the TERM kills in MPI_Init (it stalls there, as Open MPI's
# now and then do: MPIPOOL_FAULT_INIT=stall), the successor of the one
# running the first task (--maxtasksperchild 1).  That task ends 0.5 s
# after mpirun's SIGTERM (it ignores it) and must be logged: the guard of
# the worker killed waits for the master (start_guard.c), which lives on
# to take the result.  Before, mpirun killed the master 1 ms after its
# SIGTERM: the task was not logged, and --resume ran it again.  The
# other task stops on the TERM, and ends at once when it runs again.
printf '%s\n' "trap '' TERM; touch late.started; sleep 1.5; echo late >>ledger" \
  "[ -e ledger ] || sleep 600" >late.txt
rm -f ledger late.log late.started
MPIPOOL_FAULT_INIT=stall "$MPIRUN" -n 1 "$MPIPOOL" --maxtasksperchild 1 \
  --joblog late.log late.txt >out 2>err &
pid=$!
until_file late.started 0
kill -TERM $pid
await $pid
check "mpirun -n 1, SIGTERM to mpirun as a worker starts: a task that ended 0.5 s after mpirun's SIGTERM is logged (status $rc)" \
  sh -c '[ "$(awk -F"\t" "NR > 1 && \$7 == 0 && \$9 ~ /late/" late.log | wc -l)" -eq 1 ]'
# The program says how its run ended before mpirun ends it: terminate
# does not wait for the spawn in progress (the stalled successor) once
# nothing else is out.  Before, the master waited for it, and mpirun's
# SIGKILL came first.
check "mpirun -n 1, SIGTERM to mpirun as a worker starts: the program says it was interrupted, and its counts" \
  sh -c 'grep -q "^mpipool: interrupted (Terminated): 1 task(s) not run" err &&
    grep -q "^mpipool: 1 task, 1 succeeded, 0 failed, .* 1 not run$" err'
run "$MPIRUN" -n 1 "$MPIPOOL" --joblog late.log --resume late.txt
check "mpirun -n 1, SIGTERM to mpirun as a worker starts, then --resume: that task not run again, the other run" \
  sh -c '[ "$0" -eq 0 ] && [ "$(grep -c late ledger)" -eq 1 ] && [ "$(tail -n +2 late.log | wc -l)" -eq 2 ]' $rc

# Interrupted runs lose and repeat nothing: SIGTERM, SIGINT or SIGHUP to
# the master (or to mpirun) midway, then --resume, over and over until
# every task ran; each task appends its number to a ledger when it ends.
# Every task must be in the ledger once, and in the joblog once.
# MPIPOOL_FAULT_CYCLES kill-and-resume cycles per mode (default 4; by
# hand: 100, with MPIPOOL_FAULT_TASKS=3000, and MPIPOOL_TEST_TIMEOUT=300
# for the script's time limit: 13 minutes here).  Mode head is a singleton
# with a head start (MPIPOOL_HEAD_START=1): each run's first commands
# run in a child of the master until its workers come (about 0.2 s), so
# its signals come 0.02-0.42 s into the run, in that window or just past.
# Mode 1, mpirun -n 1 with --maxtasksperchild 5, spawns its workers and
# their successors all the time, and its signals come 1.1-1.9 s in, often
# while a spawn is in progress.  mpirun ends its job with SIGCONT,
# SIGTERM, then SIGKILL, each a sleep(1) apart that the end of any of its
# processes cuts short: the master, killed 1 ms after its SIGTERM, had not
# logged tasks that ended then, and workers started tasks they held after
# it (8 tasks ran twice in 100 cycles, by hand); see linger() in
# start_guard.c and held_by_a_stop() in runner.c.
# A task ends by appending to the ledger with the stop signals ignored:
# a task killed between its append and its exit (a stop's TERM) has not
# ended, and runs again, by design; with the signals taken, that window
# (tens of microseconds) made 1 task in 361 mode 3 runs "run twice"; with
# "echo; sleep 0.01" in place of the echo, 2 in 8 runs (0 in 8 with the
# trap).  A task that exits 0 despite the stop is logged as succeeded.
cycles=${MPIPOOL_FAULT_CYCLES:-4}
ntasks=${MPIPOOL_FAULT_TASKS:-150}
: >cycle.txt
for i in $(seq 1 "$ntasks"); do
  echo "sleep 0.0$((i % 5 + 5)); trap '' TERM INT HUP; echo $i >>ledger" >>cycle.txt
done
for mode in singleton head 1 3; do
  rm -f ledger cycle.log
  k=0 interrupted=0 statuses=
  while [ $k -lt $((cycles + 10)) ]; do
    k=$((k + 1))
    after=0.6 spread=0.5
    if [ $mode = singleton ]; then
      "$MPIPOOL" --joblog cycle.log --resume cycle.txt >out 2>err &
    elif [ $mode = head ]; then
      MPIPOOL_HEAD_START=1 "$MPIPOOL" --joblog cycle.log --resume cycle.txt \
        >out 2>err &
      after=0.02 spread=0.4
    elif [ $mode = 1 ]; then
      "$MPIRUN" -n 1 "$MPIPOOL" --maxtasksperchild 5 --joblog cycle.log \
        --resume cycle.txt >out 2>err &
      after=1.1 spread=0.8
    else
      env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n $mode "$MPIPOOL" \
        --joblog cycle.log --resume cycle.txt >out 2>err &
    fi
    pid=$!
    if [ $interrupted -lt "$cycles" ]; then
      sig=$(echo TERM INT HUP | cut -d' ' -f$((k % 3 + 1)))
      sleep "$(awk -v k=$k -v a=$after -v b=$spread 'BEGIN { srand(k); printf "%.2f", a + b * rand() }')"
      kill -$sig $pid 2>/dev/null
    fi
    await $pid
    statuses="$statuses $rc"
    [ $rc -ne 0 ] && interrupted=$((interrupted + 1))
    [ $rc -eq 0 ] && [ "$(tail -n +2 cycle.log | wc -l)" -ge "$ntasks" ] && break
  done
  check "[$mode] $interrupted interrupted runs, then the run ends (statuses:$statuses)" \
    [ $rc -eq 0 ]
  twice=$(sort -n ledger | uniq -d | wc -l)
  check "[$mode] every task ran to its end exactly once over the $k runs ($twice ran twice)" \
    sh -c '[ "$(sort -n ledger | uniq | wc -l)" -eq "$0" ] && [ "$1" -eq 0 ]' "$ntasks" "$twice"
  check "[$mode] every task logged once, as succeeded" \
    sh -c '[ "$(awk -F"\t" "NR > 1 && \$7 == 0 && \$8 == 0 { print \$1 }" cycle.log | sort -n | uniq | wc -l)" -eq "$0" ] && [ "$(tail -n +2 cycle.log | wc -l)" -eq "$0" ]' "$ntasks"
  if [ $mode = singleton ]; then
    rm -f ledger cycle.log
    "$MPIPOOL" --joblog cycle.log cycle.txt >out 2>err &
    pid=$!
    sleep 1
    kill -TERM $pid
    await $pid
    check "[singleton] SIGTERM: exit status 143 (128 + 15), and says so" \
      sh -c '[ "$0" -eq 143 ] && grep -q "^mpipool: interrupted (Terminated): [0-9]* task(s) not run; every task that ended is in the joblog" err' $?
    # A stop while the singleton's pool starts (its tasks, from a file,
    # read; it catches stops from before it reads them): it runs none.
    rm -f ledger cycle.log
    "$MPIPOOL" -j 2 --joblog cycle.log cycle.txt >out 2>err &
    pid=$!
    catching $pid && starting $pid && kill -TERM $pid
    await $pid
    check "[singleton] SIGTERM while the pool starts: 143, says so, none of $ntasks run" \
      sh -c '[ "$0" -eq 143 ] && [ ! -e ledger ] && grep -q "^mpipool: interrupted (Terminated): $1 task(s) not run" err' $? "$ntasks"
    # ... and while it reads them from stdin, which stays open: the read
    # ends, the program says so, 143, at once.
    rm -f ledger fifo
    mkfifo fifo
    "$MPIPOOL" - <fifo >out 2>err &
    pid=$!
    { echo "echo 1 >>ledger"; sleep 20; } >fifo 2>/dev/null &
    writer=$!
    catching $pid && kill -TERM $pid
    t0=$(date +%s)
    await $pid
    kill $writer 2>/dev/null
    check "[singleton] SIGTERM while it reads stdin: 143 at once, says so, nothing run" \
      sh -c '[ "$0" -eq 143 ] && [ $(($(date +%s) - $1)) -lt 10 ] && [ ! -e ledger ] && grep -qx "mpipool: interrupted (Terminated) while reading the tasks: none run" err' $rc "$t0"
  fi
done

# A spawned worker's PMIx handshake breaks (tests/tools/pmix_cut.c, the
# first spawn's rank 1, cut before the server's reply), as PMIx 4.2.2's
# now and then does (CI, this run's -j 1000000 below: two workers'
# MPI_Init "Unreachable", then every spawn stuck, status 255, processes
# left).  The spawn is stuck, given up (MPIPOOL_SPAWN_TIMEOUT) and asked
# again; the singleton's daemon, whose PMIx server is then stuck in its
# finalize for ever (deaf to SIGTERM), outlived the program: it is now
# killed at the end.  Whether a spawn completes again depends on where
# the server stopped: by hand, the second worked in 8 runs; in this suite
# all three stuck once (as in CI).  With a head start the head runs the
# tasks meanwhile, and alone if no worker comes: every task runs once,
# status 0.  Without one, either the second spawn's workers run them all,
# or the pool fails: status 255, said, none run.  Either way no daemon of
# the run is left (found by the cut's file in its environment).
CUT=$builddir/tests/tools/.libs/libpmixcut.so
for t in $(seq 12); do echo "sleep 0.2; echo t$t"; done >cut.txt
run_daemons() {
  for p in $(pgrep -x orted); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
      grep -qx "PMIX_CUT_ONCE=$tmp/cut.once" && echo "$p"
  done
}
no_daemon() {
  [ -z "$(run_daemons)" ]
}
for hs in 1 0; do
  rm -f cut.once
  run env LD_PRELOAD="$CUT" PMIX_CUT_RANK=1 PMIX_CUT_WHEN=before \
    PMIX_CUT_ONCE="$tmp/cut.once" MPIPOOL_SPAWN_TIMEOUT=$((bound / 2)) \
    MPIPOOL_HEAD_START=$hs MPIPOOL_HEAD_ALONE=0 \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$MPIPOOL" -j 2 cut.txt
  if [ $hs = 1 ] || [ $rc -ne 255 ]; then
    check "a worker's PMIx handshake broken (head start $hs): each of 12 tasks runs once, status 0" \
      sh -c '[ "$0" -eq 0 ] && [ -e cut.once ] && [ "$(sort -u out | grep -c "^t")" -eq 12 ] && [ "$(grep -c . out)" -eq 12 ]' $rc
  else
    check "a worker's PMIx handshake broken (head start 0), no spawn completes again: status 255, none run, said" \
      sh -c '[ -e cut.once ] && [ ! -s out ] && grep -q "^mpipool: cannot start the pool: could not spawn worker processes$" err'
  fi
  check "a worker's PMIx handshake broken (head start $hs): no daemon of the run left (10 s)" \
    within 10 no_daemon
done

# More workers than the node's limits allow (mpipool -j 1000000): what
# fits starts, with a warning naming the limit, every task runs, and no
# process of the run is left; with no room at all: a clear error, 255,
# nothing run.  (ulimit -n: root is not held to ulimit -u.)  With a head
# start, the workers asked for at once (MPIPOOL_HEAD_ALONE=0): as above,
# a spawn that PMIx breaks leaves the tasks to the head (seen once in CI
# without one: 255, nothing run).
printf 'echo %s\n' 1 2 3 4 5 6 >six.txt
run env MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_ALONE=0 \
  sh -c 'ulimit -n 120 && exec "$0" -j 1000000 six.txt' "$MPIPOOL"
check "-j 1000000, ulimit -n 120: the tasks run on the workers that fit" \
  sh -c '[ "$0" -eq 0 ] && [ "$(sort out | tr "\n" " ")" = "1 2 3 4 5 6 " ]' $rc
check "-j 1000000, ulimit -n 120: says how many started and which limit" \
  grep -q "^mpipool: warning: going on with [0-9]* worker(s) instead of 1000000: the files a process may open (ulimit -n 120, 4 per worker) allow no more$" err
check "-j 1000000, ulimit -n 120: no process of the run left (10 s)" \
  vanished 10 "$MPIPOOL -j 1000000"
run sh -c 'ulimit -n 70 && exec "$0" -j 4 six.txt' "$MPIPOOL"
check "-j 4, ulimit -n 70: no room for any worker: 255, the limit named, nothing run" \
  sh -c '[ "$0" -eq 255 ] && [ ! -s out ] && grep -q "^mpipool: no worker can be started: the files a process may open (ulimit -n 70, 4 per worker)$" err' $rc

finish
