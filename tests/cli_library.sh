#!/bin/sh
# tests/cli_library.sh - the C library as a user gets it: `make install
# PREFIX=<tmp>` installs the header, libseqsent.a, libseqsent.so (soname) and
# seqsent.pc; the example program of README.md's "Library and Python"
# section compiles with `cc example.c $(pkg-config --cflags --libs seqsent)`
# and prints what `seqsent predict` prints.  make check-unit passes
# SEQSENT_BUILD (the build directory) and SEQSENT_CC (compiler and CFLAGS:
# the sanitizer build compiles the example with its flags).
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=library CLI_TIMEOUT=300 . tests/harness.sh

B=${SEQSENT_BUILD:-build}
CCF=${SEQSENT_CC:-cc}
P=$T/prefix

if ! command -v make >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
    skip "install and pkg-config (needs make and pkg-config)"
    finish
    exit
fi

# make install from inside make check: a make of its own (no jobserver)
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$ROOT" install \
    PREFIX="$P" B="$B" BIN="$S"
check "make install PREFIX=tmp" '[ $rc -eq 0 ]'
check "make install: bash and zsh completion" \
    '[ -f "$P/share/bash-completion/completions/seqsent" ] && [ -f "$P/share/zsh/site-functions/_seqsent" ]'
so=$(cd "$P/lib" 2>/dev/null && ls libseqsent.so.*.*.* 2>/dev/null | head -n 1)
check "installed header, static and shared library, pkg-config file" \
    '[ -f "$P/include/seqsent.h" ] && [ -f "$P/lib/libseqsent.a" ] && [ -n "$so" ] &&
     [ -L "$P/lib/libseqsent.so" ] && [ -L "$P/lib/libseqsent.so.0" ] && [ -f "$P/lib/pkgconfig/seqsent.pc" ]'
if command -v readelf >/dev/null 2>&1; then
    check "the shared library's soname is libseqsent.so.0" 'readelf -d "$P/lib/$so" | grep -q "SONAME.*\[libseqsent\.so\.0\]"'
else skip "soname (needs readelf)"; fi
check "it exports the seqsent_* functions only" \
    '! command -v nm >/dev/null || [ -z "$(nm -D --defined-only "$P/lib/$so" | awk "{print \$3}" | grep -v "^seqsent_" | grep -v "^_")" ]'
PKG_CONFIG_PATH=$P/lib/pkgconfig
export PKG_CONFIG_PATH
run pkg-config --modversion seqsent
check "pkg-config knows the version" '[ $rc -eq 0 ] && out_is "$(sed -n "s/^VERSION *:= *//p" "$ROOT/Makefile")"'

# the example, as README.md shows it
awk '/^<!-- example.c/ { on = 1; next } on && /^```c/ { inc = 1; next } inc && /^```/ { exit } inc' \
    "$ROOT/README.md" >example.c
check "README.md has the example program" 'grep -q "seqsent_open" example.c'
# shellcheck disable=SC2046
run $CCF -Wall -Wextra -o example example.c $(pkg-config --cflags --libs seqsent)
check "the example compiles with pkg-config's flags" '[ $rc -eq 0 ] && [ ! -s "$T/err" ]'
printf '#include <seqsent.h>\nint main(void) { return seqsent_api_version() == SEQSENT_API_VERSION ? 0 : 1; }\n' >c89.c
run $CCF -std=c89 -pedantic -Wall -Wextra -Werror -c -o c89.o c89.c $(pkg-config --cflags seqsent)
check "the header is C89 (-std=c89 -pedantic -Werror)" '[ $rc -eq 0 ]'

run "$S" train "$D/tweets3.train.csv" -o m.ssm --epochs 2 --hidden 8 --embed-dim 8 --seed 3
check "train a tiny model" '[ $rc -eq 0 ] && [ -s m.ssm ]'
cut -d, -f2- "$D/tweets3.test.csv" | sed 1d | head -n 20 | sed 's/^"//; s/"$//' >texts.txt
# the texts as arguments (no newlines in them)
set --
while IFS= read -r line; do set -- "$@" "$line"; done <texts.txt
LD_LIBRARY_PATH=$P/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
run ./example m.ssm "$@"
cp "$T/out" ex.out
check "the example runs on the installed library" '[ $rc -eq 0 ] && [ "$(lines ex.out)" -eq 21 ]'
run_in texts.txt "$S" predict -m m.ssm --threads 1 --top-k 2
cp "$T/out" top.out
run_in texts.txt "$S" predict -m m.ssm --threads 1
paste "$T/out" top.out >want.out
head -n 20 ex.out | awk -F'\t' -v OFS='\t' '{ split($3, a, ":"); split($4, b, ":"); print $1, $2, a[1], a[2], b[1], b[2] }' >got.out
check "its labels, probabilities and top 2 equal seqsent predict's" 'cmp -s got.out want.out || { why="$(diff got.out want.out | head -n 4)"; false; }'
# the example of the installed man page seqsent(3)
if command -v groff >/dev/null 2>&1 && [ -f "$P/share/man/man3/seqsent.3" ]; then
    groff -man -Tascii -P-cbou "$P/share/man/man3/seqsent.3" 2>/dev/null | sed -n '/^EXAMPLES/,$p' |
        sed 's/^       //' | sed -n '/^#include <seqsent.h>/,/^}/p' >man3.c
    # shellcheck disable=SC2046
    run $CCF -std=c99 -Wall -Wextra -o man3 man3.c $(pkg-config --cflags --libs seqsent)
    check "seqsent(3): its example compiles" '[ $rc -eq 0 ] && [ ! -s "$T/err" ] && grep -q seqsent_predict man3.c'
    run ./man3 m.ssm
    check "seqsent(3): its example classifies two texts" '[ $rc -eq 0 ] && [ "$(lines "$T/out")" -eq 2 ]'
else
    skip "the example of seqsent(3) (needs groff and the installed page)"
fi
# the Python module as make install put it: found by Debian's python3 under
# its PYTHONDIR, and finding the installed library by itself
pydir=$(ls -d "$P"/lib/python3*/dist-packages 2>/dev/null | head -n 1)
if [ -x /usr/bin/python3 ] && [ -n "$pydir" ]; then
    check "make install: the Python module" '[ -f "$pydir/seqsent/__init__.py" ] && [ -f "$pydir/seqsent/_installed.py" ]'
    pre=   # a sanitizer build of the library needs its runtime loaded first
    case ${SEQSENT_CC:-} in *-fsanitize=*)
        for r in asan ubsan; do
            f=$(${SEQSENT_CC%% *} -print-file-name=lib$r.so 2>/dev/null)
            [ -f "$f" ] && pre="${pre:+$pre:}$f"
        done ;;
    esac
    run env -u SEQSENT_LIB -u LD_LIBRARY_PATH ${pre:+LD_PRELOAD=$pre ASAN_OPTIONS=detect_leaks=0} \
        PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -c '
import sys, seqsent
m = seqsent.Model(sys.argv[1])
for label, p in m.predict([l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]):
    print(label)
print(seqsent.library_path, file=sys.stderr)' m.ssm texts.txt
    check "the installed Python module loads the installed library and predicts as seqsent predict" \
        '[ $rc -eq 0 ] && err_has "$P/lib/libseqsent.so" && [ "$(cat "$T/out")" = "$(cut -f1 want.out)" ]'
else
    skip "the installed Python module (needs /usr/bin/python3)"
fi
run ./example missing.ssm x
check "the example reports the library's error for a missing file" '[ $rc -eq 1 ] && err_has "missing.ssm: No such file"'
finish
