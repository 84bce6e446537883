#!/bin/sh
# tests/cli_mpi.sh - the same bits on any number of processes (MPI).
#
# Ranks, like threads, only decide who computes which of a batch's shards
# (rank r of N: the shards [S r / N, S (r+1) / N)); the shards' gradients
# are summed over the same fixed tree as in one process.  So the same run
# with --threads 1, 2, 3 and under `mpirun -np 2` and `-np 3` (1 thread
# each; -np 3 with 2 shards leaves a rank idle) must write byte-identical
# model files, for:
#   (a) LSTM, frozen vectors, validation and early stopping (rank 0 scores);
#   (b) bidirectional GRU, dropout, trainable embedding (sparse rows cross
#       between ranks), --mask --bucket, 5 shards;
#   (c) multi-class softmax, 8 shards, a short last batch (empty shards);
#   (d) pretrain: a bidirectional language model (sparse output embedding
#       and bias rows), held-out perplexity;
#   (e) distill: a 3-class teacher's probabilities (its batches shared out
#       among the ranks and gathered), a validation split;
# a job interrupted by SIGINT (to a rank) under -np 2 and resumed under
# -np 3, or by one process on 1 thread, gives the uninterrupted run's
# bytes, and so does a pretrain job interrupted by SIGTERM to mpirun or to
# rank 1, resumed by one process; the exit status: a signal to a rank ->
# the ranks' 130 (SIGINT) or 143 (SIGTERM, whichever rank got it), a
# signal to mpirun -> Open MPI's 1, the checkpoint line last on stderr; a
# rank killed mid-run, a rank that cannot read the data and a rank that
# reads other data (train, distill) stop the job with a non-zero status and
# leave -o untouched.
# Skipped when the binary was built without MPI.  Under SEQSENT_QUICK (the
# sanitizer half) the checks of signal and message semantics are left to
# the plain half.
CLI_NAME=mpi CLI_TIMEOUT=120 . tests/harness.sh

if ! "$S" --version 2>/dev/null | grep -q "MPI: built in" || ! command -v mpirun >/dev/null 2>&1; then
    skip "seqsent built without MPI (or no mpirun): make MPI=1 with Open MPI (scripts/install-deps.sh installs it)"
    finish
    exit
fi

# root in CI containers, shared memory without cross-memory attach, more
# ranks than cores; Open MPI's own allocations are not ours to leak-check
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
OMPI_MCA_rmaps_base_oversubscribe=1
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_btl_vader_single_copy_mechanism \
    OMPI_MCA_rmaps_base_oversubscribe ASAN_OPTIONS
# (mpirun passes SIGINT on as SIGTERM, and SIGKILL 1 s later: time enough
# for these small steps and rank 0's checkpoint)
MPIRUN="mpirun --oversubscribe"

# relative paths (the model records the training file's name as given)
cp -r "$D" data
D=data Z=data/hotel_zh.train.csv M3=data/tweets3.train.csv E=data/movies_en.train.csv

# same_bits NAME CMD ARGS...: CMD (train or pretrain) on 1, 2, 3 threads and
# on 2 and 3 ranks of 1 thread; every file must be the 1-thread run's
same_bits() {
    _sb=$1; _cmd=$2; shift 2
    _th="1 2 3" _np="2 3" _vs="t2 t3 np2 np3"
    [ -n "$QUICK" ] && _th=1 _np=3 _vs=np3
    for t in $_th; do go "$_sb --threads $t" "$S" "$_cmd" "$@" --quiet --threads $t -o "$_sb.t$t.ssm"; done
    for n in $_np; do go "$_sb -np $n" $MPIRUN -np $n "$S" "$_cmd" "$@" --quiet --threads 1 -o "$_sb.np$n.ssm"; done
    for v in $_vs; do
        check "$_sb: $v writes the bytes of --threads 1" 'cmp -s "$_sb.t1.ssm" "$_sb.$v.ssm"'
    done
}

# (a)
same_bits lstm train "$Z" --embed "$D/zh_vectors.txt" --freeze --hidden 12 --maxlen 24 --epochs 3 --batch 16 \
    --seed 3 --val-split 0.2 --early-stop 1
# (b)
same_bits gru_bidir train "$Z" --embed "$D/zh_vectors.txt" --cell gru --bidirectional --dropout 0.3 --mask --bucket \
    --hidden 10 --layers 2 --maxlen 24 --epochs 2 --batch 16 --shards 5 --seed 4
