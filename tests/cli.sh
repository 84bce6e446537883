#!/bin/sh
# tests/cli.sh - end-to-end tests of the seqsent binary.
#
# Run from the repository root after `make`:   sh tests/cli.sh
# Every check prints "ok - ..." or "FAIL - ..." (with the command's exit
# status, stdout and stderr); the last line is "N passed, N failed" and the
# exit status is 1 if anything failed.  Uses only the bundled data in
# tests/data/ and small fixtures written to a temporary directory.

# Conditions are shell code in single quotes, eval'ed by check(); option lists
# are word-split on purpose.
# shellcheck disable=SC2016,SC2034,SC2086,SC2059

cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli CLI_JIEBA=1 CLI_TIMEOUT=60 . tests/harness.sh

# JSON predicates for check conditions.
# jq_py FILE EXPR: python expression over d = the JSON in FILE is true.
jq_py() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)' "$1" "$2" 2>"$T/pyerr" || { why="JSON check failed: $2 $(head -c 300 "$T/pyerr")"; return 1; }
}
# json_check FILE PYEXPR GREP-FALLBACK-CODE
json_check() {
    if [ "$HAVE_PY" = 1 ]; then jq_py "$1" "$2"; else eval "$3"; fi
}
# Helper for reading tensors out of model files (format: man/seqsent-model.5).
cat >"$T/ssm.py" <<'EOF'
import json, struct, sys

def load(path):
    b = open(path, 'rb').read()
    jo, jl, do, dl = struct.unpack('<QQQQ', b[16:48])
    meta = json.loads(b[jo:jo + jl].decode('utf-8'))
    ts = {t['name']: b[do + t['offset']:do + t['offset'] + t['nbytes']] for t in meta['tensors']}
    return meta, ts

def vocab(ts):
    return ts['vocab.tokens'].split(b'\0')[:-1]

cmd = sys.argv[1]
if cmd == 'same-tensor':            # A B NAME: tensor NAME is byte-identical
    a = load(sys.argv[2])[1][sys.argv[4]]
    b = load(sys.argv[3])[1][sys.argv[4]]
    sys.exit(0 if a == b else 1)
elif cmd == 'same-weights':         # A B: every tensor is byte-identical
    a = load(sys.argv[2])[1]
    b = load(sys.argv[3])[1]
    sys.exit(0 if a == b else 1)
elif cmd == 'emb-is-vectors':       # MODEL VECFILE: rows of known words = the vectors
    meta, ts = load(sys.argv[2])
    toks = vocab(ts)
    dim = meta['network']['embed_dim'] if 'network' in meta else meta['embedding']['dim']
    emb = struct.unpack('<%df' % (len(toks) * dim), ts['embedding'])
    vec = {}
    for i, line in enumerate(open(sys.argv[3], encoding='utf-8')):
        f = line.split()
        if i == 0 and len(f) == 2:
            continue
        vec.setdefault(f[0].encode('utf-8'), [float(x) for x in f[1:]])
    found = bad = 0
    for i, t in enumerate(toks):
        if i < 2 or t not in vec:
            continue
        found += 1
        row = emb[i * dim:(i + 1) * dim]
        if any(abs(x - y) > 1e-5 for x, y in zip(row, vec[t])):
            bad += 1
    zero = all(x == 0 for x in emb[:2 * dim])
    print('found %d, differing %d, pad/unk rows zero %s' % (found, bad, zero))
    sys.exit(0 if found > 10 and bad == 0 and zero else 1)
EOF
ssm() { python3 "$T/ssm.py" "$@" >"$T/pyout" 2>&1 || { why="ssm.py $*: $(cat "$T/pyout")"; return 1; }; }

echo "# seqsent CLI tests in $T"

# ======================================================================
# general CLI: version, help, usage errors
# ======================================================================
run "$S" --version
check "--version exits 0 and prints 'seqsent X.Y.Z'" \
    '[ $rc -eq 0 ] && grep -Eq "^seqsent [0-9]+\.[0-9]+\.[0-9]+$" "$T/out"'

run "$S" --help
all_cmds_listed() {
    for _c in tokenize vocab pad embed train eval predict info; do out_has "^  $_c " || return 1; done
}
check "--help exits 0, prints Usage: and lists every command" '[ $rc -eq 0 ] && out_has "^Usage:" && all_cmds_listed'
for c in tokenize vocab pad embed train eval predict info; do
    run "$S" "$c" --help
    check "$c --help exits 0 and prints Usage: seqsent $c" \
        '[ $rc -eq 0 ] && out_has "^Usage: seqsent $c " && [ ! -s "$T/err" ]'
done
run "$S" help train
check "'help train' prints the train help" '[ $rc -eq 0 ] && out_has "^Usage: seqsent train "'

run "$S"
check "no command: exit 2 with usage on stderr" '[ $rc -eq 2 ] && err_has "Usage:" && [ ! -s "$T/out" ]'
run "$S" frobnicate
check "unknown command: exit 2, message names it" 'usage_err frobnicate'

while IFS='|' read -r name want args; do
    # shellcheck disable=SC2086
    run "$S" $args
    check "usage error ($name): exit 2, one-line message naming $want" "usage_err '$want'"
done <<EOF
unknown long option|--bogus|tokenize --bogus
unknown short option|-x|predict -m x.ssm -x
unknown option after operands|--nope|train $D/movies_en.train.csv -o m.ssm --nope
missing option argument|--dict|tokenize --dict
missing -o argument|--output|vocab $D/movies_en.train.csv -o
missing --maxlen argument|--maxlen|train $D/movies_en.train.csv -o m.ssm --maxlen
train --maxlen 0|--maxlen|train $D/movies_en.train.csv -o m.ssm --maxlen 0
train --batch -1|--batch|train $D/movies_en.train.csv -o m.ssm --batch -1
train --lr nan|--lr|train $D/movies_en.train.csv -o m.ssm --lr nan
train --lr inf|--lr|train $D/movies_en.train.csv -o m.ssm --lr inf
train --lr 0|--lr|train $D/movies_en.train.csv -o m.ssm --lr 0
train --epochs abc|--epochs|train $D/movies_en.train.csv -o m.ssm --epochs abc
train --epochs 1.5|--epochs|train $D/movies_en.train.csv -o m.ssm --epochs 1.5
train --hidden 10x|--hidden|train $D/movies_en.train.csv -o m.ssm --hidden 10x
train --threads 0|--threads|train $D/movies_en.train.csv -o m.ssm --threads 0
train --seed -3|--seed|train $D/movies_en.train.csv -o m.ssm --seed -3
train --padding middle|--padding|train $D/movies_en.train.csv -o m.ssm --padding middle
pad --maxlen 0|--maxlen|pad --maxlen 0
pad --maxlen huge|--maxlen|pad --maxlen 99999999999999999999999
pad --value abc|--value|pad --maxlen 3 --value abc
eval --batch -1|--batch|eval -m x.ssm --batch -1 $D/movies_en.test.csv
predict --batch 0|--batch|predict -m x.ssm --batch 0
vocab --min-count 0|--min-count|vocab --text --min-count 0 $D/movies_en.train.csv
embed --embed-dim 0|--embed-dim|embed --embed-dim 0 a b -o c
tokenize --lang xx|--lang|tokenize --lang xx
tokenize --format xml|--format|tokenize --format xml
EOF
check "a usage error writes no output file" '[ ! -e m.ssm ]'

run "$S" predict
check "predict without -m: exit 2" '[ $rc -eq 2 ] && err_has "-m"'
run "$S" vocab "$D/movies_en.train.csv"
check "vocab without -o or --text: exit 2" '[ $rc -eq 2 ] && err_has "-o"'
run "$S" train -o m.ssm
check "train without a data file: exit 2" '[ $rc -eq 2 ] && [ ! -e m.ssm ]'
run "$S" tokenize -m x.ssm --dict "$D/zh_dict.txt"
check "tokenize: -m with tokenizer options is a usage error" '[ $rc -eq 2 ]'

# ======================================================================
# tokenize
# ======================================================================
printf '房间很干净，服务员也非常热情。\n' >zh1.txt
run "$S" tokenize --dict "$D/zh_dict.txt" zh1.txt
check "tokenize: Chinese with --dict segments by the dictionary" \
    '[ $rc -eq 0 ] && out_is "房间 很 干净 , 服务员 也 非常 热情 。"'
