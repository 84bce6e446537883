#!/bin/sh
# tests/cli_robust.sh - robustness of the seqsent binary: bad input of every
# kind gets a clear message (file:line where there is one), a non-zero exit
# and loses nothing; interrupted training leaves a resumable checkpoint.
#
# Run from the repository root after `make`:   sh tests/cli_robust.sh
# Same conventions as tests/cli.sh: every check prints "ok - ..." or
# "FAIL - ..." (with the command's exit status, stdout and stderr), the last
# line is "N passed, N failed" and the exit status is 1 if anything failed.
# SEQSENT=/path/to/binary tests another build (e.g. the sanitizer build).
# Uses only the bundled data in tests/data/ and fixtures written to a
# temporary directory (KEEP_TMP=1 keeps it).

cd "$(dirname "$0")/.." || exit 1
CLI_NAME=robust CLI_TIMEOUT=120 . tests/harness.sh

rc_is() { [ "$rc" -eq "$1" ] || { why="expected exit $1"; return 1; }; }
# A data error: exit 1, the message on stderr names $1 (e.g. "file:line:")
# and, if given, contains $2; nothing on stdout; no output file $3.
data_err() {
    rc_is 1 || return 1
    err_has "$1" || return 1
    [ -z "$2" ] || err_has "$2" || return 1
    [ -z "$3" ] || [ ! -e "$3" ] || { why="output file $3 was written"; return 1; }
    # one line: the message, not a dump
    [ "$(lines "$T/err")" -le 2 ] || { why="more than 2 lines on stderr"; return 1; }
    case $(head -n 1 "$T/err") in "seqsent: "*) ;; *) why="stderr does not start with 'seqsent: '"; return 1 ;; esac
}
# (the harness's usage_err, without its limit on the number of lines)
usage_err() {
    rc_is 2 || return 1
    [ ! -s "$T/out" ] || { why="stdout not empty"; return 1; }
    head -n 1 "$T/err" | grep -q -- "$1" || { why="first stderr line does not name '$1'"; return 1; }
}
not_crashed() {   # exit 1 (or 2), never a signal / sanitizer abort
    [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || { why="exit status $rc (crash, signal or sanitizer?)"; return 1; }
}
# flip_byte FILE OFFSET: xor one byte with 0x20
flip_byte() {
    _b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' $(( _b ^ 32 )))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# wait_for FILE PATTERN SECONDS: poll until FILE contains PATTERN
wait_for() {
    _n=0
    while ! grep -q -- "$2" "$1" 2>/dev/null; do
        _n=$((_n + 1))
        [ $_n -gt $(($3 * 20)) ] && return 1
        sleep 0.05
    done
}
# exited_within PID SECONDS: 0 if PID has exited (and been reaped: sets rc) in time
exited_within() {
    _n=0
    while kill -0 "$1" 2>/dev/null; do
        _n=$((_n + 1))
        if [ $_n -gt $(($2 * 20)) ]; then
            kill "$1" 2>/dev/null; wait "$1" 2>/dev/null
            rc=still-running
            return 1
        fi
        sleep 0.05
    done
    wait "$1"; rc=$?
    return 0
}

# big_run CMD...: run under a 4 GB address-space limit, so that a missing
# size check fails fast instead of exhausting the machine (no limit for
# ASan builds, which need a large address space).
LIM=
# shellcheck disable=SC3045   # ulimit -v: dash, bash; if a shell lacks it, no limit
if (exec >/dev/null 2>&1; ulimit -v 4000000 && "$S" --version; r=$?; exit $r); then LIM="ulimit -v 4000000;"; fi
big_run() { $TO sh -c "$LIM exec \"\$@\"" sh "$@" </dev/null >"$T/out" 2>"$T/err"; rc=$?; }

echo "# seqsent robustness tests in $T"

# ----------------------------------------------------------------------
# fixtures: a small trained model, a vocabulary file
# ----------------------------------------------------------------------
SMALL="--embed-dim 8 --hidden 8 --layers 1 --maxlen 20 --threads 1 --quiet"
# (--bag 0: a flipped byte in the bag, like one in the embedding, is found
# when its row is read, not at load; the flips below test the load)
run "$S" train "$D/movies_en.train.csv" $SMALL --epochs 2 --bag 0 -o en.ssm
check "fixture: a small model trains" '[ $rc -eq 0 ] && [ -s en.ssm ]'
run "$S" vocab "$D/movies_en.train.csv" -o base.ssm
check "fixture: a vocabulary file" '[ $rc -eq 0 ] && [ -s base.ssm ]'
cp en.ssm keep.ssm       # must survive every failed command below that targets it

# ======================================================================
# CSV input
# ======================================================================
printf 'label,text\n1,fine film\n0,"this quote\nis never closed\n1,more\n' >unbal.csv
run "$S" train unbal.csv $SMALL -o out.ssm
check "csv: unbalanced quote: exit 1, 'unbal.csv:3:' (where it opened), no output" \
    'data_err "unbal.csv:3:" "quote" out.ssm'
run "$S" eval -m en.ssm unbal.csv
check "csv: unbalanced quote in eval: exit 1, file:line" 'data_err "unbal.csv:3:" "quote"'

printf 'label,text\n1,"two\nlines"\n0,bad\n1\n0,good\n' >missing.csv
run "$S" train missing.csv $SMALL -o out.ssm
check "csv: a row with a missing column (after a 2-line quoted field): exit 1, 'missing.csv:5:'" \
    'data_err "missing.csv:5:" "column" out.ssm'
printf 'label\ttext\n1\tgood\n0\n' >missing.tsv
run "$S" train missing.tsv $SMALL -o out.ssm
check "tsv: a row with a missing column: exit 1, 'missing.tsv:3:'" 'data_err "missing.tsv:3:" "column" out.ssm'

run "$S" train "$D/movies_en.train.csv" --text-col nope $SMALL -o out.ssm
check "csv: unknown --text-col name: exit 1, names it and lists the columns" \
    'data_err "nope" "label, text" out.ssm'
run "$S" eval -m en.ssm --label-col stars "$D/movies_en.test.csv"
check "csv: unknown --label-col name (eval): exit 1, names it" 'data_err "stars" "columns"'
run "$S" train "$D/movies_en.train.csv" --text-col 7 $SMALL -o out.ssm
check "csv: --text-col 7 beyond the columns: exit 1 with file:line" 'data_err "movies_en.train.csv:2:" "7" out.ssm'

printf 'label,text\n1,good film\n0,\n1,""\n0,bad film\n1,great\n' >empty.csv
run "$S" train empty.csv --embed-dim 8 --hidden 8 --layers 1 --epochs 1 --threads 1 -o empty.ssm
check "csv: empty texts are skipped with a count on stderr (train)" \
    '[ $rc -eq 0 ] && err_has "3 rows" && err_has "2 empty skipped"'
run "$S" eval -m en.ssm --json empty.csv
check "csv: empty texts are skipped and counted (eval --json: n 3, skipped_empty 2)" \
    '[ $rc -eq 0 ] && grep -q "\"n\":[[:space:]]*3" "$T/out" && grep -q "skipped_empty\"*:[[:space:]]*2" "$T/out"'

printf 'label,text\n1,\n0,""\n' >allempty.csv
run "$S" eval -m en.ssm allempty.csv
check "eval of no rows (every text empty) is an error, not a report of zeros" \
    '[ $rc -eq 1 ] && err_has "allempty.csv: no rows to score (every text is empty)" && [ ! -s "$T/out" ]'
printf 'label,text\n' >headonly.csv
run "$S" eval -m en.ssm --json headonly.csv
check "eval of a header alone: exit 1, no JSON" '[ $rc -eq 1 ] && err_has "headonly.csv: no rows to score" && [ ! -s "$T/out" ]'

# an output that would replace a file the run reads (atomic rename: the data
# would be gone) is refused before any work; a model given as input may be
# replaced (embed BASE -o BASE, train --resume M -o M)
cp "$D/movies_en.train.csv" own.csv
run "$S" train own.csv $SMALL --epochs 1 -o own.csv
check "train -o DATA: exit 2 naming both, the data file intact" \
    '[ $rc -eq 2 ] && err_has "own.csv: the output would replace own.csv, a file this run reads" && cmp -s own.csv "$D/movies_en.train.csv"'
run "$S" vectors own.csv --dim 4 --epochs 1 -o ./own.csv
check "vectors -o ./CORPUS (another spelling): refused, intact" \
    '[ $rc -eq 2 ] && err_has "a file this run reads" && cmp -s own.csv "$D/movies_en.train.csv"'
cp own.csv own.train.csv
run "$S" split own.train.csv -o own
check "split x.train.csv -o x (its train part is the input): refused, intact" \
    '[ $rc -eq 2 ] && err_has "own.train.csv: the output would replace own.train.csv" && cmp -s own.train.csv own.csv && [ ! -e own.test.csv ]'
run "$S" eval -m en.ssm own.csv --errors own.csv
check "eval --errors DATA: refused, intact" '[ $rc -eq 2 ] && cmp -s own.csv "$D/movies_en.train.csv"'
echo '{"earlier": "run"}' >own.log
run "$S" train "$D/movies_en.train.csv" $SMALL --epochs 1 --log own.log -o own_log.ssm
check "an existing --log file is an output, not an input: a new run starts it afresh" \
    '[ $rc -eq 0 ] && [ $(wc -l <own.log) -eq 1 ] && grep -q "\"epoch\":1" own.log'
run "$S" train own.csv $SMALL --epochs 1 --log own.csv -o own_log.ssm
check "--log DATA (JSON appended to the data read): refused, intact" \
    '[ $rc -eq 2 ] && err_has "own.csv: the output would replace own.csv" && cmp -s own.csv "$D/movies_en.train.csv"'
cp en.ssm own.ssm
run "$S" ensemble own.ssm en.ssm -o own.ssm
check "a model input may be replaced (ensemble A B -o A)" '[ $rc -eq 0 ] && "$S" info own.ssm | grep -q "\"members\""'

run "$S" train "$D/movies_en.train.csv" $SMALL --resume en.ssm --epochs 2 -o more.ssm
check "--resume with no epochs left: exit 1, says how many are done and what to give" \
    '[ $rc -eq 1 ] && err_has "en.ssm: 2 epochs are done already (--epochs 2); give --epochs N (N > 2) to train further" && [ ! -e more.ssm ]'
: >nothing.txt
printf 'a b\nc d\n' >twice.txt
echo keep >v_keep.ssm
run "$S" vocab nothing.txt -o v_keep.ssm
check "vocab of no text: exit 1, the existing output kept" \
    '[ $rc -eq 1 ] && err_has "nothing.txt: no text to build a vocabulary from" && [ "$(cat v_keep.ssm)" = keep ]'
run "$S" vocab twice.txt --min-count 3 -o v_mc.ssm
check "vocab where --min-count leaves no token: exit 1 naming the fix, no file" \
    '[ $rc -eq 1 ] && err_has "twice.txt: no token seen 3 times or more in 2 texts (lower --min-count)" && [ ! -e v_mc.ssm ]'

printf 'label,text\n1,good film\n0,bad film\nmeh,so so\n' >unk.csv
run "$S" eval -m en.ssm unk.csv
check "csv: a label never seen in training (eval): exit 1, 'unk.csv:4:' naming the label" \
    'data_err "unk.csv:4:" "meh"'
run "$S" eval --help
check "eval --help documents that an unknown label is an error" '[ $rc -eq 0 ] && tr "\n" " " <"$T/out" | grep -qi "label the model does not know is an error"'

# 10 MB in one line: a CSV field and a predict line
awk 'BEGIN { printf "label,text\n1,\""; for (i = 0; i < 480000; i++) printf "good, \"\"great\"\" film "; printf "\"\n0,bad film\n" }' >big.csv
run "$S" eval -m en.ssm --json big.csv
check "csv: a 10 MB quoted field on one line is read (eval n = 2)" \
    '[ $rc -eq 0 ] && [ "$(wc -c <big.csv)" -gt 10000000 ] && grep -q "\"n\":[[:space:]]*2" "$T/out"'
awk 'BEGIN { for (i = 0; i < 1100000; i++) printf "great film "; printf "\nbad film\n" }' >big.txt
run "$S" predict -m en.ssm big.txt
check "predict: a 10 MB line gives one result line (2 lines in all)" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ]'
run "$S" tokenize big.txt
check "tokenize: a 10 MB line gives one token line" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ]'

