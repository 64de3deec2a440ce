#!/usr/bin/python3
"""train_classifier.py - train grym's content classifier and write its C model.

Input: descriptor tables written by build/x/tools/featdump (one row per region,
per window and per whole file: file, kind, index, start_s, end_s, then the 64
raw descriptors) and the corpus manifest (classes_manifest.tsv) for the labels.
Output: src/analysis/plugins/classify_model.h (z-score statistics, weights,
the training summary) and bench/classify_holdout.txt (the held-out files).

Method: a one-hidden-layer MLP (ReLU, softmax) in numpy, trained with Adam,
weight decay and class- and file-balanced sample weights (each clip weighs
the same whatever its length; each class weighs the same), on region rows
plus 3 s window rows (windows also teach the timeline's short segments).
Generalisation is measured, not assumed: clips are grouped by origin (the
Debian source package, or the synthesiser for synthetic clips); a fixed
share of groups per class is held out and never trained on, and grouped
k-fold cross-validation on the rest picks nothing by peeking at held-out
data.  Augmented copies (gain, added noise: bench/classify_augment.sh) share
their original's group and split.

Python 3 standard library + numpy only (Debian's python3-numpy).

  /usr/bin/python3 scripts/train_classifier.py --init            # untrained placeholder
  /usr/bin/python3 scripts/train_classifier.py MANIFEST FEAT.tsv [FEAT.tsv...] [--hidden 32]
      [--new GATHERED.tsv] [--more MORE.tsv] [--origin-power 0.5] [--stats HEADER] [--cv-only]
  (the full command of the committed model: bench/README-classify.md, section 3)
"""
import argparse
import hashlib
import os
import sys

import numpy as np

CLASSES = ["silence", "speech", "singing", "music", "percussion", "ambience", "noise", "effect"]
ENUM = {c: i for i, c in enumerate(CLASSES)}  # order of enum an_class
DIM = 64
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT_H = os.path.join(ROOT, "src/analysis/plugins/classify_model.h")
OUT_HOLD = os.path.join(ROOT, "bench/classify_holdout.txt")


def label_of(name):
    return "effect" if name == "oneshot" else name


def read_manifest(path, extra=False):
    rows = {}
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            v = dict(zip(head, line.rstrip("\n").split("\t")))
            # an origin: the source package (or the synthesiser) within the class
            pkg = v.get("source_package", "") or "synthetic"
            if v.get("origin") == "synthetic" and not extra:
                pkg = "synthetic"
            if not pkg.startswith(label_of(v["class"]) + "/"):
                pkg = label_of(v["class"]) + "/" + pkg
            rows[v["file"]] = (label_of(v["class"]), pkg, v.get("confidence", ""))
    return rows


def clip_key(path):
    """Map a featdump path (maybe under aug/<tag>/) to its manifest name."""
    p = path.replace("\\", "/")
    i = p.find("classes/")
    while i >= 0:
        rest = p[i:]
        if rest.count("/") == 2:
            return rest
        i = p.find("classes/", i + 1)
    return None


FEAT_NAMES = []
REGION_OF = []  # per row: featdump path, region index (windows carry their region's)


def read_features(paths, manifest):
    X, y, g, files, kinds, aug = [], [], [], [], [], []
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.startswith("file\t"):
                    FEAT_NAMES[:] = line.rstrip("\n").split("\t")[7:7 + DIM]
                    continue
                if not line.strip():
                    continue
                v = line.rstrip("\n").split("\t")
                key = clip_key(v[0])
                if key is None or key not in manifest:
                    continue
                cls, grp, _ = manifest[key]
                kind = v[1]
                # silence clips have no regions: their windows and the whole file teach silence;
                # for other clips only region-bound rows are labelled with the clip's class
                if kind == "file" and cls != "silence":
                    continue
                X.append([float(t) for t in v[7:7 + DIM]])
                y.append(ENUM[cls])
                g.append(grp)
                files.append(key)
                REGION_OF.append("%s\t%s\t%s" % (v[0], v[2], kind == "file"))
                kinds.append(kind)
                aug.append("/aug/" in "/" + v[0])
    return (np.array(X, dtype=np.float64), np.array(y), np.array(g), np.array(files),
            np.array(kinds), np.array(aug))


