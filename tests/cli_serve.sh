#!/bin/sh
# tests/cli_serve.sh - `seqsent serve`, exercised over loopback with real
# HTTP clients (Python's http.client and raw sockets; curl when installed):
# /health, /info (the metadata of `seqsent info`), /predict equal byte for
# byte to `seqsent predict --output-format jsonl --threads 1` (top_k,
# threshold), 400 / 404 / 405 / 413 with JSON messages, 1000 requests from 8
# concurrent clients with none lost or wrong, SIGTERM while a request is in
# flight (it is answered, new connections are refused, exit 0), SIGINT, a
# port in use, usage errors.  Servers run on --port 0; the harness kills any
# left at exit.
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=serve CLI_TIMEOUT=120 CLI_LEAKS=1 . tests/harness.sh

if [ "$HAVE_PY" -ne 1 ]; then
    skip "seqsent serve (the clients need python3)"
    finish
    exit
fi
run "$S" serve -m "$T/none.ssm" --port 0
if err_has "without libmicrohttpd"; then
    fail "this seqsent was built without libmicrohttpd (scripts/install-deps.sh installs it; rebuild)"
    finish
    exit
fi
check "a missing model: exit 1, one line naming it" '[ $rc -eq 1 ] && err_has "none.ssm" && [ "$(lines "$T/err")" -eq 1 ]'

# usage errors
run "$S" serve --port 0
check "no -m: usage error" 'usage_err "no model"'
run "$S" serve -m x.ssm --port 65536
check "--port 65536: usage error" 'usage_err port'
run "$S" serve -m x.ssm --max-body 1X
check "--max-body 1X: usage error" 'usage_err max-body'
run "$S" serve -m x.ssm --max-batch 0
check "--max-batch 0: usage error" 'usage_err max-batch'

go "train a tiny 3-label model" "$S" train "$D/tweets3.train.csv" -o m3.ssm --epochs 2 --hidden 8 --embed-dim 8 --seed 5
go "train a tiny binary model" "$S" train "$D/movies_en.train.csv" -o m2.ssm --epochs 2 --hidden 8 --embed-dim 8 --seed 5

# texts: the test set's text column, an empty line, Chinese, an emoji, quotes
# and a backslash (JSON escapes); chunks for the concurrent clients
cut -d, -f2- "$D/tweets3.test.csv" | sed 1d | head -n 120 >texts.txt
printf '\n%s\n%s\n%s\n' "这部电影很好看" "great 😀 film" 'she said "no" \ twice' >>texts.txt
split -l 30 texts.txt chunk.
cut -d, -f2- "$D/movies_en.test.csv" | sed 1d | head -n 50 >texts2.txt

CLIENT="python3 $ROOT/tests/serve_client.py"
# got NAME: the answer NAME of the last batch, as the last command's output
got() { cp "$1.body" "$T/out" 2>/dev/null || : >"$T/out"; cp "$1.head" "$T/err" 2>/dev/null || : >"$T/err"; rc=0; }
status_is() { grep -qx "status $1" "$T/err" || { why="expected status $1"; return 1; }; }
# error_has NAME WORDS: the answer NAME is one line of JSON whose "error" has WORDS
error_has() {
    [ "$(lines "$T/out")" -eq 1 ] && grep -qF -- "$2" "$1.error" || { why="error: $(cat "$1.error")"; return 1; }
}
# expect JSONL: the /predict answer that `seqsent predict --output-format jsonl` lines make
expect() { printf '{"predictions":['; paste -sd, "$1" | tr -d '\n'; printf ']}\n'; }