printf 'label,text\n1,good film\n0,bad\000film\n1,fine\n' >nul.csv
run "$S" train nul.csv $SMALL -o out.ssm
check "csv: a NUL byte: exit 1, 'nul.csv:3:' mentions NUL" 'data_err "nul.csv:3:" "NUL" out.ssm'
printf 'good film\nbad\000film\nfine\n' >nul.txt
run "$S" predict -m en.ssm nul.txt
check "predict: a NUL byte on line 2: exit 1, 'nul.txt:2:', the result for line 1 is not lost" \
    '[ $rc -eq 1 ] && err_has "nul.txt:2:" && [ "$(lines "$T/out")" -eq 1 ]'

printf 'label,text\n1,caf\303 good \377\376 film\n0,bad \355\240\200 film\n' >badutf.csv
run "$S" tokenize badutf.csv
check "csv: invalid UTF-8 is replaced by U+FFFD (tokenize), exit 0" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ] && grep -q "$(printf "\357\277\275")" "$T/out" && ! grep -q "$(printf "\377")" "$T/out"'
run "$S" eval -m en.ssm --json badutf.csv
check "csv: invalid UTF-8 in eval: scored, exit 0" '[ $rc -eq 0 ] && grep -q "\"n\":[[:space:]]*2" "$T/out"'
if [ -f "$ROOT/man/seqsent.1" ]; then
    check "invalid UTF-8 -> U+FFFD is documented (man/seqsent.1)" 'grep -q "U+FFFD" "$ROOT/man/seqsent.1" || { why="no U+FFFD in man/seqsent.1"; false; }'
