#!/bin/sh
# tests/cli_naive_bayes.sh - `train --naive-bayes`: naive Bayes over the
# rows' words, word pairs and their words' character n-grams beside the
# network, mixed into its probabilities by a weight chosen on the
# validation rows (nn/nbhead.h).
#   - recorded in the model (network.naive_bayes: ngrams 2, alpha, scale,
#     weight, classes, pairs, char_ngrams, char_features) with its tensors
#     (nb.logp, nb.prior, nb.pairs, nb.char_off, nb.char_feat);
#   - --naive-bayes-chars 0: words and pairs only, the same network;
#     2-4: recorded as such; bad ranges a usage error;
#   - the network is the one trained without it: `--naive-bayes-weight 0`
#     predicts what a run without the head predicts, bit for bit; with the
#     head the predictions change;
#   - the same file on 1 and 2 threads; SIGINT + --resume gives the
#     uninterrupted run's file, byte for byte (the head counted at the end);
#   - --half and quantize keep the head (f32); ensembles of such models, and
#     distillation from one;
#   - on by default with validation rows and one label a row; none with
#     --keras, --no-naive-bayes or --val-split 0; a student's own;
#   - --naive-bayes-weight and --naive-bayes-scale given to train: kept as
#     given (one given, the other chosen); both, no validation rows needed:
#     --val-split 0 learns from every row, the network the one trained
#     without a head (bit for bit at weight 0); SIGINT + --resume keeps them;
#   - usage errors: --naive-bayes without validation data or with
#     --multilabel, --naive-bayes-weight on a model without a head or out
#     of 0..1; train's --naive-bayes-weight alone without validation rows,
#     with --no-naive-bayes or with --resume; --naive-bayes-chars with
#     --resume.
CLI_NAME=naive_bayes CLI_TIMEOUT=120 . tests/harness.sh

E="$D/movies_en.train.csv"
ET="$D/movies_en.test.csv"
NET="--hidden 8 --maxlen 16 --epochs 3 --batch 16 --word2vec --embed-dim 16 --seed 3"
flat() { tr -d ' \t\n' <"$T/out"; }   # the JSON on one line

run "$S" train "$E" $NET --naive-bayes --threads 1 -o nb.ssm
check "train --naive-bayes: exit 0, the head's line (pairs, weight, scale, validation log loss)" \
    '[ "$rc" -eq 0 ] && err_has "naive Bayes head: [0-9]* word pairs, [1-9][0-9]* character 3-6-grams; weight 0\.[1-9], scale [0-9.]*; validation log loss"'
run "$S" info --tensors nb.ssm
check "the model records the head: words and pairs, alpha 1, 2 classes, a weight and scale, character 3- to 6-grams" \
    'out_has "\"naive_bayes\"" && flat | grep -q "\"naive_bayes\":{\"ngrams\":2,\"alpha\":1,\"scale\":[0-9.]*,\"weight\":0\.[1-9][0-9]*,\"classes\":2,\"pairs\":[1-9][0-9]*,\"char_ngrams\":\[3,6\],\"char_features\":[1-9]"'
V=$(flat | sed -n 's/.*"vocab_size":\([0-9]*\).*/\1/p')
P=$(flat | sed -n 's/.*"classes":2,"pairs":\([0-9]*\).*/\1/p')
F=$(flat | sed -n 's/.*"char_features":\([0-9]*\).*/\1/p')
check "its tensors: nb.logp [vocabulary + pairs + n-grams, 2] f32, nb.prior [2], nb.pairs [pairs, 2] i32, nb.char_off [vocabulary + 1] i32, nb.char_feat i32" \
    "flat | grep -q '\"name\":\"nb.logp\",\"dtype\":\"f32\",\"shape\":\\[$((V + P + F)),2\\]' &&
     flat | grep -q '\"name\":\"nb.prior\",\"dtype\":\"f32\",\"shape\":\\[2\\]' &&
     flat | grep -q '\"name\":\"nb.pairs\",\"dtype\":\"i32\",\"shape\":\\[$P,2\\]' &&
     flat | grep -q '\"name\":\"nb.char_off\",\"dtype\":\"i32\",\"shape\":\\[$((V + 1))\\]' &&
     flat | grep -q '\"name\":\"nb.char_feat\",\"dtype\":\"i32\",\"shape\":\\[[1-9][0-9]*\\]'"
