#!/usr/bin/python3
"""classify_material.py - more labelled training and test material for the
content classifier, made offline and labelled by construction.

  [ONLY=speech,singing] /usr/bin/python3 scripts/classify_material.py [OUT [PKGS]]
  (OUT defaults to bench-data/extra, PKGS to the unpacked packages beside it)

Writes OUT/classes/<class>/x_*.wav (mono, 16-bit) and OUT/extra_manifest.tsv
(the columns of the classes corpus's manifest: file, class, confidence,
origin, duration_s, channels, content_end_s, source_package, then notes).
The source_package column is the ORIGIN used to split train / held-out
(scripts/train_classifier.py --extra-held): one per engine and voice
database, per package, or per synthesiser family, so a held-out origin
shares no voice, package or generator with the training side.

Sources (see bench/README-classify.md):
  speech    festival (kal, ked, slt-hts voices) and flite (awb, rms, slt,
            kal16) reading sentences of /usr/share/common-licenses, at
            several rates and pitches; formant-synthesised babble
  singing   festival singing mode (kal, ked) on generated melodies and
            lyrics; formant-synthesised sung vowels (solo, choir) with
            vibrato; either over a quiet fluidsynth accompaniment
  music     generated MIDI (progressions, melodies, bass, some drums)
            rendered by fluidsynth with FluidR3_GM, many instruments
  percussion generated drum-kit and hand-percussion patterns (fluidsynth)
  ambience  synthesised wind, rain, stream, birds over a bed, room tone,
            crowd babble (many flite / festival voices), traffic;
            minetest-data environment loops
  noise     shaped stationary noise: hiss, rumble, hum + buzz, fans,
            engines, static
  effect    sound-theme-freedesktop, minetest-data and hedgewars-data
            one-shots; synthesised impacts, zaps, whooshes, explosions,
            chimes
Every clip then goes through one recording chain picked by the seed:
clean, room reverb, a small speaker band, added noise, or a level change
(sox).  Deterministic: fixed seeds, sox -R; fluidsynth renders repeatably.
Needs: numpy, sox, festival (+ festvox-kallpc16k, festvox-kdlpc16k,
festvox-us-slt-hts), flite, fluidsynth + fluid-soundfont-gm, and the
extracted packages sound-theme-freedesktop, minetest-data, hedgewars-data
(bench/classify_gather.sh provides them).
"""
import glob
import os
import re
import struct
import subprocess
import sys
import tempfile
import wave

import numpy as np

SR = 22050
OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-data/extra"
PKG = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(OUT), "pkgs")
SF2 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
ROWS = []
TMP = tempfile.mkdtemp(prefix="grym-mat-")


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def write_wav(path, x, sr=SR):
    x = np.asarray(x, dtype=np.float64)
    pk = np.max(np.abs(x)) if x.size else 0
    if pk > 0.99:
        x = x * (0.99 / pk)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((np.round(x * 32767)).astype("<i2").tobytes())


def read_wav(path):
    """Any file sox reads -> mono float at SR."""
    t = os.path.join(TMP, "rd.wav")
    run(["sox", "-R", path, "-r", str(SR), "-c", "1", "-b", "16", t])
    with wave.open(t) as w:
        d = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return d


def db(x):
    return 10 ** (x / 20)


def norm(x, peak_db=-3.0):
    pk = np.max(np.abs(x))
    return x * (db(peak_db) / pk) if pk > 0 else x


def chain(src, dst, rng, cls):
    """The recording chain: one of clean / reverb / band / noisy / level."""
    k = rng.integers(0, 5)
    if cls == "effect" and k == 3:
        k = 0  # noise under a padded one-shot would make it ambience-like
    lvl = "%.1f" % -rng.uniform(1, 12)
    if k == 0:
        run(["sox", "-R", src, dst, "norm", lvl]); tag = "clean"
    elif k == 1:
        run(["sox", "-R", src, dst, "reverb", str(int(rng.uniform(20, 80))), "50",
             str(int(rng.uniform(30, 100))), "norm", lvl]); tag = "reverb"
    elif k == 2:
        lo, hi = int(rng.uniform(150, 400)), int(rng.uniform(3000, 6000))
        run(["sox", "-R", src, dst, "sinc", "%d-%d" % (lo, hi), "norm", lvl]); tag = "band"
    elif k == 3:
        x = read_wav(src)
        snr = rng.uniform(12, 30)
        n = pink(len(x), rng)
        rms = np.sqrt(np.mean(x ** 2)) + 1e-9
        x = x + n * rms * db(-snr) / (np.sqrt(np.mean(n ** 2)) + 1e-12)
        write_wav(dst, norm(x, float(lvl))); tag = "noisy%.0fdB" % snr
    else:
        run(["sox", "-R", src, dst, "norm", "-%.1f" % rng.uniform(18, 30)]); tag = "quiet"
    return tag