fi

printf 'text,label\r\ngood film,1\nbad film,0\r\n"fine\r\nfilm",1\nawful,0' >mixed.csv
printf 'text,label\ngood film,1\nbad film,0\n"fine\nfilm",1\nawful,0\n' >lf.csv
run "$S" tokenize mixed.csv; cp "$T/out" tok_mixed.txt
run "$S" tokenize lf.csv
check "csv: mixed CRLF/LF (and no final newline) tokenizes like LF" '[ $rc -eq 0 ] && cmp -s "$T/out" tok_mixed.txt && ! grep -q "$CR" tok_mixed.txt'
run "$S" eval -m en.ssm --json mixed.csv
check "csv: mixed CRLF/LF, label column last: no stray CR in labels (eval n = 4)" \
    '[ $rc -eq 0 ] && grep -q "\"n\":[[:space:]]*4" "$T/out"'

printf '\357\273\277label,text\r\n1,good film\r\n0,bad film\r\n1,great film\r\n0,awful film\r\n' >bom.csv
run "$S" train bom.csv $SMALL --epochs 1 -o bom.ssm
check "csv: a UTF-8 BOM before the header: header recognised, labels 0/1" \
    '[ $rc -eq 0 ] && "$S" info bom.ssm >bom.json && grep -q "\"labels\":[[:space:]]*\[[[:space:]]*\"0\",[[:space:]]*\"1\"" bom.json'

run "$S" train "$D/no-such.csv" $SMALL -o out.ssm
check "csv: a missing training file: exit 1 naming it" 'data_err "no-such.csv" "" out.ssm'
printf 'label,text\n1,good\n' >onelabel.csv
run "$S" train onelabel.csv $SMALL -o out.ssm
check "csv: a single label: exit 1, clear message" 'data_err "onelabel.csv" "label" out.ssm'
printf 'label,text\n' >header_only.csv
run "$S" train header_only.csv $SMALL -o out.ssm
check "csv: no data rows: exit 1" 'data_err "header_only.csv" "" out.ssm'

# ======================================================================
# vector files
# ======================================================================
vec() {   # vec FILE: header "N 4" lines follow from stdin (printf)
    cat >"$1"
}
printf '3 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_count.txt
run "$S" embed base.ssm v_count.txt -o out.ssm
check "vectors: header count disagrees with the rows: exit 1, says so" 'data_err "v_count.txt" "header says 3" out.ssm'
printf '2 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7\n' | vec v_row.txt
run "$S" embed base.ssm v_row.txt -o out.ssm
check "vectors: a row with the wrong number of values: exit 1, 'v_row.txt:3:'" 'data_err "v_row.txt:3:" "expected 4 values, found 3" out.ssm'
printf 'the 0.1 0.2 0.3 0.4\nxyzzy 0.5 0.6 0.7 0.8 0.9\n' | vec v_row2.txt
run "$S" embed base.ssm v_row2.txt -o out.ssm
check "vectors: no header, an unwanted row with too many values: exit 1, 'v_row2.txt:2:'" 'data_err "v_row2.txt:2:" "values" out.ssm'
printf '2 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 zero 0.7 0.8\n' | vec v_nonnum.txt
run "$S" embed base.ssm v_nonnum.txt -o out.ssm
check "vectors: a non-number: exit 1, 'v_nonnum.txt:3:' quoting it" 'data_err "v_nonnum.txt:3:" "zero" out.ssm'
printf '2 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 NaN 0.7 0.8\n' | vec v_nan.txt
run "$S" embed base.ssm v_nan.txt -o out.ssm
check "vectors: NaN: exit 1, 'v_nan.txt:3:'" 'data_err "v_nan.txt:3:" "" out.ssm'
printf '2 4\nthe 0.1 0.2 -inf 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_inf.txt
run "$S" embed base.ssm v_inf.txt -o out.ssm
check "vectors: -inf: exit 1, 'v_inf.txt:2:'" 'data_err "v_inf.txt:2:" "" out.ssm'
printf '2 4\nthe 0.1 0.2 1e39 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_ovf.txt
run "$S" embed base.ssm v_ovf.txt -o out.ssm
check "vectors: 1e39 (overflows float): exit 1, 'v_ovf.txt:2:'" 'data_err "v_ovf.txt:2:" "" out.ssm'
printf '2 99999999\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_hugedim.txt
run "$S" embed base.ssm v_hugedim.txt -o out.ssm
check "vectors: a header claiming dimension 99999999: exit 1 'too large'" 'data_err "v_hugedim.txt:1:" "too large" out.ssm'
printf '2 9999999\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_bigdim.txt
big_run "$S" embed base.ssm v_bigdim.txt -o out.ssm
check "vectors: a header claiming dimension 9999999: exit 1 at the first row (no vocabulary x 10^7 allocation first)" \
    'data_err "v_bigdim.txt:2:" "expected 9999999 values, found 4" out.ssm'
