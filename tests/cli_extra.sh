#!/bin/sh
# tests/cli_extra.sh - end-to-end tests of `split`, the predict output options
# (--format jsonl, --top-k, --threshold, --with-text) and `eval --errors`.
#
# Run from the repository root after `make`:   sh tests/cli_extra.sh
# Same conventions as tests/cli.sh: "ok - ..." / "FAIL - ..." per check (with
# the command's exit status, stdout and stderr), then "N passed, N failed";
# exit status 1 if anything failed.  Uses the bundled data in tests/data/ and
# fixtures in a temporary directory; trains two tiny models (well under a
# second each).

# Conditions are shell code in single quotes, eval'ed by check().
# shellcheck disable=SC2016,SC2034,SC2086,SC2059

cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-extra CLI_TIMEOUT=60 . tests/harness.sh

# py CODE ARGS...: python3 code (sys.argv[1:] = ARGS) exits 0.
py() {
    _code=$1; shift
    python3 -c "import csv, json, sys
$_code" "$@" >"$T/pyout" 2>&1 || { why="python check failed: $(head -c 400 "$T/pyout")"; return 1; }
}
# same_records A B...: the records of A (CSV) are exactly those of B... together (a multiset).
same_records() {
    _a=$1; shift
    py 'a = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
b = []
for p in sys.argv[2:]:
    r = list(csv.reader(open(p, newline="", encoding="utf-8")))
    assert r[0] == a[0], ("header", p, r[0], a[0])
    b += r[1:]
assert sorted(a[1:]) == sorted(b), "records differ"' "$_a" "$@"
}
# in_order A PART: the records of PART (after its header) appear in A in the same order.
in_order() {
    py 'a = [tuple(r) for r in csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig"))]
p = [tuple(r) for r in csv.reader(open(sys.argv[2], newline="", encoding="utf-8"))][1:]
i = 0
for r in p:
    while i < len(a) and a[i] != r: i += 1
    assert i < len(a), ("not in order", r)
    i += 1' "$1" "$2"
}
# label_counts FILE: "label count" lines of a simple CSV whose first column is the label.
label_counts() { tail -n +2 "$1" | cut -d, -f1 | sort | uniq -c | awk '{print $2 " " $1}' | tr '\n' ' '; }

echo "# seqsent CLI tests (split, predict output options, eval --errors) in $T"

# ======================================================================
# split
# ======================================================================
run "$S" --help
check "--help lists split" '[ $rc -eq 0 ] && out_has "^  split "'
run "$S" split --help
check "split --help exits 0 and prints Usage: seqsent split" '[ $rc -eq 0 ] && out_has "^Usage: seqsent split " && [ ! -s "$T/err" ]'

while IFS='|' read -r name want args; do
    run "$S" $args
    check "usage error ($name): exit 2, one-line message naming $want" "usage_err '$want'"
done <<EOF
split without a file|one data file|split -o p
split two files|one data file|split $D/movies_en.train.csv $D/movies_en.test.csv -o p
split --test 0|--test|split $D/movies_en.train.csv -o p --test 0
split --test -0.2|--test|split $D/movies_en.train.csv -o p --test -0.2
split --test 1.5|--test|split $D/movies_en.train.csv -o p --test 1.5
split --test abc|--test|split $D/movies_en.train.csv -o p --test abc
split --test nan|--test|split $D/movies_en.train.csv -o p --test nan
split --test inf|--test|split $D/movies_en.train.csv -o p --test inf
split --seed -1|--seed|split $D/movies_en.train.csv -o p --seed -1
split --seed 1x|--seed|split $D/movies_en.train.csv -o p --seed 1x
split --format xml|--format|split $D/movies_en.train.csv -o p --format xml
split --stratify on lines|--stratify|split $D/reviews_en.txt -o p --stratify
split - without -o|-o|split -
split --bogus|--bogus|split $D/movies_en.train.csv -o p --bogus
EOF
check "split: a usage error writes no output file" '[ ! -e p.train.csv ] && [ ! -e p.test.csv ]'

run "$S" split "$D/movies_en.train.csv" --test 0.2 --seed 42 -o mv
check "split CSV: exit 0, summary on stderr only, both files written" \
    '[ $rc -eq 0 ] && [ ! -s "$T/out" ] && err_has "600 rows" && [ -s mv.train.csv ] && [ -s mv.test.csv ]'
check "split CSV: the header row is in both parts" \
    '[ "$(head -n 1 mv.train.csv)" = "label,text" ] && [ "$(head -n 1 mv.test.csv)" = "label,text" ]'
