#!/bin/sh
# tests/fuzz/run.sh - build and run the libFuzzer harnesses.
#
#   sh tests/fuzz/run.sh SECONDS [HARNESS...]      (make fuzz FUZZ_SECONDS=N)
#
# Builds the library (src/<layer>/*.c but the cli layer) and every tests/fuzz/fuzz_*.c with
# clang -fsanitize=fuzzer,address,undefined into build-fuzz/, then runs each
# harness (default: csv tokenize vectors model) for SECONDS on a copy of its
# seed corpus tests/fuzz/corpus/NAME/ (so new inputs never land in the
# repository), with the libFuzzer dictionary tests/fuzz/NAME.dict.  Prints per harness the executions and crashes; a crashing
# input is kept as build-fuzz/artifacts/NAME-crash-* (replay it with
# build-fuzz/fuzz_NAME FILE).  Exits 1 if any harness crashed or failed to
# build.  Installs nothing: `make fuzz` installs clang first.
#
# Environment: FUZZ_CC (default clang), FUZZ_JOBS (parallel compiles),
# FUZZ_ARGS (extra libFuzzer options), KEEP_TMP=1 keeps the work directory.

cd "$(dirname "$0")/../.." || exit 1
SECS=${1:-60}
[ $# -gt 0 ] && shift
case $SECS in ''|*[!0-9]*) echo "usage: sh tests/fuzz/run.sh SECONDS [HARNESS...]" >&2; exit 2 ;; esac
HARNESSES=${*:-csv tokenize vectors model}
CC=${FUZZ_CC:-clang}
B=build-fuzz

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found (make fuzz installs clang and libclang-rt-14-dev)" >&2
    exit 1
fi
PKGS="openblas libcjson libutf8proc"
PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null) || { echo "fuzz: pkg-config $PKGS failed" >&2; exit 1; }
PKG_LIBS=$(pkg-config --libs $PKGS)
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# OpenBLAS is opened when the first product runs (src/base/dynlib.h), by the
# soname and file the build saw: the same two the Makefile's dyn_defs records.
BLAS_FILE=$(realpath "$(pkg-config --variable=libdir openblas)/libopenblas.so" 2>/dev/null)
[ -f "$BLAS_FILE" ] || BLAS_FILE=$(realpath "$($CC -print-file-name=libopenblas.so)" 2>/dev/null)
BLAS_SONAME=$(objdump -p "$BLAS_FILE" 2>/dev/null | awk '/SONAME/ { print $2 }')
[ -n "$BLAS_SONAME" ] || { echo "fuzz: no libopenblas.so found (scripts/install-deps.sh installs libopenblas-dev)" >&2; exit 1; }
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$B/obj" "$B/artifacts" || exit 1
# The compile flags go to clang as a response file (keeps the quotes of the
# version string intact through xargs / sh -c).
RSP=$B/cflags.rsp
printf '%s\n' -g -O1 -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE -Wall -Wno-unused-function -Isrc \
    $PKG_CFLAGS $SAN "'-DSEQSENT_VERSION=\"${VERSION:-fuzz}\"'" \
    "'-DSEQSENT_BLAS_SONAME=\"$BLAS_SONAME\"'" "'-DSEQSENT_BLAS_PATH=\"$BLAS_FILE\"'" >"$RSP.new"
if cmp -s "$RSP.new" "$RSP"; then rm -f "$RSP.new"; else mv "$RSP.new" "$RSP"; fi
CFLAGS="@$RSP"

