#!/bin/sh
# bench.sh - `make bench`: seqsent measured side by side with its PyTorch twin
# (scripts/bench_torch.py) in one run.  One JSON object per figure on stdout:
#   {"name", "value", "unit", "reference", "ratio", "note"}
# ratio is always "times better than the reference": value/reference for rates
# (samples/s, GFLOP/s, MB/s, accuracy), reference/value for times and memory.
# Progress goes to stderr.  Run from anywhere; uses ./seqsent (built by make).
#
# Environment (all optional):
#   SHARED=../shared            data and vectors (shared/data, shared/vectors)
#   BENCH_SUBSET=2000           training rows for the training-speed and memory figures
#   BENCH_ROUNDS=2              alternating rounds of the subset training runs (best kept)
#   BENCH_EPOCHS=5              epochs of the accuracy runs (full train sets); 1 = quick
#   BENCH_PREDICT_LINES=100000  lines for the predict throughput figure
#   BENCH_SYNTH_WORDS=1000000 BENCH_SYNTH_DIM=100   synthetic vector file (about 1.0 GB)
#   BENCH_TORCH=0               skip the PyTorch side (references become null)
#   BENCH_TRAIN_REF=ffe9cff     the commit before the shards (issue 14): its --threads 2
#                               training speed beside this one's (built in the temp dir; none = skip)
#   BENCH_KEEP=1                keep the temporary directory
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/scripts/bench_lib.sh"

SUBSET=${BENCH_SUBSET:-2000}
ROUNDS=${BENCH_ROUNDS:-2}
[ "$ROUNDS" -ge 1 ] 2>/dev/null || ROUNDS=1
EPOCHS=${BENCH_EPOCHS:-5}
[ "$EPOCHS" -ge 1 ] 2>/dev/null || EPOCHS=1
PLINES=${BENCH_PREDICT_LINES:-100000}
SYN_WORDS=${BENCH_SYNTH_WORDS:-1000000}
SYN_DIM=${BENCH_SYNTH_DIM:-100}
PY=/usr/bin/python3   # Debian's python: a pyenv python3 on PATH would not see python3-torch

bench_setup bench "$DATA/chnsenticorp.train.csv" "$DATA/chnsenticorp.test.csv" "$DATA/mr.train.csv" \
    "$DATA/mr.test.csv" "$VEC"
export SEQSENT=$S

log "building helpers"
build_helper "$TMP" || { echo "bench: cannot build the helper (needs cc, OpenBLAS, zlib)" >&2; exit 1; }
H=$TMP/bench_helper
cc -O2 -o "$TMP/gen_vectors" scripts/gen_synthetic_vectors.c -lm || exit 1

# ---- the PyTorch side: Debian's python3-torch, installed when missing ----
TORCH=0
torch_ok() { [ -x "$PY" ] && "$PY" -c 'import torch, numpy' 2>/dev/null; }
if [ "${BENCH_TORCH:-1}" != 0 ]; then
    if ! torch_ok; then
        log "installing python3-torch python3-numpy (apt-get)"
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            --no-install-recommends python3-torch python3-numpy; } >/dev/null 2>&1
    fi
    if torch_ok; then TORCH=1; else log "PyTorch not available: references will be null"; fi
fi
SETUP_S=$(( $(date +%s) - BENCH_T0 ))
TORCH_VER=$([ $TORCH = 1 ] && "$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)

# run_torch OUT ARGS...: the twin, its stdout (JSON lines) into OUT, wall/RSS line on stdout
# (TORCH_ENV: a command prefix such as "env -u VAR")
run_torch() {
    out=$1; shift
    [ $TORCH = 1 ] || { : > "$out"; echo "null null null"; return; }
    ${TORCH_ENV:-} "$H" run 1 - "$out" "$PY" scripts/bench_torch.py "$@" || { echo "bench: torch run failed: $*" >&2; echo "null null null"; }
}

# ---- machine ----
CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
NCPU=$(nproc)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+uncommitted changes" || true)
OBLAS=$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo "?")
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
emit_str machine "$CPU, $NCPU cores" "$(date -u +%Y-%m-%dT%H:%MZ); load average at start $LOAD0; seqsent $COMMIT$DIRTY; OpenBLAS $OBLAS (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}); torch $TORCH_VER; ratio = times better than reference (value/ref for rates, ref/value for times and memory)"

