#!/bin/sh
# fuzz/run.sh [SECONDS] - fuzzes the mpipool program's parsers of
# untrusted files with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer: the joblog reader (joblog_fuzz.c), the
# task-file and argument-file readers (tasklist_fuzz.c) and the --colsep
# splitter (colsep_fuzz.c).  Builds each
# target with clang directly (no autotools), then runs it for SECONDS
# (default 60) from its seed corpus, fuzz/corpus/NAME/, which it never
# writes: new inputs go to $FUZZ_BUILD/corpus/NAME, an input that crashes,
# leaks, hangs or exhausts memory to $FUZZ_BUILD/NAME-{crash,leak,...}-*.
# Exits non-zero on any of these or a build failure.
# FUZZ_BUILD: where to build (default _build/fuzz); CC: the compiler
# (default clang).
set -eu
secs=${1:-60}
case $secs in '' | *[!0-9]*)
  echo "usage: fuzz/run.sh [SECONDS]" >&2
  exit 2
  ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD:-$top/_build/fuzz}
cc=${CC:-clang}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cflags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
  -I$top/src -Wall -Wextra -Werror
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
cli=$top/src/cli
targets="joblog tasklist colsep"
n=0
for t in $targets; do
  # What each target links of the program: the pure modules it needs.
  case $t in
  joblog) set -- "$cli/joblog.c" "$cli/done.c" "$cli/tasklist.c" "$cli/colsep.c" \
    "$cli/template.c" "$cli/sources.c" ;;
  tasklist) set -- "$cli/tasklist.c" "$cli/colsep.c" "$cli/template.c" "$cli/sources.c" ;;
  colsep) set -- "$cli/colsep.c" ;;
  esac
  echo "fuzz: building ${t}_fuzz"
  # shellcheck disable=SC2086
  $cc $cflags -o "$out/${t}_fuzz" "$top/fuzz/${t}_fuzz.c" "$@" \
    "$cli/lines.c" "$cli/alloc.c" "$cli/fmt.c" "$cli/tempfile.c"
done
for t in $targets; do
  mkdir -p "$out/corpus/$t"
  dict=
  [ -f "$top/fuzz/$t.dict" ] && dict="-dict=$top/fuzz/$t.dict"
  echo "fuzz: running ${t}_fuzz for ${secs} s"
  # -max_len: joblog lines and task lines of a few hundred bytes are what
  # the parsers see; longer inputs only slow the search down.
  rm -f "$out/$t-"*
  rc=0
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1 "$out/${t}_fuzz" -max_total_time="$secs" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$t-" $dict \
    "$out/corpus/$t" "$top/fuzz/corpus/$t" 2>"$out/$t.log" || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -40 "$out/$t.log" >&2
    # What libFuzzer found: NAME-crash-*, -leak-*, -timeout-*, -oom-*.
    found=$(ls "$out/$t-"* 2>/dev/null || true)
    echo "fuzz: ${t}_fuzz failed (exit $rc); input: ${found:-none saved}" >&2
    exit 1
  fi
  grep -E '^stat::|^#[0-9]+[[:space:]]+DONE' "$out/$t.log" | sed "s/^/fuzz: $t: /"
  n=$((n + 1))
done
echo "fuzz: $n targets, no crash in $secs s each"
