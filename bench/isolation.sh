#!/bin/bash
# isolation.sh - what isolation (mpipool_set_isolation) costs per task:
# the same empty tasks with and without it, side by side in one run, as a
# singleton with 2 workers: a map of ITEMS ints in default chunks, TASKS
# apply_async calls, and a map of TASKS ints in chunks of 1.  Prints each
# rate, the microseconds per task and the ratio isolated / not.
#
#   bash bench/isolation.sh [BUILDDIR] [ITEMS] [TASKS]   (default: . 200000 20000)
set -eu
builddir=${1:-.}
items=${2:-200000}
tasks=${3:-20000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exe=$builddir/bench/bench_pool
[ -x "$exe" ] || { echo "isolation.sh: $exe not found (give the build dir)" >&2; exit 2; }

run() { # run ISOLATION -> "workload rate" lines
  timeout 600 "$exe" --workers 2 --items "$items" --tasks "$tasks" \
    --isolation "$1" | sed -n 's/^mpipool \([a-z_0-9]*\) .* rate=\([0-9.]*\) .*$/\1 \2/p' |
    grep -v '^\(startup\|first_result\) '
}
plain=$(run 0)
isolated=$(run 1)
printf '%-16s %14s %14s %10s %10s %8s\n' workload "tasks/s" "isolated" "us/task" "isolated" ratio
join <(echo "$plain" | sort) <(echo "$isolated" | sort) |
  awk '{ printf "%-16s %14.0f %14.0f %10.2f %10.2f %8.3f\n", $1, $2, $3, 1e6 / $2, 1e6 / $3, $3 / $2 }'
[ -n "$plain" ] && [ -n "$isolated" ]