printf '3 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7 0.8\nthe 9 9 9 9\n' | vec v_dup.txt
run "$S" embed --quiet base.ssm v_dup.txt -o dup.ssm
if [ "$HAVE_PY" = 1 ] && [ $rc -eq 0 ]; then
    python3 - dup.ssm >"$T/out" 2>"$T/err" <<'EOF'
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
jo, jl, do, dl = struct.unpack('<QQQQ', b[16:48])
meta = json.loads(b[jo:jo + jl].decode('utf-8'))
ts = {t['name']: b[do + t['offset']:do + t['offset'] + t['nbytes']] for t in meta['tensors']}
toks = ts['vocab.tokens'].split(b'\0')[:-1]
i = toks.index(b'the')
row = struct.unpack('<4f', ts['embedding'][16 * i:16 * i + 16])
print(row)
sys.exit(0 if abs(row[0] - 0.1) < 1e-6 else 1)
EOF
    rc=$?
    check "vectors: a duplicate word: accepted, the first vector is kept" '[ $rc -eq 0 ]'
else
    check "vectors: a duplicate word: accepted (first kept)" '[ $rc -eq 0 ]'
fi
printf '2 4\nthe 0.1 0.2 0.3 0.4\ngood 0.5 0.6 0.7 0.8\n' | vec v_ok.txt
run "$S" embed base.ssm v_ok.txt --embed-dim 5 -o out.ssm
check "vectors: dimension 4 vs --embed-dim 5 (embed): exit 1, says both" 'data_err "v_ok.txt" "expected 5" out.ssm'
run "$S" train "$D/movies_en.train.csv" --embed v_ok.txt --embed-dim 5 --hidden 8 --layers 1 --quiet -o out.ssm
check "vectors: dimension 4 vs --embed-dim 5 (train --embed): exit 1" '[ $rc -eq 1 ] && err_has "v_ok.txt" && err_has "5" && [ ! -e out.ssm ]'
printf '' >v_empty.txt
run "$S" embed base.ssm v_empty.txt -o out.ssm
check "vectors: an empty file: exit 1" 'data_err "v_empty.txt" "" out.ssm'
if command -v gzip >/dev/null 2>&1; then
    gzip -c "$D/zh_vectors.txt" >zh.vec.gz
    head -c 3000 zh.vec.gz >trunc.vec.gz
    run "$S" vocab "$D/hotel_zh.train.csv" --dict-vectors "$D/zh_vectors.txt" -o zbase.ssm
    run "$S" embed zbase.ssm trunc.vec.gz -o out.ssm
    check "vectors: a truncated .gz: exit 1, 'truncated or corrupt'" 'data_err "trunc.vec.gz" "truncated" out.ssm'
    head -c 20 zh.vec.gz >trunc2.vec.gz
    run "$S" embed zbase.ssm trunc2.vec.gz -o out.ssm
    check "vectors: a .gz cut inside its header: exit 1" 'data_err "trunc2.vec.gz" "" out.ssm'
    cp zh.vec.gz corrupt.vec.gz
    flip_byte corrupt.vec.gz 2000
    run "$S" embed zbase.ssm corrupt.vec.gz -o out.ssm
    check "vectors: a corrupt .gz: exit 1, no crash" 'not_crashed && [ ! -e out.ssm ]'
    run "$S" train "$D/hotel_zh.train.csv" --embed trunc.vec.gz $SMALL -o out.ssm
    check "vectors: train --embed a truncated .gz: exit 1" '[ $rc -eq 1 ] && err_has "trunc.vec.gz" && [ ! -e out.ssm ]'
else
    skip "truncated .gz (no gzip)"
fi

# ======================================================================
# dictionaries and vocabulary listings
# ======================================================================
printf '房间 10\n\377\376 3\n' >d_utf8.txt
run "$S" tokenize --dict d_utf8.txt "$D/reviews_zh.txt"
check "dict: invalid UTF-8: exit 1, 'd_utf8.txt:2:'" 'data_err "d_utf8.txt:2:" "UTF-8"'
printf '房间 10\n干净 -5\n' >d_freq.txt
run "$S" train "$D/hotel_zh.train.csv" --dict d_freq.txt $SMALL -o out.ssm
check "dict: a negative frequency (train --dict): exit 1, 'd_freq.txt:2:'" 'data_err "d_freq.txt:2:" "frequency" out.ssm'
run "$S" tokenize --user-dict d_freq.txt "$D/reviews_zh.txt"
check "user dict: a negative frequency: exit 1, 'd_freq.txt:2:'" 'data_err "d_freq.txt:2:" "frequency"'
printf 'the\t5\nfilm\tmany\n' >l_count.txt
run "$S" train "$D/movies_en.train.csv" --vocab l_count.txt $SMALL -o out.ssm
check "listing: a bad count (train --vocab): exit 1, 'l_count.txt:2:'" 'data_err "l_count.txt:2:" "count" out.ssm'
printf 'the\t5\nfilm\t3\nthe\t1\n' >l_dup.txt
run "$S" pad --vocab l_dup.txt "$D/reviews_en.txt"
check "listing: a duplicate token (pad --vocab): exit 1, 'l_dup.txt:3:'" 'data_err "l_dup.txt:3:" "duplicate"'
run "$S" pad --vocab "$T" "$D/reviews_en.txt"
check "listing: a directory (pad --vocab DIR): exit 1, 'Is a directory'" 'data_err "$T" "directory"'

