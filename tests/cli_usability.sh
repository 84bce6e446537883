#!/bin/sh
# tests/cli_usability.sh - issue 13, points 10 and 11: the default Chinese
# dictionary (jieba's dict.txt, said on stderr; without it a note), --dict
# jieba|none, --t2s (OpenCC), and train --help grouped by topic and wrapped
# to the terminal width.
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-usability . tests/harness.sh

NET="--hidden 4 --layers 1 --embed-dim 4 --maxlen 12 --epochs 1 --threads 1"
printf 'label,text\n1,房间很干净服务员热情\n0,房间太脏了隔音很差\n1,位置方便早餐不错\n0,服务态度很差不会再来\n' >zh.csv
printf 'label,text\n1,good film\n0,bad film\n' >en.csv
# a small stand-in for jieba's dict.txt (SEQSENT_JIEBA_DICT), so that these
# runs do not depend on the installed package; the real one is tried below
printf '房间 100\n干净 50\n服务员 40\n热情 30\n隔音 20\n位置 20\n方便 20\n早餐 20\n不错 20\n服务 30\n态度 20\n' >jd.txt
JD=$(pwd)/jd.txt

# ---- point 10: the default dictionary ----
SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET -o zh.ssm
check "Chinese data, no dictionary given: jieba's dict.txt, named with its path and size" \
    '[ $rc -eq 0 ] && err_has "dictionary jieba ($JD, 11 words)" && ! err_has "no dictionary"'
run "$S" info zh.ssm
check "... and it travels in the model file" '[ $rc -eq 0 ] && out_has "jieba ($JD, 11 words)"'
printf '房间很干净\n' >zh1.txt
run "$S" tokenize -m zh.ssm zh1.txt
check "... predict/tokenize -m segment with it (no dictionary file needed)" '[ $rc -eq 0 ] && out_is "房间 很 干净"'
SEQSENT_JIEBA_DICT= run "$S" train zh.csv $NET -o nodict.ssm
check "without python3-jieba: one token per character, and a note saying so and how to fix it" \
    '[ $rc -eq 0 ] && err_has "train: no dictionary: Chinese cut into single characters; install python3-jieba or pass --dict" && err_has "dictionary none"'
SEQSENT_JIEBA_DICT= run "$S" train zh.csv $NET --quiet -o nodictq.ssm
check "... --quiet: no note" '[ $rc -eq 0 ] && [ ! -s "$T/err" ]'
SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET --dict none -o none.ssm
check "--dict none: one token per character, no note" \
    '[ $rc -eq 0 ] && err_has "dictionary none" && ! err_has "no dictionary:" && ! err_has jieba'
SEQSENT_JIEBA_DICT=$JD run "$S" tokenize -m none.ssm zh1.txt
check "... kept in the model" '[ $rc -eq 0 ] && out_is "房 间 很 干 净"'
# vectors trained on jieba's cut: it, not their own words, cuts the text
printf '3 4\n房间很 0.1 0.2 0.3 0.4\n干净 0.5 0.1 0.2 0.3\n服务 0.2 0.2 0.2 0.2\n' >vec.txt
SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET --embed-dim 4 --embed vec.txt -o zhvec.ssm
check "train --embed on Chinese data: still jieba's dictionary (the cut the vectors were trained on)" \
    '[ $rc -eq 0 ] && err_has "dictionary jieba ($JD, 11 words)" && ! err_has "vectors:"'
run "$S" tokenize -m zhvec.ssm zh1.txt
check "... in the model: 房间 很 干净, not the vectors' 房间很 干净" '[ $rc -eq 0 ] && out_is "房间 很 干净"'
SEQSENT_JIEBA_DICT= run "$S" train zh.csv $NET --embed-dim 4 --embed vec.txt --quiet -o zhvec2.ssm
run "$S" tokenize -m zhvec2.ssm zh1.txt
check "... without python3-jieba: the vectors' words, no note" '[ $rc -eq 0 ] && out_is "房间很 干净"'
SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET --embed-dim 4 --embed vec.txt --dict-vectors vec.txt --quiet -o zhvec3.ssm
run "$S" tokenize -m zhvec3.ssm zh1.txt
check "... --dict-vectors: the vectors' words" '[ $rc -eq 0 ] && out_is "房间很 干净"'
SEQSENT_JIEBA_DICT=$JD run "$S" train en.csv $NET -o en.ssm
check "English data: no dictionary and no note" '[ $rc -eq 0 ] && err_has "dictionary none" && ! err_has "no dictionary:"'
SEQSENT_JIEBA_DICT=$JD run "$S" vocab zh.csv -o v.ssm
check "vocab: the same default, said on its summary line" '[ $rc -eq 0 ] && err_has "dictionary jieba ($JD"'
SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET --lang en -o lang_en.ssm
check "--lang en: no dictionary" '[ $rc -eq 0 ] && err_has "dictionary none"'
SEQSENT_JIEBA_DICT=$JD run "$S" tokenize --dict jieba zh1.txt
check "--dict jieba selects it by name" '[ $rc -eq 0 ] && out_is "房间 很 干净"'
SEQSENT_JIEBA_DICT= run "$S" train zh.csv $NET --dict jieba -o nojieba.ssm
check "--dict jieba without the package: exit 1 saying what to install, no model" \
    '[ $rc -eq 1 ] && err_has "python3-jieba" && [ ! -e nojieba.ssm ]'
