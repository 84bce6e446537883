#!/bin/sh
# tests/cli_golden.sh - byte-identical behaviour, guarded by recorded SHA-256s.
#
# A handful of small training runs on the bundled data, together covering
# every option family (LSTM/GRU/RNN, bidirectional, mask + bucket, dropout,
# dense, pooling, EMA, word dropout, Adam/AdamW/SGD, trainable/frozen
# embedding, multi-class, ensembles, --half, resume after SIGINT, word2vec
# vectors, train's defaults with adversarial training), plus the files and
# outputs of vocab, embed, eval and predict.
# The SHA-256 of every output is compared with the ones recorded in
# tests/golden/<key>.sha256.  A restructuring must keep them all; a change
# that alters results on purpose re-records them (GOLDEN_RECORD=1) in the
# same commit and says why in its message.
#
# Why a key: the bits of a trained model depend on the floating-point
# kernels that computed it.  OpenBLAS picks its SGEMM kernels by CPU (or by
# OPENBLAS_CORETYPE), and seqsent's sigmoid/tanh have an x86-64-v3 clone
# picked at run time; different kernels round differently.  So hashes are
# recorded per kernel set: the key is the machine, OpenBLAS's core name and
# whether the CPU runs the x86-64-v3 clones, e.g. x86_64-Haswell-v3.  One
# CPU that has AVX-512 can record the keys of every older core type by
# setting OPENBLAS_CORETYPE (scripts/golden-record.sh does that).  With no
# hashes for this machine's key the runs are still checked against each
# other (resume == uninterrupted run), and the hash checks are skipped
# with a message naming the key to record.
#
#   sh tests/cli_golden.sh                  check
#   GOLDEN_RECORD=1 sh tests/cli_golden.sh  write tests/golden/<key>.sha256
CLI_NAME=golden CLI_TIMEOUT=120 CLI_LEAKS=1 . tests/harness.sh

GOLD_DIR=$ROOT/tests/golden

# --- the key: machine, OpenBLAS kernel set, seqsent's own clone ---------
cat >probe.c <<'EOF'
#include <stdio.h>
char *openblas_get_corename(void);
int main(void)
{
    printf("%s", openblas_get_corename());
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    printf("-%s", __builtin_cpu_supports("x86-64-v3") ? "v3" : "base");
#endif
    printf("\n");
    return 0;
}
EOF
core=$(${CC:-cc} probe.c $(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas) -o probe 2>/dev/null && ./probe)
[ -n "$core" ] || core=unknown
KEY="$(uname -m)-$core"
GOLD="$GOLD_DIR/$KEY.sha256"
echo "# golden key: $KEY"

# --- the runs -----------------------------------------------------------
# Small settings (tiny nets, a few epochs) so the whole file takes seconds;
# --threads is given to show it does not matter (tests/cli_threads.sh checks that
# 1, 2 and 3 threads give the same bytes); eval and predict outputs are hashed
# with their default threads.
# The data is copied and named by a relative path: model files record the
# training file's name as given, and the checkout's path must not matter.
cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
E="$D/movies_en.train.csv"
M3="$D/tweets3.train.csv"
SMALL="--keras --embed-dim 16 --hidden 12 --maxlen 24 --epochs 2 --batch 16 --seed 3 --quiet"

# 1 the recipe: pretrained frozen embedding, 2 x LSTM, pre-padding, Adam
# (1 and 2: the text cut into the vectors' words, as recorded before jieba's
# dictionary became the default with --embed)
go lstm_recipe "$S" train "$Z" --keras --embed "$D/zh_vectors.txt" --dict-vectors "$D/zh_vectors.txt" --freeze --hidden 12 --maxlen 24 --epochs 2 \
    --batch 16 --seed 3 --quiet --threads 1 -o lstm_recipe.ssm
# 2 GRU, bidirectional, mask + bucket, dropout, max pooling, dense, AdamW, trainable vectors
go gru_bidir "$S" train "$Z" --keras --embed "$D/zh_vectors.txt" --dict-vectors "$D/zh_vectors.txt" --cell gru --bidirectional --mask --bucket \
    --dropout 0.3 --pool max --dense 8 --optimizer adamw --weight-decay 0.05 --hidden 12 --maxlen 24 \
    --epochs 2 --batch 16 --seed 4 --quiet --threads 1 -o gru_bidir.ssm
# 3 SimpleRNN, mean pooling, SGD + momentum, clipping, decay, class weights, post padding, 2 threads
go rnn_sgd "$S" train "$E" $SMALL --cell rnn --pool mean --optimizer sgd --momentum 0.8 --clip-norm 1 \
    --lr-decay 0.9 --class-weight auto --padding post --truncating post --layers 1 --threads 2 -o rnn_sgd.ssm
# 4 multi-class softmax, EMA, word dropout, validation split, early stopping, --half, plain English
go multiclass "$S" train "$M3" $SMALL --ema 0.9 --word-dropout 0.2 --val-split 0.2 --early-stop 1 \
    --epochs 3 --half --bidirectional --cell lstm --layers 1 --threads 2 -o multiclass.ssm
