#!/bin/sh
# The recipe's table, extended: test accuracy of frozen-random, trainable and
# frozen-pretrained embeddings for LSTM, GRU and bidirectional LSTM on
# ChnSentiCorp (../shared), 2 layers x 128, maxlen 100, 5 epochs, batch 32,
# Adam 1e-3 -- plus the best configurations found for ChnSentiCorp and mr,
# as single models and as ensembles (seqsent ensemble).
# Every cell is the mean over SEEDS (default 1 2 3) with the range beside it;
# the best configurations pick their epoch by early stopping on a 10%
# validation split of the training file (never the test set).
# Writes the Markdown tables to stdout, progress on stderr, one line per run
# to OUTDIR/runs.tsv (table, row, column, seed, accuracy).
#
#   sh scripts/experiments.sh [OUTDIR] > table.md
#   SEEDS="1" sh scripts/experiments.sh        # one seed: about a third of the time
#   TABLE=0 sh scripts/experiments.sh          # only the best configurations
#   ENS_GROUPS=1 ...                           # one ensemble per configuration
set -e
cd "$(dirname "$0")/.."
[ -x ./seqsent ] || make -s seqsent
S=./seqsent
SHARED=${SHARED:-../shared}
DATA=$SHARED/data
VEC=$SHARED/vectors/sgns.zh-reviews.word.300d.vec.gz
OUT=${1:-build/experiments}
SEEDS=${SEEDS:-1 2 3}
mkdir -p "$OUT"
for f in "$DATA/chnsenticorp.train.csv" "$DATA/mr.train.csv" "$VEC"; do
    [ -r "$f" ] || { echo "experiments: $f not found (set SHARED=...)" >&2; exit 1; }
done
: > "$OUT/runs.tsv"

acc() {   # acc MODEL TESTFILE -> accuracy in percent, 2 decimals
    $S eval --json -m "$1" "$2" | sed -E 's/.*"accuracy":([0-9.eE+-]+).*/\1/' |
        awk '{ printf "%.2f", $1 * 100 }'
}

stats() {   # numbers on stdin -> "mean% (min–max)"
    awk '{ for (i = 1; i <= NF; i++) { s += $i; n++; if (n == 1 || $i < lo) lo = $i; if (n == 1 || $i > hi) hi = $i } }
         END { if (n == 1) printf "%.1f%%", s; else printf "%.1f%% (%.1f–%.1f)", s / n, lo, hi }'
}

# cell TABLE ROW COLUMN TESTFILE TRAINFILE [train options...]: train once per
# seed, print "mean% (min–max)" (just "acc%" for one seed)
cell() {
    _t=$1 _r=$2 _c=$3 _test=$4 _train=$5
    shift 5
    _accs=
    for seed in $SEEDS; do
        echo "experiments: $_t / $_r / $_c / seed $seed" >&2
        _m="$OUT/$_t.$_r.$_c.$seed.ssm"
        $S train "$_train" "$@" --seed "$seed" --quiet -o "$_m"
        _a=$(acc "$_m" "$_test")
        printf '%s\t%s\t%s\t%s\t%s\n' "$_t" "$_r" "$_c" "$seed" "$_a" >> "$OUT/runs.tsv"
        _accs="$_accs $_a"
        rm -f "$_m"
    done
    echo "$_accs" | stats
}

# One base per tokenisation: the vectors' words are the segmentation
# dictionary in every Chinese run, so only the embedding differs.
$S vocab "$DATA/chnsenticorp.train.csv" --dict-vectors "$VEC" -o "$OUT/zh.base.ssm" 2>/dev/null
$S embed "$OUT/zh.base.ssm" "$VEC" -o "$OUT/zh.vec.ssm" --quiet

ZTR=$DATA/chnsenticorp.train.csv
ZTE=$DATA/chnsenticorp.test.csv
NSEEDS=$(echo $SEEDS | wc -w)
if [ "${TABLE:-1}" = 1 ]; then
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
        # shellcheck disable=SC2086
        row="$row | $(cell table "$name" "$mode" "$ZTE" "$ZTR" --from "$OUT/$base" $extra $opts --maxlen 100 --epochs 5)"
    done
    echo "$row |"
done
echo
echo "ChnSentiCorp test accuracy, mean of $NSEEDS seed(s) ($SEEDS; range in brackets), 2 x 128 units,"
echo "maxlen 100, pre-padding, all steps computed, 5 epochs, batch 32, Adam 1e-3; segmentation by the"
echo "vectors' vocabulary in every column."
echo
fi

