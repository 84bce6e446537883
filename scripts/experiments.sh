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
#   BEST=mr TABLE=0 ...                        # only mr's best configuration
#   PRE=zh BEST= TABLE=0 ...                   # only the pretrained-encoder rows for zh
#   PRE= DISTIL= ...                           # no pretraining rows, no distillation rows
#   DISTIL=mr TEACHERS=3 ...                   # only mr's distillation row, a 3-model teacher
#   REFIT=mr PRE= DISTIL= BEST= TABLE=0 ...    # only mr's refit row (default model, then all rows)
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
        row="$row | $(cell table "$name" "$mode" "$ZTE" "$ZTR" --keras --from "$OUT/$base" $extra $opts --maxlen 100 --epochs 5)"
    done
    echo "$row |"
done
echo
echo "ChnSentiCorp test accuracy, mean of $NSEEDS seed(s) ($SEEDS; range in brackets), 2 x 128 units,"
echo "maxlen 100, pre-padding, all steps computed, 5 epochs, batch 32, Adam 1e-3; segmentation by the"
echo "vectors' vocabulary in every column."
echo
fi

# Best configurations, chosen by mean validation accuracy over seeds (each
# run's epoch by early stopping on its own 10% validation split; never the
# test set).  A configuration is a list of member settings, one per line:
# every member is trained from one base with its own seed, scored alone
# (the single-model figures), and the members go into one file with
# `seqsent ensemble`.  ENS_GROUPS disjoint groups of seeds give the spread.
#   ChnSentiCorp: the two settings with the best validation accuracy
#   (1-layer BiGRU, mean pooling; 2-layer BiGRU, max pooling, --ema), two
#   members each, embedding fine-tuned from the sgns vectors.
#   mr: word vectors trained on mr.train.csv itself (seqsent vectors), then
#   ten members of the best setting (small: 4.8 MB each).
ENS_GROUPS=${ENS_GROUPS:-3}
ZC="--mask --bucket --maxlen 150 --epochs 15 --early-stop 3 --val-split 0.1 --cell gru --bidirectional"
ZH_A=${ZH_A:-$ZC --layers 1 --pool mean --dropout 0.4}
ZH_B=${ZH_B:-$ZC --layers 2 --pool max --dropout 0.5 --ema 0.99}
ZH_MEMBERS=${ZH_MEMBERS:-"$ZH_A
$ZH_A
$ZH_B
$ZH_B"}
MR_VECTORS=${MR_VECTORS:---min-count 2 --dim 64 --epochs 20}
MR_A=${MR_A:---mask --bucket --maxlen 60 --epochs 12 --early-stop 2 --val-split 0.1 --cell gru --bidirectional --layers 1 --pool mean --hidden 64 --dropout 0.6 --batch 64 --ema 0.99 --optimizer adamw --weight-decay 0.5 --lr 0.002}
MR_MEMBERS=${MR_MEMBERS:-"$(for i in 1 2 3 4 5 6 7 8 9 10; do echo "$MR_A"; done)"}
echo "experiments: vectors for mr" >&2
# shellcheck disable=SC2086
$S vectors "$DATA/mr.train.csv" $MR_VECTORS --quiet -o "$OUT/mr.vec"
$S vocab "$DATA/mr.train.csv" -o "$OUT/mr.base.ssm" 2>/dev/null
$S embed "$OUT/mr.base.ssm" "$OUT/mr.vec" -o "$OUT/mr.vec.ssm" --quiet

# best NAME TESTFILE TRAINFILE BASE MEMBERS -> sets SINGLE, ENS, SIZE (MB)
best() {
    _n=$1 _test=$2 _train=$3 _base=$4 _list=$5
    _k=$(printf '%s\n' "$_list" | grep -c .)
    _singles= _ens= _half= _g=1
    while [ $_g -le "$ENS_GROUPS" ]; do
        _members= _i=0
        while IFS= read -r _opts; do
            [ -n "$_opts" ] || continue
            _i=$((_i + 1))
            _seed=$(( (_g - 1) * _k + _i ))
            echo "experiments: best $_n / group $_g / member $_i / seed $_seed" >&2
            # shellcheck disable=SC2086
            $S train "$_train" --from "$_base" $_opts --seed "$_seed" --quiet -o "$OUT/$_n.m$_seed.ssm" </dev/null
            _a=$(acc "$OUT/$_n.m$_seed.ssm" "$_test")
            printf 'best\t%s\tmember%s\t%s\t%s\n' "$_n" "$_i" "$_seed" "$_a" >> "$OUT/runs.tsv"
            _singles="$_singles $_a"
            _members="$_members $OUT/$_n.m$_seed.ssm"
        done <<EOF_MEMBERS
$_list
EOF_MEMBERS
        # shellcheck disable=SC2086
        $S ensemble --quiet $_members -o "$OUT/$_n.ens$_g.ssm"
        _a=$(acc "$OUT/$_n.ens$_g.ssm" "$_test")
        printf 'best\t%s\tensemble\t%s\t%s\n' "$_n" "$_g" "$_a" >> "$OUT/runs.tsv"
        _ens="$_ens $_a"
        SIZE=$(wc -c < "$OUT/$_n.ens$_g.ssm" | awk '{ printf "%.1f", $1 / 1e6 }')
        # shellcheck disable=SC2086
        $S ensemble --quiet --half $_members -o "$OUT/$_n.half$_g.ssm"
        _a=$(acc "$OUT/$_n.half$_g.ssm" "$_test")
        printf 'best\t%s\tensemble-half\t%s\t%s\n' "$_n" "$_g" "$_a" >> "$OUT/runs.tsv"
        _half="$_half $_a"
        HSIZE=$(wc -c < "$OUT/$_n.half$_g.ssm" | awk '{ printf "%.1f", $1 / 1e6 }')
        rm -f "$OUT/$_n.half$_g.ssm"
        # shellcheck disable=SC2086
        rm -f $_members
        [ $_g -gt 1 ] && rm -f "$OUT/$_n.ens$_g.ssm"
        _g=$((_g + 1))
    done
    SINGLE=$(echo "$_singles" | stats)
    ENS=$(echo "$_ens" | stats)
    HALF=$(echo "$_half" | stats)
    K=$_k
}

if [ -n "${BEST-zh mr}" ]; then   # (BEST= : none)
echo "| data | members (train options; one line each) | one model | ensemble | file | ensemble --half | file |"
echo "|---|---|---|---|---|---|---|"
case " ${BEST-zh mr} " in *" zh "*)
best zh "$ZTE" "$ZTR" "$OUT/zh.vec.ssm" "$ZH_MEMBERS"
echo "| ChnSentiCorp | $(printf '%s\n' "$ZH_MEMBERS" | sort | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%d x `--from zh.vec.ssm%s`", sep, n, $0; sep = "<br>" }') | $SINGLE | $ENS | $SIZE MB | $HALF | $HSIZE MB |"
;; esac
case " ${BEST-zh mr} " in *" mr "*)
best mr "$DATA/mr.test.csv" "$DATA/mr.train.csv" "$OUT/mr.vec.ssm" "$MR_MEMBERS"
echo "| mr | $(printf '%s\n' "$MR_MEMBERS" | sort | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%d x `--from mr.vec.ssm%s`", sep, n, $0; sep = "<br>" }') | $SINGLE | $ENS | $SIZE MB | $HALF | $HSIZE MB |"
;; esac
echo
echo "zh.vec.ssm: \`vocab chnsenticorp.train.csv --dict-vectors sgns…vec.gz\` + \`embed\` of the sgns vectors."
echo "mr.vec.ssm: \`vectors mr.train.csv $MR_VECTORS\` (word2vec on the training text itself),"
echo "then \`vocab mr.train.csv\` + \`embed\` of those vectors.  One model: mean over all $ENS_GROUPS x K members"
echo "(range in brackets); ensemble: \`seqsent ensemble\` of K members (seeds 1..K, K+1..2K, ...), mean over"
echo "$ENS_GROUPS ensembles; --half: the same members stored as 16-bit floats.  Bars to clear: 90.5%"
echo "(ChnSentiCorp), 76.5% (mr), model file under 100 MB."
fi

