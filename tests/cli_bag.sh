#!/bin/sh
# tests/cli_bag.sh - `train --bag G`: a bag of the text's words and word
# bigrams (fastText's features) beside the recurrent summary (nn/bag.h).
#   - recorded in the model (network.bag: dim, buckets, ngrams 2), a tensor
#     of vocabulary + buckets rows; the bag changes the predictions;
#   - the same bits on 1, 2 and 3 threads; SIGINT + --resume gives the
#     uninterrupted run's file, byte for byte;
#   - --half, quantize (the bag's rows int8 or bf16), ensemble, distill and encode
#     (its vectors: the summary and the bag's G features);
#   - a damaged bag row is found when read (exit 1, 'corrupt');
#   - usage errors: --bag-buckets without --bag, --bag with --resume.
CLI_NAME=bag CLI_TIMEOUT=120 . tests/harness.sh

E="$D/movies_en.train.csv"
ET="$D/movies_en.test.csv"
NET="--hidden 8 --maxlen 16 --epochs 3 --batch 16 --word2vec --embed-dim 16 --seed 3"

go "train --bag 6" "$S" train "$E" $NET --bag 6 --bag-buckets 500 --threads 1 -o bag.ssm
run "$S" info --tensors bag.ssm
check "the model records the bag: 6 features, 500 buckets, words and bigrams" \
    'out_has "\"bag\"" && out_has "\"dim\":[^,]*6" && out_has "\"buckets\":[^,]*500" && out_has "\"ngrams\":[^,]*2"'
flat() { tr -d ' \t\n' <"$T/out"; }   # the JSON on one line
V=$(flat | sed -n 's/.*"vocab_size":\([0-9]*\).*/\1/p')
check "a bag tensor of vocabulary + buckets rows x 6, f32" "flat | grep -q '\"name\":\"bag\",\"dtype\":\"f32\",\"shape\":\\[$((V + 500)),6\\]'"
go "train without the bag" "$S" train "$E" $NET --threads 1 -o nobag.ssm
"$S" predict -m bag.ssm "$ET" >p.bag 2>/dev/null
"$S" predict -m nobag.ssm "$ET" >p.nobag 2>/dev/null
check "the bag changes the predictions" '[ -s p.bag ] && ! cmp -s p.bag p.nobag'
go "eval the bag model" "$S" eval -m bag.ssm "$ET"

for th in 2 3; do
    [ -n "$QUICK" ] && [ "$th" = 3 ] && continue
    go "train --bag on $th threads" "$S" train "$E" $NET --bag 6 --bag-buckets 500 --threads $th -o bag$th.ssm
    check "--bag: $th threads give the 1-thread file, byte for byte" 'cmp -s bag.ssm bag'$th'.ssm'
done

SIG="$NET --bag 6 --bag-buckets 500 --epochs 30 --threads 1"
go "the uninterrupted reference run" "$S" train "$E" $SIG --quiet -o full.ssm
interrupt_train 2 ck.ssm "$E" $SIG
check "SIGINT: exit 130, a checkpoint" '[ "$src" = 130 ] && [ -s ck.ssm ]'
go "--resume" "$S" train "$E" --resume ck.ssm --threads 1 --quiet
check "--bag: SIGINT + --resume gives the uninterrupted run's file, byte for byte" 'cmp -s ck.ssm full.ssm'

go "train --bag --half" "$S" train "$E" $NET --bag 6 --bag-buckets 500 --half -o half.ssm
"$S" predict -m half.ssm "$ET" >p.half 2>/dev/null
check "--half: at most 4 of 200 decisions change" '[ -s p.half ] && [ "$(paste p.half p.bag | awk -F"\t" "\$1 != \$3" | wc -l)" -le 4 ]'
go "quantize a bag model" "$S" quantize bag.ssm -o q.ssm
run "$S" info --tensors q.ssm
check "quantize: the bag in int8 with a scale per row, as the embedding" \
    "flat | grep -q '\"name\":\"bag\",\"dtype\":\"i8\"' && flat | grep -q '\"name\":\"bag.scale\",\"dtype\":\"f32\",\"shape\":\\[$((V + 500))\\]'"