printf 'good\nfine\n房间很干净\n' >mixed.txt
SEQSENT_JIEBA_DICT=$JD run "$S" tokenize mixed.txt
check "tokenize: the default dictionary from the first Chinese text on, said on stderr" \
    '[ $rc -eq 0 ] && [ "$(sed -n 3p "$T/out")" = "房间 很 干净" ] && err_has "tokenize: dictionary jieba ($JD"'
SEQSENT_JIEBA_DICT=$JD run "$S" tokenize --dict none mixed.txt
check "tokenize --dict none: characters" '[ $rc -eq 0 ] && [ "$(sed -n 3p "$T/out")" = "房 间 很 干 净" ] && [ ! -s "$T/err" ]'
SYS_JIEBA=$(ls /usr/lib/python3/dist-packages/jieba/dict.txt 2>/dev/null)
if [ -n "$SYS_JIEBA" ]; then
    run env -u SEQSENT_JIEBA_DICT "$S" tokenize --dict jieba zh1.txt
    check "the installed python3-jieba dict.txt is found" '[ $rc -eq 0 ] && out_is "房间 很 干净"'
    run env -u SEQSENT_JIEBA_DICT "$S" vocab zh.csv --text -o words.txt
    check "... and is the default, with its word count" '[ $rc -eq 0 ] && err_has "dictionary jieba ($SYS_JIEBA, [0-9]* words)"'
else
    skip "python3-jieba not installed (scripts/install-deps.sh installs it)"
fi

# ---- point 10: traditional Chinese (--t2s, OpenCC) ----
printf '這家飯店的房間很乾淨\n' >trad.txt
printf '这家饭店的房间很干净\n' >simp.txt
if "$S" tokenize --t2s </dev/null >/dev/null 2>t2s.err; then
    SEQSENT_JIEBA_DICT=$JD run "$S" tokenize --t2s trad.txt
    cp "$T/out" trad.tok
    SEQSENT_JIEBA_DICT=$JD run "$S" tokenize simp.txt
    check "--t2s: traditional text is segmented as its simplified form" '[ $rc -eq 0 ] && cmp -s "$T/out" trad.tok && grep -q "房间 很 干净" trad.tok'
    SEQSENT_JIEBA_DICT=$JD run "$S" train zh.csv $NET --t2s -o t2s.ssm
    check "train --t2s" '[ $rc -eq 0 ]'
    run "$S" info t2s.ssm
    check "... stored in the model's tokenizer settings" 'out_has "\"t2s\":[[:space:]]*true"'
    run "$S" predict -m t2s.ssm trad.txt; cp "$T/out" p_trad.txt
    run "$S" predict -m t2s.ssm simp.txt
    check "... predict converts the same way: traditional and simplified give the same probability" \
        '[ $rc -eq 0 ] && [ -s p_trad.txt ] && cmp -s "$T/out" p_trad.txt'
    run "$S" info zh.ssm
    check "a model without --t2s has no t2s setting (older files unchanged)" '! out_has t2s'
else
    run "$S" tokenize --t2s trad.txt
    check "--t2s without OpenCC built in: a one-line error saying how to get it" \
        '[ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && err_has "libopencc-dev"'
fi

# ---- point 11: train --help by topic, wrapped to the terminal ----
COLUMNS=80 run "$S" train --help
check "train --help: groups in order (data & vocabulary, network, training, validation & checkpoints, output)" \
    '[ $rc -eq 0 ] && [ "$(grep -E "^  [A-Z][A-Za-z &]*:$" "$T/out" | tr "\n" "|")" = "  Data & vocabulary:|  Network:|  Training:|  Validation & checkpoints:|  Output:|" ]'
check "... each option under its topic" \
    '[ "$(awk "/^  Network:/{g=1} /^  Training:/{g=0} g && /--hidden /{print \"y\"}" "$T/out")" = y ] &&
     [ "$(awk "/^  Output:/{g=1} g && /--plot /{print \"y\"}" "$T/out")" = y ]'
check "... wrapped to 80 columns" '[ "$(awk "length > 80" "$T/out" | grep -c .)" = 0 ]'
wide80=$(grep -c . "$T/out")
COLUMNS=60 run "$S" train --help
check "COLUMNS=60: no option line wider than 60, nothing lost" \
    '[ "$(awk "/^Options:/{f=1} f && length > 60 && !/^      *--[a-z-]* [^ ]*  /" "$T/out" | grep -c .)" = 0 ] &&
     [ "$(grep -c . "$T/out")" -gt "$wide80" ] && [ "$(tr -s " \n" "  " <"$T/out" | grep -c "stop when validation loss (or --monitor accuracy) has not improved for N epochs")" = 1 ]'
COLUMNS=250 run "$S" train --help
check "COLUMNS=250: one line per option" '[ "$(grep -c "^         *[a-z(]" "$T/out")" = 0 ]'
run env -u COLUMNS "$S" train --help
check "not a terminal, no COLUMNS: 80" '[ "$(awk "length > 80" "$T/out" | grep -c .)" = 0 ]'
run "$S" distill --help
check "distill shares the groups, its own options first" \
    '[ $rc -eq 0 ] && [ "$(grep -E "^  [A-Z][A-Za-z &]*:$" "$T/out" | head -2 | tr "\n" "|")" = "  Distillation:|  Data & vocabulary:|" ]'
run "$S" train en.csv --Network: x
check "a group heading is not an option" '[ $rc -eq 2 ] && err_has "unknown option"'
run "$S" train en.csv --hiden 4 -o x.ssm
check "did-you-mean still sees the grouped options" '[ $rc -eq 2 ] && err_has "did you mean .--hidden"'

finish