# ---- 1. SGEMM at the LSTM shapes ----
for t in 1 2; do
    log "SGEMM, $t thread(s)"
    "$H" sgemm $t > "$TMP/sgemm$t.txt" || exit 1
done
SG1=$(awk '$1 == "total" { print $4 }' "$TMP/sgemm1.txt")
SG2=$(awk '$1 == "total" { print $4 }' "$TMP/sgemm2.txt")
FLOP_BATCH=$(awk '$1 == "total" { print $2 }' "$TMP/sgemm1.txt")
FLOP_SAMPLE=$(awk -v f="$FLOP_BATCH" 'BEGIN { printf "%.0f", f / 32 }')
for t in 1 2; do
    eval "v=\$SG$t"
    shapes=$(awk '$1 == "shape" { printf "%s%s %s x%d: %s", sep, $2, $3, $4, $5; sep = "; " }' "$TMP/sgemm$t.txt")
    emit "sgemm.lstm_train_mix.t$t" "$v" "GFLOP/s" null null \
        "OpenBLAS cblas_sgemm, $t thread(s), FLOP-weighted mix of one training batch's GEMMs (B=32 T=100 E=300 H=128, $(div "$FLOP_SAMPLE" 1e6 1) MFLOP/sample); per shape GFLOP/s: $shapes"
done
# Two cores can also run two single-threaded SGEMM streams side by side (what
# seqsent's worker threads do); the 2-core ceiling is the better of the two.
log "SGEMM, two single-threaded processes at once"
"$H" sgemm 1 > "$TMP/sgemm1a.txt" & "$H" sgemm 1 > "$TMP/sgemm1b.txt"; wait || exit 1
SGP=$(cat "$TMP/sgemm1a.txt" "$TMP/sgemm1b.txt" | awk '$1 == "total" { s += $4 } END { printf "%.2f", s }')
emit "sgemm.lstm_train_mix.2x1" "$SGP" "GFLOP/s" null null \
    "two bench_helper sgemm 1 processes at once (sum of their GFLOP/s), the same mix of shapes: the 2-core SGEMM ceiling when each core runs its own single-threaded GEMMs"
SG2=$(awk -v a="$SG2" -v b="$SGP" 'BEGIN { print (b > a ? b : a) }')

# ---- 2. training speed, Keras semantics, fixed subset ----
csv_head "$DATA/chnsenticorp.train.csv" "$TMP/sub.csv" "$SUBSET"
KERAS="--keras --embed $VEC --freeze --maxlen 100 --batch 32"
SUBNOTE="first $SUBSET rows of chnsenticorp.train.csv, frozen sgns 300-d, maxlen 100, batch 32, pre-padding, all steps"
# The same run by the last seqsent before the shards (their gradients summed
# per thread, so --threads changed the model): what the same bits on every
# thread count cost.  Its defaults were the recipe: no --keras.
TREF=${BENCH_TRAIN_REF:-ffe9cff}
RB=
if [ "$TREF" != none ]; then
    log "building seqsent at $TREF (before the shards)"
    mkdir "$TMP/tref" && git archive "$TREF" | tar -x -C "$TMP/tref" &&
        make -C "$TMP/tref" --no-print-directory seqsent >/dev/null 2>&1 && RB=$TMP/tref/seqsent ||
        log "cannot build $TREF: no comparison with it"