tail -n +2 "$D/movies_en.train.csv" | sort >mv_in.sorted
cat mv.train.csv mv.test.csv | grep -v '^label,text$' | sort >mv_out.sorted
check "split CSV: every record once, byte for byte (minimal quoting kept)" 'cmp -s mv_in.sorted mv_out.sorted'
if [ "$HAVE_PY" = 1 ]; then
    check "split CSV: 480 + 120 records (test 0.2 of 600), same records as the input" \
        'same_records "$D/movies_en.train.csv" mv.train.csv mv.test.csv &&
         py "assert len(list(csv.reader(open(sys.argv[1])))) == 481 and len(list(csv.reader(open(sys.argv[2])))) == 121" mv.train.csv mv.test.csv'
    check "split CSV: both parts keep the input order" 'in_order "$D/movies_en.train.csv" mv.train.csv && in_order "$D/movies_en.train.csv" mv.test.csv'
else skip "split record counts and order (needs python3)"; fi
run "$S" split "$D/movies_en.train.csv" --test 0.2 --seed 42 -o mv2 --quiet
check "split: same seed, same split; --quiet prints nothing" \
    '[ $rc -eq 0 ] && [ ! -s "$T/err" ] && cmp -s mv.train.csv mv2.train.csv && cmp -s mv.test.csv mv2.test.csv'
run "$S" split "$D/movies_en.train.csv" --test 0.2 --seed 43 -o mv3 --quiet
check "split: another seed, another split (same sizes)" \
    '[ $rc -eq 0 ] && ! cmp -s mv.test.csv mv3.test.csv && [ "$(lines mv3.test.csv)" -gt 100 ]'
run "$S" split "$D/movies_en.train.csv" --test 50 -o cnt --quiet
if [ "$HAVE_PY" = 1 ]; then
    check "split --test 50: a number of rows" \
        '[ $rc -eq 0 ] && py "assert len(list(csv.reader(open(sys.argv[1])))) == 51 and len(list(csv.reader(open(sys.argv[2])))) == 551" cnt.test.csv cnt.train.csv'
else check "split --test 50: a number of rows" '[ $rc -eq 0 ] && [ -s cnt.test.csv ]'; fi

# stratified: tweets3.train.csv has 144 negative, 155 neutral, 151 positive; 90 test rows
# shared by largest remainder: 28.8 -> 29, 31.0 -> 31, 30.2 -> 30.
run "$S" split "$D/tweets3.train.csv" --test 0.2 --seed 7 --stratify -o tw
check "split --stratify: test part has each label's share (29 negative, 31 neutral, 30 positive)" \
    '[ $rc -eq 0 ] && [ "$(label_counts tw.test.csv)" = "negative 29 neutral 31 positive 30 " ] || { why="test counts: $(label_counts tw.test.csv)"; false; }'
check "split --stratify: train part has the rest (115, 124, 121)" \
    '[ "$(label_counts tw.train.csv)" = "negative 115 neutral 124 positive 121 " ] || { why="train counts: $(label_counts tw.train.csv)"; false; }'
check "split --stratify: per-label summary on stderr" 'err_has "label .negative.: 144 rows: 115 train, 29 test"'
if [ "$HAVE_PY" = 1 ]; then
    check "split --stratify: same records as the input" 'same_records "$D/tweets3.train.csv" tw.train.csv tw.test.csv'
fi
run "$S" split "$D/tweets3.train.csv" --test 0.2 --seed 7 --stratify -o tw2 --quiet
check "split --stratify: deterministic" '[ $rc -eq 0 ] && cmp -s tw.test.csv tw2.test.csv && cmp -s tw.train.csv tw2.train.csv'

# other formats
printf 'review\tpolarity\ngreat fun\tpos\nawful\tneg\nfine film\tpos\ndull\tneg\nnice\tpos\nbad\tneg\n' >small.tsv
run "$S" split small.tsv --test 0.5 --stratify --label-col polarity -o st --quiet
st_labels() { tail -n +2 "$1" | cut -f2 | sort | tr "\n" " "; }
check "split TSV --stratify --label-col NAME: PREFIX.train.tsv/.test.tsv, header in both, 3 + 3 rows, 3 labels pos/neg each split 2:1 or 1:2" \
    '[ $rc -eq 0 ] && [ "$(head -n 1 st.train.tsv)" = "review${TAB}polarity" ] && [ "$(head -n 1 st.test.tsv)" = "review${TAB}polarity" ] &&
     [ "$(lines st.train.tsv)" -eq 4 ] && [ "$(lines st.test.tsv)" -eq 4 ] &&
     { [ "$(st_labels st.test.tsv)" = "neg neg pos " ] || [ "$(st_labels st.test.tsv)" = "neg pos pos " ]; }'