printf '房间很干净\n' >zh2.txt
run "$S" tokenize --dict none zh2.txt
check "tokenize: Chinese without a dictionary gives one token per character" \
    '[ $rc -eq 0 ] && out_is "房 间 很 干 净"'
printf "I didn't enjoy it. Don't waste your time!!\n" >en1.txt
run "$S" tokenize en1.txt
check "tokenize: English contractions, punctuation and case folding" \
    '[ $rc -eq 0 ] && out_is "i did n'"'"'t enjoy it . do n'"'"'t waste your time !!"'
printf "I love 这个酒店, it's GREAT!\n" >mix.txt
run "$S" tokenize --dict "$D/zh_dict.txt" mix.txt
check "tokenize: mixed English/Chinese text" \
    '[ $rc -eq 0 ] && out_is "i love 这个 酒店 , it '"'"'s great !"'
printf 'Soooo gooood\n' >sq.txt
run "$S" tokenize --squeeze sq.txt
check "tokenize --squeeze squeezes letter runs to 2" '[ $rc -eq 0 ] && out_is "soo good"'
run "$S" tokenize --no-normalize sq.txt
check "tokenize --no-normalize keeps case" '[ $rc -eq 0 ] && out_is "Soooo gooood"'

run "$S" tokenize "$D/reviews_en.txt"; cp "$T/out" tok_file.txt
run_in "$D/reviews_en.txt" "$S" tokenize; cp "$T/out" tok_stdin.txt
run_in "$D/reviews_en.txt" "$S" tokenize -; cp "$T/out" tok_dash.txt
check "tokenize: stdin, '-' and a file argument give the same tokens, one line per line" \
    '[ $rc -eq 0 ] && cmp -s tok_file.txt tok_stdin.txt && cmp -s tok_file.txt tok_dash.txt && [ "$(lines tok_file.txt)" -eq "$(lines "$D/reviews_en.txt")" ]'
sed "s/\$/$CR/" "$D/reviews_en.txt" >reviews_crlf.txt
run "$S" tokenize reviews_crlf.txt
check "tokenize: CRLF input gives the same tokens (no stray CR)" '[ $rc -eq 0 ] && cmp -s "$T/out" tok_file.txt'

run "$S" tokenize "$D/movies_en.test.csv"
check "tokenize: CSV input prints the text column, one line per row" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 200 ] && [ "$(sed -n 1p "$T/out")" = "the characters were so forgettable . the visuals were clumsy ." ] && [ "$(sed -n 4p "$T/out")" = "the trailer gives away a lot . there is n'"'"'t any tension , yet the cast was wonderful ." ]'
printf '\357\273\277label,text\r\n1,"Hello, ""world""\r\nsecond line"\r\n0,bye\r\n' >quoted.csv
run "$S" tokenize quoted.csv
check "tokenize: CSV with BOM, CRLF, quoted comma, escaped quotes and embedded newline" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf "hello , \" world \" second line\nbye")" ]'
printf 'text\tlabel\nhello there\t1\nbye now\t0\n' >cols.tsv
run "$S" tokenize cols.tsv
check "tokenize: TSV, text column found by header name" '[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf "hello there\nbye now")" ]'
run "$S" tokenize --text-col label cols.tsv
check "tokenize --text-col picks another column" '[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf "1\n0")" ]'
head -n 3 "$D/movies_en.test.csv" >head3.csv
run_in head3.csv "$S" tokenize --format csv -
check "tokenize --format csv - reads CSV from stdin" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ] && [ "$(sed -n 1p "$T/out")" = "the characters were so forgettable . the visuals were clumsy ." ]'
run "$S" tokenize --text-col 9 cols.tsv
check "tokenize: a missing column is an error (exit 1)" '[ $rc -eq 1 ] && err_has "cols.tsv"'
run "$S" tokenize no-such-file.txt
check "tokenize: a missing input file is an error naming it" '[ $rc -eq 1 ] && err_has "no-such-file.txt"'

# ======================================================================
# vocab
# ======================================================================
run "$S" vocab "$D/movies_en.train.csv" -o base.ssm
check "vocab -o base.ssm succeeds" '[ $rc -eq 0 ] && [ -s base.ssm ]'
run "$S" info base.ssm; cp "$T/out" base.json
check "info base.ssm: kind vocab" \
    'json_check base.json "d[\"kind\"] == \"vocab\" and \"network\" not in d" "grep -q \"\\\"kind\\\":[[:space:]]*\\\"vocab\\\"\" base.json"'
run "$S" vocab --text "$D/movies_en.train.csv"; cp "$T/out" listing.txt
check "vocab --text: every line is token<TAB>count" \
    '[ $rc -eq 0 ] && [ -s listing.txt ] && ! grep -Ev "^[^$TAB ]+$TAB[1-9][0-9]*\$" listing.txt | grep -q .'
check "vocab --text: sorted by count descending, ties by token" \
    'sort -t "$TAB" -k2,2nr -k1,1 listing.txt | cmp -s - listing.txt'
check "vocab --text: <pad>/<unk> not listed, first token is the most frequent ('the')" \
    '! grep -q "^<pad>\|^<unk>" listing.txt && [ "$(head -n 1 listing.txt | cut -f1)" = the ]'
"$S" tokenize "$D/movies_en.train.csv" 2>/dev/null | tr ' ' '\n' | grep -v '^$' | sort | uniq -c |
    awk -v OFS="$TAB" '{print $2, $1}' | sort -t "$TAB" -k2,2nr -k1,1 >counted.txt
check "vocab --text: counts equal an independent count of tokenize's output" 'cmp -s counted.txt listing.txt'
check "vocab file size = listing + <pad> + <unk>" \
    'json_check base.json "d[\"vocab\"][\"size\"] == $(lines listing.txt) + 2 and d[\"vocab\"][\"pad_id\"] == 0 and d[\"vocab\"][\"unk_id\"] == 1" "grep -q \"\\\"size\\\":[[:space:]]*$(( $(lines listing.txt) + 2 ))\" base.json"'
run "$S" vocab --text --min-count 5 "$D/movies_en.train.csv"
awk -F "$TAB" '$2 >= 5' listing.txt >min5.txt
check "vocab --min-count 5 drops exactly the tokens seen fewer than 5 times" \
    '[ $rc -eq 0 ] && cmp -s "$T/out" min5.txt && [ "$(lines min5.txt)" -lt "$(lines listing.txt)" ]'
run "$S" vocab --text --max-size 10 "$D/movies_en.train.csv"
head -n 8 listing.txt >max10.txt
check "vocab --max-size 10 keeps the 8 most frequent tokens (+ <pad>, <unk>)" '[ $rc -eq 0 ] && cmp -s "$T/out" max10.txt'
run "$S" vocab --max-size 10 "$D/movies_en.train.csv" -o small_base.ssm
run "$S" info small_base.ssm
check "vocab --max-size 10 -o: the file's vocabulary has 10 entries" \
    '[ $rc -eq 0 ] && cp "$T/out" sb.json && json_check sb.json "d[\"vocab\"][\"size\"] == 10" "grep -q \"\\\"size\\\":[[:space:]]*10,\" sb.json"'
run "$S" vocab --text -o listing_o.txt "$D/movies_en.train.csv"
check "vocab --text -o FILE writes the listing to FILE" '[ $rc -eq 0 ] && cmp -s listing_o.txt listing.txt'

# ======================================================================
# embed
# ======================================================================
run "$S" vocab --dict-vectors "$D/zh_vectors.txt" "$D/hotel_zh.train.csv" -o zbase.ssm
check "vocab --dict-vectors (zh) -o zbase.ssm" '[ $rc -eq 0 ]'
run "$S" embed zbase.ssm "$D/zh_vectors.txt" -o zemb.ssm
check "embed: exit 0, coverage report on stderr, nothing on stdout" \
    '[ $rc -eq 0 ] && [ ! -s "$T/out" ] && err_has "coverage" && err_has "zh_vectors.txt" && grep -Eq "[0-9]+/[0-9]+ types \([0-9.]+%\)" "$T/err"'