run "$S" info nb.ssm
check "the run records --naive-bayes" 'out_has "\"naive_bayes\":[[:space:]]*true"'

go "the same run without the head" "$S" train "$E" $NET --no-naive-bayes --threads 1 -o plain.ssm
"$S" predict -m plain.ssm "$ET" --all >p.plain 2>/dev/null
"$S" predict -m nb.ssm "$ET" --all --naive-bayes-weight 0 >p.w0 2>/dev/null
"$S" predict -m nb.ssm "$ET" --all >p.nb 2>/dev/null
check "--naive-bayes-weight 0: the network alone, the run without the head's probabilities bit for bit" '[ -s p.w0 ] && cmp -s p.w0 p.plain'
check "the head changes the probabilities" '[ -s p.nb ] && ! cmp -s p.nb p.plain'
"$S" predict -m nb.ssm --all --format csv - <"$ET" >p.stdin 2>/dev/null
check "predict from stdin: the same probabilities" 'cmp -s p.stdin p.nb'
run "$S" eval -m nb.ssm "$ET" --json
A1=$(sed -n 's/.*"accuracy":[[:space:]]*\([0-9.]*\).*/\1/p' "$T/out" | head -1)
A0=$(tail -n +2 "$ET" | cut -d, -f1 | paste - p.nb |
     awk -F'\t' '{ split($2, a, ":"); split($3, b, ":"); pred = a[2] + 0 >= b[2] + 0 ? a[1] : b[1]; ok += pred == $1 } END { printf "%.4f", ok / NR }')
check "eval's accuracy is predict's (with the head)" '[ -n "$A1" ] && awk "BEGIN { exit !(($A1 - $A0) < 0.0001 && ($A0 - $A1) < 0.0001) }"'

# --naive-bayes-chars: which n-grams, or none
run "$S" train "$E" $NET --naive-bayes --naive-bayes-chars 0 --threads 1 -o words.ssm
check "--naive-bayes-chars 0: exit 0, words and pairs only" \
    '[ "$rc" -eq 0 ] && err_has "naive Bayes head: [0-9]* word pairs; weight" && ! err_has "character"'
run "$S" info --tensors words.ssm
check "--naive-bayes-chars 0: no n-grams in the file, nb.logp [vocabulary + pairs, 2]" \
    "! out_has char_ && flat | grep -q '\"name\":\"nb.logp\",\"dtype\":\"f32\",\"shape\":\\[$((V + P)),2\\]'"
"$S" predict -m words.ssm "$ET" --all --naive-bayes-weight 0 >p.words0 2>/dev/null
"$S" predict -m words.ssm "$ET" --all >p.words 2>/dev/null
check "the same network (weight 0: bit for bit); the n-grams change the head's probabilities" \
    '[ -s p.words ] && cmp -s p.words0 p.w0 && ! cmp -s p.words p.nb'
go "--naive-bayes-chars 2-4" "$S" train "$E" $NET --naive-bayes-chars 2-4 --threads 1 -o c24.ssm
run "$S" info c24.ssm
check "--naive-bayes-chars 2-4: recorded in the head and the run" \
    'flat | grep -q "\"char_ngrams\":\[2,4\]" && flat | grep -q "\"naive_bayes_chars\":\[2,4\]"'
for bad in 6-3 10 0-3 x 3-; do
    run "$S" train "$E" $NET --naive-bayes-chars "$bad" -o x.ssm
    check "--naive-bayes-chars $bad: usage error naming the range" 'usage_err "MIN-MAX" && [ ! -e x.ssm ]'