# (c)
same_bits multiclass train "$M3" --embed-dim 16 --hidden 12 --layers 1 --maxlen 24 --epochs 2 --batch 16 --shards 8 \
    --word-dropout 0.1 --seed 5
# (c2) a bag of words and bigrams (train --bag): its sparse rows summed across ranks as the embedding's
same_bits bag train "$E" --embed-dim 16 --hidden 8 --bag 6 --bag-buckets 300 --maxlen 16 --epochs 2 --batch 16 \
    --shards 4 --seed 6
# (c3) train --refit: a second run on every row after the first (the naive
# Bayes head counted and written by rank 0 only, its weight and scale reused)
same_bits refit train "$E" --embed-dim 16 --hidden 8 --maxlen 16 --epochs 3 --batch 16 --shards 4 --seed 7 --refit
# (d)
same_bits lm pretrain "$D/reviews_zh.txt" "$Z" --hidden 12 --layers 1 --samples 48 --maxlen 24 --batch 16 --epochs 2 \
    --bidirectional --shards 4 --val-split 0.1 --seed 2
# (e) 366 rows to distil on (2 teacher batches: under -np 3 rank 0 has none),
# 92 to validate on (1 batch: one rank's)
go teacher "$S" train "$M3" --embed-dim 8 --hidden 8 --layers 1 --maxlen 16 --epochs 1 --seed 5 --quiet -o teacher.ssm
same_bits distill distill teacher.ssm "$D/reviews_en.txt" --labelled "$M3" --embed-dim 12 --hidden 10 --layers 1 \
    --maxlen 20 --epochs 2 --batch 16 --shards 3 --val-split 0.2 --seed 6

if [ -z "$QUICK" ]; then   # the plain half: signal and message semantics
# more ranks than shards: rank 0 says that some idle
run $MPIRUN -np 3 "$S" train "$M3" --embed-dim 8 --hidden 8 --layers 1 --maxlen 16 --epochs 1 --seed 5 --shards 2 -o idle.ssm
check "-np 3 with --shards 2: one note that 1 rank idles" \
    '[ $rc -eq 0 ] && [ "$(grep -c "3 ranks but 2 shards per batch: 1 rank idle" "$T/err")" = 1 ]'
# only rank 0 talks: one set of progress lines
run $MPIRUN -np 2 "$S" train "$M3" --embed-dim 8 --hidden 8 --layers 1 --maxlen 16 --epochs 1 --seed 5 -o talk.ssm
check "-np 2: one 'epoch 1/1' line and one 'wrote' line (rank 0's)" \
    '[ "$rc" = 0 ] && [ "$(grep -c "^epoch 1/1" "$T/err")" = 1 ] && [ "$(grep -c "wrote talk.ssm" "$T/err")" = 1 ]'

fi

# rank_pid MPIRUN_PID R: the process of rank R of that job (empty if not found)
rank_pid() {
    for c in $(pgrep -P "$1" 2>/dev/null); do
        tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -q "^OMPI_COMM_WORLD_RANK=$2\$" && echo "$c"
    done
}

# stopped STATUS OUT ERR [last]: an interrupted job exited STATUS ($src),
# its stderr ERR says once that the checkpoint OUT was written (as the last
# line with "last", bar the "[warn] Epoll ..." libevent may print as mpirun
# shuts down), and no temporary file is left
stopped() {
    [ "$src" = "$1" ] || { why="exit status $src, expected $1; $3 ends: $(tail -n 2 "$3")"; return 1; }
    [ "$(grep -c "checkpoint written to $2 " "$3")" = 1 ] && [ -s "$2" ] ||
        { why="not one checkpoint $2; $3 ends: $(tail -n 2 "$3")"; return 1; }
    [ -z "$4" ] || grep -v '^\[warn\] ' "$3" | tail -n 1 | grep -q "^[a-z]*: interrupted .*; checkpoint written to $2 " ||
        { why="the checkpoint line is not the last of $3: $(tail -n 2 "$3")"; return 1; }
    no_tmp_left
}