# Pretrained encoders (seqsent pretrain) and a distilled student (seqsent
# distill).  Unlabelled text: every training split of the language (never a
# test split), without the texts of the test set (--exclude: online_shopping's
# training split holds 906 of ChnSentiCorp's 1,553 test reviews).  The language model's settings give the classifier its shape;
# fine-tuning picks its epoch by early stopping on a 10% validation split.
now() { date +%s.%N; }
ZH_LM=${ZH_LM:---embed $VEC --cell gru --bidirectional --layers 1 --epochs 3}
ZH_FT=${ZH_FT:---bucket --maxlen 150 --epochs 15 --early-stop 3 --val-split 0.1 --pool mean --dropout 0.4}
MR_LM=${MR_LM:---cell gru --bidirectional --layers 1 --hidden 64 --embed-dim 64 --min-count 2 --epochs 10}
MR_FT=${MR_FT:---bucket --maxlen 60 --epochs 12 --early-stop 2 --val-split 0.1 --pool mean --dropout 0.6 --batch 64 --ema 0.99}
# pre NAME TEST TRAIN LM_OPTS FT_OPTS CORPUS...: pretrain once (timed), fine-tune per seed
pre() {
    _n=$1 _test=$2 _train=$3 _lmo=$4 _fto=$5
    shift 5
    echo "experiments: pretrain $_n" >&2
    _t0=$(now)
    # shellcheck disable=SC2086
    $S pretrain "$@" $_lmo --exclude "$_test" --quiet --log "$OUT/$_n.lm.log" -o "$OUT/$_n.lm"
    _t1=$(now)
    LMTIME=$(echo "$_t0 $_t1" | awk '{ printf "%.1f", ($2 - $1) / 60 }')
    LMTOK=$(tail -n 1 "$OUT/$_n.lm.log" | sed -E 's/.*"tokens_per_second":([0-9.eE+-]+).*/\1/' | awk '{ printf "%.0f", $1 }')
    LMPPL=$(tail -n 1 "$OUT/$_n.lm.log" | sed -E 's/.*"val_perplexity":([0-9.eE+-]+).*/\1/' | awk '{ printf "%.0f", $1 }')
    _accs=
    for seed in $SEEDS; do
        echo "experiments: fine-tune $_n / seed $seed" >&2
        # shellcheck disable=SC2086
        $S train "$_train" --from "$OUT/$_n.lm" $_fto --seed "$seed" --quiet -o "$OUT/$_n.ft$seed.ssm"
        _a=$(acc "$OUT/$_n.ft$seed.ssm" "$_test")
        printf 'pretrained\t%s\tfine-tuned\t%s\t%s\n' "$_n" "$seed" "$_a" >> "$OUT/runs.tsv"
        _accs="$_accs $_a"
    done
    PRE_ACC=$(echo "$_accs" | stats)
}
if [ -n "${PRE-zh mr}" ]; then
echo
echo "| data | pretrain (unlabelled text; options) | time (2 cores) | tokens/s | held-out perplexity | fine-tune options | one model |"
echo "|---|---|---|---|---|---|---|"
case " ${PRE-zh mr} " in *" zh "*)
pre zh "$ZTE" "$ZTR" "$ZH_LM" "$ZH_FT" "$DATA/online_shopping.train.csv" "$ZTR"
echo "| ChnSentiCorp | online_shopping.train + chnsenticorp.train, \`--exclude chnsenticorp.test.csv\`; \`$ZH_LM\` | $LMTIME min | $LMTOK | $LMPPL | \`$ZH_FT\` | $PRE_ACC |"
;; esac
case " ${PRE-zh mr} " in *" mr "*)
pre mr "$DATA/mr.test.csv" "$DATA/mr.train.csv" "$MR_LM" "$MR_FT" "$DATA/mr.train.csv"
echo "| mr | mr.train, \`--exclude mr.test.csv\`; \`$MR_LM\` | $LMTIME min | $LMTOK | $LMPPL | \`$MR_FT\` | $PRE_ACC |"
;; esac
fi

