#!/bin/sh
# tests/cli_distill.sh - `seqsent distill`: a student trained on a teacher's
# probabilities.
#   - from an ensemble teacher, on unlabelled text plus labelled rows; the
#     file records the teacher and the temperature;
#   - the student's labels are the teacher's, in its order, even when the
#     text makes the teacher decide only some of them;
#   - at temperature 1 with weight 1 on the labels, distilling on a labelled
#     file is training on it: the same predictions, bit for bit;
#   - the same bits on 1, 2 and 3 threads;
#   - errors: no teacher / no text, a language model or a vocabulary as
#     teacher, a labelled row with a label the teacher lacks.
CLI_NAME=distill CLI_TIMEOUT=120 . tests/harness.sh

cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
ZT="$D/hotel_zh.test.csv"
NET="--hidden 12 --maxlen 24 --epochs 2 --batch 16"

for s in 1 2; do go "teacher $s" "$S" train "$Z" $NET --seed $s --quiet -o t$s.ssm; done
go ensemble "$S" ensemble --quiet t1.ssm t2.ssm -o ens.ssm
go distill "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" --cell gru --bidirectional $NET --val-split 0.1 -o st.ssm
check "distill: counts its unlabelled and labelled rows" 'err_has "8 unlabelled texts, 600 labelled rows"'
check "distill: validation scores the teacher's decisions" 'grep -q "val_acc" "$T/err"'
run "$S" info st.ssm
check "student: records teacher and temperature (default 2)" 'out_has "\"teacher\":[^,]*\"ens.ssm\"" && out_has "\"temperature\":[^,]*2"'
check "student: a bidirectional GRU as asked" 'out_has "\"cell\":[^,]*\"gru\"" && out_has "\"bidirectional\":[^,]*true"'
go "eval student" "$S" eval -m st.ssm "$ZT"

# the teacher's labels even when the text only shows some of them
M3="$D/tweets3.train.csv"
go "3-class teacher" "$S" train "$M3" $NET --quiet -o t3.ssm
printf 'great great great\nawful awful\n' >two.txt
go "distill on 2 lines" "$S" distill t3.ssm two.txt $NET --quiet -o st3.ssm
run "$S" info st3.ssm
check "student of a 3-class teacher: its 3 labels, in its order" 'grep "\"labels\"" "$T/out" | grep -q "\[\"negative\", \"neutral\", \"positive\"\]"'
check "student of a 3-class teacher: 3 softmax outputs" 'out_has "\"outputs\":[^,]*3"'

# T = 1 and weight 1 on the labels: distill = train
go "train reference" "$S" train "$Z" $NET --seed 5 --quiet -o ref.ssm
go "distill as train" "$S" distill ens.ssm --labelled "$Z" --temperature 1 --hard-weight 1 $NET --seed 5 --quiet -o same.ssm
"$S" predict -m ref.ssm --all "$ZT" >ref.tsv 2>/dev/null
"$S" predict -m same.ssm --all "$ZT" >same.tsv 2>/dev/null
check "T=1, hard weight 1: the predictions of train, bit for bit" '[ -s ref.tsv ] && cmp -s ref.tsv same.tsv'
go "distill T=2" "$S" distill ens.ssm --labelled "$Z" $NET --seed 5 --quiet -o soft.ssm
"$S" predict -m soft.ssm --all "$ZT" >soft.tsv 2>/dev/null
check "the teacher's probabilities change the student" '! cmp -s ref.tsv soft.tsv'

# thread counts
TH="2 3"; [ -n "$QUICK" ] && TH=3
for t in 1 $TH; do go "threads $t" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --shards 3 --quiet --threads $t -o th$t.ssm; done
for t in $TH; do check "--threads $t writes the bytes of --threads 1" 'cmp -s th1.ssm th$t.ssm'; done

# stdout's JSON on one line, without its layout, has $1
flat_has() { tr -d '\t\n' <"$T/out" | grep -q -- "$1" || { why="stdout (JSON, one line) lacks '$1'"; return 1; }; }

