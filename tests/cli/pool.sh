#!/bin/sh
# pool.sh - how the mpipool program sizes, places and binds its pool
# (--print-pool), as a singleton, under a restricted cpuset (taskset),
# under mpirun with fewer and more ranks than cores, across two "hosts",
# and when hwloc cannot read the topology.  Expected figures come from
# hwloc's own tools (hwloc-calc), so the test holds on any machine.
. "$(dirname "$0")/lib.sh"
host=$(hostname)
cores=$(hwloc-calc --number-of core all 2>/dev/null || nproc)
plural() { [ "$1" -eq 1 ] && echo "$1 $2" || echo "$1 ${2}s"; }

# A singleton: one worker per core; they fill the master's node, the
# master too, so they run unbound (one bound to the core the master works
# on could not move off it).
run "$MPIPOOL" --print-pool
check "singleton: exit 0" [ "$rc" -eq 0 ]
check "singleton: $(plural "$cores" worker) on 1 node" \
  grep -q "^mpipool [0-9.]*: $(plural "$cores" worker) on 1 node (one per core; binding on)$" out
check "singleton: the node line" \
  grep -q "^node $host: $(plural "$cores" core) usable (PU [0-9,-]*), 0 launcher ranks + $cores spawned, and the master$" out
check "singleton: every worker unbound beside the master" \
  sh -c '[ "$(grep -c "^  PoolWorker-.*: not bound$" out)" -eq "$0" ]' "$cores"
# Leaving the master a core (-j cores - 1), each is bound to its own core.
if [ "$cores" -ge 2 ]; then
  run "$MPIPOOL" -j $((cores - 1)) --print-pool
  check "-j $((cores - 1)): every worker has its own PU" \
    sh -c '[ "$(grep -c "^  PoolWorker-.*PU [0-9]" out)" -eq "$0" ] && [ "$(sed -n "s/.*PU \([0-9,-]*\))*$/\1/p" out | grep -v "^$" | sort | uniq -d | wc -l)" -eq 0 ]' "$((cores - 1))"
fi

# A node name of any length (Slurm's SLURMD_NODENAME): reported whole by
# the master, by every worker, and in the joblog.
long=$(printf 'n%.0s' $(seq 1 200))
run env SLURMD_NODENAME="$long" "$MPIPOOL" --print-pool
check "a 200-character node name: the node line has it whole" \
  grep -q "^node $long: " out
check "a 200-character node name: every worker reports it whole" \
  sh -c '[ "$(grep -c "^  PoolWorker-[0-9]* pid [0-9]* on $1: " out)" -eq "$0" ]' "$cores" "$long"
echo 'echo hi' >hi.txt
run env SLURMD_NODENAME="$long" "$MPIPOOL" --joblog hi.log hi.txt
check "a 200-character node name: whole in the joblog" \
  sh -c '[ "$(cut -f2 hi.log | tail -1)" = "$0" ]' "$long"

# Restricted cpuset: taskset -c 0 sizes the pool to 1 and binds it there.
run taskset -c 0 "$MPIPOOL" --print-pool
check "taskset -c 0: 1 worker" grep -q ": 1 worker on 1 node" out
check "taskset -c 0: 1 core usable (PU 0)" grep -q "^node $host: 1 core usable (PU 0)," out
check "taskset -c 0: the worker is on PU 0" grep -q "^  PoolWorker-1 pid [0-9]* on $host: .*PU 0)*$" out
# ... and the task really runs there.
echo 'grep Cpus_allowed_list /proc/$PPID/status' >aff.txt
run taskset -c 0 "$MPIPOOL" aff.txt
check "taskset -c 0: the task ran on CPU 0 only" grep -q "Cpus_allowed_list:[[:space:]]*0$" out

# --no-bind and --use-hwthreads
run "$MPIPOOL" --no-bind --print-pool
check "--no-bind: no worker bound" sh -c '! grep -q "^  PoolWorker-.*: core " out && grep -q "binding off" out'
pus=$(hwloc-calc --number-of pu all 2>/dev/null || nproc)
run "$MPIPOOL" --use-hwthreads --print-pool
check "--use-hwthreads: one worker per PU ($pus)" \
  grep -q ": $(plural "$pus" worker) on 1 node (one per hardware thread" out

# Under mpirun: the launcher's ranks count, the node is filled up to its
# cores; with more ranks than cores, all of them serve, unbound.
run "$MPIRUN" -n 2 "$MPIPOOL" --print-pool
want=$(( cores > 1 ? cores : 1 ))
check "mpirun -n 2: 1 launcher rank + $((want - 1)) spawned" \
  grep -q "1 launcher rank + $((want - 1)) spawned" out
many=$((cores + 2))
run env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n $((many + 1)) "$MPIPOOL" --print-pool
check "mpirun -n $((many + 1)): $many ranks serve, none spawned, none bound" \
  sh -c 'grep -q "$0 launcher ranks + 0 spawned" out && [ "$(grep -c "^  PoolWorker-" out)" -eq "$0" ] && ! grep -q ": core " out' "$many"
