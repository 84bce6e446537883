#!/bin/sh
# tests/cli_nn.sh - `seqsent nn` and `seqsent analogies` over a word2vec
# file (text, gzip'd, binary) and a model's embedding, and `seqsent encode`:
# known geometry gives known answers; unknown words and malformed queries.
CLI_NAME=nn . tests/harness.sh

# five 2-d vectors: a=(1,0) b=(0,1) c=(1,1) d=(-1,0) e=(0.9,0.1)
printf '5 2\na 1 0\nb 0 1\nc 1 1\nd -1 0\ne 0.9 0.1\n' >v.txt
run "$S" nn v.txt a -k 2
check "nn: the two nearest to a, best first, with their cosines" '[ "$(cat "$T/out")" = "$(printf "a\te\t0.993884\na\tc\t0.707107")" ]'
run "$S" nn v.txt a
check "nn: at most the other 4 words (the query excluded)" '[ "$(lines "$T/out")" = 4 ] && ! grep -q "^a	a	" "$T/out"'
run "$S" analogies v.txt a b e -k 1
# b - a + e = (-0.1, 1.1) (unit vectors): nearest among c, d: c
check "analogies: a:b :: e:? is c (a, b, e excluded)" '[ "$(cut -f1,2 "$T/out")" = "$(printf "a b e\tc")" ]'
printf 'a\n\nxyz\nd\n' >q.txt
run_in q.txt "$S" nn v.txt -k 1
check "nn from stdin: one answer per known word, unknown ones reported, exit 0" '[ "$rc" = 0 ] && [ "$(cut -f1,2 "$T/out" | tr "\t\n" ":,")" = "a:e,d:b," ] && err_has "xyz. has no vector"'
run "$S" nn v.txt xyz
check "an unknown word on the command line: exit 1" '[ "$rc" = 1 ] && err_has "xyz. has no vector"'
run "$S" analogies v.txt a b
check "analogies: words not in threes: usage error" 'usage_err "three words each"'
printf 'a b\n' >bad.txt
run_in bad.txt "$S" analogies v.txt
check "analogies from stdin: a line without three words is skipped with a message" '[ "$rc" = 0 ] && err_has "expected three words"'
gzip -c v.txt >v.txt.gz
run "$S" nn v.txt.gz a -k 2
check "gzip'd vectors: the same answers" '[ "$(cut -f2 "$T/out" | tr "\n" ,)" = "e,c," ]'
cp -r "$D" data
go "vectors binary" "$S" vectors data/reviews_en.txt --dim 8 --min-count 1 --epochs 2 --binary --quiet -o vb.bin
run "$S" nn vb.bin the -k 3
check "binary vectors: 3 answers" '[ "$rc" = 0 ] && [ "$(lines "$T/out")" = 3 ]'
run "$S" nn missing.txt a
check "a missing file: exit 1 naming it" '[ "$rc" = 1 ] && err_has "missing.txt"'

# a model's embedding
go "embed" "$S" vocab data/hotel_zh.train.csv --dict-vectors data/zh_vectors.txt -o base.ssm
run "$S" nn base.ssm 酒店
check "a vocabulary without vectors: exit 1, says what to give" '[ "$rc" = 1 ] && err_has "without vectors"'
go "embed vectors" "$S" embed base.ssm data/zh_vectors.txt --quiet -o emb.ssm
run "$S" nn emb.ssm 酒店 -k 3
"$S" nn data/zh_vectors.txt 酒店 -k 1000 >direct.txt 2>/dev/null
# the model holds the vectors of its vocabulary's words only: each of its
# answers is in the file's full list with the same cosine
check "a model's embedding: 3 answers, each with the vectors' own cosine" '[ "$rc" = 0 ] && [ "$(lines "$T/out")" = 3 ] && [ -z "$(grep -vxFf direct.txt "$T/out")" ]'

finish
