#!/bin/bash
# recycle.sh - what maxtasksperchild costs: a map of TASKS tasks of 1 ms
# each (chunksize 1) on 2 workers, with maxtasksperchild 1, 10, 100 and
# unlimited, run side by side; prints each throughput and its ratio to
# unlimited.  Every task of maxtasksperchild 1 costs a process spawn
# (about 0.25 s of Open MPI's time), so that row uses fewer tasks.
#
#   bash bench/recycle.sh [BUILDDIR] [TASKS]      (default: . and 2000)
set -eu
builddir=${1:-.}
tasks=${2:-2000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
exe=$builddir/bench/bench_pool
[ -x "$exe" ] || { echo "recycle.sh: $exe not found (give the build dir)" >&2; exit 2; }

run() { # run MAXTASKS NTASKS -> tasks per second
  timeout 600 mpirun -n 3 "$exe" --workers 2 --only map_chunksize1 \
    --tasks "$2" --sleep-us 1000 --maxtasks "$1" |
    sed -n 's/^mpipool map_chunksize1 .* rate=\([0-9.]*\) .*$/\1/p'
}

base=$(run 0 "$tasks")
printf '%-18s %8s %12s %10s\n' maxtasksperchild tasks tasks/s ratio
printf '%-18s %8s %12.1f %10.3f\n' unlimited "$tasks" "$base" 1
for m in 100 10 1; do
  n=$tasks
  [ "$m" -eq 1 ] && n=$((tasks / 10))
  r=$(run "$m" "$n")
  if [ -z "$r" ]; then
    printf '%-18s %8s %12s %10s\n' "$m" "$n" FAILED -
  else
    printf '%-18s %8s %12.1f %10.3f\n' "$m" "$n" "$r" \
      "$(echo "$r $base" | awk '{print $1 / $2}')"
  fi
done
