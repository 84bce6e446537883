#!/bin/sh
# bench_predict.sh - `make bench` (and alone): predict speed of this seqsent
# against a reference seqsent built from a git commit, measured in the same
# run, interleaved.  One JSON object per figure on stdout (as bench.sh):
#   {"name", "value", "unit", "reference", "ratio", "note"}
# ratio = times better than the reference (value/ref for rates, ref/value
# for times, memory and sizes).  Progress on stderr.
#
# Models (trained here on chnsenticorp.train.csv with the sgns vectors):
#   recipe   --keras --embed --freeze --maxlen 100 (Keras semantics:
#            pre-padding, every step computed, no mask); read by both binaries
#   default  --embed, nothing else: each version's own default model, trained
#            by each binary (the reference's default was the recipe network at
#            maxlen = the 95th percentile, 246; this one's is train's defaults)
#   masked   --keras --embed --mask; read by both binaries
# and the default model quantized (seqsent quantize: default.int8,
# default.bf16), run by this seqsent only (the reference cannot read them):
# their figures' reference is the f32 default model in the same run, and
# their accuracy on chnsenticorp.test.csv is compared with its accuracy.
# fastText's default supervised model (Debian's fasttext, installed with
# apt-get when missing, as bench.sh installs PyTorch) on the same texts,
# cut into words by the default model's tokenizer (fastText splits on
# spaces only; the cutting is not timed): its predict-prob lines/s in the
# same rounds, its size and accuracy, against the default model's.
# English (mr.train.csv, no vectors: train's English defaults), this
# seqsent only, unless BENCH_PREDICT_EN=0:
#   en_bag       train's defaults: the bag of words and bigrams on (--bag 32)
#   en_nobag     the same with --bag 0: the reference of en_bag's figures
#   en_bag.int8  en_bag quantized (--int8): its figures' reference is en_bag
# on the texts of mr.test.csv, one a line, in the same interleaved rounds:
# predict.en_bag.* lines/s (--threads 1, 2), lines/CPU-s, model_MB,
# startup_ms, peak_rss_MB and accuracy on mr.test.csv against en_nobag's;
# predict.en_bag.startup_unknown_ms: its start-up with a word it lacks,
# against the same sentence without it;
# predict.en_bag.int8.* lines/s, lines/CPU-s, model_MB, peak_rss_MB and
# accuracy against en_bag's.
# Speed does not depend on how well a model is trained: BENCH_PREDICT_EPOCHS
# (default 1) epochs each.  Input: the texts of chnsenticorp.test.csv, one a
# line.  Every (model, threads) is run by both binaries in turn, for
# BENCH_PREDICT_ROUNDS rounds; the best of each is kept (other work on the
# machine only slows a run down).
#
# Environment (all optional):
#   SHARED=../shared               data and vectors
#   BENCH_REF=d23e525              the reference commit (built in a temp dir)
#   BENCH_REF_BIN=PATH             use this reference binary instead of building one
#   BENCH_PREDICT_MODELS=DIR       use DIR/recipe.ssm, default.ssm, masked.ssm (no training;
#                                  DIR/default.ref.ssm: the reference's default model;
#                                  DIR/en_bag.ssm and en_nobag.ssm when both are there)
#   BENCH_PREDICT_ROUNDS=3  BENCH_PREDICT_EPOCHS=1  BENCH_KEEP=1
#   BENCH_FASTTEXT=0               no fastText figures
#   BENCH_PREDICT_EN=0             no English figures (en_bag, en_nobag, en_bag.int8)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/scripts/bench_lib.sh"

REF=${BENCH_REF:-d23e525}
ROUNDS=${BENCH_PREDICT_ROUNDS:-3}
[ "$ROUNDS" -ge 1 ] 2>/dev/null || ROUNDS=1
EPOCHS=${BENCH_PREDICT_EPOCHS:-1}
EN=${BENCH_PREDICT_EN:-1}
bench_setup bench-predict "$DATA/chnsenticorp.train.csv" "$DATA/chnsenticorp.test.csv" "$VEC"
if [ "$EN" != 0 ]; then
    for f in "$DATA/mr.train.csv" "$DATA/mr.test.csv"; do
        [ -r "$f" ] || { echo "bench-predict: $f not found (set SHARED=, or BENCH_PREDICT_EN=0)" >&2; exit 1; }
    done