run "$S" info zemb.ssm; cp "$T/out" zemb.json
check "info after embed: kind embed, embedding dim 16" \
    'json_check zemb.json "d[\"kind\"] == \"embed\" and d[\"embedding\"][\"dim\"] == 16 and 0 < d[\"embedding\"][\"type_coverage\"] <= 1" "grep -q \"\\\"kind\\\":[[:space:]]*\\\"embed\\\"\" zemb.json && grep -q \"\\\"dim\\\":[[:space:]]*16\" zemb.json"'
run "$S" info --tensors zemb.ssm; cp "$T/out" zembt.json
check "info --tensors after embed: embedding tensor is [vocab size, 16]" \
    'json_check zembt.json "[t[\"shape\"] for t in d[\"tensors\"] if t[\"name\"] == \"embedding\"] == [[d[\"vocab\"][\"size\"], 16]]" "grep -q embedding zembt.json"'
if [ "$HAVE_PY" = 1 ]; then
    check "embed: the rows of known words are the file's vectors, <pad>/<unk> rows zero" 'ssm emb-is-vectors zemb.ssm "$D/zh_vectors.txt"'
else skip "embed rows equal the vectors (needs python3)"; fi
run "$S" embed --quiet zbase.ssm "$D/zh_vectors.txt" -o zemb_q.ssm
check "embed --quiet: no report" '[ $rc -eq 0 ] && [ ! -s "$T/err" ]'
if command -v gzip >/dev/null 2>&1; then
    gzip -c "$D/zh_vectors.txt" >vectors.txt.gz
    run "$S" embed --quiet zbase.ssm vectors.txt.gz -o zemb_gz.ssm
    if [ "$HAVE_PY" = 1 ]; then
        check "embed: gzipped vectors give the same embedding" '[ $rc -eq 0 ] && ssm same-tensor zemb_gz.ssm zemb_q.ssm embedding'
    else
        check "embed: gzipped vectors are read" '[ $rc -eq 0 ]'
    fi
fi
if [ "$HAVE_PY" = 1 ]; then
    # the same vectors in word2vec's binary format (word, space, float32 LE, newline)
    python3 -c '
import struct, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
rows = [l.split() for l in lines[1:] if l.strip()]
with open(sys.argv[2], "wb") as f:
    f.write(("%d %d\n" % (len(rows), len(rows[0]) - 1)).encode())
    for r in rows:
        f.write(r[0].encode("utf-8") + b" " + struct.pack("<%df" % (len(r) - 1), *map(float, r[1:])) + b"\n")
' "$D/zh_vectors.txt" vectors.bin
    run "$S" embed --quiet zbase.ssm vectors.bin -o zemb_bin.ssm
    check "embed: word2vec binary vectors give the same embedding as the text file" \
        '[ $rc -eq 0 ] && ssm same-tensor zemb_bin.ssm zemb_q.ssm embedding'
    gzip -c vectors.bin >vectors.bin.gz
    run "$S" embed --quiet zbase.ssm vectors.bin.gz -o zemb_bingz.ssm
    check "embed: gzipped binary vectors give the same embedding" \
        '[ $rc -eq 0 ] && ssm same-tensor zemb_bingz.ssm zemb_q.ssm embedding'
    head -c 300 vectors.bin >vectors_cut.bin
    run "$S" embed --quiet zbase.ssm vectors_cut.bin -o zemb_cut.ssm
    check "embed: a truncated binary file: exit 1 naming the file and the entry, no output" \
        '[ $rc -eq 1 ] && err_has "vectors_cut.bin: vector [0-9]*: truncated" && [ ! -e zemb_cut.ssm ]'
fi
sed 1d "$D/zh_vectors.txt" >vectors_nohdr.txt
run "$S" embed --quiet zbase.ssm vectors_nohdr.txt -o zemb_nohdr.ssm
if [ "$HAVE_PY" = 1 ]; then
    check "embed: a vector file without the header line gives the same embedding" '[ $rc -eq 0 ] && ssm same-tensor zemb_nohdr.ssm zemb_q.ssm embedding'
else
    check "embed: a vector file without the header line is read" '[ $rc -eq 0 ]'
fi
run "$S" embed zbase.ssm "$D/zh_vectors.txt" --embed-dim 300 -o zemb300.ssm
check "embed --embed-dim 300 vs 16-dim vectors: exit 1 naming the file, no output" \
    '[ $rc -eq 1 ] && err_has "zh_vectors.txt" && err_has "300" && [ ! -e zemb300.ssm ]'
cp zbase.ssm inplace.ssm
run "$S" embed inplace.ssm "$D/zh_vectors.txt" -o inplace.ssm --quiet
check "embed -o BASE itself: replaced in place, now kind embed" \
    '[ $rc -eq 0 ] && "$S" info inplace.ssm >ip.json && json_check ip.json "d[\"kind\"] == \"embed\"" "grep -q embed ip.json" && no_tmp_left .'
run "$S" embed listing.txt "$D/zh_vectors.txt" -o from_listing.ssm --quiet
check "embed: BASE may be a token<TAB>count listing" \
    '[ $rc -eq 0 ] && "$S" info from_listing.ssm >fl.json && json_check fl.json "d[\"kind\"] == \"embed\" and d[\"vocab\"][\"size\"] == $(lines listing.txt) + 2" "grep -q embed fl.json"'
# bad vector files: rows 2-4 of the real file (no header) then a broken row
sed -n '2,4p' "$D/zh_vectors.txt" >vec_short.txt
printf '是 0.1 0.2\n' >>vec_short.txt
run "$S" embed zbase.ssm vec_short.txt -o bad.ssm
check "embed: a row with missing values is an error naming file:line" \
    '[ $rc -eq 1 ] && err_has "vec_short.txt:4:" && [ ! -e bad.ssm ]'
sed -n '2,4p' "$D/zh_vectors.txt" >vec_nan.txt
printf '是 0.1 0.2 abc 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.3\n' >>vec_nan.txt
run "$S" embed zbase.ssm vec_nan.txt -o bad.ssm
check "embed: a non-number is an error naming file:line and the value" \
    '[ $rc -eq 1 ] && err_has "vec_nan.txt:4:" && err_has "abc" && [ ! -e bad.ssm ]'
sed -n '2,4p' "$D/zh_vectors.txt" >vec_inf.txt
printf '是 0.1 0.2 nan 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.1 0.2 0.3\n' >>vec_inf.txt
run "$S" embed zbase.ssm vec_inf.txt -o bad.ssm
check "embed: a NaN value is an error naming file:line" '[ $rc -eq 1 ] && err_has "vec_inf.txt:4:" && [ ! -e bad.ssm ]'
head -n 5 "$D/zh_vectors.txt" >vec_hdr.txt
run "$S" embed zbase.ssm vec_hdr.txt -o bad.ssm
check "embed: a header row count that does not match the file is an error" '[ $rc -eq 1 ] && err_has "vec_hdr.txt" && [ ! -e bad.ssm ]'
run "$S" embed zbase.ssm no-such-vectors.txt -o bad.ssm
check "embed: a missing vector file is an error naming it" '[ $rc -eq 1 ] && err_has "no-such-vectors.txt"'