done

go "train --naive-bayes on 2 threads" "$S" train "$E" $NET --naive-bayes --threads 2 -o nb2.ssm
check "2 threads give the 1-thread file, byte for byte" 'cmp -s nb.ssm nb2.ssm'

SIG="$NET --naive-bayes --epochs 30 --threads 1"
go "the uninterrupted reference run" "$S" train "$E" $SIG --quiet -o full.ssm
interrupt_train 2 ck.ssm "$E" $SIG
check "SIGINT: exit 130, a checkpoint" '[ "$src" = 130 ] && [ -s ck.ssm ]'
go "--resume" "$S" train "$E" --resume ck.ssm --threads 1 --quiet
check "SIGINT + --resume gives the uninterrupted run's file, head and all, byte for byte" 'cmp -s ck.ssm full.ssm'

go "train --naive-bayes --half" "$S" train "$E" $NET --naive-bayes --half -o half.ssm
run "$S" info --tensors half.ssm
check "--half: the head stays f32" "flat | grep -q '\"name\":\"nb.logp\",\"dtype\":\"f32\"'"
go "quantize a model with a head" "$S" quantize nb.ssm -o q.ssm
run "$S" info --tensors q.ssm
check "quantize: the head kept, f32" "flat | grep -q '\"naive_bayes\"' && flat | grep -q '\"name\":\"nb.logp\",\"dtype\":\"f32\"'"
"$S" predict -m q.ssm "$ET" >p.q 2>/dev/null
"$S" predict -m nb.ssm "$ET" >p.nbl 2>/dev/null
check "int8: at most 4 of 200 decisions change" '[ -s p.q ] && [ "$(paste p.q p.nbl | awk -F"\t" "\$1 != \$3" | wc -l)" -le 4 ]'

go "another model with a head" "$S" train "$E" $NET --naive-bayes --seed 4 -o nb4.ssm
go "ensemble of models with heads" "$S" ensemble nb.ssm nb4.ssm -o ens.ssm
run "$S" info --tensors ens.ssm
check "the ensemble keeps each member's head (nb.logp, m1.nb.logp)" "flat | grep -q '\"name\":\"nb.logp\"' && flat | grep -q '\"name\":\"m1.nb.logp\"'"
"$S" predict -m ens.ssm "$ET" --all --naive-bayes-weight 0 >p.ens0 2>/dev/null
"$S" predict -m ens.ssm "$ET" --all >p.ens 2>/dev/null
check "the ensemble's heads count (weight 0 changes its probabilities)" '[ -s p.ens ] && ! cmp -s p.ens p.ens0'
go "distill from it" "$S" distill ens.ssm "$D/reviews_en.txt" --labelled "$E" $NET -o st.ssm
go "eval the student" "$S" eval -m st.ssm "$ET"
run "$S" info st.ssm
check "the student has its own head by default (counted on the labels and the teacher's decisions)" 'out_has "\"naive_bayes\":[[:space:]]*{"'

# on by default where it can be: validation rows, one label a row
go "train's defaults" "$S" train "$E" --hidden 8 --maxlen 16 --epochs 2 --seed 3 --quiet -o d.ssm
run "$S" info d.ssm
check "train's defaults: a head" 'out_has "\"naive_bayes\":[[:space:]]*{"'
for o in --keras --no-naive-bayes "--val-split 0"; do
    run "$S" train "$E" --hidden 8 --maxlen 16 --epochs 2 --seed 3 $o -o n.ssm
    check "train $o: exit 0, no head" '[ "$rc" -eq 0 ] && [ -s n.ssm ] && ! "$S" info n.ssm | grep -q "\"naive_bayes\":[[:space:]]*{"'
done

