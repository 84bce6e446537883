#!/usr/bin/env python3
"""seg_score.py - word-level precision / recall / F1 of a Chinese segmentation.

    scripts/seg_score.py GOLD TEST [--name PREFIX] [--json]

GOLD and TEST hold one sentence per line, words separated by white space
(SIGHAN bakeoff format).  Line i of TEST is compared with line i of GOLD:
each word is the span [start, end) of character offsets in the line with the
white space removed, and a test word is correct when the gold line has the
same span (the SIGHAN score.pl definition, computed by span matching instead
of an edit-distance alignment; identical when the characters agree).

A line whose characters differ from the gold line (the segmenter changed or
dropped characters) scores no correct words there; the number of such lines
is reported as "mismatched_lines" so that the problem is visible.

Output: with --json, one JSON object per line
  {"name": "<PREFIX>_precision", "value": P, "unit": "ratio"} ... recall, f1,
plus {"name": "<PREFIX>_mismatched_lines", ...}; otherwise a short text report.
Exit status 0, or 2 on usage / file errors (line counts differ, ...).
"""
import argparse
import json
import sys


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def spans(words):
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def score(gold_lines, test_lines):
    n_gold = n_test = n_ok = 0
    mismatched = []
    for i, (g, t) in enumerate(zip(gold_lines, test_lines)):
        gw, tw = g.split(), t.split()
        n_gold += len(gw)
        n_test += len(tw)
        if "".join(gw) != "".join(tw):
            mismatched.append(i + 1)
            continue
        n_ok += len(spans(gw) & spans(tw))
    p = n_ok / n_test if n_test else 0.0
    r = n_ok / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "gold_words": n_gold,
            "test_words": n_test, "correct": n_ok, "mismatched": mismatched}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold")
    ap.add_argument("test")
    ap.add_argument("--name", default="seg", help="prefix of the JSON names (default seg)")
    ap.add_argument("--json", action="store_true", help="JSON lines output")
    a = ap.parse_args()
    try:
        gold, test = read_lines(a.gold), read_lines(a.test)
    except OSError as e:
        print("seg_score: %s" % e, file=sys.stderr)
        return 2
    if len(gold) != len(test):
        print("seg_score: %s has %d lines, %s has %d" % (a.gold, len(gold), a.test, len(test)),
              file=sys.stderr)
        return 2
    s = score(gold, test)
    if a.json:
        for k in ("precision", "recall", "f1"):
            print(json.dumps({"name": "%s_%s" % (a.name, k), "value": round(s[k], 4), "unit": "ratio"}))
        print(json.dumps({"name": "%s_mismatched_lines" % a.name, "value": len(s["mismatched"]),
                          "unit": "lines"}))
    else:
        print("P %.4f  R %.4f  F1 %.4f  (gold %d, test %d, correct %d words)"
              % (s["precision"], s["recall"], s["f1"], s["gold_words"], s["test_words"], s["correct"]))
        if s["mismatched"]:
            print("lines whose characters differ from the gold: %d (first: %s)"
                  % (len(s["mismatched"]), ", ".join(map(str, s["mismatched"][:10]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