# ======================================================================
# pad
# ======================================================================
pad_case() {   # pad_case DESC INPUT EXPECTED ARGS...
    _d=$1; _i=$2; _e=$3; shift 3
    printf "$_i" >pad_in.txt
    run_in pad_in.txt "$S" pad "$@"
    check "pad: $_d" '[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf "$_e")" ]'
}
pad_case "--maxlen 5 pads before (pre)" '1 2 3\n' '0 0 1 2 3' --maxlen 5
pad_case "--padding post pads after" '1 2 3\n' '1 2 3 0 0' --maxlen 5 --padding post
pad_case "--maxlen 2 truncates the start (pre)" '1 2 3\n' '2 3' --maxlen 2
pad_case "--truncating pre keeps the end" '1 2 3\n' '2 3' --maxlen 2 --truncating pre
pad_case "--truncating post keeps the start" '1 2 3\n' '1 2' --maxlen 2 --truncating post
pad_case "--truncating post with --padding pre" '1 2 3\n4\n' '1 2\n0 4' --maxlen 2 --truncating post --padding pre
pad_case "--value sets the padding value" '1 2 3\n' '9 9 1 2 3' --maxlen 5 --value 9
pad_case "--value -1 --padding post" '1 2 3\n' '1 2 3 -1 -1' --maxlen 5 --value -1 --padding post
pad_case "without --maxlen pads to the longest line" '1 2 3\n4\n5 6 7 8 9\n' '0 0 1 2 3\n0 0 0 0 4\n5 6 7 8 9'
pad_case "without --maxlen, --padding post" '1 2 3\n4\n' '1 2 3\n4 0 0' --padding post
pad_case "an empty line becomes all padding" '1 2\n\n' '1 2\n0 0'
pad_case "exact length is unchanged" '7 8 9\n' '7 8 9' --maxlen 3
printf 'the movie zzqx was\n' >pad_tok.txt
run_in pad_tok.txt "$S" pad -m base.ssm --maxlen 6
the_id=2; movie_id=$(( $(grep -n "^movie$TAB" listing.txt | cut -d: -f1) + 1 )); was_id=$(( $(grep -n "^was$TAB" listing.txt | cut -d: -f1) + 1 ))
check "pad -m: tokens map through the vocabulary (id = listing rank + 1), unknown -> 1" \
    '[ $rc -eq 0 ] && out_is "0 0 $the_id $movie_id 1 $was_id"'
run_in pad_tok.txt "$S" pad --vocab listing.txt --maxlen 6
check "pad --vocab listing.txt maps like the vocab file" '[ $rc -eq 0 ] && out_is "0 0 $the_id $movie_id 1 $was_id"'
printf 'the a b\n' >pad_words.txt
run_in pad_words.txt "$S" pad --maxlen 3
check "pad: a non-id token without a vocabulary is an error naming <stdin>:1" '[ $rc -eq 1 ] && err_has ":1:" && err_has "the"'

# ======================================================================
# train
# ======================================================================
SMALL="--hidden 8 --maxlen 20 --threads 1"
run "$S" train "$D/hotel_zh.train.csv" --dict "$D/zh_dict.txt" --embed "$D/zh_vectors.txt" --freeze \
    $SMALL --layers 1 --epochs 8 -o zh.ssm
check "train zh: --dict --embed zh_vectors.txt --freeze succeeds, reports on stderr only" \
    '[ $rc -eq 0 ] && [ ! -s "$T/out" ] && err_has "epoch" && err_has "coverage" && [ -s zh.ssm ]'
run "$S" info zh.ssm; cp "$T/out" zh.json
check "info zh model: sigmoid, 1 output, frozen 16-dim embedding, dict from the file, maxlen 20" \
    'json_check zh.json "d[\"kind\"] == \"model\" and d[\"network\"][\"outputs\"] == 1 and d[\"network\"][\"output_activation\"] == \"sigmoid\" and d[\"network\"][\"freeze_embedding\"] is True and d[\"network\"][\"embed_dim\"] == 16 and d[\"network\"][\"layers\"] == 1 and d[\"network\"][\"hidden\"] == 8 and d[\"tokenizer\"][\"dictionary\"].startswith(\"file:\") and d[\"tokenizer\"][\"dictionary\"].endswith(\"zh_dict.txt\") and d[\"labels\"] == [\"0\", \"1\"] and d[\"sequence\"][\"maxlen\"] == 20" \
        "grep -q \"\\\"freeze_embedding\\\":[[:space:]]*true\" zh.json && grep -q \"\\\"embed_dim\\\":[[:space:]]*16\" zh.json"'
if [ "$HAVE_PY" = 1 ]; then
    check "train --embed --freeze: the trained model's embedding rows are still the vectors" 'ssm emb-is-vectors zh.ssm "$D/zh_vectors.txt"'
else skip "frozen embedding check (needs python3)"; fi

# (--bag 0: the byte flipped below must be found when the model is loaded;
# one in the bag, like one in the embedding, is found when its row is read)
run "$S" train "$D/movies_en.train.csv" $SMALL --no-word2vec --embed-dim 8 --layers 2 --epochs 8 --bag 0 --quiet -o en.ssm
check "train en: random trainable embedding, --quiet prints nothing" '[ $rc -eq 0 ] && [ ! -s "$T/err" ] && [ ! -s "$T/out" ] && [ -s en.ssm ]'
run "$S" info en.ssm; cp "$T/out" en.json
check "info en model: 2 LSTM layers, 8-dim trainable embedding, not pretrained, no dictionary" \
    'json_check en.json "d[\"network\"][\"layers\"] == 2 and d[\"network\"][\"embed_dim\"] == 8 and d[\"network\"][\"freeze_embedding\"] is False and d[\"training\"][\"pretrained\"] is False and d[\"tokenizer\"][\"dictionary\"] == \"none\" and d[\"network\"][\"outputs\"] == 1" \
        "grep -q \"\\\"freeze_embedding\\\":[[:space:]]*false\" en.json"'
run "$S" train "$D/movies_en.train.csv" $SMALL --no-word2vec --embed-dim 8 --layers 2 --epochs 8 --quiet --freeze -o en_frozen.ssm
if [ "$HAVE_PY" = 1 ]; then
    check "train: without --freeze the embedding is trained (differs from the --freeze run, same seed)" \
        '[ $rc -eq 0 ] && ! ssm same-tensor en.ssm en_frozen.ssm embedding && ssm same-tensor en.ssm en.ssm embedding'
else skip "trainable embedding check (needs python3)"; fi

run "$S" train "$D/tweets3.train.csv" $SMALL --embed-dim 8 --layers 1 --epochs 8 --quiet -o tw.ssm
check "train 3-class tweets3 succeeds" '[ $rc -eq 0 ] && [ -s tw.ssm ]'
run "$S" info tw.ssm; cp "$T/out" tw.json
check "info 3-class model: softmax with 3 outputs and the 3 labels" \
    'json_check tw.json "d[\"network\"][\"outputs\"] == 3 and d[\"network\"][\"output_activation\"] == \"softmax\" and sorted(d[\"labels\"]) == [\"negative\", \"neutral\", \"positive\"]" \
        "grep -q \"\\\"outputs\\\":[[:space:]]*3\" tw.json"'

# no vectors given: word2vec on the training texts first (64-d), unless
# --no-word2vec or --keras (the recipe's random embedding)
"$S" train "$D/movies_en.train.csv" --epochs 1 --quiet -o en_w2v.ssm
run "$S" info en_w2v.ssm
check "default without --embed: word2vec on the training texts, 64-d, pretrained" \
    'out_has "word2vec on the training texts" && out_has "\"embed_dim\":[[:space:]]*64" && out_has "\"pretrained\":[[:space:]]*true"'
"$S" train "$D/movies_en.train.csv" --keras --epochs 1 --quiet -o en_k.ssm
run "$S" info en_k.ssm
check "--keras: a random 300-d embedding (no word2vec)" '! out_has "word2vec" && out_has "\"embed_dim\":[[:space:]]*300"'
run "$S" train "$D/movies_en.train.csv" --word2vec --no-word2vec -o x.ssm
check "--word2vec with --no-word2vec: usage error" 'usage_err "--word2vec and --no-word2vec exclude each other"'

run_in "$D/movies_en.train.csv" "$S" train - $SMALL --no-word2vec --embed-dim 8 --layers 2 --epochs 8 --bag 0 --quiet -o en_stdin.ssm
check "train - reads CSV from stdin" '[ $rc -eq 0 ] && [ -s en_stdin.ssm ]'
run "$S" predict -m en.ssm --all "$D/reviews_en.txt"; cp "$T/out" en_all.txt
run "$S" predict -m en_stdin.ssm --all "$D/reviews_en.txt"
check "train -: same model as from the file (same predictions)" '[ $rc -eq 0 ] && [ -s en_all.txt ] && cmp -s "$T/out" en_all.txt'

run "$S" train "$D/movies_en.train.csv" -o en_after.ssm --epochs 1 --hidden 8 --embed-dim 8 --maxlen 20 --quiet
check "train: options after the operand (train FILE -o M --epochs 1)" \
    '[ $rc -eq 0 ] && "$S" info en_after.ssm >ea.json && json_check ea.json "d[\"training\"][\"epochs\"] == 1 and d[\"network\"][\"hidden\"] == 8" "grep -q \"\\\"epochs\\\":[[:space:]]*1,\" ea.json"'