# ======================================================================
# model files
# ======================================================================
size=$(wc -c <en.ssm | tr -d ' ')
head -c $((size - 100)) en.ssm >m_trunc.ssm
run "$S" info m_trunc.ssm
check "model: truncated: exit 1, 'truncated'" 'data_err "m_trunc.ssm" "truncated"'
head -c 30 en.ssm >m_trunc_hdr.ssm
run "$S" predict -m m_trunc_hdr.ssm "$D/reviews_en.txt"
check "model: truncated inside the header (predict): exit 1, 'truncated'" 'data_err "m_trunc_hdr.ssm" "truncated"'
cp en.ssm m_magic.ssm; flip_byte m_magic.ssm 0
run "$S" info m_magic.ssm
check "model: wrong magic: exit 1, 'not a seqsent model'" 'data_err "m_magic.ssm" "not a seqsent model"'
cp en.ssm m_version.ssm
printf '\011' | dd of=m_version.ssm bs=1 seek=8 conv=notrunc 2>/dev/null
run "$S" eval -m m_version.ssm "$D/movies_en.test.csv"
check "model: newer format version (9): exit 1, says 'newer'" 'data_err "m_version.ssm" "newer"'
printf 'label,text\n1,this is a csv file\n' >m_text.ssm
run "$S" info m_text.ssm
check "model: a file that is not a model at all: exit 1" 'data_err "m_text.ssm" "not a seqsent model"'
: >m_empty.ssm
run "$S" predict -m m_empty.ssm "$D/reviews_en.txt"
check "model: an empty file: exit 1" 'data_err "m_empty.ssm" ""'
run "$S" info "$T"
check "model: a directory: exit 1" 'data_err "$T" ""'
run "$S" predict -m base.ssm "$D/reviews_en.txt"
check "model: a vocabulary file given to predict: exit 1, 'not a trained model'" 'data_err "base.ssm" "not a trained model"'
# A well-formed file (valid checksum) whose metadata lies: vocab.counts has
# shape [5001, 0] (0 bytes, placed at the end of the file) next to 5000 tokens.
if [ "$HAVE_PY" = 1 ]; then
    python3 - base.ssm m_counts.ssm <<'EOF'
import json, struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
jo, jl, do, dl = struct.unpack('<QQQQ', b[16:48])
meta = json.loads(b[jo:jo + jl].decode('utf-8'))
toks = b'<pad>\0<unk>\0' + b''.join(b'w%d\0' % i for i in range(1, 5000))
ts = [t for t in meta['tensors'] if t['name'] not in ('vocab.tokens', 'vocab.counts')]
raw = [b[do + t['offset']:do + t['offset'] + t['nbytes']] for t in ts]
ts.append({'name': 'vocab.tokens', 'dtype': 'u8', 'shape': [len(toks)], 'nbytes': len(toks)}); raw.append(toks)
ts.append({'name': 'vocab.counts', 'dtype': 'i64', 'shape': [5001, 0], 'nbytes': 0}); raw.append(b'')
data = b''
for t, r in zip(ts, raw):
    t['offset'] = (len(data) + 63) & ~63
    data += b'\0' * (t['offset'] - len(data)) + r
meta['tensors'] = ts
meta['vocab']['size'] = 5001
js = json.dumps(meta, separators=(',', ':')).encode()
doff = (64 + len(js) + 63) & ~63
body = b'SEQSENT\x1a' + struct.pack('<IIQQQQQQ', 1, 0, 64, len(js), doff, len(data), doff + len(data) + 8, 0)
body += js + b' ' * (doff - 64 - len(js)) + data
open(sys.argv[2], 'wb').write(body + struct.pack('<I', zlib.crc32(body)) + b'END\0')
EOF
    run "$S" info m_counts.ssm
    check "fixture: m_counts.ssm is a well-formed model file (info reads it)" '[ $rc -eq 0 ]'
    run "$S" pad -m m_counts.ssm "$D/reviews_en.txt"
    check "model: vocab.counts shape [5001, 0] with 5000 tokens (pad -m): exit 1 'corrupt', no crash" \
        'data_err "m_counts.ssm" "corrupt"'
    run "$S" predict -m m_counts.ssm "$D/reviews_en.txt"
    check "model: the same file given to predict: exit 1, no crash" 'data_err "m_counts.ssm" ""'
fi
cp en.ssm m_tail.ssm; printf 'x' >>m_tail.ssm
run "$S" info m_tail.ssm
check "model: trailing bytes: exit 1" 'data_err "m_tail.ssm" ""'

# single flipped bytes: the 64 header bytes, spread through JSON and tensor
# data, and the trailer; every one must be an error (checksum), never a crash
offs="0 7 8 11 12 15 16 17 23 24 31 32 39 40 47 48 55 56 63 64 65"
k=1
while [ $k -lt 24 ]; do offs="$offs $((size * k / 24))"; k=$((k + 1)); done
offs="$offs $((size - 8)) $((size - 6)) $((size - 4)) $((size - 1))"
bad_flips=
for o in $offs; do
    cp en.ssm m_flip.ssm
    flip_byte m_flip.ssm "$o"
    $TO "$S" info m_flip.ssm >/dev/null 2>"$T/err"; frc=$?
    if [ $frc -ne 1 ] || ! grep -q "^seqsent: m_flip.ssm: " "$T/err"; then bad_flips="$bad_flips $o(rc=$frc)"; fi
