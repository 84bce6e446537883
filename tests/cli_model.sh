#!/bin/sh
# tests/cli_model.sh - the model-family and training-loop options end to end:
# every architecture/optimizer option trains, is recorded in the model file
# (info), survives save/load (predictions of the file equal those of a copy)
# and evaluates, and the training-loop options do what they
# say (early stop from validation data, val-split, log, plot, save-every,
# resume of a --save-every checkpoint).
#
# Run from the repository root after `make`:   sh tests/cli_model.sh
# Prints "ok - ..." / "FAIL - ..." per check and "N passed, N failed".

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
S=${SEQSENT:-./seqsent}
case $S in /*) ;; *) S=$ROOT/$S ;; esac
D=$ROOT/tests/data
[ -x "$S" ] || { echo "FAIL - $S is not built"; echo "0 passed, 1 failed"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-cli-model.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
LC_ALL=C
export LC_ALL

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; [ -s err ] && sed 's/^/    | /' err | head -5; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# small, fast settings; the 3-class tweets exercise softmax
SMALL="--keras --hidden 8 --embed-dim 8 --maxlen 24 --epochs 2 --threads 1 --quiet"
TR=$D/tweets3.train.csv
TE=$D/tweets3.test.csv

# train_check NAME "OPTIONS" 'JSON-CONDITION on info output in file info.json'
train_check() {
    name=$1 opts=$2 cond=$3
    # shellcheck disable=SC2086
    if ! $S train "$TR" $SMALL $opts -o m.ssm 2>err; then bad "train $name: exit status"; return; fi
    $S info m.ssm >info.json 2>err
    check "train $name: recorded in the model ($cond)" "grep -q '$cond' info.json"
    cp m.ssm copy.ssm
    $S predict -m m.ssm --all "$D/reviews_en.txt" >p1 2>err
    $S predict -m copy.ssm --all "$D/reviews_en.txt" >p2 2>err
    check "train $name: a copied file predicts the same" "[ -s p1 ] && cmp -s p1 p2"
    $S eval --json -m m.ssm "$TE" >ev.json 2>err
    acc=$(sed -E 's/.*"accuracy":([0-9.eE+-]+).*/\1/' ev.json)
    check "train $name: eval runs (accuracy $acc)" "[ -n '$acc' ]"
}

train_check "gru" "--cell gru" '"cell":.*"gru"'
train_check "rnn" "--cell rnn" '"cell":.*"rnn"'
train_check "bidirectional lstm" "--bidirectional" '"bidirectional":.*true'
train_check "dropout" "--dropout 0.3" '"dropout":.*0.3'
train_check "hidden dense" "--dense 6" '"dense":.*6'
train_check "max pooling" "--pool max" '"pool":.*"max"'
train_check "mean pooling + mask" "--pool mean --mask" '"pool":.*"mean"'
train_check "attention pooling of 5 units + mask" "--pool attention --attention-units 5 --mask --bidirectional" '"attention_units":.*5,'
train_check "3 layers" "--layers 3" '"layers":.*3'
train_check "adamw" "--optimizer adamw --weight-decay 0.05" '"optimizer":.*"adamw"'
train_check "sgd" "--optimizer sgd --momentum 0.8 --lr 0.05" '"optimizer":.*"sgd"'
train_check "lr decay + clip norm" "--lr-decay 0.5 --clip-norm 1" '"lr_decay":.*0.5'
train_check "class weights" "--class-weight auto" '"class_weight":.*"auto"'
train_check "bucket" "--bucket --mask" '"bucket":.*true'

# usage errors for the new options
for bad_opt in "--cell lstmx" "--pool median" "--dropout 1" "--optimizer rmsprop" "--class-weight balanced" \
               "--weight-decay 0.1" "--momentum 0.5" "--dense 0" "--attention-units 8" "--pool attention --attention-units 0"; do
    # shellcheck disable=SC2086
    $S train "$TR" $SMALL $bad_opt -o x.ssm >out 2>err
    rc=$?
    check "train $bad_opt: usage error (exit 2)" "[ $rc -eq 2 ] && [ ! -e x.ssm ]"
done

# early stopping picks the epoch from validation data and keeps its weights
$S train "$TR" --hidden 8 --embed-dim 8 --maxlen 24 --threads 1 --epochs 30 --lr 0.05 \
    --val-split 0.2 --early-stop 2 --log log.jsonl -o es.ssm 2>err
