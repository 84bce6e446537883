#!/bin/sh
# tests/cli_python.sh - the Python module (python/seqsent, ctypes over
# libseqsent.so): predictions equal `seqsent predict`'s (6 decimals), top-k
# and all-label results, encode shapes (numpy arrays when numpy imports),
# metadata, seqsent.Error on a missing file.  SEQSENT_LIB names the shared library (make check-unit sets
# it); skipped without python3.
cd "$(dirname "$0")/.." || exit 1
CLI_NAME=python CLI_TIMEOUT=300 . tests/harness.sh

LIB=${SEQSENT_LIB:-$ROOT/build/libseqsent.so}
if ! command -v python3 >/dev/null 2>&1; then
    skip "the Python module (needs python3)"
    finish
    exit
fi
if [ ! -e "$LIB" ]; then
    fail "$LIB is not built (make lib)"
    finish
    exit
fi
# a sanitizer build of the library needs its runtime loaded first
case ${SEQSENT_CC:-} in
*-fsanitize=*)
    for r in asan ubsan; do
        f=$(${SEQSENT_CC%% *} -print-file-name=lib$r.so 2>/dev/null)
        [ -f "$f" ] && PRE="${PRE:+$PRE:}$f"
    done
    LD_PRELOAD=$PRE ASAN_OPTIONS=detect_leaks=0
    export LD_PRELOAD ASAN_OPTIONS ;;
esac
SEQSENT_LIB=$LIB PYTHONPATH=$ROOT/python${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1
export SEQSENT_LIB PYTHONPATH PYTHONDONTWRITEBYTECODE
py() { run python3 "$@"; }

run "$S" train "$D/tweets3.train.csv" -o m3.ssm --epochs 2 --hidden 8 --embed-dim 8 --seed 5 --no-bidirectional
check "train a tiny 3-label model" '[ $rc -eq 0 ]'
run "$S" train "$D/movies_en.train.csv" -o m2.ssm --epochs 2 --hidden 8 --embed-dim 8 --seed 5 --bidirectional
check "train a tiny binary bidirectional model" '[ $rc -eq 0 ]'
for f in tweets3 movies_en; do
    cut -d, -f2- "$D/$f.test.csv" | sed 1d | head -n 300 >"$f.txt"
done

# pred.py (MODEL TEXTS MODE OUT)...: one process for the six cases (a
# Python start under the sanitizers' runtime is 2 s)
cat >pred.py <<'PY'
import sys, seqsent
args = sys.argv[1:]
for i in range(0, len(args), 4):
    path, txt, mode, out = args[i:i + 4]
    m = seqsent.Model(path)
    texts = [l.rstrip("\n") for l in open(txt, encoding="utf-8")]
    with open(out, "w", encoding="utf-8") as f:
        if mode == "label":
            for lab, p in m.predict(texts):
                f.write("%s\t%.6f\n" % (lab, p))
        elif mode == "top":
            for row in m.predict(texts, top_k=2):
                f.write("\t".join("%s\t%.6f" % lp for lp in row) + "\n")
        else:
            for d in m.predict(texts, all=True):
                f.write("\t".join("%s:%.6f" % (lab, d[lab]) for lab in m.labels) + "\n")
    m.close()
PY
set --
for model in m3 m2; do
    txt=tweets3.txt; [ $model = m2 ] && txt=movies_en.txt
    for mode in label top all; do set -- "$@" $model.ssm $txt $mode got.$model.$mode; done
done
py pred.py "$@"
pyrc=$rc
for model in m3 m2; do
    txt=tweets3.txt; [ $model = m2 ] && txt=movies_en.txt
    for mode in label top all; do
        case $mode in label) opt= ;; top) opt="--top-k 2" ;; all) opt=--all ;; esac
        # shellcheck disable=SC2086
        run_in "$txt" "$S" predict -m $model.ssm --threads 1 $opt
        check "$model: Model.predict ($mode) equals seqsent predict${opt:+ $opt}" \
            '[ $pyrc -eq 0 ] && [ $rc -eq 0 ] && [ -s "$T/out" ] && cmp -s "got.$model.$mode" "$T/out" ||
             { why="pred.py exit $pyrc; $(diff "got.$model.$mode" "$T/out" 2>&1 | head -n 4)"; false; }'
    done
done

