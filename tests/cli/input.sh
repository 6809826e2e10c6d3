#!/bin/sh
# input.sh - GNU parallel's input language in the mpipool program: the
# same command lines given to GNU parallel and to mpipool (-k) must print
# the same (input sources :::, ::::, :::+, ::::+, several -a, their
# product; replacement strings {} {.} {/} {//} {/.} {#} {n} {n.}...);
# --dry-run prints the commands; the joblog holds each command as run and
# --resume works on sources; each mistake (a replacement string that names
# no source, {%}, a source that cannot be read, an empty product) is said,
# exit 255, nothing run.
. "$(dirname "$0")/lib.sh"
exp=$srcdir/tests/cli/expected/input

printf 'p.txt\nq r.tar.gz\n' >files
printf '1\n2\n3\n' >nums
printf 'x\ny\n' >xy

# same ARGS...: GNU parallel -k and mpipool -k print the same for ARGS.
forms=0 same=0
same() {
  forms=$((forms + 1))
  parallel --will-cite -k "$@" >par.out 2>par.err
  run "$MPIPOOL" -k --quiet "$@"
  if [ "$rc" -eq 0 ] && cmp -s par.out out; then
    same=$((same + 1))
    pass "as GNU parallel: $*"
  else
    fail "as GNU parallel: $* (exit $rc)" par.out out err
  fi
}
if ! command -v parallel >/dev/null; then
  echo "ok 1 # SKIP GNU parallel is not installed: nothing to compare with"
  n=1
else
  same echo ::: a b c
  same echo ::: a b ::: 1 2 3
  same echo {2}-{1} ::: a b ::: 1 2 3
  same echo ::: a b c :::+ 1 2 3
  same echo {1}/{2} ::: a b c :::+ 1 2
  same echo :::: nums ::: a b
  same echo {1}{2}{3} :::: nums xy ::::+ nums
  same -a xy -a nums echo {2} {1}
  same echo {} {.} {/} {//} {/.} {#} :::: files
  same echo x{.}x x{/}x x{//}x x{/.}x ::: .bashrc a. a.b/c /a a/b/ / . .. 'd/.h' //x a//b x.y/
  same echo {1.} {2/} {2//} {2/.} ::: a.x ::: /p/q.r.s
  same echo {#} {} ::: "it's" 'a  b' '$HOME' '*' ''
  same 'echo "[{}]"; echo {}' ::: 'two words'
  same ::: 'echo a' 'echo b; echo c'
  same printf '%s\n' ::: 'no {} here'
  same echo '${HOME}x{1}' ::: y
  same sh -c 'echo $0 $1' {1} {2} ::: a ::: b
  echo "# $forms command lines given to GNU parallel and to mpipool: $same printed the same"
fi

# The same through mpirun: the master reads the sources.
run "$MPIRUN" -n 2 "$MPIPOOL" -k --quiet echo {2}{1} ::: a b :::+ 1 2
check "mpirun -n 2: sources and replacement strings" \
  sh -c '[ "$0" -eq 0 ] && [ "$(tr "\n" " " <out)" = "1a 2b " ]' $rc

# --dry-run: the commands, nothing run (no joblog), under mpirun too.
run "$MPIPOOL" --dry-run --joblog dry.log touch {}.made ::: 'a b' c
check "--dry-run: the commands as they would run" \
  sh -c '[ "$0" -eq 0 ] && cmp -s "$1/dry.out" out && [ ! -e dry.log ] && [ ! -e c.made ]' $rc "$exp"
run env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 3 "$MPIPOOL" --dry-run touch {}.made ::: 'a b' c
check "mpirun -n 3 --dry-run: printed once, nothing run" \
  sh -c '[ "$0" -eq 0 ] && cmp -s "$1/dry.out" out && [ ! -e c.made ]' $rc "$exp"
printf 'echo one\n# c\necho two\n' >tasks.txt
run "$MPIPOOL" --dry-run tasks.txt
check "--dry-run of a task file: its commands" \
  sh -c '[ "$0" -eq 0 ] && [ "$(cat out)" = "$(printf "echo one\necho two")" ]' $rc

# The joblog holds each command as run; --resume on the sources.
run "$MPIPOOL" --joblog j.log 'echo {1}{2} >>ledger; [ {2} != 2 ]' ::: a b ::: 1 2
for t in a1 a2 b1 b2; do
  echo "echo '${t%?}''${t#?}' >>ledger; [ '${t#?}' != 2 ]"
done >j.want
tail -n +2 j.log | sort -n | cut -f9 >j.got
check "sources: the joblog holds the commands as run" \
  sh -c '[ "$0" -eq 2 ] && cmp -s j.want j.got' $rc
run "$MPIPOOL" --joblog j.log --resume-failed 'echo {1}{2} >>ledger; [ {2} != 2 ]' ::: a b ::: 1 2
check "sources, --resume-failed: only the two failed run again" \
  sh -c '[ "$0" -eq 2 ] && [ "$(sort ledger | tr "\n" " ")" = "a1 a2 a2 b1 b2 b2 " ]' $rc
run "$MPIPOOL" --joblog j.log --resume 'echo {1} >>ledger' ::: a b ::: 1 2
check "sources, another command: the joblog is refused" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: j.log:2: task [1-4] is .* in the joblog but .* in the task list" err' $rc

# Mistakes: said, exit 255, nothing run.
: >empty
printf 'a\n\0\n' >nul
bad() { # bad NAME EXPECTED-MESSAGE ARGS...
  name=$1 want=$2; shift 2
  rm -f ran
  run "$MPIPOOL" "$@"
  if [ "$rc" -eq 255 ] && [ "$(grep '^mpipool: ' err | head -1)" = "mpipool: $want" ] && [ ! -e ran ]; then
    pass "bad input: $name"
  else
    fail "bad input: $name (exit $rc)" err
  fi
}
bad "{3} of two sources" "the replacement string {3} names input source 3, but there are 2" \
  touch ran {3} ::: a ::: b
bad "{0}" "the replacement string {0} names no input source (they are numbered from 1)" \
  touch ran {0} ::: a
bad "{%}" "the replacement string {%} (the job slot) is not supported by mpipool: MPIPOOL_WORKER names the worker a task runs on" \
  touch ran {%} ::: a
bad "an empty ::: source" "input source 2 (:::) has no arguments: no task" \
  touch ran ::: a :::
bad "an empty :::: file" "input source 1 (empty) has no arguments: no task" \
  touch ran :::: empty ::: a
bad "an unreadable :::: file" "cannot read input source 'nope': No such file or directory" \
  touch ran :::: nope ::: a
bad "the only :::: file unreadable" "cannot read argument file 'nope': No such file or directory" \
  touch ran :::: nope
bad ":::: with no file" ":::: needs a file name" touch ran ::::
bad ":::+ first" ":::+ links the first input source to none before it" touch ran :::+ a
bad "a NUL byte in a :::: file" "nul:2: line holds a NUL byte" touch ran :::: nul ::: a
bad "the joblog is a :::: file" "the joblog 'nums' is the input file 'nums' itself: writing the joblog would destroy it" \
  --joblog nums touch ran :::: nums ::: a
check "the joblog is a :::: file: the file kept" \
  sh -c '[ "$(cat nums | tr "\n" " ")" = "1 2 3 " ]' 
finish
