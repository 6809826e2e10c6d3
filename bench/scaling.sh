#!/bin/bash
# scaling.sh - the master's cost as workers grow, as the backlog grows,
# and what oversubscription costs, in one run:
#  1. empty tasks under mpirun with 1, 2, 4, ... MAXW workers (launcher
#     ranks; past 2 they outnumber this machine's cores): the rate and the
#     master's CPU time per task (getrusage of the master process), for
#     TASKS apply_async calls and a map of TASKS ints in chunks of 1, with
#     the ratio to 1 worker (1.00: flat);
#  2. apply_async of TASKS, 10x and 100x TASKS empty tasks submitted before
#     the first result is asked for, 1 and 2 workers, as a singleton
#     (spawned workers, reached over TCP) and under mpirun (shared
#     memory): the rate and its ratio to the rate at TASKS (1.00: the
#     backlog costs nothing), and what the master held per task
#     outstanding (its peak resident memory over the run less what it
#     held before, over the tasks: bench_pool's apply_async_memory);
#  3. CPU-bound tasks (SPIN_TASKS of 10 ms of CPU each) on 2 workers and on
#     7 (8 processes on 2 cores), as a singleton and under mpirun: the
#     seconds and the ratio 7 / 2 (the target: within 1.10);
#  4. bandwidth: a map whose results are 10 MiB each on 2 workers, as a
#     singleton and under mpirun, beside memcpy into warm memory and into
#     fresh pages (mapped for the copy: what landing a result costs);
#  5. the engine alone at 10, 1,000, 100,000 and 1,000,000 workers (up to
#     SIMMAX): bench_sim runs the master's engine on simulated workers in
#     one process, no MPI (bench/sim): messages per second of engine time,
#     microseconds per task and the engine's bytes per worker.
# Rows also go to CSV when given, and a chart of them to CSV's name with
# .png (bench/chart.sh; needs gnuplot).
#
#   bash bench/scaling.sh [BUILDDIR] [TASKS] [MAXW] [SPIN_TASKS] [CSV] [SIMMAX]
#   (default: . 20000 64 400 "" 1000000; TASKS is the size of parts 1 and 2)
set -eu
builddir=${1:-.}
tasks=${2:-20000}
maxw=${3:-64}
spin_tasks=${4:-400}
csv=${5:-}
simmax=${6:-1000000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
exe=$builddir/bench/bench_pool
[ -x "$exe" ] || { echo "scaling.sh: $exe not found (give the build dir)" >&2; exit 2; }
[ -n "$csv" ] && echo "part,mode,workers,workload,tasks,seconds,tasks_per_s,master_cpu_us_per_task,ratio" >"$csv"
status=0

# ratio A B -> A / B with 2 decimals (0 when B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# run_raw MODE WORKERS ARGS... -> bench_pool's output
run_raw() {
  local mode=$1 w=$2
  shift 2
  local cmd=("$exe")
  [ "$mode" = mpirun ] && cmd=(mpirun -n $((w + 1)) "$exe")
  timeout 900 "${cmd[@]}" --workers "$w" "$@" || true
}

# run MODE WORKERS ARGS... -> "workload seconds rate cpu" lines
run() {
  run_raw "$@" |
    sed -n 's/^mpipool \([a-z_0-9]*\) .* seconds=\([0-9.]*\) rate=\([0-9.]*\) master_cpu_us_per_task=\([0-9.]*\)$/\1 \2 \3 \4/p' |
    grep -v '^\(startup\|first_result\) ' || true
}

echo "1. empty tasks, mpirun: the master's CPU per task as workers grow"
printf '%8s %-16s %12s %14s %8s\n' workers workload "tasks/s" "master us/task" "vs 1"
declare -A base
w=1
while [ "$w" -le "$maxw" ]; do
  out=$(run mpirun "$w" --tasks "$tasks" --only apply_async,map_chunksize1)
  [ -z "$out" ] && { echo "scaling.sh: $w workers: no result" >&2; status=1; }
  while read -r name secs r cpu; do
    [ -z "$name" ] && continue
    base[$name]=${base[$name]:-$cpu}
    r1=$(ratio "$cpu" "${base[$name]}")
    printf '%8d %-16s %12.0f %14.3f %8s\n' "$w" "$name" "$r" "$cpu" "$r1"
    [ -n "$csv" ] && echo "empty,mpirun,$w,$name,$tasks,$secs,$r,$cpu,$r1" >>"$csv"
  done <<<"$out"
  w=$((w * 2))
done

echo
echo "2. apply_async with 1x, 10x and 100x $tasks tasks submitted at once"
printf '%-10s %8s %10s %12s %8s %8s\n' mode workers tasks "tasks/s" "vs 1x" "B/task"
for mode in singleton mpirun; do
  for w in 1 2; do
    first=
    for n in "$tasks" $((tasks * 10)) $((tasks * 100)); do
      out=$(run_raw "$mode" "$w" --tasks "$n" --only apply_async)
      r=$(sed -n 's/^mpipool apply_async .* rate=\([0-9.]*\) .*/\1/p' <<<"$out")
      mem=$(sed -n 's/^mpipool apply_async_memory .* bytes_per_task=\([0-9]*\)$/\1/p' <<<"$out")
      if [ -z "$r" ]; then
        echo "scaling.sh: $mode, $w worker(s), $n tasks: no result" >&2
        status=1
        continue
      fi
      first=${first:-$r}
      printf '%-10s %8d %10d %12.0f %8s %8s\n' "$mode" "$w" "$n" "$r" "$(ratio "$r" "$first")" "${mem:--}"
      [ -n "$csv" ] && echo "backlog,$mode,$w,apply_async,$n,,$r,,$(ratio "$r" "$first")" >>"$csv"
    done
  done
done

echo
echo "3. CPU-bound tasks of 10 ms, 2 workers and 7 (8 processes on 2 cores)"
printf '%-10s %8s %10s %8s\n' mode workers seconds "7 / 2"
for mode in singleton mpirun; do
  two=
  for w in 2 7; do
    secs=$(run "$mode" "$w" --tasks "$spin_tasks" --spin-us 10000 --only map_chunksize1 | awk '{ print $2 }')
    if [ -z "$secs" ]; then
      echo "scaling.sh: $mode, $w workers: no result" >&2
      status=1
      continue
    fi
    two=${two:-$secs}
    printf '%-10s %8d %10.3f %8s\n' "$mode" "$w" "$secs" "$(ratio "$secs" "$two")"
    [ -n "$csv" ] && echo "spin,$mode,$w,map_chunksize1,$spin_tasks,$secs,,,$(ratio "$secs" "$two")" >>"$csv"
  done
done

echo
echo "4. results of 10 MiB each, 2 workers: bytes/s beside memcpy's"
printf '%-10s %10s %12s %12s %8s %8s\n' mode "MB/s" "memcpy warm" "fresh" "/warm" "/fresh"
for mode in singleton mpirun; do
  cmd=("$exe")
  [ "$mode" = mpirun ] && cmd=(mpirun -n 3 "$exe")
  line=$(timeout 300 "${cmd[@]}" --workers 2 --only map_bytes | grep '^mpipool map_bytes_bandwidth' || true)
  if [ -z "$line" ]; then
    echo "scaling.sh: $mode, map_bytes: no result" >&2
    status=1
    continue
  fi
  set -- $(echo "$line" | sed 's/[a-z_]*=//g')
  printf '%-10s %10.0f %12.0f %12.0f %8s %8s\n' "$mode" "$(($3 / 1000000))" "$(($4 / 1000000))" "$(($5 / 1000000))" "$6" "$7"
  [ -n "$csv" ] && echo "bandwidth,$mode,2,map_bytes,16,,$3,,$7" >>"$csv"
done

echo
echo "5. the engine alone, simulated workers (bench_sim, no MPI)"
counts=$(for n in 10 1000 100000 1000000; do if [ "$n" -le "$simmax" ]; then echo "$n"; fi; done)
if ! "$builddir/bench/bench_sim" ${csv:+--csv "$csv.sim"} $counts; then
  echo "scaling.sh: bench_sim failed or gave wrong results" >&2
  status=1
fi
[ -n "$csv" ] && tail -n +2 "$csv.sim" |
  awk -F, '{ printf "sim,%s,%s,%s,%s,%s,%s,%s,\n", "engine", $1, $2, $3, $5, $3 / $5, $7 }' >>"$csv" &&
  rm -f "$csv.sim"

if [ -n "$csv" ] && command -v gnuplot >/dev/null; then
  bash "$(dirname "$0")/chart.sh" "$csv" || status=1
fi
exit $status
