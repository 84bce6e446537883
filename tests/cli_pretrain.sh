#!/bin/sh
# tests/cli_pretrain.sh - `seqsent pretrain` (a language model on unlabelled
# text) and fine-tuning a classifier from it (`train --from LM`):
#   - the file says it is a language model, with which settings; held-out
#     perplexity per epoch on stderr and in the log;
#   - the same bits on 1, 2 and 3 threads (one and two directions, tied,
#     dropout), and after SIGINT + --resume;
#   - pretrain -> fine-tune -> eval, the classifier taking the encoder's
#     shape; an LM given to eval / predict is a clear error;
#   - a corpus with empty lines, one-token lines, invalid UTF-8 and a 1 MB
#     line: counted skips, no crash;
#   - the usage errors of conflicting options.
CLI_NAME=pretrain CLI_TIMEOUT=120 CLI_LEAKS=1 . tests/harness.sh

cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
ZT="$D/hotel_zh.test.csv"
SMALL="--hidden 12 --layers 1 --samples 48 --maxlen 24 --batch 16 --epochs 2"

# --- a language model file
go lm "$S" pretrain "$D/reviews_zh.txt" "$Z" $SMALL --log lm.log -o lm.ssm
check "lm: held-out perplexity per epoch on stderr" 'grep -q "^epoch 2/2 - loss [0-9.]* - val_loss [0-9.]* - val_ppl [0-9.]*" "$T/err"'
check "lm: texts, tokens, rows and skips reported" 'err_has "texts (.* held out), .* tokens, .* rows of <= 24; 0 texts of < 2 tokens skipped"'
check "lm: log has val_perplexity per epoch" '[ "$(grep -c val_perplexity lm.log)" = 2 ]'
run "$S" info lm.ssm
check "info: kind lm" 'out_has "\"kind\":[^,]*\"lm\""'
check "info: objective, output layer and samples recorded" 'out_has "\"objective\":[^,]*\"next token\"" && out_has "\"output_layer\":[^,]*\"sampled softmax\"" && out_has "\"samples\":[^,]*48"'
check "info: the corpus files recorded" 'out_has "reviews_zh.txt" && out_has "hotel_zh.train.csv"'
run "$S" info --tensors lm.ssm
check "lm: an output embedding and bias, no classifier head" 'out_has "lm.out" && out_has "lm.b" && ! out_has "dense.W"'

# --- pretraining goes on from an LM (ULMFiT: the task's own text after a large corpus)
go "pretrain on" "$S" pretrain "$Z" --from lm.ssm --epochs 1 --batch 16 --quiet -o lm2.ssm
run "$S" info lm2.ssm
check "pretrain --from LM: a language model of the same shape and vocabulary" 'out_has "\"kind\":[^,]*\"lm\"" && out_has "\"hidden\":[^,]*12" && out_has "\"samples\":[^,]*48" && out_has "\"size\":[^,]*'"$("$S" info lm.ssm | grep -A1 '"vocab"' | sed -n 's/.*"size":[^0-9]*\([0-9]*\).*/\1/p')"'"'
run "$S" pretrain "$Z" --from lm.ssm --hidden 20 -o lm3.ssm
check "pretrain --from LM --hidden: usage error" 'usage_err "come from the --from language model"'

# --- an LM is not a classifier
run "$S" eval -m lm.ssm "$ZT"
check "eval on an LM: exit 1, says how to fine-tune" '[ "$rc" = 1 ] && err_has "a language model (seqsent pretrain), not a classifier" && err_has "train DATA --from lm.ssm"'
run_in "$D/reviews_zh.txt" "$S" predict -m lm.ssm
check "predict on an LM: exit 1, nothing on stdout" '[ "$rc" = 1 ] && [ ! -s "$T/out" ] && err_has "not a classifier"'
run "$S" ensemble lm.ssm lm.ssm -o lm_ens.ssm
check "ensemble of LMs: exit 1, not a classifier, no file (it had written one)" \
    '[ "$rc" = 1 ] && err_has "lm.ssm: a language model (seqsent pretrain), not a classifier" && [ ! -e lm_ens.ssm ]'