fi
REFKERAS="--embed $VEC --freeze --maxlen 100 --batch 32"
# ROUNDS alternating rounds (seqsent t1, t2, torch BLAS 1, 2); the best of each is kept,
# which damps the noise of other work on the machine.
r=1
while [ $r -le "$ROUNDS" ]; do
    if [ -n "$RB" ]; then
        log "round $r/$ROUNDS: seqsent $TREF train, subset, 2 threads"
        "$H" run 1 - - "$RB" train "$TMP/sub.csv" $REFKERAS --epochs 1 --threads 2 --quiet \
            --log "$TMP/kr2.$r.jsonl" -o "$TMP/subr.ssm" > /dev/null || RB=
    fi
    log "round $r/$ROUNDS: seqsent train, subset, 1 and 2 threads"
    "$H" run 1 - - "$S" train "$TMP/sub.csv" $KERAS --epochs 1 --threads 1 --quiet \
        --log "$TMP/k1.$r.jsonl" -o "$TMP/sub1.ssm" > /dev/null || exit 1
    x=$("$H" run 1 - - "$S" train "$TMP/sub.csv" $KERAS --epochs 1 --threads 2 --quiet \
        --log "$TMP/k2.$r.jsonl" -o "$TMP/sub2.ssm") || exit 1
    [ $r = 1 ] && R_T2=$x
    log "round $r/$ROUNDS: torch train, subset (threads 1, BLAS threads 1 and 2)"
    x=$(run_torch "$TMP/tb1.$r.jsonl" train -m "$TMP/sub1.ssm" --train "$TMP/sub.csv" --maxlen 100 --threads 1 --blas-threads 1)
    [ $r = 1 ] && R_TB1=$x
    x=$(run_torch "$TMP/tb2.$r.jsonl" train -m "$TMP/sub1.ssm" --train "$TMP/sub.csv" --maxlen 100 --threads 1 --blas-threads 2)
    [ $r = 1 ] && R_TB2=$x
    r=$((r + 1))
done
log "seqsent train, subset, 2 threads, 3 epochs (memory)"
R_T2E3=$("$H" run 1 - - "$S" train "$TMP/sub.csv" $KERAS --epochs 3 --threads 2 --quiet \
    --log "$TMP/k2e3.jsonl" -o "$TMP/sub3.ssm") || exit 1

SPS1=$(jmax samples_per_second "$TMP"/k1.*.jsonl)
SPS2=$(jmax samples_per_second "$TMP"/k2.*.jsonl)
TSB1=$(jmax samples_per_second "$TMP"/tb1.*.jsonl)
TSB2=$(jmax samples_per_second "$TMP"/tb2.*.jsonl)
ALL1=$(jall samples_per_second "$TMP"/k1.*.jsonl); ALL2=$(jall samples_per_second "$TMP"/k2.*.jsonl)
ALLT1=$(jall samples_per_second "$TMP"/tb1.*.jsonl); ALLT2=$(jall samples_per_second "$TMP"/tb2.*.jsonl)
TSPS=$TSB1; TR_RSS=$(echo "$R_TB1" | awk '{print $3}'); TBEST="torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1"
if [ "$(num "$TSB2")" != null ] && { [ "$(num "$TSB1")" = null ] || awk -v a="$TSB2" -v b="$TSB1" 'BEGIN { exit !(a > b) }'; }; then
    TSPS=$TSB2; TR_RSS=$(echo "$R_TB2" | awk '{print $3}'); TBEST="torch.set_num_threads(1), OPENBLAS_NUM_THREADS=2"
fi
emit torch.train.keras.samples_per_s "$TSPS" samples/s null null \
    "PyTorch $TORCH_VER twin, best of $ROUNDS round(s) of set_num_threads(1) with OPENBLAS_NUM_THREADS=1 ($ALLT1) and =2 ($ALLT2): $TBEST; 1 epoch, $SUBNOTE"
for t in 1 2; do
    eval "v=\$SPS$t; sg=\$SG$t; all=\$ALL$t"
    emit "train.keras.samples_per_s.t$t" "$v" samples/s "$TSPS" "$(div "$v" "$TSPS")" \
        "seqsent train --threads $t, 1 epoch (samples_per_second of --log), best of $ROUNDS round(s) ($all), $SUBNOTE; reference: PyTorch twin at its best setting"
    g=$(awk -v s="$(num "$v")" -v f="$FLOP_SAMPLE" 'BEGIN { if (s == "null") print "null"; else printf "%.2f", s * f / 1e9 }')
    emit "train.keras.gflops.t$t" "$g" GFLOP/s "$sg" "$(div "$g" "$sg")" \
        "samples/s x $(div "$FLOP_SAMPLE" 1e6 1) MFLOP/sample (GEMM FLOP of one sample's forward+backward); reference: SGEMM mix at the same shapes, $t thread(s) (for 2: the better of one 2-thread stream and two 1-thread streams)"
