#!/bin/sh
# tests/cli_input.sh - input that is never misread in silence: each case
# builds its own bad or tricky input and checks the exit code, the message
# and that no output file appeared (or that the read is right).
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-input . tests/harness.sh

printf 'label,text\n1,good ok\n0,bad\n' >t.csv
run "$S" vocab t.csv -o base.ssm
check "a base for the vector cases" '[ $rc -eq 0 ]'

# word2vec binary whose first word's floats hold a 0x0a byte after bytes that
# look like digits: "1234" as a float, then 0.09999855 = 0a cc cc 3d
if [ "$HAVE_PY" = 1 ]; then
    python3 - <<'PY'
import struct
with open("nl.bin", "wb") as f:
    f.write(b"3 4\n")
    num = struct.unpack("<f", b"1234")[0]
    nl = struct.unpack("<f", bytes([0x0a, 0xcc, 0xcc, 0x3d]))[0]
    for w, v in (("good", [num, nl, 0.5, -0.25]), ("bad", [0.1, 0.2, 0.3, 0.4]), ("ok", [nl, 1.0, 2.0, 3.0])):
        f.write(w.encode() + b" " + struct.pack("<4f", *v))
PY
    run "$S" embed base.ssm nl.bin -o emb.ssm
    check "binary vectors with a 0x0a byte in the first float load as binary (not 'expected 4 values')" \
        '[ $rc -eq 0 ] && err_has "3 vectors of dimension 4" && err_has "3/3 types"'
    run "$S" info --tensors emb.ssm
    check "... and the values are the binary ones" '[ $rc -eq 0 ] && out_has "embedding"'
else
    skip "binary vectors with a 0x0a byte (python3 needed to write them)"
fi
# a text file whose first row has the wrong number of values is still text, and an error
printf '2 4\ngood 0.1 0.2 0.3\nbad 0.1 0.2 0.3 0.4\n' >short.vec
run "$S" embed base.ssm short.vec -o short.ssm
check "text vectors with a short first row: error naming the line, no output" \
    '[ $rc -eq 1 ] && err_has "short.vec:2" && [ ! -e short.ssm ]'