run "$S" train "$D/movies_en.train.csv" --hidden 4 --embed-dim 4 --layers 1 --epochs 1 --threads 1 --quiet -o en_p95.ssm
p95=$("$S" tokenize "$D/movies_en.train.csv" 2>/dev/null | awk '{print NF}' | sort -n | awk '{a[NR - 1] = $1} END {print a[int(0.95 * (NR - 1))]}')
check "train without --maxlen: maxlen is the 95th percentile of training lengths ($p95)" \
    '[ $rc -eq 0 ] && "$S" info en_p95.ssm >p95.json && json_check p95.json "d[\"sequence\"][\"maxlen\"] == $p95" "grep -q \"\\\"maxlen\\\":[[:space:]]*$p95,\" p95.json"'
run "$S" train "$D/movies_en.train.csv" --hidden 4 --embed-dim 4 --layers 1 --maxlen 12 --epochs 1 --threads 1 --quiet \
    --padding post --truncating post --mask -o en_post.ssm
check "train --padding post --truncating post --mask: recorded in the model" \
    '[ $rc -eq 0 ] && "$S" info en_post.ssm >post.json && json_check post.json "d[\"sequence\"] == {\"maxlen\": 12, \"padding\": \"post\", \"truncating\": \"post\"} and d[\"network\"][\"mask\"] is True" "grep -q \"\\\"padding\\\":[[:space:]]*\\\"post\\\"\" post.json"'
run "$S" predict -m en_post.ssm "$D/reviews_en.txt"
check "predict with a post-padded masked model: one line per input" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 8 ]'

# vocab -> embed -> train --from
run "$S" train "$D/hotel_zh.train.csv" --from zemb.ssm --freeze $SMALL --layers 1 --epochs 2 --quiet -o zfrom.ssm
check "train --from (vocab -> embed -> train) succeeds" '[ $rc -eq 0 ] && [ -s zfrom.ssm ]'
run "$S" info zfrom.ssm; cp "$T/out" zfrom.json
check "train --from: the base's vocabulary, vectors dictionary and embedding metadata are kept" \
    'json_check zfrom.json "d[\"vocab\"][\"size\"] == json.load(open(\"zemb.json\"))[\"vocab\"][\"size\"] and d[\"tokenizer\"][\"dictionary\"].startswith(\"vectors:\") and d[\"network\"][\"embed_dim\"] == 16 and d[\"training\"][\"pretrained\"] is True and \"embedding\" in d" \
        "grep -q \"vectors:\" zfrom.json"'
if [ "$HAVE_PY" = 1 ]; then
    check "train --from --freeze: the embedding is exactly the base's" 'ssm same-tensor zfrom.ssm zemb.ssm embedding'
else skip "train --from embedding check (needs python3)"; fi
run "$S" train "$D/movies_en.train.csv" --from base.ssm $SMALL --embed-dim 8 --layers 1 --epochs 1 --quiet -o en_from.ssm
check "train --from a vocab file (no vectors)" \
    '[ $rc -eq 0 ] && "$S" info en_from.ssm >ef.json && json_check ef.json "d[\"vocab\"][\"size\"] == $(lines listing.txt) + 2" "grep -q model ef.json"'
run "$S" train "$D/hotel_zh.train.csv" --from zemb.ssm --dict "$D/zh_dict.txt" -o x.ssm
check "train --from with tokenizer options is a usage error" '[ $rc -eq 2 ] && [ ! -e x.ssm ]'
run "$S" train "$D/movies_en.train.csv" --vocab listing.txt $SMALL --embed-dim 8 --layers 1 --epochs 1 --quiet -o en_vl.ssm
check "train --vocab listing.txt: the model's vocabulary is the listing" \
    '[ $rc -eq 0 ] && "$S" info en_vl.ssm >vl.json && json_check vl.json "d[\"vocab\"][\"size\"] == $(lines listing.txt) + 2" "grep -q \"\\\"size\\\":[[:space:]]*$(( $(lines listing.txt) + 2 ))\" vl.json"'
run "$S" train "$D/movies_en.train.csv" --vocab max10.txt $SMALL --embed-dim 8 --layers 1 --epochs 1 --quiet -o en_v10.ssm
check "train --vocab with a small listing: vocabulary of 10" \
    '[ $rc -eq 0 ] && "$S" info en_v10.ssm >v10.json && json_check v10.json "d[\"vocab\"][\"size\"] == 10" "grep -q \"\\\"size\\\":[[:space:]]*10,\" v10.json"'
run "$S" train "$D/hotel_zh.train.csv" --embed "$D/zh_vectors.txt" --embed-dim 300 $SMALL --epochs 1 --quiet -o x.ssm
check "train --embed with --embed-dim 300: exit 1 naming the vector file, no model" \
    '[ $rc -eq 1 ] && err_has "zh_vectors.txt" && [ ! -e x.ssm ]'

# determinism
DET="$D/movies_en.train.csv $SMALL --embed-dim 8 --layers 1 --epochs 2 --quiet"
# shellcheck disable=SC2086
"$S" train $DET --seed 7 -o det1.ssm 2>/dev/null
# shellcheck disable=SC2086
"$S" train $DET --seed 7 -o det2.ssm 2>/dev/null
# shellcheck disable=SC2086
"$S" train $DET --seed 8 -o det3.ssm 2>/dev/null
run cmp det1.ssm det2.ssm
check "train: same --seed and --threads 1 give byte-identical model files" '[ $rc -eq 0 ]'
if [ "$HAVE_PY" = 1 ]; then
    check "train: same --seed and --threads 1 give identical weights" 'ssm same-weights det1.ssm det2.ssm'
    check "train: a different --seed gives different weights" '! ssm same-weights det1.ssm det3.ssm'
fi
run cmp det1.ssm det3.ssm
check "train: a different --seed gives a different model file" '[ $rc -eq 1 ]'

# bad input
printf 'label,text\n1,good movie\n0,"bad movie\n1,great\n' >badquote.csv
printf 'precious\n' >existing.ssm
cp existing.ssm existing.orig
run "$S" train badquote.csv $SMALL --embed-dim 8 --epochs 1 -o existing.ssm
check "train: unbalanced quote -> exit 1 with file:line: message" '[ $rc -eq 1 ] && err_has "badquote.csv:3:"'
check "train: a failing train leaves the existing -o file unchanged" 'cmp -s existing.ssm existing.orig'
run "$S" train badquote.csv $SMALL --embed-dim 8 --epochs 1 -o never.ssm
check "train: a failing train creates no -o file and no temp files" '[ $rc -eq 1 ] && [ ! -e never.ssm ] && no_tmp_left .'
printf 'label,text\n1,good movie\n1,great film\n1,loved it\n' >onelabel.csv
run "$S" train onelabel.csv $SMALL --embed-dim 8 --epochs 1 -o one.ssm
check "train: single-label data is an error (exit 1)" '[ $rc -eq 1 ] && err_has "label" && [ ! -e one.ssm ]'
printf 'label,text\n' >header_only.csv
run "$S" train header_only.csv $SMALL --embed-dim 8 --epochs 1 -o empty.ssm
check "train: no training rows is an error (exit 1)" '[ $rc -eq 1 ] && [ ! -e empty.ssm ]'
run "$S" train no-such.csv $SMALL -o x.ssm
check "train: a missing data file is an error naming it (exit 1)" '[ $rc -eq 1 ] && err_has "no-such.csv"'

# atomic replace of an existing model
printf 'old contents\n' >replace.ssm
ln replace.ssm replace.link 2>/dev/null || cp replace.ssm replace.link
run "$S" train "$D/movies_en.train.csv" $SMALL --embed-dim 8 --layers 1 --epochs 1 --quiet -o replace.ssm
check "train -o existing.ssm replaces it with a model" \
    '[ $rc -eq 0 ] && "$S" info replace.ssm >rp.json && json_check rp.json "d[\"kind\"] == \"model\"" "grep -q model rp.json"'
check "train -o existing.ssm: a new file renamed over it (old inode untouched), no temp files left" \
    '[ "$(cat replace.link)" = "old contents" ] && no_tmp_left .'