# 5 base -> members -> ensemble (one member bidirectional GRU), also --half
go vocab "$S" vocab "$Z" --dict "$D/zh_dict.txt" --min-count 2 -o base.ssm
go embed "$S" embed base.ssm "$D/zh_vectors.txt" -o base_emb.ssm
go member1 "$S" train "$Z" --keras --from base_emb.ssm --hidden 12 --layers 1 --maxlen 24 --epochs 1 --batch 16 \
    --seed 1 --quiet --threads 1 -o member1.ssm
go member2 "$S" train "$Z" --keras --from base_emb.ssm --cell gru --bidirectional --mask --hidden 8 --layers 1 \
    --maxlen 24 --epochs 1 --batch 16 --seed 2 --quiet --threads 1 -o member2.ssm
go ensemble "$S" ensemble -q member1.ssm member2.ssm -o ensemble.ssm
go ensemble_half "$S" ensemble -q --half member1.ssm member2.ssm -o ensemble_half.ssm
# 6 word2vec vectors (one thread: deterministic)
go vectors "$S" vectors "$E" --dim 8 --epochs 2 --min-count 2 --threads 1 --quiet -o vectors.vec
go vectors_bin "$S" vectors "$E" --dim 8 --epochs 1 --min-count 2 --threads 1 --quiet --binary -o vectors.bin
# 7 inference outputs: eval --json and predict (probabilities printed in full)
go eval_recipe "$S" eval --json -m lstm_recipe.ssm "$D/hotel_zh.test.csv"
cp "$T/out" eval_recipe.json
go eval_ensemble "$S" eval --json -m ensemble.ssm "$D/hotel_zh.test.csv"
cp "$T/out" eval_ensemble.json
go predict_multi "$S" predict -m multiclass.ssm --all "$D/tweets3.test.csv"
cp "$T/out" predict_multi.tsv
go predict_gru "$S" predict -m gru_bidir.ssm "$D/reviews_zh.txt"
cp "$T/out" predict_gru.tsv
go tokenize "$S" tokenize --dict "$D/zh_dict.txt" "$D/reviews_zh.txt"
cp "$T/out" tokenize.txt

# 9 train's defaults (no --keras): word2vec on the training text, a masked
# bidirectional GRU, mean pooling, validation split + early stopping,
# adversarial training, English text's bag of words and bigrams (only the
# epochs bounded)
go defaults "$S" train "$E" --epochs 3 --seed 5 --quiet --threads 2 -o defaults.ssm
# ... and its predictions on text with words it never saw, read as the
# known words most like them (--match-unknown, on by default)
go predict_defaults "$S" predict -m defaults.ssm --all "$D/movies_en.test.csv"
cp "$T/out" predict_defaults.tsv

# 8 resume after SIGINT: the resumed file must equal the uninterrupted run
SIG="--keras --embed-dim 16 --hidden 16 --layers 1 --maxlen 20 --batch 8 --epochs 60 --seed 7 --threads 1 --ema 0.9"
go resume_ref "$S" train "$E" $SIG --quiet -o resume_ref.ssm
interrupt_train 2 resume.ssm "$E" $SIG
check "golden SIGINT: exit 130 and a checkpoint" '[ "$src" = 130 ] && [ -s resume.ssm ]'
go resume "$S" train "$E" --resume resume.ssm --threads 1 --quiet
check "golden resume after SIGINT is byte-identical to the uninterrupted run" '[ "$src" = 130 ] && cmp -s resume.ssm resume_ref.ssm'

FILES="lstm_recipe.ssm gru_bidir.ssm rnn_sgd.ssm multiclass.ssm base.ssm base_emb.ssm member1.ssm member2.ssm
ensemble.ssm ensemble_half.ssm vectors.vec vectors.bin eval_recipe.json eval_ensemble.json predict_multi.tsv
predict_gru.tsv tokenize.txt resume.ssm defaults.ssm predict_defaults.tsv"

# --- record or compare --------------------------------------------------
sha256sum $FILES >now.sha256
if [ -n "$GOLDEN_RECORD" ]; then
    mkdir -p "$GOLD_DIR"
    cp now.sha256 "$GOLD"
    echo "# recorded $GOLD"
elif [ -f "$GOLD" ]; then
    for f in $FILES; do
        want=$(awk -v f="$f" '$2 == f { print $1 }' "$GOLD")
        got=$(awk -v f="$f" '$2 == f { print $1 }' now.sha256)
        why="recorded ${want:-nothing}, now $got"
        check "golden $f: SHA-256 as recorded for $KEY" '[ -n "$want" ] && [ "$want" = "$got" ]'
    done
else
    skip "golden hashes: none recorded for $KEY (record them: GOLDEN_RECORD=1 sh tests/cli_golden.sh on the commit that defines them)"
fi
finish