# ---- build (incremental: an object is rebuilt when its source, a header or
# the flags changed) ----
newest_hdr=$(ls -t src/*/*.h tests/fuzz/*.h "$RSP" 2>/dev/null | head -n 1)
newer() { [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]; }   # POSIX "$1 -nt $2"
todo=
LIB_SRC=$(ls src/base/*.c src/text/*.c src/nn/*.c src/model/*.c src/train/*.c)
for src in $LIB_SRC; do
    obj=$B/obj/$(basename "$src" .c).o
    if [ ! -f "$obj" ] || newer "$src" "$obj" || newer "$newest_hdr" "$obj"; then todo="$todo $src"; fi
done
# objects of sources that no longer exist must not be linked
for obj in "$B"/obj/*.o; do
    [ -f "$obj" ] || continue
    ls src/*/"$(basename "$obj" .o).c" >/dev/null 2>&1 || rm -f "$obj"
done
if [ -n "$todo" ]; then
    echo "fuzz: compiling$(echo "$todo" | wc -w | tr -d ' ' | sed 's/^/ /') library sources with $CC"
    # shellcheck disable=SC2086
    printf '%s\n' $todo | xargs -P "$JOBS" -I{} sh -c \
        'o='"$B"'/obj/$(basename "$1" .c).o; '"$CC"' '"$CFLAGS"' -fsanitize=fuzzer-no-link -c -o "$o.tmp" "$1" && mv "$o.tmp" "$o"' sh {} \
        || { echo "fuzz: library build failed"; exit 1; }
fi
for h in $HARNESSES; do
    src=tests/fuzz/fuzz_$h.c
    bin=$B/fuzz_$h
    [ -f "$src" ] || { echo "fuzz: no harness $src" >&2; exit 1; }
    extra=
    [ "$h" = csv ] && extra="-Wl,--wrap=read"   # fuzz_csv.c cuts reads into pieces
    [ "$h" = model ] && extra="-Wl,--wrap=mmap,--wrap=munmap"   # fuzz_model.c maps files onto the heap
    if [ ! -x "$bin" ] || newer "$src" "$bin" || [ -n "$(find "$B/obj" -newer "$bin" -name '*.o' | head -n 1)" ] \
        || newer "$newest_hdr" "$bin"; then
        # shellcheck disable=SC2086
        $CC $CFLAGS -fsanitize=fuzzer -Itests/fuzz -o "$bin" "$src" "$B"/obj/*.o $extra $PKG_LIBS -lz -lpthread -lm \
            || { echo "fuzz: building $bin failed"; exit 1; }
    fi
done

# ---- run ----
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-fuzz.XXXXXX") || exit 1
cleanup() { if [ -n "$KEEP_TMP" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
total_execs=0
for h in $HARNESSES; do
    mkdir -p "$WORK/$h/corpus" "$WORK/$h/art"
    [ -d "tests/fuzz/corpus/$h" ] && cp tests/fuzz/corpus/"$h"/* "$WORK/$h/corpus/" 2>/dev/null
    seeds=$(ls "$WORK/$h/corpus" | wc -l | tr -d ' ')
    # -max_len: at least the largest seed (model files are a few KB)
    maxlen=$(ls -l "$WORK/$h/corpus" | awk 'NR > 1 && $5 > m {m = $5} END {print (m > 4096 ? m + 1024 : 4096)}')
    dict=
    [ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$B/fuzz_$h" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2560 -max_len="$maxlen" \
        -print_final_stats=1 -artifact_prefix="$WORK/$h/art/" $dict $FUZZ_ARGS \
        "$WORK/$h/corpus" >"$WORK/$h/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$h/log" | tail -n 1)
    [ -n "$execs" ] || execs=$(grep -o '#[0-9]*' "$WORK/$h/log" | tail -n 1 | tr -d '#')
    execs=${execs:-0}
    total_execs=$((total_execs + execs))
    crashes=0
    kept=
    for a in "$WORK/$h/art/"*; do
        [ -f "$a" ] || continue
        case $(basename "$a") in slow-unit-*) continue ;; esac   # slow, not a failure
        crashes=$((crashes + 1))
        cp "$a" "$B/artifacts/$h-$(basename "$a")"
        kept="$kept $B/artifacts/$h-$(basename "$a")"
    done
    [ $rc -ne 0 ] && [ $crashes -eq 0 ] && crashes=1   # died without an artifact
    corpus=$(ls "$WORK/$h/corpus" | wc -l | tr -d ' ')
    cov=$(grep -o 'cov: [0-9]*' "$WORK/$h/log" | tail -n 1 | sed 's/cov: //')
    echo "fuzz_$h: ${SECS}s, $execs executions, $crashes crashes (seeds $seeds, corpus now $corpus, coverage ${cov:-?} edges)"
    if [ $crashes -ne 0 ]; then
        status=1
        echo "---- fuzz_$h log (tail) ----"
        grep -v '^#[0-9]' "$WORK/$h/log" | tail -n 60
        for a in $kept; do echo "  crash input: $a"; done
        echo "  replay: $B/fuzz_$h INPUT"
    fi
done
echo "fuzz: $total_execs executions in all; $( [ $status -eq 0 ] && echo "no crashes" || echo "CRASHES (see above)" )"
exit $status