fi
build_helper "$TMP" || { echo "bench_predict: cannot build the helper" >&2; exit 1; }
H=$TMP/bench_helper

if [ -n "${BENCH_REF_BIN:-}" ]; then
    R=$BENCH_REF_BIN
    REFNOTE="reference binary $R"
else
    log "building the reference seqsent at $REF"
    mkdir "$TMP/ref" && git archive "$REF" | tar -x -C "$TMP/ref" && make -C "$TMP/ref" --no-print-directory seqsent >/dev/null 2>&1 ||
        { echo "bench_predict: cannot build $REF" >&2; exit 1; }
    R=$TMP/ref/seqsent
    REFNOTE="reference: seqsent at $REF ($(git log -1 --format=%cs "$REF" 2>/dev/null))"
fi
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# text_lines CSV: its test texts, one a line (the text column; newlines
# inside become spaces)
text_lines() {
    python3 - "$1" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
sys.stdout.write("".join(" ".join(r[-1].split()) + "\n" for r in rows if r and r[-1].strip()))
EOF
}
text_lines "$DATA/chnsenticorp.test.csv" > "$TMP/lines.txt" || exit 1
NL=$(wc -l < "$TMP/lines.txt")
printf '%s\n' '房间很干净，服务也很热情，下次还会再来。' > "$TMP/one.txt"
if [ "$EN" != 0 ]; then   # English: the texts of mr.test.csv, and one sentence
    text_lines "$DATA/mr.test.csv" > "$TMP/en_lines.txt" || exit 1
    NLEN=$(wc -l < "$TMP/en_lines.txt")
    printf '%s\n' 'the acting is superb , and the story kept me guessing until the very end .' > "$TMP/en_one.txt"
    # the same with a word no vocabulary has: the unknown-word matcher's start-up
    printf '%s\n' 'the acting is superb , and the story kept me guessing until the very endzq .' > "$TMP/en_one_unk.txt"
fi

MODELS="recipe default masked"
# model_of NAME: its training options (opts) and description (mn)
model_of() {
    case $1 in
        recipe) opts="--keras --freeze --maxlen 100"; mn="the recipe model (--keras --embed --freeze --maxlen 100: pre-padding, every step, no mask)" ;;
        default) opts=""; mn="the default model (train DATA --embed VECTORS, nothing else: each version's own, trained by each binary)" ;;
        masked) opts="--keras --mask"; mn="a masked model (--keras --embed --mask)" ;;
    esac
}
for m in $MODELS; do
    model_of "$m"
    if [ -n "${BENCH_PREDICT_MODELS:-}" ]; then
        cp "$BENCH_PREDICT_MODELS/$m.ssm" "$TMP/$m.ssm" || exit 1
        # the reference's own default model, when the directory has it
        [ ! -f "$BENCH_PREDICT_MODELS/$m.ref.ssm" ] || cp "$BENCH_PREDICT_MODELS/$m.ref.ssm" "$TMP/$m.ref.ssm" || exit 1
        continue
    fi
    log "training the $m model ($EPOCHS epoch(s))"
    # shellcheck disable=SC2086
    "$S" train "$DATA/chnsenticorp.train.csv" --embed "$VEC" $opts --epochs "$EPOCHS" --quiet -o "$TMP/$m.ssm" ||
        { echo "bench_predict: training the $m model failed" >&2; exit 1; }
    if [ "$m" = default ]; then   # the reference's own default model, by the reference
        log "training the reference's default model ($EPOCHS epoch(s))"
        "$R" train "$DATA/chnsenticorp.train.csv" --embed "$VEC" --epochs "$EPOCHS" --quiet -o "$TMP/$m.ref.ssm" ||
            { echo "bench_predict: training the reference's default model failed" >&2; exit 1; }
    fi