check "split TSV: every row once" \
    '[ "$(cat st.train.tsv st.test.tsv | sort | uniq | wc -l)" -eq 7 ] && [ "$(tail -n +2 small.tsv | sort)" = "$(tail -q -n +2 st.train.tsv st.test.tsv | sort)" ]'
run "$S" split "$D/reviews_en.txt" --test 0.25 -o rv --quiet
check "split lines (.txt): PREFIX.train.txt/.test.txt, no header, 6 + 2 lines, same lines" \
    '[ $rc -eq 0 ] && [ "$(lines rv.train.txt)" -eq 6 ] && [ "$(lines rv.test.txt)" -eq 2 ] && [ "$(sort "$D/reviews_en.txt")" = "$(cat rv.train.txt rv.test.txt | sort)" ]'
head -n 20 "$D/movies_en.test.csv" | tail -n +2 >nohead.csv
run "$S" split nohead.csv --no-header --test 0.25 -o nh --quiet
check "split --no-header: no header row in the outputs, 15 + 5 rows" \
    '[ $rc -eq 0 ] && [ "$(lines nh.train.csv)" -eq 14 ] && [ "$(lines nh.test.csv)" -eq 5 ] && [ "$(sort nohead.csv)" = "$(cat nh.train.csv nh.test.csv | sort)" ]'
run_in small.tsv "$S" split - --format tsv --test 2 -o si --quiet
check "split - (stdin) with --format tsv and -o" '[ $rc -eq 0 ] && [ "$(lines si.test.tsv)" -eq 3 ] && [ "$(lines si.train.tsv)" -eq 5 ]'
mkdir -p sub
cp "$D/tweets3.test.csv" sub/data.csv
run "$S" split sub/data.csv --quiet
check "split without -o: PREFIX is FILE without its extension (sub/data.train.csv, sub/data.test.csv)" \
    '[ $rc -eq 0 ] && [ -s sub/data.train.csv ] && [ -s sub/data.test.csv ]'

# CSV quoting: BOM, CRLF, quoted commas, doubled quotes, embedded newlines, a lone empty field
printf '\357\273\277label,text\r\n1,"Hello, ""world"""\r\n0,"two\r\nlines"\r\n1,plain text\r\n0,"with ""quotes"" inside"\r\n1,say "hi"\r\n0,"x"y\r\n1,tab\there\r\n0,last one\r\n' >quoted.csv
"$S" tokenize quoted.csv 2>/dev/null | sort >quoted.tok
run "$S" split quoted.csv --test 0.5 --seed 3 -o q --quiet
check "split CSV quoting: outputs read back to the same texts (seqsent's reader)" \
    '[ $rc -eq 0 ] && [ "$(cat q.train.csv q.test.csv | grep -c "^label,text\$")" -eq 2 ] &&
     { "$S" tokenize q.train.csv; "$S" tokenize q.test.csv; } 2>/dev/null | sort | cmp -s - quoted.tok'
check "split CSV quoting: fields are re-quoted only where needed, LF line ends" \
    'grep -q "^1,\"Hello, \"\"world\"\"\"\$" q.*.csv && grep -q "^1,plain text\$" q.*.csv && grep -q "^1,\"say \"\"hi\"\"\"\$" q.*.csv && ! grep -q "$CR" q.train.csv q.test.csv'
if [ "$HAVE_PY" = 1 ]; then
    check "split CSV quoting: same fields as the input for Python's csv module too" \
        'py "a = list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8-sig\")))
