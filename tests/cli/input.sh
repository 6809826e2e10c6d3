#!/bin/sh
# input.sh - GNU parallel's input language in the mpipool program: the
# same command lines given to GNU parallel and to mpipool (-k) must print
# the same (input sources :::, ::::, :::+, ::::+, several -a, their
# product; replacement strings {} {.} {/} {//} {/.} {#} {n} {n.}...);
# --dry-run prints the commands; the joblog holds each command as run and
# --resume works on sources; --colsep splits arguments into columns and
# --header : names them; each mistake (a replacement string that names
# no source, a source that cannot be read, an empty product, a bad
# --colsep, an unknown {name}, a header missing) is said, exit 255,
# nothing run.
. "$(dirname "$0")/lib.sh"
exp=$srcdir/tests/cli/expected/input

printf 'p.txt\nq r.tar.gz\n' >files
printf '1\n2\n3\n' >nums
printf 'x\ny\n' >xy
printf 'a,b,c\nd,e\nf\n' >c.csv
printf '1,2\n3,4\n' >n.csv
printf ' a b , c d ,e\n, x,\n' >s.csv
printf 'p\tq r\ts.t\nu\tv/w.x\n' >t.tsv
printf 'alpha\tbeta\n1\td/f.c\n2 3\te.h\n' >p.tsv
printf 'a,b\n1,2\n3,4\n' >hc.csv
printf 'c\n5\n6\n' >hd.csv

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
  # --colsep: {n} the n-th column, across sources; fewer columns: nothing.
  same --colsep , echo {1}-{2}-{3} :::: c.csv
  same --colsep , -a c.csv echo {3} {1}
  same --colsep , -a c.csv echo
  same --colsep , echo x{1}x x{2}x x{3}x {} :::: s.csv
  same --colsep '\t' echo {2} {1} {3/} {3.} :::: t.tsv
  same --colsep '\t' -a t.tsv echo {} {#}
  same --colsep "$(printf '\t')" echo {3//}+{2} :::: t.tsv
  same --colsep , echo {1}/{2}/{3}/{4} :::: c.csv n.csv
  same --colsep , -a c.csv -a n.csv echo {}
  same --colsep , echo {1}/{2}/{3} ::: a,b c ::: x,y
  same --colsep , echo {1}{2}{3} ::: a,b c,d :::+ 1 2
  same --colsep ';+' echo {2}-{1} ::: 'a;;b' 'c;d'
  same --colsep '[,;]' echo {3} {2} ::: 'a;b,c'
  same --colsep 'x*' echo {1} {2} {3} {4} ::: abc
  same --colsep , echo {1} {2} ::: "it's,\$HOME" '*,a  b'
  # --header :: {name} the column a source's first line (word) names.
  same --header : --colsep , echo {b}-{a} :::: hc.csv
  same --header : --colsep , echo {a}{b}{c} {#} :::: hc.csv hd.csv
  same --header : --colsep '\t' -a p.tsv echo --a {alpha} {beta/} {beta.}
  same --header : echo {alpha}:{beta//} :::: p.tsv
  same --header : echo {x}/{x.} {y/} ::: x a.b c/d ::: y /p/q
  same --header : --colsep , echo {a} {2} {3} :::: hc.csv ::: 7 8
  echo "# $forms command lines given to GNU parallel and to mpipool: $same printed the same"
fi

# The same through mpirun: the master reads the sources.
run "$MPIRUN" -n 2 "$MPIPOOL" -k --quiet echo {2}{1} ::: a b :::+ 1 2
check "mpirun -n 2: sources and replacement strings" \
  sh -c '[ "$0" -eq 0 ] && [ "$(tr "\n" " " <out)" = "1a 2b " ]' $rc
# (--header=: there: mpirun takes a lone ':' as the end of a program.)
run "$MPIRUN" -n 2 "$MPIPOOL" -k --quiet --header=: --colsep , -a hc.csv echo {b}{a}
check "mpirun -n 2: --header=: --colsep" \
  sh -c '[ "$0" -eq 0 ] && [ "$(tr "\n" " " <out)" = "21 43 " ]' $rc

# --dry-run: the commands, nothing run (no joblog), under mpirun too.
run "$MPIPOOL" --dry-run --joblog dry.log touch {}.made ::: 'a b' c
check "--dry-run: the commands as they would run" \
  sh -c '[ "$0" -eq 0 ] && cmp -s "$1/dry.out" out && [ ! -e dry.log ] && [ ! -e c.made ]' $rc "$exp"
run env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 3 "$MPIPOOL" --dry-run touch {}.made ::: 'a b' c
check "mpirun -n 3 --dry-run: printed once, nothing run" \
  sh -c '[ "$0" -eq 0 ] && cmp -s "$1/dry.out" out && [ ! -e c.made ]' $rc "$exp"
run "$MPIPOOL" --dry-run --header : --colsep , touch {b}.{a} {3} :::: hc.csv
check "--dry-run --colsep: the commands, a missing column is nothing" \
  sh -c '[ "$0" -eq 0 ] && [ "$(cat out)" = "$(printf "touch %s.%s \n" "'"'2'"'" "'"'1'"'" "'"'4'"'" "'"'3'"'")" ] && [ ! -e 2.1 ]' $rc
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

# --colsep: the joblog holds the commands as run, as --dry-run shows them.
run "$MPIPOOL" --dry-run --colsep , 'echo {2} >>cledger' :::: c.csv n.csv
cp out cj.want
run "$MPIPOOL" --joblog cj.log --colsep , 'echo {2} >>cledger' :::: c.csv n.csv
tail -n +2 cj.log | sort -n | cut -f9 >cj.got
check "--colsep: the joblog's commands are --dry-run's" \
  sh -c '[ "$0" -eq 0 ] && [ "$(wc -l <cj.want)" -eq 6 ] && cmp -s cj.want cj.got' $rc

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
bad "an unknown {name}" "the replacement string {gamma.} names no column of the input sources' header lines (--header :): they are {a} {b}" \
  --header : --colsep , touch ran {a} {gamma.} :::: hc.csv
bad "an unknown {name}, a single -a" "the replacement string {nope} names no column of the input sources' header lines (--header :): they are {alpha} {beta}" \
  --header : -a p.tsv touch ran {nope}
bad "--colsep without a value" "option '--colsep' needs a value" --colsep
bad "--header other than :" "--header takes ':' (the first line of each input source names its columns), not '1'" \
  --header 1 touch ran ::: a
bad "--header of an empty -a file" "input source 'empty' is empty: it has no header line (--header :)" \
  --header : -a empty touch ran
bad "--header of an empty :::: file" "input source 'empty' is empty: it has no header line (--header :)" \
  --header : touch ran :::: empty ::: a
bad "--colsep over a TASKFILE" "--colsep splits the arguments of input sources (-a, :::, ::::) into columns, not the commands of a TASKFILE" \
  --colsep , tasks.txt
# A bad regexp: named, with libc's reason after it.
for re in 'a(' '[' 'x{2,1}'; do
  rm -f ran
  run "$MPIPOOL" --colsep "$re" touch ran ::: a
  if [ "$rc" -eq 255 ] && grep -qF "mpipool: --colsep '$re' is not a valid (POSIX extended) regular expression: " err && [ ! -e ran ]; then
    pass "bad input: --colsep '$re'"
  else
    fail "bad input: --colsep '$re' (exit $rc)" err
  fi
done
run "$MPIPOOL" --colsep '(' -a c.csv touch ran
check "a bad regexp over a single -a file: refused" \
  sh -c '[ "$0" -eq 255 ] && grep -q "^mpipool: --colsep .(. is not a valid" err && [ ! -e ran ]' $rc
check "the joblog is a :::: file: the file kept" \
  sh -c '[ "$(cat nums | tr "\n" " ")" = "1 2 3 " ]' 
finish