"$S" predict -m q.ssm "$ET" >p.q 2>/dev/null
check "int8: at most 4 of 200 decisions change" '[ -s p.q ] && [ "$(paste p.q p.bag | awk -F"\t" "\$1 != \$3" | wc -l)" -le 4 ]'
go "quantize --bf16 a bag model" "$S" quantize --bf16 bag.ssm -o qb.ssm
"$S" predict -m qb.ssm "$ET" >p.qb 2>/dev/null
check "bf16: at most 4 of 200 decisions change" '[ -s p.qb ] && [ "$(paste p.qb p.bag | awk -F"\t" "\$1 != \$3" | wc -l)" -le 4 ]'
run "$S" encode -m bag.ssm "$D/reviews_en.txt"
cp "$T/out" enc.f32
run "$S" encode -m q.ssm "$D/reviews_en.txt"
check "int8: the bag's features close to f32's (encode, within 0.02)" \
    '[ $rc -eq 0 ] && paste -d" " enc.f32 "$T/out" | awk "{ n = NF / 2; for (i = 17; i <= n; i++) { d = \$i - \$(i + n); if (d > 0.02 || d < -0.02) bad++ } } END { exit bad > 0 }"'

go "another bag model" "$S" train "$E" $NET --bag 6 --bag-buckets 500 --seed 4 -o bag4.ssm
go "ensemble of bag models" "$S" ensemble bag.ssm bag4.ssm -o ens.ssm
go "eval the ensemble" "$S" eval -m ens.ssm "$ET"
go "distill into a bag student" "$S" distill ens.ssm "$D/reviews_en.txt" --labelled "$E" $NET --bag 4 -o st.ssm
run "$S" info st.ssm
check "the student has its own bag (4 features, 2048 buckets: 8 per word of 232, a power of two)" 'out_has "\"dim\":[^,]*4" && out_has "\"buckets\":[^,]*2048"'

printf 'a great film\nawful\n' >two.txt
run "$S" encode -m bag.ssm two.txt
check "encode: the summary (2 x 8) and the bag (6): 22 numbers a line" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ] && [ "$(head -1 "$T/out" | wc -w)" -eq 22 ]'

# the bag's rows are checked as they are read (like the embedding's): a
# model that is mostly bag, damaged in the middle, is refused
go "a model that is mostly bag" "$S" train "$E" --hidden 4 --maxlen 16 --epochs 1 --bag 16 --bag-buckets 100000 --quiet -o big.ssm
cp big.ssm bigc.ssm
printf 'ZZZZZZZZ' | dd of=bigc.ssm bs=1 seek=$(($(wc -c <big.ssm) / 2)) conv=notrunc 2>/dev/null
run "$S" predict -m bigc.ssm "$E"
check "a damaged bag row: predict exits 1, 'corrupt'" '[ "$rc" -eq 1 ] && err_has "corrupt"'
run "$S" predict -m big.ssm "$E"
check "... the undamaged file predicts" '[ "$rc" -eq 0 ] && [ -s "$T/out" ]'

# the defaults: a bag of 32 for English, none for Chinese or --keras
go "train English text with the defaults" "$S" train "$E" --hidden 4 --maxlen 16 --epochs 1 --quiet -o den.ssm
run "$S" info den.ssm
check "English text: a bag of 32 by default, 2048 buckets (8 per word of 232, a power of two)" 'out_has "\"dim\":[^,]*32" && out_has "\"buckets\":[^,]*2048"'
go "train Chinese text with the defaults" "$S" train "$D/hotel_zh.train.csv" --hidden 4 --maxlen 16 --epochs 1 --quiet -o dzh.ssm
run "$S" info dzh.ssm
check "Chinese text: no bag by default" '[ $rc -eq 0 ] && ! out_has "\"bag\""'
go "train --keras" "$S" train "$E" --keras --hidden 4 --maxlen 16 --epochs 1 --quiet -o dk.ssm
run "$S" info dk.ssm
check "--keras: no bag" '[ $rc -eq 0 ] && ! out_has "\"bag\""'
go "train Chinese text --bag 8" "$S" train "$D/hotel_zh.train.csv" --bag 8 --hidden 4 --maxlen 16 --epochs 1 --quiet -o dzh8.ssm
run "$S" info dzh8.ssm
check "Chinese text --bag 8: a bag of 8" 'out_has "\"dim\":[^,]*8"'

run "$S" train "$D/hotel_zh.train.csv" $NET --bag-buckets 100 -o x.ssm
check "--bag-buckets on Chinese text without --bag: usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "give --bag" && [ ! -e x.ssm ]'
run "$S" train "$E" $NET --bag 0 --bag-buckets 100 -o x.ssm
check "--bag 0 --bag-buckets: usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "give --bag" && [ ! -e x.ssm ]'
run "$S" train "$E" --resume ck.ssm --bag 4 -o x.ssm
check "--bag with --resume: usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "from the checkpoint" && [ ! -e x.ssm ]'

finish
