#!/bin/sh
# tests/cli_refit.sh - `train --refit` (and distill's): after the usual run (epochs kept by
# early stopping on the validation split, the naive Bayes head's weight and
# scale chosen on it), train again from the start on every row for those
# epochs with that weight and scale.
#   - the model predicts exactly what the two commands by hand give
#     (`train --val-split 0 --epochs E --naive-bayes-weight W
#     --naive-bayes-scale S`), and records the epochs it refit with;
#   - SIGINT in either run + --resume gives the uninterrupted file, byte for
#     byte (the first run's checkpoint keeps the command line the second is
#     built from: --resume does not repeat it);
#   - the same file on 1 and 2 threads; --log holds both runs' epochs; a
#     file too small to split: a note, the first run's model;
#   - usage errors: with --val FILE, --val-split 0, --keras, --resume;
#   - distill --refit: the student's rows again, the same as by hand, and
#     resumed across its runs (the resume makes its targets as the
#     checkpoint's run did: hard weight and temperature not repeated; given,
#     a usage error).
CLI_NAME=refit CLI_TIMEOUT=120 . tests/harness.sh

E="$D/movies_en.train.csv"
ET="$D/movies_en.test.csv"
NET="--hidden 8 --maxlen 16 --epochs 12 --batch 16 --word2vec --embed-dim 16 --seed 3 --threads 1"
flat() { tr -d ' \t\n' <"$T/out"; }   # the JSON on one line

go "train (the first run by hand)" "$S" train "$E" $NET -o first.ssm
run "$S" info first.ssm
EP=$(flat | sed -n 's/.*"best_epoch":\([0-9]*\).*/\1/p')
W=$(flat | sed -n 's/.*"naive_bayes":{[^}]*"weight":\([0-9.eE+-]*\).*/\1/p')
SC=$(flat | sed -n 's/.*"naive_bayes":{[^}]*"scale":\([0-9.eE+-]*\).*/\1/p')
check "the first run kept an epoch and has a head (E=$EP W=$W S=$SC)" '[ -n "$EP" ] && [ -n "$W" ] && [ -n "$SC" ]'
go "train --val-split 0 --epochs E --naive-bayes-weight W --naive-bayes-scale S (by hand)" \
    "$S" train "$E" $NET --val-split 0 --epochs "$EP" --naive-bayes-weight "$W" --naive-bayes-scale "$SC" -o hand.ssm
run "$S" train "$E" $NET --refit -o refit.ssm
check "train --refit: exit 0, says what it trains again with" \
    '[ "$rc" -eq 0 ] && err_has "refit: training again on all 600 rows for $EP epoch" && err_has "naive Bayes weight $W, scale $SC"'
"$S" predict -m hand.ssm "$ET" >p.hand 2>/dev/null
"$S" predict -m refit.ssm "$ET" >p.refit 2>/dev/null
"$S" predict -m first.ssm "$ET" >p.first 2>/dev/null
check "--refit predicts what the two commands by hand give, bit for bit" '[ -s p.refit ] && cmp -s p.hand p.refit'
check "... not what the first run predicts" '! cmp -s p.first p.refit'
run "$S" info refit.ssm
check "the model says it was refit: every row, the epochs, the given weight and scale" \
    'flat | grep -q "\"refit_of_epochs\":$EP" && flat | grep -q "\"naive_bayes_weight\":" && flat | grep -q "\"rows\":600"'
go "train --refit --log" "$S" train "$E" $NET --refit --log refit.jsonl --quiet -o logged.ssm
check "--log: the first run's epochs (validation scores), then the second run's (none)" \
    '[ "$(grep -c "val_loss" refit.jsonl)" -ge 1 ] && [ "$(grep -c . refit.jsonl)" -eq $(( $(grep -c "val_loss" refit.jsonl) + EP )) ] &&
     tail -n 1 refit.jsonl | grep -q "\"epoch\":$EP," && ! tail -n 1 refit.jsonl | grep -q val_loss'
go "train --refit on 2 threads" "$S" train "$E" ${NET% --threads 1} --threads 2 --refit -o refit2.ssm
check "2 threads give the 1-thread file, byte for byte" 'cmp -s refit.ssm refit2.ssm'

# SIGINT in the first run: its checkpoint says it refits and keeps the
# command line, from which --resume builds the second run
interrupt_train 2 ck1.ssm "$E" $NET --refit
check "SIGINT in the first run: exit 130, a checkpoint that says it refits, with its options" \
    '[ "$src" = 130 ] && "$S" info ck1.ssm | tr -d " \t\n" | grep -q "\"refit\":true,\"refit_args\":\[[^]]*\"--hidden\",\"8\""'