done
# model_file NAME SIDE: the file the side's binary reads
model_file() { if [ "$2" = ref ] && [ -f "$TMP/$1.ref.ssm" ]; then echo "$TMP/$1.ref.ssm"; else echo "$TMP/$1.ssm"; fi; }

QMODELS="default.int8 default.bf16"
for qm in int8 bf16; do
    "$S" quantize -q "$TMP/default.ssm" --$qm -o "$TMP/default.$qm.ssm" ||
        { echo "bench_predict: quantizing the default model (--$qm) failed" >&2; exit 1; }
done

# English, by this seqsent: train's defaults (the bag on), the same with
# --bag 0, and the first quantized to int8
EMODELS="en_bag en_nobag en_bag.int8"
if [ "$EN" != 0 ]; then
    if [ -n "${BENCH_PREDICT_MODELS:-}" ] && [ -f "$BENCH_PREDICT_MODELS/en_bag.ssm" ] && [ -f "$BENCH_PREDICT_MODELS/en_nobag.ssm" ]; then
        cp "$BENCH_PREDICT_MODELS/en_bag.ssm" "$BENCH_PREDICT_MODELS/en_nobag.ssm" "$TMP/" || exit 1
    else
        for m in en_bag en_nobag; do
            opts=""; [ $m = en_nobag ] && opts="--bag 0"
            log "training the $m model ($EPOCHS epoch(s))"
            # shellcheck disable=SC2086
            "$S" train "$DATA/mr.train.csv" $opts --epochs "$EPOCHS" --quiet -o "$TMP/$m.ssm" ||
                { echo "bench_predict: training the $m model failed" >&2; exit 1; }
        done
    fi
    "$S" quantize -q "$TMP/en_bag.ssm" --int8 -o "$TMP/en_bag.int8.ssm" ||
        { echo "bench_predict: quantizing the en_bag model (--int8) failed" >&2; exit 1; }
fi

# fastText: Debian's, installed when missing (its figures are skipped when
# that fails); trained on the same training texts cut into words
FT=0
if [ "${BENCH_FASTTEXT:-1}" != 0 ]; then
    if ! command -v fasttext >/dev/null 2>&1; then
        log "installing fasttext (apt-get)"
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            --no-install-recommends fasttext; } >/dev/null 2>&1
    fi
    if command -v fasttext >/dev/null 2>&1; then
        log "training fastText's default supervised model"
        # labels as __label__L, texts cut by the default model's tokenizer
        ft_labels() {
            python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
sys.stdout.write("".join("__label__" + r[0] + "\n" for r in rows if r and r[-1].strip()))' "$1"
        }
        for part in train test; do
            ft_labels "$DATA/chnsenticorp.$part.csv" > "$TMP/ft.$part.labels" &&
                "$S" tokenize -m "$TMP/default.ssm" "$DATA/chnsenticorp.$part.csv" > "$TMP/ft.$part.words" &&
                paste -d' ' "$TMP/ft.$part.labels" "$TMP/ft.$part.words" > "$TMP/ft.$part.txt" || break
        done
        "$S" tokenize -m "$TMP/default.ssm" "$TMP/lines.txt" > "$TMP/ft.lines.txt" &&
            [ "$(wc -l < "$TMP/ft.lines.txt")" -eq "$NL" ] &&
            fasttext supervised -input "$TMP/ft.train.txt" -output "$TMP/ft" -thread 2 -verbose 0 >/dev/null 2>&1 &&
            [ -f "$TMP/ft.bin" ] && FT=1
    fi
    [ $FT = 1 ] || log "fastText not available: no fastText figures"
fi