done
if [ -n "$RB" ]; then
    RSPS=$(jmax samples_per_second "$TMP"/kr2.*.jsonl)
    emit train.keras.samples_per_s.t2_vs_before_shards "$SPS2" samples/s "$RSPS" "$(div "$SPS2" "$RSPS")" \
        "seqsent train --threads 2 (the same bits on any thread or process count); reference: seqsent at $TREF, the commit before the shards, --threads 2 (its model depended on the thread count), the same options and rows, best of $ROUNDS interleaved round(s) ($(jall samples_per_second "$TMP"/kr2.*.jsonl)); $SUBNOTE"
fi
emit train.keras.threads_speedup "$(div "$SPS2" "$SPS1")" x null null "seqsent training samples/s, --threads 2 over --threads 1 ($(fmt "$SPS2") vs $(fmt "$SPS1")), $SUBNOTE"

# OpenBLAS's own choice of kernel.  Some machines set OPENBLAS_CORETYPE (here:
# Haswell, AVX2 kernels on an AVX-512 CPU); both sides are measured once more
# with it unset, so the figures above stay comparable with earlier runs.
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    log "seqsent and torch train, subset, OPENBLAS_CORETYPE unset"
    env -u OPENBLAS_CORETYPE "$H" run 1 - - "$S" train "$TMP/sub.csv" $KERAS --epochs 1 --threads 2 --quiet \
        --log "$TMP/kn2.jsonl" -o "$TMP/subn.ssm" > /dev/null || exit 1
    NSPS=$(jmax samples_per_second "$TMP/kn2.jsonl")
    x=$(TORCH_ENV="env -u OPENBLAS_CORETYPE" run_torch "$TMP/tn1.jsonl" train -m "$TMP/sub1.ssm" --train "$TMP/sub.csv" --maxlen 100 --threads 1 --blas-threads 1)
    NTSPS=$(jmax samples_per_second "$TMP/tn1.jsonl")
    emit torch.train.keras.samples_per_s.native_kernels "$NTSPS" samples/s "$TSPS" "$(div "$NTSPS" "$TSPS")" \
        "PyTorch twin, set_num_threads(1), OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE unset (OpenBLAS picks its kernels from the CPU); reference: the same with OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE; $SUBNOTE"
    emit train.keras.samples_per_s.t2.native_kernels "$NSPS" samples/s "$NTSPS" "$(div "$NSPS" "$NTSPS")" \
        "seqsent train --threads 2 with OPENBLAS_CORETYPE unset; reference: the twin with OPENBLAS_CORETYPE unset; $SUBNOTE"
fi

RSS1=$(echo "$R_T2" | awk '{ printf "%.1f", $3 / 1024 }')
RSS3=$(echo "$R_T2E3" | awk '{ printf "%.1f", $3 / 1024 }')
TRSS=$(awk -v k="$(num "$TR_RSS")" 'BEGIN { if (k == "null") print "null"; else printf "%.1f", k / 1024 }')
emit train.peak_rss.1epoch "$RSS1" MB "$TRSS" "$(div "$TRSS" "$RSS1")" \
    "peak RSS (wait4 ru_maxrss, MiB) of seqsent train --threads 2, 1 epoch, incl. loading the vectors; reference: the PyTorch twin process (python+torch) on the same data; $SUBNOTE"
emit train.peak_rss.3epochs "$RSS3" MB "$RSS1" "$(div "$RSS1" "$RSS3")" \
    "same with 3 epochs; reference: the 1-epoch run (ratio 1.0 = no growth across epochs); per-epoch samples/s $(sed -n 's/.*"samples_per_second":\([0-9.]*\).*/\1/p' "$TMP/k2e3.jsonl" | awk '{ printf "%s%.0f", s, $1; s = ", " }')"

# ---- 3. accuracy after $EPOCHS epochs on the full training set, Keras semantics ----
FULLNOTE="chnsenticorp.train.csv (6,212 non-empty rows), frozen sgns 300-d, maxlen 100, batch 32, $EPOCHS epoch(s), test: chnsenticorp.test.csv (1,553)"
log "seqsent train, full chnsenticorp, $EPOCHS epochs (default threads)"
"$H" run 1 - - "$S" train "$DATA/chnsenticorp.train.csv" $KERAS --epochs "$EPOCHS" --quiet \
    --log "$TMP/full.jsonl" -o "$TMP/full.ssm" > /dev/null || exit 1
