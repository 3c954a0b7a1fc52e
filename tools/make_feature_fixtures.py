#!/usr/bin/env python3
"""Writes Tests/FeaturesTests/Fixtures/synthetic-librosa.json: librosa's own results on seven
small synthetic clips, so that a fresh clone (without ../shared) can still test parity.

The clips are NOT committed: Tests/FeaturesTests/SyntheticSignals.swift builds the same
samples from the same integer formulas (an LCG for noise; sines rounded with floor(x + 0.5)
through the C library's sin) and writes them as WAV files in a temporary folder. This script
records a checksum of each clip's integer samples so the Swift side can verify that its
signals are identical before comparing features.

Run only to regenerate the fixture (never from `make test`):
    python3 -m venv tools/.venv
    tools/.venv/bin/pip install librosa==0.11.0 resampy soundfile
    tools/.venv/bin/python tools/make_feature_fixtures.py
"""
import json
import math
import os
import platform
import sys
import tempfile

import numpy as np
import soundfile as sf
import librosa
import resampy
import scipy
import soxr

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "FeaturesTests", "Fixtures", "synthetic-librosa.json")


class LCG:
    """Numerical Recipes' 32-bit LCG; noise values in [-8192, 8191]."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state * 1664525 + 1013904223) & 0xFFFFFFFF
        return ((self.state >> 16) & 0x3FFF) - 8192


def rint(x):
    return int(math.floor(x + 0.5))


def tone(amplitude, f0, sweep, n, sr):
    """round(amplitude * sin(2π (f0 t + sweep t²))), t = n / sr."""
    t = n / sr
    return rint(amplitude * math.sin(2 * math.pi * (f0 * t + sweep * t * t)))


def signals():
    """name -> (sample rate, subtype, integer samples [frames][channels], scale to float)."""
    out = {}
    sr = 24414
    g = LCG(7)
    out["chirp_24414_pcm16"] = (sr, "PCM_16", [[tone(12000, 150, 600, n, sr) + (g.next() >> 4)] for n in range(36621)])
    g = LCG(1)
    out["noise_22050_pcm16"] = (22050, "PCM_16", [[g.next()] for _ in range(22050)])
    out["silence_24414_pcm16"] = (24414, "PCM_16", [[0] for _ in range(24414)])
    g = LCG(2)
    out["stereo_44100_pcm16"] = (44100, "PCM_16", [[tone(10000, 440, 0, n, 44100), g.next()] for n in range(44100)])
    out["tone_96000_pcm16"] = (96000, "PCM_16", [[tone(8000, 1000, 0, n, 96000) + tone(4000, 300, 2000, n, 96000)] for n in range(96000)])
    out["tone_16000_pcm_u8"] = (16000, "PCM_U8", [[tone(100, 330, 0, n, 16000)] for n in range(16000)])
    out["chirp_24414_float"] = (24414, "FLOAT", [[tone(20000, 200, 900, n, 24414)] for n in range(24414)])
    return out


def write(path, sr, subtype, ints):
    a = np.array(ints, dtype=np.int64)
    if subtype == "PCM_16":
        sf.write(path, a.astype(np.int16), sr, subtype="PCM_16")
    elif subtype == "PCM_U8":
        # libsndfile maps int16 v·256 to the unsigned byte v + 128 exactly.
        sf.write(path, (a * 256).astype(np.int16), sr, subtype="PCM_U8")
    else:
        sf.write(path, (a.astype(np.float32) / np.float32(32768)), sr, subtype="FLOAT")


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32)]


def block(path, offset, duration, res_type, pad_mode):
    y, sr = librosa.load(path, sr=22050, offset=offset, duration=duration, res_type=res_type)
    m = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40, pad_mode=pad_mode)
    means = np.mean(m.T, axis=0)
    return {
        "n_samples": int(y.shape[-1]),
        "first8_samples": f32list(y[:8]),
        "last4_samples": f32list(y[-4:]),
        "mfcc_shape": list(m.shape),
        "mfcc_mean": f32list(means),
        "all_finite": bool(np.all(np.isfinite(m))),
    }


def main():
    result = {
        "description": "librosa 0.11 on synthetic clips built by formula (see tools/make_feature_fixtures.py and "
                       "Tests/FeaturesTests/SyntheticSignals.swift). Per clip: a checksum of its integer samples, "
                       "then for each preset ('librosa' = load default soxr_hq + mfcc default pad 'constant'; "
                       "'notebook' = res_type='kaiser_best' + pad_mode='reflect') a 'notebook' block "
                       "(offset 0.5, duration 3) and a 'full' block (whole file).",
        "environment": {
            "python": platform.python_version(), "librosa": librosa.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "soundfile": sf.__version__, "libsndfile": sf.__libsndfile_version__,
            "soxr": soxr.__version__, "resampy": resampy.__version__,
        },
        "clips": [],
    }
    presets = {"librosa": ("soxr_hq", "constant"), "notebook": ("kaiser_best", "reflect")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (sr, subtype, ints) in signals().items():
            path = os.path.join(tmp, name + ".wav")
            write(path, sr, subtype, ints)
            flat = [v for frame in ints for v in frame]
            clip = {
                "name": name, "sample_rate": sr, "subtype": subtype, "channels": len(ints[0]),
                "frames": len(ints),
                "int_sum": int(sum(flat)), "int_weighted_sum": int(sum((i % 1000 + 1) * v for i, v in enumerate(flat))),
            }
            for preset, (res_type, pad_mode) in presets.items():
                clip[preset] = {
                    "notebook": block(path, 0.5, 3.0, res_type, pad_mode),
                    "full": block(path, 0.0, None, res_type, pad_mode),
                }
            result["clips"].append(clip)
            print(name, clip["librosa"]["notebook"]["n_samples"], clip["notebook"]["notebook"]["mfcc_mean"][:3], file=sys.stderr)
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
