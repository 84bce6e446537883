#!/bin/sh
# tests/cli_multilabel.sh - multi-label classification (issue 15) on the
# bundled topics_en set (scripts/gen_multilabel_data.py: restaurant reviews
# tagged with 1-4 of food, service, price, location, ambience):
#   - fastText lines with several __label__s, and the same rows as CSV with
#     the labels joined by --label-sep '|', train the same model;
#     --label-prefix reads another prefix (fastText -label);
#   - the model is multi-label (one sigmoid per label, recorded in the file),
#     said on stderr; --multilabel makes single-label data one-vs-all;
#   - eval: P@1 and micro-F1 above the trivial baselines (always the most
#     frequent label; always the labels on more than half the training rows);
#   - predict: labels with p >= 0.5 by default, --threshold, --top-k, both,
#     --all, jsonl (independent probabilities);
#   - bad input: a line without a label, an empty label field, a label the
#     model does not know, several labels for a single-label model: one-line
#     errors naming file and line;
#   - the same bits for --threads 1 and 2, under mpirun -np 2 (when built
#     with MPI), and after SIGINT + --resume;
#   - the C API and the Python module (independent probabilities), serve.
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=multilabel CLI_TIMEOUT=120 . tests/harness.sh

TRT="$D/topics_en.train.txt"
TRC="$D/topics_en.train.csv"
TET="$D/topics_en.test.txt"
TEC="$D/topics_en.test.csv"
NET="--embed-dim 16 --hidden 16 --layers 1 --lr 0.01 --batch 16 --seed 3"

# ---- training: fastText and CSV forms --------------------------------------
go "train on fastText lines with several labels" "$S" train "$TRT" $NET --epochs 8 --threads 1 -o ft.ssm
check "stderr says the run is multi-label (one sigmoid per label, fastText's -loss ova)" \
    'err_has "multi-label ([0-9]* of 360 rows have 2+ labels): one sigmoid per label" && err_has "loss ova"'
check "per-epoch lines report micro-F1" 'err_has "epoch 8/8 - loss [0-9.]* - micro_f1 0\.[0-9]*"'
go "train on the CSV form (--label-sep '|')" "$S" train "$TRC" --label-sep '|' $NET --epochs 8 --threads 1 -o csv.ssm --quiet
"$S" predict -m ft.ssm --all "$TEC" >ft.all
"$S" predict -m csv.ssm --all "$TEC" >csv.all
check "fastText and CSV forms give the same model (every probability of every test row)" \
    '[ -s ft.all ] && cmp -s ft.all csv.all'
"$S" info ft.ssm >info.json
check "the file records the output kind: one sigmoid per label" \
    'grep -q "\"output_activation\":[[:space:]]*\"sigmoid per label\"" info.json && grep -q "\"outputs\":[[:space:]]*5," info.json'
sed 's/__label__/@@/g' "$TRT" >at.txt
go "--label-prefix @@ (fastText -label)" "$S" train at.txt --format fasttext --label-prefix @@ $NET --epochs 8 --threads 1 -o at.ssm --quiet
"$S" predict -m at.ssm --all "$TEC" >at.all
check "--label-prefix: the same model" 'cmp -s ft.all at.all'
go "fastText's -label alias" "$S" train at.txt --format fasttext -label @@ $NET --epochs 1 --threads 1 -o at1.ssm --quiet