"$S" eval -m "$TMP/full.ssm" --json "$DATA/chnsenticorp.test.csv" > "$TMP/full_eval.json" || exit 1
log "torch train, full chnsenticorp, $EPOCHS epochs"
run_torch "$TMP/tfull.jsonl" train -m "$TMP/full.ssm" --train "$DATA/chnsenticorp.train.csv" \
    --test "$DATA/chnsenticorp.test.csv" --maxlen 100 --epochs "$EPOCHS" --threads 1 \
    --blas-threads "$(echo "$TBEST" | sed 's/.*=//')" > /dev/null
ACC=$(awk -v a="$(jget "$TMP/full_eval.json" accuracy)" 'BEGIN { if (a == "null") print "null"; else printf "%.2f", a * 100 }')
TACC=$(awk -v a="$(jget "$TMP/tfull.jsonl" test_accuracy)" 'BEGIN { if (a == "null") print "null"; else printf "%.2f", a * 100 }')
DIFF=$(awk -v a="$ACC" -v b="$TACC" 'BEGIN { if (a == "null" || b == "null") print "n/a"; else printf "%+.2f", a - b }')
emit accuracy.keras.chnsenticorp "$ACC" "%" "$TACC" "$(div "$ACC" "$TACC")" \
    "test accuracy after training on $FULLNOTE; seqsent --threads default; difference $DIFF points; reference: PyTorch twin (same ids, init scheme, Adam; own RNG)"
# the twin with seqsent's trained weights must score exactly as seqsent eval does
run_torch "$TMP/tcheck.jsonl" check -m "$TMP/full.ssm" --data "$DATA/chnsenticorp.test.csv" > /dev/null
CL=$(jget "$TMP/tcheck.jsonl" loss); SL=$(jget "$TMP/full_eval.json" loss)
emit twin.check.test_loss "$CL" "" "$SL" "$(div "$SL" "$CL" 6)" \
    "test loss of the PyTorch twin with seqsent's trained weights loaded (same ids via seqsent tokenize|pad) vs seqsent eval's: equal values show both sides compute the same network on the same input (accuracy $(jget "$TMP/tcheck.jsonl" accuracy) vs $(jget "$TMP/full_eval.json" accuracy))"
FSPS=$(jmean "$TMP/full.jsonl" samples_per_second)
TFSPS=$(grep '"mode": "train"' "$TMP/tfull.jsonl" 2>/dev/null > "$TMP/tfull_ep.jsonl"; jmean "$TMP/tfull_ep.jsonl" samples_per_second)
emit train.keras.full.samples_per_s "$FSPS" samples/s "$TFSPS" "$(div "$FSPS" "$TFSPS")" \
    "mean over epochs of the accuracy runs ($FULLNOTE); seqsent --threads default ($NCPU), PyTorch twin set_num_threads(1)"

