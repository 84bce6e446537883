#!/bin/sh
# bench_tokenize.sh - `make bench-tokenize`: speed and quality of the Chinese
# segmenter (`seqsent tokenize`), side by side with jieba when it is there.
#
# One JSON object per figure on stdout, as scripts/bench.sh prints them:
#   {"name", "value", "unit", "reference", "ratio", "note"}
# (reference: jieba's figure, ratio: value / reference), plus plain ratio
# objects {"name": "tokenize_speed_vs_jieba", "value": X, "unit": "ratio"}.
# Progress goes to stderr.  Exit status 0 (a figure that cannot be measured
# is left out, with a note on stderr).
#
#   speed    ChnSentiCorp train texts (../shared/data/chnsenticorp.train.csv,
#            text column) repeated to ~20 MB, one text per line:
#            ./seqsent tokenize --dict-vectors ../shared/vectors/sgns...vec.gz,
#            wall time including the dictionary load (best of 3); the load
#            alone (an empty input) is reported too, and the speed without it.
#   load     a synthetic 350k-word dictionary ("word freq tag" lines), and
#            jieba's own dict.txt (349k words) when python3-jieba is installed.
#   quality  SIGHAN 2005 PKU test set, closed setting (dictionary =
#            pku_training_words.utf8): ./seqsent tokenize --no-normalize
#            --format lines --dict ..., scored by scripts/seg_score.py
#            (word-level P/R/F1 over character spans).
#   jieba    /usr/bin/python3 -c "import jieba" (python3-jieba is installed
#            with apt-get when missing and possible; skipped otherwise):
#            jieba.cut over the same ~20 MB (default dictionary and HMM,
#            including jieba.initialize()); PKU with the PKU words as its
#            only dictionary (jieba.set_dictionary, every word frequency 1 as
#            seqsent's default), jieba.cut with HMM (default) and without.
#
# Environment: SHARED=../shared, BENCH_TOKENIZE_MB=20, BENCH_JIEBA=0 (skip
# jieba), BENCH_KEEP=1 (keep the temporary directory).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 0
SHARED=${SHARED:-../shared}
MB=${BENCH_TOKENIZE_MB:-20}
JIEBA=${BENCH_JIEBA:-1}
[ -x ./seqsent ] || make --no-print-directory seqsent >&2 || { echo "bench-tokenize: no ./seqsent" >&2; exit 0; }

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || { echo "bench-tokenize: python3 is needed" >&2; exit 0; }

# jieba: install python3-jieba when missing (Debian), quietly; skip if that fails
if [ "$JIEBA" != 0 ] && ! /usr/bin/python3 -c "import jieba" >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    if command -v apt-get >/dev/null 2>&1; then
        echo "bench-tokenize: installing python3-jieba" >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-jieba >/dev/null 2>&1 ||
            { $SUDO apt-get update -qq >/dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-jieba >/dev/null 2>&1; }
    fi
    /usr/bin/python3 -c "import jieba" >/dev/null 2>&1 || echo "bench-tokenize: jieba not available, its figures are skipped" >&2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqsent-bench-tok.XXXXXX") || exit 0
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$TMP"' EXIT INT TERM

"$PY" - "$ROOT" "$SHARED" "$TMP" "$MB" "$JIEBA" <<'PYEOF'
import csv, json, os, random, subprocess, sys, time

root, shared, tmp, mb, use_jieba = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] != "0"
seqsent = os.path.join(root, "seqsent")
vec = os.path.join(shared, "vectors", "sgns.zh-reviews.word.300d.vec.gz")
train = os.path.join(shared, "data", "chnsenticorp.train.csv")
seg = os.path.join(shared, "seg")
pku_words = os.path.join(seg, "pku_training_words.utf8")
pku_test = os.path.join(seg, "pku_test.utf8")
pku_gold = os.path.join(seg, "pku_test_gold.utf8")
t0 = time.time()


def log(msg):
    print("bench-tokenize [%ds]: %s" % (time.time() - t0, msg), file=sys.stderr, flush=True)


def r(x, d=3):
    return None if x is None else round(x, d)


def emit(name, value, unit, reference=None, note=""):
    ratio = None
    if value is not None and reference:
        ratio = round(value / reference, 3)
    print(json.dumps({"name": name, "value": r(value), "unit": unit, "reference": r(reference),
                      "ratio": ratio, "note": note}, ensure_ascii=False), flush=True)


def emit_ratio(name, a, b):
    if a is not None and b:
        print(json.dumps({"name": name, "value": round(a / b, 2), "unit": "ratio"}), flush=True)


CPU = {}


