#!/bin/sh
# tests/cli_conformance.sh - `seqsent pad` against what Keras' own tests
# check of pad_sequences: padding and truncating pre/post, the padding
# value, maxlen given or taken from the longest sequence, empty sequences.
# The cases are ours, written from what those tests check (no file copied).
# (The CSV reader's csv-spectrum and CPython test_csv cases are in
# tests/test_csv.c, the word2vec formats gensim loads in tests/test_vectors.c.)
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-conformance . tests/harness.sh

# the sequences [[1], [1, 2], [1, 2, 3]], one per line
printf '1\n1 2\n1 2 3\n' >a.txt
# pad_case DESC EXPECTED(rows joined by '|') OPTIONS...
pad_case() {
    _d=$1 _want=$2; shift 2
    run "$S" pad "$@" a.txt
    _got=$(tr '\n' '|' <"$T/out" | sed 's/|$//')
    why="got '$_got', want '$_want'"
    check "pad_sequences $_d" '[ $rc -eq 0 ] && [ "$_got" = "$_want" ]'
}
pad_case "maxlen=3 padding=pre"             "0 0 1|0 1 2|1 2 3" --maxlen 3 --padding pre
pad_case "maxlen=3 padding=post"            "1 0 0|1 2 0|1 2 3" --maxlen 3 --padding post
pad_case "maxlen=2 truncating=pre"          "0 1|1 2|2 3"       --maxlen 2 --truncating pre
pad_case "maxlen=2 truncating=post"         "0 1|1 2|1 2"       --maxlen 2 --truncating post
pad_case "maxlen=3 value=1"                 "1 1 1|1 1 2|1 2 3" --maxlen 3 --value 1
pad_case "defaults (pre, pre, value 0; maxlen = the longest)" "0 0 1|0 1 2|1 2 3"
pad_case "maxlen=2 padding=post truncating=pre" "1 0|1 2|2 3"   --maxlen 2 --padding post --truncating pre
pad_case "maxlen=2 padding=post truncating=post" "1 0|1 2|1 2"  --maxlen 2 --padding post --truncating post
pad_case "value=-1 padding=post"            "1 -1 -1|1 2 -1|1 2 3" --maxlen 3 --padding post --value -1
pad_case "maxlen=5: all padded"             "0 0 0 0 1|0 0 0 1 2|0 0 1 2 3" --maxlen 5
pad_case "maxlen=1 truncating=pre keeps the last" "1|2|3"       --maxlen 1
pad_case "maxlen=1 truncating=post keeps the first" "1|1|1"     --maxlen 1 --truncating post
# an empty sequence is all padding
printf '\n4 5\n' >e.txt
run "$S" pad --maxlen 2 e.txt
check "pad_sequences: an empty sequence is all padding" '[ $rc -eq 0 ] && [ "$(tr "\n" "|" <"$T/out")" = "0 0|4 5|" ]'
finish