check "early stop: stops before 30 epochs" "[ \$(wc -l <log.jsonl) -lt 30 ]"
check "early stop: reports the kept epoch" "grep -q 'keeping the weights of epoch' err"
best=$(sed -E 's/.*keeping the weights of epoch ([0-9]+).*/\1/;t;d' err)
minep=$(python3 -c 'import json,sys; h=[json.loads(l) for l in open("log.jsonl")]; print(min(h,key=lambda e:e["val_loss"])["epoch"])' 2>/dev/null)
check "early stop: kept epoch ($best) has the lowest validation loss ($minep)" "[ -z '$minep' ] || [ '$best' = '$minep' ]"
check "log: one JSON object per epoch with val_loss" "grep -c val_loss log.jsonl | grep -q '^[1-9]'"
# --monitor accuracy: the kept epoch has the highest validation accuracy,
# ties going to the lower loss; recorded in the model
$S train "$TR" --hidden 8 --embed-dim 8 --maxlen 24 --threads 1 --epochs 30 --lr 0.05 \
    --val-split 0.2 --early-stop 2 --monitor accuracy --log acc.jsonl -o acc.ssm 2>err
best=$(sed -E 's/.*keeping the weights of epoch ([0-9]+).*/\1/;t;d' err)
accep=$(python3 -c 'import json; h=[json.loads(l) for l in open("acc.jsonl")]; print(max(h,key=lambda e:(e["val_accuracy"],-e["val_loss"]))["epoch"])' 2>/dev/null)
check "monitor accuracy: the early stop message names accuracy" "grep -q 'validation accuracy has not improved' err"
check "monitor accuracy: kept epoch ($best) has the highest validation accuracy ($accep)" "[ -n '$best' ] && { [ -z '$accep' ] || [ '$best' = '$accep' ]; }"
check "monitor accuracy: recorded in the model" "$S info acc.ssm | tr -d '\n\t ' | grep -q '\"monitor\":\"accuracy\"'"
check "monitor loss (the default) is not recorded" "! $S info es.ssm | grep -q monitor"
$S train "$TR" $SMALL --val-split 0.2 --monitor f1 -o y.ssm >/dev/null 2>err
check "--monitor f1: usage error (exit 2) naming the choices" "[ \$? -eq 2 ] && grep -q 'loss or accuracy' err && [ ! -e y.ssm ]"
check "early stop without validation data is a usage error" \
    "! $S train $TR $SMALL --val-split 0 --early-stop 2 -o y.ssm 2>/dev/null && [ ! -e y.ssm ]"

# --ema: stored, changes the weights, validation and early stopping see the average
VA=$D/tweets3.test.csv
$S train "$TR" $SMALL --ema 0.9 --val "$VA" --early-stop 2 --epochs 6 --log ema.jsonl -o ema.ssm 2>err
check "ema: training with --ema 0.9 succeeds and stores the momentum" \
    "$S info ema.ssm | tr -d '\n\t ' | grep -q '\"ema\":0.9'"
check "ema: the model's weights are not those of the same run without --ema" \
    "$S train $TR $SMALL --val $VA --early-stop 2 --epochs 6 --ema 0 --quiet -o noema.ssm 2>/dev/null && ! cmp -s ema.ssm noema.ssm"
if command -v python3 >/dev/null 2>&1; then
    $S eval --json --threads 1 -m ema.ssm "$VA" >ema_eval.json 2>/dev/null
    check "ema: the saved (averaged) weights score exactly the best validation loss of the log" \
        "python3 -c 'import json,sys; h=[json.loads(l) for l in open(\"ema.jsonl\")]; e=json.load(open(\"ema_eval.json\")); sys.exit(abs(min(r[\"val_loss\"] for r in h) - e[\"loss\"]) > 1e-6)'"
fi
check "ema: --ema 0 turns it off (not recorded)" "! $S info noema.ssm | grep -q '\"ema\"'"
check "ema: train's default is 0.99 (recorded)" "$S info es.ssm | tr -d '\n\t ' | grep -q '\"ema\":0.99'"
for bad in 1 -0.5 1e-9 abc; do
    check "ema: --ema $bad is a usage error (exit 2)" "$S train $TR $SMALL --ema $bad -o z.ssm 2>/dev/null; [ \$? -eq 2 ]"
done

