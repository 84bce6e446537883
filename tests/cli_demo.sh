#!/bin/sh
# tests/cli_demo.sh - `make demo` (scripts/demo.sh) on the bundled data: it
# runs, names its labels, says what each step showed, and its models give
# every example review its intended label (tests/data/reviews_*.expected).
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-demo CLI_TIMEOUT=240 . tests/harness.sh

run env SEQSENT="$S" DEMO_OUT="$T/demo" sh "$ROOT/scripts/demo.sh"
check "the demo runs to its end" '[ $rc -eq 0 ] && out_has "== demo done"'
cp "$T/out" demo.txt
# the prediction lines: label TAB probability TAB text
awk -F '\t' 'NF == 3 && $2 ~ /^[01]\.[0-9]+$/' demo.txt >pred.txt
check "16 example predictions, labels by name (negative/positive), not 0/1" \
    '[ "$(wc -l <pred.txt)" = 16 ] && [ "$(cut -f1 pred.txt | sort -u | tr "\n" " ")" = "negative positive " ]'
head -8 pred.txt | cut -f3 >zh_texts.txt
tail -8 pred.txt | cut -f3 >en_texts.txt
check "... the Chinese and the English example files, in order" \
    'cmp -s zh_texts.txt "$D/reviews_zh.txt" && cmp -s en_texts.txt "$D/reviews_en.txt"'
head -8 pred.txt | cut -f1 >zh_got.txt
tail -8 pred.txt | cut -f1 >en_got.txt
why="$(paste zh_got.txt "$D/reviews_zh.expected" "$D/reviews_zh.txt" | awk -F '\t' '$1 != $2' | head -3)"
check "every Chinese example review gets its intended label" 'cmp -s zh_got.txt "$D/reviews_zh.expected"'
why="$(paste en_got.txt "$D/reviews_en.expected" "$D/reviews_en.txt" | awk -F '\t' '$1 != $2' | head -3)"
check "every English example review gets its intended label (the first: 'The acting was brilliant ...' positive)" \
    'cmp -s en_got.txt "$D/reviews_en.expected" && [ "$(head -1 en_got.txt)" = positive ]'
check "... and the demo says so itself" '[ "$(grep -c "^=> 8 of 8 example reviews got their intended label$" demo.txt)" = 2 ]'
check "a one-line summary after each step (tokenize, vocab, train, eval, predict, English train, predict)" \
    '[ "$(grep -c "^=> " demo.txt)" = 7 ] && grep -q "^=> [0-9.]*% of the held-out reviews classified right$" demo.txt'
check "the demo's data copies and models are where DEMO_OUT says" \
    '[ -s demo/hotel.ssm ] && [ -s demo/movies.ssm ] && [ -s demo/hotel-curves.svg ] && head -2 demo/hotel.train.csv | tail -1 | grep -Eq "^(negative|positive),"'
finish
