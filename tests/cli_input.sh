#!/bin/sh
# tests/cli_input.sh - input that is never misread in silence: each case
# builds its own bad or tricky input and checks the exit code, the message
# and that no output file appeared (or that the read is right).
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=cli-input . tests/harness.sh

printf 'label,text\n1,good ok\n0,bad\n' >t.csv
run "$S" vocab t.csv -o base.ssm
check "a base for the vector cases" '[ $rc -eq 0 ]'

# word2vec binary whose first word's floats hold a 0x0a byte after bytes that
# look like digits: "1234" as a float, then 0.09999855 = 0a cc cc 3d
if [ "$HAVE_PY" = 1 ]; then
    python3 - <<'PY'
import struct
with open("nl.bin", "wb") as f:
    f.write(b"3 4\n")
    num = struct.unpack("<f", b"1234")[0]
    nl = struct.unpack("<f", bytes([0x0a, 0xcc, 0xcc, 0x3d]))[0]
    for w, v in (("good", [num, nl, 0.5, -0.25]), ("bad", [0.1, 0.2, 0.3, 0.4]), ("ok", [nl, 1.0, 2.0, 3.0])):
        f.write(w.encode() + b" " + struct.pack("<4f", *v))
PY
    run "$S" embed base.ssm nl.bin -o emb.ssm
    check "binary vectors with a 0x0a byte in the first float load as binary (not 'expected 4 values')" \
        '[ $rc -eq 0 ] && err_has "3 vectors of dimension 4" && err_has "3/3 types"'
    run "$S" info --tensors emb.ssm
    check "... and the values are the binary ones" '[ $rc -eq 0 ] && out_has "embedding"'
else
    skip "binary vectors with a 0x0a byte (python3 needed to write them)"
fi
# a text file whose first row has the wrong number of values is still text, and an error
printf '2 4\ngood 0.1 0.2 0.3\nbad 0.1 0.2 0.3 0.4\n' >short.vec
run "$S" embed base.ssm short.vec -o short.ssm
check "text vectors with a short first row: error naming the line, no output" \
    '[ $rc -eq 1 ] && err_has "short.vec:2" && [ ! -e short.ssm ]'
finish