# SIGTERM during training (top-level --help: "130/143 training interrupted by SIGINT/SIGTERM (checkpoint written)")
rm -f ckpt.ssm
"$S" train "$D/movies_en.train.csv" $SMALL --embed-dim 8 --layers 1 --epochs 100000 --early-stop 0 --quiet -o ckpt.ssm >/dev/null 2>"$T/err" &
tpid=$!
BGPIDS="$BGPIDS $tpid"
sleep 1
kill -TERM "$tpid" 2>/dev/null
{ wait "$tpid"; } 2>/dev/null; rc=$?
BGPIDS=
: >"$T/out"
[ -e ckpt.ssm ] || why="no checkpoint file ckpt.ssm"
check "train interrupted by SIGTERM: exit 143 and a checkpoint model is written" \
    '[ $rc -eq 143 ] && [ -s ckpt.ssm ] && "$S" info ckpt.ssm >/dev/null 2>&1 && no_tmp_left .'

# ======================================================================
# eval
# ======================================================================
run "$S" eval -m en.ssm --threads 1 "$D/movies_en.test.csv"
check "eval: prints n and an accuracy in [0,1]" \
    '[ $rc -eq 0 ] && grep -Eq "^n +200$" "$T/out" && grep -Eq "^accuracy +(0\.[0-9]+|1\.0+)$" "$T/out"'
acc_text=$(awk '$1 == "accuracy" {print $2}' "$T/out")
run "$S" eval -m en.ssm --threads 1 --json "$D/movies_en.test.csv"; cp "$T/out" en_eval.json
check "eval --json: one valid JSON object, accuracy in [0,1], n = 200 rows" \
    '[ $rc -eq 0 ] && [ "$(lines en_eval.json)" -eq 1 ] && json_check en_eval.json "0 <= d[\"accuracy\"] <= 1 and d[\"n\"] == 200" "grep -q \"\\\"n\\\":200\" en_eval.json"'
check "eval --json: per-class entries, confusion matrix sums to n, supports and accuracy agree" \
    'json_check en_eval.json "len(d[\"classes\"]) == 2 and [c[\"label\"] for c in d[\"classes\"]] == [\"0\", \"1\"] and all(0 <= c[k] <= 1 for c in d[\"classes\"] for k in (\"precision\", \"recall\", \"f1\")) and len(d[\"confusion\"]) == 2 and sum(map(sum, d[\"confusion\"])) == d[\"n\"] and [sum(r) for r in d[\"confusion\"]] == [c[\"support\"] for c in d[\"classes\"]] and abs(sum(d[\"confusion\"][i][i] for i in range(2)) / d[\"n\"] - d[\"accuracy\"]) < 1e-9" \
        "grep -q \"\\\"confusion\\\"\" en_eval.json && grep -q \"\\\"classes\\\"\" en_eval.json"'
check "eval: text and --json accuracy agree" \
    'json_check en_eval.json "abs(d[\"accuracy\"] - float(\"$acc_text\")) < 1e-4" "[ -n \"$acc_text\" ]"'
check "eval: the en model learned something (accuracy above the majority-class rate)" \
    'json_check en_eval.json "d[\"accuracy\"] > max(c[\"support\"] for c in d[\"classes\"]) / d[\"n\"]" "true"'
run_in "$D/movies_en.test.csv" "$S" eval -m en.ssm --threads 1 --json -
check "eval - reads stdin, same figures as the file" \
    '[ $rc -eq 0 ] && json_check "$T/out" "{k: v for k, v in d.items() if k != \"data\"} == {k: v for k, v in json.load(open(\"en_eval.json\")).items() if k != \"data\"}" "grep -q \"\\\"n\\\":200\" \"$T/out\""'

# eval accuracy == fraction of predict labels that match (rows without quotes)
sed -n '2,$p' "$D/movies_en.test.csv" | grep -v '"' | head -n 60 >en_rows.txt
{ echo 'label,text'; cat en_rows.txt; } >en_small.csv
cut -d, -f2- en_rows.txt >en_small_text.txt
cut -d, -f1 en_rows.txt >en_small_true.txt
run "$S" predict -m en.ssm en_small_text.txt; cut -f1 "$T/out" >en_small_pred.txt
frac=$(paste -d' ' en_small_pred.txt en_small_true.txt | awk '$1 == $2 {c++} END {printf "%d/%d", c, NR}')
run "$S" eval -m en.ssm --threads 1 --json en_small.csv; cp "$T/out" en_small_eval.json
check "eval accuracy = fraction of predict's labels matching the true labels ($frac, binary)" \
    '[ $rc -eq 0 ] && json_check en_small_eval.json "abs(d[\"accuracy\"] - $frac) < 1e-9 and d[\"n\"] == $(lines en_rows.txt)" "true"'
sed -n '2,$p' "$D/tweets3.test.csv" | grep -v '"' | head -n 60 >tw_rows.txt
{ echo 'label,text'; cat tw_rows.txt; } >tw_small.csv
cut -d, -f2- tw_rows.txt >tw_small_text.txt
cut -d, -f1 tw_rows.txt >tw_small_true.txt
run "$S" predict -m tw.ssm tw_small_text.txt; cut -f1 "$T/out" >tw_small_pred.txt
frac3=$(paste -d' ' tw_small_pred.txt tw_small_true.txt | awk '$1 == $2 {c++} END {printf "%d/%d", c, NR}')
run "$S" eval -m tw.ssm --threads 1 --json tw_small.csv; cp "$T/out" tw_small_eval.json
check "eval accuracy = fraction of predict's labels matching the true labels ($frac3, 3 classes)" \
    '[ $rc -eq 0 ] && json_check tw_small_eval.json "abs(d[\"accuracy\"] - $frac3) < 1e-9" "true"'

run "$S" eval -m tw.ssm --threads 1 "$D/tweets3.test.csv"; cp "$T/out" tw_eval.txt
check "eval 3-class: 3 classes listed and a 3x3 confusion matrix" \
    '[ $rc -eq 0 ] && [ "$(grep -Ec "^(negative|neutral|positive) +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+$" tw_eval.txt)" -eq 3 ] && [ "$(grep -Ec "^(negative|neutral|positive)( +[0-9]+){3}$" tw_eval.txt)" -eq 3 ]'
run "$S" eval -m tw.ssm --threads 1 --json "$D/tweets3.test.csv"; cp "$T/out" tw_eval.json
check "eval --json 3-class: 3 classes, 3x3 confusion summing to n = 150" \
    'json_check tw_eval.json "len(d[\"classes\"]) == 3 and len(d[\"confusion\"]) == 3 and all(len(r) == 3 for r in d[\"confusion\"]) and sum(map(sum, d[\"confusion\"])) == d[\"n\"] == 150" "true"'
run "$S" eval -m zh.ssm --threads 1 --json "$D/hotel_zh.test.csv"; cp "$T/out" zh_eval.json
check "eval zh model: n = 200 and above the majority-class rate" \
    '[ $rc -eq 0 ] && json_check zh_eval.json "d[\"n\"] == 200 and d[\"accuracy\"] > max(c[\"support\"] for c in d[\"classes\"]) / d[\"n\"]" "true"'
printf 'label,text\n0,a bad film\nmaybe,a good film\n' >badlabel.csv
run "$S" eval -m en.ssm badlabel.csv
check "eval: a label not in the model is an error naming file:line" \
    '[ $rc -eq 1 ] && err_has "badlabel.csv:3:" && err_has "maybe"'
run "$S" eval -m base.ssm "$D/movies_en.test.csv"
check "eval with a vocab file as the model: exit 1" '[ $rc -eq 1 ] && err_has "base.ssm"'
run "$S" eval -m en.ssm badquote.csv
check "eval: bad CSV is an error naming file:line" '[ $rc -eq 1 ] && err_has "badquote.csv:3:"'

# ======================================================================
# predict
# ======================================================================
run "$S" predict -m en.ssm "$D/reviews_en.txt"; cp "$T/out" pred_ref.txt
check "predict: one 'label<TAB>probability' line per input line, binary probability in [0.5,1]" \
    '[ $rc -eq 0 ] && [ "$(lines pred_ref.txt)" -eq "$(lines "$D/reviews_en.txt")" ] && awk -F "$TAB" "NF != 2 || (\$1 != \"0\" && \$1 != \"1\") || \$2 !~ /^[01]\\.[0-9]+\$/ || \$2 < 0.5 || \$2 > 1 {bad = 1} END {exit bad}" pred_ref.txt'
