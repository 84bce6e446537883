# tests/harness.sh - the shared part of the CLI test scripts (tests/cli*.sh),
# sourced after they cd to the repository root:
#
#   CLI_NAME=cli-extra CLI_TIMEOUT=60 . tests/harness.sh
#
# Sets S (the binary: $SEQSENT, default ./seqsent, made absolute), D (the
# bundled data), T (a temporary directory, the working directory from here
# on, removed at exit unless KEEP_TMP is set; BGPIDS are killed), TAB, CR,
# TO (a timeout prefix so a hung command cannot hang the suite), HAVE_PY.
# Checks: `run CMD...` / `run_in FILE CMD...` capture rc, $T/out, $T/err;
# `check DESC CONDITION` evaluates the condition (shell code) and prints
# "ok - DESC" or "FAIL - DESC" with the last command's output; `finish`
# prints "N passed, N failed" and sets the exit status.
#
# QUICK is set (SEQSENT_QUICK=1: the sanitizer half of make check) when a
# script may run only the first of its repetitions of one check over thread
# or process counts: the other repetitions run the same code, which the
# plain half has already shown gives the same bits; the sanitizer half is
# there for memory and undefined-behaviour errors.

ROOT=$(pwd)
S=${SEQSENT:-$ROOT/seqsent}   # SEQSENT=/path/to/binary to test another build
case $S in /*) ;; *) S=$ROOT/$S ;; esac
D=$ROOT/tests/data
if [ ! -x "$S" ]; then
    echo "FAIL - $S is not built (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-${CLI_NAME:-cli}.XXXXXX") || exit 1
BGPIDS=
cleanup() {
    for p in $BGPIDS; do kill "$p" 2>/dev/null; done
    if [ -n "$KEEP_TMP" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
cd "$T" || exit 1

LC_ALL=C
export LC_ALL
TAB=$(printf '\t')
CR=$(printf '\r')

TO=
command -v timeout >/dev/null 2>&1 && TO="timeout ${CLI_TIMEOUT:-60}"
HAVE_PY=0
QUICK=${SEQSENT_QUICK:-}
# LeakSanitizer's scan at every exit costs ~40 ms a process (a sanitized
# `seqsent --version`: 68 ms with it, 28 without), a third of the sanitizer
# half.  A one-shot command's heap goes back at exit; leaks matter where a
# process lives on or loops: the unit tests (the library), and the scripts
# that set CLI_LEAKS=1 (serve; golden: every network kind through train,
# predict, eval; pretrain: its epochs and resume) keep the check.
if [ -n "$QUICK" ] && [ -z "${CLI_LEAKS:-}" ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    export ASAN_OPTIONS
fi
# Chinese data without --dict is cut by jieba's dict.txt (349k words): it
# costs a `train` 0.6 s (1 s under the sanitizers: loaded, its tables
# built twice, 18 MB written), 100 s of the sanitizer half's summed time
# and 50 s of the plain half's.  Only tests/cli.sh (CLI_JIEBA=1: the
# default dictionary's own checks, tokenizing and predicting with it) and
# the scripts that set SEQSENT_JIEBA_DICT themselves (cli_usability: the
# installed file) are about that dictionary; the others get the bundled
# 507-word stand-in, which makes the same kind of model file (the
# dictionary's words and lookup tables) on a smaller scale.
if [ -z "${CLI_JIEBA:-}" ] && [ -z "${SEQSENT_JIEBA_DICT+set}" ]; then
    SEQSENT_JIEBA_DICT=$D/zh_dict.txt
    export SEQSENT_JIEBA_DICT
fi
command -v python3 >/dev/null 2>&1 && python3 -c 'import json, struct' 2>/dev/null && HAVE_PY=1

passed=0
failed=0
rc=0
why=
: >"$T/out"
: >"$T/err"

pass() { passed=$((passed + 1)); echo "ok - $1"; why=; }
fail() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    [ -n "$why" ] && echo "    why: $why"
    echo "    last command exit status: $rc"
    echo "    stdout:"; head -n 10 "$T/out" | cut -c1-300 | sed 's/^/      | /'
    echo "    stderr:"; head -n 10 "$T/err" | cut -c1-300 | sed 's/^/      | /'
    why=
}
skip() { echo "skip - $1"; }
# check DESC CONDITION: CONDITION is shell code, evaluated after the last run.
check() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

# run CMD...: stdin from /dev/null; sets rc; output in $T/out and $T/err.
run_in() { _in=$1; shift; $TO "$@" <"$_in" >"$T/out" 2>"$T/err"; rc=$?; }
run() { run_in /dev/null "$@"; }

# go NAME CMD...: run CMD, a check named "run NAME" that it exits 0.
go() {
    _n=$1; shift
    run "$@"
    if [ "$rc" -eq 0 ]; then pass "run $_n"; else fail "run $_n"; fi
}

# interrupt_train EPOCH OUT ARGS...: run `$S train ARGS... -o OUT` in the
# background and send SIGINT once "epoch EPOCH/" is on its stderr; sets src
# to its exit status (130 when the checkpoint was written).  The command is
# $INTERRUPT_CMD when set (pretrain).
interrupt_train() {
    _ep=$1; _o=$2; shift 2
    "$S" "${INTERRUPT_CMD:-train}" "$@" -o "$_o" >/dev/null 2>"$_o.err" &
    _pid=$!
    BGPIDS="$BGPIDS $_pid"
    _n=0
    while ! grep -q "epoch $_ep/" "$_o.err" 2>/dev/null && [ $_n -lt 3000 ]; do sleep 0.02; _n=$((_n + 1)); done
    kill -INT "$_pid" 2>/dev/null
    wait "$_pid"
    src=$?
}

# Small predicates used in conditions.
lines() { wc -l <"$1" | tr -d ' '; }
out_is() { [ "$(cat "$T/out")" = "$1" ] || { why="expected stdout '$1'"; return 1; }; }
err_has() { grep -q -- "$1" "$T/err" || { why="stderr lacks '$1'"; return 1; }; }
out_has() { grep -q -- "$1" "$T/out" || { why="stdout lacks '$1'"; return 1; }; }
no_tmp_left() {
    _left=$(find "${1:-.}" -name '.*.tmp.*' 2>/dev/null)
    [ -z "$_left" ] || { why="leftover temp files: $_left"; return 1; }
}
# A usage error: exit 2, nothing on stdout, a message naming $1 on the first
# line of stderr, at most one more line (the "Try --help" hint).
usage_err() {
    [ "$rc" -eq 2 ] || { why="expected exit 2"; return 1; }
    [ ! -s "$T/out" ] || { why="stdout not empty"; return 1; }
    head -n 1 "$T/err" | grep -q -- "$1" || { why="first stderr line does not name '$1'"; return 1; }
    [ "$(lines "$T/err")" -le 2 ] || { why="message is more than one line (+hint)"; return 1; }
}