# ---- encodings, compression ----
Z="$D/hotel_zh.train.csv"
ZT="$D/hotel_zh.test.csv"
# --dict none: these cases are about reading the data; a model without
# jieba's 349k words loads at once (the streaming case below waits 1 s)
NET="--hidden 8 --layers 1 --embed-dim 8 --maxlen 20 --epochs 1 --threads 1 --quiet --dict none"
run "$S" train "$Z" $NET -o utf8.ssm
check "reference model on the UTF-8 data" '[ $rc -eq 0 ]'
run "$S" eval -m utf8.ssm "$ZT"
cp "$T/out" eval_utf8.txt
if command -v iconv >/dev/null 2>&1; then
    iconv -f UTF-8 -t GBK "$Z" >gbk.csv
    iconv -f UTF-8 -t GBK "$ZT" >gbk_test.csv
    run "$S" train gbk.csv $NET -o gbk.ssm
    check "GBK data without --encoding: exit 1, 'gbk.csv:2: not UTF-8 (looks like GB18030', the fix, no model" \
        '[ $rc -eq 1 ] && err_has "gbk.csv:2: not UTF-8 (looks like GB18030" && err_has "pass --encoding gb18030" && [ ! -e gbk.ssm ]'
    run "$S" train gbk.csv --encoding gb18030 $NET -o gbk.ssm
    run "$S" eval -m gbk.ssm "$ZT"
    check "--encoding gb18030: the same model as from the UTF-8 file (same test figures)" \
        '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
    run "$S" eval -m utf8.ssm --encoding gbk gbk_test.csv
    check "eval --encoding gbk reads the converted test file: same figures" '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
    # plain lines in GBK: tokenize, encode and predict all convert them
    sed 1d "$ZT" | cut -d, -f2- | head -n 20 >lines_utf8.txt
    iconv -f UTF-8 -t GBK lines_utf8.txt >lines_gbk.txt
    for c in tokenize encode predict; do
        "$S" $c -m utf8.ssm lines_utf8.txt >"lines_$c.ref" 2>/dev/null
        run "$S" $c -m utf8.ssm --encoding gbk lines_gbk.txt
        check "$c --encoding gbk on plain lines: the UTF-8 file's output" \
            '[ $rc -eq 0 ] && [ -s "lines_$c.ref" ] && cmp -s "$T/out" "lines_$c.ref"'
    done
    "$S" split "$Z" --seed 3 -o sp_utf8 --quiet
    run "$S" split gbk.csv --encoding gbk --seed 3 -o sp_gbk --quiet
    check "split --encoding gbk: the UTF-8 file's parts (written in UTF-8)" \
        '[ $rc -eq 0 ] && cmp -s sp_gbk.train.csv sp_utf8.train.csv && cmp -s sp_gbk.test.csv sp_utf8.test.csv'
    # UTF-16 without a byte-order mark: its NUL bytes name the fix
    sed 1d "$ZT" | cut -d, -f2- | head -n 5 | iconv -f UTF-8 -t UTF-16LE >u16le.txt
    sed 1d "$ZT" | cut -d, -f2- | head -n 5 >u8.txt
    run "$S" predict -m utf8.ssm u16le.txt
    check "UTF-16LE without a BOM: exit 1 before any answer, named, --encoding utf-16le as the fix" \
        '[ $rc -eq 1 ] && [ ! -s "$T/out" ] && err_has "u16le.txt:1: looks like UTF-16LE without a byte-order mark" && err_has "pass --encoding utf-16le"'
    iconv -f UTF-8 -t UTF-16BE "$ZT" >u16be.csv
    run "$S" eval -m utf8.ssm u16be.csv
    check "UTF-16BE without a BOM (eval): named as such" '[ $rc -eq 1 ] && err_has "u16be.csv:1: looks like UTF-16BE" && err_has "pass --encoding utf-16be"'
    run "$S" eval -m utf8.ssm --encoding utf-16be u16be.csv
    check "eval --encoding utf-16be reads it: the UTF-8 file's figures" '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
    "$S" predict -m utf8.ssm u8.txt >u8.ref 2>/dev/null
    run "$S" predict -m utf8.ssm --encoding utf-16le u16le.txt
    check "predict --encoding utf-16le reads it: the UTF-8 file's answers" '[ $rc -eq 0 ] && cmp -s "$T/out" u8.ref'
    run "$S" vocab gbk.csv -o v.ssm
    check "vocab on GBK data: the same error" '[ $rc -eq 1 ] && err_has "not UTF-8" && [ ! -e v.ssm ]'
    iconv -f UTF-8 -t UTF-16 "$ZT" >u16.csv
    run "$S" eval -m utf8.ssm u16.csv
    check "UTF-16 with a byte-order mark is detected and converted" '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
    { printf 'label,text\n'; for i in 1 2 3; do
        printf '1,"caf\351 tr\350s bon, tr\350s agr\351able"\n0,mauvais r\351sultat et cher\n'; done; } >latin1.csv
    run "$S" vocab latin1.csv -o v.ssm
    check "Latin-1 data: named as such with --encoding windows-1252 as the fix" \
        '[ $rc -eq 1 ] && err_has "latin1.csv:2: not UTF-8 (looks like Latin-1" && err_has "encoding windows-1252"'
    run "$S" vocab --encoding latin1 latin1.csv -o v.ssm
    check "--encoding latin1 reads it" '[ $rc -eq 0 ] && [ -s v.ssm ]'
    run "$S" vocab --encoding utf-16 gbk.csv -o v2.ssm
    check "a wrong --encoding: error naming the line and the encoding, no output" \
        '[ $rc -eq 1 ] && err_has "gbk.csv:" && err_has "utf-16" && [ ! -e v2.ssm ]'
else
    skip "encoding cases (iconv(1) needed to make the files)"
fi
# encode batches its texts: those before a bad row still come out, then the error
{ head -n 3 "$ZT"; printf '1,a,b,c\n'; sed -n 4p "$ZT"; } >badrow.csv
run "$S" encode -m utf8.ssm badrow.csv
check "encode: the rows before a bad one, then exit 1 naming its line" \
    '[ $rc -eq 1 ] && [ $(wc -l <"$T/out") -eq 2 ] && err_has "badrow.csv:4: expected 2 fields, saw 4"'
run "$S" vocab --encoding klingon "$Z" -o v3.ssm
check "an unknown --encoding is a usage error naming it" 'usage_err klingon && [ ! -e v3.ssm ]'
{ head -n 3 "$Z"; printf '1,\345\245\275\377\347\232\204\376\346\210\277\351\227\264\n'; } >stray.csv
run "$S" vocab stray.csv -o stray.ssm
check "two stray bytes in UTF-8 text: read, counted and reported" \
    '[ $rc -eq 0 ] && err_has "stray.csv: 2 invalid UTF-8 sequences read as U+FFFD"'