# start_server LOG ARGS...: seqsent serve ARGS on a free port in the
# background; sets PID, and PORT once it is listening (empty if it never is)
start_server() {
    _log=$1; shift
    "$S" serve --port 0 "$@" 2>"$_log" &
    PID=$!
    BGPIDS="$BGPIDS $PID"
    _n=0
    PORT=
    while [ $_n -lt 1500 ] && kill -0 "$PID" 2>/dev/null; do
        PORT=$(sed -n 's|^seqsent serve: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$_log")
        [ -n "$PORT" ] && break
        sleep 0.02
        _n=$((_n + 1))
    done
}

# what seqsent predict answers, and the request bodies
"$S" info m3.ssm >info.json
run_in texts.txt "$S" predict -m m3.ssm --threads 1 --output-format jsonl
expect "$T/out" >want.json
run_in texts.txt "$S" predict -m m3.ssm --threads 1 --output-format jsonl --top-k 2
expect "$T/out" >want_top.json
run_in texts2.txt "$S" predict -m m2.ssm --threads 1 --output-format jsonl --threshold 0.3
expect "$T/out" >want2.json
head -n 90 texts.txt >t90.txt
cat t90.txt t90.txt t90.txt >t270.txt
awk '{ for (i = 0; i < 8; i++) printf "%s ", $0; print "" }' t90.txt t90.txt >long.txt
pairs=
chunks=
for f in chunk.*; do
    "$S" predict -m m3.ssm --threads 1 --output-format jsonl <"$f" >"$f.jsonl"
    expect "$f.jsonl" >"$f.want"
    pairs="$pairs $f.json:$f.want"
    chunks="$chunks $f.json=$f"
done
printf '{"texts": []}' >empty.json
printf '{"texts": ["caf\351"]}' >latin1.json
# shellcheck disable=SC2086
run $CLIENT bodies texts.json=texts.txt top.json=texts.txt,top_k=2 many.json=t270.txt long.json=long.txt \
    t2.json=texts2.txt,threshold=0.3 $chunks
check "write the request bodies" '[ $rc -eq 0 ] && [ -s texts.json ] && [ -s long.json ]'

start_server a.log -m m3.ssm --max-batch 200 --max-body 64K
rc=0
check "serve starts on a free loopback port and says so on stderr" '[ -n "$PORT" ] || { why="$(cat a.log)"; false; }'
[ -n "$PORT" ] || { finish; exit; }

# the requests of one client process, then their checks
cat >spec <<EOF
health GET /health
info GET /info
info samejson info.json
predict POST /predict texts.json
top POST /predict top.json
chunked POST /predict texts.json chunked
none POST /predict empty.json
latin1 POST /predict latin1.json
nowhere GET /nowhere
getpredict GET /predict
posthealth POST /health empty.json
many POST /predict many.json
declared declare 70000
long POST /predict long.json chunked
EOF
bad() {   # bad NAME BODY: request NAME posts BODY
    printf '%s' "$2" >"$1.json"
    echo "$1 POST /predict $1.json" >>spec
}
bad malformed '{"texts": ["a"'
bad trailing '{"texts": ["a"]} x'
bad array '["a", "b"]'
bad text '{"text": ["a"]}'
bad notarray '{"texts": "a"}'
bad number '{"texts": ["a", 2]}'
bad top0 '{"texts": ["a"], "top_k": 0}'
bad top15 '{"texts": ["a"], "top_k": 1.5}'
bad topstr '{"texts": ["a"], "top_k": "2"}'
bad threshold '{"texts": ["a"], "threshold": 0.3}'
bad emptybody ''
echo "after GET /health" >>spec
run $CLIENT batch "$PORT" spec
check "one client sends $(lines spec) requests, one after the other" '[ $rc -eq 0 ]'

got health
check "GET /health: 200 {\"status\":\"ok\"} as application/json" \
    'status_is 200 && out_is "{\"status\":\"ok\"}" && err_has "content-type: application/json"'
got info
check "GET /info: the metadata seqsent info prints (less its file section)" 'status_is 200 && grep -qx equal info.same'
got predict
check "POST /predict ($(lines texts.txt) texts): the bytes of seqsent predict's JSON lines" \
    'status_is 200 && [ -s want.json ] && cmp -s "$T/out" want.json'
got top
check "\"top_k\": 2 as predict --top-k 2" 'status_is 200 && cmp -s "$T/out" want_top.json'
got chunked
check "a chunked body is read whole" 'status_is 200 && cmp -s "$T/out" want.json'
got none
check "no texts: 200, no predictions" 'status_is 200 && out_is "{\"predictions\":[]}"'
if command -v curl >/dev/null 2>&1; then
    run curl -sS -H 'Content-Type: application/json' --data-binary @texts.json "http://127.0.0.1:$PORT/predict"
    check "curl: POST /predict, the same bytes" '[ $rc -eq 0 ] && cmp -s "$T/out" want.json'
else
    skip "curl: not installed"
fi

# 400, 404, 405, 413: one-line JSON messages
for x in "malformed:malformed JSON at byte" "trailing:malformed JSON at byte 17" "array:expected a JSON object" \
    'text:unknown key "text"' 'notarray:"texts" must be an array' "number:texts[1] is not a string" \
    'top0:"top_k" must be' 'top15:"top_k" must be' 'topstr:"top_k" must be' "threshold:needs a binary model" \
    "emptybody:empty body" "latin1:not valid UTF-8"; do
    got "${x%%:*}"
    check "400 ${x%%:*}: ${x#*:}" 'status_is 400 && error_has "${x%%:*}" "${x#*:}"'
done
got nowhere
check "404: an unknown path" 'status_is 404 && error_has nowhere "no such path: /nowhere"'
got getpredict
check "405: GET /predict, Allow: POST" 'status_is 405 && err_has "^allow: POST$" && error_has getpredict "not allowed"'
got posthealth
check "405: POST /health, Allow: GET, HEAD" 'status_is 405 && err_has "^allow: GET, HEAD$"'
got many
check "413: 270 texts, --max-batch 200" 'status_is 413 && error_has many "270 texts; at most 200"'
got declared
check "413 at once for a Content-Length over --max-body (64K): no body sent" \
    'status_is 413 && grep -q "over 65536 bytes (--max-body)" "$T/out"'
got long
check "413: a chunked body over --max-body ($(wc -c <long.json | tr -d " ") bytes)" \
    'status_is 413 && error_has long "over 65536 bytes"'
got after
check "the server answers after all that" 'status_is 200'

# 1000 requests from 8 concurrent clients, each answer checked
# shellcheck disable=SC2086
run $CLIENT load "$PORT" 8 1000 $pairs
check "1000 requests from 8 concurrent clients: every answer right" '[ $rc -eq 0 ] && out_is "1000 ok, 0 wrong, 0 failed"'

# a port in use: one clear line
run "$S" serve -m m3.ssm --port "$PORT"
check "a port in use: exit 1, one line saying so" \
    '[ $rc -eq 1 ] && err_has "Address already in use" && err_has "$PORT" && [ "$(lines "$T/err")" -eq 1 ]'

# SIGTERM while a request is in flight: it is answered, new connections are
# refused, the server exits 0
run $CLIENT drain "$PORT" "$PID" texts.json
drc=$rc
wait "$PID"
src=$?
check "SIGTERM: new connections refused at once" '[ $drc -eq 0 ] && out_is "new connections refused"'
got drain
check "SIGTERM during a request: that request is answered in full" 'status_is 200 && cmp -s "$T/out" want.json'
check "SIGTERM: the server waited for it, then exited 0" \
    '[ $src -eq 0 ] && grep -q "SIGTERM: no new connections; finishing 1 request in progress" a.log &&
     tail -n 1 a.log | grep -q "stopped$" || { why="exit $src; $(tail -n 3 a.log)"; false; }'
check "the access log: a line per request" \
    'grep -q "\"GET /health\" 200" a.log && grep -q "\"POST /predict\" 200 .* $(lines texts.txt) texts" a.log &&
     grep -q "\"GET /nowhere\" 404" a.log && [ "$(grep -c "\"POST /predict\" 200 .* texts$" a.log)" -ge 1000 ]'

# a binary model: "threshold" as predict --threshold; --quiet; SIGINT
start_server b.log -m m2.ssm --quiet --threads 1
echo "t2 POST /predict t2.json" >spec2
run $CLIENT batch "$PORT" spec2
got t2
check "binary model: \"threshold\": 0.3 as predict --threshold 0.3" 'status_is 200 && cmp -s "$T/out" want2.json'
kill -INT "$PID"
wait "$PID"
src=$?
check "SIGINT: exit 0; --quiet: no access log" \
    '[ $src -eq 0 ] && ! grep -q "POST /predict" b.log && grep -q "SIGINT: no new connections" b.log'
finish
