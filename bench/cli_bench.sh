#!/bin/bash
# cli_bench.sh - task-farm throughput of the mpipool program against GNU
# parallel and xargs: N commands that do nothing (`true`), so what is timed
# is each tool's own cost per command, with 2 commands running at a time.
#
#   bash bench/cli_bench.sh BUILD_DIR [--small] [--repeat R]
#
# BUILD_DIR holds the built program (BUILD_DIR/mpipool).  N is 2000 (300
# with --small); every tool runs R times (3, or 1 with --small) and keeps
# its best wall time.  The runs are interleaved (mpipool, parallel, xargs,
# then again), so a busy machine slows all three alike.  The commands run:
#
#   mpipool       BUILD_DIR/mpipool -j 2 --quiet FILE   (singleton, no mpirun)
#   GNU parallel  parallel --will-cite -j2 < FILE        (skipped if missing;
#                 Debian: apt-get install -y parallel)
#   xargs         tr '\n' '\0' < FILE | xargs -0 -P2 -n1 sh -c
#
# Prints a table (seconds, commands/s, mpipool's throughput over each
# tool's) and two targets, reported, not asserted:
#   mpipool >= 4x GNU parallel, and mpipool >= xargs -P2.
# Exits 0 when every run succeeded (whatever the targets say), 1 when a run
# failed (exit status not 0, or over the time limit), 2 on a usage error.
set -u

usage() {
  echo "usage: bash bench/cli_bench.sh BUILD_DIR [--small] [--repeat R]" >&2
  exit 2
}

builddir= small=0 repeat=
while [ $# -gt 0 ]; do
  case $1 in
    --small) small=1 ;;
    --repeat)
      [ $# -ge 2 ] || usage
      repeat=$2
      shift
      ;;
    --repeat=*) repeat=${1#--repeat=} ;;
    -h | --help) usage ;;
    -*) echo "cli_bench.sh: unknown option $1" >&2; usage ;;
    *)
      [ -z "$builddir" ] || usage
      builddir=$1
      ;;
  esac
  shift
done
[ -n "$builddir" ] || usage
if [ "$small" -eq 1 ]; then
  ntasks=300
  repeat=${repeat:-1}
else
  ntasks=2000
  repeat=${repeat:-3}
fi
case $repeat in
  '' | *[!0-9]* | 0) echo "cli_bench.sh: --repeat wants a number >= 1" >&2; exit 2 ;;
esac

mpipool=$builddir/mpipool
if [ ! -x "$mpipool" ]; then
  echo "cli_bench.sh: $mpipool not found (give the build dir)" >&2
  exit 2
fi
have_parallel=0
command -v parallel >/dev/null 2>&1 && have_parallel=1

# Open MPI refuses to run as root without these (CI runs as root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No run should take long; a hung one is a failure, not a stuck CI.
limit=300

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
file=$tmp/tasks.txt
yes true | head -n "$ntasks" >"$file"
echo true >"$tmp/one.txt"

# Each tool as a function reading the task file; stdout is discarded,
# stderr kept for the report when a run fails.
run_mpipool() { timeout -k 5 "$limit" "$mpipool" -j 2 --quiet "$file"; }
# mpipool's fixed cost: MPI start-up and spawning 2 workers, one task.
run_startup() { timeout -k 5 "$limit" "$mpipool" -j 2 --quiet "$tmp/one.txt"; }
run_parallel() { timeout -k 5 "$limit" parallel --will-cite -j2 <"$file"; }
run_xargs() {
  tr '\n' '\0' <"$file" | timeout -k 5 "$limit" xargs -0 -P2 -n1 sh -c
}

failed=0
declare -A best
# measure NAME: one timed run of run_NAME; keeps the best time in best[NAME].
measure() {
  local name=$1 t0 t1 rc secs
  t0=$(date +%s.%N)
  "run_$name" >/dev/null 2>"$tmp/err"
  rc=$?
  t1=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ]; then
      echo "FAILED: $name did not finish within $limit s" >&2
    else
      echo "FAILED: $name exited with status $rc" >&2
    fi
    sed 's/^/  /' "$tmp/err" | head -20 >&2
    failed=1
    return
  fi
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
  echo "  $name run: $secs s" >&2
  if [ -z "${best[$name]-}" ] ||
    awk -v s="$secs" -v b="${best[$name]}" 'BEGIN { exit !(s < b) }'; then
    best[$name]=$secs
  fi
}

tools="mpipool xargs startup"
[ "$have_parallel" -eq 1 ] && tools="mpipool parallel xargs startup"
echo "cli_bench: $ntasks 'true' commands, 2 at a time, best of $repeat" >&2
for r in $(seq 1 "$repeat"); do
  for t in $tools; do
    measure "$t"
  done
done

# The table.
rate() { awk -v n="$ntasks" -v s="$1" 'BEGIN { printf "%.1f", n / s }'; }
# ratio T: mpipool's throughput over tool T's (= T's time / mpipool's).
ratio() {
  awk -v m="${best[mpipool]}" -v t="${best[$1]}" 'BEGIN { printf "%.2f", t / m }'
}
label() {
  case $1 in
    mpipool) echo "mpipool -j 2" ;;
    parallel) echo "GNU parallel -j2" ;;
    xargs) echo "xargs -P2" ;;
  esac
}

echo
printf '%-18s %10s %12s %14s\n' tool "seconds" "commands/s" "mpipool/tool"
for t in mpipool parallel xargs; do
  if [ "$t" = parallel ] && [ "$have_parallel" -eq 0 ]; then
    printf '%-18s %s\n' "$(label $t)" \
      "skipped: not installed (apt-get install -y parallel)"
    continue
  fi
  if [ -z "${best[$t]-}" ]; then
    printf '%-18s %s\n' "$(label $t)" "no successful run"
    continue
  fi
  r=-
  [ "$t" != mpipool ] && [ -n "${best[mpipool]-}" ] && r=$(ratio "$t")
  printf '%-18s %10s %12s %14s\n' "$(label $t)" "${best[$t]}" \
    "$(rate "${best[$t]}")" "$r"
done

# The targets: reported, never asserted.
target() { # target TEXT TOOL FACTOR
  local r
  if [ "$2" = parallel ] && [ "$have_parallel" -eq 0 ]; then
    echo "target: $1: skipped (GNU parallel not installed)"
  elif [ -z "${best[mpipool]-}" ] || [ -z "${best[$2]-}" ]; then
    echo "target: $1: not measured (a run failed)"
  else
    r=$(ratio "$2")
    if awk -v r="$r" -v f="$3" 'BEGIN { exit !(r >= f) }'; then
      echo "target: $1: $r (met)"
    else
      echo "target: $1: $r (NOT met)"
    fi
  fi
}
if [ -n "${best[startup]-}" ] && [ -n "${best[mpipool]-}" ]; then
  echo
  awk -v s="${best[startup]}" -v m="${best[mpipool]}" -v n="$ntasks" \
    -v x="${best[xargs]-0}" 'BEGIN {
      printf "mpipool start-up (MPI init, spawn of 2 workers, 1 task): %.3f s\n", s
      if (m > s) {
        printf "mpipool after start-up: %.1f commands/s", (n - 1) / (m - s)
        if (x > 0) printf " (%.2fx xargs -P2)", x / (m - s)
        printf "\n"
      }
    }'
fi
echo
target "mpipool >= 4x GNU parallel" parallel 4
target "mpipool >= xargs -P2" xargs 1

if [ "$failed" -ne 0 ]; then
  echo "cli_bench: a run failed" >&2
  exit 1
fi
exit 0
