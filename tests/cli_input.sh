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
NET="--hidden 8 --layers 1 --embed-dim 8 --maxlen 20 --epochs 1 --threads 1 --quiet"
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
    run "$S" vocab gbk.csv -o v.ssm
    check "vocab on GBK data: the same error" '[ $rc -eq 1 ] && err_has "not UTF-8" && [ ! -e v.ssm ]'
    iconv -f UTF-8 -t UTF-16 "$ZT" >u16.csv
    run "$S" eval -m utf8.ssm u16.csv
    check "UTF-16 with a byte-order mark is detected and converted" '[ $rc -eq 0 ] && cmp -s "$T/out" eval_utf8.txt'
    { printf 'label,text\n'; for i in 1 2 3; do
        printf '1,caf\351 tr\350s bon, tr\350s agr\351able\n0,mauvais r\351sultat et cher\n'; done; } >latin1.csv
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
run "$S" vocab --encoding klingon "$Z" -o v3.ssm
check "an unknown --encoding is a usage error naming it" 'usage_err klingon && [ ! -e v3.ssm ]'
{ head -n 3 "$Z"; printf '1,\345\245\275\377\347\232\204\376\346\210\277\351\227\264\n'; } >stray.csv
run "$S" vocab stray.csv -o stray.ssm
check "two stray bytes in UTF-8 text: read, counted and reported" \
    '[ $rc -eq 0 ] && err_has "stray.csv: 2 invalid UTF-8 sequences read as U+FFFD"'
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
check "no temp files left by the checks" 'no_tmp_left .'
finish