def add(cls, name, origin, x_or_path, rng, notes, conf="high"):
    """Store one clip (array at SR, or a file) through a recording chain."""
    d = os.path.join(OUT, "classes", cls)
    os.makedirs(d, exist_ok=True)
    rel = "classes/%s/x_%s.wav" % (cls, name)
    src = os.path.join(TMP, "src.wav")
    if isinstance(x_or_path, str):
        run(["sox", "-R", x_or_path, "-r", str(SR), "-c", "1", "-b", "16", src])
    else:
        write_wav(src, x_or_path)
    tag = chain(src, os.path.join(OUT, rel), rng, cls)
    dur = float(subprocess.run(["soxi", "-D", os.path.join(OUT, rel)], capture_output=True,
                               text=True).stdout.strip() or 0)
    ROWS.append([rel, cls, conf, "synthetic" if "gen" in origin else "derived", "%.3f" % dur,
                 "1", "", origin, notes + "; chain " + tag])


# ---------------------------------------------------------------- signals
def pink(n, rng, slope=-1.0):
    """Noise with power ~ f^slope (0 white, -1 pink, -2 brown)."""
    X = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    X *= f ** (slope / 2)
    x = np.fft.irfft(X, n)
    return x / (np.std(x) + 1e-12)


def shaped(n, rng, slope, lo=20, hi=10000, bumps=0):
    X = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    g = f ** (slope / 2) * (1 / (1 + (lo / f) ** 4)) * (1 / (1 + (f / hi) ** 4))
    for _ in range(bumps):
        c, w = rng.uniform(100, 6000), rng.uniform(0.1, 0.5)
        g *= 1 + rng.uniform(1, 6) * np.exp(-0.5 * (np.log(f / c) / w) ** 2)
    x = np.fft.irfft(X * g, n)
    return x / (np.std(x) + 1e-12)


def smooth_walk(n, rng, rate_hz, depth):
    """Slow random modulation, 1 +- depth, changing at about rate_hz."""
    k = max(4, int(n / SR * rate_hz) + 4)
    pts = rng.uniform(-1, 1, k)
    x = np.interp(np.linspace(0, k - 1, n), np.arange(k), pts)
    return 1 + depth * x


def env_decay(n, attack_s, tau_s):
    t = np.arange(n) / SR
    a = np.minimum(t / max(attack_s, 1e-4), 1)
    return a * np.exp(-t / tau_s)


def place(buf, x, at):
    i = int(at * SR)
    if i < 0:
        x, i = x[-i:], 0
    j = min(len(buf), i + len(x))
    if i < len(buf):
        buf[i:j] += x[:j - i]


# formants (Hz) and bandwidths of sung / spoken vowels
VOWELS = {"a": (800, 1150, 2900), "e": (400, 1600, 2700), "i": (300, 2200, 3000),
          "o": (450, 800, 2830), "u": (325, 700, 2700), "ae": (650, 1700, 2500)}


def voice(f0, vowel_track, rng, breath=0.02, amp=None):
    """Additive voiced source shaped by formants: f0 (Hz per sample), vowel per sample."""
    n = len(f0)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    F = np.array([VOWELS[v] for v in VOWELS])
    names = list(VOWELS)
    idx = np.array([names.index(v) for v in vowel_track])
    # smooth formant trajectories (30 ms)
    fm = F[idx].astype(np.float64)
    k = int(0.03 * SR)
    ker = np.ones(k) / k
    fm = np.stack([np.convolve(fm[:, j], ker, mode="same") for j in range(3)], axis=1)
    bw = np.array([80, 100, 150])
    out = np.zeros(n)
    kmax = int(5000 / max(np.min(f0[f0 > 0]) if np.any(f0 > 0) else 100, 60))
    for h in range(1, kmax + 1):
        fh = h * f0
        g = np.zeros(n)
        for j in range(3):
            g += (1.0 / (j + 1)) / (1 + ((fh - fm[:, j]) / bw[j]) ** 2)
        g *= (fh < SR / 2 - 500) / h ** 0.6
        out += g * np.sin(h * phase)
    out += breath * shaped(n, rng, -1, 500, 6000)
    if amp is not None:
        out *= amp
    return out


def consonant(rng):
    n = int(rng.uniform(0.03, 0.09) * SR)
    x = shaped(n, rng, 0, rng.uniform(1500, 4000), rng.uniform(6000, 9000))
    return x * np.hanning(n) * rng.uniform(0.1, 0.4)


# ---------------------------------------------------------------- speech
def sentences():
    txt = ""
    for p in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(p) and not os.path.islink(p):
            txt += open(p, errors="replace").read() + " "
    txt = re.sub(r"[^A-Za-z,.;:' ]+", " ", txt)
    s = [re.sub(r"\s+", " ", t).strip() for t in re.split(r"[.;:]", txt)]
    return [t for t in s if 60 < len(t) < 260 and t.count(" ") > 8]


def tts(engine, voice_name, text, stretch, f0, out):
    if engine == "flite":
        run(["flite", "-voice", voice_name, "--setf", "duration_stretch=%.2f" % stretch,
             "--setf", "int_f0_target_mean=%d" % f0, "-t", text, "-o", out])
    else:
        t = os.path.join(TMP, "tts.txt")
        open(t, "w").write(text)
        run(["text2wave", "-eval", "(voice_%s)" % voice_name, "-eval",
             "(Parameter.set 'Duration_Stretch %.2f)" % stretch, t, "-o", out])