# each run appends "MEDIAN MIN MAXRSS CPU" (bench_helper run) to its file
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for m in $MODELS; do
        for t in 2 1; do
            for side in new ref; do
                b=$S; [ $side = ref ] && b=$R
                log "round $r/$ROUNDS: $m, --threads $t, $side"
                "$H" run 1 "$TMP/lines.txt" "$TMP/out.$side.$m" "$b" predict -m "$(model_file $m $side)" --threads $t \
                    >> "$TMP/t.$side.$m.$t" || exit 1
            done
        done
        for side in new ref; do
            b=$S; [ $side = ref ] && b=$R
            "$H" run 5 "$TMP/one.txt" /dev/null "$b" predict -m "$(model_file $m $side)" >> "$TMP/s.$side.$m" || exit 1
        done
    done
    for qm in $QMODELS; do   # this seqsent only
        for t in 2 1; do
            log "round $r/$ROUNDS: $qm, --threads $t"
            "$H" run 1 "$TMP/lines.txt" "$TMP/out.new.$qm" "$S" predict -m "$TMP/$qm.ssm" --threads $t >> "$TMP/t.new.$qm.$t" || exit 1
        done
        "$H" run 5 "$TMP/one.txt" /dev/null "$S" predict -m "$TMP/$qm.ssm" >> "$TMP/s.new.$qm" || exit 1
    done
    if [ $FT = 1 ]; then
        log "round $r/$ROUNDS: fastText"
        "$H" run 1 "$TMP/ft.lines.txt" "$TMP/out.ft" fasttext predict-prob "$TMP/ft.bin" - >> "$TMP/t.ft" || exit 1
    fi
    if [ "$EN" != 0 ]; then   # English, this seqsent only
        for m in $EMODELS; do
            for t in 2 1; do
                log "round $r/$ROUNDS: $m, --threads $t"
                "$H" run 1 "$TMP/en_lines.txt" "$TMP/out.new.$m" "$S" predict -m "$TMP/$m.ssm" --threads $t >> "$TMP/t.new.$m.$t" || exit 1
            done
        done
        for m in en_bag en_nobag; do
            "$H" run 5 "$TMP/en_one.txt" /dev/null "$S" predict -m "$TMP/$m.ssm" >> "$TMP/s.new.$m" || exit 1
        done
        "$H" run 5 "$TMP/en_one_unk.txt" /dev/null "$S" predict -m "$TMP/en_bag.ssm" >> "$TMP/s.new.en_bag.unk" || exit 1
    fi
    r=$((r + 1))
done
minwall() { awk 'NR == 1 || $2 < m { m = $2 } END { print m }' "$1"; }
mincpu() { awk 'NR == 1 || $4 < m { m = $4 } END { print m }' "$1"; }
maxrss() { awk '$3 > m { m = $3 } END { printf "%.1f", m / 1024 }' "$1"; }
minms() { awk 'NR == 1 || $2 < m { m = $2 } END { printf "%.1f", m * 1000 }' "$1"; }     # the fastest start-up run, in ms
medians() { awk '{ s = s " " $1 } END { print s }' "$1"; }   # the rounds' medians, in s
# emit_startup NAME RUNS REF_RUNS WHAT NOTE: the fastest start-up run of RUNS
# against REF_RUNS's, in ms, with the medians per round of both
emit_startup() {
    _n=$(minms "$2"); _r=$(minms "$3")
    emit "$1" "$_n" ms "$_r" "$(div "$_r" "$_n")" \
        "$4, whole process wall time, fastest of $ROUNDS x 5 (medians per round:$(medians "$2") s; reference:$(medians "$3") s); $5"
}
# emit_speed NAME T RUNS REFRUNS NOTE CPUNOTE [LINES]: NAME.lines_per_s.tT
# and NAME.lines_per_cpu_s.tT of the runs in file RUNS against those in
# REFRUNS, every run on LINES lines (default $NL)
emit_speed() {
    nl=${7:-$NL}
    nv=$(minwall "$3"); rv=$(minwall "$4")
    v=$(awk -v n="$nl" -v s="$nv" 'BEGIN { printf "%.1f", n / s }')
    rf=$(awk -v n="$nl" -v s="$rv" 'BEGIN { printf "%.1f", n / s }')
    emit "$1.lines_per_s.t$2" "$v" lines/s "$rf" "$(div "$v" "$rf")" "$5"
    nc=$(mincpu "$3"); rc=$(mincpu "$4")
    emit "$1.lines_per_cpu_s.t$2" "$(awk -v n="$nl" -v s="$nc" 'BEGIN { printf "%.1f", n / s }')" lines/CPU-s \
        "$(awk -v n="$nl" -v s="$rc" 'BEGIN { printf "%.1f", n / s }')" "$(div "$rc" "$nc")" "$6"
}

