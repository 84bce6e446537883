#!/bin/sh
# tests/cli_quantize.sh - `seqsent quantize`: int8 and bf16 models.
#   - LSTM (unmasked, pad prefix), masked bidirectional 2-layer GRU with a
#     hidden dense layer, SimpleRNN with max pooling, a 3-class softmax, an
#     ensemble and a distilled student: quantized --int8 and --bf16, info
#     shows the precision and the dtypes, the files are smaller; int8's
#     rare embedding rows in 4 bits (--int8-coverage);
#   - predict's probabilities within the stated tolerance of the f32 model
#     (int8 0.05, bf16 0.02; man page), the same bits for --threads 1/2 and
#     any --batch, and with the portable kernel (SEQSENT_QUANT_KERNEL=c);
#     eval, encode, nn and a quantized teacher for distill work;
#   - '-' for the input (stdin) and the output (stdout);
#   - errors: not a model, a vocabulary, a language model, already
#     quantized, an unwritable -o (the old file untouched), no -o; training,
#     --from and ensemble refuse a quantized model.
CLI_NAME=quantize CLI_TIMEOUT=120 . tests/harness.sh

cp -r "$D" data
D=data
Z="$D/hotel_zh.train.csv"
ZT="$D/hotel_zh.test.csv"
M3="$D/tweets3.train.csv"
M3T="$D/tweets3.test.csv"
NET="--hidden 12 --maxlen 24 --epochs 2 --batch 16 --quiet"
cut -d, -f2- "$ZT" | tail -n +2 > zh.txt
cut -d, -f2- "$M3T" | tail -n +2 > m3.txt

go lstm "$S" train "$Z" --embed "$D/zh_vectors.txt" $NET --seed 1 -o lstm.ssm
go gru "$S" train "$Z" --embed "$D/zh_vectors.txt" --cell gru --bidirectional --layers 2 --mask --dense 8 \
    --pool attention $NET -o gru.ssm
go rnn "$S" train "$Z" --embed "$D/zh_vectors.txt" --cell rnn --pool max $NET -o rnn.ssm
go multiclass "$S" train "$M3" --embed-dim 16 $NET -o multi.ssm
go "lstm seed 2" "$S" train "$Z" --embed "$D/zh_vectors.txt" $NET --seed 2 -o lstm2.ssm
go ensemble "$S" ensemble --quiet lstm.ssm lstm2.ssm -o ens.ssm
go student "$S" distill ens.ssm "$D/reviews_zh.txt" --labelled "$Z" --embed "$D/zh_vectors.txt" --cell gru $NET -o student.ssm

# netbytes MODEL: the bytes of the network's tensors (info --tensors), not the
# vocabulary's or the dictionary's, which quantizing leaves as they are
# netbytes MODEL: the network's weights' bytes (not the vocabulary's, nor
# the naive Bayes head's counts, which stay f32)
netbytes() {
    "$S" info --tensors "$1" | awk '/"name":/ { n = $2 } /"nbytes":/ { if (n !~ /^"(vocab|tokenizer)\./ && n !~ /^"(m[0-9]+\.)?nb\./) s += $2 } END { print s + 0 }'
}
# maxdiff A B: the largest difference between the probabilities of two
# `predict --all` outputs (label:prob fields)
maxdiff() {
    paste "$1" "$2" | awk -F'\t' '{ n = NF / 2; for (i = 1; i <= n; i++) { split($i, a, ":"); split($(i + n), b, ":")
        d = a[2] - b[2]; if (d < 0) d = -d; if (d > m) m = d } } END { printf "%.6f\n", m + 0 }'
}

