#!/bin/sh
# The recipe's table, extended: test accuracy of frozen-random, trainable and
# frozen-pretrained embeddings for LSTM, GRU and bidirectional LSTM on
# ChnSentiCorp (../shared), 2 layers x 128, maxlen 100, 5 epochs, batch 32,
# Adam 1e-3, seed 1 -- plus the best configurations found for ChnSentiCorp
# and mr.  Writes the Markdown table to stdout (progress on stderr).
#
#   sh scripts/experiments.sh [OUTDIR] > table.md
set -e
cd "$(dirname "$0")/.."
[ -x ./seqsent ] || make -s seqsent
S=./seqsent
SHARED=${SHARED:-../shared}
DATA=$SHARED/data
VEC=$SHARED/vectors/sgns.zh-reviews.word.300d.vec.gz
OUT=${1:-build/experiments}
mkdir -p "$OUT"
for f in "$DATA/chnsenticorp.train.csv" "$DATA/mr.train.csv" "$VEC"; do
    [ -r "$f" ] || { echo "experiments: $f not found (set SHARED=...)" >&2; exit 1; }
done

acc() {   # acc MODEL TESTFILE -> accuracy in percent
    $S eval --json -m "$1" "$2" | sed -E 's/.*"accuracy":([0-9.eE+-]+).*/\1/' |
        awk '{ printf "%.1f", $1 * 100 }'
}

# One base per tokenisation: the vectors' words are the segmentation
# dictionary in every Chinese run, so only the embedding differs.
$S vocab "$DATA/chnsenticorp.train.csv" --dict-vectors "$VEC" -o "$OUT/zh.base.ssm" 2>/dev/null
$S embed "$OUT/zh.base.ssm" "$VEC" -o "$OUT/zh.vec.ssm" --quiet

COMMON="--maxlen 100 --epochs 5 --quiet"
echo "| model | frozen random | trainable random | frozen pretrained |"
echo "|---|---|---|---|"
for arch in "LSTM::" "GRU::--cell gru" "BiLSTM::--bidirectional"; do
    name=${arch%%::*}; opts=${arch#*::}
    row="| $name"
    for mode in frozen-random trainable frozen-pretrained; do
        case $mode in
            frozen-random) base=zh.base.ssm; extra=--freeze ;;
            trainable) base=zh.base.ssm; extra= ;;
            frozen-pretrained) base=zh.vec.ssm; extra=--freeze ;;
        esac
        m="$OUT/zh.$name.$mode.ssm"
        echo "experiments: $name $mode" >&2
        # shellcheck disable=SC2086
        $S train "$DATA/chnsenticorp.train.csv" --from "$OUT/$base" $extra $opts $COMMON -o "$m"
        row="$row | $(acc "$m" "$DATA/chnsenticorp.test.csv")%"
    done
    echo "$row |"
done
echo
echo "ChnSentiCorp test accuracy, 2 x 128 units, maxlen 100, 5 epochs, batch 32, Adam 1e-3, seed 1;"
echo "segmentation by the vectors' vocabulary in every column."
echo

# Best configurations (validation split for early stopping: never the test set).
ZH_BEST=${ZH_BEST:---cell gru --bidirectional --mask --bucket --dropout 0.3 --maxlen 150 --epochs 12 --early-stop 3 --val-split 0.1}
MR_BEST=${MR_BEST:---cell gru --bidirectional --mask --bucket --dropout 0.5 --embed-dim 128 --hidden 64 --maxlen 50 --epochs 12 --early-stop 3 --val-split 0.1}
echo "experiments: best ChnSentiCorp" >&2
# shellcheck disable=SC2086
$S train "$DATA/chnsenticorp.train.csv" --from "$OUT/zh.vec.ssm" $ZH_BEST --quiet -o "$OUT/zh.best.ssm"
echo "experiments: best mr" >&2
# shellcheck disable=SC2086
$S train "$DATA/mr.train.csv" $MR_BEST --quiet -o "$OUT/mr.best.ssm"
echo "| best configuration | data | test accuracy | model size |"
echo "|---|---|---|---|"
echo "| \`--from zh.vec.ssm $ZH_BEST\` | ChnSentiCorp | $(acc "$OUT/zh.best.ssm" "$DATA/chnsenticorp.test.csv")% | $(du -h "$OUT/zh.best.ssm" | cut -f1) |"
echo "| \`$MR_BEST\` | mr | $(acc "$OUT/mr.best.ssm" "$DATA/mr.test.csv")% | $(du -h "$OUT/mr.best.ssm" | cut -f1) |"