run "$S" tokenize -m stray.ssm stray.csv
check "tokenize reports the stray bytes too" \
    '[ $rc -eq 0 ] && [ $(wc -l <"$T/out") -eq 3 ] && err_has "stray.csv: 2 invalid UTF-8 sequences read as U+FFFD"'
printf 'the plot was thin\nwonderful acting\n' >english.txt
run "$S" predict -m utf8.ssm english.txt
check "predict of text the model does not know (English into a Chinese model): answers, and says so on stderr" \
    '[ $rc -eq 0 ] && [ $(wc -l <"$T/out") -eq 2 ] && err_has "predict: 100% of the tokens of english.txt are not in the model.s vocabulary"'
printf 'good\377 ok\n' >stray.txt
run "$S" predict -m utf8.ssm stray.txt
check "predict reports stray bytes in plain lines (and still answers)" \
    '[ $rc -eq 0 ] && [ $(wc -l <"$T/out") -eq 1 ] && err_has "stray.txt: 1 invalid UTF-8 sequence read as U+FFFD"'
printf 'label,text\n1,good ok\n0,\n1,bad\n' >hole.csv
run "$S" tokenize hole.csv
check "tokenize: a row with an empty text is an empty line (output line N is row N, as predict)" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/out" | tr "\n" "|")" = "good ok||bad|" ]'
gzip -c "$ZT" >test.csv.gz
run "$S" eval -m utf8.ssm test.csv.gz
check "gzip'd CSV is read (inflated): same figures" '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
gzip -c "$Z" | head -c 2000 >trunc.csv.gz
run "$S" vocab trunc.csv.gz -o t.ssm
check "truncated gzip data: exit 1 naming the file, no output" '[ $rc -eq 1 ] && err_has "trunc.csv.gz" && [ ! -e t.ssm ]'

# ---- outputs checked before any work ----
E="$D/movies_en.train.csv"
for o in "-o nodir/m.ssm" "-o m7.ssm --plot nodir/p.svg" "-o m7.ssm --log nodir/l.jsonl" "-o ."; do
    # shellcheck disable=SC2086
    run "$S" train "$E" --epochs 3 --threads 1 $o
    check "train $o: exit 1 naming the target before training starts (no epoch ran)" \
        '[ $rc -eq 1 ] && grep -q "^seqsent: .*\(nodir\|\.\)" "$T/err" && ! err_has "epoch" && [ ! -e m7.ssm ]'
done
run "$S" eval -m utf8.ssm --errors nodir/e.csv "$ZT"
check "eval --errors into a missing directory: exit 1 before scoring, nothing on stdout" \
    '[ $rc -eq 1 ] && err_has "nodir/e.csv" && [ ! -s "$T/out" ]'
run "$S" vocab "$E" -o nodir/v.ssm
check "vocab -o into a missing directory: exit 1 naming it" '[ $rc -eq 1 ] && err_has "nodir/v.ssm"'
run "$S" train "$E" --epochs 1 --threads 1 --quiet -o /dev/null
check "train -o /dev/null still works (a device is checked in place)" '[ $rc -eq 0 ] && [ -c /dev/null ]'
# ---- issue 13: labels, field counts, fastText lines, predict's input, errors naming the fix ----
NET1="--hidden 4 --layers 1 --embed-dim 4 --maxlen 8 --epochs 1 --threads 1"
{ echo 'stars,body'; i=0; while [ $i -lt 150 ]; do echo "pos,good film $i"; echo "neg,bad film $i"; i=$((i + 1)); done; } >stars.csv
run "$S" train stars.csv $NET1 -o stars.ssm
check "labels: every label listed with its count on stderr" \
    'err_has "label .pos.: 150 rows" && err_has "label .stars.: 1 row"'
check "labels: an unrecognised header (stars,body) is an error naming line 1 and --header, no model" \
    '[ $rc -eq 1 ] && err_has "stars.csv:1: label .stars. is seen 1 time" && err_has "pass --header" && err_has "label-col" && [ ! -e stars.ssm ]'