# --- fine-tune
go finetune "$S" train "$Z" --from lm.ssm --epochs 2 --batch 16 --quiet -o ft.ssm
run "$S" info ft.ssm
check "fine-tuned: a classifier with the LM's shape, masked, encoder recorded" 'out_has "\"kind\":[^,]*\"model\"" && out_has "\"hidden\":[^,]*12" && out_has "\"layers\":[^,]*1," && out_has "\"mask\":[^,]*true" && out_has "\"encoder\":[^,]*\"lm.ssm\""'
go "eval fine-tuned" "$S" eval -m ft.ssm "$ZT"
check "eval of the fine-tuned model reports accuracy" 'out_has "^accuracy"'
run "$S" train "$Z" --from lm.ssm --hidden 64 --quiet -o bad.ssm
check "train --from LM --hidden: usage error naming the LM" 'usage_err "come from the language model lm.ssm"'
run "$S" train "$Z" --from lm.ssm --embed "$D/zh_vectors.txt" --quiet -o bad.ssm
check "train --from LM --embed: usage error" 'usage_err "the embedding comes from the language model"'
check "no model written by refused runs" '[ ! -e bad.ssm ]'

# --- ULMFiT's fine-tuning options
go "gradual unfreeze seed 1" "$S" train "$Z" --from lm.ssm --gradual-unfreeze --epochs 1 --batch 16 --seed 1 --quiet -o gu1.ssm
go "gradual unfreeze seed 2" "$S" train "$Z" --from lm.ssm --gradual-unfreeze --epochs 1 --batch 16 --seed 2 --quiet -o gu2.ssm
go "plain fine-tune seed 2" "$S" train "$Z" --from lm.ssm --epochs 1 --batch 16 --seed 2 --quiet -o pl2.ssm
head -n 20 "$ZT" >few.csv
"$S" encode -m gu1.ssm few.csv >gu1.vec 2>/dev/null
"$S" encode -m gu2.ssm few.csv >gu2.vec 2>/dev/null
"$S" encode -m pl2.ssm few.csv >pl2.vec 2>/dev/null
check "encode: one vector of hidden x directions numbers per text" '[ "$(lines gu1.vec)" = 19 ] && [ "$(head -n 1 gu1.vec | wc -w | tr -d " ")" = 12 ]'
check "--gradual-unfreeze, epoch 1: the encoder is the LM's whatever the seed" '[ -s gu1.vec ] && cmp -s gu1.vec gu2.vec'
check "without it the encoder moves in epoch 1" '! cmp -s gu2.vec pl2.vec'
go "discriminative + slanted" "$S" train "$Z" --from lm.ssm --discriminative 2.6 --slanted --gradual-unfreeze --epochs 3 --batch 16 --quiet -o ulm.ssm
run "$S" info ulm.ssm
check "the fine-tuning options are recorded" 'out_has "\"discriminative\":[^,]*2.6" && out_has "\"gradual_unfreeze\":[^,]*true" && out_has "\"slanted\":[^,]*true"'
RUN2="$Z --from lm.ssm --discriminative 2.6 --slanted --gradual-unfreeze --epochs 3 --batch 4 --seed 3"
go "ulmfit uninterrupted" "$S" train $RUN2 --quiet -o uw.ssm
interrupt_train 1 up.ssm $RUN2
go "ulmfit resumed" "$S" train "$Z" --resume up.ssm --quiet
check "ULMFiT fine-tuning interrupted and resumed: the same bytes" '[ "$src" = 130 ] && cmp -s uw.ssm up.ssm'

