#!/bin/sh
# The main job on bundled sample data (tests/data, synthetic and ours):
# segment Chinese with the sample dictionary, build a vocabulary and add the
# sample word vectors, train train's default network on the frozen vectors, evaluate it,
# and classify the example reviews from stdin; then the same for English.
# Labels are named: the demo's copies of the data say negative/positive
# where the bundled files say 0/1.  Each step ends with a line "=> ..."
# saying what it showed; the predictions are checked against the intended
# labels (tests/data/reviews_*.expected).  Deterministic (fixed seeds).
#
#   sh scripts/demo.sh          (make demo)     SEQSENT=path/to/seqsent, DEMO_OUT=dir
set -e
cd "$(dirname "$0")/.."
BIN=${SEQSENT:-./seqsent}
D=tests/data
OUT=${DEMO_OUT:-models}
mkdir -p "$OUT"

# the bundled data with readable label names: 0 -> negative, 1 -> positive
named() { sed -e '1!s/^0,/negative,/' -e '1!s/^1,/positive,/' "$@"; }
named $D/hotel_zh.train.csv >"$OUT/hotel.train.csv"
named $D/hotel_zh.test.csv >"$OUT/hotel.test.csv"
# English: the movie reviews plus a few demo rows of our own (phrases such as
# "kept me hooked", "2 hours" in both senses, which the generated set lacks)
{ named $D/movies_en.train.csv; tail -n +2 $D/demo_en.extra.csv; } >"$OUT/movies.train.csv"
named $D/movies_en.test.csv >"$OUT/movies.test.csv"

# accuracy (a fraction) from `eval` output
accuracy() { awk '$1 == "accuracy" { printf "%.1f%%", 100 * $2 }' "$1"; }
# predict the example reviews, show label, probability and text, and say how
# many got their intended label
predict_examples() {
    model=$1 texts=$2 expected=$3
    $BIN predict -m "$model" <"$texts" >"$OUT/predicted.txt"
    paste "$OUT/predicted.txt" "$texts"
    right=$(cut -f1 "$OUT/predicted.txt" | paste -d' ' - "$expected" | awk '$1 == $2' | wc -l)
    echo "=> $right of $(wc -l <"$expected") example reviews got their intended label"
}

echo "== seqsent $($BIN --version | cut -d' ' -f2): demo on bundled sample data (synthetic reviews)"
echo "-- tokenize (dictionary segmentation):"
head -3 $D/reviews_zh.txt | $BIN tokenize --dict $D/zh_dict.txt
echo "=> the dictionary cut each review into words (a space between them)"

echo "-- vocab + embed:"
$BIN vocab "$OUT/hotel.train.csv" --dict $D/zh_dict.txt -o "$OUT/base.ssm"
$BIN embed "$OUT/base.ssm" $D/zh_vectors.txt -o "$OUT/base.ssm"
echo "=> a vocabulary from the training reviews, with pretrained word vectors for the words they cover"

echo "-- train (train's default network, a bidirectional GRU, on the frozen pretrained embedding; early stopping on a 10% validation split):"
$BIN train "$OUT/hotel.train.csv" --from "$OUT/base.ssm" --freeze --hidden 32 --maxlen 40 \
    --lr 0.005 --seed 1 --plot "$OUT/hotel-curves.svg" -o "$OUT/hotel.ssm"
echo "=> a model in $OUT/hotel.ssm; loss and accuracy per epoch in $OUT/hotel-curves.svg"

echo "-- eval on the held-out test set:"
$BIN eval -m "$OUT/hotel.ssm" "$OUT/hotel.test.csv" | tee "$OUT/eval.txt"
echo "=> $(accuracy "$OUT/eval.txt") of the held-out reviews classified right"

echo "-- predict from stdin:"
predict_examples "$OUT/hotel.ssm" $D/reviews_zh.txt $D/reviews_zh.expected

echo "-- English (the default network, with its bag of words and bigrams, a trainable random embedding (--no-word2vec), one step):"
$BIN train "$OUT/movies.train.csv" --no-word2vec --hidden 32 --embed-dim 32 --maxlen 30 --epochs 15 --lr 0.005 --seed 6 \
    --quiet -o "$OUT/movies.ssm"
$BIN eval -m "$OUT/movies.ssm" "$OUT/movies.test.csv" >"$OUT/eval.txt"
echo "=> trained $OUT/movies.ssm: $(accuracy "$OUT/eval.txt") of the held-out reviews classified right"
predict_examples "$OUT/movies.ssm" $D/reviews_en.txt $D/reviews_en.expected
rm -f "$OUT/eval.txt" "$OUT/predicted.txt"
echo "== demo done: models and training curves (hotel-curves.svg) in $OUT/"
