#!/bin/sh
# report.sh - the picture of a run: mpipool --report (with --joblog and
# without), mpipool-report on mpipool's and GNU parallel's joblogs, on an
# empty one, on bad inputs (message and exit status, no page), and the
# pages loaded in a real headless browser (Debian's chromium; those
# checks SKIP when it is not installed): one rect.task per joblog line,
# and a screenshot, tests/cli/report.png in the build tree.  $CHROMIUM
# names the browser (default chromium).
. "$(dirname "$0")/lib.sh"
REPORT=$builddir/mpipool-report
SHOT=$builddir/tests/cli/report.png
# bars FILE: the number of task bars in FILE.
bars() { grep -o '<rect class="task' "$1" | wc -l; }
# lines JOBLOG: its task lines (the header left out).
lines() { grep -vc '^Seq	Host	' "$1"; }

cat >tasks.txt <<'T'
sleep 0.3
exit 3
echo "<b>&amp;" ; sleep 0.2
sleep 0.1; exit 3
kill -9 $$
sleep 0.2
true
sleep 0.1
T

# (a) mpipool --report, with --joblog, after a run where tasks fail.
run "$MPIPOOL" -j 2 --joblog j.log --report r.html tasks.txt
check "mpipool --joblog --report: the run's status counts its 3 failed tasks (status $rc)" \
  [ "$rc" -eq 3 ]
check "the report is written" [ -s r.html ]
check "one bar per task of the joblog ($(bars r.html) bars, $(lines j.log) lines)" \
  [ "$(bars r.html)" -eq 8 ]
check "the joblog has the 8 tasks" [ "$(lines j.log)" -eq 8 ]
check "2 bars of a non-zero exit status, 1 of a signal" \
  [ "$(grep -c '<rect class="task exit"' r.html)/$(grep -c '<rect class="task sig"' r.html)" = 2/1 ]
check "a command's special characters are escaped" \
  grep -q 'echo &quot;&lt;b&gt;&amp;amp;&quot;' r.html

# -j 2: the utilisation never shows more than 2 tasks running (the
# joblog rounds each task's start and run time to milliseconds: a task
# may seem to start before the one before it on its slot ended).
for i in $(seq 1 100); do echo "sleep 0.01"; done >short.txt
run "$MPIPOOL" -j 2 --joblog short.log --report short.html short.txt
check "-j 2, 100 tasks of 10 ms: the report's peak is 2 ($(grep -o 'peak [0-9]*' short.html | head -1))" \
  sh -c '[ "$0" -eq 0 ] && grep -q "peak 2<" short.html' $rc

# Without --joblog: a temporary joblog, removed after.
mkdir t
TMPDIR=$tmp/t run "$MPIPOOL" -j 2 --report r2.html tasks.txt
check "mpipool --report without --joblog: the page has every task ($(bars r2.html) bars, status $rc)" \
  [ "$rc/$(bars r2.html)" = 3/8 ]
# (Open MPI's session directory, ompi.*, may outlive the run for a moment:
# its daemon removes it as it ends.)
check "no temporary joblog is left behind" [ -z "$(ls t | grep '^mpipool-')" ]

run "$MPIPOOL" -j 2 --report nodir/r.html tasks.txt
check "a report that cannot be written: said, status 255 (status $rc)" \
  sh -c '[ "$0" -eq 255 ] && grep -q "mpipool: --report: cannot write .nodir/r.html." err' $rc
run "$MPIPOOL" --joblog j.log --report j.log tasks.txt
check "--report naming the joblog is refused (status $rc)" \
  sh -c '[ "$0" -eq 255 ] && grep -q "is the joblog" err' $rc

# (b) a GNU parallel joblog.
if command -v parallel >/dev/null 2>&1; then
  parallel --will-cite -j 2 --joblog pj.log ::: 'sleep 0.2' 'exit 3' \
    'kill -9 $$' 'sleep 0.1' 'true' >/dev/null 2>&1
  run "$REPORT" pj.log
  check "mpipool-report on GNU parallel's joblog: JOBLOG.html, one bar per line ($(bars pj.log.html))" \
    sh -c '[ "$0" -eq 0 ] && [ "$(grep -o "<rect class=\"task" pj.log.html | wc -l)" -eq 5 ]' $rc
  run "$REPORT" -o - pj.log
  check "-o -: the page on stdout" sh -c '[ "$0" -eq 0 ] && grep -q "</html>" out' $rc
else
  pass "# SKIP GNU parallel is not installed (apt-get install parallel)"
  pass "# SKIP GNU parallel is not installed"
fi

# An empty joblog: a page saying so.
head -1 j.log >empty.log
run "$REPORT" empty.log -o empty.html
check "a joblog of no tasks: a page saying so, without bars" \
  sh -c '[ "$0" -eq 0 ] && grep -q "No tasks" empty.html && ! grep -q "<rect" empty.html' $rc

