#!/usr/bin/env python3
"""openSMILE's voice-quality levels of two synthetic vowels: the fixture of EGeMAPSVoiceTests.

Writes Tests/FeaturesTests/Fixtures/egemaps/voice.json. Each signal is a glottal pulse train
(Rosenberg pulses, differentiated) with a known period jitter and amplitude shimmer drawn from a
fixed LCG, a gliding F0 and two voiced stretches, through three formant resonators, plus a low
noise floor; it is quantised to 16 bits and stored (base64, little-endian int16) so that the test
reads exactly the samples openSMILE read. Synthetic signals only (no corpus audio).

Saved per signal, per F0 frame (60 ms every 10 ms), from openSMILE 2.6.0's eGeMAPS v02 config:
  f0            F0final after the energy gate (level gemapsv01b_logPitch), Hz, 0 = unvoiced
  formants      formantFreqLpc[1..5] (level gemapsv01b_formants, not gated)
  jitterLocal, shimmerLocalDB                      (level gemapsv01b_jitterShimmer)
  hnr, h1h2, h1a3, f1amp, f2amp, f3amp             (level gemapsv01b_harmonics)
so that the test feeds openSMILE's own F0 and formants to our cPitchJitter and cHarmonics and
compares their outputs with openSMILE's. Needs `pip install opensmile==2.6.0`.

    python3 tools/make_egemaps_voice_fixture.py
"""
import base64
import json
import math
import os

import numpy as np
import opensmile

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FeaturesTests", "Fixtures", "egemaps", "voice.json")
CONFIG = os.path.join(os.path.dirname(opensmile.__file__), "core", "config", "egemaps", "v02", "eGeMAPSv02.conf")


def lcg(seed):
    """Uniform values in [-1, 1): state = state * 1664525 + 1013904223 (mod 2^32)."""
    s = seed & 0xFFFFFFFF
    while True:
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        yield (s >> 8) / float(1 << 23) - 1.0


def vowel(rate, seconds, f0_from, f0_to, formants, segments, jitter, shimmer, seed):
    """Differentiated Rosenberg pulses (open 40 %, closing 16 % of each period), each period's
    length jittered by ±jitter and its amplitude by ±shimmer (relative, uniform), voiced in
    `segments` (s) with 30 ms ramps, through 2-pole resonators at `formants` [(Hz, bandwidth Hz)],
    plus uniform noise of amplitude 0.0005 (below the energy gate)."""
    n = int(round(seconds * rate))
    rnd = lcg(seed)
    source = np.zeros(n)
    t = 0.0
    while t < seconds:
        f0 = f0_from + (f0_to - f0_from) * t / seconds
        period = (1.0 / f0) * (1.0 + jitter * next(rnd))
        amp = 1.0 + shimmer * next(rnd)
        gate = 0.0
        for a, b in segments:
            if a <= t < b:
                gate = min(1.0, (t - a) / 0.03, (b - t) / 0.03)
        if gate > 0:
            tp, tn = 0.4 * period, 0.16 * period
            i0 = int(math.ceil(t * rate))
            i = i0
            while i < n and i / rate < t + tp + tn:
                u = i / rate - t
                g = 0.5 * (1.0 - math.cos(math.pi * u / tp)) if u < tp else math.cos(math.pi * (u - tp) / (2.0 * tn))
                source[i] += gate * amp * g
                i += 1
        t += period
    x = np.diff(source, prepend=0.0)
    for f, bw in formants:
        r = math.exp(-math.pi * bw / rate)
        a1, a2 = 2.0 * r * math.cos(2.0 * math.pi * f / rate), -r * r
        y = np.zeros(n)
        y1 = y2 = 0.0
        for i in range(n):
            v = x[i] + a1 * y1 + a2 * y2
            y[i] = v
            y2, y1 = y1, v
        x = y
    x = 0.5 * x / np.max(np.abs(x))
    noise = lcg(seed + 1)
    x = x + np.array([0.0005 * next(noise) for _ in range(n)])
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


SIGNALS = [
    dict(name="male-a-16k", rate=16000, seconds=0.8, f0_from=105.0, f0_to=135.0,
         formants=[(700, 90), (1220, 110), (2600, 160)], segments=[(0.06, 0.40), (0.47, 0.74)],
         jitter=0.01, shimmer=0.06, seed=11),
    dict(name="female-i-11025", rate=11025, seconds=0.7, f0_from=230.0, f0_to=190.0,
         formants=[(310, 70), (2300, 140), (3000, 200)], segments=[(0.05, 0.64)],
         jitter=0.02, shimmer=0.10, seed=23),
]


def level(pcm, rate, name):
    smile = opensmile.Smile(feature_set=CONFIG, feature_level=name)
    _, _, y = smile._extract((pcm.astype(np.float64) / 32768.0)[None, :], rate)
    return y.astype(np.float32)


def floats(a):
    return [float(np.format_float_positional(np.float32(v), unique=True, trim="0")) for v in np.ravel(a)]


def main():
    out = []
    for s in SIGNALS:
        pcm = vowel(s["rate"], s["seconds"], s["f0_from"], s["f0_to"], s["formants"], s["segments"],
                    s["jitter"], s["shimmer"], s["seed"])
        pitch = level(pcm, s["rate"], "gemapsv01b_logPitch")
        n = len(pitch)
        formants = level(pcm, s["rate"], "gemapsv01b_formants")[:n, 0:5]
        js = level(pcm, s["rate"], "gemapsv01b_jitterShimmer")
        hm = level(pcm, s["rate"], "gemapsv01b_harmonics")
        assert len(js) == n and len(hm) == n
        print(s["name"], n, "frames,", int((pitch[:, 0] > 0).sum()), "voiced")
        out.append(dict(
            name=s["name"], sampleRate=s["rate"],
            pcm16=base64.b64encode(pcm.astype("<i2").tobytes()).decode("ascii"),
            f0=floats(pitch[:, 0]), formants=[floats(r) for r in formants],
            jitterLocal=floats(js[:, 0]), shimmerLocalDB=floats(js[:, 1]),
            hnr=floats(hm[:, 0]), h1h2=floats(hm[:, 1]), h1a3=floats(hm[:, 2]),
            f1amp=floats(hm[:, 3]), f2amp=floats(hm[:, 4]), f3amp=floats(hm[:, 5]),
        ))
    with open(OUT, "w") as f:
        json.dump(dict(generator="tools/make_egemaps_voice_fixture.py", opensmile="2.6.0", signals=out), f,
                  separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