def run_time(args, out=subprocess.DEVNULL, reps=3):
    """Best wall time of reps runs of args (None if it fails); the best
    CPU time (user + system) goes to CPU[" ".join(args)]."""
    best = cpu = None
    errf = os.path.join(tmp, "stderr.txt")
    for _ in range(reps):
        with open(errf, "wb") as err:
            t = time.perf_counter()
            p = subprocess.Popen(args, stdout=out, stderr=err)
            _, status, ru = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t
        if status != 0:
            with open(errf, encoding="utf-8", errors="replace") as err:
                log("failed: %s: %s" % (" ".join(args), err.read().strip()[:300]))
            return None
        c = ru.ru_utime + ru.ru_stime
        best = dt if best is None else min(best, dt)
        cpu = c if cpu is None else min(cpu, c)
    CPU[" ".join(args)] = cpu
    return best


def cpu_ms(args):
    c = CPU.get(" ".join(args))
    return "n/a" if c is None else "%.0f" % (c * 1e3)


# ---- the speed text: ChnSentiCorp train texts repeated to ~MB megabytes
text_path = os.path.join(tmp, "chnsenticorp_x.txt")
empty_path = os.path.join(tmp, "empty.txt")
open(empty_path, "w").close()
nbytes = 0
try:
    with open(train, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts = [(row.get("text") or "").replace("\r", " ").replace("\n", " ") for row in rows]
    block = ("\n".join(t for t in texts if t.strip()) + "\n").encode("utf-8")
    reps = max(1, int(mb * 1e6 / len(block) + 0.999))
    with open(text_path, "wb") as f:
        for _ in range(reps):
            f.write(block)
    nbytes = len(block) * reps
    log("speed text: %d texts x %d = %.1f MB" % (len(texts), reps, nbytes / 1e6))
except OSError as e:
    log("no speed text: %s" % e)

# ---- jieba speed on the same text (in its own process: python3-jieba)
jieba_ok = use_jieba and subprocess.run(["/usr/bin/python3", "-c", "import jieba"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
JIEBA_SPEED = r'''
import sys, time, logging
t = time.perf_counter()
import jieba
jieba.setLogLevel(logging.WARNING)
jieba.initialize()
t1 = time.perf_counter()
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        n += sum(1 for w in jieba.cut(line.rstrip("\n")) if w.strip())
t2 = time.perf_counter()
print(t2 - t, t1 - t, n, time.process_time())
'''
JIEBA_PKU = r'''
import sys, logging, jieba
jieba.setLogLevel(logging.WARNING)
words, test, dictfile, out, hmm = sys.argv[1:6]
with open(words, encoding="utf-8") as f, open(dictfile, "w", encoding="utf-8") as g:
    for line in f:
        w = line.strip()
        if w:
            g.write(w + " 1\n")
jieba.set_dictionary(dictfile)
jieba.initialize()
with open(test, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8") as g:
    for line in f:
        line = line.rstrip("\r\n")
        g.write(" ".join(w for w in jieba.cut(line, HMM=hmm == "1") if w.strip()) + "\n")
'''

# ---- seqsent: dictionary load, tokenize speed
load_ms = speed = speed_excl = speed_cpu = None
if nbytes:
    a_load = [seqsent, "tokenize", "--format", "lines", "--dict-vectors", vec, empty_path]
    a_all = [seqsent, "tokenize", "--format", "lines", "--dict-vectors", vec, text_path]
    t_load = run_time(a_load)
    t_all = run_time(a_all)
    if t_load is not None and t_all is not None:
        load_ms = t_load * 1e3
        speed = nbytes / 1e6 / t_all
        speed_excl = nbytes / 1e6 / max(t_all - t_load, 1e-9)
        if CPU.get(" ".join(a_all)):
            speed_cpu = nbytes / 1e6 / CPU[" ".join(a_all)]
        log("seqsent: %.2f s for %.1f MB (dictionary load %.0f ms), CPU %s ms"
            % (t_all, nbytes / 1e6, load_ms, cpu_ms(a_all)))

j_speed = j_speed_excl = j_speed_cpu = None
if jieba_ok and nbytes:
    log("jieba on the same text (takes a while) ...")
    p = subprocess.run(["/usr/bin/python3", "-c", JIEBA_SPEED, text_path], capture_output=True, text=True)
    if p.returncode == 0:
        tot, init, _, cpu = p.stdout.split()
        j_speed = nbytes / 1e6 / float(tot)
        j_speed_excl = nbytes / 1e6 / (float(tot) - float(init))
        j_speed_cpu = nbytes / 1e6 / float(cpu)
        log("jieba: %.1f s (CPU %.1f s)" % (float(tot), float(cpu)))
    else:
        log("jieba speed run failed: %s" % p.stderr.strip()[-300:])

emit("tokenize_zh_mb_per_s", speed, "MB/s", j_speed,
     "seqsent tokenize --dict-vectors sgns.zh-reviews (22k words) on ChnSentiCorp train texts x%.0f MB, "
     "wall time incl. dictionary load, best of 3; reference: jieba.cut, default dictionary and HMM, "
     "incl. jieba.initialize()" % (nbytes / 1e6))
emit("tokenize_zh_mb_per_s_excl_load", speed_excl, "MB/s", j_speed_excl,
     "the same without the dictionary load (reference: jieba without initialize())")
emit("tokenize_zh_mb_per_s_cpu", speed_cpu, "MB/s", j_speed_cpu,
     "the same per CPU second (user + system time of the process, incl. the dictionary load): "
     "steadier than wall time on a busy machine")
emit("dict_load_vectors_ms", load_ms, "ms", None,
     "seqsent tokenize --dict-vectors on an empty input: process start, gunzip + parse of the 22k x 300 "
     "vector file, dictionary build; best of 3, CPU time %s ms" % (cpu_ms(a_load) if nbytes else "n/a"))
emit_ratio("tokenize_speed_vs_jieba", speed, j_speed)
emit_ratio("tokenize_speed_vs_jieba_cpu", speed_cpu, j_speed_cpu)

# ---- dictionary load: synthetic 350k words; jieba's dict.txt
syn = os.path.join(tmp, "synthetic_350k.dict")
rnd = random.Random(42)
han = [chr(c) for c in range(0x4E00, 0x4E00 + 6000)]
tags = ["n", "v", "a", "d", "nr", "ns", "nz", "vn"]
seen = set()
with open(syn, "w", encoding="utf-8") as f:
    while len(seen) < 350000:
        w = "".join(rnd.choice(han) for _ in range(rnd.choice((2, 2, 2, 3, 3, 4, 5))))
        if w not in seen:
            seen.add(w)
            f.write("%s %d %s\n" % (w, int(rnd.paretovariate(1.0) * 3), rnd.choice(tags)))
a_syn = [seqsent, "tokenize", "--format", "lines", "--dict", syn, empty_path]
t_syn = run_time(a_syn)
t_start = run_time([seqsent, "tokenize", "--format", "lines", empty_path])
emit("dict_load_350k_ms", None if t_syn is None else t_syn * 1e3, "ms", None,
     "seqsent tokenize --dict (synthetic: 350,000 random 2-5 character words, 'word freq tag', random "
     "order) on an empty input, best of 3, CPU time %s ms; process start alone: %s ms"
     % (cpu_ms(a_syn), None if t_start is None else round(t_start * 1e3, 1)))
jdict = "/usr/lib/python3/dist-packages/jieba/dict.txt"
if os.path.exists(jdict):
    a_j = [seqsent, "tokenize", "--format", "lines", "--dict", jdict, empty_path]
    t_j = run_time(a_j)
    emit("dict_load_jieba_dict_ms", None if t_j is None else t_j * 1e3, "ms", None,
         "seqsent tokenize --dict %s (349,046 words) on an empty input, best of 3, CPU time %s ms"
         % (jdict, cpu_ms(a_j)))


# ---- PKU quality
def score(out_path, name):
    p = subprocess.run([sys.executable, os.path.join(root, "scripts", "seg_score.py"), pku_gold, out_path,
                        "--json", "--name", name], capture_output=True, text=True)
    if p.returncode != 0:
        log("scoring failed: %s" % p.stderr.strip())
        return {}
    return {json.loads(l)["name"]: json.loads(l)["value"] for l in p.stdout.splitlines() if l.strip()}


ours = {}
pku_out = os.path.join(tmp, "pku_seqsent.txt")
with open(pku_out, "wb") as f:
    t = run_time([seqsent, "tokenize", "--no-normalize", "--format", "lines", "--dict", pku_words, pku_test],
                 out=f, reps=1)
if t is not None:
    ours = score(pku_out, "pku")
jb, jb0 = {}, {}
if jieba_ok:
    for hmm, res in (("1", jb), ("0", jb0)):
        out = os.path.join(tmp, "pku_jieba%s.txt" % hmm)
        p = subprocess.run(["/usr/bin/python3", "-c", JIEBA_PKU, pku_words, pku_test,
                            os.path.join(tmp, "pku_jieba.dict"), out, hmm], capture_output=True, text=True)
        if p.returncode == 0:
            res.update(score(out, "jieba"))
        else:
            log("jieba PKU run failed: %s" % p.stderr.strip()[-300:])
note = ("SIGHAN 2005 PKU test, closed dictionary pku_training_words.utf8; seqsent tokenize --no-normalize "
        "--format lines --dict; reference: jieba.set_dictionary(PKU words, frequency 1 each), jieba.cut with HMM")
for k in ("precision", "recall", "f1"):
    emit("pku_" + k, ours.get("pku_" + k), "ratio", jb.get("jieba_" + k), note)
if ours:
    emit("pku_mismatched_lines", ours.get("pku_mismatched_lines"), "lines", None,
         "lines whose characters the tokens do not reproduce (should be 0)")
if jb0:
    emit("pku_f1_jieba_no_hmm", jb0.get("jieba_f1"), "ratio", None,
         "jieba.set_dictionary(PKU words), jieba.cut(HMM=False)")
emit_ratio("pku_f1_vs_jieba", ours.get("pku_f1"), jb.get("jieba_f1"))
emit_ratio("pku_f1_vs_jieba_no_hmm", ours.get("pku_f1"), jb0.get("jieba_f1"))
log("done")
PYEOF
exit 0