# (c) bad inputs: a message naming the file (and line), status 1, no page.
run "$REPORT" missing.log
check "a missing joblog: said, status 1, no page (status $rc)" \
  sh -c '[ "$0" -eq 1 ] && grep -q "cannot read the joblog .missing.log.: No such file" err && [ ! -e missing.log.html ]' $rc
printf 'hello\nworld\n' >notes.txt
run "$REPORT" notes.txt
check "a file that is not a joblog: said with its line, status 1, no page (status $rc)" \
  sh -c '[ "$0" -eq 1 ] && grep -q "notes.txt:1: .*is it a joblog" err && [ ! -e notes.txt.html ] && [ -z "$(ls notes.txt.html.* 2>/dev/null)" ]' $rc
{ head -3 j.log; printf '9\tvm\tnoon\t1\t0\t0\t0\t0\tx\n'; } >badline.log
run "$REPORT" badline.log -o bad.html
check "a bad line: its line and field named, no page (status $rc)" \
  sh -c '[ "$0" -eq 1 ] && grep -q "badline.log:4: Starttime .noon. is not a valid number" err && [ ! -e bad.html ]' $rc
run "$REPORT"
check "no JOBLOG: a usage error, status 2" \
  sh -c '[ "$0" -eq 2 ] && grep -q "no JOBLOG given" err' $rc
run "$REPORT" --help
check "--help" sh -c '[ "$0" -eq 0 ] && grep -q "^Usage: mpipool-report" out' $rc

# A large joblog: 10,000 tasks on 2 hosts of 16 slots.
awk 'BEGIN { print "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand";
  t[0] = 0; srand(1);
  for (i = 1; i <= 10000; i++) {
    s = (i - 1) % 32; r = 0.5 + rand() * 2;
    e = (i % 97 == 0) ? 1 : 0; g = (i % 331 == 0) ? 9 : 0;
    printf "%d\tnode%d\t%.3f\t%.3f\t0\t0\t%d\t%d\tsim --case %d <in%d> & x\n",
      i, s % 2, 1700000000 + t[s], r, g ? -1 : e, g, i, i;
    t[s] += r + 0.01 }
}' >big.log
run "$REPORT" big.log
size=$(wc -c <big.log.html)
check "10,000 tasks: one bar each, a page of $((size / 1024)) KiB" \
  sh -c '[ "$0" -eq 0 ] && [ "$(grep -o "<rect class=\"task" big.log.html | wc -l)" -eq 10000 ] && [ '"$size"' -lt 4000000 ]' $rc

# (d) the pages in a real browser.
CHROMIUM=${CHROMIUM:-chromium}
if command -v "$CHROMIUM" >/dev/null 2>&1; then
  # dom PAGE: the DOM as chromium parsed it, in dom (stderr's noise, dbus
  # and the like, dropped).
  dom() {
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
      --user-data-dir="$tmp/chromium" --dump-dom "file://$tmp/$1" \
      >dom 2>/dev/null
  }
  domtasks() { grep -o '<rect class="task[^"]*"' dom | wc -l; }
  dom r.html
  check "chromium: the page of the mpipool run has one rect.task per joblog line ($(domtasks))" \
    [ "$(domtasks)" -eq "$(lines j.log)" ]
  check "chromium: a command's '<b>' stays text, never an element" \
    sh -c 'grep -q "&lt;b&gt;&amp;amp;" dom && ! grep -q "<b>" dom'
  check "chromium: the timeline, utilisation and histogram are there" \
    sh -c 'grep -q "<svg id=\"timeline\"" dom && grep -q "<svg id=\"utilisation\"" dom && grep -q "<svg id=\"histogram\"" dom'
  dom pj.log.html
  check "chromium: GNU parallel's page, one rect.task per line ($(domtasks))" \
    [ "$(domtasks)" -eq "$(lines pj.log)" ]
  dom empty.html
  check "chromium: the empty page, no rect.task" \
    sh -c '[ "$(grep -c "<rect" dom)" -eq 0 ] && grep -q "No tasks" dom'
  t0=$(date +%s.%N)
  dom big.log.html
  t1=$(date +%s.%N)
  secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
  check "chromium: the 10,000-task page ($((size / 1024)) KiB) loads in $secs s, 10000 rect.task ($(domtasks))" \
    [ "$(domtasks)" -eq 10000 ]
  mkdir -p "$(dirname "$SHOT")"
  rm -f "$SHOT"
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$tmp/chromium" --hide-scrollbars \
    --screenshot="$SHOT" --window-size=1400,900 "file://$tmp/r.html" \
    >/dev/null 2>&1
  check "chromium: a screenshot of the run's page: $SHOT" [ -s "$SHOT" ]
else
  for c in "one rect.task per task" "escaping" "the three pictures" \
    "GNU parallel's page" "the empty page" "the 10,000-task page" \
    "a screenshot"; do
    pass "# SKIP $CHROMIUM is not installed (apt-get install chromium): $c"
  done
fi
finish
