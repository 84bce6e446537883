#!/bin/sh
# Run every unit-test binary given as an argument, then the CLI tests and
# the man-page check, and print the suite's summary line "N passed, N failed".
# SEQSENT names the binary under test (default ./seqsent).
passed=0; failed=0
out=$(mktemp); trap 'rm -f "$out"' EXIT
for t in "$@" tests/cli*.sh scripts/check-man.sh; do
    [ -e "$t" ] || continue
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
    if [ "$f" -ne 0 ]; then cat "$out"; echo "** $t: exit $rc"; fi
    echo "$t: $p passed, $f failed"
    passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