# ---- eval against the trivial baselines -------------------------------------
go "eval --json" "$S" eval -m ft.ssm --json "$TET"
cp "$T/out" eval.json
num() { sed -n "s/.*\"$1\":\([0-9.e-]*\).*/\1/p" eval.json; }
P1=$(num precision_at_k)
F1=$(num micro_f1)
# baselines from the data: P@1 of always the most frequent training label;
# micro-F1 of always the labels on more than half the training rows (at least the most frequent)
BASE=$(awk -v test="$TET" '
    function labels(line, a,   n, i, w, k) { n = split(line, w, " "); k = 0
        for (i = 1; i <= n && w[i] ~ /^__label__/; i++) a[++k] = substr(w[i], 10); return k }
    FNR == 1 && FILENAME == test { best = ""; for (l in cnt) if (best == "" || cnt[l] > cnt[best]) best = l
        for (l in cnt) always[l] = 2 * cnt[l] > rows; always[best] = 1 }
    FILENAME != test { rows++; k = labels($0, a); for (i = 1; i <= k; i++) cnt[a[i]]++; next }
    { k = labels($0, a); n++; delete has; for (i = 1; i <= k; i++) { has[a[i]] = 1; if (a[i] == best) hit++ }
      for (l in cnt) { if (always[l] && (l in has)) tp++; else if (always[l]) fp++; else if (l in has) fn++ } }
    END { printf "%.6f %.6f\n", hit / n, 2 * tp / (2 * tp + fp + fn) }' "$TRT" "$TET")
BP1=${BASE% *}
BF1=${BASE#* }
echo "# P@1 $P1 (baseline $BP1), micro-F1 $F1 (baseline $BF1)"
check "P@1 beats always predicting the most frequent label" \
    'awk -v a="$P1" -v b="$BP1" "BEGIN { exit !(a != \"\" && a > b + 0.1) }"'
check "micro-F1 beats always predicting the frequent labels" \
    'awk -v a="$F1" -v b="$BF1" "BEGIN { exit !(a != \"\" && a > b + 0.1) }"'
check "eval --json: macro figures, exact match, k, no confusion matrix" \
    'for k in macro_precision macro_recall macro_f1 micro_precision micro_recall exact_match recall_at_k; do grep -q "\"$k\":" eval.json || return 1; done; grep -q "\"k\":1," eval.json && ! grep -q confusion eval.json'
go "eval (text)" "$S" eval -m ft.ssm --top-k 2 "$TEC" --label-sep '|'
check "eval text: micro, macro, P@2, R@2 and a row per label" \
    'out_has "^micro  *0\.[0-9]" && out_has "^macro  *0\.[0-9]" && out_has "^P@2 " && out_has "^R@2 " && [ "$(grep -c "^\(food\|service\|price\|location\|ambience\) " "$T/out")" -eq 5 ]'
"$S" eval -m csv.ssm --json --top-k 3 "$TET" >e3.json
check "P@3 <= P@1 and R@3 >= R@1 on the same model" \
    'awk -v p1="$P1" -v p3="$(sed -n "s/.*\"precision_at_k\":\([0-9.e-]*\).*/\1/p" e3.json)" \
         -v r1="$(num recall_at_k)" -v r3="$(sed -n "s/.*\"recall_at_k\":\([0-9.e-]*\).*/\1/p" e3.json)" \
         "BEGIN { exit !(p3 <= p1 && r3 >= r1 && r3 > 0) }"'
go "eval --errors" "$S" eval -m ft.ssm --errors errs.csv "$TET"
check "--errors: label sets joined by '|'" 'head -1 errs.csv | grep -qx "line,labels,predicted,text"'

# ---- predict ----------------------------------------------------------------
go "predict (default: labels with p >= 0.5)" "$S" predict -m ft.ssm "$TET"
cp "$T/out" default.tsv
check "one line per input, pairs of label and probability >= 0.5, most probable first" \
    '[ "$(lines default.tsv)" -eq "$(lines "$TET")" ] && awk -F "$TAB" "{ for (i = 2; i <= NF; i += 2) if (\$i < 0.5 || (i > 2 && \$i > \$(i - 2))) exit 1 }" default.tsv'
check "most rows get 2 or more labels" '[ "$(awk -F "$TAB" "NF >= 4" default.tsv | wc -l)" -gt 80 ]'
run "$S" predict -m ft.ssm --threshold 0.999 "$TET"
check "--threshold 0.999: only labels with p >= 0.999" \
    'awk -F "$TAB" "{ for (i = 2; i <= NF; i += 2) if (\$i < 0.999) exit 1 }" "$T/out" && [ "$(wc -w <"$T/out")" -lt "$(wc -w <default.tsv)" ]'
run "$S" predict -m ft.ssm --top-k 1 "$TET"
check "--top-k 1: exactly the most probable label, as the first of the default" \
    '[ "$(awk -F "$TAB" "NF != 2" "$T/out" | wc -l)" -eq 0 ] && [ "$(cut -f1 "$T/out" | sed -n 3p)" = "$(cut -f1 default.tsv | sed -n 3p)" ]'
run "$S" predict -m ft.ssm --top-k 2 --threshold 0.9 "$TET"
check "--top-k 2 --threshold 0.9: at most 2 labels, each >= 0.9" \
    'awk -F "$TAB" "NF > 4 { exit 1 } { for (i = 2; i <= NF; i += 2) if (\$i < 0.9) exit 1 }" "$T/out"'
run "$S" predict -m ft.ssm --output-format jsonl --top-k 2 --with-text "$TET"
check "jsonl: labels, probabilities (independent: not summing to 1), top, text" \
    'head -1 "$T/out" | grep -q "^{\"labels\":\[\"[a-z]*\"" && head -1 "$T/out" | grep -q "\"top\":\[{\"label\"" && head -1 "$T/out" | grep -q "\"text\":"'
check "jsonl labels are the default tsv's labels" \
    '[ "$(sed -n "5s/^{\"labels\":\[\([^]]*\)\].*/\1/p" "$T/out" | tr -d "\"" | tr , "$TAB")" = "$(cut -f1,3,5,7,9 default.tsv | sed -n 5p | sed "s/$TAB*\$//")" ]'
check "--all: 5 label:probability fields, rows not summing to 1" \
    '[ "$(awk -F "$TAB" "NF != 5" ft.all | wc -l)" -eq 0 ] && awk -F "[:$TAB]" "{ s = 0; for (i = 2; i <= NF; i += 2) s += \$i; if (s > 1.2) big++ } END { exit !(big > 50) }" ft.all'
run "$S" predict -m ft.ssm --all --threshold 0.3 "$TET"
check "--all --threshold: usage error (tsv --all prints no decision)" 'usage_err threshold'

# ---- --multilabel on single-label data; single-label models unchanged --------
go "--multilabel on one-label-per-row data" "$S" train "$D/tweets3.train.csv" --multilabel $NET --epochs 1 --threads 1 -o ova.ssm
check "--multilabel: said on stderr; 3 sigmoids" \
    'err_has "multi-label (--multilabel; 0 of" && "$S" info ova.ssm | grep -q "sigmoid per label"'
go "a single-label model as before" "$S" train "$D/tweets3.train.csv" $NET --epochs 1 --threads 1 -o single.ssm
check "no multi-label note for one label per row" '! err_has "multi-label" && "$S" info single.ssm | grep -q "\"output_activation\":[[:space:]]*\"softmax\""'
run "$S" predict -m single.ssm --threshold 0.3 "$D/tweets3.test.csv"
check "--threshold on a 3-class single-label model: still a usage error" 'usage_err "needs a binary model"'

# ---- bad input: one-line errors naming file and line --------------------------
printf '__label__food the soup was cold\nthe staff were rude\n' >nolabel.txt
run "$S" train nolabel.txt --format fasttext -o x.ssm
check "a fastText line with no label: exit 1, one line naming file and line" \
    '[ $rc -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "nolabel.txt:2: no __label__<label> at the start of the line"'
printf 'labels,text\nfood|price,cheap soup\n | ,rude staff\n' >empty.csv
run "$S" train empty.csv --label-sep '|' -o x.ssm
check "an empty label field: exit 1, file and line" '[ $rc -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "empty.csv:3: empty label"'
printf '__label__food __label__drinks the soup was cold\n' >unknown.txt
run "$S" eval -m ft.ssm unknown.txt
check "eval: a label the model does not know: exit 1, file, line and label" \
    '[ $rc -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "unknown.txt:1: label .drinks. is not one of the model.s labels"'
printf '__label__positive __label__negative what a day\n' >two.txt
run "$S" eval -m single.ssm two.txt
check "eval: several labels for a single-label model: exit 1, file and line" \
    '[ $rc -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "two.txt:1: 2 labels on one line, and the model is single-label"'
run "$S" eval -m single.ssm --top-k 2 "$D/tweets3.test.csv"
check "eval --top-k on a single-label model: usage error" 'usage_err "top-k"'
run "$S" train "$TRT" --label-sep '' -o x.ssm
check "--label-sep '': usage error" 'usage_err "label-sep"'
run "$S" distill ft.ssm "$TET" -o x.ssm
check "distill from a multi-label teacher: refused in one line" '[ $rc -eq 1 ] && err_has "multi-label model"'

# ---- the same bits: threads, resume, options that change the loss ------------
MORE="$NET --epochs 24 --val $TET --early-stop 30 --ema 0.9 --class-weight auto --dropout 0.1 --word-dropout 0.05"
go "threads 1" "$S" train "$TRT" $MORE --threads 1 --quiet --log log1.jsonl -o t1.ssm
if [ -z "$QUICK" ]; then   # the sanitizer half: the resumed run below is on 2 threads
    go "threads 2" "$S" train "$TRT" $MORE --threads 2 --quiet -o t2.ssm
    check "--threads 1 and 2: the same bytes (class weights, EMA, validation, early stopping on)" 'cmp -s t1.ssm t2.ssm'
fi
check "--log: micro_f1 and val_micro_f1 per epoch" \
    'grep -q "\"micro_f1\":0\.[0-9]*,\"val_loss\":[0-9.]*,\"val_micro_f1\":" log1.jsonl && ! grep -q accuracy log1.jsonl'
if "$S" --version 2>/dev/null | grep -q "MPI: built in" && command -v mpirun >/dev/null 2>&1; then
    # as tests/cli_mpi.sh: root in containers, more ranks than cores; Open MPI's allocations not leak-checked
    go "threads 1, 3 epochs" "$S" train "$TRT" $NET --epochs 3 --class-weight auto --threads 1 --quiet -o e3.ssm
    go "mpirun -np 2" env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 \
        ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe -np 2 "$S" train "$TRT" $NET --epochs 3 \
        --class-weight auto --threads 1 --quiet -o e3mpi.ssm
    check "mpirun -np 2: the same bytes as one process" 'cmp -s e3.ssm e3mpi.ssm'
else
    skip "MPI: seqsent built without it, or no mpirun"
fi
interrupt_train 2 resumed.ssm "$TRT" $MORE --threads 1
check "SIGINT: exit 130 and a checkpoint" '[ "$src" = 130 ] && [ -s resumed.ssm ]'
# (a checkpoint records the options that shape the model; the validation
# data is given again, as for any resumed run; early stopping is recorded)
go "resume" "$S" train "$TRT" --resume resumed.ssm --val "$TET" --threads 2 --quiet
check "resumed after SIGINT (on 2 threads): byte-identical to the uninterrupted run" 'cmp -s resumed.ssm t1.ssm'
go "plot" "$S" train "$TRT" $NET --epochs 2 --val-split 0.2 --threads 1 --quiet --plot c.svg -o p.ssm
check "--plot: micro-F1 curves" 'grep -q "Micro-F1" c.svg && grep -q accuracy-validation c.svg'

# ---- the C API, Python and serve: independent probabilities -----------------
# a sanitizer build of the library needs its runtime loaded first (as tests/cli_python.sh)
PRE=
case ${SEQSENT_CC:-} in
*-fsanitize=*)
    for r in asan ubsan; do
        f=$(${SEQSENT_CC%% *} -print-file-name=lib$r.so 2>/dev/null)
        [ -f "$f" ] && PRE="${PRE:+$PRE:}$f"
    done ;;
esac
if [ "$HAVE_PY" -eq 1 ] && [ -n "${SEQSENT_LIB:-}" ] && [ -r "$SEQSENT_LIB" ]; then
    run env LD_PRELOAD="$PRE" ASAN_OPTIONS=detect_leaks=0 PYTHONPATH="$ROOT/python" python3 -c '
import seqsent, sys
m = seqsent.Model("ft.ssm")
assert m.multilabel, "multilabel"
texts = [l.split(" ", 1)[1] if False else " ".join(w for w in l.split() if not w.startswith("__label__")) for l in open(sys.argv[1], encoding="utf-8")]
got = m.predict(texts)
want = []
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    want.append([(f[i], float(f[i + 1])) for i in range(0, len(f) - 1, 2)])
assert len(got) == len(want)
for g, w in zip(got, want):
    assert [l for l, _ in g] == [l for l, _ in w], (g, w)
    assert all(abs(p - q) < 1e-6 for (_, p), (_, q) in zip(g, w)), (g, w)
_, probs = m.predict_proba(texts)
assert sum(1 for r in probs if sum(r) > 1.2) > 50
print("ok", len(got))
' "$TET" default.tsv
    check "python: a multi-label model gives predict's labels and probabilities (rows not summing to 1)" 'out_is "ok 160"'
else
    skip "python: needs python3 and SEQSENT_LIB (make check-unit sets it)"
fi
if [ "$HAVE_PY" -eq 1 ] && ! "$S" serve -m none.ssm --port 0 2>&1 | grep -q "without libmicrohttpd"; then
    "$S" serve -m ft.ssm --port 0 --quiet 2>serve.log &
    PID=$!
    BGPIDS="$BGPIDS $PID"
    n=0
    PORT=
    while [ $n -lt 500 ] && [ -z "$PORT" ] && kill -0 "$PID" 2>/dev/null; do
        PORT=$(sed -n 's|^seqsent serve: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' serve.log)
        sleep 0.02
        n=$((n + 1))
    done
    head -3 "$TET" | sed 's/__label__[a-z]* //g' >three.txt
    "$S" predict -m ft.ssm --output-format jsonl --top-k 2 three.txt >want.jsonl
    run python3 -c '
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
texts = [l.rstrip("\n") for l in open("three.txt", encoding="utf-8")]
c.request("POST", "/predict", json.dumps({"texts": texts, "top_k": 2}), {"Content-Type": "application/json"})
r = c.getresponse()
got = json.loads(r.read())["predictions"]
want = [json.loads(l) for l in open("want.jsonl", encoding="utf-8")]
assert r.status == 200 and got == want, (got, want)
c.request("POST", "/predict", json.dumps({"texts": texts, "threshold": 0.999}))
got = json.loads(c.getresponse().read())["predictions"]
assert all(got[i]["probabilities"][l] >= 0.999 for i in range(3) for l in got[i]["labels"])
print("ok")
' "$PORT"
    check "serve: /predict answers as predict --output-format jsonl (labels, probabilities, top); threshold" 'out_is ok'
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
else
    skip "serve: needs python3 and libmicrohttpd"
fi

finish