done
rc=0
why="offsets not reported as errors:$bad_flips"
check "model: any single flipped byte ($(echo $offs | wc -w) offsets) is an error naming the file" '[ -z "$bad_flips" ]'
cp en.ssm m_flip.ssm; flip_byte m_flip.ssm $((size / 2))
run "$S" info m_flip.ssm
check "model: a flipped byte in the tensors: 'checksum mismatch (file is corrupt)'" 'data_err "m_flip.ssm" "checksum"'

# predict and eval check the embedding block by block (64 KiB), before a
# block's rows are first used: a flipped byte in the middle of a 950 KB
# embedding leaves texts without those rows classified, fails a run that
# needs them (every word of the training file is in the vocabulary), and
# info, which checks the whole file, fails at once
run "$S" train "$D/movies_en.train.csv" --no-word2vec --embed-dim 1024 --hidden 4 --layers 1 --maxlen 400 --threads 1 --quiet --epochs 1 -o wide.ssm
emb=$(head -c 8192 wide.ssm | grep -ao '"name":"embedding","dtype":"f32","shape":\[[0-9,]*\],"offset":[0-9]*' | sed 's/.*://')
doff=$(od -An -tu8 -j32 -N8 wide.ssm | tr -d ' ')
ebytes=$(head -c 8192 wide.ssm | grep -ao '"name":"embedding","dtype":"f32","shape":\[[0-9]*,1024\]' | sed 's/.*\[\([0-9]*\),.*/\1/')
cp wide.ssm m_row.ssm
[ -n "$emb" ] && [ -n "$ebytes" ] && flip_byte m_row.ssm $((doff + emb + ebytes * 4096 / 2))
printf '\n' | "$S" predict -m m_row.ssm >"$T/out" 2>"$T/err"; rc=$?
check "model: a flipped byte in an embedding row: an empty text (padding only) is still classified" '[ $rc -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 1 ]'
run "$S" predict -m m_row.ssm "$D/movies_en.train.csv"
check "model: ... the texts that need the row: exit 1, 'checksum mismatch (file is corrupt)' with the bytes" 'data_err "m_row.ssm" "checksum mismatch (file is corrupt): bytes "'
run "$S" eval -m m_row.ssm "$D/movies_en.train.csv"
check "model: ... eval on them too" 'data_err "m_row.ssm" "checksum mismatch"'
run "$S" info m_row.ssm
check "model: ... info checks the whole file" 'data_err "m_row.ssm" "checksum mismatch (file is corrupt)"'
run "$S" predict -m wide.ssm "$D/movies_en.train.csv"
check "model: the intact file predicts the same texts" '[ $rc -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 600 ]'

# predict on an unreadable model fails before reading stdin: stdin is a fifo
# whose writer sends nothing; predict must be gone within 3 s
for m in m_flip.ssm m_trunc.ssm m_text.ssm no-such-model.ssm; do
    rm -f fifo
    mkfifo fifo
    sleep 30 >fifo &
    wpid=$!
    BGPIDS="$BGPIDS $wpid"
    "$S" predict -m "$m" <fifo >"$T/out" 2>"$T/err" &
    ppid=$!
    BGPIDS="$BGPIDS $ppid"
    exited_within "$ppid" 3
    kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
    check "predict -m $m: fails at once (exit 1) without waiting for stdin" '[ "$rc" = 1 ] && err_has "$m" && [ ! -s "$T/out" ]'
done
run "$S" train "$D/movies_en.train.csv" --resume m_flip.ssm -o out.ssm
check "train --resume a corrupt checkpoint: exit 1" 'data_err "m_flip.ssm" "" out.ssm'
run "$S" train "$D/movies_en.train.csv" --from m_trunc.ssm $SMALL -o out.ssm
check "train --from a truncated file: exit 1" 'data_err "m_trunc.ssm" "" out.ssm'

# ======================================================================
# options
# ======================================================================
while IFS='|' read -r want args; do
    # shellcheck disable=SC2086
    run "$S" $args
    check "option range: $args -> exit 2 naming $want" "usage_err '$want' && [ ! -e out.ssm ]"
done <<EOF
--maxlen|train $D/movies_en.train.csv -o out.ssm --maxlen 0
--batch|train $D/movies_en.train.csv -o out.ssm --batch -1
--lr|train $D/movies_en.train.csv -o out.ssm --lr nan
--lr|train $D/movies_en.train.csv -o out.ssm --lr -inf
--clip-norm|train $D/movies_en.train.csv -o out.ssm --clip-norm nan
--val-split|train $D/movies_en.train.csv -o out.ssm --val-split 1.5
--hidden|train $D/movies_en.train.csv -o out.ssm --hidden 99999999999999999999
--embed-dim|train $D/movies_en.train.csv -o out.ssm --embed-dim -4
--epochs|train $D/movies_en.train.csv -o out.ssm --epochs 0
--layers|train $D/movies_en.train.csv -o out.ssm --layers 0
--threads|train $D/movies_en.train.csv -o out.ssm --threads -2
--batch|predict -m en.ssm --batch 0
--batch|eval -m en.ssm --batch 1e9 $D/movies_en.test.csv
--maxlen|pad --maxlen -5
--min-count|vocab --text --min-count -1 $D/movies_en.train.csv
--max-size|vocab --text --max-size -1 $D/movies_en.train.csv
--embed-dim|embed --embed-dim 0 base.ssm v_ok.txt -o out.ssm
EOF

# absurd sizes are refused with an estimate, before allocating.
big_run "$S" train "$D/movies_en.train.csv" --hidden 4096 --layers 16 --maxlen 100000 --batch 65536 --threads 1 --quiet -o out.ssm
check "train --hidden 4096 --layers 16 --maxlen 100000 --batch 65536: exit 1 with a memory estimate, no file" \
    'data_err "memory" "GiB" out.ssm'
big_run "$S" train "$D/movies_en.train.csv" --embed-dim 4096 --hidden 4096 --layers 16 --max-size 1000000 --maxlen 50000 --threads 1 --quiet -o out.ssm
check "train --embed-dim 4096 --hidden 4096 --layers 16 --maxlen 50000: exit 1 with a memory estimate" \
    'data_err "memory" "GiB" out.ssm'

