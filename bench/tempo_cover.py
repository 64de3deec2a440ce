#!/usr/bin/env python3
"""tempo_cover.py TRUTH ANSWERS.tsv [--list] - share of files whose labelled tempo (within 4 %)
is the answer or one of its alternates (column `alternates`: "bpm:score bpm:score ...").
Prints "cover N/M = X%"; --list also prints each file that is not covered (label, answer,
alternates).  Python 3 standard library only."""
import csv
import os
import sys


def ident(p):
    b = os.path.basename(p.strip())
    return b.rsplit(".", 1)[0] if "." in b else b


def main():
    truth, ans = sys.argv[1], sys.argv[2]
    show = "--list" in sys.argv[3:]
    with open(truth, newline="", encoding="utf-8") as f:
        ref = {ident(r["file"]): float(r["bpm"]) for r in csv.DictReader(f, delimiter="\t")}
    hit = tot = 0
    with open(ans, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            k = ident(r["file"])
            if k not in ref:
                continue
            tot += 1
            cands = []
            if r.get("answer"):
                cands.append(float(r["answer"]))
            for a in (r.get("alternates") or "").split():
                cands.append(float(a.split(":")[0]))
            if any(abs(c - ref[k]) <= 0.04 * ref[k] for c in cands):
                hit += 1
            elif show:
                print("not covered: %s label %.2f answer %s alternates %s"
                      % (k, ref[k], r.get("answer") or "-", r.get("alternates") or "-"))
    print("cover %d/%d = %.1f%%" % (hit, tot, 100.0 * hit / tot if tot else 0.0))


if __name__ == "__main__":
    main()