for m in lstm gru rnn multi ens student; do
    txt=zh.txt; [ $m = multi ] && txt=m3.txt
    go "$m quantize --int8" "$S" quantize $m.ssm -o $m.i8.ssm
    check "$m: the summary names the precision" 'err_has "int8"'
    go "$m quantize --bf16" "$S" quantize --bf16 -q $m.ssm -o $m.bf.ssm
    check "$m: --quiet prints nothing" '[ ! -s "$T/err" ]'
    run "$S" info --tensors $m.i8.ssm
    check "$m: info shows the precision and i8 tensors" 'out_has "\"precision\":[^,]*\"int8\"" && out_has "\"dtype\":[^,]*\"i8\""'
    run "$S" info $m.bf.ssm
    check "$m: info shows bf16" 'out_has "\"precision\":[^,]*\"bf16\""'
    n32=$(netbytes $m.ssm); n8=$(netbytes $m.i8.ssm); nb=$(netbytes $m.bf.ssm)
    check "$m: network tensors int8 <= 0.35 of f32 ($n8 / $n32), bf16 <= 0.55 ($nb)" \
        '[ $((n8 * 100 / n32)) -le 35 ] && [ $((nb * 100 / n32)) -le 55 ]'
    "$S" predict -m $m.ssm --all $txt > $m.p
    for q in i8 bf; do
        "$S" predict -m $m.$q.ssm --all --threads 1 $txt > $m.$q.t1
        "$S" predict -m $m.$q.ssm --all --threads 2 --batch 7 $txt > $m.$q.t2
        "$S" predict -m $m.$q.ssm --all --batch 1 < $txt > $m.$q.b1
        SEQSENT_QUANT_KERNEL=c "$S" predict -m $m.$q.ssm --all $txt > $m.$q.c
        SEQSENT_QUANT_KERNEL=avx2 "$S" predict -m $m.$q.ssm --all $txt > $m.$q.avx2   # (c where the CPU lacks it)
        tol=0.05; [ $q = bf ] && tol=0.02
        d=$(maxdiff $m.p $m.$q.t1)
        check "$m $q: the comparison sees the probabilities" '[ "$(maxdiff $m.p $m.$q.t1)" != "$(maxdiff $m.p $m.p)" ] || cmp -s $m.p $m.$q.t1'
        check "$m $q: probabilities within $tol of f32 (max $d)" "awk -v d=$d -v t=$tol 'BEGIN { exit !(d <= t) }'"
        check "$m $q: --threads 2 --batch 7 and --batch 1 give the bits of --threads 1" \
            'cmp -s $m.$q.t1 $m.$q.t2 && cmp -s $m.$q.t1 $m.$q.b1'
        check "$m $q: the portable kernel gives the same bits" 'cmp -s $m.$q.t1 $m.$q.c'
        check "$m $q: the AVX2 kernel gives the same bits" 'cmp -s $m.$q.t1 $m.$q.avx2'
        check "$m $q: a line per input line" '[ $(lines $m.$q.t1) -eq $(lines $txt) ]'
    done
done

# --int8: the rare words' embedding rows in 4 bits (--int8-coverage, 95% of
# the training tokens int8 by default); 100 keeps every row int8
run "$S" info --tensors lstm.i8.ssm
check "int8: the rare rows in 4 bits (embedding.q4, int4_rows)" 'out_has "embedding.q4" && out_has "\"int4_rows\":"'
go "--int8-coverage 100" "$S" quantize --int8-coverage 100 -q lstm.ssm -o lstm.all8.ssm
run "$S" info --tensors lstm.all8.ssm
check "--int8-coverage 100: every row int8, no 4-bit rows" '! out_has "embedding.q4" && ! out_has "int4_rows"'
check "--int8-coverage 100: a bigger file than the default" '[ $(wc -c < lstm.all8.ssm) -gt $(wc -c < lstm.i8.ssm) ]'
"$S" predict -m lstm.all8.ssm --all zh.txt > all8.p
d=$(maxdiff lstm.p all8.p)
check "--int8-coverage 100: probabilities within 0.05 of f32 (max $d)" "awk -v d=$d 'BEGIN { exit !(d <= 0.05) }'"
go "--int8-coverage 0" "$S" quantize --int8-coverage 0 -q lstm.ssm -o lstm.c0.ssm
"$S" predict -m lstm.c0.ssm --all zh.txt > c0.p
d=$(maxdiff lstm.p c0.p)
check "--int8-coverage 0 (every word row 4 bits): probabilities within 0.1 of f32 (max $d)" "awk -v d=$d 'BEGIN { exit !(d <= 0.1) }'"
run "$S" quantize --int8-coverage 101 lstm.ssm -o x.ssm
check "--int8-coverage 101: usage error" 'usage_err "int8-coverage"'

# eval and encode on a quantized model; accuracy close to the f32 model's
"$S" eval -m lstm.ssm "$ZT" > e32.txt
go "eval int8" "$S" eval -m lstm.i8.ssm "$ZT"
a32=$(awk '$1 == "accuracy" { print $2 }' e32.txt); a8=$(awk '$1 == "accuracy" { print $2 }' "$T/out")
check "eval int8: accuracy within 0.03 of f32 ($a8 vs $a32)" "awk -v a=$a8 -v b=$a32 'BEGIN { d = a - b; exit !(d <= 0.03 && d >= -0.03) }'"
go "encode int8" "$S" encode -m gru.i8.ssm zh.txt
check "encode int8: a vector per line" '[ $(lines "$T/out") -eq $(lines zh.txt) ]'
"$S" encode -m gru.ssm zh.txt > enc32.txt
check "encode int8: vectors within 0.1 of f32" \
    "paste -d' ' enc32.txt '$T/out' | awk '{ n = NF / 2; for (i = 1; i <= n; i++) { d = \$i - \$(i + n); if (d < 0) d = -d; if (d > m) m = d } } END { exit !(m <= 0.1) }'"
