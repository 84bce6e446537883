#!/bin/sh
# tests/cli_exclude.sh - `--exclude FILE`: texts never learnt from (a test
# set's), in every command that learns from text (train, distill,
# pretrain, vectors, vocab).
#   - a row whose text is also in FILE (leading/trailing white space aside)
#     is left out, counted on stderr, and recorded in the model;
#   - so is a near copy: the same letters and digits (other spaces,
#     punctuation, case, full-width forms), or the same first 40 of them
#     (a copy cut short); a text sharing fewer is kept;
#   - leaving rows out is the same as training on a file without them: the
#     same bits (train, vectors);
#   - FILE is read by its own name's format: a CSV test set beside a corpus
#     of plain lines;
#   - distill leaves them out of its unlabelled text and its labelled rows;
#   - --resume with other rows (another --exclude) is refused;
#   - errors: a missing FILE (exit 1, named), too many files (exit 2).
CLI_NAME=exclude CLI_TIMEOUT=120 . tests/harness.sh

ET="$D/movies_en.test.csv"
# The bundled training file holds two near copies of test rows ("Skip it!"
# for "Skip it", "... lines..." for "... lines!"): the base here is the
# file without them, and the first check that they are found.
E=base.csv
grep -v -x -e '0,Skip it!' -e '0,There are a lot of awkward lines\.\.\.' "$D/movies_en.train.csv" >"$E"
go "vocab --exclude, the bundled training file" "$S" vocab "$D/movies_en.train.csv" --text --exclude "$ET" -o bundled.tsv
check "its 2 near copies of test rows found" "err_has 'movies_en.train.csv: 2 of $(($(grep -c '^[01],' "$E") + 2)) texts left out: .*2 of them near copies'"
NET="--hidden 8 --maxlen 16 --epochs 2 --batch 16 --word2vec --embed-dim 16"

# A training file holding 12 test rows: 4 as they are, 4 with blanks around
# the text, 4 with the other label (a leak whatever the label says).  The
# test rows taken are ones without quotes, so that sed can edit them.
sed 1d "$ET" | grep -v '"' >simple.csv
{
    cat "$E"
    sed -n 1,4p simple.csv
    sed -n 5,8p simple.csv | sed 's/^\([01]\),\(.*\)$/\1,  \2 /'
    sed -n 9,12p simple.csv | sed 's/^0,/x,/; s/^1,/0,/; s/^x,/1,/'
} >leaky.csv
rows=$(grep -c '^[01],' "$E")   # CSV rows (a quoted text may span lines)

go "train --exclude" "$S" train leaky.csv $NET --exclude "$ET" -o ex.ssm
check "train: 12 rows left out, said on stderr" "err_has 'leaky.csv: 12 of $((rows + 12)) texts left out: also in $ET (--exclude)'"
run "$S" info ex.ssm
check "train: the model records the files and the count" 'out_has "\"excluded\"" && out_has "\"texts\":[^,]*12"'
go "train on the file without them" "$S" train "$E" $NET -o plain.ssm
"$S" predict -m ex.ssm "$ET" >p.ex 2>/dev/null
"$S" predict -m plain.ssm "$ET" >p.plain 2>/dev/null
check "train --exclude = training on the file without the rows: the same predictions" 'cmp -s p.ex p.plain && [ -s p.ex ]'
go "train without --exclude" "$S" train leaky.csv $NET -o leak.ssm
run "$S" info leak.ssm
check "train: no record without --exclude" '! out_has "\"excluded\""'