SPEAKERS = [("festival", "kal_diphone", "speech/voice-kal"),
            ("festival", "ked_diphone", "speech/voice-ked"),
            ("festival", "cmu_us_slt_arctic_hts", "speech/voice-slt"),
            ("flite", "slt", "speech/voice-slt"),
            ("flite", "awb", "speech/voice-awb"),
            ("flite", "rms", "speech/voice-rms"),
            ("flite", "kal16", "speech/voice-kal")]


def make_speech(rng):
    sents = sentences()
    for i in range(56):
        eng, v, org = SPEAKERS[i % len(SPEAKERS)]
        parts = []
        for j in range(3):
            out = os.path.join(TMP, "s%d.wav" % j)
            tts(eng, v, sents[int(rng.integers(len(sents)))], rng.uniform(0.85, 1.3),
                int(rng.uniform(90, 200)), out)
            parts.append(read_wav(out))
            parts.append(np.zeros(int(rng.uniform(0.15, 0.5) * SR)))
        x = np.concatenate(parts)[: int(rng.uniform(6, 14) * SR)]
        sh = rng.uniform(-3, 3)
        if abs(sh) > 0.5:
            p = os.path.join(TMP, "sp.wav"); q = os.path.join(TMP, "sq.wav")
            write_wav(p, x)
            run(["sox", "-R", p, q, "pitch", "%d" % int(sh * 100)])
            x = read_wav(q)
        add("speech", "speech_%s_%02d" % (v.split("_")[0], i), org, x, rng,
            "%s %s reading licence sentences, pitch %+.1f st" % (eng, v, sh))
    # formant babble: speech-like prosody (syllables 3-6 Hz, gliding pitch)
    for i in range(10):
        n = int(rng.uniform(5, 10) * SR)
        f0 = np.zeros(n)
        vt = []
        amp = np.zeros(n)
        t = 0
        base = rng.uniform(90, 220)
        while t < n:
            syl = int(rng.uniform(0.12, 0.3) * SR)
            phrase_pos = (t % int(2.5 * SR)) / (2.5 * SR)
            p = base * (1.15 - 0.3 * phrase_pos) * np.exp(np.linspace(0, rng.uniform(-0.15, 0.15), syl))
            f0[t:t + syl] = p[: n - t]
            amp[t:t + syl] = np.hanning(syl)[: n - t] ** 0.5
            vt += [list(VOWELS)[int(rng.integers(6))]] * syl
            t += syl + (int(rng.uniform(0.2, 0.5) * SR) if rng.random() < 0.15 else 0)
            if len(vt) < t:
                vt += ["a"] * (t - len(vt))
        x = voice(np.maximum(f0, 60), vt[:n], rng, amp=amp)
        for s in range(0, n, int(0.22 * SR)):
            if rng.random() < 0.5:
                place(x, consonant(rng) * 3, s / SR)
        add("speech", "speech_formant_%02d" % i, "speech/gen-formant", x, rng,
            "formant-synthesised babble with speech prosody", conf="medium")


# ---------------------------------------------------------------- MIDI + fluidsynth
def vlq(n):
    b = [n & 0x7F]
    n >>= 7
    while n:
        b.insert(0, (n & 0x7F) | 0x80)
        n >>= 7
    return bytes(b)


def write_midi(path, notes, programs, bpm):
    """notes: (start_beat, dur_beat, chan, pitch, vel); programs: {chan: prog}."""
    tpq = 480
    ev = []
    for c, p in programs.items():
        ev.append((0, 0, bytes([0xC0 | c, p])))
    for s, d, c, p, v in notes:
        ev.append((int(s * tpq), 1, bytes([0x90 | c, p, v])))
        ev.append((int((s + d) * tpq), 0, bytes([0x80 | c, p, 0])))
    ev.sort(key=lambda e: (e[0], e[1]))
    trk = vlq(0) + b"\xff\x51\x03" + struct.pack(">I", int(60e6 / bpm))[1:]
    last = 0
    for t, _, b in ev:
        trk += vlq(t - last) + b
        last = t
    trk += vlq(0) + b"\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq) + b"MTrk" + struct.pack(">I", len(trk)) + trk)


def render(notes, programs, bpm, seconds):
    mid = os.path.join(TMP, "m.mid")
    wav = os.path.join(TMP, "m.wav")
    write_midi(mid, notes, programs, bpm)
    run(["fluidsynth", "-ni", "-g", "0.6", "-r", "44100", "-F", wav, SF2, mid])
    x = read_wav(wav)[: int(seconds * SR)]
    return norm(x)


PROGS = [[(0, 0), (1, 0), (2, 4)], [(24, 0), (25, 0), (27, 0)], [(48, 0), (49, 0), (40, 0)],
         [(16, 0), (19, 0), (17, 0)], [(56, 0), (61, 0), (57, 0)], [(80, 0), (81, 0), (88, 0)],
         [(4, 0), (5, 0), (11, 0)], [(71, 0), (73, 0), (68, 0)], [(46, 0), (45, 0), (6, 0)],
         [(52, 0), (53, 0), (89, 0)], [(104, 0), (105, 0), (107, 0)], [(21, 0), (22, 0), (23, 0)]]