# SIGINT to one rank of an -np 2 job (rank 0, as soon as it has printed
# the labels: the ranks agree on a stop request every step) stops both
# after the same batch, rank 0 writes one checkpoint; resumed under -np 3, and by one process on 1 thread: the
# uninterrupted run's bytes
SIG="--keras --embed-dim 16 --hidden 16 --layers 1 --maxlen 20 --batch 16 --shards 4 --epochs 60 --seed 7 --ema 0.9"
go resume_ref "$S" train "$E" $SIG --quiet --threads 2 -o resume_ref.ssm
$MPIRUN -np 2 "$S" train "$E" $SIG --threads 1 -o resume.ssm >/dev/null 2>resume.err &
mpid=$!
BGPIDS="$BGPIDS $mpid"
n=0
while ! grep -q "2 labels" resume.err 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.01; n=$((n + 1)); done
kill -INT $(rank_pid "$mpid" 0) 2>/dev/null
wait "$mpid"
src=$?
check "SIGINT to rank 0 of -np 2: exit 130 (the ranks'), rank 0 wrote one checkpoint" 'stopped 130 resume.ssm resume.err'
cp resume.ssm resume1.ssm
go "resume -np 3" $MPIRUN -np 3 "$S" train "$E" --resume resume.ssm --threads 1 --quiet
check "resumed under -np 3: the bytes of the uninterrupted run" 'cmp -s resume.ssm resume_ref.ssm'
go "resume --threads 1" "$S" train "$E" --resume resume1.ssm --threads 1 --quiet
check "resumed by one process on 1 thread: the same bytes" 'cmp -s resume1.ssm resume_ref.ssm'

if [ -z "$QUICK" ]; then   # the plain half: signal and message semantics
# SIGINT to mpirun itself: it passes SIGTERM on to the ranks (after 1 s),
# which checkpoint as one; mpirun exits 1 whatever the ranks' status (Open
# MPI sets it on the signal) and prints nothing: seqsent's checkpoint line
# is the last on stderr
$MPIRUN -np 2 "$S" train "$E" $SIG --epochs 3000 --threads 1 -o long.ssm >/dev/null 2>long.err &
mpid=$!
BGPIDS="$BGPIDS $mpid"
n=0
while ! grep -q "epoch 1/" long.err 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
kill -INT "$mpid" 2>/dev/null
n=0   # at most 60 s more: a lost signal must not leave the job running 3000 epochs
while kill -0 "$mpid" 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
kill -KILL "$mpid" 2>/dev/null
wait "$mpid"
src=$?
check "SIGINT to mpirun -np 2: exit 1 (Open MPI's), rank 0 wrote one checkpoint, its line last on stderr" \
    'stopped 1 long.ssm long.err last'

fi

# pretrain interrupted under -np 2, by SIGTERM to mpirun (as a batch
# system stops a job: the ranks get SIGTERM 1 s later) and to rank 1 (rank
# 0 writes; every rank exits 143, whichever mpirun reports), then resumed
# by one process on 1 thread: the uninterrupted run's bytes
LM="--embed-dim 16 --hidden 16 --layers 1 --samples 32 --maxlen 20 --batch 16 --shards 4 --epochs 100 --val-split 0.1 --seed 7"
go "pretrain reference" "$S" pretrain "$E" $LM --quiet --threads 2 -o lm_ref.ssm
# lm_interrupt OUT WHOM: the job in the background, SIGTERM to WHOM (mpirun,
# or a rank's number) once rank 0 has finished epoch 1; src = its status
lm_interrupt() {
    $MPIRUN -np 2 "$S" pretrain "$E" $LM --threads 1 -o "$1" >/dev/null 2>"$1.err" &
    mpid=$!
    BGPIDS="$BGPIDS $mpid"
    n=0
    while ! grep -q "epoch 1/" "$1.err" 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
    if [ "$2" = mpirun ]; then kill -TERM "$mpid" 2>/dev/null; else kill -TERM $(rank_pid "$mpid" "$2") 2>/dev/null; fi
    n=0   # as above: at most 60 s more
    while kill -0 "$mpid" 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
    kill -KILL "$mpid" 2>/dev/null
    wait "$mpid"
    src=$?
}
if [ -z "$QUICK" ]; then   # the plain half: mpirun's status on a signal
lm_interrupt lm_a.ssm mpirun
check "pretrain, SIGTERM to mpirun -np 2: exit 1 (Open MPI's), one checkpoint, its line last on stderr" \
    'stopped 1 lm_a.ssm lm_a.ssm.err last'