cat >meta.py <<'PY'
import json, sys, seqsent
m = seqsent.Model(sys.argv[1])
assert m.labels == ["negative", "neutral", "positive"], m.labels
assert m.info["labels"] == m.labels and m.info["kind"] == "model", m.info
assert m.kind == "model" and m.maxlen == m.info["sequence"]["maxlen"], (m.kind, m.maxlen)
assert m.dim == m.info["network"]["hidden"] + m.info["network"]["bag"]["dim"] == 8 + 32, m.dim   # the summary, then the bag
assert seqsent.version() == m.info["seqsent_version"]
v = m.encode(["a good day", "bad", "", "so so"])
assert len(v) == 4 and all(len(r) == 40 for r in v), v
one = m.encode("bad")
assert len(one) == 40 and [round(float(x), 6) for x in one] == [round(float(x), 6) for x in v[1]]
assert len(m.encode([])) == 0
lab, p = m.predict("a good day")
assert lab in m.labels and 0 <= p <= 1
print("ok")
PY
py meta.py m3.ssm
check "labels, info, kind, maxlen, dim; encode shapes [n, dim]" '[ $rc -eq 0 ] && out_is ok'
run python3 -c 'import seqsent; m = seqsent.Model("m2.ssm"); v = m.encode(["x", "y"]); print(len(v), len(v[0]), m.dim)'
check "a bidirectional model's vectors have 2 x hidden values, then the bag's 32" '[ $rc -eq 0 ] && out_is "2 48 48"'

# Vectors are numpy arrays when numpy imports: float32 [n, dim] (a single
# text [dim]), the same values as the lists without numpy and as `seqsent
# encode` prints.  Debian's python3-numpy is for Debian's python3, which
# need not be the python3 first on PATH.
NPY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' >/dev/null 2>&1; then NPY=$p; break; fi
done
if [ -z "$NPY" ]; then
    skip "encode's numpy arrays (no python3 here imports numpy: apt-get install python3-numpy)"
else
    cat >enc_np.py <<'PY'
import sys, seqsent, numpy as np
m = seqsent.Model(sys.argv[1])
texts = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
a = m.encode(texts)
assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (len(texts), m.dim), (type(a), a.shape)
one = m.encode(texts[1])
assert isinstance(one, np.ndarray) and one.shape == (m.dim,) and (one == a[1]).all()
assert m.encode([]).shape == (0, m.dim)
seqsent._np = None   # the path without numpy
b = m.encode(texts)
assert isinstance(b, list) and len(b) == len(texts)
assert all(float(x) == y for ra, rb in zip(a, b) for x, y in zip(ra, rb)), "numpy and list values differ"
for row in a:
    print(" ".join("%.6g" % x for x in row))
PY
    head -n 20 movies_en.txt >enc.txt
    "$S" encode -m m2.ssm enc.txt >enc_cli.out 2>/dev/null
    run "$NPY" enc_np.py m2.ssm enc.txt
    check "encode with numpy: float32 [n, dim] arrays, the list path's values, seqsent encode's (6 digits)" \
        '[ $rc -eq 0 ] && cmp -s "$T/out" enc_cli.out'
fi

cat >err.py <<'PY'
import sys, seqsent
for path in sys.argv[1:]:
    try:
        seqsent.Model(path)
        print("no error")
    except seqsent.Error as e:
        print(e)
PY
printf 'not a model\n' >bad.ssm
"$S" vocab "$D/tweets3.train.csv" -o vocab.ssm >/dev/null 2>&1
py err.py missing.ssm bad.ssm vocab.ssm
check "seqsent.Error with the library's message (missing, corrupt, untrained)" \
    '[ $rc -eq 0 ] && [ "$(sed -n 1p "$T/out")" = "missing.ssm: No such file or directory" ] &&
     sed -n 2p "$T/out" | grep -q "^bad.ssm: " && sed -n 3p "$T/out" | grep -q "not a trained model"'
run python3 -c 'import seqsent; m = seqsent.Model("m3.ssm"); m.close(); m.predict(["x"])'
check "a closed model raises seqsent.Error" '[ $rc -ne 0 ] && err_has "seqsent.Error: model is closed"'
run env SEQSENT_LIB="$T/nowhere.so" python3 -c 'import seqsent'
check "an unloadable SEQSENT_LIB is an ImportError naming it" '[ $rc -ne 0 ] && err_has "ImportError" && err_has "nowhere.so"'
finish
