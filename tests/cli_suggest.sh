#!/bin/sh
# tests/cli_suggest.sh - typos answered: "did you mean" for commands and
# options, ambiguous prefixes listed, Keras / fastText spellings accepted as
# aliases or answered with seqsent's way.
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-suggest . tests/harness.sh

E="$D/movies_en.train.csv"
# suggestion CASE EXPECTED ARGS...: exit 2, nothing on stdout, one line (+hint) naming EXPECTED
while IFS='|' read -r desc want args; do
    [ -n "$desc" ] || continue
    # shellcheck disable=SC2086
    run "$S" $args
    check "$desc" "usage_err \"$want\""
done <<EOF2
a mistyped command suggests the command|did you mean 'seqsent train'|trian x.csv
'test' suggests eval|did you mean 'seqsent eval'|test -m m.ssm x.csv
'evaluate' suggests eval|did you mean 'seqsent eval'|evaluate
'tokenise' suggests tokenize|did you mean 'seqsent tokenize'|tokenise x
a mistyped option suggests the option|did you mean '--hidden'|train $E --hiden 5 -o m.ssm
a transposition is one edit|did you mean '--threshold'|predict -m m.ssm --thersold 0.5
an ambiguous prefix lists the candidates|--embed, --embed-dim, --ema|train $E --em 4 -o m.ssm
fastText -wordNgrams is answered|no word n-grams|train $E -wordNgrams 2 -o m.ssm
--loss is answered|sigmoid|train $E --loss softmax -o m.ssm
nothing close: plain unknown|unknown option '--zzzzzzzz'|train $E --zzzzzzzz -o m.ssm
EOF2
run "$S" frobnicate
check "an unknown command with nothing close: no guess" 'usage_err frobnicate && ! err_has "did you mean"'

# aliases: Keras and fastText names train the same model as ours
run "$S" train "$E" --epochs 1 --lr 0.01 --batch 8 --val-split 0.1 --embed-dim 8 --hidden 8 --layers 1 \
    --threads 1 --quiet -o ours.ssm
check "reference run with seqsent's option names" '[ $rc -eq 0 ]'
run "$S" train "$E" -epoch 1 -lr 0.01 --batch-size 8 --validation-split 0.1 -dim 8 --units 8 --layers 1 \
    -thread 1 --quiet -o theirs.ssm
check "Keras/fastText spellings (-epoch -lr --batch-size --validation-split -dim --units -thread) are aliases" \
    '[ $rc -eq 0 ] && cmp -s ours.ssm theirs.ssm'
run "$S" train "$E" --learning-rate=0.01 --epoch=1 --batch_size=8 --validation_split=0.1 --embed-dim 8 \
    --hidden 8 --layers 1 --threads 1 --quiet -o theirs2.ssm
check "--alias=VALUE forms work too" '[ $rc -eq 0 ] && cmp -s ours.ssm theirs2.ssm'
run "$S" vectors "$E" -dim 8 -epoch 1 -minCount 2 -ws 2 -neg 3 -thread 1 --quiet -o v1.vec
run "$S" vectors "$E" --dim 8 --epochs 1 --min-count 2 --window 2 --negative 3 --threads 1 --quiet -o v2.vec
check "vectors: fastText's -dim -epoch -minCount -ws -neg -thread" '[ $rc -eq 0 ] && cmp -s v1.vec v2.vec'
# an option argument that looks like an alias is left alone
run "$S" train "$E" --epochs 1 --embed-dim 8 --hidden 8 --layers 1 --threads 1 --quiet -o -lr
check "an option's value is never rewritten (-o -lr writes a file named -lr)" '[ $rc -eq 0 ] && [ -s ./-lr ]'
run "$S" print-sentence-vectors
check "fastText's print-sentence-vectors: did you mean encode" '[ "$rc" = 2 ] && err_has "did you mean .seqsent encode."'
run "$S" --help
check "the top-level --help fits 80 columns" '[ "$rc" = 0 ] && [ -s "$T/out" ] && [ -z "$(awk "length > 80" "$T/out")" ]'
finish