# near copies of test rows (vocab: the quickest command that leaves texts
# out): spaces, punctuation and case changed; full-width letters; cut short
# after 40+ letters; and a text sharing its first 25 characters only (kept)
sed 1d "$ET" | cut -d, -f2- | awk 'length($0) > 60' | grep -v '"' | sed -n 1,4p >long.txt
[ "$(lines long.txt)" = 4 ] || echo "# tests/data: fewer long test rows than this test needs"
{
    echo "text"
    sed -n 1p long.txt | tr 'a-z' 'A-Z' | sed 's/[.!,]/ ; /g; s/ /  /g'
    sed -n 2p long.txt | sed 's/^\(.\)\(.\)/\xef\xbc\xa1\1 - \2/; s/^\xef\xbc\xa1//' | sed 's/^T/\xef\xbc\xb4/'
    sed -n 3p long.txt | cut -c1-55
    sed -n 4p long.txt | cut -c1-25 | sed 's/$/ but nothing else of the test row at all here/'
} >near.csv
go "vocab --exclude, near copies" "$S" vocab near.csv --text --exclude "$ET" -o near.tsv
check "near copies: 3 of 4 left out, said so" "err_has 'near.csv: 3 of 4 texts left out: also in $ET (--exclude; 3 of them near copies: the same letters and digits, or cut short)'"
check "the text sharing 25 characters is kept" 'grep -q "^altogether\|^nothing$TAB" near.tsv'

# a corpus of plain lines, the test set a CSV: each read as its name says
{ cut -d, -f2- "$E" | sed 1d; cut -d, -f2- simple.csv | head -30; } >corpus.txt
cut -d, -f2- "$E" | sed 1d >clean.txt
go "vectors --exclude" "$S" vectors corpus.txt --dim 8 --epochs 1 --min-count 1 --exclude "$ET" -o ex.vec
check "vectors: 30 lines left out" "err_has \"corpus.txt: 30 of $(($(lines clean.txt) + 30)) texts left out\""
go "vectors on the clean corpus" "$S" vectors clean.txt --dim 8 --epochs 1 --min-count 1 -o clean.vec
check "vectors --exclude = vectors of the corpus without the lines: the same file" 'cmp -s ex.vec clean.vec'
go "vocab --exclude" "$S" vocab corpus.txt --text --exclude "$ET" -o ex.tsv
go "vocab of the clean corpus" "$S" vocab clean.txt --text -o clean.tsv
check "vocab --exclude = the clean corpus's vocabulary" 'cmp -s ex.tsv clean.tsv'

go "pretrain --exclude" "$S" pretrain corpus.txt --hidden 8 --embed-dim 8 --epochs 1 --samples 16 --exclude "$ET" --quiet -o lm.ssm
check "pretrain: 30 lines left out" "err_has 'corpus.txt: 30 of'"
run "$S" info lm.ssm
check "pretrain: the model records them" 'out_has "\"texts\":[^,]*30"'

go "teacher" "$S" train "$E" $NET --quiet -o t.ssm
go "distill --exclude" "$S" distill t.ssm corpus.txt --labelled leaky.csv $NET --exclude "$ET" -o st.ssm
check "distill: left out of the unlabelled text" "err_has 'corpus.txt: 30 of'"
check "distill: and of the labelled rows" "err_has 'leaky.csv: 12 of'"
check "distill: counts what is left" "err_has '$(lines clean.txt) unlabelled texts, $rows labelled rows'"
run "$S" info st.ssm
check "distill: the student records 42 left out" 'out_has "\"texts\":[^,]*42"'

# --resume goes on over the checkpoint's rows, not others
go "checkpoint" "$S" train leaky.csv $NET --epochs 1 --save-every 1 --quiet -o ck.ssm
run "$S" train leaky.csv --resume ck.ssm --epochs 2 --exclude "$ET" -o ck2.ssm
check "resume with other rows: refused (exit 1), says why" '[ "$rc" -eq 1 ] && err_has "trained on .* rows, leaky.csv gives" && [ ! -e ck2.ssm ]'

run "$S" train leaky.csv $NET --exclude nope.csv -o x.ssm
check "a missing --exclude file: exit 1, named" '[ "$rc" -eq 1 ] && err_has "nope.csv" && [ ! -e x.ssm ]'
set -- ; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do set -- "$@" --exclude "$ET"; done
run "$S" vocab corpus.txt --text "$@"
check "17 --exclude files: a usage error (exit 2)" '[ "$rc" -eq 2 ] && err_has "at most 16"'

finish
