#!/usr/bin/python3
"""Generate the bundled demo samples in samples/ from a fixed seed.

Each sound is synthesised with numpy (Debian's python3-numpy), written as a
16-bit WAV with the standard library, then converted with flac/sox where
another format is wanted.  The ground truth of each file is in
samples/README.md; the sounds are the project's own work (CC0).

    /usr/bin/python3 scripts/make-samples.py [OUTDIR]   (Debian python: numpy)
"""
import os
import subprocess
import sys
import wave

import numpy as np

RATE = 22050
rng = np.random.default_rng(20261121)


def midi_hz(m):
    return 440.0 * 2.0 ** ((m - 69) / 12.0)


def tone(freq, dur, amp=0.3, partials=6, decay=3.0, rate=RATE):
    """A plucked/piano-like tone: harmonic partials with 1/k amplitudes and
    exponential decay (higher partials decay faster)."""
    t = np.arange(int(dur * rate)) / rate
    y = np.zeros_like(t)
    for k in range(1, partials + 1):
        if freq * k > rate / 2 - 500:
            break
        y += (1.0 / k) * np.exp(-decay * k * 0.6 * t) * np.sin(2 * np.pi * freq * k * t)
    att = np.minimum(1.0, t / 0.005)
    return amp * y * att


def place(buf, sig, at, rate=RATE):
    i = int(round(at * rate))
    n = min(len(sig), len(buf) - i)
    if n > 0:
        buf[i:i + n] += sig[:n]


def write_wav(path, y, rate=RATE, channels=1):
    y = np.clip(y, -1.0, 1.0)
    if channels == 2 and y.ndim == 1:
        y = np.stack([y, y], axis=1)
    pcm = (y * 32767.0).round().astype('<i2')
    with wave.open(path, 'wb') as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def chords(out):
    """A minor, 100 BPM, 4/4: i-iv-V-i twice, two phrases with 1.5 s of
    silence between them.  Chords change every bar; the chord is re-struck
    on every beat (with a bass note on beats 1 and 3)."""
    bpm = 100.0
    beat = 60.0 / bpm
    prog = [[57, 60, 64, 69], [62, 65, 69, 74], [56, 59, 64, 68], [57, 60, 64, 69]]
    bass = [45, 38, 40, 45]
    phrase = 4 * 4 * beat                  # 4 bars = 9.6 s
    gap = 1.5
    total = 0.5 + 2 * phrase + gap + 1.0
    y = np.zeros(int(total * RATE))
    for p in range(2):
        t0 = 0.5 + p * (phrase + gap)
        for bar, ch in enumerate(prog):
            for b in range(4):
                at = t0 + (bar * 4 + b) * beat
                acc = 1.0 if b == 0 else 0.7
                for m in ch:
                    place(y, tone(midi_hz(m), beat * 0.95, 0.07 * acc, decay=2.0), at)
                if b in (0, 2):
                    place(y, tone(midi_hz(bass[bar]), beat * 1.9, 0.16, partials=4, decay=1.2), at)
    # fade the last chord of each phrase out so the silence is clean
    write_wav(out, y * 0.9)


def drums(out):
    """A drum loop at 120 BPM, 4/4, four bars: kick on 1 and 3, snare on
    2 and 4, closed hi-hat on eighths."""
    bpm = 120.0
    beat = 60.0 / bpm
    bars = 4
    y = np.zeros(int((bars * 4 * beat + 0.5) * RATE))
    t = np.arange(int(0.35 * RATE)) / RATE
    kick = 0.9 * np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 9)
    noise = rng.standard_normal(len(t))
    snare = 0.45 * noise * np.exp(-t * 18) + 0.3 * np.sin(2 * np.pi * 190 * t) * np.exp(-t * 20)
    hat_n = np.diff(rng.standard_normal(len(t) + 1))      # brighter noise
    hat = 0.12 * hat_n * np.exp(-t * 60)
    for i in range(bars * 8):
        at = i * beat / 2
        place(y, hat * (1.0 if i % 2 == 0 else 0.6), at)
        if i % 4 == 0:
            place(y, kick, at)
        if i % 4 == 2:
            place(y, snare, at)
    write_wav(out, y * 0.8)


def noise_bursts(out):
    """Two bursts of pink noise (2.0 s and 1.2 s) separated by 1.0 s of
    silence, with 20 ms fades."""
    def pink(n):
        w = rng.standard_normal(n)
        f = np.fft.rfft(w)
        k = np.arange(len(f))
        k[0] = 1
        p = np.fft.irfft(f / np.sqrt(k), n)
        return p / np.max(np.abs(p))

    def burst(dur):
        s = 0.5 * pink(int(dur * RATE))
        f = int(0.02 * RATE)
        s[:f] *= np.linspace(0, 1, f)
        s[-f:] *= np.linspace(1, 0, f)
        return s
    y = np.zeros(int(5.2 * RATE))
    place(y, burst(2.0), 0.5)
    place(y, burst(1.2), 3.5)
    write_wav(out, y, channels=2)


def bell(out):
    """A tonal one-shot: a bell-like C5 (523.25 Hz) with slightly
    inharmonic partials, 2.5 s."""
    t = np.arange(int(2.5 * RATE)) / RATE
    f0 = midi_hz(72)
    y = np.zeros_like(t)
    for ratio, amp, dec in [(1.0, 1.0, 1.6), (2.0, 0.5, 2.2), (3.01, 0.3, 3.0),
                            (4.2, 0.2, 4.0), (5.4, 0.1, 5.0)]:
        y += amp * np.exp(-dec * t) * np.sin(2 * np.pi * f0 * ratio * t)
    y *= np.minimum(1.0, t / 0.003)
    y = np.concatenate([np.zeros(int(0.3 * RATE)), 0.5 * y / np.max(np.abs(y))])
    write_wav(out, y)


def rain(out):
    """Ambience: soft filtered noise with random droplets, 6 s."""
    n = int(6.0 * RATE)
    w = rng.standard_normal(n)
    f = np.fft.rfft(w)
    freqs = np.fft.rfftfreq(n, 1.0 / RATE)
    f *= 1.0 / (1.0 + (freqs / 2500.0) ** 2)
    bed = np.fft.irfft(f, n)
    bed = 0.06 * bed / np.std(bed)
    t = np.arange(int(0.03 * RATE)) / RATE
    for _ in range(90):
        at = rng.uniform(0, 5.9)
        fr = rng.uniform(2000, 6000)
        drop = rng.uniform(0.02, 0.08) * np.sin(2 * np.pi * fr * t) * np.exp(-t * 180)
        place(bed, drop, at)
    write_wav(out, bed, channels=2)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'samples')
    os.makedirs(outdir, exist_ok=True)
    tmp = os.path.join(outdir, '.tmp.wav')

    chords(tmp)
    subprocess.run(['flac', '-s', '-f', '--best', '-o',
                    os.path.join(outdir, 'chords-Am-100bpm.flac'), tmp], check=True)
    drums(os.path.join(outdir, 'drums-120bpm.wav'))
    noise_bursts(tmp)
    subprocess.run(['sox', tmp, '-C', '3', os.path.join(outdir, 'noise-bursts.ogg')],
                   check=True)
    bell(tmp)
    subprocess.run(['sox', tmp, os.path.join(outdir, 'bell-C5.aiff')], check=True)
    rain(tmp)
    subprocess.run(['flac', '-s', '-f', '--best', '-o',
                    os.path.join(outdir, 'rain-ambience.flac'), tmp], check=True)
    os.unlink(tmp)


if __name__ == '__main__':
    main()
