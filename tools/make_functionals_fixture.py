#!/usr/bin/env python3
"""Writes Tests/FeaturesTests/Fixtures/functionals.json: an independent reference for
`MFCCFunctionalsSet` (Sources/Features/FeatureSet.swift), computed by librosa and numpy only
(none of our Swift code is involved):

    delta1 = librosa.feature.delta(X, width=9, order=1, mode="interp", axis=-1)
    delta2 = librosa.feature.delta(X, width=9, order=2, mode="interp", axis=-1)
    per row of X, delta1, delta2: np.mean, np.std (population, ddof=0),
    np.percentile(q=[20, 50, 80], method="linear"), and pctl80 - pctl20

The 720-vector is in the set's column order: for stream in ["", "_delta", "_delta2"],
for k in 0..<40, for stat in [mean, std, pctl20, pctl50, pctl80, pctlrange].

Inputs are deterministic 40 x N float32 matrices (MFCC-like scales, values rounded to 2
decimals so that the JSON stays small and both sides read the same float32s):
  random9    seeded normal noise, exactly 9 frames (librosa's minimum for width 9)
  random10   seeded normal noise, 10 frames
  random64   seeded normal noise, 64 frames (with a few tied values in some rows)
  polynomial row k = a_k + b_k t + c_k t^2 (t = frame index), 16 frames: Δ of a quadratic is
             exact at every frame except the 4 at each edge, ΔΔ is 2 c_k everywhere
The references are computed in float64 from those float32 inputs (the Swift side works in
Double) and written as float32 (shortest repr). `environment.max_abs_float32_pipeline_diff`
records how far librosa's own float32 pipeline (delta and stats on float32 arrays) is from the
float64 one, as a guide for the test tolerance.

Run only to regenerate the fixture (never from `make test`):
    python3 -m venv .build/fixture-venv
    .build/fixture-venv/bin/pip install librosa numpy
    .build/fixture-venv/bin/python tools/make_functionals_fixture.py
"""
import os
import platform

import numpy as np
import scipy
import librosa

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "FeaturesTests", "Fixtures", "functionals.json")
N_MFCC = 40
STATS = ["mean", "std", "pctl20", "pctl50", "pctl80", "pctlrange"]


def mfcc_like(rng, frames):
    """40 x frames: c0 around -400 (sd 60), c1 around 100, the rest around 0 with shrinking sd."""
    scale = np.array([60.0, 30.0] + [20.0 / (1 + 0.1 * k) for k in range(2, N_MFCC)])
    centre = np.array([-400.0, 100.0] + [0.0] * (N_MFCC - 2))
    x = centre[:, None] + scale[:, None] * rng.standard_normal((N_MFCC, frames))
    return x


def to_f32(x):
    return np.round(x, 2).astype(np.float32)


def inputs():
    out = {}
    out["random9"] = to_f32(mfcc_like(np.random.default_rng(9), 9))
    out["random10"] = to_f32(mfcc_like(np.random.default_rng(10), 10))
    x = mfcc_like(np.random.default_rng(64), 64)
    x[5, 10:20] = x[5, 3]            # ties
    x[7, :] = 1.25                    # a constant row: std 0, all percentiles equal
    x[8, ::2] = -3.5                  # half the row tied
    out["random64"] = to_f32(x)
    t = np.arange(16, dtype=np.float64)
    k = np.arange(N_MFCC, dtype=np.float64)[:, None]
    out["polynomial"] = to_f32((-300 + 7.5 * k) + (0.25 * k - 4) * t + (0.05 * (k - 20)) * t * t)
    return out


def functionals(x, d1, d2):
    v = []
    for s in (x, d1, d2):
        mean = np.mean(s, axis=1)
        std = np.std(s, axis=1)
        p20, p50, p80 = np.percentile(s, [20, 50, 80], axis=1, method="linear")
        rows = np.stack([mean, std, p20, p50, p80, p80 - p20], axis=1)  # 40 x 6
        v.append(rows.reshape(-1))
    return np.concatenate(v)


def reference(x32):
    x = x32.astype(np.float64)
    d1 = librosa.feature.delta(x, width=9, order=1, mode="interp", axis=-1)
    d2 = librosa.feature.delta(x, width=9, order=2, mode="interp", axis=-1)
    return d1, d2, functionals(x, d1, d2)


def reference_float32(x32):
    d1 = librosa.feature.delta(x32, width=9, order=1, mode="interp", axis=-1)
    d2 = librosa.feature.delta(x32, width=9, order=2, mode="interp", axis=-1)
    return d1, d2, functionals(x32, d1, d2)


def fmt(v):
    s = str(np.float32(v))
    return "0.0" if s == "-0.0" else s


def matrix_json(m):
    return "[" + ",\n    ".join("[" + ",".join(fmt(v) for v in row) + "]" for row in m) + "]"


def vector_json(v):
    return "[" + ",".join(fmt(x) for x in v) + "]"


def main():
    columns = [f"mfcc{k}{stream}_{stat}" for stream in ["", "_delta", "_delta2"]
               for k in range(N_MFCC) for stat in STATS]
    assert len(columns) == 720
    cases = []
    worst32 = 0.0
    for name, x32 in inputs().items():
        d1, d2, f = reference(x32)
        assert f.shape == (720,) and np.all(np.isfinite(f))
        e1, e2, g = reference_float32(x32)
        worst32 = max(worst32, float(np.max(np.abs(e1 - d1))), float(np.max(np.abs(e2 - d2))),
                      float(np.max(np.abs(g - f))))
        cases.append((name, x32, d1, d2, f))
    parts = ["{\n",
             ' "description": "librosa.feature.delta(width=9, order=1/2, mode=\'interp\') and numpy mean/std/'
             'percentile(20,50,80, linear)/80-20 range on deterministic 40xN float32 matrices, computed in float64; '
             'see tools/make_functionals_fixture.py. Matrices are rows (coefficients) x frames.",\n',
             ' "environment": {"python": "%s", "librosa": "%s", "numpy": "%s", "scipy": "%s", '
             '"max_abs_float32_pipeline_diff": %r},\n'
             % (platform.python_version(), librosa.__version__, np.__version__, scipy.__version__, worst32),
             ' "columns_first_last": ["%s", "%s"],\n' % (columns[0], columns[-1]),
             ' "cases": [\n']
    blocks = []
    for name, x, d1, d2, f in cases:
        blocks.append('  {"name": "%s", "frames": %d,\n   "input": %s,\n   "delta1": %s,\n   "delta2": %s,\n'
                      '   "functionals": %s}'
                      % (name, x.shape[1], matrix_json(x), matrix_json(d1), matrix_json(d2), vector_json(f)))
    parts.append(",\n".join(blocks))
    parts.append("\n ]\n}\n")
    with open(OUT, "w") as fh:
        fh.write("".join(parts))
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes); "
          f"max |float32 pipeline - float64 pipeline| = {worst32:.3g}")


if __name__ == "__main__":
    main()
