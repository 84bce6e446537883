#!/bin/sh
# tests/cli_autotune.sh - `seqsent train --autotune-val`: the search of the
# network and training settings under a time budget (issue 15).
#   - on bundled data (the training file split into training and validation
#     parts: no test set is looked at) under a 20 s budget: a line per trial,
#     the best marked; the best improves on the default configuration's
#     validation accuracy or the summary says it could not; the budget is
#     kept (elapsed <= budget + slack for one epoch and the write); the
#     file records the search and `info` shows it; the recorded score is the
#     model's;
#   - trial 1 is the plain run: the predictions of train --val --early-stop 2;
#   - options given are held fixed; --autotune-trials: the same bits on 1 and
#     2 threads;
#   - --autotune-modelsize: the default configuration skipped, the file fits
#     (no check names today's defaults: train's defaults may change); the bag
#     shrinks first, then the hidden units; --bag given holds it;
#   - SIGINT ends the search and writes the best so far (exit 0);
#   - errors: a missing --autotune-val file (one line, before any work), the
#     autotune options without --autotune-val, with --val, nothing to
#     search, a budget too short for one epoch.
CLI_NAME=autotune CLI_TIMEOUT=120 . tests/harness.sh

go split "$S" split "$D/movies_en.train.csv" --test 0.25 --stratify --quiet -o mv
TR=mv.train.csv
VA=mv.test.csv
now() { date +%s.%N; }

# --- acceptance: 20 s on the bundled data (12 s in the sanitizer half:
# there for memory errors, and 3 trials fit) ---
BUDGET=20; [ -n "$QUICK" ] && BUDGET=12
SLACK=8   # one epoch of the largest candidate, its validation and the write, on a loaded machine
t0=$(now)
go "autotune $BUDGET s" "$S" train "$TR" --autotune-val "$VA" --autotune-duration $BUDGET --threads 1 -o at.ssm
t1=$(now)
cp "$T/err" at.err
elapsed=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
echo "# autotune $BUDGET s: elapsed ${elapsed}s; $(grep -c ': trial [0-9]*:' at.err) trials"
check "a line per trial (at least 2), settings and score on each" \
    '[ "$(grep -c "^train: trial [0-9]*: cell .* hidden .* dropout .* lr .* epochs .* pool .* -> " at.err)" -ge 2 ]'
check "trial 1 (the default configuration) is the first best so far" \
    'grep -q "^train: trial 1: cell [a-z]*, .*val_acc [0-9.]* .*best so far" at.err'
check "the budget is kept: ${elapsed}s <= $BUDGET + ${SLACK}s" \
    'awk -v e="$elapsed" -v b=$BUDGET -v s=$SLACK "BEGIN { exit !(e <= b + s) }"'
check "the search ran until the budget" 'grep -q "ended by the time budget" at.err && awk -v e="$elapsed" -v b=$BUDGET "BEGIN { exit !(e >= b) }"'
check "improves on the default's validation accuracy, or says it could not" \
    'grep -Eq "autotune: best: trial [0-9]+ .*val_acc [0-9.]+ against the default configuration.s [0-9.]+ \(\+0\.[0-9]*[1-9]" at.err ||
     grep -q "autotune: could not improve on the default configuration" at.err'
run "$S" info at.ssm
cp "$T/out" at.json
check "info shows the search: budget, trials, chosen settings, scores" \
    'out_has "\"autotune\":" && out_has "\"duration\":[^,]*$BUDGET" && out_has "\"trials\":" && out_has "\"chosen\":" &&
     out_has "\"val_accuracy\":" && out_has "\"default_val_accuracy\":" && out_has "\"validation\":[^,]*\"mv.test.csv\""'
if [ "$HAVE_PY" -eq 1 ]; then
    python3 - at.json at.err >py.out 2>&1 <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
a = d["training"]["autotune"]
err = open(sys.argv[2]).read()
trials = re.findall(r"^train: trial (\d+): .* val_acc ([0-9.]+)", err, re.M)
best = max(float(v) for _, v in trials)
assert a["trials"] == len(re.findall(r"^train: trial \d+:", err, re.M)), "trial count"
assert a["val_accuracy"] >= a["default_val_accuracy"], "best below the default"
assert abs(a["val_accuracy"] - best) < 1e-4, ("the best trial's score", a["val_accuracy"], best)
assert (a["best_trial"] == 1) == (a["val_accuracy"] == a["default_val_accuracy"] and "could not improve" in err)
net = d["network"]
c = a["chosen"]
assert (net["cell"], net["bidirectional"], net["hidden"], net["pool"]) == (c["cell"], c["bidirectional"], c["hidden"], c["pool"]), "network = chosen"
assert abs(net["dropout"] - c["dropout"]) < 1e-6 and d["training"]["lr"] == c["lr"] and d["training"]["epochs"] == c["epochs"]
bag = net.get("bag") or {"dim": 0, "buckets": 0}
assert (bag["dim"], bag["buckets"]) == (c["bag_dim"], c["bag_buckets"]), ("network's bag = chosen", bag, c)
assert "bag" in a["searched"], "the bag is searched"
print("ok")
EOF
    check "the record agrees with the trial lines and the network" 'grep -qx ok py.out || { why=$(tail -1 py.out); false; }'
