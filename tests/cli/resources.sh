#!/bin/sh
# resources.sh - what each task gets of its node: its job slot ({%},
# MPIPOOL_SLOT: 1..workers, no two overlapping tasks with the same, also
# with --maxtasksperchild and under mpirun), its cores (--cores-per-task:
# the pool sized to floor(cores/N), each task's CPU list N cores,
# OMP_NUM_THREADS=N) and its GPUs (--gpus-per-task with MPIPOOL_GPUS: each
# task N ids of its own, no GPU in two overlapping tasks); bad values and
# requests no node can meet refused with exit 255, nothing run.
. "$(dirname "$0")/lib.sh"
cores=$(nproc)

# A task that records its slot ({%} and MPIPOOL_SLOT), its GPUs, its CPU
# list and its start and end times (ns) into rec/<n>.
cat >task.sh <<'SH'
s=$(date +%s%N); sleep 0.15; e=$(date +%s%N)
cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
echo "$2 $MPIPOOL_SLOT ${CUDA_VISIBLE_DEVICES:--} $cpus ${OMP_NUM_THREADS:--} $s $e" >"rec/$1"
SH
seq 1 30 >args
# A task that prints its CPU list and its argument.
echo 'echo "$(awk "/^Cpus_allowed_list/ { print \$2 }" /proc/self/status) $1"' >cpus.sh