# --word-dropout: stored, changes training, only while training
$S train "$TR" $SMALL --word-dropout 0.3 -o wd.ssm 2>err
check "word-dropout: stored in the model" "$S info wd.ssm | tr -d '\n\t ' | grep -q '\"word_dropout\":0.3'"
$S train "$TR" $SMALL -o nowd.ssm 2>err
check "word-dropout: the weights differ from the same run without it" "! cmp -s wd.ssm nowd.ssm"
$S train "$TR" $SMALL --word-dropout 0.3 -o wd2.ssm 2>err
check "word-dropout: same seed, same model" "cmp -s wd.ssm wd2.ssm"
for bad in 1 -0.1 x; do
    check "word-dropout: --word-dropout $bad is a usage error (exit 2)" "$S train $TR $SMALL --word-dropout $bad -o z.ssm 2>/dev/null; [ \$? -eq 2 ]"
done

# ensemble: members trained from one base; predictions are the mean of theirs
$S vocab "$TR" -o ebase.ssm 2>err
for sd in 1 2; do $S train "$TR" --from ebase.ssm $SMALL --seed $sd -o e$sd.ssm 2>err; done
$S train "$TR" --from ebase.ssm $SMALL --cell gru --mask --layers 1 -o e3.ssm 2>err
$S ensemble e1.ssm e2.ssm e3.ssm -o ens.ssm 2>err
check "ensemble: three models (LSTM, LSTM, masked GRU) into one file" "[ -s ens.ssm ]"
check "ensemble: info lists the two further members and their tensors under m1./m2." \
    "$S info --tensors ens.ssm | tr -d '\n\t ' | grep -q '\"members\":\[{\"network\"' && $S info --tensors ens.ssm | grep -q '\"m2.gru.0.W\"'"
TX=$D/reviews_en.txt
for f in e1 e2 e3 ens; do $S predict --all -m $f.ssm "$TX" > $f.pred 2>err; done
check "ensemble: predict gives the mean of the members' probabilities" \
    "paste e1.pred e2.pred e3.pred ens.pred | awk -F'[\t:]' '{ for (k = 0; k < 3; k++) { m = (\$(2+2*k) + \$(2+2*k+6) + \$(2+2*k+12)) / 3; d = m - \$(2+2*k+18); if (d > 2e-6 || d < -2e-6) bad = 1 } } END { exit bad }'"
$S eval --json -m ens.ssm "$D/tweets3.test.csv" > ens_eval.json 2>err
check "ensemble: eval scores it like any model" "grep -q '\"accuracy\"' ens_eval.json"
$S ensemble ens.ssm e1.ssm -o ens4.ssm 2>err
check "ensemble: an ensemble as input is flattened (4 networks)" "grep -q '4 networks' err"
$S train "$TR" $SMALL --min-count 2 -o other.ssm 2>err
$S ensemble e1.ssm other.ssm -o bad.ssm 2>err
rc=$?
check "ensemble: a model with another vocabulary is refused (exit 1, names the file), nothing written" \
    "[ $rc -eq 1 ] && grep -q 'other.ssm.*vocabulary' err && [ ! -e bad.ssm ]"
$S train "$D/movies_en.train.csv" --from ebase.ssm $SMALL -o movies.ssm 2>err
$S ensemble e1.ssm movies.ssm -o bad.ssm 2>err
rc=$?
check "ensemble: a model with other labels is refused (exit 1)" "[ $rc -eq 1 ] && grep -q 'different labels' err && [ ! -e bad.ssm ]"
check "ensemble: one model is a usage error (exit 2)" "$S ensemble e1.ssm -o x.ssm 2>/dev/null; [ \$? -eq 2 ]"
check "ensemble: -o is required (exit 2)" "$S ensemble e1.ssm e2.ssm 2>/dev/null; [ \$? -eq 2 ]"
check "ensemble: train --resume of an ensemble is refused (exit 1)" \
    "$S train $TR --resume ens.ssm -o y.ssm 2>err; [ \$? -eq 1 ] && grep -q 'ensemble' err"
$S train "$TR" --from ens.ssm $SMALL -o fromens.ssm 2>err
check "ensemble: train --from an ensemble starts a single model from its shared parts" \
    "[ -s fromens.ssm ] && ! $S info fromens.ssm | grep -q '\"members\"'"