# A student distilled from an ensemble, per language: the teacher is
# TEACHERS models of `train TRAIN [OPTIONS]` (seeds 1..TEACHERS; they pick
# their epochs on a validation split), the students are models of the same
# OPTIONS (one each seed) trained on the teacher's probabilities over the
# labelled training file, its rows with --labelled and no other text
# (ChnSentiCorp: on the dev split that beat adding online_shopping.train's
# reviews, BENCHMARKS.md "Session 12"; mr: the only English text allowed,
# and each row's target half its own label, --hard-weight 0.5: +1.0 and +1.4
# on two dev splits, "Session 13"), the test set's texts left out
# (--exclude): accuracy and predict speed of both. The defaults give every
# member and student its naive Bayes head (session 14: --naive-bayes, on by
# default; a student's counted on its rows' labels). mr's students are then
# trained again on all their rows (--refit: the first run's epochs, head
# weight and scale; +0.37 over 18 dev runs, "Session 16").  ChnSentiCorp's
# OPTIONS read texts up to 500 tokens whole and pool them by attention,
# teacher and student: on three dev splits its students gained 0.6 over the
# default-shaped ones (BENCHMARKS.md "Session 21"); mr's are the defaults.
TEACHERS=${TEACHERS:-5}
lps() {   # lps MODEL DATAFILE -> predict lines/s over its text column (whole process, 2 threads)
    _t0=$(now); _l=$($S predict -m "$1" "$2" | wc -l); _t1=$(now)
    echo "$_t0 $_t1 $_l" | awk '{ printf "%.0f", $3 / ($2 - $1) }'
}
# distil NAME DATA TRAIN TEST UNLABELLED DISTIL_OPTS [train options...]: one
# table row (UNLABELLED "": the training file's rows only, with --labelled;
# DISTIL_OPTS: the student's alone, the train options the teacher's members' too)
distil() {
    _n=$1 _d=$2 _tr=$3 _te=$4 _un=$5 _do=$6
    shift 6
    _members=
    for k in $(seq 1 "$TEACHERS"); do
        echo "experiments: $_n teacher member $k" >&2
        [ -r "$OUT/$_n.teacher$k.ssm" ] || $S train "$_tr" "$@" --seed "$k" --quiet -o "$OUT/$_n.teacher$k.ssm"
        _members="$_members $OUT/$_n.teacher$k.ssm"
    done
    # shellcheck disable=SC2086
    $S ensemble --quiet $_members -o "$OUT/$_n.teacher.ssm"
    _accs=
    for seed in $SEEDS; do
        echo "experiments: distill $_n / seed $seed" >&2
        # (the training file as the text: its rows once, with the teacher's targets)
        _lab="--labelled $_tr"; [ "$_un" = "$_tr" ] && _lab=
        # shellcheck disable=SC2086
        $S distill "$OUT/$_n.teacher.ssm" ${_un:+"$_un"} $_lab $_do "$@" --exclude "$_te" --seed "$seed" --quiet -o "$OUT/$_n.student$seed.ssm"
        _a=$(acc "$OUT/$_n.student$seed.ssm" "$_te")
        printf 'distilled\t%s\tstudent\t%s\t%s\n' "$_n" "$seed" "$_a" >> "$OUT/runs.tsv"
        _accs="$_accs $_a"
    done
    _o=$([ $# -eq 0 ] || printf ' %s' "$@" | sed "s|$VEC|VEC|")
    echo "| $_d | ensemble of $TEACHERS models: \`train $(basename "$_tr")$_o\` | $(acc "$OUT/$_n.teacher.ssm" "$_te")% | $(lps "$OUT/$_n.teacher.ssm" "$_te") | \`distill TEACHER$([ -z "$_un" ] || echo " $(basename "$_un")")$([ "$_un" = "$_tr" ] || echo " --labelled $(basename "$_tr")")${_do:+ $_do}$_o --exclude $(basename "$_te")\` | $(echo "$_accs" | stats) | $(lps "$OUT/$_n.student1.ssm" "$_te") |"
}
if [ -n "${DISTIL-zh mr}" ] && [ "${DISTIL-}" != 0 ]; then
    echo
    echo "| data | teacher | its accuracy | its predict lines/s | student | student accuracy | student lines/s |"
    echo "|---|---|---|---|---|---|---|"
    case " ${DISTIL-zh mr} " in *" zh "*)
        distil zh ChnSentiCorp "$ZTR" "$ZTE" "" "" --embed "$VEC" --maxlen 500 --pool attention ;; esac
    case " ${DISTIL-zh mr} " in *" mr "*)
        distil mr mr "$DATA/mr.train.csv" "$DATA/mr.test.csv" "" "--hard-weight 0.5 --refit" ;; esac