# ---- 4. --mask + --bucket vs the twin at Keras semantics ----
if "$S" train --help 2>/dev/null | grep -q -- '--bucket'; then
    log "seqsent train --mask --bucket, chnsenticorp, $EPOCHS epochs"
    "$H" run 1 - - "$S" train "$DATA/chnsenticorp.train.csv" $KERAS --mask --bucket --epochs "$EPOCHS" --quiet \
        --log "$TMP/mb_chn.jsonl" -o "$TMP/mb_chn.ssm" > /dev/null || exit 1
    "$S" eval -m "$TMP/mb_chn.ssm" --json "$DATA/chnsenticorp.test.csv" > "$TMP/mb_chn_eval.json"
    log "seqsent train --mask --bucket, mr, $EPOCHS epochs"
    "$H" run 1 - - "$S" train "$DATA/mr.train.csv" --keras --maxlen 50 --batch 32 --mask --bucket --epochs "$EPOCHS" --quiet \
        --log "$TMP/mb_mr.jsonl" -o "$TMP/mb_mr.ssm" > /dev/null || exit 1
    "$S" eval -m "$TMP/mb_mr.ssm" --json "$DATA/mr.test.csv" > "$TMP/mb_mr_eval.json"
    log "torch train, mr, Keras semantics, $EPOCHS epochs"
    run_torch "$TMP/tmr.jsonl" train -m "$TMP/mb_mr.ssm" --train "$DATA/mr.train.csv" --test "$DATA/mr.test.csv" \
        --maxlen 50 --epochs "$EPOCHS" --trainable --threads 1 --blas-threads "$(echo "$TBEST" | sed 's/.*=//')" > /dev/null
    grep '"mode": "train"' "$TMP/tmr.jsonl" 2>/dev/null > "$TMP/tmr_ep.jsonl"
    for d in chn mr; do
        if [ $d = chn ]; then
            name=chnsenticorp; tep=$TMP/tfull_ep.jsonl; tacc=$TMP/tfull.jsonl
            dn="chnsenticorp.train.csv, frozen sgns 300-d, maxlen 100"
        else
            name=mr; tep=$TMP/tmr_ep.jsonl; tacc=$TMP/tmr.jsonl
            dn="mr.train.csv (8,530), random trainable 300-d embedding on both sides (no English vectors), maxlen 50"
        fi
        es=$(jmean "$TMP/mb_$d.jsonl" seconds)
        tes=$(jmean "$tep" seconds)
        emit "train.mask_bucket.$name.epoch_s" "$es" s "$tes" "$(div "$tes" "$es")" \
            "mean epoch seconds over $EPOCHS epoch(s) of seqsent train --mask --bucket ($dn, batch 32, --threads default); reference: PyTorch twin at Keras semantics (every padded step), set_num_threads(1)"
        a=$(awk -v a="$(jget "$TMP/mb_${d}_eval.json" accuracy)" 'BEGIN { if (a == "null") print "null"; else printf "%.2f", a * 100 }')
        ta=$(awk -v a="$(jget "$tacc" test_accuracy)" 'BEGIN { if (a == "null") print "null"; else printf "%.2f", a * 100 }')
        emit "accuracy.mask_bucket.$name" "$a" "%" "$ta" "$(div "$a" "$ta")" \
            "test accuracy after $EPOCHS epoch(s): seqsent --mask --bucket vs PyTorch twin at Keras semantics ($dn)"
    done
else
    emit train.mask_bucket.chnsenticorp.epoch_s null s null null "skipped: this seqsent has no train --bucket"
    emit train.mask_bucket.mr.epoch_s null s null null "skipped: this seqsent has no train --bucket"
fi

# ---- 5. inference: eval (tokenization included) vs the twin's forward passes ----
NTEST=$(sed -n 's/.*"n":\([0-9]*\).*/\1/p' "$TMP/full_eval.json")
log "inference: seqsent eval, torch infer"
for t in 1 2; do
    r=$("$H" run 3 - /dev/null "$S" eval -m "$TMP/full.ssm" --threads $t "$DATA/chnsenticorp.test.csv") || exit 1
    eval "EV$t=\$(echo \"\$r\" | awk -v n=\"\$NTEST\" '{ printf \"%.1f\", n / \$2 }')"
done
run_torch "$TMP/ti1.jsonl" infer -m "$TMP/full.ssm" --data "$DATA/chnsenticorp.test.csv" --repeat 3 --threads 1 --blas-threads 1 > /dev/null
run_torch "$TMP/ti2.jsonl" infer -m "$TMP/full.ssm" --data "$DATA/chnsenticorp.test.csv" --repeat 3 --threads 1 --blas-threads 2 > /dev/null
TI1=$(jget "$TMP/ti1.jsonl" samples_per_second); TI2=$(jget "$TMP/ti2.jsonl" samples_per_second)
TI=$(awk -v a="$(num "$TI1")" -v b="$(num "$TI2")" 'BEGIN { if (a == "null") print b; else if (b == "null" || a >= b) print a; else print b }')
emit torch.infer.samples_per_s "$TI" samples/s null null \
    "PyTorch twin forward only (no tokenization, no start-up), batch 256, fastest of 3 passes over chnsenticorp.test.csv ($NTEST rows), set_num_threads(1), best of OPENBLAS_NUM_THREADS=1 ($TI1) and 2 ($TI2)"
