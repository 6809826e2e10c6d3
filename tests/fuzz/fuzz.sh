#!/bin/sh
# fuzz.sh - a short fuzzing run (fuzz/run.sh 20: each target 20 s) of the
# program's joblog and task-file parsers, with clang's libFuzzer, ASan and
# UBSan.  Skipped, and said so, when clang cannot build a libFuzzer target
# (apt-get install clang libclang-rt-14-dev; .ci/setup installs them).
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
secs=${MPIPOOL_FUZZ_SECONDS:-20}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n%s\n' \
  '{ (void)d; (void)n; return 0; }' >"$tmp/probe.c"
if ! command -v "${CC_FUZZ:-clang}" >/dev/null 2>&1 ||
  ! "${CC_FUZZ:-clang}" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" \
    "$tmp/probe.c" >/dev/null 2>&1; then
  echo "# clang with libFuzzer is not installed: the parsers are NOT fuzzed"
  echo "ok 1 - # SKIP no clang with libFuzzer (apt-get install clang libclang-rt-14-dev)"
  echo "1..1"
  exit 0
fi
if CC=${CC_FUZZ:-clang} FUZZ_BUILD="$builddir/fuzz-build" sh "$srcdir/fuzz/run.sh" \
  "$secs" >"$tmp/log" 2>&1; then
  sed 's/^/# /' "$tmp/log"
  echo "ok 1 - fuzz/run.sh $secs: $(tail -1 "$tmp/log" | sed 's/^fuzz: //')"
else
  tail -60 "$tmp/log" | sed 's/^/# /'
  echo "not ok 1 - fuzz/run.sh $secs: a crash, or a target that did not build"
  echo "1..1"
  exit 1
fi
echo "1..1"