run "$S" train "$E" --resume ck1.ssm --threads 1
check "--resume it: the second run follows, with the first run's options" '[ "$rc" -eq 0 ] && err_has "refit: training again on all 600 rows"'
check "SIGINT in the first run + --resume: the uninterrupted --refit file, byte for byte" 'cmp -s ck1.ssm refit.ssm'
# SIGINT in the second run
"$S" train "$E" $NET --refit -o ck2.ssm >/dev/null 2>ck2.err &
pid=$!
BGPIDS="$BGPIDS $pid"
n=0
while ! sed -n '/--refit:/,$p' ck2.err 2>/dev/null | grep -q "epoch 2/" && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
kill -INT "$pid" 2>/dev/null
wait "$pid"
src=$?
check "SIGINT in the second run: exit 130, a checkpoint" '[ "$src" = 130 ] && [ -s ck2.ssm ]'
go "--resume it" "$S" train "$E" --resume ck2.ssm --threads 1 --quiet
check "SIGINT in the second run + --resume: the uninterrupted --refit file, byte for byte" 'cmp -s ck2.ssm refit.ssm'

head -n 15 "$E" >small.csv
run "$S" train small.csv --hidden 4 --epochs 2 --seed 1 --refit -o small.ssm
check "a file too small for a validation split: exit 0, a note, no refit" \
    '[ "$rc" -eq 0 ] && [ -s small.ssm ] && err_has "no refit" && ! err_has "training again"'

run "$S" train "$E" $NET --refit --val "$ET" -o x.ssm
check "--refit --val FILE: usage error" 'usage_err "val-split" && [ ! -e x.ssm ]'
run "$S" train "$E" $NET --refit --val-split 0 -o x.ssm
check "--refit --val-split 0: usage error" 'usage_err "val-split" && [ ! -e x.ssm ]'
run "$S" train "$E" --keras --refit -o x.ssm
check "--refit --keras (no validation split): usage error" 'usage_err "val-split" && [ ! -e x.ssm ]'
run "$S" train "$E" --resume ck1.ssm --refit
check "--resume --refit: usage error (the checkpoint's)" 'usage_err "checkpoint"'
# distill --refit: the student's rows (its labelled rows and texts) again,
# every one, built as the command line without a split builds them
DN="$NET --labelled $E --hard-weight 0.5 --temperature 3"
go "distill (the first run by hand)" "$S" distill first.ssm $DN -o dfirst.ssm
run "$S" info dfirst.ssm
DEP=$(flat | sed -n 's/.*"best_epoch":\([0-9]*\).*/\1/p')
DW=$(flat | sed -n 's/.*"naive_bayes":{[^}]*"weight":\([0-9.eE+-]*\).*/\1/p')
DSC=$(flat | sed -n 's/.*"naive_bayes":{[^}]*"scale":\([0-9.eE+-]*\).*/\1/p')
go "distill --val-split 0 --epochs E --naive-bayes-weight W --naive-bayes-scale S (by hand)" \
    "$S" distill first.ssm $DN --val-split 0 --epochs "$DEP" --naive-bayes-weight "$DW" --naive-bayes-scale "$DSC" -o dhand.ssm
run "$S" distill first.ssm $DN --refit -o drefit.ssm
check "distill --refit: exit 0, trains again on all 600 rows with the first run's choices" \
    '[ "$rc" -eq 0 ] && err_has "refit: training again on all 600 rows for $DEP epoch" && err_has "naive Bayes weight $DW, scale $DSC"'
"$S" predict -m dhand.ssm "$ET" >p.dhand 2>/dev/null
"$S" predict -m drefit.ssm "$ET" >p.drefit 2>/dev/null
check "distill --refit predicts what the two commands by hand give, bit for bit" '[ -s p.drefit ] && cmp -s p.dhand p.drefit'
INTERRUPT_CMD=distill interrupt_train 2 dck.ssm first.ssm $DN --refit
run "$S" distill first.ssm --labelled "$E" --resume dck.ssm --threads 1
check "distill: SIGINT in the first run + --resume: the second follows; the uninterrupted file, byte for byte" \
    '[ "$src" = 130 ] && [ "$rc" -eq 0 ] && err_has "refit: training again on all 600 rows" && cmp -s dck.ssm drefit.ssm'
run "$S" distill first.ssm --labelled "$E" --resume dck.ssm --hard-weight 0.3 -o x.ssm
check "distill --resume --hard-weight: usage error (the targets are the checkpoint's)" 'usage_err "targets" && [ ! -e x.ssm ]'
finish
