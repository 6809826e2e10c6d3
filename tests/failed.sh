#!/bin/sh
# failed.sh DIR - what a suite's failed checks printed: for each test log
# under DIR/tests that holds a "not ok" or "Bail out", its failed checks
# with the lines around them (a check's out and err follow its "not ok").
for f in $(grep -lE '^(not ok|Bail out)' "$1"/tests/*/*.log 2>/dev/null); do
  echo "=== $f"
  grep -B2 -A70 -E "^(not ok|Bail out)" "$f" | head -120
done
