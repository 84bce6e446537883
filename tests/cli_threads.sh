#!/bin/sh
# tests/cli_threads.sh - the same bits on any number of threads.
#
# Training cuts every batch into a fixed number of shards (--shards, stored
# in the model) and sums their gradients in a fixed order; --threads only
# decides who computes which shard.  So the same run with --threads 1, 2
# and 3 must write byte-identical model files, for:
#   (a) LSTM, frozen vectors, the default shard count, validation (its loss
#       is recorded in the model and decides early stopping);
#   (b) bidirectional GRU, dropout, trainable embedding from vectors, --mask
#       --bucket, 5 shards (threads share them unevenly);
#   (c) multi-class softmax with 8 shards of batches of 16 over 450 rows:
#       the short last batch (2 rows) leaves 6 shards empty;
# and a run interrupted by SIGINT on 2 threads, resumed on 1, must give the
# uninterrupted run's bytes (that one on 3 threads).
CLI_NAME=threads CLI_TIMEOUT=120 . tests/harness.sh

# relative paths: the model records the training file's name as given
cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
M3="$D/tweets3.train.csv"
E="$D/movies_en.train.csv"


# same_bits NAME ARGS...: train with --threads 1, 2, 3; the files must match
# (the sanitizer half: 1 and 3, tests/harness.sh)
same_bits() {
    _sb=$1; shift
    _th="1 2 3"; [ -n "$QUICK" ] && _th="1 3"
    for t in $_th; do go "$_sb --threads $t" "$S" train "$@" --quiet --threads $t -o "$_sb.t$t.ssm"; done
    for t in $_th; do
        [ "$t" = 1 ] || check "$_sb: --threads $t writes the bytes of --threads 1" 'cmp -s "$_sb.t1.ssm" "$_sb.t$t.ssm"'
    done
}

# (a)
same_bits lstm "$Z" --embed "$D/zh_vectors.txt" --freeze --hidden 12 --maxlen 24 --epochs 3 --batch 16 --seed 3 \
    --val-split 0.2 --early-stop 1
check "lstm: the model records the default shard count (2)" 'grep -aq "\"shards\":2" lstm.t1.ssm'
# (b)
same_bits gru_bidir "$Z" --embed "$D/zh_vectors.txt" --cell gru --bidirectional --dropout 0.3 --mask --bucket \
    --hidden 10 --layers 2 --maxlen 24 --epochs 2 --batch 16 --shards 5 --seed 4
check "gru_bidir: the model records --shards 5" 'grep -aq "\"shards\":5" gru_bidir.t1.ssm'
# (c)
same_bits multiclass "$M3" --embed-dim 16 --hidden 12 --layers 1 --maxlen 24 --epochs 2 --batch 16 --shards 8 \
    --word-dropout 0.1 --seed 5

# (d) adversarial training: each row's perturbation from its own gradient
same_bits adversarial "$E" --embed-dim 12 --hidden 8 --maxlen 24 --epochs 2 --batch 16 --shards 3 \
    --adversarial 0.05 --seed 6
check "adversarial: the model records --adversarial" 'grep -aq "\"adversarial\":0.05" adversarial.t1.ssm'
go adv_off "$S" train "$E" --embed-dim 12 --hidden 8 --maxlen 24 --epochs 2 --batch 16 --shards 3 --seed 6 \
    --quiet --threads 2 -o adv_off.ssm
check "adversarial: it changes training (not the run without it)" '! cmp -s adv_off.ssm adversarial.t1.ssm'
run "$S" train "$E" --adversarial -1 -o x.ssm
check "--adversarial -1 is a usage error" 'usage_err adversarial'

# the shard count changes the summation order, so (in general) the bits
go shards3 "$S" train "$M3" --embed-dim 16 --hidden 12 --layers 1 --maxlen 24 --epochs 2 --batch 16 --shards 3 \
    --word-dropout 0.1 --seed 5 --quiet --threads 2 -o shards3.ssm
check "--shards is a setting of its own (3 and 8 shards train differently)" '! cmp -s shards3.ssm multiclass.t1.ssm'

# bad values are usage errors
run "$S" train "$Z" --shards 0 -o x.ssm
check "--shards 0 is a usage error" 'usage_err shards'
run "$S" train "$Z" --shards 65 -o x.ssm
check "--shards 65 is a usage error" 'usage_err shards'
run "$S" train --help
check "train --help describes --shards" 'out_has "--shards" || err_has "--shards"'

# SIGINT on 2 threads, resume on 1 == the uninterrupted run on 3 threads
SIG="--keras --embed-dim 16 --hidden 16 --layers 1 --maxlen 20 --batch 8 --shards 4 --epochs 60 --seed 7 --ema 0.9"
go resume_ref "$S" train "$E" $SIG --quiet --threads 3 -o resume_ref.ssm
interrupt_train 2 resume.ssm "$E" $SIG --threads 2
check "SIGINT on 2 threads: exit 130 and a checkpoint" '[ "$src" = 130 ] && [ -s resume.ssm ]'
go resume "$S" train "$E" --resume resume.ssm --threads 1 --quiet
check "resumed on 1 thread: the bytes of the uninterrupted run on 3 threads" '[ "$src" = 130 ] && cmp -s resume.ssm resume_ref.ssm'
finish