for t in 1 2; do
    eval "v=\$EV$t"
    emit "infer.eval.samples_per_s.t$t" "$v" samples/s "$TI" "$(div "$v" "$TI")" \
        "seqsent eval --threads $t (batch 256) over chnsenticorp.test.csv ($NTEST rows): whole process wall time (start-up, model load, CSV, tokenization, forward, report), fastest of 3; reference: PyTorch twin forward passes only"
done

# ---- 6. predict: start-up and throughput ----
printf '%s\n' '房间很干净，服务也很热情，下次还会再来。' > "$TMP/one.txt"
log "predict start-up"
r=$("$H" run 11 "$TMP/one.txt" /dev/null "$S" predict -m "$TMP/full.ssm") || exit 1
PST=$(echo "$r" | awk '{ printf "%.1f", $1 * 1000 }'); PSTMIN=$(echo "$r" | awk '{ printf "%.1f", $2 * 1000 }')
PRSS=$(echo "$r" | awk '{ printf "%.1f", $3 / 1024 }')
MSIZE=$(wc -c < "$TMP/full.ssm" | awk '{ printf "%.1f", $1 / 1048576 }')
emit predict.startup_ms "$PST" ms 50 "$(div 50 "$PST")" \
    "echo one line | seqsent predict -m MODEL: whole process wall time (exec, model load + checksum, first output, exit), median of 11 (min $PSTMIN ms, peak RSS $PRSS MiB); reference model ($MSIZE MiB: chnsenticorp vocabulary, frozen sgns 300-d); reference: the 50 ms target"
# 100k lines: the test texts (newlines inside a text become spaces), repeated
if [ -x "$PY" ] || command -v python3 >/dev/null; then
    P=$([ -x "$PY" ] && echo "$PY" || echo python3)
    "$P" - "$DATA/chnsenticorp.test.csv" "$PLINES" > "$TMP/lines.txt" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
texts = [" ".join(r[-1].split()) for r in rows if r and r[-1].strip()]
n = int(sys.argv[2])
sys.stdout.write("".join(texts[i % len(texts)] + "\n" for i in range(n)))
EOF
else   # no python: the token lines of the test set stand in for the texts
    "$S" tokenize -m "$TMP/full.ssm" "$DATA/chnsenticorp.test.csv" > "$TMP/tok.txt"
    awk -v n="$PLINES" '{ l[NR] = $0 } END { for (i = 0; i < n; i++) print l[i % NR + 1] }' "$TMP/tok.txt" > "$TMP/lines.txt"
fi
NL=$(wc -l < "$TMP/lines.txt")
log "predict throughput, $NL lines"
r=$("$H" run 1 "$TMP/lines.txt" /dev/null "$S" predict -m "$TMP/full.ssm") || exit 1
PTP=$(echo "$r" | awk -v n="$NL" '{ printf "%.1f", n / $1 }')
emit predict.lines_per_s "$PTP" lines/s "$TI" "$(div "$PTP" "$TI")" \
    "seqsent predict (defaults: --threads 1, --batch 64) on $NL lines (chnsenticorp test texts repeated), whole process, stdin to stdout; reference: PyTorch twin forward passes only (batch 256, no tokenization)"

# ---- 7. vector loading ----
log "vector loading"
"$S" vocab "$DATA/chnsenticorp.train.csv" --dict-vectors "$VEC" -o "$TMP/base.ssm" 2> /dev/null || exit 1
NVOC=$("$S" info "$TMP/base.ssm" | tr -d ' \t' | sed -n 's/^"size":\([0-9]*\).*/\1/p' | head -n 1)
ZR=$("$H" zread "$VEC") || exit 1
VBYTES=$(echo "$ZR" | awk '{ print $1 }')
ZMBS=$(echo "$ZR" | awk '{ printf "%.1f", $1 / 1e6 / $2 }')
zcat "$VEC" | sed -n '1s/.*/1 300/p; 2p; 2q' > "$TMP/one.vec"
OV=$("$H" run 3 - /dev/null "$S" embed "$TMP/base.ssm" "$TMP/one.vec" -o "$TMP/e.ssm" --quiet | awk '{ print $2 }')
r=$("$H" run 3 - /dev/null "$S" embed "$TMP/base.ssm" "$VEC" -o "$TMP/e.ssm" --quiet) || exit 1
VGZ=$(echo "$r" | awk -v b="$VBYTES" '{ printf "%.1f", b / 1e6 / $2 }')
VGZN=$(echo "$r" | awk -v b="$VBYTES" -v o="$OV" '{ d = $2 - o; if (d > 0) printf "%.0f", b / 1e6 / d; else print "n/a" }')
emit vectors.gz.MB_per_s "$VGZ" MB/s "$ZMBS" "$(div "$VGZ" "$ZMBS")" \
    "seqsent embed (chnsenticorp.train vocabulary, $NVOC entries) from sgns.zh-reviews .gz ($(div "$VBYTES" 1e6 1) MB uncompressed, 22,872 x 300): uncompressed MB / whole-process wall time, fastest of 3 (about $VGZN MB/s less the fixed cost of a 1-row file: $(awk -v o="$OV" 'BEGIN { printf "%.0f", o * 1000 }') ms); reference: zlib gzread of the same file"