# ======================================================================
# nothing lost
# ======================================================================
cp en.ssm existing.ssm
run "$S" train unbal.csv $SMALL -o existing.ssm
check "train fails on bad input: the existing -o model is untouched" '[ $rc -eq 1 ] && cmp -s existing.ssm keep.ssm'
run "$S" train "$D/movies_en.train.csv" --hidden 4096 --layers 16 --maxlen 100000 --batch 65536 -o existing.ssm
check "train refused for memory: the existing -o model is untouched" '[ $rc -eq 1 ] && cmp -s existing.ssm keep.ssm'
run "$S" embed base.ssm v_nan.txt -o existing.ssm
check "embed fails on bad vectors: the existing -o file is untouched" '[ $rc -eq 1 ] && cmp -s existing.ssm keep.ssm'
run "$S" train "$D/movies_en.train.csv" --embed v_row.txt $SMALL -o existing.ssm
check "train --embed fails on bad vectors: the existing -o model is untouched" '[ $rc -eq 1 ] && cmp -s existing.ssm keep.ssm'
run "$S" train "$D/movies_en.train.csv" $SMALL -o no-such-dir/out.ssm
check "train -o into a missing directory: exit 1 naming it" '[ $rc -eq 1 ] && err_has "no-such-dir/out.ssm"'
run "$S" vocab "$D/movies_en.train.csv" -o "$T"
check "vocab -o a directory: exit 1, the directory is untouched" '[ $rc -eq 1 ] && [ -d "$T" ]'
check "no temp files left after the failures above" 'no_tmp_left .'

# outputs that are devices are written in place, never replaced by a file
if [ -c /dev/null ] && [ -c /dev/full ]; then
    run "$S" train "$D/movies_en.train.csv" --embed-dim 4 --hidden 4 --epochs 1 --quiet -o /dev/null
    check "train -o /dev/null: exit 0 and /dev/null is still a device" '[ $rc -eq 0 ] && [ -c /dev/null ]'
    run "$S" train "$D/movies_en.train.csv" --embed-dim 4 --hidden 4 --epochs 1 --quiet -o /dev/full
    check "train -o /dev/full: exit 1 (no space), /dev/full is still a device" '[ $rc -eq 1 ] && err_has "/dev/full" && [ -c /dev/full ]'
fi

# training that diverges stops with a message and keeps the last good weights
# (those of the last step whose loss was finite, after its update: with a
# bag beside the summary, the same run's kept weights overflow in the
# forward pass, so the bag is off here)
cp en.ssm div.ssm
run "$S" train "$D/movies_en.train.csv" --embed-dim 8 --hidden 8 --layers 1 --maxlen 20 --threads 1 --quiet \
    --cell rnn --optimizer sgd --lr 10 --momentum 0.99 --dense 64 --batch 4 --epochs 20 --bag 0 -o div.ssm
if [ $rc -eq 2 ] && grep -q "cell\|optimizer\|dense\|momentum" "$T/err"; then
    skip "divergence (this build has no --cell/--optimizer/--momentum/--dense)"
else
    check "train diverging (NaN loss): exit 1, 'diverged', the -o file holds the last good weights" \
        '[ $rc -eq 1 ] && err_has "diverged" && "$S" info div.ssm >div.json && grep -q "\"state\"" div.json && ! cmp -s div.ssm keep.ssm'
    run "$S" predict -m div.ssm "$D/reviews_en.txt"
    check "the model kept after divergence predicts (finite probabilities)" \
        '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 8 ] && ! grep -qi "nan" "$T/out"'
fi

# ======================================================================
# signals: SIGINT / SIGTERM checkpoint, --resume reaches the same model
# ======================================================================
SIG="--keras --embed-dim 16 --hidden 16 --layers 1 --maxlen 20 --batch 8 --epochs 40 --seed 7 --threads 1"
run "$S" train "$D/movies_en.train.csv" $SIG --quiet -o full.ssm
check "signals: the uninterrupted reference run" '[ $rc -eq 0 ] && [ -s full.ssm ]'

# interrupt SIGNAL EPOCH OUT [train options...]: start training to OUT, send
# SIGNAL once "epoch EPOCH/" is on stderr; rc = exit status, stderr in $T/err
interrupt() {
    _sig=$1; _ep=$2; _out=$3; shift 3
    "$S" train "$D/movies_en.train.csv" "$@" -o "$_out" >"$T/out" 2>"$_out.err" &
    tpid=$!
    BGPIDS="$BGPIDS $tpid"
    if wait_for "$_out.err" "epoch $_ep/" 60; then
        kill -"$_sig" "$tpid"
        exited_within "$tpid" 60
    else
        kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; rc=no-epoch-line
    fi
    cp "$_out.err" "$T/err"
}

cp en.ssm ck.ssm
interrupt INT 2 ck.ssm $SIG
check "SIGINT during training: exit 130, 'interrupted', checkpoint written to -o" \
    '[ "$rc" = 130 ] && err_has "interrupted" && err_has "resume"'
run "$S" info --tensors ck.ssm
check "the SIGINT checkpoint is a valid model with optimizer state and position" \
    '[ $rc -eq 0 ] && out_has "\"state\"" && out_has "adam.m." && out_has "\"pos\""'
run "$S" predict -m ck.ssm "$D/reviews_en.txt"
check "the SIGINT checkpoint predicts" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 8 ]'
run "$S" train "$D/movies_en.train.csv" --resume ck.ssm --threads 1 --quiet
check "train --resume finishes the run (exit 0)" '[ $rc -eq 0 ]'
run cmp ck.ssm full.ssm
check "train --resume gives a file byte-identical to the uninterrupted run (same seed, --threads 1)" '[ $rc -eq 0 ]'