else
    skip "the record agrees with the trial lines (no python3)"
fi
# the search scores networks; a naive Bayes head (train's default) is fitted
# after it on the same file: the recorded score is the network's
nbw=; "$S" info at.ssm | grep -q '"naive_bayes":[[:space:]]*{' && nbw="--naive-bayes-weight 0"
run "$S" eval -m at.ssm "$VA" $nbw
check "the recorded score is the model's network's (eval on the validation file, within a row)" \
    'acc=$(sed -n "/\"autotune\":/,\$ s/.*\"val_accuracy\":[^0-9]*\([0-9.]*\).*/\1/p" at.json | head -1);
     got=$(grep -io "accuracy[^0-9]*[0-9.]*" "$T/out" "$T/err" | head -1 | sed "s/.*[^0-9.]//");
     [ -n "$got" ] && awk -v a="$acc" -v g="$got" "BEGIN { d = a - g; if (d < 0) d = -d; exit !(d <= 1/150 + 1e-9) }" ||
     { why="recorded $acc, eval $got"; false; }'

# --- trial 1 is the plain run; fixed options; reproducible with --autotune-trials ---
SMALL="--hidden 16 --maxlen 24 --cell gru --early-stop 2"
go "train --val --early-stop 2" "$S" train "$TR" --val "$VA" $SMALL --quiet -o plain.ssm
go "autotune 1 trial" "$S" train "$TR" --autotune-val "$VA" --autotune-trials 1 $SMALL --quiet -o one.ssm
"$S" predict -m plain.ssm --all "$D/movies_en.test.csv" >plain.tsv 2>/dev/null
"$S" predict -m one.ssm --all "$D/movies_en.test.csv" >one.tsv 2>/dev/null
check "trial 1 = train --val FILE --early-stop 2: the same predictions" '[ -s plain.tsv ] && cmp -s plain.tsv one.tsv'
TH="1 2"; [ -n "$QUICK" ] && TH=1   # the sanitizer half: one run (tests/harness.sh)
for th in $TH; do
    go "autotune 4 trials, $th thread(s)" "$S" train "$TR" --autotune-val "$VA" --autotune-trials 4 $SMALL --threads $th -o t$th.ssm
    cp "$T/err" t$th.err
done
check "--autotune-trials 4: 4 trials" '[ "$(grep -c "^train: trial [0-9]*:" t1.err)" -eq 4 ] && grep -q "ended by --autotune-trials" t1.err'
check "options given are held fixed: every trial a GRU of 16 units" \
    '[ "$(grep "^train: trial" t1.err | grep -c "cell gru, .*hidden 16,")" -eq 4 ] && grep -q "held by the options: cell, hidden" t1.err'
check "other settings are searched" '[ "$(grep "^train: trial" t1.err | sed "s/ ->.*//; s/^train: trial [0-9]*: //" | sort -u | wc -l)" -eq 4 ]'
if [ -z "$QUICK" ]; then
    check "the same trials on 1 and 2 threads" \
        '[ "$(sed -n "s/, [0-9.]*s\(  \* best so far\)*$/\1/p" t1.err)" = "$(sed -n "s/, [0-9.]*s\(  \* best so far\)*$/\1/p" t2.err)" ]'
    check "the same model bits on 1 and 2 threads" 'cmp -s t1.ssm t2.ssm'
fi

go "--early-stop 3" "$S" train "$TR" --autotune-val "$VA" --autotune-trials 1 --hidden 16 --maxlen 24 --early-stop 3 -o es.ssm
check "--early-stop N is the trials' patience" 'err_has "early stopping after 3 epochs without improvement"'