: >pred_one.txt
while IFS= read -r line; do printf '%s\n' "$line" | "$S" predict -m en.ssm >>pred_one.txt 2>/dev/null; done <"$D/reviews_en.txt"
rc=0
check "predict: results are in input order (same as one line at a time)" 'cmp -s pred_one.txt pred_ref.txt'
run "$S" predict -m en.ssm --batch 3 "$D/reviews_en.txt"
check "predict --batch 3: same output" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
run "$S" predict -m en.ssm --threads 2 --batch 7 "$D/movies_en.test.csv"; cp "$T/out" pred_t2.txt
run "$S" predict -m en.ssm --threads 1 "$D/movies_en.test.csv"; cp "$T/out" pred_t1.txt
check "predict --threads 2 (speed only; a .csv is read as CSV: no line for the header): same labels, probabilities equal to 1e-5" \
    '[ $rc -eq 0 ] && [ "$(lines pred_t1.txt)" -eq $(($(lines "$D/movies_en.test.csv") - 1)) ] && paste pred_t1.txt pred_t2.txt | awk -F "$TAB" "\$1 != \$3 || \$2 - \$4 > 1e-5 || \$4 - \$2 > 1e-5 {bad = 1} END {exit bad}"'
run "$S" eval -m en.ssm --threads 2 --batch 7 --json "$D/movies_en.test.csv"; cp "$T/out" en_eval_t2.json
check "eval --threads 2 --batch 7 (speed only): same accuracy and confusion, loss equal to 1e-6" \
    '[ $rc -eq 0 ] && json_check en_eval_t2.json "(lambda e: d[\"accuracy\"] == e[\"accuracy\"] and d[\"confusion\"] == e[\"confusion\"] and abs(d[\"loss\"] - e[\"loss\"]) < 1e-6)(json.load(open(\"en_eval.json\")))" "grep -q \"\\\"n\\\":200\" en_eval_t2.json"'
run_in "$D/reviews_en.txt" "$S" predict -m en.ssm
check "predict: stdin gives the same output as a file argument" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
run_in reviews_crlf.txt "$S" predict -m en.ssm
check "predict: CRLF line ends give the same output (stdin)" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
run "$S" predict -m en.ssm reviews_crlf.txt
check "predict: CRLF line ends give the same output (file)" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
printf '%s' "$(cat "$D/reviews_en.txt")" >reviews_nonl.txt
run "$S" predict -m en.ssm reviews_nonl.txt
check "predict: no final newline gives the same output (file)" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
run_in reviews_nonl.txt "$S" predict -m en.ssm -
check "predict: no final newline gives the same output (stdin '-')" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
printf '%s' "$(cat reviews_crlf.txt)" >reviews_crlf_nonl.txt
run_in reviews_crlf_nonl.txt "$S" predict -m en.ssm
check "predict: CRLF without a final newline gives the same output" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
run "$S" predict -m en.ssm "$D/reviews_en.txt" "$D/reviews_en.txt"
check "predict: several files are read in order" '[ $rc -eq 0 ] && cat pred_ref.txt pred_ref.txt | cmp -s - "$T/out"'
: >empty.txt
run "$S" predict -m en.ssm empty.txt
check "predict: empty input gives empty output, exit 0" '[ $rc -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]'
run_in empty.txt "$S" predict -m en.ssm
check "predict: empty stdin gives empty output, exit 0" '[ $rc -eq 0 ] && [ ! -s "$T/out" ]'
printf 'a fine film\n\nthe end\n' >with_blank.txt
run "$S" predict -m en.ssm with_blank.txt
check "predict: an empty line still gets an output line" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 3 ]'

run "$S" predict -m en.ssm --all "$D/reviews_en.txt"; cp "$T/out" pred_all.txt
check "predict --all (binary): '0:p<TAB>1:p' per line, summing to 1, argmax = predict's label and probability" \
    '[ $rc -eq 0 ] && [ "$(lines pred_all.txt)" -eq "$(lines pred_ref.txt)" ] &&
     awk -F "$TAB" "{ split(\$1, a, \":\"); split(\$2, b, \":\"); if (NF != 2 || a[1] != \"0\" || b[1] != \"1\" || a[2] + b[2] < 0.99999 || a[2] + b[2] > 1.00001) exit 1; if (a[2] > b[2]) print a[1] \"\t\" a[2]; else print b[1] \"\t\" b[2] }" pred_all.txt >pred_all_max.txt &&
     cmp -s pred_all_max.txt pred_ref.txt'
run "$S" predict -m tw.ssm "$D/reviews_en.txt"; cp "$T/out" tw_pred.txt
check "predict (3 classes): a known label and probability in [1/3,1]" \
    '[ $rc -eq 0 ] && [ "$(lines tw_pred.txt)" -eq 8 ] && awk -F "$TAB" "NF != 2 || \$1 !~ /^(negative|neutral|positive)\$/ || \$2 < 0.333 || \$2 > 1 {bad = 1} END {exit bad}" tw_pred.txt'
run "$S" predict -m tw.ssm --all "$D/reviews_en.txt"
check "predict --all (3 classes): every label in model order, summing to 1" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 8 ] && awk -F "$TAB" "{ s = 0; for (i = 1; i <= NF; i++) { split(\$i, a, \":\"); s += a[2]; l = l a[1] \" \" } if (NF != 3 || l != \"negative neutral positive \" || s < 0.99999 || s > 1.00001) exit 1; l = \"\" }" "$T/out"'

printf 'not a model at all\n' >text_model.ssm
cp en.ssm flipped.ssm
size=$(wc -c <flipped.ssm | tr -d ' ')
off=$((size / 2))
byte=$(dd if=flipped.ssm bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $(( (byte + 1) % 256 )))" | dd of=flipped.ssm bs=1 seek=$off conv=notrunc 2>/dev/null
head -c 200 en.ssm >truncated.ssm
run cmp -s en.ssm flipped.ssm
check "fixture: flipped.ssm differs from en.ssm in one byte" '[ $rc -eq 1 ] && [ "$(cmp -l en.ssm flipped.ssm | wc -l)" -eq 1 ]'

# A bad model must fail before stdin is read: stdin is a fifo whose writer
# sends nothing for 5 s; predict must be gone within 2 s.
bad_models="missing.ssm text_model.ssm flipped.ssm truncated.ssm base.ssm"
ppids=
wpids=
for m in $bad_models; do
    mkfifo "fifo_$m"
    sleep 5 >"fifo_$m" &
    wpids="$wpids $!"
    "$S" predict -m "$m" <"fifo_$m" >"pout_$m" 2>"perr_$m" &
    ppids="$ppids $!"
done
BGPIDS="$BGPIDS $wpids $ppids"
sleep 2
set -- $ppids
for m in $bad_models; do
    pid=$1; shift
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        rc=124; still=1   # still running after 2 s
    else
        wait "$pid"; rc=$?; still=0
    fi
    cp "pout_$m" "$T/out"; cp "perr_$m" "$T/err"
    case $m in
        missing.ssm) what="a missing model"; msg="missing.ssm" ;;
        text_model.ssm) what="a text file as model"; msg="not a seqsent model" ;;
        flipped.ssm) what="a model with one byte flipped"; msg="corrupt" ;;
        truncated.ssm) what="a truncated model"; msg="truncated" ;;
        base.ssm) what="a vocab file as model"; msg="not a trained model" ;;
    esac
    check "predict with $what: exit 1 at once, before reading stdin ('$msg')" \
        '[ "$still" -eq 0 ] && [ "$rc" -eq 1 ] && [ ! -s "$T/out" ] && err_has "$msg"'
done
for p in $wpids; do kill "$p" 2>/dev/null; { wait "$p"; } 2>/dev/null; done
BGPIDS=
run "$S" info flipped.ssm
check "info on a corrupt model: exit 1 (checksum)" '[ $rc -eq 1 ] && err_has "corrupt"'
run "$S" eval -m flipped.ssm "$D/movies_en.test.csv"
check "eval on a corrupt model: exit 1" '[ $rc -eq 1 ]'

