#!/bin/sh
# format.sh - the C sources follow .clang-format (clang-format 14, as on
# Debian 12; .ci/setup installs it).  Each file that clang-format would
# change fails, with the first lines it would change.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
if ! command -v clang-format >/dev/null 2>&1; then
  echo "ok 1 - # SKIP clang-format is not installed (apt-get install clang-format)"
  echo "1..1"
  exit 0
fi
cd "$srcdir" || exit 99
if [ -e .git ] && command -v git >/dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else
  files=$(find src include tests examples bench -name '*.[ch]' | sort)
fi
n=0 fails=0
for f in $files; do
  n=$((n + 1))
  if out=$(clang-format --dry-run --Werror "$f" 2>&1) && [ -z "$out" ]; then
    echo "ok $n - $f follows .clang-format"
  else
    fails=$((fails + 1))
    echo "not ok $n - $f follows .clang-format (run: clang-format -i $f)"
    printf '%s\n' "$out" | head -6 | sed 's/^/# /'
  fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
