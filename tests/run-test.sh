#!/bin/sh
# run-test.sh TEST - runs one test and prints TAP.
#   tests/unit/*   run as they are (no MPI launcher);
#   tests/mpi/*    run as a singleton and under mpirun with each process
#                  count of $MPIPOOL_TEST_NPS (default "1 2 4 8"); the TAP
#                  of every run is renumbered into one stream;
#   *.sh           run with sh.
# Each run has a time limit ($MPIPOOL_TEST_TIMEOUT seconds, default 120;
# a whole script, which makes many runs, 8 times that): a hang is a
# failure, never a stuck suite.  A script's time is shown at its end.
test="$1"; shift
limit=${MPIPOOL_TEST_TIMEOUT:-120}
MPIRUN=${MPIRUN:-mpirun}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# /dev/shm; keep test output to what the tests say.

case "$test" in
*.sh)
  start=$(date +%s)
  timeout -k 10 $((limit * 8)) sh "$test" "$@"
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "# $(basename "$test"): timed out after $((limit * 8))s"
  fi
  echo "# $(basename "$test"): $(($(date +%s) - start))s"
  exit "$rc" ;;
*/mpi/*) ;;
*) exec timeout -k 10 "$limit" "$test" "$@" ;;
esac

n=0 failed=0
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
# A test of dead workers needs mpirun to keep the job when a rank dies.
recovery=
case "$test" in *test_lost*) recovery=--enable-recovery ;; esac
run_once() { # run_once NP: one run of the test, its output in $out
  if [ "$1" = singleton ]; then
    timeout -k 10 "$limit" "$test" >"$out" 2>&1
  elif [ "$1" -gt 2 ]; then
    # More processes than this machine's cores: mpirun itself must be told
    # (this is mpirun's rule, not mpipool's: mpipool's own spawns never
    # need it).
    OMPI_MCA_rmaps_base_oversubscribe=1 timeout -k 10 "$limit" \
      "$MPIRUN" $recovery -n "$1" "$test" >"$out" 2>&1
  else
    timeout -k 10 "$limit" "$MPIRUN" $recovery -n "$1" "$test" >"$out" 2>&1
  fi
}

for np in singleton ${MPIPOOL_TEST_NPS:-1 2 4 8}; do
  began=$(date +%s)
  run_once "$np"
  rc=$?
  # A hang is a failure, never run again: it shows as "exited with status
  # 124" (the time limit) after the checks it made.  (137 alone can be
  # mpirun's own status: a rank killed by SIGKILL.)
  hung=
  if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } &&
    [ $(($(date +%s) - began)) -ge "$limit" ]; then
    hung="timed out after ${limit}s"
    echo "# [$np] $hung"
  fi
  seen=0
  while IFS= read -r line; do
    case "$line" in
    "ok "*|"not ok "*)
      n=$((n + 1)); seen=$((seen + 1))
      case "$line" in not*) status="not ok" ;; *) status=ok ;; esac
      desc=${line#*- }
      echo "$status $n - [$np] $desc" ;;
    "1.."*) ;;
    *) echo "# [$np] $line" ;;
    esac
  done <"$out"
  n=$((n + 1))
  if [ "$rc" -ne 0 ] || [ "$seen" -eq 0 ]; then
    # The run's first error line goes into the verdict itself: a report
    # that shows only failing lines then still says what went wrong.
    first=$(grep -m 1 -E 'ERROR|error occurred|non-zero|signal|timed out' "$out" ||
      grep -m 1 'mpipool: ' "$out")
    first=$(printf '%s' "$first" | tr -d '#' | cut -c 1-160)
    echo "not ok $n - [$np] $(basename "$test") exited with status $rc after $seen checks${hung:+, $hung}${first:+ (first error: $first)}"
  else
    echo "ok $n - [$np] $(basename "$test") exited cleanly"
  fi
done
echo "1..$n"