go "pretrain resume --threads 1 (after SIGTERM to mpirun)" "$S" pretrain "$E" --resume lm_a.ssm --threads 1 --quiet
check "pretrain resumed by one process: the bytes of the uninterrupted run" 'cmp -s lm_a.ssm lm_ref.ssm'
fi
lm_interrupt lm_b.ssm 1
check "pretrain, SIGTERM to rank 1 of -np 2: exit 143, rank 0 wrote one checkpoint" 'stopped 143 lm_b.ssm lm_b.ssm.err'
go "pretrain resume --threads 1 (after SIGTERM to rank 1)" "$S" pretrain "$E" --resume lm_b.ssm --threads 1 --quiet
check "pretrain resumed by one process: the same bytes" 'cmp -s lm_b.ssm lm_ref.ssm'

if [ -z "$QUICK" ]; then   # the plain half: signal and message semantics
# a rank killed mid-run: the job stops, non-zero, the old -o is untouched
echo "old model" >killed.ssm
cp killed.ssm killed.before
$MPIRUN -np 2 "$S" train "$E" $SIG --threads 1 -o killed.ssm >/dev/null 2>killed.err &
mpid=$!
BGPIDS="$BGPIDS $mpid"
n=0
while ! grep -q "epoch 2/" killed.err 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
killed=$(rank_pid "$mpid" 1)
[ -n "$killed" ] && kill -KILL "$killed"
wait "$mpid"
src=$?
if [ -n "$killed" ]; then
    check "rank 1 killed: non-zero exit, mpirun names the rank, old -o untouched" \
        '[ "$src" != 0 ] && grep -q "rank 1" killed.err && cmp -s killed.ssm killed.before && no_tmp_left'
else
    skip "rank 1 killed: could not find rank 1's process (no pgrep or /proc)"
fi

fi

# a rank that cannot read its data (its working directory lacks the file):
# one message naming the rank and the file, exit 1, -o untouched
mkdir -p r0 r1 r2
echo "old model" >old.before
cp "$E" r0/d.csv
head -n 400 "$E" >r2/d.csv
cp old.before r0/o.ssm
SMALL="d.csv --embed-dim 8 --hidden 8 --layers 1 --maxlen 16 --epochs 1 --seed 5 --quiet -o o.ssm"
run $MPIRUN -np 1 -wdir "$T/r0" "$S" train $SMALL : -np 1 -wdir "$T/r1" "$S" train $SMALL
check "a rank cannot read the data: exit 1, 'rank 1 of 2: d.csv', -o untouched" \
    '[ "$rc" = 1 ] && err_has "seqsent (rank 1 of 2): d.csv" && cmp -s r0/o.ssm old.before'
# a rank reads other data (different files on different machines)
run $MPIRUN -np 1 -wdir "$T/r0" "$S" train $SMALL : -np 1 -wdir "$T/r2" "$S" train $SMALL
check "a rank reads other data: exit 1, rank 0 says which rank differs, -o untouched" \
    '[ "$rc" = 1 ] && err_has "rank 1 of 2 starts from other weights or data than rank 0" && cmp -s r0/o.ssm old.before'

# distill: a rank whose texts differ stops the job before the teacher's
# parts are gathered
DSMALL="$T/teacher.ssm d.csv --embed-dim 8 --hidden 8 --layers 1 --maxlen 16 --epochs 1 --seed 5 --quiet -o o.ssm"
run $MPIRUN -np 1 -wdir "$T/r0" "$S" distill $DSMALL : -np 1 -wdir "$T/r2" "$S" distill $DSMALL
check "distill, a rank reads other texts: exit 1, rank 0 names the rank, -o untouched" \
    '[ "$rc" = 1 ] && err_has "rank 1 of 2 reads other texts than rank 0" && cmp -s r0/o.ssm old.before'

# no launcher: an MPI build runs as one process
go singleton "$S" train "$M3" --embed-dim 16 --hidden 12 --layers 1 --maxlen 24 --epochs 2 --batch 16 --shards 8 \
    --word-dropout 0.1 --seed 5 --quiet --threads 2 -o single.ssm
check "without mpirun: one process, the same bytes" 'cmp -s single.ssm multiclass.t1.ssm'
finish