run "$MPIRUN" -n 2 "$MPIPOOL" -j 3 --print-pool
check "mpirun -n 2 -j 3: 1 rank + 2 spawned" grep -q "1 launcher rank + 2 spawned" out

# hwloc cannot read the topology (simulated: Open MPI's own start needs
# hwloc too, so a real failure stops MPI_Init before mpipool is asked).
run env MPIPOOL_FAULT_HWLOC=1 "$MPIPOOL" --print-pool
check "hwloc failure: a clear message, status 255" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: hwloc could not read the topology" err' $rc
echo 'echo never' >one.txt
run env MPIPOOL_FAULT_HWLOC=1 "$MPIPOOL" one.txt
check "hwloc failure with tasks: status 255, nothing run" \
  sh -c '[ "$0" -eq 255 ] && ! grep -q never out' $rc
run env MPIPOOL_FAULT_HWLOC=1 "$MPIPOOL" -j 2 one.txt
check "hwloc failure with -j 2: runs anyway, unbound" \
  sh -c '[ "$0" -eq 0 ] && grep -qx never out' $rc

# An MPI that cannot spawn (simulated; Debian's MPICH 4.0.2 really cannot):
# a singleton says what to do instead, runs nothing, status 255.  With a
# head start (the default) a one-command workload runs in the master's
# child and needs no worker (MPIPOOL_HEAD_ALONE=30: on a loaded machine
# the command waited 20 ms for the child's fork in CI's sanitized run, and
# asked for workers); a longer one asks for workers, is told the same
# words, and goes on without them: the head runs every task, status 0:
# 30 tasks of 0.05 s on 2 places, work enough for the head to want its
# workers with a bound of 0.25 s (MPIPOOL_HEAD_WORTH; 10 of them were at
# that bound: mpipool_set_backlog; on a many-core node, as many places as
# cores would have run 30 at once).
run env MPIPOOL_FAULT_SPAWN=1 MPIPOOL_HEAD_START=0 "$MPIPOOL" one.txt
check "spawning fails: status 255, nothing run, the launcher named" \
  sh -c '[ "$0" -eq 255 ] && ! grep -q never out &&
    grep -q "^mpipool: this MPI cannot spawn processes here; start the program under a launcher instead (mpirun -n $1 ...)" err' $rc $((cores + 1))
run env MPIPOOL_FAULT_SPAWN=1 MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_ALONE=30 "$MPIPOOL" one.txt
check "spawning fails, a head start: one command runs in the master's child" \
  sh -c '[ "$0" -eq 0 ] && grep -qx never out' $rc
for t in $(seq 30); do echo "sleep 0.05; echo t$t"; done >slow.txt
run env MPIPOOL_FAULT_SPAWN=1 MPIPOOL_HEAD_START=1 MPIPOOL_HEAD_WORTH=0.25 "$MPIPOOL" -j 2 slow.txt
spawn_fails_head() {
  [ "$rc" -eq 0 ] && [ "$(sort -u out | grep -c "^t")" -eq 30 ] &&
    [ "$(grep -c . out)" -eq 30 ] && accounted 30 "^t" &&
    grep -q "^mpipool: this MPI cannot spawn processes here" err &&
    grep -q "^mpipool: warning: no worker could be spawned; the pool goes on without workers: its head runs the tasks, [0-9]* at a time, on this node$" err
}
check "spawning fails, a head start: the launcher named, the head runs all 30 tasks (each once), status 0" \
  spawn_fails_head

# Two hosts on this machine: an rsh agent that starts Open MPI's daemon
# for "host" nodeb in a UTS namespace whose hostname is nodeb.
cat >agent.sh <<'A'
#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
h=$1; shift
exec unshare -u /bin/sh -c "hostname $h && exec /bin/sh -c \"\$0\"" "$*"
A
chmod +x agent.sh
if ! unshare -u true 2>/dev/null; then
  echo "ok $((n + 1)) - # SKIP two hosts: unshare -u is not permitted here"
  n=$((n + 1))
else
  mh() { run "$MPIRUN" --mca plm_rsh_agent "$tmp/agent.sh" \
    --host "$host:1,nodeb:2" "$@"; }
  mh -n 2 "$MPIPOOL" --print-pool
  check "two hosts: 2 nodes" grep -q " on 2 nodes " out
  check "two hosts: $host: the master, $cores spawned there" \
    grep -q "^node $host: .*, 0 launcher ranks + $cores spawned, and the master$" out
  check "two hosts: nodeb: 1 launcher rank + $((cores - 1)) spawned" \
    grep -q "^node nodeb: .*, 1 launcher rank + $((cores - 1)) spawned$" out
  # Every worker listed under a node runs on that node.
  awk '/^node /{node=$2; sub(":", "", node)} /^  PoolWorker-/{h=$5; sub(":", "", h); if (h != node) bad++} END {exit bad > 0}' out
  check "two hosts: every worker runs where the plan put it" [ $? -eq 0 ]
  for i in $(seq 1 40); do echo 'sleep 0.05; hostname'; done >hosts.txt
  mh -n 2 "$MPIPOOL" hosts.txt
  check "two hosts: tasks ran on both" sh -c 'grep -qx "$0" out && grep -qx nodeb out' "$host"
fi

finish