emit_str predict.machine "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores" \
    "seqsent $COMMIT vs $REF, $(date -u +%Y-%m-%dT%H:%MZ); load average at start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; $NL lines (chnsenticorp.test.csv texts)$([ "$EN" = 0 ] || echo "; English: $NLEN lines (mr.test.csv texts)"); best of $ROUNDS interleaved rounds"
for m in $MODELS; do
    model_of "$m"
    for t in 1 2; do
        emit_speed "predict.$m" "$t" "$TMP/t.new.$m.$t" "$TMP/t.ref.$m.$t" \
            "seqsent predict -m MODEL --threads $t < $NL lines, whole process wall time, best of $ROUNDS; $mn; $REFNOTE, same model file, same run" \
            "the same runs per CPU second (user + system of the process, least of $ROUNDS): less sensitive than wall time to other work on the machine, blind to how well the threads overlap"
    done
    sz=$(wc -c < "$TMP/$m.ssm" | awk '{ printf "%.1f", $1 / 1048576 }')
    emit "predict.$m.model_MB" "$sz" MB null null "file size of $mn ($EPOCHS epoch(s); the embedding table, vocabulary x 300 floats, dominates)"
    if [ -f "$TMP/$m.ref.ssm" ]; then same="of different models (each version's own)"
    elif cmp -s "$TMP/out.new.$m" "$TMP/out.ref.$m"; then same=identical
    else same="not identical (float rounding of the inference shortcuts; see the man page)"; fi
    emit "predict.$m.peak_rss_MB" "$(maxrss "$TMP/t.new.$m.2")" MB "$(maxrss "$TMP/t.ref.$m.2")" \
        "$(div "$(maxrss "$TMP/t.ref.$m.2")" "$(maxrss "$TMP/t.new.$m.2")")" \
        "peak RSS of predict --threads 2 on the $NL lines ($mn); reference: $REF; outputs of the two binaries $same"
    emit_startup "predict.$m.startup_ms" "$TMP/s.new.$m" "$TMP/s.ref.$m" "echo one line | seqsent predict -m MODEL" "$mn; $REFNOTE"
