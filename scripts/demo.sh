#!/bin/sh
# The main job on bundled sample data: build a vocabulary with the sample
# dictionary, add the sample word vectors, train a frozen-pretrained
# 2-layer LSTM, evaluate it, and classify a few lines from stdin.
set -e
cd "$(dirname "$0")/.."
BIN=./seqsent
D=tests/data
OUT=${DEMO_OUT:-models}
mkdir -p "$OUT"

echo "== seqsent $($BIN --version | cut -d' ' -f2): demo on bundled sample data (synthetic hotel reviews)"
echo "-- tokenize (dictionary segmentation):"
head -3 $D/reviews_zh.txt | $BIN tokenize --dict $D/zh_dict.txt

echo "-- vocab + embed:"
$BIN vocab $D/hotel_zh.train.csv --dict $D/zh_dict.txt -o "$OUT/base.ssm"
$BIN embed "$OUT/base.ssm" $D/zh_vectors.txt -o "$OUT/base.ssm"

echo "-- train (frozen pretrained embedding, 2 x LSTM-32):"
$BIN train $D/hotel_zh.train.csv --from "$OUT/base.ssm" --freeze --hidden 32 --maxlen 40 \
    --epochs 15 --lr 0.005 --val $D/hotel_zh.test.csv --plot "$OUT/hotel-curves.svg" -o "$OUT/hotel.ssm"

echo "-- eval on the held-out test set:"
$BIN eval -m "$OUT/hotel.ssm" $D/hotel_zh.test.csv

echo "-- predict from stdin:"
cat $D/reviews_zh.txt | $BIN predict -m "$OUT/hotel.ssm" | paste - $D/reviews_zh.txt

echo "-- English (GRU, trainable random embedding, one step):"
$BIN train $D/movies_en.train.csv --cell gru --hidden 32 --embed-dim 32 --maxlen 30 --epochs 8 --quiet -o "$OUT/movies.ssm"
$BIN eval -m "$OUT/movies.ssm" $D/movies_en.test.csv --json
cat $D/reviews_en.txt | $BIN predict -m "$OUT/movies.ssm" | paste - $D/reviews_en.txt
echo "== demo done: models and training curves (hotel-curves.svg) in $OUT/"
