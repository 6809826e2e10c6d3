#!/bin/bash
# outstanding.sh - whether apply_async's rate depends on how many tasks are
# submitted before the first result is asked for: TASKS, 10x and 100x
# TASKS empty tasks, with 1 and 2 workers, as a singleton (spawned
# workers, reached over TCP) and under mpirun (launcher ranks, shared
# memory), side by side in one run.  Prints each rate and its ratio to
# the rate at TASKS (1.00: independent of the backlog); writes the rows
# to CSV when given.
#
#   bash bench/outstanding.sh [BUILDDIR] [TASKS] [CSV]   (default: . 20000)
set -eu
builddir=${1:-.}
tasks=${2:-20000}
csv=${3:-}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
exe=$builddir/bench/bench_pool
[ -x "$exe" ] || { echo "outstanding.sh: $exe not found (give the build dir)" >&2; exit 2; }

rate() { # rate MODE WORKERS N -> tasks/s
  local cmd=("$exe")
  [ "$1" = mpirun ] && cmd=(mpirun -n $(($2 + 1)) "$exe")
  timeout 600 "${cmd[@]}" --workers "$2" --tasks "$3" --only apply_async |
    sed -n 's/^mpipool apply_async .* rate=\([0-9.]*\) .*$/\1/p'
}

printf '%-10s %7s %10s %12s %8s\n' mode workers tasks "tasks/s" "vs first"
[ -n "$csv" ] && echo "mode,workers,tasks,tasks_per_s,ratio" >"$csv"
status=0
for mode in singleton mpirun; do
  for w in 1 2; do
    first=
    for n in "$tasks" $((tasks * 10)) $((tasks * 100)); do
      r=$(rate "$mode" "$w" "$n")
      if [ -z "$r" ]; then
        echo "outstanding.sh: $mode, $w worker(s), $n tasks: no result" >&2
        status=1
        continue
      fi
      first=${first:-$r}
      ratio=$(awk -v a="$r" -v b="$first" 'BEGIN { printf "%.2f", a / b }')
      printf '%-10s %7d %10d %12.0f %8s\n' "$mode" "$w" "$n" "$r" "$ratio"
      [ -n "$csv" ] && echo "$mode,$w,$n,$r,$ratio" >>"$csv"
    done
  done
done
exit $status
