#!/usr/bin/env python3
"""Writes Tests/FeaturesTests/Fixtures/logmel.json: an independent reference for `LogMelSet`
(Sources/Features/LogMel.swift), computed by librosa only (none of our Swift code is involved):

    S = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=1024, win_length=551,
                                       hop_length=220, n_mels=64, pad_mode=PAD)
        (window "hann", center=True, power 2, Slaney mel scale and norm: librosa's defaults)
    D = librosa.power_to_db(S)            (ref=1.0, amin=1e-10, top_db=80: the defaults)

for PAD = "reflect" (our `notebook` preset) and "constant" (our `librosa` preset). D is the
UNPADDED log-mel matrix (64 bands x 1 + len(y) // 220 frames); the set's padding/cropping to a
fixed frame count is ours and is tested against these values in LogMelTests.swift.

Inputs are generated signals only (as tools/make_functionals_fixture.py: no data derived from
../shared is written). They are built from integer formulas that
Tests/FeaturesTests/LogMelTests.swift repeats (keep the two in step): Numerical Recipes' 32-bit
LCG for noise, sines through the C library's sin rounded with floor(x + 0.5), samples = v / 32768
in float32 (exact). Each case records checksums of its integers so the Swift side can check it
builds the same signal before comparing.

  chirp        3 s (66150 samples: exactly the analysis window, 301 frames), a rising chirp
               150 Hz -> 3750 Hz plus faint noise
  tone_noise   3.5 s (77175 samples, 351 frames: the set crops it), 440 Hz + 1250 Hz + noise
  short        0.8 s (17640 samples, 81 frames: the set pads it), a chirp plus noise
  bursts       2 s (44100 samples), 0.2 s tone bursts separated by exact digital silence: the
               silent frames sit on the top_db floor (max - 80 dB)
  silence      1 s of zeros: -100 dB everywhere (amin clamps; top_db keeps all)

To keep the JSON small (well under 1 MB) each case stores every band of a subset of frames: the
first 8 and the last 8 (where the two pad modes differ) and every 5th frame in between; plus,
over ALL frames, each band's mean (float64) and the matrix's minimum and maximum.
`environment.max_abs_float64_pipeline_diff_db` records how far librosa's own float32 pipeline
(what is stored) is from the same call on float64 samples, as a guide for the test tolerance.

Run only to regenerate the fixture (never from `make test`):
    python3 -m venv .build/fixture-venv
    .build/fixture-venv/bin/pip install librosa numpy
    .build/fixture-venv/bin/python tools/make_logmel_fixture.py
"""
import math
import os
import platform

import numpy as np
import scipy
import librosa

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "FeaturesTests", "Fixtures", "logmel.json")
SR = 22050
PARAMS = dict(sr=SR, n_fft=1024, win_length=551, hop_length=220, n_mels=64)
PRESETS = [("notebook", "reflect"), ("librosa", "constant")]


class LCG:
    """Numerical Recipes' 32-bit LCG; noise values in [-8192, 8191]."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state * 1664525 + 1013904223) & 0xFFFFFFFF
        return ((self.state >> 16) & 0x3FFF) - 8192


def rint(x):
    return int(math.floor(x + 0.5))


def tone(amplitude, f0, sweep, n):
    """round(amplitude * sin(2π (f0 t + sweep t²))), t = n / 22050."""
    t = n / SR
    return rint(amplitude * math.sin(2 * math.pi * (f0 * t + sweep * t * t)))


def signals():
    """name -> integer samples (16-bit scale)."""
    out = {}
    g = LCG(11)
    out["chirp"] = [tone(12000, 150, 600, n) + (g.next() >> 4) for n in range(66150)]
    g = LCG(5)
    out["tone_noise"] = [tone(8000, 440, 0, n) + tone(3000, 1250, 0, n) + (g.next() >> 2) for n in range(77175)]
    g = LCG(3)
    out["short"] = [tone(10000, 300, 900, n) + (g.next() >> 3) for n in range(17640)]
    out["bursts"] = [tone(15000, 880, 0, n) if (n // 4410) % 2 == 0 else 0 for n in range(44100)]
    out["silence"] = [0] * 22050
    return out


def log_mel(y, pad_mode):
    return librosa.power_to_db(librosa.feature.melspectrogram(y=y, pad_mode=pad_mode, **PARAMS))


def frame_subset(frames):
    keep = set(range(min(8, frames))) | set(range(max(0, frames - 8), frames)) | set(range(0, frames, 5))
    return sorted(keep)


def fmt(v):
    s = str(np.float32(v))
    return "0.0" if s == "-0.0" else s


def vector_json(v):
    return "[" + ",".join(fmt(x) for x in v) + "]"


def main():
    cases = []
    worst64 = 0.0
    for name, ints in signals().items():
        y = np.array(ints, dtype=np.float32) / np.float32(32768)
        assert y.dtype == np.float32
        int_sum = sum(ints)
        weighted = sum(i * v for i, v in enumerate(ints))
        presets = []
        for preset, pad in PRESETS:
            d = log_mel(y, pad)
            assert d.dtype == np.float32 and d.shape[0] == 64 and np.all(np.isfinite(d))
            assert d.shape[1] == 1 + len(ints) // PARAMS["hop_length"]
            d64 = log_mel(y.astype(np.float64), pad)
            worst64 = max(worst64, float(np.max(np.abs(d64 - d.astype(np.float64)))))
            presets.append((preset, pad, d))
        cases.append((name, ints, int_sum, weighted, presets))

    parts = ["{\n",
             ' "description": "librosa.power_to_db(librosa.feature.melspectrogram(y, sr=22050, n_fft=1024, '
             'win_length=551, hop_length=220, n_mels=64, pad_mode=PAD)) (float32, unpadded) on generated signals; '
             'see tools/make_logmel_fixture.py. values[i] = all 64 bands of frame frame_index[i].",\n',
             ' "environment": {"python": "%s", "librosa": "%s", "numpy": "%s", "scipy": "%s", '
             '"max_abs_float64_pipeline_diff_db": %r},\n'
             % (platform.python_version(), librosa.__version__, np.__version__, scipy.__version__, worst64),
             ' "parameters": {"sr": 22050, "n_fft": 1024, "win_length": 551, "hop_length": 220, "n_mels": 64, '
             '"ref": 1.0, "amin": 1e-10, "top_db": 80},\n',
             ' "cases": [\n']
    blocks = []
    for name, ints, int_sum, weighted, presets in cases:
        frames = presets[0][2].shape[1]
        idx = frame_subset(frames)
        pblocks = []
        for preset, pad, d in presets:
            rows = ",\n     ".join(vector_json(d[:, t]) for t in idx)
            pblocks.append('   "%s": {"pad_mode": "%s", "min": %s, "max": %s,\n    "band_mean": %s,\n    "values": [%s]}'
                           % (preset, pad, fmt(d.min()), fmt(d.max()),
                              "[" + ",".join(repr(float(m)) for m in d.astype(np.float64).mean(axis=1)) + "]", rows))
        blocks.append('  {"name": "%s", "n_samples": %d, "int_sum": %d, "int_weighted_sum": %d, "frames": %d,\n'
                      '   "frame_index": [%s],\n%s}'
                      % (name, len(ints), int_sum, weighted, frames, ",".join(str(t) for t in idx),
                         ",\n".join(pblocks)))
    parts.append(",\n".join(blocks))
    parts.append("\n ]\n}\n")
    with open(OUT, "w") as fh:
        fh.write("".join(parts))
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes); "
          f"max |float32 pipeline - float64 pipeline| = {worst64:.3g} dB")


if __name__ == "__main__":
    main()