run "$S" train stars.csv --allow-rare-labels $NET1 --quiet -o stars.ssm
check "labels: --allow-rare-labels overrides (3 classes trained)" '[ $rc -eq 0 ] && [ -s stars.ssm ]'
rm -f stars.ssm
run "$S" train stars.csv --header $NET1 --quiet -o stars.ssm
check "labels: --header forces the header row: trains on pos/neg" '[ $rc -eq 0 ] && [ -s stars.ssm ]'
run "$S" train stars.csv --header --no-header $NET1 -o x.ssm
check "labels: --header with --no-header is a usage error" 'usage_err "header" && [ ! -e x.ssm ]'
# no header, the text first and the label last: the default columns (label
# first, text last) would take 300 texts for labels
i=0; while [ $i -lt 150 ]; do echo "good film $i,1"; echo "bad film $i,0"; i=$((i + 1)); done >swapped.csv
run "$S" train swapped.csv $NET1 -o sw.ssm
check "columns swapped (text first, no header): train stops, names both columns and the options that fix it" \
    '[ $rc -eq 1 ] && err_has "swapped.csv:1: the label column (column 1) holds 300 different values in 300 rows and the text column (column 2) 2: the columns look swapped; pass --label-col 2 --text-col 1" && [ ! -e sw.ssm ]'
run "$S" split swapped.csv --stratify -o sw
check "columns swapped: split --stratify says the labels look like texts, writes nothing" \
    '[ $rc -eq 1 ] && err_has "swapped.csv:1: the label column (column 1) holds 300 different values" && err_has "--label-col" && [ ! -e sw.train.csv ]'
run "$S" train swapped.csv --label-col 2 --text-col 1 $NET1 --quiet -o sw.ssm
check "columns swapped: --label-col 2 --text-col 1 trains (2 labels)" '[ $rc -eq 0 ] && [ -s sw.ssm ]'
{ echo 'label,text'; i=0; while [ $i -lt 60 ]; do echo "Positive,good film $i"; echo "positive,fine film $i"; echo "neg,bad $i"; i=$((i + 1)); done; } >case.csv
run "$S" train case.csv $NET1 -o case.ssm
check "labels: Positive/positive (differ only in case) is an error naming the line, no model" \
    '[ $rc -eq 1 ] && err_has "case.csv:3: labels .Positive. (line 2) and .positive. differ only in case" && [ ! -e case.ssm ]'

printf 'label,text\n1,good film\n0,bad, really bad, film\n' >fields.csv
run "$S" vocab fields.csv -o f.ssm
check "fields: a row with more fields than the header: expected 2 fields, saw 4, line named, --join-extra offered, no output" \
    '[ $rc -eq 1 ] && err_has "fields.csv:3: expected 2 fields, saw 4" && err_has "join-extra" && [ ! -e f.ssm ]'
run "$S" tokenize --join-extra fields.csv
check "fields: --join-extra keeps the rest of the row (re-joined with ',') as the text" \
    '[ $rc -eq 0 ] && [ "$(sed -n 2p "$T/out")" = "bad , really bad , film" ]'
printf 'label\ttext\textra\n1\tgood\tx\n0\tbad\n' >fields.tsv
run "$S" vocab fields.tsv -o f.ssm
check "fields: a TSV row with fewer fields: expected 3 fields, saw 2, no output" \
    '[ $rc -eq 1 ] && err_has "fields.tsv:3: expected 3 fields, saw 2" && [ ! -e f.ssm ]'

printf '__label__pos __label__good great film\n__label__neg bad film\n' >multi.txt
run "$S" train multi.txt $NET1 -o multi.ssm
check "fastText: a line with 2 labels makes a multi-label model, said on stderr (tests/cli_multilabel.sh tests more)" \
    '[ $rc -eq 0 ] && err_has "multi-label (1 of 2 rows have 2+ labels)" && "$S" info multi.ssm | grep -q "sigmoid per label"'
printf '__label__pos\vgreat film\n__label__neg\fbad film\n__label__pos good one\n' >vf.txt
run "$S" tokenize vf.txt
check "fastText: labels ended by \\v or \\f are split off; tokenize detects the format and tokenizes only the text" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/out" | tr "\n" "|")" = "great film|bad film|good one|" ]'
run "$S" vocab vf.txt -o vf.ssm
run "$S" info vf.ssm
check "fastText: no label glued to a token in the vocabulary" '[ $rc -eq 0 ] && ! grep -q "__label__" "$T/out"'