# trial N's line (stderr): its hidden units, its bag's buckets, its settings before the bag
hidden_of() { sed -n "s/^train: trial $1: .*hidden \([0-9]*\),.*/\1/p" "$T/err"; }
buckets_of() { sed -n "s/^train: trial $1: .*, bag [0-9]*x\([0-9]*\),.*/\1/p" "$T/err"; }
before_bag() { sed -n "s/^train: trial $1: \(.*\), bag .*/\1/p" "$T/err"; }
# --- a size limit: 40% of the default configuration's file without its bag
# (too big even with 16-bit weights): the bag goes first, then hidden units ---
go "default model" "$S" train "$TR" --maxlen 24 --epochs 1 --bag 0 --quiet -o default.ssm
LIMIT=$(( $(wc -c <default.ssm) * 2 / 5 ))
go "autotune ${LIMIT} bytes" "$S" train "$TR" --autotune-val "$VA" --autotune-trials 2 --autotune-modelsize $LIMIT --maxlen 24 --epochs 2 -o small.ssm
check "the default configuration (with its bag) exceeds the limit: skipped" 'err_has "trial 1: .*, bag 32x[0-9]*.* -> exceeds --autotune-modelsize: skipped"'
check "shrunk to fit: no bag, fewer hidden units" \
    'err_has "trial 2: .*, no bag, 16-bit weights, .* -> val_acc" && [ "$(hidden_of 2)" -lt "$(hidden_of 1)" ]'
size=$(wc -c <small.ssm | tr -d " ")
check "the model file fits: $size <= $LIMIT bytes" '[ "$size" -le "$LIMIT" ]'
run "$S" info small.ssm
check "the limit is recorded" 'out_has "\"modelsize\":[^,]*$LIMIT"'
# 16-bit weights, and a limit that holds the default's network and a bag of
# 1024 buckets (64 KB) but not the default's 2048 (128 KB): only the bag shrinks
go "default model, 16-bit" "$S" train "$TR" --maxlen 24 --epochs 1 --bag 0 --half --quiet -o default16.ssm
MID=$(( $(wc -c <default16.ssm) + 100000 ))
go "autotune ${MID} bytes, --half" "$S" train "$TR" --autotune-val "$VA" --autotune-trials 2 --autotune-modelsize $MID --half --maxlen 24 --epochs 1 -o mid.ssm
check "a smaller bag fits: trial 2 has one, and the default's other settings" \
    'err_has "trial 1: .*, bag [0-9x]*, .* -> exceeds --autotune-modelsize" && err_has "trial 2: .*, bag [0-9x]*, .* -> val_acc" &&
     [ "$(buckets_of 2)" -lt "$(buckets_of 1)" ] && [ -n "$(before_bag 1)" ] && [ "$(before_bag 1)" = "$(before_bag 2)" ]'
size=$(wc -c <mid.ssm | tr -d " ")
check "that file fits: $size <= $MID bytes" '[ "$size" -le "$MID" ]'
run "$S" train "$TR" --autotune-val "$VA" --autotune-trials 1 $SMALL --bag 0 -o nobag.ssm
check "--bag given: held, not searched" 'err_has "held by the options: cell, hidden, bag"'

# --- SIGINT: the best so far ---
"$S" train "$TR" --autotune-val "$VA" --autotune-duration 120 $SMALL --threads 1 -o int.ssm >/dev/null 2>int.err &
pid=$!
BGPIDS="$BGPIDS $pid"
n=0
while ! grep -q "trial 2:" int.err 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.02; n=$((n + 1)); done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "SIGINT: the search ends, exit 0" '[ "$rc" -eq 0 ] && grep -q "ended by an interruption: the best so far is kept" int.err'
run "$S" info int.ssm
check "SIGINT: the best so far is written, its record says so" 'out_has "\"ended_by\":[^,]*\"interrupted\""'
check "SIGINT: no temp files left" no_tmp_left

# --- errors ---
run "$S" train "$TR" --autotune-val missing.csv -o e.ssm
check "missing --autotune-val file: one line naming it, exit 1, before any work" \
    '[ "$rc" -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "missing.csv: No such file" && [ ! -e e.ssm ]'
run "$S" train "$TR" --autotune-duration 5 -o e.ssm
check "--autotune-duration without --autotune-val: usage error" 'usage_err "need --autotune-val"'
run "$S" train "$TR" --autotune-val "$VA" --val "$VA" -o e.ssm
check "--autotune-val with --val: usage error" 'usage_err "drop --val"'
run "$S" train "$TR" --autotune-val "$VA" --cell gru --bidirectional --hidden 8 --dropout 0 --lr 0.01 --epochs 2 --pool max --bag 0 -o e.ssm
check "everything fixed: usage error" 'usage_err "nothing to search"'
run "$S" train "$TR" --autotune-val "$VA" --autotune-duration 0.001 -o e.ssm
check "a budget too short for an epoch: an error, no model" '[ "$rc" -eq 1 ] && err_has "no trial finished an epoch" && [ ! -e e.ssm ]'

finish