# slots_ok W: every record's {%} equals MPIPOOL_SLOT, lies in 1..W, and no
# two records overlapping in time share a slot.
slots_ok() {
  cat rec/* >all
  [ "$(wc -l <all)" -eq 30 ] || { echo "# $(wc -l <all) records"; return 1; }
  awk -v w="$1" '
    { slot[NR] = $1; env[NR] = $2; s[NR] = $6; e[NR] = $7 }
    $1 != $2 || $1 < 1 || $1 > w { print "# bad slot: " $0; bad = 1 }
    END {
      for (i = 1; i <= NR; i++)
        for (j = i + 1; j <= NR; j++)
          if (slot[i] == slot[j] && s[i] < e[j] && s[j] < e[i]) {
            print "# slot " slot[i] " in two overlapping tasks"; bad = 1
          }
      exit bad
    }' all
}

# gpus_ok N: each record holds N distinct GPU ids, no id in two records
# overlapping in time.
gpus_ok() {
  cat rec/* >all
  awk -v n="$1" '
    { k = split($3, g, ","); if (k != n) { print "# " k " GPUs: " $0; bad = 1 }
      ids[NR] = $3; s[NR] = $6; e[NR] = $7 }
    END {
      for (i = 1; i <= NR; i++)
        for (j = i + 1; j <= NR; j++) {
          if (!(s[i] < e[j] && s[j] < e[i])) continue
          split(ids[i], a, ","); split(ids[j], b, ",")
          for (x in a) for (y in b) if (a[x] == b[y]) {
            print "# GPU " a[x] " in two overlapping tasks"; bad = 1 }
        }
      exit bad
    }' all
}

slots() { # slots NAME W COMMAND...: runs, then checks the slots
  name=$1 w=$2; shift 2
  rm -rf rec; mkdir rec
  run "$@" -a args sh "$tmp/task.sh" '{#}' '{%}'
  if [ "$rc" -eq 0 ] && slots_ok "$w"; then pass "$name"; else fail "$name (exit $rc)" err all; fi
}
slots "-j 3: slots 1..3, none twice at once" 3 "$MPIPOOL" -j 3
check "-j 3: all three slots used" sh -c '[ "$(cut -d" " -f1 all | sort -u | wc -l)" -eq 3 ]'
slots "-j 3 --maxtasksperchild 2: slots kept by successors" 3 \
  "$MPIPOOL" -j 3 --maxtasksperchild 2
check "--maxtasksperchild 2: all three slots used" sh -c '[ "$(cut -d" " -f1 all | sort -u | wc -l)" -eq 3 ]'
slots "mpirun -n 4: slots 1..3" 3 env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 4 "$MPIPOOL"
slots "mpirun -n 4 --maxtasksperchild 2: slots 1..3" 3 \
  env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 4 "$MPIPOOL" --maxtasksperchild 2
run "$MPIPOOL" --dry-run echo '{%}' ::: a
check "--dry-run: {%} is the shell's \${MPIPOOL_SLOT}" \
  grep -qx "echo \${MPIPOOL_SLOT} 'a'" out
# Inside the command's own single quotes, the slot too.
run "$MPIPOOL" -j 2 -k "printf '[%s]\\n' 'slot {%} of {#}'" ::: a b
check "{%} inside the command's single quotes" \
  grep -qxE "\[slot [12] of 1\]" out
check "... and the second task's" grep -qxE '\[slot [12] of 2\]' out

# --cores-per-task
cpus_of() { cut -d" " -f4 all | sort -u | tr '\n' ' '; }
rm -rf rec; mkdir rec
run "$MPIPOOL" --cores-per-task 1 -a args sh "$tmp/task.sh" '{#}' '{%}'
check "--cores-per-task 1: ran" [ "$rc" -eq 0 ]
check "--cores-per-task 1: slots 1..$cores" slots_ok "$cores"
check "--cores-per-task 1: each task on one CPU" \
  sh -c '! cut -d" " -f4 all | grep -q "[-,]"'
check "--cores-per-task 1: OMP_NUM_THREADS=1" \
  sh -c '[ "$(cut -d" " -f5 all | sort -u)" = 1 ]'
echo "# --cores-per-task 1: task CPU lists: $(cpus_of)"
if [ "$cores" -ge 2 ]; then
  rm -rf rec; mkdir rec
  run "$MPIPOOL" --cores-per-task 2 -a args sh "$tmp/task.sh" '{#}' '{%}'
  check "--cores-per-task 2: ran" [ "$rc" -eq 0 ]
  check "--cores-per-task 2: $((cores / 2)) worker(s): slots 1..$((cores / 2))" \
    slots_ok $((cores / 2))
  check "--cores-per-task 2: OMP_NUM_THREADS=2" \
    sh -c '[ "$(cut -d" " -f5 all | sort -u)" = 2 ]'
  if [ "$cores" -eq 2 ]; then
    check "--cores-per-task 2: every task on both CPUs (0-1)" \
      sh -c '[ "$(cut -d" " -f4 all | sort -u)" = 0-1 ]'
  fi
  echo "# --cores-per-task 2: task CPU lists: $(cpus_of)"
  run env OMP_NUM_THREADS=7 "$MPIPOOL" --cores-per-task 2 'echo $OMP_NUM_THREADS' ::: a
  check "--cores-per-task 2: the user's OMP_NUM_THREADS=7 kept" grep -qx '7 a' out
  run "$MPIPOOL" --print-pool --cores-per-task 2
  check "--print-pool --cores-per-task 2: one per 2 cores" \
    grep -q "workers* on 1 node (one per 2 cores; binding on)" out
  check "--print-pool --cores-per-task 2: each worker on 2 cores" \
    grep -q "^  PoolWorker-[0-9]* pid [0-9]* on .*: cores [0-9]*-[0-9]* (PU .*); slot 1$" out
  run env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 3 "$MPIPOOL" --cores-per-task 2 \
    sh "$tmp/cpus.sh" ::: a b
  check "mpirun -n 3 --cores-per-task 2: ran" [ "$rc" -eq 0 ]
  check "mpirun -n 3 --cores-per-task 2: a surplus rank leaves, said" \
    grep -q "^mpipool: warning: 1 launcher rank(s) leave (ranks 2 to 2): a worker needs 2 cores" err
  if [ "$cores" -eq 2 ]; then
    check "mpirun -n 3 --cores-per-task 2: tasks on both CPUs (0-1)" \
      sh -c '[ "$(grep -c "^0-1 [ab]$" out)" -eq 2 ]'
  fi
  echo "# mpirun -n 3 --cores-per-task 2: $(tr '\n\t' '; ' <out)"
fi

# --gpus-per-task, without GPUs: MPIPOOL_GPUS names them.
rm -rf rec; mkdir rec
run env MPIPOOL_GPUS=0,1,2,3 "$MPIPOOL" --gpus-per-task 2 -j 4 -a args \
  sh "$tmp/task.sh" '{#}' '{%}'
check "--gpus-per-task 2 of 4, -j 4: ran" [ "$rc" -eq 0 ]
check "--gpus-per-task 2 of 4, -j 4: the pool sized to 2, said" \
  grep -q "going on with 2 worker(s) instead of 4: a worker needs 2 GPUs" err
check "--gpus-per-task 2: slots 1..2" slots_ok 2
check "--gpus-per-task 2: 2 GPUs each, none in two tasks at once" gpus_ok 2
echo "# --gpus-per-task 2: GPU sets: $(cut -d" " -f3 all | sort | uniq -c | tr '\n' ' ')"
rm -rf rec; mkdir rec
run env MPIPOOL_GPUS=0-3 OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 4 "$MPIPOOL" --gpus-per-task 1 -a args \
  sh "$tmp/task.sh" '{#}' '{%}'
check "mpirun -n 4 --gpus-per-task 1 of 0-3: ran" [ "$rc" -eq 0 ]
check "mpirun -n 4 --gpus-per-task 1: 1 GPU each, none shared at once" gpus_ok 1
run env MPIPOOL_GPUS=a,b CUDA_VISIBLE_DEVICES=7 "$MPIPOOL" --gpus-per-task 1 \
  'echo $CUDA_VISIBLE_DEVICES/$ROCR_VISIBLE_DEVICES/$MPIPOOL_GPUS' ::: x
check "GPU ids as given (a,b): the task's in all three variables" \
  grep -Eqx '(a/a/a|b/b/b) x' out
run env MPIPOOL_GPUS=0,1,2,3 "$MPIPOOL" --print-pool --gpus-per-task 2
check "--print-pool --gpus-per-task 2: the node's GPUs" \
  grep -q ", 4 GPUs (0,1,2,3), " out
check "--print-pool --gpus-per-task 2: each worker's" \
  sh -c 'grep -q "; GPU 0,1; slot 1$" out && grep -q "; GPU 2,3; slot 2$" out'

# Refused: exit 255, nothing run.
refused() { # refused NAME MESSAGE ARGS...
  name=$1 want=$2; shift 2
  rm -f ran
  run "$@" touch ran ::: a
  if [ "$rc" -eq 255 ] && grep -qF -e "$want" err && [ ! -e ran ]; then
    pass "refused: $name"
  else
    fail "refused: $name (exit $rc)" err
  fi
}
for v in 0 -1 x 1.5 ''; do
  refused "--cores-per-task '$v'" "--cores-per-task needs a number of cores >= 1, not '$v'" \
    "$MPIPOOL" --cores-per-task "$v"
  refused "--gpus-per-task '$v'" "--gpus-per-task needs a number of GPUs >= 1, not '$v'" \
    "$MPIPOOL" --gpus-per-task "$v"
done
refused "--cores-per-task 2000000" "--cores-per-task needs a number of cores >= 1, not '2000000'" \
  "$MPIPOOL" --cores-per-task 2000000
refused "--cores-per-task $((cores + 1)) (more than the node's cores)" \
  "mpipool: a worker needs $((cores + 1)) cores, and no node has them" \
  "$MPIPOOL" --cores-per-task $((cores + 1))
refused "mpirun: --cores-per-task $((cores + 1))" \
  "mpipool: a worker needs $((cores + 1)) cores, and no node has them" \
  env OMPI_MCA_rmaps_base_oversubscribe=1 "$MPIRUN" -n 2 "$MPIPOOL" --cores-per-task $((cores + 1))
refused "--gpus-per-task 5 of 4 GPUs" "mpipool: a worker needs 5 GPUs, and no node has them" \
  env MPIPOOL_GPUS=0,1,2,3 "$MPIPOOL" --gpus-per-task 5
refused "--gpus-per-task without GPUs" "mpipool: a worker needs 1 GPU, and no node has them" \
  env -u CUDA_VISIBLE_DEVICES -u SLURM_STEP_GPUS -u SLURM_JOB_GPUS \
  "$MPIPOOL" --gpus-per-task 1
refused "MPIPOOL_GPUS with an empty id" "MPIPOOL_GPUS='0,,1' is not a list of GPU ids: an empty GPU id" \
  env MPIPOOL_GPUS=0,,1 "$MPIPOOL" --gpus-per-task 1
refused "MPIPOOL_GPUS with an id twice" "the GPU '1' is given twice" \
  env MPIPOOL_GPUS=0-1,1 "$MPIPOOL" --gpus-per-task 1
finish