# Best configurations: chosen by validation accuracy over seeds (the epoch
# by early stopping on each member's validation split; never the test set).
# Each is trained ENS_K times from one base (different seeds) and the
# members are put into one file with `seqsent ensemble`; ENS_GROUPS
# disjoint groups of seeds give the ensemble's spread, and every member is
# also scored on its own (the single-model figures).
ENS_GROUPS=${ENS_GROUPS:-3}
ZH_K=${ZH_K:-3}
MR_K=${MR_K:-5}
ZH_BEST=${ZH_BEST:---cell gru --bidirectional --layers 1 --pool mean --dropout 0.4 --mask --bucket --maxlen 150 --epochs 15 --early-stop 3 --val-split 0.1}
MR_BEST=${MR_BEST:---cell gru --bidirectional --layers 1 --pool mean --embed-dim 64 --hidden 64 --dropout 0.6 --batch 64 --maxlen 60 --ema 0.99 --optimizer adamw --weight-decay 0.5 --lr 0.002 --mask --bucket --epochs 12 --early-stop 2 --val-split 0.1}
$S vocab "$DATA/mr.train.csv" -o "$OUT/mr.base.ssm" 2>/dev/null

# best NAME TESTFILE TRAINFILE BASE K [train options...] -> sets SINGLE, ENS, SIZE
best() {
    _n=$1 _test=$2 _train=$3 _base=$4 _k=$5
    shift 5
    _singles= _ens= _g=1
    while [ $_g -le "$ENS_GROUPS" ]; do
        _members= _i=1
        while [ $_i -le "$_k" ]; do
            _seed=$(( (_g - 1) * _k + _i ))
            echo "experiments: best $_n / group $_g / seed $_seed" >&2
            $S train "$_train" --from "$_base" "$@" --seed "$_seed" --quiet -o "$OUT/$_n.m$_seed.ssm"
            _a=$(acc "$OUT/$_n.m$_seed.ssm" "$_test")
            printf 'best\t%s\tsingle\t%s\t%s\n' "$_n" "$_seed" "$_a" >> "$OUT/runs.tsv"
            _singles="$_singles $_a"
            _members="$_members $OUT/$_n.m$_seed.ssm"
            _i=$((_i + 1))
        done
        # shellcheck disable=SC2086
        $S ensemble --quiet $_members -o "$OUT/$_n.ens$_g.ssm"
        _a=$(acc "$OUT/$_n.ens$_g.ssm" "$_test")
        printf 'best\t%s\tensemble\t%s\t%s\n' "$_n" "$_g" "$_a" >> "$OUT/runs.tsv"
        _ens="$_ens $_a"
        SIZE=$(du -m "$OUT/$_n.ens$_g.ssm" | cut -f1)
        # shellcheck disable=SC2086
        rm -f $_members
        [ $_g -gt 1 ] && rm -f "$OUT/$_n.ens$_g.ssm"
        _g=$((_g + 1))
    done
    SINGLE=$(echo "$_singles" | stats)
    ENS=$(echo "$_ens" | stats)
}

echo "| configuration | data | one model | ensemble | ensemble file |"
echo "|---|---|---|---|---|"
# shellcheck disable=SC2086
best zh "$ZTE" "$ZTR" "$OUT/zh.vec.ssm" "$ZH_K" $ZH_BEST
echo "| \`train chnsenticorp.train.csv --from zh.vec.ssm $ZH_BEST\` (zh.vec.ssm: vocab + embed of the sgns vectors), $ZH_K members | ChnSentiCorp | $SINGLE | $ENS | $SIZE MB |"
# shellcheck disable=SC2086
best mr "$DATA/mr.test.csv" "$DATA/mr.train.csv" "$OUT/mr.base.ssm" "$MR_K" $MR_BEST
echo "| \`train mr.train.csv --from mr.base.ssm $MR_BEST\` (mr.base.ssm: \`vocab mr.train.csv\`), $MR_K members | mr | $SINGLE | $ENS | $SIZE MB |"
echo
echo "One model: mean over $ENS_GROUPS x K seeds (range in brackets); ensemble: \`seqsent ensemble\` of K of"
echo "them (seeds 1..K, K+1..2K, ...), mean over $ENS_GROUPS ensembles. Bars: 90.5% (ChnSentiCorp), 76.5% (mr)."
