#!/usr/bin/env python3
"""conf_auc.py SCORE_PY TRUTH ANSWERS.tsv key|tempo - does grym's confidence tell its right
answers from its wrong ones?  Right = same key (key) or within 4 % of the label (tempo, Acc1).
Prints the number and median confidence (column `conf`) of right and wrong answers and the
AUC: the chance that a right answer has a higher confidence than a wrong one (0.5 = no
information, 1 = every right answer more confident than every wrong one; ties count half).
Labels and keys are read with the bench's score.py (its parse_key), so spellings match the
scoring.  Python 3 standard library only."""
import csv
import importlib.util
import os
import statistics
import sys


def ident(p):
    b = os.path.basename(p.strip())
    return b.rsplit(".", 1)[0] if "." in b else b


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("key", "tempo"):
        sys.exit("usage: conf_auc.py SCORE_PY TRUTH ANSWERS.tsv key|tempo")
    spec = importlib.util.spec_from_file_location("score", sys.argv[1])
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    task = sys.argv[4]
    with open(sys.argv[2], newline="", encoding="utf-8") as f:
        truth = {ident(r["file"]): r for r in csv.DictReader(f, delimiter="\t")}
    right, wrong = [], []
    with open(sys.argv[3], newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            t = truth.get(ident(r["file"]))
            if t is None or not r.get("answer") or not r.get("conf"):
                continue
            if task == "key":
                ok = score.parse_key(r["answer"]) == score.parse_key(t["key"])
            else:
                ok = abs(float(r["answer"]) / float(t["bpm"]) - 1) <= 0.04
            (right if ok else wrong).append(float(r["conf"]))
    if not right or not wrong:
        print("right %d, wrong %d: no AUC" % (len(right), len(wrong)))
        return
    auc = sum((x > y) + 0.5 * (x == y) for x in right for y in wrong) / (len(right) * len(wrong))
    print("right %d (median conf %.3f), wrong %d (median %.3f): AUC %.2f"
          % (len(right), statistics.median(right), len(wrong), statistics.median(wrong), auc))


if __name__ == "__main__":
    main()