# --half: 16-bit weights, same predictions to about 3 digits
$S train "$TR" --from ebase.ssm $SMALL --seed 1 --half -o e1h.ssm 2>err
emb_bytes() { $S info --tensors "$1" | tr -d '\n\t ' | sed 's/.*"name":"embedding","dtype":"[a-z0-9]*","shape":\[[0-9,]*\],"nbytes":\([0-9]*\).*/\1/'; }
check "half: train --half stores f16 weights (half the bytes) in a format-version-2 file" \
    "$S info --tensors e1h.ssm | tr -d '\n\t ' | grep -q '\"name\":\"lstm.0.W\",\"dtype\":\"f16\"' &&
     $S info e1h.ssm | tr -d '\n\t ' | grep -q '\"format_version\":2' &&
     [ \$(( \$(emb_bytes e1h.ssm) * 2 )) -eq \$(emb_bytes e1.ssm) ] && [ \$(wc -c < e1h.ssm) -lt \$(wc -c < e1.ssm) ]"
$S predict --all -m e1h.ssm "$TX" > e1h.pred 2>err
check "half: probabilities within 2e-3 of the 32-bit model's" \
    "paste e1.pred e1h.pred | awk -F'[\t:]' '{ for (k = 2; k <= 6; k += 2) { d = \$k - \$(k + 6); if (d > 2e-3 || d < -2e-3) bad = 1 } } END { exit bad }'"
$S ensemble --half --quiet e1.ssm e2.ssm e3.ssm -o ensh.ssm 2>err
$S predict --all -m ensh.ssm "$TX" > ensh.pred 2>err
check "half: ensemble --half predicts within 2e-3 of the 32-bit ensemble" \
    "paste ens.pred ensh.pred | awk -F'[\t:]' '{ for (k = 2; k <= 6; k += 2) { d = \$k - \$(k + 6); if (d > 2e-3 || d < -2e-3) bad = 1 } } END { exit bad }' && $S info --tensors ensh.ssm | grep -q '\"m2.gru.0.W\"'"
$S train "$TR" --resume e1h.ssm --epochs 3 --quiet -o e1h3.ssm 2>err
check "half: train --resume continues a --half model (32-bit output unless --half again)" \
    "[ -s e1h3.ssm ] && $S info e1h3.ssm | tr -d '\n\t ' | grep -q '\"format_version\":1'"

cp e1.ssm same.ssm
$S ensemble same.ssm e2.ssm -o same.ssm --quiet 2>err
check "ensemble: -o may be one of the inputs; --quiet prints nothing" "[ ! -s err ] && $S info same.ssm | grep -q '\"members\"'"

# plot
$S train "$TR" $SMALL --val-split 0.2 --plot c.svg -o p.ssm 2>err
check "plot: an SVG with training and validation curves" "head -c 200 c.svg | grep -q '<svg' && grep -q 'validation' c.svg"

# --save-every checkpoint + resume gives the uninterrupted result
$S train "$TR" --hidden 8 --embed-dim 8 --maxlen 24 --threads 1 --quiet --epochs 4 -o full.ssm 2>err
$S train "$TR" --hidden 8 --embed-dim 8 --maxlen 24 --threads 1 --quiet --epochs 4 --save-every 1 -o ck.ssm 2>err
check "save-every: final model identical to a run without it" "cmp -s full.ssm ck.ssm"
$S train "$TR" --hidden 8 --embed-dim 8 --maxlen 24 --threads 1 --quiet --epochs 2 --dropout 0.2 --cell gru -o two.ssm 2>err
$S train "$TR" --resume two.ssm --epochs 4 --threads 1 --quiet -o four.ssm 2>err
check "resume a finished model with more epochs: 4 epochs in its history" \
    "$S info four.ssm | tr -d '\n\t ' | grep -o '\"epoch\":[0-9]*' | tail -1 | grep -q ':4'"
check "resume a finished model: nothing to do without more epochs" \
    "! $S train $TR --resume two.ssm --threads 1 --quiet 2>/dev/null"

# --word2vec: the embedding starts from skip-gram vectors trained on the
# training texts first (one thread: the model does not depend on --threads)
W2="--word2vec --embed-dim 12 --hidden 8 --epochs 2 --seed 4 --quiet"
$S train "$TR" $W2 --threads 1 -o w1.ssm 2>err
$S train "$TR" $W2 --threads 2 -o w2.ssm 2>>err
check "word2vec: trains, and --threads 2 gives the bytes of --threads 1" "[ -s w1.ssm ] && cmp -s w1.ssm w2.ssm"
check "word2vec: the model says where its vectors came from (12-d)" \
    "$S info w1.ssm | tr -d '\n\t ' | grep -q '\"source\":\"word2vecon' && $S info w1.ssm | tr -d '\n\t ' | grep -q '\"embed_dim\":12'"
