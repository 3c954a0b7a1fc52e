#!/usr/bin/env python3
"""openSMILE's eGeMAPS v02 of generated signals: the fixture of EGeMAPSSyntheticTests.

Writes Tests/FeaturesTests/Fixtures/egemaps/synthetic.json: for each signal (defined below and
regenerated identically by the Swift test, then written as 16-bit WAV by libsndfile on both
sides) the 88 functionals of `opensmile.Smile(eGeMAPSv02).process_file`, and the 25 LLDs of the
voiced ones. Synthetic signals only (no corpus audio). Needs `pip install opensmile==2.6.0 soundfile`.

    python3 tools/make_egemaps_fixture.py
"""
import json
import math
import os
import tempfile

import numpy as np
import opensmile
import soundfile as sf

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FeaturesTests", "Fixtures", "egemaps", "synthetic.json")


def lcg_noise(n, seed):
    """n values in [-0.5, 0.5): state = state * 1664525 + 1013904223 (mod 2^32), (state >> 8) / 2^24 - 0.5."""
    out = np.empty(n)
    s = seed & 0xFFFFFFFF
    for i in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = (s >> 8) / float(1 << 24) - 0.5
    return out


def voice(rate, seconds, f0, seed):
    """A vowel-like harmonic signal: f0 with 5 Hz vibrato (3 %), harmonics 1/k shaped by two
    formant bumps (700 and 1200 Hz), voiced in [0.1, 0.6) and [0.8, seconds - 0.2) s with 20 ms
    raised-cosine edges, and LCG noise (amplitude 0.01) everywhere."""
    n = int(round(seconds * rate))
    noise = lcg_noise(n, seed)
    out = np.empty(n)
    phase = 0.0
    segments = [(0.1, 0.6), (0.8, seconds - 0.2)]
    for i in range(n):
        t = i / rate
        f = f0 * (1 + 0.03 * math.sin(2 * math.pi * 5 * t))
        phase += 2 * math.pi * f / rate
        gate = 0.0
        for a, b in segments:
            if a <= t < b:
                edge = min(t - a, b - t)
                gate = 1.0 if edge >= 0.02 else 0.5 - 0.5 * math.cos(math.pi * edge / 0.02)
        v = 0.0
        if gate > 0:
            k = 1
            while k * f < 0.45 * rate and k <= 60:
                hf = k * f
                amp = (1.0 / k) * (1 + 2 * math.exp(-((hf - 700) / 200) ** 2) + math.exp(-((hf - 1200) / 250) ** 2))
                v += amp * math.sin(k * phase)
                k += 1
        out[i] = 0.2 * gate * v + 0.01 * noise[i]
    return out


def tone(rate, seconds, freq, amp):
    n = int(round(seconds * rate))
    return np.array([amp * math.sin(2 * math.pi * freq * i / rate) for i in range(n)])


# name -> (rate, generator); the Swift test has the same table.
SIGNALS = {
    "voice-16k": (16000, lambda r: voice(r, 1.5, 140.0, 1)),
    "voice-24414": (24414, lambda r: voice(r, 1.5, 220.0, 2)),
    "voice-8k": (8000, lambda r: voice(r, 1.2, 110.0, 3)),
    "voice-96k": (96000, lambda r: voice(r, 1.0, 180.0, 4)),
    "clipped-22050": (22050, lambda r: np.clip(4 * voice(r, 1.2, 160.0, 5), -1, 1)),
    "silence-16k": (16000, lambda r: np.zeros(16000)),
    "tone-16k": (16000, lambda r: tone(r, 1.0, 220.0, 0.5)),
    "noise-16k": (16000, lambda r: 0.5 * lcg_noise(16000, 6)),
    "short-16k": (16000, lambda r: tone(r, 0.1, 200.0, 0.3)),
}
LLD_SIGNALS = ["voice-16k", "voice-24414"]


def main():
    func = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=opensmile.FeatureLevel.Functionals)
    lld = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=opensmile.FeatureLevel.LowLevelDescriptors)
    out = {"opensmile": opensmile.__version__, "feature_set": "eGeMAPSv02",
           "made_by": "tools/make_egemaps_fixture.py", "functional_names": list(func.feature_names),
           "lld_names": list(lld.feature_names), "signals": {}}
    with tempfile.TemporaryDirectory() as d:
        for name, (rate, gen) in SIGNALS.items():
            path = os.path.join(d, name + ".wav")
            sf.write(path, gen(rate).astype(np.float32), rate, subtype="PCM_16")
            f = func.process_file(path)
            entry = {"rate": rate, "functionals": [float(v) for v in f.iloc[0].values]}
            if name in LLD_SIGNALS:
                l = lld.process_file(path)
                entry["lld"] = [[float(v) for v in row] for row in l.values]
            out["signals"][name] = entry
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT}: {len(SIGNALS)} signals")


if __name__ == "__main__":
    main()