fi

# The default model refit on every row, per seed (`train --refit`): trained
# once as usual (its epochs chosen by early stopping on the 10% validation
# split, its naive Bayes head's weight and scale on the same rows), then again
# from the start on all the rows for those epochs with that weight and scale
# (what `--val-split 0 --epochs E --naive-bayes-weight W --naive-bayes-scale
# S` gives by hand; tests/cli_refit.sh): 10% more rows to learn from,
# nothing chosen on the test set.  The first run alone is scored beside it.
# mr only by default: on dev splits (BENCHMARKS.md "Session 15") it gained
# 0.5 for mr's default models and no more than noise for ChnSentiCorp's
# (mr's students: the distillation row above, with --refit).
# refit NAME DATA TRAIN TEST [train options...]: one table row
refit() {
    _n=$1 _d=$2 _tr=$3 _te=$4
    shift 4
    _first= _all=
    for seed in $SEEDS; do
        echo "experiments: refit $_n / seed $seed" >&2
        $S train "$_tr" "$@" --seed "$seed" --quiet -o "$OUT/$_n.first$seed.ssm"
        $S train "$_tr" "$@" --refit --seed "$seed" --quiet -o "$OUT/$_n.refit$seed.ssm"
        _a1=$(acc "$OUT/$_n.first$seed.ssm" "$_te")
        _a2=$(acc "$OUT/$_n.refit$seed.ssm" "$_te")
        printf 'refit\t%s\tfirst\t%s\t%s\n' "$_n" "$seed" "$_a1" >> "$OUT/runs.tsv"
        printf 'refit\t%s\trefit\t%s\t%s\n' "$_n" "$seed" "$_a2" >> "$OUT/runs.tsv"
        _first="$_first $_a1"
        _all="$_all $_a2"
    done
    _o=$([ $# -eq 0 ] || printf ' %s' "$@" | sed "s|$VEC|VEC|")
    echo "| $_d | \`train $(basename "$_tr")$_o\` | $(echo "$_first" | stats) | \`train $(basename "$_tr")$_o --refit\` | $(echo "$_all" | stats) |"
}
if [ -n "${REFIT-mr}" ] && [ "${REFIT-}" != 0 ]; then
    echo
    echo "| data | default model | its accuracy | refit on every row (the epochs, weight and scale it chose) | refit accuracy |"
    echo "|---|---|---|---|---|"
    case " ${REFIT-mr} " in *" zh "*)
        refit zh ChnSentiCorp "$ZTR" "$ZTE" --embed "$VEC" ;; esac
    case " ${REFIT-mr} " in *" mr "*)
        refit mr mr "$DATA/mr.train.csv" "$DATA/mr.test.csv" ;; esac
fi