# The load itself: the same wall time less the fixed cost of the command
# (reading the base, writing the 23 MB output model with fsync), measured
# with a one-row vector file.  .gz is inflated on a reader thread while the
# main thread parses, so this is what zlib allows.
VGZL=$(echo "$VGZN" | awk '{ if ($1 == "n/a") print "null"; else print $1 }')
emit vectors.gz.load_MB_per_s "$VGZL" MB/s "$ZMBS" "$(div "$VGZL" "$ZMBS")" \
    "seqsent embed from the sgns .gz: uncompressed MB / (wall time - $(awk -v o="$OV" 'BEGIN { printf "%.0f", o * 1000 }') ms, the same command's time on a 1-row vector file); reference: zlib gzread of the same file (inflate only, nothing parsed)"
zcat "$VEC" > "$TMP/plain.vec"
r=$("$H" run 3 - /dev/null "$S" embed "$TMP/base.ssm" "$TMP/plain.vec" -o "$TMP/e.ssm" --quiet) || exit 1
VPL=$(echo "$r" | awk -v b="$VBYTES" '{ printf "%.1f", b / 1e6 / $2 }')
VPLN=$(echo "$r" | awk -v b="$VBYTES" -v o="$OV" '{ d = $2 - o; if (d > 0) printf "%.0f", b / 1e6 / d; else print "n/a" }')
emit vectors.plain.MB_per_s "$VPL" MB/s 300 "$(div "$VPL" 300)" \
    "same file uncompressed (page cache warm), fastest of 3 (about $VPLN MB/s less the fixed cost); reference: the 300 MB/s target"
rm -f "$TMP/plain.vec"
zcat "$VEC" | sed 1d | cut -d' ' -f1 > "$TMP/words.txt"
log "generating the synthetic vector file ($SYN_WORDS words x $SYN_DIM)"
"$TMP/gen_vectors" "$TMP/synth.vec" "$SYN_WORDS" "$SYN_DIM" "$TMP/words.txt" || exit 1
SBYTES=$(wc -c < "$TMP/synth.vec")
r=$("$H" run 2 - /dev/null "$S" embed "$TMP/base.ssm" "$TMP/synth.vec" -o "$TMP/e.ssm" --quiet) || exit 1
rm -f "$TMP/synth.vec"
VSY=$(echo "$r" | awk -v b="$SBYTES" '{ printf "%.1f", b / 1e6 / $2 }')
emit vectors.synthetic.MB_per_s "$VSY" MB/s 300 "$(div "$VSY" 300)" \
    "seqsent embed (same vocabulary) from a synthetic plain word2vec file: $SYN_WORDS words x $SYN_DIM dims, $(div "$SBYTES" 1e6 0) MB, values formatted like sgns ('-0.0823242'), the first 22,872 words real (so the vocabulary's words are found, parsed and kept; the other rows are skipped); page cache warm, fastest of 2; reference: the 300 MB/s target"

TOTAL=$(( $(date +%s) - BENCH_T0 ))
emit bench.runtime_s "$TOTAL" s 900 "$(div 900 "$TOTAL")" \
    "load average at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); wall time of scripts/bench.sh (of which ${SETUP_S}s helper builds and package checks/installs; make not included); reference: the 15-minute budget"
log "done in ${TOTAL}s"
