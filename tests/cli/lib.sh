# lib.sh - what the command-line tests share, sourced by them: where the
# program is, a scratch directory to work in, TAP output, and running a
# command with a time limit.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
MPIPOOL=$builddir/mpipool
MPIRUN=${MPIRUN:-mpirun}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export LC_ALL=C # sort, grep and friends the same everywhere
n=0 fails=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

pass() { n=$((n + 1)); echo "ok $n - $1"; }
# fail NAME [FILE...]: a failed check, with the start of each file shown
fail() {
  n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
  shift
  for f in "$@"; do [ -f "$f" ] && cut -c1-200 "$f" | sed "s|^|# $f: |" | head -30; done
}
# check NAME CONDITION-COMMAND... : passes when the command succeeds
# (err first: CI shows only the start of a failure's output).
check() {
  name=$1; shift
  if "$@"; then pass "$name"; else fail "$name" err out; echo "# rc: ${rc:-}"; fi
}

# The time limit of one run ($MPIPOOL_TEST_TIMEOUT: the sanitizers'
# builds are slower).
LIMIT=${MPIPOOL_TEST_TIMEOUT:-120}

# run COMMAND...: with a time limit; output in out and err, status in $rc.
run() {
  timeout -k 5 "$LIMIT" "$@" >out 2>err
  rc=$?
  # A hang is a failure (status 124), never run again.
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "# $*: timed out after $LIMIT s"
  fi
}

# await PID [SECONDS]: waits for the background job PID, at most SECONDS
# (default $LIMIT): then kills it (SIGKILL) and says so; its status in $rc
# (137 when killed).  A hang is a failure, never a stuck suite: every wait
# of a test on a process it started goes through here.
await() {
  secs=${2:-$LIMIT}
  # The watchdog ends with PID (tail --pid), so it outlives no run.
  (timeout "$secs" tail -s 0.2 --pid="$1" -f /dev/null ||
    { kill -9 "$1" && echo "# pid $1 killed: still running after $secs s"; }) \
    2>/dev/null &
  dog=$!
  wait "$1"
  rc=$?
  wait "$dog"
  return $rc
}

# peak PID [COMMAND]: while the background job PID runs (at most $LIMIT
# s), reads its peak resident memory (VmHWM, kB) into $hwm every 50 ms and
# runs the shell COMMAND; then awaits it (status in $rc).
peak() {
  hwm=0 i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt $((LIMIT * 20)) ]; do
    v=$(awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null)
    [ -n "$v" ] && hwm=$v
    [ -n "${2:-}" ] && eval "$2"
    sleep 0.05; i=$((i + 1))
  done
  await "$1"
}

# within SECONDS COMMAND [ARG...]: runs COMMAND every 0.1 s until it
# succeeds, for SECONDS at most: 0 once it did, else 1.  The tests'
# bounded waits for a condition.
within() {
  w_n=$(($1 * 10)) w_i=0
  shift
  until "$@"; do
    [ $w_i -ge $w_n ] && return 1
    sleep 0.1; w_i=$((w_i + 1))
  done
}

# not_running PATTERN: no process's command line matches PATTERN
# (pgrep -f).
not_running() {
  ! pgrep -f "$1" >/dev/null
}

# vanished SECONDS PATTERN: no process whose command line matches PATTERN
# is left, or none within SECONDS.
vanished() {
  within "$1" not_running "$2"
}

# accounted N [PATTERN]: mpipool's summary line in err accounts for all N
# tasks (succeeded + failed + not run), and, with PATTERN, out has as many
# lines matching it as tasks succeeded.
accounted() {
  acc=$(sed -n 's/^mpipool: [0-9]* tasks*, \([0-9]*\) succeeded, \([0-9]*\) failed.*/\1 \2/p' err | tail -1)
  acc_r=$(sed -n 's/^mpipool: [0-9]* tasks*, .*, \([0-9]*\) not run$/\1/p' err | tail -1)
  acc_p=${2-}
  # shellcheck disable=SC2086
  set -- "$1" $acc "${acc_r:-0}"
  [ $# -eq 4 ] && [ $(($2 + $3 + $4)) -eq "$1" ] &&
    { [ -z "$acc_p" ] || [ "$(grep -c "$acc_p" out)" -eq "$2" ]; }
}

# signal_when SIGNAL CONDITION: waits (a minute at most) until the shell
# condition holds, then sends SIGNAL to the background job $pid and waits
# for it; its status in $rc.
signal_when() {
  within 60 eval "$2"
  kill -"$1" "$pid"
  await "$pid"
}

# The TAP plan and the exit status; the last line of every test.
finish() {
  echo "1..$n"
  [ "$fails" -eq 0 ]
}