b = [r for p in sys.argv[2:] for r in list(csv.reader(open(p, newline=\"\")))[1:]]
norm = lambda rs: sorted([f.replace(\"\\r\\n\", \"\\n\") for f in r] for r in rs)
assert norm(a[1:]) == norm(b), (norm(a[1:]), norm(b))" quoted.csv q.train.csv q.test.csv'
fi
printf 'label,text\n1,a\n""\n0,b\n1,c\n' >lone.csv
run "$S" split lone.csv --test 2 --seed 1 -o lone --quiet
check "split CSV: a record of one empty field stays a record (written as \"\")" \
    '[ $rc -eq 0 ] && [ "$(cat lone.train.csv lone.test.csv | grep -c "^\"\"\$")" -eq 1 ] && [ "$(tail -q -n +2 lone.train.csv lone.test.csv | wc -l)" -eq 4 ]'

# errors
run "$S" split no-such.csv -o x
check "split: a missing file is an error naming it (exit 1)" '[ $rc -eq 1 ] && err_has "no-such.csv" && [ ! -e x.train.csv ]'
printf 'label,text\n1,"never closed\n0,b\n' >badq.csv
run "$S" split badq.csv -o bq
check "split: bad CSV is an error naming file:line" '[ $rc -eq 1 ] && err_has "badq.csv:2:" && [ ! -e bq.train.csv ] && [ ! -e bq.test.csv ]'
printf 'label,text\n1,only\n' >one.csv
run "$S" split one.csv -o one
check "split: one row cannot be split (exit 1)" '[ $rc -eq 1 ] && err_has "one.csv" && [ ! -e one.train.csv ]'
run "$S" split "$D/tweets3.test.csv" --test 150 -o all
check "split --test N with N = all rows: no training rows left (exit 1)" '[ $rc -eq 1 ] && err_has "no training rows" && [ ! -e all.train.csv ]'
printf 'a,b\n1,x\n0\n' >short.csv
run "$S" split short.csv --no-header --label-col 2 --stratify -o sh
check "split --stratify: a row without the label column is an error naming file:line" '[ $rc -eq 1 ] && err_has "short.csv:3:" && [ ! -e sh.train.csv ]'
run "$S" split short.csv --label-col nosuch --stratify -o sh
check "split: an unknown --label-col name is an error" '[ $rc -eq 1 ] && err_has "nosuch"'
echo old >keep.train.csv
echo old >keep.test.csv
run "$S" split badq.csv -o keep
check "split: a failed split leaves existing outputs untouched" '[ $rc -eq 1 ] && [ "$(cat keep.train.csv)" = old ] && [ "$(cat keep.test.csv)" = old ]'
run "$S" split "$D/tweets3.test.csv" -o keep --format csv --quiet
check "split: existing outputs are replaced" '[ $rc -eq 0 ] && [ "$(head -n 1 keep.train.csv)" = "label,text" ]'
run "$S" split "$D/tweets3.test.csv" -o no-such-dir/p
check "split: an unwritable prefix is an error naming it, nothing written" '[ $rc -eq 1 ] && err_has "no-such-dir/p" && [ ! -e no-such-dir ]'
check "split: no temp files left" 'no_tmp_left .'

# ======================================================================
# predict output options
# ======================================================================
SMALL="--hidden 8 --embed-dim 8 --layers 1 --maxlen 20 --threads 1 --epochs 3 --quiet"
run "$S" train "$D/movies_en.train.csv" $SMALL -o en.ssm
check "fixture: binary model trained" '[ $rc -eq 0 ] && [ -s en.ssm ]'
run "$S" train "$D/tweets3.train.csv" $SMALL -o tw.ssm
check "fixture: 3-class model trained" '[ $rc -eq 0 ] && [ -s tw.ssm ]'
R=$D/reviews_en.txt
NR=$(lines "$R")

while IFS='|' read -r name want args; do
    run "$S" $args
    check "usage error ($name): exit 2, one-line message naming $want" "usage_err '$want'"
done <<EOF
predict --format xml|--format|predict -m en.ssm --format xml $R
predict --top-k 0|--top-k|predict -m en.ssm --top-k 0 $R
predict --top-k x|--top-k|predict -m en.ssm --top-k x $R
predict --threshold 1.5|--threshold|predict -m en.ssm --threshold 1.5 $R
predict --threshold nan|--threshold|predict -m en.ssm --threshold nan $R
predict --all --top-k|--top-k|predict -m en.ssm --all --top-k 2 $R
predict --threshold with --all (tsv)|--threshold|predict -m en.ssm --threshold 0.7 --all $R
predict --threshold with --top-k (tsv)|--threshold|predict -m en.ssm --threshold 0.7 --top-k 1 $R
predict --threshold on a 3-class model|--threshold|predict -m tw.ssm --threshold 0.5 $R
EOF

run "$S" predict -m en.ssm "$R"; cp "$T/out" en_ref.txt
run "$S" predict -m en.ssm --output-format tsv "$R"
check "predict --output-format tsv is the default output" '[ $rc -eq 0 ] && [ -s en_ref.txt ] && cmp -s "$T/out" en_ref.txt'
run "$S" predict -m en.ssm --threshold 0.5 "$R"
check "predict --threshold 0.5 is the default decision" '[ $rc -eq 0 ] && cmp -s "$T/out" en_ref.txt'
run "$S" predict -m en.ssm --all "$R"; cp "$T/out" en_all.txt
for th in 0 0.45 0.5 0.55 1; do
    run "$S" predict -m en.ssm --threshold $th "$R"
    awk -F "$TAB" -v t=$th '{ split($1, a, ":"); split($2, b, ":"); if (b[2] + 0 >= t + 0) print "1\t" b[2]; else print "0\t" a[2] }' en_all.txt >th_want.txt
    check "predict --threshold $th: the second label iff its probability >= $th, with that label's probability" \
        '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq $NR ] && cmp -s "$T/out" th_want.txt'
done

run "$S" predict -m tw.ssm "$R"; cp "$T/out" tw_ref.txt
run "$S" predict -m tw.ssm --all "$R"; cp "$T/out" tw_all.txt
run "$S" predict -m tw.ssm --top-k 2 "$R"; cp "$T/out" tw_top2.txt
check "predict --top-k 2 (3 classes): 2 label<TAB>prob pairs, sorted, the first = the default output" \
    '[ $rc -eq 0 ] && [ "$(lines tw_top2.txt)" -eq $NR ] && awk -F "$TAB" "NF != 4 || \$2 < \$4 {bad = 1} END {exit bad}" tw_top2.txt && cut -f1,2 tw_top2.txt | cmp -s - tw_ref.txt'
run "$S" predict -m tw.ssm --top-k 9 "$R"
check "predict --top-k larger than the labels: every label, sorted, same probabilities as --all" \
    '[ $rc -eq 0 ] && awk -F "$TAB" "NF != 6 || \$2 < \$4 || \$4 < \$6 {bad = 1} END {exit bad}" "$T/out" &&
     [ "$(awk -F "$TAB" "{ for (i = 1; i < NF; i += 2) print NR, \$i, \$(i + 1) }" "$T/out" | sort)" = "$(awk -F "$TAB" "{ for (i = 1; i <= NF; i++) { split(\$i, a, \":\"); print NR, a[1], a[2] } }" tw_all.txt | sort)" ]'
run "$S" predict -m tw.ssm --with-text "$R"
check "predict --with-text: the input line as the last field" \
    '[ $rc -eq 0 ] && cut -f1,2 "$T/out" | cmp -s - tw_ref.txt && cut -f3- "$T/out" | cmp -s - "$R"'
run "$S" predict -m tw.ssm --all --with-text "$R"
check "predict --all --with-text: label:prob fields, then the text" \
    '[ $rc -eq 0 ] && cut -f1-3 "$T/out" | cmp -s - tw_all.txt && cut -f4- "$T/out" | cmp -s - "$R"'
printf 'a${TAB}tab inside\n\nno newline at end' | sed "s/\${TAB}/$TAB/" >wt.txt
run "$S" predict -m en.ssm --with-text wt.txt
check "predict --with-text: a tab in the text is kept, an empty line gives an empty last field" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 3 ] && [ "$(sed -n 1p "$T/out" | cut -f3-)" = "a${TAB}tab inside" ] && sed -n 2p "$T/out" | grep -q "^[01]${TAB}[0-9.]*${TAB}\$" && [ "$(sed -n 3p "$T/out" | cut -f3-)" = "no newline at end" ]'

if [ "$HAVE_PY" = 1 ]; then
    run "$S" predict -m tw.ssm --output-format jsonl "$R"; cp "$T/out" tw.jsonl
    check "predict --output-format jsonl: one object per line; label, probability as the tsv output; probabilities of every label in model order, summing to 1" \
        '[ $rc -eq 0 ] && py "
rows = [json.loads(l) for l in open(sys.argv[1])]
ref = [l.rstrip(\"\\n\").split(\"\\t\") for l in open(sys.argv[2])]
assert len(rows) == len(ref) == int(sys.argv[3])
for o, (lab, p) in zip(rows, ref):
    assert set(o) == {\"label\", \"probability\", \"probabilities\"}, o
    assert o[\"label\"] == lab and \"%.6f\" % o[\"probability\"] == p, (o, lab, p)
    assert list(o[\"probabilities\"]) == [\"negative\", \"neutral\", \"positive\"]
    assert abs(sum(o[\"probabilities\"].values()) - 1) < 1e-5
    assert o[\"probabilities\"][lab] == o[\"probability\"]" tw.jsonl tw_ref.txt $NR'
    run "$S" predict -m tw.ssm --output-format jsonl --top-k 2 --with-text "$R"
    check "predict --output-format jsonl --top-k 2 --with-text: a sorted \"top\" array of 2 and the \"text\"" \
        '[ $rc -eq 0 ] && py "
rows = [json.loads(l) for l in open(sys.argv[1])]
texts = [l.rstrip(\"\\n\") for l in open(sys.argv[2])]
assert len(rows) == len(texts)
for o, t in zip(rows, texts):
    assert o[\"text\"] == t
    top = o[\"top\"]
    assert len(top) == 2 and top[0][\"probability\"] >= top[1][\"probability\"]
    assert top[0][\"label\"] == o[\"label\"] and all(o[\"probabilities\"][x[\"label\"]] == x[\"probability\"] for x in top)" "$T/out" "$R"'
    run "$S" predict -m en.ssm --output-format jsonl --threshold 0.55 "$R"; cp "$T/out" en_th.jsonl
    run "$S" predict -m en.ssm --threshold 0.55 "$R"; cp "$T/out" en_th.txt
    check "predict --output-format jsonl --threshold: label and probability as the tsv decision" \
        '[ $rc -eq 0 ] && py "
rows = [json.loads(l) for l in open(sys.argv[1])]
ref = [l.rstrip(\"\\n\").split(\"\\t\") for l in open(sys.argv[2])]
assert [[o[\"label\"], \"%.6f\" % o[\"probability\"]] for o in rows] == ref" en_th.jsonl en_th.txt'
    printf 'bad \377\376 bytes \342\x82\n\344\270\255\346\226\207 "quoted" \\ back\n' >bad_utf8.txt
    run "$S" predict -m en.ssm --output-format jsonl --with-text bad_utf8.txt
    check "predict --output-format jsonl --with-text: invalid UTF-8 becomes U+FFFD, quotes and backslashes escaped: valid JSON" \
        '[ $rc -eq 0 ] && py "
rows = [json.loads(l) for l in open(sys.argv[1], encoding=\"utf-8\")]
assert len(rows) == 2 and \"\\ufffd\" in rows[0][\"text\"] and rows[0][\"text\"].startswith(\"bad \")
assert rows[1][\"text\"] == \"\\u4e2d\\u6587 \\\"quoted\\\" \\\\ back\", rows[1][\"text\"]" "$T/out"'
    run "$S" predict -m tw.ssm --output-format jsonl --all "$R"
    check "predict --output-format jsonl --all: the same objects (probabilities are always there)" '[ $rc -eq 0 ] && cmp -s "$T/out" tw.jsonl'
else
    skip "predict --output-format jsonl checks (need python3)"
fi

# streaming and | head with jsonl
sed -n 1p "$R" >l1.txt
sed -n 2p "$R" >l2.txt
( cat l1.txt; sleep 2; cat l2.txt ) | "$S" predict -m en.ssm --output-format jsonl --with-text >stream_out.txt 2>"$T/err" &
spid=$!
BGPIDS="$BGPIDS $spid"
sleep 1
cp stream_out.txt stream_early.txt
wait "$spid"; rc=$?
BGPIDS=
check "predict --output-format jsonl streams: the first object is written before the second line arrives" \
    '[ "$(lines stream_early.txt)" -eq 1 ] && [ $rc -eq 0 ] && [ "$(lines stream_out.txt)" -eq 2 ] && grep -q "\"text\":" stream_early.txt'
i=0; cp "$R" long.txt
while [ $i -lt 11 ]; do cat long.txt long.txt >long2.txt; mv long2.txt long.txt; i=$((i + 1)); done
{ "$S" predict -m tw.ssm --output-format jsonl --top-k 2 --with-text long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "predict --output-format jsonl ... | head -1 on a long input: quiet exit 0" \
    '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'
if [ -c /dev/full ] && ! printf x 2>/dev/null >/dev/full; then
    "$S" predict -m en.ssm --output-format jsonl "$R" >/dev/full 2>"$T/err"; rc=$?
    : >"$T/out"
    check "predict --output-format jsonl > /dev/full: exit 1 with a message" '[ $rc -eq 1 ] && grep -qi "stdout\|space" "$T/err"'
fi

# ======================================================================
# eval --errors and eval --json keys
# ======================================================================
run "$S" eval -m en.ssm --errors - "$D/movies_en.test.csv"
check "eval --errors -: usage error (stdout carries the report)" 'usage_err "--errors"'
run "$S" eval -m en.ssm --threads 1 --json --errors en_err.csv "$D/movies_en.test.csv"; cp "$T/out" en_eval.json
check "eval --errors: the report is unchanged (one JSON object), the CSV starts with its header" \
    '[ $rc -eq 0 ] && [ "$(lines en_eval.json)" -eq 1 ] && [ "$(head -n 1 en_err.csv)" = "line,label,predicted,probability,text" ]'
if [ "$HAVE_PY" = 1 ]; then
    check "eval --json: keys model, data, n, accuracy, loss, skipped_empty, unknown_token_rate, classes (label, precision, recall, f1, support), macro_f1, confusion" \
        'py "d = json.load(open(sys.argv[1]))
assert set(d) == {\"model\", \"data\", \"n\", \"accuracy\", \"loss\", \"skipped_empty\", \"unknown_token_rate\", \"classes\", \"macro_f1\", \"confusion\"}, sorted(d)
assert 0 <= d[\"unknown_token_rate\"] < 0.05, d[\"unknown_token_rate\"]
assert all(set(c) == {\"label\", \"precision\", \"recall\", \"f1\", \"support\"} for c in d[\"classes\"])
assert abs(d[\"macro_f1\"] - sum(c[\"f1\"] for c in d[\"classes\"]) / len(d[\"classes\"])) < 1e-12" en_eval.json'
    # The error rows: count = n - trace(confusion); each names its line in the data, its true label
    # (from that line), a different predicted label, and the text of that line.
    errors_ok='
d = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["line", "label", "predicted", "probability", "text"]
rows = rows[1:]
K = len(d["confusion"])
wrong = d["n"] - sum(d["confusion"][i][i] for i in range(K))
assert len(rows) == wrong, (len(rows), wrong)
by_line, line = {}, 1
f = open(sys.argv[3], newline="")
r = csv.reader(f)
next(r); line = r.line_num + 1
for rec in r:
    by_line[line] = rec
    line = r.line_num + 1
labels = [c["label"] for c in d["classes"]]
prev = 0
off = {}
for ln, lab, pred, p, text in rows:
    ln = int(ln)
    assert ln > prev; prev = ln
    assert by_line[ln][0] == lab and by_line[ln][1].replace("\r\n", "\n") == text, (ln, by_line[ln], lab, text)
    assert lab != pred and pred in labels and lab in labels
    assert float(p) >= float(sys.argv[4]) - 1e-9 and float(p) <= 1 and len(p.split(".")[1]) == 6
    off[(labels.index(lab), labels.index(pred))] = off.get((labels.index(lab), labels.index(pred)), 0) + 1
for (i, j), c in off.items():
    assert d["confusion"][i][j] == c, (i, j, c)
'
    check "eval --errors (binary): one row per misclassified row, matching the data file and the confusion matrix" \
        'py "$errors_ok" en_eval.json en_err.csv "$D/movies_en.test.csv" 0.5'
    run "$S" eval -m tw.ssm --threads 1 --json --errors tw_err.csv "$D/tweets3.test.csv"; cp "$T/out" tw_eval.json
    check "eval --errors (3 classes): matching the data file and the confusion matrix" \
        '[ $rc -eq 0 ] && py "$errors_ok" tw_eval.json tw_err.csv "$D/tweets3.test.csv" 0.3333'
else
    run "$S" eval -m tw.ssm --threads 1 --errors tw_err.csv "$D/tweets3.test.csv"
    check "eval --errors (3 classes): writes the CSV" '[ $rc -eq 0 ] && [ -s tw_err.csv ]'
fi
# predicted labels agree with predict on the same texts (rows without quotes or commas in the text)
grep -v '"' "$D/movies_en.test.csv" | awk -F, 'NR > 1 && NF == 2' >plain.csv
{ echo "label,text"; cat plain.csv; } >plain_h.csv
cut -d, -f2 plain.csv >plain_text.txt
run "$S" eval -m en.ssm --errors plain_err.csv plain_h.csv
"$S" predict -m en.ssm plain_text.txt 2>/dev/null | paste -d, plain.csv - | awk -F "[,$TAB]" '$1 != $3 {print $2 "," $3}' >plain_want.txt
check "eval --errors: the misclassified rows are exactly those where predict disagrees with the label" \
    '[ $rc -eq 0 ] && [ -s plain_want.txt ] && tail -n +2 plain_err.csv | awk -F, "{print \$5 \",\" \$3}" | cmp -s - plain_want.txt'
# the same text with both labels: exactly one of the two rows is misclassified
printf 'label,text\n1,"a ""quoted"", text\nwith a newline"\n0,"a ""quoted"", text\nwith a newline"\n' >q_eval.csv
run "$S" eval -m en.ssm --errors q_err.csv q_eval.csv
check "eval --errors: texts are written with RFC 4180 quoting (quotes doubled, comma and newline inside quotes)" \
    '[ $rc -eq 0 ] && [ "$(lines q_err.csv)" -eq 3 ] && grep -Eq "^(2,1,0|4,0,1),[0-9.]+,\"a \"\"quoted\"\", text\$" q_err.csv && [ "$(sed -n 3p q_err.csv)" = "with a newline\"" ]'
run "$S" eval -m en.ssm --errors no-such-dir/e.csv "$D/movies_en.test.csv"
check "eval --errors into a missing directory: exit 1 naming it, no report" '[ $rc -eq 1 ] && err_has "no-such-dir/e.csv" && [ ! -s "$T/out" ]'
echo old >keep_err.csv
run "$S" eval -m en.ssm --errors keep_err.csv badq.csv
check "eval --errors: bad data leaves an existing errors file untouched" '[ $rc -eq 1 ] && [ "$(cat keep_err.csv)" = old ]'
# ======================================================================
# vectors: word2vec training on unlabelled text, read back by embed / train
# ======================================================================
run "$S" vectors "$D/movies_en.train.csv" --min-count 2 --dim 12 --epochs 3 -o w2v.txt
check "vectors: exit 0, a summary on stderr, nothing on stdout" \
    '[ $rc -eq 0 ] && err_has "vectors: " && [ ! -s "$T/out" ]'
check "vectors: word2vec text format: a 'count dim' header and count rows of dim numbers" \
    'awk "NR == 1 { n = \$1; d = \$2; next } NF != d + 1 { bad = 1 } END { exit bad || NR - 1 != n || d != 12 }" w2v.txt'
run "$S" vectors "$D/movies_en.train.csv" --min-count 2 --dim 12 --epochs 3 --quiet -o w2v_again.txt
check "vectors: same seed (one thread): the same file; --quiet prints nothing" \
    '[ $rc -eq 0 ] && cmp -s w2v.txt w2v_again.txt && [ ! -s "$T/err" ]'
run "$S" vectors "$D/movies_en.train.csv" --min-count 2 --dim 12 --epochs 3 --seed 9 --quiet -o -
check "vectors -o -: to stdout; another seed gives other vectors" '[ $rc -eq 0 ] && [ -s "$T/out" ] && ! cmp -s "$T/out" w2v.txt'
run "$S" vectors "$D/movies_en.train.csv" --min-count 2 --dim 12 --epochs 3 --binary --quiet -o w2v.bin
check "vectors --binary: read back by embed, 100% of its words found" \
    '[ $rc -eq 0 ] && "$S" vocab "$D/movies_en.train.csv" --min-count 2 -o w2v_base.ssm 2>/dev/null &&
     "$S" embed w2v_base.ssm w2v.bin -o w2v_emb.ssm 2>"$T/err" && err_has "(100.0%)"'
run "$S" train "$D/movies_en.train.csv" --embed w2v.txt --hidden 8 --layers 1 --epochs 1 --quiet -o w2v_model.ssm
check "vectors: train --embed takes them (embedding dimension 12)" \
    '[ $rc -eq 0 ] && "$S" info w2v_model.ssm | tr -d "\n\t " | grep -q "\"embed_dim\":12"'
run "$S" vectors "$D/reviews_zh.txt" --dict "$D/zh_dict.txt" --min-count 1 --dim 8 --quiet -o zh_w2v.txt
check "vectors: Chinese lines segmented with --dict (words, not only characters)" \
    '[ $rc -eq 0 ] && awk "NR > 1 && length(\$1) > 3 { w = 1 } END { exit !w }" zh_w2v.txt'
run "$S" vectors "$D/movies_en.train.csv" --min-count 100000 -o none.txt
check "vectors: nothing frequent enough: exit 1 with a message, no output" \
    '[ $rc -eq 1 ] && err_has "min-count" && [ ! -e none.txt ]'
for bad in "--dim 0" "--window 0" "--epochs 0" "--sample -1" "--lr 0"; do
    run "$S" vectors "$D/movies_en.train.csv" $bad -o bad.txt
    check "vectors $bad: usage error (exit 2)" '[ $rc -eq 2 ] && [ ! -e bad.txt ]'
done
run "$S" vectors "$D/movies_en.train.csv"
check "vectors without -o: usage error (exit 2)" '[ $rc -eq 2 ]'
run "$S" vectors "$D/movies_en.train.csv" --min-count 2 --quiet -o /dev/full
check "vectors -o /dev/full: exit 1" '[ $rc -eq 1 ]'

check "no temp files left anywhere" 'no_tmp_left .'

finish