def holdout_groups(manifest, share=0.25):
    """Per class, hold out a fixed share of its groups (by a hash, so repeatable)."""
    by_class = {}
    for f, (cls, grp, _) in manifest.items():
        by_class.setdefault(cls, set()).add(grp)
    held = set()
    for cls, groups in sorted(by_class.items()):
        ordered = sorted(groups, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
        k = max(1, int(round(share * len(ordered))))
        if len(ordered) == 1:
            k = 0  # a class with one origin cannot be held out by origin
        held.update(ordered[:k])
    return held


class MLP:
    def __init__(self, hidden, seed=1):
        self.hidden = hidden
        self.rng = np.random.default_rng(seed)

    def init(self, d, k):
        h = self.hidden
        if h > 0:
            self.w1 = self.rng.normal(0, np.sqrt(2.0 / d), (h, d))
            self.b1 = np.zeros(h)
            self.w2 = self.rng.normal(0, np.sqrt(1.0 / h), (k, h))
        else:
            self.w2 = self.rng.normal(0, 0.01, (k, d))
        self.b2 = np.zeros(k)

    def params(self):
        return [self.w1, self.b1, self.w2, self.b2] if self.hidden > 0 else [self.w2, self.b2]

    def forward(self, X):
        if self.hidden > 0:
            a = X @ self.w1.T + self.b1
            h = np.maximum(a, 0)
        else:
            a, h = None, X
        z = h @ self.w2.T + self.b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return a, h, p

    def fit(self, X, y, w, epochs=300, lr=3e-3, decay=1e-3, batch=256, noise=0.15):
        n, d = X.shape
        self.init(d, len(CLASSES))
        ps = self.params()
        m = [np.zeros_like(p) for p in ps]
        v = [np.zeros_like(p) for p in ps]
        t = 0
        w = w / w.mean()
        Y = np.eye(len(CLASSES))[y]
        for ep in range(epochs):
            idx = self.rng.permutation(n)
            for s in range(0, n, batch):
                b = idx[s:s + batch]
                xb = X[b] + self.rng.normal(0, noise, (len(b), d))  # input noise: smoother boundaries
                a, h, p = self.forward(xb)
                g = (p - Y[b]) * w[b][:, None] / len(b)
                grads = []
                gw2 = g.T @ h + decay * self.w2
                gb2 = g.sum(axis=0)
                if self.hidden > 0:
                    gh = g @ self.w2
                    gh[a <= 0] = 0
                    gw1 = gh.T @ xb + decay * self.w1
                    gb1 = gh.sum(axis=0)
                    grads = [gw1, gb1, gw2, gb2]
                else:
                    grads = [gw2, gb2]
                t += 1
                for i, (p_, g_) in enumerate(zip(ps, grads)):
                    m[i] = 0.9 * m[i] + 0.1 * g_
                    v[i] = 0.999 * v[i] + 0.001 * g_ * g_
                    mh = m[i] / (1 - 0.9 ** t)
                    vh = v[i] / (1 - 0.999 ** t)
                    p_ -= lr * mh / (np.sqrt(vh) + 1e-8)
        return self

    def predict(self, X):
        return self.forward(X)[2]


def weights_for(y, files, scale=None):
    """Each file weighs 1 (times scale) in total, each class the same in total."""
    w = np.ones(len(y))
    _, inv, cnt = np.unique(files, return_inverse=True, return_counts=True)
    w /= cnt[inv]
    if scale is not None:
        w *= scale
    for c in range(len(CLASSES)):
        s = w[y == c].sum()
        if s > 0:
            w[y == c] /= s
    return w * len(y) / w.sum()


def read_stats(path):
    """cm_mean and cm_std of a generated classify_model.h."""
    text = open(path).read()
    out = []
    for name in ("cm_mean", "cm_std"):
        i = text.index(name + "[AN_FEAT_DIM] = {")
        body = text[text.index("{", i) + 1:text.index("}", i)]
        out.append(np.array([float(t) for t in body.split(",")]))
    return out[0], out[1]


def normalise(X, mean, std):
    return np.clip((X - mean) / std, -8, 8)


def macro(y, pred, mask=None):
    accs = []
    for c in range(len(CLASSES)):
        sel = (y == c) if mask is None else (y == c) & mask
        if sel.sum():
            accs.append((pred[sel] == c).mean())
    return float(np.mean(accs)) if accs else float("nan"), accs


def fmt_arr(a):
    return ", ".join("%.7g" % x for x in a)


def write_header(mean, std, model, summary):
    h = model.hidden if model is not None else 0
    lines = ["/*",
             " * classify_model.h - GENERATED by scripts/train_classifier.py; do not edit.",
             " * The trained content classifier of classify.c: z-score statistics of",
             " * the 64 raw descriptors, then %s." % (
                 "one ReLU hidden layer of %d units and a softmax layer" % h if h
                 else "a softmax (multinomial logistic regression) layer"),
             " *"]
    for s in summary:
        lines.append(" * " + s if s else " *")
    lines += [" */", "#ifndef GRYM_CLASSIFY_MODEL_H", "#define GRYM_CLASSIFY_MODEL_H", "",
              "#define CM_NCLASS %d" % len(CLASSES), "#define CM_HIDDEN %d" % h,
              "#define CM_NIN2 %s" % ("CM_HIDDEN" if h else "AN_FEAT_DIM"), "",
              "static const int cm_class[CM_NCLASS] = { %s };" %
              ", ".join("AN_" + c.upper() for c in CLASSES),
              "static const float cm_mean[AN_FEAT_DIM] = { %s };" % fmt_arr(mean),
              "static const float cm_std[AN_FEAT_DIM] = { %s };" % fmt_arr(std)]
    if model is None:
        lines += ["static const float cm_w2[CM_NCLASS][CM_NIN2] = { { 0 } };",
                  "static const float cm_b2[CM_NCLASS] = { 0 };"]
    else:
        if h:
            lines.append("static const float cm_w1[CM_HIDDEN][AN_FEAT_DIM] = {")
            lines += ["\t{ %s }," % fmt_arr(r) for r in model.w1]
            lines.append("};")
            lines.append("static const float cm_b1[CM_HIDDEN] = { %s };" % fmt_arr(model.b1))
        lines.append("static const float cm_w2[CM_NCLASS][CM_NIN2] = {")
        lines += ["\t{ %s }," % fmt_arr(r) for r in model.w2]
        lines.append("};")
        lines.append("static const float cm_b2[CM_NCLASS] = { %s };" % fmt_arr(model.b2))
    lines += ["", "#endif", ""]
    with open(OUT_H, "w") as f:
        f.write("\n".join(lines))


def confusion_text(y, pred):
    out = ["%-10s " % "true\\pred" + " ".join("%5s" % c[:5] for c in CLASSES)]
    for c in range(len(CLASSES)):
        row = [int(((y == c) & (pred == k)).sum()) for k in range(len(CLASSES))]
        if sum(row):
            out.append("%-10s " % CLASSES[c] + " ".join("%5d" % r for r in row))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("manifest", nargs="?")
    ap.add_argument("features", nargs="*")
    ap.add_argument("--init", action="store_true", help="write an untrained placeholder model")
    ap.add_argument("--extra", action="append", default=[],
                    help="manifest of extra training-only material (never held out)")
    ap.add_argument("--new", action="append", default=[],
                    help="manifest of gathered material (bench/classify_gather.sh): split by "
                         "origin like the corpus, its held-out part reported separately")
    ap.add_argument("--new-weight", type=float, default=1.0,
                    help="weight of a gathered clip relative to a corpus clip")
    ap.add_argument("--more", action="append", default=[],
                    help="manifest of more material (bench/classify_gather_real2.sh): trained "
                         "on and cross-validated by origin, never held out")
    ap.add_argument("--more-weight", type=float, default=1.0,
                    help="weight of a --more clip relative to a corpus clip")
    ap.add_argument("--origin-power", type=float, default=1.0,
                    help="an origin of n clips weighs n^P in its class (1: every clip alike; "
                         "0: every origin alike)")
    ap.add_argument("--decay", type=float, default=1e-3, help="L2 weight decay")
    ap.add_argument("--stats", metavar="HEADER",
                    help="take the z-score statistics from this classify_model.h instead of "
                         "recomputing them (the timeline's distances and threshold were tuned "
                         "on them; new tables shift the statistics of the ignored MFCC means)")
    ap.add_argument("--window-mix", type=float, default=0.0,
                    help="(CV report only) mix this share of the mean 3 s window posterior "
                         "into each region's answer")
    ap.add_argument("--cv-only", action="store_true",
                    help="report the grouped cross-validation only (no final model, no "
                         "held-out figures, nothing written): for choosing settings")
    ap.add_argument("--dry", action="store_true", help="report only; write nothing")
    ap.add_argument("--temperature", action="store_true",
                    help="calibrate the confidences: fit a softmax temperature on the "
                         "cross-validation predictions and fold it into the last layer")
    ap.add_argument("--hidden", type=int, default=0,
                    help="hidden units (0: multinomial logistic regression, the default: "
                         "it generalised better across origins in grouped CV)")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--drop", default=",".join("mfcc%d_mean" % i for i in range(1, 13)),
                    help="descriptors the model ignores (comma-separated indices 0..63); "
                         "default: the MFCC means, which mostly describe the recording "
                         "chain and hurt generalisation across origins")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--holdout", type=float, default=0.25)
    ap.add_argument("--all", action="store_true",
                    help="train the final model on every group (no held-out part)")
    a = ap.parse_intermixed_args()
    if a.init:
        write_header(np.zeros(DIM), np.ones(DIM), None, ["UNTRAINED placeholder (--init)."])
        return 0
    if not a.manifest or not a.features:
        ap.error("need MANIFEST and FEATURES")
    manifest = read_manifest(a.manifest)
    extra = {}
    for m in a.extra:
        extra.update(read_manifest(m, extra=True))
    new = {}
    for m in a.new:
        new.update(read_manifest(m, extra=True))
    more = {}
    for m in a.more:
        more.update(read_manifest(m, extra=True))
    X, y, g, files, kinds, aug = read_features(
        a.features, dict(more, **dict(new, **dict(extra, **manifest))))
    aug |= np.array([f in extra and f not in manifest for f in files], dtype=bool)
    isnew = np.array([f in new and f not in manifest for f in files], dtype=bool)
    ismore = np.array([f in more and f not in manifest for f in files], dtype=bool)
    if len(y) == 0:
        sys.exit("no labelled rows: do the feature tables name the manifest's files?")
    held = set() if a.all else holdout_groups(manifest, a.holdout)
    held_new = set() if a.all else holdout_groups(new, a.holdout)
    test = np.array([grp in held for grp in g]) & ~isnew & ~ismore
    test_new = np.array([grp in held_new for grp in g]) & isnew
    train = ~test & ~test_new
    # z-score statistics from the corpus's own training clips (the timeline's
    # distances were tuned on that scale)
    mean = X[train & ~aug & ~isnew & ~ismore].mean(axis=0)
    std = X[train & ~aug & ~isnew & ~ismore].std(axis=0) + 1e-6
    if a.stats:
        mean, std = read_stats(a.stats)
    Z = normalise(X, mean, std)
    drop = [int(t) for t in a.drop.split(",") if t.strip().isdigit()]
    drop += [i for i, n in enumerate(FEAT_NAMES) if n in a.drop.split(",")]
    Z[:, drop] = 0  # the model sees nothing there; its weights are zeroed below
    scale = np.where(isnew, a.new_weight, np.where(ismore, a.more_weight, 1.0))
    if a.origin_power != 1.0:
        # an origin of n clips weighs n^P: fewer clips of one package or voice
        # outweigh many of another less
        per = {}
        for f, grp in set(zip(files, g)):
            per[grp] = per.get(grp, 0) + 1
        scale = scale * np.array([per[grp] ** (a.origin_power - 1.0) for grp in g])
    w = weights_for(y, files, scale)
    summary = ["Trained on %d rows (%d regions, %d windows, %d whole files) of %d clips;" % (
        train.sum(), (train & (kinds == "region")).sum(), (train & (kinds == "window")).sum(),
        (train & (kinds == "file")).sum(), len(set(files[train]))),
        "held out: %d clips of %d origins never seen in training." % (
            len(set(files[test])), len(held))]
    if more:
        summary.append("more material (--more): %d clips in training, none held out." % (
            len(set(files[train & ismore]))))
    if new:
        summary.append("gathered material: %d clips in training, %d clips of %d origins held out." % (
            len(set(files[train & isnew])), len(set(files[test_new])), len(held_new)))
    # grouped k-fold cross-validation on the training part
    # an origin's fold is a hash of its name alone, so adding material never
    # moves the other origins between folds (comparisons stay paired)
    fold_of = {grp: int(hashlib.sha1(grp.encode()).hexdigest(), 16) % a.folds
               for grp in set(g[train])}
    cv_pred = np.full(len(y), -1)
    cv_prob = np.zeros((len(y), len(CLASSES)))
    for k in range(a.folds):
        tr = train & np.array([fold_of.get(grp, -1) != k for grp in g])
        va = train & np.array([fold_of.get(grp, -1) == k for grp in g]) & ~aug
        if va.sum() == 0:
            continue
        m = MLP(a.hidden, seed=k + 1).fit(Z[tr], y[tr], weights_for(y[tr], files[tr], scale[tr]),
                                          epochs=a.epochs, decay=a.decay)
        cv_prob[va] = m.predict(Z[va])
        cv_pred[va] = cv_prob[va].argmax(axis=1)
    reg = kinds == "region"
    cvm = (cv_pred >= 0) & reg
    if a.window_mix > 0:
        # a region's answer mixes its own posterior with the mean posterior of
        # its 3 s windows (a CV experiment; classify.c does not do this)
        reg_of = np.array(REGION_OF)
        win = (kinds == "window") & (cv_pred >= 0)
        sums = {}
        for i in np.where(win)[0]:
            t = sums.setdefault(reg_of[i], [np.zeros(len(CLASSES)), 0])
            t[0] += cv_prob[i]
            t[1] += 1
        for i in np.where((kinds == "region") & (cv_pred >= 0))[0]:
            t = sums.get(reg_of[i])
            if t:
                p = (1 - a.window_mix) * cv_prob[i] + a.window_mix * t[0] / t[1]
                cv_pred[i] = int(np.argmax(p))
    for part, sel in (("corpus", cvm & ~isnew & ~ismore), ("gathered", cvm & isnew),
                      ("more", cvm & ismore), ("all", cvm)):
        if not sel.sum():
            continue
        mac, accs = macro(y[sel], cv_pred[sel])
        print("  per class: " + " ".join("%s %.0f%%" % (c[:5], 100 * a_) for c, a_ in zip(
            [c for c in CLASSES if (y[sel] == ENUM[c]).sum()], accs)))
        summary.append("grouped %d-fold CV on %s regions: macro accuracy %.1f %%." % (
            a.folds, part, 100 * mac))
        print("grouped CV (%s regions, by origin): macro %.1f %%" % (part, 100 * mac))
        if a.cv_only and part != "all":
            for line in confusion_text(y[sel], cv_pred[sel]):
                print("    " + line)
    if a.cv_only:
        return 0
    model = MLP(a.hidden, seed=7).fit(Z[train], y[train], w[train], epochs=a.epochs,
                                      decay=a.decay)
    temp = 1.0
    if a.temperature and cvm.sum():
        # the temperature minimising the negative log-likelihood of the CV rows
        lp = np.log(np.clip(cv_prob[cvm], 1e-12, 1))
        best = None
        for t in np.exp(np.linspace(np.log(0.25), np.log(8), 61)):
            z = lp / t
            z -= z.max(axis=1, keepdims=True)
            nll = -(z[np.arange(len(z)), y[cvm]] - np.log(np.exp(z).sum(axis=1))).mean()
            if best is None or nll < best[0]:
                best = (nll, t)
        temp = best[1]
        model.w2 /= temp
        model.b2 /= temp
        summary.append("confidence calibrated: softmax temperature %.2f (CV NLL %.3f)." % best[::-1])
        print("temperature %.2f" % temp)
    if a.hidden > 0:
        model.w1[:, drop] = 0
    else:
        model.w2[:, drop] = 0
    summary.append("Ignored descriptors: " + (", ".join(FEAT_NAMES[i] for i in sorted(set(drop))) or "none") + ".")
    if test.sum():
        sel = test & ~aug & (reg | (kinds == "file"))
        pred = model.predict(Z[sel]).argmax(axis=1)
        mac, accs = macro(y[sel], pred)
        summary.append("held-out regions (and silent files): macro accuracy %.1f %% (%d items)." % (
            100 * mac, sel.sum()))
        print("held-out (regions + silent files): macro %.1f %% over %d" % (100 * mac, sel.sum()))
        for line in confusion_text(y[sel], pred):
            print("  " + line)
    if test_new.sum():
        sel = test_new & reg
        pred = model.predict(Z[sel]).argmax(axis=1)
        mac, accs = macro(y[sel], pred)
        summary.append("held-out gathered material (regions): macro accuracy %.1f %% (%d items)." % (
            100 * mac, sel.sum()))
        print("held-out GATHERED (regions): macro %.1f %% over %d; origins: %s" % (
            100 * mac, sel.sum(), ", ".join(sorted(held_new))))
        for line in confusion_text(y[sel], pred):
            print("  " + line)
    summary.append("Command: python3 scripts/train_classifier.py " + " ".join(sys.argv[1:]))
    if a.dry:
        return 0
    write_header(mean, std, model, summary)
    with open(OUT_HOLD, "w") as f:
        f.write("# clips held out of training by scripts/train_classifier.py (by origin)\n")
        for name in sorted(set(k for k, (c, grp, _) in manifest.items() if grp in held)):
            f.write(name + "\n")
    if new:
        with open(OUT_HOLD.replace(".txt", "_new.txt"), "w") as f:
            f.write("# gathered clips (bench/classify_gather.sh) held out by origin\n")
            for name in sorted(set(k for k, (c, grp, _) in new.items() if grp in held_new)):
                f.write(name + "\n")
    print("wrote", OUT_H, "and", OUT_HOLD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