done
# the quantized default models against the f32 one (this seqsent, same run)
acc() { "$S" eval -m "$1" "$DATA/chnsenticorp.test.csv" --threads 2 | awk '$1 == "accuracy" { printf "%.2f", 100 * $2 }'; }
a32=$(acc "$TMP/default.ssm")
sz32=$(wc -c < "$TMP/default.ssm" | awk '{ printf "%.2f", $1 / 1048576 }')
for qm in $QMODELS; do
    qn=${qm#default.}
    qd="the default model quantized (seqsent quantize --$qn)"
    for t in 1 2; do
        emit_speed "predict.$qm" "$t" "$TMP/t.new.$qm.$t" "$TMP/t.new.default.$t" \
            "seqsent predict -m MODEL --threads $t < $NL lines, whole process wall time, best of $ROUNDS; $qd; reference: the f32 default model, this seqsent, same run" \
            "the same runs per CPU second (user + system, least of $ROUNDS); reference: the f32 default model"
    done
    sz=$(wc -c < "$TMP/$qm.ssm" | awk '{ printf "%.2f", $1 / 1048576 }')
    emit "predict.$qm.model_MB" "$sz" MB "$sz32" "$(div "$sz32" "$sz")" "file size of $qd; reference: the f32 default model (ratio = times smaller)"
    emit "predict.$qm.peak_rss_MB" "$(maxrss "$TMP/t.new.$qm.2")" MB "$(maxrss "$TMP/t.new.default.2")" \
        "$(div "$(maxrss "$TMP/t.new.default.2")" "$(maxrss "$TMP/t.new.$qm.2")")" \
        "peak RSS of predict --threads 2 on the $NL lines ($qd); reference: the f32 default model"
    nmin=$(minms "$TMP/s.new.$qm")
    fmin=$(minms "$TMP/s.new.default")
    emit "predict.$qm.startup_ms" "$nmin" ms "$fmin" "$(div "$fmin" "$nmin")" \
        "echo one line | seqsent predict -m MODEL, whole process wall time, fastest of $ROUNDS x 5; $qd; reference: the f32 default model"
    aq=$(acc "$TMP/$qm.ssm")
    emit "predict.$qm.accuracy" "$aq" % "$a32" "$(div "$aq" "$a32")" \
        "seqsent eval on chnsenticorp.test.csv ($qd, $EPOCHS epoch(s) of training); reference: the f32 default model (target: within 0.3 points)"
    md=$(paste "$TMP/out.new.default" "$TMP/out.new.$qm" | awk -F'\t' '{ p = $1 == 1 ? $2 : 1 - $2; r = $3 == 1 ? $4 : 1 - $4
        d = p - r; if (d < 0) d = -d; if (d > m) m = d; if ($1 != $3) c++ } END { printf "%.6f %d", m, c }')
    emit "predict.$qm.max_prob_diff" "${md% *}" "" null null \
        "largest |P(class 1) difference| between $qd and the f32 model over the $NL lines; ${md#* } of $NL labels differ"
done
if [ $FT = 1 ]; then
    fv=$(awk -v n="$NL" -v s="$(minwall "$TMP/t.ft")" 'BEGIN { printf "%.1f", n / s }')
    ftn="fasttext supervised -input TRAIN (its defaults: dim 100, 5 epochs, words only) on chnsenticorp.train.csv cut into words by the default model's tokenizer; fasttext predict-prob MODEL.bin - < the $NL test lines cut the same way (the cutting not timed), whole process wall time, best of $ROUNDS"
    for qm in default default.int8; do
        for t in 1 2; do
            sv=$(awk -v n="$NL" -v s="$(minwall "$TMP/t.new.$qm.$t")" 'BEGIN { printf "%.1f", n / s }')
            emit "predict.$qm.lines_per_s.t${t}_vs_fasttext" "$sv" lines/s "$fv" "$(div "$sv" "$fv")" \
                "seqsent predict --threads $t (as predict.$qm.lines_per_s.t$t) against fastText's default model in the same run (reference: $ftn)"
        done
    done
    fsz=$(wc -c < "$TMP/ft.bin" | awk '{ printf "%.2f", $1 / 1048576 }')
    emit "predict.fasttext.model_MB" "$fsz" MB "$sz32" "$(div "$sz32" "$fsz")" \
        "file size of fastText's default supervised model (.bin); reference: seqsent's f32 default model (ratio = times smaller)"
    fa=$(fasttext test "$TMP/ft.bin" "$TMP/ft.test.txt" 2>/dev/null | awk '$1 == "P@1" { printf "%.2f", 100 * $2 }')
    emit "predict.fasttext.accuracy" "$fa" % "$a32" "$(div "$fa" "$a32")" \
        "fasttext test on chnsenticorp.test.csv cut into words (P@1 = accuracy); reference: seqsent's default model after $EPOCHS epoch(s) of training"
fi
if [ "$EN" != 0 ]; then
    # English: en_bag against en_nobag, en_bag.int8 against en_bag (this seqsent, same run)
    acc_en() { "$S" eval -m "$1" "$DATA/mr.test.csv" --threads 2 | awk '$1 == "accuracy" { printf "%.2f", 100 * $2 }'; }
    # the bag's table, from the model's metadata
    bagt=$("$S" info "$TMP/en_bag.ssm" 2>/dev/null | python3 -c 'import json, sys
n = json.load(sys.stdin)["network"]; b = n["bag"]
print("[%d words + %d hashed bigram buckets, %d]" % (n["vocab_size"], b["buckets"], b["dim"]))' 2>/dev/null) ||
        bagt="[V + buckets, 32]"
    enb="the English default model (seqsent train mr.train.csv --epochs $EPOCHS --quiet, nothing else: no vectors; the bag on, --bag 32: a $bagt table whose mean joins the summary)"
    enn="the same without the bag (seqsent train mr.train.csv --bag 0 --epochs $EPOCHS --quiet), this seqsent, same run"
    enq="en_bag quantized (seqsent quantize -q en_bag.ssm --int8)"
    for t in 1 2; do
        emit_speed "predict.en_bag" "$t" "$TMP/t.new.en_bag.$t" "$TMP/t.new.en_nobag.$t" \
            "seqsent predict -m MODEL --threads $t < $NLEN lines (mr.test.csv texts), whole process wall time, best of $ROUNDS; $enb; reference: $enn" \
            "the same runs per CPU second (user + system, least of $ROUNDS); reference: the --bag 0 model" "$NLEN"
    done
    for t in 1 2; do
        emit_speed "predict.en_bag.int8" "$t" "$TMP/t.new.en_bag.int8.$t" "$TMP/t.new.en_bag.$t" \
            "seqsent predict -m MODEL --threads $t < $NLEN lines (mr.test.csv texts), whole process wall time, best of $ROUNDS; $enq; reference: the f32 en_bag model, this seqsent, same run" \
            "the same runs per CPU second (user + system, least of $ROUNDS); reference: the f32 en_bag model" "$NLEN"
    done
    szb=$(wc -c < "$TMP/en_bag.ssm" | awk '{ printf "%.2f", $1 / 1048576 }')
    szn=$(wc -c < "$TMP/en_nobag.ssm" | awk '{ printf "%.2f", $1 / 1048576 }')
    szq=$(wc -c < "$TMP/en_bag.int8.ssm" | awk '{ printf "%.2f", $1 / 1048576 }')
    emit "predict.en_bag.model_MB" "$szb" MB "$szn" "$(div "$szn" "$szb")" \
        "file size of $enb; reference: $enn (ratio = times smaller)"
    emit "predict.en_bag.int8.model_MB" "$szq" MB "$szb" "$(div "$szb" "$szq")" \
        "file size of $enq; reference: the f32 en_bag model (ratio = times smaller)"
    emit_startup "predict.en_bag.startup_ms" "$TMP/s.new.en_bag" "$TMP/s.new.en_nobag" \
        "echo one English sentence | seqsent predict -m MODEL" "$enb; reference: $enn"
    emit_startup "predict.en_bag.startup_unknown_ms" "$TMP/s.new.en_bag.unk" "$TMP/s.new.en_bag" \
        "the same sentence with one word the vocabulary lacks (endzq: matched to a known word by its character n-grams, --match-unknown, the default) | seqsent predict -m MODEL" \
        "$enb; reference: predict.en_bag.startup_ms, the sentence without it"
    emit "predict.en_bag.peak_rss_MB" "$(maxrss "$TMP/t.new.en_bag.2")" MB "$(maxrss "$TMP/t.new.en_nobag.2")" \
        "$(div "$(maxrss "$TMP/t.new.en_nobag.2")" "$(maxrss "$TMP/t.new.en_bag.2")")" \
        "peak RSS of predict --threads 2 on the $NLEN English lines; $enb; reference: $enn"
    emit "predict.en_bag.int8.peak_rss_MB" "$(maxrss "$TMP/t.new.en_bag.int8.2")" MB "$(maxrss "$TMP/t.new.en_bag.2")" \
        "$(div "$(maxrss "$TMP/t.new.en_bag.2")" "$(maxrss "$TMP/t.new.en_bag.int8.2")")" \
        "peak RSS of predict --threads 2 on the $NLEN English lines; $enq; reference: the f32 en_bag model"
    ab=$(acc_en "$TMP/en_bag.ssm"); an=$(acc_en "$TMP/en_nobag.ssm"); aq=$(acc_en "$TMP/en_bag.int8.ssm")
    emit "predict.en_bag.accuracy" "$ab" % "$an" "$(div "$ab" "$an")" \
        "seqsent eval -m MODEL mr.test.csv, both models after $EPOCHS epoch(s) of training; $enb; reference: $enn"
    emit "predict.en_bag.int8.accuracy" "$aq" % "$ab" "$(div "$aq" "$ab")" \
        "seqsent eval -m MODEL mr.test.csv; $enq; reference: the f32 en_bag model ($EPOCHS epoch(s) of training)"
fi
log "predict benchmark done"
