#!/bin/sh
# cluster.sh - a real Slurm cluster on this one machine, for the tests:
# munged, slurmctld and two slurmd "nodes" (n1, n2: Debian builds Slurm
# with multiple-slurmd support), started from Debian's packages without
# systemd, each daemon in the foreground of its own session with its pid
# recorded, and stopped by those pids only.
#
#   sh tests/slurm/cluster.sh start   # prints the line to source: SLURM_CONF=...
#   sh tests/slurm/cluster.sh stop
#
# Everything lives in $MPIPOOL_SLURM_DIR (default /tmp/mpipool-slurm): the
# configuration (SLURM_CONF points there: /etc/slurm is not touched), state,
# logs, pid files, and a per-node scratch directory.  Each node declares the
# machine's real cores (slurmd -C).  Needs root and the packages munge,
# slurmctld, slurmd and slurm-client.
set -u
LAB=${MPIPOOL_SLURM_DIR:-/tmp/mpipool-slurm}
ETC=$LAB/etc RUN=$LAB/run LOG=$LAB/log STATE=$LAB/state TMPB=$LAB/tmp
export SLURM_CONF=$ETC/slurm.conf
NODES="n1 n2"

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# alive PIDFILE EXE: the recorded pid still runs that program (not a
# zombie, not a reused pid).
alive() {
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$2")" ] &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# start NAME LOGFILE COMMAND...: in its own session, its pid (the daemon
# itself: sh execs into it) in $RUN/NAME.pid.
start() {
  name=$1 log=$2; shift 2
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/$name.pid" "$@" \
    >>"$log" 2>&1 </dev/null &
}

# wait_for SECONDS WHAT COMMAND...
wait_for() {
  secs=$1 what=$2; shift 2
  i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt $((secs * 10)) ] && die "timed out waiting for $what (logs in $LOG)"
    sleep 0.1
  done
}

write_config() {
  host=$(hostname -s)
  hw=$(slurmd -C | head -1 | tr ' ' '\n' |
    grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' |
    tr '\n' ' ')
  mem=$(slurmd -C | head -1 | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  mem=$(( ${mem:-2000} / 4 ))
  # Two nodes on one host collide on Open MPI's shared-memory files and
  # on the PMIx scratch directory: give each node its own (TmpFS and this
  # task prolog; not for the batch step, whose mpirun would pass its
  # value on to every node).
  cat >"$ETC/task_prolog.sh" <<P
#!/bin/sh
d=$TMPB/\$SLURMD_NODENAME
mkdir -p "\$d"
echo "export TMPDIR=\$d"
# The batch step has no SLURM_STEP_ID.
[ -n "\${SLURM_STEP_ID:-}" ] &&
  echo "export OMPI_MCA_btl_vader_backing_directory=\$d"
exit 0
P
  chmod 755 "$ETC/task_prolog.sh"
  {
    echo "ClusterName=mpipool-test"
    echo "SlurmctldHost=$host(127.0.0.1)"
    echo "AuthType=auth/munge"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "StateSaveLocation=$STATE/ctld"
    echo "SlurmdSpoolDir=$STATE/spool/%n"
    echo "SlurmctldPidFile=$STATE/slurmctld.pid"
    echo "SlurmdPidFile=$STATE/slurmd-%n.pid"
    echo "SlurmctldLogFile=$LOG/slurmctld.log"
    echo "SlurmdLogFile=$LOG/slurmd-%n.log"
    echo "TmpFS=$TMPB/%n"
    echo "TaskProlog=$ETC/task_prolog.sh"
    echo "MailProg=/bin/true"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "SwitchType=switch/none"
    echo "MpiDefault=none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "SchedulerType=sched/backfill"
    echo "SchedulerParameters=batch_sched_delay=0"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "JobCompType=jobcomp/none"
    echo "ReturnToService=2"
    echo "EnforcePartLimits=ALL"
    echo "KillWait=5"
    echo "MinJobAge=600"
    echo "JobRequeue=1"
    i=0
    for n in $NODES; do
      i=$((i + 1))
      echo "NodeName=$n NodeHostname=$host NodeAddr=127.0.0.1 Port=$((17100 + i)) $hw RealMemory=$mem State=UNKNOWN"
    done
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  } >"$SLURM_CONF"
}

do_start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  for b in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch; do
    [ -x "$b" ] || die "$b is missing (apt-get install munge slurmctld slurmd slurm-client)"
  done
  mkdir -p "$ETC" "$RUN" "$LOG" "$STATE/ctld" "$TMPB"
  for n in $NODES; do mkdir -p "$STATE/spool/$n" "$TMPB/$n"; done
  write_config
  # munge: ours, unless one already serves (then it is not ours to stop).
  if ! alive "$RUN/munged.pid" /usr/sbin/munged; then
    if sh -c 'munge -n | unmunge' >/dev/null 2>&1; then
      say "using the munged already running"
    else
      [ -f /etc/munge/munge.key ] || die "/etc/munge/munge.key is missing"
      install -d -o munge -g munge -m 0755 /run/munge
      start munged "$LOG/munged.log" setpriv --reuid=munge --regid=munge \
        --init-groups /usr/sbin/munged -F
      wait_for 10 munged sh -c 'munge -n | unmunge'
    fi
  fi
  if ! alive "$RUN/slurmctld.pid" /usr/sbin/slurmctld; then
    scontrol ping 2>/dev/null | grep -q UP &&
      die "a slurmctld this script did not start answers on port 6817"
    start slurmctld "$LOG/slurmctld.console" /usr/sbin/slurmctld -D -i
    wait_for 30 slurmctld sh -c 'scontrol ping | grep -q UP'
  fi
  for n in $NODES; do
    alive "$RUN/slurmd-$n.pid" /usr/sbin/slurmd ||
      start "slurmd-$n" "$LOG/slurmd-$n.console" /usr/sbin/slurmd -D -N "$n"
  done
  # Nodes idle (a node drained in an earlier life is resumed).
  i=0
  while [ "$(sinfo -h -N -o '%t' 2>/dev/null | grep -c '^idle')" -lt 2 ]; do
    for n in $(sinfo -h -N -o '%N %t' 2>/dev/null | awk '$2 ~ /^(drain|down|inval)/ {print $1}'); do
      scontrol update NodeName="$n" State=RESUME >/dev/null 2>&1
    done
    i=$((i + 1))
    [ $i -gt 300 ] && { sinfo -N -l >&2; die "nodes did not become idle"; }
    sleep 0.1
  done
  echo "SLURM_CONF=$SLURM_CONF"
}

# stop_pid NAME EXE: TERM to the recorded pid, KILL 15 s later.
stop_pid() {
  alive "$RUN/$1.pid" "$2" || { rm -f "$RUN/$1.pid"; return 0; }
  pid=$(cat "$RUN/$1.pid")
  kill -TERM "$pid" 2>/dev/null
  i=0
  while alive "$RUN/$1.pid" "$2" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
  alive "$RUN/$1.pid" "$2" && kill -KILL "$pid" 2>/dev/null
  rm -f "$RUN/$1.pid"
}

do_stop() {
  [ -f "$SLURM_CONF" ] && scancel --full --quiet --user=root 2>/dev/null
  sleep 0.5
  for n in $NODES; do stop_pid "slurmd-$n" /usr/sbin/slurmd; done
  stop_pid slurmctld /usr/sbin/slurmctld
  stop_pid munged /usr/sbin/munged
}

case "${1:-}" in
start) do_start ;;
stop) do_stop ;;
*) echo "usage: sh tests/slurm/cluster.sh start|stop" >&2; exit 2 ;;
esac