printf 'label,text\npos,good film\nneg,bad film\npos,great film\n' >pt.csv
run "$S" predict -m utf8.ssm --with-text pt.csv
check "predict: a .csv is read as eval reads it (header skipped, the text column only)" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" = 3 ] && [ "$(head -1 "$T/out" | cut -f3-)" = "good film" ]'
run_in pt.csv "$S" predict -m utf8.ssm --with-text
check "predict: stdin stays plain lines by default (4 lines in, 4 results)" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" = 4 ]'
run_in pt.csv "$S" predict -m utf8.ssm --format csv --with-text -
check "predict --format csv on stdin: 3 texts" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" = 3 ] && [ "$(sed -n 3p "$T/out" | cut -f3-)" = "great film" ]'
run "$S" predict -m utf8.ssm --with-text --text-col 1 --no-header pt.csv
check "predict --text-col/--no-header as eval" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" = 4 ] && [ "$(head -1 "$T/out" | cut -f3-)" = "label" ]'
run "$S" predict -m utf8.ssm --with-text vf.txt
check "predict: a __label__ .txt is fastText: only the text is classified" '[ $rc -eq 0 ] && [ "$(head -1 "$T/out" | cut -f3-)" = "great film" ]'
run "$S" predict -m utf8.ssm --format jsonl pt.csv
check "predict --format jsonl: a usage error naming --output-format" 'usage_err "output-format"'
run "$S" predict -m utf8.ssm --output-format jsonl pt.csv
check "predict --output-format jsonl" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" = 3 ] && out_has "\"label\""'
printf 'label,text\npos,good film\nneg,bad, film\n' >pbad.csv
run "$S" predict -m utf8.ssm pbad.csv
check "predict: a row with the wrong field count is the same error as eval's" '[ $rc -eq 1 ] && err_has "pbad.csv:3: expected 2 fields, saw 3"'
mkfifo slow.fifo 2>/dev/null && {
    ( printf 'label,text\npos,good film\n'; sleep 2; printf 'neg,bad film\n' ) >slow.fifo &
    BGPIDS="$BGPIDS $!"
    "$S" predict -m utf8.ssm --format csv slow.fifo >stream.txt 2>"$T/err" &
    PP=$!; BGPIDS="$BGPIDS $PP"
    sleep 1; n1=$(lines stream.txt); wait $PP; rc=$?
    check "predict --format csv streams: the first result is out before the next row arrives" '[ "$n1" = 1 ] && [ "$(lines stream.txt)" = 2 ]'
}

printf 'label\ttext\n1\tgood ok\n0\tbad\n' >tabs.csv
run "$S" train tabs.csv $NET1 -o tabs.ssm
check "delimiter: a TSV named .csv: error suggesting --format tsv, no model" \
    '[ $rc -eq 1 ] && err_has "tabs.csv:1: the first line has tabs and no commas" && err_has "format tsv" && [ ! -e tabs.ssm ]'
printf 'label;text\n1;good ok\n0;bad\n' >semi.csv
run "$S" vocab semi.csv -o semi.ssm
check "delimiter: ';' separators: error saying it is not supported, no output" \
    '[ $rc -eq 1 ] && err_has "semi.csv:1: " && err_has "separated by .;., which is not supported" && [ ! -e semi.ssm ]'
printf '\272\026\117\057\014\000\000\000junkjunk' >model.bin
run "$S" embed base.ssm model.bin -o ftbin.ssm
check "vectors: a fastText .bin model given to embed: named as such, use the .vec, no output" \
    '[ $rc -eq 1 ] && err_has "model.bin: this is a fastText binary model" && err_has "\.vec" && [ ! -e ftbin.ssm ]'
run "$S" train t.csv --embed model.bin $NET1 -o ftbin.ssm
check "vectors: the same for train --embed" '[ $rc -eq 1 ] && err_has "fastText binary model" && [ ! -e ftbin.ssm ]'
printf 'stars,body\n1,good\n0,bad\n' >hdr.csv
run "$S" eval -m utf8.ssm hdr.csv
check "eval: an unknown label on line 1 lists the model's labels and asks whether line 1 is a header" \
    '[ $rc -eq 1 ] && err_has "hdr.csv:1: label .stars. is not one of the model.s labels (" && err_has "is line 1 a header"'

check "no temp files left by the checks" 'no_tmp_left .'

# ---- eval says when the text is not what the model knows ----
run "$S" eval -m utf8.ssm "$D/movies_en.test.csv"
check "eval of a Chinese model on English text: the unknown-token rate in the report and a warning" \
    '[ $rc -eq 0 ] && out_has "unknown   [0-9.]*% of tokens" && err_has "not in the model.s vocabulary"'
run "$S" eval -m utf8.ssm "$ZT"
check "eval on its own kind of text: no warning" '[ $rc -eq 0 ] && ! err_has "vocabulary"'
finish
