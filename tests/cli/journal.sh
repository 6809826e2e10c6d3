#!/bin/sh
# journal.sh - resumable maps (mpipool_set_journal), with the master killed
# mid-map: SIGTERM and SIGKILL, as a singleton and under mpirun.  Each run
# of an item appends to a ledger; a rerun with the journal must print what
# an uninterrupted run prints, and run again at most the items in flight
# at the kill.  A journal of another map is refused and left as it was; a
# torn last write is dropped.  MPIPOOL_JOURNAL_CYCLES=N repeats the
# kill-and-rerun N times per mode (default 2; by hand: 20).  Under
# mpirun --enable-recovery nothing but the workers themselves ends them
# when the master is killed: "nothing left running" checks that they
# see it (master_watch.h).
. "$(dirname "$0")/lib.sh"
PROG=$builddir/tests/mpi/journal_prog
ITEMS=60 MS=40
cycles=${MPIPOOL_JOURNAL_CYCLES:-2}
# Run twice at most: the items in flight at the kill.  2 workers, each
# with at most 2 frames of 1 item queued (40 ms items), and the one whose
# result was on its way.
INFLIGHT=6

run "$PROG" j0 l0 $ITEMS $MS
cp out expected
check "an uninterrupted run: every item once, done" \
  sh -c '[ "$0" -eq 0 ] && [ "$(wc -l <l0)" -eq '$ITEMS' ] && [ "$(sort -n l0 | uniq | wc -l)" -eq '$ITEMS' ] && tail -1 expected | grep -qx done' $rc

# no_orphan: no process of the program is left (10 s at most).
no_orphan() {
  vanished 10 "$PROG"
}

# MODE: the program as a singleton, under mpirun -n 2, or under mpirun
# --enable-recovery, -n 1 (its workers spawned) or -n 3 (mpirun's ranks):
# mpirun does not end them when the master dies; they see it gone
# (master_watch.h: named at their spawn, or in their CONFIG).
# cycle MODE SIGNAL K: one kill-and-rerun.
total_twice=0
cycle() {
  mode=$1 sig=$2 k=$3
  case $mode in
  singleton) set -- "$PROG" ;;
  mpirun) set -- "$MPIRUN" -n 2 "$PROG" ;;
  recovery) set -- "$MPIRUN" --enable-recovery -n 1 "$PROG" ;;
  recovery3) set -- env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" \
    --enable-recovery -n 3 "$PROG" ;;
  esac
  rm -f j1 l1 l1.pid
  "$@" j1 l1 $ITEMS $MS >out 2>err &
  pid=$!
  i=0 # until a third of the items ran, then kill the master
  while ! { [ -s l1.pid ] && [ -f l1 ] && [ "$(wc -l <l1)" -ge $((ITEMS / 3)) ]; } && [ $i -lt 600 ]; do
    sleep 0.05; i=$((i + 1))
  done
  [ -s l1.pid ] && kill -"$sig" "$(cat l1.pid)"
  await $pid
  killed=$?
  before=$(wc -l <l1)
  no_orphan || echo "# $mode $sig: processes left after the kill"
  run "$@" j1 l1 $ITEMS $MS
  twice=$(($(wc -l <l1) - $(sort -n l1 | uniq | wc -l)))
  total_twice=$((total_twice + twice))
  check "$mode, kill -$sig of the master mid-map (status $killed after $before runs), cycle $k: the rerun prints what an uninterrupted run prints" \
    sh -c '[ "$0" -eq 0 ] && cmp -s out expected' $rc
  check "$mode, kill -$sig, cycle $k: every item ran, $twice ran twice (at most $INFLIGHT)" \
    sh -c '[ "$(sort -n l1 | uniq | wc -l)" -eq '$ITEMS' ] && [ '$twice' -le '$INFLIGHT' ]'
  check "$mode, kill -$sig, cycle $k: nothing left running" no_orphan
}
for k in $(seq 1 "$cycles"); do
  cycle singleton TERM "$k"
  cycle singleton KILL "$k"
  cycle mpirun KILL "$k"
  cycle recovery KILL "$k"
  cycle recovery3 KILL "$k"
done
echo "# items run twice over all kill-and-rerun cycles: $total_twice"

# A finished journal: the rerun runs nothing and prints the same.
run "$PROG" j0 l0 $ITEMS $MS
check "a rerun with a finished journal runs nothing and prints the same" \
  sh -c '[ "$0" -eq 0 ] && [ "$(wc -l <l0)" -eq '$ITEMS' ] && cmp -s out expected' $rc

# imap resumes too: the callback sees every item, in order.
rm -f j2 l2
"$PROG" j2 l2 $ITEMS $MS 1 imap >out 2>err &
pid=$!
signal_when KILL '[ -f l2 ] && [ "$(wc -l <l2)" -ge 20 ]'
no_orphan
run "$PROG" j2 l2 $ITEMS $MS 1 imap
check "imap: killed, rerun: what an uninterrupted run prints" \
  sh -c '[ "$0" -eq 0 ] && cmp -s out expected' $rc

# Chunks of 4: a chunk is journaled whole, so a rerun runs only chunks
# that had not come back.
rm -f j3 l3
"$PROG" j3 l3 $ITEMS $MS 4 >out 2>err &
pid=$!
signal_when KILL '[ -f l3 ] && [ "$(wc -l <l3)" -ge 20 ]'
no_orphan
run "$PROG" j3 l3 $ITEMS $MS 4
twice=$(($(wc -l <l3) - $(sort -n l3 | uniq | wc -l)))
check "chunks of 4: killed, rerun: the same output, $twice items twice (at most 4 chunks)" \
  sh -c '[ "$0" -eq 0 ] && cmp -s out expected && [ '$twice' -le 16 ]' $rc

# Another map on a journal: refused before anything runs, left as it was.
cp j0 j0.before
rm -f l4
run "$PROG" j0 l4 $((ITEMS + 1)) $MS
check "another map (61 items, the journal's 60): exit 3, nothing run" \
  sh -c '[ "$0" -eq 3 ] && [ ! -s l4 ]' $rc
check "saying why" grep -q "^mpipool: the journal j0 does not belong to this run: its map 0 is of task 'work' on 60 items, this run's is of 'work' on 61 items" err
check "the refused journal is as it was" cmp -s j0 j0.before
printf 'not a journal\n' >bad
run "$PROG" bad l4 $ITEMS $MS
check "a file that is not a journal: exit 3, said, untouched" \
  sh -c '[ "$0" -eq 3 ] && grep -q "bad is not an mpipool journal" err && [ "$(cat bad)" = "not a journal" ]' $rc

# A torn last write (a kill inside write()): the rerun drops it.
cp j0 j5
printf '\100\0\0\0torn' >>j5
rm -f l5
run "$PROG" j5 l5 $ITEMS $MS
check "a torn last record: dropped, the results whole, nothing rerun" \
  sh -c '[ "$0" -eq 0 ] && cmp -s out expected && [ ! -s l5 ]' $rc
finish