rm -f ck2.ssm
interrupt TERM 1 ck2.ssm $SIG
check "SIGTERM during training: exit 143, checkpoint written" '[ "$rc" = 143 ] && err_has "interrupted" && "$S" info ck2.ssm >/dev/null'
run "$S" train "$D/movies_en.train.csv" --resume ck2.ssm -o ck2_done.ssm --threads 1 --quiet
check "train --resume ck2.ssm -o another file: byte-identical to the uninterrupted run" '[ $rc -eq 0 ] && cmp -s ck2_done.ssm full.ssm'
# the same with a moving average of the weights (--ema, part of the checkpoint)
# and --word-dropout (drawn from seed and step)
run "$S" train "$D/movies_en.train.csv" $SIG --ema 0.9 --word-dropout 0.2 --quiet -o full_ema.ssm
check "signals, --ema: the uninterrupted reference run" '[ $rc -eq 0 ] && [ -s full_ema.ssm ] && ! cmp -s full_ema.ssm full.ssm'
rm -f ck3.ssm
interrupt TERM 2 ck3.ssm $SIG --ema 0.9 --word-dropout 0.2
check "SIGTERM during training with --ema: exit 143, checkpoint written" '[ "$rc" = 143 ] && err_has "interrupted"'
run "$S" info --tensors ck3.ssm
check "the --ema checkpoint holds the averaged weights (ema.* tensors)" '[ $rc -eq 0 ] && out_has "\"ema\.lstm\.0\.W\""'
run "$S" train "$D/movies_en.train.csv" --resume ck3.ssm -o ck3_done.ssm --threads 1 --quiet
check "train --resume with --ema and --word-dropout: byte-identical to the uninterrupted run" '[ $rc -eq 0 ] && cmp -s ck3_done.ssm full_ema.ssm'
# early stopping (train's defaults: a validation split, patience 3): a
# checkpoint written after the best epoch holds its weights, which the
# resumed run keeps at the end.  The run is interrupted in the epoch after
# the one that follows the best (the uninterrupted run's history says which).
# (--no-word2vec: the run must overfit early, best epoch 3 of 6; with the
# word2vec embedding, the default since, it was still improving at its
# 14th epoch and the test skipped)
ES="--embed-dim 64 --hidden 96 --maxlen 20 --batch 8 --seed 7 --threads 1 --no-word2vec"
# after_best NAME LAG WHAT CKCHECK CKMSG RESUMEMSG [train options...]: the
# uninterrupted run to full_NAME.ssm, the same run interrupted (SIGINT) once
# "epoch BEST+LAG/" is printed, CKCHECK on its checkpoint, then resumed: the
# uninterrupted run's bytes.  WHAT names the case in the skip.
after_best() {
    _ab=$1 _lag=$2 _what=$3 _ckcheck=$4 _ckmsg=$5 _remsg=$6; shift 6
    run "$S" train "$D/movies_en.train.csv" "$@" --quiet -o "full_$_ab.ssm"
    best=$("$S" info "full_$_ab.ssm" | sed -n 's/.*"best_epoch":[^0-9]*\([0-9]*\).*/\1/p')
    rm -f "ck_$_ab.ssm"
    interrupt INT "$((best + _lag))" "ck_$_ab.ssm" "$@"
    if [ "$rc" = 0 ]; then
        skip "$_what + SIGINT: the run ended before the signal (a fast machine)"
        return
    fi
    check "$_ckmsg" '[ "$rc" = 130 ] && '"$_ckcheck"
    run "$S" train "$D/movies_en.train.csv" --resume "ck_$_ab.ssm" --threads 1 --quiet
    check "$_remsg (best epoch $best kept)" '[ $rc -eq 0 ] && cmp -s "ck_$_ab.ssm" "full_$_ab.ssm"'
}
after_best es 1 "early stopping" '"$S" info --tensors "ck_$_ab.ssm" | grep -q "\"best\."' \
    "SIGINT after the best epoch: exit 130, the checkpoint holds the best weights (best.*)" \
    "early stopping, interrupted after the best epoch and resumed: the uninterrupted run's bytes" $ES
# the same monitoring accuracy: the checkpoint carries the best accuracy so far
# (interrupted in the epoch after the best, of up to 30: patience 3 leaves it time;
# the plain half only: the sanitizer half has run the same code above)
[ -z "$QUICK" ] && after_best acc 0 "early stopping on accuracy" '"$S" info "ck_$_ab.ssm" | grep -q "best_val_score"' \
    "SIGINT after the best epoch (--monitor accuracy): the checkpoint records the best accuracy" \
    "--monitor accuracy, interrupted after the best epoch and resumed: the uninterrupted run's bytes" \
    $ES --monitor accuracy --epochs 30
check "no temp files left after interrupted and resumed runs" 'no_tmp_left .'

# ======================================================================
# pipes
# ======================================================================
i=0; cp "$D/reviews_en.txt" long.txt
while [ $i -lt 11 ]; do cat long.txt long.txt >long2.txt; mv long2.txt long.txt; i=$((i + 1)); done
{ "$S" predict -m en.ssm long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "predict FILE | head -1 ($(lines long.txt) lines): one line, quiet, exit 0" \
    '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'
{ "$S" predict -m en.ssm --threads 2 --batch 5 <long.txt 2>"$T/err"; echo $? >head_rc.txt; } | head -n 1 >"$T/out"
rc=$(cat head_rc.txt)
check "predict --threads 2 <stdin | head -1: quiet, exit 0" '[ "$(lines "$T/out")" -eq 1 ] && [ ! -s "$T/err" ] && [ "$rc" -eq 0 ]'
head -n 1000 long.txt >k1.txt
run "$S" predict -m en.ssm --threads 1 k1.txt; cp "$T/out" p1.txt
run "$S" predict -m en.ssm --threads 2 --batch 7 k1.txt
check "predict --threads 2 --batch 7: 1000 lines, same labels in the same order" \
    '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 1000 ] && [ "$(cut -f1 "$T/out" | cksum)" = "$(cut -f1 p1.txt | cksum)" ]'

check "no temp files left at the end" 'no_tmp_left .'

finish