$S train "$TR" --word2vec --embed-dim 12 --hidden 8 --epochs 2 --seed 4 --threads 1 -o w3.ssm 2>err
check "word2vec: says so on stderr" "grep -q 'word2vec on the training texts' err"
$S train "$TR" $SMALL --keras --seed 4 -o w4.ssm 2>/dev/null
check "word2vec: other weights than a random embedding" "! cmp -s w1.ssm w4.ssm"
check "word2vec with --embed: a usage error (exit 2)" \
    "$S train $TR --word2vec --embed $D/zh_vectors.txt -o w5.ssm 2>/dev/null; [ \$? -eq 2 ] && [ ! -e w5.ssm ]"

# --match-unknown: a word the vocabulary lacks reads as the known word most
# like it by character n-grams ("forgettably" -> "forgettable", cosine 0.79),
# kept in the model (and through quantize); predict/eval can override it
MV=$D/movies_en.train.csv
$S train "$MV" $SMALL --match-unknown 0.6 -o mu.ssm 2>err
$S info mu.ssm >info.json 2>err
check "match-unknown: recorded in the model" "grep -q '\"min_cosine\":.*0.6' info.json"
printf 'the story was forgettably flat\nthe story was forgettable flat\nthe story was qqqzzz flat\n' >mu.txt
$S predict -m mu.ssm mu.txt >mu.out 2>err
check "match-unknown: the unknown word reads as its match" "[ \"\$(sed -n 1p mu.out)\" = \"\$(sed -n 2p mu.out)\" ]"
check "match-unknown: and not as <unk>" "[ \"\$(sed -n 1p mu.out)\" != \"\$(sed -n 3p mu.out)\" ]"
$S predict -m mu.ssm --match-unknown 0 mu.txt >mu0.out 2>err
check "predict --match-unknown 0: the unknown word is <unk> again" "[ \"\$(sed -n 1p mu0.out)\" = \"\$(sed -n 3p mu0.out)\" ]"
$S predict -m mu.ssm --match-unknown 0.9 mu.txt >mu9.out 2>err
check "predict --match-unknown 0.9: too unlike (0.79) to match" "cmp -s mu0.out mu9.out"
$S quantize mu.ssm -o muq.ssm 2>err && $S info muq.ssm >infoq.json 2>err
check "match-unknown: kept by quantize" "grep -q '\"min_cosine\":.*0.6' infoq.json"
$S train "$MV" $SMALL -o mk.ssm 2>err && $S info mk.ssm >infok.json 2>err
check "match-unknown: off with --keras" "! grep -q 'match_unknown' infok.json"
$S train "$MV" --epochs 1 --threads 1 --quiet -o md.ssm 2>err && $S info md.ssm >infod.json 2>err
check "match-unknown: 0.6 by default" "grep -q '\"min_cosine\":.*0.6' infod.json"
$S ensemble mu.ssm mk.ssm -o mx.ssm >out 2>err
rc=$?
check "match-unknown: an ensemble's members must agree (exit 1, says why)" \
    "[ $rc -eq 1 ] && grep -q 'unknown words differently' err && [ ! -e mx.ssm ]"
$S eval -m mu.ssm --match-unknown 0 "$D/movies_en.test.csv" >ev0 2>err
$S eval -m mu.ssm "$D/movies_en.test.csv" >ev1 2>err
check "eval --match-unknown 0 runs" "grep -q accuracy ev0 && grep -q accuracy ev1"
for bad_opt in "train $MV --match-unknown 1.5 -o x.ssm" "train $MV --match-unknown x -o x.ssm" \
               "train $MV --resume mu.ssm --match-unknown 0.5" "predict -m mu.ssm --match-unknown -1" \
               "eval -m mu.ssm --match-unknown 2 $D/movies_en.test.csv"; do
    # shellcheck disable=SC2086
    $S $bad_opt >out 2>err
    rc=$?
    check "$(echo "$bad_opt" | sed "s|$D/||g"): usage error (exit 2)" "[ $rc -eq 2 ] && [ ! -e x.ssm ]"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
