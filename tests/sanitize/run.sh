#!/bin/bash
# run.sh - the test suite on a build with AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer (configure
# --enable-sanitizers), in _asan/ beside the source.  Every process the
# suite starts (tests, mpipool, the workers they spawn) writes what a
# sanitizer finds to a file of its own in _asan/sanitizer-logs/ (a report
# on stderr could be lost, and a worker's exit status may not reach the
# test); the run fails if any such file holds a report, or if a test
# fails.  Open MPI's own leaks are suppressed (tests/sanitize/lsan.supp).
# Ends with "sanitize: N passed, N failed".
#
#   bash tests/sanitize/run.sh [TESTS...]   (default: the whole suite)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/_asan
logs=$build/sanitizer-logs
mkdir -p "$build"
cd "$build" || exit 2
if [ ! -f Makefile ]; then
  "$src/configure" --enable-sanitizers >configure.out 2>&1 ||
    { cat configure.out; echo "sanitize: 0 passed, 1 failed"; exit 1; }
fi
make -j2 >make.out 2>&1 ||
  { tail -30 make.out; echo "sanitize: 0 passed, 1 failed"; exit 1; }
rm -rf "$logs" && mkdir -p "$logs"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI unloads its components at finalize; kept loaded, the stacks of
# what they allocated name them, and the suppressions can tell them apart.
export OMPI_MCA_mca_base_component_disable_dlclose=1
common="fast_unwind_on_malloc=0:malloc_context_size=40"
# intercept_tls_get_addr=0: LeakSanitizer does not scan the dynamic TLS
# blocks it learns of through __tls_get_addr (static TLS still is).  Its
# tracer crashed scanning one at exit ("Tracer caught signal 11",
# addr=0x3ad8 in ScanRangeForPointers, exit 1), in 8 program runs of
# tests/cli/cli.sh; with it, none.
export ASAN_OPTIONS="$common:log_path=$logs/asan:detect_leaks=1:intercept_tls_get_addr=0"
export LSAN_OPTIONS="$common:suppressions=$src/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/ubsan"
# Tests whose figures a sanitizer distorts (resident memory) know it.
export MPIPOOL_SANITIZED=1
# Everything runs slower: the tests' own time limits grow with it.
export MPIPOOL_TEST_TIMEOUT=${MPIPOOL_TEST_TIMEOUT:-300}
# The MPI tests run as a singleton and under mpirun -n 1, 2 and 4, not 8:
# 8 sanitized processes on CI's 2 cores test no memory use that 4 do not,
# and made this stage most of CI's time (CI once took 74 of its 90
# minutes).
export MPIPOOL_TEST_NPS=${MPIPOOL_TEST_NPS:-1 2 4}
# The stress of recycling (tests/stress/recycle.sh) counts hangs in the
# plain stage; here one run per program and mode checks its memory (3
# runs took 1120 s of this stage, one run 236 s).
export MPIPOOL_STRESS_RUNS=${MPIPOOL_STRESS_RUNS:-1}

if [ $# -gt 0 ]; then
  make check TESTS="$*" >check.out 2>&1
else
  make -j2 check >check.out 2>&1
fi
check_rc=$?
grep -E '^(FAIL|ERROR|XPASS)' check.out | head -50
sh "$src/tests/failed.sh" .
sed -n '/^# TOTAL/,/^# ERROR/p' check.out

pass=$(sed -n 's/^# PASS: *//p' check.out)
fail=$(sed -n 's/^# FAIL: *//p' check.out)
err=$(sed -n 's/^# ERROR: *//p' check.out)
pass=${pass:-0} fail=$((${fail:-0} + ${err:-0}))
[ "$check_rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1

# Each report is one failure, shown with the first frames of its stacks.
# A file without one holds only the sanitizer's notes (LeakSanitizer in a
# forked child that calls exit(): "Running thread N was not suspended",
# the parent's threads are not the child's): shown, not counted.
nreports=0
for f in "$logs"/*; do
  [ -s "$f" ] || continue
  if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$f"; then
    nreports=$((nreports + 1))
    echo "=== sanitizer report $f"
    grep -E 'ERROR|SUMMARY|runtime error|^ *#[0-9]+ ' "$f" | head -40
  else
    echo "# sanitizer note $f: $(head -c 200 "$f" | tr '\n' ' ')"
  fi
done
if [ "$nreports" -eq 0 ]; then
  echo "ok - no sanitizer report from any process"
  pass=$((pass + 1))
else
  echo "not ok - $nreports sanitizer reports"
  fail=$((fail + nreports))
fi
echo "sanitize: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
