#!/bin/sh
# slurm.sh - the job scripts of slurm/ on a real Slurm cluster of two
# nodes on this machine (tests/slurm/cluster.sh starts it and stops it):
# a task farm whose workers land on both nodes, a library program across
# nodes, srun instead of mpirun, a job killed by its 1-minute time limit
# and resubmitted until its 2 minutes of tasks are done, and the
# self-requeueing variant.  Skips, loudly, only if the daemons cannot
# start here.
. "$(dirname "$0")/../cli/lib.sh"
cluster=$srcdir/tests/slurm/cluster.sh
export MPIPOOL
export MPIPOOL_SLURM_DIR=${MPIPOOL_SLURM_DIR:-/tmp/mpipool-slurm}
export SLURM_CONF=$MPIPOOL_SLURM_DIR/etc/slurm.conf
# Nothing may stay behind: the cluster stops with the test.
trap 'sh "$cluster" stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT

if ! sh "$cluster" start >cluster.out 2>&1; then
  echo "# ################################################################"
  echo "# SKIP: the local Slurm cluster could not start here:"
  sed 's/^/#   /' cluster.out
  echo "# ################################################################"
  echo "ok 1 # SKIP Slurm daemons cannot start on this machine"
  echo "1..1"
  exit 0
fi

# submit NAME SBATCH-ARGS...: submits, waits (polling squeue: sbatch
# --wait polls slowly) until the job is gone or LIMIT seconds pass;
# $jid is the job, NAME.out its output.
submit() {
  name=$1; shift
  jid=$(sbatch --parsable --output="$tmp/$name.out" "$@") || return 1
  # By the clock, not by the count of polls: a slow squeue (a controller
  # that answers late) must not stretch the limit.
  end=$(($(date +%s) + ${LIMIT:-120}))
  while squeue -h -j "$jid" 2>/dev/null | grep -q . && [ "$(date +%s)" -lt $end ]; do
    sleep 0.2
  done
  ! squeue -h -j "$jid" 2>/dev/null | grep -q .
}
state() { scontrol show job "$jid" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
# ok_once JOBLOG N: tasks 1..N each have exactly one successful line.
ok_once() {
  awk -F'\t' 'NR > 1 && $7 == 0 && $8 == 0 { print $1 }' "$1" | sort -n >ok_seqs
  seq 1 "$2" | cmp -s - ok_seqs
}

# 1. The task farm over two nodes, one rank on each: mpipool spawns the
# rest onto each node.
for i in $(seq 1 16); do echo 'sleep 0.2; echo "$SLURMD_NODENAME"'; done >farm.txt
submit farm -N 2 --ntasks-per-node=1 "$srcdir/slurm/taskfarm.sbatch" "$tmp/farm.txt"
check "taskfarm.sbatch: the job completed" [ "$(state)" = COMPLETED ]
sort farm.out >farm.sorted
check "taskfarm.sbatch: workers on both nodes (n1 and n2)" \
  sh -c 'grep -qx n1 farm.sorted && grep -qx n2 farm.sorted'
check "taskfarm.sbatch: the joblog next to the task file, all 16 succeeded" ok_once farm.txt.joblog 16
check "taskfarm.sbatch: the summary line" grep -q "^mpipool: 16 tasks, 16 succeeded, 0 failed" farm.out
# Resubmitted: nothing left to do, nothing run again.
submit farm2 -N 2 --ntasks-per-node=1 "$srcdir/slurm/taskfarm.sbatch" "$tmp/farm.txt"
check "taskfarm.sbatch again: 16 skipped, none run" \
  sh -c 'grep -q "^mpipool: 0 tasks, .*16 skipped" farm2.out && [ "$(grep -c . farm.txt.joblog)" -eq 17 ]'

# The user's own task counts on the command line (sbatch -N 2 -n 4):
# accepted, still one rank per node, every task run on both nodes.
cp farm.txt farmn.txt
submit farmn -N 2 -n 4 "$srcdir/slurm/taskfarm.sbatch" "$tmp/farmn.txt"
check "taskfarm.sbatch -N 2 -n 4: the job completed" [ "$(state)" = COMPLETED ]
check "taskfarm.sbatch -N 2 -n 4: all 16 succeeded" ok_once farmn.txt.joblog 16
check "taskfarm.sbatch -N 2 -n 4: workers on both nodes" \
  sh -c 'grep -qx n1 farmn.out && grep -qx n2 farmn.out'

# 2. The library: pool_map across the nodes.
submit lib -N 2 --ntasks-per-node=1 "$srcdir/slurm/library.sbatch" "$builddir/examples/pool_map"
check "library.sbatch: pool_map's result" grep -q "^Pool  : \[0, 2, 4, 6, 8, 10, 12, 14, 16, 18\]$" lib.out
check "library.sbatch: its workers started" grep -q "^Starting PoolWorker-" lib.out

# 3. srun instead of mpirun: no spawning under Slurm's PMIx; the pool
# runs with the ranks srun started and says why it did not grow.
cat >srun.sh <<'S'
#!/bin/sh
srun --mpi=pmix "$MPIPOOL" "$@"
S
srun_ran() { grep -q "^mpipool: 16 tasks, 16 succeeded" srun.out && grep -qx n2 srun.out; }
# show_job NAME: the job's output, its record and the daemons' lines on it
show_job() {
  sed "s|^|# $1.out: |" "$1.out" | head -40
  scontrol show job "$jid" 2>/dev/null | sed 's/^/# /'
  grep -h "$jid" "$MPIPOOL_SLURM_DIR"/log/*.log | tail -20 | sed 's/^/# log: /'
}
submit srun -N 2 --ntasks-per-node=2 srun.sh "$tmp/farm.txt"
if srun_ran; then
  pass "srun --mpi=pmix: the tasks ran on the ranks srun started"
else
  fail "srun --mpi=pmix: the tasks ran on the ranks srun started (job $jid, $(state))"
  show_job srun
fi
check "srun --mpi=pmix: it says why the pool did not grow" \
  grep -q "srun cannot spawn processes: launch with mpirun" srun.out

# 4 and 5, at once: the same scripts without --exclusive, each job one
# CPU per node, so 2 workers; about 2 minutes of tasks for them, 1-minute
# time limits.  Each task notes that it ran.
sed '/^#SBATCH --exclusive/d' "$srcdir/slurm/taskfarm.sbatch" >farm-shared.sbatch
sed '/^#SBATCH --exclusive/d' "$srcdir/slurm/taskfarm-requeue.sbatch" >rq-shared.sbatch
: >long.txt
for i in $(seq 1 48); do
  echo "sleep 5; echo $i >>$tmp/ran-long; echo task $i" >>long.txt
done
# The requeueing job gets half as much: each requeue waits about 2 minutes
# in Slurm's queue (its BeginTime), so two runs are enough to prove it.
head -24 long.txt | sed "s|ran-long|ran-rq|" >rq.txt
export MPIPOOL_JOBLOG
# 4. Killed by its time limit, resubmitted until done.
(
  MPIPOOL_JOBLOG=$tmp/long.joblog
  n=0
  while [ $n -lt 6 ]; do
    n=$((n + 1))
    LIMIT=200 submit "long$n" -N 2 --ntasks-per-node=1 --cpus-per-task=1 \
      --time=1 farm-shared.sbatch "$tmp/long.txt"
    [ -f long.joblog ] && ok_once long.joblog 48 && break
  done
  echo $n >long.jobs
) &
resub=$!
# 5. The self-requeueing job: one submission.
LIMIT=900 MPIPOOL_JOBLOG=$tmp/rq.joblog submit rq -N 2 --ntasks-per-node=1 \
  --cpus-per-task=1 --time=1 --signal=B:USR1@25 rq-shared.sbatch "$tmp/rq.txt"
check "taskfarm-requeue.sbatch: completed in the end" [ "$(state)" = COMPLETED ]
check "taskfarm-requeue.sbatch: it drained and requeued itself" \
  sh -c 'grep -q "draining" rq.out && grep -q "requeueing job" rq.out'
check "taskfarm-requeue.sbatch: every task succeeded exactly once in the joblog" ok_once rq.joblog 24
sort -n ran-rq | uniq -d >twice-rq
check "taskfarm-requeue.sbatch: no task ran twice" [ ! -s twice-rq ]
wait $resub
jobs_used=$(cat long.jobs 2>/dev/null || echo 0)
check "time limit: $jobs_used jobs until done (more than one: the limit killed it)" [ "$jobs_used" -ge 2 ]
if ok_once long.joblog 48; then
  pass "time limit: every task succeeded exactly once in the joblog"
else
  fail "time limit: every task succeeded exactly once in the joblog"
  awk -F'\t' 'NR > 1 && ($7 != 0 || $8 != 0)' long.joblog | sed 's/^/# failed: /'
  for j in long1 long2 long3; do grep -v "^task" $j.out | sed "s/^/# $j.out: /"; done
fi
# A task killed by the limit after it noted that it ran but before it was
# logged runs again; one logged never does.
awk -F'\t' 'NR > 1 { print $1 }' long.joblog | sort -n | uniq -d >logged-twice
check "time limit: no task logged twice" [ ! -s logged-twice ]
# A task logged as done never runs again (checked above: one line each);
# one the kill cut after its work but before its line was logged does.
sort -n ran-long | uniq -d >ran-twice
check "time limit: only tasks cut by the kill ran twice ($(wc -l <ran-twice))" \
  sh -c '[ "$(wc -l <ran-twice)" -le 8 ]'
finish