# a weight and scale given: no validation rows needed (a refit on every row)
go "train --val-split 0, no head" "$S" train "$E" $NET --val-split 0 --threads 1 -o all.ssm
run "$S" train "$E" $NET --val-split 0 --naive-bayes-weight 0.3 --naive-bayes-scale 0.2 --threads 1 -o given.ssm
check "train --val-split 0 --naive-bayes-weight 0.3 --naive-bayes-scale 0.2: exit 0, says the head's are given" \
    '[ "$rc" -eq 0 ] && err_has "weight 0.3, scale 0.2 (given)"'
run "$S" info given.ssm
check "the file has them: weight 0.3, scale 0.2, recorded as given in training" \
    'flat | grep -q "\"scale\":0.2[0-9]*,\"weight\":0.3[0-9]*," && flat | grep -q "\"naive_bayes_weight\":0.3" && flat | grep -q "\"naive_bayes_scale\":0.2"'
"$S" predict -m all.ssm "$ET" >p.all 2>/dev/null
"$S" predict -m given.ssm "$ET" --naive-bayes-weight 0 >p.given0 2>/dev/null
"$S" predict -m given.ssm "$ET" >p.given 2>/dev/null
check "its network is the run's without a head (weight 0: bit for bit); the head changes it" \
    '[ -s p.all ] && cmp -s p.all p.given0 && ! cmp -s p.all p.given'
SIGG="$NET --val-split 0 --naive-bayes-weight 0.3 --naive-bayes-scale 0.2 --naive-bayes-chars 2-4 --epochs 30 --threads 1"
go "the uninterrupted run with them" "$S" train "$E" $SIGG --quiet -o fullg.ssm
interrupt_train 2 ckg.ssm "$E" $SIGG
go "--resume it" "$S" train "$E" --resume ckg.ssm --threads 1 --quiet
check "SIGINT + --resume keeps the given weight, scale and n-grams: the uninterrupted file, byte for byte" \
    '[ "$src" = 130 ] && cmp -s ckg.ssm fullg.ssm'
run "$S" train "$E" $NET --naive-bayes-weight 0.25 --threads 1 -o w.ssm
check "--naive-bayes-weight 0.25 with validation rows: kept, the scale chosen" \
    '[ "$rc" -eq 0 ] && err_has "weight 0.25, scale [0-9.]*; validation log loss"'
run "$S" train "$E" $NET --val-split 0 --naive-bayes-weight 0.3 -o x.ssm
check "--naive-bayes-weight alone without validation rows: usage error naming the scale" \
    'usage_err "naive-bayes-scale" && [ ! -e x.ssm ]'
run "$S" train "$E" $NET --no-naive-bayes --naive-bayes-scale 0.3 -o x.ssm
check "--no-naive-bayes --naive-bayes-scale: usage error" 'usage_err "no-naive-bayes" && [ ! -e x.ssm ]'
run "$S" train "$E" --resume ckg.ssm --naive-bayes-weight 0.5
check "--resume --naive-bayes-weight: usage error (the checkpoint's)" 'usage_err "checkpoint"'
run "$S" train "$E" --resume ckg.ssm --naive-bayes-chars 3-5
check "--resume --naive-bayes-chars: usage error (the checkpoint's)" 'usage_err "checkpoint"'

run "$S" train "$E" $NET --naive-bayes --val-split 0 -o x.ssm
check "--naive-bayes without validation data: usage error (exit 2) naming --val" '[ "$rc" -eq 2 ] && err_has "validation" && [ ! -e x.ssm ]'
run "$S" train "$E" $NET --naive-bayes --multilabel -o x.ssm
check "--naive-bayes --multilabel: usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "multilabel" && [ ! -e x.ssm ]'
run "$S" predict -m plain.ssm "$ET" --naive-bayes-weight 0.5
check "--naive-bayes-weight on a model without a head: exit 2, says so" '[ "$rc" -eq 2 ] && err_has "no naive Bayes head"'
run "$S" eval -m nb.ssm "$ET" --naive-bayes-weight 1.5
check "--naive-bayes-weight 1.5: usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "naive-bayes-weight"'

finish