# predict | head -1 on a long input: quiet exit
i=0; cp "$D/reviews_en.txt" long.txt
while [ $i -lt 12 ]; do cat long.txt long.txt >long2.txt; mv long2.txt long.txt; i=$((i + 1)); done
{ "$S" predict -m en.ssm long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "predict ... | head -1 on a long input ($(lines long.txt) lines): one line, no error message, exit 0" \
    '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'
{ "$S" predict -m en.ssm <long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "predict <long | head -1: no error message, exit 0" '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'
{ "$S" tokenize long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "tokenize long | head -1: no error message" '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'

# write errors on stdout must not be silent (disk full: /dev/full)
if [ -c /dev/full ] && ! printf x 2>/dev/null >/dev/full; then
    printf '1 2 3\n4 5\n' >ids.txt
    while IFS='|' read -r what args; do
        # shellcheck disable=SC2086
        "$S" $args >/dev/full 2>"$T/err"; rc=$?
        : >"$T/out"
        check "write error on stdout ($what > /dev/full): exit 1 with a message" \
            '[ $rc -eq 1 ] && grep -qi "stdout\|space" "$T/err"'
    done <<EOF2
predict|predict -m en.ssm $D/reviews_en.txt
tokenize FILE.txt|tokenize $D/reviews_en.txt
tokenize FILE.csv|tokenize $D/movies_en.test.csv
pad --maxlen|pad --maxlen 3 ids.txt
pad (longest line)|pad ids.txt
vocab --text|vocab --text $D/movies_en.train.csv
eval|eval -m en.ssm $D/movies_en.test.csv
eval --json|eval --json -m en.ssm $D/movies_en.test.csv
info|info en.ssm
EOF2
else
    skip "write errors on stdout (no /dev/full)"
fi

# streaming: the first result appears before the second line is written
sed -n 1p "$D/reviews_en.txt" >l1.txt
sed -n 2p "$D/reviews_en.txt" >l2.txt
( cat l1.txt; sleep 3; cat l2.txt ) | "$S" predict -m en.ssm >stream_out.txt 2>"$T/err" &
spid=$!
BGPIDS="$BGPIDS $spid"
sleep 1
cp stream_out.txt stream_early.txt
wait "$spid"; rc=$?
BGPIDS=
cp stream_out.txt "$T/out"
check "predict streams: first result written after ~1 s, before the second line arrives" \
    '[ "$(lines stream_early.txt)" -eq 1 ] && [ "$(cat stream_early.txt)" = "$(sed -n 1p pred_ref.txt)" ]'
check "predict streams: both results at the end, same as batch" \
    '[ $rc -eq 0 ] && [ "$(cat stream_out.txt)" = "$(sed -n 1,2p pred_ref.txt)" ]'

# ======================================================================
# info
# ======================================================================
run "$S" info en.ssm; cp "$T/out" info_en.json
check "info: valid JSON with kind, tokenizer, vocab, labels, network, sequence" \
    '[ $rc -eq 0 ] && json_check info_en.json "all(k in d for k in (\"kind\", \"tokenizer\", \"vocab\", \"labels\", \"network\", \"sequence\")) and d[\"kind\"] == \"model\" and \"tensors\" not in d" \
        "for k in kind tokenizer vocab labels network sequence; do grep -q \"\\\"\$k\\\":\" info_en.json || return 1; done"'
run "$S" info --tensors en.ssm; cp "$T/out" info_en_t.json
check "info --tensors lists tensors with name, dtype, shape and consistent nbytes" \
    '[ $rc -eq 0 ] && json_check info_en_t.json "len(d[\"tensors\"]) > 3 and {\"embedding\", \"vocab.tokens\"} <= {t[\"name\"] for t in d[\"tensors\"]} and any(t[\"name\"].startswith(\"gru\") for t in d[\"tensors\"]) and any(t[\"name\"].startswith(\"dense\") for t in d[\"tensors\"]) and all(t[\"nbytes\"] == __import__(\"math\").prod(t[\"shape\"]) * {\"f32\": 4, \"i32\": 4, \"i64\": 8, \"u8\": 1}[t[\"dtype\"]] for t in d[\"tensors\"])" \
        "grep -q \"\\\"tensors\\\"\" info_en_t.json && grep -q \"\\\"dtype\\\"\" info_en_t.json"'
run "$S" info -t en.ssm
check "info -t is --tensors" '[ $rc -eq 0 ] && cmp -s "$T/out" info_en_t.json'
run "$S" info text_model.ssm
check "info on a non-model file: exit 1" '[ $rc -eq 1 ] && err_has "text_model.ssm"'
run "$S" info missing.ssm
check "info on a missing file: exit 1" '[ $rc -eq 1 ] && err_has "missing.ssm"'
run "$S" info
check "info without a file: exit 2" '[ $rc -eq 2 ]'

# tokenize -m: the model's own tokenizer
run "$S" tokenize --dict "$D/zh_dict.txt" "$D/reviews_zh.txt"; cp "$T/out" tok_zh_dict.txt
run "$S" tokenize -m zh.ssm "$D/reviews_zh.txt"
check "tokenize -m model: same tokens as the model's --dict" '[ $rc -eq 0 ] && [ -s tok_zh_dict.txt ] && cmp -s "$T/out" tok_zh_dict.txt'
run "$S" tokenize --dict-vectors "$D/zh_vectors.txt" "$D/reviews_zh.txt"; cp "$T/out" tok_zh_vec.txt
run "$S" tokenize -m zfrom.ssm "$D/reviews_zh.txt"
check "tokenize -m model (vectors dictionary): same tokens as --dict-vectors" '[ $rc -eq 0 ] && [ -s tok_zh_vec.txt ] && cmp -s "$T/out" tok_zh_vec.txt'
run "$S" tokenize -m zbase.ssm "$D/reviews_zh.txt"
check "tokenize -m vocab file: same tokens as --dict-vectors" '[ $rc -eq 0 ] && cmp -s "$T/out" tok_zh_vec.txt'
run "$S" tokenize --dict none "$D/reviews_zh.txt"
check "tokenize without a dictionary differs from the model's segmentation" '[ $rc -eq 0 ] && ! cmp -s "$T/out" tok_zh_dict.txt'
run "$S" tokenize -m en.ssm "$D/reviews_en.txt"
check "tokenize -m en model: same as the default English tokenizer" '[ $rc -eq 0 ] && cmp -s "$T/out" tok_file.txt'
run "$S" pad -m en.ssm tok_file.txt
check "pad -m trained model: --maxlen defaults to the model's (20)" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 8 ] && awk "NF != 20 {bad = 1} END {exit bad}" "$T/out"'

# ======================================================================
# model round trip
# ======================================================================
mkdir -p elsewhere/deeper
cp en.ssm elsewhere/deeper/copy.ssm
run "$S" predict -m elsewhere/deeper/copy.ssm "$D/reviews_en.txt"
check "model round trip: a copied model predicts identically" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_ref.txt'
mv elsewhere/deeper/copy.ssm elsewhere/moved.ssm
run "$S" predict -m elsewhere/moved.ssm --all "$D/reviews_en.txt"
check "model round trip: a moved model predicts identically (--all)" '[ $rc -eq 0 ] && cmp -s "$T/out" pred_all.txt'
run "$S" predict -m zh.ssm "$D/reviews_zh.txt"; cp "$T/out" zh_pred.txt
cp zh.ssm elsewhere/zh.ssm
run "$S" predict -m elsewhere/zh.ssm "$D/reviews_zh.txt"
check "model round trip: the zh model (dictionary inside the file) predicts identically after copying" \
    '[ $rc -eq 0 ] && [ "$(lines zh_pred.txt)" -eq 8 ] && cmp -s "$T/out" zh_pred.txt'
cp en.ssm rt.ssm
run "$S" train "$D/movies_en.train.csv" --vocab rt.ssm $SMALL --embed-dim 8 --layers 1 --epochs 1 --quiet -o rt2.ssm
check "train --vocab with a trained model file reuses its vocabulary" \
    '[ $rc -eq 0 ] && "$S" info rt2.ssm >rt2.json && json_check rt2.json "d[\"vocab\"][\"size\"] == json.load(open(\"info_en.json\"))[\"vocab\"][\"size\"]" "true"'
check "no temp files left anywhere after all commands" 'no_tmp_left .'

finish
