#!/bin/sh
# bench_serve.sh - `make bench-serve`: seqsent serve over loopback, requests/s
# and p50/p99 latency at 1 and 8 concurrent clients (one text a request, and
# 64 texts a request at 8 clients), next to seqsent predict's lines/s on the
# same model.  One JSON object per figure on stdout, as scripts/bench.sh
# prints them (reference: predict's lines/s with the server's thread count;
# ratio: texts/s over it); progress on stderr.
#
# The model is the recipe's network (2 x LSTM-128, maxlen 100, 300-d
# embedding) trained for one epoch on a subset of ChnSentiCorp: the cost of
# a prediction depends on the network, not on how well it was trained.  The
# load generator (scripts/bench_serve.py) is bounded: a fixed number of
# requests, and a time limit; it shares the machine's cores with the server.
#
# Environment (all optional):
#   SHARED=../shared               data (shared/data)
#   BENCH_SUBSET=2000              training rows
#   BENCH_SERVE_REQUESTS=2000      requests of one text per figure (a tenth of it of 64 texts)
#   BENCH_SERVE_THREADS=           serve --threads and predict --threads (default: all cores)
#   BENCH_KEEP=1                   keep the temporary directory
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/scripts/bench_lib.sh"

SHARED=${SHARED:-../shared}
DATA=$SHARED/data
SUBSET=${BENCH_SUBSET:-2000}
NREQ=${BENCH_SERVE_REQUESTS:-2000}
THREADS=${BENCH_SERVE_THREADS:-$(nproc)}
for f in "$DATA/chnsenticorp.train.csv" "$DATA/chnsenticorp.test.csv"; do
    [ -r "$f" ] || { echo "bench-serve: $f not found (set SHARED=)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "bench-serve: needs python3 (the load generator)" >&2; exit 1; }
[ -x ./seqsent ] || make --no-print-directory seqsent >&2 || exit 1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-bench-serve.XXXXXX") || exit 1
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    if [ -n "${BENCH_KEEP:-}" ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp ./seqsent "$TMP/seqsent"   # a concurrent rebuild cannot change the binary mid-run
S=$TMP/seqsent

log "training the recipe network on $SUBSET rows, one epoch"
csv_head "$DATA/chnsenticorp.train.csv" "$TMP/sub.csv" "$SUBSET"
"$S" train "$TMP/sub.csv" --keras --embed-dim 300 --hidden 128 --layers 2 --maxlen 100 --epochs 1 --quiet \
    -o "$TMP/m.ssm" >&2 || exit 1

# the test texts, one a line (newlines inside a text become spaces); the
# request bodies: the first text alone, and the first 64
python3 - "$DATA/chnsenticorp.test.csv" "$TMP" <<'EOF' || exit 1
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
texts = [" ".join(r[-1].split()) for r in rows if r and r[-1].strip()]
open(sys.argv[2] + "/lines.txt", "w", encoding="utf-8").write("".join(t + "\n" for t in texts))
for n in (1, 64):
    open(sys.argv[2] + "/body%d.json" % n, "w", encoding="utf-8").write(json.dumps({"texts": texts[:n]}, ensure_ascii=False))
EOF
NL=$(wc -l < "$TMP/lines.txt")

log "predict --threads $THREADS, $NL lines"
t0=$(date +%s.%N)
"$S" predict -m "$TMP/m.ssm" --threads "$THREADS" < "$TMP/lines.txt" > /dev/null || exit 1
t1=$(date +%s.%N)
PLPS=$(awk -v a="$t0" -v b="$t1" -v n="$NL" 'BEGIN { printf "%.1f\n", n / (b - a) }')
emit serve.predict_lines_per_s "$PLPS" lines/s "" "" \
    "seqsent predict -m MODEL --threads $THREADS on the $NL ChnSentiCorp test texts, whole process (the reference of the serve figures); MODEL: 2 x LSTM-128, maxlen 100, 300-d embedding"

"$S" serve -m "$TMP/m.ssm" --port 0 --quiet --threads "$THREADS" --max-batch 1000 2> "$TMP/serve.log" &
PID=$!
n=0
PORT=
while [ $n -lt 500 ] && [ -z "$PORT" ] && kill -0 "$PID" 2>/dev/null; do
    sleep 0.02
    PORT=$(sed -n 's|^seqsent serve: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$TMP/serve.log")
    n=$((n + 1))
done
[ -n "$PORT" ] || { cat "$TMP/serve.log" >&2; echo "bench-serve: the server did not start" >&2; exit 1; }

# load CLIENTS TEXTS NAME REQUESTS: one figure set
load() {
    log "serve: $4 requests of $2 text(s) from $1 client(s)"
    python3 "$ROOT/scripts/bench_serve.py" "$PORT" "$1" "$4" "$TMP/body$2.json" 120 > "$TMP/$3.json" || exit 1
    rps=$(jget "$TMP/$3.json" rps)
    ok=$(jget "$TMP/$3.json" ok)
    errs=$(jget "$TMP/$3.json" errors)
    tps=$(awk -v r="$rps" -v t="$2" 'BEGIN { printf "%.1f\n", r * t }')
    note="$1 concurrent loopback client(s), keep-alive, $2 text(s) a request, $ok answers ($errs errors), serve --threads $THREADS; reference: predict lines/s"
    if [ "$2" -eq 1 ]; then
        emit "serve.$3.requests_per_s" "$rps" requests/s "$PLPS" "$(div "$tps" "$PLPS")" "$note"
    else
        emit "serve.$3.texts_per_s" "$tps" texts/s "$PLPS" "$(div "$tps" "$PLPS")" "$note"
    fi
    emit "serve.$3.p50_ms" "$(jget "$TMP/$3.json" p50_ms)" ms "" "" "median latency, send to last byte; $note"
    emit "serve.$3.p99_ms" "$(jget "$TMP/$3.json" p99_ms)" ms "" "" "99th percentile latency; $note"
}
load 1 1 c1 "$NREQ"
load 8 1 c8 "$NREQ"
load 8 64 c8_batch64 $((NREQ / 10))   # as many texts as 200 requests of 64 carry, by default

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
[ $rc -eq 0 ] || { echo "bench-serve: the server exited $rc on SIGTERM" >&2; exit 1; }
log "done"
