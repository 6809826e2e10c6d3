#!/bin/bash
# run.sh - mpipool against Python's multiprocessing.Pool.
#
#   bash bench/run.sh [--small] [BUILDDIR]
#
# BUILDDIR is the configured and built tree (default: the current
# directory).  Extra options after BUILDDIR (--repeat K, --check) go to
# pool_bench.py.  The table goes to stdout, progress to stderr.
set -eu

small=
if [ "${1-}" = "--small" ]; then
  small=--small
  shift
fi
builddir=.
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  builddir=$1
  shift
fi

# Open MPI: allow running as root, and oversubscribing a small machine
# (mpirun -n W+1 and -n 5 exceed its cores).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/pool_bench.py" --builddir "$builddir" $small "$@"