w=$(sed -n 3p "$D/zh_vectors.txt" | cut -d' ' -f1)
"$S" nn lstm.ssm "$w" -k 3 > nn32.txt
go "nn on a quantized model's embedding" "$S" nn lstm.i8.ssm "$w" -k 3
# the nearest word is the f32 one's and every rank's cosine within 0.01 of
# it (words further down may swap places when their cosines nearly tie)
check "nn: the neighbours of the f32 embedding" '[ -s nn32.txt ] && [ "$(head -1 "$T/out" | cut -f2)" = "$(head -1 nn32.txt | cut -f2)" ] &&
    paste nn32.txt "$T/out" | awk -F"\t" "{ d = \$3 - \$6; if (d < 0) d = -d; if (d > 0.01) bad = 1 } END { exit bad }"'
go "distill from a quantized teacher" "$S" distill ens.i8.ssm "$D/reviews_zh.txt" --labelled "$Z" $NET -o st8.ssm

# '-': the model from stdin, the output to stdout, the same bytes as files
run_in lstm.ssm "$S" quantize -q - -o -
cp "$T/out" stdio.ssm
check "quantize - -o -: the bytes of quantize FILE -o FILE" 'cmp -s stdio.ssm lstm.i8.ssm'
"$S" predict -m lstm.i8.ssm zh.txt > file.p
run_in lstm.i8.ssm "$S" predict -m - zh.txt
check "predict -m - reads a quantized model from stdin" 'cmp -s "$T/out" file.p'
run "$S" info lstm.ssm
check "an f32 model file stays format version 1 (no quantization object)" \
    'out_has "\"format_version\":[^,]*1" && ! out_has "quantization"'
run "$S" info lstm.i8.ssm
check "a quantized file is format version 3" 'out_has "\"format_version\":[^,]*3"'

# errors: one line, exit 1, the old output untouched
echo keep > old.ssm
err1() { [ "$rc" -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "$1" && [ "$(cat old.ssm)" = keep ] && no_tmp_left; }
run "$S" quantize "$D/zh_vectors.txt" -o old.ssm
check "not a model: one line naming the file" 'err1 "zh_vectors.txt: not a seqsent model file"'
run "$S" quantize lstm.i8.ssm -o old.ssm
check "already quantized: one line" 'err1 "already quantized (int8)"'
"$S" vocab "$Z" -o voc.ssm 2>/dev/null
run "$S" quantize voc.ssm -o old.ssm
check "a vocabulary: not a trained model" 'err1 "not a trained model"'
"$S" pretrain "$D/reviews_zh.txt" --hidden 8 --layers 1 --samples 16 --epochs 1 --quiet -o lm.ssm
run "$S" quantize lm.ssm -o old.ssm
check "a language model: refused" 'err1 "a language model"'
run "$S" quantize nosuch.ssm -o old.ssm
check "a missing file: one line" 'err1 "nosuch.ssm: No such file"'
run "$S" quantize lstm.ssm -o /nonexistent/dir/x.ssm
check "an unwritable -o: one line, exit 1" '[ "$rc" -eq 1 ] && [ "$(lines "$T/err")" -eq 1 ] && err_has "/nonexistent/dir/x.ssm"'
run "$S" quantize lstm.ssm
check "no -o: usage error" 'usage_err "-o OUT is required"'
run "$S" quantize lstm.ssm --int4 -o x.ssm
check "an unknown option: usage error" 'usage_err "int4"'
run "$S" quantize -o x.ssm
check "no model: usage error" 'usage_err "expected one model file"'

# training from a quantized model is refused, with the way out
run "$S" train "$Z" --from lstm.i8.ssm $NET -o x.ssm
check "train --from a quantized model: refused" '[ "$rc" -eq 1 ] && err_has "a quantized model (int8" && err_has "f32 model"'
run "$S" ensemble lstm.i8.ssm lstm2.ssm -o x.ssm
check "ensemble with a quantized model: refused" '[ "$rc" -eq 1 ] && err_has "a quantized model"'
check "no output left by the refusals" '[ ! -e x.ssm ]'

finish
