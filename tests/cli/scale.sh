#!/bin/sh
# scale.sh - the program on a million tasks: the task list is read as a
# stream, so the master's memory does not grow with it (a --resume over a
# million-line joblog runs the last tasks with the master's peak resident
# memory far below the ~77 MB a list in memory took); and a task file
# changed while the run reads it stops the run with a message, every
# finished task logged once.
. "$(dirname "$0")/lib.sh"

# A million tasks, the joblog of a run that did all but the last four;
# the last one sleeps, so that the master's peak is read at its end.
seq 1 999999 | sed 's/^/true /' >million.txt
echo 'sleep 1' >>million.txt
awk 'BEGIN { OFS = "\t"; print "Seq", "Host", "Starttime", "JobRuntime",
  "Send", "Receive", "Exitval", "Signal", "Command"
  for (i = 1; i <= 999996; i++) print i, "h", "1.000", "0.001", 0, 0, 0, 0, "true " i }' \
  >million.log
"$MPIPOOL" -j 2 --joblog million.log --resume million.txt >out 2>err &
peak $!
check "a million tasks, --resume: the last four run, the rest skipped" \
  sh -c '[ "$0" -eq 0 ] && grep -q "^mpipool: 4 tasks, 4 succeeded, 0 failed, .*, 999996 skipped (done before)" err' $rc
check "a million tasks, --resume: four lines appended to the joblog" \
  sh -c '[ "$(wc -l <million.log)" -eq 1000001 ] && [ "$(tail -n 4 million.log | cut -f1 | sort -n | tr "\n" " ")" = "999997 999998 999999 1000000 " ]'
# AddressSanitizer's shadow memory inflates every process: under it the
# bound cannot be told, only the run's status.
if [ -n "${MPIPOOL_SANITIZED:-}" ]; then
  check "a million tasks: ran (peak RSS ${hwm} kB, not bounded under ASan)" \
    sh -c '[ "$0" -eq 0 ]' $rc
else
  check "a million tasks, --resume: the master's peak RSS ${hwm} kB < 32 MiB" \
    sh -c '[ "$0" -gt 5000 ] && [ "$0" -lt 32768 ]' $hwm
fi

# One of its commands in the joblog differs: named, nothing run, the
# joblog left as it is (the check reads both again to name the line).
sed '500001s/true 500000$/true 0500000/' million.log >other.log
cp other.log other.orig
run "$MPIPOOL" -j 2 --joblog other.log --resume million.txt
check "a million tasks, a joblog line that differs: named, status 255" \
  sh -c '[ "$0" -eq 255 ] && grep -qx "mpipool: other.log:500001: task 500000 is '"'true 0500000'"' in the joblog but '"'true 500000'"' in the task list" err' $rc
check "a million tasks, a joblog line that differs: nothing run, joblog kept" \
  sh -c '[ ! -s out ] && cmp -s other.log other.orig'

# The task file changed under the run (its first task empties it): the
# run stops (status 255), says why, and every task that ended is logged
# once, in whole lines.
for mode in singleton mpirun; do
  seq 2 3000 | sed 's/^/true /' >changing.txt
  sed -i '1i : >changing.txt' changing.txt
  if [ $mode = singleton ]; then
    run "$MPIPOOL" -j 2 --joblog changing.log changing.txt
  else
    run "$MPIRUN" -n 2 "$MPIPOOL" --joblog changing.log changing.txt
  fi
  check "[$mode] the task file emptied mid-run: status 255, said" \
    sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: changing.txt changed while mpipool ran (line [0-9]*; it held 3000 tasks): stopping" err' $rc
  check "[$mode] the task file emptied mid-run: each ended task logged once" \
    sh -c '[ "$(tail -n +2 changing.log | cut -f1 | sort -n | uniq -d | wc -l)" -eq 0 ] &&
           [ "$(tail -n +2 changing.log | wc -l)" -ge 1 ] &&
           [ "$(tail -n +2 changing.log | awk -F "\t" "NF != 9" | wc -l)" -eq 0 ]'
done

# A line added near its start while it runs (its first task rewrites the
# file in place; an editor that writes a new file and renames it leaves
# the run reading the old one, whole): the file then holds one task more
# than counted, said at the end of the list (past what was read before:
# 1,001 lines, more than stdio reads at once).
{ echo "sed '2i echo added' grow.txt >grown.txt; cat grown.txt >grow.txt"
  yes true | head -n 1000; } >grow.txt
run "$MPIPOOL" -j 2 --joblog grow.log grow.txt
check "a line added mid-run: status 255, said" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: grow.txt changed while mpipool ran (line [0-9]*; it held 1001 tasks): stopping" err' $rc

finish