# --- the same bits on any thread count
lm_bits() {
    _lb=$1; shift
    _th="2 3"; [ -n "$QUICK" ] && _th=3
    for t in 1 $_th; do go "$_lb --threads $t" "$S" pretrain "$@" --quiet --threads $t -o "$_lb.t$t.ssm"; done
    for t in $_th; do check "$_lb: --threads $t writes the bytes of --threads 1" 'cmp -s "$_lb.t1.ssm" "$_lb.t$t.ssm"'; done
}
lm_bits lstm "$D/reviews_zh.txt" "$Z" $SMALL --shards 3
lm_bits bigru_tied "$Z" --cell gru --bidirectional --layers 2 --embed "$D/zh_vectors.txt" --hidden 16 --tie \
    --dropout 0.2 --samples 40 --maxlen 20 --batch 16 --epochs 2 --shards 4
run "$S" info bigru_tied.t1.ssm
check "bidirectional: predicts the next and previous token, tied" 'out_has "next and previous token" && out_has "\"tied_embeddings\":[^,]*true"'

# --- interrupted and resumed: the uninterrupted run's bytes
RUN="$Z $D/reviews_zh.txt --hidden 16 --layers 2 --samples 64 --maxlen 16 --batch 4 --epochs 3 --seed 9"
go "uninterrupted" "$S" pretrain $RUN --quiet --threads 2 -o whole.ssm
INTERRUPT_CMD=pretrain interrupt_train 1 part.ssm $RUN --threads 2
check "SIGINT: exit 130 with a checkpoint" '[ "$src" = 130 ] && grep -q "checkpoint written to part.ssm" part.ssm.err'
go resume "$S" pretrain "$Z" "$D/reviews_zh.txt" --resume part.ssm --quiet --threads 1
check "resumed on 1 thread: the bytes of the uninterrupted run" 'cmp -s whole.ssm part.ssm'
go "fine-tune a bidirectional LM" "$S" train "$Z" --from bigru_tied.t1.ssm --epochs 1 --quiet -o ft2.ssm
run "$S" info ft2.ssm
check "fine-tuned from a bidirectional GRU LM: bidirectional GRU classifier" 'out_has "\"cell\":[^,]*\"gru\"" && out_has "\"bidirectional\":[^,]*true"'

# --- awkward corpora
{
    printf '\n\n'
    printf 'word\n'
    printf '这家酒店很好\n'
    printf 'bad \377\376 bytes here\n'
    printf '\n'
    python3 -c 'print("好" * 350000)' 2>/dev/null || awk 'BEGIN { s = ""; for (i = 0; i < 350000; i++) s = s "好"; print s }'
    printf 'the room was clean and quiet\n'
} >awkward.txt
run "$S" pretrain awkward.txt --format lines $SMALL -o awk.ssm --val-split 0
check "awkward corpus: runs to the end" '[ "$rc" = 0 ] && [ -s awk.ssm ]'
check "awkward corpus: one-token text skipped and counted" 'err_has "1 texts of < 2 tokens skipped"'
check "awkward corpus: invalid UTF-8 counted" 'err_has "invalid UTF-8"'
check "awkward corpus: the 1 MB line cut into rows" 'err_has "rows of <= 24"'
printf '\n\n\n' >empty.txt
run "$S" pretrain empty.txt --format lines -o none.ssm
check "a corpus with nothing to predict: exit 1, one line naming it" '[ "$rc" = 1 ] && err_has "empty.txt" && [ ! -e none.ssm ]'

# --- usage errors
run "$S" pretrain "$Z" --tie -o t.ssm
check "--tie with hidden != embedding size: usage error" 'usage_err "--tie needs --hidden 300"'
run "$S" pretrain "$Z" -o
check "-o without a value: usage error" '[ "$rc" = 2 ]'
run "$S" pretrain "$Z" --val-split 0 --early-stop 2 -o t.ssm
check "--early-stop without held-out text: usage error" 'usage_err "early-stop needs held-out text"'
run "$S" pretrain "$Z" --from ft.ssm -o t.ssm
check "--from a classifier: exit 1" '[ "$rc" = 1 ] && err_has "a classifier"'
run "$S" pretrain --help
check "--help: usage and the sampled-softmax cost" '[ "$rc" = 0 ] && out_has "Usage: seqsent pretrain" && out_has "multiply-adds"'

finish
