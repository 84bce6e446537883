#!/bin/sh
# Run every unit-test binary given as an argument, then the CLI tests and
# the man-page check, and print the suite's summary line "N passed, N failed".
# SEQSENT names the binary under test (default ./seqsent).
#
# SEQSENT_JOBS (default 2) tests run at a time: most of a test's time is
# one-threaded process start-up, small training runs and waits, so two at a
# time fill the two cores of the CI machine.  Each test's output is kept
# and shown, in the order given, when it fails; every test has its own
# temporary directory (tests/harness.sh), so they do not interfere.
jobs=${SEQSENT_JOBS:-2}
dir=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-run.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# one TEST: its output in $dir/N.out, "passed failed seconds" in $dir/N.res
if [ "$1" = --one ]; then
    d=$2 n=$3 t=$4 out=$2/$3.out
    start=$(date +%s)
    case "$t" in
        scripts/check-man.sh) sh "$t" "${SEQSENT:-./seqsent}" >"$out" 2>&1 ;;
        *.sh) sh "$t" >"$out" 2>&1 ;;
        *) "$t" >"$out" 2>&1 ;;
    esac
    rc=$?
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    [ -n "$line" ] || { p=0; f=1; }
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1   # a crash counts as a failure
    [ "$f" -ne 0 ] && echo "** $t: exit $rc" >>"$out"
    echo "$p $f $(( $(date +%s) - start ))" >"$d/$n.res"
    exit 0
fi

# The longest tests first (the sanitizer half, session 7: mpi, cli, robust
# and autotune 45-80 s each, pretrain and distill 35): with two at a time,
# a long test started last sets the suite's wall time.  The man-page check
# reads --help texts: the plain half covers it.
slow="tests/cli_mpi.sh tests/cli.sh tests/cli_robust.sh tests/cli_autotune.sh tests/cli_pretrain.sh tests/cli_distill.sh"
man=scripts/check-man.sh
[ -n "$SEQSENT_QUICK" ] && man=
n=0
listed=" "
for t in $slow "$@" tests/cli*.sh $man; do
    [ -e "$t" ] || continue
    case $listed in *" $t "*) continue ;; esac
    listed="$listed$t "
    n=$((n + 1))
    printf '%s %s\n' "$n" "$t"
done >"$dir/list"
xargs -P "$jobs" -L 1 sh "$0" --one "$dir" <"$dir/list"

passed=0; failed=0
while read -r i t; do
    if [ -f "$dir/$i.res" ]; then read -r p f s <"$dir/$i.res"; else p=0 f=1 s=0; fi
    [ "$f" -ne 0 ] && cat "$dir/$i.out"
    echo "$t: $p passed, $f failed (${s}s)"
    passed=$((passed + p)); failed=$((failed + f))
done <"$dir/list"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