FAMILY = ["piano", "guitar", "strings", "organ", "brass", "synthlead", "epiano", "winds",
          "harp-pluck", "choir-pad", "ethnic", "reed"]
PROGRESSIONS = [[0, 5, 3, 4], [0, 4, 5, 3], [0, 3, 4, 4], [5, 3, 0, 4], [0, 0, 3, 4], [1, 4, 0, 0]]
SCALE = [0, 2, 4, 5, 7, 9, 11]


def drum_pattern(bars, style, rng, t0=0.0):
    notes = []
    for b in range(bars):
        for s in range(16):
            t = t0 + b * 4 + s / 4
            v = int(rng.uniform(70, 120))
            if style == 0:      # rock
                if s in (0, 8) or (s == 10 and rng.random() < 0.5): notes.append((t, .2, 9, 36, v))
                if s in (4, 12): notes.append((t, .2, 9, 38, v))
                if s % 2 == 0: notes.append((t, .1, 9, 42, v - 20))
            elif style == 1:    # funk 16ths
                if s in (0, 6, 10) or rng.random() < 0.1: notes.append((t, .2, 9, 36, v))
                if s in (4, 12) or (s in (7, 15) and rng.random() < 0.4): notes.append((t, .2, 9, 38, v - 30 if s % 4 else v))
                notes.append((t, .1, 9, 42 if s != 14 else 46, v - 30))
            elif style == 2:    # latin hand percussion
                if s % 3 == 0: notes.append((t, .2, 9, [62, 63, 64][s % 3], v))
                if s in (0, 3, 6, 10, 12): notes.append((t, .1, 9, 75, v))
                if s % 2: notes.append((t, .1, 9, 70, v - 30))
                if s in (4, 12): notes.append((t, .2, 9, 60 + (s // 4) % 2, v))
            elif style == 3:    # shuffle / jazz ride
                if s in (0, 3, 4, 7, 8, 11, 12, 15) and s % 4 != 1: notes.append((t, .1, 9, 51, v - 20))
                if s in (4, 12): notes.append((t, .2, 9, 38 if rng.random() < .7 else 37, v - 20))
                if s in (0, 10): notes.append((t, .2, 9, 36, v - 30))
                if s in (4, 12): notes.append((t, .1, 9, 44, v - 40))
            elif style == 4:    # four on the floor
                if s % 4 == 0: notes.append((t, .2, 9, 36, 120))
                if s % 4 == 2: notes.append((t, .1, 9, 46, v - 20))
                if s in (4, 12): notes.append((t, .2, 9, 39, v))
            else:               # toms / fills, tribal
                if rng.random() < 0.45: notes.append((t, .2, 9, int(rng.choice([41, 43, 45, 47, 48, 50])), v))
                if s % 8 == 0: notes.append((t, .2, 9, 36, v))
        if rng.random() < 0.3 and b == bars - 1:
            notes += [(t0 + b * 4 + 3 + k / 4, .2, 9, [50, 48, 45, 43][k], 110) for k in range(4)]
    return notes


def make_music(rng):
    for i in range(48):
        fam = i % len(PROGS)
        bpm = rng.uniform(70, 160)
        key = int(rng.integers(0, 12)) + 48
        prog = PROGRESSIONS[int(rng.integers(len(PROGRESSIONS)))]
        bars = int(np.ceil(14 * bpm / 240)) + 1
        notes = []
        arp = rng.random() < 0.5
        for b in range(bars):
            deg = prog[b % len(prog)]
            chord = [key + SCALE[(deg + k) % 7] + 12 * ((deg + k) // 7) for k in (0, 2, 4)]
            if arp:
                for s in range(8):
                    notes.append((b * 4 + s / 2, 0.5, 1, chord[s % 3] + 12 * (s // 3 % 2), 80))
            else:
                for p in chord:
                    notes.append((b * 4, 3.9, 1, p, 75))
            notes.append((b * 4, 1.9, 2, chord[0] - 12, 90))
            notes.append((b * 4 + 2, 1.9, 2, chord[0] - 12 + (7 if rng.random() < .5 else 0), 85))
            t = 0.0
            while t < 4:
                d = float(rng.choice([0.5, 0.5, 1, 1, 1.5, 2]))
                p = key + 12 + SCALE[int(rng.integers(0, 7))] + (12 if rng.random() < .3 else 0)
                if rng.random() < 0.85:
                    notes.append((b * 4 + t, d * 0.95, 0, p, 95))
                t += d
        drums = rng.random() < 0.4
        if drums:
            notes += drum_pattern(bars, int(rng.integers(0, 5)), rng)
        p = PROGS[fam]
        x = render(notes, {0: p[0][0], 1: p[1][0], 2: [32, 33, 35, 38, 43, 0][i % 6]}, bpm,
                   rng.uniform(9, 14))
        add("music", "music_%s_%02d" % (FAMILY[fam], i), "music/gen-fluid-" + FAMILY[fam], x, rng,
            "generated MIDI, %s, %.0f BPM%s, FluidR3_GM" % (FAMILY[fam], bpm, ", drums" if drums else ""))


KITS = [0, 8, 16, 24, 25, 32, 40, 48]


def make_percussion(rng):
    for i in range(40):
        style = i % 6
        bpm = rng.uniform(70, 170)
        bars = int(np.ceil(12 * bpm / 240)) + 1
        kit = KITS[int(rng.integers(len(KITS)))]
        x = render(drum_pattern(bars, style, rng), {9: kit}, bpm, rng.uniform(8, 12))
        add("percussion", "perc_s%d_%02d" % (style, i), "percussion/gen-fluid-style%d" % style, x,
            rng, "generated drum pattern style %d, kit %d, %.0f BPM" % (style, kit, bpm))


# ---------------------------------------------------------------- singing
LYRICS = ("love my heart oh the night so long i will go home to you and sing a song of "
          "light la la ah the sea is deep and wide dream on hold me now never more fly away "
          "sweet morning sun shine on me again o mio amor bella").split()
NOTES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def melody(rng, n, key, low):
    deg = int(rng.integers(0, 5))
    out = []
    for _ in range(n):
        deg = int(np.clip(deg + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), -2, 9))
        p = low + key + SCALE[deg % 7] + 12 * (deg // 7)
        out.append(p)
    return out


def festival_song(rng, voice_name, key, low):
    bpm = rng.uniform(60, 120)
    n = int(rng.uniform(10, 18))
    pitches = melody(rng, n, key, low)
    body = ""
    for p in pitches:
        beats = float(rng.choice([0.5, 1, 1, 1, 1.5, 2, 3]))
        body += '<PITCH NOTE="%s%d"><DURATION BEATS="%.1f">%s</DURATION></PITCH>\n' % (
            NOTES[p % 12], p // 12 - 1, beats, LYRICS[int(rng.integers(len(LYRICS)))])
    xml = os.path.join(TMP, "song.xml")
    open(xml, "w").write('<?xml version="1.0"?>\n<!DOCTYPE SINGING PUBLIC "-//SINGING//DTD SINGING '
                         'mark up//EN" "Singing.v0_1.dtd" []>\n<SINGING BPM="%d">\n%s</SINGING>\n'
                         % (bpm, body))
    out = os.path.join(TMP, "song.wav")
    run(["text2wave", "-mode", "singing", "-eval", "(voice_%s)" % voice_name, xml, "-o", out])
    return read_wav(out), pitches, bpm


def sung_vowels(rng, pitches, note_s, choir=False):
    segs_f0, segs_v, segs_a = [], [], []
    for p in pitches:
        d = note_s * float(rng.choice([0.5, 1, 1, 1.5, 2]))
        n = int(d * SR)
        t = np.arange(n) / SR
        f = 440 * 2 ** ((p - 69) / 12)
        vib = 1 + (rng.uniform(0.01, 0.035) * np.minimum(t / 0.3, 1)) * np.sin(
            2 * np.pi * rng.uniform(4.8, 6.5) * t + rng.uniform(0, 6))
        glide = 2 ** (np.minimum(t / 0.06, 1) * 0 - (1 - np.minimum(t / 0.06, 1)) * rng.uniform(0, 1) / 12)
        segs_f0.append(f * vib * glide)
        segs_v += [list(VOWELS)[int(rng.integers(6))]] * n
        a = np.minimum(t / 0.04, 1) * np.minimum((d - t) / 0.05, 1)
        segs_a.append(np.maximum(a, 0))
    f0 = np.concatenate(segs_f0)
    amp = np.concatenate(segs_a)
    x = voice(f0, segs_v, rng, amp=amp)
    if choir:
        for iv in (4, 7):
            sh = 2 ** ((iv if rng.random() < .5 else -12 + iv) / 12)
            x += 0.7 * voice(f0 * sh * (1 + rng.normal(0, .003)), segs_v, rng, amp=amp)
    starts = np.cumsum([0] + [len(s) for s in segs_f0[:-1]]) / SR
    for s in starts:
        if rng.random() < 0.5:
            place(x, consonant(rng), s)
    return x


def accompany(rng, x, key, bpm):
    secs = len(x) / SR
    bars = int(np.ceil(secs * bpm / 240)) + 1
    notes = []
    for b in range(bars):
        deg = PROGRESSIONS[0][b % 4]
        for k in (0, 2, 4):
            notes.append((b * 4, 3.9, 1, 48 + key + SCALE[(deg + k) % 7], 60))
        notes.append((b * 4, 3.9, 2, 36 + key + SCALE[deg], 70))
    acc = render(notes, {1: int(rng.choice([0, 4, 24, 48, 19])), 2: 32}, bpm, secs)
    acc = np.pad(acc, (0, max(0, len(x) - len(acc))))[: len(x)]
    return norm(x, -3) + acc * db(-rng.uniform(8, 16))


def make_singing(rng):
    for i in range(36):
        v = ["kal_diphone", "ked_diphone"][i % 2]
        key = int(rng.integers(0, 12))
        x, pitches, bpm = festival_song(rng, v, key, 48)
        acc = rng.random() < 0.4
        if acc:
            x = accompany(rng, x, key, bpm)
        add("singing", "sing_fest_%s_%02d" % (v[:3], i), "singing/voice-%s" % v[:3], x, rng,
            "festival singing mode (%s), generated melody and lyrics%s" % (
                v, ", quiet accompaniment" if acc else ""))
    for i in range(36):
        key = int(rng.integers(0, 12))
        low = int(rng.choice([48, 55, 60]))
        pitches = melody(rng, int(rng.uniform(10, 20)), key, low)
        choir = i % 3 == 2
        bpm = rng.uniform(60, 110)
        x = sung_vowels(rng, pitches, 60 / bpm, choir)
        acc = rng.random() < 0.4
        if acc:
            x = accompany(rng, x, key, bpm)
        add("singing", "sing_formant_%02d" % i, "singing/gen-formant" + ("-choir" if choir else ""),
            x, rng, "formant-synthesised sung vowels with vibrato%s%s" % (
                ", choir" if choir else "", ", quiet accompaniment" if acc else ""), conf="medium")


# ---------------------------------------------------------------- noise
def make_noise(rng):
    kinds = ["hiss", "rumble", "hum", "fan", "engine", "static", "broadband", "plain"]
    for i in range(48):
        k = kinds[i % len(kinds)]
        n = int(rng.uniform(6, 12) * SR)
        t = np.arange(n) / SR
        if k == "hiss":
            x = shaped(n, rng, rng.uniform(-0.5, 0.5), rng.uniform(500, 3000), rng.uniform(6000, 10500), 1)
        elif k == "rumble":
            x = shaped(n, rng, rng.uniform(-2.5, -1.5), 20, rng.uniform(300, 2000), 2)
        elif k == "hum":
            f = float(rng.choice([50, 60, 100, 120]))
            x = sum(rng.uniform(0.2, 1) / h * np.sin(2 * np.pi * f * h * t + rng.uniform(0, 6))
                    for h in range(1, 12)) + 0.3 * pink(n, rng)
            if rng.random() < 0.5:
                x = np.sign(x) * np.abs(x) ** 0.5  # buzz
        elif k == "fan":
            x = shaped(n, rng, -1.2, 40, rng.uniform(2000, 8000), 3)
            bp = rng.uniform(40, 200)
            x *= 1 + 0.2 * np.sin(2 * np.pi * bp * t)
            x += 0.3 * np.sin(2 * np.pi * bp * t)
        elif k == "engine":
            f = rng.uniform(25, 80) * smooth_walk(n, rng, 0.3, 0.05)
            ph = 2 * np.pi * np.cumsum(f) / SR
            x = sum(rng.uniform(0.3, 1) / h * np.sin(h * ph) for h in range(1, 20))
            x = x * (1 + 0.3 * pink(n, rng)) + 0.5 * shaped(n, rng, -1.5, 30, 4000)
        elif k == "plain":   # white, pink or brown, full band
            x = pink(n, rng, float(rng.choice([0.0, -1.0, -2.0])))
        elif k == "static":
            x = 0.5 * pink(n, rng, 0) + (rng.random(n) < 0.01) * rng.normal(0, 4, n)
        else:
            x = shaped(n, rng, rng.uniform(-1.5, 0), 30, rng.uniform(4000, 10000), 4)
        x *= smooth_walk(n, rng, 0.2, 0.08)
        add("noise", "noise_%s_%02d" % (k, i), "noise/gen-" + k, norm(x), rng,
            "synthesised stationary %s" % k)
        if k == "plain":
            ROWS[-1][-1] += " (white, pink or brown)"


# ---------------------------------------------------------------- ambience
def bird(rng):
    d = rng.uniform(0.05, 0.25)
    n = int(d * SR)
    t = np.arange(n) / SR
    f = rng.uniform(2000, 5000) * (1 + rng.uniform(-0.4, 0.4) * t / d + 0.1 * np.sin(
        2 * np.pi * rng.uniform(10, 40) * t))
    return np.sin(2 * np.pi * np.cumsum(f) / SR) * np.hanning(n)


def babble(rng, secs):
    sents = sentences()
    x = np.zeros(int(secs * SR))
    for j in range(8):
        eng, v, _ = SPEAKERS[int(rng.integers(len(SPEAKERS)))]
        out = os.path.join(TMP, "b.wav")
        tts(eng, v, sents[int(rng.integers(len(sents)))], rng.uniform(0.9, 1.2),
            int(rng.uniform(90, 200)), out)
        s = read_wav(out)
        off = int(rng.uniform(-2, secs) * SR)
        if off < 0:
            s, off = s[-off:], 0
        place(x, s * rng.uniform(0.3, 1), off / SR)
    p = os.path.join(TMP, "bb.wav"); q = os.path.join(TMP, "bq.wav")
    write_wav(p, norm(x))
    run(["sox", "-R", p, q, "reverb", "80", "50", "100", "lowpass", "3000"])
    return read_wav(q)[: len(x)]


def make_ambience(rng):
    kinds = ["wind", "rain", "stream", "birds", "roomtone", "crowd", "traffic", "night"]
    for i in range(48):
        k = kinds[i % len(kinds)]
        secs = rng.uniform(8, 14)
        n = int(secs * SR)
        t = np.arange(n) / SR
        bed = shaped(n, rng, -1.5, 30, rng.uniform(1500, 6000), 2) * 0.15
        if k == "wind":
            g = smooth_walk(n, rng, 0.4, 0.8)
            x = shaped(n, rng, -1.8, 40, 3000, 2) * g + 0.3 * shaped(n, rng, -1, 300, 2000) * g ** 2
        elif k == "rain":
            x = 0.4 * shaped(n, rng, -0.5, 500, 9000)
            drops = (rng.random(n) < rng.uniform(0.002, 0.02)) * rng.exponential(1, n)
            x += np.convolve(drops, np.exp(-np.arange(60) / 8) * np.sin(np.arange(60) * rng.uniform(0.5, 1.5)), "same")
        elif k == "stream":
            x = shaped(n, rng, -0.8, 200, 5000, 3) * (1 + 0.5 * shaped(n, rng, -2, 1, 20))
        elif k == "birds":
            x = bed * 3
            at = 0
            while at < secs - 0.5:
                for c in range(int(rng.integers(1, 6))):
                    place(x, bird(rng) * rng.uniform(0.1, 0.6), at + c * rng.uniform(0.08, 0.2))
                at += rng.exponential(1.0)
        elif k == "roomtone":
            x = bed * 0.5 + 0.05 * np.sin(2 * np.pi * float(rng.choice([50, 60])) * t)
            for _ in range(int(rng.integers(1, 5))):  # distant small sounds
                e = shaped(int(0.2 * SR), rng, -1, 200, 3000) * env_decay(int(0.2 * SR), 0.005, 0.05)
                place(x, e * 0.2, rng.uniform(0, secs - 0.3))
        elif k == "crowd":
            x = babble(rng, secs)[:n] + bed
        elif k == "traffic":
            x = bed
            at = rng.uniform(0, 2)
            while at < secs:
                d = rng.uniform(3, 7)
                m = int(d * SR)
                car = shaped(m, rng, -1.5, 40, 3000) * np.hanning(m) ** 2
                place(x, car * rng.uniform(0.5, 2), at - d / 2)
                at += rng.exponential(2.5)
        else:  # night: crickets + bed
            x = bed
            cf = rng.uniform(3500, 6000)
            chirp = np.sin(2 * np.pi * cf * t) * (np.sin(2 * np.pi * rng.uniform(15, 30) * t) > 0.3)
            x += 0.1 * chirp * (np.sin(2 * np.pi * rng.uniform(0.5, 2) * t) > 0)
        x = np.pad(x, (0, max(0, n - len(x))))[:n]
        add("ambience", "amb_%s_%02d" % (k, i), "ambience/gen-" + k, norm(x), rng,
            "synthesised %s ambience" % k, conf="medium")
    mt = sorted(glob.glob(PKG + "/minetest-data/usr/share/games/minetest/games/minetest_game/mods/"
                          "*/sounds/*.ogg"))
    loops = [p for p in mt if re.search(r"(env_sounds_water|env_sounds_lava|fire_fire\.|"
                                        r"fire_large|fire_small|default_water_footstep|"
                                        r"default_cool_lava)", os.path.basename(p))]
    for j, p in enumerate(loops):
        x = read_wav(p)
        reps = int(np.ceil(8 * SR / max(len(x), 1)))
        x = np.tile(x, max(1, reps))[: int(8 * SR)]
        add("ambience", "amb_minetest_%02d" % j, "ambience/minetest-data", x, rng,
            "minetest-data loop %s repeated" % os.path.basename(p))


# ---------------------------------------------------------------- effects
def make_effect(rng):
    kinds = ["impact", "zap", "whoosh", "explosion", "chime", "glass", "thud", "beep"]
    for i in range(48):
        k = kinds[i % len(kinds)]
        if k == "impact":
            n = int(rng.uniform(0.3, 1.2) * SR)
            x = shaped(n, rng, -1, 60, rng.uniform(2000, 9000), 2) * env_decay(n, 0.002, rng.uniform(0.04, 0.2))
            for _ in range(3):
                f = rng.uniform(150, 2000)
                x += 0.5 * np.sin(2 * np.pi * f * np.arange(n) / SR) * env_decay(n, 0.001, rng.uniform(0.05, 0.3))
        elif k == "zap":
            n = int(rng.uniform(0.2, 0.8) * SR)
            f = np.exp(np.linspace(np.log(rng.uniform(1000, 4000)), np.log(rng.uniform(80, 400)), n))
            x = np.sign(np.sin(2 * np.pi * np.cumsum(f) / SR)) * env_decay(n, 0.002, n / SR / 2)
        elif k == "whoosh":
            n = int(rng.uniform(0.6, 1.6) * SR)
            x = shaped(n, rng, -1, 200, 6000) * np.hanning(n) ** 1.5
        elif k == "explosion":
            n = int(rng.uniform(1.5, 4) * SR)
            x = shaped(n, rng, -2, 25, rng.uniform(1000, 5000)) * env_decay(n, 0.005, rng.uniform(0.3, 1.0))
        elif k == "chime":
            n = int(rng.uniform(0.6, 2) * SR)
            f = rng.uniform(400, 1500)
            x = sum(np.sin(2 * np.pi * f * r * np.arange(n) / SR) * env_decay(n, 0.002, rng.uniform(0.2, 0.8)) / (j + 1)
                    for j, r in enumerate([1, 2.76, 5.4]))
        elif k == "glass":
            n = int(rng.uniform(0.5, 1.2) * SR)
            x = shaped(n, rng, 0, 2000, 10000) * env_decay(n, 0.001, 0.03)
            for _ in range(6):
                place(x, np.sin(2 * np.pi * rng.uniform(2500, 8000) * np.arange(n // 2) / SR)
                      * env_decay(n // 2, 0.001, 0.1) * 0.3, rng.uniform(0, 0.15))
        elif k == "thud":
            n = int(rng.uniform(0.3, 0.8) * SR)
            f = np.exp(np.linspace(np.log(rng.uniform(80, 200)), np.log(40), n))
            x = np.sin(2 * np.pi * np.cumsum(f) / SR) * env_decay(n, 0.002, 0.12)
        else:
            n = int(rng.uniform(0.15, 0.6) * SR)
            x = np.sin(2 * np.pi * rng.uniform(500, 2500) * np.arange(n) / SR) * env_decay(n, 0.003, n / SR / 3)
        x = np.concatenate([np.zeros(int(0.3 * SR)), x, np.zeros(int(rng.uniform(0.5, 1.5) * SR))])
        add("effect", "fx_%s_%02d" % (k, i), "effect/gen-" + k, x, rng, "synthesised one-shot %s" % k)
    pk = [("sound-theme-freedesktop", sorted(glob.glob(PKG + "/sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo/*.oga"))),
          ("minetest-data", sorted(p for p in glob.glob(PKG + "/minetest-data/usr/share/games/minetest/games/minetest_game/mods/*/sounds/*.ogg")
                                    if re.search(r"(dug|dig|place|break|explode|door|chest|tool_breaks|hit|glass|punch|ignite|extinguish)", os.path.basename(p)))),
          ("hedgewars-data", sorted(p for p in glob.glob(PKG + "/hedgewars-data/usr/share/games/hedgewars/Data/Sounds/*.ogg")
                                     if re.search(r"(explosion|bump|hit|thump|shot|whip|splash|bounce|land|drop|crash|sword|axe|hammer|punch|throw|bell|pop|break|impact|fire)", os.path.basename(p), re.I)))]
    for org, files in pk:
        for j, p in enumerate(files):
            if org == "sound-theme-freedesktop" and re.search(r"(audio-channel|test-signal|phone-|alarm|call)", p):
                continue  # spoken channel names, test noise, ringing loops: not one-shots
            x = read_wav(p)
            if len(x) > 5 * SR or len(x) < 0.05 * SR:
                continue
            x = np.concatenate([np.zeros(int(0.3 * SR)), x, np.zeros(int(0.8 * SR))])
            add("effect", "fx_%s_%02d" % (org.split("-")[0], j), "effect/" + org, x, rng,
                "%s: %s" % (org, os.path.basename(p)))


def main():
    """Makes the classes named in $ONLY (default all), each with its own
    part manifest OUT/parts/<class>.tsv, then joins every part present
    into OUT/extra_manifest.tsv (so classes can be made by parallel runs)."""
    makers = {"speech": make_speech, "singing": make_singing, "music": make_music,
              "percussion": make_percussion, "noise": make_noise, "ambience": make_ambience,
              "effect": make_effect}
    only = os.environ.get("ONLY", ",".join(makers)).split(",")
    os.makedirs(os.path.join(OUT, "parts"), exist_ok=True)
    head = ("file\tclass\tconfidence\torigin\tduration_s\tchannels\tcontent_end_s\t"
            "source_package\tnotes\n")
    for k, seed in zip(makers, range(101, 200)):  # one fixed seed per class
        if k not in only:
            continue
        del ROWS[:]
        makers[k](np.random.default_rng(seed))
        with open(os.path.join(OUT, "parts", k + ".tsv"), "w") as f:
            f.write(head + "".join("\t".join(r) + "\n" for r in sorted(ROWS)))
        print("made %d %s clips" % (len(ROWS), k), file=sys.stderr)
    rows = []
    for k in makers:
        p = os.path.join(OUT, "parts", k + ".tsv")
        if os.path.exists(p):
            rows += open(p).readlines()[1:]
    with open(os.path.join(OUT, "extra_manifest.tsv"), "w") as f:
        f.write(head + "".join(rows))
    print("%d clips in %s/extra_manifest.tsv" % (len(rows), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