# --augment: perturbed copies of the training rows, labelled by the teacher
go "distill --augment 2" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --augment 2 -o aug.ssm
check "--augment: counts its copies" 'err_has "perturbed copies of the 547 training rows (--augment 2)"'
run "$S" info aug.ssm
check "--augment: recorded, with the copies' count among the rows" 'out_has "\"augment\":[^,]*2" && out_has "\"augmented_rows\":[^,]*10[0-9][0-9]"'
check "--augment: its settings recorded (Tang et al.'s by default)" 'flat_has "\"augment_settings\":{\"drop\":0.1,\"swap\":0.1,\"near\":8,\"pool\":20000,\"span\":0.25,\"span_max\":5}"'
grep '"size"' "$T/out" | head -1 >aug.size
go "distill, no --augment" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --quiet -o noaug.ssm
run "$S" info noaug.ssm
grep '"size"' "$T/out" | head -1 >noaug.size
check "--augment: the vocabulary is the texts' own (the copies add no word)" '[ -s aug.size ] && cmp -s aug.size noaug.size'
"$S" predict -m aug.ssm --all "$ZT" >aug.tsv 2>/dev/null
"$S" predict -m noaug.ssm --all "$ZT" >noaug.tsv 2>/dev/null
check "--augment: the copies change the student" '[ -s aug.tsv ] && ! cmp -s aug.tsv noaug.tsv'
go "--augment, 3 threads" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --augment 2 --threads 3 --quiet -o aug3.ssm
check "--augment: --threads 3 writes the bytes of --threads 1" 'cmp -s aug.ssm aug3.ssm'
# an ensemble's neighbours are all its networks' (each network's rows unit
# length, side by side): the members in the other order give the same copies,
# and the same mean probabilities, so the same student (the first network's
# neighbours alone would differ)
go "ensemble, members swapped" "$S" ensemble --quiet t2.ssm t1.ssm -o ens21.ssm
go "--augment from the swapped ensemble" "$S" distill ens21.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --augment 2 --quiet -o aug21.ssm
"$S" predict -m aug21.ssm --all "$ZT" >aug21.tsv 2>/dev/null
check "--augment: an ensemble's members weigh alike in the neighbours (swapped: the same student)" '[ -s aug21.tsv ] && cmp -s aug.tsv aug21.tsv'
run "$S" distill ens.ssm two.txt --augment 101 -o x.ssm
check "--augment over 100: usage error" 'usage_err "augment"'
go "--augment with nothing perturbed" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --epochs 1 --augment 1 --augment-drop 0 --augment-swap 0 --augment-span 0 -o aug0.ssm
check "--augment-drop/swap/span 0: a copy of every row" 'err_has "547 perturbed copies of the 547 training rows"'
go "--augment with every token dropped" "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET --seed 3 --epochs 1 --augment 2 --augment-drop 1 --augment-swap 0 --augment-near 3 --augment-pool 50 --augment-span-max 2 -o aug1.ssm
check "--augment-drop 1: every copy empty, none kept" 'err_has " 0 perturbed copies of the 547 training rows"'
run "$S" info aug1.ssm
check "--augment-*: the settings given are recorded" 'flat_has "\"augment_settings\":{\"drop\":1,\"swap\":0,\"near\":3,\"pool\":50,\"span\":0.25,\"span_max\":2}"'
run "$S" distill ens.ssm two.txt --augment-swap 0.2 -o x.ssm
check "--augment-swap without --augment: usage error" 'usage_err "give --augment N too"'
run "$S" distill ens.ssm two.txt --augment 1 --augment-drop 0.6 --augment-swap 0.5 -o x.ssm
check "--augment-drop + --augment-swap over 1: usage error" 'usage_err "is over 1"'
run "$S" distill ens.ssm two.txt --augment 1 --augment-near 65 -o x.ssm
check "--augment-near over 64: usage error" 'usage_err "augment-near"'

# errors
run "$S" distill -o x.ssm
check "no teacher: usage error" 'usage_err "no teacher given"'
run "$S" distill ens.ssm -o x.ssm
check "no text: usage error" 'usage_err "no text to distil on"'
run "$S" distill ens.ssm two.txt --hard-weight 2 -o x.ssm
check "--hard-weight out of 0..1: usage error" 'usage_err "hard-weight"'
go "a language model" "$S" pretrain "$D/reviews_zh.txt" --hidden 8 --layers 1 --samples 16 --epochs 1 --quiet -o lm.ssm
run "$S" distill lm.ssm two.txt -o x.ssm
check "an LM as teacher: exit 1, not a classifier" '[ "$rc" = 1 ] && err_has "not a classifier"'
printf 'label,text\n0,ok\n7,what\n' >foreign.csv
run "$S" distill ens.ssm --labelled foreign.csv -o x.ssm
check "a label the teacher lacks: exit 1 naming file and line" '[ "$rc" = 1 ] && err_has "foreign.csv:3: label .7. is not one of the teacher"'
check "refused runs write nothing" '[ ! -e x.ssm ]'
run "$S" distill --help
check "--help lists the train options too" '[ "$rc" = 0 ] && out_has "--temperature" && out_has "--bidirectional"'

finish
